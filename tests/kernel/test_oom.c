/*
 * tests/kernel/test_oom.c - the out-of-memory killer (kernel/oom.c) and
 * the processes it chooses.
 *
 * The killer remembers its victim until the victim has exited, so that
 * one shortage kills one process. These cases check that it remembers the
 * process and not its PID: a victim that has exited and been reaped is
 * forgotten, even when a new process is given the same PID.
 *
 * The test runs in the idle context (PID 0), which has no memory of its
 * own and is never chosen; calling oom_kill() from here stands for a
 * process whose page fault found no frame. The processes are /bin/hello,
 * spawned with no open files.
 */
#include "drivers/pit.h"
#include "fs/initramfs.h"
#include "kernel/ktest.h"
#include "kernel/proc/oom.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/x86.h"
#include "mm/mm.h"

static bool have_initramfs(struct ktest *t)
{
	int err = initramfs_init();

	if (err)
		ktest_fail(t, __FILE__, __LINE__, "initramfs_init: %d", err);
	return err == 0;
}

/* Spawns /bin/hello, not yet runnable; NULL (and a failure) if it cannot. */
static struct proc *spawn_hello(struct ktest *t)
{
	char *argv[] = { "hello", NULL };
	struct proc *p;
	int err = proc_spawn("/bin/hello", argv, &p);

	if (err) {
		ktest_fail(t, __FILE__, __LINE__, "proc_spawn: %d", err);
		return NULL;
	}
	return p;
}

/*
 * Lets pid run until it ends and reaps it; returns its wait status, or -1
 * (and a failure) if it does not end within ten seconds.
 */
static int run_to_end(struct ktest *t, struct proc *p)
{
	int pid = p->pid, status;
	uint64_t deadline = pit_ticks() + 10 * pit_hz();

	sched_make_runnable(p);
	while (p->state != PROC_ZOMBIE && pit_ticks() < deadline) {
		sched_yield();
		if (p->state != PROC_ZOMBIE)
			hlt();
	}
	if (p->state != PROC_ZOMBIE) {
		ktest_fail(t, __FILE__, __LINE__, "pid %d did not end", pid);
		return -1;
	}
	int r = proc_wait(pid, &status, WNOHANG);
	if (r != pid) {
		ktest_fail(t, __FILE__, __LINE__, "proc_wait: %d", r);
		return -1;
	}
	return status;
}

/*
 * A victim is killed and reaped; a new process gets its PID; memory runs
 * out again. The new process is not the victim still exiting: it is the
 * only process with memory, so it is the next victim, and it dies.
 */
static void victim_pid_reused(struct ktest *t)
{
	if (!have_initramfs(t))
		return;
	uint64_t kills = vm_events.oom_kill;
	/* The last PID: the next process after it gets a low one again. */
	proc_set_next_pid(PROC_MAX_PIDS - 1);
	struct proc *a = spawn_hello(t);
	if (!a)
		return;
	int pid = a->pid;
	KT_EXPECT(t, oom_kill());
	KT_EXPECT_EQ(t, vm_events.oom_kill, kills + 1);
	KT_EXPECT_EQ(t, run_to_end(t, a), SIGKILL);

	/* The PIDs come round to the victim's. */
	proc_set_next_pid(pid);
	struct proc *b = spawn_hello(t);
	if (!b)
		return;
	KT_ASSERT_EQ(t, b->pid, pid);
	KT_EXPECT(t, oom_kill());
	KT_EXPECT_EQ(t, vm_events.oom_kill, kills + 2);
	KT_EXPECT_EQ(t, run_to_end(t, b), SIGKILL);
}

static const struct ktest_case oom_cases[] = {
	KTEST_CASE(victim_pid_reused),
};

KTEST_SUITE(oom, oom_cases);
