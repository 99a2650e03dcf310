// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/lib/ordo_caps.c: the capability bitmap <-> names
 * conversion that sysfs (ordo.ko) and ordoctl (libordo) share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/ordo.h>

#include "ordo_caps.h"
#include "../kselftest_harness.h"

TEST(every_defined_bit_has_a_unique_name)
{
	unsigned int i, j;

	for (i = 0; i < __ORDO_CAP_CNT; i++) {
		const char *a = ordo_cap_name(i);

		ASSERT_NE(NULL, a) TH_LOG("bit %u has no name", i);
		ASSERT_GT(strlen(a), 0U);
		for (j = 0; j < i; j++)
			ASSERT_STRNE(a, ordo_cap_name(j));
	}
	EXPECT_EQ(NULL, ordo_cap_name(__ORDO_CAP_CNT));
	EXPECT_EQ(NULL, ordo_cap_name(64));
	EXPECT_EQ(NULL, ordo_cap_name(~0u));
}

TEST(format_lists_bits_in_order)
{
	char buf[ORDO_CAPS_STRLEN];
	u64 caps = (1ULL << ORDO_CAP_TRACE) | (1ULL << ORDO_CAP_GENL);

	ASSERT_EQ((int)strlen("genl trace"), ordo_caps_format(buf, sizeof(buf), caps));
	EXPECT_STREQ("genl trace", buf);
	ASSERT_EQ(0, ordo_caps_format(buf, sizeof(buf), 0));
	EXPECT_STREQ("", buf);
}

TEST(format_names_unknown_bits)
{
	char buf[ORDO_CAPS_STRLEN];

	ASSERT_LT(0, ordo_caps_format(buf, sizeof(buf), (1ULL << 63) | (1ULL << 40) | 1));
	EXPECT_STREQ("genl bit40 bit63", buf);
}

TEST(format_all_bits_fits_strlen)
{
	char buf[ORDO_CAPS_STRLEN];
	int n = ordo_caps_format(buf, sizeof(buf), ~0ULL);

	ASSERT_LT(0, n);
	EXPECT_EQ((size_t)n, strlen(buf));
}

TEST(format_reports_short_buffer)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	/* "genl stats" needs 11 bytes */
	EXPECT_EQ(-ENOSPC, ordo_caps_format(buf, sizeof(buf),
					    (1ULL << ORDO_CAP_GENL) | (1ULL << ORDO_CAP_STATS)));
	EXPECT_NE(NULL, memchr(buf, '\0', sizeof(buf)));
	EXPECT_EQ(-ENOSPC, ordo_caps_format(buf, 0, 1));
	/* exactly enough: "genl" + NUL */
	EXPECT_EQ(4, ordo_caps_format(buf, 5, 1));
	EXPECT_EQ(-ENOSPC, ordo_caps_format(buf, 4, 1));
}

TEST(parse_roundtrips_every_value_shape)
{
	static const u64 vals[] = { 0, 1, 0x5, 0xff, 1ULL << 63, ~0ULL, 0x8000000000000001ULL };
	char buf[ORDO_CAPS_STRLEN];
	unsigned int i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		u64 back = 0xdead;

		ASSERT_LE(0, ordo_caps_format(buf, sizeof(buf), vals[i]));
		ASSERT_EQ(0, ordo_caps_parse(buf, &back)) TH_LOG("'%s'", buf);
		EXPECT_EQ(vals[i], back);
	}
}

TEST(parse_accepts_separators)
{
	u64 caps = 0;

	ASSERT_EQ(0, ordo_caps_parse(" genl,stats\ttrace\n", &caps));
	EXPECT_EQ((1ULL << ORDO_CAP_GENL) | (1ULL << ORDO_CAP_STATS) |
		  (1ULL << ORDO_CAP_TRACE), caps);
	ASSERT_EQ(0, ordo_caps_parse("", &caps));
	EXPECT_EQ(0ULL, caps);
}

TEST(parse_rejects_bad_input)
{
	static const char * const bad[] = {
		"gen", "genlx", "GENL", "genl genl", "bit64", "bit", "bit01",
		"bit-1", "bitx", "bit100", "genl;stats", "stats bit1",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u64 caps = 0x1234;

		EXPECT_EQ(-EINVAL, ordo_caps_parse(bad[i], &caps)) TH_LOG("'%s'", bad[i]);
		EXPECT_EQ(0x1234ULL, caps) TH_LOG("'%s' changed the output", bad[i]);
	}
}

TEST_HARNESS_MAIN
