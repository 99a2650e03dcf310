// SPDX-License-Identifier: GPL-2.0
/*
 * Ordered multicast delivery logic: totally ordered multicast with Lamport
 * clocks and causal multicast with vector clocks. See ordo_mcast.h and
 * Documentation/logical-clocks.rst.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ordo_lclock.h"
#include "ordo_mcast.h"

static void *ordo_dup(const void *data, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, data, len);
	return p;
}

/* ================================================ totally ordered */

struct tom_entry {
	struct tom_entry *next;
	__u32 from;
	__u64 ts;
	__u64 acks;		/* bit k: acknowledged by member k */
	bool have;		/* the message itself has arrived */
	void *data;
	size_t len;
};

struct tom_held {		/* a packet waiting for its turn (FIFO) */
	struct tom_held *next;
	struct ordo_tom_pkt pkt;	/* pkt.data points to a private copy */
};

struct ordo_tom {
	__u32 n, self;
	__u64 all;		/* bits of every member */
	struct ordo_lamport lc;
	__u64 out_seq;
	__u64 expect[ORDO_MCAST_MAX];	/* next seq per sender */
	__u64 last_del[ORDO_MCAST_MAX];	/* ts of last delivery per sender */
	struct tom_entry *queue;		/* ordered by <ts, from> */
	struct tom_held *held[ORDO_MCAST_MAX];	/* ordered by seq */
	size_t pending;
	const struct ordo_tom_ops *ops;
	void *ctx;
};

struct ordo_tom *ordo_tom_new(__u32 n, __u32 self,
			      const struct ordo_tom_ops *ops, void *ctx)
{
	struct ordo_tom *t;
	__u32 k;

	if (n == 0 || n > ORDO_MCAST_MAX || self >= n || !ops) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->n = n;
	t->self = self;
	t->all = n == 64 ? ~0ULL : (1ULL << n) - 1;
	ordo_lamport_init(&t->lc, 0, false);
	for (k = 0; k < n; k++)
		t->expect[k] = 1;
	t->ops = ops;
	t->ctx = ctx;
	return t;
}

void ordo_tom_free(struct ordo_tom *t)
{
	struct tom_entry *e;
	struct tom_held *h;
	__u32 k;

	if (!t)
		return;
	while ((e = t->queue)) {
		t->queue = e->next;
		free(e->data);
		free(e);
	}
	for (k = 0; k < t->n; k++) {
		while ((h = t->held[k])) {
			t->held[k] = h->next;
			free((void *)h->pkt.data);
			free(h);
		}
	}
	free(t);
}

size_t ordo_tom_pending(const struct ordo_tom *t)
{
	return t->pending;
}

__u64 ordo_tom_clock(const struct ordo_tom *t)
{
	return t->lc.c;
}

/* Find the entry <ts, from>, creating a placeholder when @create. */
static struct tom_entry *tom_entry(struct ordo_tom *t, __u32 from,
				   __u64 ts, bool create)
{
	struct tom_entry **pp = &t->queue, *e;
	int cmp = 1;

	for (; *pp; pp = &(*pp)->next) {
		cmp = ordo_lamport_cmp((*pp)->ts, (*pp)->from, ts, from);
		if (cmp >= 0)
			break;
	}
	if (*pp && cmp == 0)
		return *pp;
	if (!create)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->from = from;
	e->ts = ts;
	e->next = *pp;
	*pp = e;
	t->pending++;
	return e;
}

/*
 * Deliver while the head of the queue is a message that every other
 * member has acknowledged. Delivery is an event: the clock ticks first.
 */
static int tom_try_deliver(struct ordo_tom *t)
{
	struct tom_entry *e;
	int err;

	while ((e = t->queue) && e->have &&
	       ((e->acks | (1ULL << t->self)) & t->all) == t->all) {
		err = ordo_lamport_tick(&t->lc, NULL);
		if (err)
			return err;
		t->queue = e->next;
		t->pending--;
		t->last_del[e->from] = e->ts;
		t->ops->deliver(t->ctx, e->from, e->ts, e->data, e->len);
		free(e->data);
		free(e);
	}
	return 0;
}

int ordo_tom_send(struct ordo_tom *t, const void *data, size_t len,
		  __u64 *ts)
{
	struct ordo_tom_pkt pkt = { .type = ORDO_TOM_DATA };
	struct tom_entry *e;
	void *copy;
	__u64 now;
	int err;

	copy = ordo_dup(data, len);
	if (!copy)
		return -ENOMEM;
	err = ordo_lamport_send(&t->lc, &now);
	if (err) {
		free(copy);
		return err;
	}
	e = tom_entry(t, t->self, now, true);
	if (!e) {
		free(copy);
		return -ENOMEM;
	}
	e->have = true;
	e->acks |= 1ULL << t->self;
	e->data = copy;
	e->len = len;
	pkt.from = t->self;
	pkt.seq = ++t->out_seq;
	pkt.ts = now;
	pkt.msg_from = t->self;
	pkt.msg_ts = now;
	pkt.data = data;
	pkt.len = len;
	t->ops->send(t->ctx, &pkt);
	if (ts)
		*ts = now;
	return tom_try_deliver(t);
}

/* A packet in FIFO order from another member. */
static int tom_process(struct ordo_tom *t, const struct ordo_tom_pkt *pkt)
{
	struct ordo_tom_pkt ack = { .type = ORDO_TOM_ACK };
	struct tom_entry *e;
	int err;

	if (pkt->type == ORDO_TOM_DATA) {
		if (pkt->msg_from != pkt->from || pkt->msg_ts != pkt->ts)
			return -EINVAL;
		if (pkt->ts <= t->last_del[pkt->from])
			return ORDO_MCAST_DUP;
		e = tom_entry(t, pkt->from, pkt->ts, false);
		if (e && e->have)
			return ORDO_MCAST_DUP;
		/* c = max(ts(m), c), then the increment */
		err = ordo_lamport_recv(&t->lc, pkt->ts, NULL);
		if (err < 0)
			return err;
		if (!e)
			e = tom_entry(t, pkt->from, pkt->ts, true);
		if (!e)
			return -ENOMEM;
		e->data = ordo_dup(pkt->data, pkt->len);
		if (!e->data)
			return -ENOMEM;
		e->len = pkt->len;
		e->have = true;
		e->acks |= 1ULL << pkt->from;
		/* The receiver multicasts an acknowledgement (a send event). */
		err = ordo_lamport_send(&t->lc, &ack.ts);
		if (err)
			return err;
		ack.from = t->self;
		ack.seq = ++t->out_seq;
		ack.msg_from = pkt->from;
		ack.msg_ts = pkt->ts;
		t->ops->send(t->ctx, &ack);
		return tom_try_deliver(t);
	}
	if (pkt->type != ORDO_TOM_ACK)
		return -EINVAL;
	if (pkt->msg_from >= t->n || pkt->msg_from == pkt->from)
		return -EINVAL;
	if (pkt->msg_ts <= t->last_del[pkt->msg_from])
		return ORDO_MCAST_DUP;
	e = tom_entry(t, pkt->msg_from, pkt->msg_ts, false);
	if (!e && pkt->msg_from == t->self)
		return -EINVAL;		/* acks a message we never sent */
	if (e && (e->acks & (1ULL << pkt->from)))
		return ORDO_MCAST_DUP;
	err = ordo_lamport_recv(&t->lc, pkt->ts, NULL);
	if (err < 0)
		return err;
	if (!e)
		e = tom_entry(t, pkt->msg_from, pkt->msg_ts, true);
	if (!e)
		return -ENOMEM;
	e->acks |= 1ULL << pkt->from;
	return tom_try_deliver(t);
}

static int tom_hold(struct ordo_tom *t, const struct ordo_tom_pkt *pkt)
{
	struct tom_held **pp = &t->held[pkt->from], *h;

	for (; *pp && (*pp)->pkt.seq < pkt->seq; pp = &(*pp)->next)
		;
	if (*pp && (*pp)->pkt.seq == pkt->seq)
		return ORDO_MCAST_DUP;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->pkt = *pkt;
	h->pkt.data = ordo_dup(pkt->data, pkt->len);
	if (!h->pkt.data) {
		free(h);
		return -ENOMEM;
	}
	h->next = *pp;
	*pp = h;
	return ORDO_MCAST_HELD;
}

int ordo_tom_input(struct ordo_tom *t, const struct ordo_tom_pkt *pkt)
{
	struct tom_held *h;
	__u32 from = pkt->from;
	int ret, err;

	if (from >= t->n || from == t->self)
		return -EINVAL;
	if (!pkt->seq)
		return tom_process(t, pkt);
	if (pkt->seq < t->expect[from])
		return ORDO_MCAST_DUP;
	if (pkt->seq > t->expect[from])
		return tom_hold(t, pkt);
	t->expect[from]++;
	ret = tom_process(t, pkt);
	while ((h = t->held[from]) && h->pkt.seq == t->expect[from]) {
		t->held[from] = h->next;
		t->expect[from]++;
		err = tom_process(t, &h->pkt);
		free((void *)h->pkt.data);
		free(h);
		if (err < 0 && ret >= 0)
			ret = err;
	}
	return ret;
}

/* ================================================ causal */

struct com_held {
	struct com_held *next;
	__u32 from;
	__u64 ts[ORDO_MCAST_MAX];
	void *data;
	size_t len;
};

struct ordo_com {
	__u32 n, self;
	__u64 v[ORDO_MCAST_MAX];
	struct com_held *held;
	size_t pending;
	const struct ordo_com_ops *ops;
	void *ctx;
};

struct ordo_com *ordo_com_new(__u32 n, __u32 self,
			      const struct ordo_com_ops *ops, void *ctx)
{
	struct ordo_com *c;

	if (n == 0 || n > ORDO_MCAST_MAX || self >= n || !ops) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->n = n;
	c->self = self;
	c->ops = ops;
	c->ctx = ctx;
	return c;
}

void ordo_com_free(struct ordo_com *c)
{
	struct com_held *h;

	if (!c)
		return;
	while ((h = c->held)) {
		c->held = h->next;
		free(h->data);
		free(h);
	}
	free(c);
}

size_t ordo_com_pending(const struct ordo_com *c)
{
	return c->pending;
}

const __u64 *ordo_com_vector(const struct ordo_com *c)
{
	return c->v;
}

int ordo_com_send(struct ordo_com *c, const void *data, size_t len)
{
	__u64 ts[ORDO_MCAST_MAX];

	if (c->v[c->self] == UINT64_MAX)
		return -EOVERFLOW;
	c->v[c->self]++;
	memcpy(ts, c->v, c->n * sizeof(ts[0]));
	c->ops->send(c->ctx, c->self, ts, c->n, data, len);
	c->ops->deliver(c->ctx, c->self, ts, c->n, data, len);
	return 0;
}

static void com_deliver(struct ordo_com *c, __u32 from, const __u64 *ts,
			const void *data, size_t len)
{
	ordo_vc_merge(c->v, ts, c->n);	/* in effect V[from] = ts[from] */
	c->ops->deliver(c->ctx, from, ts, c->n, data, len);
}

/* Deliver every held message that has become deliverable. */
static void com_drain(struct ordo_com *c)
{
	struct com_held **pp, *h;
	bool again = true;

	while (again) {
		again = false;
		for (pp = &c->held; (h = *pp);) {
			if (!ordo_vc_deliverable(c->v, h->ts, c->n, h->from)) {
				pp = &h->next;
				continue;
			}
			*pp = h->next;
			c->pending--;
			com_deliver(c, h->from, h->ts, h->data, h->len);
			free(h->data);
			free(h);
			again = true;
		}
	}
}

int ordo_com_input(struct ordo_com *c, __u32 from, const __u64 *ts,
		   __u32 n, const void *data, size_t len)
{
	struct com_held *h;

	if (n != c->n)
		return -EMSGSIZE;
	if (from >= c->n || from == c->self)
		return -EINVAL;
	if (ts[from] <= c->v[from])
		return ORDO_MCAST_DUP;
	for (h = c->held; h; h = h->next) {
		if (h->from == from && h->ts[from] == ts[from])
			return ORDO_MCAST_DUP;
	}
	if (ordo_vc_deliverable(c->v, ts, c->n, from)) {
		com_deliver(c, from, ts, data, len);
		com_drain(c);
		return 0;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->data = ordo_dup(data, len);
	if (!h->data) {
		free(h);
		return -ENOMEM;
	}
	h->from = from;
	memcpy(h->ts, ts, n * sizeof(ts[0]));
	h->len = len;
	h->next = c->held;
	c->held = h;
	c->pending++;
	return ORDO_MCAST_HELD;
}
