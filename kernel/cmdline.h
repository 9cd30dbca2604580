/*
 * kernel/cmdline.h - the kernel command line.
 *
 * The command line is a list of key=value words, from GRUB's `multiboot`
 * line or QEMU's -append. Each key has a type; a value that does not parse
 * is reported and the default kept; an unknown key is reported and ignored.
 * The first word is the kernel's own path when it contains no '=' (both
 * GRUB and QEMU put it there), and is skipped. Everything after a word
 * "--" is passed to init as its arguments; inside those, %XX stands for
 * the byte with hex value XX (so "%20" is a space).
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_STR_MAX 128
#define CMDLINE_MAX_ARGS 128
/* init= holds a path: up to Linux's PATH_MAX, NUL included. */
#define CMDLINE_PATH_MAX 4096

enum cmdline_type {
	OPT_STRING,  /* char[size], size CMDLINE_STR_MAX unless given */
	OPT_SIZE,    /* uint64_t bytes: 123, 64K, 16M, 2G */
	OPT_UINT,    /* unsigned int within [min, max] */
	OPT_BOOL,    /* bool: 0/1, no/yes, off/on, false/true */
};

struct cmdline_option {
	const char *key;
	enum cmdline_type type;
	void *value;         /* where the parsed value is stored */
	uint64_t min, max;   /* accepted range for OPT_SIZE and OPT_UINT */
	const char *help;    /* what the option does, for messages */
	bool *given;         /* if not NULL, set when a valid value is seen */
	size_t size;         /* OPT_STRING: the buffer's size (0: the default) */
	int *error;          /* if not NULL: -errno of a refused value, else 0 */
};

/*
 * Parses line against opts, storing values; reports each problem with a
 * one-line message. Returns the number of problems (unknown keys and bad
 * values).
 */
int cmdline_parse(const char *line, const struct cmdline_option *opts,
		  size_t nopts);

/* Parses a size like "64M" into bytes. Returns 0 or -EINVAL/-ERANGE. */
int cmdline_parse_size(const char *s, size_t len, uint64_t *out);

/* The kernel's options, filled in by cmdline_init() (defaults otherwise). */
struct boot_options {
	char init[CMDLINE_PATH_MAX];      /* init=: the first program */
	int init_error;                   /* init= refused (-ENAMETOOLONG) */
	bool init_required;               /* init.required=: no init, stop */
	/* Words after "--": init's arguments (argv[1..]), %XX-decoded. */
	char *init_argv[CMDLINE_MAX_ARGS + 2];
	char test[CMDLINE_STR_MAX];       /* test=: suites to run, "" = none */
	char bench[CMDLINE_STR_MAX];      /* bench=: benchmarks to run */
	char vm_policy[CMDLINE_STR_MAX];  /* vm.policy=: page replacement */
	char vm_swapin[CMDLINE_STR_MAX];  /* vm.swapin=: prefetch or demand */
	unsigned int vm_policy_seed;      /* vm.policy_seed=: 0 = random */
	uint64_t mem;                     /* mem=: cap on usable RAM, 0 = all */
	uint64_t lowmem;                  /* lowmem=: cap on the direct map */
	uint64_t swap;                    /* swap=: RAM-disk size, 0 = off */
	char ramdisks[CMDLINE_STR_MAX];   /* ramdisks=COUNT,SIZE: more disks */
	unsigned int loglevel;            /* loglevel=: see libk/log.h */
	unsigned int hz;                  /* hz=: timer frequency */
	bool swap_required;               /* swap.required=: no swap, no boot */
	bool panic_exit;                  /* panic.exit=: a panic ends QEMU */
	bool kheap_debug;                 /* kheap.debug=: heap checking */
	bool kheap_debug_set;             /* kheap.debug= was given */
	/*
	 * deterministic=: the same run every time (docs/tracing.md): the
	 * random generator starts from random.seed= alone, the date is
	 * fixed, nothing reads a clock for randomness.
	 */
	bool deterministic;
	unsigned int random_seed;         /* random.seed=: the first key */
	bool random_seed_set;             /* random.seed= was given */
	bool trace;                       /* trace=: record mm events from boot */
	uint64_t trace_buf;               /* trace.buf=: ring size, 0: default */
	unsigned int trace_pid;           /* trace.pid=: only this process */
};

extern struct boot_options boot_options;

/* Parses the kernel command line into boot_options. */
void cmdline_init(const char *line);

#endif
