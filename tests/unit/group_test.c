// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/lib/ordo_group.c, the ordered multicast transport:
 * the packet header byte by byte, then 4 members in one process on
 * 127.0.0.1 with userspace stamping (ORDO_LDOM_F_USER, no module
 * needed), with losses and duplicates injected through the tx hook, in
 * total and causal mode. Every member must deliver every message exactly
 * once, in the same order (total) or in causal order (causal), and the
 * reliability layer must have retransmitted and dropped duplicates.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ordo_group.h"
#include "../kselftest_harness.h"

#define N	4
#define K	30		/* messages per member */
#define REACT	5		/* causal: replies per member */
#define MAXD	(N * (K + REACT))

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

struct member {
	struct ordo_group *g;
	uint32_t id;
	int loss_pct, dup_pct;
	int ndel;
	uint32_t del_from[MAXD];
	uint64_t del_ts[MAXD];
	uint64_t del_vc[MAXD][N];
	char del_text[MAXD][32];
	int reacted;
	int bad;		/* causal order broken at delivery */
	uint64_t count[N];	/* causal: delivered from each member */
	uint64_t last_local;	/* highest Lamport cmsg local seen */
	int clock_back;
	uint64_t rx_seen;
};

static unsigned int hook(void *arg, uint32_t to, uint32_t type, uint64_t seq)
{
	struct member *m = arg;

	(void)to;
	(void)type;
	(void)seq;
	if ((int)(rnd() % 100) < m->loss_pct)
		return 0;
	return (int)(rnd() % 100) < m->dup_pct ? 2 : 1;
}

static void on_deliver(void *arg, const struct ordo_group_msg *msg)
{
	struct member *m = arg;
	int i = m->ndel;
	uint32_t k;

	if (i >= MAXD) {
		m->bad++;
		return;
	}
	m->del_from[i] = msg->from;
	m->del_ts[i] = msg->ts;
	snprintf(m->del_text[i], sizeof(m->del_text[i]), "%.*s",
		 (int)msg->len, (const char *)msg->data);
	if (msg->vc) {
		/* the causal delivery condition, checked independently */
		for (k = 0; k < N; k++) {
			m->del_vc[i][k] = msg->vc[k];
			if (k == msg->from ? msg->vc[k] != m->count[k] + 1 :
					     msg->vc[k] > m->count[k])
				m->bad++;
		}
		m->count[msg->from]++;
		/* reply to the first messages of others: causal chains */
		if (msg->from != m->id && m->reacted < REACT) {
			char t[32];

			m->reacted++;
			snprintf(t, sizeof(t), "re%u.%d", m->id, m->reacted);
			if (ordo_group_send(m->g, t, strlen(t)))
				m->bad++;
		}
	}
	if ((msg->from == m->id) != (msg->cmsg == NULL))
		m->bad++;
	m->ndel++;
}

static void on_rx(void *arg, const struct ordo_group_rx *rx)
{
	struct member *m = arg;

	m->rx_seen++;
	if (!rx->cmsg || rx->cmsg->kind != ORDO_WIRE_KIND_LAMPORT)
		return;
	if (rx->cmsg->local <= m->last_local || rx->cmsg->local <= rx->cmsg->ts)
		m->clock_back++;
	m->last_local = rx->cmsg->local;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Open 4 members on 127.0.0.1, on free ports. */
static int open_all(struct member *mb, enum ordo_group_mode mode, int loss,
		    int dup)
{
	struct sockaddr_storage addrs[N];
	int attempt, i, err = 0;

	for (attempt = 0; attempt < 20; attempt++) {
		int base = 20000 + (int)((getpid() * 7 + attempt * 131) % 30000);

		memset(addrs, 0, sizeof(addrs));
		for (i = 0; i < N; i++) {
			struct sockaddr_in *a = (struct sockaddr_in *)&addrs[i];

			a->sin_family = AF_INET;
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			a->sin_port = htons((uint16_t)(base + i));
		}
		for (i = 0; i < N; i++) {
			struct ordo_group_config cfg = {
				.mode = mode, .n = N, .self = (uint32_t)i,
				.addrs = addrs,
				.clock = {
					.domain = 7,
					.kind = mode == ORDO_GROUP_TOTAL ?
						ORDO_WIRE_KIND_LAMPORT :
						ORDO_WIRE_KIND_VECTOR,
					.vc_n = mode == ORDO_GROUP_TOTAL ? 0 : N,
					.vc_index = mode == ORDO_GROUP_TOTAL ?
						0 : (uint32_t)i,
					.has_node = 1, .node = (uint32_t)i,
				},
				.ldom_flags = ORDO_LDOM_F_USER,
				.rto_min_ms = 5, .rto_max_ms = 100,
				.rto_init_ms = 20,
				.deliver = on_deliver, .rx = on_rx,
				.tx_hook = hook, .arg = &mb[i],
			};

			memset(&mb[i], 0, sizeof(mb[i]));
			mb[i].id = (uint32_t)i;
			mb[i].loss_pct = loss;
			mb[i].dup_pct = dup;
			err = ordo_group_open(&mb[i].g, &cfg);
			if (err)
				break;
		}
		if (!err)
			return 0;
		while (i-- > 0)
			ordo_group_close(mb[i].g);
		if (err != -EADDRINUSE)
			return err;
	}
	return err;
}

/* Run until everyone delivered @want and is idle, or 20 s. */
static int run_all(struct member *mb, int want)
{
	uint64_t deadline = now_ms() + 20000;
	struct pollfd pfd[N];
	int i, t, timeout, done;

	while (now_ms() < deadline) {
		timeout = 50;
		for (i = 0; i < N; i++) {
			pfd[i].fd = ordo_group_fd(mb[i].g);
			pfd[i].events = POLLIN;
			t = ordo_group_timeout_ms(mb[i].g);
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		if (poll(pfd, N, timeout) < 0 && errno != EINTR)
			return -errno;
		done = 0;
		for (i = 0; i < N; i++) {
			if (ordo_group_process(mb[i].g) < 0)
				return -EIO;
			if (mb[i].ndel >= want && ordo_group_idle(mb[i].g))
				done++;
		}
		if (done == N)
			return 0;
	}
	return -ETIMEDOUT;
}

static void close_all(struct member *mb)
{
	int i;

	for (i = 0; i < N; i++)
		ordo_group_close(mb[i].g);
}

/* Every member multicasts K messages, interleaved. */
static int send_all(struct member *mb)
{
	char t[32];
	int i, k, err;

	for (k = 1; k <= K; k++) {
		for (i = 0; i < N; i++) {
			snprintf(t, sizeof(t), "m%d.%d", i, k);
			err = ordo_group_send(mb[i].g, t, strlen(t));
			if (err)
				return err;
			if (ordo_group_process(mb[i].g) < 0)
				return -EIO;
		}
	}
	return 0;
}

/* Every message sent is delivered exactly once at every member. */
static int check_exactly_once(struct member *mb, int want)
{
	int i, j, k;

	for (i = 0; i < N; i++) {
		if (mb[i].ndel != want)
			return -1;
		for (j = 0; j < want; j++)
			for (k = j + 1; k < want; k++)
				if (!strcmp(mb[i].del_text[j], mb[i].del_text[k]))
					return -2;
	}
	return 0;
}

TEST(header_bytes)
{
	static const uint8_t want[ORDO_GROUP_HDR_LEN] = {
		0x4f, 0x4d, 0x43, 0x50, 0x01, 0x01, 0x02, 0x00,
		0x00, 0x03, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	};
	struct ordo_group_hdr h = {
		.version = 1, .type = ORDO_GROUP_PKT_DATA,
		.mode = ORDO_GROUP_CAUSAL, .from = 3, .to = 1, .n = 4,
		.seq = 7, .ack = 5, .sack = 5,
	}, d;
	uint8_t buf[ORDO_GROUP_HDR_LEN + 8];

	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(0, memcmp(buf, want, sizeof(want)));
	ASSERT_EQ(0, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN + 8, &d));
	EXPECT_EQ(3, d.from);
	EXPECT_EQ(1, d.to);
	EXPECT_EQ(4, d.n);
	EXPECT_EQ(7, d.seq);
	EXPECT_EQ(5, d.ack);
	EXPECT_EQ(5, d.sack);
	EXPECT_EQ(-EMSGSIZE, ordo_group_hdr_decode(buf, 39, &d));
	/* an ACK has no seq and no body */
	h.type = ORDO_GROUP_PKT_ACK;
	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(-EBADMSG, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	h.seq = 0;
	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(0, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	EXPECT_EQ(-EBADMSG, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN + 1, &d));
	/* PROBE and LEAVE are ACK flags; others are refused */
	h.flags = ORDO_GROUP_F_PROBE | ORDO_GROUP_F_LEAVE;
	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(0x03, buf[7]);
	EXPECT_EQ(0, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	EXPECT_EQ(ORDO_GROUP_F_ALL, d.flags);
	h.flags = 0x04;
	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(-EBADMSG, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	h.flags = 0;
	/* DATA with seq 0, unknown type, flags, bad magic, version */
	h.type = ORDO_GROUP_PKT_DATA;
	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(-EBADMSG, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	h.seq = 1;
	h.type = 3;
	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(-EBADMSG, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	h.type = ORDO_GROUP_PKT_DATA;
	h.flags = 1;
	ordo_group_hdr_encode(buf, &h);
	EXPECT_EQ(-EBADMSG, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	h.flags = 0;
	ordo_group_hdr_encode(buf, &h);
	buf[0] ^= 1;
	EXPECT_EQ(-EBADMSG, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
	buf[0] ^= 1;
	buf[4] = 2;
	EXPECT_EQ(-EPROTO, ordo_group_hdr_decode(buf, ORDO_GROUP_HDR_LEN, &d));
}

/*
 * A whole datagram as it leaves member 0 of a group of 2 (member 1 is a
 * plain UDP socket): the ordo clock header (userspace Lamport stamping,
 * node 0, group 7, ts 1), the transport header, the total-order body and
 * the payload (Documentation/wire-format.rst, "Ordered multicast").
 */
TEST(datagram_bytes)
{
	static const uint8_t want[] = {
		/* clock header */
		0x4f, 0x52, 0x44, 0x4f, 0x01, 0x01, 0x00, 0x20,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		/* transport header: DATA, total, from 0 to 1, n 2, seq 1 */
		0x4f, 0x4d, 0x43, 0x50, 0x01, 0x01, 0x01, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		/* body: message, msg_from 0, ts 1, msg_ts 1, "hi" */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		'h', 'i',
	};
	struct sockaddr_storage addrs[2] = { 0 };
	struct sockaddr_in *a0 = (struct sockaddr_in *)&addrs[0];
	struct sockaddr_in *a1 = (struct sockaddr_in *)&addrs[1];
	struct member m = { 0 };
	struct ordo_group_config cfg = {
		.mode = ORDO_GROUP_TOTAL, .n = 2, .self = 0, .addrs = addrs,
		.clock = { .domain = 7, .kind = ORDO_WIRE_KIND_LAMPORT },
		.ldom_flags = ORDO_LDOM_F_USER,
		.deliver = on_deliver, .arg = &m,
	};
	socklen_t len = sizeof(*a1);
	uint8_t buf[256];
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	a1->sin_family = AF_INET;
	a1->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)a1, len));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)a1, &len));
	*a0 = *a1;
	a0->sin_port = 0;	/* any port */
	ASSERT_EQ(0, ordo_group_open(&m.g, &cfg));
	ASSERT_EQ(0, ordo_group_send(m.g, "hi", 2));
	ASSERT_EQ(sizeof(want), recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, want, sizeof(want)));
	ordo_group_close(m.g);
	close(fd);
}

TEST(bad_config)
{
	struct sockaddr_storage a[2] = { 0 };
	struct ordo_group_config cfg = {
		.mode = ORDO_GROUP_TOTAL, .n = 2, .self = 2, .addrs = a,
		.deliver = on_deliver,
	};
	struct ordo_group *g;

	a[0].ss_family = a[1].ss_family = AF_INET;
	EXPECT_EQ(-EINVAL, ordo_group_open(&g, &cfg));		/* self >= n */
	cfg.self = 0;
	cfg.mode = 3;
	EXPECT_EQ(-EINVAL, ordo_group_open(&g, &cfg));
	cfg.mode = ORDO_GROUP_CAUSAL;
	a[1].ss_family = AF_INET6;
	EXPECT_EQ(-EINVAL, ordo_group_open(&g, &cfg));		/* mixed families */
	a[1].ss_family = AF_INET;
	cfg.n = ORDO_GROUP_MAX + 1;
	EXPECT_EQ(-EINVAL, ordo_group_open(&g, &cfg));
	cfg.n = 2;
	cfg.deliver = NULL;
	EXPECT_EQ(-EINVAL, ordo_group_open(&g, &cfg));
}

/* No loss: exact message complexity, N(N - 1) per multicast. */
TEST(total_no_loss_complexity)
{
	static struct member mb[N];
	struct ordo_group_stats st;
	uint64_t data = 0, rtx = 0, proto = 0;
	int i, j;

	ASSERT_EQ(0, open_all(mb, ORDO_GROUP_TOTAL, 0, 0));
	ASSERT_EQ(0, send_all(mb));
	ASSERT_EQ(0, run_all(mb, N * K));
	EXPECT_EQ(0, check_exactly_once(mb, N * K));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(0, mb[i].bad);
		EXPECT_EQ(0, mb[i].clock_back);
		for (j = 0; j < N * K; j++) {
			EXPECT_EQ(mb[0].del_from[j], mb[i].del_from[j]);
			EXPECT_EQ(mb[0].del_ts[j], mb[i].del_ts[j]);
		}
		ordo_group_stats(mb[i].g, &st);
		data += st.data_sent;
		rtx += st.retransmits;
		proto += st.proto_acks;
		EXPECT_EQ(K, st.multicasts);
		EXPECT_EQ(N * K, st.delivered);
		EXPECT_EQ(0, st.pending);
		EXPECT_EQ(0, st.unacked);
		EXPECT_EQ(0, st.bad);
	}
	/* (N - 1) copies of every message and of every protocol ack */
	EXPECT_EQ((uint64_t)N * K * (N - 1), proto);
	EXPECT_EQ((uint64_t)N * K * N * (N - 1), data);
	TH_LOG("%d multicasts, %llu DATA datagrams, %llu retransmitted",
	       N * K, (unsigned long long)data, (unsigned long long)rtx);
	close_all(mb);
}

TEST(total_loss_dup)
{
	static struct member mb[N];
	struct ordo_group_stats st;
	uint64_t rtx = 0, dups = 0, fast = 0, ooo = 0;
	int i, j;

	ASSERT_EQ(0, open_all(mb, ORDO_GROUP_TOTAL, 20, 10));
	ASSERT_EQ(0, send_all(mb));
	ASSERT_EQ(0, run_all(mb, N * K));
	EXPECT_EQ(0, check_exactly_once(mb, N * K));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(0, mb[i].bad);
		EXPECT_EQ(0, mb[i].clock_back);
		for (j = 0; j < N * K; j++) {
			EXPECT_EQ(mb[0].del_from[j], mb[i].del_from[j]);
			EXPECT_EQ(mb[0].del_ts[j], mb[i].del_ts[j]);
			EXPECT_STREQ(mb[0].del_text[j], mb[i].del_text[j]);
		}
		ordo_group_stats(mb[i].g, &st);
		rtx += st.retransmits;
		fast += st.fast_retransmits;
		dups += st.duplicates;
		ooo += st.out_of_order;
	}
	EXPECT_LT(0, rtx);
	EXPECT_LT(0, dups);
	EXPECT_LT(0, ooo);
	TH_LOG("retransmits %llu (fast %llu), duplicates %llu, out of order %llu",
	       (unsigned long long)rtx, (unsigned long long)fast,
	       (unsigned long long)dups, (unsigned long long)ooo);
	close_all(mb);
}

TEST(causal_loss_dup)
{
	static struct member mb[N];
	struct ordo_group_stats st;
	uint64_t rtx = 0, held = 0;
	int i;

	ASSERT_EQ(0, open_all(mb, ORDO_GROUP_CAUSAL, 20, 10));
	ASSERT_EQ(0, send_all(mb));
	ASSERT_EQ(0, run_all(mb, N * (K + REACT)));
	EXPECT_EQ(0, check_exactly_once(mb, N * (K + REACT)));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(0, mb[i].bad);
		EXPECT_EQ(REACT, mb[i].reacted);
		ordo_group_stats(mb[i].g, &st);
		EXPECT_EQ(K + REACT, st.multicasts);
		rtx += st.retransmits;
		held += st.held_back;
	}
	EXPECT_LT(0, rtx);
	/* losses make later messages overtake earlier ones: held back */
	EXPECT_LT(0, held);
	TH_LOG("retransmits %llu, held back %llu", (unsigned long long)rtx,
	       (unsigned long long)held);
	close_all(mb);
}

/* A send from the deliver callback is deferred, not nested. */
TEST(send_from_callback_and_process_busy)
{
	static struct member mb[N];

	ASSERT_EQ(0, open_all(mb, ORDO_GROUP_CAUSAL, 0, 0));
	EXPECT_EQ(-EMSGSIZE, ordo_group_send(mb[0].g, "x",
					     ORDO_GROUP_PAYLOAD_MAX + 1));
	/* own delivery in causal mode is immediate; it reacts to nobody */
	ASSERT_EQ(0, ordo_group_send(mb[0].g, "a", 1));
	EXPECT_EQ(1, mb[0].ndel);
	/* everyone replies to the first REACT messages of others: a cascade */
	ASSERT_EQ(0, run_all(mb, 1 + N * REACT));
	EXPECT_EQ(0, check_exactly_once(mb, 1 + N * REACT));
	for (int i = 0; i < N; i++) {
		EXPECT_EQ(REACT, mb[i].reacted);
		EXPECT_EQ(0, mb[i].bad);
	}
	close_all(mb);
}

/*
 * PROBE: every member hears from every other before anything is sent.
 * LEAVE: once member 3 has left, member 0 does not wait for its acks.
 */
TEST(probe_and_leave)
{
	static struct member mb[N];
	struct ordo_group_stats st;
	struct pollfd pfd[N];
	uint64_t deadline;
	int i, heard;

	ASSERT_EQ(0, open_all(mb, ORDO_GROUP_TOTAL, 0, 0));
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, ordo_group_heard(mb[i].g));
	deadline = now_ms() + 5000;
	do {
		heard = 0;
		for (i = 0; i < N; i++) {
			ordo_group_probe(mb[i].g);
			pfd[i].fd = ordo_group_fd(mb[i].g);
			pfd[i].events = POLLIN;
		}
		poll(pfd, N, 10);
		for (i = 0; i < N; i++) {
			ASSERT_LE(0, ordo_group_process(mb[i].g));
			heard += ordo_group_heard(mb[i].g) == N - 1;
		}
	} while (heard < N && now_ms() < deadline);
	ASSERT_EQ(N, heard);
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, ordo_group_probe(mb[i].g));

	/* member 3 leaves; member 0's next DATA needs only 1 and 2's acks */
	ordo_group_leave(mb[3].g);
	ordo_group_close(mb[3].g);
	mb[3].g = NULL;
	usleep(20000);
	ASSERT_LE(0, ordo_group_process(mb[0].g));	/* reads the LEAVE */
	ASSERT_EQ(0, ordo_group_send(mb[0].g, "x", 1));
	deadline = now_ms() + 5000;
	do {
		for (i = 0; i < N - 1; i++) {
			pfd[i].fd = ordo_group_fd(mb[i].g);
			pfd[i].events = POLLIN;
		}
		poll(pfd, N - 1, 10);
		for (i = 0; i < N - 1; i++)
			ASSERT_LE(0, ordo_group_process(mb[i].g));
	} while (!ordo_group_idle(mb[0].g) && now_ms() < deadline);
	ordo_group_stats(mb[0].g, &st);
	EXPECT_TRUE(ordo_group_idle(mb[0].g));
	EXPECT_EQ(0, st.unacked);
	EXPECT_EQ(0, st.retransmits);
	EXPECT_EQ(2, st.data_sent);	/* to 1 and 2 only */
	/* the total order still waits for member 3's ack: not delivered */
	EXPECT_EQ(0, mb[0].ndel);
	EXPECT_EQ(1, st.pending);
	for (i = 0; i < N - 1; i++)
		ordo_group_close(mb[i].g);
}

TEST_HARNESS_MAIN
