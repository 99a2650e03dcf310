/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ORDO_STATS_H
#define _ORDO_STATS_H

#include <linux/types.h>

/* Keep in sync with ordo_stat_names[] in stats.c. */
enum ordo_stat_id {
	ORDO_STAT_GET_INFO_REQUESTS,
	ORDO_STAT_GET_INFO_ERRORS,
	ORDO_STAT_STATS_GET_REQUESTS,
	ORDO_STAT_STATS_GET_ERRORS,
	ORDO_STAT_STATS_DUMP_REQUESTS,
	ORDO_STAT_STATS_DUMP_ERRORS,
	ORDO_STAT_STATS_DUMP_MESSAGES,
	ORDO_STAT_CLOCK_GET_REQUESTS,
	ORDO_STAT_CLOCK_GET_ERRORS,
	ORDO_STAT_CLOCK_SET_REQUESTS,
	ORDO_STAT_CLOCK_SET_ERRORS,
	ORDO_STAT_CLOCK_NTF_MESSAGES,

	ORDO_STAT_NR
};

void ordo_stat_inc(enum ordo_stat_id id);
void ordo_stat_add(enum ordo_stat_id id, u64 delta);
u64 ordo_stat_read(enum ordo_stat_id id);
const char *ordo_stat_name(enum ordo_stat_id id);
int ordo_stat_lookup(const char *name);

#endif /* _ORDO_STATS_H */
