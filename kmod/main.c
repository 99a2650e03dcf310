// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - module init and exit.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/ordo.h>

#include "clock.h"
#include "counter.h"
#include "lclock.h"
#include "main.h"
#include "netlink.h"
#include "ptp.h"
#include "rtc.h"
#include "sysfs.h"

#ifndef ORDO_BUILD_ID
#define ORDO_BUILD_ID "unknown"
#endif

const char ordo_build_id[] = ORDO_BUILD_ID;

/* Only the features this module really implements. */
u64 ordo_caps(void)
{
	u64 caps = BIT_ULL(ORDO_CAP_GENL) | BIT_ULL(ORDO_CAP_STATS) |
		   BIT_ULL(ORDO_CAP_TRACE) | BIT_ULL(ORDO_CAP_CLOCK) |
		   BIT_ULL(ORDO_CAP_CLOCK_MMAP) | BIT_ULL(ORDO_CAP_LCLOCK);

	if (ordo_ptp_registered())
		caps |= BIT_ULL(ORDO_CAP_PTP);
	return caps;
}

static int __init ordo_init(void)
{
	int err;

	err = ordo_sysfs_init();
	if (err)
		return err;

	/* Counters first: the RTC edge search and clock/ files read them. */
	err = ordo_counter_init();
	if (err)
		goto err_sysfs;
	err = ordo_rtc_init();
	if (err)
		goto err_counter;
	/* The clock runs on the counters and starts from the RTC. */
	err = ordo_clk_init();
	if (err)
		goto err_rtc;
	err = ordo_clock_sysfs_init();
	if (err)
		goto err_clk;
	/* Views of the clock (after ordo_clk_init()): the page, /dev/ptpN. */
	err = ordo_clock_mmap_init();
	if (err)
		goto err_clock_sysfs;
	err = ordo_ptp_init();
	if (err)
		goto err_clock_mmap;
	/* Logical clock domains, then the socket opt-in device. */
	err = ordo_lclock_init();
	if (err)
		goto err_ptp;
	err = ordo_stamp_init();
	if (err)
		goto err_lclock;

	/* Last: once the family is visible, requests may arrive. */
	err = ordo_genl_init();
	if (err)
		goto err_stamp;

	pr_info("version %s (build %s) loaded\n", ORDO_VERSION, ordo_build_id);
	return 0;

err_stamp:
	ordo_stamp_exit();
err_lclock:
	ordo_lclock_exit();
err_ptp:
	ordo_ptp_exit();
err_clock_mmap:
	ordo_clock_mmap_exit();
err_clock_sysfs:
	ordo_clock_sysfs_exit();
err_clk:
	/* The RTC first: it ends the edge search the clock may wait for. */
	ordo_rtc_exit();
	ordo_clk_exit();
	ordo_clock_mmap_release();	/* no-op unless mmap_init ran */
	goto err_counter;
err_rtc:
	ordo_rtc_exit();
err_counter:
	ordo_counter_exit();
err_sysfs:
	ordo_sysfs_exit();
	return err;
}

static void __exit ordo_exit(void)
{
	ordo_genl_exit();
	/* No socket is attached: each one holds a module reference. */
	ordo_stamp_exit();
	ordo_lclock_exit();
	ordo_ptp_exit();
	ordo_clock_mmap_exit();
	/* clock/ files read the counters and the RTC: remove them first. */
	ordo_clock_sysfs_exit();
	/* The RTC first: it ends the edge search the clock may wait for. */
	ordo_rtc_exit();
	ordo_clk_exit();
	/* After ordo_clk_exit(): the clock no longer writes the page. */
	ordo_clock_mmap_release();
	ordo_counter_exit();
	ordo_sysfs_exit();
	pr_info("unloaded\n");
}

module_init(ordo_init);
module_exit(ordo_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(ORDO_VERSION);
MODULE_DESCRIPTION("Ordo: ordering and time services");
MODULE_AUTHOR("Ordo developers");
