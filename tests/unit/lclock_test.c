// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/lib/ordo_lclock.c: the Lamport, vector and hybrid
 * logical clock rules shared by ordo.ko and libordo.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libordo.h"
#include "ordo_lclock.h"
#include "../kselftest_harness.h"

#define U64MAX	(~0ULL)
#define U32MAX	0xffffffffU

static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* ---------------------------------------------------------------- Lamport */

TEST(lamport_rules_step_by_step)
{
	struct ordo_lamport a, b;
	u64 ts;

	ordo_lamport_init(&a, 0, false);
	ordo_lamport_init(&b, 0, false);
	/* a local event: increment first, the event gets the new value */
	ASSERT_EQ(0, ordo_lamport_tick(&a, &ts));
	EXPECT_EQ(1ULL, ts);
	/* send: increment, ts(m) = c after the increment */
	ASSERT_EQ(0, ordo_lamport_send(&a, &ts));
	EXPECT_EQ(2ULL, ts);
	EXPECT_EQ(2ULL, a.c);
	/* receipt, ts(m) ahead: c = max(ts(m), c) = 2, then + 1 */
	ASSERT_EQ(0, ordo_lamport_recv(&b, ts, &ts));
	EXPECT_EQ(3ULL, ts);
	EXPECT_EQ(3ULL, b.c);
	/* receipt, ts(m) behind: c = max(1, 3) = 3, then + 1 */
	ASSERT_EQ(0, ordo_lamport_recv(&b, 1, &ts));
	EXPECT_EQ(4ULL, ts);
	/* receipt, ts(m) equal: max(4, 4) + 1 */
	ASSERT_EQ(0, ordo_lamport_recv(&b, 4, NULL));
	EXPECT_EQ(5ULL, b.c);
	/* fast-forward: the notes' "one more than the sending time" */
	ASSERT_EQ(0, ordo_lamport_recv(&b, 40, &ts));
	EXPECT_EQ(41ULL, ts);
}

TEST(lamport_pingpong_chain_4_processes)
{
	struct ordo_lamport p[4];
	u64 prev = 0, ts, rts;
	int i, from = 0, to, k;

	for (i = 0; i < 4; i++)
		ordo_lamport_init(&p[i], 0, false);
	for (i = 0; i < 1000; i++) {
		/* unrelated local events on random processes */
		for (k = rnd() % 3; k > 0; k--) {
			ASSERT_EQ(0, ordo_lamport_tick(&p[rnd() % 4], NULL));
		}
		to = (from + 1 + rnd() % 3) % 4;
		ASSERT_EQ(0, ordo_lamport_send(&p[from], &ts));
		ASSERT_LT(prev, ts);	/* receive(prev) -> send(ts) */
		ASSERT_EQ(0, ordo_lamport_recv(&p[to], ts, &rts));
		ASSERT_LT(ts, rts);	/* send -> receive */
		prev = rts;
		from = to;
	}
}

TEST(lamport_total_order_breaks_ties_by_node)
{
	EXPECT_EQ(-1, ordo_lamport_cmp(5, 1, 5, 2));
	EXPECT_EQ(1, ordo_lamport_cmp(5, 2, 5, 1));
	EXPECT_EQ(0, ordo_lamport_cmp(5, 2, 5, 2));
	EXPECT_EQ(-1, ordo_lamport_cmp(4, 9, 5, 1));
	EXPECT_EQ(1, ordo_lamport_cmp(40, 0, 39, 7));
	EXPECT_EQ(-1, ordo_lamport_cmp(0, 0, U64MAX, 0));
}

TEST(lamport_overflow_refused)
{
	struct ordo_lamport a;
	u64 ts = 7;

	ordo_lamport_init(&a, 0, false);
	a.c = U64MAX - 1;
	ASSERT_EQ(0, ordo_lamport_tick(&a, &ts));
	EXPECT_EQ(U64MAX, ts);
	ts = 7;
	EXPECT_EQ(-EOVERFLOW, ordo_lamport_tick(&a, &ts));
	EXPECT_EQ(-EOVERFLOW, ordo_lamport_send(&a, &ts));
	EXPECT_EQ(7ULL, ts);
	EXPECT_EQ(U64MAX, a.c);
	a.c = 3;
	EXPECT_EQ(-EOVERFLOW, ordo_lamport_recv(&a, U64MAX, &ts));
	EXPECT_EQ(3ULL, a.c);
	ASSERT_EQ(0, ordo_lamport_recv(&a, U64MAX - 1, &ts));
	EXPECT_EQ(U64MAX, ts);
}

TEST(lamport_future_jump_reported_or_refused)
{
	struct ordo_lamport a;
	u64 ts;

	ordo_lamport_init(&a, 100, false);
	a.c = 50;
	EXPECT_EQ(0, ordo_lamport_recv(&a, 150, &ts));	/* exactly 100 ahead */
	EXPECT_EQ(151ULL, ts);
	EXPECT_EQ(ORDO_LC_FUTURE, ordo_lamport_recv(&a, 252, &ts));
	EXPECT_EQ(253ULL, ts);			/* reported, still merged */
	ordo_lamport_init(&a, 100, true);
	a.c = 50;
	EXPECT_EQ(-ERANGE, ordo_lamport_recv(&a, 151, &ts));
	EXPECT_EQ(50ULL, a.c);
	EXPECT_EQ(0, ordo_lamport_recv(&a, 10, &ts));	/* from the past: fine */
	EXPECT_EQ(51ULL, ts);
}

/* ---------------------------------------------------------------- vector */

static void expect_vc(struct __test_metadata *_metadata,
		      const struct ordo_vclock *vc, u64 a, u64 b, u64 c)
{
	EXPECT_EQ(a, vc->v[0]);
	EXPECT_EQ(b, vc->v[1]);
	EXPECT_EQ(c, vc->v[2]);
}

/*
 * The scenario of Documentation/logical-clocks.rst ("A 3-process
 * scenario"), with the notes' rules (every event ticks VC[i], a receipt
 * merges first):
 *   P0: a send m1 to P1                        [1,0,0]
 *   P1: b local                                [0,1,0]
 *   P1: c receive m1  max([0,1,0],[1,0,0])+1   [1,2,0]
 *   P1: d send m2 to P2                        [1,3,0]
 *   P2: e local                                [0,0,1]
 *   P2: f send m3 to P0                        [0,0,2]
 *   P2: g receive m2  max([0,0,2],[1,3,0])+1   [1,3,3]
 *   P0: h receive m3  max([1,0,0],[0,0,2])+1   [2,0,2]
 */
TEST(vector_textbook_3_processes)
{
	struct ordo_vclock p[3];
	u64 a[3], b[3], c[3], d[3], e[3], f[3], g[3], h[3];
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ordo_vc_init(&p[i], 3, i, 0, false));
	}
	ASSERT_EQ(0, ordo_vc_send(&p[0], a, 3));
	expect_vc(_metadata, &p[0], 1, 0, 0);
	ASSERT_EQ(0, ordo_vc_tick(&p[1]));
	memcpy(b, p[1].v, sizeof(b));
	expect_vc(_metadata, &p[1], 0, 1, 0);
	ASSERT_EQ(0, ordo_vc_recv(&p[1], a, 3));
	memcpy(c, p[1].v, sizeof(c));
	expect_vc(_metadata, &p[1], 1, 2, 0);
	ASSERT_EQ(0, ordo_vc_send(&p[1], d, 3));
	expect_vc(_metadata, &p[1], 1, 3, 0);
	ASSERT_EQ(0, ordo_vc_tick(&p[2]));
	memcpy(e, p[2].v, sizeof(e));
	expect_vc(_metadata, &p[2], 0, 0, 1);
	ASSERT_EQ(0, ordo_vc_send(&p[2], f, 3));
	expect_vc(_metadata, &p[2], 0, 0, 2);
	ASSERT_EQ(0, ordo_vc_recv(&p[2], d, 3));
	memcpy(g, p[2].v, sizeof(g));
	expect_vc(_metadata, &p[2], 1, 3, 3);
	ASSERT_EQ(0, ordo_vc_recv(&p[0], f, 3));
	memcpy(h, p[0].v, sizeof(h));
	expect_vc(_metadata, &p[0], 2, 0, 2);

	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(a, c, 3));
	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(a, g, 3));	/* a->c->d->g */
	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(b, d, 3));
	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(d, g, 3));
	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(f, h, 3));
	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(e, g, 3));
	EXPECT_EQ(ORDO_VC_AFTER, ordo_vc_compare(h, a, 3));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(a, b, 3));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(a, e, 3));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(d, e, 3));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(c, f, 3));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(g, h, 3));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(b, h, 3));
	EXPECT_EQ(ORDO_VC_EQUAL, ordo_vc_compare(g, g, 3));
}

TEST(vector_compare_all_outcomes)
{
	u64 x[4] = { 1, 2, 3, 4 }, y[4] = { 1, 2, 3, 4 };
	u64 z[4] = { 1, 3, 3, 4 }, w[4] = { 2, 1, 3, 4 };

	EXPECT_EQ(ORDO_VC_EQUAL, ordo_vc_compare(x, y, 4));
	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(x, z, 4));
	EXPECT_EQ(ORDO_VC_AFTER, ordo_vc_compare(z, x, 4));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(z, w, 4));
	EXPECT_EQ(ORDO_VC_CONCURRENT, ordo_vc_compare(w, z, 4));
	EXPECT_EQ(ORDO_VC_EQUAL, ordo_vc_compare(x, z, 0));
}

/* libordo's wrapper for applications: uint64_t arrays, names. */
TEST(libordo_vclock_order)
{
	const uint64_t x[3] = { 1, 2, 3 }, y[3] = { 1, 2, 4 }, z[3] = { 2, 0, 3 };

	EXPECT_EQ(ORDO_VCLOCK_EQUAL, ordo_vclock_order(x, x, 3));
	EXPECT_EQ(ORDO_VCLOCK_BEFORE, ordo_vclock_order(x, y, 3));
	EXPECT_EQ(ORDO_VCLOCK_AFTER, ordo_vclock_order(y, x, 3));
	EXPECT_EQ(ORDO_VCLOCK_CONCURRENT, ordo_vclock_order(y, z, 3));
	EXPECT_EQ(-EINVAL, ordo_vclock_order(x, y, 65));
	EXPECT_EQ(-EINVAL, ordo_vclock_order(NULL, y, 3));
	EXPECT_STREQ("before", ordo_vclock_order_name(ORDO_VCLOCK_BEFORE));
	EXPECT_STREQ("concurrent",
		     ordo_vclock_order_name(ordo_vclock_order(z, y, 3)));
	EXPECT_EQ(NULL, ordo_vclock_order_name(4));
	EXPECT_EQ(NULL, ordo_vclock_order_name(-1));
}

/* The receive event shared by the module and libordo's userspace path. */
TEST(recv_event_peek_drops_names)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR,
				     .node_id = 9, .domain = 7, .vc_n = 3,
				     .vc_index = 2 };
	union {
		struct ordo_lclock_cmsg cm;
		char buf[sizeof(struct ordo_lclock_cmsg) + 6 * 8];
	} a, b;
	const u64 ts[3] = { 0, 0, 5 }, far[3] = { 0, 0, 500 };
	union ordo_lc_clock clk;
	u64 jump;

	ASSERT_EQ(0, ordo_vc_init(&clk.vc, 3, 0, 100, true));
	clk.vc.v[0] = 4;
	/* peek: the outcome, the clock unchanged */
	EXPECT_EQ(0, ordo_lc_recv_event(&clk, ORDO_WIRE_KIND_VECTOR, 7, &in,
					ts, 0, true, &a.cm, &jump));
	EXPECT_EQ((__u32)ORDO_CMSG_F_PEEK, a.cm.flags);
	EXPECT_EQ(4ULL, clk.vc.v[0]);
	EXPECT_EQ(0ULL, clk.vc.v[2]);
	/* the real event gives the same vector and moves the clock */
	EXPECT_EQ(0, ordo_lc_recv_event(&clk, ORDO_WIRE_KIND_VECTOR, 7, &in,
					ts, 0, false, &b.cm, &jump));
	EXPECT_EQ(0U, b.cm.flags);
	EXPECT_EQ(0, memcmp(&a.cm.vc[3], &b.cm.vc[3], 3 * 8));
	EXPECT_EQ(5ULL, b.cm.vc[3]);	/* [max(4,0) + 1, 0, 5] */
	EXPECT_EQ(0ULL, b.cm.vc[4]);
	EXPECT_EQ(5ULL, b.cm.vc[5]);
	EXPECT_EQ(5ULL, clk.vc.v[2]);
	EXPECT_EQ(9U, b.cm.node);
	EXPECT_EQ(2U, b.cm.vc_index);
	EXPECT_EQ(0ULL, jump);
	/* 495 ahead, threshold 100, refused: dropped, flagged, unchanged */
	EXPECT_EQ(-(1 + ORDO_LC_DROP_FUTURE),
		  ordo_lc_recv_event(&clk, ORDO_WIRE_KIND_VECTOR, 7, &in, far,
				     0, false, &b.cm, &jump));
	EXPECT_EQ((__u32)ORDO_CMSG_F_FUTURE, b.cm.flags);
	EXPECT_EQ(495ULL, jump);
	EXPECT_EQ(5ULL, clk.vc.v[2]);
	/* the checks against the domain, and their names */
	EXPECT_EQ(-(1 + ORDO_LC_DROP_DOMAIN),
		  ordo_lc_recv_event(&clk, ORDO_WIRE_KIND_VECTOR, 8, &in, ts,
				     0, false, &b.cm, &jump));
	EXPECT_EQ(-(1 + ORDO_LC_DROP_KIND),
		  ordo_lc_recv_event(&clk, ORDO_WIRE_KIND_HLC, 7, &in, ts, 0,
				     false, &b.cm, &jump));
	in.vc_n = 4;
	EXPECT_EQ(-(1 + ORDO_LC_DROP_VC_SIZE),
		  ordo_lc_recv_event(&clk, ORDO_WIRE_KIND_VECTOR, 7, &in, ts,
				     0, false, &b.cm, &jump));
	EXPECT_STREQ("kind_mismatch", ordo_lc_drop_name(ORDO_LC_DROP_KIND));
	EXPECT_STREQ("overflow", ordo_lc_drop_name(ORDO_LC_DROP_OVERFLOW));
	EXPECT_STREQ("?", ordo_lc_drop_name(ORDO_LC_DROP_CNT));
}

TEST(vector_wrong_size_and_bad_domain_rejected)
{
	struct ordo_vclock vc, copy;
	u64 ts[ORDO_VC_MAX + 1] = { 5, 5, 5, 5 };

	EXPECT_EQ(-EINVAL, ordo_vc_init(&vc, 0, 0, 0, false));
	EXPECT_EQ(-EINVAL, ordo_vc_init(&vc, ORDO_VC_MAX + 1, 0, 0, false));
	EXPECT_EQ(-EINVAL, ordo_vc_init(&vc, 3, 3, 0, false));
	ASSERT_EQ(0, ordo_vc_init(&vc, 3, 1, 0, false));
	ASSERT_EQ(0, ordo_vc_tick(&vc));
	copy = vc;
	EXPECT_EQ(-EMSGSIZE, ordo_vc_recv(&vc, ts, 2));
	EXPECT_EQ(-EMSGSIZE, ordo_vc_recv(&vc, ts, 4));
	EXPECT_EQ(-EMSGSIZE, ordo_vc_recv(&vc, ts, 0));
	EXPECT_EQ(0, memcmp(&vc, &copy, sizeof(vc)));
	EXPECT_EQ(-EINVAL, ordo_vc_send(&vc, ts, 2));
	EXPECT_EQ(0, memcmp(&vc, &copy, sizeof(vc)));
}

TEST(vector_64_members)
{
	struct ordo_vclock a, b;
	u64 ts[ORDO_VC_MAX];
	int i;

	ASSERT_GE(ORDO_VC_MAX, 64);
	ASSERT_EQ(0, ordo_vc_init(&a, 64, 0, 0, false));
	ASSERT_EQ(0, ordo_vc_init(&b, 64, 63, 0, false));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, ordo_vc_tick(&b));
	}
	ASSERT_EQ(0, ordo_vc_send(&b, ts, 64));
	ASSERT_EQ(0, ordo_vc_recv(&a, ts, 64));
	EXPECT_EQ(1ULL, a.v[0]);
	EXPECT_EQ(6ULL, a.v[63]);
	EXPECT_EQ(ORDO_VC_BEFORE, ordo_vc_compare(ts, a.v, 64));
}

TEST(vector_overflow_and_future_jump)
{
	struct ordo_vclock vc, copy;
	u64 ts[3] = { 0, 0, 0 };

	ASSERT_EQ(0, ordo_vc_init(&vc, 3, 0, 10, false));
	vc.v[0] = U64MAX;
	copy = vc;
	EXPECT_EQ(-EOVERFLOW, ordo_vc_tick(&vc));
	EXPECT_EQ(-EOVERFLOW, ordo_vc_recv(&vc, ts, 3));
	EXPECT_EQ(0, memcmp(&vc, &copy, sizeof(vc)));
	vc.v[0] = 1;
	ts[0] = U64MAX;		/* our own entry pushed to the top */
	EXPECT_EQ(-EOVERFLOW, ordo_vc_recv(&vc, ts, 3));
	EXPECT_EQ(1ULL, vc.v[0]);

	ts[0] = 0;
	ts[2] = 10;		/* exactly the threshold */
	EXPECT_EQ(0, ordo_vc_recv(&vc, ts, 3));
	ts[1] = 11;
	EXPECT_EQ(ORDO_LC_FUTURE, ordo_vc_recv(&vc, ts, 3));
	EXPECT_EQ(11ULL, vc.v[1]);
	vc.pol.refuse = true;
	ts[2] = 100;
	copy = vc;
	EXPECT_EQ(-ERANGE, ordo_vc_recv(&vc, ts, 3));
	EXPECT_EQ(0, memcmp(&vc, &copy, sizeof(vc)));
}

TEST(vector_causal_delivery_condition)
{
	u64 v[3] = { 2, 1, 0 };
	u64 ok[3] = { 2, 2, 0 }, gap[3] = { 2, 3, 0 }, dep[3] = { 3, 2, 0 };
	u64 old[3] = { 2, 1, 0 };

	EXPECT_TRUE(ordo_vc_deliverable(v, ok, 3, 1));
	EXPECT_FALSE(ordo_vc_deliverable(v, gap, 3, 1));	/* missed one of j */
	EXPECT_FALSE(ordo_vc_deliverable(v, dep, 3, 1));	/* needs P0's 3rd */
	EXPECT_FALSE(ordo_vc_deliverable(v, old, 3, 1));	/* duplicate */
	EXPECT_FALSE(ordo_vc_deliverable(v, ok, 3, 3));		/* bad sender */
	ordo_vc_merge(v, ok, 3);
	EXPECT_EQ(2ULL, v[1]);
	EXPECT_TRUE(ordo_vc_deliverable(v, dep, 3, 0));
}

/* ---------------------------------------------------------------- HLC */

TEST(hlc_paper_cases)
{
	struct ordo_hlc h;
	struct ordo_hlc_ts m, ts;

	ordo_hlc_init(&h, 0, false);
	/* send, pt ahead: l = pt, c = 0 */
	ASSERT_EQ(0, ordo_hlc_send(&h, 100, &ts));
	EXPECT_EQ(100ULL, ts.l);
	EXPECT_EQ(0U, ts.c);
	/* send, pt behind or equal: l unchanged, c + 1 */
	ASSERT_EQ(0, ordo_hlc_send(&h, 90, &ts));
	EXPECT_EQ(100ULL, ts.l);
	EXPECT_EQ(1U, ts.c);
	/* receive, l = l' = l.m: c = max(c, c.m) + 1 */
	m.l = 100;
	m.c = 7;
	ASSERT_EQ(0, ordo_hlc_recv(&h, &m, 50, &ts));
	EXPECT_EQ(100ULL, ts.l);
	EXPECT_EQ(8U, ts.c);
	/* receive, l = l' > l.m: c + 1 */
	m.l = 80;
	m.c = 50;
	ASSERT_EQ(0, ordo_hlc_recv(&h, &m, 60, &ts));
	EXPECT_EQ(100ULL, ts.l);
	EXPECT_EQ(9U, ts.c);
	/* receive, l = l.m > l': c.m + 1 */
	m.l = 200;
	m.c = 3;
	ASSERT_EQ(0, ordo_hlc_recv(&h, &m, 150, &ts));
	EXPECT_EQ(200ULL, ts.l);
	EXPECT_EQ(4U, ts.c);
	/* receive, pt above both: l = pt, c = 0 */
	m.l = 250;
	m.c = 9;
	ASSERT_EQ(0, ordo_hlc_recv(&h, &m, 300, &ts));
	EXPECT_EQ(300ULL, ts.l);
	EXPECT_EQ(0U, ts.c);
	EXPECT_EQ(300ULL, h.l);
	EXPECT_EQ(0U, h.c);
}

/*
 * 4 nodes whose physical clocks are offset from true time by up to
 * +-EPS/2 (so any two differ by at most EPS) exchange messages with
 * random delays. The paper's properties: l >= pt, l - pt <= EPS, and
 * send -> receive gives a strictly greater (l, c); per node (l, c)
 * strictly increases.
 */
#define EPS	600ULL

TEST(hlc_simulation_skewed_clocks)
{
	static const s64 off[4] = { -300, 300, 0, 120 };
	struct ordo_hlc h[4];
	struct ordo_hlc_ts last[4], ts, rts;
	struct {
		struct ordo_hlc_ts ts;
		u64 at;
		int to;
	} fl[64];
	int nfl = 0, i, k, r;
	u64 t = 1000000;
	u64 max_gap = 0;

	for (i = 0; i < 4; i++) {
		ordo_hlc_init(&h[i], EPS, true);	/* must never refuse */
		memset(&last[i], 0, sizeof(last[i]));
	}
	for (i = 0; i < 20000; i++) {
		u64 pt;

		t += rnd() % 50;
		k = rnd() % 4;
		pt = t + off[k];
		/* deliver the in-flight messages that are due at k */
		for (r = 0; r < nfl; r++) {
			if (fl[r].to != k || fl[r].at > t)
				continue;
			ASSERT_EQ(0, ordo_hlc_recv(&h[k], &fl[r].ts, pt, &rts));
			ASSERT_LT(0, ordo_hlc_cmp(&rts, &fl[r].ts));
			ASSERT_LT(0, ordo_hlc_cmp(&rts, &last[k]));
			last[k] = rts;
			fl[r--] = fl[--nfl];
		}
		ASSERT_EQ(0, ordo_hlc_send(&h[k], pt, &ts));
		ASSERT_LT(0, ordo_hlc_cmp(&ts, &last[k]));
		last[k] = ts;
		ASSERT_GE(h[k].l, pt);
		ASSERT_LE(h[k].l - pt, EPS);
		if (h[k].l - pt > max_gap)
			max_gap = h[k].l - pt;
		if (nfl < 64 && rnd() % 2) {
			fl[nfl].ts = ts;
			fl[nfl].at = t + 1 + rnd() % 400;
			fl[nfl].to = (k + 1 + rnd() % 3) % 4;
			nfl++;
		}
	}
	/* the skew did show: some node ran ahead of its own clock */
	EXPECT_GT(max_gap, 0ULL);
}

TEST(hlc_counter_overflow_advances_l)
{
	struct ordo_hlc h, copy;
	struct ordo_hlc_ts m, ts;

	ordo_hlc_init(&h, 0, false);
	h.l = 1000;
	h.c = U32MAX;
	ASSERT_EQ(0, ordo_hlc_send(&h, 500, &ts));
	EXPECT_EQ(1001ULL, ts.l);	/* one tick ahead, counter restarts */
	EXPECT_EQ(0U, ts.c);
	m.l = 2000;
	m.c = U32MAX;
	ASSERT_EQ(0, ordo_hlc_recv(&h, &m, 10, &ts));
	EXPECT_EQ(2001ULL, ts.l);
	EXPECT_EQ(0U, ts.c);
	EXPECT_LT(0, ordo_hlc_cmp(&ts, &m));
	h.l = U64MAX;
	h.c = U32MAX;
	copy = h;
	EXPECT_EQ(-EOVERFLOW, ordo_hlc_send(&h, 0, &ts));
	EXPECT_EQ(0, memcmp(&h, &copy, sizeof(h)));
	m.l = U64MAX;
	EXPECT_EQ(-EOVERFLOW, ordo_hlc_recv(&h, &m, 0, &ts));
	EXPECT_EQ(0, memcmp(&h, &copy, sizeof(h)));
}

TEST(hlc_future_timestamp)
{
	struct ordo_hlc h, copy;
	struct ordo_hlc_ts m, ts;

	ordo_hlc_init(&h, 1000, true);
	ASSERT_EQ(0, ordo_hlc_send(&h, 5000, &ts));
	copy = h;
	m.l = 6001;	/* 1001 ns ahead of pt = 5000 */
	m.c = 0;
	EXPECT_EQ(-ERANGE, ordo_hlc_recv(&h, &m, 5000, &ts));
	EXPECT_EQ(0, memcmp(&h, &copy, sizeof(h)));
	m.l = 6000;	/* exactly the max offset: accepted */
	EXPECT_EQ(0, ordo_hlc_recv(&h, &m, 5000, &ts));
	EXPECT_EQ(6000ULL, h.l);
	EXPECT_EQ(1U, h.c);
	/* report only */
	ordo_hlc_init(&h, 1000, false);
	m.l = 9000;
	EXPECT_EQ(ORDO_LC_FUTURE, ordo_hlc_recv(&h, &m, 5000, &ts));
	EXPECT_EQ(9000ULL, h.l);
	/* no bound */
	ordo_hlc_init(&h, 0, true);
	m.l = U64MAX - 1;
	EXPECT_EQ(0, ordo_hlc_recv(&h, &m, 0, &ts));
}

TEST_HARNESS_MAIN
