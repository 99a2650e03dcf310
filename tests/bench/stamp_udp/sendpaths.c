// SPDX-License-Identifier: GPL-2.0
/*
 * sendpaths - what the ways of sending a stamped datagram cost on the CPU
 * this runs on, without the module: a user-space proxy for hardware,
 * where the test VM's TCG distorts copy costs (Documentation/
 * socket-stamping.rst). Over loopback, one sender pinned to CPU 0 (when
 * it can be) and a thread that drains the receiver without copying the
 * data out, for each payload size, in ns per datagram:
 *
 *   plain   one send() of the payload
 *   cork    a 32-byte header with MSG_MORE, then the payload: UDP
 *           checksums such a datagram in software (the module's path
 *           for payloads over 512 bytes until 2026-11-25)
 *   seg     the same, the header with a UDP_SEGMENT control message of
 *           the whole datagram's length, which leaves the checksum to
 *           the device (the module's path for payloads over 512 bytes)
 *   bounce  header and payload copied into one buffer, one send() (the
 *           module's path for small payloads)
 *
 * and the ratios plain/path, which are the stamped/plain datagram rate
 * stamp_udp reports. Cork and seg pay one syscall entry more here than
 * in the kernel ("syscall": an empty one), and seg also the copy of its
 * control message from user memory ("cmsg": what sendmsg() with that
 * message costs over send(), the module builds its msghdr in the
 * kernel). The columns cork* and seg* take those off: an estimate of
 * the module's ratio. Each size runs REPS rounds of all, interleaved;
 * the medians are printed.
 */
#include <arpa/inet.h>
#include <netinet/udp.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HDR_LEN		32		/* a Lamport or HLC header */
#define MAX_PAYLOAD	(65507 - HDR_LEN)
#define MAX_SIZES	32
#define MAX_REPS	99

enum { M_PLAIN, M_CORK, M_SEG, M_BOUNCE, M_SYSCALL, M_CMSG, M_CNT };

static const char *const mode_name[M_CNT] = {
	"plain", "cork", "seg", "bounce", "syscall", "cmsg"
};

struct drain {
	int fd;
	int stop;
};

static unsigned char payload[MAX_PAYLOAD], dgram[HDR_LEN + MAX_PAYLOAD];
static union {
	struct cmsghdr h;
	char space[CMSG_SPACE(sizeof(uint16_t))];
} seg;
static unsigned char hdr[HDR_LEN];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sendpaths [-j] [-n COUNT] [-r REPS] [SIZE...]\n"
		"  ns per datagram of plain, corked (header with MSG_MORE, then\n"
		"  the payload), corked with a segment size (seg) and bounced\n"
		"  (one buffer, one send) UDP sends over loopback, per payload\n"
		"  SIZE (default 64 512 1400 4000 16000 60000; at most %d), of\n"
		"  an empty syscall, and of a control message to sendmsg();\n"
		"  cork* and seg* estimate the module's ratio (without the\n"
		"  second syscall and the control message's copy)\n"
		"  -n COUNT  datagrams per measurement (default 100000)\n"
		"  -r REPS   rounds per size, medians printed (default 5, 1..%d)\n"
		"  -j        JSON output\n", MAX_PAYLOAD, MAX_REPS);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Dequeue without copying out (MSG_TRUNC): the receiver keeps up. */
static void *drain_thread(void *arg)
{
	struct drain *d = arg;
	unsigned char b;

	while (!__atomic_load_n(&d->stop, __ATOMIC_RELAXED))
		recv(d->fd, &b, 1, MSG_DONTWAIT | MSG_TRUNC);
	return NULL;
}

/* one send of @len bytes at @buf with the UDP_SEGMENT message @seg_len */
static ssize_t send_seg(int tx, void *buf, size_t len, uint16_t seg_len,
			int flags)
{
	struct iovec iov = { buf, len };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &seg, .msg_controllen = sizeof(seg),
	};

	seg.h.cmsg_len = CMSG_LEN(sizeof(uint16_t));
	seg.h.cmsg_level = SOL_UDP;
	seg.h.cmsg_type = UDP_SEGMENT;
	memcpy(CMSG_DATA(&seg.h), &seg_len, sizeof(seg_len));
	return sendmsg(tx, &m, flags);
}

/* ns per operation of @mode, or -1 with errno set */
static double measure(int mode, int tx, size_t size, long count)
{
	double t0 = now();
	long i;

	for (i = 0; i < count; i++) {
		ssize_t r = 0;

		switch (mode) {
		case M_PLAIN:
			r = send(tx, payload, size, 0);
			break;
		case M_CORK:
			r = send(tx, hdr, HDR_LEN, MSG_MORE);
			if (r >= 0)
				r = send(tx, payload, size, 0);
			break;
		case M_SEG:
			r = send_seg(tx, hdr, HDR_LEN, HDR_LEN + size, MSG_MORE);
			if (r >= 0)
				r = send(tx, payload, size, 0);
			break;
		case M_CMSG:
			/* a segment size no smaller than the datagram: one */
			r = send_seg(tx, payload, size, size ? size : 1, 0);
			break;
		case M_BOUNCE:
			memcpy(dgram, hdr, HDR_LEN);
			memcpy(dgram + HDR_LEN, payload, size);
			r = send(tx, dgram, HDR_LEN + size, 0);
			break;
		default:
			syscall(SYS_getppid);
			break;
		}
		/* a full socket buffer only delays; anything else is fatal */
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN)
			return -1;
	}
	return (now() - t0) / count * 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * plain / @mode without what the module does not pay: the second
 * syscall entry, and for seg the control message from user memory
 */
static double est(double med[][MAX_SIZES], int mode, int s)
{
	double extra = med[M_SYSCALL][s];

	if (mode == M_SEG)
		extra += med[M_CMSG][s] - med[M_PLAIN][s];
	return med[M_PLAIN][s] / (med[mode][s] - extra);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const long def_sizes[] = { 64, 512, 1400, 4000, 16000, 60000 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	long sizes[MAX_SIZES], count = 100000, reps = 5;
	static double ns[M_CNT][MAX_SIZES][MAX_REPS], med[M_CNT][MAX_SIZES];
	int nsizes = 0, json = 0, tx, rx, opt, s, m, big = 64 << 20;
	struct drain d = { 0 };
	socklen_t al = sizeof(a);
	struct option lo[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	pthread_t t;
	cpu_set_t cpus;
	long r;

	while ((opt = getopt_long(argc, argv, "jn:r:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'n':
			if (parse_long(optarg, 1, 100000000, &count)) {
				fprintf(stderr, "sendpaths: -n: not a count in 1..100000000: '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r':
			if (parse_long(optarg, 1, MAX_REPS, &reps)) {
				fprintf(stderr, "sendpaths: -r: not in 1..%d: '%s'\n", MAX_REPS, optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > MAX_SIZES) {
		fprintf(stderr, "sendpaths: at most %d sizes\n", MAX_SIZES);
		return 2;
	}
	for (; optind < argc; optind++) {
		if (parse_long(argv[optind], 0, MAX_PAYLOAD, &sizes[nsizes])) {
			fprintf(stderr, "sendpaths: not a payload size in 0..%d: '%s'\n",
				MAX_PAYLOAD, argv[optind]);
			return 2;
		}
		nsizes++;
	}
	if (!nsizes) {
		nsizes = sizeof(def_sizes) / sizeof(def_sizes[0]);
		memcpy(sizes, def_sizes, sizeof(def_sizes));
	}

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(rx, (struct sockaddr *)&a, &al) ||
	    connect(tx, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "sendpaths: loopback UDP sockets: %s\n", strerror(errno));
		return 1;
	}
	/* a large receive buffer; without CAP_NET_ADMIN, the sysctl's limit */
	if (setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	d.fd = rx;
	if (pthread_create(&t, NULL, drain_thread, &d)) {
		fprintf(stderr, "sendpaths: cannot start the receiver thread\n");
		return 1;
	}
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);	/* best effort */
	memset(payload, 0x5a, sizeof(payload));
	memset(hdr, 0xa5, sizeof(hdr));

	for (s = 0; s < nsizes; s++) {
		for (r = 0; r < reps; r++) {
			for (m = 0; m < M_CNT; m++) {
				ns[m][s][r] = measure(m, tx, sizes[s], count);
				if (ns[m][s][r] < 0) {
					fprintf(stderr, "sendpaths: send: %s\n", strerror(errno));
					return 1;
				}
			}
		}
		for (m = 0; m < M_CNT; m++)
			med[m][s] = median(ns[m][s], reps);
	}
	__atomic_store_n(&d.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);

	if (json) {
		printf("{\"header\": %d, \"count\": %ld, \"reps\": %ld, \"sizes\": [",
		       HDR_LEN, count, reps);
		for (s = 0; s < nsizes; s++) {
			printf("%s{\"payload\": %ld", s ? ", " : "", sizes[s]);
			for (m = 0; m < M_CNT; m++)
				if (m != M_CMSG)
					printf(", \"%s_ns\": %.0f", mode_name[m],
					       med[m][s]);
			printf(", \"cmsg_ns\": %.0f", med[M_CMSG][s] - med[M_PLAIN][s]);
			printf(", \"cork_ratio\": %.3f, \"seg_ratio\": %.3f, \"bounce_ratio\": %.3f",
			       med[M_PLAIN][s] / med[M_CORK][s],
			       med[M_PLAIN][s] / med[M_SEG][s],
			       med[M_PLAIN][s] / med[M_BOUNCE][s]);
			printf(", \"cork_est_ratio\": %.3f, \"seg_est_ratio\": %.3f}",
			       est(med, M_CORK, s), est(med, M_SEG, s));
		}
		printf("]}\n");
		return 0;
	}
	printf("ns per datagram over loopback, median of %ld rounds of %ld; ratio = plain / path\n",
	       reps, count);
	printf("%8s %7s %7s %7s %7s %6s %6s %6s %7s %5s %6s %6s\n", "payload",
	       "plain", "cork", "seg", "bounce", "cork", "seg", "bounce",
	       "syscall", "cmsg", "cork*", "seg*");
	for (s = 0; s < nsizes; s++)
		printf("%6ld B %7.0f %7.0f %7.0f %7.0f %6.3f %6.3f %6.3f %7.0f %5.0f %6.3f %6.3f\n",
		       sizes[s], med[M_PLAIN][s], med[M_CORK][s],
		       med[M_SEG][s], med[M_BOUNCE][s],
		       med[M_PLAIN][s] / med[M_CORK][s],
		       med[M_PLAIN][s] / med[M_SEG][s],
		       med[M_PLAIN][s] / med[M_BOUNCE][s], med[M_SYSCALL][s],
		       med[M_CMSG][s] - med[M_PLAIN][s],
		       est(med, M_CORK, s), est(med, M_SEG, s));
	return 0;
}
