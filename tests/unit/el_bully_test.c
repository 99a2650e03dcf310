// SPDX-License-Identifier: GPL-2.0
/*
 * The bully algorithm (user/ordo-electd/el_bully.c) in the election
 * simulator (el_sim.c), N = 3, 5, 7, every message taking 10 ms,
 * answer_ms 50, coord_ms 200: exactly one leader, the highest live id,
 * after a cold start, the leader killed (noticed by everyone: concurrent
 * initiators; by the highest live node only: the best case; by the
 * lowest only: the worst case), several killed including the initiator
 * mid-election, the highest id restarted (it bullies its way back), a
 * partition and its heal; the exact message counts of each scripted
 * scenario (Documentation/election-algorithms.rst derives them), one
 * operation-done marker per election; stale and malformed input.
 */
#include "../kselftest_harness.h"
#include "el_sim.h"

#define DELAY	10
#define ANSWER	50
#define COORD	200

static struct es *bully(uint32_t n)
{
	struct es_cfg c = {
		.algo = &el_bully_algo, .n = n, .delay = DELAY,
		.answer_ms = ANSWER, .coord_ms = COORD,
	};

	return es_new(&c);
}

/* A cold start (all at t = 0): every node holds an election at once;
 * the highest wins without waiting. */
static void cold(struct __test_metadata *_metadata, struct es *s, uint32_t n)
{
	uint64_t N = n;

	es_start_all(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_OK));
	EXPECT_EQ(N - 1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(N * N - 1, es_sent(s, 0));	/* the notes' worst case */
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(N, es_elections(s));
	EXPECT_EQ(DELAY, es_last_change(s));	/* one message delay */
	EXPECT_EQ(1, el_leader_term(es_node(s, 0)));
}

static void cold_start(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);

	cold(_metadata, s, n);
	es_free(s);
}

TEST(cold_start_n3) { cold_start(_metadata, 3); }
TEST(cold_start_n5) { cold_start(_metadata, 5); }
TEST(cold_start_n7) { cold_start(_metadata, 7); }

/* The leader dies and every node notices at once: n - 1 concurrent
 * initiators. Each live node holds one election: ELECTION to every
 * higher id, the dead one included: n(n-1)/2; OK from every live higher
 * node: (n-1)(n-2)/2; the new leader n - 2 wins after answer_ms and
 * tells the n - 2 others: n^2 - n - 1 in all. */
static void leader_killed(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n, t0;

	cold(_metadata, s, n);
	es_mark(s);
	t0 = es_now(s);
	es_crash(s, n - 1);
	es_detect_all(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_ELECTION));
	EXPECT_EQ((N - 1) * (N - 2) / 2, es_sent(s, EL_OK));
	EXPECT_EQ(N - 2, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(N * N - N - 1, es_sent(s, 0));
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(N - 1, es_elections(s));
	/* converged: answer_ms, then one message */
	EXPECT_EQ(t0 + ANSWER + DELAY, es_last_change(s));
	EXPECT_EQ(2, el_leader_term(es_node(s, 0)));
	es_free(s);
}

TEST(leader_killed_everyone_notices_n3) { leader_killed(_metadata, 3); }
TEST(leader_killed_everyone_notices_n5) { leader_killed(_metadata, 5); }
TEST(leader_killed_everyone_notices_n7) { leader_killed(_metadata, 7); }

/* Only the highest live node notices: one ELECTION (to the dead leader)
 * and n - 2 COORDINATOR: n - 1, the best case. The others' detectors
 * fire later and change nothing. */
static void best_case(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n;

	cold(_metadata, s, n);
	es_mark(s);
	es_crash(s, n - 1);
	es_detect(s, n - 2, n - 1);
	es_settle(s, 10000);
	es_detect_all(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(1, es_sent(s, EL_ELECTION));
	EXPECT_EQ(0, es_sent(s, EL_OK));
	EXPECT_EQ(N - 1, es_sent(s, 0));
	EXPECT_EQ(1, es_done(s));
	es_free(s);
}

TEST(best_case_n3) { best_case(_metadata, 3); }
TEST(best_case_n5) { best_case(_metadata, 5); }
TEST(best_case_n7) { best_case(_metadata, 7); }

/* Only the lowest notices: it sends n - 1 ELECTION, every live higher
 * node answers and holds its own election: n(n-1)/2 ELECTION,
 * (n-1)(n-2)/2 OK, and the winner, whose detector has not fired yet,
 * sends COORDINATOR to the n - 2 live nodes and to the dead leader:
 * n^2 - n in all. */
static void worst_case(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n;

	cold(_metadata, s, n);
	es_mark(s);
	es_crash(s, n - 1);
	es_detect(s, 0, n - 1);
	es_settle(s, 10000);
	es_detect_all(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_ELECTION));
	EXPECT_EQ((N - 1) * (N - 2) / 2, es_sent(s, EL_OK));
	EXPECT_EQ(N - 1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(N * N - N, es_sent(s, 0));
	EXPECT_EQ(1, es_done(s));
	es_free(s);
}

TEST(worst_case_lowest_notices_n3) { worst_case(_metadata, 3); }
TEST(worst_case_lowest_notices_n5) { worst_case(_metadata, 5); }
TEST(worst_case_lowest_notices_n7) { worst_case(_metadata, 7); }

/* Every node live, the lowest holds an election: the notes' worst case,
 * exactly n^2 - 1 (n(n-1)/2 ELECTION, as many OK, n - 1 COORDINATOR).
 * Every node takes over (the sender accepts the same leader: it is not
 * behind); the leader answers each ELECTION with OK and its COORDINATOR
 * of term 1, which ends the elections: the leader and its term stay, no
 * new winner (no operation-done mark). */
static void lowest_elects(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n;

	cold(_metadata, s, n);
	es_mark(s);
	ASSERT_EQ(0, el_elect(es_node(s, 0)));
	ASSERT_EQ(-EALREADY, el_elect(es_node(s, 0)));
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_OK));
	EXPECT_EQ(N - 1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(N * N - 1, es_sent(s, 0));
	EXPECT_EQ(1, el_leader_term(es_node(s, 0)));
	EXPECT_EQ(0, es_done(s));
	EXPECT_EQ(N - 1, es_elections(s));
	es_free(s);
}

TEST(lowest_elects_all_live_n3) { lowest_elects(_metadata, 3); }
TEST(lowest_elects_all_live_n5) { lowest_elects(_metadata, 5); }
TEST(lowest_elects_all_live_n7) { lowest_elects(_metadata, 7); }

/* The leader n-1 dies, only node 0 notices; 15 ms later, while the
 * others hold their elections, node 0 (the initiator) and n - 2 (the
 * would-be winner) die too; the detectors report all three at 40 ms.
 * n - 3 wins at 60 ms (its answer_ms ran out): n-1 + n-2 + (n-2)(n-1)/2
 * ELECTION/OK of the first round, (n-3)(n-4)/2 OK among the survivors,
 * n - 4 COORDINATOR. */
static void several_killed(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n, t0;
	uint32_t i;

	cold(_metadata, s, n);
	es_mark(s);
	t0 = es_now(s);
	es_crash(s, n - 1);
	es_detect(s, 0, n - 1);
	es_run_until(s, t0 + 15);
	es_crash(s, 0);
	es_crash(s, n - 2);
	es_run_until(s, t0 + 40);
	for (i = 0; i < n; i++)
		if (!es_alive(s, i))
			es_detect_all(s, i);
	es_settle(s, 10000);
	ASSERT_EQ(n - 3, es_highest(s));
	ASSERT_TRUE(es_agree(s, n - 3));
	EXPECT_EQ((N - 1) + (N - 2) + (N - 2) * (N - 1) / 2 + (N - 3) * (N - 4) / 2 + (N - 4),
		  es_sent(s, 0));
	EXPECT_EQ(N - 4, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(t0 + DELAY + ANSWER + DELAY, es_last_change(s));
	/* within the notes' bounds */
	EXPECT_LE(N - 1, es_sent(s, 0));
	EXPECT_GE(N * N - 1, es_sent(s, 0));
	es_free(s);
}

TEST(several_killed_with_initiator_n5) { several_killed(_metadata, 5); }
TEST(several_killed_with_initiator_n7) { several_killed(_metadata, 7); }

/* The highest id restarts while n - 2 leads: it learns the term from
 * its peers, holds an election with nobody above it and bullies its
 * way back: n - 1 COORDINATOR, nothing else. */
static void restart_highest(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n, t0;

	cold(_metadata, s, n);
	es_crash(s, n - 1);
	es_detect_all(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	es_mark(s);
	t0 = es_now(s);
	es_restart(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(0, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N - 1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(N - 1, es_sent(s, 0));
	EXPECT_EQ(3, el_leader_term(es_node(s, 0)));
	EXPECT_EQ(t0 + DELAY, es_last_change(s));
	/* a lower node restarting accepts the leader: no message */
	es_mark(s);
	es_crash(s, 0);
	es_detect_all(s, 0);
	es_restart(s, 0);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(0, es_sent(s, 0));
	es_free(s);
}

TEST(restart_highest_bullies_n3) { restart_highest(_metadata, 3); }
TEST(restart_highest_bullies_n5) { restart_highest(_metadata, 5); }
TEST(restart_highest_bullies_n7) { restart_highest(_metadata, 7); }

/* {0 1 2} | {3 4}: the majority side loses its leader 4 and elects 2;
 * the minority keeps 4: two leaders (bully is not partition safe). After
 * the heal, leader 2 sees 4 lead in a heartbeat and holds an election:
 * ELECTION to 3 and 4, both OK, 3 holds one (ELECTION to 4), 4 holds one
 * and wins at once (COORDINATOR to 4 nodes), then answers 3's ELECTION
 * with OK: 10 messages, one leader, 4. */
TEST(partition_then_heal_n5)
{
	struct es *s = bully(5);
	uint32_t i;

	cold(_metadata, s, 5);
	es_partition(s, 0x07);
	es_settle(s, 10000);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(2, el_leader(es_node(s, i)));
	for (i = 3; i < 5; i++)
		EXPECT_EQ(4, el_leader(es_node(s, i)));
	es_heal(s);
	es_settle(s, 10000);
	/* nothing happens until a heartbeat tells */
	EXPECT_EQ(2, el_leader(es_node(s, 0)));
	es_mark(s);
	es_views(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 4));
	EXPECT_EQ(3, es_sent(s, EL_ELECTION));
	EXPECT_EQ(3, es_sent(s, EL_OK));
	EXPECT_EQ(4, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(1, es_done(s));
	/* a second heartbeat round changes nothing */
	es_mark(s);
	es_views(s);
	es_settle(s, 10000);
	EXPECT_EQ(0, es_sent(s, 0));
	es_free(s);
}

/* The heal as the nodes see it: the links work again, node 2 (the
 * majority's leader) hears 3 and 4 and sees 4 lead; 3 and 4 hear 2 (its
 * ELECTION is proof of life: the daemon's runtime marks a sender alive)
 * but not 0 and 1 yet. 4 wins and announces to 2 and 3 only: 0 and 1
 * are not told and still accept 2, which no longer leads. Their next
 * heartbeat round shows them 4 accepted with a newer term: they accept it
 * from the views, with no message and no timeout. ELECTION 2 -> 3, 4 and
 * 3 -> 4, OK back, COORDINATOR 4 -> 2, 3: 8 messages. */
TEST(heal_untold_nodes_follow_the_views_n5)
{
	struct es *s = bully(5);
	uint32_t i;

	cold(_metadata, s, 5);
	es_partition(s, 0x07);
	es_settle(s, 10000);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(2, el_leader(es_node(s, i)));
	es_mark(s);
	es_reconnect(s);
	es_detect_up(s, 2, 3);
	es_detect_up(s, 2, 4);
	es_detect_up(s, 3, 2);
	es_detect_up(s, 4, 2);
	es_views(s);
	es_run_until(s, es_now(s) + 3 * DELAY);
	EXPECT_EQ(4, el_leader(es_node(s, 2)));
	EXPECT_EQ(2, el_leader(es_node(s, 0)));	/* not told */
	EXPECT_EQ(2, el_leader(es_node(s, 1)));
	es_heal(s);
	es_views(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 4));
	EXPECT_EQ(el_leader_term(es_node(s, 4)), el_leader_term(es_node(s, 0)));
	EXPECT_EQ(3, es_sent(s, EL_ELECTION));
	EXPECT_EQ(3, es_sent(s, EL_OK));
	EXPECT_EQ(2, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(1, es_done(s));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, el_stats(es_node(s, i))->timeouts);
	EXPECT_EQ(1, el_stats(es_node(s, 0))->adopted);
	EXPECT_EQ(1, el_stats(es_node(s, 1))->adopted);
	EXPECT_EQ(0, el_stats(es_node(s, 2))->adopted);	/* told */
	es_free(s);
}

/* Stale and malformed input. */
TEST(stale_and_malformed_n5)
{
	struct es *s = bully(5);
	struct el_msg m = { 0 };
	struct el_node *nd;

	cold(_metadata, s, 5);
	es_crash(s, 4);
	es_detect_all(s, 4);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	nd = es_node(s, 0);
	ASSERT_EQ(2, el_leader_term(nd));
	es_mark(s);
	/* a COORDINATOR of the older term 1 (4 led then) */
	m.type = EL_COORDINATOR;
	m.from = 4;
	m.leader = 4;
	m.term = 1;
	EXPECT_EQ(EL_IGNORED, es_inject(s, 0, &m));
	EXPECT_EQ(3, el_leader(nd));
	EXPECT_EQ(1, el_stats(nd)->stale);
	/* the same term, a lower leader */
	m.from = 1;
	m.leader = 1;
	m.term = 2;
	EXPECT_EQ(EL_IGNORED, es_inject(s, 0, &m));
	EXPECT_EQ(2, el_stats(nd)->stale);
	EXPECT_EQ(2, es_stale(s));
	/* the current one again: a duplicate, not stale */
	m.from = 3;
	m.leader = 3;
	EXPECT_EQ(EL_IGNORED, es_inject(s, 0, &m));
	EXPECT_EQ(2, el_stats(nd)->stale);
	/* malformed: leader is not the sender, term 0, bad ids, OK from
	 * below, ELECTION from above, unknown type */
	m.leader = 2;
	EXPECT_EQ(-EINVAL, es_inject(s, 0, &m));
	m.leader = 3;
	m.term = 0;
	EXPECT_EQ(-EINVAL, es_inject(s, 0, &m));
	m.term = 9;
	m.from = 5;
	EXPECT_EQ(-EINVAL, es_inject(s, 0, &m));
	m.from = 0;
	EXPECT_EQ(-EINVAL, es_inject(s, 0, &m));
	m.from = 0;
	m.type = EL_OK;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	m.from = 2;
	m.type = EL_ELECTION;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	m.type = 4;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	EXPECT_EQ(4, el_stats(nd)->invalid);
	EXPECT_EQ(3, el_stats(es_node(s, 1))->invalid);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	EXPECT_EQ(0, es_sent(s, 0));
	/* a newer COORDINATOR of a lower id makes 3 bully it */
	es_mark(s);
	m.type = EL_COORDINATOR;
	m.from = 1;
	m.leader = 1;
	m.term = 7;
	EXPECT_EQ(0, es_inject(s, 3, &m));
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	EXPECT_EQ(8, el_leader_term(nd));
	EXPECT_EQ(3, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(1, es_sent(s, EL_ELECTION));	/* to the dead 4 */
	es_free(s);
}

/* The winner believed node 0 down when it announced; node 0 then holds
 * an election: it is behind (it accepts no leader), so node 1, which
 * accepts the live leader 2 above itself, answers OK without taking over,
 * and the leader answers OK and, since its COORDINATOR did not go to 0,
 * sends it one now: node 0 agrees without waiting for coord_ms, and every
 * node keeps term 1. */
TEST(late_starter_told_n3)
{
	struct es *s = bully(3);

	es_detect(s, 2, 0);
	es_detect(s, 1, 0);
	es_start(s, 2);
	es_start(s, 1);
	es_settle(s, 10000);
	EXPECT_EQ(2, el_leader(es_node(s, 1)));
	EXPECT_EQ(1, es_sent(s, EL_COORDINATOR));	/* to 1 only */
	es_mark(s);
	es_start(s, 0);
	es_run_until(s, es_now(s) + 2 * DELAY);
	EXPECT_EQ(2, el_leader(es_node(s, 0)));
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 2));
	EXPECT_EQ(0, el_stats(es_node(s, 0))->timeouts);
	/* ELECTION 0 -> 1, 2; OK 1 -> 0, 2 -> 0; COORDINATOR 2 -> 0 */
	EXPECT_EQ(2, es_sent(s, EL_ELECTION));
	EXPECT_EQ(2, es_sent(s, EL_OK));
	EXPECT_EQ(1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(1, es_elections(s));
	EXPECT_EQ(0, es_done(s));
	EXPECT_EQ(1, el_leader_term(es_node(s, 0)));
	EXPECT_EQ(1, el_leader_term(es_node(s, 1)));
	EXPECT_EQ(1, el_leader_term(es_node(s, 2)));
	es_free(s);
}

/*
 * The daemon's cold-start race: node 0 joins on the winner's COORDINATOR
 * (the first election message ends its join), before any heartbeat
 * showed it a leader, so it starts leaderless and holds an election; the
 * COORDINATOR is handled right after. Every other node already accepts
 * n-1. Node 0 is behind: nobody takes over, the leader's COORDINATOR was
 * on its way (node 0 was a member when it announced, and node 0's term is
 * not above the leader's), so nothing more is sent: n-1 ELECTION, n-1 OK,
 * the same as if node 0 had started with the others (a cold start stays
 * within n^2 - 1), one winner, term 1 everywhere. Before the ELECTION
 * carried what its sender accepts, the nodes between took over with a
 * newer term and the leader won again: two winners, 12 messages at n = 3.
 */
static void joined_on_coordinator(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	struct el_msg m = { 0 };
	uint64_t N = n;
	uint32_t i;

	for (i = 1; i < n; i++)
		es_start(s, i);
	es_settle(s, 10000);
	ASSERT_TRUE(el_leader(es_node(s, 1)) == n - 1);
	EXPECT_EQ(1, es_done(s));
	/* the concurrent election of nodes 1..n-1 */
	EXPECT_EQ((N - 1) * (N - 2) / 2 + (N - 1) * (N - 2) / 2 + (N - 1),
		  es_sent(s, 0));
	es_mark(s);
	es_start(s, 0);
	m.type = EL_COORDINATOR;
	m.flags = EL_F_DONE;
	m.from = n - 1;
	m.leader = n - 1;
	m.term = 1;
	EXPECT_EQ(0, es_inject(s, 0, &m));
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(N - 1, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N - 1, es_sent(s, EL_OK));
	EXPECT_EQ(0, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(0, es_done(s));
	EXPECT_EQ(1, es_elections(s));
	for (i = 0; i < n; i++)
		EXPECT_EQ(1, el_leader_term(es_node(s, i)));
	EXPECT_EQ(0, el_stats(es_node(s, 0))->timeouts);
	es_free(s);
}

TEST(joined_on_coordinator_n3) { joined_on_coordinator(_metadata, 3); }
TEST(joined_on_coordinator_n5) { joined_on_coordinator(_metadata, 5); }
TEST(joined_on_coordinator_n7) { joined_on_coordinator(_metadata, 7); }

/*
 * As above, but the COORDINATOR to node 0 was lost (UDP): node 0 gets
 * every OK, waits coord_ms, and holds a second election, now of a term
 * above the leader's (the OKs raised its term); the leader tells it this
 * time. One COORDINATOR more, no new winner, term 1 everywhere.
 */
static void coordinator_lost(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n;
	uint32_t i;

	for (i = 1; i < n; i++)
		es_start(s, i);
	es_settle(s, 10000);
	es_mark(s);
	es_start(s, 0);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(1, el_stats(es_node(s, 0))->timeouts);
	EXPECT_EQ(2, es_elections(s));
	EXPECT_EQ(2 * (N - 1), es_sent(s, EL_ELECTION));
	EXPECT_EQ(2 * (N - 1), es_sent(s, EL_OK));
	EXPECT_EQ(1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(0, es_done(s));
	for (i = 0; i < n; i++)
		EXPECT_EQ(1, el_leader_term(es_node(s, i)));
	es_free(s);
}

TEST(coordinator_lost_n3) { coordinator_lost(_metadata, 3); }
TEST(coordinator_lost_n7) { coordinator_lost(_metadata, 7); }

/*
 * Node 0 suspects the live leader (a false suspicion) and holds an
 * election: it lost the leader (same term, none accepted), so it is not
 * behind and every node above takes over, as the notes say; the leader
 * answers every ELECTION with OK and its COORDINATOR of term 1: n^2 - 1
 * messages, as many as the notes' worst case, and no new term.
 */
static void false_suspicion(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = bully(n);
	uint64_t N = n;

	cold(_metadata, s, n);
	es_mark(s);
	es_detect(s, 0, n - 1);
	es_settle(s, 10000);
	es_detect_up(s, 0, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N * (N - 1) / 2, es_sent(s, EL_OK));
	EXPECT_EQ(N - 1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(0, es_done(s));
	EXPECT_EQ(1, el_leader_term(es_node(s, 0)));
	es_free(s);
}

TEST(false_suspicion_n3) { false_suspicion(_metadata, 3); }
TEST(false_suspicion_n7) { false_suspicion(_metadata, 7); }

TEST(config_errors)
{
	struct el_ops ops = { 0 };
	struct el_cfg c = { .n = 3, .self = 0, .leader = EL_NONE };

	EXPECT_EQ(NULL, el_new(&el_bully_algo, &c, &ops, NULL));
	EXPECT_EQ(&el_bully_algo, el_algo_find("bully"));
	EXPECT_EQ(&el_ring_algo, el_algo_find("ring"));
	EXPECT_EQ(NULL, el_algo_find("raft"));
	EXPECT_STREQ("COORDINATOR", el_type_name(EL_COORDINATOR));
	EXPECT_STREQ("?", el_type_name(0));
}

TEST_HARNESS_MAIN
