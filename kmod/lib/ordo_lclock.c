// SPDX-License-Identifier: GPL-2.0
/*
 * Logical clocks, shared by ordo.ko and libordo. The Lamport and vector
 * rules follow the project's source notes exactly; the HLC is the
 * algorithm of Kulkarni et al., "Logical Physical Clocks", OPODIS 2014.
 */
#include "ordo_lclock.h"

#define ORDO_U64_MAX	(~(u64)0)
#define ORDO_U32_MAX	(~(u32)0)

static u64 ordo_max64(u64 a, u64 b)
{
	return a > b ? a : b;
}

/* 1 when @ts is more than the policy's threshold ahead of @ref. */
static int ordo_lc_future(const struct ordo_lc_policy *pol, u64 ts, u64 ref)
{
	return pol->max_jump && ts > ref && ts - ref > pol->max_jump;
}

/* ---------------------------------------------------------------- Lamport */

void ordo_lamport_init(struct ordo_lamport *lc, u64 max_jump, bool refuse)
{
	lc->c = 0;
	lc->pol.max_jump = max_jump;
	lc->pol.refuse = refuse;
}

/*
 * "Before executing an event (sending a message over the network,
 * delivering a message to the application, or some other internal event)
 * p_i increments c_i + 1 -> c_i."
 */
int ordo_lamport_tick(struct ordo_lamport *lc, u64 *ts)
{
	if (lc->c == ORDO_U64_MAX)
		return -EOVERFLOW;
	lc->c++;
	if (ts)
		*ts = lc->c;
	return 0;
}

/* "It sets m's timestamp ts(m) = c_i, after executing the previous step." */
int ordo_lamport_send(struct ordo_lamport *lc, u64 *ts)
{
	return ordo_lamport_tick(lc, ts);
}

/*
 * "Upon receiving message m, p_j sets c_j <- max(ts(m), c_j), after which
 * it executes the first step and delivers the message to the application."
 */
int ordo_lamport_recv(struct ordo_lamport *lc, u64 ts_m, u64 *ts)
{
	u64 c = ordo_max64(ts_m, lc->c);
	int fut = ordo_lc_future(&lc->pol, ts_m, lc->c);

	if (fut && lc->pol.refuse)
		return -ERANGE;
	if (c == ORDO_U64_MAX)
		return -EOVERFLOW;
	lc->c = c + 1;
	if (ts)
		*ts = lc->c;
	return fut ? ORDO_LC_FUTURE : 0;
}

int ordo_lamport_cmp(u64 ts_a, u32 node_a, u64 ts_b, u32 node_b)
{
	if (ts_a != ts_b)
		return ts_a < ts_b ? -1 : 1;
	if (node_a != node_b)
		return node_a < node_b ? -1 : 1;
	return 0;
}

/* ---------------------------------------------------------------- vector */

int ordo_vc_init(struct ordo_vclock *vc, u32 n, u32 self, u64 max_jump,
		 bool refuse)
{
	if (n == 0 || n > ORDO_VC_MAX || self >= n)
		return -EINVAL;
	memset(vc, 0, sizeof(*vc));
	vc->n = n;
	vc->self = self;
	vc->pol.max_jump = max_jump;
	vc->pol.refuse = refuse;
	return 0;
}

/* "Before executing an event, p_i executes VC_i[i] <- VC_i[i] + 1." */
int ordo_vc_tick(struct ordo_vclock *vc)
{
	if (vc->v[vc->self] == ORDO_U64_MAX)
		return -EOVERFLOW;
	vc->v[vc->self]++;
	return 0;
}

/* "It sets ts(m) equal to VC_i after executing the previous step." */
int ordo_vc_send(struct ordo_vclock *vc, u64 *ts, u32 ts_cap)
{
	int err;

	if (ts_cap < vc->n)
		return -EINVAL;
	err = ordo_vc_tick(vc);
	if (err)
		return err;
	memcpy(ts, vc->v, vc->n * sizeof(*ts));
	return 0;
}

/*
 * "Upon the receipt of a message m, p_j adjusts its own vector by setting
 * VC_j[k] <- max{VC_j[k], ts(m)[k]}, after which it executes the first
 * step and delivers the message to the application."
 */
int ordo_vc_recv_into(const struct ordo_vclock *vc, const u64 *ts, u32 n,
		      u64 *out)
{
	int fut = 0;
	u32 k;

	if (n != vc->n)
		return -EMSGSIZE;
	for (k = 0; k < n; k++)
		fut |= ordo_lc_future(&vc->pol, ts[k], vc->v[k]);
	if (fut && vc->pol.refuse)
		return -ERANGE;
	if (ordo_max64(vc->v[vc->self], ts[vc->self]) == ORDO_U64_MAX)
		return -EOVERFLOW;
	for (k = 0; k < n; k++)
		out[k] = ordo_max64(vc->v[k], ts[k]);
	out[vc->self]++;
	return fut ? ORDO_LC_FUTURE : 0;
}

int ordo_vc_recv(struct ordo_vclock *vc, const u64 *ts, u32 n)
{
	return ordo_vc_recv_into(vc, ts, n, vc->v);
}

int ordo_vc_compare(const u64 *a, const u64 *b, u32 n)
{
	bool less = false, greater = false;
	u32 k;

	for (k = 0; k < n; k++) {
		if (a[k] < b[k])
			less = true;
		else if (a[k] > b[k])
			greater = true;
	}
	if (less && greater)
		return ORDO_VC_CONCURRENT;
	if (less)
		return ORDO_VC_BEFORE;
	if (greater)
		return ORDO_VC_AFTER;
	return ORDO_VC_EQUAL;
}

void ordo_vc_merge(u64 *v, const u64 *ts, u32 n)
{
	u32 k;

	for (k = 0; k < n; k++)
		v[k] = ordo_max64(v[k], ts[k]);
}

bool ordo_vc_deliverable(const u64 *v, const u64 *ts, u32 n, u32 j)
{
	u32 k;

	if (j >= n || v[j] == ORDO_U64_MAX || ts[j] != v[j] + 1)
		return false;
	for (k = 0; k < n; k++) {
		if (k != j && ts[k] > v[k])
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- HLC */

void ordo_hlc_init(struct ordo_hlc *h, u64 max_offset, bool refuse)
{
	h->l = 0;
	h->c = 0;
	h->pol.max_jump = max_offset;
	h->pol.refuse = refuse;
}

/*
 * Commit (l, c) where c is the counter the paper computes, given as
 * c_prev + 1 (@inc) or 0. Counter overflow: when c_prev is already
 * ORDO_U32_MAX, advance l by one tick (1 ns) and restart c at 0, which
 * keeps (l, c) strictly increasing; -EOVERFLOW only when l is U64_MAX.
 */
static int ordo_hlc_commit(struct ordo_hlc *h, u64 l, bool inc, u32 c_prev,
			   struct ordo_hlc_ts *ts)
{
	u32 c = 0;

	if (inc) {
		if (c_prev == ORDO_U32_MAX) {
			if (l == ORDO_U64_MAX)
				return -EOVERFLOW;
			l++;
		} else {
			c = c_prev + 1;
		}
	}
	h->l = l;
	h->c = c;
	if (ts) {
		ts->l = l;
		ts->c = c;
	}
	return 0;
}

/*
 * Send or local event j:
 *	l'.j := l.j;
 *	l.j := max(l'.j, pt.j);
 *	if (l.j = l'.j) then c.j := c.j + 1 else c.j := 0;
 */
int ordo_hlc_send(struct ordo_hlc *h, u64 pt, struct ordo_hlc_ts *ts)
{
	u64 l = ordo_max64(h->l, pt);

	return ordo_hlc_commit(h, l, l == h->l, h->c, ts);
}

/*
 * Receive event of message m at j:
 *	l'.j := l.j;
 *	l.j := max(l'.j, l.m, pt.j);
 *	if (l.j = l'.j = l.m) then c.j := max(c.j, c.m) + 1
 *	elif (l.j = l'.j) then c.j := c.j + 1
 *	elif (l.j = l.m) then c.j := c.m + 1
 *	else c.j := 0
 * Bound check first: l.m - pt.j > max offset is reported (ORDO_LC_FUTURE)
 * or, with the refuse policy, refused (-ERANGE, clock unchanged).
 */
int ordo_hlc_recv(struct ordo_hlc *h, const struct ordo_hlc_ts *m, u64 pt,
		  struct ordo_hlc_ts *ts)
{
	int fut = ordo_lc_future(&h->pol, m->l, pt);
	u64 l = ordo_max64(ordo_max64(h->l, m->l), pt);
	int err;

	if (fut && h->pol.refuse)
		return -ERANGE;
	if (l == h->l && l == m->l)
		err = ordo_hlc_commit(h, l, true, h->c > m->c ? h->c : m->c, ts);
	else if (l == h->l)
		err = ordo_hlc_commit(h, l, true, h->c, ts);
	else if (l == m->l)
		err = ordo_hlc_commit(h, l, true, m->c, ts);
	else
		err = ordo_hlc_commit(h, l, false, 0, ts);
	if (err)
		return err;
	return fut ? ORDO_LC_FUTURE : 0;
}

int ordo_hlc_cmp(const struct ordo_hlc_ts *a, const struct ordo_hlc_ts *b)
{
	if (a->l != b->l)
		return a->l < b->l ? -1 : 1;
	if (a->c != b->c)
		return a->c < b->c ? -1 : 1;
	return 0;
}

/* ------------------------------------------------- a domain's receive event */

static const char * const ordo_lc_drop_names[ORDO_LC_DROP_CNT] = {
	[ORDO_LC_DROP_DOMAIN] = "domain",
	[ORDO_LC_DROP_KIND] = "kind_mismatch",
	[ORDO_LC_DROP_VC_SIZE] = "vc_size",
	[ORDO_LC_DROP_FUTURE] = "future",
	[ORDO_LC_DROP_OVERFLOW] = "overflow",
};

const char *ordo_lc_drop_name(unsigned int reason)
{
	if (reason >= ORDO_LC_DROP_CNT)
		return "?";
	if (reason < ORDO_LC_DROP_DOMAIN)
		return ordo_wire_strerror(-(int)reason - 1);
	return ordo_lc_drop_names[reason];
}

static u64 ordo_lc_ahead(u64 ts, u64 ref)
{
	return ts > ref ? ts - ref : 0;
}

int ordo_lc_recv_event(union ordo_lc_clock *clk, u32 kind, u32 group,
		       const struct ordo_wire_info *info, const u64 *vc,
		       u64 pt, bool peek, struct ordo_lclock_cmsg *cm,
		       u64 *jump)
{
	struct ordo_hlc_ts m, out = { 0 };
	struct ordo_lamport lc;
	struct ordo_hlc h;
	u64 j = 0;
	u32 n, k;
	int ret;

	*jump = 0;
	if (info->domain != group)
		return -(1 + ORDO_LC_DROP_DOMAIN);
	if (info->kind != kind)
		return -(1 + ORDO_LC_DROP_KIND);
	if (kind == ORDO_WIRE_KIND_VECTOR && info->vc_n != clk->vc.n)
		return -(1 + ORDO_LC_DROP_VC_SIZE);

	memset(cm, 0, sizeof(*cm));
	cm->kind = kind;
	cm->node = info->node_id;
	cm->ts = info->ts;
	cm->ts_c = info->hlc_c;
	switch (kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		j = ordo_lc_ahead(info->ts, clk->lamport.c);
		lc = clk->lamport;
		ret = ordo_lamport_recv(peek ? &lc : &clk->lamport, info->ts,
					&cm->local);
		break;
	case ORDO_WIRE_KIND_HLC:
		j = ordo_lc_ahead(info->ts, pt);
		h = clk->hlc;
		m.l = info->ts;
		m.c = info->hlc_c;
		ret = ordo_hlc_recv(peek ? &h : &clk->hlc, &m, pt, &out);
		cm->local = out.l;
		cm->local_c = out.c;
		break;
	default:
		n = clk->vc.n;
		cm->vc_n = n;
		cm->vc_index = info->vc_index;
		for (k = 0; k < n; k++) {
			cm->vc[k] = vc[k];
			j = ordo_max64(j, ordo_lc_ahead(vc[k], clk->vc.v[k]));
		}
		ret = ordo_vc_recv_into(&clk->vc, vc, n,
					peek ? &cm->vc[n] : clk->vc.v);
		if (!peek && ret >= 0)
			for (k = 0; k < n; k++)
				cm->vc[n + k] = clk->vc.v[k];
		break;
	}
	if (peek)
		cm->flags |= ORDO_CMSG_F_PEEK;
	if (ret == ORDO_LC_FUTURE || ret == -ERANGE) {
		cm->flags |= ORDO_CMSG_F_FUTURE;
		*jump = j;
	}
	switch (ret) {
	case 0:
	case ORDO_LC_FUTURE:
		return ret;
	case -ERANGE:
		return -(1 + ORDO_LC_DROP_FUTURE);
	case -EMSGSIZE:
		return -(1 + ORDO_LC_DROP_VC_SIZE);
	default:
		return -(1 + ORDO_LC_DROP_OVERFLOW);
	}
}
