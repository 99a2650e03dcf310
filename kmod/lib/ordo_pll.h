/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NTP-style phase/frequency locked loop for the Ordo clock, modelled on
 * the kernel's kernel/time/ntp.c (ntp_update_offset(),
 * ntp_update_offset_fll() and the phase part of second_overflow()), with
 * the same constants: SHIFT_PLL 2, SHIFT_FLL 2, time constant 0..10,
 * offsets clamped to +-0.5 s (MAXPHASE), frequency to +-500 ppm (MAXFREQ),
 * FLL for update intervals of 256..2048 s (MINSEC..MAXSEC) when asked for
 * and always above 2048 s.
 *
 * Sign convention: a sample is the measured offset of OUR clock versus
 * the reference, ours - reference: positive when our clock is ahead. (This
 * is the opposite sign of adjtimex()'s ADJ_OFFSET, which is the correction
 * to apply.) All outputs are corrections: positive = run faster/advance.
 *
 * Integration with struct ordo_clock (what the simulation in
 * tests/unit/pll_test.c does):
 *   - on each measurement at time t (s, any steady timescale, e.g. mono):
 *       ordo_clock_slew_cancel(clk, cyc);	(the new sample supersedes
 *						 the phase not yet applied)
 *       ordo_pll_sample(pll, offset_ns, t);
 *       ordo_clock_set_freq_scaled(clk, cyc, ordo_pll_freq_scaled(pll));
 *   - once per second (with ordo_clock_update()):
 *       ordo_clock_slew(clk, cyc, ordo_pll_tick(pll));
 *     i.e. the phase is absorbed as in second_overflow(): every second
 *     1/2^(SHIFT_PLL + constant) of the remaining phase correction,
 *     applied as a slew (at the clock's slew rate, so within the second
 *     while the chunk is below the rate: 500 us at 500 ppm).
 * Callers serialise all calls, as for the clock's writer.
 */
#ifndef _ORDO_PLL_H
#define _ORDO_PLL_H

#include "ordo_compat.h"

#define ORDO_PLL_SHIFT_PLL	2
#define ORDO_PLL_SHIFT_FLL	2
#define ORDO_PLL_MAXTC		10
#define ORDO_PLL_MAXPHASE_NS	500000000LL	/* 0.5 s */
#define ORDO_PLL_MAXFREQ_PPB	500000LL	/* 500 ppm */
#define ORDO_PLL_MINSEC		256
#define ORDO_PLL_MAXSEC		2048
#define ORDO_PLL_SCALE_SHIFT	32		/* NTP_SCALE_SHIFT */
#define ORDO_PLL_DEFAULT_TC	2

/* ordo_pll.flags: modes set by the caller */
#define ORDO_PLL_FLL		0x1U	/* STA_FLL: FLL for long intervals */
#define ORDO_PLL_FREQHOLD	0x2U	/* STA_FREQHOLD: keep the frequency */
#define ORDO_PLL_MODES		(ORDO_PLL_FLL | ORDO_PLL_FREQHOLD)
/* status, read only */
#define ORDO_PLL_HAVE_REF	0x100U	/* a sample has been taken */
#define ORDO_PLL_MODE_FLL	0x200U	/* STA_MODE: last update used the FLL */

/*
 * struct ordo_pll
 * @offset:    phase correction not yet handed out by ordo_pll_tick(),
 *             ns << 32
 * @freq:      frequency correction, ns/s << 32 (time_freq)
 * @reftime:   time of the last sample, s
 * @carry:     sub-ns part carried between ticks, ns << 32, 0..2^32-1
 * @constant:  time constant, 0..10
 * @flags:     ORDO_PLL_*
 */
struct ordo_pll {
	s64 offset;
	s64 freq;
	s64 reftime;
	s64 carry;
	u32 constant;
	u32 flags;
};

/* Zero phase and frequency, time constant 2, PLL mode. */
void ordo_pll_init(struct ordo_pll *p);
/* -EINVAL outside 0..ORDO_PLL_MAXTC */
int ordo_pll_set_constant(struct ordo_pll *p, int constant);
/* ORDO_PLL_FLL / ORDO_PLL_FREQHOLD; -EINVAL for other bits */
int ordo_pll_set_mode(struct ordo_pll *p, u32 modes);
/* Set the frequency (e.g. from a drift file), sppb; -ERANGE beyond 500 ppm */
int ordo_pll_set_freq_scaled(struct ordo_pll *p, s64 sppb);

/*
 * ordo_pll_sample - feed a measurement: @offset_ns = ours - reference at
 * time @t_sec. Updates the frequency and replaces the phase correction
 * (clamped to +-0.5 s; larger offsets should be stepped).
 */
void ordo_pll_sample(struct ordo_pll *p, s64 offset_ns, s64 t_sec);

/*
 * ordo_pll_tick - call once per second: returns the phase correction for
 * this second in ns (positive: advance the clock), to pass to
 * ordo_clock_slew().
 */
s64 ordo_pll_tick(struct ordo_pll *p);

/* The frequency correction in ppb << 16, for ordo_clock_set_freq_scaled(). */
s64 ordo_pll_freq_scaled(const struct ordo_pll *p);

/* The phase correction not yet handed out, ns. */
s64 ordo_pll_offset_ns(const struct ordo_pll *p);

#endif /* _ORDO_PLL_H */
