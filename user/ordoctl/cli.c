// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl: exit codes and error lines shared by every command file.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "libordo.h"

int cli_usage(const char *cmd, const char *fmt, const char *arg)
{
	if (cmd)
		fprintf(stderr, "ordoctl %s: ", cmd);
	else
		fprintf(stderr, "ordoctl: ");
	fprintf(stderr, fmt, arg);
	if (cmd)
		fprintf(stderr, " (try 'ordoctl %s help')\n", cmd);
	else
		fprintf(stderr, " (try 'ordoctl --help')\n");
	return EXIT_USAGE;
}

int cli_report(struct ordo *h, const char *cmd, const char *what, int err,
	       const char *perm_hint)
{
	const char *msg = h ? ordo_errmsg(h) : NULL;

	if (err == ORDO_ERR_NOT_LOADED) {
		fprintf(stderr, "%s\n", NOT_LOADED_MSG);
		return EXIT_NOMOD;
	}
	if (err == -EPERM && !msg)
		msg = perm_hint;
	/* the top level says "ordoctl: WHAT: ...", commands "ordoctl CMD WHAT: ..." */
	fprintf(stderr, "ordoctl%s%s%s%s: ", cmd ? " " : "", cmd ? cmd : "",
		cmd ? " " : ": ", what);
	if (msg)
		fprintf(stderr, "%s (%s)\n", msg, ordo_strerror(err));
	else
		fprintf(stderr, "%s\n", ordo_strerror(err));
	return EXIT_FAIL;
}

int cli_connect(struct ordo **h, const char *cmd)
{
	int err = ordo_open(h);

	return err ? cli_report(*h, cmd, "connect", err, NULL) : EXIT_OK;
}
