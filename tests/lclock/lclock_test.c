// SPDX-License-Identifier: GPL-2.0
/*
 * Logical time on sockets: domains over netlink, opt-in of UDP sockets
 * through /dev/ordo_lclock, Lamport/vector/HLC stamping by the kernel,
 * the SOL_ORDO control message, UDP semantics kept, garbage dropped and
 * counted, refused options, unload refused while a socket is attached.
 * Runs in the test VM as root with ordo.ko loaded and ORDO_KO set.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>
#include <net/if.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "../lifecycle/nl_raw.h"
#include "../kselftest_harness.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_CORK
#define UDP_CORK 1
#endif

#define KIND_L	ORDO_WIRE_KIND_LAMPORT
#define KIND_V	ORDO_WIRE_KIND_VECTOR
#define KIND_H	ORDO_WIRE_KIND_HLC

/* ------------------------------------------------------------ netlink */

/* Every domain of these tests is in group GROUP unless told otherwise. */
#define GROUP	7

struct dom_args {
	uint32_t id, kind, node, n, index;
	uint64_t max_jump;
	bool refuse, no_node;
	uint32_t group;		/* 0: GROUP */
};

static int dom_add_r(const struct dom_args *a, struct raw_result *r)
{
	struct raw_msg m;
	int fam = raw_family_id();
	uint32_t group;

	if (fam < 0)
		return fam;
	raw_init(&m, fam, NLM_F_REQUEST | NLM_F_ACK,
		 ORDO_CMD_LCLOCK_DOMAIN_ADD, 1);
	raw_put_attr(&m, ORDO_A_LCLOCK_DOMAIN, &a->id, 4);
	raw_put_attr(&m, ORDO_A_LCLOCK_KIND, &a->kind, 4);
	group = a->group ? a->group : GROUP;
	raw_put_attr(&m, ORDO_A_LCLOCK_GROUP, &group, 4);
	if (!a->no_node)
		raw_put_attr(&m, ORDO_A_LCLOCK_NODE, &a->node, 4);
	if (a->kind == KIND_V) {
		raw_put_attr(&m, ORDO_A_LCLOCK_VC_N, &a->n, 4);
		raw_put_attr(&m, ORDO_A_LCLOCK_VC_INDEX, &a->index, 4);
	}
	if (a->max_jump)
		raw_put_attr(&m, ORDO_A_LCLOCK_MAX_JUMP, &a->max_jump, 8);
	if (a->refuse)
		raw_put_attr(&m, ORDO_A_LCLOCK_REFUSE, NULL, 0);
	return raw_request(&m, r);
}

/* 0 or the negative errno of the request */
static int dom_add(uint32_t id, uint32_t kind, uint32_t node, uint32_t n,
		   uint32_t index)
{
	struct dom_args a = { id, kind, node, n, index, 0, false, false, 0 };
	struct raw_result r;
	int err = dom_add_r(&a, &r);

	return err ? err : r.error;
}

static int dom_cmd(uint8_t cmd, uint32_t id)
{
	struct raw_result r;
	struct raw_msg m;
	int fam = raw_family_id(), err;

	if (fam < 0)
		return fam;
	raw_init(&m, fam, NLM_F_REQUEST | NLM_F_ACK, cmd, 2);
	raw_put_attr(&m, ORDO_A_LCLOCK_DOMAIN, &id, 4);
	err = raw_request(&m, &r);
	return err ? err : r.error;
}

static int dom_del(uint32_t id)
{
	return dom_cmd(ORDO_CMD_LCLOCK_DOMAIN_DEL, id);
}

static void dom_del_all(void)
{
	uint32_t id;

	for (id = 100; id < 120; id++)
		dom_del(id);
}

/* ------------------------------------------------------------ sysfs */

static int sys_read(uint32_t id, const char *file, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/ordo/lclock/%u/%s", id, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static uint64_t sys_u64(uint32_t id, const char *file)
{
	char buf[256];

	if (sys_read(id, file, buf, sizeof(buf)))
		return UINT64_MAX;
	return strtoull(buf, NULL, 10);
}

static uint64_t sys_drops(uint32_t id, const char *reason)
{
	char buf[1024], *p;
	size_t rl = strlen(reason);

	if (sys_read(id, "dropped", buf, sizeof(buf)))
		return UINT64_MAX;
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n"))
		if (!strncmp(p, reason, rl) && p[rl] == ' ')
			return strtoull(p + rl + 1, NULL, 10);
	return UINT64_MAX;
}

/* ------------------------------------------------------------ sockets */

static int attach(int fd, uint32_t dom, uint32_t flags)
{
	struct ordo_lclock_attach a = { .fd = fd, .domain = dom, .flags = flags };
	int dev = open(ORDO_LCLOCK_DEV, O_RDWR | O_CLOEXEC), ret;

	if (dev < 0)
		return -errno;
	ret = ioctl(dev, ORDO_IOC_ATTACH, &a) ? -errno : 0;
	close(dev);
	return ret;
}

static int detach(int fd)
{
	struct ordo_lclock_attach a = { .fd = fd };
	int dev = open(ORDO_LCLOCK_DEV, O_RDWR | O_CLOEXEC), ret;

	if (dev < 0)
		return -errno;
	ret = ioctl(dev, ORDO_IOC_DETACH, &a) ? -errno : 0;
	close(dev);
	return ret;
}

/* A UDP socket bound to loopback, port chosen by the kernel. */
static int udp_sock(int family)
{
	struct sockaddr_storage ss = { .ss_family = family };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(family, SOCK_DGRAM, IPPROTO_UDP);

	if (fd < 0)
		return -1;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
			htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&ss, family == AF_INET ?
		 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_to(int fd, int to, const void *buf, size_t len, int flags)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(to, (struct sockaddr *)&ss, &sl))
		return -errno;
	return sendto(fd, buf, len, flags, (struct sockaddr *)&ss, sl) < 0 ?
		-errno : 0;
}

/* @len bytes of @buf cut into @nseg nearly equal iovec segments */
static void split_iov(struct iovec *iov, const void *buf, size_t len,
		      int nseg)
{
	int i;

	for (i = 0; i < nseg; i++) {
		iov[i].iov_base = (char *)buf + len * i / nseg;
		iov[i].iov_len = len * (i + 1) / nseg - len * i / nseg;
	}
}

/* send_to() from @nseg iovec segments of @buf */
static int send_to_segs(int fd, int to, const void *buf, size_t len,
			int nseg, int flags)
{
	struct sockaddr_storage ss;
	struct iovec iov[16];
	struct msghdr mh = {
		.msg_name = &ss, .msg_namelen = sizeof(ss),
		.msg_iov = iov, .msg_iovlen = nseg,
	};

	if (nseg > 16)
		return -EINVAL;
	if (getsockname(to, (struct sockaddr *)&ss, &mh.msg_namelen))
		return -errno;
	split_iov(iov, buf, len, nseg);
	return sendmsg(fd, &mh, flags) < 0 ? -errno : 0;
}

struct rx {
	ssize_t n;
	int msg_flags;
	bool has_cm;
	bool has_pktinfo;
	union {
		struct ordo_lclock_cmsg cm;
		char cm_buf[sizeof(struct ordo_lclock_cmsg) + 16 * ORDO_VC_MAX];
	};
	char data[4096];
};

static ssize_t recv_one(int fd, struct rx *r, size_t len, int flags)
{
	char ctl[2048];
	struct iovec iov = { r->data, len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;

	memset(r, 0, sizeof(*r));
	r->n = recvmsg(fd, &mh, flags);
	if (r->n < 0)
		return -errno;
	r->msg_flags = mh.msg_flags;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_ORDO &&
		    c->cmsg_type == ORDO_CMSG_TIMESTAMP) {
			r->has_cm = true;
			memcpy(r->cm_buf, CMSG_DATA(c),
			       c->cmsg_len - CMSG_LEN(0));
		}
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			r->has_pktinfo = true;
	}
	return r->n;
}

/* ------------------------------------------------------------ tests */

FIXTURE(lc) {
	struct rx r;
};

FIXTURE_SETUP(lc)
{
	ASSERT_EQ(0, ordo_load());
	dom_del_all();
}

FIXTURE_TEARDOWN(lc)
{
	dom_del_all();
}

/* Lamport between two domains, IPv4 then IPv6, with the cmsg. */
TEST_F(lc, lamport_v4_v6)
{
	int fam[2] = { AF_INET, AF_INET6 }, i;

	for (i = 0; i < 2; i++) {
		int a, b;

		ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
		ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
		a = udp_sock(fam[i]);
		b = udp_sock(fam[i]);
		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		ASSERT_EQ(0, attach(a, 101, 0));
		ASSERT_EQ(0, attach(b, 102, 0));
		EXPECT_EQ(-EALREADY, attach(b, 102, 0));
		EXPECT_EQ(1, sys_u64(102, "sockets"));

		ASSERT_EQ(0, send_to(a, b, "hello", 5, 0));
		ASSERT_EQ(5, recv_one(b, &self->r, sizeof(self->r.data), 0));
		EXPECT_EQ(0, memcmp(self->r.data, "hello", 5));
		ASSERT_TRUE(self->r.has_cm);
		EXPECT_EQ(KIND_L, self->r.cm.kind);
		EXPECT_EQ(102, self->r.cm.domain);
		EXPECT_EQ(1, self->r.cm.node);
		EXPECT_EQ(2, self->r.cm.local_node);
		EXPECT_EQ(1, self->r.cm.ts);	/* a: 0 -> 1 */
		EXPECT_EQ(2, self->r.cm.local);	/* max(1, 0) + 1 */
		EXPECT_EQ(0, self->r.cm.flags);

		ASSERT_EQ(0, send_to(b, a, "pong!", 5, 0));
		ASSERT_EQ(5, recv_one(a, &self->r, sizeof(self->r.data), 0));
		EXPECT_EQ(3, self->r.cm.ts);
		EXPECT_EQ(4, self->r.cm.local);
		EXPECT_EQ(4, sys_u64(101, "value"));
		EXPECT_EQ(3, sys_u64(102, "value"));
		EXPECT_EQ(1, sys_u64(101, "stamped"));
		EXPECT_EQ(1, sys_u64(101, "received"));

		/* a local event, then detach: plain UDP again */
		EXPECT_EQ(0, dom_cmd(ORDO_CMD_LCLOCK_TICK, 101));
		EXPECT_EQ(5, sys_u64(101, "value"));
		EXPECT_EQ(-EBUSY, dom_del(101));
		EXPECT_EQ(0, detach(a));
		EXPECT_EQ(-ENOENT, detach(a));
		ASSERT_EQ(0, send_to(a, b, "plain", 5, 0));
		/* b drops what has no header */
		EXPECT_EQ(-EAGAIN, recv_one(b, &self->r, 64, MSG_DONTWAIT));
		EXPECT_EQ(1, sys_drops(102, "short"));
		close(a);
		close(b);
		EXPECT_EQ(0, dom_del(101));
		EXPECT_EQ(0, dom_del(102));
	}
}

TEST_F(lc, unprivileged_optin)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, dom_add(103, KIND_L, 3, 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a, b;
		struct rx r;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		a = udp_sock(AF_INET);
		b = udp_sock(AF_INET6);
		if (a < 0 || b < 0)
			_exit(11);
		if (attach(a, 103, 0) || attach(b, 103, 0))
			_exit(12);
		if (dom_add(104, KIND_L, 0, 0, 0) != -EPERM)
			_exit(13);
		if (dom_del(103) != -EPERM)
			_exit(14);
		/* GET and TICK are for anyone */
		if (dom_cmd(ORDO_CMD_LCLOCK_GET, 103) ||
		    dom_cmd(ORDO_CMD_LCLOCK_TICK, 103))
			_exit(15);
		close(b);
		b = udp_sock(AF_INET);
		if (attach(b, 103, 0))
			_exit(16);
		if (send_to(a, b, "x", 1, 0))
			_exit(17);
		if (recv_one(b, &r, sizeof(r.data), 0) != 1 || !r.has_cm)
			_exit(18);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* the child's sockets are closed: nothing attached */
	EXPECT_EQ(0, sys_u64(103, "sockets"));
}

TEST_F(lc, netlink_errors)
{
	struct dom_args a = { .id = 105, .kind = KIND_V, .n = 65, .index = 0 };
	struct raw_result r;

	ASSERT_EQ(0, dom_add(105, KIND_L, 0, 0, 0));
	EXPECT_EQ(-EEXIST, dom_add(105, KIND_H, 0, 0, 0));
	a.id = 106;
	ASSERT_EQ(0, dom_add_r(&a, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_TRUE(r.has_msg);
	EXPECT_TRUE(r.has_offs);
	a.n = 4;
	a.index = 4;
	ASSERT_EQ(0, dom_add_r(&a, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_TRUE(r.has_msg);
	a.kind = 7;
	ASSERT_EQ(0, dom_add_r(&a, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_EQ(-ENOENT, dom_del(106));
	EXPECT_EQ(-ENOENT, dom_cmd(ORDO_CMD_LCLOCK_GET, 106));
	EXPECT_EQ(-ENOENT, attach(udp_sock(AF_INET), 106, 0));
	/* not a UDP socket */
	EXPECT_EQ(-EPROTONOSUPPORT,
		  attach(socket(AF_INET, SOCK_STREAM, 0), 105, 0));
	EXPECT_EQ(-EPROTONOSUPPORT,
		  attach(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE), 105, 0));
	EXPECT_EQ(-EPROTONOSUPPORT, attach(socket(AF_UNIX, SOCK_DGRAM, 0),
					   105, 0));
	EXPECT_EQ(-EINVAL, attach(udp_sock(AF_INET), 105, 0x80));
	EXPECT_EQ(0, dom_del(105));
}

/* A causal chain around 4 nodes: Lamport strictly increases. */
TEST_F(lc, chain4_lamport)
{
	int s[4], i, round;
	uint64_t last = 0;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dom_add(110 + i, KIND_L, i, 0, 0));
		s[i] = udp_sock(AF_INET6);
		ASSERT_LE(0, s[i]);
		ASSERT_EQ(0, attach(s[i], 110 + i, 0));
	}
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 4; i++) {
			ASSERT_EQ(0, send_to(s[i], s[(i + 1) % 4], "c", 1, 0));
			ASSERT_EQ(1, recv_one(s[(i + 1) % 4], &self->r, 16, 0));
			ASSERT_TRUE(self->r.has_cm);
			EXPECT_GT(self->r.cm.ts, last);
			EXPECT_GT(self->r.cm.local, self->r.cm.ts);
			last = self->r.cm.local;
		}
	}
	EXPECT_EQ(40, last);	/* each hop: +1 send, +1 receive */
	for (i = 0; i < 4; i++)
		close(s[i]);
}

static int vc_cmp(const __u64 *a, const __u64 *b, unsigned int n)
{
	bool le = true, ge = true;
	unsigned int k;

	for (k = 0; k < n; k++) {
		if (a[k] > b[k])
			le = false;
		if (a[k] < b[k])
			ge = false;
	}
	if (le && ge)
		return 0;
	if (le)
		return -1;	/* before */
	if (ge)
		return 1;
	return 2;		/* concurrent */
}

/* The same chain with vector clocks: each hop compares "before". */
TEST_F(lc, chain4_vector)
{
	__u64 prev[4] = { 0 };
	int s[4], i, round;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dom_add(110 + i, KIND_V, i, 4, i));
		s[i] = udp_sock(AF_INET);
		ASSERT_LE(0, s[i]);
		ASSERT_EQ(0, attach(s[i], 110 + i, 0));
	}
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			ASSERT_EQ(0, send_to(s[i], s[(i + 1) % 4], "v", 1, 0));
			ASSERT_EQ(1, recv_one(s[(i + 1) % 4], &self->r, 16, 0));
			ASSERT_TRUE(self->r.has_cm);
			ASSERT_EQ(4, self->r.cm.vc_n);
			EXPECT_EQ(i, self->r.cm.vc_index);
			EXPECT_EQ(-1, vc_cmp(prev, self->r.cm.vc, 4));
			EXPECT_EQ(-1, vc_cmp(self->r.cm.vc,
					     self->r.cm.vc + 4, 4));
			memcpy(prev, self->r.cm.vc + 4, sizeof(prev));
		}
	}
	for (i = 0; i < 4; i++)
		close(s[i]);
}

static void vc_read(uint32_t id, __u64 *v, unsigned int n)
{
	char buf[512], *p = buf;
	unsigned int k;

	memset(v, 0xff, n * sizeof(*v));
	if (sys_read(id, "value", buf, sizeof(buf)))
		return;
	for (k = 0; k < n; k++)
		v[k] = strtoull(p, &p, 10);
}

/* A scripted 3-process exchange: exact vectors and verdicts. */
TEST_F(lc, vector_3party)
{
	__u64 v[3], m1[3], m2[3];
	int s[3], i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, dom_add(100 + i, KIND_V, 10 + i, 3, i));
		s[i] = udp_sock(AF_INET);
		ASSERT_LE(0, s[i]);
		ASSERT_EQ(0, attach(s[i], 100 + i, 0));
	}
	/* P0: local event a = [1,0,0]; send b = [2,0,0] to P1 */
	ASSERT_EQ(0, dom_cmd(ORDO_CMD_LCLOCK_TICK, 100));
	ASSERT_EQ(0, send_to(s[0], s[1], "m1", 2, 0));
	/* P2: local event e = [0,0,1], concurrent with a and b */
	ASSERT_EQ(0, dom_cmd(ORDO_CMD_LCLOCK_TICK, 102));
	vc_read(102, v, 3);
	EXPECT_EQ(0, v[0]);
	EXPECT_EQ(0, v[1]);
	EXPECT_EQ(1, v[2]);
	/* P1 receives m1: c = [2,1,0] */
	ASSERT_EQ(2, recv_one(s[1], &self->r, 16, 0));
	memcpy(m1, self->r.cm.vc, sizeof(m1));
	EXPECT_EQ(2, m1[0]);
	EXPECT_EQ(0, m1[1]);
	EXPECT_EQ(0, m1[2]);
	EXPECT_EQ(2, self->r.cm.vc[3]);
	EXPECT_EQ(1, self->r.cm.vc[4]);
	EXPECT_EQ(0, self->r.cm.vc[5]);
	EXPECT_EQ(2, vc_cmp(m1, v, 3));		/* b || e */
	/* P1 sends m2 = [2,2,0] to P2 */
	ASSERT_EQ(0, send_to(s[1], s[2], "m2", 2, 0));
	ASSERT_EQ(2, recv_one(s[2], &self->r, 16, 0));
	memcpy(m2, self->r.cm.vc, sizeof(m2));
	EXPECT_EQ(2, m2[0]);
	EXPECT_EQ(2, m2[1]);
	EXPECT_EQ(0, m2[2]);
	EXPECT_EQ(-1, vc_cmp(m1, m2, 3));	/* b -> d */
	/* P2 after: max([0,0,1],[2,2,0]) + e2 = [2,2,2] */
	vc_read(102, v, 3);
	EXPECT_EQ(2, v[0]);
	EXPECT_EQ(2, v[1]);
	EXPECT_EQ(2, v[2]);
	/* P2 sends m3 = [2,2,3] to P0, which was at [2,0,0]: [3,2,3] */
	ASSERT_EQ(0, send_to(s[2], s[0], "m3", 2, 0));
	ASSERT_EQ(2, recv_one(s[0], &self->r, 16, 0));
	EXPECT_EQ(3, self->r.cm.vc[3]);
	EXPECT_EQ(2, self->r.cm.vc[4]);
	EXPECT_EQ(3, self->r.cm.vc[5]);
	for (i = 0; i < 3; i++)
		close(s[i]);
}

TEST_F(lc, peek_merges_once)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET);

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 102, 0));
	ASSERT_EQ(0, dom_cmd(ORDO_CMD_LCLOCK_TICK, 101));
	ASSERT_EQ(0, send_to(a, b, "peek", 4, 0));	/* ts 2 */
	ASSERT_EQ(4, recv_one(b, &self->r, 64, MSG_PEEK));
	EXPECT_EQ(ORDO_CMSG_F_PEEK, self->r.cm.flags);
	EXPECT_EQ(2, self->r.cm.ts);
	EXPECT_EQ(3, self->r.cm.local);
	EXPECT_EQ(0, sys_u64(102, "value"));
	ASSERT_EQ(4, recv_one(b, &self->r, 64, MSG_PEEK));
	EXPECT_EQ(3, self->r.cm.local);
	ASSERT_EQ(4, recv_one(b, &self->r, 64, 0));
	EXPECT_EQ(0, self->r.cm.flags);
	EXPECT_EQ(3, self->r.cm.local);
	EXPECT_EQ(3, sys_u64(102, "value"));
	EXPECT_EQ(1, sys_u64(102, "received"));
	EXPECT_EQ(-EAGAIN, recv_one(b, &self->r, 64, MSG_DONTWAIT));
	close(a);
	close(b);
}

TEST_F(lc, trunc_pktinfo_poll)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET), one = 1;
	char payload[100];
	struct pollfd p;

	memset(payload, 'z', sizeof(payload));
	ASSERT_EQ(0, dom_add(101, KIND_H, 1, 0, 0));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 101, 0));
	ASSERT_EQ(0, setsockopt(b, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)));
	p.fd = b;
	p.events = POLLIN;
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, send_to(a, b, payload, sizeof(payload), 0));
	EXPECT_EQ(1, poll(&p, 1, 1000));
	/* MSG_TRUNC: the real payload length, and the flag */
	ASSERT_EQ(100, recv_one(b, &self->r, 10, MSG_TRUNC));
	EXPECT_TRUE(self->r.msg_flags & MSG_TRUNC);
	EXPECT_EQ(0, memcmp(self->r.data, payload, 10));
	EXPECT_TRUE(self->r.has_cm);
	EXPECT_TRUE(self->r.has_pktinfo);
	EXPECT_EQ(KIND_H, self->r.cm.kind);
	EXPECT_GT(self->r.cm.ts, 1500000000ULL * 1000000000ULL);
	EXPECT_TRUE(self->r.cm.local > self->r.cm.ts ||
		    (self->r.cm.local == self->r.cm.ts &&
		     self->r.cm.local_c > self->r.cm.ts_c));
	/* without MSG_TRUNC: the bytes copied */
	ASSERT_EQ(0, send_to(a, b, payload, sizeof(payload), 0));
	ASSERT_EQ(10, recv_one(b, &self->r, 10, 0));
	EXPECT_TRUE(self->r.msg_flags & MSG_TRUNC);
	close(a);
	close(b);
}

TEST_F(lc, mmsg)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET), i;
	struct sockaddr_in to;
	socklen_t tl = sizeof(to);
	struct mmsghdr mm[3];
	struct iovec iov[3];
	char bufs[3][16], ctl[3][256];
	struct cmsghdr *c;

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 102, 0));
	ASSERT_EQ(0, getsockname(b, (struct sockaddr *)&to, &tl));
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 3; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "msg%d", i);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = 4;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &to;
		mm[i].msg_hdr.msg_namelen = tl;
	}
	ASSERT_EQ(3, sendmmsg(a, mm, 3, 0));
	memset(mm, 0, sizeof(mm));
	memset(bufs, 0, sizeof(bufs));
	for (i = 0; i < 3; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = ctl[i];
		mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
	}
	ASSERT_EQ(3, recvmmsg(b, mm, 3, 0, NULL));
	for (i = 0; i < 3; i++) {
		struct ordo_lclock_cmsg cm;

		EXPECT_EQ(4, mm[i].msg_len);
		c = CMSG_FIRSTHDR(&mm[i].msg_hdr);
		ASSERT_NE(NULL, c);
		ASSERT_EQ(SOL_ORDO, c->cmsg_level);
		memcpy(&cm, CMSG_DATA(c), sizeof(cm));
		EXPECT_EQ(i + 1, cm.ts);
	}
	EXPECT_EQ(0, memcmp(bufs[2], "msg2", 4));
	close(a);
	close(b);
}

/* Build a Lamport header by hand. */
static size_t mk_hdr(uint8_t *p, uint32_t kind, uint32_t dom, uint64_t ts,
		     uint16_t n)
{
	struct ordo_wire_info in = {
		.kind = kind, .node_id = 77, .domain = dom, .ts = ts,
		.vc_n = n, .vc_index = 0,
	};
	__u64 vc[ORDO_VC_MAX] = { 5, 5, 5, 5, 5 };

	return ordo_wire_encode(p, 1024, &in, vc);
}

TEST_F(lc, garbage_dropped)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET);
	int plain = udp_sock(AF_INET), v = udp_sock(AF_INET), i;
	uint8_t buf[1024];
	__u64 vv[3];
	size_t hl;

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, dom_add(103, KIND_V, 3, 3, 1));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 102, 0));
	ASSERT_EQ(0, attach(v, 103, 0));

	srand(42);
	for (i = 0; i < 20; i++) {
		size_t len = 1 + rand() % 200, k;

		for (k = 0; k < len; k++)
			buf[k] = rand();
		ASSERT_EQ(0, send_to(plain, b, buf, len, 0));
	}
	ASSERT_EQ(0, send_to(plain, b, "ORD", 3, 0));		/* short */
	hl = mk_hdr(buf, KIND_L, GROUP, 1000, 0);
	ASSERT_EQ(32, hl);
	ASSERT_EQ(0, send_to(plain, b, buf, 20, 0));		/* trunc */
	buf[4] = 9;
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));		/* version */
	buf[4] = 1;
	buf[6] = 0xff;
	buf[7] = 0xf8;
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));		/* hdr_large */
	hl = mk_hdr(buf, KIND_L, 999, 1000, 0);
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));		/* domain */
	hl = mk_hdr(buf, KIND_H, GROUP, 1000, 0);
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));		/* kind */
	hl = mk_hdr(buf, KIND_L, GROUP, 1000, 0);
	buf[9] = 1;		/* VC32 on a Lamport header */
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));		/* flags */
	/* a vector domain of 3, a 5-entry vector: 32-bit entries */
	hl = mk_hdr(buf, KIND_V, GROUP, 0, 5);
	ASSERT_EQ(48, hl);
	ASSERT_EQ(0, send_to(plain, v, buf, hl, 0));		/* vc_size */
	buf[6] = 0;
	buf[7] = 64;		/* the 64-bit size of n = 5, VC32 still set */
	ASSERT_EQ(0, send_to(plain, v, buf, 64, 0));		/* hdr_len */
	ASSERT_EQ(0, send_to(plain, v, buf, 2, 0));
	hl = mk_hdr(buf, KIND_V, GROUP, 0, 3);
	ASSERT_EQ(40, hl);
	buf[39] = 1;		/* the pad after 3 entries */
	ASSERT_EQ(0, send_to(plain, v, buf, hl, 0));		/* reserved */

	ASSERT_EQ(0, send_to(a, b, "ok", 2, 0));
	ASSERT_EQ(2, recv_one(b, &self->r, 64, MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(self->r.data, "ok", 2));
	EXPECT_EQ(1, self->r.cm.ts);
	EXPECT_EQ(2, self->r.cm.local);	/* garbage did not move it */
	EXPECT_EQ(2, sys_u64(102, "value"));
	EXPECT_EQ(-EAGAIN, recv_one(b, &self->r, 64, MSG_DONTWAIT));
	EXPECT_EQ(-EAGAIN, recv_one(v, &self->r, 64, MSG_DONTWAIT));
	EXPECT_EQ(1, sys_drops(102, "trunc"));
	EXPECT_EQ(1, sys_drops(102, "version"));
	EXPECT_EQ(1, sys_drops(102, "hdr_large"));
	EXPECT_EQ(1, sys_drops(102, "domain"));
	EXPECT_EQ(1, sys_drops(102, "kind_mismatch"));
	EXPECT_EQ(1, sys_drops(102, "flags"));
	EXPECT_LE(21, sys_drops(102, "short") + sys_drops(102, "magic"));
	EXPECT_EQ(1, sys_drops(103, "vc_size"));
	EXPECT_EQ(1, sys_drops(103, "hdr_len"));
	EXPECT_EQ(1, sys_drops(103, "short"));
	EXPECT_EQ(1, sys_drops(103, "reserved"));
	vc_read(103, vv, 3);
	EXPECT_EQ(0, vv[0] + vv[1] + vv[2]);
	close(a);
	close(b);
	close(v);
	close(plain);
}

/*
 * The kernel's vector header on the wire: 32-bit entries (VC32) while
 * every entry fits, 64-bit ones once one is above U32_MAX; the payload
 * limit counts the 64-bit header (65535 - (24 + 8n)).
 */
TEST_F(lc, vector_header_on_the_wire)
{
	static const uint8_t want32[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x02, 0x00, 0x28,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, GROUP, 0x00, 0x03, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		'h', 'e', 'y',
	};
	static const uint8_t want64[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x02, 0x00, 0x30,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, GROUP, 0x00, 0x03, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		'h', 'o', '!',
	};
	struct ordo_wire_info in = {
		.kind = KIND_V, .node_id = 4, .domain = GROUP, .vc_n = 3,
		.vc_index = 1,
	};
	__u64 vc[3] = { 0, 0x100000000ULL, 0 };
	int a = udp_sock(AF_INET), plain = udp_sock(AF_INET);
	size_t max = 65535 - ORDO_WIRE_VC_LEN(8);
	uint8_t buf[256];
	char *big;
	int hl;

	ASSERT_LE(0, a);
	ASSERT_LE(0, plain);
	ASSERT_EQ(0, dom_add(103, KIND_V, 3, 3, 0));
	ASSERT_EQ(0, attach(a, 103, 0));
	/* [1,0,0] in 32-bit entries, the pad of n = 3 zero */
	ASSERT_EQ(0, send_to(a, plain, "hey", 3, 0));
	ASSERT_EQ((ssize_t)sizeof(want32), recv(plain, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, want32, sizeof(want32)));
	/* receive [0, 2^32, 0] (64-bit entries): [2, 2^32, 0] */
	hl = ordo_wire_encode(buf, sizeof(buf), &in, vc);
	ASSERT_EQ(48, hl);
	ASSERT_EQ(0, send_to(plain, a, buf, hl, 0));
	ASSERT_EQ(0, recv_one(a, &self->r, 64, 0));
	ASSERT_TRUE(self->r.has_cm);
	EXPECT_EQ(0x100000000ULL, self->r.cm.vc[1]);
	EXPECT_EQ(2, self->r.cm.vc[3]);
	EXPECT_EQ(0x100000000ULL, self->r.cm.vc[4]);
	/* [3, 2^32, 0] does not fit: 64-bit entries, no VC32 */
	ASSERT_EQ(0, send_to(a, plain, "ho!", 3, 0));
	ASSERT_EQ((ssize_t)sizeof(want64), recv(plain, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, want64, sizeof(want64)));
	close(a);

	/* n = 8: a 56-byte header, the limit still 65535 - 88 */
	a = udp_sock(AF_INET);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, dom_add(104, KIND_V, 0, 8, 0));
	ASSERT_EQ(0, attach(a, 104, 0));
	big = calloc(1, max + 1);
	ASSERT_NE(NULL, big);
	EXPECT_EQ(-EMSGSIZE, send_to(a, plain, big, max + 1, 0));
	ASSERT_EQ(0, send_to(a, plain, big, max, 0));
	EXPECT_EQ((ssize_t)(ORDO_WIRE_VC32_LEN(8) + max),
		  recv(plain, buf, sizeof(buf), MSG_TRUNC));
	EXPECT_EQ(56, ordo_wire_validate(buf, ORDO_WIRE_VC32_LEN(8) + max));
	EXPECT_EQ(1, sys_u64(104, "stamped"));	/* EMSGSIZE: no send event */
	free(big);
	close(a);
	close(plain);
}

/* Sum of every drop reason of a domain. */
static uint64_t sys_drops_total(uint32_t id)
{
	char buf[1024], *p, *sp;
	uint64_t sum = 0;

	if (sys_read(id, "dropped", buf, sizeof(buf)))
		return UINT64_MAX;
	for (p = strtok_r(buf, "\n", &sp); p; p = strtok_r(NULL, "\n", &sp)) {
		char *v = strrchr(p, ' ');

		if (v)
			sum += strtoull(v + 1, NULL, 10);
	}
	return sum;
}

/*
 * A UDP datagram built by hand on a raw socket (the kernel adds the IP
 * header): @udp_len is the UDP length field (0: the true length),
 * checksum 0 (none, legal on IPv4).
 */
static int raw_udp(int raw, uint16_t sport, uint16_t dport, const void *data,
		   size_t len, uint16_t udp_len)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t pkt[2048];
	struct udphdr *u = (struct udphdr *)pkt;

	if (len > sizeof(pkt) - sizeof(*u))
		return -EMSGSIZE;
	u->source = htons(sport);
	u->dest = htons(dport);
	u->len = htons(udp_len ? udp_len : sizeof(*u) + len);
	u->check = 0;
	memcpy(pkt + sizeof(*u), data, len);
	return sendto(raw, pkt, sizeof(*u) + len, 0, (struct sockaddr *)&to,
		      sizeof(to)) < 0 ? -errno : 0;
}

static uint16_t sock_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &sl))
		return 0;
	return ntohs(sin.sin_port);
}

/*
 * Garbage from a raw socket: absurd UDP lengths never reach ordo; 400
 * mutated or truncated ordo headers are each either dropped and counted
 * or delivered, and the clock is exactly what the receive rule gives for
 * the delivered ones: dropped datagrams never moved it.
 */
TEST_F(lc, raw_socket_fuzz)
{
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	int b = udp_sock(AF_INET), i, delivered = 0, rcvbuf = 8 << 20;
	uint16_t port = sock_port(b);
	uint8_t good[64], buf[64];
	uint64_t c = 0, base_drops;
	size_t hl;

	ASSERT_LE(0, raw);
	ASSERT_LE(0, b);
	ASSERT_NE(0, port);
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, attach(b, 102, 0));
	/* all 401 queue up before the first read */
	ASSERT_EQ(0, setsockopt(b, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
				sizeof(rcvbuf)));
	hl = mk_hdr(good, KIND_L, GROUP, 1000, 0);
	ASSERT_EQ(32, hl);
	memcpy(good + hl, "payload!", 8);

	/* UDP length above the packet, below the UDP header: UDP drops */
	ASSERT_EQ(0, raw_udp(raw, 999, port, good, hl + 8, 60000));
	ASSERT_EQ(0, raw_udp(raw, 999, port, good, hl + 8, 4));
	/* a valid one through the raw path: delivered */
	ASSERT_EQ(0, raw_udp(raw, 999, port, good, hl + 8, 0));
	base_drops = sys_drops_total(102);
	EXPECT_EQ(0, base_drops);

	srand(4242);
	for (i = 0; i < 400; i++) {
		size_t len = hl + 8, k, flips = 1 + rand() % 3;

		memcpy(buf, good, len);
		for (k = 0; k < flips; k++)
			buf[rand() % len] ^= 1 + rand() % 255;
		if (!(rand() % 4))
			len = rand() % len;	/* truncated */
		ASSERT_EQ(0, raw_udp(raw, 999, port, buf, len, 0));
	}

	/* replay the Lamport receive rule over what was delivered */
	while (recv_one(b, &self->r, sizeof(self->r.data), MSG_DONTWAIT) >= 0) {
		ASSERT_TRUE(self->r.has_cm);
		c = (self->r.cm.ts > c ? self->r.cm.ts : c) + 1;
		EXPECT_EQ(c, self->r.cm.local);
		delivered++;
	}
	EXPECT_LE(1, delivered);
	EXPECT_EQ(delivered, sys_u64(102, "received"));
	EXPECT_EQ(401 - delivered, sys_drops_total(102));
	EXPECT_EQ(c, sys_u64(102, "value"));
	TH_LOG("%d of 401 delivered, %llu dropped by reason, clock %llu",
	       delivered, (unsigned long long)sys_drops_total(102),
	       (unsigned long long)c);
	close(raw);
	close(b);
}

TEST_F(lc, pass_unstamped)
{
	int b = udp_sock(AF_INET6), plain = udp_sock(AF_INET6);

	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, attach(b, 102, ORDO_ATTACH_F_PASS_UNSTAMPED));
	ASSERT_EQ(0, send_to(plain, b, "raw bytes", 9, 0));
	ASSERT_EQ(9, recv_one(b, &self->r, 64, MSG_PEEK));
	EXPECT_FALSE(self->r.has_cm);
	ASSERT_EQ(9, recv_one(b, &self->r, 64, 0));
	EXPECT_FALSE(self->r.has_cm);
	EXPECT_EQ(0, memcmp(self->r.data, "raw bytes", 9));
	EXPECT_EQ(1, sys_u64(102, "unstamped"));
	EXPECT_EQ(0, sys_u64(102, "value"));
	close(b);
	close(plain);
}

TEST_F(lc, peek_of_garbage)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET);
	int plain = udp_sock(AF_INET);

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 101, 0));
	ASSERT_EQ(0, send_to(plain, b, "junk", 4, 0));
	ASSERT_EQ(0, send_to(a, b, "good", 4, 0));
	ASSERT_EQ(4, recv_one(b, &self->r, 64, MSG_PEEK));
	EXPECT_EQ(0, memcmp(self->r.data, "good", 4));
	EXPECT_TRUE(self->r.has_cm);
	ASSERT_EQ(4, recv_one(b, &self->r, 64, 0));
	EXPECT_EQ(1, sys_drops(101, "short") + sys_drops(101, "magic"));
	close(a);
	close(b);
	close(plain);
}

TEST_F(lc, future_jump)
{
	struct dom_args d = { .id = 102, .kind = KIND_L, .node = 2,
			      .max_jump = 100 };
	int b = udp_sock(AF_INET), plain = udp_sock(AF_INET);
	struct raw_result r;
	uint8_t buf[64];
	size_t hl;

	ASSERT_EQ(0, dom_add_r(&d, &r));
	ASSERT_EQ(0, r.error);
	d.id = 103;
	d.refuse = true;
	ASSERT_EQ(0, dom_add_r(&d, &r));
	ASSERT_EQ(0, r.error);
	ASSERT_EQ(0, attach(b, 102, 0));
	hl = mk_hdr(buf, KIND_L, GROUP, 50, 0);
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));
	ASSERT_EQ(0, recv_one(b, &self->r, 64, 0));
	EXPECT_EQ(0, self->r.cm.flags);
	EXPECT_EQ(51, self->r.cm.local);
	hl = mk_hdr(buf, KIND_L, GROUP, 1000, 0);
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));
	ASSERT_EQ(0, recv_one(b, &self->r, 64, 0));
	EXPECT_EQ(ORDO_CMSG_F_FUTURE, self->r.cm.flags);
	EXPECT_EQ(1001, self->r.cm.local);
	EXPECT_EQ(1, sys_u64(102, "future"));
	close(b);
	/* refused: dropped, the clock unchanged */
	b = udp_sock(AF_INET);
	ASSERT_EQ(0, attach(b, 103, 0));
	hl = mk_hdr(buf, KIND_L, GROUP, 1000, 0);
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));
	EXPECT_EQ(-EAGAIN, recv_one(b, &self->r, 64, MSG_DONTWAIT));
	EXPECT_EQ(1, sys_drops(103, "future"));
	EXPECT_EQ(0, sys_u64(103, "value"));
	close(b);
	close(plain);
}

TEST_F(lc, refused_options)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET), one = 1, gso = 100;
	char cbuf[CMSG_SPACE(sizeof(uint16_t))] = { 0 };
	struct iovec iov = { "x", 1 };
	struct sockaddr_in to;
	socklen_t tl = sizeof(to);
	struct msghdr mh = {
		.msg_name = &to, .msg_namelen = sizeof(to),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = (struct cmsghdr *)cbuf;
	uint16_t seg = 100;

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	/* GSO set before the opt-in: refused */
	ASSERT_EQ(0, setsockopt(a, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso)));
	EXPECT_EQ(-EOPNOTSUPP, attach(a, 101, 0));
	close(a);
	a = udp_sock(AF_INET);
	ASSERT_EQ(0, attach(a, 101, 0));
	EXPECT_EQ(-1, setsockopt(a, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setsockopt(a, SOL_UDP, UDP_CORK, &one, sizeof(one)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, getsockname(b, (struct sockaddr *)&to, &tl));
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	EXPECT_EQ(-1, sendmsg(a, &mh, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-EOPNOTSUPP, send_to(a, b, "x", 1, MSG_MORE));
	EXPECT_EQ(0, sys_u64(101, "stamped"));
	/* other options still work */
	EXPECT_EQ(0, setsockopt(a, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)));
	close(a);
	close(b);
}

struct sender {
	int fd, to, id, count;
	int flags;		/* of send() */
	int eagain;		/* MSG_DONTWAIT sends that got EAGAIN */
	const int *stop;	/* if set: stop early once *stop != 0 */
	int sent;		/* datagrams sent (send() succeeded) */
};

static void *send_thread(void *arg)
{
	struct sender *s = arg;
	unsigned char buf[2700];
	int i;

	for (i = 0; i < s->count; i++) {
		size_t len = 16 + (i * 37) % 580 + (i % 2 ? 2048 : 0);

		int err;

		memset(buf, s->id * 16 + i % 16, len);
		memcpy(buf, &len, sizeof(len));
		/* over 2 KiB: pinned pages, or corked (9 segments) */
		while ((err = send_to_segs(s->fd, s->to, buf, len,
					   i % 3 ? 1 : 9, s->flags)) ==
		       -ENOBUFS || err == -EAGAIN)
			s->eagain += err == -EAGAIN;
		s->sent += err >= 0;
		if (s->stop && __atomic_load_n(s->stop, __ATOMIC_RELAXED))
			break;
	}
	return NULL;
}

/* Whether @r holds a send_thread() datagram whole: its length, its fill. */
static bool sender_dgram_whole(const struct rx *r)
{
	size_t len, k;

	if (r->n < (ssize_t)sizeof(len))
		return false;
	memcpy(&len, r->data, sizeof(len));
	if (len != (size_t)r->n)
		return false;
	for (k = sizeof(len); k < len; k++)
		if (r->data[k] != r->data[len - 1])
			return false;
	return true;
}

struct drained {
	int got, bad;		/* datagrams; not whole */
	int stamped, plain;	/* whole ones with and without our cmsg */
};

/* Read every datagram queued on @fd, send_thread()'s, and sort them. */
static struct drained drain_senders(int fd, struct rx *r)
{
	struct drained d = { 0 };

	while (recv_one(fd, r, sizeof(r->data), MSG_DONTWAIT) > 0) {
		d.got++;
		if (!sender_dgram_whole(r))
			d.bad++;
		else if (r->has_cm)
			d.stamped++;
		else
			d.plain++;
	}
	return d;
}

TEST_F(lc, two_threads_one_socket)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET), rcvbuf = 4 << 20;
	struct sender s[2] = { { .fd = a, .to = b, .id = 1, .count = 300 },
			       { .fd = a, .to = b, .id = 2, .count = 300 } };
	pthread_t t[2];
	int got = 0, bad = 0, i;
	uint64_t last = 0;

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 102, 0));
	setsockopt(b, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&t[i], NULL, send_thread, &s[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	while (recv_one(b, &self->r, sizeof(self->r.data), MSG_DONTWAIT) > 0) {
		if (!self->r.has_cm || !sender_dgram_whole(&self->r) ||
		    self->r.cm.local <= last)
			bad++;
		if (self->r.has_cm)
			last = self->r.cm.local;
		got++;
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, got);
	EXPECT_EQ(600, sys_u64(101, "stamped"));
	EXPECT_EQ(600, sys_u64(101, "value"));
	close(a);
	close(b);
}

/*
 * A blocking and a MSG_DONTWAIT sender on one IPv6 socket, and the
 * socket detached while they send: every datagram arrives, whole, stamped
 * (before the detach) or plain (after it, delivered unstamped).
 */
TEST_F(lc, threads_dontwait_detach)
{
	int a = udp_sock(AF_INET6), b = udp_sock(AF_INET6), rcvbuf = 8 << 20;
	struct sender s[2] = { { .fd = a, .to = b, .id = 1, .count = 400 },
			       { .fd = a, .to = b, .id = 2, .count = 400,
				 .flags = MSG_DONTWAIT } };
	struct drained dr;
	pthread_t t[2];
	int i;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 102, ORDO_ATTACH_F_PASS_UNSTAMPED));
	setsockopt(b, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&t[i], NULL, send_thread, &s[i]));
	}
	while (sys_u64(101, "stamped") < 200)
		usleep(1000);
	ASSERT_EQ(0, detach(a));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	dr = drain_senders(b, &self->r);
	EXPECT_EQ(0, dr.bad);
	EXPECT_EQ(800, dr.got);
	/* a send that failed (ENOBUFS, retried) after its stamp counts */
	EXPECT_LE(dr.stamped, sys_u64(101, "stamped"));
	EXPECT_LE(200, dr.stamped);
	EXPECT_EQ(dr.stamped, sys_u64(102, "received"));
	EXPECT_EQ(dr.plain, sys_u64(102, "unstamped"));
	TH_LOG("%d stamped, %d plain, %d EAGAIN retries", dr.stamped,
	       dr.plain, s[1].eagain);
	close(a);
	close(b);
}

/* rmmod is refused while a socket is attached, works after close. */
/*
 * The module's reference count once the sockets earlier tests closed or
 * detached have dropped theirs (in RCU callbacks): 0 unless someone else
 * holds the module.
 */
static long settled_refcnt(void)
{
	int i;

	for (i = 0; i < 100 && ordo_refcnt() > 0; i++)
		usleep(20000);
	return ordo_refcnt();
}

TEST_F(lc, unload_refused_while_attached)
{
	int a = udp_sock(AF_INET), err, i;
	long base;

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	base = settled_refcnt();
	ASSERT_EQ(0, attach(a, 101, 0));
	EXPECT_EQ(base + 1, ordo_refcnt());
	err = ordo_unload();
	EXPECT_TRUE(err == -EWOULDBLOCK || err == -EBUSY);
	ASSERT_TRUE(ordo_loaded());
	close(a);
	/* the reference goes in an RCU callback */
	for (i = 0; i < 100 && ordo_refcnt() != base; i++)
		usleep(20000);
	EXPECT_EQ(base, ordo_refcnt());
	if (base == 0) {
		EXPECT_EQ(0, ordo_unload());
		EXPECT_EQ(0, ordo_load());
	}
	ASSERT_TRUE(ordo_loaded());
}

/*
 * Detach and attach again, 100 times, while two threads send on the
 * socket (payloads below and above the copy limit, from one segment and
 * from nine: all three send paths).
 * An uncontended send holds no reference, only tx_lock: every datagram
 * must still arrive whole, stamped or plain, counted as such, and the
 * states must all be freed (the module's reference count settles).
 */
TEST_F(lc, attach_detach_churn)
{
	int a = udp_sock(AF_INET), b = udp_sock(AF_INET), rcvbuf = 64 << 20;
	struct drained dr;
	int stop = 0, i;
	struct sender s[2] = {
		{ .fd = a, .to = b, .id = 1, .count = 100000, .stop = &stop },
		{ .fd = a, .to = b, .id = 2, .count = 100000, .stop = &stop },
	};
	pthread_t t[2];
	long base;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	base = settled_refcnt();
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 102, ORDO_ATTACH_F_PASS_UNSTAMPED));
	setsockopt(b, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&t[i], NULL, send_thread, &s[i]));
	}
	for (i = 0; i < 100; i++) {
		EXPECT_EQ(0, detach(a));
		usleep(200);
		EXPECT_EQ(0, attach(a, 101, 0));
		usleep(200);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	dr = drain_senders(b, &self->r);
	EXPECT_EQ(0, dr.bad);
	EXPECT_EQ(s[0].sent + s[1].sent, dr.got);
	EXPECT_LT(0, dr.stamped);
	EXPECT_LE(dr.stamped, sys_u64(101, "stamped"));
	EXPECT_EQ(dr.stamped, sys_u64(102, "received"));
	EXPECT_EQ(dr.plain, sys_u64(102, "unstamped"));
	TH_LOG("%d sent, %d stamped, %d plain", dr.got, dr.stamped, dr.plain);
	close(a);
	close(b);
	EXPECT_EQ(0, sys_u64(101, "sockets"));
	EXPECT_EQ(base, settled_refcnt());
}

/* Connected sockets: send()/recv(), read()/write(). */
TEST_F(lc, connected)
{
	int a = udp_sock(AF_INET6), b = udp_sock(AF_INET6);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char buf[16];

	ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
	ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
	ASSERT_EQ(0, attach(a, 101, 0));
	ASSERT_EQ(0, attach(b, 102, 0));
	ASSERT_EQ(0, getsockname(b, (struct sockaddr *)&ss, &sl));
	ASSERT_EQ(0, connect(a, (struct sockaddr *)&ss, sl));
	sl = sizeof(ss);
	ASSERT_EQ(0, getsockname(a, (struct sockaddr *)&ss, &sl));
	ASSERT_EQ(0, connect(b, (struct sockaddr *)&ss, sl));
	ASSERT_EQ(3, send(a, "one", 3, 0));
	ASSERT_EQ(3, write(a, "two", 3));
	ASSERT_EQ(3, recv_one(b, &self->r, 16, 0));
	EXPECT_EQ(1, self->r.cm.ts);
	ASSERT_EQ(3, read(b, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "two", 3));
	EXPECT_EQ(3, sys_u64(102, "value"));	/* max(1, 0) + 1, max(2, 2) + 1 */
	close(a);
	close(b);
}

/* payload_paths sends from a mapping of this many pages */
#define PP_PAGES	18

/* The byte at @off of the pattern of datagram @seq. */
static unsigned char pat(unsigned int seq, size_t off)
{
	return (unsigned char)(seq * 131 + off * 7 + (off >> 8));
}

/*
 * One @len-byte datagram a -> b from @nseg iovec segments, with @ctl if
 * any; 0 when it came whole.
 */
static int seg_send(int a, int b, size_t len, int nseg, const void *ctl,
		     size_t ctllen)
{
	static uint8_t out[8192], in[8192];
	struct sockaddr_storage ss;
	struct iovec iov[16];
	struct msghdr mh = {
		.msg_name = &ss, .msg_namelen = sizeof(ss),
		.msg_iov = iov, .msg_iovlen = nseg,
		.msg_control = (void *)ctl, .msg_controllen = ctllen,
	};
	socklen_t sl = sizeof(ss);
	ssize_t n;
	size_t i;

	if (getsockname(b, (struct sockaddr *)&ss, &sl))
		return -errno;
	mh.msg_namelen = sl;
	for (i = 0; i < len; i++)
		out[i] = i * 7 + len;
	split_iov(iov, out, len, nseg);
	if (sendmsg(a, &mh, 0) != (ssize_t)len)
		return -errno;
	n = recv(b, in, sizeof(in), 0);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len && !memcmp(in, out, len) ? 0 : -EBADMSG;
}

/*
 * Send @nseg segments of @mem (PP_PAGES pages; offsets @off, lengths
 * @len) from @a to @b as one datagram and check that @b gets exactly
 * those bytes, stamped with the next Lamport value.
 */
static int send_segments(struct __test_metadata *_metadata, int a, int b,
			 unsigned char *mem, const size_t *off,
			 const size_t *len, int nseg, unsigned int seq,
			 uint64_t ts)
{
	static unsigned char got[65536], want[65536];
	struct sockaddr_storage ss;
	struct iovec iov[16], riov = { got, sizeof(got) };
	char ctl[512];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = nseg };
	struct msghdr rh = {
		.msg_iov = &riov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct ordo_lclock_cmsg cm = { 0 };
	struct cmsghdr *c;
	socklen_t sl = sizeof(ss);
	size_t total = 0, k;
	ssize_t n;
	int i;

	if (getsockname(b, (struct sockaddr *)&ss, &sl))
		return -errno;
	mh.msg_name = &ss;
	mh.msg_namelen = sl;
	for (i = 0; i < nseg; i++) {
		iov[i].iov_base = mem + off[i];
		iov[i].iov_len = len[i];
		for (k = 0; k < len[i]; k++)
			mem[off[i] + k] = pat(seq, total + k);
		memcpy(want + total, mem + off[i], len[i]);
		total += len[i];
	}
	n = sendmsg(a, &mh, 0);
	EXPECT_EQ((ssize_t)total, n) TH_LOG("seq %u: %s", seq, strerror(errno));
	memset(mem, 0, PP_PAGES * 4096);	/* the datagram is a copy */
	n = recvmsg(b, &rh, 0);
	EXPECT_EQ((ssize_t)total, n) TH_LOG("seq %u", seq);
	EXPECT_EQ(0, rh.msg_flags & MSG_TRUNC);
	for (c = CMSG_FIRSTHDR(&rh); c; c = CMSG_NXTHDR(&rh, c))
		if (c->cmsg_level == SOL_ORDO &&
		    c->cmsg_type == ORDO_CMSG_TIMESTAMP)
			memcpy(&cm, CMSG_DATA(c), sizeof(cm));
	EXPECT_EQ(ts, cm.ts) TH_LOG("seq %u", seq);
	if (n != (ssize_t)total)
		return -1;
	for (k = 0; k < total; k++)
		if (got[k] != want[k]) {
			TH_LOG("seq %u: byte %zu of %zu differs", seq, k, total);
			return -1;
		}
	return 0;
}

/*
 * Payload sizes and layouts across the send paths: copied behind the
 * header (up to 2 KiB, from any number of segments, every length of the
 * copy's tail), sent from the caller's pinned pages (larger, up to 8
 * segments, up to 17 pages), or appended to the corked header straight
 * from the caller's iterator (9 segments and more, and memory without
 * struct pages, /dev/mem, which cannot be pinned); from one or several
 * segments, zero length ones among them, straddling pages.
 * Every datagram arrives whole, byte for byte, stamped once, IPv4 and
 * IPv6. A payload running into an inaccessible page gets EFAULT.
 */
TEST_F(lc, payload_paths)
{
	static const struct {
		int nseg;
		size_t off[9], len[9];
	} cases[] = {
		{ 1, { 0 }, { 0 } },
		{ 1, { 100 }, { 1 } },
		{ 1, { 4093 }, { 2 } },
		{ 1, { 4091 }, { 7 } },
		{ 1, { 4090 }, { 31 } },
		{ 1, { 4 }, { 33 } },
		{ 1, { 4095 }, { 2048 } },		/* copied */
		{ 1, { 4095 }, { 2049 } },		/* pinned */
		{ 1, { 0 }, { 1400 } },
		{ 3, { 4095, 100, 8190 }, { 1, 37, 6 } },
		{ 9, { 1, 4000, 4100, 8100, 12200, 16300, 20400, 24500,
		       28600 },
		     { 13, 200, 0, 201, 202, 203, 204, 205, 206 } },
						/* 9 segments, copied */
		{ 1, { 0 }, { 4096 } },
		{ 1, { 1 }, { 4096 } },
		{ 1, { 0 }, { 16384 } },
		{ 1, { 4095 }, { 12290 } },
		{ 1, { 0 }, { 30000 } },
		{ 1, { 4095 }, { 65000 } },		/* 17 pages */
		{ 4, { 10, 4000, 9000, 20000 },
		     { 200, 0, 1000, 300 } },
		{ 4, { 4000, 8100, 12200, 16300 },
		     { 300, 300, 300, 300 } },		/* straddling, copied */
		{ 4, { 4000, 8100, 12200, 16300 },
		     { 700, 700, 700, 700 } },		/* straddling, pinned */
		{ 8, { 4000, 8100, 12200, 16300, 20400, 24500, 28600,
		       32700 },
		     { 300, 300, 300, 300, 300, 300, 300, 300 } },
		{ 8, { 4000, 8100, 12200, 16300, 20400, 24500, 28600,
		       32700 },
		     { 600, 600, 600, 600, 600, 600, 600, 600 } },
		{ 9, { 4000, 8100, 12200, 16300, 20400, 24500, 28600,
		       32700, 36800 },
		     { 600, 600, 600, 600, 600, 600, 600, 600, 600 } },
						/* 9 segments: corked */
	};
	unsigned char *mem = mmap(NULL, PP_PAGES * 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int seq = 0;
	int fam, fd;

	ASSERT_NE(MAP_FAILED, mem);
	for (fam = 0; fam < 2; fam++) {
		int f = fam ? AF_INET6 : AF_INET;
		int a = udp_sock(f), b = udp_sock(f);
		size_t i;

		dom_del_all();
		ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
		ASSERT_EQ(0, dom_add(102, KIND_L, 2, 0, 0));
		ASSERT_EQ(0, attach(a, 101, 0));
		ASSERT_EQ(0, attach(b, 102, 0));
		for (i = 0; i < ARRAY_SIZE(cases); i++)
			ASSERT_EQ(0, send_segments(_metadata, a, b, mem,
						   cases[i].off, cases[i].len,
						   cases[i].nseg, seq++, i + 1));
		EXPECT_EQ(ARRAY_SIZE(cases),
			  sys_u64(101, "stamped"));
		close(a);
		close(b);
	}
	munmap(mem, PP_PAGES * 4096);

	/* PFN-mapped memory (the BIOS area): no struct pages behind it */
	fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	mem = fd < 0 ? MAP_FAILED :
	      mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0xf0000);
	if (mem == MAP_FAILED) {
		TH_LOG("/dev/mem at 0xf0000: %s, PFN map case not run",
		       strerror(errno));
	} else {
		int a = udp_sock(AF_INET), b = udp_sock(AF_INET);
		static unsigned char got[4096];
		ssize_t n;

		dom_del_all();
		ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
		ASSERT_EQ(0, attach(a, 101, 0));
		ASSERT_EQ(0, attach(b, 101, 0));
		ASSERT_EQ(0, send_to(a, b, mem, 3000, 0));
		n = recv(b, got, sizeof(got), 0);
		EXPECT_EQ(3000, n);
		EXPECT_EQ(0, memcmp(got, mem, 3000));
		EXPECT_EQ(1, sys_u64(101, "stamped"));
		munmap(mem, 4096);
		close(a);
		close(b);
	}
	if (fd >= 0)
		close(fd);

	/*
	 * A payload that runs into an inaccessible page, on each path:
	 * 1000 B from one segment (copied: the copy faults half way), 3000 B
	 * from one (pinned: the pin fails half way) and from nine (corked):
	 * EFAULT, as plain UDP gives for the 1000 B, and nothing sent. (The
	 * clock has ticked for the send, as for any send that fails.)
	 */
	mem = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, 4096);
	ASSERT_EQ(0, mprotect(mem + 4096, 4096, PROT_NONE));
	for (fam = 0; fam < 2; fam++) {
		int f = fam ? AF_INET6 : AF_INET;
		int p = udp_sock(f), a = udp_sock(f), b = udp_sock(f);
		struct iovec iov[9];
		int i, k;

		dom_del_all();
		ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
		ASSERT_EQ(0, attach(a, 101, 0));
		ASSERT_EQ(0, attach(b, 101, 0));
		for (k = 0; k < 4; k++) {
			int s = k ? a : p, nseg = k == 3 ? 9 : 1;
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);
			struct msghdr mh = {
				.msg_name = &ss, .msg_iov = iov,
				.msg_iovlen = nseg,
			};

			ASSERT_EQ(0, getsockname(b, (struct sockaddr *)&ss,
						 &sl));
			mh.msg_namelen = sl;
			for (i = 0; i < nseg; i++) {
				iov[i].iov_base = mem + 4096 - 900 + 100 * i;
				iov[i].iov_len = i < nseg - 1 ? 100 :
						 k < 2 ? 1000 : 3000;
			}
			errno = 0;
			EXPECT_EQ(-1, sendmsg(s, &mh, 0)) TH_LOG("send %d", k);
			EXPECT_EQ(EFAULT, errno) TH_LOG("send %d", k);
		}
		/* nothing left behind in the cork: the next ones arrive */
		EXPECT_EQ(-1, recv(b, mem, 100, MSG_DONTWAIT));
		EXPECT_EQ(EAGAIN, errno);
		EXPECT_EQ(0, seg_send(a, b, 3000, 9, NULL, 0));
		EXPECT_EQ(0, seg_send(a, b, 3000, 1, NULL, 0));
		EXPECT_EQ(0, seg_send(a, b, 1000, 1, NULL, 0));
		close(p);
		close(a);
		close(b);
	}
	munmap(mem, 2 * 4096);
}

/* What a packet socket on lo saw of the first datagram to @dport. */
struct cap {
	bool csum_partial;	/* TP_STATUS_CSUMNOTREADY: device to sum */
	uint16_t check;		/* the UDP checksum field */
};

static int cap_open(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = if_nametoindex("lo"),
	};
	struct timeval tv = { .tv_sec = 2 };
	int on = 1, fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof(on)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 0, or -1 when nothing UDP left for @dport within the timeout */
static int cap_next(int fd, uint16_t dport, struct cap *c)
{
	static uint8_t pkt[65536];
	char ctl[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct iovec iov = { pkt, sizeof(pkt) };
	struct sockaddr_ll sll;
	struct msghdr mh = {
		.msg_name = &sll,
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct tpacket_auxdata aux;
	struct cmsghdr *cm;
	const uint8_t *u;
	ssize_t n;

	for (;;) {
		mh.msg_namelen = sizeof(sll);
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(fd, &mh, 0);
		if (n < 0)
			return -1;
		if (sll.sll_pkttype != PACKET_OUTGOING)
			continue;	/* lo shows each packet twice */
		memset(&aux, 0, sizeof(aux));
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_PACKET &&
			    cm->cmsg_type == PACKET_AUXDATA)
				memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
		memset(c, 0, sizeof(*c));
		u = NULL;
		if (n >= 28 && pkt[0] >> 4 == 4 && pkt[9] == IPPROTO_UDP &&
		    !(((pkt[6] << 8) | pkt[7]) & 0x1fff))	/* offset 0 */
			u = pkt + (pkt[0] & 15) * 4;
		else if (n >= 48 && pkt[0] >> 4 == 6 && pkt[6] == IPPROTO_UDP)
			u = pkt + 40;
		if (!u || u + 8 > pkt + n || ((u[2] << 8) | u[3]) != dport)
			continue;
		c->csum_partial = aux.tp_status & TP_STATUS_CSUMNOTREADY;
		c->check = (u[6] << 8) | u[7];
		return 0;
	}
}

/*
 * The checksum of a datagram @a sends to @b as a packet socket on lo
 * sees it: left to the device (@want_partial), or summed, zero when
 * @want_zero. @p, a plain socket with the same options, unless -1,
 * sends the same datagram first, which must show the same form.
 */
static void cap_pair(struct __test_metadata *_metadata, int cap, int p,
		     int a, int b, size_t len, int nseg, const void *ctl,
		     size_t ctllen, bool want_partial, bool want_zero)
{
	struct cap c;

	if (p >= 0) {
		ASSERT_EQ(0, seg_send(p, p, len, 1, ctl, ctllen));
		ASSERT_EQ(0, cap_next(cap, sock_port(p), &c));
		EXPECT_EQ(want_partial, c.csum_partial) TH_LOG("plain %zu", len);
	}
	ASSERT_EQ(0, seg_send(a, b, len, nseg, ctl, ctllen))
		TH_LOG("%zu B, %d segments", len, nseg);
	ASSERT_EQ(0, cap_next(cap, sock_port(b), &c));
	EXPECT_EQ(want_partial, c.csum_partial)
		TH_LOG("%zu B, %d segments", len, nseg);
	if (!c.csum_partial)
		EXPECT_EQ(want_zero, !c.check)
			TH_LOG("%zu B, %d segments", len, nseg);
}

/*
 * A large payload leaves as plain UDP's would. Copied behind the header
 * (up to 2 KiB, any number of segments) or, larger, from up to 8 iovec
 * segments in user memory sent from the caller's pinned pages, it goes
 * in one UDP send: the checksum takes the same form as a plain
 * datagram's, control messages (IP_TOS) or not; over the MTU (IPV6_MTU
 * 1280: built in fragments, which lo sends as one packet) UDP sums it in
 * software, and with SO_NO_CHECK it is zero on the wire. Over 2 KiB from
 * 9 segments the payload is appended to the corked header: its checksum
 * is left to the device where it fits the path, and summed in software
 * otherwise, also with control messages. Every one arrives whole,
 * stamped.
 */
TEST_F(lc, large_checksum)
{
	enum { BOTH, V4, V6 };
	enum { NONE, MTU, NO_CHECK };	/* set on a and p first, for good */
	static const struct {
		int fam, set;
		size_t len;
		int nseg;
		bool tos, plain, partial, zero;
	} sends[] = {
		{ BOTH, NONE, 1400, 1, false, true, true, false },
		{ BOTH, NONE, 1400, 9, false, false, true, false },
		{ BOTH, NONE, 3000, 1, false, true, true, false },
		{ BOTH, NONE, 3000, 8, false, false, true, false },
		{ BOTH, NONE, 3000, 9, false, false, true, false },
		{ V4, NONE, 1400, 1, true, true, true, false },
		{ V4, NONE, 3000, 1, true, true, true, false },
		{ V4, NONE, 3000, 8, true, false, true, false },
		{ V4, NONE, 3000, 9, true, false, false, false },
		{ V4, NO_CHECK, 1400, 1, false, true, false, true },
		{ V4, NO_CHECK, 3000, 1, false, true, false, true },
		{ V4, NO_CHECK, 3000, 9, false, false, false, true },
		{ V6, MTU, 2000, 1, false, true, false, false },
		{ V6, MTU, 4000, 1, false, true, false, false },
		{ V6, MTU, 4000, 9, false, false, false, false },
	};
	struct {
		struct cmsghdr h;
		int tos;
	} tos = { { CMSG_LEN(sizeof(int)), IPPROTO_IP, IP_TOS }, 0x10 };
	int cap = cap_open(), fam, one = 1, mtu = 1280;

	ASSERT_LE(0, cap) TH_LOG("packet socket: %s", strerror(errno));
	for (fam = V4; fam <= V6; fam++) {
		int f = fam == V6 ? AF_INET6 : AF_INET;
		int p = udp_sock(f), a = udp_sock(f), b = udp_sock(f), s;
		unsigned int sent = 0;
		size_t i;

		ASSERT_LE(0, p);
		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		dom_del_all();
		ASSERT_EQ(0, dom_add(101, KIND_L, 1, 0, 0));
		ASSERT_EQ(0, attach(a, 101, 0));
		ASSERT_EQ(0, attach(b, 101, 0));
		for (i = 0; i < ARRAY_SIZE(sends); i++) {
			if (sends[i].fam != BOTH && sends[i].fam != fam)
				continue;
			for (s = 0; s < 2; s++) {
				int fd = s ? p : a;

				if (sends[i].set == MTU)
					ASSERT_EQ(0, setsockopt(fd, IPPROTO_IPV6,
								IPV6_MTU, &mtu,
								sizeof(mtu)));
				if (sends[i].set == NO_CHECK)
					ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET,
								SO_NO_CHECK,
								&one,
								sizeof(one)));
			}
			cap_pair(_metadata, cap, sends[i].plain ? p : -1, a, b,
				 sends[i].len, sends[i].nseg,
				 sends[i].tos ? &tos : NULL,
				 sends[i].tos ? sizeof(tos) : 0,
				 sends[i].partial, sends[i].zero);
			sent++;
		}
		EXPECT_EQ(sent, sys_u64(101, "stamped"));
		close(p);
		close(a);
		close(b);
	}
	close(cap);
}

struct traffic {
	int a, b;
	volatile int stop;
	long sent, got;
};

static void *traffic_send(void *arg)
{
	struct traffic *t = arg;

	while (!t->stop)
		if (!send_to(t->a, t->b, "traffic", 7, MSG_DONTWAIT))
			t->sent++;
	return NULL;
}

static void *traffic_recv(void *arg)
{
	struct traffic *t = arg;
	char buf[64];

	while (!t->stop)
		if (recv(t->b, buf, sizeof(buf), MSG_DONTWAIT) == 7)
			t->got++;
	return NULL;
}

/* Unload attempts under traffic are refused; after close, unload works. */
TEST_F(lc, unload_under_traffic)
{
	struct traffic t = { .a = udp_sock(AF_INET), .b = udp_sock(AF_INET) };
	pthread_t ts, tr;
	int i, err;
	long base;

	ASSERT_EQ(0, dom_add(101, KIND_H, 1, 0, 0));
	base = settled_refcnt();
	ASSERT_EQ(0, attach(t.a, 101, 0));
	ASSERT_EQ(0, attach(t.b, 101, 0));
	ASSERT_EQ(0, pthread_create(&ts, NULL, traffic_send, &t));
	ASSERT_EQ(0, pthread_create(&tr, NULL, traffic_recv, &t));
	for (i = 0; i < 20; i++) {
		err = ordo_unload();
		EXPECT_TRUE(err == -EWOULDBLOCK || err == -EBUSY);
		usleep(10000);
	}
	/* detach one side under traffic: it is plain UDP again */
	EXPECT_EQ(0, detach(t.b));
	usleep(50000);
	t.stop = 1;
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	EXPECT_LT(0, t.sent);
	EXPECT_LT(0, t.got);
	close(t.a);
	close(t.b);
	for (i = 0; i < 100 && ordo_refcnt() != base; i++)
		usleep(20000);
	EXPECT_EQ(base, ordo_refcnt());
	if (base == 0) {
		EXPECT_EQ(0, ordo_unload());
		EXPECT_EQ(0, ordo_load());
	}
	ASSERT_TRUE(ordo_loaded());
}

/* ------------------------------------------------------------ namespaces */

#define NNS	4

static int netns_setup(void)
{
	char cmd[512];
	int i;

	if (system("ip link add lcbr type bridge && ip link set lcbr up"))
		return -1;
	for (i = 0; i < NNS; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip netns add lcns%d && "
			 "ip link add lcv%d type veth peer name eth0 netns lcns%d && "
			 "ip link set lcv%d master lcbr up && "
			 "ip -n lcns%d addr add 10.77.0.%d/24 dev eth0 && "
			 "ip -n lcns%d link set eth0 up && ip -n lcns%d link set lo up",
			 i, i, i, i, i, i + 1, i, i);
		if (system(cmd))
			return -1;
	}
	return 0;
}

static void netns_cleanup(void)
{
	char cmd[128];
	int i;

	for (i = 0; i < NNS; i++) {
		snprintf(cmd, sizeof(cmd), "ip netns del lcns%d 2>/dev/null", i);
		if (system(cmd))
			continue;
	}
	if (system("ip link del lcbr 2>/dev/null"))
		return;
}

static int chain_ready[2];	/* nodes 1.. write, node 0 reads */

struct hop {
	uint32_t hop;
	__u64 prev;		/* Lamport: the sender's c after its receive */
	__u64 prev_vc[NNS];	/* vector: the sender's vector then */
};

/*
 * Node @i in namespace lcns<i>: domain 100 of group GROUP, node id i;
 * receives hops from i-1 and passes them to i+1; node 0 starts. Every
 * received timestamp must follow (Lamport: exceed; vector: compare
 * "before") the state of the sender at its previous receive. Exit 0 on
 * success, 10+ on failures.
 */
static int chain_node(int i, uint32_t kind, int hops)
{
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(5077) };
	struct sockaddr_in next = me;
	char path[64];
	struct hop h = { 0 };
	struct rx r;
	int fd, nsfd, n;

	snprintf(path, sizeof(path), "/var/run/netns/lcns%d", i);
	nsfd = open(path, O_RDONLY);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET))
		return 10;
	dom_del(100);
	if (dom_add(100, kind, i, kind == KIND_V ? NNS : 0,
		    kind == KIND_V ? i : 0))
		return 11;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	me.sin_addr.s_addr = htonl(0x0a4d0001 + i);
	next.sin_addr.s_addr = htonl(0x0a4d0001 + (i + 1) % NNS);
	{
		struct timeval tv = { .tv_sec = 20 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)))
		return 12;
	if (attach(fd, 100, 0))
		return 13;
	/* node 0 starts once every other node's socket is attached */
	if (i != 0) {
		if (write(chain_ready[1], "r", 1) != 1)
			return 20;
	} else {
		char c;

		for (n = 0; n < NNS - 1; n++)
			if (read(chain_ready[0], &c, 1) != 1)
				return 21;
		h.hop = 1;
		if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&next,
			   sizeof(next)) != sizeof(h))
			return 14;
	}
	for (;;) {
		n = recv_one(fd, &r, sizeof(r.data), 0);
		if (n != sizeof(h) || !r.has_cm)
			return 15;
		memcpy(&h, r.data, sizeof(h));
		if (kind == KIND_L) {
			if (!(r.cm.ts > h.prev && r.cm.local > r.cm.ts))
				return 16;
			h.prev = r.cm.local;
		} else {
			if (vc_cmp(h.prev_vc, r.cm.vc, NNS) != -1 ||
			    vc_cmp(r.cm.vc, r.cm.vc + NNS, NNS) != -1)
				return 17;
			memcpy(h.prev_vc, r.cm.vc + NNS, sizeof(h.prev_vc));
		}
		if (h.hop >= (uint32_t)hops)
			break;
		h.hop++;
		if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&next,
			   sizeof(next)) != sizeof(h))
			return 18;
		if (h.hop + NNS - 1 > (uint32_t)hops)
			break;	/* our last forward */
	}
	close(fd);
	return dom_del(100) ? 19 : 0;
}

static void chain_netns(struct __test_metadata *_metadata, uint32_t kind)
{
	pid_t pid[NNS];
	int i, status, hops = 4 * NNS;

	netns_cleanup();
	ASSERT_EQ(0, netns_setup());
	ASSERT_EQ(0, pipe(chain_ready));
	for (i = 0; i < NNS; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(chain_node(i, kind, hops));
	}
	for (i = 0; i < NNS; i++) {
		waitpid(pid[i], &status, 0);
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("node %d", i);
	}
	close(chain_ready[0]);
	close(chain_ready[1]);
	netns_cleanup();
}

/* Causal chains across 4 namespaces joined by veth and a bridge. */
TEST_F(lc, netns_chain_lamport)
{
	chain_netns(_metadata, KIND_L);
}

TEST_F(lc, netns_chain_vector)
{
	chain_netns(_metadata, KIND_V);
}

/* ------------------------------------------------------------ events */

struct ntf {
	bool seen;
	uint32_t domain, peer;
	uint64_t ts, jump;
};

static int ntf_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ORDO_A_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct ntf *n = arg;

	if (g->cmd != ORDO_CMD_LCLOCK_NTF ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, ORDO_A_MAX, NULL) < 0)
		return NL_SKIP;
	n->seen = true;
	if (tb[ORDO_A_LCLOCK_DOMAIN])
		n->domain = nla_get_u32(tb[ORDO_A_LCLOCK_DOMAIN]);
	if (tb[ORDO_A_LCLOCK_PEER_NODE])
		n->peer = nla_get_u32(tb[ORDO_A_LCLOCK_PEER_NODE]);
	if (tb[ORDO_A_LCLOCK_TS])
		n->ts = nla_get_u64(tb[ORDO_A_LCLOCK_TS]);
	if (tb[ORDO_A_LCLOCK_JUMP])
		n->jump = nla_get_u64(tb[ORDO_A_LCLOCK_JUMP]);
	return NL_STOP;
}

/* A timestamp from the future goes out on the "lclock" group. */
TEST_F(lc, future_event_multicast)
{
	struct dom_args d = { .id = 102, .kind = KIND_L, .node = 2,
			      .max_jump = 10 };
	int b = udp_sock(AF_INET), plain = udp_sock(AF_INET), grp;
	struct nl_sock *nl = nl_socket_alloc();
	struct raw_result r;
	struct ntf n = { 0 };
	struct timeval tv = { .tv_sec = 5 };
	uint8_t buf[64];
	size_t hl;

	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, genl_connect(nl));
	setsockopt(nl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	grp = genl_ctrl_resolve_grp(nl, ORDO_GENL_NAME, ORDO_MCGRP_LCLOCK);
	ASSERT_LE(0, grp);
	nl_socket_disable_seq_check(nl);
	nl_socket_modify_cb(nl, NL_CB_VALID, NL_CB_CUSTOM, ntf_valid, &n);
	ASSERT_EQ(0, nl_socket_add_membership(nl, grp));
	ASSERT_EQ(0, dom_add_r(&d, &r));
	ASSERT_EQ(0, r.error);
	ASSERT_EQ(0, attach(b, 102, 0));
	hl = mk_hdr(buf, KIND_L, GROUP, 500, 0);
	ASSERT_EQ(0, send_to(plain, b, buf, hl, 0));
	ASSERT_EQ(0, recv_one(b, &self->r, 64, 0));
	EXPECT_EQ(ORDO_CMSG_F_FUTURE, self->r.cm.flags);
	ASSERT_LE(0, nl_recvmsgs_default(nl));
	EXPECT_TRUE(n.seen);
	EXPECT_EQ(102, n.domain);
	EXPECT_EQ(77, n.peer);
	EXPECT_EQ(500, n.ts);
	EXPECT_EQ(500, n.jump);
	nl_socket_free(nl);
	close(b);
	close(plain);
}

/* ------------------------------------------------------------ trace */

/*
 * `ordoctl [-j] lclock trace ARGS` with stdout on a pipe; returns once it
 * has said on stderr that the event is enabled. NULL on failure.
 */
static FILE *trace_start(const char *args, pid_t *pid)
{
	char cmd[256], line[256];
	int out[2], err[2];
	FILE *ferr, *fout;

	if (pipe(out) || pipe(err))
		return NULL;
	snprintf(cmd, sizeof(cmd), "exec ordoctl %s", args);
	*pid = fork();
	if (*pid < 0)
		return NULL;
	if (!*pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	ferr = fdopen(err[0], "r");
	fout = fdopen(out[0], "r");
	if (!ferr || !fout)
		return NULL;
	/* "ordoctl lclock trace: tracing ordo:ordo_lc_event" */
	while (fgets(line, sizeof(line), ferr))
		if (strstr(line, "tracing"))
			break;
	fclose(ferr);
	return fout;
}

/* The textbook exchange, traced: the exact ShiViz log. */
TEST_F(lc, trace_shiviz_3party)
{
	static const char *const want[] = {
		"g7.n0 {\"g7.n0\":1} tick",
		"g7.n0 {\"g7.n0\":2} send",
		"g7.n2 {\"g7.n2\":1} tick",
		"g7.n1 {\"g7.n0\":2,\"g7.n1\":1} recv from=g7.n0",
		"g7.n1 {\"g7.n0\":2,\"g7.n1\":2} send",
		"g7.n2 {\"g7.n0\":2,\"g7.n1\":2,\"g7.n2\":2} recv from=g7.n1",
		"g7.n2 {\"g7.n0\":2,\"g7.n1\":2,\"g7.n2\":3} send",
		"g7.n0 {\"g7.n0\":3,\"g7.n1\":2,\"g7.n2\":3} recv from=g7.n2",
	};
	char line[512], *p;
	int s[3], i, st;
	FILE *f;
	pid_t pid;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, dom_add(100 + i, KIND_V, 10 + i, 3, i));
		s[i] = udp_sock(AF_INET);
		ASSERT_LE(0, s[i]);
		ASSERT_EQ(0, attach(s[i], 100 + i, 0));
	}
	/* a Lamport domain of another group: filtered out */
	ASSERT_EQ(0, dom_add(110, KIND_L, 1, 0, 0));
	f = trace_start("lclock trace --group 7 --count 8 --duration 20", &pid);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, dom_cmd(ORDO_CMD_LCLOCK_TICK, 110));
	ASSERT_EQ(0, dom_cmd(ORDO_CMD_LCLOCK_TICK, 100));
	ASSERT_EQ(0, send_to(s[0], s[1], "m1", 2, 0));
	ASSERT_EQ(0, dom_cmd(ORDO_CMD_LCLOCK_TICK, 102));
	ASSERT_EQ(2, recv_one(s[1], &self->r, 16, 0));
	ASSERT_EQ(0, send_to(s[1], s[2], "m2", 2, 0));
	ASSERT_EQ(2, recv_one(s[2], &self->r, 16, 0));
	ASSERT_EQ(0, send_to(s[2], s[0], "m3", 2, 0));
	ASSERT_EQ(2, recv_one(s[0], &self->r, 16, 0));
	for (i = 0; i < 8; i++) {
		ASSERT_NE(NULL, fgets(line, sizeof(line), f));
		p = strstr(line, " domain=");
		ASSERT_NE(NULL, p);
		*p = 0;
		EXPECT_STREQ(want[i], line);
	}
	EXPECT_EQ(NULL, fgets(line, sizeof(line), f));
	fclose(f);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	for (i = 0; i < 3; i++)
		close(s[i]);
}

/* -j --all: Lamport events as JSON, with the exact clock values. */
TEST_F(lc, trace_json_lamport)
{
	static const struct { const char *ev; int node; int clock; } want[] = {
		{ "send", 1, 1 }, { "recv", 2, 2 },
		{ "send", 2, 3 }, { "recv", 1, 4 },
	};
	struct raw_result rr;
	char line[512], buf[64];
	int a, b, i, st;
	FILE *f;
	pid_t pid;

	ASSERT_EQ(0, dom_add_r(&(struct dom_args){ .id = 100, .kind = KIND_L,
			       .node = 1, .group = 9 }, &rr));
	ASSERT_EQ(0, rr.error);
	ASSERT_EQ(0, dom_add_r(&(struct dom_args){ .id = 101, .kind = KIND_L,
			       .node = 2, .group = 9 }, &rr));
	ASSERT_EQ(0, rr.error);
	a = udp_sock(AF_INET);
	b = udp_sock(AF_INET);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, attach(a, 100, 0));
	ASSERT_EQ(0, attach(b, 101, 0));
	f = trace_start("-j lclock trace --all --group 9 --count 4 --duration 20",
			&pid);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, send_to(a, b, "x", 1, 0));
	ASSERT_EQ(1, recv_one(b, &self->r, 16, 0));
	ASSERT_EQ(0, send_to(b, a, "y", 1, 0));
	ASSERT_EQ(1, recv_one(a, &self->r, 16, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_NE(NULL, fgets(line, sizeof(line), f));
		snprintf(buf, sizeof(buf), "\"event\":\"%s\"", want[i].ev);
		EXPECT_NE(NULL, strstr(line, buf));
		snprintf(buf, sizeof(buf), "\"host\":\"g9.node%d\"",
			 want[i].node);
		EXPECT_NE(NULL, strstr(line, buf));
		snprintf(buf, sizeof(buf), "\"clock\":%d", want[i].clock);
		EXPECT_NE(NULL, strstr(line, buf));
		EXPECT_NE(NULL, strstr(line, "\"kind\":\"lamport\""));
	}
	fclose(f);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
