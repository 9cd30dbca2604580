/*
 * user/stackdemo.c - the stack grows on demand, down to its limit.
 *
 *   stackdemo [CALLS]    (default 4096, about 4 MiB)
 *
 * A new program's stack region is small. Each function call pushes a
 * frame below the previous one; when a frame reaches below the region,
 * the access faults, and the kernel, seeing an address just below the
 * stack and within RLIMIT_STACK (8 MiB), extends the region downwards
 * and maps a zero-filled page. The demo recurses with 1 KiB frames and
 * prints VmStk (the stack region's size, from /proc/self/status) on the
 * way down. Past the limit the fault is an error: try `stackdemo 8000`.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "procfile.h"

#define FRAME 1024

/* Prints the [stack] line of /proc/self/maps. */
static void show_stack_region(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "[stack]"))
			printf("   /proc/self/maps: %s", line);
	}
	fclose(f);
}

static char *top; /* main's frame */

/* Recurses depth more times, with a frame of a little over 1 KiB. */
static unsigned dive(unsigned depth, unsigned total)
{
	volatile char frame[FRAME];
	unsigned done = total - depth;

	frame[0] = (char)depth;
	if (done % 512 == 0)
		printf("   %5u calls: frame at %p, %5lu KiB below main's, "
		       "VmStk %6ld kB\n",
		       done, (void *)frame,
		       (unsigned long)(top - (char *)frame) / 1024,
		       status_kb("VmStk"));
	if (depth == 0)
		return 0;
	return dive(depth - 1, total) + frame[0];
}

int main(int argc, char **argv)
{
	unsigned calls = argc > 1 ? (unsigned)atoi(argv[1]) : 4096;
	struct rlimit lim;
	int local;

	if (argc > 1 && calls == 0) {
		printf("usage: stackdemo [CALLS]   (default 4096)\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (getrlimit(RLIMIT_STACK, &lim) == 0)
		printf("The stack may grow to %lu KiB (RLIMIT_STACK).\n",
		       (unsigned long)lim.rlim_cur / 1024);
	printf("At the start, main's frame is at %p and VmStk is %ld kB.\n",
	       (void *)&local, status_kb("VmStk"));
	show_stack_region();
	printf("Recursing %u calls deep, a little over 1 KiB per call:\n",
	       calls);
	top = (char *)&local;
	dive(calls, calls);
	printf("Back in main. The region keeps its size (VmStk %ld kB): "
	       "the pages stay\nmapped for the next deep call.\n",
	       status_kb("VmStk"));
	show_stack_region();
	return 0;
}
