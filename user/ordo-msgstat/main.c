// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-msgstat: counts ordo's protocol messages on the wire with eBPF
 * (bpf/msgstat.bpf.c) and ordo.ko's stamping events, as a live table, as
 * JSON, for the duration of a command, and against the textbook message
 * complexity of a protocol. Documentation/ordo-msgstat.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "ordo_rt.h"
#include "ms_report.h"
#include "msgstat.skel.h"

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_NOBPF = 2,
	EXIT_FAIL = 3,
};

#define MAX_ATTACH	64

/* One tc attachment: an interface of a network namespace. */
struct tc_att {
	int nsfd;		/* the namespace (shared by its interfaces) */
	char ifname[IF_NAMESIZE];
	int ifindex;
	bool created_hook;	/* we created the clsact qdisc: remove it */
	bool attached[MSGSTAT_NR_DIRS];
	struct bpf_tc_opts opts[MSGSTAT_NR_DIRS];
};

struct target {
	const char *netns;	/* NULL: this one */
	char *ifs;		/* comma-separated; NULL: every interface but lo */
};

static struct {
	bool json, reset, verbose, no_stamps;
	double interval;
	long count;		/* reports; < 0: until a signal */
	char **run_argv;
	const char *config;
	const char *theory;
	unsigned int nodes;
	struct target targets[MAX_ATTACH];
	size_t ntargets;
	const char *cgroups[MAX_ATTACH];
	size_t ncgroups;
} opt = { .interval = 1, .count = -1 };

static struct msgstat_bpf *skel;
static struct tc_att att[MAX_ATTACH];
static size_t natt;
static struct bpf_link *cg_links[2 * MAX_ATTACH];
static size_t ncg_links;
static uint32_t netns_ino[MAX_ATTACH];
static size_t nnetns;
static int self_ns = -1;
static volatile sig_atomic_t stop_sig;
static pid_t child = -1;

static void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("ordo-msgstat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!opt.verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void on_signal(int sig)
{
	stop_sig = sig;
	if (child > 0 && sig != SIGINT)	/* SIGINT reaches the command anyway */
		kill(child, sig);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ordo-msgstat [OPTIONS] [INTERVAL [COUNT]]\n"
		"       ordo-msgstat [OPTIONS] --run -- CMD [ARG...]\n"
		"\n"
		"Count ordo's protocol messages on the wire (eBPF, tc clsact or cgroup_skb)\n"
		"per protocol, type, direction and peer, and ordo.ko's stamping events.\n"
		"Prints a table every INTERVAL seconds (default 1), COUNT times (default:\n"
		"until SIGINT/SIGTERM), or once after CMD exits with --run.\n"
		"\n"
		"  -i, --interface IF[,IF...]   attach to interfaces of this namespace\n"
		"  -n, --netns NS[:IF[,IF...]]  attach in network namespace NS (a name of\n"
		"                               /run/netns or a path); default: its every\n"
		"                               interface but lo\n"
		"  -c, --cgroup PATH            attach cgroup_skb ingress/egress to a cgroup v2\n"
		"  -C, --config FILE            cluster.conf: peer node ids of destinations\n"
		"  -j, --json                   one JSON object per report\n"
		"  -r, --reset                  zero the counters after every report\n"
		"      --run                    count only while CMD runs; exit with its status\n"
		"  -t, --theory PROTO           messages per operation of PROTO against the\n"
		"                               textbook formula (central, ring, ra, lamport,\n"
		"                               vote, bully, ring_election)\n"
		"  -N, --nodes N                the number of nodes for --theory\n"
		"      --no-stamps              do not attach the stamping probe (it pins ordo.ko)\n"
		"  -v, --verbose                libbpf's messages\n"
		"  -h, --help                   this help\n"
		"\n"
		"Exit status: 0 ok, 1 usage error, 2 no root or no BPF support, 3 failure;\n"
		"with --run, CMD's status. See Documentation/ordo-msgstat.rst.\n");
}

static int usage_err(const char *fmt, const char *arg)
{
	fputs("ordo-msgstat: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (try 'ordo-msgstat --help')\n", stderr);
	return EXIT_USAGE;
}

static int open_netns(const char *name)
{
	char path[PATH_MAX];

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void add_netns_ino(int fd)
{
	struct stat st;
	size_t i;

	if (fstat(fd, &st))
		return;
	for (i = 0; i < nnetns; i++)
		if (netns_ino[i] == (uint32_t)st.st_ino)
			return;
	if (nnetns < MAX_ATTACH)
		netns_ino[nnetns++] = (uint32_t)st.st_ino;
}

static int tc_attach_one(int nsfd, const char *ifname)
{
	struct tc_att *a;
	int dir, err;

	if (natt == MAX_ATTACH) {
		errmsg("more than %d interfaces", MAX_ATTACH);
		return -1;
	}
	a = &att[natt];
	memset(a, 0, sizeof(*a));
	a->nsfd = nsfd;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->ifindex = (int)if_nametoindex(ifname);
	if (!a->ifindex) {
		errmsg("no interface %s", ifname);
		return -1;
	}
	{
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
				    .attach_point = BPF_TC_INGRESS);

		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			errmsg("%s: clsact: %s", ifname, strerror(-err));
			return -1;
		}
		a->created_hook = !err;
	}
	natt++;
	for (dir = 0; dir < MSGSTAT_NR_DIRS; dir++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
				    .attach_point = dir == MSGSTAT_TX ? BPF_TC_EGRESS : BPF_TC_INGRESS);
		struct bpf_program *p = dir == MSGSTAT_TX ? skel->progs.msgstat_tc_tx :
							    skel->progs.msgstat_tc_rx;

		memset(&a->opts[dir], 0, sizeof(a->opts[dir]));
		a->opts[dir].sz = sizeof(a->opts[dir]);
		a->opts[dir].prog_fd = bpf_program__fd(p);
		err = bpf_tc_attach(&hook, &a->opts[dir]);
		if (err) {
			errmsg("%s: attach %s: %s", ifname, ms_dir_name(dir), strerror(-err));
			return -1;
		}
		a->attached[dir] = true;
	}
	return 0;
}

/* Detach everything, each namespace entered in turn; errors are ignored
 * (an interface or namespace may be gone).
 */
static void detach_all(void)
{
	size_t i;
	int dir;

	for (i = natt; i-- > 0;) {
		struct tc_att *a = &att[i];

		if (a->nsfd >= 0 && setns(a->nsfd, CLONE_NEWNET))
			continue;
		for (dir = 0; dir < MSGSTAT_NR_DIRS; dir++) {
			DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
					    .attach_point = dir == MSGSTAT_TX ? BPF_TC_EGRESS :
										BPF_TC_INGRESS);
			DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = a->opts[dir].handle,
					    .priority = a->opts[dir].priority);

			if (a->attached[dir])
				bpf_tc_detach(&hook, &o);
			a->attached[dir] = false;
		}
		if (a->created_hook) {
			DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
					    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

			bpf_tc_hook_destroy(&hook);
			a->created_hook = false;
		}
	}
	if (self_ns >= 0)
		setns(self_ns, CLONE_NEWNET);
	natt = 0;
	for (i = 0; i < ncg_links; i++)
		bpf_link__destroy(cg_links[i]);
	ncg_links = 0;
}

static int attach_target(const struct target *t)
{
	struct if_nameindex *ifs = NULL, *p;
	int nsfd = -1, ret = -1;
	char *s, *save = NULL, *list = NULL;

	if (t->netns) {
		nsfd = open_netns(t->netns);
		if (nsfd < 0) {
			errmsg("netns %s: %s", t->netns, strerror(errno));
			return -1;
		}
		if (setns(nsfd, CLONE_NEWNET)) {
			errmsg("netns %s: setns: %s", t->netns, strerror(errno));
			close(nsfd);
			return -1;
		}
		add_netns_ino(nsfd);
	} else {
		add_netns_ino(self_ns);
	}
	if (t->ifs) {
		list = strdup(t->ifs);
		if (!list)
			goto out;
		for (s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save))
			if (tc_attach_one(t->netns ? nsfd : self_ns, s))
				goto out;
	} else {
		ifs = if_nameindex();
		if (!ifs) {
			errmsg("list interfaces: %s", strerror(errno));
			goto out;
		}
		for (p = ifs; p->if_index; p++)
			if (strcmp(p->if_name, "lo") &&
			    tc_attach_one(t->netns ? nsfd : self_ns, p->if_name))
				goto out;
	}
	ret = 0;
out:
	free(list);
	if (ifs)
		if_freenameindex(ifs);
	if (t->netns && setns(self_ns, CLONE_NEWNET)) {
		errmsg("setns back: %s", strerror(errno));
		ret = -1;
	}
	/* nsfd stays open: detach enters it again */
	return ret;
}

static int attach_cgroup(const char *path)
{
	struct bpf_link *l;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		errmsg("cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	l = bpf_program__attach_cgroup(skel->progs.msgstat_cg_rx, fd);
	if (!l)
		goto err;
	cg_links[ncg_links++] = l;
	l = bpf_program__attach_cgroup(skel->progs.msgstat_cg_tx, fd);
	if (!l)
		goto err;
	cg_links[ncg_links++] = l;
	close(fd);
	return 0;
err:
	errmsg("cgroup %s: attach: %s", path, strerror(errno));
	close(fd);
	return -1;
}

/* ---------------------------------------------------------------- reading */

static int ncpus;

/* Add @v to the entry of @k in @e, appending one when there is none. */
static int entry_add(struct ms_entry **e, size_t *n, size_t *cap,
		     const struct msgstat_key *k, const struct msgstat_val *v)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!memcmp(&(*e)[i].key, k, sizeof(*k)))
			break;
	if (i == *n) {
		if (*n == *cap) {
			struct ms_entry *ne;
			size_t nc = *cap ? 2 * *cap : 64;

			ne = realloc(*e, nc * sizeof(**e));
			if (!ne)
				return -ENOMEM;
			*e = ne;
			*cap = nc;
		}
		memset(&(*e)[i], 0, sizeof((*e)[i]));
		(*e)[i].key = *k;
		(*n)++;
	}
	(*e)[i].val.packets += v->packets;
	(*e)[i].val.bytes += v->bytes;
	(*e)[i].val.retx += v->retx;
	(*e)[i].val.opdone += v->opdone;
	return 0;
}

/*
 * The slots of every CPU into the entries (a free slot has packets 0; see
 * struct msgstat_slot).
 */
static int read_slots(struct ms_entry **e, size_t *n, size_t *cap)
{
	int fd = bpf_map__fd(skel->maps.slots);
	struct msgstat_slot *sl = calloc(ncpus, sizeof(*sl));
	__u32 k;
	int c;

	if (!sl)
		return -ENOMEM;
	for (k = 0; k < MSGSTAT_NR_SLOTS; k++) {
		if (bpf_map_lookup_elem(fd, &k, sl))
			continue;
		for (c = 0; c < ncpus; c++)
			if (sl[c].val.packets && sl[c].key.family &&
			    entry_add(e, n, cap, &sl[c].key, &sl[c].val)) {
				free(sl);
				return -ENOMEM;
			}
	}
	free(sl);
	return 0;
}

static int read_msgs(struct ms_entry **out, size_t *nout)
{
	int fd = bpf_map__fd(skel->maps.msgs);
	struct msgstat_key key, next, *prev = NULL;
	struct msgstat_val *vals = calloc(ncpus, sizeof(*vals));
	struct ms_entry *e = NULL;
	size_t n = 0, cap = 0;
	int c;

	if (!vals)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;	/* deleted meanwhile */
		if (n == cap) {
			struct ms_entry *ne;

			cap = cap ? 2 * cap : 64;
			ne = realloc(e, cap * sizeof(*e));
			if (!ne) {
				free(e);
				free(vals);
				return -ENOMEM;
			}
			e = ne;
		}
		memset(&e[n], 0, sizeof(e[n]));
		e[n].key = key;
		for (c = 0; c < ncpus; c++) {
			e[n].val.packets += vals[c].packets;
			e[n].val.bytes += vals[c].bytes;
			e[n].val.retx += vals[c].retx;
			e[n].val.opdone += vals[c].opdone;
		}
		n++;
	}
	free(vals);
	if (read_slots(&e, &n, &cap)) {
		free(e);
		return -ENOMEM;
	}
	*out = e;
	*nout = n;
	return 0;
}

static int read_misc(struct ms_misc *m)
{
	int fd = bpf_map__fd(skel->maps.misc);
	__u64 vals[ncpus];
	__u32 k;
	int c;

	memset(m, 0, sizeof(*m));
	for (k = 0; k < MSGSTAT_MISC_SLOTS; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			return -errno;
		for (c = 0; c < ncpus; c++)
			m->slot[k] += vals[c];
	}
	return 0;
}

static int read_stamps(struct ms_stamp **out, size_t *nout)
{
	int fd = bpf_map__fd(skel->maps.stamps), afd = bpf_map__fd(skel->maps.stamp_cnt);
	struct msgstat_stamp_key key, next, *prev = NULL;
	__u64 vals[ncpus];
	struct ms_stamp *s = NULL;
	size_t n = 0, cap = 0;
	__u32 i, ev;
	int c;

	/* the attached namespaces: stamp_cnt */
	for (i = 0; i < MSGSTAT_STAMP_NS && skel->bss->stamp_ns[i]; i++) {
		for (ev = 0; ev < MSGSTAT_NR_ST; ev++) {
			struct ms_stamp *ns;
			__u32 k = i * MSGSTAT_ST_STRIDE + ev;

			if (bpf_map_lookup_elem(afd, &k, vals))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				ns = realloc(s, cap * sizeof(*s));
				if (!ns) {
					free(s);
					return -ENOMEM;
				}
				s = ns;
			}
			memset(&s[n], 0, sizeof(s[n]));
			s[n].key.netns = skel->bss->stamp_ns[i];
			s[n].key.event = ev;
			for (c = 0; c < ncpus; c++)
				s[n].count += vals[c];
			n++;
		}
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		if (n == cap) {
			struct ms_stamp *ns;

			cap = cap ? 2 * cap : 16;
			ns = realloc(s, cap * sizeof(*s));
			if (!ns) {
				free(s);
				return -ENOMEM;
			}
			s = ns;
		}
		s[n].key = key;
		s[n].count = 0;
		for (c = 0; c < ncpus; c++)
			s[n].count += vals[c];
		n++;
	}
	*out = s;
	*nout = n;
	return 0;
}

/* Zero every counter: delete the hash entries, zero the array. */
static void reset_maps(void)
{
	int fds[2] = { bpf_map__fd(skel->maps.msgs), bpf_map__fd(skel->maps.stamps) };
	__u8 key[sizeof(struct msgstat_key)], next[sizeof(struct msgstat_key)];
	struct msgstat_slot *zslot = calloc(ncpus, sizeof(*zslot));
	__u64 zero[ncpus];
	__u32 k;
	int i;

	for (i = 0; i < 2; i++)
		while (!bpf_map_get_next_key(fds[i], NULL, next)) {
			memcpy(key, next, sizeof(key));
			if (bpf_map_delete_elem(fds[i], key))
				break;
		}
	memset(zero, 0, sizeof(zero));
	for (k = 0; k < MSGSTAT_MISC_SLOTS; k++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.misc), &k, zero, BPF_ANY);
	for (k = 0; k < MSGSTAT_STAMP_NS * MSGSTAT_ST_STRIDE; k++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.stamp_cnt), &k, zero, BPF_ANY);
	if (zslot)
		for (k = 0; k < MSGSTAT_NR_SLOTS; k++)
			bpf_map_update_elem(bpf_map__fd(skel->maps.slots), &k, zslot, BPF_ANY);
	free(zslot);
}

static struct ms_node_addr *node_addrs;
static struct ms_nodes nodes;

static int load_config(const char *path)
{
	char err[ORDO_CONF_ERR_LEN];
	struct ordo_conf *c;
	size_t i;

	if (ordo_conf_load(&c, path, err)) {
		errmsg("%s", err);
		return -1;
	}
	node_addrs = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*node_addrs));
	if (!node_addrs) {
		ordo_conf_free(c);
		return -1;
	}
	for (i = 0; i < c->n_nodes; i++) {
		const struct ordo_conf_node *cn = &c->nodes[i];
		struct ms_node_addr *a = &node_addrs[nodes.n];

		if (cn->addr.ss_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)&cn->addr;

			a->addr[10] = a->addr[11] = 0xff;
			memcpy(a->addr + 12, &s->sin_addr, 4);
		} else if (cn->addr.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)&cn->addr;

			memcpy(a->addr, &s->sin6_addr, 16);
		} else {
			continue;
		}
		a->node = cn->id;
		nodes.n++;
	}
	nodes.v = node_addrs;
	ordo_conf_free(c);
	return 0;
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct ms_row *prev_rows;
static size_t nprev_rows;

/* One report over the last @secs seconds. */
static int report(double secs)
{
	struct ms_entry *e = NULL;
	struct ms_stamp *st = NULL;
	struct ms_row *rows = NULL;
	struct ms_misc misc;
	struct ms_theory th;
	size_t n = 0, nst = 0, nrows = 0;
	struct ms_report r;
	int err;

	err = read_msgs(&e, &n);
	if (!err)
		err = read_misc(&misc);
	if (!err)
		err = read_stamps(&st, &nst);
	if (!err)
		err = ms_rows_build(e, n, &nodes, prev_rows, nprev_rows, secs, opt.reset,
				    &rows, &nrows);
	if (err) {
		errmsg("reading the maps: %s", strerror(-err));
		free(e);
		free(st);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.time = now_real();
	r.interval = secs;
	r.rows = rows;
	r.nrows = nrows;
	r.misc = &misc;
	r.stamps = st;
	r.nstamps = nst;
	r.netns = netns_ino;
	r.nnetns = nnetns;
	if (opt.theory) {
		uint8_t proto = 0;

		ms_theory_proto(opt.theory, &proto);
		ms_theory_eval(rows, nrows, proto, opt.nodes, &th);
		r.theory = &th;
	}
	if (opt.json) {
		struct json_object *o = ms_report_json(&r);

		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
	} else {
		ms_report_table(stdout, &r);
	}
	if (opt.reset)
		reset_maps();
	free(prev_rows);
	prev_rows = rows;
	nprev_rows = nrows;
	free(e);
	free(st);
	return 0;
}

static int run_cmd(void)
{
	int st, ret;
	double t0 = now_mono();

	child = fork();
	if (child < 0) {
		errmsg("fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (!child) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(opt.run_argv[0], opt.run_argv);
		fprintf(stderr, "ordo-msgstat: %s: %s\n", opt.run_argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &st, 0) < 0) {
		if (errno != EINTR) {
			errmsg("waitpid: %s", strerror(errno));
			return EXIT_FAIL;
		}
	}
	child = -1;
	ret = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (report(now_mono() - t0))
		return EXIT_FAIL;
	return ret;
}

static int run_intervals(void)
{
	double t0 = now_mono(), t;
	long i;

	for (i = 0; opt.count < 0 || i < opt.count; i++) {
		struct timespec ts = {
			.tv_sec = (time_t)opt.interval,
			.tv_nsec = (long)((opt.interval - (time_t)opt.interval) * 1e9),
		};

		while (!stop_sig && nanosleep(&ts, &ts) && errno == EINTR)
			;
		if (stop_sig)
			break;
		t = now_mono();
		if (report(t - t0))
			return EXIT_FAIL;
		t0 = t;
	}
	return EXIT_OK;
}

static int parse_args(int argc, char **argv)
{
	enum { OPT_RUN = 256, OPT_NO_STAMPS };
	static const struct option lo[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "netns", required_argument, NULL, 'n' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "reset", no_argument, NULL, 'r' },
		{ "run", no_argument, NULL, OPT_RUN },
		{ "theory", required_argument, NULL, 't' },
		{ "nodes", required_argument, NULL, 'N' },
		{ "no-stamps", no_argument, NULL, OPT_NO_STAMPS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool run = false;
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "+i:n:c:C:jrt:N:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'n':
			if (opt.ntargets == MAX_ATTACH)
				return usage_err("too many %s", "targets");
			if (c == 'i') {
				opt.targets[opt.ntargets].ifs = optarg;
			} else {
				char *colon = strchr(optarg, ':');

				if (colon) {
					*colon = 0;
					opt.targets[opt.ntargets].ifs = colon + 1;
				}
				opt.targets[opt.ntargets].netns = optarg;
			}
			opt.ntargets++;
			break;
		case 'c':
			if (opt.ncgroups == MAX_ATTACH)
				return usage_err("too many %s", "cgroups");
			opt.cgroups[opt.ncgroups++] = optarg;
			break;
		case 'C':
			opt.config = optarg;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'r':
			opt.reset = true;
			break;
		case OPT_RUN:
			run = true;
			break;
		case 't':
			opt.theory = optarg;
			break;
		case 'N':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 65535)
				return usage_err("bad node count '%s'", optarg);
			opt.nodes = (unsigned int)v;
			break;
		case OPT_NO_STAMPS:
			opt.no_stamps = true;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			return EXIT_USAGE;
		}
	}
	if (opt.theory) {
		uint8_t p;

		if (ms_theory_proto(opt.theory, &p))
			return usage_err("no formula for protocol '%s'", opt.theory);
		if (!opt.nodes)
			return usage_err("%s needs --nodes N", "--theory");
	}
	if (run) {
		if (optind >= argc)
			return usage_err("%s needs a command", "--run");
		opt.run_argv = argv + optind;
		return 0;
	}
	if (optind < argc) {
		opt.interval = strtod(argv[optind], &end);
		if (*end || !(opt.interval > 0) || opt.interval > 86400)
			return usage_err("bad interval '%s'", argv[optind]);
		optind++;
	}
	if (optind < argc) {
		opt.count = strtol(argv[optind], &end, 10);
		if (*end || opt.count < 1)
			return usage_err("bad count '%s'", argv[optind]);
		optind++;
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ret = EXIT_FAIL, err;
	size_t i;

	err = parse_args(argc, argv);
	if (err)
		return err;
	if (!opt.ntargets && !opt.ncgroups) {
		usage_err("%s", "nothing to attach to: give -i, -n or -c");
		return EXIT_USAGE;
	}
	if (opt.config && load_config(opt.config))
		return EXIT_FAIL;
	libbpf_set_print(libbpf_print);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		errmsg("cannot count the CPUs");
		return EXIT_FAIL;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		errmsg("no BPF support: the kernel has no BTF (/sys/kernel/btf/vmlinux)");
		return EXIT_NOBPF;
	}
	skel = msgstat_bpf__open();
	if (!skel) {
		errmsg("no BPF support: cannot open the probes: %s", strerror(errno));
		return EXIT_NOBPF;
	}
	/* the stamp probe needs ordo.ko and pins it while attached */
	if (opt.no_stamps || access("/sys/module/ordo", F_OK))
		bpf_program__set_autoload(skel->progs.msgstat_stamp, false);
	err = msgstat_bpf__load(skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			errmsg("needs root (CAP_BPF, CAP_NET_ADMIN): loading the probes: %s",
			       strerror(-err));
		else
			errmsg("no BPF support: loading the probes: %s", strerror(-err));
		msgstat_bpf__destroy(skel);
		return EXIT_NOBPF;
	}
	if (bpf_program__autoload(skel->progs.msgstat_stamp)) {
		skel->links.msgstat_stamp = bpf_program__attach(skel->progs.msgstat_stamp);
		if (!skel->links.msgstat_stamp) {
			errmsg("attach to ordo:ordo_lc_event: %s", strerror(errno));
			goto out;
		}
	}
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_ns < 0) {
		errmsg("/proc/self/ns/net: %s", strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (i = 0; i < opt.ntargets; i++)
		if (attach_target(&opt.targets[i]))
			goto out;
	for (i = 0; i < opt.ncgroups; i++)
		if (attach_cgroup(opt.cgroups[i]))
			goto out;
	/* the attached namespaces' stamps go to stamp_cnt (no hash) */
	for (i = 0; i < nnetns && i < MSGSTAT_STAMP_NS; i++)
		skel->bss->stamp_ns[i] = netns_ino[i];
	ret = opt.run_argv ? run_cmd() : run_intervals();
out:
	detach_all();
	msgstat_bpf__destroy(skel);
	free(prev_rows);
	free(node_addrs);
	return ret;
}
