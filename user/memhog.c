/*
 * user/memhog.c - a program bigger than memory, to watch swapping.
 *
 *   memhog [-m MIB] [-r ROUNDS] [-w HOT_MIB] [-h]
 *
 * Allocates MIB MiB (default: free memory plus half the free swap, so it
 * does not fit in RAM), writes every page, then runs ROUNDS rounds
 * (default 4). Each round touches a "hot" window of HOT_MIB MiB (default
 * a quarter of free memory; -w for "working set") eight times, moving it
 * along, and reads the
 * whole area once: a working set with locality, as real programs have.
 * After each round it prints what the round cost:
 *
 *   round  maj faults  pages in  pages out  swap used   verified
 *
 * and finally whether every page still held what was written. Compare
 * policies on the same workload:
 *
 *   vmpolicy fifo ; memhog ; vmpolicy clock ; memhog ; vmpolicy aging ; memhog
 *
 * (numbers from /proc/vmstat and /proc/meminfo; docs/swap.md explains
 * them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procfile.h"

#define PAGE 4096u

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memhog [-m MIB] [-r ROUNDS] [-w HOT_MIB] [-h]\n"
		"Fills more memory than RAM, then touches it with locality and "
		"reports\nthe swapping each round costs.\n"
		"  -m MIB      size of the area (default: free memory + half "
		"the free swap)\n"
		"  -r ROUNDS   rounds over the area (default 4)\n"
		"  -w HOT_MIB  the hot window each round touches eight times\n"
		"              (default: a quarter of free memory)\n"
		"  -h          this help\n");
}
#define MIB (1024u * 1024u)

/* The word page p holds. */
static uint32_t stamp(uint32_t p)
{
	return p * 2654435761u + 12345u;
}

int main(int argc, char **argv)
{
	long free_kb = proc_value("/proc/meminfo", "MemFree");
	long swap_kb = proc_value("/proc/meminfo", "SwapFree");
	long mib = (free_kb + (swap_kb > 0 ? swap_kb / 2 : 0)) / 1024;
	long hot = free_kb / 4 / 1024;
	int rounds = 4, opt;

	while ((opt = getopt(argc, argv, "m:r:w:h")) != -1) {
		if (opt == 'm') {
			mib = atol(optarg);
		} else if (opt == 'r') {
			rounds = atoi(optarg);
		} else if (opt == 'w') {
			hot = atol(optarg);
		} else if (opt == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (mib < 1)
		mib = 1;
	if (hot < 1 || hot > mib)
		hot = mib;
	uint32_t pages = (uint32_t)(mib * (MIB / PAGE));
	uint32_t hot_pages = (uint32_t)(hot * (MIB / PAGE));
	uint32_t *m = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	printf("memhog: %ld MiB (%ld MiB free, %ld MiB swap free), hot window "
	       "%ld MiB\n",
	       mib, free_kb / 1024, swap_kb / 1024, hot);
	for (uint32_t p = 0; p < pages; p++)
		m[(size_t)p * (PAGE / 4)] = stamp(p);

	printf("%5s %10s %10s %10s %10s %9s\n", "round", "maj faults",
	       "pages in", "pages out", "swap used", "verified");
	uint32_t bad = 0;
	for (int r = 1; r <= rounds; r++) {
		long maj = proc_value("/proc/vmstat", "pgmajfault");
		long in = proc_value("/proc/vmstat", "pswpin");
		long out = proc_value("/proc/vmstat", "pswpout");
		uint32_t start =
			(uint32_t)(((uint64_t)r * pages) / (rounds + 1));
		for (int pass = 0; pass < 8; pass++)
			for (uint32_t i = 0; i < hot_pages; i++) {
				uint32_t p = (start + i) % pages;
				bad += m[(size_t)p * (PAGE / 4)] != stamp(p);
			}
		for (uint32_t p = 0; p < pages; p++)
			bad += m[(size_t)p * (PAGE / 4)] != stamp(p);
		long used = proc_value("/proc/meminfo", "SwapTotal") -
			    proc_value("/proc/meminfo", "SwapFree");
		printf("%5d %10ld %10ld %10ld %7ld kB %9s\n", r,
		       (long)proc_value("/proc/vmstat", "pgmajfault") - maj,
		       (long)proc_value("/proc/vmstat", "pswpin") - in,
		       (long)proc_value("/proc/vmstat", "pswpout") - out, used,
		       bad ? "NO" : "yes");
	}
	printf("memhog: %s\n", bad ? "DATA LOST" : "every page verified");
	return bad ? 1 : 0;
}
