/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordo - hardware counters (TSC, HPET) behind one descriptor type.
 *
 * A counter is a free-running register read by ->read(). Its value wraps
 * at ->mask, so elapsed ticks are always (now - last) & mask, and a user
 * that keeps a "last" value must read the counter at least once every
 * ->max_idle_ns nanoseconds (half the wrap time) or it loses wraps.
 *
 * Descriptors are static and filled in by ordo_counter_init(); after that
 * they never change until ordo_counter_exit(), so readers need no lock.
 * ->read() may be called from any context (also hard irq and NMI) between
 * ordo_counter_init() and ordo_counter_exit(); the HPET mapping goes away
 * in ordo_counter_exit(), so every user must have stopped reading by then.
 */
#ifndef _ORDO_COUNTER_H
#define _ORDO_COUNTER_H

#include <linux/notifier.h>
#include <linux/sysfs.h>
#include <linux/types.h>

enum ordo_counter_id {
	ORDO_COUNTER_TSC,
	ORDO_COUNTER_HPET,
	ORDO_COUNTER_NR,
};

struct ordo_counter {
	const char *name;	/* "tsc", "hpet": the names sysfs uses */
	enum ordo_counter_id id;
	u64 (*read)(void);	/* raw value, in [0, mask] */
	u64 mask;		/* U64_MAX or U32_MAX (32-bit HPET) */
	u64 hz;			/* nominal frequency, rounded to 1 Hz */
	u64 period_fs;		/* exact tick length if the hardware says, else 0 */
	u64 max_idle_ns;	/* read at least this often (half the wrap time) */
	bool available;		/* false: ->read must not be called */
};

/* Elapsed ticks from @last to @now of counter @c, wraps included. */
static inline u64 ordo_counter_delta(const struct ordo_counter *c, u64 now,
				     u64 last)
{
	return (now - last) & c->mask;
}

/* Half the wrap time of a @mask counter at @hz, U64_MAX if huge, 0 if !hz. */
u64 ordo_counter_half_wrap_ns(u64 mask, u64 hz);

/*
 * Lookup and selection (counter.c). Lookups return NULL for an unknown
 * name or id; the descriptor may still be unavailable.
 */
const struct ordo_counter *ordo_counter_get(enum ordo_counter_id id);
const struct ordo_counter *ordo_counter_find(const char *name);

/*
 * The selected source: never NULL after ordo_counter_init() succeeded.
 * Lock free (READ_ONCE of a pointer to a static descriptor); a reader that
 * computes a delta must read the pointer once and keep using that
 * descriptor, and must rebase when the pointer it sees changes (or use
 * the notifier).
 */
const struct ordo_counter *ordo_counter_current(void);

/*
 * Switch the selected source. Process context, may sleep. Returns 0,
 * -ENODEV for an unavailable counter. The notifier chain is called
 * afterwards with ORDO_COUNTER_CHANGED and the new descriptor as data,
 * serialised with other switches; callbacks may sleep and must not call
 * ordo_counter_select().
 */
#define ORDO_COUNTER_CHANGED	1
int ordo_counter_select(const struct ordo_counter *c);
int ordo_counter_register_notifier(struct notifier_block *nb);
int ordo_counter_unregister_notifier(struct notifier_block *nb);

/* Module init/exit (main.c): probe the counters, then the sysfs files. */
int ordo_counter_init(void);
void ordo_counter_exit(void);
int ordo_clock_sysfs_init(void);
void ordo_clock_sysfs_exit(void);
/* The /sys/kernel/ordo/clock kobject, between init and exit (else NULL). */
struct kobject *ordo_clock_sysfs_kobj(void);

/*
 * TSC (tsc.c). The descriptor is available when the CPU has a TSC and
 * the kernel knows its frequency (tsc_khz); hz is tsc_khz * 1000.
 */
extern struct ordo_counter ordo_tsc_counter;
void ordo_tsc_init(void);
bool ordo_tsc_invariant(void);	/* CONSTANT_TSC && NONSTOP_TSC */
bool ordo_tsc_reliable(void);	/* TSC_RELIABLE: no watchdog needed */
bool ordo_tsc_unstable(void);	/* the kernel marked the TSC unstable */

/*
 * Cross-calibration of the TSC against the HPET over @window_ms (10 ms to
 * 1 s). Process context only: sleeps. Returns 0 or -ENODEV (no HPET or
 * TSC), -EAGAIN (could not keep both samples on one CPU), -EINVAL.
 */
struct ordo_tsc_calib {
	u64 measured_hz;	/* 0 until a calibration succeeded */
	u64 kernel_hz;		/* tsc_khz * 1000 */
	s64 ppb;		/* (measured - kernel) / kernel, parts per 1e9 */
	u64 window_ns;		/* length of the measurement, by the HPET */
	u64 read_ns;		/* widest of the two TSC-HPET-TSC read windows */
};

int ordo_tsc_calibrate(unsigned int window_ms);
void ordo_tsc_calib_get(struct ordo_tsc_calib *out);

/* HPET (hpet.c). */
extern struct ordo_counter ordo_hpet_counter;
int ordo_hpet_init(void);	/* 0 even if there is no HPET */
void ordo_hpet_exit(void);
bool ordo_hpet_64bit(void);

/* Attribute groups of /sys/kernel/ordo/clock/, one per file here. */
extern const struct attribute_group ordo_tsc_attr_group;
extern const struct attribute_group ordo_hpet_attr_group;

#endif /* _ORDO_COUNTER_H */
