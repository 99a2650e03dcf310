/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Ordo - userspace API
 *
 * This is the one and only copy of the Ordo UAPI.  It is shared by the
 * kernel module (kmod/), the userspace library and tools (user/) and the
 * eBPF programs (bpf/).  It must only depend on <linux/types.h>.
 *
 * Generic netlink family ORDO_GENL_NAME, version ORDO_GENL_VERSION.
 *
 * All attributes live in one flat attribute space (enum ordo_attr); nests
 * reuse that same space, as devlink does.  All commands use strict
 * validation: unknown attributes, attributes with a wrong length and
 * trailing garbage are rejected with -EINVAL and an extack message.
 *
 * ORDO_CMD_GET_INFO (do)
 *	request: no attributes
 *	reply:   ORDO_A_VERSION, ORDO_A_BUILD_ID, ORDO_A_CAPS,
 *		 ORDO_A_GENL_VERSION
 *
 * ORDO_CMD_STATS_GET (do)
 *	request: ORDO_A_STAT_NAME (required)
 *	reply:   ORDO_A_STAT (nest) { ORDO_A_STAT_NAME, ORDO_A_STAT_VALUE }
 *	errors:  -EINVAL if ORDO_A_STAT_NAME is missing,
 *		 -ENOENT if the statistic does not exist
 *
 * ORDO_CMD_STATS_GET (dump)
 *	request: no attributes
 *	reply:   one message per statistic, laid out as for the do request
 */
#ifndef _UAPI_LINUX_ORDO_H
#define _UAPI_LINUX_ORDO_H

#include <linux/types.h>

/* Version of the module and of this API (kept in this one place). */
#define ORDO_VERSION		"0.1.0"

#define ORDO_GENL_NAME		"ordo"
#define ORDO_GENL_VERSION	1

/* Reserved multicast group names; no group is registered yet. */
#define ORDO_MCGRP_CLOCK	"clock"
#define ORDO_MCGRP_LCLOCK	"lclock"

/* Maximum size of a statistic name, including the terminating NUL. */
#define ORDO_STAT_NAME_LEN	32

enum ordo_cmd {
	ORDO_CMD_UNSPEC,
	ORDO_CMD_GET_INFO,
	ORDO_CMD_STATS_GET,

	/* add new commands above here */
	__ORDO_CMD_MAX,
	ORDO_CMD_MAX = __ORDO_CMD_MAX - 1
};

enum ordo_attr {
	ORDO_A_UNSPEC,
	ORDO_A_VERSION,		/* string: module version, ORDO_VERSION */
	ORDO_A_BUILD_ID,	/* string: build identifier (git describe) */
	ORDO_A_CAPS,		/* u64: bitmap of (1 << enum ordo_cap) */
	ORDO_A_GENL_VERSION,	/* u32: generic netlink family version */
	ORDO_A_STAT,		/* nest: one statistic */
	ORDO_A_STAT_NAME,	/* string: statistic name, < ORDO_STAT_NAME_LEN */
	ORDO_A_STAT_VALUE,	/* u64: statistic value */
	ORDO_A_PAD,		/* padding for 64-bit attributes */

	/* add new attributes above here */
	__ORDO_A_MAX,
	ORDO_A_MAX = __ORDO_A_MAX - 1
};

/*
 * Capability bit numbers.  ORDO_A_CAPS and /sys/kernel/ordo/capabilities
 * report the bitmap sum of (1ULL << ORDO_CAP_x) for every feature the
 * loaded module actually implements.  Bits of features that are not
 * implemented yet are reserved and always zero.
 */
enum ordo_cap {
	ORDO_CAP_GENL,		/* generic netlink family "ordo" */
	ORDO_CAP_STATS,		/* ORDO_CMD_STATS_GET */
	ORDO_CAP_TRACE,		/* tracepoint ordo:ordo_genl_op */
	ORDO_CAP_CLOCK,		/* reserved: clock interface */
	ORDO_CAP_PTP,		/* reserved: PTP clock device */
	ORDO_CAP_CLOCK_MMAP,	/* reserved: mmap()able clock page */
	ORDO_CAP_LCLOCK,	/* reserved: logical clocks */
	ORDO_CAP_STAMP,		/* reserved: timestamping */

	/* add new capabilities above here */
	__ORDO_CAP_CNT
};

#endif /* _UAPI_LINUX_ORDO_H */
