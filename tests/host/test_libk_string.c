/*
 * tests/host/test_libk_string.c - libk's memory and string functions
 * against the host C library.
 *
 * Each function is run on the same inputs as its host counterpart, over
 * every small length and alignment, and the results (returned values and
 * every byte of the buffers, including guard bytes around them) must agree.
 * strlcpy and kstrtou64 have no host counterpart and are checked against
 * written-out expectations.
 *
 * libk's headers are included first, while libk_names.h still renames their
 * functions (memcpy becomes libk_memcpy); the renames are then dropped so
 * <string.h> declares the host's functions under the standard names. In this
 * file libk_* is always libk, and the plain names are the host C library.
 */
#include "libk/errno.h"
#include "libk/string.h"

#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strlcpy

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define BUF_SIZE 96
#define MAX_LEN 40
#define GUARD 0xa5

/* Returns -1, 0 or 1: only the sign of a comparison is specified. */
static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Fills a buffer with a pattern that differs at every offset. */
static void fill_pattern(unsigned char *buf, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(seed + i * 7 + 1);
}

static void test_memcpy(void **state)
{
	(void)state;
	unsigned char src[BUF_SIZE];
	unsigned char want[BUF_SIZE];
	unsigned char got[BUF_SIZE];

	fill_pattern(src, sizeof(src), 3);
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n <= MAX_LEN; n++) {
			memset(want, GUARD, sizeof(want));
			memset(got, GUARD, sizeof(got));
			memcpy(want + off, src + (n % 5), n);
			void *ret = libk_memcpy(got + off, src + (n % 5), n);
			assert_ptr_equal(ret, got + off);
			assert_memory_equal(got, want, sizeof(got));
		}
	}
}

/*
 * Moves n bytes from offset `from` to offset `to` inside one buffer, so the
 * regions overlap whenever the offsets are closer than n, in both directions.
 */
static void check_memmove(size_t from, size_t to, size_t n)
{
	unsigned char want[BUF_SIZE];
	unsigned char got[BUF_SIZE];

	fill_pattern(want, sizeof(want), 11);
	fill_pattern(got, sizeof(got), 11);
	memmove(want + to, want + from, n);
	void *ret = libk_memmove(got + to, got + from, n);
	assert_ptr_equal(ret, got + to);
	assert_memory_equal(got, want, sizeof(got));
}

static void test_memmove_overlapping(void **state)
{
	(void)state;
	for (size_t from = 0; from < 16; from++) {
		for (size_t to = 0; to < 16; to++) {
			for (size_t n = 0; n <= MAX_LEN; n++)
				check_memmove(from, to, n);
		}
	}
}

static void test_memmove_distinct(void **state)
{
	(void)state;
	check_memmove(0, 50, 40);
	check_memmove(50, 0, 40);
	check_memmove(0, 48, 48);
	check_memmove(48, 0, 48);
}

static void test_memset(void **state)
{
	(void)state;
	static const int values[] = { 0, 1, 0x5a, 0xff, 0x1ff, -1, -256 };
	unsigned char want[BUF_SIZE];
	unsigned char got[BUF_SIZE];

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t off = 0; off < 8; off++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				memset(want, GUARD, sizeof(want));
				memset(got, GUARD, sizeof(got));
				memset(want + off, values[v], n);
				void *ret =
					libk_memset(got + off, values[v], n);
				assert_ptr_equal(ret, got + off);
				assert_memory_equal(got, want, sizeof(got));
			}
		}
	}
}

static void test_memcmp(void **state)
{
	(void)state;
	unsigned char a[MAX_LEN];
	unsigned char b[MAX_LEN];

	fill_pattern(a, sizeof(a), 5);
	memcpy(b, a, sizeof(b));
	for (size_t n = 0; n <= MAX_LEN; n++)
		assert_int_equal(libk_memcmp(a, b, n), 0);

	/*
	 * Make one byte differ, both ways, with values above 0x7f so that a
	 * comparison of plain (signed) chars would get the order wrong.
	 */
	for (size_t pos = 0; pos < MAX_LEN; pos++) {
		memcpy(b, a, sizeof(b));
		a[pos] = 0x10;
		b[pos] = 0xf0;
		for (size_t n = 0; n <= MAX_LEN; n++) {
			assert_int_equal(sign(libk_memcmp(a, b, n)),
					 sign(memcmp(a, b, n)));
			assert_int_equal(sign(libk_memcmp(b, a, n)),
					 sign(memcmp(b, a, n)));
		}
		fill_pattern(a, sizeof(a), 5);
	}
}

static const char *const strings[] = {
	"",
	"a",
	"b",
	"ab",
	"abc",
	"abd",
	"abcd",
	"hello",
	"hello world",
	"hellO",
	"A",
	"zzzzzzzzzzzzzzzzz",
	/* Bytes above 0x7f, which sort after all ASCII as unsigned char. */
	"\x80",
	"\xff",
	"a\xff",
	"a\x01",
	"abc\x7f",
	"abc\x80",
};

#define NSTRINGS (sizeof(strings) / sizeof(strings[0]))

/* Characters to search for; 'a' + 256 must match 'a' once made a char. */
static const int chars[] = { 'a', 'l', 'o', 'z', 0x80, 0xff, '\0', 'a' + 256 };

static void test_strlen_and_strnlen(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSTRINGS; i++) {
		assert_int_equal(libk_strlen(strings[i]), strlen(strings[i]));
		for (size_t max = 0; max < 20; max++)
			assert_int_equal(libk_strnlen(strings[i], max),
					 strnlen(strings[i], max));
	}

	/* strnlen must not read past max bytes of an unterminated array. */
	char unterminated[4] = { 'a', 'b', 'c', 'd' };
	assert_int_equal(libk_strnlen(unterminated, sizeof(unterminated)), 4);
}

static void test_strcmp_and_strncmp(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSTRINGS; i++) {
		for (size_t j = 0; j < NSTRINGS; j++) {
			const char *a = strings[i];
			const char *b = strings[j];
			assert_int_equal(sign(libk_strcmp(a, b)),
					 sign(strcmp(a, b)));
			for (size_t n = 0; n < 20; n++)
				assert_int_equal(sign(libk_strncmp(a, b, n)),
						 sign(strncmp(a, b, n)));
		}
	}
}

static void test_strchr_and_strrchr(void **state)
{
	(void)state;

	for (size_t i = 0; i < NSTRINGS; i++) {
		for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
			const char *s = strings[i];
			assert_ptr_equal(libk_strchr(s, chars[c]),
					 strchr(s, chars[c]));
			assert_ptr_equal(libk_strrchr(s, chars[c]),
					 strrchr(s, chars[c]));
		}
	}
}

static void test_strlcpy(void **state)
{
	(void)state;
	char buf[16];

	/* Fits: copied whole and terminated. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_strlcpy(buf, "hello", sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(buf[6], 'x');

	/* Exactly fills the buffer with its terminator. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_strlcpy(buf, "hello", 6), 5);
	assert_string_equal(buf, "hello");

	/* Truncated: size - 1 bytes and a terminator, nothing past size. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_strlcpy(buf, "hello world", 5), 11);
	assert_string_equal(buf, "hell");
	assert_int_equal(buf[5], 'x');

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_strlcpy(buf, "hello", 1), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');

	/* Size 0 writes nothing but still reports the source length. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_strlcpy(buf, "hello", 0), 5);
	assert_int_equal(buf[0], 'x');

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(libk_strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* One kstrtou64 case: input, base, and the expected result and value. */
struct parse_case {
	const char *s;
	unsigned int base;
	int ret;
	uint64_t value;
};

static const struct parse_case parse_cases[] = {
	/* Base 0 picks the base from the prefix. */
	{ "0", 0, 0, 0 },
	{ "7", 0, 0, 7 },
	{ "1234567890", 0, 0, 1234567890 },
	{ "0x1f", 0, 0, 0x1f },
	{ "0X1F", 0, 0, 0x1f },
	{ "0xDeadBeef", 0, 0, 0xdeadbeef },
	{ "017", 0, 0, 017 },
	{ "00", 0, 0, 0 },
	{ "0x0", 0, 0, 0 },
	{ "08", 0, -EINVAL, 0 },
	{ "0x", 0, -EINVAL, 0 },
	{ "0xg", 0, -EINVAL, 0 },
	{ "18446744073709551615", 0, 0, UINT64_MAX },
	{ "18446744073709551616", 0, -ERANGE, 0 },
	{ "99999999999999999999999", 0, -ERANGE, 0 },
	{ "0xffffffffffffffff", 0, 0, UINT64_MAX },
	{ "0x10000000000000000", 0, -ERANGE, 0 },
	{ "01777777777777777777777", 0, 0, UINT64_MAX },
	{ "02000000000000000000000", 0, -ERANGE, 0 },

	/* An explicit base. */
	{ "42", 10, 0, 42 },
	{ "042", 10, 0, 42 },
	{ "0x42", 10, -EINVAL, 0 },
	{ "ff", 16, 0, 0xff },
	{ "FF", 16, 0, 0xff },
	{ "0xff", 16, 0, 0xff },
	{ "0x", 16, -EINVAL, 0 },
	{ "777", 8, 0, 0777 },
	{ "0777", 8, 0, 0777 },
	{ "8", 8, -EINVAL, 0 },
	{ "101", 2, 0, 5 },
	{ "102", 2, -EINVAL, 0 },
	{ "zz", 36, 0, 35 * 36 + 35 },
	{ "18446744073709551615", 10, 0, UINT64_MAX },
	{ "18446744073709551616", 10, -ERANGE, 0 },
	{ "18446744073709551620", 10, -ERANGE, 0 },
	{ "10000000000000000", 16, -ERANGE, 0 },

	/* Junk and empty input. */
	{ "", 0, -EINVAL, 0 },
	{ "", 10, -EINVAL, 0 },
	{ " 1", 10, -EINVAL, 0 },
	{ "1 ", 10, -EINVAL, 0 },
	{ "-1", 10, -EINVAL, 0 },
	{ "+1", 10, -EINVAL, 0 },
	{ "12a", 10, -EINVAL, 0 },
	{ "1\n", 10, -EINVAL, 0 },
	{ "abc", 0, -EINVAL, 0 },
};

static void test_kstrtou64_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	     i++) {
		const struct parse_case *c = &parse_cases[i];
		uint64_t out = 0xabababababababab;
		int ret = kstrtou64(c->s, strlen(c->s), c->base, &out);

		if (ret != c->ret || (ret == 0 && out != c->value)) {
			print_error("kstrtou64(\"%s\", base %u): got %d, %llu; "
				    "want %d, %llu\n",
				    c->s, c->base, ret, (unsigned long long)out,
				    c->ret, (unsigned long long)c->value);
		}
		assert_int_equal(ret, c->ret);
		if (ret == 0)
			assert_true(out == c->value);
		else
			assert_true(out == 0xabababababababab);
	}
}

static void test_kstrtou64_uses_only_len_bytes(void **state)
{
	(void)state;
	uint64_t out = 0;

	/* The length bounds the parse; what follows is not looked at. */
	assert_int_equal(kstrtou64("123junk", 3, 10, &out), 0);
	assert_true(out == 123);
	assert_int_equal(kstrtou64("0x1fzz", 4, 0, &out), 0);
	assert_true(out == 0x1f);
	assert_int_equal(kstrtou64("123", 0, 10, &out), -EINVAL);
	assert_int_equal(kstrtou64("0x10", 2, 0, &out), -EINVAL);
	assert_int_equal(kstrtou64("0x10", 1, 0, &out), 0);
	assert_true(out == 0);
}

static void test_kstrtou64_rejects_bad_bases(void **state)
{
	(void)state;
	uint64_t out = 99;

	assert_int_equal(kstrtou64("0", 1, 1, &out), -EINVAL);
	assert_int_equal(kstrtou64("1", 1, 37, &out), -EINVAL);
	assert_int_equal(kstrtou64("1", 1, 100, &out), -EINVAL);
	assert_true(out == 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memmove_overlapping),
		cmocka_unit_test(test_memmove_distinct),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_strlen_and_strnlen),
		cmocka_unit_test(test_strcmp_and_strncmp),
		cmocka_unit_test(test_strchr_and_strrchr),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_kstrtou64_table),
		cmocka_unit_test(test_kstrtou64_uses_only_len_bytes),
		cmocka_unit_test(test_kstrtou64_rejects_bad_bases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
