// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - counter registry, the selected source and /sys/kernel/ordo/clock/.
 *
 * The selected source is a pointer to one of the static descriptors. It
 * is written under ordo_counter_lock and read with READ_ONCE(): the
 * descriptors are never freed or changed while the module is loaded, so a
 * reader that raced with a switch just uses the previous counter.
 *
 * The default is the TSC when it is invariant (CONSTANT_TSC and
 * NONSTOP_TSC) and the kernel has not marked it unstable (a TSC that is
 * not synchronised across CPUs cannot back a clock read on any CPU), else
 * the HPET, else the TSC. The module parameter counter_disable ("hpet",
 * "tsc" or both, comma separated) hides counters, for tests and for
 * machines whose HPET misbehaves.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "clock.h"
#include "counter.h"
#include "rtc.h"
#include "sysfs.h"

static char *counter_disable = "";
module_param(counter_disable, charp, 0444);
MODULE_PARM_DESC(counter_disable,
		 "Counters not to use, comma separated: tsc, hpet");

static struct ordo_counter *const ordo_counters[ORDO_COUNTER_NR] = {
	[ORDO_COUNTER_TSC] = &ordo_tsc_counter,
	[ORDO_COUNTER_HPET] = &ordo_hpet_counter,
};

static DEFINE_MUTEX(ordo_counter_lock);
static const struct ordo_counter *ordo_counter_cur;
static BLOCKING_NOTIFIER_HEAD(ordo_counter_chain);

u64 ordo_counter_half_wrap_ns(u64 mask, u64 hz)
{
	u64 half = (mask >> 1) + 1;
	u64 sec, rem;

	if (!hz)
		return 0;
	sec = div64_u64_rem(half, hz, &rem);
	if (sec >= U64_MAX / NSEC_PER_SEC)
		return U64_MAX;
	return sec * NSEC_PER_SEC + mul_u64_u64_div_u64(rem, NSEC_PER_SEC, hz);
}

const struct ordo_counter *ordo_counter_get(enum ordo_counter_id id)
{
	if ((unsigned int)id >= ORDO_COUNTER_NR)
		return NULL;
	return ordo_counters[id];
}

/* @name may end in a newline, as sysfs writes do. */
const struct ordo_counter *ordo_counter_find(const char *name)
{
	int i;

	for (i = 0; i < ORDO_COUNTER_NR; i++)
		if (sysfs_streq(name, ordo_counters[i]->name))
			return ordo_counters[i];
	return NULL;
}

const struct ordo_counter *ordo_counter_current(void)
{
	return READ_ONCE(ordo_counter_cur);
}

int ordo_counter_select(const struct ordo_counter *c)
{
	const struct ordo_counter *old;

	if (!c || !c->available)
		return -ENODEV;
	mutex_lock(&ordo_counter_lock);
	old = ordo_counter_cur;
	WRITE_ONCE(ordo_counter_cur, c);
	if (old != c) {
		pr_info("counter source %s -> %s\n", old->name, c->name);
		blocking_notifier_call_chain(&ordo_counter_chain,
					     ORDO_COUNTER_CHANGED, (void *)c);
	}
	mutex_unlock(&ordo_counter_lock);
	return 0;
}

int ordo_counter_register_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&ordo_counter_chain, nb);
}

int ordo_counter_unregister_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&ordo_counter_chain, nb);
}

static bool ordo_counter_disabled(const char *name)
{
	char list[32], *p = list, *tok;

	strscpy(list, counter_disable, sizeof(list));
	while ((tok = strsep(&p, ", ")))
		if (sysfs_streq(tok, name))
			return true;
	return false;
}

int ordo_counter_init(void)
{
	const struct ordo_counter *def;
	struct ordo_tsc_calib cal;
	int err;

	ordo_tsc_init();
	if (ordo_counter_disabled("tsc"))
		ordo_tsc_counter.available = false;
	if (!ordo_counter_disabled("hpet")) {
		err = ordo_hpet_init();
		if (err)
			return err;
	}

	if (ordo_tsc_counter.available && ordo_tsc_invariant() &&
	    !ordo_tsc_unstable())
		def = &ordo_tsc_counter;
	else if (ordo_hpet_counter.available)
		def = &ordo_hpet_counter;
	else if (ordo_tsc_counter.available)
		def = &ordo_tsc_counter;
	else
		def = NULL;
	if (!def) {
		pr_err("no usable counter (TSC or HPET)\n");
		ordo_hpet_exit();
		return -ENODEV;
	}
	WRITE_ONCE(ordo_counter_cur, def);

	pr_info("counters: tsc %s %llu Hz (invariant %d, unstable %d), hpet %s %llu Hz %s-bit; using %s\n",
		ordo_tsc_counter.available ? "yes" : "no", ordo_tsc_counter.hz,
		ordo_tsc_invariant(), ordo_tsc_unstable(),
		ordo_hpet_counter.available ? "yes" : "no",
		ordo_hpet_counter.hz, ordo_hpet_64bit() ? "64" : "32",
		def->name);

	/* 50 ms: a quick first estimate; writes to calibrate use 100 ms. */
	err = ordo_tsc_calibrate(50);
	if (!err) {
		ordo_tsc_calib_get(&cal);
		pr_info("tsc: %llu Hz measured against hpet, kernel %llu Hz, %lld ppb\n",
			cal.measured_hz, cal.kernel_hz, cal.ppb);
	} else if (err != -ENODEV) {
		pr_warn("tsc: calibration against hpet failed: %d\n", err);
	}
	return 0;
}

void ordo_counter_exit(void)
{
	WRITE_ONCE(ordo_counter_cur, NULL);
	ordo_hpet_exit();
}

/*
 * sysfs, /sys/kernel/ordo/clock/:
 *   source             the selected counter, "tsc" or "hpet"; writing a
 *                      name switches (CAP_SYS_TIME, else EPERM; EINVAL for
 *                      an unknown name, ENODEV for an unavailable counter)
 *   sources_available  the usable counters, space separated
 *   counter            the selected counter's raw value, decimal
 *   counter_hz         its nominal frequency in Hz
 *   counter_mask       its wrap mask, hex: deltas are (b - a) & mask
 */
static ssize_t source_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", ordo_counter_current()->name);
}

static ssize_t source_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	const struct ordo_counter *c;
	int err;

	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	c = ordo_counter_find(buf);
	if (!c)
		return -EINVAL;
	err = ordo_counter_select(c);
	return err ? err : count;
}

static ssize_t sources_available_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	int i, len = 0;

	for (i = 0; i < ORDO_COUNTER_NR; i++)
		if (ordo_counters[i]->available)
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     ordo_counters[i]->name);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n", ordo_counter_current()->read());
}

static ssize_t counter_hz_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", ordo_counter_current()->hz);
}

static ssize_t counter_mask_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#llx\n", ordo_counter_current()->mask);
}

static struct kobj_attribute source_attr = __ATTR_RW(source);
static struct kobj_attribute sources_available_attr =
	__ATTR_RO(sources_available);
static struct kobj_attribute counter_attr = __ATTR_RO(counter);
static struct kobj_attribute counter_hz_attr = __ATTR_RO(counter_hz);
static struct kobj_attribute counter_mask_attr = __ATTR_RO(counter_mask);

static struct attribute *ordo_counter_attrs[] = {
	&source_attr.attr,
	&sources_available_attr.attr,
	&counter_attr.attr,
	&counter_hz_attr.attr,
	&counter_mask_attr.attr,
	NULL,
};

static const struct attribute_group ordo_counter_attr_group = {
	.attrs = ordo_counter_attrs,
};

static const struct attribute_group *ordo_clock_groups[] = {
	&ordo_counter_attr_group,
	&ordo_tsc_attr_group,
	&ordo_hpet_attr_group,
	&ordo_rtc_attr_group,
	&ordo_clk_attr_group,	/* clock_sysfs.c */
	NULL,
};

static struct kobject *ordo_clock_kobj;

int ordo_clock_sysfs_init(void)
{
	int err;

	ordo_clock_kobj = kobject_create_and_add("clock", ordo_sysfs_kobj());
	if (!ordo_clock_kobj)
		return -ENOMEM;
	err = sysfs_create_groups(ordo_clock_kobj, ordo_clock_groups);
	if (err) {
		kobject_put(ordo_clock_kobj);
		ordo_clock_kobj = NULL;
	}
	return err;
}

/* /sys/kernel/ordo/clock/, for files added elsewhere (ptp.c). */
struct kobject *ordo_clock_sysfs_kobj(void)
{
	return ordo_clock_kobj;
}

/* After this no file of the directory runs (kernfs drains them). */
void ordo_clock_sysfs_exit(void)
{
	sysfs_remove_groups(ordo_clock_kobj, ordo_clock_groups);
	kobject_put(ordo_clock_kobj);
	ordo_clock_kobj = NULL;
}
