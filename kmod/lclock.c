// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - logical clock domains.
 *
 * A domain lives in one network namespace and is named there by its
 * group id. The list is protected by ordo_lc_mutex; the clock state of
 * a domain by its spinlock (taken in process context only: netlink,
 * sysfs, and the sendmsg/recvmsg of stamped sockets). The embedded
 * kobject is the reference count: the list holds one reference, every
 * attached socket another. A domain with attached sockets cannot be
 * deleted (-EBUSY). See Documentation/socket-stamping.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "clock.h"
#include "lclock.h"
#include "trace.h"

/* the list of domains; add, del, lookups */
DEFINE_MUTEX(ordo_lc_mutex);
static LIST_HEAD(ordo_lc_domains);

/* Physical time of the HLC: ordo's wall clock, UTC ns (UTC only). */
static u64 ordo_lc_pt(void)
{
	s64 utc = ordo_clk_utc_now();

	return utc > 0 ? (u64)utc : 0;
}

struct ordo_lc_domain *ordo_lc_find(struct net *net, u32 id)
{
	struct ordo_lc_domain *d;

	lockdep_assert_held(&ordo_lc_mutex);
	list_for_each_entry(d, &ordo_lc_domains, list)
		if (d->id == id && net_eq(read_pnet(&d->net), net))
			return d;
	return NULL;
}

struct ordo_lc_domain *ordo_lc_nth(struct net *net, unsigned long pos)
{
	struct ordo_lc_domain *d;

	lockdep_assert_held(&ordo_lc_mutex);
	list_for_each_entry(d, &ordo_lc_domains, list) {
		if (!net_eq(read_pnet(&d->net), net))
			continue;
		if (!pos--)
			return d;
	}
	return NULL;
}

int ordo_lc_dir_name(struct ordo_lc_domain *d, char *buf, size_t len)
{
	struct net *net = read_pnet(&d->net);

	if (net_eq(net, &init_net))
		return snprintf(buf, len, "%u", d->id);
	return snprintf(buf, len, "ns%u-%u", net->ns.inum, d->id);
}

int ordo_lc_add(struct net *net, const struct ordo_lc_params *p,
		struct netlink_ext_ack *extack)
{
	struct ordo_lc_domain *d;
	int err;

	switch (p->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
	case ORDO_WIRE_KIND_HLC:
		break;
	case ORDO_WIRE_KIND_VECTOR:
		if (!p->vc_n || p->vc_n > ORDO_VC_MAX) {
			NL_SET_ERR_MSG(extack, "vector size must be 1..64");
			return -EINVAL;
		}
		if (p->vc_index >= p->vc_n) {
			NL_SET_ERR_MSG(extack, "vector index must be below n");
			return -EINVAL;
		}
		break;
	default:
		NL_SET_ERR_MSG(extack, "unknown clock kind");
		return -EINVAL;
	}

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	write_pnet(&d->net, net);
	d->id = p->id;
	d->group = p->group;
	d->kind = p->kind;
	d->node = p->node;
	d->max_jump = p->max_jump;
	d->refuse = p->refuse;
	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->list);
	switch (p->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		ordo_lamport_init(&d->clk.lamport, p->max_jump, p->refuse);
		break;
	case ORDO_WIRE_KIND_HLC:
		ordo_hlc_init(&d->clk.hlc, p->max_jump, p->refuse);
		break;
	default:
		ordo_vc_init(&d->clk.vc, p->vc_n, p->vc_index, p->max_jump,
			     p->refuse);
		break;
	}

	mutex_lock(&ordo_lc_mutex);
	if (ordo_lc_find(net, p->id)) {
		mutex_unlock(&ordo_lc_mutex);
		kfree(d);
		NL_SET_ERR_MSG(extack, "domain already exists");
		return -EEXIST;
	}
	/* From here on the kobject owns d: kobject_put() frees it. */
	err = ordo_lc_sysfs_add(d);
	if (err) {
		mutex_unlock(&ordo_lc_mutex);
		kobject_put(&d->kobj);
		NL_SET_ERR_MSG(extack, "cannot create the sysfs directory");
		return err;
	}
	d->listed = true;
	list_add_tail(&d->list, &ordo_lc_domains);
	mutex_unlock(&ordo_lc_mutex);
	return 0;
}

/* Under the mutex: unlist, remove from sysfs, drop the list's reference. */
static void ordo_lc_unlist(struct ordo_lc_domain *d)
{
	lockdep_assert_held(&ordo_lc_mutex);
	list_del_init(&d->list);
	d->listed = false;
	kobject_del(&d->kobj);
	kobject_put(&d->kobj);
}

int ordo_lc_del(struct net *net, u32 id, struct netlink_ext_ack *extack)
{
	struct ordo_lc_domain *d;
	int err = 0;

	mutex_lock(&ordo_lc_mutex);
	d = ordo_lc_find(net, id);
	if (!d) {
		NL_SET_ERR_MSG(extack, "no such domain");
		err = -ENOENT;
	} else if (atomic_read(&d->sockets)) {
		NL_SET_ERR_MSG(extack,
			       "domain has attached sockets: close or detach them first");
		err = -EBUSY;
	} else {
		ordo_lc_unlist(d);
	}
	mutex_unlock(&ordo_lc_mutex);
	return err;
}

struct ordo_lc_domain *ordo_lc_attach(struct net *net, u32 id)
{
	struct ordo_lc_domain *d;

	mutex_lock(&ordo_lc_mutex);
	d = ordo_lc_find(net, id);
	if (d) {
		kobject_get(&d->kobj);
		atomic_inc(&d->sockets);
	}
	mutex_unlock(&ordo_lc_mutex);
	return d;
}

void ordo_lc_detach(struct ordo_lc_domain *d)
{
	atomic_dec(&d->sockets);
	kobject_put(&d->kobj);
}

void ordo_lc_read(struct ordo_lc_domain *d, struct ordo_lc_value *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = d->kind;
	spin_lock(&d->lock);
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		v->value = d->clk.lamport.c;
		break;
	case ORDO_WIRE_KIND_HLC:
		v->value = d->clk.hlc.l;
		v->hlc_c = d->clk.hlc.c;
		break;
	default:
		v->vc_n = d->clk.vc.n;
		v->vc_index = d->clk.vc.self;
		memcpy(v->vc, d->clk.vc.v, sizeof(u64) * d->clk.vc.n);
		break;
	}
	spin_unlock(&d->lock);
}

/* ordo:ordo_lc_event with the domain's clock after the event. */
static void ordo_lc_trace_locked(struct ordo_lc_domain *d, u8 event, u32 from,
				 u32 index)
{
	lockdep_assert_held(&d->lock);
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		trace_ordo_lc_event(d, event, from, index, d->clk.lamport.c, 0,
				    NULL, 0);
		break;
	case ORDO_WIRE_KIND_HLC:
		trace_ordo_lc_event(d, event, from, index, d->clk.hlc.l, d->clk.hlc.c,
				    NULL, 0);
		break;
	default:
		trace_ordo_lc_event(d, event, from, index, 0, 0, d->clk.vc.v,
				    d->clk.vc.n);
		break;
	}
}

int ordo_lc_tick(struct ordo_lc_domain *d, struct ordo_lc_value *v)
{
	u64 pt = d->kind == ORDO_WIRE_KIND_HLC ? ordo_lc_pt() : 0;
	int err;

	spin_lock(&d->lock);
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		err = ordo_lamport_tick(&d->clk.lamport, NULL);
		break;
	case ORDO_WIRE_KIND_HLC:
		err = ordo_hlc_send(&d->clk.hlc, pt, NULL);
		break;
	default:
		err = ordo_vc_tick(&d->clk.vc);
		break;
	}
	if (!err && trace_ordo_lc_event_enabled())
		ordo_lc_trace_locked(d, ORDO_LC_EV_TICK, d->node,
				     d->kind == ORDO_WIRE_KIND_VECTOR ?
				     d->clk.vc.self : 0);
	spin_unlock(&d->lock);
	if (err)
		return err;
	atomic64_inc(&d->ticks);
	if (v)
		ordo_lc_read(d, v);
	return 0;
}

/*
 * The header is encoded under the lock, a vector straight from the clock:
 * copying ts(m) out first costs a memcpy() per datagram, which under TCG
 * (the test VM) is a string instruction emulated byte by byte.
 */
int ordo_lc_send(struct ordo_lc_domain *d, void *hdr, u32 cap)
{
	u64 pt = d->kind == ORDO_WIRE_KIND_HLC ? ordo_lc_pt() : 0;
	struct ordo_wire_info info = {
		.kind = d->kind,
		.node_id = d->node,
		.domain = d->group,
	};
	const u64 *vc = NULL;
	struct ordo_hlc_ts h;
	int ret;

	spin_lock(&d->lock);
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		ret = ordo_lamport_send(&d->clk.lamport, &info.ts);
		break;
	case ORDO_WIRE_KIND_HLC:
		ret = ordo_hlc_send(&d->clk.hlc, pt, &h);
		info.ts = h.l;
		info.hlc_c = h.c;
		break;
	default:
		info.vc_n = d->clk.vc.n;
		info.vc_index = d->clk.vc.self;
		ret = ordo_vc_tick(&d->clk.vc);
		vc = d->clk.vc.v;
		break;
	}
	if (!ret) {
		ret = ordo_wire_encode(hdr, cap, &info, vc);
		if (ret <= 0)
			ret = -EINVAL;
		else
			d->stamped++;
		if (ret > 0 && trace_ordo_lc_event_enabled())
			ordo_lc_trace_locked(d, ORDO_LC_EV_SEND, d->node,
					     info.vc_index);
	}
	spin_unlock(&d->lock);
	return ret;
}

int ordo_lc_recv(struct ordo_lc_domain *d, const struct ordo_wire_info *info,
		 const u64 *vc, bool peek, struct ordo_lclock_cmsg *cm,
		 u64 *jump)
{
	u64 pt = d->kind == ORDO_WIRE_KIND_HLC ? ordo_lc_pt() : 0;
	int ret;

	spin_lock(&d->lock);
	ret = ordo_lc_recv_event(&d->clk, d->kind, d->group, info, vc, pt,
				 peek, cm, jump);
	if (!peek && ret >= 0) {
		d->received++;
		if (trace_ordo_lc_event_enabled())
			ordo_lc_trace_locked(d, ORDO_LC_EV_RECV,
					     info->node_id, info->vc_index);
	}
	spin_unlock(&d->lock);
	if (ret < 0 && ret != -(1 + ORDO_LC_DROP_FUTURE))
		return ret;
	cm->domain = d->id;
	cm->local_node = d->node;
	if (peek)
		return ret;
	if (cm->flags & ORDO_CMSG_F_FUTURE)
		atomic64_inc(&d->future);
	return ret;
}

/* A counter kept under the clock lock (stamped, received). */
u64 ordo_lc_count(struct ordo_lc_domain *d, const u64 *counter)
{
	u64 v;

	spin_lock(&d->lock);
	v = *counter;
	spin_unlock(&d->lock);
	return v;
}

void ordo_lc_count_drop(struct ordo_lc_domain *d, unsigned int reason)
{
	if (reason < ORDO_LC_DROP_CNT)
		atomic64_inc(&d->drops[reason]);
}

/* Domains die with their namespace (no socket can be attached then). */
static void __net_exit ordo_lc_net_exit(struct net *net)
{
	struct ordo_lc_domain *d, *tmp;

	mutex_lock(&ordo_lc_mutex);
	list_for_each_entry_safe(d, tmp, &ordo_lc_domains, list)
		if (net_eq(read_pnet(&d->net), net))
			ordo_lc_unlist(d);
	mutex_unlock(&ordo_lc_mutex);
}

static struct pernet_operations ordo_lc_net_ops = {
	.exit = ordo_lc_net_exit,
};

int __init ordo_lclock_init(void)
{
	int err;

	err = ordo_lc_sysfs_init();
	if (err)
		return err;
	err = register_pernet_subsys(&ordo_lc_net_ops);
	if (err)
		ordo_lc_sysfs_exit();
	return err;
}

void ordo_lclock_exit(void)
{
	struct ordo_lc_domain *d, *tmp;

	unregister_pernet_subsys(&ordo_lc_net_ops);
	/* No socket is attached: each one holds a module reference. */
	mutex_lock(&ordo_lc_mutex);
	list_for_each_entry_safe(d, tmp, &ordo_lc_domains, list)
		ordo_lc_unlist(d);
	mutex_unlock(&ordo_lc_mutex);
	ordo_lc_sysfs_exit();
}
