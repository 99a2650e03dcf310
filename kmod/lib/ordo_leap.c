// SPDX-License-Identifier: GPL-2.0
/*
 * Leap seconds: step (23:59:60 repeats 23:59:59), linear smear, or none.
 * See ordo_leap.h for the timescales and the exact rules.
 */
#include "ordo_leap.h"
#include "ordo_math.h"

int ordo_leap_init(struct ordo_leap *lp, s64 leap_sec, int dir, u32 mode, u32 window_sec)
{
	ordo_u128 num;
	u64 len, rem, mult;

	if (leap_sec <= 0 || leap_sec % ORDO_LEAP_DAY_SEC)
		return -EINVAL;
	/* Keep every ns value below used in range of s64. */
	if (leap_sec > S64_MAX / (s64)ORDO_NSEC_PER_SEC - 8 * ORDO_LEAP_DAY_SEC)
		return -EINVAL;
	if (dir != ORDO_LEAP_INSERT && dir != ORDO_LEAP_DELETE)
		return -EINVAL;
	if (mode >= __ORDO_LEAP_MODE_CNT)
		return -EINVAL;
	if (!window_sec)
		window_sec = ORDO_LEAP_SMEAR_DEFAULT_SEC;
	if (window_sec < ORDO_LEAP_SMEAR_MIN_SEC || window_sec > ORDO_LEAP_SMEAR_MAX_SEC)
		return -EINVAL;

	memset(lp, 0, sizeof(*lp));
	lp->leap_sec = leap_sec;
	lp->dir = dir;
	lp->mode = mode;
	if (mode != ORDO_LEAP_SMEAR)
		return 0;

	lp->window_sec = window_sec;
	lp->smear_start = leap_sec * (s64)ORDO_NSEC_PER_SEC -
			  (s64)window_sec * (s64)(ORDO_NSEC_PER_SEC / 2);
	len = ((u64)window_sec + dir) * ORDO_NSEC_PER_SEC;
	lp->smear_len = len;
	/*
	 * Rounding the multiplier up makes the correction exactly 1 s at
	 * x = len, exactly 1/2 s at x = len / 2 and never more than 1 s.
	 */
	num = (ordo_u128)ORDO_NSEC_PER_SEC << 64;
	mult = (u64)ordo_div_u128(num, len, &rem);
	if (rem)
		mult++;
	lp->smear_mult = mult;
	return 0;
}

s64 ordo_leap_start(const struct ordo_leap *lp)
{
	s64 l = lp->leap_sec * (s64)ORDO_NSEC_PER_SEC;

	if (!lp->dir)
		return S64_MAX;
	switch (lp->mode) {
	case ORDO_LEAP_SMEAR:
		return lp->smear_start;
	case ORDO_LEAP_STEP:
		return lp->dir > 0 ? l : l - (s64)ORDO_NSEC_PER_SEC;
	default:
		return l;
	}
}

void ordo_leap_apply(const struct ordo_leap *lp, s64 cont, struct ordo_leap_result *res)
{
	const s64 sec = (s64)ORDO_NSEC_PER_SEC;
	s64 l = lp->leap_sec * sec;
	s64 dir = lp->dir;
	u64 x, f;

	res->utc = cont;
	res->tai_adj = 0;
	res->flags = 0;
	if (!dir)
		return;
	res->flags = ORDO_LEAP_F_ARMED;

	switch (lp->mode) {
	case ORDO_LEAP_STEP:
		if (dir > 0) {
			if (cont < l)
				return;
			res->utc = cont - sec;
			if (cont < l + sec)
				res->flags |= ORDO_LEAP_F_IN_LEAP;
			else
				res->flags |= ORDO_LEAP_F_DONE;
		} else {
			if (cont < l - sec)
				return;
			res->utc = cont + sec;
			res->flags |= ORDO_LEAP_F_DONE;
		}
		return;
	case ORDO_LEAP_SMEAR:
		if (cont < lp->smear_start)
			return;
		x = (u64)(cont - lp->smear_start);
		if (x >= lp->smear_len) {
			res->utc = cont - dir * sec;
			res->flags |= ORDO_LEAP_F_DONE;
			return;
		}
		/* f in [0, 1e9]: the part of the second applied so far */
		f = ordo_mul_u64_shr(x, lp->smear_mult, 64);
		res->utc = cont - dir * (s64)f;
		res->flags |= ORDO_LEAP_F_SMEARING;
		return;
	default:
		if (cont < l)
			return;
		res->tai_adj = (s32)dir;
		res->flags |= ORDO_LEAP_F_DONE;
		return;
	}
}
