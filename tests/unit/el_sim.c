// SPDX-License-Identifier: GPL-2.0
/*
 * The election simulator (el_sim.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "el_sim.h"

enum ev_kind { EV_MSG, EV_TIMER };

struct ev {
	uint64_t at, seq;
	enum ev_kind kind;
	uint32_t to;
	uint32_t gen;		/* the incarnation it is for */
	struct el_msg m;
};

struct es_node {
	struct es *s;
	uint32_t id;
	struct el_node *nd;
	bool alive;
	uint32_t gen;		/* incarnation */
	uint64_t timer_seq;	/* the armed timer event (0: none) */
};

struct es {
	struct es_cfg cfg;
	uint64_t now, seq;
	struct ev *ev;		/* a binary heap on (at, seq) */
	size_t nev;
	struct es_node node[ES_MAX_NODES];
	uint64_t side;		/* partition */
	uint64_t reconnected;	/* es_reconnect(): the side es_heal() reports */
	/* counters of every incarnation that ran, minus the mark */
	uint64_t sent[EL_TYPE_MAX], done, stale, elections;
	uint64_t last_change;
};

static struct el_ops es_ops;

static bool ev_less(const struct ev *a, const struct ev *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void push(struct es *s, const struct ev *e)
{
	size_t i;

	if (s->nev == ES_MAX_EVENTS) {
		fprintf(stderr, "el_sim: event queue full\n");
		abort();
	}
	i = s->nev++;
	s->ev[i] = *e;
	s->ev[i].seq = ++s->seq;
	while (i && ev_less(&s->ev[i], &s->ev[(i - 1) / 2])) {
		struct ev t = s->ev[i];

		s->ev[i] = s->ev[(i - 1) / 2];
		s->ev[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct ev pop(struct es *s)
{
	struct ev top = s->ev[0];
	size_t i = 0;

	s->ev[0] = s->ev[--s->nev];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct ev t;

		if (l < s->nev && ev_less(&s->ev[l], &s->ev[m]))
			m = l;
		if (r < s->nev && ev_less(&s->ev[r], &s->ev[m]))
			m = r;
		if (m == i)
			break;
		t = s->ev[i];
		s->ev[i] = s->ev[m];
		s->ev[m] = t;
		i = m;
	}
	return top;
}

static bool cut(const struct es *s, uint32_t a, uint32_t b)
{
	return s->side && (!!(s->side & (1ULL << a)) != !!(s->side & (1ULL << b)));
}

static void op_send(void *ctx, uint32_t to, const struct el_msg *m)
{
	struct es_node *n = ctx;
	struct es *s = n->s;
	struct ev e = { 0 };

	s->sent[m->type]++;
	if (m->flags & EL_F_DONE)
		s->done++;
	if (to >= s->cfg.n || cut(s, n->id, to))
		return;
	e.at = s->now + s->cfg.delay;
	e.kind = EV_MSG;
	e.to = to;
	e.gen = s->node[to].gen;
	e.m = *m;
	push(s, &e);
}

static void op_leader(void *ctx, uint32_t leader, uint64_t term)
{
	struct es_node *n = ctx;

	(void)leader;
	(void)term;
	n->s->last_change = n->s->now;
}

static uint64_t op_now(void *ctx)
{
	return ((struct es_node *)ctx)->s->now;
}

static void op_timer(void *ctx, uint64_t delay)
{
	struct es_node *n = ctx;
	struct es *s = n->s;
	struct ev e = { 0 };

	n->timer_seq = 0;
	if (delay == EL_NO_TIMER)
		return;
	e.at = s->now + delay;
	e.kind = EV_TIMER;
	e.to = n->id;
	e.gen = n->gen;
	push(s, &e);
	n->timer_seq = s->seq;
}

static struct el_ops es_ops = {
	.send = op_send,
	.leader = op_leader,
	.now_ms = op_now,
	.set_timer = op_timer,
};

static void node_create(struct es *s, uint32_t i, uint64_t term, uint32_t leader)
{
	struct es_node *n = &s->node[i];
	struct el_cfg c = {
		.n = s->cfg.n, .self = i, .answer_ms = s->cfg.answer_ms,
		.coord_ms = s->cfg.coord_ms, .stagger_ms = s->cfg.stagger_ms,
		.term = term, .leader = leader,
	};

	n->s = s;
	n->id = i;
	n->gen++;
	n->alive = true;
	n->timer_seq = 0;
	n->nd = el_new(s->cfg.algo, &c, &es_ops, n);
	if (!n->nd)
		abort();
}

static void node_retire(struct es *s, uint32_t i)
{
	struct es_node *n = &s->node[i];
	const struct el_stats *st = el_stats(n->nd);

	s->stale += st->stale;
	s->elections += st->elections;
	el_free(n->nd);
	n->nd = NULL;
}

struct es *es_new(const struct es_cfg *cfg)
{
	struct es *s = calloc(1, sizeof(*s));
	uint32_t i;

	if (!s || cfg->n == 0 || cfg->n > ES_MAX_NODES)
		abort();
	s->cfg = *cfg;
	if (!s->cfg.delay)
		s->cfg.delay = 10;
	s->ev = calloc(ES_MAX_EVENTS, sizeof(*s->ev));
	if (!s->ev)
		abort();
	for (i = 0; i < cfg->n; i++)
		node_create(s, i, 0, EL_NONE);
	return s;
}

void es_free(struct es *s)
{
	uint32_t i;

	for (i = 0; i < s->cfg.n; i++)
		if (s->node[i].nd)
			el_free(s->node[i].nd);
	free(s->ev);
	free(s);
}

uint64_t es_now(const struct es *s)
{
	return s->now;
}

void es_start(struct es *s, uint32_t i)
{
	el_start(s->node[i].nd);
}

void es_start_all(struct es *s)
{
	uint32_t i;

	for (i = 0; i < s->cfg.n; i++)
		es_start(s, i);
}

void es_crash(struct es *s, uint32_t i)
{
	s->node[i].alive = false;
	s->node[i].gen++;	/* pending events for it are dropped */
}

void es_detect(struct es *s, uint32_t at, uint32_t i)
{
	if (s->node[at].alive)
		el_peer_down(s->node[at].nd, i);
}

void es_detect_up(struct es *s, uint32_t at, uint32_t i)
{
	if (s->node[at].alive)
		el_peer_up(s->node[at].nd, i);
}

void es_reconnect(struct es *s)
{
	s->reconnected = s->side;
	s->side = 0;
}

void es_detect_all(struct es *s, uint32_t i)
{
	uint32_t j;

	for (j = 0; j < s->cfg.n; j++)
		if (j != i)
			es_detect(s, j, i);
}

void es_restart(struct es *s, uint32_t i)
{
	uint64_t term = 0;
	uint32_t leader = EL_NONE, j;

	for (j = 0; j < s->cfg.n; j++) {
		struct el_node *nd = s->node[j].nd;

		if (j == i || !s->node[j].alive || cut(s, i, j))
			continue;
		if (el_term(nd) > term)
			term = el_term(nd);
		if (el_leader(nd) != EL_NONE &&
		    (leader == EL_NONE || el_leader(nd) > leader))
			leader = el_leader(nd);
	}
	node_retire(s, i);
	node_create(s, i, term, leader);
	for (j = 0; j < s->cfg.n; j++) {
		if (j == i || !s->node[j].alive || cut(s, i, j))
			continue;
		el_peer_up(s->node[j].nd, i);
	}
	for (j = 0; j < s->cfg.n; j++)
		if (j != i && (!s->node[j].alive || cut(s, i, j)))
			el_peer_down(s->node[i].nd, j);
	el_start(s->node[i].nd);
}

void es_partition(struct es *s, uint64_t side)
{
	uint32_t a, b;

	s->side = side;
	for (a = 0; a < s->cfg.n; a++)
		for (b = 0; b < s->cfg.n; b++)
			if (a != b && s->node[a].alive && cut(s, a, b))
				el_peer_down(s->node[a].nd, b);
}

void es_heal(struct es *s)
{
	uint64_t side = s->side ? s->side : s->reconnected;
	uint32_t a, b;

	s->side = 0;
	s->reconnected = 0;
	for (a = 0; a < s->cfg.n; a++)
		for (b = 0; b < s->cfg.n; b++)
			if (a != b && s->node[a].alive && s->node[b].alive &&
			    (!!(side & (1ULL << a)) != !!(side & (1ULL << b))))
				el_peer_up(s->node[a].nd, b);
}

void es_views(struct es *s)
{
	uint32_t a, b;

	for (a = 0; a < s->cfg.n; a++)
		for (b = 0; b < s->cfg.n; b++)
			if (a != b && s->node[a].alive && s->node[b].alive && !cut(s, a, b))
				el_peer_view(s->node[a].nd, b, el_leader_term(s->node[b].nd),
					     el_leader(s->node[b].nd));
}

int es_inject(struct es *s, uint32_t to, const struct el_msg *m)
{
	return el_input(s->node[to].nd, m);
}

static void step(struct es *s)
{
	struct ev e = pop(s);
	struct es_node *n = &s->node[e.to];

	s->now = e.at;
	if (!n->alive || e.gen != n->gen)
		return;
	if (e.kind == EV_TIMER) {
		if (e.seq == n->timer_seq) {
			n->timer_seq = 0;
			el_timer(n->nd);
		}
		return;
	}
	el_input(n->nd, &e.m);
}

void es_run_until(struct es *s, uint64_t t)
{
	while (s->nev && s->ev[0].at <= t)
		step(s);
	if (t > s->now)
		s->now = t;
}

uint64_t es_settle(struct es *s, uint64_t limit)
{
	uint64_t end = s->now + limit;

	while (s->nev && s->ev[0].at <= end)
		step(s);
	return s->now;
}

bool es_alive(const struct es *s, uint32_t i)
{
	return s->node[i].alive;
}

struct el_node *es_node(struct es *s, uint32_t i)
{
	return s->node[i].nd;
}

bool es_agree(const struct es *s, uint32_t leader)
{
	uint32_t i;

	for (i = 0; i < s->cfg.n; i++) {
		if (!s->node[i].alive)
			continue;
		if (el_leader(s->node[i].nd) != leader || el_phase(s->node[i].nd) != EL_IDLE)
			return false;
	}
	return true;
}

uint32_t es_highest(const struct es *s)
{
	uint32_t i = s->cfg.n;

	while (i-- > 0)
		if (s->node[i].alive)
			return i;
	return EL_NONE;
}

uint64_t es_sent(const struct es *s, unsigned int type)
{
	uint64_t t = 0;
	unsigned int k;

	if (type)
		return s->sent[type];
	for (k = 1; k < EL_TYPE_MAX; k++)
		t += s->sent[k];
	return t;
}

uint64_t es_done(const struct es *s)
{
	return s->done;
}

static uint64_t live_sum(const struct es *s, size_t off)
{
	uint64_t t = 0;
	uint32_t i;

	for (i = 0; i < s->cfg.n; i++)
		if (s->node[i].nd)
			t += *(const uint64_t *)((const char *)el_stats(s->node[i].nd) + off);
	return t;
}

uint64_t es_stale(const struct es *s)
{
	return s->stale + live_sum(s, offsetof(struct el_stats, stale));
}

uint64_t es_elections(const struct es *s)
{
	return s->elections + live_sum(s, offsetof(struct el_stats, elections));
}

void es_mark(struct es *s)
{
	memset(s->sent, 0, sizeof(s->sent));
	s->done = 0;
	s->stale = 0 - live_sum(s, offsetof(struct el_stats, stale));
	s->elections = 0 - live_sum(s, offsetof(struct el_stats, elections));
}

uint64_t es_last_change(const struct es *s)
{
	return s->last_change;
}
