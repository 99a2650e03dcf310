// SPDX-License-Identifier: GPL-2.0
/*
 * Ordo - /dev/ordo_clock: the clock page (struct ordo_clock_page, UAPI),
 * mapped read-only so that userspace computes every ordo clock without a
 * system call when the counter is the TSC (Documentation/clock-mmap.rst).
 *
 * The device is world readable (0444). mmap() takes exactly one page at
 * offset 0, shared or private, readable only: a mapping asking for write
 * or exec access fails with EPERM, and VM_MAYWRITE/VM_MAYEXEC are cleared
 * so mprotect() cannot add them later.
 *
 * Lifetime: vm_insert_page() takes a page reference that the mapping's
 * PTE holds until it is unmapped, and the mapping gets no vm_ops of ours
 * (the kernel's dummy ones stay in place), so no callback points into
 * the module. The mapping would still pin the module through
 * vma->vm_file, our device file (fops->owner), for as long as it exists;
 * so once the page is in, vma->vm_file is switched to an empty shmem
 * file that belongs to no module (as DRM does for its objects). Closing
 * the descriptor then unpins the module, and rmmod works while processes
 * keep the page mapped: the page is freed when the last mapping goes.
 * This file also holds a page reference from init to
 * ordo_clock_mmap_release(), which runs after the clock core stopped
 * writing the page and marks it dead (version 0, flags 0) so that
 * readers of a stale mapping see it and fall back.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/ordo.h>
#include <linux/shmem_fs.h>

#include "clock.h"
#include "ptp.h"

static struct page *ordo_mmap_page;
/* what mappings point at instead of our device file */
static struct file *ordo_mmap_anchor;

static int ordo_clock_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	vma->vm_flags &= ~(VM_MAYWRITE | VM_MAYEXEC);
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	err = vm_insert_page(vma, vma->vm_start, ordo_mmap_page);
	if (err)
		return err;
	vma_set_file(vma, ordo_mmap_anchor);
	return 0;
}

static const struct file_operations ordo_clock_fops = {
	.owner	= THIS_MODULE,
	.open	= nonseekable_open,
	.mmap	= ordo_clock_mmap,
	.llseek	= no_llseek,
};

static struct miscdevice ordo_clock_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ordo_clock",
	.fops	= &ordo_clock_fops,
	.mode	= 0444,
};

int ordo_clock_mmap_init(void)
{
	int err;

	ordo_mmap_page = ordo_clk_page();
	if (!ordo_mmap_page)
		return -ENODEV;
	ordo_mmap_anchor = shmem_file_setup("ordo_clock", 0, VM_NORESERVE);
	if (IS_ERR(ordo_mmap_anchor)) {
		err = PTR_ERR(ordo_mmap_anchor);
		ordo_mmap_anchor = NULL;
		ordo_mmap_page = NULL;
		return err;
	}
	get_page(ordo_mmap_page);
	err = misc_register(&ordo_clock_misc);
	if (err) {
		put_page(ordo_mmap_page);
		ordo_mmap_page = NULL;
		fput(ordo_mmap_anchor);
		ordo_mmap_anchor = NULL;
	}
	return err;
}

void ordo_clock_mmap_exit(void)
{
	misc_deregister(&ordo_clock_misc);
	/* mappings hold their own references to the anchor */
	if (ordo_mmap_anchor)
		fput(ordo_mmap_anchor);
	ordo_mmap_anchor = NULL;
}

void ordo_clock_mmap_release(void)
{
	struct ordo_clock_page *p;
	u32 seq;

	if (!ordo_mmap_page)
		return;
	/* The clock core no longer writes the page: one last update. */
	p = page_address(ordo_mmap_page);
	seq = READ_ONCE(p->seq);
	if (!(seq & 1))
		seq++;
	WRITE_ONCE(p->seq, seq);
	/* seq odd before the fields change (readers: smp_rmb() after seq) */
	smp_wmb();
	WRITE_ONCE(p->flags, 0);
	WRITE_ONCE(p->version, 0);
	/* the fields before seq even again (readers: smp_rmb() before seq) */
	smp_wmb();
	WRITE_ONCE(p->seq, seq + 1);
	put_page(ordo_mmap_page);
	ordo_mmap_page = NULL;
}
