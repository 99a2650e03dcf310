/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ordo-mutexd: what the algorithm files share (not part of the API).
 * Every algorithm's node starts with struct mx_node.
 */
#ifndef _ORDO_MX_IMPL_H
#define _ORDO_MX_IMPL_H

#include "mutex_algo.h"

struct mx_node {
	const struct mx_algo *algo;
	struct mx_cfg cfg;
	const struct mx_ops *ops;
	void *ctx;
	uint64_t all;		/* every member */
	uint64_t live;		/* members believed up, self included */
	uint64_t timer_at;	/* the armed deadline, or MX_NO_TIMER */
	struct mx_stats st;
};

static inline uint64_t mx_bit(uint32_t id)
{
	return 1ULL << id;
}

/* Live peers (self excluded). */
static inline uint64_t mx_peers(const struct mx_node *nd)
{
	return nd->live & ~mx_bit(nd->cfg.self);
}

static inline uint64_t mx_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline uint64_t mx_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t mx_now(const struct mx_node *nd)
{
	return nd->ops->now_ms(nd->ctx);
}

/* <ts_a, a> < <ts_b, b>: Lamport order with the id as tie breaker. */
static inline bool mx_ts_before(uint64_t ts_a, uint32_t a, uint64_t ts_b,
				uint32_t b)
{
	return ts_a < ts_b || (ts_a == ts_b && a < b);
}

/* Lowest id of a mask (the mask is not 0). */
static inline uint32_t mx_first(uint64_t mask)
{
	return (uint32_t)__builtin_ctzll(mask);
}

static inline unsigned int mx_count(uint64_t mask)
{
	return (unsigned int)__builtin_popcountll(mask);
}

/* Send @m (from = self), counted. */
void mx_send(struct mx_node *nd, uint32_t to, struct mx_msg *m);
/* Tell the caller @lock is granted, counted. */
void mx_grant(struct mx_node *nd, uint32_t lock, uint64_t token);

#endif /* _ORDO_MX_IMPL_H */
