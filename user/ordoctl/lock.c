// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl lock - distributed locks of ordo-mutexd over its local API
 * (user/lib/proto/mutex.proto): acquire, release, status, run, reset.
 * See Documentation/ordoctl.rst and Documentation/ordo-mutexd.rst.
 *
 * A lock belongs to the local API session that acquired it: when the
 * process holding it exits or dies, the daemon releases it. `acquire`
 * therefore keeps its session (and itself) alive while it holds the lock
 * and returns when the lock is released (`ordoctl lock release NAME`) or
 * when it is killed; `run` holds the lock while a command runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "ordo_mutex.h"

#define LOCK_SOCKET_DEFAULT	ORDO_MUTEX_SOCKET
#define LOCK_SOCKET_ENV		ORDO_MUTEX_SOCKET_ENV
#define STATUS_TIMEOUT_MS	5000

struct lockctl {
	bool json;
	const char *socket;
	const char *cmd;	/* acquire, release, ... */
	const char *name;
	bool has_timeout;
	uint32_t timeout_ms;
	char **argv;		/* run: the command */
	struct ordo_ipc_client *c;
};

static void lock_help(FILE *f)
{
	fprintf(f,
		"usage: ordoctl [-j] lock [--socket PATH] COMMAND\n"
		"  acquire NAME [--timeout MS]  wait for the lock, print its fencing token,\n"
		"                               hold it until 'ordoctl lock release NAME'\n"
		"                               or until this process is killed\n"
		"  release NAME                 release the lock held on this node\n"
		"  reset NAME                   (root, tests) the lock's voting coordinator\n"
		"                               on this node forgets its votes\n"
		"  status [NAME]                every lock (or one): algorithm, state,\n"
		"                               holder, queue, token, message counters\n"
		"  run NAME [--timeout MS] -- CMD [ARG...]\n"
		"                               hold the lock while CMD runs (like flock(1));\n"
		"                               CMD gets ORDO_LOCK_NAME and ORDO_LOCK_TOKEN;\n"
		"                               exits with CMD's status\n"
		"  --socket PATH                the daemon's socket (default $%s,\n"
		"                               else %s)\n"
		"  --timeout MS                 give up after MS milliseconds (exit 3)\n",
		LOCK_SOCKET_ENV, LOCK_SOCKET_DEFAULT);
}

static int lk_usage(const char *fmt, const char *arg)
{
	return cli_usage("lock", fmt, arg);
}

static int lk_fail(struct lockctl *l, int err, const char *msg)
{
	fprintf(stderr, "ordoctl lock %s: %s\n", l->cmd,
		msg && *msg ? msg : strerror(-err));
	return EXIT_FAIL;
}

static int lk_connect(struct lockctl *l)
{
	char msg[512];
	int err = ordo_ipc_connect(&l->c, l->socket);

	if (!err)
		return 0;
	switch (err) {
	case -ENOENT:
		snprintf(msg, sizeof(msg),
			 "no daemon: %s does not exist (is ordo-mutexd running?)",
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
	return lk_fail(l, err, msg);
}

/* One line for a failed call: the daemon's message, or ours. */
static int call_fail(struct lockctl *l, int ret, char *err, size_t errlen)
{
	if (ret == -ECONNRESET && !*err)
		snprintf(err, errlen, "the daemon went away");
	else if (ret == -ETIMEDOUT && !*err)
		snprintf(err, errlen, "lock %s: not granted within %" PRIu32 " ms",
			 l->name, l->timeout_ms);
	lk_fail(l, ret, err);
	return ret;
}

static int call(struct lockctl *l, const char *method,
		const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *desc, ProtobufCMessage **resp,
		int timeout_ms)
{
	char err[512] = "";
	int ret;

	ret = ordo_ipc_call(l->c, method, req, desc, resp, timeout_ms, err,
			    sizeof(err));
	return ret ? call_fail(l, ret, err, sizeof(err)) : 0;
}

/* Wait for the lock; *token gets the fencing token. */
static int do_acquire_call(struct lockctl *l, uint64_t *token)
{
	char err[512] = "";
	int ret;

	ret = ordo_mutex_acquire(l->c, l->name,
				 l->has_timeout ? l->timeout_ms : 0, token, NULL,
				 err, sizeof(err));
	return ret ? call_fail(l, ret, err, sizeof(err)) : 0;
}

static void print_token(struct lockctl *l, uint64_t token)
{
	if (l->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "lock", json_object_new_string(l->name));
		json_object_object_add(o, "token", json_object_new_uint64(token));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("%s %" PRIu64 "\n", l->name, token);
	}
	fflush(stdout);
}

static int cmd_acquire(struct lockctl *l)
{
	char err[512] = "";
	uint64_t token;
	int ret;

	if (do_acquire_call(l, &token))
		return EXIT_FAIL;
	print_token(l, token);
	/* hold the session until the lock is released */
	ret = ordo_mutex_hold(l->c, l->name, NULL, NULL, err, sizeof(err));
	if (ret) {
		call_fail(l, ret, err, sizeof(err));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_release(struct lockctl *l)
{
	char err[512] = "";
	uint64_t token;
	pid_t pid;
	int ret;

	ret = ordo_mutex_release(l->c, l->name, &token, &pid, err, sizeof(err));
	if (ret) {
		call_fail(l, ret, err, sizeof(err));
		return EXIT_FAIL;
	}
	if (l->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "lock", json_object_new_string(l->name));
		json_object_object_add(o, "token", json_object_new_uint64(token));
		json_object_object_add(o, "pid", json_object_new_int(pid));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	}
	return EXIT_OK;
}

static int cmd_reset(struct lockctl *l)
{
	Ordo__Mutex__ResetRequest req = ORDO__MUTEX__RESET_REQUEST__INIT;
	Ordo__Mutex__ResetReply *rep = NULL;
	size_t i;

	req.lock = (char *)l->name;
	if (call(l, "mutex.reset", &req.base,
		 &ordo__mutex__reset_reply__descriptor,
		 (ProtobufCMessage **)&rep, STATUS_TIMEOUT_MS))
		return EXIT_FAIL;
	if (l->json) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array();

		json_object_object_add(o, "lock", json_object_new_string(rep->lock));
		json_object_object_add(o, "resets", json_object_new_uint64(rep->resets));
		for (i = 0; i < rep->n_forgot; i++)
			json_object_array_add(a, json_object_new_uint64(rep->forgot[i]));
		json_object_object_add(o, "forgot", a);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		printf("%s: coordinator reset (%" PRIu64 " so far)", rep->lock,
		       rep->resets);
		for (i = 0; i < rep->n_forgot; i++)
			printf("%s%" PRIu32, i ? " " : ", forgot the vote for node ",
			       rep->forgot[i]);
		printf("\n");
	}
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	return EXIT_OK;
}

static int cmd_run(struct lockctl *l)
{
	char buf[32];
	uint64_t token;
	pid_t pid;
	int st, ret;

	if (do_acquire_call(l, &token))
		return EXIT_FAIL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return lk_fail(l, -errno, NULL);
	if (pid == 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64, token);
		setenv("ORDO_LOCK_TOKEN", buf, 1);
		setenv("ORDO_LOCK_NAME", l->name, 1);
		close(ordo_ipc_client_fd(l->c));
		execvp(l->argv[0], l->argv);
		fprintf(stderr, "ordoctl lock run: %s: %s\n", l->argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return lk_fail(l, -errno, NULL);
	}
	ret = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	/* -ENOLCK: released meanwhile by 'ordoctl lock release' */
	ordo_mutex_release(l->c, l->name, NULL, NULL, NULL, 0);
	return ret;
}

/* ------------------------------------------------------------ status */

static struct json_object *types_json(Ordo__Mutex__TypeCount **tc, size_t n)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_new_object();

		json_object_object_add(t, "sent", json_object_new_uint64(tc[i]->sent));
		json_object_object_add(t, "received",
				       json_object_new_uint64(tc[i]->received));
		json_object_object_add(o, tc[i]->type, t);
	}
	return o;
}

#define JU64(o, k, v)	json_object_object_add(o, k, json_object_new_uint64(v))

static void status_json(const Ordo__Mutex__StatusReply *r)
{
	struct json_object *o = json_object_new_object(), *a, *x, *q;
	char inc[20];
	size_t i, k;

	snprintf(inc, sizeof(inc), "%016" PRIx64, r->incarnation);
	JU64(o, "node", r->node);
	JU64(o, "coordinator", r->coordinator);
	JU64(o, "epoch", r->epoch);
	if (*r->election) {
		x = json_object_new_object();
		json_object_object_add(x, "group", json_object_new_string(r->election));
		json_object_object_add(x, "connected",
				       json_object_new_boolean(r->election_connected));
		if (r->election_leader)
			JU64(x, "leader", r->election_leader);
		json_object_object_add(x, "elected",
				       json_object_new_boolean(r->elected));
		json_object_object_add(o, "election", x);
	}
	json_object_object_add(o, "stamping", json_object_new_string(r->stamping));
	a = json_object_new_array();
	for (i = 0; i < r->n_peers; i++) {
		x = json_object_new_object();
		JU64(x, "node", r->peers[i]->node);
		json_object_object_add(x, "state",
				       json_object_new_string(r->peers[i]->state));
		json_object_object_add(x, "down",
				       json_object_new_boolean(r->peers[i]->down));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "peers", a);
	a = json_object_new_array();
	for (i = 0; i < r->n_locks; i++) {
		const Ordo__Mutex__LockStatus *l = r->locks[i];

		x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(l->name));
		json_object_object_add(x, "algorithm",
				       json_object_new_string(l->algorithm));
		JU64(x, "proto", l->proto);
		json_object_object_add(x, "state", json_object_new_string(l->state));
		json_object_object_add(x, "holder_pid", json_object_new_int(l->holder_pid));
		q = json_object_new_array();
		for (k = 0; k < l->n_queue; k++)
			json_object_array_add(q, json_object_new_int(l->queue[k]));
		json_object_object_add(x, "queue", q);
		JU64(x, "token", l->token);
		if (l->coordinator)
			JU64(x, "coordinator", l->coordinator);
		JU64(x, "entries", l->entries);
		JU64(x, "releases", l->releases);
		json_object_object_add(x, "messages",
				       types_json(l->messages, l->n_messages));
		JU64(x, "sent", l->sent);
		JU64(x, "received", l->received);
		JU64(x, "opdone_sent", l->opdone_sent);
		JU64(x, "opdone_received", l->opdone_received);
		JU64(x, "retransmissions", l->retransmissions);
		JU64(x, "ignored", l->ignored);
		JU64(x, "invalid", l->invalid);
		JU64(x, "abandoned", l->abandoned);
		JU64(x, "failovers", l->failovers);
		JU64(x, "regenerations", l->regenerations);
		JU64(x, "attempts", l->attempts);
		JU64(x, "failed_attempts", l->failed_attempts);
		JU64(x, "retransmitted", l->retransmitted);
		JU64(x, "duplicates", l->duplicates);
		JU64(x, "stale", l->stale);
		if (!strcmp(l->algorithm, "vote")) {
			JU64(x, "resets", l->resets);
			q = json_object_new_array();
			for (k = 0; k < l->n_voters; k++)
				json_object_array_add(q, json_object_new_uint64(l->voters[k]));
			json_object_object_add(x, "voters", q);
			JU64(x, "voted_for", l->voted_for);
		}
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "locks", a);
	a = json_object_new_array();
	for (i = 0; i < r->n_wire; i++) {
		x = json_object_new_object();
		json_object_object_add(x, "algorithm",
				       json_object_new_string(r->wire[i]->algorithm));
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
	JU64(o, "retransmits", r->retransmits);
	JU64(o, "retransmitted", r->retransmitted);
	JU64(o, "duplicates", r->duplicates);
	JU64(o, "stale", r->stale);
	JU64(o, "unacked", r->unacked);
	json_object_object_add(o, "incarnation",
			       json_object_new_string(inc));
	JU64(o, "rejoins", r->rejoins);
	json_object_object_add(o, "rejoined", json_object_new_boolean(r->rejoined));
	JU64(o, "peer_restarts", r->peer_restarts);
	json_object_object_add(o, "joining", json_object_new_boolean(r->joining));
	JU64(o, "ipc_sessions", r->ipc_sessions);
	JU64(o, "ipc_bad_requests", r->ipc_bad_requests);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

static void status_table(const Ordo__Mutex__StatusReply *r)
{
	size_t i, k;

	printf("node %" PRIu32 ", coordinator %" PRIu32 " (epoch %" PRIu64 "), %s stamping; peers:",
	       r->node, r->coordinator, r->epoch, r->stamping);
	for (i = 0; i < r->n_peers; i++)
		printf(" %" PRIu32 "=%s", r->peers[i]->node, r->peers[i]->state);
	if (*r->election) {
		char leader[16] = "none";

		if (r->election_leader)
			snprintf(leader, sizeof(leader), "%" PRIu32, r->election_leader);
		printf("\nelection %s: leader %s%s; the coordinator is %s",
		       r->election, leader,
		       r->election_connected ? "" : " (ordo-electd not reachable)",
		       r->elected ? "the elected leader" : "the lowest live id");
	}
	printf("\n%-16s %-16s %-8s %-8s %-12s %20s %8s %8s %8s\n", "LOCK",
	       "ALGORITHM", "STATE", "HOLDER", "QUEUE", "TOKEN", "ENTRIES",
	       "SENT", "RECEIVED");
	for (i = 0; i < r->n_locks; i++) {
		const Ordo__Mutex__LockStatus *l = r->locks[i];
		char holder[16] = "-", queue[64] = "-";
		size_t off = 0;

		if (l->holder_pid)
			snprintf(holder, sizeof(holder), "%d", l->holder_pid);
		for (k = 0; k < l->n_queue && off < sizeof(queue) - 12; k++)
			off += (size_t)snprintf(queue + off, sizeof(queue) - off,
						"%s%d", k ? "," : "", l->queue[k]);
		printf("%-16s %-16s %-8s %-8s %-12s %20" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
		       l->name, l->algorithm, l->state, holder, queue, l->token,
		       l->entries, l->sent, l->received);
	}
	printf("malformed datagrams %" PRIu64 " (bad body %" PRIu64 "), bad local requests %" PRIu64 "\n",
	       r->malformed, r->bad_body, r->ipc_bad_requests);
}

static int cmd_status(struct lockctl *l)
{
	Ordo__Mutex__StatusReply *rep = NULL;
	char err[512] = "";
	int ret;

	ret = ordo_mutex_status(l->c, l->name, &rep, STATUS_TIMEOUT_MS, err,
				sizeof(err));
	if (ret) {
		call_fail(l, ret, err, sizeof(err));
		return EXIT_FAIL;
	}
	if (l->json)
		status_json(rep);
	else
		status_table(rep);
	protobuf_c_message_free_unpacked(&rep->base, NULL);
	return EXIT_OK;
}

/* ------------------------------------------------------------ arguments */

static int parse_ms(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || !*s || *end || s[0] == '-' || x == 0 || x > INT32_MAX / 2)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int ordoctl_lock(bool json, int argc, char **argv)
{
	struct lockctl l = { .json = json };
	int i, ret;

	l.socket = getenv(LOCK_SOCKET_ENV);
	if (!l.socket || !*l.socket)
		l.socket = LOCK_SOCKET_DEFAULT;
	/* the arguments after "lock" */
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--socket") || !strcmp(a, "--timeout")) {
			if (i + 1 >= argc)
				return lk_usage("%s needs an argument", a);
			if (a[2] == 's') {
				l.socket = argv[++i];
			} else {
				if (parse_ms(argv[++i], &l.timeout_ms))
					return lk_usage("--timeout: '%s' is not a number of milliseconds from 1 to 1073741823",
							argv[i]);
				l.has_timeout = true;
			}
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h") ||
			   (!l.cmd && !strcmp(a, "help"))) {
			lock_help(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--")) {
			if (!l.cmd || strcmp(l.cmd, "run"))
				return lk_usage("'--' only goes with run", NULL);
			l.argv = &argv[i + 1];
			break;
		} else if (a[0] == '-' && a[1]) {
			return lk_usage("unknown option '%s'", a);
		} else if (!l.cmd) {
			if (strcmp(a, "acquire") && strcmp(a, "release") &&
			    strcmp(a, "status") && strcmp(a, "run") &&
			    strcmp(a, "reset"))
				return lk_usage("unknown command '%s'", a);
			l.cmd = a;
		} else if (!l.name) {
			l.name = a;
		} else {
			return lk_usage("unexpected argument '%s'", a);
		}
	}
	if (!l.cmd)
		return lk_usage("missing command%s", "");
	if (!l.name && strcmp(l.cmd, "status"))
		return lk_usage("%s: missing lock NAME", l.cmd);
	if (l.has_timeout && strcmp(l.cmd, "acquire") && strcmp(l.cmd, "run"))
		return lk_usage("--timeout goes with acquire and run, not %s", l.cmd);
	if (!strcmp(l.cmd, "run") && (!l.argv || !l.argv[0]))
		return lk_usage("run: missing '-- CMD'%s", "");
	ret = lk_connect(&l);
	if (ret)
		return ret;
	if (!strcmp(l.cmd, "acquire"))
		ret = cmd_acquire(&l);
	else if (!strcmp(l.cmd, "release"))
		ret = cmd_release(&l);
	else if (!strcmp(l.cmd, "run"))
		ret = cmd_run(&l);
	else if (!strcmp(l.cmd, "reset"))
		ret = cmd_reset(&l);
	else
		ret = cmd_status(&l);
	ordo_ipc_disconnect(l.c);
	return ret;
}
