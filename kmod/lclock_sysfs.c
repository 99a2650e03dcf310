// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the logical clock domains in /sys/kernel/ordo/lclock/, read-only.
 * One directory per domain, named by its id ("ns<inode>-<id>" outside
 * the initial network namespace), with:
 *
 *   kind        "lamport", "vector" or "hlc"
 *   node        this node's id
 *   group       the group id carried on the wire
 *   n, index    vector: members and this node's index (0 otherwise)
 *   value       Lamport: c; HLC: "l c"; vector: the entries, space separated
 *   max_jump    the future-jump threshold (0: none), refuse: 0 or 1
 *   sockets     attached sockets
 *   stamped, received, ticks, future, unstamped   counters
 *   dropped     one line per drop reason: "reason count"
 */

#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "lclock.h"
#include "sysfs.h"

static struct kobject *ordo_lc_kobj;

static const char * const ordo_lc_kind_names[] = {
	[ORDO_WIRE_KIND_NONE] = "none",
	[ORDO_WIRE_KIND_LAMPORT] = "lamport",
	[ORDO_WIRE_KIND_VECTOR] = "vector",
	[ORDO_WIRE_KIND_HLC] = "hlc",
};

static inline struct ordo_lc_domain *to_dom(struct kobject *kobj)
{
	return container_of(kobj, struct ordo_lc_domain, kobj);
}

#define ORDO_LC_SHOW(_name, _fmt, _expr)				\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct ordo_lc_domain *d = to_dom(kobj);			\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute ordo_lc_attr_##_name = __ATTR_RO(_name)

ORDO_LC_SHOW(kind, "%s", ordo_lc_kind_names[d->kind]);
ORDO_LC_SHOW(node, "%u", d->node);
ORDO_LC_SHOW(group, "%u", d->group);
ORDO_LC_SHOW(n, "%u", d->kind == ORDO_WIRE_KIND_VECTOR ? d->clk.vc.n : 0);
ORDO_LC_SHOW(index, "%u", d->kind == ORDO_WIRE_KIND_VECTOR ? d->clk.vc.self : 0);
ORDO_LC_SHOW(max_jump, "%llu", d->max_jump);
ORDO_LC_SHOW(refuse, "%d", d->refuse);
ORDO_LC_SHOW(sockets, "%d", atomic_read(&d->sockets));
ORDO_LC_SHOW(stamped, "%llu", ordo_lc_count(d, &d->stamped));
ORDO_LC_SHOW(received, "%llu", ordo_lc_count(d, &d->received));
ORDO_LC_SHOW(ticks, "%lld", atomic64_read(&d->ticks));
ORDO_LC_SHOW(future, "%lld", atomic64_read(&d->future));
ORDO_LC_SHOW(unstamped, "%lld", atomic64_read(&d->unstamped));

static ssize_t value_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct ordo_lc_value *v;
	ssize_t len = 0;
	u32 k;

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	ordo_lc_read(to_dom(kobj), v);
	switch (v->kind) {
	case ORDO_WIRE_KIND_LAMPORT:
		len = sysfs_emit(buf, "%llu\n", v->value);
		break;
	case ORDO_WIRE_KIND_HLC:
		len = sysfs_emit(buf, "%llu %u\n", v->value, v->hlc_c);
		break;
	default:
		for (k = 0; k < v->vc_n; k++)
			len += sysfs_emit_at(buf, len, "%s%llu", k ? " " : "",
					     v->vc[k]);
		len += sysfs_emit_at(buf, len, "\n");
		break;
	}
	kfree(v);
	return len;
}

static struct kobj_attribute ordo_lc_attr_value = __ATTR_RO(value);

static ssize_t dropped_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct ordo_lc_domain *d = to_dom(kobj);
	ssize_t len = 0;
	unsigned int r;

	for (r = 0; r < ORDO_LC_DROP_CNT; r++)
		len += sysfs_emit_at(buf, len, "%s %lld\n", ordo_lc_drop_name(r),
				     atomic64_read(&d->drops[r]));
	return len;
}

static struct kobj_attribute ordo_lc_attr_dropped = __ATTR_RO(dropped);

static struct attribute *ordo_lc_attrs[] = {
	&ordo_lc_attr_kind.attr,
	&ordo_lc_attr_node.attr,
	&ordo_lc_attr_group.attr,
	&ordo_lc_attr_n.attr,
	&ordo_lc_attr_index.attr,
	&ordo_lc_attr_value.attr,
	&ordo_lc_attr_max_jump.attr,
	&ordo_lc_attr_refuse.attr,
	&ordo_lc_attr_sockets.attr,
	&ordo_lc_attr_stamped.attr,
	&ordo_lc_attr_received.attr,
	&ordo_lc_attr_ticks.attr,
	&ordo_lc_attr_future.attr,
	&ordo_lc_attr_unstamped.attr,
	&ordo_lc_attr_dropped.attr,
	NULL,
};
ATTRIBUTE_GROUPS(ordo_lc);

static void ordo_lc_release(struct kobject *kobj)
{
	kfree(to_dom(kobj));
}

const struct kobj_type ordo_lc_ktype = {
	.release = ordo_lc_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = ordo_lc_groups,
};

/* On failure the caller still owns a reference: kobject_put() frees @d. */
int ordo_lc_sysfs_add(struct ordo_lc_domain *d)
{
	char name[32];

	ordo_lc_dir_name(d, name, sizeof(name));
	return kobject_init_and_add(&d->kobj, (struct kobj_type *)&ordo_lc_ktype,
				    ordo_lc_kobj, "%s", name);
}

int ordo_lc_sysfs_init(void)
{
	ordo_lc_kobj = kobject_create_and_add("lclock", ordo_sysfs_kobj());
	return ordo_lc_kobj ? 0 : -ENOMEM;
}

void ordo_lc_sysfs_exit(void)
{
	kobject_put(ordo_lc_kobj);
	ordo_lc_kobj = NULL;
}
