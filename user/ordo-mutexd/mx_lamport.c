// SPDX-License-Identifier: GPL-2.0
/*
 * Lamport's distributed mutual exclusion. A node that wants a lock puts
 * its request <ts, id> in its own queue and sends REQUEST to every live
 * peer; a node receiving a request queues it and answers ACK at once. A
 * node enters when its request is the first of its queue by <ts, id> and
 * every live peer has acknowledged it; at release it removes the request
 * and sends RELEASE to every live peer, which removes it from their
 * queues. An entry costs exactly 3(N-1) messages.
 *
 * The textbook algorithm needs FIFO channels (a peer's earlier REQUEST
 * must arrive before its ACK). Here an ACK also carries the sender's own
 * pending request (aux = its ts, 0 for none), which the receiver queues,
 * so reordering and duplicates are harmless: requests are kept per node
 * (one per lock at a time), a request not newer than the last RELEASE of
 * its node is stale and dropped, every REQUEST copy gets one ACK.
 *
 * Peers reported down are excluded (their requests leave the queues,
 * their ACK is no longer needed). A peer that comes back is included
 * again: a pending request of ours is sent to it again (we need its ACK
 * and it must queue our request), otherwise a SYNC with our clock. A
 * restarted node (MX_CFG_REJOIN) timestamps no request before it has
 * heard from every live peer: its requests then come after every request
 * they had queued. It sends every peer a SYNC when it starts: a peer that
 * restarted at the same time is not told that this node came back, so it
 * sends nothing on peer_up, and without that SYNC the two would wait for
 * each other forever.
 *
 * Fencing: as for Ricart-Agrawala, token = max(MX_TS_TOKEN(request ts,
 * self), max token seen + 1); ACK and RELEASE carry the sender's max
 * token seen. Entries happen in <ts, id> order of their requests.
 */
#include <errno.h>
#include <stdlib.h>

#include "mx_impl.h"

struct l_lock {
	enum mx_lock_state state;
	uint64_t my_ts;		/* 0: WAITING for the sync to end */
	uint64_t acked;		/* peers that acknowledged my_ts */
	uint64_t q[MX_MAX_NODES];	/* each node's pending request, or 0 */
	uint64_t released[MX_MAX_NODES];	/* each node's last release */
	uint64_t max_token;
};

struct mx_lamport {
	struct mx_node nd;
	uint64_t clock;
	uint64_t syncing;
	struct l_lock *locks;
};

static const char *const l_names[] = {
	[MX_L_REQUEST] = "REQUEST", [MX_L_ACK] = "ACK",
	[MX_L_RELEASE] = "RELEASE", [MX_L_SYNC] = "SYNC",
};

static struct mx_lamport *L(struct mx_node *nd)
{
	return (struct mx_lamport *)nd;
}

static void l_send(struct mx_lamport *l, uint32_t to, uint16_t type,
		   uint32_t lock, uint64_t req, uint64_t aux, uint16_t flags)
{
	struct mx_msg m = {
		.type = type, .flags = flags, .lock = lock, .req = req,
		.aux = aux, .ts = ++l->clock, .token = l->locks[lock].max_token,
	};

	mx_send(&l->nd, to, &m);
}

/* Queue node @id's request @ts unless it is stale. */
static void l_queue(struct l_lock *lk, uint32_t id, uint64_t ts)
{
	if (ts && ts > lk->released[id] && ts > lk->q[id])
		lk->q[id] = ts;
}

static void l_check(struct mx_lamport *l, uint32_t lock)
{
	struct l_lock *lk = &l->locks[lock];
	uint32_t self = l->nd.cfg.self, k;
	uint64_t live = l->nd.live, token;

	if (lk->state != MX_WAITING || !lk->my_ts ||
	    (mx_peers(&l->nd) & ~lk->acked))
		return;
	for (; live; live &= live - 1) {
		k = mx_first(live);
		if (k != self && lk->q[k] &&
		    mx_ts_before(lk->q[k], k, lk->my_ts, self))
			return;		/* an earlier request is queued */
	}
	lk->state = MX_HELD;
	token = mx_max(MX_TS_TOKEN(lk->my_ts, self), lk->max_token + 1);
	lk->max_token = token;
	mx_grant(&l->nd, lock, token);
}

static void l_request(struct mx_lamport *l, uint32_t lock)
{
	struct l_lock *lk = &l->locks[lock];
	uint64_t peers = mx_peers(&l->nd);

	lk->my_ts = ++l->clock;
	lk->q[l->nd.cfg.self] = lk->my_ts;
	lk->acked = 0;
	for (; peers; peers &= peers - 1)
		l_send(l, mx_first(peers), MX_L_REQUEST, lock, lk->my_ts, 0, 0);
	l_check(l, lock);
}

static void l_synced(struct mx_lamport *l, uint32_t id)
{
	uint32_t i;

	if (!(l->syncing & mx_bit(id)))
		return;
	l->syncing &= ~mx_bit(id);
	if (l->syncing)
		return;
	for (i = 0; i < l->nd.cfg.nlocks; i++) {
		if (l->locks[i].state == MX_WAITING && !l->locks[i].my_ts)
			l_request(l, i);
	}
}

static int l_init(struct mx_node *nd)
{
	struct mx_lamport *l = L(nd);
	uint64_t p;

	l->locks = calloc(nd->cfg.nlocks, sizeof(*l->locks));
	if (!l->locks)
		return -ENOMEM;
	if (nd->cfg.flags & MX_CFG_REJOIN) {
		l->syncing = mx_peers(nd);
		/* a peer that restarted with us waits for us too */
		for (p = l->syncing; p; p &= p - 1)
			l_send(l, mx_first(p), MX_L_SYNC, 0, 0, 0, 0);
	}
	return 0;
}

static void l_fini(struct mx_node *nd)
{
	free(L(nd)->locks);
}

static int l_acquire(struct mx_node *nd, uint32_t lock)
{
	struct mx_lamport *l = L(nd);
	struct l_lock *lk = &l->locks[lock];

	if (lk->state != MX_IDLE)
		return -EBUSY;
	lk->state = MX_WAITING;
	lk->my_ts = 0;
	if (!l->syncing)
		l_request(l, lock);
	return 0;
}

static int l_release(struct mx_node *nd, uint32_t lock)
{
	struct mx_lamport *l = L(nd);
	struct l_lock *lk = &l->locks[lock];
	uint32_t self = nd->cfg.self;
	uint64_t peers = mx_peers(nd);
	uint16_t flags = MX_F_DONE;

	if (lk->state != MX_HELD)
		return -ENOLCK;
	lk->state = MX_IDLE;
	lk->q[self] = 0;
	lk->released[self] = lk->my_ts;
	for (; peers; peers &= peers - 1) {
		l_send(l, mx_first(peers), MX_L_RELEASE, lock, lk->my_ts, 0,
		       flags);
		flags = 0;
	}
	return 0;
}

static int l_input(struct mx_node *nd, const struct mx_msg *m)
{
	struct mx_lamport *l = L(nd);
	struct l_lock *lk = &l->locks[m->lock];
	uint32_t j = m->from, self = nd->cfg.self;
	int ret = 0;

	l->clock = mx_max(l->clock, m->ts) + 1;
	lk->max_token = mx_max(lk->max_token, m->token);
	switch (m->type) {
	case MX_L_REQUEST:
		if (!m->req)
			return -EINVAL;
		if (m->req <= lk->released[j] || m->req <= lk->q[j])
			ret = MX_IGNORED;	/* stale or duplicate */
		l_queue(lk, j, m->req);
		/* every copy gets its ACK, with our own pending request */
		l_send(l, j, MX_L_ACK, m->lock, m->req, lk->q[self], 0);
		break;
	case MX_L_ACK:
		l_queue(lk, j, m->aux);
		if (lk->state == MX_WAITING && lk->my_ts &&
		    m->req == lk->my_ts && !(lk->acked & mx_bit(j)))
			lk->acked |= mx_bit(j);
		else if (!m->aux)
			ret = MX_IGNORED;
		break;
	case MX_L_RELEASE:
		if (m->req <= lk->released[j])
			ret = MX_IGNORED;
		lk->released[j] = mx_max(lk->released[j], m->req);
		if (lk->q[j] && lk->q[j] <= lk->released[j])
			lk->q[j] = 0;
		break;
	case MX_L_SYNC:
		break;
	default:
		return -EINVAL;
	}
	l_check(l, m->lock);
	l_synced(l, j);
	return ret;
}

static void l_timer(struct mx_node *nd)
{
	(void)nd;	/* no timers */
}

static uint64_t l_deadline(struct mx_node *nd)
{
	(void)nd;
	return MX_NO_TIMER;
}

static void l_forget(struct mx_lamport *l, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < l->nd.cfg.nlocks; i++) {
		l->locks[i].q[id] = 0;
		l->locks[i].released[id] = 0;
		l->locks[i].acked &= ~mx_bit(id);
	}
}

static void l_peer_down(struct mx_node *nd, uint32_t id)
{
	struct mx_lamport *l = L(nd);
	uint32_t i;

	l_forget(l, id);
	for (i = 0; i < nd->cfg.nlocks; i++)
		l_check(l, i);
	l_synced(l, id);
}

static void l_peer_up(struct mx_node *nd, uint32_t id)
{
	struct mx_lamport *l = L(nd);
	uint32_t i, self = nd->cfg.self;

	l_forget(l, id);
	for (i = 0; i < nd->cfg.nlocks; i++) {
		struct l_lock *lk = &l->locks[i];

		if (lk->q[self])	/* waiting or held: it must know */
			l_send(l, id, MX_L_REQUEST, i, lk->q[self], 0, 0);
		else
			l_send(l, id, MX_L_SYNC, i, 0, 0, 0);
	}
}

static enum mx_lock_state l_lock_state(const struct mx_node *nd, uint32_t lock)
{
	return ((const struct mx_lamport *)nd)->locks[lock].state;
}

const struct mx_algo mx_lamport_algo = {
	.name = "lamport",
	.ntypes = MX_L_SYNC,
	.done_type = MX_L_RELEASE,
	.type_names = l_names,
	.size = sizeof(struct mx_lamport),
	.init = l_init,
	.fini = l_fini,
	.acquire = l_acquire,
	.release = l_release,
	.input = l_input,
	.peer_down = l_peer_down,
	.peer_up = l_peer_up,
	.timer = l_timer,
	.deadline = l_deadline,
	.lock_state = l_lock_state,
};
