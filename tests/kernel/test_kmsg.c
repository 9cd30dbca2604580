/*
 * tests/kernel/test_kmsg.c - the kernel log ring behind syslog(2).
 *
 * A message appears with its level and a timestamp; once the ring has
 * wrapped, READ_ALL still returns whole lines only, the newest ones, and
 * no more than the ring holds; a short buffer gets the newest lines that
 * fit; CLEAR hides what was there; SYSLOG_ACTION_READ takes each byte
 * once.
 */
#include "kernel/kmsg.h"
#include "kernel/ktest.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab.h"

/* Whether s[0..n) holds n bytes of whole "<L>[ S.UUUUUU] text\n" lines. */
static bool whole_lines(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] != '<' || i + 4 > n || s[i + 2] != '>' ||
		    s[i + 3] != '[')
			return false;
		while (i < n && s[i] != '\n')
			i++;
		if (i == n)
			return false; /* no newline: a partial line */
		i++;
	}
	return true;
}

/* Whether s[0..n) contains sub. */
static bool contains_n(const char *s, size_t n, const char *sub)
{
	size_t m = strlen(sub);
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(s + i, sub, m))
			return true;
	return false;
}

static void message_has_level_and_time(struct ktest *t)
{
	char *buf = kmalloc(KMSG_BUF_SIZE, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);
	/* Above the console level: only the log gets it. */
	klog(LOG_DEBUG, "kmsg test: a debug line %d\n", 42);
	size_t n = kmsg_read_all(buf, KMSG_BUF_SIZE, false);
	KT_EXPECT(t, whole_lines(buf, n));
	KT_EXPECT(t, contains_n(buf, n, "] kmsg test: a debug line 42\n"));
	KT_EXPECT(t, contains_n(buf, n, "<7>["));
	kfree(buf);
}

static void wrapped_ring_gives_whole_newest_lines(struct ktest *t)
{
	char *buf = kmalloc(KMSG_BUF_SIZE, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);
	/* Three times the ring, in lines of uneven lengths. */
	for (int i = 0; i < 600; i++)
		klog(LOG_DEBUG, "kmsg wrap %d %.*s\n", i, i % 97,
		     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	size_t n = kmsg_read_all(buf, KMSG_BUF_SIZE, false);
	KT_EXPECT(t, n > KMSG_BUF_SIZE / 2 && n <= KMSG_BUF_SIZE);
	KT_EXPECT(t, whole_lines(buf, n));
	KT_EXPECT(t, contains_n(buf, n, "] kmsg wrap 599 "));
	KT_EXPECT(t, !contains_n(buf, n, "] kmsg wrap 0 "));

	/* A short buffer: the newest lines that fit, whole. */
	size_t m = kmsg_read_all(buf, 300, false);
	KT_EXPECT(t, m > 0 && m <= 300);
	KT_EXPECT(t, whole_lines(buf, m));
	KT_EXPECT(t, contains_n(buf, m, "] kmsg wrap 599 "));
	kfree(buf);
}

static void clear_and_read(struct ktest *t)
{
	char buf[256];
	kmsg_clear();
	KT_EXPECT_EQ(t, kmsg_read_all(buf, sizeof(buf), false), 0u);
	klog(LOG_DEBUG, "kmsg after clear\n");
	size_t n = kmsg_read_all(buf, sizeof(buf), true); /* READ_CLEAR */
	KT_EXPECT(t, whole_lines(buf, n));
	KT_EXPECT(t, contains_n(buf, n, "kmsg after clear\n"));
	KT_EXPECT_EQ(t, kmsg_read_all(buf, sizeof(buf), false), 0u);

	/* READ takes everything unread once, in pieces. */
	while (kmsg_read(buf, sizeof(buf)) > 0)
		;
	KT_EXPECT_EQ(t, kmsg_unread(), 0u);
	klog(LOG_DEBUG, "kmsg unread\n");
	size_t unread = kmsg_unread();
	KT_EXPECT(t, unread > 12);
	size_t got = kmsg_read(buf, 5);
	KT_EXPECT_EQ(t, got, 5u);
	KT_EXPECT_EQ(t, kmsg_unread(), unread - 5);
	got = kmsg_read(buf, sizeof(buf));
	KT_EXPECT_EQ(t, got, unread - 5);
	KT_EXPECT(t, contains_n(buf, got, "kmsg unread\n"));
	KT_EXPECT_EQ(t, kmsg_unread(), 0u);
}

static const struct ktest_case kmsg_cases[] = {
	KTEST_CASE(message_has_level_and_time),
	KTEST_CASE(wrapped_ring_gives_whole_newest_lines),
	KTEST_CASE(clear_and_read),
};
KTEST_SUITE(kmsg, kmsg_cases);
