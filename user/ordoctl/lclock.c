// SPDX-License-Identifier: GPL-2.0
/*
 * ordoctl lclock - logical clock domains: show, tick, domain add|del|list,
 * trace (lctrace.c).
 * -j prints JSON everywhere. See Documentation/socket-stamping.rst.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <linux/ordo_wire.h>

#include "cli.h"
#include "libordo.h"

struct lcctl {
	bool json;
	struct ordo *h;
	struct json_object *arr;	/* list/show -j: the domains */
};

static void lc_help(FILE *f)
{
	fprintf(f,
		"usage: ordoctl [-j] lclock COMMAND\n"
		"  show [DOMAIN]          every domain, or one\n"
		"  tick DOMAIN            record a local event, show the clock\n"
		"  domain list            every domain, one line each\n"
		"  domain add ID --kind lamport|hlc [--node ID] [OPTIONS]\n"
		"  domain add ID --kind vector --n N --index I [--node ID] [OPTIONS]\n"
		"      --group G          group id on the wire (default: ID)\n"
		"      --max-jump J       future-jump threshold (0: none)\n"
		"      --refuse           drop timestamps beyond the threshold\n"
		"  domain del ID          (fails with EBUSY while sockets are attached)\n"
		"  trace [--group G] [--all] [--count N] [--duration SEC]\n"
		"                         stamped events as a ShiViz log (root)\n");
}

static int lc_usage(const char *fmt, const char *arg)
{
	return cli_usage("lclock", fmt, arg);
}

static int lc_report(struct lcctl *c, const char *what, int err)
{
	return cli_report(c->h, "lclock", what, err,
			  "permission denied: needs CAP_NET_ADMIN");
}

static int lc_connect(struct lcctl *c)
{
	return cli_connect(&c->h, "lclock");
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || !*s || *end || x > UINT32_MAX || s[0] == '-')
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || !*s || *end || s[0] == '-')
		return -EINVAL;
	*v = x;
	return 0;
}

static const char *kind_str(uint32_t kind)
{
	const char *s = ordo_lclock_kind_name(kind);

	return s ? s : "?";
}

static struct json_object *lc_json(const struct ordo_lclock_info *li)
{
	struct json_object *o = json_object_new_object(), *a, *d;
	unsigned int k;

	json_object_object_add(o, "domain", json_object_new_int64(li->domain));
	json_object_object_add(o, "group", json_object_new_int64(li->group));
	json_object_object_add(o, "kind",
			       json_object_new_string(kind_str(li->kind)));
	json_object_object_add(o, "node", json_object_new_int64(li->node));
	if (li->kind == ORDO_WIRE_KIND_VECTOR) {
		json_object_object_add(o, "n", json_object_new_int64(li->vc_n));
		json_object_object_add(o, "index",
				       json_object_new_int64(li->vc_index));
		a = json_object_new_array();
		for (k = 0; k < li->vc_n && k < 64; k++)
			json_object_array_add(a,
					      json_object_new_uint64(li->vc[k]));
		json_object_object_add(o, "vector", a);
	} else {
		json_object_object_add(o, "value",
				       json_object_new_uint64(li->value));
		if (li->kind == ORDO_WIRE_KIND_HLC)
			json_object_object_add(o, "hlc_c",
					       json_object_new_int64(li->hlc_c));
	}
	json_object_object_add(o, "max_jump",
			       json_object_new_uint64(li->max_jump));
	json_object_object_add(o, "refuse",
			       json_object_new_boolean(li->refuse));
	json_object_object_add(o, "sockets", json_object_new_int64(li->sockets));
	json_object_object_add(o, "stamped", json_object_new_uint64(li->stamped));
	json_object_object_add(o, "received",
			       json_object_new_uint64(li->received));
	json_object_object_add(o, "ticks", json_object_new_uint64(li->ticks));
	json_object_object_add(o, "future", json_object_new_uint64(li->future));
	json_object_object_add(o, "unstamped",
			       json_object_new_uint64(li->unstamped));
	d = json_object_new_object();
	for (k = 0; k < li->n_drops; k++)
		json_object_object_add(d, li->drops[k].name,
				       json_object_new_uint64(li->drops[k].value));
	json_object_object_add(o, "dropped", d);
	return o;
}

static void lc_print_value(const struct ordo_lclock_info *li)
{
	unsigned int k;

	if (li->kind == ORDO_WIRE_KIND_VECTOR) {
		printf("[");
		for (k = 0; k < li->vc_n && k < 64; k++)
			printf("%s%" PRIu64, k ? "," : "", li->vc[k]);
		printf("]");
	} else if (li->kind == ORDO_WIRE_KIND_HLC) {
		printf("%" PRIu64 ".%u", li->value, li->hlc_c);
	} else {
		printf("%" PRIu64, li->value);
	}
}

static void lc_print_long(const struct ordo_lclock_info *li)
{
	unsigned int k;
	uint64_t drops = 0;

	printf("domain %u: %s", li->domain, kind_str(li->kind));
	if (li->kind == ORDO_WIRE_KIND_VECTOR)
		printf(" n %u index %u", li->vc_n, li->vc_index);
	printf(" node %u group %u\n", li->node, li->group);
	printf("  value     ");
	lc_print_value(li);
	printf("\n  max_jump  %" PRIu64 "%s\n", li->max_jump,
	       li->refuse ? " (refuse)" : "");
	printf("  sockets   %u\n", li->sockets);
	printf("  stamped   %" PRIu64 "\n  received  %" PRIu64
	       "\n  ticks     %" PRIu64 "\n  future    %" PRIu64
	       "\n  unstamped %" PRIu64 "\n", li->stamped, li->received,
	       li->ticks, li->future, li->unstamped);
	for (k = 0; k < li->n_drops; k++)
		drops += li->drops[k].value;
	printf("  dropped   %" PRIu64, drops);
	for (k = 0; k < li->n_drops; k++)
		if (li->drops[k].value)
			printf(" %s=%" PRIu64, li->drops[k].name,
			       li->drops[k].value);
	printf("\n");
}

static void lc_print_short(const struct ordo_lclock_info *li)
{
	printf("%-10u %-8s %-6u %-6u ", li->domain, kind_str(li->kind),
	       li->node, li->sockets);
	lc_print_value(li);
	printf("\n");
}

static int lc_print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return EXIT_OK;
}

static int lc_each_long(const struct ordo_lclock_info *li, void *arg)
{
	struct lcctl *c = arg;

	if (c->json)
		json_object_array_add(c->arr, lc_json(li));
	else
		lc_print_long(li);
	return 0;
}

static int lc_each_short(const struct ordo_lclock_info *li, void *arg)
{
	struct lcctl *c = arg;

	if (c->json)
		json_object_array_add(c->arr, lc_json(li));
	else
		lc_print_short(li);
	return 0;
}

static int lc_dump(struct lcctl *c, const char *what, ordo_lclock_fn fn,
		   bool header)
{
	int ret;

	ret = lc_connect(c);
	if (ret)
		return ret;
	if (c->json)
		c->arr = json_object_new_array();
	else if (header)
		printf("%-10s %-8s %-6s %-6s %s\n", "DOMAIN", "KIND", "NODE",
		       "SOCKS", "VALUE");
	ret = ordo_lclock_dump(c->h, fn, c);
	if (ret < 0) {
		json_object_put(c->arr);
		return lc_report(c, what, ret);
	}
	return c->json ? lc_print_json(c->arr) : EXIT_OK;
}

static int lc_one(struct lcctl *c, const char *what, const char *id,
		  bool tick)
{
	struct ordo_lclock_info *li;
	uint32_t dom;
	int ret;

	if (parse_u32(id, &dom))
		return lc_usage("bad domain id '%s'", id);
	ret = lc_connect(c);
	if (ret)
		return ret;
	li = calloc(1, sizeof(*li));
	if (!li)
		return EXIT_FAIL;
	ret = tick ? ordo_lclock_tick(c->h, dom, li) :
		     ordo_lclock_get(c->h, dom, li);
	if (ret) {
		free(li);
		return lc_report(c, what, ret);
	}
	if (c->json) {
		ret = lc_print_json(lc_json(li));
	} else {
		lc_print_long(li);
		ret = EXIT_OK;
	}
	free(li);
	return ret;
}

static int lc_show(struct lcctl *c, int argc, char **argv)
{
	if (argc > 1)
		return lc_usage("show takes at most one domain%s", "");
	if (argc == 1)
		return lc_one(c, "show", argv[0], false);
	return lc_dump(c, "show", lc_each_long, false);
}

static int lc_tick(struct lcctl *c, int argc, char **argv)
{
	if (argc != 1)
		return lc_usage("tick takes one domain%s", "");
	return lc_one(c, "tick", argv[0], true);
}

static int lc_domain_add(struct lcctl *c, int argc, char **argv)
{
	struct ordo_lclock_params p = { 0 };
	bool has_n = false, has_index = false;
	int i, ret;

	if (argc < 1 || parse_u32(argv[0], &p.domain))
		return lc_usage("domain add needs an ID%s", "");
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--refuse")) {
			p.refuse = 1;
			continue;
		}
		if (!val)
			return lc_usage("%s needs a value", opt);
		i++;
		if (!strcmp(opt, "--kind")) {
			if (ordo_lclock_kind_parse(val, &p.kind))
				return lc_usage("unknown kind '%s'", val);
		} else if (!strcmp(opt, "--n")) {
			if (parse_u32(val, &p.vc_n))
				return lc_usage("bad --n '%s'", val);
			has_n = true;
		} else if (!strcmp(opt, "--index")) {
			if (parse_u32(val, &p.vc_index))
				return lc_usage("bad --index '%s'", val);
			has_index = true;
		} else if (!strcmp(opt, "--node")) {
			if (parse_u32(val, &p.node))
				return lc_usage("bad --node '%s'", val);
			p.has_node = 1;
		} else if (!strcmp(opt, "--group")) {
			if (parse_u32(val, &p.group))
				return lc_usage("bad --group '%s'", val);
			p.has_group = 1;
		} else if (!strcmp(opt, "--max-jump")) {
			if (parse_u64(val, &p.max_jump))
				return lc_usage("bad --max-jump '%s'", val);
		} else {
			return lc_usage("unknown option '%s'", opt);
		}
	}
	if (!p.kind)
		return lc_usage("domain add needs --kind%s", "");
	if (p.kind == ORDO_WIRE_KIND_VECTOR && (!has_n || !has_index))
		return lc_usage("a vector domain needs --n and --index%s", "");
	if (p.kind != ORDO_WIRE_KIND_VECTOR && (has_n || has_index))
		return lc_usage("--n and --index are for vector domains%s", "");
	ret = lc_connect(c);
	if (ret)
		return ret;
	ret = ordo_lclock_domain_add(c->h, &p);
	if (ret)
		return lc_report(c, "domain add", ret);
	if (c->json)
		printf("{ \"domain\": %u, \"added\": true }\n", p.domain);
	return EXIT_OK;
}

static int lc_domain_del(struct lcctl *c, int argc, char **argv)
{
	uint32_t dom;
	int ret;

	if (argc != 1 || parse_u32(argv[0], &dom))
		return lc_usage("domain del takes one ID%s", "");
	ret = lc_connect(c);
	if (ret)
		return ret;
	ret = ordo_lclock_domain_del(c->h, dom);
	if (ret)
		return lc_report(c, "domain del", ret);
	if (c->json)
		printf("{ \"domain\": %u, \"deleted\": true }\n", dom);
	return EXIT_OK;
}

static int lc_domain(struct lcctl *c, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "list")) {
		if (argc > 1)
			return lc_usage("domain list takes no argument%s", "");
		return lc_dump(c, "domain list", lc_each_short, true);
	}
	if (!strcmp(argv[0], "add"))
		return lc_domain_add(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "del"))
		return lc_domain_del(c, argc - 1, argv + 1);
	return lc_usage("unknown domain command '%s'", argv[0]);
}

int ordoctl_lclock(bool json, int argc, char **argv)
{
	struct lcctl c = { .json = json };
	int ret = -1, i, n = 0;
	char **args;

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
	if (n == 0)
		args[n++] = "show";
	if (!strcmp(args[0], "help") || !strcmp(args[0], "--help") ||
	    !strcmp(args[0], "-h")) {
		lc_help(stdout);
		ret = EXIT_OK;
	} else if (!strcmp(args[0], "show")) {
		ret = lc_show(&c, n - 1, args + 1);
	} else if (!strcmp(args[0], "tick")) {
		ret = lc_tick(&c, n - 1, args + 1);
	} else if (!strcmp(args[0], "domain")) {
		ret = lc_domain(&c, n - 1, args + 1);
	} else if (!strcmp(args[0], "trace")) {
		ret = ordoctl_lclock_trace(c.json, n - 1, args + 1);
	} else {
		ret = lc_usage("unknown subcommand '%s'", args[0]);
	}
	if (c.h)
		ordo_close(c.h);
	free(args);
	return ret;
}
