/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by msgstat.bpf.c and ordo-msgstat: the layout of the message
 * accounting maps (Documentation/ordo-msgstat.rst, "Maps").
 *
 *   msgs    per-CPU hash, struct msgstat_key -> struct msgstat_val: every
 *           ordo datagram with a valid clock header, per protocol, type,
 *           direction, class (app header or none), sender and addresses
 *   misc    per-CPU array of __u64, msgstat_misc_slot(dir, slot): the
 *           malformed ordo datagrams by reason, and keys msgs had no
 *           room for
 *   stamps  per-CPU hash, struct msgstat_stamp_key -> __u64: ordo.ko's
 *           stamping events (tracepoint ordo:ordo_lc_event) per network
 *           namespace, event and node
 */
#ifndef __ORDO_MSGSTAT_H
#define __ORDO_MSGSTAT_H

enum msgstat_dir {
	MSGSTAT_RX,		/* tc ingress, cgroup_skb/ingress */
	MSGSTAT_TX,		/* tc egress, cgroup_skb/egress */
	MSGSTAT_NR_DIRS,
};

/* msgstat_key.cls */
enum msgstat_cls {
	MSGSTAT_CLS_APP,	/* clock header and a valid application header */
	MSGSTAT_CLS_NOAPP,	/* clock header, then no application header */
};

/* msgstat_key.family */
#define MSGSTAT_AF_INET		4
#define MSGSTAT_AF_INET6	6

#define MSGSTAT_MAX_ENTRIES	16384

/*
 * Addresses are IPv6, IPv4 ones mapped (::ffff:a.b.c.d). For NOAPP,
 * proto and type are 0 and sender is the clock header's node_id.
 */
struct msgstat_key {
	__u8 proto;		/* application header: enum ordo_app_proto */
	__u8 type;		/* application header: message type */
	__u8 dir;		/* enum msgstat_dir */
	__u8 cls;		/* enum msgstat_cls */
	__u32 sender;		/* application header: the sender's node id */
	__u8 family;		/* MSGSTAT_AF_* */
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
};

struct msgstat_val {
	__u64 packets;		/* datagrams */
	__u64 bytes;		/* UDP payload bytes (clock header included) */
	__u64 retx;		/* of which ORDO_APP_F_RETX */
	__u64 opdone;		/* of which ORDO_APP_F_OPDONE */
};

/*
 * misc slots, per direction: a clock header that starts with the magic
 * but is invalid (by enum ordo_wire_err), an invalid application header
 * (by enum ordo_app_err), a key msgs had no room for.
 */
#define MSGSTAT_WIRE_BAD	0	/* + (-ordo_wire_err - 1), 13 of them */
#define MSGSTAT_APP_BAD		16	/* + (-ordo_app_err - 1), 7 of them */
#define MSGSTAT_OVERFLOW	24
#define MSGSTAT_MISC_PER_DIR	32
#define MSGSTAT_MISC_SLOTS	(MSGSTAT_MISC_PER_DIR * MSGSTAT_NR_DIRS)

static inline __u32 msgstat_misc_slot(__u32 dir, __u32 slot)
{
	return (dir & 1) * MSGSTAT_MISC_PER_DIR + (slot & (MSGSTAT_MISC_PER_DIR - 1));
}

/* stamps: the events of ordo:ordo_lc_event (ORDO_LC_EV_* in kmod/trace.h) */
enum msgstat_stamp_event {
	MSGSTAT_ST_SEND,
	MSGSTAT_ST_RECV,
	MSGSTAT_ST_TICK,
	MSGSTAT_NR_ST,
};

struct msgstat_stamp_key {
	__u32 netns;		/* inode number of the stamping task's netns */
	__u32 event;		/* enum msgstat_stamp_event */
	__u32 node;		/* send, tick: this node; recv: the sender */
};

#endif /* __ORDO_MSGSTAT_H */
