/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ORDO_NETLINK_H
#define _ORDO_NETLINK_H

int ordo_genl_init(void);
void ordo_genl_exit(void);

#endif /* _ORDO_NETLINK_H */
