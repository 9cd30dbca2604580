/*
 * kernel/proc/sys_signal.c - the signal system calls: actions, the mask,
 * waiting for signals, the alternate stack, and the return from handlers.
 *
 * Numbers, structures and error checks are Linux i386's (syscall_32.tbl,
 * kernel/proc/signal.c); the order of the checks is Linux's too, since it
 * decides which error a program sees. kill, tkill and tgkill are with the
 * other process calls in kernel/proc/sys_proc.c; alarm and the interval timers
 * in kernel/proc/itimer.c.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/string.h"

/* The size of sigset_t the rt_ calls accept: 64 signals. */
#define SIGSET_SIZE 8
/* rt_sigprocmask and sigprocmask "how". */
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* Sets the current process's mask; SIGKILL and SIGSTOP stay unblocked. */
static void set_mask(uint64_t mask)
{
	bool was = irq_save();
	current->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	irq_restore(was);
}

/*
 * Changes (act) and reads (oact) the action of sig: Linux's do_sigaction.
 * Unknown flag bits are dropped, so a program can tell which it has.
 */
static int do_sigaction(int sig, const struct ksigaction *act,
			struct ksigaction *oact)
{
	struct proc *p = current;

	if (sig < 1 || sig >= NSIG ||
	    (act && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	if (oact)
		*oact = p->sig_action[sig];
	if (act) {
		struct ksigaction *ka = &p->sig_action[sig];
		*ka = *act;
		ka->flags &= SA_KNOWN;
		ka->mask &= ~SIG_UNBLOCKABLE;
		/*
		 * POSIX: setting SIG_IGN, or SIG_DFL for a signal ignored by
		 * default, discards it if pending, blocked or not.
		 */
		if (ka->handler == SIG_IGN ||
		    (ka->handler == SIG_DFL && signal_ignored(p, sig)))
			signal_flush(p, sig_bit(sig));
	}
	return 0;
}

/* rt_sigaction(sig, act, oact, sigsetsize). */
static int32_t sys_rt_sigaction(const struct syscall_args *a)
{
	struct ksigaction act, old;

	if (a->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (a->arg[1] && copy_from_user(&act, (void *)a->arg[1], sizeof(act)))
		return -EFAULT;
	int err = do_sigaction((int)a->arg[0], a->arg[1] ? &act : NULL,
			       a->arg[2] ? &old : NULL);
	if (err)
		return err;
	if (a->arg[2] && copy_to_user((void *)a->arg[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
SYSCALL(174, rt_sigaction, sys_rt_sigaction);

/* The old struct sigaction: a 32-bit mask, and the flags after it. */
struct old_sigaction {
	uint32_t handler;
	uint32_t mask;
	uint32_t flags;
	uint32_t restorer;
};

/* sigaction(sig, act, oact): the call before rt_sigaction. */
static int32_t sys_sigaction(const struct syscall_args *a)
{
	struct old_sigaction uact;
	struct ksigaction act, old;

	if (a->arg[1]) {
		if (copy_from_user(&uact, (void *)a->arg[1], sizeof(uact)))
			return -EFAULT;
		act.handler = uact.handler;
		act.flags = uact.flags;
		act.restorer = uact.restorer;
		act.mask = uact.mask;
	}
	int err = do_sigaction((int)a->arg[0], a->arg[1] ? &act : NULL,
			       a->arg[2] ? &old : NULL);
	if (err || !a->arg[2])
		return err;
	uact.handler = old.handler;
	uact.mask = (uint32_t)old.mask;
	uact.flags = old.flags;
	uact.restorer = old.restorer;
	return copy_to_user((void *)a->arg[2], &uact, sizeof(uact));
}
SYSCALL(67, sigaction, sys_sigaction);

/*
 * signal(sig, handler): the oldest interface. The handler is reset when
 * it runs and does not block its signal (SA_RESETHAND | SA_NODEFER, the
 * System V semantics); returns the old handler.
 */
static int32_t sys_signal(const struct syscall_args *a)
{
	struct ksigaction act = { .handler = a->arg[1],
				  .flags = SA_RESETHAND | SA_NODEFER };
	struct ksigaction old;
	int err = do_sigaction((int)a->arg[0], &act, &old);
	return err ? err : (int32_t)old.handler;
}
SYSCALL(48, signal, sys_signal);

/* The new mask from how and set. */
static int change_mask(uint32_t how, uint64_t set)
{
	uint64_t mask = current->sig_blocked;

	switch (how) {
	case SIG_BLOCK:
		mask |= set;
		break;
	case SIG_UNBLOCK:
		mask &= ~set;
		break;
	case SIG_SETMASK:
		mask = set;
		break;
	default:
		return -EINVAL;
	}
	set_mask(mask);
	return 0;
}

/* rt_sigprocmask(how, set, oldset, sigsetsize). */
static int32_t sys_rt_sigprocmask(const struct syscall_args *a)
{
	uint64_t set, old = current->sig_blocked;

	if (a->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (a->arg[1]) {
		if (copy_from_user(&set, (void *)a->arg[1], sizeof(set)))
			return -EFAULT;
		int err = change_mask(a->arg[0], set);
		if (err)
			return err;
	}
	if (a->arg[2] && copy_to_user((void *)a->arg[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
SYSCALL(175, rt_sigprocmask, sys_rt_sigprocmask);

/* sigprocmask(how, set, oldset) with 32-bit sets: signals 1-32 only. */
static int32_t sys_sigprocmask(const struct syscall_args *a)
{
	uint32_t set, old = (uint32_t)current->sig_blocked;

	if (a->arg[1]) {
		if (copy_from_user(&set, (void *)a->arg[1], sizeof(set)))
			return -EFAULT;
		uint64_t full = set;
		if (a->arg[0] == SIG_SETMASK) /* the high word is kept */
			full |= current->sig_blocked & ~0xFFFFFFFFull;
		int err = change_mask(a->arg[0], full);
		if (err)
			return err;
	}
	if (a->arg[2] && copy_to_user((void *)a->arg[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
SYSCALL(126, sigprocmask, sys_sigprocmask);

/* The signals pending while blocked. */
static uint64_t blocked_pending(void)
{
	return signal_pending_set(current) & current->sig_blocked;
}

/* rt_sigpending(set, sigsetsize): a sigsetsize up to 8 bytes is copied. */
static int32_t sys_rt_sigpending(const struct syscall_args *a)
{
	uint64_t set = blocked_pending();

	if (a->arg[1] > SIGSET_SIZE)
		return -EINVAL;
	return copy_to_user((void *)a->arg[0], &set, a->arg[1]);
}
SYSCALL(176, rt_sigpending, sys_rt_sigpending);

static int32_t sys_sigpending(const struct syscall_args *a)
{
	uint32_t set = (uint32_t)blocked_pending();
	return copy_to_user((void *)a->arg[0], &set, sizeof(set));
}
SYSCALL(73, sigpending, sys_sigpending);

/* Sleeps until a signal the mask lets through is pending. */
static void wait_for_signal(void)
{
	struct proc *p = current;
	bool was = irq_save();

	while (!signal_pending(p))
		sched_sleep(&p->sig_pending); /* only a signal wakes this */
	irq_restore(was);
}

/*
 * Waits for a signal with mask as the mask. The handler that runs returns
 * to the old mask (signal_deliver saves it in the frame); so does the
 * process if none runs.
 */
static int32_t do_sigsuspend(uint64_t mask)
{
	struct proc *p = current;

	p->sig_saved_blocked = p->sig_blocked;
	set_mask(mask);
	wait_for_signal();
	p->sig_restore_blocked = true;
	return -ERESTARTNOHAND;
}

/* rt_sigsuspend(mask, sigsetsize). */
static int32_t sys_rt_sigsuspend(const struct syscall_args *a)
{
	uint64_t mask;

	if (a->arg[1] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, (void *)a->arg[0], sizeof(mask)))
		return -EFAULT;
	return do_sigsuspend(mask);
}
SYSCALL(179, rt_sigsuspend, sys_rt_sigsuspend);

/* sigsuspend(unused, unused, mask): the i386 call has the mask third. */
static int32_t sys_sigsuspend(const struct syscall_args *a)
{
	return do_sigsuspend(a->arg[2]);
}
SYSCALL(72, sigsuspend, sys_sigsuspend);

/* pause(): waits for a signal that runs a handler or ends the process. */
static int32_t sys_pause(const struct syscall_args *a)
{
	(void)a;
	wait_for_signal();
	return -ERESTARTNOHAND;
}
SYSCALL(29, pause, sys_pause);

/*
 * Reads rt_sigtimedwait's timeout into ns: -EFAULT, or -EINVAL unless
 * 0 <= tv_nsec < 10^9 and tv_sec >= 0. The 64-bit timespec's tv_nsec is a
 * 32-bit long on i386: only its low half counts, as on Linux.
 */
static int get_timeout(uint32_t uts, bool is64, int64_t *ns)
{
	int64_t sec, nsec;

	if (is64) {
		int64_t ts[2];
		if (copy_from_user(ts, (const void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts[0];
		nsec = (int32_t)ts[1];
	} else {
		int32_t ts[2];
		if (copy_from_user(ts, (const void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts[0];
		nsec = ts[1];
	}
	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	/* Waits beyond 2^32 s (136 years) are cut, keeping the sums in range. */
	if (sec > (1ll << 32))
		sec = 1ll << 32;
	*ns = sec * NSEC_PER_SEC + nsec;
	return 0;
}

/*
 * rt_sigtimedwait(set, info, timeout, sigsetsize): takes a pending
 * signal of set off the pending set and returns it, without running its
 * handler; waits for one up to timeout (NULL: for ever). The awaited
 * signals are unblocked while it waits, so that they wake it. -EAGAIN
 * when the time is up, -EINTR when another signal came (its handler runs).
 */
static int32_t do_sigtimedwait(const struct syscall_args *a, bool is64)
{
	struct proc *p = current;
	struct ksiginfo info;
	uint64_t set;
	int64_t timeout = -1;
	int err = 0;

	if (a->arg[3] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, (void *)a->arg[0], sizeof(set)))
		return -EFAULT;
	if (a->arg[2] && (err = get_timeout(a->arg[2], is64, &timeout)))
		return err;
	set &= ~SIG_UNBLOCKABLE;

	int sig = signal_dequeue(p, set, &info);
	if (!sig && timeout != 0) {
		bool was = irq_save();
		p->sig_real_blocked = p->sig_blocked;
		p->sig_blocked &= ~set;
		irq_restore(was);
		if (timeout < 0) {
			wait_for_signal();
			err = -EINTR;
		} else {
			int64_t tick = time_tick_ns();
			int64_t deadline = time_monotonic_ns() + timeout;
			err = sched_sleep_until(
				(uint64_t)((deadline + tick - 1) / tick));
		}
		was = irq_save();
		p->sig_blocked = p->sig_real_blocked;
		p->sig_real_blocked = 0;
		irq_restore(was);
		sig = signal_dequeue(p, set, &info);
	}
	if (!sig)
		return err ? -EINTR : -EAGAIN;
	if (a->arg[1] && sigframe_put_siginfo(a->arg[1], sig, &info))
		return -EFAULT;
	return sig;
}

static int32_t sys_rt_sigtimedwait(const struct syscall_args *a)
{
	return do_sigtimedwait(a, false);
}
SYSCALL(177, rt_sigtimedwait, sys_rt_sigtimedwait);

static int32_t sys_rt_sigtimedwait64(const struct syscall_args *a)
{
	return do_sigtimedwait(a, true);
}
SYSCALL(421, rt_sigtimedwait_time64, sys_rt_sigtimedwait64);

/* stack_t on i386. */
struct stack32 {
	uint32_t ss_sp;
	uint32_t ss_flags;
	uint32_t ss_size;
};

/* sigaltstack(ss, old_ss). */
static int32_t sys_sigaltstack(const struct syscall_args *a)
{
	struct proc *p = current;
	uint32_t sp = a->tf->user_esp;
	struct stack32 uss, old = {
		p->sig_altstack.sp,
		signal_altstack_flags(p, sp) |
			(p->sig_altstack.flags & SS_AUTODISARM),
		p->sig_altstack.size,
	};
	int err = 0;

	if (a->arg[0]) {
		if (copy_from_user(&uss, (void *)a->arg[0], sizeof(uss)))
			return -EFAULT;
		struct kaltstack ss = { uss.ss_sp, uss.ss_size, uss.ss_flags };
		err = signal_set_altstack(p, &ss, sp);
	}
	if (!err && a->arg[1] &&
	    copy_to_user((void *)a->arg[1], &old, sizeof(old)))
		return -EFAULT;
	return err;
}
SYSCALL(186, sigaltstack, sys_sigaltstack);

/* The returns from handlers (kernel/proc/sigframe.c). */
static int32_t sys_sigreturn(const struct syscall_args *a)
{
	return sigframe_sigreturn(a->tf);
}
SYSCALL(119, sigreturn, sys_sigreturn);

static int32_t sys_rt_sigreturn(const struct syscall_args *a)
{
	return sigframe_rt_sigreturn(a->tf);
}
SYSCALL(173, rt_sigreturn, sys_rt_sigreturn);
