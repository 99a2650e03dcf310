/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libordo runtime: what every Ordo coordination daemon (mutexd, electd,
 * raftd, ...) shares. Documentation/runtime.rst describes the design,
 * Documentation/cluster-conf.rst the configuration file and
 * Documentation/wire-format.rst ("Application header") the datagrams.
 *
 *   - ordo_conf_*:  the cluster configuration (/etc/ordo/cluster.conf,
 *                   INI, parsed with libinih), command-line overrides,
 *                   typed getters for the daemons' own sections, errors
 *                   as "FILE:LINE: problem";
 *   - ordo_loop_*, ordo_timer_*: the event loop (epoll, one timerfd for
 *                   every timer, signalfd);
 *   - ordo_rt_*:    a node: its stamped UDP socket (Lamport clock, kernel
 *                   or userspace stamping), the application header,
 *                   per-protocol handlers, send/broadcast, request/reply
 *                   with retransmission and duplicate suppression,
 *                   counters, the heartbeat failure detector;
 *   - ordo_ipc_*:   the local API: a Unix SOCK_SEQPACKET socket for
 *                   ordoctl, protobuf-c Request/Response envelopes
 *                   (ordo_rt.proto), sessions, error replies, a client;
 *   - ordo_log_*, ordo_svc_*: logging (stderr or journald), sd_notify,
 *                   the common command-line options of a daemon.
 *
 * Conventions: functions returning int return 0 (or a count) on success
 * and a negative errno value on failure. Nothing here is thread safe:
 * one thread runs a loop and everything attached to it; callbacks run
 * from ordo_loop_run().
 */
#ifndef ORDO_RT_H
#define ORDO_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <syslog.h>

#include <protobuf-c/protobuf-c.h>

#include <linux/ordo_app.h>
#include <linux/ordo_lclock.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ config */

#define ORDO_CONF_DEFAULT	"/etc/ordo/cluster.conf"
#define ORDO_CONF_NODES_MAX	64
#define ORDO_CONF_ERR_LEN	512

/* Defaults of the [runtime] section. */
#define ORDO_RT_HEARTBEAT_MS	200
#define ORDO_RT_SUSPECT_MS	1000
#define ORDO_RT_RETRANSMIT_MS	100
#define ORDO_RT_RETRANSMIT_MAX	10
#define ORDO_RT_LCLOCK_DOMAIN	4242

enum ordo_stamping {
	ORDO_STAMP_AUTO = 0,	/* ordo.ko if loaded, else libordo */
	ORDO_STAMP_KERNEL,	/* ordo.ko or fail */
	ORDO_STAMP_USER,	/* libordo, even with the module */
};

enum ordo_log_target {
	ORDO_LOG_STDERR = 0,
	ORDO_LOG_JOURNAL,
};

/* A key = value line (or a --set override: line 0). */
struct ordo_conf_kv {
	char *key;
	char *value;
	unsigned int line;	/* 0: from the command line */
};

/*
 * A section as read: every section of the file is kept so, in file
 * order, the runtime's own ([runtime], [node ID]) included; those are
 * also checked and decoded into ordo_conf.nodes and ordo_conf.rt. The
 * others ([mutexd], [lock NAME], ...) are for the daemons to check with
 * the getters below.
 */
struct ordo_conf_section {
	char *name;		/* "mutexd", "lock printer" */
	unsigned int line;	/* of the [header]; 0: created by --set */
	struct ordo_conf_kv *kv;
	size_t n_kv;
};

struct ordo_conf_node {
	uint32_t id;
	char address[64];	/* as written: an IPv4 or IPv6 literal */
	uint16_t port;
	struct sockaddr_storage addr;	/* address and port */
	socklen_t addr_len;
	unsigned int line;	/* of the [node ID] header */
};

/* The [runtime] section, defaults filled in. */
struct ordo_conf_runtime {
	unsigned int heartbeat_ms;	/* 1..60000 */
	unsigned int suspect_ms;	/* > heartbeat_ms, <= 3600000 */
	unsigned int retransmit_ms;	/* 1..60000 */
	unsigned int retransmit_max;	/* transmissions per request, 1..1000 */
	uint32_t lclock_domain;		/* the Lamport domain (and group) id */
	enum ordo_stamping stamping;
	enum ordo_log_target log;
};

struct ordo_conf {
	char *path;		/* the file read ("<none>" when not from a file) */
	struct ordo_conf_node *nodes;	/* sorted by id */
	size_t n_nodes;
	struct ordo_conf_runtime rt;
	struct ordo_conf_section *sections;	/* every section, in file order */
	size_t n_sections;
	char err[ORDO_CONF_ERR_LEN];	/* the last error, "FILE:LINE: problem" */
};

/*
 * Read and check @path (NULL: ORDO_CONF_DEFAULT). On success *cp is the
 * configuration (free it with ordo_conf_free()). On failure *cp is NULL
 * and, when @err is not NULL, @err (ORDO_CONF_ERR_LEN bytes) holds the
 * message: "FILE:LINE: problem" for a problem in the file, "FILE: ..."
 * when it cannot be read. Returns 0, -ENOENT/-EACCES/... (file), -EINVAL
 * (content) or -ENOMEM.
 */
int ordo_conf_load(struct ordo_conf **cp, const char *path, char *err);
/* The same from a string; @name stands for the file name in messages. */
int ordo_conf_load_string(struct ordo_conf **cp, const char *name,
			  const char *text, char *err);
void ordo_conf_free(struct ordo_conf *c);

/*
 * Apply one command-line override "SECTION.KEY=VALUE" (e.g.
 * "runtime.heartbeat_ms=50", "node 2.port=7402", "mutexd.algorithm=ra").
 * The runtime's sections ([runtime], [node ID]) are re-checked as a whole
 * afterwards; other sections get the key added or replaced (the daemon
 * checks them). 0 or -EINVAL with c->err set: "--set S.K=V: problem";
 * after an error the configuration must not be used (free it).
 */
int ordo_conf_set(struct ordo_conf *c, const char *assignment);

/* The node with id @id, or NULL. */
const struct ordo_conf_node *ordo_conf_node(const struct ordo_conf *c,
					    uint32_t id);

/* The section named exactly @name, or NULL. */
struct ordo_conf_section *ordo_conf_section(const struct ordo_conf *c,
					    const char *name);
/*
 * Iterate over the sections whose name starts with @prefix (e.g.
 * "lock "): pass NULL first, then the previous result; NULL at the end.
 */
struct ordo_conf_section *ordo_conf_next(const struct ordo_conf *c,
					 const struct ordo_conf_section *prev,
					 const char *prefix);
/* The key's entry in @s (NULL section: NULL), or NULL. */
const struct ordo_conf_kv *ordo_conf_get(const struct ordo_conf_section *s,
					 const char *key);

/*
 * Typed getters for a daemon's section @s (may be NULL: absent, the
 * default is used). A missing key gives @def. A bad value returns -EINVAL
 * with c->err = "FILE:LINE: [SECTION] KEY: problem" (or "--set ..." for
 * an override). Numbers are decimal; u32/u64 check [min, max].
 */
int ordo_conf_u32(struct ordo_conf *c, const struct ordo_conf_section *s,
		  const char *key, uint32_t min, uint32_t max, uint32_t def,
		  uint32_t *out);
int ordo_conf_u64(struct ordo_conf *c, const struct ordo_conf_section *s,
		  const char *key, uint64_t min, uint64_t max, uint64_t def,
		  uint64_t *out);
/* true/false, yes/no, on/off, 1/0 */
int ordo_conf_bool(struct ordo_conf *c, const struct ordo_conf_section *s,
		   const char *key, bool def, bool *out);
/* The raw string (valid until ordo_conf_free()). */
int ordo_conf_str(struct ordo_conf *c, const struct ordo_conf_section *s,
		  const char *key, const char *def, const char **out);
/* One of @names (NULL-terminated): *out is its index. */
int ordo_conf_enum(struct ordo_conf *c, const struct ordo_conf_section *s,
		   const char *key, const char *const *names, int def,
		   int *out);
/* -EINVAL naming the first key of @s not in @known (NULL-terminated). */
int ordo_conf_check_keys(struct ordo_conf *c,
			 const struct ordo_conf_section *s,
			 const char *const *known);
/*
 * Format an error into c->err as "FILE:LINE: problem" (line 0: "FILE:
 * problem") and return -EINVAL; ordo_conf_kv_error() words it for a key
 * (its line, or the --set override it came from).
 */
int ordo_conf_error(struct ordo_conf *c, unsigned int line,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ordo_conf_kv_error(struct ordo_conf *c, const struct ordo_conf_section *s,
		       const struct ordo_conf_kv *kv, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "auto", "kernel", "user"; "stderr", "journal" (NULL if unknown). */
const char *ordo_stamping_name(enum ordo_stamping s);
const char *ordo_log_target_name(enum ordo_log_target t);

/* ================================================================ loop */

struct ordo_loop;
struct ordo_timer;

/* @events: EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, ... as epoll reports. */
typedef void (*ordo_fd_fn)(struct ordo_loop *l, int fd, uint32_t events,
			   void *arg);
typedef void (*ordo_timer_fn)(struct ordo_loop *l, struct ordo_timer *t,
			      void *arg);
typedef void (*ordo_signal_fn)(struct ordo_loop *l, int signo, void *arg);

/*
 * A timer: embed it anywhere, ordo_timer_init() it once, then start and
 * stop it at will (fields are private). Every armed timer of a loop sits
 * in one min-heap ordered by (deadline, arming order) behind a single
 * timerfd set to the earliest deadline: timers with the same deadline run
 * in the order they were armed.
 */
struct ordo_timer {
	struct ordo_loop *loop;
	ordo_timer_fn fn;
	void *arg;
	uint64_t due_ns;	/* CLOCK_MONOTONIC */
	uint64_t period_ns;	/* 0: one shot */
	uint64_t seq;
	size_t heap_idx;	/* (size_t)-1: not armed */
};

/* Milliseconds and nanoseconds of CLOCK_MONOTONIC. */
uint64_t ordo_now_ms(void);
uint64_t ordo_now_ns(void);

int ordo_loop_new(struct ordo_loop **lp);
/* Stops every timer still armed, closes the loop's own fds. */
void ordo_loop_free(struct ordo_loop *l);
/*
 * Dispatch events until ordo_loop_stop(): returns its @code, or a
 * negative errno if epoll_wait() fails.
 */
int ordo_loop_run(struct ordo_loop *l);
/* One round: wait up to @timeout_ms (-1: forever, 0: poll), dispatch
 * what is ready. Returns the number of callbacks run, or -errno. */
int ordo_loop_run_once(struct ordo_loop *l, int timeout_ms);
/* Make ordo_loop_run() (or the ordo_loop_run_once() running) return
 * @code after the current callback; each run_once starts afresh. */
void ordo_loop_stop(struct ordo_loop *l, int code);
bool ordo_loop_stopped(const struct ordo_loop *l);

/*
 * Watch @fd for @events (EPOLLIN, EPOLLOUT; level triggered). One
 * callback per fd; -EEXIST if it is watched already. del may be called
 * from any callback, for any fd: a deleted fd's pending events are not
 * delivered.
 */
int ordo_loop_add_fd(struct ordo_loop *l, int fd, uint32_t events,
		     ordo_fd_fn fn, void *arg);
int ordo_loop_mod_fd(struct ordo_loop *l, int fd, uint32_t events);
int ordo_loop_del_fd(struct ordo_loop *l, int fd);

void ordo_timer_init(struct ordo_timer *t, struct ordo_loop *l,
		     ordo_timer_fn fn, void *arg);
/*
 * Arm @t to fire @delay_ms from now and then every @period_ms (0: once).
 * Re-arming an armed timer moves it. A periodic timer's deadlines are
 * fixed multiples of the period (no drift); missed periods are skipped,
 * not run in a burst.
 */
int ordo_timer_start(struct ordo_timer *t, uint64_t delay_ms,
		     uint64_t period_ms);
/* Same with an absolute CLOCK_MONOTONIC deadline in ns. */
int ordo_timer_start_at(struct ordo_timer *t, uint64_t due_ns,
			uint64_t period_ns);
/* Disarm (harmless when not armed); also from the timer's callback. */
void ordo_timer_stop(struct ordo_timer *t);
bool ordo_timer_armed(const struct ordo_timer *t);

/*
 * Run @fn in the loop when @signo arrives. The signal is blocked in the
 * calling thread (call this before starting other threads) and read from
 * the loop's signalfd; ordo_loop_free() does not unblock it.
 */
int ordo_loop_add_signal(struct ordo_loop *l, int signo, ordo_signal_fn fn,
			 void *arg);
/* Stop the loop with code 0 on SIGTERM and SIGINT (logged). */
int ordo_loop_stop_on_term(struct ordo_loop *l);

/* ================================================================ node runtime */

struct ordo_rt;

/* Largest body of one message (fits one UDP datagram with both headers). */
#define ORDO_RT_BODY_MAX	65000

/* A received message, valid during the callback. */
struct ordo_rt_msg {
	uint32_t from;		/* the sender's node id */
	uint8_t proto;		/* enum ordo_app_proto */
	uint8_t type;
	uint8_t flags;		/* ORDO_APP_F_* as received */
	uint32_t xid;
	const void *body;
	size_t len;
	uint64_t ts;		/* Lamport ts(m), from the SOL_ORDO cmsg */
	uint64_t local;		/* this node's clock after the receive event */
	const struct ordo_lclock_cmsg *cmsg;
};

/* A message for a proto's handler (ordo_rt_handle()). */
typedef void (*ordo_rt_msg_fn)(struct ordo_rt *rt, const struct ordo_rt_msg *m,
			       void *arg);
/*
 * The end of a request. @status 0: @reply is the reply. Otherwise @reply
 * is NULL, except for a remote error: -ETIMEDOUT (no reply after
 * retransmit_max transmissions), -ECANCELED (ordo_rt_close()), or the
 * code of an ORDO_APP_RT_ERROR reply (e.g. -EPROTONOSUPPORT: no handler
 * for the proto at the peer), with @reply the ERROR message.
 */
typedef void (*ordo_rt_reply_fn)(struct ordo_rt *rt, int status,
				 const struct ordo_rt_msg *reply, void *arg);

enum ordo_peer_state {
	ORDO_PEER_UNKNOWN = 0,	/* nothing heard since start, not yet suspect */
	ORDO_PEER_ALIVE,	/* heard from within suspect_ms */
	ORDO_PEER_SUSPECT,	/* silent for suspect_ms */
};

/* A peer changed state (from @old to @state). */
typedef void (*ordo_rt_peer_fn)(struct ordo_rt *rt, uint32_t node,
				enum ordo_peer_state old,
				enum ordo_peer_state state, void *arg);

/*
 * Fault injection (tests only): called for every datagram about to be
 * sent to @to, with its header; returns how many copies to send (0 drops
 * it, 2 duplicates it).
 */
typedef unsigned int (*ordo_rt_tx_hook)(void *arg, uint32_t to,
					const struct ordo_app_info *h);

struct ordo_rt_config {
	struct ordo_conf *conf;	/* nodes and [runtime]; kept, not copied */
	uint32_t self;		/* this node's id (a [node ID] of conf) */
	struct ordo_loop *loop;
	/* ORDO_ATTACH_F_* for the socket (tests); 0 normally */
	uint32_t attach_flags;
	/*
	 * Added to every node's port, so that several daemons (mutexd,
	 * electd, ...) run on one node: each has its own offset (its
	 * documented default, or a key of its section). 0 normally.
	 */
	unsigned int port_offset;
};

/* Directions of the counters. */
enum ordo_rt_dir {
	ORDO_RT_TX = 0,
	ORDO_RT_RX = 1,
};

/* Why a received datagram was dropped as malformed. */
enum ordo_rt_bad {
	ORDO_RT_BAD_UNSTAMPED = 0,	/* no valid ordo clock header */
	ORDO_RT_BAD_APP,		/* application header (app[] by code) */
	ORDO_RT_BAD_SENDER,		/* sender not a configured node, or self */
	ORDO_RT_BAD_ADDR,		/* source address is not the sender's */
	ORDO_RT_BAD_NODE,		/* clock header node != app sender */
	ORDO_RT_BAD_BODY,		/* body did not decode (ordo_rt_bad_body()) */
	ORDO_RT_BAD_TRUNC,		/* larger than the receive buffer */

	ORDO_RT_BAD_CNT
};

struct ordo_rt_stats {
	uint64_t tx;		/* datagrams sent (every copy) */
	uint64_t rx;		/* valid datagrams received */
	uint64_t requests;	/* ordo_rt_request() calls */
	uint64_t replies;	/* requests ended by a reply */
	uint64_t timeouts;	/* requests ended by -ETIMEDOUT */
	uint64_t retransmits;	/* requests sent again (RETX) */
	uint64_t duplicates;	/* requests received again, not delivered */
	uint64_t cached_replies;	/* replies re-sent for duplicates */
	uint64_t pending_sent;	/* ORDO_APP_RT_PENDING sent for duplicates */
	uint64_t late_replies;	/* replies to no outstanding request */
	uint64_t unhandled;	/* messages of a proto without handler */
	uint64_t send_errors;	/* sendmsg() failures (count as losses) */
	uint64_t heartbeats_tx, heartbeats_rx;
	uint64_t stalls;	/* this node did not run for > suspect_ms:
				 * no peer suspected for that silence */
	uint64_t malformed;	/* sum of bad[] */
	uint64_t bad[ORDO_RT_BAD_CNT];
	uint64_t app[ORDO_APP_E_CNT];	/* ORDO_RT_BAD_APP by -code - 1 */
};

/*
 * Open node cfg->self: a UDP socket bound to its configured address and
 * port (+ port_offset), non-blocking, in the Lamport domain
 * conf->rt.lclock_domain (group
 * = domain, node = self) through ordo_ldom_open(): ordo.ko with
 * ORDO_LDOM_F_CREATE when loaded (stamping auto or kernel), libordo
 * otherwise or with stamping = user; an existing kernel domain must be
 * a Lamport domain stamping this node's id. Starts the heartbeats and
 * the failure detector. Errors are logged with the reason (ordo_log) and
 * returned (-EADDRINUSE, -ENOPKG, -EPERM, -ERANGE, ...).
 */
int ordo_rt_open(struct ordo_rt **rtp, const struct ordo_rt_config *cfg);
/* Ends every outstanding request with -ECANCELED, then closes. */
void ordo_rt_close(struct ordo_rt *rt);

uint32_t ordo_rt_self(const struct ordo_rt *rt);
struct ordo_loop *ordo_rt_loop(const struct ordo_rt *rt);
const struct ordo_conf *ordo_rt_conf(const struct ordo_rt *rt);
int ordo_rt_fd(const struct ordo_rt *rt);
struct ordo_ldom *ordo_rt_ldom(const struct ordo_rt *rt);
/* "kernel" or "user": who stamps this node's datagrams. */
const char *ordo_rt_stamping(const struct ordo_rt *rt);

/*
 * The handler of every message of @proto (requests, one-way messages)
 * except the replies to this node's requests, which go to the request's
 * callback. NULL removes it. A request to a proto without handler is
 * answered with ORDO_APP_RT_ERROR -EPROTONOSUPPORT; ORDO_APP_PROTO_RT is
 * the runtime's (-EINVAL).
 */
int ordo_rt_handle(struct ordo_rt *rt, uint8_t proto, ordo_rt_msg_fn fn,
		   void *arg);

/*
 * One datagram to node @to: the application header (sender self, a new
 * xid, @flags: ORDO_APP_F_OPDONE only) and @body. 0 or -errno
 * (-ENOENT: no such node; -EMSGSIZE; a sendmsg() error).
 */
int ordo_rt_send(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		 uint8_t type, uint8_t flags, const void *body, size_t len);
/*
 * ordo_rt_send() for a daemon that repairs losses itself: *xid 0 sends a
 * new message and stores its xid (never 0) in *xid; a non-zero *xid sends
 * it again with that xid and ORDO_APP_F_RETX (the header's convention
 * for a retransmission). @flags: ORDO_APP_F_OPDONE. -ENOENT for self.
 */
int ordo_rt_send_xid(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		     uint8_t type, uint8_t flags, uint32_t *xid,
		     const void *body, size_t len);
/* The same to every other node, one datagram each; returns how many
 * were sent, or the first error. */
int ordo_rt_broadcast(struct ordo_rt *rt, uint8_t proto, uint8_t type,
		      uint8_t flags, const void *body, size_t len);

/*
 * A request to @to (flags REQUEST, plus @flags: ORDO_APP_F_OPDONE): sent
 * now and again (same xid, flag RETX) every retransmit_ms until a reply
 * arrives, at most retransmit_max transmissions in all; @fn runs once,
 * with the reply, or -ETIMEDOUT retransmit_ms after the last
 * transmission. A peer that has the request but defers its answer
 * answers each retransmission with ORDO_APP_RT_PENDING, which restarts
 * the count: a deferred request waits as long as the peer is alive.
 * *xid (may be NULL) gets the request's xid. 0 or -errno (then @fn is
 * not called).
 */
int ordo_rt_request(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		    uint8_t type, uint8_t flags, const void *body, size_t len,
		    ordo_rt_reply_fn fn, void *arg, uint32_t *xid);
/* Forget request @xid: no more retransmissions, @fn is not called. */
int ordo_rt_cancel(struct ordo_rt *rt, uint32_t xid);

/*
 * Reply to request @req (of its proto, flags REPLY | @flags, its xid),
 * now or later: only req->from, proto, xid and flags are read, so a
 * handler that defers its answer keeps a copy of the struct. The reply
 * is cached: a retransmission of the request gets it again. A second
 * reply to the same request is refused (-EALREADY); a reply to a one-way
 * message (no REQUEST flag) gives -EINVAL; -ESTALE when the request is
 * no longer known (its requester restarted since, or 4096 newer requests
 * of that peer pushed it out of the cache).
 */
int ordo_rt_reply(struct ordo_rt *rt, const struct ordo_rt_msg *req,
		  uint8_t type, uint8_t flags, const void *body, size_t len);
/* Reply with ORDO_APP_RT_ERROR { code, message }. */
int ordo_rt_reply_error(struct ordo_rt *rt, const struct ordo_rt_msg *req,
			int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* protobuf-c variants: @msg is packed into the body. */
int ordo_rt_send_pb(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		    uint8_t type, uint8_t flags, const ProtobufCMessage *msg);
int ordo_rt_broadcast_pb(struct ordo_rt *rt, uint8_t proto, uint8_t type,
			 uint8_t flags, const ProtobufCMessage *msg);
int ordo_rt_request_pb(struct ordo_rt *rt, uint32_t to, uint8_t proto,
		       uint8_t type, uint8_t flags, const ProtobufCMessage *msg,
		       ordo_rt_reply_fn fn, void *arg, uint32_t *xid);
int ordo_rt_reply_pb(struct ordo_rt *rt, const struct ordo_rt_msg *req,
		     uint8_t type, uint8_t flags, const ProtobufCMessage *msg);
/*
 * Unpack @m's body as @desc (protobuf_c_message_unpack()); NULL when it
 * does not decode, counted as ORDO_RT_BAD_BODY and logged (debug). Free
 * the result with protobuf_c_message_free_unpacked(msg, NULL).
 */
ProtobufCMessage *ordo_rt_unpack(struct ordo_rt *rt,
				 const ProtobufCMessageDescriptor *desc,
				 const struct ordo_rt_msg *m);
/* Count a body that the daemon could not decode (ORDO_RT_BAD_BODY). */
void ordo_rt_bad_body(struct ordo_rt *rt, const struct ordo_rt_msg *m);

/* The node's Lamport clock now (ordo_ldom_get()); 0 if unreadable. */
uint64_t ordo_rt_clock(struct ordo_rt *rt);

/* Failure detector. */
void ordo_rt_on_peer(struct ordo_rt *rt, ordo_rt_peer_fn fn, void *arg);
/*
 * A peer restarted: its heartbeat carries incarnation @inc, not @old
 * (both non-zero). Called after the runtime forgot the peer's requests,
 * before the heartbeat's data goes to the ordo_rt_hb_recv_fn; the peer's
 * state callback (alive) may have run just before, for the same
 * datagram.
 */
typedef void (*ordo_rt_restart_fn)(struct ordo_rt *rt, uint32_t node,
				   uint64_t old, uint64_t inc, void *arg);
void ordo_rt_on_restart(struct ordo_rt *rt, ordo_rt_restart_fn fn, void *arg);
/* This node's incarnation (random, never 0). */
uint64_t ordo_rt_incarnation(const struct ordo_rt *rt);
/* The incarnation of @node's last heartbeat; 0: none heard yet. */
uint64_t ordo_rt_peer_incarnation(const struct ordo_rt *rt, uint32_t node);
/*
 * Become a new incarnation (a daemon that restarts its state without
 * restarting the process): a new random value, the cached requests of
 * every peer forgotten, a heartbeat round at once. Returns it.
 */
uint64_t ordo_rt_reincarnate(struct ordo_rt *rt);

/*
 * Daemon data in the heartbeats (Heartbeat.app, at most
 * ORDO_RT_HB_APP_MAX bytes): @fill writes what goes to peer @to into
 * @buf (@max bytes) and returns its length (0: nothing); @recv gets the
 * data of each heartbeat of @from that carries some, after the
 * incarnation check (a restart is reported first). Heartbeats stay one
 * datagram per peer per heartbeat_ms: daemons piggyback acknowledgements
 * and state on them without adding messages.
 */
#define ORDO_RT_HB_APP_MAX	1024
typedef size_t (*ordo_rt_hb_fill_fn)(struct ordo_rt *rt, uint32_t to,
				     uint8_t *buf, size_t max, void *arg);
typedef void (*ordo_rt_hb_recv_fn)(struct ordo_rt *rt, uint32_t from,
				   const uint8_t *data, size_t len, void *arg);
void ordo_rt_on_heartbeat(struct ordo_rt *rt, ordo_rt_hb_fill_fn fill,
			  ordo_rt_hb_recv_fn recv, void *arg);
enum ordo_peer_state ordo_rt_peer_state(const struct ordo_rt *rt,
					uint32_t node);
/* Alive (self always is); unknown and suspected peers are not. */
bool ordo_rt_peer_alive(const struct ordo_rt *rt, uint32_t node);
/* ms since the last valid datagram from @node (UINT64_MAX: never). */
uint64_t ordo_rt_peer_silence_ms(const struct ordo_rt *rt, uint32_t node);
const char *ordo_peer_state_name(enum ordo_peer_state s);

/* Counters. */
const struct ordo_rt_stats *ordo_rt_stats(const struct ordo_rt *rt);
/* Datagrams of (@proto, @type) in direction @dir, every copy counted
 * (retransmissions, duplicates, cached replies: what is on the wire). */
uint64_t ordo_rt_count(const struct ordo_rt *rt, uint8_t proto, uint8_t type,
		       enum ordo_rt_dir dir);
/* Messages with ORDO_APP_F_OPDONE sent (@dir TX) or received, not counting
 * their retransmissions (ORDO_APP_F_RETX): operations. */
uint64_t ordo_rt_opdone(const struct ordo_rt *rt, uint8_t proto,
			enum ordo_rt_dir dir);
const char *ordo_rt_bad_name(enum ordo_rt_bad reason);

/* Tests: fault injection on the send path (NULL: none). */
void ordo_rt_set_tx_hook(struct ordo_rt *rt, ordo_rt_tx_hook fn, void *arg);

/* ================================================================ local API */

#define ORDO_IPC_DIR		"/run/ordo"
#define ORDO_IPC_GROUP		"ordo"
#define ORDO_IPC_MSG_MAX	65536	/* largest packet, either way */

struct ordo_ipc_server;
struct ordo_ipc_session;

/*
 * A method of the local API: the Request's body is unpacked as @req and
 * @fn called; the answer goes back with ordo_ipc_reply() or
 * ordo_ipc_reply_error(), now or later (a call that waits, such as a
 * lock), with @xid. @req is freed after @fn returns.
 */
typedef void (*ordo_ipc_method_fn)(struct ordo_ipc_session *s, uint32_t xid,
				   const ProtobufCMessage *req, void *arg);

struct ordo_ipc_method {
	const char *name;			/* "mutex.lock" */
	const ProtobufCMessageDescriptor *req;	/* its request message */
	ordo_ipc_method_fn fn;
};

struct ordo_ipc_config {
	const char *path;	/* e.g. "/run/ordo/mutexd.sock" */
	/* "ordo" (NULL: ORDO_IPC_GROUP): group of the socket, mode 0660;
	 * if the group does not exist: 0600 and a log line */
	const char *group;
	/* Sessions: open and close are optional (close is where a daemon
	 * releases what a client that went away held). */
	int (*open)(struct ordo_ipc_session *s, void *arg);	/* <0: refuse */
	void (*close)(struct ordo_ipc_session *s, void *arg);
	/*
	 * Either a raw packet callback (it decodes itself and answers
	 * malformed input with ordo_ipc_send_error()) or a method table
	 * (NULL-name terminated) that the server dispatches: a packet that
	 * is not a Request, an unknown method or a body that does not
	 * decode gets an error Response (xid 0 when unknown), never a crash.
	 */
	void (*packet)(struct ordo_ipc_session *s, const void *buf, size_t len,
		       void *arg);
	const struct ordo_ipc_method *methods;
	void *arg;
};

struct ordo_ipc_stats {
	uint64_t sessions;	/* accepted so far */
	uint64_t open;		/* open now */
	uint64_t requests;	/* packets received */
	uint64_t bad_requests;	/* answered with an error for malformed input */
	uint64_t responses;	/* packets sent */
};

/*
 * Listen on cfg->path (its directory is created 0755 if missing; a stale
 * socket file is replaced; a live one gives -EADDRINUSE "another daemon
 * listens on PATH"). The socket is 0660 root:ordo when the group exists,
 * else 0600 with a log line saying so.
 */
int ordo_ipc_listen(struct ordo_ipc_server **sp, struct ordo_loop *l,
		    const struct ordo_ipc_config *cfg);
/* Closes every session (close callbacks run) and unlinks the socket. */
void ordo_ipc_close(struct ordo_ipc_server *srv);
const struct ordo_ipc_stats *ordo_ipc_stats(const struct ordo_ipc_server *srv);
/* The socket's mode and group as set up (for tests and status lines). */
mode_t ordo_ipc_mode(const struct ordo_ipc_server *srv);

/* Session: a connected client. */
uint64_t ordo_ipc_session_id(const struct ordo_ipc_session *s);	/* 1, 2, ... */
/* The client's credentials (SO_PEERCRED). */
pid_t ordo_ipc_session_pid(const struct ordo_ipc_session *s);
uid_t ordo_ipc_session_uid(const struct ordo_ipc_session *s);
void ordo_ipc_session_set_data(struct ordo_ipc_session *s, void *data);
void *ordo_ipc_session_data(const struct ordo_ipc_session *s);
/* Close a session from the daemon's side (the close callback runs). */
void ordo_ipc_session_close(struct ordo_ipc_session *s);

/* A Response for @xid with @msg as body (NULL: empty). */
int ordo_ipc_reply(struct ordo_ipc_session *s, uint32_t xid,
		   const ProtobufCMessage *msg);
/* A Response for @xid with Error { @code, message }. */
int ordo_ipc_reply_error(struct ordo_ipc_session *s, uint32_t xid, int code,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Raw: send one packet. */
int ordo_ipc_send(struct ordo_ipc_session *s, const void *buf, size_t len);
/* For raw packet callbacks: answer a packet that did not decode (counted
 * as a bad request; xid 0). */
int ordo_ipc_send_error(struct ordo_ipc_session *s, int code,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Client side (ordoctl). */
struct ordo_ipc_client;

/* Connect to @path: 0, -ENOENT ("no daemon: PATH does not exist"),
 * -ECONNREFUSED, -EACCES (not root or in group ordo). */
int ordo_ipc_connect(struct ordo_ipc_client **cp, const char *path);
void ordo_ipc_disconnect(struct ordo_ipc_client *c);
int ordo_ipc_client_fd(const struct ordo_ipc_client *c);
/*
 * Call @method with @req (NULL: empty body) and wait up to @timeout_ms
 * (-1: forever) for its Response; *resp gets the body unpacked as
 * @resp_desc (NULL desc: not unpacked, *resp untouched; free it with
 * protobuf_c_message_free_unpacked()). Returns 0; the daemon's error
 * code (negative) with @err (if not NULL, @errlen bytes) set to its
 * message; -ETIMEDOUT; -ECONNRESET when the daemon went away; -EBADMSG
 * for a response that does not decode.
 */
int ordo_ipc_call(struct ordo_ipc_client *c, const char *method,
		  const ProtobufCMessage *req,
		  const ProtobufCMessageDescriptor *resp_desc,
		  ProtobufCMessage **resp, int timeout_ms,
		  char *err, size_t errlen);

/* ================================================================ service */

/*
 * Logging: to stderr ("IDENT: LEVEL: message", debug only with
 * --verbose) or to the journal (sd_journal_send() with PRIORITY and
 * SYSLOG_IDENTIFIER). Levels are syslog's LOG_ERR .. LOG_DEBUG.
 */
void ordo_log_init(const char *ident, enum ordo_log_target target,
		   int max_level);
void ordo_log_set_target(enum ordo_log_target target);
void ordo_log_set_level(int max_level);
int ordo_log_level(void);
void ordo_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ordo_vlog(int level, const char *fmt, va_list ap);
/* Tests: every message also goes to @fn (NULL: none). */
void ordo_log_set_hook(void (*fn)(int level, const char *msg, void *arg),
		       void *arg);

#define ordo_err(...)		ordo_log(LOG_ERR, __VA_ARGS__)
#define ordo_warn(...)		ordo_log(LOG_WARNING, __VA_ARGS__)
#define ordo_notice(...)	ordo_log(LOG_NOTICE, __VA_ARGS__)
#define ordo_info(...)		ordo_log(LOG_INFO, __VA_ARGS__)
#define ordo_debug(...)		ordo_log(LOG_DEBUG, __VA_ARGS__)

/*
 * sd_notify(): READY=1 (with STATUS=), STOPPING=1, STATUS=. No-ops when
 * not started by systemd (no $NOTIFY_SOCKET).
 */
void ordo_svc_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ordo_svc_stopping(void);
void ordo_svc_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The command-line options every daemon shares. Put ORDO_SVC_LONGOPTS in
 * the getopt_long() table and ORDO_SVC_SHORTOPTS in the short option
 * string, pass each option to ordo_svc_option(), then call
 * ordo_svc_setup().
 *
 *   -c, --config FILE     cluster configuration (ORDO_CONF_DEFAULT)
 *   -n, --node ID         this node's id (required if the file has more
 *                         than one node)
 *   -s, --set S.K=V       override a configuration key (repeatable)
 *   -f, --foreground      do not daemonize (systemd: always)
 *   -v, --verbose         debug messages
 *   -L, --log TARGET      stderr or journal (overrides [runtime] log)
 *   -S, --socket PATH     the local API socket (/run/ordo/DAEMON.sock)
 */
#define ORDO_SVC_SHORTOPTS	"c:n:s:fvL:S:"
#define ORDO_SVC_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "node", required_argument, NULL, 'n' }, \
	{ "set", required_argument, NULL, 's' }, \
	{ "foreground", no_argument, NULL, 'f' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "log", required_argument, NULL, 'L' }, \
	{ "socket", required_argument, NULL, 'S' }
/* Help text for those options, one per line, indented by two spaces. */
extern const char ordo_svc_usage[];

#define ORDO_SVC_SETS_MAX	32

struct ordo_svc_opts {
	const char *config;
	bool has_node;
	uint32_t node;
	const char *sets[ORDO_SVC_SETS_MAX];
	unsigned int n_sets;
	bool foreground;
	bool verbose;
	bool has_log;
	enum ordo_log_target log;
	const char *socket;
};

/* 1: @opt was one of ours (taken), 0: not ours, -EINVAL: bad argument
 * (message printed to stderr). */
int ordo_svc_option(struct ordo_svc_opts *o, int opt, const char *arg);

/*
 * For daemon @name ("mutexd"): load the configuration, apply the --set
 * overrides, pick the node (--node, or the only one), set up logging
 * ([runtime] log or --log; --verbose), and daemonize unless
 * --foreground. *cp gets the configuration, *self the node id, and
 * o->socket defaults to /run/ordo/NAME.sock. Errors are printed as
 * "NAME: FILE:LINE: problem" and returned (-EINVAL, -ENOENT, ...).
 */
int ordo_svc_setup(struct ordo_svc_opts *o, const char *name,
		   struct ordo_conf **cp, uint32_t *self);

#ifdef __cplusplus
}
#endif

#endif /* ORDO_RT_H */
