/*
 * tests/user/mprotect_segv.c - writes to read-only memory kill with SIGSEGV.
 *
 * Memory made read-only with mprotect (in the data segment, the heap and
 * an mmap region), string literals and program text: a write from user
 * mode is a protection fault, and the process dies with SIGSEGV. Reads
 * still work, and mprotect back to read-write restores writing with the
 * data intact. The children's wait statuses are printed: Linux defines
 * them exactly (0x000b: killed by signal 11, no core dump).
 */
#include "utest.h"

#include <sys/mman.h>

/* Initialised, so in .data; page aligned, so mprotect can take it alone. */
static unsigned char data_page[2 * UT_PAGE]
	__attribute__((aligned(UT_PAGE))) = { 1 };

/* Lives in .rodata, mapped read-only. */
static const char literal[] = "a string literal lives in read-only data";

/* Makes one page read-only, probes it, restores it; prints the facts. */
static void test_region(const char *name, unsigned char *page)
{
	int status;

	page[0] = 42;
	ut_check(mprotect(page, UT_PAGE, PROT_READ) == 0,
		 "%s: mprotect read-only", name);
	status = ut_probe_write((uintptr_t)page + 100);
	ut_check(ut_killed_by(status, SIGSEGV), "%s: write: %s", name,
		 ut_status(status));
	status = ut_probe_read((uintptr_t)page + 100);
	ut_check(ut_exited(status, 0), "%s: read: %s", name, ut_status(status));
	ut_check(page[0] == 42, "%s: the data is still there", name);
	ut_check(mprotect(page, UT_PAGE, PROT_READ | PROT_WRITE) == 0,
		 "%s: mprotect read-write", name);
	page[1] = 43;
	ut_check(page[0] == 42 && page[1] == 43, "%s: writable again", name);
}

/* A read-only page stays read-only in a child after fork. */
static void test_fork(unsigned char *page)
{
	int status;
	pid_t pid;

	page[0] = 7;
	mprotect(page, UT_PAGE, PROT_READ);
	status = ut_probe_write((uintptr_t)page);
	ut_check(ut_killed_by(status, SIGSEGV),
		 "fork: the child inherits a read-only page: %s",
		 ut_status(status));
	pid = fork();
	if (pid == 0) {
		/* The child's mprotect changes only the child's mapping. */
		if (mprotect(page, UT_PAGE, PROT_READ | PROT_WRITE))
			_exit(2);
		page[0] = 8;
		_exit(page[0] == 8 ? 0 : 1);
	}
	status = ut_wait(pid);
	ut_check(ut_exited(status, 0), "fork: the child made it writable: %s",
		 ut_status(status));
	status = ut_probe_write((uintptr_t)page);
	ut_check(ut_killed_by(status, SIGSEGV) && page[0] == 7,
		 "fork: the parent's page is still read-only and unchanged");
	mprotect(page, UT_PAGE, PROT_READ | PROT_WRITE);
}

/* mprotect's error returns. */
static void test_errors(unsigned char *page)
{
	unsigned char *hole = mmap(NULL, UT_PAGE, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r, e;

	r = mprotect(page + 1, UT_PAGE, PROT_READ);
	e = r ? errno : 0;
	ut_check(e == EINVAL, "mprotect at an unaligned address: %s",
		 ut_errname(e));
	munmap(hole, UT_PAGE);
	r = mprotect(hole, UT_PAGE, PROT_READ);
	e = r ? errno : 0;
	ut_check(e == ENOMEM, "mprotect of an unmapped page: %s",
		 ut_errname(e));
	r = mprotect(page, 0, PROT_READ);
	e = r ? errno : 0;
	ut_check(e == 0, "mprotect of length 0: %s", ut_errname(e));
}

int main(int argc, char **argv)
{
	unsigned char *heap = NULL;
	unsigned char *map = mmap(NULL, 2 * UT_PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status;

	ut_begin(argc, argv);
	if (posix_memalign((void **)&heap, UT_PAGE, 2 * UT_PAGE) ||
	    map == MAP_FAILED) {
		ut_check(false, "allocate the test pages");
		return ut_end();
	}
	test_region("data", data_page);
	test_region("heap", heap);
	test_region("mmap", map);

	status = ut_probe_write((uintptr_t)literal);
	ut_check(ut_killed_by(status, SIGSEGV), "write to a string literal: %s",
		 ut_status(status));
	status = ut_probe_write((uintptr_t)main);
	ut_check(ut_killed_by(status, SIGSEGV), "write to program text: %s",
		 ut_status(status));
	status = ut_probe_read((uintptr_t)main);
	ut_check(ut_exited(status, 0), "read program text: %s",
		 ut_status(status));

	test_fork(map + UT_PAGE);
	test_errors(map);
	free(heap);
	return ut_end();
}
