// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/lib/ordo_mcast.c: totally ordered and causal
 * multicast, over a simulated network with random delays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ordo_mcast.h"
#include "../kselftest_harness.h"

#define N	4
#define MSGS	10	/* per process */
#define MAXPKT	4096

static __u64 rnd_state = 0x853c49e6748fea9bULL;

static __u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* One packet in flight from src to dst. */
struct flight {
	__u64 at, order;
	__u32 src, dst;
	struct ordo_tom_pkt pkt;	/* total order */
	__u64 ts[N];			/* causal */
	char data[16];
};

struct net {
	struct flight f[MAXPKT];
	int nf;
	__u64 now, order;
	__u64 chan_last[N][N];	/* FIFO: last arrival time per channel */
	int fifo, dup;
	__u64 sent;		/* point-to-point packets */
};

struct proc {
	struct net *net;
	__u32 id;
	/* total order log */
	__u32 log_from[N * MSGS];
	__u64 log_ts[N * MSGS];
	/* causal log */
	__u64 log_vc[N * MSGS][N];
	int nlog;
	/* acks received: by acker, for <from, ts> (ts < 4096) */
	unsigned char acked[N][N][4096];
	int bad_delivery;
};

static void net_put(struct net *net, __u32 src, __u32 dst, struct flight *tmpl)
{
	struct flight *f;
	__u64 at = net->now + 1 + rnd() % 50;
	int copies = net->dup && rnd() % 5 == 0 ? 2 : 1;

	while (copies--) {
		if (net->fifo) {
			if (at < net->chan_last[src][dst])
				at = net->chan_last[src][dst];
			net->chan_last[src][dst] = at;
		}
		f = &net->f[net->nf++];
		*f = *tmpl;
		f->src = src;
		f->dst = dst;
		f->at = at;
		f->order = net->order++;
		net->sent++;
		at += rnd() % 30;
	}
}

/* Take the next packet due: smallest (at, order). */
static int net_next(struct net *net, struct flight *out)
{
	int i, best = -1;

	for (i = 0; i < net->nf; i++) {
		if (best < 0 || net->f[i].at < net->f[best].at ||
		    (net->f[i].at == net->f[best].at &&
		     net->f[i].order < net->f[best].order))
			best = i;
	}
	if (best < 0)
		return 0;
	*out = net->f[best];
	net->f[best] = net->f[--net->nf];
	if (out->at > net->now)
		net->now = out->at;
	return 1;
}

/* ------------------------------------------------ totally ordered */

static void tom_send(void *ctx, const struct ordo_tom_pkt *pkt)
{
	struct proc *p = ctx;
	struct flight f = { .pkt = *pkt };
	__u32 d;

	if (pkt->len)
		memcpy(f.data, pkt->data, pkt->len < 16 ? pkt->len : 16);
	for (d = 0; d < N; d++) {
		if (d != p->id)
			net_put(p->net, p->id, d, &f);
	}
}

static void tom_deliver(void *ctx, __u32 from, __u64 ts, const void *data,
			size_t len)
{
	struct proc *p = ctx;
	__u32 q;

	/* acknowledged by every other process before delivery */
	for (q = 0; q < N; q++) {
		if (q != p->id && q != from && !p->acked[q][from][ts])
			p->bad_delivery++;
	}
	p->log_from[p->nlog] = from;
	p->log_ts[p->nlog] = ts;
	p->nlog++;
}

static const struct ordo_tom_ops tom_ops = {
	.send = tom_send,
	.deliver = tom_deliver,
};

static void run_tom(struct __test_metadata *_metadata, int fifo, int dup,
		    int use_seq)
{
	static struct net net;
	static struct proc p[N];
	struct ordo_tom *t[N];
	struct flight f;
	int sent[N] = { 0 }, total = 0, i, k, ret;
	__u32 id;

	memset(&net, 0, sizeof(net));
	memset(p, 0, sizeof(p));
	net.fifo = fifo;
	net.dup = dup;
	for (id = 0; id < N; id++) {
		p[id].net = &net;
		p[id].id = id;
		t[id] = ordo_tom_new(N, id, &tom_ops, &p[id]);
		ASSERT_NE(NULL, t[id]);
	}
	while (total < N * MSGS || net.nf) {
		/* concurrent sends, interleaved with the network */
		if (total < N * MSGS && rnd() % 3 == 0) {
			k = rnd() % N;
			if (sent[k] < MSGS) {
				char msg[16];

				snprintf(msg, sizeof(msg), "p%d-m%d", k, sent[k]);
				ASSERT_EQ(0, ordo_tom_send(t[k], msg, strlen(msg) + 1, NULL));
				sent[k]++;
				total++;
			}
			continue;
		}
		if (!net_next(&net, &f))
			continue;
		if (!use_seq)
			f.pkt.seq = 0;
		f.pkt.data = f.data;
		if (f.pkt.type == ORDO_TOM_ACK && f.pkt.msg_ts < 4096)
			p[f.dst].acked[f.pkt.from][f.pkt.msg_from][f.pkt.msg_ts] = 1;
		ret = ordo_tom_input(t[f.dst], &f.pkt);
		ASSERT_LE(0, ret);
	}
	for (id = 0; id < N; id++) {
		EXPECT_EQ(N * MSGS, p[id].nlog);
		EXPECT_EQ(0, p[id].bad_delivery);
		EXPECT_EQ(0U, ordo_tom_pending(t[id]));
		for (i = 0; i < p[id].nlog; i++) {
			EXPECT_EQ(p[0].log_from[i], p[id].log_from[i]);
			EXPECT_EQ(p[0].log_ts[i], p[id].log_ts[i]);
		}
		ordo_tom_free(t[id]);
	}
	/* the same sequence is the <ts, sender> order */
	for (i = 1; i < p[0].nlog; i++) {
		EXPECT_TRUE(p[0].log_ts[i - 1] < p[0].log_ts[i] ||
			    (p[0].log_ts[i - 1] == p[0].log_ts[i] &&
			     p[0].log_from[i - 1] < p[0].log_from[i]));
	}
	/* N * (N - 1) packets per multicast (without duplication) */
	if (!dup) {
		EXPECT_EQ((__u64)N * MSGS * N * (N - 1), net.sent);
	}
}

TEST(total_order_fifo_channels)
{
	int round;

	for (round = 0; round < 20; round++)
		run_tom(_metadata, 1, 0, 0);
}

TEST(total_order_reordering_duplicates_with_seq)
{
	int round;

	for (round = 0; round < 20; round++)
		run_tom(_metadata, 0, 1, 1);
}

static void nop_send(void *ctx, const struct ordo_tom_pkt *pkt)
{
	struct ordo_tom_pkt *last = ctx;

	*last = *pkt;
}

static void nop_deliver(void *ctx, __u32 from, __u64 ts, const void *data,
			size_t len)
{
}

TEST(total_order_ack_before_message_and_duplicates)
{
	static const struct ordo_tom_ops ops = { nop_send, nop_deliver };
	struct ordo_tom_pkt last, m = { .type = ORDO_TOM_DATA, .from = 1,
		.ts = 5, .msg_from = 1, .msg_ts = 5, .data = "x", .len = 2 };
	struct ordo_tom_pkt ack = { .type = ORDO_TOM_ACK, .from = 2, .ts = 7,
		.msg_from = 1, .msg_ts = 5 };
	struct ordo_tom *t = ordo_tom_new(3, 0, &ops, &last);

	ASSERT_NE(NULL, t);
	/* P2's ack of P1's message overtakes the message itself */
	EXPECT_EQ(0, ordo_tom_input(t, &ack));
	EXPECT_EQ(1U, ordo_tom_pending(t));	/* placeholder, not deliverable */
	EXPECT_EQ(ORDO_MCAST_DUP, ordo_tom_input(t, &ack));
	EXPECT_EQ(0, ordo_tom_input(t, &m));	/* acked by 1 and 2: delivered */
	EXPECT_EQ(0U, ordo_tom_pending(t));
	EXPECT_EQ((__u32)ORDO_TOM_ACK, last.type);	/* and we acked it */
	EXPECT_EQ(5ULL, last.msg_ts);
	EXPECT_EQ(ORDO_MCAST_DUP, ordo_tom_input(t, &m));
	EXPECT_EQ(ORDO_MCAST_DUP, ordo_tom_input(t, &ack));
	/* FIFO restoration by seq */
	m.seq = 2;
	m.ts = m.msg_ts = 9;
	EXPECT_EQ(ORDO_MCAST_HELD, ordo_tom_input(t, &m));
	EXPECT_EQ(ORDO_MCAST_DUP, ordo_tom_input(t, &m));
	m.seq = 1;
	m.ts = m.msg_ts = 8;
	EXPECT_EQ(0, ordo_tom_input(t, &m));
	EXPECT_EQ(2U, ordo_tom_pending(t));	/* both in, waiting for P2 */
	EXPECT_EQ(ORDO_MCAST_DUP, ordo_tom_input(t, &m));
	/* bad input */
	m.from = 0;
	EXPECT_EQ(-EINVAL, ordo_tom_input(t, &m));
	ack.seq = 0;
	ack.msg_from = 2;
	EXPECT_EQ(-EINVAL, ordo_tom_input(t, &ack));	/* acks itself */
	ack.msg_from = 0;
	ack.msg_ts = 77;
	EXPECT_EQ(-EINVAL, ordo_tom_input(t, &ack));	/* we never sent it */
	ordo_tom_free(t);
	EXPECT_EQ(NULL, ordo_tom_new(0, 0, &ops, NULL));
	EXPECT_EQ(NULL, ordo_tom_new(3, 3, &ops, NULL));
	EXPECT_EQ(NULL, ordo_tom_new(ORDO_MCAST_MAX + 1, 0, &ops, NULL));
}

/* ------------------------------------------------ causal */

static struct ordo_com *com_of[N];

static void com_send(void *ctx, __u32 from, const __u64 *ts, __u32 n,
		     const void *data, size_t len)
{
	struct proc *p = ctx;
	struct flight f = { 0 };
	__u32 d;

	memcpy(f.ts, ts, n * sizeof(*ts));
	memcpy(f.data, data, len < 16 ? len : 16);
	for (d = 0; d < N; d++) {
		if (d != from)
			net_put(p->net, from, d, &f);
	}
}

static void com_deliver(void *ctx, __u32 from, const __u64 *ts, __u32 n,
			const void *data, size_t len)
{
	struct proc *p = ctx;

	p->log_from[p->nlog] = from;
	memcpy(p->log_vc[p->nlog], ts, n * sizeof(*ts));
	p->nlog++;
}

static const struct ordo_com_ops com_ops = {
	.send = com_send,
	.deliver = com_deliver,
};

/* The checker's own "happened before" on vector timestamps. */
static int vc_before(const __u64 *a, const __u64 *b)
{
	int k, strict = 0;

	for (k = 0; k < N; k++) {
		if (a[k] > b[k])
			return 0;
		if (a[k] < b[k])
			strict = 1;
	}
	return strict;
}

TEST(causal_random_delays_reordering_duplicates)
{
	static struct net net;
	static struct proc p[N];
	struct flight f;
	int sent[N], total, i, j, round, k, ret;
	__u32 id;

	for (round = 0; round < 20; round++) {
		memset(&net, 0, sizeof(net));
		memset(p, 0, sizeof(p));
		memset(sent, 0, sizeof(sent));
		total = 0;
		net.dup = 1;		/* and no FIFO: reordering */
		for (id = 0; id < N; id++) {
			p[id].net = &net;
			p[id].id = id;
			com_of[id] = ordo_com_new(N, id, &com_ops, &p[id]);
			ASSERT_NE(NULL, com_of[id]);
		}
		while (total < N * MSGS || net.nf) {
			/* sends depend on what was delivered so far */
			if (total < N * MSGS && rnd() % 3 == 0) {
				k = rnd() % N;
				if (sent[k] < MSGS) {
					ASSERT_EQ(0, ordo_com_send(com_of[k], "m", 2));
					sent[k]++;
					total++;
				}
				continue;
			}
			if (!net_next(&net, &f))
				continue;
			ret = ordo_com_input(com_of[f.dst], f.src, f.ts, N, f.data, 2);
			ASSERT_LE(0, ret);
		}
		for (id = 0; id < N; id++) {
			/* everything delivered, once */
			EXPECT_EQ(N * MSGS, p[id].nlog);
			EXPECT_EQ(0U, ordo_com_pending(com_of[id]));
			/* never before a message it causally depends on */
			for (i = 0; i < p[id].nlog; i++) {
				for (j = i + 1; j < p[id].nlog; j++) {
					EXPECT_FALSE(vc_before(p[id].log_vc[j], p[id].log_vc[i]));
				}
			}
			ordo_com_free(com_of[id]);
		}
	}
}

TEST(causal_hold_back_and_wrong_size)
{
	static struct net net;
	static struct proc p;
	struct ordo_com *c;
	__u64 m1[3] = { 1, 0, 0 }, m2[3] = { 1, 1, 0 }, big[4] = { 0 };

	memset(&p, 0, sizeof(p));
	p.net = &net;
	p.id = 2;
	c = ordo_com_new(3, 2, &com_ops, &p);
	ASSERT_NE(NULL, c);
	/* P1's m2 depends on P0's m1: held back until m1 is delivered */
	EXPECT_EQ(ORDO_MCAST_HELD, ordo_com_input(c, 1, m2, 3, "b", 2));
	EXPECT_EQ(ORDO_MCAST_DUP, ordo_com_input(c, 1, m2, 3, "b", 2));
	EXPECT_EQ(0, p.nlog);
	EXPECT_EQ(0, ordo_com_input(c, 0, m1, 3, "a", 2));
	ASSERT_EQ(2, p.nlog);
	EXPECT_EQ(0U, p.log_from[0]);
	EXPECT_EQ(1U, p.log_from[1]);
	EXPECT_EQ(ORDO_MCAST_DUP, ordo_com_input(c, 0, m1, 3, "a", 2));
	EXPECT_EQ(-EMSGSIZE, ordo_com_input(c, 0, big, 4, "a", 2));
	EXPECT_EQ(-EMSGSIZE, ordo_com_input(c, 0, big, 2, "a", 2));
	EXPECT_EQ(-EINVAL, ordo_com_input(c, 2, m1, 3, "a", 2));
	EXPECT_EQ(1ULL, ordo_com_vector(c)[0]);
	EXPECT_EQ(1ULL, ordo_com_vector(c)[1]);
	EXPECT_EQ(0ULL, ordo_com_vector(c)[2]);
	ordo_com_free(c);
}

TEST_HARNESS_MAIN
