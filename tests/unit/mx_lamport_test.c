// SPDX-License-Identifier: GPL-2.0
/*
 * Lamport's mutual exclusion (user/ordo-mutexd/mx_lamport.c) in the
 * simulator: safety (also with links that reorder and duplicate), liveness,
 * fairness, exactly 3(N-1) messages per entry, 2(N-1) MTTU on a shared
 * medium and 2 on parallel links, crashed peers excluded (a holder too),
 * a restarted peer rejoining, a partition that heals.
 */
#include "../kselftest_harness.h"
#include "mx_test.h"

static const struct mx_algo *A = &mx_lamport_algo;

/* Bounded wait: with hold >= the largest delay, every other client
 * enters at most once before a request (C - 1 = N - 1). */
static void lamport_safety(struct __test_metadata *_metadata, uint32_t n)
{
	mx_safety_bounded(_metadata, A, n);
}

TEST(lamport_safety_liveness_n3)
{
	lamport_safety(_metadata, 3);
}

TEST(lamport_safety_liveness_n5)
{
	lamport_safety(_metadata, 5);
}

/* 3(N-1) per entry: N-1 REQUEST, N-1 ACK, N-1 RELEASE; the RELEASE to the
 * first peer carries the op-done mark. */
static void lamport_messages(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	uint64_t e;
	char buf[200];

	sim_cfg_init(&c, A, n, 11);
	c.entries = 50;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	e = ck.granted;
	EXPECT_EQ((n - 1) * e, sim_sent(s, MX_L_REQUEST));
	EXPECT_EQ((n - 1) * e, sim_sent(s, MX_L_ACK));
	EXPECT_EQ((n - 1) * e, sim_sent(s, MX_L_RELEASE));
	EXPECT_EQ(3 * (n - 1) * e, sim_sent_total(s));
	EXPECT_EQ(e, sim_done_marked(s));
	TH_LOG("N=%u: %llu entries, %llu messages = %llu per entry = 3(N-1) (%s)",
	       n, (unsigned long long)e, (unsigned long long)sim_sent_total(s),
	       (unsigned long long)(sim_sent_total(s) / e),
	       mx_counts(s, buf, sizeof(buf)));
	sim_free(s);
}

TEST(lamport_messages_3n_minus_3_per_entry_n3)
{
	lamport_messages(_metadata, 3);
}

TEST(lamport_messages_3n_minus_3_per_entry_n5)
{
	lamport_messages(_metadata, 5);
}

/* N-1 requests and N-1 acknowledgements, one MTTU each on a shared
 * medium: 2(N-1), as the notes count for the distributed algorithm; on
 * parallel links 2. The releases come after the CS. */
static void lamport_mttu(struct __test_metadata *_metadata, uint32_t n)
{
	struct mx_mttu bus, par;
	uint64_t all = (1ULL << n) - 1;

	mx_mttu_run(_metadata, A, n, true, all, 20, &bus);
	mx_mttu_run(_metadata, A, n, false, all, 20, &par);
	EXPECT_EQ(0U, bus.off_grid);
	EXPECT_EQ(2ULL * (n - 1), (unsigned long long)bus.min);
	EXPECT_EQ(2ULL * (n - 1), (unsigned long long)bus.max);
	EXPECT_EQ(2ULL, (unsigned long long)par.min);
	EXPECT_EQ(2ULL, (unsigned long long)par.max);
	EXPECT_EQ(3ULL * (n - 1) * bus.n, (unsigned long long)bus.msgs);
	TH_LOG("N=%u: delay request->grant %llu MTTU on a bus (notes: 2(N-1) = %u), %llu on parallel links",
	       n, (unsigned long long)bus.max, 2 * (n - 1),
	       (unsigned long long)par.max);
}

TEST(lamport_mttu_n3)
{
	lamport_mttu(_metadata, 3);
}

TEST(lamport_mttu_n5)
{
	lamport_mttu(_metadata, 5);
}

/* Links that reorder (random delays), duplicate 10% and lose 10%
 * (retransmitted 30 ms later): no FIFO needed, an ACK carries its
 * sender's own pending request. */
static void lamport_reordering(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	uint64_t seed;

	for (seed = 1; seed <= 3; seed++) {
		sim_cfg_init(&c, A, n, 30 + seed);
		c.dup_pct = 10;
		c.loss_pct = 10;
		s = sim_new(&c);
		ASSERT_NE(NULL, s);
		mx_run_clean(_metadata, s, &ck);
		EXPECT_EQ(n * c.nlocks * c.entries, ck.granted);
		sim_free(s);
	}
}

TEST(lamport_reordering_duplicates_losses_n3)
{
	lamport_reordering(_metadata, 3);
}

TEST(lamport_reordering_duplicates_losses_n5)
{
	lamport_reordering(_metadata, 5);
}

/* Node N-1 crashes at 400 ms for good: 40 ms later it is excluded and
 * the others go on without its OK. */
static void lamport_crash(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	uint32_t i, survivors = 0;

	sim_cfg_init(&c, A, n, 41);
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_crash_at(s, 400, n - 1);
	mx_run_clean(_metadata, s, &ck);
	for (i = 0; i < n - 1; i++)
		survivors += mx_granted_by(s, i);
	EXPECT_EQ((n - 1) * c.nlocks * c.entries, survivors);
	TH_LOG("N=%u: node %u crashed at 400 ms, excluded: %u entries, max wait %llu ms",
	       n, n - 1, ck.granted, (unsigned long long)ck.max_wait);
	sim_free(s);
}

TEST(lamport_peer_crash_excluded_n3)
{
	lamport_crash(_metadata, 3);
}

TEST(lamport_peer_crash_excluded_n5)
{
	lamport_crash(_metadata, 5);
}

struct crash_when_held {
	uint32_t victim;
	uint64_t at;
};

static void crash_when_held(struct sim *s, void *arg)
{
	struct crash_when_held *w = arg;

	if (sim_node(s, w->victim) &&
	    mx_lock_state(sim_node(s, w->victim), 0) == MX_HELD) {
		w->at = sim_now(s);
		sim_crash(s, w->victim);
		sim_restart_at(s, w->at + 500, w->victim);
		return;
	}
	sim_call_at(s, sim_now(s) + 1, crash_when_held, arg);
}

/* A node crashes in its CS and comes back 500 ms later as a new
 * incarnation: the others exclude it (tokens still grow: entries happen
 * in request timestamp order), then take it in again, sending it their
 * pending requests; it syncs its clock before its first request (else its
 * low timestamps would jump the queue) and finishes its entries. */
static void lamport_holder_crash_restart(struct __test_metadata *_metadata,
				    uint32_t n)
{
	struct crash_when_held w = { .victim = 1 };
	const struct sim_hist *h;
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	uint32_t cut = 0;
	size_t nh, i;

	sim_cfg_init(&c, A, n, 43);
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_call_at(s, 300, crash_when_held, &w);
	mx_run_clean(_metadata, s, &ck);
	ASSERT_NE(0ULL, (unsigned long long)w.at);
	h = sim_history(s, &nh);
	for (i = 0; i < nh; i++) {
		if (h[i].granted && h[i].crashed)
			cut++;
	}
	/* all of its entries, besides those cut by the crash */
	EXPECT_LE(1U, cut);
	EXPECT_EQ(c.nlocks * c.entries + cut, mx_granted_by(s, 1));
	EXPECT_EQ(n * c.nlocks * c.entries + cut, ck.granted);
	EXPECT_LT(0ULL, (unsigned long long)sim_sent(s, MX_L_SYNC));
	TH_LOG("N=%u: node 1 crashed holding lock 0 at %llu ms, restarted: %u entries, %llu SYNC",
	       n, (unsigned long long)w.at, ck.granted,
	       (unsigned long long)sim_sent(s, MX_L_SYNC));
	sim_free(s);
}

TEST(lamport_holder_crash_restart_rejoin_n3)
{
	lamport_holder_crash_restart(_metadata, 3);
}

TEST(lamport_holder_crash_restart_rejoin_n5)
{
	lamport_holder_crash_restart(_metadata, 5);
}

static void restart_1_and_3(struct sim *s, void *arg)
{
	(void)arg;
	sim_restart_together(s, 1ULL << 1 | 1ULL << 3);
}

/*
 * Nodes 1 and 3 crash mid-run and restart at the same time, each created
 * with the other up and told nothing of it (two daemons that rejoin
 * together learn each other's new incarnation while joining). A
 * restarted node timestamps no request before it has heard from every
 * live peer: the two must hear from each other, or the clients of both
 * wait forever.
 */
static void lamport_two_restart_together(struct __test_metadata *_metadata,
					 uint32_t n)
{
	const struct sim_hist *h;
	struct sim_check ck;
	struct sim_cfg c;
	uint32_t cut[2] = { 0, 0 };
	struct sim *s;
	size_t nh, i;

	sim_cfg_init(&c, A, n, 47);
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	sim_crash_at(s, 300, 1);
	sim_crash_at(s, 300, 3);
	sim_call_at(s, 800, restart_1_and_3, NULL);
	mx_run_clean(_metadata, s, &ck);
	h = sim_history(s, &nh);
	for (i = 0; i < nh; i++) {
		if (h[i].granted && h[i].crashed)
			cut[h[i].node == 3]++;
	}
	/* all of their entries, besides those cut by the crash */
	EXPECT_EQ(c.nlocks * c.entries + cut[0], mx_granted_by(s, 1));
	EXPECT_EQ(c.nlocks * c.entries + cut[1], mx_granted_by(s, 3));
	EXPECT_EQ(n * c.nlocks * c.entries + cut[0] + cut[1], ck.granted);
	TH_LOG("N=%u: nodes 1 and 3 crashed at 300 ms, restarted together at 800 ms: %u entries (%u + %u cut), %llu SYNC",
	       n, ck.granted, cut[0], cut[1],
	       (unsigned long long)sim_sent(s, MX_L_SYNC));
	sim_free(s);
}

TEST(lamport_two_restart_together_n5)
{
	lamport_two_restart_together(_metadata, 5);
}

/* A minority is cut off for 500 ms, shorter than the failure detection:
 * requests, ACKs and RELEASEs wait for the heal. */
static void lamport_partition(struct __test_metadata *_metadata, uint32_t n)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;

	sim_cfg_init(&c, A, n, 51);
	c.parts[0] = (struct sim_part){ 300, 800, n == 3 ? 4ULL : 0x18ULL };
	c.nparts = 1;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	EXPECT_EQ(n * c.nlocks * c.entries, ck.granted);
	TH_LOG("N=%u: partition healed, %u entries, max wait %llu ms", n,
	       ck.granted, (unsigned long long)ck.max_wait);
	sim_free(s);
}

TEST(lamport_partition_heals_n3)
{
	lamport_partition(_metadata, 3);
}

TEST(lamport_partition_heals_n5)
{
	lamport_partition(_metadata, 5);
}

TEST_HARNESS_MAIN
