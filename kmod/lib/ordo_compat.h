/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lets the plain C files in kmod/lib build both inside ordo.ko and in
 * userspace (libordo and the host unit tests).
 */
#ifndef _ORDO_COMPAT_H
#define _ORDO_COMPAT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/types.h>

/* The UAPI's types, as in the kernel, so that UAPI structs (e.g. struct
 * ordo_clock_snap in <linux/ordo.h>) mix with these without casts.
 */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif

#endif /* _ORDO_COMPAT_H */
