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

#include <linux/ordo_lclock.h>
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
/*
 * The same rule, with the vector after the event written to @out (n
 * entries, may be vc->v) instead of the clock: the MSG_PEEK view.
 */
int ordo_vc_recv_into(const struct ordo_vclock *vc, const u64 *ts, u32 n,
		      u64 *out);
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

/* ------------------------------------------------- a domain's receive event */
/*
 * Why a stamped socket drops a received datagram (the module's and
 * libordo's userspace stamping count the same reasons, with the same
 * names): first the ordo_wire_validate() reasons,
 * ORDO_LC_DROP_WIRE(err) for err = ORDO_WIRE_E_SHORT .. _RESERVED, then
 * the checks against the receiving domain.
 */
#define ORDO_LC_DROP_WIRE(err)	(-(err) - 1)
enum ordo_lc_drop {
	ORDO_LC_DROP_DOMAIN = -ORDO_WIRE_E_RESERVED,	/* another group id */
	ORDO_LC_DROP_KIND,	/* valid, but not the domain's kind */
	ORDO_LC_DROP_VC_SIZE,	/* vector: n is not the domain's n */
	ORDO_LC_DROP_FUTURE,	/* refused: jump above the threshold */
	ORDO_LC_DROP_OVERFLOW,	/* the clock would overflow */

	ORDO_LC_DROP_CNT
};

/* "short", "magic", ..., "domain", "kind_mismatch", ...; "?" if unknown */
const char *ordo_lc_drop_name(unsigned int reason);

/* The clock of a logical clock domain, of the domain's kind. */
union ordo_lc_clock {
	struct ordo_lamport lamport;
	struct ordo_vclock vc;
	struct ordo_hlc hlc;
};

/*
 * The receive event of a domain of @kind and wire group @group for the
 * decoded header @info (and its vector @vc) at physical time @pt (HLC):
 * checks the group, the kind and the vector size, applies the kind's
 * receive rule to @clk (@peek: computes the outcome and leaves @clk as
 * it is) and fills the control message @cm (cleared first; the caller
 * sets its domain and local_node fields afterwards): the sender's
 * timestamp, the clock after the event, ORDO_CMSG_F_PEEK and
 * ORDO_CMSG_F_FUTURE. *@jump is how far ahead the timestamp was when it
 * is marked future, 0 otherwise.
 * Returns 0, ORDO_LC_FUTURE, or -(1 + enum ordo_lc_drop).
 */
int ordo_lc_recv_event(union ordo_lc_clock *clk, u32 kind, u32 group,
		       const struct ordo_wire_info *info, const u64 *vc,
		       u64 pt, bool peek, struct ordo_lclock_cmsg *cm,
		       u64 *jump);

#endif /* _ORDO_LCLOCK_H */
