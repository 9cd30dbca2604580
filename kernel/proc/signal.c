/*
 * kernel/proc/signal.c - sending signals and acting on them.
 *
 * Each process has a pending set and a mask (blocked set) of the 64
 * signals, and an action for each (kernel/proc/signal.h). Sending sets the
 * pending bit and remembers the siginfo of that signal; a signal that is
 * already pending is not queued again (one instance of each, which is
 * what Linux does for signals 1-31; it queues real-time signals 32-64,
 * Pagoda does not). A signal the process ignores is dropped at once unless
 * it is blocked: by the time it is unblocked, the action may have changed.
 *
 * Nothing happens to the process until it next returns to user mode
 * (signal_deliver, called by trap_return_to_user for every system call,
 * interrupt and exception from user mode). There, for each pending signal
 * that is not blocked, SIGKILL first, then faults, then by number:
 *
 *   SIG_IGN, or SIG_DFL of a signal whose default is to be ignored: nothing;
 *   SIG_DFL otherwise: the process ends, killed by the signal;
 *   a handler: sigframe_setup saves the registers on the user stack and
 *     makes the return go to the handler, with the signal (and sa_mask)
 *     blocked. The next pending signal may stack a frame on top of that
 *     one: its handler then runs first.
 *
 * A system call that slept returns -ERESTART* when a signal woke it; here
 * that becomes -EINTR, or the call is made again by moving EIP back over
 * the two bytes of `int 0x80` with the call number back in EAX (see
 * libk/errno.h for which applies when).
 *
 * Everything is done with interrupts off where the timer interrupt (which
 * sends SIGALRM) could see half of a change.
 */
#include "kernel/proc/signal.h"

#include "drivers/pit.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/thread.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"

/* Faults are delivered before any other signal (Linux SYNCHRONOUS_MASK). */
#define SYNCHRONOUS_MASK                                                       \
	((1ull << (SIGSEGV - 1)) | (1ull << (SIGBUS - 1)) |                    \
	 (1ull << (SIGILL - 1)) | (1ull << (SIGTRAP - 1)) |                    \
	 (1ull << (SIGFPE - 1)) | (1ull << (SIGSYS - 1)))

/* `int 0x80` is two bytes, CD 80: moving back over it makes the call again. */
#define INT80_LENGTH 2

/* Clock ticks of si_utime and si_stime (USER_HZ, AT_CLKTCK). */
#define USER_HZ 100

/*
 * What a signal does by default (signal(7)): the process ends, stops
 * (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: kernel/proc/jobctl.c), or the signal
 * is ignored. SIGCONT's continuing happens when it is sent; its default
 * action at delivery is to be ignored.
 */
static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
	       sig == SIGCONT;
}

bool signal_ignored(const struct proc *p, int sig)
{
	uint32_t h = p->sig_action[sig].handler;

	if (sig == SIGKILL)
		return false;
	return h == SIG_IGN || (h == SIG_DFL && default_ignored(sig));
}

/* Sets the mask; SIGKILL and SIGSTOP are never blocked. */
static void set_blocked(struct proc *p, uint64_t mask)
{
	bool was = irq_save();
	p->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	irq_restore(was);
}

/* signal_pending_set(), inline for the return to user mode. */
static inline uint64_t pending_set(const struct proc *p)
{
	const struct proc *leader = p->group_leader;
	uint64_t set = p->sig_pending;
	if (leader && leader != p)
		set |= leader->sig_pending & leader->sig_shared;
	return set;
}

uint64_t signal_pending_set(const struct proc *p)
{
	return pending_set(p);
}

bool signal_pending(struct proc *p)
{
	/*
	 * Only signals that act or are awaited are ever pending and not
	 * blocked (signal_send drops ignored ones).
	 */
	return (signal_pending_set(p) & ~p->sig_blocked) != 0;
}


void signal_send(struct proc *p, int sig, const struct ksiginfo *info)
{
	signal_send_to(p, p, false, sig, info);
}

void signal_send_to(struct proc *p, struct proc *store, bool shared, int sig,
		    const struct ksiginfo *info)
{
	static const struct ksiginfo from_kernel = { .code = SI_KERNEL };
	uint64_t bit = sig_bit(sig);
	bool was = irq_save();

	if (p->state == PROC_ZOMBIE)
		goto out;
	/* SIGCONT continues even a process that ignores it. */
	jobctl_signal_sent(p, sig);
	/*
	 * A signal rt_sigtimedwait unblocked while it waits still counts as
	 * blocked (it is what the process waits for).
	 */
	if (!((p->sig_blocked | p->sig_real_blocked) & bit) &&
	    signal_ignored(p, sig))
		goto out;
	if (!(store->sig_pending & bit)) {
		store->sig_pending |= bit;
		store->sig_shared &= ~bit;
		store->sig_info[sig] = info ? *info : from_kernel;
	}
	if (shared)
		store->sig_shared |= bit;
	if (signal_pending(p))
		sched_interrupt(p);
out:
	irq_restore(was);
}

void signal_force(int sig, const struct ksiginfo *info)
{
	struct proc *p = current;
	bool was = irq_save();

	p->sig_forced |= sig_bit(sig);

	if ((p->sig_blocked & sig_bit(sig)) ||
	    p->sig_action[sig].handler == SIG_IGN) {
		p->sig_action[sig].handler = SIG_DFL;
		p->sig_blocked &= ~sig_bit(sig);
	}
	irq_restore(was);
	signal_send(p, sig, info);
}

/* A signal that must end the process whatever it asked for. */
static void force_fatal(int sig, const struct ksiginfo *info)
{
	current->sig_action[sig].handler = SIG_DFL;
	signal_force(sig, info);
}

/*
 * Whether a signal a process sends to init is discarded at once, as
 * Linux's sig_task_ignored() does for init (SIGNAL_UNKILLABLE): SIGKILL
 * and SIGSTOP always, the others when their action is the default and
 * they are not blocked nor awaited by rt_sigtimedwait (a blocked one
 * stays pending: init may set a handler before unblocking it, and is
 * spared at delivery otherwise).
 */
static bool init_discards(const struct proc *p, int sig)
{
	if (sig == SIGKILL || sig == SIGSTOP)
		return true;
	return !((p->sig_blocked | p->sig_real_blocked) & sig_bit(sig)) &&
	       p->sig_action[sig].handler == SIG_DFL;
}

static int do_kill(int pid, int sig, int code, bool check)
{
	struct proc *p = proc_find(pid);
	/* tkill and tgkill aim at one thread, kill at the whole process. */
	bool group = code != SI_TKILL;

	if (p && group)
		p = p->group_leader;
	if (!p || (group ? p->nr_threads == 0 : p->state == PROC_ZOMBIE))
		return -ESRCH;
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	/*
	 * Another user's process only for root; SIGCONT within a session
	 * always (Linux's check_kill_permission). Signal 0 is checked too.
	 */
	if (check && !cred_may_signal(&current->cred, &p->cred) &&
	    !(sig == SIGCONT && p->sid == current->sid))
		return -EPERM;
	if (sig == 0)
		return 0; /* only asks whether the process exists */
	/* Init gets only what it asked for; the sender still sees 0. */
	if (proc_is_init(p) && init_discards(p, sig))
		return 0;
	struct ksiginfo info = { .code = code, .pid = current->tgid };
	if (group)
		thread_signal_group(p, sig, &info);
	else
		signal_send(p, sig, &info);
	return 0;
}

int signal_kill(int pid, int sig, int code)
{
	return do_kill(pid, sig, code, true);
}

int signal_kill_unchecked(int pid, int sig, int code)
{
	return do_kill(pid, sig, code, false);
}

int proc_kill(int pid, int sig)
{
	return signal_kill(pid, sig, SI_USER);
}

int signal_dequeue(struct proc *p, uint64_t set, struct ksiginfo *info)
{
	bool was = irq_save();
	/* The thread's own signals first, then the process's (as Linux). */
	struct proc *from = p;
	uint64_t ready = p->sig_pending & set;
	int sig = 0;

	if (!ready && p->group_leader && p->group_leader != p) {
		from = p->group_leader;
		ready = from->sig_pending & from->sig_shared & set;
	}
	if (ready) {
		/* SIGKILL ends the process before any handler can run. */
		if (ready & sig_bit(SIGKILL))
			ready = sig_bit(SIGKILL);
		else if (ready & SYNCHRONOUS_MASK)
			ready &= SYNCHRONOUS_MASK;
		sig = __builtin_ctzll(ready) + 1;
		from->sig_pending &= ~sig_bit(sig);
		from->sig_shared &= ~sig_bit(sig);
		*info = from->sig_info[sig];
	}
	irq_restore(was);
	if (sig == SIGALRM)
		itimer_alarm_taken(p);
	return sig;
}

void signal_flush(struct proc *p, uint64_t set)
{
	bool was = irq_save();
	p->sig_pending &= ~set;
	p->sig_shared &= ~set;
	/* The process's own pending signals too (Linux's flush_sigqueue_mask
	 * of shared_pending). */
	if (p->group_leader && p->group_leader != p) {
		struct proc *l = p->group_leader;
		l->sig_pending &= ~(set & l->sig_shared);
		l->sig_shared &= ~set;
	}
	irq_restore(was);
}

/*
 * The process ends, killed by sig, every thread of it; a fault prints its
 * one-line report. A thread whose group is already ending just ends.
 */
static __attribute__((noreturn)) void die(int sig, const struct ksiginfo *info)
{
	int status = thread_dying_status(current);
	if (status >= 0)
		proc_exit(status);
	if (info->reason)
		proc_fault_kill(sig, info->report_addr, info->eip,
				info->reason);
	thread_group_exit(proc_signal_status(sig));
}

/* Whether a system call's result asks for -EINTR or a restart. */
static bool is_restart(int32_t ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	       ret == -ERESTARTNOHAND;
}

/* The call is made again when the process returns to user mode. */
static void restart_syscall(struct trapframe *tf)
{
	tf->eax = (uint32_t)current->syscall_nr;
	tf->eip -= INT80_LENGTH;
}

/* An interrupted system call whose process runs handler ka now. */
static void syscall_interrupted(struct trapframe *tf,
				const struct ksigaction *ka)
{
	switch ((int32_t)tf->eax) {
	case -ERESTARTNOHAND:
		tf->eax = (uint32_t)-EINTR;
		break;
	case -ERESTARTSYS:
		if (!(ka->flags & SA_RESTART)) {
			tf->eax = (uint32_t)-EINTR;
			break;
		}
		restart_syscall(tf);
		break;
	case -ERESTARTNOINTR:
		restart_syscall(tf);
		break;
	}
}

/* An interrupted system call and no handler ran: it is made again. */
static void syscall_resumed(struct trapframe *tf)
{
	switch ((int32_t)tf->eax) {
	case -ERESTARTNOHAND:
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
		restart_syscall(tf);
		break;
	}
}

/*
 * The frame for sig could not be written (the stack is not writable, or
 * the alternate stack is too small): Linux's force_sigsegv. A failed
 * SIGSEGV frame ends the process; for another signal, SIGSEGV is sent and
 * its own handler, if any, gets a chance.
 */
static void frame_failed(int sig, const struct trapframe *tf)
{
	struct ksiginfo info = {
		.code = SI_KERNEL,
		.reason = "no room for a signal frame on the stack",
		.report_addr = tf->user_esp,
		.eip = tf->eip,
	};

	if (sig == SIGSEGV)
		force_fatal(SIGSEGV, &info);
	else
		signal_force(SIGSEGV, &info);
}

/*
 * signal_deliver() with something to do: a signal pending and not
 * blocked, a system call to restart or finish, or a mask to put back.
 */
static __attribute__((noinline)) void deliver(struct trapframe *tf,
					      struct proc *p, bool in_syscall)
{
	struct ksiginfo info;
	int sig;

	while ((sig = signal_dequeue(p, ~p->sig_blocked, &info))) {
		struct ksigaction ka = p->sig_action[sig];

		if (ka.handler == SIG_IGN)
			continue;
		bool forced = p->sig_forced & sig_bit(sig);

		p->sig_forced &= ~sig_bit(sig);
		if (ka.handler == SIG_DFL) {
			if (default_ignored(sig))
				continue;
			/*
			 * Init is spared a default action (Linux's get_signal()
			 * for SIGNAL_UNKILLABLE), except the kernel's SIGKILL
			 * (the OOM killer's last resort) and a fault it forced:
			 * those end even init, and with it the machine.
			 */
			if (proc_is_init(p) && sig != SIGKILL && !forced)
				continue;
			if (jobctl_is_stop_signal(sig)) {
				/*
				 * The terminal's stop signals do not stop an
				 * orphaned group: nobody could continue it.
				 */
				if (sig == SIGSTOP || !jobctl_pgrp_orphaned(p->pgid))
					jobctl_stop(sig);
				continue;
			}
			die(sig, &info);
		}
		if (ka.flags & SA_RESETHAND)
			p->sig_action[sig].handler = SIG_DFL;
		if (in_syscall) {
			syscall_interrupted(tf, &ka);
			in_syscall = false;
		}
		/* After sigsuspend, the handler returns to the old mask. */
		uint64_t old = p->sig_restore_blocked ? p->sig_saved_blocked
						      : p->sig_blocked;
		if (sigframe_setup(tf, sig, &ka, &info, old)) {
			frame_failed(sig, tf);
			continue;
		}
		p->sig_restore_blocked = false;
		uint64_t mask = p->sig_blocked | ka.mask;
		if (!(ka.flags & SA_NODEFER))
			mask |= sig_bit(sig);
		set_blocked(p, mask);
		if (p->sig_altstack.flags & SS_AUTODISARM) {
			p->sig_altstack.sp = p->sig_altstack.size = 0;
			p->sig_altstack.flags = SS_DISABLE;
		}
	}
	if (in_syscall)
		syscall_resumed(tf);
	p->syscall_nr = -1;
	if (p->sig_restore_blocked) {
		p->sig_restore_blocked = false;
		set_blocked(p, p->sig_saved_blocked);
	}
}

void signal_deliver(struct trapframe *tf)
{
	struct proc *p = current;
	bool in_syscall = tf->vector == T_SYSCALL && p->syscall_nr >= 0;

	/*
	 * The common case, nothing to do, without turning interrupts off
	 * and in few instructions (every return to user mode asks): a
	 * signal sent just after this look waits for the next trap.
	 */
	if (!(in_syscall && is_restart((int32_t)tf->eax)) &&
	    !p->sig_restore_blocked && !(pending_set(p) & ~p->sig_blocked))
		return;
	deliver(tf, p, in_syscall);
}

int signal_init_proc(struct proc *p)
{
	p->sighand = kzalloc(sizeof(*p->sighand), GFP_KERNEL);
	if (!p->sighand)
		return -ENOMEM;
	p->sighand->users = 1;
	p->sig_action = p->sighand->action;
	return 0;
}

int signal_fork(struct proc *child, const struct proc *parent, bool share)
{
	if (share) {
		child->sighand = parent->sighand;
		child->sighand->users++;
		child->sig_action = child->sighand->action;
	} else {
		int err = signal_init_proc(child);
		if (err)
			return err;
		memcpy(child->sighand->action, parent->sig_action,
		       sizeof(child->sighand->action));
	}
	child->sig_blocked = parent->sig_blocked;
	child->sig_altstack = parent->sig_altstack;
	/* Nothing pending, no timers (memset by proc_alloc). */
	child->syscall_nr = -1;
	return 0;
}

int signal_unshare(struct proc *p)
{
	struct sighand *shared = p->sighand;

	if (shared->users == 1)
		return 0;
	int err = signal_init_proc(p);
	if (err) {
		p->sighand = shared;
		p->sig_action = shared->action;
		return err;
	}
	memcpy(p->sighand->action, shared->action, sizeof(shared->action));
	shared->users--;
	return 0;
}

void signal_release(struct proc *p)
{
	if (p->sighand && --p->sighand->users == 0)
		kfree(p->sighand);
	p->sighand = NULL;
	p->sig_action = NULL;
}

void signal_exec(struct proc *p)
{
	/* Handlers do not survive exec; ignored signals stay ignored. */
	for (int sig = 1; sig < NSIG; sig++) {
		struct ksigaction *ka = &p->sig_action[sig];
		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
	/* The mask and the pending signals stay; the altstack goes. */
	p->sig_altstack.sp = p->sig_altstack.size = 0;
}

void signal_notify_parent(struct proc *p, int status)
{
	struct proc *parent = p->parent;

	if (!parent || !p->exit_signal)
		return;
	/*
	 * clone() lets a child choose any exit signal; init, its parent
	 * from the start, gets it only if it asked for it (SIGKILL from an
	 * ending child used to end the machine).
	 */
	if (proc_is_init(parent) && init_discards(parent, p->exit_signal))
		return;
	/* Every thread's time (the caller is its process's last thread). */
	struct proc_usage use;
	thread_group_usage(p, &use);
	struct ksiginfo info = {
		.pid = p->pid,
		.utime = (uint32_t)(use.utime * USER_HZ / pit_hz()),
		.stime = (uint32_t)(use.stime * USER_HZ / pit_hz()),
	};
	if (status & 0x7f) {
		info.code = CLD_KILLED;
		info.status = status & 0x7f;
	} else {
		info.code = CLD_EXITED;
		info.status = (status >> 8) & 0xff;
	}
	/* To the parent process: any of its threads not blocking it. */
	if (parent->group_leader)
		thread_signal_group(parent, p->exit_signal, &info);
	else
		signal_send(parent, p->exit_signal, &info);
}

/* Alternate signal stacks (sigaltstack(2)). */

bool signal_on_altstack(const struct proc *p, uint32_t sp)
{
	const struct kaltstack *ss = &p->sig_altstack;

	/*
	 * With SS_AUTODISARM the stack is disarmed while a handler runs on
	 * it, so a process is never "on" it (Linux's on_sig_stack).
	 */
	if (ss->flags & SS_AUTODISARM)
		return false;
	/* The stack grows down: its top, sp + size, is still on it. */
	return sp > ss->sp && sp - ss->sp <= ss->size;
}

uint32_t signal_altstack_flags(const struct proc *p, uint32_t sp)
{
	if (!p->sig_altstack.size)
		return SS_DISABLE;
	return signal_on_altstack(p, sp) ? SS_ONSTACK : 0;
}

int signal_set_altstack(struct proc *p, const struct kaltstack *ss, uint32_t sp)
{
	struct kaltstack *cur = &p->sig_altstack;
	uint32_t mode = ss->flags & ~SS_AUTODISARM;

	/* A handler may not move the stack it is running on. */
	if (signal_on_altstack(p, sp))
		return -EPERM;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return -EINVAL;
	if (cur->sp == ss->sp && cur->size == ss->size &&
	    cur->flags == ss->flags)
		return 0;
	if (mode == SS_DISABLE) {
		cur->sp = cur->size = 0;
	} else {
		if (ss->size < MINSIGSTKSZ)
			return -ENOMEM;
		cur->sp = ss->sp;
		cur->size = ss->size;
	}
	cur->flags = ss->flags;
	return 0;
}
