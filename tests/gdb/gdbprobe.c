/*
 * tests/gdb/gdbprobe.c - a process with a known memory layout, for the
 * tests of the GDB helpers (tests/gdb/check_helpers.py).
 *
 * Booted as the first process (init=/bin/gdbprobe), it builds every kind
 * of page the helpers decode, then prints what the kernel says about it
 * and stops where GDB can look at the same state:
 *
 *   swapped   16 pages written under a small RLIMIT_RSS, so that some go
 *             to swap (everything else is locked meanwhile, so only these
 *             can be evicted); one of them is read back and stays in the
 *             swap cache
 *   fresh     4 pages never touched (demand-zero later)
 *   cow       4 pages written before fork, shared copy-on-write with the
 *             child
 *   broken    2 pages written before fork; after it the parent writes
 *             page 0 again and gets its own copy
 *   rdonly    1 page read-only, read once; noaccess 1 page PROT_NONE
 *   shared    2 pages MAP_SHARED|MAP_ANONYMOUS, page 0 written
 *
 * After the fork it writes three entries of its LDT with modify_ldt and
 * prints each as "gdbprobe: ldt ENTRY BASE LIMIT HIGH LOW" (what it asked
 * for, then the descriptor modify_ldt(0) reads back), and glibc's TLS
 * entry as "gdbprobe: tls ENTRY BASE LIMIT FLAGS" (get_thread_area), for
 * pagoda-ldt and pagoda-gdt.
 *
 * A child (PID 2) runs /bin/ps and then blocks on a pipe. The parent
 * prints "gdbprobe: region NAME START END" lines, then, between
 * "=== FILE ===" and "=== end ===", the /proc files of both processes and
 * the system-wide ones; buddyinfo comes last. Then it calls nanosleep(2)
 * directly (number 162, which glibc itself never uses), where the test's
 * breakpoint stops it: nothing has changed since the files were read.
 *
 * After that it makes three page faults the test catches with
 * pagoda-break-fault, in this order: a write to fresh (demand-zero), a
 * write to cow page 1 (copy-on-write copy), reads of every swapped page
 * (swap-in). Then it kills the child and exits, which ends QEMU.
 *
 * It only makes sense on Pagoda (RLIMIT_RSS is what makes it swap): it is
 * not one of the differential user tests.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define SWAPPED_PAGES 16
/* Resident pages of swapped allowed above what the process holds. */
#define SWAPPED_RESIDENT 8

/* Buffers are static and touched before the measurements start. */
static char file_buf[64 * 1024];
static char line[256];

/* Writes a formatted line with one write(2): no stdio buffer to allocate. */
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (write(1, line, (size_t)n) < 0)
		_exit(3);
}

static void die(const char *what)
{
	say("gdbprobe: FAIL %s\n", what);
	_exit(1);
}

/* Reads a whole file into file_buf; returns its length. */
static size_t slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die(path);
	size_t n = fread(file_buf, 1, sizeof(file_buf) - 1, f);
	fclose(f);
	file_buf[n] = '\0';
	return n;
}

/* A "Name:   value" number of a /proc file, e.g. VmRSS of status. */
static long proc_number(const char *path, const char *name)
{
	slurp(path);
	const char *p = strstr(file_buf, name);
	if (!p)
		die(name);
	return strtol(p + strlen(name), NULL, 10);
}

/* Prints a /proc file between the markers the test looks for. */
static void dump(const char *path)
{
	size_t n = slurp(path);
	say("=== %s ===\n", path);
	if (write(1, file_buf, n) < 0)
		_exit(3);
	say("=== end ===\n");
}

/* struct user_desc (Linux's asm/ldt.h): the flags word's bit-fields. */
struct user_desc_words {
	unsigned int entry, base, limit, flags;
};

/* Writes LDT entries of several kinds and prints them as the header says. */
static void ldt_and_tls(void)
{
	static const struct user_desc_words want[] = {
		{ 0, 0x12345000, 0xfff, 0x01 },     /* 32-bit data, bytes */
		{ 2, 0, 0xfffff, 0x15 },            /* 32-bit code, pages */
		{ 3, 0x00abc000, 0x10, 0x6a },      /* 16-bit expand-down,
						       read-only, not present,
						       useable */
	};
	unsigned int table[2 * 4];
	for (int i = 0; i < 3; i++) {
		struct user_desc_words u = want[i];
		if (syscall(SYS_modify_ldt, 0x11, &u, sizeof(u)) != 0)
			die("modify_ldt write");
	}
	if (syscall(SYS_modify_ldt, 0, table, sizeof(table)) != sizeof(table))
		die("modify_ldt read");
	for (int i = 0; i < 3; i++) {
		unsigned int e = want[i].entry;
		say("gdbprobe: ldt %u 0x%08x 0x%05x 0x%08x 0x%08x\n", e,
		    want[i].base, want[i].limit, table[2 * e + 1],
		    table[2 * e]);
	}
	unsigned int gs;
	__asm__ volatile("mov %%gs, %0" : "=r"(gs));
	struct user_desc_words t = { (gs & 0xffff) >> 3, 0, 0, 0 };
	if (syscall(SYS_get_thread_area, &t) != 0)
		die("get_thread_area");
	say("gdbprobe: tls %u 0x%08x 0x%05x 0x%x\n", t.entry, t.base,
	    t.limit, t.flags);
}

static char *map(size_t pages, int prot, int flags)
{
	char *p = mmap(NULL, pages * PAGE, prot, flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void region(const char *name, const char *start, size_t pages)
{
	say("gdbprobe: region %s 0x%08lx 0x%08lx\n", name,
	    (unsigned long)start, (unsigned long)(start + pages * PAGE));
}

/* Pages of swapped go to swap: the rest of the process is locked. */
static char *make_swapped(void)
{
	if (mlockall(MCL_CURRENT) < 0)
		die("mlockall");
	char *s = map(SWAPPED_PAGES, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long rss_kb = proc_number("/proc/self/status", "VmRSS:");
	struct rlimit lim = {
		.rlim_cur = (rlim_t)rss_kb * 1024 + SWAPPED_RESIDENT * PAGE,
		.rlim_max = RLIM_INFINITY,
	};
	if (setrlimit(RLIMIT_RSS, &lim) < 0)
		die("setrlimit");
	for (int i = 0; i < SWAPPED_PAGES; i++)
		memset(s + i * PAGE, 'a' + i, PAGE);
	lim.rlim_cur = RLIM_INFINITY;
	if (setrlimit(RLIMIT_RSS, &lim) < 0 || munlockall() < 0)
		die("setrlimit");
	return s;
}

/* Reads swapped pages back until one was in swap; returns its address. */
static char *swap_one_in(char *s)
{
	long swap = proc_number("/proc/self/status", "VmSwap:");
	if (swap == 0)
		die("no page went to swap");
	for (int i = 0; i < SWAPPED_PAGES; i++) {
		volatile char c = s[i * PAGE];
		if (c != 'a' + i)
			die("swapped page changed");
		if (proc_number("/proc/self/status", "VmSwap:") < swap)
			return s + i * PAGE;
	}
	die("no swapped page came back");
	return NULL;
}

/* The child: runs ps when told to, then blocks until killed. */
static void child(int from_parent, int to_parent)
{
	char c;
	if (write(to_parent, "r", 1) != 1 || read(from_parent, &c, 1) != 1)
		_exit(2);
	pid_t ps = fork();
	if (ps == 0) {
		execl("/bin/ps", "ps", (char *)NULL);
		_exit(127);
	}
	int status;
	if (ps < 0 || waitpid(ps, &status, 0) != ps)
		_exit(2);
	if (write(to_parent, "d", 1) != 1)
		_exit(2);
	/* The parent never writes again: this read blocks until SIGKILL. */
	while (read(from_parent, &c, 1) > 0)
		;
	_exit(0);
}

int main(void)
{
	/* Touch the buffers before anything is measured. */
	memset(file_buf, 0, sizeof(file_buf));
	memset(line, 0, sizeof(line));
	say("gdbprobe: start, pid %d\n", (int)getpid());

	char *swapped = make_swapped();
	char *swapin = swap_one_in(swapped);
	char *fresh = map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *cow = map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(cow, 'c', 4 * PAGE);
	char *broken = map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(broken, 'b', 2 * PAGE);
	char *rdonly = map(1, PROT_READ, MAP_PRIVATE);
	volatile char r = rdonly[0];
	(void)r;
	char *noaccess = map(1, PROT_NONE, MAP_PRIVATE);
	char *shared = map(2, PROT_READ | PROT_WRITE, MAP_SHARED);
	shared[0] = 's';

	int down[2], up[2];
	if (pipe(down) < 0 || pipe(up) < 0)
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(down[0], up[1]);
	char c;
	if (read(up[0], &c, 1) != 1)
		die("child not ready");
	broken[0] = 'B';
	if (write(down[1], "g", 1) != 1 || read(up[0], &c, 1) != 1)
		die("child did not run ps");

	say("gdbprobe: child %d\n", (int)pid);
	ldt_and_tls();
	region("swapped", swapped, SWAPPED_PAGES);
	region("swapin", swapin, 1);
	region("fresh", fresh, 4);
	region("cow", cow, 4);
	region("broken", broken, 2);
	region("rdonly", rdonly, 1);
	region("noaccess", noaccess, 1);
	region("shared", shared, 2);
	const char *files[] = { "maps", "smaps", "status" };
	char path[64];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)getpid(),
			 files[i]);
		dump(path);
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid,
			 files[i]);
		dump(path);
	}
	dump("/proc/meminfo");
	dump("/proc/vmstat");
	dump("/proc/buddyinfo");

	/* The test stops here, at the kernel's sys_nanosleep. */
	struct timespec ts = { 0, 1000 };
	syscall(SYS_nanosleep, &ts, NULL);

	fresh[0] = 'f';
	cow[PAGE] = 'C';
	for (int i = 0; i < SWAPPED_PAGES; i++) {
		volatile char v = swapped[i * PAGE];
		if (v != 'a' + i)
			die("swapped page lost");
	}
	say("gdbprobe: done\n");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
