/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ordo-electd: the bully and ring election algorithms as pure state
 * machines. No I/O, no clock, no randomness: the caller feeds inputs (a
 * message from a peer, a peer that went down or came back, a peer's view
 * of the leader from its heartbeats, a timer that fired) and gets outputs
 * through struct el_ops (messages to send, leader changes, timers). The
 * same code runs in the daemon (main.c maps struct el_msg to the Msg body
 * of election.proto, ORDO_APP_PROTO_ELECT_*) and in the deterministic
 * simulator of the unit tests (tests/unit/el_*_test.c).
 *
 * Documentation/election-algorithms.rst describes both algorithms as the
 * notes state them, their messages, exact costs, terms, and what each
 * does under a partition.
 *
 * Model:
 *   - members are 0..n-1 (n <= EL_MAX_NODES), ordered like the node ids
 *     (the daemon maps its sorted [node ID] list): a higher member is a
 *     higher id; the ring is 0 -> 1 -> ... -> n-1 -> 0;
 *   - every member starts believing every other member is up; the caller
 *     reports el_peer_down() (its failure detector suspects it) and
 *     el_peer_up(). Messages from a peer believed down are still
 *     processed (an election message is proof of life, but does not
 *     change the live set: only the failure detector does);
 *   - messages may be lost, delayed, reordered and duplicated: every
 *     input is idempotent, losses are repaired by timeouts;
 *   - a node learns the current (term, leader) before it starts: the
 *     caller passes what the peers' heartbeats said in struct el_cfg and
 *     then calls el_start();
 *   - callbacks may run from any entry point and must not call back into
 *     the same node.
 *
 * Functions returning int return 0, EL_IGNORED (a duplicate, stale or
 * out-of-place input that changed nothing) or a negative errno value.
 */
#ifndef _ORDO_ELECTD_ALGO_H
#define _ORDO_ELECTD_ALGO_H

#include <stdbool.h>
#include <stdint.h>

#define EL_MAX_NODES	64	/* node sets are uint64_t bit masks */
#define EL_TYPE_MAX	4	/* message types are 1..EL_TYPE_MAX-1 */
#define EL_NONE		UINT32_MAX	/* no node / no leader */
#define EL_NO_TIMER	UINT64_MAX	/* set_timer(): cancel */

#define EL_IGNORED	1	/* return value: input changed nothing */

/* struct el_msg.flags */
#define EL_F_DONE	0x04	/* operation-done marker: exactly one message
				 * per election carries it, the winner's
				 * first COORDINATOR (the same bit as
				 * ORDO_APP_F_OPDONE of <linux/ordo_app.h>) */

/* Message types, shared by both algorithms (ring has no OK). */
enum el_type {
	EL_ELECTION = 1,	/* bully: to every higher id; ring: to the successor */
	EL_OK = 2,		/* bully: answer to ELECTION, "I take over" */
	EL_COORDINATOR = 3,	/* the result: bully to everyone, ring around */
};

/*
 * One message. A plain struct: the daemon maps it to a protobuf body; the
 * type and the sender travel in the application header.
 *
 *                 term   leader       initiator   list
 * bully ELECTION  yes    -            -           -
 * bully OK        yes    -            -           -
 * bully COORD.    yes    the winner   -           -
 * ring ELECTION   yes    -            starter     ids appended, in order
 * ring COORD.     yes    max(list)    announcer   the new ring
 *
 * top (ring ELECTION): the highest term the nodes on its way have seen;
 * the COORDINATOR gets max(term, top), so that no member finds it stale
 * (after a partition healed, the other side may be at a higher term).
 */
struct el_msg {
	uint16_t type;		/* enum el_type */
	uint16_t flags;		/* EL_F_* */
	uint32_t from;		/* the sender (set by the algorithm) */
	uint64_t term;
	uint64_t top;
	uint32_t leader;
	uint32_t initiator;
	uint32_t n_list;
	uint32_t list[EL_MAX_NODES];
};

struct el_ops {
	/* Send @m to node @to (never self). @m is valid during the call. */
	void (*send)(void *ctx, uint32_t to, const struct el_msg *m);
	/* The leader this node accepts changed: @leader (EL_NONE: none,
	 * an election is needed or running), of term @term. */
	void (*leader)(void *ctx, uint32_t leader, uint64_t term);
	/* Milliseconds of a monotonic clock. */
	uint64_t (*now_ms)(void *ctx);
	/* Call el_timer() in @delay_ms (0: as soon as possible); replaces
	 * the previous timer; EL_NO_TIMER cancels it. Calling el_timer()
	 * early or twice is harmless. */
	void (*set_timer)(void *ctx, uint64_t delay_ms);
};

struct el_cfg {
	uint32_t n;		/* members 0..n-1 */
	uint32_t self;
	/* bully: how long an ELECTION waits for an OK before the sender
	 * wins; ring: unused */
	uint32_t answer_ms;
	/* bully: how long a node that got an OK waits for the COORDINATOR
	 * before it holds a new election; ring: how long an ELECTION (then
	 * its COORDINATOR) may take to come back to its initiator, and how
	 * long a node that forwarded one waits for the COORDINATOR */
	uint32_t coord_ms;
	/* ring: when the leader is lost, the member k places after it
	 * starts its election (k - 1) * stagger_ms later, unless an
	 * ELECTION reaches it first (0: at once, every noticer starts) */
	uint32_t stagger_ms;
	/* what the peers said when this node started (0, EL_NONE: nothing) */
	uint64_t term;
	uint32_t leader;
};

/* Counters of one node. */
struct el_stats {
	uint64_t sent[EL_TYPE_MAX];	/* messages sent, by type */
	uint64_t recv[EL_TYPE_MAX];	/* accepted by el_input(), by type */
	uint64_t sent_total, recv_total;
	uint64_t done_sent;		/* messages with EL_F_DONE */
	uint64_t elections;		/* elections this node started */
	uint64_t wins;			/* times it became the leader */
	uint64_t leader_changes;	/* leader callbacks */
	uint64_t stale;			/* COORDINATORs of an older term */
	uint64_t ignored;		/* inputs that returned EL_IGNORED */
	uint64_t invalid;		/* inputs that returned -EINVAL */
	uint64_t timeouts;		/* bully: OK without COORDINATOR;
					 * ring: an election that did not
					 * come back */
	uint64_t takeovers;		/* ring: an ELECTION whose initiator
					 * died, finished by this node */
	uint64_t skips;			/* ring: ELECTIONs sent again, to
					 * the next live member, because
					 * the one they went to was found
					 * down before the COORDINATOR
					 * came (the first copy is lost;
					 * a takeover instead counts as
					 * a takeover) */
	uint64_t adopted;		/* leaders accepted from a peer's
					 * view (el_peer_view), not from a
					 * COORDINATOR */
};

enum el_phase {
	EL_IDLE = 0,		/* a leader is known, or nothing to do */
	EL_WAIT_OK,		/* bully: ELECTION sent, waiting for an OK */
	EL_WAIT_COORD,		/* bully: OK received; ring: ELECTION
				 * forwarded; waiting for the COORDINATOR */
	EL_INITIATED,		/* ring: own ELECTION circulating */
	EL_ANNOUNCING,		/* ring: own COORDINATOR circulating */
	EL_PENDING,		/* ring: leader lost, starting after stagger */
};

struct el_node;

struct el_algo {
	const char *name;	/* "bully", "ring" */
	uint16_t ntypes;	/* valid types 1..ntypes (ring: OK invalid) */
	unsigned int size;	/* of the node */
	void (*start)(struct el_node *nd);
	void (*elect)(struct el_node *nd);
	int (*input)(struct el_node *nd, const struct el_msg *m);
	void (*peer_down)(struct el_node *nd, uint32_t id);
	void (*peer_up)(struct el_node *nd, uint32_t id);
	void (*timer)(struct el_node *nd);
};

extern const struct el_algo el_bully_algo;
extern const struct el_algo el_ring_algo;

/* "bully", "ring" or NULL. */
const struct el_algo *el_algo_find(const char *name);
/* "ELECTION", "OK", "COORDINATOR" or "?" */
const char *el_type_name(unsigned int type);
const char *el_phase_name(enum el_phase p);

/* NULL with errno EINVAL (bad configuration) or ENOMEM. */
struct el_node *el_new(const struct el_algo *algo, const struct el_cfg *cfg,
		       const struct el_ops *ops, void *ctx);
void el_free(struct el_node *nd);
/*
 * Start: bully holds an election unless the leader it was told of is
 * higher than itself (a recovered higher process bullies its way back);
 * ring holds one only when no leader is known (a recovered process waits
 * for the next election). Once; later calls are ignored.
 */
int el_start(struct el_node *nd);
/* Hold an election now (tests, benchmarks); -EALREADY while one runs. */
int el_elect(struct el_node *nd);
/* A message from a peer: 0, EL_IGNORED or -EINVAL (malformed). */
int el_input(struct el_node *nd, const struct el_msg *m);
/* 0, EL_IGNORED (already down / up) or -EINVAL. */
int el_peer_down(struct el_node *nd, uint32_t id);
int el_peer_up(struct el_node *nd, uint32_t id);
/*
 * Peer @id's view from its heartbeat: it accepts @leader of @term. A
 * leader that learns of a higher leader (a healed partition) holds an
 * election, so that the cluster converges on the highest live id. A
 * follower that was not told of a newer, higher, live leader (no
 * COORDINATOR reached it) accepts it from the view (counted "adopted").
 */
int el_peer_view(struct el_node *nd, uint32_t id, uint64_t term,
		 uint32_t leader);
void el_timer(struct el_node *nd);

uint32_t el_leader(const struct el_node *nd);	/* EL_NONE: none */
uint64_t el_leader_term(const struct el_node *nd);	/* of the leader */
uint64_t el_term(const struct el_node *nd);	/* highest term seen */
enum el_phase el_phase(const struct el_node *nd);
bool el_started(const struct el_node *nd);
/* Bit k set: this node believes k is up (self always). */
uint64_t el_live(const struct el_node *nd);
/* ring: the members named by the last COORDINATOR accepted; bully: the
 * live set when the leader was accepted (at the leader: the nodes its
 * COORDINATOR went to, and those told later) */
uint64_t el_members(const struct el_node *nd);
const struct el_stats *el_stats(const struct el_node *nd);
const struct el_algo *el_node_algo(const struct el_node *nd);

#endif /* _ORDO_ELECTD_ALGO_H */
