/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordo - the CMOS (MC146818) real-time clock.
 *
 * The RTC is assumed to keep UTC (as QEMU's does, and as Linux does
 * unless /etc/adjtime says LOCAL); times are seconds since the epoch.
 */
#ifndef _ORDO_RTC_H
#define _ORDO_RTC_H

#include <linux/sysfs.h>
#include <linux/types.h>

#include "counter.h"

/*
 * One RTC second edge: the moment the RTC's seconds advanced (the end of
 * its update cycle, when UIP falls), as raw values of the counters.
 */
struct ordo_rtc_edge {
	time64_t rtc_sec;		/* RTC time that began at the edge */
	u64 counter[ORDO_COUNTER_NR];	/* each counter at the edge, or 0 */
	u64 realtime_ns;		/* CLOCK_REALTIME at the edge */
	u64 mono_ns;			/* CLOCK_MONOTONIC at the edge */
	u32 uncertainty_ns;		/* half the bracket around the edge */
	u32 search_ms;			/* how long the search took */
};

/*
 * Module init/exit (main.c), after ordo_counter_init() and before
 * ordo_counter_exit(): init starts the search for a second edge in the
 * background; exit stops it and waits.
 */
int ordo_rtc_init(void);
void ordo_rtc_exit(void);

/* Whether there is a working CMOS RTC (decided by ordo_rtc_init()). */
bool ordo_rtc_available(void);

/*
 * Read the RTC: any context but NMI (takes rtc_lock with irqs off for a
 * few port reads; may spin up to 10 ms if an update is in progress).
 * Returns 0, -ENODEV, -ETIMEDOUT or -EIO (invalid date in the RTC).
 */
int ordo_rtc_read(time64_t *sec);

/*
 * Set the RTC to @sec (1970-01-01 to 2069-12-31, UTC). Process context.
 * The chip keeps its sub-second phase (or, on parts that reset the
 * divider, starts the next second 500 ms later): callers wanting the RTC
 * to tick with their clock write at the right fraction of a second.
 * Returns 0, -ENODEV, -EINVAL (out of range) or -EINTR.
 */
int ordo_rtc_write(time64_t sec);

/*
 * Wait for the next RTC second edge, sleeping between polls, and fill @e;
 * if that bracketed the edge to worse than 20 us, wait for one more edge
 * and poll through it with interrupts on (up to about 2.3 s in all).
 * Process context. Returns 0, -ENODEV, -ETIMEDOUT, -EIO, -EINTR (signal)
 * or -ECANCELED (module unloading).
 */
int ordo_rtc_find_edge(struct ordo_rtc_edge *e);

/*
 * The edge found at module load; waits for the search if it is still
 * running (killable). Process context. Returns 0 or the search's error.
 */
int ordo_rtc_load_edge(struct ordo_rtc_edge *e);

extern const struct attribute_group ordo_rtc_attr_group;

#endif /* _ORDO_RTC_H */
