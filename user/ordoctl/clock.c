// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl clock - the Ordo clock: show, watch events, step, slew, set the
 * frequency, arm leap seconds, switch the counter, TrueTime, the RTC, and
 * the inputs of a time daemon (sync status, PLL samples).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli.h"
#include "libordo.h"

#define NSEC_PER_SEC	1000000000LL

struct clockctl {
	bool json;
	struct ordo *h;
};

static int cusage(const char *fmt, const char *arg)
{
	return cli_usage("clock", fmt, arg);
}

static int creport(struct clockctl *c, const char *what, int err)
{
	return cli_report(c->h, "clock", what, err,
			  "permission denied: needs CAP_NET_ADMIN and CAP_SYS_TIME");
}

static int cconnect(struct clockctl *c)
{
	return cli_connect(&c->h, "clock");
}

/* "2026-12-31T23:59:58.5Z" (IN_LEAP: second 60) */
static void fmt_utc(char *buf, size_t size, int64_t ns, uint32_t leap_flags)
{
	int64_t sec = ns / NSEC_PER_SEC, frac = ns % NSEC_PER_SEC;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += NSEC_PER_SEC;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	if ((leap_flags & ORDO_CLOCK_LEAP_F_IN_LEAP) && tm.tm_sec == 59)
		tm.tm_sec = 60;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, frac);
}

/* ns, with an optional unit: ns, us, ms, s; decimals allowed (1.5ms) */
static int parse_offset(const char *s, int64_t *out)
{
	long double v;
	char *end;
	long double mul = 1;

	errno = 0;
	v = strtold(s, &end);
	if (end == s || errno)
		return -EINVAL;
	if (!*end || !strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "us"))
		mul = 1e3L;
	else if (!strcmp(end, "ms"))
		mul = 1e6L;
	else if (!strcmp(end, "s"))
		mul = 1e9L;
	else
		return -EINVAL;
	v *= mul;
	if (v > 9.2e18L || v < -9.2e18L)
		return -ERANGE;
	*out = (int64_t)(v < 0 ? v - 0.5L : v + 0.5L);
	return 0;
}

/*
 * A UTC time: seconds since the epoch ("1798761599", "@1798761599.5") or
 * ISO 8601 "YYYY-MM-DD[THH:MM:SS[.frac]][Z]" (a space may replace T).
 */
static int parse_time(const char *s, int64_t *ns)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, len;
	struct tm tm = { 0 };
	int64_t frac = 0;
	const char *p;

	if (*s == '@')
		s++;
	if (!strchr(s, '-') || *s == '-') {
		long double v;
		char *end;

		errno = 0;
		v = strtold(s, &end);
		if (end == s || *end || errno)
			return -EINVAL;
		*ns = (int64_t)(v * 1e9L);
		return 0;
	}
	if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3)
		return -EINVAL;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (sscanf(p, "%d:%d:%d%n", &h, &mi, &sec, &n) != 3)
			return -EINVAL;
		p += n;
		if (*p == '.') {
			p++;
			for (len = 0; len < 9 && *p >= '0' && *p <= '9'; len++, p++)
				frac = frac * 10 + (*p - '0');
			for (; len < 9; len++)
				frac *= 10;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'Z')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ns = (int64_t)timegm(&tm) * NSEC_PER_SEC + frac;
	return 0;
}

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (end == s || *end || errno || x > UINT32_MAX || *s == '-')
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int parse_s64(const char *s, int64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 0);
	return (end == s || *end || errno) ? -EINVAL : 0;
}

static const char *event_names[] = {
	[ORDO_CLOCK_EV_STEP] = "step",
	[ORDO_CLOCK_EV_LEAP_ARMED] = "leap_armed",
	[ORDO_CLOCK_EV_LEAP_DISARMED] = "leap_disarmed",
	[ORDO_CLOCK_EV_LEAP_APPLIED] = "leap_applied",
	[ORDO_CLOCK_EV_SYNC_STATE] = "sync_state",
	[ORDO_CLOCK_EV_SOURCE] = "source",
};

static const char *leap_names[] = { "none", "insert", "delete" };
static const char *leap_mode_names[] = { "step", "smear", "none" };

static const char *name_of(const char **names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

#define NAME(arr, v) name_of(arr, sizeof(arr) / sizeof(arr[0]), v)

/* ---- show ---- */

static int clock_show(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_info ci;
	char wall[64], tai[64], buf[64];
	int err;

	(void)argv;
	if (argc > 0)
		return cusage("show: unexpected argument '%s'", argv[0]);
	err = cconnect(c);
	if (err)
		return err;
	err = ordo_clock_get(c->h, &ci);
	if (err)
		return creport(c, "show", err);
	fmt_utc(wall, sizeof(wall), ci.wall, ci.leap_flags);
	fmt_utc(tai, sizeof(tai), ci.tai, 0);
	if (c->json) {
		struct json_object *o = json_object_new_object();

#define JI(k, v) json_object_object_add(o, k, json_object_new_int64(v))
#define JU(k, v) json_object_object_add(o, k, json_object_new_uint64(v))
#define JS(k, v) json_object_object_add(o, k, json_object_new_string(v))
		JS("source", ci.source);
		JU("counter", ci.counter);
		JU("counter_hz", ci.counter_hz);
		JU("mono", ci.mono);
		JU("mono_raw", ci.mono_raw);
		JI("wall", ci.wall);
		JS("utc", wall);
		JI("tai", ci.tai);
		JI("slew_pending", ci.slew_pending);
		JU("slew_rate_ppb", ci.slew_rate);
		JI("freq_sppb", ci.freq);
		json_object_object_add(o, "freq_ppb",
				       json_object_new_double(ci.freq / 65536.0));
		JU("pll_tc", ci.pll_tc);
		JS("pll_mode", ci.pll_mode ? "fll" : "pll");
		JU("stratum", ci.stratum);
		JU("refid", ci.refid);
		JU("root_delay", ci.root_delay);
		JU("root_disp", ci.root_disp);
		JU("est_error", ci.est_error);
		JU("max_error", ci.max_error);
		JU("drift_ppb", ci.drift);
		JS("sync", ci.sync == ORDO_CLOCK_SYNCED ? "synced" : "unsync");
		JU("last_update", ci.last_update);
		JS("leap", NAME(leap_names, ci.leap));
		JI("leap_time", ci.leap_time);
		JS("leap_mode", NAME(leap_mode_names, ci.leap_mode));
		JU("smear_window", ci.smear_window);
		JI("tai_offset", ci.tai_offset);
		JU("leap_flags", ci.leap_flags);
		if (ci.has_tt) {
			JI("tt_earliest", ci.tt_earliest);
			JI("tt_latest", ci.tt_latest);
		}
		if (ci.has_rtc)
			JI("rtc", ci.rtc);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return EXIT_OK;
	}
	printf("source:       %s (%" PRIu64 " Hz, counter %" PRIu64 ")\n",
	       ci.source, ci.counter_hz, ci.counter);
	printf("utc:          %s (%" PRId64 ")\n", wall, ci.wall);
	printf("tai:          %s (TAI-UTC %" PRId32 " s)\n", tai, ci.tai_offset);
	printf("mono:         %" PRIu64 " ns (raw %" PRIu64 ")\n", ci.mono,
	       ci.mono_raw);
	printf("freq:         %.3f ppb\n", ci.freq / 65536.0);
	printf("slew:         %" PRId64 " ns pending at %" PRIu32 " ppb\n",
	       ci.slew_pending, ci.slew_rate);
	printf("pll:          %s, time constant %" PRIu32 "\n",
	       ci.pll_mode ? "fll" : "pll", ci.pll_tc);
	printf("sync:         %s, stratum %" PRIu32 ", refid 0x%08" PRIx32 "\n",
	       ci.sync == ORDO_CLOCK_SYNCED ? "synced" : "unsync", ci.stratum,
	       ci.refid);
	printf("error:        root delay %" PRIu64 " ns, root disp %" PRIu64
	       " ns, est %" PRIu64 " ns, max %" PRIu64 " ns, drift %" PRIu32
	       " ppb\n", ci.root_delay, ci.root_disp, ci.est_error,
	       ci.max_error, ci.drift);
	printf("last update:  %" PRIu64 " ns (mono)\n", ci.last_update);
	if (ci.leap != ORDO_CLOCK_LEAP_NONE) {
		fmt_utc(buf, sizeof(buf), ci.leap_time * NSEC_PER_SEC, 0);
		printf("leap:         %s at %s, mode %s, window %" PRIu32
		       " s, flags 0x%" PRIx32 "\n", NAME(leap_names, ci.leap),
		       buf, NAME(leap_mode_names, ci.leap_mode),
		       ci.smear_window, ci.leap_flags);
	} else {
		printf("leap:         none\n");
	}
	if (ci.has_tt)
		printf("truetime:     [%" PRId64 ", %" PRId64 "]\n",
		       ci.tt_earliest, ci.tt_latest);
	else
		printf("truetime:     unsynchronised\n");
	if (ci.has_rtc)
		printf("rtc:          %" PRId64 "\n", ci.rtc);
	return EXIT_OK;
}

/* ---- watch ---- */

static int clock_watch(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_watch *w;
	struct ordo_clock_ntf ev;
	char buf[64];
	int err;

	if (argc > 0)
		return cusage("watch: unexpected argument '%s'", argv[0]);
	err = ordo_clock_watch_open(&w);
	if (err)
		return creport(c, "watch", err);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		err = ordo_clock_watch_next(w, &ev);
		if (err == ORDO_ERR_NOT_LOADED) {
			if (c->json)
				printf("{\"event\":\"unloaded\"}\n");
			else
				printf("unloaded\n");
			ordo_clock_watch_close(w);
			return EXIT_NOMOD;
		}
		if (err) {
			ordo_clock_watch_close(w);
			return creport(c, "watch", err);
		}
		if (c->json) {
			struct json_object *o = json_object_new_object();
			uint64_t p = ev.present;

			JS("event", NAME(event_names, ev.event));
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_WALL))
				JI("wall", ev.wall);
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_STEP))
				JI("step", ev.step);
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP))
				JS("leap", NAME(leap_names, ev.leap));
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP_TIME))
				JI("leap_time", ev.leap_time);
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP_MODE))
				JS("leap_mode", NAME(leap_mode_names, ev.leap_mode));
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_TAI_OFFSET))
				JI("tai_offset", ev.tai_offset);
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SYNC))
				JS("sync", ev.sync ? "synced" : "unsync");
			if (p & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SOURCE))
				JS("source", ev.source);
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
			continue;
		}
		switch (ev.event) {
		case ORDO_CLOCK_EV_STEP:
			fmt_utc(buf, sizeof(buf), ev.wall, 0);
			printf("step %+" PRId64 " ns to %s\n", ev.step, buf);
			break;
		case ORDO_CLOCK_EV_LEAP_ARMED:
			printf("leap_armed %s at %" PRId64 " mode %s\n",
			       NAME(leap_names, ev.leap), ev.leap_time,
			       NAME(leap_mode_names, ev.leap_mode));
			break;
		case ORDO_CLOCK_EV_LEAP_APPLIED:
			printf("leap_applied %s tai_offset %" PRId32 "\n",
			       NAME(leap_names, ev.leap), ev.tai_offset);
			break;
		case ORDO_CLOCK_EV_SYNC_STATE:
			printf("sync_state %s\n", ev.sync ? "synced" : "unsync");
			break;
		case ORDO_CLOCK_EV_SOURCE:
			printf("source %s\n", ev.source);
			break;
		default:
			printf("%s\n", NAME(event_names, ev.event));
			break;
		}
	}
}

/* ---- setters ---- */

static int do_set(struct clockctl *c, const char *what,
		  const struct ordo_clock_set *s)
{
	int err = cconnect(c);

	if (err)
		return err;
	err = ordo_clock_set(c->h, s);
	return err ? creport(c, what, err) : EXIT_OK;
}

static int clock_step(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_set s = { 0 };

	if (argc == 2 && !strcmp(argv[0], "--to")) {
		if (parse_time(argv[1], &s.wall))
			return cusage("step: bad time '%s'", argv[1]);
		s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_WALL);
	} else if (argc == 1 && (argv[0][0] == '+' || argv[0][0] == '-')) {
		if (parse_offset(argv[0], &s.step))
			return cusage("step: bad offset '%s'", argv[0]);
		s.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_STEP);
	} else {
		return cusage("%s", "step: {+|-}OFFSET or --to TIME");
	}
	return do_set(c, "step", &s);
}

static int clock_slew(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_set s = { .mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SLEW) };

	if (argc != 1 || parse_offset(argv[0], &s.slew))
		return cusage("%s", "slew: OFFSET (ns, or with ns/us/ms/s)");
	return do_set(c, "slew", &s);
}

static int clock_freq(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_set s = { .mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_FREQ) };
	long double v;
	char *end;

	if (argc != 1)
		return cusage("%s", "freq: PPB");
	errno = 0;
	v = strtold(argv[0], &end);
	if (end == argv[0] || *end || errno || v > 1e9L || v < -1e9L)
		return cusage("freq: bad value '%s'", argv[0]);
	s.freq = (int64_t)(v * 65536.0L);
	return do_set(c, "freq", &s);
}

static int clock_leap(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_set s = { .mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP) };
	int i;

	if (argc < 1)
		return cusage("%s", "leap: insert|delete|disarm");
	if (!strcmp(argv[0], "disarm")) {
		if (argc != 1)
			return cusage("leap disarm: unexpected '%s'", argv[1]);
		s.leap = ORDO_CLOCK_LEAP_NONE;
		return do_set(c, "leap", &s);
	}
	if (!strcmp(argv[0], "insert"))
		s.leap = ORDO_CLOCK_LEAP_INSERT;
	else if (!strcmp(argv[0], "delete"))
		s.leap = ORDO_CLOCK_LEAP_DELETE;
	else
		return cusage("leap: unknown '%s'", argv[0]);
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t ns;

		if (!v)
			return cusage("leap: %s needs a value", o);
		i++;
		if (!strcmp(o, "--at")) {
			if (parse_time(v, &ns))
				return cusage("leap: bad time '%s'", v);
			s.leap_time = ns / NSEC_PER_SEC;
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP_TIME);
		} else if (!strcmp(o, "--mode")) {
			if (!strcmp(v, "step"))
				s.leap_mode = ORDO_CLOCK_LEAP_MODE_STEP;
			else if (!strcmp(v, "smear"))
				s.leap_mode = ORDO_CLOCK_LEAP_MODE_SMEAR;
			else if (!strcmp(v, "none"))
				s.leap_mode = ORDO_CLOCK_LEAP_MODE_IGNORE;
			else
				return cusage("leap: bad mode '%s'", v);
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP_MODE);
		} else if (!strcmp(o, "--window")) {
			if (parse_u32(v, &s.smear_window))
				return cusage("leap: bad window '%s'", v);
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SMEAR_WINDOW);
		} else if (!strcmp(o, "--tai")) {
			if (parse_s64(v, &ns) || ns < INT32_MIN || ns > INT32_MAX)
				return cusage("leap: bad TAI offset '%s'", v);
			s.tai_offset = (int32_t)ns;
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_TAI_OFFSET);
		} else {
			return cusage("leap: unknown option '%s'", o);
		}
	}
	if (!(s.mask & ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_LEAP_TIME)))
		return cusage("%s", "leap: --at DATE_OR_EPOCH required");
	return do_set(c, "leap", &s);
}

static int clock_source(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_set s = { .mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SOURCE) };

	if (argc != 1 || strlen(argv[0]) >= sizeof(s.source))
		return cusage("%s", "source: tsc|hpet");
	strcpy(s.source, argv[0]);
	return do_set(c, "source", &s);
}

/* tt [--after T | --before T | --wait-until T]: T in ns since the epoch */
static int clock_tt(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_info ci;
	const char *op = NULL;
	int64_t t = 0;
	char *end;
	int err;

	if (argc > 0) {
		if (argc != 2 || (strcmp(argv[0], "--after") &&
				  strcmp(argv[0], "--before") &&
				  strcmp(argv[0], "--wait-until")))
			return cusage("tt: %s", "expected [--after|--before|--wait-until NS]");
		op = argv[0] + 2;
		errno = 0;
		t = strtoll(argv[1], &end, 10);
		if (errno || end == argv[1] || *end)
			return cusage("tt: '%s' is not a time in ns since the epoch", argv[1]);
	}
	err = cconnect(c);
	if (err)
		return err;
	if (op) {
		if (!strcmp(op, "wait-until"))
			err = ordo_tt_wait_until(t);
		else if (!strcmp(op, "after"))
			err = ordo_clock_tt_after(t);
		else
			err = ordo_clock_tt_before(t);
		if (err == -ENODATA) {
			fprintf(stderr, "ordoctl clock tt: clock not synchronised\n");
			return EXIT_FAIL;
		}
		if (err < 0)
			return creport(c, "tt", err);
		if (!strcmp(op, "wait-until"))
			err = 1;
		if (c->json)
			printf("{\"%s\":%" PRId64 ",\"result\":%s}\n", op, t,
			       err ? "true" : "false");
		else
			printf("%s\n", err ? "true" : "false");
		return EXIT_OK;
	}
	err = ordo_clock_get(c->h, &ci);
	if (err)
		return creport(c, "tt", err);
	if (!ci.has_tt) {
		fprintf(stderr, "ordoctl clock tt: clock not synchronised\n");
		return EXIT_FAIL;
	}
	if (c->json) {
		struct json_object *o = json_object_new_object();

		JI("earliest", ci.tt_earliest);
		JI("latest", ci.tt_latest);
		JI("width", ci.tt_latest - ci.tt_earliest);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("%" PRId64 " %" PRId64 " %" PRId64 "\n", ci.tt_earliest,
		       ci.tt_latest, ci.tt_latest - ci.tt_earliest);
	}
	return EXIT_OK;
}

static int clock_rtc(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_info ci;
	int err;

	if (argc == 1 && !strcmp(argv[0], "--write")) {
		struct ordo_clock_set s = {
			.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_RTC_WRITE),
		};

		return do_set(c, "rtc", &s);
	}
	if (argc > 0)
		return cusage("rtc: unexpected argument '%s'", argv[0]);
	err = cconnect(c);
	if (err)
		return err;
	err = ordo_clock_get(c->h, &ci);
	if (err)
		return creport(c, "rtc", err);
	if (!ci.has_rtc) {
		fprintf(stderr, "ordoctl clock rtc: no RTC\n");
		return EXIT_FAIL;
	}
	if (c->json)
		printf("{\"rtc\":%" PRId64 ",\"wall\":%" PRId64 "}\n", ci.rtc,
		       ci.wall);
	else
		printf("%" PRId64 " (clock %" PRId64 ".%09" PRId64 ")\n", ci.rtc,
		       (int64_t)(ci.wall / NSEC_PER_SEC),
		       (int64_t)(ci.wall % NSEC_PER_SEC));
	return EXIT_OK;
}

static int clock_sync(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_set s = { 0 };
	int i;

	for (i = 0; i < argc; i += 2) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t x;

		if (!strcmp(o, "--unsync")) {
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_SYNC);
			s.sync = ORDO_CLOCK_UNSYNC;
			i--;
			continue;
		}
		if (!v)
			return cusage("sync: %s needs a value", o);
		if (!strcmp(o, "--stratum")) {
			if (parse_u32(v, &s.stratum))
				return cusage("sync: bad stratum '%s'", v);
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_STRATUM);
		} else if (!strcmp(o, "--refid")) {
			if (parse_u32(v, &s.refid))
				return cusage("sync: bad refid '%s'", v);
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_REFID);
		} else if (!strcmp(o, "--root-delay")) {
			if (parse_s64(v, &x) || x < 0)
				return cusage("sync: bad root delay '%s'", v);
			s.root_delay = (uint64_t)x;
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_ROOT_DELAY);
		} else if (!strcmp(o, "--root-disp")) {
			if (parse_s64(v, &x) || x < 0)
				return cusage("sync: bad root dispersion '%s'", v);
			s.root_disp = (uint64_t)x;
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_ROOT_DISP);
		} else if (!strcmp(o, "--est-error")) {
			if (parse_s64(v, &x) || x < 0)
				return cusage("sync: bad estimated error '%s'", v);
			s.est_error = (uint64_t)x;
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_EST_ERROR);
		} else if (!strcmp(o, "--drift")) {
			if (parse_u32(v, &s.drift))
				return cusage("sync: bad drift '%s'", v);
			s.mask |= ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_DRIFT);
		} else {
			return cusage("sync: unknown option '%s'", o);
		}
	}
	if (!s.mask)
		return cusage("%s", "sync: --stratum N [--root-delay NS] [--root-disp NS] ...");
	return do_set(c, "sync", &s);
}

static int clock_pll(struct clockctl *c, int argc, char **argv)
{
	struct ordo_clock_set s = {
		.mask = ORDO_CLOCK_SET_BIT(ORDO_A_CLOCK_PLL_OFFSET),
	};

	if (argc != 1 || parse_offset(argv[0], &s.pll_offset))
		return cusage("%s", "pll: OFFSET_NS (our clock - reference)");
	return do_set(c, "pll", &s);
}

static void clock_help(FILE *f)
{
	fprintf(f,
		"Usage: ordoctl [-j] clock SUBCOMMAND [ARGS]\n"
		"  show                          all clocks and the status\n"
		"  watch                         print clock events, one a line\n"
		"  step {+|-}OFFSET | --to TIME  step the clock by / to\n"
		"  slew OFFSET                   absorb OFFSET gradually\n"
		"  freq PPB                      frequency correction\n"
		"  leap insert|delete --at DATE_OR_EPOCH [--mode step|smear|none]\n"
		"       [--window S] [--tai OFFSET]   arm a leap second at that midnight\n"
		"  leap disarm                   disarm the leap second\n"
		"  source tsc|hpet               switch the counter\n"
		"  tt                            TrueTime: earliest latest width (ns)\n"
		"  tt --after|--before NS        TT.after()/TT.before(): true or false\n"
		"  tt --wait-until NS            commit wait: return once TT.after(NS)\n"
		"  rtc [--write]                 read the RTC / write the clock to it\n"
		"  sync --stratum N [--root-delay NS] [--root-disp NS] [--est-error NS]\n"
		"       [--refid ID] [--drift PPB] | --unsync\n"
		"  pll OFFSET_NS                 feed a PLL sample (ours - reference)\n"
		"OFFSET: ns, or a number with ns, us, ms or s. TIME: seconds since the\n"
		"epoch or YYYY-MM-DD[THH:MM:SS[.frac]][Z] (UTC).\n");
}

int ordoctl_clock(bool json, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct clockctl *c, int argc, char **argv);
	} subs[] = {
		{ "show", clock_show }, { "watch", clock_watch },
		{ "step", clock_step }, { "slew", clock_slew },
		{ "freq", clock_freq }, { "leap", clock_leap },
		{ "source", clock_source }, { "tt", clock_tt },
		{ "rtc", clock_rtc }, { "sync", clock_sync },
		{ "pll", clock_pll },
	};
	struct clockctl c = { .json = json };
	int ret = -1, i, n = 0;
	char **args;
	size_t k;

	/* -j/--json may also follow the subcommand */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return EXIT_FAIL;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			c.json = true;
		else
			args[n++] = argv[i];
	}
	if (n == 0) {
		args[n++] = "show";
	}
	if (!strcmp(args[0], "help") || !strcmp(args[0], "--help") ||
	    !strcmp(args[0], "-h")) {
		clock_help(stdout);
		free(args);
		return EXIT_OK;
	}
	for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
		if (!strcmp(args[0], subs[k].name)) {
			ret = subs[k].fn(&c, n - 1, args + 1);
			break;
		}
	}
	if (ret < 0)
		ret = cusage("unknown subcommand '%s'", args[0]);
	if (c.h)
		ordo_close(c.h);
	free(args);
	return ret;
}
