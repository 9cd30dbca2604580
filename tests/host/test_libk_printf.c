/*
 * tests/host/test_libk_printf.c - libk's printf engine against the host C
 * library.
 *
 * The host's snprintf is the reference: each format below is formatted by
 * both, and the strings and return values must agree. Hand-written tables
 * cover the documented conversions, flags, widths, precisions and length
 * modifiers with their edge values; a seeded random sweep then combines them
 * in ways nobody would write by hand. %p is the one deliberate difference
 * (libk prints every digit of a pointer), so it is checked against the
 * equivalent %016lx-style format instead.
 *
 * libk_names.h renames libk's functions for the host build (snprintf becomes
 * libk_snprintf), so libk's headers are included first, under that rename;
 * then the rename is dropped and <stdio.h> declares the host's functions
 * under their standard names. In this file libk_* is always libk, and the
 * plain names are always the host C library.
 */
#include "libk/log.h"
#include "libk/printf.h"
#include "tests/host/shim/host_shim.h"

#undef snprintf
#undef vsnprintf
#undef memcmp
#undef memset
#undef strcmp
#undef strlen

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

/* Mismatches found by the current test; each test asserts it ends at 0. */
static int mismatches;

/*
 * Formats fmt with both implementations and records a mismatch (with the
 * line of the table entry) if the strings or the return values differ.
 */
static void compare_va(int line, const char *fmt, va_list ap)
{
	char want[512];
	char got[512];
	va_list aq;

	va_copy(aq, ap);
	int want_n = vsnprintf(want, sizeof(want), fmt, ap);
	memset(got, 0x5a, sizeof(got));
	int got_n = libk_vsnprintf(got, sizeof(got), fmt, aq);
	va_end(aq);

	if (want_n != got_n || memchr(got, '\0', sizeof(got)) == NULL ||
	    strcmp(want, got) != 0) {
		/* Report the first few; one bug tends to cause many. */
		if (mismatches < 20)
			print_error("line %d: format \"%s\": host \"%s\" "
				    "(%d), libk \"%.*s\" (%d)\n",
				    line, fmt, want, want_n,
				    (int)sizeof(got) - 1, got, got_n);
		mismatches++;
	}
}

/* Compares one format, with the compiler checking it against its arguments. */
__attribute__((format(printf, 2, 3))) static void
check_line(int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	compare_va(line, fmt, ap);
	va_end(ap);
}

/*
 * Compares one format without the compiler's format check, for flags that C
 * defines as ignored (such as '+' with %u) but that GCC warns about.
 */
static void check_line_unchecked(int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	compare_va(line, fmt, ap);
	va_end(ap);
}

#define CHECK(...) check_line(__LINE__, __VA_ARGS__)
#define CHECK_IGNORED_FLAG(...) check_line_unchecked(__LINE__, __VA_ARGS__)

/* Resets the mismatch count before each test. */
static int reset_mismatches(void **state)
{
	(void)state;
	mismatches = 0;
	return 0;
}

static void test_plain_text(void **state)
{
	(void)state;
	CHECK("%s", "");
	CHECK("hello");
	CHECK("100%% sure");
	CHECK("%%");
	CHECK("%%%%%d%%", 5);
	CHECK("tab\tand newline\n");
	assert_int_equal(mismatches, 0);
}

static void test_signed_decimal(void **state)
{
	(void)state;
	CHECK("%d", 0);
	CHECK("%d", 1);
	CHECK("%d", -1);
	CHECK("%d", 42);
	CHECK("%i", -42);
	CHECK("%d", INT_MAX);
	CHECK("%d", INT_MIN);
	CHECK("%i", INT_MIN);
	CHECK("%5d", 42);
	CHECK("%5d", -42);
	CHECK("%-5d|", 42);
	CHECK("%-5d|", -42);
	CHECK("%05d", 42);
	CHECK("%05d", -42);
	CHECK("%+d", 42);
	CHECK("%+d", -42);
	CHECK("%+d", 0);
	CHECK("% d", 42);
	CHECK("% d", -42);
	CHECK("% d", 0);
	CHECK("% 05d", 42);
	CHECK("%+05d", 42);
	CHECK("%+-6d|", 42);
	CHECK("%2d", 12345);
	CHECK("%.3d", 7);
	CHECK("%.3d", -7);
	CHECK("%.0d", 0);
	CHECK("%.0d", 1);
	CHECK("%5.0d|", 0);
	CHECK("%+.0d", 0);
	CHECK("% .0d", 0);
	CHECK("%.d", 0);
	CHECK("%8.3d", -7);
	CHECK("%-8.3d|", -7);
	CHECK("%.10d", INT_MIN);
	CHECK("%20d", INT_MIN);
	CHECK("%-20d|", INT_MIN);
	CHECK("%020d", INT_MIN);
	CHECK("%d %d %d", 1, -2, 3);
	assert_int_equal(mismatches, 0);
}

static void test_unsigned_conversions(void **state)
{
	(void)state;
	CHECK("%u", 0u);
	CHECK("%u", 42u);
	CHECK("%u", UINT_MAX);
	CHECK("%x", 0u);
	CHECK("%x", 0xdeadbeefu);
	CHECK("%X", 0xdeadbeefu);
	CHECK("%x", UINT_MAX);
	CHECK("%o", 0u);
	CHECK("%o", 8u);
	CHECK("%o", UINT_MAX);
	CHECK("%#x", 0u);
	CHECK("%#x", 0x1fu);
	CHECK("%#X", 0x1fu);
	CHECK("%#o", 0u);
	CHECK("%#o", 8u);
	CHECK("%#.0o", 0u);
	CHECK("%#.0x", 0u);
	CHECK("%#.5o", 8u);
	CHECK("%#.3o", 8u);
	CHECK("%#.2o", 8u);
	CHECK("%#8.5o|", 8u);
	CHECK("%#10x", 0x1fu);
	CHECK("%#-10x|", 0x1fu);
	CHECK("%#010x", 0x1fu);
	CHECK("%#010o", 8u);
	CHECK("%#.4x", 0x1fu);
	CHECK("%#12.4x", 0x1fu);
	CHECK("%08x", 0xabcu);
	CHECK("%-8x|", 0xabcu);
	CHECK("%8.4X", 0xabcu);
	CHECK("%.0x", 0u);
	CHECK("%.0u", 0u);
	CHECK("%5.0u|", 0u);
	CHECK("%.8u", 123u);
	assert_int_equal(mismatches, 0);
}

/* Flags that C says have no effect in the given combination. */
static void test_ignored_flags(void **state)
{
	(void)state;
	CHECK_IGNORED_FLAG("%+ d", 42);
	CHECK_IGNORED_FLAG("%08.3d", 7);
	CHECK_IGNORED_FLAG("%+u", 5u);
	CHECK_IGNORED_FLAG("% u", 5u);
	CHECK_IGNORED_FLAG("%+x", 5u);
	CHECK_IGNORED_FLAG("% X", 5u);
	CHECK_IGNORED_FLAG("%+o", 5u);
	CHECK_IGNORED_FLAG("%+#x", 0x2au);
	CHECK_IGNORED_FLAG("% #o", 9u);
	CHECK_IGNORED_FLAG("[%0.*d]", 3, 7);
	CHECK_IGNORED_FLAG("%-05d|", 42);
	CHECK_IGNORED_FLAG("%-#08x|", 0x2au);
	CHECK_IGNORED_FLAG("%+.0u|", 0u);
	assert_int_equal(mismatches, 0);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	CHECK("%hhd", 127);
	CHECK("%hhd", 128);
	CHECK("%hhd", -129);
	CHECK("%hhd", 255);
	CHECK("%hhu", 256);
	CHECK("%hhu", -1);
	CHECK("%hhx", 0x1234);
	CHECK("%hd", 32767);
	CHECK("%hd", 32768);
	CHECK("%hd", -32769);
	CHECK("%hu", 65536);
	CHECK("%hu", -1);
	CHECK("%hx", 0x12345678);
	CHECK("%ho", 0x12345678);
	CHECK("%ld", 0L);
	CHECK("%ld", LONG_MAX);
	CHECK("%ld", LONG_MIN);
	CHECK("%li", -1L);
	CHECK("%lu", ULONG_MAX);
	CHECK("%lx", ULONG_MAX);
	CHECK("%lX", 0xfedcba9876543210UL);
	CHECK("%lo", ULONG_MAX);
	CHECK("%lld", 0LL);
	CHECK("%lld", LLONG_MAX);
	CHECK("%lld", LLONG_MIN);
	CHECK("%lli", LLONG_MIN);
	CHECK("%+lld", LLONG_MAX);
	CHECK("%30lld|", LLONG_MIN);
	CHECK("%-30lld|", LLONG_MIN);
	CHECK("%030lld", LLONG_MIN);
	CHECK("%.25lld", LLONG_MIN);
	CHECK("%llu", ULLONG_MAX);
	CHECK("%llx", ULLONG_MAX);
	CHECK("%#llx", ULLONG_MAX);
	CHECK("%llo", ULLONG_MAX);
	CHECK("%#llo", ULLONG_MAX);
	CHECK("%#30llo|", ULLONG_MAX);
	CHECK("%zu", (size_t)0);
	CHECK("%zu", SIZE_MAX);
	CHECK("%zx", SIZE_MAX);
	CHECK("%zd", (ssize_t)-5);
	CHECK("%jd", INTMAX_MIN);
	CHECK("%ju", UINTMAX_MAX);
	CHECK("%td", PTRDIFF_MIN);
	CHECK("%tx", (ptrdiff_t)0x7fff);
	CHECK("%hhd %hd %d %ld %lld", 1, 2, 3, 4L, 5LL);
	CHECK("%lld %d %lld", LLONG_MIN, -1, LLONG_MAX);
	assert_int_equal(mismatches, 0);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	/*
	 * Both print "(null)" for a null string. Passing NULL is undefined in
	 * C, so it is hidden from the compiler's format checks.
	 */
	const char *volatile null_string = NULL;

	CHECK("%s", "hello");
	CHECK("[%10s]", "hello");
	CHECK("[%-10s]", "hello");
	CHECK("[%2s]", "hello");
	CHECK("[%.3s]", "hello");
	CHECK("[%.0s]", "hello");
	CHECK("[%.10s]", "hello");
	CHECK("[%10.3s]", "hello");
	CHECK("[%-10.3s]", "hello");
	CHECK("[%s]", "");
	CHECK("[%5s]", "");
	CHECK("%s", null_string);
	CHECK("[%10s]", null_string);
	CHECK("[%-10s]", null_string);
	CHECK("%s and %s", "this", "that");
	CHECK("%c", 'A');
	CHECK("[%3c]", 'A');
	CHECK("[%-3c]", 'A');
	CHECK("%c%c%c", 'a', 'b', 'c');
	CHECK("%c", 0x141);
	CHECK("%c", 255);
	assert_int_equal(mismatches, 0);
}

static void test_star_width_and_precision(void **state)
{
	(void)state;
	CHECK("[%*d]", 6, 42);
	CHECK("[%-*d]", 6, 42);
	CHECK("[%*d]", -6, 42);
	CHECK("[%*d]", 0, 42);
	CHECK("[%.*d]", 4, 42);
	CHECK("[%.*d]", 0, 0);
	CHECK("[%.*d]", -1, 0);
	CHECK("[%.*d]", -3, 42);
	CHECK("[%0*d]", 6, -42);
	CHECK("[%*.*d]", 8, 4, -42);
	CHECK("[%*.*s]", 8, 3, "abcdef");
	CHECK("[%-*.*s]", 8, 3, "abcdef");
	CHECK("[%.*s]", -1, "abcdef");
	CHECK("[%*s]", -8, "abc");
	CHECK("[%*c]", 4, 'x');
	CHECK("[%*x]", 10, 0xbeefu);
	CHECK("[%#*.*x]", 12, 6, 0xbeefu);
	assert_int_equal(mismatches, 0);
}

/* Formats a pointer the way libk documents it: "0x" and every digit. */
static void expected_pointer(char *buf, size_t size, const void *p)
{
	snprintf(buf, size, "0x%0*lx", (int)sizeof(void *) * 2,
		 (unsigned long)(uintptr_t)p);
}

static void test_pointers(void **state)
{
	(void)state;
	int object;
	const void *ptrs[] = { NULL, &object, (void *)(uintptr_t)1,
			       (void *)UINTPTR_MAX };
	char digits[64];
	char want[128];
	char got[128];

	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		expected_pointer(digits, sizeof(digits), ptrs[i]);

		int n = libk_snprintf(got, sizeof(got), "%p", ptrs[i]);
		assert_string_equal(got, digits);
		assert_int_equal(n, (int)strlen(digits));

		snprintf(want, sizeof(want), "[%30s]", digits);
		n = libk_snprintf(got, sizeof(got), "[%30p]", ptrs[i]);
		assert_string_equal(got, want);
		assert_int_equal(n, (int)strlen(want));

		snprintf(want, sizeof(want), "[%-30s]", digits);
		n = libk_snprintf(got, sizeof(got), "[%-30p]", ptrs[i]);
		assert_string_equal(got, want);
		assert_int_equal(n, (int)strlen(want));

		/* A width narrower than the pointer does not truncate it. */
		snprintf(want, sizeof(want), "[%s]", digits);
		n = libk_snprintf(got, sizeof(got), "[%4p]", ptrs[i]);
		assert_string_equal(got, want);
		assert_int_equal(n, (int)strlen(want));
	}
}

/* A small deterministic generator (xorshift64), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int rng_below(unsigned int n)
{
	return (unsigned int)(rng_next() % n);
}

/*
 * A value biased towards the edges where formatting bugs live: numbers next
 * to a power of two (0, 7, 8, 0x7fff, 0x8000, INT64_MIN, UINT64_MAX, ...)
 * and their negations, then small and arbitrary ones.
 */
static uint64_t random_value(void)
{
	uint64_t power = (uint64_t)1 << rng_below(64);
	uint64_t near_power = power - 1 + rng_below(3);

	switch (rng_below(5)) {
	case 0:
		return near_power;
	case 1:
		return 0 - near_power;
	case 2:
		return rng_below(20);
	case 3:
		return rng_next() & 0xffff;
	default:
		return rng_next();
	}
}

/* Appends the characters of s that pass a coin flip each. */
static void append_some(char **p, const char *s)
{
	for (; *s; s++) {
		if (rng_below(3) == 0)
			*(*p)++ = *s;
	}
}

/* Appends a random number in [0, 20) or nothing. */
static void append_count(char **p)
{
	if (rng_below(2))
		*p += sprintf(*p, "%u", rng_below(20));
}

/* Builds and checks one random integer conversion. */
static void random_integer_case(void)
{
	static const char *const lengths[] = { "",   "hh", "h", "l",
					       "ll", "z",  "j", "t" };
	static const char convs[] = "diuxXo";
	char fmt[64];
	char *p = fmt;
	unsigned int len = rng_below(sizeof(lengths) / sizeof(lengths[0]));
	char conv = convs[rng_below(sizeof(convs) - 1)];
	bool is_signed = conv == 'd' || conv == 'i';
	uint64_t v = random_value();

	*p++ = '[';
	*p++ = '%';
	append_some(&p, is_signed ? "-0+ " : "-0+ #");
	append_count(&p);
	if (rng_below(2)) {
		*p++ = '.';
		append_count(&p);
	}
	p += sprintf(p, "%s%c]", lengths[len], conv);

	switch (len) {
	case 0:
	case 1:
	case 2:
		if (is_signed)
			check_line(__LINE__, fmt, (int)v);
		else
			check_line(__LINE__, fmt, (unsigned int)v);
		break;
	case 3:
		if (is_signed)
			check_line(__LINE__, fmt, (long)v);
		else
			check_line(__LINE__, fmt, (unsigned long)v);
		break;
	case 4:
		if (is_signed)
			check_line(__LINE__, fmt, (long long)v);
		else
			check_line(__LINE__, fmt, (unsigned long long)v);
		break;
	case 5:
		if (is_signed)
			check_line(__LINE__, fmt, (ssize_t)v);
		else
			check_line(__LINE__, fmt, (size_t)v);
		break;
	case 6:
		if (is_signed)
			check_line(__LINE__, fmt, (intmax_t)v);
		else
			check_line(__LINE__, fmt, (uintmax_t)v);
		break;
	default:
		check_line(__LINE__, fmt, (ptrdiff_t)v);
		break;
	}
}

/* Builds and checks one random %s or %c conversion. */
static void random_text_case(void)
{
	static const char *const strings[] = { "", "a", "hello",
					       "a longer string, 27 chars" };
	char fmt[64];
	char *p = fmt;
	bool is_string = rng_below(2);

	*p++ = '[';
	*p++ = '%';
	append_some(&p, "-");
	append_count(&p);
	if (is_string && rng_below(2)) {
		*p++ = '.';
		append_count(&p);
	}
	p += sprintf(p, "%c]", is_string ? 's' : 'c');
	if (is_string)
		check_line(__LINE__, fmt,
			   strings[rng_below(sizeof(strings) /
					     sizeof(strings[0]))]);
	else
		check_line(__LINE__, fmt, (int)(' ' + rng_below(95)));
}

static void test_random_formats(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++)
		random_integer_case();
	for (int i = 0; i < 2000; i++)
		random_text_case();
	assert_int_equal(mismatches, 0);
}

/*
 * Formats into buffers of every size from 0 to past the full length and
 * compares the whole buffer, so a byte written past the end shows up too.
 */
__attribute__((format(printf, 1, 2))) static void
check_truncation(const char *fmt, ...)
{
	char want[64];
	char got[64];
	va_list ap;

	va_start(ap, fmt);
	for (size_t size = 0; size <= 40; size++) {
		va_list a1;
		va_list a2;

		memset(want, 0xa5, sizeof(want));
		memset(got, 0xa5, sizeof(got));
		va_copy(a1, ap);
		va_copy(a2, ap);
		int want_n = vsnprintf(want, size, fmt, a1);
		int got_n = libk_vsnprintf(got, size, fmt, a2);
		va_end(a2);
		va_end(a1);
		assert_int_equal(got_n, want_n);
		assert_memory_equal(got, want, sizeof(got));
	}
	va_end(ap);
}

static void test_truncation(void **state)
{
	(void)state;
	check_truncation("hello, world");
	check_truncation("%d", INT_MIN);
	check_truncation("[%-10s]", "abc");
	check_truncation("%lld|%llx", LLONG_MIN, ULLONG_MAX);
	check_truncation("%#o %c %%", 8u, 'z');
}

static void test_snprintf_front_end(void **state)
{
	(void)state;
	char buf[16];

	assert_int_equal(libk_snprintf(NULL, 0, "%d", 12345), 5);
	assert_int_equal(libk_snprintf(NULL, 0, "%s", ""), 0);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_snprintf(buf, 1, "abc"), 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_snprintf(buf, 4, "%s-%d", "ab", 99), 5);
	assert_string_equal(buf, "ab-");
	assert_int_equal(buf[4], 'x');

	assert_int_equal(libk_snprintf(buf, sizeof(buf), "%u", 7u), 1);
	assert_string_equal(buf, "7");
}

/* Collects what kvformat emits, to check the engine without a buffer. */
struct collect {
	char buf[64];
	size_t len;
};

static void collect_char(char c, void *ctx)
{
	struct collect *col = ctx;
	if (col->len < sizeof(col->buf))
		col->buf[col->len] = c;
	col->len++;
}

/* Calls kvformat with a variable argument list. */
static int format_to(struct collect *col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvformat(collect_char, col, fmt, ap);
	va_end(ap);
	return n;
}

static void test_kvformat_emits_every_character(void **state)
{
	(void)state;
	struct collect col = { .len = 0 };

	/* Includes a NUL from %c: the engine must still count and emit it. */
	int n = format_to(&col, "a%cb%5d", 0, -3);
	assert_int_equal(n, 8);
	assert_int_equal(col.len, 8);
	assert_memory_equal(col.buf, "a\0b   -3", 8);
}

static void test_kprintf_reaches_klog_write(void **state)
{
	(void)state;
	char line[400];

	/* Longer than kprintf's chunk, so it is written in several pieces. */
	for (size_t i = 0; i < sizeof(line) - 1; i++)
		line[i] = (char)('a' + i % 26);
	line[sizeof(line) - 1] = '\0';

	host_log_clear();
	int n = kprintf("<%s>%d\n", line, -17);
	assert_int_equal(n, (int)strlen(line) + 6);
	assert_int_equal(host_log_len, (size_t)n);
	assert_int_equal(host_log[0], '<');
	assert_memory_equal(host_log + 1, line, strlen(line));
	assert_string_equal(host_log + 1 + strlen(line), ">-17\n");
}

static void test_klog_respects_level(void **state)
{
	(void)state;
	int saved = klog_level;

	klog_level = LOG_WARNING;
	host_log_clear();
	pr_info("info %d\n", 1);
	pr_warn("warn %d\n", 2);
	pr_err("err %d\n", 3);
	assert_string_equal(host_log, "err 3\n");

	klog_level = LOG_DEBUG + 1;
	host_log_clear();
	pr_debug("debug\n");
	assert_string_equal(host_log, "debug\n");
	klog_level = saved;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_plain_text, reset_mismatches),
		cmocka_unit_test_setup(test_signed_decimal, reset_mismatches),
		cmocka_unit_test_setup(test_unsigned_conversions,
				       reset_mismatches),
		cmocka_unit_test_setup(test_ignored_flags, reset_mismatches),
		cmocka_unit_test_setup(test_length_modifiers, reset_mismatches),
		cmocka_unit_test_setup(test_strings_and_chars,
				       reset_mismatches),
		cmocka_unit_test_setup(test_star_width_and_precision,
				       reset_mismatches),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test_setup(test_random_formats, reset_mismatches),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_snprintf_front_end),
		cmocka_unit_test(test_kvformat_emits_every_character),
		cmocka_unit_test(test_kprintf_reaches_klog_write),
		cmocka_unit_test(test_klog_respects_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
