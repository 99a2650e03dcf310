/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ORDO_SYSFS_H
#define _ORDO_SYSFS_H

int ordo_sysfs_init(void);
void ordo_sysfs_exit(void);

#endif /* _ORDO_SYSFS_H */
