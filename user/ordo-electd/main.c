// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-electd: leader election daemon. The glue between the runtime
 * (user/lib/ordo_rt.h) and the algorithms' state machines
 * (electd_algo.h): one struct el_node per [election NAME] section, driven
 * by the node's stamped UDP socket, its heartbeat failure detector and
 * the local API. Documentation/ordo-electd.rst describes the daemon,
 * Documentation/election-algorithms.rst the algorithms.
 *
 * Members are the configured nodes in id order (member k is the k-th
 * lowest id). Election messages are one-way datagrams (no
 * retransmission: the algorithms' timeouts repair losses), so that the
 * wire carries exactly the algorithms' messages. Heartbeats carry every
 * group's view (term, leader): a (re)starting daemon joins first — it
 * waits until it has heard every peer or join_ms passed — and starts the
 * state machines with the newest view its peers reported; later views
 * let a leader notice a higher leader after a partition heals.
 *
 * Local applications learn of leader changes through the daemon's Unix
 * socket: "elect.watch" is a subscription (one Response per change, same
 * xid, until the session closes), "elect.wait" answers once a leader is
 * known. See ordo-electd.rst for why this and not netlink multicast.
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
#include "election.pb-c.h"
#include "electd_algo.h"

#define NAME		"electd"
#define GROUP_PREFIX	"election "
#define GROUPS_MAX	64

struct electd;
struct grp;

/* A local call waiting on a group: elect.wait or elect.watch. */
struct sub {
	struct sub *next;
	struct grp *g;
	struct ordo_ipc_session *s;
	uint32_t xid;
	bool watch;
	struct ordo_timer timeout;	/* wait */
};

struct algo_def {
	const char *name;
	uint8_t proto;
};

static const struct algo_def algos[] = {
	{ "bully", ORDO_APP_PROTO_ELECT_BULLY },
	{ "ring", ORDO_APP_PROTO_ELECT_RING },
};
#define N_ALGOS	(sizeof(algos) / sizeof(algos[0]))

struct grp {
	struct electd *d;
	char *name;
	uint32_t index;
	const struct algo_def *def;
	const struct el_algo *algo;
	struct el_cfg cfg;
	struct el_node *nd;
	struct ordo_timer timer;	/* the algorithm's */
	struct ordo_timer notify;	/* deferred subscriber work, 0 ms */
	uint64_t recv[EL_TYPE_MAX];	/* delivered to the algorithm */
	uint64_t done_recv;
	uint64_t since_real_ms, since_mono_ms;
	struct sub *subs;
};

/* A peer's view of a group, from its heartbeats (used when joining). */
struct view {
	bool seen, started, has_leader;
	uint64_t term;
	uint32_t leader;	/* member index */
};

struct electd {
	struct ordo_conf *conf;
	struct ordo_loop *loop;
	struct ordo_rt *rt;
	struct ordo_ipc_server *ipc;
	uint32_t self, self_idx, n;
	struct grp *grps;
	uint32_t ngrps;
	struct view *views;	/* [peer * ngrps + group] */
	bool *beat;		/* [peer]: a Beat heard while joining */
	/* [peer]: the detector saw it come back (suspect -> alive) and no
	 * heartbeat came since: a new incarnation in that heartbeat is the
	 * restart already reported as down and up */
	bool *back;
	bool joining;
	/* the join ended at join_ms (not early): a peer never heard is down */
	bool join_expired;
	uint32_t join_ms;
	struct ordo_timer join_timer;
	uint64_t bad_body;
	uint64_t forged;	/* elect.forge messages sent */
};

/* ------------------------------------------------------------ ids */

static uint32_t node_id(const struct electd *d, uint32_t idx)
{
	return d->conf->nodes[idx].id;
}

static int node_idx(const struct electd *d, uint32_t id, uint32_t *idx)
{
	uint32_t i;

	for (i = 0; i < d->n; i++)
		if (d->conf->nodes[i].id == id) {
			*idx = i;
			return 0;
		}
	return -ENOENT;
}

static struct grp *grp_find(struct electd *d, const char *name)
{
	uint32_t i;

	for (i = 0; i < d->ngrps; i++)
		if (d->grps[i].name && !strcmp(d->grps[i].name, name))
			return &d->grps[i];
	return NULL;
}

static uint64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ algorithm callbacks */

static void op_send(void *ctx, uint32_t to, const struct el_msg *m)
{
	struct grp *g = ctx;
	struct electd *d = g->d;
	Ordo__Election__Msg b = ORDO__ELECTION__MSG__INIT;
	uint32_t list[EL_MAX_NODES], i;
	int err;

	b.group = g->index;
	b.term = m->term;
	b.top = m->top;
	if (m->type == EL_COORDINATOR)
		b.leader = node_id(d, m->leader);
	if (m->type == EL_ELECTION && g->def->proto == ORDO_APP_PROTO_ELECT_BULLY &&
	    m->leader != EL_NONE) {
		b.has_leader = true;
		b.leader = node_id(d, m->leader);
	}
	if (g->def->proto == ORDO_APP_PROTO_ELECT_RING) {
		b.initiator = node_id(d, m->initiator);
		for (i = 0; i < m->n_list; i++)
			list[i] = node_id(d, m->list[i]);
		b.n_list = m->n_list;
		b.list = list;
	}
	err = ordo_rt_send_pb(d->rt, node_id(d, to), g->def->proto, (uint8_t)m->type,
			      (m->flags & EL_F_DONE) ? ORDO_APP_F_OPDONE : 0, &b.base);
	if (err)
		ordo_debug("election %s: %s to node %" PRIu32 ": %s", g->name,
			   el_type_name(m->type), node_id(d, to), strerror(-err));
}

static void op_leader(void *ctx, uint32_t leader, uint64_t term)
{
	struct grp *g = ctx;

	g->since_real_ms = real_ms();
	g->since_mono_ms = ordo_now_ms();
	if (leader == EL_NONE)
		ordo_info("election %s: no leader (term %" PRIu64 " lost it)",
			  g->name, term);
	else
		ordo_notice("election %s: leader node %" PRIu32 ", term %" PRIu64 "%s",
			    g->name, node_id(g->d, leader), term,
			    leader == g->d->self_idx ? " (this node)" : "");
	/* subscribers are told from the loop, once the state is settled */
	ordo_timer_start(&g->notify, 0, 0);
}

static uint64_t op_now_ms(void *ctx)
{
	(void)ctx;
	return ordo_now_ms();
}

static void op_set_timer(void *ctx, uint64_t delay_ms)
{
	struct grp *g = ctx;

	if (delay_ms == EL_NO_TIMER)
		ordo_timer_stop(&g->timer);
	else
		ordo_timer_start(&g->timer, delay_ms, 0);
}

static const struct el_ops ops = {
	.send = op_send,
	.leader = op_leader,
	.now_ms = op_now_ms,
	.set_timer = op_set_timer,
};

static void on_el_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct grp *g = arg;

	(void)l;
	(void)t;
	if (g->nd)
		el_timer(g->nd);
}

/* ------------------------------------------------------------ status */

struct gs_buf {
	Ordo__Election__Member *mem;
	Ordo__Election__Member **memp;
	Ordo__Election__TypeCount tc[EL_TYPE_MAX];
	Ordo__Election__TypeCount *tcp[EL_TYPE_MAX];
};

static const char *member_state(const struct electd *d, uint32_t i)
{
	if (i == d->self_idx)
		return "self";
	return ordo_peer_state_name(ordo_rt_peer_state(d->rt, node_id(d, i)));
}

/* Fill @gs for @g; free @b with gs_free(). */
static int group_status(struct grp *g, Ordo__Election__GroupStatus *gs,
			struct gs_buf *b)
{
	struct electd *d = g->d;
	const struct el_stats *st = g->nd ? el_stats(g->nd) : NULL;
	uint32_t i, t;

	ordo__election__group_status__init(gs);
	b->mem = calloc(d->n, sizeof(*b->mem));
	b->memp = calloc(d->n, sizeof(*b->memp));
	if (!b->mem || !b->memp) {
		free(b->mem);
		free(b->memp);
		return -ENOMEM;
	}
	gs->name = g->name;
	gs->algorithm = (char *)g->def->name;
	gs->proto = g->def->proto;
	gs->started = g->nd && el_started(g->nd);
	gs->answer_ms = g->cfg.answer_ms;
	gs->coord_ms = g->cfg.coord_ms;
	gs->stagger_ms = g->cfg.stagger_ms;
	gs->phase = (char *)(g->nd ? el_phase_name(el_phase(g->nd)) : "joining");
	if (g->nd && el_leader(g->nd) != EL_NONE && el_started(g->nd)) {
		gs->has_leader = true;
		gs->leader = node_id(d, el_leader(g->nd));
		gs->is_leader = el_leader(g->nd) == d->self_idx;
	}
	if (g->nd) {
		gs->term = el_leader_term(g->nd);
		gs->max_term = el_term(g->nd);
	}
	gs->since_ms = g->since_real_ms;
	gs->age_ms = g->since_mono_ms ? ordo_now_ms() - g->since_mono_ms : 0;
	for (i = 0; i < d->n; i++) {
		Ordo__Election__Member *m = &b->mem[i];

		ordo__election__member__init(m);
		m->node = node_id(d, i);
		m->state = (char *)member_state(d, i);
		m->live = g->nd ? !!(el_live(g->nd) & (1ULL << i)) :
			  ordo_rt_peer_alive(d->rt, m->node);
		m->in_ring = g->nd && (el_members(g->nd) & (1ULL << i));
		b->memp[i] = m;
	}
	gs->members = b->memp;
	gs->n_members = d->n;
	for (t = 1; t < EL_TYPE_MAX; t++) {
		Ordo__Election__TypeCount *c = &b->tc[t - 1];

		ordo__election__type_count__init(c);
		c->name = (char *)el_type_name(t);
		c->id = t;
		c->sent = st ? st->sent[t] : 0;
		c->received = g->recv[t];
		b->tcp[t - 1] = c;
		gs->received += g->recv[t];
	}
	gs->messages = b->tcp;
	gs->n_messages = g->def->proto == ORDO_APP_PROTO_ELECT_RING ? 0 : EL_TYPE_MAX - 1;
	if (g->def->proto == ORDO_APP_PROTO_ELECT_RING) {
		/* ELECTION and COORDINATOR only */
		b->tcp[1] = b->tcp[2];
		gs->n_messages = 2;
	}
	gs->opdone_received = g->done_recv;
	if (st) {
		gs->sent = st->sent_total;
		gs->opdone_sent = st->done_sent;
		gs->elections = st->elections;
		gs->wins = st->wins;
		gs->leader_changes = st->leader_changes;
		gs->stale = st->stale;
		gs->ignored = st->ignored;
		gs->invalid = st->invalid;
		gs->timeouts = st->timeouts;
		gs->takeovers = st->takeovers;
		gs->skips = st->skips;
	}
	return 0;
}

static void gs_free(struct gs_buf *b)
{
	free(b->mem);
	free(b->memp);
}

static int reply_group(struct ordo_ipc_session *s, uint32_t xid, struct grp *g)
{
	Ordo__Election__GroupStatus gs;
	struct gs_buf b;
	int err;

	err = group_status(g, &gs, &b);
	if (err)
		return ordo_ipc_reply_error(s, xid, err, "out of memory");
	err = ordo_ipc_reply(s, xid, &gs.base);
	gs_free(&b);
	return err;
}

/* ------------------------------------------------------------ subscribers */

static void sub_free(struct sub *w)
{
	ordo_timer_stop(&w->timeout);
	free(w);
}

static void sub_remove(struct grp *g, struct sub *w)
{
	struct sub **pp;

	for (pp = &g->subs; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

static bool has_leader(const struct grp *g)
{
	return g->nd && el_started(g->nd) && el_leader(g->nd) != EL_NONE;
}

/* The leader changed: every watcher gets the new status, waiters that
 * can be answered are. */
static void on_notify(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct grp *g = arg;
	struct sub *w, *next;

	(void)l;
	(void)t;
	for (w = g->subs; w; w = next) {
		next = w->next;
		if (w->watch) {
			reply_group(w->s, w->xid, g);
		} else if (has_leader(g)) {
			reply_group(w->s, w->xid, g);
			sub_remove(g, w);
			sub_free(w);
		}
	}
}

static void on_wait_timeout(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct sub *w = arg;
	struct grp *g = w->g;

	(void)l;
	(void)t;
	ordo_ipc_reply_error(w->s, w->xid, -ETIMEDOUT,
			     "election %s: no leader within the timeout", g->name);
	sub_remove(g, w);
	sub_free(w);
}

/* ------------------------------------------------------------ groups */

static void group_start(struct electd *d, struct grp *g)
{
	struct el_cfg c = g->cfg;
	uint64_t best_term = 0, term = 0;
	uint32_t best = EL_NONE, p;

	/* the newest view the live peers reported */
	for (p = 0; p < d->n; p++) {
		const struct view *v = &d->views[p * d->ngrps + g->index];

		if (p == d->self_idx || !v->seen ||
		    !ordo_rt_peer_alive(d->rt, node_id(d, p)))
			continue;
		if (v->term > term)
			term = v->term;
		if (v->started && v->has_leader &&
		    (best == EL_NONE || v->term > best_term ||
		     (v->term == best_term && v->leader > best))) {
			best = v->leader;
			best_term = v->term;
		}
	}
	c.term = term;
	c.leader = best;
	if (best != EL_NONE)
		c.term = best_term > term ? best_term : term;
	g->nd = el_new(g->algo, &c, &ops, g);
	if (!g->nd) {
		ordo_err("election %s: cannot create the state machine: %s", g->name,
			 strerror(errno));
		ordo_loop_stop(d->loop, 1);
		return;
	}
	/*
	 * A suspected peer is down. One never heard counts as up until
	 * join_ms has passed since this daemon started (it may be starting
	 * too: its first heartbeat may be on its way while an election
	 * message of a peer that heard it ended our join); join_unheard()
	 * reports it down then if it is still silent.
	 */
	for (p = 0; p < d->n; p++)
		if (p != d->self_idx &&
		    ordo_rt_peer_state(d->rt, node_id(d, p)) == ORDO_PEER_SUSPECT &&
		    (d->beat[p] || d->join_expired))
			el_peer_down(g->nd, p);
	if (best != EL_NONE)
		ordo_info("election %s: joined, the peers report leader node %" PRIu32 ", term %" PRIu64,
			  g->name, node_id(d, best), best_term);
	else
		ordo_info("election %s: joined, no leader reported", g->name);
	el_start(g->nd);
}

static void join_finish(struct electd *d, const char *why)
{
	uint32_t i;

	if (!d->joining)
		return;
	d->joining = false;
	if (d->join_expired)
		ordo_timer_stop(&d->join_timer);
	/* else it stays armed: join_unheard() at join_ms */
	ordo_info("joined (%s)", why);
	for (i = 0; i < d->ngrps; i++)
		group_start(d, &d->grps[i]);
	ordo_svc_status("node %" PRIu32 ", %" PRIu32 " election groups", d->self, d->ngrps);
}

static void join_check(struct electd *d)
{
	uint32_t p;

	if (!d->joining)
		return;
	for (p = 0; p < d->n; p++)
		if (p != d->self_idx && !d->beat[p])
			return;
	join_finish(d, "heard every peer");
}

/* join_ms passed after an early join: the peers never heard are down */
static void join_unheard(struct electd *d)
{
	uint32_t p, i;

	d->join_expired = true;
	for (p = 0; p < d->n; p++) {
		if (p == d->self_idx || d->beat[p] ||
		    ordo_rt_peer_state(d->rt, node_id(d, p)) != ORDO_PEER_SUSPECT)
			continue;
		ordo_info("node %" PRIu32 " not heard within join_ms: down",
			  node_id(d, p));
		for (i = 0; i < d->ngrps; i++)
			if (d->grps[i].nd)
				el_peer_down(d->grps[i].nd, p);
	}
}

static void on_join_timer(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct electd *d = arg;

	(void)l;
	(void)t;
	if (!d->joining) {
		join_unheard(d);
		return;
	}
	d->join_expired = true;
	join_finish(d, "join_ms passed");
}

/* ------------------------------------------------------------ failure detector */

static void on_peer(struct ordo_rt *rt, uint32_t node, enum ordo_peer_state old,
		    enum ordo_peer_state state, void *arg)
{
	struct electd *d = arg;
	uint32_t idx, i;

	(void)rt;
	if (node_idx(d, node, &idx))
		return;
	d->back[idx] = state == ORDO_PEER_ALIVE && old == ORDO_PEER_SUSPECT;
	if (d->joining)
		return;
	for (i = 0; i < d->ngrps; i++) {
		struct grp *g = &d->grps[i];

		if (!g->nd)
			continue;
		if (state == ORDO_PEER_SUSPECT)
			el_peer_down(g->nd, idx);
		else if (state == ORDO_PEER_ALIVE)
			el_peer_up(g->nd, idx);
	}
}

/* A peer restarted before it was suspected: it lost its state. */
static void on_restart(struct ordo_rt *rt, uint32_t node, uint64_t old,
		       uint64_t inc, void *arg)
{
	struct electd *d = arg;
	uint32_t idx, i;

	(void)rt;
	ordo_info("node %" PRIu32 " restarted (incarnation %" PRIx64 " -> %" PRIx64 ")",
		  node, old, inc);
	if (node_idx(d, node, &idx) || d->joining)
		return;
	if (d->back[idx]) {
		/*
		 * It was suspected and its first datagram since (e.g. the
		 * COORDINATOR of a restarted highest id, sent before its
		 * first heartbeat) made it alive again: the algorithms saw
		 * it go down and come back. Down and up again now would
		 * drop a leader just accepted and hold a needless election.
		 */
		d->back[idx] = false;
		return;
	}
	for (i = 0; i < d->ngrps; i++) {
		if (!d->grps[i].nd)
			continue;
		el_peer_down(d->grps[i].nd, idx);
		el_peer_up(d->grps[i].nd, idx);
	}
}

static size_t hb_fill(struct ordo_rt *rt, uint32_t to, uint8_t *buf,
		      size_t max, void *arg)
{
	struct electd *d = arg;
	Ordo__Election__Beat b = ORDO__ELECTION__BEAT__INIT;
	Ordo__Election__View v[GROUPS_MAX], *vp[GROUPS_MAX];
	uint32_t i;

	(void)rt;
	(void)to;
	for (i = 0; i < d->ngrps; i++) {
		struct grp *g = &d->grps[i];

		ordo__election__view__init(&v[i]);
		v[i].group = i;
		v[i].started = g->nd && el_started(g->nd);
		if (g->nd) {
			v[i].term = el_leader_term(g->nd);
			if (el_leader(g->nd) != EL_NONE) {
				v[i].has_leader = true;
				v[i].leader = node_id(d, el_leader(g->nd));
			}
		}
		vp[i] = &v[i];
	}
	b.views = vp;
	b.n_views = d->ngrps;
	if (ordo__election__beat__get_packed_size(&b) > max)
		return 0;
	return ordo__election__beat__pack(&b, buf);
}

static void hb_recv(struct ordo_rt *rt, uint32_t from, const uint8_t *data,
		    size_t len, void *arg)
{
	struct electd *d = arg;
	Ordo__Election__Beat *b;
	uint32_t idx, i, l = EL_NONE;

	(void)rt;
	if (node_idx(d, from, &idx))
		return;
	d->back[idx] = false;	/* a heartbeat came: on_restart() is past */
	b = ordo__election__beat__unpack(NULL, len, data);
	if (!b) {
		d->bad_body++;
		return;
	}
	for (i = 0; i < b->n_views; i++) {
		const Ordo__Election__View *v = b->views[i];
		struct view *x;

		if (v->group >= d->ngrps || (v->has_leader && node_idx(d, v->leader, &l)))
			continue;
		x = &d->views[idx * d->ngrps + v->group];
		x->seen = true;
		x->started = v->started;
		x->has_leader = v->has_leader;
		x->term = v->term;
		x->leader = v->has_leader ? l : EL_NONE;
		if (!d->joining && d->grps[v->group].nd && v->started)
			el_peer_view(d->grps[v->group].nd, idx, v->term,
				     v->has_leader ? l : EL_NONE);
	}
	ordo__election__beat__free_unpacked(b, NULL);
	d->beat[idx] = true;
	join_check(d);
}

/* ------------------------------------------------------------ peer messages */

static void on_msg(struct ordo_rt *rt, const struct ordo_rt_msg *m, void *arg)
{
	struct electd *d = arg;
	Ordo__Election__Msg *b;
	struct el_msg x;
	struct grp *g;
	uint32_t idx, i;
	bool bad = false;

	b = (Ordo__Election__Msg *)ordo_rt_unpack(rt, &ordo__election__msg__descriptor, m);
	if (!b) {
		d->bad_body++;
		return;
	}
	memset(&x, 0, sizeof(x));
	if (b->group >= d->ngrps || d->grps[b->group].def->proto != m->proto ||
	    m->type == 0 || m->type >= EL_TYPE_MAX || node_idx(d, m->from, &idx) ||
	    b->n_list > EL_MAX_NODES || b->n_list > d->n) {
		bad = true;
	} else {
		x.type = m->type;
		x.flags = (m->flags & ORDO_APP_F_OPDONE) ? EL_F_DONE : 0;
		x.from = idx;
		x.term = b->term;
		x.top = b->top;
		x.leader = EL_NONE;
		x.initiator = EL_NONE;
		if (m->type == EL_COORDINATOR && node_idx(d, b->leader, &x.leader))
			bad = true;
		if (m->type == EL_ELECTION && m->proto == ORDO_APP_PROTO_ELECT_BULLY &&
		    b->has_leader && node_idx(d, b->leader, &x.leader))
			bad = true;
		if (m->proto == ORDO_APP_PROTO_ELECT_RING &&
		    node_idx(d, b->initiator, &x.initiator))
			bad = true;
		for (i = 0; i < b->n_list && !bad; i++)
			if (node_idx(d, b->list[i], &x.list[i]))
				bad = true;
		x.n_list = (uint32_t)b->n_list;
	}
	if (bad) {
		ordo_debug("node %" PRIu32 ": election message of proto %u type %u, group %" PRIu32 " does not fit the configuration",
			   m->from, m->proto, m->type, b->group);
		ordo_rt_bad_body(rt, m);
		d->bad_body++;
		protobuf_c_message_free_unpacked(&b->base, NULL);
		return;
	}
	g = &d->grps[b->group];
	protobuf_c_message_free_unpacked(&b->base, NULL);
	if (d->joining)
		join_finish(d, "an election message arrived");
	if (!g->nd)
		return;
	g->recv[x.type]++;
	if (x.flags & EL_F_DONE)
		g->done_recv++;
	if (el_input(g->nd, &x) < 0)
		ordo_debug("election %s: %s from node %" PRIu32 " rejected", g->name,
			   el_type_name(x.type), m->from);
}

/* ------------------------------------------------------------ local API */

static struct grp *call_group(struct ordo_ipc_session *s, uint32_t xid,
			      struct electd *d, const char *name)
{
	struct grp *g;

	if (!name || !*name) {
		if (d->ngrps == 1)
			return &d->grps[0];
		ordo_ipc_reply_error(s, xid, -EINVAL,
				     "%" PRIu32 " election groups: name one", d->ngrps);
		return NULL;
	}
	g = grp_find(d, name);
	if (!g)
		ordo_ipc_reply_error(s, xid, -ENOENT, "no election group '%.64s'", name);
	return g;
}

static void m_wait(struct ordo_ipc_session *s, uint32_t xid,
		   const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Election__WaitRequest *req = (const void *)msg;
	struct electd *d = arg;
	struct grp *g = call_group(s, xid, d, req->group);
	struct sub *w;

	if (!g)
		return;
	if (has_leader(g)) {
		reply_group(s, xid, g);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		ordo_ipc_reply_error(s, xid, -ENOMEM, "out of memory");
		return;
	}
	w->g = g;
	w->s = s;
	w->xid = xid;
	ordo_timer_init(&w->timeout, d->loop, on_wait_timeout, w);
	if (req->timeout_ms)
		ordo_timer_start(&w->timeout, req->timeout_ms, 0);
	w->next = g->subs;
	g->subs = w;
}

static void m_watch(struct ordo_ipc_session *s, uint32_t xid,
		    const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Election__WatchRequest *req = (const void *)msg;
	struct electd *d = arg;
	struct grp *g = call_group(s, xid, d, req->group);
	struct sub *w;

	if (!g)
		return;
	w = calloc(1, sizeof(*w));
	if (!w) {
		ordo_ipc_reply_error(s, xid, -ENOMEM, "out of memory");
		return;
	}
	w->g = g;
	w->s = s;
	w->xid = xid;
	w->watch = true;
	ordo_timer_init(&w->timeout, d->loop, on_wait_timeout, w);
	w->next = g->subs;
	g->subs = w;
	reply_group(s, xid, g);
}

static void m_elect(struct ordo_ipc_session *s, uint32_t xid,
		    const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Election__ElectRequest *req = (const void *)msg;
	struct electd *d = arg;
	struct grp *g;
	int err;

	if (ordo_ipc_session_uid(s) != 0) {
		ordo_ipc_reply_error(s, xid, -EPERM, "elect.elect is for root");
		return;
	}
	g = call_group(s, xid, d, req->group);
	if (!g)
		return;
	if (!g->nd || !el_started(g->nd)) {
		ordo_ipc_reply_error(s, xid, -EAGAIN, "election %s: still joining", g->name);
		return;
	}
	err = el_elect(g->nd);
	if (err) {
		ordo_ipc_reply_error(s, xid, err, "election %s: an election is running",
				     g->name);
		return;
	}
	reply_group(s, xid, g);
}

/*
 * "elect.forge" (root, tests): send one election message that the state
 * machine did not make, e.g. a COORDINATOR of an older term, to check
 * that peers reject it.
 */
static void m_forge(struct ordo_ipc_session *s, uint32_t xid,
		    const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Election__ForgeRequest *req = (const void *)msg;
	struct electd *d = arg;
	Ordo__Election__Msg b = ORDO__ELECTION__MSG__INIT;
	struct grp *g;
	uint32_t idx;
	int err;

	if (ordo_ipc_session_uid(s) != 0) {
		ordo_ipc_reply_error(s, xid, -EPERM, "elect.forge is for root");
		return;
	}
	g = call_group(s, xid, d, req->group);
	if (!g)
		return;
	if (node_idx(d, req->to, &idx) || idx == d->self_idx || req->type == 0 ||
	    req->type > 255) {
		ordo_ipc_reply_error(s, xid, -EINVAL, "forge: bad node or type");
		return;
	}
	b.group = g->index;
	b.term = req->term;
	b.leader = req->leader;
	b.initiator = req->initiator;
	b.n_list = req->n_list;
	b.list = req->list;
	err = ordo_rt_send_pb(d->rt, req->to, g->def->proto, (uint8_t)req->type, 0,
			      &b.base);
	if (err) {
		ordo_ipc_reply_error(s, xid, err, "forge: %s", strerror(-err));
		return;
	}
	d->forged++;
	ordo_notice("election %s: forged %s (term %" PRIu64 ") sent to node %" PRIu32,
		    g->name, el_type_name(req->type), req->term, req->to);
	reply_group(s, xid, g);
}

static void m_status(struct ordo_ipc_session *s, uint32_t xid,
		     const ProtobufCMessage *msg, void *arg)
{
	const Ordo__Election__StatusRequest *req = (const void *)msg;
	struct electd *d = arg;
	Ordo__Election__StatusReply r = ORDO__ELECTION__STATUS_REPLY__INIT;
	Ordo__Election__GroupStatus *gs = NULL, **gsp = NULL;
	struct gs_buf *bufs = NULL;
	Ordo__Election__ProtoCount pc[N_ALGOS], *pcp[N_ALGOS];
	Ordo__Election__TypeCount tc[N_ALGOS][EL_TYPE_MAX], *tcp[N_ALGOS][EL_TYPE_MAX];
	const struct ordo_rt_stats *rs = ordo_rt_stats(d->rt);
	const struct ordo_ipc_stats *is = ordo_ipc_stats(d->ipc);
	struct grp *one = NULL;
	uint32_t i, ng = 0, t, k;
	uint64_t subs = 0;
	struct sub *w;

	if (req->group && *req->group) {
		one = call_group(s, xid, d, req->group);
		if (!one)
			return;
	}
	gs = calloc(d->ngrps, sizeof(*gs));
	gsp = calloc(d->ngrps, sizeof(*gsp));
	bufs = calloc(d->ngrps, sizeof(*bufs));
	if (!gs || !gsp || !bufs)
		goto nomem;
	for (i = 0; i < d->ngrps; i++) {
		for (w = d->grps[i].subs; w; w = w->next)
			subs += w->watch;
		if (one && one != &d->grps[i])
			continue;
		if (group_status(&d->grps[i], &gs[ng], &bufs[ng]))
			goto nomem;
		gsp[ng] = &gs[ng];
		ng++;
	}
	for (k = 0; k < N_ALGOS; k++) {
		ordo__election__proto_count__init(&pc[k]);
		pc[k].algorithm = (char *)algos[k].name;
		pc[k].proto = algos[k].proto;
		for (t = 1; t < EL_TYPE_MAX; t++) {
			Ordo__Election__TypeCount *c = &tc[k][t - 1];

			ordo__election__type_count__init(c);
			c->name = (char *)el_type_name(t);
			c->id = t;
			c->sent = ordo_rt_count(d->rt, algos[k].proto, (uint8_t)t, ORDO_RT_TX);
			c->received = ordo_rt_count(d->rt, algos[k].proto, (uint8_t)t, ORDO_RT_RX);
			tcp[k][t - 1] = c;
		}
		pc[k].messages = tcp[k];
		pc[k].n_messages = EL_TYPE_MAX - 1;
		pc[k].opdone_sent = ordo_rt_opdone(d->rt, algos[k].proto, ORDO_RT_TX);
		pc[k].opdone_received = ordo_rt_opdone(d->rt, algos[k].proto, ORDO_RT_RX);
		pcp[k] = &pc[k];
	}
	r.node = d->self;
	r.groups = gsp;
	r.n_groups = ng;
	r.wire = pcp;
	r.n_wire = N_ALGOS;
	r.malformed = rs->malformed;
	r.bad_body = d->bad_body;
	r.ipc_sessions = is->sessions;
	r.ipc_bad_requests = is->bad_requests;
	r.stamping = (char *)ordo_rt_stamping(d->rt);
	r.incarnation = ordo_rt_incarnation(d->rt);
	r.subscribers = subs;
	r.joining = d->joining;
	r.forged = d->forged;
	ordo_ipc_reply(s, xid, &r.base);
	for (i = 0; i < ng; i++)
		gs_free(&bufs[i]);
	free(gs);
	free(gsp);
	free(bufs);
	return;
nomem:
	for (i = 0; i < ng; i++)
		gs_free(&bufs[i]);
	free(gs);
	free(gsp);
	free(bufs);
	ordo_ipc_reply_error(s, xid, -ENOMEM, "out of memory");
}

static const struct ordo_ipc_method methods[] = {
	{ "elect.status", &ordo__election__status_request__descriptor, m_status },
	{ "elect.wait", &ordo__election__wait_request__descriptor, m_wait },
	{ "elect.watch", &ordo__election__watch_request__descriptor, m_watch },
	{ "elect.elect", &ordo__election__elect_request__descriptor, m_elect },
	{ "elect.forge", &ordo__election__forge_request__descriptor, m_forge },
	{ NULL, NULL, NULL },
};

/* A client went away: its waits and subscriptions end. */
static void on_close(struct ordo_ipc_session *s, void *arg)
{
	struct electd *d = arg;
	struct sub *w, *next;
	uint32_t i;

	for (i = 0; i < d->ngrps; i++)
		for (w = d->grps[i].subs; w; w = next) {
			next = w->next;
			if (w->s == s) {
				sub_remove(&d->grps[i], w);
				sub_free(w);
			}
		}
}

/* ------------------------------------------------------------ configuration */

static const char *const electd_keys[] = {
	"socket", "port_offset", "join_ms", NULL,
};

static int group_conf(struct electd *d, struct ordo_conf_section *sec, struct grp *g)
{
	static const char *const keys[] = {
		"algorithm", "answer_ms", "coord_ms", "stagger_ms", NULL,
	};
	static const char *const names[] = { "bully", "ring", NULL };
	struct ordo_conf *c = d->conf;
	uint32_t hb = c->rt.heartbeat_ms;
	int a, err;

	g->name = strdup(sec->name + strlen(GROUP_PREFIX));
	if (!g->name)
		return -ENOMEM;
	if (!*g->name || strchr(g->name, ' '))
		return ordo_conf_error(c, sec->line,
				       "[%s]: a group name is one word", sec->name);
	if (!ordo_conf_get(sec, "algorithm"))
		return ordo_conf_error(c, sec->line, "[%s]: no algorithm (bully or ring)",
				       sec->name);
	err = ordo_conf_enum(c, sec, "algorithm", names, 0, &a);
	if (err)
		return err;
	g->def = &algos[a];
	g->algo = el_algo_find(g->def->name);
	g->cfg.n = d->n;
	g->cfg.self = d->self_idx;
	g->cfg.leader = EL_NONE;
	err = ordo_conf_u32(c, sec, "answer_ms", 1, 600000,
			    2 * hb < 100 ? 100 : 2 * hb, &g->cfg.answer_ms);
	if (!err)
		err = ordo_conf_u32(c, sec, "coord_ms", 1, 3600000,
				    4 * g->cfg.answer_ms + 1000, &g->cfg.coord_ms);
	if (!err)
		err = ordo_conf_u32(c, sec, "stagger_ms", 0, 600000, 2 * hb, &g->cfg.stagger_ms);
	if (!err)
		err = ordo_conf_check_keys(c, sec, keys);
	return err;
}

static int conf_read(struct electd *d, const char **sock, uint32_t *port_offset)
{
	struct ordo_conf *c = d->conf;
	struct ordo_conf_section *sec, *m = ordo_conf_section(c, NAME);
	uint32_t i, n = 0;
	int err;

	err = ordo_conf_check_keys(c, m, electd_keys);
	if (!err)
		err = ordo_conf_str(c, m, "socket", *sock, sock);
	if (!err)
		err = ordo_conf_u32(c, m, "port_offset", 0, 1000, 1, port_offset);
	if (!err)
		err = ordo_conf_u32(c, m, "join_ms", 0, 600000,
				    c->rt.suspect_ms + 2 * c->rt.heartbeat_ms, &d->join_ms);
	if (err)
		return err;
	for (sec = NULL; (sec = ordo_conf_next(c, sec, GROUP_PREFIX)); )
		n++;
	if (!n)
		return ordo_conf_error(c, 0, "no [election NAME] section");
	if (n > GROUPS_MAX)
		return ordo_conf_error(c, 0, "more than %d [election NAME] sections",
				       GROUPS_MAX);
	d->grps = calloc(n, sizeof(*d->grps));
	if (!d->grps)
		return -ENOMEM;
	d->ngrps = n;
	i = 0;
	for (sec = NULL; (sec = ordo_conf_next(c, sec, GROUP_PREFIX)); i++) {
		d->grps[i].d = d;
		d->grps[i].index = i;
		err = group_conf(d, sec, &d->grps[i]);
		if (err)
			return err;
		if (grp_find(d, d->grps[i].name) != &d->grps[i])
			return ordo_conf_error(c, sec->line,
					       "[%s]: a second group of that name", sec->name);
	}
	return 0;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ordo-electd [OPTIONS]\n"
		"Leader election: one group per [election NAME] section of the cluster\n"
		"configuration, each with its algorithm (bully or ring); ordoctl leader\n"
		"talks to it.\n"
		"\n"
		"%s"
		"  -h, --help            this help\n"
		"\n"
		"See Documentation/ordo-electd.rst.\n", ordo_svc_usage);
}

static void groups_free(struct electd *d)
{
	struct sub *w, *next;
	uint32_t i;

	for (i = 0; i < d->ngrps; i++) {
		struct grp *g = &d->grps[i];

		for (w = g->subs; w; w = next) {
			next = w->next;
			sub_free(w);
		}
		if (g->nd) {
			ordo_timer_stop(&g->timer);
			ordo_timer_stop(&g->notify);
			el_free(g->nd);
		}
		free(g->name);
	}
	free(d->grps);
	d->grps = NULL;
	d->ngrps = 0;
	free(d->views);
	d->views = NULL;
	free(d->beat);
	d->beat = NULL;
	free(d->back);
	d->back = NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		ORDO_SVC_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ordo_svc_opts o = { 0 };
	struct electd d = { 0 };
	struct ordo_rt_config rc = { 0 };
	struct ordo_ipc_config ic = { 0 };
	const char *sock;
	bool sock_given;
	uint32_t port_offset = 1, i;
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
			fprintf(stderr, "ordo-electd: unknown option or missing argument: '%s' (try --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ordo-electd: unexpected argument '%s' (try --help)\n",
			argv[optind]);
		return 2;
	}
	sock_given = o.socket != NULL;
	if (ordo_svc_setup(&o, NAME, &d.conf, &d.self))
		return 1;
	sock = o.socket;
	d.n = (uint32_t)d.conf->n_nodes;
	if (d.n > EL_MAX_NODES) {
		fprintf(stderr, "ordo-electd: %s: %u nodes, at most %d\n",
			d.conf->path, d.n, EL_MAX_NODES);
		ordo_conf_free(d.conf);
		return 1;
	}
	node_idx(&d, d.self, &d.self_idx);
	if (conf_read(&d, &sock, &port_offset)) {
		ordo_err("%s", d.conf->err);
		ret = 1;
		goto out_conf;
	}
	if (sock_given)
		sock = o.socket;
	ret = 1;
	d.views = calloc((size_t)d.n * d.ngrps, sizeof(*d.views));
	d.beat = calloc(d.n, sizeof(*d.beat));
	d.back = calloc(d.n, sizeof(*d.back));
	if (!d.views || !d.beat || !d.back)
		goto out_conf;
	if (ordo_loop_new(&d.loop))
		goto out_conf;
	ordo_loop_stop_on_term(d.loop);
	rc.conf = d.conf;
	rc.self = d.self;
	rc.loop = d.loop;
	rc.port_offset = port_offset;
	if (ordo_rt_open(&d.rt, &rc))
		goto out_loop;
	for (i = 0; i < d.ngrps; i++) {
		ordo_timer_init(&d.grps[i].timer, d.loop, on_el_timer, &d.grps[i]);
		ordo_timer_init(&d.grps[i].notify, d.loop, on_notify, &d.grps[i]);
	}
	ordo_timer_init(&d.join_timer, d.loop, on_join_timer, &d);
	for (i = 0; i < N_ALGOS; i++)
		ordo_rt_handle(d.rt, algos[i].proto, on_msg, &d);
	ordo_rt_on_peer(d.rt, on_peer, &d);
	ordo_rt_on_restart(d.rt, on_restart, &d);
	ordo_rt_on_heartbeat(d.rt, hb_fill, hb_recv, &d);
	d.joining = true;
	ordo_timer_start(&d.join_timer, d.join_ms, 0);
	if (d.n == 1)
		join_finish(&d, "no peers");
	ic.path = sock;
	ic.close = on_close;
	ic.methods = methods;
	ic.arg = &d;
	err = ordo_ipc_listen(&d.ipc, d.loop, &ic);
	if (err) {
		ordo_err("cannot listen on %s: %s", sock, strerror(-err));
		goto out_rt;
	}
	ordo_info("node %" PRIu32 " of %" PRIu32 ", %" PRIu32 " election groups, %s stamping, socket %s",
		  d.self, d.n, d.ngrps, ordo_rt_stamping(d.rt), sock);
	ordo_svc_ready("node %" PRIu32 ", %" PRIu32 " election groups (joining)",
		       d.self, d.ngrps);
	ret = ordo_loop_run(d.loop) ? 1 : 0;
	ordo_svc_stopping();
	ordo_info("stopping");
	ordo_ipc_close(d.ipc);
out_rt:
	ordo_timer_stop(&d.join_timer);
	ordo_rt_close(d.rt);
	groups_free(&d);
out_loop:
	ordo_loop_free(d.loop);
out_conf:
	groups_free(&d);
	ordo_conf_free(d.conf);
	return ret;
}
