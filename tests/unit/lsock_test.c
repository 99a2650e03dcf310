// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/lib/ordo_lsock.c in userspace mode (no module
 * needed): pairs of UDP sockets on 127.0.0.1 stamped by libordo, exact
 * Lamport, vector and HLC values on both sides, the vector header on the
 * wire (32-bit entries, 64-bit once one does not fit), the control message,
 * MSG_PEEK, MSG_TRUNC, MSG_CTRUNC, invalid datagrams (dropped, counted by
 * reason, the clock unmoved), ORDO_ATTACH_F_PASS_UNSTAMPED, the errors,
 * and two threads sending on one socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "libordo.h"
#include "ordo_lclock.h"
#include "../kselftest_harness.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

#define GROUP	42U
#define CTL_LEN	2048

/* ---------------------------------------------------------------- helpers */

/* A UDP socket bound to an ephemeral port of the loopback address. */
static int udp_bound(int family)
{
	struct sockaddr_storage ss = { 0 };
	struct timeval tv = { .tv_sec = 2 };
	socklen_t len;
	int fd;

	fd = socket(family, SOCK_DGRAM, IPPROTO_UDP);
	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	/* a lost test datagram fails the read, it does not hang the suite */
	if (bind(fd, (struct sockaddr *)&ss, len) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connect @a and @b to each other. */
static int udp_connect_pair(int a, int b)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(b, (struct sockaddr *)&ss, &len) ||
	    connect(a, (struct sockaddr *)&ss, len))
		return -1;
	len = sizeof(ss);
	if (getsockname(a, (struct sockaddr *)&ss, &len) ||
	    connect(b, (struct sockaddr *)&ss, len))
		return -1;
	return 0;
}

static struct ordo_lclock_params params(uint32_t kind, uint32_t node)
{
	struct ordo_lclock_params p = {
		.domain = GROUP, .kind = kind, .has_node = 1, .node = node,
	};

	return p;
}

static struct ordo_lclock_params vparams(uint32_t n, uint32_t index)
{
	struct ordo_lclock_params p = {
		.domain = GROUP, .kind = ORDO_WIRE_KIND_VECTOR,
		.vc_n = n, .vc_index = index,
	};

	return p;
}

/*
 * A userspace domain with an attached socket; @peer is where lsend()
 * sends. The sockets are not connected, so that the tests' plain
 * sockets can send them anything.
 */
struct node {
	struct ordo_ldom *d;
	int fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
};

static void node_open(struct __test_metadata *_metadata, struct node *n,
		      const struct ordo_lclock_params *p, int family,
		      uint32_t flags)
{
	ASSERT_EQ(0, ordo_ldom_open(&n->d, p, ORDO_LDOM_F_USER));
	ASSERT_EQ((int)ORDO_LDOM_USER, (int)ordo_ldom_mode(n->d));
	n->fd = udp_bound(family);
	ASSERT_LE(0, n->fd);
	ASSERT_EQ(0, ordo_ldom_attach(n->d, n->fd, flags));
	n->peer_len = 0;
}

/* @a sends to @b and @b to @a. */
static int peer_pair(struct node *a, struct node *b)
{
	a->peer_len = sizeof(a->peer);
	b->peer_len = sizeof(b->peer);
	if (getsockname(b->fd, (struct sockaddr *)&a->peer, &a->peer_len) ||
	    getsockname(a->fd, (struct sockaddr *)&b->peer, &b->peer_len))
		return -1;
	return 0;
}

static void pair_open(struct __test_metadata *_metadata, struct node *a,
		      struct node *b, const struct ordo_lclock_params *pa,
		      const struct ordo_lclock_params *pb)
{
	node_open(_metadata, a, pa, AF_INET, 0);
	node_open(_metadata, b, pb, AF_INET, 0);
	ASSERT_EQ(0, peer_pair(a, b));
}

static void node_close(struct node *n)
{
	if (n->d && n->fd >= 0)
		ordo_ldom_detach(n->d, n->fd);
	if (n->fd >= 0)
		close(n->fd);
	ordo_ldom_close(n->d);
	n->d = NULL;
	n->fd = -1;
}

static ssize_t lsend(struct node *n, const void *buf, size_t len, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = {
		.msg_name = n->peer_len ? &n->peer : NULL,
		.msg_namelen = n->peer_len,
		.msg_iov = &iov, .msg_iovlen = 1,
	};

	return ordo_lsendmsg(n->d, n->fd, &m, flags);
}

/* One received datagram and its control buffer. */
struct rcv {
	char buf[2048];
	struct sockaddr_storage from;
	union {
		char ctl[CTL_LEN];
		struct cmsghdr align;
	};
	struct msghdr m;
	struct iovec iov;
	const struct ordo_lclock_cmsg *cm;
};

static ssize_t lrecv_n(struct node *n, struct rcv *r, size_t len,
		       size_t ctllen, int flags)
{
	ssize_t ret;

	memset(&r->m, 0, sizeof(r->m));
	r->iov.iov_base = r->buf;
	r->iov.iov_len = len;
	r->m.msg_iov = &r->iov;
	r->m.msg_iovlen = 1;
	r->m.msg_name = &r->from;
	r->m.msg_namelen = sizeof(r->from);
	r->m.msg_control = ctllen ? r->ctl : NULL;
	r->m.msg_controllen = ctllen;
	ret = ordo_lrecvmsg(n->d, n->fd, &r->m, flags);
	r->cm = ret >= 0 ? ordo_lclock_cmsg(&r->m) : NULL;
	return ret;
}

static ssize_t lrecv(struct node *n, struct rcv *r, int flags)
{
	return lrecv_n(n, r, sizeof(r->buf), sizeof(r->ctl), flags);
}

/* A datagram from a plain socket to @to (anything, valid or not). */
static int raw_send(int to, const void *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, ret;

	if (getsockname(to, (struct sockaddr *)&ss, &sl))
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	ret = sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) ==
	      (ssize_t)len ? 0 : -1;
	close(fd);
	return ret;
}

/* A stamped datagram described by @info (and @vc), then @payload. */
static int raw_send_hdr(int to, const struct ordo_wire_info *info,
			const __u64 *vc, const char *payload)
{
	__u8 buf[ORDO_WIRE_MAX_LEN + 64];
	int hl = ordo_wire_encode(buf, sizeof(buf), info, vc);
	size_t pl = strlen(payload);

	if (hl < 0)
		return -1;
	memcpy(buf + hl, payload, pl);
	return raw_send(to, buf, (size_t)hl + pl);
}

static uint64_t drop_count(const struct ordo_lclock_info *li, const char *name)
{
	unsigned int i;

	for (i = 0; i < li->n_drops; i++)
		if (!strcmp(li->drops[i].name, name))
			return li->drops[i].value;
	return ~0ULL;	/* no such counter: never what a test expects */
}

static uint64_t drops_total(const struct ordo_lclock_info *li)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < li->n_drops; i++)
		sum += li->drops[i].value;
	return sum;
}

static uint64_t lamport_of(struct ordo_ldom *d)
{
	struct ordo_lclock_info li;

	if (ordo_ldom_get(d, &li))
		return ~0ULL;
	return li.value;
}

static int tick_n(struct ordo_ldom *d, int n)
{
	while (n--)
		if (ordo_ldom_tick(d, NULL))
			return -1;
	return 0;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- Lamport */

TEST(lamport_pingpong_exact)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct ordo_lclock_info li;
	struct node a, b;
	struct rcv r;

	pair_open(_metadata, &a, &b, &pa, &pb);
	/* receiver at c = 5 */
	ASSERT_EQ(0, tick_n(b.d, 5));
	/* sender at c = 0: the send is the event c = 1, ts(m) = 1 */
	ASSERT_EQ(4, lsend(&a, "ping", 4, 0));
	EXPECT_EQ(1ULL, lamport_of(a.d));
	ASSERT_EQ(4, lrecv(&b, &r, 0));
	EXPECT_EQ(0, memcmp(r.buf, "ping", 4));
	/* msg_name is the sender's, as for plain UDP */
	ASSERT_EQ(b.peer_len, r.m.msg_namelen);
	EXPECT_EQ(0, memcmp(&b.peer, &r.from, b.peer_len));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ((uint32_t)ORDO_WIRE_KIND_LAMPORT, r.cm->kind);
	EXPECT_EQ(GROUP, r.cm->domain);
	EXPECT_EQ(1U, r.cm->node);
	EXPECT_EQ(0U, r.cm->flags);
	EXPECT_EQ(1ULL, r.cm->ts);
	EXPECT_EQ(0U, r.cm->ts_c);
	EXPECT_EQ(0, r.cm->vc_n);
	/* max(1, 5) + 1 */
	EXPECT_EQ(6ULL, r.cm->local);
	EXPECT_EQ(0U, r.cm->local_c);
	EXPECT_EQ(2U, r.cm->local_node);
	EXPECT_EQ(0, r.m.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
	EXPECT_EQ(6ULL, lamport_of(b.d));

	/* pong: c = 7 goes out, a at 1 delivers at max(7, 1) + 1 = 8 */
	ASSERT_EQ(4, lsend(&b, "pong", 4, 0));
	ASSERT_EQ(4, lrecv(&a, &r, 0));
	EXPECT_EQ(0, memcmp(r.buf, "pong", 4));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(2U, r.cm->node);
	EXPECT_EQ(7ULL, r.cm->ts);
	EXPECT_EQ(8ULL, r.cm->local);
	EXPECT_EQ(1U, r.cm->local_node);

	ASSERT_EQ(0, ordo_ldom_get(a.d, &li));
	EXPECT_EQ(GROUP, li.domain);
	EXPECT_EQ(GROUP, li.group);
	EXPECT_EQ((uint32_t)ORDO_WIRE_KIND_LAMPORT, li.kind);
	EXPECT_EQ(1U, li.node);
	EXPECT_EQ(8ULL, li.value);
	EXPECT_EQ(1U, li.sockets);
	EXPECT_EQ(1ULL, li.stamped);
	EXPECT_EQ(1ULL, li.received);
	EXPECT_EQ(0ULL, li.ticks);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(7ULL, li.value);
	EXPECT_EQ(5ULL, li.ticks);
	EXPECT_EQ(0ULL, drops_total(&li));
	/* a tick through the API returns the state after it */
	ASSERT_EQ(0, ordo_ldom_tick(b.d, &li));
	EXPECT_EQ(8ULL, li.value);
	node_close(&a);
	node_close(&b);
}

/* The names and order of LCLOCK_GET's drop counters (kmod/lclock.c). */
TEST(drop_counter_names)
{
	static const char *const names[] = {
		"short", "magic", "version", "kind", "hdr_small", "hdr_large",
		"trunc", "vc_n", "hdr_len", "vc_index", "flags", "reserved",
		"domain", "kind_mismatch", "vc_size", "future", "overflow",
	};
	struct ordo_lclock_params p = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_info li;
	struct ordo_ldom *d;
	unsigned int i;

	ASSERT_EQ(0, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	ASSERT_EQ(0, ordo_ldom_get(d, &li));
	ASSERT_EQ(ARRAY_SIZE(names), li.n_drops);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_STREQ(names[i], li.drops[i].name);
		EXPECT_EQ(0ULL, li.drops[i].value);
	}
	ordo_ldom_close(d);
}

/* ---------------------------------------------------------------- vector */

TEST(vector_pingpong_exact_and_compare)
{
	struct ordo_lclock_params pa = vparams(3, 0), pb = vparams(3, 1);
	struct ordo_lclock_params pc = vparams(3, 2);
	struct ordo_lclock_info li, lc;
	struct ordo_ldom *c;
	struct node a, b;
	struct rcv r;

	pair_open(_metadata, &a, &b, &pa, &pb);
	ASSERT_EQ(0, ordo_ldom_open(&c, &pc, ORDO_LDOM_F_USER));
	/* a: local [1,0,0], send [2,0,0]; b: local [0,1,0] */
	ASSERT_EQ(0, tick_n(a.d, 1));
	ASSERT_EQ(0, tick_n(b.d, 1));
	ASSERT_EQ(3, lsend(&a, "one", 3, 0));
	ASSERT_EQ(3, lrecv(&b, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ((uint32_t)ORDO_WIRE_KIND_VECTOR, r.cm->kind);
	EXPECT_EQ(3, r.cm->vc_n);
	EXPECT_EQ(0, r.cm->vc_index);
	EXPECT_EQ(0U, r.cm->node);
	EXPECT_EQ(1U, r.cm->local_node);
	EXPECT_EQ(0ULL, r.cm->ts);
	EXPECT_EQ(0ULL, r.cm->local);
	/* ts(m) = [2,0,0]; receive: max([0,1,0],[2,0,0]) + 1 = [2,2,0] */
	EXPECT_EQ(2ULL, r.cm->vc[0]);
	EXPECT_EQ(0ULL, r.cm->vc[1]);
	EXPECT_EQ(0ULL, r.cm->vc[2]);
	EXPECT_EQ(2ULL, r.cm->vc[3]);
	EXPECT_EQ(2ULL, r.cm->vc[4]);
	EXPECT_EQ(0ULL, r.cm->vc[5]);
	EXPECT_EQ(ORDO_VC_BEFORE,
		  ordo_vc_compare((const u64 *)&r.cm->vc[0],
				  (const u64 *)&r.cm->vc[3], 3));
	/* the control message holds 48 + 16 * 3 bytes */
	EXPECT_EQ(CMSG_LEN(48 + 16 * 3), CMSG_FIRSTHDR(&r.m)->cmsg_len);

	/* pong: [2,3,0] out; a: max([2,0,0],[2,3,0]) + 1 = [3,3,0] */
	ASSERT_EQ(3, lsend(&b, "two", 3, 0));
	ASSERT_EQ(3, lrecv(&a, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(1, r.cm->vc_index);
	EXPECT_EQ(2ULL, r.cm->vc[0]);
	EXPECT_EQ(3ULL, r.cm->vc[1]);
	EXPECT_EQ(0ULL, r.cm->vc[2]);
	EXPECT_EQ(3ULL, r.cm->vc[3]);
	EXPECT_EQ(3ULL, r.cm->vc[4]);
	EXPECT_EQ(0ULL, r.cm->vc[5]);

	ASSERT_EQ(0, ordo_ldom_get(a.d, &li));
	EXPECT_EQ(3U, li.vc_n);
	EXPECT_EQ(0U, li.vc_index);
	EXPECT_EQ(3ULL, li.vc[0]);
	EXPECT_EQ(3ULL, li.vc[1]);
	EXPECT_EQ(0ULL, li.vc[2]);
	/* c's local event [0,0,1] is concurrent with both */
	ASSERT_EQ(0, ordo_ldom_tick(c, &lc));
	EXPECT_EQ(1ULL, lc.vc[2]);
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare((const u64 *)li.vc, (const u64 *)lc.vc, 3));
	ASSERT_EQ(0, ordo_ldom_get(b.d, &lc));
	EXPECT_EQ(ORDO_VC_AFTER, ordo_vc_compare((const u64 *)li.vc, (const u64 *)lc.vc, 3));
	ordo_ldom_close(c);
	node_close(&a);
	node_close(&b);
}

TEST(vector_wrong_n_dropped)
{
	struct ordo_lclock_params pb = vparams(3, 1);
	struct ordo_wire_info in = {
		.kind = ORDO_WIRE_KIND_VECTOR, .domain = GROUP, .vc_n = 2,
	};
	__u64 vc[2] = { 5, 5 };
	struct ordo_lclock_info li;
	struct node b;
	struct rcv r;

	node_open(_metadata, &b, &pb, AF_INET, 0);
	ASSERT_EQ(0, raw_send_hdr(b.fd, &in, vc, "x"));
	EXPECT_EQ(-1, lrecv(&b, &r, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(1ULL, drop_count(&li, "vc_size"));
	EXPECT_EQ(0ULL, li.vc[0]);
	EXPECT_EQ(0ULL, li.vc[1]);
	node_close(&b);
}

/*
 * What libordo puts on the wire for a vector: 32-bit entries (VC32,
 * 24 + 4n rounded up to 8) while every entry fits, 64-bit ones once an
 * entry is above U32_MAX; the payload limit counts the 64-bit size.
 */
TEST(vector_header_on_the_wire)
{
	static const __u8 want32[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x02, 0x00, 0x28,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x03, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		'h', 'e', 'y',
	};
	static const __u8 want64[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x02, 0x00, 0x30,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x03, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		'h', 'o', '!',
	};
	struct ordo_lclock_params pa = vparams(3, 0), p8 = vparams(8, 0);
	struct ordo_wire_info in = {
		.kind = ORDO_WIRE_KIND_VECTOR, .domain = GROUP, .vc_n = 3,
		.vc_index = 1, .node_id = 1,
	};
	__u64 vc[3] = { 0, 0x100000000ULL, 0 };
	size_t max = 65507 - ORDO_WIRE_VC_LEN(8);
	__u8 buf[2048];
	struct node a;
	struct rcv r;
	char *big;
	int plain;

	node_open(_metadata, &a, &pa, AF_INET, 0);
	plain = udp_bound(AF_INET);
	ASSERT_LE(0, plain);
	a.peer_len = sizeof(a.peer);
	ASSERT_EQ(0, getsockname(plain, (struct sockaddr *)&a.peer,
				 &a.peer_len));

	/* [1,0,0] in 32-bit entries, the pad of n = 3 zero */
	ASSERT_EQ(3, lsend(&a, "hey", 3, 0));
	ASSERT_EQ((ssize_t)sizeof(want32), recv(plain, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, want32, sizeof(want32)));

	/* receive [0, 2^32, 0]: a's vector is [2, 2^32, 0] */
	ASSERT_EQ(0, raw_send_hdr(a.fd, &in, vc, "x"));
	ASSERT_EQ(1, lrecv(&a, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(0x100000000ULL, r.cm->vc[4]);
	/* [3, 2^32, 0] does not fit: 64-bit entries, no VC32 */
	ASSERT_EQ(3, lsend(&a, "ho!", 3, 0));
	ASSERT_EQ((ssize_t)sizeof(want64), recv(plain, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, want64, sizeof(want64)));
	node_close(&a);

	/*
	 * n = 8: the header is 56 bytes on the wire, but the limit is
	 * 65507 - 88 either way (known before the clock ticks).
	 */
	node_open(_metadata, &a, &p8, AF_INET, 0);
	a.peer_len = sizeof(a.peer);
	ASSERT_EQ(0, getsockname(plain, (struct sockaddr *)&a.peer,
				 &a.peer_len));
	big = calloc(1, max + 1);
	ASSERT_NE(NULL, big);
	EXPECT_EQ(-1, lsend(&a, big, max + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ((ssize_t)max, lsend(&a, big, max, 0));
	EXPECT_EQ((ssize_t)(ORDO_WIRE_VC32_LEN(8) + max),
		  recv(plain, buf, sizeof(buf), MSG_TRUNC));
	EXPECT_EQ(56, ordo_wire_validate(buf, (__u32)(56 + max)));
	free(big);
	node_close(&a);
	close(plain);
}

/* ---------------------------------------------------------------- HLC */

TEST(hlc_pingpong_exact)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_HLC, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_HLC, 2);
	struct ordo_wire_info in = {
		.kind = ORDO_WIRE_KIND_HLC, .domain = GROUP, .node_id = 9,
		.hlc_c = 5,
	};
	struct ordo_lclock_info li;
	struct ordo_now now;
	uint64_t t0, t1, L;
	struct node a, b;
	struct rcv r;

	pair_open(_metadata, &a, &b, &pa, &pb);

	/* Without the module l is CLOCK_REALTIME (ordo_lc_pt()'s policy). */
	if (ordo_clock_now(&now)) {
		t0 = realtime_ns();
		ASSERT_EQ(0, ordo_ldom_tick(a.d, &li));
		t1 = realtime_ns();
		EXPECT_LE(t0, li.value);
		EXPECT_GE(t1, li.value);
		EXPECT_EQ(0U, li.hlc_c);
	}

	/*
	 * A timestamp 1000 s ahead (no max_jump) puts b's l there: from
	 * then on every event on either side has l = L and only c moves.
	 */
	L = realtime_ns() + 1000000000000ULL;
	in.ts = L;
	ASSERT_EQ(0, raw_send_hdr(b.fd, &in, NULL, "seed"));
	ASSERT_EQ(4, lrecv(&b, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(9U, r.cm->node);
	EXPECT_EQ(L, r.cm->ts);
	EXPECT_EQ(5U, r.cm->ts_c);
	EXPECT_EQ(L, r.cm->local);		/* l = l_m */
	EXPECT_EQ(6U, r.cm->local_c);		/* c_m + 1 */

	/* b sends (L, 7); a: l = l_m > l', pt: c = c_m + 1 = 8 */
	ASSERT_EQ(4, lsend(&b, "ping", 4, 0));
	ASSERT_EQ(4, lrecv(&a, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ((uint32_t)ORDO_WIRE_KIND_HLC, r.cm->kind);
	EXPECT_EQ(2U, r.cm->node);
	EXPECT_EQ(L, r.cm->ts);
	EXPECT_EQ(7U, r.cm->ts_c);
	EXPECT_EQ(L, r.cm->local);
	EXPECT_EQ(8U, r.cm->local_c);
	EXPECT_EQ(1U, r.cm->local_node);

	/* a sends (L, 9); b at (L, 7): l = l' = l_m: max(7, 9) + 1 = 10 */
	ASSERT_EQ(4, lsend(&a, "pong", 4, 0));
	ASSERT_EQ(4, lrecv(&b, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(L, r.cm->ts);
	EXPECT_EQ(9U, r.cm->ts_c);
	EXPECT_EQ(L, r.cm->local);
	EXPECT_EQ(10U, r.cm->local_c);

	/* a local event at b: (L, 11) */
	ASSERT_EQ(0, ordo_ldom_tick(b.d, &li));
	EXPECT_EQ(L, li.value);
	EXPECT_EQ(11U, li.hlc_c);
	node_close(&a);
	node_close(&b);
}

/* ---------------------------------------------------------------- future */

TEST(future_jump_reported_and_refused)
{
	struct ordo_lclock_params p = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_wire_info in = {
		.kind = ORDO_WIRE_KIND_LAMPORT, .domain = GROUP, .ts = 100,
	};
	struct ordo_lclock_info li;
	struct node b;
	struct rcv r;

	/* max_jump 10: reported, merged all the same */
	p.max_jump = 10;
	node_open(_metadata, &b, &p, AF_INET, 0);
	ASSERT_EQ(0, raw_send_hdr(b.fd, &in, NULL, "f"));
	ASSERT_EQ(1, lrecv(&b, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(ORDO_CMSG_F_FUTURE, r.cm->flags);
	EXPECT_EQ(101ULL, r.cm->local);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(1ULL, li.future);
	EXPECT_EQ(1ULL, li.received);
	EXPECT_EQ(10ULL, li.max_jump);
	EXPECT_EQ(0, li.refuse);
	node_close(&b);

	/* with refuse: dropped (reason future), the clock does not move */
	p.refuse = 1;
	node_open(_metadata, &b, &p, AF_INET, 0);
	ASSERT_EQ(0, raw_send_hdr(b.fd, &in, NULL, "f"));
	EXPECT_EQ(-1, lrecv(&b, &r, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(0ULL, li.value);
	EXPECT_EQ(1ULL, li.future);
	EXPECT_EQ(0ULL, li.received);
	EXPECT_EQ(1ULL, drop_count(&li, "future"));
	EXPECT_EQ(1, li.refuse);
	node_close(&b);
}

/* ---------------------------------------------------------------- PEEK */

TEST(peek_does_not_merge)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct ordo_lclock_info li;
	struct node a, b;
	struct rcv r;

	pair_open(_metadata, &a, &b, &pa, &pb);
	ASSERT_EQ(0, tick_n(b.d, 5));
	ASSERT_EQ(5, lsend(&a, "hello", 5, 0));
	/* twice: each peek reports what a read would give, none merges */
	ASSERT_EQ(5, lrecv(&b, &r, MSG_PEEK));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(ORDO_CMSG_F_PEEK, r.cm->flags);
	EXPECT_EQ(6ULL, r.cm->local);
	ASSERT_EQ(5, lrecv(&b, &r, MSG_PEEK));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(6ULL, r.cm->local);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(5ULL, li.value);
	EXPECT_EQ(0ULL, li.received);
	/* the read merges once */
	ASSERT_EQ(5, lrecv(&b, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(0U, r.cm->flags);
	EXPECT_EQ(6ULL, r.cm->local);
	EXPECT_EQ(0, memcmp(r.buf, "hello", 5));
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(6ULL, li.value);
	EXPECT_EQ(1ULL, li.received);
	/* nothing left */
	EXPECT_EQ(-1, lrecv(&b, &r, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	node_close(&a);
	node_close(&b);
}

TEST(peek_consumes_invalid_and_goes_on)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct ordo_lclock_info li;
	struct node a, b;
	struct rcv r;

	pair_open(_metadata, &a, &b, &pa, &pb);
	ASSERT_EQ(0, raw_send(b.fd, "garbage-garbage-garbage-garbage!", 32));
	ASSERT_EQ(5, lsend(&a, "valid", 5, 0));
	ASSERT_EQ(5, lrecv(&b, &r, MSG_PEEK));
	EXPECT_EQ(0, memcmp(r.buf, "valid", 5));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(ORDO_CMSG_F_PEEK, r.cm->flags);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(1ULL, drop_count(&li, "magic"));
	EXPECT_EQ(0ULL, li.value);
	/* the garbage is gone: the read gets the valid datagram */
	ASSERT_EQ(5, lrecv(&b, &r, 0));
	EXPECT_EQ(0, memcmp(r.buf, "valid", 5));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(2ULL, r.cm->local);
	node_close(&a);
	node_close(&b);
}

/* ---------------------------------------------------------------- TRUNC */

TEST(trunc_as_plain_udp)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	char payload[100], plain[16];
	struct iovec iov = { .iov_base = plain, .iov_len = 10 };
	struct msghdr pm = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct node a, b;
	struct rcv r;
	int p1, p2;
	size_t i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (char)('a' + i % 26);
	pair_open(_metadata, &a, &b, &pa, &pb);

	/* plain UDP, for reference */
	p1 = udp_bound(AF_INET);
	p2 = udp_bound(AF_INET);
	ASSERT_LE(0, p1);
	ASSERT_LE(0, p2);
	ASSERT_EQ(0, udp_connect_pair(p1, p2));
	ASSERT_EQ(100, send(p1, payload, 100, 0));
	ASSERT_EQ(10, recvmsg(p2, &pm, 0));
	EXPECT_EQ(MSG_TRUNC, pm.msg_flags & MSG_TRUNC);
	ASSERT_EQ(100, send(p1, payload, 100, 0));
	pm.msg_flags = 0;
	ASSERT_EQ(100, recvmsg(p2, &pm, MSG_TRUNC));
	EXPECT_EQ(MSG_TRUNC, pm.msg_flags & MSG_TRUNC);
	close(p1);
	close(p2);

	/* stamped: the same, the header not counted */
	ASSERT_EQ(100, lsend(&a, payload, 100, 0));
	ASSERT_EQ(10, lrecv_n(&b, &r, 10, CTL_LEN, 0));
	EXPECT_EQ(MSG_TRUNC, r.m.msg_flags & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(r.buf, payload, 10));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(2ULL, r.cm->local);
	ASSERT_EQ(100, lsend(&a, payload, 100, 0));
	ASSERT_EQ(100, lrecv_n(&b, &r, 10, CTL_LEN, MSG_TRUNC));
	EXPECT_EQ(MSG_TRUNC, r.m.msg_flags & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(r.buf, payload, 10));
	/* exactly the size: no MSG_TRUNC */
	ASSERT_EQ(100, lsend(&a, payload, 100, 0));
	ASSERT_EQ(100, lrecv_n(&b, &r, 100, CTL_LEN, MSG_TRUNC));
	EXPECT_EQ(0, r.m.msg_flags & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(r.buf, payload, 100));
	/* an empty payload */
	ASSERT_EQ(0, lsend(&a, "", 0, 0));
	ASSERT_EQ(0, lrecv(&b, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(4ULL, r.cm->ts);
	EXPECT_EQ(5ULL, lamport_of(b.d));
	node_close(&a);
	node_close(&b);
}

TEST(scatter_gather)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct iovec out[3] = {
		{ .iov_base = "abc", .iov_len = 3 },
		{ .iov_base = "", .iov_len = 0 },
		{ .iov_base = "defgh", .iov_len = 5 },
	};
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 3 };
	char x[2], y[4], z[8];
	struct iovec in[3] = {
		{ .iov_base = x, .iov_len = sizeof(x) },
		{ .iov_base = y, .iov_len = sizeof(y) },
		{ .iov_base = z, .iov_len = sizeof(z) },
	};
	char ctl[CTL_LEN] __attribute__((aligned(8)));
	struct msghdr rm = {
		.msg_iov = in, .msg_iovlen = 3,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct node a, b;

	pair_open(_metadata, &a, &b, &pa, &pb);
	m.msg_name = &a.peer;
	m.msg_namelen = a.peer_len;
	ASSERT_EQ(8, ordo_lsendmsg(a.d, a.fd, &m, 0));
	ASSERT_EQ(8, ordo_lrecvmsg(b.d, b.fd, &rm, 0));
	EXPECT_EQ(0, memcmp(x, "ab", 2));
	EXPECT_EQ(0, memcmp(y, "cdef", 4));
	EXPECT_EQ(0, memcmp(z, "gh", 2));
	ASSERT_NE(NULL, ordo_lclock_cmsg(&rm));
	node_close(&a);
	node_close(&b);
}

/* ---------------------------------------------------------------- CTRUNC */

TEST(control_buffer_too_small)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	size_t pk = CMSG_SPACE(sizeof(struct in_pktinfo));
	size_t ours = CMSG_SPACE(sizeof(struct ordo_lclock_cmsg));
	struct in_pktinfo *pi;
	struct cmsghdr *c;
	struct node a, b;
	struct rcv r;
	int one = 1;

	pair_open(_metadata, &a, &b, &pa, &pb);
	ASSERT_EQ(0, setsockopt(b.fd, IPPROTO_IP, IP_PKTINFO, &one,
				sizeof(one)));

	/* room for both: IP_PKTINFO first, ours after it */
	ASSERT_EQ(1, lsend(&a, "1", 1, 0));
	ASSERT_EQ(1, lrecv_n(&b, &r, sizeof(r.buf), pk + ours, 0));
	EXPECT_EQ(0, r.m.msg_flags & MSG_CTRUNC);
	EXPECT_EQ(pk + ours, r.m.msg_controllen);
	c = CMSG_FIRSTHDR(&r.m);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(IPPROTO_IP, c->cmsg_level);
	EXPECT_EQ(IP_PKTINFO, c->cmsg_type);
	pi = (struct in_pktinfo *)CMSG_DATA(c);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), pi->ipi_addr.s_addr);
	c = CMSG_NXTHDR(&r.m, c);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(SOL_ORDO, c->cmsg_level);
	EXPECT_EQ(ORDO_CMSG_TIMESTAMP, c->cmsg_type);
	EXPECT_EQ(CMSG_LEN(sizeof(struct ordo_lclock_cmsg)), c->cmsg_len);
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(1ULL, r.cm->ts);

	/* room for IP_PKTINFO only: it is kept, ours is cut: MSG_CTRUNC */
	ASSERT_EQ(1, lsend(&a, "2", 1, 0));
	ASSERT_EQ(1, lrecv_n(&b, &r, sizeof(r.buf), pk, 0));
	EXPECT_EQ(MSG_CTRUNC, r.m.msg_flags & MSG_CTRUNC);
	c = CMSG_FIRSTHDR(&r.m);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(IP_PKTINFO, c->cmsg_type);
	EXPECT_EQ(NULL, r.cm);
	EXPECT_EQ(0, memcmp(r.buf, "2", 1));

	/* part of ours fits: a truncated cmsg, which ordo_lclock_cmsg()
	 * does not return
	 */
	ASSERT_EQ(1, lsend(&a, "3", 1, 0));
	ASSERT_EQ(1, lrecv_n(&b, &r, sizeof(r.buf), pk + ours - 16, 0));
	EXPECT_EQ(MSG_CTRUNC, r.m.msg_flags & MSG_CTRUNC);
	EXPECT_EQ(NULL, r.cm);

	/* no control buffer at all: MSG_CTRUNC, as put_cmsg() does */
	ASSERT_EQ(1, lsend(&a, "4", 1, 0));
	ASSERT_EQ(1, lrecv_n(&b, &r, sizeof(r.buf), 0, 0));
	EXPECT_EQ(MSG_CTRUNC, r.m.msg_flags & MSG_CTRUNC);
	EXPECT_EQ(0, memcmp(r.buf, "4", 1));

	/* the clock merged all four all the same: 1,2,3,4 -> b at 5 */
	EXPECT_EQ(5ULL, lamport_of(b.d));
	node_close(&a);
	node_close(&b);
}

/* ---------------------------------------------------------------- drops */

TEST(garbage_dropped_counted_clock_unmoved)
{
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct ordo_wire_info lam = {
		.kind = ORDO_WIRE_KIND_LAMPORT, .domain = GROUP, .ts = 1000,
	};
	struct ordo_wire_info other = lam, vec = {
		.kind = ORDO_WIRE_KIND_VECTOR, .domain = GROUP, .vc_n = 1,
	};
	__u64 vc[1] = { 1000 };
	__u8 buf[64];
	struct ordo_lclock_info li;
	struct node b;
	struct rcv r;

	node_open(_metadata, &b, &pb, AF_INET, 0);
	ASSERT_EQ(0, tick_n(b.d, 3));
	/* short */
	ASSERT_EQ(0, raw_send(b.fd, "abc", 3));
	/* magic */
	ASSERT_EQ(0, raw_send(b.fd, "0123456789abcdef0123456789abcdef", 32));
	/* version */
	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &lam, NULL));
	buf[ORDO_WIRE_OFF_VERSION] = 2;
	ASSERT_EQ(0, raw_send(b.fd, buf, 32));
	/* trunc: a Lamport header cut at 28 bytes */
	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &lam, NULL));
	ASSERT_EQ(0, raw_send(b.fd, buf, 28));
	/* reserved word not 0 */
	buf[ORDO_WIRE_OFF_KWORD + 3] = 1;
	ASSERT_EQ(0, raw_send(b.fd, buf, 32));
	/* another group */
	other.domain = GROUP + 1;
	ASSERT_EQ(0, raw_send_hdr(b.fd, &other, NULL, "x"));
	/* valid vector header, Lamport domain */
	ASSERT_EQ(0, raw_send_hdr(b.fd, &vec, vc, "x"));

	/* all dropped: a non-blocking read finds nothing */
	EXPECT_EQ(-1, lrecv(&b, &r, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(3ULL, li.value);
	EXPECT_EQ(0ULL, li.received);
	EXPECT_EQ(1ULL, drop_count(&li, "short"));
	EXPECT_EQ(1ULL, drop_count(&li, "magic"));
	EXPECT_EQ(1ULL, drop_count(&li, "version"));
	EXPECT_EQ(1ULL, drop_count(&li, "trunc"));
	EXPECT_EQ(1ULL, drop_count(&li, "reserved"));
	EXPECT_EQ(1ULL, drop_count(&li, "domain"));
	EXPECT_EQ(1ULL, drop_count(&li, "kind_mismatch"));
	EXPECT_EQ(7ULL, drops_total(&li));

	/* the next valid datagram is delivered, exactly merged */
	lam.ts = 10;
	ASSERT_EQ(0, raw_send(b.fd, "junk", 4));
	ASSERT_EQ(0, raw_send_hdr(b.fd, &lam, NULL, "ok"));
	ASSERT_EQ(2, lrecv(&b, &r, 0));
	EXPECT_EQ(0, memcmp(r.buf, "ok", 2));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(11ULL, r.cm->local);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ(2ULL, drop_count(&li, "short"));
	EXPECT_EQ(1ULL, li.received);
	node_close(&b);
}

TEST(pass_unstamped_per_socket)
{
	struct ordo_lclock_params p = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct ordo_wire_info lam = {
		.kind = ORDO_WIRE_KIND_LAMPORT, .domain = GROUP, .ts = 7,
	};
	struct ordo_lclock_info li;
	struct node pass, drop;
	struct rcv r;

	/* one domain, two sockets with their own flags */
	node_open(_metadata, &pass, &p, AF_INET, ORDO_ATTACH_F_PASS_UNSTAMPED);
	drop.d = pass.d;
	drop.fd = udp_bound(AF_INET);
	ASSERT_LE(0, drop.fd);
	ASSERT_EQ(0, ordo_ldom_attach(drop.d, drop.fd, 0));

	ASSERT_EQ(0, raw_send(pass.fd, "plain datagram", 14));
	ASSERT_EQ(14, lrecv(&pass, &r, MSG_PEEK));
	EXPECT_EQ(NULL, r.cm);
	ASSERT_EQ(14, lrecv(&pass, &r, 0));
	EXPECT_EQ(0, memcmp(r.buf, "plain datagram", 14));
	EXPECT_EQ(NULL, r.cm);
	EXPECT_EQ(0U, r.m.msg_controllen);
	EXPECT_EQ(0, r.m.msg_flags & MSG_CTRUNC);
	/* stamped datagrams on the same socket are still merged */
	ASSERT_EQ(0, raw_send_hdr(pass.fd, &lam, NULL, "st"));
	ASSERT_EQ(2, lrecv(&pass, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(8ULL, r.cm->local);

	ASSERT_EQ(0, raw_send(drop.fd, "plain datagram", 14));
	EXPECT_EQ(-1, lrecv(&drop, &r, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, ordo_ldom_get(pass.d, &li));
	EXPECT_EQ(2U, li.sockets);
	EXPECT_EQ(1ULL, li.unstamped);
	EXPECT_EQ(1ULL, li.received);
	EXPECT_EQ(1ULL, drop_count(&li, "magic"));
	EXPECT_EQ(8ULL, li.value);
	ASSERT_EQ(0, ordo_ldom_detach(drop.d, drop.fd));
	close(drop.fd);
	node_close(&pass);
}

/* ---------------------------------------------------------------- errors */

TEST(open_errors)
{
	struct ordo_lclock_params p = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_ldom *d;
	struct ordo_now now;

	p.kind = 0;
	EXPECT_EQ(-EINVAL, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	p.kind = 4;
	EXPECT_EQ(-EINVAL, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	p = vparams(0, 0);
	EXPECT_EQ(-EINVAL, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	p = vparams(65, 0);
	EXPECT_EQ(-EINVAL, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	p = vparams(3, 3);
	EXPECT_EQ(-EINVAL, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	p = vparams(64, 63);
	ASSERT_EQ(0, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	ordo_ldom_close(d);
	p = params(ORDO_WIRE_KIND_HLC, 1);
	EXPECT_EQ(-EINVAL, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER |
					  ORDO_LDOM_F_KERNEL));
	EXPECT_EQ(-EINVAL, ordo_ldom_open(&d, &p, 0x80));
	EXPECT_EQ(NULL, d);
	/* without the module: KERNEL fails, no mode flag means userspace */
	if (ordo_clock_now(&now) == ORDO_ERR_NOT_LOADED) {
		EXPECT_EQ(-ENOPKG, ordo_ldom_open(&d, &p, ORDO_LDOM_F_KERNEL));
		ASSERT_EQ(0, ordo_ldom_open(&d, &p, 0));
		EXPECT_EQ((int)ORDO_LDOM_USER, (int)ordo_ldom_mode(d));
		ordo_ldom_close(d);
	}
}

TEST(attach_errors)
{
	struct ordo_lclock_params p = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_ldom *d, *d2;
	int fd, pfd[2], one = 1;

	ASSERT_EQ(0, ordo_ldom_open(&d, &p, ORDO_LDOM_F_USER));
	ASSERT_EQ(0, ordo_ldom_open(&d2, &p, ORDO_LDOM_F_USER));

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPROTONOSUPPORT, ordo_ldom_attach(d, fd, 0));
	close(fd);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPROTONOSUPPORT, ordo_ldom_attach(d, fd, 0));
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	if (fd >= 0) {
		EXPECT_EQ(-EPROTONOSUPPORT, ordo_ldom_attach(d, fd, 0));
		close(fd);
	}
	ASSERT_EQ(0, pipe(pfd));
	EXPECT_EQ(-ENOTSOCK, ordo_ldom_attach(d, pfd[0], 0));
	close(pfd[0]);
	close(pfd[1]);
	EXPECT_EQ(-EBADF, ordo_ldom_attach(d, pfd[0], 0));
	EXPECT_EQ(-EBADF, ordo_ldom_attach(d, -1, 0));

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, ordo_ldom_attach(d, fd, 0x2));
	EXPECT_EQ(-ENOENT, ordo_ldom_detach(d, fd));
	ASSERT_EQ(0, ordo_ldom_attach(d, fd, 0));
	EXPECT_EQ(-EALREADY, ordo_ldom_attach(d, fd, 0));
	/* one socket, one domain */
	EXPECT_EQ(-EALREADY, ordo_ldom_attach(d2, fd, 0));
	EXPECT_EQ(-ENOENT, ordo_ldom_detach(d2, fd));
	ASSERT_EQ(0, ordo_ldom_detach(d, fd));
	EXPECT_EQ(-ENOENT, ordo_ldom_detach(d, fd));
	ASSERT_EQ(0, ordo_ldom_attach(d2, fd, 0));
	ASSERT_EQ(0, ordo_ldom_detach(d2, fd));
	/* corked sockets cannot be stamped datagram by datagram */
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_UDP, UDP_CORK, &one, sizeof(one)));
	EXPECT_EQ(-EOPNOTSUPP, ordo_ldom_attach(d, fd, 0));
	close(fd);

	/* a closed, never detached fd whose number is reused */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ordo_ldom_attach(d, fd, 0));
	close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ordo_ldom_attach(d2, fd, 0));
	EXPECT_EQ(0, ordo_ldom_detach(d2, fd));
	close(fd);
	ordo_ldom_close(d);
	ordo_ldom_close(d2);
}

TEST(send_errors)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	size_t max = 65507 - ORDO_WIRE_LAMPORT_LEN;
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr m;
	struct cmsghdr *c;
	struct node a, b;
	struct rcv r;
	char *big;
	int fd;

	pair_open(_metadata, &a, &b, &pa, &pb);
	big = calloc(1, max + 1);
	ASSERT_NE(NULL, big);

	EXPECT_EQ(-1, lsend(&a, "x", 1, MSG_MORE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	iov.iov_base = "x";
	iov.iov_len = 1;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	*(uint16_t *)CMSG_DATA(c) = 100;
	EXPECT_EQ(-1, ordo_lsendmsg(a.d, a.fd, &m, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* header + payload above 65507 bytes: EMSGSIZE, as UDP would */
	EXPECT_EQ(-1, lsend(&a, big, max + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	/* none of them was a send event */
	EXPECT_EQ(0ULL, lamport_of(a.d));
	/* the largest one goes */
	ASSERT_EQ((ssize_t)max, lsend(&a, big, max, 0));
	EXPECT_EQ(1ULL, lamport_of(a.d));
	ASSERT_EQ(0, lrecv_n(&b, &r, 0, CTL_LEN, MSG_DONTWAIT));
	EXPECT_EQ(MSG_TRUNC, r.m.msg_flags & MSG_TRUNC);
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(1ULL, r.cm->ts);

	/* a socket that is not attached */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	iov.iov_base = "x";
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	EXPECT_EQ(-1, ordo_lsendmsg(a.d, fd, &m, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ordo_lrecvmsg(a.d, fd, &m, MSG_DONTWAIT));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
	free(big);
	node_close(&a);
	node_close(&b);
}

/* ---------------------------------------------------------------- IPv6 */

TEST(ipv6_pair)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct node a, b;
	struct rcv r;
	int probe;

	probe = udp_bound(AF_INET6);
	if (probe < 0)
		SKIP(return, "no IPv6 loopback");
	close(probe);
	node_open(_metadata, &a, &pa, AF_INET6, 0);
	node_open(_metadata, &b, &pb, AF_INET6, 0);
	ASSERT_EQ(0, peer_pair(&a, &b));
	ASSERT_EQ(0, tick_n(b.d, 5));
	ASSERT_EQ(2, lsend(&a, "v6", 2, 0));
	ASSERT_EQ(2, lrecv(&b, &r, 0));
	ASSERT_NE(NULL, r.cm);
	EXPECT_EQ(6ULL, r.cm->local);
	node_close(&a);
	node_close(&b);
}

/* ---------------------------------------------------------------- threads */

#define THREAD_MSGS	400
#define THREAD_LEN	200

struct sender {
	struct node *n;
	int id;
	int err;
};

static void fill(char *buf, int id, int seq)
{
	int i;

	for (i = 0; i < THREAD_LEN; i++)
		buf[i] = (char)(id * 131 + seq * 7 + i);
	memcpy(buf, &id, sizeof(id));
	memcpy(buf + sizeof(id), &seq, sizeof(seq));
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	char buf[THREAD_LEN];
	int seq;

	for (seq = 0; seq < THREAD_MSGS; seq++) {
		fill(buf, s->id, seq);
		if (lsend(s->n, buf, THREAD_LEN, 0) != THREAD_LEN) {
			s->err = errno;
			break;
		}
	}
	return NULL;
}

TEST(two_threads_one_socket)
{
	struct ordo_lclock_params pa = params(ORDO_WIRE_KIND_LAMPORT, 1);
	struct ordo_lclock_params pb = params(ORDO_WIRE_KIND_LAMPORT, 2);
	struct sender s[2];
	pthread_t t[2];
	static unsigned char seen_ts[2 * THREAD_MSGS + 1];
	int next[2] = { 0, 0 };
	char want[THREAD_LEN];
	struct ordo_lclock_info li;
	int i, id, seq, rcvbuf = 4 << 20;
	struct node a, b;
	struct rcv r;

	pair_open(_metadata, &a, &b, &pa, &pb);
	/* root may force a large buffer; either way the reader runs along */
	if (setsockopt(b.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(b.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(seen_ts, 0, sizeof(seen_ts));
	for (i = 0; i < 2; i++) {
		s[i].n = &a;
		s[i].id = i;
		s[i].err = 0;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, sender_main, &s[i]));
	}
	for (i = 0; i < 2 * THREAD_MSGS; i++) {
		ASSERT_EQ(THREAD_LEN, lrecv(&b, &r, 0));
		ASSERT_NE(NULL, r.cm);
		memcpy(&id, r.buf, sizeof(id));
		memcpy(&seq, r.buf + sizeof(id), sizeof(seq));
		ASSERT_TRUE(id == 0 || id == 1);
		/* each thread's datagrams in its order, intact */
		ASSERT_EQ(next[id], seq);
		next[id]++;
		fill(want, id, seq);
		ASSERT_EQ(0, memcmp(want, r.buf, THREAD_LEN));
		/* every timestamp 1..800 exactly once */
		ASSERT_LE(1ULL, r.cm->ts);
		ASSERT_GE((uint64_t)2 * THREAD_MSGS, r.cm->ts);
		ASSERT_EQ(0, seen_ts[r.cm->ts]);
		seen_ts[r.cm->ts] = 1;
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, s[i].err);
	}
	ASSERT_EQ(0, ordo_ldom_get(a.d, &li));
	EXPECT_EQ((uint64_t)2 * THREAD_MSGS, li.stamped);
	EXPECT_EQ((uint64_t)2 * THREAD_MSGS, li.value);
	ASSERT_EQ(0, ordo_ldom_get(b.d, &li));
	EXPECT_EQ((uint64_t)2 * THREAD_MSGS, li.received);
	EXPECT_EQ(0ULL, drops_total(&li));
	node_close(&a);
	node_close(&b);
}

TEST_HARNESS_MAIN
