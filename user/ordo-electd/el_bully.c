// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-electd: the bully algorithm, as the notes describe it.
 *
 * A process that notices the coordinator is gone holds an election: it
 * sends ELECTION to every process with a higher id (all of them: it does
 * not know which are alive) and waits answer_ms. A higher process that
 * gets an ELECTION answers OK ("I am alive and take over") and holds its
 * own election, unless it is already holding one. If no OK comes, the
 * sender wins and announces itself with COORDINATOR to every process it
 * believes alive; if an OK comes, it waits coord_ms for the COORDINATOR
 * and holds a new election if none comes. A recovered process higher
 * than the coordinator holds an election at start, which it wins: it
 * bullies its way back. Each election has a term, one more than the
 * highest term the holder has seen; COORDINATOR messages older than the
 * accepted (term, leader) are ignored and counted as stale. Costs:
 * Documentation/election-algorithms.rst.
 */
#include <errno.h>

#include "el_impl.h"

static void bully_win(struct el_node *nd)
{
	struct el_msg m = { 0 };
	uint32_t i;
	bool first = true;

	el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
	el_accept(nd, nd->cfg.self, nd->term, nd->live);
	m.type = EL_COORDINATOR;
	m.term = nd->term;
	m.leader = nd->cfg.self;
	for (i = 0; i < nd->cfg.n; i++) {
		if (i == nd->cfg.self || !(nd->live & el_bit(i)))
			continue;
		m.flags = first ? EL_F_DONE : 0;
		first = false;
		el_send(nd, i, &m);
	}
}

static void bully_elect(struct el_node *nd)
{
	struct el_msg m = { 0 };
	uint32_t i;

	nd->term++;
	nd->st.elections++;
	if (nd->cfg.self + 1 == nd->cfg.n) {
		/* nobody higher: the highest process wins at once */
		bully_win(nd);
		return;
	}
	el_set_phase(nd, EL_WAIT_OK, nd->cfg.answer_ms);
	m.type = EL_ELECTION;
	m.term = nd->term;
	/* what this node accepts: the receivers judge whether it is behind */
	m.top = nd->leader_term;
	m.leader = nd->leader;
	for (i = nd->cfg.self + 1; i < nd->cfg.n; i++)
		el_send(nd, i, &m);
}

static void bully_start(struct el_node *nd)
{
	if (nd->leader == EL_NONE || nd->leader < nd->cfg.self ||
	    !(nd->live & el_bit(nd->leader)))
		bully_elect(nd);
}

static int bully_input(struct el_node *nd, const struct el_msg *m)
{
	struct el_msg r = { 0 };
	int c;

	switch (m->type) {
	case EL_ELECTION:
		if (m->from > nd->cfg.self || m->top >= m->term ||
		    (m->leader != EL_NONE && m->leader >= nd->cfg.n))
			return -EINVAL;	/* ELECTION only goes up */
		if (m->term > nd->term)
			nd->term = m->term;
		r.type = EL_OK;
		r.term = nd->term;
		el_send(nd, m->from, &r);
		if (nd->phase != EL_IDLE)
			return 0;	/* holding an election already */
		if (nd->leader == nd->cfg.self) {
			if (el_cmp_leader(nd, m->top, m->leader) > 0) {
				/* the sender accepts a newer leader: win
				 * again, above that term */
				bully_elect(nd);
				return 0;
			}
			/*
			 * The outcome is known: this node leads. Tell the
			 * sender, unless the COORDINATOR is on its way: it
			 * was told (a member when we announced) and began
			 * this election before it could have heard of it
			 * (its term is not above ours). A sender that lost
			 * us, or took over for a lower one, has a higher
			 * term and is told: it ends its election on it.
			 */
			if (!(nd->members & el_bit(m->from)) ||
			    m->term > nd->leader_term) {
				r.type = EL_COORDINATOR;
				r.term = nd->leader_term;
				r.leader = nd->cfg.self;
				el_send(nd, m->from, &r);
				nd->members |= el_bit(m->from);
			}
			return 0;
		}
		if (nd->leader != EL_NONE && nd->leader > nd->cfg.self &&
		    (nd->live & el_bit(nd->leader)) &&
		    (m->top < nd->leader_term ||
		     (m->top == nd->leader_term && m->leader != EL_NONE &&
		      m->leader < nd->leader))) {
			/*
			 * The sender is behind: it has not heard of the
			 * leader this node accepts, which is higher, alive,
			 * and got the same ELECTION (it goes to every higher
			 * id): that leader tells it. Taking over would hold
			 * an election of a newer term for nothing. A sender
			 * that lost the leader we accept (same term, no
			 * leader) is not behind: we take over.
			 */
			return 0;
		}
		bully_elect(nd);
		return 0;
	case EL_OK:
		if (m->from < nd->cfg.self)
			return -EINVAL;	/* OK only comes down */
		if (m->term > nd->term)
			nd->term = m->term;
		if (nd->phase != EL_WAIT_OK)
			return EL_IGNORED;	/* late, or a duplicate */
		el_set_phase(nd, EL_WAIT_COORD, nd->cfg.coord_ms);
		return 0;
	case EL_COORDINATOR:
		if (m->leader != m->from)
			return -EINVAL;
		c = el_cmp_leader(nd, m->term, m->leader);
		if (c < 0) {
			nd->st.stale++;
			return EL_IGNORED;
		}
		if (c == 0) {
			if (nd->phase == EL_IDLE)
				return EL_IGNORED;	/* a duplicate */
			/* the leader we accept answered the election we
			 * hold (we took over for a lower node): it lives */
			el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
			return 0;
		}
		if (m->term > nd->term)
			nd->term = m->term;
		if (m->leader < nd->cfg.self) {
			/* a lower process won (it did not hear us): bully it */
			if (nd->phase == EL_IDLE || nd->phase == EL_WAIT_COORD)
				bully_elect(nd);
			return 0;
		}
		el_set_phase(nd, EL_IDLE, EL_NO_TIMER);
		el_accept(nd, m->leader, m->term, nd->live);
		return 0;
	default:
		return -EINVAL;
	}
}

static void bully_peer_down(struct el_node *nd, uint32_t id)
{
	if (id != nd->leader)
		return;
	el_lose_leader(nd);
	if (nd->phase == EL_IDLE)
		bully_elect(nd);
}

static void bully_peer_up(struct el_node *nd, uint32_t id)
{
	(void)nd;
	(void)id;	/* a recovered process holds its own election */
}

static void bully_timer(struct el_node *nd)
{
	switch (nd->phase) {
	case EL_WAIT_OK:
		bully_win(nd);	/* nobody higher answered */
		break;
	case EL_WAIT_COORD:
		nd->st.timeouts++;	/* the higher one died meanwhile */
		bully_elect(nd);
		break;
	default:
		break;
	}
}

const struct el_algo el_bully_algo = {
	.name = "bully",
	.ntypes = EL_COORDINATOR,
	.size = sizeof(struct el_node),
	.start = bully_start,
	.elect = bully_elect,
	.input = bully_input,
	.peer_down = bully_peer_down,
	.peer_up = bully_peer_up,
	.timer = bully_timer,
};
