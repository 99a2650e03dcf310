/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Ordo disciplined clock: pure C, shared by ordo.ko, libordo and the
 * host unit tests. No allocation, no locking, no floating point.
 *
 * Time is read from a free-running hardware counter (TSC, HPET, ...) of
 * known nominal frequency whose value may wrap at @mask (a 32-bit HPET
 * wraps every 300 s). All arithmetic is exact 64x64->128 bit.
 *
 * Clocks (all ns):
 *   mono_raw - counter scaled at the nominal frequency, never corrected.
 *   mono     - disciplined: nominal rate * (1 + freq + active slew rate).
 *              Slewed, never stepped, monotonic. Starts at 0 at init.
 *   cont     - mono + wall offset: UTC without the pending leap second.
 *              Stepped by ordo_clock_step_*() (may go backward).
 *   utc      - cont with the armed leap second applied (ordo_leap.h).
 *   tai      - cont + TAI-UTC: continuous through STEP and SMEAR leaps.
 *
 * Split between writer and readers:
 *   struct ordo_clock is the writer's state. It embeds the reader snapshot
 *   struct ordo_clock_snap (@snap), a fixed-size POD without pointers. All
 *   ordo_clock_*() writer functions take the current counter value, first
 *   fold the time elapsed since the last call into the snapshot base
 *   (exactly, in units of 2^-shift ns) and then change what they change.
 *   The callers serialise writers. After each writer call the kernel
 *   publishes a copy of @snap (seqcount, mmap page). Readers call
 *   ordo_clock_read() and friends: pure functions of a snapshot and a
 *   counter value.
 *
 *   To keep mono monotonic across a publish, the writer must read the
 *   counter value it passes in *inside* the write side of the seqcount
 *   (after write_seqcount_begin()): any reader that completes with the old
 *   snapshot then read the counter no later than the writer did, and the
 *   new base is exactly the old snapshot's value at the writer's counter.
 *
 *   The writer must call ordo_clock_update() at least once per
 *   ordo_clock_max_interval_ns() (the counter wrap period; ~300 s for a
 *   32-bit HPET), in practice every second: that is also when a completed
 *   leap second is folded. A slew that ends between two updates is
 *   handled by the readers: the snapshot records the cycle (from the
 *   base) at which the slew ends and the rate after it, so readers never
 *   overshoot and mono never goes back when the update comes late.
 *
 * Units: frequencies are ppb (ns/s) or "sppb" = ppb << 16 (the PLL's
 * resolution); offsets are ns, positive = the clock is advanced.
 */
#ifndef _ORDO_CLOCK_H
#define _ORDO_CLOCK_H

#include <linux/ordo.h>

#include "ordo_compat.h"
#include "ordo_leap.h"
#include "ordo_math.h"

#define ORDO_CLOCK_MIN_HZ		1000ULL
#define ORDO_CLOCK_MAX_HZ		100000000000ULL	/* 100 GHz */

/* Frequency correction: ppb << ORDO_CLOCK_FREQ_SHIFT ("sppb") */
#define ORDO_CLOCK_FREQ_SHIFT		16
#define ORDO_CLOCK_FREQ_MAX_PPB		500000LL	/* +-500 ppm */

/* Slew: rate in ppb, default 500 ppm, at most 10 % */
#define ORDO_CLOCK_SLEW_RATE_DEFAULT	500000U
#define ORDO_CLOCK_SLEW_RATE_MAX	100000000U
/* Largest pending slew, in ns (1 h): step beyond that */
#define ORDO_CLOCK_SLEW_MAX_NS		3600000000000LL

/* Error bound */
#define ORDO_CLOCK_DRIFT_DEFAULT_PPB	200000U		/* 200 ppm */
#define ORDO_CLOCK_DRIFT_MAX_PPB	100000000U	/* 10 % */
#define ORDO_CLOCK_MAXERR_UNSYNC_NS	16000000000ULL	/* 16 s */
#define ORDO_CLOCK_STRATUM_UNSYNC	16U
#define ORDO_CLOCK_TAI_MAX		1000000

/* ordo_clock_status.flags */
#define ORDO_CLOCK_ST_SYNCED_ONCE	0x1	/* ordo_clock_set_sync() called */

/*
 * struct ordo_clock - the writer's state. Touch only through the
 * functions below; publish @snap to readers after each call.
 */
struct ordo_clock {
	struct ordo_clock_snap snap;
	u64 hz;			/* nominal counter frequency */
	s64 freq;		/* sppb */
	u64 slew_hi;		/* |pending slew| at the base, 2^-shift ns */
	u64 slew_lo;
	s32 slew_sign;		/* -1, 0, 1 */
	u32 slew_rate;		/* ppb */
};

/* struct ordo_clock_time - the result of ordo_clock_read(). */
struct ordo_clock_time {
	u64 mono_raw;		/* ns */
	u64 mono;		/* ns */
	s64 utc;		/* ns since the Unix epoch, leap applied */
	s64 tai;		/* ns since the TAI epoch of 1970 */
	s32 tai_off;		/* TAI - UTC in effect, whole s */
	u32 leap_flags;		/* ORDO_LEAP_F_*; IN_LEAP: show 23:59:60 */
};

/* struct ordo_tt - TrueTime interval: true UTC is within [earliest, latest] */
struct ordo_tt {
	s64 earliest;
	s64 latest;
	u64 maxerror;
};

/* ------------------------------------------------------------------ */
/* Scaling */

/*
 * ordo_clock_calc_mult_shift - the kernel's clocks_calc_mult_shift():
 * mult and shift to convert @from Hz to @to Hz as (x * mult) >> shift in
 * 64 bits without overflow for @maxsec seconds of input, with the best
 * precision. Here only for 64-bit-only fast paths; the clock itself uses
 * ordo_clock_calc_mult64() and 128-bit products.
 */
void ordo_clock_calc_mult_shift(u32 *mult, u32 *shift, u32 from, u32 to, u32 maxsec);

/*
 * ordo_clock_calc_mult64 - ns per cycle of a @hz counter as a 64-bit
 * mult with the largest shift (<= 63) that keeps mult <= 2^62, which
 * leaves room for +-10 % of correction below 2^63. With 128-bit products
 * no counter delta (<= 2^64 - 1) can overflow. Returns -EINVAL if @hz is
 * outside ORDO_CLOCK_MIN_HZ..ORDO_CLOCK_MAX_HZ.
 */
int ordo_clock_calc_mult64(u64 hz, u64 *mult, u32 *shift);

/* (cyc - last) & mask: elapsed cycles of a counter that wraps at mask. */
static inline u64 ordo_clock_delta(u64 cyc, u64 last, u64 mask)
{
	return (cyc - last) & mask;
}

/* ordo_clock_cyc2ns - (cycles * mult) >> shift, exact, saturated at U64_MAX. */
u64 ordo_clock_cyc2ns(u64 cycles, u64 mult, u32 shift);

/* ------------------------------------------------------------------ */
/* Readers: pure functions of a snapshot and a counter value */

void ordo_clock_read(const struct ordo_clock_snap *s, u64 cyc, struct ordo_clock_time *t);
u64 ordo_clock_read_mono(const struct ordo_clock_snap *s, u64 cyc);
u64 ordo_clock_read_raw(const struct ordo_clock_snap *s, u64 cyc);
/* UTC ns; *leap_flags (may be NULL) gets ORDO_LEAP_F_* */
s64 ordo_clock_read_utc(const struct ordo_clock_snap *s, u64 cyc, u32 *leap_flags);

/*
 * ordo_clock_read_utc(s, cyc, NULL), inline for the common case: @cyc in
 * the snapshot's first rate segment and no leap second armed (the HLC
 * reads UTC on every stamped datagram; the out-of-line calls cost more
 * than the arithmetic). tests/unit/clock_test.c checks both agree.
 */
static inline s64 ordo_clock_read_utc_inl(const struct ordo_clock_snap *s,
					  u64 cyc)
{
	u64 delta = ordo_clock_delta(cyc, s->cycle_last, s->mask);
	ordo_u128 acc;

	if (delta > s->seg_end || s->leap.dir)
		return ordo_clock_read_utc(s, cyc, NULL);
	acc = s->mono_frac + ordo_mul_u64(delta, s->mult);
	return (s64)(ordo_add_sat(s->mono_ns, ordo_u128_sat(acc >> s->shift)) +
		     (u64)s->wall_off);
}

/* Counter wrap period in ns: the longest allowed gap between updates. */
u64 ordo_clock_max_interval_ns(const struct ordo_clock_snap *s);

/*
 * ordo_clock_maxerror - bound on |utc - true UTC| at @cyc, in ns:
 * root_disp + root_delay / 2 + drift_ppb * (mono - last_update) / 1e9
 * + |pending slew at the last update| (saturating).
 */
u64 ordo_clock_maxerror(const struct ordo_clock_snap *s, u64 cyc);

/*
 * ordo_clock_synced - false before the first ordo_clock_set_sync(), with
 * stratum 16, or once maxerror exceeds ORDO_CLOCK_MAXERR_UNSYNC_NS.
 */
bool ordo_clock_synced(const struct ordo_clock_snap *s, u64 cyc);

/*
 * TrueTime (Spanner): TT.now() = [utc - maxerror, utc + maxerror].
 * ordo_tt_now() fills @tt and returns 0, or -ENODATA (still filling @tt)
 * when the clock is not synchronised. ordo_tt_after(t) is true iff t has
 * definitely passed (earliest > t); ordo_tt_before(t) iff t has
 * definitely not arrived (latest < t). Both are false when unsynchronised.
 */
int ordo_tt_now(const struct ordo_clock_snap *s, u64 cyc, struct ordo_tt *tt);
bool ordo_tt_after(const struct ordo_clock_snap *s, u64 cyc, s64 t);
bool ordo_tt_before(const struct ordo_clock_snap *s, u64 cyc, s64 t);

/* ------------------------------------------------------------------ */
/* Writer. @cyc is always the current counter value (see above). */

/*
 * ordo_clock_init - start a clock on a counter of @hz nominal Hz that
 * wraps at @mask (2^n - 1), currently at @cyc, with cont = @wall_ns.
 * mono and mono_raw start at 0. No freq correction, slew rate 500 ppm,
 * TAI-UTC 0, no leap, unsynchronised (stratum 16), drift bound 200 ppm.
 * Returns -EINVAL for a bad @hz or @mask.
 */
int ordo_clock_init(struct ordo_clock *c, u64 hz, u64 mask, u64 cyc, s64 wall_ns);

/*
 * ordo_clock_update - fold the time up to @cyc into the base, end a slew
 * that has finished and fold a completed leap second. Call periodically
 * (every second) and at least every ordo_clock_max_interval_ns().
 */
void ordo_clock_update(struct ordo_clock *c, u64 cyc);

/*
 * Step cont (and so UTC and TAI) to @wall_ns / by @delta_ns. mono does not
 * move. A pending slew is cancelled (as settimeofday() clears the kernel's
 * time_offset). An armed leap stays armed: its UTC second is compared to
 * the new time. -ERANGE if the offset would overflow.
 */
int ordo_clock_step_to(struct ordo_clock *c, u64 cyc, s64 wall_ns);
int ordo_clock_step_by(struct ordo_clock *c, u64 cyc, s64 delta_ns);

/*
 * ordo_clock_slew - add @offset_ns to the pending slew (chrony style
 * accumulation): mono (and cont) run faster (offset > 0) or slower by the
 * slew rate until it has been absorbed, to within one counter cycle's
 * worth. -ERANGE if the pending slew would exceed ORDO_CLOCK_SLEW_MAX_NS.
 */
int ordo_clock_slew(struct ordo_clock *c, u64 cyc, s64 offset_ns);
/* ordo_clock_slew_cancel - stop slewing; returns what was still pending. */
s64 ordo_clock_slew_cancel(struct ordo_clock *c, u64 cyc);
/* ordo_clock_slew_pending - the slew not yet absorbed at @cyc (ns). */
s64 ordo_clock_slew_pending(const struct ordo_clock *c, u64 cyc);

/*
 * ordo_clock_set_slew_rate - slew rate in ppb: -EINVAL for 0, -ERANGE above
 * ORDO_CLOCK_SLEW_RATE_MAX. A slew in progress continues at the new rate.
 */
int ordo_clock_set_slew_rate(struct ordo_clock *c, u64 cyc, u32 rate_ppb);

/*
 * Frequency correction (positive = faster), in ppb or in sppb (ppb << 16);
 * -ERANGE beyond +-ORDO_CLOCK_FREQ_MAX_PPB.
 */
int ordo_clock_set_freq(struct ordo_clock *c, u64 cyc, s64 ppb);
int ordo_clock_set_freq_scaled(struct ordo_clock *c, u64 cyc, s64 sppb);
s64 ordo_clock_get_freq_scaled(const struct ordo_clock *c);

/*
 * ordo_clock_set_source - switch to another counter: @old_cyc is the old
 * counter's value and @new_cyc the new one's, read back to back. mono,
 * mono_raw and cont continue from their values at @old_cyc (they stand
 * still for the time between the two reads), freq and a pending slew are
 * kept. -EINVAL for a bad @hz or @mask (nothing changed).
 */
int ordo_clock_set_source(struct ordo_clock *c, u64 old_cyc, u64 hz, u64 mask, u64 new_cyc);

/*
 * ordo_clock_leap_arm - arm a leap second at the end of a UTC day (see
 * ordo_leap.h): @leap_sec is the UTC second of the following midnight,
 * @dir ORDO_LEAP_INSERT or ORDO_LEAP_DELETE, @mode enum ordo_leap_mode,
 * @window_sec the SMEAR window (0 = 86400), @tai_off the TAI-UTC offset
 * before the leap. Replaces an armed leap. -EINVAL for bad arguments or
 * when the leap would already have started to change UTC at @cyc; -ERANGE
 * for @tai_off outside 0..ORDO_CLOCK_TAI_MAX.
 */
int ordo_clock_leap_arm(struct ordo_clock *c, u64 cyc, s64 leap_sec, int dir, u32 mode,
			u32 window_sec, s32 tai_off);
void ordo_clock_leap_disarm(struct ordo_clock *c);
/*
 * ordo_clock_leap_fold - if the armed leap is complete at @cyc, fold it
 * (cont -= dir s unless mode NONE, TAI-UTC += dir, disarm) and return true.
 * Readings do not change. ordo_clock_update() calls it.
 */
bool ordo_clock_leap_fold(struct ordo_clock *c, u64 cyc);
int ordo_clock_set_tai_offset(struct ordo_clock *c, s32 tai_off);

/*
 * struct ordo_clock_sync - what the time daemon reports with each update.
 * @root_delay, @root_disp, @est_error: ns
 * @stratum: 0..16 (16 = unsynchronised)
 */
struct ordo_clock_sync {
	u64 root_delay;
	u64 root_disp;
	u64 est_error;
	u32 stratum;
};

/*
 * ordo_clock_set_sync - record a synchronisation at @cyc (last_update =
 * mono at @cyc). -EINVAL for a stratum above 16.
 */
int ordo_clock_set_sync(struct ordo_clock *c, u64 cyc, const struct ordo_clock_sync *sync);
void ordo_clock_set_unsync(struct ordo_clock *c);
/* ordo_clock_set_drift_bound - -ERANGE above ORDO_CLOCK_DRIFT_MAX_PPB */
int ordo_clock_set_drift_bound(struct ordo_clock *c, u32 drift_ppb);

#endif /* _ORDO_CLOCK_H */
