/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ordo-electd: what the algorithm files share (not part of the API).
 */
#ifndef _ORDO_EL_IMPL_H
#define _ORDO_EL_IMPL_H

#include "electd_algo.h"

struct el_node {
	const struct el_algo *algo;
	struct el_cfg cfg;
	const struct el_ops *ops;
	void *ctx;
	uint64_t all;		/* every member */
	uint64_t live;		/* believed up, self included */
	bool started;
	uint64_t term;		/* highest term seen */
	uint32_t leader;	/* accepted leader (EL_NONE) */
	uint64_t leader_term;	/* its term (0: none yet) */
	uint64_t members;	/* see el_members() */
	enum el_phase phase;
	uint64_t deadline;	/* of the phase (EL_NO_TIMER) */
	uint64_t my_term;	/* ring: the term of this node's own election */
	uint64_t timer_at;	/* what the caller's timer is set to */
	/*
	 * ring: the ELECTIONs this node sent last and to whom (EL_NONE:
	 * none), while it waits for their COORDINATOR: its own (valid in
	 * EL_INITIATED) and the last one it forwarded (EL_INITIATED or
	 * EL_WAIT_COORD). When that member goes down first, the message
	 * goes on to the next live one: a skip.
	 */
	uint32_t own_to, fwd_to;
	struct el_msg fwd;
	struct el_stats st;
};

static inline uint64_t el_bit(uint32_t id)
{
	return 1ULL << id;
}

static inline uint64_t el_now(const struct el_node *nd)
{
	return nd->ops->now_ms(nd->ctx);
}

/* Send @m (from = self), counted. */
void el_send(struct el_node *nd, uint32_t to, struct el_msg *m);
/* (t, l) is newer than the accepted (leader_term, leader): 1; equal: 0;
 * older: -1. No leader counts as lower than any id. */
int el_cmp_leader(const struct el_node *nd, uint64_t t, uint32_t l);
/* Accept @leader of term @t (the caller checked it is newer). */
void el_accept(struct el_node *nd, uint32_t leader, uint64_t t, uint64_t members);
/* The accepted leader is gone: no leader, reported. */
void el_lose_leader(struct el_node *nd);
void el_set_phase(struct el_node *nd, enum el_phase p, uint64_t delay_ms);

#endif /* _ORDO_EL_IMPL_H */
