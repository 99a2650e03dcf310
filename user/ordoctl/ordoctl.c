// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl - control and inspect the Ordo kernel module.
 *
 * Commands are looked up in a table (like iproute2's "ip"); a command may
 * be abbreviated to any unique prefix.  New subsystems (clock, lclock, ...)
 * add one entry to ordo_cmds[].
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "libordo.h"
#include "ordo_caps.h"

struct ordoctl {
	bool json;
	struct ordo *h;
	const char *cmd;	/* full name of the running command */
};

struct ordoctl_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(struct ordoctl *ctl, int argc, char **argv);
};

static const char *prog = "ordoctl";

static void usage(FILE *f);

static int usage_error(const char *fmt, const char *arg)
{
	return cli_usage(NULL, fmt, arg);
}

/* Report a libordo error and return the matching exit code. */
static int report(struct ordoctl *ctl, const char *what, int err)
{
	return cli_report(ctl->h, NULL, what, err, NULL);
}

static int connect_module(struct ordoctl *ctl)
{
	return cli_connect(&ctl->h, NULL);
}

static int json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return EXIT_OK;
}

/* ordoctl info */
static int cmd_info(struct ordoctl *ctl, int argc, char **argv)
{
	char names[ORDO_CAPS_STRLEN];
	struct ordo_info info;
	unsigned int bit;
	int err;

	if (argc > 0)
		return usage_error("info: unexpected argument '%s'", argv[0]);
	err = connect_module(ctl);
	if (err)
		return err;
	err = ordo_get_info(ctl->h, &info);
	if (err)
		return report(ctl, "info", err);

	if (ctl->json) {
		struct json_object *o = json_object_new_object();
		struct json_object *caps = json_object_new_array();

		json_object_object_add(o, "version",
				       json_object_new_string(info.version));
		json_object_object_add(o, "build_id",
				       json_object_new_string(info.build_id));
		json_object_object_add(o, "genl_version",
				       json_object_new_int64(info.genl_version));
		json_object_object_add(o, "capabilities",
				       json_object_new_uint64(info.caps));
		for (bit = 0; bit < 64; bit++) {
			const char *name = ordo_cap_name(bit);
			char buf[16];

			if (!(info.caps & (1ULL << bit)))
				continue;
			if (!name) {
				snprintf(buf, sizeof(buf), "bit%u", bit);
				name = buf;
			}
			json_object_array_add(caps, json_object_new_string(name));
		}
		json_object_object_add(o, "capability_names", caps);
		return json_print(o);
	}

	printf("version:      %s\n", info.version);
	printf("build_id:     %s\n", info.build_id);
	printf("genl_version: %" PRIu32 "\n", info.genl_version);
	if (ordo_caps_format(names, sizeof(names), info.caps) < 0)
		names[0] = '\0';
	printf("capabilities: 0x%" PRIx64 " %s\n", info.caps, names);
	return EXIT_OK;
}

static void stat_print(struct ordoctl *ctl, struct json_object *o,
		       const struct ordo_stat *st)
{
	if (ctl->json)
		json_object_object_add(o, st->name,
				       json_object_new_uint64(st->value));
	else
		printf("%-24s %" PRIu64 "\n", st->name, st->value);
}

struct stats_dump_arg {
	struct ordoctl *ctl;
	struct json_object *obj;
};

static int stats_dump_fn(const struct ordo_stat *st, void *arg)
{
	struct stats_dump_arg *a = arg;

	stat_print(a->ctl, a->obj, st);
	return 0;
}

/* ordoctl stats [NAME] */
static int cmd_stats(struct ordoctl *ctl, int argc, char **argv)
{
	struct stats_dump_arg a = { .ctl = ctl };
	struct ordo_stat st;
	int err;

	if (argc > 1)
		return usage_error("stats: unexpected argument '%s'", argv[1]);
	if (argc == 1 && strlen(argv[0]) >= ORDO_STAT_NAME_LEN)
		return usage_error("stats: statistic name too long: '%s'",
				   argv[0]);
	err = connect_module(ctl);
	if (err)
		return err;

	if (ctl->json)
		a.obj = json_object_new_object();

	if (argc == 1) {
		err = ordo_stat_get(ctl->h, argv[0], &st);
		if (!err)
			stat_print(ctl, a.obj, &st);
	} else {
		err = ordo_stats_dump(ctl->h, stats_dump_fn, &a);
		if (err > 0)
			err = 0;
	}

	if (err) {
		json_object_put(a.obj);
		return report(ctl, argc ? argv[0] : "stats", err);
	}
	return ctl->json ? json_print(a.obj) : EXIT_OK;
}

/* ordoctl clock ... (clock.c) */
static int cmd_clock(struct ordoctl *ctl, int argc, char **argv)
{
	return ordoctl_clock(ctl->json, argc, argv);
}

/* ordoctl lclock ... (lclock.c) */
static int cmd_lclock(struct ordoctl *ctl, int argc, char **argv)
{
	return ordoctl_lclock(ctl->json, argc, argv);
}

/* ordoctl mcast ... (mcast.c) */
static int cmd_mcast(struct ordoctl *ctl, int argc, char **argv)
{
	return ordoctl_mcast(ctl->json, argc, argv);
}

/* ordoctl lock ... (lock.c) */
static int cmd_lock(struct ordoctl *ctl, int argc, char **argv)
{
	return ordoctl_lock(ctl->json, argc, argv);
}

/* ordoctl leader ... (leader.c) */
static int cmd_leader(struct ordoctl *ctl, int argc, char **argv)
{
	return ordoctl_leader(ctl->json, argc, argv);
}

static int cmd_help(struct ordoctl *ctl, int argc, char **argv)
{
	(void)ctl;
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static const struct ordoctl_cmd ordo_cmds[] = {
	{ "info",  "",       "show module version, build id and capabilities",
	  cmd_info },
	{ "stats", "[NAME]", "show all statistics, or only NAME",
	  cmd_stats },
	{ "clock", "SUBCMD", "the clock (ordoctl clock help)",
	  cmd_clock },
	{ "lclock", "SUBCMD", "logical clocks (ordoctl lclock help)",
	  cmd_lclock },
	{ "mcast", "OPTIONS", "ordered multicast group (ordoctl mcast --help)",
	  cmd_mcast },
	{ "lock",  "SUBCMD", "distributed locks of ordo-mutexd (ordoctl lock help)",
	  cmd_lock },
	{ "leader", "SUBCMD", "leader election of ordo-electd (ordoctl leader help)",
	  cmd_leader },
	{ "help",  "",       "show this help",
	  cmd_help },
};

#define N_CMDS (sizeof(ordo_cmds) / sizeof(ordo_cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Options:\n"
		"  -j, --json     print JSON instead of text\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the ordoctl version and exit\n"
		"\n"
		"Commands (may be abbreviated):\n", prog);
	for (i = 0; i < N_CMDS; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%s %s", ordo_cmds[i].name,
			 ordo_cmds[i].args);
		fprintf(f, "  %-14s %s\n", buf, ordo_cmds[i].help);
	}
	fprintf(f,
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  usage error\n"
		"  2  the ordo module is not loaded\n"
		"  3  the request failed\n");
}

static const struct ordoctl_cmd *find_cmd(const char *name)
{
	const struct ordoctl_cmd *match = NULL;
	size_t len = strlen(name);
	size_t i;

	for (i = 0; i < N_CMDS; i++) {
		if (!strcmp(name, ordo_cmds[i].name))
			return &ordo_cmds[i];
		if (len && !strncmp(name, ordo_cmds[i].name, len)) {
			if (match)
				return NULL;	/* ambiguous */
			match = &ordo_cmds[i];
		}
	}
	return match;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",    no_argument, NULL, 'j' },
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ordoctl ctl = { 0 };
	const struct ordoctl_cmd *cmd;
	int opt, ret;

	opterr = 0;
	/* '+': options end at the command name */
	while ((opt = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			ctl.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s\n", prog, ORDO_VERSION);
			return EXIT_OK;
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}

	if (optind >= argc)
		return usage_error("%s", "missing command");

	cmd = find_cmd(argv[optind]);
	if (!cmd)
		return usage_error("unknown command '%s'", argv[optind]);

	ctl.cmd = cmd->name;
	ret = cmd->fn(&ctl, argc - optind - 1, argv + optind + 1);
	ordo_close(ctl.h);
	return ret;
}
