/*
 * user/vmstat.c - virtual-memory statistics: free memory, swap, faults.
 *
 *   vmstat [-e] [DELAY [COUNT]]
 *
 * Memory comes from /proc/meminfo, event counters from /proc/vmstat.
 * The first line counts events since boot; with DELAY (seconds), a new
 * line follows every DELAY seconds with the events of that interval,
 * COUNT times (forever without COUNT).
 *
 *   free    KiB of RAM nobody uses (MemFree)
 *   cache   KiB of caches the kernel can drop (Buffers + Cached)
 *   swpd    KiB of pages in swap (SwapTotal - SwapFree)
 *   flt     page faults: every time the CPU found no usable mapping
 *   maj     major faults: the page had to be read in (from swap)
 *   zero    faults that gave a fresh zero-filled page (demand-zero)
 *   file    faults that loaded a page of a program file
 *   cow     copy-on-write faults: a write to a page shared since fork
 *   copy    ... of which the page really had to be copied (the rest
 *           were the last sharer, which just gets write access back)
 *   si, so  pages swapped in and out
 *
 * Counters a kernel does not provide are shown as "-".
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COUNTERS 256

struct counter {
	char name[48];
	long long value;
};

struct snapshot {
	struct counter c[MAX_COUNTERS];
	int n;
	long free, cache, swpd;
};

/* The columns of events: the names Pagoda and Linux may use for each. */
struct column {
	const char *title;
	const char *names[3];
};

static const struct column columns[] = {
	{ "flt", { "pgfault" } },
	{ "maj", { "pgmajfault" } },
	{ "zero", { "pgzero", "zero_faults" } },
	{ "file", { "pgfile", "file_faults" } },
	{ "cow", { "pgcow", "cow_faults" } },
	{ "copy", { "pgcow_copy", "cow_copies" } },
	{ "si", { "pswpin" } },
	{ "so", { "pswpout" } },
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Reads /proc/vmstat and the memory fields of /proc/meminfo. */
static void take(struct snapshot *s)
{
	char line[256];
	long swap_total = 0, swap_free = 0, buffers = 0, cached = 0;
	FILE *f;

	s->n = 0;
	f = fopen("/proc/vmstat", "r");
	if (f) {
		while (s->n < MAX_COUNTERS && fgets(line, sizeof(line), f)) {
			struct counter *c = &s->c[s->n];

			if (sscanf(line, "%47s %lld", c->name, &c->value) == 2)
				s->n++;
		}
		fclose(f);
	}
	s->free = -1;
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char name[64];
			long kb;

			if (sscanf(line, "%63[^:]: %ld", name, &kb) != 2)
				continue;
			if (!strcmp(name, "MemFree"))
				s->free = kb;
			else if (!strcmp(name, "Buffers"))
				buffers = kb;
			else if (!strcmp(name, "Cached"))
				cached = kb;
			else if (!strcmp(name, "SwapTotal"))
				swap_total = kb;
			else if (!strcmp(name, "SwapFree"))
				swap_free = kb;
		}
		fclose(f);
	}
	s->cache = buffers + cached;
	s->swpd = swap_total - swap_free;
}

/* The value of a column's counter, or -1 when the kernel lacks it. */
static long long lookup(const struct snapshot *s, const struct column *col)
{
	for (int k = 0; k < 3 && col->names[k]; k++) {
		for (int i = 0; i < s->n; i++) {
			if (!strcmp(s->c[i].name, col->names[k]))
				return s->c[i].value;
		}
	}
	return -1;
}

/* Prints title centred in a run of width dashes. */
static void dashes(const char *title, int width)
{
	int len = (int)strlen(title) + 2;
	int left = (width - len) / 2, right = width - len - left;

	printf("%.*s %s %.*s", left, "----------------------------------",
	       title, right, "----------------------------------");
}

/* Prints the two header lines. */
static void header(void)
{
	dashes("memory (KiB)", 24);
	putchar(' ');
	dashes("page faults", 53);
	putchar(' ');
	dashes("swap", 9);
	putchar('\n');
	printf("%8s %7s %7s", "free", "cache", "swpd");
	for (size_t i = 0; i < NCOLUMNS; i++)
		printf(" %*s", i < 6 ? 8 : 4, columns[i].title);
	printf("\n");
}

/* Prints one line: memory now, events since prev (or since boot). */
static void line(const struct snapshot *now, const struct snapshot *prev)
{
	printf("%8ld %7ld %7ld", now->free, now->cache, now->swpd);
	for (size_t i = 0; i < NCOLUMNS; i++) {
		long long v = lookup(now, &columns[i]);
		int width = i < 6 ? 8 : 4;

		if (v < 0) {
			printf(" %*s", width, "-");
			continue;
		}
		if (prev)
			v -= lookup(prev, &columns[i]);
		printf(" %*lld", width, v);
	}
	printf("\n");
	fflush(stdout);
}

/* What the columns mean, one output line each. */
static const char *const explanation[] = {
	"free   KiB of RAM nobody uses; cache: caches the kernel can drop",
	"swpd   KiB in swap",
	"flt    page faults: the CPU found no usable mapping",
	"maj    ... that had to read the page in (from swap)",
	"zero   ... that gave a fresh zero-filled page (malloc, mmap, bss)",
	"file   ... that loaded a page of a program file",
	"cow    ... that were writes to a page shared since fork",
	"copy   ... of those, how many really had to copy the page",
	"si so  pages swapped in and out",
	"The first line counts since boot; later lines count each interval.",
};

/* Prints what the columns mean. */
static void explain(void)
{
	putchar('\n');
	for (size_t i = 0; i < sizeof(explanation) / sizeof(*explanation); i++)
		puts(explanation[i]);
}

int main(int argc, char **argv)
{
	static struct snapshot a, b;
	struct snapshot *now = &a, *prev = &b;
	bool explained = false;
	int delay = 0, count = -1, nargs = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-e")) {
			explained = true;
		} else if (argv[i][0] >= '0' && argv[i][0] <= '9') {
			if (nargs++ == 0)
				delay = atoi(argv[i]);
			else
				count = atoi(argv[i]);
		} else {
			printf("usage: vmstat [-e] [DELAY [COUNT]]\n"
			       "  -e     explain the columns\n"
			       "  DELAY  seconds between lines of events\n");
			return strcmp(argv[i], "-h") ? 1 : 0;
		}
	}
	take(now);
	if (now->free < 0 && now->n == 0) {
		fprintf(stderr, "vmstat: no /proc/meminfo or /proc/vmstat\n");
		return 1;
	}
	header();
	line(now, NULL);
	for (int i = 1; delay > 0 && (count < 0 || i < count); i++) {
		struct snapshot *t = prev;

		sleep(delay);
		prev = now;
		now = t;
		take(now);
		line(now, prev);
	}
	if (explained)
		explain();
	return 0;
}
