// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the clock's files in /sys/kernel/ordo/clock/ (next to the
 * counter and RTC files of counter.c, which creates the directory and
 * lists ordo_clk_attr_group among its groups). Times and offsets are ns,
 * decimal, signed where they may be negative:
 *
 *   wall, mono, mono_raw, tai   the clocks now (wall: UTC)
 *   freq_ppb          rw  frequency correction, ppb (+-500000)
 *   slew_pending_ns       offset still to absorb by slewing
 *   slew_rate_ppb     rw  slew rate, 1..100000000 ppb
 *   step_ns           wo  step by this offset
 *   slew_ns           wo  slew by this offset (adds to a pending slew)
 *   stratum, refid, root_delay_ns, root_disp_ns, est_error_ns
 *                         the synchronisation status (refid: hex)
 *   max_error_ns          the error bound now
 *   drift_ppb         rw  the drift bound of the error, ppb
 *   sync_state            "synced" or "unsync"
 *   last_update_ns        mono time of the last synchronisation
 *   leap                  "none", "insert" or "delete"
 *   leap_time             UTC second of the midnight of the armed leap, 0
 *   leap_mode         rw  "step", "smear" or "none" (of the armed leap;
 *                         writing re-arms it in that mode)
 *   smear_window_s    rw  smear window of the armed leap (0 = 86400)
 *   tai_offset            TAI - UTC, s, in effect now
 *   tt                    "earliest latest" (ns), ENODATA if unsynchronised
 *
 * Writes need CAP_SYS_TIME (EPERM); unparsable input is EINVAL, values
 * out of range ERANGE.
 */

#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "clock.h"

static const char * const ordo_leap_mode_names[] = {
	[ORDO_CLOCK_LEAP_MODE_STEP] = "step",
	[ORDO_CLOCK_LEAP_MODE_SMEAR] = "smear",
	[ORDO_CLOCK_LEAP_MODE_IGNORE] = "none",
};

static void ordo_sysfs_now(struct ordo_clock_snap *snap, u64 *cyc,
			   struct ordo_clock_time *t)
{
	ordo_clk_snapshot(snap, cyc);
	ordo_clock_read(snap, *cyc, t);
}

#define ORDO_CLK_SHOW(_name, _fmt, _expr)				\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct ordo_clock_snap snap;					\
	struct ordo_clock_time t;					\
	u64 cyc;							\
									\
	ordo_sysfs_now(&snap, &cyc, &t);				\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}

ORDO_CLK_SHOW(wall, "%lld", t.utc)
ORDO_CLK_SHOW(mono, "%llu", t.mono)
ORDO_CLK_SHOW(mono_raw, "%llu", t.mono_raw)
ORDO_CLK_SHOW(tai, "%lld", t.tai)
ORDO_CLK_SHOW(stratum, "%u", snap.status.stratum)
ORDO_CLK_SHOW(root_delay_ns, "%llu", snap.status.root_delay)
ORDO_CLK_SHOW(root_disp_ns, "%llu", snap.status.root_disp)
ORDO_CLK_SHOW(est_error_ns, "%llu", snap.status.est_error)
ORDO_CLK_SHOW(max_error_ns, "%llu", ordo_clock_maxerror(&snap, cyc))
ORDO_CLK_SHOW(drift_ppb, "%u", snap.status.drift_ppb)
ORDO_CLK_SHOW(sync_state, "%s",
	      ordo_clock_synced(&snap, cyc) ? "synced" : "unsync")
ORDO_CLK_SHOW(last_update_ns, "%llu", snap.status.last_update)
ORDO_CLK_SHOW(leap, "%s", snap.leap.dir > 0 ? "insert" :
	      snap.leap.dir < 0 ? "delete" : "none")
ORDO_CLK_SHOW(leap_time, "%lld", snap.leap.leap_sec)
ORDO_CLK_SHOW(smear_window_s, "%u", snap.leap.window_sec)
ORDO_CLK_SHOW(tai_offset, "%d", t.tai_off)

static ssize_t refid_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%#010x\n", ordo_clk_refid_get());
}

static ssize_t slew_pending_ns_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", ordo_clk_slew_pending());
}

static ssize_t tt_show(struct kobject *kobj, struct kobj_attribute *attr,
		       char *buf)
{
	struct ordo_tt tt;

	if (ordo_clk_tt(&tt))
		return -ENODATA;
	return sysfs_emit(buf, "%lld %lld\n", tt.earliest, tt.latest);
}

static ssize_t leap_mode_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct ordo_clock_snap snap;

	ordo_clk_snapshot(&snap, NULL);
	if (snap.leap.mode >= ARRAY_SIZE(ordo_leap_mode_names))
		return -EIO;
	return sysfs_emit(buf, "%s\n", ordo_leap_mode_names[snap.leap.mode]);
}

/* ---- writes ---- */

static int ordo_sysfs_s64(const char *buf, s64 *v)
{
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	if (kstrtos64(buf, 0, v))
		return -EINVAL;
	return 0;
}

static ssize_t freq_ppb_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  ordo_clk_freq() / (1LL << ORDO_CLOCK_FREQ_SHIFT));
}

static ssize_t freq_ppb_store(struct kobject *kobj,
			      struct kobj_attribute *attr, const char *buf,
			      size_t count)
{
	s64 v;
	int err = ordo_sysfs_s64(buf, &v);

	if (err)
		return err;
	if (v < -ORDO_CLOCK_FREQ_MAX_PPB || v > ORDO_CLOCK_FREQ_MAX_PPB)
		return -ERANGE;
	err = ordo_clk_set_freq(v * (1LL << ORDO_CLOCK_FREQ_SHIFT));
	return err ? err : count;
}

static ssize_t slew_rate_ppb_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", ordo_clk_slew_rate());
}

static ssize_t slew_rate_ppb_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	s64 v;
	int err = ordo_sysfs_s64(buf, &v);

	if (err)
		return err;
	if (v < 1 || v > ORDO_CLOCK_SLEW_RATE_MAX)
		return -ERANGE;
	err = ordo_clk_set_slew_rate(v);
	return err ? err : count;
}

static ssize_t step_ns_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	s64 v;
	int err = ordo_sysfs_s64(buf, &v);

	if (err)
		return err;
	err = ordo_clk_step_by(v);
	return err ? err : count;
}

static ssize_t slew_ns_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	s64 v;
	int err = ordo_sysfs_s64(buf, &v);

	if (err)
		return err;
	if (v < -ORDO_CLOCK_SLEW_MAX_NS || v > ORDO_CLOCK_SLEW_MAX_NS)
		return -ERANGE;
	err = ordo_clk_slew(v);
	return err ? err : count;
}

static ssize_t drift_ppb_store(struct kobject *kobj,
			       struct kobj_attribute *attr, const char *buf,
			       size_t count)
{
	s64 v;
	int err = ordo_sysfs_s64(buf, &v);

	if (err)
		return err;
	if (v < 0 || v > ORDO_CLOCK_DRIFT_MAX_PPB)
		return -ERANGE;
	err = ordo_clk_set_drift_bound(v);
	return err ? err : count;
}

/* Re-arm the armed leap with another mode or window. */
static int ordo_sysfs_rearm(int mode, s64 window)
{
	struct ordo_clock_snap snap;

	ordo_clk_snapshot(&snap, NULL);
	if (!snap.leap.dir)
		return -ENOENT;
	return ordo_clk_leap_arm(snap.leap.leap_sec, snap.leap.dir,
				 mode >= 0 ? mode : snap.leap.mode,
				 window >= 0 ? window : snap.leap.window_sec,
				 snap.tai_off);
}

static ssize_t leap_mode_store(struct kobject *kobj,
			       struct kobj_attribute *attr, const char *buf,
			       size_t count)
{
	int mode, err;

	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	mode = sysfs_match_string(ordo_leap_mode_names, buf);
	if (mode < 0)
		return -EINVAL;
	err = ordo_sysfs_rearm(mode, -1);
	return err ? err : count;
}

static ssize_t smear_window_s_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	s64 v;
	int err = ordo_sysfs_s64(buf, &v);

	if (err)
		return err;
	if (v && (v < ORDO_LEAP_SMEAR_MIN_SEC || v > ORDO_LEAP_SMEAR_MAX_SEC))
		return -ERANGE;
	err = ordo_sysfs_rearm(-1, v);
	return err ? err : count;
}

static struct kobj_attribute wall_attr = __ATTR_RO(wall);
static struct kobj_attribute mono_attr = __ATTR_RO(mono);
static struct kobj_attribute mono_raw_attr = __ATTR_RO(mono_raw);
static struct kobj_attribute tai_attr = __ATTR_RO(tai);
static struct kobj_attribute freq_ppb_attr = __ATTR_RW(freq_ppb);
static struct kobj_attribute slew_pending_ns_attr = __ATTR_RO(slew_pending_ns);
static struct kobj_attribute slew_rate_ppb_attr = __ATTR_RW(slew_rate_ppb);
static struct kobj_attribute step_ns_attr = __ATTR_WO(step_ns);
static struct kobj_attribute slew_ns_attr = __ATTR_WO(slew_ns);
static struct kobj_attribute stratum_attr = __ATTR_RO(stratum);
static struct kobj_attribute refid_attr = __ATTR_RO(refid);
static struct kobj_attribute root_delay_ns_attr = __ATTR_RO(root_delay_ns);
static struct kobj_attribute root_disp_ns_attr = __ATTR_RO(root_disp_ns);
static struct kobj_attribute est_error_ns_attr = __ATTR_RO(est_error_ns);
static struct kobj_attribute max_error_ns_attr = __ATTR_RO(max_error_ns);
static struct kobj_attribute drift_ppb_attr = __ATTR_RW(drift_ppb);
static struct kobj_attribute sync_state_attr = __ATTR_RO(sync_state);
static struct kobj_attribute last_update_ns_attr = __ATTR_RO(last_update_ns);
static struct kobj_attribute leap_attr = __ATTR_RO(leap);
static struct kobj_attribute leap_time_attr = __ATTR_RO(leap_time);
static struct kobj_attribute leap_mode_attr = __ATTR_RW(leap_mode);
static struct kobj_attribute smear_window_s_attr = __ATTR_RW(smear_window_s);
static struct kobj_attribute tai_offset_attr = __ATTR_RO(tai_offset);
static struct kobj_attribute tt_attr = __ATTR_RO(tt);

static struct attribute *ordo_clk_attrs[] = {
	&wall_attr.attr,
	&mono_attr.attr,
	&mono_raw_attr.attr,
	&tai_attr.attr,
	&freq_ppb_attr.attr,
	&slew_pending_ns_attr.attr,
	&slew_rate_ppb_attr.attr,
	&step_ns_attr.attr,
	&slew_ns_attr.attr,
	&stratum_attr.attr,
	&refid_attr.attr,
	&root_delay_ns_attr.attr,
	&root_disp_ns_attr.attr,
	&est_error_ns_attr.attr,
	&max_error_ns_attr.attr,
	&drift_ppb_attr.attr,
	&sync_state_attr.attr,
	&last_update_ns_attr.attr,
	&leap_attr.attr,
	&leap_time_attr.attr,
	&leap_mode_attr.attr,
	&smear_window_s_attr.attr,
	&tai_offset_attr.attr,
	&tt_attr.attr,
	NULL,
};

const struct attribute_group ordo_clk_attr_group = {
	.attrs = ordo_clk_attrs,
};
