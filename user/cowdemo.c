/*
 * user/cowdemo.c - copy-on-write after fork, step by step.
 *
 *   cowdemo [MiB]        (default 4)
 *
 * fork() does not copy the parent's memory. Both processes map the same
 * frames, read-only, and a page is copied only when one of them writes
 * to it: the write faults, the kernel copies the page for the writer and
 * makes it writable (a "COW fault"). When the other process has exited,
 * a write to a page it no longer shares needs no copy: the kernel just
 * makes the page writable again.
 *
 * The demo counts these events with the system-wide counters of
 * /proc/vmstat: COW faults and actual copies (Pagoda), or all page faults
 * when the kernel has no COW counter (Linux). Run it on an idle system:
 * other processes' faults are counted too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfile.h"

#define PAGE 4096

/* A counter of /proc/vmstat under either of its names, or -1. */
static long long vmstat(const char *name1, const char *name2)
{
	long long v = proc_value("/proc/vmstat", name1);
	return v < 0 && name2 ? proc_value("/proc/vmstat", name2) : v;
}

struct counts {
	long long cow, copies, faults;
};

/* Reads the counters the demo reports. */
static void count(struct counts *c)
{
	c->cow = vmstat("pgcow", "cow_faults");
	c->copies = vmstat("pgcow_copy", "cow_copies");
	c->faults = vmstat("pgfault", NULL);
}

/* Prints the counters' change since *before, and updates *before. */
static void report(const char *who, struct counts *before)
{
	struct counts now;

	count(&now);
	if (now.cow >= 0)
		printf("    [%s] COW faults: +%lld, pages copied: +%lld "
		       "(page faults: +%lld)\n",
		       who, now.cow - before->cow,
		       now.copies >= 0 ? now.copies - before->copies : -1,
		       now.faults - before->faults);
	else
		printf("    [%s] page faults: +%lld (this kernel has no COW "
		       "counter in /proc/vmstat)\n",
		       who, now.faults - before->faults);
	*before = now;
}

/* Waits for a byte on a pipe: the other process finished a step. */
static void wait_for(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		exit(1);
}

/* Tells the other process a step is done. */
static void done(int fd)
{
	if (write(fd, "x", 1) != 1)
		exit(1);
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 4;
	size_t len = (size_t)mib << 20, pages = len / PAGE;
	int to_child[2], to_parent[2], status;
	struct counts c;
	unsigned char *mem;
	pid_t pid;

	if (mib <= 0 || mib > 512) {
		printf("usage: cowdemo [MiB]   (1 to 512, default 4)\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || pipe(to_child) || pipe(to_parent)) {
		printf("cowdemo: %s\n", strerror(errno));
		return 1;
	}

	printf("1. The parent maps %ld MiB (%zu pages) and writes to every "
	       "page.\n",
	       mib, pages);
	count(&c);
	for (size_t i = 0; i < len; i += PAGE)
		mem[i] = 'P';
	report("parent", &c);
	printf("   Its RSS is now %ld kB.\n", status_kb("VmRSS"));

	printf("2. fork(): the child gets the same memory, but no page is "
	       "copied yet.\n");
	pid = fork();
	if (pid == 0) {
		size_t same = 0;

		wait_for(to_child[0]);
		printf("3. The child reads every page: reading a shared page "
		       "needs no copy.\n");
		for (size_t i = 0; i < len; i += PAGE)
			same += mem[i] == 'P';
		report("child", &c);
		printf("   It sees the parent's data in %zu of %zu pages.\n",
		       same, pages);
		printf("   The few COW faults and copies counted here (and "
		       "the parent's in step 2)\n   are not of the mapped "
		       "area: they are each process's own stack and data\n"
		       "   pages (its variables, stdio's buffers), written "
		       "for the first time since\n   fork(). Every forked "
		       "process pays them.\n");

		printf("4. The child writes to every other page: each first "
		       "write is a COW fault\n   that copies the page.\n");
		for (size_t i = 0; i < len; i += 2 * PAGE)
			mem[i] = 'C';
		report("child", &c);
		printf("   Expected: about %zu COW faults and copies.\n",
		       pages / 2);
		done(to_parent[1]);
		wait_for(to_child[0]);
		_exit(0);
	}
	report("parent", &c);
	done(to_child[1]);
	wait_for(to_parent[0]);

	size_t unchanged = 0;

	for (size_t i = 0; i < len; i += PAGE)
		unchanged += mem[i] == 'P';
	count(&c);
	printf("5. The parent still sees its own data in %zu of %zu pages: "
	       "the child's\n   writes went to its copies.\n",
	       unchanged, pages);
	done(to_child[1]);
	waitpid(pid, &status, 0);

	printf("6. The child has exited. The parent writes to every page. "
	       "Its pages are\n   still marked copy-on-write, so each first "
	       "write faults, but no one else\n   maps them any more: the "
	       "kernel makes them writable without copying.\n");
	count(&c);
	for (size_t i = 0; i < len; i += PAGE)
		mem[i] = 'Q';
	report("parent", &c);
	printf("   Expected: about %zu COW faults, no copies.\n", pages);

	printf("7. Writing again costs nothing: the pages are writable "
	       "now.\n");
	for (size_t i = 0; i < len; i += PAGE)
		mem[i] = 'R';
	report("parent", &c);
	munmap(mem, len);
	return 0;
}
