/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordo - the module's own clock (clock.c): kernel-internal API.
 *
 * One struct ordo_clock (kmod/lib/ordo_clock.h) disciplined from the
 * selected hardware counter (counter.h). Writers serialise on a mutex and
 * publish the snapshot under a seqcount; readers are lock-free and may
 * run in any context but NMI.
 *
 * Users: sysfs (clock_sysfs.c), netlink (clock_netlink.c), the PTP clock
 * (ptp.c) and the mmap page (clock_mmap.c).
 */
#ifndef _ORDO_CLOCK_CORE_H
#define _ORDO_CLOCK_CORE_H

#include <linux/sysfs.h>
#include <linux/types.h>

#include "ordo_clock.h"
#include "ordo_pll.h"

struct ptp_system_timestamp;

/*
 * Module init/exit (main.c). Init after ordo_counter_init() and
 * ordo_rtc_init(): sets the wall clock from the RTC second edge and
 * starts the 1 Hz update work. Exit stops the work before returning.
 */
int ordo_clk_init(void);
void ordo_clk_exit(void);

/* ---- readers: lock-free, any context except NMI ---- */

/* All clocks at one counter value; @cyc (optional) gets that value. */
void ordo_clk_now(struct ordo_clock_time *t, u64 *cyc);
/*
 * As ordo_clk_now(), with the system time taken just before and after the
 * counter read (for PTP gettimex64; @sts may be NULL).
 */
void ordo_clk_now_sts(struct ordo_clock_time *t,
		      struct ptp_system_timestamp *sts);
/* A consistent copy of the snapshot and the counter value read with it. */
void ordo_clk_snapshot(struct ordo_clock_snap *snap, u64 *cyc);
s64 ordo_clk_utc_now(void);
/* TrueTime interval now; -EAGAIN if the clock is unsynchronised. */
int ordo_clk_tt(struct ordo_tt *tt);
/* The counter in use (never NULL between init and exit). */
const struct ordo_counter *ordo_clk_counter(void);
/*
 * The page holding struct ordo_clock_page (UAPI), allocated by
 * ordo_clk_init() and rewritten, under its own sequence count, inside
 * every write section; freed by ordo_clk_exit() (the mmap code takes a
 * page reference per mapping, so a mapping outlives the module safely).
 */
struct page *ordo_clk_page(void);

/* ---- writers: process context, may sleep; callers check permission ---- */

int ordo_clk_step_to(s64 utc_ns);
int ordo_clk_step_by(s64 delta_ns);
int ordo_clk_slew(s64 offset_ns);
int ordo_clk_set_slew_rate(u32 ppb);
/* frequency in ppb << 16; PTP's scaled_ppm converts with * 1000 */
int ordo_clk_set_freq(s64 sppb);
int ordo_clk_pll_sample(s64 offset_ns);
int ordo_clk_pll_config(u32 time_constant, u32 mode);
int ordo_clk_leap_arm(s64 leap_sec, int dir, u32 mode, u32 window_sec,
		      s32 tai_off);
void ordo_clk_leap_disarm(void);
int ordo_clk_set_sync(const struct ordo_clock_sync *sync, u32 refid);
void ordo_clk_set_unsync(void);
int ordo_clk_set_drift_bound(u32 ppb);
int ordo_clk_set_source(const char *name);
int ordo_clk_rtc_writeback(void);

/* ---- additions (clock_netlink.c, clock_sysfs.c) ---- */

/* Details of the last STEP and LEAP_APPLIED events, for ordo_clk_notify(). */
struct ordo_clk_event_info {
	s64 step_ns;		/* STEP: offset applied to UTC */
	s64 step_wall;		/* STEP: UTC just after the step */
	s32 leap_dir;		/* LEAP_APPLIED: 1 inserted, -1 deleted */
};

void ordo_clk_event_info(struct ordo_clk_event_info *ei);
u32 ordo_clk_refid_get(void);
void ordo_clk_pll_get(u32 *time_constant, u32 *mode);
s64 ordo_clk_slew_pending(void);	/* ns, at the current counter value */
u32 ordo_clk_slew_rate(void);		/* ppb */
s64 ordo_clk_freq(void);		/* sppb */
int ordo_clk_set_tai_offset(s32 tai_off);
extern const struct attribute_group ordo_clk_attr_group; /* clock_sysfs.c */

/*
 * Event hook: called by the clock core, outside its locks, in process
 * context, for each enum ordo_clock_event. Implemented by the netlink
 * code (multicast on ORDO_MCGRP_CLOCK).
 */
void ordo_clk_notify(u32 event);

#endif /* _ORDO_CLOCK_CORE_H */
