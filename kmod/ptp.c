// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the clock as a PTP hardware clock, /dev/ptpN (name "ordo").
 *
 * Timescale: the PHC carries UTC, the same time as ordo's wall clock and
 * CLOCK_REALTIME (linuxptp's phc2sys/phc_ctl then need no UTC-TAI offset
 * to compare it with the system clock). During an inserted leap second
 * it repeats 23:59:59 as CLOCK_REALTIME does, or smears, per the clock's
 * leap mode. TAI is in ORDO_CMD_CLOCK_GET and the mmap page.
 *
 * Permissions: the posix clock layer refuses clock_settime() and
 * clock_adjtime() with modes on a descriptor opened without FMODE_WRITE
 * (EACCES); on a writable descriptor the write methods here also require
 * CAP_SYS_TIME of the caller (EPERM), so a descriptor handed to an
 * unprivileged process cannot set the clock. Reads need only an open
 * descriptor. The methods run in the caller's context (the posix clock
 * syscalls call them directly), so capable() checks the caller.
 *
 * /sys/kernel/ordo/clock/ptp_index: N of /dev/ptpN, or -1 when the PTP
 * clock is not registered.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/sysfs.h>
#include <linux/time64.h>

#include "clock.h"
#include "counter.h"
#include "ptp.h"

static struct ptp_clock *ordo_ptp;

static int ordo_ptp_gettimex64(struct ptp_clock_info *info,
			       struct timespec64 *ts,
			       struct ptp_system_timestamp *sts)
{
	struct ordo_clock_time t;

	ordo_clk_now_sts(&t, sts);
	*ts = ns_to_timespec64(t.utc);
	return 0;
}

static int ordo_ptp_gettime64(struct ptp_clock_info *info,
			      struct timespec64 *ts)
{
	return ordo_ptp_gettimex64(info, ts, NULL);
}

static int ordo_ptp_settime64(struct ptp_clock_info *info,
			      const struct timespec64 *ts)
{
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	return ordo_clk_step_to(timespec64_to_ns(ts));
}

static int ordo_ptp_adjtime(struct ptp_clock_info *info, s64 delta)
{
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	return ordo_clk_step_by(delta);
}

/* scaled_ppm is ppm << 16, so ppb << 16 (sppb) is scaled_ppm * 1000. */
static int ordo_ptp_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	return ordo_clk_set_freq((s64)scaled_ppm * 1000);
}

static struct ptp_clock_info ordo_ptp_info = {
	.owner		= THIS_MODULE,
	.name		= "ordo",
	.max_adj	= 500000,	/* ppb: ORDO_CLOCK_FREQ_MAX_PPB */
	.adjfine	= ordo_ptp_adjfine,
	.adjtime	= ordo_ptp_adjtime,
	.gettime64	= ordo_ptp_gettime64,
	.gettimex64	= ordo_ptp_gettimex64,
	.settime64	= ordo_ptp_settime64,
};

static ssize_t ptp_index_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", ordo_ptp ? ptp_clock_index(ordo_ptp) : -1);
}

static struct kobj_attribute ptp_index_attr = __ATTR_RO(ptp_index);

bool ordo_ptp_registered(void)
{
	return ordo_ptp;
}

int ordo_ptp_init(void)
{
	struct ptp_clock *ptp;
	int err;

	ptp = ptp_clock_register(&ordo_ptp_info, NULL);
	if (IS_ERR_OR_NULL(ptp))
		pr_warn("no PTP clock: ptp_clock_register: %d\n",
			ptp ? (int)PTR_ERR(ptp) : -EOPNOTSUPP);
	else
		ordo_ptp = ptp;

	err = sysfs_create_file(ordo_clock_sysfs_kobj(), &ptp_index_attr.attr);
	if (err) {
		ordo_ptp_exit();
		return err;
	}
	return 0;
}

void ordo_ptp_exit(void)
{
	/* Harmless if the file was never created. */
	sysfs_remove_file(ordo_clock_sysfs_kobj(), &ptp_index_attr.attr);
	if (ordo_ptp)
		ptp_clock_unregister(ordo_ptp);
	ordo_ptp = NULL;
}
