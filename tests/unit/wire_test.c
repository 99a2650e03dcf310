// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of <linux/ordo_wire.h>: the ordo clock header's encoding,
 * decoding and validation (one distinct code per reason), and a fuzz run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ordo_wire.h>

#include "../kselftest_harness.h"

static __u64 rnd_state = 0x2545f4914f6cdd1dULL;

static __u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* The example of Documentation/wire-format.rst, byte for byte. */
TEST(doc_hex_examples)
{
	static const __u8 lamport[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x01, 0x00, 0x20,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c,
	};
	static const __u8 vector[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x02, 0x00, 0x30,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x03, 0x00, 0x01,
		0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 0, 0, 0, 0, 1,
	};
	static const __u8 hlc[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x03, 0x00, 0x20,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x05,
		0x17, 0x9d, 0x5a, 0x2b, 0x4c, 0x1a, 0x00, 0x00,
	};
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_LAMPORT,
				     .node_id = 7, .domain = 42, .ts = 300 };
	__u64 vc[3] = { 2, 3, 1 };
	__u8 buf[ORDO_WIRE_MAX_LEN];

	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &in, NULL));
	EXPECT_EQ(0, memcmp(buf, lamport, sizeof(lamport)));
	in.kind = ORDO_WIRE_KIND_VECTOR;
	in.node_id = 2;
	in.vc_n = 3;
	in.vc_index = 1;
	ASSERT_EQ(48, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	EXPECT_EQ(0, memcmp(buf, vector, sizeof(vector)));
	in.kind = ORDO_WIRE_KIND_HLC;
	in.node_id = 7;
	in.hlc_c = 5;
	in.ts = 0x179d5a2b4c1a0000ULL;
	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &in, NULL));
	EXPECT_EQ(0, memcmp(buf, hlc, sizeof(hlc)));
	EXPECT_EQ(32U, sizeof(struct ordo_wire_hdr) + 8);
}

TEST(roundtrip_lamport_hlc)
{
	static const __u64 vals[] = { 0, 1, 0x0123456789abcdefULL, ~0ULL };
	struct ordo_wire_info in = { 0 }, out;
	__u8 buf[64];
	unsigned int i, kind;

	for (kind = ORDO_WIRE_KIND_LAMPORT; kind <= ORDO_WIRE_KIND_HLC; kind++) {
		if (kind == ORDO_WIRE_KIND_VECTOR)
			continue;
		for (i = 0; i < 4; i++) {
			in.kind = kind;
			in.flags = 0x0000beefU;	/* optional flags pass */
			in.node_id = 0xfedcba98U ^ i;
			in.domain = 0x01020304U + i;
			in.ts = vals[i];
			in.hlc_c = kind == ORDO_WIRE_KIND_HLC ? 0xffffffffU - i : 0;
			ASSERT_EQ(32, ordo_wire_encode(buf, 32, &in, NULL));
			ASSERT_EQ(32, ordo_wire_validate(buf, 32));
			ASSERT_EQ(32, ordo_wire_decode(buf, 32, &out, NULL, 0));
			EXPECT_EQ(ORDO_WIRE_VERSION, out.version);
			EXPECT_EQ(kind, out.kind);
			EXPECT_EQ(32, out.hdr_len);
			EXPECT_EQ(in.flags, out.flags);
			EXPECT_EQ(in.node_id, out.node_id);
			EXPECT_EQ(in.domain, out.domain);
			EXPECT_EQ(in.ts, out.ts);
			EXPECT_EQ(in.hlc_c, out.hlc_c);
		}
	}
}

TEST(roundtrip_vector_all_sizes)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR }, out;
	__u64 vc[ORDO_VC_MAX], got[ORDO_VC_MAX];
	__u8 *buf;
	unsigned int n, i;

	for (n = 0; n <= ORDO_VC_MAX; n++) {
		for (i = 0; i < n; i++)
			vc[i] = rnd();
		in.vc_n = n;
		in.vc_index = n ? n - 1 - (unsigned int)(rnd() % n) : 0;
		in.node_id = n;
		in.domain = 99;
		/* exactly the header's size, so ASan sees any over-read */
		buf = malloc(ORDO_WIRE_VC_LEN(n));
		ASSERT_NE(NULL, buf);
		if (n == 0) {
			/* a domain has at least its sender: index 0 >= n */
			EXPECT_EQ(ORDO_WIRE_E_VC_INDEX,
				  ordo_wire_encode(buf, ORDO_WIRE_VC_LEN(0), &in, vc));
			free(buf);
			continue;
		}
		ASSERT_EQ((int)ORDO_WIRE_VC_LEN(n),
			  ordo_wire_encode(buf, ORDO_WIRE_VC_LEN(n), &in, vc));
		EXPECT_EQ(ORDO_WIRE_E_NOSPACE,
			  ordo_wire_decode(buf, ORDO_WIRE_VC_LEN(n), &out, got, n - 1));
		memset(got, 0, sizeof(got));
		ASSERT_EQ((int)ORDO_WIRE_VC_LEN(n),
			  ordo_wire_decode(buf, ORDO_WIRE_VC_LEN(n), &out, got, ORDO_VC_MAX));
		EXPECT_EQ(n, out.vc_n);
		EXPECT_EQ(in.vc_index, out.vc_index);
		EXPECT_EQ(n, out.node_id);
		EXPECT_EQ(0, memcmp(vc, got, n * sizeof(vc[0])));
		EXPECT_EQ(ORDO_WIRE_E_NOSPACE,
			  ordo_wire_encode(buf, ORDO_WIRE_VC_LEN(n) - 1, &in, vc));
		free(buf);
	}
	in.vc_n = ORDO_VC_MAX + 1;
	EXPECT_EQ(ORDO_WIRE_E_VC_N, ordo_wire_encode(got, sizeof(got), &in, vc));
	EXPECT_EQ(0U, ordo_wire_hdr_len(ORDO_WIRE_KIND_VECTOR, ORDO_VC_MAX + 1));
	EXPECT_EQ(0U, ordo_wire_hdr_len(0, 0));
	EXPECT_EQ(0U, ordo_wire_hdr_len(4, 0));
	EXPECT_EQ(32U, ordo_wire_hdr_len(ORDO_WIRE_KIND_HLC, 9));
}

static int mk(__u8 *buf, unsigned int kind, unsigned int n)
{
	struct ordo_wire_info in = { .kind = kind, .vc_n = n, .ts = 5 };
	__u64 vc[ORDO_VC_MAX] = { 0 };

	return ordo_wire_encode(buf, ORDO_WIRE_MAX_LEN, &in, vc);
}

TEST(every_failure_has_its_code)
{
	__u8 b[ORDO_WIRE_MAX_LEN + 16];
	int codes[ORDO_WIRE_E_CNT] = { 0 };
	int i, j;

	ASSERT_EQ(32, mk(b, ORDO_WIRE_KIND_LAMPORT, 0));
	EXPECT_EQ(ORDO_WIRE_E_SHORT, ordo_wire_validate(b, 7));
	EXPECT_EQ(ORDO_WIRE_E_SHORT, ordo_wire_validate(b, 0));
	EXPECT_EQ(ORDO_WIRE_E_TRUNC, ordo_wire_validate(b, 8));
	EXPECT_EQ(ORDO_WIRE_E_TRUNC, ordo_wire_validate(b, 31));
	EXPECT_EQ(32, ordo_wire_validate(b, 1500));	/* payload follows */
	b[0] ^= 1;
	EXPECT_EQ(ORDO_WIRE_E_MAGIC, ordo_wire_validate(b, 32));
	b[0] ^= 1;
	b[4] = 2;
	EXPECT_EQ(ORDO_WIRE_E_VERSION, ordo_wire_validate(b, 32));
	b[4] = 0;
	EXPECT_EQ(ORDO_WIRE_E_VERSION, ordo_wire_validate(b, 32));
	b[4] = 1;
	b[5] = 0;
	EXPECT_EQ(ORDO_WIRE_E_KIND, ordo_wire_validate(b, 32));
	b[5] = 4;
	EXPECT_EQ(ORDO_WIRE_E_KIND, ordo_wire_validate(b, 32));
	b[5] = ORDO_WIRE_KIND_LAMPORT;
	b[7] = 24;		/* hdr_len below the Lamport size */
	EXPECT_EQ(ORDO_WIRE_E_HDR_SMALL, ordo_wire_validate(b, 32));
	b[7] = 40;		/* larger than 32, within the maximum */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(b, 64));
	b[6] = 0x10;		/* 4136 */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LARGE, ordo_wire_validate(b, 8192));
	b[6] = 0;
	b[7] = 32;
	b[8] = 0x80;		/* critical flag bit 31 */
	EXPECT_EQ(ORDO_WIRE_E_FLAGS, ordo_wire_validate(b, 32));
	b[8] = 0;
	b[11] = 0x80;		/* optional flag bit 7: ignored */
	EXPECT_EQ(32, ordo_wire_validate(b, 32));
	b[21] = 1;
	EXPECT_EQ(ORDO_WIRE_E_RESERVED, ordo_wire_validate(b, 32));

	ASSERT_EQ(48, mk(b, ORDO_WIRE_KIND_VECTOR, 3));
	EXPECT_EQ(48, ordo_wire_validate(b, 48));
	EXPECT_EQ(ORDO_WIRE_E_TRUNC, ordo_wire_validate(b, 47));
	b[7] = 16;
	EXPECT_EQ(ORDO_WIRE_E_HDR_SMALL, ordo_wire_validate(b, 48));
	b[7] = 56;		/* n says 3: 48 */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(b, 56));
	b[7] = 44;		/* not a multiple of 8 */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(b, 48));
	b[7] = 48;
	b[21] = ORDO_VC_MAX + 1;
	EXPECT_EQ(ORDO_WIRE_E_VC_N, ordo_wire_validate(b, 48));
	b[21] = 3;
	b[23] = 3;		/* index == n */
	EXPECT_EQ(ORDO_WIRE_E_VC_INDEX, ordo_wire_validate(b, 48));
	b[21] = 0;		/* n == 0 */
	b[23] = 0;
	b[7] = 24;
	EXPECT_EQ(ORDO_WIRE_E_VC_INDEX, ordo_wire_validate(b, 48));

	/* distinct values and names, indexable as -code - 1 */
	for (i = 0; i < ORDO_WIRE_E_CNT; i++) {
		codes[i] = -i - 1;
		EXPECT_STRNE("?", ordo_wire_strerror(codes[i]));
		for (j = 0; j < i; j++) {
			EXPECT_STRNE(ordo_wire_strerror(codes[j]),
				     ordo_wire_strerror(codes[i]));
		}
	}
	EXPECT_STREQ("?", ordo_wire_strerror(-ORDO_WIRE_E_CNT - 1));
	EXPECT_STREQ("?", ordo_wire_strerror(0));
}

/* An independent statement of "well-formed", for the fuzz run. */
static int ref_check(const __u8 *p, unsigned int len)
{
	unsigned int hl, n;

	if (len < 8 || p[0] != 'O' || p[1] != 'R' || p[2] != 'D' || p[3] != 'O')
		return 0;
	if (p[4] != 1 || p[5] < 1 || p[5] > 3)
		return 0;
	hl = p[6] * 256u + p[7];
	if (hl > len)
		return 0;
	if (p[5] != 2) {
		if (hl != 32 || (p[8] & 0xff) || p[9])
			return 0;
		return p[5] == 3 || !(p[20] | p[21] | p[22] | p[23]);
	}
	if (hl < 24)
		return 0;
	n = p[20] * 256u + p[21];
	if (n > 64 || hl != 24 + 8 * n || p[22] * 256u + p[23] >= n)
		return 0;
	return !p[8] && !p[9];
}

TEST(fuzz_never_crashes_never_accepts_garbage)
{
	struct ordo_wire_info info;
	__u64 vc[ORDO_VC_MAX];
	unsigned int iter, len, i, valid = 0;
	__u8 *buf;
	int ret;

	for (iter = 0; iter < 5000; iter++) {
		len = rnd() % 600;
		buf = malloc(len ? len : 1);	/* exact size: ASan */
		ASSERT_NE(NULL, buf);
		for (i = 0; i < len; i++)
			buf[i] = (__u8)rnd();
		/* most buffers get a plausible prefix, to go deeper */
		if (len >= 24 && rnd() % 4) {
			memcpy(buf, "ORDO", 4);
			buf[4] = rnd() % 8 ? 1 : (__u8)rnd();
			buf[5] = rnd() % 4;
			buf[6] = rnd() % 8 ? 0 : (__u8)rnd();
			buf[7] = rnd() % 2 ? 32 : (__u8)(24 + 8 * (rnd() % 8));
			if (rnd() % 2)
				memset(buf + 8, 0, 4);
			buf[20] = 0;
			buf[21] = rnd() % 8;
			buf[22] = 0;
			buf[23] = rnd() % 8;
		}
		ret = ordo_wire_validate(buf, len);
		if (ref_check(buf, len)) {
			ASSERT_EQ(buf[6] * 256 + buf[7], ret);
			valid++;
		} else {
			ASSERT_GT(0, ret);
			ASSERT_LE(-ORDO_WIRE_E_CNT, ret);
		}
		ret = ordo_wire_decode(buf, len, &info, vc, ORDO_VC_MAX);
		ASSERT_EQ(ref_check(buf, len) ? buf[6] * 256 + buf[7] : ret, ret);
		free(buf);
	}
	/* the run did exercise the accepting path */
	EXPECT_LT(50U, valid);
}

TEST_HARNESS_MAIN
