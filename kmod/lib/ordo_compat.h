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

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif

#endif /* _ORDO_COMPAT_H */
