// SPDX-License-Identifier: GPL-2.0
/*
 * Token ring (user/ordo-mutexd/mx_ring.c) in the simulator: safety, liveness,
 * fairness, exactly N TOKEN messages per circulation (in id order),
 * 0..N-1 MTTU, a crashed holder's token regenerated exactly once (also
 * when the leader itself dies with it), a "lost" token that turns up
 * late discarded by generation, a partition that heals.
 */
#include "../kselftest_harness.h"
#include "mx_test.h"

static const struct mx_algo *A = &mx_ring_algo;

/* A request waits for at most one entry of each other client: the token
 * visits each node once before it comes back (C - 1 = N - 1). */
static void ring_safety(struct __test_metadata *_metadata, uint32_t n)
{
	mx_safety_bounded(_metadata, A, n);
}

TEST(ring_safety_liveness_n3)
{
	ring_safety(_metadata, 3);
}

TEST(ring_safety_liveness_n5)
{
	ring_safety(_metadata, 5);
}

/* The senders of lock 0's TOKEN messages, in order. */
struct token_log {
	uint32_t from[20000];
	size_t n;
	uint32_t late;		/* delay this TOKEN of lock 0 (1-based) ... */
	uint64_t late_by;	/* ... by this much */
	uint64_t late_at;	/* when it arrives */
	uint64_t late_gen;
};

static void nop(struct sim *s, void *arg)
{
}

static void log_tokens(struct sim *s, uint32_t from, uint32_t to,
		       const struct mx_msg *m, uint64_t *at, bool *drop)
{
	struct token_log *tl = sim_cfg(s)->user;

	if (m->type != MX_R_TOKEN || m->lock != 0)
		return;
	if (tl->n < sizeof(tl->from) / sizeof(tl->from[0]))
		tl->from[tl->n] = from;
	tl->n++;
	if (tl->late && tl->n == tl->late) {
		*at += tl->late_by;
		tl->late_at = *at;
		tl->late_gen = m->gen;
		sim_call_at(s, *at + 1, nop, NULL);	/* run until then */
	}
}

/* Exactly N TOKEN messages per circulation: the senders of lock 0's token
 * go 0, 1, ..., N-1, 0, ... without a gap or a repeat. One TOKEN per
 * entry carries the op-done mark. */
static void ring_circulation(struct __test_metadata *_metadata, uint32_t n)
{
	static struct token_log tl;
	struct sim_check ck;
	struct mx_stats st;
	struct sim_cfg c;
	struct sim *s;
	size_t i, bad = 0;

	memset(&tl, 0, sizeof(tl));
	sim_cfg_init(&c, A, n, 3);
	c.on_send = log_tokens;
	c.user = &tl;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	ASSERT_LT(2 * n, tl.n);
	ASSERT_GE(sizeof(tl.from) / sizeof(tl.from[0]), tl.n);
	for (i = 0; i < tl.n; i++) {
		if (tl.from[i] != i % n)
			bad++;
	}
	EXPECT_EQ(0U, bad);
	sim_stats(s, &st);
	EXPECT_EQ(0ULL, (unsigned long long)sim_sent(s, MX_R_PROBE));
	EXPECT_EQ(0ULL, (unsigned long long)st.regenerations);
	EXPECT_EQ(ck.granted, sim_done_marked(s));
	TH_LOG("N=%u: lock 0: %zu TOKEN in %zu full circulations = %u per circulation; %u entries on 2 locks, %llu TOKEN in all",
	       n, tl.n, tl.n / n, n, ck.granted,
	       (unsigned long long)sim_sent(s, MX_R_TOKEN));
	sim_free(s);
}

TEST(ring_n_messages_per_circulation_n3)
{
	ring_circulation(_metadata, 3);
}

TEST(ring_n_messages_per_circulation_n5)
{
	ring_circulation(_metadata, 5);
}

/* Without contention the token comes in 0..N-1 MTTU (the notes), both
 * ends seen; nothing else travels, so the bus changes nothing. */
static void ring_mttu(struct __test_metadata *_metadata, uint32_t n)
{
	struct mx_mttu bus, par;
	uint64_t all = (1ULL << n) - 1;

	mx_mttu_run(_metadata, A, n, true, all, 30, &bus);
	mx_mttu_run(_metadata, A, n, false, all, 30, &par);
	EXPECT_EQ(0U, par.off_grid);
	EXPECT_EQ(0ULL, (unsigned long long)par.min);
	EXPECT_EQ((unsigned long long)n - 1, (unsigned long long)par.max);
	EXPECT_EQ(0ULL, (unsigned long long)bus.min);
	EXPECT_EQ((unsigned long long)n - 1, (unsigned long long)bus.max);
	TH_LOG("N=%u: delay request->token 0..%llu MTTU, mean %.2f (%u entries); notes: 0..N-1 = 0..%u",
	       n, (unsigned long long)par.max, (double)par.sum / par.n, par.n,
	       n - 1);
}

TEST(ring_mttu_n3)
{
	ring_mttu(_metadata, 3);
}

TEST(ring_mttu_n5)
{
	ring_mttu(_metadata, 5);
}

struct crash_holder {
	uint32_t victim;	/* MX_NONE: whoever holds lock 0, not 0 */
	uint32_t who;
	uint64_t at;
	uint64_t restart_ms;	/* after the crash (0: 1000) */
};

static void crash_holder(struct sim *s, void *arg)
{
	struct crash_holder *w = arg;
	uint32_t i;

	for (i = 0; i < sim_cfg(s)->n; i++) {
		if (w->victim != MX_NONE ? i != w->victim : i == 0)
			continue;
		if (sim_node(s, i) && mx_lock_state(sim_node(s, i), 0) == MX_HELD) {
			w->who = i;
			w->at = sim_now(s);
			sim_crash(s, i);
			sim_restart_at(s, w->at + (w->restart_ms ?: 1000), i);
			return;
		}
	}
	sim_call_at(s, sim_now(s) + 1, crash_holder, arg);
}

/*
 * A node dies in its CS with the token (one lock: the only token is
 * lost). The leader, told 40 ms later, probes and regenerates it, once.
 * The node restarts restart_ms later (0: 1 s) and joins the ring again
 * without any new token. FIFO links: a probe never overtakes a live token
 * in flight. probes: the PROBE rounds expected (0: not checked).
 */
static void ring_holder_crash(struct __test_metadata *_metadata, uint32_t n,
			      uint32_t victim, uint64_t restart_ms,
			      uint64_t probes)
{
	struct crash_holder w = { .victim = victim, .restart_ms = restart_ms };
	struct sim_check ck;
	struct mx_stats st;
	struct sim_cfg c;
	struct sim *s;

	sim_cfg_init(&c, A, n, 5 + n);
	c.nlocks = 1;
	c.entries = 60;
	c.fifo = true;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_call_at(s, 200, crash_holder, &w);
	mx_run_clean(_metadata, s, &ck);
	ASSERT_NE(0ULL, (unsigned long long)w.at);
	sim_stats(s, &st);
	EXPECT_EQ(1ULL, (unsigned long long)st.regenerations);
	EXPECT_EQ(0ULL, (unsigned long long)st.stale_tokens);
	if (probes)
		EXPECT_EQ(probes, st.probes);
	TH_LOG("N=%u: node %u crashed holding the token at %llu ms, restarted %llu ms later: %llu probes (%s), %llu regeneration, %u entries",
	       n, w.who, (unsigned long long)w.at,
	       (unsigned long long)(restart_ms ?: 1000),
	       (unsigned long long)st.probes,
	       victim == 0 ? "new leader 1, then 0 again" : "at the peer down",
	       (unsigned long long)st.regenerations, ck.granted);
	sim_free(s);
}

TEST(ring_holder_crash_regenerated_once_n3)
{
	ring_holder_crash(_metadata, 3, MX_NONE, 0, 0);
}

TEST(ring_holder_crash_regenerated_once_n5)
{
	ring_holder_crash(_metadata, 5, MX_NONE, 0, 0);
}

/* The leader itself dies with the token: the next leader probes when it
 * is told it leads, and regenerates once. */
TEST(ring_leader_crash_with_token_n5)
{
	ring_holder_crash(_metadata, 5, 0, 0, 0);
}

/*
 * The leader dies with the token and restarts 1 ms after the others are
 * told (detection 40 ms): the next leader, 1, has just sent its PROBE of
 * a new generation G1, which raises the min_gen of node 2 on its way,
 * when 0 leads again (a new epoch: 1's round is abandoned). The restarted
 * 0 knows no generation; its own round picks one below G1 and finds no
 * token. Regenerated with that generation, the token would be dropped as
 * stale at node 2, and every client would wait (token_timeout_ms is off
 * here; with it, one more round per 64 generations). The PROBE brings
 * back the highest generation on its way, and 0 starts a round above it
 * instead: 3 rounds (1's, and two of 0's), regenerated once, every entry
 * granted. Seen in the VM (tests/mutexfault/mf_crash.sh: node 3 never
 * granted after the central coordinator, also the ring's leader, was
 * killed and restarted).
 */
TEST(ring_leader_restarts_during_probe_n3)
{
	ring_holder_crash(_metadata, 3, 0, 41, 3);
}

/* Drops the first PROBE: it went to a successor that was down. */
static void drop_first_probe(struct sim *s, uint32_t from, uint32_t to,
			     const struct mx_msg *m, uint64_t *at, bool *drop)
{
	uint32_t *dropped = sim_cfg(s)->user;

	(void)from;
	(void)to;
	(void)at;
	if (m->type == MX_R_PROBE && !*dropped) {
		*dropped = 1;
		*drop = true;
	}
}

/*
 * The token holder crashes and the leader's probe is lost on its way (a
 * node forwarded it to a peer it did not suspect yet): without a new
 * round nothing regenerates and every client waits forever. With
 * probe_timeout_ms the leader starts a second round: regenerated once.
 */
static void ring_lost_probe(struct __test_metadata *_metadata, uint32_t n)
{
	struct crash_holder w = { .victim = MX_NONE };
	static uint32_t dropped;
	struct sim_check ck;
	struct mx_stats st;
	struct sim_cfg c;
	struct sim *s;

	dropped = 0;
	sim_cfg_init(&c, A, n, 7 + n);
	c.nlocks = 1;
	c.entries = 40;
	c.fifo = true;
	c.mx.probe_timeout_ms = 500;
	c.on_send = drop_first_probe;
	c.user = &dropped;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_call_at(s, 200, crash_holder, &w);
	mx_run_clean(_metadata, s, &ck);
	ASSERT_EQ(1U, dropped);
	sim_stats(s, &st);
	EXPECT_EQ(2ULL, (unsigned long long)st.probes);
	EXPECT_EQ(1ULL, (unsigned long long)st.regenerations);
	TH_LOG("N=%u: holder %u crashed at %llu ms, the first probe lost: %llu probes, %llu regeneration, %u entries",
	       n, w.who, (unsigned long long)w.at,
	       (unsigned long long)st.probes,
	       (unsigned long long)st.regenerations, ck.granted);
	sim_free(s);
}

TEST(ring_lost_probe_new_round_n3)
{
	ring_lost_probe(_metadata, 3);
}

TEST(ring_lost_probe_new_round_n5)
{
	ring_lost_probe(_metadata, 5);
}

/*
 * One TOKEN of lock 0 is held in the network for 5 s. The leader has not
 * seen it for token_timeout_ms = 1 s: it probes, finds nothing, makes a
 * new generation. When the old token turns up, its receiver (which saw
 * the probe) drops it: no second token, regenerated exactly once.
 */
static void ring_late_token(struct __test_metadata *_metadata, uint32_t n)
{
	static struct token_log tl;
	struct sim_check ck;
	struct mx_stats st;
	struct sim_cfg c;
	struct sim *s;

	memset(&tl, 0, sizeof(tl));
	tl.late = 40;
	tl.late_by = 5000;
	sim_cfg_init(&c, A, n, 9);
	c.entries = 60;
	c.mx.token_timeout_ms = 1000;
	c.on_send = log_tokens;
	c.user = &tl;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	ASSERT_NE(0ULL, (unsigned long long)tl.late_at);
	ASSERT_GT(sim_now(s), tl.late_at);	/* it did arrive */
	sim_stats(s, &st);
	EXPECT_EQ(1ULL, (unsigned long long)st.probes);
	EXPECT_EQ(1ULL, (unsigned long long)st.regenerations);
	EXPECT_EQ(1ULL, (unsigned long long)st.stale_tokens);
	TH_LOG("N=%u: token of generation %llu delayed until %llu ms: %llu probe, %llu regeneration, %llu stale token dropped, %u entries",
	       n, (unsigned long long)tl.late_gen,
	       (unsigned long long)tl.late_at, (unsigned long long)st.probes,
	       (unsigned long long)st.regenerations,
	       (unsigned long long)st.stale_tokens, ck.granted);
	sim_free(s);
}

TEST(ring_late_token_discarded_n3)
{
	ring_late_token(_metadata, 3);
}

TEST(ring_late_token_discarded_n5)
{
	ring_late_token(_metadata, 5);
}

/* A node is cut off for 600 ms: the token waits at the cut (messages are
 * held, then delivered); nothing is lost or duplicated. */
static void ring_partition(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct mx_stats st;
	struct sim_cfg c;
	struct sim *s;

	sim_cfg_init(&c, A, n, 13);
	c.parts[0] = (struct sim_part){ 300, 900, 1ULL << (n - 1) };
	c.nparts = 1;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	EXPECT_EQ(n * c.nlocks * c.entries, ck.granted);
	sim_stats(s, &st);
	EXPECT_EQ(0ULL, (unsigned long long)st.regenerations);
	TH_LOG("N=%u: partition healed, %u entries, max wait %llu ms", n,
	       ck.granted, (unsigned long long)ck.max_wait);
	sim_free(s);
}

TEST(ring_partition_heals_n3)
{
	ring_partition(_metadata, 3);
}

TEST(ring_partition_heals_n5)
{
	ring_partition(_metadata, 5);
}

/* With idle_ms an unwanted token rests before moving on; a request at
 * the node that has it is granted at once. */
TEST(ring_idle_pacing)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;

	sim_cfg_init(&c, A, 5, 17);
	c.mx.idle_ms = 5;
	c.dup_pct = 0;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	EXPECT_EQ(5 * c.nlocks * c.entries, ck.granted);
	sim_free(s);
}

/* Duplicated TOKEN messages (10%) and reordering: a copy never becomes a
 * second token (hop counts), nothing is regenerated. */
static void ring_duplicates(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct mx_stats st;
	struct sim_cfg c;
	struct sim *s;
	uint64_t seed;

	for (seed = 1; seed <= 3; seed++) {
		sim_cfg_init(&c, A, n, 70 + seed);
		c.dup_pct = 10;
		c.loss_pct = 5;
		s = sim_new(&c);
		ASSERT_NE(NULL, s);
		mx_run_clean(_metadata, s, &ck);
		EXPECT_EQ(n * c.nlocks * c.entries, ck.granted);
		sim_stats(s, &st);
		EXPECT_EQ(0ULL, (unsigned long long)st.regenerations);
		EXPECT_LT(0ULL, (unsigned long long)st.ignored);
		sim_free(s);
	}
}

TEST(ring_duplicates_losses_n3)
{
	ring_duplicates(_metadata, 3);
}

TEST(ring_duplicates_losses_n5)
{
	ring_duplicates(_metadata, 5);
}

TEST_HARNESS_MAIN
