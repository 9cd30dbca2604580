/*
 * tests/user/stack_grow.c - the main stack grows on demand, up to its limit.
 *
 * The stack region starts small and grows down as deeper pages are
 * touched, up to RLIMIT_STACK (8 MiB by default, on Linux and on Pagoda).
 * Recursion 1 MiB and 6 MiB deep works; a large frame may be touched at
 * its lowest address first; VmStk in /proc/self/status shows the growth;
 * recursion without end is killed by SIGSEGV when it reaches the limit.
 */
#include "utest.h"

#include <sys/resource.h>

enum {
	FRAME = 1024
};

/* Recurses depth times with a 1 KiB frame; returns a checksum. */
static __attribute__((noinline)) unsigned recurse(unsigned depth)
{
	volatile unsigned char frame[FRAME];
	unsigned sum;

	for (unsigned i = 0; i < FRAME; i += 64)
		frame[i] = (unsigned char)(depth + i);
	if (depth == 0)
		return 0;
	sum = recurse(depth - 1);
	/* Use the frame after the call, so the recursion is not a loop. */
	return sum + frame[depth % FRAME & ~63u];
}

/* The checksum recurse(depth) must return, computed without recursion. */
static unsigned expected_sum(unsigned depth)
{
	unsigned sum = 0;

	for (unsigned d = 1; d <= depth; d++)
		sum += (unsigned char)(d + (d % FRAME & ~63u));
	return sum;
}

/* A depth the stack limit never lets recursion reach (4 GiB of frames). */
static volatile unsigned never_depth = ~0u;

/* Recursion without end: the stack limit stops it first. */
static __attribute__((noinline)) unsigned forever(unsigned depth)
{
	volatile unsigned char frame[FRAME];

	frame[0] = (unsigned char)depth;
	if (depth == never_depth)
		return 0;
	return forever(depth + 1) + frame[0];
}

/* Child: recursion depth KiB deep must give the right checksum. */
static int deep_child(void *arg)
{
	unsigned depth = (unsigned)(uintptr_t)arg;

	return recurse(depth) == expected_sum(depth) ? 0 : 1;
}

/* Child: unbounded recursion. */
static int forever_child(void *arg)
{
	return (int)forever((unsigned)(uintptr_t)arg);
}

/* Child: a 512 KiB array touched at its lowest address first. */
static int big_frame_child(void *arg)
{
	volatile unsigned char big[512 * 1024];

	big[0] = (unsigned char)(uintptr_t)arg;
	for (size_t i = sizeof(big); i >= UT_PAGE / 2; i -= UT_PAGE / 2)
		big[i - 1] = 1;
	return big[0] == (unsigned char)(uintptr_t)arg ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct rlimit lim;
	long stk0, stk1;
	int status;

	ut_begin(argc, argv);
	if (getrlimit(RLIMIT_STACK, &lim) == 0)
		ut_check(lim.rlim_cur == 8u << 20,
			 "RLIMIT_STACK is 8 MiB (%lu KiB)",
			 (unsigned long)lim.rlim_cur / 1024);
	else
		ut_check(false, "getrlimit: %s", ut_errname(errno));

	stk0 = ut_proc_field("/proc/self/status", "VmStk");
	ut_check(recurse(1024) == expected_sum(1024),
		 "recursion 1 MiB deep works");
	stk1 = ut_proc_field("/proc/self/status", "VmStk");
	ut_check(stk0 > 0 && stk0 < 1024 && stk1 >= 1024,
		 "VmStk grew from under 1 MiB to at least 1 MiB");

	status = ut_in_child(deep_child, (void *)(6u * 1024));
	ut_check(ut_exited(status, 0), "recursion 6 MiB deep: %s",
		 ut_status(status));
	status = ut_in_child(big_frame_child, (void *)77);
	ut_check(ut_exited(status, 0),
		 "a 512 KiB frame touched at its bottom first: %s",
		 ut_status(status));
	status = ut_in_child(forever_child, (void *)0);
	ut_check(ut_killed_by(status, SIGSEGV), "recursion without end: %s",
		 ut_status(status));
	return ut_end();
}
