/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libordo group transport: ordered multicast over stamped UDP sockets.
 *
 * A group has n members (ids 0..n-1, each with a UDP address). Every
 * member has one stamped UDP socket (struct ordo_ldom: the kernel stamps
 * when ordo.ko is loaded, libordo otherwise, same wire format); a
 * "multicast" is one unicast datagram to each other member. On top of
 * the sockets:
 *
 *   - a reliability layer that gives the ordering algorithms the reliable
 *     FIFO channels they assume: per-sender sequence numbers, cumulative
 *     and selective transport acks, retransmission on timeout (RFC 6298
 *     style RTO per destination, exponential backoff) and on holes
 *     reported by selective acks, duplicates dropped, gaps buffered;
 *   - the ordering, user/lib/ordo_mcast.c: totally ordered multicast
 *     (Lamport clocks, acks multicast by every receiver, delivery at the
 *     head of the queue once acknowledged by all) or causal multicast
 *     (vector clocks counting multicasts, hold-back queue).
 *
 * Documentation/ordered-multicast.rst describes the algorithms and
 * Documentation/wire-format.rst the packets, byte by byte.
 *
 * Event-loop use: poll ordo_group_fd() for POLLIN with the timeout
 * ordo_group_timeout_ms(), then call ordo_group_process(), which reads
 * every pending datagram, runs the retransmission timers and invokes the
 * callbacks. ordo_group_send() multicasts a message.
 *
 * Not thread safe: one thread drives a group. The callbacks run inside
 * ordo_group_process() and ordo_group_send(); they may call
 * ordo_group_send() (the message is then sent as soon as the ordering
 * code has returned, before the outer call returns) but not
 * ordo_group_close().
 *
 * Members never change: there is no join, leave or failure detector. A
 * member that stops makes the others retransmit to it (every
 * rto_max_ms) forever, and blocks totally ordered delivery everywhere
 * (every message needs its acknowledgement).
 */
#ifndef ORDO_GROUP_H
#define ORDO_GROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/ordo_wire.h>

#include "libordo.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORDO_GROUP_MAX		64	/* members (ORDO_VC_MAX) */
#define ORDO_GROUP_PAYLOAD_MAX	16384	/* bytes of one message */

enum ordo_group_mode {
	ORDO_GROUP_TOTAL = 1,	/* totally ordered (Lamport) */
	ORDO_GROUP_CAUSAL = 2,	/* causally ordered (vector) */
};

/* A message: sent (the "sent" callback) or delivered. */
struct ordo_group_msg {
	uint32_t from;		/* the member that multicast it */
	uint64_t ts;		/* total: Lamport ts; causal: vc[from] */
	const uint64_t *vc;	/* causal: the vector timestamp; else NULL */
	uint32_t n;		/* entries of vc (the group size) */
	const void *data;
	size_t len;
	/*
	 * The datagram that carried it to this member (0/NULL for the
	 * member's own messages): its number in the order datagrams were
	 * read (struct ordo_group_rx.index) and its SOL_ORDO control
	 * message (the socket clock's stamp).
	 */
	uint64_t rx_index;
	const struct ordo_lclock_cmsg *cmsg;
};

/* Verdicts of the datagrams read (struct ordo_group_rx.verdict). */
enum ordo_group_rx_verdict {
	ORDO_GROUP_RX_NEW = 1,	/* DATA, in order: given to the ordering */
	ORDO_GROUP_RX_GAP,	/* DATA after a gap: buffered */
	ORDO_GROUP_RX_DUP,	/* DATA already received: dropped */
	ORDO_GROUP_RX_ACK,	/* a transport ACK */
	ORDO_GROUP_RX_BAD,	/* malformed or not for this group: dropped */
};

/* Packet types on the wire (struct ordo_group_rx.type). */
#define ORDO_GROUP_PKT_DATA	1
#define ORDO_GROUP_PKT_ACK	2

/* Every datagram read from the socket. */
struct ordo_group_rx {
	uint64_t index;		/* 1, 2, ... in the order read */
	uint32_t from;		/* member id in the header (bad: as read) */
	uint32_t type;		/* ORDO_GROUP_PKT_*, 0 if unreadable */
	uint64_t seq;		/* DATA: the sender's sequence number */
	uint32_t verdict;	/* enum ordo_group_rx_verdict */
	const struct ordo_lclock_cmsg *cmsg;	/* NULL if unstamped */
};

typedef void (*ordo_group_msg_fn)(void *arg, const struct ordo_group_msg *m);
typedef void (*ordo_group_rx_fn)(void *arg, const struct ordo_group_rx *rx);

/*
 * Fault injection, for tests: called for every datagram about to be
 * sent to member @to; returns how many copies to send (0 drops it).
 */
typedef unsigned int (*ordo_group_tx_hook)(void *arg, uint32_t to,
					   uint32_t type, uint64_t seq);

struct ordo_group_config {
	enum ordo_group_mode mode;
	uint32_t n;		/* members, 1..ORDO_GROUP_MAX */
	uint32_t self;		/* this member's id, < n */
	/* n addresses (AF_INET or AF_INET6); addrs[self] is bound */
	const struct sockaddr_storage *addrs;
	/* The socket's clock domain, for ordo_ldom_open(), and its flags */
	struct ordo_lclock_params clock;
	unsigned int ldom_flags;	/* ORDO_LDOM_F_* */
	/* Retransmission timeout bounds and first value, ms (0: default) */
	unsigned int rto_min_ms;	/* default 30 */
	unsigned int rto_max_ms;	/* default 1000 */
	unsigned int rto_init_ms;	/* default 200 */
	/* Callbacks (arg is theirs); deliver is required */
	ordo_group_msg_fn deliver;	/* a message, in order */
	ordo_group_msg_fn sent;		/* own message got its timestamp */
	ordo_group_rx_fn rx;		/* every datagram read */
	ordo_group_tx_hook tx_hook;	/* tests only; NULL */
	void *arg;
};

struct ordo_group_stats {
	uint64_t multicasts;	/* messages multicast (ordo_group_send) */
	uint64_t proto_acks;	/* total order: acknowledgements multicast */
	uint64_t data_sent;	/* DATA datagrams, first transmissions */
	uint64_t data_received;	/* DATA datagrams accepted (once each) */
	uint64_t acks_sent;	/* transport ACK datagrams */
	uint64_t acks_received;
	uint64_t retransmits;	/* DATA datagrams sent again (all causes) */
	uint64_t fast_retransmits;	/* of which on a selective-ack hole */
	uint64_t duplicates;	/* DATA datagrams dropped as already seen */
	uint64_t out_of_order;	/* DATA datagrams buffered behind a gap */
	uint64_t held_back;	/* messages not deliverable on arrival */
	uint64_t delivered;	/* messages delivered (own ones included) */
	uint64_t bad;		/* datagrams dropped as malformed/foreign */
	uint64_t send_errors;	/* sendmsg failures (handled as losses) */
	uint64_t unacked;	/* now: (DATA, destination) not yet acked */
	uint64_t pending;	/* now: messages received, not delivered */
};

struct ordo_group;

/*
 * Create the socket, bind it to addrs[self], open the clock domain and
 * attach the socket. 0 or -errno (ORDO_ERR_NOT_LOADED with
 * ORDO_LDOM_F_KERNEL and no module, -EINVAL for a bad configuration).
 */
int ordo_group_open(struct ordo_group **gp, const struct ordo_group_config *cfg);
/* Closes the socket and the domain; undelivered messages are dropped. */
void ordo_group_close(struct ordo_group *g);

/* The socket: poll it for POLLIN. */
int ordo_group_fd(const struct ordo_group *g);
/* ms until ordo_group_process() must run for the timers; -1: none. */
int ordo_group_timeout_ms(const struct ordo_group *g);
/*
 * Read every pending datagram, run the timers, send the acks owed.
 * Returns the number of messages delivered by this call, or -errno.
 */
int ordo_group_process(struct ordo_group *g);
/*
 * Multicast a message (@len <= ORDO_GROUP_PAYLOAD_MAX). Its timestamp is
 * reported by the "sent" callback before any delivery of it. 0 or -errno.
 */
int ordo_group_send(struct ordo_group *g, const void *data, size_t len);

void ordo_group_stats(const struct ordo_group *g, struct ordo_group_stats *st);
/* Everything this member sent has been acknowledged by every member. */
int ordo_group_idle(const struct ordo_group *g);
/* How many other members a valid datagram has come from so far. */
uint32_t ordo_group_heard(const struct ordo_group *g);
/*
 * Ask every member not heard from yet to answer (an ACK with the PROBE
 * flag): to wait until the group is up before multicasting. Returns the
 * number of members probed (0: every member has been heard from).
 */
uint32_t ordo_group_probe(struct ordo_group *g);
/*
 * Tell the others that this member is done (an ACK with the LEAVE flag,
 * sent twice): they stop sending and retransmitting to it. For a member
 * that has delivered what it wanted and is idle, just before
 * ordo_group_close(); the others keep multicasting among themselves but
 * a totally ordered message multicast after that never gets this
 * member's acknowledgement. A lost LEAVE only costs retransmissions.
 */
void ordo_group_leave(struct ordo_group *g);
/* The socket's clock domain (for ordo_ldom_get(), ordo_ldom_mode()). */
struct ordo_ldom *ordo_group_ldom(const struct ordo_group *g);
/* "total", "causal" and back (-EINVAL). */
const char *ordo_group_mode_name(enum ordo_group_mode mode);
int ordo_group_mode_parse(const char *s, enum ordo_group_mode *mode);

/*
 * The transport header (Documentation/wire-format.rst, "Ordered multicast
 * packets"), exposed for tests and tools that parse captures.
 */
#define ORDO_GROUP_MAGIC	0x4f4d4350U	/* "OMCP" */
#define ORDO_GROUP_VERSION	1
#define ORDO_GROUP_HDR_LEN	40
#define ORDO_GROUP_TOM_LEN	24	/* total-order body, before payload */
#define ORDO_GROUP_SACK_BITS	64
/* flags, ACK only */
#define ORDO_GROUP_F_PROBE	0x01	/* answer with an ACK */
#define ORDO_GROUP_F_LEAVE	0x02	/* the sender left the group */
#define ORDO_GROUP_F_ALL	0x03

struct ordo_group_hdr {
	uint8_t version;
	uint8_t type;		/* ORDO_GROUP_PKT_* */
	uint8_t mode;		/* enum ordo_group_mode */
	uint8_t flags;		/* ACK: ORDO_GROUP_F_*; DATA: 0 */
	uint16_t from, to;	/* member ids */
	uint16_t n;		/* group size */
	uint16_t reserved;	/* 0 */
	uint64_t seq;		/* DATA: sequence number; ACK: 0 */
	uint64_t ack;		/* cumulative ack of to -> from */
	uint64_t sack;		/* bit k: seq ack + 2 + k received */
};

/* Encode into @buf (ORDO_GROUP_HDR_LEN bytes). */
void ordo_group_hdr_encode(void *buf, const struct ordo_group_hdr *h);
/* Decode and validate: 0, or -EBADMSG/-EPROTO (version)/-EMSGSIZE. */
int ordo_group_hdr_decode(const void *buf, size_t len,
			  struct ordo_group_hdr *h);

#ifdef __cplusplus
}
#endif

#endif /* ORDO_GROUP_H */
