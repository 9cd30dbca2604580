/*
 * user/bigmem.c - a working set larger than the direct map, verified word
 * by word: for highmem (docs/memory-layout.md) and for swap on large
 * RAM-disks (docs/swap.md).
 *
 *   bigmem [-p PROCS] [-m MIB] [-r ROUNDS] [-s SHARED_MIB] [-c DIV]
 *
 * PROCS processes (default 5) each map MIB MiB (default 512) of private
 * anonymous memory and fill every 32-bit word with a value computed from
 * (process, word index, round); after a round has been written by all of
 * them (so that together they hold PROCS * MIB at once), each reads its
 * whole area back and checks every word. Between rounds each process forks
 * a child that rewrites the first 1/DIV of the area (default 8; -c 0: no
 * child) and checks it: copy-on-write copies, while the parent's words
 * must stay as they were.
 * A MAP_SHARED area of SHARED_MIB MiB (default 16) is written by each
 * process in its own slice and checked by the parent at the end.
 *
 * Output: the memory counters of /proc/meminfo before and after, then one
 * line per process and "bigmem: OK, N MiB verified" or "bigmem: FAILED";
 * the exit status is 0 only if every word held what was written.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024u * 1024u)

/* The value of word i of process p in round r: distinct for each. */
static uint32_t pattern(uint32_t p, uint32_t i, uint32_t r)
{
	uint32_t x = i * 2654435761u ^ (p + 1) * 0x9E3779B9u ^ r * 0x85EBCA6Bu;
	return x ^ (x >> 15);
}

/* Prints the /proc/meminfo lines that matter here. */
static void show_meminfo(const char *when)
{
	static const char *const keys[] = { "MemTotal:", "MemFree:",
					    "HighTotal:", "HighFree:",
					    "LowTotal:", "LowFree:",
					    "SwapTotal:", "SwapFree:" };
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f) {
		perror("bigmem: /proc/meminfo");
		return;
	}
	printf("bigmem: meminfo %s:", when);
	while (fgets(line, sizeof(line), f)) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t n = strlen(keys[k]);
			if (strncmp(line, keys[k], n) == 0) {
				unsigned long kb = strtoul(line + n, NULL, 10);
				printf(" %.*s %lu", (int)(n - 1), keys[k], kb);
			}
		}
	}
	printf(" (kB)\n");
	fclose(f);
}

/* Fills words [from, to) of area with round r's pattern of process p. */
static void fill(uint32_t *area, uint32_t from, uint32_t to, uint32_t p,
		 uint32_t r)
{
	for (uint32_t i = from; i < to; i++)
		area[i] = pattern(p, i, r);
}

/* Counts the words of [from, to) that differ from the pattern. */
static uint32_t check(const uint32_t *area, uint32_t from, uint32_t to,
		      uint32_t p, uint32_t r, const char *what)
{
	uint32_t bad = 0;
	for (uint32_t i = from; i < to; i++) {
		if (area[i] != pattern(p, i, r)) {
			if (bad < 3)
				printf("bigmem: process %u %s: word %u is "
				       "%#x, expected %#x\n",
				       p, what, i, area[i], pattern(p, i, r));
			bad++;
		}
	}
	return bad;
}

/*
 * Waits until all procs processes have reached the barrier: each adds one
 * to the shared counter, then waits for it to reach target.
 */
static void barrier(volatile uint32_t *count, uint32_t target)
{
	__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(count, __ATOMIC_SEQ_CST) < target)
		sched_yield();
}

/* One worker: returns the number of bad words. */
static uint32_t worker(uint32_t p, uint32_t procs, uint32_t mib,
		       uint32_t rounds, uint32_t cow_div, volatile uint32_t *sync,
		       uint32_t *shared, uint32_t shared_words)
{
	uint32_t words = mib * (MIB / 4);
	uint32_t bad = 0;
	uint32_t *area = mmap(NULL, (size_t)mib * MIB, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		printf("bigmem: process %u: mmap %u MiB: %s\n", p, mib,
		       strerror(errno));
		return 1;
	}
	uint32_t slice = shared_words / procs;
	fill(shared, p * slice, (p + 1) * slice, p, 0);
	for (uint32_t r = 0; r < rounds; r++) {
		fill(area, 0, words, p, r);
		/* Everybody's round is in memory at once. */
		barrier(sync, (r + 1) * procs);
		bad += check(area, 0, words, p, r, "after the barrier");
		if (cow_div == 0)
			continue;
		/* A child changes its copy of the first 1/cow_div. */
		uint32_t part = words / cow_div;
		pid_t c = fork();
		if (c < 0) {
			printf("bigmem: fork: %s\n", strerror(errno));
			return bad + 1;
		}
		if (c == 0) {
			fill(area, 0, part, p + 100, r);
			uint32_t cb = check(area, 0, part, p + 100, r,
					    "child's copy");
			cb += check(area, part, words, p, r,
				    "child's shared part");
			_exit(cb ? 1 : 0);
		}
		int st;
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			printf("bigmem: process %u: child failed (status "
			       "%#x)\n",
			       p, st);
			bad++;
		}
		bad += check(area, 0, words, p, r, "after the child");
	}
	printf("bigmem: process %u: %u MiB, %u rounds, %u bad words\n", p,
	       mib, rounds, bad);
	munmap(area, (size_t)mib * MIB);
	return bad;
}

int main(int argc, char **argv)
{
	uint32_t procs = 5, mib = 512, rounds = 2, shared_mib = 16, cow_div = 8;
	int opt;
	while ((opt = getopt(argc, argv, "p:m:r:s:c:h")) != -1) {
		switch (opt) {
		case 'p':
			procs = (uint32_t)atoi(optarg);
			break;
		case 'm':
			mib = (uint32_t)atoi(optarg);
			break;
		case 'r':
			rounds = (uint32_t)atoi(optarg);
			break;
		case 's':
			shared_mib = (uint32_t)atoi(optarg);
			break;
		case 'c':
			cow_div = (uint32_t)atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bigmem [-p PROCS] [-m MIB] "
					"[-r ROUNDS] [-s SHARED_MIB] [-c DIV]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (procs < 1 || procs > 64 || mib < 1 || mib > 2048 ||
	    rounds < 1 || shared_mib < 1 || shared_mib > 256) {
		fprintf(stderr, "bigmem: bad arguments\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	show_meminfo("before");
	size_t shared_len = (size_t)shared_mib * MIB;
	uint32_t *shared = mmap(NULL, shared_len + 4096,
				PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("bigmem: mmap shared");
		return 1;
	}
	/* The barrier's counter, in the page after the shared data. */
	volatile uint32_t *sync = shared + shared_len / 4;
	uint32_t shared_words = (uint32_t)(shared_len / 4);

	for (uint32_t p = 0; p < procs; p++) {
		pid_t c = fork();
		if (c < 0) {
			perror("bigmem: fork");
			return 1;
		}
		if (c == 0)
			_exit(worker(p, procs, mib, rounds, cow_div, sync,
				     shared, shared_words)
				      ? 1
				      : 0);
	}
	int failed = 0;
	for (uint32_t p = 0; p < procs; p++) {
		int st;
		pid_t w = wait(&st);
		if (w < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("bigmem: pid %d ended with status %#x\n", (int)w,
			       st);
			failed++;
		}
	}
	/* Run as init, orphans of killed workers are ours to wait for. */
	while (wait(NULL) > 0)
		;
	uint32_t slice = shared_words / procs, bad = 0;
	for (uint32_t p = 0; p < procs; p++)
		bad += check(shared, p * slice, (p + 1) * slice, p, 0,
			     "shared slice");
	show_meminfo("after");
	if (failed || bad) {
		printf("bigmem: FAILED (%d processes failed, %u bad shared "
		       "words)\n",
		       failed, bad);
		return 1;
	}
	printf("bigmem: OK, %u MiB verified in %u processes\n", procs * mib,
	       procs);
	return 0;
}
