/*
 * kernel/cmdline.c - parsing key=value options from the command line.
 *
 * The parser is table-driven: each option names its key, type, range and
 * destination, so adding an option is one line in `kernel_options` and the
 * same code is exercised by the in-kernel tests with tables of their own.
 */
#include "kernel/cmdline.h"

#include "drivers/ramdisk.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"

struct boot_options boot_options = {
	.init = "/bin/init",
	.vm_policy = "clock",
	.swap = 16u << 20,
	.loglevel = LOG_LEVEL_DEFAULT,
	.hz = 100,
};

static const struct cmdline_option kernel_options[] = {
	{ .key = "init", .type = OPT_STRING, .value = boot_options.init,
	  .size = sizeof(boot_options.init), .error = &boot_options.init_error,
	  .help = "path of the first program, at most 4095 bytes" },
	{ .key = "init.required", .type = OPT_BOOL,
	  .value = &boot_options.init_required,
	  .help = "stop (QEMU exit status 41) if init cannot start" },
	{ .key = "test", .type = OPT_STRING, .value = boot_options.test,
	  .help = "in-kernel test suites: all or NAME[,NAME]" },
	{ .key = "bench", .type = OPT_STRING, .value = boot_options.bench,
	  .help = "benchmarks: all or NAME[,NAME]" },
	{ .key = "vm.policy", .type = OPT_STRING,
	  .value = boot_options.vm_policy,
	  .help = "page replacement policy" },
	{ .key = "vm.policy_seed", .type = OPT_UINT,
	  .value = &boot_options.vm_policy_seed, .min = 0, .max = UINT32_MAX,
	  .help = "seed of the random policy's choices (0: the kernel's "
		  "generator)" },
	{ .key = "vm.swapin", .type = OPT_STRING,
	  .value = boot_options.vm_swapin,
	  .help = "how a process swapped out whole comes back: prefetch or "
		  "demand" },
	{ .key = "mem", .type = OPT_SIZE, .value = &boot_options.mem,
	  .min = 4u << 20, .max = UINT64_MAX,
	  .help = "cap on usable RAM, e.g. 64M" },
	{ .key = "lowmem", .type = OPT_SIZE, .value = &boot_options.lowmem,
	  .min = 16u << 20, .max = LOWMEM_LIMIT,
	  .help = "cap on the direct map (lowmem), e.g. 64M; above is highmem" },
	{ .key = "swap", .type = OPT_SIZE, .value = &boot_options.swap,
	  .min = 0, .max = 3ull << 30,
	  .help = "swap RAM-disk size, e.g. 16M (0 = no swap)" },
	{ .key = "ramdisks", .type = OPT_STRING,
	  .value = boot_options.ramdisks,
	  .help = "more RAM-disks made of frames: COUNT,SIZE (e.g. 2,64M)" },
	{ .key = "swap.required", .type = OPT_BOOL,
	  .value = &boot_options.swap_required,
	  .help = "stop at boot (QEMU exit status 39) if swap= cannot be met" },
	{ .key = "panic.exit", .type = OPT_BOOL,
	  .value = &boot_options.panic_exit,
	  .help = "end QEMU (isa-debug-exit status 37) on a kernel panic" },
	/* The swap RAM-disk's knobs for labs and tests (drivers/ramdisk.h). */
	{ .key = "ramdisk.latency", .type = OPT_UINT,
	  .value = &ramdisk_latency_us, .min = 0, .max = 1000000,
	  .help = "busy-wait this many microseconds per RAM-disk request" },
	{ .key = "ramdisk.fail_read", .type = OPT_UINT,
	  .value = &ramdisk_fail_read, .min = 0, .max = UINT32_MAX,
	  .help = "fail every Nth RAM-disk read with an I/O error (0 = never)" },
	{ .key = "ramdisk.fail_write", .type = OPT_UINT,
	  .value = &ramdisk_fail_write, .min = 0, .max = UINT32_MAX,
	  .help = "fail every Nth RAM-disk write with an I/O error (0 = never)" },
	{ .key = "loglevel", .type = OPT_UINT, .value = &boot_options.loglevel,
	  .min = 0, .max = 8,
	  .help = "print messages below this level (0-8)" },
	{ .key = "hz", .type = OPT_UINT, .value = &boot_options.hz,
	  .min = 19, .max = 10000,
	  .help = "timer interrupts per second" },
	/* Without kheap.debug=, the heap keeps its build default. */
	{ .key = "kheap.debug", .type = OPT_BOOL,
	  .value = &boot_options.kheap_debug,
	  .help = "red zones, poisoning and leak tracking in the kernel heap",
	  .given = &boot_options.kheap_debug_set },
	{ .key = "deterministic", .type = OPT_BOOL,
	  .value = &boot_options.deterministic,
	  .help = "same run every time: seeded randomness, a fixed date" },
	{ .key = "random.seed", .type = OPT_UINT,
	  .value = &boot_options.random_seed, .min = 0, .max = UINT32_MAX,
	  .help = "seed of the kernel's random numbers (no timing samples)",
	  .given = &boot_options.random_seed_set },
	{ .key = "trace", .type = OPT_BOOL, .value = &boot_options.trace,
	  .help = "record memory-manager events from boot (/proc/pagoda)" },
	{ .key = "trace.buf", .type = OPT_SIZE, .value = &boot_options.trace_buf,
	  .min = 4096, .max = 4u << 20,
	  .help = "size of the event trace's ring, e.g. 1M (default 256K)" },
	{ .key = "trace.pid", .type = OPT_UINT, .value = &boot_options.trace_pid,
	  .min = 0, .max = INT32_MAX,
	  .help = "record only this process's events (0 = all)" },
};

int cmdline_parse_size(const char *s, size_t len, uint64_t *out)
{
	unsigned int shift = 0;

	if (len == 0)
		return -EINVAL;
	switch (s[len - 1]) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	if (shift)
		len--;
	uint64_t v;
	int err = kstrtou64(s, len, 0, &v);
	if (err)
		return err;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static int parse_bool(const char *s, size_t len, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	for (size_t i = 0; i < 4; i++) {
		if (strlen(yes[i]) == len && !strncmp(s, yes[i], len)) {
			*out = true;
			return 0;
		}
		if (strlen(no[i]) == len && !strncmp(s, no[i], len)) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Parses one value into opt's destination; returns 0 or -errno. */
static int apply(const struct cmdline_option *opt, const char *v, size_t len)
{
	uint64_t n;
	int err;

	switch (opt->type) {
	case OPT_STRING:
		if (len >= (opt->size ? opt->size : CMDLINE_STR_MAX))
			return -ENAMETOOLONG;
		memcpy(opt->value, v, len);
		((char *)opt->value)[len] = '\0';
		return 0;
	case OPT_SIZE:
		err = cmdline_parse_size(v, len, &n);
		if (err)
			return err;
		if (n < opt->min || n > opt->max)
			return -ERANGE;
		*(uint64_t *)opt->value = n;
		return 0;
	case OPT_UINT:
		err = kstrtou64(v, len, 10, &n);
		if (err)
			return err;
		if (n < opt->min || n > opt->max)
			return -ERANGE;
		*(unsigned int *)opt->value = (unsigned int)n;
		return 0;
	case OPT_BOOL:
		return parse_bool(v, len, opt->value);
	}
	return -EINVAL;
}

static const char *expected(const struct cmdline_option *opt)
{
	switch (opt->type) {
	case OPT_SIZE:
		return "a size like 64M";
	case OPT_UINT:
		return "a number";
	case OPT_BOOL:
		return "0/1, no/yes, off/on";
	default:
		return "a shorter string";
	}
}

static void report_bad(const struct cmdline_option *opt, const char *v,
		       size_t len, int err)
{
	if (err == -ERANGE && opt->type != OPT_STRING)
		pr_err("cmdline: %s=%.*s is out of range (%llu..%llu); "
		       "keeping the default\n", opt->key, (int)len, v,
		       (unsigned long long)opt->min,
		       (unsigned long long)opt->max);
	else if (err == -ENAMETOOLONG)
		pr_err("cmdline: %s= is %u bytes long, more than %u "
		       "(ENAMETOOLONG: %s); %s\n", opt->key, (unsigned int)len,
		       (unsigned int)(opt->size ? opt->size : CMDLINE_STR_MAX) - 1,
		       opt->help, opt->error ? "refused" : "keeping the default");
	else
		pr_err("cmdline: bad value '%.*s' for %s= (expected %s: %s); "
		       "keeping the default\n", (int)len, v, opt->key,
		       expected(opt), opt->help);
}

/* Where parsing stopped at "--", for cmdline_init (NULL if none). */
static const char *rest_out;

int cmdline_parse(const char *line, const struct cmdline_option *opts,
		  size_t nopts)
{
	int problems = 0;
	rest_out = NULL;
	bool first = true;
	const char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *word = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t wlen = (size_t)(p - word);
		const char *eq = memchr(word, '=', wlen);

		if (wlen == 2 && word[0] == '-' && word[1] == '-') {
			rest_out = p;
			break;
		}

		if (!eq) {
			if (!first) {
				pr_err("cmdline: '%.*s' is not key=value; "
				       "ignored\n", (int)wlen, word);
				problems++;
			}
			first = false;
			continue;
		}
		first = false;

		size_t klen = (size_t)(eq - word);
		const char *v = eq + 1;
		size_t vlen = wlen - klen - 1;
		const struct cmdline_option *opt = NULL;
		for (size_t i = 0; i < nopts; i++) {
			if (strlen(opts[i].key) == klen &&
			    !strncmp(opts[i].key, word, klen)) {
				opt = &opts[i];
				break;
			}
		}
		if (!opt) {
			pr_err("cmdline: unknown option '%.*s'; ignored\n",
			       (int)klen, word);
			problems++;
			continue;
		}
		int err = apply(opt, v, vlen);
		if (opt->error)
			*opt->error = err;
		if (err) {
			report_bad(opt, v, vlen, err);
			problems++;
		} else if (opt->given) {
			*opt->given = true;
		}
	}
	return problems;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Storage for init's arguments: decoded words, NUL-separated. */
static char init_args_buf[4096];

/* Splits the words after "--" into boot_options.init_argv[1..]. */
static void parse_init_args(const char *p)
{
	size_t used = 0, n = 1;

	while (p && *p && n <= CMDLINE_MAX_ARGS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char *out = init_args_buf + used;
		while (*p && *p != ' ' && *p != '\t') {
			char c = *p++;
			if (c == '%' && hex_value(p[0]) >= 0 &&
			    hex_value(p[1]) >= 0) {
				c = (char)(hex_value(p[0]) * 16 +
					   hex_value(p[1]));
				p += 2;
			}
			if (used + 1 >= sizeof(init_args_buf)) {
				pr_err("cmdline: init arguments too long; "
				       "truncated\n");
				return;
			}
			init_args_buf[used++] = c;
		}
		init_args_buf[used++] = '\0';
		boot_options.init_argv[n++] = out;
		boot_options.init_argv[n] = NULL;
	}
}

void cmdline_init(const char *line)
{
	cmdline_parse(line, kernel_options,
		      sizeof(kernel_options) / sizeof(kernel_options[0]));
	parse_init_args(rest_out);
	boot_options.init_argv[0] = boot_options.init;
	klog_level = (int)boot_options.loglevel;
}
