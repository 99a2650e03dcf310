/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink helpers for the lifecycle tests: requests are built
 * byte by byte so that malformed messages can be sent exactly as intended.
 */
#ifndef ORDO_TEST_NL_RAW_H
#define ORDO_TEST_NL_RAW_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ordo.h>

#include "libordo.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct raw_msg {
	union {
		struct nlmsghdr nlh;
		char buf[4096];
	};
	size_t len;		/* bytes to send */
};

/* Result of one request: the NLMSG_ERROR (or NLMSG_DONE) that ended it. */
struct raw_result {
	int error;		/* 0 or negative errno */
	bool done;		/* ended by NLMSG_DONE (dump) */
	int replies;		/* data messages seen before the end */
	bool has_msg;
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
};

/* Family id of "ordo" via libordo, or a negative errno. */
static inline int raw_family_id(void)
{
	struct ordo *h;
	int err, id;

	err = ordo_open(&h);
	if (err)
		return err;
	id = ordo_family_id(h);
	ordo_close(h);
	return id;
}

/* NETLINK_GENERIC socket with extack and strict checking, 5 s timeout. */
static inline int raw_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	int one = 1;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
		       sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Start a message: netlink header plus genetlink header. */
static inline void raw_init(struct raw_msg *m, int family, uint16_t flags,
			    uint8_t cmd, uint32_t seq)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = flags;
	m->nlh.nlmsg_seq = seq;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = ORDO_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_len = m->len;
}

/*
 * Append an attribute whose header claims @nla_len bytes but which carries
 * @len bytes of @data (padded to 4).  Returns the attribute's offset.
 */
static inline size_t raw_put_attr_len(struct raw_msg *m, uint16_t type,
				      uint16_t nla_len, const void *data,
				      size_t len)
{
	struct nlattr *nla = (struct nlattr *)(m->buf + m->len);
	size_t off = m->len;

	nla->nla_type = type;
	nla->nla_len = nla_len;
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
	m->nlh.nlmsg_len = m->len;
	return off;
}

static inline size_t raw_put_attr(struct raw_msg *m, uint16_t type,
				  const void *data, size_t len)
{
	return raw_put_attr_len(m, type, NLA_HDRLEN + len, data, len);
}

static inline size_t raw_put_str(struct raw_msg *m, uint16_t type,
				 const char *s)
{
	return raw_put_attr(m, type, s, strlen(s) + 1);
}

static inline int raw_send(int fd, const struct raw_msg *m)
{
	ssize_t n = send(fd, m->buf, m->len, 0);

	if (n < 0)
		return -errno;
	return n == (ssize_t)m->len ? 0 : -EIO;
}

/* Parse the extack TLVs of an NLMSG_ERROR/NLMSG_DONE; @fixed: payload size. */
static inline void raw_parse_tlvs(const struct nlmsghdr *nlh, size_t fixed,
				  struct raw_result *r)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = (const char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(fixed);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *nla = (const struct nlattr *)p;
		size_t alen = nla->nla_len, dlen = alen - NLA_HDRLEN;
		const char *data = p + NLA_HDRLEN;

		if (alen < NLA_HDRLEN || p + alen > end)
			break;
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			r->has_msg = true;
			snprintf(r->msg, sizeof(r->msg), "%.*s", (int)dlen, data);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (dlen == 4) {
				r->has_offs = true;
				memcpy(&r->offs, data, 4);
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (dlen == 4) {
				r->has_miss_type = true;
				memcpy(&r->miss_type, data, 4);
			}
			break;
		}
		p += NLA_ALIGN(alen);
	}
}

/*
 * Read messages for @seq until an NLMSG_ERROR or NLMSG_DONE ends the
 * request.  NLMSG_ERROR with -ENOBUFS for a dump request is skipped when
 * @skip_enobufs (a dump started on a full socket, see dump_unload_test.c).
 * Returns 0 when a result was read, a negative errno on socket errors.
 */
static inline int raw_recv_result(int fd, uint32_t seq, bool skip_enobufs,
				  struct raw_result *r)
{
	static char buf[65536];

	memset(r, 0, sizeof(*r));
	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t n;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ENOBUFS && skip_enobufs)
				continue;	/* socket overrun reported */
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				size_t fixed = sizeof(*e);

				if (skip_enobufs && e->error == -ENOBUFS)
					continue;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					fixed += e->msg.nlmsg_len - NLMSG_HDRLEN;
				r->error = e->error;
				raw_parse_tlvs(nlh, fixed, r);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				memcpy(&r->error, NLMSG_DATA(nlh), sizeof(int));
				r->done = true;
				raw_parse_tlvs(nlh, sizeof(int), r);
				return 0;
			}
			r->replies++;
		}
	}
}

/* Send @m on a fresh socket and collect its result. */
static inline int raw_request(const struct raw_msg *m, struct raw_result *r)
{
	int fd = raw_open();
	int err;

	if (fd < 0)
		return fd;
	err = raw_send(fd, m);
	if (!err)
		err = raw_recv_result(fd, m->nlh.nlmsg_seq, false, r);
	close(fd);
	return err;
}

/* Module helpers: the tests must never leave ordo.ko unloaded. */
static inline bool ordo_loaded(void)
{
	return access("/sys/module/ordo", F_OK) == 0;
}

static inline long ordo_refcnt(void)
{
	FILE *f = fopen("/sys/module/ordo/refcnt", "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* delete_module(2) without waiting: 0 or -errno. */
static inline int ordo_unload(void)
{
	return syscall(SYS_delete_module, "ordo", O_NONBLOCK) ? -errno : 0;
}

/* finit_module(2) of $ORDO_KO unless already loaded: 0 or -errno. */
static inline int ordo_load(void)
{
	const char *ko = getenv("ORDO_KO");
	int fd, err = 0;

	if (ordo_loaded())
		return 0;
	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = -errno;
	close(fd);
	return err;
}

#endif /* ORDO_TEST_NL_RAW_H */
