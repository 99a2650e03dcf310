// SPDX-License-Identifier: GPL-2.0
/*
 * The ordo PTP clock (/dev/ptpN, name "ordo", UTC) through the posix
 * clock system calls, its permission checks, the read-only clock page
 * /dev/ordo_clock and libordo's ordo_clock_now() on both counters.
 *
 * Runs as root in the test VM with ordo.ko loaded; each TEST runs in a
 * child of its own, so setresuid() in one does not affect the others.
 * Tests that step the PHC put it back (to within a few ms) with the
 * offset from CLOCK_REALTIME they measured first; tests that switch the
 * counter restore the source.
 *
 * Bounds allow for QEMU TCG: a system call takes up to ~100 us there.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ptp_clock.h>

#include "libordo.h"
#include "../lib/ordo_sysfs.h"
#include "../kselftest_harness.h"

#define NOBODY 65534
#define NSEC 1000000000LL
#define FD_TO_CLOCKID(fd) ((~(clockid_t)(fd) << 3) | 3)

static int ptp_index(void)
{
	char buf[32];

	if (sysfs_read("ptp_index", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

static int ptp_open(int flags)
{
	char dev[32];
	int idx = ptp_index();

	if (idx < 0) {
		errno = ENODEV;
		return -1;
	}
	snprintf(dev, sizeof(dev), "/dev/ptp%d", idx);
	return open(dev, flags);
}

static int64_t ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * NSEC + ts->tv_nsec;
}

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return INT64_MIN;
	return ts_ns(&ts);
}

/* PHC - CLOCK_REALTIME, bracketed: the midpoint of two realtime reads. */
static int64_t phc_offset(clockid_t phc)
{
	int64_t a = now_ns(CLOCK_REALTIME);
	int64_t p = now_ns(phc);
	int64_t b = now_ns(CLOCK_REALTIME);

	return p - (a + (b - a) / 2);
}

static int phc_set_offset(clockid_t phc, int64_t off)
{
	int64_t t = now_ns(CLOCK_REALTIME) + off;
	struct timespec ts = { .tv_sec = t / NSEC, .tv_nsec = t % NSEC };

	return clock_settime(phc, &ts);
}

static int phc_adjtime(clockid_t phc, int64_t delta)
{
	struct timex tx = { .modes = ADJ_SETOFFSET | ADJ_NANO };

	tx.time.tv_sec = delta / NSEC;
	tx.time.tv_usec = delta % NSEC;
	if (tx.time.tv_usec < 0) {
		tx.time.tv_sec -= 1;
		tx.time.tv_usec += NSEC;
	}
	return clock_adjtime(phc, &tx) < 0 ? -errno : 0;
}

/* ppb as scaled ppm (ppm << 16) */
static int phc_adjfreq(clockid_t phc, long ppb)
{
	struct timex tx = { .modes = ADJ_FREQUENCY };

	tx.freq = (long)((double)ppb * 65.536);
	return clock_adjtime(phc, &tx) < 0 ? -errno : 0;
}

/* Run @fn in a child with uid/gid 65534; returns its exit status. */
static int as_nobody(int (*fn)(int fd), int fd)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(100);
		_exit(fn(fd));
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(caps_and_name)
{
	struct ptp_clock_caps caps;
	char path[64], name[64] = "";
	int fd, idx;
	FILE *f;

	idx = ptp_index();
	ASSERT_LE(0, idx) TH_LOG("ptp_index");
	fd = ptp_open(O_RDONLY);
	ASSERT_LE(0, fd);
	memset(&caps, 0, sizeof(caps));
	ASSERT_EQ(0, ioctl(fd, PTP_CLOCK_GETCAPS, &caps));
	EXPECT_EQ(500000, caps.max_adj);
	EXPECT_EQ(0, caps.n_alarm);
	EXPECT_EQ(0, caps.n_pins);
	EXPECT_EQ(0, caps.n_ext_ts);
	EXPECT_EQ(0, caps.n_per_out);
	EXPECT_EQ(0, caps.pps);
	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/clock_name", idx);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(name, sizeof(name), f));
	fclose(f);
	EXPECT_STREQ("ordo\n", name);
	close(fd);
}

/* The PHC carries UTC: the same time as the clock's wall (netlink). */
TEST(gettime_is_utc)
{
	struct ordo_now n;
	int64_t a, b;
	clockid_t phc;
	int fd;

	fd = ptp_open(O_RDONLY);
	ASSERT_LE(0, fd);
	phc = FD_TO_CLOCKID(fd);
	a = now_ns(phc);
	ASSERT_EQ(0, ordo_clock_now_flags(&n, ORDO_NOW_F_NETLINK));
	b = now_ns(phc);
	EXPECT_EQ(ORDO_NOW_NETLINK, n.path);
	EXPECT_LE(a, n.wall);
	EXPECT_GE(b, n.wall);
	EXPECT_EQ(n.tai - n.wall, (int64_t)n.tai_off * NSEC);
	/* Both start from the RTC: within 2 s of the system clock. */
	EXPECT_GT(2 * NSEC, llabs(phc_offset(phc)));
	close(fd);
}

TEST(settime_adjtime)
{
	int64_t off0, off;
	struct timespec ts;
	clockid_t phc;
	int fd;

	fd = ptp_open(O_RDWR);
	ASSERT_LE(0, fd);
	phc = FD_TO_CLOCKID(fd);
	off0 = phc_offset(phc);

	/* settime: the offset is then within 10 ms of what was set */
	ASSERT_EQ(0, phc_set_offset(phc, 1000 * NSEC));
	off = phc_offset(phc);
	EXPECT_GT(10000000LL, llabs(off - 1000 * NSEC)) TH_LOG("off %lld", (long long)off);

	/* adjtime: a shift of -3.5 s */
	ASSERT_EQ(0, phc_adjtime(phc, -3500000000LL));
	off = phc_offset(phc);
	EXPECT_GT(10000000LL, llabs(off - 996500000000LL)) TH_LOG("off %lld", (long long)off);

	/* invalid times */
	ts.tv_sec = 0;
	ts.tv_nsec = NSEC;
	EXPECT_EQ(-1, clock_settime(phc, &ts));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, phc_set_offset(phc, off0));
	EXPECT_GT(10000000LL, llabs(phc_offset(phc) - off0));
	close(fd);
}

/* PHC - CLOCK_MONOTONIC_RAW, bracketed by two raw reads; 0 if too wide */
static int64_t phc_raw_offset(clockid_t phc, int64_t *raw)
{
	int i;

	for (i = 0; i < 20; i++) {
		int64_t a = now_ns(CLOCK_MONOTONIC_RAW);
		int64_t p = now_ns(phc);
		int64_t b = now_ns(CLOCK_MONOTONIC_RAW);

		*raw = a + (b - a) / 2;
		if (b - a < 20000 || i == 19)
			return p - *raw;
	}
	return 0;
}

/* PHC rate against CLOCK_MONOTONIC_RAW over @ms, in ppb */
static int64_t phc_rate_ppb(clockid_t phc, int ms)
{
	struct timespec d = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	int64_t o0, o1, r0, r1;

	o0 = phc_raw_offset(phc, &r0);
	nanosleep(&d, NULL);
	o1 = phc_raw_offset(phc, &r1);
	return (o1 - o0) * NSEC / (r1 - r0);
}

/* For the tests that need more than the default 30 s. */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, adjfine, 60)
{
	int64_t base, fast;
	struct timex tx;
	clockid_t phc;
	char buf[64];
	int fd;

	fd = ptp_open(O_RDWR);
	ASSERT_LE(0, fd);
	phc = FD_TO_CLOCKID(fd);

	EXPECT_EQ(-ERANGE, phc_adjfreq(phc, 500001));
	EXPECT_EQ(-ERANGE, phc_adjfreq(phc, -600000));
	ASSERT_EQ(0, phc_adjfreq(phc, -500000));
	ASSERT_EQ(0, phc_adjfreq(phc, 0));
	base = phc_rate_ppb(phc, 2000);
	ASSERT_EQ(0, phc_adjfreq(phc, 400000));
	/* the ptp layer reports the frequency last set */
	memset(&tx, 0, sizeof(tx));
	ASSERT_LE(0, clock_adjtime(phc, &tx));
	EXPECT_EQ(400 << 16, tx.freq);
	if (!sysfs_read("freq_ppb", buf, sizeof(buf)))
		EXPECT_EQ(400000, atol(buf));
	fast = phc_rate_ppb(phc, 2000);
	EXPECT_GT(100000, llabs(fast - base - 400000))
		TH_LOG("base %lld ppb, +400 ppm: %lld ppb", (long long)base, (long long)fast);
	ASSERT_EQ(0, phc_adjfreq(phc, 0));
	close(fd);
}

static int unpriv_ro(int fd)
{
	clockid_t phc = FD_TO_CLOCKID(fd);
	struct timespec ts;
	struct timex tx;

	if (clock_gettime(phc, &ts))
		return 1;
	if (clock_settime(phc, &ts) != -1 || errno != EACCES)
		return 2;
	if (phc_adjtime(phc, 1000) != -EACCES)
		return 3;
	if (phc_adjfreq(phc, 1000) != -EACCES)
		return 4;
	memset(&tx, 0, sizeof(tx));
	if (clock_adjtime(phc, &tx) < 0)	/* a read: allowed */
		return 5;
	return 0;
}

static int unpriv_rw(int fd)
{
	clockid_t phc = FD_TO_CLOCKID(fd);
	struct timespec ts;

	if (clock_gettime(phc, &ts))
		return 1;
	if (clock_settime(phc, &ts) != -1 || errno != EPERM)
		return 2;
	if (phc_adjtime(phc, 1000) != -EPERM)
		return 3;
	if (phc_adjfreq(phc, 1000) != -EPERM)
		return 4;
	return 0;
}

static int unpriv_open(int fd)
{
	(void)fd;
	if (ptp_open(O_RDONLY) != -1 || errno != EACCES)
		return 1;
	if (ptp_open(O_RDWR) != -1 || errno != EACCES)
		return 2;
	/* the clock page is world readable */
	fd = open("/dev/ordo_clock", O_RDONLY);
	if (fd < 0)
		return 3;
	if (mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		return 4;
	return 0;
}

/*
 * Unprivileged: a read-only descriptor (EACCES from the posix clock
 * layer), a writable one inherited from root (EPERM: ordo's
 * CAP_SYS_TIME check), and opening /dev/ptpN itself (root's 0600).
 */
TEST(unprivileged)
{
	struct stat st;
	char dev[32];
	int fd;

	fd = ptp_open(O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, as_nobody(unpriv_ro, fd));
	close(fd);
	fd = ptp_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, as_nobody(unpriv_rw, fd));
	close(fd);
	snprintf(dev, sizeof(dev), "/dev/ptp%d", ptp_index());
	ASSERT_EQ(0, stat(dev, &st));
	EXPECT_EQ(0600U, st.st_mode & 0777);
	EXPECT_EQ(0, as_nobody(unpriv_open, -1));
}

TEST(mmap_page)
{
	const struct ordo_clock_page *p;
	long pg = sysconf(_SC_PAGESIZE);
	struct stat st;
	char buf[32];
	void *m;
	int fd;

	ASSERT_EQ(0, stat("/dev/ordo_clock", &st));
	EXPECT_EQ(0444U, st.st_mode & 0777);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	fd = open("/dev/ordo_clock", O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ((uint32_t)ORDO_CLOCK_PAGE_VERSION, p->version);
	EXPECT_EQ(0U, p->seq & 1);
	ASSERT_EQ(0, sysfs_read("source", buf, sizeof(buf)));
	if (!strcmp(buf, "tsc")) {
		EXPECT_EQ((uint32_t)ORDO_CLOCK_COUNTER_TSC, p->counter);
		EXPECT_EQ((uint32_t)ORDO_CLOCK_PAGE_F_USER_READABLE, p->flags);
	} else {
		EXPECT_EQ((uint32_t)ORDO_CLOCK_COUNTER_HPET, p->counter);
		EXPECT_EQ(0U, p->flags);
	}
	EXPECT_NE(0ULL, p->snap.mult);
	/* cannot be made writable or executable */
	EXPECT_EQ(-1, mprotect((void *)p, pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect((void *)p, pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap((void *)p, pg);

	/* a private mapping works too, read-only */
	m = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	munmap(m, pg);

	/* write: refused by the kernel (O_RDONLY fd) or by ordo (EPERM) */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);
	/* exactly one page at offset 0 */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg));
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	/* root's O_RDWR open does not help */
	fd = open("/dev/ordo_clock", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);
	close(fd);
}

/* A write through /proc/self/mem (FOLL_FORCE) does not reach the page. */
TEST(mmap_force_write)
{
	const struct ordo_clock_page *p;
	uint32_t v = 0xdead;
	int fd, mem;

	fd = open("/dev/ordo_clock", O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	mem = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, mem);
	EXPECT_EQ(-1, pwrite(mem, &v, sizeof(v), (off_t)(uintptr_t)&p->version));
	EXPECT_EQ((uint32_t)ORDO_CLOCK_PAGE_VERSION, p->version);
	close(mem);
	close(fd);
}

/* ordo_clock_now() against the PHC (UTC) and netlink, on @source */
static void check_now(struct __test_metadata *_metadata, const char *source, int path)
{
	struct ordo_now n, nl;
	int64_t a, b;
	clockid_t phc;
	int fd, i;

	ASSERT_EQ(0, sysfs_write("source", source));
	fd = ptp_open(O_RDONLY);
	ASSERT_LE(0, fd);
	phc = FD_TO_CLOCKID(fd);
	for (i = 0; i < 100; i++) {
		a = now_ns(phc);
		ASSERT_EQ(0, ordo_clock_now(&n));
		b = now_ns(phc);
		ASSERT_EQ(path, n.path);
		ASSERT_LE(a, n.wall);
		ASSERT_GE(b, n.wall);
	}
	ASSERT_EQ(0, ordo_clock_now(&n));
	ASSERT_EQ(0, ordo_clock_now_flags(&nl, ORDO_NOW_F_NETLINK));
	EXPECT_EQ(ORDO_NOW_NETLINK, nl.path);
	EXPECT_LE(n.mono, nl.mono);
	EXPECT_LE(n.mono_raw, nl.mono_raw);
	EXPECT_LE(n.wall, nl.wall);
	EXPECT_LE(n.tai, nl.tai);
	/* 50 ms: a netlink round trip under TCG, with margin */
	EXPECT_GT(50000000LL, (int64_t)(nl.mono - n.mono));
	EXPECT_GT(50000000LL, nl.wall - n.wall);
	EXPECT_EQ(n.tai_off, nl.tai_off);
	EXPECT_EQ(n.synced, nl.synced);
	EXPECT_LE(n.tt_earliest, n.wall);
	EXPECT_GE(n.tt_latest, n.wall);
	close(fd);
}

TEST(now_tsc_mmap)
{
	char old[32];

	ASSERT_EQ(0, sysfs_read("source", old, sizeof(old)));
	if (sysfs_write("source", "tsc"))
		SKIP(return, "no usable TSC");
	check_now(_metadata, "tsc", ORDO_NOW_MMAP);
	ASSERT_EQ(0, sysfs_write("source", old));
}

TEST(now_hpet_netlink)
{
	char old[32];

	ASSERT_EQ(0, sysfs_read("source", old, sizeof(old)));
	if (sysfs_write("source", "hpet"))
		SKIP(return, "no HPET");
	check_now(_metadata, "hpet", ORDO_NOW_NETLINK);
	ASSERT_EQ(0, sysfs_write("source", old));
}

/* The clock is not synchronised in the test VM: commit wait refuses. */
TEST(tt_wait_unsynced)
{
	struct ordo_now n;

	ASSERT_EQ(0, ordo_clock_now(&n));
	if (n.synced)
		SKIP(return, "clock synchronised");
	EXPECT_EQ(-ENODATA, ordo_tt_wait_until(n.wall));
}

static atomic_int stop;

/* Steps (+-0.5 s), frequency changes (PHC) and slews until stopped. */
static void *stepper(void *arg)
{
	clockid_t phc = *(clockid_t *)arg;
	long n = 0;

	while (!atomic_load(&stop)) {
		phc_adjtime(phc, (n & 1) ? -500000000LL : 500000000LL);
		phc_adjfreq(phc, (n & 2) ? -500000 : 500000);
		/* and a slew, through the clock's sysfs file */
		sysfs_write("slew_ns", (n & 4) ? "-2000000" : "2000000");
		n++;
	}
	phc_adjfreq(phc, 0);
	return (void *)n;
}

TEST_F_TIMEOUT(slow, mono_never_decreases, 120)
{
	uint64_t last = 0, back = 0, raw = 0;
	int64_t off0, wall_back = 0;
	struct ordo_now n;
	char old[32];
	pthread_t th;
	clockid_t phc;
	void *steps;
	int fd, i;

	ASSERT_EQ(0, sysfs_read("source", old, sizeof(old)));
	if (sysfs_write("source", "tsc"))
		SKIP(return, "no usable TSC");
	fd = ptp_open(O_RDWR);
	ASSERT_LE(0, fd);
	phc = FD_TO_CLOCKID(fd);
	off0 = phc_offset(phc);
	ASSERT_EQ(0, ordo_clock_now(&n));
	ASSERT_EQ(ORDO_NOW_MMAP, n.path);
	last = n.mono;
	raw = n.mono_raw;
	atomic_store(&stop, 0);
	ASSERT_EQ(0, pthread_create(&th, NULL, stepper, &phc));
	for (i = 0; i < 100000; i++) {
		int64_t w = n.wall;

		if (ordo_clock_now(&n))
			break;
		if (n.mono < last || n.mono_raw < raw)
			back++;
		if (n.wall < w)
			wall_back++;
		last = n.mono;
		raw = n.mono_raw;
	}
	atomic_store(&stop, 1);
	pthread_join(th, &steps);
	EXPECT_EQ(100000, i);
	EXPECT_EQ(0ULL, (unsigned long long)back);
	TH_LOG("%ld steps, wall went back %lld times, mono never",
	       (long)steps, (long long)wall_back);
	EXPECT_LT(0, (long)steps);
	ASSERT_EQ(0, phc_set_offset(phc, off0));
	close(fd);
	ASSERT_EQ(0, sysfs_write("source", old));
}

TEST_HARNESS_MAIN
