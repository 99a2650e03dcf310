// SPDX-License-Identifier: GPL-2.0
/*
 * Loads bpf/genl_ops.bpf.c through its skeleton, attaches it to the raw
 * tracepoint ordo_genl_op of ordo.ko and checks that it counts exactly
 * the netlink operations this test makes, per command and result. Also
 * checks that the attached program pins the module (unload gives EBUSY)
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
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/ordo.h>

#include "genl_ops.h"
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

/* Sends one request and returns the kernel's answer: 0 or -errno. */
static int genl_request(struct nl_sock *sk, int family, __u8 cmd, const char *stat)
{
	struct nl_msg *msg = nlmsg_alloc();
	int err;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK, cmd,
			 ORDO_GENL_VERSION) ||
	    (stat && nla_put_string(msg, ORDO_A_STAT_NAME, stat))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return -EIO;
	err = nl_wait_for_ack(sk);
	if (err == -NLE_OBJ_NOTFOUND)
		return -ENOENT;
	return err < 0 ? -EIO - 1000 * -err : 0;
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
	struct nl_sock *sk;
	int family;
};

FIXTURE_SETUP(ops)
{
	self->skel = genl_ops_bpf__open_and_load();
	ASSERT_NE(NULL, self->skel);
	ASSERT_EQ(0, genl_ops_bpf__attach(self->skel));
	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	self->family = genl_ctrl_resolve(self->sk, ORDO_GENL_NAME);
	ASSERT_LT(0, self->family);
}

FIXTURE_TEARDOWN(ops)
{
	if (self->sk)
		nl_socket_free(self->sk);
	genl_ops_bpf__destroy(self->skel);
}

TEST_F(ops, counts_exactly_the_requests_made)
{
	const int n_info = 25, n_bad = 7, n_stat = 3;
	int i;

	/* Freshly loaded: the map starts empty. */
	ASSERT_EQ(0ULL, slot_count(self->skel, ORDO_CMD_GET_INFO, 0));

	for (i = 0; i < n_info; i++)
		ASSERT_EQ(0, genl_request(self->sk, self->family, ORDO_CMD_GET_INFO, NULL));
	for (i = 0; i < n_bad; i++)
		ASSERT_EQ(-ENOENT, genl_request(self->sk, self->family, ORDO_CMD_STATS_GET,
						"no_such_statistic"));
	for (i = 0; i < n_stat; i++)
		ASSERT_EQ(0, genl_request(self->sk, self->family, ORDO_CMD_STATS_GET,
					  STAT_GET_INFO_REQUESTS));

	EXPECT_EQ((__u64)n_info, slot_count(self->skel, ORDO_CMD_GET_INFO, 0));
	EXPECT_EQ(0ULL, slot_count(self->skel, ORDO_CMD_GET_INFO, 1));
	EXPECT_EQ((__u64)n_stat, slot_count(self->skel, ORDO_CMD_STATS_GET, 0));
	EXPECT_EQ((__u64)n_bad, slot_count(self->skel, ORDO_CMD_STATS_GET, 1));
}

TEST_F(ops, attached_program_pins_the_module)
{
	ASSERT_EQ(-1, delete_module("ordo"));
	ASSERT_EQ(EBUSY, errno);

	genl_ops_bpf__destroy(self->skel);
	self->skel = NULL;
	nl_socket_free(self->sk);
	self->sk = NULL;

	ASSERT_EQ(0, delete_module("ordo")) TH_LOG("unload after detach: %s", strerror(errno));
	ASSERT_EQ(0, reload_module()) TH_LOG("reload %s: %s", getenv("ORDO_KO"), strerror(errno));

	/* and the program attaches to the new instance of the module */
	self->skel = genl_ops_bpf__open_and_load();
	ASSERT_NE(NULL, self->skel);
	ASSERT_EQ(0, genl_ops_bpf__attach(self->skel));
}

TEST_HARNESS_MAIN
