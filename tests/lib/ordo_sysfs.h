/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helpers shared by the VM suites: reading and writing the files of
 * /sys/kernel/ordo/clock/. Header-only, included as "../lib/ordo_sysfs.h".
 */
#ifndef ORDO_TEST_SYSFS_H
#define ORDO_TEST_SYSFS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CLOCK_DIR "/sys/kernel/ordo/clock/"

/* Read CLOCK_DIR/@name into @buf without its trailing newline: 0 or -errno. */
static inline int sysfs_read(const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), CLOCK_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = -errno;
	close(fd);
	if (n < 0)
		return err;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Write @val to CLOCK_DIR/@name: 0 or -errno of the open or the write. */
static inline int sysfs_write(const char *name, const char *val)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), CLOCK_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

#endif /* ORDO_TEST_SYSFS_H */
