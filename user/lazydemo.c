/*
 * user/lazydemo.c - memory is allocated when touched, not when asked for.
 *
 *   lazydemo [MiB]       (default 32)
 *
 * mmap() and malloc() of a large block only reserve address space: the
 * kernel records a region and maps nothing. The first access to each page
 * faults, and the kernel then gives it a zero-filled frame ("demand
 * zero"). So VmSize (address space) grows at once, and VmRSS (resident
 * memory) grows only as pages are touched. The demo prints both from
 * /proc/self/status at each step, with the page faults counted in
 * /proc/vmstat.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procfile.h"

#define PAGE 4096

/* The system-wide page-fault counter of /proc/vmstat. */
static long long faults(void)
{
	return proc_value("/proc/vmstat", "pgfault");
}

static long last_size, last_rss;
static long long last_faults;

/* Prints VmSize and VmRSS and their change since the last step. */
static void show(const char *what)
{
	long size = status_kb("VmSize"), rss = status_kb("VmRSS");
	long long f = faults();

	if (what)
		printf("   %-34s VmSize %7ld kB (%+7ld)   VmRSS %7ld kB (%+7ld)   "
		       "faults %+lld\n",
		       what, size, size - last_size, rss, rss - last_rss,
		       f - last_faults);
	last_size = size;
	last_rss = rss;
	last_faults = faults();
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 32;
	size_t len = (size_t)mib << 20;
	unsigned char *m, *big;
	size_t sum = 0;

	if (mib <= 0 || mib > 1024) {
		printf("usage: lazydemo [MiB]   (1 to 1024, default 32)\n");
		return 1;
	}
	/* The first readings set up stdio's buffers: measure after them. */
	show(NULL);
	show(NULL);
	printf("1. At the start:\n");
	show("start");

	printf("2. mmap(%ld MiB): only a region is recorded, no memory is "
	       "used yet.\n",
	       mib);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (m == MAP_FAILED) {
		printf("lazydemo: mmap: %s\n", strerror(errno));
		return 1;
	}
	show("after mmap");

	printf("3. Read one byte of each page of the first quarter. Linux "
	       "maps one shared\n   zero page for reads, so RSS may not "
	       "grow; a kernel without that gives\n   each page a frame "
	       "at once.\n");
	for (size_t i = 0; i < len / 4; i += PAGE)
		sum += m[i];
	show("after reading 1/4");
	if (sum != 0)
		printf("   (the pages were not zero!)\n");

	printf("4. Write one byte in each page of the first half. The second "
	       "quarter was never\n   touched: each of its %zu pages faults "
	       "once and gets its own zero-filled\n   frame. The first "
	       "quarter was read in step 3: where that gave each page a\n"
	       "   frame, its writes do not fault; where it mapped the shared "
	       "zero page\n   (Linux), each write faults once more and gets "
	       "a frame of its own (%zu\n   more faults).\n",
	       len / 4 / PAGE, len / 4 / PAGE);
	for (size_t i = 0; i < len / 2; i += PAGE)
		m[i] = 1;
	show("after writing 1/2");

	printf("5. Write the same pages again: no faults, no new memory.\n");
	for (size_t i = 0; i < len / 2; i += PAGE)
		m[i] = 2;
	show("after writing 1/2 again");

	printf("6. Write the rest.\n");
	for (size_t i = len / 2; i < len; i += PAGE)
		m[i] = 3;
	show("after writing all");

	printf("7. munmap: the frames are freed.\n");
	munmap(m, len);
	show("after munmap");

	printf("8. calloc(%ld MiB): glibc takes a large block straight from "
	       "mmap, whose pages\n   are known to be zero, so it does not "
	       "clear them: still nothing resident.\n",
	       mib);
	big = calloc(1, len);
	if (!big) {
		printf("lazydemo: calloc failed\n");
		return 1;
	}
	show("after calloc");
	for (size_t i = 0; i < len / 8; i++)
		((volatile unsigned char *)big)[i] = 7;
	show("after writing 1/8 of it");
	free(big);
	show("after free");
	return 0;
}
