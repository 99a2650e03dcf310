// SPDX-License-Identifier: GPL-2.0
/*
 * libordo: how two vector timestamps relate (before, after, concurrent,
 * equal), by the shared rule of kmod/lib/ordo_lclock.c, for timestamps
 * an application holds as uint64_t arrays (e.g. from the SOL_ORDO
 * control message).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "libordo.h"
#include "ordo_lclock.h"

_Static_assert((int)ORDO_VCLOCK_EQUAL == (int)ORDO_VC_EQUAL &&
	       (int)ORDO_VCLOCK_BEFORE == (int)ORDO_VC_BEFORE &&
	       (int)ORDO_VCLOCK_AFTER == (int)ORDO_VC_AFTER &&
	       (int)ORDO_VCLOCK_CONCURRENT == (int)ORDO_VC_CONCURRENT,
	       "libordo's order values are the shared ones");

int ordo_vclock_order(const uint64_t *a, const uint64_t *b, uint32_t n)
{
	__u64 x[ORDO_VC_MAX], y[ORDO_VC_MAX];

	if (!a || !b || n > ORDO_VC_MAX)
		return -EINVAL;
	/* uint64_t and __u64 are distinct types of the same size */
	memcpy(x, a, n * sizeof(*x));
	memcpy(y, b, n * sizeof(*y));
	return ordo_vc_compare(x, y, n);
}

const char *ordo_vclock_order_name(int order)
{
	static const char *const names[] = {
		[ORDO_VCLOCK_EQUAL] = "equal",
		[ORDO_VCLOCK_BEFORE] = "before",
		[ORDO_VCLOCK_AFTER] = "after",
		[ORDO_VCLOCK_CONCURRENT] = "concurrent",
	};

	if (order < 0 || (size_t)order >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[order];
}
