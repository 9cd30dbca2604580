/*
 * tests/robust/fuzz_proc.c - the life of a fuzzing process.
 *
 * A fuzzing process makes its budget of system calls, each drawn from the
 * kernel's own list (weighted by fuzz_table.c) with arguments drawn by
 * kind (fuzz_args.c, fuzz_data.c); one in forty is a number the kernel
 * does not implement, which must return ENOSYS. Between calls, one time
 * in six, it takes a sequence step (fuzz_steps.c).
 *
 * Its children (fork, clone, vfork, the steps) fuzz on with half the
 * budget that is left, at most FZ_CHILD_CALLS calls, three generations
 * deep; each draws its own numbers from then on. Calls that would leave
 * the loop for good are made in throw-away children: execve, and
 * sigreturn. Every process ends with exit or exit_group of a random
 * status, or dies trying; the driver kills whatever is still alive at
 * its deadline.
 *
 * Every call is counted in the shared block (made, succeeded, each
 * errno, the slowest), and the call in progress is written in the
 * process's slot, for the driver's stall reports. With -T, each call is
 * also written to the console before it is made.
 *
 * All calls go through fz_syscall (int 0x80, no errno): after a fuzzed
 * set_thread_area, GS may no longer reach glibc's thread data, so
 * nothing here may use it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include "fuzz_internal.h"
#include "sysfuzz.h"

#define MAX_DEPTH 3
#define ENOSYS_ERR 38

const struct fuzz_params *fz_params;
int fz_left;	  /* calls this process still makes */
static int depth; /* generations below the driver's child */

#define MAX_ROWS 512
static const struct call_spec *row_spec[MAX_ROWS];
static uint32_t row_cum[MAX_ROWS]; /* cumulative weights */
static uint32_t weight_total;
static int nrows;

/* Rows the bookkeeping uses (-1: not in this kernel). */
static int row_fork, row_exit, row_exit_group, row_open, row_openat, row_dup,
	row_dup2, row_dup3, row_close, row_shmget, row_ipc;

int fz_row_of(const char *name)
{
	for (unsigned int i = 0; i < fz_kcall_count; i++)
		if (strcmp(fz_kcalls[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool implemented(uint32_t nr)
{
	unsigned int lo = 0, hi = fz_kcall_count;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		if (fz_kcalls[mid].nr == nr)
			return true;
		if (fz_kcalls[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void setup_rows(void)
{
	nrows = (int)fz_kcall_count;
	for (int i = 0; i < nrows && i < MAX_ROWS; i++) {
		const struct call_spec *s = fz_spec(fz_kcalls[i].name);
		row_spec[i] = s ? s : &fz_generic_spec;
		weight_total += row_spec[i]->weight;
		row_cum[i] = weight_total;
	}
	row_fork = fz_row_of("fork");
	row_exit = fz_row_of("exit");
	row_exit_group = fz_row_of("exit_group");
	row_open = fz_row_of("open");
	row_openat = fz_row_of("openat");
	row_dup = fz_row_of("dup");
	row_dup2 = fz_row_of("dup2");
	row_dup3 = fz_row_of("dup3");
	row_close = fz_row_of("close");
	row_shmget = fz_row_of("shmget");
	row_ipc = fz_row_of("ipc");
}

static int pick_row(void)
{
	uint32_t w = fz_below(weight_total);
	int lo = 0, hi = nrows - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (row_cum[mid] > w)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* --- tracing --------------------------------------------------------------- */

static char *put_hex(char *p, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";

	*p++ = '0';
	*p++ = 'x';
	for (int shift = 28; shift >= 0; shift -= 4)
		if ((v >> shift) || shift == 0)
			*p++ = digits[(v >> shift) & 15];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/*
 * With -T: "TIME sysfuzz[PID] name(args)" before the call, "TIME
 * sysfuzz[PID]  = RET" after (other processes' lines may come between);
 * TIME counts 2^20 time-stamp counts, so that gaps show.
 */
static void trace(const char *name, uint32_t nr, const uint32_t a[6], bool done,
		  int32_t ret)
{
	char line[200], *p = line;

	if (fz_params->trace_fd < 0)
		return;
	p = put_str(p, fz_utoa((uint32_t)(fz_rdtsc() >> 20)));
	p = put_str(p, " sysfuzz[");
	p = put_str(p, fz_utoa((uint32_t)fz.self));
	p = put_str(p, "] ");
	if (!done) {
		p = name ? put_str(p, name) : put_hex(p, nr);
		*p++ = '(';
		for (int i = 0; i < 6; i++) {
			p = put_hex(p, a[i]);
			*p++ = i < 5 ? ',' : ')';
		}
		*p++ = '\n';
	} else {
		p = put_str(p, "  = ");
		if (fz_is_err(ret)) {
			*p++ = '-';
			p = put_str(p, fz_utoa((uint32_t)-ret));
		} else {
			p = put_hex(p, (uint32_t)ret);
		}
		*p++ = '\n';
	}
	fz_call3(SYS_write, (uint32_t)fz_params->trace_fd, (uint32_t)line,
		 (uint32_t)(p - line));
}

/* --- counting -------------------------------------------------------------- */

static void count(uint32_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static struct proc_slot *my_slot(void)
{
	return &fz_shared->procs[(uint32_t)fz.self % FZ_PROC_SLOTS];
}

/* The call being made, for fz_record(). */
static uint64_t issued_at;
static const uint32_t *issued_args;

void fz_issue(int row, uint32_t nr, const uint32_t a[6])
{
	if (fz_shared && row >= 0) {
		count(&fz_shared->stats[row].issued);
		memcpy(fz_shared->stats[row].last_args, a,
		       sizeof(fz_shared->stats[row].last_args));
	}
	trace(row >= 0 && row < nrows ? fz_kcalls[row].name : NULL, nr, a,
	      false, 0);
	issued_args = a;
	issued_at = fz_rdtsc();
	if (fz_shared) {
		struct proc_slot *slot = my_slot();
		slot->nr = nr;
		memcpy(slot->args, a, sizeof(slot->args));
		slot->since = issued_at;
		slot->in_call = (uint32_t)row + 1;
	}
}

void fz_record(int row, int32_t ret)
{
	uint32_t took = (uint32_t)((fz_rdtsc() - issued_at) >> 10);

	trace(NULL, 0, NULL, true, ret);
	if (fz_shared)
		my_slot()->in_call = 0;
	if (!fz_shared || row < 0)
		return;
	struct call_stats *st = &fz_shared->stats[row];
	if (took > st->slowest && issued_args) {
		st->slowest = took;
		memcpy(st->slowest_args, issued_args, sizeof(st->slowest_args));
	}
	if (!fz_is_err(ret))
		count(&st->ok);
	else
		count(&st->err[-ret < FZ_NERRNO ? -ret : 0]);
}

/* Makes a call on a row, counted; a row of -1 is not counted. */
int32_t fz_call(int row, uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2,
		uint32_t a3, uint32_t a4, uint32_t a5)
{
	uint32_t a[6] = { a0, a1, a2, a3, a4, a5 };

	if (row < 0)
		return -ENOSYS_ERR;
	fz_issue(row, nr, a);
	int32_t ret = fz_syscall(nr, a);
	fz_record(row, ret);
	return ret;
}

void fz_op_count(enum fz_op op)
{
	static const char *const names[OP_COUNT] = {
		"map", "unmap", "protect", "advise",   "remap",	 "touch",
		"shm", "fork",	"exec",	   "selector", "signal", "sigreturn"
	};

	if (fz_shared)
		count(&fz_shared->ops[op]);
	if (fz_params->trace_fd >= 0) {
		char line[64], *p = line;
		p = put_str(p, fz_utoa((uint32_t)(fz_rdtsc() >> 20)));
		p = put_str(p, " sysfuzz[");
		p = put_str(p, fz_utoa((uint32_t)fz.self));
		p = put_str(p, "] step ");
		p = put_str(p, names[op]);
		*p++ = '\n';
		fz_call3(SYS_write, (uint32_t)fz_params->trace_fd,
			 (uint32_t)line, (uint32_t)(p - line));
	}
}

/* --- processes ------------------------------------------------------------- */

/* Gives up the shared block: what runs next may scribble anywhere. */
void fz_detach(void)
{
	if (fz_shared)
		fz_call3(SYS_shmdt, (uint32_t)fz_shared, 0, 0);
	fz_shared = NULL;
}

static void register_self(void)
{
	if (!fz_shared)
		return;
	struct proc_slot *slot = my_slot();
	slot->in_call = 0;
	slot->deadline = fz_params->deadline;
	__atomic_store_n(&slot->pid, fz.self, __ATOMIC_SEQ_CST);
}

static void add_kid(int32_t pid)
{
	if (fz.nkids < (int)(sizeof(fz.kids) / sizeof(fz.kids[0])))
		fz.kids[fz.nkids++] = pid;
	else
		fz.kids[fz_below((uint32_t)fz.nkids)] = pid;
}

/* Called in a new child: a smaller budget, and its own registration. */
void fz_become_child(void)
{
	uint32_t none[6] = { 0 };

	fz.parent = fz.self;
	fz.self = fz_syscall(SYS_getpid, none);
	fz.nkids = 0;
	/* The parent draws the same numbers: the child must not. */
	fz_srand(fz_rand() ^ ((uint32_t)fz.self * 0x9E3779B1u));
	depth++;
	fz_left = depth > MAX_DEPTH		 ? 0
		  : fz_left / 2 < FZ_CHILD_CALLS ? fz_left / 2
						 : FZ_CHILD_CALLS;
	register_self();
}

/*
 * A plain fork, counted in the parent only; returns 0 in the child, the
 * child's PID or -errno in the parent.
 */
int32_t fz_fork(void)
{
	uint32_t none[6] = { 0 };
	int32_t pid;

	fz_issue(row_fork, SYS_fork, none);
	pid = fz_syscall(SYS_fork, none);
	if (pid == 0)
		return 0;
	fz_record(row_fork, pid);
	if (!fz_is_err(pid))
		add_kid(pid);
	return pid;
}

/* The last call of every process. */
__attribute__((noreturn)) void fz_finish(void)
{
	bool group = fz_chance(2);
	int row = group ? row_exit_group : row_exit;
	uint32_t a[6] = {
		fz_chance(4) ? fz_rand() : fz_below(4), 0, 0, 0, 0, 0
	};

	fz_issue(row, group ? SYS_exit_group : SYS_exit, a);
	for (;;) {
		fz_syscall(group ? SYS_exit_group : SYS_exit, a);
		/* Only a broken kernel returns from exit; try the other. */
		group = !group;
	}
}

void fz_remember_shm(int32_t id)
{
	if (fz.nshmids < (int)(sizeof(fz.shmids) / sizeof(fz.shmids[0])))
		fz.shmids[fz.nshmids++] = id;
	else
		fz.shmids[fz_below((uint32_t)fz.nshmids)] = id;
	if (fz_shared) {
		uint32_t i = __atomic_fetch_add(&fz_shared->shm_next, 1,
						__ATOMIC_RELAXED);
		fz_shared->shm_ids[i % FZ_SHM_IDS] = id;
	}
}

/* What a successful call changed that later draws should know. */
static void note_result(int row, const uint32_t a[6], int32_t ret)
{
	if (fz_is_err(ret))
		return;
	if (row == row_open || row == row_openat || row == row_dup ||
	    row == row_dup2 || row == row_dup3) {
		if (fz.nfds < (int)(sizeof(fz.fds) / sizeof(fz.fds[0])))
			fz.fds[fz.nfds++] = ret;
	} else if (row == row_close) {
		for (int i = 0; i < fz.nfds; i++) {
			if (fz.fds[i] != (int)a[0])
				continue;
			fz.fds[i] = fz.fds[--fz.nfds];
			fz.stale[fz.nstale++ % 8] = (int)a[0];
			if (fz.nstale > 8)
				fz.nstale = 8;
			break;
		}
	} else if (row == row_shmget ||
		   (row == row_ipc && (a[0] & 0xFFFF) == 23 /* SHMGET */)) {
		fz_remember_shm(ret);
	}
}

/* --- one call -------------------------------------------------------------- */

/* A number the kernel does not implement: it must say ENOSYS. */
static void unimplemented(void)
{
	int row = (int)fz_kcall_count;
	uint32_t nr, a[6];

	do {
		if (fz_chance(8))
			nr = fz_chance(2) ? fz_nr_max + fz_below(4)
					  : (fz_rand() | 0x80000000u);
		else
			nr = fz_below(fz_nr_max + 16);
	} while (implemented(nr));
	fz_draw_args(&fz_generic_spec, a);
	fz_issue(row, nr, a);
	int32_t ret = fz_syscall(nr, a);
	fz_record(row, ret);
	if (ret != -ENOSYS_ERR && fz_shared) {
		count(&fz_shared->enosys_wrong);
		fz_shared->enosys_wrong_nr = nr;
	}
}
/* clone flags (Linux include/uapi/linux/sched.h). */
#define CLONE_VM 0x00000100u
#define CLONE_SIGHAND 0x00000800u
#define CLONE_VFORK 0x00004000u
#define CLONE_THREAD 0x00010000u

/*
 * clone with the drawn flags, whose child ends at once with exit(0), on a
 * stack of its own, touching no memory: a thread of this process, or a
 * process (sharing this memory or not) that is reaped as a kid. The
 * kernel still does all of clone, and the thread's end (its
 * clear_child_tid word, the robust list it has none of).
 */
static void clone_exiting_child(int row, uint32_t nr, uint32_t a[6])
{
	static uint8_t child_stack[1024] __attribute__((aligned(16)));
	int32_t ret;

	a[1] = (uint32_t)(uintptr_t)(child_stack + sizeof(child_stack));
	fz_issue(row, nr, a);
	__asm__ volatile("int $0x80\n\t"
			 "test %%eax, %%eax\n\t"
			 "jnz 1f\n\t"
			 "mov $1, %%eax\n\t" /* SYS_exit */
			 "xor %%ebx, %%ebx\n\t"
			 "int $0x80\n\t"
			 "1:"
			 : "=a"(ret)
			 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]),
			   "D"(a[4])
			 : "memory", "cc");
	fz_record(row, ret);
	if (!fz_is_err(ret) && !(a[0] & CLONE_THREAD))
		add_kid(ret);
	note_result(row, a, ret);
}


static void fuzz_one(void)
{
	uint32_t a[6];

	fz_scratch_reset();
	if (fz_chance(40)) {
		unimplemented();
		return;
	}
	int row = pick_row();
	const struct call_spec *s = row_spec[row];
	uint32_t nr = fz_kcalls[row].nr;

	fz_draw_args(s, a);
	fz_fix_args(s, a, fz.self, fz.driver);
	/* The trace descriptor is not the fuzzer's to close or replace. */
	for (int i = 0; i < 6 && fz_params->trace_fd >= 0; i++)
		if ((s->arg[i] == A_FD || s->arg[i] == A_DIRFD) &&
		    a[i] == (uint32_t)fz_params->trace_fd)
			a[i] = (uint32_t)fz_params->trace_fd - 1;

	bool fork_like = s->how == HOW_FORK;
	switch (s->how) {
	case HOW_EXEC:
	case HOW_SIGRETURN:
		fz_throw_away(row, a, s->how);
		return;
	case HOW_EXIT:
		return;
	case HOW_CLONE:
		if (fz_chance(2)) {
			clone_exiting_child(row, nr, a);
			return;
		}
		a[0] &= ~(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_VFORK);
		fork_like = true;
		break;
	default:
		break;
	}
	fz_issue(row, nr, a);
	int32_t ret = fz_syscall(nr, a);
	if (ret == 0 && fork_like) {
		fz_become_child();
		return;
	}
	if (ret == 0 && s->how == HOW_VFORK) {
		uint32_t none[6] = { 0 };
		for (;;)
			fz_syscall(SYS_exit, none);
	}
	fz_record(row, ret);
	if ((fork_like || s->how == HOW_VFORK) && !fz_is_err(ret))
		add_kid(ret);
	note_result(row, a, ret);
}

void fz_run(const struct fuzz_params *p, struct fuzz_shared *shared)
{
	char stackbuf[8192];
	uint32_t none[6] = { 0 };

	fz_params = p;
	fz_shared = shared;
	fz_steps_init();
	fz_srand(p->seed);
	depth = p->depth;
	fz_left = p->calls;
	fz.self = fz_syscall(SYS_getpid, none);
	fz.parent = fz_syscall(SYS_getppid, none);
	fz.driver = p->driver;
	register_self();
	setup_rows();
	fz.keep_policy = p->keep_policy;
	stackbuf[0] = 0;
	fz_mem.stack = (uintptr_t)stackbuf;
	if (fz_args_init(p->self, p->trace_fd) < 0)
		fz_finish();
	while (fz_left > 0) {
		fz_left--;
		if (fz_chance(6))
			fz_step();
		fuzz_one();
	}
	fz_finish();
}
