// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - module init and exit.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/ordo.h>

#include "counter.h"
#include "main.h"
#include "netlink.h"
#include "rtc.h"
#include "sysfs.h"

#ifndef ORDO_BUILD_ID
#define ORDO_BUILD_ID "unknown"
#endif

const char ordo_build_id[] = ORDO_BUILD_ID;

/* Only the features this module really implements. */
u64 ordo_caps(void)
{
	return BIT_ULL(ORDO_CAP_GENL) | BIT_ULL(ORDO_CAP_STATS) |
	       BIT_ULL(ORDO_CAP_TRACE);
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
	err = ordo_clock_sysfs_init();
	if (err)
		goto err_rtc;

	/* Last: once the family is visible, requests may arrive. */
	err = ordo_genl_init();
	if (err)
		goto err_clock_sysfs;

	pr_info("version %s (build %s) loaded\n", ORDO_VERSION, ordo_build_id);
	return 0;

err_clock_sysfs:
	ordo_clock_sysfs_exit();
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
	/* clock/ files read the counters and the RTC: remove them first. */
	ordo_clock_sysfs_exit();
	ordo_rtc_exit();
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
