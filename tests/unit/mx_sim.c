// SPDX-License-Identifier: GPL-2.0
/*
 * The deterministic network simulator of mx_sim.h and its history
 * checker. Everything random comes from one seeded xorshift generator,
 * every tie is broken by the order events were scheduled in: the same
 * configuration always gives the same run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mx_sim.h"

enum ev_kind {
	EV_CRASH, EV_RESTART, EV_RESET, EV_DOWN, EV_CALL,	/* class 0 */
	EV_ACQ, EV_REL, EV_NEXT,				/* class 1 */
	EV_TIMER,						/* class 2 */
	EV_MSG,							/* class 3 */
};

struct ev {
	uint64_t at, seq;
	uint8_t cls, kind;
	uint32_t node, lock;
	uint32_t from, inc, from_inc;
	uint64_t gen;
	struct mx_msg msg;
	void (*fn)(struct sim *s, void *arg);
	void *arg;
};

enum cl_state { CL_IDLE, CL_THINK, CL_WAIT, CL_HOLD, CL_DONE, CL_GONE };

struct sim_client {
	enum cl_state state;
	uint32_t done;
	size_t hist;
	uint64_t grants_at_req;
};

struct sim_node {
	struct sim *s;
	uint32_t id;
	struct mx_node *mx;
	bool up;
	uint32_t inc;		/* incarnation: +1 per restart */
	uint64_t timer_gen;
	uint64_t down_view;	/* the peers this node was told are down */
	struct sim_client cl[SIM_MAX_LOCKS];
};

struct sim_reset {
	uint32_t node;
	uint64_t at;
};

struct sim {
	struct sim_cfg cfg;
	uint64_t now, rng, evseq, order;
	struct ev *heap;
	size_t nheap, aheap;
	size_t inflight;	/* EV_MSG in the heap */
	size_t control;		/* crash, restart, call events pending */
	struct sim_node nodes[SIM_MAX_NODES];
	struct sim_hist *hist;
	size_t nhist, ahist;
	uint64_t lock_grants[SIM_MAX_LOCKS];
	uint32_t active;	/* clients neither done nor gone */
	uint32_t coord;
	uint64_t epoch;
	uint64_t bus_free;
	uint64_t link_last[SIM_MAX_NODES][SIM_MAX_NODES];	/* fifo */
	uint64_t sent[MX_TYPE_MAX], sent_total, done_marked;
	uint64_t errors;
	struct mx_stats agg;	/* of freed incarnations */
	struct sim_reset *resets;
	size_t nresets, aresets;
	/* sequential mode */
	bool seq_busy;
};

/* ------------------------------------------------------------ helpers */

uint64_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static uint64_t sim_range(struct sim *s, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + sim_rand(s) % (hi - lo + 1);
}

static bool ev_before(const struct ev *a, const struct ev *b)
{
	if (a->at != b->at)
		return a->at < b->at;
	if (a->cls != b->cls)
		return a->cls < b->cls;
	return a->seq < b->seq;
}

static void ev_push(struct sim *s, const struct ev *e)
{
	size_t i, p;
	struct ev tmp;

	if (s->nheap == s->aheap) {
		s->aheap = s->aheap ? 2 * s->aheap : 1024;
		s->heap = realloc(s->heap, s->aheap * sizeof(*s->heap));
		if (!s->heap)
			abort();
	}
	i = s->nheap++;
	s->heap[i] = *e;
	s->heap[i].seq = s->order++;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!ev_before(&s->heap[i], &s->heap[p]))
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[p];
		s->heap[p] = tmp;
		i = p;
	}
	if (e->kind == EV_MSG)
		s->inflight++;
	if (e->kind == EV_CRASH || e->kind == EV_RESTART || e->kind == EV_CALL)
		s->control++;
}

static bool ev_pop(struct sim *s, struct ev *out)
{
	size_t i = 0, l, r, m;
	struct ev tmp;

	if (!s->nheap)
		return false;
	*out = s->heap[0];
	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < s->nheap && ev_before(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->nheap && ev_before(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = tmp;
		i = m;
	}
	if (out->kind == EV_MSG)
		s->inflight--;
	if (out->kind == EV_CRASH || out->kind == EV_RESTART ||
	    out->kind == EV_CALL)
		s->control--;
	return true;
}

static void ev_at(struct sim *s, uint64_t at, uint8_t cls, uint8_t kind,
		  uint32_t node, uint32_t lock)
{
	struct ev e = {
		.at = at, .cls = cls, .kind = kind, .node = node, .lock = lock,
		.inc = s->nodes[node].inc,
	};

	ev_push(s, &e);
}

static void stats_add(struct mx_stats *a, const struct mx_stats *b)
{
	uint64_t *pa = (uint64_t *)a;
	const uint64_t *pb = (const uint64_t *)b;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		pa[i] += pb[i];
}

/* ------------------------------------------------------------ mx_ops */

static uint64_t part_hold(struct sim *s, uint32_t from, uint32_t to,
			  uint64_t at)
{
	const struct sim_part *p;
	uint32_t i;

	for (i = 0; i < s->cfg.nparts; i++) {
		p = &s->cfg.parts[i];
		if (((p->side >> from) & 1) == ((p->side >> to) & 1))
			continue;
		/* in the air during the partition: retransmitted after it */
		if (s->now < p->end && at > p->start)
			at = (at > p->end ? at : p->end) + (at - s->now);
	}
	return at;
}

static void net_put(struct sim *s, uint32_t from, uint32_t to,
		    const struct mx_msg *m, uint64_t at)
{
	struct ev e = {
		.cls = 3, .kind = EV_MSG, .node = to, .from = from,
		.inc = s->nodes[to].inc, .from_inc = s->nodes[from].inc,
		.msg = *m,
	};
	bool drop = false;

	at = part_hold(s, from, to, at);
	if (s->cfg.on_send)
		s->cfg.on_send(s, from, to, m, &at, &drop);
	if (drop)
		return;
	if (s->cfg.fifo) {
		if (at < s->link_last[from][to])
			at = s->link_last[from][to];
		s->link_last[from][to] = at;
	}
	e.at = at;
	ev_push(s, &e);
}

static void op_send(void *ctx, uint32_t to, const struct mx_msg *m)
{
	struct sim_node *nd = ctx;
	struct sim *s = nd->s;
	uint64_t at;

	if (to >= s->cfg.n || to == nd->id || m->from != nd->id ||
	    m->type >= MX_TYPE_MAX) {
		s->errors++;
		return;
	}
	s->sent[m->type]++;
	s->sent_total++;
	if (m->flags & MX_F_DONE)
		s->done_marked++;
	if (s->cfg.bus) {
		at = (s->bus_free > s->now ? s->bus_free : s->now) + s->cfg.dmin;
		s->bus_free = at;
		net_put(s, nd->id, to, m, at);
		return;
	}
	at = s->now + sim_range(s, s->cfg.dmin, s->cfg.dmax);
	while (s->cfg.loss_pct && sim_rand(s) % 100 < s->cfg.loss_pct)
		at += s->cfg.rto;
	net_put(s, nd->id, to, m, at);
	if (s->cfg.dup_pct && sim_rand(s) % 100 < s->cfg.dup_pct)
		net_put(s, nd->id, to, m,
			s->now + sim_range(s, s->cfg.dmin, 2 * s->cfg.dmax));
}

static void op_granted(void *ctx, uint32_t lock, uint64_t token)
{
	struct sim_node *nd = ctx;
	struct sim *s = nd->s;
	struct sim_client *cl;
	struct sim_hist *h;

	if (lock >= s->cfg.nlocks || nd->cl[lock].state != CL_WAIT) {
		s->errors++;
		return;
	}
	cl = &nd->cl[lock];
	h = &s->hist[cl->hist];
	h->granted = true;
	h->grant_at = s->now;
	h->grant_seq = ++s->evseq;
	h->token = token;
	h->overtakes = (uint32_t)(s->lock_grants[lock] - cl->grants_at_req);
	if (nd->mx)
		h->voters = mx_vote_voters(nd->mx, lock);
	s->lock_grants[lock]++;
	cl->state = CL_HOLD;
	ev_at(s, s->now + sim_range(s, s->cfg.hold_min, s->cfg.hold_max), 1,
	      EV_REL, nd->id, lock);
}

static uint64_t op_now(void *ctx)
{
	return ((struct sim_node *)ctx)->s->now;
}

static uint64_t op_rand(void *ctx)
{
	return sim_rand(((struct sim_node *)ctx)->s);
}

static void op_set_timer(void *ctx, uint64_t delay)
{
	struct sim_node *nd = ctx;
	struct ev e = {
		.cls = 2, .kind = EV_TIMER, .node = nd->id, .inc = nd->inc,
	};

	e.gen = ++nd->timer_gen;
	if (delay == MX_NO_TIMER)
		return;
	e.at = nd->s->now + delay;
	ev_push(nd->s, &e);
}

static const struct mx_ops sim_ops = {
	.send = op_send,
	.granted = op_granted,
	.now_ms = op_now,
	.rand = op_rand,
	.set_timer = op_set_timer,
};

/* ------------------------------------------------------------ nodes */

static struct mx_node *node_create(struct sim *s, uint32_t id, uint32_t flags)
{
	struct mx_cfg c = s->cfg.mx;

	c.n = s->cfg.n;
	c.self = id;
	c.nlocks = s->cfg.nlocks;
	c.coordinator = s->coord;
	c.epoch = s->epoch;
	c.flags = flags;
	return mx_new(s->cfg.algo, &c, &sim_ops, &s->nodes[id]);
}

static uint32_t lowest_up(const struct sim *s)
{
	uint32_t i;

	for (i = 0; i < s->cfg.n; i++) {
		if (s->nodes[i].up)
			return i;
	}
	return MX_NONE;
}

static void coordinator_policy(struct sim *s)
{
	uint32_t c = lowest_up(s), i;

	if (!s->cfg.coordinator_policy || c == MX_NONE || c == s->coord)
		return;
	s->coord = c;
	s->epoch++;
	for (i = 0; i < s->cfg.n; i++) {
		if (s->nodes[i].up &&
		    mx_coordinator_changed(s->nodes[i].mx, c, s->epoch) != 0)
			s->errors++;
	}
}

static void client_start(struct sim *s, uint32_t node, uint32_t lock)
{
	struct sim_client *cl = &s->nodes[node].cl[lock];

	cl->state = CL_THINK;
	s->active++;
	if (!s->cfg.sequential)
		ev_at(s, s->now + sim_range(s, s->cfg.think_min,
					    s->cfg.think_max), 1, EV_ACQ,
		      node, lock);
}

void sim_crash(struct sim *s, uint32_t id)
{
	struct sim_node *nd = &s->nodes[id];
	struct sim_client *cl;
	struct sim_hist *h;
	uint32_t l;

	if (!nd->up)
		return;
	for (l = 0; l < s->cfg.nlocks; l++) {
		cl = &nd->cl[l];
		if (cl->state == CL_WAIT || cl->state == CL_HOLD) {
			h = &s->hist[cl->hist];
			h->crashed = true;
			if (cl->state == CL_HOLD) {
				h->rel_at = s->now;
				h->rel_seq = ++s->evseq;
				h->released = true;
			}
			if (s->cfg.sequential)
				s->seq_busy = false;
		}
		if (cl->state != CL_DONE && cl->state != CL_IDLE) {
			cl->state = CL_GONE;
			s->active--;
		}
	}
	stats_add(&s->agg, mx_stats(nd->mx));
	mx_free(nd->mx);
	nd->mx = NULL;
	nd->up = false;
	ev_at(s, s->now + s->cfg.detect_ms, 0, EV_DOWN, id, 0);
	if (s->cfg.sequential && !s->seq_busy)
		ev_at(s, s->now + 1, 1, EV_NEXT, 0, 0);
}

/*
 * The nodes of @mask (down) restart at once as new incarnations
 * (MX_CFG_REJOIN). The others are told down (if not told yet) and up;
 * the restarted nodes are created with each other up and are told
 * nothing of one another, as daemons that rejoin together learn each
 * other's new incarnation while joining.
 */
void sim_restart_together(struct sim *s, uint64_t mask)
{
	struct sim_node *nd;
	uint64_t m;
	uint32_t id, j, l;

	for (m = mask; m; m &= m - 1) {
		nd = &s->nodes[__builtin_ctzll(m)];
		if (nd->up) {
			mask &= ~(1ULL << nd->id);
			continue;
		}
		nd->inc++;	/* messages of the old incarnation are dropped */
		nd->up = true;
		nd->down_view = 0;
		nd->timer_gen = 0;
	}
	for (m = mask; m; m &= m - 1) {
		id = __builtin_ctzll(m);
		nd = &s->nodes[id];
		nd->mx = node_create(s, id, MX_CFG_REJOIN);
		if (!nd->mx) {
			s->errors++;
			nd->up = false;
			continue;
		}
		for (j = 0; j < s->cfg.n; j++) {
			if (j == id || (mask & (1ULL << j)))
				continue;
			if (!s->nodes[j].up) {
				mx_peer_down(nd->mx, j);
				nd->down_view |= 1ULL << j;
				continue;
			}
			/* a new incarnation: down (if not told yet), then up */
			if (!(s->nodes[j].down_view & (1ULL << id)))
				mx_peer_down(s->nodes[j].mx, id);
			mx_peer_up(s->nodes[j].mx, id);
			s->nodes[j].down_view &= ~(1ULL << id);
		}
	}
	coordinator_policy(s);
	for (m = mask; m; m &= m - 1) {
		id = __builtin_ctzll(m);
		if (!s->nodes[id].up)
			continue;
		for (l = 0; l < s->cfg.nlocks; l++) {
			if (s->nodes[id].cl[l].state == CL_GONE)
				client_start(s, id, l);
		}
	}
	if (s->cfg.sequential && !s->seq_busy)
		ev_at(s, s->now + 1, 1, EV_NEXT, 0, 0);
}

static void sim_restart(struct sim *s, uint32_t id)
{
	sim_restart_together(s, 1ULL << id);
}

/* The failure detector: every live node learns @id is down. */
static void sim_detect(struct sim *s, uint32_t id, uint32_t inc)
{
	uint32_t j;

	if (s->nodes[id].up || s->nodes[id].inc != inc)
		return;		/* restarted meanwhile */
	for (j = 0; j < s->cfg.n; j++) {
		if (j == id || !s->nodes[j].up ||
		    (s->nodes[j].down_view & (1ULL << id)))
			continue;
		mx_peer_down(s->nodes[j].mx, id);
		s->nodes[j].down_view |= 1ULL << id;
	}
	coordinator_policy(s);
}

/* ------------------------------------------------------------ clients */

static void client_acquire(struct sim *s, uint32_t id, uint32_t lock)
{
	struct sim_node *nd = &s->nodes[id];
	struct sim_client *cl = &nd->cl[lock];
	struct sim_hist *h;

	if (!nd->up || cl->state != CL_THINK)
		return;
	if (s->nhist == s->ahist) {
		s->ahist = s->ahist ? 2 * s->ahist : 1024;
		s->hist = realloc(s->hist, s->ahist * sizeof(*s->hist));
		if (!s->hist)
			abort();
	}
	cl->hist = s->nhist++;
	h = &s->hist[cl->hist];
	memset(h, 0, sizeof(*h));
	h->node = id;
	h->lock = lock;
	h->req_at = s->now;
	cl->grants_at_req = s->lock_grants[lock];
	cl->state = CL_WAIT;
	if (mx_acquire(nd->mx, lock) != 0)
		s->errors++;
}

static void client_release(struct sim *s, uint32_t id, uint32_t lock)
{
	struct sim_node *nd = &s->nodes[id];
	struct sim_client *cl = &nd->cl[lock];
	struct sim_hist *h;

	if (!nd->up || cl->state != CL_HOLD)
		return;
	h = &s->hist[cl->hist];
	h->rel_at = s->now;
	h->rel_seq = ++s->evseq;
	h->released = true;
	if (mx_release(nd->mx, lock) != 0)
		s->errors++;
	cl->done++;
	if (cl->done < s->cfg.entries) {
		cl->state = CL_THINK;
		if (!s->cfg.sequential)
			ev_at(s, s->now + sim_range(s, s->cfg.think_min,
						    s->cfg.think_max),
			      1, EV_ACQ, id, lock);
	} else {
		cl->state = CL_DONE;
		s->active--;
	}
	if (s->cfg.sequential) {
		s->seq_busy = false;
		ev_at(s, s->now + sim_range(s, s->cfg.think_min,
					    s->cfg.think_max), 1, EV_NEXT, 0, 0);
	}
}

/* Sequential mode: the next request, alone in the system. */
static void seq_next(struct sim *s)
{
	uint32_t cand[SIM_MAX_NODES * SIM_MAX_LOCKS][2], nc = 0, i, l, pick;
	uint64_t at, g = s->cfg.grid ? s->cfg.grid : 1;
	bool ring = s->cfg.algo == &mx_ring_algo;

	if (s->seq_busy)
		return;
	if (s->inflight && !ring) {
		ev_at(s, s->now + 1, 1, EV_NEXT, 0, 0);
		return;
	}
	for (i = 0; i < s->cfg.n; i++) {
		for (l = 0; l < s->cfg.nlocks; l++) {
			if (s->nodes[i].up &&
			    s->nodes[i].cl[l].state == CL_THINK) {
				cand[nc][0] = i;
				cand[nc][1] = l;
				nc++;
			}
		}
	}
	if (!nc)
		return;
	pick = (uint32_t)(sim_rand(s) % nc);
	at = (s->now + g - 1) / g * g;
	s->seq_busy = true;
	ev_at(s, at, 1, EV_ACQ, cand[pick][0], cand[pick][1]);
}

/* ------------------------------------------------------------ API */

void sim_cfg_init(struct sim_cfg *c, const struct mx_algo *algo, uint32_t n,
		  uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	c->algo = algo;
	c->n = n;
	c->nlocks = 2;
	c->seed = seed;
	c->dmin = 1;
	c->dmax = 10;
	c->rto = 30;
	c->detect_ms = 40;
	c->clients = (1ULL << n) - 1;
	c->entries = 30;
	c->hold_min = 10;	/* >= dmax: see the bounded wait */
	c->hold_max = 25;
	c->think_min = 0;
	c->think_max = 40;
	c->coordinator_policy = algo->coordinator_changed != NULL;
	c->time_limit = 5000000;
}

struct sim *sim_new(const struct sim_cfg *cfg)
{
	struct sim *s;
	uint32_t i, l;

	if (cfg->n == 0 || cfg->n > SIM_MAX_NODES || cfg->nlocks == 0 ||
	    cfg->nlocks > SIM_MAX_LOCKS || !cfg->algo)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->rng = cfg->seed * 0x9e3779b97f4a7c15ULL + 0x853c49e6748fea9bULL;
	if (!s->rng)
		s->rng = 1;
	s->coord = cfg->mx.coordinator;
	s->epoch = cfg->mx.epoch;
	for (i = 0; i < cfg->n; i++) {
		s->nodes[i].s = s;
		s->nodes[i].id = i;
		s->nodes[i].up = true;
	}
	for (i = 0; i < cfg->n; i++) {
		s->nodes[i].mx = node_create(s, i, 0);
		if (!s->nodes[i].mx) {
			sim_free(s);
			return NULL;
		}
	}
	for (i = 0; i < cfg->n; i++) {
		if (!(cfg->clients & (1ULL << i)))
			continue;
		for (l = 0; l < cfg->nlocks; l++) {
			if (cfg->entries)
				client_start(s, i, l);
		}
	}
	if (cfg->sequential)
		ev_at(s, sim_range(s, cfg->think_min, cfg->think_max), 1,
		      EV_NEXT, 0, 0);
	return s;
}

void sim_free(struct sim *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->cfg.n; i++)
		mx_free(s->nodes[i].mx);
	free(s->heap);
	free(s->hist);
	free(s->resets);
	free(s);
}

void sim_crash_at(struct sim *s, uint64_t at, uint32_t node)
{
	ev_at(s, at, 0, EV_CRASH, node, 0);
}

void sim_restart_at(struct sim *s, uint64_t at, uint32_t node)
{
	ev_at(s, at, 0, EV_RESTART, node, 0);
}

void sim_reset_at(struct sim *s, uint64_t at, uint32_t node)
{
	ev_at(s, at, 0, EV_RESET, node, 0);
}

void sim_call_at(struct sim *s, uint64_t at,
		 void (*fn)(struct sim *s, void *arg), void *arg)
{
	struct ev e = { .at = at, .cls = 0, .kind = EV_CALL, .fn = fn,
			.arg = arg };

	ev_push(s, &e);
}

static void sim_event(struct sim *s, const struct ev *e)
{
	struct sim_node *nd = &s->nodes[e->node];
	int ret;

	switch (e->kind) {
	case EV_CRASH:
		sim_crash(s, e->node);
		break;
	case EV_RESTART:
		sim_restart(s, e->node);
		break;
	case EV_RESET:
		if (!nd->up)
			break;
		if (mx_reset(nd->mx) != 0)
			s->errors++;
		if (s->nresets == s->aresets) {
			s->aresets = s->aresets ? 2 * s->aresets : 256;
			s->resets = realloc(s->resets,
					    s->aresets * sizeof(*s->resets));
			if (!s->resets)
				abort();
		}
		s->resets[s->nresets].node = e->node;
		s->resets[s->nresets].at = s->now;
		s->nresets++;
		break;
	case EV_DOWN:
		sim_detect(s, e->node, e->inc);
		break;
	case EV_CALL:
		e->fn(s, e->arg);
		break;
	case EV_ACQ:
		if (nd->inc == e->inc)
			client_acquire(s, e->node, e->lock);
		break;
	case EV_REL:
		if (nd->inc == e->inc)
			client_release(s, e->node, e->lock);
		break;
	case EV_NEXT:
		seq_next(s);
		break;
	case EV_TIMER:
		if (nd->up && nd->inc == e->inc && nd->timer_gen == e->gen)
			mx_timer(nd->mx);
		break;
	case EV_MSG:
		/* lost at a node that is down or restarted since */
		if (!nd->up || nd->inc != e->inc ||
		    s->nodes[e->from].inc != e->from_inc)
			break;
		ret = mx_input(nd->mx, &e->msg);
		if (ret < 0)
			s->errors++;
		break;
	}
}

int sim_run(struct sim *s)
{
	bool ring = s->cfg.algo == &mx_ring_algo;
	struct ev e;

	for (;;) {
		if (!s->active && !s->control && (ring || !s->inflight))
			return 0;
		if (!ev_pop(s, &e))
			return -EDEADLK;
		if (s->cfg.time_limit && e.at > s->cfg.time_limit)
			return -ETIMEDOUT;
		if (e.at > s->now)
			s->now = e.at;
		sim_event(s, &e);
	}
}

uint64_t sim_now(const struct sim *s)
{
	return s->now;
}

const struct sim_cfg *sim_cfg(const struct sim *s)
{
	return &s->cfg;
}

struct mx_node *sim_node(const struct sim *s, uint32_t node)
{
	return node < s->cfg.n ? s->nodes[node].mx : NULL;
}

const struct sim_hist *sim_history(const struct sim *s, size_t *n)
{
	*n = s->nhist;
	return s->hist;
}

uint64_t sim_sent(const struct sim *s, unsigned int type)
{
	return type < MX_TYPE_MAX ? s->sent[type] : 0;
}

uint64_t sim_sent_total(const struct sim *s)
{
	return s->sent_total;
}

uint64_t sim_done_marked(const struct sim *s)
{
	return s->done_marked;
}

void sim_stats(const struct sim *s, struct mx_stats *out)
{
	uint32_t i;

	*out = s->agg;
	for (i = 0; i < s->cfg.n; i++) {
		if (s->nodes[i].mx)
			stats_add(out, mx_stats(s->nodes[i].mx));
	}
}

uint64_t sim_errors(const struct sim *s)
{
	return s->errors;
}

unsigned int sim_resets_during(const struct sim *s, uint32_t node,
			       uint64_t from, uint64_t to)
{
	unsigned int k = 0;
	size_t i;

	for (i = 0; i < s->nresets; i++) {
		if (s->resets[i].node == node && s->resets[i].at >= from &&
		    s->resets[i].at <= to)
			k++;
	}
	return k;
}

/* ------------------------------------------------------------ checker */

static const struct sim_hist *cmp_base;

static int cmp_grant(const void *a, const void *b)
{
	uint64_t x = cmp_base[*(const size_t *)a].grant_seq;
	uint64_t y = cmp_base[*(const size_t *)b].grant_seq;

	return x < y ? -1 : x > y;
}

void sim_check(const struct sim_hist *h, size_t n, struct sim_check *out,
	       uint32_t (*pairs)[2], size_t max)
{
	size_t *idx, ng = 0, i, npairs = 0, prev, last;
	uint64_t wait, rel, max_rel;
	uint32_t lock;
	bool have;

	memset(out, 0, sizeof(*out));
	idx = calloc(n ? n : 1, sizeof(*idx));
	if (!idx)
		abort();
	for (i = 0; i < n; i++) {
		out->requests++;
		if (!h[i].granted) {
			if (!h[i].crashed)
				out->pending++;
			continue;
		}
		out->granted++;
		wait = h[i].grant_at - h[i].req_at;
		out->sum_wait += wait;
		if (wait > out->max_wait)
			out->max_wait = wait;
		if (h[i].overtakes > out->max_overtakes)
			out->max_overtakes = h[i].overtakes;
		idx[ng++] = i;
	}
	cmp_base = h;
	qsort(idx, ng, sizeof(*idx), cmp_grant);
	for (lock = 0; lock < SIM_MAX_LOCKS; lock++) {
		have = false;
		max_rel = 0;
		prev = 0;	/* the previous entry in grant order */
		last = 0;	/* the entry released last so far */
		for (i = 0; i < ng; i++) {
			const struct sim_hist *e = &h[idx[i]];

			if (e->lock != lock)
				continue;
			if (have) {
				if (e->grant_seq < max_rel) {
					out->overlaps++;
					if (pairs && npairs < max) {
						pairs[npairs][0] = (uint32_t)last;
						pairs[npairs][1] = (uint32_t)idx[i];
						npairs++;
					}
				}
				if (e->token <= h[prev].token)
					out->token_errors++;
			}
			rel = e->released ? e->rel_seq : UINT64_MAX;
			if (!have || rel > max_rel) {
				max_rel = rel;
				last = idx[i];
			}
			prev = idx[i];
			have = true;
		}
	}
	free(idx);
}
