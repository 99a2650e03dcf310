/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Ordo - the logical clock header on the wire
 *
 * Every datagram sent on a stamped socket starts with this header; the
 * application's payload follows it at offset hdr_len. It is implemented
 * once, here, for the kernel module, libordo (userspace stamping for
 * machines without the module) and the eBPF programs. See
 * Documentation/wire-format.rst for the byte-by-byte description.
 *
 * All multi-byte fields are big endian (network byte order). Every field
 * is naturally aligned relative to the start of the header, and hdr_len
 * is always a multiple of 8.
 *
 *   off size field
 *     0   4  magic      ORDO_WIRE_MAGIC, "ORDO"
 *     4   1  version    ORDO_WIRE_VERSION
 *     5   1  kind       enum ordo_wire_kind
 *     6   2  hdr_len    length of this header in bytes (the payload's offset)
 *     8   4  flags      ORDO_WIRE_F_*
 *    12   4  node_id    the sender's node id
 *    16   4  domain     the clock domain (group) id
 *    20   4  kind word  LAMPORT: reserved, 0
 *                       HLC:     c, the logical counter
 *                       VECTOR:  n (2 bytes at 20), index (2 bytes at 22)
 *    24   8  ts[0]      LAMPORT: c; HLC: l (ns since the Unix epoch)
 *    24 8*n  ts[0..n-1] VECTOR: the n entries of the vector timestamp, u64
 *    24 4*n  ts[0..n-1] VECTOR with ORDO_WIRE_F_VC32: the entries as u32,
 *                       then 4 pad bytes (0) when n is odd
 *
 * hdr_len is 32 for LAMPORT and HLC, 24 + 8 * n for VECTOR and, with
 * ORDO_WIRE_F_VC32, 24 + 4 * n rounded up to a multiple of 8.
 *
 * The helpers below need no libc, use only bounded loops and access the
 * buffer byte by byte (no alignment requirement, independent of the host's
 * byte order), so that the kernel, userspace and BPF share them.
 */
#ifndef _UAPI_LINUX_ORDO_WIRE_H
#define _UAPI_LINUX_ORDO_WIRE_H

#ifndef __VMLINUX_H__	/* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

#define ORDO_WIRE_MAGIC		0x4f52444fU	/* "ORDO" */
#define ORDO_WIRE_VERSION	1

enum ordo_wire_kind {
	ORDO_WIRE_KIND_NONE,	/* never valid on the wire */
	ORDO_WIRE_KIND_LAMPORT,
	ORDO_WIRE_KIND_VECTOR,
	ORDO_WIRE_KIND_HLC,

	__ORDO_WIRE_KIND_CNT
};

/*
 * Largest vector clock domain (members). The wire format itself allows
 * up to (65535 - 24) / 8 entries (u64); a future version may raise this.
 */
#define ORDO_VC_MAX		64

/* Offsets of the fields, in bytes from the start of the header. */
#define ORDO_WIRE_OFF_MAGIC	0
#define ORDO_WIRE_OFF_VERSION	4
#define ORDO_WIRE_OFF_KIND	5
#define ORDO_WIRE_OFF_HDR_LEN	6
#define ORDO_WIRE_OFF_FLAGS	8
#define ORDO_WIRE_OFF_NODE	12
#define ORDO_WIRE_OFF_DOMAIN	16
#define ORDO_WIRE_OFF_KWORD	20
#define ORDO_WIRE_OFF_HLC_C	20
#define ORDO_WIRE_OFF_VC_N	20
#define ORDO_WIRE_OFF_VC_INDEX	22
#define ORDO_WIRE_OFF_TS	24

/* Bytes a parser needs to read magic, version, kind and hdr_len. */
#define ORDO_WIRE_PREFIX_LEN	8
/* Bytes before the timestamp(s): all that ordo_wire_validate() reads. */
#define ORDO_WIRE_FIXED_LEN	24
#define ORDO_WIRE_LAMPORT_LEN	32
#define ORDO_WIRE_HLC_LEN	32
/* A vector of n entries: u64 entries, and u32 ones (ORDO_WIRE_F_VC32). */
#define ORDO_WIRE_VC_LEN(n)	(ORDO_WIRE_FIXED_LEN + 8 * (n))
#define ORDO_WIRE_VC32_LEN(n)	(ORDO_WIRE_FIXED_LEN + 8 * (((n) + 1) / 2))
#define ORDO_WIRE_MAX_LEN	ORDO_WIRE_VC_LEN(ORDO_VC_MAX)

/*
 * Flags. Bits 0-15 are optional: a receiver that does not know one
 * ignores it. Bits 16-31 are critical: a receiver that does not know one
 * must reject the header (ORDO_WIRE_E_FLAGS).
 *
 * ORDO_WIRE_F_VC32 (critical): the vector entries are big-endian u32, not
 * u64, followed by 4 pad bytes of 0 when n is odd, so that hdr_len is
 * ORDO_WIRE_VC32_LEN(n). Only on a VECTOR header (ORDO_WIRE_E_FLAGS on
 * the others). ordo_wire_encode() sets it exactly when every entry fits
 * in a u32; the caller does not choose it.
 */
#define ORDO_WIRE_F_VC32		0x00010000U
#define ORDO_WIRE_F_CRITICAL_MASK	0xffff0000U
#define ORDO_WIRE_F_KNOWN		ORDO_WIRE_F_VC32

/*
 * Results of ordo_wire_validate(): 0 or one distinct negative code per
 * reason, checked in this order. -code - 1 indexes an array of
 * ORDO_WIRE_E_CNT drop counters.
 */
enum ordo_wire_err {
	ORDO_WIRE_E_SHORT = -1,		/* datagram shorter than the prefix (8) */
	ORDO_WIRE_E_MAGIC = -2,		/* magic is not ORDO_WIRE_MAGIC */
	ORDO_WIRE_E_VERSION = -3,	/* unknown version */
	ORDO_WIRE_E_KIND = -4,		/* unknown kind */
	ORDO_WIRE_E_HDR_SMALL = -5,	/* hdr_len below the kind's minimum */
	ORDO_WIRE_E_HDR_LARGE = -6,	/* hdr_len above ORDO_WIRE_MAX_LEN */
	ORDO_WIRE_E_TRUNC = -7,		/* datagram shorter than hdr_len */
	ORDO_WIRE_E_VC_N = -8,		/* vector: n > ORDO_VC_MAX */
	ORDO_WIRE_E_HDR_LEN = -9,	/* hdr_len inconsistent with kind, n, VC32 */
	ORDO_WIRE_E_VC_INDEX = -10,	/* vector: index >= n (also n == 0) */
	ORDO_WIRE_E_FLAGS = -11,	/* unknown critical flag, VC32 not vector */
	ORDO_WIRE_E_RESERVED = -12,	/* LAMPORT: reserved kind word not 0;
					 * VC32, n odd: pad not 0 (decode only)
					 */
	ORDO_WIRE_E_NOSPACE = -13,	/* decode/encode: caller's buffer too small */

	ORDO_WIRE_E_CNT = 13
};

/*
 * struct ordo_wire_hdr - the header as a C struct, for reference and for
 * code that has a naturally aligned buffer; the helpers below do not use
 * it. Fields are big endian.
 */
struct ordo_wire_hdr {
	__be32 magic;
	__u8 version;
	__u8 kind;
	__be16 hdr_len;
	__be32 flags;
	__be32 node_id;
	__be32 domain;
	union {
		__be32 reserved;	/* LAMPORT */
		__be32 hlc_c;		/* HLC */
		struct {		/* VECTOR */
			__be16 vc_n;
			__be16 vc_index;
		};
	};
	__be64 ts[];	/* 1 (LAMPORT, HLC) or n (VECTOR) entries; with
			 * ORDO_WIRE_F_VC32, n __be32 entries instead
			 */
};

/*
 * struct ordo_wire_info - a decoded header, in host byte order. For a
 * vector the entries are decoded separately (see ordo_wire_decode()).
 */
struct ordo_wire_info {
	__u8 version;
	__u8 kind;
	__u16 hdr_len;
	__u32 flags;
	__u32 node_id;
	__u32 domain;
	__u32 hlc_c;		/* HLC: logical counter */
	__u16 vc_n;		/* VECTOR: number of entries */
	__u16 vc_index;		/* VECTOR: the sender's index, < vc_n */
	__u64 ts;		/* LAMPORT: c; HLC: l; VECTOR: 0 */
};

static inline __u16 ordo_wire_get16(const __u8 *p)
{
	return (__u16)((__u16)p[0] << 8 | p[1]);
}

static inline __u32 ordo_wire_get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static inline __u64 ordo_wire_get64(const __u8 *p)
{
	return (__u64)ordo_wire_get32(p) << 32 | ordo_wire_get32(p + 4);
}

static inline void ordo_wire_put16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static inline void ordo_wire_put32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

static inline void ordo_wire_put64(__u8 *p, __u64 v)
{
	ordo_wire_put32(p, (__u32)(v >> 32));
	ordo_wire_put32(p + 4, (__u32)v);
}

/*
 * ordo_wire_hdr_len - the largest header length for @kind with @n vector
 * entries (@n is ignored unless @kind is VECTOR): a vector's with u64
 * entries, an upper bound of what ordo_wire_encode() writes, known before
 * the entries are (for a payload size limit). Returns 0 for an unknown
 * kind or n > ORDO_VC_MAX. ordo_wire_enc_len() gives the exact length.
 */
static inline __u32 ordo_wire_hdr_len(__u32 kind, __u32 n)
{
	switch (kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		return ORDO_WIRE_LAMPORT_LEN;
	case ORDO_WIRE_KIND_HLC:
		return ORDO_WIRE_HLC_LEN;
	case ORDO_WIRE_KIND_VECTOR:
		return n <= ORDO_VC_MAX ? ORDO_WIRE_VC_LEN(n) : 0;
	default:
		return 0;
	}
}

/* Whether each of the first @n entries of @vc fits in a u32. */
static inline int ordo_wire_vc_fits32(const __u64 *vc, __u32 n)
{
	__u32 i;

	for (i = 0; i < ORDO_VC_MAX && i < n; i++)
		if (vc[i] > 0xffffffffULL)
			return 0;
	return 1;
}

/*
 * ordo_wire_enc_len - the header length ordo_wire_encode() writes for
 * @kind and, for a VECTOR, the @n entries of @vc: ORDO_WIRE_VC32_LEN(n)
 * when they all fit in a u32, else ORDO_WIRE_VC_LEN(n). Returns 0 for an
 * unknown kind or n > ORDO_VC_MAX.
 */
static inline __u32 ordo_wire_enc_len(__u32 kind, const __u64 *vc, __u32 n)
{
	if (kind == ORDO_WIRE_KIND_VECTOR && n <= ORDO_VC_MAX &&
	    ordo_wire_vc_fits32(vc, n))
		return ORDO_WIRE_VC32_LEN(n);
	return ordo_wire_hdr_len(kind, n);
}

/*
 * ordo_wire_validate - check the header at the start of a datagram of
 * @len bytes. Returns hdr_len (> 0) when the header is valid, otherwise
 * the first failing enum ordo_wire_err in the order listed there.
 *
 * Reads only bytes [0, min(@len, ORDO_WIRE_FIXED_LEN)) of @buf, never the
 * vector entries: a BPF program can copy that many bytes to the stack and
 * pass the datagram's full length as @len. So the pad bytes of a VC32
 * vector with odd n are not checked here but by ordo_wire_decode().
 */
static inline int ordo_wire_validate(const void *buf, __u32 len)
{
	const __u8 *p = (const __u8 *)buf;
	__u32 kind, hdr_len, min, n, flags;

	if (len < ORDO_WIRE_PREFIX_LEN)
		return ORDO_WIRE_E_SHORT;
	if (ordo_wire_get32(p + ORDO_WIRE_OFF_MAGIC) != ORDO_WIRE_MAGIC)
		return ORDO_WIRE_E_MAGIC;
	if (p[ORDO_WIRE_OFF_VERSION] != ORDO_WIRE_VERSION)
		return ORDO_WIRE_E_VERSION;
	kind = p[ORDO_WIRE_OFF_KIND];
	if (kind == ORDO_WIRE_KIND_NONE || kind >= __ORDO_WIRE_KIND_CNT)
		return ORDO_WIRE_E_KIND;
	hdr_len = ordo_wire_get16(p + ORDO_WIRE_OFF_HDR_LEN);
	flags = ordo_wire_get32(p + ORDO_WIRE_OFF_FLAGS);
	min = kind == ORDO_WIRE_KIND_VECTOR ? ORDO_WIRE_FIXED_LEN :
					      ORDO_WIRE_LAMPORT_LEN;
	if (hdr_len < min)
		return ORDO_WIRE_E_HDR_SMALL;
	if (hdr_len > ORDO_WIRE_MAX_LEN)
		return ORDO_WIRE_E_HDR_LARGE;
	if (hdr_len > len)
		return ORDO_WIRE_E_TRUNC;
	/* From here on len >= hdr_len >= ORDO_WIRE_FIXED_LEN. */
	if (kind == ORDO_WIRE_KIND_VECTOR) {
		n = ordo_wire_get16(p + ORDO_WIRE_OFF_VC_N);
		if (n > ORDO_VC_MAX)
			return ORDO_WIRE_E_VC_N;
		if (hdr_len != ((flags & ORDO_WIRE_F_VC32) ?
				ORDO_WIRE_VC32_LEN(n) : ORDO_WIRE_VC_LEN(n)))
			return ORDO_WIRE_E_HDR_LEN;
		if (ordo_wire_get16(p + ORDO_WIRE_OFF_VC_INDEX) >= n)
			return ORDO_WIRE_E_VC_INDEX;
	} else if (hdr_len != min) {
		return ORDO_WIRE_E_HDR_LEN;
	}
	if (flags & ORDO_WIRE_F_CRITICAL_MASK & ~ORDO_WIRE_F_KNOWN)
		return ORDO_WIRE_E_FLAGS;
	if (kind != ORDO_WIRE_KIND_VECTOR && (flags & ORDO_WIRE_F_VC32))
		return ORDO_WIRE_E_FLAGS;
	if (kind == ORDO_WIRE_KIND_LAMPORT &&
	    ordo_wire_get32(p + ORDO_WIRE_OFF_KWORD) != 0)
		return ORDO_WIRE_E_RESERVED;
	return (int)hdr_len;
}

/*
 * ordo_wire_decode - validate the header of a datagram of @len bytes at
 * @buf and decode it into @info. For a vector, the n entries (u64 or, with
 * ORDO_WIRE_F_VC32, u32) are decoded into @vc when @vc is not NULL; @vc_cap
 * is its capacity in entries (ORDO_WIRE_E_NOSPACE when n > @vc_cap, @info
 * is filled all the same). Besides what ordo_wire_validate() checks, the
 * pad of a VC32 vector with odd n must be 0 (ORDO_WIRE_E_RESERVED), so
 * this reads the whole header, hdr_len bytes. Returns hdr_len or a
 * negative enum ordo_wire_err; @info is untouched when the header is
 * invalid.
 */
static inline int ordo_wire_decode(const void *buf, __u32 len,
				   struct ordo_wire_info *info,
				   __u64 *vc, __u32 vc_cap)
{
	const __u8 *p = (const __u8 *)buf;
	int ret = ordo_wire_validate(buf, len);
	__u32 i, n, vc32;

	if (ret < 0)
		return ret;
	vc32 = ordo_wire_get32(p + ORDO_WIRE_OFF_FLAGS) & ORDO_WIRE_F_VC32;
	n = ordo_wire_get16(p + ORDO_WIRE_OFF_VC_N);
	/* valid, so VC32 means VECTOR, n <= ORDO_VC_MAX and hdr_len covers it */
	if (vc32 && (n & 1) &&
	    ordo_wire_get32(p + ORDO_WIRE_OFF_TS + 4 * n) != 0)
		return ORDO_WIRE_E_RESERVED;
	info->version = p[ORDO_WIRE_OFF_VERSION];
	info->kind = p[ORDO_WIRE_OFF_KIND];
	info->hdr_len = (__u16)ret;
	info->flags = ordo_wire_get32(p + ORDO_WIRE_OFF_FLAGS);
	info->node_id = ordo_wire_get32(p + ORDO_WIRE_OFF_NODE);
	info->domain = ordo_wire_get32(p + ORDO_WIRE_OFF_DOMAIN);
	info->hlc_c = 0;
	info->vc_n = 0;
	info->vc_index = 0;
	info->ts = 0;
	switch (info->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		info->ts = ordo_wire_get64(p + ORDO_WIRE_OFF_TS);
		break;
	case ORDO_WIRE_KIND_HLC:
		info->hlc_c = ordo_wire_get32(p + ORDO_WIRE_OFF_HLC_C);
		info->ts = ordo_wire_get64(p + ORDO_WIRE_OFF_TS);
		break;
	default:	/* VECTOR */
		info->vc_n = ordo_wire_get16(p + ORDO_WIRE_OFF_VC_N);
		info->vc_index = ordo_wire_get16(p + ORDO_WIRE_OFF_VC_INDEX);
		if (!vc)
			break;
		if (info->vc_n > vc_cap)
			return ORDO_WIRE_E_NOSPACE;
		for (i = 0; i < ORDO_VC_MAX && i < info->vc_n; i++)
			vc[i] = vc32 ?
				ordo_wire_get32(p + ORDO_WIRE_OFF_TS + 4 * i) :
				ordo_wire_get64(p + ORDO_WIRE_OFF_TS + 8 * i);
		break;
	}
	return ret;
}

/*
 * ordo_wire_encode - write the header described by @info (its hdr_len is
 * ignored and recomputed; version is always ORDO_WIRE_VERSION) and, for a
 * vector, the info->vc_n entries of @vc, into @buf of @cap bytes. The
 * entries go out as u32 with ORDO_WIRE_F_VC32 when they all fit, else as
 * u64 without it; the ORDO_WIRE_F_VC32 bit of info->flags is ignored.
 * Returns the header length written, ordo_wire_enc_len() (at most
 * ordo_wire_hdr_len()), ORDO_WIRE_E_NOSPACE when @cap is below it, or
 * the code ordo_wire_validate() would return for what @info describes
 * (ORDO_WIRE_E_KIND, _VC_N, _VC_INDEX, _FLAGS). Nothing is written on
 * error.
 */
static inline int ordo_wire_encode(void *buf, __u32 cap,
				   const struct ordo_wire_info *info,
				   const __u64 *vc)
{
	__u8 *p = (__u8 *)buf;
	__u32 hdr_len, flags, vc32 = 0, i;

	if (info->kind == ORDO_WIRE_KIND_NONE ||
	    info->kind >= __ORDO_WIRE_KIND_CNT)
		return ORDO_WIRE_E_KIND;
	if (info->kind == ORDO_WIRE_KIND_VECTOR) {
		if (info->vc_n > ORDO_VC_MAX)
			return ORDO_WIRE_E_VC_N;
		if (info->vc_index >= info->vc_n)
			return ORDO_WIRE_E_VC_INDEX;
	}
	flags = info->flags & ~ORDO_WIRE_F_VC32;
	if (flags & ORDO_WIRE_F_CRITICAL_MASK & ~ORDO_WIRE_F_KNOWN)
		return ORDO_WIRE_E_FLAGS;
	if (info->kind == ORDO_WIRE_KIND_VECTOR &&
	    ordo_wire_vc_fits32(vc, info->vc_n)) {
		vc32 = 1;
		flags |= ORDO_WIRE_F_VC32;
		hdr_len = ORDO_WIRE_VC32_LEN(info->vc_n);
	} else {
		hdr_len = ordo_wire_hdr_len(info->kind, info->vc_n);
	}
	if (cap < hdr_len)
		return ORDO_WIRE_E_NOSPACE;
	ordo_wire_put32(p + ORDO_WIRE_OFF_MAGIC, ORDO_WIRE_MAGIC);
	p[ORDO_WIRE_OFF_VERSION] = ORDO_WIRE_VERSION;
	p[ORDO_WIRE_OFF_KIND] = info->kind;
	ordo_wire_put16(p + ORDO_WIRE_OFF_HDR_LEN, (__u16)hdr_len);
	ordo_wire_put32(p + ORDO_WIRE_OFF_FLAGS, flags);
	ordo_wire_put32(p + ORDO_WIRE_OFF_NODE, info->node_id);
	ordo_wire_put32(p + ORDO_WIRE_OFF_DOMAIN, info->domain);
	switch (info->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		ordo_wire_put32(p + ORDO_WIRE_OFF_KWORD, 0);
		ordo_wire_put64(p + ORDO_WIRE_OFF_TS, info->ts);
		break;
	case ORDO_WIRE_KIND_HLC:
		ordo_wire_put32(p + ORDO_WIRE_OFF_HLC_C, info->hlc_c);
		ordo_wire_put64(p + ORDO_WIRE_OFF_TS, info->ts);
		break;
	default:	/* VECTOR */
		ordo_wire_put16(p + ORDO_WIRE_OFF_VC_N, info->vc_n);
		ordo_wire_put16(p + ORDO_WIRE_OFF_VC_INDEX, info->vc_index);
		for (i = 0; i < ORDO_VC_MAX && i < info->vc_n; i++) {
			if (vc32)
				ordo_wire_put32(p + ORDO_WIRE_OFF_TS + 4 * i,
						(__u32)vc[i]);
			else
				ordo_wire_put64(p + ORDO_WIRE_OFF_TS + 8 * i,
						vc[i]);
		}
		if (vc32 && (info->vc_n & 1))	/* the pad */
			ordo_wire_put32(p + ORDO_WIRE_OFF_TS + 4 * info->vc_n,
					0);
		break;
	}
	return (int)hdr_len;
}

/* A short name for an enum ordo_wire_err (stats, logs); "?" if unknown. */
static inline const char *ordo_wire_strerror(int err)
{
	switch (err) {
	case ORDO_WIRE_E_SHORT:		return "short";
	case ORDO_WIRE_E_MAGIC:		return "magic";
	case ORDO_WIRE_E_VERSION:	return "version";
	case ORDO_WIRE_E_KIND:		return "kind";
	case ORDO_WIRE_E_HDR_SMALL:	return "hdr_small";
	case ORDO_WIRE_E_HDR_LARGE:	return "hdr_large";
	case ORDO_WIRE_E_TRUNC:		return "trunc";
	case ORDO_WIRE_E_VC_N:		return "vc_n";
	case ORDO_WIRE_E_HDR_LEN:	return "hdr_len";
	case ORDO_WIRE_E_VC_INDEX:	return "vc_index";
	case ORDO_WIRE_E_FLAGS:		return "flags";
	case ORDO_WIRE_E_RESERVED:	return "reserved";
	case ORDO_WIRE_E_NOSPACE:	return "nospace";
	default:			return "?";
	}
}

#endif /* _UAPI_LINUX_ORDO_WIRE_H */
