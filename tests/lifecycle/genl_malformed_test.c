// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed generic netlink requests to the "ordo" family.
 *
 * Every request is built by hand (nl_raw.h) and sent with NETLINK_EXT_ACK
 * and NETLINK_GET_STRICT_CHK set.  The expected errno and extack message
 * are those of Linux 6.1: net/netlink/genetlink.c (genl_family_rcv_msg,
 * genl_header_check, genl_op_fill_in_reject_policy) and lib/nlattr.c
 * (__nla_validate_parse, validate_nla), with strict validation because the
 * family has resv_start_op == 0.
 */
#include "nl_raw.h"

#include "../kselftest_harness.h"

#define OFF_ATTRS	(NLMSG_HDRLEN + GENL_HDRLEN)	/* first attribute */
#define F_REQ		(NLM_F_REQUEST | NLM_F_ACK)

/* lib/nlattr.c messages */
#define MSG_POLICY	"Attribute failed policy validation"
#define MSG_UNKNOWN	"Unknown attribute type"
#define MSG_UNSUPP	"Unsupported attribute"
#define MSG_LEFTOVER	"bytes leftover after parsing attributes"
#define MSG_NESTED	"NLA_F_NESTED not expected"

FIXTURE(malformed) {
	int family;
	uint32_t seq;
	struct raw_msg m;
	struct raw_result r;
};

FIXTURE_SETUP(malformed)
{
	self->family = raw_family_id();
	ASSERT_LT(0, self->family) TH_LOG("ordo family: %s",
					  ordo_strerror(self->family));
	self->seq = 1000;
}

FIXTURE_TEARDOWN(malformed)
{
	struct ordo_info info;
	struct ordo *h;

	/* The module must still answer after every malformed request. */
	ASSERT_EQ(0, ordo_open(&h));
	EXPECT_EQ(0, ordo_get_info(h, &info));
	EXPECT_STREQ(ORDO_VERSION, info.version);
	ordo_close(h);
}

static void req(FIXTURE_DATA(malformed) *self, uint16_t flags, uint8_t cmd)
{
	raw_init(&self->m, self->family, flags, cmd, ++self->seq);
}

#define SEND(self) \
	ASSERT_EQ(0, raw_request(&(self)->m, &(self)->r))

#define EXPECT_EXTACK(self, text) do {				\
	EXPECT_TRUE((self)->r.has_msg);				\
	EXPECT_STREQ(text, (self)->r.msg);			\
} while (0)

/* Baselines: the hand-built requests are well formed when left alone. */
TEST_F(malformed, baseline_get_info)
{
	req(self, F_REQ, ORDO_CMD_GET_INFO);
	SEND(self);
	EXPECT_EQ(0, self->r.error);
	EXPECT_EQ(1, self->r.replies);
	EXPECT_FALSE(self->r.has_msg);
}

TEST_F(malformed, baseline_stats_get)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME, "get_info_requests");
	SEND(self);
	EXPECT_EQ(0, self->r.error);
	EXPECT_EQ(1, self->r.replies);
}

TEST_F(malformed, baseline_dump)
{
	req(self, F_REQ | NLM_F_DUMP, ORDO_CMD_STATS_GET);
	SEND(self);
	EXPECT_TRUE(self->r.done);
	EXPECT_EQ(0, self->r.error);
	EXPECT_LT(1, self->r.replies);
}

/* A dump filtered by name returns that one statistic. */
TEST_F(malformed, baseline_dump_filtered)
{
	req(self, F_REQ | NLM_F_DUMP, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME, "get_info_errors");
	SEND(self);
	EXPECT_TRUE(self->r.done);
	EXPECT_EQ(0, self->r.error);
	EXPECT_EQ(1, self->r.replies);
}

/* GET_INFO has no policy: the core's reject-all policy has maxattr 1. */
TEST_F(malformed, get_info_attr_rejected)
{
	req(self, F_REQ, ORDO_CMD_GET_INFO);
	raw_put_str(&self->m, ORDO_A_VERSION, "1.0");
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_POLICY);
	EXPECT_TRUE(self->r.has_offs);
	EXPECT_EQ((uint32_t)OFF_ATTRS, self->r.offs);
}

TEST_F(malformed, get_info_unknown_attr)
{
	uint64_t caps = 0;

	req(self, F_REQ, ORDO_CMD_GET_INFO);
	raw_put_attr(&self->m, ORDO_A_CAPS, &caps, sizeof(caps));
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_UNKNOWN);
	EXPECT_EQ((uint32_t)OFF_ATTRS, self->r.offs);
}

TEST_F(malformed, stats_unknown_attr_type)
{
	uint32_t v = 1;

	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME, "get_info_requests");
	raw_put_attr(&self->m, 200, &v, sizeof(v));
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_UNKNOWN);
	EXPECT_EQ((uint32_t)(OFF_ATTRS + NLA_ALIGN(NLA_HDRLEN + sizeof("get_info_requests"))),
		  self->r.offs);
}

/* Known type, but not in STATS_GET's policy (NLA_UNSPEC, strict). */
TEST_F(malformed, stats_attr_not_in_policy)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_VERSION, "0.1.0");
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_UNSUPP);
}

TEST_F(malformed, stat_name_without_nul)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_attr(&self->m, ORDO_A_STAT_NAME, "get_info_requests",
		     strlen("get_info_requests"));
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_POLICY);
	EXPECT_EQ((uint32_t)OFF_ATTRS, self->r.offs);
}

TEST_F(malformed, stat_name_empty)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_attr(&self->m, ORDO_A_STAT_NAME, NULL, 0);
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_POLICY);
}

/* ORDO_STAT_NAME_LEN - 1 characters pass the policy, one more does not. */
TEST_F(malformed, stat_name_too_long)
{
	char name[ORDO_STAT_NAME_LEN + 1];

	memset(name, 'a', sizeof(name));
	name[ORDO_STAT_NAME_LEN - 1] = '\0';
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME, name);
	SEND(self);
	EXPECT_EQ(-ENOENT, self->r.error);	/* valid, but no such stat */
	EXPECT_EXTACK(self, "unknown statistic");

	name[ORDO_STAT_NAME_LEN - 1] = 'a';
	name[ORDO_STAT_NAME_LEN] = '\0';
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME, name);
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_POLICY);
}

TEST_F(malformed, stat_name_nested_flag)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME | NLA_F_NESTED,
		    "get_info_requests");
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_NESTED);
}

TEST_F(malformed, stat_name_missing)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, "statistic name (ORDO_A_STAT_NAME) required");
	EXPECT_TRUE(self->r.has_miss_type);
	EXPECT_EQ((uint32_t)ORDO_A_STAT_NAME, self->r.miss_type);
}

TEST_F(malformed, stat_unknown_name)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME, "no_such_statistic");
	SEND(self);
	EXPECT_EQ(-ENOENT, self->r.error);
	EXPECT_EXTACK(self, "unknown statistic");
	EXPECT_EQ((uint32_t)OFF_ATTRS, self->r.offs);
}

/* nla_len claims more than the message holds: nla_ok() stops the parse
 * with bytes left over, which strict validation rejects.
 */
TEST_F(malformed, attr_past_message_end)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_attr_len(&self->m, ORDO_A_STAT_NAME, 200, "abc", 4);
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_LEFTOVER);
}

TEST_F(malformed, attr_len_below_header)
{
	req(self, F_REQ, ORDO_CMD_STATS_GET);
	raw_put_attr_len(&self->m, ORDO_A_STAT_NAME, 2, "abc", 4);
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_LEFTOVER);
}

/* genl_family_rcv_msg() returns -EINVAL without a message. */
TEST_F(malformed, shorter_than_genl_header)
{
	req(self, F_REQ, ORDO_CMD_GET_INFO);
	self->m.len = NLMSG_HDRLEN + 2;
	self->m.nlh.nlmsg_len = self->m.len;
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_FALSE(self->r.has_msg);
}

TEST_F(malformed, genl_reserved_nonzero)
{
	struct genlmsghdr *g;

	req(self, F_REQ, ORDO_CMD_GET_INFO);
	g = (struct genlmsghdr *)(self->m.buf + NLMSG_HDRLEN);
	g->reserved = 1;
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, "genlmsghdr.reserved field is not 0");
}

TEST_F(malformed, reserved_nlmsg_flags)
{
	req(self, F_REQ | NLM_F_CREATE, ORDO_CMD_GET_INFO);
	SEND(self);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, "ambiguous or reserved bits set in nlmsg_flags");
}

/* genl_get_cmd() fails: -EOPNOTSUPP, no message. */
TEST_F(malformed, unknown_command)
{
	req(self, F_REQ, ORDO_CMD_MAX + 1);
	SEND(self);
	EXPECT_EQ(-EOPNOTSUPP, self->r.error);
	EXPECT_FALSE(self->r.has_msg);

	req(self, F_REQ, ORDO_CMD_UNSPEC);
	SEND(self);
	EXPECT_EQ(-EOPNOTSUPP, self->r.error);
}

/* GET_INFO has no dumpit: -EOPNOTSUPP from genl_family_rcv_msg_dumpit(). */
TEST_F(malformed, dump_without_dumpit)
{
	req(self, F_REQ | NLM_F_DUMP, ORDO_CMD_GET_INFO);
	SEND(self);
	EXPECT_FALSE(self->r.done);
	EXPECT_EQ(-EOPNOTSUPP, self->r.error);
}

/* genl_start() validates dump attributes strictly; the dump never starts
 * and the error comes back as an NLMSG_ERROR with the extack.
 */
TEST_F(malformed, dump_unknown_attr)
{
	uint32_t v = 7;

	req(self, F_REQ | NLM_F_DUMP, ORDO_CMD_STATS_GET);
	raw_put_attr(&self->m, 200, &v, sizeof(v));
	SEND(self);
	EXPECT_FALSE(self->r.done);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_UNKNOWN);
}

TEST_F(malformed, dump_name_without_nul)
{
	req(self, F_REQ | NLM_F_DUMP, ORDO_CMD_STATS_GET);
	raw_put_attr(&self->m, ORDO_A_STAT_NAME, "abcd", 4);
	SEND(self);
	EXPECT_FALSE(self->r.done);
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_EXTACK(self, MSG_POLICY);
}

/* An error from the dumpit itself ends the dump in NLMSG_DONE. */
TEST_F(malformed, dump_unknown_name)
{
	req(self, F_REQ | NLM_F_DUMP, ORDO_CMD_STATS_GET);
	raw_put_str(&self->m, ORDO_A_STAT_NAME, "no_such_statistic");
	SEND(self);
	EXPECT_TRUE(self->r.done);
	EXPECT_EQ(-ENOENT, self->r.error);
	EXPECT_EQ(0, self->r.replies);
	EXPECT_EXTACK(self, "unknown statistic");
}

TEST_HARNESS_MAIN
