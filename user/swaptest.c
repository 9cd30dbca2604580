/*
 * user/swaptest.c - swapping under test: data integrity under memory
 * pressure, pages shared through fork, MAP_SHARED and SysV shm while
 * they go to swap and back, the out-of-memory killer, I/O errors on the
 * swap device, local replacement (RLIMIT_RSS) and policy switches.
 *
 *   swaptest [SCENARIO...]      default: integrity shared policy rsslimit
 *   swaptest -h                 help
 *
 * Scenarios:
 *   integrity    4 processes whose working sets add up to 4x the free
 *                memory fill every page with a pattern of (pid, address,
 *                generation), then rewrite and verify it over 3 rounds
 *   shared       copy-on-write pages, MAP_SHARED and SysV shm pages pushed
 *                out to swap, then read and written by parent and child
 *   policy       /proc/sys/vm/policy: list, switch to every policy (with
 *                a workload under each), refuse an unknown name;
 *                /proc/sys/vm/policy_seed set, read back, junk refused
 *   rsslimit     a process with RLIMIT_RSS evicts its own pages
 *   oom          (boot with little swap) the largest process is killed,
 *                whoever owns it (also an unprivileged user's),
 *                the others and the kernel go on
 *   oomstorm [N] (boot without swap) up to N (default 1000) processes
 *                run out of memory together: the killer ends enough of
 *                them, one at a time, without a storm of fault retries
 *   inject-write (boot with ramdisk.fail_write=N) failed writes keep the
 *                page in memory; everything still verifies
 *   inject-read  (boot with ramdisk.fail_read=N) a failed read kills the
 *                reading process with SIGBUS, and nobody else
 *   tmpfs        files in /tmp and /dev/shm (a third of free memory),
 *                written with write() and through a shared mapping, go
 *                to swap under pressure and come back through read() and
 *                mappings, every byte intact; unlinking them gives every
 *                page and slot back (Shmem too)
 *   swapoff      swapoff(2) brings back private, copy-on-write, MAP_SHARED,
 *                SysV shm and tmpfs pages, every byte intact; swapon(2) again,
 *                with a priority; /proc/swaps; the errors (EBUSY, EINVAL,
 *                ENOENT, and ENOMEM when swap holds more than memory)
 *   areas        (boot with ramdisks=2,SIZE) swap headers written on
 *                /dev/ram1 and ram2, both swapped on with priority 10
 *                above the boot's ram0: pages go out to the two in turn
 *                and never to ram0; swapoff of ram1 while a process
 *                holds its pages (they come back, or go to ram2), then
 *                of ram2; every word verified
 *   wholeswap    whole-process swapping: a sleeping child swapped out
 *                completely through /proc/PID/swapout (VmRSS and VmPTE
 *                0), a signal wakes it and its handler runs after the
 *                swap-in, every word verified, in prefetch and demand
 *                mode; its copy-on-write pages stay with the parent;
 *                waitpid while it is out; a stopped one continued; one
 *                killed while out; one swapped out by the kernel itself
 *                while memory stays short
 *
 * Meant to run as init (tools/qemu-run; tests/run.py boots it once per
 * policy and once per special case). It locks its own memory (mlockall),
 * so that it is never a victim itself, and after every scenario checks
 * that free frames and free swap slots are back to what they were before
 * it: MemFree and SwapFree of /proc/meminfo, read after
 * /proc/sys/vm/drop_caches (the heap's empty slabs), counting the pages
 * this program holds itself. Output: one "PASS swap NAME: ..." or
 * "FAIL swap NAME: ..." line per check, then "swaptest: N passed, M
 * failed"; the exit status is 1 if anything failed.
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
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/swap.h>
#include <linux/fs.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / 4)
/* The working sets of the integrity test, as a multiple of free memory. */
#define PRESSURE_FACTOR 4
#define WORKERS 4
#define ROUNDS 3
/* Passes of pressure() allowed to push a test's pages out. */
#define PRESSURE_TRIES 4

static int passed, failed;
static const char *argv0 = "/bin/swaptest";
static char text[16384]; /* /proc files are read into this */

/* Records and prints one check. */
__attribute__((format(printf, 3, 4))) static bool
check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	printf("%s swap %s: ", ok ? "PASS" : "FAIL", name);
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

/* Reads a whole (small) file into text; false if it cannot be read. */
static bool slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	if (fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	return true;
}

/* The number after "NAME" (then ':' or ' ') in a file, or -1. */
static long field(const char *path, const char *name)
{
	size_t n = strlen(name);
	if (!slurp(path))
		return -1;
	for (char *p = text; *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		if (!strncmp(p, name, n) && (p[n] == ':' || p[n] == ' '))
			return strtol(p + n + 1, NULL, 10);
	}
	return -1;
}

static long meminfo(const char *name)
{
	return field("/proc/meminfo", name);
}

static long vmstat(const char *name)
{
	return field("/proc/vmstat", name);
}

/* A /proc/PID/status field in kB (pid 0: this process). */
static long status_kb(pid_t pid, const char *name)
{
	char path[64];
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	return field(path, name);
}

/* Writes a string to a file; returns 0 or the errno. */
static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int err = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : errno;
	close(fd);
	return err;
}

/*
 * The kernel heap may keep a page or two more after a scenario than
 * before it: objects freed from the middle of slabs leave them partly
 * used (fragmentation, not a leak). Slab growth up to this is accepted,
 * and counted as free in the exact check of frames.
 */
#define SLAB_SLACK_KB 8

/* What must come back after a scenario: frames and swap slots, in kB. */
struct snapshot {
	long frames; /* MemFree + kernel heap + what this process holds */
	long slots;  /* SwapFree + what this process holds in swap */
	long memfree, swapfree;
	long slab, pagetables, kstack; /* for the report */
	long rmap_items; /* reverse-map items (mappings of shm pages) */
	long families;	 /* anonymous families (lineages of regions) */
};

static void snapshot(struct snapshot *s)
{
	write_file("/proc/sys/vm/drop_caches", "3");
	long rss = status_kb(0, "VmRSS"), swp = status_kb(0, "VmSwap");
	s->memfree = meminfo("MemFree");
	s->swapfree = meminfo("SwapFree");
	s->frames = s->memfree + rss;
	/* A page read back from swap keeps its slot while it is clean. */
	s->slots = s->swapfree + swp + meminfo("SwapCached");
	s->rmap_items = vmstat("nr_rmap_items");
	s->families = vmstat("nr_anon_families");
	s->slab = meminfo("Slab");
	s->frames += s->slab;
	s->pagetables = meminfo("PageTables");
	s->kstack = meminfo("KernelStack");
}

/*
 * Checks that a scenario gave back every frame and slot it took, except
 * up to pt_kb of page tables the kernel keeps (see KSTACK_AREA_PT_KB).
 */
static void check_baseline_pt(const char *name, const struct snapshot *before,
			      long pt_kb)
{
	struct snapshot after;
	char what[64];
	snapshot(&after);
	snprintf(what, sizeof(what), "%s baseline", name);
	long kept = after.pagetables - before->pagetables;
	kept = kept < 0 ? 0 : kept > pt_kb ? pt_kb : kept;
	check(after.frames + kept == before->frames &&
		      after.slots == before->slots &&
		      after.rmap_items == before->rmap_items &&
		      after.families == before->families &&
		      after.slab - before->slab <= SLAB_SLACK_KB,
	      what,
	      "MemFree+Slab %+ld kB, SwapFree %+ld kB (held by this "
	      "process counted), reverse-map items %+ld, anonymous "
	      "families %+ld; Slab %+ld, PageTables %+ld, KernelStack %+ld kB",
	      after.frames - before->frames, after.slots - before->slots,
	      after.rmap_items - before->rmap_items,
	      after.families - before->families, after.slab - before->slab,
	      after.pagetables - before->pagetables,
	      after.kstack - before->kstack);
}

/* Checks that a scenario gave back every frame and slot it took. */
static void check_baseline(const char *name, const struct snapshot *before)
{
	check_baseline_pt(name, before, 0);
}

/* Waits for pid; returns its wait status. */
static int wait_for(pid_t pid)
{
	int status = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* "exit N" or "signal N" for a wait status (four calls per line at most). */
static const char *how(int status)
{
	static char bufs[4][32];
	static unsigned int next;
	char *buf = bufs[next++ % 4];
	if (WIFEXITED(status))
		snprintf(buf, 32, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, 32, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, 32, "status %#x", status);
	return buf;
}

/* The first word of a page: from a tag, the page's address, a generation. */
static uint32_t seed(uint32_t tag, const void *page, uint32_t gen)
{
	uint32_t x = tag * 2654435761u ^ (uint32_t)(uintptr_t)page ^
		     (gen + 1) * 40503u;
	x ^= x >> 15;
	x *= 2246822519u;
	return x ^ (x >> 13);
}

/* Fills a page with the pattern of (tag, address, gen). */
static void fill(uint32_t *w, uint32_t tag, uint32_t gen)
{
	uint32_t s = seed(tag, w, gen);
	for (uint32_t i = 0; i < WORDS; i++)
		w[i] = s + i * 0x9E3779B9u;
}

/* Words of a page that differ from the pattern of (tag, address, gen). */
static uint32_t verify(const uint32_t *w, uint32_t tag, uint32_t gen)
{
	uint32_t s = seed(tag, w, gen), bad = 0;
	for (uint32_t i = 0; i < WORDS; i++)
		bad += w[i] != s + i * 0x9E3779B9u;
	return bad;
}

/* Page i of n pages starting at m. */
static uint32_t *page_at(uint32_t *m, uint32_t i)
{
	return m + (size_t)i * WORDS;
}

/* The page visited at step i of n in round r: forward, backward, stride. */
static uint32_t visit(uint32_t r, uint32_t i, uint32_t n, uint32_t salt)
{
	switch (r % 3) {
	case 0:
		return i;
	case 1:
		return n - 1 - i;
	default:
		return (uint32_t)(((uint64_t)i * 7919u + salt) % n);
	}
}

/* Anonymous private memory, or NULL. */
static uint32_t *anon(size_t bytes)
{
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

/*
 * A worker of the integrity test: n pages, generation 0 written forward,
 * then each round verifies the previous generation and writes the next,
 * in another order. Returns the exit status: 0 when nothing differed.
 */
static int worker(uint32_t n, uint32_t rounds)
{
	uint32_t tag = (uint32_t)getpid(), bad = 0;
	uint32_t *m = anon((size_t)n * PAGE);
	if (!m)
		return 2;
	for (uint32_t i = 0; i < n; i++)
		fill(page_at(m, i), tag, 0);
	for (uint32_t r = 1; r <= rounds; r++) {
		for (uint32_t i = 0; i < n; i++) {
			uint32_t *p = page_at(m, visit(r, i, n, tag));
			bad += verify(p, tag, r - 1);
			fill(p, tag, r);
		}
	}
	for (uint32_t i = 0; i < n; i++)
		bad += verify(page_at(m, i), tag, rounds);
	if (bad)
		printf("worker %u: %u words differ\n", tag, bad);
	munmap(m, (size_t)n * PAGE);
	return bad ? 1 : 0;
}

/* Starts a worker process; returns its PID. */
static pid_t spawn_worker(uint32_t pages, uint32_t rounds)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(worker(pages, rounds));
	return pid;
}

/* Touches bytes of fresh memory, pushing older pages out, and frees it. */
static void pressure(long bytes)
{
	uint32_t *m = anon((size_t)bytes);
	if (!m)
		return;
	for (long off = 0; off < bytes; off += PAGE)
		m[off / 4] = (uint32_t)off;
	munmap(m, (size_t)bytes);
}

/*
 * Runs `procs` workers over `factor` times the free memory, `rounds`
 * rounds each; returns how many did not exit 0.
 */
static int run_workers(const char *name, int procs, long factor, int rounds)
{
	long free_kb = meminfo("MemFree");
	uint32_t pages = (uint32_t)(free_kb * factor / 4 / procs);
	pid_t pids[16];
	int bad = 0;

	for (int i = 0; i < procs; i++)
		pids[i] = spawn_worker(pages, (uint32_t)rounds);
	for (int i = 0; i < procs; i++) {
		int st = wait_for(pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("%s: worker %d ended with %s\n", name,
			       (int)pids[i], how(st));
			bad++;
		}
	}
	return bad;
}

/* Several processes over 4x the free memory: every word must survive. */
static void scenario_integrity(void)
{
	struct snapshot base;
	snapshot(&base);
	long free_kb = base.memfree, swap_kb = meminfo("SwapFree");
	long need = free_kb * PRESSURE_FACTOR;
	if (!check(swap_kb > need - free_kb + free_kb / 4, "integrity setup",
		   "%ld kB free, %ld kB swap for %ld kB of working sets",
		   free_kb, swap_kb, need))
		return;
	long out0 = vmstat("pswpout"), in0 = vmstat("pswpin");
	long maj0 = vmstat("pgmajfault");
	int bad = run_workers("integrity", WORKERS, PRESSURE_FACTOR, ROUNDS);
	long out = vmstat("pswpout") - out0, in = vmstat("pswpin") - in0;
	check(bad == 0, "integrity", "%d processes x %ld kB, %d rounds: %s",
	      WORKERS, need / WORKERS, ROUNDS,
	      bad ? "mismatches or failures" : "every word verified");
	/* Each round pages every working set through swap at least once. */
	check(out >= need / 4 && in >= need / 4 &&
		      vmstat("pgmajfault") - maj0 >= need / 4,
	      "integrity swapped", "%ld pages out, %ld in, %ld major faults",
	      out, in, vmstat("pgmajfault") - maj0);
	check_baseline("integrity", &base);
}

/* Pipes for a parent and a child taking turns. */
struct turns {
	int to_child[2], to_parent[2];
};

static void turns_open(struct turns *t)
{
	if (pipe(t->to_child) || pipe(t->to_parent))
		exit(3);
}

static void turns_close(struct turns *t)
{
	close(t->to_child[0]);
	close(t->to_child[1]);
	close(t->to_parent[0]);
	close(t->to_parent[1]);
}

/* Passes the turn to the other side (a byte) and waits for it back. */
static void give(int fd)
{
	char c = 1;
	if (write(fd, &c, 1) != 1)
		exit(3);
}

static void take(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		exit(3);
}

/* Verifies pages [from, n) step 2 against (tag, gen); counts bad words. */
static uint32_t verify_range(uint32_t *m, uint32_t from, uint32_t n,
			     uint32_t step, uint32_t tag, uint32_t gen)
{
	uint32_t bad = 0;
	for (uint32_t i = from; i < n; i += step)
		bad += verify(page_at(m, i), tag, gen);
	return bad;
}

static void fill_range(uint32_t *m, uint32_t from, uint32_t n, uint32_t step,
		       uint32_t tag, uint32_t gen)
{
	for (uint32_t i = from; i < n; i += step)
		fill(page_at(m, i), tag, gen);
}

/*
 * Copy-on-write pages in swap: a private region filled before fork is
 * pushed out while shared (one slot, referenced by both), then the parent
 * rewrites the even pages and the child the odd ones. Each must see its
 * own writes and the original elsewhere.
 */
static void shared_cow(long ram_kb)
{
	uint32_t n = (uint32_t)(ram_kb / 4 / 8);
	uint32_t *m = anon((size_t)n * PAGE);
	struct turns t;
	if (!m)
		return (void)check(false, "cow", "no memory");
	fill_range(m, 0, n, 1, 7, 0);
	turns_open(&t);
	pid_t child = fork();
	if (child == 0) {
		take(t.to_child[0]);
		uint32_t bad = verify_range(m, 0, n, 1, 7, 0);
		fill_range(m, 1, n, 2, 7, 2);
		bad += verify_range(m, 0, n, 2, 7, 0);
		bad += verify_range(m, 1, n, 2, 7, 2);
		_exit(bad ? 1 : 0);
	}
	/*
	 * Pressure until both sides have pages in swap: a policy may keep
	 * recently used pages through one pass (aging samples on ticks).
	 */
	long swap_parent = 0, swap_child = 0;
	for (int tries = 0; tries < PRESSURE_TRIES; tries++) {
		pressure(ram_kb * 1024 * 3 / 2);
		swap_parent = status_kb(0, "VmSwap");
		swap_child = status_kb(child, "VmSwap");
		if (swap_parent > 0 && swap_child > 0)
			break;
	}
	long hits0 = vmstat("swapcache_hits");
	fill_range(m, 0, n, 2, 7, 1);
	uint32_t bad = verify_range(m, 1, n, 2, 7, 0);
	give(t.to_child[1]);
	int st = wait_for(child);
	bad += verify_range(m, 0, n, 2, 7, 1);
	bad += verify_range(m, 1, n, 2, 7, 0);
	long hits = vmstat("swapcache_hits") - hits0;
	check(swap_parent > 0 && swap_child > 0, "cow in swap",
	      "%u shared pages; VmSwap parent %ld kB, child %ld kB", n,
	      swap_parent, swap_child);
	check(bad == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "cow",
	      "parent %u bad words, child %s", bad, how(st));
	/* The child finds the odd pages the parent read back: no I/O. */
	check(hits > 0, "cow swap cache",
	      "%ld swap entries found in the "
	      "swap cache",
	      hits);
	munmap(m, (size_t)n * PAGE);
	turns_close(&t);
}

/*
 * Shared memory in swap: the parent fills it, it is pushed out, the child
 * reads it back (through both of two mappings for SysV) and rewrites it,
 * it is pushed out again, and the parent must read the child's data.
 */
static void shared_mem(long ram_kb, bool sysv)
{
	const char *name = sysv ? "sysv shm" : "MAP_SHARED";
	uint32_t n = (uint32_t)(ram_kb / 4 / 8);
	size_t bytes = (size_t)n * PAGE;
	uint32_t *m, *m2 = NULL;
	int id = -1;
	struct turns t;

	if (sysv) {
		id = shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0600);
		m = id < 0 ? NULL : shmat(id, NULL, 0);
		if (m == (void *)-1)
			m = NULL;
	} else {
		m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			m = NULL;
	}
	if (!m)
		return (void)check(false, name, "no shared memory");
	/* The patterns are keyed by offset, not address: two mappings. */
	for (uint32_t i = 0; i < n; i++)
		fill(page_at(m, i), 11, 0);
	turns_open(&t);
	pid_t child = fork();
	if (child == 0) {
		uint32_t bad = 0;
		take(t.to_child[0]);
		if (sysv) {
			m2 = shmat(id, NULL, 0);
			if (m2 == (void *)-1)
				_exit(4);
		}
		bad += verify_range(m, 0, n, 1, 11, 0);
		for (uint32_t i = 0; i < n; i++)
			fill(page_at(m, i), 11, 1);
		if (sysv) {
			/* The second mapping shows the same frames. */
			for (uint32_t i = 0; i < n; i++)
				bad += memcmp(page_at(m, i), page_at(m2, i),
					      PAGE) != 0;
		}
		_exit(bad ? 1 : 0);
	}
	long rss0 = status_kb(0, "VmRSS"), out0 = vmstat("pswpout");
	long rss1 = rss0;
	for (int tries = 0; tries < PRESSURE_TRIES && rss1 >= rss0; tries++) {
		pressure(ram_kb * 1024 * 3 / 2);
		rss1 = status_kb(0, "VmRSS");
	}
	long pushed = vmstat("pswpout") - out0;
	long maj0 = vmstat("pgmajfault");
	give(t.to_child[1]);
	int st = wait_for(child);
	long child_maj = vmstat("pgmajfault") - maj0;
	pressure(ram_kb * 1024 * 3 / 2);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < n; i++)
		bad += verify(page_at(m, i), 11, 1);
	check(rss1 < rss0 && pushed > 0 && child_maj > 0,
	      sysv ? "sysv shm in swap" : "MAP_SHARED in swap",
	      "%u pages: parent RSS %ld -> %ld kB, %ld pages out, child "
	      "%ld major faults",
	      n, rss0, rss1, pushed, child_maj);
	check(bad == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, name,
	      "parent %u bad words after the child's writes, child %s", bad,
	      how(st));
	if (sysv) {
		shmdt(m);
		shmctl(id, IPC_RMID, NULL);
	} else {
		munmap(m, bytes);
	}
	turns_close(&t);
}

/* Pages shared three ways, each pushed to swap and brought back. */
static void scenario_shared(void)
{
	struct snapshot base;
	snapshot(&base);
	shared_cow(base.memfree);
	shared_mem(base.memfree, false);
	shared_mem(base.memfree, true);
	check_baseline("shared", &base);
}

#define SEED_FILE "/proc/sys/vm/policy_seed"

/* The policy list as /proc/sys/vm/policy shows it, without the newline. */
static const char *policy_list(void)
{
	if (!slurp("/proc/sys/vm/policy"))
		return "";
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* /proc/sys/vm/policy_seed, without the newline ("?" if unreadable). */
static const char *seed_text(void)
{
	if (!slurp(SEED_FILE))
		return "?";
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/*
 * The random policy's seed: 0 at boot (the kernel's generator), a number
 * written reads back, anything else is refused and changes nothing; 0
 * again at the end.
 */
static void policy_seed(void)
{
	char was[16];
	strncpy(was, seed_text(), sizeof(was) - 1);
	was[sizeof(was) - 1] = '\0';
	int err = write_file(SEED_FILE, "7\n");
	check(!strcmp(was, "0") && err == 0 && !strcmp(seed_text(), "7"),
	      "policy seed", "at boot '%s', writing 7: %s, then '%s'", was,
	      err ? strerror(err) : "ok", seed_text());
	static const char *const bad[] = { "x7", "7x", " ", "4294967296",
					   "-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = write_file(SEED_FILE, bad[i]);
		check(err == EINVAL && !strcmp(seed_text(), "7"),
		      "policy seed refused", "writing '%s': %s, then '%s'",
		      bad[i], err ? strerror(err) : "accepted", seed_text());
	}
	err = write_file(SEED_FILE, "0");
	check(err == 0 && !strcmp(seed_text(), "0"), "policy seed off",
	      "writing 0: %s, then '%s'", err ? strerror(err) : "ok",
	      seed_text());
}

/* Switches to every policy in turn, with a workload under each. */
static void scenario_policy(void)
{
	static const char *const names[] = { "fifo", "aging", "random",
					     "clockpro", "clock" };
	struct snapshot base;
	char list[128], want[32], key[64];

	snapshot(&base);
	strncpy(list, policy_list(), sizeof(list) - 1);
	list[sizeof(list) - 1] = '\0';
	check(strstr(list, "[") && strstr(list, "fifo") &&
		      strstr(list, "clock") && strstr(list, "aging") &&
		      strstr(list, "random") && strstr(list, "clockpro"),
	      "policy list", "'%s'", list);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int err = write_file("/proc/sys/vm/policy", names[i]);
		snprintf(want, sizeof(want), "[%s]", names[i]);
		strncpy(list, policy_list(), sizeof(list) - 1);
		list[sizeof(list) - 1] = '\0';
		snprintf(key, sizeof(key), "policy_%s_chosen", names[i]);
		long chosen0 = vmstat(key);
		int bad = run_workers(names[i], 2, 2, 1);
		long chosen = vmstat(key) - chosen0;
		/* The tracked pages moved: no other policy holds any. */
		long elsewhere = 0;
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			snprintf(key, sizeof(key), "policy_%s_tracked",
				 names[j]);
			if (j != i)
				elsewhere += vmstat(key);
		}
		char what[32];
		snprintf(what, sizeof(what), "policy %s", names[i]);
		check(err == 0 && strstr(list, want) && bad == 0 &&
			      chosen > 0 && elsewhere == 0,
		      what,
		      "write %s, list '%s', %ld victims chosen, %ld "
		      "pages tracked by the others, workers %s",
		      err ? strerror(err) : "ok", list, chosen, elsewhere,
		      bad ? "failed" : "verified");
	}
	int err = write_file("/proc/sys/vm/policy", "belady");
	check(err == EINVAL && strstr(policy_list(), "[clock]"),
	      "policy unknown", "writing 'belady': %s", strerror(err));
	policy_seed();
	check_baseline("policy", &base);
}

/*
 * Local replacement: a process limited to RSS_LIMIT_KB by RLIMIT_RSS
 * works over four times that; it must evict its own pages (the machine is
 * not short of memory) and keep its data. It runs as a fresh program
 * (swaptest --rss-child), so that none of its pages is shared with this
 * locked one.
 */
#define RSS_LIMIT_KB 1024

/* The limited process: prints its peak VmRSS, exits 0 if data survived. */
static int rss_child(void)
{
	struct rlimit rl = { RSS_LIMIT_KB * 1024, RSS_LIMIT_KB * 1024 };
	long peak = 0;
	uint32_t n = RSS_LIMIT_KB * 4 / 4, bad = 0;

	if (setrlimit(RLIMIT_RSS, &rl))
		return 4;
	uint32_t *m = anon((size_t)n * PAGE);
	if (!m)
		return 5;
	for (uint32_t r = 0; r < 3; r++) {
		for (uint32_t i = 0; i < n; i++) {
			uint32_t *p = page_at(m, visit(r, i, n, 1));
			if (r)
				bad += verify(p, 5, r - 1);
			fill(p, 5, r);
		}
		long rss = status_kb(0, "VmRSS");
		peak = rss > peak ? rss : peak;
	}
	bad += verify_range(m, 0, n, 1, 5, 2);
	printf("rss-child: peak VmRSS %ld kB, %u bad words\n", peak, bad);
	return bad || peak > RSS_LIMIT_KB + 64 ? 1 : 0;
}

static void scenario_rsslimit(void)
{
	struct snapshot base;
	snapshot(&base);
	long local0 = vmstat("pgsteal_local");
	pid_t child = fork();
	if (child == 0) {
		char *args[] = { (char *)argv0, "--rss-child", NULL };
		execv(argv0, args);
		_exit(127);
	}
	int st = wait_for(child);
	long local = vmstat("pgsteal_local") - local0;
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && local > 0, "rsslimit",
	      "limit %d kB over %d kB of work: %ld pages evicted locally, "
	      "child %s",
	      RSS_LIMIT_KB, RSS_LIMIT_KB * 4, local, how(st));
	check_baseline("rsslimit", &base);
}

/* A child holding `kb` of verified memory until told to check it. */
static pid_t spawn_holder(long kb, struct turns *t, bool lock)
{
	pid_t pid = fork();
	if (pid == 0) {
		uint32_t n = (uint32_t)(kb / 4);
		uint32_t *m = anon((size_t)n * PAGE);
		if (!m || (lock && mlock(m, (size_t)n * PAGE)))
			_exit(5);
		fill_range(m, 0, n, 1, 3, 0);
		give(t->to_parent[1]);
		take(t->to_child[0]);
		_exit(verify_range(m, 0, n, 1, 3, 0) ? 1 : 0);
	}
	return pid;
}

/* A child that keeps taking memory until it is killed, as user uid
 * (-1: as the caller). */
static pid_t spawn_hog_as(long max_kb, int uid)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (uid >= 0 && (setgid((gid_t)uid) || setuid((uid_t)uid)))
			_exit(7);
		for (long kb = 0; kb < max_kb; kb += 1024) {
			uint32_t *m = anon(1024 * 1024);
			if (!m)
				_exit(6);
			fill_range(m, 0, 256, 1, 9, 0);
		}
		_exit(0);
	}
	return pid;
}

static pid_t spawn_hog(long max_kb)
{
	return spawn_hog_as(max_kb, -1);
}

/*
 * Out of memory, three times: first the process that runs out is the largest
 * and dies; then a process that runs out is smaller than one that sleeps,
 * which dies instead. A small bystander must survive both, and exactly
 * one process must die each time. Last, an unprivileged user (uid 1000)
 * takes all the memory beside root's bystander: the user's process is
 * the victim, and the kernel's line names uid 1000 (tests/run.py).
 */
static void scenario_oom(void)
{
	struct snapshot base;
	struct turns t;
	snapshot(&base);
	long total_kb = base.memfree + meminfo("SwapFree");

	turns_open(&t);
	long kills0 = vmstat("oom_kill");
	pid_t small = spawn_holder(total_kb / 32, &t, false);
	take(t.to_parent[0]);
	pid_t hog = spawn_hog(total_kb * 2);
	int hog_st = wait_for(hog);
	give(t.to_child[1]);
	int small_st = wait_for(small);
	check(WIFSIGNALED(hog_st) && WTERMSIG(hog_st) == SIGKILL &&
		      WIFEXITED(small_st) && WEXITSTATUS(small_st) == 0 &&
		      vmstat("oom_kill") - kills0 == 1,
	      "oom self", "hog %s, bystander %s, %ld kills", how(hog_st),
	      how(small_st), vmstat("oom_kill") - kills0);
	turns_close(&t);
	check_baseline("oom self", &base);

	turns_open(&t);
	kills0 = vmstat("oom_kill");
	pid_t big = spawn_holder(total_kb * 6 / 10, &t, false);
	take(t.to_parent[0]);
	pid_t grower = fork();
	if (grower == 0) {
		uint32_t n = (uint32_t)(total_kb * 6 / 10 / 4);
		uint32_t *m = anon((size_t)n * PAGE);
		if (!m)
			_exit(5);
		fill_range(m, 0, n, 1, 4, 0);
		_exit(verify_range(m, 0, n, 1, 4, 0) ? 1 : 0);
	}
	int grower_st = wait_for(grower);
	give(t.to_child[1]);
	int big_st = wait_for(big);
	check(WIFSIGNALED(big_st) && WTERMSIG(big_st) == SIGKILL &&
		      WIFEXITED(grower_st) && WEXITSTATUS(grower_st) == 0 &&
		      vmstat("oom_kill") - kills0 == 1,
	      "oom other",
	      "sleeping larger process %s, growing one %s, "
	      "%ld kills",
	      how(big_st), how(grower_st), vmstat("oom_kill") - kills0);
	turns_close(&t);
	check_baseline("oom other", &base);

	turns_open(&t);
	kills0 = vmstat("oom_kill");
	small = spawn_holder(total_kb / 32, &t, false);
	take(t.to_parent[0]);
	hog = spawn_hog_as(total_kb * 2, 1000);
	hog_st = wait_for(hog);
	give(t.to_child[1]);
	small_st = wait_for(small);
	check(WIFSIGNALED(hog_st) && WTERMSIG(hog_st) == SIGKILL &&
		      WIFEXITED(small_st) && WEXITSTATUS(small_st) == 0 &&
		      vmstat("oom_kill") - kills0 == 1,
	      "oom user", "user 1000's hog %s, root's bystander %s, %ld kills",
	      how(hog_st), how(small_st), vmstat("oom_kill") - kills0);
	turns_close(&t);
	check_baseline("oom user", &base);
}

/*
 * The kernel stacks of thousands of processes reach parts of the kernel's
 * mapping area (0xF0000000-0xFF800000, docs/architecture.md) that had no
 * page table yet. The kernel keeps such page tables: PageTables may grow
 * by at most one table per 4 MiB of that area after the storm.
 */
#define KSTACK_AREA_PT_KB (248 / 4 * 4)
/* How many children the OOM storm has at once, at most. */
#define STORM_FORKS_MAX 5000
static int storm_forks = 1000; /* swaptest oomstorm N sets it */
/* Their memory together, as a multiple of free memory and swap. */
#define STORM_FACTOR 2
/*
 * Page faults a storm child may take beyond one per page of its share:
 * its stack and data copied on write, and a retry or two of a fault that
 * found no memory. A process that retried in a loop while a victim
 * exited would count each retry.
 */
#define STORM_FAULT_SLACK 16

/*
 * A child of the storm: waits for the start (the end of the go pipe),
 * takes its share of pages and holds them until released. (Its copy of
 * the judge's locked pages is not locked: locks are not inherited.)
 */
static void storm_child(int go[2], int ready[2], int release[2],
			const volatile uint32_t *share)
{
	char c;
	close(go[1]);
	close(ready[0]);
	close(release[1]);
	if (read(go[0], &c, 1) != 0)
		_exit(5);
	close(go[0]);
	uint32_t pages = *share;
	uint32_t *m = anon((size_t)pages * PAGE);
	if (!m)
		_exit(6);
	for (uint32_t i = 0; i < pages; i++)
		m[(size_t)i * WORDS] = i;
	if (write(ready[1], &c, 1) != 1)
		_exit(7);
	close(ready[1]);
	_exit(read(release[0], &c, 1) == 0 ? 0 : 8);
}

/*
 * Thousands of processes out of memory at once (boot without swap, so
 * that nothing but the killer can help). Children are forked until fork
 * fails for lack of memory; already while they are made, their first
 * writes (copies on write of the stack) find no memory. Then they all
 * take their share of twice the free memory at the same moment and hold
 * it. The killer must end enough of them, one at a time, for the rest to
 * hold their memory; every child must end either by SIGKILL from the
 * killer or normally. And the killer must do it without a storm of
 * retries: a process that runs out while a victim is exiting waits for
 * the victim's memory instead of retrying its fault, so each child takes
 * few faults more than its share of pages.
 */
static void scenario_oomstorm(void)
{
	struct snapshot base;
	int go[2], ready[2], release[2];
	static pid_t pids[STORM_FORKS_MAX];
	snapshot(&base);
	long total_kb = base.memfree + meminfo("SwapFree");
	long kills0 = vmstat("oom_kill"), faults0 = vmstat("pgfault");
	int n = 0, fork_err = 0;

	/* Each child's share, known once they all exist. */
	volatile uint32_t *share = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (share == MAP_FAILED || pipe(go) || pipe(ready) || pipe(release))
		exit(3);
	for (; n < storm_forks; n++) {
		pids[n] = fork();
		if (pids[n] < 0) {
			fork_err = errno;
			break;
		}
		if (pids[n] == 0)
			storm_child(go, ready, release, share);
	}
	close(go[0]);
	close(ready[1]);
	close(release[0]);
	/* Go: every child wakes at once and faults its share in. */
	uint32_t pages = n ? (uint32_t)(total_kb * STORM_FACTOR / 4 / n) : 0;
	*share = pages;
	close(go[1]);
	/* Each child writes a byte once it holds its pages, or dies. */
	long holding = 0;
	char buf[256];
	for (ssize_t r; (r = read(ready[0], buf, sizeof(buf))) != 0;) {
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			holding += r;
	}
	close(ready[0]);
	close(release[1]);
	int killed = 0, exited = 0, other = 0;
	for (int i = 0; i < n; i++) {
		int st = wait_for(pids[i]);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			exited++;
		else
			other++;
	}
	munmap((void *)share, PAGE);
	long kills = vmstat("oom_kill") - kills0;
	long faults = vmstat("pgfault") - faults0;
	check(n >= 200 && killed > 0 && other == 0 && kills == killed &&
		      exited <= holding,
	      "oom storm",
	      "%d children (%s) of %u kB each: %d killed, %d held their "
	      "memory to the end (%ld at some time), %d other; %ld kills",
	      n, fork_err ? strerror(fork_err) : "all made", pages * 4, killed,
	      exited, holding, other, kills);
	check(faults <= (long)n * (long)(pages + STORM_FAULT_SLACK),
	      "oom storm retries",
	      "%ld page faults, at most %u per child allowed: %ld", faults,
	      pages + STORM_FAULT_SLACK, n ? faults / n : 0);
	check_baseline_pt("oom storm", &base, KSTACK_AREA_PT_KB);
}

/* Every Nth write fails: evictions pick other pages, data survives. */
static void scenario_inject_write(void)
{
	struct snapshot base;
	snapshot(&base);
	long err0 = vmstat("swap_write_errors");
	int bad = run_workers("inject-write", 2, 3, 2);
	long errs = vmstat("swap_write_errors") - err0;
	check(bad == 0 && errs > 0, "inject-write",
	      "%ld failed writes, workers %s", errs,
	      bad ? "failed" : "verified every word");
	check_baseline("inject-write", &base);
}

/*
 * A read fails: the process reading dies with SIGBUS; a locked bystander
 * (never in swap, so never read) lives on.
 */
static void scenario_inject_read(void)
{
	struct snapshot base;
	struct turns t;
	snapshot(&base);
	long err0 = vmstat("swap_read_errors");
	turns_open(&t);
	pid_t small = spawn_holder(256, &t, true);
	take(t.to_parent[0]);
	long free_kb = meminfo("MemFree");
	pid_t w = spawn_worker((uint32_t)(free_kb * 3 / 4), 2);
	int w_st = wait_for(w);
	give(t.to_child[1]);
	int small_st = wait_for(small);
	long errs = vmstat("swap_read_errors") - err0;
	check(WIFSIGNALED(w_st) && WTERMSIG(w_st) == SIGBUS &&
		      WIFEXITED(small_st) && WEXITSTATUS(small_st) == 0 &&
		      errs >= 1,
	      "inject-read", "reader %s, bystander %s, %ld failed reads",
	      how(w_st), how(small_st), errs);
	turns_close(&t);
	check_baseline("inject-read", &base);
}

/*
 * Has as many processes exist at once as the scenarios will, so that the
 * kernel's heap has grown to hold them before the first baseline (a slab
 * emptied later may stay where the heap cannot give it back: a cost of
 * the first use, not a leak; leakcheck warms up the same way).
 */
static void warm_up(void)
{
	int fds[2];
	pid_t pids[WORKERS + 2];
	if (pipe(fds))
		exit(3);
	for (int i = 0; i < WORKERS + 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c;
			close(fds[1]);
			_exit(read(fds[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < WORKERS + 2; i++)
		wait_for(pids[i]);
}

/* The swap device, as /proc/swaps names it. */
#define RAM0 "/dev/ram0"

/* The priority /proc/swaps gives the area, or -1000 if it is not listed. */
static int swaps_priority(void)
{
	char name[64], type[32];
	long size, used;
	int prio;
	if (!slurp("/proc/swaps"))
		return -1000;
	char *line = strchr(text, '\n');
	if (!line ||
	    sscanf(line + 1, "%63s %31s %ld %ld %d", name, type, &size, &used,
		   &prio) != 5 ||
	    strcmp(name, RAM0) || strcmp(type, "partition"))
		return -1000;
	return prio;
}

/* errno of a call that returned r (0 if it did not fail). */
static int err_of(int r)
{
	return r < 0 ? errno : 0;
}

/* Memory of every kind that can be in swap, n pages each. */
struct holdings {
	uint32_t n;
	uint32_t *priv;	  /* private; copy-on-write with a second process */
	uint32_t *shared; /* MAP_SHARED | MAP_ANONYMOUS */
	uint32_t *sysv;	  /* a SysV shm segment */
};

/*
 * One side of the copy-on-write pair after swapoff: verifies everything,
 * then writes its own half of the private pages (even for the first
 * side, odd for the second) and checks that the other half is untouched.
 */
static uint32_t check_holdings(struct holdings *h, bool second)
{
	uint32_t bad = verify_range(h->priv, 0, h->n, 1, 11, 0);
	bad += verify_range(h->shared, 0, h->n, 1, 12, 0);
	bad += verify_range(h->sysv, 0, h->n, 1, 13, 0);
	fill_range(h->priv, second ? 1 : 0, h->n, 2, 11, 1);
	bad += verify_range(h->priv, second ? 1 : 0, h->n, 2, 11, 1);
	bad += verify_range(h->priv, second ? 0 : 1, h->n, 2, 11, 0);
	return bad;
}

/*
 * Swap filled with every kind of page, swapoff, every byte checked; then
 * swapon again. The holder and its child keep their memory across the
 * swapoff and verify it afterwards.
 */
/* tmpfs files (scenario_tmpfs below): one kind swapoff brings back. */
static uint32_t verify_file(int f, uint32_t n, uint32_t gen);
static bool write_file_pages(int f, uint32_t n, uint32_t gen);

static void swapoff_all_kinds(long ram_kb)
{
	struct holdings h = { .n = (uint32_t)(ram_kb / 4 / 8) };
	size_t bytes = (size_t)h.n * PAGE;
	int id = shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0600);
	struct turns t;
	h.priv = anon(bytes);
	h.shared = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	h.sysv = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
	if (!h.priv || h.shared == MAP_FAILED || h.sysv == (void *)-1) {
		check(false, "swapoff setup", "no memory");
		return;
	}
	fill_range(h.priv, 0, h.n, 1, 11, 0);
	fill_range(h.shared, 0, h.n, 1, 12, 0);
	fill_range(h.sysv, 0, h.n, 1, 13, 0);
	/* A tmpfs file nobody maps: only its page cache holds it. */
	if (!write_file_pages(1, h.n, 0))
		check(false, "swapoff setup", "cannot write a file in /tmp");
	turns_open(&t);
	pid_t child = fork();
	if (child == 0) {
		take(t.to_child[0]);
		_exit(check_holdings(&h, true) ? 1 : 0);
	}
	/* Push it all out: both processes must have pages in swap. */
	long swapped = 0;
	for (int tries = 0; tries < PRESSURE_TRIES && swapped < (long)h.n * 4;
	     tries++) {
		pressure(ram_kb * 1024 * 3 / 2);
		swapped = meminfo("SwapTotal") - meminfo("SwapFree");
	}
	long child_swap = status_kb(child, "VmSwap");
	long file_out = vmstat("nr_shmem_swapped");
	check(swapped >= (long)h.n * 4 && child_swap > 0 && file_out > 0,
	      "swapoff filled",
	      "%ld kB in swap, %ld kB of it the child's, %ld shm and tmpfs "
	      "pages",
	      swapped, child_swap, file_out);

	long in0 = vmstat("pswpin");
	int r = swapoff(RAM0);
	check(r == 0, "swapoff", "swapoff(%s): %s; %ld pages read back", RAM0,
	      r ? strerror(errno) : "0", vmstat("pswpin") - in0);
	check(meminfo("SwapTotal") == 0 && swaps_priority() == -1000 &&
		      status_kb(child, "VmSwap") == 0 &&
		      status_kb(0, "VmSwap") == 0,
	      "swapoff state",
	      "SwapTotal %ld kB, /proc/swaps without the area, VmSwap 0",
	      meminfo("SwapTotal"));
	check(err_of(swapoff(RAM0)) == EINVAL, "swapoff twice", "EINVAL");

	/* Every byte, then writes on both sides of the copy-on-write pair. */
	uint32_t bad = check_holdings(&h, false);
	long file_swapped = vmstat("nr_shmem_swapped");
	bad += verify_file(1, h.n, 0);
	give(t.to_child[1]);
	int st = wait_for(child);
	bad += verify_range(h.priv, 0, h.n, 2, 11, 1);
	check(bad == 0 && file_swapped == 0 && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0,
	      "swapoff intact",
	      "%u pages of each kind (a tmpfs file too): %u bad words, %ld "
	      "file pages left in swap; child %s",
	      h.n, bad, file_swapped, how(st));
	unlink("/tmp/swaptest1");

	/* The header is still on the disk: swapon again, with a priority. */
	r = swapon(RAM0, SWAP_FLAG_PREFER | 5);
	int prio = swaps_priority();
	check(r == 0 && prio == 5, "swapon prio",
	      "swapon(%s, PREFER|5): priority %d", RAM0, prio);
	check(err_of(swapon(RAM0, 0)) == EBUSY, "swapon busy", "EBUSY");
	check(err_of(open(RAM0, O_RDWR)) == EBUSY, "ram0 busy",
	      "opening the active swap device for writing: EBUSY");
	r = swapoff(RAM0) == 0 ? swapon(RAM0, 0) : -1;
	prio = swaps_priority();
	check(r == 0 && prio == -2, "swapon default",
	      "priority %d (Linux's first default, -2)", prio);
	munmap(h.priv, bytes);
	munmap(h.shared, bytes);
	shmdt(h.sysv);
	shmctl(id, IPC_RMID, NULL);
	turns_close(&t);
}

/* A blank device is refused; with its header back it is accepted. */
static void swapon_blank(void)
{
	static char header[PAGE], zeros[PAGE];
	if (!check(swapoff(RAM0) == 0, "blank swapoff", "swap off"))
		return;
	int fd = open(RAM0, O_RDWR);
	bool io = fd >= 0 && read(fd, header, PAGE) == PAGE &&
		  lseek(fd, 0, SEEK_SET) == 0 && write(fd, zeros, PAGE) == PAGE;
	check(io && !memcmp(header + PAGE - 10, "SWAPSPACE2", 10), "ram0 io",
	      "read the header, wrote a blank page");
	uint64_t bytes = 0;
	unsigned long sectors = 0;
	off_t end = lseek(fd, 0, SEEK_END);
	bool sized = ioctl(fd, BLKGETSIZE64, &bytes) == 0 &&
		     ioctl(fd, BLKGETSIZE, &sectors) == 0;
	check(sized && (uint64_t)end == bytes && sectors * 512ull == bytes &&
		      bytes > 0,
	      "ram0 size", "%llu bytes (ioctl and lseek agree)",
	      (unsigned long long)bytes);
	check(err_of(swapon(RAM0, 0)) == EINVAL, "swapon blank", "EINVAL");
	bool back = lseek(fd, 0, SEEK_SET) == 0 &&
		    write(fd, header, PAGE) == PAGE;
	close(fd);
	check(back && swapon(RAM0, 0) == 0, "swapon restored",
	      "header written back, swapon works");
}

/* More in swap than memory can hold: ENOMEM, and nothing lost. */
static void swapoff_enomem(long ram_kb)
{
	uint32_t n = (uint32_t)(ram_kb / 4 * 3 / 2);
	struct turns t;
	turns_open(&t);
	pid_t child = fork();
	if (child == 0) {
		uint32_t *m = anon((size_t)n * PAGE);
		if (!m)
			_exit(2);
		fill_range(m, 0, n, 1, 14, 0);
		give(t.to_parent[1]);
		take(t.to_child[0]);
		_exit(verify_range(m, 0, n, 1, 14, 0) ? 1 : 0);
	}
	take(t.to_parent[0]);
	int r = swapoff(RAM0);
	check(r < 0 && errno == ENOMEM && meminfo("SwapTotal") > 0,
	      "swapoff enomem", "%u kB in use with %ld kB of RAM: %s", n * 4,
	      ram_kb, r ? strerror(errno) : "succeeded");
	give(t.to_child[1]);
	int st = wait_for(child);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "swapoff enomem intact",
	      "child %s", how(st));
	turns_close(&t);
}

/* The calls' errors, as Linux's. */
static void swap_errors(void)
{
	check(err_of(swapon("/nonexistent", 0)) == ENOENT &&
		      err_of(swapon("/dev/null", 0)) == EINVAL &&
		      err_of(swapon(argv0, 0)) == EINVAL &&
		      err_of(swapon(RAM0, 0x100000)) == EINVAL &&
		      err_of(swapoff("/dev/null")) == EINVAL &&
		      err_of(swapoff("/nonexistent")) == ENOENT,
	      "swap errors", "ENOENT, EINVAL as Linux");
}

/* The used kB and priority /proc/swaps gives dev; false if not listed. */
static bool swaps_line(const char *dev, long *used, int *prio)
{
	char name[64], type[32];
	long size;
	if (!slurp("/proc/swaps"))
		return false;
	for (char *line = strchr(text, '\n'); line && line[1];
	     line = strchr(line + 1, '\n')) {
		if (sscanf(line + 1, "%63s %31s %ld %ld %d", name, type, &size,
			   used, prio) == 5 &&
		    !strcmp(name, dev))
			return true;
	}
	return false;
}

/*
 * Writes a version 1 swap header on dev, as mkswap does (Linux
 * include/linux/swap.h: version at byte 1024, last_page at 1028, the
 * signature in the page's last 10 bytes). Returns its pages, or 0.
 */
static long write_swap_header(const char *dev)
{
	static char page[PAGE];
	uint64_t bytes = 0;
	int fd = open(dev, O_RDWR);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	memset(page, 0, sizeof(page));
	uint32_t version = 1, last = (uint32_t)(bytes / PAGE - 1);
	memcpy(page + 1024, &version, 4);
	memcpy(page + 1028, &last, 4);
	memcpy(page + PAGE - 10, "SWAPSPACE2", 10);
	bool ok = write(fd, page, PAGE) == PAGE;
	close(fd);
	return ok ? (long)(bytes / PAGE) : 0;
}

/*
 * Two more areas of equal priority above the boot's: used in turn, the
 * boot's left alone; swapoff of one of them under pressure.
 */
static void scenario_areas(void)
{
	static const char *const disks[2] = { "/dev/ram1", "/dev/ram2" };
	struct snapshot base;
	snapshot(&base);
	long pages[2];
	for (int i = 0; i < 2; i++)
		pages[i] = write_swap_header(disks[i]);
	if (!check(pages[0] > 1 && pages[1] > 1, "areas disks",
		   "headers on %s (%ld pages) and %s (%ld pages)", disks[0],
		   pages[0], disks[1], pages[1]))
		return;
	for (int i = 0; i < 2; i++)
		check(swapon(disks[i], SWAP_FLAG_PREFER | 10) == 0, "areas swapon",
		      "%s with priority 10: %s", disks[i], strerror(errno));
	check(err_of(swapon(disks[0], SWAP_FLAG_PREFER | 3)) == EBUSY,
	      "areas swapon twice", "EBUSY");
	long used[3];
	int prio[3];
	bool listed = swaps_line(RAM0, &used[0], &prio[0]) &&
		      swaps_line(disks[0], &used[1], &prio[1]) &&
		      swaps_line(disks[1], &used[2], &prio[2]);
	check(listed && prio[0] == -2 && prio[1] == 10 && prio[2] == 10,
	      "areas listed", "/proc/swaps: ram0 %d, ram1 %d, ram2 %d",
	      prio[0], prio[1], prio[2]);

	/* A child holds 3/2 of the RAM: about half of it goes out. */
	uint32_t n = (uint32_t)(base.memfree / 4 * 3 / 2);
	struct turns t;
	turns_open(&t);
	pid_t child = fork();
	if (child == 0) {
		uint32_t *m = anon((size_t)n * PAGE);
		if (!m)
			_exit(2);
		fill_range(m, 0, n, 1, 21, 0);
		give(t.to_parent[1]);
		take(t.to_child[0]);
		_exit(verify_range(m, 0, n, 1, 21, 0) ? 1 : 0);
	}
	take(t.to_parent[0]);
	listed = swaps_line(RAM0, &used[0], &prio[0]) &&
		 swaps_line(disks[0], &used[1], &prio[1]) &&
		 swaps_line(disks[1], &used[2], &prio[2]);
	long lo = used[1] < used[2] ? used[1] : used[2];
	long hi = used[1] < used[2] ? used[2] : used[1];
	check(listed && used[0] == 0 && lo > 0 && hi - lo <= hi / 4 + 8,
	      "areas in turn", "used kB: ram0 %ld, ram1 %ld, ram2 %ld",
	      used[0], used[1], used[2]);
	/* swapoff ram1 while the child holds its pages. */
	int r = swapoff(disks[0]);
	check(r == 0 && !swaps_line(disks[0], &used[1], &prio[1]) &&
		      swaps_line(disks[1], &used[2], &prio[2]) && prio[2] == 10,
	      "areas swapoff one", "%s off (%s); ram2 still on, priority %d",
	      disks[0], r ? strerror(errno) : "ok", prio[2]);
	give(t.to_child[1]);
	int st = wait_for(child);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "areas intact",
	      "child %s", how(st));
	turns_close(&t);
	check(swapoff(disks[1]) == 0 && swaps_line(RAM0, &used[0], &prio[0]) &&
		      !swaps_line(disks[1], &used[2], &prio[2]),
	      "areas swapoff two", "%s off, ram0 stays", disks[1]);
	check_baseline("areas", &base);
}

static void scenario_swapoff(void)
{
	struct snapshot base;
	snapshot(&base);
	int prio = swaps_priority();
	check(prio == -2, "swaps", "/proc/swaps: %s, priority %d", RAM0, prio);
	swap_errors();
	swapoff_all_kinds(base.memfree);
	swapon_blank();
	swapoff_enomem(base.memfree);
	check_baseline("swapoff", &base);
}

/*
 * Whole-process swapping (/proc/PID/swapout, docs/process-swapping.md).
 * A child fills its own pages and shares the parent's copy-on-write,
 * then sleeps in sigsuspend; the parent swaps it out, checks it is out
 * completely (VmRSS 0, VmPTE 0, VmSwap all of it, RSS 0 in /proc/PID/stat)
 * while its own copies of the shared pages stay intact, then wakes it
 * with a signal: the handler runs after the swap-in, and the child
 * verifies every word before it exits; waitpid sees it alive while out,
 * then its exit. In the mode given (prefetch or demand).
 */
static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

/* The state letter of pid's status ("S", "T", ...), or '?'. */
static char state_of(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!slurp(path))
		return '?';
	char *p = strstr(text, "State:");
	return p ? p[7] : '?';
}

/* Waits up to 2 s for pid to sleep or stop. */
static bool wait_asleep(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		char c = state_of(pid);
		if (c == 'S' || c == 'T')
			return true;
		usleep(10000);
	}
	return false;
}

/* Field 24 of /proc/PID/stat (rss, in pages), or -1. */
static long stat_rss(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!slurp(path))
		return -1;
	char *p = strrchr(text, ')');
	for (int f = 2; p && f < 24; f++)
		p = strchr(p + 1, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* Swaps pid out through /proc; returns 0 or the errno. */
static int swap_out_pid(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/swapout", (int)pid);
	return write_file(path, "1\n");
}

/* The child of whole_one: fills n pages, sleeps, verifies when woken. */
static int whole_child(uint32_t n, const uint32_t *cow, uint32_t ncow,
		       int ready)
{
	uint32_t tag = (uint32_t)getpid(), bad = 0;
	sigset_t block, old;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	uint32_t *m = anon((size_t)n * PAGE);
	if (!m)
		return 2;
	for (uint32_t i = 0; i < n; i++)
		fill(page_at(m, i), tag, 0);
	give(ready);
	while (!usr1_seen)
		sigsuspend(&old);
	for (uint32_t i = 0; i < n; i++)
		bad += verify(page_at(m, i), tag, 0);
	bad += verify_range((uint32_t *)cow, 0, ncow, 1, 9, 0);
	/* Written again: the pages are the child's own and writable. */
	fill_range(m, 0, n, 1, tag, 1);
	bad += verify_range(m, 0, n, 1, tag, 1);
	if (bad)
		printf("wholeswap child: %u words differ\n", bad);
	return bad ? 1 : 0;
}

static void whole_one(long ram_kb, const char *mode)
{
	char name[48];
	uint32_t n = (uint32_t)(ram_kb / 4 / 4), ncow = n / 4;
	struct turns t;
	snprintf(name, sizeof(name), "wholeswap %s", mode);
	if (write_file("/proc/sys/vm/swapin_mode", mode))
		return (void)check(false, name, "cannot set swapin_mode");
	uint32_t *cow = anon((size_t)ncow * PAGE);
	if (!cow)
		return (void)check(false, name, "no memory");
	fill_range(cow, 0, ncow, 1, 9, 0);
	turns_open(&t);
	pid_t child = fork();
	if (child == 0)
		_exit(whole_child(n, cow, ncow, t.to_parent[1]));
	take(t.to_parent[0]);
	bool asleep = wait_asleep(child);
	long rss0 = status_kb(child, "VmRSS");
	long in0 = vmstat("swapin_process"), pre0 =
		vmstat("swapin_process_pages_prefetched");
	long dem0 = vmstat("swapin_process_pages_on_demand");
	long maj0 = vmstat("pgmajfault");
	int err = swap_out_pid(child);
	long rss = status_kb(child, "VmRSS"), pte = status_kb(child, "VmPTE");
	long swp = status_kb(child, "VmSwap");
	bool out = strstr(text, "SwappedOut:\tyes") != NULL;
	long srss = stat_rss(child);
	check(asleep && err == 0 && out && rss == 0 && pte == 0 && srss == 0 &&
		      swp >= (long)(n + ncow) * 4,
	      name, "asleep %d, swapout %s: VmRSS %ld -> %ld kB, VmPTE %ld kB, "
	      "VmSwap %ld kB, stat rss %ld", asleep, strerror(err), rss0, rss,
	      pte, swp, srss);
	check(swap_out_pid(child) == EALREADY, "wholeswap again",
	      "a second request: EALREADY");
	/* The parent's copies of the shared pages stay and are intact. */
	uint32_t bad = verify_range(cow, 0, ncow, 1, 9, 0);
	int st = -1;
	pid_t w = waitpid(child, &st, WNOHANG);
	check(bad == 0 && w == 0, "wholeswap cow parent",
	      "%u shared pages intact in the parent; waitpid WNOHANG %d while "
	      "the child is out", ncow, (int)w);
	kill(child, SIGUSR1);
	st = wait_for(child);
	long in = vmstat("swapin_process") - in0;
	long pre = vmstat("swapin_process_pages_prefetched") - pre0;
	long dem = vmstat("swapin_process_pages_on_demand") - dem0;
	long maj = vmstat("pgmajfault") - maj0;
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && in == 1, name,
	      "woken by SIGUSR1, handler ran, every word verified: %s; "
	      "%ld swap-in", how(st), in);
	bool mode_ok = !strcmp(mode, "prefetch") ? pre >= (long)n
						 : dem >= (long)n && pre == 0;
	check(mode_ok && maj >= (long)n, "wholeswap mode",
	      "%s: %ld pages prefetched, %ld left to faults, %ld major "
	      "faults", mode, pre, dem, maj);
	munmap(cow, (size_t)ncow * PAGE);
	turns_close(&t);
}

/* A stopped process swapped out, continued, then killed while out. */
static void whole_stop_kill(long ram_kb)
{
	uint32_t n = (uint32_t)(ram_kb / 4 / 8);
	struct turns t;
	turns_open(&t);
	pid_t child = fork();
	if (child == 0) {
		uint32_t *m = anon((size_t)n * PAGE);
		if (!m)
			_exit(2);
		fill_range(m, 0, n, 1, 5, 0);
		give(t.to_parent[1]);
		for (;;) {
			take(t.to_child[0]);
			give(t.to_parent[1]);
			if (verify_range(m, 0, n, 1, 5, 0))
				_exit(1);
		}
	}
	take(t.to_parent[0]);
	kill(child, SIGSTOP);
	bool stopped = false;
	for (int i = 0; i < 200 && !stopped; i++) {
		stopped = state_of(child) == 'T';
		if (!stopped)
			usleep(10000);
	}
	int err = swap_out_pid(child);
	long rss = status_kb(child, "VmRSS");
	check(stopped && err == 0 && rss == 0, "wholeswap stopped",
	      "stopped %d, swapout %s, VmRSS %ld kB", stopped, strerror(err),
	      rss);
	/* SIGCONT brings it back; it answers and verifies its pages. */
	kill(child, SIGCONT);
	give(t.to_child[1]);
	take(t.to_parent[0]);
	bool back = wait_asleep(child) && status_kb(child, "VmRSS") > 0;
	/* Out again, and killed while out: its slots and tables go. */
	err = swap_out_pid(child);
	kill(child, SIGKILL);
	int st = wait_for(child);
	check(back && err == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "wholeswap kill", "continued and verified %d; out again %s; "
	      "ended with %s", back, strerror(err), how(st));
	turns_close(&t);
}

/*
 * The medium-term scheduler on its own: while this process keeps memory
 * short (fresh pages faulted in, reclaim evicting all the time), the
 * sleeping child holding the most frames is swapped out whole after a
 * second or so, without a request; it comes back intact when woken.
 */
static void whole_auto(long ram_kb)
{
	uint32_t n = (uint32_t)(ram_kb / 4 / 3);
	struct turns t;
	turns_open(&t);
	pid_t child = fork();
	if (child == 0) {
		uint32_t *m = anon((size_t)n * PAGE);
		if (!m)
			_exit(2);
		fill_range(m, 0, n, 1, 6, 0);
		give(t.to_parent[1]);
		take(t.to_child[0]);
		_exit(verify_range(m, 0, n, 1, 6, 0) ? 1 : 0);
	}
	take(t.to_parent[0]);
	wait_asleep(child);
	long auto0 = vmstat("swapout_process_auto");
	bool out = false;
	int passes = 0;
	/* More than memory, swept again and again: reclaim never rests. */
	size_t big = (size_t)ram_kb * 1024 * 3 / 2;
	uint32_t *m = anon(big);
	for (; m && passes < 40 && !out; passes++) {
		for (size_t off = 0; off < big; off += PAGE)
			m[off / 4] = (uint32_t)(off + passes);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/status", (int)child);
		out = slurp(path) && strstr(text, "SwappedOut:\tyes");
	}
	if (m)
		munmap(m, big);
	long autos = vmstat("swapout_process_auto") - auto0;
	give(t.to_child[1]);
	int st = wait_for(child);
	check(out && autos >= 1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "wholeswap auto", "memory kept short: the sleeping child swapped "
	      "out after %d passes (%ld automatic swap-outs); woken: %s",
	      passes, autos, how(st));
	turns_close(&t);
}

static void scenario_wholeswap(void)
{
	struct snapshot base;
	snapshot(&base);
	char mode[32] = "prefetch";
	if (slurp("/proc/sys/vm/swapin_mode") && strstr(text, "[demand]"))
		strcpy(mode, "demand");
	/* A running process cannot go. */
	check(swap_out_pid(getpid()) == EBUSY, "wholeswap self",
	      "swapping out the running process: EBUSY");
	whole_one(base.memfree, "prefetch");
	whole_one(base.memfree, "demand");
	whole_stop_kill(base.memfree);
	whole_auto(base.memfree);
	write_file("/proc/sys/vm/swapin_mode", mode);
	check_baseline("wholeswap", &base);
}

/*
 * Grows the stack to what the scenarios need before mlockall, so that a
 * deeper call later maps no new page (and allocates no new reverse-map
 * item) that the baselines would count.
 */
/* --- tmpfs files in the working set ----------------------------------------- */

#define TMPFS_FILES 4
static uint32_t file_page[WORDS]; /* one page of a file, at a fixed place */

static void tmpfs_name(char *buf, size_t size, int f)
{
	snprintf(buf, size, f == 0 ? "/dev/shm/swaptest%d" : "/tmp/swaptest%d",
		 f);
}

/* Words of file f (n pages) that differ from generation gen. */
static uint32_t verify_file(int f, uint32_t n, uint32_t gen)
{
	char name[32];
	uint32_t bad = 0;
	tmpfs_name(name, sizeof(name), f);
	int fd = open(name, O_RDONLY);
	if (fd < 0)
		return WORDS * n;
	for (uint32_t i = 0; i < n; i++) {
		if (pread(fd, file_page, PAGE, (off_t)i * PAGE) != PAGE) {
			bad += WORDS;
			continue;
		}
		bad += verify(file_page, (uint32_t)f * 100000u + i, gen);
	}
	close(fd);
	return bad;
}

/* Writes generation gen of file f (n pages) with pwrite. */
static bool write_file_pages(int f, uint32_t n, uint32_t gen)
{
	char name[32];
	tmpfs_name(name, sizeof(name), f);
	int fd = open(name, O_CREAT | O_RDWR, 0600);
	if (fd < 0)
		return false;
	bool ok = true;
	for (uint32_t i = 0; i < n && ok; i++) {
		fill(file_page, (uint32_t)f * 100000u + i, gen);
		ok = pwrite(fd, file_page, PAGE, (off_t)i * PAGE) == PAGE;
	}
	close(fd);
	return ok;
}

/* A child writes generation gen of file f through a shared mapping. */
static int write_file_mapped(int f, uint32_t n, uint32_t gen)
{
	char name[32];
	tmpfs_name(name, sizeof(name), f);
	int fd = open(name, O_CREAT | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)n * PAGE) < 0)
		return 2;
	char *m = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 3;
	for (uint32_t i = 0; i < n; i++) {
		fill(file_page, (uint32_t)f * 100000u + i, gen);
		memcpy(m + (size_t)i * PAGE, file_page, PAGE);
	}
	return 0; /* exits with the mapping: the stores are the file's */
}

static void scenario_tmpfs(void)
{
	struct stat st;
	/* The two instances are made at their first use: before measuring. */
	stat("/tmp", &st);
	stat("/dev/shm", &st);
	struct snapshot base;
	snapshot(&base);
	long shmem0 = meminfo("Shmem");
	uint32_t n = (uint32_t)(base.memfree / 4 / 3 / TMPFS_FILES);
	bool ok = true;
	for (int f = 0; f < TMPFS_FILES - 1; f++)
		ok = ok && write_file_pages(f, n, 0);
	pid_t child = fork();
	if (child == 0)
		_exit(write_file_mapped(TMPFS_FILES - 1, n, 0));
	int cst = wait_for(child);
	check(ok && WIFEXITED(cst) && WEXITSTATUS(cst) == 0, "tmpfs write",
	      "%d files of %u pages (one through a shared mapping): %s",
	      TMPFS_FILES, n, how(cst));
	long shmem1 = meminfo("Shmem");

	long steal0 = vmstat("pgsteal_shmem"), in0 = vmstat("pswpin_shmem");
	long swapped = 0;
	for (int tries = 0; tries < PRESSURE_TRIES && swapped == 0; tries++) {
		pressure(base.memfree * 1024 * 3 / 2);
		swapped = vmstat("nr_shmem_swapped");
	}
	long stolen = vmstat("pgsteal_shmem") - steal0;
	check(stolen > 0 && swapped > 0, "tmpfs pages to swap",
	      "Shmem %ld kB, then %ld file pages evicted, %ld in swap", shmem1,
	      stolen, swapped);

	/* Read back and rewritten as the next generation, under pressure. */
	uint32_t bad = 0;
	for (int f = 0; f < TMPFS_FILES; f++) {
		bad += verify_file(f, n, 0);
		if (!write_file_pages(f, n, 1))
			bad++;
		pressure(base.memfree * 1024 / 2);
	}
	pressure(base.memfree * 1024 * 3 / 2);
	for (int f = 0; f < TMPFS_FILES; f++)
		bad += verify_file(f, n, 1);
	check(bad == 0 && vmstat("pswpin_shmem") > in0, "tmpfs integrity",
	      "%u bad words after two generations, %ld pages read back", bad,
	      vmstat("pswpin_shmem") - in0);

	/* A private mapping copies pages that are in swap. */
	char name[32];
	tmpfs_name(name, sizeof(name), 1);
	int fd = open(name, O_RDONLY);
	char *m = fd < 0 ? MAP_FAILED
			 : mmap(NULL, (size_t)n * PAGE, PROT_READ, MAP_PRIVATE,
				fd, 0);
	bad = 0;
	if (m != MAP_FAILED) {
		for (uint32_t i = 0; i < n; i++) {
			memcpy(file_page, m + (size_t)i * PAGE, PAGE);
			bad += verify(file_page, 100000u + i, 1);
		}
		munmap(m, (size_t)n * PAGE);
	}
	if (fd >= 0)
		close(fd);
	check(m != MAP_FAILED && bad == 0, "tmpfs private mapping",
	      "%u bad words", bad);

	for (int f = 0; f < TMPFS_FILES; f++) {
		tmpfs_name(name, sizeof(name), f);
		unlink(name);
	}
	check(meminfo("Shmem") == shmem0 && vmstat("nr_shmem_swapped") == 0,
	      "tmpfs unlink", "Shmem %+ld kB, %ld pages left in swap",
	      meminfo("Shmem") - shmem0, vmstat("nr_shmem_swapped"));
	check_baseline("tmpfs", &base);
}

static __attribute__((noinline)) void warm_stack(void)
{
	volatile char deep[64 * 1024];
	for (size_t i = 0; i < sizeof(deep); i += PAGE)
		deep[i] = 1;
}

static const struct {
	const char *name;
	void (*fn)(void);
	bool swap; /* needs a swap device */
} scenarios[] = {
	{ "integrity", scenario_integrity, true },
	{ "shared", scenario_shared, true },
	{ "policy", scenario_policy, true },
	{ "rsslimit", scenario_rsslimit, true },
	{ "oom", scenario_oom, true },
	{ "oomstorm", scenario_oomstorm, false },
	{ "inject-write", scenario_inject_write, true },
	{ "inject-read", scenario_inject_read, true },
	{ "swapoff", scenario_swapoff, true },
	{ "areas", scenario_areas, true },
	{ "tmpfs", scenario_tmpfs, true },
	{ "wholeswap", scenario_wholeswap, true },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: swaptest [SCENARIO...]   (default: integrity shared "
		"policy rsslimit)\n"
		"Swapping under test. Scenarios: integrity shared policy "
		"rsslimit oom\n"
		"oomstorm [N] inject-write inject-read swapoff tmpfs areas "
		"wholeswap (oom and\nafter need a machine booted for them: "
		"see the top of user/swaptest.c).\n"
		"It must run as init (pid 1) on a small machine with swap, "
		"e.g. from the host:\n"
		"    tools/qemu-run --mem 12M --swap 64M swaptest "
		"[SCENARIO...]\n"
		"Output: a PASS or FAIL line per check, then 'swaptest: N "
		"passed, M failed'.\n");
}

int main(int argc, char **argv)
{
	static char *const defaults[] = { "integrity", "shared", "policy",
					  "rsslimit" };
	char *const *names = argc > 1 ? argv + 1 : defaults;
	int n = argc > 1 ? argc - 1
			 : (int)(sizeof(defaults) / sizeof(defaults[0]));

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--rss-child"))
		return rss_child();
	if (argc == 2 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	/*
	 * Its checks compare free memory and swap before and after each
	 * scenario, which any other process would disturb, and its working
	 * sets are sized for a small machine: as anything but init it would
	 * only report failures that are not the kernel's.
	 */
	if (getpid() != 1) {
		printf("swaptest: this is pid %d, not init. swaptest needs to "
		       "be the only program\nof a small machine with swap "
		       "(it checks that free memory and swap come\nback to "
		       "what they were, and fills memory several times "
		       "over). From the host:\n    tools/qemu-run --mem 12M "
		       "--swap 64M swaptest [SCENARIO...]\n",
		       (int)getpid());
		return 2;
	}
	argv0 = argv[0];
	warm_stack();
	/*
	 * This process is the judge: its pages must never be the ones
	 * swapped (what it allocates later, for the scenarios, is not
	 * locked).
	 */
	if (mlockall(MCL_CURRENT))
		printf("swaptest: mlockall: %s\n", strerror(errno));
	warm_up();
	bool have_swap = meminfo("SwapTotal") > 0;
	for (int i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < sizeof(scenarios) / sizeof(scenarios[0]); k++)
			if (!strcmp(names[i], scenarios[k].name))
				break;
		if (k == sizeof(scenarios) / sizeof(scenarios[0])) {
			check(false, names[i], "no such scenario");
			continue;
		}
		if (scenarios[k].swap && !have_swap) {
			check(false, names[i], "no swap (boot with swap=SIZE)");
			continue;
		}
		/* A number after oomstorm is its number of processes. */
		if (scenarios[k].fn == scenario_oomstorm && i + 1 < n &&
		    atoi(names[i + 1]) > 0) {
			storm_forks = atoi(names[++i]);
			if (storm_forks > STORM_FORKS_MAX)
				storm_forks = STORM_FORKS_MAX;
		}
		scenarios[k].fn();
	}
	printf("swaptest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
