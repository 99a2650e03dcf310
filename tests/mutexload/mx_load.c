// SPDX-License-Identifier: GPL-2.0
/*
 * mx_load: a load generator for ordo-mutexd without a process per
 * critical section. C clients, each a thread with its own local API
 * session (libordo's ordo_mutex.h, the calls `ordoctl lock` makes) to
 * the daemon of its node, spread round-robin over the --socket paths
 * given (one per node: the Unix sockets are files, so one process can
 * reach every node of a test cluster). Each client runs K entries:
 *
 *   t_req = now; acquire; t_grant = now;
 *   append "begin TOKEN NODE CLIENT" to the shared file (O_APPEND);
 *   hold for --hold-us;
 *   append "end TOKEN NODE CLIENT"; t_rel = now; release;
 *   think for --think-us (random in MIN..MAX).
 *
 * The history (one line per entry: client, node, entry, token, t_req,
 * t_grant, t_rel in CLOCK_MONOTONIC ns) goes to --history for
 * tests/mutexload/mutex_load_check.py; the daemons' counters (the
 * mutex.status call of `ordoctl -j lock status`) are read before and
 * after, and a summary is printed: entries/s, acquire latency (mean,
 * p50, p99, max), messages per entry by type. Used by tests/mutexload,
 * tests/bench/mutex and the demo.
 *
 * Exit status: 0; 1 usage; 3 a call failed (one line on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ordo_mutex.h"

#define MAX_SOCKETS	16
#define MAX_TYPES	16

struct entry {
	uint64_t token;
	uint64_t t_req, t_grant, t_rel;	/* ns, CLOCK_MONOTONIC */
};

struct client {
	pthread_t th;
	unsigned int id;	/* 1.. */
	unsigned int sock;	/* index into opt.sockets */
	uint32_t node;		/* the granting node's id */
	struct entry *e;
	unsigned int done;
	uint64_t seed;
	int err;
	char msg[256];
};

struct counts {
	uint64_t sent, received, entries, opdone;
	unsigned int ntypes;
	struct {
		char name[24];
		uint64_t sent;
	} types[MAX_TYPES];
	char algorithm[32];
	uint32_t node;
};

static struct {
	const char *lock;
	const char *sockets[MAX_SOCKETS];
	unsigned int nsockets;
	const char *count_sockets[MAX_SOCKETS];	/* counters (default: sockets) */
	unsigned int ncount;
	unsigned int clients, entries;
	uint64_t hold_ns, think_min_ns, think_max_ns;
	uint32_t timeout_ms;
	const char *file, *history;
	bool json, quiet;
	int fd;
	pthread_barrier_t start;
	uint64_t t0;
} opt = { .clients = 1, .entries = 1, .timeout_ms = 120000, .fd = -1 };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mx_load --lock NAME --socket PATH [--socket PATH...] [options]\n"
		"  --lock NAME          the lock (a [lock NAME] of cluster.conf)\n"
		"  --socket PATH        a node's ordo-mutexd socket (repeat: clients are\n"
		"                       spread round-robin over the sockets, up to %d)\n"
		"  --count-socket PATH  sum the daemons' counters over these sockets\n"
		"                       (repeat; default: the --socket ones)\n"
		"  --clients C          client threads, each its own session (1)\n"
		"  --entries K          entries per client (1)\n"
		"  --hold-us US         time in the critical section (0)\n"
		"  --think-us MIN[:MAX] time between a release and the next request,\n"
		"                       uniform in MIN..MAX (0)\n"
		"  --timeout MS         an acquire not granted within MS fails (120000)\n"
		"  --file PATH          the shared file: begin/end lines (O_APPEND)\n"
		"  --history PATH       one line per entry: client node entry token\n"
		"                       t_req t_grant t_rel (ns, CLOCK_MONOTONIC)\n"
		"  -q, --quiet          no summary\n"
		"  -j, --json           the summary as JSON\n"
		"  -h, --help\n", MAX_SOCKETS);
}

static int fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "mx_load: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try 'mx_load --help')\n");
	return 1;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (!*s || *s == '-')
		return -EINVAL;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL,
			       .tv_nsec = ns % 1000000000ULL };

	while (ns && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* xorshift64*: per client, no shared state */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int append(struct client *c, const char *what, uint64_t token)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%s %" PRIu64 " %" PRIu32 " %u\n",
			 what, token, c->node, c->id);

	if (opt.fd < 0)
		return 0;
	/* one write(2) per line: O_APPEND makes it atomic on a local file */
	if (write(opt.fd, line, (size_t)n) != n) {
		c->err = errno ? -errno : -EIO;
		snprintf(c->msg, sizeof(c->msg), "write %s: %s", opt.file,
			 strerror(-c->err));
		return c->err;
	}
	return 0;
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct ordo_ipc_client *ic = NULL;
	const char *path = opt.sockets[c->sock];
	char err[200] = "";
	unsigned int k;
	int ret;

	ret = ordo_ipc_connect(&ic, path);
	if (ret) {
		c->err = ret;
		snprintf(c->msg, sizeof(c->msg), "%s: %s", path, strerror(-ret));
	}
	pthread_barrier_wait(&opt.start);
	if (ret)
		return NULL;
	for (k = 0; k < opt.entries; k++) {
		struct entry *e = &c->e[k];

		e->t_req = ordo_now_ns();
		ret = ordo_mutex_acquire(ic, opt.lock, opt.timeout_ms, &e->token,
					 &c->node, err, sizeof(err));
		e->t_grant = ordo_now_ns();
		if (ret) {
			c->err = ret;
			snprintf(c->msg, sizeof(c->msg), "acquire %s via %s: %s",
				 opt.lock, path, *err ? err : strerror(-ret));
			break;
		}
		if (append(c, "begin", e->token))
			break;
		sleep_ns(opt.hold_ns);
		if (append(c, "end", e->token))
			break;
		e->t_rel = ordo_now_ns();
		ret = ordo_mutex_release(ic, opt.lock, NULL, NULL, err, sizeof(err));
		if (ret) {
			c->err = ret;
			snprintf(c->msg, sizeof(c->msg), "release %s via %s: %s",
				 opt.lock, path, *err ? err : strerror(-ret));
			break;
		}
		c->done++;
		if (opt.think_max_ns)
			sleep_ns(opt.think_min_ns +
				 rnd(&c->seed) % (opt.think_max_ns - opt.think_min_ns + 1));
	}
	ordo_ipc_disconnect(ic);
	return NULL;
}

/* The lock's counters at every node, summed (the mutex.status call). */
static int counters(struct counts *out)
{
	const char **socks = opt.ncount ? opt.count_sockets : opt.sockets;
	unsigned int i, t, ns = opt.ncount ? opt.ncount : opt.nsockets;
	size_t k, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ns; i++) {
		Ordo__Mutex__StatusReply *r = NULL;
		struct ordo_ipc_client *ic = NULL;
		char err[200] = "";
		int ret;

		ret = ordo_ipc_connect(&ic, socks[i]);
		if (!ret)
			ret = ordo_mutex_status(ic, opt.lock, &r, 10000, err,
						sizeof(err));
		ordo_ipc_disconnect(ic);
		if (ret) {
			fprintf(stderr, "mx_load: status of %s via %s: %s\n",
				opt.lock, socks[i], *err ? err : strerror(-ret));
			return ret;
		}
		for (k = 0; k < r->n_locks; k++) {
			const Ordo__Mutex__LockStatus *l = r->locks[k];

			if (strcmp(l->name, opt.lock))
				continue;
			snprintf(out->algorithm, sizeof(out->algorithm), "%s",
				 l->algorithm);
			out->sent += l->sent;
			out->received += l->received;
			out->entries += l->entries;
			out->opdone += l->opdone_sent;
			for (j = 0; j < l->n_messages; j++) {
				for (t = 0; t < out->ntypes; t++)
					if (!strcmp(out->types[t].name, l->messages[j]->type))
						break;
				if (t == out->ntypes) {
					if (t == MAX_TYPES)
						continue;
					out->ntypes++;
					snprintf(out->types[t].name,
						 sizeof(out->types[t].name), "%s",
						 l->messages[j]->type);
				}
				out->types[t].sent += l->messages[j]->sent;
			}
		}
		ordo__mutex__status_reply__free_unpacked(r, NULL);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int write_history(struct client *cl)
{
	FILE *f = fopen(opt.history, "w");
	unsigned int i, k;

	if (!f) {
		fprintf(stderr, "mx_load: %s: %s\n", opt.history, strerror(errno));
		return -errno;
	}
	fprintf(f, "# mx_load lock %s clients %u entries %u hold_us %" PRIu64 "\n",
		opt.lock, opt.clients, opt.entries, opt.hold_ns / 1000);
	fprintf(f, "# client node entry token t_req t_grant t_rel\n");
	for (i = 0; i < opt.clients; i++)
		for (k = 0; k < cl[i].done; k++)
			fprintf(f, "%u %" PRIu32 " %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				cl[i].id, cl[i].node, k + 1, cl[i].e[k].token,
				cl[i].e[k].t_req, cl[i].e[k].t_grant, cl[i].e[k].t_rel);
	if (fclose(f)) {
		fprintf(stderr, "mx_load: %s: %s\n", opt.history, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* a double with 3 decimals in the JSON text */
static struct json_object *jd(double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_double_s(v, buf);
}

static void summary(struct client *cl, const struct counts *a,
		    const struct counts *b, uint64_t elapsed_ns)
{
	uint64_t n = 0, sum = 0, *lat, sent = b->sent - a->sent;
	double secs = (double)elapsed_ns / 1e9, mean, p50 = 0, p99 = 0, max = 0;
	unsigned int i, k, t;

	lat = calloc((size_t)opt.clients * opt.entries + 1, sizeof(*lat));
	if (!lat)
		return;
	for (i = 0; i < opt.clients; i++) {
		for (k = 0; k < cl[i].done; k++) {
			lat[n] = cl[i].e[k].t_grant - cl[i].e[k].t_req;
			sum += lat[n++];
		}
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	mean = n ? (double)sum / (double)n / 1e6 : 0;
	if (n) {
		p50 = (double)lat[(n - 1) / 2] / 1e6;
		p99 = (double)lat[(n * 99 + 99) / 100 - 1] / 1e6;
		max = (double)lat[n - 1] / 1e6;
	}
	free(lat);
	if (opt.json) {
		struct json_object *o = json_object_new_object(), *m;

		json_object_object_add(o, "lock", json_object_new_string(opt.lock));
		json_object_object_add(o, "algorithm", json_object_new_string(b->algorithm));
		json_object_object_add(o, "nodes", json_object_new_int((int)opt.nsockets));
		json_object_object_add(o, "clients", json_object_new_int((int)opt.clients));
		json_object_object_add(o, "entries_per_client", json_object_new_int((int)opt.entries));
		json_object_object_add(o, "entries", json_object_new_uint64(n));
		json_object_object_add(o, "hold_us", json_object_new_uint64(opt.hold_ns / 1000));
		json_object_object_add(o, "elapsed_s", jd(secs));
		json_object_object_add(o, "entries_per_s",
				       jd(secs > 0 ? (double)n / secs : 0));
		json_object_object_add(o, "latency_mean_ms", jd(mean));
		json_object_object_add(o, "latency_p50_ms", jd(p50));
		json_object_object_add(o, "latency_p99_ms", jd(p99));
		json_object_object_add(o, "latency_max_ms", jd(max));
		json_object_object_add(o, "daemon_entries",
				       json_object_new_uint64(b->entries - a->entries));
		json_object_object_add(o, "sent", json_object_new_uint64(sent));
		json_object_object_add(o, "received",
				       json_object_new_uint64(b->received - a->received));
		json_object_object_add(o, "opdone_sent",
				       json_object_new_uint64(b->opdone - a->opdone));
		json_object_object_add(o, "messages_per_entry",
				       jd(n ? (double)sent / (double)n : 0));
		m = json_object_new_object();
		for (t = 0; t < b->ntypes; t++) {
			uint64_t before = 0;

			for (k = 0; k < a->ntypes; k++)
				if (!strcmp(a->types[k].name, b->types[t].name))
					before = a->types[k].sent;
			json_object_object_add(m, b->types[t].name,
					       json_object_new_uint64(b->types[t].sent - before));
		}
		json_object_object_add(o, "messages", m);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("%s (%s): %" PRIu64 " entries by %u clients on %u nodes in %.2f s: %.1f entries/s\n",
		       opt.lock, b->algorithm, n, opt.clients, opt.nsockets, secs,
		       secs > 0 ? (double)n / secs : 0);
		printf("acquire latency: mean %.2f ms, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		       mean, p50, p99, max);
		printf("messages: %" PRIu64 " sent, %.2f per entry;", sent,
		       n ? (double)sent / (double)n : 0);
		for (t = 0; t < b->ntypes; t++) {
			uint64_t before = 0;

			for (k = 0; k < a->ntypes; k++)
				if (!strcmp(a->types[k].name, b->types[t].name))
					before = a->types[k].sent;
			printf(" %s %" PRIu64, b->types[t].name, b->types[t].sent - before);
		}
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "lock", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 's' },
		{ "count-socket", required_argument, NULL, 'S' },
		{ "clients", required_argument, NULL, 'c' },
		{ "entries", required_argument, NULL, 'k' },
		{ "hold-us", required_argument, NULL, 'H' },
		{ "think-us", required_argument, NULL, 'T' },
		{ "timeout", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "history", required_argument, NULL, 'y' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct counts before, after;
	struct client *cl;
	uint64_t v, t1;
	unsigned int i;
	char *colon;
	int c, ret = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "qjh", lopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			opt.lock = optarg;
			break;
		case 's':
			if (opt.nsockets == MAX_SOCKETS)
				return fail_usage("more than 16 sockets%s", "");
			opt.sockets[opt.nsockets++] = optarg;
			break;
		case 'S':
			if (opt.ncount == MAX_SOCKETS)
				return fail_usage("more than 16 count sockets%s", "");
			opt.count_sockets[opt.ncount++] = optarg;
			break;
		case 'c':
			if (parse_u64(optarg, 1000, &v) || !v)
				return fail_usage("--clients: '%s' is not a number from 1 to 1000", optarg);
			opt.clients = (unsigned int)v;
			break;
		case 'k':
			if (parse_u64(optarg, 1000000, &v) || !v)
				return fail_usage("--entries: '%s' is not a number from 1 to 1000000", optarg);
			opt.entries = (unsigned int)v;
			break;
		case 'H':
			if (parse_u64(optarg, 60000000, &v))
				return fail_usage("--hold-us: '%s' is not a number of microseconds up to 60000000", optarg);
			opt.hold_ns = v * 1000;
			break;
		case 'T':
			colon = strchr(optarg, ':');
			if (colon)
				*colon = 0;
			if (parse_u64(optarg, 60000000, &v))
				return fail_usage("--think-us: '%s' is not MIN[:MAX] microseconds up to 60000000", optarg);
			opt.think_min_ns = opt.think_max_ns = v * 1000;
			if (colon && (parse_u64(colon + 1, 60000000, &v) ||
				      v * 1000 < opt.think_min_ns))
				return fail_usage("--think-us: MAX '%s' is not a number of microseconds from MIN to 60000000", colon + 1);
			if (colon)
				opt.think_max_ns = v * 1000;
			break;
		case 't':
			if (parse_u64(optarg, INT32_MAX / 2, &v) || !v)
				return fail_usage("--timeout: '%s' is not a number of milliseconds from 1 to 1073741823", optarg);
			opt.timeout_ms = (uint32_t)v;
			break;
		case 'f':
			opt.file = optarg;
			break;
		case 'y':
			opt.history = optarg;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return fail_usage("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail_usage("unexpected argument '%s'", argv[optind]);
	if (!opt.lock)
		return fail_usage("--lock NAME is missing%s", "");
	if (!opt.nsockets)
		return fail_usage("--socket PATH is missing%s", "");
	if (opt.file) {
		opt.fd = open(opt.file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (opt.fd < 0) {
			fprintf(stderr, "mx_load: %s: %s\n", opt.file, strerror(errno));
			return 3;
		}
	}
	cl = calloc(opt.clients, sizeof(*cl));
	if (!cl)
		return 3;
	if (counters(&before))
		return 3;
	pthread_barrier_init(&opt.start, NULL, opt.clients + 1);
	for (i = 0; i < opt.clients; i++) {
		cl[i].id = i + 1;
		cl[i].sock = i % opt.nsockets;
		cl[i].seed = 0x9e3779b97f4a7c15ULL * (i + 1) ^ (uint64_t)getpid();
		cl[i].e = calloc(opt.entries, sizeof(*cl[i].e));
		if (!cl[i].e || pthread_create(&cl[i].th, NULL, client_run, &cl[i])) {
			fprintf(stderr, "mx_load: cannot start client %u\n", i + 1);
			return 3;
		}
	}
	pthread_barrier_wait(&opt.start);
	opt.t0 = ordo_now_ns();
	for (i = 0; i < opt.clients; i++)
		pthread_join(cl[i].th, NULL);
	t1 = ordo_now_ns();
	for (i = 0; i < opt.clients; i++) {
		if (cl[i].err) {
			fprintf(stderr, "mx_load: client %u: %s\n", cl[i].id, cl[i].msg);
			ret = 3;
		}
	}
	if (opt.history && write_history(cl))
		ret = 3;
	if (counters(&after))
		return 3;
	if (!opt.quiet)
		summary(cl, &before, &after, t1 - opt.t0);
	for (i = 0; i < opt.clients; i++)
		free(cl[i].e);
	free(cl);
	if (opt.fd >= 0)
		close(opt.fd);
	return ret;
}
