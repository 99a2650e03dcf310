/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capability bitmap <-> names, shared by ordo.ko (sysfs) and libordo.
 */
#ifndef _ORDO_CAPS_H
#define _ORDO_CAPS_H

#include "ordo_compat.h"

/* Longest output of ordo_caps_format() for any 64-bit value, with NUL. */
#define ORDO_CAPS_STRLEN	512

const char *ordo_cap_name(unsigned int bit);
int ordo_caps_format(char *buf, size_t len, u64 caps);
int ordo_caps_parse(const char *str, u64 *caps);

#endif /* _ORDO_CAPS_H */
