// SPDX-License-Identifier: GPL-2.0
/*
 * TrueTime on the ordo clock through libordo: TT.after() and TT.before()
 * as Spanner defines them, and commit wait (ordo_tt_wait_until()), which
 * must not return before the earliest possible true time is past t, so
 * that it lasts about the width of the interval.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "libordo.h"
#include "../kselftest_harness.h"

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

FIXTURE(tt)
{
	struct ordo *h;
};

/* Report a sync: root delay 20 ms, dispersion 5 ms -> width >= 30 ms. */
static int set_sync(struct ordo *h, int synced)
{
	struct ordo_clock_set cs = { 0 };

	if (synced) {
		cs.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_STRATUM) |
			  ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_ROOT_DELAY) |
			  ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_ROOT_DISP);
		cs.stratum = 2;
		cs.root_delay = 20000000;
		cs.root_disp = 5000000;
	} else {
		cs.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SYNC);
		cs.sync = ORDO_CLOCK_UNSYNC;
	}
	return ordo_clock_set(h, &cs);
}

FIXTURE_SETUP(tt)
{
	ASSERT_EQ(0, ordo_open(&self->h));
}

FIXTURE_TEARDOWN(tt)
{
	set_sync(self->h, 0);
	ordo_close(self->h);
}

TEST_F(tt, unsynchronised_has_no_interval)
{
	ASSERT_EQ(0, set_sync(self->h, 0));
	EXPECT_EQ(-ENODATA, ordo_clock_tt_after(0));
	EXPECT_EQ(-ENODATA, ordo_clock_tt_before(0));
	EXPECT_EQ(-ENODATA, ordo_tt_wait_until(0));
}

TEST_F(tt, after_and_before)
{
	struct ordo_now n;

	ASSERT_EQ(0, set_sync(self->h, 1));
	ASSERT_EQ(0, ordo_clock_now(&n));
	ASSERT_TRUE(n.synced);
	ASSERT_GE(n.tt_latest - n.tt_earliest, 30000000);

	/* the past is after, the far future is before */
	EXPECT_EQ(1, ordo_clock_tt_after(n.tt_earliest - 1));
	EXPECT_EQ(0, ordo_clock_tt_before(n.tt_earliest - 1));
	EXPECT_EQ(1, ordo_clock_tt_before(n.tt_latest + 10000000000LL));
	EXPECT_EQ(0, ordo_clock_tt_after(n.tt_latest + 10000000000LL));
	/* a time inside the interval is neither */
	EXPECT_EQ(0, ordo_clock_tt_after(n.tt_latest));
	EXPECT_EQ(0, ordo_clock_tt_before(n.tt_earliest));
}

TEST_F(tt, commit_wait_lasts_the_uncertainty)
{
	struct ordo_now n, m;
	int64_t t, t0, waited;

	ASSERT_EQ(0, set_sync(self->h, 1));
	t0 = mono_ns();
	ASSERT_EQ(0, ordo_clock_now(&n));
	/* commit timestamp: the latest possible time now */
	t = n.tt_latest;
	ASSERT_EQ(0, ordo_tt_wait_until(t));
	waited = mono_ns() - t0;
	ASSERT_EQ(0, ordo_clock_now(&m));
	EXPECT_GT(m.tt_earliest, t);
	EXPECT_EQ(1, ordo_clock_tt_after(t));
	/* earliest had to advance by latest - earliest (>= 30 ms); allow
	 * 1 ms for the rates of CLOCK_MONOTONIC and ordo's clock to differ
	 */
	EXPECT_GE(waited, t - n.tt_earliest - 1000000)
		TH_LOG("waited %lld ns for a width of %lld ns", (long long)waited,
		       (long long)(t - n.tt_earliest));
}

TEST_HARNESS_MAIN
