// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the CMOS real-time clock: read, write, and its second edge.
 *
 * Reads and writes use the kernel's MC146818 library, which follows the
 * update-in-progress (UIP) protocol under rtc_lock, as the rtc-cmos driver
 * does; nothing here touches the alarm or interrupt registers.
 *
 * The second edge is found as hwclock finds it: poll until the seconds
 * register changes. Each poll takes rtc_lock (irqs off) only for two port
 * reads framed by two snapshots of the counters; between polls the task
 * sleeps 100-200 us, and while UIP is set (at most 244 us before the
 * update plus the update itself, about 2 ms) it polls every 2 us with
 * interrupts on. The edge is the middle of the bracket between the last
 * poll that saw the old second and the first one that saw the new one.
 * When sleeping made that bracket wide, the search waits for the next
 * edge and polls through it without sleeping (ordo_rtc_refine_edge()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/mc146818rtc.h>
#include <linux/mutex.h>
#include <linux/rtc.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <asm/x86_init.h>

#include "rtc.h"

/* mc146818_get_time() timeout, ms: an update cycle lasts about 2 ms. */
#define ORDO_RTC_READ_TIMEOUT_MS	10
/* A second edge comes within 1 s; allow for a slow VM. */
#define ORDO_RTC_EDGE_TIMEOUT_MS	1300
/* UIP stuck for longer than this: no working RTC. */
#define ORDO_RTC_UIP_MAX_US		10000
#define ORDO_RTC_FINE_POLL_US		2
#define ORDO_RTC_POLL_MIN_US		100
#define ORDO_RTC_POLL_MAX_US		200
/* Reading the time after the edge must finish well within the second. */
#define ORDO_RTC_READ_LATE_NS		(500 * NSEC_PER_MSEC)
#define ORDO_RTC_EDGE_TRIES		3
/* Refine a first edge known to worse than 20 us, if not beyond 20 ms. */
#define ORDO_RTC_GOOD_NS		(20 * NSEC_PER_USEC)
#define ORDO_RTC_REFINE_MAX_NS		(20 * NSEC_PER_MSEC)
/* Margin around the predicted next edge: RTC and CPU drift, wakeup. */
#define ORDO_RTC_REFINE_MARGIN_NS	(2 * NSEC_PER_MSEC)
/* 2069-12-31 23:59:59 UTC: a two-digit year without a century register. */
#define ORDO_RTC_MAX_SEC		3155759999LL

static bool ordo_rtc_ok;
static bool ordo_rtc_stopping;
/* Serialises the edge search with writes, which would fake an edge. */
static DEFINE_MUTEX(ordo_rtc_lock);

static struct ordo_rtc_edge ordo_rtc_edge0;
static int ordo_rtc_edge0_err;
static struct completion ordo_rtc_edge0_done;
static struct work_struct ordo_rtc_edge0_work;

bool ordo_rtc_available(void)
{
	return ordo_rtc_ok;
}

int ordo_rtc_read(time64_t *sec)
{
	struct rtc_time tm = {};
	int err;

	if (!ordo_rtc_ok)
		return -ENODEV;
	err = mc146818_get_time(&tm, ORDO_RTC_READ_TIMEOUT_MS);
	if (err)
		return err;
	if (rtc_valid_tm(&tm))
		return -EIO;
	*sec = rtc_tm_to_time64(&tm);
	return 0;
}

int ordo_rtc_write(time64_t sec)
{
	struct rtc_time tm;
	int err;

	if (!ordo_rtc_ok)
		return -ENODEV;
	if (sec < 0 || sec > ORDO_RTC_MAX_SEC)
		return -EINVAL;
	rtc_time64_to_tm(sec, &tm);
	if (mutex_lock_interruptible(&ordo_rtc_lock))
		return -EINTR;
	err = mc146818_set_time(&tm);
	mutex_unlock(&ordo_rtc_lock);
	return err;
}

struct ordo_rtc_snap {
	u64 counter[ORDO_COUNTER_NR];
	u64 realtime_ns;
	u64 mono_ns;
};

static void ordo_rtc_snap(struct ordo_rtc_snap *s)
{
	int i;

	for (i = 0; i < ORDO_COUNTER_NR; i++) {
		const struct ordo_counter *c = ordo_counter_get(i);

		s->counter[i] = c->available ? c->read() : 0;
	}
	s->realtime_ns = ktime_get_real_ns();
	s->mono_ns = ktime_get_ns();
}

/* One poll: the raw seconds register, and whether UIP was set before. */
static u8 ordo_rtc_poll(struct ordo_rtc_snap *before,
			struct ordo_rtc_snap *after, bool *uip)
{
	unsigned long flags;
	u8 sec;

	spin_lock_irqsave(&rtc_lock, flags);
	ordo_rtc_snap(before);
	/* UIP clear guarantees 244 us without an update: sec is valid. */
	*uip = CMOS_READ(RTC_FREQ_SELECT) & RTC_UIP;
	sec = CMOS_READ(RTC_SECONDS);
	ordo_rtc_snap(after);
	spin_unlock_irqrestore(&rtc_lock, flags);
	return sec;
}

static u64 ordo_rtc_mid(const struct ordo_counter *c, u64 lo, u64 hi)
{
	return (lo + ordo_counter_delta(c, hi, lo) / 2) & c->mask;
}

/* Bracket [lo, hi] around the edge: fill the counters of @e. */
static void ordo_rtc_edge_set(struct ordo_rtc_edge *e,
			      const struct ordo_rtc_snap *lo,
			      const struct ordo_rtc_snap *hi)
{
	int i;

	for (i = 0; i < ORDO_COUNTER_NR; i++) {
		const struct ordo_counter *c = ordo_counter_get(i);

		e->counter[i] = c->available ?
			ordo_rtc_mid(c, lo->counter[i], hi->counter[i]) : 0;
	}
	e->realtime_ns = lo->realtime_ns +
			 (hi->realtime_ns - lo->realtime_ns) / 2;
	e->mono_ns = lo->mono_ns + (hi->mono_ns - lo->mono_ns) / 2;
	e->uncertainty_ns = min_t(u64, (hi->mono_ns - lo->mono_ns) / 2,
				  U32_MAX);
}

static int ordo_rtc_check_stop(void)
{
	if (READ_ONCE(ordo_rtc_stopping))
		return -ECANCELED;
	if (signal_pending(current))
		return -EINTR;
	return 0;
}

/* Sleep until CLOCK_MONOTONIC reaches @until_ns, in slices, stoppable. */
static int ordo_rtc_sleep_until(u64 until_ns)
{
	u64 now;
	int err;

	while ((now = ktime_get_ns()) < until_ns) {
		err = ordo_rtc_check_stop();
		if (err)
			return err;
		if (until_ns - now > 40 * NSEC_PER_MSEC)
			msleep(20);
		else
			usleep_range(div_u64(until_ns - now, NSEC_PER_USEC),
				     div_u64(until_ns - now, NSEC_PER_USEC) + 20);
	}
	return 0;
}

/*
 * Poll up to the next change of the seconds register, until CLOCK_MONOTONIC
 * reaches @deadline_ns; sleep between polls unless @fine. Fills the
 * counters of @e; @hi is the snapshot just after the edge was seen.
 */
static int ordo_rtc_wait_edge(struct ordo_rtc_edge *e, u64 deadline_ns,
			      bool fine, struct ordo_rtc_snap *hi)
{
	struct ordo_rtc_snap lo = {}, before;
	u64 uip_since = 0;
	bool have_ref = false, uip;
	u8 ref = 0, sec;
	int err;

	for (;;) {
		sec = ordo_rtc_poll(&before, hi, &uip);
		if (!uip && have_ref && sec != ref) {
			ordo_rtc_edge_set(e, &lo, hi);
			return 0;
		}
		if (!uip && !have_ref) {
			ref = sec;
			have_ref = true;
		}
		/* The edge comes after this poll's reads: lower bound. */
		lo = before;

		err = ordo_rtc_check_stop();
		if (err)
			return err;
		if (hi->mono_ns > deadline_ns)
			return -ETIMEDOUT;
		if (uip && !uip_since)
			uip_since = hi->mono_ns;
		else if (!uip)
			uip_since = 0;
		if (uip_since &&
		    hi->mono_ns - uip_since > ORDO_RTC_UIP_MAX_US * NSEC_PER_USEC)
			return -EIO;
		if (uip || fine) {
			udelay(ORDO_RTC_FINE_POLL_US);
			cond_resched();
		} else {
			usleep_range(ORDO_RTC_POLL_MIN_US, ORDO_RTC_POLL_MAX_US);
		}
	}
}

/* The RTC time now, which must still be the second that began at @e. */
static int ordo_rtc_edge_time(struct ordo_rtc_edge *e,
			      const struct ordo_rtc_snap *hi)
{
	time64_t sec;
	int err = ordo_rtc_read(&sec);

	if (err)
		return err;
	/* Preempted past the next edge: sec could be one too many. */
	if (ktime_get_ns() - hi->mono_ns > ORDO_RTC_READ_LATE_NS)
		return -EAGAIN;
	e->rtc_sec = sec;
	return 0;
}

/*
 * A first pass sleeps between polls, so it may bracket the edge only to a
 * few milliseconds in a slow VM. If so, a second pass sleeps until just
 * before the next edge (one RTC second later) and polls without sleeping,
 * interrupts on, through a window of the first bracket plus margins.
 */
static int ordo_rtc_refine_edge(struct ordo_rtc_edge *e)
{
	struct ordo_rtc_edge fine = {};
	struct ordo_rtc_snap hi;
	u64 next = e->mono_ns + NSEC_PER_SEC;
	int err;

	err = ordo_rtc_sleep_until(next - e->uncertainty_ns -
				   ORDO_RTC_REFINE_MARGIN_NS);
	if (err)
		return err;
	err = ordo_rtc_wait_edge(&fine, next + e->uncertainty_ns +
				 ORDO_RTC_REFINE_MARGIN_NS, true, &hi);
	if (err)
		return err;
	err = ordo_rtc_edge_time(&fine, &hi);
	if (err)
		return err;
	if (fine.uncertainty_ns < e->uncertainty_ns)
		*e = fine;
	return 0;
}

int ordo_rtc_find_edge(struct ordo_rtc_edge *e)
{
	struct ordo_rtc_snap hi;
	u64 start_ns = ktime_get_ns();
	int tries, err = -EIO;

	if (!ordo_rtc_ok)
		return -ENODEV;
	if (mutex_lock_interruptible(&ordo_rtc_lock))
		return -EINTR;
	for (tries = 0; tries < ORDO_RTC_EDGE_TRIES; tries++) {
		err = ordo_rtc_wait_edge(e, ktime_get_ns() +
					 ORDO_RTC_EDGE_TIMEOUT_MS * NSEC_PER_MSEC,
					 false, &hi);
		if (!err)
			err = ordo_rtc_edge_time(e, &hi);
		if (err != -EAGAIN)
			break;
	}
	/* Refining is best effort: on failure the first edge stands. */
	if (!err && e->uncertainty_ns > ORDO_RTC_GOOD_NS &&
	    e->uncertainty_ns < ORDO_RTC_REFINE_MAX_NS &&
	    ordo_rtc_refine_edge(e) == -ECANCELED)
		err = -ECANCELED;
	mutex_unlock(&ordo_rtc_lock);
	e->search_ms = div_u64(ktime_get_ns() - start_ns, NSEC_PER_MSEC);
	return err;
}

static void ordo_rtc_edge0_fn(struct work_struct *work)
{
	struct ordo_rtc_edge e = {};
	int err;

	err = ordo_rtc_find_edge(&e);
	if (err == -ECANCELED) {
		pr_debug("rtc: edge search cancelled by unload\n");
	} else if (err) {
		pr_warn("rtc: no second edge at load: %d\n", err);
	} else {
		s64 off = (s64)e.realtime_ns - e.rtc_sec * NSEC_PER_SEC;

		pr_info("rtc: edge at %lld, +/-%u ns, after %u ms; CLOCK_REALTIME - RTC = %lld ns\n",
			e.rtc_sec, e.uncertainty_ns, e.search_ms, off);
	}
	ordo_rtc_edge0 = e;
	ordo_rtc_edge0_err = err;
	complete_all(&ordo_rtc_edge0_done);
}

int ordo_rtc_load_edge(struct ordo_rtc_edge *e)
{
	if (wait_for_completion_killable(&ordo_rtc_edge0_done))
		return -EINTR;
	if (!ordo_rtc_edge0_err)
		*e = ordo_rtc_edge0;
	return ordo_rtc_edge0_err;
}

int ordo_rtc_init(void)
{
	init_completion(&ordo_rtc_edge0_done);
	INIT_WORK(&ordo_rtc_edge0_work, ordo_rtc_edge0_fn);
	WRITE_ONCE(ordo_rtc_stopping, false);

	/* As add_rtc_cmos(): ACPI or the platform may say there is none. */
	ordo_rtc_ok = x86_platform.legacy.rtc && mc146818_does_rtc_work();
	if (!ordo_rtc_ok) {
		pr_info("rtc: no working CMOS RTC\n");
		ordo_rtc_edge0_err = -ENODEV;
		complete_all(&ordo_rtc_edge0_done);
		return 0;
	}
	queue_work(system_long_wq, &ordo_rtc_edge0_work);
	return 0;
}

void ordo_rtc_exit(void)
{
	WRITE_ONCE(ordo_rtc_stopping, true);
	if (cancel_work_sync(&ordo_rtc_edge0_work)) {
		/* Never ran: nobody may wait forever. */
		ordo_rtc_edge0_err = -ECANCELED;
		complete_all(&ordo_rtc_edge0_done);
	}
	ordo_rtc_ok = false;
}

/*
 * sysfs, /sys/kernel/ordo/clock/ (times: seconds since the epoch, UTC,
 * decimal; reads fail with ENODEV without a CMOS RTC):
 *   rtc                      the RTC now
 *   rtc_at_load              the RTC second that began at the edge found
 *                            at load (waits for the search, <= 2.5 s)
 *   rtc_edge_offset_ns       CLOCK_REALTIME at that edge minus rtc_at_load,
 *                            ns, signed: how far the system clock led
 *   rtc_edge_uncertainty_ns  half the width of the bracket around the edge
 *   rtc_write                write seconds (CAP_SYS_TIME) to set the RTC;
 *                            EINVAL outside 1970-2069 or for garbage
 */
static ssize_t rtc_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	time64_t sec;
	int err = ordo_rtc_read(&sec);

	return err ? err : sysfs_emit(buf, "%lld\n", sec);
}

static ssize_t rtc_at_load_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct ordo_rtc_edge e;
	int err = ordo_rtc_load_edge(&e);

	return err ? err : sysfs_emit(buf, "%lld\n", e.rtc_sec);
}

static ssize_t rtc_edge_offset_ns_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	struct ordo_rtc_edge e;
	int err = ordo_rtc_load_edge(&e);

	if (err)
		return err;
	return sysfs_emit(buf, "%lld\n",
			  (s64)e.realtime_ns - e.rtc_sec * NSEC_PER_SEC);
}

static ssize_t rtc_edge_uncertainty_ns_show(struct kobject *kobj,
					    struct kobj_attribute *attr,
					    char *buf)
{
	struct ordo_rtc_edge e;
	int err = ordo_rtc_load_edge(&e);

	return err ? err : sysfs_emit(buf, "%u\n", e.uncertainty_ns);
}

static ssize_t rtc_write_store(struct kobject *kobj,
			       struct kobj_attribute *attr, const char *buf,
			       size_t count)
{
	s64 sec;
	int err;

	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	if (kstrtos64(buf, 10, &sec))
		return -EINVAL;
	err = ordo_rtc_write(sec);
	return err ? err : count;
}

static struct kobj_attribute rtc_attr = __ATTR_RO(rtc);
static struct kobj_attribute rtc_at_load_attr = __ATTR_RO(rtc_at_load);
static struct kobj_attribute rtc_edge_offset_ns_attr =
	__ATTR_RO(rtc_edge_offset_ns);
static struct kobj_attribute rtc_edge_uncertainty_ns_attr =
	__ATTR_RO(rtc_edge_uncertainty_ns);
static struct kobj_attribute rtc_write_attr = __ATTR_WO(rtc_write);

static struct attribute *ordo_rtc_attrs[] = {
	&rtc_attr.attr,
	&rtc_at_load_attr.attr,
	&rtc_edge_offset_ns_attr.attr,
	&rtc_edge_uncertainty_ns_attr.attr,
	&rtc_write_attr.attr,
	NULL,
};

const struct attribute_group ordo_rtc_attr_group = {
	.attrs = ordo_rtc_attrs,
};
