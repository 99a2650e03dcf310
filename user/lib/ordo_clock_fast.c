// SPDX-License-Identifier: GPL-2.0
/*
 * libordo - reading the ordo clock without a system call.
 *
 * /dev/ordo_clock maps struct ordo_clock_page (Documentation/clock-mmap.rst)
 * read-only. When the page says its counter is readable from userspace
 * (the TSC), a reader copies the snapshot between two equal even reads of
 * the page's sequence count, reads the TSC in between and computes every
 * clock with the same code the module runs (kmod/lib/ordo_clock.c).
 * Otherwise (the HPET is the source, no device, or the module went away)
 * it asks the module with ORDO_CMD_CLOCK_GET over generic netlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libordo.h"
#include "ordo_clock.h"

#define ORDO_CLOCK_DEV "/dev/ordo_clock"

static pthread_mutex_t fast_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * The mapping, once made. A new one replaces it only when the module was
 * reloaded (the old page is dead); the old mapping is left in place, as
 * another thread may still be reading it (one page per reload).
 */
static const struct ordo_clock_page *_Atomic fast_page;

/* Map the page; NULL if there is no device. Under fast_lock. */
static const struct ordo_clock_page *fast_map_locked(void)
{
	void *p;
	int fd;

	fd = open(ORDO_CLOCK_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * The page, mapped on first use; NULL if there is no device (tried again
 * on the next call). @stale: the caller found that page dead: map again.
 */
static const struct ordo_clock_page *fast_get(const struct ordo_clock_page *stale)
{
	const struct ordo_clock_page *p = fast_page;

	if (p && p != stale)
		return p;
	pthread_mutex_lock(&fast_lock);
	p = fast_page;
	if (!p || p == stale) {
		p = fast_map_locked();
		if (p)
			fast_page = p;
	}
	pthread_mutex_unlock(&fast_lock);
	return p;
}

/*
 * One consistent read of the page: 0, or -EAGAIN when the counter cannot
 * be read here (not the TSC) and -ESTALE when the page is dead.
 */
static int fast_read(const struct ordo_clock_page *p, struct ordo_clock_snap *snap,
		     uint64_t *cyc)
{
	uint32_t s1, s2;

	for (;;) {
		s1 = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1) {
			_mm_pause();
			continue;
		}
		if (__atomic_load_n(&p->version, __ATOMIC_RELAXED) != ORDO_CLOCK_PAGE_VERSION)
			return -ESTALE;
		if (!(__atomic_load_n(&p->flags, __ATOMIC_RELAXED) &
		      ORDO_CLOCK_PAGE_F_USER_READABLE))
			return -EAGAIN;
		memcpy(snap, (const void *)&p->snap, sizeof(*snap));
		/* lfence: the TSC is read after the loads above */
		_mm_lfence();
		*cyc = __rdtsc();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&p->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return 0;
	}
}

/* ---------------------------------------------------------------- netlink */

static pthread_mutex_t nl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nl_sock *nl_sk;
static int nl_family;

static int nl_parse(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[__ORDO_A_MAX];
	struct ordo_now *out = arg;
	int err;

	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, __ORDO_A_MAX - 1, NULL);
	if (err < 0)
		return NL_SKIP;
	if (!tb[ORDO_A_CLOCK_MONO] || !tb[ORDO_A_CLOCK_WALL])
		return NL_SKIP;
	out->mono = nla_get_u64(tb[ORDO_A_CLOCK_MONO]);
	if (tb[ORDO_A_CLOCK_MONO_RAW])
		out->mono_raw = nla_get_u64(tb[ORDO_A_CLOCK_MONO_RAW]);
	out->wall = (int64_t)nla_get_u64(tb[ORDO_A_CLOCK_WALL]);
	if (tb[ORDO_A_CLOCK_TAI])
		out->tai = (int64_t)nla_get_u64(tb[ORDO_A_CLOCK_TAI]);
	if (tb[ORDO_A_CLOCK_TAI_OFFSET])
		out->tai_off = (int32_t)nla_get_u32(tb[ORDO_A_CLOCK_TAI_OFFSET]);
	if (tb[ORDO_A_CLOCK_LEAP_FLAGS])
		out->leap_flags = nla_get_u32(tb[ORDO_A_CLOCK_LEAP_FLAGS]);
	if (tb[ORDO_A_CLOCK_COUNTER])
		out->counter = nla_get_u64(tb[ORDO_A_CLOCK_COUNTER]);
	if (tb[ORDO_A_CLOCK_MAX_ERROR])
		out->maxerror = nla_get_u64(tb[ORDO_A_CLOCK_MAX_ERROR]);
	if (tb[ORDO_A_CLOCK_TT_EARLIEST] && tb[ORDO_A_CLOCK_TT_LATEST]) {
		out->tt_earliest = (int64_t)nla_get_u64(tb[ORDO_A_CLOCK_TT_EARLIEST]);
		out->tt_latest = (int64_t)nla_get_u64(tb[ORDO_A_CLOCK_TT_LATEST]);
	} else {
		out->tt_earliest = out->wall - (int64_t)out->maxerror;
		out->tt_latest = out->wall + (int64_t)out->maxerror;
	}
	out->synced = tb[ORDO_A_CLOCK_SYNC] &&
		      nla_get_u32(tb[ORDO_A_CLOCK_SYNC]) == ORDO_CLOCK_SYNCED;
	out->path = ORDO_NOW_NETLINK;
	return NL_OK;
}

static void nl_drop_locked(void)
{
	nl_socket_free(nl_sk);
	nl_sk = NULL;
}

static int nl_open_locked(void)
{
	int err;

	nl_sk = nl_socket_alloc();
	if (!nl_sk)
		return -ENOMEM;
	/* One reply per request: no ACK to leave behind in the socket. */
	nl_socket_disable_auto_ack(nl_sk);
	err = genl_connect(nl_sk);
	if (err < 0) {
		nl_drop_locked();
		return -ECONNREFUSED;
	}
	err = genl_ctrl_resolve(nl_sk, ORDO_GENL_NAME);
	if (err < 0) {
		nl_drop_locked();
		return ORDO_ERR_NOT_LOADED;
	}
	nl_family = err;
	return 0;
}

static int nl_clock_get(struct ordo_now *out)
{
	struct nl_msg *msg;
	int err;

	pthread_mutex_lock(&nl_lock);
	if (!nl_sk) {
		err = nl_open_locked();
		if (err)
			goto out;
	}
	msg = nlmsg_alloc();
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl_family, 0, 0,
			 ORDO_CMD_CLOCK_GET, ORDO_GENL_VERSION)) {
		nlmsg_free(msg);
		err = -ENOMEM;
		goto out;
	}
	out->path = 0;
	nl_socket_modify_cb(nl_sk, NL_CB_VALID, NL_CB_CUSTOM, nl_parse, out);
	err = nl_send_auto(nl_sk, msg);
	nlmsg_free(msg);
	if (err >= 0)
		err = nl_recvmsgs_default(nl_sk);
	if (err < 0) {
		/* The family may have gone with the module: resolve again. */
		nl_drop_locked();
		err = err == -NLE_OBJ_NOTFOUND ? ORDO_ERR_NOT_LOADED : -EIO;
	} else {
		err = out->path == ORDO_NOW_NETLINK ? 0 : -EPROTO;
	}
out:
	pthread_mutex_unlock(&nl_lock);
	return err;
}

/* ---------------------------------------------------------------- API */

int ordo_clock_now_flags(struct ordo_now *out, unsigned int flags)
{
	const struct ordo_clock_page *p = NULL;
	struct ordo_clock_snap snap;
	struct ordo_clock_time t;
	struct ordo_tt tt;
	uint64_t cyc;
	int err;

	memset(out, 0, sizeof(*out));
	if (!(flags & ORDO_NOW_F_NETLINK)) {
		p = fast_get(NULL);
		err = p ? fast_read(p, &snap, &cyc) : -ENODEV;
		if (err == -ESTALE) {
			p = fast_get(p);
			err = p ? fast_read(p, &snap, &cyc) : -ENODEV;
		}
		if (!err) {
			ordo_clock_read(&snap, cyc, &t);
			out->synced = ordo_tt_now(&snap, cyc, &tt) == 0;
			out->mono = t.mono;
			out->mono_raw = t.mono_raw;
			out->wall = t.utc;
			out->tai = t.tai;
			out->tai_off = t.tai_off;
			out->leap_flags = t.leap_flags;
			out->tt_earliest = tt.earliest;
			out->tt_latest = tt.latest;
			out->maxerror = tt.maxerror;
			out->counter = cyc;
			out->path = ORDO_NOW_MMAP;
			return 0;
		}
	}
	return nl_clock_get(out);
}

int ordo_clock_now(struct ordo_now *out)
{
	return ordo_clock_now_flags(out, 0);
}

int ordo_tt_wait_until(int64_t t_ns)
{
	struct ordo_now now;
	struct timespec ts;
	int64_t wait;
	int err;

	for (;;) {
		err = ordo_clock_now(&now);
		if (err)
			return err;
		if (!now.synced)
			return -ENODATA;
		if (now.tt_earliest > t_ns)
			return 0;
		/* earliest advances at (about) the rate of CLOCK_MONOTONIC */
		wait = t_ns - now.tt_earliest + 1;
		ts.tv_sec = wait / 1000000000;
		ts.tv_nsec = wait % 1000000000;
		err = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
		if (err && err != EINTR)
			return -err;
	}
}

static int ordo_clock_tt_now(struct ordo_now *now)
{
	int err = ordo_clock_now(now);

	if (err)
		return err;
	return now->synced ? 0 : -ENODATA;
}

int ordo_clock_tt_after(int64_t t_ns)
{
	struct ordo_now now;
	int err = ordo_clock_tt_now(&now);

	return err ? err : now.tt_earliest > t_ns;
}

int ordo_clock_tt_before(int64_t t_ns)
{
	struct ordo_now now;
	int err = ordo_clock_tt_now(&now);

	return err ? err : now.tt_latest < t_ns;
}
