/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leap second handling for the Ordo clock: a pure function from a leap
 * configuration and a continuous time value to UTC.
 *
 * Timescales (all in ns):
 *   cont - the clock's "continuous UTC": UTC as if no leap second were
 *          pending. It is mono + wall offset (see ordo_clock.h) and never
 *          jumps at a leap.
 *   UTC  - cont with the pending leap applied: ordo_leap_apply().
 *   TAI  - cont + TAI-UTC offset (in s) of before the leap. In STEP and
 *          SMEAR mode TAI is continuous through the leap.
 *
 * When ordo_leap_apply() reports ORDO_LEAP_F_DONE, the writer folds the
 * leap into the clock (ordo_clock_leap_fold(), which ordo_clock_update()
 * calls): cont -= dir * 1 s, TAI-UTC += dir, disarm. Folding changes no
 * reading: readers of a snapshot taken before the fold get the same UTC
 * and TAI as after it, so the fold may come late.
 *
 * Modes, for a leap at UTC second L (the midnight that ends the day with
 * the leap, a multiple of 86400 in Unix time) and dir = +1 (insertion) or
 * -1 (deletion):
 *
 *  ORDO_LEAP_STEP (what the kernel does):
 *   insertion: cont in [L, L + 1 s) reads as UTC L - 1 s + (cont - L), i.e.
 *   23:59:59 repeats, with ORDO_LEAP_F_IN_LEAP set so that a display can
 *   show 23:59:60; DONE from cont = L + 1 s (UTC 00:00:00).
 *   deletion: from cont = L - 1 s UTC is cont + 1 s: 23:59:58.999... is
 *   followed by 00:00:00, 23:59:59 never occurs; DONE from there.
 *
 *  ORDO_LEAP_SMEAR: the second is spread linearly over a window of W
 *   seconds (default 86400) centred on the leap: UTC runs from L - W/2 to
 *   L + W/2 (noon to noon for W = 86400) while cont runs W + dir seconds.
 *   UTC = cont - dir * f * 1 s with f going linearly from 0 to 1 across the
 *   window: f = 1/2 exactly when UTC reaches L, f = 1 exactly at the end.
 *   The rate change is dir / (W + dir) (-11.57 ppm for an insertion over
 *   86400 s). ORDO_LEAP_F_SMEARING is set inside the window. UTC is
 *   monotonic through the window (f is rounded so that it never makes UTC
 *   go back by a nanosecond).
 *
 *  ORDO_LEAP_NONE: the leap is ignored by UTC, which keeps counting and
 *   so ends up dir seconds off true UTC; the time daemon is expected to
 *   correct that error like any other offset (step or slew). The TAI-UTC
 *   offset is nevertheless updated at L (DONE from cont = L): TAI is then
 *   derived from the uncorrected UTC, so it jumps by dir at L and becomes
 *   right again once the daemon has corrected UTC.
 */
#ifndef _ORDO_LEAP_H
#define _ORDO_LEAP_H

#include <linux/ordo.h>

#include "ordo_compat.h"

enum ordo_leap_mode {
	ORDO_LEAP_STEP = ORDO_CLOCK_LEAP_MODE_STEP,
	ORDO_LEAP_SMEAR = ORDO_CLOCK_LEAP_MODE_SMEAR,
	ORDO_LEAP_NONE = ORDO_CLOCK_LEAP_MODE_IGNORE,
	__ORDO_LEAP_MODE_CNT
};

#define ORDO_LEAP_INSERT	1
#define ORDO_LEAP_DELETE	(-1)

#define ORDO_LEAP_DAY_SEC		86400
#define ORDO_LEAP_SMEAR_DEFAULT_SEC	86400U
/* Window bounds: a deletion needs more than 2 s; at most a week. */
#define ORDO_LEAP_SMEAR_MIN_SEC		4U
#define ORDO_LEAP_SMEAR_MAX_SEC		(7U * 86400U)

/* ordo_leap_result.flags */
/* The first three are the UAPI's ORDO_CLOCK_LEAP_F_* (netlink, page). */
#define ORDO_LEAP_F_ARMED	ORDO_CLOCK_LEAP_F_ARMED	/* a leap is configured */
#define ORDO_LEAP_F_IN_LEAP	ORDO_CLOCK_LEAP_F_IN_LEAP /* STEP insertion: 23:59:60 */
#define ORDO_LEAP_F_SMEARING	ORDO_CLOCK_LEAP_F_SMEARING /* SMEAR: in the window */
#define ORDO_LEAP_F_DONE	0x8U	/* leap complete: fold it */

/*
 * struct ordo_leap_result
 * @utc:         UTC ns since the Unix epoch
 * @tai_adj:     seconds to add to the stored TAI-UTC offset to get the one
 *               in effect (non-zero only between DONE and the fold)
 * @flags:       ORDO_LEAP_F_*
 */
struct ordo_leap_result {
	s64 utc;
	s32 tai_adj;
	u32 flags;
};

/*
 * ordo_leap_init - fill @lp for a leap at UTC second @leap_sec.
 * @dir: ORDO_LEAP_INSERT or ORDO_LEAP_DELETE
 * @mode: enum ordo_leap_mode
 * @window_sec: SMEAR window in seconds, 0 for the default (86400), else
 *              within ORDO_LEAP_SMEAR_MIN_SEC..ORDO_LEAP_SMEAR_MAX_SEC
 *
 * Returns 0, or -EINVAL if @leap_sec is not a positive multiple of 86400
 * (the end of a UTC day), or @dir, @mode or @window_sec is invalid.
 */
int ordo_leap_init(struct ordo_leap *lp, s64 leap_sec, int dir, u32 mode, u32 window_sec);

/* ordo_leap_start - the first cont ns at which the leap changes UTC. */
s64 ordo_leap_start(const struct ordo_leap *lp);

/* ordo_leap_apply - UTC at continuous time @cont (pure function). */
void ordo_leap_apply(const struct ordo_leap *lp, s64 cont, struct ordo_leap_result *res);

#endif /* _ORDO_LEAP_H */
