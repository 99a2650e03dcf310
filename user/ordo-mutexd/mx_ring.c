// SPDX-License-Identifier: GPL-2.0
/*
 * Token ring: one token per lock travels along a logical ring in id order
 * (0, 1, ..., n-1, 0, ...), skipping the nodes reported down. The node
 * that holds the token may enter its CS; it passes the token on at
 * release (that TOKEN carries MX_F_DONE), or at once (after idle_ms)
 * when it does not want it. A circulation costs one TOKEN per live node;
 * a request waits 0..N-1 MTTU for the token when nobody else uses it.
 *
 * Duplicates. Every TOKEN carries a hop count (req), one more at every
 * pass and never reused (a regenerated token continues above every hop
 * seen): a node drops a TOKEN whose hop is not above the last one it
 * received or sent, so a duplicated message never makes a second token.
 *
 * Lost tokens. Every token carries a generation; a node drops a token
 * whose generation is below the highest one it has seen (min_gen). Only
 * the leader (the caller's coordinator, normally the lowest live id)
 * regenerates, after a PROBE round: when it suspects a loss (a peer went
 * down, it became leader, or it has not seen the token for
 * token_timeout_ms) it picks a new generation G and sends PROBE(G) around
 * the ring. Each other node raises its min_gen to G, so that an older
 * token arriving later is dropped; a node that holds the token raises the
 * token's generation to G and marks the probe SEEN. When the probe comes
 * back SEEN, or the token reached the leader meanwhile (it joins G
 * there), the token is alive and nothing is created; otherwise no live
 * node held it and every live node refuses the old generations: the
 * leader creates the token with generation G. So a lost token is
 * regenerated exactly once, and a "lost" token that turns up later is
 * discarded by generation. Only the last round counts: a probe that
 * returns after a newer round started is ignored. On FIFO links the probe
 * never overtakes a token in flight (it travels the same links behind
 * it); on links that reorder, a probe that overtakes a token in flight
 * declares it lost: that token is dropped where it arrives and replaced,
 * once. A probe can be lost too: a node forwards it to a successor it
 * does not suspect yet, which is down (the channel drops it, or the
 * successor dies with it); the leader starts a new round when its probe
 * has not come back within probe_timeout_ms (never reusing the lost
 * round's generation). Generations are (round << 6 | leader id): two leaders (during a
 * change of leader) never pick the same one. The probe also brings back
 * the highest generation the nodes on its way know: a leader that knows
 * less (it restarted, or the round of the leader it replaced raised some
 * min_gen) starts a round above it instead of creating a token that those
 * nodes would drop as stale.
 *
 * Fencing: token value = generation << 32 | count; each grant takes
 * max(value carried, generation << 32) + 1, so tokens grow along the ring
 * and jump above every older generation when the generation changes.
 */
#include <errno.h>
#include <stdlib.h>

#include "mx_impl.h"

#define R_GEN(round, id)	((uint64_t)(round) << 6 | (id))

struct r_lock {
	bool has;		/* the token is here */
	bool in_cs;
	bool want;
	uint64_t gen;		/* its generation */
	uint64_t hop;		/* the last hop received or sent */
	uint64_t value;		/* the last fencing token issued */
	uint64_t min_gen;	/* older tokens are stale */
	uint64_t pass_at;	/* idle token: pass it then */
	/* leader */
	bool probing;
	uint64_t probe_gen;
	uint64_t probe_at;	/* when the probe left */
	uint64_t seen_at;	/* when the token was last here */
};

struct mx_ring {
	struct mx_node nd;
	uint32_t leader;
	uint64_t epoch;
	struct r_lock *locks;
};

static const char *const r_names[] = {
	[MX_R_TOKEN] = "TOKEN", [MX_R_PROBE] = "PROBE",
};

static struct mx_ring *R(struct mx_node *nd)
{
	return (struct mx_ring *)nd;
}

/* The next live node after self in id order (self when alone). */
static uint32_t r_next(const struct mx_node *nd)
{
	uint32_t k, j;

	for (k = 1; k < nd->cfg.n; k++) {
		j = (nd->cfg.self + k) % nd->cfg.n;
		if (nd->live & mx_bit(j))
			return j;
	}
	return nd->cfg.self;
}

static void r_pass(struct mx_ring *r, uint32_t lock, uint16_t flags)
{
	struct r_lock *lk = &r->locks[lock];
	struct mx_msg m = {
		.type = MX_R_TOKEN, .flags = flags, .lock = lock,
		.gen = lk->gen, .token = lk->value, .req = lk->hop + 1,
	};
	uint32_t next = r_next(&r->nd);

	lk->pass_at = MX_NO_TIMER;
	if (r->leader == r->nd.cfg.self)
		lk->seen_at = mx_now(&r->nd);
	if (next == r->nd.cfg.self)
		return;			/* alone: keep it */
	lk->has = false;
	lk->hop = m.req;
	mx_send(&r->nd, next, &m);
}

static void r_enter(struct mx_ring *r, uint32_t lock)
{
	struct r_lock *lk = &r->locks[lock];

	lk->want = false;
	lk->in_cs = true;
	lk->pass_at = MX_NO_TIMER;
	lk->value = mx_max(lk->value, lk->gen << 32) + 1;
	mx_grant(&r->nd, lock, lk->value);
}

/* The token is here (arrived or created). */
static void r_take(struct mx_ring *r, uint32_t lock)
{
	struct r_lock *lk = &r->locks[lock];

	lk->has = true;
	if (r->leader == r->nd.cfg.self) {
		lk->seen_at = mx_now(&r->nd);
		if (lk->probing) {
			/* alive: it joins the round's generation */
			lk->probing = false;
			lk->gen = mx_max(lk->gen, lk->probe_gen);
			lk->min_gen = mx_max(lk->min_gen, lk->gen);
		}
	}
	if (lk->want)
		r_enter(r, lock);
	else if (r->nd.cfg.idle_ms == 0)
		r_pass(r, lock, 0);
	else
		lk->pass_at = mx_now(&r->nd) + r->nd.cfg.idle_ms;
}

static void r_regenerate(struct mx_ring *r, uint32_t lock, uint64_t gen,
			 uint64_t hop)
{
	struct r_lock *lk = &r->locks[lock];

	lk->probing = false;
	lk->hop = mx_max(lk->hop, hop);
	lk->gen = gen;
	lk->min_gen = mx_max(lk->min_gen, gen);
	lk->value = mx_max(lk->value, gen << 32);
	r->nd.st.regenerations++;
	r_take(r, lock);
}

/* Leader: is the token still there? */
static void r_start_probe(struct mx_ring *r, uint32_t lock)
{
	struct r_lock *lk = &r->locks[lock];
	uint64_t round, gen;
	struct mx_msg m = { .type = MX_R_PROBE, .lock = lock };
	uint32_t next;

	if (lk->has) {
		lk->probing = false;
		lk->seen_at = mx_now(&r->nd);
		return;
	}
	round = (mx_max(mx_max(lk->min_gen, lk->probe_gen), lk->gen) >> 6) + 1;
	gen = R_GEN(round, r->nd.cfg.self);
	/* our own min_gen rises when the round ends: a token on its way to
	 * us is still welcome (it joins the round) */
	lk->probing = true;
	lk->probe_gen = gen;
	lk->probe_at = mx_now(&r->nd);
	r->nd.st.probes++;
	next = r_next(&r->nd);
	if (next == r->nd.cfg.self) {
		r_regenerate(r, lock, gen, 0);	/* alone: nobody has it */
		return;
	}
	m.gen = gen;
	m.aux = r->nd.cfg.self;
	m.token = lk->hop;
	m.req = 0;	/* the highest generation the nodes on the way know */
	mx_send(&r->nd, next, &m);
}

static int r_init(struct mx_node *nd)
{
	struct mx_ring *r = R(nd);
	uint64_t now = mx_now(nd);
	uint32_t i;

	r->locks = calloc(nd->cfg.nlocks, sizeof(*r->locks));
	if (!r->locks)
		return -ENOMEM;
	r->leader = nd->cfg.coordinator;
	r->epoch = nd->cfg.epoch;
	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct r_lock *lk = &r->locks[i];

		lk->pass_at = MX_NO_TIMER;
		lk->seen_at = now;
		if (r->leader != nd->cfg.self)
			continue;
		if (nd->cfg.flags & MX_CFG_REJOIN) {
			r_start_probe(r, i);
			continue;
		}
		/* the first token; it leaves at the first timer */
		lk->has = true;
		lk->gen = R_GEN(1, nd->cfg.self);
		lk->min_gen = lk->gen;
		lk->value = lk->gen << 32;
		lk->pass_at = now + nd->cfg.idle_ms;
	}
	return 0;
}

static void r_fini(struct mx_node *nd)
{
	free(R(nd)->locks);
}

static int r_acquire(struct mx_node *nd, uint32_t lock)
{
	struct mx_ring *r = R(nd);
	struct r_lock *lk = &r->locks[lock];

	if (lk->want || lk->in_cs)
		return -EBUSY;
	if (lk->has)
		r_enter(r, lock);	/* an idle token is here */
	else
		lk->want = true;
	return 0;
}

static int r_release(struct mx_node *nd, uint32_t lock)
{
	struct mx_ring *r = R(nd);
	struct r_lock *lk = &r->locks[lock];

	if (!lk->in_cs)
		return -ENOLCK;
	lk->in_cs = false;
	r_pass(r, lock, MX_F_DONE);
	return 0;
}

static int r_token(struct mx_ring *r, const struct mx_msg *m)
{
	struct r_lock *lk = &r->locks[m->lock];

	if (m->gen < lk->min_gen || (lk->has && m->gen <= lk->gen)) {
		r->nd.st.stale_tokens++;
		return MX_IGNORED;	/* an older generation */
	}
	if (m->req <= lk->hop)
		return MX_IGNORED;	/* a duplicate */
	lk->hop = m->req;
	if (lk->has) {
		/* ours is older (cannot happen with one leader): keep one */
		r->nd.st.stale_tokens++;
		lk->gen = m->gen;
		lk->min_gen = m->gen;
		lk->value = mx_max(lk->value, m->token);
		return 0;
	}
	lk->gen = m->gen;
	lk->min_gen = mx_max(lk->min_gen, m->gen);
	lk->value = mx_max(lk->value, m->token);
	r_take(r, m->lock);
	return 0;
}

static int r_probe(struct mx_ring *r, const struct mx_msg *m)
{
	struct r_lock *lk = &r->locks[m->lock];
	struct mx_msg fwd = *m;

	if (m->aux == r->nd.cfg.self) {
		/* our probe is back */
		if (!lk->probing || m->gen != lk->probe_gen)
			return MX_IGNORED;	/* an older round */
		lk->min_gen = mx_max(lk->min_gen, m->gen);
		if ((m->flags & MX_F_SEEN) || lk->has) {
			lk->probing = false;
			lk->seen_at = mx_now(&r->nd);
			return 0;
		}
		if (m->req > m->gen) {
			/*
			 * A node on the way knows a newer generation (a
			 * restarted leader forgot them, or the round of a
			 * leader just replaced raised it): a token of G would
			 * be stale there. A round above it instead.
			 */
			lk->min_gen = mx_max(lk->min_gen, m->req);
			r_start_probe(r, m->lock);
			return 0;
		}
		/* nobody has it, and nobody will take the old one */
		r_regenerate(r, m->lock, m->gen, m->token);
		return 0;
	}
	if (m->aux >= r->nd.cfg.n || !(r->nd.live & mx_bit(m->aux)))
		return MX_IGNORED;		/* its leader is gone */
	/* the highest generation seen on the way, before this round's */
	fwd.req = mx_max(m->req, mx_max(lk->min_gen, lk->gen));
	lk->min_gen = mx_max(lk->min_gen, m->gen);
	fwd.flags = m->flags & MX_F_SEEN;
	fwd.token = mx_max(m->token, lk->hop);	/* the highest hop seen */
	if (lk->has) {
		if (lk->gen < m->gen)
			lk->gen = m->gen;	/* the live token joins G */
		fwd.flags |= MX_F_SEEN;
	}
	mx_send(&r->nd, r_next(&r->nd), &fwd);
	return 0;
}

static int r_input(struct mx_node *nd, const struct mx_msg *m)
{
	switch (m->type) {
	case MX_R_TOKEN:
		return r_token(R(nd), m);
	case MX_R_PROBE:
		return r_probe(R(nd), m);
	}
	return -EINVAL;
}

static void r_peer_down(struct mx_node *nd, uint32_t id)
{
	struct mx_ring *r = R(nd);
	uint32_t i;

	(void)id;
	if (r->leader != nd->cfg.self)
		return;
	/* it may have held the token, or the probe */
	for (i = 0; i < nd->cfg.nlocks; i++)
		r_start_probe(r, i);
}

static void r_peer_up(struct mx_node *nd, uint32_t id)
{
	struct mx_ring *r = R(nd);
	uint32_t i;

	(void)id;
	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct r_lock *lk = &r->locks[i];

		/* an idle token kept while alone moves again */
		if (lk->has && !lk->in_cs && lk->pass_at == MX_NO_TIMER)
			lk->pass_at = mx_now(nd) + nd->cfg.idle_ms;
	}
}

static void r_timer(struct mx_node *nd)
{
	struct mx_ring *r = R(nd);
	uint64_t now = mx_now(nd), to = nd->cfg.token_timeout_ms;
	uint64_t pto = nd->cfg.probe_timeout_ms;
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct r_lock *lk = &r->locks[i];

		if (lk->has && !lk->in_cs && lk->pass_at <= now)
			r_pass(r, i, 0);
		if (r->leader == nd->cfg.self && lk->probing && pto &&
		    now >= lk->probe_at + pto) {
			r_start_probe(r, i);	/* lost: a new round */
			continue;
		}
		if (r->leader != nd->cfg.self || !to || lk->has)
			continue;
		if (now >= (lk->probing ? lk->probe_at : lk->seen_at) + to)
			r_start_probe(r, i);
	}
}

static uint64_t r_deadline(struct mx_node *nd)
{
	struct mx_ring *r = R(nd);
	uint64_t at = MX_NO_TIMER, to = nd->cfg.token_timeout_ms;
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct r_lock *lk = &r->locks[i];

		if (lk->has && !lk->in_cs)
			at = mx_min(at, lk->pass_at);
		if (r->leader == nd->cfg.self && lk->probing &&
		    nd->cfg.probe_timeout_ms)
			at = mx_min(at, lk->probe_at + nd->cfg.probe_timeout_ms);
		if (r->leader == nd->cfg.self && to && !lk->has)
			at = mx_min(at, (lk->probing ? lk->probe_at :
					 lk->seen_at) + to);
	}
	return at;
}

static int r_coordinator_changed(struct mx_node *nd, uint32_t id,
				 uint64_t epoch)
{
	struct mx_ring *r = R(nd);
	uint32_t i;

	if (epoch <= r->epoch)
		return -EINVAL;
	r->leader = id;
	r->epoch = epoch;
	for (i = 0; i < nd->cfg.nlocks; i++) {
		r->locks[i].probing = false;
		r->locks[i].seen_at = mx_now(nd);
		/* the old leader may have died with the token or the probe */
		if (id == nd->cfg.self)
			r_start_probe(r, i);
	}
	return 0;
}

static enum mx_lock_state r_lock_state(const struct mx_node *nd, uint32_t lock)
{
	const struct r_lock *lk = &((const struct mx_ring *)nd)->locks[lock];

	return lk->in_cs ? MX_HELD : lk->want ? MX_WAITING : MX_IDLE;
}

const struct mx_algo mx_ring_algo = {
	.name = "ring",
	.ntypes = MX_R_PROBE,
	.done_type = MX_R_TOKEN,
	.type_names = r_names,
	.size = sizeof(struct mx_ring),
	.init = r_init,
	.fini = r_fini,
	.acquire = r_acquire,
	.release = r_release,
	.input = r_input,
	.peer_down = r_peer_down,
	.peer_up = r_peer_up,
	.timer = r_timer,
	.deadline = r_deadline,
	.coordinator_changed = r_coordinator_changed,
	.lock_state = r_lock_state,
};
