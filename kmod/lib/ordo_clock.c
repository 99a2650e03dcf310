// SPDX-License-Identifier: GPL-2.0
/*
 * The Ordo disciplined clock: scaling, reading, stepping, slewing,
 * frequency correction, counter switches, leap seconds and the error
 * bound. See ordo_clock.h for the model and the reader/writer split.
 */
#include "ordo_clock.h"
#include "ordo_math.h"

#define ORDO_MULT_MAX		0x4000000000000000ULL	/* 2^62 */
#define ORDO_SPPB_DIV		(ORDO_NSEC_PER_SEC << ORDO_CLOCK_FREQ_SHIFT)

/* ------------------------------------------------------------------ */
/* Scaling */

void ordo_clock_calc_mult_shift(u32 *mult, u32 *shift, u32 from, u32 to, u32 maxsec)
{
	u64 tmp;
	u32 sft, sftacc = 32;

	/* Limit the shift so that maxsec * from cycles do not overflow. */
	tmp = ((u64)maxsec * from) >> 32;
	while (tmp) {
		tmp >>= 1;
		sftacc--;
	}
	/* The most precise mult/shift that fits that range. */
	for (sft = 32; sft > 0; sft--) {
		tmp = (u64)to << sft;
		tmp += from / 2;
		tmp = ordo_div_u64(tmp, from);
		if ((tmp >> sftacc) == 0)
			break;
	}
	*mult = (u32)tmp;
	*shift = sft;
}

int ordo_clock_calc_mult64(u64 hz, u64 *mult, u32 *shift)
{
	ordo_u128 m = 0;
	int sft;

	if (hz < ORDO_CLOCK_MIN_HZ || hz > ORDO_CLOCK_MAX_HZ)
		return -EINVAL;
	/* Rounded up, so that whole ns come out exact, not 1 ns short. */
	for (sft = 63; sft >= 0; sft--) {
		m = ((ordo_u128)ORDO_NSEC_PER_SEC << sft) + hz - 1;
		m = ordo_div_u128(m, hz, NULL);
		if (m <= ORDO_MULT_MAX)
			break;
	}
	/* Cannot fail for hz >= ORDO_CLOCK_MIN_HZ: sft 0 gives <= 1e6 */
	*mult = (u64)m;
	*shift = (u32)sft;
	return 0;
}

u64 ordo_clock_cyc2ns(u64 cycles, u64 mult, u32 shift)
{
	return ordo_u128_sat(ordo_mul_u64(cycles, mult) >> shift);
}

static bool ordo_mask_ok(u64 mask)
{
	return mask && !(mask & (mask + 1));
}

/* ------------------------------------------------------------------ */
/* Readers */

static u64 ordo_snap_delta(const struct ordo_clock_snap *s, u64 cyc)
{
	return ordo_clock_delta(cyc, s->cycle_last, s->mask);
}

/* mono_frac + the mono time of @delta cycles, in 2^-shift ns */
static ordo_u128 ordo_mono_acc(const struct ordo_clock_snap *s, u64 delta)
{
	ordo_u128 acc = s->mono_frac;

	if (delta <= s->seg_end)
		return acc + ordo_mul_u64(delta, s->mult);
	return acc + ordo_mul_u64(s->seg_end, s->mult) +
	       ordo_mul_u64(delta - s->seg_end, s->mult_next);
}

static u64 ordo_mono_at(const struct ordo_clock_snap *s, u64 delta)
{
	return ordo_add_sat(s->mono_ns, ordo_u128_sat(ordo_mono_acc(s, delta) >> s->shift));
}

static u64 ordo_raw_at(const struct ordo_clock_snap *s, u64 delta)
{
	ordo_u128 acc = s->raw_frac + ordo_mul_u64(delta, s->mult_raw);

	return ordo_add_sat(s->raw_ns, ordo_u128_sat(acc >> s->shift));
}

u64 ordo_clock_read_mono(const struct ordo_clock_snap *s, u64 cyc)
{
	return ordo_mono_at(s, ordo_snap_delta(s, cyc));
}

u64 ordo_clock_read_raw(const struct ordo_clock_snap *s, u64 cyc)
{
	return ordo_raw_at(s, ordo_snap_delta(s, cyc));
}

static s64 ordo_cont_of(const struct ordo_clock_snap *s, u64 mono)
{
	return (s64)(mono + (u64)s->wall_off);
}

void ordo_clock_read(const struct ordo_clock_snap *s, u64 cyc, struct ordo_clock_time *t)
{
	struct ordo_leap_result lr;
	u64 delta = ordo_snap_delta(s, cyc);
	s64 cont;

	t->mono_raw = ordo_raw_at(s, delta);
	t->mono = ordo_mono_at(s, delta);
	cont = ordo_cont_of(s, t->mono);
	ordo_leap_apply(&s->leap, cont, &lr);
	t->utc = lr.utc;
	t->tai = (s64)((u64)cont + (u64)(((s64)s->tai_off + lr.tai_adj) *
					 (s64)ORDO_NSEC_PER_SEC));
	t->tai_off = s->tai_off + lr.tai_adj;
	if (lr.flags & (ORDO_LEAP_F_DONE | ORDO_LEAP_F_IN_LEAP) && !lr.tai_adj)
		t->tai_off += s->leap.dir;
	t->leap_flags = lr.flags;
}

s64 ordo_clock_read_utc(const struct ordo_clock_snap *s, u64 cyc, u32 *leap_flags)
{
	struct ordo_leap_result lr;

	ordo_leap_apply(&s->leap, ordo_cont_of(s, ordo_clock_read_mono(s, cyc)), &lr);
	if (leap_flags)
		*leap_flags = lr.flags;
	return lr.utc;
}

u64 ordo_clock_max_interval_ns(const struct ordo_clock_snap *s)
{
	return ordo_clock_cyc2ns(s->mask, s->mult_raw, s->shift);
}

u64 ordo_clock_maxerror(const struct ordo_clock_snap *s, u64 cyc)
{
	const struct ordo_clock_status *st = &s->status;
	u64 mono = ordo_clock_read_mono(s, cyc);
	u64 elapsed = mono > st->last_update ? mono - st->last_update : 0;
	u64 err;

	err = ordo_u128_sat(ordo_div_u128(ordo_mul_u64(elapsed, st->drift_ppb),
					  ORDO_NSEC_PER_SEC, NULL));
	err = ordo_add_sat(err, st->root_disp);
	err = ordo_add_sat(err, st->root_delay / 2);
	return ordo_add_sat(err, s->slew_ns);
}

static bool ordo_synced(const struct ordo_clock_snap *s, u64 maxerror)
{
	return (s->status.flags & ORDO_CLOCK_ST_SYNCED_ONCE) &&
	       s->status.stratum < ORDO_CLOCK_STRATUM_UNSYNC &&
	       maxerror <= ORDO_CLOCK_MAXERR_UNSYNC_NS;
}

bool ordo_clock_synced(const struct ordo_clock_snap *s, u64 cyc)
{
	return ordo_synced(s, ordo_clock_maxerror(s, cyc));
}

static s64 ordo_add_s64_sat(s64 a, s64 b)
{
	if (b > 0 && a > S64_MAX - b)
		return S64_MAX;
	if (b < 0 && a < S64_MIN - b)
		return S64_MIN;
	return a + b;
}

int ordo_tt_now(const struct ordo_clock_snap *s, u64 cyc, struct ordo_tt *tt)
{
	s64 utc = ordo_clock_read_utc(s, cyc, NULL);
	u64 err = ordo_clock_maxerror(s, cyc);
	s64 e = err > (u64)S64_MAX ? S64_MAX : (s64)err;

	tt->maxerror = err;
	tt->earliest = ordo_add_s64_sat(utc, -e);
	tt->latest = ordo_add_s64_sat(utc, e);
	return ordo_synced(s, err) ? 0 : -ENODATA;
}

bool ordo_tt_after(const struct ordo_clock_snap *s, u64 cyc, s64 t)
{
	struct ordo_tt tt;

	return !ordo_tt_now(s, cyc, &tt) && tt.earliest > t;
}

bool ordo_tt_before(const struct ordo_clock_snap *s, u64 cyc, s64 t)
{
	struct ordo_tt tt;

	return !ordo_tt_now(s, cyc, &tt) && tt.latest < t;
}

/* ------------------------------------------------------------------ */
/* Writer */

static ordo_u128 ordo_slew_get(const struct ordo_clock *c)
{
	return ((ordo_u128)c->slew_hi << 64) | c->slew_lo;
}

static void ordo_slew_put(struct ordo_clock *c, ordo_u128 v, s32 sign)
{
	c->slew_hi = (u64)(v >> 64);
	c->slew_lo = (u64)v;
	c->slew_sign = v ? sign : 0;
}

/* nominal mult * (1 + sppb / (1e9 << 16)), rounded toward nominal */
static u64 ordo_adj_mult(u64 nom, s64 sppb)
{
	u64 mag = sppb < 0 ? -(u64)sppb : (u64)sppb;
	u64 adj = (u64)ordo_div_u128(ordo_mul_u64(nom, mag), ORDO_SPPB_DIV, NULL);

	return sppb < 0 ? nom - adj : nom + adj;
}

/* The mono rate difference while slewing, 2^-shift ns per cycle. */
static u64 ordo_slew_mult(const struct ordo_clock *c, u64 *mult_slew)
{
	s64 rate = (s64)c->slew_rate << ORDO_CLOCK_FREQ_SHIFT;
	u64 after = ordo_adj_mult(c->snap.mult_raw, c->freq);
	u64 m;

	m = ordo_adj_mult(c->snap.mult_raw, c->freq + (c->slew_sign < 0 ? -rate : rate));
	*mult_slew = m;
	return m > after ? m - after : after - m;
}

/*
 * Recompute mult, mult_next and seg_end from freq, the slew rate and the
 * pending slew at the base. A pending slew of less than one cycle's worth
 * is dropped.
 */
static void ordo_recalc(struct ordo_clock *c)
{
	struct ordo_clock_snap *s = &c->snap;
	u64 after = ordo_adj_mult(s->mult_raw, c->freq);
	ordo_u128 rem = ordo_slew_get(c);
	ordo_u128 n;
	u64 slew, dm;

	s->mult = after;
	s->mult_next = after;
	s->seg_end = U64_MAX;
	s->slew_ns = 0;
	if (!rem)
		return;
	dm = ordo_slew_mult(c, &slew);
	n = ordo_div_u128(rem, dm, NULL);
	if (!n) {
		ordo_slew_put(c, 0, 0);
		return;
	}
	s->mult = slew;
	/* A slew too long for 64 bits of cycles does not end before the next update. */
	s->seg_end = ordo_u128_sat(n);
	rem += ((ordo_u128)1 << s->shift) - 1;
	s->slew_ns = ordo_u128_sat(rem >> s->shift);
}

/* Fold the time up to @cyc into the base and account for the slew. */
static void ordo_rebase(struct ordo_clock *c, u64 cyc)
{
	struct ordo_clock_snap *s = &c->snap;
	u64 delta = ordo_snap_delta(s, cyc);
	u64 fmask = s->shift ? (U64_MAX >> (64 - s->shift)) : 0;
	ordo_u128 acc;

	acc = ordo_mono_acc(s, delta);
	s->mono_ns = ordo_add_sat(s->mono_ns, ordo_u128_sat(acc >> s->shift));
	s->mono_frac = (u64)acc & fmask;
	acc = s->raw_frac + ordo_mul_u64(delta, s->mult_raw);
	s->raw_ns = ordo_add_sat(s->raw_ns, ordo_u128_sat(acc >> s->shift));
	s->raw_frac = (u64)acc & fmask;
	s->cycle_last = cyc;

	if (c->slew_sign) {
		if (delta >= s->seg_end) {
			ordo_slew_put(c, 0, 0);
		} else {
			u64 slew, dm = ordo_slew_mult(c, &slew);

			ordo_slew_put(c, ordo_slew_get(c) - ordo_mul_u64(delta, dm), c->slew_sign);
		}
	}
	ordo_recalc(c);
}

int ordo_clock_init(struct ordo_clock *c, u64 hz, u64 mask, u64 cyc, s64 wall_ns)
{
	struct ordo_clock_snap *s = &c->snap;
	u64 mult;
	u32 shift;
	int err;

	if (!ordo_mask_ok(mask))
		return -EINVAL;
	err = ordo_clock_calc_mult64(hz, &mult, &shift);
	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	c->hz = hz;
	c->slew_rate = ORDO_CLOCK_SLEW_RATE_DEFAULT;
	s->cycle_last = cyc & mask;
	s->mask = mask;
	s->mult_raw = mult;
	s->shift = shift;
	s->wall_off = wall_ns;
	s->status.drift_ppb = ORDO_CLOCK_DRIFT_DEFAULT_PPB;
	s->status.stratum = ORDO_CLOCK_STRATUM_UNSYNC;
	ordo_recalc(c);
	return 0;
}

void ordo_clock_update(struct ordo_clock *c, u64 cyc)
{
	ordo_rebase(c, cyc);
	ordo_clock_leap_fold(c, cyc);
}

int ordo_clock_step_by(struct ordo_clock *c, u64 cyc, s64 delta_ns)
{
	s64 off = c->snap.wall_off;

	if ((delta_ns > 0 && off > S64_MAX - delta_ns) ||
	    (delta_ns < 0 && off < S64_MIN - delta_ns))
		return -ERANGE;
	ordo_rebase(c, cyc);
	ordo_slew_put(c, 0, 0);
	ordo_recalc(c);
	c->snap.wall_off = off + delta_ns;
	return 0;
}

int ordo_clock_step_to(struct ordo_clock *c, u64 cyc, s64 wall_ns)
{
	ordo_rebase(c, cyc);
	ordo_slew_put(c, 0, 0);
	ordo_recalc(c);
	/* cont at cyc is mono_ns + wall_off: the fraction is below 1 ns */
	c->snap.wall_off = (s64)((u64)wall_ns - c->snap.mono_ns);
	return 0;
}

int ordo_clock_slew(struct ordo_clock *c, u64 cyc, s64 offset_ns)
{
	ordo_u128 lim = (ordo_u128)ORDO_CLOCK_SLEW_MAX_NS << c->snap.shift;
	ordo_u128 cur, add;
	s32 sign;

	ordo_rebase(c, cyc);
	cur = ordo_slew_get(c);
	sign = c->slew_sign;
	add = (ordo_u128)(offset_ns < 0 ? -(u64)offset_ns : (u64)offset_ns) << c->snap.shift;
	if (!add)
		return 0;
	if (!sign || sign == (offset_ns > 0 ? 1 : -1)) {
		cur += add;
		sign = offset_ns > 0 ? 1 : -1;
	} else if (add > cur) {
		cur = add - cur;
		sign = -sign;
	} else {
		cur -= add;
	}
	if (cur > lim)
		return -ERANGE;
	ordo_slew_put(c, cur, sign);
	ordo_recalc(c);
	return 0;
}

static s64 ordo_slew_ns(ordo_u128 mag, s32 sign, u32 shift)
{
	u64 ns = ordo_u128_sat(mag >> shift);

	return sign < 0 ? -(s64)ns : (s64)ns;
}

s64 ordo_clock_slew_pending(const struct ordo_clock *c, u64 cyc)
{
	const struct ordo_clock_snap *s = &c->snap;
	u64 delta = ordo_snap_delta(s, cyc);
	u64 slew, dm;

	if (!c->slew_sign || delta >= s->seg_end)
		return 0;
	dm = ordo_slew_mult(c, &slew);
	return ordo_slew_ns(ordo_slew_get(c) - ordo_mul_u64(delta, dm), c->slew_sign, s->shift);
}

s64 ordo_clock_slew_cancel(struct ordo_clock *c, u64 cyc)
{
	s64 left;

	ordo_rebase(c, cyc);
	left = ordo_slew_ns(ordo_slew_get(c), c->slew_sign, c->snap.shift);
	ordo_slew_put(c, 0, 0);
	ordo_recalc(c);
	return left;
}

int ordo_clock_set_slew_rate(struct ordo_clock *c, u64 cyc, u32 rate_ppb)
{
	if (!rate_ppb)
		return -EINVAL;
	if (rate_ppb > ORDO_CLOCK_SLEW_RATE_MAX)
		return -ERANGE;
	ordo_rebase(c, cyc);
	c->slew_rate = rate_ppb;
	ordo_recalc(c);
	return 0;
}

int ordo_clock_set_freq_scaled(struct ordo_clock *c, u64 cyc, s64 sppb)
{
	const s64 max = ORDO_CLOCK_FREQ_MAX_PPB << ORDO_CLOCK_FREQ_SHIFT;

	if (sppb > max || sppb < -max)
		return -ERANGE;
	ordo_rebase(c, cyc);
	c->freq = sppb;
	ordo_recalc(c);
	return 0;
}

int ordo_clock_set_freq(struct ordo_clock *c, u64 cyc, s64 ppb)
{
	if (ppb > ORDO_CLOCK_FREQ_MAX_PPB || ppb < -ORDO_CLOCK_FREQ_MAX_PPB)
		return -ERANGE;
	return ordo_clock_set_freq_scaled(c, cyc, ppb * (1LL << ORDO_CLOCK_FREQ_SHIFT));
}

s64 ordo_clock_get_freq_scaled(const struct ordo_clock *c)
{
	return c->freq;
}

/* Re-express a 2^-from ns fraction in 2^-to ns (rounding down). */
static ordo_u128 ordo_reshift(ordo_u128 v, u32 from, u32 to)
{
	return to >= from ? v << (to - from) : v >> (from - to);
}

int ordo_clock_set_source(struct ordo_clock *c, u64 old_cyc, u64 hz, u64 mask, u64 new_cyc)
{
	struct ordo_clock_snap *s = &c->snap;
	u64 mult;
	u32 shift, old;
	int err;

	if (!ordo_mask_ok(mask))
		return -EINVAL;
	err = ordo_clock_calc_mult64(hz, &mult, &shift);
	if (err)
		return err;
	ordo_rebase(c, old_cyc);
	old = s->shift;
	/* Rounding the fractions down keeps the integer ns unchanged. */
	s->mono_frac = (u64)ordo_reshift(s->mono_frac, old, shift);
	s->raw_frac = (u64)ordo_reshift(s->raw_frac, old, shift);
	ordo_slew_put(c, ordo_reshift(ordo_slew_get(c), old, shift), c->slew_sign);
	c->hz = hz;
	s->mask = mask;
	s->mult_raw = mult;
	s->shift = shift;
	s->cycle_last = new_cyc & mask;
	ordo_recalc(c);
	return 0;
}

int ordo_clock_leap_arm(struct ordo_clock *c, u64 cyc, s64 leap_sec, int dir, u32 mode,
			u32 window_sec, s32 tai_off)
{
	struct ordo_leap lp;
	s64 cont;
	int err;

	err = ordo_leap_init(&lp, leap_sec, dir, mode, window_sec);
	if (err)
		return err;
	if (tai_off < 0 || tai_off > ORDO_CLOCK_TAI_MAX)
		return -ERANGE;
	ordo_rebase(c, cyc);
	cont = ordo_cont_of(&c->snap, c->snap.mono_ns);
	if (cont >= ordo_leap_start(&lp))
		return -EINVAL;
	c->snap.leap = lp;
	c->snap.tai_off = tai_off;
	return 0;
}

void ordo_clock_leap_disarm(struct ordo_clock *c)
{
	memset(&c->snap.leap, 0, sizeof(c->snap.leap));
}

bool ordo_clock_leap_fold(struct ordo_clock *c, u64 cyc)
{
	struct ordo_clock_snap *s = &c->snap;
	struct ordo_leap_result lr;
	s64 dir = s->leap.dir;

	if (!dir)
		return false;
	ordo_leap_apply(&s->leap, ordo_cont_of(s, ordo_clock_read_mono(s, cyc)), &lr);
	if (!(lr.flags & ORDO_LEAP_F_DONE))
		return false;
	if (s->leap.mode != ORDO_LEAP_NONE)
		s->wall_off -= dir * (s64)ORDO_NSEC_PER_SEC;
	s->tai_off += (s32)dir;
	ordo_clock_leap_disarm(c);
	return true;
}

int ordo_clock_set_tai_offset(struct ordo_clock *c, s32 tai_off)
{
	if (tai_off < 0 || tai_off > ORDO_CLOCK_TAI_MAX)
		return -ERANGE;
	c->snap.tai_off = tai_off;
	return 0;
}

int ordo_clock_set_sync(struct ordo_clock *c, u64 cyc, const struct ordo_clock_sync *sync)
{
	struct ordo_clock_status *st = &c->snap.status;

	if (sync->stratum > ORDO_CLOCK_STRATUM_UNSYNC)
		return -EINVAL;
	ordo_rebase(c, cyc);
	st->last_update = c->snap.mono_ns;
	st->root_delay = sync->root_delay;
	st->root_disp = sync->root_disp;
	st->est_error = sync->est_error;
	st->stratum = sync->stratum;
	st->flags |= ORDO_CLOCK_ST_SYNCED_ONCE;
	return 0;
}

void ordo_clock_set_unsync(struct ordo_clock *c)
{
	c->snap.status.stratum = ORDO_CLOCK_STRATUM_UNSYNC;
}

int ordo_clock_set_drift_bound(struct ordo_clock *c, u32 drift_ppb)
{
	if (drift_ppb > ORDO_CLOCK_DRIFT_MAX_PPB)
		return -ERANGE;
	c->snap.status.drift_ppb = drift_ppb;
	return 0;
}
