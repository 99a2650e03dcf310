/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by msgstat.bpf.c and ordo-msgstat: the layout of the message
 * accounting maps (Documentation/ordo-msgstat.rst, "Maps").
 *
 *   slots   per-CPU array of struct msgstat_slot, MSGSTAT_SLOTS per
 *           direction: the hot path. A key owns the slot
 *           msgstat_slot_idx() picks the first time it comes to it on a
 *           CPU (packets 0: free) and is counted there from then on;
 *           a key whose slot is owned by another goes to msgs
 *   msgs    per-CPU hash, struct msgstat_key -> struct msgstat_val: the
 *           overflow of slots; the count of a key is its slot's on every
 *           CPU plus its msgs entry
 *   misc    per-CPU array of __u64, msgstat_misc_slot(dir, slot): the
 *           malformed ordo datagrams by reason, and keys msgs had no
 *           room for
 *   stamp_cnt  per-CPU array of __u64, MSGSTAT_STAMP_NS * MSGSTAT_ST_STRIDE:
 *           ordo.ko's stamping events (tracepoint ordo:ordo_lc_event)
 *           per event of the network namespaces in the global
 *           stamp_ns[] (the attached ones, written by the tool)
 *   stamps  per-CPU hash, struct msgstat_stamp_key -> __u64: the same
 *           for every other network namespace
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
	__u32 rsvd;		/* 0: the key is six u64 words (key_eq()) */
};

struct msgstat_val {
	__u64 packets;		/* datagrams */
	__u64 bytes;		/* UDP payload bytes (clock header included) */
	__u64 retx;		/* of which ORDO_APP_F_RETX */
	__u64 opdone;		/* of which ORDO_APP_F_OPDONE, not RETX */
};

/*
 * slots: the program writes the key before val.packets becomes non-zero;
 * a reader copies val.packets before the key, so a slot it sees in use
 * has its whole key (a key with family 0, left by a reset racing a new
 * key, is skipped).
 */
struct msgstat_slot {
	struct msgstat_val val;	/* packets 0: the slot is free */
	struct msgstat_key key;
};

#define MSGSTAT_SLOTS		128	/* per direction, a power of 2 */
#define MSGSTAT_NR_SLOTS	(MSGSTAT_SLOTS * MSGSTAT_NR_DIRS)

/*
 * The slot of a key: the direction's half, then a cheap hash of what
 * tells the rows of one run apart (protocol, type, class, sender, the
 * peer's address).
 */
static inline __u32 msgstat_slot_idx(const struct msgstat_key *k)
{
	const __u8 *peer = k->dir == MSGSTAT_RX ? k->saddr : k->daddr;
	__u32 h = k->sender;

	h ^= (__u32)k->proto << 8 ^ (__u32)k->type << 16 ^ (__u32)k->cls << 24;
	h ^= (__u32)peer[15] | (__u32)peer[14] << 8 | (__u32)peer[13] << 16 |
	     (__u32)peer[3] << 24;
	h *= 0x9e3779b1U;
	return (k->dir & 1) * MSGSTAT_SLOTS + (h >> 25) % MSGSTAT_SLOTS;
}

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
	__u32 pad;		/* 0 */
};

/* stamp_cnt: namespace i (stamp_ns[i]), event e at i * MSGSTAT_ST_STRIDE + e */
#define MSGSTAT_STAMP_NS	16
#define MSGSTAT_ST_STRIDE	4

#endif /* __ORDO_MSGSTAT_H */
