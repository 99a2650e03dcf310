// SPDX-License-Identifier: GPL-2.0
/*
 * libordo runtime: a node of the cluster (ordo_rt.h,
 * Documentation/runtime.rst).
 *
 * One stamped UDP socket per node (Lamport, through ordo_ldom: ordo.ko
 * or libordo), the application header of <linux/ordo_app.h>, protobuf-c
 * bodies. On top: per-proto handlers, request/reply with retransmission
 * and duplicate suppression (a reply cache per peer), counters, and a
 * heartbeat failure detector.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/ordo_app.h>
#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "libordo.h"
#include "ordo_rt.h"
#include "ordo_rt.pb-c.h"

#define NSEC_PER_MSEC	1000000ULL
#define RT_RBUF_LEN	65536
#define RT_RCVBUF	(1 << 20)
#define RT_CMSG_SPACE	(CMSG_SPACE(sizeof(struct ordo_lclock_cmsg)) + 256)
#define RT_SEEN_BUCKETS	256
#define RT_SEEN_MAX	4096	/* cached requests per peer */
#define RT_N_PROTOS	10	/* known protos: the counters' first index */

/* A request received from a peer: the duplicate filter and reply cache. */
struct rt_seen {
	struct rt_seen *next;	/* in its bucket */
	uint32_t xid;
	uint8_t proto;
	bool replied;
	uint64_t t_ns;		/* received, then replied */
	uint8_t *reply;		/* the reply datagram (header + body) */
	size_t reply_len;
};

struct rt_peer {
	uint32_t id;
	const struct ordo_conf_node *node;
	struct sockaddr_storage addr;	/* node->addr, port + port_offset */
	enum ordo_peer_state state;
	bool heard;
	uint64_t last_ns;	/* last valid datagram (start time at first) */
	uint64_t incarnation;	/* from its heartbeats; 0: none yet */
	struct rt_seen *seen[RT_SEEN_BUCKETS];
	size_t n_seen;
};

/* An outstanding request of this node. */
struct rt_req {
	struct rt_req *next;
	struct ordo_rt *rt;
	uint32_t to;
	uint32_t xid;
	uint8_t proto;
	bool accepted;		/* the peer answered PENDING */
	unsigned int sent;	/* transmissions since start or last PENDING */
	uint8_t *dgram;		/* header + body */
	size_t len;
	struct ordo_timer timer;
	ordo_rt_reply_fn fn;
	void *arg;
};

struct rt_handler {
	ordo_rt_msg_fn fn;
	void *arg;
};

struct ordo_rt {
	struct ordo_conf *conf;
	struct ordo_loop *loop;
	uint32_t self;
	int fd;
	struct ordo_ldom *dom;
	struct rt_peer *peers;	/* conf->nodes order (sorted by id), self included */
	size_t n_peers;
	struct rt_handler handler[ORDO_APP_PROTO_MAX];
	struct rt_req *reqs;
	uint32_t next_xid;
	uint64_t incarnation;
	uint64_t hb_seq;
	uint64_t hb_ran_ns;	/* the heartbeat timer last ran (0: never) */
	uint64_t keep_ns;	/* replied requests stay cached this long */
	unsigned int port_offset;
	struct ordo_timer hb_timer;
	struct ordo_timer fd_timer;
	ordo_rt_peer_fn peer_fn;
	void *peer_arg;
	ordo_rt_restart_fn restart_fn;
	void *restart_arg;
	ordo_rt_hb_fill_fn hb_fill;
	ordo_rt_hb_recv_fn hb_recv;
	void *hb_arg;
	ordo_rt_tx_hook tx_hook;
	void *tx_arg;
	bool closing;
	struct ordo_rt_stats st;
	uint64_t count[RT_N_PROTOS][256][2];
	uint64_t opdone[RT_N_PROTOS][2];
	uint8_t *rbuf;
};

static const char *const rt_bad_names[ORDO_RT_BAD_CNT] = {
	[ORDO_RT_BAD_UNSTAMPED] = "unstamped",
	[ORDO_RT_BAD_APP] = "app_header",
	[ORDO_RT_BAD_SENDER] = "sender",
	[ORDO_RT_BAD_ADDR] = "address",
	[ORDO_RT_BAD_NODE] = "node",
	[ORDO_RT_BAD_BODY] = "body",
	[ORDO_RT_BAD_TRUNC] = "truncated",
};

const char *ordo_rt_bad_name(enum ordo_rt_bad reason)
{
	return (unsigned int)reason < ORDO_RT_BAD_CNT ? rt_bad_names[reason] : "?";
}

const char *ordo_peer_state_name(enum ordo_peer_state s)
{
	switch (s) {
	case ORDO_PEER_UNKNOWN:
		return "unknown";
	case ORDO_PEER_ALIVE:
		return "alive";
	case ORDO_PEER_SUSPECT:
		return "suspect";
	}
	return "?";
}

/* The counters' index of a known proto, or -1. */
static int rt_proto_idx(uint8_t proto)
{
	switch (proto) {
	case ORDO_APP_PROTO_RT:			return 0;
	case ORDO_APP_PROTO_MUTEX_CENTRAL:	return 1;
	case ORDO_APP_PROTO_MUTEX_RING:		return 2;
	case ORDO_APP_PROTO_MUTEX_RA:		return 3;
	case ORDO_APP_PROTO_MUTEX_LAMPORT:	return 4;
	case ORDO_APP_PROTO_MUTEX_VOTE:		return 5;
	case ORDO_APP_PROTO_ELECT_BULLY:	return 6;
	case ORDO_APP_PROTO_ELECT_RING:		return 7;
	case ORDO_APP_PROTO_RAFT:		return 8;
	case ORDO_APP_PROTO_CLOCKSYNC:		return 9;
	default:				return -1;
	}
}

static struct rt_peer *rt_peer(const struct ordo_rt *rt, uint32_t id)
{
	size_t i;

	for (i = 0; i < rt->n_peers; i++)
		if (rt->peers[i].id == id)
			return &rt->peers[i];
	return NULL;
}

static const char *rt_addr_str(const struct sockaddr_storage *ss, char *buf,
			       size_t len)
{
	const struct sockaddr_in *a4 = (const void *)ss;
	const struct sockaddr_in6 *a6 = (const void *)ss;
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s port %u", ip, ntohs(a4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s port %u", ip, ntohs(a6->sin6_port));
	} else {
		snprintf(buf, len, "family %u", ss->ss_family);
	}
	return buf;
}

static bool rt_addr_eq(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       !memcmp(&a6->sin6_addr, &b6->sin6_addr,
			       sizeof(a6->sin6_addr));
	return false;
}

/* ---------------------------------------------------------------- sending */

/*
 * Send datagram @dgram (@len bytes: header + body, described by @h) to
 * @p, as many copies as the test hook says. Counts what leaves.
 */
static int rt_xmit_iov(struct ordo_rt *rt, struct rt_peer *p,
		       const struct ordo_app_info *h, struct iovec *iov,
		       size_t iovlen)
{
	unsigned int copies = rt->tx_hook ? rt->tx_hook(rt->tx_arg, p->id, h) : 1;
	struct msghdr msg = {
		.msg_name = (void *)&p->addr,
		.msg_namelen = p->node->addr_len,
		.msg_iov = iov,
		.msg_iovlen = iovlen,
	};
	int idx = rt_proto_idx(h->proto), err = 0;
	unsigned int i;

	for (i = 0; i < copies; i++) {
		if (ordo_lsendmsg(rt->dom, rt->fd, &msg, MSG_DONTWAIT) < 0) {
			if (!err)
				err = -errno;
			rt->st.send_errors++;
			ordo_debug("node %" PRIu32 ": send to node %" PRIu32 " failed: %s",
				   rt->self, p->id, strerror(errno));
			continue;
		}
		rt->st.tx++;
		if (idx >= 0) {
			rt->count[idx][h->type][ORDO_RT_TX]++;
			if ((h->flags & (ORDO_APP_F_OPDONE | ORDO_APP_F_RETX)) ==
			    ORDO_APP_F_OPDONE)
				rt->opdone[idx][ORDO_RT_TX]++;
		}
		if (h->proto == ORDO_APP_PROTO_RT &&
		    h->type == ORDO_APP_RT_HEARTBEAT)
			rt->st.heartbeats_tx++;
	}
	return err;
}

static int rt_xmit(struct ordo_rt *rt, struct rt_peer *p, const uint8_t *dgram,
		   size_t len)
{
	struct iovec iov = { .iov_base = (void *)dgram, .iov_len = len };
	struct ordo_app_info h;

	if (ordo_app_decode(dgram, (uint32_t)len, &h) < 0)
		return -EINVAL;		/* cannot happen: we built it */
	return rt_xmit_iov(rt, p, &h, &iov, 1);
}

/* Fill @h for a new message of this node. */
static int rt_header(struct ordo_rt *rt, struct ordo_app_info *h, uint8_t proto,
		     uint8_t type, uint8_t flags, uint32_t xid, size_t len)
{
	if (!ordo_app_proto_known(proto))
		return -EPROTONOSUPPORT;
	if (len > ORDO_RT_BODY_MAX)
		return -EMSGSIZE;
	h->version = ORDO_APP_VERSION;
	h->proto = proto;
	h->type = type;
	h->flags = flags;
	h->sender = rt->self;
	h->xid = xid;
	h->body_len = (uint32_t)len;
	return 0;
}

/* A whole datagram in one buffer (kept by requests and the reply cache). */
static uint8_t *rt_build(const struct ordo_app_info *h, const void *body,
			 size_t len)
{
	uint8_t *d = malloc(ORDO_APP_HDR_LEN + len);

	if (!d)
		return NULL;
	ordo_app_encode(d, ORDO_APP_HDR_LEN, h);
	if (len)
		memcpy(d + ORDO_APP_HDR_LEN, body, len);
	return d;
}

static int rt_send_xid(struct ordo_rt *rt, struct rt_peer *p, uint8_t proto,
		       uint8_t type, uint8_t flags, uint32_t xid,
		       const void *body, size_t len)
{
	uint8_t hdr[ORDO_APP_HDR_LEN];
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)body, .iov_len = len },
	};
	struct ordo_app_info h;
	int err;

	err = rt_header(rt, &h, proto, type, flags, xid, len);
	if (err)
		return err;
	ordo_app_encode(hdr, sizeof(hdr), &h);
	return rt_xmit_iov(rt, p, &h, iov, len ? 2 : 1);
}

static int rt_send_to(struct ordo_rt *rt, struct rt_peer *p, uint8_t proto,
		      uint8_t type, uint8_t flags, const void *body, size_t len)
{
	return rt_send_xid(rt, p, proto, type, flags, rt->next_xid++, body,
			   len);
}

int ordo_rt_send_xid(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		     uint8_t type, uint8_t flags, uint32_t *xid,
		     const void *body, size_t len)
{
	struct rt_peer *p = rt_peer(rt, to);

	if (!p || to == rt->self)
		return -ENOENT;
	if (flags & ~(ORDO_APP_F_OPDONE | ORDO_APP_F_RETX))
		return -EINVAL;
	if (!*xid) {
		if (flags & ORDO_APP_F_RETX)
			return -EINVAL;
		if (!rt->next_xid)
			rt->next_xid++;
		*xid = rt->next_xid++;
	} else {
		flags |= ORDO_APP_F_RETX;
	}
	return rt_send_xid(rt, p, proto, type, flags, *xid, body, len);
}

int ordo_rt_send(struct ordo_rt *rt, uint32_t to, uint8_t proto, uint8_t type,
		 uint8_t flags, const void *body, size_t len)
{
	struct rt_peer *p = rt_peer(rt, to);

	if (!p)
		return -ENOENT;
	if (flags & ~ORDO_APP_F_OPDONE)
		return -EINVAL;
	return rt_send_to(rt, p, proto, type, flags, body, len);
}

int ordo_rt_broadcast(struct ordo_rt *rt, uint8_t proto, uint8_t type,
		      uint8_t flags, const void *body, size_t len)
{
	int err, sent = 0, first = 0;
	size_t i;

	if (flags & ~ORDO_APP_F_OPDONE)
		return -EINVAL;
	for (i = 0; i < rt->n_peers; i++) {
		if (rt->peers[i].id == rt->self)
			continue;
		err = rt_send_to(rt, &rt->peers[i], proto, type, flags, body, len);
		if (err == -EPROTONOSUPPORT || err == -EMSGSIZE)
			return err;
		if (err && !first)
			first = err;
		else if (!err)
			sent++;
	}
	return sent || !first ? sent : first;
}

/* Pack @msg into a buffer of its own (*bufp, to free). */
static int rt_pack(const ProtobufCMessage *msg, uint8_t **bufp, size_t *lenp)
{
	size_t len = msg ? protobuf_c_message_get_packed_size(msg) : 0;

	*bufp = NULL;
	*lenp = len;
	if (len > ORDO_RT_BODY_MAX)
		return -EMSGSIZE;
	if (!len)
		return 0;
	*bufp = malloc(len);
	if (!*bufp)
		return -ENOMEM;
	protobuf_c_message_pack(msg, *bufp);
	return 0;
}

int ordo_rt_send_pb(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		    uint8_t type, uint8_t flags, const ProtobufCMessage *msg)
{
	uint8_t *buf;
	size_t len;
	int err = rt_pack(msg, &buf, &len);

	if (!err)
		err = ordo_rt_send(rt, to, proto, type, flags, buf, len);
	free(buf);
	return err;
}

int ordo_rt_broadcast_pb(struct ordo_rt *rt, uint8_t proto, uint8_t type,
			 uint8_t flags, const ProtobufCMessage *msg)
{
	uint8_t *buf;
	size_t len;
	int err = rt_pack(msg, &buf, &len);

	if (!err)
		err = ordo_rt_broadcast(rt, proto, type, flags, buf, len);
	free(buf);
	return err;
}

/* ---------------------------------------------------------------- requests */

static void rt_req_unlink(struct ordo_rt *rt, struct rt_req *r)
{
	struct rt_req **pp;

	for (pp = &rt->reqs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	ordo_timer_stop(&r->timer);
}

static void rt_req_free(struct rt_req *r)
{
	free(r->dgram);
	free(r);
}

/* End request @r with @status (and @m, a reply or an error). */
static void rt_req_end(struct ordo_rt *rt, struct rt_req *r, int status,
		       const struct ordo_rt_msg *m)
{
	rt_req_unlink(rt, r);
	if (r->fn)
		r->fn(rt, status, m, r->arg);
	rt_req_free(r);
}

static struct rt_req *rt_req_find(struct ordo_rt *rt, uint32_t xid)
{
	struct rt_req *r;

	for (r = rt->reqs; r; r = r->next)
		if (r->xid == xid)
			return r;
	return NULL;
}

static void rt_req_send(struct ordo_rt *rt, struct rt_req *r)
{
	struct rt_peer *p = rt_peer(rt, r->to);

	if (r->sent || r->accepted) {
		r->dgram[ORDO_APP_OFF_FLAGS] |= ORDO_APP_F_RETX;
		rt->st.retransmits++;
	}
	r->sent++;
	rt_xmit(rt, p, r->dgram, r->len);	/* an error is a loss */
	ordo_timer_start(&r->timer, r->accepted ? rt->conf->rt.suspect_ms :
			 rt->conf->rt.retransmit_ms, 0);
}

static void rt_req_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct rt_req *r = arg;
	struct ordo_rt *rt = r->rt;

	(void)l;
	(void)t;
	if (r->sent >= rt->conf->rt.retransmit_max) {
		rt->st.timeouts++;
		ordo_debug("node %" PRIu32 ": request %s/%u xid %" PRIu32 " to node %" PRIu32 " timed out after %u transmissions",
			   rt->self, ordo_app_proto_name(r->proto),
			   r->dgram[ORDO_APP_OFF_TYPE], r->xid, r->to, r->sent);
		rt_req_end(rt, r, -ETIMEDOUT, NULL);
		return;
	}
	rt_req_send(rt, r);
}

int ordo_rt_request(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		    uint8_t type, uint8_t flags, const void *body, size_t len,
		    ordo_rt_reply_fn fn, void *arg, uint32_t *xid)
{
	struct ordo_app_info h;
	struct rt_req *r;
	int err;

	if (rt->closing)
		return -ESHUTDOWN;
	if (!rt_peer(rt, to))
		return -ENOENT;
	if ((flags & ~ORDO_APP_F_OPDONE) || !fn)
		return -EINVAL;
	err = rt_header(rt, &h, proto, type, flags | ORDO_APP_F_REQUEST,
			rt->next_xid, len);
	if (err)
		return err;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->dgram = rt_build(&h, body, len);
	if (!r->dgram) {
		free(r);
		return -ENOMEM;
	}
	rt->next_xid++;
	r->rt = rt;
	r->to = to;
	r->xid = h.xid;
	r->proto = proto;
	r->len = ORDO_APP_HDR_LEN + len;
	r->fn = fn;
	r->arg = arg;
	ordo_timer_init(&r->timer, rt->loop, rt_req_timer, r);
	r->next = rt->reqs;
	rt->reqs = r;
	rt->st.requests++;
	if (xid)
		*xid = r->xid;
	rt_req_send(rt, r);
	return 0;
}

int ordo_rt_request_pb(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		       uint8_t type, uint8_t flags, const ProtobufCMessage *msg,
		       ordo_rt_reply_fn fn, void *arg, uint32_t *xid)
{
	uint8_t *buf;
	size_t len;
	int err = rt_pack(msg, &buf, &len);

	if (!err)
		err = ordo_rt_request(rt, to, proto, type, flags, buf, len, fn,
				      arg, xid);
	free(buf);
	return err;
}

int ordo_rt_cancel(struct ordo_rt *rt, uint32_t xid)
{
	struct rt_req *r = rt_req_find(rt, xid);

	if (!r)
		return -ENOENT;
	rt_req_unlink(rt, r);
	rt_req_free(r);
	return 0;
}

/* ---------------------------------------------------------------- the reply cache */

static struct rt_seen **rt_seen_slot(struct rt_peer *p, uint32_t xid)
{
	struct rt_seen **pp = &p->seen[xid % RT_SEEN_BUCKETS];

	while (*pp && (*pp)->xid != xid)
		pp = &(*pp)->next;
	return pp;
}

static void rt_seen_drop(struct rt_peer *p, struct rt_seen **pp)
{
	struct rt_seen *s = *pp;

	*pp = s->next;
	free(s->reply);
	free(s);
	p->n_seen--;
}

/* Drop replied entries older than @keep_ns (all of them with 0 and
 * @all). */
static void rt_seen_gc(struct rt_peer *p, uint64_t now, uint64_t keep_ns,
		       bool all)
{
	struct rt_seen **pp;
	size_t b;

	for (b = 0; b < RT_SEEN_BUCKETS; b++) {
		pp = &p->seen[b];
		while (*pp) {
			if (all || ((*pp)->replied && (*pp)->t_ns + keep_ns <= now))
				rt_seen_drop(p, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

/*
 * Make room: drop the oldest replied entry or, when none is (a handler
 * that never answers), the oldest of all (its answer gets -ESTALE).
 */
static void rt_seen_evict(struct rt_peer *p)
{
	struct rt_seen **pp, **oldest = NULL, **any = NULL;
	size_t b;

	for (b = 0; b < RT_SEEN_BUCKETS; b++) {
		for (pp = &p->seen[b]; *pp; pp = &(*pp)->next) {
			if ((*pp)->replied &&
			    (!oldest || (*pp)->t_ns < (*oldest)->t_ns))
				oldest = pp;
			if (!any || (*pp)->t_ns < (*any)->t_ns)
				any = pp;
		}
	}
	if (oldest || any)
		rt_seen_drop(p, oldest ? oldest : any);
}

/* ---------------------------------------------------------------- replies */

static int rt_reply_raw(struct ordo_rt *rt, const struct ordo_rt_msg *req,
			uint8_t proto, uint8_t type, uint8_t flags,
			const void *body, size_t len)
{
	struct rt_peer *p = rt_peer(rt, req->from);
	struct ordo_app_info h;
	struct rt_seen *s;
	int err;

	if (!p)
		return -ENOENT;
	if (!(req->flags & ORDO_APP_F_REQUEST) || (flags & ~ORDO_APP_F_OPDONE))
		return -EINVAL;
	s = *rt_seen_slot(p, req->xid);
	if (!s)
		return -ESTALE;	/* the requester restarted since */
	if (s->replied)
		return -EALREADY;
	err = rt_header(rt, &h, proto, type, flags | ORDO_APP_F_REPLY, req->xid,
			len);
	if (err)
		return err;
	s->reply = rt_build(&h, body, len);
	if (!s->reply)
		return -ENOMEM;
	s->reply_len = ORDO_APP_HDR_LEN + len;
	s->replied = true;
	s->t_ns = ordo_now_ns();
	rt_xmit(rt, p, s->reply, s->reply_len);	/* a loss: the requester retries */
	return 0;
}

int ordo_rt_reply(struct ordo_rt *rt, const struct ordo_rt_msg *req,
		  uint8_t type, uint8_t flags, const void *body, size_t len)
{
	return rt_reply_raw(rt, req, req->proto, type, flags, body, len);
}

int ordo_rt_reply_pb(struct ordo_rt *rt, const struct ordo_rt_msg *req,
		     uint8_t type, uint8_t flags, const ProtobufCMessage *msg)
{
	uint8_t *buf;
	size_t len;
	int err = rt_pack(msg, &buf, &len);

	if (!err)
		err = ordo_rt_reply(rt, req, type, flags, buf, len);
	free(buf);
	return err;
}

int ordo_rt_reply_error(struct ordo_rt *rt, const struct ordo_rt_msg *req,
			int code, const char *fmt, ...)
{
	Ordo__Rt__Error e = ORDO__RT__ERROR__INIT;
	char text[256];
	uint8_t buf[512];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	e.code = code;
	e.message = text;
	len = ordo__rt__error__pack(&e, buf);
	return rt_reply_raw(rt, req, ORDO_APP_PROTO_RT, ORDO_APP_RT_ERROR, 0,
			    buf, len);
}

/* A duplicate of a request seen before: the cached reply, or PENDING. */
static void rt_duplicate(struct ordo_rt *rt, struct rt_peer *p,
			 struct rt_seen *s)
{
	uint8_t hdr[ORDO_APP_HDR_LEN];
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct ordo_app_info r;

	rt->st.duplicates++;
	if (s->replied) {
		s->reply[ORDO_APP_OFF_FLAGS] |= ORDO_APP_F_RETX;
		rt->st.cached_replies++;
		rt_xmit(rt, p, s->reply, s->reply_len);
		return;
	}
	rt_header(rt, &r, ORDO_APP_PROTO_RT, ORDO_APP_RT_PENDING,
		  ORDO_APP_F_REPLY, s->xid, 0);
	ordo_app_encode(hdr, sizeof(hdr), &r);
	rt->st.pending_sent++;
	rt_xmit_iov(rt, p, &r, &iov, 1);
}

/* ---------------------------------------------------------------- failure detector */

static void rt_peer_set(struct ordo_rt *rt, struct rt_peer *p,
			enum ordo_peer_state state)
{
	enum ordo_peer_state old = p->state;

	if (old == state)
		return;
	p->state = state;
	if (state == ORDO_PEER_SUSPECT)
		ordo_info("node %" PRIu32 ": node %" PRIu32 " suspected (silent for %" PRIu64 " ms)",
			  rt->self, p->id,
			  (uint64_t)((ordo_now_ns() - p->last_ns) / NSEC_PER_MSEC));
	else
		ordo_info("node %" PRIu32 ": node %" PRIu32 " %s", rt->self,
			  p->id, old == ORDO_PEER_SUSPECT ? "alive again" : "alive");
	if (state == ORDO_PEER_SUSPECT) {
		struct rt_req *r;

		/*
		 * Requests it holds (PENDING) cannot end otherwise. From the
		 * head again after each: a callback may change the list.
		 */
		do {
			for (r = rt->reqs; r; r = r->next)
				if (r->to == p->id && r->accepted)
					break;
			if (r)
				rt_req_end(rt, r, -EHOSTDOWN, NULL);
		} while (r);
	}
	if (rt->peer_fn)
		rt->peer_fn(rt, p->id, old, state, rt->peer_arg);
}

/* Arm the detector's timer at the earliest suspicion deadline. */
static void rt_fd_arm(struct ordo_rt *rt)
{
	uint64_t suspect = rt->conf->rt.suspect_ms * NSEC_PER_MSEC, due = 0;
	size_t i;

	for (i = 0; i < rt->n_peers; i++) {
		struct rt_peer *p = &rt->peers[i];

		if (p->id == rt->self || p->state == ORDO_PEER_SUSPECT)
			continue;
		if (!due || p->last_ns + suspect < due)
			due = p->last_ns + suspect;
	}
	if (!due)
		ordo_timer_stop(&rt->fd_timer);
	else if (!ordo_timer_armed(&rt->fd_timer) || rt->fd_timer.due_ns != due)
		ordo_timer_start_at(&rt->fd_timer, due, 0);
}

/*
 * This node itself did not run for longer than suspect_ms (its heartbeat
 * timer, due every heartbeat_ms, ran that long ago): a stopped process,
 * or a whole VM that got no CPU. The peers' silence over that time says
 * nothing about them, and when every node of a machine stalls together
 * each would suspect all the others: every peer not suspected yet gets a
 * new suspect_ms from now. Returns whether it was so.
 */
static bool rt_fd_stalled(struct ordo_rt *rt, uint64_t now)
{
	uint64_t suspect = rt->conf->rt.suspect_ms * NSEC_PER_MSEC;
	size_t i;

	if (!rt->hb_ran_ns || now - rt->hb_ran_ns <= suspect)
		return false;
	ordo_notice("node %" PRIu32 ": this node did not run for %" PRIu64 " ms: the peers' silence is not held against them",
		    rt->self, (uint64_t)((now - rt->hb_ran_ns) / NSEC_PER_MSEC));
	rt->st.stalls++;
	for (i = 0; i < rt->n_peers; i++) {
		struct rt_peer *p = &rt->peers[i];

		if (p->id != rt->self && p->state != ORDO_PEER_SUSPECT &&
		    p->last_ns < now)
			p->last_ns = now;
	}
	rt->hb_ran_ns = now;
	rt_fd_arm(rt);
	return true;
}

static void rt_fd_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct ordo_rt *rt = arg;
	uint64_t now = ordo_now_ns();
	uint64_t suspect = rt->conf->rt.suspect_ms * NSEC_PER_MSEC;
	size_t i;

	(void)l;
	(void)t;
	if (rt_fd_stalled(rt, now))
		return;
	for (i = 0; i < rt->n_peers; i++) {
		struct rt_peer *p = &rt->peers[i];

		if (p->id != rt->self && p->state != ORDO_PEER_SUSPECT &&
		    p->last_ns + suspect <= now)
			rt_peer_set(rt, p, ORDO_PEER_SUSPECT);
	}
	rt_fd_arm(rt);
}

static void rt_heard(struct ordo_rt *rt, struct rt_peer *p)
{
	p->last_ns = ordo_now_ns();
	p->heard = true;
	if (p->id != rt->self && p->state != ORDO_PEER_ALIVE) {
		rt_peer_set(rt, p, ORDO_PEER_ALIVE);
		rt_fd_arm(rt);
	}
}

/* The peer restarted: forget its requests, resend ours it held. */
static void rt_peer_restarted(struct ordo_rt *rt, struct rt_peer *p)
{
	struct rt_req *r;

	ordo_notice("node %" PRIu32 ": node %" PRIu32 " restarted",
		    rt->self, p->id);
	rt_seen_gc(p, 0, 0, true);
	for (r = rt->reqs; r; r = r->next) {
		if (r->to == p->id && r->accepted) {
			r->accepted = false;
			r->sent = 0;
			rt_req_send(rt, r);
		}
	}
}

static void rt_hb_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	Ordo__Rt__Heartbeat hb = ORDO__RT__HEARTBEAT__INIT;
	struct ordo_rt *rt = arg;
	uint64_t now = ordo_now_ns();
	uint8_t app[ORDO_RT_HB_APP_MAX];
	uint8_t buf[64 + ORDO_RT_HB_APP_MAX];
	size_t i, len;

	(void)l;
	(void)t;
	rt_fd_stalled(rt, now);
	rt->hb_ran_ns = now;
	hb.incarnation = rt->incarnation;
	hb.seq = ++rt->hb_seq;
	hb.heartbeat_ms = rt->conf->rt.heartbeat_ms;
	hb.suspect_ms = rt->conf->rt.suspect_ms;
	/* one datagram per peer, as a broadcast: the daemon's data may
	 * differ per peer */
	for (i = 0; i < rt->n_peers; i++) {
		struct rt_peer *p = &rt->peers[i];

		if (p->id == rt->self)
			continue;
		hb.app.len = 0;
		hb.app.data = app;
		if (rt->hb_fill)
			hb.app.len = rt->hb_fill(rt, p->id, app, sizeof(app),
						 rt->hb_arg);
		if (hb.app.len > sizeof(app))
			hb.app.len = 0;
		len = ordo__rt__heartbeat__pack(&hb, buf);
		rt_send_to(rt, p, ORDO_APP_PROTO_RT, ORDO_APP_RT_HEARTBEAT, 0,
			   buf, len);
	}
	for (i = 0; i < rt->n_peers; i++)
		rt_seen_gc(&rt->peers[i], now, rt->keep_ns, false);
}

void ordo_rt_on_peer(struct ordo_rt *rt, ordo_rt_peer_fn fn, void *arg)
{
	rt->peer_fn = fn;
	rt->peer_arg = arg;
}

void ordo_rt_on_restart(struct ordo_rt *rt, ordo_rt_restart_fn fn, void *arg)
{
	rt->restart_fn = fn;
	rt->restart_arg = arg;
}

void ordo_rt_on_heartbeat(struct ordo_rt *rt, ordo_rt_hb_fill_fn fill,
			  ordo_rt_hb_recv_fn recv, void *arg)
{
	rt->hb_fill = fill;
	rt->hb_recv = recv;
	rt->hb_arg = arg;
}

uint64_t ordo_rt_incarnation(const struct ordo_rt *rt)
{
	return rt->incarnation;
}

uint64_t ordo_rt_peer_incarnation(const struct ordo_rt *rt, uint32_t node)
{
	const struct rt_peer *p = rt_peer(rt, node);

	if (!p)
		return 0;
	return node == rt->self ? rt->incarnation : p->incarnation;
}

static uint64_t rt_new_incarnation(uint64_t old)
{
	uint64_t inc = 0;

	if (getrandom(&inc, sizeof(inc), 0) != sizeof(inc))
		inc = ordo_now_ns() ^ (uint64_t)getpid() << 32;
	if (!inc || inc == old)
		inc = old + 1 ? old + 1 : 1;
	return inc;
}

uint64_t ordo_rt_reincarnate(struct ordo_rt *rt)
{
	size_t i;

	rt->incarnation = rt_new_incarnation(rt->incarnation);
	for (i = 0; i < rt->n_peers; i++)
		rt_seen_gc(&rt->peers[i], 0, 0, true);
	ordo_notice("node %" PRIu32 ": new incarnation %016" PRIx64,
		    rt->self, rt->incarnation);
	/* tell the peers now: the next round at once */
	ordo_timer_start(&rt->hb_timer, 0, rt->conf->rt.heartbeat_ms);
	return rt->incarnation;
}

enum ordo_peer_state ordo_rt_peer_state(const struct ordo_rt *rt,
					uint32_t node)
{
	const struct rt_peer *p = rt_peer(rt, node);

	if (!p)
		return ORDO_PEER_UNKNOWN;
	return node == rt->self ? ORDO_PEER_ALIVE : p->state;
}

bool ordo_rt_peer_alive(const struct ordo_rt *rt, uint32_t node)
{
	return ordo_rt_peer_state(rt, node) == ORDO_PEER_ALIVE;
}

uint64_t ordo_rt_peer_silence_ms(const struct ordo_rt *rt, uint32_t node)
{
	const struct rt_peer *p = rt_peer(rt, node);

	if (!p || !p->heard)
		return UINT64_MAX;
	return (uint64_t)((ordo_now_ns() - p->last_ns) / NSEC_PER_MSEC);
}

/* ---------------------------------------------------------------- receiving */

static void rt_bad(struct ordo_rt *rt, enum ordo_rt_bad why,
		   const struct sockaddr_storage *from, const char *detail)
{
	char a[80];

	rt->st.bad[why]++;
	rt->st.malformed++;
	ordo_debug("node %" PRIu32 ": dropped a datagram from %s: %s%s%s",
		   rt->self, rt_addr_str(from, a, sizeof(a)),
		   ordo_rt_bad_name(why), detail ? ": " : "", detail ? detail : "");
}

void ordo_rt_bad_body(struct ordo_rt *rt, const struct ordo_rt_msg *m)
{
	rt->st.bad[ORDO_RT_BAD_BODY]++;
	rt->st.malformed++;
	ordo_debug("node %" PRIu32 ": %s message type %u from node %" PRIu32 ": body does not decode",
		   rt->self, ordo_app_proto_name(m->proto), m->type, m->from);
}

ProtobufCMessage *ordo_rt_unpack(struct ordo_rt *rt,
				 const ProtobufCMessageDescriptor *desc,
				 const struct ordo_rt_msg *m)
{
	ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, m->len,
							  m->body);

	if (!msg)
		ordo_rt_bad_body(rt, m);
	return msg;
}

/* A reply to one of our requests. */
static void rt_rx_reply(struct ordo_rt *rt, const struct ordo_rt_msg *m)
{
	struct rt_req *r = rt_req_find(rt, m->xid);
	Ordo__Rt__Error *e;
	int status = 0;

	if (!r || r->to != m->from) {
		rt->st.late_replies++;
		return;
	}
	if (m->proto == ORDO_APP_PROTO_RT && m->type == ORDO_APP_RT_PENDING) {
		/* the peer has it and will answer later: probe slowly */
		r->accepted = true;
		r->sent = 0;
		ordo_timer_start(&r->timer, rt->conf->rt.suspect_ms, 0);
		return;
	}
	if (m->proto == ORDO_APP_PROTO_RT && m->type == ORDO_APP_RT_ERROR) {
		e = (Ordo__Rt__Error *)ordo_rt_unpack(rt, &ordo__rt__error__descriptor, m);
		status = e && e->code < 0 ? e->code : -EREMOTEIO;
		if (e)
			protobuf_c_message_free_unpacked(&e->base, NULL);
	} else if (m->proto != r->proto) {
		rt->st.late_replies++;	/* not an answer to this request */
		return;
	}
	rt->st.replies++;
	rt_req_end(rt, r, status, m);
}

/* The runtime's own messages (not replies). */
static void rt_rx_rt(struct ordo_rt *rt, struct rt_peer *p,
		     const struct ordo_rt_msg *m)
{
	Ordo__Rt__Heartbeat *hb;
	uint64_t old;

	switch (m->type) {
	case ORDO_APP_RT_HEARTBEAT:
		rt->st.heartbeats_rx++;
		hb = (Ordo__Rt__Heartbeat *)ordo_rt_unpack(rt, &ordo__rt__heartbeat__descriptor, m);
		if (!hb)
			return;
		if (!hb->incarnation) {
			protobuf_c_message_free_unpacked(&hb->base, NULL);
			ordo_rt_bad_body(rt, m);
			return;
		}
		old = p->incarnation;
		p->incarnation = hb->incarnation;
		if (old && hb->incarnation != old) {
			rt_peer_restarted(rt, p);
			if (rt->restart_fn)
				rt->restart_fn(rt, p->id, old, hb->incarnation,
					       rt->restart_arg);
		}
		if (rt->hb_recv && hb->app.len &&
		    p->incarnation == hb->incarnation)
			rt->hb_recv(rt, p->id, hb->app.data, hb->app.len,
				    rt->hb_arg);
		protobuf_c_message_free_unpacked(&hb->base, NULL);
		return;
	case ORDO_APP_RT_PING:
		if (m->flags & ORDO_APP_F_REQUEST)
			rt_reply_raw(rt, m, ORDO_APP_PROTO_RT, ORDO_APP_RT_PONG,
				     0, m->body, m->len);
		return;
	default:
		rt->st.unhandled++;
		if (m->flags & ORDO_APP_F_REQUEST)
			ordo_rt_reply_error(rt, m, -EOPNOTSUPP,
					    "node %" PRIu32 ": unknown runtime message type %u",
					    rt->self, m->type);
		return;
	}
}

static void rt_rx(struct ordo_rt *rt, struct rt_peer *p,
		  const struct ordo_rt_msg *m)
{
	struct rt_handler *hd;
	struct rt_seen **slot, *s;

	if (m->flags & ORDO_APP_F_REPLY) {
		rt_rx_reply(rt, m);
		return;
	}
	if (m->flags & ORDO_APP_F_REQUEST) {
		slot = rt_seen_slot(p, m->xid);
		if (*slot) {
			rt_duplicate(rt, p, *slot);
			return;
		}
		if (p->n_seen >= RT_SEEN_MAX) {
			rt_seen_evict(p);
			slot = rt_seen_slot(p, m->xid);
		}
		s = calloc(1, sizeof(*s));
		if (!s)
			return;		/* as if lost: the requester retries */
		s->xid = m->xid;
		s->proto = m->proto;
		s->t_ns = ordo_now_ns();
		*slot = s;
		p->n_seen++;
	}
	if (m->proto == ORDO_APP_PROTO_RT) {
		rt_rx_rt(rt, p, m);
		return;
	}
	hd = &rt->handler[m->proto];
	if (!hd->fn) {
		rt->st.unhandled++;
		if (m->flags & ORDO_APP_F_REQUEST)
			ordo_rt_reply_error(rt, m, -EPROTONOSUPPORT,
					    "node %" PRIu32 " has no handler for %s",
					    rt->self, ordo_app_proto_name(m->proto));
		return;
	}
	hd->fn(rt, m, hd->arg);
}

/* Read one datagram: 1, 0 when there is none, -errno. */
static int rt_read(struct ordo_rt *rt)
{
	union {
		char buf[RT_CMSG_SPACE];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_storage from = { 0 };
	struct iovec iov = { .iov_base = rt->rbuf, .iov_len = RT_RBUF_LEN };
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	const struct ordo_lclock_cmsg *cm;
	struct ordo_rt_msg m = { 0 };
	struct ordo_app_info h;
	struct rt_peer *p;
	char detail[64];
	ssize_t n;
	int rc, idx;

	n = ordo_lrecvmsg(rt->dom, rt->fd, &msg, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR || errno == ECONNREFUSED)
			return 1;
		return -errno;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		rt_bad(rt, ORDO_RT_BAD_TRUNC, &from, NULL);
		return 1;
	}
	cm = ordo_lclock_cmsg(&msg);
	if (!cm) {
		rt_bad(rt, ORDO_RT_BAD_UNSTAMPED, &from, NULL);
		return 1;
	}
	rc = ordo_app_decode(rt->rbuf, (uint32_t)n, &h);
	if (rc < 0) {
		rt->st.app[-rc - 1]++;
		rt_bad(rt, ORDO_RT_BAD_APP, &from, ordo_app_strerror(rc));
		return 1;
	}
	p = rt_peer(rt, h.sender);
	if (!p) {
		snprintf(detail, sizeof(detail), "no node %" PRIu32, h.sender);
		rt_bad(rt, ORDO_RT_BAD_SENDER, &from, detail);
		return 1;
	}
	if (!rt_addr_eq(&from, &p->addr)) {
		snprintf(detail, sizeof(detail), "not node %" PRIu32 "'s address",
			 h.sender);
		rt_bad(rt, ORDO_RT_BAD_ADDR, &from, detail);
		return 1;
	}
	if (cm->node != h.sender) {
		snprintf(detail, sizeof(detail), "clock header node %u, sender %" PRIu32,
			 cm->node, h.sender);
		rt_bad(rt, ORDO_RT_BAD_NODE, &from, detail);
		return 1;
	}
	rt->st.rx++;
	idx = rt_proto_idx(h.proto);
	rt->count[idx][h.type][ORDO_RT_RX]++;
	if ((h.flags & (ORDO_APP_F_OPDONE | ORDO_APP_F_RETX)) == ORDO_APP_F_OPDONE)
		rt->opdone[idx][ORDO_RT_RX]++;
	rt_heard(rt, p);
	m.from = h.sender;
	m.proto = h.proto;
	m.type = h.type;
	m.flags = h.flags;
	m.xid = h.xid;
	m.body = rt->rbuf + ORDO_APP_HDR_LEN;
	m.len = h.body_len;
	m.ts = cm->ts;
	m.local = cm->local;
	m.cmsg = cm;
	rt_rx(rt, p, &m);
	return 1;
}

static void rt_readable(struct ordo_loop *l, int fd, uint32_t events, void *arg)
{
	struct ordo_rt *rt = arg;
	int i, rc;

	(void)l;
	(void)fd;
	(void)events;
	/* a bounded batch, so that timers are not starved */
	for (i = 0; i < 64 && !rt->closing; i++) {
		rc = rt_read(rt);
		if (rc == 0)
			break;
		if (rc < 0) {
			ordo_err("node %" PRIu32 ": receive: %s", rt->self,
				 strerror(-rc));
			break;
		}
	}
}

/* ---------------------------------------------------------------- open, close */

int ordo_rt_handle(struct ordo_rt *rt, uint8_t proto, ordo_rt_msg_fn fn,
		   void *arg)
{
	if (proto == ORDO_APP_PROTO_RT || !ordo_app_proto_known(proto))
		return -EINVAL;
	rt->handler[proto].fn = fn;
	rt->handler[proto].arg = arg;
	return 0;
}

/* Set the port of @ss (AF_INET or AF_INET6). */
static void rt_set_port(struct sockaddr_storage *ss, unsigned int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static int rt_open_socket(struct ordo_rt *rt, const struct ordo_conf_node *self,
			  const struct rt_peer *me)
{
	int one = RT_RCVBUF, err;

	rt->fd = socket(self->addr.ss_family,
			SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (rt->fd < 0) {
		err = -errno;
		ordo_err("node %" PRIu32 ": socket: %s", rt->self, strerror(errno));
		return err;
	}
	setsockopt(rt->fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one));
	if (bind(rt->fd, (const struct sockaddr *)&me->addr, self->addr_len)) {
		err = -errno;
		ordo_err("node %" PRIu32 ": cannot bind %s port %u (%s line %u%s): %s",
			 rt->self, self->address, self->port + rt->port_offset,
			 rt->conf->path, self->line,
			 rt->port_offset ? ", plus the daemon's port offset" : "",
			 strerror(errno));
		return err;
	}
	return 0;
}

static int rt_open_clock(struct ordo_rt *rt, uint32_t attach_flags)
{
	const struct ordo_conf_runtime *c = &rt->conf->rt;
	struct ordo_lclock_params p = {
		.domain = c->lclock_domain,
		.kind = ORDO_WIRE_KIND_LAMPORT,
		.has_node = 1,
		.node = rt->self,
	};
	unsigned int flags;
	int err;

	switch (c->stamping) {
	case ORDO_STAMP_USER:
		flags = ORDO_LDOM_F_USER;
		break;
	case ORDO_STAMP_KERNEL:
		flags = ORDO_LDOM_F_KERNEL | ORDO_LDOM_F_CREATE;
		break;
	default:
		flags = ORDO_LDOM_F_CREATE;
		break;
	}
	err = ordo_ldom_open(&rt->dom, &p, flags);
	if (err) {
		if (err == ORDO_ERR_NOT_LOADED)
			ordo_err("node %" PRIu32 ": stamping = kernel but ordo.ko is not loaded (modprobe ordo, or stamping = user)",
				 rt->self);
		else if (err == -EPERM)
			ordo_err("node %" PRIu32 ": creating lclock domain %" PRIu32 " in ordo.ko needs CAP_NET_ADMIN (run as root, create it with ordoctl lclock, or stamping = user)",
				 rt->self, p.domain);
		else if (err == -EINVAL)
			ordo_err("node %" PRIu32 ": lclock domain %" PRIu32 " exists and is not a Lamport domain (lclock_domain in [runtime])",
				 rt->self, p.domain);
		else
			ordo_err("node %" PRIu32 ": lclock domain %" PRIu32 ": %s",
				 rt->self, p.domain, strerror(-err));
		return err;
	}
	if (ordo_ldom_mode(rt->dom) == ORDO_LDOM_KERNEL) {
		struct ordo_lclock_info li;

		/* an existing domain: its node id goes in every header */
		err = ordo_ldom_get(rt->dom, &li);
		if (!err && li.node != rt->self) {
			ordo_err("node %" PRIu32 ": lclock domain %" PRIu32 " in ordo.ko stamps node id %u, not %" PRIu32 ": delete it (ordoctl lclock) or set another lclock_domain",
				 rt->self, p.domain, li.node, rt->self);
			err = -EINVAL;
		}
		if (err) {
			ordo_ldom_close(rt->dom);
			rt->dom = NULL;
			return err;
		}
	}
	err = ordo_ldom_attach(rt->dom, rt->fd,
			       attach_flags | ORDO_ATTACH_F_PASS_UNSTAMPED);
	if (err) {
		ordo_err("node %" PRIu32 ": stamping the socket (%s): %s",
			 rt->self, ordo_rt_stamping(rt), strerror(-err));
		ordo_ldom_close(rt->dom);
		rt->dom = NULL;
	}
	return err;
}

int ordo_rt_open(struct ordo_rt **rtp, const struct ordo_rt_config *cfg)
{
	const struct ordo_conf_node *self;
	struct ordo_rt *rt;
	uint64_t now;
	size_t i;
	int err;

	*rtp = NULL;
	if (!cfg || !cfg->conf || !cfg->loop)
		return -EINVAL;
	self = ordo_conf_node(cfg->conf, cfg->self);
	if (!self) {
		ordo_err("node %" PRIu32 " is not in %s", cfg->self,
			 cfg->conf->path);
		return -ENOENT;
	}
	for (i = 0; i < cfg->conf->n_nodes; i++) {
		if (cfg->conf->nodes[i].port + cfg->port_offset > 65535) {
			ordo_err("node %" PRIu32 ": port %u of node %" PRIu32 " plus the daemon's port offset %u is above 65535",
				 cfg->self, cfg->conf->nodes[i].port,
				 cfg->conf->nodes[i].id, cfg->port_offset);
			return -ERANGE;
		}
	}
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->fd = -1;
	rt->conf = cfg->conf;
	rt->loop = cfg->loop;
	rt->self = cfg->self;
	rt->port_offset = cfg->port_offset;
	rt->rbuf = malloc(RT_RBUF_LEN);
	rt->n_peers = cfg->conf->n_nodes;
	rt->peers = calloc(rt->n_peers, sizeof(*rt->peers));
	if (!rt->rbuf || !rt->peers) {
		err = -ENOMEM;
		goto fail;
	}
	now = ordo_now_ns();
	for (i = 0; i < rt->n_peers; i++) {
		rt->peers[i].id = cfg->conf->nodes[i].id;
		rt->peers[i].node = &cfg->conf->nodes[i];
		rt->peers[i].addr = cfg->conf->nodes[i].addr;
		rt_set_port(&rt->peers[i].addr,
			    cfg->conf->nodes[i].port + cfg->port_offset);
		rt->peers[i].last_ns = now;
		rt->peers[i].state = rt->peers[i].id == rt->self ?
				     ORDO_PEER_ALIVE : ORDO_PEER_UNKNOWN;
	}
	rt->incarnation = rt_new_incarnation(0);
	/* xids start at random, so that a restarted node's requests do not
	 * look like duplicates of its previous life's */
	rt->next_xid = (uint32_t)(rt->incarnation >> 16);
	rt->keep_ns = 2ULL * ((uint64_t)cfg->conf->rt.retransmit_ms *
			      cfg->conf->rt.retransmit_max +
			      cfg->conf->rt.suspect_ms) * NSEC_PER_MSEC;
	ordo_timer_init(&rt->hb_timer, rt->loop, rt_hb_timer, rt);
	ordo_timer_init(&rt->fd_timer, rt->loop, rt_fd_timer, rt);

	err = rt_open_socket(rt, self, rt_peer(rt, rt->self));
	if (!err)
		err = rt_open_clock(rt, cfg->attach_flags);
	if (err)
		goto fail;
	err = ordo_loop_add_fd(rt->loop, rt->fd, EPOLLIN, rt_readable, rt);
	if (err) {
		ordo_err("node %" PRIu32 ": event loop: %s", rt->self,
			 strerror(-err));
		goto fail;
	}
	err = ordo_timer_start(&rt->hb_timer, 0, cfg->conf->rt.heartbeat_ms);
	if (err)
		goto fail;
	rt_fd_arm(rt);
	ordo_info("node %" PRIu32 ": %s port %u, %zu nodes, %s stamping, lclock domain %" PRIu32 ", heartbeat %u ms, suspect %u ms",
		  rt->self, self->address, self->port + rt->port_offset, rt->n_peers,
		  ordo_rt_stamping(rt), cfg->conf->rt.lclock_domain,
		  cfg->conf->rt.heartbeat_ms, cfg->conf->rt.suspect_ms);
	*rtp = rt;
	return 0;

fail:
	ordo_rt_close(rt);
	return err;
}

void ordo_rt_close(struct ordo_rt *rt)
{
	size_t i;

	if (!rt)
		return;
	rt->closing = true;
	while (rt->reqs)
		rt_req_end(rt, rt->reqs, -ECANCELED, NULL);
	ordo_timer_stop(&rt->hb_timer);
	ordo_timer_stop(&rt->fd_timer);
	if (rt->fd >= 0) {
		ordo_loop_del_fd(rt->loop, rt->fd);
		if (rt->dom)
			ordo_ldom_detach(rt->dom, rt->fd);
		close(rt->fd);
	}
	ordo_ldom_close(rt->dom);
	for (i = 0; rt->peers && i < rt->n_peers; i++)
		rt_seen_gc(&rt->peers[i], 0, 0, true);
	free(rt->peers);
	free(rt->rbuf);
	free(rt);
}

/* ---------------------------------------------------------------- accessors */

uint32_t ordo_rt_self(const struct ordo_rt *rt)
{
	return rt->self;
}

struct ordo_loop *ordo_rt_loop(const struct ordo_rt *rt)
{
	return rt->loop;
}

const struct ordo_conf *ordo_rt_conf(const struct ordo_rt *rt)
{
	return rt->conf;
}

int ordo_rt_fd(const struct ordo_rt *rt)
{
	return rt->fd;
}

struct ordo_ldom *ordo_rt_ldom(const struct ordo_rt *rt)
{
	return rt->dom;
}

const char *ordo_rt_stamping(const struct ordo_rt *rt)
{
	if (!rt->dom)
		return "none";
	return ordo_ldom_mode(rt->dom) == ORDO_LDOM_KERNEL ? "kernel" : "user";
}

uint64_t ordo_rt_clock(struct ordo_rt *rt)
{
	struct ordo_lclock_info li;

	if (ordo_ldom_get(rt->dom, &li))
		return 0;
	return li.value;
}

const struct ordo_rt_stats *ordo_rt_stats(const struct ordo_rt *rt)
{
	return &rt->st;
}

uint64_t ordo_rt_count(const struct ordo_rt *rt, uint8_t proto, uint8_t type,
		       enum ordo_rt_dir dir)
{
	int idx = rt_proto_idx(proto);

	if (idx < 0 || (unsigned int)dir > ORDO_RT_RX)
		return 0;
	return rt->count[idx][type][dir];
}

uint64_t ordo_rt_opdone(const struct ordo_rt *rt, uint8_t proto,
			enum ordo_rt_dir dir)
{
	int idx = rt_proto_idx(proto);

	if (idx < 0 || (unsigned int)dir > ORDO_RT_RX)
		return 0;
	return rt->opdone[idx][dir];
}

void ordo_rt_set_tx_hook(struct ordo_rt *rt, ordo_rt_tx_hook fn, void *arg)
{
	rt->tx_hook = fn;
	rt->tx_arg = arg;
}
