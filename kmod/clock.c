// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the clock core: one struct ordo_clock (kmod/lib/ordo_clock.h)
 * running on the selected hardware counter (counter.h).
 *
 * Writers serialise on ordo_clk_lock (a mutex: they may sleep before and
 * after the write section). The write section itself runs with interrupts
 * off, so that a reader in interrupt context on the same CPU never spins
 * on an odd sequence count:
 *
 *	mutex_lock(); local_irq_save(); write_seqcount_begin();
 *	page->seq odd; smp_wmb();
 *	cyc = counter->read();		(inside: see ordo_clock.h)
 *	ordo_clock_*(clk, cyc, ...);
 *	publish clk.snap (+ counter) for the readers and into the page;
 *	smp_wmb(); page->seq even;
 *	write_seqcount_end(); local_irq_restore();
 *	... mutex_unlock(); then ordo_clk_notify() for each event.
 *
 * The page sequence count goes odd before the counter is read, so a
 * reader of the page that completes with the old snapshot read its
 * counter before the writer did, as for the in-kernel readers.
 *
 * Initial time: the RTC is read at init (whole seconds). The RTC second
 * edge found at load (rtc.c, in the background, up to ~2.3 s) then steps
 * the clock so that it read rtc_sec exactly at the edge, unless someone
 * set the clock in the meantime. Module load never waits for it.
 *
 * A delayed work runs every second (and at least every max_idle_ns of the
 * counter): ordo_clock_update() (which folds a completed leap second),
 * then the PLL's phase correction for that second as a slew; it reports
 * LEAP_APPLIED and SYNC_STATE changes (the error bound growing past
 * ORDO_CLOCK_MAXERR_UNSYNC_NS makes the clock unsynchronised).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/ordo.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/seqlock.h>
#include <linux/workqueue.h>

#include <asm/msr.h>

#include "clock.h"
#include "counter.h"
#include "rtc.h"

/* Half a second: where ordo_clk_rtc_writeback() writes (mc146818). */
#define ORDO_CLK_RTC_PHASE_NS	(NSEC_PER_SEC / 2)
/* Accept a wakeup up to this late after the half second. */
#define ORDO_CLK_RTC_LATE_NS	(100 * NSEC_PER_MSEC)

static DEFINE_MUTEX(ordo_clk_lock);

/* Writer state, under ordo_clk_lock. */
static struct ordo_clock ordo_clk;
static struct ordo_pll ordo_clk_pll;
static u32 ordo_clk_refid;
static bool ordo_clk_was_synced;
static bool ordo_clk_was_set;	/* stepped by a user: no RTC edge step */
static u32 ordo_clk_page_seq;
static struct ordo_clk_event_info ordo_clk_ev;

/*
 * The readers' side, published under .seq: the sequence count, the
 * counter and the snapshot, on one page and in four cache lines, as
 * tk_core in kernel/time/timekeeping.c keeps its sequence count next to
 * the timekeeper. A reader (the HLC, on every stamped datagram) touches
 * nothing else.
 */
static struct {
	seqcount_t seq;
	const struct ordo_counter *ctr;
	struct ordo_clock_snap pub;
} ordo_clk_rd __aligned(256) = {
	.seq = SEQCNT_ZERO(ordo_clk_rd.seq),
};

static struct page *ordo_clk_pg;
static struct delayed_work ordo_clk_tick_work;
static struct work_struct ordo_clk_edge_work;
static bool ordo_clk_stopping;

/* ------------------------------------------------------------------ */
/* Readers */

void ordo_clk_snapshot(struct ordo_clock_snap *snap, u64 *cyc)
{
	const struct ordo_counter *c;
	unsigned int seq;
	u64 now;

	do {
		seq = read_seqcount_begin(&ordo_clk_rd.seq);
		*snap = ordo_clk_rd.pub;
		c = READ_ONCE(ordo_clk_rd.ctr);
		now = c->read();
	} while (read_seqcount_retry(&ordo_clk_rd.seq, seq));
	if (cyc)
		*cyc = now;
}

/*
 * UTC now, computed in place from the published snapshot inside the
 * seqcount loop (as the vDSO does), without copying the snapshot: the
 * HLC reads this on every stamped send and receive. A result computed
 * from a snapshot the writer was changing is discarded by the retry; the
 * read is a pure function of the snapshot's fields, each a value the
 * writer published.
 */
s64 ordo_clk_utc_now(void)
{
	const struct ordo_counter *c;
	unsigned int seq;
	s64 utc;

	/*
	 * Read on every HLC event: the TSC without the indirect call (a
	 * retpoline under the usual mitigations), the arithmetic inline.
	 */
	do {
		seq = read_seqcount_begin(&ordo_clk_rd.seq);
		c = READ_ONCE(ordo_clk_rd.ctr);
		utc = ordo_clock_read_utc_inl(&ordo_clk_rd.pub,
					      c == &ordo_tsc_counter ?
					      rdtsc_ordered() : c->read());
	} while (read_seqcount_retry(&ordo_clk_rd.seq, seq));
	return utc;
}

void ordo_clk_now_sts(struct ordo_clock_time *t,
		      struct ptp_system_timestamp *sts)
{
	struct ordo_clock_snap snap;
	const struct ordo_counter *c;
	unsigned int seq;
	u64 now;

	do {
		seq = read_seqcount_begin(&ordo_clk_rd.seq);
		snap = ordo_clk_rd.pub;
		c = READ_ONCE(ordo_clk_rd.ctr);
		ptp_read_system_prets(sts);
		now = c->read();
		ptp_read_system_postts(sts);
	} while (read_seqcount_retry(&ordo_clk_rd.seq, seq));
	ordo_clock_read(&snap, now, t);
}

void ordo_clk_now(struct ordo_clock_time *t, u64 *cyc)
{
	struct ordo_clock_snap snap;
	u64 now;

	ordo_clk_snapshot(&snap, &now);
	ordo_clock_read(&snap, now, t);
	if (cyc)
		*cyc = now;
}

int ordo_clk_tt(struct ordo_tt *tt)
{
	struct ordo_clock_snap snap;
	u64 cyc;

	ordo_clk_snapshot(&snap, &cyc);
	return ordo_tt_now(&snap, cyc, tt) ? -EAGAIN : 0;
}

const struct ordo_counter *ordo_clk_counter(void)
{
	return READ_ONCE(ordo_clk_rd.ctr);
}

struct page *ordo_clk_page(void)
{
	return ordo_clk_pg;
}

void ordo_clk_event_info(struct ordo_clk_event_info *ei)
{
	mutex_lock(&ordo_clk_lock);
	*ei = ordo_clk_ev;
	mutex_unlock(&ordo_clk_lock);
}

u32 ordo_clk_refid_get(void)
{
	return READ_ONCE(ordo_clk_refid);
}

void ordo_clk_pll_get(u32 *time_constant, u32 *mode)
{
	mutex_lock(&ordo_clk_lock);
	*time_constant = ordo_clk_pll.constant;
	*mode = (ordo_clk_pll.flags & ORDO_PLL_FLL) ? ORDO_PLL_MODE_FLL :
						      ORDO_PLL_MODE_PLL;
	mutex_unlock(&ordo_clk_lock);
}

s64 ordo_clk_slew_pending(void)
{
	struct ordo_clock_snap snap;
	u64 cyc;
	s64 ns;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_snapshot(&snap, &cyc);
	ns = ordo_clock_slew_pending(&ordo_clk, cyc);
	mutex_unlock(&ordo_clk_lock);
	return ns;
}

u32 ordo_clk_slew_rate(void)
{
	return READ_ONCE(ordo_clk.slew_rate);
}

s64 ordo_clk_freq(void)
{
	return READ_ONCE(ordo_clk.freq);
}

/* ------------------------------------------------------------------ */
/* Writers */

struct ordo_clk_ws {
	unsigned long flags;
	u64 cyc;
};

/* Under ordo_clk_lock: open the write section and read the counter. */
static void ordo_clk_wbegin(struct ordo_clk_ws *ws)
{
	struct ordo_clock_page *pg = page_address(ordo_clk_pg);

	lockdep_assert_held(&ordo_clk_lock);
	local_irq_save(ws->flags);
	write_seqcount_begin(&ordo_clk_rd.seq);
	WRITE_ONCE(pg->seq, ++ordo_clk_page_seq);
	smp_wmb();	/* page->seq odd before the counter read and the snap */
	ws->cyc = ordo_clk_rd.ctr->read();
}

static void ordo_clk_publish_page(void)
{
	struct ordo_clock_page *pg = page_address(ordo_clk_pg);
	const struct ordo_counter *c = ordo_clk_rd.ctr;

	pg->version = ORDO_CLOCK_PAGE_VERSION;
	pg->counter = c->id == ORDO_COUNTER_TSC ? ORDO_CLOCK_COUNTER_TSC :
						  ORDO_CLOCK_COUNTER_HPET;
	pg->flags = c->id == ORDO_COUNTER_TSC ?
		    ORDO_CLOCK_PAGE_F_USER_READABLE : 0;
	pg->snap = ordo_clk.snap;
}

static void ordo_clk_wend(struct ordo_clk_ws *ws)
{
	struct ordo_clock_page *pg = page_address(ordo_clk_pg);

	ordo_clk_rd.pub = ordo_clk.snap;
	ordo_clk_publish_page();
	smp_wmb();	/* the snap before page->seq even */
	WRITE_ONCE(pg->seq, ++ordo_clk_page_seq);
	write_seqcount_end(&ordo_clk_rd.seq);
	local_irq_restore(ws->flags);
}

/* Under ordo_clk_lock, after a write: the events a state change implies. */
static u32 ordo_clk_sync_check(u64 cyc)
{
	bool synced = ordo_clock_synced(&ordo_clk.snap, cyc);

	if (synced == ordo_clk_was_synced)
		return 0;
	ordo_clk_was_synced = synced;
	return BIT(ORDO_CLOCK_EV_SYNC_STATE);
}

static void ordo_clk_unlock_notify(u32 events)
{
	unsigned long ev = events;
	unsigned int bit;

	mutex_unlock(&ordo_clk_lock);
	for_each_set_bit(bit, &ev, 32)
		ordo_clk_notify(bit);
}

static int __ordo_clk_step(bool to, s64 v)
{
	struct ordo_clk_ws ws;
	struct ordo_clock_time t0, t1;
	u32 ev = 0;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	ordo_clock_read(&ordo_clk.snap, ws.cyc, &t0);
	err = to ? ordo_clock_step_to(&ordo_clk, ws.cyc, v) :
		   ordo_clock_step_by(&ordo_clk, ws.cyc, v);
	ordo_clock_read(&ordo_clk.snap, ws.cyc, &t1);
	ordo_clk_wend(&ws);
	if (!err) {
		ordo_clk_was_set = true;
		ordo_clk_ev.step_ns = t1.utc - t0.utc;
		ordo_clk_ev.step_wall = t1.utc;
		ev = BIT(ORDO_CLOCK_EV_STEP) | ordo_clk_sync_check(ws.cyc);
	}
	ordo_clk_unlock_notify(ev);
	return err;
}

int ordo_clk_step_to(s64 utc_ns)
{
	return __ordo_clk_step(true, utc_ns);
}

int ordo_clk_step_by(s64 delta_ns)
{
	return __ordo_clk_step(false, delta_ns);
}

int ordo_clk_slew(s64 offset_ns)
{
	struct ordo_clk_ws ws;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	err = ordo_clock_slew(&ordo_clk, ws.cyc, offset_ns);
	ordo_clk_wend(&ws);
	ordo_clk_unlock_notify(err ? 0 : ordo_clk_sync_check(ws.cyc));
	return err;
}

int ordo_clk_set_slew_rate(u32 ppb)
{
	struct ordo_clk_ws ws;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	err = ordo_clock_set_slew_rate(&ordo_clk, ws.cyc, ppb);
	ordo_clk_wend(&ws);
	mutex_unlock(&ordo_clk_lock);
	return err;
}

int ordo_clk_set_freq(s64 sppb)
{
	struct ordo_clk_ws ws;
	int err;

	mutex_lock(&ordo_clk_lock);
	/* The PLL continues from the frequency set here. */
	err = ordo_pll_set_freq_scaled(&ordo_clk_pll, sppb);
	if (!err) {
		ordo_clk_wbegin(&ws);
		err = ordo_clock_set_freq_scaled(&ordo_clk, ws.cyc, sppb);
		ordo_clk_wend(&ws);
	}
	mutex_unlock(&ordo_clk_lock);
	return err;
}

/*
 * A PLL sample: the phase not yet absorbed is superseded, the frequency
 * follows the PLL, and (if the clock was synchronised before) the sample
 * refreshes last_update with the status already set.
 */
int ordo_clk_pll_sample(s64 offset_ns)
{
	struct ordo_clock_status *st = &ordo_clk.snap.status;
	struct ordo_clk_ws ws;
	u64 mono;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	ordo_clock_slew_cancel(&ordo_clk, ws.cyc);
	mono = ordo_clock_read_mono(&ordo_clk.snap, ws.cyc);
	ordo_pll_sample(&ordo_clk_pll, offset_ns, div_u64(mono, NSEC_PER_SEC));
	err = ordo_clock_set_freq_scaled(&ordo_clk, ws.cyc,
					 ordo_pll_freq_scaled(&ordo_clk_pll));
	if (!err && (st->flags & ORDO_CLOCK_ST_SYNCED_ONCE) &&
	    st->stratum < ORDO_CLOCK_STRATUM_UNSYNC) {
		struct ordo_clock_sync s = {
			.root_delay = st->root_delay,
			.root_disp = st->root_disp,
			.est_error = st->est_error,
			.stratum = st->stratum,
		};

		err = ordo_clock_set_sync(&ordo_clk, ws.cyc, &s);
	}
	ordo_clk_wend(&ws);
	ordo_clk_unlock_notify(ordo_clk_sync_check(ws.cyc));
	return err;
}

int ordo_clk_pll_config(u32 time_constant, u32 mode)
{
	u32 modes = ordo_clk_pll.flags & ORDO_PLL_MODES & ~ORDO_PLL_FLL;
	int err;

	if (time_constant > ORDO_PLL_MAXTC ||
	    (mode != ORDO_PLL_MODE_PLL && mode != ORDO_PLL_MODE_FLL))
		return -EINVAL;
	mutex_lock(&ordo_clk_lock);
	if (mode == ORDO_PLL_MODE_FLL)
		modes |= ORDO_PLL_FLL;
	err = ordo_pll_set_constant(&ordo_clk_pll, time_constant);
	if (!err)
		err = ordo_pll_set_mode(&ordo_clk_pll, modes);
	mutex_unlock(&ordo_clk_lock);
	return err;
}

int ordo_clk_leap_arm(s64 leap_sec, int dir, u32 mode, u32 window_sec,
		      s32 tai_off)
{
	struct ordo_clk_ws ws;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	err = ordo_clock_leap_arm(&ordo_clk, ws.cyc, leap_sec, dir, mode,
				  window_sec, tai_off);
	ordo_clk_wend(&ws);
	ordo_clk_unlock_notify(err ? 0 : BIT(ORDO_CLOCK_EV_LEAP_ARMED));
	return err;
}

void ordo_clk_leap_disarm(void)
{
	struct ordo_clk_ws ws;
	bool armed;

	mutex_lock(&ordo_clk_lock);
	armed = ordo_clk.snap.leap.dir != 0;
	ordo_clk_wbegin(&ws);
	ordo_clock_leap_disarm(&ordo_clk);
	ordo_clk_wend(&ws);
	ordo_clk_unlock_notify(armed ? BIT(ORDO_CLOCK_EV_LEAP_DISARMED) : 0);
}

int ordo_clk_set_tai_offset(s32 tai_off)
{
	struct ordo_clk_ws ws;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	err = ordo_clock_set_tai_offset(&ordo_clk, tai_off);
	ordo_clk_wend(&ws);
	mutex_unlock(&ordo_clk_lock);
	return err;
}

int ordo_clk_set_sync(const struct ordo_clock_sync *sync, u32 refid)
{
	struct ordo_clk_ws ws;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	err = ordo_clock_set_sync(&ordo_clk, ws.cyc, sync);
	ordo_clk_wend(&ws);
	if (!err)
		WRITE_ONCE(ordo_clk_refid, refid);
	ordo_clk_unlock_notify(ordo_clk_sync_check(ws.cyc));
	return err;
}

void ordo_clk_set_unsync(void)
{
	struct ordo_clk_ws ws;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	ordo_clock_set_unsync(&ordo_clk);
	ordo_clk_wend(&ws);
	ordo_clk_unlock_notify(ordo_clk_sync_check(ws.cyc));
}

int ordo_clk_set_drift_bound(u32 ppb)
{
	struct ordo_clk_ws ws;
	int err;

	mutex_lock(&ordo_clk_lock);
	ordo_clk_wbegin(&ws);
	err = ordo_clock_set_drift_bound(&ordo_clk, ppb);
	ordo_clk_wend(&ws);
	ordo_clk_unlock_notify(ordo_clk_sync_check(ws.cyc));
	return err;
}

/* Switch through counter.c: its notifier calls ordo_clk_counter_changed(). */
int ordo_clk_set_source(const char *name)
{
	const struct ordo_counter *c = ordo_counter_find(name);

	if (!c)
		return -EINVAL;
	return ordo_counter_select(c);
}

static int ordo_clk_counter_changed(struct notifier_block *nb,
				    unsigned long action, void *data)
{
	const struct ordo_counter *c = data;
	const struct ordo_counter *old;
	struct ordo_clk_ws ws;
	u64 old_cyc;
	int err;

	if (action != ORDO_COUNTER_CHANGED || !c)
		return NOTIFY_DONE;
	mutex_lock(&ordo_clk_lock);
	old = ordo_clk_rd.ctr;
	if (old == c) {
		mutex_unlock(&ordo_clk_lock);
		return NOTIFY_OK;
	}
	/* As ordo_clk_wbegin(), with the two counters back to back. */
	local_irq_save(ws.flags);
	write_seqcount_begin(&ordo_clk_rd.seq);
	WRITE_ONCE(((struct ordo_clock_page *)page_address(ordo_clk_pg))->seq,
		   ++ordo_clk_page_seq);
	smp_wmb();	/* page->seq odd before the counter reads */
	old_cyc = old->read();
	ws.cyc = c->read();
	err = ordo_clock_set_source(&ordo_clk, old_cyc, c->hz, c->mask,
				    ws.cyc);
	if (!err)
		WRITE_ONCE(ordo_clk_rd.ctr, c);
	ordo_clk_wend(&ws);
	if (err) {
		pr_err("clock: cannot switch to %s: %d\n", c->name, err);
		mutex_unlock(&ordo_clk_lock);
		return NOTIFY_OK;
	}
	/* A 32-bit counter may need a faster tick: re-arm it now. */
	if (!READ_ONCE(ordo_clk_stopping))
		mod_delayed_work(system_power_efficient_wq,
				 &ordo_clk_tick_work, 0);
	ordo_clk_unlock_notify(BIT(ORDO_CLOCK_EV_SOURCE));
	return NOTIFY_OK;
}

static struct notifier_block ordo_clk_counter_nb = {
	.notifier_call = ordo_clk_counter_changed,
};

/*
 * RTC writeback, as the kernel does for the MC146818 (rtc-cmos sets
 * set_offset_nsec to 500 ms): at UTC second S + 0.5 s write S + 1. A chip
 * whose divider restarts on the write then begins S + 1 exactly at the
 * next second boundary; one that keeps its phase is off by less than 1 s.
 */
int ordo_clk_rtc_writeback(void)
{
	struct ordo_clock_time t;
	int tries;
	s64 sec;
	s32 frac;
	u64 wait;

	if (!ordo_rtc_available())
		return -ENODEV;
	for (tries = 0; tries < 3; tries++) {
		ordo_clk_now(&t, NULL);
		sec = div_s64_rem(t.utc, NSEC_PER_SEC, &frac);
		if (frac < 0) {
			frac += NSEC_PER_SEC;
			sec--;
		}
		if (frac >= ORDO_CLK_RTC_PHASE_NS &&
		    frac < ORDO_CLK_RTC_PHASE_NS + ORDO_CLK_RTC_LATE_NS)
			return ordo_rtc_write(sec + 1);
		wait = frac < ORDO_CLK_RTC_PHASE_NS ?
		       ORDO_CLK_RTC_PHASE_NS - frac :
		       NSEC_PER_SEC - frac + ORDO_CLK_RTC_PHASE_NS;
		fsleep(div_u64(wait, NSEC_PER_USEC) + 1);
	}
	return -ETIMEDOUT;
}

/* ------------------------------------------------------------------ */
/* Periodic update */

static unsigned long ordo_clk_tick_period(void)
{
	const struct ordo_counter *c = READ_ONCE(ordo_clk_rd.ctr);
	unsigned long j = HZ;

	if (c->max_idle_ns < 2ULL * NSEC_PER_SEC)
		j = max(1UL, nsecs_to_jiffies(c->max_idle_ns) / 2);
	return j;
}

static void ordo_clk_tick_fn(struct work_struct *work)
{
	struct ordo_clk_ws ws;
	s32 tai_before;
	s32 dir_before;
	u32 ev = 0;
	s64 phase;

	mutex_lock(&ordo_clk_lock);
	dir_before = ordo_clk.snap.leap.dir;
	tai_before = ordo_clk.snap.tai_off;
	ordo_clk_wbegin(&ws);
	ordo_clock_update(&ordo_clk, ws.cyc);
	phase = ordo_pll_tick(&ordo_clk_pll);
	if (phase)
		ordo_clock_slew(&ordo_clk, ws.cyc, phase);
	ordo_clk_wend(&ws);
	if (dir_before && !ordo_clk.snap.leap.dir &&
	    ordo_clk.snap.tai_off != tai_before) {
		ordo_clk_ev.leap_dir = dir_before;
		ev |= BIT(ORDO_CLOCK_EV_LEAP_APPLIED);
	}
	ev |= ordo_clk_sync_check(ws.cyc);
	ordo_clk_unlock_notify(ev);

	if (!READ_ONCE(ordo_clk_stopping))
		queue_delayed_work(system_power_efficient_wq,
				   &ordo_clk_tick_work, ordo_clk_tick_period());
}

/* Step to the RTC second edge found at load. */
static void ordo_clk_edge_fn(struct work_struct *work)
{
	const struct ordo_counter *c;
	struct ordo_rtc_edge e;
	struct ordo_clk_ws ws;
	u64 since, edge_cyc;
	s64 wall;
	u32 ev = 0;
	int err;

	err = ordo_rtc_load_edge(&e);
	if (err) {
		if (err != -ECANCELED && err != -ENODEV)
			pr_warn("clock: no RTC edge (%d): time stays coarse\n",
				err);
		return;
	}
	mutex_lock(&ordo_clk_lock);
	c = ordo_clk_rd.ctr;
	edge_cyc = e.counter[c->id];
	if (ordo_clk_was_set || READ_ONCE(ordo_clk_stopping) || !edge_cyc) {
		mutex_unlock(&ordo_clk_lock);
		return;
	}
	ordo_clk_wbegin(&ws);
	since = ordo_clock_cyc2ns(ordo_counter_delta(c, ws.cyc, edge_cyc),
				  ordo_clk.snap.mult_raw, ordo_clk.snap.shift);
	wall = e.rtc_sec * NSEC_PER_SEC + (s64)since;
	if (!ordo_clock_step_to(&ordo_clk, ws.cyc, wall)) {
		ordo_clk_ev.step_ns = wall - ordo_clock_read_utc(&ordo_clk_rd.pub,
								 ws.cyc, NULL);
		ordo_clk_ev.step_wall = wall;
		ev = BIT(ORDO_CLOCK_EV_STEP);
	}
	ordo_clk_wend(&ws);
	ordo_clk_unlock_notify(ev);
	pr_info("clock: set from the RTC edge at %lld (+/-%u ns)\n",
		e.rtc_sec, e.uncertainty_ns);
}

int ordo_clk_init(void)
{
	const struct ordo_counter *c = ordo_counter_current();
	struct ordo_clk_ws ws;
	time64_t sec = 0;
	int err;

	if (!c)
		return -ENODEV;
	ordo_clk_pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!ordo_clk_pg)
		return -ENOMEM;

	if (ordo_rtc_read(&sec))
		sec = 0;
	WRITE_ONCE(ordo_clk_stopping, false);
	ordo_clk_was_set = false;
	ordo_clk_was_synced = false;
	ordo_clk_refid = 0;
	memset(&ordo_clk_ev, 0, sizeof(ordo_clk_ev));
	ordo_pll_init(&ordo_clk_pll);

	mutex_lock(&ordo_clk_lock);
	WRITE_ONCE(ordo_clk_rd.ctr, c);
	ordo_clk_wbegin(&ws);
	err = ordo_clock_init(&ordo_clk, c->hz, c->mask, ws.cyc,
			      sec * NSEC_PER_SEC);
	ordo_clk_wend(&ws);
	mutex_unlock(&ordo_clk_lock);
	if (err) {
		pr_err("clock: cannot run on %s (%llu Hz): %d\n", c->name,
		       c->hz, err);
		goto err_page;
	}

	INIT_DELAYED_WORK(&ordo_clk_tick_work, ordo_clk_tick_fn);
	INIT_WORK(&ordo_clk_edge_work, ordo_clk_edge_fn);
	err = ordo_counter_register_notifier(&ordo_clk_counter_nb);
	if (err)
		goto err_page;
	/* A switch between ordo_counter_current() and here: catch up. */
	if (ordo_counter_current() != c)
		ordo_clk_counter_changed(&ordo_clk_counter_nb,
					 ORDO_COUNTER_CHANGED,
					 (void *)ordo_counter_current());

	queue_delayed_work(system_power_efficient_wq, &ordo_clk_tick_work,
			   ordo_clk_tick_period());
	queue_work(system_long_wq, &ordo_clk_edge_work);
	return 0;

err_page:
	put_page(ordo_clk_pg);
	ordo_clk_pg = NULL;
	return err;
}

/*
 * After ordo_rtc_exit() (which ends a running edge search, so the edge
 * work does not wait for it) and before ordo_counter_exit().
 */
void ordo_clk_exit(void)
{
	WRITE_ONCE(ordo_clk_stopping, true);
	ordo_counter_unregister_notifier(&ordo_clk_counter_nb);
	cancel_work_sync(&ordo_clk_edge_work);
	cancel_delayed_work_sync(&ordo_clk_tick_work);
	put_page(ordo_clk_pg);
	ordo_clk_pg = NULL;
}
