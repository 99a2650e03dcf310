// SPDX-License-Identifier: GPL-2.0
/*
 * libordo runtime: service behaviour shared by the daemons (ordo_rt.h):
 * the common command-line options, configuration and logging set-up,
 * daemonizing, and sd_notify() readiness.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "ordo_rt.h"

const char ordo_svc_usage[] =
	"  -c, --config FILE     cluster configuration (default " ORDO_CONF_DEFAULT ")\n"
	"  -n, --node ID         this node's id (needed when the file has several nodes)\n"
	"  -s, --set S.K=V       override a configuration key, e.g. runtime.heartbeat_ms=50\n"
	"  -f, --foreground      do not daemonize (under systemd: always)\n"
	"  -v, --verbose         debug messages\n"
	"  -L, --log TARGET      stderr or journal (default: [runtime] log)\n"
	"  -S, --socket PATH     local API socket (default " ORDO_IPC_DIR "/DAEMON.sock)\n";

static void svc_notify(const char *fmt, va_list ap, const char *prefix)
{
	char status[256] = "";
	char msg[300];

	if (fmt)
		vsnprintf(status, sizeof(status), fmt, ap);
	if (*status)
		snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix, status);
	else
		snprintf(msg, sizeof(msg), "%s", prefix);
	sd_notify(0, msg);
}

void ordo_svc_ready(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	svc_notify(fmt, ap, "READY=1\n");
	va_end(ap);
}

void ordo_svc_status(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	svc_notify(fmt, ap, "");
	va_end(ap);
}

void ordo_svc_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

int ordo_svc_option(struct ordo_svc_opts *o, int opt, const char *arg)
{
	unsigned long long v;
	char *end;

	switch (opt) {
	case 'c':
		o->config = arg;
		return 1;
	case 'n':
		errno = 0;
		v = strtoull(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || v > UINT32_MAX) {
			fprintf(stderr, "--node %s: not a node id (0..4294967295)\n",
				arg);
			return -EINVAL;
		}
		o->has_node = true;
		o->node = (uint32_t)v;
		return 1;
	case 's':
		if (o->n_sets >= ORDO_SVC_SETS_MAX) {
			fprintf(stderr, "--set %s: at most %d overrides\n", arg,
				ORDO_SVC_SETS_MAX);
			return -EINVAL;
		}
		o->sets[o->n_sets++] = arg;
		return 1;
	case 'f':
		o->foreground = true;
		return 1;
	case 'v':
		o->verbose = true;
		return 1;
	case 'L':
		if (!strcmp(arg, "stderr")) {
			o->log = ORDO_LOG_STDERR;
		} else if (!strcmp(arg, "journal")) {
			o->log = ORDO_LOG_JOURNAL;
		} else {
			fprintf(stderr, "--log %s: expected stderr or journal\n",
				arg);
			return -EINVAL;
		}
		o->has_log = true;
		return 1;
	case 'S':
		o->socket = arg;
		return 1;
	default:
		return 0;
	}
}

int ordo_svc_setup(struct ordo_svc_opts *o, const char *name,
		   struct ordo_conf **cp, uint32_t *self)
{
	static char sock[256];
	char err[ORDO_CONF_ERR_LEN];
	struct ordo_conf *c;
	enum ordo_log_target target;
	unsigned int i;
	int ret;

	*cp = NULL;
	ret = ordo_conf_load(&c, o->config, err);
	if (ret) {
		fprintf(stderr, "%s: %s\n", name, err);
		return ret;
	}
	for (i = 0; i < o->n_sets; i++) {
		ret = ordo_conf_set(c, o->sets[i]);
		if (ret) {
			fprintf(stderr, "%s: %s\n", name, c->err);
			goto fail;
		}
	}
	if (o->has_node) {
		if (!ordo_conf_node(c, o->node)) {
			fprintf(stderr, "%s: --node %" PRIu32 ": %s has no [node %" PRIu32 "]\n",
				name, o->node, c->path, o->node);
			ret = -ENOENT;
			goto fail;
		}
		*self = o->node;
	} else if (c->n_nodes == 1) {
		*self = c->nodes[0].id;
	} else {
		fprintf(stderr, "%s: %s lists %zu nodes: say which one this is with --node ID\n",
			name, c->path, c->n_nodes);
		ret = -EINVAL;
		goto fail;
	}
	if (!o->socket) {
		snprintf(sock, sizeof(sock), "%s/%s.sock", ORDO_IPC_DIR, name);
		o->socket = sock;
	}
	target = o->has_log ? o->log : c->rt.log;
	if (!o->foreground && target == ORDO_LOG_STDERR)
		target = ORDO_LOG_JOURNAL;	/* stderr goes to /dev/null */
	ordo_log_init(name, target, o->verbose ? LOG_DEBUG : LOG_INFO);
	if (!o->foreground && daemon(0, 0)) {
		ret = -errno;
		fprintf(stderr, "%s: daemonizing: %s\n", name, strerror(errno));
		goto fail;
	}
	*cp = c;
	return 0;

fail:
	ordo_conf_free(c);
	return ret;
}
