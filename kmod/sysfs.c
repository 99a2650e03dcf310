// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - /sys/kernel/ordo/ identification files.
 *
 * capabilities lists feature names (kmod/lib/ordo_caps.c), as
 * /sys/power/state does; netlink carries the same set as a bitmap.
 */

#include <linux/kobject.h>
#include <linux/ordo.h>
#include <linux/sysfs.h>

#include "main.h"
#include "ordo_caps.h"
#include "sysfs.h"

static struct kobject *ordo_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", ORDO_VERSION);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t build_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", ordo_build_id);
}

static struct kobj_attribute build_id_attr = __ATTR_RO(build_id);

static ssize_t capabilities_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	int len = ordo_caps_format(buf, PAGE_SIZE - 1, ordo_caps());

	if (len < 0)
		return len;
	return len + sysfs_emit_at(buf, len, "\n");
}

static struct kobj_attribute capabilities_attr = __ATTR_RO(capabilities);

static struct attribute *ordo_attrs[] = {
	&version_attr.attr,
	&build_id_attr.attr,
	&capabilities_attr.attr,
	NULL,
};

static const struct attribute_group ordo_attr_group = {
	.attrs = ordo_attrs,
};

struct kobject *ordo_sysfs_kobj(void)
{
	return ordo_kobj;
}

int ordo_sysfs_init(void)
{
	int err;

	ordo_kobj = kobject_create_and_add("ordo", kernel_kobj);
	if (!ordo_kobj)
		return -ENOMEM;

	err = sysfs_create_group(ordo_kobj, &ordo_attr_group);
	if (err) {
		kobject_put(ordo_kobj);
		ordo_kobj = NULL;
	}
	return err;
}

void ordo_sysfs_exit(void)
{
	/* Removing the kobject drains active readers of its files. */
	sysfs_remove_group(ordo_kobj, &ordo_attr_group);
	kobject_put(ordo_kobj);
	ordo_kobj = NULL;
}
