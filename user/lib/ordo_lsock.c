// SPDX-License-Identifier: GPL-2.0
/*
 * libordo - stamped UDP sockets with or without ordo.ko.
 *
 * ORDO_LDOM_KERNEL: the domain is ordo.ko's; sockets are opted in with
 * ORDO_IOC_ATTACH and the kernel stamps, merges and strips (kmod/stamp.c),
 * so ordo_lsendmsg()/ordo_lrecvmsg() are sendmsg()/recvmsg().
 *
 * ORDO_LDOM_USER: the clock lives in this process, under a mutex, with
 * the rules of kmod/lib/ordo_lclock.c and the header of
 * <linux/ordo_wire.h>. The send and receive paths below follow
 * ordo_stamp_send()/ordo_stamp_recv() (kmod/stamp.c) and
 * ordo_lc_send()/ordo_lc_recv() (kmod/lclock.c) step by step, so that a
 * node with the module and one without it cannot be told apart on the
 * wire nor by the control message. See Documentation/socket-stamping.rst.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "libordo.h"
#include "ordo_lclock.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif
#ifndef UDP_GRO
#define UDP_GRO		104
#endif

/* The largest UDP payload of one datagram (no jumbograms). */
#define LSOCK_MAX_V4	(65535U - 20 - 8)
#define LSOCK_MAX_V6	(65535U - 8)
/* What the kernel's bounce buffer is sized from (kmod/stamp.c). */
#define LSOCK_MAX_DGRAM	65535U
#define LSOCK_CMSG_MAX	(sizeof(struct ordo_lclock_cmsg) + \
			 2 * ORDO_VC_MAX * sizeof(uint64_t))

/* Drops are counted by enum ordo_lc_drop, named by ordo_lc_drop_name(). */

/* An attached socket of a userspace domain. */
struct lsock {
	int fd;
	uint32_t flags;		/* ORDO_ATTACH_F_* */
	uint32_t max_dgram;	/* header + payload limit */
	dev_t dev;		/* the socket's identity, to tell a reused */
	ino_t ino;		/* fd number from the one attached */
};

struct ordo_ldom {
	enum ordo_ldom_mode mode;
	uint32_t id;
	pthread_mutex_t lock;	/* everything below, and @h */

	/* ORDO_LDOM_KERNEL */
	struct ordo *h;

	/* ORDO_LDOM_USER */
	uint32_t group, kind, node;
	uint64_t max_jump;
	bool refuse;
	bool pt_ordo;		/* HLC physical time from ordo's clock */
	union ordo_lc_clock clk;	/* of kind @kind */
	struct lsock *socks;
	unsigned int n_socks, cap_socks;
	uint64_t stamped, received, ticks, future, unstamped;
	uint64_t drops[ORDO_LC_DROP_CNT];
};

/*
 * Every fd attached to a userspace domain of this process, whatever the
 * domain, so that one socket is never stamped twice (-EALREADY).
 */
static pthread_mutex_t lsock_all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int fd;
	dev_t dev;
	ino_t ino;
	struct ordo_ldom *d;
} *lsock_all;
static unsigned int lsock_all_n, lsock_all_cap;

/* ---------------------------------------------------------------- time */

/*
 * The HLC's physical time, as ordo_lc_pt() in kmod/lclock.c: ordo's wall
 * clock (UTC ns) when the module is there, else CLOCK_REALTIME; a time
 * before the epoch counts as 0.
 */
static uint64_t lsock_pt(const struct ordo_ldom *d)
{
	struct ordo_now now;
	struct timespec ts;
	int64_t t;

	if (d->pt_ordo && !ordo_clock_now(&now))
		return now.wall > 0 ? (uint64_t)now.wall : 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return t > 0 ? (uint64_t)t : 0;
}

/* ---------------------------------------------------------------- open */

static int lsock_user_init(struct ordo_ldom *d, const struct ordo_lclock_params *p)
{
	struct ordo_now now;

	switch (p->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		ordo_lamport_init(&d->clk.lamport, p->max_jump, p->refuse);
		break;
	case ORDO_WIRE_KIND_HLC:
		ordo_hlc_init(&d->clk.hlc, p->max_jump, p->refuse);
		break;
	case ORDO_WIRE_KIND_VECTOR:
		if (ordo_vc_init(&d->clk.vc, p->vc_n, p->vc_index, p->max_jump,
				 p->refuse))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	d->kind = p->kind;
	d->group = p->has_group ? p->group : p->domain;
	/* the kernel's default: the vector index (0 for the others) */
	d->node = p->has_node ? p->node :
		  p->kind == ORDO_WIRE_KIND_VECTOR ? p->vc_index : 0;
	d->max_jump = p->max_jump;
	d->refuse = !!p->refuse;
	d->pt_ordo = p->kind == ORDO_WIRE_KIND_HLC && !ordo_clock_now(&now);
	return 0;
}

/* The kernel domain p->domain: created if missing with ORDO_LDOM_F_CREATE;
 * an existing one must have the kind (and vector n, index) asked for.
 */
static int lsock_kernel_init(struct ordo_ldom *d,
			     const struct ordo_lclock_params *p,
			     unsigned int flags)
{
	struct ordo_lclock_info *li;
	int err;

	li = malloc(sizeof(*li));
	if (!li)
		return -ENOMEM;
	err = ordo_lclock_get(d->h, p->domain, li);
	if (err == -ENOENT && (flags & ORDO_LDOM_F_CREATE)) {
		err = ordo_lclock_domain_add(d->h, p);
		if (err == -EEXIST)	/* another process was first */
			err = 0;
		if (!err)
			err = ordo_lclock_get(d->h, p->domain, li);
	}
	if (!err && p->kind &&
	    (li->kind != p->kind ||
	     (p->kind == ORDO_WIRE_KIND_VECTOR &&
	      (li->vc_n != p->vc_n || li->vc_index != p->vc_index))))
		err = -EINVAL;
	free(li);
	return err;
}

int ordo_ldom_open(struct ordo_ldom **dp, const struct ordo_lclock_params *p,
		   unsigned int flags)
{
	struct ordo_ldom *d;
	int err;

	if (!dp || !p)
		return -EINVAL;
	*dp = NULL;
	if (flags & ~(ORDO_LDOM_F_USER | ORDO_LDOM_F_KERNEL |
		      ORDO_LDOM_F_CREATE))
		return -EINVAL;
	if ((flags & ORDO_LDOM_F_USER) && (flags & ORDO_LDOM_F_KERNEL))
		return -EINVAL;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->id = p->domain;
	err = pthread_mutex_init(&d->lock, NULL);
	if (err) {
		free(d);
		return -err;
	}

	if (!(flags & ORDO_LDOM_F_USER)) {
		err = ordo_open(&d->h);
		if (!err) {
			d->mode = ORDO_LDOM_KERNEL;
			err = lsock_kernel_init(d, p, flags);
		} else if (err == ORDO_ERR_NOT_LOADED &&
			   !(flags & ORDO_LDOM_F_KERNEL)) {
			err = 0;
		}
		if (err)
			goto fail;
	}
	if (!d->mode) {
		d->mode = ORDO_LDOM_USER;
		err = lsock_user_init(d, p);
		if (err)
			goto fail;
	}
	*dp = d;
	return 0;

fail:
	ordo_close(d->h);
	pthread_mutex_destroy(&d->lock);
	free(d);
	return err;
}

void ordo_ldom_close(struct ordo_ldom *d)
{
	unsigned int i;

	if (!d)
		return;
	if (d->mode == ORDO_LDOM_USER) {
		/* the sockets become plain UDP sockets again */
		pthread_mutex_lock(&lsock_all_lock);
		for (i = 0; i < lsock_all_n;) {
			if (lsock_all[i].d == d)
				lsock_all[i] = lsock_all[--lsock_all_n];
			else
				i++;
		}
		pthread_mutex_unlock(&lsock_all_lock);
	}
	ordo_close(d->h);
	free(d->socks);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

enum ordo_ldom_mode ordo_ldom_mode(const struct ordo_ldom *d)
{
	return d->mode;
}

/* ---------------------------------------------------------------- state */

/* Under d->lock: the domain as LCLOCK_GET reports it. */
static void lsock_fill(struct ordo_ldom *d, struct ordo_lclock_info *li)
{
	unsigned int r;

	memset(li, 0, sizeof(*li));
	li->domain = d->id;
	li->group = d->group;
	li->kind = d->kind;
	li->node = d->node;
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		li->value = d->clk.lamport.c;
		break;
	case ORDO_WIRE_KIND_HLC:
		li->value = d->clk.hlc.l;
		li->hlc_c = d->clk.hlc.c;
		break;
	default:
		li->vc_n = d->clk.vc.n;
		li->vc_index = d->clk.vc.self;
		memcpy(li->vc, d->clk.vc.v, sizeof(uint64_t) * d->clk.vc.n);
		break;
	}
	li->max_jump = d->max_jump;
	li->refuse = d->refuse;
	li->sockets = d->n_socks;
	li->stamped = d->stamped;
	li->received = d->received;
	li->ticks = d->ticks;
	li->future = d->future;
	li->unstamped = d->unstamped;
	for (r = 0; r < ORDO_LC_DROP_CNT && r < ORDO_LCLOCK_DROPS_MAX; r++) {
		snprintf(li->drops[r].name, sizeof(li->drops[r].name), "%s",
			 ordo_lc_drop_name(r));
		li->drops[r].value = d->drops[r];
	}
	li->n_drops = r;
}

int ordo_ldom_get(struct ordo_ldom *d, struct ordo_lclock_info *li)
{
	int err = 0;

	if (!d || !li)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	if (d->mode == ORDO_LDOM_KERNEL)
		err = ordo_lclock_get(d->h, d->id, li);
	else
		lsock_fill(d, li);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int ordo_ldom_tick(struct ordo_ldom *d, struct ordo_lclock_info *li)
{
	uint64_t pt;
	int err;

	if (!d)
		return -EINVAL;
	if (d->mode == ORDO_LDOM_KERNEL) {
		pthread_mutex_lock(&d->lock);
		err = ordo_lclock_tick(d->h, d->id, li);
		pthread_mutex_unlock(&d->lock);
		return err;
	}
	pt = d->kind == ORDO_WIRE_KIND_HLC ? lsock_pt(d) : 0;
	pthread_mutex_lock(&d->lock);
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		err = ordo_lamport_tick(&d->clk.lamport, NULL);
		break;
	case ORDO_WIRE_KIND_HLC:
		err = ordo_hlc_send(&d->clk.hlc, pt, NULL);
		break;
	default:
		err = ordo_vc_tick(&d->clk.vc);
		break;
	}
	if (!err) {
		d->ticks++;
		if (li)
			lsock_fill(d, li);
	}
	pthread_mutex_unlock(&d->lock);
	return err;
}

/* ---------------------------------------------------------------- attach */

/* An IPv4/IPv6 UDP datagram socket (as ordo_stamp_check()), and the
 * options that ORDO_IOC_ATTACH refuses.
 */
static int lsock_check(int fd, struct lsock *s)
{
	static const int opts[] = { UDP_CORK, UDP_SEGMENT, UDP_GRO, UDP_ENCAP };
	int dom, type, proto, v;
	unsigned int i;
	socklen_t len;
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	len = sizeof(dom);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len))
		return -errno;
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return -errno;
	len = sizeof(proto);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		return -errno;
	if ((dom != AF_INET && dom != AF_INET6) || type != SOCK_DGRAM ||
	    proto != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	/* nothing that sends or receives several datagrams as one */
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		v = 0;
		len = sizeof(v);
		if (getsockopt(fd, SOL_UDP, opts[i], &v, &len) == 0 && v)
			return -EOPNOTSUPP;
	}
	s->fd = fd;
	s->max_dgram = dom == AF_INET ? LSOCK_MAX_V4 : LSOCK_MAX_V6;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

static int lsock_find(struct ordo_ldom *d, int fd)
{
	unsigned int i;

	for (i = 0; i < d->n_socks; i++)
		if (d->socks[i].fd == fd)
			return (int)i;
	return -1;
}

static void lsock_del(struct ordo_ldom *d, unsigned int i)
{
	d->socks[i] = d->socks[--d->n_socks];
}

/*
 * Register @s process-wide. An entry for the same fd number with another
 * identity is a socket that was closed without a detach: it is dropped
 * from its domain (lock order: lsock_all_lock, then a domain's lock).
 */
static int lsock_all_add(struct ordo_ldom *d, const struct lsock *s)
{
	unsigned int i;
	int j;

	for (i = 0; i < lsock_all_n; i++) {
		if (lsock_all[i].fd != s->fd)
			continue;
		if (lsock_all[i].dev == s->dev && lsock_all[i].ino == s->ino)
			return -EALREADY;
		/* stale: forget it */
		pthread_mutex_lock(&lsock_all[i].d->lock);
		j = lsock_find(lsock_all[i].d, s->fd);
		if (j >= 0)
			lsock_del(lsock_all[i].d, (unsigned int)j);
		pthread_mutex_unlock(&lsock_all[i].d->lock);
		lsock_all[i] = lsock_all[--lsock_all_n];
		break;
	}
	if (lsock_all_n == lsock_all_cap) {
		unsigned int cap = lsock_all_cap ? 2 * lsock_all_cap : 16;
		void *p = realloc(lsock_all, cap * sizeof(*lsock_all));

		if (!p)
			return -ENOMEM;
		lsock_all = p;
		lsock_all_cap = cap;
	}
	lsock_all[lsock_all_n].fd = s->fd;
	lsock_all[lsock_all_n].dev = s->dev;
	lsock_all[lsock_all_n].ino = s->ino;
	lsock_all[lsock_all_n].d = d;
	lsock_all_n++;
	return 0;
}

static void lsock_all_del(int fd)
{
	unsigned int i;

	for (i = 0; i < lsock_all_n; i++) {
		if (lsock_all[i].fd == fd) {
			lsock_all[i] = lsock_all[--lsock_all_n];
			return;
		}
	}
}

int ordo_ldom_attach(struct ordo_ldom *d, int fd, uint32_t flags)
{
	struct lsock s = { 0 };
	int err;

	if (!d)
		return -EINVAL;
	if (d->mode == ORDO_LDOM_KERNEL)
		return ordo_lclock_attach(fd, d->id, flags);
	if (flags & ~(uint32_t)ORDO_ATTACH_F_ALL)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	err = lsock_check(fd, &s);
	if (err)
		return err;
	s.flags = flags;

	/*
	 * lsock_all_lock serialises every attach and detach of the process,
	 * so the room made here is still there after lsock_all_add().
	 */
	pthread_mutex_lock(&lsock_all_lock);
	pthread_mutex_lock(&d->lock);
	if (d->n_socks == d->cap_socks) {
		unsigned int cap = d->cap_socks ? 2 * d->cap_socks : 4;
		void *p = realloc(d->socks, cap * sizeof(*d->socks));

		if (!p) {
			err = -ENOMEM;
			goto out;
		}
		d->socks = p;
		d->cap_socks = cap;
	}
	pthread_mutex_unlock(&d->lock);
	/* may take the lock of another domain (or this one) for a stale fd */
	err = lsock_all_add(d, &s);
	pthread_mutex_lock(&d->lock);
	if (!err)
		d->socks[d->n_socks++] = s;
out:
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&lsock_all_lock);
	return err;
}

int ordo_ldom_detach(struct ordo_ldom *d, int fd)
{
	int i;

	if (!d)
		return -EINVAL;
	if (d->mode == ORDO_LDOM_KERNEL)
		return ordo_lclock_detach(fd);
	pthread_mutex_lock(&lsock_all_lock);
	pthread_mutex_lock(&d->lock);
	i = lsock_find(d, fd);
	if (i >= 0) {
		lsock_del(d, (unsigned int)i);
		lsock_all_del(fd);
	}
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&lsock_all_lock);
	return i >= 0 ? 0 : -ENOENT;
}

/* Under d->lock: the attached socket @fd's flags and limit, or -ENOENT. */
static int lsock_lookup(struct ordo_ldom *d, int fd, struct lsock *s)
{
	int i = lsock_find(d, fd);

	if (i < 0)
		return -ENOENT;
	*s = d->socks[i];
	return 0;
}

/* ---------------------------------------------------------------- send */

/* The send event (ordo_lc_send()): @info and, for a vector, @vc. */
static int lsock_stamp(struct ordo_ldom *d, int fd, struct ordo_wire_info *info,
		       u64 *vc, struct lsock *s)
{
	uint64_t pt = d->kind == ORDO_WIRE_KIND_HLC ? lsock_pt(d) : 0;
	struct ordo_hlc_ts h;
	int err;

	memset(info, 0, sizeof(*info));
	info->kind = (uint8_t)d->kind;
	info->node_id = d->node;
	info->domain = d->group;
	pthread_mutex_lock(&d->lock);
	err = lsock_lookup(d, fd, s);
	if (err)
		goto out;
	switch (d->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		err = ordo_lamport_send(&d->clk.lamport, &info->ts);
		break;
	case ORDO_WIRE_KIND_HLC:
		err = ordo_hlc_send(&d->clk.hlc, pt, &h);
		info->ts = h.l;
		info->hlc_c = h.c;
		break;
	default:
		info->vc_n = (uint16_t)d->clk.vc.n;
		info->vc_index = (uint16_t)d->clk.vc.self;
		err = ordo_vc_send(&d->clk.vc, vc, ORDO_VC_MAX);
		break;
	}
	if (!err)
		d->stamped++;
out:
	pthread_mutex_unlock(&d->lock);
	return err;
}

static bool lsock_cmsg_gso(const struct msghdr *msg)
{
	struct msghdr m = *msg;
	struct cmsghdr *c;

	if (!m.msg_control || !m.msg_controllen)
		return false;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_SEGMENT)
			return true;
	return false;
}

static ssize_t lsock_send(struct ordo_ldom *d, int fd, const struct msghdr *msg,
			  int flags)
{
	uint8_t hdr[ORDO_WIRE_MAX_LEN] __attribute__((aligned(8)));
	u64 vc[ORDO_VC_MAX];
	struct iovec small[8], *iov = small;
	struct ordo_wire_info info;
	struct msghdr m = *msg;
	uint8_t *flat = NULL;
	size_t len = 0, i;
	struct lsock s;
	uint32_t hmax, hlen = 0;
	ssize_t ret;
	int err;

	if (flags & MSG_MORE)
		return -EOPNOTSUPP;
	if (lsock_cmsg_gso(msg))
		return -EOPNOTSUPP;
	if (msg->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	if (msg->msg_iovlen && !msg->msg_iov)
		return -EFAULT;
	for (i = 0; i < msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len > SSIZE_MAX - len)
			return -EINVAL;
		len += msg->msg_iov[i].iov_len;
	}
	/* the size limit counts the largest header: u64 vector entries */
	hmax = ordo_wire_hdr_len(d->kind, d->kind == ORDO_WIRE_KIND_VECTOR ?
				 d->clk.vc.n : 0);

	pthread_mutex_lock(&d->lock);
	err = lsock_lookup(d, fd, &s);
	pthread_mutex_unlock(&d->lock);
	if (err)
		return err;
	if (len > s.max_dgram - hmax)
		return -EMSGSIZE;

	/* one more iovec in front; past IOV_MAX the payload is copied */
	if (msg->msg_iovlen + 1 > IOV_MAX) {
		flat = malloc(len ? len : 1);
		if (!flat)
			return -ENOMEM;
		for (i = 0, len = 0; i < msg->msg_iovlen; i++) {
			memcpy(flat + len, msg->msg_iov[i].iov_base,
			       msg->msg_iov[i].iov_len);
			len += msg->msg_iov[i].iov_len;
		}
		small[1].iov_base = flat;
		small[1].iov_len = len;
		m.msg_iovlen = 2;
	} else {
		if (msg->msg_iovlen + 1 > sizeof(small) / sizeof(small[0])) {
			iov = calloc(msg->msg_iovlen + 1, sizeof(*iov));
			if (!iov)
				return -ENOMEM;
		}
		for (i = 0; i < msg->msg_iovlen; i++)
			iov[i + 1] = msg->msg_iov[i];
		m.msg_iovlen = msg->msg_iovlen + 1;
	}
	m.msg_iov = iov;

	/* The send event; from here on it counts even if the send fails. */
	err = lsock_stamp(d, fd, &info, vc, &s);
	if (!err) {
		/* the length written: u32 entries (VC32) whenever they fit */
		ret = ordo_wire_encode(hdr, hmax, &info, vc);
		err = ret > 0 ? 0 : -EINVAL;
		hlen = (uint32_t)ret;
	}
	if (err) {
		ret = err;
		goto out;
	}
	iov[0].iov_base = hdr;
	iov[0].iov_len = hlen;
	ret = sendmsg(fd, &m, flags);
	if (ret < 0)
		ret = -errno;
	else
		ret = (size_t)ret >= hlen ? ret - hlen : 0;
out:
	if (iov != small)
		free(iov);
	free(flat);
	return ret;
}

ssize_t ordo_lsendmsg(struct ordo_ldom *d, int fd, const struct msghdr *msg,
		      int flags)
{
	ssize_t ret;

	if (!d) {
		errno = EINVAL;
		return -1;
	}
	if (d->mode == ORDO_LDOM_KERNEL)
		return sendmsg(fd, msg, flags);
	if (!msg) {
		errno = EFAULT;
		return -1;
	}
	ret = lsock_send(d, fd, msg, flags);
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* ---------------------------------------------------------------- receive */

/*
 * Under d->lock, the receive event for a decoded header at physical time
 * @pt (the module's ordo_lc_recv(), on the shared ordo_lc_recv_event()):
 * 0 or ORDO_LC_FUTURE with @cm filled, or -(1 + enum ordo_lc_drop). With
 * @peek the clock is left as it is.
 */
static int lsock_merge(struct ordo_ldom *d, const struct ordo_wire_info *info,
		       const u64 *vc, bool peek, uint64_t pt,
		       struct ordo_lclock_cmsg *cm)
{
	u64 jump;
	int ret;

	ret = ordo_lc_recv_event(&d->clk, d->kind, d->group, info, vc, pt,
				 peek, cm, &jump);
	if (ret < 0 && ret != -(1 + ORDO_LC_DROP_FUTURE))
		return ret;
	cm->domain = d->id;
	cm->local_node = d->node;
	if (peek)
		return ret;
	if (cm->flags & ORDO_CMSG_F_FUTURE)
		d->future++;
	if (ret >= 0)
		d->received++;
	return ret;
}

/* put_cmsg() of net/core/scm.c on the caller's buffer: @used bytes of
 * @cap already hold the socket's own control messages.
 */
static void lsock_put_cmsg(struct msghdr *msg, void *ctl, size_t cap,
			   size_t used, const void *data, size_t len)
{
	size_t room = cap > used ? cap - used : 0;
	size_t cmlen = CMSG_LEN(len);
	struct cmsghdr *c = (struct cmsghdr *)((uint8_t *)ctl + used);

	if (!ctl || room < sizeof(struct cmsghdr)) {
		msg->msg_flags |= MSG_CTRUNC;
		return;
	}
	if (room < cmlen) {
		msg->msg_flags |= MSG_CTRUNC;
		cmlen = room;
	}
	c->cmsg_level = SOL_ORDO;
	c->cmsg_type = ORDO_CMSG_TIMESTAMP;
	c->cmsg_len = cmlen;
	memcpy(CMSG_DATA(c), data, cmlen - sizeof(*c));
	cmlen = CMSG_SPACE(len) < room ? CMSG_SPACE(len) : room;
	msg->msg_controllen = used + cmlen;
}

/* Consume the datagram at the head of the queue, whatever it is. */
static void lsock_discard(int fd)
{
	char c;

	recv(fd, &c, 0, MSG_DONTWAIT | MSG_TRUNC);
}

struct lsock_rx {
	u64 vc[ORDO_VC_MAX];			/* decoded ts(m) */
	union {
		struct ordo_lclock_cmsg cm;
		uint8_t cm_space[LSOCK_CMSG_MAX];
	};
	uint8_t data[];				/* the datagram */
};

static ssize_t lsock_recv(struct ordo_ldom *d, int fd, struct msghdr *msg,
			  int flags)
{
	bool peek = flags & MSG_PEEK;
	void *ctl = msg->msg_control;
	size_t ctllen = msg->msg_controllen;
	socklen_t namelen = msg->msg_namelen;
	size_t len = 0, cap, dlen, got, payload, copy, off, i;
	struct ordo_wire_info info;
	struct lsock_rx *rx;
	struct msghdr m;
	struct iovec kv;
	struct lsock s;
	bool deliver;
	uint64_t pt;
	ssize_t ret;
	int hl, r;

	/* what recvmsg() would refuse with the caller's iovec */
	if (msg->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	if (msg->msg_iovlen && !msg->msg_iov)
		return -EFAULT;
	for (i = 0; i < msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len > SSIZE_MAX - len)
			return -EINVAL;
		len += msg->msg_iov[i].iov_len;
	}
	pthread_mutex_lock(&d->lock);
	ret = lsock_lookup(d, fd, &s);
	pthread_mutex_unlock(&d->lock);
	if (ret)
		return ret;

	cap = (len < LSOCK_MAX_DGRAM ? len : LSOCK_MAX_DGRAM) +
	      ORDO_WIRE_MAX_LEN;
	rx = malloc(sizeof(*rx) + cap);
	if (!rx)
		return -ENOMEM;

	for (;;) {
		m = *msg;
		m.msg_namelen = namelen;
		m.msg_control = ctl;
		m.msg_controllen = ctllen;
		m.msg_flags = 0;
		kv.iov_base = rx->data;
		kv.iov_len = cap;
		m.msg_iov = &kv;
		m.msg_iovlen = 1;
		ret = recvmsg(fd, &m, flags | MSG_TRUNC);
		if (ret < 0) {
			ret = -errno;
			goto out;
		}
		dlen = (size_t)ret;
		got = dlen < cap ? dlen : cap;
		m.msg_flags &= ~MSG_TRUNC;

		hl = ordo_wire_decode(rx->data, (uint32_t)dlen, &info, rx->vc,
				      ORDO_VC_MAX);
		pt = d->kind == ORDO_WIRE_KIND_HLC ? lsock_pt(d) : 0;
		pthread_mutex_lock(&d->lock);
		if (hl < 0) {
			r = ORDO_LC_DROP_WIRE(hl);
		} else {
			r = lsock_merge(d, &info, rx->vc, peek, pt, &rx->cm);
			/* -1: valid; otherwise enum ordo_lc_drop */
			r = r < 0 ? -r - 1 : -1;
		}
		deliver = true;
		if (r >= 0 && (s.flags & ORDO_ATTACH_F_PASS_UNSTAMPED)) {
			hl = 0;		/* delivered whole, unstamped */
			if (!peek)
				d->unstamped++;
		} else if (r >= 0) {
			d->drops[r]++;
			deliver = false;
		}
		pthread_mutex_unlock(&d->lock);
		if (deliver)
			break;
		/* Dropped: forget its control messages, read the next one. */
		if (peek)
			lsock_discard(fd);
	}

	payload = dlen - (size_t)hl;
	copy = payload < len ? payload : len;
	if (copy > got - (size_t)hl)
		copy = got - (size_t)hl;
	for (i = 0, off = 0; i < msg->msg_iovlen && off < copy; i++) {
		size_t n = msg->msg_iov[i].iov_len;

		if (n > copy - off)
			n = copy - off;
		memcpy(msg->msg_iov[i].iov_base, rx->data + hl + off, n);
		off += n;
	}
	msg->msg_namelen = m.msg_namelen;
	msg->msg_controllen = m.msg_controllen;
	msg->msg_flags = m.msg_flags;
	if (payload > len)
		msg->msg_flags |= MSG_TRUNC;
	if (hl)
		lsock_put_cmsg(msg, ctl, ctllen, m.msg_controllen, &rx->cm,
			       sizeof(rx->cm) +
			       2 * sizeof(uint64_t) * rx->cm.vc_n);
	ret = (flags & MSG_TRUNC) ? (ssize_t)payload : (ssize_t)copy;
out:
	free(rx);
	return ret;
}

ssize_t ordo_lrecvmsg(struct ordo_ldom *d, int fd, struct msghdr *msg,
		      int flags)
{
	ssize_t ret;

	if (!d) {
		errno = EINVAL;
		return -1;
	}
	/* the error queue holds our own datagrams back: untouched */
	if (d->mode == ORDO_LDOM_KERNEL || (flags & MSG_ERRQUEUE))
		return recvmsg(fd, msg, flags);
	if (!msg) {
		errno = EFAULT;
		return -1;
	}
	ret = lsock_recv(d, fd, msg, flags);
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* ---------------------------------------------------------------- cmsg */

const struct ordo_lclock_cmsg *ordo_lclock_cmsg(const struct msghdr *msg)
{
	const struct ordo_lclock_cmsg *cm;
	struct msghdr m;
	struct cmsghdr *c;

	if (!msg || !msg->msg_control)
		return NULL;
	m = *msg;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_ORDO || c->cmsg_type != ORDO_CMSG_TIMESTAMP)
			continue;
		if (c->cmsg_len < CMSG_LEN(sizeof(*cm)))
			return NULL;	/* truncated (MSG_CTRUNC) */
		cm = (const struct ordo_lclock_cmsg *)CMSG_DATA(c);
		if (c->cmsg_len < CMSG_LEN(sizeof(*cm) +
					   2 * sizeof(uint64_t) * cm->vc_n))
			return NULL;
		return cm;
	}
	return NULL;
}
