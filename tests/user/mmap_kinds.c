/*
 * tests/user/mmap_kinds.c - anonymous mmap: private, shared, fixed, hints,
 * PROT_NONE, lengths that are not whole pages, mremap, MADV_DONTNEED,
 * and the error returns.
 *
 * Where a test needs "nothing mapped here", it first reserves the range
 * with a PROT_NONE mapping of its own: other mappings may sit right next
 * to a fresh one (the mmap area is filled top-down), so the page after a
 * mapping is only known to be inaccessible if the test put a guard there.
 */
#include "utest.h"

#include <sys/mman.h>

/* mmap of private anonymous memory, or NULL (with a FAIL line). */
static unsigned char *map_anon(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		ut_check(false, "mmap %zu bytes: %s", len, ut_errname(errno));
		return NULL;
	}
	return p;
}

/* Counts non-zero bytes. */
static size_t nonzero(const unsigned char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] != 0;
	return n;
}

/* Private anonymous memory: zero, aligned, writable. */
static void test_private(void)
{
	size_t len = 16 * UT_PAGE;
	unsigned char *p = map_anon(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	size_t bad = 0;

	if (!p)
		return;
	ut_check(((uintptr_t)p & (UT_PAGE - 1)) == 0,
		 "private: the address is page aligned");
	ut_check(nonzero(p, len) == 0, "private: 16 new pages read as zero");
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i ^ (i >> 12));
	for (size_t i = 0; i < len; i++)
		bad += p[i] != (unsigned char)(i ^ (i >> 12));
	ut_check(bad == 0, "private: holds what was written");
	ut_check(munmap(p, len) == 0, "private: munmap");
}

/* A length that is not a multiple of the page size is rounded up. */
static void test_partial_page(void)
{
	unsigned char *guard = map_anon(3 * UT_PAGE, PROT_NONE, MAP_PRIVATE);
	unsigned char *p;
	int status;

	if (!guard)
		return;
	p = mmap(guard, 5000, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ut_check(p == guard, "5000 bytes with MAP_FIXED over a guard");
	status = ut_probe_write((uintptr_t)p + 2 * UT_PAGE - 1);
	ut_check(ut_exited(status, 0),
		 "5000 bytes: the last byte of page 2: %s",
		 ut_probe_result(status));
	status = ut_probe_read((uintptr_t)p + 2 * UT_PAGE);
	ut_check(ut_killed_by(status, SIGSEGV),
		 "5000 bytes: the guard page after it: %s",
		 ut_probe_result(status));
	munmap(guard, 3 * UT_PAGE);
}

/* MAP_SHARED|MAP_ANONYMOUS: both processes see each other's writes. */
static void test_shared(void)
{
	size_t len = 8 * UT_PAGE;
	unsigned char *p = map_anon(len, PROT_READ | PROT_WRITE, MAP_SHARED);
	int go[2], status;
	pid_t pid;

	if (!p || pipe(go))
		return;
	p[0] = 1;
	pid = fork();
	if (pid == 0) {
		char c;

		for (size_t i = UT_PAGE; i < len; i++)
			p[i] = (unsigned char)(i % 253);
		/* Wait until the parent has written page 0. */
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(p[0] == 99 ? 0 : 1);
	}
	p[0] = 99;
	if (write(go[1], "x", 1) != 1)
		ut_check(false, "write to a pipe");
	status = ut_wait(pid);
	ut_check(ut_exited(status, 0),
		 "shared: the child saw the parent's write after fork: %s",
		 ut_status(status));
	size_t bad = 0;

	for (size_t i = UT_PAGE; i < len; i++)
		bad += p[i] != (unsigned char)(i % 253);
	ut_check(bad == 0, "shared: the parent sees the child's 7 pages");
	close(go[0]);
	close(go[1]);
	munmap(p, len);
}

/* MAP_FIXED replaces what was mapped, exactly where asked. */
static void test_fixed(void)
{
	unsigned char *p =
		map_anon(4 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned char *q;

	if (!p)
		return;
	memset(p, 'A', 4 * UT_PAGE);
	q = mmap(p + UT_PAGE, 2 * UT_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ut_check(q == p + UT_PAGE, "fixed: mapped exactly at the address");
	ut_check(nonzero(q, 2 * UT_PAGE) == 0,
		 "fixed: the replaced pages read as zero");
	ut_check(p[0] == 'A' && p[UT_PAGE - 1] == 'A' &&
			 p[3 * UT_PAGE] == 'A' && p[4 * UT_PAGE - 1] == 'A',
		 "fixed: the pages around keep their data");
	munmap(p, 4 * UT_PAGE);
}

/* A free address given as a hint is used. */
static void test_hint(void)
{
	unsigned char *p = map_anon(4 * UT_PAGE, PROT_READ, MAP_PRIVATE);
	unsigned char *q;

	if (!p)
		return;
	munmap(p, 4 * UT_PAGE);
	q = mmap(p, 4 * UT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ut_check(q == p, "hint: a free hinted address is used");
	munmap(q, 4 * UT_PAGE);
}

/* PROT_NONE memory faults on any access until mprotect allows it. */
static void test_prot_none(void)
{
	unsigned char *p = map_anon(2 * UT_PAGE, PROT_NONE, MAP_PRIVATE);
	int status;

	if (!p)
		return;
	status = ut_probe_read((uintptr_t)p);
	ut_check(ut_killed_by(status, SIGSEGV), "PROT_NONE: read: %s",
		 ut_probe_result(status));
	status = ut_probe_write((uintptr_t)p + UT_PAGE);
	ut_check(ut_killed_by(status, SIGSEGV), "PROT_NONE: write: %s",
		 ut_probe_result(status));
	ut_check(mprotect(p, 2 * UT_PAGE, PROT_READ | PROT_WRITE) == 0,
		 "PROT_NONE: mprotect to read-write");
	ut_check(nonzero(p, 2 * UT_PAGE) == 0, "PROT_NONE: then reads as zero");
	p[5] = 5;
	ut_check(p[5] == 5, "PROT_NONE: then holds a write");
	munmap(p, 2 * UT_PAGE);
}

/* mremap keeps the contents when it grows or moves a mapping. */
static void test_mremap(void)
{
	unsigned char *p =
		map_anon(4 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned char *q;
	size_t bad = 0;

	if (!p)
		return;
	for (size_t i = 0; i < 4 * UT_PAGE; i++)
		p[i] = (unsigned char)(i * 13);
	q = mremap(p, 4 * UT_PAGE, 64 * UT_PAGE, MREMAP_MAYMOVE);
	if (!ut_check(q != MAP_FAILED, "mremap: grow 4 pages to 64"))
		return;
	for (size_t i = 0; i < 4 * UT_PAGE; i++)
		bad += q[i] != (unsigned char)(i * 13);
	ut_check(bad == 0, "mremap: the old contents moved with it");
	ut_check(nonzero(q + 4 * UT_PAGE, 60 * UT_PAGE) == 0,
		 "mremap: the new pages read as zero");
	q = mremap(q, 64 * UT_PAGE, 2 * UT_PAGE, 0);
	ut_check(q != MAP_FAILED &&
			 q[UT_PAGE + 1] == (unsigned char)((UT_PAGE + 1) * 13),
		 "mremap: shrink in place keeps the first pages");
	munmap(q, 2 * UT_PAGE);
}

/* MADV_DONTNEED drops private pages: they read as zero again. */
static void test_dontneed(void)
{
	unsigned char *p =
		map_anon(4 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	if (!p)
		return;
	memset(p, 0xab, 4 * UT_PAGE);
	ut_check(madvise(p + UT_PAGE, 2 * UT_PAGE, MADV_DONTNEED) == 0,
		 "MADV_DONTNEED on 2 of 4 pages");
	ut_check(nonzero(p + UT_PAGE, 2 * UT_PAGE) == 0,
		 "MADV_DONTNEED: the pages read as zero");
	ut_check(p[0] == 0xab && p[3 * UT_PAGE] == 0xab,
		 "MADV_DONTNEED: the other pages keep their data");
	munmap(p, 4 * UT_PAGE);
}

/* Prints what a failing mmap call set errno to. */
static void expect_mmap_error(const char *what, void *addr, size_t len,
			      int prot, int flags, int fd, int err)
{
	void *p = mmap(addr, len, prot, flags, fd, 0);
	int e = p == MAP_FAILED ? errno : 0;

	ut_check(e == err, "mmap %s: %s", what, ut_errname(e));
	if (p != MAP_FAILED)
		munmap(p, len);
}

/* Error returns of mmap and munmap. */
static void test_errors(void)
{
	int rw = PROT_READ | PROT_WRITE;
	unsigned char *p = map_anon(2 * UT_PAGE, rw, MAP_PRIVATE);
	int r, e;

	expect_mmap_error("length 0", NULL, 0, rw, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, EINVAL);
	expect_mmap_error("neither private nor shared", NULL, UT_PAGE, rw,
			  MAP_ANONYMOUS, -1, EINVAL);
	expect_mmap_error("MAP_FIXED at an unaligned address", p ? p + 1 : NULL,
			  UT_PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			  -1, EINVAL);
	expect_mmap_error("a file mapping of descriptor -1", NULL, UT_PAGE, rw,
			  MAP_PRIVATE, -1, EBADF);
	expect_mmap_error("of nearly 4 GiB", NULL, 0xfffff000u, rw,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, ENOMEM);
	r = munmap(p ? p + 1 : NULL, UT_PAGE);
	e = r ? errno : 0;
	ut_check(e == EINVAL, "munmap at an unaligned address: %s",
		 ut_errname(e));
	r = munmap(p, 0);
	e = r ? errno : 0;
	ut_check(e == EINVAL, "munmap of length 0: %s", ut_errname(e));
	ut_check(munmap(p, 2 * UT_PAGE) == 0 && munmap(p, 2 * UT_PAGE) == 0,
		 "munmap of a range already unmapped succeeds");
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	test_private();
	test_partial_page();
	test_shared();
	test_fixed();
	test_hint();
	test_prot_none();
	test_mremap();
	test_dontneed();
	test_errors();
	return ut_end();
}
