// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-msgstat: rows, malformed counters, stamps and theory mode, as a
 * table or as JSON. See ms_report.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <json-c/json.h>

#include <linux/ordo_app.h>
#include <linux/ordo_wire.h>

#include "ms_report.h"

struct alias {
	const char *name;
	uint8_t proto;
};

static const struct alias aliases[] = {
	{ "central", ORDO_APP_PROTO_MUTEX_CENTRAL },
	{ "centralized", ORDO_APP_PROTO_MUTEX_CENTRAL },
	{ "ring", ORDO_APP_PROTO_MUTEX_RING },
	{ "token_ring", ORDO_APP_PROTO_MUTEX_RING },
	{ "ra", ORDO_APP_PROTO_MUTEX_RA },
	{ "ricart_agrawala", ORDO_APP_PROTO_MUTEX_RA },
	{ "lamport", ORDO_APP_PROTO_MUTEX_LAMPORT },
	{ "vote", ORDO_APP_PROTO_MUTEX_VOTE },
	{ "voting", ORDO_APP_PROTO_MUTEX_VOTE },
	{ "bully", ORDO_APP_PROTO_ELECT_BULLY },
	{ "ring_election", ORDO_APP_PROTO_ELECT_RING },
};

int ms_theory_formula(uint8_t proto, unsigned int n, enum ms_bound *bound,
		      const char **formula, uint64_t *expected)
{
	uint64_t N = n;

	if (n < 1)
		return -1;
	switch (proto) {
	case ORDO_APP_PROTO_MUTEX_CENTRAL:
		*bound = MS_EXACT, *formula = "3", *expected = 3;
		return 0;
	case ORDO_APP_PROTO_MUTEX_RING:
		*bound = MS_PER_CIRCULATION, *formula = "N", *expected = N;
		return 0;
	case ORDO_APP_PROTO_MUTEX_RA:
		*bound = MS_EXACT, *formula = "2(N-1)", *expected = 2 * (N - 1);
		return 0;
	case ORDO_APP_PROTO_MUTEX_LAMPORT:
		*bound = MS_EXACT, *formula = "3(N-1)", *expected = 3 * (N - 1);
		return 0;
	case ORDO_APP_PROTO_MUTEX_VOTE:	/* uncontended */
		*bound = MS_EXACT, *formula = "3(N-1)", *expected = 3 * (N - 1);
		return 0;
	case ORDO_APP_PROTO_ELECT_BULLY:
		/* the lowest of N live nodes starts: N(N-1)/2 ELECTION,
		 * as many OK, N-1 COORDINATOR
		 */
		*bound = MS_WORST_CASE, *formula = "N^2-1", *expected = N * N - 1;
		return 0;
	case ORDO_APP_PROTO_ELECT_RING:
		*bound = MS_EXACT, *formula = "2N", *expected = 2 * N;
		return 0;
	default:
		return -1;
	}
}

int ms_theory_proto(const char *name, uint8_t *proto)
{
	enum ms_bound b;
	const char *f;
	uint64_t e;
	size_t i;
	unsigned int p;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].name)) {
			*proto = aliases[i].proto;
			return 0;
		}
	for (p = 0; p < ORDO_APP_PROTO_MAX; p++)
		if (ordo_app_proto_known(p) && !strcmp(name, ordo_app_proto_name(p)) &&
		    !ms_theory_formula((uint8_t)p, 1, &b, &f, &e)) {
			*proto = (uint8_t)p;
			return 0;
		}
	return -1;
}

int ms_theory_eval(const struct ms_row *rows, size_t nrows, uint8_t proto,
		   unsigned int n, struct ms_theory *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->proto = proto;
	t->nodes = n;
	if (ms_theory_formula(proto, n, &t->bound, &t->formula, &t->expected))
		return -1;
	for (i = 0; i < nrows; i++) {
		const struct ms_row *r = &rows[i];

		if (r->dir != MSGSTAT_TX || r->cls != MSGSTAT_CLS_APP || r->proto != proto)
			continue;
		t->messages += r->v.packets;
		t->retx += r->v.retx;
		t->ops += r->v.opdone;
	}
	if (t->bound == MS_PER_CIRCULATION) {
		/* per_op here: circulations of the token */
		t->per_op = (double)t->messages / t->expected;
		t->verdict = "circulations";
		return 0;
	}
	if (!t->ops) {
		t->verdict = "no operations";
		return 0;
	}
	t->per_op = (double)t->messages / t->ops;
	if (t->bound == MS_EXACT)
		t->verdict = t->messages == t->ops * t->expected ? "match" : "differs";
	else
		t->verdict = t->messages <= t->ops * t->expected ? "within" : "exceeds";
	return 0;
}

int ms_node_of(const struct ms_nodes *nodes, const uint8_t addr[16], uint32_t *node)
{
	size_t i;

	for (i = 0; nodes && i < nodes->n; i++)
		if (!memcmp(nodes->v[i].addr, addr, 16)) {
			*node = nodes->v[i].node;
			return 0;
		}
	return -1;
}

static int row_cmp(const struct ms_row *a, const struct ms_row *b)
{
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->peer_known != b->peer_known)
		return a->peer_known ? -1 : 1;
	if (a->peer != b->peer)
		return a->peer < b->peer ? -1 : 1;
	return memcmp(a->peer_addr, b->peer_addr, 16);
}

static int row_qcmp(const void *a, const void *b)
{
	return row_cmp(a, b);
}

int ms_rows_build(const struct ms_entry *e, size_t n, const struct ms_nodes *nodes,
		  const struct ms_row *prev, size_t nprev, double secs, bool reset,
		  struct ms_row **rowsp, size_t *nrowsp)
{
	struct ms_row *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t i, j, nrows = 0;

	if (!rows)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct msgstat_key *k = &e[i].key;
		struct ms_row r = {
			.proto = k->proto, .type = k->type, .dir = k->dir, .cls = k->cls,
		};

		if (k->dir == MSGSTAT_RX) {
			r.peer_known = true;
			r.peer = k->sender;
			memcpy(r.peer_addr, k->saddr, 16);
		} else {
			r.peer_known = !ms_node_of(nodes, k->daddr, &r.peer);
			memcpy(r.peer_addr, k->daddr, 16);
		}
		for (j = 0; j < nrows; j++)
			if (!row_cmp(&rows[j], &r))
				break;
		if (j == nrows)
			rows[nrows++] = r;
		rows[j].v.packets += e[i].val.packets;
		rows[j].v.bytes += e[i].val.bytes;
		rows[j].v.retx += e[i].val.retx;
		rows[j].v.opdone += e[i].val.opdone;
	}
	qsort(rows, nrows, sizeof(*rows), row_qcmp);
	for (i = 0; i < nrows; i++) {
		uint64_t before = 0;

		for (j = 0; !reset && prev && j < nprev; j++)
			if (!row_cmp(&prev[j], &rows[i])) {
				before = prev[j].v.packets;
				break;
			}
		rows[i].rate = secs > 0 && rows[i].v.packets >= before ?
			(rows[i].v.packets - before) / secs : 0;
	}
	*rowsp = rows;
	*nrowsp = nrows;
	return 0;
}

const char *ms_dir_name(unsigned int dir)
{
	return dir == MSGSTAT_TX ? "tx" : "rx";
}

const char *ms_cls_name(unsigned int cls)
{
	return cls == MSGSTAT_CLS_NOAPP ? "noapp" : "app";
}

uint64_t ms_misc_malformed(const struct ms_misc *m, unsigned int dir)
{
	uint64_t sum = 0;
	unsigned int s;

	for (s = 0; s < MSGSTAT_OVERFLOW; s++)
		sum += m->slot[msgstat_misc_slot(dir, s)];
	return sum;
}

const char *ms_misc_name(unsigned int slot)
{
	static const char *const wire[ORDO_WIRE_E_CNT] = {
		"wire_short", "wire_magic", "wire_version", "wire_kind",
		"wire_hdr_small", "wire_hdr_large", "wire_trunc", "wire_vc_n",
		"wire_hdr_len", "wire_vc_index", "wire_flags", "wire_reserved",
		"wire_nospace",
	};
	static const char *const app[ORDO_APP_E_CNT] = {
		"app_short", "app_version", "app_proto", "app_flags",
		"app_reply_request", "app_len", "app_nospace",
	};

	if (slot < MSGSTAT_WIRE_BAD + ORDO_WIRE_E_CNT)
		return wire[slot - MSGSTAT_WIRE_BAD];
	if (slot >= MSGSTAT_APP_BAD && slot < MSGSTAT_APP_BAD + ORDO_APP_E_CNT)
		return app[slot - MSGSTAT_APP_BAD];
	if (slot == MSGSTAT_OVERFLOW)
		return "overflow";
	return NULL;
}

void ms_addr_str(const uint8_t addr[16], char *buf, size_t len)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(addr, mapped, 12))
		inet_ntop(AF_INET, addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
}

/* Stamps of netns @ns summed per event. */
static void stamps_of(const struct ms_report *r, uint32_t ns, uint64_t ev[MSGSTAT_NR_ST])
{
	size_t i;

	memset(ev, 0, MSGSTAT_NR_ST * sizeof(*ev));
	for (i = 0; i < r->nstamps; i++)
		if (r->stamps[i].key.netns == ns && r->stamps[i].key.event < MSGSTAT_NR_ST)
			ev[r->stamps[i].key.event] += r->stamps[i].count;
}

/* The namespaces to show stamps for: the attached ones, else every one seen. */
static size_t stamp_netns(const struct ms_report *r, uint32_t *out, size_t cap)
{
	size_t i, j, n = 0;

	if (r->nnetns) {
		for (i = 0; i < r->nnetns && n < cap; i++)
			out[n++] = r->netns[i];
		return n;
	}
	for (i = 0; i < r->nstamps; i++) {
		for (j = 0; j < n; j++)
			if (out[j] == r->stamps[i].key.netns)
				break;
		if (j == n && n < cap)
			out[n++] = r->stamps[i].key.netns;
	}
	return n;
}

#define MAX_NS	256

static void totals(const struct ms_report *r, uint64_t tot[MSGSTAT_NR_DIRS][2])
{
	size_t i;

	memset(tot, 0, sizeof(uint64_t) * MSGSTAT_NR_DIRS * 2);
	for (i = 0; i < r->nrows; i++)
		tot[r->rows[i].dir & 1][r->rows[i].cls & 1] += r->rows[i].v.packets;
}

static const char *bound_name(enum ms_bound b)
{
	switch (b) {
	case MS_EXACT:			return "exact";
	case MS_PER_CIRCULATION:	return "per_circulation";
	default:			return "worst_case";
	}
}

struct json_object *ms_report_json(const struct ms_report *r)
{
	struct json_object *o = json_object_new_object(), *a, *m, *d, *x;
	uint64_t tot[MSGSTAT_NR_DIRS][2], ev[MSGSTAT_NR_ST], st[MSGSTAT_NR_ST] = { 0 };
	uint32_t ns[MAX_NS];
	char addr[64];
	size_t i, nns;
	unsigned int dir, s, k;

	json_object_object_add(o, "time", json_object_new_double(r->time));
	json_object_object_add(o, "interval", json_object_new_double(r->interval));
	a = json_object_new_array();
	for (i = 0; i < r->nrows; i++) {
		const struct ms_row *w = &r->rows[i];

		m = json_object_new_object();
		json_object_object_add(m, "proto", json_object_new_string(
			w->cls == MSGSTAT_CLS_APP ? ordo_app_proto_name(w->proto) : "-"));
		json_object_object_add(m, "proto_id", json_object_new_int(w->proto));
		json_object_object_add(m, "type", json_object_new_int(w->type));
		json_object_object_add(m, "dir", json_object_new_string(ms_dir_name(w->dir)));
		json_object_object_add(m, "class", json_object_new_string(ms_cls_name(w->cls)));
		json_object_object_add(m, "peer", w->peer_known ?
				       json_object_new_int64(w->peer) : NULL);
		ms_addr_str(w->peer_addr, addr, sizeof(addr));
		json_object_object_add(m, "peer_addr", json_object_new_string(addr));
		json_object_object_add(m, "count", json_object_new_int64((int64_t)w->v.packets));
		json_object_object_add(m, "bytes", json_object_new_int64((int64_t)w->v.bytes));
		json_object_object_add(m, "retx", json_object_new_int64((int64_t)w->v.retx));
		json_object_object_add(m, "opdone", json_object_new_int64((int64_t)w->v.opdone));
		json_object_object_add(m, "rate", json_object_new_double(w->rate));
		json_object_array_add(a, m);
	}
	json_object_object_add(o, "messages", a);

	totals(r, tot);
	m = json_object_new_object();
	for (dir = 0; dir < MSGSTAT_NR_DIRS; dir++) {
		d = json_object_new_object();
		json_object_object_add(d, "app", json_object_new_int64((int64_t)tot[dir][0]));
		json_object_object_add(d, "noapp", json_object_new_int64((int64_t)tot[dir][1]));
		json_object_object_add(d, "malformed",
				       json_object_new_int64((int64_t)ms_misc_malformed(r->misc, dir)));
		json_object_object_add(d, "overflow", json_object_new_int64((int64_t)
			r->misc->slot[msgstat_misc_slot(dir, MSGSTAT_OVERFLOW)]));
		json_object_object_add(m, ms_dir_name(dir), d);
	}
	json_object_object_add(o, "totals", m);

	m = json_object_new_object();
	for (dir = 0; dir < MSGSTAT_NR_DIRS; dir++) {
		d = json_object_new_object();
		for (s = 0; s < MSGSTAT_OVERFLOW; s++) {
			uint64_t v = r->misc->slot[msgstat_misc_slot(dir, s)];

			if (v && ms_misc_name(s))
				json_object_object_add(d, ms_misc_name(s),
						       json_object_new_int64((int64_t)v));
		}
		json_object_object_add(m, ms_dir_name(dir), d);
	}
	json_object_object_add(o, "malformed", m);

	a = json_object_new_array();
	nns = stamp_netns(r, ns, MAX_NS);
	for (i = 0; i < nns; i++) {
		stamps_of(r, ns[i], ev);
		m = json_object_new_object();
		json_object_object_add(m, "netns", json_object_new_int64(ns[i]));
		json_object_object_add(m, "send", json_object_new_int64((int64_t)ev[MSGSTAT_ST_SEND]));
		json_object_object_add(m, "recv", json_object_new_int64((int64_t)ev[MSGSTAT_ST_RECV]));
		json_object_object_add(m, "tick", json_object_new_int64((int64_t)ev[MSGSTAT_ST_TICK]));
		json_object_array_add(a, m);
		for (k = 0; k < MSGSTAT_NR_ST; k++)
			st[k] += ev[k];
	}
	json_object_object_add(o, "stamps", a);
	m = json_object_new_object();
	json_object_object_add(m, "send", json_object_new_int64((int64_t)st[MSGSTAT_ST_SEND]));
	json_object_object_add(m, "recv", json_object_new_int64((int64_t)st[MSGSTAT_ST_RECV]));
	json_object_object_add(m, "tick", json_object_new_int64((int64_t)st[MSGSTAT_ST_TICK]));
	json_object_object_add(o, "stamps_total", m);

	if (r->theory) {
		const struct ms_theory *t = r->theory;

		x = json_object_new_object();
		json_object_object_add(x, "proto", json_object_new_string(ordo_app_proto_name(t->proto)));
		json_object_object_add(x, "nodes", json_object_new_int64(t->nodes));
		json_object_object_add(x, "formula", json_object_new_string(t->formula));
		json_object_object_add(x, "bound", json_object_new_string(bound_name(t->bound)));
		json_object_object_add(x, "expected", json_object_new_int64((int64_t)t->expected));
		json_object_object_add(x, "messages", json_object_new_int64((int64_t)t->messages));
		json_object_object_add(x, "retx", json_object_new_int64((int64_t)t->retx));
		json_object_object_add(x, "ops", json_object_new_int64((int64_t)t->ops));
		json_object_object_add(x, t->bound == MS_PER_CIRCULATION ? "circulations" : "per_op",
				       json_object_new_double(t->per_op));
		json_object_object_add(x, "verdict", json_object_new_string(t->verdict));
		json_object_object_add(o, "theory", x);
	}
	return o;
}

void ms_report_table(FILE *f, const struct ms_report *r)
{
	uint64_t tot[MSGSTAT_NR_DIRS][2], ev[MSGSTAT_NR_ST];
	uint32_t ns[MAX_NS];
	char ts[32], addr[64], peer[80];
	time_t now = (time_t)r->time;
	struct tm tm;
	size_t i, nns;
	unsigned int dir, s;

	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(f, "%s\n", ts);
	fprintf(f, "%-14s %4s %-3s %-5s %-22s %10s %10s %6s %7s\n",
		"PROTO", "TYPE", "DIR", "CLASS", "PEER", "COUNT", "RATE/s", "RETX", "OPDONE");
	for (i = 0; i < r->nrows; i++) {
		const struct ms_row *w = &r->rows[i];

		ms_addr_str(w->peer_addr, addr, sizeof(addr));
		if (w->peer_known)
			snprintf(peer, sizeof(peer), "%u (%s)", w->peer, addr);
		else
			snprintf(peer, sizeof(peer), "? (%s)", addr);
		fprintf(f, "%-14s %4u %-3s %-5s %-22s %10llu %10.1f %6llu %7llu\n",
			w->cls == MSGSTAT_CLS_APP ? ordo_app_proto_name(w->proto) : "-",
			w->type, ms_dir_name(w->dir), ms_cls_name(w->cls), peer,
			(unsigned long long)w->v.packets, w->rate,
			(unsigned long long)w->v.retx, (unsigned long long)w->v.opdone);
	}
	totals(r, tot);
	for (dir = MSGSTAT_TX + 1; dir-- > 0;) {
		fprintf(f, "%s: app %llu, noapp %llu, malformed %llu", ms_dir_name(dir),
			(unsigned long long)tot[dir][0], (unsigned long long)tot[dir][1],
			(unsigned long long)ms_misc_malformed(r->misc, dir));
		for (s = 0; s < MSGSTAT_OVERFLOW + 1; s++) {
			uint64_t v = r->misc->slot[msgstat_misc_slot(dir, s)];

			if (v && ms_misc_name(s))
				fprintf(f, " %s=%llu", ms_misc_name(s), (unsigned long long)v);
		}
		fputc('\n', f);
	}
	nns = stamp_netns(r, ns, MAX_NS);
	for (i = 0; i < nns; i++) {
		stamps_of(r, ns[i], ev);
		fprintf(f, "stamps netns %u: send %llu, recv %llu, tick %llu\n", ns[i],
			(unsigned long long)ev[MSGSTAT_ST_SEND],
			(unsigned long long)ev[MSGSTAT_ST_RECV],
			(unsigned long long)ev[MSGSTAT_ST_TICK]);
	}
	if (r->theory) {
		const struct ms_theory *t = r->theory;

		if (t->bound == MS_PER_CIRCULATION)
			fprintf(f, "theory %s N=%u: %llu messages (%llu retx), %s per circulation = %llu: %.2f circulations\n",
				ordo_app_proto_name(t->proto), t->nodes,
				(unsigned long long)t->messages, (unsigned long long)t->retx,
				t->formula, (unsigned long long)t->expected, t->per_op);
		else
			fprintf(f, "theory %s N=%u: %llu messages (%llu retx), %llu operations, %.2f per operation; %s%s = %llu: %s\n",
				ordo_app_proto_name(t->proto), t->nodes,
				(unsigned long long)t->messages, (unsigned long long)t->retx,
				(unsigned long long)t->ops, t->per_op,
				t->bound == MS_WORST_CASE ? "worst case " : "", t->formula,
				(unsigned long long)t->expected, t->verdict);
	}
	fputc('\n', f);
	fflush(f);
}
