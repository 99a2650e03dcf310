// SPDX-License-Identifier: GPL-2.0
/*
 * Loads bpf/genl_ops.bpf.c through its skeleton, attaches it to the raw
 * tracepoint ordo_genl_op of ordo.ko and checks that it counts exactly
 * the netlink operations this test makes, per command and result. Also
 * checks that the attached program pins the module (unload is refused)
 * and that unload works again once it is detached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/ordo.h>

#include "genl_ops.h"
#include "libordo.h"
#include "genl_ops.skel.h"
#include "../kselftest_harness.h"

/* A counter the module provides (see kmod/stats.c). */
#define STAT_GET_INFO_REQUESTS "get_info_requests"

static __u64 slot_count(struct genl_ops_bpf *skel, unsigned int cmd, int err)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 key = genl_ops_slot(cmd, err);
	__u64 vals[ncpu > 0 ? ncpu : 1], sum = 0;
	int i;

	if (ncpu <= 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.genl_ops), &key, vals))
		return ~0ULL;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static int reload_module(void)
{
	const char *ko = getenv("ORDO_KO");
	int fd, ret;

	if (!ko)
		return -1;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

FIXTURE(ops)
{
	struct genl_ops_bpf *skel;
	struct ordo *h;
};

FIXTURE_SETUP(ops)
{
	self->skel = genl_ops_bpf__open_and_load();
	ASSERT_NE(NULL, self->skel);
	ASSERT_EQ(0, genl_ops_bpf__attach(self->skel));
	ASSERT_EQ(0, ordo_open(&self->h));
}

FIXTURE_TEARDOWN(ops)
{
	if (self->h)
		ordo_close(self->h);
	genl_ops_bpf__destroy(self->skel);
}

TEST_F(ops, counts_exactly_the_requests_made)
{
	const int n_info = 25, n_bad = 7, n_stat = 3;
	struct ordo_info info;
	struct ordo_stat stat;
	__u64 base;
	int i;

	/* Freshly loaded: the map starts empty. */
	ASSERT_EQ(0ULL, slot_count(self->skel, ORDO_CMD_GET_INFO, 0));

	ASSERT_EQ(0, ordo_stat_get(self->h, STAT_GET_INFO_REQUESTS, &stat));
	base = stat.value;
	/* ASSERT_* must not be the unbraced body of a loop: it expands to
	 * more than one statement.
	 */
	for (i = 0; i < n_info; i++) {
		ASSERT_EQ(0, ordo_get_info(self->h, &info));
	}
	for (i = 0; i < n_bad; i++) {
		ASSERT_EQ(-ENOENT, ordo_stat_get(self->h, "no_such_statistic", &stat));
	}
	for (i = 0; i < n_stat; i++) {
		ASSERT_EQ(0, ordo_stat_get(self->h, STAT_GET_INFO_REQUESTS, &stat));
	}
	/* and the module's own counter agrees with the probe */
	EXPECT_EQ((__u64)n_info, stat.value - base);

	EXPECT_EQ((__u64)n_info, slot_count(self->skel, ORDO_CMD_GET_INFO, 0));
	EXPECT_EQ(0ULL, slot_count(self->skel, ORDO_CMD_GET_INFO, 1));
	EXPECT_EQ((__u64)n_stat + 1, slot_count(self->skel, ORDO_CMD_STATS_GET, 0));
	EXPECT_EQ((__u64)n_bad, slot_count(self->skel, ORDO_CMD_STATS_GET, 1));
}

TEST_F(ops, attached_program_pins_the_module)
{
	/* 6.1's try_stop_module() answers EWOULDBLOCK while refs are held */
	ASSERT_EQ(-1, delete_module("ordo"));
	ASSERT_EQ(EWOULDBLOCK, errno);

	genl_ops_bpf__destroy(self->skel);
	self->skel = NULL;
	ordo_close(self->h);
	self->h = NULL;

	ASSERT_EQ(0, delete_module("ordo")) TH_LOG("unload after detach: %s", strerror(errno));
	ASSERT_EQ(0, reload_module()) TH_LOG("reload %s: %s", getenv("ORDO_KO"), strerror(errno));

	/* and the program attaches to the new instance of the module */
	self->skel = genl_ops_bpf__open_and_load();
	ASSERT_NE(NULL, self->skel);
	ASSERT_EQ(0, genl_ops_bpf__attach(self->skel));
}

TEST_HARNESS_MAIN
