// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl mcast - join an ordered multicast group (libordo's group
 * transport, ordo_group.h) on a stamped UDP socket, multicast messages
 * and print every delivered message, so that the ordering can be
 * watched. See Documentation/ordoctl.rst and
 * Documentation/ordered-multicast.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/ordo_wire.h>

#include "cli.h"
#include "libordo.h"
#include "ordo_group.h"

#define MC_GROUP_DEFAULT	77
#define MC_DOMAIN_BASE		7700
#define MC_LINGER_MS		5000
#define MC_PROBE_MS		100
#define MC_LINE_MAX		(ORDO_GROUP_PAYLOAD_MAX + 1)

struct mc_text {
	char *text;
	size_t len;
};

struct mcctl {
	bool json, stats, use_stdin, has_until, wait_peers;
	enum ordo_group_mode mode;
	uint32_t id, n;
	bool has_id;
	struct sockaddr_storage addrs[ORDO_GROUP_MAX];
	bool has_addr[ORDO_GROUP_MAX];
	struct mc_text *texts;		/* --send, then --count */
	size_t n_texts, next_text;
	uint64_t count, interval_ms, until, react, linger_ms, timeout_ms;
	uint64_t delay_ms;
	unsigned int rto_min, rto_max;
	uint32_t kind, group, domain;
	bool has_kind, has_domain;
	unsigned int ldom_flags;
	const char *log_path;
	FILE *log;
	struct ordo_group *g;
	uint64_t delivered, sent, reacted, rx_count;
	int err;			/* from a callback */
	/* stdin */
	char *line;
	size_t line_len;
	bool stdin_eof;
};

static volatile sig_atomic_t mc_stop;

static void mc_signal(int sig)
{
	(void)sig;
	mc_stop = 1;
}

static void mc_help(FILE *f)
{
	fprintf(f,
		"usage: ordoctl [-j] mcast --mode total|causal --id I --peer ID=ADDR:PORT... [OPTIONS]\n"
		"Join an ordered multicast group on a stamped UDP socket, multicast\n"
		"messages and print every delivered message, one per line:\n"
		"  total:  <ts> from=<id> <text>        causal: [v0,v1,...] from=<id> <text>\n"
		"  --mode total|causal     totally ordered (Lamport) or causal (vector) multicast\n"
		"  --id I                  this member's id (0..N-1)\n"
		"  --peer ID=ADDR:PORT     a member's address, once per member, this one\n"
		"                          included (IPv6: ID=[ADDR]:PORT); N = number of peers\n"
		"  --send TEXT             multicast TEXT (repeatable; in order, --interval apart)\n"
		"  --count N               then multicast N messages \"<id>.<k>\", k = 1..N\n"
		"  --interval MS           between two of those sends (default 0)\n"
		"  --delay MS              before the first of them (default 0)\n"
		"  --wait-peers            send nothing before every member has answered\n"
		"  --stdin                 also multicast each line read from stdin\n"
		"  --react N               reply \"<id>.r<k>><text>\" to the first N messages\n"
		"                          delivered from other members (causal chains)\n"
		"  --until-delivered N     exit after N deliveries (own messages included),\n"
		"                          once everything sent was acknowledged (then\n"
		"                          the others stop retransmitting to this member)\n"
		"  --linger MS             at most that long after N (default 5000)\n"
		"  --timeout MS            give up (exit 3) after MS\n"
		"  --user-stamping         stamp in userspace even if ordo.ko is loaded\n"
		"  --kernel-stamping       stamp in ordo.ko or fail (exit 2)\n"
		"  --clock lamport|vector|hlc  the socket's clock (default: lamport for\n"
		"                          total, vector for causal)\n"
		"  --group G               clock group id on the wire (default 77)\n"
		"  --domain D              the kernel clock domain (default 7700 + I; created\n"
		"                          if missing, deleted at exit if created)\n"
		"  --rto-min MS, --rto-max MS   retransmission timeout bounds\n"
		"  --log FILE              JSON lines: sends, datagrams read with their\n"
		"                          control message, deliveries, counters\n"
		"  --stats                 print the counters at exit\n"
		"  -j, --json              one JSON object per delivered message\n"
		"Exits 0 after --until-delivered or on SIGINT/SIGTERM.\n");
}

static int mc_usage(const char *fmt, const char *arg)
{
	return cli_usage("mcast", fmt, arg);
}

static int mc_fail(const char *what, int err)
{
	return cli_report(NULL, "mcast", what, err,
			  "permission denied: needs CAP_NET_ADMIN to create the domain");
}

static uint64_t mc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int mc_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || !*s || *end || s[0] == '-' || s[0] == '+')
		return -EINVAL;
	*v = x;
	return 0;
}

static int mc_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (mc_u64(s, &x) || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* "ID=ADDR:PORT" or "ID=[ADDR6]:PORT" */
static int mc_peer(struct mcctl *c, const char *arg)
{
	char buf[256], *eq, *host, *port, *end;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res;
	uint32_t id;

	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	if (!eq)
		return -EINVAL;
	*eq = '\0';
	if (mc_u32(buf, &id) || id >= ORDO_GROUP_MAX || c->has_addr[id])
		return -EINVAL;
	host = eq + 1;
	if (*host == '[') {
		end = strchr(++host, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		*end = '\0';
		port = end + 2;
	} else {
		port = strrchr(host, ':');
		if (!port)
			return -EINVAL;
		*port++ = '\0';
	}
	if (!*host || !*port || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) < 1 || atoi(port) > 65535)
		return -EINVAL;
	if (getaddrinfo(host, port, &hints, &res) || !res)
		return -EINVAL;
	memcpy(&c->addrs[id], res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	c->has_addr[id] = true;
	return 0;
}

static int mc_add_text(struct mcctl *c, const char *s, size_t len)
{
	struct mc_text *t;

	if (len > ORDO_GROUP_PAYLOAD_MAX)
		return -EMSGSIZE;
	t = realloc(c->texts, (c->n_texts + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->texts = t;
	t = &c->texts[c->n_texts];
	t->text = malloc(len + 1);
	if (!t->text)
		return -ENOMEM;
	memcpy(t->text, s, len);
	t->text[len] = '\0';
	t->len = len;
	c->n_texts++;
	return 0;
}

/* ---------------------------------------------------------------- JSON */

static json_object *mc_vec(const uint64_t *v, uint32_t n)
{
	json_object *a = json_object_new_array();
	uint32_t k;

	for (k = 0; k < n; k++)
		json_object_array_add(a, json_object_new_uint64(v[k]));
	return a;
}

static json_object *mc_vec_u(const __u64 *v, uint32_t n)
{
	json_object *a = json_object_new_array();
	uint32_t k;

	for (k = 0; k < n; k++)
		json_object_array_add(a, json_object_new_uint64(v[k]));
	return a;
}

/* The socket clock's control message, as JSON. */
static json_object *mc_cmsg(const struct ordo_lclock_cmsg *cm)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "node", json_object_new_int64(cm->node));
	json_object_object_add(o, "flags", json_object_new_int64(cm->flags));
	switch (cm->kind) {
	case ORDO_WIRE_KIND_VECTOR:
		json_object_object_add(o, "vc", mc_vec_u(cm->vc, cm->vc_n));
		json_object_object_add(o, "local_vc",
				       mc_vec_u(cm->vc + cm->vc_n, cm->vc_n));
		break;
	case ORDO_WIRE_KIND_HLC:
		json_object_object_add(o, "ts", json_object_new_uint64(cm->ts));
		json_object_object_add(o, "ts_c",
				       json_object_new_int64(cm->ts_c));
		json_object_object_add(o, "local",
				       json_object_new_uint64(cm->local));
		json_object_object_add(o, "local_c",
				       json_object_new_int64(cm->local_c));
		break;
	default:
		json_object_object_add(o, "ts", json_object_new_uint64(cm->ts));
		json_object_object_add(o, "local",
				       json_object_new_uint64(cm->local));
		break;
	}
	return o;
}

static json_object *mc_msg_json(struct mcctl *c, const char *ev,
				const struct ordo_group_msg *m, uint64_t k)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ev", json_object_new_string(ev));
	json_object_object_add(o, "node", json_object_new_int64(c->id));
	json_object_object_add(o, "k", json_object_new_uint64(k));
	json_object_object_add(o, "from", json_object_new_int64(m->from));
	if (m->vc)
		json_object_object_add(o, "vc", mc_vec(m->vc, m->n));
	else
		json_object_object_add(o, "ts", json_object_new_uint64(m->ts));
	json_object_object_add(o, "text",
			       json_object_new_string_len(m->data, (int)m->len));
	json_object_object_add(o, "t", json_object_new_uint64(mc_now_ns()));
	if (m->cmsg) {
		json_object_object_add(o, "rx",
				       json_object_new_uint64(m->rx_index));
		json_object_object_add(o, "kernel", mc_cmsg(m->cmsg));
	}
	return o;
}

static void mc_emit(FILE *f, json_object *o)
{
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static json_object *mc_stats_json(struct mcctl *c)
{
	json_object *o = json_object_new_object();
	struct ordo_group_stats st;

	ordo_group_stats(c->g, &st);
#define ST(f) json_object_object_add(o, #f, json_object_new_uint64(st.f))
	json_object_object_add(o, "ev", json_object_new_string("stats"));
	json_object_object_add(o, "node", json_object_new_int64(c->id));
	ST(multicasts);
	ST(proto_acks);
	ST(data_sent);
	ST(data_received);
	ST(acks_sent);
	ST(acks_received);
	ST(retransmits);
	ST(fast_retransmits);
	ST(duplicates);
	ST(out_of_order);
	ST(held_back);
	ST(delivered);
	ST(bad);
	ST(send_errors);
	ST(unacked);
	ST(pending);
#undef ST
	return o;
}

/* ---------------------------------------------------------------- callbacks */

static void mc_on_sent(void *arg, const struct ordo_group_msg *m)
{
	struct mcctl *c = arg;
	json_object *o;

	c->sent++;
	if (!c->log)
		return;
	o = mc_msg_json(c, "send", m, c->sent);
	mc_emit(c->log, o);
	json_object_put(o);
}

static void mc_on_deliver(void *arg, const struct ordo_group_msg *m)
{
	struct mcctl *c = arg;
	json_object *o;
	uint32_t k;

	c->delivered++;
	o = mc_msg_json(c, "deliver", m, c->delivered);
	if (c->log)
		mc_emit(c->log, o);
	if (c->json) {
		mc_emit(stdout, o);
	} else {
		if (m->vc) {
			printf("[");
			for (k = 0; k < m->n; k++)
				printf("%s%" PRIu64, k ? "," : "", m->vc[k]);
			printf("]");
		} else {
			printf("%" PRIu64, m->ts);
		}
		printf(" from=%u %.*s\n", m->from, (int)m->len,
		       (const char *)m->data);
	}
	json_object_put(o);
	fflush(stdout);

	if (m->from != c->id && c->reacted < c->react) {
		char *t;
		int len, err;

		c->reacted++;
		len = asprintf(&t, "%u.r%" PRIu64 ">%.*s", c->id, c->reacted,
			       (int)m->len, (const char *)m->data);
		if (len < 0) {
			c->err = -ENOMEM;
			return;
		}
		if (len > ORDO_GROUP_PAYLOAD_MAX)
			len = ORDO_GROUP_PAYLOAD_MAX;
		/* sent once the ordering code returns (ordo_group.h) */
		err = ordo_group_send(c->g, t, (size_t)len);
		if (err && !c->err)
			c->err = err;
		free(t);
	}
}

static const char *const mc_verdicts[] = {
	[ORDO_GROUP_RX_NEW] = "new",
	[ORDO_GROUP_RX_GAP] = "gap",
	[ORDO_GROUP_RX_DUP] = "dup",
	[ORDO_GROUP_RX_ACK] = "ack",
	[ORDO_GROUP_RX_BAD] = "bad",
};

static void mc_on_rx(void *arg, const struct ordo_group_rx *rx)
{
	struct mcctl *c = arg;
	json_object *o;

	c->rx_count++;
	if (!c->log)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string("rx"));
	json_object_object_add(o, "node", json_object_new_int64(c->id));
	json_object_object_add(o, "i", json_object_new_uint64(rx->index));
	json_object_object_add(o, "from", json_object_new_int64(rx->from));
	json_object_object_add(o, "type", json_object_new_string(
		rx->type == ORDO_GROUP_PKT_DATA ? "data" :
		rx->type == ORDO_GROUP_PKT_ACK ? "ack" : "?"));
	if (rx->type == ORDO_GROUP_PKT_DATA)
		json_object_object_add(o, "seq", json_object_new_uint64(rx->seq));
	json_object_object_add(o, "verdict", json_object_new_string(
		rx->verdict <= ORDO_GROUP_RX_BAD && mc_verdicts[rx->verdict] ?
		mc_verdicts[rx->verdict] : "?"));
	if (rx->cmsg)
		json_object_object_add(o, "kernel", mc_cmsg(rx->cmsg));
	mc_emit(c->log, o);
	json_object_put(o);
}

/* ---------------------------------------------------------------- stdin */

/* Read what stdin has; multicast every complete line. */
static int mc_read_stdin(struct mcctl *c)
{
	char buf[4096], *nl;
	ssize_t r;
	size_t i, start;
	int err;

	r = read(STDIN_FILENO, buf, sizeof(buf));
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (r == 0) {
		c->stdin_eof = true;
		/* a last line without a newline */
		if (c->line_len) {
			err = ordo_group_send(c->g, c->line, c->line_len);
			c->line_len = 0;
			return err;
		}
		return 0;
	}
	for (i = 0, start = 0; i <= (size_t)r; i++) {
		if (i < (size_t)r && buf[i] != '\n')
			continue;
		if (c->line_len + (i - start) >= MC_LINE_MAX)
			return -EMSGSIZE;
		memcpy(c->line + c->line_len, buf + start, i - start);
		c->line_len += i - start;
		if (i < (size_t)r) {	/* a newline */
			nl = c->line;
			err = ordo_group_send(c->g, nl, c->line_len);
			c->line_len = 0;
			if (err)
				return err;
		}
		start = i + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- main loop */

static void mc_log_start(struct mcctl *c)
{
	json_object *o;
	struct ordo_ldom *d = ordo_group_ldom(c->g);

	if (!c->log)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string("start"));
	json_object_object_add(o, "node", json_object_new_int64(c->id));
	json_object_object_add(o, "mode",
			       json_object_new_string(ordo_group_mode_name(c->mode)));
	json_object_object_add(o, "n", json_object_new_int64(c->n));
	json_object_object_add(o, "stamping", json_object_new_string(
		ordo_ldom_mode(d) == ORDO_LDOM_KERNEL ? "kernel" : "user"));
	json_object_object_add(o, "clock",
			       json_object_new_string(ordo_lclock_kind_name(c->kind)));
	json_object_object_add(o, "domain", json_object_new_int64(c->domain));
	json_object_object_add(o, "group", json_object_new_int64(c->group));
	mc_emit(c->log, o);
	json_object_put(o);
}

static void mc_print_stats(struct mcctl *c)
{
	json_object *o = mc_stats_json(c);
	struct json_object_iterator it, end;

	if (c->log)
		mc_emit(c->log, o);
	if (c->stats) {
		if (c->json) {
			mc_emit(stdout, o);
		} else {
			it = json_object_iter_begin(o);
			end = json_object_iter_end(o);
			for (; !json_object_iter_equal(&it, &end);
			     json_object_iter_next(&it)) {
				const char *name = json_object_iter_peek_name(&it);

				if (!strcmp(name, "ev") || !strcmp(name, "node"))
					continue;
				printf("%-18s %s\n", name, json_object_get_string(
					json_object_iter_peek_value(&it)));
			}
		}
	}
	json_object_put(o);
}

/* The earlier of *@timeout (-1: none) and @t ms. */
static void mc_min_timeout(int *timeout, uint64_t t)
{
	if (t > INT32_MAX)
		t = INT32_MAX;
	if (*timeout < 0 || (int)t < *timeout)
		*timeout = (int)t;
}

static int mc_loop(struct mcctl *c)
{
	uint64_t start = mc_now_ms(), now, linger_end = 0, next_probe = start;
	uint64_t next_send = start + c->delay_ms;
	bool lingering = false, waiting = c->wait_peers;
	struct ordo_group_stats st;
	sigset_t block, orig;
	struct pollfd pfd[2];
	struct timespec tmo;
	int timeout, ret = EXIT_OK, err, nfds;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);

	for (;;) {
		now = mc_now_ms();
		if (mc_stop)
			break;
		if (c->timeout_ms && now - start >= c->timeout_ms) {
			if (c->has_until)
				fprintf(stderr, "ordoctl mcast: timed out: delivered %" PRIu64
					" of %" PRIu64 "\n", c->delivered, c->until);
			else
				fprintf(stderr, "ordoctl mcast: timed out after %" PRIu64
					" ms\n", c->timeout_ms);
			ret = EXIT_FAIL;
			break;
		}
		/* --wait-peers: probe until every member has answered */
		if (waiting && ordo_group_heard(c->g) == c->n - 1) {
			waiting = false;
			next_send = now + c->delay_ms;
		}
		if (waiting && now >= next_probe) {
			ordo_group_probe(c->g);
			next_probe = now + MC_PROBE_MS;
		}
		/* the scheduled sends: --send, then --count */
		while (!waiting && c->next_text < c->n_texts && now >= next_send) {
			struct mc_text *tx = &c->texts[c->next_text++];

			err = ordo_group_send(c->g, tx->text, tx->len);
			if (err)
				return mc_fail("send", err);
			next_send += c->interval_ms;
			if (c->interval_ms)
				break;
		}
		if (c->has_until && !lingering && c->delivered >= c->until &&
		    c->next_text == c->n_texts) {
			lingering = true;
			linger_end = now + c->linger_ms;
		}
		/*
		 * Done: stay until everything sent is acknowledged (others
		 * may still need it), then leave (they stop retransmitting
		 * to this member).
		 */
		if (lingering && ordo_group_idle(c->g))
			break;
		if (lingering && now >= linger_end) {
			ordo_group_stats(c->g, &st);
			fprintf(stderr, "ordoctl mcast: leaving with %" PRIu64
				" datagrams unacknowledged after --linger\n",
				st.unacked);
			break;
		}

		timeout = ordo_group_timeout_ms(c->g);
		if (waiting)
			mc_min_timeout(&timeout, next_probe > now ? next_probe - now : 0);
		else if (c->next_text < c->n_texts)
			mc_min_timeout(&timeout, next_send > now ? next_send - now : 0);
		if (lingering)
			mc_min_timeout(&timeout, linger_end - now);
		if (c->timeout_ms)
			mc_min_timeout(&timeout, start + c->timeout_ms - now);
		pfd[0].fd = ordo_group_fd(c->g);
		pfd[0].events = POLLIN;
		nfds = 1;
		if (c->use_stdin && !c->stdin_eof && !waiting) {
			pfd[1].fd = STDIN_FILENO;
			pfd[1].events = POLLIN;
			nfds = 2;
		}
		tmo.tv_sec = timeout / 1000;
		tmo.tv_nsec = (long)(timeout % 1000) * 1000000;
		if (ppoll(pfd, (nfds_t)nfds, timeout < 0 ? NULL : &tmo, &orig) < 0) {
			if (errno == EINTR)
				continue;
			return mc_fail("poll", -errno);
		}
		if (nfds == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			err = mc_read_stdin(c);
			if (err == -EMSGSIZE) {
				fprintf(stderr, "ordoctl mcast: stdin: line longer than %d bytes\n",
					ORDO_GROUP_PAYLOAD_MAX);
				return EXIT_FAIL;
			}
			if (err)
				return mc_fail("stdin", err);
		}
		err = ordo_group_process(c->g);
		if (err < 0)
			return mc_fail("receive", err);
		if (c->err)
			return mc_fail("send", c->err);
	}
	ordo_group_leave(c->g);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return ret;
}

/* ---------------------------------------------------------------- setup */

static int mc_parse(struct mcctl *c, int argc, char **argv)
{
	enum {
		O_MODE = 256, O_ID, O_PEER, O_SEND, O_COUNT, O_INTERVAL,
		O_STDIN, O_UNTIL, O_USER, O_KERNEL, O_REACT, O_LINGER,
		O_TIMEOUT, O_CLOCK, O_GROUP, O_DOMAIN, O_RTO_MIN, O_RTO_MAX,
		O_LOG, O_STATS, O_DELAY, O_WAIT,
	};
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, O_MODE },
		{ "id", required_argument, NULL, O_ID },
		{ "peer", required_argument, NULL, O_PEER },
		{ "send", required_argument, NULL, O_SEND },
		{ "count", required_argument, NULL, O_COUNT },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "delay", required_argument, NULL, O_DELAY },
		{ "wait-peers", no_argument, NULL, O_WAIT },
		{ "stdin", no_argument, NULL, O_STDIN },
		{ "until-delivered", required_argument, NULL, O_UNTIL },
		{ "user-stamping", no_argument, NULL, O_USER },
		{ "kernel-stamping", no_argument, NULL, O_KERNEL },
		{ "react", required_argument, NULL, O_REACT },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "clock", required_argument, NULL, O_CLOCK },
		{ "group", required_argument, NULL, O_GROUP },
		{ "domain", required_argument, NULL, O_DOMAIN },
		{ "rto-min", required_argument, NULL, O_RTO_MIN },
		{ "rto-max", required_argument, NULL, O_RTO_MAX },
		{ "log", required_argument, NULL, O_LOG },
		{ "stats", no_argument, NULL, O_STATS },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool has_mode = false;
	uint32_t v32;
	uint64_t k;
	char buf[64];
	int opt, i;

	optind = 0;	/* re-initialise getopt: argv is the command's */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c->json = true;
			break;
		case 'h':
			mc_help(stdout);
			return -1;
		case O_MODE:
			if (ordo_group_mode_parse(optarg, &c->mode))
				return mc_usage("unknown mode '%s' (total or causal)",
						optarg);
			has_mode = true;
			break;
		case O_ID:
			if (mc_u32(optarg, &c->id) || c->id >= ORDO_GROUP_MAX)
				return mc_usage("bad --id '%s' (0..63)", optarg);
			c->has_id = true;
			break;
		case O_PEER:
			if (mc_peer(c, optarg))
				return mc_usage("bad or repeated --peer '%s' (ID=ADDR:PORT)",
						optarg);
			break;
		case O_SEND:
			if (mc_add_text(c, optarg, strlen(optarg)))
				return mc_usage("--send text too long: '%.40s'",
						optarg);
			break;
		case O_COUNT:
			if (mc_u64(optarg, &c->count) || c->count > 1000000)
				return mc_usage("bad --count '%s'", optarg);
			break;
		case O_INTERVAL:
			if (mc_u64(optarg, &c->interval_ms) ||
			    c->interval_ms > 3600000)
				return mc_usage("bad --interval '%s'", optarg);
			break;
		case O_DELAY:
			if (mc_u64(optarg, &c->delay_ms) || c->delay_ms > 3600000)
				return mc_usage("bad --delay '%s'", optarg);
			break;
		case O_WAIT:
			c->wait_peers = true;
			break;
		case O_STDIN:
			c->use_stdin = true;
			break;
		case O_UNTIL:
			if (mc_u64(optarg, &c->until))
				return mc_usage("bad --until-delivered '%s'", optarg);
			c->has_until = true;
			break;
		case O_USER:
			c->ldom_flags |= ORDO_LDOM_F_USER;
			break;
		case O_KERNEL:
			c->ldom_flags |= ORDO_LDOM_F_KERNEL;
			break;
		case O_REACT:
			if (mc_u64(optarg, &c->react))
				return mc_usage("bad --react '%s'", optarg);
			break;
		case O_LINGER:
			if (mc_u64(optarg, &c->linger_ms) || c->linger_ms > 3600000)
				return mc_usage("bad --linger '%s'", optarg);
			break;
		case O_TIMEOUT:
			if (mc_u64(optarg, &c->timeout_ms) || !c->timeout_ms ||
			    c->timeout_ms > INT32_MAX)
				return mc_usage("bad --timeout '%s'", optarg);
			break;
		case O_CLOCK:
			if (ordo_lclock_kind_parse(optarg, &c->kind))
				return mc_usage("unknown clock '%s' (lamport, vector, hlc)",
						optarg);
			c->has_kind = true;
			break;
		case O_GROUP:
			if (mc_u32(optarg, &c->group))
				return mc_usage("bad --group '%s'", optarg);
			break;
		case O_DOMAIN:
			if (mc_u32(optarg, &c->domain))
				return mc_usage("bad --domain '%s'", optarg);
			c->has_domain = true;
			break;
		case O_RTO_MIN:
			if (mc_u32(optarg, &v32) || !v32 || v32 > 60000)
				return mc_usage("bad --rto-min '%s'", optarg);
			c->rto_min = v32;
			break;
		case O_RTO_MAX:
			if (mc_u32(optarg, &v32) || !v32 || v32 > 60000)
				return mc_usage("bad --rto-max '%s'", optarg);
			c->rto_max = v32;
			break;
		case O_LOG:
			c->log_path = optarg;
			break;
		case O_STATS:
			c->stats = true;
			break;
		default:
			return mc_usage("unknown or incomplete option '%s'",
					argv[optind - 1]);
		}
	}
	if (optind < argc)
		return mc_usage("unexpected argument '%s'", argv[optind]);
	if (!has_mode)
		return mc_usage("--mode is required%s", "");
	if (!c->has_id)
		return mc_usage("--id is required%s", "");
	if ((c->ldom_flags & ORDO_LDOM_F_USER) &&
	    (c->ldom_flags & ORDO_LDOM_F_KERNEL))
		return mc_usage("--user-stamping and --kernel-stamping exclude each other%s",
				"");
	for (i = 0; i < ORDO_GROUP_MAX && c->has_addr[i]; i++)
		;
	c->n = (uint32_t)i;
	for (; i < ORDO_GROUP_MAX; i++) {
		if (c->has_addr[i]) {
			snprintf(buf, sizeof(buf), "%d", i - 1);
			return mc_usage("member ids must be 0..N-1: no --peer for %s",
					buf);
		}
	}
	if (!c->n)
		return mc_usage("--peer is required (every member, this one included)%s",
				"");
	if (c->id >= c->n) {
		snprintf(buf, sizeof(buf), "%u", c->id);
		return mc_usage("no --peer for this member's id %s", buf);
	}
	for (i = 0; i < (int)c->n; i++) {
		if (c->addrs[i].ss_family != c->addrs[0].ss_family)
			return mc_usage("members mix IPv4 and IPv6%s", "");
	}
	if (c->rto_min && c->rto_max && c->rto_min > c->rto_max)
		return mc_usage("--rto-min is above --rto-max%s", "");
	if (!c->has_kind)
		c->kind = c->mode == ORDO_GROUP_TOTAL ? ORDO_WIRE_KIND_LAMPORT :
							ORDO_WIRE_KIND_VECTOR;
	if (!c->has_domain)
		c->domain = MC_DOMAIN_BASE + c->id;
	for (k = 1; k <= c->count; k++) {
		snprintf(buf, sizeof(buf), "%u.%" PRIu64, c->id, k);
		if (mc_add_text(c, buf, strlen(buf)))
			return mc_fail("setup", -ENOMEM);
	}
	return 0;
}

/*
 * With ordo.ko, whether the kernel domain exists: 1 yes, 0 no (it will
 * be created, and deleted at exit), -errno, or 1 when there is no module.
 */
static int mc_domain_exists(struct mcctl *c, struct ordo **h)
{
	struct ordo_lclock_info *li;
	int err;

	if (c->ldom_flags & ORDO_LDOM_F_USER)
		return 1;
	err = ordo_open(h);
	if (err == ORDO_ERR_NOT_LOADED) {
		*h = NULL;
		return 1;
	}
	if (err)
		return err;
	li = malloc(sizeof(*li));
	if (!li)
		return -ENOMEM;
	err = ordo_lclock_get(*h, c->domain, li);
	free(li);
	if (err == -ENOENT)
		return 0;
	return err ? err : 1;
}

int ordoctl_mcast(bool json, int argc, char **argv)
{
	struct mcctl c = {
		.json = json, .group = MC_GROUP_DEFAULT,
		.linger_ms = MC_LINGER_MS,
	};
	struct ordo_group_config cfg = { 0 };
	struct sigaction sa = { .sa_handler = mc_signal };
	struct ordo *h = NULL;
	char **args;
	int ret, exists, err, i, n = 0;
	size_t k;

	/* getopt wants the command name first */
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args)
		return EXIT_FAIL;
	args[n++] = "ordoctl mcast";
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "help"))
			args[n++] = "--help";
		else
			args[n++] = argv[i];
	}
	ret = mc_parse(&c, n, args);
	free(args);
	if (ret) {
		ret = ret < 0 ? EXIT_OK : ret;
		goto out_texts;
	}
	if (c.use_stdin) {
		c.line = malloc(MC_LINE_MAX);
		if (!c.line) {
			ret = EXIT_FAIL;
			goto out_texts;
		}
	}

	exists = mc_domain_exists(&c, &h);
	if (exists < 0) {
		ret = cli_report(h, "mcast", "domain", exists, NULL);
		goto out;
	}
	if (c.log_path) {
		c.log = fopen(c.log_path, "w");
		if (!c.log) {
			ret = mc_fail(c.log_path, -errno);
			goto out;
		}
	}

	cfg.mode = c.mode;
	cfg.n = c.n;
	cfg.self = c.id;
	cfg.addrs = c.addrs;
	cfg.clock.domain = c.domain;
	cfg.clock.kind = c.kind;
	if (c.kind == ORDO_WIRE_KIND_VECTOR) {
		cfg.clock.vc_n = c.n;
		cfg.clock.vc_index = c.id;
	}
	cfg.clock.has_node = 1;
	cfg.clock.node = c.id;
	cfg.clock.has_group = 1;
	cfg.clock.group = c.group;
	cfg.ldom_flags = c.ldom_flags | ORDO_LDOM_F_CREATE;
	cfg.rto_min_ms = c.rto_min;
	cfg.rto_max_ms = c.rto_max;
	cfg.deliver = mc_on_deliver;
	cfg.sent = mc_on_sent;
	cfg.rx = mc_on_rx;
	cfg.arg = &c;
	err = ordo_group_open(&c.g, &cfg);
	if (err == -EINVAL && h) {
		fprintf(stderr, "ordoctl mcast: domain %u exists with another kind or size (ordoctl lclock domain del %u)\n",
			c.domain, c.domain);
		ret = EXIT_FAIL;
		goto out;
	}
	if (err) {
		ret = cli_report(h, "mcast", "join", err,
				 "permission denied: needs CAP_NET_ADMIN to create the clock domain");
		goto out;
	}
	if (c.use_stdin)
		fcntl(STDIN_FILENO, F_SETFL,
		      fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	mc_log_start(&c);
	ret = mc_loop(&c);
	mc_print_stats(&c);
	ordo_group_close(c.g);
	c.g = NULL;
	if (!exists && h) {
		/* ours: remove it (closing the socket detached it) */
		for (i = 0; i < 50; i++) {
			err = ordo_lclock_domain_del(h, c.domain);
			if (err != -EBUSY)
				break;
			usleep(20000);
		}
	}
out:
	if (c.log)
		fclose(c.log);
	ordo_close(h);
	free(c.line);
out_texts:
	for (k = 0; k < c.n_texts; k++)
		free(c.texts[k].text);
	free(c.texts);
	return ret;
}
