// SPDX-License-Identifier: GPL-2.0
/*
 * msgstat_gen: the traffic of the msgstat suite, with exactly known counts.
 *
 *   msgstat_gen send --to ADDR [--port P] [--node N] [--stamp DOMAIN] ITEM...
 *   msgstat_gen serve [--port P] [--stamp DOMAIN] [--tcp]
 *
 * send sends, from a plain UDP socket to ADDR:P (IPv4 or IPv6), each ITEM:
 *   app,PROTO,TYPE,FLAGS,COUNT  a Lamport clock header (node N), an
 *                               application header (sender N, xid i) and
 *                               an 8-byte body
 *   noapp,COUNT                 a clock header and 32 bytes of 0xa5
 *   bad,WHAT,COUNT              a malformed ordo datagram: wire_short,
 *                               wire_version, wire_kind, wire_trunc,
 *                               wire_hdr_len, wire_flags, app_short,
 *                               app_proto, app_flags, app_len
 *   udp,COUNT                   a UDP datagram that is not ordo's
 *   tcp,COUNT                   COUNT writes of a clock header and an
 *                               application header on one TCP connection
 *                               to ADDR:P (serve --tcp listens)
 * With --stamp DOMAIN, app and noapp items go to ADDR:P+1 from a socket
 * attached to a new Lamport domain DOMAIN (group DOMAIN, node N), which
 * stamps them in the kernel: only the application header and body are
 * written. Prints "sent N" (the successful sends) and exits 0 when every
 * send succeeded; then waits 300 ms for the datagrams to arrive.
 *
 * serve reads and drops everything on UDP port P (and P+1 attached to the
 * Lamport domain DOMAIN with --stamp, and TCP port P with --tcp) until
 * SIGTERM. It prints "ready" once bound.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/ordo_app.h>
#include <linux/ordo_wire.h>

#include "libordo.h"

static unsigned int port = 7470;
static uint32_t node = 1;
static uint32_t stamp_domain;
static struct ordo *oh;
static int created;	/* the domain is ours to delete */

static void die(const char *what, int err)
{
	fprintf(stderr, "msgstat_gen: %s: %s\n", what, strerror(err));
	if (created)
		ordo_lclock_domain_del(oh, stamp_domain);
	exit(1);
}

static socklen_t mkaddr(const char *addr, unsigned int p, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(p);
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(p);
		return sizeof(*a6);
	}
	die(addr, EINVAL);
	return 0;
}

static void domain_add(void)
{
	struct ordo_lclock_params p = {
		.domain = stamp_domain, .kind = ORDO_WIRE_KIND_LAMPORT,
		.has_node = 1, .node = node, .has_group = 1, .group = stamp_domain,
	};
	int err = ordo_open(&oh);

	if (err)
		die("ordo_open", -err);
	/* another process of this namespace may have made it: share it */
	err = ordo_lclock_domain_add(oh, &p);
	if (err && err != -EEXIST)
		die("ordo_lclock_domain_add", -err);
	created = !err;
}

static int udp_sock(int family, int stamped)
{
	int fd = socket(family, SOCK_DGRAM, 0), err;

	if (fd < 0)
		die("socket", errno);
	if (stamped) {
		err = ordo_lclock_attach(fd, stamp_domain, 0);
		if (err)
			die("ordo_lclock_attach", -err);
	}
	return fd;
}

/* A Lamport clock header at @b; returns its length. */
static size_t clock_hdr(uint8_t *b)
{
	struct ordo_wire_info w = { .kind = ORDO_WIRE_KIND_LAMPORT, .node_id = node,
				    .domain = 77, .ts = 1 };

	return (size_t)ordo_wire_encode(b, ORDO_WIRE_MAX_LEN, &w, NULL);
}

static size_t app_hdr(uint8_t *b, unsigned int proto, unsigned int type,
		      unsigned int flags, uint32_t xid, uint32_t body_len)
{
	struct ordo_app_info a = { .proto = (uint8_t)proto, .type = (uint8_t)type,
				   .flags = (uint8_t)flags, .sender = node, .xid = xid,
				   .body_len = body_len };

	if (ordo_app_encode(b, ORDO_APP_HDR_LEN, &a) != ORDO_APP_HDR_LEN)
		die("ordo_app_encode", EINVAL);
	memset(b + ORDO_APP_HDR_LEN, 0x5a, body_len);
	return ORDO_APP_HDR_LEN + body_len;
}

/* A malformed datagram of kind @what at @b; returns its length. */
static size_t bad(uint8_t *b, const char *what)
{
	size_t h = clock_hdr(b);

	if (!strcmp(what, "wire_short"))
		return 6;
	if (!strcmp(what, "wire_version")) {
		b[ORDO_WIRE_OFF_VERSION] = 9;
		return h + app_hdr(b + h, 3, 1, 0, 1, 8);
	}
	if (!strcmp(what, "wire_kind")) {
		b[ORDO_WIRE_OFF_KIND] = 7;
		return h + app_hdr(b + h, 3, 1, 0, 1, 8);
	}
	if (!strcmp(what, "wire_trunc"))
		return h - 8;
	if (!strcmp(what, "wire_hdr_len")) {
		/* 40: a multiple of 8 but not a Lamport header's length */
		ordo_wire_put16(b + ORDO_WIRE_OFF_HDR_LEN, 40);
		return 40 + app_hdr(b + 40, 3, 1, 0, 1, 8);
	}
	if (!strcmp(what, "wire_flags")) {
		ordo_wire_put32(b + ORDO_WIRE_OFF_FLAGS, 0x00800000);
		return h + app_hdr(b + h, 3, 1, 0, 1, 8);
	}
	if (!strcmp(what, "app_short")) {
		b[h] = ORDO_APP_VERSION;
		memset(b + h + 1, 0, 9);
		return h + 10;
	}
	if (!strcmp(what, "app_proto")) {
		app_hdr(b + h, 3, 1, 0, 1, 8);
		b[h + ORDO_APP_OFF_PROTO] = 99;
		return h + ORDO_APP_HDR_LEN + 8;
	}
	if (!strcmp(what, "app_flags")) {
		app_hdr(b + h, 3, 1, 0, 1, 8);
		b[h + ORDO_APP_OFF_FLAGS] = 0x80;
		return h + ORDO_APP_HDR_LEN + 8;
	}
	if (!strcmp(what, "app_len")) {
		app_hdr(b + h, 3, 1, 0, 1, 8);
		return h + ORDO_APP_HDR_LEN + 4;	/* body_len says 8 */
	}
	die(what, EINVAL);
	return 0;
}

static void tcp_send(const char *addr, unsigned int count)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(addr, port, &ss);
	uint8_t b[256];
	size_t n = clock_hdr(b);
	unsigned int i;
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);

	n += app_hdr(b + n, 3, 1, 0, 1, 8);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl))
		die("tcp connect", errno);
	for (i = 0; i < count; i++) {
		if (write(fd, b, n) != (ssize_t)n)
			die("tcp write", errno);
		usleep(2000);	/* separate segments */
	}
	close(fd);
}

static int cmd_send(int argc, char **argv)
{
	const char *to = NULL;
	struct sockaddr_storage ss, ss_st;
	socklen_t sl, sl_st;
	uint8_t b[2048];
	unsigned long sent = 0, failed = 0;
	int fd, fd_st = -1, a;

	for (a = 0; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--to") && a + 1 < argc)
			to = argv[++a];
		else if (!strcmp(argv[a], "--port") && a + 1 < argc)
			port = (unsigned int)atoi(argv[++a]);
		else if (!strcmp(argv[a], "--node") && a + 1 < argc)
			node = (uint32_t)strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--stamp") && a + 1 < argc)
			stamp_domain = (uint32_t)strtoul(argv[++a], NULL, 0);
		else
			die(argv[a], EINVAL);
	}
	if (!to)
		die("--to", EINVAL);
	sl = mkaddr(to, port, &ss);
	sl_st = mkaddr(to, port + 1, &ss_st);
	fd = udp_sock(ss.ss_family, 0);
	if (stamp_domain) {
		domain_add();
		fd_st = udp_sock(ss.ss_family, 1);
	}
	for (; a < argc; a++) {
		char item[128], *f[6] = { 0 }, *save = NULL, *s;
		unsigned int nf = 0, count, i;

		snprintf(item, sizeof(item), "%s", argv[a]);
		for (s = strtok_r(item, ",", &save); s && nf < 6; s = strtok_r(NULL, ",", &save))
			f[nf++] = s;
		if (!nf)
			die(argv[a], EINVAL);
		count = (unsigned int)atoi(f[nf - 1]);
		if (!strcmp(f[0], "tcp")) {
			tcp_send(to, count);
			continue;
		}
		for (i = 0; i < count; i++) {
			int st = 0;
			size_t n = 0;

			if (!strcmp(f[0], "app") && nf == 5) {
				st = stamp_domain != 0;
				if (!st)
					n = clock_hdr(b);
				n += app_hdr(b + n, (unsigned int)atoi(f[1]), (unsigned int)atoi(f[2]),
					     (unsigned int)strtoul(f[3], NULL, 0), i + 1, 8);
			} else if (!strcmp(f[0], "noapp") && nf == 2) {
				st = stamp_domain != 0;
				if (!st)
					n = clock_hdr(b);
				memset(b + n, 0xa5, 32);
				n += 32;
			} else if (!strcmp(f[0], "bad") && nf == 3) {
				n = bad(b, f[1]);
			} else if (!strcmp(f[0], "udp") && nf == 2) {
				/* "ORD" and then not "O": the magic test must not match */
				memcpy(b, "ORDX plain udp datagram, not ordo", 33);
				n = 33;
			} else {
				die(argv[a], EINVAL);
			}
			if (sendto(st ? fd_st : fd, b, n, 0,
				   (struct sockaddr *)(st ? &ss_st : &ss), st ? sl_st : sl) ==
			    (ssize_t)n)
				sent++;
			else
				failed++;
		}
	}
	usleep(300000);
	printf("sent %lu\n", sent);
	if (failed)
		fprintf(stderr, "msgstat_gen: %lu sends failed\n", failed);
	if (created)
		ordo_lclock_domain_del(oh, stamp_domain);
	return failed ? 1 : 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int bound_sock(int type, unsigned int p, int stamped)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(p),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int fd = socket(AF_INET6, type, 0), one = 1, zero = 0;

	if (fd < 0)
		die("socket", errno);
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind", errno);
	if (stamped && ordo_lclock_attach(fd, stamp_domain, 0))
		die("ordo_lclock_attach", EINVAL);
	if (type == SOCK_STREAM && listen(fd, 4))
		die("listen", errno);
	return fd;
}

static int cmd_serve(int argc, char **argv)
{
	struct pollfd p[8];
	struct sigaction sa = { .sa_handler = on_term };
	char buf[4096], cbuf[1024];
	int a, tcp = 0;
	nfds_t n = 0, i;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--port") && a + 1 < argc)
			port = (unsigned int)atoi(argv[++a]);
		else if (!strcmp(argv[a], "--stamp") && a + 1 < argc)
			stamp_domain = (uint32_t)strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--node") && a + 1 < argc)
			node = (uint32_t)strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--tcp"))
			tcp = 1;
		else
			die(argv[a], EINVAL);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	p[n++] = (struct pollfd){ bound_sock(SOCK_DGRAM, port, 0), POLLIN, 0 };
	if (stamp_domain) {
		domain_add();
		p[n++] = (struct pollfd){ bound_sock(SOCK_DGRAM, port + 1, 1), POLLIN, 0 };
	}
	if (tcp)
		p[n++] = (struct pollfd){ bound_sock(SOCK_STREAM, port, 0), POLLIN, 0 };
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (poll(p, n, 200) < 0)
			continue;
		for (i = 0; i < n; i++) {
			struct iovec iov = { buf, sizeof(buf) };
			struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
					    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
			int type = 0;
			socklen_t tl = sizeof(type);

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			getsockopt(p[i].fd, SOL_SOCKET, SO_TYPE, &type, &tl);
			if (type == SOCK_STREAM && p[i].events == POLLIN && i == n - 1 && tcp &&
			    p[i].fd >= 0) {
				int c = accept(p[i].fd, NULL, NULL);

				/* read the connection to its end, then go on */
				if (c >= 0) {
					while (read(c, buf, sizeof(buf)) > 0)
						;
					close(c);
				}
				continue;
			}
			while (recvmsg(p[i].fd, &m, MSG_DONTWAIT) >= 0)
				m.msg_controllen = sizeof(cbuf);
		}
	}
	if (created)
		ordo_lclock_domain_del(oh, stamp_domain);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return cmd_send(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return cmd_serve(argc - 2, argv + 2);
	fprintf(stderr, "usage: msgstat_gen send|serve ... (see the source)\n");
	return 2;
}
