// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-mutexd: distributed mutual exclusion daemon. The glue between the
 * runtime (user/lib/ordo_rt.h) and the algorithms' state machines
 * (mutex_algo.h): one struct mx_node per [lock NAME] section, driven by
 * the node's stamped UDP socket, its failure detector and the local API.
 * Documentation/ordo-mutexd.rst describes the daemon.
 *
 * Per lock, at most one local session holds the lock and the algorithm
 * runs one entry at a time: local sessions wait in a FIFO; when the
 * algorithm is idle and the FIFO is not, the head's entry is requested
 * (mx_acquire). A grant goes to the head of the FIFO; a grant whose
 * waiter went away (timeout, session closed) is released at once.
 * Callbacks of the algorithm never call back into it: they only record
 * and schedule the lock's work timer.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libordo.h"
#include "ordo_rt.h"
#include "mutex.pb-c.h"
#include "mutex_algo.h"

#define NAME		"mutexd"
#define LOCK_PREFIX	"lock "

struct mutexd;
struct lk;

/* A client session of the local API. */
struct sess {
	struct ordo_ipc_session *s;
	struct mutexd *d;
};

/* A local call waiting on a lock: acquire (FIFO) or hold. */
struct waiter {
	struct waiter *next;
	struct lk *lk;
	struct ordo_ipc_session *s;
	uint32_t xid;
	struct ordo_timer timer;	/* acquire timeout */
};

struct algo_def {
	const char *name;	/* in cluster.conf */
	const char *mx;		/* mx_algo_find() */
	uint8_t proto;
};

static const struct algo_def algos[] = {
	{ "central", "central", ORDO_APP_PROTO_MUTEX_CENTRAL },
	{ "ring", "ring", ORDO_APP_PROTO_MUTEX_RING },
	{ "ricart-agrawala", "ra", ORDO_APP_PROTO_MUTEX_RA },
	{ "lamport", "lamport", ORDO_APP_PROTO_MUTEX_LAMPORT },
	{ "vote", "vote", ORDO_APP_PROTO_MUTEX_VOTE },
};
#define N_ALGOS	(sizeof(algos) / sizeof(algos[0]))

struct lk {
	struct mutexd *d;
	char *name;
	uint32_t index;
	const struct algo_def *def;
	const struct mx_algo *algo;
	struct mx_node *nd;
	struct mx_cfg cfg;
	struct ordo_timer mx_timer;	/* the algorithm's timer */
	struct ordo_timer work;		/* deferred work, 0 ms */
	struct waiter *head, *tail;	/* acquire FIFO */
	struct waiter *hold;		/* the holder's "mutex.hold" call */
	struct ordo_ipc_session *holder;
	pid_t holder_pid;
	bool granted;			/* a grant to hand out */
	uint64_t grant_token;
	uint64_t token;			/* the last one handed out */
	uint64_t recv[MX_TYPE_MAX];	/* datagrams received, by type */
	uint64_t done_recv;
	uint64_t abandoned;
};

struct mutexd {
	struct ordo_conf *conf;
	struct ordo_loop *loop;
	struct ordo_rt *rt;
	struct ordo_ipc_server *ipc;
	uint32_t self;		/* node id */
	uint32_t self_idx;	/* member index */
	uint32_t n;
	uint32_t coord_idx;	/* lowest member not suspected */
	uint64_t epoch;
	bool down[MX_MAX_NODES];
	struct lk *locks;
	uint32_t nlocks;
	uint64_t bad_body;
};

/* ------------------------------------------------------------ ids */

static uint32_t node_id(const struct mutexd *d, uint32_t idx)
{
	return d->conf->nodes[idx].id;
}

static int node_idx(const struct mutexd *d, uint32_t id, uint32_t *idx)
{
	uint32_t i;

	for (i = 0; i < d->n; i++) {
		if (d->conf->nodes[i].id == id) {
			*idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

static struct lk *lock_find(struct mutexd *d, const char *name)
{
	uint32_t i;

	for (i = 0; i < d->nlocks; i++) {
		if (!strcmp(d->locks[i].name, name))
			return &d->locks[i];
	}
	return NULL;
}

static bool has_coordinator(const struct lk *lk)
{
	return lk->def->proto == ORDO_APP_PROTO_MUTEX_CENTRAL ||
	       lk->def->proto == ORDO_APP_PROTO_MUTEX_RING;
}

/* ------------------------------------------------------------ algorithm ops */

static void op_send(void *ctx, uint32_t to, const struct mx_msg *m)
{
	struct lk *lk = ctx;
	struct mutexd *d = lk->d;
	Ordo__Mutex__Msg b = ORDO__MUTEX__MSG__INIT;
	int err;

	if (to >= d->n)
		return;
	b.lock = lk->index;
	b.flags = m->flags & ~MX_F_DONE;
	b.ts = m->ts;
	b.req = m->req;
	b.token = m->token;
	b.gen = m->gen;
	b.aux = m->aux;
	err = ordo_rt_send_pb(d->rt, node_id(d, to), lk->def->proto,
			      (uint8_t)m->type,
			      (m->flags & MX_F_DONE) ? ORDO_APP_F_OPDONE : 0,
			      &b.base);
	if (err)
		ordo_debug("lock %s: sending %s to node %" PRIu32 ": %s",
			   lk->name, mx_type_name(lk->algo, m->type),
			   node_id(d, to), strerror(-err));
}

static void op_granted(void *ctx, uint32_t lock, uint64_t token)
{
	struct lk *lk = ctx;

	(void)lock;
	lk->granted = true;
	lk->grant_token = token;
	ordo_timer_start(&lk->work, 0, 0);
}

static uint64_t op_now_ms(void *ctx)
{
	(void)ctx;
	return ordo_now_ms();
}

static uint64_t op_rand(void *ctx)
{
	(void)ctx;
	return ((uint64_t)random() << 31) ^ (uint64_t)random();
}

static void op_set_timer(void *ctx, uint64_t delay_ms)
{
	struct lk *lk = ctx;

	if (delay_ms == MX_NO_TIMER)
		ordo_timer_stop(&lk->mx_timer);
	else
		ordo_timer_start(&lk->mx_timer, delay_ms, 0);
}

static const struct mx_ops ops = {
	.send = op_send,
	.granted = op_granted,
	.now_ms = op_now_ms,
	.rand = op_rand,
	.set_timer = op_set_timer,
};

static void on_mx_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct lk *lk = arg;

	(void)l;
	(void)t;
	mx_timer(lk->nd);
}

/* ------------------------------------------------------------ local queue */

static void waiter_free(struct waiter *w)
{
	ordo_timer_stop(&w->timer);
	free(w);
}

static void fifo_remove(struct lk *lk, struct waiter *w)
{
	struct waiter **pp, *prev = NULL;

	for (pp = &lk->head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			if (lk->tail == w)
				lk->tail = prev;
			return;
		}
	}
}

static void answer_hold(struct lk *lk, uint64_t token, pid_t pid)
{
	Ordo__Mutex__LockReply r = ORDO__MUTEX__LOCK_REPLY__INIT;
	struct waiter *w = lk->hold;

	if (!w)
		return;
	lk->hold = NULL;
	r.lock = lk->name;
	r.token = token;
	r.pid = pid;
	ordo_ipc_reply(w->s, w->xid, &r.base);
	waiter_free(w);
}

/*
 * The lock's deferred work: hand out a grant, release an abandoned one,
 * start the next entry.
 */
static void on_work(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct lk *lk = arg;
	struct waiter *w;
	int err;

	(void)l;
	(void)t;
	if (lk->granted) {
		lk->granted = false;
		w = lk->head;
		if (w && !lk->holder) {
			Ordo__Mutex__AcquireReply r = ORDO__MUTEX__ACQUIRE_REPLY__INIT;

			fifo_remove(lk, w);
			lk->holder = w->s;
			lk->holder_pid = ordo_ipc_session_pid(w->s);
			lk->token = lk->grant_token;
			r.lock = lk->name;
			r.token = lk->token;
			r.node = lk->d->self;
			ordo_ipc_reply(w->s, w->xid, &r.base);
			waiter_free(w);
			ordo_debug("lock %s: granted to pid %d, token %" PRIu64,
				   lk->name, (int)lk->holder_pid, lk->token);
		} else {
			/* nobody waits any more: give it back */
			lk->abandoned++;
			err = mx_release(lk->nd, 0);
			if (err < 0)
				ordo_warn("lock %s: releasing an abandoned grant: %s",
					  lk->name, strerror(-err));
		}
	}
	if (!lk->holder && lk->head && mx_lock_state(lk->nd, 0) == MX_IDLE) {
		err = mx_acquire(lk->nd, 0);
		if (err < 0)
			ordo_warn("lock %s: acquire: %s", lk->name,
				  strerror(-err));
	}
}

static void lock_release(struct lk *lk)
{
	pid_t pid = lk->holder_pid;
	int err;

	if (!lk->holder)
		return;
	lk->holder = NULL;
	lk->holder_pid = 0;
	err = mx_release(lk->nd, 0);
	if (err < 0)
		ordo_warn("lock %s: release: %s", lk->name, strerror(-err));
	answer_hold(lk, lk->token, pid);
	ordo_timer_start(&lk->work, 0, 0);
}

/* ------------------------------------------------------------ peers */

static void lock_start(struct mutexd *d, struct lk *lk)
{
	memset(&lk->cfg, 0, sizeof(lk->cfg));
	lk->cfg.n = d->n;
	lk->cfg.self = d->self_idx;
	lk->cfg.nlocks = 1;
	lk->cfg.coordinator = d->coord_idx;
	lk->cfg.epoch = d->epoch;
}

/* The lowest member not suspected; a change is a new epoch. */
static void coordinator_update(struct mutexd *d)
{
	uint32_t i, c = 0;
	int err;

	for (i = 0; i < d->n; i++) {
		if (!d->down[i]) {
			c = i;
			break;
		}
	}
	if (c == d->coord_idx)
		return;
	d->coord_idx = c;
	d->epoch++;
	ordo_notice("coordinator: node %" PRIu32 " (epoch %" PRIu64 ")",
		    node_id(d, c), d->epoch);
	for (i = 0; i < d->nlocks; i++) {
		if (!has_coordinator(&d->locks[i]))
			continue;
		err = mx_coordinator_changed(d->locks[i].nd, c, d->epoch);
		if (err < 0)
			ordo_warn("lock %s: coordinator change: %s",
				  d->locks[i].name, strerror(-err));
	}
}

static void on_peer(struct ordo_rt *rt, uint32_t node, enum ordo_peer_state old,
		    enum ordo_peer_state state, void *arg)
{
	struct mutexd *d = arg;
	uint32_t idx, i;

	(void)rt;
	if (node_idx(d, node, &idx))
		return;
	ordo_info("node %" PRIu32 ": %s -> %s", node,
		  ordo_peer_state_name(old), ordo_peer_state_name(state));
	if (state == ORDO_PEER_SUSPECT && !d->down[idx]) {
		d->down[idx] = true;
		for (i = 0; i < d->nlocks; i++)
			mx_peer_down(d->locks[i].nd, idx);
	} else if (state == ORDO_PEER_ALIVE && d->down[idx]) {
		d->down[idx] = false;
		for (i = 0; i < d->nlocks; i++)
			mx_peer_up(d->locks[i].nd, idx);
	} else {
		return;
	}
	coordinator_update(d);
}

/* ------------------------------------------------------------ peer messages */

static void on_msg(struct ordo_rt *rt, const struct ordo_rt_msg *m, void *arg)
{
	struct mutexd *d = arg;
	Ordo__Mutex__Msg *b;
	struct mx_msg x;
	struct lk *lk;
	uint32_t idx;

	b = (Ordo__Mutex__Msg *)ordo_rt_unpack(rt, &ordo__mutex__msg__descriptor, m);
	if (!b) {
		d->bad_body++;
		return;
	}
	if (b->lock >= d->nlocks || d->locks[b->lock].def->proto != m->proto ||
	    m->type == 0 || m->type > d->locks[b->lock].algo->ntypes ||
	    node_idx(d, m->from, &idx)) {
		ordo_debug("node %" PRIu32 ": message of proto %u type %u for lock %" PRIu32 " does not fit the configuration",
			   m->from, m->proto, m->type, b->lock);
		ordo_rt_bad_body(rt, m);
		d->bad_body++;
		protobuf_c_message_free_unpacked(&b->base, NULL);
		return;
	}
	lk = &d->locks[b->lock];
	memset(&x, 0, sizeof(x));
	x.type = m->type;
	x.flags = (uint16_t)(b->flags & ~MX_F_DONE);
	if (m->flags & ORDO_APP_F_OPDONE)
		x.flags |= MX_F_DONE;
	x.lock = 0;
	x.from = idx;
	x.ts = b->ts;
	x.req = b->req;
	x.token = b->token;
	x.gen = b->gen;
	x.aux = b->aux;
	protobuf_c_message_free_unpacked(&b->base, NULL);
	lk->recv[x.type]++;
	if (x.flags & MX_F_DONE)
		lk->done_recv++;
	mx_input(lk->nd, &x);
}

/* ------------------------------------------------------------ local API */

static struct lk *call_lock(struct ordo_ipc_session *s, uint32_t xid,
			    struct mutexd *d, const char *name)
{
	struct lk *lk;

	if (!name || !*name) {
		ordo_ipc_reply_error(s, xid, -EINVAL, "no lock name");
		return NULL;
	}
	lk = lock_find(d, name);
	if (!lk)
		ordo_ipc_reply_error(s, xid, -ENOENT,
				     "no lock '%s' in %s", name, d->conf->path);
	return lk;
}

static void on_acquire_timeout(struct ordo_loop *l, struct ordo_timer *t,
			       void *arg)
{
	struct waiter *w = arg;
	struct lk *lk = w->lk;

	(void)l;
	(void)t;
	fifo_remove(lk, w);
	ordo_ipc_reply_error(w->s, w->xid, -ETIMEDOUT,
			     "lock %s: not granted within the timeout",
			     lk->name);
	free(w);
}

static void m_acquire(struct ordo_ipc_session *s, uint32_t xid,
		      const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Mutex__AcquireRequest *req = (const void *)msg;
	struct sess *ss = ordo_ipc_session_data(s);
	struct waiter *w;
	struct lk *lk;

	(void)arg;
	lk = call_lock(s, xid, ss->d, req->lock);
	if (!lk)
		return;
	if (lk->holder == s) {
		ordo_ipc_reply_error(s, xid, -EBUSY,
				     "lock %s: this session holds it already",
				     lk->name);
		return;
	}
	for (w = lk->head; w; w = w->next) {
		if (w->s == s) {
			ordo_ipc_reply_error(s, xid, -EBUSY,
					     "lock %s: this session waits for it already",
					     lk->name);
			return;
		}
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		ordo_ipc_reply_error(s, xid, -ENOMEM, "out of memory");
		return;
	}
	w->lk = lk;
	w->s = s;
	w->xid = xid;
	ordo_timer_init(&w->timer, ss->d->loop, on_acquire_timeout, w);
	if (lk->tail)
		lk->tail->next = w;
	else
		lk->head = w;
	lk->tail = w;
	if (req->timeout_ms)
		ordo_timer_start(&w->timer, req->timeout_ms, 0);
	ordo_timer_start(&lk->work, 0, 0);
}

static void m_hold(struct ordo_ipc_session *s, uint32_t xid,
		   const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Mutex__HoldRequest *req = (const void *)msg;
	struct sess *ss = ordo_ipc_session_data(s);
	struct waiter *w;
	struct lk *lk;

	(void)arg;
	lk = call_lock(s, xid, ss->d, req->lock);
	if (!lk)
		return;
	if (lk->holder != s) {
		ordo_ipc_reply_error(s, xid, -ENOLCK,
				     "lock %s: this session does not hold it",
				     lk->name);
		return;
	}
	if (lk->hold) {
		ordo_ipc_reply_error(s, xid, -EBUSY,
				     "lock %s: a hold call is pending already",
				     lk->name);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		ordo_ipc_reply_error(s, xid, -ENOMEM, "out of memory");
		return;
	}
	w->lk = lk;
	w->s = s;
	w->xid = xid;
	ordo_timer_init(&w->timer, ss->d->loop, NULL, NULL);
	lk->hold = w;
}

static void m_release(struct ordo_ipc_session *s, uint32_t xid,
		      const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Mutex__ReleaseRequest *req = (const void *)msg;
	Ordo__Mutex__LockReply r = ORDO__MUTEX__LOCK_REPLY__INIT;
	struct sess *ss = ordo_ipc_session_data(s);
	struct lk *lk;
	uid_t uid = ordo_ipc_session_uid(s);

	(void)arg;
	lk = call_lock(s, xid, ss->d, req->lock);
	if (!lk)
		return;
	if (!lk->holder) {
		ordo_ipc_reply_error(s, xid, -ENOLCK,
				     "lock %s is not held on this node",
				     lk->name);
		return;
	}
	if (lk->holder != s && uid != 0 &&
	    uid != ordo_ipc_session_uid(lk->holder)) {
		ordo_ipc_reply_error(s, xid, -EPERM,
				     "lock %s is held by pid %d of another user",
				     lk->name, (int)lk->holder_pid);
		return;
	}
	r.lock = lk->name;
	r.token = lk->token;
	r.pid = lk->holder_pid;
	lock_release(lk);
	ordo_ipc_reply(s, xid, &r.base);
}

static const char *state_name(enum mx_lock_state st)
{
	switch (st) {
	case MX_IDLE:
		return "idle";
	case MX_WAITING:
		return "waiting";
	case MX_HELD:
		return "held";
	}
	return "?";
}

static void type_counts(Ordo__Mutex__TypeCount **tc, Ordo__Mutex__TypeCount *buf,
			const struct mx_algo *algo, const uint64_t *sent,
			const uint64_t *recv)
{
	unsigned int t;

	for (t = 1; t <= algo->ntypes; t++) {
		Ordo__Mutex__TypeCount *c = &buf[t - 1];

		ordo__mutex__type_count__init(c);
		c->type = (char *)mx_type_name(algo, t);
		c->id = t;
		c->sent = sent[t];
		c->received = recv[t];
		tc[t - 1] = c;
	}
}

static void m_status(struct ordo_ipc_session *s, uint32_t xid,
		     const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Mutex__StatusRequest *req = (const void *)msg;
	struct sess *ss = ordo_ipc_session_data(s);
	struct mutexd *d = ss->d;
	Ordo__Mutex__StatusReply r = ORDO__MUTEX__STATUS_REPLY__INIT;
	Ordo__Mutex__LockStatus *ls = NULL, **lsp = NULL;
	Ordo__Mutex__PeerStatus *ps = NULL, **psp = NULL;
	Ordo__Mutex__ProtoCount *pc = NULL, **pcp = NULL;
	Ordo__Mutex__TypeCount *tc = NULL, **tcp = NULL;
	int32_t *pids = NULL;
	const struct ordo_rt_stats *rs = ordo_rt_stats(d->rt);
	const struct ordo_ipc_stats *is = ordo_ipc_stats(d->ipc);
	size_t nl = 0, ntc = 0, npid = 0, np = 0, i, k;
	struct lk *one = NULL;
	struct waiter *w;

	(void)arg;
	if (req->lock && *req->lock) {
		one = call_lock(s, xid, d, req->lock);
		if (!one)
			return;
	}
	ls = calloc(d->nlocks, sizeof(*ls));
	lsp = calloc(d->nlocks, sizeof(*lsp));
	ps = calloc(d->n, sizeof(*ps));
	psp = calloc(d->n, sizeof(*psp));
	pc = calloc(N_ALGOS, sizeof(*pc));
	pcp = calloc(N_ALGOS, sizeof(*pcp));
	/* type counts: per lock and per algorithm */
	tc = calloc((d->nlocks + N_ALGOS) * MX_TYPE_MAX, sizeof(*tc));
	tcp = calloc((d->nlocks + N_ALGOS) * MX_TYPE_MAX, sizeof(*tcp));
	for (i = 0; i < d->nlocks; i++)
		for (w = d->locks[i].head; w; w = w->next)
			npid++;
	pids = calloc(npid + 1, sizeof(*pids));
	if (!ls || !lsp || !ps || !psp || !pc || !pcp || !tc || !tcp || !pids) {
		ordo_ipc_reply_error(s, xid, -ENOMEM, "out of memory");
		goto out;
	}
	r.node = d->self;
	r.coordinator = node_id(d, d->coord_idx);
	r.epoch = d->epoch;
	for (i = 0; i < d->n; i++) {
		if (i == d->self_idx)
			continue;
		ordo__mutex__peer_status__init(&ps[np]);
		ps[np].node = node_id(d, i);
		ps[np].state = (char *)ordo_peer_state_name(
			ordo_rt_peer_state(d->rt, node_id(d, i)));
		psp[np] = &ps[np];
		np++;
	}
	r.n_peers = np;
	r.peers = psp;
	npid = 0;
	for (i = 0; i < d->nlocks; i++) {
		struct lk *lk = &d->locks[i];
		const struct mx_stats *st = mx_stats(lk->nd);
		Ordo__Mutex__LockStatus *l = &ls[nl];

		if (one && one != lk)
			continue;
		ordo__mutex__lock_status__init(l);
		l->name = lk->name;
		l->algorithm = (char *)lk->def->name;
		l->proto = lk->def->proto;
		l->state = (char *)state_name(mx_lock_state(lk->nd, 0));
		l->holder_pid = lk->holder ? lk->holder_pid : 0;
		l->queue = &pids[npid];
		for (w = lk->head; w; w = w->next)
			pids[npid + l->n_queue++] = ordo_ipc_session_pid(w->s);
		npid += l->n_queue;
		l->token = lk->token;
		l->entries = st->grants;
		l->releases = st->releases;
		type_counts(&tcp[ntc], &tc[ntc], lk->algo, st->sent, lk->recv);
		l->messages = &tcp[ntc];
		l->n_messages = lk->algo->ntypes;
		ntc += lk->algo->ntypes;
		l->sent = st->sent_total;
		for (k = 1; k < MX_TYPE_MAX; k++)
			l->received += lk->recv[k];
		l->opdone_sent = st->done_sent;
		l->opdone_received = lk->done_recv;
		l->retransmissions = st->retries;
		l->ignored = st->ignored;
		l->invalid = st->invalid;
		l->abandoned = lk->abandoned;
		l->failovers = st->failovers;
		l->regenerations = st->regenerations;
		l->attempts = st->attempts;
		l->failed_attempts = st->failed_attempts;
		if (has_coordinator(lk))
			l->coordinator = node_id(d, d->coord_idx);
		lsp[nl++] = l;
	}
	r.n_locks = nl;
	r.locks = lsp;
	for (i = 0; i < N_ALGOS; i++) {
		const struct mx_algo *a = mx_algo_find(algos[i].mx);
		uint64_t sent[MX_TYPE_MAX] = { 0 }, recv[MX_TYPE_MAX] = { 0 };
		unsigned int t;

		ordo__mutex__proto_count__init(&pc[i]);
		pc[i].algorithm = (char *)algos[i].name;
		pc[i].proto = algos[i].proto;
		for (t = 1; a && t <= a->ntypes; t++) {
			sent[t] = ordo_rt_count(d->rt, algos[i].proto, t, ORDO_RT_TX);
			recv[t] = ordo_rt_count(d->rt, algos[i].proto, t, ORDO_RT_RX);
		}
		if (a) {
			type_counts(&tcp[ntc], &tc[ntc], a, sent, recv);
			pc[i].messages = &tcp[ntc];
			pc[i].n_messages = a->ntypes;
			ntc += a->ntypes;
		}
		pc[i].opdone_sent = ordo_rt_opdone(d->rt, algos[i].proto, ORDO_RT_TX);
		pc[i].opdone_received = ordo_rt_opdone(d->rt, algos[i].proto, ORDO_RT_RX);
		pcp[i] = &pc[i];
	}
	r.n_wire = N_ALGOS;
	r.wire = pcp;
	r.malformed = rs->malformed;
	r.bad_body = rs->bad[ORDO_RT_BAD_BODY];
	r.ipc_sessions = is->sessions;
	r.ipc_bad_requests = is->bad_requests;
	r.retransmits = rs->retransmits;
	r.stamping = (char *)ordo_rt_stamping(d->rt);
	ordo_ipc_reply(s, xid, &r.base);
out:
	free(ls);
	free(lsp);
	free(ps);
	free(psp);
	free(pc);
	free(pcp);
	free(tc);
	free(tcp);
	free(pids);
}

static const struct ordo_ipc_method methods[] = {
	{ "mutex.acquire", &ordo__mutex__acquire_request__descriptor, m_acquire },
	{ "mutex.hold", &ordo__mutex__hold_request__descriptor, m_hold },
	{ "mutex.release", &ordo__mutex__release_request__descriptor, m_release },
	{ "mutex.status", &ordo__mutex__status_request__descriptor, m_status },
	{ NULL, NULL, NULL },
};

static int on_open(struct ordo_ipc_session *s, void *arg)
{
	struct sess *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return -ENOMEM;
	ss->s = s;
	ss->d = arg;
	ordo_ipc_session_set_data(s, ss);
	return 0;
}

/* A client went away: forget its calls, release what it held. */
static void on_close(struct ordo_ipc_session *s, void *arg)
{
	struct mutexd *d = arg;
	struct waiter *w, *next;
	uint32_t i;

	for (i = 0; i < d->nlocks; i++) {
		struct lk *lk = &d->locks[i];

		for (w = lk->head; w; w = next) {
			next = w->next;
			if (w->s == s) {
				fifo_remove(lk, w);
				waiter_free(w);
			}
		}
		if (lk->hold && lk->hold->s == s) {
			waiter_free(lk->hold);
			lk->hold = NULL;
		}
		if (lk->holder == s) {
			ordo_info("lock %s: released, its holder (pid %d) went away",
				  lk->name, (int)lk->holder_pid);
			lock_release(lk);
		}
	}
	free(ordo_ipc_session_data(s));
	ordo_ipc_session_set_data(s, NULL);
}

/* ------------------------------------------------------------ configuration */

static const char *const mutexd_keys[] = {
	"socket", "port_offset", NULL,
};

static int lock_conf(struct mutexd *d, struct ordo_conf_section *sec,
		     struct lk *lk)
{
	static const char *const common[] = { "algorithm", NULL };
	static const char *const k_ring[] = { "algorithm", "token_timeout_ms", "idle_ms", NULL };
	static const char *const k_ra[] = { "algorithm", "retry_ms", NULL };
	static const char *const k_vote[] = { "algorithm", "quorum", "backoff_ms", NULL };
	static const char *names[N_ALGOS + 2];
	struct ordo_conf *c = d->conf;
	const struct ordo_conf_kv *kv;
	const char *const *keys = common;
	uint32_t v;
	int a, i, err;

	for (i = 0; i < (int)N_ALGOS; i++)
		names[i] = algos[i].name;
	names[N_ALGOS] = "ra";	/* short for ricart-agrawala */
	names[N_ALGOS + 1] = NULL;
	lk->name = strdup(sec->name + strlen(LOCK_PREFIX));
	if (!lk->name)
		return -ENOMEM;
	if (!*lk->name || strchr(lk->name, ' '))
		return ordo_conf_error(c, sec->line,
				       "[%s]: a lock name is one word", sec->name);
	kv = ordo_conf_get(sec, "algorithm");
	if (!kv)
		return ordo_conf_error(c, sec->line,
				       "[%s]: no algorithm (central, ring, ricart-agrawala, lamport or vote)",
				       sec->name);
	err = ordo_conf_enum(c, sec, "algorithm", names, 0, &a);
	if (err)
		return err;
	if (a == (int)N_ALGOS)
		a = 2;
	lk->def = &algos[a];
	lk->algo = mx_algo_find(lk->def->mx);
	if (!lk->algo)
		return ordo_conf_error(c, sec->line, "[%s]: algorithm %s is not built in",
				       sec->name, lk->def->name);
	lock_start(d, lk);
	switch (lk->def->proto) {
	case ORDO_APP_PROTO_MUTEX_RING:
		keys = k_ring;
		err = ordo_conf_u32(c, sec, "token_timeout_ms", 0, 3600000, 0, &v);
		lk->cfg.token_timeout_ms = v;
		if (!err)
			err = ordo_conf_u32(c, sec, "idle_ms", 0, 60000, 100, &v);
		lk->cfg.idle_ms = v;
		break;
	case ORDO_APP_PROTO_MUTEX_RA:
		keys = k_ra;
		err = ordo_conf_u32(c, sec, "retry_ms", 0, 3600000, 0, &v);
		lk->cfg.retry_ms = v;
		break;
	case ORDO_APP_PROTO_MUTEX_VOTE:
		keys = k_vote;
		err = ordo_conf_u32(c, sec, "quorum", 0, d->n, 0, &v);
		if (!err && v && v <= d->n / 2)
			err = ordo_conf_kv_error(c, sec, ordo_conf_get(sec, "quorum"),
						 "%" PRIu32 " is not a majority of %" PRIu32 " nodes",
						 v, d->n);
		lk->cfg.quorum = v;
		if (!err)
			err = ordo_conf_u32(c, sec, "backoff_ms", 0, 60000, 10, &v);
		lk->cfg.backoff_ms = v;
		break;
	default:
		break;
	}
	if (err)
		return err;
	return ordo_conf_check_keys(c, sec, keys);
}

static int conf_read(struct mutexd *d, const char **sock, uint32_t *port_offset)
{
	struct ordo_conf *c = d->conf;
	struct ordo_conf_section *sec, *m = ordo_conf_section(c, NAME);
	uint32_t i, n = 0;
	int err;

	err = ordo_conf_check_keys(c, m, mutexd_keys);
	if (!err)
		err = ordo_conf_str(c, m, "socket", *sock, sock);
	if (!err)
		err = ordo_conf_u32(c, m, "port_offset", 0, 1000, 0, port_offset);
	if (err)
		return err;
	for (sec = NULL; (sec = ordo_conf_next(c, sec, LOCK_PREFIX)); )
		n++;
	if (!n)
		return ordo_conf_error(c, 0, "no [lock NAME] section");
	if (n > MX_MAX_LOCKS)
		return ordo_conf_error(c, 0, "more than %d [lock NAME] sections",
				       MX_MAX_LOCKS);
	d->locks = calloc(n, sizeof(*d->locks));
	if (!d->locks)
		return -ENOMEM;
	d->nlocks = n;
	i = 0;
	for (sec = NULL; (sec = ordo_conf_next(c, sec, LOCK_PREFIX)); i++) {
		d->locks[i].d = d;
		d->locks[i].index = i;
		err = lock_conf(d, sec, &d->locks[i]);
		if (err)
			return err;
		if (lock_find(d, d->locks[i].name) != &d->locks[i])
			return ordo_conf_error(c, sec->line, "[%s]: a second lock of that name",
					       sec->name);
	}
	return 0;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ordo-mutexd [OPTIONS]\n"
		"Distributed mutual exclusion: the locks of the [lock NAME] sections of\n"
		"the cluster configuration, each with its algorithm (central, ring,\n"
		"ricart-agrawala, lamport, vote); ordoctl lock talks to it.\n"
		"\n"
		"%s"
		"  -h, --help            this help\n"
		"\n"
		"See Documentation/ordo-mutexd.rst.\n", ordo_svc_usage);
}

static void locks_free(struct mutexd *d)
{
	uint32_t i;
	struct waiter *w, *next;

	for (i = 0; i < d->nlocks; i++) {
		struct lk *lk = &d->locks[i];

		for (w = lk->head; w; w = next) {
			next = w->next;
			waiter_free(w);
		}
		if (lk->hold)
			waiter_free(lk->hold);
		if (lk->nd) {
			ordo_timer_stop(&lk->mx_timer);
			ordo_timer_stop(&lk->work);
			mx_free(lk->nd);
		}
		free(lk->name);
	}
	free(d->locks);
	d->locks = NULL;
	d->nlocks = 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		ORDO_SVC_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ordo_svc_opts o = { 0 };
	struct mutexd d = { 0 };
	struct ordo_rt_config rc = { 0 };
	struct ordo_ipc_config ic = { 0 };
	const char *sock;
	bool sock_given;
	uint32_t port_offset = 0, i;
	int opt, ret, err;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ORDO_SVC_SHORTOPTS "h", longopts,
				  NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		ret = ordo_svc_option(&o, opt, optarg);
		if (ret < 0)
			return 2;
		if (ret == 0) {
			fprintf(stderr, "ordo-mutexd: unknown option or missing argument: '%s' (try --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ordo-mutexd: unexpected argument '%s' (try --help)\n",
			argv[optind]);
		return 2;
	}
	sock_given = o.socket != NULL;
	if (ordo_svc_setup(&o, NAME, &d.conf, &d.self))
		return 1;
	sock = o.socket;
	d.n = (uint32_t)d.conf->n_nodes;
	if (d.n > MX_MAX_NODES) {
		fprintf(stderr, "ordo-mutexd: %s: %u nodes, at most %d\n",
			d.conf->path, d.n, MX_MAX_NODES);
		ordo_conf_free(d.conf);
		return 1;
	}
	node_idx(&d, d.self, &d.self_idx);
	d.coord_idx = 0;
	d.epoch = 1;
	if (conf_read(&d, &sock, &port_offset)) {
		ordo_err("%s", d.conf->err);
		ret = 1;
		goto out_conf;
	}
	if (sock_given)
		sock = o.socket;
	srandom((unsigned int)(ordo_now_ns() ^ ((uint64_t)getpid() << 16)));
	ret = 1;
	if (ordo_loop_new(&d.loop))
		goto out_conf;
	ordo_loop_stop_on_term(d.loop);
	rc.conf = d.conf;
	rc.self = d.self;
	rc.loop = d.loop;
	rc.port_offset = port_offset;
	if (ordo_rt_open(&d.rt, &rc))
		goto out_loop;
	for (i = 0; i < d.nlocks; i++) {
		struct lk *lk = &d.locks[i];

		ordo_timer_init(&lk->mx_timer, d.loop, on_mx_timer, lk);
		ordo_timer_init(&lk->work, d.loop, on_work, lk);
		lk->nd = mx_new(lk->algo, &lk->cfg, &ops, lk);
		if (!lk->nd) {
			ordo_err("lock %s: cannot start %s: %s", lk->name,
				 lk->def->name, strerror(errno));
			goto out_rt;
		}
	}
	for (i = 0; i < N_ALGOS; i++)
		ordo_rt_handle(d.rt, algos[i].proto, on_msg, &d);
	ordo_rt_on_peer(d.rt, on_peer, &d);
	ic.path = sock;
	ic.open = on_open;
	ic.close = on_close;
	ic.methods = methods;
	ic.arg = &d;
	err = ordo_ipc_listen(&d.ipc, d.loop, &ic);
	if (err) {
		ordo_err("cannot listen on %s: %s", sock, strerror(-err));
		goto out_rt;
	}
	ordo_info("node %" PRIu32 " of %" PRIu32 ", %" PRIu32 " locks, %s stamping, socket %s",
		  d.self, d.n, d.nlocks, ordo_rt_stamping(d.rt), sock);
	ordo_svc_ready("node %" PRIu32 ", %" PRIu32 " locks", d.self, d.nlocks);
	ret = ordo_loop_run(d.loop) ? 1 : 0;
	ordo_svc_stopping();
	ordo_info("stopping");
	ordo_ipc_close(d.ipc);
out_rt:
	ordo_rt_close(d.rt);
	locks_free(&d);
out_loop:
	ordo_loop_free(d.loop);
out_conf:
	locks_free(&d);
	ordo_conf_free(d.conf);
	return ret;
}
