/*
 * tests/kernel/test_selftest.c - a suite that must panic.
 *
 * Run only when named (test=selftest_panic): the test runner boots it to
 * check that it notices a kernel panic and reports the run as failed.
 */
#include "kernel/ktest.h"
#include "kernel/arch/kjmp.h"
#include "libk/assert.h"
#include "mm/vmap.h"

static void deliberate_panic(struct ktest *t)
{
	(void)t;
	KASSERT(1 + 1 == 3);
}

static const struct ktest_case selftest_cases[] = {
	KTEST_CASE(deliberate_panic),
};

KTEST_SUITE_EXPLICIT(selftest_panic, selftest_cases);

/*
 * Recursion without end on a kernel stack with a guard page: the CPU
 * cannot push the page-fault frame, raises a double fault, and the
 * double-fault task must report a kernel stack overflow (test=
 * selftest_stack_overflow; the runner checks the report).
 */
static volatile unsigned int depth_limit = ~0u;

static unsigned int recurse(unsigned int depth)
{
	volatile char pad[256];
	pad[0] = (char)depth;
	if (depth == depth_limit)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static void overflow(void *arg)
{
	(void)arg;
	recurse(0);
}

static void kernel_stack_overflow(struct ktest *t)
{
	vaddr_t stack = kstack_alloc();
	KT_ASSERT(t, stack != 0);
	kstack_call(overflow, NULL, kstack_top(stack));
	ktest_fail(t, __FILE__, __LINE__, "the overflow came back");
}

static const struct ktest_case overflow_cases[] = {
	KTEST_CASE(kernel_stack_overflow),
};

KTEST_SUITE_EXPLICIT(selftest_stack_overflow, overflow_cases);
