/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libordo - userspace client library for the Ordo kernel module.
 *
 * All functions returning int return 0 (or a non-negative count) on
 * success and a negative errno value on failure.  ORDO_ERR_NOT_LOADED is
 * returned when the "ordo" generic netlink family does not exist, i.e. the
 * module is not loaded.  After a failed request ordo_errmsg() returns the
 * kernel's extended ack message, if it sent one.
 *
 * Capability names: see ordo_caps.h (kmod/lib, linked into libordo).
 */
#ifndef LIBORDO_H
#define LIBORDO_H

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/ordo.h>
#include <linux/ordo_lclock.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The "ordo" genetlink family is absent: the module is not loaded. */
#define ORDO_ERR_NOT_LOADED	(-ENOPKG)

struct ordo;	/* opaque handle: one netlink socket */

struct ordo_info {
	char version[64];
	char build_id[128];
	uint64_t caps;		/* bitmap of (1ULL << enum ordo_cap) */
	uint32_t genl_version;
};

struct ordo_stat {
	char name[ORDO_STAT_NAME_LEN];
	uint64_t value;
};

/* Called once per statistic; a non-zero return stops the iteration and
 * becomes the return value of ordo_stats_dump(), which otherwise returns
 * the number of statistics seen (or a negative errno).
 */
typedef int (*ordo_stat_fn)(const struct ordo_stat *stat, void *arg);

int ordo_open(struct ordo **hp);
void ordo_close(struct ordo *h);

/* Generic netlink family id of "ordo" (resolved by ordo_open()). */
int ordo_family_id(const struct ordo *h);

/* Extended ack message of the last failed request, or NULL. */
const char *ordo_errmsg(const struct ordo *h);

/* Human readable text for an error returned by this library. */
const char *ordo_strerror(int err);

int ordo_get_info(struct ordo *h, struct ordo_info *info);
int ordo_stat_get(struct ordo *h, const char *name, struct ordo_stat *stat);
int ordo_stats_dump(struct ordo *h, ordo_stat_fn fn, void *arg);

/*
 * The ordo clocks read at one instant (ordo_clock_fast.c).
 *
 * ordo_clock_now() reads /dev/ordo_clock's page without a system call
 * when the clock's counter is the TSC (path ORDO_NOW_MMAP), else asks the
 * module with ORDO_CMD_CLOCK_GET (path ORDO_NOW_NETLINK). The first call
 * maps the page (thread safe). Times are ns; wall is UTC since the Unix
 * epoch, tai = wall + tai_off s outside leaps. [tt_earliest, tt_latest]
 * is the TrueTime interval; it is meaningful only when synced is true.
 * ORDO_ERR_NOT_LOADED when the module is absent.
 */
enum ordo_now_path {
	ORDO_NOW_MMAP = 1,
	ORDO_NOW_NETLINK,
};

struct ordo_now {
	uint64_t mono;		/* disciplined monotonic */
	uint64_t mono_raw;
	int64_t wall;		/* UTC, leap applied */
	int64_t tai;
	int32_t tai_off;	/* TAI - UTC, s */
	uint32_t leap_flags;	/* ORDO_LEAP_F_* (ordo_leap.h) */
	int64_t tt_earliest;
	int64_t tt_latest;
	uint64_t maxerror;	/* ns: (latest - earliest) / 2 */
	uint64_t counter;	/* the counter value the times are for */
	int synced;		/* the TrueTime interval is valid */
	int path;		/* enum ordo_now_path */
};

/* ordo_clock_now_flags(): always use netlink (benchmarks, tests). */
#define ORDO_NOW_F_NETLINK	0x1

int ordo_clock_now(struct ordo_now *out);
int ordo_clock_now_flags(struct ordo_now *out, unsigned int flags);

/*
 * Spanner's commit wait: return once TT.after(t_ns) holds, i.e. the
 * earliest possible true UTC is past @t_ns, sleeping in between. 0, or
 * -ENODATA if the clock is not synchronised (the wait could not end),
 * or the error of ordo_clock_now().
 */
int ordo_tt_wait_until(int64_t t_ns);

/*
 * Spanner's TT.after(t) and TT.before(t) on the ordo clock: after is true
 * once @t_ns has certainly passed (TT.now().earliest > t), before is true
 * while @t_ns has certainly not arrived (TT.now().latest < t). 1 (true),
 * 0 (false), -ENODATA if the clock is not synchronised, or the error of
 * ordo_clock_now().
 */
int ordo_clock_tt_after(int64_t t_ns);
int ordo_clock_tt_before(int64_t t_ns);

/*
 * The clock over netlink (ordo_clock_nl.c).
 *
 * ordo_clock_get(): ORDO_CMD_CLOCK_GET, every clock and the status at one
 * counter value. Times ns; wall and tai since the Unix epoch.
 */
struct ordo_clock_info {
	char source[16];	/* "tsc", "hpet" */
	uint64_t counter;
	uint64_t counter_hz;
	uint64_t mono;
	uint64_t mono_raw;
	int64_t wall;		/* UTC, leap applied (IN_LEAP: 23:59:60) */
	int64_t tai;
	int64_t slew_pending;	/* ns still to absorb */
	uint32_t slew_rate;	/* ppb */
	int64_t freq;		/* ppb << 16 */
	uint32_t pll_tc;
	uint32_t pll_mode;	/* enum ordo_pll_mode */
	uint32_t stratum;
	uint32_t refid;
	uint64_t root_delay;
	uint64_t root_disp;
	uint64_t est_error;
	uint64_t max_error;
	uint32_t drift;		/* ppb */
	uint32_t sync;		/* enum ordo_clock_sync_state */
	uint64_t last_update;	/* mono ns */
	uint32_t leap;		/* enum ordo_clock_leap */
	int64_t leap_time;	/* UTC s of the leap's midnight, 0 = none */
	uint32_t leap_mode;	/* enum ordo_clock_leap_mode */
	uint32_t smear_window;	/* s */
	int32_t tai_offset;	/* s, in effect at the sample */
	uint32_t leap_flags;	/* ORDO_CLOCK_LEAP_F_* */
	int has_tt;		/* synchronised: tt_* valid */
	int64_t tt_earliest;
	int64_t tt_latest;
	int has_rtc;
	int64_t rtc;		/* s */
};

int ordo_clock_get(struct ordo *h, struct ordo_clock_info *ci);

/*
 * ordo_clock_set(): ORDO_CMD_CLOCK_SET (CAP_NET_ADMIN and CAP_SYS_TIME).
 * @mask says which fields are set: ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_x) for
 * each attribute to send; the kernel applies them in its documented order
 * (Documentation/netlink/specs/ordo.yaml). ordo_errmsg() has the reason
 * of a failure.
 */
#define ORDO_CLOCK_SET_BIT(attr)	(1ULL << (attr))

struct ordo_clock_set {
	uint64_t mask;
	char source[16];
	int64_t wall;		/* step to */
	int64_t step;		/* step by */
	int64_t slew;		/* slew by */
	uint32_t slew_rate;
	int64_t freq;		/* ppb << 16 */
	int64_t pll_offset;
	uint32_t pll_tc;
	uint32_t pll_mode;
	uint32_t stratum;
	uint32_t refid;
	uint64_t root_delay;
	uint64_t root_disp;
	uint64_t est_error;
	uint32_t drift;
	uint32_t sync;		/* ORDO_CLOCK_UNSYNC */
	uint32_t leap;		/* enum ordo_clock_leap */
	int64_t leap_time;
	uint32_t leap_mode;
	uint32_t smear_window;
	int32_t tai_offset;
	/* ORDO_A_CLOCK_RTC_WRITE: a flag, only the mask bit */
};

int ordo_clock_set(struct ordo *h, const struct ordo_clock_set *s);

/*
 * Clock events (CLOCK_NTF on the "clock" multicast group). A watch is a
 * socket of its own. ordo_clock_watch_next() blocks for the next event
 * and returns 0, ORDO_ERR_NOT_LOADED once the module has been unloaded
 * (the family went away), or a negative errno.
 */
struct ordo_clock_ntf {
	uint32_t event;		/* enum ordo_clock_event */
	uint64_t present;	/* ORDO_CLOCK_SET_BIT() of the attributes seen */
	int64_t wall;
	int64_t step;
	uint32_t leap;
	int64_t leap_time;
	uint32_t leap_mode;
	int32_t tai_offset;
	uint32_t sync;
	char source[16];
};

struct ordo_clock_watch;

int ordo_clock_watch_open(struct ordo_clock_watch **wp);
int ordo_clock_watch_fd(const struct ordo_clock_watch *w);
int ordo_clock_watch_next(struct ordo_clock_watch *w,
			  struct ordo_clock_ntf *ev);
void ordo_clock_watch_close(struct ordo_clock_watch *w);

/*
 * Logical clock domains and stamped sockets (ordo_lclock_nl.c); see
 * Documentation/socket-stamping.rst. Domains belong to the caller's
 * network namespace. add/del need CAP_NET_ADMIN; get, dump and tick are
 * for anyone. ordo_lclock_attach()/detach() use /dev/ordo_lclock.
 */
#define ORDO_LCLOCK_DROPS_MAX	32

struct ordo_lclock_info {
	uint32_t domain;
	uint32_t group;		/* the id on the wire */
	uint32_t kind;		/* enum ordo_wire_kind */
	uint32_t node;
	uint32_t vc_n, vc_index;	/* vector */
	uint64_t value;		/* Lamport c, HLC l */
	uint32_t hlc_c;
	uint64_t vc[64];	/* vector: vc_n entries */
	uint64_t max_jump;
	int refuse;
	uint32_t sockets;
	uint64_t stamped, received, ticks, future, unstamped;
	unsigned int n_drops;
	struct {
		char name[32];
		uint64_t value;
	} drops[ORDO_LCLOCK_DROPS_MAX];
};

struct ordo_lclock_params {
	uint32_t domain;
	uint32_t kind;		/* enum ordo_wire_kind */
	uint32_t vc_n, vc_index;	/* vector only */
	int has_node;
	uint32_t node;		/* default: vc_index (0 for Lamport, HLC) */
	int has_group;
	uint32_t group;		/* default: domain */
	uint64_t max_jump;	/* 0: no future-jump check */
	int refuse;
};

typedef int (*ordo_lclock_fn)(const struct ordo_lclock_info *li, void *arg);

int ordo_lclock_domain_add(struct ordo *h, const struct ordo_lclock_params *p);
int ordo_lclock_domain_del(struct ordo *h, uint32_t domain);
int ordo_lclock_get(struct ordo *h, uint32_t domain,
		    struct ordo_lclock_info *li);
/* A local event; @li (may be NULL) gets the domain after it. */
int ordo_lclock_tick(struct ordo *h, uint32_t domain,
		     struct ordo_lclock_info *li);
/* Every domain: @fn per domain (non-zero stops); returns the count. */
int ordo_lclock_dump(struct ordo *h, ordo_lclock_fn fn, void *arg);
/* Opt a UDP socket in (ORDO_ATTACH_F_* flags) or out: 0 or -errno. */
int ordo_lclock_attach(int sock_fd, uint32_t domain, uint32_t flags);
int ordo_lclock_detach(int sock_fd);
/* "lamport", "vector", "hlc" (NULL if unknown) and back (-EINVAL). */
const char *ordo_lclock_kind_name(uint32_t kind);
int ordo_lclock_kind_parse(const char *s, uint32_t *kind);

/*
 * How vector timestamp @a (n entries, n <= 64) relates to @b:
 * ORDO_VCLOCK_BEFORE (a -> b: a <= b component-wise and a != b), _AFTER
 * (b -> a), _CONCURRENT (a || b) or _EQUAL; -EINVAL for n > 64 or NULL.
 */
enum ordo_vclock_order_val {
	ORDO_VCLOCK_EQUAL,
	ORDO_VCLOCK_BEFORE,
	ORDO_VCLOCK_AFTER,
	ORDO_VCLOCK_CONCURRENT,
};

int ordo_vclock_order(const uint64_t *a, const uint64_t *b, uint32_t n);
/* "equal", "before", "after", "concurrent"; NULL for anything else */
const char *ordo_vclock_order_name(int order);

/*
 * Stamped sockets with or without the module (ordo_lsock.c).
 *
 * A struct ordo_ldom is a logical clock domain as an application sees it:
 *   - ORDO_LDOM_KERNEL: a domain of ordo.ko (in the caller's netns);
 *     sockets are opted in with ORDO_IOC_ATTACH and the kernel stamps,
 *     merges and strips; ordo_lsendmsg()/ordo_lrecvmsg() are plain
 *     sendmsg()/recvmsg();
 *   - ORDO_LDOM_USER: libordo keeps the clock in the process (the same
 *     rules, kmod/lib/ordo_lclock.c, and the same wire header,
 *     <linux/ordo_wire.h>); ordo_lsendmsg() prepends the header,
 *     ordo_lrecvmsg() validates, merges, strips it and appends the same
 *     SOL_ORDO / ORDO_CMSG_TIMESTAMP control message (struct
 *     ordo_lclock_cmsg) after the socket's own ones. MSG_PEEK does not
 *     merge, MSG_TRUNC/MSG_DONTWAIT/MSG_WAITALL behave as on the kernel
 *     path, invalid datagrams are dropped and counted (or delivered
 *     unstamped with ORDO_ATTACH_F_PASS_UNSTAMPED).
 * On the wire both are identical: a node with the module and a node
 * without it interoperate.
 */
struct ordo_ldom;

enum ordo_ldom_mode {
	ORDO_LDOM_KERNEL = 1,
	ORDO_LDOM_USER = 2,
};

/* ordo_ldom_open() flags */
#define ORDO_LDOM_F_USER	0x1	/* userspace, even if ordo.ko is there */
#define ORDO_LDOM_F_KERNEL	0x2	/* ordo.ko or fail (-ENOPKG) */
#define ORDO_LDOM_F_CREATE	0x4	/* kernel: add the domain if missing */

/*
 * Open domain @p (p->domain, kind, vector n/index, node, group, max_jump,
 * refuse as for ordo_lclock_domain_add()). Without a mode flag: the
 * kernel domain p->domain when ordo.ko is loaded (created with
 * ORDO_LDOM_F_CREATE, which needs CAP_NET_ADMIN), userspace otherwise.
 * 0 or -errno.
 */
int ordo_ldom_open(struct ordo_ldom **dp, const struct ordo_lclock_params *p,
		   unsigned int flags);
/* Detaches nothing: close or ordo_ldom_detach() the sockets first. */
void ordo_ldom_close(struct ordo_ldom *d);
enum ordo_ldom_mode ordo_ldom_mode(const struct ordo_ldom *d);
/* The domain's state (same fields as ordo_lclock_get()). */
int ordo_ldom_get(struct ordo_ldom *d, struct ordo_lclock_info *li);
/* A local event; @li (may be NULL) gets the domain after it. */
int ordo_ldom_tick(struct ordo_ldom *d, struct ordo_lclock_info *li);
/* Opt the UDP socket @fd in (ORDO_ATTACH_F_*) or out. 0 or -errno. */
int ordo_ldom_attach(struct ordo_ldom *d, int fd, uint32_t flags);
int ordo_ldom_detach(struct ordo_ldom *d, int fd);
/* sendmsg()/recvmsg() on an attached socket: >= 0 or -1 with errno. */
ssize_t ordo_lsendmsg(struct ordo_ldom *d, int fd, const struct msghdr *msg,
		      int flags);
ssize_t ordo_lrecvmsg(struct ordo_ldom *d, int fd, struct msghdr *msg,
		      int flags);
/* The SOL_ORDO control message of a received @msg, or NULL. */
const struct ordo_lclock_cmsg *ordo_lclock_cmsg(const struct msghdr *msg);

#ifdef __cplusplus
}
#endif

#endif /* LIBORDO_H */
