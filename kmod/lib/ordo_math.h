/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 64x64->128 bit arithmetic for the clock code in kmod/lib, the same in
 * ordo.ko and in userspace.
 *
 * Products use unsigned __int128, which GCC expands inline on 64-bit
 * targets (the kernel's own mul_u64_u64_shr() does the same when
 * CONFIG_ARCH_SUPPORTS_INT128 is set). Division of a 128-bit value is
 * done here with 64-bit operations only, because the kernel does not link
 * the compiler's __udivti3. Nothing here allocates, locks or uses floating
 * point.
 */
#ifndef _ORDO_MATH_H
#define _ORDO_MATH_H

#include "ordo_compat.h"

#ifdef __KERNEL__
#include <linux/math64.h>
#if !defined(CONFIG_ARCH_SUPPORTS_INT128) || !defined(__SIZEOF_INT128__)
#error "ordo clock code needs 128-bit integer support (64-bit architecture)"
#endif
#else
#ifndef U64_MAX
#define U64_MAX ((u64)~0ULL)
#endif
#ifndef S64_MAX
#define S64_MAX ((s64)(U64_MAX >> 1))
#endif
#ifndef S64_MIN
#define S64_MIN (-S64_MAX - 1)
#endif
#ifndef U32_MAX
#define U32_MAX ((u32)~0U)
#endif
#endif

#define ordo_u128 unsigned __int128

#define ORDO_NSEC_PER_SEC ((u64)1000000000ULL)

static inline ordo_u128 ordo_mul_u64(u64 a, u64 b)
{
	return (ordo_u128)a * b;
}

/* (a * b) >> shift, truncated to 64 bits; shift < 128. */
static inline u64 ordo_mul_u64_shr(u64 a, u64 b, unsigned int shift)
{
#ifdef __KERNEL__
	if (shift < 64)
		return mul_u64_u64_shr(a, b, shift);
#endif
	return (u64)(ordo_mul_u64(a, b) >> shift);
}

/* 64-bit division with remainder. */
static inline u64 ordo_div_u64_rem(u64 n, u64 d, u64 *rem)
{
#ifdef __KERNEL__
	return div64_u64_rem(n, d, rem);
#else
	*rem = n % d;
	return n / d;
#endif
}

static inline u64 ordo_div_u64(u64 n, u64 d)
{
	u64 rem;

	return ordo_div_u64_rem(n, d, &rem);
}

/*
 * ordo_div_u128 - divide a 128-bit value by a non-zero 64-bit divisor.
 * Returns the quotient (which may exceed 64 bits) and stores the
 * remainder in *rem when rem is not NULL.
 */
static inline ordo_u128 ordo_div_u128(ordo_u128 n, u64 d, u64 *rem)
{
	u64 hi = (u64)(n >> 64);
	u64 lo = (u64)n;
	u64 qhi, r, qlo = 0;
	int i;

	qhi = ordo_div_u64_rem(hi, d, &r);
	if (!r) {
		u64 r2;

		qlo = ordo_div_u64_rem(lo, d, &r2);
		if (rem)
			*rem = r2;
		return ((ordo_u128)qhi << 64) | qlo;
	}
	/* Long division of (r:lo) by d, one bit at a time; r < d. */
	for (i = 63; i >= 0; i--) {
		bool carry = r >> 63;

		r = (r << 1) | ((lo >> i) & 1);
		if (carry || r >= d) {
			r -= d;
			qlo |= 1ULL << i;
		}
	}
	if (rem)
		*rem = r;
	return ((ordo_u128)qhi << 64) | qlo;
}

/* Saturate a 128-bit value to 64 bits. */
static inline u64 ordo_u128_sat(ordo_u128 v)
{
	return (v >> 64) ? U64_MAX : (u64)v;
}

/* Saturating unsigned 64-bit addition. */
static inline u64 ordo_add_sat(u64 a, u64 b)
{
	return a + b < a ? U64_MAX : a + b;
}

#endif /* _ORDO_MATH_H */
