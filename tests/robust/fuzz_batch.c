/*
 * tests/robust/fuzz_batch.c - the driver's side of a run: starting
 * fuzzing processes, ending them, and finding what they left.
 *
 * drv_run_batch keeps o->parallel fuzzing processes alive, and polls:
 * every few milliseconds it reaps what ended (as init, orphans too),
 * kills what passed its deadline (the register of the shared block,
 * filled by the processes themselves), checks that what it killed is
 * gone within HANG_MS, and once a second removes the System V segments
 * the fuzzers recorded and kills processes nobody registered. When it
 * could not run for STALL_MS, it says which calls were in progress and
 * what memory did meanwhile (/proc/vmstat): in a non-preemptible kernel,
 * one call kept the CPU.
 *
 * drv_cleanup ends everything, and removes every segment, recorded or
 * not, so that the leak check measures the kernel alone.
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

uint32_t drv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec * 1000u + (uint32_t)(ts.tv_nsec / 1000000);
}

void drv_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reads a small file into buf; returns its length or -1. */
int drv_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n = 0, r;

	if (fd < 0)
		return -1;
	while ((size_t)n < size - 1 &&
	       (r = (int)read(fd, buf + n, size - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

void drv_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0) {
			/* Not supported: measure as it is. */
		}
		close(fd);
	}
}

/* --- /proc ----------------------------------------------------------------- */

long drv_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? atol(p + strlen(name)) : -1;
}

/* The state letter and name of a process from /proc/PID/stat, or "". */
void drv_proc_state(int pid, char *out, size_t size)
{
	char path[32], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	out[0] = 0;
	if (drv_read_file(path, buf, sizeof(buf)) > 0) {
		char *close_paren = strrchr(buf, ')');
		char *open_paren = strchr(buf, '(');
		if (close_paren && open_paren && close_paren[1] == ' ')
			snprintf(out, size, "state %c, %.*s", close_paren[2],
				 (int)(close_paren - open_paren + 1),
				 open_paren);
	}
}

/* Calls fn for every process in /proc but this one; returns how many. */
int drv_for_each_pid(void (*fn)(int pid, void *ctx), void *ctx)
{
	static char buf[4096];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY), count = 0;
	long n;

	if (fd < 0)
		return 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			int pid = atoi(d->d_name);
			off += d->d_reclen;
			if (pid <= 0 || pid == drv_self_pid)
				continue;
			count++;
			fn(pid, ctx);
		}
	}
	close(fd);
	return count;
}

/*
 * System V ids on Pagoda are a slot of the kernel's table plus
 * SHM_MAX_SEGMENTS (128) times the number of times the slot was reused
 * (mm/shm.c); the highest reuse count seen per slot bounds the search
 * for segments nobody recorded.
 */
#define SHM_SLOTS 128
static uint32_t shm_max_reuse[SHM_SLOTS];

/* Removes the segments the fuzzers made (a stale id is refused). */
static void remove_segments(void)
{
	for (int i = 0; i < FZ_SHM_IDS; i++) {
		int id = __atomic_exchange_n(&drv_sh->shm_ids[i], -1,
					     __ATOMIC_SEQ_CST);
		if (id < 0 || id == drv_shm_id)
			continue;
		if ((uint32_t)id / SHM_SLOTS > shm_max_reuse[id % SHM_SLOTS])
			shm_max_reuse[id % SHM_SLOTS] =
				(uint32_t)id / SHM_SLOTS;
		shmctl(id, IPC_RMID, NULL);
	}
}

/*
 * A segment is made even when its maker is killed before it can record
 * the id (SIGKILL arriving while shmget waits for memory): System V
 * segments outlive their makers, on Linux too. Every id up to a few
 * reuses past the highest seen in each slot is asked for (IPC_STAT) and
 * removed if it exists. Returns how many were found.
 */
static int sweep_segments(void)
{
	struct shmid_ds ds;
	int found = 0;

	for (uint32_t slot = 0; slot < SHM_SLOTS; slot++) {
		for (uint32_t r = 0; r <= shm_max_reuse[slot] + 8; r++) {
			int id = (int)(slot + SHM_SLOTS * r);
			if (id != drv_shm_id &&
			    shmctl(id, IPC_STAT, &ds) == 0) {
				shmctl(id, IPC_RMID, NULL);
				found++;
			}
		}
	}
	return found;
}

/*
 * Removes everything below dir (a tmpfs the fuzzers write in: /tmp,
 * /dev/shm), so that files left behind neither fill memory nor count as
 * a leak. Uses getdents64 into one static buffer per level: the driver
 * allocates nothing once it measures.
 */
#define WIPE_DEPTH 8
static void wipe_dir(int dirfd, int depth)
{
	static char bufs[WIPE_DEPTH][2048];
	char *buf = bufs[depth];
	long n;

	while ((n = syscall(SYS_getdents64, dirfd, buf, sizeof(bufs[0]))) > 0) {
		bool removed = false;
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (unlinkat(dirfd, d->d_name, 0) == 0) {
				removed = true;
				continue;
			}
			int sub = depth + 1 < WIPE_DEPTH
					  ? openat(dirfd, d->d_name,
						   O_RDONLY | O_DIRECTORY)
					  : -1;
			if (sub >= 0) {
				wipe_dir(sub, depth + 1);
				close(sub);
			}
			if (unlinkat(dirfd, d->d_name, AT_REMOVEDIR) == 0)
				removed = true;
		}
		/* Positions move on as entries go: list again from the start. */
		if (!removed)
			break;
		lseek(dirfd, 0, SEEK_SET);
	}
}

void drv_wipe_tmpfs(void)
{
	static const char *const dirs[] = { "/tmp", "/dev/shm" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			wipe_dir(fd, 0);
			close(fd);
		}
	}
}

/* --- a batch of fuzzing processes ------------------------------------------ */

/* The seed of round r: a mix of the run's seed and the round. */
static uint32_t round_seed(uint32_t seed, uint32_t r)
{
	uint32_t x = seed * 0x9E3779B1u + r * 0x85EBCA77u + 1;

	x ^= x >> 15;
	x *= 0x2C1B3C6Du;
	x ^= x >> 12;
	return x ? x : 1;
}

static pid_t spawn(const struct options *o, uint32_t seed, uint32_t deadline)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct fuzz_params p = {
			.seed = seed,
			.calls = o->calls,
			.depth = 0,
			.deadline = deadline,
			.shm_id = drv_shm_id,
			.self = o->self,
			.trace_fd = o->trace ? 63 : -1,
			.keep_policy = o->keep_policy,
			.driver = drv_self_pid,
		};
		fz_run(&p, drv_sh);
	}
	if (pid > 0) {
		struct proc_slot *slot =
			&drv_sh->procs[(uint32_t)pid % FZ_PROC_SLOTS];
		slot->deadline = deadline;
		__atomic_store_n(&slot->pid, pid, __ATOMIC_SEQ_CST);
	}
	return pid;
}

/*
 * Whether a PID read from slot i of the register can be a fuzzer's. The
 * shared block is the fuzzers' to write, and over a long run a wild
 * pointer of theirs lands in it now and then: nothing read there is
 * trusted with the driver's own life.
 */
static bool slot_pid_ok(int i, int32_t pid)
{
	return pid > 1 && pid != drv_self_pid &&
	       (uint32_t)pid % FZ_PROC_SLOTS == (uint32_t)i;
}

/* Kill bookkeeping per slot: the PID killed and when. */
static int32_t killed_pid[FZ_PROC_SLOTS];
static uint32_t killed_at[FZ_PROC_SLOTS];

/*
 * Kills what has passed its deadline; checks that what was killed is
 * gone. Returns false (and fills r->hang_*) for a process that outlived
 * its SIGKILL by HANG_MS.
 */
static bool enforce_deadlines(uint32_t now, struct batch_result *r)
{
	for (int i = 0; i < FZ_PROC_SLOTS; i++) {
		struct proc_slot *s = &drv_sh->procs[i];
		int32_t pid = __atomic_load_n(&s->pid, __ATOMIC_SEQ_CST);

		if (pid == 0)
			continue;
		if (!slot_pid_ok(i, pid)) {
			s->pid = 0;
			continue;
		}
		if (killed_pid[i] != pid) {
			if ((int32_t)(now - s->deadline) < 0)
				continue;
			if (kill(pid, SIGKILL) < 0 && errno == ESRCH) {
				__atomic_compare_exchange_n(&s->pid, &pid, 0,
							    false,
							    __ATOMIC_SEQ_CST,
							    __ATOMIC_SEQ_CST);
				continue;
			}
			killed_pid[i] = pid;
			killed_at[i] = now;
			r->deadline_kills++;
			continue;
		}
		if (kill(pid, 0) < 0 && errno == ESRCH) {
			__atomic_compare_exchange_n(&s->pid, &pid, 0, false,
						    __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
			killed_pid[i] = 0;
			continue;
		}
		if (now - killed_at[i] < HANG_MS)
			continue;
		char state[64];
		drv_proc_state(pid, state, sizeof(state));
		if (strncmp(state, "state Z", 7) == 0) {
			/* A zombie its (killed) parent has not reaped yet. */
			continue;
		}
		r->hang_pid = pid;
		snprintf(r->hang_state, sizeof(r->hang_state), "%s",
			 state[0] ? state : "no /proc entry");
		return false;
	}
	return true;
}

/* The processes an init driver did not start and nobody registered. */
struct sweep {
	int32_t seen[64]; /* unregistered at the last sweep */
	int nseen;
	int32_t now[64];
	int nnow;
	uint32_t kills;
};

static void sweep_one(int pid, void *ctx)
{
	struct sweep *sw = ctx;

	if (drv_sh->procs[(uint32_t)pid % FZ_PROC_SLOTS].pid == pid)
		return;
	for (int i = 0; i < sw->nseen; i++) {
		if (sw->seen[i] == pid) {
			kill(pid, SIGKILL);
			sw->kills++;
			return;
		}
	}
	if (sw->nnow < 64)
		sw->now[sw->nnow++] = pid;
}

/*
 * Processes that missed their registration (a slot taken by another, or
 * killed between fork and registering) are killed when two sweeps a
 * second apart find them. Only when this driver is init: otherwise
 * /proc holds processes that are not ours.
 */
static void sweep(struct sweep *sw)
{
	if (drv_self_pid != 1)
		return;
	sw->nnow = 0;
	drv_for_each_pid(sweep_one, sw);
	memcpy(sw->seen, sw->now, sizeof(sw->now));
	sw->nseen = sw->nnow;
}

/*
 * The driver wakes every few milliseconds; if it could not run for
 * STALL_MS, something kept the CPU: in this non-preemptible kernel, most
 * likely a call in progress since before the gap. Those are printed (the
 * first few times, and for each stall longer than every earlier one),
 * for a report.
 */
#define STALL_MS 1000u
#define STALLS_SHOWN 10

/* /proc/vmstat at the last wake-up, to tell what a stall did. */
static char vmstat_prev[2048], vmstat_now[2048];

static void report_stall(uint32_t gap, uint64_t before, struct batch_result *r)
{
	static const char *const fields[] = {
		"pgfault ",	 "pgzero ",	    "pgscan ",
		"pgsteal ",	 "pswpout ",	    "pswpin ",
		"reclaim_runs ", "reclaim_failed ", "oom_kill ",
		"nr_free_pages "
	};

	/* The first few, and every one longer than all before it. */
	bool record = gap > r->longest_stall;
	if (record)
		r->longest_stall = gap;
	if (r->stalls++ >= STALLS_SHOWN && !record)
		return;
	drv_read_file("/proc/vmstat", vmstat_now, sizeof(vmstat_now));
	printf("sysfuzz: stall: the driver did not run for %u ms; meanwhile",
	       gap);
	for (unsigned int i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		printf(" %s%+ld", fields[i],
		       drv_field(vmstat_now, fields[i]) -
			       drv_field(vmstat_prev, fields[i]));
	printf("; calls in progress since before, in live processes:\n");
	for (int i = 0; i < FZ_PROC_SLOTS; i++) {
		const struct proc_slot *s = &drv_sh->procs[i];
		uint32_t row = s->in_call;
		char state[64];
		if (!slot_pid_ok(i, s->pid) || !row ||
		    (int64_t)(s->since - before) > 0 || kill(s->pid, 0) < 0)
			continue;
		drv_proc_state(s->pid, state, sizeof(state));
		const char *name = row - 1 < fz_kcall_count
					   ? fz_kcalls[row - 1].name
					   : "?";
		printf("  pid %d (%s): %s [%u](%#x, %#x, %#x, %#x, %#x, %#x)"
		       "\n",
		       s->pid, state, name, s->nr, s->args[0], s->args[1],
		       s->args[2], s->args[3], s->args[4], s->args[5]);
	}
}

/*
 * A row's results can never outnumber its calls (a call is counted
 * before it is made): if they do, something wrote over the row. Said
 * once per row, with the last call made on it, the likeliest writer.
 */
static void check_rows(struct batch_result *r)
{
	static bool said[512];

	for (unsigned int i = 0; i < fz_kcall_count + 1 && i < 512; i++) {
		const struct call_stats *st = &drv_sh->stats[i];
		uint64_t returned = st->ok;
		for (int e = 0; e < FZ_NERRNO; e++)
			returned += st->err[e];
		if (returned <= st->issued || said[i])
			continue;
		said[i] = true;
		r->scribbled++;
		const uint32_t *a = st->last_args;
		printf("sysfuzz: the counts of %s were written over; its last "
		       "call: (%#x, %#x, %#x, %#x, %#x, %#x), the shared block "
		       "at %p\n",
		       i < fz_kcall_count ? fz_kcalls[i].name : "?", a[0], a[1],
		       a[2], a[3], a[4], a[5], (void *)drv_sh);
	}
}

/* Reaps every ended child (as init: every orphan too). */
static void reap(pid_t *live, int *nlive, struct batch_result *r)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int i;
		for (i = 0; i < *nlive && live[i] != pid; i++)
			;
		if (i == *nlive) {
			r->orphans++;
			continue;
		}
		live[i] = live[--*nlive];
		if (WIFSIGNALED(status))
			r->signaled++;
		else
			r->exited++;
	}
}

bool drv_run_batch(const struct options *o, uint32_t seed, int rounds,
		   int seconds, struct batch_result *r)
{
	static pid_t live[MAX_PARALLEL];
	static struct sweep sw;
	int nlive = 0;
	uint32_t start = drv_now_ms(), last_sweep = start, fork_fail_since = 0;
	uint32_t last_progress = start;
	uint32_t prev = start;
	uint64_t prev_tsc = fz_rdtsc();

	memset(r, 0, sizeof(*r));
	sw.nseen = 0;
	for (;;) {
		uint32_t now = drv_now_ms();
		bool more;

		if (now - prev > STALL_MS) {
			report_stall(now - prev, prev_tsc, r);
			/* Nothing could die meanwhile: a fresh HANG_MS. */
			for (int i = 0; i < FZ_PROC_SLOTS; i++)
				killed_at[i] = now;
		}
		prev = now;
		prev_tsc = fz_rdtsc();
		if (o->verbose || seconds)
			drv_read_file("/proc/vmstat", vmstat_prev,
				      sizeof(vmstat_prev));

		while ((more = seconds ? now - start < (uint32_t)seconds * 1000u
				       : r->started < (uint32_t)rounds) &&
		       nlive < o->parallel) {
			pid_t pid = spawn(o, round_seed(seed, r->started),
					  now + (uint32_t)o->lifetime);
			if (pid < 0) {
				r->fork_failures++;
				if (!fork_fail_since)
					fork_fail_since = now;
				break;
			}
			fork_fail_since = 0;
			live[nlive++] = pid;
			r->started++;
		}
		if (!more && nlive == 0)
			break;
		if (fork_fail_since && now - fork_fail_since > HANG_MS) {
			r->hang_pid = -1;
			snprintf(r->hang_state, sizeof(r->hang_state),
				 "fork failed for %u ms",
				 now - fork_fail_since);
			return false;
		}
		reap(live, &nlive, r);
		if (!enforce_deadlines(now, r))
			return false;
		if (seconds && now - last_progress >= 60000) {
			/* A line a minute, for whoever watches a long run. */
			uint64_t calls;
			unsigned int covered, succeeded;
			drv_coverage(&calls, &covered, &succeeded, false);
			printf("sysfuzz: %u s: %llu calls, %u processes started, "
			       "%u system calls made\n",
			       (now - start) / 1000, (unsigned long long)calls,
			       r->started, covered);
			last_progress = now;
		}
		if (now - last_sweep >= 1000) {
			sweep(&sw);
			remove_segments();
			drv_wipe_tmpfs();
			check_rows(r);
			drv_count_calls();
			last_sweep = now;
		}
		drv_sleep_ms(5);
	}
	r->sweep_kills = sw.kills;
	r->ms = drv_now_ms() - start;
	return true;
}

/* --- the end of a batch ---------------------------------------------------- */

static void kill_pid(int pid, void *ctx)
{
	(void)ctx;
	kill(pid, SIGKILL);
}

int drv_remaining;
char drv_remaining_state[96];
/* Segments found by sweep_segments, not by their makers' records. */
int drv_lost_segments;

static void describe(int pid, void *ctx)
{
	(void)ctx;
	if (drv_remaining++ == 0) {
		char state[64];
		drv_proc_state(pid, state, sizeof(state));
		snprintf(drv_remaining_state, sizeof(drv_remaining_state),
			 "pid %d (%s)", pid, state);
	}
}

/* Kills every registered process (when not init: no /proc sweep). */
static int kill_registered(void)
{
	int n = 0;

	for (int i = 0; i < FZ_PROC_SLOTS; i++) {
		int32_t pid = drv_sh->procs[i].pid;
		if (slot_pid_ok(i, pid) && kill(pid, SIGKILL) == 0)
			n++;
		else
			drv_sh->procs[i].pid = 0;
	}
	return n;
}

/*
 * Ends every process but this one and reaps them; removes the fuzzers'
 * segments; puts the replacement drv_policy back. Returns false if something
 * would not die within HANG_MS (described in drv_remaining_state).
 */
bool drv_cleanup(void)
{
	uint32_t prev = drv_now_ms(), waited = 0;
	pid_t none[1];
	int nlive = 0;
	struct batch_result r;

	for (;;) {
		int n = drv_self_pid == 1 ? drv_for_each_pid(kill_pid, NULL)
					  : kill_registered();
		reap(none, &nlive, &r);
		if (n == 0)
			break;
		/* Time the driver could run: a stall is not the victims'. */
		uint32_t now = drv_now_ms();
		if (now - prev < STALL_MS)
			waited += now - prev;
		prev = now;
		if (waited > HANG_MS) {
			drv_remaining = 0;
			drv_for_each_pid(describe, NULL);
			return false;
		}
		drv_sleep_ms(10);
	}
	memset(drv_sh->procs, 0, sizeof(drv_sh->procs));
	memset(killed_pid, 0, sizeof(killed_pid));
	remove_segments();
	drv_wipe_tmpfs();
	drv_lost_segments += sweep_segments();
	if (drv_policy[0])
		drv_write_file("/proc/sys/vm/policy", drv_policy);
	return true;
}
