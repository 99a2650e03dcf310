// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the node runtime (user/lib/ordo_rt.c): three nodes in
 * one process on 127.0.0.1, userspace stamping, one event loop. Exact
 * counters of request/reply exchanges, retransmission when a request or
 * a reply is lost, duplicates answered from the reply cache, deferred
 * replies (PENDING), timeouts after retransmit_max transmissions, remote
 * errors, the failure detector (suspicion within suspect_ms, recovery,
 * restarts), garbage datagrams counted as malformed and never delivered,
 * and Lamport timestamps strictly increasing along a request/reply chain.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ordo_app.h>
#include <linux/ordo_wire.h>

#include "ordo_rt.h"
#include "ordo_rt.pb-c.h"
#include "../kselftest_harness.h"

#define RA	ORDO_APP_PROTO_MUTEX_RA
#define T_REQ	1
#define T_OK	2
#define DOMAIN	4343
#define NNODES	3

/* ---------------------------------------------------------------- a cluster */

struct node;

struct cluster {
	struct ordo_loop *loop;
	struct ordo_conf *conf;
	struct node *n[NNODES + 1];	/* by id, 1..3 */
	uint16_t port[NNODES + 1];
};

struct node {
	struct cluster *cl;
	uint32_t id;
	struct ordo_rt *rt;
	/* the RA handler */
	int handled;
	bool defer;		/* keep the request, answer later */
	struct ordo_rt_msg saved;
	struct ordo_rt_msg last;	/* the last message handled */
	unsigned int drop_first_reply;	/* tx hook: replies to drop */
	unsigned int drop_first_req;	/* tx hook: requests to drop */
	unsigned int dup_req;		/* tx hook: copies of requests */
	/* failure detector events */
	int ev_n;
	struct { uint32_t node; int state; uint64_t at; } ev[16];
};

/* A request's end. */
struct done {
	int called;
	int status;
	struct ordo_rt_msg m;
	char body[64];
	uint64_t at;
};

static void on_done(struct ordo_rt *rt, int status, const struct ordo_rt_msg *m,
		    void *arg)
{
	struct done *d = arg;

	(void)rt;
	d->called++;
	d->status = status;
	d->at = ordo_now_ms();
	if (m) {
		d->m = *m;
		memset(d->body, 0, sizeof(d->body));
		memcpy(d->body, m->body, m->len < sizeof(d->body) - 1 ?
					 m->len : sizeof(d->body) - 1);
	}
}

/* The RA handler: answer T_REQ with T_OK echoing the body (OPDONE). */
static void on_ra(struct ordo_rt *rt, const struct ordo_rt_msg *m, void *arg)
{
	struct node *n = arg;

	n->handled++;
	n->last = *m;
	if (m->type != T_REQ)
		return;
	if (n->defer) {
		n->saved = *m;
		return;
	}
	ordo_rt_reply(rt, m, T_OK, ORDO_APP_F_OPDONE, m->body, m->len);
}

static void on_peer(struct ordo_rt *rt, uint32_t node, enum ordo_peer_state old,
		    enum ordo_peer_state state, void *arg)
{
	struct node *n = arg;

	(void)rt;
	(void)old;
	if (n->ev_n < 16) {
		n->ev[n->ev_n].node = node;
		n->ev[n->ev_n].state = state;
		n->ev[n->ev_n].at = ordo_now_ms();
		n->ev_n++;
	}
}

static unsigned int tx_hook(void *arg, uint32_t to, const struct ordo_app_info *h)
{
	struct node *n = arg;

	(void)to;
	if (h->proto != RA)
		return 1;
	if ((h->flags & ORDO_APP_F_REPLY) && n->drop_first_reply) {
		n->drop_first_reply--;
		return 0;
	}
	if ((h->flags & ORDO_APP_F_REQUEST) && n->drop_first_req) {
		n->drop_first_req--;
		return 0;
	}
	if ((h->flags & ORDO_APP_F_REQUEST) && n->dup_req)
		return n->dup_req;
	return 1;
}

/* Free UDP ports on 127.0.0.1 (bound, read, closed). */
static int free_ports(uint16_t *port, int n)
{
	int fd[8], i, err = 0;

	for (i = 0; i < n; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(a);

		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[i] < 0 || bind(fd[i], (struct sockaddr *)&a, sizeof(a)) ||
		    getsockname(fd[i], (struct sockaddr *)&a, &len))
			err = -1;
		port[i] = ntohs(a.sin_port);
	}
	for (i = 0; i < n; i++)
		close(fd[i]);
	return err;
}

static int node_open(struct cluster *cl, uint32_t id)
{
	struct ordo_rt_config cfg = {
		.conf = cl->conf, .self = id, .loop = cl->loop,
	};
	struct node *n = cl->n[id];
	int err;

	err = ordo_rt_open(&n->rt, &cfg);
	if (err)
		return err;
	ordo_rt_handle(n->rt, RA, on_ra, n);
	ordo_rt_on_peer(n->rt, on_peer, n);
	ordo_rt_set_tx_hook(n->rt, tx_hook, n);
	return 0;
}

static void node_close(struct cluster *cl, uint32_t id)
{
	ordo_rt_close(cl->n[id]->rt);
	cl->n[id]->rt = NULL;
}

/* Three nodes with @runtime as the [runtime] section; @open: how many
 * to open (1..@open). */
static int cluster_up(struct cluster *cl, const char *runtime, int open)
{
	char text[1024], err[ORDO_CONF_ERR_LEN];
	uint32_t i;
	int off = 0;

	memset(cl, 0, sizeof(*cl));
	ordo_log_init("rt_test", ORDO_LOG_STDERR, LOG_WARNING);
	if (free_ports(cl->port + 1, NNODES))
		return -1;
	for (i = 1; i <= NNODES; i++)
		off += snprintf(text + off, sizeof(text) - off,
				"[node %u]\naddress = 127.0.0.1\nport = %u\n",
				i, cl->port[i]);
	snprintf(text + off, sizeof(text) - off,
		 "[runtime]\nstamping = user\nlclock_domain = %u\n%s", DOMAIN,
		 runtime);
	if (ordo_conf_load_string(&cl->conf, "rt_test.conf", text, err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (ordo_loop_new(&cl->loop))
		return -1;
	for (i = 1; i <= NNODES; i++) {
		cl->n[i] = calloc(1, sizeof(struct node));
		if (!cl->n[i])
			return -1;
		cl->n[i]->cl = cl;
		cl->n[i]->id = i;
		if ((int)i <= open && node_open(cl, i))
			return -1;
	}
	return 0;
}

static void cluster_down(struct cluster *cl)
{
	uint32_t i;

	for (i = 1; i <= NNODES; i++) {
		if (cl->n[i] && cl->n[i]->rt)
			node_close(cl, i);
		free(cl->n[i]);
	}
	ordo_loop_free(cl->loop);
	ordo_conf_free(cl->conf);
}

/* Run the loop until *@flag is non-zero or @ms pass: 1 if it is. */
static int run_until(struct cluster *cl, const int *flag, int ms)
{
	uint64_t end = ordo_now_ms() + (uint64_t)ms;

	while (!*flag && ordo_now_ms() < end)
		ordo_loop_run_once(cl->loop, 5);
	return *flag != 0;
}

/* Run the loop for @ms. */
static void run_for(struct cluster *cl, int ms)
{
	static const int never;

	run_until(cl, &never, ms);
}

/* No heartbeats after the first round (at open): exact counts. */
#define QUIET "heartbeat_ms = 60000\nsuspect_ms = 60001\nretransmit_ms = 20\nretransmit_max = 4\n"

#define RT(i)	(cl.n[i]->rt)
#define ST(i)	(ordo_rt_stats(RT(i)))

/* ---------------------------------------------------------------- tests */

TEST(request_reply_exact_counters)
{
	struct cluster cl;
	struct done d[5] = { 0 };
	uint32_t xid[5];
	char body[16];
	int i, all;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	for (i = 0; i < 5; i++) {
		snprintf(body, sizeof(body), "req %d", i);
		ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, body,
					     strlen(body), on_done, &d[i], &xid[i]));
		if (i)
			EXPECT_EQ(xid[i - 1] + 1, xid[i]);
	}
	for (i = 0; i < 5; i++)
		ASSERT_TRUE(run_until(&cl, &d[i].called, 2000));
	run_for(&cl, 30);
	for (i = 0; i < 5; i++) {
		snprintf(body, sizeof(body), "req %d", i);
		EXPECT_EQ(1, d[i].called);
		EXPECT_EQ(0, d[i].status);
		EXPECT_STREQ(body, d[i].body);
		EXPECT_EQ(2U, d[i].m.from);
		EXPECT_EQ(RA, d[i].m.proto);
		EXPECT_EQ(T_OK, d[i].m.type);
		EXPECT_EQ(ORDO_APP_F_REPLY | ORDO_APP_F_OPDONE, d[i].m.flags);
		EXPECT_EQ(xid[i], d[i].m.xid);
	}
	EXPECT_EQ(5, cl.n[2]->handled);
	EXPECT_EQ(ORDO_APP_F_REQUEST, cl.n[2]->last.flags);
	EXPECT_EQ(1U, cl.n[2]->last.from);
	/* every datagram of the exchange, counted once on each side */
	EXPECT_EQ(5, ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_TX));
	EXPECT_EQ(5, ordo_rt_count(RT(2), RA, T_REQ, ORDO_RT_RX));
	EXPECT_EQ(5, ordo_rt_count(RT(2), RA, T_OK, ORDO_RT_TX));
	EXPECT_EQ(5, ordo_rt_count(RT(1), RA, T_OK, ORDO_RT_RX));
	EXPECT_EQ(0, ordo_rt_count(RT(1), RA, T_OK, ORDO_RT_TX));
	EXPECT_EQ(0, ordo_rt_count(RT(3), RA, T_REQ, ORDO_RT_RX));
	EXPECT_EQ(5, ordo_rt_opdone(RT(2), RA, ORDO_RT_TX));
	EXPECT_EQ(5, ordo_rt_opdone(RT(1), RA, ORDO_RT_RX));
	EXPECT_EQ(0, ordo_rt_opdone(RT(1), RA, ORDO_RT_TX));
	/* one heartbeat to each peer at open, none since */
	for (i = 1; i <= 3; i++) {
		EXPECT_EQ(2, ordo_rt_count(RT(i), ORDO_APP_PROTO_RT,
					   ORDO_APP_RT_HEARTBEAT, ORDO_RT_TX));
		EXPECT_EQ(2, ordo_rt_count(RT(i), ORDO_APP_PROTO_RT,
					   ORDO_APP_RT_HEARTBEAT, ORDO_RT_RX));
		EXPECT_EQ(2, ST(i)->heartbeats_rx);
		EXPECT_EQ(0, ST(i)->malformed);
		EXPECT_EQ(0, ST(i)->retransmits);
		EXPECT_EQ(0, ST(i)->duplicates);
		EXPECT_EQ(0, ST(i)->send_errors);
	}
	EXPECT_EQ(5, ST(1)->requests);
	EXPECT_EQ(5, ST(1)->replies);
	EXPECT_EQ(7, ST(1)->tx);	/* 5 requests, 2 heartbeats */
	EXPECT_EQ(7, ST(1)->rx);
	EXPECT_EQ(7, ST(2)->tx);
	EXPECT_EQ(7, ST(2)->rx);
	all = ordo_rt_peer_alive(RT(1), 2) && ordo_rt_peer_alive(RT(1), 3) &&
	      ordo_rt_peer_alive(RT(1), 1);
	EXPECT_TRUE(all);
	EXPECT_STREQ("user", ordo_rt_stamping(RT(1)));
	cluster_down(&cl);
}

/* The first transmission of the request is lost: one retransmission. */
TEST(retransmit_lost_request)
{
	struct cluster cl;
	struct done d = { 0 };
	uint64_t t0;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	run_for(&cl, 10);
	cl.n[1]->drop_first_req = 1;
	t0 = ordo_now_ms();
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, "x", 1, on_done,
				     &d, NULL));
	ASSERT_TRUE(run_until(&cl, &d.called, 2000));
	EXPECT_EQ(0, d.status);
	EXPECT_LE(t0 + 20, d.at);		/* after retransmit_ms */
	EXPECT_EQ(1, cl.n[2]->handled);
	EXPECT_EQ(ORDO_APP_F_REQUEST | ORDO_APP_F_RETX, cl.n[2]->last.flags);
	EXPECT_EQ(1, ST(1)->retransmits);
	EXPECT_EQ(1, ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_TX));	/* left */
	EXPECT_EQ(1, ordo_rt_count(RT(2), RA, T_REQ, ORDO_RT_RX));
	EXPECT_EQ(0, ST(2)->duplicates);
	cluster_down(&cl);
}

/* The first reply is lost: the retransmitted request is a duplicate,
 * answered from the cache without running the handler again. */
TEST(lost_reply_answered_from_cache)
{
	struct cluster cl;
	struct done d = { 0 };

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	run_for(&cl, 10);
	cl.n[2]->drop_first_reply = 1;
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, "y", 1, on_done,
				     &d, NULL));
	ASSERT_TRUE(run_until(&cl, &d.called, 2000));
	run_for(&cl, 30);
	EXPECT_EQ(1, d.called);
	EXPECT_EQ(0, d.status);
	EXPECT_STREQ("y", d.body);
	EXPECT_EQ(ORDO_APP_F_REPLY | ORDO_APP_F_OPDONE | ORDO_APP_F_RETX,
		  d.m.flags);
	EXPECT_EQ(1, cl.n[2]->handled);
	EXPECT_EQ(1, ST(1)->retransmits);
	EXPECT_EQ(1, ST(2)->duplicates);
	EXPECT_EQ(1, ST(2)->cached_replies);
	EXPECT_EQ(2, ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_TX));
	EXPECT_EQ(2, ordo_rt_count(RT(2), RA, T_REQ, ORDO_RT_RX));
	EXPECT_EQ(1, ordo_rt_count(RT(2), RA, T_OK, ORDO_RT_TX));
	EXPECT_EQ(1, ordo_rt_count(RT(1), RA, T_OK, ORDO_RT_RX));
	cluster_down(&cl);
}

/* The network duplicates the request: one handler run, the copy gets
 * the cached reply, whose second arrival is a late reply. */
TEST(duplicate_request_cached_reply)
{
	struct cluster cl;
	struct done d = { 0 };

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	run_for(&cl, 10);
	cl.n[1]->dup_req = 2;
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, "z", 1, on_done,
				     &d, NULL));
	ASSERT_TRUE(run_until(&cl, &d.called, 2000));
	run_for(&cl, 50);
	EXPECT_EQ(1, d.called);
	EXPECT_EQ(1, cl.n[2]->handled);
	EXPECT_EQ(2, ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_TX));
	EXPECT_EQ(2, ordo_rt_count(RT(2), RA, T_REQ, ORDO_RT_RX));
	EXPECT_EQ(1, ST(2)->duplicates);
	EXPECT_EQ(1, ST(2)->cached_replies);
	EXPECT_EQ(2, ordo_rt_count(RT(2), RA, T_OK, ORDO_RT_TX));
	EXPECT_EQ(2, ordo_rt_count(RT(1), RA, T_OK, ORDO_RT_RX));
	EXPECT_EQ(1, ST(1)->replies);
	EXPECT_EQ(1, ST(1)->late_replies);
	EXPECT_EQ(0, ST(1)->retransmits);
	cluster_down(&cl);
}

/* No reply at all: -ETIMEDOUT after retransmit_max transmissions, at
 * retransmit_max * retransmit_ms. */
TEST(timeout_after_retransmit_max)
{
	struct cluster cl;
	struct done d = { 0 };
	uint64_t t0;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 2));	/* node 3 never runs */
	t0 = ordo_now_ms();
	ASSERT_EQ(0, ordo_rt_request(RT(1), 3, RA, T_REQ, 0, NULL, 0, on_done,
				     &d, NULL));
	ASSERT_TRUE(run_until(&cl, &d.called, 2000));
	EXPECT_EQ(-ETIMEDOUT, d.status);
	EXPECT_LE(t0 + 4 * 20, d.at);
	EXPECT_GT(t0 + 4 * 20 + 200, d.at);
	EXPECT_EQ(4, ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_TX));
	EXPECT_EQ(3, ST(1)->retransmits);
	EXPECT_EQ(1, ST(1)->timeouts);
	EXPECT_EQ(0, ST(1)->replies);
	cluster_down(&cl);
}

/* A deferred answer: PENDING for the retransmissions, then the reply,
 * long after retransmit_max * retransmit_ms; the handler ran once. */
static void late_reply(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct node *n = arg;

	(void)l;
	(void)t;
	ordo_rt_reply(n->rt, &n->saved, T_OK, 0, "late", 4);
}

TEST(deferred_reply_pending)
{
	struct cluster cl;
	struct done d = { 0 };
	struct ordo_timer t;
	uint64_t t0;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	run_for(&cl, 10);
	cl.n[2]->defer = true;
	t0 = ordo_now_ms();
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, "q", 1, on_done,
				     &d, NULL));
	ordo_timer_init(&t, cl.loop, late_reply, cl.n[2]);
	ASSERT_EQ(0, ordo_timer_start(&t, 150, 0));	/* > 4 * 20 ms */
	ASSERT_TRUE(run_until(&cl, &d.called, 3000));
	EXPECT_EQ(0, d.status);
	EXPECT_STREQ("late", d.body);
	EXPECT_LE(t0 + 150, d.at);
	EXPECT_EQ(1, cl.n[2]->handled);
	EXPECT_LE(1, ST(2)->pending_sent);
	EXPECT_EQ(ST(2)->pending_sent, ST(2)->duplicates);
	EXPECT_EQ(ST(2)->pending_sent,
		  ordo_rt_count(RT(1), ORDO_APP_PROTO_RT, ORDO_APP_RT_PENDING,
				ORDO_RT_RX));
	/* after PENDING, no fast retransmissions: one only */
	EXPECT_EQ(1, ST(1)->retransmits);
	EXPECT_EQ(0, ST(1)->timeouts);
	/* a second answer is refused */
	EXPECT_EQ(-EALREADY, ordo_rt_reply(RT(2), &cl.n[2]->saved, T_OK, 0, NULL, 0));
	cluster_down(&cl);
}

/* Requests to a proto without handler, the runtime's PING, API errors. */
TEST(remote_error_ping_and_api_errors)
{
	Ordo__Rt__Error *e;
	struct cluster cl;
	struct done d = { 0 }, p = { 0 }, c = { 0 }, x = { 0 };
	uint32_t xid;
	char *big;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, ORDO_APP_PROTO_MUTEX_VOTE, 1, 0,
				     NULL, 0, on_done, &d, NULL));
	ASSERT_EQ(0, ordo_rt_request(RT(1), 3, ORDO_APP_PROTO_RT,
				     ORDO_APP_RT_PING, 0, "ping!", 5, on_done,
				     &p, NULL));
	ASSERT_TRUE(run_until(&cl, &d.called, 2000));
	ASSERT_TRUE(run_until(&cl, &p.called, 2000));
	EXPECT_EQ(-EPROTONOSUPPORT, d.status);
	EXPECT_EQ(ORDO_APP_PROTO_RT, d.m.proto);
	EXPECT_EQ(ORDO_APP_RT_ERROR, d.m.type);
	e = ordo__rt__error__unpack(NULL, d.m.len, (const uint8_t *)d.body);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("node 2 has no handler for mutex_vote", e->message);
	ordo__rt__error__free_unpacked(e, NULL);
	EXPECT_EQ(1, ST(2)->unhandled);
	EXPECT_EQ(0, p.status);
	EXPECT_EQ(ORDO_APP_RT_PONG, p.m.type);
	EXPECT_STREQ("ping!", p.body);

	/* API errors */
	EXPECT_EQ(-ENOENT, ordo_rt_send(RT(1), 9, RA, 1, 0, NULL, 0));
	EXPECT_EQ(-EINVAL, ordo_rt_send(RT(1), 2, RA, 1, ORDO_APP_F_REPLY, NULL, 0));
	EXPECT_EQ(-EPROTONOSUPPORT, ordo_rt_send(RT(1), 2, 7, 1, 0, NULL, 0));
	EXPECT_EQ(-ENOENT, ordo_rt_request(RT(1), 9, RA, 1, 0, NULL, 0, on_done, &x, NULL));
	EXPECT_EQ(-EINVAL, ordo_rt_request(RT(1), 2, RA, 1, ORDO_APP_F_RETX, NULL, 0, on_done, &x, NULL));
	EXPECT_EQ(-EINVAL, ordo_rt_request(RT(1), 2, RA, 1, 0, NULL, 0, NULL, NULL, NULL));
	big = calloc(1, ORDO_RT_BODY_MAX + 1);
	ASSERT_NE(NULL, big);
	EXPECT_EQ(-EMSGSIZE, ordo_rt_send(RT(1), 2, RA, 1, 0, big, ORDO_RT_BODY_MAX + 1));
	EXPECT_EQ(0, ordo_rt_send(RT(1), 2, RA, 9, 0, big, ORDO_RT_BODY_MAX));
	free(big);
	EXPECT_EQ(-EINVAL, ordo_rt_handle(RT(1), ORDO_APP_PROTO_RT, on_ra, NULL));
	EXPECT_EQ(-EINVAL, ordo_rt_handle(RT(1), 6, on_ra, NULL));
	EXPECT_EQ(2, ordo_rt_broadcast(RT(1), RA, 9, 0, "b", 1));
	/* the largest body arrived whole; the broadcast too */
	run_for(&cl, 30);
	EXPECT_EQ(9, cl.n[2]->last.type);
	EXPECT_EQ(2, ordo_rt_count(RT(2), RA, 9, ORDO_RT_RX));
	EXPECT_EQ(1, ordo_rt_count(RT(3), RA, 9, ORDO_RT_RX));
	/* a reply to a one-way message */
	EXPECT_EQ(-EINVAL, ordo_rt_reply(RT(2), &cl.n[2]->last, T_OK, 0, NULL, 0));
	/* cancel: the callback never runs */
	cl.n[2]->defer = true;
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, NULL, 0, on_done,
				     &x, &xid));
	EXPECT_EQ(0, ordo_rt_cancel(RT(1), xid));
	EXPECT_EQ(-ENOENT, ordo_rt_cancel(RT(1), xid));
	/* close: outstanding requests end with -ECANCELED */
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, NULL, 0, on_done,
				     &c, NULL));
	run_for(&cl, 50);
	EXPECT_EQ(0, x.called);
	EXPECT_EQ(0, c.called);
	node_close(&cl, 1);
	EXPECT_EQ(1, c.called);
	EXPECT_EQ(-ECANCELED, c.status);
	EXPECT_EQ(0, x.called);
	cluster_down(&cl);
}

/* Timestamps along 1 -> 2 -> 1 -> 3 -> 1: each event's clock is larger
 * than the one before it. */
static uint64_t chain_ts[16];
static int chain_n;

static void on_ra_chain(struct ordo_rt *rt, const struct ordo_rt_msg *m,
			void *arg)
{
	(void)arg;
	chain_ts[chain_n++] = m->ts;	/* the request's ts(m) */
	chain_ts[chain_n++] = m->local;	/* the receiver after it */
	ordo_rt_reply(rt, m, T_OK, 0, NULL, 0);
}

static void on_done_chain(struct ordo_rt *rt, int status,
			  const struct ordo_rt_msg *m, void *arg)
{
	(void)rt;
	(void)status;
	chain_ts[chain_n++] = m->ts;	/* the reply's ts(m) */
	chain_ts[chain_n++] = m->local;
	(*(int *)arg)++;
}

TEST(lamport_along_request_reply_chain)
{
	struct cluster cl;
	uint64_t before;
	int done = 0, i;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	run_for(&cl, 20);		/* the heartbeats of open are in */
	ordo_rt_handle(RT(2), RA, on_ra_chain, NULL);
	ordo_rt_handle(RT(3), RA, on_ra_chain, NULL);
	before = ordo_rt_clock(RT(1));
	ASSERT_LT(0U, before);		/* heartbeats moved it */
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, NULL, 0,
				     on_done_chain, &done, NULL));
	ASSERT_TRUE(run_until(&cl, &done, 2000));
	ASSERT_EQ(0, ordo_rt_request(RT(1), 3, RA, T_REQ, 0, NULL, 0,
				     on_done_chain, &done, NULL));
	done = 0;
	ASSERT_TRUE(run_until(&cl, &done, 2000));
	ASSERT_EQ(8, chain_n);
	/* the request was the send event right after 'before' */
	EXPECT_EQ(before + 1, chain_ts[0]);
	for (i = 1; i < chain_n; i++)
		EXPECT_LT(chain_ts[i - 1], chain_ts[i]);
	/* receive rule: max(ts(m), c) + 1 */
	EXPECT_LE(chain_ts[0] + 1, chain_ts[1]);
	EXPECT_EQ(chain_ts[7], ordo_rt_clock(RT(1)));
	cluster_down(&cl);
}

/* Garbage is counted by reason and never delivered; the node goes on. */
TEST(garbage_counted_as_malformed)
{
	struct ordo_wire_info wi = { .kind = ORDO_WIRE_KIND_LAMPORT,
				     .node_id = 2, .domain = DOMAIN, .ts = 5 };
	struct ordo_app_info ai = { .proto = RA, .type = T_REQ, .sender = 2,
				    .xid = 1 };
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const struct ordo_rt_stats *st;
	struct cluster cl;
	struct done p = { 0 };
	uint8_t buf[128];
	int fd, hl, i;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	run_for(&cl, 20);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	to.sin_port = htons(cl.port[1]);
#define SEND(len) ASSERT_EQ((ssize_t)(len), sendto(fd, buf, len, 0, \
		(struct sockaddr *)&to, sizeof(to)))
	/* no clock header at all */
	memset(buf, 0xa5, sizeof(buf));
	SEND(0);
	SEND(3);
	SEND(100);
	/* a clock header of another domain */
	wi.domain = DOMAIN + 1;
	hl = ordo_wire_encode(buf, sizeof(buf), &wi, NULL);
	ASSERT_EQ(32, hl);
	SEND(hl + 16);
	wi.domain = DOMAIN;
	/* a good clock header, then bad application headers */
	hl = ordo_wire_encode(buf, sizeof(buf), &wi, NULL);
	SEND(hl + 5);				/* short */
	ASSERT_EQ(16, ordo_app_encode(buf + hl, 16, &ai));
	buf[hl] = 9;
	SEND(hl + 16);				/* version */
	buf[hl] = 1;
	buf[hl + 1] = 99;
	SEND(hl + 16);				/* proto */
	buf[hl + 1] = RA;
	buf[hl + 3] = 0x80;
	SEND(hl + 16);				/* flags */
	buf[hl + 3] = ORDO_APP_F_REPLY | ORDO_APP_F_REQUEST;
	SEND(hl + 16);				/* reply and request */
	buf[hl + 3] = 0;
	SEND(hl + 20);				/* body_len 0, 4 more bytes */
	/* well formed, but from an unknown node, then from the wrong address */
	ai.sender = 99;
	wi.node_id = 99;
	hl = ordo_wire_encode(buf, sizeof(buf), &wi, NULL);
	ASSERT_EQ(16, ordo_app_encode(buf + hl, 16, &ai));
	SEND(hl + 16);
	ai.sender = 2;
	wi.node_id = 2;
	hl = ordo_wire_encode(buf, sizeof(buf), &wi, NULL);
	ASSERT_EQ(16, ordo_app_encode(buf + hl, 16, &ai));
	SEND(hl + 16);
#undef SEND
	/* then real traffic still flows */
	ASSERT_EQ(0, ordo_rt_request(RT(2), 1, ORDO_APP_PROTO_RT, ORDO_APP_RT_PING,
				     0, "p", 1, on_done, &p, NULL));
	ASSERT_TRUE(run_until(&cl, &p.called, 2000));
	EXPECT_EQ(0, p.status);
	st = ST(1);
	EXPECT_EQ(4, st->bad[ORDO_RT_BAD_UNSTAMPED]);
	EXPECT_EQ(6, st->bad[ORDO_RT_BAD_APP]);
	EXPECT_EQ(1, st->app[-ORDO_APP_E_SHORT - 1]);
	EXPECT_EQ(1, st->app[-ORDO_APP_E_VERSION - 1]);
	EXPECT_EQ(1, st->app[-ORDO_APP_E_PROTO - 1]);
	EXPECT_EQ(1, st->app[-ORDO_APP_E_FLAGS - 1]);
	EXPECT_EQ(1, st->app[-ORDO_APP_E_REPLY - 1]);
	EXPECT_EQ(1, st->app[-ORDO_APP_E_LEN - 1]);
	EXPECT_EQ(1, st->bad[ORDO_RT_BAD_SENDER]);
	EXPECT_EQ(1, st->bad[ORDO_RT_BAD_ADDR]);
	EXPECT_EQ(12, st->malformed);
	for (i = 0; i < ORDO_RT_BAD_CNT; i++)
		EXPECT_STRNE("?", ordo_rt_bad_name(i));
	EXPECT_EQ(0, cl.n[1]->handled);
	EXPECT_EQ(0, ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_RX));
	close(fd);
	cluster_down(&cl);
}

/* Heartbeats every 20 ms, suspicion after 100 ms of silence. */
#define FD_RT "heartbeat_ms = 20\nsuspect_ms = 100\nretransmit_ms = 20\nretransmit_max = 4\n"

static int alive_all(struct cluster *cl, int upto)
{
	int i, k;

	for (i = 1; i <= upto; i++)
		for (k = 1; k <= upto; k++)
			if (!ordo_rt_peer_alive(cl->n[i]->rt, k))
				return 0;
	return 1;
}

/* The time of the last event of @n about @node reaching @state, or 0. */
static uint64_t ev_at(struct node *n, uint32_t node, int state)
{
	uint64_t at = 0;
	int i;

	for (i = 0; i < n->ev_n; i++)
		if (n->ev[i].node == node && n->ev[i].state == state)
			at = n->ev[i].at;
	return at;
}

TEST(failure_detector_suspects_and_recovers)
{
	struct cluster cl;
	uint64_t stop, s1, s2, end;
	int flag = 0;

	ASSERT_EQ(0, cluster_up(&cl, FD_RT, 3));
	end = ordo_now_ms() + 2000;
	while (!alive_all(&cl, 3) && ordo_now_ms() < end)
		ordo_loop_run_once(cl.loop, 5);
	ASSERT_TRUE(alive_all(&cl, 3));
	EXPECT_EQ(ORDO_PEER_ALIVE, cl.n[1]->ev[0].state);
	run_for(&cl, 120);		/* steady: nobody suspected */
	EXPECT_TRUE(alive_all(&cl, 3));
	EXPECT_GT(50U, ordo_rt_peer_silence_ms(RT(1), 3));

	/* node 3 stops */
	node_close(&cl, 3);
	stop = ordo_now_ms();
	end = stop + 1000;
	while (ordo_rt_peer_alive(RT(1), 3) || ordo_rt_peer_alive(RT(2), 3)) {
		if (ordo_now_ms() > end)
			break;
		ordo_loop_run_once(cl.loop, 5);
	}
	s1 = ev_at(cl.n[1], 3, ORDO_PEER_SUSPECT);
	s2 = ev_at(cl.n[2], 3, ORDO_PEER_SUSPECT);
	ASSERT_NE(0U, s1);
	ASSERT_NE(0U, s2);
	/* within suspect_ms of the stop (plus a little loop latency), and
	 * not before suspect_ms after its last heartbeat */
	EXPECT_GE(stop + 100 + 50, s1);
	EXPECT_GE(stop + 100 + 50, s2);
	EXPECT_LE(stop + 100 - 20 - 5, s1);
	EXPECT_EQ(ORDO_PEER_SUSPECT, ordo_rt_peer_state(RT(1), 3));
	EXPECT_TRUE(ordo_rt_peer_alive(RT(1), 2));
	EXPECT_STREQ("suspect", ordo_peer_state_name(ORDO_PEER_SUSPECT));

	/* it comes back (a new incarnation): alive again everywhere */
	ASSERT_EQ(0, node_open(&cl, 3));
	end = ordo_now_ms() + 1000;
	while (!alive_all(&cl, 3) && ordo_now_ms() < end)
		ordo_loop_run_once(cl.loop, 5);
	EXPECT_TRUE(alive_all(&cl, 3));
	EXPECT_LE(s1, ev_at(cl.n[1], 3, ORDO_PEER_ALIVE));
	EXPECT_EQ(ORDO_PEER_ALIVE, cl.n[1]->ev[cl.n[1]->ev_n - 1].state);
	run_for(&cl, 50);
	(void)flag;
	cluster_down(&cl);
}

/*
 * Every node stalls together (one loop: as when a VM gets no CPU) for 3.5
 * suspect_ms: the silence was their own, nobody is suspected; then a
 * node that really stops is suspected as usual.
 */
TEST(global_stall_not_held_against_peers)
{
	struct cluster cl;
	uint64_t end;
	int i, ev[4];

	ASSERT_EQ(0, cluster_up(&cl, FD_RT, 3));
	end = ordo_now_ms() + 2000;
	while (!alive_all(&cl, 3) && ordo_now_ms() < end)
		ordo_loop_run_once(cl.loop, 5);
	ASSERT_TRUE(alive_all(&cl, 3));
	run_for(&cl, 60);
	for (i = 1; i <= 3; i++)
		ev[i] = cl.n[i]->ev_n;
	usleep(350 * 1000);
	run_for(&cl, 150);
	EXPECT_TRUE(alive_all(&cl, 3));
	for (i = 1; i <= 3; i++) {
		EXPECT_EQ(ev[i], cl.n[i]->ev_n);	/* no state change */
		EXPECT_EQ(1U, ST(i)->stalls);
	}
	node_close(&cl, 3);
	end = ordo_now_ms() + 1000;
	while (ordo_rt_peer_alive(RT(1), 3) && ordo_now_ms() < end)
		ordo_loop_run_once(cl.loop, 5);
	EXPECT_EQ(ORDO_PEER_SUSPECT, ordo_rt_peer_state(RT(1), 3));
	EXPECT_TRUE(ordo_rt_peer_alive(RT(1), 2));
	cluster_down(&cl);
}

/* A node that never starts goes from unknown to suspect after
 * suspect_ms; the others never see it alive. */
TEST(never_started_node_suspected)
{
	struct cluster cl;
	uint64_t t0;

	t0 = ordo_now_ms();
	ASSERT_EQ(0, cluster_up(&cl, FD_RT, 2));
	EXPECT_EQ(ORDO_PEER_UNKNOWN, ordo_rt_peer_state(RT(1), 3));
	EXPECT_EQ(UINT64_MAX, ordo_rt_peer_silence_ms(RT(1), 3));
	run_for(&cl, 125);
	EXPECT_EQ(ORDO_PEER_SUSPECT, ordo_rt_peer_state(RT(1), 3));
	EXPECT_LE(t0 + 100, ev_at(cl.n[1], 3, ORDO_PEER_SUSPECT));
	EXPECT_EQ(0U, ev_at(cl.n[1], 3, ORDO_PEER_ALIVE));
	EXPECT_TRUE(ordo_rt_peer_alive(RT(1), 2));
	cluster_down(&cl);
}

/* A request the peer holds (PENDING) ends with -EHOSTDOWN when the
 * failure detector suspects the peer. */
TEST(pending_request_ends_when_peer_suspected)
{
	struct cluster cl;
	struct done d = { 0 };
	uint64_t end;

	ASSERT_EQ(0, cluster_up(&cl, FD_RT, 3));
	end = ordo_now_ms() + 2000;
	while (!alive_all(&cl, 3) && ordo_now_ms() < end)
		ordo_loop_run_once(cl.loop, 5);
	cl.n[2]->defer = true;
	ASSERT_EQ(0, ordo_rt_request(RT(1), 2, RA, T_REQ, 0, NULL, 0, on_done,
				     &d, NULL));
	run_for(&cl, 50);		/* retransmitted, PENDING back */
	EXPECT_EQ(0, d.called);
	EXPECT_LE(1, ST(2)->pending_sent);
	node_close(&cl, 2);
	ASSERT_TRUE(run_until(&cl, &d.called, 1000));
	EXPECT_EQ(-EHOSTDOWN, d.status);
	cluster_down(&cl);
}

static char logged[4096];

static void log_hook(int level, const char *msg, void *arg)
{
	(void)arg;
	if (level <= LOG_ERR)
		snprintf(logged + strlen(logged), sizeof(logged) - strlen(logged),
			 "%s\n", msg);
}

/* Two nodes on one port: the second fails with a message naming it. */
TEST(bind_conflict_reported)
{
	struct ordo_rt_config cfg;
	struct ordo_rt *again = (void *)1;
	struct cluster cl;
	char want[128];

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 1));
	cfg = (struct ordo_rt_config){ .conf = cl.conf, .self = 1,
				       .loop = cl.loop };
	logged[0] = '\0';
	ordo_log_set_hook(log_hook, NULL);
	ordo_log_set_level(LOG_CRIT);	/* expected: only in the hook */
	EXPECT_EQ(-EADDRINUSE, ordo_rt_open(&again, &cfg));
	EXPECT_EQ(NULL, again);
	cfg.self = 5;
	EXPECT_EQ(-ENOENT, ordo_rt_open(&again, &cfg));
	ordo_log_set_hook(NULL, NULL);
	snprintf(want, sizeof(want),
		 "node 1: cannot bind 127.0.0.1 port %u (rt_test.conf line 1): Address already in use\n"
		 "node 5 is not in rt_test.conf\n", cl.port[1]);
	EXPECT_STREQ(want, logged);
	cluster_down(&cl);
}

/* Two "daemons" per node: the second set on the nodes' ports + offset,
 * each set talking only among itself. */
TEST(port_offset_second_daemon)
{
	struct ordo_rt_config cfg;
	struct ordo_rt *d2[3] = { NULL }, *bad;
	struct cluster cl;
	struct done p = { 0 };
	unsigned int off;
	int i, err = 0;

	ASSERT_EQ(0, cluster_up(&cl, QUIET, 3));
	ordo_log_set_level(LOG_CRIT);
	for (off = 1; off < 100; off++) {
		for (i = 0; i < 3; i++) {
			cfg = (struct ordo_rt_config){ .conf = cl.conf,
				.self = (uint32_t)i + 1, .loop = cl.loop,
				.port_offset = off };
			err = ordo_rt_open(&d2[i], &cfg);
			if (err)
				break;
		}
		if (!err)
			break;
		while (i-- > 0)
			ordo_rt_close(d2[i]);
	}
	ASSERT_EQ(0, err);
	cfg.port_offset = 70000;
	EXPECT_EQ(-ERANGE, ordo_rt_open(&bad, &cfg));
	ordo_log_set_level(LOG_WARNING);
	ASSERT_EQ(0, ordo_rt_request(d2[0], 3, ORDO_APP_PROTO_RT, ORDO_APP_RT_PING,
				     0, "o", 1, on_done, &p, NULL));
	ASSERT_TRUE(run_until(&cl, &p.called, 2000));
	EXPECT_EQ(0, p.status);
	EXPECT_EQ(3U, p.m.from);
	run_for(&cl, 20);
	/* each set heard its own heartbeats only */
	EXPECT_EQ(2, ordo_rt_count(d2[2], ORDO_APP_PROTO_RT,
				   ORDO_APP_RT_HEARTBEAT, ORDO_RT_RX));
	EXPECT_EQ(2, ordo_rt_count(RT(3), ORDO_APP_PROTO_RT,
				   ORDO_APP_RT_HEARTBEAT, ORDO_RT_RX));
	EXPECT_EQ(0, ordo_rt_count(RT(3), ORDO_APP_PROTO_RT, ORDO_APP_RT_PING,
				   ORDO_RT_RX));
	EXPECT_EQ(0, ST(3)->malformed);
	EXPECT_EQ(0, ordo_rt_stats(d2[2])->malformed);
	for (i = 0; i < 3; i++)
		ordo_rt_close(d2[i]);
	cluster_down(&cl);
}

/* Heartbeat data per peer, the restart callback, reincarnation and
 * ordo_rt_send_xid(). */
struct hbx {
	uint32_t got_from[8];		/* last data byte from node i */
	int got;
	int restarts;
	uint32_t restarted;
	uint64_t old, inc;
};

static size_t hbx_fill(struct ordo_rt *rt, uint32_t to, uint8_t *buf,
		       size_t max, void *arg)
{
	(void)arg;
	if (max < 2)
		return 0;
	buf[0] = (uint8_t)ordo_rt_self(rt);
	buf[1] = (uint8_t)to;
	return 2;
}

static void hbx_recv(struct ordo_rt *rt, uint32_t from, const uint8_t *data,
		     size_t len, void *arg)
{
	struct hbx *x = arg;

	/* sent by @from to this node */
	if (len == 2 && data[0] == from && data[1] == ordo_rt_self(rt) &&
	    from < 8) {
		x->got_from[from]++;
		x->got++;
	}
}

static void hbx_restart(struct ordo_rt *rt, uint32_t node, uint64_t old,
			uint64_t inc, void *arg)
{
	struct hbx *x = arg;

	(void)rt;
	x->restarts++;
	x->restarted = node;
	x->old = old;
	x->inc = inc;
}

TEST(heartbeat_data_restart_and_send_xid)
{
	struct cluster cl;
	struct hbx x1 = { 0 }, x2 = { 0 };
	uint64_t inc2, tx0;
	uint32_t xid = 0, first;

	ASSERT_EQ(0, cluster_up(&cl, FD_RT, 2));
	ordo_rt_on_heartbeat(RT(1), hbx_fill, hbx_recv, &x1);
	ordo_rt_on_heartbeat(RT(2), hbx_fill, hbx_recv, &x2);
	ordo_rt_on_restart(RT(1), hbx_restart, &x1);
	run_for(&cl, 100);
	EXPECT_LE(2, x1.got_from[2]);
	EXPECT_LE(2, x2.got_from[1]);
	EXPECT_EQ(x1.got, (int)x1.got_from[2]);
	EXPECT_EQ(ordo_rt_incarnation(RT(2)), ordo_rt_peer_incarnation(RT(1), 2));
	EXPECT_EQ(0U, ordo_rt_peer_incarnation(RT(1), 3));
	EXPECT_EQ(0, x1.restarts);

	/* a new incarnation of node 2: reported once to node 1 */
	inc2 = ordo_rt_incarnation(RT(2));
	EXPECT_NE(inc2, ordo_rt_reincarnate(RT(2)));
	run_for(&cl, 60);
	EXPECT_EQ(1, x1.restarts);
	EXPECT_EQ(2U, x1.restarted);
	EXPECT_EQ(inc2, x1.old);
	EXPECT_EQ(ordo_rt_incarnation(RT(2)), x1.inc);
	EXPECT_EQ(ordo_rt_incarnation(RT(2)), ordo_rt_peer_incarnation(RT(1), 2));

	/* send_xid: a new xid, then the same again with RETX */
	tx0 = ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_TX);
	ASSERT_EQ(0, ordo_rt_send_xid(RT(1), 2, RA, T_REQ, 0, &xid, "a", 1));
	EXPECT_NE(0U, xid);
	first = xid;
	ASSERT_EQ(0, ordo_rt_send_xid(RT(1), 2, RA, T_REQ, 0, &xid, "a", 1));
	EXPECT_EQ(first, xid);
	EXPECT_EQ(tx0 + 2, ordo_rt_count(RT(1), RA, T_REQ, ORDO_RT_TX));
	xid = 0;
	EXPECT_EQ(-EINVAL, ordo_rt_send_xid(RT(1), 2, RA, T_REQ,
					    ORDO_APP_F_RETX, &xid, "a", 1));
	EXPECT_EQ(-ENOENT, ordo_rt_send_xid(RT(1), 1, RA, T_REQ, 0, &xid,
					    "a", 1));
	run_for(&cl, 30);
	EXPECT_LE(tx0 + 2, ordo_rt_count(RT(2), RA, T_REQ, ORDO_RT_RX));
	cluster_down(&cl);
}

TEST_HARNESS_MAIN
