/*
 * tests/user/brk_heap.c - the brk heap: grow, shrink, regrow, limits.
 *
 * brk(0) asks for the current break; brk(addr) moves it and returns the
 * break in effect afterwards, unchanged when the request is refused (the
 * raw system call, not glibc's wrapper, which hides this). New heap pages
 * read as zero; pages above the break after a shrink are gone (touching
 * them is SIGSEGV), and growing again gives zero pages, not the old
 * contents. Addresses are printed only relative to the starting break.
 */
#include "utest.h"

#include <sys/syscall.h>

/* The raw brk system call. */
static uintptr_t sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

/* Rounds up to a page boundary. */
static uintptr_t page_up(uintptr_t a)
{
	return (a + UT_PAGE - 1) & ~(uintptr_t)(UT_PAGE - 1);
}

/* Counts the bytes in [start, end) that are not zero. */
static size_t count_nonzero(uintptr_t start, uintptr_t end)
{
	size_t n = 0;

	for (volatile unsigned char *p = (void *)start;
	     p < (unsigned char *)end; p++)
		n += *p != 0;
	return n;
}

int main(int argc, char **argv)
{
	const uintptr_t grow = (1u << 20) + 123;
	uintptr_t b0, top, r;
	size_t bad = 0;
	int status;

	ut_begin(argc, argv);
	b0 = sys_brk(0);
	top = page_up(b0);
	ut_check(b0 != 0 && b0 == sys_brk(0), "brk(0) returns the break");

	r = sys_brk(b0 + grow);
	ut_check(r == b0 + grow, "grow by 1 MiB + 123 bytes: moved %+ld",
		 (long)(r - b0));
	ut_check(count_nonzero(b0, b0 + grow) == 0,
		 "the new heap reads as zero");
	for (uintptr_t a = b0; a < b0 + grow; a++)
		*(unsigned char *)a = (unsigned char)(a * 7 + 1);
	for (uintptr_t a = b0; a < b0 + grow; a++)
		bad += *(unsigned char *)a != (unsigned char)(a * 7 + 1);
	ut_check(bad == 0, "the new heap holds what was written");
	status = ut_probe_write(b0 + grow - 1);
	ut_check(ut_exited(status, 0), "the last byte below the break: %s",
		 ut_probe_result(status));
	status = ut_probe_read(page_up(b0 + grow));
	ut_check(ut_killed_by(status, SIGSEGV), "the page above the break: %s",
		 ut_probe_result(status));

	r = sys_brk(top + UT_PAGE);
	ut_check(r == top + UT_PAGE, "shrink to one page above the start");
	status = ut_probe_read(top + 4 * UT_PAGE);
	ut_check(ut_killed_by(status, SIGSEGV),
		 "a page above the shrunk break: %s", ut_probe_result(status));
	ut_check(*(unsigned char *)(top + 10) ==
			 (unsigned char)((top + 10) * 7 + 1),
		 "the page kept below the break keeps its data");

	r = sys_brk(b0 + grow);
	ut_check(r == b0 + grow, "grow again to the same size");
	ut_check(count_nonzero(top + UT_PAGE, b0 + grow) == 0,
		 "pages given back and taken again read as zero");

	r = sys_brk(b0 - (64u << 20));
	ut_check(r == b0 + grow, "a break below the heap start is refused");
	r = sys_brk(0xffff0000u);
	ut_check(r == b0 + grow,
		 "a break over the stack or the kernel is refused");

	r = sys_brk(b0 + 100);
	ut_check(r == b0 + 100, "shrink to 100 bytes above the start");
	r = sys_brk(b0);
	ut_check(r == b0, "back to the starting break");

	/* glibc's malloc takes memory for small blocks from the break. */
	enum {
		BLOCKS = 1024
	};
	static void *blocks[BLOCKS];
	bool all = true;

	for (int i = 0; i < BLOCKS; i++)
		all &= (blocks[i] = malloc(1000)) != NULL;
	r = sys_brk(0);
	ut_check(all && r > b0 + 512 * 1024,
		 "1024 mallocs of 1000 bytes moved the break up");
	for (int i = 0; i < BLOCKS; i++)
		free(blocks[i]);
	return ut_end();
}
