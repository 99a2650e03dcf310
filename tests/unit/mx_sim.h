/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deterministic discrete-event network simulator for the mutual
 * exclusion state machines of user/ordo-mutexd (mutex_algo.h), and a checker
 * of the histories it records.
 *
 * Time is in ms. N nodes each run one mx_node; clients on some nodes
 * acquire a lock, hold it, release it, think, and again, for a number of
 * entries per (node, lock). The network delays every message by a seeded
 * random delay in [dmin, dmax] (so messages overtake each other), can
 * lose messages (the transport retransmits them rto ms later), keep the
 * links FIFO (fifo) or not, duplicate
 * them, hold back the messages that cross a partition until it heals,
 * or, in "bus" mode, carry one message at a time, each for exactly dmin
 * ms (the shared medium that the notes' MTTU figures assume). Nodes
 * crash (their CS ends, messages to them are lost; the failure detector
 * tells every other node detect_ms later) and restart as a new
 * incarnation (MX_CFG_REJOIN; the others are told down+up at once;
 * messages of the old incarnation are dropped). With coordinator_policy
 * the coordinator (central, ring) is the lowest live id, each change
 * with the next epoch. At equal times, control events run first, then
 * clients, then timers, then message deliveries.
 */
#ifndef _MX_SIM_H
#define _MX_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mutex_algo.h"

#define SIM_MAX_NODES	8
#define SIM_MAX_LOCKS	4
#define SIM_MAX_PARTS	4

/* One CS entry: requested, granted, released (or cut by a crash). */
struct sim_hist {
	uint32_t node, lock;
	uint64_t req_at, grant_at, rel_at;
	uint64_t grant_seq, rel_seq;	/* order of the events */
	uint64_t token;
	uint32_t overtakes;	/* grants of the lock to others while waiting */
	uint64_t voters;	/* vote: the coordinators that voted */
	bool granted, released;
	bool crashed;		/* the node crashed while waiting or holding */
};

/* Messages between side and the rest are held from start to end. */
struct sim_part {
	uint64_t start, end;
	uint64_t side;
};

struct sim;

struct sim_cfg {
	const struct mx_algo *algo;
	uint32_t n, nlocks;
	uint64_t seed;
	uint32_t dmin, dmax;	/* message delay, ms */
	bool bus;		/* one message at a time, dmin each */
	bool fifo;		/* no overtaking on a link (from, to) */
	uint32_t loss_pct, dup_pct;	/* per message, in % */
	uint32_t rto;		/* a lost message arrives rto ms later */
	uint32_t detect_ms;	/* crash -> peer_down at the others */
	uint64_t clients;	/* nodes that run clients */
	uint32_t entries;	/* per (client node, lock) */
	uint32_t hold_min, hold_max, think_min, think_max;
	/* one request at a time in the whole system, issued at a multiple
	 * of grid once no message is in flight (ring: once think elapsed) */
	bool sequential;
	uint32_t grid;
	bool coordinator_policy;
	struct mx_cfg mx;	/* n, self, nlocks, coordinator set by the sim */
	uint64_t time_limit;
	struct sim_part parts[SIM_MAX_PARTS];
	uint32_t nparts;
	/* every message sent: may move *at later or set *drop */
	void (*on_send)(struct sim *s, uint32_t from, uint32_t to,
			const struct mx_msg *m, uint64_t *at, bool *drop);
	void *user;
};

/*
 * Defaults: 2 locks, delays 1..10 ms, rto 30, detection 40 ms, clients on
 * every node, 30 entries each per lock, hold 10..25 ms (>= dmax), think
 * 0..40 ms, the coordinator policy for central and ring, no faults.
 */
void sim_cfg_init(struct sim_cfg *c, const struct mx_algo *algo, uint32_t n,
		  uint64_t seed);
struct sim *sim_new(const struct sim_cfg *cfg);
void sim_free(struct sim *s);
/* Run until every client is done (and, but for the ring, no message is
 * in flight): 0; -ETIMEDOUT at time_limit; -EDEADLK when nothing is
 * left to happen. */
int sim_run(struct sim *s);

void sim_crash_at(struct sim *s, uint64_t at, uint32_t node);
void sim_restart_at(struct sim *s, uint64_t at, uint32_t node);
/* From a sim_call_at() function: the (down) nodes of @mask restart at
 * once, knowing each other's new incarnations (no peer_up between them). */
void sim_restart_together(struct sim *s, uint64_t mask);
void sim_reset_at(struct sim *s, uint64_t at, uint32_t node);
void sim_call_at(struct sim *s, uint64_t at,
		 void (*fn)(struct sim *s, void *arg), void *arg);
/* Now, from a sim_call_at() function. */
void sim_crash(struct sim *s, uint32_t node);

uint64_t sim_now(const struct sim *s);
const struct sim_cfg *sim_cfg(const struct sim *s);
struct mx_node *sim_node(const struct sim *s, uint32_t node);	/* NULL: down */
const struct sim_hist *sim_history(const struct sim *s, size_t *n);
/* Messages sent, by type (every algorithm's types are < MX_TYPE_MAX). */
uint64_t sim_sent(const struct sim *s, unsigned int type);
uint64_t sim_sent_total(const struct sim *s);
uint64_t sim_done_marked(const struct sim *s);	/* with MX_F_DONE */
/* Counters of every node, past incarnations included. */
void sim_stats(const struct sim *s, struct mx_stats *out);
/* Inputs rejected with -EINVAL, unexpected grants, failed calls. */
uint64_t sim_errors(const struct sim *s);
/* Resets of @node's coordinator in [from, to]. */
unsigned int sim_resets_during(const struct sim *s, uint32_t node,
			       uint64_t from, uint64_t to);
uint64_t sim_rand(struct sim *s);

struct sim_check {
	uint32_t requests;	/* entries requested */
	uint32_t granted;
	uint32_t pending;	/* never granted, node not crashed */
	uint32_t overlaps;	/* entries granted while another held */
	uint32_t token_errors;	/* tokens not increasing in grant order */
	uint32_t max_overtakes;
	uint64_t max_wait, sum_wait;	/* request -> grant, ms */
};

/*
 * Check a history: per lock, in grant order, every entry must be granted
 * after every earlier one was released (no overlap) and with a larger
 * token. @pairs (may be NULL) gets up to @max (earlier, later) index
 * pairs of overlapping entries.
 */
void sim_check(const struct sim_hist *h, size_t n, struct sim_check *out,
	       uint32_t (*pairs)[2], size_t max);

#endif /* _MX_SIM_H */
