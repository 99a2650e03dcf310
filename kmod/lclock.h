/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logical clock domains (lclock.c): a local id, the group id carried on
 * the wire (by default the local id), a kind (Lamport, vector of N with
 * this node's index, HLC) and this node's id, per network namespace.
 * Created and destroyed over netlink (lclock_netlink.c), listed in
 * /sys/kernel/ordo/lclock/ (lclock_sysfs.c), used by stamped sockets
 * (stamp.c).
 */
#ifndef _ORDO_LCLOCK_KMOD_H
#define _ORDO_LCLOCK_KMOD_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "ordo_lclock.h"

/* Drop reasons: enum ordo_lc_drop and ordo_lc_drop_name() (ordo_lclock.h). */

struct ordo_lc_domain {
	struct kobject kobj;		/* refcount; sysfs directory */
	struct list_head list;		/* ordo_lc_domains, under ordo_lc_mutex */
	possible_net_t net;
	u32 id;				/* local handle: netlink, sysfs, attach */
	u32 group;			/* the header's domain field */
	u32 kind;			/* enum ordo_wire_kind */
	u32 node;			/* this node's id */
	u64 max_jump;			/* future-jump threshold, 0: none */
	bool refuse;			/* drop timestamps beyond max_jump */
	bool listed;			/* in the list and in sysfs */
	atomic_t sockets;		/* attached sockets */

	spinlock_t lock;		/* the clock state */
	union ordo_lc_clock clk;	/* of kind @kind */

	/* under @lock, which the datagram's clock event takes anyway */
	u64 stamped;			/* datagrams sent with a timestamp */
	u64 received;			/* stamped datagrams delivered */
	atomic64_t ticks;		/* local events (TICK) */
	atomic64_t future;		/* timestamps from the future */
	atomic64_t unstamped;		/* delivered without header (PASS) */
	atomic64_t drops[ORDO_LC_DROP_CNT];
};

/* A consistent copy of a domain's clock, for GET, sysfs and events. */
struct ordo_lc_value {
	u32 kind;
	u32 vc_n;
	u32 vc_index;
	u32 hlc_c;
	u64 value;		/* Lamport c, HLC l */
	u64 vc[ORDO_VC_MAX];
};

struct ordo_lc_params {
	u32 id;
	u32 group;
	u32 kind;
	u32 node;
	u32 vc_n;
	u32 vc_index;
	u64 max_jump;
	bool refuse;
};

int ordo_lclock_init(void);
void ordo_lclock_exit(void);

/* All under ordo_lc_mutex (lookups, list walks, add, del). */
extern struct mutex ordo_lc_mutex;
struct ordo_lc_domain *ordo_lc_find(struct net *net, u32 id);
/* The @pos-th domain of @net (for dumps), or NULL. */
struct ordo_lc_domain *ordo_lc_nth(struct net *net, unsigned long pos);
int ordo_lc_add(struct net *net, const struct ordo_lc_params *p,
		struct netlink_ext_ack *extack);
int ordo_lc_del(struct net *net, u32 id, struct netlink_ext_ack *extack);

/* A socket attaches: takes a reference and counts it, under the mutex. */
struct ordo_lc_domain *ordo_lc_attach(struct net *net, u32 id);
/* Process context; drops what ordo_lc_attach() took. */
void ordo_lc_detach(struct ordo_lc_domain *d);

void ordo_lc_read(struct ordo_lc_domain *d, struct ordo_lc_value *v);
/* A local event; @v (may be NULL) gets the clock after it. */
int ordo_lc_tick(struct ordo_lc_domain *d, struct ordo_lc_value *v);
/*
 * The send event: writes the header with ts(m) to @hdr (@cap bytes, at
 * least ordo_wire_hdr_len() for the domain). Returns its length,
 * -EOVERFLOW (the clock cannot advance) or -EINVAL.
 */
int ordo_lc_send(struct ordo_lc_domain *d, void *hdr, u32 cap);
/*
 * The receive event for a decoded, valid header (@vc: its vector). With
 * @peek the clock is left unchanged and @cm reports what a read would
 * give. Fills @cm (with the vector entries for VECTOR). Returns 0,
 * ORDO_LC_FUTURE (delivered, and an event is due: @jump gets the jump)
 * or -(1 + enum ordo_lc_drop) when the datagram must be dropped.
 */
int ordo_lc_recv(struct ordo_lc_domain *d, const struct ordo_wire_info *info,
		 const u64 *vc, bool peek, struct ordo_lclock_cmsg *cm,
		 u64 *jump);
/* Count a drop (enum ordo_lc_drop). */
void ordo_lc_count_drop(struct ordo_lc_domain *d, unsigned int reason);
u64 ordo_lc_count(struct ordo_lc_domain *d, const u64 *counter);

/* The domain's directory name in /sys/kernel/ordo/lclock/ */
int ordo_lc_dir_name(struct ordo_lc_domain *d, char *buf, size_t len);

/* lclock_sysfs.c */
int ordo_lc_sysfs_init(void);
void ordo_lc_sysfs_exit(void);
int ordo_lc_sysfs_add(struct ordo_lc_domain *d);
extern const struct kobj_type ordo_lc_ktype;

/* lclock_netlink.c: a "from the future" event on ORDO_MCGRP_LCLOCK. */
void ordo_lc_notify_future(struct ordo_lc_domain *d, u32 peer, u64 ts,
			   u64 jump);

/* stamp.c */
int ordo_stamp_init(void);
void ordo_stamp_exit(void);

#endif /* _ORDO_LCLOCK_KMOD_H */
