/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ordoctl: what the command files share — exit codes and the one-line
 * error messages.
 */
#ifndef ORDOCTL_CLI_H
#define ORDOCTL_CLI_H

#include <stdbool.h>

struct ordo;

/* Exit codes, documented in `ordoctl --help` and Documentation/ordoctl.rst. */
enum {
	EXIT_OK		= 0,
	EXIT_USAGE	= 1,
	EXIT_NOMOD	= 2,
	EXIT_FAIL	= 3,
};

#define NOT_LOADED_MSG	"ordo module not loaded (modprobe ordo)"

/*
 * "ordoctl[ CMD]: <fmt, arg> (try 'ordoctl[ CMD] --help|help')" on stderr;
 * returns EXIT_USAGE. @cmd NULL: the top level.
 */
int cli_usage(const char *cmd, const char *fmt, const char *arg);

/*
 * Report a libordo error of "ordoctl[ CMD] WHAT" on stderr, with the
 * kernel's extack message when there is one (@perm_hint stands in for it
 * on a bare EPERM); returns the exit code: EXIT_NOMOD when the module is
 * not loaded, else EXIT_FAIL. @h may be NULL.
 */
int cli_report(struct ordo *h, const char *cmd, const char *what, int err,
	       const char *perm_hint);

/* ordo_open() into *@h; on failure, cli_report() it. */
int cli_connect(struct ordo **h, const char *cmd);

/* The command families in their own files. */
int ordoctl_clock(bool json, int argc, char **argv);
int ordoctl_lclock(bool json, int argc, char **argv);
int ordoctl_mcast(bool json, int argc, char **argv);
int ordoctl_lclock_trace(bool json, int argc, char **argv);
int ordoctl_lock(bool json, int argc, char **argv);
int ordoctl_leader(bool json, int argc, char **argv);

#endif /* ORDOCTL_CLI_H */
