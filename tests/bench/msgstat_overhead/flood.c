// SPDX-License-Identifier: GPL-2.0
/*
 * flood NS_TX NS_RX RX_ADDR SEC: one measurement of msgstat_overhead. A
 * receiver in netns NS_RX and a sender in netns NS_TX, both UDP sockets
 * attached to a Lamport domain (ordo.ko stamps every datagram); the
 * sender send()s back to back for SEC seconds datagrams of 64 bytes: an
 * application header (mutex_ra, type 1) and a 48-byte body, the whole
 * path of the msgstat probes. The receiver counts what recvmsg()
 * delivers until the socket stays idle 200 ms after the sender stopped.
 * Prints "RX_PER_SEC SENT RECEIVED".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/ordo_app.h>
#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "libordo.h"

#define PORT	9477
#define DOMAIN	0x6d73

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "flood: %s: %s\n", what, strerror(err));
	_exit(1);
}

static void enter_netns(const char *ns)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "/run/netns/%s", ns);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(p, errno);
	close(fd);
}

static struct ordo *domain_add(uint32_t node)
{
	struct ordo_lclock_params p = {
		.domain = DOMAIN, .kind = ORDO_WIRE_KIND_LAMPORT,
		.has_node = 1, .node = node, .has_group = 1, .group = DOMAIN,
	};
	struct ordo *h;
	int err = ordo_open(&h);

	if (err)
		die("ordo_open", -err);
	ordo_lclock_domain_del(h, DOMAIN);
	err = ordo_lclock_domain_add(h, &p);
	if (err)
		die("ordo_lclock_domain_add", -err);
	return h;
}

static int sock(const char *addr, int rx)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int buf = 8 << 20, fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		die("socket", errno);
	setsockopt(fd, SOL_SOCKET, rx ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, &buf, sizeof(buf));
	if (rx ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) :
		 connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die(rx ? "bind" : "connect", errno);
	err = ordo_lclock_attach(fd, DOMAIN, 0);
	if (err)
		die("ordo_lclock_attach", -err);
	return fd;
}

int main(int argc, char **argv)
{
	int ready[2], stop[2], res[2], st;
	double dur, t0, t1;
	uint64_t sent = 0, got = 0;
	pid_t rp;
	char c;

	if (argc != 5) {
		fprintf(stderr, "usage: flood NS_TX NS_RX RX_ADDR SEC\n");
		return 2;
	}
	dur = atof(argv[4]);
	if (pipe(ready) || pipe(stop) || pipe(res))
		die("pipe", errno);
	rp = fork();
	if (rp < 0)
		die("fork", errno);
	if (!rp) {
		static char data[65536], cbuf[256];
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct ordo *h;
		int fd, stopping = 0;
		uint64_t n = 0;

		enter_netns(argv[2]);
		h = domain_add(2);
		fd = sock(argv[3], 1);
		if (write(ready[1], "r", 1) != 1)
			die("pipe", errno);
		for (;;) {
			struct pollfd p[2] = { { fd, POLLIN, 0 }, { stop[0], POLLIN, 0 } };
			int r = poll(p, stopping ? 1 : 2, stopping ? 200 : -1);

			if (r == 0)
				break;
			if (!stopping && (p[1].revents & (POLLIN | POLLHUP)))
				stopping = 1;
			while (p[0].revents & POLLIN) {
				m.msg_control = cbuf;
				m.msg_controllen = sizeof(cbuf);
				if (recvmsg(fd, &m, MSG_DONTWAIT) < 0)
					break;
				n++;
			}
		}
		if (write(res[1], &n, sizeof(n)) != sizeof(n))
			die("pipe", errno);
		ordo_lclock_domain_del(h, DOMAIN);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		die("receiver", EIO);
	{
		uint8_t b[64];
		struct ordo_app_info a = { .proto = ORDO_APP_PROTO_MUTEX_RA, .type = 1,
					   .sender = 1, .xid = 1, .body_len = 48 };
		struct ordo *h;
		int fd;
		unsigned int i;

		enter_netns(argv[1]);
		h = domain_add(1);
		fd = sock(argv[3], 0);
		ordo_app_encode(b, sizeof(b), &a);
		memset(b + ORDO_APP_HDR_LEN, 0x5a, 48);
		t0 = now_s();
		for (i = 0;; i++) {
			if (!(i & 63) && now_s() >= t0 + dur)
				break;
			if (send(fd, b, sizeof(b), 0) == (ssize_t)sizeof(b))
				sent++;
		}
		t1 = now_s();
		ordo_lclock_domain_del(h, DOMAIN);
		close(fd);
	}
	if (write(stop[1], "x", 1) != 1 || read(res[0], &got, sizeof(got)) != sizeof(got))
		die("receiver", EIO);
	waitpid(rp, &st, 0);
	printf("%.0f %llu %llu\n", got / (t1 - t0), (unsigned long long)sent,
	       (unsigned long long)got);
	return 0;
}
