/*
 * tests/kernel/test_libk.c - libk as compiled for the kernel.
 *
 * The host units (tests/host/test_libk_*.c) test libk thoroughly against
 * glibc; this suite checks that the freestanding i686 build behaves the
 * same, in particular 64-bit arithmetic that goes through libgcc.
 */
#include "kernel/ktest.h"
#include "libk/list.h"
#include "libk/printf.h"
#include "libk/string.h"

static void expect_format(struct ktest *t, const char *want, const char *got)
{
	if (strcmp(want, got))
		ktest_fail(t, __FILE__, __LINE__, "want '%s', got '%s'", want,
			   got);
}

static void printf_conversions(struct ktest *t)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%d|%i|%u|%x|%X|%o", -42, 7, 3000000000u,
		 0xbeefu, 0xbeefu, 8u);
	expect_format(t, "-42|7|3000000000|beef|BEEF|10", buf);
	snprintf(buf, sizeof(buf), "[%5d][%-5d][%05d][%+d][% d]", 42, 42, 42,
		 42, 42);
	expect_format(t, "[   42][42   ][00042][+42][ 42]", buf);
	snprintf(buf, sizeof(buf), "%s|%.3s|%8s|%-8s|%c|%%", "abc", "abcdef",
		 "right", "left", 'z');
	expect_format(t, "abc|abc|   right|left    |z|%", buf);
	snprintf(buf, sizeof(buf), "%p", (void *)0xc0100000);
	expect_format(t, "0xc0100000", buf);
	snprintf(buf, sizeof(buf), "%#x %#o %zu", 255u, 8u, (size_t)4096);
	expect_format(t, "0xff 010 4096", buf);
}

static void printf_64bit(struct ktest *t)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%llu", 18446744073709551615ull);
	expect_format(t, "18446744073709551615", buf);
	snprintf(buf, sizeof(buf), "%lld", -9223372036854775807ll - 1);
	expect_format(t, "-9223372036854775808", buf);
	snprintf(buf, sizeof(buf), "%016llx", 0x123456789abcull);
	expect_format(t, "0000123456789abc", buf);
}

static void printf_truncation(struct ktest *t)
{
	char buf[8];
	int n = snprintf(buf, sizeof(buf), "%s", "0123456789");
	KT_EXPECT_EQ(t, n, 10);
	expect_format(t, "0123456", buf);
	KT_EXPECT_EQ(t, snprintf(NULL, 0, "%d", 12345), 5);
}

static void string_functions(struct ktest *t)
{
	char buf[16] = "abcdefgh";

	memmove(buf + 2, buf, 6);
	expect_format(t, "ababcdef", buf);
	memmove(buf, buf + 2, 6);
	KT_EXPECT(t, !memcmp(buf, "abcdefef", 8));
	KT_EXPECT_EQ(t, strlen("pagoda"), 6);
	KT_EXPECT(t, strcmp("a", "b") < 0);
	KT_EXPECT(t, strncmp("abcX", "abcY", 3) == 0);
	KT_EXPECT(t, strchr("pagoda", 'g') != NULL);
	KT_EXPECT(t, strrchr("a/b/c", '/')[1] == 'c');
	KT_EXPECT_EQ(t, strlcpy(buf, "truncated!", 5), 10);
	expect_format(t, "trun", buf);

	uint64_t v;
	KT_EXPECT_EQ(t, kstrtou64("0x1f", 4, 0, &v), 0);
	KT_EXPECT_EQ(t, v, 31);
	KT_EXPECT(t, kstrtou64("12a", 3, 10, &v) < 0);
}

struct item {
	int value;
	struct list_node node;
};

static void list_operations(struct ktest *t)
{
	list_head_t head;
	struct item items[4];
	struct list_node *pos, *tmp;
	int sum = 0;

	list_init(&head);
	KT_ASSERT(t, list_empty(&head));
	for (int i = 0; i < 4; i++) {
		items[i].value = i + 1;
		list_push_back(&head, &items[i].node);
	}
	KT_EXPECT_EQ(t, list_length(&head), 4);
	list_for_each_safe(pos, tmp, &head) {
		struct item *it = list_entry(pos, struct item, node);
		sum += it->value;
		if (it->value % 2 == 0)
			list_remove(pos);
	}
	KT_EXPECT_EQ(t, sum, 10);
	KT_EXPECT_EQ(t, list_length(&head), 2);
	KT_EXPECT_EQ(t, list_entry(list_first(&head), struct item, node)->value,
		     1);
}

static const struct ktest_case libk_cases[] = {
	KTEST_CASE(printf_conversions),
	KTEST_CASE(printf_64bit),
	KTEST_CASE(printf_truncation),
	KTEST_CASE(string_functions),
	KTEST_CASE(list_operations),
};

KTEST_SUITE(libk, libk_cases);
