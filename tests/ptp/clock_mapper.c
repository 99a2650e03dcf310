// SPDX-License-Identifier: GPL-2.0
/*
 * clock_mapper [--hold-fd] STOPFILE: map /dev/ordo_clock, close the
 * descriptor (unless --hold-fd), print "mapped", then read the page until
 * STOPFILE exists (at most 120 s). Prints "dead" when the page says its
 * module went away (version 0), then the last version seen and the
 * result of ordo_clock_now() (which maps the new page after a reload).
 * Exit 0 unless the page could not be mapped or time ran out.
 *
 * clock_mapper --ptp DEV STOPFILE: hold DEV (/dev/ptpN) open, print
 * "mapped", call clock_gettime() on it until STOPFILE exists, then print
 * the errno of the last call ("ptp errno N", 0 = it worked).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libordo.h"

#define FD_TO_CLOCKID(fd) ((~(clockid_t)(fd) << 3) | 3)

static int hold_ptp(const char *dev, const char *stop)
{
	time_t end = time(NULL) + 120;
	struct timespec ts;
	int fd, err = 0;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	printf("mapped %s\n", dev);
	fflush(stdout);
	while (access(stop, F_OK)) {
		if (time(NULL) > end)
			return 3;
		err = clock_gettime(FD_TO_CLOCKID(fd), &ts) ? errno : 0;
		usleep(1000);
	}
	printf("ptp errno %d\n", err);
	return 0;
}

int main(int argc, char **argv)
{
	const volatile struct ordo_clock_page *p;
	int hold = argc > 2 && !strcmp(argv[1], "--hold-fd");
	const char *stop = argv[argc - 1];
	unsigned long reads = 0;
	struct ordo_now n;
	int fd, dead = 0, err;
	time_t end;
	uint32_t v;

	if (argc < 2)
		return 2;
	if (argc == 4 && !strcmp(argv[1], "--ptp"))
		return hold_ptp(argv[2], argv[3]);
	fd = open("/dev/ordo_clock", O_RDONLY);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (!hold)
		close(fd);
	printf("mapped version %u\n", p->version);
	fflush(stdout);
	end = time(NULL) + 120;
	while (access(stop, F_OK)) {
		if (time(NULL) > end)
			return 3;
		v = p->version;
		(void)p->snap.mono_ns;
		reads++;
		if (!v && !dead) {
			dead = 1;
			printf("dead\n");
			fflush(stdout);
		}
		if (!(reads % 1024))
			usleep(1000);
	}
	err = ordo_clock_now(&n);
	printf("reads %lu version %u now %d path %d\n", reads, p->version, err, n.path);
	return 0;
}
