// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/lib/ordo_leap.c and the leap second handling of
 * kmod/lib/ordo_clock.c: step (23:59:60), deletion, smear and none, on a
 * simulated counter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ordo_clock.h"
#include "ordo_leap.h"
#include "ordo_math.h"
#include "../kselftest_harness.h"

#define SEC	1000000000LL
#define MS	1000000LL
#define TSC_HZ	2600000000ULL
/* 2017-01-01 00:00:00 UTC: the leap second 2016-12-31 23:59:60 precedes it */
#define L_SEC	1483228800LL
#define L_NS	(L_SEC * SEC)

struct sim {
	s64 t;
	u64 hz;
};

static u64 sim_cyc(const struct sim *s)
{
	return (u64)((__int128)s->t * s->hz / SEC);
}

/* "HH:MM:SS" of a UTC reading, 23:59:60 during an inserted leap second */
static void hms(char *buf, size_t len, s64 utc, u32 flags)
{
	s64 sod = (utc / SEC) % 86400;
	s64 ss = sod % 60 + ((flags & ORDO_LEAP_F_IN_LEAP) ? 1 : 0);

	snprintf(buf, len, "%02lld:%02lld:%02lld", (long long)(sod / 3600),
		 (long long)(sod / 60 % 60), (long long)ss);
}

TEST(leap_init_rejects_bad_input)
{
	struct ordo_leap lp;

	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC + 1, ORDO_LEAP_INSERT, ORDO_LEAP_STEP, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC - 43200, ORDO_LEAP_INSERT,
					  ORDO_LEAP_STEP, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, 0, ORDO_LEAP_INSERT, ORDO_LEAP_STEP, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, -86400, ORDO_LEAP_INSERT, ORDO_LEAP_STEP, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, S64_MAX / 86400 * 86400, ORDO_LEAP_INSERT,
					  ORDO_LEAP_STEP, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC, 0, ORDO_LEAP_STEP, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC, 2, ORDO_LEAP_STEP, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC, ORDO_LEAP_INSERT, 3, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC, ORDO_LEAP_INSERT, ~0U, 0));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC, ORDO_LEAP_INSERT, ORDO_LEAP_SMEAR, 3));
	EXPECT_EQ(-EINVAL, ordo_leap_init(&lp, L_SEC, ORDO_LEAP_DELETE, ORDO_LEAP_SMEAR,
					  ORDO_LEAP_SMEAR_MAX_SEC + 1));
	EXPECT_EQ(0, ordo_leap_init(&lp, L_SEC, ORDO_LEAP_DELETE, ORDO_LEAP_SMEAR,
				    ORDO_LEAP_SMEAR_MIN_SEC));
	EXPECT_EQ(0, ordo_leap_init(&lp, 86400, ORDO_LEAP_INSERT, ORDO_LEAP_NONE, 0));
}

TEST(clock_leap_arm_rejects_bad_input)
{
	struct ordo_clock c;

	ASSERT_EQ(0, ordo_clock_init(&c, TSC_HZ, ~0ULL, 0, L_NS - 10 * SEC));
	EXPECT_EQ(-EINVAL, ordo_clock_leap_arm(&c, 0, L_SEC + 3600, ORDO_LEAP_INSERT,
					       ORDO_LEAP_STEP, 0, 36));
	EXPECT_EQ(-EINVAL, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT, 7, 0, 36));
	EXPECT_EQ(-ERANGE, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT,
					       ORDO_LEAP_STEP, 0, -1));
	EXPECT_EQ(-ERANGE, ordo_clock_set_tai_offset(&c, -1));
	/* already past */
	EXPECT_EQ(-EINVAL, ordo_clock_leap_arm(&c, 0, L_SEC - 86400, ORDO_LEAP_INSERT,
					       ORDO_LEAP_STEP, 0, 36));
	/* the smear window started 12 h ago */
	EXPECT_EQ(-EINVAL, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT,
					       ORDO_LEAP_SMEAR, 0, 36));
	/* but a 10 s window has not */
	EXPECT_EQ(0, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT, ORDO_LEAP_SMEAR, 10, 36));
	EXPECT_EQ(0, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_DELETE, ORDO_LEAP_STEP, 0, 36));
}

/* Read the clock every 500 ms from 23:59:57 on, updating every second. */
static void run_step(struct __test_metadata *_metadata, int dir, const char * const *want,
		     const u32 *want_flags, int n, s32 tai_after)
{
	struct sim s = { .hz = TSC_HZ };
	struct ordo_clock c;
	struct ordo_clock_time t, t2;
	struct ordo_clock_snap before;
	s64 last_tai = 0;
	char buf[16];
	int i;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, ~0ULL, 0, L_NS - 3 * SEC));
	ASSERT_EQ(0, ordo_clock_leap_arm(&c, 0, L_SEC, dir, ORDO_LEAP_STEP, 0, 36));
	for (i = 0; i < n; i++) {
		s.t = i * 500 * MS;
		ordo_clock_read(&c.snap, sim_cyc(&s), &t);
		hms(buf, sizeof(buf), t.utc, t.leap_flags);
		EXPECT_STREQ(want[i], buf) TH_LOG("at +%d ms", i * 500);
		/* the HLC's inline read around an armed leap */
		EXPECT_EQ(t.utc, ordo_clock_read_utc_inl(&c.snap, sim_cyc(&s)));
		EXPECT_EQ(want_flags[i], t.leap_flags & (ORDO_LEAP_F_IN_LEAP | ORDO_LEAP_F_DONE |
							  ORDO_LEAP_F_ARMED))
			TH_LOG("at +%d ms", i * 500);
		/* TAI = 36 s + the UTC of 23:59:57 + elapsed: continuous */
		EXPECT_EQ(L_NS - 3 * SEC + 36 * SEC + s.t, t.tai);
		EXPECT_EQ(i ? last_tai + 500 * MS : t.tai, t.tai);
		last_tai = t.tai;
		/* the periodic update folds the leap without changing a reading */
		if (i % 2 == 0) {
			before = c.snap;
			ordo_clock_update(&c, sim_cyc(&s));
			ordo_clock_read(&c.snap, sim_cyc(&s), &t2);
			ordo_clock_read(&before, sim_cyc(&s), &t);
			EXPECT_EQ(t.utc, t2.utc);
			EXPECT_EQ(t.tai, t2.tai);
			EXPECT_EQ(t.tai_off, t2.tai_off);
			EXPECT_EQ(t.mono, t2.mono);
		}
	}
	EXPECT_EQ(0, c.snap.leap.dir);		/* folded and disarmed */
	EXPECT_EQ(tai_after, c.snap.tai_off);
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(tai_after, t.tai_off);
	EXPECT_EQ(t.utc + tai_after * SEC, t.tai);
}

TEST(step_insertion_sequence)
{
	static const char * const want[] = {
		"23:59:57", "23:59:57", "23:59:58", "23:59:58", "23:59:59", "23:59:59",
		"23:59:60", "23:59:60", "00:00:00", "00:00:00", "00:00:01",
	};
	static const u32 A = ORDO_LEAP_F_ARMED, I = ORDO_LEAP_F_IN_LEAP;
	static const u32 D = ORDO_LEAP_F_DONE;
	static const u32 flags[] = { A, A, A, A, A, A, A | I, A | I, A | D, 0, 0 };

	/* DONE until the update folds it; then no leap is armed: flags 0 */
	run_step(_metadata, ORDO_LEAP_INSERT, want, flags, ARRAY_SIZE(want), 37);
}

TEST(step_deletion_sequence)
{
	static const char * const want[] = {
		"23:59:57", "23:59:57", "23:59:58", "23:59:58", "00:00:00", "00:00:00",
		"00:00:01", "00:00:01",
	};
	static const u32 A = ORDO_LEAP_F_ARMED, D = ORDO_LEAP_F_DONE;
	static const u32 flags[] = { A, A, A, A, A | D, 0, 0, 0 };

	run_step(_metadata, ORDO_LEAP_DELETE, want, flags, ARRAY_SIZE(want), 35);
}

TEST(step_late_fold)
{
	struct sim s = { .hz = TSC_HZ };
	struct ordo_clock c;
	struct ordo_clock_time t;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, ~0ULL, 0, L_NS - 3 * SEC));
	ASSERT_EQ(0, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT, ORDO_LEAP_STEP, 0, 36));
	s.t = 3500 * MS;			/* 23:59:60.5 */
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(L_NS - SEC + 500 * MS, t.utc);
	EXPECT_TRUE(!!(t.leap_flags & ORDO_LEAP_F_IN_LEAP));
	EXPECT_EQ(37, t.tai_off);
	EXPECT_FALSE(ordo_clock_leap_fold(&c, sim_cyc(&s)));	/* not complete yet */
	s.t = 13 * SEC;				/* no update for 10 s after the leap */
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(L_NS + 9 * SEC, t.utc);
	EXPECT_EQ(L_NS + 9 * SEC + 37 * SEC, t.tai);
	EXPECT_TRUE(ordo_clock_leap_fold(&c, sim_cyc(&s)));
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(L_NS + 9 * SEC, t.utc);
	EXPECT_EQ(L_NS + 9 * SEC + 37 * SEC, t.tai);
	EXPECT_FALSE(ordo_clock_leap_fold(&c, sim_cyc(&s)));
}

static void check_smear(struct __test_metadata *_metadata, int dir, u32 window, u32 wsec)
{
	struct ordo_leap lp;
	struct ordo_leap_result r, prev;
	s64 w = (s64)wsec * SEC, start = L_NS - w / 2;
	s64 len = w + dir * SEC, cont, x;
	/* points around which to check every ns */
	s64 pts[] = { start, start + len / 2, start + len };
	unsigned int i;

	ASSERT_EQ(0, ordo_leap_init(&lp, L_SEC, dir, ORDO_LEAP_SMEAR, window));
	/* before the window: UTC = cont */
	ordo_leap_apply(&lp, start - 1, &r);
	EXPECT_EQ(start - 1, r.utc);
	EXPECT_EQ(ORDO_LEAP_F_ARMED, r.flags);
	/* starts at the window start */
	ordo_leap_apply(&lp, start, &r);
	EXPECT_EQ(start, r.utc);
	EXPECT_TRUE(!!(r.flags & ORDO_LEAP_F_SMEARING));
	/* half-way exactly when UTC reaches the leap */
	ordo_leap_apply(&lp, start + len / 2, &r);
	EXPECT_EQ(L_NS, r.utc);
	EXPECT_EQ(start + len / 2 - dir * SEC / 2, r.utc);
	/* ends exactly at the window end (noon for 86400 s), 1 s in total */
	ordo_leap_apply(&lp, start + len, &r);
	EXPECT_EQ(L_NS + w / 2, r.utc);
	EXPECT_EQ(dir * SEC, start + len - r.utc);
	EXPECT_EQ(ORDO_LEAP_F_ARMED | ORDO_LEAP_F_DONE, r.flags);
	ordo_leap_apply(&lp, start + len - 1, &r);
	EXPECT_TRUE(!!(r.flags & ORDO_LEAP_F_SMEARING));
	EXPECT_GE(r.utc, L_NS + w / 2 - 2);
	ordo_leap_apply(&lp, start + len + 12345, &r);
	EXPECT_EQ(L_NS + w / 2 + 12345, r.utc);

	/* monotonic, ns by ns, around the start, the middle and the end */
	for (i = 0; i < ARRAY_SIZE(pts); i++) {
		ordo_leap_apply(&lp, pts[i] - 100000, &prev);
		for (cont = pts[i] - 99999; cont < pts[i] + 100000; cont++) {
			ordo_leap_apply(&lp, cont, &r);
			ASSERT_LE(prev.utc, r.utc);
			ASSERT_GE(prev.utc + 2, r.utc);
			prev = r;
		}
	}
	/* and every 997 ms through the window, at the smear rate */
	ordo_leap_apply(&lp, start - 10 * SEC, &prev);
	for (cont = start - 10 * SEC + 997 * MS; cont < start + len + 10 * SEC;
	     cont += 997 * MS) {
		ordo_leap_apply(&lp, cont, &r);
		x = r.utc - prev.utc;
		ASSERT_LE(prev.utc, r.utc);
		/* 997 ms * W / (W + dir), +- 1 ns */
		if ((prev.flags & ORDO_LEAP_F_SMEARING) && (r.flags & ORDO_LEAP_F_SMEARING)) {
			ASSERT_LE(x, (s64)((__int128)997 * MS * w / len) + 1);
			ASSERT_GE(x, (s64)((__int128)997 * MS * w / len) - 1);
		}
		prev = r;
	}
}

TEST(smear_insertion)
{
	check_smear(_metadata, ORDO_LEAP_INSERT, 0, 86400);	/* default */
	check_smear(_metadata, ORDO_LEAP_INSERT, 86400, 86400);
	check_smear(_metadata, ORDO_LEAP_INSERT, 3600, 3600);
	check_smear(_metadata, ORDO_LEAP_INSERT, 7, 7);
}

TEST(smear_deletion)
{
	check_smear(_metadata, ORDO_LEAP_DELETE, 86400, 86400);
	check_smear(_metadata, ORDO_LEAP_DELETE, ORDO_LEAP_SMEAR_MIN_SEC, ORDO_LEAP_SMEAR_MIN_SEC);
}

/* Through the clock: noon to noon, updated every 1000 s, folded at the end */
TEST(smear_through_clock)
{
	struct sim s = { .hz = TSC_HZ };
	struct ordo_clock c;
	struct ordo_clock_time t;
	s64 last_utc = 0, last_tai = 0;
	s64 noon = L_NS - 43200 * SEC;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, ~0ULL, 0, noon - 60 * SEC));
	ASSERT_EQ(0, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT, ORDO_LEAP_SMEAR, 0, 36));
	for (s.t = 0; s.t <= 86600 * SEC; s.t += 100 * MS) {
		if (s.t % (1000 * SEC) == 0)
			ordo_clock_update(&c, sim_cyc(&s));
		ordo_clock_read(&c.snap, sim_cyc(&s), &t);
		ASSERT_LT(last_utc, t.utc);
		ASSERT_EQ(last_tai ? last_tai + 100 * MS : t.tai, t.tai);
		last_utc = t.utc;
		last_tai = t.tai;
	}
	/* cont = noon + 86540 s, UTC 1 s less: the smear is complete */
	EXPECT_EQ(noon + 86539 * SEC, t.utc);
	EXPECT_EQ(37, t.tai_off);
	EXPECT_TRUE(!!(t.leap_flags & ORDO_LEAP_F_DONE));
	s.t = 86600 * SEC;
	ordo_clock_update(&c, sim_cyc(&s));
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(noon + 86539 * SEC, t.utc);
	EXPECT_EQ(37, t.tai_off);
	EXPECT_EQ(0, c.snap.leap.dir);
	EXPECT_EQ(t.utc + 37 * SEC, t.tai);
}

TEST(none_mode)
{
	struct sim s = { .hz = TSC_HZ };
	struct ordo_clock c;
	struct ordo_clock_time t;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, ~0ULL, 0, L_NS - 2 * SEC));
	ASSERT_EQ(0, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT, ORDO_LEAP_NONE, 0, 36));
	s.t = 1999 * MS;
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(L_NS - 1 * MS, t.utc);
	EXPECT_EQ(L_NS - 1 * MS + 36 * SEC, t.tai);
	EXPECT_EQ(36, t.tai_off);
	s.t = 2001 * MS;
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	/* UTC ignores the leap; TAI-UTC becomes 37 at the leap */
	EXPECT_EQ(L_NS + 1 * MS, t.utc);
	EXPECT_EQ(37, t.tai_off);
	EXPECT_EQ(L_NS + 1 * MS + 37 * SEC, t.tai);
	EXPECT_TRUE(!!(t.leap_flags & ORDO_LEAP_F_DONE));
	ordo_clock_update(&c, sim_cyc(&s));
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(L_NS + 1 * MS, t.utc);
	EXPECT_EQ(L_NS + 1 * MS + 37 * SEC, t.tai);
	EXPECT_EQ(0, c.snap.leap.dir);
}

TEST(disarm)
{
	struct sim s = { .hz = TSC_HZ };
	struct ordo_clock c;
	struct ordo_clock_time t;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, ~0ULL, 0, L_NS - 2 * SEC));
	ASSERT_EQ(0, ordo_clock_leap_arm(&c, 0, L_SEC, ORDO_LEAP_INSERT, ORDO_LEAP_STEP, 0, 36));
	ordo_clock_leap_disarm(&c);
	s.t = 2500 * MS;
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(L_NS + 500 * MS, t.utc);
	EXPECT_EQ(0U, t.leap_flags);
	EXPECT_EQ(36, t.tai_off);
}

TEST_HARNESS_MAIN
