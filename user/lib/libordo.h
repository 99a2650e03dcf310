/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libordo - userspace client library for the Ordo kernel module.
 *
 * All functions returning int return 0 (or a non-negative count) on
 * success and a negative errno value on failure.  ORDO_ERR_NOT_LOADED is
 * returned when the "ordo" generic netlink family does not exist, i.e. the
 * module is not loaded.  After a failed request ordo_errmsg() returns the
 * kernel's extended ack message, if it sent one.
 *
 * Capability names: see ordo_caps.h (kmod/lib, linked into libordo).
 */
#ifndef LIBORDO_H
#define LIBORDO_H

#include <errno.h>
#include <stdint.h>

#include <linux/ordo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The "ordo" genetlink family is absent: the module is not loaded. */
#define ORDO_ERR_NOT_LOADED	(-ENOPKG)

struct ordo;	/* opaque handle: one netlink socket */

struct ordo_info {
	char version[64];
	char build_id[128];
	uint64_t caps;		/* bitmap of (1ULL << enum ordo_cap) */
	uint32_t genl_version;
};

struct ordo_stat {
	char name[ORDO_STAT_NAME_LEN];
	uint64_t value;
};

/* Called once per statistic; a non-zero return stops the iteration and
 * becomes the return value of ordo_stats_dump(), which otherwise returns
 * the number of statistics seen (or a negative errno).
 */
typedef int (*ordo_stat_fn)(const struct ordo_stat *stat, void *arg);

int ordo_open(struct ordo **hp);
void ordo_close(struct ordo *h);

/* Generic netlink family id of "ordo" (resolved by ordo_open()). */
int ordo_family_id(const struct ordo *h);

/* Extended ack message of the last failed request, or NULL. */
const char *ordo_errmsg(const struct ordo *h);

/* Human readable text for an error returned by this library. */
const char *ordo_strerror(int err);

int ordo_get_info(struct ordo *h, struct ordo_info *info);
int ordo_stat_get(struct ordo *h, const char *name, struct ordo_stat *stat);
int ordo_stats_dump(struct ordo *h, ordo_stat_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LIBORDO_H */
