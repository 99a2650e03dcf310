/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ORDO_SYSFS_H
#define _ORDO_SYSFS_H

struct kobject;

int ordo_sysfs_init(void);
void ordo_sysfs_exit(void);

/* /sys/kernel/ordo, for subdirectories; valid between init and exit. */
struct kobject *ordo_sysfs_kobj(void);

#endif /* _ORDO_SYSFS_H */
