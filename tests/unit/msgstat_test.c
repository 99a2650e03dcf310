// SPDX-License-Identifier: GPL-2.0
/*
 * ordo-msgstat's report logic (user/ordo-msgstat/ms_report.c) on the
 * host: the textbook formulas, theory mode's verdicts, the peer of a row,
 * merging map entries into rows and rates, the misc slot names and the
 * JSON report.
 */
#include <arpa/inet.h>
#include <string.h>

#include <json-c/json.h>

#include <linux/ordo_app.h>
#include <linux/ordo_wire.h>

#include "ms_report.h"
#include "../kselftest_harness.h"

static void v4(uint8_t a[16], const char *s)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	inet_pton(AF_INET, s, a + 12);
}

static struct ms_entry ent(uint8_t proto, uint8_t type, uint8_t dir, uint32_t sender,
			   const char *src, const char *dst, uint64_t packets,
			   uint64_t retx, uint64_t opdone)
{
	struct ms_entry e;

	memset(&e, 0, sizeof(e));
	e.key.proto = proto;
	e.key.type = type;
	e.key.dir = dir;
	e.key.sender = sender;
	e.key.family = MSGSTAT_AF_INET;
	v4(e.key.saddr, src);
	v4(e.key.daddr, dst);
	e.val.packets = packets;
	e.val.bytes = packets * 56;
	e.val.retx = retx;
	e.val.opdone = opdone;
	return e;
}

TEST(formulas)
{
	static const struct {
		const char *name;
		unsigned int n;
		uint64_t expected;
		enum ms_bound bound;
		const char *formula;
	} c[] = {
		{ "central", 3, 3, MS_EXACT, "3" },
		{ "mutex_central", 5, 3, MS_EXACT, "3" },
		{ "ra", 3, 4, MS_EXACT, "2(N-1)" },
		{ "mutex_ra", 5, 8, MS_EXACT, "2(N-1)" },
		{ "lamport", 3, 6, MS_EXACT, "3(N-1)" },
		{ "lamport", 5, 12, MS_EXACT, "3(N-1)" },
		{ "ring", 5, 5, MS_PER_CIRCULATION, "N" },
		{ "vote", 5, 12, MS_EXACT, "3(N-1)" },
		{ "bully", 5, 24, MS_WORST_CASE, "N^2-1" },
		{ "elect_ring", 5, 10, MS_EXACT, "2N" },
		{ "ring_election", 3, 6, MS_EXACT, "2N" },
	};
	enum ms_bound b;
	const char *f;
	uint64_t e;
	uint8_t p;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ASSERT_EQ(0, ms_theory_proto(c[i].name, &p)) TH_LOG("%s", c[i].name);
		ASSERT_EQ(0, ms_theory_formula(p, c[i].n, &b, &f, &e));
		EXPECT_EQ(c[i].expected, e) TH_LOG("%s N=%u", c[i].name, c[i].n);
		EXPECT_EQ(c[i].bound, b);
		EXPECT_STREQ(c[i].formula, f);
	}
	/* no formula: the runtime, raft, unknown names, N = 0 */
	EXPECT_EQ(-1, ms_theory_proto("rt", &p));
	EXPECT_EQ(-1, ms_theory_proto("raft", &p));
	EXPECT_EQ(-1, ms_theory_proto("paxos", &p));
	EXPECT_EQ(-1, ms_theory_formula(ORDO_APP_PROTO_MUTEX_RA, 0, &b, &f, &e));
	EXPECT_EQ(-1, ms_theory_formula(ORDO_APP_PROTO_RAFT, 3, &b, &f, &e));
}

TEST(rows_peer_merge_sort_rate)
{
	struct ms_node_addr na[2];
	struct ms_nodes nodes = { na, 2 };
	struct ms_entry e[6];
	struct ms_row *rows, *rows2;
	size_t n, n2;
	char buf[64];

	v4(na[0].addr, "10.0.0.1");
	na[0].node = 1;
	v4(na[1].addr, "10.0.0.2");
	na[1].node = 2;
	/* tx from 1 to 2 seen as two entries (two source addresses): merged */
	e[0] = ent(3, 1, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.2", 5, 1, 0);
	e[1] = ent(3, 1, MSGSTAT_TX, 1, "10.0.0.11", "10.0.0.2", 2, 0, 1);
	/* tx to an address outside the configuration: peer unknown */
	e[2] = ent(3, 1, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.9", 4, 0, 0);
	/* rx: the peer is the sender of the application header */
	e[3] = ent(3, 1, MSGSTAT_RX, 7, "10.0.0.9", "10.0.0.1", 3, 0, 0);
	e[4] = ent(1, 2, MSGSTAT_RX, 2, "10.0.0.2", "10.0.0.1", 6, 0, 6);
	e[5] = ent(3, 1, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.2", 1, 0, 0);
	e[5].key.cls = MSGSTAT_CLS_NOAPP;
	e[5].key.proto = 0;
	e[5].key.type = 0;

	ASSERT_EQ(0, ms_rows_build(e, 6, &nodes, NULL, 0, 2.0, false, &rows, &n));
	ASSERT_EQ(5, n);
	/* sorted by proto, type, dir, class, known peers first */
	EXPECT_EQ(0, rows[0].proto);
	EXPECT_EQ(MSGSTAT_CLS_NOAPP, rows[0].cls);
	EXPECT_EQ(1, rows[1].proto);
	EXPECT_EQ(MSGSTAT_RX, rows[1].dir);
	EXPECT_TRUE(rows[1].peer_known);
	EXPECT_EQ(2, rows[1].peer);
	EXPECT_EQ(6, rows[1].v.opdone);
	EXPECT_EQ(3, rows[2].proto);
	EXPECT_EQ(MSGSTAT_RX, rows[2].dir);
	EXPECT_EQ(7, rows[2].peer);
	ms_addr_str(rows[2].peer_addr, buf, sizeof(buf));
	EXPECT_STREQ("10.0.0.9", buf);
	EXPECT_EQ(MSGSTAT_TX, rows[3].dir);
	EXPECT_TRUE(rows[3].peer_known);
	EXPECT_EQ(2, rows[3].peer);
	EXPECT_EQ(7, rows[3].v.packets);
	EXPECT_EQ(1, rows[3].v.retx);
	EXPECT_EQ(1, rows[3].v.opdone);
	EXPECT_EQ(7 * 56, rows[3].v.bytes);
	EXPECT_EQ(3.5, rows[3].rate);
	EXPECT_FALSE(rows[4].peer_known);
	EXPECT_EQ(4, rows[4].v.packets);

	/* the next interval: the rate is the difference over the seconds */
	e[0].val.packets += 10;
	ASSERT_EQ(0, ms_rows_build(e, 6, &nodes, rows, n, 0.5, false, &rows2, &n2));
	ASSERT_EQ(5, n2);
	EXPECT_EQ(17, rows2[3].v.packets);
	EXPECT_EQ(20.0, rows2[3].rate);
	EXPECT_EQ(0.0, rows2[4].rate);
	free(rows2);
	/* with --reset the counts are the interval's */
	ASSERT_EQ(0, ms_rows_build(e, 6, &nodes, rows, n, 0.5, true, &rows2, &n2));
	EXPECT_EQ(34.0, rows2[3].rate);
	free(rows2);
	free(rows);

	/* no entries at all */
	ASSERT_EQ(0, ms_rows_build(NULL, 0, NULL, NULL, 0, 1, false, &rows, &n));
	EXPECT_EQ(0, n);
	free(rows);
}

TEST(theory_verdicts)
{
	struct ms_entry e[3];
	struct ms_row *rows;
	struct ms_theory t;
	size_t n;

	/* RA, N = 3: 2 entries of 4 messages, rx rows do not count */
	e[0] = ent(3, 1, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.2", 6, 0, 0);
	e[1] = ent(3, 2, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.3", 2, 0, 2);
	e[2] = ent(3, 2, MSGSTAT_RX, 2, "10.0.0.2", "10.0.0.1", 9, 0, 9);
	ASSERT_EQ(0, ms_rows_build(e, 3, NULL, NULL, 0, 1, false, &rows, &n));
	ASSERT_EQ(0, ms_theory_eval(rows, n, ORDO_APP_PROTO_MUTEX_RA, 3, &t));
	EXPECT_EQ(8, t.messages);
	EXPECT_EQ(2, t.ops);
	EXPECT_EQ(4, t.expected);
	EXPECT_EQ(4.0, t.per_op);
	EXPECT_STREQ("match", t.verdict);
	/* N = 5 expects 8 per entry */
	ASSERT_EQ(0, ms_theory_eval(rows, n, ORDO_APP_PROTO_MUTEX_RA, 5, &t));
	EXPECT_STREQ("differs", t.verdict);
	/* another protocol: nothing measured */
	ASSERT_EQ(0, ms_theory_eval(rows, n, ORDO_APP_PROTO_MUTEX_LAMPORT, 3, &t));
	EXPECT_EQ(0, t.messages);
	EXPECT_STREQ("no operations", t.verdict);
	free(rows);

	/* bully, N = 3: at most 8 per election */
	e[0] = ent(16, 1, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.2", 16, 0, 2);
	ASSERT_EQ(0, ms_rows_build(e, 1, NULL, NULL, 0, 1, false, &rows, &n));
	ASSERT_EQ(0, ms_theory_eval(rows, n, ORDO_APP_PROTO_ELECT_BULLY, 3, &t));
	EXPECT_STREQ("within", t.verdict);
	free(rows);
	e[0].val.packets = 17;
	ASSERT_EQ(0, ms_rows_build(e, 1, NULL, NULL, 0, 1, false, &rows, &n));
	ASSERT_EQ(0, ms_theory_eval(rows, n, ORDO_APP_PROTO_ELECT_BULLY, 3, &t));
	EXPECT_STREQ("exceeds", t.verdict);
	free(rows);

	/* token ring, N = 4: 10 TOKEN messages are 2.5 circulations */
	e[0] = ent(2, 1, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.2", 10, 0, 3);
	ASSERT_EQ(0, ms_rows_build(e, 1, NULL, NULL, 0, 1, false, &rows, &n));
	ASSERT_EQ(0, ms_theory_eval(rows, n, ORDO_APP_PROTO_MUTEX_RING, 4, &t));
	EXPECT_EQ(2.5, t.per_op);
	EXPECT_STREQ("circulations", t.verdict);
	free(rows);
}

TEST(misc_names_and_totals)
{
	struct ms_misc m;

	memset(&m, 0, sizeof(m));
	EXPECT_STREQ("wire_short", ms_misc_name(MSGSTAT_WIRE_BAD - ORDO_WIRE_E_SHORT - 1));
	EXPECT_STREQ("wire_reserved", ms_misc_name(MSGSTAT_WIRE_BAD - ORDO_WIRE_E_RESERVED - 1));
	EXPECT_STREQ("app_proto", ms_misc_name(MSGSTAT_APP_BAD - ORDO_APP_E_PROTO - 1));
	EXPECT_STREQ("app_len", ms_misc_name(MSGSTAT_APP_BAD - ORDO_APP_E_LEN - 1));
	EXPECT_STREQ("overflow", ms_misc_name(MSGSTAT_OVERFLOW));
	EXPECT_EQ(NULL, ms_misc_name(14));
	m.slot[msgstat_misc_slot(MSGSTAT_TX, 1)] = 3;
	m.slot[msgstat_misc_slot(MSGSTAT_TX, MSGSTAT_APP_BAD + 2)] = 4;
	m.slot[msgstat_misc_slot(MSGSTAT_TX, MSGSTAT_OVERFLOW)] = 100;	/* not malformed */
	m.slot[msgstat_misc_slot(MSGSTAT_RX, 0)] = 1;
	EXPECT_EQ(7, ms_misc_malformed(&m, MSGSTAT_TX));
	EXPECT_EQ(1, ms_misc_malformed(&m, MSGSTAT_RX));
}

TEST(json_report)
{
	struct ms_entry e[2];
	struct ms_row *rows;
	struct ms_misc m;
	struct ms_stamp st[3] = {
		{ { 111, MSGSTAT_ST_SEND, 1 }, 8 },
		{ { 111, MSGSTAT_ST_RECV, 2 }, 5 },
		{ { 222, MSGSTAT_ST_SEND, 2 }, 9 },
	};
	uint32_t netns[1] = { 111 };
	struct ms_report r;
	struct ms_theory t;
	struct json_object *o, *x, *row;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.slot[msgstat_misc_slot(MSGSTAT_RX, MSGSTAT_WIRE_BAD + 2)] = 2;	/* version */
	e[0] = ent(3, 1, MSGSTAT_TX, 1, "10.0.0.1", "10.0.0.2", 8, 1, 2);
	e[1] = ent(3, 1, MSGSTAT_RX, 2, "10.0.0.2", "10.0.0.1", 5, 0, 0);
	ASSERT_EQ(0, ms_rows_build(e, 2, NULL, NULL, 0, 1, false, &rows, &n));
	ASSERT_EQ(0, ms_theory_eval(rows, n, ORDO_APP_PROTO_MUTEX_RA, 3, &t));
	memset(&r, 0, sizeof(r));
	r.time = 1000;
	r.interval = 1;
	r.rows = rows;
	r.nrows = n;
	r.misc = &m;
	r.stamps = st;
	r.nstamps = 3;
	r.netns = netns;
	r.nnetns = 1;
	r.theory = &t;
	o = ms_report_json(&r);
	ASSERT_NE(NULL, o);
	x = json_object_object_get(o, "messages");
	ASSERT_EQ(2, json_object_array_length(x));
	row = json_object_array_get_idx(x, 1);	/* tx sorts after rx */
	EXPECT_STREQ("mutex_ra", json_object_get_string(json_object_object_get(row, "proto")));
	EXPECT_STREQ("tx", json_object_get_string(json_object_object_get(row, "dir")));
	EXPECT_STREQ("app", json_object_get_string(json_object_object_get(row, "class")));
	EXPECT_EQ(NULL, json_object_object_get(row, "peer"));	/* no configuration */
	EXPECT_STREQ("10.0.0.2", json_object_get_string(json_object_object_get(row, "peer_addr")));
	EXPECT_EQ(8, json_object_get_int64(json_object_object_get(row, "count")));
	EXPECT_EQ(1, json_object_get_int64(json_object_object_get(row, "retx")));
	EXPECT_EQ(2, json_object_get_int64(json_object_object_get(row, "opdone")));
	row = json_object_array_get_idx(x, 0);
	EXPECT_EQ(2, json_object_get_int64(json_object_object_get(row, "peer")));
	x = json_object_object_get(json_object_object_get(o, "totals"), "rx");
	EXPECT_EQ(5, json_object_get_int64(json_object_object_get(x, "app")));
	EXPECT_EQ(2, json_object_get_int64(json_object_object_get(x, "malformed")));
	x = json_object_object_get(json_object_object_get(o, "malformed"), "rx");
	EXPECT_EQ(2, json_object_get_int64(json_object_object_get(x, "wire_version")));
	EXPECT_EQ(1, json_object_object_length(x));
	/* stamps of the attached namespace only */
	x = json_object_object_get(o, "stamps");
	ASSERT_EQ(1, json_object_array_length(x));
	EXPECT_EQ(8, json_object_get_int64(json_object_object_get(json_object_array_get_idx(x, 0), "send")));
	EXPECT_EQ(5, json_object_get_int64(json_object_object_get(json_object_array_get_idx(x, 0), "recv")));
	x = json_object_object_get(o, "theory");
	EXPECT_STREQ("2(N-1)", json_object_get_string(json_object_object_get(x, "formula")));
	EXPECT_EQ(8, json_object_get_int64(json_object_object_get(x, "messages")));
	EXPECT_EQ(2, json_object_get_int64(json_object_object_get(x, "ops")));
	EXPECT_STREQ("match", json_object_get_string(json_object_object_get(x, "verdict")));
	json_object_put(o);
	free(rows);
}

TEST_HARNESS_MAIN
