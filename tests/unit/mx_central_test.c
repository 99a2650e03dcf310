// SPDX-License-Identifier: GPL-2.0
/*
 * Centralized mutual exclusion (user/ordo-mutexd/mx_central.c) in the
 * simulator (mx_sim.c): safety, liveness and FIFO fairness, exactly 3
 * messages per entry, 2 MTTU, coordinator failover (STATE rebuild, a
 * holder across the failover, exact STATE counts, tokens across epochs),
 * a client crash while holding, a partition that heals.
 */
#include "../kselftest_harness.h"
#include "mx_test.h"

static const struct mx_algo *A = &mx_central_algo;

/*
 * Many clients on 2 locks, random delays (messages overtake each other):
 * no overlap, tokens increasing, every request granted. Bounded wait:
 * with hold >= the largest delay, a request is overtaken by at most one
 * entry of each other client (C - 1 = N - 1): the coordinator's queue is
 * FIFO.
 */
static void central_safety(struct __test_metadata *_metadata, uint32_t n)
{
	mx_safety_bounded(_metadata, A, n);
}

TEST(central_safety_liveness_n3)
{
	central_safety(_metadata, 3);
}

TEST(central_safety_liveness_n5)
{
	central_safety(_metadata, 5);
}

/* Exactly 3 messages per entry of a client that is not the coordinator,
 * none for the coordinator's own entries; one RELEASE (op done) each. */
static void central_messages(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	uint64_t remote;
	char buf[200];

	sim_cfg_init(&c, A, n, 11);
	c.entries = 50;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	remote = ck.granted - mx_granted_by(s, 0);
	EXPECT_EQ(n * c.nlocks * c.entries, ck.granted);
	EXPECT_EQ(remote, sim_sent(s, MX_C_REQUEST));
	EXPECT_EQ(remote, sim_sent(s, MX_C_GRANT));
	EXPECT_EQ(remote, sim_sent(s, MX_C_RELEASE));
	EXPECT_EQ(0ULL, (unsigned long long)sim_sent(s, MX_C_STATE));
	EXPECT_EQ(3 * remote, sim_sent_total(s));
	EXPECT_EQ(remote, sim_done_marked(s));
	TH_LOG("N=%u: %llu remote entries, %llu messages = 3 per entry (%s), %u local entries with 0",
	       n, (unsigned long long)remote,
	       (unsigned long long)sim_sent_total(s),
	       mx_counts(s, buf, sizeof(buf)), mx_granted_by(s, 0));
	sim_free(s);
}

TEST(central_messages_3_per_entry_n3)
{
	central_messages(_metadata, 3);
}

TEST(central_messages_3_per_entry_n5)
{
	central_messages(_metadata, 5);
}

/* Request -> grant: 2 MTTU (REQUEST, GRANT), on a bus and on parallel
 * links alike; the notes: 2. */
static void central_mttu(struct __test_metadata *_metadata, uint32_t n)
{
	struct mx_mttu bus, par;
	uint64_t clients = ((1ULL << n) - 1) & ~1ULL;	/* not the coordinator */

	mx_mttu_run(_metadata, A, n, true, clients, 20, &bus);
	mx_mttu_run(_metadata, A, n, false, clients, 20, &par);
	EXPECT_EQ(0U, bus.off_grid);
	EXPECT_EQ(2ULL, (unsigned long long)bus.min);
	EXPECT_EQ(2ULL, (unsigned long long)bus.max);
	EXPECT_EQ(2ULL, (unsigned long long)par.min);
	EXPECT_EQ(2ULL, (unsigned long long)par.max);
	EXPECT_EQ(3ULL * bus.n, (unsigned long long)bus.msgs);
	TH_LOG("N=%u: delay request->grant %llu..%llu MTTU on a bus, %llu..%llu on parallel links (%u entries); notes: 2",
	       n, (unsigned long long)bus.min, (unsigned long long)bus.max,
	       (unsigned long long)par.min, (unsigned long long)par.max, bus.n);
}

TEST(central_mttu_n3)
{
	central_mttu(_metadata, 3);
}

TEST(central_mttu_n5)
{
	central_mttu(_metadata, 5);
}

/*
 * The coordinator (0) crashes at 300 ms; 40 ms later everyone is told and
 * 1 becomes coordinator (epoch 1), rebuilt from STATE reports; 0 restarts
 * at 1500 ms and, lowest live id again, takes over (epoch 2). STATE
 * messages: nlocks x (N - 2) for the first failover (the survivors but
 * the new coordinator), nlocks x (N - 1) for the second.
 */
static void central_crash(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct mx_stats st;
	struct sim_cfg c;
	struct sim *s;

	sim_cfg_init(&c, A, n, 21);
	c.entries = 40;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_crash_at(s, 300, 0);
	sim_restart_at(s, 1500, 0);
	mx_run_clean(_metadata, s, &ck);
	sim_stats(s, &st);
	EXPECT_EQ((unsigned long long)c.nlocks * ((n - 2) + (n - 1)),
		  (unsigned long long)sim_sent(s, MX_C_STATE));
	EXPECT_EQ(0ULL, (unsigned long long)st.conflicts);
	TH_LOG("N=%u: coordinator crash + restart: %u entries, %llu STATE, max wait %llu ms",
	       n, ck.granted, (unsigned long long)sim_sent(s, MX_C_STATE),
	       (unsigned long long)ck.max_wait);
	sim_free(s);
}

TEST(central_coordinator_crash_failover_n3)
{
	central_crash(_metadata, 3);
}

TEST(central_coordinator_crash_failover_n5)
{
	central_crash(_metadata, 5);
}

struct crash_when_held {
	uint32_t victim;	/* crash this node ... */
	uint32_t holder;	/* ... when this one holds lock 0 (MX_NONE: any
				 * node but the victim) */
	uint32_t who;		/* the holder at the crash */
	uint64_t at;
};

static void crash_when_held(struct sim *s, void *arg)
{
	struct crash_when_held *w = arg;
	uint32_t i;

	for (i = 0; i < sim_cfg(s)->n; i++) {
		if (i == w->victim && w->holder != w->victim)
			continue;
		if (w->holder != MX_NONE && i != w->holder)
			continue;
		if (sim_node(s, i) && mx_lock_state(sim_node(s, i), 0) == MX_HELD) {
			w->who = i;
			w->at = sim_now(s);
			sim_crash(s, w->victim);
			return;
		}
	}
	sim_call_at(s, sim_now(s) + 1, crash_when_held, arg);
}

/* The coordinator dies while a client holds lock 0: the client keeps the
 * lock (STATE HELD with its token), releases it to the new coordinator,
 * and nobody else got it meanwhile. */
TEST(central_failover_while_a_client_holds)
{
	struct crash_when_held w = { .victim = 0, .holder = MX_NONE };
	const struct sim_hist *h;
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	size_t nh, i;
	bool kept = false;

	sim_cfg_init(&c, A, 5, 31);
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_call_at(s, 200, crash_when_held, &w);
	mx_run_clean(_metadata, s, &ck);
	ASSERT_NE(0ULL, (unsigned long long)w.at);
	h = sim_history(s, &nh);
	for (i = 0; i < nh; i++) {
		if (h[i].node == w.who && h[i].lock == 0 && h[i].granted &&
		    h[i].grant_at <= w.at && h[i].rel_at > w.at && !h[i].crashed)
			kept = true;
	}
	EXPECT_TRUE(kept);
	EXPECT_EQ(2ULL * 3, (unsigned long long)sim_sent(s, MX_C_STATE));
	TH_LOG("coordinator crashed at %llu ms while %u held lock 0: it kept it across the failover",
	       (unsigned long long)w.at, w.who);
	sim_free(s);
}

/* A client dies holding lock 0: the coordinator frees the lock when it
 * is told (peer down) and the others go on. */
TEST(central_client_crash_while_holding)
{
	struct crash_when_held w = { .victim = 3, .holder = 3 };
	const struct sim_hist *h;
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	size_t nh, i;
	uint64_t next = UINT64_MAX;

	sim_cfg_init(&c, A, 5, 41);
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_call_at(s, 200, crash_when_held, &w);
	mx_run_clean(_metadata, s, &ck);
	ASSERT_NE(0ULL, (unsigned long long)w.at);
	h = sim_history(s, &nh);
	for (i = 0; i < nh; i++) {
		if (h[i].lock == 0 && h[i].granted && h[i].grant_at > w.at &&
		    h[i].grant_at < next)
			next = h[i].grant_at;
	}
	/* not before the failure detector told the coordinator */
	EXPECT_LE(w.at + c.detect_ms, next);
	TH_LOG("client 3 crashed holding lock 0 at %llu ms; next grant at %llu ms",
	       (unsigned long long)w.at, (unsigned long long)next);
	sim_free(s);
}

/* Node N-1 is cut off for 500 ms (shorter than the failure detection:
 * the transport delivers the held messages after the heal). */
static void central_partition(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;

	sim_cfg_init(&c, A, n, 51);
	c.parts[0] = (struct sim_part){ 300, 800, 1ULL << (n - 1) };
	c.parts[1] = (struct sim_part){ 1200, 1500, 1ULL };
	c.nparts = 2;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	EXPECT_EQ(n * c.nlocks * c.entries, ck.granted);
	TH_LOG("N=%u: partitions healed, %u entries, max wait %llu ms", n,
	       ck.granted, (unsigned long long)ck.max_wait);
	sim_free(s);
}

TEST(central_partition_heals_n3)
{
	central_partition(_metadata, 3);
}

TEST(central_partition_heals_n5)
{
	central_partition(_metadata, 5);
}

/* Reordering, duplication and losses repaired by retransmission. */
TEST(central_duplicates_losses_reordering)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;

	sim_cfg_init(&c, A, 5, 61);
	c.dup_pct = 10;
	c.loss_pct = 10;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	EXPECT_EQ(5 * c.nlocks * c.entries, ck.granted);
	sim_free(s);
}

TEST_HARNESS_MAIN
