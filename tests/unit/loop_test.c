// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the event loop (user/lib/ordo_loop.c): timers fire in
 * deadline order (ties in arming order) from one timerfd, periodic timers
 * keep their phase, stop and re-arm from callbacks, fd callbacks and
 * deletion during dispatch, signals through the signalfd, stop codes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ordo_rt.h"
#include "../kselftest_harness.h"

struct rec {
	int order[32];
	uint64_t at[32];
	int n;
};

struct tm {
	struct ordo_timer t;
	struct rec *rec;
	int id;
	int stop_after;		/* stop the loop after this many records */
	struct ordo_timer *kill;	/* stop this one when firing */
};

static void tm_fire(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct tm *x = arg;

	(void)t;
	if (x->rec->n < 32) {
		x->rec->order[x->rec->n] = x->id;
		x->rec->at[x->rec->n] = ordo_now_ms();
		x->rec->n++;
	}
	if (x->kill)
		ordo_timer_stop(x->kill);
	if (x->stop_after && x->rec->n >= x->stop_after)
		ordo_loop_stop(l, 7);
}

TEST(timers_fire_in_deadline_order)
{
	struct ordo_loop *l;
	struct rec rec = { 0 };
	struct tm t[6];
	static const int delay[6] = { 30, 10, 20, 10, 0, 40 };
	uint64_t start;
	int i;

	ASSERT_EQ(0, ordo_loop_new(&l));
	for (i = 0; i < 6; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].rec = &rec;
		t[i].id = i;
		ordo_timer_init(&t[i].t, l, tm_fire, &t[i]);
	}
	t[5].stop_after = 5;
	start = ordo_now_ms();
	/* same deadline for 1 and 3: armed in that order, fired so */
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, ordo_timer_start_at(&t[i].t,
						 ordo_now_ns() / 1000000 * 1000000 +
						 delay[i] * 1000000ULL, 0));
	/* move 2 after 5: it no longer fires before the loop stops */
	ASSERT_EQ(0, ordo_timer_start(&t[2].t, 100, 0));
	EXPECT_TRUE(ordo_timer_armed(&t[2].t));
	EXPECT_EQ(7, ordo_loop_run(l));
	ASSERT_EQ(5, rec.n);
	EXPECT_EQ(4, rec.order[0]);
	EXPECT_EQ(1, rec.order[1]);
	EXPECT_EQ(3, rec.order[2]);
	EXPECT_EQ(0, rec.order[3]);
	EXPECT_EQ(5, rec.order[4]);
	/* never early */
	EXPECT_LE(start + 9, rec.at[1]);
	EXPECT_LE(start + 39, rec.at[4]);
	EXPECT_GT(start + 500, rec.at[4]);
	EXPECT_FALSE(ordo_timer_armed(&t[0].t));
	EXPECT_TRUE(ordo_timer_armed(&t[2].t));
	ordo_loop_free(l);
	/* a timer of a freed loop is disarmed */
	EXPECT_FALSE(ordo_timer_armed(&t[2].t));
}

TEST(periodic_stop_and_kill_from_callbacks)
{
	struct ordo_loop *l;
	struct rec rec = { 0 };
	struct tm per, victim, killer;
	int i, n = 0;

	ASSERT_EQ(0, ordo_loop_new(&l));
	memset(&per, 0, sizeof(per));
	memset(&victim, 0, sizeof(victim));
	memset(&killer, 0, sizeof(killer));
	per.rec = victim.rec = killer.rec = &rec;
	per.id = 1;
	victim.id = 2;
	killer.id = 3;
	killer.kill = &victim.t;
	ordo_timer_init(&per.t, l, tm_fire, &per);
	ordo_timer_init(&victim.t, l, tm_fire, &victim);
	ordo_timer_init(&killer.t, l, tm_fire, &killer);
	ASSERT_EQ(0, ordo_timer_start(&per.t, 5, 5));
	ASSERT_EQ(0, ordo_timer_start(&killer.t, 12, 0));
	ASSERT_EQ(0, ordo_timer_start(&victim.t, 18, 0));
	while (rec.n < 6)
		ASSERT_LE(0, ordo_loop_run_once(l, 1000));
	ordo_timer_stop(&per.t);
	ordo_timer_stop(&per.t);	/* harmless */
	EXPECT_FALSE(ordo_timer_armed(&per.t));
	/* 5, 10, (12: killer), 15, 20, 25: the victim never fires */
	for (i = 0; i < rec.n; i++) {
		EXPECT_NE(2, rec.order[i]);
		n += rec.order[i] == 1;
	}
	EXPECT_EQ(5, n);
	EXPECT_EQ(3, rec.order[2]);
	/* the periodic one kept its phase: about 5 ms apart */
	EXPECT_LE(rec.at[0] + 18, rec.at[5]);
	EXPECT_EQ(0, ordo_loop_run_once(l, 30));	/* nothing armed */
	ordo_loop_free(l);
}

struct fdctx {
	int fds[2][2];
	int reads[2];
	bool delete_other;
	struct ordo_loop *l;
};

static void fd_read(struct ordo_loop *l, int fd, uint32_t events, void *arg)
{
	struct fdctx *c = arg;
	char b[16];
	int which = fd == c->fds[0][0] ? 0 : 1;

	(void)events;
	(void)l;
	if (read(fd, b, sizeof(b)) > 0)
		c->reads[which]++;
	if (c->delete_other)
		ordo_loop_del_fd(c->l, c->fds[!which][0]);
}

TEST(fds_and_delete_during_dispatch)
{
	struct fdctx c = { 0 };
	int i;

	ASSERT_EQ(0, ordo_loop_new(&c.l));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe(c.fds[i]));
		ASSERT_EQ(0, ordo_loop_add_fd(c.l, c.fds[i][0], EPOLLIN, fd_read, &c));
	}
	EXPECT_EQ(-EEXIST, ordo_loop_add_fd(c.l, c.fds[0][0], EPOLLIN, fd_read, &c));
	EXPECT_EQ(-EINVAL, ordo_loop_add_fd(c.l, -1, EPOLLIN, fd_read, &c));
	EXPECT_EQ(-ENOENT, ordo_loop_del_fd(c.l, 12345));
	EXPECT_EQ(-ENOENT, ordo_loop_mod_fd(c.l, 12345, EPOLLIN));
	ASSERT_EQ(1, write(c.fds[0][1], "a", 1));
	EXPECT_EQ(1, ordo_loop_run_once(c.l, 1000));
	EXPECT_EQ(1, c.reads[0]);
	/* both ready, the first callback deletes the other: one runs */
	c.delete_other = true;
	ASSERT_EQ(1, write(c.fds[0][1], "a", 1));
	ASSERT_EQ(1, write(c.fds[1][1], "b", 1));
	EXPECT_EQ(1, ordo_loop_run_once(c.l, 1000));
	EXPECT_EQ(2, c.reads[0] + c.reads[1]);	/* one of the two ran */
	/* mod to no events: quiet */
	c.delete_other = false;
	for (i = 0; i < 2; i++)
		ordo_loop_mod_fd(c.l, c.fds[i][0], 0);
	EXPECT_EQ(0, ordo_loop_run_once(c.l, 20));
	ordo_loop_free(c.l);
	for (i = 0; i < 2; i++) {
		close(c.fds[i][0]);
		close(c.fds[i][1]);
	}
}

static int got_signal;

static void on_usr1(struct ordo_loop *l, int signo, void *arg)
{
	got_signal = signo;
	ordo_loop_stop(l, *(int *)arg);
}

TEST(signals_and_term)
{
	struct ordo_loop *l;
	int code = 42;
	sigset_t cur;

	ASSERT_EQ(0, ordo_loop_new(&l));
	ASSERT_EQ(0, ordo_loop_add_signal(l, SIGUSR1, on_usr1, &code));
	EXPECT_EQ(-EINVAL, ordo_loop_add_signal(l, 0, on_usr1, &code));
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, NULL, &cur));
	EXPECT_TRUE(sigismember(&cur, SIGUSR1));
	ASSERT_EQ(0, kill(getpid(), SIGUSR1));
	EXPECT_EQ(42, ordo_loop_run(l));
	EXPECT_EQ(SIGUSR1, got_signal);
	EXPECT_TRUE(ordo_loop_stopped(l));

	/* SIGTERM through ordo_loop_stop_on_term(): a clean stop, code 0 */
	ASSERT_EQ(0, ordo_loop_stop_on_term(l));
	ASSERT_EQ(0, kill(getpid(), SIGTERM));
	EXPECT_EQ(0, ordo_loop_run(l));
	ASSERT_EQ(0, kill(getpid(), SIGINT));
	EXPECT_EQ(0, ordo_loop_run(l));
	ordo_loop_free(l);
}

/* Many timers in random order, some stopped or moved: the heap hands
 * them out by deadline, each once, none of the stopped ones. */
struct ht {
	struct ordo_timer t;
	uint64_t due;
	bool stopped;
	int fired;
};

static uint64_t ht_last;
static int ht_fired, ht_bad;

static void ht_fire(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct ht *h = arg;

	(void)l;
	(void)t;
	if (h->due < ht_last || h->stopped || h->fired)
		ht_bad++;
	ht_last = h->due;
	h->fired++;
	ht_fired++;
}

TEST(heap_many_timers)
{
	enum { N = 500 };
	struct ht *h = calloc(N, sizeof(*h));
	struct ordo_loop *l;
	uint64_t base = ordo_now_ns() + 5000000, seed = 88172645463325252ULL;
	int i, want = 0;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, ordo_loop_new(&l));
	for (i = 0; i < N; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		h[i].due = base + seed % 20000000;
		ordo_timer_init(&h[i].t, l, ht_fire, &h[i]);
		ASSERT_EQ(0, ordo_timer_start_at(&h[i].t, h[i].due, 0));
	}
	for (i = 0; i < N; i += 7) {		/* stop some */
		ordo_timer_stop(&h[i].t);
		h[i].stopped = true;
	}
	for (i = 3; i < N; i += 11) {		/* move some */
		if (h[i].stopped)
			continue;
		h[i].due = base + (h[i].due - base) / 2;
		ASSERT_EQ(0, ordo_timer_start_at(&h[i].t, h[i].due, 0));
	}
	for (i = 0; i < N; i++)
		want += !h[i].stopped;
	while (ht_fired < want)
		ASSERT_LT(0, ordo_loop_run_once(l, 1000));
	EXPECT_EQ(0, ht_bad);
	EXPECT_EQ(want, ht_fired);
	EXPECT_EQ(0, ordo_loop_run_once(l, 10));
	ordo_loop_free(l);
	free(h);
}

TEST_HARNESS_MAIN
