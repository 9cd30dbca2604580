/*
 * tests/host/lib/one_test.c - run one test of a cmocka program by name.
 *
 * Linked into every host test program. With HOST_TEST=NAME in the
 * environment only the tests whose names match NAME (cmocka's pattern: `*`
 * and `?` are wildcards) run; the others are not started. The grader
 * (tools/grade) runs each graded test in a process of its own this way, so
 * one broken test cannot leave state behind that fails the tests after it.
 *
 *   HOST_TEST=test_split_and_merge build/host/test_pmm
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

__attribute__((constructor)) static void one_test_filter(void)
{
	const char *name = getenv("HOST_TEST");
	if (name && *name)
		cmocka_set_test_filter(name);
}
