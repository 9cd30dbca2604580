/*
 * tests/kernel/test_cmdline.c - the command-line parser.
 *
 * Each test parses a line against a table of its own, so the kernel's real
 * options are left alone.
 */
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/string.h"

/* The destinations of the test table, reset before each parse. */
static char str_val[CMDLINE_STR_MAX];
static uint64_t size_val;
static unsigned int uint_val;
static bool bool_val;

static const struct cmdline_option opts[] = {
	{ .key = "name", .type = OPT_STRING, .value = str_val,
	  .help = "a string" },
	{ .key = "mem", .type = OPT_SIZE, .value = &size_val,
	  .min = 4096, .max = 1ull << 32,
	  .help = "a size" },
	{ .key = "level", .type = OPT_UINT, .value = &uint_val,
	  .min = 0, .max = 8,
	  .help = "a small number" },
	{ .key = "vm.flag", .type = OPT_BOOL, .value = &bool_val,
	  .min = 0, .max = 1,
	  .help = "a flag" },
};

static int parse(const char *line)
{
	strlcpy(str_val, "default", sizeof(str_val));
	size_val = 1234;
	uint_val = 7;
	bool_val = false;
	return cmdline_parse(line, opts, sizeof(opts) / sizeof(opts[0]));
}

static void parses_every_type(struct ktest *t)
{
	KT_ASSERT_EQ(t, parse("/boot/kernel.elf name=init mem=64M level=3 "
			      "vm.flag=yes"), 0);
	KT_EXPECT(t, !strcmp(str_val, "init"));
	KT_EXPECT_EQ(t, size_val, 64ull << 20);
	KT_EXPECT_EQ(t, uint_val, 3);
	KT_EXPECT(t, bool_val);
}

static void size_suffixes(struct ktest *t)
{
	uint64_t v;
	KT_EXPECT(t, cmdline_parse_size("512K", 4, &v) == 0 && v == 512 << 10);
	KT_EXPECT(t, cmdline_parse_size("3g", 2, &v) == 0 && v == 3ull << 30);
	KT_EXPECT(t, cmdline_parse_size("0x1000", 6, &v) == 0 && v == 4096);
	KT_EXPECT(t, cmdline_parse_size("4096", 4, &v) == 0 && v == 4096);
	KT_EXPECT_EQ(t, cmdline_parse_size("M", 1, &v), -EINVAL);
	KT_EXPECT_EQ(t, cmdline_parse_size("12Q", 3, &v), -EINVAL);
	KT_EXPECT_EQ(t, cmdline_parse_size("99999999999999999999G", 21, &v),
		     -ERANGE);
}

static void bad_values_keep_defaults(struct ktest *t)
{
	KT_EXPECT_EQ(t, parse("mem=lots level=99 vm.flag=maybe"), 3);
	KT_EXPECT_EQ(t, size_val, 1234);
	KT_EXPECT_EQ(t, uint_val, 7);
	KT_EXPECT(t, !bool_val);
	/* Below the minimum is out of range too. */
	KT_EXPECT_EQ(t, parse("mem=1K"), 1);
	KT_EXPECT_EQ(t, size_val, 1234);
}

static void unknown_keys_are_reported(struct ktest *t)
{
	KT_EXPECT_EQ(t, parse("kernel bogus=1 name=x stray"), 2);
	KT_EXPECT(t, !strcmp(str_val, "x"));
}

static void blanks_and_empty_lines(struct ktest *t)
{
	KT_EXPECT_EQ(t, parse(""), 0);
	KT_EXPECT_EQ(t, parse("   \t  "), 0);
	KT_EXPECT_EQ(t, parse("  level=2\t\tname=  "), 0);
	KT_EXPECT_EQ(t, uint_val, 2);
	KT_EXPECT(t, !strcmp(str_val, ""));
}

static void last_value_wins(struct ktest *t)
{
	KT_EXPECT_EQ(t, parse("level=1 level=5"), 0);
	KT_EXPECT_EQ(t, uint_val, 5);
}

/* A path option as init= is: a buffer of CMDLINE_PATH_MAX bytes. */
static char path_val[CMDLINE_PATH_MAX];
static int path_err;

static const struct cmdline_option path_opts[] = {
	{ .key = "path", .type = OPT_STRING, .value = path_val,
	  .size = sizeof(path_val), .error = &path_err, .help = "a path" },
};

/*
 * "path=" followed by len bytes ("/" then 'p's); returns the parse's
 * problem count.
 */
static int parse_path(char *line, size_t len)
{
	memcpy(line, "path=/", 6);
	memset(line + 6, 'p', len - 1);
	line[5 + len] = '\0';
	strlcpy(path_val, "default", sizeof(path_val));
	path_err = 1;
	return cmdline_parse(line, path_opts, 1);
}

/*
 * A path up to PATH_MAX - 1 bytes fits (init= names a program); one byte
 * more is refused with ENAMETOOLONG, which the option's error records.
 */
static void path_up_to_path_max(struct ktest *t)
{
	static char line[CMDLINE_PATH_MAX + 16];

	KT_EXPECT_EQ(t, parse_path(line, 200), 0);
	KT_EXPECT_EQ(t, strlen(path_val), 200);
	KT_EXPECT_EQ(t, path_err, 0);
	KT_EXPECT_EQ(t, parse_path(line, CMDLINE_PATH_MAX - 1), 0);
	KT_EXPECT_EQ(t, strlen(path_val), CMDLINE_PATH_MAX - 1);
	KT_EXPECT_EQ(t, path_err, 0);
	KT_EXPECT_EQ(t, parse_path(line, CMDLINE_PATH_MAX), 1);
	KT_EXPECT(t, !strcmp(path_val, "default"));
	KT_EXPECT_EQ(t, path_err, -ENAMETOOLONG);
	/* The kernel's own init= takes as much. */
	KT_EXPECT_EQ(t, sizeof(boot_options.init), CMDLINE_PATH_MAX);
}

static const struct ktest_case cmdline_cases[] = {
	KTEST_CASE(parses_every_type),
	KTEST_CASE(size_suffixes),
	KTEST_CASE(bad_values_keep_defaults),
	KTEST_CASE(unknown_keys_are_reported),
	KTEST_CASE(blanks_and_empty_lines),
	KTEST_CASE(last_value_wins),
	KTEST_CASE(path_up_to_path_max),
};

KTEST_SUITE(cmdline, cmdline_cases);
