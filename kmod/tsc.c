// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the x86 time stamp counter, and its calibration against the HPET.
 *
 * The TSC is read with rdtsc_ordered() (ordered against earlier loads),
 * wraps at 2^64 and ticks at tsc_khz * 1000 Hz as far as the kernel knows.
 * It is per CPU: when the kernel marked it unstable ("TSCs
 * unsynchronized"), values read on two CPUs need not be comparable.
 *
 * Calibration takes a (TSC, HPET, TSC) triple, sleeps, takes another one
 * and divides. Each triple is the tightest of a few attempts, read with
 * interrupts off (a few microseconds), and both are taken on one CPU.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/capability.h>
#include <linux/irqflags.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <linux/time64.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "counter.h"

/* Attempts per triple, and per calibration to stay on one CPU. */
#define ORDO_TSC_SAMPLE_TRIES	8
#define ORDO_TSC_CPU_TRIES	5

static u64 ordo_tsc_read(void)
{
	return rdtsc_ordered();
}

struct ordo_counter ordo_tsc_counter = {
	.name = "tsc",
	.id = ORDO_COUNTER_TSC,
	.read = ordo_tsc_read,
	.mask = U64_MAX,
};

static DEFINE_MUTEX(ordo_tsc_calib_lock);
static struct ordo_tsc_calib ordo_tsc_calib;	/* under the mutex */

bool ordo_tsc_invariant(void)
{
	return boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
	       boot_cpu_has(X86_FEATURE_NONSTOP_TSC);
}

bool ordo_tsc_reliable(void)
{
	return boot_cpu_has(X86_FEATURE_TSC_RELIABLE);
}

bool ordo_tsc_unstable(void)
{
	return check_tsc_unstable();
}

void ordo_tsc_init(void)
{
	struct ordo_counter *c = &ordo_tsc_counter;

	c->hz = (u64)tsc_khz * 1000;
	c->available = boot_cpu_has(X86_FEATURE_TSC) && c->hz;
	c->max_idle_ns = ordo_counter_half_wrap_ns(c->mask, c->hz);
	ordo_tsc_calib.kernel_hz = c->hz;
}

struct ordo_tsc_sample {
	u64 tsc;	/* midpoint of the two TSC reads */
	u64 hpet;
	u64 width;	/* TSC ticks between the two TSC reads */
	int cpu;
};

/* Tightest of a few TSC-HPET-TSC triples; irqs off only per triple. */
static void ordo_tsc_sample(const struct ordo_counter *hpet,
			    struct ordo_tsc_sample *s)
{
	unsigned long flags;
	int i;

	s->width = U64_MAX;
	for (i = 0; i < ORDO_TSC_SAMPLE_TRIES; i++) {
		u64 t0, t1, h;
		int cpu;

		local_irq_save(flags);
		cpu = smp_processor_id();
		t0 = rdtsc_ordered();
		h = hpet->read();
		t1 = rdtsc_ordered();
		local_irq_restore(flags);

		if (t1 < t0)
			continue;
		/* A CPU change restarts the search for the tightest triple. */
		if (s->width != U64_MAX && cpu != s->cpu)
			s->width = U64_MAX;
		if (t1 - t0 < s->width) {
			s->width = t1 - t0;
			s->tsc = t0 + (t1 - t0) / 2;
			s->hpet = h;
			s->cpu = cpu;
		}
	}
}

int ordo_tsc_calibrate(unsigned int window_ms)
{
	const struct ordo_counter *tsc = &ordo_tsc_counter;
	const struct ordo_counter *hpet = &ordo_hpet_counter;
	struct ordo_tsc_sample a, b;
	u64 ticks, fs, hz;
	s64 diff, ppb;
	int tries;

	if (window_ms < 10 || window_ms > 1000)
		return -EINVAL;
	if (!tsc->available || !hpet->available || !hpet->period_fs)
		return -ENODEV;

	for (tries = 0; tries < ORDO_TSC_CPU_TRIES; tries++) {
		ordo_tsc_sample(hpet, &a);
		msleep(window_ms);
		ordo_tsc_sample(hpet, &b);
		if (a.width != U64_MAX && b.width != U64_MAX &&
		    a.cpu == b.cpu && b.tsc > a.tsc)
			break;
	}
	if (tries == ORDO_TSC_CPU_TRIES)
		return -EAGAIN;

	ticks = ordo_counter_delta(hpet, b.hpet, a.hpet);
	if (!ticks || ticks > U64_MAX / hpet->period_fs)
		return -ERANGE;
	fs = ticks * hpet->period_fs;
	/* Refuse above 100 GHz: also keeps the quotient in range. */
	if (b.tsc - a.tsc >= fs / 10000)
		return -ERANGE;
	hz = mul_u64_u64_div_u64(b.tsc - a.tsc, FSEC_PER_SEC, fs);
	diff = (s64)hz - (s64)tsc->hz;
	if (diff > S64_MAX / NSEC_PER_SEC || diff < -S64_MAX / NSEC_PER_SEC)
		return -ERANGE;
	ppb = div64_s64(diff * NSEC_PER_SEC, (s64)tsc->hz);

	mutex_lock(&ordo_tsc_calib_lock);
	ordo_tsc_calib.measured_hz = hz;
	ordo_tsc_calib.ppb = ppb;
	ordo_tsc_calib.window_ns = div_u64(fs, FSEC_PER_SEC / NSEC_PER_SEC);
	ordo_tsc_calib.read_ns = div64_u64(max(a.width, b.width) * NSEC_PER_SEC,
					   tsc->hz);
	mutex_unlock(&ordo_tsc_calib_lock);
	return 0;
}

void ordo_tsc_calib_get(struct ordo_tsc_calib *out)
{
	mutex_lock(&ordo_tsc_calib_lock);
	*out = ordo_tsc_calib;
	mutex_unlock(&ordo_tsc_calib_lock);
}

/*
 * sysfs, /sys/kernel/ordo/clock/:
 *   tsc_invariant      0/1: CPUID says constant and nonstop (invariant) TSC
 *   tsc_reliable       0/1: X86_FEATURE_TSC_RELIABLE
 *   tsc_unstable       0/1: the kernel marked the TSC unstable
 *   tsc_khz_kernel     the kernel's tsc_khz
 *   tsc_hz_measured    TSC Hz measured against the HPET (0: not measured)
 *   tsc_ppm_vs_kernel  (measured - kernel) / kernel in ppm, signed, rounded
 *   calibrate          write "1" (CAP_SYS_TIME) to measure again (100 ms)
 */
static ssize_t tsc_invariant_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", ordo_tsc_invariant());
}

static ssize_t tsc_reliable_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", ordo_tsc_reliable());
}

static ssize_t tsc_unstable_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", ordo_tsc_unstable());
}

static ssize_t tsc_khz_kernel_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", tsc_khz);
}

static ssize_t tsc_hz_measured_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct ordo_tsc_calib c;

	ordo_tsc_calib_get(&c);
	return sysfs_emit(buf, "%llu\n", c.measured_hz);
}

static ssize_t tsc_ppm_vs_kernel_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	struct ordo_tsc_calib c;
	s64 ppm;

	ordo_tsc_calib_get(&c);
	if (!c.measured_hz)
		return -ENODATA;
	ppm = div_s64(c.ppb + (c.ppb < 0 ? -500 : 500), 1000);
	return sysfs_emit(buf, "%lld\n", ppm);
}

static ssize_t calibrate_store(struct kobject *kobj,
			       struct kobj_attribute *attr, const char *buf,
			       size_t count)
{
	unsigned int go;
	int err;

	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	if (kstrtouint(buf, 10, &go) || go != 1)
		return -EINVAL;
	err = ordo_tsc_calibrate(100);
	return err ? err : count;
}

static struct kobj_attribute tsc_invariant_attr = __ATTR_RO(tsc_invariant);
static struct kobj_attribute tsc_reliable_attr = __ATTR_RO(tsc_reliable);
static struct kobj_attribute tsc_unstable_attr = __ATTR_RO(tsc_unstable);
static struct kobj_attribute tsc_khz_kernel_attr = __ATTR_RO(tsc_khz_kernel);
static struct kobj_attribute tsc_hz_measured_attr = __ATTR_RO(tsc_hz_measured);
static struct kobj_attribute tsc_ppm_vs_kernel_attr =
	__ATTR_RO(tsc_ppm_vs_kernel);
static struct kobj_attribute calibrate_attr = __ATTR_WO(calibrate);

static struct attribute *ordo_tsc_attrs[] = {
	&tsc_invariant_attr.attr,
	&tsc_reliable_attr.attr,
	&tsc_unstable_attr.attr,
	&tsc_khz_kernel_attr.attr,
	&tsc_hz_measured_attr.attr,
	&tsc_ppm_vs_kernel_attr.attr,
	&calibrate_attr.attr,
	NULL,
};

const struct attribute_group ordo_tsc_attr_group = {
	.attrs = ordo_tsc_attrs,
};
