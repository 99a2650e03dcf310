// SPDX-License-Identifier: GPL-2.0
/*
 * Ricart-Agrawala. A node that wants a lock sends REQUEST (the lock, its
 * id, its Lamport time) to every live peer and enters when every live
 * peer has answered OK. A node receiving a request answers OK at once
 * when it neither holds nor wants the lock, or wants it with a later
 * <ts, id>; otherwise it queues (defers) the request and answers OK when
 * it releases. Without faults an entry costs exactly 2(N-1) messages:
 * N-1 REQUEST, N-1 OK (one per request, sooner or later).
 *
 * Retries and DENY. With retry_ms, a request that got no answer at all
 * from a peer within retry_ms is sent to that peer again (MX_F_RETRY).
 * The peer answers every copy it receives exactly once:
 *   - a request it has queued (deferred): DENY = "queued, OK later";
 *     the requester then stops resending to that peer and blocks until
 *     the OK;
 *   - a request it already answered OK: OK again (the requester ignores
 *     duplicates);
 *   - a request it has not seen: as a first request.
 * So a retry costs 2 messages and never a second grant, and the first
 * request never gets a DENY: the fault-free cost stays 2(N-1).
 *
 * Peers reported down are excluded: their OK is no longer needed and
 * their queued requests are dropped. A peer that comes back (a new
 * incarnation) is included again: a pending request is sent to it
 * (its OK is needed again), otherwise a SYNC with our clock. A restarted
 * node (MX_CFG_REJOIN) timestamps no request before it has heard from
 * every live peer, so that its requests are later than every request
 * its peers had seen. It sends every peer a SYNC when it starts: a peer
 * that restarted at the same time is not told that this node came back
 * (it learned the new incarnation before it had its own state), so it
 * sends nothing on peer_up, and without that SYNC the two would wait for
 * each other forever.
 *
 * Fencing: token = max(MX_TS_TOKEN(request ts, self), max token seen + 1);
 * every message carries the sender's max token seen. Entries happen in
 * <ts, id> order of their requests (a request later than an entry is
 * timestamped after the OK that entry needed), so tokens grow, also when
 * a holder crashed in its CS and was excluded.
 */
#include <errno.h>
#include <stdlib.h>

#include "mx_impl.h"

struct ra_lock {
	enum mx_lock_state state;
	uint64_t my_ts;		/* 0: WAITING for the sync to end */
	uint64_t ok;		/* peers that answered OK */
	uint64_t denied;	/* peers that answered DENY: OK will come */
	uint64_t deferred;	/* peers whose request we queued */
	uint64_t def_ts[MX_MAX_NODES];
	uint64_t okd_ts[MX_MAX_NODES];	/* the last request we said OK to */
	uint64_t retry_at;
	uint64_t max_token;	/* largest token seen or issued */
};

struct mx_ra {
	struct mx_node nd;
	uint64_t clock;		/* Lamport */
	uint64_t syncing;	/* REJOIN: peers not heard from yet */
	struct ra_lock *locks;
};

static const char *const ra_names[] = {
	[MX_RA_REQUEST] = "REQUEST", [MX_RA_OK] = "OK", [MX_RA_DENY] = "DENY",
	[MX_RA_SYNC] = "SYNC",
};

static struct mx_ra *RA(struct mx_node *nd)
{
	return (struct mx_ra *)nd;
}

static void ra_send(struct mx_ra *ra, uint32_t to, uint16_t type,
		    uint32_t lock, uint64_t req, uint16_t flags)
{
	struct mx_msg m = {
		.type = type, .flags = flags, .lock = lock, .req = req,
		.ts = ++ra->clock, .token = ra->locks[lock].max_token,
	};

	mx_send(&ra->nd, to, &m);
}

static void ra_check(struct mx_ra *ra, uint32_t lock)
{
	struct ra_lock *lk = &ra->locks[lock];
	uint64_t token;

	if (lk->state != MX_WAITING || !lk->my_ts ||
	    (mx_peers(&ra->nd) & ~lk->ok))
		return;
	lk->state = MX_HELD;
	lk->retry_at = MX_NO_TIMER;
	token = mx_max(MX_TS_TOKEN(lk->my_ts, ra->nd.cfg.self),
		       lk->max_token + 1);
	lk->max_token = token;
	mx_grant(&ra->nd, lock, token);
}

static void ra_request(struct mx_ra *ra, uint32_t lock)
{
	struct ra_lock *lk = &ra->locks[lock];
	uint64_t peers = mx_peers(&ra->nd);
	uint16_t flags = MX_F_DONE;	/* on the first request only */

	lk->my_ts = ++ra->clock;
	lk->ok = 0;
	lk->denied = 0;
	for (; peers; peers &= peers - 1) {
		ra_send(ra, mx_first(peers), MX_RA_REQUEST, lock, lk->my_ts,
			flags);
		flags = 0;
	}
	lk->retry_at = ra->nd.cfg.retry_ms ?
		mx_now(&ra->nd) + ra->nd.cfg.retry_ms : MX_NO_TIMER;
	ra_check(ra, lock);
}

/* Heard from one more peer; the requests wait for the last one. */
static void ra_synced(struct mx_ra *ra, uint32_t id)
{
	uint32_t i;

	if (!(ra->syncing & mx_bit(id)))
		return;
	ra->syncing &= ~mx_bit(id);
	if (ra->syncing)
		return;
	for (i = 0; i < ra->nd.cfg.nlocks; i++) {
		if (ra->locks[i].state == MX_WAITING && !ra->locks[i].my_ts)
			ra_request(ra, i);
	}
}

static int ra_init(struct mx_node *nd)
{
	struct mx_ra *ra = RA(nd);
	uint64_t p;
	uint32_t i;

	ra->locks = calloc(nd->cfg.nlocks, sizeof(*ra->locks));
	if (!ra->locks)
		return -ENOMEM;
	for (i = 0; i < nd->cfg.nlocks; i++)
		ra->locks[i].retry_at = MX_NO_TIMER;
	if (nd->cfg.flags & MX_CFG_REJOIN) {
		ra->syncing = mx_peers(nd);
		/* a peer that restarted with us waits for us too */
		for (p = ra->syncing; p; p &= p - 1)
			ra_send(ra, mx_first(p), MX_RA_SYNC, 0, 0, 0);
	}
	return 0;
}

static void ra_fini(struct mx_node *nd)
{
	free(RA(nd)->locks);
}

static int ra_acquire(struct mx_node *nd, uint32_t lock)
{
	struct mx_ra *ra = RA(nd);
	struct ra_lock *lk = &ra->locks[lock];

	if (lk->state != MX_IDLE)
		return -EBUSY;
	lk->state = MX_WAITING;
	lk->my_ts = 0;
	if (!ra->syncing)
		ra_request(ra, lock);
	return 0;
}

static int ra_release(struct mx_node *nd, uint32_t lock)
{
	struct mx_ra *ra = RA(nd);
	struct ra_lock *lk = &ra->locks[lock];
	uint64_t d;
	uint32_t j;

	if (lk->state != MX_HELD)
		return -ENOLCK;
	lk->state = MX_IDLE;
	for (d = lk->deferred; d; d &= d - 1) {
		j = mx_first(d);
		ra_send(ra, j, MX_RA_OK, lock, lk->def_ts[j], 0);
		lk->okd_ts[j] = lk->def_ts[j];
	}
	lk->deferred = 0;
	return 0;
}

static int ra_on_request(struct mx_ra *ra, const struct mx_msg *m)
{
	struct ra_lock *lk = &ra->locks[m->lock];
	uint32_t j = m->from, self = ra->nd.cfg.self;
	uint64_t r = m->req;
	bool defer;

	if (r == 0)
		return -EINVAL;
	if ((lk->deferred & mx_bit(j)) && lk->def_ts[j] == r) {
		/* a retry of a request we queued */
		ra_send(ra, j, MX_RA_DENY, m->lock, r, 0);
		return MX_IGNORED;
	}
	if (r <= lk->okd_ts[j] ||
	    ((lk->deferred & mx_bit(j)) && r < lk->def_ts[j])) {
		/* answered already (or superseded): OK again */
		ra_send(ra, j, MX_RA_OK, m->lock, r, 0);
		return MX_IGNORED;
	}
	defer = lk->state == MX_HELD ||
		(lk->state == MX_WAITING && lk->my_ts &&
		 mx_ts_before(lk->my_ts, self, r, j));
	if (defer) {
		lk->deferred |= mx_bit(j);
		lk->def_ts[j] = r;
	} else {
		lk->deferred &= ~mx_bit(j);
		ra_send(ra, j, MX_RA_OK, m->lock, r, 0);
		lk->okd_ts[j] = r;
	}
	return 0;
}

static int ra_input(struct mx_node *nd, const struct mx_msg *m)
{
	struct mx_ra *ra = RA(nd);
	struct ra_lock *lk = &ra->locks[m->lock];
	uint64_t bit = mx_bit(m->from);
	int ret = MX_IGNORED;

	/* the Lamport receive rule, and the piggybacked token */
	ra->clock = mx_max(ra->clock, m->ts) + 1;
	lk->max_token = mx_max(lk->max_token, m->token);
	switch (m->type) {
	case MX_RA_REQUEST:
		ret = ra_on_request(ra, m);
		break;
	case MX_RA_OK:
		if (lk->state == MX_WAITING && lk->my_ts &&
		    m->req == lk->my_ts && !(lk->ok & bit)) {
			lk->ok |= bit;
			lk->denied &= ~bit;
			ra_check(ra, m->lock);
			ret = 0;
		}
		break;
	case MX_RA_DENY:
		if (lk->state == MX_WAITING && lk->my_ts &&
		    m->req == lk->my_ts && !(lk->ok & bit) &&
		    !(lk->denied & bit)) {
			lk->denied |= bit;	/* block: the OK will come */
			ret = 0;
		}
		break;
	case MX_RA_SYNC:
		ret = 0;
		break;
	default:
		return -EINVAL;
	}
	ra_synced(ra, m->from);
	return ret;
}

static void ra_timer(struct mx_node *nd)
{
	struct mx_ra *ra = RA(nd);
	uint64_t now = mx_now(nd), miss;
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct ra_lock *lk = &ra->locks[i];

		if (lk->state != MX_WAITING || !lk->my_ts || lk->retry_at > now)
			continue;
		miss = mx_peers(nd) & ~lk->ok & ~lk->denied;
		for (; miss; miss &= miss - 1) {
			ra_send(ra, mx_first(miss), MX_RA_REQUEST, i,
				lk->my_ts, MX_F_RETRY);
			nd->st.retries++;
		}
		lk->retry_at = now + nd->cfg.retry_ms;
	}
}

static uint64_t ra_deadline(struct mx_node *nd)
{
	struct mx_ra *ra = RA(nd);
	uint64_t at = MX_NO_TIMER;
	uint32_t i;

	for (i = 0; i < nd->cfg.nlocks; i++) {
		if (ra->locks[i].state == MX_WAITING && ra->locks[i].my_ts)
			at = mx_min(at, ra->locks[i].retry_at);
	}
	return at;
}

/* Forget what we knew of @id's (old) incarnation. */
static void ra_forget(struct mx_ra *ra, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < ra->nd.cfg.nlocks; i++) {
		struct ra_lock *lk = &ra->locks[i];

		lk->deferred &= ~mx_bit(id);
		lk->ok &= ~mx_bit(id);
		lk->denied &= ~mx_bit(id);
		lk->okd_ts[id] = 0;
	}
}

static void ra_peer_down(struct mx_node *nd, uint32_t id)
{
	struct mx_ra *ra = RA(nd);
	uint32_t i;

	ra_forget(ra, id);
	for (i = 0; i < nd->cfg.nlocks; i++)
		ra_check(ra, i);	/* its OK is no longer needed */
	ra_synced(ra, id);
}

static void ra_peer_up(struct mx_node *nd, uint32_t id)
{
	struct mx_ra *ra = RA(nd);
	uint32_t i;

	ra_forget(ra, id);
	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct ra_lock *lk = &ra->locks[i];

		if (lk->state == MX_WAITING && lk->my_ts)
			ra_send(ra, id, MX_RA_REQUEST, i, lk->my_ts, 0);
		else
			ra_send(ra, id, MX_RA_SYNC, i, 0, 0);
	}
}

static enum mx_lock_state ra_lock_state(const struct mx_node *nd,
					uint32_t lock)
{
	return ((const struct mx_ra *)nd)->locks[lock].state;
}

const struct mx_algo mx_ra_algo = {
	.name = "ra",
	.ntypes = MX_RA_SYNC,
	.done_type = MX_RA_REQUEST,
	.type_names = ra_names,
	.size = sizeof(struct mx_ra),
	.init = ra_init,
	.fini = ra_fini,
	.acquire = ra_acquire,
	.release = ra_release,
	.input = ra_input,
	.peer_down = ra_peer_down,
	.peer_up = ra_peer_up,
	.timer = ra_timer,
	.deadline = ra_deadline,
	.lock_state = ra_lock_state,
};
