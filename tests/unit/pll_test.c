// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/lib/ordo_pll.c: the NTP PLL/FLL, alone and closing
 * the loop around an ordo_clock on a simulated counter whose reference is
 * sampled every poll interval, integrated as ordo_pll.h describes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ordo_clock.h"
#include "ordo_math.h"
#include "ordo_pll.h"
#include "../kselftest_harness.h"

#define SEC	1000000000LL
#define MS	1000000LL
#define US	1000LL
#define TSC_HZ	2600000000ULL
#define WALL0	(1700000000LL * SEC)

TEST(pll_rejects_bad_input)
{
	struct ordo_pll p;

	ordo_pll_init(&p);
	EXPECT_EQ(2U, p.constant);
	EXPECT_EQ(-EINVAL, ordo_pll_set_constant(&p, -1));
	EXPECT_EQ(-EINVAL, ordo_pll_set_constant(&p, 11));
	EXPECT_EQ(0, ordo_pll_set_constant(&p, 0));
	EXPECT_EQ(0, ordo_pll_set_constant(&p, 10));
	EXPECT_EQ(-EINVAL, ordo_pll_set_mode(&p, 0x4));
	EXPECT_EQ(-EINVAL, ordo_pll_set_mode(&p, ORDO_PLL_MODE_FLL));
	EXPECT_EQ(0, ordo_pll_set_mode(&p, ORDO_PLL_FLL | ORDO_PLL_FREQHOLD));
	EXPECT_EQ(-ERANGE, ordo_pll_set_freq_scaled(&p, (500000LL << 16) + 1));
	EXPECT_EQ(-ERANGE, ordo_pll_set_freq_scaled(&p, -(500000LL << 16) - 1));
	EXPECT_EQ(0, ordo_pll_set_freq_scaled(&p, -(500000LL << 16)));
	EXPECT_EQ(-(500000LL << 16), ordo_pll_freq_scaled(&p));
}

TEST(pll_clamps_phase_and_freq)
{
	struct ordo_pll p;
	int i;

	ordo_pll_init(&p);
	/* 10 s ahead: the correction is clamped to -0.5 s (MAXPHASE) */
	ordo_pll_sample(&p, 10 * SEC, 0);
	EXPECT_EQ(-500 * MS, ordo_pll_offset_ns(&p));
	ordo_pll_sample(&p, -10 * SEC, 16);
	EXPECT_EQ(500 * MS, ordo_pll_offset_ns(&p));
	/* the frequency never leaves +-500 ppm (MAXFREQ) */
	for (i = 0; i < 100; i++) {
		ordo_pll_sample(&p, -10 * SEC, 32 + 16 * i);
		ASSERT_LE(ordo_pll_freq_scaled(&p), 500000LL << 16);
	}
	EXPECT_EQ(500000LL << 16, ordo_pll_freq_scaled(&p));
	for (i = 0; i < 100; i++) {
		ordo_pll_sample(&p, 10 * SEC, 2000 + 16 * i);
		ASSERT_GE(ordo_pll_freq_scaled(&p), -(500000LL << 16));
	}
	EXPECT_EQ(-(500000LL << 16), ordo_pll_freq_scaled(&p));
}

TEST(pll_ticks_hand_out_the_whole_phase)
{
	struct ordo_pll p;
	s64 sum = 0, ch, prev = 250 * US;
	int i;

	ordo_pll_init(&p);
	ASSERT_EQ(0, ordo_pll_set_constant(&p, 0));
	/* our clock is 1 ms behind: advance by 1 ms, 1/4 of the rest each second */
	ordo_pll_sample(&p, -MS, 0);
	ch = ordo_pll_tick(&p);
	EXPECT_EQ(250 * US, ch);
	sum = ch;
	for (i = 0; i < 200; i++) {
		ch = ordo_pll_tick(&p);
		ASSERT_GE(ch, 0);
		ASSERT_LE(ch, prev);
		prev = ch + 1;	/* the carried sub-ns part may add 1 */
		sum += ch;
	}
	EXPECT_LE(sum, MS);
	EXPECT_GE(sum, MS - 1);
	EXPECT_EQ(0, ordo_pll_offset_ns(&p));
	/* negative: as much in the other direction */
	ordo_pll_init(&p);
	ordo_pll_sample(&p, 3 * MS, 0);
	for (sum = 0, i = 0; i < 400; i++)
		sum += ordo_pll_tick(&p);
	EXPECT_GE(sum, -3 * MS - 1);
	EXPECT_LE(sum, -3 * MS + 1);
}

TEST(pll_fll_and_freqhold)
{
	struct ordo_pll p;
	s64 f;

	/* PLL below MAXSEC unless FLL is asked for */
	ordo_pll_init(&p);
	ordo_pll_sample(&p, 0, 0);
	ordo_pll_sample(&p, 1 * MS, 1024);
	EXPECT_EQ(0U, p.flags & ORDO_PLL_MODE_FLL);
	/* PLL: -1 ms * 32 s (the interval clamped to 2^(3 + tc)) / 2^12 */
	f = ordo_pll_freq_scaled(&p);
	EXPECT_EQ(-1000000LL * 32 * 65536 / 4096, f);
	/* above MAXSEC (2048 s) always FLL: + -1 ms / 4096 s / 2^SHIFT_FLL */
	ordo_pll_init(&p);
	ordo_pll_sample(&p, 0, 0);
	ordo_pll_sample(&p, 1 * MS, 4096);
	EXPECT_EQ(ORDO_PLL_MODE_FLL, p.flags & ORDO_PLL_MODE_FLL);
	EXPECT_EQ(f - 1000000LL * 65536 / 4096 / 4, ordo_pll_freq_scaled(&p));
	/* FLL from MINSEC (256 s) when asked for */
	ordo_pll_init(&p);
	ASSERT_EQ(0, ordo_pll_set_mode(&p, ORDO_PLL_FLL));
	ordo_pll_sample(&p, 0, 0);
	ordo_pll_sample(&p, 1 * MS, 300);
	EXPECT_EQ(ORDO_PLL_MODE_FLL, p.flags & ORDO_PLL_MODE_FLL);
	/* FREQHOLD: phase only */
	ordo_pll_init(&p);
	ASSERT_EQ(0, ordo_pll_set_mode(&p, ORDO_PLL_FREQHOLD));
	ordo_pll_sample(&p, 0, 0);
	ordo_pll_sample(&p, 50 * MS, 16);
	EXPECT_EQ(0, ordo_pll_freq_scaled(&p));
	EXPECT_EQ(-50 * MS, ordo_pll_offset_ns(&p));
}

/*
 * Closed loop: the counter runs err_ppb fast, the clock starts off0_ns
 * ahead of the reference (true time). Every second: update, slew by the
 * PLL's tick. Every poll: measure ours - reference exactly, cancel the
 * pending slew, sample, set the frequency. Returns, for each criterion,
 * the sample number from which it held to the end of the run.
 */
struct loop_result {
	int freq_conv;		/* |rate error| < 1 ppm from this sample on */
	int off_conv;		/* |offset| < 1 us from this sample on */
	int samples;
	s64 worst_ppb_at_end;
	s64 worst_off_at_end;
};

static u64 sim_cyc(s64 t, s64 err_ppb)
{
	__int128 c = (__int128)t * TSC_HZ * (1000000000 + err_ppb);

	return (u64)(c / ((__int128)1000000000 * 1000000000));
}

static int run_loop(int poll, int tc, s64 err_ppb, s64 off0, int samples,
		    struct loop_result *res)
{
	struct ordo_clock c;
	struct ordo_pll p;
	s64 s, end = (s64)poll * samples;
	int n = 0, err;

	memset(res, 0, sizeof(*res));
	res->freq_conv = -1;
	res->off_conv = -1;
	err = ordo_clock_init(&c, TSC_HZ, ~0ULL, 0, WALL0 + off0);
	if (err)
		return err;
	ordo_pll_init(&p);
	err = ordo_pll_set_constant(&p, tc);
	if (err)
		return err;
	for (s = 1; s <= end; s++) {
		u64 cyc = sim_cyc(s * SEC, err_ppb);
		s64 ch;

		ordo_clock_update(&c, cyc);
		if (s % poll == 0) {
			s64 off = ordo_clock_read_utc(&c.snap, cyc, NULL) - (WALL0 + s * SEC);
			s64 f, rate;

			ordo_clock_slew_cancel(&c, cyc);
			ordo_pll_sample(&p, off, s);
			f = ordo_pll_freq_scaled(&p);
			err = ordo_clock_set_freq_scaled(&c, cyc, f);
			if (err)
				return err;
			n++;
			/* rate error of the clock vs true time, ppb */
			rate = (s64)((__int128)(SEC + err_ppb) * ((SEC << 16) + f) /
				     ((__int128)SEC << 16)) - SEC;
			if (llabs(rate) < 1000) {
				if (res->freq_conv < 0)
					res->freq_conv = n;
			} else {
				res->freq_conv = -1;
			}
			if (llabs(off) < US) {
				if (res->off_conv < 0)
					res->off_conv = n;
			} else {
				res->off_conv = -1;
			}
			if (n > samples - 10) {
				if (llabs(rate) > res->worst_ppb_at_end)
					res->worst_ppb_at_end = llabs(rate);
				if (llabs(off) > res->worst_off_at_end)
					res->worst_off_at_end = llabs(off);
			}
		}
		ch = ordo_pll_tick(&p);
		if (ch) {
			err = ordo_clock_slew(&c, cyc, ch);
			if (err)
				return err;
		}
	}
	res->samples = n;
	return 0;
}

static void check_loop(struct __test_metadata *_metadata, int poll, int tc, s64 err_ppb,
		       s64 off0, int samples, int max_freq, int max_off)
{
	struct loop_result r;

	ASSERT_EQ(0, run_loop(poll, tc, err_ppb, off0, samples, &r));
	ASSERT_EQ(samples, r.samples);
	TH_LOG("poll %d s, time constant %d, start %lld ppb / %lld ns off:", poll, tc,
	       (long long)err_ppb, (long long)off0);
	TH_LOG("  rate < 1 ppm after %d updates (%d s), offset < 1 us after %d updates (%d s)",
	       r.freq_conv, r.freq_conv * poll,
	       r.off_conv, r.off_conv * poll);
	EXPECT_GT(r.freq_conv, 0);
	EXPECT_LE(r.freq_conv, max_freq);
	EXPECT_GT(r.off_conv, 0);
	EXPECT_LE(r.off_conv, max_off);
	EXPECT_LT(r.worst_ppb_at_end, 1000);
	EXPECT_LT(r.worst_off_at_end, US);
}

/* poll 16 s with the kernel's default time constant 2 (PLL tau 16 s) */
TEST(pll_converges_50ppm_poll16)
{
	check_loop(_metadata, 16, 2, 50000, 0, 1000, 60, 120);
}

TEST(pll_converges_100ms_poll16)
{
	check_loop(_metadata, 16, 2, 0, 100 * MS, 1000, 100, 150);
}

/* poll 64 s, time constant 4 (PLL tau 64 s) */
TEST(pll_converges_50ppm_poll64)
{
	check_loop(_metadata, 64, 4, 50000, 0, 500, 60, 120);
}

TEST(pll_converges_100ms_poll64)
{
	check_loop(_metadata, 64, 4, 0, 100 * MS, 500, 75, 140);
}

/* both at once, and a slow counter that is behind */
TEST(pll_converges_combined)
{
	check_loop(_metadata, 16, 2, -50000, -100 * MS, 1000, 150, 200);
}

TEST_HARNESS_MAIN
