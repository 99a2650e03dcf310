// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - statistics counters.
 *
 * Counters are atomic64_t: exact, cheap enough at netlink request rates and
 * readable without any lock.  They start at zero on every module load.
 */

#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/ordo.h>
#include <linux/string.h>

#include "stats.h"

static const char * const ordo_stat_names[] = {
	[ORDO_STAT_GET_INFO_REQUESTS]	= "get_info_requests",
	[ORDO_STAT_GET_INFO_ERRORS]	= "get_info_errors",
	[ORDO_STAT_STATS_GET_REQUESTS]	= "stats_get_requests",
	[ORDO_STAT_STATS_GET_ERRORS]	= "stats_get_errors",
	[ORDO_STAT_STATS_DUMP_REQUESTS]	= "stats_dump_requests",
	[ORDO_STAT_STATS_DUMP_ERRORS]	= "stats_dump_errors",
	[ORDO_STAT_STATS_DUMP_MESSAGES]	= "stats_dump_messages",
	[ORDO_STAT_CLOCK_GET_REQUESTS]	= "clock_get_requests",
	[ORDO_STAT_CLOCK_GET_ERRORS]	= "clock_get_errors",
	[ORDO_STAT_CLOCK_SET_REQUESTS]	= "clock_set_requests",
	[ORDO_STAT_CLOCK_SET_ERRORS]	= "clock_set_errors",
	[ORDO_STAT_CLOCK_NTF_MESSAGES]	= "clock_ntf_messages",
	[ORDO_STAT_LCLOCK_ADD_REQUESTS]	= "lclock_add_requests",
	[ORDO_STAT_LCLOCK_ADD_ERRORS]	= "lclock_add_errors",
	[ORDO_STAT_LCLOCK_DEL_REQUESTS]	= "lclock_del_requests",
	[ORDO_STAT_LCLOCK_DEL_ERRORS]	= "lclock_del_errors",
	[ORDO_STAT_LCLOCK_GET_REQUESTS]	= "lclock_get_requests",
	[ORDO_STAT_LCLOCK_GET_ERRORS]	= "lclock_get_errors",
	[ORDO_STAT_LCLOCK_DUMP_REQUESTS] = "lclock_dump_requests",
	[ORDO_STAT_LCLOCK_DUMP_ERRORS]	= "lclock_dump_errors",
	[ORDO_STAT_LCLOCK_DUMP_MESSAGES] = "lclock_dump_messages",
	[ORDO_STAT_LCLOCK_TICK_REQUESTS] = "lclock_tick_requests",
	[ORDO_STAT_LCLOCK_TICK_ERRORS]	= "lclock_tick_errors",
};

static_assert(ARRAY_SIZE(ordo_stat_names) == ORDO_STAT_NR);

static atomic64_t ordo_stats[ORDO_STAT_NR];

void ordo_stat_inc(enum ordo_stat_id id)
{
	atomic64_inc(&ordo_stats[id]);
}

void ordo_stat_add(enum ordo_stat_id id, u64 delta)
{
	atomic64_add(delta, &ordo_stats[id]);
}

u64 ordo_stat_read(enum ordo_stat_id id)
{
	return atomic64_read(&ordo_stats[id]);
}

const char *ordo_stat_name(enum ordo_stat_id id)
{
	return ordo_stat_names[id];
}

/* Return the id of statistic @name, or -ENOENT. */
int ordo_stat_lookup(const char *name)
{
	int i;

	for (i = 0; i < ORDO_STAT_NR; i++) {
		if (!strcmp(name, ordo_stat_names[i]))
			return i;
	}
	return -ENOENT;
}
