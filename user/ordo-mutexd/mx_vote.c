// SPDX-License-Identifier: GPL-2.0
/*
 * Decentralized voting. Every lock (resource) is replicated on the N
 * nodes, each replica with its own coordinator: node k's coordinator
 * gives its vote to one client at a time. A client asks every
 * coordinator (REQUEST: its own locally, the N-1 others by message) and
 * enters with m > N/2 votes (quorum; default N/2 + 1). A coordinator that
 * already voted answers DENY. When a majority can no longer be reached
 * the client RETURNs the votes it got and backs off for a random delay
 * (ops->rand: 1..backoff_ms << min(failures - 1, 6) ms) before the next
 * attempt. After its CS the client RELEASEs its votes (the RELEASE to the
 * first voter carries MX_F_DONE). Uncontended, an entry costs 3(N-1)
 * messages: N-1 REQUEST, N-1 VOTE, N-1 RELEASE.
 *
 * Attempts are numbered (req): replies to an older attempt are answered
 * by RETURN (a late VOTE) or ignored (a late DENY), so a vote is never
 * lost. A coordinator reported down counts as a DENY; a coordinator gives
 * up the vote of a client reported down.
 *
 * Resets: mx_reset() makes this node's coordinator forget its votes (its
 * counter survives, as a durable revision would). A reset coordinator can
 * vote for a second client while the first still holds the lock: with k
 * of the holder's m voters reset, another client can collect m votes
 * when N - m + k >= m, i.e. k >= 2m - N. The notes give P[k] =
 * C(m,k) p^k (1-p)^(m-k) for p = the probability that one coordinator
 * resets during the CS.
 *
 * Fencing: every coordinator keeps a counter per lock, sent with its VOTE
 * and raised by the token of every RELEASE; token = max(counters of the
 * m voters, client's own max) + 1. Two majorities share a coordinator,
 * which saw the previous holder's RELEASE before voting again, so tokens
 * grow (as long as holders release: after a holder crashed in its CS,
 * the next token can equal its token).
 */
#include <errno.h>
#include <stdlib.h>

#include "mx_impl.h"

enum v_client_state {
	V_IDLE = 0,
	V_TRYING,		/* an attempt in progress */
	V_BACKOFF,		/* failed: waiting for the next attempt */
	V_HELD,
};

struct v_lock {
	/* coordinator */
	bool voted;
	uint32_t cand;		/* for this client */
	uint64_t cand_att;	/* this attempt */
	uint64_t counter;
	/* client */
	enum v_client_state state;
	uint64_t att;
	uint64_t yes, no;
	uint64_t tmax;		/* max counter of the yes votes */
	uint64_t max_token;
	uint32_t fails;
	uint64_t retry_at;
};

struct mx_vote {
	struct mx_node nd;
	uint32_t m;
	struct v_lock *locks;
};

static const char *const v_names[] = {
	[MX_V_REQUEST] = "REQUEST", [MX_V_VOTE] = "VOTE", [MX_V_DENY] = "DENY",
	[MX_V_RELEASE] = "RELEASE", [MX_V_RETURN] = "RETURN",
};

static struct mx_vote *V(struct mx_node *nd)
{
	return (struct mx_vote *)nd;
}

static void v_send(struct mx_vote *v, uint32_t to, uint16_t type,
		   uint32_t lock, uint64_t att, uint64_t token, uint16_t flags)
{
	struct mx_msg m = {
		.type = type, .flags = flags, .lock = lock, .req = att,
		.token = token,
	};

	mx_send(&v->nd, to, &m);
}

/* Coordinator: 1 vote, 0 deny, -1 stale (an older attempt). */
static int v_coord_vote(struct v_lock *lk, uint32_t c, uint64_t att)
{
	if (lk->voted && lk->cand == c && att < lk->cand_att)
		return -1;
	if (lk->voted && lk->cand != c)
		return 0;
	/* free, the same attempt again, or a newer one of the same client
	 * (which gave this vote back, its RETURN/RELEASE still on the way) */
	lk->voted = true;
	lk->cand = c;
	lk->cand_att = att;
	return 1;
}

/* Coordinator: client @c gives back its vote of attempt @att. */
static int v_coord_free(struct v_lock *lk, uint32_t c, uint64_t att,
			uint64_t token)
{
	lk->counter = mx_max(lk->counter, token);
	if (!lk->voted || lk->cand != c || lk->cand_att != att)
		return MX_IGNORED;
	lk->voted = false;
	return 0;
}

static uint64_t v_backoff(struct mx_vote *v, uint32_t fails)
{
	uint64_t base = v->nd.cfg.backoff_ms ? v->nd.cfg.backoff_ms : 10;
	uint64_t span = base << (fails > 7 ? 6 : fails - 1);

	return 1 + v->nd.ops->rand(v->nd.ctx) % span;
}

/* Give the votes of the current attempt back (after a failure). */
static void v_return(struct mx_vote *v, uint32_t lock)
{
	struct v_lock *lk = &v->locks[lock];
	uint32_t self = v->nd.cfg.self, j;
	uint64_t y;

	for (y = lk->yes; y; y &= y - 1) {
		j = mx_first(y);
		if (j == self)
			v_coord_free(lk, self, lk->att, 0);
		else
			v_send(v, j, MX_V_RETURN, lock, lk->att, 0, 0);
	}
	lk->yes = 0;
}

static void v_check(struct mx_vote *v, uint32_t lock)
{
	struct v_lock *lk = &v->locks[lock];
	uint64_t token;

	if (lk->state != V_TRYING)
		return;
	if (mx_count(lk->yes) >= v->m) {
		lk->state = V_HELD;
		lk->fails = 0;
		token = mx_max(lk->tmax, lk->max_token) + 1;
		lk->max_token = token;
		mx_grant(&v->nd, lock, token);
		return;
	}
	if (mx_count(lk->no) > v->nd.cfg.n - v->m) {
		/* no majority possible: give the votes back, back off */
		v_return(v, lock);
		lk->fails++;
		v->nd.st.failed_attempts++;
		lk->state = V_BACKOFF;
		lk->retry_at = mx_now(&v->nd) + v_backoff(v, lk->fails);
	}
}

static void v_attempt(struct mx_vote *v, uint32_t lock)
{
	struct v_lock *lk = &v->locks[lock];
	uint32_t self = v->nd.cfg.self, j;
	uint64_t others;

	lk->att++;
	lk->state = V_TRYING;
	lk->yes = 0;
	lk->tmax = 0;
	lk->retry_at = MX_NO_TIMER;
	/* coordinators reported down cannot vote */
	lk->no = v->nd.all & ~v->nd.live;
	v->nd.st.attempts++;
	if (v_coord_vote(lk, self, lk->att) == 1) {
		lk->yes |= mx_bit(self);
		lk->tmax = lk->counter;
	} else {
		lk->no |= mx_bit(self);
	}
	for (others = mx_peers(&v->nd); others; others &= others - 1) {
		j = mx_first(others);
		v_send(v, j, MX_V_REQUEST, lock, lk->att, 0, 0);
	}
	v_check(v, lock);
}

static int v_init(struct mx_node *nd)
{
	struct mx_vote *v = V(nd);
	uint32_t i;

	v->m = nd->cfg.quorum ? nd->cfg.quorum : nd->cfg.n / 2 + 1;
	v->locks = calloc(nd->cfg.nlocks, sizeof(*v->locks));
	if (!v->locks)
		return -ENOMEM;
	for (i = 0; i < nd->cfg.nlocks; i++)
		v->locks[i].retry_at = MX_NO_TIMER;
	return 0;
}

static void v_fini(struct mx_node *nd)
{
	free(V(nd)->locks);
}

static int v_acquire(struct mx_node *nd, uint32_t lock)
{
	struct mx_vote *v = V(nd);

	if (v->locks[lock].state != V_IDLE)
		return -EBUSY;
	v->locks[lock].fails = 0;
	v_attempt(v, lock);
	return 0;
}

static int v_release(struct mx_node *nd, uint32_t lock)
{
	struct mx_vote *v = V(nd);
	struct v_lock *lk = &v->locks[lock];
	uint32_t self = nd->cfg.self, j;
	uint16_t flags = MX_F_DONE;
	uint64_t y;

	if (lk->state != V_HELD)
		return -ENOLCK;
	lk->state = V_IDLE;
	for (y = lk->yes; y; y &= y - 1) {
		j = mx_first(y);
		if (j == self) {
			v_coord_free(lk, self, lk->att, lk->max_token);
			continue;
		}
		v_send(v, j, MX_V_RELEASE, lock, lk->att, lk->max_token, flags);
		flags = 0;
	}
	lk->yes = 0;
	return 0;
}

static int v_input(struct mx_node *nd, const struct mx_msg *m)
{
	struct mx_vote *v = V(nd);
	struct v_lock *lk = &v->locks[m->lock];
	uint64_t bit = mx_bit(m->from);
	int r;

	switch (m->type) {
	case MX_V_REQUEST:
		r = v_coord_vote(lk, m->from, m->req);
		if (r < 0)
			return MX_IGNORED;
		v_send(v, m->from, r ? MX_V_VOTE : MX_V_DENY, m->lock, m->req,
		       lk->counter, 0);
		return 0;
	case MX_V_VOTE:
		if (m->req > lk->att)
			return -EINVAL;		/* we never asked */
		if (m->req == lk->att && lk->state == V_TRYING) {
			if (lk->yes & bit)
				return MX_IGNORED;
			lk->yes |= bit;
			lk->no &= ~bit;
			lk->tmax = mx_max(lk->tmax, m->token);
			v_check(v, m->lock);
			return 0;
		}
		if (m->req == lk->att && lk->state == V_HELD) {
			if (lk->yes & bit)
				return MX_IGNORED;
			lk->yes |= bit;		/* released with the others */
			return 0;
		}
		/* an attempt we gave up or finished: give the vote back */
		v_send(v, m->from, MX_V_RETURN, m->lock, m->req, 0, 0);
		return 0;
	case MX_V_DENY:
		if (m->req != lk->att || lk->state != V_TRYING ||
		    (lk->no & bit) || (lk->yes & bit))
			return MX_IGNORED;
		lk->no |= bit;
		v_check(v, m->lock);
		return 0;
	case MX_V_RELEASE:
		return v_coord_free(lk, m->from, m->req, m->token);
	case MX_V_RETURN:
		return v_coord_free(lk, m->from, m->req, 0);
	}
	return -EINVAL;
}

static void v_timer(struct mx_node *nd)
{
	struct mx_vote *v = V(nd);
	uint64_t now = mx_now(nd);
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++) {
		if (v->locks[i].state == V_BACKOFF &&
		    v->locks[i].retry_at <= now)
			v_attempt(v, i);
	}
}

static uint64_t v_deadline(struct mx_node *nd)
{
	struct mx_vote *v = V(nd);
	uint64_t at = MX_NO_TIMER;
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++) {
		if (v->locks[i].state == V_BACKOFF)
			at = mx_min(at, v->locks[i].retry_at);
	}
	return at;
}

static void v_peer_down(struct mx_node *nd, uint32_t id)
{
	struct mx_vote *v = V(nd);
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct v_lock *lk = &v->locks[i];

		if (lk->voted && lk->cand == id)
			lk->voted = false;	/* its client is gone */
		if (lk->state == V_TRYING) {
			/* its coordinator is gone: a no */
			lk->yes &= ~mx_bit(id);
			lk->no |= mx_bit(id);
			v_check(v, i);
		}
	}
}

static void v_peer_up(struct mx_node *nd, uint32_t id)
{
	/* a new incarnation: its coordinator starts with no vote given */
	(void)nd;
	(void)id;
}

static void v_reset(struct mx_node *nd)
{
	struct mx_vote *v = V(nd);
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++)
		v->locks[i].voted = false;
}

static enum mx_lock_state v_lock_state(const struct mx_node *nd,
				       uint32_t lock)
{
	switch (((const struct mx_vote *)nd)->locks[lock].state) {
	case V_TRYING:
	case V_BACKOFF:
		return MX_WAITING;
	case V_HELD:
		return MX_HELD;
	default:
		return MX_IDLE;
	}
}

uint64_t mx_vote_voters(const struct mx_node *nd, uint32_t lock)
{
	const struct mx_vote *v = (const struct mx_vote *)nd;

	if (nd->algo != &mx_vote_algo || lock >= nd->cfg.nlocks ||
	    v->locks[lock].state != V_HELD)
		return 0;
	return v->locks[lock].yes;
}

uint32_t mx_vote_voted_for(const struct mx_node *nd, uint32_t lock)
{
	const struct mx_vote *v = (const struct mx_vote *)nd;

	if (nd->algo != &mx_vote_algo || lock >= nd->cfg.nlocks ||
	    !v->locks[lock].voted)
		return 0;
	return v->locks[lock].cand + 1;
}

const struct mx_algo mx_vote_algo = {
	.name = "vote",
	.ntypes = MX_V_RETURN,
	.done_type = MX_V_RELEASE,
	.type_names = v_names,
	.size = sizeof(struct mx_vote),
	.init = v_init,
	.fini = v_fini,
	.acquire = v_acquire,
	.release = v_release,
	.input = v_input,
	.peer_down = v_peer_down,
	.peer_up = v_peer_up,
	.timer = v_timer,
	.deadline = v_deadline,
	.reset = v_reset,
	.lock_state = v_lock_state,
};
