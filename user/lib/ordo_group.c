// SPDX-License-Identifier: GPL-2.0
/*
 * libordo group transport: totally ordered and causal multicast over
 * stamped UDP sockets, with the reliable FIFO channels the algorithms
 * assume built from sequence numbers, acks and retransmissions. See
 * ordo_group.h, Documentation/ordered-multicast.rst and
 * Documentation/wire-format.rst.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "libordo.h"
#include "ordo_group.h"
#include "ordo_mcast.h"

#define NSEC_PER_MSEC	1000000ULL

#define GRP_RTO_MIN_MS	30
#define GRP_RTO_MAX_MS	1000
#define GRP_RTO_INIT_MS	200
/* DATA further than this beyond the next expected seq is dropped */
#define GRP_WINDOW	4096
/* receive buffer asked for (the kernel may cap it at rmem_max) */
#define GRP_RCVBUF	(1 << 20)

/* total-order body: kind */
#define GRP_TOM_MSG	1
#define GRP_TOM_ACK	2

/* the largest control message: SOL_ORDO with two vectors of 64 */
#define GRP_CMSG_MAX	(sizeof(struct ordo_lclock_cmsg) + \
			 2 * ORDO_VC_MAX * sizeof(uint64_t))
#define GRP_CTL_SPACE	(CMSG_SPACE(GRP_CMSG_MAX) + 256)
/* header + the largest body */
#define GRP_DGRAM_MAX	(ORDO_GROUP_HDR_LEN + 8 * ORDO_GROUP_MAX + \
			 ORDO_GROUP_TOM_LEN + ORDO_GROUP_PAYLOAD_MAX)

/*
 * What travels with a message inside the ordering code (ordo_mcast.c
 * copies it as opaque data): the datagram that carried it, then the
 * payload. Never on the wire.
 */
struct grp_env {
	uint64_t rx_index;
	uint32_t cmsg_len;	/* bytes of control message that follow */
	uint32_t pad;
};

/* One DATA packet this member sent, until every member acked it. */
struct grp_out {
	struct grp_out *next;
	uint64_t seq;
	uint64_t pending;	/* bit d: not yet acknowledged by d */
	uint8_t *body;
	size_t len;
	struct grp_tx {
		uint64_t first, last, next;	/* ns: transmissions, timer */
		uint32_t count;			/* transmissions */
	} tx[];			/* per destination */
};

/* A DATA packet received beyond a gap. */
struct grp_in {
	struct grp_in *next;
	uint64_t seq;
	uint64_t rx_index;
	uint32_t cmsg_len;
	uint8_t *cmsg;
	uint8_t *body;
	size_t len;
};

struct grp_peer {
	struct sockaddr_storage addr;
	socklen_t alen;
	/* self -> peer */
	uint64_t acked;		/* cumulative ack from the peer */
	uint64_t srtt, rttvar, rto;	/* ns */
	bool rtt_valid;
	/* peer -> self */
	uint64_t expect;	/* next seq in order */
	struct grp_in *ooo;	/* beyond a gap, by seq */
	bool ack_owed;
	bool heard;		/* a valid datagram came from it */
	bool left;		/* it sent LEAVE */
};

struct grp_deferred {
	struct grp_deferred *next;
	size_t len;
	uint8_t data[];
};

struct ordo_group {
	struct ordo_group_config cfg;
	uint32_t n, self;
	uint64_t all;		/* bits of every other member */
	int fd;
	struct ordo_ldom *dom;
	struct ordo_tom *tom;
	struct ordo_com *com;
	struct grp_peer peer[ORDO_GROUP_MAX];
	uint64_t out_seq;
	struct grp_out *out, **out_tail;
	uint64_t rto_min, rto_max, rto_init;	/* ns */
	uint64_t rx_index;
	unsigned int depth;	/* inside the ordering code */
	struct grp_deferred *deferred, **deferred_tail;
	int delivered_now;	/* deliveries of the running call */
	/* total order: the message being input, and whether it went out */
	uint32_t cur_from;
	uint64_t cur_ts;
	bool cur_delivered;
	int err;		/* first error of a callback */
	struct ordo_group_stats st;
	uint8_t *rbuf;		/* the datagram read */
	uint8_t *wbuf;		/* a received message, wrapped */
	uint8_t *sbuf;		/* a local message, wrapped */
};

static uint64_t grp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const char *ordo_group_mode_name(enum ordo_group_mode mode)
{
	switch (mode) {
	case ORDO_GROUP_TOTAL:
		return "total";
	case ORDO_GROUP_CAUSAL:
		return "causal";
	}
	return NULL;
}

int ordo_group_mode_parse(const char *s, enum ordo_group_mode *mode)
{
	if (!strcmp(s, "total"))
		*mode = ORDO_GROUP_TOTAL;
	else if (!strcmp(s, "causal"))
		*mode = ORDO_GROUP_CAUSAL;
	else
		return -EINVAL;
	return 0;
}

/* ================================================================ header */

void ordo_group_hdr_encode(void *buf, const struct ordo_group_hdr *h)
{
	uint8_t *p = buf;

	ordo_wire_put32(p, ORDO_GROUP_MAGIC);
	p[4] = h->version;
	p[5] = h->type;
	p[6] = h->mode;
	p[7] = h->flags;
	ordo_wire_put16(p + 8, h->from);
	ordo_wire_put16(p + 10, h->to);
	ordo_wire_put16(p + 12, h->n);
	ordo_wire_put16(p + 14, h->reserved);
	ordo_wire_put64(p + 16, h->seq);
	ordo_wire_put64(p + 24, h->ack);
	ordo_wire_put64(p + 32, h->sack);
}

int ordo_group_hdr_decode(const void *buf, size_t len,
			  struct ordo_group_hdr *h)
{
	const uint8_t *p = buf;

	if (len < ORDO_GROUP_HDR_LEN)
		return -EMSGSIZE;
	if (ordo_wire_get32(p) != ORDO_GROUP_MAGIC)
		return -EBADMSG;
	h->version = p[4];
	if (h->version != ORDO_GROUP_VERSION)
		return -EPROTO;
	h->type = p[5];
	h->mode = p[6];
	h->flags = p[7];
	h->from = ordo_wire_get16(p + 8);
	h->to = ordo_wire_get16(p + 10);
	h->n = ordo_wire_get16(p + 12);
	h->reserved = ordo_wire_get16(p + 14);
	h->seq = ordo_wire_get64(p + 16);
	h->ack = ordo_wire_get64(p + 24);
	h->sack = ordo_wire_get64(p + 32);
	if (h->reserved)
		return -EBADMSG;
	if (h->type == ORDO_GROUP_PKT_DATA) {
		if (!h->seq || h->flags)
			return -EBADMSG;
	} else if (h->type == ORDO_GROUP_PKT_ACK) {
		if (h->seq || len != ORDO_GROUP_HDR_LEN ||
		    (h->flags & ~ORDO_GROUP_F_ALL))
			return -EBADMSG;
	} else {
		return -EBADMSG;
	}
	return 0;
}

/* ================================================================ send side */

/* The ack fields for the channel @d -> self. */
static void grp_ack_fields(const struct grp_peer *p, uint64_t *ack,
			   uint64_t *sack)
{
	const struct grp_in *in;
	uint64_t bits = 0, k;

	*ack = p->expect - 1;
	for (in = p->ooo; in; in = in->next) {
		k = in->seq - p->expect - 1;	/* seq = ack + 2 + k */
		if (in->seq <= p->expect)
			continue;
		if (k >= ORDO_GROUP_SACK_BITS)
			break;
		bits |= 1ULL << k;
	}
	*sack = bits;
}

/* One datagram to member @d: @type, @flags, @seq, and @body for DATA. */
static void grp_xmit(struct ordo_group *g, uint32_t d, uint32_t type,
		     uint32_t flags, uint64_t seq, const void *body, size_t len)
{
	struct grp_peer *p = &g->peer[d];
	uint8_t hdr[ORDO_GROUP_HDR_LEN];
	struct ordo_group_hdr h = {
		.version = ORDO_GROUP_VERSION,
		.type = (uint8_t)type,
		.mode = (uint8_t)g->cfg.mode,
		.flags = (uint8_t)flags,
		.from = (uint16_t)g->self,
		.to = (uint16_t)d,
		.n = (uint16_t)g->n,
		.seq = seq,
	};
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)body, .iov_len = len },
	};
	struct msghdr msg = {
		.msg_name = &p->addr,
		.msg_namelen = p->alen,
		.msg_iov = iov,
		.msg_iovlen = len ? 2 : 1,
	};
	unsigned int copies = 1;

	grp_ack_fields(p, &h.ack, &h.sack);
	p->ack_owed = false;	/* this datagram carries the ack */
	ordo_group_hdr_encode(hdr, &h);
	if (g->cfg.tx_hook)
		copies = g->cfg.tx_hook(g->cfg.arg, d, type, seq);
	while (copies--) {
		if (ordo_lsendmsg(g->dom, g->fd, &msg, MSG_DONTWAIT) < 0)
			g->st.send_errors++;
	}
}

static uint64_t grp_backoff(const struct ordo_group *g,
			    const struct grp_peer *p, uint32_t count)
{
	uint64_t rto = p->rto;

	while (count-- > 1 && rto < g->rto_max)
		rto *= 2;
	return rto < g->rto_max ? rto : g->rto_max;
}

static void grp_retransmit(struct ordo_group *g, struct grp_out *o,
			   uint32_t d, uint64_t now, bool fast)
{
	struct grp_tx *tx = &o->tx[d];

	tx->count++;
	tx->last = now;
	tx->next = now + grp_backoff(g, &g->peer[d], tx->count);
	g->st.retransmits++;
	if (fast)
		g->st.fast_retransmits++;
	grp_xmit(g, d, ORDO_GROUP_PKT_DATA, 0, o->seq, o->body, o->len);
}

/*
 * Queue @body (taken over) as the next DATA packet and send it to every
 * other member.
 */
static int grp_data_send(struct ordo_group *g, uint8_t *body, size_t len)
{
	uint64_t now = grp_now();
	struct grp_out *o;
	uint32_t d;

	if (!g->all) {		/* a group of one */
		free(body);
		return 0;
	}
	o = calloc(1, sizeof(*o) + g->n * sizeof(o->tx[0]));
	if (!o) {
		free(body);
		return -ENOMEM;
	}
	o->seq = ++g->out_seq;
	o->pending = g->all;
	o->body = body;
	o->len = len;
	*g->out_tail = o;
	g->out_tail = &o->next;
	for (d = 0; d < g->n; d++) {
		if (!(g->all & (1ULL << d)))
			continue;	/* this member, or one that left */
		o->tx[d].first = o->tx[d].last = now;
		o->tx[d].count = 1;
		o->tx[d].next = now + g->peer[d].rto;
		g->st.data_sent++;
		grp_xmit(g, d, ORDO_GROUP_PKT_DATA, 0, o->seq, body, len);
	}
	return 0;
}

static void grp_out_reap(struct ordo_group *g)
{
	struct grp_out **pp = &g->out, *o;

	while ((o = *pp)) {
		if (o->pending) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		free(o->body);
		free(o);
	}
	g->out_tail = pp;
}

/* RFC 6298, 2.2 and 2.3 (clock granularity: 1 ms) */
static void grp_rtt_sample(struct ordo_group *g, struct grp_peer *p,
			   uint64_t r)
{
	uint64_t rto, var4;

	if (!p->rtt_valid) {
		p->srtt = r;
		p->rttvar = r / 2;
		p->rtt_valid = true;
	} else {
		uint64_t delta = p->srtt > r ? p->srtt - r : r - p->srtt;

		p->rttvar = (3 * p->rttvar + delta) / 4;
		p->srtt = (7 * p->srtt + r) / 8;
	}
	var4 = 4 * p->rttvar;
	rto = p->srtt + (var4 > NSEC_PER_MSEC ? var4 : NSEC_PER_MSEC);
	if (rto < g->rto_min)
		rto = g->rto_min;
	if (rto > g->rto_max)
		rto = g->rto_max;
	p->rto = rto;
}

/* The ack fields of a datagram from member @d about the channel self -> d. */
static void grp_on_ack(struct ordo_group *g, uint32_t d, uint64_t ack,
		       uint64_t sack, uint64_t now)
{
	struct grp_peer *p = &g->peer[d];
	uint64_t bit = 1ULL << d, top = 0, k, wait;
	struct grp_out *o;
	bool acked;

	if (ack > g->out_seq)
		return;		/* acks what was never sent: ignore */
	if (ack > p->acked)
		p->acked = ack;
	for (k = 0; k < ORDO_GROUP_SACK_BITS; k++)
		if (sack & (1ULL << k))
			top = ack + 2 + k;	/* highest seq acked selectively */
	for (o = g->out; o; o = o->next) {
		if (!(o->pending & bit))
			continue;
		acked = o->seq <= p->acked;
		if (!acked && o->seq >= ack + 2 &&
		    o->seq - ack - 2 < ORDO_GROUP_SACK_BITS)
			acked = sack & (1ULL << (o->seq - ack - 2));
		if (acked) {
			o->pending &= ~bit;
			/* Karn: only packets sent once give a sample */
			if (o->tx[d].count == 1)
				grp_rtt_sample(g, p, now - o->tx[d].first);
			continue;
		}
		/*
		 * A hole below a selectively acked packet: lost or still
		 * in flight (reordered). Send it again once it has been
		 * out for longer than a round trip (and rto_min).
		 */
		if (o->seq < top) {
			wait = p->rtt_valid ? p->srtt + p->rttvar : p->rto / 2;
			if (wait < g->rto_min)
				wait = g->rto_min;
			if (now - o->tx[d].last >= wait)
				grp_retransmit(g, o, d, now, true);
		}
	}
	grp_out_reap(g);
}

static void grp_timers(struct ordo_group *g, uint64_t now)
{
	struct grp_out *o;
	uint32_t d;

	for (o = g->out; o; o = o->next) {
		for (d = 0; d < g->n; d++) {
			if ((o->pending & (1ULL << d)) && now >= o->tx[d].next)
				grp_retransmit(g, o, d, now, false);
		}
	}
}

static void grp_flush_acks(struct ordo_group *g)
{
	uint32_t d;

	for (d = 0; d < g->n; d++) {
		if (d == g->self || !g->peer[d].ack_owed || g->peer[d].left)
			continue;
		g->st.acks_sent++;
		grp_xmit(g, d, ORDO_GROUP_PKT_ACK, 0, 0, NULL, 0);
	}
}

/* Member @d left: nothing more is sent, or sent again, to it. */
static void grp_peer_left(struct ordo_group *g, uint32_t d)
{
	uint64_t bit = 1ULL << d;
	struct grp_out *o;

	g->peer[d].left = true;
	g->all &= ~bit;
	for (o = g->out; o; o = o->next)
		o->pending &= ~bit;
	grp_out_reap(g);
}

/* ================================================================ ordering callbacks */

static void grp_fail(struct ordo_group *g, int err)
{
	if (!g->err)
		g->err = err;
}

/* Split what the ordering code hands back into envelope, cmsg, payload. */
static void grp_unwrap(const void *data, size_t len, struct ordo_group_msg *m,
		       void *cmsg_buf)
{
	struct grp_env env;

	memcpy(&env, data, sizeof(env));
	m->rx_index = env.rx_index;
	m->cmsg = NULL;
	if (env.cmsg_len) {
		memcpy(cmsg_buf, (const uint8_t *)data + sizeof(env),
		       env.cmsg_len);
		m->cmsg = cmsg_buf;
	}
	m->data = (const uint8_t *)data + sizeof(env) + env.cmsg_len;
	m->len = len - sizeof(env) - env.cmsg_len;
}

static void grp_deliver(struct ordo_group *g, struct ordo_group_msg *m)
{
	g->st.delivered++;
	g->delivered_now++;
	if (m->from == g->cur_from && m->ts == g->cur_ts)
		g->cur_delivered = true;
	g->cfg.deliver(g->cfg.arg, m);
}

static void grp_tom_send(void *ctx, const struct ordo_tom_pkt *pkt)
{
	struct ordo_group *g = ctx;
	struct ordo_group_msg m = { .from = g->self, .n = g->n };
	uint64_t cm[GRP_CMSG_MAX / 8];
	uint8_t *body;
	size_t plen = 0;

	if (pkt->type == ORDO_TOM_DATA) {
		grp_unwrap(pkt->data, pkt->len, &m, cm);
		plen = m.len;
	}
	body = malloc(ORDO_GROUP_TOM_LEN + plen);
	if (!body) {
		grp_fail(g, -ENOMEM);
		return;
	}
	memset(body, 0, ORDO_GROUP_TOM_LEN);
	body[0] = pkt->type == ORDO_TOM_DATA ? GRP_TOM_MSG : GRP_TOM_ACK;
	ordo_wire_put32(body + 4, pkt->msg_from);
	ordo_wire_put64(body + 8, pkt->ts);
	ordo_wire_put64(body + 16, pkt->msg_ts);
	if (plen)
		memcpy(body + ORDO_GROUP_TOM_LEN, m.data, plen);
	if (pkt->type == ORDO_TOM_DATA) {
		m.ts = pkt->ts;
		g->st.multicasts++;
		if (g->cfg.sent)
			g->cfg.sent(g->cfg.arg, &m);
	} else {
		g->st.proto_acks++;
	}
	if (grp_data_send(g, body, ORDO_GROUP_TOM_LEN + plen))
		grp_fail(g, -ENOMEM);
}

static void grp_tom_deliver(void *ctx, __u32 from, __u64 ts,
			    const void *data, size_t len)
{
	struct ordo_group *g = ctx;
	struct ordo_group_msg m = { .from = from, .ts = ts, .n = g->n };
	uint64_t cm[GRP_CMSG_MAX / 8];

	grp_unwrap(data, len, &m, cm);
	grp_deliver(g, &m);
}

static const struct ordo_tom_ops grp_tom_ops = {
	.send = grp_tom_send,
	.deliver = grp_tom_deliver,
};

static void grp_com_send(void *ctx, __u32 from, const __u64 *ts, __u32 n,
			 const void *data, size_t len)
{
	struct ordo_group *g = ctx;
	struct ordo_group_msg m = { .from = from, .n = n };
	uint64_t cm[GRP_CMSG_MAX / 8], vc[ORDO_GROUP_MAX];
	uint8_t *body;
	__u32 k;

	grp_unwrap(data, len, &m, cm);
	body = malloc(8 * n + m.len);
	if (!body) {
		grp_fail(g, -ENOMEM);
		return;
	}
	for (k = 0; k < n; k++) {
		ordo_wire_put64(body + 8 * k, ts[k]);
		vc[k] = ts[k];
	}
	if (m.len)
		memcpy(body + 8 * n, m.data, m.len);
	m.ts = ts[from];
	m.vc = vc;
	g->st.multicasts++;
	if (g->cfg.sent)
		g->cfg.sent(g->cfg.arg, &m);
	if (grp_data_send(g, body, 8 * n + m.len))
		grp_fail(g, -ENOMEM);
}

static void grp_com_deliver(void *ctx, __u32 from, const __u64 *ts, __u32 n,
			    const void *data, size_t len)
{
	struct ordo_group *g = ctx;
	struct ordo_group_msg m = { .from = from, .ts = ts[from], .n = n };
	uint64_t cm[GRP_CMSG_MAX / 8], vc[ORDO_GROUP_MAX];
	__u32 k;

	for (k = 0; k < n; k++)
		vc[k] = ts[k];
	m.vc = vc;
	grp_unwrap(data, len, &m, cm);
	grp_deliver(g, &m);
}

static const struct ordo_com_ops grp_com_ops = {
	.send = grp_com_send,
	.deliver = grp_com_deliver,
};

/* ================================================================ receive side */

/* Envelope + cmsg + payload in @buf, for the ordering code. */
static size_t grp_wrap(uint8_t *buf, uint64_t rx_index,
		       const void *cmsg, uint32_t cmsg_len,
		       const void *data, size_t len)
{
	struct grp_env env = { .rx_index = rx_index, .cmsg_len = cmsg_len };

	memcpy(buf, &env, sizeof(env));
	if (cmsg_len)
		memcpy(buf + sizeof(env), cmsg, cmsg_len);
	if (len)
		memcpy(buf + sizeof(env) + cmsg_len, data, len);
	return sizeof(env) + cmsg_len + len;
}

/* A DATA body from @from, in FIFO order: hand it to the ordering code. */
static int grp_input(struct ordo_group *g, uint32_t from, uint64_t rx_index,
		     const void *cmsg, uint32_t cmsg_len,
		     const uint8_t *body, size_t len)
{
	__u64 ts[ORDO_GROUP_MAX];
	size_t wlen;
	int ret;
	__u32 k;

	g->cur_from = UINT32_MAX;
	g->cur_delivered = false;
	g->depth++;
	if (g->cfg.mode == ORDO_GROUP_TOTAL) {
		struct ordo_tom_pkt pkt = { .from = from };

		if (len < ORDO_GROUP_TOM_LEN || body[1] || body[2] || body[3]) {
			ret = -EBADMSG;
			goto out;
		}
		pkt.msg_from = ordo_wire_get32(body + 4);
		pkt.ts = ordo_wire_get64(body + 8);
		pkt.msg_ts = ordo_wire_get64(body + 16);
		if (body[0] == GRP_TOM_MSG) {
			pkt.type = ORDO_TOM_DATA;
			wlen = grp_wrap(g->wbuf, rx_index, cmsg, cmsg_len,
					body + ORDO_GROUP_TOM_LEN,
					len - ORDO_GROUP_TOM_LEN);
			pkt.data = g->wbuf;
			pkt.len = wlen;
			g->cur_from = from;
			g->cur_ts = pkt.ts;
		} else if (body[0] == GRP_TOM_ACK &&
			   len == ORDO_GROUP_TOM_LEN) {
			pkt.type = ORDO_TOM_ACK;
		} else {
			ret = -EBADMSG;
			goto out;
		}
		if (pkt.msg_from >= g->n) {
			ret = -EBADMSG;
			goto out;
		}
		/* seq 0: the transport has restored FIFO order already */
		ret = ordo_tom_input(g->tom, &pkt);
		if (ret >= 0 && pkt.type == ORDO_TOM_DATA &&
		    ret != ORDO_MCAST_DUP && !g->cur_delivered)
			g->st.held_back++;
	} else {
		if (len < 8 * g->n) {
			ret = -EBADMSG;
			goto out;
		}
		for (k = 0; k < g->n; k++)
			ts[k] = ordo_wire_get64(body + 8 * k);
		wlen = grp_wrap(g->wbuf, rx_index, cmsg, cmsg_len,
				body + 8 * g->n, len - 8 * g->n);
		ret = ordo_com_input(g->com, from, ts, g->n, g->wbuf, wlen);
		if (ret == ORDO_MCAST_HELD)
			g->st.held_back++;
	}
	if (ret == -EINVAL || ret == -EMSGSIZE)
		ret = -EBADMSG;
out:
	g->depth--;
	if (ret == -EBADMSG)
		g->st.bad++;
	return ret < 0 && ret != -EBADMSG ? ret : 0;
}

static void grp_in_free(struct grp_in *in)
{
	free(in->body);
	free(in->cmsg);
	free(in);
}

/* Buffer a DATA packet beyond a gap; ORDO_GROUP_RX_GAP or _DUP. */
static int grp_hold(struct grp_peer *p, uint64_t seq, uint64_t rx_index,
		    const void *cmsg, uint32_t cmsg_len,
		    const uint8_t *body, size_t len)
{
	struct grp_in **pp = &p->ooo, *in;

	for (; *pp && (*pp)->seq < seq; pp = &(*pp)->next)
		;
	if (*pp && (*pp)->seq == seq)
		return ORDO_GROUP_RX_DUP;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->body = malloc(len ? len : 1);
	in->cmsg = malloc(cmsg_len ? cmsg_len : 1);
	if (!in->body || !in->cmsg) {
		grp_in_free(in);
		return -ENOMEM;
	}
	in->seq = seq;
	in->rx_index = rx_index;
	in->cmsg_len = cmsg_len;
	if (cmsg_len)
		memcpy(in->cmsg, cmsg, cmsg_len);
	if (len)
		memcpy(in->body, body, len);
	in->len = len;
	in->next = *pp;
	*pp = in;
	return ORDO_GROUP_RX_GAP;
}

static int grp_flush_deferred(struct ordo_group *g);

/* A DATA packet @seq from @from: returns an ORDO_GROUP_RX_* verdict. */
static int grp_on_data(struct ordo_group *g, uint32_t from, uint64_t seq,
		       uint64_t rx_index, const void *cmsg, uint32_t cmsg_len,
		       const uint8_t *body, size_t len)
{
	struct grp_peer *p = &g->peer[from];
	struct grp_in *in;
	int ret;

	p->ack_owed = true;
	if (seq < p->expect) {
		g->st.duplicates++;
		return ORDO_GROUP_RX_DUP;
	}
	if (seq > p->expect) {
		if (seq - p->expect > GRP_WINDOW) {
			g->st.bad++;
			return ORDO_GROUP_RX_BAD;
		}
		ret = grp_hold(p, seq, rx_index, cmsg, cmsg_len, body, len);
		if (ret == ORDO_GROUP_RX_DUP)
			g->st.duplicates++;
		else if (ret == ORDO_GROUP_RX_GAP)
			g->st.out_of_order++;
		return ret;
	}
	p->expect++;
	g->st.data_received++;
	ret = grp_input(g, from, rx_index, cmsg, cmsg_len, body, len);
	if (!ret)
		ret = grp_flush_deferred(g);
	while (!ret && (in = p->ooo) && in->seq == p->expect) {
		p->ooo = in->next;
		p->expect++;
		g->st.data_received++;
		ret = grp_input(g, from, in->rx_index, in->cmsg, in->cmsg_len,
				in->body, in->len);
		grp_in_free(in);
		if (!ret)
			ret = grp_flush_deferred(g);
	}
	/* drop what the window has passed (cannot happen in order) */
	while ((in = p->ooo) && in->seq < p->expect) {
		p->ooo = in->next;
		grp_in_free(in);
	}
	return ret < 0 ? ret : ORDO_GROUP_RX_NEW;
}

/*
 * One datagram of @len bytes in @buf (@trunc: it was longer) with its
 * control message @cm.
 */
static int grp_on_dgram(struct ordo_group *g, const uint8_t *buf, size_t len,
			bool trunc, const struct ordo_lclock_cmsg *cm,
			uint64_t now)
{
	struct ordo_group_rx rx = { .index = ++g->rx_index, .cmsg = cm };
	uint32_t cmsg_len = 0;
	struct ordo_group_hdr h;
	int ret = 0;

	if (cm)
		cmsg_len = (uint32_t)(sizeof(*cm) + 2 * 8 * cm->vc_n);
	if (trunc || ordo_group_hdr_decode(buf, len, &h) ||
	    h.mode != g->cfg.mode || h.n != g->n || h.to != g->self ||
	    h.from >= g->n || h.from == g->self) {
		if (len >= ORDO_GROUP_HDR_LEN) {
			rx.from = ordo_wire_get16(buf + 8);
			rx.type = buf[5];
		}
		rx.verdict = ORDO_GROUP_RX_BAD;
		g->st.bad++;
		goto out;
	}
	rx.from = h.from;
	rx.type = h.type;
	rx.seq = h.seq;
	g->peer[h.from].heard = true;
	grp_on_ack(g, h.from, h.ack, h.sack, now);
	if (h.type == ORDO_GROUP_PKT_ACK) {
		g->st.acks_received++;
		rx.verdict = ORDO_GROUP_RX_ACK;
		if (h.flags & ORDO_GROUP_F_PROBE)
			g->peer[h.from].ack_owed = true;	/* answer */
		if ((h.flags & ORDO_GROUP_F_LEAVE) && !g->peer[h.from].left)
			grp_peer_left(g, h.from);
		goto out;
	}
	/* the rx callback sees the datagram before its deliveries */
	if (g->cfg.rx && h.seq == g->peer[h.from].expect) {
		rx.verdict = ORDO_GROUP_RX_NEW;
		g->cfg.rx(g->cfg.arg, &rx);
		rx.verdict = 0;
	}
	ret = grp_on_data(g, h.from, h.seq, rx.index, cm, cmsg_len,
			  buf + ORDO_GROUP_HDR_LEN, len - ORDO_GROUP_HDR_LEN);
	if (ret < 0)
		return ret;
	if (!rx.verdict && ret != ORDO_GROUP_RX_NEW)
		rx.verdict = (uint32_t)ret;
	ret = 0;
out:
	if (g->cfg.rx && rx.verdict)
		g->cfg.rx(g->cfg.arg, &rx);
	return ret;
}

/* ================================================================ API */

static socklen_t grp_addrlen(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (ss->ss_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

int ordo_group_open(struct ordo_group **gp, const struct ordo_group_config *cfg)
{
	struct ordo_group *g;
	int rcv = GRP_RCVBUF, err;
	uint32_t k;

	if (!gp || !cfg)
		return -EINVAL;
	*gp = NULL;
	if ((cfg->mode != ORDO_GROUP_TOTAL && cfg->mode != ORDO_GROUP_CAUSAL) ||
	    !cfg->n || cfg->n > ORDO_GROUP_MAX || cfg->self >= cfg->n ||
	    !cfg->addrs || !cfg->deliver)
		return -EINVAL;
	for (k = 0; k < cfg->n; k++) {
		if (!grp_addrlen(&cfg->addrs[k]) ||
		    cfg->addrs[k].ss_family != cfg->addrs[cfg->self].ss_family)
			return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->cfg = *cfg;
	g->cfg.addrs = NULL;
	g->n = cfg->n;
	g->self = cfg->self;
	g->all = (cfg->n == 64 ? ~0ULL : (1ULL << cfg->n) - 1) &
		 ~(1ULL << cfg->self);
	g->fd = -1;
	g->out_tail = &g->out;
	g->deferred_tail = &g->deferred;
	g->rto_min = (cfg->rto_min_ms ? cfg->rto_min_ms : GRP_RTO_MIN_MS) *
		     NSEC_PER_MSEC;
	g->rto_max = (cfg->rto_max_ms ? cfg->rto_max_ms : GRP_RTO_MAX_MS) *
		     NSEC_PER_MSEC;
	g->rto_init = (cfg->rto_init_ms ? cfg->rto_init_ms : GRP_RTO_INIT_MS) *
		      NSEC_PER_MSEC;
	if (g->rto_max < g->rto_min) {
		err = -EINVAL;
		goto fail;
	}
	for (k = 0; k < cfg->n; k++) {
		g->peer[k].addr = cfg->addrs[k];
		g->peer[k].alen = grp_addrlen(&cfg->addrs[k]);
		g->peer[k].expect = 1;
		g->peer[k].rto = g->rto_init;
	}
	g->rbuf = malloc(GRP_DGRAM_MAX);
	g->wbuf = malloc(sizeof(struct grp_env) + GRP_CMSG_MAX + GRP_DGRAM_MAX);
	g->sbuf = malloc(sizeof(struct grp_env) + ORDO_GROUP_PAYLOAD_MAX);
	if (!g->rbuf || !g->wbuf || !g->sbuf) {
		err = -ENOMEM;
		goto fail;
	}
	if (cfg->mode == ORDO_GROUP_TOTAL)
		g->tom = ordo_tom_new(g->n, g->self, &grp_tom_ops, g);
	else
		g->com = ordo_com_new(g->n, g->self, &grp_com_ops, g);
	if (!g->tom && !g->com) {
		err = -ENOMEM;
		goto fail;
	}

	g->fd = socket(cfg->addrs[0].ss_family,
		       SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (g->fd < 0) {
		err = -errno;
		goto fail;
	}
	setsockopt(g->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(g->fd, (const struct sockaddr *)&cfg->addrs[cfg->self],
		 g->peer[cfg->self].alen)) {
		err = -errno;
		goto fail;
	}
	err = ordo_ldom_open(&g->dom, &cfg->clock, cfg->ldom_flags);
	if (err)
		goto fail;
	err = ordo_ldom_attach(g->dom, g->fd, 0);
	if (err)
		goto fail;
	*gp = g;
	return 0;

fail:
	ordo_group_close(g);
	return err;
}

void ordo_group_close(struct ordo_group *g)
{
	struct grp_deferred *df;
	struct grp_out *o;
	struct grp_in *in;
	uint32_t k;

	if (!g)
		return;
	if (g->fd >= 0) {
		if (g->dom)
			ordo_ldom_detach(g->dom, g->fd);
		close(g->fd);
	}
	ordo_ldom_close(g->dom);
	ordo_tom_free(g->tom);
	ordo_com_free(g->com);
	while ((o = g->out)) {
		g->out = o->next;
		free(o->body);
		free(o);
	}
	for (k = 0; k < g->n; k++) {
		while ((in = g->peer[k].ooo)) {
			g->peer[k].ooo = in->next;
			grp_in_free(in);
		}
	}
	while ((df = g->deferred)) {
		g->deferred = df->next;
		free(df);
	}
	free(g->rbuf);
	free(g->wbuf);
	free(g->sbuf);
	free(g);
}

int ordo_group_fd(const struct ordo_group *g)
{
	return g->fd;
}

struct ordo_ldom *ordo_group_ldom(const struct ordo_group *g)
{
	return g->dom;
}

int ordo_group_timeout_ms(const struct ordo_group *g)
{
	uint64_t now, first = UINT64_MAX;
	const struct grp_out *o;
	uint32_t d;

	if (g->deferred)
		return 0;
	for (o = g->out; o; o = o->next) {
		for (d = 0; d < g->n; d++) {
			if ((o->pending & (1ULL << d)) && o->tx[d].next < first)
				first = o->tx[d].next;
		}
	}
	if (first == UINT64_MAX)
		return -1;
	now = grp_now();
	if (first <= now)
		return 0;
	/* round up, so that the timer has expired when poll returns */
	first = (first - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return first > 60000 ? 60000 : (int)first;
}

int ordo_group_idle(const struct ordo_group *g)
{
	return !g->out && !g->deferred;
}

uint32_t ordo_group_heard(const struct ordo_group *g)
{
	uint32_t d, k = 0;

	for (d = 0; d < g->n; d++)
		k += d != g->self && g->peer[d].heard;
	return k;
}

uint32_t ordo_group_probe(struct ordo_group *g)
{
	uint32_t d, k = 0;

	for (d = 0; d < g->n; d++) {
		if (d == g->self || g->peer[d].heard || g->peer[d].left)
			continue;
		g->st.acks_sent++;
		grp_xmit(g, d, ORDO_GROUP_PKT_ACK, ORDO_GROUP_F_PROBE, 0,
			 NULL, 0);
		k++;
	}
	return k;
}

void ordo_group_leave(struct ordo_group *g)
{
	uint32_t d;
	int copy;

	for (copy = 0; copy < 2; copy++) {
		for (d = 0; d < g->n; d++) {
			if (d == g->self || g->peer[d].left)
				continue;
			g->st.acks_sent++;
			grp_xmit(g, d, ORDO_GROUP_PKT_ACK, ORDO_GROUP_F_LEAVE,
				 0, NULL, 0);
		}
	}
}

void ordo_group_stats(const struct ordo_group *g, struct ordo_group_stats *st)
{
	const struct grp_out *o;

	*st = g->st;
	st->unacked = 0;
	for (o = g->out; o; o = o->next)
		st->unacked += (uint64_t)__builtin_popcountll(o->pending);
	st->pending = g->tom ? ordo_tom_pending(g->tom) :
			       ordo_com_pending(g->com);
}

/* A local multicast through the ordering code (never nested in it). */
static int grp_send_now(struct ordo_group *g, const void *data, size_t len)
{
	size_t wlen = grp_wrap(g->sbuf, 0, NULL, 0, data, len);
	int ret;

	g->depth++;
	if (g->tom)
		ret = ordo_tom_send(g->tom, g->sbuf, wlen, NULL);
	else
		ret = ordo_com_send(g->com, g->sbuf, wlen);
	g->depth--;
	if (!ret && g->err) {
		ret = g->err;
		g->err = 0;
	}
	return ret;
}

/* Send what the callbacks asked to send while the ordering code ran. */
static int grp_flush_deferred(struct ordo_group *g)
{
	struct grp_deferred *df;
	int ret = 0;

	if (g->err) {
		ret = g->err;
		g->err = 0;
		return ret;
	}
	while (!ret && !g->depth && (df = g->deferred)) {
		g->deferred = df->next;
		if (!g->deferred)
			g->deferred_tail = &g->deferred;
		ret = grp_send_now(g, df->data, df->len);
		free(df);
	}
	return ret;
}

int ordo_group_send(struct ordo_group *g, const void *data, size_t len)
{
	struct grp_deferred *df;
	int ret;

	if (len > ORDO_GROUP_PAYLOAD_MAX || (len && !data))
		return -EMSGSIZE;
	if (g->depth) {
		df = malloc(sizeof(*df) + len);
		if (!df)
			return -ENOMEM;
		df->next = NULL;
		df->len = len;
		memcpy(df->data, data, len);
		*g->deferred_tail = df;
		g->deferred_tail = &df->next;
		return 0;
	}
	g->delivered_now = 0;
	ret = grp_send_now(g, data, len);
	if (!ret)
		ret = grp_flush_deferred(g);
	return ret;
}

int ordo_group_process(struct ordo_group *g)
{
	union {
		struct cmsghdr align;
		uint8_t buf[GRP_CTL_SPACE];
	} ctl;
	uint8_t *dgram = g->rbuf;
	const struct ordo_lclock_cmsg *cm;
	struct sockaddr_storage from;
	struct iovec iov;
	struct msghdr msg;
	uint64_t now;
	ssize_t len;
	int ret;

	if (g->depth)
		return -EBUSY;	/* called from a callback */
	g->delivered_now = 0;
	ret = grp_flush_deferred(g);
	if (ret)
		return ret;
	for (;;) {
		iov.iov_base = dgram;
		iov.iov_len = GRP_DGRAM_MAX;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		len = ordo_lrecvmsg(g->dom, g->fd, &msg, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* ICMP errors of earlier sends: losses */
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
			    errno == ENETUNREACH)
				continue;
			return -errno;
		}
		cm = ordo_lclock_cmsg(&msg);
		now = grp_now();
		ret = grp_on_dgram(g, dgram, (size_t)len,
				   msg.msg_flags & MSG_TRUNC, cm, now);
		if (ret)
			return ret;
	}
	now = grp_now();
	grp_timers(g, now);
	grp_flush_acks(g);
	return g->delivered_now;
}
