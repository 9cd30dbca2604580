/*
 * tests/user/rss_limit.c - a process with a tiny RLIMIT_RSS still runs to
 * the end.
 *
 * Linux accepts RLIMIT_RSS and ignores it. Pagoda enforces it by local
 * replacement (docs/swap.md), which must never take away a page the
 * faulting instruction needs: with a limit of one or two pages, an
 * instruction that touches its code page, its stack and a data page would
 * otherwise fault for ever, each fault evicting the page the next one
 * needs. So on both systems the same loops must finish with the right
 * results: writing and summing 64 pages, and a string copy (rep movsl)
 * whose source and destination both cross page boundaries.
 *
 * Each run is a child process that the parent gives 10 seconds before it
 * kills it and reports that it did not finish.
 */
#include "utest.h"

#include <sys/mman.h>
#include <time.h>

#define NPAGES 64
#define SECONDS 10

/* Copies n words with one string instruction. */
static void copy_words(void *dst, const void *src, size_t n)
{
	__asm__ volatile("rep movsl"
			 : "+D"(dst), "+S"(src), "+c"(n)
			 :
			 : "memory");
}

/* The child: the loops, under RLIMIT_RSS of `pages` pages. */
static int child(void *arg)
{
	size_t pages = (size_t)(uintptr_t)arg;
	struct rlimit rl = { pages * UT_PAGE, pages * UT_PAGE };
	unsigned char *p;
	volatile unsigned long sum = 0;

	if (setrlimit(RLIMIT_RSS, &rl) != 0)
		return 2;
	p = mmap(NULL, NPAGES * UT_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 3;
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < NPAGES; i++)
			p[i * UT_PAGE + pass] = (unsigned char)(i + pass);
		for (size_t i = 0; i < NPAGES; i++)
			sum += p[i * UT_PAGE + pass];
	}
	/* 3 * (0 + 1 + ... + 63) + 64 * (0 + 1 + 2) */
	if (sum != 3 * (NPAGES * (NPAGES - 1) / 2) + NPAGES * 3)
		return 4;

	/*
	 * Source words at the end of page 0 to the start of page 2 of the
	 * first half, unaligned so that some words straddle two pages; the
	 * destination likewise in the second half.
	 */
	unsigned char *src = p + UT_PAGE - 6, *dst = p + 33 * UT_PAGE - 10;
	size_t words = (UT_PAGE + 64) / 4;

	for (size_t i = 0; i < words * 4; i++)
		src[i] = (unsigned char)(i * 7);
	copy_words(dst, src, words);
	for (size_t i = 0; i < words * 4; i++)
		if (dst[i] != (unsigned char)(i * 7))
			return 5;
	return 0;
}

/* Runs child() in a process; "finished" or why not. */
static const char *run(size_t pages)
{
	static char buf[64];
	pid_t pid = fork();

	if (pid < 0)
		return "fork failed";
	if (pid == 0)
		_exit(child((void *)(uintptr_t)pages));
	for (int tick = 0; tick < SECONDS * 10; tick++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			if (ut_exited(status, 0))
				return "finished, results right";
			snprintf(buf, sizeof(buf), "%s", ut_status(status));
			return buf;
		}
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	ut_wait(pid);
	return "did not finish";
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	for (size_t pages = 1; pages <= 3; pages++) {
		const char *r = run(pages);

		ut_check(!strcmp(r, "finished, results right"),
			 "RLIMIT_RSS of %zu page%s: the loops %s", pages,
			 pages > 1 ? "s" : "", r);
	}
	return ut_end();
}
