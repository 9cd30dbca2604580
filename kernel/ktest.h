/*
 * kernel/ktest.h - the in-kernel test framework.
 *
 * A suite is a named array of test cases placed in the .ktest_suites
 * section by KTEST_SUITE, so defining one is all it takes to register it.
 * Booting with test=all or test=NAME[,NAME] runs the chosen suites and
 * prints TAP (Test Anything Protocol, version 13) on the console:
 *
 *     # suite pmm
 *     ok 1 - pmm.alloc_all
 *     not ok 2 - pmm.free_all
 *     #   tests/kernel/test_pmm.c:42: free == baseline (100 vs 99)
 *     1..2
 *
 * then ends QEMU through isa-debug-exit with the verdict.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The state of the running test, passed to each test function. */
struct ktest {
	const char *name;  /* "suite.case" */
	bool failed;       /* set by a failed assertion */
	bool skipped;      /* set by KT_SKIP */
};

struct ktest_case {
	const char *name;
	void (*fn)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	size_t ncases;
	bool explicit_only;  /* run only when named, never by test=all */
};

/* clang-format off */
#define KTEST_CASE(fn) { #fn, fn }
/* clang-format on */

/* Registers a suite named `name` with the array `cases`. */
#define KTEST_SUITE(name, cases) KTEST_SUITE_(name, cases, false)

/* Registers a suite that test=all skips (e.g. one that must panic). */
#define KTEST_SUITE_EXPLICIT(name, cases) KTEST_SUITE_(name, cases, true)

#define KTEST_SUITE_(name, cases, explicit)                                   \
	static const struct ktest_suite ktest_suite_##name                    \
		__attribute__((used, section(".ktest_suites"),                \
			       aligned(4))) = {                               \
			#name, cases, sizeof(cases) / sizeof(cases[0]),       \
			explicit                                              \
		}

__attribute__((format(printf, 4, 5))) void
ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...);

/* Fails the test and returns from the test function when cond is false. */
#define KT_ASSERT(t, cond)                                                    \
	do {                                                                  \
		if (!(cond)) {                                                \
			ktest_fail(t, __FILE__, __LINE__, "%s", #cond);       \
			return;                                               \
		}                                                             \
	} while (0)

/* Fails the test but carries on when cond is false. */
#define KT_EXPECT(t, cond)                                                    \
	do {                                                                  \
		if (!(cond))                                                  \
			ktest_fail(t, __FILE__, __LINE__, "%s", #cond);       \
	} while (0)

/* Compares two integers, printing both values on failure, and returns. */
#define KT_ASSERT_EQ(t, a, b)                                                 \
	do {                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);           \
		if (_a != _b) {                                               \
			ktest_fail(t, __FILE__, __LINE__,                     \
				   "%s == %s (%lld vs %lld)", #a, #b, _a, _b);  \
			return;                                               \
		}                                                             \
	} while (0)

#define KT_EXPECT_EQ(t, a, b)                                                 \
	do {                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);           \
		if (_a != _b)                                                 \
			ktest_fail(t, __FILE__, __LINE__,                     \
				   "%s == %s (%lld vs %lld)", #a, #b, _a, _b);  \
	} while (0)

/* Marks the test skipped (TAP "# SKIP") and returns. */
#define KT_SKIP(t, why)                                                       \
	do {                                                                  \
		(t)->skipped = true;                                          \
		ktest_note("skip: %s", why);                                  \
		return;                                                       \
	} while (0)

/* Prints a TAP diagnostic line ("# ..."). */
__attribute__((format(printf, 1, 2))) void ktest_note(const char *fmt, ...);

/* What a caught CPU exception looked like. */
struct ktest_fault {
	uint32_t vector;      /* exception vector, e.g. 14 for #PF */
	uint32_t error_code;  /* the CPU's error code, 0 if none */
	uint32_t cr2;         /* faulting address for #PF */
	uint32_t eip;         /* where it happened */
};

/*
 * Runs fn(arg) and catches a CPU exception it raises in kernel mode instead
 * of panicking. Returns true (and fills *fault) if it faulted.
 */
bool ktest_catch_fault(void (*fn)(void *arg), void *arg,
		       struct ktest_fault *fault);

/* Runs the suites named by the test= option; never returns. */
__attribute__((noreturn)) void ktest_run(const char *selection);

#endif
