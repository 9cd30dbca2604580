/*
 * tests/user/adv_swap.c - swapping under fork and exit pressure: a
 * working set larger than the machine, children forked in the middle of
 * it that read, write (copy-on-write) and exit, a child killed while it
 * faults, several children at once, shared pages written by all, and the
 * swapped memory moved by mremap and dropped by madvise.
 *
 * run_user: --mem 32M --swap 96M
 *
 * On Pagoda the 36 MiB of private memory and 4 MiB of shared memory do
 * not fit in 32 MiB, so pages go to swap and come back all the time; on
 * Linux they fit. Either way every word must read what was last written
 * to it in that process, and nothing else may be printed.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#define PG UT_PAGE
#define PAGES (36u * 256u) /* 36 MiB */
#define SHARED_PAGES (4u * 256u)

static uint32_t *mem;	  /* PAGES private pages */
static uint32_t *shared; /* SHARED_PAGES shared pages */

/* The value page i holds in a process that last wrote it with tag. */
static uint32_t value(uint32_t i, uint32_t tag)
{
	return (i * 2654435761u) ^ tag;
}

/* Writes words 0 and 1023 of every step-th page from first. */
static void write_pages(uint32_t *base, uint32_t n, uint32_t first,
			uint32_t step, uint32_t tag)
{
	for (uint32_t i = first; i < n; i += step) {
		base[i * 1024] = value(i, tag);
		base[i * 1024 + 1023] = ~value(i, tag);
	}
}

/* Whether every step-th page from first holds tag's values. */
static bool check_pages(const uint32_t *base, uint32_t n, uint32_t first,
			uint32_t step, uint32_t tag)
{
	for (uint32_t i = first; i < n; i += step)
		if (base[i * 1024] != value(i, tag) ||
		    base[i * 1024 + 1023] != ~value(i, tag))
			return false;
	return true;
}

/* A child reads, writes every 13th page (copying it), reads again. */
static int child_cow(void *arg)
{
	uint32_t tag = (uint32_t)(uintptr_t)arg;
	if (!check_pages(mem, PAGES, 0, 7, 1))
		return 1;
	write_pages(mem, PAGES, 0, 13, tag);
	if (!check_pages(mem, PAGES, 0, 13, tag))
		return 2;
	if (!check_pages(mem, PAGES, 1, 13, 1))
		return 3;
	return 0;
}

/* A child that faults for ever, until it is killed. */
static void child_forever(int ready)
{
	char c = 1;
	for (uint32_t round = 0;; round++) {
		write_pages(mem, PAGES, round % 5, 5, 99);
		if (round == 0)
			write(ready, &c, 1);
	}
}

/* Several children at once, each writing its own share of shared pages. */
static int child_shared(void *arg)
{
	uint32_t k = (uint32_t)(uintptr_t)arg;
	write_pages(shared, SHARED_PAGES, k, 4, 500 + k);
	if (!check_pages(mem, PAGES, k, 17, 1))
		return 1;
	return check_pages(shared, SHARED_PAGES, k, 4, 500 + k) ? 0 : 2;
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	mem = mmap(NULL, (size_t)PAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, (size_t)SHARED_PAGES * PG, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || shared == MAP_FAILED) {
		printf("mmap failed: %s\n", ut_errname(errno));
		return 2;
	}
	write_pages(mem, PAGES, 0, 1, 1);
	ut_check(check_pages(mem, PAGES, 0, 1, 1), "36 MiB written and read");

	/* Children one after another, each copying a share of pages. */
	for (uint32_t c = 0; c < 4; c++) {
		int st = ut_in_child(child_cow, (void *)(uintptr_t)(100 + c));
		ut_check(ut_exited(st, 0), "copy-on-write child %u: %s", c,
			 ut_status(st));
	}
	ut_check(check_pages(mem, PAGES, 0, 1, 1),
		 "the parent's pages are its own after 4 children");

	/* A child killed while it faults. */
	int pfd[2];
	pipe(pfd);
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child_forever(pfd[1]);
	}
	close(pfd[1]);
	char c;
	read(pfd[0], &c, 1);
	close(pfd[0]);
	kill(pid, SIGKILL);
	int st = ut_wait(pid);
	ut_check(ut_killed_by(st, SIGKILL), "a faulting child killed: %s",
		 ut_status(st));

	/* Four children at once on the shared pages. */
	pid_t kids[4];
	for (uint32_t k = 0; k < 4; k++) {
		kids[k] = fork();
		if (kids[k] == 0)
			_exit(child_shared((void *)(uintptr_t)k));
	}
	bool all = true;
	for (uint32_t k = 0; k < 4; k++)
		all &= ut_exited(ut_wait(kids[k]), 0);
	ut_check(all, "four children at once wrote the shared pages");
	bool shared_ok = true;
	for (uint32_t k = 0; k < 4; k++)
		shared_ok &= check_pages(shared, SHARED_PAGES, k, 4, 500 + k);
	ut_check(shared_ok, "the parent reads every child's shared writes");

	/* Move 8 MiB of swapped memory onto a reservation, drop 4 MiB. */
	void *dest = mmap(NULL, 8u << 20, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *moved = (uint32_t *)syscall(SYS_mremap, mem, 8u << 20,
					      8u << 20, MREMAP_MAYMOVE |
					      MREMAP_FIXED, dest);
	ut_check(moved != MAP_FAILED, "8 MiB moved by mremap: %s",
		 moved == MAP_FAILED ? ut_errname(errno) : "ok");
	if (moved != MAP_FAILED) {
		ut_check(check_pages(moved, 2048, 0, 1, 1),
			 "the moved pages hold their data");
		madvise(moved, 4u << 20, MADV_DONTNEED);
		bool zero = true;
		for (uint32_t i = 0; i < 1024; i += 3)
			zero &= moved[i * 1024] == 0;
		ut_check(zero, "the dropped 4 MiB read as zeros");
		ut_check(check_pages(moved, 2048, 1024, 1, 1),
			 "the other 4 MiB are intact");
	}
	ut_check(check_pages(mem, PAGES, 2048, 1, 1),
		 "the 28 MiB left in place are intact");
	return ut_end();
}
