// SPDX-License-Identifier: GPL-2.0
/*
 * Centralized mutual exclusion: one coordinator (the caller says which,
 * normally the lowest live id) grants every lock from a FIFO queue.
 * An entry costs REQUEST + GRANT + RELEASE = 3 messages (none when the
 * client is the coordinator itself) and 2 MTTU.
 *
 * Failover. The caller reports a new coordinator with a new, larger epoch
 * (mx_coordinator_changed()). Every live client then sends the new
 * coordinator one STATE message per lock: IDLE, WAITING (a re-request,
 * same seq) or HELD (with its token). The new coordinator rebuilds the
 * holder and the queue (waiters in the order their STATE arrives) and
 * grants nothing until every client it believes up has reported (clients
 * reported down are not waited for). Cost: (live clients - 1) x nlocks
 * STATE messages per failover. Messages carry the epoch (gen): a GRANT of
 * an older epoch is ignored, so a grant of the dead coordinator that
 * arrives late cannot create a second holder.
 *
 * Fencing: token = max(counter, epoch << 32) + 1, where the counter is
 * the last token issued or seen (RELEASE and STATE carry tokens, the new
 * coordinator starts from the largest it knows). Tokens grow within an
 * epoch and every token of a new epoch is larger than every token of the
 * older ones (while an epoch issues fewer than 2^32 tokens).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mx_impl.h"

struct c_client {
	enum mx_lock_state state;
	uint64_t seq;		/* the current (or last) request */
	uint64_t token;		/* while held */
	uint64_t max_seen;	/* largest token seen */
};

/* The coordinator's view of one lock, for one epoch. */
struct c_tab {
	bool valid;
	uint64_t epoch;
	uint64_t awaiting;	/* clients whose STATE is missing */
	uint32_t holder;	/* MX_NONE */
	uint64_t holder_seq, holder_token;
	uint64_t counter;	/* last token issued or seen */
	uint32_t qlen;
	uint32_t q[MX_MAX_NODES];	/* FIFO of clients */
	uint64_t qseq[MX_MAX_NODES];
	uint64_t last_rel[MX_MAX_NODES];	/* highest finished seq */
};

struct c_lock {
	struct c_client cl;
	struct c_tab tab;
};

struct mx_central {
	struct mx_node nd;
	uint32_t coord;
	uint64_t epoch;
	struct c_lock *locks;
};

static const char *const c_names[] = {
	[MX_C_REQUEST] = "REQUEST", [MX_C_GRANT] = "GRANT",
	[MX_C_RELEASE] = "RELEASE", [MX_C_STATE] = "STATE",
};

static struct mx_central *C(struct mx_node *nd)
{
	return (struct mx_central *)nd;
}

static void c_sendto(struct mx_central *c, uint32_t to, uint16_t type,
		     uint32_t lock, uint64_t req, uint64_t token, uint64_t aux,
		     uint16_t flags)
{
	struct mx_msg m = {
		.type = type, .flags = flags, .lock = lock, .req = req,
		.token = token, .gen = c->epoch, .aux = aux,
	};

	mx_send(&c->nd, to, &m);
}

/* The table of @lock for @epoch, emptied when it was for another one. */
static void c_tab_prepare(struct mx_central *c, uint32_t lock, uint64_t epoch)
{
	struct c_lock *lk = &c->locks[lock];
	struct c_tab *t = &lk->tab;
	uint64_t counter = mx_max(t->counter, lk->cl.max_seen);

	if (t->valid && t->epoch == epoch)
		return;
	memset(t, 0, sizeof(*t));
	t->valid = true;
	t->epoch = epoch;
	t->counter = counter;
	t->holder = MX_NONE;
	t->awaiting = mx_peers(&c->nd);
}

static int c_qfind(const struct c_tab *t, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < t->qlen; i++) {
		if (t->q[i] == id)
			return (int)i;
	}
	return -1;
}

static void c_qdel(struct c_tab *t, int i)
{
	memmove(&t->q[i], &t->q[i + 1], (t->qlen - i - 1) * sizeof(t->q[0]));
	memmove(&t->qseq[i], &t->qseq[i + 1],
		(t->qlen - i - 1) * sizeof(t->qseq[0]));
	t->qlen--;
}

static int c_client_granted(struct mx_central *c, uint32_t lock, uint64_t seq,
			    uint64_t epoch, uint64_t token);

/* Grant the head of the queue when nothing stands in the way. */
static void c_try_grant(struct mx_central *c, uint32_t lock)
{
	struct c_tab *t = &c->locks[lock].tab;
	uint64_t seq, token;
	uint32_t id;

	if (c->coord != c->nd.cfg.self || !t->valid || t->epoch != c->epoch ||
	    t->awaiting || t->holder != MX_NONE || t->qlen == 0)
		return;
	id = t->q[0];
	seq = t->qseq[0];
	c_qdel(t, 0);
	token = mx_max(t->counter, c->epoch << 32) + 1;
	t->counter = token;
	t->holder = id;
	t->holder_seq = seq;
	t->holder_token = token;
	if (id == c->nd.cfg.self)
		c_client_granted(c, lock, seq, c->epoch, token);
	else
		c_sendto(c, id, MX_C_GRANT, lock, seq, token, 0, 0);
}

/* Coordinator: request @seq of client @id. */
static int c_coord_request(struct mx_central *c, uint32_t lock, uint32_t id,
			   uint64_t seq)
{
	struct c_tab *t = &c->locks[lock].tab;
	int i;

	if (seq == 0 || seq <= t->last_rel[id])
		return MX_IGNORED;		/* finished already */
	if (t->holder == id) {
		if (seq <= t->holder_seq)
			return MX_IGNORED;	/* duplicate */
		/* a newer request: the client released (RELEASE reordered) */
		t->last_rel[id] = t->holder_seq;
		t->holder = MX_NONE;
	}
	i = c_qfind(t, id);
	if (i >= 0) {
		if (seq <= t->qseq[i])
			return MX_IGNORED;
		t->qseq[i] = seq;
	} else {
		t->q[t->qlen] = id;
		t->qseq[t->qlen] = seq;
		t->qlen++;
	}
	c_try_grant(c, lock);
	return 0;
}

/* Coordinator: client @id is done with every request up to @seq. */
static int c_coord_release(struct mx_central *c, uint32_t lock, uint32_t id,
			   uint64_t seq, uint64_t token)
{
	struct c_tab *t = &c->locks[lock].tab;
	int ret = MX_IGNORED, i;

	t->counter = mx_max(t->counter, token);
	if (seq > t->last_rel[id])
		t->last_rel[id] = seq;
	if (t->holder == id && t->holder_seq <= seq) {
		t->holder = MX_NONE;
		ret = 0;
	}
	i = c_qfind(t, id);
	if (i >= 0 && t->qseq[i] <= seq) {
		c_qdel(t, i);
		ret = 0;
	}
	c_try_grant(c, lock);
	return ret;
}

/* Coordinator: the STATE report of client @id for the current epoch. */
static int c_coord_state(struct mx_central *c, uint32_t lock, uint32_t id,
			 enum mx_lock_state state, uint64_t seq, uint64_t token)
{
	struct c_tab *t = &c->locks[lock].tab;
	int i;

	t->awaiting &= ~mx_bit(id);
	t->counter = mx_max(t->counter, token);
	switch (state) {
	case MX_IDLE:
		c_coord_release(c, lock, id, seq, 0);
		break;
	case MX_WAITING:
		c_coord_request(c, lock, id, seq);
		break;
	case MX_HELD:
		if (seq == 0 || seq <= t->last_rel[id])
			break;		/* released since */
		i = c_qfind(t, id);
		if (i >= 0)
			c_qdel(t, i);
		if (t->holder != MX_NONE && t->holder != id) {
			/* cannot happen with one coordinator per epoch */
			c->nd.st.conflicts++;
			if (t->holder_token > token)
				break;
		}
		t->holder = id;
		t->holder_seq = seq;
		t->holder_token = token;
		break;
	}
	c_try_grant(c, lock);
	return 0;
}

/* Client: a GRANT (or a local grant) arrived. */
static int c_client_granted(struct mx_central *c, uint32_t lock, uint64_t seq,
			    uint64_t epoch, uint64_t token)
{
	struct c_client *cl = &c->locks[lock].cl;

	if (epoch != c->epoch || cl->state != MX_WAITING || seq != cl->seq)
		return MX_IGNORED;
	cl->state = MX_HELD;
	cl->token = token;
	cl->max_seen = mx_max(cl->max_seen, token);
	mx_grant(&c->nd, lock, token);
	return 0;
}

static int c_init(struct mx_node *nd)
{
	struct mx_central *c = C(nd);
	uint32_t i;

	/* a new coordinator learns the state through STATE messages, which
	 * only mx_coordinator_changed() triggers */
	if ((nd->cfg.flags & MX_CFG_REJOIN) && nd->cfg.coordinator == nd->cfg.self)
		return -EINVAL;
	c->locks = calloc(nd->cfg.nlocks, sizeof(*c->locks));
	if (!c->locks)
		return -ENOMEM;
	c->coord = nd->cfg.coordinator;
	c->epoch = nd->cfg.epoch;
	for (i = 0; i < nd->cfg.nlocks; i++) {
		c->locks[i].tab.holder = MX_NONE;
		/* at start every client is idle: nothing to wait for */
		if (c->coord == nd->cfg.self) {
			c_tab_prepare(c, i, c->epoch);
			c->locks[i].tab.awaiting = 0;
		}
	}
	return 0;
}

static void c_fini(struct mx_node *nd)
{
	free(C(nd)->locks);
}

static int c_acquire(struct mx_node *nd, uint32_t lock)
{
	struct mx_central *c = C(nd);
	struct c_client *cl = &c->locks[lock].cl;

	if (cl->state != MX_IDLE)
		return -EBUSY;
	cl->seq++;
	cl->state = MX_WAITING;
	if (c->coord == nd->cfg.self) {
		c_tab_prepare(c, lock, c->epoch);
		c_coord_request(c, lock, nd->cfg.self, cl->seq);
	} else {
		c_sendto(c, c->coord, MX_C_REQUEST, lock, cl->seq,
			 cl->max_seen, 0, 0);
	}
	return 0;
}

static int c_release(struct mx_node *nd, uint32_t lock)
{
	struct mx_central *c = C(nd);
	struct c_client *cl = &c->locks[lock].cl;

	if (cl->state != MX_HELD)
		return -ENOLCK;
	cl->state = MX_IDLE;
	if (c->coord == nd->cfg.self) {
		c_tab_prepare(c, lock, c->epoch);
		c_coord_release(c, lock, nd->cfg.self, cl->seq, cl->token);
	} else {
		c_sendto(c, c->coord, MX_C_RELEASE, lock, cl->seq, cl->token,
			 0, MX_F_DONE);
	}
	return 0;
}

static int c_input(struct mx_node *nd, const struct mx_msg *m)
{
	struct mx_central *c = C(nd);

	if (m->type == MX_C_GRANT)
		return c_client_granted(c, m->lock, m->req, m->gen, m->token);
	/* to the coordinator of epoch m->gen */
	if (m->gen < c->epoch || (m->gen == c->epoch && c->coord != nd->cfg.self))
		return MX_IGNORED;	/* an older epoch, or not ours */
	/* m->gen > epoch: we will be told; build the table meanwhile */
	c_tab_prepare(c, m->lock, m->gen);
	switch (m->type) {
	case MX_C_REQUEST:
		c->locks[m->lock].tab.counter =
			mx_max(c->locks[m->lock].tab.counter, m->token);
		return c_coord_request(c, m->lock, m->from, m->req);
	case MX_C_RELEASE:
		return c_coord_release(c, m->lock, m->from, m->req, m->token);
	case MX_C_STATE:
		if (m->aux > MX_HELD)
			return -EINVAL;
		return c_coord_state(c, m->lock, m->from,
				     (enum mx_lock_state)m->aux, m->req,
				     m->token);
	}
	return -EINVAL;
}

/* Forget client @id (down, or back as a new incarnation). */
static void c_forget(struct mx_central *c, uint32_t id)
{
	uint32_t lock;
	int i;

	for (lock = 0; lock < c->nd.cfg.nlocks; lock++) {
		struct c_tab *t = &c->locks[lock].tab;

		if (!t->valid)
			continue;
		t->awaiting &= ~mx_bit(id);
		t->last_rel[id] = 0;
		i = c_qfind(t, id);
		if (i >= 0)
			c_qdel(t, i);
		if (t->holder == id)
			t->holder = MX_NONE;	/* the crash released it */
		c_try_grant(c, lock);
	}
}

static void c_peer_down(struct mx_node *nd, uint32_t id)
{
	c_forget(C(nd), id);
}

static void c_peer_up(struct mx_node *nd, uint32_t id)
{
	c_forget(C(nd), id);
}

static void c_timer(struct mx_node *nd)
{
	(void)nd;	/* no timers: the caller detects failures */
}

static uint64_t c_deadline(struct mx_node *nd)
{
	(void)nd;
	return MX_NO_TIMER;
}

static int c_coordinator_changed(struct mx_node *nd, uint32_t id,
				 uint64_t epoch)
{
	struct mx_central *c = C(nd);
	uint32_t lock;

	if (epoch <= c->epoch)
		return -EINVAL;
	c->coord = id;
	c->epoch = epoch;
	nd->st.failovers++;
	for (lock = 0; lock < nd->cfg.nlocks; lock++) {
		struct c_client *cl = &c->locks[lock].cl;
		uint64_t token = cl->state == MX_HELD ? cl->token : cl->max_seen;

		if (id == nd->cfg.self) {
			c_tab_prepare(c, lock, epoch);
			c_coord_state(c, lock, id, cl->state, cl->seq, token);
		} else {
			c_sendto(c, id, MX_C_STATE, lock, cl->seq, token,
				 cl->state, 0);
		}
	}
	return 0;
}

static enum mx_lock_state c_lock_state(const struct mx_node *nd, uint32_t lock)
{
	return ((const struct mx_central *)nd)->locks[lock].cl.state;
}

const struct mx_algo mx_central_algo = {
	.name = "central",
	.ntypes = MX_C_STATE,
	.done_type = MX_C_RELEASE,
	.type_names = c_names,
	.size = sizeof(struct mx_central),
	.init = c_init,
	.fini = c_fini,
	.acquire = c_acquire,
	.release = c_release,
	.input = c_input,
	.peer_down = c_peer_down,
	.peer_up = c_peer_up,
	.timer = c_timer,
	.deadline = c_deadline,
	.coordinator_changed = c_coordinator_changed,
	.lock_state = c_lock_state,
};
