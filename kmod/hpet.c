// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - the HPET main counter, read through our own mapping.
 *
 * The kernel does not export hpet_address or hpet_readl(), so the block
 * is found the way arch/x86/kernel/hpet.c finds it, through the ACPI HPET
 * table, and its first 1 KiB is mapped here. The kernel's hpet driver
 * owns the block; this file only reads the ID, period, configuration and
 * main counter registers and never writes, so it does not claim the
 * region either. The counter must already be running (the kernel enables
 * it when it uses the HPET); a stopped counter is reported unavailable.
 *
 * The main counter is 64 bits wide when ID bit 13 (COUNT_SIZE_CAP) is
 * set, else 32 bits; a 32-bit counter wraps every 2^32 * period, 300 s
 * at 14.318 MHz and 43 s at QEMU's 100 MHz, which is why users keep
 * (now - last) & mask and read at least every max_idle_ns.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kobject.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/time64.h>
#include <asm/hpet.h>

#include "counter.h"

/* HPET spec 1.0a: the period is at most 100 ns, in femtoseconds. */
#define ORDO_HPET_MAX_PERIOD_FS	100000000U

static bool hpet_32bit;
module_param(hpet_32bit, bool, 0444);
MODULE_PARM_DESC(hpet_32bit,
		 "Read only the low 32 bits of the HPET counter (tests wraps)");

static void __iomem *ordo_hpet_base;
static bool ordo_hpet_is_64;

static u64 ordo_hpet_read32(void)
{
	return readl(ordo_hpet_base + HPET_COUNTER);
}

static u64 ordo_hpet_read64(void)
{
#ifdef CONFIG_64BIT
	return readq(ordo_hpet_base + HPET_COUNTER);
#else
	u32 hi, lo;

	do {
		hi = readl(ordo_hpet_base + HPET_COUNTER + 4);
		lo = readl(ordo_hpet_base + HPET_COUNTER);
	} while (hi != readl(ordo_hpet_base + HPET_COUNTER + 4));
	return (u64)hi << 32 | lo;
#endif
}

struct ordo_counter ordo_hpet_counter = {
	.name = "hpet",
	.id = ORDO_COUNTER_HPET,
	.read = ordo_hpet_read32,
	.mask = U32_MAX,
};

bool ordo_hpet_64bit(void)
{
	return ordo_hpet_is_64;
}

/* The physical address of the HPET block from ACPI, or 0. */
static u64 ordo_hpet_acpi_address(void)
{
	struct acpi_table_header *hdr;
	struct acpi_table_hpet *tbl;
	u64 addr = 0;

	if (acpi_disabled)
		return 0;
	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_HPET, 0, &hdr)))
		return 0;
	tbl = container_of(hdr, struct acpi_table_hpet, header);
	if (tbl->address.space_id == ACPI_ADR_SPACE_SYSTEM_MEMORY)
		addr = tbl->address.address;
	acpi_put_table(hdr);
	return addr;
}

static int ordo_hpet_probe(void)
{
	struct ordo_counter *c = &ordo_hpet_counter;
	u32 id, period, cfg;
	u64 v0, v1;

	id = readl(ordo_hpet_base + HPET_ID);
	period = readl(ordo_hpet_base + HPET_PERIOD);
	cfg = readl(ordo_hpet_base + HPET_CFG);
	if (id == U32_MAX || !period || period > ORDO_HPET_MAX_PERIOD_FS) {
		pr_info("hpet: bad ID/period %#x/%u, not used\n", id, period);
		return -ENODEV;
	}
	if (!(cfg & HPET_CFG_ENABLE)) {
		pr_info("hpet: main counter stopped, not used\n");
		return -ENODEV;
	}

	ordo_hpet_is_64 = (id & HPET_ID_64BIT) && !hpet_32bit;
	if (ordo_hpet_is_64) {
		c->read = ordo_hpet_read64;
		c->mask = U64_MAX;
	}
	/* 20 us is 286 ticks at 14.318 MHz, 2000 at QEMU's 100 MHz. */
	v0 = c->read();
	usleep_range(20, 40);
	v1 = c->read();
	if (v0 == v1) {
		pr_info("hpet: main counter does not advance, not used\n");
		return -ENODEV;
	}

	c->period_fs = period;
	c->hz = div_u64(FSEC_PER_SEC + period / 2, period);
	c->max_idle_ns = ordo_counter_half_wrap_ns(c->mask, c->hz);
	return 0;
}

int ordo_hpet_init(void)
{
	u64 addr = ordo_hpet_acpi_address();

	if (!addr) {
		pr_info("hpet: no ACPI HPET table\n");
		return 0;
	}
	ordo_hpet_base = ioremap(addr, HPET_MMAP_SIZE);
	if (!ordo_hpet_base)
		return -ENOMEM;
	if (ordo_hpet_probe()) {
		iounmap(ordo_hpet_base);
		ordo_hpet_base = NULL;
		return 0;
	}
	ordo_hpet_counter.available = true;
	return 0;
}

void ordo_hpet_exit(void)
{
	ordo_hpet_counter.available = false;
	if (ordo_hpet_base)
		iounmap(ordo_hpet_base);
	ordo_hpet_base = NULL;
	ordo_hpet_is_64 = false;
	ordo_hpet_counter.read = ordo_hpet_read32;
	ordo_hpet_counter.mask = U32_MAX;
}

/*
 * sysfs, /sys/kernel/ordo/clock/ (all 0 when there is no usable HPET):
 *   hpet_hz         nominal frequency, 1e15 / hpet_period_fs rounded
 *   hpet_period_fs  tick length in femtoseconds, exact (ID register)
 *   hpet_64bit      0/1: the main counter is 64 bits wide and read as
 *                   such (module parameter hpet_32bit=1 forces 0)
 */
static ssize_t hpet_hz_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n", ordo_hpet_counter.hz);
}

static ssize_t hpet_period_fs_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", ordo_hpet_counter.period_fs);
}

static ssize_t hpet_64bit_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", ordo_hpet_is_64);
}

static struct kobj_attribute hpet_hz_attr = __ATTR_RO(hpet_hz);
static struct kobj_attribute hpet_period_fs_attr = __ATTR_RO(hpet_period_fs);
static struct kobj_attribute hpet_64bit_attr = __ATTR_RO(hpet_64bit);

static struct attribute *ordo_hpet_attrs[] = {
	&hpet_hz_attr.attr,
	&hpet_period_fs_attr.attr,
	&hpet_64bit_attr.attr,
	NULL,
};

const struct attribute_group ordo_hpet_attr_group = {
	.attrs = ordo_hpet_attrs,
};
