/*
 * tests/user/leakcheck.c - runs tests and checks the kernel gets its
 * memory back.
 *
 *   leakcheck [-n PASSES] [-t KB] TEST...
 *
 * Meant to be the first process of a boot (init=/bin/leakcheck, through
 * tools/qemu-run), so that nothing else runs meanwhile. Each pass runs
 * every TEST (/bin/TEST, or a path) once: fork, execve, wait, with the
 * test's output drained from a pipe and dropped. Around each test it
 * reads /proc/meminfo: MemFree and Shmem (the page cache of tmpfs files
 * and shared memory), and for diagnosis Slab, PageTables and
 * KernelStack.
 *
 * The first passes warm the kernel's caches (slab pages kept for reuse,
 * per-CPU frame lists, process IDs); only the last pass is judged: a test
 * leaks if MemFree after it is more than KB kilobytes (default 0) below
 * MemFree before it, or if Shmem grew (a file left in /tmp, or page-cache
 * pages kept after unlink and exit). Before each reading, "3" is written to
 * /proc/sys/vm/drop_caches, if the kernel has it, to give cached memory
 * back first. The output ends with "leakcheck: N passed, M failed", and
 * the exit status is 1 if anything failed.
 *
 * This program's own pages count in MemFree too, and they come in on
 * first touch (demand paging): code, static buffers and stack that only
 * the judged pass uses (formatting its results) would come in between its
 * readings and show up as a whole-pass "leak" whose size depends only on
 * how the linker laid the program out. So before the first reading it
 * grows its stack by STACK_RESERVE and locks all of itself in memory
 * (mlockall(MCL_CURRENT | MCL_FUTURE) brings every page in and keeps it
 * from being swapped out). The whole-pass line reports its own resident
 * size over the pass, which must stay +0 kB: if it does not, the harness
 * is at fault, not the kernel.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

/* Stack made present before measuring; leakcheck itself needs ~10 KiB. */
#define STACK_RESERVE (64 * 1024)

struct meminfo {
	long free, shmem, slab, pagetables, kstack; /* kB, -1 when missing */
};

/* Writes to /proc/sys/vm/drop_caches, when it exists. */
static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "3\n", 2) < 0) {
			/* Not allowed or not supported: measure as it is. */
		}
		close(fd);
	}
}

/* Reads the fields of /proc/meminfo the check uses. */
static void read_meminfo(struct meminfo *m)
{
	drop_caches();
	m->free = ut_proc_field("/proc/meminfo", "MemFree");
	m->shmem = ut_proc_field("/proc/meminfo", "Shmem");
	m->slab = ut_proc_field("/proc/meminfo", "Slab");
	m->pagetables = ut_proc_field("/proc/meminfo", "PageTables");
	m->kstack = ut_proc_field("/proc/meminfo", "KernelStack");
}

/* Touches STACK_RESERVE bytes of stack below the caller, top down. */
static __attribute__((noinline)) void grow_stack(void)
{
	volatile char reserve[STACK_RESERVE];

	for (size_t i = sizeof(reserve); i > 0; i -= UT_PAGE)
		reserve[i - 1] = 0;
	reserve[0] = 0;
}

/*
 * Brings in every page this program will touch and keeps it, so that its
 * own memory does not change while it measures.
 */
static void pin_self(void)
{
	grow_stack();
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		printf("leakcheck: mlockall failed (%s): its own pages may "
		       "come in while it measures\n", ut_errname(errno));
}

/* Reaps every child that has ended (orphans come to init too). */
static void reap_all(void)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

/* Runs one test with its output dropped; returns its wait status. */
static int run_test(const char *name)
{
	static char path[256], out[4096];
	int fds[2], status = -1;
	pid_t pid;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/bin/%s", name);
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { path, NULL };
		char *envp[] = { "PATH=/bin", "HOME=/", NULL };

		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execve(path, argv, envp);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0) {
		while (read(fds[0], out, sizeof(out)) > 0)
			;
		status = ut_wait(pid);
	}
	close(fds[0]);
	reap_all();
	return status;
}

/* Formats a difference of a field that may be missing. */
static const char *delta(long before, long after)
{
	static char bufs[8][32];
	static int next;
	char *b = bufs[next++ % 8];

	if (before < 0 || after < 0)
		snprintf(b, 32, "n/a");
	else
		snprintf(b, 32, "%+ld kB", after - before);
	return b;
}

int main(int argc, char **argv)
{
	int passes = 3, first, passed = 0, failed = 0;
	long tolerance = 0;
	struct meminfo start, before, after;
	int opt;

	ut_begin(argc, argv);
	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			passes = atoi(optarg);
		else if (opt == 't')
			tolerance = atol(optarg);
		else
			return 2;
	}
	first = optind;
	if (first >= argc || passes < 1) {
		printf("usage: leakcheck [-n PASSES] [-t KB] TEST...\n");
		return 2;
	}
	pin_self();
	read_meminfo(&start);
	if (start.free < 0) {
		printf("leakcheck: no MemFree in /proc/meminfo\n");
		return 2;
	}
	for (int pass = 1; pass <= passes; pass++) {
		bool judged = pass == passes;
		struct meminfo pass_start;
		long rss_start = ut_proc_field("/proc/self/status", "VmRSS");

		read_meminfo(&pass_start);
		printf("leakcheck: pass %d of %d%s, MemFree %ld kB\n", pass,
		       passes, judged ? " (judged)" : " (warm-up)",
		       pass_start.free);
		for (int i = first; i < argc; i++) {
			read_meminfo(&before);
			int status = run_test(argv[i]);

			read_meminfo(&after);
			if (!judged)
				continue;
			bool ran = status != -1 && ut_exited(status, 0);
			bool kept = after.free >= before.free - tolerance &&
				    after.shmem <= before.shmem;
			bool ok = ran && kept;

			printf("%s leak %s: %s, MemFree %s, Shmem %s, Slab %s, "
			       "PageTables %s, KernelStack %s\n",
			       ok ? "PASS" : "FAIL", argv[i],
			       status == -1 ? "not run" : ut_status(status),
			       delta(before.free, after.free),
			       delta(before.shmem, after.shmem),
			       delta(before.slab, after.slab),
			       delta(before.pagetables, after.pagetables),
			       delta(before.kstack, after.kstack));
			if (ok)
				passed++;
			else
				failed++;
		}
		if (judged) {
			long rss_end = ut_proc_field("/proc/self/status",
						     "VmRSS");
			bool kept = after.free >= pass_start.free - tolerance &&
				    rss_end == rss_start;

			printf("%s leak whole-pass: MemFree %s over the pass, "
			       "%s since boot, leakcheck's own RSS %s\n",
			       kept ? "PASS" : "FAIL",
			       delta(pass_start.free, after.free),
			       delta(start.free, after.free),
			       delta(rss_start, rss_end));
			if (kept)
				passed++;
			else
				failed++;
		}
	}
	printf("leakcheck: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
