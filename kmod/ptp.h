/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordo - the PTP hardware clock (ptp.c) and the mmap()able clock page
 * (clock_mmap.c), both views of the clock core (clock.h).
 */
#ifndef _ORDO_PTP_H
#define _ORDO_PTP_H

#include <linux/types.h>

/*
 * Module init/exit (main.c), after ordo_clk_init() and the clock sysfs
 * directory. ordo_ptp_init() returns 0 also when the kernel has no PTP
 * support or the registration failed: the module works without /dev/ptpN
 * and ordo_ptp_registered() tells (ORDO_CAP_PTP).
 */
int ordo_ptp_init(void);
void ordo_ptp_exit(void);
bool ordo_ptp_registered(void);

/*
 * /dev/ordo_clock. ordo_clock_mmap_init() takes a reference on the clock
 * page; ordo_clock_mmap_exit() removes the device (existing mappings
 * stay); ordo_clock_mmap_release() must run after ordo_clk_exit(): it
 * marks the page dead for the mappings that remain (version 0, no flags)
 * and drops the reference.
 */
int ordo_clock_mmap_init(void);
void ordo_clock_mmap_exit(void);
void ordo_clock_mmap_release(void);

#endif /* _ORDO_PTP_H */
