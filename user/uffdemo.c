/*
 * user/uffdemo.c - page faults handled in user space: a SIGSEGV handler
 * and mprotect() play the kernel's part.
 *
 *   uffdemo [-p PAGES] [-r RESIDENT]
 *
 * A region of PAGES pages (default 64) is mapped PROT_NONE, so every first
 * touch of a page faults. The SIGSEGV handler (SA_SIGINFO) gets the
 * address in si_addr and the kind in si_code (SEGV_ACCERR: the page is
 * mapped but its protection forbids the access), makes the page readable
 * and writable with mprotect(), fills it "on demand", and returns: the
 * CPU runs the faulting instruction again, and now it succeeds. That is
 * demand paging, done by the program itself, the way user-level pagers,
 * distributed shared memory and some garbage collectors (see gcdemo) work.
 *
 * At most RESIDENT pages (default 16) are kept accessible. To make room
 * the handler evicts the oldest (FIFO): copies it to a backing store in
 * ordinary memory, gives the frame back with madvise(MADV_DONTNEED) and
 * protects the page again. A later touch faults and the handler copies it
 * back. The kernel's own swap does the same below the program
 * (docs/swap.md).
 *
 * The numbers printed: faults handled, pages filled for the first time,
 * pages evicted and reloaded, and a checksum that shows every value read
 * is the one written, whatever was evicted in between.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_PAGES 4096

static char *region;	  /* the PROT_NONE region */
static long npages;	  /* its size in pages */
static long max_resident; /* pages kept accessible at most */

/* Per page: where it is, and its copy when evicted. */
enum page_state {
	UNTOUCHED,
	RESIDENT,
	EVICTED
};
static enum page_state state[MAX_PAGES];
static char *store[MAX_PAGES]; /* backing copies of evicted pages */
static long fifo[MAX_PAGES];   /* resident pages, oldest first */
static long fifo_head, fifo_len;

/* What the handler counted. */
static volatile long faults, fills, evictions, reloads;

/* The value a fresh page holds at word i: its page number and offset. */
static uint32_t initial_value(long page, long i)
{
	return (uint32_t)(page * 100000 + i);
}

/* Writes a message with write(2): printf is not async-signal-safe. */
static void say(const char *s)
{
	ssize_t r = write(2, s, strlen(s));
	(void)r;
}

/* Evicts the oldest resident page into the backing store. */
static void evict_oldest(void)
{
	long victim = fifo[fifo_head];
	char *addr = region + victim * PAGE;

	fifo_head = (fifo_head + 1) % MAX_PAGES;
	fifo_len--;
	/* store[] was allocated before the handler could run. */
	memcpy(store[victim], addr, PAGE);
	madvise(addr, PAGE, MADV_DONTNEED); /* the frame goes back */
	mprotect(addr, PAGE, PROT_NONE);
	state[victim] = EVICTED;
	evictions++;
}

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
	char *addr = si->si_addr;
	(void)uctx;

	if (addr < region || addr >= region + npages * PAGE ||
	    si->si_code != SEGV_ACCERR) {
		/* Not ours: die of it as the program would without us. */
		say("uffdemo: a real segmentation fault\n");
		signal(sig, SIG_DFL);
		return;
	}
	long page = (addr - region) / PAGE;
	char *base = region + page * PAGE;

	faults++;
	if (fifo_len == max_resident)
		evict_oldest();
	mprotect(base, PAGE, PROT_READ | PROT_WRITE);
	if (state[page] == UNTOUCHED) {
		uint32_t *w = (uint32_t *)base;
		for (long i = 0; i < PAGE / 4; i++)
			w[i] = initial_value(page, i);
		fills++;
	} else {
		memcpy(base, store[page], PAGE);
		reloads++;
	}
	state[page] = RESIDENT;
	fifo[(fifo_head + fifo_len) % MAX_PAGES] = page;
	fifo_len++;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: uffdemo [-p PAGES] [-r RESIDENT]\n"
		"  PAGES pages (1-%d, default 64) handled by a SIGSEGV "
		"handler,\n  at most RESIDENT (default 16) accessible "
		"at once\n",
		MAX_PAGES);
	exit(2);
}

/* Parses a count in [1, max] or exits with the usage. */
static long count_arg(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == 0 || *end || v < 1 || v > max)
		usage();
	return v;
}

static void report(const char *what)
{
	printf("%-34s faults %4ld  fills %4ld  evictions %4ld  reloads %4ld\n",
	       what, faults, fills, evictions, reloads);
}

int main(int argc, char **argv)
{
	int opt;
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO };

	npages = 64;
	max_resident = 16;
	while ((opt = getopt(argc, argv, "p:r:h")) != -1) {
		switch (opt) {
		case 'p':
			npages = count_arg(optarg, MAX_PAGES);
			break;
		case 'r':
			max_resident = count_arg(optarg, MAX_PAGES);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	region = mmap(NULL, npages * PAGE, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		perror("uffdemo: mmap");
		return 1;
	}
	for (long p = 0; p < npages; p++) {
		store[p] = malloc(PAGE);
		if (!store[p]) {
			perror("uffdemo: malloc");
			return 1;
		}
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);

	printf("uffdemo: %ld pages mapped PROT_NONE, at most %ld accessible\n",
	       npages, max_resident);

	/* 1. Read one word of every page: each first touch faults once. */
	uint64_t sum = 0;
	for (long p = 0; p < npages; p++)
		sum += ((uint32_t *)(region + p * PAGE))[1];
	report("read every page:");

	/* 2. The last RESIDENT pages are accessible: no faults now. */
	long first = npages > max_resident ? npages - max_resident : 0;
	for (long p = first; p < npages; p++)
		sum += ((uint32_t *)(region + p * PAGE))[2];
	report("read the resident ones again:");

	/* 3. Write to every page: evicted ones come back from the store. */
	for (long p = 0; p < npages; p++)
		((uint32_t *)(region + p * PAGE))[3] = (uint32_t)(7 * p);
	report("write every page:");

	/* 4. Check every value, through more evictions and reloads. */
	long bad = 0;
	for (long p = 0; p < npages; p++) {
		uint32_t *w = (uint32_t *)(region + p * PAGE);
		if (w[3] != (uint32_t)(7 * p) || w[4] != initial_value(p, 4))
			bad++;
		sum += w[3];
	}
	report("check every page:");
	printf("checksum %llu, %ld pages with a wrong value\n",
	       (unsigned long long)sum, bad);
	return bad != 0;
}
