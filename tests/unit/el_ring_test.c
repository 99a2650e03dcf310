// SPDX-License-Identifier: GPL-2.0
/*
 * The ring algorithm (user/ordo-electd/el_ring.c) in the election
 * simulator (el_sim.c), N = 3, 5, 7, every message taking 10 ms,
 * coord_ms 200, stagger_ms 30: exactly one leader, the highest live id,
 * after a cold start (2N messages: one ELECTION and one COORDINATOR
 * circulation), the leader killed (2(N-1)), concurrent initiators (each
 * circulates: 2N per initiator, one result), the initiator killed
 * mid-election (the node before it finishes the election), several
 * killed, an ELECTION sent to a dead member before it was suspected (the
 * sender skips it when it is), the highest id restarted (it waits for the next election,
 * which it wins), a partition and its heal; stale and malformed input.
 */
#include "../kselftest_harness.h"
#include "el_sim.h"

#define DELAY	10
#define COORD	200
#define STAGGER	30

static struct es *ring(uint32_t n, uint32_t stagger)
{
	struct es_cfg c = {
		.algo = &el_ring_algo, .n = n, .delay = DELAY,
		.coord_ms = COORD, .stagger_ms = stagger,
	};

	return es_new(&c);
}

/* Cold start: node 0 (the successor of the highest id) starts, the
 * others wait (k - 1) * stagger_ms and are reached first: one ELECTION
 * circulation, one COORDINATOR circulation, 2N messages, 2N delays. */
static void cold(struct __test_metadata *_metadata, struct es *s, uint32_t n)
{
	uint64_t N = n;

	es_start_all(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(N, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(0, es_sent(s, EL_OK));
	EXPECT_EQ(2 * N, es_sent(s, 0));
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(1, es_elections(s));
	/* the last node hears the COORDINATOR after 2N - 1 delays */
	EXPECT_EQ((2 * N - 1) * DELAY, es_last_change(s));
	EXPECT_EQ(el_live(es_node(s, 0)), el_members(es_node(s, 1)));
}

static void cold_start(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = ring(n, STAGGER);

	cold(_metadata, s, n);
	es_free(s);
}

TEST(cold_start_n3) { cold_start(_metadata, 3); }
TEST(cold_start_n5) { cold_start(_metadata, 5); }
TEST(cold_start_n7) { cold_start(_metadata, 7); }

/* The leader dies, everyone notices: its successor (node 0) starts at
 * once, the others are reached before their stagger runs out: 2(N-1)
 * messages over the N-1 live nodes; the ring no longer has n - 1. */
static void leader_killed(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = ring(n, STAGGER);
	uint64_t N = n, t0;

	cold(_metadata, s, n);
	es_mark(s);
	t0 = es_now(s);
	es_crash(s, n - 1);
	es_detect_all(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(N - 1, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N - 1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(2 * (N - 1), es_sent(s, 0));
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(1, es_elections(s));
	EXPECT_EQ(t0 + (2 * (N - 1) - 1) * DELAY, es_last_change(s));
	EXPECT_EQ(el_live(es_node(s, 0)), el_members(es_node(s, 0)));
	EXPECT_EQ(0, el_members(es_node(s, 0)) & (1ULL << (n - 1)));
	es_free(s);
}

TEST(leader_killed_n3) { leader_killed(_metadata, 3); }
TEST(leader_killed_n5) { leader_killed(_metadata, 5); }
TEST(leader_killed_n7) { leader_killed(_metadata, 7); }

/* No stagger: every node starts at once (cold start), N concurrent
 * initiators of the same term. Every ELECTION goes around (N^2), every
 * initiator turns its own into a COORDINATOR naming the same leader,
 * which goes around too (N^2): 2N per initiator, one result. */
static void concurrent(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = ring(n, 0);
	uint64_t N = n;

	es_start_all(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(N * N, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N * N, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(N, es_done(s));
	EXPECT_EQ(N, es_elections(s));
	EXPECT_EQ(2 * N * es_elections(s), es_sent(s, 0));
	/* and again after the leader dies: N - 1 initiators, 2(N-1) each */
	es_mark(s);
	es_crash(s, n - 1);
	es_detect_all(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(N - 1, es_elections(s));
	EXPECT_EQ(2 * (N - 1) * (N - 1), es_sent(s, 0));
	es_free(s);
}

TEST(concurrent_initiators_n3) { concurrent(_metadata, 3); }
TEST(concurrent_initiators_n5) { concurrent(_metadata, 5); }
TEST(concurrent_initiators_n7) { concurrent(_metadata, 7); }

/* The leader n-1 dies; node 0 starts the election and dies 5 ms later;
 * everyone's detector reports 0 at 25 ms, before its ELECTION reaches
 * n - 2 (at 10(n-2) ms, n >= 5). n - 2's next hop (node 1) would pass
 * the dead initiator: n - 2 finishes the election without it (a
 * takeover) and announces itself: ELECTION n-2 hops, COORDINATOR
 * n-2 hops. */
static void initiator_killed(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = ring(n, STAGGER);
	uint64_t N = n, t0;
	uint32_t i, takeovers = 0;

	cold(_metadata, s, n);
	es_mark(s);
	t0 = es_now(s);
	es_crash(s, n - 1);
	es_detect_all(s, n - 1);
	es_run_until(s, t0 + 5);
	es_crash(s, 0);
	es_run_until(s, t0 + 25);
	es_detect_all(s, 0);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(N - 2, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N - 2, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(2 * (N - 2), es_sent(s, 0));
	for (i = 0; i < n; i++)
		takeovers += (uint32_t)el_stats(es_node(s, i))->takeovers;
	EXPECT_EQ(1, takeovers);
	EXPECT_EQ(1, el_stats(es_node(s, n - 2))->takeovers);
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(t0 + (2 * (N - 2) - 1) * DELAY, es_last_change(s));
	es_free(s);
}

TEST(initiator_killed_takeover_n5) { initiator_killed(_metadata, 5); }
TEST(initiator_killed_takeover_n7) { initiator_killed(_metadata, 7); }

/* N = 5 after a cold start: the leader 4 dies and everyone notices at
 * once; returns that time. */
static uint64_t leader4_killed(struct __test_metadata *_metadata, struct es *s)
{
	uint64_t t0;

	cold(_metadata, s, 5);
	es_mark(s);
	t0 = es_now(s);
	es_crash(s, 4);
	es_detect_all(s, 4);
	return t0;
}

/* N = 5: the leader 4 dies, node 0 starts and dies, node 2 dies too,
 * both after node 1 forwarded the ELECTION to 2 and before anyone
 * noticed (the message is lost). At 15 ms node 1's detector reports 2:
 * node 1 skips it, sending the ELECTION on to 3 (at 25 ms, before 3's
 * stagger of 90 ms runs out), whose next hop (1) would pass the dead
 * initiator: 3 finishes the election for it and announces: 3 ELECTION
 * (one lost), 2 COORDINATOR, one election. */
TEST(several_killed_n5)
{
	struct es *s = ring(5, STAGGER);
	uint64_t t0;

	t0 = leader4_killed(_metadata, s);
	es_run_until(s, t0 + 15);
	es_crash(s, 0);
	es_crash(s, 2);
	es_detect_all(s, 0);
	es_detect_all(s, 2);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	EXPECT_EQ(3, es_sent(s, EL_ELECTION));
	EXPECT_EQ(2, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(1, es_elections(s));
	EXPECT_EQ(1, el_stats(es_node(s, 1))->skips);
	EXPECT_EQ(1, el_stats(es_node(s, 3))->takeovers);
	EXPECT_EQ(t0 + 15 + 2 * DELAY, es_last_change(s));
	EXPECT_EQ((1ULL << 1) | (1ULL << 3), el_members(es_node(s, 1)));
	es_free(s);
}

/* The same losses, but node 1 notices 2 only at 200 ms: node 3's
 * stagger runs out at 90 ms and it starts over (3 -> 1); node 1 sends
 * that ELECTION to 2 as well (lost), and at 200 ms skips 2 for both: its
 * forward goes on to 3, home: 3 announces (3 -> 1 -> 3). 5 ELECTION (two
 * lost), 2 COORDINATOR, two elections, one skip. */
TEST(several_killed_late_detector_n5)
{
	struct es *s = ring(5, STAGGER);
	uint64_t t0;
	uint32_t i;

	t0 = leader4_killed(_metadata, s);
	es_run_until(s, t0 + 15);
	es_crash(s, 0);
	es_crash(s, 2);
	for (i = 1; i < 4; i += 2) {
		es_detect(s, i, 0);
		if (i != 1)
			es_detect(s, i, 2);
	}
	es_run_until(s, t0 + 200);
	ASSERT_EQ(EL_WAIT_COORD, el_phase(es_node(s, 1)));
	EXPECT_EQ(EL_INITIATED, el_phase(es_node(s, 3)));
	es_detect(s, 1, 2);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	EXPECT_EQ(5, es_sent(s, EL_ELECTION));
	EXPECT_EQ(2, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(2, es_elections(s));
	EXPECT_EQ(1, el_stats(es_node(s, 1))->skips);
	EXPECT_EQ(0, el_stats(es_node(s, 3))->timeouts);
	EXPECT_EQ(t0 + 200 + 2 * DELAY, es_last_change(s));
	es_free(s);
}

/* N = 5: the leader 4 dies; node 0 starts the election and its
 * successor 1 dies with the ELECTION in flight. At 15 ms node 0's
 * detector reports 1: node 0 sends its ELECTION again, to 2 (before 2's
 * stagger of 60 ms runs out): 0 -> 2 -> 3 -> 0, then the COORDINATOR
 * (leader 3) 0 -> 2 -> 3 -> 0: 4 ELECTION (one lost), 3 COORDINATOR,
 * one election, one skip. */
TEST(successor_killed_n5)
{
	struct es *s = ring(5, STAGGER);
	uint64_t t0;

	t0 = leader4_killed(_metadata, s);
	es_run_until(s, t0 + 5);
	es_crash(s, 1);
	es_run_until(s, t0 + 15);
	ASSERT_EQ(EL_INITIATED, el_phase(es_node(s, 0)));
	es_detect(s, 0, 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	EXPECT_EQ(4, es_sent(s, EL_ELECTION));
	EXPECT_EQ(3, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(1, es_elections(s));
	EXPECT_EQ(1, el_stats(es_node(s, 0))->skips);
	EXPECT_EQ(0, el_stats(es_node(s, 0))->timeouts);
	EXPECT_EQ((1ULL << 0) | (1ULL << 2) | (1ULL << 3), el_members(es_node(s, 2)));
	EXPECT_EQ(t0 + 15 + 5 * DELAY, es_last_change(s));
	es_free(s);
}

/* The leader dies and node n-2, the one before it, has not suspected it
 * yet when node 0's ELECTION reaches it: it forwards it to the dead
 * leader (lost). 5 ms later its detector reports the leader: it sends
 * the ELECTION on to node 0, the initiator, instead of every node
 * waiting coord_ms and starting over: one election, 2(N-1) + 1
 * messages, one skip. */
static void late_detector(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = ring(n, STAGGER);
	uint64_t N = n, t0;
	uint32_t i;

	cold(_metadata, s, n);
	es_mark(s);
	t0 = es_now(s);
	es_crash(s, n - 1);
	for (i = 0; i < n - 2; i++)
		es_detect(s, i, n - 1);
	es_run_until(s, t0 + (n - 2) * DELAY + 5);
	ASSERT_EQ(EL_WAIT_COORD, el_phase(es_node(s, n - 2)));
	es_detect(s, n - 2, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(N, es_sent(s, EL_ELECTION));
	EXPECT_EQ(N - 1, es_sent(s, EL_COORDINATOR));
	EXPECT_EQ(2 * (N - 1) + 1, es_sent(s, 0));
	EXPECT_EQ(1, es_elections(s));
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(1, el_stats(es_node(s, n - 2))->skips);
	for (i = 0; i < n - 1; i++)
		EXPECT_EQ(0, el_stats(es_node(s, i))->timeouts);
	/* the COORDINATOR leaves node 0 when the skipped ELECTION is back */
	EXPECT_EQ(t0 + (n - 2) * DELAY + 5 + DELAY + (N - 2) * DELAY, es_last_change(s));
	es_free(s);
}

TEST(leader_killed_late_detector_n3) { late_detector(_metadata, 3); }
TEST(leader_killed_late_detector_n5) { late_detector(_metadata, 5); }
TEST(leader_killed_late_detector_n7) { late_detector(_metadata, 7); }

/* The highest id restarts while n - 2 leads: it accepts n - 2 (no
 * message); the next election (node 0 holds one) makes it the leader:
 * 2N messages. */
static void restart_highest(struct __test_metadata *_metadata, uint32_t n)
{
	struct es *s = ring(n, STAGGER);
	uint64_t N = n;

	cold(_metadata, s, n);
	es_crash(s, n - 1);
	es_detect_all(s, n - 1);
	es_settle(s, 10000);
	es_mark(s);
	es_restart(s, n - 1);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(0, es_sent(s, 0));
	es_views(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 2));
	EXPECT_EQ(0, es_sent(s, 0));
	ASSERT_EQ(0, el_elect(es_node(s, 0)));
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, n - 1));
	EXPECT_EQ(2 * N, es_sent(s, 0));
	EXPECT_EQ(3, el_leader_term(es_node(s, 0)));
	es_free(s);
}

TEST(restart_highest_waits_n3) { restart_highest(_metadata, 3); }
TEST(restart_highest_waits_n5) { restart_highest(_metadata, 5); }
TEST(restart_highest_waits_n7) { restart_highest(_metadata, 7); }

/* {0 1 2} | {3 4}: the majority side elects 2 (0 starts: 3 + 3
 * messages), the minority keeps 4: two leaders. After the heal, 2 sees
 * that 4 leads in a heartbeat and holds an election around the whole
 * ring: 2N = 10 messages, one leader, 4. */
TEST(partition_then_heal_n5)
{
	struct es *s = ring(5, STAGGER);
	uint32_t i;

	cold(_metadata, s, 5);
	es_mark(s);
	es_partition(s, 0x07);
	es_settle(s, 10000);
	EXPECT_EQ(6, es_sent(s, 0));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(2, el_leader(es_node(s, i)));
	for (i = 3; i < 5; i++)
		EXPECT_EQ(4, el_leader(es_node(s, i)));
	es_heal(s);
	es_settle(s, 10000);
	EXPECT_EQ(2, el_leader(es_node(s, 0)));
	es_mark(s);
	es_views(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 4));
	EXPECT_EQ(10, es_sent(s, 0));
	EXPECT_EQ(1, es_done(s));
	EXPECT_EQ(0x1fULL, el_members(es_node(s, 0)));
	es_free(s);
}

/* The heal as the nodes see it: node 2 (the majority's leader) hears 3
 * and 4 and sees 4 lead; 3 and 4 hear 2 but not 0 and 1 yet. 2's
 * ELECTION goes 2 -> 3 -> 4 -> 2 (4 skips 0 and 1, down for it), its
 * COORDINATOR the same way: 0 and 1 are not told and still accept 2.
 * Their next heartbeats show them 4 accepted with a newer term: they
 * accept it from the views. 6 messages, nobody times out. */
TEST(heal_untold_nodes_follow_the_views_n5)
{
	struct es *s = ring(5, STAGGER);
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
	es_settle(s, 10000);
	EXPECT_EQ(4, el_leader(es_node(s, 2)));
	EXPECT_EQ(2, el_leader(es_node(s, 0)));	/* not told */
	EXPECT_EQ(2, el_leader(es_node(s, 1)));
	EXPECT_EQ(3, es_sent(s, EL_ELECTION));
	EXPECT_EQ(3, es_sent(s, EL_COORDINATOR));
	es_heal(s);
	es_views(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 4));
	EXPECT_EQ(el_leader_term(es_node(s, 4)), el_leader_term(es_node(s, 0)));
	EXPECT_EQ(6, es_sent(s, 0));
	EXPECT_EQ(1, es_done(s));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, el_stats(es_node(s, i))->timeouts);
	EXPECT_EQ(1, el_stats(es_node(s, 0))->adopted);
	EXPECT_EQ(1, el_stats(es_node(s, 1))->adopted);
	es_free(s);
}

/* The same, but the minority side held three more elections meanwhile
 * (terms 2, 3, 4 with leader 4) while the majority is at term 2: the
 * healing election's ELECTION (term 3) collects top = 4 on its way, the
 * COORDINATOR carries term 4, which no member finds stale: 10 messages,
 * leader 4, nothing dropped. */
TEST(partition_heal_higher_term_minority_n5)
{
	struct es *s = ring(5, STAGGER);
	uint32_t k;

	cold(_metadata, s, 5);
	es_partition(s, 0x07);
	es_settle(s, 10000);
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(0, el_elect(es_node(s, 3)));
		es_settle(s, 10000);
	}
	EXPECT_EQ(4, el_leader_term(es_node(s, 3)));
	EXPECT_EQ(2, el_leader_term(es_node(s, 0)));
	es_heal(s);
	es_mark(s);
	es_views(s);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 4));
	EXPECT_EQ(10, es_sent(s, 0));
	EXPECT_EQ(0, es_stale(s));
	for (k = 0; k < 5; k++)
		EXPECT_EQ(4, el_leader_term(es_node(s, k)));
	es_free(s);
}

/* Stale COORDINATOR (older term) ignored and not forwarded; malformed
 * messages rejected. */
TEST(stale_and_malformed_n5)
{
	struct es *s = ring(5, STAGGER);
	struct el_msg m = { 0 };
	struct el_node *nd;
	uint32_t i;

	cold(_metadata, s, 5);
	es_crash(s, 4);
	es_detect_all(s, 4);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	nd = es_node(s, 1);
	ASSERT_EQ(2, el_leader_term(nd));
	es_mark(s);
	m.type = EL_COORDINATOR;
	m.from = 0;
	m.term = 1;
	m.initiator = 0;
	for (i = 0; i < 5; i++)
		m.list[m.n_list++] = i;
	m.leader = 4;
	EXPECT_EQ(EL_IGNORED, es_inject(s, 1, &m));
	EXPECT_EQ(1, el_stats(nd)->stale);
	EXPECT_EQ(3, el_leader(nd));
	es_settle(s, 10000);
	EXPECT_EQ(0, es_sent(s, 0));	/* not forwarded */
	/* malformed: leader not the highest of the list, an id twice,
	 * OK (bully only), an empty list, a list longer than n */
	m.term = 9;
	m.leader = 3;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	m.leader = 4;
	m.list[1] = 0;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	m.list[1] = 1;
	m.type = EL_OK;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	m.type = EL_ELECTION;
	m.n_list = 0;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	m.n_list = 6;
	EXPECT_EQ(-EINVAL, es_inject(s, 1, &m));
	m.n_list = 2;
	m.initiator = 1;	/* list[0] is not the initiator */
	EXPECT_EQ(-EINVAL, es_inject(s, 2, &m));
	EXPECT_EQ(5, el_stats(nd)->invalid);
	es_settle(s, 10000);
	ASSERT_TRUE(es_agree(s, 3));
	EXPECT_EQ(0, es_sent(s, 0));
	es_free(s);
}

/* Alone: an election without messages. */
TEST(alone)
{
	struct es *s = ring(1, STAGGER);

	es_start_all(s);
	es_settle(s, 1000);
	ASSERT_TRUE(es_agree(s, 0));
	EXPECT_EQ(0, es_sent(s, 0));
	es_free(s);
}

TEST_HARNESS_MAIN
