// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of <linux/ordo_app.h>: the daemons' application header,
 * byte for byte (the example of Documentation/wire-format.rst), every
 * malformed case with its own code, encode refusals, and a fuzz run
 * against an independent statement of "well-formed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ordo_app.h>

#include "../kselftest_harness.h"

static __u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static __u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* The example of Documentation/wire-format.rst: a Ricart-Agrawala
 * request from node 3, xid 0x01020304, retransmitted, 2-byte body. */
TEST(doc_hex_example)
{
	static const __u8 want[] = {
		0x01, 0x03, 0x01, 0x0a, 0x00, 0x00, 0x00, 0x03,
		0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x02,
		0x08, 0x07,
	};
	struct ordo_app_info in = {
		.proto = ORDO_APP_PROTO_MUTEX_RA, .type = 1,
		.flags = ORDO_APP_F_REQUEST | ORDO_APP_F_RETX,
		.sender = 3, .xid = 0x01020304, .body_len = 2,
	}, out;
	__u8 buf[18];

	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ(ORDO_APP_HDR_LEN, ordo_app_encode(buf, sizeof(buf), &in));
	buf[16] = 0x08;
	buf[17] = 0x07;
	EXPECT_EQ(0, memcmp(buf, want, sizeof(want)));
	ASSERT_EQ(16, ordo_app_decode(want, sizeof(want), &out));
	EXPECT_EQ(1, out.version);
	EXPECT_EQ(ORDO_APP_PROTO_MUTEX_RA, out.proto);
	EXPECT_EQ(1, out.type);
	EXPECT_EQ(ORDO_APP_F_REQUEST | ORDO_APP_F_RETX, out.flags);
	EXPECT_EQ(3U, out.sender);
	EXPECT_EQ(0x01020304U, out.xid);
	EXPECT_EQ(2U, out.body_len);
}

/* A heartbeat with an empty body, all fields at their extremes. */
TEST(roundtrip_extremes)
{
	struct ordo_app_info in = {
		.proto = ORDO_APP_PROTO_CLOCKSYNC, .type = 255,
		.flags = ORDO_APP_F_REPLY | ORDO_APP_F_RETX | ORDO_APP_F_OPDONE,
		.sender = 0xffffffffU, .xid = 0xfffffffeU, .body_len = 0,
	}, out;
	__u8 buf[16];

	ASSERT_EQ(16, ordo_app_encode(buf, sizeof(buf), &in));
	ASSERT_EQ(16, ordo_app_decode(buf, 16, &out));
	in.version = ORDO_APP_VERSION;
	EXPECT_EQ(0, memcmp(&in, &out, sizeof(in)));
	EXPECT_EQ(0xff, buf[4]);
	EXPECT_EQ(0xfe, buf[11]);
}

TEST(every_proto_named)
{
	static const __u8 protos[] = { 0, 1, 2, 3, 4, 5, 16, 17, 32, 48 };
	static const char *const names[] = {
		"rt", "mutex_central", "mutex_ring", "mutex_ra",
		"mutex_lamport", "mutex_vote", "elect_bully", "elect_ring",
		"raft", "clocksync",
	};
	unsigned int p, i, known = 0;

	for (i = 0; i < sizeof(protos); i++) {
		EXPECT_EQ(1, ordo_app_proto_known(protos[i]));
		EXPECT_STREQ(names[i], ordo_app_proto_name(protos[i]));
	}
	for (p = 0; p < 256; p++)
		known += ordo_app_proto_known(p);
	EXPECT_EQ(sizeof(protos), known);
	EXPECT_STREQ("?", ordo_app_proto_name(6));
	EXPECT_GT(ORDO_APP_PROTO_MAX, ORDO_APP_PROTO_CLOCKSYNC);
}

/* Every malformed case, in the documented order, with its own code. */
TEST(every_failure_has_its_code)
{
	struct ordo_app_info in = { .proto = ORDO_APP_PROTO_RT, .type = 1,
				    .sender = 1, .xid = 9, .body_len = 4 };
	struct ordo_app_info out;
	int codes[ORDO_APP_E_CNT] = { 0 };
	__u8 b[20];
	int i, j;

	ASSERT_EQ(16, ordo_app_encode(b, sizeof(b), &in));
	memset(b + 16, 0, 4);
	EXPECT_EQ(16, ordo_app_validate(b, 20));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(ORDO_APP_E_SHORT, ordo_app_validate(b, i));
	EXPECT_EQ(ORDO_APP_E_LEN, ordo_app_validate(b, 16));
	EXPECT_EQ(ORDO_APP_E_LEN, ordo_app_validate(b, 19));
	EXPECT_EQ(ORDO_APP_E_LEN, ordo_app_validate(b, 21));
	b[0] = 2;
	EXPECT_EQ(ORDO_APP_E_VERSION, ordo_app_validate(b, 20));
	b[0] = 0;
	EXPECT_EQ(ORDO_APP_E_VERSION, ordo_app_validate(b, 20));
	b[0] = 1;
	b[1] = 6;
	EXPECT_EQ(ORDO_APP_E_PROTO, ordo_app_validate(b, 20));
	b[1] = 255;
	EXPECT_EQ(ORDO_APP_E_PROTO, ordo_app_validate(b, 20));
	b[1] = 0;
	for (i = 4; i < 8; i++) {
		b[3] = (__u8)(1 << i);
		EXPECT_EQ(ORDO_APP_E_FLAGS, ordo_app_validate(b, 20));
	}
	b[3] = ORDO_APP_F_REPLY | ORDO_APP_F_REQUEST;
	EXPECT_EQ(ORDO_APP_E_REPLY, ordo_app_validate(b, 20));
	b[3] = ORDO_APP_F_KNOWN & ~ORDO_APP_F_REQUEST;
	EXPECT_EQ(16, ordo_app_validate(b, 20));
	/* a body_len that wraps does not pass */
	b[12] = 0xff;
	b[13] = 0xff;
	b[14] = 0xff;
	b[15] = 0xf4;
	EXPECT_EQ(ORDO_APP_E_LEN, ordo_app_validate(b, 20));
	/* decode leaves @out alone on error */
	memset(&out, 0x5a, sizeof(out));
	EXPECT_EQ(ORDO_APP_E_LEN, ordo_app_decode(b, 20, &out));
	EXPECT_EQ(0x5a, out.proto);

	/* encode refuses what validate would */
	in.proto = 7;
	EXPECT_EQ(ORDO_APP_E_PROTO, ordo_app_encode(b, sizeof(b), &in));
	in.proto = 1;
	in.flags = 0x10;
	EXPECT_EQ(ORDO_APP_E_FLAGS, ordo_app_encode(b, sizeof(b), &in));
	in.flags = ORDO_APP_F_REPLY | ORDO_APP_F_REQUEST;
	EXPECT_EQ(ORDO_APP_E_REPLY, ordo_app_encode(b, sizeof(b), &in));
	in.flags = 0;
	memset(b, 0x77, sizeof(b));
	EXPECT_EQ(ORDO_APP_E_NOSPACE, ordo_app_encode(b, 15, &in));
	EXPECT_EQ(0x77, b[0]);		/* nothing written */

	/* distinct, named, indexable as -code - 1 */
	for (i = 0; i < ORDO_APP_E_CNT; i++) {
		int code = -i - 1;

		EXPECT_STRNE("?", ordo_app_strerror(code));
		codes[i] = code;
		for (j = 0; j < i; j++)
			EXPECT_NE(codes[j], codes[i]);
	}
	EXPECT_STREQ("?", ordo_app_strerror(-ORDO_APP_E_CNT - 1));
	EXPECT_STREQ("?", ordo_app_strerror(0));
}

/* An independent statement of "well-formed". */
static int ref_check(const __u8 *p, unsigned int len)
{
	static const __u8 protos[] = { 0, 1, 2, 3, 4, 5, 16, 17, 32, 48 };
	unsigned int i, ok = 0;

	if (len < 16 || p[0] != 1)
		return 0;
	for (i = 0; i < sizeof(protos); i++)
		ok |= p[1] == protos[i];
	if (!ok || p[3] > 15 || (p[3] & 9) == 9)
		return 0;
	return ((unsigned int)p[12] << 24 | (unsigned int)p[13] << 16 |
		(unsigned int)p[14] << 8 | p[15]) == len - 16;
}

TEST(fuzz)
{
	struct ordo_app_info info;
	unsigned int iter, len, i, valid = 0;
	__u8 *buf;
	int ret;

	for (iter = 0; iter < 20000; iter++) {
		len = rnd() % 64;
		buf = malloc(len ? len : 1);	/* exact size: ASan */
		ASSERT_NE(NULL, buf);
		for (i = 0; i < len; i++)
			buf[i] = (__u8)rnd();
		if (len >= 16 && rnd() % 2) {	/* mostly well-formed */
			buf[0] = 1;
			buf[1] = rnd() % 2 ? 3 : (__u8)(rnd() % 50);
			buf[3] = (__u8)(rnd() % 20);
			buf[12] = buf[13] = buf[14] = 0;
			buf[15] = rnd() % 4 ? (__u8)(len - 16) : (__u8)rnd();
		}
		ret = ordo_app_validate(buf, len);
		if (ref_check(buf, len)) {
			ASSERT_EQ(16, ret);
			ASSERT_EQ(16, ordo_app_decode(buf, len, &info));
			ASSERT_EQ(len - 16, info.body_len);
			valid++;
		} else {
			ASSERT_GT(0, ret);
			ASSERT_LE(-ORDO_APP_E_CNT, ret);
			ASSERT_EQ(ret, ordo_app_decode(buf, len, &info));
		}
		free(buf);
	}
	EXPECT_LT(500U, valid);
}

TEST_HARNESS_MAIN
