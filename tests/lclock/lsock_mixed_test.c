// SPDX-License-Identifier: GPL-2.0
/*
 * A mixed cluster: a kernel-stamped node (ordo.ko, ORDO_LDOM_KERNEL) in
 * namespace lmns0 and a userspace-stamped node (libordo,
 * ORDO_LDOM_USER) in lmns1, joined by a veth pair. Ping-pongs in both
 * directions for Lamport, vector and HLC with the exact clock values on
 * both sides, both control messages compared byte for byte with the one
 * the rules give, the drop counters of both validators at 0, and the
 * same counters (names, order) from both implementations. Runs in the
 * test VM as root with ordo.ko loaded (or ORDO_KO set).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "libordo.h"
#include "../lifecycle/nl_raw.h"
#include "../kselftest_harness.h"

#define DOM	100
#define GROUP	7
#define PORT	5078
#define ADDR_K	0x0a4e0001	/* 10.78.0.1, lmns0: the kernel node */
#define ADDR_U	0x0a4e0002	/* 10.78.0.2, lmns1: the userspace node */
#define CM_MAX	(sizeof(struct ordo_lclock_cmsg) + 16 * ORDO_VC_MAX)

static void netns_cleanup(void)
{
	if (system("ip netns del lmns0 2>/dev/null; ip netns del lmns1 2>/dev/null"))
		return;	/* nothing to clean */
}

static int netns_setup(void)
{
	netns_cleanup();
	return system("ip netns add lmns0 && ip netns add lmns1 && "
		      "ip link add lmv0 type veth peer name lmv1 && "
		      "ip link set lmv0 netns lmns0 && ip link set lmv1 netns lmns1 && "
		      "ip -n lmns0 addr add 10.78.0.1/24 dev lmv0 && "
		      "ip -n lmns1 addr add 10.78.0.2/24 dev lmv1 && "
		      "ip -n lmns0 link set lmv0 up && ip -n lmns1 link set lmv1 up && "
		      "ip -n lmns0 link set lo up && ip -n lmns1 link set lo up") ?
		-1 : 0;
}

/* Enter namespace @name (NULL: the one saved in @self). 0 or -errno. */
static int enter(const char *name, int self)
{
	char path[64];
	int fd, err = 0;

	if (!name)
		return setns(self, CLONE_NEWNET) ? -errno : 0;
	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err;
}

/* A node: its domain and one attached socket, bound to @addr:PORT. */
struct node {
	struct ordo_ldom *d;
	int fd;
	struct sockaddr_in peer;
};

static int udp_bound(uint32_t addr)
{
	struct sockaddr_in me = {
		.sin_family = AF_INET, .sin_port = htons(PORT),
		.sin_addr.s_addr = htonl(addr),
	};
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Open @n in namespace @ns: the kernel node creates its domain there
 * (ORDO_LDOM_KERNEL | ORDO_LDOM_F_CREATE, the netlink socket and the
 * UDP socket belong to lmns0 from then on); the userspace node keeps
 * its clock in this process.
 */
static void node_open(struct __test_metadata *_metadata, int self,
		      struct node *n, const char *ns, unsigned int mode,
		      const struct ordo_lclock_params *p, uint32_t addr,
		      uint32_t peer)
{
	ASSERT_EQ(0, enter(ns, self));
	ASSERT_EQ(0, ordo_ldom_open(&n->d, p, mode));
	n->fd = udp_bound(addr);
	ASSERT_EQ(0, enter(NULL, self));
	ASSERT_EQ((int)(mode & ORDO_LDOM_F_USER ? ORDO_LDOM_USER :
			 ORDO_LDOM_KERNEL), (int)ordo_ldom_mode(n->d));
	ASSERT_LE(0, n->fd);
	ASSERT_EQ(0, ordo_ldom_attach(n->d, n->fd, 0));
	memset(&n->peer, 0, sizeof(n->peer));
	n->peer.sin_family = AF_INET;
	n->peer.sin_port = htons(PORT);
	n->peer.sin_addr.s_addr = htonl(peer);
}

static void node_close(struct node *n)
{
	if (n->fd >= 0) {
		ordo_ldom_detach(n->d, n->fd);
		close(n->fd);
	}
	ordo_ldom_close(n->d);
	n->fd = -1;
	n->d = NULL;
}

static ssize_t node_send(struct node *n, const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = {
		.msg_name = &n->peer, .msg_namelen = sizeof(n->peer),
		.msg_iov = &iov, .msg_iovlen = 1,
	};

	return ordo_lsendmsg(n->d, n->fd, &m, 0);
}

/* One datagram received through the API, with its SOL_ORDO cmsg. */
struct got {
	ssize_t n;
	char data[65536];
	union {
		char ctl[4096];
		struct cmsghdr align;
	};
	size_t cm_len;			/* cmsg_len of the SOL_ORDO cmsg */
	union {
		struct ordo_lclock_cmsg cm;
		char cm_buf[CM_MAX];
	};
	int cms;			/* SOL_ORDO cmsgs seen */
	int api_ok;			/* ordo_lclock_cmsg() found the same */
	struct sockaddr_in from;
};

static ssize_t node_recv(struct node *n, struct got *g)
{
	struct iovec iov = { .iov_base = g->data, .iov_len = sizeof(g->data) };
	struct msghdr m = {
		.msg_name = &g->from, .msg_namelen = sizeof(g->from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = g->ctl, .msg_controllen = sizeof(g->ctl),
	};
	const struct ordo_lclock_cmsg *api;
	struct cmsghdr *c;

	memset(g->cm_buf, 0, sizeof(g->cm_buf));
	g->cm_len = 0;
	g->cms = 0;
	g->api_ok = 0;
	g->n = ordo_lrecvmsg(n->d, n->fd, &m, 0);
	if (g->n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_ORDO ||
		    c->cmsg_type != ORDO_CMSG_TIMESTAMP)
			continue;
		g->cms++;
		g->cm_len = c->cmsg_len;
		if (c->cmsg_len - CMSG_LEN(0) <= sizeof(g->cm_buf))
			memcpy(g->cm_buf, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
		api = ordo_lclock_cmsg(&m);
		g->api_ok = api == (const void *)CMSG_DATA(c);
	}
	return g->n;
}

/* The control message the rules give, in the layout of ordo_lclock.h. */
struct want {
	uint32_t kind, node, flags, local_node;
	uint64_t ts, local;
	uint32_t ts_c, local_c;
	uint16_t vc_n, vc_index;
	uint64_t vc[2 * ORDO_VC_MAX];
};

static size_t want_bytes(const struct want *w, char *buf)
{
	struct ordo_lclock_cmsg *cm = (struct ordo_lclock_cmsg *)buf;
	size_t len = sizeof(*cm) + 16 * w->vc_n;

	memset(buf, 0, CM_MAX);
	cm->kind = w->kind;
	cm->domain = DOM;
	cm->node = w->node;
	cm->flags = w->flags;
	cm->ts = w->ts;
	cm->ts_c = w->ts_c;
	cm->vc_n = w->vc_n;
	cm->vc_index = w->vc_index;
	cm->local = w->local;
	cm->local_c = w->local_c;
	cm->local_node = w->local_node;
	memcpy(cm->vc, w->vc, 16 * w->vc_n);
	return len;
}

/* @to receives @payload from @from; its cmsg must be exactly @w. */
static void hop(struct __test_metadata *_metadata, struct node *from,
		struct node *to, const char *payload, const struct want *w,
		struct got *g)
{
	size_t pl = strlen(payload), len;
	char exp[CM_MAX] __attribute__((aligned(8)));

	ASSERT_EQ((ssize_t)pl, node_send(from, payload, pl));
	ASSERT_EQ((ssize_t)pl, node_recv(to, g));
	EXPECT_EQ(0, memcmp(g->data, payload, pl));
	/* msg_name: the sender, as for plain UDP */
	EXPECT_EQ(to->peer.sin_addr.s_addr, g->from.sin_addr.s_addr);
	ASSERT_EQ(1, g->cms);
	EXPECT_EQ(1, g->api_ok);
	len = want_bytes(w, exp);
	ASSERT_EQ(CMSG_LEN(len), g->cm_len);
	EXPECT_EQ(0, memcmp(exp, g->cm_buf, len)) {
		TH_LOG("cmsg: kind %u node %u flags %u ts %llu/%u local %llu/%u local_node %u",
		       g->cm.kind, g->cm.node, g->cm.flags,
		       (unsigned long long)g->cm.ts, g->cm.ts_c,
		       (unsigned long long)g->cm.local, g->cm.local_c,
		       g->cm.local_node);
	}
}

/*
 * Both validators accepted everything: @k received @k_rx and stamped
 * @k_tx datagrams, @u likewise; both report the same drop counters.
 */
static void no_drops(struct __test_metadata *_metadata, struct node *k,
		     struct node *u, uint64_t k_rx, uint64_t k_tx,
		     uint64_t u_rx, uint64_t u_tx)
{
	static struct ordo_lclock_info lk, lu;
	unsigned int i;

	ASSERT_EQ(0, ordo_ldom_get(k->d, &lk));
	ASSERT_EQ(0, ordo_ldom_get(u->d, &lu));
	EXPECT_EQ(k_rx, lk.received);
	EXPECT_EQ(u_rx, lu.received);
	EXPECT_EQ(k_tx, lk.stamped);
	EXPECT_EQ(u_tx, lu.stamped);
	EXPECT_EQ(1U, lk.sockets);
	EXPECT_EQ(1U, lu.sockets);
	EXPECT_EQ(0ULL, lk.future + lu.future + lk.unstamped + lu.unstamped);
	ASSERT_LT(0U, lk.n_drops);
	ASSERT_EQ(lk.n_drops, lu.n_drops);
	for (i = 0; i < lk.n_drops; i++) {
		EXPECT_STREQ(lk.drops[i].name, lu.drops[i].name);
		EXPECT_EQ(0ULL, lk.drops[i].value) {
			TH_LOG("kernel drop %s", lk.drops[i].name);
		}
		EXPECT_EQ(0ULL, lu.drops[i].value) {
			TH_LOG("userspace drop %s", lu.drops[i].name);
		}
	}
}

static struct ordo_lclock_params params(uint32_t kind, uint32_t node,
					uint32_t n, uint32_t index)
{
	struct ordo_lclock_params p = {
		.domain = DOM, .kind = kind, .vc_n = n, .vc_index = index,
		.has_node = 1, .node = node, .has_group = 1, .group = GROUP,
	};

	return p;
}

static int64_t ordo_wall(void)
{
	struct ordo_now now;

	return ordo_clock_now(&now) ? -1 : now.wall;
}

FIXTURE(mix) {
	int self;
	struct node k, u;
	struct got g;
};

FIXTURE_SETUP(mix)
{
	self->k.fd = self->u.fd = -1;
	self->k.d = self->u.d = NULL;
	ASSERT_EQ(0, ordo_load());
	self->self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->self);
	ASSERT_EQ(0, netns_setup());
}

FIXTURE_TEARDOWN(mix)
{
	node_close(&self->k);
	node_close(&self->u);
	netns_cleanup();
	close(self->self);
}

static void open_pair(struct __test_metadata *_metadata,
		      FIXTURE_DATA(mix) *self,
		      const struct ordo_lclock_params *pk,
		      const struct ordo_lclock_params *pu)
{
	node_open(_metadata, self->self, &self->k, "lmns0",
		  ORDO_LDOM_F_KERNEL | ORDO_LDOM_F_CREATE, pk, ADDR_K, ADDR_U);
	node_open(_metadata, self->self, &self->u, "lmns1", ORDO_LDOM_F_USER,
		  pu, ADDR_U, ADDR_K);
}

TEST_F(mix, lamport)
{
	struct ordo_lclock_params pk = params(ORDO_WIRE_KIND_LAMPORT, 1, 0, 0);
	struct ordo_lclock_params pu = params(ORDO_WIRE_KIND_LAMPORT, 2, 0, 0);
	struct ordo_lclock_info li;
	struct want w = { .kind = ORDO_WIRE_KIND_LAMPORT };
	int i;

	open_pair(_metadata, self, &pk, &pu);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ordo_ldom_tick(self->k.d, NULL));
	}
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, ordo_ldom_tick(self->u.d, NULL));
	}

	/* kernel (c = 2) sends ts = 3; userspace at 5: max(3, 5) + 1 */
	w.node = 1;
	w.local_node = 2;
	w.ts = 3;
	w.local = 6;
	hop(_metadata, &self->k, &self->u, "k->u", &w, &self->g);
	/* userspace sends 7; kernel at 3: 8 */
	w.node = 2;
	w.local_node = 1;
	w.ts = 7;
	w.local = 8;
	hop(_metadata, &self->u, &self->k, "u->k", &w, &self->g);
	/* userspace again: 8 against the kernel's 8: 9 */
	w.ts = 8;
	w.local = 9;
	hop(_metadata, &self->u, &self->k, "u->k 2", &w, &self->g);
	/* kernel: 10 against the userspace's 8: 11 */
	w.node = 1;
	w.local_node = 2;
	w.ts = 10;
	w.local = 11;
	hop(_metadata, &self->k, &self->u, "k->u 2", &w, &self->g);

	ASSERT_EQ(0, ordo_ldom_get(self->k.d, &li));
	EXPECT_EQ(10ULL, li.value);
	EXPECT_EQ(GROUP, li.group);
	EXPECT_EQ(2ULL, li.ticks);
	ASSERT_EQ(0, ordo_ldom_get(self->u.d, &li));
	EXPECT_EQ(11ULL, li.value);
	EXPECT_EQ(GROUP, li.group);
	EXPECT_EQ(5ULL, li.ticks);
	no_drops(_metadata, &self->k, &self->u, 2, 2, 2, 2);
}

TEST_F(mix, vector)
{
	struct ordo_lclock_params pk = params(ORDO_WIRE_KIND_VECTOR, 10, 2, 0);
	struct ordo_lclock_params pu = params(ORDO_WIRE_KIND_VECTOR, 11, 2, 1);
	struct want w = { .kind = ORDO_WIRE_KIND_VECTOR, .vc_n = 2 };
	struct ordo_lclock_info lk, lu;

	open_pair(_metadata, self, &pk, &pu);
	/* kernel [1,0], userspace [0,2] */
	ASSERT_EQ(0, ordo_ldom_tick(self->k.d, NULL));
	ASSERT_EQ(0, ordo_ldom_tick(self->u.d, NULL));
	ASSERT_EQ(0, ordo_ldom_tick(self->u.d, NULL));

	/* kernel sends [2,0]; userspace: max([0,2],[2,0]) + e1 = [2,3] */
	w.node = 10;
	w.local_node = 11;
	w.vc_index = 0;
	w.vc[0] = 2, w.vc[1] = 0, w.vc[2] = 2, w.vc[3] = 3;
	hop(_metadata, &self->k, &self->u, "k->u", &w, &self->g);
	/* userspace sends [2,4]; kernel: max([2,0],[2,4]) + e0 = [3,4] */
	w.node = 11;
	w.local_node = 10;
	w.vc_index = 1;
	w.vc[0] = 2, w.vc[1] = 4, w.vc[2] = 3, w.vc[3] = 4;
	hop(_metadata, &self->u, &self->k, "u->k", &w, &self->g);
	/* kernel sends [4,4]; userspace: max([2,4],[4,4]) + e1 = [4,5] */
	w.node = 10;
	w.local_node = 11;
	w.vc_index = 0;
	w.vc[0] = 4, w.vc[1] = 4, w.vc[2] = 4, w.vc[3] = 5;
	hop(_metadata, &self->k, &self->u, "k->u 2", &w, &self->g);
	/* userspace sends [4,6]; kernel: [5,6] */
	w.node = 11;
	w.local_node = 10;
	w.vc_index = 1;
	w.vc[0] = 4, w.vc[1] = 6, w.vc[2] = 5, w.vc[3] = 6;
	hop(_metadata, &self->u, &self->k, "u->k 2", &w, &self->g);

	ASSERT_EQ(0, ordo_ldom_get(self->k.d, &lk));
	ASSERT_EQ(0, ordo_ldom_get(self->u.d, &lu));
	EXPECT_EQ(2U, lk.vc_n);
	EXPECT_EQ(2U, lu.vc_n);
	EXPECT_EQ(0U, lk.vc_index);
	EXPECT_EQ(1U, lu.vc_index);
	EXPECT_EQ(5ULL, lk.vc[0]);
	EXPECT_EQ(6ULL, lk.vc[1]);
	EXPECT_EQ(4ULL, lu.vc[0]);
	EXPECT_EQ(6ULL, lu.vc[1]);
	no_drops(_metadata, &self->k, &self->u, 2, 2, 2, 2);
}

TEST_F(mix, hlc)
{
	struct ordo_lclock_params pk = params(ORDO_WIRE_KIND_HLC, 1, 0, 0);
	struct ordo_lclock_params pu = params(ORDO_WIRE_KIND_HLC, 2, 0, 0);
	struct want w = { .kind = ORDO_WIRE_KIND_HLC };
	struct ordo_wire_info seed = {
		.kind = ORDO_WIRE_KIND_HLC, .node_id = 9, .domain = GROUP,
		.hlc_c = 5,
	};
	struct sockaddr_in to = {
		.sin_family = AF_INET, .sin_port = htons(PORT),
		.sin_addr.s_addr = htonl(ADDR_K),
	};
	struct ordo_lclock_info li;
	__u8 buf[64];
	int64_t t0, t1;
	uint64_t L;
	int fd, hl;

	open_pair(_metadata, self, &pk, &pu);

	/* Both take the physical time from ordo's wall clock. */
	t0 = ordo_wall();
	ASSERT_LT(0, t0);
	ASSERT_EQ(0, ordo_ldom_tick(self->k.d, &li));
	ASSERT_EQ(0, ordo_ldom_tick(self->u.d, &li));
	t1 = ordo_wall();
	EXPECT_LE((uint64_t)t0, li.value);
	EXPECT_GE((uint64_t)t1, li.value);
	EXPECT_EQ(0U, li.hlc_c);
	ASSERT_EQ(0, ordo_ldom_get(self->k.d, &li));
	EXPECT_LE((uint64_t)t0, li.value);
	EXPECT_GE((uint64_t)t1, li.value);

	/*
	 * A plain datagram from lmns1 puts the kernel node 1000 s ahead,
	 * at (L, 6): from then on l = L on both sides and only c moves.
	 */
	L = (uint64_t)t1 + 1000000000000ULL;
	seed.ts = L;
	hl = ordo_wire_encode(buf, sizeof(buf), &seed, NULL);
	ASSERT_EQ(32, hl);
	memcpy(buf + hl, "seed", 4);
	ASSERT_EQ(0, enter("lmns1", self->self));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, enter(NULL, self->self));
	ASSERT_LE(0, fd);
	ASSERT_EQ(hl + 4, sendto(fd, buf, hl + 4, 0, (struct sockaddr *)&to,
				 sizeof(to)));
	close(fd);
	ASSERT_EQ(4, node_recv(&self->k, &self->g));
	ASSERT_EQ(1, self->g.cms);
	EXPECT_EQ(L, self->g.cm.local);
	EXPECT_EQ(6U, self->g.cm.local_c);

	/* kernel sends (L, 7); userspace (l < L): l = l_m, c = 8 */
	w.node = 1;
	w.local_node = 2;
	w.ts = L;
	w.ts_c = 7;
	w.local = L;
	w.local_c = 8;
	hop(_metadata, &self->k, &self->u, "k->u", &w, &self->g);
	/* userspace sends (L, 9); kernel at (L, 7): max(7, 9) + 1 */
	w.node = 2;
	w.local_node = 1;
	w.ts_c = 9;
	w.local_c = 10;
	hop(_metadata, &self->u, &self->k, "u->k", &w, &self->g);
	/* kernel sends (L, 11); userspace at (L, 9): 12 */
	w.node = 1;
	w.local_node = 2;
	w.ts_c = 11;
	w.local_c = 12;
	hop(_metadata, &self->k, &self->u, "k->u 2", &w, &self->g);
	/* userspace sends (L, 13); kernel at (L, 11): 14 */
	w.node = 2;
	w.local_node = 1;
	w.ts_c = 13;
	w.local_c = 14;
	hop(_metadata, &self->u, &self->k, "u->k 2", &w, &self->g);

	ASSERT_EQ(0, ordo_ldom_get(self->k.d, &li));
	EXPECT_EQ(L, li.value);
	EXPECT_EQ(14U, li.hlc_c);
	ASSERT_EQ(0, ordo_ldom_get(self->u.d, &li));
	EXPECT_EQ(L, li.value);
	EXPECT_EQ(13U, li.hlc_c);
	/* the kernel also received the seed */
	no_drops(_metadata, &self->k, &self->u, 3, 2, 2, 2);
}

/*
 * The kernel's validator accepts every datagram libordo builds: all
 * three kinds (vector sizes 1 and 64), payloads from 0 bytes to one
 * that veth fragments; and libordo accepts the kernel's.
 */
TEST_F(mix, validators_accept_each_other)
{
	static const size_t sizes[] = { 0, 1, 1400, 1500, 20000 };
	static const struct {
		uint32_t kind, n;
	} kinds[] = {
		{ ORDO_WIRE_KIND_LAMPORT, 0 }, { ORDO_WIRE_KIND_HLC, 0 },
		{ ORDO_WIRE_KIND_VECTOR, 1 }, { ORDO_WIRE_KIND_VECTOR, 64 },
	};
	static char payload[20000];
	struct ordo_lclock_params pk, pu;
	unsigned int i, j;
	int sent;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (char)(i * 7 + 3);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		pk = params(kinds[i].kind, 1, kinds[i].n, 0);
		pu = params(kinds[i].kind, 2, kinds[i].n,
			    kinds[i].n > 1 ? kinds[i].n - 1 : 0);
		open_pair(_metadata, self, &pk, &pu);
		for (j = 0, sent = 0; j < ARRAY_SIZE(sizes); j++, sent++) {
			ASSERT_EQ((ssize_t)sizes[j],
				  node_send(&self->u, payload, sizes[j]));
			ASSERT_EQ((ssize_t)sizes[j],
				  node_recv(&self->k, &self->g));
			EXPECT_EQ(0, memcmp(self->g.data, payload, sizes[j]));
			EXPECT_EQ(1, self->g.cms);
			ASSERT_EQ((ssize_t)sizes[j],
				  node_send(&self->k, payload, sizes[j]));
			ASSERT_EQ((ssize_t)sizes[j],
				  node_recv(&self->u, &self->g));
			EXPECT_EQ(0, memcmp(self->g.data, payload, sizes[j]));
			EXPECT_EQ(1, self->g.cms);
		}
		no_drops(_metadata, &self->k, &self->u, sent, sent, sent, sent);
		node_close(&self->k);
		node_close(&self->u);
		/* the next kind gets a fresh kernel domain */
		ASSERT_EQ(0, netns_setup());
	}
}

TEST_HARNESS_MAIN
