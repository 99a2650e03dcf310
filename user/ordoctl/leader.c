// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl leader - leader election groups of ordo-electd over its local
 * API (user/lib/proto/election.proto): show, status, wait, watch,
 * campaign, elect, forge. See Documentation/ordoctl.rst and
 * Documentation/ordo-electd.rst.
 *
 * watch and campaign hold an "elect.watch" subscription: the daemon
 * answers at once and then once more per leader change on the same
 * session, until it closes. campaign runs a command while this node
 * leads the group and stops it with SIGTERM when it no longer does (or
 * when the daemon goes away).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "ordo_rt.h"
#include "ordo_rt.pb-c.h"
#include "election.pb-c.h"

#define LEADER_SOCKET_DEFAULT	ORDO_IPC_DIR "/electd.sock"
#define LEADER_SOCKET_ENV	"ORDO_ELECTD_SOCKET"
#define CALL_TIMEOUT_MS		5000
#define KILL_GRACE_MS		10000

struct leaderctl {
	bool json;
	const char *socket;
	const char *cmd;
	const char *group;
	bool has_timeout;
	uint32_t timeout_ms;
	/* forge */
	uint32_t to, type, leader;
	uint64_t term;
	bool has_to, has_type, has_term, has_leader;
	uint32_t list[64];
	size_t n_list;
	bool list_given;
	char **argv;		/* campaign: the command */
	struct ordo_ipc_client *c;
	uint32_t self;		/* this node's id (campaign) */
};

static void leader_help(FILE *f)
{
	fprintf(f,
		"usage: ordoctl [-j] leader [--socket PATH] COMMAND\n"
		"  show [GROUP]                 leader, term, since, algorithm and members\n"
		"                               (liveness) of every group, or of GROUP\n"
		"  status [GROUP]               the same with the message counters by type,\n"
		"                               the wire counts and the daemon's counters\n"
		"  wait [GROUP] [--timeout MS]  block until the group has a leader, print it\n"
		"  watch [GROUP]                one line per leader change (the first: now)\n"
		"  campaign GROUP -- CMD [ARG...]\n"
		"                               run CMD while this node leads GROUP, stop it\n"
		"                               with SIGTERM when it no longer does, run it\n"
		"                               again when it leads again; exits with CMD's\n"
		"                               status when CMD ends by itself; CMD gets\n"
		"                               ORDO_LEADER_GROUP and ORDO_LEADER_TERM\n"
		"  elect GROUP                  (root, tests) hold an election now\n"
		"  forge GROUP --to NODE --type T --term N [--leader ID] [--list ID,...]\n"
		"                               (root, tests) send NODE one message of type\n"
		"                               T (election, ok, coordinator) that the\n"
		"                               algorithm did not make (ring: --list, the\n"
		"                               first id is the initiator)\n"
		"  --socket PATH                the daemon's socket (default $%s,\n"
		"                               else %s)\n"
		"  --timeout MS                 wait: give up after MS milliseconds (exit 3)\n"
		"GROUP may be left out when the daemon has one group.\n",
		LEADER_SOCKET_ENV, LEADER_SOCKET_DEFAULT);
}

static int ld_usage(const char *fmt, const char *arg)
{
	return cli_usage("leader", fmt, arg);
}

static int ld_fail(struct leaderctl *l, int err, const char *msg)
{
	fprintf(stderr, "ordoctl leader %s: %s\n", l->cmd,
		msg && *msg ? msg : strerror(-err));
	return EXIT_FAIL;
}

static int ld_connect(struct leaderctl *l)
{
	char msg[512];
	int err = ordo_ipc_connect(&l->c, l->socket);

	if (!err)
		return 0;
	switch (err) {
	case -ENOENT:
		snprintf(msg, sizeof(msg),
			 "no daemon: %s does not exist (is ordo-electd running?)",
			 l->socket);
		break;
	case -ECONNREFUSED:
		snprintf(msg, sizeof(msg), "no daemon listens on %s", l->socket);
		break;
	case -EACCES:
		snprintf(msg, sizeof(msg),
			 "%s: permission denied (root or group ordo)", l->socket);
		break;
	default:
		snprintf(msg, sizeof(msg), "%s: %s", l->socket, strerror(-err));
	}
	return ld_fail(l, err, msg);
}

static int call(struct leaderctl *l, const char *method,
		const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *desc, ProtobufCMessage **resp,
		int timeout_ms)
{
	char err[512] = "";
	int ret;

	ret = ordo_ipc_call(l->c, method, req, desc, resp, timeout_ms, err,
			    sizeof(err));
	if (!ret)
		return 0;
	if (ret == -ECONNRESET && !*err)
		snprintf(err, sizeof(err), "the daemon went away");
	else if (ret == -ETIMEDOUT && !strcmp(method, "elect.wait"))
		snprintf(err, sizeof(err), "no leader within %" PRIu32 " ms",
			 l->timeout_ms);
	ld_fail(l, ret, err);
	return ret;
}

/* ------------------------------------------------------------ output */

#define JU64(o, k, v)	json_object_object_add(o, k, json_object_new_uint64(v))
#define JSTR(o, k, v)	json_object_object_add(o, k, json_object_new_string(v))
#define JBOOL(o, k, v)	json_object_object_add(o, k, json_object_new_boolean(v))

static struct json_object *types_json(Ordo__Election__TypeCount **tc, size_t n)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		JU64(x, "id", tc[i]->id);
		JU64(x, "sent", tc[i]->sent);
		JU64(x, "received", tc[i]->received);
		json_object_object_add(o, tc[i]->name, x);
	}
	return o;
}

static struct json_object *group_json(const Ordo__Election__GroupStatus *g,
				      bool counters)
{
	struct json_object *o = json_object_new_object(), *a, *x;
	size_t i;

	JSTR(o, "group", g->name);
	JSTR(o, "algorithm", g->algorithm);
	if (g->has_leader)
		JU64(o, "leader", g->leader);
	else
		json_object_object_add(o, "leader", NULL);
	JU64(o, "term", g->term);
	JU64(o, "since_ms", g->since_ms);
	JU64(o, "age_ms", g->age_ms);
	JBOOL(o, "is_leader", g->is_leader);
	JSTR(o, "phase", g->phase);
	JBOOL(o, "started", g->started);
	a = json_object_new_array();
	for (i = 0; i < g->n_members; i++) {
		x = json_object_new_object();
		JU64(x, "node", g->members[i]->node);
		JSTR(x, "state", g->members[i]->state);
		JBOOL(x, "live", g->members[i]->live);
		if (!strcmp(g->algorithm, "ring"))
			JBOOL(x, "in_ring", g->members[i]->in_ring);
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "members", a);
	if (!counters)
		return o;
	JU64(o, "proto", g->proto);
	JU64(o, "max_term", g->max_term);
	json_object_object_add(o, "messages", types_json(g->messages, g->n_messages));
	JU64(o, "sent", g->sent);
	JU64(o, "received", g->received);
	JU64(o, "opdone_sent", g->opdone_sent);
	JU64(o, "opdone_received", g->opdone_received);
	JU64(o, "elections", g->elections);
	JU64(o, "wins", g->wins);
	JU64(o, "leader_changes", g->leader_changes);
	JU64(o, "stale", g->stale);
	JU64(o, "ignored", g->ignored);
	JU64(o, "invalid", g->invalid);
	JU64(o, "timeouts", g->timeouts);
	JU64(o, "takeovers", g->takeovers);
	JU64(o, "skips", g->skips);
	JU64(o, "answer_ms", g->answer_ms);
	JU64(o, "coord_ms", g->coord_ms);
	JU64(o, "stagger_ms", g->stagger_ms);
	return o;
}

static void print_json(struct json_object *o, bool pretty)
{
	printf("%s\n", json_object_to_json_string_ext(o, pretty ?
		JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	fflush(stdout);
}

static void since_str(const Ordo__Election__GroupStatus *g, char *buf, size_t len)
{
	time_t t = (time_t)(g->since_ms / 1000);
	struct tm tm;

	if (!g->since_ms || !localtime_r(&t, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* One line: GROUP ALGORITHM LEADER TERM SINCE PHASE MEMBERS */
static void group_line(const Ordo__Election__GroupStatus *g)
{
	char leader[16] = "-", since[32];
	size_t i;

	if (g->has_leader)
		snprintf(leader, sizeof(leader), "%" PRIu32 "%s", g->leader,
			 g->is_leader ? "*" : "");
	since_str(g, since, sizeof(since));
	printf("%-12s %-6s %-7s %6" PRIu64 " %-19s %-16s", g->name, g->algorithm,
	       leader, g->term, since, g->phase);
	for (i = 0; i < g->n_members; i++)
		printf(" %" PRIu32 "=%s", g->members[i]->node,
		       !strcmp(g->members[i]->state, "self") ? "self" :
		       g->members[i]->live ? "live" : "down");
	printf("\n");
}

static void header(void)
{
	printf("%-12s %-6s %-7s %6s %-19s %-16s %s\n", "GROUP", "ALGO", "LEADER",
	       "TERM", "SINCE", "PHASE", "MEMBERS");
}

static int get_status(struct leaderctl *l, Ordo__Election__StatusReply **rep)
{
	Ordo__Election__StatusRequest req = ORDO__ELECTION__STATUS_REQUEST__INIT;

	req.group = (char *)(l->group ? l->group : "");
	return call(l, "elect.status", &req.base,
		    &ordo__election__status_reply__descriptor,
		    (ProtobufCMessage **)rep, CALL_TIMEOUT_MS) ? EXIT_FAIL : 0;
}

static int cmd_show(struct leaderctl *l)
{
	Ordo__Election__StatusReply *r = NULL;
	size_t i;

	if (get_status(l, &r))
		return EXIT_FAIL;
	if (l->json) {
		struct json_object *o = json_object_new_object(), *a;

		JU64(o, "node", r->node);
		a = json_object_new_array();
		for (i = 0; i < r->n_groups; i++)
			json_object_array_add(a, group_json(r->groups[i], false));
		json_object_object_add(o, "groups", a);
		print_json(o, true);
	} else {
		printf("node %" PRIu32 "%s\n", r->node, r->joining ? " (joining)" : "");
		header();
		for (i = 0; i < r->n_groups; i++)
			group_line(r->groups[i]);
	}
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return EXIT_OK;
}

static int cmd_status(struct leaderctl *l)
{
	Ordo__Election__StatusReply *r = NULL;
	char inc[20];
	size_t i, k;

	if (get_status(l, &r))
		return EXIT_FAIL;
	if (l->json) {
		struct json_object *o = json_object_new_object(), *a, *x;

		snprintf(inc, sizeof(inc), "%016" PRIx64, r->incarnation);
		JU64(o, "node", r->node);
		JSTR(o, "stamping", r->stamping);
		JSTR(o, "incarnation", inc);
		JBOOL(o, "joining", r->joining);
		a = json_object_new_array();
		for (i = 0; i < r->n_groups; i++)
			json_object_array_add(a, group_json(r->groups[i], true));
		json_object_object_add(o, "groups", a);
		a = json_object_new_array();
		for (i = 0; i < r->n_wire; i++) {
			x = json_object_new_object();
			JSTR(x, "algorithm", r->wire[i]->algorithm);
			JU64(x, "proto", r->wire[i]->proto);
			json_object_object_add(x, "messages",
					       types_json(r->wire[i]->messages,
							  r->wire[i]->n_messages));
			JU64(x, "opdone_sent", r->wire[i]->opdone_sent);
			JU64(x, "opdone_received", r->wire[i]->opdone_received);
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "wire", a);
		JU64(o, "malformed", r->malformed);
		JU64(o, "bad_body", r->bad_body);
		JU64(o, "forged", r->forged);
		JU64(o, "subscribers", r->subscribers);
		JU64(o, "ipc_sessions", r->ipc_sessions);
		JU64(o, "ipc_bad_requests", r->ipc_bad_requests);
		print_json(o, true);
	} else {
		printf("node %" PRIu32 ", %s stamping%s\n", r->node, r->stamping,
		       r->joining ? ", joining" : "");
		header();
		for (i = 0; i < r->n_groups; i++)
			group_line(r->groups[i]);
		printf("%-12s %10s %10s %10s %10s %8s %8s %8s\n", "GROUP", "ELECTIONS",
		       "WINS", "SENT", "RECEIVED", "STALE", "IGNORED", "INVALID");
		for (i = 0; i < r->n_groups; i++) {
			const Ordo__Election__GroupStatus *g = r->groups[i];

			printf("%-12s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
			       g->name, g->elections, g->wins, g->sent, g->received,
			       g->stale, g->ignored, g->invalid);
			for (k = 0; k < g->n_messages; k++)
				printf("  %-12s sent %" PRIu64 ", received %" PRIu64 "\n",
				       g->messages[k]->name, g->messages[k]->sent,
				       g->messages[k]->received);
		}
		printf("malformed datagrams %" PRIu64 " (bad body %" PRIu64 "), bad local requests %" PRIu64 ", subscribers %" PRIu64 "\n",
		       r->malformed, r->bad_body, r->ipc_bad_requests, r->subscribers);
	}
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return EXIT_OK;
}

static void print_change(struct leaderctl *l, const Ordo__Election__GroupStatus *g)
{
	if (l->json) {
		print_json(group_json(g, false), false);
		return;
	}
	if (g->has_leader)
		printf("%s leader %" PRIu32 " term %" PRIu64 "%s\n", g->name, g->leader,
		       g->term, g->is_leader ? " (this node)" : "");
	else
		printf("%s leader none term %" PRIu64 " (%s)\n", g->name, g->term,
		       g->phase);
	fflush(stdout);
}

static int cmd_wait(struct leaderctl *l)
{
	Ordo__Election__WaitRequest req = ORDO__ELECTION__WAIT_REQUEST__INIT;
	Ordo__Election__GroupStatus *g = NULL;

	req.group = (char *)(l->group ? l->group : "");
	req.timeout_ms = l->has_timeout ? l->timeout_ms : 0;
	if (call(l, "elect.wait", &req.base, &ordo__election__group_status__descriptor,
		 (ProtobufCMessage **)&g, -1))
		return EXIT_FAIL;
	print_change(l, g);
	protobuf_c_message_free_unpacked(&g->base, NULL);
	return EXIT_OK;
}

static int cmd_elect(struct leaderctl *l)
{
	Ordo__Election__ElectRequest req = ORDO__ELECTION__ELECT_REQUEST__INIT;
	Ordo__Election__GroupStatus *g = NULL;

	req.group = (char *)l->group;
	if (call(l, "elect.elect", &req.base, &ordo__election__group_status__descriptor,
		 (ProtobufCMessage **)&g, CALL_TIMEOUT_MS))
		return EXIT_FAIL;
	if (l->json)
		print_json(group_json(g, false), true);
	protobuf_c_message_free_unpacked(&g->base, NULL);
	return EXIT_OK;
}

static int cmd_forge(struct leaderctl *l)
{
	Ordo__Election__ForgeRequest req = ORDO__ELECTION__FORGE_REQUEST__INIT;
	Ordo__Election__GroupStatus *g = NULL;

	req.group = (char *)l->group;
	req.to = l->to;
	req.type = l->type;
	req.term = l->term;
	req.leader = l->leader;
	req.list = l->list;
	req.n_list = l->n_list;
	req.initiator = l->n_list ? l->list[0] : 0;
	if (call(l, "elect.forge", &req.base, &ordo__election__group_status__descriptor,
		 (ProtobufCMessage **)&g, CALL_TIMEOUT_MS))
		return EXIT_FAIL;
	protobuf_c_message_free_unpacked(&g->base, NULL);
	return EXIT_OK;
}

/* ------------------------------------------------------------ subscriptions */

/* Start the subscription; *g gets the current status. */
static int watch_start(struct leaderctl *l, Ordo__Election__GroupStatus **g)
{
	Ordo__Election__WatchRequest req = ORDO__ELECTION__WATCH_REQUEST__INIT;

	req.group = (char *)(l->group ? l->group : "");
	return call(l, "elect.watch", &req.base, &ordo__election__group_status__descriptor,
		    (ProtobufCMessage **)g, CALL_TIMEOUT_MS) ? EXIT_FAIL : 0;
}

/*
 * The next change from the subscription (the fd is readable): 0 and *g,
 * -ECONNRESET when the daemon went away, -EBADMSG.
 */
static int watch_next(struct leaderctl *l, Ordo__Election__GroupStatus **g)
{
	static uint8_t buf[ORDO_IPC_MSG_MAX];
	Ordo__Rt__Response *r;
	ssize_t n;

	do {
		n = recv(ordo_ipc_client_fd(l->c), buf, sizeof(buf), 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -ECONNRESET;
	r = ordo__rt__response__unpack(NULL, (size_t)n, buf);
	if (!r)
		return -EBADMSG;
	if (r->error) {
		ordo__rt__response__free_unpacked(r, NULL);
		return -EBADMSG;
	}
	*g = ordo__election__group_status__unpack(NULL, r->body.len, r->body.data);
	ordo__rt__response__free_unpacked(r, NULL);
	return *g ? 0 : -EBADMSG;
}

static int cmd_watch(struct leaderctl *l)
{
	Ordo__Election__GroupStatus *g = NULL;
	int err;

	if (watch_start(l, &g))
		return EXIT_FAIL;
	for (;;) {
		print_change(l, g);
		protobuf_c_message_free_unpacked(&g->base, NULL);
		err = watch_next(l, &g);
		if (err)
			return ld_fail(l, err, err == -ECONNRESET ?
				       "the daemon went away" : "malformed update");
	}
}

/* ------------------------------------------------------------ campaign */

static pid_t child_start(struct leaderctl *l, const Ordo__Election__GroupStatus *g,
			 const sigset_t *old)
{
	char term[32];
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid != 0)
		return pid;
	sigprocmask(SIG_SETMASK, old, NULL);
	snprintf(term, sizeof(term), "%" PRIu64, g->term);
	setenv("ORDO_LEADER_GROUP", g->name, 1);
	setenv("ORDO_LEADER_TERM", term, 1);
	close(ordo_ipc_client_fd(l->c));
	execvp(l->argv[0], l->argv);
	fprintf(stderr, "ordoctl leader campaign: %s: %s\n", l->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* SIGTERM, then SIGKILL after KILL_GRACE_MS; returns its exit code. */
static int child_stop(pid_t pid)
{
	uint64_t end = ordo_now_ms() + KILL_GRACE_MS;
	int st;
	pid_t r;

	kill(pid, SIGTERM);
	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return exit_code(st);
		if (r < 0 && errno != EINTR)
			return -1;
		if (ordo_now_ms() >= end) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return exit_code(st);
		}
		usleep(10000);
	}
}

static int cmd_campaign(struct leaderctl *l)
{
	Ordo__Election__GroupStatus *g = NULL;
	struct pollfd pfd[2];
	struct signalfd_siginfo si;
	sigset_t set, old;
	pid_t pid = 0;
	int sfd, err, st, ret = EXIT_FAIL;
	bool leading;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &old))
		return ld_fail(l, -errno, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return ld_fail(l, -errno, NULL);
	if (watch_start(l, &g))
		goto out;
	for (;;) {
		leading = g->has_leader && g->is_leader;
		if (leading && !pid) {
			fprintf(stderr, "ordoctl leader campaign: leading %s (term %" PRIu64 "): starting %s\n",
				g->name, g->term, l->argv[0]);
			pid = child_start(l, g, &old);
			if (pid < 0) {
				ld_fail(l, -errno, NULL);
				goto out;
			}
		} else if (!leading && pid) {
			fprintf(stderr, "ordoctl leader campaign: no longer leading %s (leader %s%" PRIu32 ", term %" PRIu64 "): SIGTERM to %s\n",
				g->name, g->has_leader ? "" : "none, was ", g->leader,
				g->term, l->argv[0]);
			child_stop(pid);
			pid = 0;
		}
		protobuf_c_message_free_unpacked(&g->base, NULL);
		g = NULL;
		pfd[0].fd = ordo_ipc_client_fd(l->c);
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		for (;;) {
			if (poll(pfd, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				ld_fail(l, -errno, NULL);
				goto out;
			}
			if (pfd[1].revents & POLLIN) {
				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGCHLD) {
					if (pid && waitpid(pid, &st, WNOHANG) == pid) {
						ret = exit_code(st);
						pid = 0;
						goto out;
					}
					continue;
				}
				/* SIGTERM, SIGINT, SIGHUP: stop CMD, leave */
				ret = 128 + (int)si.ssi_signo;
				goto out;
			}
			if (pfd[0].revents) {
				err = watch_next(l, &g);
				if (err) {
					ld_fail(l, err, err == -ECONNRESET ?
						"the daemon went away" : "malformed update");
					ret = EXIT_FAIL;
					goto out;
				}
				break;
			}
		}
	}
out:
	if (pid) {
		fprintf(stderr, "ordoctl leader campaign: SIGTERM to %s\n", l->argv[0]);
		child_stop(pid);
	}
	if (g)
		protobuf_c_message_free_unpacked(&g->base, NULL);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* ------------------------------------------------------------ arguments */

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || !*s || *end || s[0] == '-' || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_type(const char *s, uint32_t *t)
{
	uint64_t v;

	if (!strcasecmp(s, "election"))
		*t = 1;
	else if (!strcasecmp(s, "ok"))
		*t = 2;
	else if (!strcasecmp(s, "coordinator"))
		*t = 3;
	else if (!parse_u64(s, 255, &v) && v)
		*t = (uint32_t)v;
	else
		return -EINVAL;
	return 0;
}

static int parse_list(const char *s, uint32_t *list, size_t *n)
{
	char buf[512], *tok, *save = NULL;
	uint64_t v;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == 64 || parse_u64(tok, UINT32_MAX, &v))
			return -EINVAL;
		list[(*n)++] = (uint32_t)v;
	}
	return *n ? 0 : -EINVAL;
}

static const char *const commands[] = {
	"show", "status", "wait", "watch", "campaign", "elect", "forge", NULL,
};

int ordoctl_leader(bool json, int argc, char **argv)
{
	struct leaderctl l = { .json = json };
	uint64_t v;
	int i, k, ret;

	l.socket = getenv(LEADER_SOCKET_ENV);
	if (!l.socket || !*l.socket)
		l.socket = LEADER_SOCKET_DEFAULT;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--socket") || !strcmp(a, "--timeout") ||
		    !strcmp(a, "--to") || !strcmp(a, "--type") ||
		    !strcmp(a, "--term") || !strcmp(a, "--leader") ||
		    !strcmp(a, "--list")) {
			const char *val;

			if (i + 1 >= argc)
				return ld_usage("%s needs an argument", a);
			val = argv[++i];
			if (!strcmp(a, "--socket")) {
				l.socket = val;
			} else if (!strcmp(a, "--timeout")) {
				if (parse_u64(val, INT32_MAX / 2, &v) || !v)
					return ld_usage("--timeout: '%s' is not a number of milliseconds from 1 to 1073741823",
							val);
				l.timeout_ms = (uint32_t)v;
				l.has_timeout = true;
			} else if (!strcmp(a, "--to")) {
				if (parse_u64(val, UINT32_MAX, &v))
					return ld_usage("--to: '%s' is not a node id", val);
				l.to = (uint32_t)v;
				l.has_to = true;
			} else if (!strcmp(a, "--type")) {
				if (parse_type(val, &l.type))
					return ld_usage("--type: '%s' is not election, ok, coordinator or 1..255",
							val);
				l.has_type = true;
			} else if (!strcmp(a, "--term")) {
				if (parse_u64(val, UINT64_MAX, &v))
					return ld_usage("--term: '%s' is not a number", val);
				l.term = v;
				l.has_term = true;
			} else if (!strcmp(a, "--list")) {
				if (parse_list(val, l.list, &l.n_list))
					return ld_usage("--list: '%s' is not a list of node ids (1,2,3)", val);
				l.list_given = true;
			} else {
				if (parse_u64(val, UINT32_MAX, &v))
					return ld_usage("--leader: '%s' is not a node id", val);
				l.leader = (uint32_t)v;
				l.has_leader = true;
			}
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h") ||
			   (!l.cmd && !strcmp(a, "help"))) {
			leader_help(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--")) {
			if (!l.cmd || strcmp(l.cmd, "campaign"))
				return ld_usage("'--' only goes with campaign", NULL);
			l.argv = &argv[i + 1];
			break;
		} else if (a[0] == '-' && a[1]) {
			return ld_usage("unknown option '%s'", a);
		} else if (!l.cmd) {
			for (k = 0; commands[k]; k++)
				if (!strcmp(a, commands[k]))
					break;
			if (!commands[k])
				return ld_usage("unknown command '%s'", a);
			l.cmd = a;
		} else if (!l.group) {
			l.group = a;
		} else {
			return ld_usage("unexpected argument '%s'", a);
		}
	}
	if (!l.cmd)
		return ld_usage("missing command%s", "");
	if (!l.group && (!strcmp(l.cmd, "campaign") || !strcmp(l.cmd, "elect") ||
			 !strcmp(l.cmd, "forge")))
		return ld_usage("%s: missing GROUP", l.cmd);
	if (l.has_timeout && strcmp(l.cmd, "wait"))
		return ld_usage("--timeout goes with wait, not %s", l.cmd);
	if ((l.has_to || l.has_type || l.has_term || l.has_leader || l.list_given) &&
	    strcmp(l.cmd, "forge"))
		return ld_usage("--to, --type, --term, --leader and --list go with forge, not %s",
				l.cmd);
	if (!strcmp(l.cmd, "forge") && (!l.has_to || !l.has_type || !l.has_term))
		return ld_usage("forge: needs --to, --type and --term%s", "");
	if (!strcmp(l.cmd, "campaign") && (!l.argv || !l.argv[0]))
		return ld_usage("campaign: missing '-- CMD'%s", "");
	ret = ld_connect(&l);
	if (ret)
		return ret;
	if (!strcmp(l.cmd, "show"))
		ret = cmd_show(&l);
	else if (!strcmp(l.cmd, "status"))
		ret = cmd_status(&l);
	else if (!strcmp(l.cmd, "wait"))
		ret = cmd_wait(&l);
	else if (!strcmp(l.cmd, "watch"))
		ret = cmd_watch(&l);
	else if (!strcmp(l.cmd, "campaign"))
		ret = cmd_campaign(&l);
	else if (!strcmp(l.cmd, "elect"))
		ret = cmd_elect(&l);
	else
		ret = cmd_forge(&l);
	ordo_ipc_disconnect(l.c);
	return ret;
}
