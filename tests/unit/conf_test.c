// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the cluster configuration (user/lib/ordo_conf.c): a good
 * file (the shipped example too), every error the runtime reports with
 * its exact "FILE:LINE: problem" text, --set overrides and their errors,
 * and the getters the daemons use for their own sections.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ordo_rt.h"
#include "../kselftest_harness.h"

#define NODES \
	"[node 2]\naddress = 127.0.0.1\nport = 7402\n" \
	"[node 1]\naddress = 127.0.0.1\nport = 7401\n"

/* Load @text as "t.conf": 0 and *cp, or the error text in @err. */
static int load(const char *text, struct ordo_conf **cp, char *err)
{
	return ordo_conf_load_string(cp, "t.conf", text, err);
}

/* @text must fail with exactly @want. */
static void bad_at(struct __test_metadata *_metadata, const char *text,
		   const char *want)
{
	char err[ORDO_CONF_ERR_LEN] = "";
	struct ordo_conf *c = (void *)1;

	EXPECT_EQ(-EINVAL, load(text, &c, err));
	EXPECT_EQ(NULL, c);
	EXPECT_STREQ(want, err);
	if (strcmp(want, err)) {
		TH_LOG("for:\n%s", text);
	}
}

TEST(good_file)
{
	static const char text[] =
		"; a comment\n"
		"# another\n"
		"[node 2]\n"
		"address = 10.0.0.2\n"
		"port = 7400\n"
		"\n"
		"[node 1]\n"
		"address=10.0.0.1 ; inline comment\n"
		"port=7400\n"
		"[ node 3 ]\n"
		"address = 10.0.0.1\n"
		"port = 7401\n"
		"[runtime]\n"
		"heartbeat_ms = 50\n"
		"suspect_ms = 300\n"
		"retransmit_ms = 20\n"
		"retransmit_max = 3\n"
		"lclock_domain = 77\n"
		"stamping = user\n"
		"log = journal\n"
		"[mutexd]\n"
		"algorithm = ra\n"
		"[lock printer]\n"
		"holders = 2\n"
		"[lock disk]\n"
		"holders = 1\n";
	char err[ORDO_CONF_ERR_LEN] = "";
	const struct sockaddr_in *a;
	struct ordo_conf_section *s;
	struct ordo_conf *c;
	const char *names[4];
	int n = 0;

	ASSERT_EQ(0, load(text, &c, err));
	EXPECT_STREQ("", err);
	ASSERT_EQ(3U, c->n_nodes);
	/* sorted by id */
	EXPECT_EQ(1U, c->nodes[0].id);
	EXPECT_EQ(2U, c->nodes[1].id);
	EXPECT_EQ(3U, c->nodes[2].id);
	EXPECT_STREQ("10.0.0.1", c->nodes[0].address);
	EXPECT_EQ(7400, c->nodes[0].port);
	EXPECT_EQ(7U, c->nodes[0].line);
	EXPECT_EQ(10U, c->nodes[2].line);
	a = (const struct sockaddr_in *)&c->nodes[2].addr;
	EXPECT_EQ(AF_INET, a->sin_family);
	EXPECT_EQ(htons(7401), a->sin_port);
	EXPECT_EQ(htonl(0x0a000001), a->sin_addr.s_addr);
	EXPECT_EQ(sizeof(*a), c->nodes[2].addr_len);
	EXPECT_EQ(&c->nodes[1], ordo_conf_node(c, 2));
	EXPECT_EQ(NULL, ordo_conf_node(c, 4));

	EXPECT_EQ(50U, c->rt.heartbeat_ms);
	EXPECT_EQ(300U, c->rt.suspect_ms);
	EXPECT_EQ(20U, c->rt.retransmit_ms);
	EXPECT_EQ(3U, c->rt.retransmit_max);
	EXPECT_EQ(77U, c->rt.lclock_domain);
	EXPECT_EQ(ORDO_STAMP_USER, c->rt.stamping);
	EXPECT_EQ(ORDO_LOG_JOURNAL, c->rt.log);

	s = ordo_conf_section(c, "mutexd");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(21U, s->line);
	ASSERT_NE(NULL, ordo_conf_get(s, "algorithm"));
	EXPECT_STREQ("ra", ordo_conf_get(s, "algorithm")->value);
	EXPECT_EQ(22U, ordo_conf_get(s, "algorithm")->line);
	EXPECT_EQ(NULL, ordo_conf_get(s, "nope"));
	for (s = ordo_conf_next(c, NULL, "lock "); s;
	     s = ordo_conf_next(c, s, "lock "))
		names[n++] = s->name + 5;
	ASSERT_EQ(2, n);
	EXPECT_STREQ("printer", names[0]);
	EXPECT_STREQ("disk", names[1]);
	ordo_conf_free(c);
}

TEST(defaults_and_ipv6)
{
	static const char text[] =
		"[node 7]\naddress = ::1\nport = 65535\n"
		"[node 4294967295]\naddress = fe80::1\nport = 1\n";
	const struct sockaddr_in6 *a;
	struct ordo_conf *c;
	char err[ORDO_CONF_ERR_LEN];

	ASSERT_EQ(0, load(text, &c, err));
	ASSERT_EQ(2U, c->n_nodes);
	EXPECT_EQ(4294967295U, c->nodes[1].id);
	a = (const struct sockaddr_in6 *)&c->nodes[0].addr;
	EXPECT_EQ(AF_INET6, a->sin6_family);
	EXPECT_EQ(htons(65535), a->sin6_port);
	EXPECT_EQ(0, memcmp(&a->sin6_addr, &in6addr_loopback, 16));
	EXPECT_EQ(ORDO_RT_HEARTBEAT_MS, c->rt.heartbeat_ms);
	EXPECT_EQ(ORDO_RT_SUSPECT_MS, c->rt.suspect_ms);
	EXPECT_EQ(ORDO_RT_RETRANSMIT_MS, c->rt.retransmit_ms);
	EXPECT_EQ(ORDO_RT_RETRANSMIT_MAX, c->rt.retransmit_max);
	EXPECT_EQ(ORDO_RT_LCLOCK_DOMAIN, c->rt.lclock_domain);
	EXPECT_EQ(ORDO_STAMP_AUTO, c->rt.stamping);
	EXPECT_EQ(ORDO_LOG_STDERR, c->rt.log);
	EXPECT_STREQ("auto", ordo_stamping_name(c->rt.stamping));
	EXPECT_STREQ("journal", ordo_log_target_name(ORDO_LOG_JOURNAL));
	ordo_conf_free(c);
}

/* The example shipped in Documentation/examples, installed next to us. */
TEST(shipped_example)
{
	char path[PATH_MAX], err[ORDO_CONF_ERR_LEN] = "";
	struct ordo_conf *c;
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	ASSERT_LT(0, n);
	path[n] = '\0';
	slash = strrchr(path, '/');
	ASSERT_NE(NULL, slash);
	strcpy(slash + 1, "cluster.conf");
	ASSERT_EQ(0, ordo_conf_load(&c, path, err)) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(3U, c->n_nodes);
	EXPECT_EQ(ORDO_RT_HEARTBEAT_MS, c->rt.heartbeat_ms);
	EXPECT_EQ(ORDO_RT_SUSPECT_MS, c->rt.suspect_ms);
	EXPECT_EQ(ORDO_RT_LCLOCK_DOMAIN, c->rt.lclock_domain);
	ordo_conf_free(c);
}

TEST(file_errors)
{
	char err[ORDO_CONF_ERR_LEN], path[] = "/tmp/ordo-conf-XXXXXX";
	char want[ORDO_CONF_ERR_LEN + 64];
	struct ordo_conf *c = (void *)1;
	FILE *f;
	int fd;

	EXPECT_EQ(-ENOENT, ordo_conf_load(&c, "/nonexistent/ordo/cluster.conf", err));
	EXPECT_EQ(NULL, c);
	EXPECT_STREQ("/nonexistent/ordo/cluster.conf: No such file or directory", err);

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	fputs(NODES "[runtime]\nsuspect_ms = 10\nheartbeat_ms = 10\n", f);
	fclose(f);
	EXPECT_EQ(-EINVAL, ordo_conf_load(&c, path, err));
	snprintf(want, sizeof(want),
		 "%s:8: [runtime] suspect_ms: suspect_ms (10) must be larger than heartbeat_ms (10)",
		 path);
	EXPECT_STREQ(want, err);
	unlink(path);
}

#define bad(text, want)	bad_at(_metadata, text, want)

/* Every problem the runtime reports, with its line. */
TEST(errors_with_lines)
{
	char text[600];

	bad("foo = 1\n" NODES,
	    "t.conf:1: 'foo' is outside of any [section]");
	bad(NODES "[runtime]\nheartbeat_ms 5\n",
	    "t.conf:8: syntax error: expected [section], key = value or a comment");
	bad(NODES "[runtime\n",
	    "t.conf:7: syntax error: expected [section], key = value or a comment");
	bad(NODES "[runtime]\nheartbeat = 5\n",
	    "t.conf:8: [runtime] heartbeat: unknown key (known: heartbeat_ms, suspect_ms, retransmit_ms, retransmit_max, lclock_domain, stamping, log)");
	bad(NODES "[runtime]\nheartbeat_ms = 0\n",
	    "t.conf:8: [runtime] heartbeat_ms: '0' is not a number from 1 to 60000");
	bad(NODES "[runtime]\nheartbeat_ms = -5\n",
	    "t.conf:8: [runtime] heartbeat_ms: '-5' is not a number from 1 to 60000");
	bad(NODES "[runtime]\nretransmit_max = 1001\n",
	    "t.conf:8: [runtime] retransmit_max: '1001' is not a number from 1 to 1000");
	bad(NODES "[runtime]\nretransmit_ms = 10x\n",
	    "t.conf:8: [runtime] retransmit_ms: '10x' is not a number from 1 to 60000");
	bad(NODES "[runtime]\nlclock_domain = 0\n",
	    "t.conf:8: [runtime] lclock_domain: '0' is not a number from 1 to 4294967295");
	bad(NODES "[runtime]\nstamping = both\n",
	    "t.conf:8: [runtime] stamping: 'both' is not one of: auto, kernel, user");
	bad(NODES "[runtime]\nlog = syslog\n",
	    "t.conf:8: [runtime] log: 'syslog' is not one of: stderr, journal");
	bad(NODES "[runtime]\nheartbeat_ms = 2000\n",
	    "t.conf:8: [runtime] heartbeat_ms: suspect_ms (1000) must be larger than heartbeat_ms (2000)");
	bad(NODES "[runtime]\nlog = stderr\nlog = journal\n",
	    "t.conf:9: [runtime]: duplicate key 'log' (first at line 8)");
	bad(NODES "[runtime]\n[mutexd]\n[runtime]\n",
	    "t.conf:9: duplicate section [runtime] (first at line 7)");
	bad(NODES "[node 1]\naddress = 127.0.0.2\nport = 1\n",
	    "t.conf:7: duplicate node id 1 (first defined at line 4)");
	bad(NODES "[node 3]\naddress = 127.0.0.1\nport = 7401\n",
	    "t.conf:7: [node 3]: address 127.0.0.1 port 7401 is already node 1's (line 4)");
	bad(NODES "[node 3]\naddress = ::ffff:127.0.0.1\nport = 7403\n",
	    "t.conf:7: [node 3]: ::ffff:127.0.0.1 is not of the address family of node 2 (127.0.0.1, line 1): the nodes share one socket type");
	bad("[node 1]\naddress = ::1\nport = 1\n[node 2]\naddress = 0::1\nport = 1\n",
	    "t.conf:4: [node 2]: address 0::1 port 1 is already node 1's (line 1)");
	bad("[node 1]\naddress = 10.0.0.1\nport = 0\n",
	    "t.conf:3: [node 1] port: '0' is not a number from 1 to 65535");
	bad("[node 1]\naddress = 10.0.0.1\nport = 65536\n",
	    "t.conf:3: [node 1] port: '65536' is not a number from 1 to 65535");
	bad("[node 1]\naddress = 10.0.0.1\nport = http\n",
	    "t.conf:3: [node 1] port: 'http' is not a number from 1 to 65535");
	bad("[node 1]\nport = 7400\n",
	    "t.conf:1: [node 1]: missing address");
	bad("[node 1]\naddress = 10.0.0.1\n",
	    "t.conf:1: [node 1]: missing port");
	bad("[node 1]\naddress = 10.0.0.300\nport = 1\n",
	    "t.conf:2: [node 1] address: '10.0.0.300' is not an IPv4 or IPv6 address");
	bad("[node 1]\naddress = node1.example\nport = 1\n",
	    "t.conf:2: [node 1] address: 'node1.example' is not an IPv4 or IPv6 address");
	bad("[node 1]\naddress = 10.0.0.1\nport = 1\nhost = x\n",
	    "t.conf:4: [node 1] host: unknown key (known: address, port)");
	bad("[node one]\n",
	    "t.conf:1: bad section [node one]: a node is [node ID], ID a number 0..4294967295");
	bad("[node 4294967296]\n",
	    "t.conf:1: bad section [node 4294967296]: a node is [node ID], ID a number 0..4294967295");
	bad("[node]\n",
	    "t.conf:1: bad section [node]: a node is [node ID], ID a number 0..4294967295");
	bad(NODES "[]\n",
	    "t.conf:7: empty section name []");
	bad("[runtime]\n",
	    "t.conf: no [node ID] section: the cluster needs at least one node");
	bad("",
	    "t.conf: no [node ID] section: the cluster needs at least one node");
	memset(text, 'x', sizeof(text));
	memcpy(text, "[mutexd]\nk = ", 13);
	strcpy(text + 500, "\n");
	bad(text, "t.conf:2: line longer than 198 characters");
}

TEST(overrides)
{
	struct ordo_conf_section *s;
	struct ordo_conf *c;
	char err[ORDO_CONF_ERR_LEN];

	ASSERT_EQ(0, load(NODES "[mutexd]\nalgorithm = central\n", &c, err));
	EXPECT_EQ(0, ordo_conf_set(c, "runtime.heartbeat_ms=50"));
	EXPECT_EQ(50U, c->rt.heartbeat_ms);
	EXPECT_EQ(0, ordo_conf_set(c, "runtime.stamping=user"));
	EXPECT_EQ(ORDO_STAMP_USER, c->rt.stamping);
	EXPECT_EQ(0, ordo_conf_set(c, "node 2.port=7405"));
	EXPECT_EQ(7405, ordo_conf_node(c, 2)->port);
	EXPECT_EQ(0, ordo_conf_set(c, "mutexd.algorithm=ra"));
	s = ordo_conf_section(c, "mutexd");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("ra", ordo_conf_get(s, "algorithm")->value);
	EXPECT_EQ(0U, ordo_conf_get(s, "algorithm")->line);
	/* a new section, a value with '=' and '.' in it */
	EXPECT_EQ(0, ordo_conf_set(c, "lock a.b.note=x=1.5"));
	s = ordo_conf_section(c, "lock a.b");
	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, ordo_conf_get(s, "note"));
	EXPECT_STREQ("x=1.5", ordo_conf_get(s, "note")->value);
	/* a new node needs both keys: the second --set completes it */
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "node 9.address=127.0.0.9"));
	EXPECT_STREQ("--set: [node 9] (not in t.conf): missing port", c->err);
	ordo_conf_free(c);

	ASSERT_EQ(0, load(NODES, &c, err));
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "runtime.foo=1"));
	EXPECT_STREQ("--set runtime.foo=1: unknown key (known: heartbeat_ms, suspect_ms, retransmit_ms, retransmit_max, lclock_domain, stamping, log)",
		     c->err);
	ordo_conf_free(c);
	ASSERT_EQ(0, load(NODES, &c, err));
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "runtime.heartbeat_ms=abc"));
	EXPECT_STREQ("--set runtime.heartbeat_ms=abc: 'abc' is not a number from 1 to 60000",
		     c->err);
	ordo_conf_free(c);
	ASSERT_EQ(0, load(NODES, &c, err));
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "runtime.suspect_ms=100"));
	EXPECT_STREQ("--set runtime.suspect_ms=100: suspect_ms (100) must be larger than heartbeat_ms (200)",
		     c->err);
	ordo_conf_free(c);
	ASSERT_EQ(0, load(NODES, &c, err));
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "node 2.port=7401"));
	EXPECT_STREQ("--set node 2.port=7401: address 127.0.0.1 port 7401 is already node 1's (line 4)",
		     c->err);
	ordo_conf_free(c);
	ASSERT_EQ(0, load(NODES, &c, err));
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "heartbeat_ms=5"));
	EXPECT_STREQ("--set heartbeat_ms=5: expected SECTION.KEY=VALUE (e.g. runtime.heartbeat_ms=50)",
		     c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "runtime.heartbeat_ms"));
	EXPECT_STREQ("--set runtime.heartbeat_ms: expected SECTION.KEY=VALUE (e.g. runtime.heartbeat_ms=50)",
		     c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "runtime.=5"));
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, ".x=5"));
	EXPECT_EQ(-EINVAL, ordo_conf_set(c, "node x.port=5"));
	EXPECT_STREQ("--set node x.port=5: bad section [node x]: a node is [node ID], ID a number 0..4294967295",
		     c->err);
	ordo_conf_free(c);
}

/* What a daemon does with its own section. */
TEST(daemon_getters)
{
	static const char *const algos[] = { "central", "ring", "ra", NULL };
	static const char *const known[] = { "algorithm", "n", "big", "on", NULL };
	struct ordo_conf_section *s;
	struct ordo_conf *c;
	char err[ORDO_CONF_ERR_LEN];
	const char *str;
	uint64_t big;
	uint32_t n;
	bool on;
	int algo;

	ASSERT_EQ(0, load(NODES "[mutexd]\nalgorithm = ring\nn = 42\nbig = 18446744073709551615\non = Yes\n",
			  &c, err));
	s = ordo_conf_section(c, "mutexd");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, ordo_conf_check_keys(c, s, known));
	EXPECT_EQ(0, ordo_conf_enum(c, s, "algorithm", algos, 0, &algo));
	EXPECT_EQ(1, algo);
	EXPECT_EQ(0, ordo_conf_u32(c, s, "n", 1, 100, 5, &n));
	EXPECT_EQ(42U, n);
	EXPECT_EQ(0, ordo_conf_u32(c, s, "missing", 1, 100, 5, &n));
	EXPECT_EQ(5U, n);
	EXPECT_EQ(0, ordo_conf_u64(c, s, "big", 0, UINT64_MAX, 0, &big));
	EXPECT_EQ(UINT64_MAX, big);
	EXPECT_EQ(0, ordo_conf_bool(c, s, "on", false, &on));
	EXPECT_TRUE(on);
	EXPECT_EQ(0, ordo_conf_str(c, s, "algorithm", "x", &str));
	EXPECT_STREQ("ring", str);
	EXPECT_EQ(0, ordo_conf_str(c, NULL, "algorithm", "x", &str));
	EXPECT_STREQ("x", str);

	EXPECT_EQ(-EINVAL, ordo_conf_u32(c, s, "n", 1, 10, 5, &n));
	EXPECT_STREQ("t.conf:9: [mutexd] n: '42' is not a number from 1 to 10", c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_u32(c, s, "big", 0, UINT32_MAX, 5, &n));
	EXPECT_STREQ("t.conf:10: [mutexd] big: '18446744073709551615' is not a number from 0 to 4294967295",
		     c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_bool(c, s, "algorithm", false, &on));
	EXPECT_STREQ("t.conf:8: [mutexd] algorithm: 'ring' is not a boolean (true/false, yes/no, on/off, 1/0)",
		     c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_enum(c, s, "n", algos, 0, &algo));
	EXPECT_STREQ("t.conf:9: [mutexd] n: '42' is not one of: central, ring, ra", c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_check_keys(c, s, algos));
	EXPECT_STREQ("t.conf:8: [mutexd] algorithm: unknown key (known: central, ring, ra)", c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_error(c, 3, "lock %s: %d holders", "x", 0));
	EXPECT_STREQ("t.conf:3: lock x: 0 holders", c->err);
	EXPECT_EQ(-EINVAL, ordo_conf_kv_error(c, s, ordo_conf_get(s, "n"), "odd"));
	EXPECT_STREQ("t.conf:9: [mutexd] n: odd", c->err);
	/* a key from --set is named by its override */
	ASSERT_EQ(0, ordo_conf_set(c, "mutexd.n=0"));
	EXPECT_EQ(-EINVAL, ordo_conf_u32(c, s = ordo_conf_section(c, "mutexd"), "n", 1, 10, 5, &n));
	EXPECT_STREQ("--set mutexd.n=0: '0' is not a number from 1 to 10", c->err);
	ordo_conf_free(c);
}

/* The daemons' common options and set-up (ordo_svc_option/setup). */
TEST(svc_options_and_setup)
{
	struct ordo_svc_opts o = { 0 };
	char path[] = "/tmp/ordo-svc-XXXXXX";
	struct ordo_conf *c;
	uint32_t self = 0;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	fputs(NODES "[mutexd]\nalgorithm = central\n", f);
	fclose(f);
	EXPECT_EQ(1, ordo_svc_option(&o, 'c', path));
	EXPECT_EQ(1, ordo_svc_option(&o, 'f', NULL));
	EXPECT_EQ(1, ordo_svc_option(&o, 'v', NULL));
	EXPECT_EQ(1, ordo_svc_option(&o, 'L', "stderr"));
	EXPECT_EQ(1, ordo_svc_option(&o, 's', "runtime.heartbeat_ms=50"));
	EXPECT_EQ(1, ordo_svc_option(&o, 's', "mutexd.algorithm=ra"));
	EXPECT_EQ(0, ordo_svc_option(&o, 'x', NULL));
	EXPECT_EQ(-EINVAL, ordo_svc_option(&o, 'n', "two"));
	EXPECT_EQ(-EINVAL, ordo_svc_option(&o, 'n', "-1"));
	EXPECT_EQ(-EINVAL, ordo_svc_option(&o, 'L', "syslog"));
	/* several nodes, no --node */
	EXPECT_EQ(-EINVAL, ordo_svc_setup(&o, "mutexd", &c, &self));
	EXPECT_EQ(NULL, c);
	EXPECT_EQ(1, ordo_svc_option(&o, 'n', "7"));
	EXPECT_EQ(-ENOENT, ordo_svc_setup(&o, "mutexd", &c, &self));
	EXPECT_EQ(1, ordo_svc_option(&o, 'n', "2"));
	ASSERT_EQ(0, ordo_svc_setup(&o, "mutexd", &c, &self));
	EXPECT_EQ(2U, self);
	EXPECT_EQ(50U, c->rt.heartbeat_ms);
	EXPECT_STREQ("ra", ordo_conf_get(ordo_conf_section(c, "mutexd"), "algorithm")->value);
	EXPECT_STREQ("/run/ordo/mutexd.sock", o.socket);
	EXPECT_EQ(LOG_DEBUG, ordo_log_level());
	ordo_conf_free(c);
	/* a bad override stops it */
	EXPECT_EQ(1, ordo_svc_option(&o, 's', "runtime.nope=1"));
	EXPECT_EQ(-EINVAL, ordo_svc_setup(&o, "mutexd", &c, &self));
	unlink(path);
	ordo_log_set_level(LOG_WARNING);
	EXPECT_NE(NULL, strstr(ordo_svc_usage, "--set S.K=V"));
}

/* sd_notify() through $NOTIFY_SOCKET, as systemd would receive it. */
TEST(sd_notify_messages)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[256];
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/ordo-notify-%d",
		 (int)getpid());
	unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sun, sizeof(sun)));
	ASSERT_EQ(0, setenv("NOTIFY_SOCKET", sun.sun_path, 1));
	ordo_svc_ready("node %d up", 1);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_STREQ("READY=1\nSTATUS=node 1 up", buf);
	ordo_svc_status("%s", "2 peers alive");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_STREQ("STATUS=2 peers alive", buf);
	ordo_svc_stopping();
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_STREQ("STOPPING=1", buf);
	unsetenv("NOTIFY_SOCKET");
	ordo_svc_ready(NULL);	/* no systemd: nothing, no error */
	EXPECT_GT(0, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	close(fd);
	unlink(sun.sun_path);
}

TEST_HARNESS_MAIN
