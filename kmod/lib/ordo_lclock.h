/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logical clocks: Lamport, vector and hybrid logical clocks (HLC). Pure
 * C shared by ordo.ko, libordo and the host unit tests: no allocation
 * (callers provide the state), no locking (callers serialise), no
 * floating point. See Documentation/logical-clocks.rst.
 *
 * Return values of the update functions:
 *   0                   done
 *   ORDO_LC_FUTURE (1)  done, but the received timestamp was more than the
 *                       configured threshold ahead ("from the future"):
 *                       the caller emits an event
 *   -ERANGE             the same, and the clock is configured to refuse
 *                       such timestamps: the clock is unchanged
 *   -EOVERFLOW          the clock would overflow: unchanged
 *   -EMSGSIZE           vector of the wrong size for the domain: unchanged
 *   -EINVAL             bad argument
 * Every error leaves the clock unchanged, so a caller can also "peek" at
 * the outcome by running an update on a copy of the state.
 */
#ifndef _ORDO_LCLOCK_H
#define _ORDO_LCLOCK_H

#include <linux/ordo_wire.h>

#include "ordo_compat.h"

#define ORDO_LC_FUTURE		1

/*
 * Future-jump policy, shared by the three kinds. @max_jump is the
 * threshold (0: no check): Lamport ts(m) - c, vector max over k of
 * ts(m)[k] - VC[k], HLC l_m - pt (ns). @refuse: refuse such timestamps
 * instead of only reporting them.
 */
struct ordo_lc_policy {
	u64 max_jump;
	bool refuse;
};

/* ---------------------------------------------------------------- Lamport */
struct ordo_lamport {
	u64 c;
	struct ordo_lc_policy pol;
};

void ordo_lamport_init(struct ordo_lamport *lc, u64 max_jump, bool refuse);
/* Any event (local, send, delivery): c = c + 1; *@ts = c. */
int ordo_lamport_tick(struct ordo_lamport *lc, u64 *ts);
/* Send: a tick; *@ts is ts(m). */
int ordo_lamport_send(struct ordo_lamport *lc, u64 *ts);
/*
 * Receipt of a message with timestamp @ts_m: c = max(ts_m, c), then the
 * increment; *@ts (may be NULL) is the value of the delivery event.
 */
int ordo_lamport_recv(struct ordo_lamport *lc, u64 ts_m, u64 *ts);
/* Total order on <ts, node id>: -1, 0 or 1. */
int ordo_lamport_cmp(u64 ts_a, u32 node_a, u64 ts_b, u32 node_b);

/* ---------------------------------------------------------------- vector */
enum ordo_vc_order {
	ORDO_VC_EQUAL,
	ORDO_VC_BEFORE,		/* a -> b: a <= b component-wise, a != b */
	ORDO_VC_AFTER,		/* b -> a */
	ORDO_VC_CONCURRENT,	/* a || b */
};

struct ordo_vclock {
	u32 n;		/* members of the domain, 1..ORDO_VC_MAX */
	u32 self;	/* this node's index i, < n */
	struct ordo_lc_policy pol;
	u64 v[ORDO_VC_MAX];
};

int ordo_vc_init(struct ordo_vclock *vc, u32 n, u32 self, u64 max_jump,
		 bool refuse);
/* Any event: VC[i] = VC[i] + 1. */
int ordo_vc_tick(struct ordo_vclock *vc);
/* Send: a tick, then ts(m) = VC: copies vc->n entries to @ts. */
int ordo_vc_send(struct ordo_vclock *vc, u64 *ts, u32 ts_cap);
/*
 * Receipt of ts(m) with @n entries: VC[k] = max(VC[k], ts(m)[k]) for
 * every k, then VC[i] = VC[i] + 1 (the delivery event). -EMSGSIZE when
 * @n != vc->n.
 */
int ordo_vc_recv(struct ordo_vclock *vc, const u64 *ts, u32 n);
/* enum ordo_vc_order of @a relative to @b */
int ordo_vc_compare(const u64 *a, const u64 *b, u32 n);
/* Component-wise max into @v, no increment (causal delivery). */
void ordo_vc_merge(u64 *v, const u64 *ts, u32 n);
/*
 * Causal delivery condition for a message from @j with timestamp @ts at
 * a process whose (message-counting) vector is @v: ts[j] == v[j] + 1 and
 * ts[k] <= v[k] for every k != j.
 */
bool ordo_vc_deliverable(const u64 *v, const u64 *ts, u32 n, u32 j);

/* ---------------------------------------------------------------- HLC */
struct ordo_hlc {
	u64 l;		/* ns; max physical time seen */
	u32 c;		/* logical counter */
	struct ordo_lc_policy pol;	/* max_jump: max offset l_m - pt */
};

struct ordo_hlc_ts {
	u64 l;
	u32 c;
};

void ordo_hlc_init(struct ordo_hlc *h, u64 max_offset, bool refuse);
/* Send or local event at physical time @pt; *@ts (may be NULL) = (l, c). */
int ordo_hlc_send(struct ordo_hlc *h, u64 pt, struct ordo_hlc_ts *ts);
/* Receipt of @m at physical time @pt; *@ts (may be NULL) = (l, c). */
int ordo_hlc_recv(struct ordo_hlc *h, const struct ordo_hlc_ts *m, u64 pt,
		  struct ordo_hlc_ts *ts);
/* Order on (l, c): -1, 0 or 1. */
int ordo_hlc_cmp(const struct ordo_hlc_ts *a, const struct ordo_hlc_ts *b);

#endif /* _ORDO_LCLOCK_H */
