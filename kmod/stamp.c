// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - logical timestamps on UDP sockets.
 *
 * /dev/ordo_lclock (0666) takes ORDO_IOC_ATTACH { fd, domain, flags }:
 * the module then swaps that socket's sk_prot for its own copy of the
 * UDP proto (one for IPv4, one for IPv6) whose sendmsg prepends the
 * ordo header (<linux/ordo_wire.h>) to every datagram and whose recvmsg
 * validates, merges and strips it and adds a SOL_ORDO control message.
 * The per-socket state hangs off sk_user_data (unused by plain UDP
 * sockets; sockets that use it are refused). Every attached socket
 * holds a module reference, so the module cannot be unloaded while one
 * is attached; the reference is dropped in an RCU callback and the exit
 * path waits for those (rcu_barrier()). See
 * Documentation/socket-stamping.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/udp.h>
#include <asm/unaligned.h>
#include <net/dst.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/udp.h>

#include <linux/ordo_lclock.h>

#include "lclock.h"

static_assert(sizeof(struct ordo_lclock_cmsg) == 48);

/* The largest datagram a stamped socket sends: header + payload. */
#define ORDO_STAMP_MAX_DGRAM	65535U
/*
 * Payloads up to this size are copied behind the header and sent in one
 * call; larger ones are sent from the caller's pages, or appended to the
 * corked header. Copying 2 KiB costs about what pinning and releasing a
 * page does (two atomic operations on its refcount, the page table
 * walk). In the test VM, 1400 B: 0.89 of plain UDP's rate copied, 0.82
 * pinned, without ERMS; 0.90 and 1.03 with it: the copy's worse case is
 * the better one.
 */
#define ORDO_STAMP_COPY_MAX	2048
/*
 * A larger payload is sent from the caller's pages, pinned for the call:
 * up to this many iovec segments, and this many pages (a 64 KiB payload
 * spans 17 of them, plus one per further segment).
 */
#define ORDO_STAMP_PIN_SEGS	8
#define ORDO_STAMP_PIN_PAGES	32
#define ORDO_STAMP_CMSG_MAX	(sizeof(struct ordo_lclock_cmsg) + \
				 2 * ORDO_VC_MAX * sizeof(u64))

/*
 * The receive bounce buffer, kept by the socket between calls, so that a
 * datagram does not cost an allocation (for a 64 KiB receive buffer, a
 * vmalloc()). A call takes it with xchg() and gives it back the same way;
 * concurrent receives on one socket allocate their own. (Sends hold
 * tx_lock and share one struct ordo_stamp_tx.)
 */
struct ordo_stamp_buf {
	size_t size;
	u8 data[] __aligned(8);
};

/*
 * What a send builds: the header, then a payload of up to 2 KiB, or the
 * header and the caller's pinned pages as one bio_vec array. It fills
 * most of a page, and has one of its own.
 */
struct ordo_stamp_tx {
	u8 hdr[ORDO_WIRE_MAX_LEN + ORDO_STAMP_COPY_MAX];
	struct bio_vec bv[1 + ORDO_STAMP_PIN_PAGES];
	struct page *pg[ORDO_STAMP_PIN_PAGES];
};

static_assert(sizeof(struct ordo_stamp_tx) <= PAGE_SIZE);

struct ordo_stamp_sk {
	refcount_t ref;			/* the socket's; receives', waiting sends' */
	struct ordo_lc_domain *dom;
	struct proto *orig;		/* restored on detach */
	u32 flags;			/* ORDO_ATTACH_F_* */
	struct mutex tx_lock;		/* one datagram at a time */
	struct ordo_stamp_tx *tx;	/* under tx_lock; NULL until a send */
	bool no_seg;			/* under tx_lock: no segment size */
	struct ordo_stamp_buf *rx_buf;	/* cached, or NULL */
	struct rcu_head rcu;
};

static DEFINE_MUTEX(ordo_stamp_mutex);	/* attach, detach of the v6 copy */
static struct proto ordo_udp_prot;
static struct proto ordo_udpv6_prot;
static struct proto *ordo_udpv6_orig;	/* set once, then constant */

static bool ordo_stamp_is_ours(const struct proto *prot)
{
	return prot == &ordo_udp_prot || prot == &ordo_udpv6_prot;
}

/* The original proto of a socket that runs one of our wrappers. */
static const struct proto *ordo_stamp_orig(struct sock *sk)
{
	if (READ_ONCE(sk->sk_prot) == &ordo_udpv6_prot ||
	    sk->sk_family == AF_INET6)
		return READ_ONCE(ordo_udpv6_orig);
	return &udp_prot;
}

static struct ordo_stamp_sk *ordo_stamp_get(struct sock *sk)
{
	struct ordo_stamp_sk *st;

	rcu_read_lock();
	st = rcu_dereference_sk_user_data(sk);
	if (st && !refcount_inc_not_zero(&st->ref))
		st = NULL;
	rcu_read_unlock();
	return st;
}

static void ordo_stamp_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct ordo_stamp_sk, rcu));
	module_put(THIS_MODULE);
}

/* A buffer of at least @size bytes: the cached one or a new one. */
static struct ordo_stamp_buf *ordo_stamp_buf_get(struct ordo_stamp_buf **slot,
						 size_t size)
{
	struct ordo_stamp_buf *b = xchg(slot, NULL);

	if (b && b->size >= size)
		return b;
	kvfree(b);
	b = kvmalloc(struct_size(b, data, size), GFP_KERNEL);
	if (b)
		b->size = size;
	return b;
}

/* Keep @b for the next call (the newest buffer wins). */
static void ordo_stamp_buf_put(struct ordo_stamp_buf **slot,
			       struct ordo_stamp_buf *b)
{
	kvfree(xchg(slot, b));
}

/* Process context. */
static void ordo_stamp_put(struct ordo_stamp_sk *st)
{
	if (refcount_dec_and_test(&st->ref)) {
		/* no call runs any more: the cached buffers are idle */
		free_page((unsigned long)st->tx);
		kvfree(st->rx_buf);
		ordo_lc_detach(st->dom);
		call_rcu(&st->rcu, ordo_stamp_free_rcu);
	}
}

/*
 * Under lock_sock(): give the socket its proto back, if the state hooked
 * is @expect (any state when @expect is NULL). Returns the state, whose
 * reference the caller drops (ordo_stamp_put()), or NULL.
 */
static struct ordo_stamp_sk *ordo_stamp_unhook(struct sock *sk,
					       struct ordo_stamp_sk *expect)
{
	struct ordo_stamp_sk *st;

	write_lock_bh(&sk->sk_callback_lock);
	st = rcu_dereference_protected(sk->sk_user_data,
				       lockdep_is_held(&sk->sk_callback_lock));
	if (!ordo_stamp_is_ours(sk->sk_prot) || (expect && st != expect)) {
		write_unlock_bh(&sk->sk_callback_lock);
		return NULL;
	}
	rcu_assign_sk_user_data(sk, NULL);
	WRITE_ONCE(sk->sk_prot, st->orig);
	write_unlock_bh(&sk->sk_callback_lock);
	return st;
}

/* ---------------------------------------------------------------- send */

static bool ordo_stamp_cmsg_gso(struct msghdr *msg)
{
	struct cmsghdr *cmsg;

	if (!msg->msg_controllen || msg->msg_control_is_user)
		return false;
	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return false;	/* the original sendmsg says EINVAL */
		if (cmsg->cmsg_level == SOL_UDP &&
		    cmsg->cmsg_type == UDP_SEGMENT)
			return true;
	}
	return false;
}

/* The original sendmsg; IPv4's (udp_sendmsg) without a retpoline. */
static int ordo_stamp_orig_send(struct ordo_stamp_sk *st, struct sock *sk,
				struct msghdr *msg, size_t len)
{
	return INDIRECT_CALL_1(st->orig->sendmsg, udp_sendmsg, sk, msg, len);
}

/*
 * The checks of a stamped send; under tx_lock. Returns 1 to stamp the
 * datagram, 0 for the original sendmsg (MSG_PROBE), or an errno.
 */
static int ordo_stamp_send_check(struct sock *sk, struct msghdr *msg,
				 size_t len, u32 hmax)
{
	if (msg->msg_flags & MSG_MORE)
		return -EOPNOTSUPP;
	if (udp_test_bit(CORK, sk) || ordo_stamp_cmsg_gso(msg))
		return -EOPNOTSUPP;
	/* a route/neighbour probe: no datagram, no send event */
	if (msg->msg_flags & MSG_PROBE)
		return 0;
	if (len > ORDO_STAMP_MAX_DGRAM - hmax)
		return -EMSGSIZE;
	return 1;
}

/*
 * A UDP_SEGMENT control message, built in kernel memory. UDP computes a
 * corked datagram's checksum in software, in the copy, and the receiver
 * verifies it again, unless the cork carries a segment size: then the
 * datagram leaves as CHECKSUM_PARTIAL, as an uncorked one does. A
 * segment size of the whole datagram gets that, and no segmentation.
 */
union ordo_stamp_gso {
	struct cmsghdr hdr;
	u8 space[CMSG_SPACE(sizeof(u16))];
};

static void ordo_stamp_gso_cmsg(union ordo_stamp_gso *g, u32 dlen)
{
	g->hdr.cmsg_len = CMSG_LEN(sizeof(u16));
	g->hdr.cmsg_level = SOL_UDP;
	g->hdr.cmsg_type = UDP_SEGMENT;
	*(u16 *)CMSG_DATA(&g->hdr) = dlen;
}

/*
 * After the header went into the cork with a segment size of the whole
 * datagram: keep that size only where udp_send_skb() takes it, that is
 * when the datagram fits the path's MTU and the device checksums it (the
 * skb is CHECKSUM_PARTIAL: no extension headers, no IPsec). Otherwise
 * clear it and sum the head's data so far, as UDP would have in the
 * copy: the payload is then appended, fragmented and checksummed as for
 * any corked datagram. (Left CHECKSUM_PARTIAL, a head with fragments is
 * summed at the push, and udp6_hwcsum_outgoing() counts the fragments
 * twice: the receiver drops the datagram, Udp6InCsumErrors.) The cork
 * and the write queue belong to this send alone: tx_lock is held,
 * UDP_CORK and MSG_MORE are refused, and only our sendmsg adds to or
 * flushes an attached socket's cork.
 */
static void ordo_stamp_cork_fit(struct ordo_stamp_sk *st, struct sock *sk,
				u32 dlen)
{
	struct inet_cork *cork = &inet_sk(sk)->cork.base;
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	/*
	 * Without scatter-gather, a cork with a segment size allocates a
	 * 64 KiB head for the header: this socket stops asking for it.
	 */
	if (!(cork->dst->dev->features & NETIF_F_SG))
		st->no_seg = true;
	if (!st->no_seg && skb && skb->ip_summed == CHECKSUM_PARTIAL &&
	    !dst_xfrm(cork->dst) &&
	    skb_network_header_len(skb) + sizeof(struct udphdr) + dlen <=
	    cork->fragsize)
		return;
	cork->gso_size = 0;
	if (skb && skb->ip_summed == CHECKSUM_PARTIAL) {
		int off = skb_transport_offset(skb) + sizeof(struct udphdr);

		/* as UDP sums a corked head: its data, the header, so far */
		skb->csum = skb_checksum(skb, off, skb->len - off, 0);
		skb->ip_summed = CHECKSUM_NONE;
	}
}

/*
 * Copy @n bytes from user memory at @src to @dst with plain loads,
 * 32 bytes per pass. copy_from_user() is a string instruction ("rep
 * movsb" with ERMS), which the test VM (QEMU TCG) emulates one element
 * at a time: a 64 B payload costs 64 iterations there.
 */
static int ordo_stamp_get_user(u8 *dst, const u8 __user *src, size_t n)
{
	u64 a, b, c, d;
	u32 w;
	u16 h;
	u8 l;

	if (!user_access_begin(src, n))
		return -EFAULT;
	for (; n >= 32; n -= 32, src += 32, dst += 32) {
		unsafe_get_user(a, (const u64 __user *)src, fault);
		unsafe_get_user(b, (const u64 __user *)(src + 8), fault);
		unsafe_get_user(c, (const u64 __user *)(src + 16), fault);
		unsafe_get_user(d, (const u64 __user *)(src + 24), fault);
		put_unaligned(a, (u64 *)dst);
		put_unaligned(b, (u64 *)(dst + 8));
		put_unaligned(c, (u64 *)(dst + 16));
		put_unaligned(d, (u64 *)(dst + 24));
	}
	for (; n >= 8; n -= 8, src += 8, dst += 8) {
		unsafe_get_user(a, (const u64 __user *)src, fault);
		put_unaligned(a, (u64 *)dst);
	}
	if (n & 4) {
		unsafe_get_user(w, (const u32 __user *)src, fault);
		put_unaligned(w, (u32 *)dst);
		src += 4;
		dst += 4;
	}
	if (n & 2) {
		unsafe_get_user(h, (const u16 __user *)src, fault);
		put_unaligned(h, (u16 *)dst);
		src += 2;
		dst += 2;
	}
	if (n & 1) {
		unsafe_get_user(l, src, fault);
		*dst = l;
	}
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/*
 * copy_from_iter_full() for a small payload: @len bytes of @from into
 * @dst, @from advanced past them on success and left as it was on a
 * fault. A payload in user memory is copied by ordo_stamp_get_user().
 */
static bool ordo_stamp_copy(u8 *dst, size_t len, struct iov_iter *from)
{
	const struct iovec *iov;
	size_t off, left, n;

	if (!user_backed_iter(from) || len > iov_iter_count(from))
		return copy_from_iter_full(dst, len, from);
	off = from->iov_offset;
	if (iter_is_ubuf(from)) {
		if (ordo_stamp_get_user(dst, from->ubuf + off, len))
			return false;
	} else {
		for (iov = from->iov, left = len; left; iov++, off = 0) {
			n = min(iov->iov_len - off, left);
			if (ordo_stamp_get_user(dst, iov->iov_base + off, n))
				return false;
			dst += n;
			left -= n;
		}
	}
	iov_iter_advance(from, len);
	return true;
}

static void ordo_stamp_unpin(struct ordo_stamp_tx *b, unsigned int np)
{
	while (np)
		put_page(b->pg[--np]);
}

/*
 * The header and the pages of the caller's payload, pinned, as one
 * bio_vec iterator in @it: UDP then copies the datagram once and sends
 * it as it sends a plain one (one call, the checksum left to the device
 * where the path allows, the caller's control messages honoured). On
 * success @from is advanced past the payload and the number of pages
 * pinned is returned, for ordo_stamp_unpin(). 0 leaves @from as it was:
 * the payload is not in user memory, in too many segments, or a page
 * could not be pinned (a fault, an I/O or PFN mapping); the corked send
 * then copies it, and reports any fault as plain UDP would.
 */
static unsigned int ordo_stamp_pin(struct ordo_stamp_tx *b, u32 hlen,
				   struct iov_iter *from, struct iov_iter *it)
{
	struct iov_iter src = *from;
	unsigned int np = 0, nb = 1;
	size_t len = iov_iter_count(from), off;
	ssize_t n;

	if (!user_backed_iter(from) || from->nr_segs > ORDO_STAMP_PIN_SEGS)
		return 0;
	bvec_set_page(&b->bv[0], virt_to_page(b), hlen, offset_in_page(b->hdr));
	while (iov_iter_count(&src)) {
		n = iov_iter_get_pages2(&src, b->pg + np, iov_iter_count(&src),
					ORDO_STAMP_PIN_PAGES - np, &off);
		if (n <= 0)
			goto unpin;
		while (n) {
			u32 l = min_t(size_t, n, PAGE_SIZE - off);

			bvec_set_page(&b->bv[nb++], b->pg[np++], l, off);
			n -= l;
			off = 0;
		}
	}
	iov_iter_bvec(it, ITER_SOURCE, b->bv, nb, hlen + len);
	*from = src;
	return np;
unpin:
	ordo_stamp_unpin(b, np);
	return 0;
}

/*
 * The payload of one stamped datagram, appended to the corked header; under
 * tx_lock. The header goes first into the socket's cork (MSG_MORE), then
 * the caller's payload is appended straight from its iterator and the
 * datagram is pushed. tx_lock keeps the two calls together (UDP_CORK and
 * MSG_MORE are refused on attached sockets, so nothing else corks it),
 * so no other sender can slip data in between: datagrams are never torn.
 * Unless the caller passed control messages, the header carries a
 * segment size of the whole datagram, so that its checksum is left to
 * the device (ordo_stamp_cork_fit()).
 */
static int ordo_stamp_send_corked(struct ordo_stamp_sk *st, struct sock *sk,
				  struct msghdr *msg, size_t len, u32 hlen)
{
	/* a copy of *msg: INIT_STACK_ALL_ZERO's zeroing is wasted on it */
	struct msghdr hm __uninitialized;
	union ordo_stamp_gso gso;
	struct kvec kv;
	bool csum;
	int err;

	/* the header, with the caller's address and control messages */
	hm = *msg;
	hm.msg_flags = (hm.msg_flags | MSG_MORE) & ~MSG_ZEROCOPY;
	kv.iov_base = st->tx->hdr;
	kv.iov_len = hlen;
	iov_iter_kvec(&hm.msg_iter, ITER_SOURCE, &kv, 1, hlen);
	/* the caller's control messages, if any, go as they came */
	csum = !msg->msg_controllen && !st->no_seg && !sk->sk_no_check_tx &&
	       !udp_get_no_check6_tx(sk);
	if (csum) {
		ordo_stamp_gso_cmsg(&gso, hlen + len);
		hm.msg_control = &gso;
		hm.msg_controllen = sizeof(gso);
		hm.msg_control_is_user = false;
	}
	err = ordo_stamp_orig_send(st, sk, &hm, hlen);
	if (err < 0)
		return err;
	if (csum)
		ordo_stamp_cork_fit(st, sk, hlen + len);
	/* the payload, appended to the corked datagram, which leaves */
	hm = *msg;
	hm.msg_name = NULL;
	hm.msg_namelen = 0;
	hm.msg_control = NULL;
	hm.msg_controllen = 0;
	err = ordo_stamp_orig_send(st, sk, &hm, len);
	msg->msg_iter = hm.msg_iter;
	return err;
}

/*
 * One stamped datagram; under tx_lock. A payload up to 2 KiB is copied
 * behind the header, and the two leave in one UDP send. A larger one is not
 * copied here: where its pages can be pinned, header and pages leave in
 * one UDP send too (ordo_stamp_pin()); otherwise it is appended to the
 * corked header (ordo_stamp_send_corked()).
 */
static int ordo_stamp_send(struct ordo_stamp_sk *st, struct sock *sk,
			   struct msghdr *msg, size_t len)
{
	struct ordo_lc_domain *d = st->dom;
	/* the size limit counts the largest header: u64 vector entries */
	u32 hmax = ordo_wire_hdr_len(d->kind, d->kind == ORDO_WIRE_KIND_VECTOR ?
				     d->clk.vc.n : 0);
	struct ordo_stamp_tx *b;
	/* a copy of *msg: INIT_STACK_ALL_ZERO's zeroing is wasted on it */
	struct msghdr hm __uninitialized;
	unsigned int np = 0;
	struct kvec kv;
	u32 hlen;
	int err;

	err = ordo_stamp_send_check(sk, msg, len, hmax);
	if (err <= 0)
		return err ?: ordo_stamp_orig_send(st, sk, msg, len);
	b = st->tx;
	if (unlikely(!b)) {
		b = (void *)__get_free_page(GFP_KERNEL);
		if (!b)
			return -ENOMEM;
		st->tx = b;
	}
	/* the encoded length: u32 entries (VC32) whenever they all fit */
	err = ordo_lc_send(d, b->hdr, hmax);
	if (err < 0)
		return err;
	hlen = err;
	hm = *msg;
	hm.msg_flags &= ~MSG_ZEROCOPY;
	if (len <= ORDO_STAMP_COPY_MAX) {
		/* small: header and payload from one buffer */
		if (!ordo_stamp_copy(b->hdr + hlen, len, &msg->msg_iter))
			return -EFAULT;
		kv.iov_base = b->hdr;
		kv.iov_len = hlen + len;
		iov_iter_kvec(&hm.msg_iter, ITER_SOURCE, &kv, 1, hlen + len);
	} else {
		np = ordo_stamp_pin(b, hlen, &msg->msg_iter, &hm.msg_iter);
		if (!np)
			return ordo_stamp_send_corked(st, sk, msg, len, hlen);
	}
	err = ordo_stamp_orig_send(st, sk, &hm, hlen + len);
	ordo_stamp_unpin(b, np);
	if (err >= 0)
		err = err >= hlen ? err - hlen : 0;
	return err;
}

/*
 * The state is unhooked from the socket only under its tx_lock (detach)
 * or when no call can run (close), and freed after a grace period. So a
 * sender that takes tx_lock and then still finds the state hooked, both
 * inside one RCU read-side section, needs no reference of its own: the
 * state stays hooked, and alive, until it drops tx_lock. mutex_unlock()
 * may still touch the lock after a waiter has taken it, hence the unlock
 * inside rcu_read_lock(). When tx_lock is contended, the sender takes a
 * reference, waits, and then checks that the state is still hooked.
 */
static int ordo_stamp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct ordo_stamp_sk *st;
	int err;

again:
	rcu_read_lock();
	st = rcu_dereference_sk_user_data(sk);
	if (likely(st) && mutex_trylock(&st->tx_lock)) {
		if (likely(rcu_access_pointer(sk->sk_user_data) == st)) {
			rcu_read_unlock();
			err = ordo_stamp_send(st, sk, msg, len);
			rcu_read_lock();
			mutex_unlock(&st->tx_lock);
			rcu_read_unlock();
			return err;
		}
		mutex_unlock(&st->tx_lock);
	}
	rcu_read_unlock();

	st = ordo_stamp_get(sk);
	if (!st)
		return ordo_stamp_orig(sk)->sendmsg(sk, msg, len);
	/*
	 * A holder of tx_lock only waits for send buffer space, so a
	 * non-blocking sender waits for it only when that space is there;
	 * otherwise it gets EAGAIN, as plain UDP would give it.
	 */
	if (!mutex_trylock(&st->tx_lock)) {
		if ((msg->msg_flags & MSG_DONTWAIT) && !sock_writeable(sk)) {
			err = -EAGAIN;
			goto put;
		}
		if (mutex_lock_interruptible(&st->tx_lock)) {
			err = -ERESTARTSYS;
			goto put;
		}
	}
	/*
	 * Detached while this sender waited: the socket is plain UDP now,
	 * or has a new state with a tx_lock of its own. A corked send here
	 * would race with plain senders, which may append to the cork.
	 */
	if (unlikely(rcu_access_pointer(sk->sk_user_data) != st)) {
		mutex_unlock(&st->tx_lock);
		ordo_stamp_put(st);
		goto again;
	}
	err = ordo_stamp_send(st, sk, msg, len);
	mutex_unlock(&st->tx_lock);
put:
	ordo_stamp_put(st);
	return err;
}

/* ---------------------------------------------------------------- receive */

/* The bounce buffer of one recvmsg call. */
struct ordo_stamp_rx {
	u64 vc[ORDO_VC_MAX];			/* decoded ts(m) */
	union {
		struct ordo_lclock_cmsg cm;
		u8 cm_space[ORDO_STAMP_CMSG_MAX];
	};
	u8 data[];				/* the datagram */
};

/* Consume the datagram at the head of the queue, whatever it is. */
static void ordo_stamp_discard(struct ordo_stamp_sk *st, struct sock *sk)
{
	struct msghdr m = { };
	int addr_len = 0;

	iov_iter_kvec(&m.msg_iter, ITER_DEST, NULL, 0, 0);
	st->orig->recvmsg(sk, &m, 0, MSG_DONTWAIT | MSG_TRUNC, &addr_len);
}

static int ordo_stamp_recv(struct ordo_stamp_sk *st, struct sock *sk,
			   struct msghdr *msg, size_t len, int flags,
			   int *addr_len)
{
	struct ordo_lc_domain *d = st->dom;
	size_t cap = min_t(size_t, len, ORDO_STAMP_MAX_DGRAM) +
		     ORDO_WIRE_MAX_LEN;
	bool peek = flags & MSG_PEEK;
	void __user *ctl = msg->msg_control_user;
	size_t ctllen = msg->msg_controllen;
	struct ordo_wire_info info;
	struct ordo_stamp_buf *b;
	struct ordo_stamp_rx *rx;
	size_t dlen, got, payload, copy;
	struct iov_iter saved;
	struct kvec kv;
	int ret, hl, r;
	u64 jump;

	b = ordo_stamp_buf_get(&st->rx_buf, sizeof(*rx) + cap);
	if (!b)
		return -ENOMEM;
	rx = (struct ordo_stamp_rx *)b->data;

	for (;;) {
		saved = msg->msg_iter;
		kv.iov_base = rx->data;
		kv.iov_len = cap;
		iov_iter_kvec(&msg->msg_iter, ITER_DEST, &kv, 1, cap);
		ret = st->orig->recvmsg(sk, msg, cap, flags | MSG_TRUNC,
					addr_len);
		msg->msg_iter = saved;
		if (ret < 0)
			goto out;
		dlen = ret;
		got = min(dlen, cap);
		msg->msg_flags &= ~MSG_TRUNC;

		jump = 0;
		hl = ordo_wire_decode(rx->data, dlen, &info, rx->vc,
				      ORDO_VC_MAX);
		if (hl < 0) {
			r = ORDO_LC_DROP_WIRE(hl);
		} else {
			r = ordo_lc_recv(d, &info, rx->vc, peek, &rx->cm, &jump);
			/* -1: valid; otherwise enum ordo_lc_drop */
			r = r < 0 ? -r - 1 : -1;
		}
		if (jump && !peek)
			ordo_lc_notify_future(d, info.node_id, info.ts, jump);
		if (r < 0)
			break;			/* valid: deliver with cmsg */
		if (st->flags & ORDO_ATTACH_F_PASS_UNSTAMPED) {
			hl = 0;
			if (!peek)
				atomic64_inc(&d->unstamped);
			break;
		}
		/* Drop: count it, undo the other cmsgs, read the next one. */
		ordo_lc_count_drop(d, r);
		if (peek)
			ordo_stamp_discard(st, sk);
		if (msg->msg_control_is_user) {
			msg->msg_control_user = ctl;
			msg->msg_controllen = ctllen;
		}
		msg->msg_flags &= ~MSG_CTRUNC;
	}

	payload = dlen - hl;
	copy = min(payload, len);
	if (copy > got - hl)
		copy = got - hl;
	if (copy_to_iter(rx->data + hl, copy, &msg->msg_iter) != copy) {
		ret = -EFAULT;
		goto out;
	}
	if (payload > len)
		msg->msg_flags |= MSG_TRUNC;
	if (hl)
		put_cmsg(msg, SOL_ORDO, ORDO_CMSG_TIMESTAMP,
			 sizeof(rx->cm) + 2 * sizeof(u64) * rx->cm.vc_n, &rx->cm);
	ret = (flags & MSG_TRUNC) ? payload : copy;
out:
	ordo_stamp_buf_put(&st->rx_buf, b);
	return ret;
}

static int ordo_stamp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			      int flags, int *addr_len)
{
	struct ordo_stamp_sk *st;
	int ret;

	/* The error queue holds our own datagrams back: untouched. */
	if (flags & MSG_ERRQUEUE)
		return ordo_stamp_orig(sk)->recvmsg(sk, msg, len, flags,
						    addr_len);
	st = ordo_stamp_get(sk);
	if (!st)
		return ordo_stamp_orig(sk)->recvmsg(sk, msg, len, flags,
						    addr_len);
	ret = ordo_stamp_recv(st, sk, msg, len, flags, addr_len);
	ordo_stamp_put(st);
	return ret;
}

/* ---------------------------------------------------------------- options */

static int ordo_stamp_setsockopt(struct sock *sk, int level, int optname,
				 sockptr_t optval, unsigned int optlen)
{
	/* Nothing that sends or receives several datagrams as one. */
	if (level == SOL_UDP &&
	    (optname == UDP_SEGMENT || optname == UDP_CORK ||
	     optname == UDP_GRO || optname == UDP_ENCAP))
		return -EOPNOTSUPP;
	/* IPV6_ADDRFORM would replace our proto with plain udp_prot. */
	if (level == SOL_IPV6 && optname == IPV6_ADDRFORM)
		return -EOPNOTSUPP;
	return ordo_stamp_orig(sk)->setsockopt(sk, level, optname, optval,
					       optlen);
}

static void ordo_stamp_close(struct sock *sk, long timeout)
{
	struct ordo_stamp_sk *st;

	/*
	 * No sendmsg() runs: the socket's file is gone. So unlike detach,
	 * this does not take tx_lock (see ordo_stamp_sendmsg()).
	 */
	lock_sock(sk);
	st = ordo_stamp_unhook(sk, NULL);
	release_sock(sk);
	sk->sk_prot->close(sk, timeout);
	/* Last: this may drop the module reference (after a grace period). */
	if (st)
		ordo_stamp_put(st);
}

static void ordo_stamp_prot_init(struct proto *p, const struct proto *orig)
{
	*p = *orig;
	p->sendmsg = ordo_stamp_sendmsg;
	p->recvmsg = ordo_stamp_recvmsg;
	p->setsockopt = ordo_stamp_setsockopt;
	p->close = ordo_stamp_close;
	/* sendfile/splice then go through sendmsg */
	p->sendpage = NULL;
}

/* ---------------------------------------------------------------- ioctl */

static int ordo_stamp_check(struct socket *sock, struct sock *sk)
{
	if (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)
		return -EPROTONOSUPPORT;
	if (sock->type != SOCK_DGRAM || sk->sk_type != SOCK_DGRAM ||
	    sk->sk_protocol != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	return 0;
}

/* The proto copy for @sk, set up for the first IPv6 socket. */
static struct proto *ordo_stamp_prot_for(struct sock *sk)
{
	struct proto *cur = sk->sk_prot;

	lockdep_assert_held(&ordo_stamp_mutex);
	if (sk->sk_family == AF_INET)
		return cur == &udp_prot ? &ordo_udp_prot : NULL;
	if (!ordo_udpv6_orig) {
		/* udpv6_prot is not exported: take it from this socket. */
		if (cur != sk->sk_prot_creator || strcmp(cur->name, "UDPv6"))
			return NULL;
		ordo_stamp_prot_init(&ordo_udpv6_prot, cur);
		WRITE_ONCE(ordo_udpv6_orig, cur);
	}
	return cur == ordo_udpv6_orig ? &ordo_udpv6_prot : NULL;
}

static long ordo_stamp_attach(const struct ordo_lclock_attach *a)
{
	struct ordo_stamp_sk *st;
	struct socket *sock;
	struct proto *prot;
	struct sock *sk;
	int err;

	if (a->flags & ~ORDO_ATTACH_F_ALL || a->reserved)
		return -EINVAL;
	sock = sockfd_lookup(a->fd, &err);
	if (!sock)
		return err;
	sk = sock->sk;
	err = ordo_stamp_check(sock, sk);
	if (err)
		goto out_put;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st) {
		err = -ENOMEM;
		goto out_put;
	}
	refcount_set(&st->ref, 1);
	mutex_init(&st->tx_lock);
	st->flags = a->flags;
	st->dom = ordo_lc_attach(sock_net(sk), a->domain);
	if (!st->dom) {
		err = -ENOENT;
		goto out_free;
	}

	mutex_lock(&ordo_stamp_mutex);
	lock_sock(sk);
	if (ordo_stamp_is_ours(sk->sk_prot)) {
		err = -EALREADY;
		goto out_unlock;
	}
	prot = ordo_stamp_prot_for(sk);
	if (!prot) {
		err = -EBUSY;		/* another module's proto (e.g. sockmap) */
		goto out_unlock;
	}
	/* Nothing that cannot be stamped datagram by datagram. */
	if (udp_sk(sk)->encap_type || udp_test_bit(ENCAP_ENABLED, sk) ||
	    udp_test_bit(GRO_ENABLED, sk) || udp_test_bit(CORK, sk) ||
	    READ_ONCE(udp_sk(sk)->gso_size) || READ_ONCE(udp_sk(sk)->pending)) {
		err = -EOPNOTSUPP;
		goto out_unlock;
	}
	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_user_data) {
		write_unlock_bh(&sk->sk_callback_lock);
		err = -EBUSY;
		goto out_unlock;
	}
	st->orig = sk->sk_prot;
	__module_get(THIS_MODULE);	/* dropped in ordo_stamp_free_rcu() */
	rcu_assign_sk_user_data(sk, st);
	WRITE_ONCE(sk->sk_prot, prot);
	write_unlock_bh(&sk->sk_callback_lock);
	release_sock(sk);
	mutex_unlock(&ordo_stamp_mutex);
	sockfd_put(sock);
	return 0;

out_unlock:
	release_sock(sk);
	mutex_unlock(&ordo_stamp_mutex);
	ordo_lc_detach(st->dom);
out_free:
	kfree(st);
out_put:
	sockfd_put(sock);
	return err;
}

static long ordo_stamp_detach(const struct ordo_lclock_attach *a)
{
	struct ordo_stamp_sk *st, *cur;
	struct socket *sock;
	int err;

	if (a->flags || a->reserved)
		return -EINVAL;
	sock = sockfd_lookup(a->fd, &err);
	if (!sock)
		return err;
	cur = ordo_stamp_get(sock->sk);
	if (!cur) {
		sockfd_put(sock);
		return -ENOENT;
	}
	/*
	 * Under tx_lock: not between the two halves of a datagram another
	 * thread sends, nor under a sender holding no reference. Only the
	 * state locked: a concurrent detach and attach may have replaced it.
	 */
	mutex_lock(&cur->tx_lock);
	lock_sock(sock->sk);
	st = ordo_stamp_unhook(sock->sk, cur);
	release_sock(sock->sk);
	mutex_unlock(&cur->tx_lock);
	ordo_stamp_put(cur);
	sockfd_put(sock);
	if (!st)
		return -ENOENT;
	ordo_stamp_put(st);
	return 0;
}

static long ordo_stamp_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct ordo_lclock_attach a;

	switch (cmd) {
	case ORDO_IOC_ATTACH:
	case ORDO_IOC_DETACH:
		break;
	default:
		return -ENOTTY;
	}
	if (copy_from_user(&a, (void __user *)arg, sizeof(a)))
		return -EFAULT;
	if (cmd == ORDO_IOC_ATTACH)
		return ordo_stamp_attach(&a);
	return ordo_stamp_detach(&a);
}

static const struct file_operations ordo_stamp_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ordo_stamp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ordo_stamp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ordo_lclock",
	.fops = &ordo_stamp_fops,
	.mode = 0666,
};

int __init ordo_stamp_init(void)
{
	ordo_stamp_prot_init(&ordo_udp_prot, &udp_prot);
	return misc_register(&ordo_stamp_misc);
}

void ordo_stamp_exit(void)
{
	misc_deregister(&ordo_stamp_misc);
	/* Sockets hold module references: none is attached any more. */
	rcu_barrier();
}
