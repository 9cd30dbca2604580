/*
 * kernel/proc/thread.c - thread groups: joining, exiting and execve.
 *
 * A thread group is a list of struct proc headed in its leader
 * (leader->threads); each thread points at the leader. The leader's
 * struct proc holds what belongs to the group as a whole: the count of
 * threads still running (nr_threads) and the state of a group exit.
 *
 *   clone(CLONE_THREAD)   thread_attach: the new thread joins the list
 *   exit                  thread_exited: one thread ends; a thread other
 *                         than the leader becomes a zombie no one waits
 *                         for, freed by thread_reap_dead once it has
 *                         switched away for the last time
 *   exit_group, a fatal   thread_group_exit: every other thread gets
 *   signal                SIGKILL; the group's status is the first one
 *   the last thread ends  proc_exit tells the leader's parent, whose wait
 *                         reaps the leader (it may have been a zombie
 *                         for a while, waiting for its threads)
 *   execve                thread_exec_alone: the others end first, and
 *                         a thread other than the leader takes over the
 *                         leader's PID, as Linux's de_thread does
 *
 * Threads also share what clone told them to (each is reference
 * counted): the address space (mm_get/mm_put), the descriptor table
 * (fs/fd.c), the signal actions (kernel/proc/signal.c).
 *
 * Also here: the robust futex list and clear_child_tid, which a thread's
 * end acts on while its address space is still loaded.
 */
#include "kernel/proc/thread.h"

#include "kernel/proc/futex.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/arch/x86.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/mm.h"

void thread_init_leader(struct proc *p)
{
	p->tgid = p->pid;
	p->group_leader = p;
	list_init(&p->threads);
	list_init(&p->thread_node);
	list_push_back(&p->threads, &p->thread_node);
	p->nr_threads = 1;
}

void thread_attach(struct proc *t, struct proc *leader)
{
	bool was = irq_save();
	KASSERT(leader->group_leader == leader);
	list_remove(&t->thread_node);
	list_init(&t->threads);
	list_push_back(&leader->threads, &t->thread_node);
	t->tgid = leader->tgid;
	t->group_leader = leader;
	t->nr_threads = 0;
	t->thread_reap = true;
	leader->nr_threads++;
	irq_restore(was);
}

/* Robust futex lists (Linux include/uapi/linux/futex.h). */
struct robust_list_head {
	uint32_t next;		  /* the first entry, or the head itself */
	int32_t futex_offset;	  /* from an entry to its futex word */
	uint32_t list_op_pending; /* an entry being added or removed */
};
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
/* The most entries walked: a list made into a loop ends (Linux's limit). */
#define ROBUST_LIST_LIMIT 2048

/*
 * A lock p held when it ended: marks its futex word OWNER_DIED, keeping
 * the waiters bit, and wakes one waiter (Linux's handle_futex_death).
 */
static void robust_release(struct proc *p, uint32_t uaddr)
{
	uint32_t val;

	if (uaddr & 3 || copy_from_user(&val, (const void *)uaddr, 4))
		return;
	if ((val & FUTEX_TID_MASK) != (uint32_t)p->pid)
		return;
	uint32_t nval = (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_to_user((void *)uaddr, &nval, 4))
		return;
	if (val & FUTEX_WAITERS)
		futex_wake_address(p->mm, uaddr, 1, false);
}

/* Walks p's robust list as Linux's exit_robust_list does. */
static void robust_walk(struct proc *p)
{
	struct robust_list_head head;
	uint32_t uhead = p->robust_list;

	if (!uhead || copy_from_user(&head, (const void *)uhead, sizeof(head)))
		return;
	uint32_t entry = head.next;
	for (int n = 0; entry != uhead && n < ROBUST_LIST_LIMIT; n++) {
		uint32_t next;
		/* The low bit of an entry marks a PI lock: not the address. */
		if (copy_from_user(&next, (const void *)(entry & ~1u), 4))
			return;
		if (entry != head.list_op_pending)
			robust_release(p, (entry & ~1u) +
						  (uint32_t)head.futex_offset);
		entry = next;
	}
	if (head.list_op_pending)
		robust_release(p, (head.list_op_pending & ~1u) +
					  (uint32_t)head.futex_offset);
}

void thread_exit_user(struct proc *p)
{
	KASSERT(p == current);
	if (!p->mm)
		return;
	robust_walk(p);
	p->robust_list = 0;
	uint32_t tid_addr = p->clear_child_tid;
	p->clear_child_tid = 0;
	/*
	 * As Linux's mm_release: only when someone else shares the memory,
	 * who may be waiting for the word (pthread_join).
	 */
	if (tid_addr && p->mm->users > 1) {
		uint32_t zero = 0;
		if (!copy_to_user((void *)tid_addr, &zero, sizeof(zero)))
			futex_wake_address(p->mm, tid_addr, 1, false);
	}
}

bool thread_exited(struct proc *p)
{
	struct proc *leader = p->group_leader;
	bool was = irq_save();

	KASSERT(leader && leader->nr_threads > 0);
	leader->nr_threads--;
	if (p != leader) {
		/* The process's times include its threads' (/proc, wait4). */
		leader->ended_utime += p->utime;
		leader->ended_stime += p->stime;
		leader->ended_min_flt += p->min_flt;
		leader->ended_maj_flt += p->maj_flt;
	}
	if (leader->group_exec && leader->nr_threads == 1)
		sched_wakeup(&leader->group_exec);
	bool last = leader->nr_threads == 0;
	irq_restore(was);
	return last;
}

int thread_group_status(const struct proc *leader)
{
	return leader->group_exiting ? leader->group_exit_status
				     : leader->exit_status;
}

/* Frees one ended thread (a proc_for_each callback). */
static void reap_one(struct proc *p, void *ctx)
{
	(void)ctx;
	if (p->thread_reap && p->state == PROC_ZOMBIE && p != current)
		proc_free(p);
}

void thread_reap_dead(void)
{
	proc_for_each(reap_one, NULL);
}

/* Sends SIGKILL to every thread of the group but the caller. */
static void kill_others(struct proc *leader)
{
	struct list_node *n;
	list_for_each(n, &leader->threads) {
		struct proc *t = list_entry(n, struct proc, thread_node);
		if (t == current || t->state == PROC_ZOMBIE)
			continue;
		t->sig_pending |= sig_bit(SIGKILL);
		sched_interrupt(t);
	}
}

void thread_group_exit(int status)
{
	struct proc *leader = current->group_leader;
	bool was = irq_save();

	if (!leader->group_exiting) {
		leader->group_exiting = true;
		leader->group_exit_status = status;
	}
	status = leader->group_exit_status;
	kill_others(leader);
	irq_restore(was);
	proc_exit(status);
}

int thread_dying_status(const struct proc *p)
{
	const struct proc *leader = p->group_leader;

	if (leader->group_exiting)
		return leader->group_exit_status;
	if (leader->group_exec && leader->group_exec != p)
		return proc_signal_status(SIGKILL);
	return -1;
}

/*
 * The thread p, alone in its group now, becomes its leader in place of
 * old, a zombie: it takes old's PID, parent and children, and old is
 * freed (Linux's de_thread gives the old leader the thread's PID and
 * releases it).
 */
static void take_leadership(struct proc *p, struct proc *old)
{
	bool was = irq_save();
	int tid = p->pid;

	p->pid = old->pid;
	old->pid = tid;
	list_remove(&p->thread_node);
	thread_init_leader(p);
	p->thread_reap = false;
	p->parent = old->parent;
	if (p->parent)
		list_push_back(&p->parent->children, &p->sibling);
	while (!list_empty(&old->children)) {
		struct proc *c = list_entry(list_first(&old->children),
					    struct proc, sibling);
		list_remove(&c->sibling);
		c->parent = p;
		list_push_back(&p->children, &c->sibling);
	}
	p->exit_signal = old->exit_signal;
	/* The process's pending signals stay; old's own go with it. */
	uint64_t shared = old->sig_pending & old->sig_shared;
	for (int sig = 1; sig < NSIG; sig++)
		if ((shared & sig_bit(sig)) && !(p->sig_pending & sig_bit(sig)))
			p->sig_info[sig] = old->sig_info[sig];
	p->sig_pending |= shared;
	p->sig_shared = shared;
	/* The process's interval timers survive execve (kernel/proc/itimer.c). */
	memcpy(p->itimer, old->itimer, sizeof(p->itimer));
	p->start_ticks = old->start_ticks;
	p->cutime = old->cutime;
	p->cstime = old->cstime;
	p->cmin_flt = old->cmin_flt;
	p->cmaj_flt = old->cmaj_flt;
	p->cmaxrss_kb = old->cmaxrss_kb;
	/* What the process used so far stays the process's. */
	p->ended_utime = old->ended_utime + old->utime;
	p->ended_stime = old->ended_stime + old->stime;
	p->ended_min_flt = old->ended_min_flt + old->min_flt;
	p->ended_maj_flt = old->ended_maj_flt + old->maj_flt;
	proc_init_moved(old, p);
	if (p->mm)
		p->mm->trace_pid = p->pid;
	/* old's own SIGKILL (from us) is moot; it is freed now. */
	old->thread_reap = true;
	proc_free(old);
	irq_restore(was);
}

int thread_exec_alone(void)
{
	struct proc *p = current, *leader = p->group_leader;
	int err = 0;

	if (leader == p && leader->nr_threads == 1)
		return 0;
	bool was = irq_save();
	if (leader->group_exiting || leader->group_exec) {
		irq_restore(was);
		return -EINTR;
	}
	leader->group_exec = p;
	kill_others(leader);
	while (leader->nr_threads > 1) {
		if (p->sig_pending & sig_bit(SIGKILL)) {
			err = -EINTR;
			break;
		}
		sched_sleep(&leader->group_exec);
	}
	leader->group_exec = NULL;
	irq_restore(was);
	if (err)
		return err;
	/* The others have switched away for good: free them. */
	thread_reap_dead();
	if (p != leader)
		take_leadership(p, leader);
	return 0;
}

void thread_signal_group(struct proc *p, int sig, const struct ksiginfo *info)
{
	struct proc *leader = p->group_leader;
	struct proc *target = NULL, *alive = NULL;
	struct list_node *n;
	bool was = irq_save();

	list_for_each(n, &leader->threads) {
		struct proc *t = list_entry(n, struct proc, thread_node);
		if (t->state == PROC_ZOMBIE)
			continue;
		if (!alive)
			alive = t;
		if (!(t->sig_blocked & sig_bit(sig))) {
			target = t;
			break;
		}
	}
	/*
	 * Pending in the process, woken in a thread that does not block it;
	 * if every thread does, the first to unblock it takes it.
	 */
	if (!target)
		target = alive;
	/* SIGKILL is the thread's own: its waits test their own set. */
	if (target)
		signal_send_to(target, sig == SIGKILL ? target : leader,
			       sig != SIGKILL, sig, info);
	irq_restore(was);
}

unsigned int thread_count(const struct proc *p)
{
	return p->group_leader ? p->group_leader->nr_threads : 0;
}

void thread_for_each(struct proc *p, void (*fn)(struct proc *t, void *ctx),
		     void *ctx)
{
	struct proc *leader = p->group_leader;
	struct list_node *n, *tmp;

	if (!leader)
		return;
	list_for_each_safe(n, tmp, &leader->threads) {
		struct proc *t = list_entry(n, struct proc, thread_node);
		if (t == leader || t->state != PROC_ZOMBIE)
			fn(t, ctx);
	}
}

void thread_group_usage(const struct proc *p, struct proc_usage *u)
{
	const struct proc *leader = p->group_leader ? p->group_leader : p;
	struct list_node *n;

	*u = (struct proc_usage){
		.utime = leader->utime + leader->ended_utime,
		.stime = leader->stime + leader->ended_stime,
		.min_flt = leader->min_flt + leader->ended_min_flt,
		.maj_flt = leader->maj_flt + leader->ended_maj_flt,
		.maxrss_kb = proc_maxrss_kb(p),
	};
	if (!p->group_leader)
		return;
	bool was = irq_save();
	list_for_each(n, &leader->threads) {
		const struct proc *t = list_entry(n, struct proc, thread_node);
		/* An ended thread's figures are in the leader's ended_*. */
		if (t == leader || t->state == PROC_ZOMBIE)
			continue;
		u->utime += t->utime;
		u->stime += t->stime;
		u->min_flt += t->min_flt;
		u->maj_flt += t->maj_flt;
	}
	irq_restore(was);
}

bool thread_is_leader(const struct proc *p)
{
	return p->group_leader == p;
}
