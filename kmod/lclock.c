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

static const char * const ordo_lc_drop_names[ORDO_LC_DROP_CNT] = {
	[ORDO_LC_DROP_DOMAIN] = "domain",
	[ORDO_LC_DROP_KIND] = "kind_mismatch",
	[ORDO_LC_DROP_VC_SIZE] = "vc_size",
	[ORDO_LC_DROP_FUTURE] = "future",
	[ORDO_LC_DROP_OVERFLOW] = "overflow",
};

const char *ordo_lc_drop_name(unsigned int reason)
{
	if (reason >= ORDO_LC_DROP_CNT)
		return "?";
	if (reason < ORDO_LC_DROP_DOMAIN)
		return ordo_wire_strerror(-(int)reason - 1);
	return ordo_lc_drop_names[reason];
}

/* Physical time of the HLC: ordo's wall clock, UTC ns. */
static u64 ordo_lc_pt(void)
{
	struct ordo_clock_time t;

	ordo_clk_now(&t, NULL);
	return t.utc > 0 ? (u64)t.utc : 0;
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
		ordo_lamport_init(&d->lamport, p->max_jump, p->refuse);
		break;
	case ORDO_WIRE_KIND_HLC:
		ordo_hlc_init(&d->hlc, p->max_jump, p->refuse);
		break;
	default:
		ordo_vc_init(&d->vc, p->vc_n, p->vc_index, p->max_jump,
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
		v->value = d->lamport.c;
		break;
	case ORDO_WIRE_KIND_HLC:
		v->value = d->hlc.l;
		v->hlc_c = d->hlc.c;
		break;
	default:
		v->vc_n = d->vc.n;
		v->vc_index = d->vc.self;
		memcpy(v->vc, d->vc.v, sizeof(u64) * d->vc.n);
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
		trace_ordo_lc_event(d, event, from, index, d->lamport.c, 0,
				    NULL, 0);
		break;
	case ORDO_WIRE_KIND_HLC:
		trace_ordo_lc_event(d, event, from, index, d->hlc.l, d->hlc.c,
				    NULL, 0);
		break;
	default:
		trace_ordo_lc_event(d, event, from, index, 0, 0, d->vc.v,
				    d->vc.n);
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
		err = ordo_lamport_tick(&d->lamport, NULL);
		break;
	case ORDO_WIRE_KIND_HLC:
		err = ordo_hlc_send(&d->hlc, pt, NULL);
		break;
	default:
		err = ordo_vc_tick(&d->vc);
		break;
	}
	if (!err && trace_ordo_lc_event_enabled())
		ordo_lc_trace_locked(d, ORDO_LC_EV_TICK, d->node,
				     d->kind == ORDO_WIRE_KIND_VECTOR ?
				     d->vc.self : 0);
	spin_unlock(&d->lock);
	if (err)
		return err;
	atomic64_inc(&d->ticks);
	if (v)
		ordo_lc_read(d, v);
	return 0;
}

int ordo_lc_send(struct ordo_lc_domain *d, struct ordo_wire_info *info,
		 u64 *vc)
{
	u64 pt = d->kind == ORDO_WIRE_KIND_HLC ? ordo_lc_pt() : 0;
	struct ordo_hlc_ts h;
	int err;

	memset(info, 0, sizeof(*info));
	info->kind = d->kind;
	info->node_id = d->node;
	info->domain = d->group;
	spin_lock(&d->lock);
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		err = ordo_lamport_send(&d->lamport, &info->ts);
		break;
	case ORDO_WIRE_KIND_HLC:
		err = ordo_hlc_send(&d->hlc, pt, &h);
		info->ts = h.l;
		info->hlc_c = h.c;
		break;
	default:
		info->vc_n = d->vc.n;
		info->vc_index = d->vc.self;
		err = ordo_vc_send(&d->vc, vc, ORDO_VC_MAX);
		break;
	}
	if (!err && trace_ordo_lc_event_enabled())
		ordo_lc_trace_locked(d, ORDO_LC_EV_SEND, d->node,
				     info->vc_index);
	spin_unlock(&d->lock);
	if (!err)
		atomic64_inc(&d->stamped);
	return err;
}

static u64 ordo_lc_jump(u64 ts, u64 ref)
{
	return ts > ref ? ts - ref : 0;
}

/* Vector receive on the state @v (n entries) without the library's
 * policy: for MSG_PEEK, on the caller's copy.
 */
static int ordo_lc_vc_peek(const struct ordo_vclock *vc, const u64 *ts,
			   u64 *out)
{
	u32 k;

	for (k = 0; k < vc->n; k++)
		out[k] = max(vc->v[k], ts[k]);
	if (out[vc->self] == U64_MAX)
		return -EOVERFLOW;
	out[vc->self]++;
	return 0;
}

static int ordo_lc_err_to_drop(int err)
{
	switch (err) {
	case -ERANGE:
		return -(1 + ORDO_LC_DROP_FUTURE);
	case -EMSGSIZE:
		return -(1 + ORDO_LC_DROP_VC_SIZE);
	default:
		return -(1 + ORDO_LC_DROP_OVERFLOW);
	}
}

int ordo_lc_recv(struct ordo_lc_domain *d, const struct ordo_wire_info *info,
		 const u64 *vc, bool peek, struct ordo_lclock_cmsg *cm,
		 u64 *jump)
{
	u64 pt = d->kind == ORDO_WIRE_KIND_HLC ? ordo_lc_pt() : 0;
	struct ordo_hlc_ts m, out = {};
	struct ordo_lamport lc;
	struct ordo_hlc h;
	u32 n = 0, k;
	u64 j = 0;
	int ret;

	if (info->domain != d->group)
		return -(1 + ORDO_LC_DROP_DOMAIN);
	if (info->kind != d->kind)
		return -(1 + ORDO_LC_DROP_KIND);
	if (d->kind == ORDO_WIRE_KIND_VECTOR && info->vc_n != d->vc.n)
		return -(1 + ORDO_LC_DROP_VC_SIZE);

	memset(cm, 0, sizeof(*cm));
	cm->kind = d->kind;
	cm->domain = d->id;
	cm->node = info->node_id;
	cm->local_node = d->node;
	cm->ts = info->ts;
	cm->ts_c = info->hlc_c;

	spin_lock(&d->lock);
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		j = ordo_lc_jump(info->ts, d->lamport.c);
		lc = d->lamport;
		ret = ordo_lamport_recv(peek ? &lc : &d->lamport, info->ts,
					&cm->local);
		break;
	case ORDO_WIRE_KIND_HLC:
		j = ordo_lc_jump(info->ts, pt);
		h = d->hlc;
		m.l = info->ts;
		m.c = info->hlc_c;
		ret = ordo_hlc_recv(peek ? &h : &d->hlc, &m, pt, &out);
		cm->local = out.l;
		cm->local_c = out.c;
		break;
	default:
		n = d->vc.n;
		cm->vc_n = n;
		cm->vc_index = info->vc_index;
		for (k = 0; k < n; k++) {
			cm->vc[k] = vc[k];
			j = max(j, ordo_lc_jump(vc[k], d->vc.v[k]));
		}
		if (!peek) {
			ret = ordo_vc_recv(&d->vc, vc, n);
			memcpy(&cm->vc[n], d->vc.v, sizeof(u64) * n);
			break;
		}
		ret = 0;
		if (d->max_jump && j > d->max_jump)
			ret = d->refuse ? -ERANGE : ORDO_LC_FUTURE;
		if (ret != -ERANGE) {
			int err = ordo_lc_vc_peek(&d->vc, vc, &cm->vc[n]);

			if (err)
				ret = err;
		}
		break;
	}
	if (!peek && ret >= 0 && trace_ordo_lc_event_enabled())
		ordo_lc_trace_locked(d, ORDO_LC_EV_RECV, info->node_id,
				     info->vc_index);
	spin_unlock(&d->lock);

	if (peek)
		cm->flags |= ORDO_CMSG_F_PEEK;
	if (ret == ORDO_LC_FUTURE || ret == -ERANGE) {
		cm->flags |= ORDO_CMSG_F_FUTURE;
		*jump = j;
		if (!peek)
			atomic64_inc(&d->future);
	}
	if (ret < 0)
		return ordo_lc_err_to_drop(ret);
	if (!peek)
		atomic64_inc(&d->received);
	return ret;
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
