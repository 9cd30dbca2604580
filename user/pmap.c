/*
 * user/pmap.c - the memory map of a process, region by region.
 *
 *   pmap [-e] PID|self
 *
 * Each line of /proc/PID/maps is a region (a VMA): a range of addresses
 * with one protection and one kind of backing (the program file, the
 * heap, the stack, anonymous memory). When the kernel also provides
 * /proc/PID/smaps, pmap adds for each region how much of it is in RAM
 * (RSS), how much of that was written (Dirty), how much is shared with
 * other processes (e.g. after fork, before copy-on-write), and how much
 * is in swap.
 *
 * -e explains the columns.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct region {
	unsigned long start, end;
	char perms[5];
	char name[128];
	long rss, dirty, shared, swap; /* kB, from smaps */
};

/* Region header lines look like the lines of /proc/PID/maps. */
static bool parse_header(const char *line, struct region *r)
{
	unsigned long offset, inode;
	unsigned major, minor;
	int used = 0;

	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &r->start, &r->end,
		   r->perms, &offset, &major, &minor, &inode, &used) != 7)
		return false;
	snprintf(r->name, sizeof(r->name), "%s",
		 line[used] ? line + used : "[ anon ]");
	r->name[strcspn(r->name, "\n")] = '\0';
	if (!r->name[0])
		snprintf(r->name, sizeof(r->name), "[ anon ]");
	r->rss = r->dirty = r->shared = r->swap = 0;
	return true;
}

/* Adds a "Field: N kB" line of smaps to the region's counts. */
static void parse_field(const char *line, struct region *r)
{
	char name[64];
	long kb;

	if (sscanf(line, "%63[^:]: %ld", name, &kb) != 2)
		return;
	if (!strcmp(name, "Rss"))
		r->rss = kb;
	else if (!strcmp(name, "Shared_Dirty") ||
		 !strcmp(name, "Private_Dirty"))
		r->dirty += kb;
	if (!strcmp(name, "Shared_Dirty") || !strcmp(name, "Shared_Clean"))
		r->shared += kb;
	else if (!strcmp(name, "Swap"))
		r->swap = kb;
}

/*
 * Prints a title: the process ID and its command line, or its name from
 * /proc/PID/status when the kernel has no /proc/PID/cmdline.
 */
static void print_title(const char *pid)
{
	char path[64], buf[128] = "", line[128], self[32];
	ssize_t len;
	FILE *f;

	/* /proc/self is a symbolic link to the process's own directory. */
	if (!strcmp(pid, "self")) {
		len = readlink("/proc/self", self, sizeof(self) - 1);
		if (len > 0) {
			self[len] = '\0';
			pid = self;
		}
	}
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		for (size_t i = 0; i + 1 < n; i++)
			if (!buf[i])
				buf[i] = ' ';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = buf[0] ? NULL : fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "Name: %100[^\n]", buf + 1) == 1) {
				buf[0] = '[';
				strcat(buf, "]");
				break;
			}
		}
		fclose(f);
	}
	printf("%s:   %s\n", pid, buf[0] ? buf : "?");
}

/* What the columns mean, one output line each; "+" lines need smaps. */
static const char *const explanation[] = {
	" Address  first address of the region (regions are page aligned)",
	" Kbytes   its size: address space, not necessarily RAM",
	"+RSS      KiB of it in RAM now; untouched pages take none",
	"+Dirty    KiB written since they were loaded or zero-filled",
	"+Shared   KiB also mapped by another process (after fork, until a",
	"+         write makes a private copy: copy-on-write)",
	"+Swap     KiB moved out to the swap area",
	" Mode     r read, w write, x execute; p private or s shared",
	" Mapping  the file, [heap] (brk), [stack], or [ anon ] (mmap, bss)",
};

/* Prints what the columns mean. */
static void explain(bool detailed)
{
	putchar('\n');
	for (size_t i = 0; i < sizeof(explanation) / sizeof(*explanation);
	     i++) {
		if (detailed || explanation[i][0] != '+')
			puts(explanation[i] + 1);
	}
}

int main(int argc, char **argv)
{
	static struct region regions[512];
	const char *pid = NULL;
	bool explained = false, detailed = true;
	char path[64], line[512];
	int n = 0;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-e"))
			explained = true;
		else if (argv[i][0] != '-')
			pid = argv[i];
	}
	if (!pid) {
		printf("usage: pmap [-e] PID|self\n"
		       "  -e  explain the columns\n");
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%s/smaps", pid);
	f = fopen(path, "r");
	if (!f) {
		detailed = false;
		snprintf(path, sizeof(path), "/proc/%s/maps", pid);
		f = fopen(path, "r");
	}
	if (!f) {
		fprintf(stderr, "pmap: no process %s (%s)\n", pid, path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (n < 512 && parse_header(line, &regions[n]))
			n++;
		else if (n > 0)
			parse_field(line, &regions[n - 1]);
	}
	fclose(f);

	print_title(pid);
	long size = 0, rss = 0, dirty = 0, shared = 0, swap = 0;

	if (detailed)
		printf("%-8s %8s %8s %8s %8s %8s %-5s %s\n", "Address",
		       "Kbytes", "RSS", "Dirty", "Shared", "Swap", "Mode",
		       "Mapping");
	else
		printf("%-8s %8s %-5s %s\n", "Address", "Kbytes", "Mode",
		       "Mapping");
	for (int i = 0; i < n; i++) {
		struct region *r = &regions[i];
		long kb = (long)((r->end - r->start) / 1024);

		size += kb;
		rss += r->rss;
		dirty += r->dirty;
		shared += r->shared;
		swap += r->swap;
		if (detailed)
			printf("%08lx %8ld %8ld %8ld %8ld %8ld %-5s %s\n",
			       r->start, kb, r->rss, r->dirty, r->shared,
			       r->swap, r->perms, r->name);
		else
			printf("%08lx %8ld %-5s %s\n", r->start, kb, r->perms,
			       r->name);
	}
	if (detailed)
		printf("-------- -------- -------- -------- -------- --------\n"
		       "total kB %8ld %8ld %8ld %8ld %8ld\n",
		       size, rss, dirty, shared, swap);
	else
		printf("-------- --------\ntotal kB %8ld\n", size);
	if (!detailed)
		printf("(no /proc/%s/smaps: resident sizes unknown)\n", pid);
	if (explained)
		explain(detailed);
	return 0;
}
