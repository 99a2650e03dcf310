// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/lib/ordo_clock.c: scaling, reading, slewing,
 * stepping, frequency correction, counter switches and the TrueTime
 * error bound, driven by a simulated counter (no sleeping).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ordo_clock.h"
#include "ordo_math.h"
#include "../kselftest_harness.h"

#define SEC	1000000000LL
#define MS	1000000LL
#define US	1000LL
#define TSC_HZ	2600000000ULL
#define HPET_HZ	14318180ULL
#define MASK32	0xffffffffULL
#define MASK64	(~0ULL)
#define WALL0	(1700000000LL * SEC)

/*
 * A simulated counter: true time t (ns) -> counter value. The counter's
 * real frequency is hz * (1 + err_ppb / 1e9).
 */
struct sim {
	s64 t;
	u64 hz;
	s64 err_ppb;
	u64 mask;
	u64 cyc0;
};

static u64 sim_cyc(const struct sim *s)
{
	__int128 c = (__int128)s->t * (__int128)s->hz * (1000000000 + s->err_ppb);

	c /= (__int128)1000000000 * 1000000000;
	return (s->cyc0 + (u64)c) & s->mask;
}

#define EXPECT_NEAR(want, got, tol) do {					\
	s64 __w = (want), __g = (got), __t = (tol);				\
	EXPECT_TRUE(__g >= __w - __t && __g <= __w + __t)			\
		TH_LOG("want %lld +- %lld, got %lld", (long long)__w,		\
		       (long long)__t, (long long)__g);				\
} while (0)

/* Deterministic pseudo-random numbers. */
static u64 rnd_state = 88172645463325252ULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static s64 rnd_range(s64 lo, s64 hi)
{
	return lo + (s64)(rnd() % (u64)(hi - lo + 1));
}

TEST(calc_mult_shift_matches_kernel)
{
	u32 mult, shift;

	/* clocksource tsc at 2.6 GHz: the kernel registers it with maxsec 600 */
	ordo_clock_calc_mult_shift(&mult, &shift, 2600000000U, 1000000000U, 600);
	EXPECT_EQ(6452775U, mult);
	EXPECT_EQ(24U, shift);
	/* 32-bit HPET: maxsec = mask / freq = 299 */
	ordo_clock_calc_mult_shift(&mult, &shift, 14318180U, 1000000000U, 299);
	EXPECT_EQ(2343484437U, mult);
	EXPECT_EQ(25U, shift);
	/* maxsec worth of cycles do not overflow 64 bits, twice would */
	ordo_clock_calc_mult_shift(&mult, &shift, 2600000000U, 1000000000U, 600);
	EXPECT_GT((ordo_u128)1 << 64, (ordo_u128)600 * 2600000000U * mult);
	EXPECT_LT((ordo_u128)1 << 64, (ordo_u128)600 * 2600000000U * mult * 2);
}

TEST(calc_mult64_precision)
{
	static const u64 hzs[] = { 1000, 32768, HPET_HZ, 19200000, 1000000000,
				   TSC_HZ, 3999999999ULL, 100000000000ULL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hzs); i++) {
		u64 mult, ns;
		u32 shift;

		ASSERT_EQ(0, ordo_clock_calc_mult64(hzs[i], &mult, &shift));
		EXPECT_LE(mult, 1ULL << 62);
		EXPECT_TRUE(shift == 63 || mult > 1ULL << 61);
		/* one second of cycles is one second, to the ns */
		ns = ordo_clock_cyc2ns(hzs[i], mult, shift);
		EXPECT_LE(ns, (u64)SEC + 1);
		EXPECT_GE(ns, (u64)SEC - 1);
		/* and 10^6 s, to 1 ns too */
		ns = ordo_clock_cyc2ns(hzs[i] * 1000000, mult, shift);
		EXPECT_LE(ns, (u64)SEC * 1000000 + 1);
		EXPECT_GE(ns, (u64)SEC * 1000000 - 1);
	}
	{
		u64 mult;
		u32 shift;

		EXPECT_EQ(-EINVAL, ordo_clock_calc_mult64(999, &mult, &shift));
		EXPECT_EQ(-EINVAL, ordo_clock_calc_mult64(0, &mult, &shift));
		EXPECT_EQ(-EINVAL, ordo_clock_calc_mult64(100000000001ULL, &mult, &shift));
	}
}

TEST(cyc2ns_is_exact_128bit)
{
	int i;

	for (i = 0; i < 10000; i++) {
		u64 c = rnd(), m = rnd() >> 2;
		u32 sh = (u32)(rnd() % 64);
		ordo_u128 ref = ((ordo_u128)c * m) >> sh;
		u64 want = (ref >> 64) ? ~0ULL : (u64)ref;

		ASSERT_EQ(want, ordo_clock_cyc2ns(c, m, sh));
	}
	EXPECT_EQ(5ULL, ordo_clock_delta(2, 0xfffffffdULL, MASK32));
	EXPECT_EQ(0ULL, ordo_clock_delta(7, 7, MASK32));
}

TEST(div_u128)
{
	int i;

	for (i = 0; i < 10000; i++) {
		ordo_u128 n = ((ordo_u128)rnd() << 64) | rnd();
		u64 d = rnd() >> (rnd() % 64), r;

		if (!d)
			d = 3;
		ASSERT_TRUE(ordo_div_u128(n, d, &r) == n / d);
		ASSERT_EQ((u64)(n % d), r);
	}
}

TEST(init_rejects_bad_input)
{
	struct ordo_clock c;

	EXPECT_EQ(-EINVAL, ordo_clock_init(&c, TSC_HZ, 0, 0, WALL0));
	EXPECT_EQ(-EINVAL, ordo_clock_init(&c, TSC_HZ, 0xf0, 0, WALL0));
	EXPECT_EQ(-EINVAL, ordo_clock_init(&c, 10, MASK64, 0, WALL0));
	ASSERT_EQ(0, ordo_clock_init(&c, HPET_HZ, MASK32, 0, WALL0));
	EXPECT_EQ(-EINVAL, ordo_clock_set_source(&c, 0, HPET_HZ, 0x7ffe, 0));
	EXPECT_EQ(-EINVAL, ordo_clock_set_source(&c, 0, 1, MASK32, 0));
}

TEST(initial_reading)
{
	struct sim s = { .hz = TSC_HZ, .mask = MASK64, .cyc0 = 123456789 };
	struct ordo_clock c;
	struct ordo_clock_time t;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ(0ULL, t.mono);
	EXPECT_EQ(0ULL, t.mono_raw);
	EXPECT_EQ(WALL0, t.utc);
	EXPECT_EQ(WALL0, t.tai);
	s.t = 1500 * MS;
	ordo_clock_read(&c.snap, sim_cyc(&s), &t);
	EXPECT_EQ((u64)(1500 * MS), t.mono);
	EXPECT_EQ((u64)(1500 * MS), t.mono_raw);
	EXPECT_EQ(WALL0 + 1500 * MS, t.utc);
}

TEST(freq_out_of_range_rejected)
{
	struct ordo_clock c;

	ASSERT_EQ(0, ordo_clock_init(&c, TSC_HZ, MASK64, 0, WALL0));
	EXPECT_EQ(0, ordo_clock_set_freq(&c, 0, 500000));
	EXPECT_EQ(0, ordo_clock_set_freq(&c, 0, -500000));
	EXPECT_EQ(-ERANGE, ordo_clock_set_freq(&c, 0, 500001));
	EXPECT_EQ(-ERANGE, ordo_clock_set_freq(&c, 0, -500001));
	EXPECT_EQ(-ERANGE, ordo_clock_set_freq(&c, 0, 1LL << 62));
	EXPECT_EQ(-ERANGE, ordo_clock_set_freq_scaled(&c, 0, (500000LL << 16) + 1));
	EXPECT_EQ(-(500000LL << 16), ordo_clock_get_freq_scaled(&c));
}

TEST(slew_rate_rejected)
{
	struct ordo_clock c;

	ASSERT_EQ(0, ordo_clock_init(&c, TSC_HZ, MASK64, 0, WALL0));
	EXPECT_EQ(-EINVAL, ordo_clock_set_slew_rate(&c, 0, 0));
	EXPECT_EQ(-ERANGE, ordo_clock_set_slew_rate(&c, 0, ORDO_CLOCK_SLEW_RATE_MAX + 1));
	EXPECT_EQ(0, ordo_clock_set_slew_rate(&c, 0, ORDO_CLOCK_SLEW_RATE_MAX));
	EXPECT_EQ(0, ordo_clock_set_slew_rate(&c, 0, 1));
	EXPECT_EQ(-ERANGE, ordo_clock_slew(&c, 0, ORDO_CLOCK_SLEW_MAX_NS + 1));
	EXPECT_EQ(0, ordo_clock_slew(&c, 0, ORDO_CLOCK_SLEW_MAX_NS));
	EXPECT_EQ(-ERANGE, ordo_clock_slew(&c, 0, 1));
	EXPECT_EQ(ORDO_CLOCK_SLEW_MAX_NS, ordo_clock_slew_cancel(&c, 0));
	EXPECT_EQ(0, ordo_clock_slew(&c, 0, -ORDO_CLOCK_SLEW_MAX_NS));
	EXPECT_EQ(-ERANGE, ordo_clock_slew(&c, 0, -1));
}

/*
 * Check a dense series of readings: mono never decreases and between two
 * readings mono - raw * (1 + freq) stays within the slew rate (+-2 ns of
 * rounding).
 */
struct rate_check {
	u64 mono, raw;
	bool have;
	s64 max_excess;		/* largest |mono delta - expected| seen */
};

static int rate_step(struct __test_metadata *_metadata, struct rate_check *rc,
		     const struct ordo_clock_snap *snap, u64 cyc, s64 freq_ppb, s64 rate_ppb)
{
	u64 mono = ordo_clock_read_mono(snap, cyc);
	u64 raw = ordo_clock_read_raw(snap, cyc);

	if (rc->have) {
		s64 dr = (s64)(raw - rc->raw), dm = (s64)(mono - rc->mono);
		s64 base = dr + dr * freq_ppb / SEC;
		s64 allow = dr * rate_ppb / SEC + 2;
		s64 ex = dm - base;

		EXPECT_LE(rc->mono, mono);
		EXPECT_LE(ex, allow) TH_LOG("dr %lld dm %lld", (long long)dr, (long long)dm);
		EXPECT_GE(ex, -allow) TH_LOG("dr %lld dm %lld", (long long)dr, (long long)dm);
		if (ex > rc->max_excess)
			rc->max_excess = ex;
		if (-ex > rc->max_excess)
			rc->max_excess = -ex;
		if (rc->mono > mono || ex > allow || ex < -allow)
			return -1;
	}
	rc->mono = mono;
	rc->raw = raw;
	rc->have = true;
	return 0;
}

TEST(slew_rate_bound_never_exceeded)
{
	struct sim s = { .hz = TSC_HZ, .mask = MASK64, .cyc0 = 1ULL << 40 };
	struct rate_check rc = { 0 };
	struct ordo_clock c;
	const s64 freq = 100000;	/* +100 ppm */
	const s64 rate = ORDO_CLOCK_SLEW_RATE_DEFAULT;
	s64 next_update = 700 * MS;
	u64 mono0, raw0, mono1, raw1;
	s64 extra;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	ASSERT_EQ(0, ordo_clock_set_freq(&c, sim_cyc(&s), freq));
	/* 10 ms at 500 ppm: 20 s */
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&s), 10 * MS));
	mono0 = ordo_clock_read_mono(&c.snap, sim_cyc(&s));
	raw0 = ordo_clock_read_raw(&c.snap, sim_cyc(&s));
	for (s.t = 0; s.t <= 30 * SEC; s.t += 997 * US) {
		if (s.t >= next_update) {
			ordo_clock_update(&c, sim_cyc(&s));
			next_update += 700 * MS;
		}
		ASSERT_EQ(0, rate_step(_metadata, &rc, &c.snap, sim_cyc(&s), freq, rate));
	}
	mono1 = ordo_clock_read_mono(&c.snap, sim_cyc(&s));
	raw1 = ordo_clock_read_raw(&c.snap, sim_cyc(&s));
	/* everything absorbed: mono gained raw * freq + 10 ms */
	extra = (s64)(mono1 - mono0) - (s64)(raw1 - raw0) -
		(s64)(raw1 - raw0) * freq / SEC;
	EXPECT_LE(extra, 10 * MS + 2);
	EXPECT_GE(extra, 10 * MS - 2);
	EXPECT_EQ(0, ordo_clock_slew_pending(&c, sim_cyc(&s)));
	TH_LOG("largest deviation from nominal+freq over ~1 ms: %lld ns (bound 500 ns)",
	       (long long)rc.max_excess);
}

TEST(slew_ends_between_late_updates)
{
	struct sim s = { .hz = HPET_HZ, .mask = MASK32, .cyc0 = MASK32 - 5000000 };
	struct ordo_clock c;
	struct ordo_clock_snap before;
	u64 last = 0, m;
	s64 off;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	/* -1 ms at 500 ppm: ends at 2 s; the next update is only at 100 s */
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&s), -MS));
	for (s.t = 0; s.t <= 100 * SEC; s.t += 10 * MS) {
		m = ordo_clock_read_mono(&c.snap, sim_cyc(&s));
		ASSERT_LE(last, m);
		last = m;
		if (s.t > 2 * SEC + 10 * MS) {
			/* after the end, mono runs at the raw rate: no overshoot */
			u64 raw = ordo_clock_read_raw(&c.snap, sim_cyc(&s));

			off = (s64)m - (s64)raw;
			EXPECT_LE(off, -MS + 1);
			EXPECT_GE(off, -MS - 1);
		}
	}
	/* the late update changes no reading */
	before = c.snap;
	ordo_clock_update(&c, sim_cyc(&s));
	EXPECT_EQ(ordo_clock_read_mono(&before, sim_cyc(&s)),
		  ordo_clock_read_mono(&c.snap, sim_cyc(&s)));
	EXPECT_EQ(0, ordo_clock_slew_pending(&c, sim_cyc(&s)));
	s.t += 10 * SEC;
	off = (s64)ordo_clock_read_mono(&c.snap, sim_cyc(&s)) -
	      (s64)ordo_clock_read_raw(&c.snap, sim_cyc(&s));
	EXPECT_LE(off, -MS + 1);
	EXPECT_GE(off, -MS - 1);
}

TEST(slew_pending_and_cancel)
{
	struct sim s = { .hz = TSC_HZ, .mask = MASK64 };
	struct ordo_clock c;
	s64 p;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&s), 4 * MS));
	EXPECT_EQ(4 * MS, ordo_clock_slew_pending(&c, sim_cyc(&s)));
	s.t = 2 * SEC;		/* 1 ms absorbed at 500 ppm */
	p = ordo_clock_slew_pending(&c, sim_cyc(&s));
	EXPECT_LE(p, 3 * MS + 1);
	EXPECT_GE(p, 3 * MS - 1);
	/* accumulate, and cross zero */
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&s), -5 * MS));
	p = ordo_clock_slew_pending(&c, sim_cyc(&s));
	EXPECT_LE(p, -2 * MS + 1);
	EXPECT_GE(p, -2 * MS - 1);
	s.t += SEC;
	p = ordo_clock_slew_cancel(&c, sim_cyc(&s));
	EXPECT_LE(p, -1500 * US + 1);
	EXPECT_GE(p, -1500 * US - 1);
	EXPECT_EQ(0, ordo_clock_slew_pending(&c, sim_cyc(&s)));
	/* a faster rate finishes sooner */
	ASSERT_EQ(0, ordo_clock_set_slew_rate(&c, sim_cyc(&s), 10000000));	/* 1 % */
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&s), 10 * MS));
	s.t += SEC + 1;
	EXPECT_EQ(0, ordo_clock_slew_pending(&c, sim_cyc(&s)));
}

TEST(step_moves_wall_not_mono)
{
	struct sim s = { .hz = TSC_HZ, .mask = MASK64 };
	struct ordo_clock c;
	struct ordo_clock_time a, b;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	s.t = 3 * SEC + 17;
	ordo_clock_read(&c.snap, sim_cyc(&s), &a);
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&s), MS));
	ASSERT_EQ(0, ordo_clock_step_by(&c, sim_cyc(&s), -5 * SEC));
	ordo_clock_read(&c.snap, sim_cyc(&s), &b);
	EXPECT_EQ(a.mono, b.mono);
	EXPECT_EQ(a.mono_raw, b.mono_raw);
	EXPECT_EQ(a.utc - 5 * SEC, b.utc);
	EXPECT_EQ(a.tai - 5 * SEC, b.tai);
	EXPECT_EQ(0, ordo_clock_slew_pending(&c, sim_cyc(&s)));	/* cancelled */
	ASSERT_EQ(0, ordo_clock_step_to(&c, sim_cyc(&s), 42 * SEC + 5));
	EXPECT_EQ(42 * SEC + 5, ordo_clock_read_utc(&c.snap, sim_cyc(&s), NULL));
	EXPECT_EQ(a.mono, ordo_clock_read_mono(&c.snap, sim_cyc(&s)));
	s.t += SEC;
	EXPECT_EQ(43 * SEC + 5, ordo_clock_read_utc(&c.snap, sim_cyc(&s), NULL));
	EXPECT_EQ(-ERANGE, ordo_clock_step_by(&c, sim_cyc(&s), S64_MAX));
}

TEST(hpet_32bit_wrap)
{
	struct sim s = { .hz = HPET_HZ, .mask = MASK32, .cyc0 = MASK32 - 1000 };
	struct ordo_clock c;
	u64 last = 0, m, r;
	int wraps = 0;
	u64 prev_cyc = 0;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	/* 2.5 hours: 31 wraps, updates every 250 s (wrap period: 299.97 s) */
	EXPECT_GT(ordo_clock_max_interval_ns(&c.snap), 299ULL * SEC);
	EXPECT_LT(ordo_clock_max_interval_ns(&c.snap), 300ULL * SEC);
	for (s.t = 0; s.t <= 9000 * SEC; s.t += 50 * MS) {
		u64 cyc = sim_cyc(&s);

		if (cyc < prev_cyc)
			wraps++;
		prev_cyc = cyc;
		if (s.t % (250 * SEC) == 0)
			ordo_clock_update(&c, cyc);
		m = ordo_clock_read_mono(&c.snap, cyc);
		r = ordo_clock_read_raw(&c.snap, cyc);
		ASSERT_LE(last, m);
		last = m;
		/* the counter ticks every ~69.8 ns */
		ASSERT_LE(r, (u64)s.t);
		ASSERT_GE(r + 70, (u64)s.t);
	}
	EXPECT_EQ(31, wraps);
}

TEST(source_switch_is_continuous)
{
	struct sim tsc = { .hz = TSC_HZ, .mask = MASK64, .cyc0 = 5 };
	struct sim hpet = { .hz = HPET_HZ, .mask = MASK32, .cyc0 = MASK32 - 99 };
	struct ordo_clock c;
	struct ordo_clock_time a, b;
	s64 p0, p1, off, want;

	ASSERT_EQ(0, ordo_clock_init(&c, tsc.hz, tsc.mask, sim_cyc(&tsc), WALL0));
	ASSERT_EQ(0, ordo_clock_set_freq(&c, sim_cyc(&tsc), -20000));
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&tsc), 2 * MS));	/* 4 s at 500 ppm */
	tsc.t = 1 * SEC + 123457;
	hpet.t = tsc.t;
	ordo_clock_read(&c.snap, sim_cyc(&tsc), &a);
	p0 = ordo_clock_slew_pending(&c, sim_cyc(&tsc));
	ASSERT_EQ(0, ordo_clock_set_source(&c, sim_cyc(&tsc), hpet.hz, hpet.mask, sim_cyc(&hpet)));
	ordo_clock_read(&c.snap, sim_cyc(&hpet), &b);
	EXPECT_EQ(a.mono, b.mono);
	EXPECT_EQ(a.mono_raw, b.mono_raw);
	EXPECT_EQ(a.utc, b.utc);
	p1 = ordo_clock_slew_pending(&c, sim_cyc(&hpet));
	EXPECT_LE(p1, p0);
	EXPECT_GE(p1, p0 - 1);
	/* and back, 10 s later: the slew has ended, freq still applies */
	tsc.t = 11 * SEC + 123457;
	hpet.t = tsc.t;
	ordo_clock_update(&c, sim_cyc(&hpet));
	ordo_clock_read(&c.snap, sim_cyc(&hpet), &a);
	ASSERT_EQ(0, ordo_clock_set_source(&c, sim_cyc(&hpet), tsc.hz, tsc.mask, sim_cyc(&tsc)));
	ordo_clock_read(&c.snap, sim_cyc(&tsc), &b);
	EXPECT_EQ(a.mono, b.mono);
	EXPECT_EQ(a.utc, b.utc);
	/* mono - raw = 2 ms - 20 ppm of 11.12 s */
	off = (s64)b.mono - (s64)b.mono_raw;
	want = 2 * MS - (s64)b.mono_raw * 20000 / SEC;
	EXPECT_NEAR(want, off, 2);
}

/*
 * Random walk through every writer operation with dense readings: mono
 * never decreases, and no writer operation changes the reading at the
 * counter value it was given (except the back-to-back gap of a switch).
 */
TEST(mono_monotonic_random_ops)
{
	struct sim srcs[2] = {
		{ .hz = TSC_HZ, .mask = MASK64, .cyc0 = ~0ULL - 3000000000ULL },
		{ .hz = HPET_HZ, .mask = MASK32, .cyc0 = 0xfff00000ULL },
	};
	struct ordo_clock c;
	struct ordo_clock_snap old;
	int cur = 0, i, j, ops = 0;
	u64 last = 0, m;
	u32 rate;
	s64 t = 0;

	srcs[0].err_ppb = 37000;
	srcs[1].err_ppb = -12000;
	ASSERT_EQ(0, ordo_clock_init(&c, srcs[0].hz, srcs[0].mask, sim_cyc(&srcs[0]), WALL0));
	for (i = 0; i < 4000; i++) {
		struct sim *s = &srcs[cur];
		int op = (int)(rnd() % 9);
		u64 cyc;

		/* readings until the next operation, up to ~100 s apart */
		for (j = 0; j < 20; j++) {
			t += (rnd() & 1) ? rnd_range(1, 2000) : rnd_range(1, 5 * SEC);
			srcs[0].t = t;
			srcs[1].t = t;
			m = ordo_clock_read_mono(&c.snap, sim_cyc(s));
			ASSERT_LE(last, m) TH_LOG("op %d iteration %d", op, i);
			last = m;
			/* the inline UTC read (the HLC's) is the same function */
			ASSERT_EQ(ordo_clock_read_utc(&c.snap, sim_cyc(s), NULL),
				  ordo_clock_read_utc_inl(&c.snap, sim_cyc(s)));
		}
		cyc = sim_cyc(s);
		old = c.snap;
		switch (op) {
		case 0:
			ordo_clock_update(&c, cyc);
			break;
		case 1:
			ASSERT_EQ(0, ordo_clock_set_freq(&c, cyc, rnd_range(-500000, 500000)));
			break;
		case 2:
		case 3:
			ASSERT_EQ(0, ordo_clock_slew(&c, cyc, rnd_range(-20 * MS, 20 * MS)));
			break;
		case 4:
			ASSERT_EQ(0, ordo_clock_step_by(&c, cyc, rnd_range(-10 * SEC, 10 * SEC)));
			break;
		case 5:
			rate = (u32)rnd_range(1000, 100000000);
			ASSERT_EQ(0, ordo_clock_set_slew_rate(&c, cyc, rate));
			break;
		case 6:
			ordo_clock_slew_cancel(&c, cyc);
			break;
		case 7: {
			struct sim *n = &srcs[!cur];

			ASSERT_EQ(0, ordo_clock_set_source(&c, cyc, n->hz, n->mask, sim_cyc(n)));
			cur = !cur;
			s = n;
			break;
		}
		default:
			ASSERT_EQ(0, ordo_clock_step_to(&c, cyc, WALL0 + t));
			break;
		}
		ops++;
		m = ordo_clock_read_mono(&c.snap, sim_cyc(s));
		ASSERT_EQ(ordo_clock_read_mono(&old, cyc), m) TH_LOG("op %d", op);
		ASSERT_LE(last, m);
		last = m;
		/* the HPET must be updated within its wrap period */
		if (cur == 1)
			ordo_clock_update(&c, sim_cyc(s));
	}
	TH_LOG("%d writer operations over %lld simulated s", ops, (long long)(t / SEC));
}

TEST(mono_tracks_freq_exactly)
{
	struct sim s = { .hz = TSC_HZ, .mask = MASK64, .err_ppb = 50000 };
	struct ordo_clock c;
	s64 freq;
	u64 m;

	/* the counter is 50 ppm fast; -50 ppm of correction makes mono true */
	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	s.t = 1000 * SEC;
	m = ordo_clock_read_mono(&c.snap, sim_cyc(&s));
	EXPECT_GT(m, (u64)(1000 * SEC + 49999 * US));
	ordo_clock_update(&c, sim_cyc(&s));
	freq = -(50000LL << 16) * SEC / (SEC + 50000);
	ASSERT_EQ(0, ordo_clock_set_freq_scaled(&c, sim_cyc(&s), freq));
	s.t += 1000000 * SEC;
	m = ordo_clock_read_mono(&c.snap, sim_cyc(&s)) - m;
	EXPECT_LE(m, (u64)(1000000 * SEC + 1 * US));
	EXPECT_GE(m, (u64)(1000000 * SEC - 1 * US));
}

TEST(truetime_interval)
{
	struct sim s = { .hz = TSC_HZ, .mask = MASK64 };
	struct ordo_clock_sync sync = {
		.root_delay = 10 * MS, .root_disp = 1 * MS, .est_error = 100 * US, .stratum = 2,
	};
	struct ordo_clock c;
	struct ordo_tt tt, tt2;
	s64 utc, commit;

	ASSERT_EQ(0, ordo_clock_init(&c, s.hz, s.mask, sim_cyc(&s), WALL0));
	/* never synchronised */
	EXPECT_EQ(-ENODATA, ordo_tt_now(&c.snap, sim_cyc(&s), &tt));
	EXPECT_FALSE(ordo_tt_after(&c.snap, sim_cyc(&s), 0));
	EXPECT_FALSE(ordo_tt_before(&c.snap, sim_cyc(&s), S64_MAX));
	EXPECT_FALSE(ordo_clock_synced(&c.snap, sim_cyc(&s)));

	s.t = 5 * SEC;
	ASSERT_EQ(0, ordo_clock_set_sync(&c, sim_cyc(&s), &sync));
	ASSERT_EQ(0, ordo_tt_now(&c.snap, sim_cyc(&s), &tt));
	EXPECT_EQ((u64)(6 * MS), tt.maxerror);
	utc = ordo_clock_read_utc(&c.snap, sim_cyc(&s), NULL);
	EXPECT_EQ(utc - 6 * MS, tt.earliest);
	EXPECT_EQ(utc + 6 * MS, tt.latest);

	/* width grows at 2 * 200 ppm */
	s.t += 100 * SEC;
	ASSERT_EQ(0, ordo_tt_now(&c.snap, sim_cyc(&s), &tt2));
	EXPECT_NEAR(6 * MS + 20 * MS, (s64)tt2.maxerror, 1);
	EXPECT_NEAR(tt.latest - tt.earliest + 40 * MS, tt2.latest - tt2.earliest, 2);

	/* Spanner semantics */
	utc = ordo_clock_read_utc(&c.snap, sim_cyc(&s), NULL);
	EXPECT_TRUE(ordo_tt_after(&c.snap, sim_cyc(&s), utc - 26 * MS - 10));
	EXPECT_FALSE(ordo_tt_after(&c.snap, sim_cyc(&s), utc - 26 * MS + 10));
	EXPECT_FALSE(ordo_tt_after(&c.snap, sim_cyc(&s), utc));
	EXPECT_TRUE(ordo_tt_before(&c.snap, sim_cyc(&s), utc + 26 * MS + 10));
	EXPECT_FALSE(ordo_tt_before(&c.snap, sim_cyc(&s), utc + 26 * MS - 10));
	EXPECT_FALSE(ordo_tt_before(&c.snap, sim_cyc(&s), utc));
	/* commit wait: after waiting out 2 * maxerror, t is in the past */
	commit = tt2.latest;
	EXPECT_FALSE(ordo_tt_after(&c.snap, sim_cyc(&s), commit));
	s.t += 2 * (s64)tt2.maxerror + 1 * MS;
	EXPECT_TRUE(ordo_tt_after(&c.snap, sim_cyc(&s), commit));

	/* a pending slew widens the interval */
	ASSERT_EQ(0, ordo_clock_set_sync(&c, sim_cyc(&s), &sync));
	ASSERT_EQ(0, ordo_clock_slew(&c, sim_cyc(&s), -3 * MS));
	EXPECT_EQ((u64)(9 * MS), ordo_clock_maxerror(&c.snap, sim_cyc(&s)));
	ordo_clock_slew_cancel(&c, sim_cyc(&s));

	/* configurable drift bound */
	EXPECT_EQ(-ERANGE, ordo_clock_set_drift_bound(&c, ORDO_CLOCK_DRIFT_MAX_PPB + 1));
	ASSERT_EQ(0, ordo_clock_set_drift_bound(&c, 1000));	/* 1 ppm */
	s.t += 1000 * SEC;
	EXPECT_NEAR(6 * MS + 1 * MS, (s64)ordo_clock_maxerror(&c.snap, sim_cyc(&s)), 1);

	/* unsynchronised once the bound passes 16 s ... */
	ASSERT_EQ(0, ordo_clock_set_drift_bound(&c, 200000));
	EXPECT_TRUE(ordo_clock_synced(&c.snap, sim_cyc(&s)));
	s.t += 80000 * SEC;	/* 16 s at 200 ppm */
	EXPECT_FALSE(ordo_clock_synced(&c.snap, sim_cyc(&s)));
	EXPECT_EQ(-ENODATA, ordo_tt_now(&c.snap, sim_cyc(&s), &tt));
	/* ... or on stratum 16 */
	ASSERT_EQ(0, ordo_clock_set_sync(&c, sim_cyc(&s), &sync));
	EXPECT_TRUE(ordo_clock_synced(&c.snap, sim_cyc(&s)));
	ordo_clock_set_unsync(&c);
	EXPECT_FALSE(ordo_clock_synced(&c.snap, sim_cyc(&s)));
	sync.stratum = 17;
	EXPECT_EQ(-EINVAL, ordo_clock_set_sync(&c, sim_cyc(&s), &sync));
}

TEST_HARNESS_MAIN
