// SPDX-License-Identifier: GPL-2.0
/*
 * ORDO_CMD_GET_INFO and ORDO_CMD_STATS_GET through libordo: the answers
 * match sysfs, and the statistics count the requests really made.
 * Assumes nothing else talks to the module while it runs.
 */
#include <inttypes.h>

#include "nl_raw.h"
#include "ordo_caps.h"

#include "../kselftest_harness.h"

#define N_INFO	17	/* GET_INFO requests made by counters_exact */

static const char *const expected_stats[] = {
	"get_info_requests", "get_info_errors",
	"stats_get_requests", "stats_get_errors",
	"stats_dump_requests", "stats_dump_errors", "stats_dump_messages",
	"clock_get_requests", "clock_get_errors",
	"clock_set_requests", "clock_set_errors", "clock_ntf_messages",
	"lclock_add_requests", "lclock_add_errors",
	"lclock_del_requests", "lclock_del_errors",
	"lclock_get_requests", "lclock_get_errors",
	"lclock_dump_requests", "lclock_dump_errors", "lclock_dump_messages",
	"lclock_tick_requests", "lclock_tick_errors",
};

#define N_EXPECTED (sizeof(expected_stats) / sizeof(expected_stats[0]))

/* Contents of a one-line sysfs file without the newline, or "" */
static void read_sysfs(const char *name, char *buf, size_t size)
{
	char path[128];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/kernel/ordo/%s", name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

FIXTURE(genl) {
	struct ordo *h;
};

FIXTURE_SETUP(genl)
{
	int err = ordo_open(&self->h);

	ASSERT_EQ(0, err) TH_LOG("ordo_open: %s", ordo_strerror(err));
}

FIXTURE_TEARDOWN(genl)
{
	ordo_close(self->h);
}

static uint64_t stat_value(struct __test_metadata *_metadata,
			   struct ordo *h, const char *name)
{
	struct ordo_stat st;
	int err = ordo_stat_get(h, name, &st);

	EXPECT_EQ(0, err) TH_LOG("stat %s: %s", name, ordo_strerror(err));
	EXPECT_STREQ(name, st.name);
	return st.value;
}

TEST_F(genl, info_matches_sysfs)
{
	struct ordo_info info;
	char buf[256], names[ORDO_CAPS_STRLEN];
	u64 caps;

	ASSERT_EQ(0, ordo_get_info(self->h, &info));

	read_sysfs("version", buf, sizeof(buf));
	EXPECT_STREQ(buf, info.version);
	EXPECT_STREQ(ORDO_VERSION, info.version);

	read_sysfs("build_id", buf, sizeof(buf));
	EXPECT_STRNE("", buf);
	EXPECT_STREQ(buf, info.build_id);

	/* sysfs lists names ("genl stats trace"); netlink has the bitmap */
	read_sysfs("capabilities", buf, sizeof(buf));
	ASSERT_EQ(0, ordo_caps_parse(buf, &caps)) TH_LOG("capabilities '%s'", buf);
	EXPECT_EQ(info.caps, caps);
	EXPECT_EQ(strlen(buf), (size_t)ordo_caps_format(names, sizeof(names), info.caps));
	EXPECT_STREQ(names, buf);

	EXPECT_EQ(1U, info.genl_version);
	EXPECT_EQ((uint32_t)ORDO_GENL_VERSION, info.genl_version);
}

/*
 * Only what the module implements: genl, stats, the tracepoint, the
 * clock and its page; the PTP clock only when it registered.
 */
TEST_F(genl, caps_exact)
{
	struct ordo_info info;

	ASSERT_EQ(0, ordo_get_info(self->h, &info));
	EXPECT_EQ((1ULL << ORDO_CAP_GENL) | (1ULL << ORDO_CAP_STATS) |
		  (1ULL << ORDO_CAP_TRACE) | (1ULL << ORDO_CAP_CLOCK) |
		  (1ULL << ORDO_CAP_CLOCK_MMAP) | (1ULL << ORDO_CAP_LCLOCK),
		  info.caps & ~(1ULL << ORDO_CAP_PTP));
}

TEST_F(genl, counters_exact)
{
	uint64_t req0, req1, err0, err1, sg0, sg1, sge0, sge1;
	struct ordo_info info;
	struct ordo_stat st;
	int i;

	req0 = stat_value(_metadata, self->h, "get_info_requests");
	err0 = stat_value(_metadata, self->h, "get_info_errors");
	for (i = 0; i < N_INFO; i++)
		ASSERT_EQ(0, ordo_get_info(self->h, &info));
	req1 = stat_value(_metadata, self->h, "get_info_requests");
	err1 = stat_value(_metadata, self->h, "get_info_errors");
	EXPECT_EQ((uint64_t)N_INFO, req1 - req0);
	EXPECT_EQ(0U, err1 - err0);

	/* A STATS_GET is counted after its reply is built: each one sees
	 * exactly the previous ones.
	 */
	sg0 = stat_value(_metadata, self->h, "stats_get_requests");
	sg1 = stat_value(_metadata, self->h, "stats_get_requests");
	EXPECT_EQ(1U, sg1 - sg0);

	/* A failed STATS_GET counts as a request and as an error. */
	sge0 = stat_value(_metadata, self->h, "stats_get_errors");
	sg0 = stat_value(_metadata, self->h, "stats_get_requests");
	EXPECT_EQ(-ENOENT, ordo_stat_get(self->h, "no_such_statistic", &st));
	EXPECT_STREQ("unknown statistic", ordo_errmsg(self->h));
	sge1 = stat_value(_metadata, self->h, "stats_get_errors");
	sg1 = stat_value(_metadata, self->h, "stats_get_requests");
	EXPECT_EQ(1U, sge1 - sge0);
	/* the sg0 read itself, the failed request and the sge1 read */
	EXPECT_EQ(3U, sg1 - sg0);
}

struct dump_seen {
	struct ordo_stat stats[64];
	int n;
};

static int collect(const struct ordo_stat *st, void *arg)
{
	struct dump_seen *seen = arg;

	if (seen->n >= 64)
		return -E2BIG;
	seen->stats[seen->n++] = *st;
	return 0;
}

TEST_F(genl, dump_every_counter_once)
{
	uint64_t dumps0, dumps1, msgs0, msgs1;
	struct dump_seen seen = { .n = 0 };
	size_t i;
	int j, k, ret;

	dumps0 = stat_value(_metadata, self->h, "stats_dump_requests");
	msgs0 = stat_value(_metadata, self->h, "stats_dump_messages");

	ret = ordo_stats_dump(self->h, collect, &seen);
	ASSERT_EQ(seen.n, ret);
	ASSERT_EQ((int)N_EXPECTED, seen.n);

	/* no duplicates */
	for (j = 0; j < seen.n; j++)
		for (k = j + 1; k < seen.n; k++)
			EXPECT_STRNE(seen.stats[j].name, seen.stats[k].name);

	/* every expected counter is there */
	for (i = 0; i < N_EXPECTED; i++) {
		for (j = 0; j < seen.n; j++)
			if (!strcmp(expected_stats[i], seen.stats[j].name))
				break;
		EXPECT_LT(j, seen.n) TH_LOG("%s not dumped", expected_stats[i]);
	}

	/* each dumped value agrees with the do request for that name */
	for (j = 0; j < seen.n; j++) {
		const struct ordo_stat *st = &seen.stats[j];
		uint64_t v = stat_value(_metadata, self->h, st->name);

		if (!strncmp(st->name, "get_info_", 9) ||
		    !strcmp(st->name, "stats_dump_errors")) {
			EXPECT_EQ(st->value, v) TH_LOG("%s", st->name);
		} else {
			EXPECT_LE(st->value, v) TH_LOG("%s", st->name);
		}
	}

	/* the dump was counted once, with one message per counter */
	dumps1 = stat_value(_metadata, self->h, "stats_dump_requests");
	msgs1 = stat_value(_metadata, self->h, "stats_dump_messages");
	EXPECT_EQ(1U, dumps1 - dumps0);
	EXPECT_EQ((uint64_t)seen.n, msgs1 - msgs0);
}

TEST_HARNESS_MAIN
