// SPDX-License-Identifier: GPL-2.0
/*
 * libordo - the clock over generic netlink: CLOCK_GET, CLOCK_SET and the
 * CLOCK_NTF events of the "clock" multicast group.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libordo.h"
#include "ordo_priv.h"

static void copy_name(char *dst, size_t size, const struct nlattr *a)
{
	size_t n = (size_t)nla_len(a);

	if (n >= size)
		n = size - 1;
	memcpy(dst, nla_data(a), n);
	dst[n] = '\0';
	/* the kernel's strings include the NUL */
	dst[strnlen(dst, n)] = '\0';
}

static int ordo_clock_parse(struct nlmsghdr *nlh, void *arg)
{
	struct ordo_clock_info *ci = arg;
	struct nlattr *tb[ORDO_A_MAX + 1];
	int err;

	err = genlmsg_parse(nlh, 0, tb, ORDO_A_MAX, NULL);
	if (err < 0)
		return -EPROTO;
	memset(ci, 0, sizeof(*ci));
#define U64(a, f) do { if (tb[a]) ci->f = nla_get_u64(tb[a]); } while (0)
#define S64(a, f) do { if (tb[a]) ci->f = (int64_t)nla_get_u64(tb[a]); } while (0)
#define U32(a, f) do { if (tb[a]) ci->f = nla_get_u32(tb[a]); } while (0)
	if (tb[ORDO_A_CLOCK_SOURCE])
		copy_name(ci->source, sizeof(ci->source), tb[ORDO_A_CLOCK_SOURCE]);
	U64(ORDO_A_CLOCK_COUNTER, counter);
	U64(ORDO_A_CLOCK_COUNTER_HZ, counter_hz);
	U64(ORDO_A_CLOCK_MONO, mono);
	U64(ORDO_A_CLOCK_MONO_RAW, mono_raw);
	S64(ORDO_A_CLOCK_WALL, wall);
	S64(ORDO_A_CLOCK_TAI, tai);
	S64(ORDO_A_CLOCK_SLEW, slew_pending);
	U32(ORDO_A_CLOCK_SLEW_RATE, slew_rate);
	S64(ORDO_A_CLOCK_FREQ, freq);
	U32(ORDO_A_CLOCK_PLL_TC, pll_tc);
	U32(ORDO_A_CLOCK_PLL_MODE, pll_mode);
	U32(ORDO_A_CLOCK_STRATUM, stratum);
	U32(ORDO_A_CLOCK_REFID, refid);
	U64(ORDO_A_CLOCK_ROOT_DELAY, root_delay);
	U64(ORDO_A_CLOCK_ROOT_DISP, root_disp);
	U64(ORDO_A_CLOCK_EST_ERROR, est_error);
	U64(ORDO_A_CLOCK_MAX_ERROR, max_error);
	U32(ORDO_A_CLOCK_DRIFT, drift);
	U32(ORDO_A_CLOCK_SYNC, sync);
	U64(ORDO_A_CLOCK_LAST_UPDATE, last_update);
	U32(ORDO_A_CLOCK_LEAP, leap);
	S64(ORDO_A_CLOCK_LEAP_TIME, leap_time);
	U32(ORDO_A_CLOCK_LEAP_MODE, leap_mode);
	U32(ORDO_A_CLOCK_SMEAR_WINDOW, smear_window);
	if (tb[ORDO_A_CLOCK_TAI_OFFSET])
		ci->tai_offset = (int32_t)nla_get_u32(tb[ORDO_A_CLOCK_TAI_OFFSET]);
	U32(ORDO_A_CLOCK_LEAP_FLAGS, leap_flags);
	if (tb[ORDO_A_CLOCK_TT_EARLIEST] && tb[ORDO_A_CLOCK_TT_LATEST]) {
		ci->has_tt = 1;
		S64(ORDO_A_CLOCK_TT_EARLIEST, tt_earliest);
		S64(ORDO_A_CLOCK_TT_LATEST, tt_latest);
	}
	if (tb[ORDO_A_CLOCK_RTC]) {
		ci->has_rtc = 1;
		S64(ORDO_A_CLOCK_RTC, rtc);
	}
#undef U64
#undef S64
#undef U32
	return 0;
}

int ordo_clock_get(struct ordo *h, struct ordo_clock_info *ci)
{
	struct nl_msg *msg = ordo_priv_msg_new(h, ORDO_CMD_CLOCK_GET, 0);

	if (!msg)
		return -ENOMEM;
	return ordo_priv_transact(h, msg, ordo_clock_parse, ci);
}

int ordo_clock_set(struct ordo *h, const struct ordo_clock_set *s)
{
	struct nl_msg *msg = ordo_priv_msg_new(h, ORDO_CMD_CLOCK_SET, 0);
	uint64_t m = s->mask;
	int err = 0;

	if (!msg)
		return -ENOMEM;
#define HAS(a) (m & ORDO_CLOCK_SET_BIT(a))
#define PUT(call) do { if (!err && (call) < 0) err = -EMSGSIZE; } while (0)
	if (HAS(ORDO_A_CLOCK_SOURCE))
		PUT(nla_put_string(msg, ORDO_A_CLOCK_SOURCE, s->source));
	if (HAS(ORDO_A_CLOCK_WALL))
		PUT(nla_put_s64(msg, ORDO_A_CLOCK_WALL, s->wall));
	if (HAS(ORDO_A_CLOCK_STEP))
		PUT(nla_put_s64(msg, ORDO_A_CLOCK_STEP, s->step));
	if (HAS(ORDO_A_CLOCK_SLEW))
		PUT(nla_put_s64(msg, ORDO_A_CLOCK_SLEW, s->slew));
	if (HAS(ORDO_A_CLOCK_SLEW_RATE))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_SLEW_RATE, s->slew_rate));
	if (HAS(ORDO_A_CLOCK_FREQ))
		PUT(nla_put_s64(msg, ORDO_A_CLOCK_FREQ, s->freq));
	if (HAS(ORDO_A_CLOCK_PLL_OFFSET))
		PUT(nla_put_s64(msg, ORDO_A_CLOCK_PLL_OFFSET, s->pll_offset));
	if (HAS(ORDO_A_CLOCK_PLL_TC))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_PLL_TC, s->pll_tc));
	if (HAS(ORDO_A_CLOCK_PLL_MODE))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_PLL_MODE, s->pll_mode));
	if (HAS(ORDO_A_CLOCK_STRATUM))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_STRATUM, s->stratum));
	if (HAS(ORDO_A_CLOCK_REFID))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_REFID, s->refid));
	if (HAS(ORDO_A_CLOCK_ROOT_DELAY))
		PUT(nla_put_u64(msg, ORDO_A_CLOCK_ROOT_DELAY, s->root_delay));
	if (HAS(ORDO_A_CLOCK_ROOT_DISP))
		PUT(nla_put_u64(msg, ORDO_A_CLOCK_ROOT_DISP, s->root_disp));
	if (HAS(ORDO_A_CLOCK_EST_ERROR))
		PUT(nla_put_u64(msg, ORDO_A_CLOCK_EST_ERROR, s->est_error));
	if (HAS(ORDO_A_CLOCK_DRIFT))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_DRIFT, s->drift));
	if (HAS(ORDO_A_CLOCK_SYNC))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_SYNC, s->sync));
	if (HAS(ORDO_A_CLOCK_LEAP))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_LEAP, s->leap));
	if (HAS(ORDO_A_CLOCK_LEAP_TIME))
		PUT(nla_put_s64(msg, ORDO_A_CLOCK_LEAP_TIME, s->leap_time));
	if (HAS(ORDO_A_CLOCK_LEAP_MODE))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_LEAP_MODE, s->leap_mode));
	if (HAS(ORDO_A_CLOCK_SMEAR_WINDOW))
		PUT(nla_put_u32(msg, ORDO_A_CLOCK_SMEAR_WINDOW, s->smear_window));
	if (HAS(ORDO_A_CLOCK_TAI_OFFSET))
		PUT(nla_put_s32(msg, ORDO_A_CLOCK_TAI_OFFSET, s->tai_offset));
	if (HAS(ORDO_A_CLOCK_RTC_WRITE))
		PUT(nla_put_flag(msg, ORDO_A_CLOCK_RTC_WRITE));
#undef HAS
#undef PUT
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return ordo_priv_transact(h, msg, NULL, NULL);
}

/* ---- events ---- */

struct ordo_clock_watch {
	struct nl_sock *sk;
	int family;
	struct ordo_clock_ntf *ev;	/* being filled */
	int result;			/* 1 event, ORDO_ERR_NOT_LOADED */
};

static int watch_valid(struct nl_msg *msg, void *arg)
{
	struct ordo_clock_watch *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct ordo_clock_ntf *ev = w->ev;
	struct nlattr *tb[ORDO_A_MAX + 1];
	int i;

	if (w->result)
		return NL_OK;
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		struct nlattr *ct[CTRL_ATTR_MAX + 1];

		if (gh->cmd != CTRL_CMD_DELFAMILY ||
		    genlmsg_parse(nlh, 0, ct, CTRL_ATTR_MAX, NULL) < 0 ||
		    !ct[CTRL_ATTR_FAMILY_NAME] ||
		    strcmp(nla_get_string(ct[CTRL_ATTR_FAMILY_NAME]),
			   ORDO_GENL_NAME))
			return NL_OK;
		w->result = ORDO_ERR_NOT_LOADED;
		return NL_OK;
	}
	if (nlh->nlmsg_type != w->family || gh->cmd != ORDO_CMD_CLOCK_NTF)
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, ORDO_A_MAX, NULL) < 0 ||
	    !tb[ORDO_A_CLOCK_EVENT])
		return NL_OK;
	memset(ev, 0, sizeof(*ev));
	for (i = 0; i <= ORDO_A_MAX && i < 64; i++)
		if (tb[i])
			ev->present |= ORDO_CLOCK_SET_BIT(i);
	ev->event = nla_get_u32(tb[ORDO_A_CLOCK_EVENT]);
	if (tb[ORDO_A_CLOCK_WALL])
		ev->wall = (int64_t)nla_get_u64(tb[ORDO_A_CLOCK_WALL]);
	if (tb[ORDO_A_CLOCK_STEP])
		ev->step = (int64_t)nla_get_u64(tb[ORDO_A_CLOCK_STEP]);
	if (tb[ORDO_A_CLOCK_LEAP])
		ev->leap = nla_get_u32(tb[ORDO_A_CLOCK_LEAP]);
	if (tb[ORDO_A_CLOCK_LEAP_TIME])
		ev->leap_time = (int64_t)nla_get_u64(tb[ORDO_A_CLOCK_LEAP_TIME]);
	if (tb[ORDO_A_CLOCK_LEAP_MODE])
		ev->leap_mode = nla_get_u32(tb[ORDO_A_CLOCK_LEAP_MODE]);
	if (tb[ORDO_A_CLOCK_TAI_OFFSET])
		ev->tai_offset = (int32_t)nla_get_u32(tb[ORDO_A_CLOCK_TAI_OFFSET]);
	if (tb[ORDO_A_CLOCK_SYNC])
		ev->sync = nla_get_u32(tb[ORDO_A_CLOCK_SYNC]);
	if (tb[ORDO_A_CLOCK_SOURCE])
		copy_name(ev->source, sizeof(ev->source), tb[ORDO_A_CLOCK_SOURCE]);
	w->result = 1;
	return NL_OK;
}

int ordo_clock_watch_open(struct ordo_clock_watch **wp)
{
	struct ordo_clock_watch *w = calloc(1, sizeof(*w));
	int grp, ctrl_grp, err;

	if (!w)
		return -ENOMEM;
	w->sk = nl_socket_alloc();
	if (!w->sk) {
		free(w);
		return -ENOMEM;
	}
	err = genl_connect(w->sk);
	if (err < 0) {
		err = -ECONNREFUSED;
		goto fail;
	}
	w->family = genl_ctrl_resolve(w->sk, ORDO_GENL_NAME);
	grp = genl_ctrl_resolve_grp(w->sk, ORDO_GENL_NAME, ORDO_MCGRP_CLOCK);
	if (w->family < 0 || grp < 0) {
		err = ORDO_ERR_NOT_LOADED;
		goto fail;
	}
	ctrl_grp = genl_ctrl_resolve_grp(w->sk, "nlctrl", "notify");
	nl_socket_disable_seq_check(w->sk);
	err = nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM,
				  watch_valid, w);
	if (!err)
		err = nl_socket_add_membership(w->sk, grp);
	if (!err && ctrl_grp >= 0)
		err = nl_socket_add_membership(w->sk, ctrl_grp);
	if (err < 0) {
		err = -EIO;
		goto fail;
	}
	*wp = w;
	return 0;
fail:
	nl_socket_free(w->sk);
	free(w);
	return err;
}

int ordo_clock_watch_fd(const struct ordo_clock_watch *w)
{
	return nl_socket_get_fd(w->sk);
}

int ordo_clock_watch_next(struct ordo_clock_watch *w,
			  struct ordo_clock_ntf *ev)
{
	int err;

	w->ev = ev;
	w->result = 0;
	while (!w->result) {
		err = nl_recvmsgs_default(w->sk);
		if (err < 0 && err != -NLE_AGAIN && err != -NLE_INTR)
			return -EIO;
		if (err == -NLE_INTR)
			return -EINTR;
	}
	return w->result == 1 ? 0 : w->result;
}

void ordo_clock_watch_close(struct ordo_clock_watch *w)
{
	if (!w)
		return;
	nl_socket_free(w->sk);
	free(w);
}
