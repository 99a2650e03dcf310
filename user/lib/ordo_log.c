// SPDX-License-Identifier: GPL-2.0
/*
 * libordo runtime: logging to stderr or to the journal (ordo_rt.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "ordo_rt.h"

static struct {
	char ident[64];
	enum ordo_log_target target;
	int max_level;
	void (*hook)(int level, const char *msg, void *arg);
	void *hook_arg;
} ordo_logger = {
	.ident = "ordo",
	.target = ORDO_LOG_STDERR,
	.max_level = LOG_INFO,
};

void ordo_log_init(const char *ident, enum ordo_log_target target,
		   int max_level)
{
	if (ident)
		snprintf(ordo_logger.ident, sizeof(ordo_logger.ident), "%s",
			 ident);
	ordo_logger.target = target;
	ordo_log_set_level(max_level);
}

void ordo_log_set_target(enum ordo_log_target target)
{
	ordo_logger.target = target;
}

void ordo_log_set_level(int max_level)
{
	if (max_level < LOG_EMERG)
		max_level = LOG_EMERG;
	if (max_level > LOG_DEBUG)
		max_level = LOG_DEBUG;
	ordo_logger.max_level = max_level;
}

int ordo_log_level(void)
{
	return ordo_logger.max_level;
}

void ordo_log_set_hook(void (*fn)(int level, const char *msg, void *arg),
		       void *arg)
{
	ordo_logger.hook = fn;
	ordo_logger.hook_arg = arg;
}

static const char *ordo_level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void ordo_vlog(int level, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (ordo_logger.hook)
		ordo_logger.hook(level, msg, ordo_logger.hook_arg);
	if (level > ordo_logger.max_level)
		goto out;
	if (ordo_logger.target == ORDO_LOG_JOURNAL)
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level,
				"SYSLOG_IDENTIFIER=%s", ordo_logger.ident,
				NULL);
	else
		fprintf(stderr, "%s: %s: %s\n", ordo_logger.ident,
			ordo_level_name(level), msg);
out:
	errno = saved;
}

void ordo_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ordo_vlog(level, fmt, ap);
	va_end(ap);
}
