/*
 * tests/kernel/test_tty.c - the console terminal's line discipline
 * (fs/tty.c), fed characters as the serial interrupt would and read
 * as a program would.
 *
 * Canonical mode: erase, kill, word erase, ^D at the start and in the
 * middle of a line, CR read as NL, one line per read, ^C flushing what was
 * typed; leaving canonical mode makes the half-typed line readable.
 * Non-canonical mode: VMIN bytes at once, and VTIME's timer with VMIN 0
 * (a read with nothing typed ends after about VTIME tenths of a second).
 * The signals ^C sends and job control are tested from user space (the
 * boot layer's shell session, tests/user/jobctl_kinds.c).
 */
#include "drivers/pit.h"
#include "fs/tty.h"
#include "kernel/ktest.h"
#include "libk/string.h"

static void type(const char *s)
{
	while (*s)
		tty_receive(*s++);
}

/* Reads once into buf (NUL-terminated); returns the count. */
static int read_once(char *buf, size_t size)
{
	int n = tty_read_line(buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

static void canonical_editing(struct ktest *t)
{
	char buf[64];

	tty_reset();
	tty_set_mode(true, false, 1, 0);
	type("ab\x7f"
	     "c\n");
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 3);
	KT_EXPECT(t, !strcmp(buf, "ac\n"));
	type("xyz\x15ok\r");
	read_once(buf, sizeof(buf));
	KT_EXPECT(t, !strcmp(buf, "ok\n"));
	type("one two\x17three\n");
	read_once(buf, sizeof(buf));
	KT_EXPECT(t, !strcmp(buf, "one three\n"));
	tty_reset();
}

static void one_line_per_read(struct ktest *t)
{
	char buf[64];

	tty_reset();
	tty_set_mode(true, false, 1, 0);
	type("l1\nl2\n");
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 3);
	KT_EXPECT(t, !strcmp(buf, "l1\n"));
	/* A short buffer takes part of a line; the rest comes next. */
	KT_EXPECT_EQ(t, read_once(buf, 2), 1);
	KT_EXPECT(t, !strcmp(buf, "l"));
	read_once(buf, sizeof(buf));
	KT_EXPECT(t, !strcmp(buf, "2\n"));
	tty_reset();
}

static void end_of_file(struct ktest *t)
{
	char buf[64];

	tty_reset();
	tty_set_mode(true, false, 1, 0);
	/* ^D after text ends the line without a newline... */
	type("ab\x04");
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 2);
	KT_EXPECT(t, !strcmp(buf, "ab"));
	/* ...and on an empty line it is the end of input: a read gives 0. */
	type("\x04");
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 0);
	type("next\n");
	read_once(buf, sizeof(buf));
	KT_EXPECT(t, !strcmp(buf, "next\n"));
	tty_reset();
}

static void interrupt_flushes(struct ktest *t)
{
	char buf[64];

	tty_reset();
	tty_set_mode(true, false, 1, 0);
	/* No foreground group: ^C only throws the typed line away. */
	type("half a line\x03"
	     "x\n");
	read_once(buf, sizeof(buf));
	KT_EXPECT(t, !strcmp(buf, "x\n"));
	tty_reset();
}

static void raw_mode(struct ktest *t)
{
	char buf[64];

	tty_reset();
	tty_set_mode(true, false, 1, 0);
	type("abc");
	/* The half-typed line becomes readable in non-canonical mode. */
	tty_set_mode(false, false, 3, 0);
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 3);
	KT_EXPECT(t, !strcmp(buf, "abc"));
	/* No editing: DEL and newline are data; a read takes VMIN bytes. */
	type("\x7f\nz");
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 3);
	KT_EXPECT(t, !memcmp(buf, "\x7f\nz", 3));
	/* VMIN 0, VTIME 0: a read with nothing typed returns 0 at once. */
	tty_set_mode(false, false, 0, 0);
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 0);
	tty_reset();
}

static void vtime_times_out(struct ktest *t)
{
	char buf[8];

	tty_reset();
	/* VMIN 0, VTIME 2: at most 0.2 s. */
	tty_set_mode(false, false, 0, 2);
	uint64_t start = pit_ticks();
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 0);
	uint64_t took = pit_ticks() - start;
	KT_EXPECT(t, took * 10 >= 2 * pit_hz() - pit_hz() / 10);
	KT_EXPECT(t, took * 10 <= 4 * pit_hz());
	/* Typed in time: returned without waiting for the timer. */
	type("q");
	KT_EXPECT_EQ(t, read_once(buf, sizeof(buf)), 1);
	tty_reset();
}

static const struct ktest_case tty_cases[] = {
	KTEST_CASE(canonical_editing), KTEST_CASE(one_line_per_read),
	KTEST_CASE(end_of_file),       KTEST_CASE(interrupt_flushes),
	KTEST_CASE(raw_mode),	       KTEST_CASE(vtime_times_out),
};
KTEST_SUITE(tty, tty_cases);
