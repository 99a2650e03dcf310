// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_pair [-j] [-t SEC]: ns per RDTSCP on CPU 0, alone, while CPU 1 runs
 * a plain loop, and while CPU 1 runs RDTSCP too (then on both). On
 * hardware each core reads its own TSC and the three agree; QEMU TCG
 * serialises the instruction across vCPUs, which is what the HLC's
 * physical-time reads pay there on every send and receive
 * (Documentation/socket-stamping.rst). Needs 2 CPUs. Prints a table, or
 * one JSON object with -j.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <x86intrin.h>

static double secs = 2.0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "tsc_pair: CPU %d: %s\n", cpu, strerror(errno));
		_exit(2);
	}
}

/* ns per iteration of RDTSCP (@tsc) or of a multiply-add, for secs */
static double spin(int tsc)
{
	volatile uint64_t sink = 0;
	double t0 = now_s(), t1;
	unsigned int aux;
	uint64_t n = 0;
	int i;

	do {
		for (i = 0; i < 10000; i++)
			sink += tsc ? __rdtscp(&aux) : (uint64_t)i * 3;
		n += 10000;
	} while ((t1 = now_s()) - t0 < secs);
	return (t1 - t0) / n * 1e9;
}

/* CPU 0 reads the TSC; CPU 1 does @other (-1: nothing, 0 plain, 1 TSC) */
static void run(int other, double *cpu0, double *cpu1)
{
	double *res = mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t p = -1;

	if (res == MAP_FAILED) {
		perror("tsc_pair: mmap");
		exit(2);
	}
	if (other >= 0) {
		p = fork();
		if (p < 0) {
			perror("tsc_pair: fork");
			exit(2);
		}
		if (!p) {
			pin(1);
			*res = spin(other);
			_exit(0);
		}
	}
	pin(0);
	*cpu0 = spin(1);
	if (p > 0)
		waitpid(p, NULL, 0);
	*cpu1 = other >= 0 ? *res : 0;
	munmap(res, sizeof(double));
}

int main(int argc, char **argv)
{
	static const char *const name[] = { "alone", "beside a plain loop", "both read it" };
	static const char *const key[] = { "alone", "beside_plain", "both" };
	double c0[3], c1[3];
	int json = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			json = 1;
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			secs = atof(argv[++i]);
			if (!(secs > 0)) {
				fprintf(stderr, "tsc_pair: -t needs seconds > 0\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: tsc_pair [-j] [-t SEC]\n");
			return strcmp(argv[i], "-h") && strcmp(argv[i], "--help") ? 2 : 0;
		}
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "tsc_pair: needs 2 CPUs\n");
		return 2;
	}
	for (i = 0; i < 3; i++)
		run(i - 1, &c0[i], &c1[i]);
	if (json) {
		printf("{\"unit\":\"ns\",\"alone\":{\"cpu0_rdtscp\":%.1f}", c0[0]);
		for (i = 1; i < 3; i++)
			printf(",\"%s\":{\"cpu0_rdtscp\":%.1f,\"cpu1\":%.1f}", key[i], c0[i], c1[i]);
		printf("}\n");
		return 0;
	}
	printf("%-22s %14s %14s\n", "CPU 1", "CPU 0 rdtscp", "CPU 1 ns/iter");
	printf("%-22s %11.1f ns %14s\n", name[0], c0[0], "--");
	for (i = 1; i < 3; i++)
		printf("%-22s %11.1f ns %11.1f ns\n", name[i], c0[i], c1[i]);
	return 0;
}
