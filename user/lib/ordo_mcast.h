/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordered multicast delivery logic for libordo: pure state machines, no
 * I/O. The caller feeds inputs (a local send, a packet received) and gets
 * outputs through callbacks (packets to multicast to every other member,
 * messages to deliver to the application, in order).
 *
 * Totally ordered multicast (ordo_tom_*), as the source notes describe it:
 * every message is timestamped with the sender's Lamport clock and put in
 * a local queue ordered by <ts, sender>; each receiver multicasts an
 * acknowledgement; a process delivers a queued message only when it is at
 * the head of the queue and has been acknowledged by each other process.
 * The sender's own message counts as its acknowledgement, so a multicast
 * costs (N - 1) data messages + (N - 1) * (N - 1) acks = N * (N - 1).
 *
 * The notes assume reliable FIFO channels. Without them:
 *   - packets carry a per-sender sequence number (seq, 1, 2, ... over
 *     everything one member sends); when it is not 0 the library restores
 *     FIFO order per sender: later packets are buffered until the gap is
 *     filled, already seen ones are dropped as duplicates. seq 0 means
 *     "the channel is FIFO already": no reordering is done;
 *   - an ack may arrive before the message it acknowledges (from another
 *     member, even with FIFO channels): it is kept, the message's queue
 *     entry waits for the message;
 *   - duplicate messages and acks are ignored by <ts, sender>;
 *   - losses are not repaired here: a lost packet blocks delivery until
 *     the caller retransmits it (same seq), as a reliable layer would.
 *
 * Causal multicast (ordo_com_*) with vector clocks that count multicasts:
 * V[i] is incremented when i multicasts (ts(m) = V); a message from j is
 * held back until V[j] = ts[j] - 1 and V[k] >= ts[k] for every k != j,
 * then delivered and V[j] = ts[j]. Duplicates are ignored.
 */
#ifndef _ORDO_MCAST_H
#define _ORDO_MCAST_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include <linux/ordo_wire.h>	/* ORDO_VC_MAX */

#define ORDO_MCAST_MAX	ORDO_VC_MAX	/* members of a group */

/* Return values of the input functions, besides 0 and -errno. */
#define ORDO_MCAST_DUP		1	/* duplicate, ignored */
#define ORDO_MCAST_HELD		2	/* buffered (FIFO gap / hold-back) */

/* ------------------------------------------------ totally ordered */
enum ordo_tom_type {
	ORDO_TOM_DATA = 1,
	ORDO_TOM_ACK = 2,
};

struct ordo_tom_pkt {
	__u32 type;		/* enum ordo_tom_type */
	__u32 from;		/* member that sent this packet */
	__u64 seq;		/* from's sequence number, or 0 */
	__u64 ts;		/* Lamport timestamp of this packet */
	__u32 msg_from;	/* the message: DATA: from; ACK: acked one */
	__u64 msg_ts;	/* DATA: ts; ACK: the acked message's ts */
	const void *data;	/* DATA: payload */
	size_t len;
};

struct ordo_tom_ops {
	/* Multicast @pkt to every other member. */
	void (*send)(void *ctx, const struct ordo_tom_pkt *pkt);
	/* Deliver message <ts, from> to the application. */
	void (*deliver)(void *ctx, __u32 from, __u64 ts,
			const void *data, size_t len);
};

struct ordo_tom;

struct ordo_tom *ordo_tom_new(__u32 n, __u32 self,
			      const struct ordo_tom_ops *ops, void *ctx);
void ordo_tom_free(struct ordo_tom *t);
/* Local multicast of @data: *@ts (may be NULL) is its timestamp. */
int ordo_tom_send(struct ordo_tom *t, const void *data, size_t len,
		  __u64 *ts);
/* A packet from another member: 0, ORDO_MCAST_DUP/_HELD or -errno. */
int ordo_tom_input(struct ordo_tom *t, const struct ordo_tom_pkt *pkt);
/* Messages queued, not yet delivered. */
size_t ordo_tom_pending(const struct ordo_tom *t);
/* The Lamport clock's current value. */
__u64 ordo_tom_clock(const struct ordo_tom *t);

/* ------------------------------------------------ causal */
struct ordo_com_ops {
	/* Multicast message @ts (n entries) from @from to every other member. */
	void (*send)(void *ctx, __u32 from, const __u64 *ts, __u32 n,
		     const void *data, size_t len);
	/* Deliver a message; @ts is its vector timestamp. */
	void (*deliver)(void *ctx, __u32 from, const __u64 *ts,
			__u32 n, const void *data, size_t len);
};

struct ordo_com;

struct ordo_com *ordo_com_new(__u32 n, __u32 self,
			      const struct ordo_com_ops *ops, void *ctx);
void ordo_com_free(struct ordo_com *c);
/* Local multicast; the message is delivered locally at once. */
int ordo_com_send(struct ordo_com *c, const void *data, size_t len);
/* A message from @from: 0, ORDO_MCAST_DUP/_HELD, -EMSGSIZE or -errno. */
int ordo_com_input(struct ordo_com *c, __u32 from, const __u64 *ts,
		   __u32 n, const void *data, size_t len);
size_t ordo_com_pending(const struct ordo_com *c);
/* The vector V (n entries). */
const __u64 *ordo_com_vector(const struct ordo_com *c);

#endif /* _ORDO_MCAST_H */
