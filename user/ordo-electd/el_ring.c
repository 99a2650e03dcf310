// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-electd: the ring algorithm, as the notes describe it.
 *
 * The members form a logical ring in id order. A process that notices the
 * coordinator is gone builds an ELECTION carrying its id and sends it to
 * its successor, or, if that one is down, to the next running process
 * after it. Each process that forwards it appends its own id. When the
 * message gets back to its initiator, it becomes a COORDINATOR naming the
 * highest id of the list and the list itself (the new ring), and goes
 * around once more; back at the initiator it is removed. Concurrent
 * initiators each send their own message around; all of them name the
 * same highest id, so they converge.
 *
 * Failures: an ELECTION or COORDINATOR whose initiator died would go
 * around forever; the live process just before the dead initiator (the
 * one whose next hop would pass it) takes over: it turns the ELECTION
 * into the COORDINATOR (the list without the dead initiator), or removes
 * the COORDINATOR. A lost message is repaired by timeouts: the initiator
 * holds a new election when its message has not come back within
 * coord_ms, a process that forwarded an ELECTION holds one when no
 * COORDINATOR followed within coord_ms. An ELECTION whose next hop the
 * failure detector reports down before the COORDINATOR came (the member
 * before a dead leader forwarded it there before it suspected the
 * leader) is sent again to the next live member: a skip, one message
 * more, where the timeout would cost coord_ms and an election per
 * waiting member. Terms as in bully; a stale
 * COORDINATOR is ignored and not forwarded. A recovered process does not
 * take over: it accepts the current leader and waits for the next
 * election. Costs: Documentation/election-algorithms.rst.
 */
#include <errno.h>
#include <string.h>

#include "el_impl.h"

/* Hops from @a forward to @b on the ring (n when a == b). */
static uint32_t dist(const struct el_node *nd, uint32_t a, uint32_t b)
{
	uint32_t n = nd->cfg.n;

	return a == b ? n : (b + n - a) % n;
}

/* The next live member after self; self when alone. */
static uint32_t succ(const struct el_node *nd)
{
	uint32_t k, id;

	for (k = 1; k < nd->cfg.n; k++) {
		id = (nd->cfg.self + k) % nd->cfg.n;
		if (nd->live & el_bit(id))
			return id;
	}
	return nd->cfg.self;
}

static uint64_t list_mask(const struct el_msg *m)
{
	uint64_t mask = 0;
	uint32_t i;

	for (i = 0; i < m->n_list; i++)
		mask |= el_bit(m->list[i]);
	return mask;
}

static uint32_t list_max(const struct el_msg *m)
{
	uint32_t i, max = 0;

	for (i = 0; i < m->n_list; i++)
		if (m->list[i] > max)
			max = m->list[i];
	return max;
}

/* The ids are members, none twice, the first is the initiator's. */
static bool list_ok(const struct el_node *nd, const struct el_msg *m)
{
	uint64_t seen = 0;
	uint32_t i;

	if (m->n_list == 0 || m->initiator >= nd->cfg.n)
		return false;
	for (i = 0; i < m->n_list; i++) {
		if (m->list[i] >= nd->cfg.n || (seen & el_bit(m->list[i])))
			return false;
		seen |= el_bit(m->list[i]);
	}
	return true;
}

/* Send the COORDINATOR for @list (this node announces it). */
static void announce(struct el_node *nd, uint64_t term, const struct el_msg *list)
{
	struct el_msg m = { 0 };
	uint32_t i, s = succ(nd);

	m.type = EL_COORDINATOR;
	m.flags = EL_F_DONE;
	m.term = term;
	m.initiator = nd->cfg.self;
	for (i = 0; i < list->n_list; i++)
		m.list[m.n_list++] = list->list[i];
	m.leader = list_max(&m);
	if (el_cmp_leader(nd, term, m.leader) > 0)
		el_accept(nd, m.leader, term, list_mask(&m));
	if (s == nd->cfg.self) {
		el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
		return;
	}
	nd->my_term = term;
	el_set_phase(nd, EL_ANNOUNCING, nd->cfg.coord_ms);
	el_send(nd, s, &m);
}

/* This node's own ELECTION, of its term my_term. */
static void own_election(const struct el_node *nd, struct el_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = EL_ELECTION;
	m->term = nd->my_term;
	m->initiator = nd->cfg.self;
	m->list[m->n_list++] = nd->cfg.self;
}

static void ring_elect(struct el_node *nd)
{
	struct el_msg m;
	uint32_t s = succ(nd);

	nd->term++;
	nd->my_term = nd->term;
	nd->st.elections++;
	own_election(nd, &m);
	/* what it forwarded before belongs to an older election */
	nd->fwd_to = EL_NONE;
	nd->own_to = EL_NONE;
	if (s == nd->cfg.self) {
		announce(nd, nd->term, &m);	/* alone: no message */
		return;
	}
	el_set_phase(nd, EL_INITIATED, nd->cfg.coord_ms);
	nd->own_to = s;
	el_send(nd, s, &m);
}

/* Hold an election now, or, with stagger_ms, (k - 1) * stagger_ms from
 * now, k being this node's place after @gone (1: its successor), unless
 * an ELECTION reaches it first. */
static void ring_elect_staggered(struct el_node *nd, uint32_t gone)
{
	uint32_t k = dist(nd, gone, nd->cfg.self);

	if (!nd->cfg.stagger_ms || k <= 1) {
		ring_elect(nd);
		return;
	}
	el_set_phase(nd, EL_PENDING, (uint64_t)(k - 1) * nd->cfg.stagger_ms);
}

static void ring_start(struct el_node *nd)
{
	/* a recovered process accepts the leader its peers report */
	if (nd->leader != EL_NONE && (nd->live & el_bit(nd->leader)))
		return;
	/* a cold start: as if the highest id had just gone */
	ring_elect_staggered(nd, nd->cfg.n - 1);
}

/*
 * Send the ELECTION @f (this node's id appended) to the next live member
 * (true), kept in nd->fwd for a skip, or, when that hop would pass its
 * initiator, which is then down, finish the election for it, without it.
 */
static bool forward(struct el_node *nd, const struct el_msg *f)
{
	uint32_t s = succ(nd), i;

	nd->fwd_to = EL_NONE;
	if (s != f->initiator && dist(nd, nd->cfg.self, f->initiator) < dist(nd, nd->cfg.self, s)) {
		struct el_msg l = { 0 };

		for (i = 0; i < f->n_list; i++)
			if (f->list[i] != f->initiator)
				l.list[l.n_list++] = f->list[i];
		nd->st.takeovers++;
		announce(nd, f->top > f->term ? f->top : f->term, &l);
		return false;
	}
	nd->fwd = *f;
	nd->fwd_to = s;
	el_send(nd, s, &nd->fwd);
	return true;
}

static int ring_election(struct el_node *nd, const struct el_msg *m)
{
	struct el_msg f;

	if (m->list[0] != m->initiator)
		return -EINVAL;
	if (m->term > nd->term)
		nd->term = m->term;
	if (m->initiator == nd->cfg.self) {
		/* back home: it becomes the COORDINATOR */
		if (nd->phase != EL_INITIATED || m->term != nd->my_term)
			return EL_IGNORED;	/* an older one of ours */
		announce(nd, m->top > m->term ? m->top : m->term, m);
		return 0;
	}
	if (list_mask(m) & el_bit(nd->cfg.self))
		return EL_IGNORED;	/* seen already: a duplicate */
	f = *m;
	f.flags = 0;
	f.list[f.n_list++] = nd->cfg.self;
	if (nd->term > f.top)
		f.top = nd->term;
	if (nd->phase == EL_IDLE || nd->phase == EL_PENDING || nd->phase == EL_WAIT_COORD)
		el_set_phase(nd, EL_WAIT_COORD, nd->cfg.coord_ms);
	forward(nd, &f);
	return 0;
}

static int ring_coordinator(struct el_node *nd, const struct el_msg *m)
{
	struct el_msg f;
	uint32_t s = succ(nd);
	int c;

	if (m->leader != list_max(m))
		return -EINVAL;
	if (m->initiator == nd->cfg.self) {
		/* it went around once: removed */
		if (nd->phase == EL_ANNOUNCING && m->term == nd->my_term) {
			el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
			return 0;
		}
		return EL_IGNORED;
	}
	c = el_cmp_leader(nd, m->term, m->leader);
	if (c < 0) {
		nd->st.stale++;
		return EL_IGNORED;	/* not forwarded either */
	}
	if (m->term > nd->term)
		nd->term = m->term;
	if (c > 0)
		el_accept(nd, m->leader, m->term, list_mask(m));
	/* this node's own election is over unless it is newer */
	if (nd->phase == EL_WAIT_COORD || nd->phase == EL_PENDING ||
	    ((nd->phase == EL_INITIATED || nd->phase == EL_ANNOUNCING) &&
	     nd->my_term <= m->term))
		el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
	if (s == nd->cfg.self || s == m->initiator ||
	    dist(nd, nd->cfg.self, m->initiator) > dist(nd, nd->cfg.self, s)) {
		if (s != nd->cfg.self) {
			f = *m;
			f.flags = 0;
			el_send(nd, s, &f);
		}
		return 0;
	}
	/* the next hop passes its initiator, which is down: removed here */
	return 0;
}

static int ring_input(struct el_node *nd, const struct el_msg *m)
{
	if (!list_ok(nd, m))
		return -EINVAL;
	if (m->type == EL_ELECTION)
		return ring_election(nd, m);
	return ring_coordinator(nd, m);
}

/*
 * @id went down while an ELECTION this node sent it had no COORDINATOR
 * yet (a member that had not suspected the dead leader forwarded it
 * there): it goes on to the next live member, as the notes say of a
 * successor that is down, instead of waiting coord_ms for the timeout.
 */
static void ring_skip(struct el_node *nd, uint32_t id)
{
	struct el_msg f;

	if (nd->phase == EL_INITIATED && nd->own_to == id) {
		uint32_t s = succ(nd);

		own_election(nd, &f);
		nd->own_to = EL_NONE;
		if (s == nd->cfg.self) {
			announce(nd, nd->my_term, &f);	/* alone now */
			return;
		}
		nd->st.skips++;
		nd->own_to = s;
		el_send(nd, s, &f);
	}
	if ((nd->phase == EL_INITIATED || nd->phase == EL_WAIT_COORD) &&
	    nd->fwd_to == id) {
		f = nd->fwd;
		f.flags = 0;
		if (forward(nd, &f))
			nd->st.skips++;
	}
}

static void ring_peer_down(struct el_node *nd, uint32_t id)
{
	ring_skip(nd, id);
	if (id != nd->leader)
		return;
	el_lose_leader(nd);
	if (nd->phase == EL_IDLE)
		ring_elect_staggered(nd, id);
}

static void ring_peer_up(struct el_node *nd, uint32_t id)
{
	(void)nd;
	(void)id;	/* it joins the ring at the next election */
}

static void ring_timer(struct el_node *nd)
{
	switch (nd->phase) {
	case EL_PENDING:
		ring_elect(nd);
		break;
	case EL_ANNOUNCING:
		/* the COORDINATOR did not come back: the leader is accepted
		 * here; a node it missed times out in EL_WAIT_COORD */
		nd->st.timeouts++;
		el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
		break;
	case EL_INITIATED:
	case EL_WAIT_COORD:
		nd->st.timeouts++;
		el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
		ring_elect(nd);
		break;
	default:
		break;
	}
}

const struct el_algo el_ring_algo = {
	.name = "ring",
	.ntypes = EL_COORDINATOR,
	.size = sizeof(struct el_node),
	.start = ring_start,
	.elect = ring_elect,
	.input = ring_input,
	.peer_down = ring_peer_down,
	.peer_up = ring_peer_up,
	.timer = ring_timer,
};
