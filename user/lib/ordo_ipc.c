// SPDX-License-Identifier: GPL-2.0
/*
 * libordo runtime: the daemons' local API (ordo_rt.h,
 * Documentation/runtime.rst).
 *
 * A Unix SOCK_SEQPACKET socket: one packet is one protobuf-c message, an
 * ordo.rt.Request from the client and an ordo.rt.Response from the
 * daemon (ordo_rt.proto), so no framing is needed and a client that dies
 * is seen at once (the session closes). Mode 0660, group "ordo".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ordo_rt.h"
#include "ordo_rt.pb-c.h"

struct ordo_ipc_session {
	struct ordo_ipc_session *next;
	struct ordo_ipc_server *srv;
	int fd;
	uint64_t id;
	struct ucred cred;
	void *data;
	unsigned int busy;	/* inside its callbacks */
	bool closed;
};

struct ordo_ipc_server {
	struct ordo_loop *loop;
	struct ordo_ipc_config cfg;
	char *path;
	int fd;
	bool in_loop;
	mode_t mode;
	struct ordo_ipc_session *sessions;
	uint64_t next_id;
	struct ordo_ipc_stats st;
	uint8_t *buf;
};

struct ordo_ipc_client {
	int fd;
	uint32_t xid;
	char *path;
	uint8_t *buf;
};

static int ipc_sockaddr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

/* ---------------------------------------------------------------- sessions */

static void ipc_session_free(struct ordo_ipc_session *s)
{
	struct ordo_ipc_server *srv = s->srv;
	struct ordo_ipc_session **pp;

	for (pp = &srv->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s);
}

void ordo_ipc_session_close(struct ordo_ipc_session *s)
{
	struct ordo_ipc_server *srv = s->srv;

	if (s->closed)
		return;
	s->closed = true;
	ordo_loop_del_fd(srv->loop, s->fd);
	close(s->fd);
	s->fd = -1;
	srv->st.open--;
	ordo_debug("local API: session %llu closed",
		   (unsigned long long)s->id);
	if (srv->cfg.close) {
		s->busy++;
		srv->cfg.close(s, srv->cfg.arg);
		s->busy--;
	}
	if (!s->busy)
		ipc_session_free(s);
}

uint64_t ordo_ipc_session_id(const struct ordo_ipc_session *s)
{
	return s->id;
}

pid_t ordo_ipc_session_pid(const struct ordo_ipc_session *s)
{
	return s->cred.pid;
}

uid_t ordo_ipc_session_uid(const struct ordo_ipc_session *s)
{
	return s->cred.uid;
}

void ordo_ipc_session_set_data(struct ordo_ipc_session *s, void *data)
{
	s->data = data;
}

void *ordo_ipc_session_data(const struct ordo_ipc_session *s)
{
	return s->data;
}

int ordo_ipc_send(struct ordo_ipc_session *s, const void *buf, size_t len)
{
	if (s->closed)
		return -ENOTCONN;
	if (len > ORDO_IPC_MSG_MAX)
		return -EMSGSIZE;
	if (send(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	s->srv->st.responses++;
	return 0;
}

static int ipc_respond(struct ordo_ipc_session *s, Ordo__Rt__Response *r)
{
	size_t len = ordo__rt__response__get_packed_size(r);
	uint8_t *buf;
	int err;

	if (len > ORDO_IPC_MSG_MAX)
		return -EMSGSIZE;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	ordo__rt__response__pack(r, buf);
	err = ordo_ipc_send(s, buf, len);
	free(buf);
	return err;
}

int ordo_ipc_reply(struct ordo_ipc_session *s, uint32_t xid,
		   const ProtobufCMessage *msg)
{
	Ordo__Rt__Response r = ORDO__RT__RESPONSE__INIT;
	uint8_t *body = NULL;
	size_t len = msg ? protobuf_c_message_get_packed_size(msg) : 0;
	int err;

	if (len > ORDO_IPC_MSG_MAX)
		return -EMSGSIZE;
	if (len) {
		body = malloc(len);
		if (!body)
			return -ENOMEM;
		protobuf_c_message_pack(msg, body);
	}
	r.xid = xid;
	r.body.data = body;
	r.body.len = len;
	err = ipc_respond(s, &r);
	free(body);
	return err;
}

static int ipc_verror(struct ordo_ipc_session *s, uint32_t xid, int code,
		      const char *fmt, va_list ap)
{
	Ordo__Rt__Response r = ORDO__RT__RESPONSE__INIT;
	Ordo__Rt__Error e = ORDO__RT__ERROR__INIT;
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	e.code = code < 0 ? code : -EINVAL;
	e.message = msg;
	r.xid = xid;
	r.error = &e;
	return ipc_respond(s, &r);
}

int ordo_ipc_reply_error(struct ordo_ipc_session *s, uint32_t xid, int code,
			 const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = ipc_verror(s, xid, code, fmt, ap);
	va_end(ap);
	return err;
}

int ordo_ipc_send_error(struct ordo_ipc_session *s, int code,
			const char *fmt, ...)
{
	va_list ap;
	int err;

	s->srv->st.bad_requests++;
	va_start(ap, fmt);
	err = ipc_verror(s, 0, code, fmt, ap);
	va_end(ap);
	return err;
}

/* A malformed request: an error Response, counted and logged. */
static void ipc_bad(struct ordo_ipc_session *s, uint32_t xid, int code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void ipc_bad(struct ordo_ipc_session *s, uint32_t xid, int code,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->srv->st.bad_requests++;
	ordo_debug("local API: session %llu (pid %d): %s",
		   (unsigned long long)s->id, (int)s->cred.pid, msg);
	ordo_ipc_reply_error(s, xid, code, "%s", msg);
}

/* The method table's dispatch of one packet. */
static void ipc_dispatch(struct ordo_ipc_session *s, const uint8_t *buf,
			 size_t len)
{
	const struct ordo_ipc_method *m;
	Ordo__Rt__Request *req;
	ProtobufCMessage *body;

	req = ordo__rt__request__unpack(NULL, len, buf);
	if (!req) {
		ipc_bad(s, 0, -EBADMSG,
			"malformed request: %zu bytes that are not an ordo.rt.Request",
			len);
		return;
	}
	for (m = s->srv->cfg.methods; m->name; m++)
		if (!strcmp(m->name, req->method))
			break;
	if (!m->name) {
		ipc_bad(s, req->xid, -EOPNOTSUPP, "unknown method '%.64s'",
			req->method);
		goto out;
	}
	body = protobuf_c_message_unpack(m->req, NULL, req->body.len,
					 req->body.data);
	if (!body) {
		ipc_bad(s, req->xid, -EBADMSG,
			"%s: malformed body: %zu bytes that are not a %s",
			m->name, req->body.len, m->req->name);
		goto out;
	}
	m->fn(s, req->xid, body, s->srv->cfg.arg);
	protobuf_c_message_free_unpacked(body, NULL);
out:
	ordo__rt__request__free_unpacked(req, NULL);
}

static void ipc_readable(struct ordo_loop *l, int fd, uint32_t events,
			 void *arg)
{
	struct ordo_ipc_session *s = arg;
	struct ordo_ipc_server *srv = s->srv;
	struct pollfd pfd = { .fd = fd, .events = POLLRDHUP };
	ssize_t n;

	(void)l;
	s->busy++;
	while (!s->closed) {
		n = recv(fd, srv->buf, ORDO_IPC_MSG_MAX,
			 MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (events & (EPOLLHUP | EPOLLERR))
					ordo_ipc_session_close(s);
				break;
			}
			if (errno == EINTR)
				continue;
			ordo_ipc_session_close(s);
			break;
		}
		/* 0: the end, or an empty packet if the peer is still there */
		if (n == 0) {
			int pr = poll(&pfd, 1, 0);

			if (pr < 0 || (pr == 1 && (pfd.revents & (POLLRDHUP | POLLHUP)))) {
				ordo_ipc_session_close(s);
				break;
			}
		}
		srv->st.requests++;
		if (n > ORDO_IPC_MSG_MAX) {
			ipc_bad(s, 0, -EMSGSIZE,
				"request of %zd bytes: the limit is %d", n,
				ORDO_IPC_MSG_MAX);
			continue;
		}
		if (srv->cfg.packet)
			srv->cfg.packet(s, srv->buf, (size_t)n, srv->cfg.arg);
		else
			ipc_dispatch(s, srv->buf, (size_t)n);
	}
	s->busy--;
	if (s->closed && !s->busy)
		ipc_session_free(s);
}

static void ipc_accept(struct ordo_loop *l, int fd, uint32_t events, void *arg)
{
	struct ordo_ipc_server *srv = arg;
	struct ordo_ipc_session *s;
	socklen_t len;
	int cfd, err;

	(void)events;
	for (;;) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				ordo_warn("local API: accept: %s", strerror(errno));
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		s = calloc(1, sizeof(*s));
		if (!s) {
			ordo_warn("local API: out of memory: refusing a client");
			close(cfd);
			continue;
		}
		s->srv = srv;
		s->fd = cfd;
		s->id = ++srv->next_id;
		len = sizeof(s->cred);
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &s->cred, &len))
			s->cred.pid = -1;
		s->next = srv->sessions;
		srv->sessions = s;
		srv->st.sessions++;
		srv->st.open++;
		err = ordo_loop_add_fd(l, cfd, EPOLLIN | EPOLLRDHUP,
				       ipc_readable, s);
		if (err) {
			ordo_warn("local API: %s: refusing a client",
				  strerror(-err));
			close(cfd);
			srv->st.open--;
			ipc_session_free(s);
			continue;
		}
		ordo_debug("local API: session %llu from pid %d uid %u",
			   (unsigned long long)s->id, (int)s->cred.pid,
			   (unsigned int)s->cred.uid);
		if (srv->cfg.open && srv->cfg.open(s, srv->cfg.arg) < 0)
			ordo_ipc_session_close(s);
	}
}

/* ---------------------------------------------------------------- server */

/* Bind @fd to @path: a stale socket file is replaced, a live one kept. */
static int ipc_bind(int fd, const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int probe, err;

	err = ipc_sockaddr(path, &sun);
	if (err) {
		ordo_err("local API: socket path %s is longer than %zu bytes",
			 path, sizeof(sun.sun_path) - 1);
		return err;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			ordo_err("local API: %s exists and is not a socket",
				 path);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun,
					  sizeof(sun)) == 0) {
			close(probe);
			ordo_err("local API: another daemon listens on %s", path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);	/* stale, from a daemon that died */
	}
	/* created 0600: nobody else can connect before chmod */
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ? -errno : 0;
	umask(old);
	if (err)
		ordo_err("local API: bind %s: %s", path, strerror(-err));
	return err;
}

/* 0660 with group @group when it exists, else 0600 (logged). */
static mode_t ipc_permissions(const char *path, const char *group)
{
	struct group *gr = getgrnam(group);

	if (!gr) {
		ordo_notice("local API: group '%s' does not exist: %s is 0600 (root only); create it (groupadd --system %s) to let its members use ordoctl",
			    group, path, group);
		return 0600;
	}
	if (chown(path, (uid_t)-1, gr->gr_gid)) {
		ordo_warn("local API: chown %s to group %s: %s: the socket stays 0600",
			  path, group, strerror(errno));
		return 0600;
	}
	if (chmod(path, 0660)) {
		ordo_warn("local API: chmod 0660 %s: %s", path, strerror(errno));
		return 0600;
	}
	return 0660;
}

int ordo_ipc_listen(struct ordo_ipc_server **sp, struct ordo_loop *l,
		    const struct ordo_ipc_config *cfg)
{
	struct ordo_ipc_server *srv;
	char *dir, *slash;
	int err;

	*sp = NULL;
	if (!cfg || !cfg->path || (!cfg->packet && !cfg->methods))
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->fd = -1;
	srv->loop = l;
	srv->cfg = *cfg;
	srv->path = strdup(cfg->path);
	srv->buf = malloc(ORDO_IPC_MSG_MAX);
	if (!srv->path || !srv->buf) {
		err = -ENOMEM;
		goto fail;
	}
	dir = strdup(cfg->path);
	if (!dir) {
		err = -ENOMEM;
		goto fail;
	}
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			err = -errno;
			ordo_err("local API: mkdir %s: %s", dir, strerror(errno));
			free(dir);
			goto fail;
		}
	}
	free(dir);
	srv->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		err = -errno;
		ordo_err("local API: socket: %s", strerror(errno));
		goto fail;
	}
	err = ipc_bind(srv->fd, srv->path);
	if (err) {
		free(srv->path);	/* not ours: do not unlink it */
		srv->path = NULL;
		goto fail;
	}
	srv->mode = ipc_permissions(srv->path,
				    cfg->group ? cfg->group : ORDO_IPC_GROUP);
	if (listen(srv->fd, 64)) {
		err = -errno;
		ordo_err("local API: listen %s: %s", srv->path, strerror(errno));
		goto fail;
	}
	err = ordo_loop_add_fd(l, srv->fd, EPOLLIN, ipc_accept, srv);
	if (err) {
		ordo_err("local API: event loop: %s", strerror(-err));
		goto fail;
	}
	srv->in_loop = true;
	ordo_info("local API on %s (mode %04o)", srv->path,
		  (unsigned int)srv->mode);
	*sp = srv;
	return 0;

fail:
	ordo_ipc_close(srv);
	return err;
}

void ordo_ipc_close(struct ordo_ipc_server *srv)
{
	struct ordo_ipc_session *s, *next;

	if (!srv)
		return;
	for (s = srv->sessions; s; s = next) {
		next = s->next;
		ordo_ipc_session_close(s);
	}
	if (srv->fd >= 0) {
		if (srv->in_loop)
			ordo_loop_del_fd(srv->loop, srv->fd);
		close(srv->fd);
		if (srv->path)
			unlink(srv->path);
	}
	free(srv->path);
	free(srv->buf);
	free(srv);
}

const struct ordo_ipc_stats *ordo_ipc_stats(const struct ordo_ipc_server *srv)
{
	return &srv->st;
}

mode_t ordo_ipc_mode(const struct ordo_ipc_server *srv)
{
	return srv->mode;
}

/* ---------------------------------------------------------------- client */

int ordo_ipc_connect(struct ordo_ipc_client **cp, const char *path)
{
	struct ordo_ipc_client *c;
	struct sockaddr_un sun;
	int err;

	*cp = NULL;
	err = ipc_sockaddr(path, &sun);
	if (err)
		return err;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->path = strdup(path);
	c->buf = malloc(ORDO_IPC_MSG_MAX);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (!c->path || !c->buf || c->fd < 0) {
		err = c->fd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		goto fail;
	}
	*cp = c;
	return 0;

fail:
	ordo_ipc_disconnect(c);
	return err;
}

void ordo_ipc_disconnect(struct ordo_ipc_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	free(c->buf);
	free(c);
}

int ordo_ipc_client_fd(const struct ordo_ipc_client *c)
{
	return c->fd;
}

static void ipc_errmsg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ipc_errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int ordo_ipc_call(struct ordo_ipc_client *c, const char *method,
		  const ProtobufCMessage *req,
		  const ProtobufCMessageDescriptor *resp_desc,
		  ProtobufCMessage **resp, int timeout_ms,
		  char *err, size_t errlen)
{
	Ordo__Rt__Request r = ORDO__RT__REQUEST__INIT;
	Ordo__Rt__Response *rsp;
	uint64_t deadline = timeout_ms >= 0 ? ordo_now_ms() + (uint64_t)timeout_ms : 0;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	size_t blen = req ? protobuf_c_message_get_packed_size(req) : 0, len;
	uint8_t *body = NULL;
	ssize_t n;
	int ret, wait;

	ipc_errmsg(err, errlen, "%s", "");
	r.xid = ++c->xid;
	r.method = (char *)method;
	if (blen) {
		body = malloc(blen);
		if (!body)
			return -ENOMEM;
		protobuf_c_message_pack(req, body);
	}
	r.body.data = body;
	r.body.len = blen;
	len = ordo__rt__request__get_packed_size(&r);
	if (len > ORDO_IPC_MSG_MAX) {
		free(body);
		ipc_errmsg(err, errlen, "request of %zu bytes: the limit is %d",
			   len, ORDO_IPC_MSG_MAX);
		return -EMSGSIZE;
	}
	ordo__rt__request__pack(&r, c->buf);
	free(body);
	if (send(c->fd, c->buf, len, MSG_NOSIGNAL) < 0) {
		ret = -errno;
		ipc_errmsg(err, errlen, "sending to %s: %s", c->path,
			   strerror(errno));
		return ret == -EPIPE ? -ECONNRESET : ret;
	}
	for (;;) {
		if (timeout_ms < 0) {
			wait = -1;
		} else {
			uint64_t now = ordo_now_ms();

			wait = now >= deadline ? 0 : (int)(deadline - now);
		}
		ret = poll(&pfd, 1, wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0) {
			ipc_errmsg(err, errlen, "no answer from %s within %d ms",
				   c->path, timeout_ms);
			return -ETIMEDOUT;
		}
		n = recv(c->fd, c->buf, ORDO_IPC_MSG_MAX, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ipc_errmsg(err, errlen, "the daemon closed %s", c->path);
			return -ECONNRESET;
		}
		if (n > ORDO_IPC_MSG_MAX) {
			ipc_errmsg(err, errlen, "response of %zd bytes is too large", n);
			return -EBADMSG;
		}
		rsp = ordo__rt__response__unpack(NULL, (size_t)n, c->buf);
		if (!rsp) {
			ipc_errmsg(err, errlen, "malformed response from %s",
				   c->path);
			return -EBADMSG;
		}
		/* an answer to an earlier call that timed out: skip it;
		 * xid 0: the daemon could not read our request */
		if (rsp->xid == r.xid || rsp->xid == 0)
			break;
		ordo__rt__response__free_unpacked(rsp, NULL);
	}
	ret = 0;
	if (rsp->error) {
		ret = rsp->error->code < 0 ? rsp->error->code : -EREMOTEIO;
		ipc_errmsg(err, errlen, "%s", rsp->error->message);
	} else if (resp_desc) {
		*resp = protobuf_c_message_unpack(resp_desc, NULL,
						  rsp->body.len, rsp->body.data);
		if (!*resp) {
			ipc_errmsg(err, errlen, "%s: malformed %s in the response",
				   method, resp_desc->name);
			ret = -EBADMSG;
		}
	}
	ordo__rt__response__free_unpacked(rsp, NULL);
	return ret;
}
