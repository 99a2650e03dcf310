/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Ordo - logical time on sockets: the opt-in ioctl of /dev/ordo_lclock
 * and the control message delivered with every stamped datagram. See
 * Documentation/socket-stamping.rst. The netlink commands and attributes
 * of the logical clock domains are in <linux/ordo.h>; the header on the
 * wire is in <linux/ordo_wire.h>.
 */
#ifndef _UAPI_LINUX_ORDO_LCLOCK_H
#define _UAPI_LINUX_ORDO_LCLOCK_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* The char device, mode 0666. */
#define ORDO_LCLOCK_DEV		"/dev/ordo_lclock"

/*
 * The socket option level of the control message. Linux 6.1 uses levels
 * up to SOL_VSOCK (287); 299 leaves room for the levels added upstream
 * after 6.1 (SOL_...  288 and up).
 */
#define SOL_ORDO		299

/* cmsg_type at level SOL_ORDO */
#define ORDO_CMSG_TIMESTAMP	1

/* struct ordo_lclock_attach.flags */
/* Deliver datagrams without a valid header, unstamped, instead of dropping. */
#define ORDO_ATTACH_F_PASS_UNSTAMPED	_BITUL(0)
#define ORDO_ATTACH_F_ALL		ORDO_ATTACH_F_PASS_UNSTAMPED

/*
 * struct ordo_lclock_attach - ORDO_IOC_ATTACH / ORDO_IOC_DETACH argument
 * @fd:       the socket (an IPv4 or IPv6 UDP socket of the caller)
 * @domain:   ATTACH: the logical clock domain id (in the socket's netns)
 * @flags:    ATTACH: ORDO_ATTACH_F_*; DETACH: 0
 * @reserved: 0
 */
struct ordo_lclock_attach {
	__s32 fd;
	__u32 domain;
	__u32 flags;
	__u32 reserved;
};

#define ORDO_LCLOCK_IOC_MAGIC	0xD9
#define ORDO_IOC_ATTACH		_IOW(ORDO_LCLOCK_IOC_MAGIC, 1, struct ordo_lclock_attach)
#define ORDO_IOC_DETACH		_IOW(ORDO_LCLOCK_IOC_MAGIC, 2, struct ordo_lclock_attach)

/* struct ordo_lclock_cmsg.flags */
/* MSG_PEEK: the clock was not updated; local* is what a read would give. */
#define ORDO_CMSG_F_PEEK	_BITUL(0)
/* The timestamp jumped more than the domain's threshold ahead. */
#define ORDO_CMSG_F_FUTURE	_BITUL(1)

/*
 * struct ordo_lclock_cmsg - the data of the SOL_ORDO/ORDO_CMSG_TIMESTAMP
 * control message, host byte order, 48 + 16 * vc_n bytes:
 *
 *   off size field
 *     0   4  kind       enum ordo_wire_kind of the domain
 *     4   4  domain     the domain id
 *     8   4  node       the sender's node id (from the header)
 *    12   4  flags      ORDO_CMSG_F_*
 *    16   8  ts         LAMPORT: ts(m); HLC: l of m; VECTOR: 0
 *    24   4  ts_c       HLC: c of m; otherwise 0
 *    28   2  vc_n       VECTOR: entries (= the domain's n); otherwise 0
 *    30   2  vc_index   VECTOR: the sender's index; otherwise 0
 *    32   8  local      the receiver's clock after the receive event:
 *                       LAMPORT: c; HLC: l; VECTOR: 0
 *    40   4  local_c    HLC: c after the receive event; otherwise 0
 *    44   4  local_node the receiver's node id
 *    48 8*n  vc[0..n-1]   VECTOR: ts(m)
 *  48+8n 8*n vc[n..2n-1]  VECTOR: the receiver's vector after the event
 */
struct ordo_lclock_cmsg {
	__u32 kind;
	__u32 domain;
	__u32 node;
	__u32 flags;
	__u64 ts;
	__u32 ts_c;
	__u16 vc_n;
	__u16 vc_index;
	__u64 local;
	__u32 local_c;
	__u32 local_node;
	__u64 vc[];
};

#endif /* _UAPI_LINUX_ORDO_LCLOCK_H */
