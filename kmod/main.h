/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordo - module-wide identification.
 */
#ifndef _ORDO_MAIN_H
#define _ORDO_MAIN_H

#include <linux/types.h>

extern const char ordo_build_id[];

u64 ordo_caps(void);

#endif /* _ORDO_MAIN_H */
