/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ordo-msgstat: the report, built from what the maps hold — rows per
 * (protocol, type, direction, class, peer), the malformed counters, the
 * stamping events and theory mode (messages per operation against the
 * textbook formula). Pure logic, no BPF: the host unit tests
 * (tests/unit/msgstat_test.c) build this file on its own.
 */
#ifndef ORDO_MSGSTAT_REPORT_H
#define ORDO_MSGSTAT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "../../bpf/msgstat.h"

struct json_object;

/* One entry of the msgs map, summed over the CPUs. */
struct ms_entry {
	struct msgstat_key key;
	struct msgstat_val val;
};

/* An address of the cluster configuration (IPv6, IPv4 mapped) and its node. */
struct ms_node_addr {
	uint8_t addr[16];
	uint32_t node;
};

struct ms_nodes {
	const struct ms_node_addr *v;
	size_t n;
};

/*
 * One row of the report. peer: the node id of the other end when known:
 * on rx the application header's sender; on tx the node whose address
 * (cluster configuration) is the destination. peer_addr is the other
 * end's address (rx: source, tx: destination) either way.
 */
struct ms_row {
	uint8_t proto, type, dir, cls;
	bool peer_known;
	uint32_t peer;
	uint8_t peer_addr[16];
	struct msgstat_val v;
	double rate;		/* datagrams per second over the last interval */
};

/* The misc map, summed over the CPUs. */
struct ms_misc {
	uint64_t slot[MSGSTAT_MISC_SLOTS];
};

/* The stamps map, summed over the CPUs. */
struct ms_stamp {
	struct msgstat_stamp_key key;
	uint64_t count;
};

enum ms_bound {
	MS_EXACT,		/* exactly this many messages per operation */
	MS_PER_CIRCULATION,	/* token ring: N per circulation of the token */
	MS_WORST_CASE,		/* at most this many per operation */
};

/* Theory mode: one protocol's measured messages per operation. */
struct ms_theory {
	uint8_t proto;
	unsigned int nodes;
	enum ms_bound bound;
	const char *formula;	/* "2(N-1)", ... */
	uint64_t expected;	/* per operation (per circulation) for N nodes */
	uint64_t messages;	/* transmitted, retransmissions included */
	uint64_t retx;
	uint64_t ops;		/* ORDO_APP_F_OPDONE marks transmitted */
	double per_op;		/* messages / ops (0 when no ops) */
	const char *verdict;	/* "match", "differs", "within", "exceeds",
				 * "circulations", "no operations"
				 */
};

/*
 * The protocol named @name: an ordo_app_proto_name() ("mutex_ra") or a
 * short alias (central, ring|token_ring, ra, lamport, vote, bully,
 * ring_election). Returns 0 and sets *@proto, or -1 when unknown or it
 * has no formula.
 */
int ms_theory_proto(const char *name, uint8_t *proto);

/*
 * The textbook cost of @proto for @n nodes: returns 0 and fills @bound,
 * @formula and @expected (messages per operation or per circulation), or
 * -1 for a protocol without a formula or n < 1.
 */
int ms_theory_formula(uint8_t proto, unsigned int n, enum ms_bound *bound,
		      const char **formula, uint64_t *expected);

/* Theory mode over @rows: the tx rows of class app of @proto. */
int ms_theory_eval(const struct ms_row *rows, size_t nrows, uint8_t proto,
		   unsigned int n, struct ms_theory *t);

/* The node of address @addr, or -1 when the configuration has none. */
int ms_node_of(const struct ms_nodes *nodes, const uint8_t addr[16], uint32_t *node);

/*
 * Merge @n entries into rows (sorted by proto, type, dir, class, peer,
 * address); *@rows is malloc()ed. Rates are computed against @prev
 * (@nprev rows of the previous interval, NULL: none) over @secs seconds;
 * with @reset the previous interval's counts were zeroed, so the rate is
 * count / @secs. Returns 0 or -ENOMEM.
 */
int ms_rows_build(const struct ms_entry *e, size_t n, const struct ms_nodes *nodes,
		  const struct ms_row *prev, size_t nprev, double secs, bool reset,
		  struct ms_row **rows, size_t *nrows);

/* "tx" / "rx"; "app" / "noapp" */
const char *ms_dir_name(unsigned int dir);
const char *ms_cls_name(unsigned int cls);

/* The malformed total of @dir, and the name of a misc slot ("wire_version"). */
uint64_t ms_misc_malformed(const struct ms_misc *m, unsigned int dir);
const char *ms_misc_name(unsigned int slot);

/* Address as text: IPv4 for a mapped address, else IPv6. */
void ms_addr_str(const uint8_t addr[16], char *buf, size_t len);

/* What one report shows. */
struct ms_report {
	double time;		/* seconds since the epoch */
	double interval;	/* seconds the rates cover */
	const struct ms_row *rows;
	size_t nrows;
	const struct ms_misc *misc;
	const struct ms_stamp *stamps;
	size_t nstamps;
	const uint32_t *netns;	/* the attached network namespaces, for stamps */
	size_t nnetns;
	const struct ms_theory *theory;	/* NULL: no theory mode */
};

/* The report as a JSON object (documented in Documentation/ordo-msgstat.rst). */
struct json_object *ms_report_json(const struct ms_report *r);

/* The report as the live table. */
void ms_report_table(FILE *f, const struct ms_report *r);

#endif /* ORDO_MSGSTAT_REPORT_H */
