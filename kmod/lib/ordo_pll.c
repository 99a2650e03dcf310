// SPDX-License-Identifier: GPL-2.0
/*
 * NTP PLL/FLL after kernel/time/ntp.c; see ordo_pll.h. The arithmetic is
 * the kernel's, except that left shifts of signed values are written as
 * multiplications (they are undefined for negative values in C).
 */
#include "ordo_pll.h"
#include "ordo_math.h"

#define ORDO_PLL_ONE		0x100000000LL	/* 1 << ORDO_PLL_SCALE_SHIFT */
#define ORDO_PLL_MAXFREQ_SCALED	(ORDO_PLL_MAXFREQ_PPB * ORDO_PLL_ONE)

/* Like the kernel's shift_right(): rounds toward zero. */
static s64 ordo_pll_shr(s64 a, unsigned int s)
{
	return a < 0 ? -(s64)((u64)-a >> s) : (s64)((u64)a >> s);
}

/* Round toward minus infinity. */
static s64 ordo_pll_floor_div(s64 a, s64 b)
{
	s64 q = a / b;

	return (a % b && a < 0) ? q - 1 : q;
}

static s64 ordo_pll_clamp(s64 v, s64 lo, s64 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void ordo_pll_init(struct ordo_pll *p)
{
	memset(p, 0, sizeof(*p));
	p->constant = ORDO_PLL_DEFAULT_TC;
}

int ordo_pll_set_constant(struct ordo_pll *p, int constant)
{
	if (constant < 0 || constant > ORDO_PLL_MAXTC)
		return -EINVAL;
	p->constant = (u32)constant;
	return 0;
}

int ordo_pll_set_mode(struct ordo_pll *p, u32 modes)
{
	if (modes & ~ORDO_PLL_MODES)
		return -EINVAL;
	p->flags = (p->flags & ~ORDO_PLL_MODES) | modes;
	return 0;
}

int ordo_pll_set_freq_scaled(struct ordo_pll *p, s64 sppb)
{
	const s64 max = ORDO_PLL_MAXFREQ_PPB << 16;

	if (sppb > max || sppb < -max)
		return -ERANGE;
	p->freq = sppb * (1LL << (ORDO_PLL_SCALE_SHIFT - 16));
	return 0;
}

/* ntp_update_offset_fll() */
static s64 ordo_pll_fll(struct ordo_pll *p, s64 offset, s64 secs)
{
	p->flags &= ~ORDO_PLL_MODE_FLL;
	if (secs < ORDO_PLL_MINSEC)
		return 0;
	if (!(p->flags & ORDO_PLL_FLL) && secs <= ORDO_PLL_MAXSEC)
		return 0;
	p->flags |= ORDO_PLL_MODE_FLL;
	return offset * (1LL << (ORDO_PLL_SCALE_SHIFT - ORDO_PLL_SHIFT_FLL)) / secs;
}

/* ntp_update_offset() */
void ordo_pll_sample(struct ordo_pll *p, s64 offset_ns, s64 t_sec)
{
	s64 offset, secs, freq_adj, lim;
	unsigned int sh;

	/* ours - reference -> correction to apply */
	offset = offset_ns == S64_MIN ? S64_MAX : -offset_ns;
	offset = ordo_pll_clamp(offset, -ORDO_PLL_MAXPHASE_NS, ORDO_PLL_MAXPHASE_NS);

	secs = (p->flags & ORDO_PLL_HAVE_REF) ? t_sec - p->reftime : 0;
	if ((p->flags & ORDO_PLL_FREQHOLD) || secs < 0)
		secs = 0;
	p->reftime = t_sec;
	p->flags |= ORDO_PLL_HAVE_REF;

	freq_adj = ordo_pll_fll(p, offset, secs);

	/* Reduce the gain with a low sampling rate, to stay stable. */
	lim = 1LL << (ORDO_PLL_SHIFT_PLL + 1 + p->constant);
	if (secs > lim)
		secs = lim;
	sh = ORDO_PLL_SCALE_SHIFT - 2 * (ORDO_PLL_SHIFT_PLL + 2 + p->constant);
	freq_adj += offset * secs * (1LL << sh);

	p->freq = ordo_pll_clamp(p->freq + freq_adj, -ORDO_PLL_MAXFREQ_SCALED,
				 ORDO_PLL_MAXFREQ_SCALED);
	p->offset = offset * ORDO_PLL_ONE;
}

/* The phase part of second_overflow() */
s64 ordo_pll_tick(struct ordo_pll *p)
{
	s64 chunk = ordo_pll_shr(p->offset, ORDO_PLL_SHIFT_PLL + p->constant);
	s64 total, ns;

	p->offset -= chunk;
	total = chunk + p->carry;
	ns = ordo_pll_floor_div(total, ORDO_PLL_ONE);
	p->carry = total - ns * ORDO_PLL_ONE;
	return ns;
}

s64 ordo_pll_freq_scaled(const struct ordo_pll *p)
{
	return ordo_pll_floor_div(p->freq, 1LL << (ORDO_PLL_SCALE_SHIFT - 16));
}

s64 ordo_pll_offset_ns(const struct ordo_pll *p)
{
	return ordo_pll_shr(p->offset, ORDO_PLL_SCALE_SHIFT);
}
