// SPDX-License-Identifier: GPL-2.0
/*
 * libordo runtime: the cluster configuration (ordo_rt.h,
 * Documentation/cluster-conf.rst).
 *
 * libinih does the INI syntax. Debian's build passes no line number to
 * the handler, so the reader given to ini_parse_stream() counts lines
 * (one reader call is one line) and notes the section headers as they
 * go by; every key is stored with its line. The runtime's own sections
 * ([runtime], [node ID]) are then checked with the same typed getters
 * the daemons use for theirs, so that every problem reads
 * "FILE:LINE: problem".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ctype.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "ordo_rt.h"

struct conf_parse {
	struct ordo_conf *c;
	FILE *f;		/* a file, or: */
	const char *str;	/* a string */
	unsigned int line;	/* of the line last returned by the reader */
	unsigned int err_line;	/* of the first error; 0: none */
	int err;
	struct ordo_conf_section *cur;	/* the section being read */
};

static const char *const conf_stamping_names[] = { "auto", "kernel", "user", NULL };
static const char *const conf_log_names[] = { "stderr", "journal", NULL };
static const char *const conf_runtime_keys[] = {
	"heartbeat_ms", "suspect_ms", "retransmit_ms", "retransmit_max",
	"lclock_domain", "stamping", "log", NULL
};
static const char *const conf_node_keys[] = { "address", "port", NULL };

const char *ordo_stamping_name(enum ordo_stamping s)
{
	return (unsigned int)s < 3 ? conf_stamping_names[s] : NULL;
}

const char *ordo_log_target_name(enum ordo_log_target t)
{
	return (unsigned int)t < 2 ? conf_log_names[t] : NULL;
}

/* ---------------------------------------------------------------- errors */

/* c->err = the formatted text, cut to fit. */
static void conf_set_err(struct ordo_conf *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void conf_set_err(struct ordo_conf *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static int conf_verror(struct ordo_conf *c, unsigned int line, const char *fmt,
		       va_list ap)
{
	char msg[ORDO_CONF_ERR_LEN];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line)
		conf_set_err(c, "%s:%u: %s", c->path, line, msg);
	else
		conf_set_err(c, "%s: %s", c->path, msg);
	return -EINVAL;
}

int ordo_conf_error(struct ordo_conf *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = conf_verror(c, line, fmt, ap);
	va_end(ap);
	return ret;
}

int ordo_conf_kv_error(struct ordo_conf *c, const struct ordo_conf_section *s,
		       const struct ordo_conf_kv *kv, const char *fmt, ...)
{
	char msg[ORDO_CONF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kv->line)
		conf_set_err(c, "%s:%u: [%s] %s: %s", c->path,
			 kv->line, s->name, kv->key, msg);
	else
		conf_set_err(c, "--set %s.%s=%s: %s", s->name,
			 kv->key, kv->value, msg);
	return -EINVAL;
}

/* An error about section @s as a whole (its header's line). */
static int conf_section_error(struct ordo_conf *c,
			      const struct ordo_conf_section *s,
			      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int conf_section_error(struct ordo_conf *c,
			      const struct ordo_conf_section *s,
			      const char *fmt, ...)
{
	char msg[ORDO_CONF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->line)
		return ordo_conf_error(c, s->line, "[%s]: %s", s->name, msg);
	conf_set_err(c, "--set: [%s] (not in %s): %s",
		 s->name, c->path, msg);
	return -EINVAL;
}

/* ---------------------------------------------------------------- storage */

static void conf_section_free(struct ordo_conf_section *s)
{
	size_t i;

	for (i = 0; i < s->n_kv; i++) {
		free(s->kv[i].key);
		free(s->kv[i].value);
	}
	free(s->kv);
	free(s->name);
}

void ordo_conf_free(struct ordo_conf *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n_sections; i++)
		conf_section_free(&c->sections[i]);
	free(c->sections);
	free(c->nodes);
	free(c->path);
	free(c);
}

struct ordo_conf_section *ordo_conf_section(const struct ordo_conf *c,
					    const char *name)
{
	size_t i;

	for (i = 0; i < c->n_sections; i++)
		if (!strcmp(c->sections[i].name, name))
			return &c->sections[i];
	return NULL;
}

struct ordo_conf_section *ordo_conf_next(const struct ordo_conf *c,
					 const struct ordo_conf_section *prev,
					 const char *prefix)
{
	size_t i = prev ? (size_t)(prev - c->sections) + 1 : 0;
	size_t n = strlen(prefix);

	for (; i < c->n_sections; i++)
		if (!strncmp(c->sections[i].name, prefix, n))
			return &c->sections[i];
	return NULL;
}

const struct ordo_conf_kv *ordo_conf_get(const struct ordo_conf_section *s,
					 const char *key)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->n_kv; i++)
		if (!strcmp(s->kv[i].key, key))
			return &s->kv[i];
	return NULL;
}

const struct ordo_conf_node *ordo_conf_node(const struct ordo_conf *c,
					    uint32_t id)
{
	size_t i;

	for (i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].id == id)
			return &c->nodes[i];
	return NULL;
}

/* "node ID": 1 and *id; a name starting with the word "node" but not of
 * that form: -1; another name: 0. */
static int conf_node_name(const char *name, uint32_t *id)
{
	const char *p;
	char *end;
	unsigned long long v;

	if (strncmp(name, "node", 4) || (name[4] && !isspace((unsigned char)name[4])))
		return 0;
	p = name + 4;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 1;
}

/* An error at @line of the file, or about the override @set. */
static int conf_where_error(struct ordo_conf *c, unsigned int line,
			    const char *set, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int conf_where_error(struct ordo_conf *c, unsigned int line,
			    const char *set, const char *fmt, ...)
{
	char msg[ORDO_CONF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (set) {
		conf_set_err(c, "--set %s: %s", set, msg);
		return -EINVAL;
	}
	return ordo_conf_error(c, line, "%s", msg);
}

/*
 * A new section @name at @line, or for the override @set. Refuses an
 * empty name, a malformed [node ...], and a name used before.
 */
static int conf_add_section(struct ordo_conf *c, const char *name,
			    unsigned int line, const char *set,
			    struct ordo_conf_section **sp)
{
	struct ordo_conf_section *s, *old;
	uint32_t id;

	if (!*name)
		return conf_where_error(c, line, set, "empty section name []");
	if (conf_node_name(name, &id) < 0)
		return conf_where_error(c, line, set,
					"bad section [%s]: a node is [node ID], ID a number 0..4294967295",
					name);
	old = ordo_conf_section(c, name);
	if (old) {
		if (conf_node_name(name, &id) > 0)
			return conf_where_error(c, line, set,
						"duplicate node id %" PRIu32 " (first defined at line %u)",
						id, old->line);
		return conf_where_error(c, line, set,
					"duplicate section [%s] (first at line %u)",
					name, old->line);
	}
	s = realloc(c->sections, (c->n_sections + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	c->sections = s;
	s = &c->sections[c->n_sections];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return -ENOMEM;
	s->line = line;
	c->n_sections++;
	*sp = s;
	return 0;
}

/* Add @key = @value to @s, or replace it when @replace (--set). */
static int conf_add_kv(struct ordo_conf *c, struct ordo_conf_section *s,
		       const char *key, const char *value, unsigned int line,
		       bool replace)
{
	struct ordo_conf_kv *kv = (struct ordo_conf_kv *)ordo_conf_get(s, key);
	char *v;

	if (kv && !replace)
		return ordo_conf_error(c, line,
				       "[%s]: duplicate key '%s' (first at line %u)",
				       s->name, key, kv->line);
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	if (kv) {
		free(kv->value);
		kv->value = v;
		kv->line = line;
		return 0;
	}
	kv = realloc(s->kv, (s->n_kv + 1) * sizeof(*kv));
	if (!kv) {
		free(v);
		return -ENOMEM;
	}
	s->kv = kv;
	kv = &s->kv[s->n_kv];
	kv->key = strdup(key);
	if (!kv->key) {
		free(v);
		return -ENOMEM;
	}
	kv->value = v;
	kv->line = line;
	s->n_kv++;
	return 0;
}

/* ---------------------------------------------------------------- getters */

static int conf_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int ordo_conf_u64(struct ordo_conf *c, const struct ordo_conf_section *s,
		  const char *key, uint64_t min, uint64_t max, uint64_t def,
		  uint64_t *out)
{
	const struct ordo_conf_kv *kv = ordo_conf_get(s, key);
	uint64_t v;

	if (!kv) {
		*out = def;
		return 0;
	}
	if (conf_parse_u64(kv->value, &v) || v < min || v > max)
		return ordo_conf_kv_error(c, s, kv,
					  "'%s' is not a number from %" PRIu64 " to %" PRIu64,
					  kv->value, min, max);
	*out = v;
	return 0;
}

int ordo_conf_u32(struct ordo_conf *c, const struct ordo_conf_section *s,
		  const char *key, uint32_t min, uint32_t max, uint32_t def,
		  uint32_t *out)
{
	uint64_t v;
	int err = ordo_conf_u64(c, s, key, min, max, def, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int ordo_conf_bool(struct ordo_conf *c, const struct ordo_conf_section *s,
		   const char *key, bool def, bool *out)
{
	static const char *const names[] = {
		"false", "true", "no", "yes", "off", "on", "0", "1", NULL
	};
	const struct ordo_conf_kv *kv = ordo_conf_get(s, key);
	size_t i;

	if (!kv) {
		*out = def;
		return 0;
	}
	for (i = 0; names[i]; i++) {
		if (!strcasecmp(kv->value, names[i])) {
			*out = i & 1;
			return 0;
		}
	}
	return ordo_conf_kv_error(c, s, kv,
				  "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)",
				  kv->value);
}

int ordo_conf_str(struct ordo_conf *c, const struct ordo_conf_section *s,
		  const char *key, const char *def, const char **out)
{
	const struct ordo_conf_kv *kv = ordo_conf_get(s, key);

	(void)c;
	*out = kv ? kv->value : def;
	return 0;
}

/* "a, b, c" into @buf. */
static void conf_join(char *buf, size_t size, const char *const *names)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; names[i] && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s",
					i ? ", " : "", names[i]);
}

int ordo_conf_enum(struct ordo_conf *c, const struct ordo_conf_section *s,
		   const char *key, const char *const *names, int def, int *out)
{
	const struct ordo_conf_kv *kv = ordo_conf_get(s, key);
	char list[256];
	int i;

	if (!kv) {
		*out = def;
		return 0;
	}
	for (i = 0; names[i]; i++) {
		if (!strcmp(kv->value, names[i])) {
			*out = i;
			return 0;
		}
	}
	conf_join(list, sizeof(list), names);
	return ordo_conf_kv_error(c, s, kv, "'%s' is not one of: %s",
				  kv->value, list);
}

int ordo_conf_check_keys(struct ordo_conf *c,
			 const struct ordo_conf_section *s,
			 const char *const *known)
{
	char list[256];
	size_t i, k;

	if (!s)
		return 0;
	for (i = 0; i < s->n_kv; i++) {
		for (k = 0; known[k]; k++)
			if (!strcmp(s->kv[i].key, known[k]))
				break;
		if (known[k])
			continue;
		conf_join(list, sizeof(list), known);
		return ordo_conf_kv_error(c, s, &s->kv[i],
					  "unknown key (known: %s)", list);
	}
	return 0;
}

/* ---------------------------------------------------------------- the runtime's sections */

static int conf_check_runtime(struct ordo_conf *c)
{
	struct ordo_conf_section *s = ordo_conf_section(c, "runtime");
	struct ordo_conf_runtime *rt = &c->rt;
	const struct ordo_conf_kv *kv;
	int err, v;

	err = ordo_conf_check_keys(c, s, conf_runtime_keys);
	if (!err)
		err = ordo_conf_u32(c, s, "heartbeat_ms", 1, 60000,
				    ORDO_RT_HEARTBEAT_MS, &rt->heartbeat_ms);
	if (!err)
		err = ordo_conf_u32(c, s, "suspect_ms", 2, 3600000,
				    ORDO_RT_SUSPECT_MS, &rt->suspect_ms);
	if (!err)
		err = ordo_conf_u32(c, s, "retransmit_ms", 1, 60000,
				    ORDO_RT_RETRANSMIT_MS, &rt->retransmit_ms);
	if (!err)
		err = ordo_conf_u32(c, s, "retransmit_max", 1, 1000,
				    ORDO_RT_RETRANSMIT_MAX, &rt->retransmit_max);
	if (!err)
		err = ordo_conf_u32(c, s, "lclock_domain", 1, UINT32_MAX,
				    ORDO_RT_LCLOCK_DOMAIN, &rt->lclock_domain);
	if (!err)
		err = ordo_conf_enum(c, s, "stamping", conf_stamping_names,
				     ORDO_STAMP_AUTO, &v);
	if (err)
		return err;
	rt->stamping = (enum ordo_stamping)v;
	err = ordo_conf_enum(c, s, "log", conf_log_names, ORDO_LOG_STDERR, &v);
	if (err)
		return err;
	rt->log = (enum ordo_log_target)v;
	if (rt->suspect_ms <= rt->heartbeat_ms) {
		kv = ordo_conf_get(s, "suspect_ms");
		if (!kv)
			kv = ordo_conf_get(s, "heartbeat_ms");
		return ordo_conf_kv_error(c, s, kv,
					  "suspect_ms (%u) must be larger than heartbeat_ms (%u)",
					  rt->suspect_ms, rt->heartbeat_ms);
	}
	return 0;
}

static int conf_node_cmp(const void *a, const void *b)
{
	const struct ordo_conf_node *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static bool conf_same_addr(const struct ordo_conf_node *a,
			   const struct ordo_conf_node *b)
{
	return a->addr_len == b->addr_len &&
	       !memcmp(&a->addr, &b->addr, a->addr_len);
}

static int conf_check_node(struct ordo_conf *c, struct ordo_conf_section *s,
			   struct ordo_conf_node *n)
{
	const struct ordo_conf_kv *addr = ordo_conf_get(s, "address");
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&n->addr;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&n->addr;
	uint32_t port;
	int err;

	err = ordo_conf_check_keys(c, s, conf_node_keys);
	if (err)
		return err;
	if (!addr)
		return conf_section_error(c, s, "missing address");
	if (!ordo_conf_get(s, "port"))
		return conf_section_error(c, s, "missing port");
	err = ordo_conf_u32(c, s, "port", 1, 65535, 0, &port);
	if (err)
		return err;
	n->line = s->line;
	n->port = (uint16_t)port;
	memset(&n->addr, 0, sizeof(n->addr));
	if (strlen(addr->value) < sizeof(n->address) &&
	    inet_pton(AF_INET, addr->value, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(n->port);
		n->addr_len = sizeof(*a4);
	} else if (strlen(addr->value) < sizeof(n->address) &&
		   inet_pton(AF_INET6, addr->value, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(n->port);
		n->addr_len = sizeof(*a6);
	} else {
		return ordo_conf_kv_error(c, s, addr,
					  "'%s' is not an IPv4 or IPv6 address",
					  addr->value);
	}
	snprintf(n->address, sizeof(n->address), "%s", addr->value);
	return 0;
}

/* The address or port of node section @s set by --set, or NULL. */
static const struct ordo_conf_kv *conf_node_override(const struct ordo_conf_section *s)
{
	const struct ordo_conf_kv *kv = ordo_conf_get(s, "port");

	if (kv && !kv->line)
		return kv;
	kv = ordo_conf_get(s, "address");
	return kv && !kv->line ? kv : NULL;
}

/*
 * Nodes @a (earlier, section @sa) and @b (section @sb) have the same
 * address and port: blame an override if one made it so, else @b.
 */
static int conf_same_addr_error(struct ordo_conf *c,
				const struct ordo_conf_node *a,
				const struct ordo_conf_section *sa,
				const struct ordo_conf_node *b,
				const struct ordo_conf_section *sb)
{
	const struct ordo_conf_kv *kv = conf_node_override(sa);

	if (kv)
		return ordo_conf_kv_error(c, sa, kv,
					  "address %s port %u is already node %" PRIu32 "'s (line %u)",
					  a->address, a->port, b->id, b->line);
	kv = conf_node_override(sb);
	if (kv)
		return ordo_conf_kv_error(c, sb, kv,
					  "address %s port %u is already node %" PRIu32 "'s (line %u)",
					  b->address, b->port, a->id, a->line);
	return conf_section_error(c, sb,
				  "address %s port %u is already node %" PRIu32 "'s (line %u)",
				  b->address, b->port, a->id, a->line);
}

static int conf_check_nodes(struct ordo_conf *c)
{
	struct ordo_conf_section *s, **secs = NULL;
	struct ordo_conf_node *nodes, *n;
	size_t i, k, count = 0;
	int err;

	for (i = 0; i < c->n_sections; i++) {
		uint32_t id;

		if (conf_node_name(c->sections[i].name, &id) > 0)
			count++;
	}
	if (!count)
		return ordo_conf_error(c, 0,
				       "no [node ID] section: the cluster needs at least one node");
	if (count > ORDO_CONF_NODES_MAX)
		return ordo_conf_error(c, 0, "%zu nodes: at most %d are supported",
				       count, ORDO_CONF_NODES_MAX);
	nodes = calloc(count, sizeof(*nodes));
	secs = calloc(count, sizeof(*secs));
	if (!nodes || !secs) {
		err = -ENOMEM;
		goto fail;
	}
	n = nodes;
	for (i = 0; i < c->n_sections; i++) {
		s = &c->sections[i];
		if (conf_node_name(s->name, &n->id) <= 0)
			continue;
		err = conf_check_node(c, s, n);
		if (err)
			goto fail;
		for (k = 0; &nodes[k] < n; k++) {
			if (nodes[k].addr.ss_family != n->addr.ss_family) {
				err = conf_section_error(c, s,
							 "%s is not of the address family of node %" PRIu32 " (%s, line %u): the nodes share one socket type",
							 n->address, nodes[k].id,
							 nodes[k].address, nodes[k].line);
				goto fail;
			}
			if (conf_same_addr(&nodes[k], n)) {
				err = conf_same_addr_error(c, &nodes[k], secs[k],
							   n, s);
				goto fail;
			}
		}
		secs[n - nodes] = s;
		n++;
	}
	free(secs);
	qsort(nodes, count, sizeof(*nodes), conf_node_cmp);
	free(c->nodes);
	c->nodes = nodes;
	c->n_nodes = count;
	return 0;

fail:
	free(secs);
	free(nodes);
	return err;
}

/* Check the runtime's sections and fill c->nodes and c->rt. */
static int conf_finish(struct ordo_conf *c)
{
	int err = conf_check_runtime(c);

	return err ? err : conf_check_nodes(c);
}

/* ---------------------------------------------------------------- parsing */

/* The first error wins; later ones are usually its consequences. */
static int conf_fail(struct conf_parse *p, int err)
{
	if (!p->err) {
		p->err = err;
		p->err_line = p->line ? p->line : 1;
	}
	return 0;	/* inih: stop (ini_stop_on_first_error) */
}

/* Note a "[name]" line; inih reads the same line right after. */
static void conf_header(struct conf_parse *p, const char *line)
{
	const char *start = line, *end;
	char name[256];
	size_t len;
	int err;

	while (isspace((unsigned char)*start))
		start++;
	if (*start != '[')
		return;
	end = strchr(start, ']');
	if (!end)
		return;		/* inih reports it as a syntax error */
	len = (size_t)(end - start - 1);
	if (len >= sizeof(name)) {
		conf_fail(p, ordo_conf_error(p->c, p->line,
					     "section name longer than %zu characters",
					     sizeof(name) - 1));
		return;
	}
	start++;
	while (len && isspace((unsigned char)*start)) {
		start++;
		len--;
	}
	while (len && isspace((unsigned char)start[len - 1]))
		len--;
	memcpy(name, start, len);
	name[len] = '\0';
	p->cur = NULL;
	err = conf_add_section(p->c, name, p->line, NULL, &p->cur);
	if (err)
		conf_fail(p, err);
}

/* fgets() that counts lines, refuses long ones and notes headers. */
static char *conf_reader(char *str, int num, void *stream)
{
	struct conf_parse *p = stream;
	size_t len;

	if (p->err)
		return NULL;
	if (p->f) {
		if (!fgets(str, num, p->f))
			return NULL;
	} else {
		const char *nl;

		if (!*p->str)
			return NULL;
		nl = strchr(p->str, '\n');
		len = nl ? (size_t)(nl - p->str) + 1 : strlen(p->str);
		if (len > (size_t)num - 1)
			len = (size_t)num - 1;
		memcpy(str, p->str, len);
		str[len] = '\0';
		p->str += len;
	}
	p->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' &&
	    (p->f ? !feof(p->f) : *p->str != '\0')) {
		conf_fail(p, ordo_conf_error(p->c, p->line,
					     "line longer than %d characters",
					     num - 2));
		return NULL;
	}
	conf_header(p, str);
	return p->err ? NULL : str;
}

static int conf_handler(void *user, const char *section, const char *name,
			const char *value)
{
	struct conf_parse *p = user;
	int err;

	if (p->err)
		return 0;
	if (!*section || !p->cur)
		return conf_fail(p, ordo_conf_error(p->c, p->line,
						    "'%s' is outside of any [section]",
						    name));
	err = conf_add_kv(p->c, p->cur, name, value, p->line, false);
	if (err)
		return conf_fail(p, err);
	return 1;
}

static int conf_load(struct ordo_conf **cp, const char *path, FILE *f,
		     const char *text, char *err)
{
	struct conf_parse p = { .f = f, .str = text };
	struct ordo_conf *c;
	int ret;

	*cp = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->path = strdup(path);
	if (!c->path)
		goto nomem;
	p.c = c;
	/* Debian's libinih has these as run-time settings */
	ini_stop_on_first_error = true;
	ini_allow_multiline = false;
	ret = ini_parse_stream(conf_reader, &p, conf_handler, &p);
	if (p.err == -ENOMEM || ret == -2)
		goto nomem;
	if (p.err && (ret <= 0 || (unsigned int)ret >= p.err_line)) {
		ret = p.err;
	} else if (ret > 0) {
		ordo_conf_error(c, (unsigned int)ret,
				"syntax error: expected [section], key = value or a comment");
		ret = -EINVAL;
	} else if (f && ferror(f)) {
		ret = -EIO;
		ordo_conf_error(c, 0, "read error");
	} else {
		ret = conf_finish(c);
	}
	if (ret) {
		if (ret == -ENOMEM)
			goto nomem;
		if (err)
			snprintf(err, ORDO_CONF_ERR_LEN, "%s", c->err);
		ordo_conf_free(c);
		return ret;
	}
	c->err[0] = '\0';
	*cp = c;
	return 0;

nomem:
	if (err)
		snprintf(err, ORDO_CONF_ERR_LEN, "%s: out of memory", path);
	ordo_conf_free(c);
	return -ENOMEM;
}

int ordo_conf_load(struct ordo_conf **cp, const char *path, char *err)
{
	FILE *f;
	int ret;

	if (!path)
		path = ORDO_CONF_DEFAULT;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		*cp = NULL;
		if (err)
			snprintf(err, ORDO_CONF_ERR_LEN, "%s: %s", path,
				 strerror(errno));
		return ret;
	}
	ret = conf_load(cp, path, f, NULL, err);
	fclose(f);
	return ret;
}

int ordo_conf_load_string(struct ordo_conf **cp, const char *name,
			  const char *text, char *err)
{
	return conf_load(cp, name ? name : "<string>", NULL, text, err);
}

/* ---------------------------------------------------------------- overrides */

int ordo_conf_set(struct ordo_conf *c, const char *assignment)
{
	const char *eq = strchr(assignment, '='), *dot = NULL, *p;
	struct ordo_conf_section *s;
	char *section = NULL, *key = NULL;
	int err;

	for (p = assignment; eq && p < eq; p++)
		if (*p == '.')
			dot = p;
	if (!eq || !dot || dot == assignment || dot + 1 == eq) {
		conf_set_err(c, "--set %s: expected SECTION.KEY=VALUE (e.g. runtime.heartbeat_ms=50)",
			 assignment);
		return -EINVAL;
	}
	section = strndup(assignment, (size_t)(dot - assignment));
	key = strndup(dot + 1, (size_t)(eq - dot - 1));
	if (!section || !key) {
		err = -ENOMEM;
		goto out;
	}
	s = ordo_conf_section(c, section);
	if (!s) {
		err = conf_add_section(c, section, 0, assignment, &s);
		if (err)
			goto out;
	}
	err = conf_add_kv(c, s, key, eq + 1, 0, true);
	if (!err)
		err = conf_finish(c);
out:
	free(section);
	free(key);
	return err;
}
