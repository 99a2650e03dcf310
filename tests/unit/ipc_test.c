// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the local API (user/lib/ordo_ipc.c): a server in a
 * thread of its own (its event loop), clients in this thread or in a
 * child process. Calls and their answers, deferred answers, every kind
 * of malformed packet answered with an error (never a crash), the close
 * callback when a client dies, client timeouts and stale answers, the
 * socket's permissions, stale and live socket files.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ordo_rt.h"
#include "ordo_rt.pb-c.h"
#include "../kselftest_harness.h"

struct srv {
	struct ordo_loop *loop;
	struct ordo_ipc_server *ipc;
	struct ordo_ipc_config cfg;
	pthread_t thread;
	int stop[2];
	char dir[64];
	char path[128];
	pthread_mutex_t lock;
	/* what the callbacks saw, under lock */
	int opened, closed;
	uint64_t closed_id;
	pid_t open_pid;
	struct ordo_ipc_session *waiting;	/* a deferred call */
	uint32_t waiting_xid;
	struct ordo_timer answer;		/* answers it later */
	int answer_ms;
};

/* test.echo: answer with the same Ping */
static void m_echo(struct ordo_ipc_session *s, uint32_t xid,
		   const ProtobufCMessage *req, void *arg)
{
	(void)arg;
	ordo_ipc_reply(s, xid, req);
}

/* test.fail: an error */
static void m_fail(struct ordo_ipc_session *s, uint32_t xid,
		   const ProtobufCMessage *req, void *arg)
{
	(void)req;
	(void)arg;
	ordo_ipc_reply_error(s, xid, -EBUSY, "busy: try %s", "later");
}

static void answer_later(struct ordo_loop *l, struct ordo_timer *t, void *arg)
{
	struct srv *sv = arg;
	Ordo__Rt__Ping p = ORDO__RT__PING__INIT;

	(void)l;
	(void)t;
	pthread_mutex_lock(&sv->lock);
	if (sv->waiting) {
		p.data.data = (uint8_t *)"done";
		p.data.len = 4;
		ordo_ipc_reply(sv->waiting, sv->waiting_xid, &p.base);
		sv->waiting = NULL;
	}
	pthread_mutex_unlock(&sv->lock);
}

/* test.wait: answered by a timer (or never, answer_ms 0) */
static void m_wait(struct ordo_ipc_session *s, uint32_t xid,
		   const ProtobufCMessage *req, void *arg)
{
	struct srv *sv = arg;

	(void)req;
	pthread_mutex_lock(&sv->lock);
	sv->waiting = s;
	sv->waiting_xid = xid;
	pthread_mutex_unlock(&sv->lock);
	if (sv->answer_ms)
		ordo_timer_start(&sv->answer, (uint64_t)sv->answer_ms, 0);
}

static const struct ordo_ipc_method methods[] = {
	{ "test.echo", &ordo__rt__ping__descriptor, m_echo },
	{ "test.fail", &ordo__rt__ping__descriptor, m_fail },
	{ "test.wait", &ordo__rt__ping__descriptor, m_wait },
	{ NULL, NULL, NULL },
};

static int s_open(struct ordo_ipc_session *s, void *arg)
{
	struct srv *sv = arg;

	pthread_mutex_lock(&sv->lock);
	sv->opened++;
	sv->open_pid = ordo_ipc_session_pid(s);
	pthread_mutex_unlock(&sv->lock);
	return 0;
}

/* What a daemon does: forget the client's pending call. */
static void s_close(struct ordo_ipc_session *s, void *arg)
{
	struct srv *sv = arg;

	pthread_mutex_lock(&sv->lock);
	sv->closed++;
	sv->closed_id = ordo_ipc_session_id(s);
	if (sv->waiting == s)
		sv->waiting = NULL;
	pthread_mutex_unlock(&sv->lock);
}

static void on_stop(struct ordo_loop *l, int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	ordo_loop_stop(l, 0);
}

static void *srv_thread(void *arg)
{
	struct srv *sv = arg;

	ordo_loop_run(sv->loop);
	return NULL;
}

static int srv_start(struct srv *sv, const char *group)
{
	memset(sv, 0, sizeof(*sv));
	ordo_log_init("ipc_test", ORDO_LOG_STDERR, LOG_WARNING);
	pthread_mutex_init(&sv->lock, NULL);
	strcpy(sv->dir, "/tmp/ordo-ipc-XXXXXX");
	if (!mkdtemp(sv->dir))
		return -1;
	snprintf(sv->path, sizeof(sv->path), "%s/run/test.sock", sv->dir);
	if (ordo_loop_new(&sv->loop) || pipe(sv->stop))
		return -1;
	ordo_loop_add_fd(sv->loop, sv->stop[0], EPOLLIN, on_stop, sv);
	ordo_timer_init(&sv->answer, sv->loop, answer_later, sv);
	sv->cfg = (struct ordo_ipc_config){
		.path = sv->path, .group = group, .open = s_open,
		.close = s_close, .methods = methods, .arg = sv,
	};
	if (ordo_ipc_listen(&sv->ipc, sv->loop, &sv->cfg))
		return -1;
	return pthread_create(&sv->thread, NULL, srv_thread, sv) ? -1 : 0;
}

/* Stop the thread (the server stays, for its stats). */
static void srv_join(struct srv *sv)
{
	if (write(sv->stop[1], "x", 1) != 1)
		abort();
	pthread_join(sv->thread, NULL);
}

static void srv_free(struct srv *sv)
{
	char run[160];

	ordo_ipc_close(sv->ipc);
	ordo_loop_free(sv->loop);
	close(sv->stop[0]);
	close(sv->stop[1]);
	snprintf(run, sizeof(run), "%s/run", sv->dir);
	rmdir(run);
	rmdir(sv->dir);
}

/* Wait up to @ms for *@v (read under the lock) to reach @want. */
static int wait_for(struct srv *sv, const int *v, int want, int ms)
{
	uint64_t end = ordo_now_ms() + (uint64_t)ms;
	int got;

	for (;;) {
		pthread_mutex_lock(&sv->lock);
		got = *v;
		pthread_mutex_unlock(&sv->lock);
		if (got >= want || ordo_now_ms() > end)
			return got >= want;
		usleep(1000);
	}
}

/* Send @len raw bytes, read one answer: its xid, error code, message. */
static int raw_call(int fd, const void *buf, size_t len, uint32_t *xid,
		    int *code, char *msg, size_t msglen)
{
	static uint8_t rbuf[ORDO_IPC_MSG_MAX];
	Ordo__Rt__Response *r;
	ssize_t n;

	if (send(fd, buf, len, 0) != (ssize_t)len)
		return -errno;
	n = recv(fd, rbuf, sizeof(rbuf), 0);
	if (n < 0)
		return -errno;
	r = ordo__rt__response__unpack(NULL, (size_t)n, rbuf);
	if (!r)
		return -EBADMSG;
	*xid = r->xid;
	*code = r->error ? r->error->code : 0;
	snprintf(msg, msglen, "%s", r->error ? r->error->message : "");
	ordo__rt__response__free_unpacked(r, NULL);
	return 0;
}

TEST(calls_and_malformed_requests)
{
	Ordo__Rt__Ping ping = ORDO__RT__PING__INIT, *pong = NULL;
	Ordo__Rt__Request rq = ORDO__RT__REQUEST__INIT;
	const struct ordo_ipc_stats *st;
	struct ordo_ipc_client *c;
	struct srv sv;
	char err[256], msg[256];
	uint8_t buf[256], *big;
	uint32_t xid;
	size_t len;
	int code, i;

	ASSERT_EQ(0, srv_start(&sv, NULL));
	ASSERT_EQ(0, ordo_ipc_connect(&c, sv.path));
	ping.data.data = (uint8_t *)"hello";
	ping.data.len = 5;
	ASSERT_EQ(0, ordo_ipc_call(c, "test.echo", &ping.base,
				   &ordo__rt__ping__descriptor,
				   (ProtobufCMessage **)&pong, 1000, err,
				   sizeof(err)));
	ASSERT_NE(NULL, pong);
	EXPECT_EQ(5U, pong->data.len);
	EXPECT_EQ(0, memcmp(pong->data.data, "hello", 5));
	protobuf_c_message_free_unpacked(&pong->base, NULL);
	EXPECT_STREQ("", err);

	EXPECT_EQ(-EBUSY, ordo_ipc_call(c, "test.fail", NULL, NULL, NULL, 1000,
					err, sizeof(err)));
	EXPECT_STREQ("busy: try later", err);
	EXPECT_EQ(-EOPNOTSUPP, ordo_ipc_call(c, "nope", NULL, NULL, NULL, 1000,
					     err, sizeof(err)));
	EXPECT_STREQ("unknown method 'nope'", err);

	/* not a Request at all */
	memcpy(buf, "\xff\xff\xff\xff\xff", 5);
	ASSERT_EQ(0, raw_call(ordo_ipc_client_fd(c), buf, 5, &xid, &code, msg,
			      sizeof(msg)));
	EXPECT_EQ(0U, xid);
	EXPECT_EQ(-EBADMSG, code);
	EXPECT_STREQ("malformed request: 5 bytes that are not an ordo.rt.Request", msg);
	/* a Request whose body is not the method's message */
	rq.xid = 77;
	rq.method = "test.echo";
	rq.body.data = (uint8_t *)"\x0a\xff";	/* field 1, length 255: cut */
	rq.body.len = 2;
	len = ordo__rt__request__pack(&rq, buf);
	ASSERT_EQ(0, raw_call(ordo_ipc_client_fd(c), buf, len, &xid, &code, msg,
			      sizeof(msg)));
	EXPECT_EQ(77U, xid);
	EXPECT_EQ(-EBADMSG, code);
	EXPECT_STREQ("test.echo: malformed body: 2 bytes that are not a ordo.rt.Ping", msg);
	/* an empty packet: an empty Request, no method */
	ASSERT_EQ(0, raw_call(ordo_ipc_client_fd(c), buf, 0, &xid, &code, msg,
			      sizeof(msg)));
	EXPECT_EQ(-EOPNOTSUPP, code);
	EXPECT_STREQ("unknown method ''", msg);
	/* too large */
	big = calloc(1, 70000);
	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, raw_call(ordo_ipc_client_fd(c), big, 70000, &xid, &code,
			      msg, sizeof(msg)));
	free(big);
	EXPECT_EQ(-EMSGSIZE, code);
	EXPECT_STREQ("request of 70000 bytes: the limit is 65536", msg);
	/* random garbage: an answer every time, never a crash */
	for (i = 0; i < 200; i++) {
		size_t k, n = (size_t)(rand() % 64);

		for (k = 0; k < n; k++)
			buf[k] = (uint8_t)rand();
		ASSERT_EQ(0, raw_call(ordo_ipc_client_fd(c), buf, n, &xid,
				      &code, msg, sizeof(msg)));
		EXPECT_GT(0, code);
	}
	/* and the session still works */
	EXPECT_EQ(0, ordo_ipc_call(c, "test.echo", &ping.base, NULL, NULL, 1000,
				   err, sizeof(err)));
	ordo_ipc_disconnect(c);
	ASSERT_TRUE(wait_for(&sv, &sv.closed, 1, 1000));
	srv_join(&sv);
	EXPECT_EQ(1, sv.opened);
	EXPECT_EQ(getpid(), sv.open_pid);
	EXPECT_EQ(1U, sv.closed_id);
	st = ordo_ipc_stats(sv.ipc);
	EXPECT_EQ(1U, st->sessions);
	EXPECT_EQ(0U, st->open);
	EXPECT_EQ(208U, st->requests);
	EXPECT_EQ(205U, st->bad_requests);
	EXPECT_EQ(208U, st->responses);
	srv_free(&sv);
}

/* A client killed in the middle of a call that waits: the close
 * callback runs, and the daemon drops the call. */
TEST(close_callback_on_client_death)
{
	struct srv sv;
	pid_t pid;
	int status;

	ASSERT_EQ(0, srv_start(&sv, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ordo_ipc_client *c;

		if (ordo_ipc_connect(&c, sv.path))
			_exit(1);
		ordo_ipc_call(c, "test.wait", NULL, NULL, NULL, -1, NULL, 0);
		_exit(2);	/* never answered */
	}
	ASSERT_TRUE(wait_for(&sv, &sv.opened, 1, 2000));
	for (status = 0; status < 2000; status++) {
		pthread_mutex_lock(&sv.lock);
		if (sv.waiting) {
			pthread_mutex_unlock(&sv.lock);
			break;
		}
		pthread_mutex_unlock(&sv.lock);
		usleep(1000);
	}
	EXPECT_EQ(pid, sv.open_pid);
	EXPECT_EQ(0, sv.closed);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	ASSERT_TRUE(wait_for(&sv, &sv.closed, 1, 2000));
	srv_join(&sv);
	EXPECT_EQ(NULL, sv.waiting);
	EXPECT_EQ(1U, sv.closed_id);
	EXPECT_EQ(0U, ordo_ipc_stats(sv.ipc)->open);
	srv_free(&sv);
}

/* A call that times out; its late answer is skipped by the next call. */
TEST(timeout_and_stale_answer)
{
	Ordo__Rt__Ping ping = ORDO__RT__PING__INIT, *pong = NULL;
	struct ordo_ipc_client *c;
	struct srv sv;
	char err[256];

	ASSERT_EQ(0, srv_start(&sv, NULL));
	sv.answer_ms = 100;
	ASSERT_EQ(0, ordo_ipc_connect(&c, sv.path));
	EXPECT_EQ(-ETIMEDOUT, ordo_ipc_call(c, "test.wait", NULL, NULL, NULL,
					    30, err, sizeof(err)));
	usleep(150 * 1000);		/* the late answer is queued */
	ping.data.data = (uint8_t *)"x";
	ping.data.len = 1;
	ASSERT_EQ(0, ordo_ipc_call(c, "test.echo", &ping.base,
				   &ordo__rt__ping__descriptor,
				   (ProtobufCMessage **)&pong, 1000, err,
				   sizeof(err)));
	EXPECT_EQ(1U, pong->data.len);
	EXPECT_EQ('x', pong->data.data[0]);
	protobuf_c_message_free_unpacked(&pong->base, NULL);
	/* a deferred call answered in time */
	ASSERT_EQ(0, ordo_ipc_call(c, "test.wait", NULL,
				   &ordo__rt__ping__descriptor,
				   (ProtobufCMessage **)&pong, 2000, err,
				   sizeof(err)));
	EXPECT_EQ(4U, pong->data.len);
	protobuf_c_message_free_unpacked(&pong->base, NULL);
	ordo_ipc_disconnect(c);
	srv_join(&sv);
	srv_free(&sv);
}

static char notices[1024];

/*
 * What the daemon tells its operator (info and more severe); the
 * server thread's per-session debug lines (e.g. for the probe connection
 * of a second ordo_ipc_listen()) are left out.
 */
static void log_hook(int level, const char *msg, void *arg)
{
	(void)arg;
	if (level > LOG_INFO)
		return;
	snprintf(notices + strlen(notices), sizeof(notices) - strlen(notices),
		 "%s\n", msg);
}

TEST(socket_permissions_and_files)
{
	struct ordo_ipc_server *other;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ordo_ipc_client *c;
	struct srv sv;
	struct stat st;
	char want[512];
	int fd;

	/* no such group: 0600 and a line saying so */
	notices[0] = '\0';
	ordo_log_set_hook(log_hook, NULL);
	ASSERT_EQ(0, srv_start(&sv, "ordo-no-such-group"));
	ordo_log_set_level(LOG_CRIT);	/* expected errors: only in the hook */
	ASSERT_EQ(0, stat(sv.path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0600, ordo_ipc_mode(sv.ipc));
	snprintf(want, sizeof(want),
		 "local API: group 'ordo-no-such-group' does not exist: %s is 0600 (root only); create it (groupadd --system ordo-no-such-group) to let its members use ordoctl\n"
		 "local API on %s (mode 0600)\n", sv.path, sv.path);
	EXPECT_STREQ(want, notices);
	/* a second daemon on the same path is refused */
	notices[0] = '\0';
	EXPECT_EQ(-EADDRINUSE, ordo_ipc_listen(&other, sv.loop, &sv.cfg));
	snprintf(want, sizeof(want), "local API: another daemon listens on %s\n",
		 sv.path);
	EXPECT_STREQ(want, notices);
	ordo_log_set_hook(NULL, NULL);
	srv_join(&sv);
	srv_free(&sv);

	/* an existing group: 0660, that group */
	ASSERT_EQ(0, srv_start(&sv, "root"));
	ASSERT_EQ(0, stat(sv.path, &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_gid);
	EXPECT_EQ(0660, ordo_ipc_mode(sv.ipc));
	srv_join(&sv);
	/* the socket file goes with the server */
	ordo_ipc_close(sv.ipc);
	sv.ipc = NULL;
	EXPECT_NE(0, access(sv.path, F_OK));
	EXPECT_EQ(-ENOENT, ordo_ipc_connect(&c, sv.path));

	/* a stale socket file (its daemon died) is replaced */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ASSERT_LE(0, fd);
	strcpy(sun.sun_path, sv.path);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sun, sizeof(sun)));
	close(fd);
	ASSERT_EQ(0, access(sv.path, F_OK));
	ASSERT_EQ(0, ordo_ipc_listen(&sv.ipc, sv.loop, &sv.cfg));
	ordo_ipc_close(sv.ipc);
	sv.ipc = NULL;
	/* a file that is not a socket is left alone */
	ordo_log_set_level(LOG_CRIT);
	fd = creat(sv.path, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EEXIST, ordo_ipc_listen(&sv.ipc, sv.loop, &sv.cfg));
	unlink(sv.path);
	srv_free(&sv);
}

TEST_HARNESS_MAIN
