/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Ordo - userspace API
 *
 * This is the one and only copy of the Ordo UAPI.  It is shared by the
 * kernel module (kmod/), the userspace library and tools (user/) and the
 * eBPF programs (bpf/).  It must only depend on <linux/types.h>.
 *
 * Generic netlink family ORDO_GENL_NAME, version ORDO_GENL_VERSION.
 *
 * All attributes live in one flat attribute space (enum ordo_attr); nests
 * reuse that same space, as devlink does.  All commands use strict
 * validation: unknown attributes, attributes with a wrong length and
 * trailing garbage are rejected with -EINVAL and an extack message.
 *
 * ORDO_CMD_GET_INFO (do)
 *	request: no attributes
 *	reply:   ORDO_A_VERSION, ORDO_A_BUILD_ID, ORDO_A_CAPS,
 *		 ORDO_A_GENL_VERSION
 *
 * ORDO_CMD_STATS_GET (do)
 *	request: ORDO_A_STAT_NAME (required)
 *	reply:   ORDO_A_STAT (nest) { ORDO_A_STAT_NAME, ORDO_A_STAT_VALUE }
 *	errors:  -EINVAL if ORDO_A_STAT_NAME is missing,
 *		 -ENOENT if the statistic does not exist
 *
 * ORDO_CMD_STATS_GET (dump)
 *	request: no attributes
 *	reply:   one message per statistic, laid out as for the do request
 */
#ifndef _UAPI_LINUX_ORDO_H
#define _UAPI_LINUX_ORDO_H

#include <linux/const.h>
#include <linux/types.h>

/* Version of the module and of this API (kept in this one place). */
#define ORDO_VERSION		"0.1.0"

#define ORDO_GENL_NAME		"ordo"
#define ORDO_GENL_VERSION	1

/* Multicast groups: "clock" (ORDO_CMD_CLOCK_NTF), "lclock" (LCLOCK_NTF). */
#define ORDO_MCGRP_CLOCK	"clock"
#define ORDO_MCGRP_LCLOCK	"lclock"

/* Maximum size of a statistic name, including the terminating NUL. */
#define ORDO_STAT_NAME_LEN	32

enum ordo_cmd {
	ORDO_CMD_UNSPEC,
	ORDO_CMD_GET_INFO,
	ORDO_CMD_STATS_GET,
	ORDO_CMD_CLOCK_GET,	/* do: all clocks and the status, sampled at once */
	ORDO_CMD_CLOCK_SET,	/* do, admin: step, slew, freq, PLL sample, ... */
	ORDO_CMD_CLOCK_NTF,	/* multicast on ORDO_MCGRP_CLOCK: clock events */
	/* logical clocks: see kmod/lclock_netlink.c, socket-stamping.rst */
	ORDO_CMD_LCLOCK_DOMAIN_ADD,	/* do, admin: create a domain */
	ORDO_CMD_LCLOCK_DOMAIN_DEL,	/* do, admin: destroy a domain */
	ORDO_CMD_LCLOCK_GET,	/* do: one domain; dump: all (of the netns) */
	ORDO_CMD_LCLOCK_TICK,	/* do: record a local event; reply as GET */
	ORDO_CMD_LCLOCK_NTF,	/* multicast on ORDO_MCGRP_LCLOCK */

	/* add new commands above here */
	__ORDO_CMD_MAX,
	ORDO_CMD_MAX = __ORDO_CMD_MAX - 1
};

enum ordo_attr {
	ORDO_A_UNSPEC,
	ORDO_A_VERSION,		/* string: module version, ORDO_VERSION */
	ORDO_A_BUILD_ID,	/* string: build identifier (git describe) */
	ORDO_A_CAPS,		/* u64: bitmap of (1 << enum ordo_cap) */
	ORDO_A_GENL_VERSION,	/* u32: generic netlink family version */
	ORDO_A_STAT,		/* nest: one statistic */
	ORDO_A_STAT_NAME,	/* string: statistic name, < ORDO_STAT_NAME_LEN */
	ORDO_A_STAT_VALUE,	/* u64: statistic value */
	ORDO_A_PAD,		/* padding for 64-bit attributes */

	/*
	 * Clock attributes. In CLOCK_GET replies they report; in CLOCK_SET
	 * requests each one present is an operation (see
	 * Documentation/netlink/specs/ordo.yaml for the order they are
	 * applied in and which ones exclude each other). All
	 * times are ns; UTC and TAI count from the Unix epoch.
	 */
	ORDO_A_CLOCK_SOURCE,	/* string: "tsc" or "hpet"; SET: switch */
	ORDO_A_CLOCK_COUNTER,	/* u64: raw counter value of the sample */
	ORDO_A_CLOCK_COUNTER_HZ, /* u64: nominal counter frequency */
	ORDO_A_CLOCK_MONO,	/* u64: disciplined monotonic clock */
	ORDO_A_CLOCK_MONO_RAW,	/* u64: monotonic, never corrected */
	ORDO_A_CLOCK_WALL,	/* s64: UTC; SET: step to this time */
	ORDO_A_CLOCK_TAI,	/* s64: TAI */
	ORDO_A_CLOCK_STEP,	/* s64: SET: step by this offset */
	ORDO_A_CLOCK_SLEW,	/* s64: GET: offset still to absorb; SET: slew */
	ORDO_A_CLOCK_SLEW_RATE,	/* u32: ppb, maximum slew rate */
	ORDO_A_CLOCK_FREQ,	/* s64: ppb << 16 (sppb), +-500 ppm */
	ORDO_A_CLOCK_PLL_OFFSET, /* s64: SET: PLL sample, our clock - reference */
	ORDO_A_CLOCK_PLL_TC,	/* u32: PLL time constant, 0..10 */
	ORDO_A_CLOCK_PLL_MODE,	/* u32: enum ordo_pll_mode */
	ORDO_A_CLOCK_STRATUM,	/* u32: 0..16; 16 = unsynchronised */
	ORDO_A_CLOCK_REFID,	/* u32: reference id, as NTP */
	ORDO_A_CLOCK_ROOT_DELAY, /* u64 */
	ORDO_A_CLOCK_ROOT_DISP,	/* u64 */
	ORDO_A_CLOCK_EST_ERROR,	/* u64 */
	ORDO_A_CLOCK_MAX_ERROR,	/* u64: GET only */
	ORDO_A_CLOCK_DRIFT,	/* u32: ppb, drift bound of the error */
	ORDO_A_CLOCK_SYNC,	/* u32: enum ordo_clock_sync_state; SET: UNSYNC */
	ORDO_A_CLOCK_LAST_UPDATE, /* u64: mono time of the last sync */
	ORDO_A_CLOCK_LEAP,	/* u32: enum ordo_clock_leap; SET: arm/disarm */
	ORDO_A_CLOCK_LEAP_TIME,	/* s64: UTC s of the midnight of the leap */
	ORDO_A_CLOCK_LEAP_MODE,	/* u32: enum ordo_clock_leap_mode */
	ORDO_A_CLOCK_SMEAR_WINDOW, /* u32: s, smear window centred on the leap */
	ORDO_A_CLOCK_TAI_OFFSET, /* s32: TAI - UTC, s */
	ORDO_A_CLOCK_LEAP_FLAGS, /* u32: ORDO_CLOCK_LEAP_F_* of the sample */
	ORDO_A_CLOCK_TT_EARLIEST, /* s64: TrueTime interval */
	ORDO_A_CLOCK_TT_LATEST,	/* s64 */
	ORDO_A_CLOCK_EVENT,	/* u32: enum ordo_clock_event (CLOCK_NTF) */
	ORDO_A_CLOCK_RTC_WRITE,	/* flag: SET: write the wall time to the RTC */
	ORDO_A_CLOCK_RTC,	/* s64: RTC time, s (GET) */

	/* Logical clock domains (LCLOCK_*). */
	ORDO_A_LCLOCK_DOMAIN,	/* u32: domain id (local handle) */
	ORDO_A_LCLOCK_KIND,	/* u32: enum ordo_wire_kind, 1..3 */
	ORDO_A_LCLOCK_NODE,	/* u32: this node's id */
	ORDO_A_LCLOCK_VC_N,	/* u32: vector: members, 1..ORDO_VC_MAX */
	ORDO_A_LCLOCK_VC_INDEX,	/* u32: vector: this node's index, < n */
	ORDO_A_LCLOCK_VALUE,	/* u64: Lamport c; HLC l (ns) */
	ORDO_A_LCLOCK_HLC_C,	/* u32: HLC logical counter */
	ORDO_A_LCLOCK_VECTOR,	/* binary: vector, n x u64, host order */
	ORDO_A_LCLOCK_MAX_JUMP,	/* u64: future-jump threshold, 0 = none */
	ORDO_A_LCLOCK_REFUSE,	/* flag: drop timestamps beyond MAX_JUMP */
	ORDO_A_LCLOCK_SOCKETS,	/* u32: attached sockets */
	ORDO_A_LCLOCK_STAMPED,	/* u64: datagrams sent stamped */
	ORDO_A_LCLOCK_RECEIVED,	/* u64: stamped datagrams delivered */
	ORDO_A_LCLOCK_TICKS,	/* u64: local events */
	ORDO_A_LCLOCK_FUTURE,	/* u64: timestamps from the future */
	ORDO_A_LCLOCK_UNSTAMPED, /* u64: delivered without header (PASS) */
	ORDO_A_LCLOCK_DROPS,	/* nest: ORDO_A_STAT per drop reason */
	ORDO_A_LCLOCK_PEER_NODE, /* u32: NTF: the sender's node id */
	ORDO_A_LCLOCK_TS,	/* u64: NTF: the received timestamp */
	ORDO_A_LCLOCK_JUMP,	/* u64: NTF: how far ahead it was */
	ORDO_A_LCLOCK_GROUP,	/* u32: group id on the wire (default DOMAIN) */

	/* add new attributes above here */
	__ORDO_A_MAX,
	ORDO_A_MAX = __ORDO_A_MAX - 1
};

/*
 * Capability bit numbers.  ORDO_A_CAPS and /sys/kernel/ordo/capabilities
 * report the bitmap sum of (1ULL << ORDO_CAP_x) for every feature the
 * loaded module actually implements.  Bits of features that are not
 * implemented yet are reserved and always zero.
 */
enum ordo_cap {
	ORDO_CAP_GENL,		/* generic netlink family "ordo" */
	ORDO_CAP_STATS,		/* ORDO_CMD_STATS_GET */
	ORDO_CAP_TRACE,		/* tracepoint ordo:ordo_genl_op */
	ORDO_CAP_CLOCK,		/* reserved: clock interface */
	ORDO_CAP_PTP,		/* reserved: PTP clock device */
	ORDO_CAP_CLOCK_MMAP,	/* reserved: mmap()able clock page */
	ORDO_CAP_LCLOCK,	/* logical clocks, stamped sockets */
	ORDO_CAP_STAMP,		/* reserved: timestamping */

	/* add new capabilities above here */
	__ORDO_CAP_CNT
};

/* ORDO_A_CLOCK_SYNC */
enum ordo_clock_sync_state {
	ORDO_CLOCK_UNSYNC,
	ORDO_CLOCK_SYNCED,
};

/* ORDO_A_CLOCK_LEAP */
enum ordo_clock_leap {
	ORDO_CLOCK_LEAP_NONE,		/* SET: disarm */
	ORDO_CLOCK_LEAP_INSERT,
	ORDO_CLOCK_LEAP_DELETE,
};

/* ORDO_A_CLOCK_LEAP_MODE */
enum ordo_clock_leap_mode {
	ORDO_CLOCK_LEAP_MODE_STEP,	/* 23:59:60 repeats, as the kernel does */
	ORDO_CLOCK_LEAP_MODE_SMEAR,	/* linear over the smear window */
	ORDO_CLOCK_LEAP_MODE_IGNORE,	/* UTC ignores it; TAI - UTC moves */
};

/* ORDO_A_CLOCK_LEAP_FLAGS */
#define ORDO_CLOCK_LEAP_F_ARMED		_BITUL(0)
#define ORDO_CLOCK_LEAP_F_IN_LEAP	_BITUL(1)	/* show 23:59:60 */
#define ORDO_CLOCK_LEAP_F_SMEARING	_BITUL(2)

/* ORDO_A_CLOCK_PLL_MODE */
enum ordo_pll_mode {
	ORDO_PLL_MODE_PLL,
	ORDO_PLL_MODE_FLL,
};

/* ORDO_A_CLOCK_EVENT, in CLOCK_NTF messages on ORDO_MCGRP_CLOCK */
enum ordo_clock_event {
	ORDO_CLOCK_EV_STEP,		/* + WALL (new), STEP (offset) */
	ORDO_CLOCK_EV_LEAP_ARMED,	/* + LEAP, LEAP_TIME, LEAP_MODE */
	ORDO_CLOCK_EV_LEAP_DISARMED,
	ORDO_CLOCK_EV_LEAP_APPLIED,	/* + LEAP, TAI_OFFSET (new) */
	ORDO_CLOCK_EV_SYNC_STATE,	/* + SYNC (new) */
	ORDO_CLOCK_EV_SOURCE,		/* + SOURCE (new) */
};

/*
 * The clock snapshot: everything needed to compute every ordo clock from
 * one counter value (kmod/lib/ordo_clock.c: ordo_clock_read()). The module
 * publishes it in the read-only page that /dev/ordo_clock maps (struct
 * ordo_clock_page), so this layout is ABI. All fields are naturally
 * aligned; sizes are fixed.
 */
/*
 * struct ordo_leap - a configured leap; POD, part of the clock snapshot.
 * @leap_sec:     UTC second (Unix time) at which the leap happens, 0 = none
 * @smear_start:  SMEAR: cont (= UTC) ns at which the window starts
 * @smear_len:    SMEAR: window length in cont ns, (W + dir) * 1e9
 * @smear_mult:   SMEAR: ceil(1e9 * 2^64 / smear_len)
 * @window_sec:   SMEAR: window length W in UTC seconds
 * @dir:          ORDO_LEAP_INSERT, ORDO_LEAP_DELETE, or 0 when not armed
 * @mode:         enum ordo_leap_mode
 */
struct ordo_leap {
	__s64 leap_sec;
	__s64 smear_start;
	__u64 smear_len;
	__u64 smear_mult;
	__u32 window_sec;
	__s32 dir;
	__u32 mode;
	__u32 __pad;
};

/*
 * struct ordo_clock_status - synchronisation status, set by the daemon.
 * @last_update:  mono ns of the last ordo_clock_set_sync()
 * @root_delay:   ns, round trip to the primary reference
 * @root_disp:    ns, dispersion to the primary reference
 * @est_error:    ns, estimated error (informational)
 * @drift_ppb:    bound on the drift of the clock since @last_update
 * @stratum:      0..15, ORDO_CLOCK_STRATUM_UNSYNC = unsynchronised
 * @flags:        ORDO_CLOCK_ST_*
 */
struct ordo_clock_status {
	__u64 last_update;
	__u64 root_delay;
	__u64 root_disp;
	__u64 est_error;
	__u32 drift_ppb;
	__u32 stratum;
	__u32 flags;
	__u32 __pad;
};

/*
 * struct ordo_clock_snap - everything a reader needs; fixed-size POD.
 *
 * Counter value cyc is at delta = (cyc - cycle_last) & mask cycles from
 * the base. mono = mono_ns + (mono_frac + D) >> shift where
 * D = delta * mult                                  for delta <= seg_end
 * D = seg_end * mult + (delta - seg_end) * mult_next otherwise.
 * mono_raw likewise with raw_ns, raw_frac and mult_raw.
 *
 * @cycle_last:   counter value at the base
 * @mask:         counter mask (2^bits - 1)
 * @mult_raw:     nominal ns per cycle << shift
 * @mult:         mono ns per cycle << shift, until @seg_end
 * @mult_next:    mono ns per cycle << shift, after @seg_end (slew ended)
 * @seg_end:      cycles from the base at which the slew ends, U64_MAX if
 *                it does not end before the next update (or none)
 * @raw_ns, @raw_frac:    mono_raw at the base; frac in 2^-shift ns
 * @mono_ns, @mono_frac:  mono at the base
 * @wall_off:     cont - mono, ns
 * @slew_ns:      |pending slew| at the base, rounded up (for the bound)
 * @shift:        fixed-point shift of the mults, 0..63
 * @tai_off:      TAI - UTC in s before the armed leap
 * @leap:         armed leap second (leap.dir == 0: none)
 * @status:       synchronisation status and error bound parameters
 */
struct ordo_clock_snap {
	__u64 cycle_last;
	__u64 mask;
	__u64 mult_raw;
	__u64 mult;
	__u64 mult_next;
	__u64 seg_end;
	__u64 raw_ns;
	__u64 raw_frac;
	__u64 mono_ns;
	__u64 mono_frac;
	__s64 wall_off;
	__u64 slew_ns;
	__u32 shift;
	__s32 tai_off;
	struct ordo_leap leap;
	struct ordo_clock_status status;
};

#define ORDO_CLOCK_PAGE_VERSION	1

/* struct ordo_clock_page.counter */
enum ordo_clock_counter {
	ORDO_CLOCK_COUNTER_TSC,
	ORDO_CLOCK_COUNTER_HPET,
};

/* struct ordo_clock_page.flags */
#define ORDO_CLOCK_PAGE_F_USER_READABLE	_BITUL(0)	/* counter readable from userspace (TSC) */

/*
 * struct ordo_clock_page - the page /dev/ordo_clock maps read-only.
 * @seq:      sequence count: odd while the module writes the page; a
 *            reader copies @snap between two equal even reads of @seq
 *            (with read barriers), reading the counter inside, and
 *            retries otherwise
 * @version:  ORDO_CLOCK_PAGE_VERSION
 * @counter:  enum ordo_clock_counter the snapshot is based on
 * @flags:    ORDO_CLOCK_PAGE_F_*
 * @snap:     the snapshot
 */
struct ordo_clock_page {
	__u32 seq;
	__u32 version;
	__u32 counter;
	__u32 flags;
	struct ordo_clock_snap snap;
};

#endif /* _UAPI_LINUX_ORDO_H */
