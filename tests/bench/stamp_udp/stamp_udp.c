// SPDX-License-Identifier: GPL-2.0
/*
 * stamp_udp [-j] [-t SEC] [-r REPS] [-k KINDS] [--spin] [--pin]
 *           [--case KIND,SIZE] [--veth NS_TX,NS_RX,RX_ADDR]:
 * datagrams per second through UDP sockets opted in to ordo's socket
 * stamping, next to plain UDP, for every kind of logical clock:
 *
 *   plain     no ordo at all
 *   lamport   both sockets attached to a Lamport domain
 *   vector8   both attached to a vector domain (n = 8, sender index 0,
 *             receiver index 1)
 *   hlc       both attached to an HLC domain
 *
 * with 64 B and 1400 B payloads, over loopback (127.0.0.1, this netns)
 * and, with --veth, from netns NS_TX to RX_ADDR in netns NS_RX (names of
 * /run/netns, as `ip netns add` makes them; the run script sets them up).
 *
 * One case: a receiver process (bound, attached, large SO_RCVBUF) and a
 * sender process that send()s back to back for -t SEC (default 2). The
 * receiver counts what recvmsg() actually delivers (with the SOL_ORDO
 * control message for stamped cases) until the socket stays idle for
 * 200 ms after the sender stopped. rx/s = received / sender's elapsed
 * time. -r REPS rounds (default 3) run the four kinds interleaved; the
 * ratio of a round is rx/s to plain UDP of the same path, payload and
 * round, and the table prints the medians over the rounds (and the
 * ratio's range). Loss = 1 - received / sent; "ordo drop" is what the receiving
 * domain dropped (invalid header, ...), the rest of the loss is the
 * socket's receive queue overflowing. No target is asserted.
 *
 * --paired MS: instead, one sender process alternates between a plain and
 * a stamped socket every MS milliseconds (plain, stamped, plain, ...,
 * for -t SEC per case) and one receiver process drains both (the plain
 * socket on port 9377, the stamped one on 9378). Each stamped phase's
 * send rate is compared with the mean of the plain phases on either side
 * (the first pair is left out as warm-up). A slow stretch of the VM
 * (TCG on a shared host) hits a phase and its neighbours alike, which
 * separate runs per kind cannot promise: their per-round ratios scatter
 * by +-20% and more. With -r REPS, every case runs REPS times, in fresh
 * processes, sockets and domains, the runs spread over the benchmark; the
 * table prints the median and quartiles of the paired ratios pooled over
 * the runs, and the lowest and highest median of a single run (one run's
 * quartiles stay within about 0.02, but its median moves by up to 0.05
 * from run to run). Every datagram must arrive (loss is printed).
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

#include <linux/ordo_lclock.h>
#include <linux/ordo_wire.h>

#include "libordo.h"

#define PORT		9377
#define GROUP		0x5a3d
#define RX_VC_INDEX	1
#define VC_N		8
#define DRAIN_MS	200

struct kind {
	const char *name;
	uint32_t kind;		/* 0: plain UDP */
};

static const struct kind kinds[] = {
	{ "plain", 0 },
	{ "lamport", ORDO_WIRE_KIND_LAMPORT },
	{ "vector8", ORDO_WIRE_KIND_VECTOR },
	{ "hlc", ORDO_WIRE_KIND_HLC },
};

static const size_t payloads[] = { 64, 1400 };

struct path {
	const char *name;
	const char *ns_tx, *ns_rx;	/* NULL: this netns */
	const char *rx_addr;
};

struct result {
	const char *path, *kind;
	size_t payload;
	uint64_t sent, send_err, received, dropped;
	double secs;
	/* --paired: every phase's send rate (even: plain, odd: stamped) */
	unsigned int nph;
	double *rate;
};

#define MAX_PHASES	8192
static double phase_s;	/* --paired: phase length, s (0: off) */

static double dur = 2.0;
static int spin;	/* --spin: the receiver polls without sleeping */
static int pin;		/* --pin: sender on CPU 0, receiver on CPU 1 */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "stamp_udp: %s: %s\n", what, strerror(err));
	_exit(1);
}

/* --pin: run on @cpu only */
static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (!pin)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity", errno);
}

static void enter_netns(const char *ns)
{
	char p[256];
	int fd;

	if (!ns)
		return;
	snprintf(p, sizeof(p), "/run/netns/%s", ns);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(p, errno);
	if (setns(fd, CLONE_NEWNET))
		die("setns", errno);
	close(fd);
}

/* Create domain @id of @kind in this netns; returns the handle. */
static struct ordo *domain_add(uint32_t id, uint32_t kind, uint32_t index)
{
	struct ordo_lclock_params p = {
		.domain = id, .kind = kind, .has_group = 1, .group = GROUP,
	};
	struct ordo *h;
	int err;

	err = ordo_open(&h);
	if (err)
		die("ordo_open", -err);
	ordo_lclock_domain_del(h, id);	/* left over by a killed run */
	if (kind == ORDO_WIRE_KIND_VECTOR) {
		p.vc_n = VC_N;
		p.vc_index = index;
	}
	err = ordo_lclock_domain_add(h, &p);
	if (err) {
		fprintf(stderr, "stamp_udp: domain add: %s\n", ordo_errmsg(h));
		die("ordo_lclock_domain_add", -err);
	}
	return h;
}

static void domain_del(struct ordo *h, uint32_t id)
{
	if (!h)
		return;
	ordo_lclock_domain_del(h, id);
	ordo_close(h);
}

static int udp_socket(const char *addr, int rx, uint32_t kind, uint32_t id,
		      uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int buf = 8 << 20;
	int fd, err;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		die(addr, EINVAL);
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	if (fd < 0)
		die("socket", errno);
	if (setsockopt(fd, SOL_SOCKET, rx ? SO_RCVBUFFORCE : SO_SNDBUFFORCE,
		       &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, rx ? SO_RCVBUF : SO_SNDBUF,
			   &buf, sizeof(buf));
	if (rx ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) :
		 connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die(rx ? "bind" : "connect", errno);
	if (kind) {
		err = ordo_lclock_attach(fd, id, 0);
		if (err)
			die("ordo_lclock_attach", -err);
	}
	return fd;
}

static void xwrite(int fd, const void *b, size_t n)
{
	if (write(fd, b, n) != (ssize_t)n)
		die("pipe write", errno);
}

static int xread(int fd, void *b, size_t n)
{
	while (n) {
		ssize_t r = read(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b = (char *)b + r;
		n -= r;
	}
	return 0;
}

/*
 * Receiver: tells @ready it is set up, counts until @ctl says the sender
 * stopped and the socket then stays idle DRAIN_MS, writes the count to
 * @res.
 */
static void receiver(const struct path *pa, uint32_t kind, int ready, int ctl,
		     int res)
{
	uint32_t id = 100 + kind;
	struct ordo *h = NULL;
	char data[65536], cbuf[CMSG_SPACE(48 + 16 * 64)];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint64_t n = 0;
	/* fd[0]: the kind's socket; --paired: fd[1] plain, on PORT */
	int fd[2] = { -1, -1 }, nfd = phase_s ? 2 : 1, stopping = 0, f;

	enter_netns(pa->ns_rx);
	pin_cpu(1);
	if (kind)
		h = domain_add(id, kind, RX_VC_INDEX);
	fd[0] = udp_socket(pa->rx_addr, 1, kind, id, phase_s ? PORT + 1 : PORT);
	if (phase_s)
		fd[1] = udp_socket(pa->rx_addr, 1, 0, 0, PORT);
	xwrite(ready, "r", 1);
	for (;;) {
		struct pollfd pfd[3] = {
			{ ctl, POLLIN, 0 }, { fd[0], POLLIN, 0 }, { fd[1], POLLIN, 0 },
		};
		/* --spin: never sleep in poll while the sender runs */
		int r = stopping ? poll(pfd + 1, nfd, DRAIN_MS) :
				   poll(pfd, nfd + 1, spin ? 0 : -1);

		if (r < 0 && errno != EINTR)
			die("poll", errno);
		if (r == 0 && stopping)
			break;	/* idle after the sender stopped */
		if (r == 0)	/* spinning: try anyway */
			pfd[1].revents = pfd[2].revents = POLLIN;
		if (!stopping && (pfd[0].revents & (POLLIN | POLLHUP))) {
			char c;

			if (read(ctl, &c, 1) < 0)
				die("pipe read", errno);
			stopping = 1;
		}
		for (f = 0; f < nfd; f++) {
			if (!(pfd[1 + f].revents & POLLIN))
				continue;
			for (;;) {
				m.msg_control = cbuf;
				m.msg_controllen = sizeof(cbuf);
				if (recvmsg(fd[f], &m, MSG_DONTWAIT) < 0) {
					if (errno == EAGAIN || errno == EINTR)
						break;
					die("recvmsg", errno);
				}
				n++;
			}
		}
	}
	xwrite(res, &n, sizeof(n));
	n = 0;	/* then the domain's drops: not a socket buffer overflow */
	if (h) {
		static struct ordo_lclock_info li;
		unsigned int i;

		if (!ordo_lclock_get(h, id, &li))
			for (i = 0; i < li.n_drops; i++)
				n += li.drops[i].value;
	}
	xwrite(res, &n, sizeof(n));
	close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	domain_del(h, id);
	_exit(0);
}

/* Sender: tells @ready it is set up, waits for @go, blasts for dur. */
static void sender(const struct path *pa, uint32_t kind, size_t len, int ready,
		   int go, int res)
{
	uint32_t id = 200 + kind;
	struct ordo *h = NULL;
	static char data[65536];
	uint64_t out[2] = { 0, 0 };	/* sent, errors */
	static double rate[MAX_PHASES];
	double t0, t1, end, pend, pt0;
	unsigned int i, nph = 0;
	uint64_t pn = 0;
	/* fd[0]: the kind's socket; --paired: fd[1] plain, on PORT */
	int fd[2] = { -1, -1 }, cur;
	char c;

	enter_netns(pa->ns_tx);
	pin_cpu(0);
	if (kind)
		h = domain_add(id, kind, 0);
	fd[0] = udp_socket(pa->rx_addr, 0, kind, id, phase_s ? PORT + 1 : PORT);
	if (phase_s)
		fd[1] = udp_socket(pa->rx_addr, 0, 0, 0, PORT);
	cur = phase_s ? fd[1] : fd[0];	/* --paired: plain first */
	memset(data, 0xa5, len);
	xwrite(ready, "s", 1);
	if (xread(go, &c, 1))
		die("pipe read", errno);
	t0 = now_s();
	end = t0 + dur;
	pt0 = t0;
	pend = phase_s ? t0 + phase_s : end;
	for (i = 0;; i++) {
		if (!(i & 15)) {
			double t = now_s();

			if (phase_s && t >= pend) {
				if (nph < MAX_PHASES)
					rate[nph++] = pn / (t - pt0);
				pn = 0;
				pt0 = t;
				pend = t + phase_s;
				cur = cur == fd[0] ? fd[1] : fd[0];
			}
			if (t >= end)
				break;
		}
		if (send(cur, data, len, 0) == (ssize_t)len) {
			out[0]++;
			pn++;
		} else {
			out[1]++;	/* ENOBUFS, ECONNREFUSED, ... */
		}
	}
	t1 = now_s();
	xwrite(res, out, sizeof(out));
	t1 -= t0;
	xwrite(res, &t1, sizeof(t1));
	if (phase_s) {
		xwrite(res, &nph, sizeof(nph));
		xwrite(res, rate, nph * sizeof(*rate));
	}
	close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	domain_del(h, id);
	_exit(0);
}

static int run_case(const struct path *pa, const struct kind *k, size_t len,
		    struct result *r)
{
	int rready[2], rctl[2], rres[2], sready[2], sgo[2], sres[2];
	uint64_t sout[2];
	pid_t rp, sp;
	int st, ok = 0;
	char c;

	if (pipe(rready) || pipe(rctl) || pipe(rres) || pipe(sready) ||
	    pipe(sgo) || pipe(sres))
		die("pipe", errno);
	rp = fork();
	if (rp < 0)
		die("fork", errno);
	if (!rp)
		receiver(pa, k->kind, rready[1], rctl[0], rres[1]);
	close(rready[1]);
	close(rres[1]);
	if (xread(rready[0], &c, 1))
		goto out_rx;
	sp = fork();
	if (sp < 0)
		die("fork", errno);
	if (!sp)
		sender(pa, k->kind, len, sready[1], sgo[0], sres[1]);
	close(sready[1]);
	close(sres[1]);
	if (xread(sready[0], &c, 1))
		goto out_tx;
	xwrite(sgo[1], "g", 1);
	if (xread(sres[0], sout, sizeof(sout)) ||
	    xread(sres[0], &r->secs, sizeof(r->secs)))
		goto out_tx;
	if (phase_s) {
		if (xread(sres[0], &r->nph, sizeof(r->nph)) || r->nph > MAX_PHASES)
			goto out_tx;
		r->rate = malloc(MAX_PHASES * sizeof(*r->rate));
		if (!r->rate)
			die("malloc", ENOMEM);
		if (r->nph && xread(sres[0], r->rate, r->nph * sizeof(*r->rate)))
			goto out_tx;
	}
	xwrite(rctl[1], "x", 1);
	if (xread(rres[0], &r->received, sizeof(r->received)) ||
	    xread(rres[0], &r->dropped, sizeof(r->dropped)))
		goto out_tx;
	r->sent = sout[0];
	r->send_err = sout[1];
	r->path = pa->name;
	r->kind = k->name;
	r->payload = len;
	ok = 1;
out_tx:
	if (!ok)
		kill(sp, SIGTERM);
	waitpid(sp, &st, 0);
	ok = ok && WIFEXITED(st) && !WEXITSTATUS(st);
out_rx:
	if (!ok)
		kill(rp, SIGTERM);
	waitpid(rp, &st, 0);
	ok = ok && WIFEXITED(st) && !WEXITSTATUS(st);
	close(rready[0]); close(rctl[0]); close(rctl[1]); close(rres[0]);
	close(sready[0]); close(sgo[0]); close(sgo[1]); close(sres[0]);
	return ok ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: stamp_udp [-j] [-t SEC] [-r REPS] [-k KINDS] [--spin] [--pin]\n"
		"                 [--case KIND,SIZE] [--veth NS_TX,NS_RX,RX_ADDR]\n"
		"  --spin    the receiver never sleeps (no wakeup per datagram): the\n"
		"            rate is then the cost of the sender's path and the kernel's\n"
		"            receive path, not the dynamics of waking a sleeping receiver\n"
		"  -k KINDS  comma list of plain, lamport, vector8, hlc (default: all;\n"
		"            plain is always measured: the ratios are to it)\n"
		"  --pin     sender on CPU 0, receiver on CPU 1\n"
		"  --case KIND,SIZE  only one stream of KIND with SIZE-byte payloads\n"
		"            (for tests/bench/stamp_udp/profile)\n"
		"  --paired MS  one stream per kind, alternating plain and stamped\n"
		"            every MS ms (-t SEC each, -r REPS runs of each): paired\n"
		"            ratios, pooled over the runs\n");
	exit(2);
}

#define MAX_REPS	15
#define NKINDS		4

/* One path and payload: every kind, REPS rounds, interleaved. */
struct row {
	const struct path *pa;
	size_t payload;
	unsigned int n[NKINDS];			/* rounds that ran */
	struct result r[NKINDS][MAX_REPS];
	double ratio[NKINDS][MAX_REPS];		/* to plain of the same round */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_sorted(const double *v, unsigned int n)
{
	if (!n)
		return 0;
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of @n <= MAX_REPS values, @v left as it is. */
static double median(const double *v, unsigned int n)
{
	double s[MAX_REPS];

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return median_sorted(s, n);
}

/* --paired: one path, payload and stamped kind, over every run */
struct cell {
	const struct path *pa;
	size_t payload;
	unsigned int kind;		/* index into kinds[] */
	double *ratio, *pl, *st;	/* pooled over the runs */
	unsigned int n, np, ns;
	double run_med[MAX_REPS];	/* each run's median ratio */
	unsigned int runs;
	uint64_t sent, send_err, received, dropped;
	int failed;
};

static double quantile(const double *sorted, unsigned int n, unsigned int num,
		       unsigned int den)
{
	unsigned int k = num * n / den;

	return n ? sorted[k < n ? k : n - 1] : 0;
}

/*
 * Append one run's paired ratios to @c: phases 0, 1 are warm-up; odd
 * phases are stamped, each against the mean of the plain phases on
 * either side.
 */
static void cell_add(struct cell *c, const struct result *r)
{
	unsigned int p, n0 = c->n;

	for (p = 2; p < r->nph; p++) {
		if (!(p & 1)) {
			c->pl[c->np++] = r->rate[p];
			continue;
		}
		c->st[c->ns++] = r->rate[p];
		if (p + 1 < r->nph && r->rate[p - 1] + r->rate[p + 1] > 0)
			c->ratio[c->n++] = r->rate[p] /
					   ((r->rate[p - 1] + r->rate[p + 1]) / 2);
	}
	qsort(c->ratio + n0, c->n - n0, sizeof(double), cmp_double);
	c->run_med[c->runs++] = median_sorted(c->ratio + n0, c->n - n0);
	c->sent += r->sent;
	c->send_err += r->send_err;
	c->received += r->received;
	c->dropped += r->dropped;
}

/*
 * --paired: REPS runs of every case (path, payload, stamped kind), the
 * runs of a case spread over the whole benchmark (run 1 of every case,
 * then run 2, ...), each in fresh processes, sockets and domains. The
 * table prints the median and quartiles of all paired ratios of a case
 * pooled over its runs, and the lowest and highest median of one run:
 * where a run's sockets and buffers land moves its median by a few
 * percent, which no single run can show.
 */
static int paired(const struct path *paths, size_t npaths, unsigned int sel,
		  unsigned int reps, int json)
{
	static struct cell cells[2 * 2 * NKINDS];
	size_t i, l, j, nc = 0, c;
	unsigned int k;
	int fail = 0, first = 1;

	for (i = 0; i < npaths; i++)
		for (l = 0; l < 2; l++)
			for (j = 1; j < NKINDS; j++) {
				struct cell *ce = &cells[nc];

				if (!(sel & 1u << j))
					continue;
				ce->pa = &paths[i];
				ce->payload = payloads[l];
				ce->kind = j;
				ce->ratio = calloc((size_t)reps * MAX_PHASES, sizeof(double));
				ce->pl = calloc((size_t)reps * MAX_PHASES, sizeof(double));
				ce->st = calloc((size_t)reps * MAX_PHASES, sizeof(double));
				if (!ce->ratio || !ce->pl || !ce->st)
					die("calloc", ENOMEM);
				nc++;
			}
	for (k = 0; k < reps; k++) {
		for (c = 0; c < nc; c++) {
			struct cell *ce = &cells[c];
			struct result r = { 0 };

			if (run_case(ce->pa, &kinds[ce->kind], ce->payload, &r)) {
				fprintf(stderr, "stamp_udp: %s %zu B %s run %u failed\n",
					ce->pa->name, ce->payload,
					kinds[ce->kind].name, k + 1);
				ce->failed = fail = 1;
			} else {
				cell_add(ce, &r);
			}
			free(r.rate);
		}
		if (reps > 1)
			fprintf(stderr, "stamp_udp: run %u of %u done\n", k + 1, reps);
	}

	if (json)
		printf("{\"duration_s\": %.3f, \"phase_ms\": %.0f, \"runs\": %u, \"results\": [",
		       dur, phase_s * 1000, reps);
	else
		printf("%-9s %7s %-8s %12s %12s %7s %9s %7s %13s %13s %6s\n", "path",
		       "payload", "kind", "plain dg/s", "stamped dg/s", "loss",
		       "ordo drop", "ratio", "p25..p75", "run min..max", "pairs");
	for (c = 0; c < nc; c++) {
		struct cell *ce = &cells[c];
		double loss, lo = 0, hi = 0, pl, st;
		unsigned int q;

		qsort(ce->ratio, ce->n, sizeof(double), cmp_double);
		qsort(ce->pl, ce->np, sizeof(double), cmp_double);
		qsort(ce->st, ce->ns, sizeof(double), cmp_double);
		for (q = 0; q < ce->runs; q++) {
			if (!q || ce->run_med[q] < lo)
				lo = ce->run_med[q];
			if (!q || ce->run_med[q] > hi)
				hi = ce->run_med[q];
		}
		pl = quantile(ce->pl, ce->np, 1, 2);
		st = quantile(ce->st, ce->ns, 1, 2);
		loss = ce->sent ? 1.0 - (double)ce->received / ce->sent : 0;
		if (loss < 0)
			loss = 0;
		if (json)
			printf("%s\n  {\"path\": \"%s\", \"payload\": %zu, \"kind\": \"%s\", "
			       "\"plain_per_s\": %.0f, \"stamped_per_s\": %.0f, "
			       "\"sent\": %llu, \"send_errors\": %llu, "
			       "\"received\": %llu, \"ordo_dropped\": %llu, "
			       "\"loss\": %.4f, \"ratio\": %.3f, \"ratio_p25\": %.3f, "
			       "\"ratio_p75\": %.3f, \"run_ratio_min\": %.3f, "
			       "\"run_ratio_max\": %.3f, \"runs\": %u, \"pairs\": %u}",
			       first ? "" : ",", ce->pa->name, ce->payload,
			       kinds[ce->kind].name, pl, st,
			       (unsigned long long)ce->sent,
			       (unsigned long long)ce->send_err,
			       (unsigned long long)ce->received,
			       (unsigned long long)ce->dropped, loss,
			       median_sorted(ce->ratio, ce->n),
			       quantile(ce->ratio, ce->n, 1, 4),
			       quantile(ce->ratio, ce->n, 3, 4), lo, hi,
			       ce->runs, ce->n);
		else
			printf("%-9s %5zu B %-8s %12.0f %12.0f %6.1f%% %9llu %7.3f %6.3f..%.3f %6.3f..%.3f %6u%s\n",
			       ce->pa->name, ce->payload, kinds[ce->kind].name,
			       pl, st, 100 * loss, (unsigned long long)ce->dropped,
			       median_sorted(ce->ratio, ce->n),
			       quantile(ce->ratio, ce->n, 1, 4),
			       quantile(ce->ratio, ce->n, 3, 4), lo, hi, ce->n,
			       ce->failed ? " (a run failed)" : "");
		first = 0;
		free(ce->ratio);
		free(ce->pl);
		free(ce->st);
	}
	if (json)
		printf("\n]}\n");
	fflush(stdout);
	return fail;
}

/*
 * --case KIND,SIZE: one stream of KIND, SIZE-byte payloads, for -t SEC,
 * on the last path given; prints what the sender sent and how long, so
 * that a profile of the sending CPU (tests/bench/stamp_udp/profile) can
 * be divided by the datagrams.
 */
static int one_case(const struct path *pa, unsigned int kind, size_t len,
		    int json)
{
	struct result r = { 0 };

	if (run_case(pa, &kinds[kind], len, &r)) {
		fprintf(stderr, "stamp_udp: %s %zu B %s failed\n", pa->name, len,
			kinds[kind].name);
		return 1;
	}
	if (json)
		printf("{\"path\": \"%s\", \"payload\": %zu, \"kind\": \"%s\", "
		       "\"sent\": %llu, \"received\": %llu, \"secs\": %.3f}\n",
		       pa->name, len, kinds[kind].name,
		       (unsigned long long)r.sent,
		       (unsigned long long)r.received, r.secs);
	else
		printf("%s %zu B %s: sent %llu received %llu in %.3f s: %.0f/s\n",
		       pa->name, len, kinds[kind].name,
		       (unsigned long long)r.sent,
		       (unsigned long long)r.received, r.secs,
		       r.secs > 0 ? r.sent / r.secs : 0);
	return 0;
}

int main(int argc, char **argv)
{
	struct path paths[2] = { { "loopback", NULL, NULL, "127.0.0.1" } };
	size_t npaths = 1, nrows = 0, i, j, l, o;
	static struct row rows[2 * 2];
	unsigned int reps = 3, k, sel = (1u << NKINDS) - 1;
	int one_kind = -1;
	size_t one_size = 0;
	int json = 0, a, fail = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-j")) {
			json = 1;
		} else if (!strcmp(argv[a], "-t") && a + 1 < argc) {
			dur = atof(argv[++a]);
			if (dur <= 0)
				usage();
		} else if (!strcmp(argv[a], "-r") && a + 1 < argc) {
			reps = (unsigned int)atoi(argv[++a]);
			if (reps < 1 || reps > MAX_REPS)
				usage();
		} else if (!strcmp(argv[a], "--spin")) {
			spin = 1;
		} else if (!strcmp(argv[a], "--pin")) {
			pin = 1;
		} else if (!strcmp(argv[a], "--case") && a + 1 < argc) {
			char *s = strdup(argv[++a]), *size = strchr(s, ',');
			char *end;

			if (size)
				*size++ = 0;
			for (j = 0; j < NKINDS && strcmp(s, kinds[j].name); j++)
				;
			if (j == NKINDS || !size) {
				fprintf(stderr, "stamp_udp: --case KIND,SIZE: bad '%s'\n",
					argv[a]);
				exit(2);
			}
			one_kind = j;
			one_size = strtoul(size, &end, 10);
			if (*end || one_size > 60000) {
				fprintf(stderr, "stamp_udp: --case: bad size '%s'\n", size);
				exit(2);
			}
			free(s);
		} else if (!strcmp(argv[a], "--paired") && a + 1 < argc) {
			phase_s = atof(argv[++a]) / 1000;
			if (phase_s < 0.01 || phase_s > 10)
				usage();
		} else if (!strcmp(argv[a], "-k") && a + 1 < argc) {
			char *s = strdup(argv[++a]), *t, *save = NULL;

			sel = 1;	/* plain: the baseline */
			for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				for (j = 0; j < NKINDS && strcmp(t, kinds[j].name); j++)
					;
				if (j == NKINDS) {
					fprintf(stderr, "stamp_udp: unknown kind '%s'\n", t);
					exit(2);
				}
				sel |= 1u << j;
			}
			free(s);
		} else if (!strcmp(argv[a], "--veth") && a + 1 < argc) {
			char *s = strdup(argv[++a]);

			paths[1].name = "veth";
			paths[1].ns_tx = strsep(&s, ",");
			paths[1].ns_rx = strsep(&s, ",");
			paths[1].rx_addr = strsep(&s, ",");
			if (!paths[1].ns_rx || !paths[1].rx_addr)
				usage();
			npaths = 2;
		} else {
			usage();
		}
	}

	if (one_kind >= 0)
		return one_case(&paths[npaths - 1], one_kind, one_size, json);
	if (phase_s)
		return paired(paths, npaths, sel, reps, json);

	/*
	 * Rounds interleave the kinds, so that a slow phase of the machine
	 * hits all of them, and rotate their order (round k starts with
	 * kind k mod 4), so that no kind always runs in the same place
	 * after the others (warm caches, a receiver still exiting); the
	 * ratio of a round is to the plain run of that round, and the table
	 * shows medians over the rounds.
	 */
	for (i = 0; i < npaths; i++)
		for (l = 0; l < 2; l++) {
			struct row *w = &rows[nrows++];

			w->pa = &paths[i];
			w->payload = payloads[l];
			for (k = 0; k < reps; k++)
				for (o = 0; o < NKINDS; o++) {
					struct result *r;

					/* round k starts at kind k: every kind runs first, second, ... */
					j = (o + k) % NKINDS;
					if (!(sel & 1u << j))
						continue;
					r = &w->r[j][w->n[j]];

					if (run_case(&paths[i], &kinds[j], payloads[l], r)) {
						fprintf(stderr, "stamp_udp: %s %zu B %s failed\n",
							paths[i].name, payloads[l],
							kinds[j].name);
						fail = 1;
						continue;
					}
					w->n[j]++;
				}
			for (j = 0; j < NKINDS; j++)
				for (k = 0; k < w->n[j] && k < w->n[0]; k++)
					w->ratio[j][k] = (w->r[j][k].received / w->r[j][k].secs) /
							 (w->r[0][k].received / w->r[0][k].secs);
		}

	if (json)
		printf("{\"duration_s\": %.3f, \"rounds\": %u, \"results\": [", dur, reps);
	else
		printf("%-9s %7s %-8s %12s %12s %7s %9s %7s %15s\n", "path",
		       "payload", "kind", "rx dgram/s", "tx dgram/s", "loss",
		       "ordo drop", "ratio", "ratio min..max");
	for (i = 0; i < nrows; i++) {
		struct row *w = &rows[i];

		for (j = 0; j < NKINDS; j++) {
			double rx[MAX_REPS], tx[MAX_REPS], lo = 0, hi = 0, ratio;
			uint64_t sent = 0, recv = 0, drop = 0, serr = 0;
			unsigned int n = w->n[j], nr = n < w->n[0] ? n : w->n[0];
			double loss;

			if (!n)
				continue;
			for (k = 0; k < n; k++) {
				struct result *r = &w->r[j][k];

				rx[k] = r->received / r->secs;
				tx[k] = r->sent / r->secs;
				sent += r->sent;
				recv += r->received;
				drop += r->dropped;
				serr += r->send_err;
			}
			for (k = 0; k < nr; k++) {
				if (!k || w->ratio[j][k] < lo)
					lo = w->ratio[j][k];
				if (!k || w->ratio[j][k] > hi)
					hi = w->ratio[j][k];
			}
			ratio = median(w->ratio[j], nr);
			loss = sent ? 1.0 - (double)recv / sent : 0;
			if (loss < 0)
				loss = 0;
			if (json)
				printf("%s\n  {\"path\": \"%s\", \"payload\": %zu, \"kind\": \"%s\", "
				       "\"rx_per_s\": %.0f, \"tx_per_s\": %.0f, \"sent\": %llu, "
				       "\"send_errors\": %llu, \"received\": %llu, "
				       "\"ordo_dropped\": %llu, \"loss\": %.4f, "
				       "\"ratio\": %.3f, \"ratio_min\": %.3f, \"ratio_max\": %.3f}",
				       i || j ? "," : "", w->pa->name, w->payload,
				       kinds[j].name, median(rx, n), median(tx, n),
				       (unsigned long long)sent, (unsigned long long)serr,
				       (unsigned long long)recv, (unsigned long long)drop,
				       loss, ratio, lo, hi);
			else
				printf("%-9s %5zu B %-8s %12.0f %12.0f %6.1f%% %9llu %7.3f %7.3f..%.3f\n",
				       w->pa->name, w->payload, kinds[j].name,
				       median(rx, n), median(tx, n), 100 * loss,
				       (unsigned long long)drop, ratio, lo, hi);
		}
	}
	if (json)
		printf("\n]}\n");
	return fail;
}
