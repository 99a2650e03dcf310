// SPDX-License-Identifier: GPL-2.0
/*
 * The mutual exclusion state machines of user/ordo-mutexd driven by hand, one
 * input at a time, every output checked: the API's argument checks, the
 * centralized failover (STATE rebuild, stale-epoch GRANT), the ring's
 * duplicate and generation checks and its probe, the Ricart-Agrawala
 * DENY rule and rejoin sync, Lamport's piggybacked requests and rejoin
 * sync, the voting coordinator, RETURN and backoff; and the history
 * checker of mx_sim.c on doctored histories.
 */
#include <errno.h>
#include <string.h>

#include "../kselftest_harness.h"
#include "mutex_algo.h"
#include "mx_sim.h"

struct rec {
	struct mx_msg out[256];
	uint32_t to[256];
	unsigned int n;
	uint32_t glock[64];
	uint64_t gtok[64];
	unsigned int ng;
	uint64_t now, timer, rnd;
	unsigned int timer_calls;
};

static void r_send(void *ctx, uint32_t to, const struct mx_msg *m)
{
	struct rec *r = ctx;

	if (r->n < 256) {
		r->out[r->n] = *m;
		r->to[r->n] = to;
	}
	r->n++;
}

static void r_granted(void *ctx, uint32_t lock, uint64_t token)
{
	struct rec *r = ctx;

	if (r->ng < 64) {
		r->glock[r->ng] = lock;
		r->gtok[r->ng] = token;
	}
	r->ng++;
}

static uint64_t r_now(void *ctx)
{
	return ((struct rec *)ctx)->now;
}

static uint64_t r_rand(void *ctx)
{
	return ((struct rec *)ctx)->rnd++;
}

static void r_timer(void *ctx, uint64_t delay)
{
	((struct rec *)ctx)->timer = delay;
	((struct rec *)ctx)->timer_calls++;
}

static const struct mx_ops ops = {
	.send = r_send, .granted = r_granted, .now_ms = r_now,
	.rand = r_rand, .set_timer = r_timer,
};

static struct mx_node *mk(const struct mx_algo *a, uint32_t n, uint32_t self,
			  uint32_t flags, struct rec *r)
{
	struct mx_cfg c = {
		.n = n, .self = self, .nlocks = 2, .flags = flags,
	};

	memset(r, 0, sizeof(*r));
	r->timer = MX_NO_TIMER;
	return mx_new(a, &c, &ops, r);
}

/* A message as a peer would send it. */
static struct mx_msg msg(uint16_t type, uint32_t from, uint32_t lock,
			 uint64_t ts, uint64_t req, uint64_t token, uint64_t gen,
			 uint64_t aux)
{
	struct mx_msg m = {
		.type = type, .from = from, .lock = lock, .ts = ts, .req = req,
		.token = token, .gen = gen, .aux = aux,
	};

	return m;
}

/* ------------------------------------------------------------ API */

TEST(api_arguments)
{
	static const char *const names[] = {
		"central", "ring", "ra", "lamport", "vote",
	};
	struct mx_cfg c = { .n = 3, .self = 0, .nlocks = 2 };
	struct mx_msg m;
	struct mx_node *nd;
	struct rec r;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		ASSERT_NE(NULL, mx_algo_find(names[i]));
		EXPECT_STREQ(names[i], mx_algo_find(names[i])->name);
	}
	EXPECT_EQ(NULL, mx_algo_find("bully"));
	EXPECT_EQ(NULL, mx_algo_find(NULL));
	EXPECT_STREQ("DENY", mx_type_name(&mx_ra_algo, MX_RA_DENY));
	EXPECT_STREQ("?", mx_type_name(&mx_ra_algo, 0));
	EXPECT_STREQ("?", mx_type_name(&mx_ra_algo, 5));
	EXPECT_EQ(MX_C_RELEASE, mx_central_algo.done_type);
	EXPECT_EQ(MX_R_TOKEN, mx_ring_algo.done_type);
	EXPECT_EQ(MX_RA_REQUEST, mx_ra_algo.done_type);
	EXPECT_EQ(MX_L_RELEASE, mx_lamport_algo.done_type);
	EXPECT_EQ(MX_V_RELEASE, mx_vote_algo.done_type);

	/* bad configurations */
	c.n = 0;
	errno = 0;
	EXPECT_EQ(NULL, mx_new(&mx_ra_algo, &c, &ops, &r));
	EXPECT_EQ(EINVAL, errno);
	c.n = MX_MAX_NODES + 1;
	EXPECT_EQ(NULL, mx_new(&mx_ra_algo, &c, &ops, &r));
	c.n = 3;
	c.self = 3;
	EXPECT_EQ(NULL, mx_new(&mx_ra_algo, &c, &ops, &r));
	c.self = 0;
	c.nlocks = 0;
	EXPECT_EQ(NULL, mx_new(&mx_ra_algo, &c, &ops, &r));
	c.nlocks = MX_MAX_LOCKS + 1;
	EXPECT_EQ(NULL, mx_new(&mx_ra_algo, &c, &ops, &r));
	c.nlocks = 2;
	c.quorum = 1;		/* not a majority of 3 */
	EXPECT_EQ(NULL, mx_new(&mx_vote_algo, &c, &ops, &r));
	c.quorum = 4;
	EXPECT_EQ(NULL, mx_new(&mx_vote_algo, &c, &ops, &r));
	c.quorum = 0;
	c.flags = 0x80;
	EXPECT_EQ(NULL, mx_new(&mx_ra_algo, &c, &ops, &r));
	c.flags = MX_CFG_REJOIN;	/* a restarted node is not coordinator */
	EXPECT_EQ(NULL, mx_new(&mx_central_algo, &c, &ops, &r));
	c.flags = 0;
	EXPECT_EQ(NULL, mx_new(&mx_ra_algo, &c, NULL, &r));

	nd = mk(&mx_ra_algo, 3, 0, 0, &r);
	ASSERT_NE(NULL, nd);
	EXPECT_EQ(-EINVAL, mx_acquire(nd, 2));
	EXPECT_EQ(-ENOLCK, mx_release(nd, 0));
	EXPECT_EQ(0, mx_acquire(nd, 0));
	EXPECT_EQ(-EBUSY, mx_acquire(nd, 0));
	EXPECT_EQ(MX_WAITING, mx_lock_state(nd, 0));
	EXPECT_EQ(-ENOLCK, mx_release(nd, 0));
	/* malformed inputs */
	m = msg(MX_RA_OK, 3, 0, 1, 1, 0, 0, 0);
	EXPECT_EQ(-EINVAL, mx_input(nd, &m));	/* no such node */
	m.from = 0;
	EXPECT_EQ(-EINVAL, mx_input(nd, &m));	/* from self */
	m.from = 1;
	m.type = 0;
	EXPECT_EQ(-EINVAL, mx_input(nd, &m));
	m.type = MX_RA_SYNC + 1;
	EXPECT_EQ(-EINVAL, mx_input(nd, &m));
	m.type = MX_RA_OK;
	m.lock = 2;
	EXPECT_EQ(-EINVAL, mx_input(nd, &m));
	EXPECT_EQ(-EINVAL, mx_input(nd, NULL));
	EXPECT_EQ(6ULL, (unsigned long long)mx_stats(nd)->invalid);
	/* peers */
	EXPECT_EQ(-EINVAL, mx_peer_down(nd, 0));
	EXPECT_EQ(-EINVAL, mx_peer_down(nd, 3));
	EXPECT_EQ(MX_IGNORED, mx_peer_up(nd, 1));	/* up already */
	EXPECT_EQ(0, mx_peer_down(nd, 1));
	EXPECT_EQ(MX_IGNORED, mx_peer_down(nd, 1));
	EXPECT_EQ(0x5ULL, (unsigned long long)mx_live(nd));
	m.lock = 0;
	EXPECT_EQ(MX_IGNORED, mx_input(nd, &m));	/* from a down peer */
	/* operations of other algorithms */
	EXPECT_EQ(-EOPNOTSUPP, mx_coordinator_changed(nd, 1, 1));
	EXPECT_EQ(-EOPNOTSUPP, mx_reset(nd));
	EXPECT_EQ(0ULL, (unsigned long long)mx_vote_voters(nd, 0));
	EXPECT_EQ(&mx_ra_algo, mx_node_algo(nd));
	mx_free(nd);
	mx_free(NULL);
}

/* ------------------------------------------------------------ central */

TEST(central_request_grant_release_failover)
{
	struct mx_node *n0, *n1, *n2;
	struct rec r0, r1, r2;
	struct mx_msg grant_for_2;

	n0 = mk(&mx_central_algo, 3, 0, 0, &r0);
	n1 = mk(&mx_central_algo, 3, 1, 0, &r1);
	n2 = mk(&mx_central_algo, 3, 2, 0, &r2);
	ASSERT_NE(NULL, n0);
	ASSERT_NE(NULL, n1);
	ASSERT_NE(NULL, n2);

	/* 1 asks coordinator 0: REQUEST seq 1, epoch 0 */
	ASSERT_EQ(0, mx_acquire(n1, 0));
	ASSERT_EQ(1U, r1.n);
	EXPECT_EQ(0U, r1.to[0]);
	EXPECT_EQ(MX_C_REQUEST, r1.out[0].type);
	EXPECT_EQ(1ULL, (unsigned long long)r1.out[0].req);
	EXPECT_EQ(0ULL, (unsigned long long)r1.out[0].gen);
	EXPECT_EQ(0, mx_input(n0, &r1.out[0]));
	ASSERT_EQ(1U, r0.n);
	EXPECT_EQ(MX_C_GRANT, r0.out[0].type);
	EXPECT_EQ(1ULL, (unsigned long long)r0.out[0].token);
	EXPECT_EQ(MX_IGNORED, mx_input(n0, &r1.out[0]));	/* duplicate */
	EXPECT_EQ(0, mx_input(n1, &r0.out[0]));
	ASSERT_EQ(1U, r1.ng);
	EXPECT_EQ(1ULL, (unsigned long long)r1.gtok[0]);
	EXPECT_EQ(MX_HELD, mx_lock_state(n1, 0));
	EXPECT_EQ(MX_IGNORED, mx_input(n1, &r0.out[0]));	/* duplicate */

	/* 2 queues behind 1; 0 (itself a client) too, locally */
	ASSERT_EQ(0, mx_acquire(n2, 0));
	EXPECT_EQ(0, mx_input(n0, &r2.out[0]));
	ASSERT_EQ(0, mx_acquire(n0, 0));
	EXPECT_EQ(1U, r0.n);			/* nothing granted */

	/* 1 releases: 0 grants 2 (FIFO), token 2 */
	ASSERT_EQ(0, mx_release(n1, 0));
	ASSERT_EQ(2U, r1.n);
	EXPECT_EQ(MX_C_RELEASE, r1.out[1].type);
	EXPECT_EQ(MX_F_DONE, r1.out[1].flags);
	EXPECT_EQ(0, mx_input(n0, &r1.out[1]));
	ASSERT_EQ(2U, r0.n);
	EXPECT_EQ(MX_C_GRANT, r0.out[1].type);
	EXPECT_EQ(2U, r0.to[1]);
	EXPECT_EQ(2ULL, (unsigned long long)r0.out[1].token);
	grant_for_2 = r0.out[1];	/* not delivered yet */

	/*
	 * The caller moves the coordinator to 2, epoch 1 (0 is alive). Every
	 * client reports per lock: 0 WAITING (seq 1), 1 IDLE, 2 (the new
	 * coordinator) reports to itself, WAITING.
	 */
	r0.n = r1.n = r2.n = 0;
	EXPECT_EQ(-EINVAL, mx_coordinator_changed(n2, 2, 0));	/* epoch */
	ASSERT_EQ(0, mx_coordinator_changed(n2, 2, 1));
	EXPECT_EQ(0U, r2.n);
	ASSERT_EQ(0, mx_coordinator_changed(n0, 2, 1));
	ASSERT_EQ(2U, r0.n);			/* one STATE per lock */
	EXPECT_EQ(MX_C_STATE, r0.out[0].type);
	EXPECT_EQ((uint64_t)MX_WAITING, r0.out[0].aux);
	EXPECT_EQ(1ULL, (unsigned long long)r0.out[0].gen);
	ASSERT_EQ(0, mx_coordinator_changed(n1, 2, 1));
	ASSERT_EQ(2U, r1.n);
	EXPECT_EQ((uint64_t)MX_IDLE, r1.out[0].aux);
	EXPECT_EQ(1ULL, (unsigned long long)r1.out[0].token);	/* max seen */

	/* the old coordinator's GRANT arrives late: epoch 0, ignored */
	EXPECT_EQ(MX_IGNORED, mx_input(n2, &grant_for_2));
	EXPECT_EQ(0U, r2.ng);
	EXPECT_EQ(MX_WAITING, mx_lock_state(n2, 0));

	/* nothing is granted before every live client reported */
	EXPECT_EQ(0, mx_input(n2, &r0.out[0]));
	EXPECT_EQ(0U, r2.ng);
	EXPECT_EQ(0U, r2.n);
	EXPECT_EQ(0, mx_input(n2, &r1.out[0]));
	/* queue rebuilt in report order: 2 itself (first), then 0 */
	ASSERT_EQ(1U, r2.ng);
	EXPECT_EQ((1ULL << 32) + 1, (unsigned long long)r2.gtok[0]);
	EXPECT_EQ(1ULL, (unsigned long long)mx_stats(n2)->failovers);
	ASSERT_EQ(0, mx_release(n2, 0));
	ASSERT_EQ(1U, r2.n);
	EXPECT_EQ(MX_C_GRANT, r2.out[0].type);
	EXPECT_EQ(0U, r2.to[0]);
	EXPECT_EQ((1ULL << 32) + 2, (unsigned long long)r2.out[0].token);
	EXPECT_EQ(0, mx_input(n0, &r2.out[0]));
	EXPECT_EQ(1U, r0.ng);

	/* 0 crashes holding the lock: the coordinator frees it */
	ASSERT_EQ(0, mx_acquire(n1, 0));
	EXPECT_EQ(0, mx_input(n2, &r1.out[2]));
	EXPECT_EQ(1U, r2.n);
	EXPECT_EQ(0, mx_peer_down(n2, 0));
	ASSERT_EQ(2U, r2.n);
	EXPECT_EQ(1U, r2.to[1]);
	EXPECT_EQ((1ULL << 32) + 3, (unsigned long long)r2.out[1].token);
	mx_free(n0);
	mx_free(n1);
	mx_free(n2);
}

/* ------------------------------------------------------------ ring */

TEST(ring_duplicates_generations_probe)
{
	struct mx_cfg one_lock = { .n = 3, .self = 0, .nlocks = 1 };
	struct mx_node *n1, *n0;
	struct rec r1, r0;
	struct mx_msg m;
	const uint64_t g1 = 1 << 6, g2 = 2 << 6;	/* rounds 1, 2 of 0 */

	n1 = mk(&mx_ring_algo, 3, 1, 0, &r1);
	ASSERT_NE(NULL, n1);
	/* the first token, from leader 0: passed on at once, hop 2 */
	m = msg(MX_R_TOKEN, 0, 0, 0, 1, g1 << 32, g1, 0);
	EXPECT_EQ(0, mx_input(n1, &m));
	ASSERT_EQ(1U, r1.n);
	EXPECT_EQ(2U, r1.to[0]);
	EXPECT_EQ(MX_R_TOKEN, r1.out[0].type);
	EXPECT_EQ(2ULL, (unsigned long long)r1.out[0].req);
	EXPECT_EQ(0, r1.out[0].flags);
	/* a duplicate of it: dropped by hop, no second token */
	EXPECT_EQ(MX_IGNORED, mx_input(n1, &m));
	EXPECT_EQ(1U, r1.n);
	EXPECT_EQ(0ULL, (unsigned long long)mx_stats(n1)->stale_tokens);

	/* probe of round 2: forwarded, not SEEN, carries the highest hop */
	m = msg(MX_R_PROBE, 0, 0, 0, 0, 0, g2, 0);
	EXPECT_EQ(0, mx_input(n1, &m));
	ASSERT_EQ(2U, r1.n);
	EXPECT_EQ(MX_R_PROBE, r1.out[1].type);
	EXPECT_EQ(2U, r1.to[1]);
	EXPECT_EQ(0, r1.out[1].flags & MX_F_SEEN);
	EXPECT_EQ(2ULL, (unsigned long long)r1.out[1].token);
	/* the old generation turns up (a new hop): stale */
	m = msg(MX_R_TOKEN, 0, 0, 0, 4, g1 << 32, g1, 0);
	EXPECT_EQ(MX_IGNORED, mx_input(n1, &m));
	EXPECT_EQ(1ULL, (unsigned long long)mx_stats(n1)->stale_tokens);
	EXPECT_EQ(2U, r1.n);

	/* wanted: the next token of generation 2 is taken, not passed */
	ASSERT_EQ(0, mx_acquire(n1, 0));
	m = msg(MX_R_TOKEN, 0, 0, 0, 5, (g1 << 32) + 7, g2, 0);
	EXPECT_EQ(0, mx_input(n1, &m));
	ASSERT_EQ(1U, r1.ng);
	EXPECT_EQ((g2 << 32) + 1, (unsigned long long)r1.gtok[0]);
	/* a probe while it holds the token: SEEN, the token joins G */
	m = msg(MX_R_PROBE, 0, 0, 0, 0, 0, g2 + 64, 0);
	EXPECT_EQ(0, mx_input(n1, &m));
	ASSERT_EQ(3U, r1.n);
	EXPECT_EQ(MX_F_SEEN, r1.out[2].flags & MX_F_SEEN);
	ASSERT_EQ(0, mx_release(n1, 0));
	ASSERT_EQ(4U, r1.n);
	EXPECT_EQ(MX_R_TOKEN, r1.out[3].type);
	EXPECT_EQ(MX_F_DONE, r1.out[3].flags);
	EXPECT_EQ(g2 + 64, (unsigned long long)r1.out[3].gen);
	EXPECT_EQ(6ULL, (unsigned long long)r1.out[3].req);
	EXPECT_EQ((g2 << 32) + 1, (unsigned long long)r1.out[3].token);
	/* a probe of a leader that is down: dropped */
	EXPECT_EQ(0, mx_peer_down(n1, 0));
	EXPECT_EQ(0, mx_peer_up(n1, 0));
	mx_free(n1);

	/*
	 * The leader: its first token leaves at the first timer; it hears
	 * that 2 is down while the token is away: PROBE to 1 (next live);
	 * back unseen: one token created with the round's generation, above
	 * every hop the probe saw.
	 */
	memset(&r0, 0, sizeof(r0));
	n0 = mx_new(&mx_ring_algo, &one_lock, &ops, &r0);
	ASSERT_NE(NULL, n0);
	EXPECT_EQ(0ULL, (unsigned long long)r0.timer);
	mx_timer(n0);
	ASSERT_EQ(1U, r0.n);
	EXPECT_EQ(1ULL, (unsigned long long)r0.out[0].req);
	EXPECT_EQ(0, mx_peer_down(n0, 2));
	ASSERT_EQ(2U, r0.n);
	EXPECT_EQ(MX_R_PROBE, r0.out[1].type);
	EXPECT_EQ(1U, r0.to[1]);
	EXPECT_EQ(g2, (unsigned long long)r0.out[1].gen);
	EXPECT_EQ(0ULL, (unsigned long long)r0.out[1].aux);
	m = r0.out[1];
	m.from = 1;
	m.token = 9;		/* the highest hop on the way */
	EXPECT_EQ(0, mx_input(n0, &m));
	EXPECT_EQ(1ULL, (unsigned long long)mx_stats(n0)->regenerations);
	ASSERT_EQ(3U, r0.n);
	EXPECT_EQ(MX_R_TOKEN, r0.out[2].type);
	EXPECT_EQ(1U, r0.to[2]);
	EXPECT_EQ(g2, (unsigned long long)r0.out[2].gen);
	EXPECT_EQ(10ULL, (unsigned long long)r0.out[2].req);
	/* the same probe again: an old round now, ignored */
	EXPECT_EQ(MX_IGNORED, mx_input(n0, &m));
	EXPECT_EQ(1ULL, (unsigned long long)mx_stats(n0)->regenerations);
	mx_free(n0);
}

/* ------------------------------------------------------------ RA */

TEST(ra_ok_defer_deny_retry)
{
	struct mx_node *nd;
	struct rec r;
	struct mx_msg m;
	uint64_t ts;

	nd = mk(&mx_ra_algo, 3, 0, 0, &r);
	ASSERT_NE(NULL, nd);
	/* idle: OK at once */
	m = msg(MX_RA_REQUEST, 1, 0, 4, 4, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(1U, r.n);
	EXPECT_EQ(MX_RA_OK, r.out[0].type);
	EXPECT_EQ(4ULL, (unsigned long long)r.out[0].req);
	/* a retry of it: OK again */
	EXPECT_EQ(MX_IGNORED, mx_input(nd, &m));
	ASSERT_EQ(2U, r.n);
	EXPECT_EQ(MX_RA_OK, r.out[1].type);

	/* we want lock 0: REQUEST to 1 and 2, op-done mark on the first */
	r.n = 0;
	ASSERT_EQ(0, mx_acquire(nd, 0));
	ASSERT_EQ(2U, r.n);
	ts = r.out[0].req;
	EXPECT_LT(4ULL, (unsigned long long)ts);	/* after the clock rule */
	EXPECT_EQ(1U, r.to[0]);
	EXPECT_EQ(MX_F_DONE, r.out[0].flags);
	EXPECT_EQ(0, r.out[1].flags);
	EXPECT_EQ(ts, r.out[1].req);
	/* an earlier request from 2 wins: OK; a later one from 1 waits */
	m = msg(MX_RA_REQUEST, 2, 0, ts - 1, ts - 1, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(3U, r.n);
	EXPECT_EQ(MX_RA_OK, r.out[2].type);
	m = msg(MX_RA_REQUEST, 1, 0, ts + 5, ts + 5, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(3U, r.n);			/* queued: no answer */
	/* its retry gets DENY ("queued, OK later") */
	EXPECT_EQ(MX_IGNORED, mx_input(nd, &m));
	ASSERT_EQ(4U, r.n);
	EXPECT_EQ(MX_RA_DENY, r.out[3].type);
	EXPECT_EQ(ts + 5, r.out[3].req);
	/* same ts, lower id (1 < 2 is not the case here: 0 < 1): we win */

	/* OKs: the second one grants, token = MX_TS_TOKEN(ts, 0) */
	m = msg(MX_RA_OK, 1, 0, ts + 6, ts, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(0U, r.ng);
	EXPECT_EQ(MX_IGNORED, mx_input(nd, &m));	/* duplicate */
	m = msg(MX_RA_OK, 2, 0, ts + 7, ts, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(1U, r.ng);
	EXPECT_EQ(MX_TS_TOKEN(ts, 0), (unsigned long long)r.gtok[0]);
	/* release: the queued request gets its OK, with our token */
	ASSERT_EQ(0, mx_release(nd, 0));
	ASSERT_EQ(5U, r.n);
	EXPECT_EQ(MX_RA_OK, r.out[4].type);
	EXPECT_EQ(1U, r.to[4]);
	EXPECT_EQ(ts + 5, r.out[4].req);
	EXPECT_EQ(MX_TS_TOKEN(ts, 0), (unsigned long long)r.out[4].token);
	mx_free(nd);
}

TEST(ra_retry_timer_and_block_after_deny)
{
	struct mx_cfg c = { .n = 3, .self = 0, .nlocks = 1, .retry_ms = 100 };
	struct mx_node *nd;
	struct rec r;
	struct mx_msg m;
	uint64_t ts;

	memset(&r, 0, sizeof(r));
	nd = mx_new(&mx_ra_algo, &c, &ops, &r);
	ASSERT_NE(NULL, nd);
	r.now = 1000;
	ASSERT_EQ(0, mx_acquire(nd, 0));
	ts = r.out[0].req;
	EXPECT_EQ(100ULL, (unsigned long long)r.timer);
	/* 1 says DENY: no retry to it; 2 said nothing: retried */
	m = msg(MX_RA_DENY, 1, 0, ts + 1, ts, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	r.now = 1100;
	mx_timer(nd);
	ASSERT_EQ(3U, r.n);
	EXPECT_EQ(2U, r.to[2]);
	EXPECT_EQ(MX_F_RETRY, r.out[2].flags);
	EXPECT_EQ(ts, r.out[2].req);
	EXPECT_EQ(1ULL, (unsigned long long)mx_stats(nd)->retries);
	EXPECT_EQ(100ULL, (unsigned long long)r.timer);
	/* a peer down is excluded: 2's OK is no longer needed */
	m = msg(MX_RA_OK, 1, 0, ts + 2, ts, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(0U, r.ng);
	EXPECT_EQ(0, mx_peer_down(nd, 2));
	EXPECT_EQ(1U, r.ng);
	EXPECT_EQ(MX_NO_TIMER, r.timer);		/* no more retries */
	/* 2 comes back: a SYNC (we hold the lock, we need no OK) */
	EXPECT_EQ(0, mx_peer_up(nd, 2));
	ASSERT_EQ(4U, r.n);
	EXPECT_EQ(MX_RA_SYNC, r.out[3].type);
	mx_free(nd);
}

/* A restarted node tells every peer it is back (a SYNC each: a peer that
 * restarted with it is not told) and timestamps nothing before every live
 * peer spoke. */
static void rejoin_sync(struct __test_metadata *_metadata,
			const struct mx_algo *a, uint16_t sync, uint16_t req)
{
	struct mx_node *nd;
	struct rec r;
	struct mx_msg m;

	nd = mk(a, 3, 2, MX_CFG_REJOIN, &r);
	ASSERT_NE(NULL, nd);
	ASSERT_EQ(2U, r.n);
	EXPECT_EQ(sync, r.out[0].type);
	EXPECT_EQ(0U, r.to[0]);
	EXPECT_EQ(sync, r.out[1].type);
	EXPECT_EQ(1U, r.to[1]);
	ASSERT_EQ(0, mx_acquire(nd, 0));
	EXPECT_EQ(2U, r.n);
	EXPECT_EQ(MX_WAITING, mx_lock_state(nd, 0));
	m = msg(sync, 0, 0, 50, 0, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(2U, r.n);
	m = msg(sync, 1, 1, 70, 0, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(4U, r.n);
	EXPECT_EQ(req, r.out[2].type);
	EXPECT_LT(70ULL, (unsigned long long)r.out[2].req);
	mx_free(nd);

	/* or a peer reported down: not waited for */
	nd = mk(a, 3, 2, MX_CFG_REJOIN, &r);
	ASSERT_NE(NULL, nd);
	ASSERT_EQ(0, mx_acquire(nd, 0));
	m = msg(sync, 0, 0, 50, 0, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(2U, r.n);
	EXPECT_EQ(0, mx_peer_down(nd, 1));
	ASSERT_EQ(3U, r.n);
	EXPECT_EQ(0U, r.to[2]);
	EXPECT_LT(50ULL, (unsigned long long)r.out[2].req);
	mx_free(nd);
}

TEST(ra_rejoin_syncs_before_requesting)
{
	rejoin_sync(_metadata, &mx_ra_algo, MX_RA_SYNC, MX_RA_REQUEST);
}

TEST(lamport_rejoin_syncs_before_requesting)
{
	rejoin_sync(_metadata, &mx_lamport_algo, MX_L_SYNC, MX_L_REQUEST);
}

/* ------------------------------------------------------------ Lamport */

TEST(lamport_queue_acks_piggyback_release)
{
	struct mx_node *nd;
	struct rec r;
	struct mx_msg m;
	uint64_t ts;

	nd = mk(&mx_lamport_algo, 3, 0, 0, &r);
	ASSERT_NE(NULL, nd);
	m = msg(MX_L_SYNC, 1, 0, 10, 0, 0, 0, 0);	/* clock to 11 */
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(0, mx_acquire(nd, 0));
	ASSERT_EQ(2U, r.n);
	ts = r.out[0].req;
	EXPECT_EQ(12ULL, (unsigned long long)ts);
	/*
	 * 1's ACK overtakes 1's own earlier REQUEST (ts 9): the ACK says
	 * "my request 9 is pending", so it is queued before ours.
	 */
	m = msg(MX_L_ACK, 1, 0, 14, ts, 0, 0, 9);
	EXPECT_EQ(0, mx_input(nd, &m));
	m = msg(MX_L_ACK, 2, 0, 15, ts, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(0U, r.ng);		/* acked by all, but 1 is first */
	/* the overtaken REQUEST arrives: a duplicate, acked anyway */
	m = msg(MX_L_REQUEST, 1, 0, 9, 9, 0, 0, 0);
	EXPECT_EQ(MX_IGNORED, mx_input(nd, &m));
	ASSERT_EQ(3U, r.n);
	EXPECT_EQ(MX_L_ACK, r.out[2].type);
	EXPECT_EQ(9ULL, (unsigned long long)r.out[2].req);
	EXPECT_EQ(ts, r.out[2].aux);		/* our pending request */
	/* 1 releases with token 77: we enter, token above it */
	m = msg(MX_L_RELEASE, 1, 0, 20, 9, 77, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(1U, r.ng);
	EXPECT_EQ(MX_TS_TOKEN(ts, 0), (unsigned long long)r.gtok[0]);
	/* a stale copy of 1's request after its release: not queued */
	m = msg(MX_L_REQUEST, 1, 0, 9, 9, 0, 0, 0);
	EXPECT_EQ(MX_IGNORED, mx_input(nd, &m));
	ASSERT_EQ(0, mx_release(nd, 0));
	ASSERT_EQ(6U, r.n);
	EXPECT_EQ(MX_L_RELEASE, r.out[4].type);
	EXPECT_EQ(MX_F_DONE, r.out[4].flags);
	EXPECT_EQ(0, r.out[5].flags);
	EXPECT_EQ(MX_TS_TOKEN(ts, 0), (unsigned long long)r.out[4].token);
	/* a new request of ours is first now: enters after two ACKs */
	ASSERT_EQ(0, mx_acquire(nd, 0));
	ts = r.out[6].req;
	m = msg(MX_L_ACK, 1, 0, ts + 1, ts, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(1U, r.ng);
	EXPECT_EQ(0, mx_peer_down(nd, 2));	/* 2's ACK not needed */
	ASSERT_EQ(2U, r.ng);
	EXPECT_EQ(MX_TS_TOKEN(ts, 0), (unsigned long long)r.gtok[1]);
	mx_free(nd);
}

/* ------------------------------------------------------------ vote */

TEST(vote_coordinator_and_client)
{
	struct mx_cfg c = { .n = 3, .self = 0, .nlocks = 1, .backoff_ms = 8 };
	struct mx_node *nd;
	struct rec r;
	struct mx_msg m;

	memset(&r, 0, sizeof(r));
	nd = mx_new(&mx_vote_algo, &c, &ops, &r);
	ASSERT_NE(NULL, nd);
	/* the coordinator: votes for 1, denies 2, votes 1 again (dup) */
	m = msg(MX_V_REQUEST, 1, 0, 0, 1, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(1U, r.n);
	EXPECT_EQ(MX_V_VOTE, r.out[0].type);
	m = msg(MX_V_REQUEST, 2, 0, 0, 1, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(2U, r.n);
	EXPECT_EQ(MX_V_DENY, r.out[1].type);
	m = msg(MX_V_REQUEST, 1, 0, 0, 1, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(MX_V_VOTE, r.out[2].type);
	/* RELEASE with token 5: free again, counter 5 */
	m = msg(MX_V_RELEASE, 1, 0, 0, 1, 5, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(MX_IGNORED, mx_input(nd, &m));
	m = msg(MX_V_REQUEST, 2, 0, 0, 2, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(4U, r.n);
	EXPECT_EQ(MX_V_VOTE, r.out[3].type);
	EXPECT_EQ(5ULL, (unsigned long long)r.out[3].token);
	/* a reset forgets the vote for 2: 1 gets it too */
	EXPECT_EQ(0, mx_reset(nd));
	m = msg(MX_V_REQUEST, 1, 0, 0, 3, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(MX_V_VOTE, r.out[4].type);

	/* the client: our own coordinator voted for 1: 2 answers needed */
	r.n = 0;
	ASSERT_EQ(0, mx_acquire(nd, 0));
	ASSERT_EQ(2U, r.n);
	EXPECT_EQ(MX_V_REQUEST, r.out[0].type);
	EXPECT_EQ(1ULL, (unsigned long long)r.out[0].req);	/* attempt 1 */
	m = msg(MX_V_VOTE, 1, 0, 0, 1, 3, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(0U, r.ng);
	/* 2 denies: 1 yes of m = 2 and no chance left: RETURN, back off */
	r.now = 500;
	m = msg(MX_V_DENY, 2, 0, 0, 1, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(3U, r.n);
	EXPECT_EQ(MX_V_RETURN, r.out[2].type);
	EXPECT_EQ(1U, r.to[2]);
	EXPECT_EQ(MX_WAITING, mx_lock_state(nd, 0));
	EXPECT_LE(1ULL, (unsigned long long)r.timer);
	EXPECT_GE(8ULL, (unsigned long long)r.timer);
	/* a late VOTE of attempt 1: given back */
	m = msg(MX_V_VOTE, 2, 0, 0, 1, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	EXPECT_EQ(MX_V_RETURN, r.out[3].type);
	/* our coordinator is free again (1 released); attempt 2 */
	m = msg(MX_V_RETURN, 1, 0, 0, 3, 0, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	r.now += r.timer;
	mx_timer(nd);
	ASSERT_EQ(6U, r.n);
	EXPECT_EQ(2ULL, (unsigned long long)r.out[4].req);
	m = msg(MX_V_VOTE, 2, 0, 0, 2, 9, 0, 0);
	EXPECT_EQ(0, mx_input(nd, &m));
	ASSERT_EQ(1U, r.ng);
	EXPECT_EQ(10ULL, (unsigned long long)r.gtok[0]);	/* max + 1 */
	EXPECT_EQ(0x5ULL, (unsigned long long)mx_vote_voters(nd, 0));
	ASSERT_EQ(0, mx_release(nd, 0));
	ASSERT_EQ(7U, r.n);
	EXPECT_EQ(MX_V_RELEASE, r.out[6].type);
	EXPECT_EQ(2U, r.to[6]);
	EXPECT_EQ(MX_F_DONE, r.out[6].flags);
	EXPECT_EQ(10ULL, (unsigned long long)r.out[6].token);
	EXPECT_EQ(2ULL, (unsigned long long)mx_stats(nd)->attempts);
	EXPECT_EQ(1ULL, (unsigned long long)mx_stats(nd)->failed_attempts);
	mx_free(nd);
}

/* ------------------------------------------------------------ checker */

static struct sim_hist H(uint32_t lock, uint64_t grant, uint64_t rel,
			 uint64_t token)
{
	struct sim_hist h = {
		.lock = lock, .req_at = grant, .grant_at = grant,
		.rel_at = rel, .grant_seq = grant, .rel_seq = rel,
		.token = token, .granted = true, .released = true,
	};

	return h;
}

TEST(checker_finds_doctored_histories)
{
	struct sim_hist h[6];
	struct sim_check ck;
	uint32_t pairs[4][2];

	/* clean: two locks interleaved */
	h[0] = H(0, 1, 5, 10);
	h[1] = H(1, 2, 3, 1);
	h[2] = H(0, 6, 9, 11);
	h[3] = H(1, 4, 8, 2);
	sim_check(h, 4, &ck, pairs, 4);
	EXPECT_EQ(0U, ck.overlaps);
	EXPECT_EQ(0U, ck.token_errors);
	EXPECT_EQ(4U, ck.granted);
	/* overlap: lock 0 granted at 4 while held 1..5 */
	h[2] = H(0, 4, 9, 11);
	sim_check(h, 4, &ck, pairs, 4);
	EXPECT_EQ(1U, ck.overlaps);
	EXPECT_EQ(0U, pairs[0][0]);
	EXPECT_EQ(2U, pairs[0][1]);
	/* an overlap with an earlier, longer entry, not the previous one */
	h[0] = H(0, 1, 20, 10);
	h[2] = H(0, 6, 9, 11);
	h[4] = H(0, 10, 12, 12);
	sim_check(h, 5, &ck, pairs, 4);
	EXPECT_EQ(2U, ck.overlaps);
	EXPECT_EQ(0U, pairs[1][0]);
	EXPECT_EQ(4U, pairs[1][1]);
	/* equal and decreasing tokens */
	h[0] = H(0, 1, 5, 10);
	h[2] = H(0, 6, 9, 10);
	h[4] = H(0, 10, 12, 9);
	sim_check(h, 5, &ck, NULL, 0);
	EXPECT_EQ(0U, ck.overlaps);
	EXPECT_EQ(2U, ck.token_errors);
	/* never granted: pending, unless its node crashed */
	h[5] = H(0, 13, 14, 13);
	h[5].granted = false;
	sim_check(h, 6, &ck, NULL, 0);
	EXPECT_EQ(1U, ck.pending);
	h[5].crashed = true;
	sim_check(h, 6, &ck, NULL, 0);
	EXPECT_EQ(0U, ck.pending);
	/* never released: everything granted later overlaps it */
	h[0].released = false;
	sim_check(h, 5, &ck, NULL, 0);
	EXPECT_EQ(2U, ck.overlaps);
}

TEST_HARNESS_MAIN
