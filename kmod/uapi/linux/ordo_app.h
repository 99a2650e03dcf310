/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Ordo - the application header of the coordination daemons
 *
 * Every datagram the daemons (the runtime of user/lib/ordo_rt.h) send on
 * their stamped UDP socket carries, after the ordo clock header of
 * <linux/ordo_wire.h>, this fixed 16-byte header and then a protobuf-c
 * body of exactly body_len bytes. The application never sees the clock
 * header: the kernel (or libordo's userspace stamping) strips it. The
 * eBPF message accounting reads this header to count messages per
 * protocol and type. See Documentation/wire-format.rst, "Application
 * header", for the byte-by-byte description.
 *
 * All multi-byte fields are big endian (network byte order):
 *
 *   off size field
 *     0   1  version    ORDO_APP_VERSION
 *     1   1  proto      enum ordo_app_proto
 *     2   1  type       message type, per protocol
 *     3   1  flags      ORDO_APP_F_*
 *     4   4  sender     the sender's node id
 *     8   4  xid        the sender's transaction id; a reply echoes the
 *                       request's, a retransmission reuses it
 *    12   4  body_len   bytes after the header: the rest of the datagram
 *
 * The helpers below need no libc, use only bounded loops and access the
 * buffer byte by byte, so that userspace and BPF programs share them.
 */
#ifndef _UAPI_LINUX_ORDO_APP_H
#define _UAPI_LINUX_ORDO_APP_H

#ifndef __VMLINUX_H__	/* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

#define ORDO_APP_VERSION	1
#define ORDO_APP_HDR_LEN	16

/* Offsets of the fields, in bytes from the start of the header. */
#define ORDO_APP_OFF_VERSION	0
#define ORDO_APP_OFF_PROTO	1
#define ORDO_APP_OFF_TYPE	2
#define ORDO_APP_OFF_FLAGS	3
#define ORDO_APP_OFF_SENDER	4
#define ORDO_APP_OFF_XID	8
#define ORDO_APP_OFF_BODY_LEN	12

/*
 * Protocols. The numbering leaves room per family: mutual exclusion
 * 1-15, elections 16-31, consensus 32-47, clock synchronisation 48-63.
 */
enum ordo_app_proto {
	ORDO_APP_PROTO_RT = 0,		/* the runtime: heartbeats, errors */
	ORDO_APP_PROTO_MUTEX_CENTRAL = 1,
	ORDO_APP_PROTO_MUTEX_RING = 2,
	ORDO_APP_PROTO_MUTEX_RA = 3,	/* Ricart-Agrawala */
	ORDO_APP_PROTO_MUTEX_LAMPORT = 4,
	ORDO_APP_PROTO_MUTEX_VOTE = 5,
	ORDO_APP_PROTO_ELECT_BULLY = 16,
	ORDO_APP_PROTO_ELECT_RING = 17,
	ORDO_APP_PROTO_RAFT = 32,
	ORDO_APP_PROTO_CLOCKSYNC = 48,
};

/* One past the largest proto value: the size of a per-proto array. */
#define ORDO_APP_PROTO_MAX	64

/* Message types of ORDO_APP_PROTO_RT (the runtime's own messages). */
enum ordo_app_rt_type {
	ORDO_APP_RT_HEARTBEAT = 1,	/* failure detector, one way */
	ORDO_APP_RT_PING = 2,		/* request: answered with PONG */
	ORDO_APP_RT_PONG = 3,		/* reply to PING, echoes its body */
	ORDO_APP_RT_ERROR = 4,		/* reply: the request failed */
	ORDO_APP_RT_PENDING = 5,	/* reply: request received, answer later */
};

/*
 * Flags. REPLY: this message answers the request with the same xid sent
 * by the receiver. RETX: a retransmission (same xid as the first
 * transmission). OPDONE: this message completes one operation of the
 * algorithm (message accounting: messages per operation). REQUEST: the
 * sender waits for a reply and retransmits until it gets one; the
 * receiver drops duplicates and answers them from its reply cache.
 * Any other bit is invalid (ORDO_APP_E_FLAGS).
 */
#define ORDO_APP_F_REPLY	0x01
#define ORDO_APP_F_RETX		0x02
#define ORDO_APP_F_OPDONE	0x04
#define ORDO_APP_F_REQUEST	0x08
#define ORDO_APP_F_KNOWN	0x0f

/*
 * Results of ordo_app_validate(): 0 or one distinct negative code per
 * reason, checked in this order. -code - 1 indexes an array of
 * ORDO_APP_E_CNT counters ("malformed" by reason).
 */
enum ordo_app_err {
	ORDO_APP_E_SHORT = -1,		/* datagram shorter than 16 bytes */
	ORDO_APP_E_VERSION = -2,	/* unknown version */
	ORDO_APP_E_PROTO = -3,		/* unknown proto */
	ORDO_APP_E_FLAGS = -4,		/* unknown flag bit */
	ORDO_APP_E_REPLY = -5,		/* REPLY and REQUEST together */
	ORDO_APP_E_LEN = -6,		/* body_len != datagram length - 16 */
	ORDO_APP_E_NOSPACE = -7,	/* encode: caller's buffer too small */

	ORDO_APP_E_CNT = 7
};

/* struct ordo_app_info - a decoded header, in host byte order. */
struct ordo_app_info {
	__u8 version;
	__u8 proto;
	__u8 type;
	__u8 flags;
	__u32 sender;
	__u32 xid;
	__u32 body_len;
};

static inline __u32 ordo_app_get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static inline void ordo_app_put32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

/* 1 if @proto is one of enum ordo_app_proto, else 0. */
static inline int ordo_app_proto_known(__u32 proto)
{
	switch (proto) {
	case ORDO_APP_PROTO_RT:
	case ORDO_APP_PROTO_MUTEX_CENTRAL:
	case ORDO_APP_PROTO_MUTEX_RING:
	case ORDO_APP_PROTO_MUTEX_RA:
	case ORDO_APP_PROTO_MUTEX_LAMPORT:
	case ORDO_APP_PROTO_MUTEX_VOTE:
	case ORDO_APP_PROTO_ELECT_BULLY:
	case ORDO_APP_PROTO_ELECT_RING:
	case ORDO_APP_PROTO_RAFT:
	case ORDO_APP_PROTO_CLOCKSYNC:
		return 1;
	default:
		return 0;
	}
}

/*
 * ordo_app_validate - check the application header at the start of
 * @buf, the payload of a datagram of @len bytes (after the clock header).
 * Returns ORDO_APP_HDR_LEN when it is valid, otherwise the first failing
 * enum ordo_app_err in the order listed there. Reads only bytes
 * [0, ORDO_APP_HDR_LEN) of @buf, and only when @len covers them: a BPF
 * program copies 16 bytes to its stack and passes the payload length.
 */
static inline int ordo_app_validate(const void *buf, __u32 len)
{
	const __u8 *p = (const __u8 *)buf;
	__u8 flags;

	if (len < ORDO_APP_HDR_LEN)
		return ORDO_APP_E_SHORT;
	if (p[ORDO_APP_OFF_VERSION] != ORDO_APP_VERSION)
		return ORDO_APP_E_VERSION;
	if (!ordo_app_proto_known(p[ORDO_APP_OFF_PROTO]))
		return ORDO_APP_E_PROTO;
	flags = p[ORDO_APP_OFF_FLAGS];
	if (flags & ~ORDO_APP_F_KNOWN)
		return ORDO_APP_E_FLAGS;
	if ((flags & ORDO_APP_F_REPLY) && (flags & ORDO_APP_F_REQUEST))
		return ORDO_APP_E_REPLY;
	if (ordo_app_get32(p + ORDO_APP_OFF_BODY_LEN) != len - ORDO_APP_HDR_LEN)
		return ORDO_APP_E_LEN;
	return ORDO_APP_HDR_LEN;
}

/*
 * ordo_app_decode - validate the header of a payload of @len bytes at
 * @buf and decode it into @info. Returns ORDO_APP_HDR_LEN (the body
 * follows at that offset) or a negative enum ordo_app_err; @info is
 * untouched when the header is invalid.
 */
static inline int ordo_app_decode(const void *buf, __u32 len,
				  struct ordo_app_info *info)
{
	const __u8 *p = (const __u8 *)buf;
	int ret = ordo_app_validate(buf, len);

	if (ret < 0)
		return ret;
	info->version = p[ORDO_APP_OFF_VERSION];
	info->proto = p[ORDO_APP_OFF_PROTO];
	info->type = p[ORDO_APP_OFF_TYPE];
	info->flags = p[ORDO_APP_OFF_FLAGS];
	info->sender = ordo_app_get32(p + ORDO_APP_OFF_SENDER);
	info->xid = ordo_app_get32(p + ORDO_APP_OFF_XID);
	info->body_len = ordo_app_get32(p + ORDO_APP_OFF_BODY_LEN);
	return ret;
}

/*
 * ordo_app_encode - write the header described by @info (version is
 * always ORDO_APP_VERSION; body_len is taken from @info) into @buf of
 * @cap bytes. Returns ORDO_APP_HDR_LEN, ORDO_APP_E_NOSPACE when @cap is
 * too small, or the code ordo_app_validate() would give for what @info
 * describes (ORDO_APP_E_PROTO, _FLAGS, _REPLY). Nothing is written on
 * error.
 */
static inline int ordo_app_encode(void *buf, __u32 cap,
				  const struct ordo_app_info *info)
{
	__u8 *p = (__u8 *)buf;

	if (!ordo_app_proto_known(info->proto))
		return ORDO_APP_E_PROTO;
	if (info->flags & ~ORDO_APP_F_KNOWN)
		return ORDO_APP_E_FLAGS;
	if ((info->flags & ORDO_APP_F_REPLY) &&
	    (info->flags & ORDO_APP_F_REQUEST))
		return ORDO_APP_E_REPLY;
	if (cap < ORDO_APP_HDR_LEN)
		return ORDO_APP_E_NOSPACE;
	p[ORDO_APP_OFF_VERSION] = ORDO_APP_VERSION;
	p[ORDO_APP_OFF_PROTO] = info->proto;
	p[ORDO_APP_OFF_TYPE] = info->type;
	p[ORDO_APP_OFF_FLAGS] = info->flags;
	ordo_app_put32(p + ORDO_APP_OFF_SENDER, info->sender);
	ordo_app_put32(p + ORDO_APP_OFF_XID, info->xid);
	ordo_app_put32(p + ORDO_APP_OFF_BODY_LEN, info->body_len);
	return ORDO_APP_HDR_LEN;
}

/* A short name for an enum ordo_app_err (stats, logs); "?" if unknown. */
static inline const char *ordo_app_strerror(int err)
{
	switch (err) {
	case ORDO_APP_E_SHORT:		return "short";
	case ORDO_APP_E_VERSION:	return "version";
	case ORDO_APP_E_PROTO:		return "proto";
	case ORDO_APP_E_FLAGS:		return "flags";
	case ORDO_APP_E_REPLY:		return "reply_request";
	case ORDO_APP_E_LEN:		return "len";
	case ORDO_APP_E_NOSPACE:	return "nospace";
	default:			return "?";
	}
}

/* The name of a proto ("rt", "mutex_central", ...); "?" if unknown. */
static inline const char *ordo_app_proto_name(__u32 proto)
{
	switch (proto) {
	case ORDO_APP_PROTO_RT:			return "rt";
	case ORDO_APP_PROTO_MUTEX_CENTRAL:	return "mutex_central";
	case ORDO_APP_PROTO_MUTEX_RING:		return "mutex_ring";
	case ORDO_APP_PROTO_MUTEX_RA:		return "mutex_ra";
	case ORDO_APP_PROTO_MUTEX_LAMPORT:	return "mutex_lamport";
	case ORDO_APP_PROTO_MUTEX_VOTE:		return "mutex_vote";
	case ORDO_APP_PROTO_ELECT_BULLY:	return "elect_bully";
	case ORDO_APP_PROTO_ELECT_RING:		return "elect_ring";
	case ORDO_APP_PROTO_RAFT:		return "raft";
	case ORDO_APP_PROTO_CLOCKSYNC:		return "clocksync";
	default:				return "?";
	}
}

#endif /* _UAPI_LINUX_ORDO_APP_H */
