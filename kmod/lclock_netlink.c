// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - netlink commands of the logical clock domains:
 *
 *   LCLOCK_DOMAIN_ADD  admin  DOMAIN, KIND, [VC_N, VC_INDEX], [NODE],
 *                             [MAX_JUMP], [REFUSE], [GROUP]
 *   LCLOCK_DOMAIN_DEL  admin  DOMAIN; -EBUSY while sockets are attached
 *   LCLOCK_GET         any    do: DOMAIN; dump: every domain of the netns
 *   LCLOCK_TICK        any    DOMAIN: a local event; replies as GET
 *   LCLOCK_NTF         multicast on ORDO_MCGRP_LCLOCK: a timestamp from
 *                      the future (DOMAIN, KIND, NODE, PEER_NODE, TS, JUMP)
 *
 * Domains belong to the requester's network namespace. Every request is
 * counted in the module's statistics (lclock_*) and fires ordo:ordo_genl_op,
 * as trace.h describes.
 */

#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "lclock.h"
#include "netlink.h"
#include "stats.h"
#include "trace.h"

/* cb->args[] slots used by the LCLOCK_GET dump */
enum {
	ORDO_LC_DUMP_ARG_NEXT,	/* position of the next domain to emit */
	ORDO_LC_DUMP_ARG_ERR,	/* last error returned by the dumpit */
};

/* Count a request in the module's statistics and fire ordo:ordo_genl_op. */
static void ordo_lc_account(u8 cmd, bool dump, int err)
{
	enum ordo_stat_id req, errs;

	switch (cmd) {
	case ORDO_CMD_LCLOCK_DOMAIN_ADD:
		req = ORDO_STAT_LCLOCK_ADD_REQUESTS;
		errs = ORDO_STAT_LCLOCK_ADD_ERRORS;
		break;
	case ORDO_CMD_LCLOCK_DOMAIN_DEL:
		req = ORDO_STAT_LCLOCK_DEL_REQUESTS;
		errs = ORDO_STAT_LCLOCK_DEL_ERRORS;
		break;
	case ORDO_CMD_LCLOCK_GET:
		req = dump ? ORDO_STAT_LCLOCK_DUMP_REQUESTS :
			     ORDO_STAT_LCLOCK_GET_REQUESTS;
		errs = dump ? ORDO_STAT_LCLOCK_DUMP_ERRORS :
			      ORDO_STAT_LCLOCK_GET_ERRORS;
		break;
	case ORDO_CMD_LCLOCK_TICK:
		req = ORDO_STAT_LCLOCK_TICK_REQUESTS;
		errs = ORDO_STAT_LCLOCK_TICK_ERRORS;
		break;
	default:
		return;
	}

	ordo_stat_inc(req);
	if (err)
		ordo_stat_inc(errs);
	trace_ordo_genl_op(cmd, dump, err);
}

/* Out-of-range values are -EINVAL (a range policy would say -ERANGE). */
static int ordo_lc_check_kind(const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	u32 v = nla_get_u32(attr);

	if (v < ORDO_WIRE_KIND_LAMPORT || v > ORDO_WIRE_KIND_HLC) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "kind must be 1 (lamport), 2 (vector) or 3 (hlc)");
		return -EINVAL;
	}
	return 0;
}

static int ordo_lc_check_n(const struct nlattr *attr,
			   struct netlink_ext_ack *extack)
{
	u32 v = nla_get_u32(attr);

	if (v < 1 || v > ORDO_VC_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "vector size must be 1..64");
		return -EINVAL;
	}
	return 0;
}

const struct nla_policy ordo_lc_add_policy[ORDO_LC_ADD_MAXATTR + 1] = {
	[ORDO_A_LCLOCK_DOMAIN] = { .type = NLA_U32 },
	[ORDO_A_LCLOCK_KIND] = NLA_POLICY_VALIDATE_FN(NLA_U32,
						      ordo_lc_check_kind),
	[ORDO_A_LCLOCK_NODE] = { .type = NLA_U32 },
	[ORDO_A_LCLOCK_VC_N] = NLA_POLICY_VALIDATE_FN(NLA_U32, ordo_lc_check_n),
	[ORDO_A_LCLOCK_VC_INDEX] = { .type = NLA_U32 },
	[ORDO_A_LCLOCK_GROUP] = { .type = NLA_U32 },
	[ORDO_A_LCLOCK_MAX_JUMP] = { .type = NLA_U64 },
	[ORDO_A_LCLOCK_REFUSE] = { .type = NLA_FLAG },
};

const struct nla_policy ordo_lc_id_policy[ORDO_A_LCLOCK_DOMAIN + 1] = {
	[ORDO_A_LCLOCK_DOMAIN] = { .type = NLA_U32 },
};

static int ordo_lc_fill(struct sk_buff *msg, struct ordo_lc_domain *d)
{
	struct ordo_lc_value *v;
	struct nlattr *nest, *st;
	unsigned int r;
	int err = -EMSGSIZE;

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	ordo_lc_read(d, v);
	if (nla_put_u32(msg, ORDO_A_LCLOCK_DOMAIN, d->id) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_GROUP, d->group) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_KIND, d->kind) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_NODE, d->node) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_MAX_JUMP, d->max_jump,
			      ORDO_A_PAD) ||
	    (d->refuse && nla_put_flag(msg, ORDO_A_LCLOCK_REFUSE)) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_SOCKETS, atomic_read(&d->sockets)) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_STAMPED,
			      ordo_lc_count(d, &d->stamped), ORDO_A_PAD) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_RECEIVED,
			      ordo_lc_count(d, &d->received), ORDO_A_PAD) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_TICKS,
			      atomic64_read(&d->ticks), ORDO_A_PAD) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_FUTURE,
			      atomic64_read(&d->future), ORDO_A_PAD) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_UNSTAMPED,
			      atomic64_read(&d->unstamped), ORDO_A_PAD))
		goto out;
	switch (v->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		if (nla_put_u64_64bit(msg, ORDO_A_LCLOCK_VALUE, v->value,
				      ORDO_A_PAD))
			goto out;
		break;
	case ORDO_WIRE_KIND_HLC:
		if (nla_put_u64_64bit(msg, ORDO_A_LCLOCK_VALUE, v->value,
				      ORDO_A_PAD) ||
		    nla_put_u32(msg, ORDO_A_LCLOCK_HLC_C, v->hlc_c))
			goto out;
		break;
	default:
		if (nla_put_u32(msg, ORDO_A_LCLOCK_VC_N, v->vc_n) ||
		    nla_put_u32(msg, ORDO_A_LCLOCK_VC_INDEX, v->vc_index) ||
		    nla_put(msg, ORDO_A_LCLOCK_VECTOR, sizeof(u64) * v->vc_n,
			    v->vc))
			goto out;
		break;
	}
	nest = nla_nest_start(msg, ORDO_A_LCLOCK_DROPS);
	if (!nest)
		goto out;
	for (r = 0; r < ORDO_LC_DROP_CNT; r++) {
		st = nla_nest_start(msg, ORDO_A_STAT);
		if (!st ||
		    nla_put_string(msg, ORDO_A_STAT_NAME, ordo_lc_drop_name(r)) ||
		    nla_put_u64_64bit(msg, ORDO_A_STAT_VALUE,
				      atomic64_read(&d->drops[r]), ORDO_A_PAD))
			goto out;
		nla_nest_end(msg, st);
	}
	nla_nest_end(msg, nest);
	err = 0;
out:
	kfree(v);
	return err;
}

static int ordo_lc_reply(struct genl_info *info, struct ordo_lc_domain *d,
			 u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ordo_genl_family, 0, cmd);
	err = hdr ? ordo_lc_fill(msg, d) : -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit");
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static u32 ordo_lc_attr_u32(struct genl_info *info, int type, u32 dflt)
{
	return info->attrs[type] ? nla_get_u32(info->attrs[type]) : dflt;
}

static int __ordo_lc_add_doit(struct genl_info *info)
{
	struct ordo_lc_params p = { };

	if (GENL_REQ_ATTR_CHECK(info, ORDO_A_LCLOCK_DOMAIN) ||
	    GENL_REQ_ATTR_CHECK(info, ORDO_A_LCLOCK_KIND))
		return -EINVAL;
	p.id = nla_get_u32(info->attrs[ORDO_A_LCLOCK_DOMAIN]);
	p.kind = nla_get_u32(info->attrs[ORDO_A_LCLOCK_KIND]);
	if (p.kind == ORDO_WIRE_KIND_VECTOR) {
		if (GENL_REQ_ATTR_CHECK(info, ORDO_A_LCLOCK_VC_N) ||
		    GENL_REQ_ATTR_CHECK(info, ORDO_A_LCLOCK_VC_INDEX))
			return -EINVAL;
		p.vc_n = nla_get_u32(info->attrs[ORDO_A_LCLOCK_VC_N]);
		p.vc_index = nla_get_u32(info->attrs[ORDO_A_LCLOCK_VC_INDEX]);
		if (p.vc_index >= p.vc_n) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[ORDO_A_LCLOCK_VC_INDEX],
					    "vector index must be below n");
			return -EINVAL;
		}
	} else if (info->attrs[ORDO_A_LCLOCK_VC_N] ||
		   info->attrs[ORDO_A_LCLOCK_VC_INDEX]) {
		GENL_SET_ERR_MSG(info, "n and index are for vector clocks only");
		return -EINVAL;
	}
	p.node = ordo_lc_attr_u32(info, ORDO_A_LCLOCK_NODE, p.vc_index);
	p.group = ordo_lc_attr_u32(info, ORDO_A_LCLOCK_GROUP, p.id);
	if (info->attrs[ORDO_A_LCLOCK_MAX_JUMP])
		p.max_jump = nla_get_u64(info->attrs[ORDO_A_LCLOCK_MAX_JUMP]);
	p.refuse = nla_get_flag(info->attrs[ORDO_A_LCLOCK_REFUSE]);
	return ordo_lc_add(genl_info_net(info), &p, info->extack);
}

int ordo_lc_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = __ordo_lc_add_doit(info);

	ordo_lc_account(ORDO_CMD_LCLOCK_DOMAIN_ADD, false, err);
	return err;
}

static int __ordo_lc_del_doit(struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, ORDO_A_LCLOCK_DOMAIN))
		return -EINVAL;
	return ordo_lc_del(genl_info_net(info),
			   nla_get_u32(info->attrs[ORDO_A_LCLOCK_DOMAIN]),
			   info->extack);
}

int ordo_lc_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = __ordo_lc_del_doit(info);

	ordo_lc_account(ORDO_CMD_LCLOCK_DOMAIN_DEL, false, err);
	return err;
}

/* GET and TICK: reply with the domain, after a local event for TICK. */
static int ordo_lc_get_tick(struct genl_info *info, bool tick)
{
	struct ordo_lc_domain *d;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, ORDO_A_LCLOCK_DOMAIN))
		return -EINVAL;
	mutex_lock(&ordo_lc_mutex);
	d = ordo_lc_find(genl_info_net(info),
			 nla_get_u32(info->attrs[ORDO_A_LCLOCK_DOMAIN]));
	if (!d) {
		mutex_unlock(&ordo_lc_mutex);
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[ORDO_A_LCLOCK_DOMAIN],
				    "no such domain");
		return -ENOENT;
	}
	kobject_get(&d->kobj);
	mutex_unlock(&ordo_lc_mutex);

	err = tick ? ordo_lc_tick(d, NULL) : 0;
	if (err)
		GENL_SET_ERR_MSG(info, "the clock would overflow");
	else
		err = ordo_lc_reply(info, d, tick ? ORDO_CMD_LCLOCK_TICK :
						    ORDO_CMD_LCLOCK_GET);
	kobject_put(&d->kobj);
	return err;
}

int ordo_lc_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = ordo_lc_get_tick(info, false);

	ordo_lc_account(ORDO_CMD_LCLOCK_GET, false, err);
	return err;
}

int ordo_lc_tick_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = ordo_lc_get_tick(info, true);

	ordo_lc_account(ORDO_CMD_LCLOCK_TICK, false, err);
	return err;
}

int ordo_lc_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(cb->skb->sk);
	unsigned long pos = cb->args[ORDO_LC_DUMP_ARG_NEXT];
	struct ordo_lc_domain *d;
	void *hdr;
	int err = 0;

	mutex_lock(&ordo_lc_mutex);
	for (; (d = ordo_lc_nth(net, pos)); pos++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ordo_genl_family,
				  NLM_F_MULTI, ORDO_CMD_LCLOCK_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		err = ordo_lc_fill(skb, d);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		ordo_stat_inc(ORDO_STAT_LCLOCK_DUMP_MESSAGES);
	}
	mutex_unlock(&ordo_lc_mutex);
	cb->args[ORDO_LC_DUMP_ARG_NEXT] = pos;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	if (err) {
		cb->args[ORDO_LC_DUMP_ARG_ERR] = err;
		return err;
	}
	return skb->len;
}

/* Called once per dump: on completion, on error, or when the socket closes. */
int ordo_lc_get_dump_done(struct netlink_callback *cb)
{
	ordo_lc_account(ORDO_CMD_LCLOCK_GET, true,
			(int)cb->args[ORDO_LC_DUMP_ARG_ERR]);
	return 0;
}

void ordo_lc_notify_future(struct ordo_lc_domain *d, u32 peer, u64 ts,
			   u64 jump)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ordo_genl_family, 0, ORDO_CMD_LCLOCK_NTF);
	if (!hdr ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_DOMAIN, d->id) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_GROUP, d->group) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_KIND, d->kind) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_NODE, d->node) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_PEER_NODE, peer) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_TS, ts, ORDO_A_PAD) ||
	    nla_put_u64_64bit(msg, ORDO_A_LCLOCK_JUMP, jump, ORDO_A_PAD) ||
	    (d->refuse && nla_put_flag(msg, ORDO_A_LCLOCK_REFUSE))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&ordo_genl_family, read_pnet(&d->net), msg, 0,
				ORDO_GENL_MCGRP_LCLOCK, GFP_KERNEL);
}
