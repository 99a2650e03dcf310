// SPDX-License-Identifier: GPL-2.0
/*
 * libordo - logical clock domains over generic netlink (LCLOCK_DOMAIN_ADD,
 * LCLOCK_DOMAIN_DEL, LCLOCK_GET, LCLOCK_TICK) and the opt-in of sockets
 * through /dev/ordo_lclock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libordo.h"
#include "ordo_priv.h"

static const char *const kind_names[] = {
	[ORDO_WIRE_KIND_LAMPORT] = "lamport",
	[ORDO_WIRE_KIND_VECTOR] = "vector",
	[ORDO_WIRE_KIND_HLC] = "hlc",
};

const char *ordo_lclock_kind_name(uint32_t kind)
{
	if (kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return NULL;
	return kind_names[kind];
}

int ordo_lclock_kind_parse(const char *s, uint32_t *kind)
{
	uint32_t k;

	for (k = ORDO_WIRE_KIND_LAMPORT; k < __ORDO_WIRE_KIND_CNT; k++) {
		if (!strcmp(s, kind_names[k])) {
			*kind = k;
			return 0;
		}
	}
	return -EINVAL;
}

static void parse_drops(struct ordo_lclock_info *li, struct nlattr *nest)
{
	struct nlattr *st;
	int rem;

	nla_for_each_nested(st, nest, rem) {
		struct nlattr *tb[ORDO_A_MAX + 1];
		size_t n;

		if (li->n_drops >= ORDO_LCLOCK_DROPS_MAX)
			break;
		if (nla_parse_nested(tb, ORDO_A_MAX, st, NULL) < 0 ||
		    !tb[ORDO_A_STAT_NAME] || !tb[ORDO_A_STAT_VALUE])
			continue;
		n = (size_t)nla_len(tb[ORDO_A_STAT_NAME]);
		if (n >= sizeof(li->drops[0].name))
			n = sizeof(li->drops[0].name) - 1;
		memcpy(li->drops[li->n_drops].name, nla_data(tb[ORDO_A_STAT_NAME]),
		       n);
		li->drops[li->n_drops].name[n] = '\0';
		li->drops[li->n_drops].value = nla_get_u64(tb[ORDO_A_STAT_VALUE]);
		li->n_drops++;
	}
}

static int lclock_parse(struct nlmsghdr *nlh, struct ordo_lclock_info *li)
{
	struct nlattr *tb[ORDO_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, ORDO_A_MAX, NULL) < 0)
		return -EPROTO;
	memset(li, 0, sizeof(*li));
#define U64(a, f) do { if (tb[a]) li->f = nla_get_u64(tb[a]); } while (0)
#define U32(a, f) do { if (tb[a]) li->f = nla_get_u32(tb[a]); } while (0)
	U32(ORDO_A_LCLOCK_DOMAIN, domain);
	U32(ORDO_A_LCLOCK_GROUP, group);
	U32(ORDO_A_LCLOCK_KIND, kind);
	U32(ORDO_A_LCLOCK_NODE, node);
	U32(ORDO_A_LCLOCK_VC_N, vc_n);
	U32(ORDO_A_LCLOCK_VC_INDEX, vc_index);
	U64(ORDO_A_LCLOCK_VALUE, value);
	U32(ORDO_A_LCLOCK_HLC_C, hlc_c);
	U64(ORDO_A_LCLOCK_MAX_JUMP, max_jump);
	U32(ORDO_A_LCLOCK_SOCKETS, sockets);
	U64(ORDO_A_LCLOCK_STAMPED, stamped);
	U64(ORDO_A_LCLOCK_RECEIVED, received);
	U64(ORDO_A_LCLOCK_TICKS, ticks);
	U64(ORDO_A_LCLOCK_FUTURE, future);
	U64(ORDO_A_LCLOCK_UNSTAMPED, unstamped);
#undef U64
#undef U32
	li->refuse = !!tb[ORDO_A_LCLOCK_REFUSE];
	if (tb[ORDO_A_LCLOCK_VECTOR]) {
		size_t n = (size_t)nla_len(tb[ORDO_A_LCLOCK_VECTOR]);

		if (n > sizeof(li->vc))
			n = sizeof(li->vc);
		memcpy(li->vc, nla_data(tb[ORDO_A_LCLOCK_VECTOR]), n);
	}
	if (tb[ORDO_A_LCLOCK_DROPS])
		parse_drops(li, tb[ORDO_A_LCLOCK_DROPS]);
	return 0;
}

static int lclock_parse_one(struct nlmsghdr *nlh, void *arg)
{
	return arg ? lclock_parse(nlh, arg) : 0;
}

int ordo_lclock_domain_add(struct ordo *h, const struct ordo_lclock_params *p)
{
	struct nl_msg *msg = ordo_priv_msg_new(h, ORDO_CMD_LCLOCK_DOMAIN_ADD, 0);
	uint32_t node = p->has_node ? p->node : p->vc_index;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ORDO_A_LCLOCK_DOMAIN, p->domain) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_KIND, p->kind) ||
	    nla_put_u32(msg, ORDO_A_LCLOCK_NODE, node) ||
	    (p->has_group &&
	     nla_put_u32(msg, ORDO_A_LCLOCK_GROUP, p->group)) ||
	    (p->kind == ORDO_WIRE_KIND_VECTOR &&
	     (nla_put_u32(msg, ORDO_A_LCLOCK_VC_N, p->vc_n) ||
	      nla_put_u32(msg, ORDO_A_LCLOCK_VC_INDEX, p->vc_index))) ||
	    (p->max_jump &&
	     nla_put_u64(msg, ORDO_A_LCLOCK_MAX_JUMP, p->max_jump)) ||
	    (p->refuse && nla_put_flag(msg, ORDO_A_LCLOCK_REFUSE))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ordo_priv_transact(h, msg, lclock_parse_one, NULL);
}

static int lclock_by_id(struct ordo *h, uint8_t cmd, uint32_t domain,
			struct ordo_lclock_info *li)
{
	struct nl_msg *msg = ordo_priv_msg_new(h, cmd, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ORDO_A_LCLOCK_DOMAIN, domain)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ordo_priv_transact(h, msg, lclock_parse_one, li);
}

int ordo_lclock_domain_del(struct ordo *h, uint32_t domain)
{
	return lclock_by_id(h, ORDO_CMD_LCLOCK_DOMAIN_DEL, domain, NULL);
}

int ordo_lclock_get(struct ordo *h, uint32_t domain,
		    struct ordo_lclock_info *li)
{
	return lclock_by_id(h, ORDO_CMD_LCLOCK_GET, domain, li);
}

int ordo_lclock_tick(struct ordo *h, uint32_t domain,
		     struct ordo_lclock_info *li)
{
	return lclock_by_id(h, ORDO_CMD_LCLOCK_TICK, domain, li);
}

struct lclock_dump_ctx {
	ordo_lclock_fn fn;
	void *arg;
	int count;
	int stop;
	struct ordo_lclock_info li;
};

static int lclock_dump_parse(struct nlmsghdr *nlh, void *arg)
{
	struct lclock_dump_ctx *ctx = arg;
	int err;

	if (ctx->stop)
		return 0;
	err = lclock_parse(nlh, &ctx->li);
	if (err)
		return err;
	ctx->count++;
	ctx->stop = ctx->fn ? ctx->fn(&ctx->li, ctx->arg) : 0;
	return 0;
}

int ordo_lclock_dump(struct ordo *h, ordo_lclock_fn fn, void *arg)
{
	struct lclock_dump_ctx *ctx;
	struct nl_msg *msg;
	int err;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->fn = fn;
	ctx->arg = arg;
	msg = ordo_priv_msg_new(h, ORDO_CMD_LCLOCK_GET, NLM_F_DUMP);
	if (!msg) {
		free(ctx);
		return -ENOMEM;
	}
	err = ordo_priv_dump(h, msg, lclock_dump_parse, ctx);
	if (!err)
		err = ctx->stop ? ctx->stop : ctx->count;
	free(ctx);
	return err;
}

static int lclock_ioctl(unsigned long cmd, int sock_fd, uint32_t domain,
			uint32_t flags)
{
	struct ordo_lclock_attach a = {
		.fd = sock_fd, .domain = domain, .flags = flags,
	};
	int dev, err = 0;

	dev = open(ORDO_LCLOCK_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return errno == ENOENT ? ORDO_ERR_NOT_LOADED : -errno;
	if (ioctl(dev, cmd, &a))
		err = -errno;
	close(dev);
	return err;
}

int ordo_lclock_attach(int sock_fd, uint32_t domain, uint32_t flags)
{
	return lclock_ioctl(ORDO_IOC_ATTACH, sock_fd, domain, flags);
}

int ordo_lclock_detach(int sock_fd)
{
	return lclock_ioctl(ORDO_IOC_DETACH, sock_fd, 0, 0);
}
