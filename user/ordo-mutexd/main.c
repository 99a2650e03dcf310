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
 *
 * Peer messages travel on a reliable channel per (incarnation, peer):
 * sequence numbers, retransmission after retransmit_ms until acknowledged,
 * duplicates dropped; acknowledgements ride on the runtime's heartbeats
 * (mutex.proto Beat) and on the next Msg to that peer, so that a
 * fault-free run has exactly the algorithms' messages on the wire. A peer
 * reported down stays down for the algorithms until it comes back as a
 * new incarnation; a daemon that learns it was excluded (and is on the
 * losing side) restarts its state as a new incarnation itself. A daemon
 * (re)starting joins first: it learns from the peers' heartbeats whether
 * it must rejoin (MX_CFG_REJOIN) and the coordinator and epoch.
 */
#include <errno.h>
#include <getopt.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libordo.h"
#include "ordo_rt.h"
#include "mutex.pb-c.h"
#include "election.pb-c.h"
#include "ordo_rt.pb-c.h"
#include "mutex_algo.h"

#define NAME		"mutexd"
#define LOCK_PREFIX	"lock "
#define ELECT_SOCKET	ORDO_IPC_DIR "/electd.sock"
#define ELECT_RETRY_MS	1000	/* reconnect to ordo-electd */
#define ELECT_CALL_MS	500	/* the subscription's first answer */

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
	uint64_t recv[MX_TYPE_MAX];	/* messages delivered, by type */
	uint64_t done_recv;
	uint64_t abandoned;
	uint64_t retransmitted, duplicates, stale;
	uint64_t resets;		/* "mutex.reset" (vote) */
};

/* A message of the channel to a peer, until acknowledged. */
struct outmsg {
	struct outmsg *next;
	uint64_t seq;
	uint32_t lock;		/* index */
	uint32_t xid;		/* of the first transmission (0: not sent) */
	uint64_t sent_ms;
	struct mx_msg m;
};

#define CHAN_WIN	64	/* out-of-order messages a receiver records */

struct peer {
	/* the channel to the peer (this incarnation) */
	uint64_t next_seq;
	struct outmsg *head, *tail;
	size_t queued;
	/* the channel from the peer: its incarnation src, every seq <= cum
	 * received, bit k of win: cum + 2 + k received */
	uint64_t src;
	uint64_t cum;
	uint64_t win;
	/* the algorithms' view */
	bool down;
	uint64_t down_inc;	/* its incarnation when reported down (0: unknown) */
	bool upped;		/* reported up (fresh) for its current incarnation */
	/* its last Beat, while joining */
	bool beat_ok;		/* it knows this incarnation */
	bool beat_upped, beat_joining;
	uint32_t beat_coord;
	uint64_t beat_epoch;
};

struct mutexd {
	struct ordo_conf *conf;
	struct ordo_loop *loop;
	struct ordo_rt *rt;
	struct ordo_ipc_server *ipc;
	uint32_t self;		/* node id */
	uint32_t self_idx;	/* member index */
	uint32_t n;
	uint32_t coord_idx;	/* see coordinator_update() */
	uint64_t epoch;
	/* [mutexd] election: ordo-electd's leader of that group */
	const char *el_group;	/* NULL: none */
	const char *el_sock;
	struct ordo_ipc_client *el_c;	/* the "elect.watch" subscription */
	struct ordo_timer el_timer;	/* reconnect */
	uint32_t el_leader;	/* node id; 0: none known */
	uint64_t el_term;
	int el_err;		/* the last connection error (logged once) */
	uint64_t el_updates;	/* leader announcements received */
	struct peer peer[MX_MAX_NODES];
	struct lk *locks;
	uint32_t nlocks;
	uint64_t bad_body;
	uint32_t rto_ms;	/* [mutexd] retransmit_ms */
	struct ordo_timer retx_timer;
	bool joining;		/* no algorithm state yet */
	bool join_rejoin;	/* this node restarted its state itself */
	bool join_excluded;	/* ... excluded by node join_by of the
				 * other side, which won */
	uint32_t join_by;
	/* join_by's exclusions: the incarnation of each member (0: none) */
	uint64_t by_excl[MX_MAX_NODES];
	bool rejoined;		/* the algorithms run with MX_CFG_REJOIN */
	struct ordo_timer join_timer;
	uint64_t retransmitted, duplicates, stale, window_drops;
	uint64_t rejoins, peer_restarts;
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

/* ------------------------------------------------------------ channels */

/* (Re)transmit @o on the channel to member @to. */
static void chan_xmit(struct mutexd *d, uint32_t to, struct outmsg *o)
{
	struct lk *lk = &d->locks[o->lock];
	struct peer *p = &d->peer[to];
	Ordo__Mutex__Msg b = ORDO__MUTEX__MSG__INIT;
	uint8_t buf[160];
	bool again = o->xid != 0;
	size_t len;
	int err;

	b.lock = lk->index;
	b.flags = o->m.flags & ~MX_F_DONE;
	b.ts = o->m.ts;
	b.req = o->m.req;
	b.token = o->m.token;
	b.gen = o->m.gen;
	b.aux = o->m.aux;
	b.inc = ordo_rt_incarnation(d->rt);
	b.seq = o->seq;
	b.dst = ordo_rt_peer_incarnation(d->rt, node_id(d, to));
	if (b.dst && p->src == b.dst) {
		b.ack = p->cum;
		b.sack = p->win;
	}
	len = ordo__mutex__msg__pack(&b, buf);
	err = ordo_rt_send_xid(d->rt, node_id(d, to), lk->def->proto,
			       (uint8_t)o->m.type,
			       (o->m.flags & MX_F_DONE) ? ORDO_APP_F_OPDONE : 0,
			       &o->xid, buf, len);
	if (err)
		ordo_debug("lock %s: sending %s to node %" PRIu32 ": %s",
			   lk->name, mx_type_name(lk->algo, o->m.type),
			   node_id(d, to), strerror(-err));
	if (again) {
		lk->retransmitted++;
		d->retransmitted++;
	}
	o->sent_ms = ordo_now_ms();
}

/* Forget the channel to member @i (a peer down or restarted, a rejoin). */
static void chan_reset_out(struct mutexd *d, uint32_t i)
{
	struct peer *p = &d->peer[i];
	struct outmsg *o, *next;

	for (o = p->head; o; o = next) {
		next = o->next;
		free(o);
	}
	p->head = p->tail = NULL;
	p->queued = 0;
	p->next_seq = 0;
}

/* The channel from member @i starts again, from incarnation @inc. */
static void chan_reset_in(struct mutexd *d, uint32_t i, uint64_t inc)
{
	d->peer[i].src = inc;
	d->peer[i].cum = 0;
	d->peer[i].win = 0;
}

/* Member @i acknowledged our channel up to @ack, plus the bits of @sack. */
static void chan_acked(struct mutexd *d, uint32_t i, uint64_t ack,
		       uint64_t sack)
{
	struct peer *p = &d->peer[i];
	struct outmsg **pp = &p->head, *o;

	p->tail = NULL;
	while ((o = *pp)) {
		if (o->seq <= ack || (o->seq >= ack + 2 && o->seq - ack - 2 < 64 &&
				      ((sack >> (o->seq - ack - 2)) & 1))) {
			*pp = o->next;
			free(o);
			p->queued--;
			continue;
		}
		p->tail = o;
		pp = &o->next;
	}
}

/* Record @seq from member @i: 0 new, 1 a duplicate, -1 beyond the window. */
static int chan_mark(struct peer *p, uint64_t seq)
{
	uint64_t k;

	if (seq <= p->cum)
		return 1;
	if (seq == p->cum + 1) {
		p->cum++;
		while (p->win & 1) {
			p->cum++;
			p->win >>= 1;
		}
		p->win >>= 1;
		return 0;
	}
	k = seq - p->cum - 2;
	if (k >= CHAN_WIN)
		return -1;
	if ((p->win >> k) & 1)
		return 1;
	p->win |= 1ULL << k;
	return 0;
}

static void on_retx_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct mutexd *d = arg;
	uint64_t now = ordo_now_ms();
	struct outmsg *o;
	uint32_t i;

	(void)l;
	(void)t;
	for (i = 0; i < d->n; i++) {
		if (d->peer[i].down)
			continue;
		for (o = d->peer[i].head; o; o = o->next)
			if (now - o->sent_ms >= d->rto_ms)
				chan_xmit(d, i, o);
	}
}

static void op_send(void *ctx, uint32_t to, const struct mx_msg *m)
{
	struct lk *lk = ctx;
	struct mutexd *d = lk->d;
	struct peer *p;
	struct outmsg *o;

	if (to >= d->n || to == d->self_idx)
		return;
	p = &d->peer[to];
	if (p->down)
		return;		/* crashed for the algorithms: nothing to repair */
	o = calloc(1, sizeof(*o));
	if (!o) {
		ordo_warn("lock %s: out of memory: a message to node %" PRIu32 " is lost",
			  lk->name, node_id(d, to));
		return;
	}
	o->seq = ++p->next_seq;
	o->lock = lk->index;
	o->m = *m;
	if (p->tail)
		p->tail->next = o;
	else
		p->head = o;
	p->tail = o;
	p->queued++;
	chan_xmit(d, to, o);
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
	if (lk->nd)
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
	if (!lk->nd)
		return;		/* joining: the waiters wait */
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
	err = lk->nd ? mx_release(lk->nd, 0) : 0;
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

/*
 * The coordinator is ordo-electd's leader of the [mutexd] election group
 * when one is known and not down here, else the lowest member not down.
 * A change (or @bump: the coordinator restarted, its state is new) is a
 * new epoch.
 */
static void coordinator_update(struct mutexd *d, bool bump)
{
	uint32_t i, c = 0;
	int err;

	if (d->joining)
		return;		/* the join decides */
	for (i = 0; i < d->n; i++) {
		if (!d->peer[i].down) {
			c = i;
			break;
		}
	}
	if (d->el_leader && !node_idx(d, d->el_leader, &i) && !d->peer[i].down)
		c = i;
	if (c == d->coord_idx && !bump)
		return;
	d->coord_idx = c;
	d->epoch++;
	ordo_notice("coordinator: node %" PRIu32 " (epoch %" PRIu64 ", %s)",
		    node_id(d, c), d->epoch,
		    d->el_leader && node_id(d, c) == d->el_leader ?
		    "the elected leader" : "the lowest live id");
	for (i = 0; i < d->nlocks; i++) {
		if (!has_coordinator(&d->locks[i]) || !d->locks[i].nd)
			continue;
		err = mx_coordinator_changed(d->locks[i].nd, c, d->epoch);
		if (err < 0)
			ordo_warn("lock %s: coordinator change: %s",
				  d->locks[i].name, strerror(-err));
	}
}

/* ------------------------------------------------------------ ordo-electd */

/* The leader ordo-electd announces (0: none known). */
static void el_set_leader(struct mutexd *d, uint32_t leader, uint64_t term)
{
	uint32_t idx;

	if (leader && node_idx(d, leader, &idx)) {
		ordo_warn("election %s: leader node %" PRIu32 " is not a member here: ignored",
			  d->el_group, leader);
		leader = 0;
	}
	if (leader == d->el_leader && term == d->el_term)
		return;
	if (leader != d->el_leader)
		ordo_info("election %s: leader %s%" PRIu32 " (term %" PRIu64 ")",
			  d->el_group, leader ? "node " : "none ", leader, term);
	d->el_leader = leader;
	d->el_term = term;
	coordinator_update(d, false);
}

static void el_drop(struct mutexd *d, int err)
{
	if (d->el_c) {
		ordo_loop_del_fd(d->loop, ordo_ipc_client_fd(d->el_c));
		ordo_ipc_disconnect(d->el_c);
		d->el_c = NULL;
	}
	/*
	 * The last leader heard stays the coordinator while it is live: the
	 * other nodes' ordo-electd still name it (a leader changes only when
	 * it fails, and then the lowest live id takes over here).
	 */
	if (err != d->el_err)
		ordo_notice("election %s: no subscription to ordo-electd at %s (%s): the coordinator is %s; retrying every %d ms",
			    d->el_group, d->el_sock, strerror(-err),
			    d->el_leader ? "the last leader heard while it lives, then the lowest live id" :
			    "the lowest live id", ELECT_RETRY_MS);
	d->el_err = err;
	ordo_timer_start(&d->el_timer, ELECT_RETRY_MS, 0);
}

/*
 * A daemon that is joining, or between a leader's failure and the next
 * COORDINATOR, names no leader: the last one stays (while it lives).
 */
static void el_apply(struct mutexd *d, const Ordo__Election__GroupStatus *g)
{
	d->el_updates++;
	if (g->has_leader && g->started)
		el_set_leader(d, g->leader, g->term);
}

/* The subscription's next change. */
static void on_el_fd(struct ordo_loop *l, int fd, uint32_t events, void *arg)
{
	static uint8_t buf[ORDO_IPC_MSG_MAX];
	struct mutexd *d = arg;
	Ordo__Election__GroupStatus *g;
	Ordo__Rt__Response *r;
	ssize_t n;

	(void)l;
	(void)events;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		el_drop(d, -ECONNRESET);
		return;
	}
	r = ordo__rt__response__unpack(NULL, (size_t)n, buf);
	if (!r || r->error) {
		if (r)
			ordo_warn("election %s: ordo-electd: %s", d->el_group,
				  r->error->message);
		el_drop(d, -EBADMSG);
		if (r)
			ordo__rt__response__free_unpacked(r, NULL);
		return;
	}
	g = ordo__election__group_status__unpack(NULL, r->body.len, r->body.data);
	ordo__rt__response__free_unpacked(r, NULL);
	if (!g) {
		el_drop(d, -EBADMSG);
		return;
	}
	el_apply(d, g);
	ordo__election__group_status__free_unpacked(g, NULL);
}

/* Subscribe to the group's leader changes ("elect.watch"). */
static void on_el_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	Ordo__Election__WatchRequest req = ORDO__ELECTION__WATCH_REQUEST__INIT;
	Ordo__Election__GroupStatus *g = NULL;
	struct mutexd *d = arg;
	char msg[256] = "";
	int err;

	(void)t;
	err = ordo_ipc_connect(&d->el_c, d->el_sock);
	if (err) {
		el_drop(d, err);
		return;
	}
	req.group = (char *)d->el_group;
	err = ordo_ipc_call(d->el_c, "elect.watch", &req.base,
			    &ordo__election__group_status__descriptor,
			    (ProtobufCMessage **)&g, ELECT_CALL_MS, msg, sizeof(msg));
	if (err) {
		if (*msg && err != d->el_err)
			ordo_warn("election %s: ordo-electd at %s: %s",
				  d->el_group, d->el_sock, msg);
		el_drop(d, err);
		return;
	}
	err = ordo_loop_add_fd(l, ordo_ipc_client_fd(d->el_c), EPOLLIN,
			       on_el_fd, d);
	if (err) {
		ordo__election__group_status__free_unpacked(g, NULL);
		el_drop(d, err);
		return;
	}
	ordo_notice("election %s: following ordo-electd's leader (%s)",
		    d->el_group, d->el_sock);
	d->el_err = 0;
	el_apply(d, g);
	ordo__election__group_status__free_unpacked(g, NULL);
}

static void peers_down(struct mutexd *d, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < d->nlocks; i++)
		if (d->locks[i].nd)
			mx_peer_down(d->locks[i].nd, idx);
}

static void peers_up(struct mutexd *d, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < d->nlocks; i++)
		if (d->locks[i].nd)
			mx_peer_up(d->locks[i].nd, idx);
}

/* Member @idx is crashed for the algorithms, in its current incarnation. */
static void peer_set_down(struct mutexd *d, uint32_t idx)
{
	struct peer *p = &d->peer[idx];

	p->down = true;
	p->upped = false;
	p->down_inc = ordo_rt_peer_incarnation(d->rt, node_id(d, idx));
	chan_reset_out(d, idx);
	peers_down(d, idx);
}

/*
 * Member @idx is back with fresh state: a new incarnation (@restarted:
 * one after another we knew, so it must rejoin; else the first we hear
 * of it, after it was taken as down while never heard).
 */
static void peer_set_up(struct mutexd *d, uint32_t idx, bool restarted)
{
	struct peer *p = &d->peer[idx];

	p->down = false;
	p->upped = restarted;
	peers_up(d, idx);
}

static void on_peer(struct ordo_rt *rt, uint32_t node, enum ordo_peer_state old,
		    enum ordo_peer_state state, void *arg)
{
	struct mutexd *d = arg;
	struct peer *p;
	uint32_t idx;

	if (node_idx(d, node, &idx))
		return;
	p = &d->peer[idx];
	ordo_info("node %" PRIu32 ": %s -> %s", node,
		  ordo_peer_state_name(old), ordo_peer_state_name(state));
	if (d->joining)
		return;		/* the join reads the states */
	if (state == ORDO_PEER_SUSPECT && !p->down) {
		peer_set_down(d, idx);
		coordinator_update(d, false);
	} else if (state == ORDO_PEER_ALIVE && p->down) {
		if (p->down_inc &&
		    p->down_inc == ordo_rt_peer_incarnation(rt, node)) {
			/* the same incarnation: excluded until it restarts
			 * (its heartbeats tell it so: Beat.down) */
			ordo_notice("node %" PRIu32 " is heard again but stays down until it rejoins as a new incarnation",
				    node);
			return;
		}
		/* never heard before it was reported down: a new one */
		chan_reset_in(d, idx, ordo_rt_peer_incarnation(rt, node));
		peer_set_up(d, idx, false);
		coordinator_update(d, false);
	}
}

/* The runtime saw a new incarnation of @node. */
static void on_restart(struct ordo_rt *rt, uint32_t node, uint64_t old,
		       uint64_t inc, void *arg)
{
	struct mutexd *d = arg;
	struct peer *p;
	uint32_t idx;
	bool was_up;

	(void)rt;
	if (node_idx(d, node, &idx))
		return;
	p = &d->peer[idx];
	d->peer_restarts++;
	ordo_notice("node %" PRIu32 " restarted (incarnation %016" PRIx64 " -> %016" PRIx64 ")",
		    node, old, inc);
	was_up = !p->down;
	chan_reset_out(d, idx);
	chan_reset_in(d, idx, inc);
	if (d->joining) {
		p->down = false;
		p->beat_ok = false;
		return;
	}
	if (was_up)
		peers_down(d, idx);
	peer_set_up(d, idx, true);
	coordinator_update(d, was_up && idx == d->coord_idx);
}

/* ------------------------------------------------------------ joining */

static void locks_create(struct mutexd *d);

/* Count the members up for the algorithms (self included). */
static uint32_t live_count(const struct mutexd *d)
{
	uint32_t i, k = 0;

	for (i = 0; i < d->n; i++)
		k += !d->peer[i].down;
	return k;
}

/* Join when every peer that is not suspected knows this incarnation (or
 * at the deadline). */
static void join_check(struct mutexd *d, bool deadline)
{
	uint64_t best = 0, by_epoch = 0;
	uint32_t i, c, coord = 0, by_coord = 0;
	bool rejoin = d->join_rejoin;

	if (!d->joining)
		return;
	/*
	 * After an exclusion, wait for the suspected peers too (until the
	 * deadline): the other side of a healed partition is heard again a
	 * heartbeat later, and a join without it took it as down until
	 * heard, then counted a coordinator change (an epoch) for each of
	 * its nodes coming back.
	 */
	for (i = 0; i < d->n && !deadline; i++) {
		if (i == d->self_idx || d->peer[i].beat_ok)
			continue;
		if (d->join_rejoin ||
		    ordo_rt_peer_state(d->rt, node_id(d, i)) != ORDO_PEER_SUSPECT)
			return;
	}
	for (i = 0; i < d->n; i++) {
		struct peer *p = &d->peer[i];

		if (i == d->self_idx)
			continue;
		if (p->beat_ok && p->beat_upped)
			rejoin = true;
		if (p->beat_ok && !p->beat_joining && p->beat_epoch > best &&
		    !node_idx(d, p->beat_coord, &c)) {
			best = p->beat_epoch;
			coord = c;
		}
		/*
		 * Excluded: the side that excluded us goes on, its view is
		 * the one to take (the other side of a healed partition
		 * may count more coordinator changes, and rejoins too).
		 */
		if (p->beat_ok && !p->beat_joining && p->beat_epoch &&
		    d->join_excluded && node_id(d, i) == d->join_by &&
		    !node_idx(d, p->beat_coord, &c)) {
			by_epoch = p->beat_epoch;
			by_coord = c;
		}
		/*
		 * Not heard: down for the algorithms until heard, as a peer
		 * never heard (down_inc 0), not excluded in the incarnation
		 * the runtime knew: a rejoining node still has the peers of
		 * the other side of a healed partition suspected, and telling
		 * them they are down (Beat.down) made them rejoin in turn.
		 */
		p->down = !ordo_rt_peer_alive(d->rt, node_id(d, i));
		p->down_inc = p->down ? 0 :
			      ordo_rt_peer_incarnation(d->rt, node_id(d, i));
		p->upped = false;
		/*
		 * Excluded by the node that excluded us, in the incarnation
		 * we know: excluded here too, until it rejoins. Else a node
		 * of the same losing side, not yet told, passes us the
		 * token its side made (ring: a later generation than the
		 * winners', whose token we would then drop as stale).
		 */
		if (d->join_excluded && d->by_excl[i] &&
		    d->by_excl[i] == ordo_rt_peer_incarnation(d->rt, node_id(d, i))) {
			p->down = true;
			p->down_inc = d->by_excl[i];
			ordo_info("node %" PRIu32 " is excluded by node %" PRIu32 ": excluded here too",
				  node_id(d, i), d->join_by);
		}
		if (!p->down)
			chan_reset_in(d, i, p->down_inc);
	}
	if (by_epoch) {
		d->coord_idx = by_coord;
		d->epoch = by_epoch;
	} else if (best) {
		d->coord_idx = coord;
		d->epoch = best;
	} else {
		for (i = 0; i < d->n; i++) {
			if (!d->peer[i].down) {
				d->coord_idx = i;
				break;
			}
		}
		if (d->el_leader && !node_idx(d, d->el_leader, &c) &&
		    !d->peer[c].down)
			d->coord_idx = c;
	}
	d->joining = false;
	d->rejoined = rejoin;
	ordo_timer_stop(&d->join_timer);
	ordo_notice("joined%s: %" PRIu32 " of %" PRIu32 " nodes up, coordinator node %" PRIu32 ", epoch %" PRIu64,
		    rejoin ? " (rejoin)" : "", live_count(d), d->n,
		    node_id(d, d->coord_idx), d->epoch);
	locks_create(d);
	/* the peers' view, and ordo-electd names another leader */
	if (d->el_leader)
		coordinator_update(d, false);
}

static void on_join_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	(void)l;
	(void)t;
	join_check(arg, true);
}

static void join_start(struct mutexd *d, bool rejoin)
{
	uint32_t i;

	d->joining = true;
	d->join_rejoin = rejoin;
	d->join_excluded = false;
	memset(d->by_excl, 0, sizeof(d->by_excl));
	for (i = 0; i < d->n; i++)
		d->peer[i].beat_ok = false;
	/* a peer that stays silent this long is suspected anyway */
	ordo_timer_start(&d->join_timer, d->conf->rt.suspect_ms +
			 d->conf->rt.heartbeat_ms, 0);
}

static void locks_stop(struct mutexd *d);

/*
 * This node was excluded by the others: restart its algorithm state as
 * a new incarnation (the peers see a restart, mx_peer_up) and join again.
 * @lost: by a node of the other side of a partition, and this side lost:
 * the join takes that node's view (a node that excluded us unilaterally,
 * say after a stall, may be of a losing side itself).
 */
static void rejoin(struct mutexd *d, uint32_t by, bool lost)
{
	uint32_t i;

	d->rejoins++;
	ordo_notice("node %" PRIu32 " has this node down: restarting the locks' state as a new incarnation",
		    by);
	locks_stop(d);
	for (i = 0; i < d->n; i++) {
		chan_reset_out(d, i);
		chan_reset_in(d, i, 0);
		d->peer[i].down = false;
		d->peer[i].upped = false;
	}
	ordo_rt_reincarnate(d->rt);
	join_start(d, true);
	d->join_excluded = lost;
	d->join_by = by;
}

/*
 * A peer that has the same coordinator counts a later epoch: it saw the
 * coordinator changes in another order (the suspicions of a partition's
 * other side arrive one by one, in any order, and each change of the
 * lowest live id is an epoch). Take its epoch over, so that the clients
 * and the coordinator of a central lock talk in one epoch: a coordinator
 * ignores the messages of an older epoch, a client the GRANTs of another.
 */
static void epoch_adopt(struct mutexd *d, uint32_t from, uint64_t epoch)
{
	uint32_t i;
	int err;

	ordo_notice("node %" PRIu32 " has coordinator node %" PRIu32 " in epoch %" PRIu64 ", this node in %" PRIu64 ": taking it over",
		    from, node_id(d, d->coord_idx), epoch, d->epoch);
	d->epoch = epoch;
	for (i = 0; i < d->nlocks; i++) {
		if (d->locks[i].def->proto != ORDO_APP_PROTO_MUTEX_CENTRAL ||
		    !d->locks[i].nd)
			continue;
		err = mx_coordinator_changed(d->locks[i].nd, d->coord_idx, epoch);
		if (err < 0)
			ordo_warn("lock %s: coordinator change: %s",
				  d->locks[i].name, strerror(-err));
	}
}

static size_t hb_fill(struct ordo_rt *rt, uint32_t to, uint8_t *buf,
		      size_t max, void *arg)
{
	struct mutexd *d = arg;
	Ordo__Mutex__Beat b = ORDO__MUTEX__BEAT__INIT;
	uint32_t excl[MX_MAX_NODES];
	uint64_t excl_inc[MX_MAX_NODES];
	struct peer *p;
	uint32_t idx, i;

	if (node_idx(d, to, &idx))
		return 0;
	p = &d->peer[idx];
	for (i = 0; i < d->n && !d->joining; i++) {
		if (i == d->self_idx || !d->peer[i].down || !d->peer[i].down_inc)
			continue;
		excl[b.n_excluded] = node_id(d, i);
		excl_inc[b.n_excluded++] = d->peer[i].down_inc;
	}
	b.excluded = excl;
	b.n_excluded_inc = b.n_excluded;
	b.excluded_inc = excl_inc;
	b.ack_inc = p->src;
	b.ack = p->cum;
	b.sack = p->win;
	b.known_inc = ordo_rt_peer_incarnation(rt, to);
	b.down = !d->joining && p->down && p->down_inc &&
		 p->down_inc == b.known_inc;
	b.upped = !d->joining && p->upped && !p->down;
	b.joining = d->joining;
	b.coordinator = node_id(d, d->coord_idx);
	b.epoch = d->epoch;
	if (ordo__mutex__beat__get_packed_size(&b) > max)
		return 0;
	return ordo__mutex__beat__pack(&b, buf);
}

static void hb_recv(struct ordo_rt *rt, uint32_t from, const uint8_t *data,
		    size_t len, void *arg)
{
	struct mutexd *d = arg;
	uint64_t me = ordo_rt_incarnation(rt);
	Ordo__Mutex__Beat *b;
	struct peer *p;
	uint32_t idx, i, c;
	bool lose;

	if (node_idx(d, from, &idx))
		return;
	b = ordo__mutex__beat__unpack(NULL, len, data);
	if (!b) {
		d->bad_body++;
		return;
	}
	p = &d->peer[idx];
	if (b->ack_inc == me)
		chan_acked(d, idx, b->ack, b->sack);
	if (b->known_inc != me) {
		/* not about this incarnation (yet) */
	} else if (d->joining) {
		p->beat_ok = true;
		p->beat_upped = b->upped;
		p->beat_joining = b->joining;
		p->beat_coord = b->coordinator;
		p->beat_epoch = b->epoch;
		if (d->join_excluded && from == d->join_by &&
		    b->n_excluded == b->n_excluded_inc) {
			memset(d->by_excl, 0, sizeof(d->by_excl));
			for (i = 0; i < b->n_excluded; i++) {
				if (!node_idx(d, b->excluded[i], &c) &&
				    c != d->self_idx)
					d->by_excl[c] = b->excluded_inc[i];
			}
		}
	} else if (b->down) {
		/*
		 * The peer excluded this node. If we did not exclude it, or
		 * this side lost (not a majority; half without member 0),
		 * restart our state; else it is the one to rejoin.
		 */
		lose = 2 * live_count(d) < d->n ||
		       (2 * live_count(d) == d->n && d->peer[0].down);
		if (!p->down || lose) {
			ordo__mutex__beat__free_unpacked(b, NULL);
			rejoin(d, from, p->down);
			return;
		}
	} else if (!p->down && !b->joining &&
		   b->coordinator == node_id(d, d->coord_idx) &&
		   b->epoch > d->epoch) {
		epoch_adopt(d, from, b->epoch);
	}
	ordo__mutex__beat__free_unpacked(b, NULL);
	join_check(d, false);
}

/* ------------------------------------------------------------ peer messages */

static void on_msg(struct ordo_rt *rt, const struct ordo_rt_msg *m, void *arg)
{
	struct mutexd *d = arg;
	Ordo__Mutex__Msg *b;
	struct mx_msg x;
	struct peer *p;
	struct lk *lk;
	uint64_t me = ordo_rt_incarnation(rt);
	uint32_t idx;
	int rc;

	b = (Ordo__Mutex__Msg *)ordo_rt_unpack(rt, &ordo__mutex__msg__descriptor, m);
	if (!b) {
		d->bad_body++;
		return;
	}
	if (b->lock >= d->nlocks || d->locks[b->lock].def->proto != m->proto ||
	    m->type == 0 || m->type > d->locks[b->lock].algo->ntypes ||
	    node_idx(d, m->from, &idx) || !b->inc || !b->seq) {
		ordo_debug("node %" PRIu32 ": message of proto %u type %u for lock %" PRIu32 " does not fit the configuration",
			   m->from, m->proto, m->type, b->lock);
		ordo_rt_bad_body(rt, m);
		d->bad_body++;
		protobuf_c_message_free_unpacked(&b->base, NULL);
		return;
	}
	lk = &d->locks[b->lock];
	p = &d->peer[idx];
	/* the first message of a peer taken in before its first heartbeat */
	if (!p->src && !p->down && b->inc == ordo_rt_peer_incarnation(rt, m->from))
		chan_reset_in(d, idx, b->inc);
	/*
	 * Only the incarnation the heartbeats announced, not excluded, and
	 * meant for this incarnation (or sent before the sender heard it).
	 */
	if (b->inc != ordo_rt_peer_incarnation(rt, m->from) || p->down ||
	    (b->dst && b->dst != me) || p->src != b->inc) {
		lk->stale++;
		d->stale++;
		protobuf_c_message_free_unpacked(&b->base, NULL);
		return;
	}
	if (b->dst == me)
		chan_acked(d, idx, b->ack, b->sack);
	if (!lk->nd) {
		/* joining: not recorded, the sender sends it again */
		protobuf_c_message_free_unpacked(&b->base, NULL);
		return;
	}
	rc = chan_mark(p, b->seq);
	if (rc) {
		if (rc > 0) {
			lk->duplicates++;
			d->duplicates++;
		} else {
			d->window_drops++;
		}
		protobuf_c_message_free_unpacked(&b->base, NULL);
		return;
	}
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

/* ------------------------------------------------------------ lock state */

/* The algorithms' nodes, once joined. */
static void locks_create(struct mutexd *d)
{
	uint32_t i, k;

	for (i = 0; i < d->nlocks; i++) {
		struct lk *lk = &d->locks[i];
		bool self_coord = has_coordinator(lk) &&
				  d->coord_idx == d->self_idx;

		lk->cfg.coordinator = d->coord_idx;
		lk->cfg.epoch = d->epoch;
		lk->cfg.flags = d->rejoined ? MX_CFG_REJOIN : 0;
		/*
		 * A restarted central coordinator cannot rejoin as such: it
		 * starts one epoch behind and takes the current one over, so
		 * that it rebuilds its table from every client's STATE.
		 */
		if (d->rejoined && self_coord &&
		    lk->def->proto == ORDO_APP_PROTO_MUTEX_CENTRAL) {
			lk->cfg.flags = 0;
			lk->cfg.epoch = d->epoch - 1;
		}
		lk->nd = mx_new(lk->algo, &lk->cfg, &ops, lk);
		if (!lk->nd) {
			ordo_err("lock %s: cannot start %s: %s", lk->name,
				 lk->def->name, strerror(errno));
			ordo_loop_stop(d->loop, 1);
			return;
		}
		if (lk->cfg.epoch != d->epoch)
			mx_coordinator_changed(lk->nd, d->coord_idx, d->epoch);
		for (k = 0; k < d->n; k++)
			if (d->peer[k].down && k != d->self_idx)
				mx_peer_down(lk->nd, k);
		ordo_timer_start(&lk->work, 0, 0);
	}
}

/* Drop the algorithms' state (a rejoin): the local holder loses the lock. */
static void locks_stop(struct mutexd *d)
{
	uint32_t i;

	for (i = 0; i < d->nlocks; i++) {
		struct lk *lk = &d->locks[i];

		if (lk->hold) {
			ordo_ipc_reply_error(lk->hold->s, lk->hold->xid, -ENOLCK,
					     "lock %s: lost: this node was excluded by the others and rejoins",
					     lk->name);
			waiter_free(lk->hold);
			lk->hold = NULL;
		}
		lk->holder = NULL;
		lk->holder_pid = 0;
		lk->granted = false;
		ordo_timer_stop(&lk->mx_timer);
		ordo_timer_stop(&lk->work);
		if (lk->nd)
			mx_free(lk->nd);
		lk->nd = NULL;
	}
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

/* Fault injection (root): the lock's coordinator here forgets its votes. */
static void m_reset(struct ordo_ipc_session *s, uint32_t xid,
		    const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Mutex__ResetRequest *req = (const void *)msg;
	Ordo__Mutex__ResetReply r = ORDO__MUTEX__RESET_REPLY__INIT;
	struct sess *ss = ordo_ipc_session_data(s);
	struct lk *lk;
	uint32_t forgot, cand;
	int err;

	(void)arg;
	lk = call_lock(s, xid, ss->d, req->lock);
	if (!lk)
		return;
	if (ordo_ipc_session_uid(s) != 0) {
		ordo_ipc_reply_error(s, xid, -EPERM,
				     "lock %s: only root resets a coordinator",
				     lk->name);
		return;
	}
	if (!lk->nd) {
		ordo_ipc_reply_error(s, xid, -EAGAIN,
				     "lock %s: this node is joining", lk->name);
		return;
	}
	cand = mx_vote_voted_for(lk->nd, 0);
	err = mx_reset(lk->nd);
	if (err) {
		ordo_ipc_reply_error(s, xid, err,
				     "lock %s: %s has no coordinator resets",
				     lk->name, lk->def->name);
		return;
	}
	lk->resets++;
	if (cand)
		ordo_notice("lock %s: coordinator reset (injected): the vote for node %" PRIu32 " forgotten",
			    lk->name, node_id(ss->d, cand - 1));
	else
		ordo_notice("lock %s: coordinator reset (injected): no vote given", lk->name);
	r.lock = lk->name;
	r.resets = lk->resets;
	if (cand) {
		forgot = node_id(ss->d, cand - 1);
		r.forgot = &forgot;
		r.n_forgot = 1;
	}
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
	uint32_t *voters = NULL;
	size_t nvoters = 0;
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
	voters = calloc((size_t)d->nlocks * d->n + 1, sizeof(*voters));
	if (!ls || !lsp || !ps || !psp || !pc || !pcp || !tc || !tcp || !pids ||
	    !voters) {
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
		ps[np].down = !d->joining && d->peer[i].down;
		psp[np] = &ps[np];
		np++;
	}
	r.n_peers = np;
	r.peers = psp;
	npid = 0;
	for (i = 0; i < d->nlocks; i++) {
		static const struct mx_stats none;
		struct lk *lk = &d->locks[i];
		const struct mx_stats *st = lk->nd ? mx_stats(lk->nd) : &none;
		Ordo__Mutex__LockStatus *l = &ls[nl];

		if (one && one != lk)
			continue;
		ordo__mutex__lock_status__init(l);
		l->name = lk->name;
		l->algorithm = (char *)lk->def->name;
		l->proto = lk->def->proto;
		l->state = (char *)(lk->nd ? state_name(mx_lock_state(lk->nd, 0)) :
				    "joining");
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
		l->retransmitted = lk->retransmitted;
		l->duplicates = lk->duplicates;
		l->stale = lk->stale;
		l->resets = lk->resets;
		if (lk->nd) {
			uint64_t y = mx_vote_voters(lk->nd, 0);
			uint32_t c = mx_vote_voted_for(lk->nd, 0);

			l->voters = &voters[nvoters];
			for (; y; y &= y - 1)
				voters[nvoters + l->n_voters++] =
					node_id(d, (uint32_t)__builtin_ctzll(y));
			nvoters += l->n_voters;
			l->voted_for = c ? node_id(d, c - 1) : 0;
		}
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
	r.retransmitted = d->retransmitted;
	r.duplicates = d->duplicates;
	r.stale = d->stale;
	for (i = 0; i < d->n; i++)
		r.unacked += d->peer[i].queued;
	r.incarnation = ordo_rt_incarnation(d->rt);
	r.rejoins = d->rejoins;
	r.rejoined = d->rejoined;
	r.peer_restarts = d->peer_restarts;
	r.joining = d->joining;
	r.election = (char *)(d->el_group ? d->el_group : "");
	r.election_connected = d->el_c != NULL;
	r.election_leader = d->el_leader;
	r.elected = d->el_leader && d->el_leader == node_id(d, d->coord_idx);
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
	free(voters);
}

static const struct ordo_ipc_method methods[] = {
	{ "mutex.acquire", &ordo__mutex__acquire_request__descriptor, m_acquire },
	{ "mutex.hold", &ordo__mutex__hold_request__descriptor, m_hold },
	{ "mutex.release", &ordo__mutex__release_request__descriptor, m_release },
	{ "mutex.status", &ordo__mutex__status_request__descriptor, m_status },
	{ "mutex.reset", &ordo__mutex__reset_request__descriptor, m_reset },
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
	"socket", "port_offset", "retransmit_ms", "election", "election_socket",
	NULL,
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
		/* the others suspect the same node within suspect_ms */
		lk->cfg.probe_timeout_ms = 2 * d->conf->rt.suspect_ms +
					   d->conf->rt.heartbeat_ms;
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
	if (!err)
		err = ordo_conf_u32(c, m, "retransmit_ms", 1, 60000,
				    3 * c->rt.heartbeat_ms < 60000 ?
				    3 * c->rt.heartbeat_ms : 60000, &d->rto_ms);
	if (!err)
		err = ordo_conf_str(c, m, "election", NULL, &d->el_group);
	if (!err)
		err = ordo_conf_str(c, m, "election_socket", ELECT_SOCKET,
				    &d->el_sock);
	if (err)
		return err;
	if (d->el_group) {
		char name[128];

		snprintf(name, sizeof(name), "election %s", d->el_group);
		if (!*d->el_group || !ordo_conf_section(c, name))
			return ordo_conf_kv_error(c, m, ordo_conf_get(m, "election"),
						  "no [election %s] section: the group whose leader is the coordinator",
						  d->el_group);
	}
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
	for (i = 0; i < d->n && i < MX_MAX_NODES; i++)
		chan_reset_out(d, i);
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
	}
	ordo_timer_init(&d.retx_timer, d.loop, on_retx_timer, &d);
	ordo_timer_init(&d.join_timer, d.loop, on_join_timer, &d);
	ordo_timer_init(&d.el_timer, d.loop, on_el_timer, &d);
	if (d.el_group)
		ordo_timer_start(&d.el_timer, 0, 0);
	for (i = 0; i < N_ALGOS; i++)
		ordo_rt_handle(d.rt, algos[i].proto, on_msg, &d);
	ordo_rt_on_peer(d.rt, on_peer, &d);
	ordo_rt_on_restart(d.rt, on_restart, &d);
	ordo_rt_on_heartbeat(d.rt, hb_fill, hb_recv, &d);
	ordo_timer_start(&d.retx_timer, d.rto_ms / 2 ? d.rto_ms / 2 : 1,
			 d.rto_ms / 2 ? d.rto_ms / 2 : 1);
	/* the algorithms start once joined (join_check()) */
	join_start(&d, false);
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
	ordo_timer_stop(&d.retx_timer);
	ordo_timer_stop(&d.join_timer);
	ordo_timer_stop(&d.el_timer);
	if (d.el_c) {
		ordo_loop_del_fd(d.loop, ordo_ipc_client_fd(d.el_c));
		ordo_ipc_disconnect(d.el_c);
	}
	ordo_rt_close(d.rt);
	locks_free(&d);
out_loop:
	ordo_loop_free(d.loop);
out_conf:
	locks_free(&d);
	ordo_conf_free(d.conf);
	return ret;
}
