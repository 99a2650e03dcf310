// SPDX-License-Identifier: GPL-2.0
/*
 * The Ordo clock (kmod/clock.c) through netlink, sysfs and ordoctl.
 *
 * Runs as root in the test VM with ordo.ko loaded (default source: the
 * HPET, since the TSC is unstable under TCG). Each TEST runs in a child
 * of its own. Tests that move the clock step it back to CLOCK_REALTIME
 * and reset the TAI offset, the frequency and the source when done.
 *
 * Scale (QEMU TCG): the monotonicity test does READS reads per reader
 * thread through sysfs "mono" (pread, about 10-50 us each under TCG),
 * 10^5 instead of 10^6; the slew test slews 1 ms at 500 ppm (2 s) instead
 * of 10 ms (20 s); the smear window is 4 s (the shortest allowed; 24 h
 * smears are covered by the unit tests).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "../lib/ordo_sysfs.h"
#include "../kselftest_harness.h"
#include "../lifecycle/nl_raw.h"
#include "libordo.h"

#define NOBODY 65534
#define NSEC 1000000000LL
#define READS 100000

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int clk_set(struct ordo_clock_set *s)
{
	struct ordo *h;
	int err = ordo_open(&h);

	if (err)
		return err;
	err = ordo_clock_set(h, s);
	ordo_close(h);
	return err;
}

static int clk_get(struct ordo *h, struct ordo_clock_info *ci)
{
	return ordo_clock_get(h, ci);
}

/* Back to the system time, no leap, TAI-UTC 0, freq 0, hpet. */
static void clk_restore(void)
{
	struct ordo_clock_set s = {
		.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SOURCE) |
			ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_FREQ) |
			ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SLEW_RATE) |
			ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP) |
			ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_TAI_OFFSET),
		.source = "hpet",
		.slew_rate = 500000,
		.leap = ORDO_CLOCK_LEAP_NONE,
	};

	clk_set(&s);
	s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_WALL);
	s.wall = realtime_ns();
	clk_set(&s);
}

/* ------------------------------------------------------------------ */
/* mono never goes backward */

struct mono_reader {
	pthread_t thr;
	int fd;
	int backward;
	uint64_t prev, bad_prev, bad_now;
	long reads;
};

static atomic_int readers_done;

static void *mono_reader_fn(void *arg)
{
	struct mono_reader *r = arg;
	char buf[64];
	int i;

	for (i = 0; i < READS; i++) {
		ssize_t n = pread(r->fd, buf, sizeof(buf) - 1, 0);
		uint64_t v;

		if (n <= 0)
			break;
		buf[n] = '\0';
		v = strtoull(buf, NULL, 10);
		if (v < r->prev && !r->backward) {
			r->backward = 1;
			r->bad_prev = r->prev;
			r->bad_now = v;
		}
		r->prev = v;
		r->reads++;
	}
	atomic_fetch_add(&readers_done, 1);
	return NULL;
}

TEST(mono_monotonic_under_changes)
{
	struct mono_reader r[2] = { 0 };
	struct ordo *h;
	long ops = 0;
	int i;

	ASSERT_EQ(0, ordo_open(&h));
	for (i = 0; i < 2; i++) {
		r[i].fd = open(CLOCK_DIR "mono", O_RDONLY);
		ASSERT_LE(0, r[i].fd);
		ASSERT_EQ(0, pthread_create(&r[i].thr, NULL, mono_reader_fn,
					    &r[i]));
	}
	while (atomic_load(&readers_done) < 2) {
		struct ordo_clock_set s = { 0 };
		int err;

		switch (ops % 6) {
		case 0:
			s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_STEP);
			s.step = (ops & 8) ? -2 * NSEC : 2 * NSEC;
			break;
		case 1:
			s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SLEW);
			s.slew = (ops & 8) ? -300000 : 300000;
			break;
		case 2:
			s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_FREQ);
			s.freq = ((ops & 8) ? -400000LL : 400000LL) << 16;
			break;
		case 3:
			s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SOURCE);
			strcpy(s.source, "tsc");
			break;
		case 4:
			s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SLEW_RATE);
			s.slew_rate = (ops & 8) ? 100000000 : 500000;
			break;
		default:
			s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SOURCE);
			strcpy(s.source, "hpet");
			break;
		}
		err = ordo_clock_set(h, &s);
		EXPECT_EQ(0, err) TH_LOG("op %ld: %s", ops % 6,
					 ordo_errmsg(h) ?: "");
		ops++;
		msleep(2);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(r[i].thr, NULL);
		close(r[i].fd);
		TH_LOG("reader %d: %ld reads", i, r[i].reads);
		EXPECT_EQ((long)READS, r[i].reads);
		EXPECT_EQ(0, r[i].backward)
			TH_LOG("mono went back: %llu -> %llu",
			       (unsigned long long)r[i].bad_prev,
			       (unsigned long long)r[i].bad_now);
	}
	TH_LOG("%ld clock changes", ops);
	EXPECT_LT(20, ops);
	ordo_close(h);
	clk_restore();
}

/* ------------------------------------------------------------------ */
/* events */

/* The next event of type @want within @ms, else -ETIMEDOUT. */
static int wait_event(struct ordo_clock_watch *w, uint32_t want, int ms,
		      struct ordo_clock_ntf *ev)
{
	struct pollfd p = { .fd = ordo_clock_watch_fd(w), .events = POLLIN };
	int64_t end = realtime_ns() + ms * 1000000LL;

	for (;;) {
		int64_t left = (end - realtime_ns()) / 1000000;
		int err;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		err = ordo_clock_watch_next(w, ev);
		if (err)
			return err;
		if (ev->event == want)
			return 0;
	}
}

TEST(step_event)
{
	struct ordo_clock_set s = {
		.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_STEP),
		.step = 1234567,
	};
	struct ordo_clock_watch *w;
	struct ordo_clock_ntf ev;

	ASSERT_EQ(0, ordo_clock_watch_open(&w));
	ASSERT_EQ(0, clk_set(&s));
	ASSERT_EQ(0, wait_event(w, ORDO_CLOCK_EV_STEP, 3000, &ev));
	EXPECT_EQ(1234567LL, (long long)ev.step);
	EXPECT_TRUE(!!(ev.present & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_WALL)));
	EXPECT_GT(ev.wall, 1600000000LL * NSEC);

	/* source switches are events too */
	s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SOURCE);
	strcpy(s.source, "tsc");
	ASSERT_EQ(0, clk_set(&s));
	ASSERT_EQ(0, wait_event(w, ORDO_CLOCK_EV_SOURCE, 3000, &ev));
	EXPECT_STREQ("tsc", ev.source);
	ordo_clock_watch_close(w);
	clk_restore();
}

/* ------------------------------------------------------------------ */
/* slew: 1 ms at 500 ppm takes 2 s of mono */

TEST(slew_takes_time)
{
	struct ordo_clock_set s = {
		.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SLEW_RATE) |
			ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SLEW),
		.slew_rate = 500000,
		.slew = 1000000,
	};
	struct ordo_clock_info a, b, prev;
	int64_t done_mono = 0;
	bool checked_1s = false;
	struct ordo *h;

	ASSERT_EQ(0, ordo_open(&h));
	ASSERT_EQ(0, clk_get(h, &a));
	ASSERT_EQ(0, clk_set(&s));
	ASSERT_EQ(0, clk_get(h, &a));
	prev = a;
	for (;;) {
		int64_t dm, dr, dw;

		msleep(50);
		ASSERT_EQ(0, clk_get(h, &b));
		dm = (int64_t)(b.mono - prev.mono);
		dr = (int64_t)(b.mono_raw - prev.mono_raw);
		dw = b.wall - prev.wall;
		/* wall runs with mono, at most 500 ppm off mono_raw */
		EXPECT_GE(dw, dm - 1000);
		EXPECT_LE(dw, dm + 1000);
		EXPECT_LE(dm - dr, dr / 2000 + 1000);
		EXPECT_GE(dm - dr, -1000);
		if (!checked_1s && b.mono - a.mono >= 1000000000ULL) {
			int64_t expect = 1000000 -
				(int64_t)(b.mono_raw - a.mono_raw) / 2000;

			checked_1s = true;
			TH_LOG("after %.3f s: %lld ns pending (expected %lld)",
			       (b.mono - a.mono) / 1e9, (long long)b.slew_pending,
			       (long long)expect);
			EXPECT_GT(b.slew_pending, 0);
			EXPECT_LT(llabs(b.slew_pending - expect), 50000);
		}
		if (b.slew_pending == 0) {
			done_mono = (int64_t)(b.mono - a.mono);
			break;
		}
		ASSERT_LT((int64_t)(b.mono - a.mono), 10 * NSEC);
		prev = b;
	}
	TH_LOG("slew done after %.3f s of mono", done_mono / 1e9);
	EXPECT_TRUE(checked_1s);
	EXPECT_GE(done_mono, 1990000000LL);
	/* mono gained the 1 ms over mono_raw */
	EXPECT_LT(llabs((int64_t)((b.mono - a.mono) - (b.mono_raw - a.mono_raw)) -
			(a.slew_pending - b.slew_pending)), 20000);
	ordo_close(h);
	clk_restore();
}

/* ------------------------------------------------------------------ */
/* leap seconds */

#define DAY_END 1798761600LL	/* 2027-01-01 00:00:00 UTC */

struct leap_case {
	uint32_t dir;		/* ORDO_CLOCK_LEAP_INSERT/DELETE */
	uint32_t mode;
	uint32_t window;
};

static void run_leap(struct __test_metadata *_metadata,
		     const struct leap_case *lc)
{
	int d = lc->dir == ORDO_CLOCK_LEAP_INSERT ? 1 : -1;
	int64_t start = DAY_END - (lc->mode == ORDO_CLOCK_LEAP_MODE_SMEAR ?
				   lc->window / 2 + 1 : 2);
	int64_t end = DAY_END + (lc->mode == ORDO_CLOCK_LEAP_MODE_SMEAR ?
				 lc->window / 2 + 1 : 2);
	struct ordo_clock_set s = { 0 };
	struct ordo_clock_info a, b;
	struct ordo_clock_watch *w;
	struct ordo_clock_ntf ev;
	int utc_jumps = 0, tai_jumps = 0;
	int64_t utc_jump = 0, tai_jump = 0;
	bool in_leap = false, smearing = false;
	struct ordo *h;

	ASSERT_EQ(0, ordo_open(&h));
	ASSERT_EQ(0, ordo_clock_watch_open(&w));
	s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_WALL) |
		 ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP) |
		 ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP_TIME) |
		 ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP_MODE) |
		 ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SMEAR_WINDOW) |
		 ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_TAI_OFFSET);
	s.wall = start * NSEC;
	s.leap = lc->dir;
	s.leap_time = DAY_END;
	s.leap_mode = lc->mode;
	s.smear_window = lc->window;
	s.tai_offset = 37;
	ASSERT_EQ(0, ordo_clock_set(h, &s)) TH_LOG("%s", ordo_errmsg(h) ?: "");
	ASSERT_EQ(0, wait_event(w, ORDO_CLOCK_EV_LEAP_ARMED, 3000, &ev));
	EXPECT_EQ(lc->dir, ev.leap);
	EXPECT_EQ(DAY_END, (long long)ev.leap_time);
	EXPECT_EQ(lc->mode, ev.leap_mode);

	ASSERT_EQ(0, clk_get(h, &a));
	EXPECT_EQ(37, (int)a.tai_offset);
	EXPECT_EQ(lc->dir, a.leap);
	for (;;) {
		int64_t dr, du, dt;

		msleep(20);
		ASSERT_EQ(0, clk_get(h, &b));
		dr = (int64_t)(b.mono - a.mono);
		du = b.wall - a.wall;
		dt = b.tai - a.tai;
		if (llabs(du - dr) > 100000000) {
			utc_jumps++;
			utc_jump = du - dr;
		}
		if (llabs(dt - dr) > 100000000) {
			tai_jumps++;
			tai_jump = dt - dr;
		}
		if (lc->mode == ORDO_CLOCK_LEAP_MODE_SMEAR) {
			/* smeared: UTC never goes back, never jumps */
			EXPECT_GE(du, 0);
		}
		if (b.leap_flags & ORDO_CLOCK_LEAP_F_IN_LEAP) {
			in_leap = true;
			/* 23:59:60 is shown for UTC 23:59:59 */
			EXPECT_EQ(DAY_END - 1, b.wall / NSEC);
		}
		if (b.leap_flags & ORDO_CLOCK_LEAP_F_SMEARING)
			smearing = true;
		a = b;
		if (b.wall / NSEC >= end)
			break;
	}
	TH_LOG("utc jumps %d (%lld ns), tai jumps %d (%lld ns), in_leap %d smearing %d",
	       utc_jumps, (long long)utc_jump, tai_jumps, (long long)tai_jump,
	       in_leap, smearing);
	switch (lc->mode) {
	case ORDO_CLOCK_LEAP_MODE_STEP:
		/* UTC: 23:59:59 repeats / is skipped; TAI continuous */
		EXPECT_EQ(1, utc_jumps);
		EXPECT_LT(llabs(utc_jump + d * NSEC), 100000000);
		EXPECT_EQ(0, tai_jumps);
		EXPECT_EQ(d > 0, in_leap);
		break;
	case ORDO_CLOCK_LEAP_MODE_SMEAR:
		EXPECT_EQ(0, utc_jumps);
		EXPECT_EQ(0, tai_jumps);
		EXPECT_TRUE(smearing);
		break;
	default:
		/* UTC ignores the leap; TAI - UTC moves, so TAI jumps */
		EXPECT_EQ(0, utc_jumps);
		EXPECT_EQ(1, tai_jumps);
		EXPECT_LT(llabs(tai_jump - d * NSEC), 100000000);
		break;
	}
	EXPECT_EQ(37 + d, (int)b.tai_offset);
	EXPECT_EQ((37 + d) * NSEC, b.tai - b.wall);
	ASSERT_EQ(0, wait_event(w, ORDO_CLOCK_EV_LEAP_APPLIED, 3000, &ev));
	EXPECT_EQ(lc->dir, ev.leap);
	EXPECT_EQ(37 + d, (int)ev.tai_offset);
	ASSERT_EQ(0, clk_get(h, &b));
	EXPECT_EQ((uint32_t)ORDO_CLOCK_LEAP_NONE, b.leap);
	ordo_clock_watch_close(w);
	ordo_close(h);
	clk_restore();
}

FIXTURE(leap) {};
FIXTURE_VARIANT(leap) {
	struct leap_case lc;
};
FIXTURE_SETUP(leap) {}
FIXTURE_TEARDOWN(leap) {}

FIXTURE_VARIANT_ADD(leap, step_insert) {
	.lc = { ORDO_CLOCK_LEAP_INSERT, ORDO_CLOCK_LEAP_MODE_STEP, 0 },
};
FIXTURE_VARIANT_ADD(leap, step_delete) {
	.lc = { ORDO_CLOCK_LEAP_DELETE, ORDO_CLOCK_LEAP_MODE_STEP, 0 },
};
FIXTURE_VARIANT_ADD(leap, smear_insert) {
	.lc = { ORDO_CLOCK_LEAP_INSERT, ORDO_CLOCK_LEAP_MODE_SMEAR, 4 },
};
FIXTURE_VARIANT_ADD(leap, smear_delete) {
	.lc = { ORDO_CLOCK_LEAP_DELETE, ORDO_CLOCK_LEAP_MODE_SMEAR, 4 },
};
FIXTURE_VARIANT_ADD(leap, none_insert) {
	.lc = { ORDO_CLOCK_LEAP_INSERT, ORDO_CLOCK_LEAP_MODE_IGNORE, 0 },
};
FIXTURE_VARIANT_ADD(leap, none_delete) {
	.lc = { ORDO_CLOCK_LEAP_DELETE, ORDO_CLOCK_LEAP_MODE_IGNORE, 0 },
};

TEST_F(leap, sequence)
{
	run_leap(_metadata, &variant->lc);
}

/* ------------------------------------------------------------------ */
/* RTC */

static int wait_load_edge(void)
{
	char buf[64];

	/* rtc_at_load waits for the edge search */
	return sysfs_read("rtc_at_load", buf, sizeof(buf));
}

TEST(rtc_matches_wall_at_load)
{
	struct ordo_clock_info ci;
	struct ordo *h;
	int64_t diff;

	ASSERT_EQ(0, ordo_unload());
	ASSERT_EQ(0, ordo_load());
	ASSERT_EQ(0, wait_load_edge());
	msleep(100);	/* the clock's edge work runs after the search */
	ASSERT_EQ(0, ordo_open(&h));
	ASSERT_EQ(0, clk_get(h, &ci));
	ASSERT_TRUE(ci.has_rtc);
	diff = ci.wall - ci.rtc * NSEC;
	TH_LOG("wall - rtc = %lld ns", (long long)diff);
	EXPECT_GT(diff, -NSEC);
	EXPECT_LT(diff, NSEC);
	ordo_close(h);
}

TEST(rtc_writeback)
{
	struct ordo_clock_set s = {
		.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_RTC_WRITE),
	};
	struct ordo_clock_info ci;
	struct ordo *h;
	int64_t diff;

	ASSERT_EQ(0, clk_set(&s));
	ASSERT_EQ(0, ordo_open(&h));
	ASSERT_EQ(0, clk_get(h, &ci));
	ASSERT_TRUE(ci.has_rtc);
	diff = ci.wall - ci.rtc * NSEC;
	TH_LOG("wall - rtc = %lld ns", (long long)diff);
	EXPECT_GT(diff, -NSEC);
	EXPECT_LT(diff, NSEC);
	ordo_close(h);
}

/* ------------------------------------------------------------------ */
/* permissions */

#define MAX_W 32

TEST(unprivileged)
{
	struct ordo_clock_set s = {
		.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_STEP),
		.step = 1,
	};
	char names[MAX_W][256], buf[128];
	struct ordo_clock_info ci;
	int fds[MAX_W], n = 0, i;
	struct dirent *de;
	struct ordo *h;
	DIR *dir;

	dir = opendir(CLOCK_DIR);
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir)) && n < MAX_W) {
		char path[300];
		struct stat st;

		snprintf(path, sizeof(path), CLOCK_DIR "%s", de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) ||
		    !(st.st_mode & S_IWUSR))
			continue;
		fds[n] = open(path, O_WRONLY);
		ASSERT_LE(0, fds[n]) TH_LOG("open %s", path);
		snprintf(names[n], sizeof(names[n]), "%s", de->d_name);
		n++;
	}
	closedir(dir);
	TH_LOG("%d writable files", n);
	EXPECT_LE(7, n);

	ASSERT_EQ(0, setresuid(NOBODY, NOBODY, NOBODY));
	ASSERT_EQ(0, ordo_open(&h));
	EXPECT_EQ(0, clk_get(h, &ci));
	EXPECT_EQ(-EPERM, ordo_clock_set(h, &s));
	ordo_close(h);
	EXPECT_EQ(0, sysfs_read("wall", buf, sizeof(buf)));
	EXPECT_EQ(0, sysfs_read("mono", buf, sizeof(buf)));
	EXPECT_EQ(0, sysfs_read("leap_mode", buf, sizeof(buf)));
	for (i = 0; i < n; i++) {
		const char *val = !strcmp(names[i], "source") ? "hpet" :
				  !strcmp(names[i], "leap_mode") ? "step" : "1";
		ssize_t r = write(fds[i], val, strlen(val));

		EXPECT_EQ(-1, r) TH_LOG("%s: write succeeded", names[i]);
		EXPECT_EQ(EPERM, errno) TH_LOG("%s", names[i]);
		close(fds[i]);
	}
}

/* ------------------------------------------------------------------ */
/* malformed requests */

static void raw_set_init(struct raw_msg *m, int family)
{
	raw_init(m, family, NLM_F_REQUEST | NLM_F_ACK, ORDO_CMD_CLOCK_SET, 7);
}

FIXTURE(bad) {
	int family;
	struct raw_msg m;
	struct raw_result r;
};

FIXTURE_SETUP(bad)
{
	self->family = raw_family_id();
	ASSERT_LT(0, self->family);
	raw_set_init(&self->m, self->family);
}

FIXTURE_TEARDOWN(bad) {}

static void expect_fail(struct __test_metadata *_metadata,
			FIXTURE_DATA(bad) *self, int err, const char *msg)
{
	ASSERT_EQ(0, raw_request(&self->m, &self->r));
	TH_LOG("error %d msg '%s'", self->r.error, self->r.msg);
	if (err == -ERANGE) {
		/* range policies answer ERANGE, some EINVAL */
		EXPECT_TRUE(self->r.error == -ERANGE || self->r.error == -EINVAL);
	} else {
		EXPECT_EQ(err, self->r.error);
	}
	EXPECT_TRUE(self->r.has_msg);
	if (msg)
		EXPECT_NE(NULL, strstr(self->r.msg, msg));
}

TEST_F(bad, empty)
{
	expect_fail(_metadata, self, -EINVAL, "nothing to do");
}

TEST_F(bad, wrong_type)
{
	uint32_t v = 1;

	raw_put_attr(&self->m, ORDO_A_CLOCK_FREQ, &v, sizeof(v));
	expect_fail(_metadata, self, -EINVAL, NULL);
}

TEST_F(bad, wrong_type_string)
{
	uint64_t v = 1;

	raw_put_attr(&self->m, ORDO_A_CLOCK_SOURCE, &v, sizeof(v));
	expect_fail(_metadata, self, -EINVAL, NULL);
}

TEST_F(bad, freq_out_of_range)
{
	int64_t v = (500001LL << 16);

	raw_put_attr(&self->m, ORDO_A_CLOCK_FREQ, &v, sizeof(v));
	expect_fail(_metadata, self, -ERANGE, NULL);
}

TEST_F(bad, slew_rate_zero)
{
	uint32_t v = 0;

	raw_put_attr(&self->m, ORDO_A_CLOCK_SLEW_RATE, &v, sizeof(v));
	expect_fail(_metadata, self, -ERANGE, NULL);
}

TEST_F(bad, slew_rate_too_high)
{
	uint32_t v = 100000001;

	raw_put_attr(&self->m, ORDO_A_CLOCK_SLEW_RATE, &v, sizeof(v));
	expect_fail(_metadata, self, -ERANGE, NULL);
}

TEST_F(bad, unknown_leap_mode)
{
	uint32_t leap = ORDO_CLOCK_LEAP_INSERT, mode = 3;
	int64_t t = DAY_END + 86400 * 365;

	raw_put_attr(&self->m, ORDO_A_CLOCK_LEAP, &leap, sizeof(leap));
	raw_put_attr(&self->m, ORDO_A_CLOCK_LEAP_TIME, &t, sizeof(t));
	raw_put_attr(&self->m, ORDO_A_CLOCK_LEAP_MODE, &mode, sizeof(mode));
	expect_fail(_metadata, self, -ERANGE, NULL);
}

TEST_F(bad, leap_without_time)
{
	uint32_t leap = ORDO_CLOCK_LEAP_INSERT;

	raw_put_attr(&self->m, ORDO_A_CLOCK_LEAP, &leap, sizeof(leap));
	expect_fail(_metadata, self, -EINVAL, "LEAP_TIME");
}

TEST_F(bad, leap_not_midnight)
{
	uint32_t leap = ORDO_CLOCK_LEAP_INSERT;
	int64_t t = DAY_END + 86400 * 365 + 1;

	raw_put_attr(&self->m, ORDO_A_CLOCK_LEAP, &leap, sizeof(leap));
	raw_put_attr(&self->m, ORDO_A_CLOCK_LEAP_TIME, &t, sizeof(t));
	expect_fail(_metadata, self, -EINVAL, "midnight");
}

TEST_F(bad, step_and_slew)
{
	int64_t v = 1000;

	raw_put_attr(&self->m, ORDO_A_CLOCK_STEP, &v, sizeof(v));
	raw_put_attr(&self->m, ORDO_A_CLOCK_SLEW, &v, sizeof(v));
	expect_fail(_metadata, self, -EINVAL, "at most one");
}

TEST_F(bad, wall_and_step)
{
	int64_t v = 1000;

	raw_put_attr(&self->m, ORDO_A_CLOCK_WALL, &v, sizeof(v));
	raw_put_attr(&self->m, ORDO_A_CLOCK_STEP, &v, sizeof(v));
	expect_fail(_metadata, self, -EINVAL, "at most one");
}

TEST_F(bad, sync_without_stratum)
{
	uint64_t v = 1000;

	raw_put_attr(&self->m, ORDO_A_CLOCK_ROOT_DELAY, &v, sizeof(v));
	expect_fail(_metadata, self, -EINVAL, "STRATUM");
}

TEST_F(bad, unknown_source)
{
	raw_put_str(&self->m, ORDO_A_CLOCK_SOURCE, "sundial");
	expect_fail(_metadata, self, -EINVAL, "unknown counter");
}

TEST_F(bad, get_with_attribute)
{
	uint32_t v = 0;

	raw_init(&self->m, self->family, NLM_F_REQUEST | NLM_F_ACK,
		 ORDO_CMD_CLOCK_GET, 8);
	raw_put_attr(&self->m, ORDO_A_CLOCK_SYNC, &v, sizeof(v));
	expect_fail(_metadata, self, -EINVAL, NULL);
}

/* ------------------------------------------------------------------ */
/* sysfs input validation */

TEST(sysfs_garbage)
{
	static const struct {
		const char *file, *val;
		int err;
	} cases[] = {
		{ "freq_ppb", "abc", -EINVAL },
		{ "freq_ppb", "12x", -EINVAL },
		{ "freq_ppb", "600000", -ERANGE },
		{ "freq_ppb", "99999999999999999999", -EINVAL },
		{ "slew_rate_ppb", "0", -ERANGE },
		{ "slew_rate_ppb", "fast", -EINVAL },
		{ "slew_rate_ppb", "100000001", -ERANGE },
		{ "step_ns", "1s", -EINVAL },
		{ "step_ns", " ", -EINVAL },
		{ "slew_ns", "x", -EINVAL },
		{ "slew_ns", "3600000000001", -ERANGE },
		{ "drift_ppb", "-1", -ERANGE },
		{ "drift_ppb", "lots", -EINVAL },
		{ "leap_mode", "bogus", -EINVAL },
		{ "smear_window_s", "3", -ERANGE },
		{ "smear_window_s", "ten", -EINVAL },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = sysfs_write(cases[i].file, cases[i].val);

		EXPECT_EQ(cases[i].err, err)
			TH_LOG("%s <- '%s'", cases[i].file, cases[i].val);
	}
	/* and good values work */
	EXPECT_EQ(0, sysfs_write("freq_ppb", "1000\n"));
	ASSERT_EQ(0, sysfs_read("freq_ppb", buf, sizeof(buf)));
	EXPECT_EQ(1000, atoll(buf));
	EXPECT_EQ(0, sysfs_write("freq_ppb", "0"));
	EXPECT_EQ(0, sysfs_write("drift_ppb", "200000"));
	ASSERT_EQ(0, sysfs_read("sync_state", buf, sizeof(buf)));
	EXPECT_STREQ("unsync", buf);
	clk_restore();
}

/* ------------------------------------------------------------------ */
/* unload while ordoctl clock watch is subscribed */

TEST(unload_while_watched)
{
	int status = -1, i;
	pid_t pid, got = 0;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execlp("ordoctl", "ordoctl", "clock", "watch", (char *)NULL);
		_exit(127);
	}
	msleep(1000);
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG));	/* still watching */
	ASSERT_EQ(0, ordo_unload());
	for (i = 0; i < 100 && got == 0; i++) {
		msleep(100);
		got = waitpid(pid, &status, WNOHANG);
	}
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	EXPECT_EQ(pid, got);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(2, WEXITSTATUS(status));	/* "module not loaded" */
	ASSERT_EQ(0, ordo_load());
	ASSERT_EQ(0, wait_load_edge());
}

TEST_HARNESS_MAIN
