// SPDX-License-Identifier: GPL-2.0
/*
 * toggle NS_TX NS_RX RX_ADDR SEC PHASE_MS MODE: one stream of stamped UDP
 * datagrams (Lamport, 64 B: application header and a 48-byte body) from
 * netns NS_TX to RX_ADDR in netns NS_RX over their veth pair, SEC seconds
 * long, while ordo-msgstat's probes are attached and detached every
 * PHASE_MS milliseconds: phases alternate off, on, off, on, ...
 *
 * MODE says what "on" attaches, as ordo-msgstat does it (the same
 * skeleton, the same programs; the hooks stay, see hooks_setup()):
 *   tc     the wire probes: clsact ingress and egress on the veth end of
 *          each namespace (ordo-msgstat --no-stamps -n NS_TX -n NS_RX)
 *   stamp  the stamp probe only (raw_tp ordo:ordo_lc_event)
 *   both   both (ordo-msgstat -n NS_TX -n NS_RX)
 *   tcnull (diagnostic) an empty tc program on the same hooks
 *   cg     (diagnostic) the wire probes as cgroup_skb on the cgroup v2 root
 *   cgnull (diagnostic) an empty cgroup_skb program (pass) there instead
 *
 * -u stamps with libordo's userspace implementation (struct ordo_ldom)
 * instead of ordo.ko: the same datagrams on the wire, and no module needed
 * for tc, tcnull, cg and cgnull. With TOGGLE_PROG_STATS set (and sysctl
 * kernel.bpf_stats_enabled=1, which itself slows every program) it prints
 * the probes' run count and mean ns per run on stderr.
 *
 * The receiver counts what recvmsg() delivers in a shared counter; the
 * controller reads it at the start and end of each phase (after SETTLE_MS
 * to let the change take effect), so the rate of a phase is the
 * receiver's. Because the phases of both kinds interleave tightly, a slow
 * stretch of the machine (TCG on a shared host) hits both alike: each on
 * phase is compared with the mean of the off phases around it, and the
 * median of those paired ratios is the overhead estimate. Prints one JSON
 * object: mode, phases, the per-phase rates, median off and on rates and
 * the median paired ratio. A sanity check that the probes ran: what they
 * counted in the on phases must be at least 90% of what the receiver got
 * in them (not all of it: the datagrams queued at the receiver when the
 * probes came crossed the wire before them).
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
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/ordo_app.h>
#include <linux/ordo_wire.h>
#include "libordo.h"
#include "msgstat.h"
#include "msgstat.skel.h"

#define PORT		9478
#define DOMAIN		0x6d74
#define SETTLE_MS	20
#define MAX_PHASES	4096

struct shared {
	volatile uint64_t received;	/* by the receiver */
	volatile int stop;		/* to the sender */
};

static struct shared *sh;
static int user;	/* -u: libordo's userspace stamping, not ordo.ko */

static void die(const char *what, int err)
{
	fprintf(stderr, "toggle: %s: %s\n", what, strerror(err));
	/* from the controller: the stream's processes stop too */
	if (sh)
		sh->stop = 1;
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int ns_open(const char *ns)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "/run/netns/%s", ns);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(p, errno);
	return fd;
}

static void ns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET))
		die("setns", errno);
}

/*
 * The stream's Lamport domain in this netns: ordo.ko's (created, the
 * sockets opted in with ORDO_IOC_ATTACH), or with -u libordo's userspace
 * implementation (the same header on the wire).
 */
static struct ordo_ldom *domain_open(uint32_t node)
{
	struct ordo_lclock_params p = {
		.domain = DOMAIN, .kind = ORDO_WIRE_KIND_LAMPORT,
		.has_node = 1, .node = node, .has_group = 1, .group = DOMAIN,
	};
	struct ordo_ldom *d;
	struct ordo *h;
	int err;

	if (!user) {
		/* a stale one of an earlier run */
		err = ordo_open(&h);
		if (err)
			die("ordo_open", -err);
		ordo_lclock_domain_del(h, DOMAIN);
		ordo_close(h);
	}
	err = ordo_ldom_open(&d, &p, user ? ORDO_LDOM_F_USER :
				     ORDO_LDOM_F_KERNEL | ORDO_LDOM_F_CREATE);
	if (err)
		die("ordo_ldom_open", -err);
	return d;
}

static void domain_close(struct ordo_ldom *d)
{
	struct ordo *h;

	ordo_ldom_close(d);
	if (!user && !ordo_open(&h)) {
		ordo_lclock_domain_del(h, DOMAIN);
		ordo_close(h);
	}
}

static int udp_sock(struct ordo_ldom *d, const char *addr, int rx)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int buf = 8 << 20, fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		die("socket", errno);
	setsockopt(fd, SOL_SOCKET, rx ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, &buf, sizeof(buf));
	if (rx ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) :
		 connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die(rx ? "bind" : "connect", errno);
	err = ordo_ldom_attach(d, fd, 0);
	if (err)
		die("ordo_ldom_attach", -err);
	return fd;
}

static void receiver(int nsfd, const char *addr, int ready)
{
	static char data[65536], cbuf[256];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct ordo_ldom *d;
	int fd;

	ns_enter(nsfd);
	d = domain_open(2);
	fd = udp_sock(d, addr, 1);
	if (write(ready, "r", 1) != 1)
		die("pipe", errno);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 500) == 0 && sh->stop)
			break;
		for (;;) {
			m.msg_control = cbuf;
			m.msg_controllen = sizeof(cbuf);
			if (ordo_lrecvmsg(d, fd, &m, MSG_DONTWAIT) < 0)
				break;
			sh->received++;
		}
	}
	close(fd);
	domain_close(d);
	_exit(0);
}

static void sender(int nsfd, const char *addr, int ready)
{
	struct ordo_app_info a = { .proto = ORDO_APP_PROTO_MUTEX_RA, .type = 1,
				   .sender = 1, .xid = 1, .body_len = 48 };
	uint8_t b[64];
	struct iovec iov = { b, sizeof(b) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct ordo_ldom *d;
	unsigned int i;
	int fd;

	ns_enter(nsfd);
	d = domain_open(1);
	fd = udp_sock(d, addr, 0);
	ordo_app_encode(b, sizeof(b), &a);
	memset(b + ORDO_APP_HDR_LEN, 0x5a, 48);
	if (write(ready, "s", 1) != 1)
		die("pipe", errno);
	for (i = 0; !(i & 63) ? !sh->stop : 1; i++)
		ordo_lsendmsg(d, fd, &m, 0);
	close(fd);
	domain_close(d);
	_exit(0);
}

/* ---------------------------------------------------------------- probes */

struct tc_end {
	int nsfd, ifindex;
	struct bpf_tc_opts opts[2];
};

static struct msgstat_bpf *skel;
static struct tc_end ends[2];
static int self_ns;
/* tcnull: the fd of an empty tc program (TC_ACT_UNSPEC), else -1 */
static int null_tc = -1;
/* cg: the cgroup the sender and receiver run in, the probes' links */
static int cg_fd = -1;
static struct bpf_link *cg_links[2];
/* cgnull: attach the empty program (keep_prog) instead of the probes */
static int cg_null;
static int keep_prog = -1;

/* the veth end of the namespace: its only interface but lo */
static int veth_of(int nsfd)
{
	struct if_nameindex *ifs, *i;
	int idx = 0;

	ns_enter(nsfd);
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index; i++)
		if (strcmp(i->if_name, "lo"))
			idx = (int)i->if_index;
	if_freenameindex(ifs);
	ns_enter(self_ns);
	if (!idx)
		die("no veth in the namespace", ENODEV);
	return idx;
}

static void tc_on(void)
{
	int e, dir, err;

	for (e = 0; e < 2; e++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ends[e].ifindex,
				    .attach_point = BPF_TC_INGRESS);

		ns_enter(ends[e].nsfd);
		for (dir = 0; dir < 2; dir++) {
			struct bpf_tc_opts *o = &ends[e].opts[dir];

			hook.attach_point = dir == MSGSTAT_TX ? BPF_TC_EGRESS : BPF_TC_INGRESS;
			memset(o, 0, sizeof(*o));
			o->sz = sizeof(*o);
			o->prog_fd = null_tc >= 0 ? null_tc :
				     bpf_program__fd(dir == MSGSTAT_TX ? skel->progs.msgstat_tc_tx :
									 skel->progs.msgstat_tc_rx);
			err = bpf_tc_attach(&hook, o);
			if (err)
				die("tc attach", -err);
		}
	}
	ns_enter(self_ns);
}

static void tc_off(void)
{
	int e, dir;

	for (e = 0; e < 2; e++) {
		ns_enter(ends[e].nsfd);
		for (dir = 0; dir < 2; dir++) {
			DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ends[e].ifindex,
					    .attach_point = dir == MSGSTAT_TX ? BPF_TC_EGRESS :
										BPF_TC_INGRESS);
			DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = ends[e].opts[dir].handle,
					    .priority = ends[e].opts[dir].priority);

			bpf_tc_detach(&hook, &o);
		}
	}
	ns_enter(self_ns);
}

/*
 * The clsact hooks stay for the whole run, and an empty program stays on
 * the stamp tracepoint: creating a clsact qdisc or a first tracepoint
 * probe flips a static key, and patching the kernel text every phase
 * while a CPU runs through it left the TCG VM in a soft lockup (48 s in
 * __netif_receive_skb_core's ingress branch). So an off phase has the
 * hooks without filters (no program runs) and the tracepoint with a
 * program that returns at once; on adds the probes.
 */
static void hooks_setup(int stamp)
{
	int e, err;

	for (e = 0; e < 2; e++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ends[e].ifindex,
				    .attach_point = BPF_TC_INGRESS);

		ns_enter(ends[e].nsfd);
		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST)
			die("clsact", -err);
	}
	ns_enter(self_ns);
	if (stamp) {
		struct bpf_insn insns[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "ordo_tp_keep", "GPL",
				       insns, 2, NULL);

		if (fd < 0 || bpf_raw_tracepoint_open("ordo_lc_event", fd) < 0)
			die("empty program on ordo:ordo_lc_event", errno);
	}
}

static void hooks_teardown(void)
{
	int e;

	for (e = 0; e < 2; e++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ends[e].ifindex,
				    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

		ns_enter(ends[e].nsfd);
		bpf_tc_hook_destroy(&hook);
	}
	ns_enter(self_ns);
}

/* cg: cgroup_skb ingress and egress on the cgroup of the stream */
static void cg_on(void)
{
	if (cg_null) {
		if (bpf_prog_attach(keep_prog, cg_fd, BPF_CGROUP_INET_INGRESS,
				    BPF_F_ALLOW_MULTI) ||
		    bpf_prog_attach(keep_prog, cg_fd, BPF_CGROUP_INET_EGRESS,
				    BPF_F_ALLOW_MULTI))
			die("attach the empty cgroup_skb program", errno);
		return;
	}
	cg_links[0] = bpf_program__attach_cgroup(skel->progs.msgstat_cg_rx, cg_fd);
	cg_links[1] = bpf_program__attach_cgroup(skel->progs.msgstat_cg_tx, cg_fd);
	if (!cg_links[0] || !cg_links[1])
		die("attach cgroup_skb", errno);
}

static void cg_off(void)
{
	if (cg_null) {
		bpf_prog_detach2(keep_prog, cg_fd, BPF_CGROUP_INET_INGRESS);
		bpf_prog_detach2(keep_prog, cg_fd, BPF_CGROUP_INET_EGRESS);
		return;
	}
	bpf_link__destroy(cg_links[0]);
	bpf_link__destroy(cg_links[1]);
	cg_links[0] = cg_links[1] = NULL;
}

/*
 * cg: the probes go on the root of the cgroup v2 hierarchy (unified, or
 * beside v1 on a hybrid system), where the stream runs or above it. An
 * empty cgroup_skb program (pass) on KEEP_CG, a child cgroup with no
 * process in it, keeps the cgroup_bpf static keys on for the whole run,
 * as hooks_setup() keeps the clsact hooks for tc: an off phase runs the
 * hooks with no program for the stream, an on phase with the probes.
 */
#define KEEP_CG	"ordo_mso_keep"
static int keep_cg = -1;
static char keep_path[64];

static void cg_unkeep(void);

static void cg_keep(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static const char *const mnt[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	enum bpf_attach_type t[2] = { BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS };
	int root = -1, i;
	struct statfs sf;

	for (i = 0; i < 2 && root < 0; i++) {
		if (statfs(mnt[i], &sf) || sf.f_type != CGROUP2_SUPER_MAGIC)
			continue;
		root = open(mnt[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		snprintf(keep_path, sizeof(keep_path), "%s/" KEEP_CG, mnt[i]);
	}
	if (root < 0)
		die("no cgroup v2 hierarchy at /sys/fs/cgroup{,/unified}", ENOENT);
	if (mkdir(keep_path, 0755) && errno != EEXIST)
		die(keep_path, errno);
	keep_cg = open(keep_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (keep_cg < 0)
		die(keep_path, errno);
	atexit(cg_unkeep);	/* die() too */
	keep_prog = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "ordo_cg_keep", "GPL",
				  insns, 2, NULL);
	if (keep_prog < 0)
		die("empty cgroup_skb program", errno);
	for (i = 0; i < 2; i++)
		if (bpf_prog_attach(keep_prog, keep_cg, t[i], BPF_F_ALLOW_MULTI))
			die("attach the empty cgroup_skb program", errno);
	cg_fd = root;
}

static void cg_unkeep(void)
{
	if (keep_cg < 0)
		return;
	if (cg_null)	/* died in an on phase */
		cg_off();
	bpf_prog_detach2(keep_prog, keep_cg, BPF_CGROUP_INET_INGRESS);
	bpf_prog_detach2(keep_prog, keep_cg, BPF_CGROUP_INET_EGRESS);
	close(keep_cg);
	keep_cg = -1;
	rmdir(keep_path);
}

static void stamp_on(void)
{
	skel->links.msgstat_stamp = bpf_program__attach(skel->progs.msgstat_stamp);
	if (!skel->links.msgstat_stamp)
		die("attach ordo:ordo_lc_event", errno);
}

static void stamp_off(void)
{
	bpf_link__destroy(skel->links.msgstat_stamp);
	skel->links.msgstat_stamp = NULL;
}

/* the app messages counted in rx by the wire probes, or the stamp probe's receives */
static uint64_t probe_count(int tc)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t sum = 0;
	__u32 k;

	if (tc) {
		struct msgstat_slot *sl = calloc(ncpu, sizeof(*sl));

		for (k = 0; sl && k < MSGSTAT_NR_SLOTS; k++)
			if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.slots), &k, sl))
				for (c = 0; c < ncpu; c++)
					if (sl[c].val.packets && sl[c].key.dir == MSGSTAT_RX &&
					    sl[c].key.cls == MSGSTAT_CLS_APP)
						sum += sl[c].val.packets;
		free(sl);
	} else {
		__u64 *v = calloc(ncpu, sizeof(*v));

		for (k = 0; v && k < MSGSTAT_STAMP_NS * MSGSTAT_ST_STRIDE; k++)
			if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.stamp_cnt), &k, v))
				for (c = 0; c < ncpu; c++)
					sum += v[c];
		free(v);
	}
	return sum;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static double rate[MAX_PHASES], on[MAX_PHASES], off[MAX_PHASES], ratio[MAX_PHASES];
	int ready[2], tc, stamp, cg, nsfd[2], nph, non = 0, noff = 0, nr = 0, i, st;
	unsigned int phase_ms;
	double secs, t_end, sum_on_rx = 0;
	uint64_t probes;
	pid_t rp, sp;
	char c;

	if (argc > 1 && !strcmp(argv[1], "-u")) {
		user = 1;
		argv++;
		argc--;
	}
	if (argc != 7) {
		fprintf(stderr, "usage: toggle [-u] NS_TX NS_RX RX_ADDR SEC PHASE_MS tc|stamp|both|tcnull|cg|cgnull\n");
		return 2;
	}
	secs = atof(argv[4]);
	phase_ms = (unsigned int)atoi(argv[5]);
	tc = !strcmp(argv[6], "tc") || !strcmp(argv[6], "both") ||
	     !strcmp(argv[6], "tcnull");
	stamp = !strcmp(argv[6], "stamp") || !strcmp(argv[6], "both");
	cg_null = !strcmp(argv[6], "cgnull");
	cg = !strcmp(argv[6], "cg") || cg_null;
	if (!(secs > 0) || phase_ms < 50 || (!tc && !stamp && !cg)) {
		fprintf(stderr, "toggle: bad SEC, PHASE_MS (>= 50) or MODE\n");
		return 2;
	}
	if (user && stamp) {
		fprintf(stderr, "toggle: -u: no stamp probe without ordo.ko (modes tc, tcnull, cg, cgnull)\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap", errno);
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	nsfd[0] = ns_open(argv[1]);
	nsfd[1] = ns_open(argv[2]);
	if (self_ns < 0 || pipe(ready))
		die("setup", errno);

	skel = msgstat_bpf__open();
	if (!skel)
		die("open the probes", errno);
	if (!stamp)
		bpf_program__set_autoload(skel->progs.msgstat_stamp, false);
	if (msgstat_bpf__load(skel))
		die("load the probes", errno);
	for (i = 0; i < 2; i++) {
		struct stat sb;

		ends[i].nsfd = nsfd[i];
		ends[i].ifindex = veth_of(nsfd[i]);
		if (fstat(nsfd[i], &sb))
			die("fstat", errno);
		skel->bss->stamp_ns[i] = (uint32_t)sb.st_ino;
	}

	rp = fork();
	if (!rp)
		receiver(nsfd[1], argv[3], ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("receiver", EIO);
	sp = fork();
	if (!sp)
		sender(nsfd[0], argv[3], ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("sender", EIO);

	if (!strcmp(argv[6], "tcnull")) {
		struct bpf_insn insns[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = -1 },
			{ .code = BPF_JMP | BPF_EXIT },
		};

		null_tc = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "ordo_tc_null", "GPL",
					insns, 2, NULL);
		if (null_tc < 0)
			die("empty tc program", errno);
	}
	if (cg)
		cg_keep();
	hooks_setup(stamp);
	sleep_ms(200);		/* the stream is up */
	probes = 0;
	t_end = now_s() + secs;
	for (nph = 0; nph < MAX_PHASES && now_s() < t_end; nph++) {
		int is_on = nph & 1;
		uint64_t c0, c1, p0 = 0;
		double t0, t1;

		if (is_on) {
			if (tc)
				tc_on();
			if (stamp)
				stamp_on();
			if (cg)
				cg_on();
		}
		sleep_ms(SETTLE_MS);
		if (is_on)
			p0 = probe_count(tc || cg);
		c0 = sh->received;
		t0 = now_s();
		sleep_ms(phase_ms);
		c1 = sh->received;
		t1 = now_s();
		if (is_on) {
			probes += probe_count(tc || cg) - p0;
			sum_on_rx += c1 - c0;
			if (tc)
				tc_off();
			if (stamp)
				stamp_off();
			if (cg)
				cg_off();
		}
		rate[nph] = (c1 - c0) / (t1 - t0);
	}
	sh->stop = 1;
	waitpid(sp, &st, 0);
	waitpid(rp, &st, 0);
	hooks_teardown();
	cg_unkeep();

	/* on phase i against the mean of off phases i - 1 and i + 1 */
	for (i = 1; i + 1 < nph; i += 2) {
		on[non++] = rate[i];
		if (rate[i - 1] + rate[i + 1] > 0)
			ratio[nr++] = rate[i] / ((rate[i - 1] + rate[i + 1]) / 2);
	}
	for (i = 0; i < nph; i += 2)
		off[noff++] = rate[i];
	printf("{\"mode\":\"%s\",\"phase_ms\":%u,\"phases\":%d,\"rates\":[", argv[6],
	       phase_ms, nph);
	for (i = 0; i < nph; i++)
		printf("%s%.0f", i ? "," : "", rate[i]);
	printf("],\"off_median\":%.0f,\"on_median\":%.0f,\"ratio_median\":%.4f,"
	       "\"on_received\":%.0f,\"probe_counted\":%llu}\n",
	       median(off, noff), median(on, non), median(ratio, nr), sum_on_rx,
	       (unsigned long long)probes);
	if (getenv("TOGGLE_PROG_STATS")) {
		struct bpf_program *pr;

		bpf_object__for_each_program(pr, skel->obj) {
			struct bpf_prog_info pi = {};
			__u32 len = sizeof(pi);

			if (bpf_program__fd(pr) >= 0 &&
			    !bpf_obj_get_info_by_fd(bpf_program__fd(pr), &pi, &len) && pi.run_cnt)
				fprintf(stderr, "%s: %llu runs, %.1f ns/run\n", bpf_program__name(pr),
					(unsigned long long)pi.run_cnt,
					(double)pi.run_time_ns / pi.run_cnt);
		}
		if (null_tc >= 0) {
			struct bpf_prog_info pi = {};
			__u32 len = sizeof(pi);

			if (!bpf_obj_get_info_by_fd(null_tc, &pi, &len) && pi.run_cnt)
				fprintf(stderr, "empty tc program: %llu runs, %.1f ns/run\n",
					(unsigned long long)pi.run_cnt,
					(double)pi.run_time_ns / pi.run_cnt);
		}
	}
	msgstat_bpf__destroy(skel);
	if (null_tc < 0 && !cg_null && (double)probes < 0.9 * sum_on_rx) {
		fprintf(stderr, "toggle: the probes counted %llu of %.0f datagrams received while on\n",
			(unsigned long long)probes, sum_on_rx);
		return 1;
	}
	return 0;
}
