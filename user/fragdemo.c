/*
 * user/fragdemo.c - external fragmentation made on purpose, and
 * compaction undoing it.
 *
 *   fragdemo [-d] [MiB]   (default: the free memory but 3 MiB)
 *
 * 1. Shows /proc/buddyinfo: free memory as blocks of 2^order pages.
 * 2. Fills MiB of memory with pages of known contents, then gives every
 *    other page back (madvise MADV_DONTNEED). Half of that memory is free
 *    again, but in single pages between used ones: plenty of free memory
 *    and no large block, the state called external fragmentation.
 * 3. Writes 1 to /proc/sys/vm/compact_memory: the kernel moves user
 *    pages (through the reverse map) towards the top of memory, so that
 *    the free pages join into large blocks again.
 * 4. Shows buddyinfo after each step, the share of free memory that lies
 *    in blocks of order 9 or more (2 MiB, a huge page on x86), the
 *    fragmentation index of every order (/proc/pagoda/extfrag on Pagoda,
 *    the same numbers as Linux's debugfs extfrag_index; the one of order
 *    9 is also computed from buddyinfo, so that Linux shows it too), the
 *    compaction counters of /proc/vmstat, and checks every word of the
 *    pages kept.
 *
 * With -d it also runs /bin/memdump on itself after steps 3 and 4: the
 * two dumps are what `tools/memmap phys` draws as the pictures of
 * docs/compaction.md (the frames before and after compaction).
 *
 * Runs on Linux too (as root, for compact_memory); there buddyinfo has
 * one line per zone and the zones are added up. docs/compaction.md
 * explains the numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfile.h"

#define PAGE 4096u
#define MAX_ORDERS 16
/* The order of a 2 MiB block, the "large" block of this demo. */
#define LARGE_ORDER 9

/* Free blocks per order, added over every zone of /proc/buddyinfo. */
struct buddy {
	unsigned long nr[MAX_ORDERS];
	int orders;
};

static int read_buddyinfo(struct buddy *b, int print)
{
	char line[512];
	FILE *f = fopen("/proc/buddyinfo", "r");
	memset(b, 0, sizeof(*b));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (print)
			printf("    %s", line);
		char *p = strstr(line, "zone");
		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++; /* the zone's name */
		int o = 0;
		for (char *end; o < MAX_ORDERS; o++, p = end) {
			unsigned long v = strtoul(p, &end, 10);
			if (end == p)
				break;
			b->nr[o] += v;
		}
		if (o > b->orders)
			b->orders = o;
	}
	fclose(f);
	return 0;
}

/* Free pages in blocks of order >= from. */
static unsigned long free_pages_from(const struct buddy *b, int from)
{
	unsigned long n = 0;
	for (int o = from; o < b->orders; o++)
		n += b->nr[o] << o;
	return n;
}

/* The fragmentation index of an order from buddyinfo (Linux's formula). */
static double extfrag(const struct buddy *b, int order)
{
	unsigned long blocks = 0;
	for (int o = 0; o < b->orders; o++)
		blocks += b->nr[o];
	if (blocks == 0)
		return 0;
	if (free_pages_from(b, order))
		return -1;
	unsigned long free = free_pages_from(b, 0);
	return 1.0 - (1.0 + (double)free / (1u << order)) / (double)blocks;
}

static void show(const char *title)
{
	struct buddy b;
	printf("%s\n", title);
	if (read_buddyinfo(&b, 1) < 0) {
		printf("    (no /proc/buddyinfo)\n");
		return;
	}
	/* Pagoda's copy of Linux's debugfs extfrag_index, when there. */
	char line[512];
	FILE *f = fopen("/proc/pagoda/extfrag", "r");
	if (f) {
		if (fgets(line, sizeof(line), f))
			printf("    extfrag index:%s",
			       strstr(line, "Normal")
				       ? strstr(line, "Normal") + 6
				       : line);
		fclose(f);
	}
	unsigned long free = free_pages_from(&b, 0);
	unsigned long large = free_pages_from(&b, LARGE_ORDER);
	printf("    free: %lu KiB; in blocks of order >= %d (2 MiB): %lu KiB "
	       "= %.1f %%; fragmentation index of order %d: %.3f\n",
	       free * 4, LARGE_ORDER, large * 4,
	       free ? 100.0 * (double)large / (double)free : 0.0, LARGE_ORDER,
	       extfrag(&b, LARGE_ORDER));
}

static const char *const counters[] = {
	"compact_migrate_scanned", "compact_free_scanned",
	"pgmigrate_success",	   "compact_stall",
	"compact_skipped_pinned",
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static void read_counters(long long v[NCOUNTERS])
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		v[i] = proc_value("/proc/vmstat", counters[i]);
}

static uint32_t word(uint32_t i, uint32_t j)
{
	return 0xF3A90000u ^ (i * 2654435761u) ^ (j * 40503u);
}

/* Runs /bin/memdump on this process (its text goes to stdout). */
static void memdump_self(void)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	pid_t child = fork();
	if (child == 0) {
		execl("/bin/memdump", "memdump", pid, (char *)NULL);
		perror("fragdemo: /bin/memdump");
		_exit(127);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
}

static int usage(void)
{
	fprintf(stderr, "usage: fragdemo [-d] [MiB]\n"
			"  fragments MiB of memory (default: the free memory "
			"but 3 MiB), then compacts it\n"
			"  -d  run memdump on itself before and after "
			"compaction (for tools/memmap)\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long mib;
	int dump = 0;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-d")) {
		dump = 1;
		argc--;
		argv++;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return usage();
	if (argc == 2) {
		char *end;
		mib = strtoul(argv[1], &end, 10);
		if (*end || mib == 0)
			return usage();
	} else {
		/* All but 3 MiB: the kernel keeps a reserve of its own. */
		long long kb = proc_value("/proc/meminfo", "MemFree");
		mib = kb > 8192 ? (unsigned long)(kb / 1024 - 3) : 4;
	}
	uint32_t pages = (uint32_t)(mib * 256);

	show("1. Free memory at the start (/proc/buddyinfo: free blocks of "
	     "order 0, 1, 2 ...):");

	uint32_t *mem = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("fragdemo: mmap");
		return 1;
	}
	for (uint32_t i = 0; i < pages; i++)
		for (uint32_t j = 0; j < PAGE / 4; j++)
			mem[i * (PAGE / 4) + j] = word(i, j);
	show("\n2. After touching every page of the buffer:");
	for (uint32_t i = 1; i < pages; i += 2)
		madvise((char *)mem + (size_t)i * PAGE, PAGE, MADV_DONTNEED);
	printf("\n3. Gave back every other page of %lu MiB (%u pages):", mib,
	       pages / 2);
	show(" free memory is back, in single pages:");
	if (dump)
		memdump_self();

	long long before[NCOUNTERS], after[NCOUNTERS];
	read_counters(before);
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		printf("\nfragdemo: cannot write /proc/sys/vm/compact_memory: "
		       "%s\n",
		       strerror(errno));
		return 1;
	}
	close(fd);
	read_counters(after);
	show("\n4. After echo 1 > /proc/sys/vm/compact_memory:");
	printf("    /proc/vmstat:");
	for (size_t i = 0; i < NCOUNTERS; i++)
		if (after[i] >= 0)
			printf(" %s +%lld", counters[i], after[i] - before[i]);
	printf("\n");
	if (dump)
		memdump_self();

	uint32_t bad = 0;
	for (uint32_t i = 0; i < pages; i += 2)
		for (uint32_t j = 0; j < PAGE / 4; j++)
			bad += mem[i * (PAGE / 4) + j] != word(i, j);
	printf("\n5. The %u pages kept, word by word: %s (%u bad words)\n",
	       pages / 2 + pages % 2, bad ? "DAMAGED" : "intact", bad);
	return bad ? 1 : 0;
}
