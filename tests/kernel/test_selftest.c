/*
 * tests/kernel/test_selftest.c - a suite that must panic.
 *
 * Run only when named (test=selftest_panic): the test runner boots it to
 * check that it notices a kernel panic and reports the run as failed.
 */
#include "kernel/ktest.h"
#include "libk/assert.h"

static void deliberate_panic(struct ktest *t)
{
	(void)t;
	KASSERT(1 + 1 == 3);
}

static const struct ktest_case selftest_cases[] = {
	KTEST_CASE(deliberate_panic),
};

KTEST_SUITE_EXPLICIT(selftest_panic, selftest_cases);
