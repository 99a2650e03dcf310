/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the simulator tests of the mutual exclusion
 * algorithms (mx_*_test.c). Include after ../kselftest_harness.h.
 */
#ifndef _MX_TEST_H
#define _MX_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mx_sim.h"

/* One message transfer time unit in the MTTU runs, in ms. */
#define MTTU	10

/* Run @s to its end; the history checker must find nothing wrong. */
static inline void mx_run_clean(struct __test_metadata *_metadata,
				struct sim *s, struct sim_check *ck)
{
	const struct sim_hist *h;
	size_t n;
	int rc;

	rc = sim_run(s);
	ASSERT_EQ(0, rc) TH_LOG("sim_run: %d at %llu ms", rc,
				(unsigned long long)sim_now(s));
	EXPECT_EQ(0ULL, (unsigned long long)sim_errors(s));
	h = sim_history(s, &n);
	sim_check(h, n, ck, NULL, 0);
	EXPECT_EQ(0U, ck->overlaps);
	EXPECT_EQ(0U, ck->token_errors);
	EXPECT_EQ(0U, ck->pending);
	ASSERT_LT(0U, ck->granted);
}

/*
 * Five seeded runs of @algo with N = @n clients on the default locks
 * (60 entries each for N = 3, 40 for N = 5): the checker finds no
 * overlap and increasing tokens, every request is granted, and no
 * request is overtaken by more than N - 1 entries (the bound of the
 * algorithms with a FIFO queue, a token ring or <ts, id> order).
 */
static inline void mx_safety_bounded(struct __test_metadata *_metadata,
				     const struct mx_algo *algo, uint32_t n)
{
	struct sim_check ck;
	struct sim_cfg c;
	struct sim *s;
	uint64_t seed;

	for (seed = 1; seed <= 5; seed++) {
		sim_cfg_init(&c, algo, n, seed);
		c.entries = n == 3 ? 60 : 40;
		s = sim_new(&c);
		ASSERT_NE(NULL, s);
		mx_run_clean(_metadata, s, &ck);
		EXPECT_EQ(n * c.nlocks * c.entries, ck.granted);
		EXPECT_GE(n - 1, ck.max_overtakes);
		TH_LOG("N=%u seed %llu: %u entries, max wait %llu ms, max overtaken %u (bound %u)",
		       n, (unsigned long long)seed, ck.granted,
		       (unsigned long long)ck.max_wait, ck.max_overtakes, n - 1);
		sim_free(s);
	}
}

/* Granted entries of @node (any lock). */
static inline uint32_t mx_granted_by(struct sim *s, uint32_t node)
{
	const struct sim_hist *h;
	uint32_t k = 0;
	size_t n, i;

	h = sim_history(s, &n);
	for (i = 0; i < n; i++) {
		if (h[i].granted && h[i].node == node)
			k++;
	}
	return k;
}

/* "REQUEST=120 GRANT=120 ..." */
static inline const char *mx_counts(struct sim *s, char *buf, size_t len)
{
	const struct mx_algo *a = sim_cfg(s)->algo;
	size_t off = 0;
	unsigned int t;

	buf[0] = 0;
	for (t = 1; t <= a->ntypes && off < len; t++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%llu",
					t > 1 ? " " : "", mx_type_name(a, t),
					(unsigned long long)sim_sent(s, t));
	return buf;
}

struct mx_mttu {
	uint64_t min, max, sum;
	uint32_t n;
	uint32_t off_grid;	/* waits that are not whole MTTU */
	uint64_t msgs;
};

/*
 * Requests one at a time in the whole system (nothing else in flight),
 * every message exactly MTTU long (parallel links), or one message at a
 * time on a shared medium (bus). Waits request -> grant, in MTTU.
 */
static inline void mx_mttu_run(struct __test_metadata *_metadata,
			       const struct mx_algo *algo, uint32_t n,
			       bool bus, uint64_t clients, uint32_t entries,
			       struct mx_mttu *out)
{
	struct sim_check ck;
	const struct sim_hist *h;
	struct sim_cfg c;
	struct sim *s;
	size_t nh, i;
	uint64_t w;

	sim_cfg_init(&c, algo, n, 7);
	c.dmin = c.dmax = MTTU;
	c.bus = bus;
	c.sequential = true;
	c.grid = MTTU;
	c.clients = clients;
	c.entries = entries;
	c.nlocks = 1;
	c.hold_min = c.hold_max = 3 * MTTU;
	c.think_min = 0;
	c.think_max = 5 * MTTU;
	s = sim_new(&c);
	ASSERT_NE(NULL, s);
	mx_run_clean(_metadata, s, &ck);
	memset(out, 0, sizeof(*out));
	out->min = UINT64_MAX;
	h = sim_history(s, &nh);
	for (i = 0; i < nh; i++) {
		w = h[i].grant_at - h[i].req_at;
		if (w % MTTU)
			out->off_grid++;
		w /= MTTU;
		if (w < out->min)
			out->min = w;
		if (w > out->max)
			out->max = w;
		out->sum += w;
		out->n++;
	}
	out->msgs = sim_sent_total(s);
	sim_free(s);
}

#endif /* _MX_TEST_H */
