// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the clock over generic netlink: ORDO_CMD_CLOCK_GET, CLOCK_SET and
 * the CLOCK_NTF events on the multicast group ORDO_MCGRP_CLOCK.
 *
 * CLOCK_SET applies each attribute present as one operation, in this
 * fixed order, and stops at the first that fails (the ones before it stay
 * applied; extack points at the failing attribute):
 *
 *   1. SOURCE                   switch the counter
 *   2. FREQ                     frequency correction (sppb)
 *   3. SLEW_RATE                slew rate (ppb)
 *   4. PLL_TC, PLL_MODE         PLL configuration (either or both)
 *   5. WALL | STEP | SLEW       step to, step by, or slew: at most one
 *   6. PLL_OFFSET               a PLL sample
 *   7. STRATUM (+ REFID, ROOT_DELAY, ROOT_DISP, EST_ERROR)
 *                               synchronisation status; STRATUM required
 *                               with any of the others, missing ones are 0
 *   8. SYNC (= UNSYNC)          declare the clock unsynchronised
 *   9. DRIFT                    drift bound of the error (ppb)
 *  10. LEAP (+ LEAP_TIME, LEAP_MODE, SMEAR_WINDOW, TAI_OFFSET)
 *                               LEAP NONE disarms; INSERT/DELETE arm and
 *                               need LEAP_TIME; mode defaults to STEP,
 *                               window to 0 (86400 s), TAI_OFFSET to the
 *                               current one. LEAP_TIME, LEAP_MODE and
 *                               SMEAR_WINDOW need LEAP.
 *      TAI_OFFSET alone         set TAI - UTC
 *  11. RTC_WRITE                write the clock's UTC to the RTC
 *
 * A request without any of these fails with -EINVAL ("nothing to do").
 */

#include <linux/capability.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/ordo.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "clock.h"
#include "counter.h"
#include "netlink.h"
#include "rtc.h"
#include "stats.h"
#include "trace.h"

static struct netlink_range_validation_signed ordo_freq_range = {
	.min = -(ORDO_CLOCK_FREQ_MAX_PPB << ORDO_CLOCK_FREQ_SHIFT),
	.max = ORDO_CLOCK_FREQ_MAX_PPB << ORDO_CLOCK_FREQ_SHIFT,
};

static struct netlink_range_validation ordo_slew_rate_range = {
	.min = 1,
	.max = ORDO_CLOCK_SLEW_RATE_MAX,
};

static struct netlink_range_validation ordo_drift_range = {
	.min = 0,
	.max = ORDO_CLOCK_DRIFT_MAX_PPB,
};

static struct netlink_range_validation_signed ordo_slew_range = {
	.min = -ORDO_CLOCK_SLEW_MAX_NS,
	.max = ORDO_CLOCK_SLEW_MAX_NS,
};

static struct netlink_range_validation_signed ordo_tai_range = {
	.min = 0,
	.max = ORDO_CLOCK_TAI_MAX,
};

static struct netlink_range_validation ordo_window_range = {
	.min = 0,
	.max = ORDO_LEAP_SMEAR_MAX_SEC,
};

const struct nla_policy ordo_clock_set_policy[ORDO_A_CLOCK_RTC_WRITE + 1] = {
	[ORDO_A_CLOCK_SOURCE]	= { .type = NLA_NUL_STRING, .len = 15 },
	[ORDO_A_CLOCK_WALL]	= { .type = NLA_S64 },
	[ORDO_A_CLOCK_STEP]	= { .type = NLA_S64 },
	[ORDO_A_CLOCK_SLEW]	= NLA_POLICY_FULL_RANGE_SIGNED(NLA_S64,
							       &ordo_slew_range),
	[ORDO_A_CLOCK_SLEW_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &ordo_slew_rate_range),
	[ORDO_A_CLOCK_FREQ]	= NLA_POLICY_FULL_RANGE_SIGNED(NLA_S64,
							       &ordo_freq_range),
	[ORDO_A_CLOCK_PLL_OFFSET] = { .type = NLA_S64 },
	[ORDO_A_CLOCK_PLL_TC]	= NLA_POLICY_MAX(NLA_U32, ORDO_PLL_MAXTC),
	[ORDO_A_CLOCK_PLL_MODE]	= NLA_POLICY_MAX(NLA_U32, ORDO_PLL_MODE_FLL),
	[ORDO_A_CLOCK_STRATUM]	= NLA_POLICY_MAX(NLA_U32,
						 ORDO_CLOCK_STRATUM_UNSYNC),
	[ORDO_A_CLOCK_REFID]	= { .type = NLA_U32 },
	[ORDO_A_CLOCK_ROOT_DELAY] = { .type = NLA_U64 },
	[ORDO_A_CLOCK_ROOT_DISP] = { .type = NLA_U64 },
	[ORDO_A_CLOCK_EST_ERROR] = { .type = NLA_U64 },
	[ORDO_A_CLOCK_DRIFT]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&ordo_drift_range),
	[ORDO_A_CLOCK_SYNC]	= NLA_POLICY_MAX(NLA_U32, ORDO_CLOCK_UNSYNC),
	[ORDO_A_CLOCK_LEAP]	= NLA_POLICY_MAX(NLA_U32,
						 ORDO_CLOCK_LEAP_DELETE),
	[ORDO_A_CLOCK_LEAP_TIME] = { .type = NLA_S64 },
	[ORDO_A_CLOCK_LEAP_MODE] = NLA_POLICY_MAX(NLA_U32,
						  ORDO_CLOCK_LEAP_MODE_IGNORE),
	[ORDO_A_CLOCK_SMEAR_WINDOW] = NLA_POLICY_FULL_RANGE(NLA_U32,
							    &ordo_window_range),
	[ORDO_A_CLOCK_TAI_OFFSET] = NLA_POLICY_FULL_RANGE_SIGNED(NLA_S32,
								 &ordo_tai_range),
	[ORDO_A_CLOCK_RTC_WRITE] = { .type = NLA_FLAG },
};

/* ------------------------------------------------------------------ */
/* Accounting */

static void ordo_clk_account(u8 cmd, int err)
{
	enum ordo_stat_id req, errs;

	if (cmd == ORDO_CMD_CLOCK_GET) {
		req = ORDO_STAT_CLOCK_GET_REQUESTS;
		errs = ORDO_STAT_CLOCK_GET_ERRORS;
	} else {
		req = ORDO_STAT_CLOCK_SET_REQUESTS;
		errs = ORDO_STAT_CLOCK_SET_ERRORS;
	}
	ordo_stat_inc(req);
	if (err)
		ordo_stat_inc(errs);
	trace_ordo_genl_op(cmd, false, err);
}

/* ------------------------------------------------------------------ */
/* CLOCK_GET */

static int ordo_put_s64(struct sk_buff *msg, int type, s64 v)
{
	return nla_put_s64(msg, type, v, ORDO_A_PAD);
}

static int ordo_put_u64(struct sk_buff *msg, int type, u64 v)
{
	return nla_put_u64_64bit(msg, type, v, ORDO_A_PAD);
}

static int ordo_clock_get_fill(struct sk_buff *msg)
{
	const struct ordo_counter *c = ordo_clk_counter();
	const struct ordo_clock_status *st;
	struct ordo_clock_snap snap;
	struct ordo_clock_time t;
	struct ordo_tt tt;
	u32 tc, mode, leap;
	bool synced;
	time64_t rtc;
	u64 cyc;

	ordo_clk_snapshot(&snap, &cyc);
	ordo_clock_read(&snap, cyc, &t);
	ordo_tt_now(&snap, cyc, &tt);
	synced = ordo_clock_synced(&snap, cyc);
	ordo_clk_pll_get(&tc, &mode);
	st = &snap.status;
	leap = snap.leap.dir > 0 ? ORDO_CLOCK_LEAP_INSERT :
	       snap.leap.dir < 0 ? ORDO_CLOCK_LEAP_DELETE : ORDO_CLOCK_LEAP_NONE;

	if (nla_put_string(msg, ORDO_A_CLOCK_SOURCE, c->name) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_COUNTER, cyc) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_COUNTER_HZ, c->hz) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_MONO, t.mono) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_MONO_RAW, t.mono_raw) ||
	    ordo_put_s64(msg, ORDO_A_CLOCK_WALL, t.utc) ||
	    ordo_put_s64(msg, ORDO_A_CLOCK_TAI, t.tai) ||
	    ordo_put_s64(msg, ORDO_A_CLOCK_SLEW, ordo_clk_slew_pending()) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_SLEW_RATE, ordo_clk_slew_rate()) ||
	    ordo_put_s64(msg, ORDO_A_CLOCK_FREQ, ordo_clk_freq()) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_PLL_TC, tc) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_PLL_MODE, mode) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_STRATUM, st->stratum) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_REFID, ordo_clk_refid_get()) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_ROOT_DELAY, st->root_delay) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_ROOT_DISP, st->root_disp) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_EST_ERROR, st->est_error) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_MAX_ERROR, tt.maxerror) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_DRIFT, st->drift_ppb) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_SYNC,
			synced ? ORDO_CLOCK_SYNCED : ORDO_CLOCK_UNSYNC) ||
	    ordo_put_u64(msg, ORDO_A_CLOCK_LAST_UPDATE, st->last_update) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_LEAP, leap) ||
	    ordo_put_s64(msg, ORDO_A_CLOCK_LEAP_TIME, snap.leap.leap_sec) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_LEAP_MODE, snap.leap.mode) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_SMEAR_WINDOW, snap.leap.window_sec) ||
	    nla_put_s32(msg, ORDO_A_CLOCK_TAI_OFFSET, t.tai_off) ||
	    nla_put_u32(msg, ORDO_A_CLOCK_LEAP_FLAGS, t.leap_flags &
			(ORDO_CLOCK_LEAP_F_ARMED | ORDO_CLOCK_LEAP_F_IN_LEAP |
			 ORDO_CLOCK_LEAP_F_SMEARING)))
		return -EMSGSIZE;
	if (synced &&
	    (ordo_put_s64(msg, ORDO_A_CLOCK_TT_EARLIEST, tt.earliest) ||
	     ordo_put_s64(msg, ORDO_A_CLOCK_TT_LATEST, tt.latest)))
		return -EMSGSIZE;
	if (!ordo_rtc_read(&rtc) && ordo_put_s64(msg, ORDO_A_CLOCK_RTC, rtc))
		return -EMSGSIZE;
	return 0;
}

static int __ordo_clock_get_doit(struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		GENL_SET_ERR_MSG(info, "out of memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &ordo_genl_family, 0,
				ORDO_CMD_CLOCK_GET);
	if (!hdr || ordo_clock_get_fill(msg)) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int ordo_clock_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = __ordo_clock_get_doit(info);

	ordo_clk_account(ORDO_CMD_CLOCK_GET, err);
	return err;
}

/* ------------------------------------------------------------------ */
/* CLOCK_SET */

static u64 ordo_get_u64_or0(const struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int ordo_set_err(struct genl_info *info, struct nlattr *a, int err,
			const char *msg)
{
	/* @msg is a literal: extack keeps the pointer */
	if (err && info->extack) {
		info->extack->_msg = msg;
		NL_SET_BAD_ATTR(info->extack, a);
	}
	return err;
}

static int ordo_clock_set_leap(struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct ordo_clock_snap snap;
	u32 leap, mode, window;
	int dir, err;
	s32 tai;

	if (!tb[ORDO_A_CLOCK_LEAP]) {
		struct nlattr *a = tb[ORDO_A_CLOCK_LEAP_TIME] ?:
				   tb[ORDO_A_CLOCK_LEAP_MODE] ?:
				   tb[ORDO_A_CLOCK_SMEAR_WINDOW];

		if (a) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "leap parameter without ORDO_A_CLOCK_LEAP");
			return -EINVAL;
		}
		if (!tb[ORDO_A_CLOCK_TAI_OFFSET])
			return 0;
		err = ordo_clk_set_tai_offset(nla_get_s32(tb[ORDO_A_CLOCK_TAI_OFFSET]));
		return ordo_set_err(info, tb[ORDO_A_CLOCK_TAI_OFFSET], err,
				    "invalid TAI offset");
	}

	leap = nla_get_u32(tb[ORDO_A_CLOCK_LEAP]);
	if (leap == ORDO_CLOCK_LEAP_NONE) {
		if (tb[ORDO_A_CLOCK_LEAP_TIME] || tb[ORDO_A_CLOCK_LEAP_MODE] ||
		    tb[ORDO_A_CLOCK_SMEAR_WINDOW]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[ORDO_A_CLOCK_LEAP],
					    "leap parameters given to disarm");
			return -EINVAL;
		}
		ordo_clk_leap_disarm();
		if (!tb[ORDO_A_CLOCK_TAI_OFFSET])
			return 0;
		err = ordo_clk_set_tai_offset(nla_get_s32(tb[ORDO_A_CLOCK_TAI_OFFSET]));
		return ordo_set_err(info, tb[ORDO_A_CLOCK_TAI_OFFSET], err,
				    "invalid TAI offset");
	}
	if (!tb[ORDO_A_CLOCK_LEAP_TIME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ORDO_A_CLOCK_LEAP],
				    "leap second needs ORDO_A_CLOCK_LEAP_TIME");
		return -EINVAL;
	}
	dir = leap == ORDO_CLOCK_LEAP_INSERT ? ORDO_LEAP_INSERT :
					       ORDO_LEAP_DELETE;
	mode = tb[ORDO_A_CLOCK_LEAP_MODE] ?
	       nla_get_u32(tb[ORDO_A_CLOCK_LEAP_MODE]) : ORDO_LEAP_STEP;
	window = tb[ORDO_A_CLOCK_SMEAR_WINDOW] ?
		 nla_get_u32(tb[ORDO_A_CLOCK_SMEAR_WINDOW]) : 0;
	if (tb[ORDO_A_CLOCK_TAI_OFFSET]) {
		tai = nla_get_s32(tb[ORDO_A_CLOCK_TAI_OFFSET]);
	} else {
		ordo_clk_snapshot(&snap, NULL);
		tai = snap.tai_off;
	}
	if (window && mode == ORDO_LEAP_SMEAR &&
	    window < ORDO_LEAP_SMEAR_MIN_SEC) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ORDO_A_CLOCK_SMEAR_WINDOW],
				    "smear window too short");
		return -EINVAL;
	}
	err = ordo_clk_leap_arm(nla_get_s64(tb[ORDO_A_CLOCK_LEAP_TIME]), dir,
				mode, window, tai);
	if (err == -ERANGE)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ORDO_A_CLOCK_TAI_OFFSET] ?:
				    tb[ORDO_A_CLOCK_LEAP], "TAI offset out of range");
	else if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ORDO_A_CLOCK_LEAP_TIME],
				    "leap time must be a future midnight (UTC) not yet started");
	return err;
}

static int __ordo_clock_set_doit(struct genl_info *info)
{
	static const int sync_attrs[] = {
		ORDO_A_CLOCK_REFID, ORDO_A_CLOCK_ROOT_DELAY,
		ORDO_A_CLOCK_ROOT_DISP, ORDO_A_CLOCK_EST_ERROR,
	};
	struct nlattr **tb = info->attrs;
	struct nlattr *a, *time_op = NULL;
	bool any = false;
	int i, n, err;

	if (!capable(CAP_SYS_TIME)) {
		GENL_SET_ERR_MSG(info, "CAP_SYS_TIME required");
		return -EPERM;
	}

	/* Validate the combination before changing anything. */
	for (i = 0; i < ORDO_A_CLOCK_RTC_WRITE + 1; i++)
		if (tb[i])
			any = true;
	if (!any) {
		GENL_SET_ERR_MSG(info, "nothing to do");
		return -EINVAL;
	}
	n = 0;
	if (tb[ORDO_A_CLOCK_WALL]) {
		time_op = tb[ORDO_A_CLOCK_WALL];
		n++;
	}
	if (tb[ORDO_A_CLOCK_STEP]) {
		time_op = tb[ORDO_A_CLOCK_STEP];
		n++;
	}
	if (tb[ORDO_A_CLOCK_SLEW]) {
		time_op = tb[ORDO_A_CLOCK_SLEW];
		n++;
	}
	if (n > 1) {
		NL_SET_ERR_MSG_ATTR(info->extack, time_op,
				    "at most one of WALL, STEP and SLEW");
		return -EINVAL;
	}
	if (!tb[ORDO_A_CLOCK_STRATUM]) {
		for (i = 0; i < ARRAY_SIZE(sync_attrs); i++) {
			if (tb[sync_attrs[i]]) {
				NL_SET_ERR_MSG_ATTR(info->extack,
						    tb[sync_attrs[i]],
						    "sync status needs ORDO_A_CLOCK_STRATUM");
				return -EINVAL;
			}
		}
	}

	/* 1. source */
	a = tb[ORDO_A_CLOCK_SOURCE];
	if (a) {
		err = ordo_clk_set_source(nla_data(a));
		if (ordo_set_err(info, a, err, err == -ENODEV ?
				 "counter not available" : "unknown counter"))
			return err;
	}
	/* 2. frequency */
	a = tb[ORDO_A_CLOCK_FREQ];
	if (a) {
		err = ordo_clk_set_freq(nla_get_s64(a));
		if (ordo_set_err(info, a, err, "frequency out of range"))
			return err;
	}
	/* 3. slew rate */
	a = tb[ORDO_A_CLOCK_SLEW_RATE];
	if (a) {
		err = ordo_clk_set_slew_rate(nla_get_u32(a));
		if (ordo_set_err(info, a, err, "slew rate out of range"))
			return err;
	}
	/* 4. PLL configuration */
	if (tb[ORDO_A_CLOCK_PLL_TC] || tb[ORDO_A_CLOCK_PLL_MODE]) {
		u32 tc, mode;

		ordo_clk_pll_get(&tc, &mode);
		if (tb[ORDO_A_CLOCK_PLL_TC])
			tc = nla_get_u32(tb[ORDO_A_CLOCK_PLL_TC]);
		if (tb[ORDO_A_CLOCK_PLL_MODE])
			mode = nla_get_u32(tb[ORDO_A_CLOCK_PLL_MODE]);
		err = ordo_clk_pll_config(tc, mode);
		if (ordo_set_err(info, tb[ORDO_A_CLOCK_PLL_TC] ?:
				 tb[ORDO_A_CLOCK_PLL_MODE], err,
				 "invalid PLL configuration"))
			return err;
	}
	/* 5. step to, step by, or slew */
	if (tb[ORDO_A_CLOCK_WALL])
		err = ordo_clk_step_to(nla_get_s64(tb[ORDO_A_CLOCK_WALL]));
	else if (tb[ORDO_A_CLOCK_STEP])
		err = ordo_clk_step_by(nla_get_s64(tb[ORDO_A_CLOCK_STEP]));
	else if (tb[ORDO_A_CLOCK_SLEW])
		err = ordo_clk_slew(nla_get_s64(tb[ORDO_A_CLOCK_SLEW]));
	else
		err = 0;
	if (ordo_set_err(info, time_op, err, err == -ERANGE ?
			 "offset out of range" : "invalid time"))
		return err;
	/* 6. PLL sample */
	a = tb[ORDO_A_CLOCK_PLL_OFFSET];
	if (a) {
		err = ordo_clk_pll_sample(nla_get_s64(a));
		if (ordo_set_err(info, a, err, "PLL sample rejected"))
			return err;
	}
	/* 7. synchronisation status */
	a = tb[ORDO_A_CLOCK_STRATUM];
	if (a) {
		struct ordo_clock_sync s = {
			.stratum = nla_get_u32(a),
			.root_delay = ordo_get_u64_or0(tb[ORDO_A_CLOCK_ROOT_DELAY]),
			.root_disp = ordo_get_u64_or0(tb[ORDO_A_CLOCK_ROOT_DISP]),
			.est_error = ordo_get_u64_or0(tb[ORDO_A_CLOCK_EST_ERROR]),
		};
		u32 refid = tb[ORDO_A_CLOCK_REFID] ?
			    nla_get_u32(tb[ORDO_A_CLOCK_REFID]) : 0;

		err = ordo_clk_set_sync(&s, refid);
		if (ordo_set_err(info, a, err, "invalid stratum"))
			return err;
	}
	/* 8. unsynchronised */
	if (tb[ORDO_A_CLOCK_SYNC])
		ordo_clk_set_unsync();
	/* 9. drift bound */
	a = tb[ORDO_A_CLOCK_DRIFT];
	if (a) {
		err = ordo_clk_set_drift_bound(nla_get_u32(a));
		if (ordo_set_err(info, a, err, "drift bound out of range"))
			return err;
	}
	/* 10. leap second, TAI offset */
	err = ordo_clock_set_leap(info);
	if (err)
		return err;
	/* 11. RTC */
	a = tb[ORDO_A_CLOCK_RTC_WRITE];
	if (a) {
		err = ordo_clk_rtc_writeback();
		if (ordo_set_err(info, a, err, err == -ENODEV ?
				 "no RTC" : "RTC write failed"))
			return err;
	}
	return 0;
}

int ordo_clock_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = __ordo_clock_set_doit(info);

	ordo_clk_account(ORDO_CMD_CLOCK_SET, err);
	return err;
}

/* ------------------------------------------------------------------ */
/* CLOCK_NTF */

static DEFINE_MUTEX(ordo_clk_ntf_lock);
static bool ordo_clk_ntf_on;

void ordo_clk_ntf_enable(bool on)
{
	mutex_lock(&ordo_clk_ntf_lock);
	ordo_clk_ntf_on = on;
	mutex_unlock(&ordo_clk_ntf_lock);
}

static int ordo_clk_ntf_fill(struct sk_buff *msg, u32 event)
{
	struct ordo_clk_event_info ei;
	struct ordo_clock_snap snap;
	struct ordo_clock_time t;
	u64 cyc;
	int dir;

	if (nla_put_u32(msg, ORDO_A_CLOCK_EVENT, event))
		return -EMSGSIZE;
	ordo_clk_snapshot(&snap, &cyc);
	ordo_clock_read(&snap, cyc, &t);
	switch (event) {
	case ORDO_CLOCK_EV_STEP:
		ordo_clk_event_info(&ei);
		if (ordo_put_s64(msg, ORDO_A_CLOCK_WALL, ei.step_wall) ||
		    ordo_put_s64(msg, ORDO_A_CLOCK_STEP, ei.step_ns))
			return -EMSGSIZE;
		break;
	case ORDO_CLOCK_EV_LEAP_ARMED:
		dir = snap.leap.dir;
		if (nla_put_u32(msg, ORDO_A_CLOCK_LEAP,
				dir > 0 ? ORDO_CLOCK_LEAP_INSERT :
				dir < 0 ? ORDO_CLOCK_LEAP_DELETE :
				ORDO_CLOCK_LEAP_NONE) ||
		    ordo_put_s64(msg, ORDO_A_CLOCK_LEAP_TIME, snap.leap.leap_sec) ||
		    nla_put_u32(msg, ORDO_A_CLOCK_LEAP_MODE, snap.leap.mode))
			return -EMSGSIZE;
		break;
	case ORDO_CLOCK_EV_LEAP_APPLIED:
		ordo_clk_event_info(&ei);
		if (nla_put_u32(msg, ORDO_A_CLOCK_LEAP,
				ei.leap_dir > 0 ? ORDO_CLOCK_LEAP_INSERT :
						  ORDO_CLOCK_LEAP_DELETE) ||
		    nla_put_s32(msg, ORDO_A_CLOCK_TAI_OFFSET, t.tai_off))
			return -EMSGSIZE;
		break;
	case ORDO_CLOCK_EV_SYNC_STATE:
		if (nla_put_u32(msg, ORDO_A_CLOCK_SYNC,
				ordo_clock_synced(&snap, cyc) ?
				ORDO_CLOCK_SYNCED : ORDO_CLOCK_UNSYNC))
			return -EMSGSIZE;
		break;
	case ORDO_CLOCK_EV_SOURCE:
		if (nla_put_string(msg, ORDO_A_CLOCK_SOURCE,
				   ordo_clk_counter()->name))
			return -EMSGSIZE;
		break;
	default:
		break;
	}
	return 0;
}

void ordo_clk_notify(u32 event)
{
	struct sk_buff *msg;
	void *hdr;

	mutex_lock(&ordo_clk_ntf_lock);
	if (!ordo_clk_ntf_on)
		goto out;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &ordo_genl_family, 0, ORDO_CMD_CLOCK_NTF);
	if (!hdr || ordo_clk_ntf_fill(msg, event)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	/* -ESRCH: nobody listens */
	rcu_read_lock();
	genlmsg_multicast_allns(&ordo_genl_family, msg, 0,
				ORDO_GENL_MCGRP_CLOCK);
	rcu_read_unlock();
	ordo_stat_inc(ORDO_STAT_CLOCK_NTF_MESSAGES);
out:
	mutex_unlock(&ordo_clk_ntf_lock);
}
