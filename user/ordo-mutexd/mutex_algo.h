/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ordo-mutexd: the five mutual-exclusion algorithms as pure state
 * machines. No I/O, no clock, no randomness of their own: the caller
 * feeds inputs (a local acquire or release, a message from a peer, a
 * peer that went down or came back, a timer that fired, a new
 * coordinator, a coordinator reset) and gets outputs through struct
 * mx_ops (messages to send, locks granted, timers to arm). The same code
 * runs in the daemon (the runtime glue maps struct mx_msg to a protobuf
 * body of the algorithm's ORDO_APP_PROTO_MUTEX_* protocol) and in the
 * deterministic network simulator of the unit tests.
 *
 * Documentation/mutex-algorithms.rst describes every algorithm, its
 * messages, their exact cost, the delays in MTTU, failure handling and
 * fencing tokens.
 *
 * Model shared by the algorithms:
 *   - members are the node ids 0..n-1 (n <= MX_MAX_NODES); locks are
 *     0..nlocks-1 (the daemon numbers its [lock NAME] sections);
 *   - every member starts believing every other member is up; the caller
 *     reports mx_peer_down() (its failure detector suspects the peer) and
 *     mx_peer_up() (the peer restarted: a new incarnation with fresh
 *     state). Messages from a peer that is down are ignored; the caller
 *     must report peer_up before delivering anything from a new
 *     incarnation and must not deliver messages of an old incarnation
 *     after its peer_down;
 *   - channels may delay, reorder and duplicate messages: every input is
 *     idempotent. Losses are repaired by the caller's transport
 *     (retransmission); a peer that stays unreachable is reported down;
 *   - a restarted node is created with MX_CFG_REJOIN (and the current
 *     coordinator and epoch in its configuration);
 *   - callbacks may run from any entry point, mx_new() included, but
 *     must not call back into the same node (queue the work instead).
 *
 * Functions returning int return 0, MX_IGNORED (a duplicate, stale or
 * out-of-place input that changed nothing) or a negative errno value.
 */
#ifndef _ORDO_MUTEX_ALGO_H
#define _ORDO_MUTEX_ALGO_H

#include <stdbool.h>
#include <stdint.h>

#define MX_MAX_NODES	64	/* node sets are uint64_t bit masks */
#define MX_MAX_LOCKS	1024
#define MX_TYPE_MAX	8	/* message types are 1..MX_TYPE_MAX-1 */
#define MX_NONE		UINT32_MAX	/* no node */
#define MX_NO_TIMER	UINT64_MAX	/* set_timer(): cancel */

#define MX_IGNORED	1	/* return value: input changed nothing */

/*
 * Fencing tokens of the distributed algorithms are built from a Lamport
 * timestamp and a node id: MX_TS_TOKEN(ts, id) = ts * MX_MAX_NODES + id.
 */
#define MX_TS_TOKEN(ts, id)	((uint64_t)(ts) * MX_MAX_NODES + (id))

/* struct mx_msg.flags */
#define MX_F_DONE	0x04	/* operation-done marker: exactly one message
				 * per CS entry carries it (the same bit as
				 * ORDO_APP_F_OPDONE of <linux/ordo_app.h>) */
#define MX_F_RETRY	0x100	/* RA: a request sent again after retry_ms */
#define MX_F_SEEN	0x200	/* ring PROBE: a live token was found */

/* State of a lock at one node (mx_lock_state()). */
enum mx_lock_state {
	MX_IDLE = 0,		/* neither held nor wanted */
	MX_WAITING = 1,		/* acquire() called, not yet granted */
	MX_HELD = 2,		/* granted, release() not yet called */
};

/*
 * One message. A plain struct: the daemon maps it to the algorithm's
 * protobuf body; type is the runtime's message type (1..MX_TYPE_MAX-1).
 * Fields an algorithm does not use are 0.
 *
 *            ts          req              token           gen     aux
 * central    -           request seq      fencing token   epoch   STATE: enum mx_lock_state
 * ring       -           TOKEN: hop       TOKEN: last     gen     PROBE: origin
 *                                         token; PROBE:
 *                                         highest hop
 * RA         Lamport     request ts       max token seen  -       -
 * Lamport    Lamport     request ts       max token seen  -       ACK: sender's pending request ts
 * vote       -           attempt          counter/token   -       -
 */
struct mx_msg {
	uint16_t type;		/* the algorithm's enum, see below */
	uint16_t flags;		/* MX_F_* */
	uint32_t lock;		/* 0..nlocks-1 */
	uint32_t from;		/* the sender's id (set by the algorithm) */
	uint32_t pad;
	uint64_t ts;
	uint64_t req;
	uint64_t token;
	uint64_t gen;
	uint64_t aux;
};

/* Centralized: operation done = RELEASE. */
enum mx_central_type {
	MX_C_REQUEST = 1,	/* client -> coordinator */
	MX_C_GRANT = 2,		/* coordinator -> client */
	MX_C_RELEASE = 3,	/* client -> coordinator (MX_F_DONE) */
	MX_C_STATE = 4,		/* client -> new coordinator, per lock */
};

/* Token ring: operation done = the TOKEN passed on after a CS. */
enum mx_ring_type {
	MX_R_TOKEN = 1,		/* to the next live node in id order */
	MX_R_PROBE = 2,		/* the leader's loss detection round */
};

/* Ricart-Agrawala: operation done = the REQUEST to the first live peer. */
enum mx_ra_type {
	MX_RA_REQUEST = 1,	/* to every live peer */
	MX_RA_OK = 2,		/* grant: at once or after the CS */
	MX_RA_DENY = 3,		/* reply to a retry of a queued request */
	MX_RA_SYNC = 4,		/* to a peer that came back: our clock */
};

/* Lamport: operation done = the RELEASE to the first live peer. */
enum mx_lamport_type {
	MX_L_REQUEST = 1,
	MX_L_ACK = 2,
	MX_L_RELEASE = 3,
	MX_L_SYNC = 4,
};

/* Voting: operation done = the RELEASE to the first voter. */
enum mx_vote_type {
	MX_V_REQUEST = 1,	/* ask a coordinator for its vote */
	MX_V_VOTE = 2,		/* yes, with the coordinator's counter */
	MX_V_DENY = 3,		/* no: voted for someone else */
	MX_V_RELEASE = 4,	/* after the CS, with the token (MX_F_DONE) */
	MX_V_RETURN = 5,	/* a failed attempt gives its votes back */
};

struct mx_ops {
	/* Send @m to node @to (never self). @m is valid during the call. */
	void (*send)(void *ctx, uint32_t to, const struct mx_msg *m);
	/* @lock is granted, with fencing token @token. */
	void (*granted)(void *ctx, uint32_t lock, uint64_t token);
	/* Milliseconds of a monotonic clock. */
	uint64_t (*now_ms)(void *ctx);
	/* A random number (voting backoff). */
	uint64_t (*rand)(void *ctx);
	/*
	 * Call mx_timer() in @delay_ms (0: as soon as possible); replaces
	 * the previous timer; MX_NO_TIMER cancels it. Calling mx_timer()
	 * early or twice is harmless.
	 */
	void (*set_timer)(void *ctx, uint64_t delay_ms);
};

/* struct mx_cfg.flags */
#define MX_CFG_REJOIN	0x1	/* a restarted node: sync before requesting */

struct mx_cfg {
	uint32_t n;		/* members 0..n-1 */
	uint32_t self;
	uint32_t nlocks;
	/* central: the coordinator; ring: the leader (token creator) */
	uint32_t coordinator;
	uint64_t epoch;		/* central: the coordinator's epoch */
	uint32_t quorum;	/* vote: m > n/2 (0: n/2 + 1) */
	uint32_t retry_ms;	/* RA: resend unanswered requests (0: never) */
	uint32_t backoff_ms;	/* vote: backoff base after a failed attempt
				 * (0: 10) */
	uint32_t token_timeout_ms;	/* ring: the leader probes when it has
					 * not seen the token this long (0:
					 * only on peer down / leader change) */
	uint32_t idle_ms;	/* ring: keep an unwanted token this long */
	uint32_t probe_timeout_ms;	/* ring: the leader starts a new round
					 * when its probe has not come back
					 * this long (a node forwarded it to a
					 * peer it did not suspect yet: lost;
					 * 0: never) */
	uint32_t flags;		/* MX_CFG_* */
};

/* Counters of one node. */
struct mx_stats {
	uint64_t sent[MX_TYPE_MAX];	/* messages sent, by type */
	uint64_t recv[MX_TYPE_MAX];	/* accepted by mx_input(), by type */
	uint64_t sent_total, recv_total;
	uint64_t done_sent;		/* messages with MX_F_DONE */
	uint64_t ignored;		/* inputs that returned MX_IGNORED */
	uint64_t invalid;		/* inputs that returned -EINVAL */
	uint64_t grants, releases;
	uint64_t retries;		/* RA: requests sent again */
	uint64_t probes;		/* ring: loss detection rounds started */
	uint64_t regenerations;		/* ring: tokens created after a loss */
	uint64_t stale_tokens;		/* ring: old-generation tokens dropped */
	uint64_t attempts, failed_attempts;	/* vote */
	uint64_t failovers;		/* central: coordinator changes */
	uint64_t conflicts;		/* central: two holders reported */
};

struct mx_node;

/* An algorithm. The mx_* functions below are the way to call it. */
struct mx_algo {
	const char *name;	/* "central", "ring", "ra", "lamport", "vote" */
	uint16_t ntypes;	/* valid message types: 1..ntypes */
	uint16_t done_type;	/* the type that carries MX_F_DONE */
	const char *const *type_names;	/* [type] */
	unsigned int size;	/* of the node */
	int (*init)(struct mx_node *nd);
	void (*fini)(struct mx_node *nd);
	int (*acquire)(struct mx_node *nd, uint32_t lock);
	int (*release)(struct mx_node *nd, uint32_t lock);
	int (*input)(struct mx_node *nd, const struct mx_msg *m);
	void (*peer_down)(struct mx_node *nd, uint32_t id);
	void (*peer_up)(struct mx_node *nd, uint32_t id);
	void (*timer)(struct mx_node *nd);
	uint64_t (*deadline)(struct mx_node *nd);	/* absolute, ms */
	int (*coordinator_changed)(struct mx_node *nd, uint32_t id,
				   uint64_t epoch);	/* NULL: none */
	void (*reset)(struct mx_node *nd);		/* NULL: none */
	enum mx_lock_state (*lock_state)(const struct mx_node *nd,
					 uint32_t lock);
};

extern const struct mx_algo mx_central_algo;
extern const struct mx_algo mx_ring_algo;
extern const struct mx_algo mx_ra_algo;
extern const struct mx_algo mx_lamport_algo;
extern const struct mx_algo mx_vote_algo;

/* By name ("central", "ring", "ra", "lamport", "vote"), or NULL. */
const struct mx_algo *mx_algo_find(const char *name);
/* "REQUEST", ... or "?" */
const char *mx_type_name(const struct mx_algo *algo, unsigned int type);

/* NULL with errno EINVAL (bad configuration) or ENOMEM. */
struct mx_node *mx_new(const struct mx_algo *algo, const struct mx_cfg *cfg,
		       const struct mx_ops *ops, void *ctx);
void mx_free(struct mx_node *nd);

/* -EINVAL (no such lock), -EBUSY (already wanted or held). */
int mx_acquire(struct mx_node *nd, uint32_t lock);
/* -EINVAL (no such lock), -ENOLCK (not held). */
int mx_release(struct mx_node *nd, uint32_t lock);
/* A message from a peer: 0, MX_IGNORED or -EINVAL (malformed). */
int mx_input(struct mx_node *nd, const struct mx_msg *m);
/* 0, MX_IGNORED (already down / up) or -EINVAL. */
int mx_peer_down(struct mx_node *nd, uint32_t id);
int mx_peer_up(struct mx_node *nd, uint32_t id);
void mx_timer(struct mx_node *nd);
/*
 * Central and ring: @id is the coordinator (leader) from now on, for
 * epoch @epoch, which must grow with every change (the election's term).
 * -EOPNOTSUPP for the other algorithms, -EINVAL for a bad id or an epoch
 * that does not grow.
 */
int mx_coordinator_changed(struct mx_node *nd, uint32_t id, uint64_t epoch);
/* Voting: this node's coordinator forgets its votes. -EOPNOTSUPP else. */
int mx_reset(struct mx_node *nd);

enum mx_lock_state mx_lock_state(const struct mx_node *nd, uint32_t lock);
const struct mx_stats *mx_stats(const struct mx_node *nd);
const struct mx_algo *mx_node_algo(const struct mx_node *nd);
/* Bit k set: this node believes k is up (self always). */
uint64_t mx_live(const struct mx_node *nd);
/* Voting: the coordinators whose vote this node holds for @lock. */
uint64_t mx_vote_voters(const struct mx_node *nd, uint32_t lock);
/* vote: this node's coordinator gave its vote to member (return - 1);
 * 0: to nobody (or not a vote node) */
uint32_t mx_vote_voted_for(const struct mx_node *nd, uint32_t lock);

#endif /* _ORDO_MUTEX_ALGO_H */
