/*
 * tests/user/madvise_kinds.c - which regions madvise(MADV_DONTNEED) and
 * madvise(MADV_FREE) may drop.
 *
 * Pages of a locked region (mlock, mlockall) must stay resident, so Linux
 * refuses to drop them: EINVAL for the first locked region of the range,
 * after the regions before it have been dropped already. MADV_FREE is
 * for private anonymous memory only (EINVAL on a file or shared mapping),
 * where MADV_DONTNEED takes any region. A hole in the range is ENOMEM, the
 * rest being dropped all the same.
 */
#include "utest.h"

#include <sys/mman.h>

#define NPAGES 4

/* Fills page i of p with the byte i + 1. */
static void fill(unsigned char *p)
{
	for (int i = 0; i < NPAGES; i++)
		memset(p + i * UT_PAGE, i + 1, UT_PAGE);
}

/*
 * "1234" while every page holds its byte; a page that reads zero is "0",
 * one not in mask (a bit per page) is "-" and not read.
 */
static const char *pages(const unsigned char *p, unsigned int mask)
{
	static char out[NPAGES + 1];

	for (int i = 0; i < NPAGES; i++) {
		unsigned char c = mask & (1u << i) ? p[i * UT_PAGE + 100]
						   : 0xFF;

		out[i] = c == 0xFF    ? '-'
			 : c == 0     ? '0'
			 : c == i + 1 ? (char)('1' + i)
				      : '?';
	}
	out[NPAGES] = '\0';
	return out;
}

/* "0" or the error name of a madvise call. */
static const char *advise(void *p, size_t len, int advice)
{
	return ut_errname(madvise(p, len, advice) == 0 ? 0 : errno);
}

/* Calls madvise, then prints its result and what the pages of p hold. */
static void drop(const char *what, const unsigned char *p, unsigned int mask,
		 unsigned int first, unsigned int n, int advice)
{
	const char *r =
		advise((void *)(p + first * UT_PAGE), n * UT_PAGE, advice);

	ut_fact("%s: %s; pages then %s", what, r, pages(p, mask));
}

/* A locked page in the middle of an anonymous mapping. */
static void test_locked(void)
{
	unsigned char *p = mmap(NULL, NPAGES * UT_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const unsigned int all = (1u << NPAGES) - 1;

	if (!ut_check(p != MAP_FAILED, "mmap %d pages", NPAGES))
		return;
	fill(p);
	ut_check(mlock(p + UT_PAGE, UT_PAGE) == 0, "mlock page 1");
	drop("MADV_DONTNEED of pages 0-3", p, all, 0, 4, MADV_DONTNEED);
	fill(p);
	drop("MADV_DONTNEED of the locked page", p, all, 1, 1, MADV_DONTNEED);
	drop("MADV_DONTNEED of pages 2-3", p, all, 2, 2, MADV_DONTNEED);
	fill(p);
	drop("MADV_FREE of the locked page", p, all, 1, 1, MADV_FREE);
	/* What MADV_FREE freed may read as before or as zero: not shown. */
	drop("MADV_FREE of pages 0-1", p, 2u, 0, 2, MADV_FREE);
	fill(p);
	drop("MADV_WILLNEED of the locked page", p, all, 1, 1, MADV_WILLNEED);
	ut_check(munlock(p + UT_PAGE, UT_PAGE) == 0, "munlock page 1");
	drop("then MADV_DONTNEED of pages 0-3", p, all, 0, 4, MADV_DONTNEED);

	/* mlockall(MCL_CURRENT) locks this mapping too. */
	fill(p);
	ut_check(mlockall(MCL_CURRENT) == 0, "mlockall(MCL_CURRENT)");
	drop("MADV_DONTNEED after mlockall", p, all, 0, 4, MADV_DONTNEED);
	ut_check(munlockall() == 0, "munlockall");
	drop("MADV_DONTNEED after munlockall", p, all, 0, 4, MADV_DONTNEED);
	munmap(p, NPAGES * UT_PAGE);
}

/* A hole, then a locked region: the hole is not the error reported. */
static void test_hole_then_locked(void)
{
	unsigned char *p = mmap(NULL, NPAGES * UT_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const unsigned int mapped = 1u | 4u | 8u;

	if (!ut_check(p != MAP_FAILED, "mmap %d pages", NPAGES))
		return;
	fill(p);
	ut_check(munmap(p + UT_PAGE, UT_PAGE) == 0 &&
			 mlock(p + 3 * UT_PAGE, UT_PAGE) == 0,
		 "unmap page 1, lock page 3");
	drop("MADV_DONTNEED of pages 0-2 (a hole)", p, mapped, 0, 3,
	     MADV_DONTNEED);
	p[0] = 1;
	p[2 * UT_PAGE + 100] = 3;
	drop("MADV_DONTNEED of pages 0-3 (a hole, then locked)", p, mapped, 0,
	     4, MADV_DONTNEED);
	munmap(p, NPAGES * UT_PAGE);
}

/* MADV_FREE: private anonymous memory only. */
static void test_free_kinds(const char *prog)
{
	int fd = open(prog, O_RDONLY);
	unsigned char *f = mmap(NULL, UT_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	unsigned char *s = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned char *a = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!ut_check(fd >= 0 && f != MAP_FAILED && s != MAP_FAILED &&
			      a != MAP_FAILED,
		      "map a file, shared and private anonymous memory"))
		return;
	s[0] = 7;
	a[0] = 7;
	ut_fact("MADV_FREE of a private file mapping: %s",
		advise(f, UT_PAGE, MADV_FREE));
	ut_fact("MADV_FREE of shared anonymous memory: %s",
		advise(s, UT_PAGE, MADV_FREE));
	ut_fact("  which then holds %d", s[0]);
	ut_fact("MADV_FREE of private anonymous memory: %s",
		advise(a, UT_PAGE, MADV_FREE));
	ut_fact("MADV_DONTNEED of the file mapping: %s",
		advise(f, UT_PAGE, MADV_DONTNEED));
	ut_fact("MADV_DONTNEED of the shared memory: %s",
		advise(s, UT_PAGE, MADV_DONTNEED));
	ut_fact("  which then holds %d", s[0]);
	munmap(f, UT_PAGE);
	munmap(s, UT_PAGE);
	munmap(a, UT_PAGE);
	close(fd);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	test_locked();
	test_hole_then_locked();
	test_free_kinds(argv[0]);
	return ut_end();
}
