/*
 * tests/kernel/test_threads.c - thread groups and futex keys, on made-up
 * threads that are never scheduled.
 *
 * The bookkeeping of kernel/proc/thread.c: joining a group, counting and
 * listing its threads, what an ended thread leaves in its leader's totals;
 * which thread a process-directed signal goes to; and futex wakes that find
 * nobody, or are refused for their address (kernel/proc/futex.c). The
 * threads really running are tested by tests/user/thread_*.c against
 * Linux.
 */
#include "kernel/ktest.h"
#include "kernel/proc/futex.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "libk/errno.h"
#include "libk/string.h"

#define TEST_TGID 31000

/* Actions shared by the made-up threads: all SIG_DFL. */
static struct sighand test_actions;

/* A made-up thread: runnable (so a signal never queues it to run). */
static void fake_thread(struct proc *p, int pid)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->state = PROC_RUNNABLE;
	p->sighand = &test_actions;
	p->sig_action = test_actions.action;
	thread_init_leader(p);
}

struct visit {
	int tids[4];
	int n;
};

static void record(struct proc *t, void *ctx)
{
	struct visit *v = ctx;
	if (v->n < 4)
		v->tids[v->n++] = t->pid;
}

static void group_bookkeeping(struct ktest *t)
{
	static struct proc leader, a, b;
	fake_thread(&leader, TEST_TGID);
	fake_thread(&a, TEST_TGID + 1);
	fake_thread(&b, TEST_TGID + 2);
	thread_attach(&a, &leader);
	thread_attach(&b, &leader);

	KT_EXPECT_EQ(t, thread_count(&leader), 3);
	KT_EXPECT_EQ(t, thread_count(&b), 3);
	KT_EXPECT(t, a.tgid == TEST_TGID && b.group_leader == &leader);
	KT_EXPECT(t, thread_is_leader(&leader) && !thread_is_leader(&a));
	struct visit v = { .n = 0 };
	thread_for_each(&a, record, &v);
	KT_EXPECT(t, v.n == 3 && v.tids[0] == TEST_TGID &&
			     v.tids[1] == TEST_TGID + 1 &&
			     v.tids[2] == TEST_TGID + 2);

	/* Thread a ends: its time moves to the leader's totals. */
	leader.utime = 5;
	a.utime = 7;
	a.min_flt = 3;
	b.utime = 11;
	a.state = PROC_ZOMBIE;
	KT_EXPECT(t, !thread_exited(&a));
	KT_EXPECT_EQ(t, thread_count(&leader), 2);
	v.n = 0;
	thread_for_each(&leader, record, &v);
	KT_EXPECT(t, v.n == 2 && v.tids[1] == TEST_TGID + 2);
	struct proc_usage u;
	thread_group_usage(&b, &u);
	KT_EXPECT_EQ(t, u.utime, 5 + 7 + 11);
	KT_EXPECT_EQ(t, u.min_flt, 3);
	thread_group_usage(&a, &u);
	KT_EXPECT_EQ(t, u.utime, 5 + 7 + 11);

	/* The leader ends first: it is still listed, the group lives on. */
	leader.state = PROC_ZOMBIE;
	KT_EXPECT(t, !thread_exited(&leader));
	v.n = 0;
	thread_for_each(&b, record, &v);
	KT_EXPECT(t, v.n == 2 && v.tids[0] == TEST_TGID);
	KT_EXPECT_EQ(t, thread_group_status(&leader), leader.exit_status);
	b.state = PROC_ZOMBIE;
	KT_EXPECT(t, thread_exited(&b)); /* the last one */
	KT_EXPECT_EQ(t, thread_count(&leader), 0);
}

static void group_signal_target(struct ktest *t)
{
	static struct proc leader, a, b;
	struct ksiginfo info;
	fake_thread(&leader, TEST_TGID);
	fake_thread(&a, TEST_TGID + 1);
	fake_thread(&b, TEST_TGID + 2);
	thread_attach(&a, &leader);
	thread_attach(&b, &leader);
	uint64_t usr1 = sig_bit(SIGUSR1), usr2 = sig_bit(SIGUSR2);

	/* The process's: pending in the leader, marked shared, seen by all. */
	thread_signal_group(&a, SIGUSR1, NULL);
	KT_EXPECT(t, (leader.sig_pending & leader.sig_shared & usr1) &&
		     !(a.sig_pending & usr1));
	KT_EXPECT(t, signal_pending(&a) && signal_pending(&b));
	KT_EXPECT_EQ(t, signal_dequeue(&b, usr1, &info), SIGUSR1);
	KT_EXPECT(t, !(signal_pending_set(&a) & usr1) &&
		     !(leader.sig_shared & usr1));
	/* Only a thread that does not block it has it pending unblocked. */
	leader.sig_blocked = a.sig_blocked = usr2;
	thread_signal_group(&leader, SIGUSR2, NULL);
	KT_EXPECT(t, signal_pending(&b) && !signal_pending(&a) &&
		     !signal_pending(&leader));
	/* Blocked everywhere: it waits for the first thread to unblock it. */
	b.sig_blocked = usr2;
	KT_EXPECT(t, !signal_pending(&a) && !signal_pending(&b));
	KT_EXPECT(t, signal_pending_set(&b) & usr2);
	a.sig_blocked = 0;
	KT_EXPECT(t, signal_pending(&a));
	KT_EXPECT_EQ(t, signal_dequeue(&a, ~a.sig_blocked, &info), SIGUSR2);
	KT_EXPECT(t, !(leader.sig_pending & usr2));
	/* A thread's own signal (tgkill) stays its own. */
	signal_send(&b, SIGUSR1, NULL);
	KT_EXPECT(t, (b.sig_pending & usr1) && !(signal_pending_set(&a) & usr1));
	KT_EXPECT_EQ(t, signal_dequeue(&a, usr1, &info), 0);
	b.sig_pending = 0;
	/* A zombie leader still keeps the process's signals. */
	leader.state = PROC_ZOMBIE;
	thread_signal_group(&b, SIGUSR1, NULL);
	KT_EXPECT(t, (leader.sig_pending & leader.sig_shared & usr1) &&
		     signal_pending(&a));
	KT_EXPECT_EQ(t, signal_dequeue(&a, usr1, &info), SIGUSR1);
	/* SIGKILL goes to the woken thread's own set. */
	thread_signal_group(&b, SIGKILL, NULL);
	KT_EXPECT(t, (a.sig_pending & sig_bit(SIGKILL)) &&
		     !(leader.sig_pending & sig_bit(SIGKILL)));
	a.sig_pending = 0;
}

static void futex_wake_edges(struct ktest *t)
{
	static struct proc owner; /* stands for an address space's key */
	struct mm *mm = (struct mm *)&owner;
	unsigned int before = futex_waiters();

	KT_EXPECT_EQ(t, futex_wake_address(mm, 0x10000, 1, true), 0);
	KT_EXPECT_EQ(t, futex_wake_address(mm, 0x10002, 1, true), -EINVAL);
	KT_EXPECT_EQ(t, futex_wake_address(mm, 0xC0000000u, 1, true), -EFAULT);
	KT_EXPECT_EQ(t, futex_wake_address(mm, 0xFFFFFFFCu, 1, true), -EFAULT);
	KT_EXPECT_EQ(t, futex_wake_address(NULL, 0x10000, 1, true), -EFAULT);
	KT_EXPECT_EQ(t, futex_waiters(), before);
}

static const struct ktest_case threads_cases[] = {
	KTEST_CASE(group_bookkeeping),
	KTEST_CASE(group_signal_target),
	KTEST_CASE(futex_wake_edges),
};
KTEST_SUITE(threads, threads_cases);
