// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl lclock trace - stamped send and receive events (and local
 * events) of every logical clock domain, as a log ShiViz can read.
 *
 * The events come from the module's tracepoint ordo:ordo_lc_event,
 * read through a private tracefs instance (so that other tracing users
 * are not disturbed): the instance is created, the event enabled,
 * trace_pipe read until --count events, --duration seconds or
 * SIGINT/SIGTERM, and the instance removed again. Tracefs needs root.
 *
 * One line per event:
 *
 *   HOST CLOCK EVENT
 *   g7.n1 {"g7.n0":1,"g7.n1":2} recv from=g7.n0 domain=1 netns=4026531840
 *
 * HOST is g<group>.n<index> (the node's index in the vector), CLOCK the
 * vector after the event as JSON with the zero entries left out. ShiViz
 * parses it with the regular expression
 *
 *   (?<host>\S+) (?<clock>\{.*?\}) (?<event>.*)
 *
 * Lamport and HLC domains have no vector: their events are printed only
 * with --all, as HOST {"lamport":C} or {"hlc":[L,C]} (not ShiViz input).
 * -j prints one JSON object per event instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <linux/ordo_wire.h>

#include "cli.h"
#include "libordo.h"

#define TRACEFS		"/sys/kernel/tracing"
#define EVENT		"events/ordo/ordo_lc_event"

struct lc_event {
	double time;
	uint32_t netns, domain, group, node, self, from, index, c;
	uint64_t clock;
	char kind[16], event[8];
	unsigned int vc_n;
	uint64_t vc[ORDO_VC_MAX];
};

struct tracer {
	char dir[PATH_MAX];	/* the tracefs instance */
	bool json, all, have_group;
	uint32_t group;
	unsigned long count;	/* 0: unlimited */
	double duration;	/* 0: unlimited */
};

static volatile sig_atomic_t trace_stop;

static void on_signal(int sig)
{
	(void)sig;
	trace_stop = 1;
}

static void trace_help(FILE *f)
{
	fprintf(f,
		"usage: ordoctl [-j] lclock trace [--group G] [--all] [--count N] [--duration SEC]\n"
		"  Print stamped send/receive and local events of the logical clock\n"
		"  domains (every network namespace) as a ShiViz log, one line per\n"
		"  event: HOST VECTOR-JSON EVENT; ShiViz regex:\n"
		"    (?<host>\\S+) (?<clock>\\{.*?\\}) (?<event>.*)\n"
		"  --group G      only domains with group id G\n"
		"  --all          Lamport and HLC domains too (not ShiViz input)\n"
		"  --count N      stop after N events\n"
		"  --duration S   stop after S seconds\n"
		"  Needs root (tracefs). Stops on SIGINT/SIGTERM.\n");
}

static int trace_usage(const char *fmt, const char *arg)
{
	return cli_usage("lclock trace", fmt, arg);
}

static int trace_fail(const char *what, int err)
{
	fprintf(stderr, "ordoctl lclock trace: %s: %s%s\n", what, strerror(err),
		err == EACCES || err == EPERM ? " (tracing needs root)" : "");
	return EXIT_FAIL;
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX + 64];
	ssize_t len = (ssize_t)strlen(val), n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, (size_t)len);
	if (n != len) {
		int err = n < 0 ? errno : EIO;

		close(fd);
		return -err;
	}
	return close(fd) ? -errno : 0;
}

/* Where tracefs is, mounting it on /sys/kernel/tracing if needed. */
static int tracefs_root(const char **root)
{
	struct stat st;
	int err;

	*root = TRACEFS;
	if (!stat(TRACEFS "/instances", &st))
		return 0;
	if (!mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return 0;
	err = errno;
	*root = "/sys/kernel/debug/tracing";
	if (!stat("/sys/kernel/debug/tracing/instances", &st))
		return 0;
	return err == ENOENT || err == ENODEV ? -ENOTSUP : -err;
}

static void trace_teardown(struct tracer *t)
{
	if (!t->dir[0])
		return;
	write_file(t->dir, EVENT "/enable", "0");
	if (rmdir(t->dir))
		fprintf(stderr, "ordoctl lclock trace: rmdir %s: %s\n", t->dir,
			strerror(errno));
	t->dir[0] = 0;
}

static int trace_setup(struct tracer *t)
{
	const char *root;
	char filter[64];
	int err;

	err = tracefs_root(&root);
	if (err)
		return trace_fail("tracefs", -err);
	snprintf(t->dir, sizeof(t->dir), "%s/instances/ordoctl-lclock-%d",
		 root, (int)getpid());
	if (mkdir(t->dir, 0700)) {
		err = errno;
		t->dir[0] = 0;
		return trace_fail("tracefs instance", err);
	}
	err = write_file(t->dir, EVENT "/enable", "1");
	if (err == -ENOENT) {
		trace_teardown(t);
		fprintf(stderr, "ordoctl lclock trace: %s\n", NOT_LOADED_MSG);
		return EXIT_NOMOD;
	}
	if (!err && t->have_group) {
		snprintf(filter, sizeof(filter), "group == %u", t->group);
		err = write_file(t->dir, EVENT "/filter", filter);
	}
	if (err) {
		trace_teardown(t);
		return trace_fail("enable ordo:ordo_lc_event", -err);
	}
	return 0;
}

/*
 * One trace_pipe line:
 *   <task>-<pid> [cpu] flags TIME: ordo_lc_event: netns=... vc={0x1,0x2}
 * 0 and *@ev, or -EINVAL (not ours, or malformed).
 */
static int parse_line(const char *line, struct lc_event *ev)
{
	const char *p = strstr(line, ": ordo_lc_event: "), *q;
	int n = 0;

	if (!p)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	for (q = p; q > line && q[-1] != ' '; q--)
		;
	ev->time = strtod(q, NULL);
	p += strlen(": ordo_lc_event: ");
	if (sscanf(p, "netns=%" SCNu32 " domain=%" SCNu32 " group=%" SCNu32
		   " kind=%15s event=%7s node=%" SCNu32 " self=%" SCNu32
		   " from=%" SCNu32 " index=%" SCNu32 " clock=%" SCNu64
		   " c=%" SCNu32 " vc={%n",
		   &ev->netns, &ev->domain, &ev->group, ev->kind, ev->event,
		   &ev->node, &ev->self, &ev->from, &ev->index, &ev->clock,
		   &ev->c, &n) != 11 || !n)
		return -EINVAL;
	p += n;
	while (*p && *p != '}') {
		char *end;
		unsigned long long v = strtoull(p, &end, 0);

		if (end == p || ev->vc_n >= ORDO_VC_MAX)
			return -EINVAL;
		ev->vc[ev->vc_n++] = v;
		p = end;
		if (*p == ',')
			p++;
	}
	return *p == '}' ? 0 : -EINVAL;
}

static bool is_vector(const struct lc_event *ev)
{
	return !strcmp(ev->kind, "vector");
}

static void print_text(const struct lc_event *ev)
{
	unsigned int k;
	bool first = true;

	if (is_vector(ev)) {
		printf("g%u.n%u {", ev->group, ev->self);
		for (k = 0; k < ev->vc_n; k++) {
			if (!ev->vc[k])
				continue;
			printf("%s\"g%u.n%u\":%" PRIu64, first ? "" : ",",
			       ev->group, k, ev->vc[k]);
			first = false;
		}
		printf("} %s", ev->event);
		if (!strcmp(ev->event, "recv"))
			printf(" from=g%u.n%u", ev->group, ev->index);
	} else {
		printf("g%u.node%u ", ev->group, ev->node);
		if (!strcmp(ev->kind, "hlc"))
			printf("{\"hlc\":[%" PRIu64 ",%u]}", ev->clock, ev->c);
		else
			printf("{\"lamport\":%" PRIu64 "}", ev->clock);
		printf(" %s", ev->event);
		if (!strcmp(ev->event, "recv"))
			printf(" from=g%u.node%u", ev->group, ev->from);
	}
	printf(" domain=%u netns=%u\n", ev->domain, ev->netns);
}

static void print_json(const struct lc_event *ev)
{
	struct json_object *o = json_object_new_object();
	struct json_object *vc;
	unsigned int k;
	char host[48];

	if (is_vector(ev))
		snprintf(host, sizeof(host), "g%u.n%u", ev->group, ev->self);
	else
		snprintf(host, sizeof(host), "g%u.node%u", ev->group, ev->node);
	json_object_object_add(o, "time", json_object_new_double(ev->time));
	json_object_object_add(o, "host", json_object_new_string(host));
	json_object_object_add(o, "event", json_object_new_string(ev->event));
	json_object_object_add(o, "kind", json_object_new_string(ev->kind));
	json_object_object_add(o, "netns", json_object_new_int64(ev->netns));
	json_object_object_add(o, "domain", json_object_new_int64(ev->domain));
	json_object_object_add(o, "group", json_object_new_int64(ev->group));
	json_object_object_add(o, "node", json_object_new_int64(ev->node));
	if (!strcmp(ev->event, "recv"))
		json_object_object_add(o, "from",
				       json_object_new_int64(ev->from));
	if (is_vector(ev)) {
		json_object_object_add(o, "index",
				       json_object_new_int64(ev->self));
		if (!strcmp(ev->event, "recv"))
			json_object_object_add(o, "from_index",
					       json_object_new_int64(ev->index));
		vc = json_object_new_array();
		for (k = 0; k < ev->vc_n; k++)
			json_object_array_add(vc,
					      json_object_new_uint64(ev->vc[k]));
		json_object_object_add(o, "vc", vc);
	} else {
		json_object_object_add(o, "clock",
				       json_object_new_uint64(ev->clock));
		if (!strcmp(ev->kind, "hlc"))
			json_object_object_add(o, "c",
					       json_object_new_int64(ev->c));
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int trace_loop(struct tracer *t)
{
	char path[PATH_MAX + 16], buf[8192], line[4096];
	double end = t->duration > 0 ? mono_s() + t->duration : 0;
	unsigned long seen = 0;
	size_t ll = 0;
	int fd, ret = EXIT_OK;

	snprintf(path, sizeof(path), "%s/trace_pipe", t->dir);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return trace_fail("trace_pipe", errno);
	fprintf(stderr, "ordoctl lclock trace: tracing ordo:ordo_lc_event\n");
	while (!trace_stop && (!t->count || seen < t->count)) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int ms = 200;
		ssize_t n, i;

		if (end) {
			double left = end - mono_s();

			if (left <= 0)
				break;
			if (left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		if (poll(&pfd, 1, ms) < 0) {
			if (errno == EINTR)
				continue;
			ret = trace_fail("poll", errno);
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			ret = trace_fail("read trace_pipe", errno);
			break;
		}
		for (i = 0; i < n && (!t->count || seen < t->count); i++) {
			struct lc_event ev;

			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = 0;
			ll = 0;
			if (parse_line(line, &ev))
				continue;
			if (!is_vector(&ev) && !t->all)
				continue;
			if (t->json)
				print_json(&ev);
			else
				print_text(&ev);
			seen++;
		}
		fflush(stdout);
	}
	close(fd);
	return ret;
}

static int parse_num(const char *s, unsigned long long max,
		     unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *v > max || *s == '-' ? -1 : 0;
}

int ordoctl_lclock_trace(bool json, int argc, char **argv)
{
	struct tracer t = { .json = json };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long v;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h") ||
		    !strcmp(a, "help")) {
			trace_help(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--all")) {
			t.all = true;
			continue;
		} else if (!val) {
			return trace_usage("unknown or incomplete option '%s'", a);
		} else if (!strcmp(a, "--group")) {
			if (parse_num(val, UINT32_MAX, &v))
				return trace_usage("bad group '%s'", val);
			t.group = (uint32_t)v;
			t.have_group = true;
		} else if (!strcmp(a, "--count")) {
			if (parse_num(val, ULONG_MAX, &v) || !v)
				return trace_usage("bad count '%s'", val);
			t.count = (unsigned long)v;
		} else if (!strcmp(a, "--duration")) {
			char *end;

			t.duration = strtod(val, &end);
			if (end == val || *end || !(t.duration > 0))
				return trace_usage("bad duration '%s'", val);
		} else {
			return trace_usage("unknown option '%s'", a);
		}
		i++;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	ret = trace_setup(&t);
	if (ret)
		return ret;
	ret = trace_loop(&t);
	trace_teardown(&t);
	return ret;
}
