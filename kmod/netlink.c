// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - generic netlink family "ordo".
 *
 * The family uses strict validation for every command (resv_start_op is 0)
 * and per-command policies.  Every state-changing command sets
 * GENL_ADMIN_PERM. The clock commands live in clock_netlink.c.
 */

#include <linux/module.h>
#include <linux/ordo.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "main.h"
#include "netlink.h"
#include "stats.h"
#include "trace.h"

/* cb->args[] slots used by the STATS_GET dump */
enum {
	ORDO_DUMP_ARG_NEXT,	/* next statistic id to emit */
	ORDO_DUMP_ARG_ERR,	/* last error returned by the dumpit */
};

static void ordo_genl_account(u8 cmd, bool dump, int err)
{
	enum ordo_stat_id req, errs;

	switch (cmd) {
	case ORDO_CMD_GET_INFO:
		req = ORDO_STAT_GET_INFO_REQUESTS;
		errs = ORDO_STAT_GET_INFO_ERRORS;
		break;
	case ORDO_CMD_STATS_GET:
		req = dump ? ORDO_STAT_STATS_DUMP_REQUESTS :
			     ORDO_STAT_STATS_GET_REQUESTS;
		errs = dump ? ORDO_STAT_STATS_DUMP_ERRORS :
			      ORDO_STAT_STATS_GET_ERRORS;
		break;
	default:
		return;
	}

	ordo_stat_inc(req);
	if (err)
		ordo_stat_inc(errs);
	trace_ordo_genl_op(cmd, dump, err);
}

static size_t ordo_info_size(void)
{
	return nla_total_size(sizeof(ORDO_VERSION)) +		/* VERSION */
	       nla_total_size(strlen(ordo_build_id) + 1) +	/* BUILD_ID */
	       nla_total_size_64bit(sizeof(u64)) +		/* CAPS */
	       nla_total_size(sizeof(u32));			/* GENL_VERSION */
}

static int ordo_info_fill(struct sk_buff *msg)
{
	if (nla_put_string(msg, ORDO_A_VERSION, ORDO_VERSION) ||
	    nla_put_string(msg, ORDO_A_BUILD_ID, ordo_build_id) ||
	    nla_put_u64_64bit(msg, ORDO_A_CAPS, ordo_caps(), ORDO_A_PAD) ||
	    nla_put_u32(msg, ORDO_A_GENL_VERSION, ORDO_GENL_VERSION))
		return -EMSGSIZE;
	return 0;
}

static int __ordo_get_info_doit(struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(ordo_info_size(), GFP_KERNEL);
	if (!msg) {
		GENL_SET_ERR_MSG(info, "out of memory");
		return -ENOMEM;
	}

	hdr = genlmsg_put_reply(msg, info, &ordo_genl_family, 0,
				ORDO_CMD_GET_INFO);
	if (!hdr || ordo_info_fill(msg)) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);

	return genlmsg_reply(msg, info);
}

static int ordo_get_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = __ordo_get_info_doit(info);

	ordo_genl_account(ORDO_CMD_GET_INFO, false, err);
	return err;
}

static size_t ordo_stat_size(enum ordo_stat_id id)
{
	return nla_total_size(0) +					/* STAT */
	       nla_total_size(strlen(ordo_stat_name(id)) + 1) +	/* NAME */
	       nla_total_size_64bit(sizeof(u64));			/* VALUE */
}

static int ordo_stat_fill(struct sk_buff *msg, enum ordo_stat_id id)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, ORDO_A_STAT);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_string(msg, ORDO_A_STAT_NAME, ordo_stat_name(id)) ||
	    nla_put_u64_64bit(msg, ORDO_A_STAT_VALUE, ordo_stat_read(id),
			      ORDO_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}

	nla_nest_end(msg, nest);
	return 0;
}

static int __ordo_stats_get_doit(struct genl_info *info)
{
	struct nlattr *attr;
	struct sk_buff *msg;
	void *hdr;
	int id;

	if (GENL_REQ_ATTR_CHECK(info, ORDO_A_STAT_NAME)) {
		GENL_SET_ERR_MSG(info, "statistic name (ORDO_A_STAT_NAME) required");
		return -EINVAL;
	}

	attr = info->attrs[ORDO_A_STAT_NAME];
	id = ordo_stat_lookup(nla_data(attr));
	if (id < 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "unknown statistic");
		return -ENOENT;
	}

	msg = genlmsg_new(ordo_stat_size(id), GFP_KERNEL);
	if (!msg) {
		GENL_SET_ERR_MSG(info, "out of memory");
		return -ENOMEM;
	}

	hdr = genlmsg_put_reply(msg, info, &ordo_genl_family, 0,
				ORDO_CMD_STATS_GET);
	if (!hdr || ordo_stat_fill(msg, id)) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);

	return genlmsg_reply(msg, info);
}

static int ordo_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = __ordo_stats_get_doit(info);

	ordo_genl_account(ORDO_CMD_STATS_GET, false, err);
	return err;
}

static int ordo_stats_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			       enum ordo_stat_id id)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &ordo_genl_family, NLM_F_MULTI, ORDO_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;

	if (ordo_stat_fill(skb, id)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	ordo_stat_inc(ORDO_STAT_STATS_DUMP_MESSAGES);
	return 0;
}

/*
 * Emit one message per statistic, starting at cb->args[ORDO_DUMP_ARG_NEXT].
 * When the skb is full the position is saved and the core calls us again
 * once userspace has read what we produced.  An ORDO_A_STAT_NAME attribute
 * restricts the dump to that one statistic.
 */
static int ordo_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	unsigned long id = cb->args[ORDO_DUMP_ARG_NEXT];
	unsigned long end = ORDO_STAT_NR;
	struct nlattr *attr;
	int err = 0;

	attr = info->attrs ? info->attrs[ORDO_A_STAT_NAME] : NULL;
	if (attr) {
		int only = ordo_stat_lookup(nla_data(attr));

		if (only < 0) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attr,
					    "unknown statistic");
			err = -ENOENT;
			goto out;
		}
		if (id < only)
			id = only;
		end = only + 1;
	}

	for (; id < end; id++) {
		err = ordo_stats_dump_one(skb, cb, id);
		if (err)
			break;
	}
	cb->args[ORDO_DUMP_ARG_NEXT] = id;

	/* A full skb is not an error as long as it carries something. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	if (err)
		NL_SET_ERR_MSG(cb->extack, "statistic does not fit in dump buffer");
out:
	if (err) {
		cb->args[ORDO_DUMP_ARG_ERR] = err;
		return err;
	}
	return skb->len;
}

/* Called once per dump: on completion, on error, or when the socket closes. */
static int ordo_stats_dump_done(struct netlink_callback *cb)
{
	ordo_genl_account(ORDO_CMD_STATS_GET, true,
			  (int)cb->args[ORDO_DUMP_ARG_ERR]);
	return 0;
}

static const struct nla_policy ordo_stats_get_policy[ORDO_A_STAT_NAME + 1] = {
	[ORDO_A_STAT_NAME] = { .type = NLA_NUL_STRING,
			       .len = ORDO_STAT_NAME_LEN - 1 },
};

/*
 * GET_INFO has no policy: with resv_start_op == 0 the core then rejects
 * every attribute in its requests.
 */
static const struct genl_ops ordo_genl_ops[] = {
	{
		.cmd	= ORDO_CMD_GET_INFO,
		.doit	= ordo_get_info_doit,
	},
	{
		.cmd	= ORDO_CMD_STATS_GET,
		.doit	= ordo_stats_get_doit,
		.dumpit	= ordo_stats_dumpit,
		.done	= ordo_stats_dump_done,
		.policy	= ordo_stats_get_policy,
		.maxattr = ARRAY_SIZE(ordo_stats_get_policy) - 1,
	},
	{
		.cmd	= ORDO_CMD_CLOCK_GET,
		.doit	= ordo_clock_get_doit,
	},
	{
		.cmd	= ORDO_CMD_CLOCK_SET,
		.doit	= ordo_clock_set_doit,
		.policy	= ordo_clock_set_policy,
		.maxattr = ORDO_CLOCK_SET_MAXATTR,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= ORDO_CMD_LCLOCK_DOMAIN_ADD,
		.doit	= ordo_lc_add_doit,
		.policy	= ordo_lc_add_policy,
		.maxattr = ORDO_LC_ADD_MAXATTR,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= ORDO_CMD_LCLOCK_DOMAIN_DEL,
		.doit	= ordo_lc_del_doit,
		.policy	= ordo_lc_id_policy,
		.maxattr = ORDO_A_LCLOCK_DOMAIN,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= ORDO_CMD_LCLOCK_GET,
		.doit	= ordo_lc_get_doit,
		.dumpit	= ordo_lc_get_dumpit,
		.done	= ordo_lc_get_dump_done,
		.policy	= ordo_lc_id_policy,
		.maxattr = ORDO_A_LCLOCK_DOMAIN,
	},
	{
		.cmd	= ORDO_CMD_LCLOCK_TICK,
		.doit	= ordo_lc_tick_doit,
		.policy	= ordo_lc_id_policy,
		.maxattr = ORDO_A_LCLOCK_DOMAIN,
	},
};

static const struct genl_multicast_group ordo_genl_mcgrps[] = {
	[ORDO_GENL_MCGRP_CLOCK] = { .name = ORDO_MCGRP_CLOCK },
	[ORDO_GENL_MCGRP_LCLOCK] = { .name = ORDO_MCGRP_LCLOCK },
};

struct genl_family ordo_genl_family __ro_after_init = {
	.name		= ORDO_GENL_NAME,
	.version	= ORDO_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.resv_start_op	= 0,
	.ops		= ordo_genl_ops,
	.n_ops		= ARRAY_SIZE(ordo_genl_ops),
	.mcgrps		= ordo_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ordo_genl_mcgrps),
	.module		= THIS_MODULE,
};

int __init ordo_genl_init(void)
{
	int err = genl_register_family(&ordo_genl_family);

	if (!err)
		ordo_clk_ntf_enable(true);
	return err;
}

void ordo_genl_exit(void)
{
	ordo_clk_ntf_enable(false);
	/* Waits for in-flight requests; running dumps pin the module. */
	genl_unregister_family(&ordo_genl_family);
}
