// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/ordo/clock/: the TSC and HPET counters, source selection,
 * TSC calibration against the HPET, and the CMOS RTC.
 *
 * Runs as root in the test VM with ordo.ko loaded. The kselftest harness
 * runs every TEST in a child process of its own, so the test that drops
 * privileges with setresuid() do not affect the others. Every test that
 * changes the source or the RTC restores it. (Empty writes never reach a
 * sysfs store, so "garbage" here is at least one byte.)
 *
 * Bounds, from QEMU TCG runs: the HPET is 64-bit at 100 MHz; the measured
 * TSC frequency was within 5 ppm of tsc_khz and repeated calibrations
 * within 1 ppm of each other; the counter rate against CLOCK_MONOTONIC
 * within 0.04 % over 300 ms (one read() of the counter file takes 10 to
 * 250 us under TCG). The tests allow 1 %, 500 ppm and 2 % respectively.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/ordo_sysfs.h"
#include "../kselftest_harness.h"

#define NOBODY 65534
/* 2030-01-01 00:00:00 UTC */
#define RTC_TEST_TIME 1893456000LL

static int sysfs_s64(const char *name, int64_t *v)
{
	char buf[64], *end;
	int err = sysfs_read(name, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*v = strtoll(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

static int sysfs_u64(const char *name, uint64_t *v)
{
	char buf[64], *end;
	int err = sysfs_read(name, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int ncpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return CPU_COUNT(&set);
}

static const char *const sources[] = { "hpet", "tsc" };

FIXTURE(clock) {
	char source0[32];
};

FIXTURE_SETUP(clock)
{
	ASSERT_EQ(0, sysfs_read("source", self->source0, sizeof(self->source0)));
}

FIXTURE_TEARDOWN(clock)
{
	EXPECT_EQ(0, sysfs_write("source", self->source0));
}

TEST_F(clock, layout_and_default)
{
	static const char *const files[] = {
		"source", "sources_available", "counter", "counter_hz",
		"counter_mask", "tsc_invariant", "tsc_reliable", "tsc_unstable",
		"tsc_khz_kernel", "tsc_hz_measured", "tsc_ppm_vs_kernel",
		"hpet_hz", "hpet_period_fs", "hpet_64bit", "rtc",
		"rtc_at_load", "rtc_edge_offset_ns", "rtc_edge_uncertainty_ns",
	};
	int64_t invariant, unstable;
	char buf[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		EXPECT_EQ(0, sysfs_read(files[i], buf, sizeof(buf)))
			TH_LOG("%s", files[i]);
		TH_LOG("%s: %s", files[i], buf);
	}
	ASSERT_EQ(0, sysfs_read("sources_available", buf, sizeof(buf)));
	ASSERT_STREQ("tsc hpet", buf);

	/* TSC if invariant and not marked unstable, else HPET */
	ASSERT_EQ(0, sysfs_s64("tsc_invariant", &invariant));
	ASSERT_EQ(0, sysfs_s64("tsc_unstable", &unstable));
	if (invariant && !unstable) {
		ASSERT_STREQ("tsc", self->source0);
	} else {
		ASSERT_STREQ("hpet", self->source0);
	}
}

TEST_F(clock, hpet_frequency_matches_period)
{
	uint64_t hz, period, wide;

	ASSERT_EQ(0, sysfs_u64("hpet_hz", &hz));
	ASSERT_EQ(0, sysfs_u64("hpet_period_fs", &period));
	ASSERT_EQ(0, sysfs_u64("hpet_64bit", &wide));
	/* HPET spec: period at most 100 ns */
	ASSERT_LT(0ull, period);
	ASSERT_GE(100000000ull, period);
	ASSERT_EQ((1000000000000000ull + period / 2) / period, hz);
	TH_LOG("hpet %llu Hz, period %llu fs, %s-bit",
	       (unsigned long long)hz, (unsigned long long)period,
	       wide ? "64" : "32");

	ASSERT_EQ(0, sysfs_write("source", "hpet"));
	ASSERT_EQ(0, sysfs_u64("counter_hz", &hz));
	ASSERT_EQ((1000000000000000ull + period / 2) / period, hz);
	ASSERT_EQ(0, sysfs_u64("counter_mask", &period));
	ASSERT_EQ(wide ? UINT64_MAX : 0xffffffffull, period);
}

/*
 * Every source advances on every CPU; the HPET is one global counter, so
 * it also never goes back when reads hop between CPUs. The TSC can differ
 * between CPUs when the kernel found it unsynchronised: only logged.
 */
TEST_F(clock, counters_monotonic)
{
	int cpus = ncpus(), cpu, i;
	uint64_t mask, prev, cur, warps;
	size_t s;

	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, sysfs_write("source", sources[s]));
		ASSERT_EQ(0, sysfs_u64("counter_mask", &mask));

		for (cpu = 0; cpu < cpus; cpu++) {
			ASSERT_EQ(0, pin_cpu(cpu));
			ASSERT_EQ(0, sysfs_u64("counter", &prev));
			for (i = 0; i < 200; i++) {
				ASSERT_EQ(0, sysfs_u64("counter", &cur));
				/* advanced by less than half the range */
				ASSERT_NE(prev, cur)
					TH_LOG("%s cpu %d stuck", sources[s], cpu);
				ASSERT_GT(mask / 2, (cur - prev) & mask)
					TH_LOG("%s cpu %d went back: %llu -> %llu",
					       sources[s], cpu,
					       (unsigned long long)prev,
					       (unsigned long long)cur);
				prev = cur;
			}
		}

		warps = 0;
		ASSERT_EQ(0, sysfs_u64("counter", &prev));
		for (i = 0; i < 400; i++) {
			ASSERT_EQ(0, pin_cpu(i % cpus));
			ASSERT_EQ(0, sysfs_u64("counter", &cur));
			if (((cur - prev) & mask) >= mask / 2)
				warps++;
			prev = cur;
		}
		TH_LOG("%s: %llu backward steps across CPUs in 400 reads",
		       sources[s], (unsigned long long)warps);
		if (!strcmp(sources[s], "hpet")) {
			ASSERT_EQ(0ull, warps);
		}
	}
}

/* One read of an open sysfs file, from offset 0. */
static int pread_u64(int fd, uint64_t *v)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	*v = strtoull(buf, NULL, 10);
	return 0;
}

/*
 * The counter file advances at counter_hz against CLOCK_MONOTONIC. The
 * file stays open so that each bracket [t0, t1] holds just one read().
 */
TEST_F(clock, counter_rate_vs_monotonic)
{
	uint64_t hz, c0, c1, t0, t1, t2, t3, mask;
	double rate, err;
	size_t s;
	int fd;

	ASSERT_EQ(0, pin_cpu(0));	/* one TSC */
	fd = open(CLOCK_DIR "counter", O_RDONLY);
	ASSERT_LE(0, fd);
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, sysfs_write("source", sources[s]));
		ASSERT_EQ(0, sysfs_u64("counter_hz", &hz));
		ASSERT_EQ(0, sysfs_u64("counter_mask", &mask));
		ASSERT_EQ(0, pread_u64(fd, &c0));	/* warm up */
		t0 = now_ns(CLOCK_MONOTONIC);
		ASSERT_EQ(0, pread_u64(fd, &c0));
		t1 = now_ns(CLOCK_MONOTONIC);
		usleep(300000);
		t2 = now_ns(CLOCK_MONOTONIC);
		ASSERT_EQ(0, pread_u64(fd, &c1));
		t3 = now_ns(CLOCK_MONOTONIC);

		rate = (double)((c1 - c0) & mask) * 1e9 /
		       ((t2 + t3) / 2.0 - (t0 + t1) / 2.0);
		err = (rate - (double)hz) / (double)hz;
		TH_LOG("%s: %.0f Hz vs counter_hz %llu: %+.1f ppm (reads %llu, %llu ns)",
		       sources[s], rate, (unsigned long long)hz, err * 1e6,
		       (unsigned long long)(t1 - t0),
		       (unsigned long long)(t3 - t2));
		ASSERT_GT(0.02, err > 0 ? err : -err);
	}
	close(fd);
}

TEST_F(clock, tsc_calibration)
{
	int64_t khz, ppm, ppm2;
	uint64_t hz, hz2;
	double rel;

	ASSERT_EQ(0, sysfs_s64("tsc_khz_kernel", &khz));
	ASSERT_EQ(0, sysfs_u64("tsc_hz_measured", &hz));
	ASSERT_LT(0ull, hz);	/* measured at load */
	ASSERT_EQ(0, sysfs_write("calibrate", "1\n"));
	ASSERT_EQ(0, sysfs_u64("tsc_hz_measured", &hz));
	ASSERT_EQ(0, sysfs_s64("tsc_ppm_vs_kernel", &ppm));
	ASSERT_EQ(0, sysfs_write("calibrate", "1"));
	ASSERT_EQ(0, sysfs_u64("tsc_hz_measured", &hz2));
	ASSERT_EQ(0, sysfs_s64("tsc_ppm_vs_kernel", &ppm2));
	TH_LOG("tsc_khz %lld, measured %llu Hz (%+lld ppm), then %llu Hz (%+lld ppm)",
	       (long long)khz, (unsigned long long)hz, (long long)ppm,
	       (unsigned long long)hz2, (long long)ppm2);

	rel = ((double)hz - khz * 1000.0) / (khz * 1000.0);
	ASSERT_GT(0.01, rel > 0 ? rel : -rel);
	/* the reported ppm is the same comparison, rounded */
	ASSERT_GE(1, llabs(ppm - (long long)(rel * 1e6 + (rel > 0 ? 0.5 : -0.5))));
	/* two calibrations agree */
	ASSERT_GT(500, llabs(ppm - ppm2));

	ASSERT_EQ(-EINVAL, sysfs_write("calibrate", "0"));
	ASSERT_EQ(-EINVAL, sysfs_write("calibrate", "2"));
	ASSERT_EQ(-EINVAL, sysfs_write("calibrate", "yes"));
	ASSERT_EQ(-EINVAL, sysfs_write("calibrate", "\n"));
}

TEST_F(clock, source_switch)
{
	char buf[32];

	ASSERT_EQ(0, sysfs_write("source", "tsc"));
	ASSERT_EQ(0, sysfs_read("source", buf, sizeof(buf)));
	ASSERT_STREQ("tsc", buf);
	ASSERT_EQ(0, sysfs_write("source", "hpet\n"));
	ASSERT_EQ(0, sysfs_read("source", buf, sizeof(buf)));
	ASSERT_STREQ("hpet", buf);
	ASSERT_EQ(0, sysfs_write("source", "tsc\n"));
	ASSERT_EQ(0, sysfs_read("source", buf, sizeof(buf)));
	ASSERT_STREQ("tsc", buf);

	ASSERT_EQ(-EINVAL, sysfs_write("source", "bogus"));
	ASSERT_EQ(-EINVAL, sysfs_write("source", "TSC"));
	ASSERT_EQ(-EINVAL, sysfs_write("source", "tsc hpet"));
	ASSERT_EQ(-EINVAL, sysfs_write("source", "tscx"));
	ASSERT_EQ(-EINVAL, sysfs_write("source", "\n"));
	ASSERT_EQ(-EINVAL, sysfs_write("source", " tsc"));
	ASSERT_EQ(-EINVAL, sysfs_write("source", "hpe"));
	/* failed writes changed nothing */
	ASSERT_EQ(0, sysfs_read("source", buf, sizeof(buf)));
	ASSERT_STREQ("tsc", buf);
}

/*
 * Writes check CAP_SYS_TIME in the kernel: an fd opened as root and used
 * after dropping to nobody gets EPERM. Opening for writing as nobody fails
 * earlier, on the 0644/0200 modes (EACCES). Reading works as nobody.
 */
TEST(unprivileged)
{
	static const char *const wfiles[] = { "source", "calibrate", "rtc_write" };
	char now_s[32];
	const char *const vals[] = { "hpet", "1", now_s };
	static const char *const rfiles[] = {
		"source", "sources_available", "counter", "tsc_hz_measured",
		"hpet_hz", "rtc", "rtc_at_load",
	};
	char path[256], buf[64];
	int fds[3];
	size_t i;

	/* harmless if the kernel wrongly accepted it */
	snprintf(now_s, sizeof(now_s), "%lld", (long long)time(NULL));
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), CLOCK_DIR "%s", wfiles[i]);
		fds[i] = open(path, O_WRONLY);
		ASSERT_LE(0, fds[i]) TH_LOG("open %s: %s", path, strerror(errno));
	}
	/* the harness forked this process for this test */
	ASSERT_EQ(0, setresgid(NOBODY, NOBODY, NOBODY));
	ASSERT_EQ(0, setresuid(NOBODY, NOBODY, NOBODY));

	for (i = 0; i < 3; i++) {
		errno = 0;
		EXPECT_EQ(-1, write(fds[i], vals[i], strlen(vals[i])))
			TH_LOG("%s", wfiles[i]);
		EXPECT_EQ(EPERM, errno) TH_LOG("%s: %s", wfiles[i], strerror(errno));
		close(fds[i]);
		EXPECT_EQ(-EACCES, sysfs_write(wfiles[i], vals[i]))
			TH_LOG("%s", wfiles[i]);
	}
	for (i = 0; i < ARRAY_SIZE(rfiles); i++) {
		EXPECT_EQ(0, sysfs_read(rfiles[i], buf, sizeof(buf)))
			TH_LOG("%s", rfiles[i]);
	}
}

/* The VM's system clock was set from the same RTC at boot. */
TEST(rtc_matches_realtime)
{
	int64_t rtc, at_load, offset, unc, since_epoch;
	struct timespec now;
	char buf[64];
	FILE *f;

	ASSERT_EQ(0, sysfs_s64("rtc", &rtc));
	clock_gettime(CLOCK_REALTIME, &now);
	TH_LOG("rtc %lld, CLOCK_REALTIME %lld.%09ld", (long long)rtc,
	       (long long)now.tv_sec, now.tv_nsec);
	ASSERT_GE(2, llabs(rtc - (int64_t)now.tv_sec));

	/* the rtc class device reads the same chip */
	f = fopen("/sys/class/rtc/rtc0/since_epoch", "r");
	if (f) {
		ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
		fclose(f);
		since_epoch = strtoll(buf, NULL, 10);
		ASSERT_GE(1, llabs(since_epoch - rtc));
	}

	ASSERT_EQ(0, sysfs_s64("rtc_at_load", &at_load));
	ASSERT_EQ(0, sysfs_s64("rtc_edge_offset_ns", &offset));
	ASSERT_EQ(0, sysfs_s64("rtc_edge_uncertainty_ns", &unc));
	TH_LOG("edge at load: %lld, CLOCK_REALTIME - RTC %+lld ns, +/- %lld ns",
	       (long long)at_load, (long long)offset, (long long)unc);
	ASSERT_GE(rtc, at_load);
	/* hctosys set the system clock to the RTC's whole second */
	ASSERT_GT(2000000000LL, llabs(offset));
	ASSERT_GT(10000000LL, unc);
}

TEST(rtc_write_roundtrip)
{
	char val[32];
	struct timespec now;
	int64_t rtc;

	ASSERT_EQ(-EINVAL, sysfs_write("rtc_write", "abc"));
	ASSERT_EQ(-EINVAL, sysfs_write("rtc_write", "\n"));
	ASSERT_EQ(-EINVAL, sysfs_write("rtc_write", " 1"));
	ASSERT_EQ(-EINVAL, sysfs_write("rtc_write", "-1"));
	ASSERT_EQ(-EINVAL, sysfs_write("rtc_write", "12x"));
	ASSERT_EQ(-EINVAL, sysfs_write("rtc_write", "99999999999999999999"));
	ASSERT_EQ(-EINVAL, sysfs_write("rtc_write", "3155760000")); /* 2070 */

	snprintf(val, sizeof(val), "%lld\n", RTC_TEST_TIME);
	ASSERT_EQ(0, sysfs_write("rtc_write", val));
	ASSERT_EQ(0, sysfs_s64("rtc", &rtc));

	/* restore before checking, so that a failure does not leave 2030 */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(val, sizeof(val), "%lld", (long long)now.tv_sec);
	ASSERT_EQ(0, sysfs_write("rtc_write", val));

	TH_LOG("wrote %lld, read back %lld", RTC_TEST_TIME, (long long)rtc);
	ASSERT_LE(RTC_TEST_TIME, rtc);
	ASSERT_GE(RTC_TEST_TIME + 1, rtc);

	ASSERT_EQ(0, sysfs_s64("rtc", &rtc));
	clock_gettime(CLOCK_REALTIME, &now);
	ASSERT_GE(2, llabs(rtc - (int64_t)now.tv_sec));
}

TEST_HARNESS_MAIN
