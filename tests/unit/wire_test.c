// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of <linux/ordo_wire.h>: the ordo clock header's encoding,
 * decoding and validation (one distinct code per reason), vector entries
 * in 32 bits (ORDO_WIRE_F_VC32, its pad) and in 64, and a fuzz run.
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
	/* [2, 3, 1]: 32-bit entries (what the encoder writes), then 64 */
	static const __u8 vector[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x02, 0x00, 0x28,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x03, 0x00, 0x01,
		0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0,
	};
	static const __u8 vector64[] = {
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
	struct ordo_wire_info out;
	__u64 vc[3] = { 2, 3, 1 }, got[3];
	__u8 buf[ORDO_WIRE_MAX_LEN];

	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &in, NULL));
	EXPECT_EQ(0, memcmp(buf, lamport, sizeof(lamport)));
	in.kind = ORDO_WIRE_KIND_VECTOR;
	in.node_id = 2;
	in.vc_n = 3;
	in.vc_index = 1;
	ASSERT_EQ(40, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	EXPECT_EQ(0, memcmp(buf, vector, sizeof(vector)));
	/* both decode to the same header and vector */
	ASSERT_EQ(40, ordo_wire_decode(vector, sizeof(vector), &out, got, 3));
	EXPECT_EQ(ORDO_WIRE_F_VC32, out.flags);
	EXPECT_EQ(0, memcmp(vc, got, sizeof(vc)));
	memset(got, 0, sizeof(got));
	ASSERT_EQ(48, ordo_wire_decode(vector64, sizeof(vector64), &out, got, 3));
	EXPECT_EQ(0U, out.flags);
	EXPECT_EQ(3, out.vc_n);
	EXPECT_EQ(1, out.vc_index);
	EXPECT_EQ(2U, out.node_id);
	EXPECT_EQ(42U, out.domain);
	EXPECT_EQ(0, memcmp(vc, got, sizeof(vc)));
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

/* One vector of @n entries, 64-bit (@wide) or 32-bit, there and back. */
static void roundtrip_vector(struct __test_metadata *_metadata,
			     unsigned int n, int wide)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR }, out;
	__u64 vc[ORDO_VC_MAX], got[ORDO_VC_MAX];
	__u8 again[ORDO_WIRE_MAX_LEN], *buf;
	unsigned int i, len;

	for (i = 0; i < n; i++)
		vc[i] = wide ? rnd() >> (rnd() % 64) :
			       rnd() >> (32 + rnd() % 32);
	if (n && wide)
		vc[rnd() % n] = 0x100000000ULL + (rnd() >> 32);
	if (n && !wide && rnd() % 2)
		vc[rnd() % n] = 0xffffffffULL;
	in.vc_n = n;
	in.vc_index = n ? n - 1 - (unsigned int)(rnd() % n) : 0;
	in.node_id = n;
	in.domain = 99;
	in.flags = wide ? ORDO_WIRE_F_VC32 : 0;	/* ignored either way */
	len = wide ? ORDO_WIRE_VC_LEN(n) : ORDO_WIRE_VC32_LEN(n);
	EXPECT_EQ(len, ordo_wire_enc_len(ORDO_WIRE_KIND_VECTOR, vc, n));
	EXPECT_EQ(ORDO_WIRE_VC_LEN(n),
		  ordo_wire_hdr_len(ORDO_WIRE_KIND_VECTOR, n));
	EXPECT_EQ(0U, len % 8);
	/* exactly the header's size, so ASan sees any over-read */
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	if (n == 0) {
		/* a domain has at least its sender: index 0 >= n */
		EXPECT_EQ(ORDO_WIRE_E_VC_INDEX,
			  ordo_wire_encode(buf, len, &in, vc));
		free(buf);
		return;
	}
	EXPECT_EQ(ORDO_WIRE_E_NOSPACE, ordo_wire_encode(buf, len - 1, &in, vc));
	ASSERT_EQ((int)len, ordo_wire_encode(buf, len, &in, vc));
	EXPECT_EQ(wide ? 0U : ORDO_WIRE_F_VC32,
		  ordo_wire_get32(buf + ORDO_WIRE_OFF_FLAGS));
	EXPECT_EQ((int)len, ordo_wire_validate(buf, len));
	EXPECT_EQ(ORDO_WIRE_E_TRUNC, ordo_wire_validate(buf, len - 1));
	EXPECT_EQ(ORDO_WIRE_E_NOSPACE,
		  ordo_wire_decode(buf, len, &out, got, n - 1));
	memset(got, 0, sizeof(got));
	ASSERT_EQ((int)len, ordo_wire_decode(buf, len, &out, got, ORDO_VC_MAX));
	EXPECT_EQ(len, out.hdr_len);
	EXPECT_EQ(wide ? 0U : ORDO_WIRE_F_VC32, out.flags);
	EXPECT_EQ(n, out.vc_n);
	EXPECT_EQ(in.vc_index, out.vc_index);
	EXPECT_EQ(n, out.node_id);
	EXPECT_EQ(0, memcmp(vc, got, n * sizeof(vc[0])));
	/* what was decoded encodes to the same bytes */
	ASSERT_EQ((int)len, ordo_wire_encode(again, sizeof(again), &out, got));
	EXPECT_EQ(0, memcmp(buf, again, len));
	free(buf);
}

/*
 * Every n, both encodings: entries that all fit in 32 bits (up to
 * U32_MAX) go out as u32 with VC32, a vector with one entry above U32_MAX
 * (at a random position) as u64 without it; both decode to what was sent.
 */
TEST(roundtrip_vector_all_sizes)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR };
	__u64 vc[ORDO_VC_MAX] = { 0 }, got[ORDO_VC_MAX];
	unsigned int n;

	for (n = 0; n <= ORDO_VC_MAX; n++) {
		roundtrip_vector(_metadata, n, 0);
		roundtrip_vector(_metadata, n, 1);
	}
	in.vc_n = ORDO_VC_MAX + 1;
	EXPECT_EQ(ORDO_WIRE_E_VC_N, ordo_wire_encode(got, sizeof(got), &in, vc));
	EXPECT_EQ(0U, ordo_wire_hdr_len(ORDO_WIRE_KIND_VECTOR, ORDO_VC_MAX + 1));
	EXPECT_EQ(0U, ordo_wire_enc_len(ORDO_WIRE_KIND_VECTOR, vc,
					ORDO_VC_MAX + 1));
	EXPECT_EQ(0U, ordo_wire_hdr_len(0, 0));
	EXPECT_EQ(0U, ordo_wire_hdr_len(4, 0));
	EXPECT_EQ(0U, ordo_wire_enc_len(4, NULL, 0));
	EXPECT_EQ(32U, ordo_wire_hdr_len(ORDO_WIRE_KIND_HLC, 9));
	EXPECT_EQ(32U, ordo_wire_enc_len(ORDO_WIRE_KIND_HLC, NULL, 9));
	EXPECT_EQ(32U, ordo_wire_enc_len(ORDO_WIRE_KIND_LAMPORT, NULL, 0));
	EXPECT_EQ(280, ORDO_WIRE_VC32_LEN(ORDO_VC_MAX));
}

/* 32-bit entries whenever every entry fits, byte for byte. */
TEST(vc32_when_entries_fit)
{
	static const __u8 want[] = {
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x02, 0x00, 0x28,
		0x00, 0x01, 0x12, 0x34, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x04, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
		0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x07,
	};
	struct ordo_wire_info in = {
		.kind = ORDO_WIRE_KIND_VECTOR, .node_id = 5, .domain = 42,
		.vc_n = 4, .vc_index = 2, .flags = 0x1234,	/* optional */
	};
	__u64 vc[4] = { 0, 0xffffffffULL, 0x01020304ULL, 7 };
	__u8 buf[ORDO_WIRE_MAX_LEN];

	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ(1, ordo_wire_vc_fits32(vc, 4));
	EXPECT_EQ(40U, ordo_wire_enc_len(ORDO_WIRE_KIND_VECTOR, vc, 4));
	EXPECT_EQ(56U, ordo_wire_hdr_len(ORDO_WIRE_KIND_VECTOR, 4));
	ASSERT_EQ(40, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	EXPECT_EQ(0, memcmp(buf, want, sizeof(want)));
	EXPECT_EQ(0xee, buf[40]);	/* nothing written past hdr_len */
	/* the 8-entry vector of the 1400-byte benchmark: 56 bytes, not 88 */
	in.vc_n = 8;
	memset(vc, 0, sizeof(vc));
	{
		__u64 v8[8] = { 1, 2, 3, 4, 5, 6, 7, 0xfffffffeULL };

		ASSERT_EQ(56, ordo_wire_encode(buf, sizeof(buf), &in, v8));
		EXPECT_EQ(88U, ordo_wire_hdr_len(ORDO_WIRE_KIND_VECTOR, 8));
	}
}

/* One entry above U32_MAX, wherever it is: every entry in 64 bits. */
TEST(u64_fallback_when_one_entry_above_u32)
{
	struct ordo_wire_info in = {
		.kind = ORDO_WIRE_KIND_VECTOR, .node_id = 5, .domain = 42,
		.vc_n = 3, .vc_index = 0, .flags = ORDO_WIRE_F_VC32,
	}, out;
	__u64 vc[3], got[3];
	__u8 buf[ORDO_WIRE_MAX_LEN];
	unsigned int k, i;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < 3; i++)
			vc[i] = i + 1;
		vc[k] = 0x100000000ULL;		/* U32_MAX + 1 */
		EXPECT_EQ(0, ordo_wire_vc_fits32(vc, 3));
		EXPECT_EQ(1, ordo_wire_vc_fits32(vc, k));	/* the ones before */
		EXPECT_EQ(48U, ordo_wire_enc_len(ORDO_WIRE_KIND_VECTOR, vc, 3));
		ASSERT_EQ(48, ordo_wire_encode(buf, sizeof(buf), &in, vc));
		EXPECT_EQ(0U, ordo_wire_get32(buf + ORDO_WIRE_OFF_FLAGS));
		EXPECT_EQ(48U, ordo_wire_get16(buf + ORDO_WIRE_OFF_HDR_LEN));
		for (i = 0; i < 3; i++)
			EXPECT_EQ(vc[i], ordo_wire_get64(buf + 24 + 8 * i));
		ASSERT_EQ(48, ordo_wire_decode(buf, 48, &out, got, 3));
		EXPECT_EQ(0, memcmp(vc, got, sizeof(vc)));
		EXPECT_EQ(ORDO_WIRE_E_NOSPACE,
			  ordo_wire_encode(buf, 47, &in, vc));
	}
	vc[0] = ~0ULL;
	ASSERT_EQ(48, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	ASSERT_EQ(48, ordo_wire_decode(buf, 48, &out, got, 3));
	EXPECT_EQ(~0ULL, got[0]);
}

/*
 * Odd n: 4 pad bytes of 0 after the entries, hdr_len a multiple of 8;
 * even n: none. The pad is written even over a dirty buffer.
 */
TEST(vc32_odd_n_padding)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR };
	__u64 vc[ORDO_VC_MAX];
	__u8 buf[ORDO_WIRE_MAX_LEN];
	unsigned int n, i;

	for (i = 0; i < ORDO_VC_MAX; i++)
		vc[i] = 0xa0b0c0d0U + i;
	for (n = 1; n <= ORDO_VC_MAX; n++) {
		in.vc_n = n;
		memset(buf, 0xff, sizeof(buf));
		ASSERT_EQ(24 + 4 * (int)(n + (n & 1)),
			  ordo_wire_encode(buf, sizeof(buf), &in, vc));
		for (i = 0; i < n; i++)
			ASSERT_EQ(vc[i], ordo_wire_get32(buf + 24 + 4 * i));
		if (n & 1)
			EXPECT_EQ(0U, ordo_wire_get32(buf + 24 + 4 * n));
		/* the next byte is the caller's */
		EXPECT_EQ(0xff, buf[24 + 4 * (n + (n & 1))]);
	}
	EXPECT_EQ(32, ORDO_WIRE_VC32_LEN(1));
	EXPECT_EQ(32, ORDO_WIRE_VC32_LEN(2));
	EXPECT_EQ(40, ORDO_WIRE_VC32_LEN(3));
	EXPECT_EQ(56, ORDO_WIRE_VC32_LEN(8));
}

/*
 * A non-zero pad byte: ordo_wire_validate() reads only the first 24
 * bytes and lets it through; ordo_wire_decode() rejects it (reserved),
 * before it touches @info, whether or not it decodes the entries.
 */
TEST(vc32_nonzero_pad_rejected)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR,
				     .vc_n = 3, .vc_index = 2 }, out;
	__u64 vc[3] = { 1, 2, 3 }, got[3];
	__u8 buf[40];
	unsigned int k;

	for (k = 36; k < 40; k++) {
		ASSERT_EQ(40, ordo_wire_encode(buf, sizeof(buf), &in, vc));
		ASSERT_EQ(40, ordo_wire_decode(buf, 40, &out, got, 3));
		buf[k] = 0x01;
		EXPECT_EQ(40, ordo_wire_validate(buf, 40));
		memset(&out, 0x5a, sizeof(out));
		EXPECT_EQ(ORDO_WIRE_E_RESERVED,
			  ordo_wire_decode(buf, 40, &out, got, 3));
		EXPECT_EQ(0x5a, ((__u8 *)&out)[0]);	/* untouched */
		EXPECT_EQ(ORDO_WIRE_E_RESERVED,
			  ordo_wire_decode(buf, 40, &out, NULL, 0));
		EXPECT_EQ(ORDO_WIRE_E_RESERVED,
			  ordo_wire_decode(buf, 40, &out, got, 0));
	}
	/* even n has no pad: the bytes after hdr_len are payload */
	in.vc_n = 2;
	in.vc_index = 1;
	memset(buf, 0x77, sizeof(buf));
	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	EXPECT_EQ(32, ordo_wire_decode(buf, 40, &out, got, 3));
}

/* VC32 belongs to vectors: on a Lamport or HLC header it is rejected. */
TEST(vc32_on_lamport_hlc_rejected)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_LAMPORT,
				     .ts = 9, .flags = ORDO_WIRE_F_VC32 }, out;
	__u8 buf[32];

	/* the encoder owns the bit: ignored, not written */
	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &in, NULL));
	EXPECT_EQ(0U, ordo_wire_get32(buf + ORDO_WIRE_OFF_FLAGS));
	EXPECT_EQ(32, ordo_wire_validate(buf, 32));
	buf[ORDO_WIRE_OFF_FLAGS + 1] = 0x01;	/* 0x00010000 */
	EXPECT_EQ(ORDO_WIRE_E_FLAGS, ordo_wire_validate(buf, 32));
	EXPECT_EQ(ORDO_WIRE_E_FLAGS, ordo_wire_decode(buf, 32, &out, NULL, 0));
	in.kind = ORDO_WIRE_KIND_HLC;
	in.hlc_c = 3;
	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &in, NULL));
	EXPECT_EQ(0U, ordo_wire_get32(buf + ORDO_WIRE_OFF_FLAGS));
	buf[ORDO_WIRE_OFF_FLAGS + 1] = 0x01;
	EXPECT_EQ(ORDO_WIRE_E_FLAGS, ordo_wire_validate(buf, 32));
	/* another, unknown critical bit next to it still is one */
	buf[ORDO_WIRE_OFF_FLAGS + 1] = 0x02;
	EXPECT_EQ(ORDO_WIRE_E_FLAGS, ordo_wire_validate(buf, 32));
	in.flags = 0x00020000U;
	EXPECT_EQ(ORDO_WIRE_E_FLAGS,
		  ordo_wire_encode(buf, sizeof(buf), &in, NULL));
}

/* hdr_len is checked against the flag: each size with the other flag. */
TEST(vc32_hdr_len_mismatch_with_flag)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR,
				     .vc_n = 3, .vc_index = 1 }, out;
	__u64 vc[3] = { 4, 5, 6 }, got[1];
	__u8 buf[64] = { 0 };

	ASSERT_EQ(40, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	buf[7] = 48;			/* the u64 size, VC32 still set */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(buf, 64));
	buf[7] = 36;			/* 24 + 4n, not rounded up */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(buf, 64));
	buf[7] = 40;
	buf[9] = 0;			/* 40 without VC32 */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(buf, 64));
	buf[9] = 1;
	EXPECT_EQ(40, ordo_wire_validate(buf, 40));

	vc[2] = 0x123456789ULL;
	ASSERT_EQ(48, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	buf[9] = 1;			/* VC32 on a u64 header */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(buf, 64));
	buf[9] = 0;
	EXPECT_EQ(48, ordo_wire_validate(buf, 48));
	/*
	 * n = 1 is 32 bytes either way, so hdr_len cannot tell: the u64
	 * entry 1 read with VC32 is the entry 0 and a pad of 00 00 00 01,
	 * which decode rejects.
	 */
	in.vc_n = 1;
	in.vc_index = 0;
	vc[0] = 1ULL << 32;
	ASSERT_EQ(32, ordo_wire_encode(buf, sizeof(buf), &in, vc));
	EXPECT_EQ(0U, ordo_wire_get32(buf + ORDO_WIRE_OFF_FLAGS));
	buf[31] = 1;			/* the u64 entry 0x100000001 */
	EXPECT_EQ(32, ordo_wire_decode(buf, 32, &out, got, 1));
	EXPECT_EQ(0x100000001ULL, got[0]);
	buf[9] = 1;
	EXPECT_EQ(32, ordo_wire_validate(buf, 32));
	EXPECT_EQ(ORDO_WIRE_E_RESERVED, ordo_wire_decode(buf, 32, &out, got, 1));
	buf[31] = 0;			/* now VC32 [1] with its pad */
	EXPECT_EQ(32, ordo_wire_decode(buf, 32, &out, got, 1));
	EXPECT_EQ(1ULL, got[0]);
}

static int mk(__u8 *buf, unsigned int kind, unsigned int n)
{
	struct ordo_wire_info in = { .kind = kind, .vc_n = n, .ts = 5 };
	__u64 vc[ORDO_VC_MAX] = { 0 };

	return ordo_wire_encode(buf, ORDO_WIRE_MAX_LEN, &in, vc);
}

/* A vector of @n entries with one above U32_MAX: 64-bit entries. */
static int mk64(__u8 *buf, unsigned int n)
{
	struct ordo_wire_info in = { .kind = ORDO_WIRE_KIND_VECTOR, .vc_n = n };
	__u64 vc[ORDO_VC_MAX] = { 1ULL << 40 };

	return ordo_wire_encode(buf, ORDO_WIRE_MAX_LEN, &in, vc);
}

TEST(every_failure_has_its_code)
{
	__u8 b[ORDO_WIRE_MAX_LEN + 16];
	int codes[ORDO_WIRE_E_CNT] = { 0 };
	struct ordo_wire_info info;
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

	ASSERT_EQ(40, mk(b, ORDO_WIRE_KIND_VECTOR, 3));	/* VC32 */
	EXPECT_EQ(40, ordo_wire_validate(b, 40));
	EXPECT_EQ(ORDO_WIRE_E_TRUNC, ordo_wire_validate(b, 39));
	b[7] = 16;
	EXPECT_EQ(ORDO_WIRE_E_HDR_SMALL, ordo_wire_validate(b, 48));
	b[7] = 48;		/* n and VC32 say 40 */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(b, 48));
	b[7] = 44;		/* not a multiple of 8 */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(b, 48));
	b[7] = 40;
	b[21] = ORDO_VC_MAX + 1;
	EXPECT_EQ(ORDO_WIRE_E_VC_N, ordo_wire_validate(b, 48));
	b[21] = 3;
	b[23] = 3;		/* index == n */
	EXPECT_EQ(ORDO_WIRE_E_VC_INDEX, ordo_wire_validate(b, 48));
	b[23] = 2;
	b[8] = 0x80;		/* an unknown critical flag next to VC32 */
	EXPECT_EQ(ORDO_WIRE_E_FLAGS, ordo_wire_validate(b, 48));
	b[8] = 0;
	b[36] = 1;		/* the pad: decode only */
	EXPECT_EQ(40, ordo_wire_validate(b, 48));
	EXPECT_EQ(ORDO_WIRE_E_RESERVED, ordo_wire_decode(b, 48, &info, NULL, 0));
	b[36] = 0;
	EXPECT_EQ(40, ordo_wire_decode(b, 48, &info, NULL, 0));
	b[21] = 0;		/* n == 0 */
	b[23] = 0;
	b[7] = 24;
	EXPECT_EQ(ORDO_WIRE_E_VC_INDEX, ordo_wire_validate(b, 48));
	b[9] = 0;		/* without VC32: the same */
	EXPECT_EQ(ORDO_WIRE_E_VC_INDEX, ordo_wire_validate(b, 48));
	ASSERT_EQ(48, mk64(b, 3));	/* u64 entries */
	EXPECT_EQ(48, ordo_wire_validate(b, 48));
	b[7] = 40;		/* n says 48 */
	EXPECT_EQ(ORDO_WIRE_E_HDR_LEN, ordo_wire_validate(b, 48));

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

/*
 * An independent statement of "well-formed", for the fuzz run: @pad says
 * whether the pad of a VC32 vector counts (ordo_wire_decode()) or not
 * (ordo_wire_validate()).
 */
static int ref_check(const __u8 *p, unsigned int len, int pad)
{
	unsigned int hl, n, vc32;

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
	vc32 = p[9] & 1;
	if (n > 64 || p[22] * 256u + p[23] >= n)
		return 0;
	if (hl != (vc32 ? 24 + 4 * n + 4 * (n % 2) : 24 + 8 * n))
		return 0;
	if (p[8] || (p[9] & ~1))
		return 0;
	if (pad && vc32 && n % 2)
		return !(p[24 + 4 * n] | p[25 + 4 * n] | p[26 + 4 * n] |
			 p[27 + 4 * n]);
	return 1;
}

TEST(fuzz_never_crashes_never_accepts_garbage)
{
	struct ordo_wire_info info;
	__u64 vc[ORDO_VC_MAX];
	unsigned int iter, len, i, valid = 0, valid32 = 0, badpad = 0;
	__u8 *buf;
	int ret;

	for (iter = 0; iter < 20000; iter++) {
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
			/* VC32, the only known critical flag, half the time */
			if (rnd() % 2)
				buf[9] = rnd() % 4 ? 1 : (__u8)rnd();
			buf[20] = 0;
			buf[21] = rnd() % 8;
			buf[22] = 0;
			buf[23] = rnd() % 8;
			/* often the hdr_len that n and VC32 call for */
			if (rnd() % 2)
				buf[7] = (buf[9] & 1) ?
					 24 + 4 * (buf[21] + buf[21] % 2) :
					 24 + 8 * buf[21];
			/* mostly a zero pad where an odd VC32 vector has it */
			if (rnd() % 2 && 28 + 4 * (unsigned int)buf[21] <= len)
				memset(buf + 24 + 4 * buf[21], 0, 4);
		}
		ret = ordo_wire_validate(buf, len);
		if (ref_check(buf, len, 0)) {
			ASSERT_EQ(buf[6] * 256 + buf[7], ret);
			valid++;
			if (buf[5] == ORDO_WIRE_KIND_VECTOR && (buf[9] & 1))
				valid32++;
		} else {
			ASSERT_GT(0, ret);
			ASSERT_LE(-ORDO_WIRE_E_CNT, ret);
		}
		ret = ordo_wire_decode(buf, len, &info, vc, ORDO_VC_MAX);
		if (ref_check(buf, len, 1)) {
			ASSERT_EQ(buf[6] * 256 + buf[7], ret);
		} else if (ref_check(buf, len, 0)) {
			ASSERT_EQ(ORDO_WIRE_E_RESERVED, ret);
			badpad++;
		} else {
			ASSERT_EQ(ordo_wire_validate(buf, len), ret);
		}
		free(buf);
	}
	/* the run did exercise the accepting paths and the pad check */
	EXPECT_LT(200U, valid);
	EXPECT_LT(50U, valid32);
	EXPECT_LT(10U, badpad);
	TH_LOG("%u valid (%u VC32), %u with a bad pad", valid, valid32, badpad);
}

TEST_HARNESS_MAIN
