/*
 * tests/trace/tracetest.c - the memory manager's event trace, checked
 * from user space: known scenarios must leave the right events, with the
 * right process, address and slot, in /proc/pagoda/trace.
 *
 *   kinds     a demand-zero fault; a copy-on-write copy in a child after
 *             fork and the parent's reuse of the page afterwards; stack
 *             growth; a SIGSEGV; shmat and shmdt
 *   swap      on a machine smaller than the program: a page is evicted
 *             (written to a slot, which a "swap alloc" event took) and
 *             read back from that same slot by a later fault
 *   filter    with trace_pid set, only that process's events are kept
 *   onoff     tracing_on reads back what was written; nothing is
 *             recorded while it is 0
 *   pipe      trace_pipe hands out each record once
 *   overflow  more events than the ring holds: the oldest are dropped,
 *             and the header counts them
 *
 * Runs as init on Pagoda (tests/run.py, via tools/qemu-run --mem 12M
 * --swap 32M); prints "PASS trace NAME: ..." or "FAIL trace NAME: ..."
 * per check and "tracetest: N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096u
#define DIR "/proc/pagoda/"
#define MAX_EVENTS 16384

/* One parsed line of the trace. */
struct event {
	unsigned long long time;
	int pid;
	char type[8], kind[16];
	unsigned long va; /* 0 for "-" */
	long pfn;         /* -1 for "-" */
	long slot;        /* -1 for "-" */
	char info[24];
};

static int passed, failed;
static char text[1 << 20];
static struct event events[MAX_EVENTS];
static int nevents;
static unsigned long long dropped, in_buffer, written;

__attribute__((format(printf, 3, 4))) static bool
check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	printf("%s trace %s: ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		passed++;
	else
		failed++;
	return ok;
}

/* Writes text to a file of /proc/pagoda; 0 or -errno. */
static int put(const char *name, const char *value)
{
	char path[64];
	snprintf(path, sizeof(path), DIR "%s", name);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* Reads a file of /proc/pagoda into text; its length or -1. */
static long slurp(const char *name)
{
	char path[64];
	long len = 0;
	ssize_t n;
	snprintf(path, sizeof(path), DIR "%s", name);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < (long)sizeof(text) - 1 &&
	       (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	close(fd);
	text[len] = '\0';
	return len;
}

static long number_or_none(const char *s, int base)
{
	return strcmp(s, "-") ? strtol(s, NULL, base) : -1;
}

/* Parses the records of text (a trace or trace_pipe) into events. */
static void parse(void)
{
	char *save = NULL;
	nevents = 0;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			char *p = strstr(line, "entries-written: ");
			if (p)
				sscanf(p, "entries-written: %llu/%llu",
				       &in_buffer, &written);
			p = strstr(line, "dropped: ");
			if (p)
				sscanf(p, "dropped: %llu", &dropped);
			continue;
		}
		struct event *e = &events[nevents];
		char va[16], pfn[16], slot[16];
		if (sscanf(line, "%llu %d %7s %15s %15s %15s %15s %23s",
			   &e->time, &e->pid, e->type, e->kind, va, pfn, slot,
			   e->info) != 8)
			continue;
		e->va = strcmp(va, "-") ? strtoul(va, NULL, 16) : 0;
		e->pfn = number_or_none(pfn, 16);
		e->slot = number_or_none(slot, 10);
		if (nevents < MAX_EVENTS - 1)
			nevents++;
	}
}

/* Reads and parses /proc/pagoda/trace. */
static void read_trace(void)
{
	dropped = in_buffer = written = 0;
	if (slurp("trace") < 0)
		text[0] = '\0';
	parse();
}

/* The first event matching (va 0 and pid 0: any), or NULL. */
static const struct event *find(const char *type, const char *kind, int pid,
				unsigned long va)
{
	for (int i = 0; i < nevents; i++) {
		const struct event *e = &events[i];
		if (!strcmp(e->type, type) && !strcmp(e->kind, kind) &&
		    (!pid || e->pid == pid) && (!va || e->va == va))
			return e;
	}
	return NULL;
}

/* Starts a fresh recording of process pid's events (0: everyone's). */
static void start(int pid)
{
	char num[16];
	snprintf(num, sizeof(num), "%d", pid);
	put("tracing_on", "0");
	put("trace_pid", num);
	put("trace", "\n");
	put("tracing_on", "1");
}

static void stop(void)
{
	put("tracing_on", "0");
}

static void *map_pages(size_t n)
{
	void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("tracetest: mmap");
		exit(3);
	}
	return p;
}

/* Recursion that grows the stack by about `depth` KiB. */
static int __attribute__((noinline)) deep(int depth)
{
	volatile char pad[1024];
	pad[0] = (char)depth;
	if (depth == 0)
		return pad[0];
	return deep(depth - 1) + pad[0];
}

static void test_kinds(void)
{
	int self = getpid();
	volatile char *p = map_pages(2);

	start(0);
	p[0] = 1; /* demand-zero */
	pid_t child = fork();
	if (child == 0) {
		p[0] = 2; /* copy-on-write: a copy, the parent still maps it */
		_exit(0);
	}
	waitpid(child, NULL, 0);
	p[0] = 3; /* the parent is the last mapper now: reuse */
	deep(256); /* 256 KiB of stack: new stack pages */
	pid_t segv = fork();
	if (segv == 0) {
		/* An address from a variable hides it from the compiler. */
		volatile uintptr_t bad = 16;
		signal(SIGSEGV, SIG_DFL);
		*(volatile int *)bad = 1;
		_exit(0);
	}
	waitpid(segv, NULL, 0);
	int id = shmget(IPC_PRIVATE, 2 * PAGE, IPC_CREAT | 0600);
	char *shm = id >= 0 ? shmat(id, NULL, 0) : (char *)-1;
	if (shm != (char *)-1) {
		shm[0] = 1;
		shmdt(shm);
	}
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	stop();
	read_trace();

	unsigned long va = (unsigned long)p;
	const struct event *e = find("fault", "zero", self, va);
	check(e && e->pfn > 0 && e->slot == -1, "zero fault",
	      "pid %d at 0x%08lx: %s", self, va, e ? "recorded" : "missing");
	e = find("fault", "cow-copy", child, va);
	check(e != NULL, "cow copy", "child %d at 0x%08lx: %s", (int)child,
	      va, e ? "recorded" : "missing");
	const struct event *reuse = find("fault", "cow-reuse", self, va);
	check(reuse && e && reuse->time > e->time, "cow reuse",
	      "parent %d at 0x%08lx after the child's copy: %s", self, va,
	      reuse ? "recorded" : "missing");
	e = find("fault", "stack", self, 0);
	check(e && e->va >= 0xb0000000ul, "stack growth",
	      "pid %d: %s (0x%08lx)", self, e ? "recorded" : "missing",
	      e ? e->va : 0ul);
	e = find("fault", "segv", segv, 16);
	check(e != NULL, "sigsegv", "pid %d at 0x10: %s", (int)segv,
	      e ? "recorded" : "missing");
	char want[24];
	snprintf(want, sizeof(want), "id=%d", id);
	e = find("shm", "attach", self, (unsigned long)shm);
	const struct event *dt = find("shm", "detach", self,
				      (unsigned long)shm);
	check(e && dt && !strcmp(e->info, want) && !strcmp(dt->info, want) &&
		      find("fault", "shm", self, (unsigned long)shm),
	      "shm attach detach", "segment %d at %p: attach %s, detach %s", id,
	      (void *)shm, e ? "recorded" : "missing",
	      dt ? "recorded" : "missing");
	/* Times only grow (one CPU, one counter). */
	bool ordered = true;
	for (int i = 1; i < nevents; i++)
		ordered &= events[i].time >= events[i - 1].time;
	check(ordered && nevents > 0, "time order", "%d events in order",
	      nevents);
	munmap((void *)p, 2 * PAGE);
}

/* MemFree + a margin, in pages: more than fits in RAM. */
static size_t pages_beyond_ram(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return (size_t)(kb / 4) + 1024;
}

static void test_swap(void)
{
	int self = getpid();
	size_t n = pages_beyond_ram();
	volatile char *p = map_pages(n);

	start(self);
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = (char)(i | 1);
	stop();
	read_trace();
	/* The first of this area's pages that went to swap. */
	const struct event *ev = NULL;
	unsigned long lo = (unsigned long)p, hi = lo + n * PAGE;
	for (int i = 0; i < nevents && !ev; i++)
		if (!strcmp(events[i].type, "evict") &&
		    events[i].pid == self && events[i].va >= lo &&
		    events[i].va < hi)
			ev = &events[i];
	if (!check(ev && !strcmp(ev->kind, "written") && ev->slot >= 0 &&
			   ev->info[0] != '-',
		   "eviction", "%zu pages, first victim 0x%08lx slot %ld (%s)",
		   n, ev ? ev->va : 0ul, ev ? ev->slot : -1l,
		   ev ? ev->info : "none")) {
		munmap((void *)p, n * PAGE);
		return;
	}
	unsigned long va = ev->va;
	long slot = ev->slot;
	const struct event *alloc = NULL;
	for (int i = 0; i < nevents && !alloc; i++)
		if (!strcmp(events[i].type, "swap") &&
		    !strcmp(events[i].kind, "alloc") && events[i].slot == slot)
			alloc = &events[i];
	check(alloc && alloc->time <= ev->time && alloc->pid == self,
	      "slot alloc", "slot %ld taken by pid %d before the eviction",
	      slot, alloc ? alloc->pid : -1);

	start(self);
	char c = p[va - lo];
	stop();
	read_trace();
	const struct event *in = find("fault", "swap-in", self, va);
	check(in && in->slot == slot && c == (char)(((va - lo) / PAGE) | 1),
	      "swap-in", "0x%08lx back from slot %ld: %s", va, slot,
	      in ? "recorded" : "missing");
	munmap((void *)p, n * PAGE);
}

static void test_filter(void)
{
	volatile char *p = map_pages(8);
	int go[2];
	if (pipe(go))
		exit(3);
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < 4; i++)
			p[i * PAGE] = 1;
		_exit(0);
	}
	close(go[0]);
	start(child);
	for (int i = 4; i < 8; i++)
		p[i * PAGE] = 1; /* the parent's own: filtered out */
	if (write(go[1], "g", 1) != 1)
		exit(3);
	close(go[1]);
	waitpid(child, NULL, 0);
	stop();
	read_trace();
	int mine = 0, others = 0;
	for (int i = 0; i < nevents; i++) {
		if (events[i].pid == child)
			mine++;
		else
			others++;
	}
	bool pid_reads = slurp("trace_pid") > 0 && atoi(text) == child;
	check(mine >= 4 && others == 0 && pid_reads, "pid filter",
	      "%d events of pid %d, %d of others; trace_pid %s", mine,
	      (int)child, others, pid_reads ? "reads back" : "wrong");
	put("trace_pid", "0");
	munmap((void *)p, 8 * PAGE);
}

static void test_onoff(void)
{
	volatile char *p = map_pages(4);
	start(getpid());
	bool on = slurp("tracing_on") > 0 && text[0] == '1';
	stop();
	bool off = slurp("tracing_on") > 0 && text[0] == '0';
	read_trace();
	unsigned long long before = written;
	for (int i = 0; i < 4; i++)
		p[i * PAGE] = 1;
	read_trace();
	check(on && off && written == before, "on off",
	      "tracing_on reads %s then %s; %llu records while off",
	      on ? "1" : "?", off ? "0" : "?", written - before);
	check(put("tracing_on", "x") == -EINVAL, "bad value",
	      "tracing_on refuses 'x'");
	munmap((void *)p, 4 * PAGE);
}

static void test_pipe(void)
{
	volatile char *p = map_pages(4);
	start(getpid());
	for (int i = 0; i < 4; i++)
		p[i * PAGE] = 1;
	stop();
	slurp("trace_pipe");
	parse();
	int first = nevents;
	slurp("trace_pipe");
	parse();
	int second = nevents;
	read_trace();
	check(first >= 4 && second == 0 && in_buffer == 0, "trace_pipe",
	      "first read %d events, second %d; %llu left in the ring", first,
	      second, in_buffer);
	munmap((void *)p, 4 * PAGE);
}

static void test_overflow(void)
{
	/* 1 MiB mapped and unmapped again: 256 faults each time. */
	start(getpid());
	for (int round = 0; round < 40; round++) {
		volatile char *p = map_pages(256);
		for (int i = 0; i < 256; i++)
			p[i * PAGE] = 1;
		munmap((void *)p, 256 * PAGE);
	}
	stop();
	read_trace();
	check(written >= 40 * 256 && dropped > 0 &&
		      dropped + in_buffer == written && nevents == (int)in_buffer,
	      "overflow", "%llu written, %llu kept, %llu dropped", written,
	      in_buffer, dropped);
	put("trace", "\n");
	read_trace();
	check(in_buffer == 0 && dropped == 0, "clear",
	      "a write to trace empties it");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (access(DIR "trace", R_OK)) {
		check(false, "proc", "no " DIR "trace");
		printf("tracetest: %d passed, %d failed\n", passed, failed);
		return 1;
	}
	test_kinds();
	test_filter();
	test_onoff();
	test_pipe();
	test_overflow();
	test_swap();
	printf("tracetest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
