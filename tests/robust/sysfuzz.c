/*
 * tests/robust/sysfuzz.c - random system calls must not hurt the kernel.
 *
 * Runs only on Pagoda, as its first process (tools/qemu-run): random
 * system calls would damage a real host. The calls are every one the
 * kernel registers, listed from its sources at build time (gencalls.py).
 *
 *   the driver            sysfuzz.c (this file: options, the leak check),
 *                         fuzz_batch.c (processes, deadlines, hangs,
 *                         stalls, clean-up), fuzz_report.c (figures)
 *   a fuzzing process     fuzz_proc.c (the loop, counting), fuzz_steps.c
 *                         (steps between calls), fuzz_args.c and
 *                         fuzz_data.c (arguments by kind), fuzz_table.c
 *                         (what each call takes; the deny-list)
 *
 *   sysfuzz [-r ROUNDS | -t SECONDS] [-n CALLS] [-s SEED] [-j PARALLEL]
 *           [-w WARMUP] [-l LIFETIME_MS] [-k] [-v] [-T] [-S hang|leak]
 *
 * The driver keeps PARALLEL fuzzing processes alive (default 4), each
 * making CALLS calls (default 300) from its own seed, derived from SEED,
 * until ROUNDS have been started (default 40) or SECONDS have passed.
 * A process, and everything it forked, is killed LIFETIME_MS after it
 * started (default 2000): a process may well wait for ever on a pipe it
 * holds itself, which is its problem. A process that is still there
 * HANG_MS after SIGKILL is the kernel's problem: a hang, reported with
 * its state, and the run fails.
 *
 * The leak check. The driver is init, so every orphan comes back to it.
 * Before measuring it grows its stack and locks itself in memory
 * (mlockall), as tests/user/leakcheck.c does, so that its own pages do not
 * come and go; it allocates nothing after that. First WARMUP rounds
 * (default ROUNDS / 4, at least 4) warm the kernel's caches; then every
 * process is killed and reaped, the System V segments the fuzzers made
 * are removed, the replacement policy is put back, "3" is written to
 * /proc/sys/vm/drop_caches, and /proc/meminfo is read: the baseline.
 * After the judged rounds the same is done again, and MemFree, Slab and
 * SwapFree must be exactly what they were.
 *
 * Output: a line of figures (calls, calls per second, processes,
 * system calls covered), the leak check's line, with -v or -t the table
 * of results per call, and last "sysfuzz: PASS ..." or "sysfuzz: FAIL
 * ...". The exit status is 0 for PASS, 1 for FAIL, 2 for bad usage.
 *
 * -T writes every call to the console before it is made (and its result
 * after): the last line before a panic names the call.
 * -k keeps the replacement policy: no fuzzer can write
 * /proc/sys/vm/policy. With the aging or random policy, a failed reclaim
 * keeps the CPU for minutes (docs/robustness.md, "What it found"); -k
 * keeps runs that must finish in time (make test) to the default policy.
 * -S hang and -S leak are for the runner's self-check: the driver hangs
 * on purpose after the warm-up, or keeps 64 KiB of kernel memory before
 * its last reading; tests/run.py must notice either.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_driver.h"
#include "sysfuzz.h"

/* Stack made present before measuring. */
#define STACK_RESERVE (64 * 1024)

struct fuzz_shared *drv_sh;
int drv_shm_id;
int32_t drv_self_pid;
char drv_policy[32];
static size_t shm_size;

struct meminfo {
	long free, slab, swap_free, pagetables, kstack; /* kB, -1: none */
};

static void read_meminfo(struct meminfo *m)
{
	static char buf[2048];

	drv_write_file("/proc/sys/vm/drop_caches", "3\n");
	drv_read_file("/proc/meminfo", buf, sizeof(buf));
	m->free = drv_field(buf, "MemFree:");
	m->slab = drv_field(buf, "Slab:");
	m->swap_free = drv_field(buf, "SwapFree:");
	m->pagetables = drv_field(buf, "PageTables:");
	m->kstack = drv_field(buf, "KernelStack:");
}

/* --- the shared block ------------------------------------------------------ */

static int setup_shared(void)
{
	unsigned int rows = fz_kcall_count + 1;

	shm_size =
		sizeof(struct fuzz_shared) + rows * sizeof(struct call_stats);
	drv_shm_id = shmget(IPC_PRIVATE, shm_size, IPC_CREAT | 0600);
	if (drv_shm_id < 0)
		return -1;
	drv_sh = shmat(drv_shm_id, NULL, 0);
	if (drv_sh == (void *)-1)
		return -1;
	memset(drv_sh, 0, shm_size);
	drv_sh->magic = FZ_MAGIC;
	drv_sh->driver = drv_self_pid;
	drv_sh->rows = rows;
	for (int i = 0; i < FZ_SHM_IDS; i++)
		drv_sh->shm_ids[i] = -1;
	return 0;
}

static void clear_counters(void)
{
	memset(drv_sh->ops, 0, sizeof(drv_sh->ops));
	drv_sh->exec_arrivals = drv_sh->enosys_wrong = drv_sh->enosys_wrong_nr =
		0;
	memset(drv_sh->stats, 0,
	       (fz_kcall_count + 1) * sizeof(struct call_stats));
}

static long delta(long before, long after)
{
	return before < 0 || after < 0 ? 0 : after - before;
}

/* --- set-up ---------------------------------------------------------------- */

static __attribute__((noinline)) void grow_stack(void)
{
	volatile char reserve[STACK_RESERVE];

	for (size_t i = sizeof(reserve); i > 0; i -= FZ_PAGE)
		reserve[i - 1] = 0;
	reserve[0] = 0;
}

static void usage(void)
{
	printf("usage: sysfuzz [-r ROUNDS | -t SECONDS] [-n CALLS] [-s SEED] "
	       "[-j PARALLEL]\n"
	       "               [-w WARMUP] [-l LIFETIME_MS] [-k] [-v] [-T] "
	       "[-S hang|leak]\n");
}

/*
 * A copy of this program started by a fuzzer's execve: either the
 * sequence step's (--exec-child, which fuzzes on) or a random one, whose
 * arguments are not to be trusted and which must not become a second
 * driver. Returns true for the latter.
 */
static bool started_by_fuzzer(void)
{
	char mine[256], parent[256], path[32];
	ssize_t a, b;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)getppid());
	a = readlink("/proc/self/exe", mine, sizeof(mine) - 1);
	b = readlink(path, parent, sizeof(parent) - 1);
	return getenv("SYSFUZZ") ||
	       (a > 0 && a == b && memcmp(mine, parent, (size_t)a) == 0);
}

static int exec_child(int argc, char **argv)
{
	struct fuzz_params p;

	if (argc != 8)
		return 2;
	p.shm_id = (int)strtoul(argv[2], NULL, 10);
	p.seed = (uint32_t)strtoul(argv[3], NULL, 10);
	p.calls = (int)strtoul(argv[4], NULL, 10);
	p.deadline = (uint32_t)strtoul(argv[5], NULL, 10);
	p.trace_fd = (int)strtoul(argv[6], NULL, 10);
	p.keep_policy = argv[7][0] == '1';
	p.depth = 2;
	p.self = argv[0];
	struct fuzz_shared *shared = shmat(p.shm_id, NULL, 0);
	if (shared == (void *)-1 || shared->magic != FZ_MAGIC)
		return 3;
	__atomic_fetch_add(&shared->exec_arrivals, 1, __ATOMIC_RELAXED);
	int row = fz_row_of("execve");
	if (row >= 0)
		__atomic_fetch_add(&shared->stats[row].ok, 1, __ATOMIC_RELAXED);
	/* The block may have been scribbled on; init is protected anyway. */
	p.driver = shared->driver > 0 ? shared->driver : 1;
	fz_run(&p, shared);
}

static bool parse(int argc, char **argv, struct options *o)
{
	int opt;

	*o = (struct options){ .rounds = 40,
			       .calls = 300,
			       .parallel = 4,
			       .warmup = -1,
			       .lifetime = 2000,
			       .seed = 1 };
	while ((opt = getopt(argc, argv, "r:t:n:s:j:w:l:kvTS:")) != -1) {
		switch (opt) {
		case 'r':
			o->rounds = atoi(optarg);
			break;
		case 't':
			o->seconds = atoi(optarg);
			break;
		case 'n':
			o->calls = atoi(optarg);
			break;
		case 's':
			o->seed = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'j':
			o->parallel = atoi(optarg);
			break;
		case 'w':
			o->warmup = atoi(optarg);
			break;
		case 'l':
			o->lifetime = atoi(optarg);
			break;
		case 'k':
			o->keep_policy = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'T':
			o->trace = true;
			break;
		case 'S':
			o->selftest = optarg;
			break;
		default:
			return false;
		}
	}
	if (optind != argc || o->rounds < 1 || o->calls < 1 ||
	    o->parallel < 1 || o->parallel > MAX_PARALLEL || o->lifetime < 10 ||
	    o->seconds < 0)
		return false;
	if (o->selftest && strcmp(o->selftest, "hang") != 0 &&
	    strcmp(o->selftest, "leak") != 0)
		return false;
	if (o->warmup < 0)
		o->warmup = o->rounds / 4 > 4 ? o->rounds / 4 : 4;
	return true;
}

/* The replacement policy in use: the bracketed name. */
static void save_policy(void)
{
	char buf[128], *open_b, *close_b;

	if (drv_read_file("/proc/sys/vm/policy", buf, sizeof(buf)) <= 0)
		return;
	open_b = strchr(buf, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (close_b && close_b - open_b - 1 < (long)sizeof(drv_policy))
		snprintf(drv_policy, sizeof(drv_policy), "%.*s",
			 (int)(close_b - open_b - 1), open_b + 1);
}

int main(int argc, char **argv)
{
	static char outbuf[4096];
	static char self[256];
	struct options o;
	struct batch_result warm, run;
	struct meminfo base, after;

	if (argc > 1 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child(argc, argv);
	if (started_by_fuzzer())
		return 2;
	setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
	if (!parse(argc, argv, &o)) {
		usage();
		return 2;
	}
	drv_self_pid = getpid();
	snprintf(self, sizeof(self), "%s%s",
		 strchr(argv[0], '/') ? "" : "/bin/", argv[0]);
	o.self = self;
	if (o.trace && dup2(1, 63) < 0)
		o.trace = false;
	printf("sysfuzz: seed %u, %s %d, %d calls each, %d at a time, %d ms "
	       "each; %u system calls in the kernel%s%s\n",
	       o.seed, o.seconds ? "seconds" : "rounds",
	       o.seconds ? o.seconds : o.rounds, o.calls, o.parallel,
	       o.lifetime, fz_kcall_count,
	       o.keep_policy ? "; the replacement policy is kept" : "",
	       drv_self_pid == 1 ? ""
				 : " (not init: orphans are not reaped here, "
				   "the leak check may be off)");
	if (setup_shared() < 0) {
		printf("sysfuzz: FAIL: no shared memory segment (%s)\n",
		       strerror(errno));
		return 1;
	}
	grow_stack();
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		printf("sysfuzz: mlockall failed (%s): the leak check may be "
		       "off\n",
		       strerror(errno));
	save_policy();

	/* Warm-up rounds, not judged. */
	if (!drv_run_batch(&o, o.seed ^ 0xA5A5A5A5u, o.warmup, 0, &warm) ||
	    !drv_cleanup()) {
		printf("sysfuzz: FAIL: hang in the warm-up: pid %d (%s) %s\n",
		       warm.hang_pid, warm.hang_state, drv_remaining_state);
		return 1;
	}
	if (o.selftest && strcmp(o.selftest, "hang") == 0) {
		printf("sysfuzz: self-check: hanging on purpose\n");
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	clear_counters();
	read_meminfo(&base);

	/* The judged run. */
	bool ok = drv_run_batch(&o, o.seed, o.rounds, o.seconds, &run);
	if (!ok) {
		printf("sysfuzz: FAIL: hang: pid %d did not die %u ms after "
		       "SIGKILL (%s)\n",
		       run.hang_pid, HANG_MS, run.hang_state);
		return 1;
	}
	if (!drv_cleanup()) {
		printf("sysfuzz: FAIL: hang: %d processes left after SIGKILL, "
		       "e.g. %s\n",
		       drv_remaining, drv_remaining_state);
		return 1;
	}
	if (o.selftest && strcmp(o.selftest, "leak") == 0) {
		/* 16 pages the kernel keeps: a segment nobody will remove. */
		int id = shmget(IPC_PRIVATE, 16 * FZ_PAGE, IPC_CREAT | 0600);
		char *p = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;
		if (p != (void *)-1)
			memset(p, 1, 16 * FZ_PAGE);
		printf("sysfuzz: self-check: keeping 64 KiB on purpose\n");
	}
	read_meminfo(&after);

	uint64_t calls;
	unsigned int covered, succeeded;
	drv_coverage(&calls, &covered, &succeeded, o.verbose || o.seconds);
	double secs = (double)run.ms / 1000.0;
	printf("sysfuzz: %llu calls in %.1f s (%.0f calls/s); %u of %u system "
	       "calls made, %u of them with success; %u processes started, "
	       "%u killed at their deadline, %u orphans reaped\n",
	       (unsigned long long)calls, secs, secs > 0 ? calls / secs : 0.0,
	       covered, fz_kcall_count, succeeded, run.started,
	       run.deadline_kills, run.orphans);
	if (drv_lost_segments)
		printf("sysfuzz: %d System V segments were removed that their "
		       "makers could not record (killed in shmget)\n",
		       drv_lost_segments);
	if (run.scribbled)
		printf("sysfuzz: %u rows of counts were written over by the "
		       "fuzzers (their figures are off)\n",
		       run.scribbled);
	if (run.stalls)
		printf("sysfuzz: the driver stalled %u times, at most %u ms "
		       "(something kept the CPU)\n",
		       run.stalls, run.longest_stall);
	if (o.verbose || o.seconds) {
		drv_print_ops();
		drv_print_table();
		drv_print_slowest();
	}
	long dfree = delta(base.free, after.free);
	long dslab = delta(base.slab, after.slab);
	long dswap = delta(base.swap_free, after.swap_free);
	bool leak_ok = dfree == 0 && dslab == 0 && dswap == 0 && base.free >= 0;
	printf("sysfuzz: leak check after %d warm-up rounds: MemFree %+ld kB, "
	       "Slab %+ld kB, SwapFree %+ld kB, PageTables %+ld kB, "
	       "KernelStack %+ld kB\n",
	       o.warmup, dfree, dslab, dswap,
	       delta(base.pagetables, after.pagetables),
	       delta(base.kstack, after.kstack));
	if (drv_sh->enosys_wrong) {
		printf("sysfuzz: FAIL: %u calls of numbers the kernel does not "
		       "implement did not return ENOSYS (last: %u)\n",
		       drv_sh->enosys_wrong, drv_sh->enosys_wrong_nr);
		return 1;
	}
	if (!leak_ok) {
		printf("sysfuzz: FAIL: leak: the kernel did not get its memory "
		       "back\n");
		return 1;
	}
	printf("sysfuzz: PASS: %llu calls, %u of %u system calls, no panic, no "
	       "hang, no leak\n",
	       (unsigned long long)calls, covered, fz_kcall_count);
	shmdt(drv_sh);
	shmctl(drv_shm_id, IPC_RMID, NULL);
	return 0;
}
