/*
 * tests/user/rss_lazy.c - memory is given on first touch, not on mmap.
 *
 * /proc/self/status shows VmSize (address space, exact) and VmRSS
 * (resident pages). A large anonymous mapping grows VmSize at once but
 * VmRSS only as pages are written; munmap and MADV_DONTNEED give the
 * pages back. Linux keeps RSS in per-CPU counters that may lag by a few
 * hundred KiB, so the RSS checks allow 1 MiB of slack; the facts printed
 * are the checks, not the numbers.
 */
#include "utest.h"

#include <sys/mman.h>

enum {
	MIB = 1024
}; /* in kB, the unit of /proc/self/status */

/*
 * Touches 64 KiB of stack, so that the stack region (part of VmSize) does
 * not grow between two readings later: a kernel may start with a smaller
 * stack region than Linux's 132 KiB.
 */
static __attribute__((noinline)) void grow_stack(void)
{
	volatile char pad[64 * 1024];

	for (size_t i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

/* A field of /proc/self/status in kB. */
static long status_kb(const char *field)
{
	return ut_proc_field("/proc/self/status", field);
}

int main(int argc, char **argv)
{
	size_t len = 8u << 20;
	long size0, rss0, size1, rss1;
	unsigned char *p;

	ut_begin(argc, argv);
	grow_stack();
	size0 = status_kb("VmSize");
	rss0 = status_kb("VmRSS");
	ut_check(size0 > 0 && rss0 > 0, "VmSize and VmRSS are reported");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		ut_check(false, "mmap 8 MiB: %s", ut_errname(errno));
		return ut_end();
	}
	size1 = status_kb("VmSize");
	rss1 = status_kb("VmRSS");
	ut_check(size1 - size0 == 8 * MIB, "mmap 8 MiB: VmSize grew by %ld kB",
		 size1 - size0);
	ut_check(rss1 - rss0 < MIB, "mmap 8 MiB: VmRSS grew by under 1 MiB");

	for (size_t i = 0; i < len / 2; i += UT_PAGE)
		p[i] = 1;
	rss1 = status_kb("VmRSS");
	ut_check(rss1 - rss0 > 3 * MIB && rss1 - rss0 < 5 * MIB,
		 "after writing 4 MiB of it: VmRSS grew by 3 to 5 MiB");

	ut_check(madvise(p, len / 4, MADV_DONTNEED) == 0,
		 "MADV_DONTNEED on the first 2 MiB");
	rss1 = status_kb("VmRSS");
	ut_check(rss1 - rss0 > MIB && rss1 - rss0 < 3 * MIB,
		 "then VmRSS is 1 to 3 MiB above the start");
	ut_check(status_kb("VmSize") - size0 == 8 * MIB,
		 "and VmSize is unchanged");

	munmap(p, len);
	size1 = status_kb("VmSize");
	rss1 = status_kb("VmRSS");
	ut_check(size1 == size0, "after munmap: VmSize is back");
	ut_check(rss1 - rss0 < MIB, "after munmap: VmRSS is back within 1 MiB");
	return ut_end();
}
