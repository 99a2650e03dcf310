// SPDX-License-Identifier: GPL-2.0
/*
 * A generic netlink dump pins ordo.ko until it completes or its socket is
 * closed.
 *
 * Linux 6.1: genl_family_rcv_msg_dumpit() passes family->module to
 * __netlink_dump_start(), which takes a module reference that is dropped
 * when the dump ends (netlink_dump) or the socket is released
 * (netlink_release).  netlink_dump() stalls while
 * "rmem != skb->truesize && rmem >= rcvbuf", so with a tiny SO_RCVBUF and
 * an unread GET_INFO reply already queued, the STATS_GET dump cannot make
 * progress until we read.  __netlink_dump_start() then returns -ENOBUFS,
 * which is acked as an NLMSG_ERROR although the dump stays registered and
 * resumes from netlink_recvmsg(); the tests skip that one error.
 *
 * delete_module() on a module in use fails with EWOULDBLOCK (== EAGAIN)
 * in 6.1 (try_stop_module()), not EBUSY.
 */
#include "nl_raw.h"

#include "../kselftest_harness.h"

FIXTURE(dump) {
	int family;
	int fd;
	long ref0;
};

FIXTURE_SETUP(dump)
{
	ASSERT_EQ(0, ordo_load());
	self->fd = -1;
	self->family = raw_family_id();
	ASSERT_LT(0, self->family) TH_LOG("ordo family: %s",
					  ordo_strerror(self->family));
	self->ref0 = ordo_refcnt();
	ASSERT_LE(0, self->ref0);
}

FIXTURE_TEARDOWN(dump)
{
	if (self->fd >= 0)
		close(self->fd);
	/* never leave the module unloaded */
	EXPECT_EQ(0, ordo_load());
	EXPECT_TRUE(ordo_loaded());
}

/* Queue a GET_INFO reply, then start a dump that cannot progress. */
static void start_stalled_dump(struct __test_metadata *_metadata,
			       FIXTURE_DATA(dump) *self)
{
	struct raw_msg m;
	int small = 1;

	self->fd = raw_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, setsockopt(self->fd, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));

	raw_init(&m, self->family, NLM_F_REQUEST, ORDO_CMD_GET_INFO, 1);
	ASSERT_EQ(0, raw_send(self->fd, &m));

	raw_init(&m, self->family, NLM_F_REQUEST | NLM_F_DUMP,
		 ORDO_CMD_STATS_GET, 2);
	ASSERT_EQ(0, raw_send(self->fd, &m));

	/* the running dump holds one module reference */
	ASSERT_EQ(self->ref0 + 1, ordo_refcnt());
}

TEST_F(dump, unload_refused_until_dump_done)
{
	struct raw_result r;
	int err;

	start_stalled_dump(_metadata, self);

	err = ordo_unload();
	EXPECT_TRUE(err == -EWOULDBLOCK || err == -EBUSY)
		TH_LOG("delete_module: %s", strerror(-err));
	EXPECT_EQ(-EWOULDBLOCK, err);
	ASSERT_TRUE(ordo_loaded());
	EXPECT_LT(0, ordo_refcnt());

	/* read the dump to its end */
	ASSERT_EQ(0, raw_recv_result(self->fd, 2, true, &r));
	EXPECT_TRUE(r.done);
	EXPECT_EQ(0, r.error);
	EXPECT_LT(1, r.replies);
	EXPECT_EQ(self->ref0, ordo_refcnt());
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, ordo_unload());
	EXPECT_FALSE(ordo_loaded());
	ASSERT_EQ(0, ordo_load());
	EXPECT_LT(0, raw_family_id());
}

TEST_F(dump, unload_after_close_mid_dump)
{
	struct ordo_stat st;
	struct ordo *h;
	uint64_t before;
	int err;

	ASSERT_EQ(0, ordo_open(&h));
	ASSERT_EQ(0, ordo_stat_get(h, "stats_dump_requests", &st));
	before = st.value;

	start_stalled_dump(_metadata, self);

	err = ordo_unload();
	EXPECT_EQ(-EWOULDBLOCK, err) TH_LOG("delete_module: %s",
					    strerror(-err));
	ASSERT_TRUE(ordo_loaded());

	/* closing the socket ends the dump (->done) and drops the ref */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(self->ref0, ordo_refcnt());

	ASSERT_EQ(0, ordo_stat_get(h, "stats_dump_requests", &st));
	EXPECT_EQ(before + 1, st.value);
	ordo_close(h);

	ASSERT_EQ(0, ordo_unload());
	EXPECT_FALSE(ordo_loaded());
	ASSERT_EQ(0, ordo_load());
	EXPECT_LT(0, raw_family_id());
}

TEST_HARNESS_MAIN
