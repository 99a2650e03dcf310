// SPDX-License-Identifier: GPL-2.0
/*
 * libordo - generic netlink client for the "ordo" family (libnl-genl-3).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/netlink.h>

#include "libordo.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct ordo {
	struct nl_sock *sk;
	int family;
	char errmsg[256];
};

/* State of one request/response exchange. */
struct ordo_req {
	struct ordo *h;
	bool dump;
	bool done;
	int err;		/* first error: kernel errno or parse error */
	int (*parse)(struct nlmsghdr *nlh, void *arg);
	void *arg;
};

const char *ordo_strerror(int err)
{
	if (err == ORDO_ERR_NOT_LOADED)
		return "ordo module not loaded";
	return strerror(err < 0 ? -err : err);
}

const char *ordo_errmsg(const struct ordo *h)
{
	return h && h->errmsg[0] ? h->errmsg : NULL;
}

int ordo_family_id(const struct ordo *h)
{
	return h->family;
}

/* Map a (negative) libnl error code to a negative errno. */
static int nlerr_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:			return 0;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_BUSY:		return -EBUSY;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_MSG_TRUNC:	return -EMSGSIZE;
	case NLE_PROTO_MISMATCH: return -EPROTO;
	default:		return -EIO;
	}
}

/*
 * Copy NLMSGERR_ATTR_MSG out of an NLMSG_ERROR or NLMSG_DONE message.
 * @payload_len is the size of the fixed part that precedes the TLVs.
 */
static void ordo_save_extack(struct ordo *h, const struct nlmsghdr *nlh,
			     size_t payload_len)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = (const char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(payload_len);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *nla = (const struct nlattr *)p;
		size_t len = nla->nla_len;

		if (len < NLA_HDRLEN || p + len > end)
			break;
		if ((nla->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG &&
		    len > NLA_HDRLEN) {
			size_t n = len - NLA_HDRLEN;

			if (n >= sizeof(h->errmsg))
				n = sizeof(h->errmsg) - 1;
			memcpy(h->errmsg, p + NLA_HDRLEN, n);
			h->errmsg[n] = '\0';
		}
		p += NLA_ALIGN(len);
	}
}

static int ordo_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct ordo_req *req = arg;
	const struct nlmsghdr *nlh;
	size_t payload = sizeof(*e);

	(void)nla;
	nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	ordo_save_extack(req->h, nlh, payload);

	if (!req->err)
		req->err = e->error ? e->error : -EIO;
	req->done = true;
	return NL_STOP;
}

static int ordo_ack_cb(struct nl_msg *msg, void *arg)
{
	struct ordo_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

static int ordo_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ordo_req *req = arg;

	/* A failed dump reports its errno in the NLMSG_DONE payload. */
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		int err;

		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0) {
			ordo_save_extack(req->h, nlh, sizeof(int));
			if (!req->err)
				req->err = err;
		}
	}
	req->done = true;
	return NL_STOP;
}

static int ordo_valid_cb(struct nl_msg *msg, void *arg)
{
	struct ordo_req *req = arg;
	int err;

	if (req->err || !req->parse)
		return NL_OK;	/* keep draining the socket */
	err = req->parse(nlmsg_hdr(msg), req->arg);
	if (err)
		req->err = err;
	return NL_OK;
}

/* Send @msg (consumed) and process replies until the ACK or NLMSG_DONE. */
static int ordo_transact(struct ordo *h, struct nl_msg *msg, bool dump,
			 int (*parse)(struct nlmsghdr *, void *), void *arg)
{
	struct ordo_req req = {
		.h = h, .dump = dump, .parse = parse, .arg = arg,
	};
	struct nl_cb *cb;
	int ret;

	h->errmsg[0] = '\0';

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ordo_valid_cb, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ordo_ack_cb, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ordo_finish_cb, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, ordo_err_cb, &req);

	/* nl_send_auto() adds NLM_F_REQUEST | NLM_F_ACK.  A dump ends with
	 * NLMSG_DONE (no ACK follows), a do request with the ACK.
	 */
	ret = nl_send_auto(h->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return nlerr_to_errno(ret);
	}

	while (!req.done) {
		ret = nl_recvmsgs(h->sk, cb);
		if (ret < 0 && !req.done) {
			if (!req.err)
				req.err = nlerr_to_errno(ret);
			break;
		}
	}
	nl_cb_put(cb);

	/* genetlink answers -ENOENT without a message for an unknown family
	 * id: the module went away after ordo_open() resolved it.
	 */
	if (req.err == -ENOENT && !h->errmsg[0] &&
	    genl_ctrl_resolve(h->sk, ORDO_GENL_NAME) < 0)
		return ORDO_ERR_NOT_LOADED;
	return req.err;
}

static struct nl_msg *ordo_msg_new(struct ordo *h, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0, flags,
			 cmd, ORDO_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int ordo_open(struct ordo **hp)
{
	struct ordo *h;
	int one = 1;
	int err;

	*hp = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;

	h->sk = nl_socket_alloc();
	if (!h->sk) {
		free(h);
		return -ENOMEM;
	}

	err = genl_connect(h->sk);
	if (err < 0) {
		err = nlerr_to_errno(err);
		goto fail;
	}
	nl_socket_enable_msg_peek(h->sk);

	/* libnl 3.7 has no helper for these; ask for extack messages and
	 * strict checking.  Failure only costs us the error messages.
	 */
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK,
		   &one, sizeof(one));

	err = genl_ctrl_resolve(h->sk, ORDO_GENL_NAME);
	if (err < 0) {
		err = (err == -NLE_OBJ_NOTFOUND) ? ORDO_ERR_NOT_LOADED :
						   nlerr_to_errno(err);
		goto fail;
	}
	h->family = err;
	*hp = h;
	return 0;

fail:
	nl_socket_free(h->sk);
	free(h);
	return err;
}

void ordo_close(struct ordo *h)
{
	if (!h)
		return;
	nl_socket_free(h->sk);
	free(h);
}

static void copy_str(char *dst, size_t size, const struct nlattr *nla)
{
	snprintf(dst, size, "%.*s", (int)nla_len(nla), (const char *)nla_data(nla));
}

static int ordo_info_parse(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy pol[ORDO_A_MAX + 1] = {
		[ORDO_A_VERSION]	= { .type = NLA_NUL_STRING },
		[ORDO_A_BUILD_ID]	= { .type = NLA_NUL_STRING },
		[ORDO_A_CAPS]		= { .type = NLA_U64 },
		[ORDO_A_GENL_VERSION]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[ORDO_A_MAX + 1];
	struct ordo_info *info = arg;
	int err;

	err = genlmsg_parse(nlh, 0, tb, ORDO_A_MAX, pol);
	if (err < 0)
		return -EPROTO;
	if (!tb[ORDO_A_VERSION] || !tb[ORDO_A_BUILD_ID] || !tb[ORDO_A_CAPS] ||
	    !tb[ORDO_A_GENL_VERSION])
		return -EPROTO;

	copy_str(info->version, sizeof(info->version), tb[ORDO_A_VERSION]);
	copy_str(info->build_id, sizeof(info->build_id), tb[ORDO_A_BUILD_ID]);
	info->caps = nla_get_u64(tb[ORDO_A_CAPS]);
	info->genl_version = nla_get_u32(tb[ORDO_A_GENL_VERSION]);
	return 0;
}

int ordo_get_info(struct ordo *h, struct ordo_info *info)
{
	struct nl_msg *msg;

	memset(info, 0, sizeof(*info));
	msg = ordo_msg_new(h, ORDO_CMD_GET_INFO, 0);
	if (!msg)
		return -ENOMEM;
	return ordo_transact(h, msg, false, ordo_info_parse, info);
}

static int ordo_stat_parse(struct nlmsghdr *nlh, struct ordo_stat *stat)
{
	static struct nla_policy pol[ORDO_A_MAX + 1] = {
		[ORDO_A_STAT]		= { .type = NLA_NESTED },
		[ORDO_A_STAT_NAME]	= { .type = NLA_NUL_STRING },
		[ORDO_A_STAT_VALUE]	= { .type = NLA_U64 },
	};
	struct nlattr *tb[ORDO_A_MAX + 1];
	struct nlattr *st[ORDO_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, ORDO_A_MAX, pol) < 0 || !tb[ORDO_A_STAT])
		return -EPROTO;
	if (nla_parse_nested(st, ORDO_A_MAX, tb[ORDO_A_STAT], pol) < 0 ||
	    !st[ORDO_A_STAT_NAME] || !st[ORDO_A_STAT_VALUE])
		return -EPROTO;

	copy_str(stat->name, sizeof(stat->name), st[ORDO_A_STAT_NAME]);
	stat->value = nla_get_u64(st[ORDO_A_STAT_VALUE]);
	return 0;
}

struct ordo_stat_get_ctx {
	struct ordo_stat *stat;
	int found;
};

static int ordo_stat_get_parse(struct nlmsghdr *nlh, void *arg)
{
	struct ordo_stat_get_ctx *ctx = arg;
	int err = ordo_stat_parse(nlh, ctx->stat);

	if (!err)
		ctx->found++;
	return err;
}

int ordo_stat_get(struct ordo *h, const char *name, struct ordo_stat *stat)
{
	struct ordo_stat_get_ctx ctx = { .stat = stat };
	struct nl_msg *msg;
	int err;

	memset(stat, 0, sizeof(*stat));
	if (strlen(name) >= ORDO_STAT_NAME_LEN)
		return -ENAMETOOLONG;

	msg = ordo_msg_new(h, ORDO_CMD_STATS_GET, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, ORDO_A_STAT_NAME, name) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = ordo_transact(h, msg, false, ordo_stat_get_parse, &ctx);
	if (!err && ctx.found != 1)
		err = -EPROTO;
	return err;
}

struct ordo_dump_ctx {
	ordo_stat_fn fn;
	void *arg;
	int count;
	int stop;	/* non-zero return of fn */
};

static int ordo_stats_dump_parse(struct nlmsghdr *nlh, void *arg)
{
	struct ordo_dump_ctx *ctx = arg;
	struct ordo_stat stat;
	int err;

	if (ctx->stop)
		return 0;
	err = ordo_stat_parse(nlh, &stat);
	if (err)
		return err;
	ctx->count++;
	ctx->stop = ctx->fn ? ctx->fn(&stat, ctx->arg) : 0;
	return 0;
}

int ordo_stats_dump(struct ordo *h, ordo_stat_fn fn, void *arg)
{
	struct ordo_dump_ctx ctx = { .fn = fn, .arg = arg };
	struct nl_msg *msg;
	int err;

	msg = ordo_msg_new(h, ORDO_CMD_STATS_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	err = ordo_transact(h, msg, true, ordo_stats_dump_parse, &ctx);
	if (err)
		return err;
	return ctx.stop ? ctx.stop : ctx.count;
}

/* For the other parts of libordo (ordo_priv.h), not part of the API. */
struct nl_msg *ordo_priv_msg_new(struct ordo *h, uint8_t cmd, int flags)
{
	return ordo_msg_new(h, cmd, flags);
}

int ordo_priv_transact(struct ordo *h, struct nl_msg *msg,
		       int (*parse)(struct nlmsghdr *, void *), void *arg)
{
	return ordo_transact(h, msg, false, parse, arg);
}

int ordo_priv_dump(struct ordo *h, struct nl_msg *msg,
		   int (*parse)(struct nlmsghdr *, void *), void *arg)
{
	return ordo_transact(h, msg, true, parse, arg);
}
