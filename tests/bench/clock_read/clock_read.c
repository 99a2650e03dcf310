// SPDX-License-Identifier: GPL-2.0
/*
 * clock_read [-j] [-t MS]: ns per read of the time through every path
 * ordo offers, next to the vDSO's CLOCK_MONOTONIC and CLOCK_REALTIME:
 *
 *   ordo_mmap      ordo_clock_now(), page + TSC, no system call
 *   ordo_ptp       clock_gettime() on /dev/ptpN (a system call)
 *   ordo_netlink   ORDO_CMD_CLOCK_GET (ordo_clock_now_flags(NETLINK))
 *   ordo_sysfs     pread() of /sys/kernel/ordo/clock/mono
 *   vdso_mono      clock_gettime(CLOCK_MONOTONIC)
 *   vdso_realtime  clock_gettime(CLOCK_REALTIME)
 *
 * Each runs for -t MS (default 300) after a short warm-up; the ratio is
 * to vdso_mono. The vDSO falls back to a system call when the kernel's
 * clocksource cannot be read from userspace (e.g. hpet): the table says
 * which clocksource the kernel uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libordo.h"

#define FD_TO_CLOCKID(fd) ((~(clockid_t)(fd) << 3) | 3)

static clockid_t phc;
static int sysfs_fd;
static int mmap_path;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int rd_mmap(void)
{
	struct ordo_now n;
	int err = ordo_clock_now(&n);

	mmap_path = n.path;
	return err;
}

static int rd_ptp(void)
{
	struct timespec ts;

	return clock_gettime(phc, &ts);
}

static int rd_netlink(void)
{
	struct ordo_now n;

	return ordo_clock_now_flags(&n, ORDO_NOW_F_NETLINK);
}

static int rd_sysfs(void)
{
	char buf[64];

	return pread(sysfs_fd, buf, sizeof(buf), 0) > 0 ? 0 : -1;
}

static int rd_mono(void)
{
	struct timespec ts;

	return clock_gettime(CLOCK_MONOTONIC, &ts);
}

static int rd_real(void)
{
	struct timespec ts;

	return clock_gettime(CLOCK_REALTIME, &ts);
}

struct bench {
	const char *name;
	int (*fn)(void);
	int ok;
	double ns;
	unsigned long n;
};

/* ns per call of @b->fn over @ms milliseconds */
static void run(struct bench *b, int ms)
{
	int64_t t0, t1, end;
	unsigned long n = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		if (b->fn()) {
			b->ok = 0;
			return;
		}
	}
	t0 = mono_ns();
	end = t0 + (int64_t)ms * 1000000;
	do {
		for (i = 0; i < 64; i++)
			b->fn();
		n += 64;
		t1 = mono_ns();
	} while (t1 < end);
	b->ok = 1;
	b->n = n;
	b->ns = (double)(t1 - t0) / n;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "?");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int main(int argc, char **argv)
{
	struct bench b[] = {
		{ .name = "ordo_mmap", .fn = rd_mmap },
		{ .name = "ordo_ptp", .fn = rd_ptp },
		{ .name = "ordo_netlink", .fn = rd_netlink },
		{ .name = "ordo_sysfs", .fn = rd_sysfs },
		{ .name = "vdso_mono", .fn = rd_mono },
		{ .name = "vdso_realtime", .fn = rd_real },
	};
	const size_t nb = sizeof(b) / sizeof(b[0]);
	char cs[64], src[32], idx[16], dev[32];
	int json = 0, ms = 300, opt, fd;
	double base;
	size_t i;

	while ((opt = getopt(argc, argv, "jt:")) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 't':
			ms = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-j] [-t MS]\n", argv[0]);
			return 2;
		}
	}
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  cs, sizeof(cs));
	read_line("/sys/kernel/ordo/clock/source", src, sizeof(src));
	read_line("/sys/kernel/ordo/clock/ptp_index", idx, sizeof(idx));
	snprintf(dev, sizeof(dev), "/dev/ptp%s", idx);
	fd = open(dev, O_RDONLY);
	phc = fd >= 0 ? FD_TO_CLOCKID(fd) : CLOCK_MONOTONIC;
	sysfs_fd = open("/sys/kernel/ordo/clock/mono", O_RDONLY);

	for (i = 0; i < nb; i++) {
		if ((b[i].fn == rd_ptp && fd < 0) || (b[i].fn == rd_sysfs && sysfs_fd < 0))
			continue;
		run(&b[i], ms);
	}
	base = b[4].ok ? b[4].ns : 0;

	if (json) {
		printf("{\"kernel_clocksource\": \"%s\", \"ordo_source\": \"%s\", "
		       "\"mmap_path\": \"%s\", \"results\": [", cs, src,
		       mmap_path == ORDO_NOW_MMAP ? "mmap" : "netlink");
		for (i = 0; i < nb; i++)
			printf("%s{\"name\": \"%s\", \"ok\": %s, \"ns\": %.1f, \"ratio\": %.2f, \"reads\": %lu}",
			       i ? ", " : "", b[i].name, b[i].ok ? "true" : "false",
			       b[i].ns, base > 0 ? b[i].ns / base : 0, b[i].n);
		printf("]}\n");
		return 0;
	}
	printf("kernel clocksource %s, ordo counter %s, ordo_clock_now() path %s\n",
	       cs, src, mmap_path == ORDO_NOW_MMAP ? "mmap" : "netlink");
	printf("%-14s %12s %10s %12s\n", "read", "ns/read", "x vdso_mono", "reads");
	for (i = 0; i < nb; i++) {
		if (!b[i].ok) {
			printf("%-14s %12s\n", b[i].name, "n/a");
			continue;
		}
		printf("%-14s %12.1f %10.2f %12lu\n", b[i].name, b[i].ns,
		       base > 0 ? b[i].ns / base : 0, b[i].n);
	}
	return 0;
}
