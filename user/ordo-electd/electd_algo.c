// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-electd: the entry points shared by bully and ring. They check the
 * arguments, keep the live set, the accepted leader and the counters, call
 * the algorithm, and re-arm the caller's timer when the deadline changed.
 * See electd_algo.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "el_impl.h"

static const struct el_algo *const el_algos[] = { &el_bully_algo, &el_ring_algo };

const struct el_algo *el_algo_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(el_algos) / sizeof(el_algos[0]); i++)
		if (!strcmp(el_algos[i]->name, name))
			return el_algos[i];
	return NULL;
}

const char *el_type_name(unsigned int type)
{
	switch (type) {
	case EL_ELECTION:	return "ELECTION";
	case EL_OK:		return "OK";
	case EL_COORDINATOR:	return "COORDINATOR";
	default:		return "?";
	}
}

const char *el_phase_name(enum el_phase p)
{
	switch (p) {
	case EL_IDLE:		return "idle";
	case EL_WAIT_OK:	return "wait-ok";
	case EL_WAIT_COORD:	return "wait-coordinator";
	case EL_INITIATED:	return "initiated";
	case EL_ANNOUNCING:	return "announcing";
	case EL_PENDING:	return "pending";
	default:		return "?";
	}
}

void el_send(struct el_node *nd, uint32_t to, struct el_msg *m)
{
	m->from = nd->cfg.self;
	nd->st.sent[m->type]++;
	nd->st.sent_total++;
	if (m->flags & EL_F_DONE)
		nd->st.done_sent++;
	nd->ops->send(nd->ctx, to, m);
}

int el_cmp_leader(const struct el_node *nd, uint64_t t, uint32_t l)
{
	int64_t a = l == EL_NONE ? -1 : (int64_t)l;
	int64_t b = nd->leader == EL_NONE ? -1 : (int64_t)nd->leader;

	if (t != nd->leader_term)
		return t > nd->leader_term ? 1 : -1;
	return a > b ? 1 : a < b ? -1 : 0;
}

void el_accept(struct el_node *nd, uint32_t leader, uint64_t t, uint64_t members)
{
	bool changed = leader != nd->leader || t != nd->leader_term;

	nd->leader = leader;
	nd->leader_term = t;
	nd->members = members;
	if (t > nd->term)
		nd->term = t;
	if (leader == nd->cfg.self)
		nd->st.wins++;
	if (changed) {
		nd->st.leader_changes++;
		nd->ops->leader(nd->ctx, leader, t);
	}
}

void el_lose_leader(struct el_node *nd)
{
	if (nd->leader == EL_NONE)
		return;
	nd->leader = EL_NONE;
	nd->st.leader_changes++;
	nd->ops->leader(nd->ctx, EL_NONE, nd->leader_term);
}

void el_set_phase(struct el_node *nd, enum el_phase p, uint64_t delay_ms)
{
	nd->phase = p;
	nd->deadline = delay_ms == EL_NO_TIMER ? EL_NO_TIMER : el_now(nd) + delay_ms;
}

static void el_rearm(struct el_node *nd)
{
	uint64_t at = nd->deadline, now;

	if (at == nd->timer_at)
		return;
	nd->timer_at = at;
	if (at == EL_NO_TIMER) {
		nd->ops->set_timer(nd->ctx, EL_NO_TIMER);
		return;
	}
	now = el_now(nd);
	nd->ops->set_timer(nd->ctx, at > now ? at - now : 0);
}

struct el_node *el_new(const struct el_algo *algo, const struct el_cfg *cfg,
		       const struct el_ops *ops, void *ctx)
{
	struct el_node *nd;

	if (!algo || !cfg || !ops || !ops->send || !ops->leader ||
	    !ops->now_ms || !ops->set_timer || cfg->n == 0 ||
	    cfg->n > EL_MAX_NODES || cfg->self >= cfg->n ||
	    (cfg->leader != EL_NONE && cfg->leader >= cfg->n)) {
		errno = EINVAL;
		return NULL;
	}
	nd = calloc(1, algo->size);
	if (!nd)
		return NULL;
	nd->algo = algo;
	nd->cfg = *cfg;
	nd->ops = ops;
	nd->ctx = ctx;
	nd->all = cfg->n == 64 ? ~0ULL : el_bit(cfg->n) - 1;
	nd->live = nd->all;
	nd->term = cfg->term;
	nd->leader = cfg->leader;
	nd->leader_term = cfg->leader == EL_NONE ? 0 : cfg->term;
	nd->members = nd->all;
	nd->phase = EL_IDLE;
	nd->deadline = EL_NO_TIMER;
	nd->timer_at = EL_NO_TIMER;
	nd->own_to = EL_NONE;
	nd->fwd_to = EL_NONE;
	return nd;
}

void el_free(struct el_node *nd)
{
	free(nd);
}

int el_start(struct el_node *nd)
{
	if (nd->started)
		return EL_IGNORED;
	nd->started = true;
	if (nd->leader != EL_NONE) {
		/* learned from the peers: accepted, reported */
		nd->st.leader_changes++;
		nd->ops->leader(nd->ctx, nd->leader, nd->leader_term);
	}
	nd->algo->start(nd);
	el_rearm(nd);
	return 0;
}

int el_elect(struct el_node *nd)
{
	if (!nd->started)
		return -EAGAIN;
	if (nd->phase != EL_IDLE && nd->phase != EL_PENDING)
		return -EALREADY;
	nd->algo->elect(nd);
	el_rearm(nd);
	return 0;
}

int el_input(struct el_node *nd, const struct el_msg *m)
{
	int ret;

	if (!m || m->from >= nd->cfg.n || m->from == nd->cfg.self ||
	    m->type == 0 || m->type > nd->algo->ntypes ||
	    (m->type == EL_OK && nd->algo == &el_ring_algo) ||
	    m->n_list > nd->cfg.n || m->term == 0) {
		nd->st.invalid++;
		return -EINVAL;
	}
	if (!nd->started) {
		nd->st.ignored++;
		return EL_IGNORED;
	}
	ret = nd->algo->input(nd, m);
	if (ret == 0) {
		nd->st.recv[m->type]++;
		nd->st.recv_total++;
	} else if (ret == EL_IGNORED) {
		nd->st.ignored++;
	} else if (ret == -EINVAL) {
		nd->st.invalid++;
	}
	el_rearm(nd);
	return ret;
}

int el_peer_down(struct el_node *nd, uint32_t id)
{
	if (id >= nd->cfg.n || id == nd->cfg.self)
		return -EINVAL;
	if (!(nd->live & el_bit(id)))
		return EL_IGNORED;
	nd->live &= ~el_bit(id);
	if (nd->started)
		nd->algo->peer_down(nd, id);
	else if (id == nd->leader)
		nd->leader = EL_NONE;
	el_rearm(nd);
	return 0;
}

int el_peer_up(struct el_node *nd, uint32_t id)
{
	if (id >= nd->cfg.n || id == nd->cfg.self)
		return -EINVAL;
	if (nd->live & el_bit(id))
		return EL_IGNORED;
	nd->live |= el_bit(id);
	if (nd->started)
		nd->algo->peer_up(nd, id);
	el_rearm(nd);
	return 0;
}

int el_peer_view(struct el_node *nd, uint32_t id, uint64_t term,
		 uint32_t leader)
{
	if (id >= nd->cfg.n || id == nd->cfg.self ||
	    (leader != EL_NONE && leader >= nd->cfg.n))
		return -EINVAL;
	/*
	 * A follower that a COORDINATOR did not reach (its sender believed
	 * it down: a partition that heals is seen by each node at its own
	 * time; or the message was lost) still accepts an older leader,
	 * while a peer accepts a newer one of a term it has not seen passed:
	 * it accepts that leader from the view. Only upwards (a higher
	 * leader than its own, under bully also higher than itself: a lower
	 * one it would bully), only a live one, and not during an election
	 * of its own (its outcome decides).
	 */
	if (nd->started && leader != EL_NONE && leader != nd->cfg.self &&
	    nd->leader != nd->cfg.self && (nd->live & el_bit(leader)) &&
	    (nd->phase == EL_IDLE || nd->phase == EL_WAIT_COORD) &&
	    term >= nd->term && el_cmp_leader(nd, term, leader) > 0 &&
	    (nd->leader == EL_NONE || leader > nd->leader) &&
	    (nd->algo != &el_bully_algo || leader > nd->cfg.self)) {
		nd->st.adopted++;
		el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
		el_accept(nd, leader, term, nd->live);
		el_rearm(nd);
		return 0;
	}
	/*
	 * Two leaders (a partition healed): the lower leader holds an
	 * election, which the higher side wins. Only the leader acts, so
	 * that one election runs, not one per member of its side.
	 */
	if (!nd->started || leader == EL_NONE || nd->leader != nd->cfg.self ||
	    leader <= nd->cfg.self || !(nd->live & el_bit(leader)) ||
	    nd->phase != EL_IDLE)
		return EL_IGNORED;
	nd->algo->elect(nd);
	el_rearm(nd);
	return 0;
}

void el_timer(struct el_node *nd)
{
	if (nd->deadline != EL_NO_TIMER && el_now(nd) >= nd->deadline) {
		nd->deadline = EL_NO_TIMER;
		nd->algo->timer(nd);
	}
	nd->timer_at = EL_NO_TIMER;
	el_rearm(nd);
}

uint32_t el_leader(const struct el_node *nd) { return nd->leader; }
uint64_t el_leader_term(const struct el_node *nd) { return nd->leader_term; }
uint64_t el_term(const struct el_node *nd) { return nd->term; }
enum el_phase el_phase(const struct el_node *nd) { return nd->phase; }
bool el_started(const struct el_node *nd) { return nd->started; }
uint64_t el_live(const struct el_node *nd) { return nd->live; }
uint64_t el_members(const struct el_node *nd) { return nd->members; }
const struct el_stats *el_stats(const struct el_node *nd) { return &nd->st; }
const struct el_algo *el_node_algo(const struct el_node *nd) { return nd->algo; }
