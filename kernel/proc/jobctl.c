/*
 * kernel/proc/jobctl.c - job control: sessions, process groups, stop and
 * continue, and the system calls setpgid, getpgid, getpgrp, setsid,
 * getsid and kill(2) of groups (kernel/proc/jobctl.h).
 *
 * Invariants: a session leader has sid == pid, a group leader pgid == pid;
 * a process's group is always in its own session (setpgid refuses to move
 * a process into a group of another session). Groups and sessions are not
 * objects of their own: a group exists while some process has its pgid,
 * so the lookups walk the process list (a few dozen processes at most).
 *
 * A stopped process sleeps in jobctl_stop(), called from signal delivery
 * on its way back to user mode, on the channel &p->jobctl_stopped. Only
 * SIGCONT (which clears the flag, at send time as POSIX asks) and SIGKILL
 * wake it for good; other signals stay pending until it runs again.
 *
 * Locking: the fields are changed with interrupts off, since the terminal
 * sends ^C/^Z signals to groups from its interrupt handler.
 */
#include "kernel/proc/jobctl.h"

#include "fs/tty.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/thread.h"
#include "kernel/syscall/syscall.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"

/* SIGCHLD si_code of a stop and a continue (asm-generic/siginfo.h). */
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

#define STOP_SIGNALS                                                           \
	(sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) |              \
	 sig_bit(SIGTTOU))

void jobctl_fork(struct proc *child, const struct proc *parent)
{
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	child->jobctl_stopped = false;
	child->jobctl_execed = false;
	child->jobctl_report = 0;
}

void jobctl_exit(struct proc *p)
{
	if (p->sid == p->pid)
		tty_session_ended(p->sid);
}

/*
 * Tells p's parent that p stopped or continued: SIGCHLD (unless the
 * parent asked for SA_NOCLDSTOP) and a wakeup of its wait4.
 */
static void notify_parent(struct proc *p, int code, int sig)
{
	struct proc *parent = p->parent;

	if (!parent)
		return;
	if (!(parent->sig_action[SIGCHLD].flags & SA_NOCLDSTOP)) {
		struct ksiginfo info = {
			.code = code,
			.pid = p->pid,
			.status = sig,
		};
		signal_send(parent, SIGCHLD, &info);
	}
	sched_wakeup(parent);
}

/* Drops pending signals of set from p and from its process's own. */
static void drop_pending(struct proc *p, uint64_t set)
{
	struct proc *l = p->group_leader ? p->group_leader : p;
	p->sig_pending &= ~set;
	l->sig_pending &= ~(set & l->sig_shared);
}

void jobctl_signal_sent(struct proc *p, int sig)
{
	if (sig == SIGCONT) {
		drop_pending(p, STOP_SIGNALS);
		if (p->jobctl_stopped) {
			p->jobctl_stopped = false;
			p->jobctl_report = JOBCTL_CONTINUED_STATUS;
			notify_parent(p, CLD_CONTINUED, SIGCONT);
			sched_wakeup(&p->jobctl_stopped);
		}
	} else if (jobctl_is_stop_signal(sig)) {
		drop_pending(p, sig_bit(SIGCONT));
	}
}

void jobctl_stop(int sig)
{
	struct proc *p = current;
	bool was = irq_save();

	p->jobctl_stopped = true;
	p->jobctl_report = jobctl_stop_status(sig);
	notify_parent(p, CLD_STOPPED, sig);
	while (p->jobctl_stopped && !(p->sig_pending & sig_bit(SIGKILL)))
		sched_sleep(&p->jobctl_stopped);
	p->jobctl_stopped = false;
	irq_restore(was);
}

bool jobctl_wait_report(struct proc *c, int options, int *status)
{
	int r = c->jobctl_report;

	if (!r)
		return false;
	if (r == JOBCTL_CONTINUED_STATUS ? !(options & WCONTINUED)
					 : !(options & WUNTRACED))
		return false;
	*status = r;
	if (!(options & WNOWAIT))
		c->jobctl_report = 0;
	return true;
}

/* --- groups ------------------------------------------------------------- */

struct pgrp_walk {
	int pgid, sid;
	int sig;
	bool unchecked; /* for the kernel: no permission check */
	int found;   /* members seen */
	int sent;    /* members signalled */
	int err;     /* the last error from signal_kill */
	bool orphan; /* no member has a parent outside it in its session */
};

/*
 * Signals from a group walk go to processes, not to each thread: only a
 * thread group's leader stands for it, until its last thread has ended.
 */
static bool group_gone(const struct proc *p)
{
	return p->state == PROC_ZOMBIE && p->nr_threads == 0;
}

static void kill_member(struct proc *p, void *ctx)
{
	struct pgrp_walk *w = ctx;

	if (p->pgid != w->pgid || !thread_is_leader(p) || group_gone(p))
		return;
	w->found++;
	int err = w->unchecked ? signal_kill_unchecked(p->pid, w->sig, SI_USER)
			       : signal_kill(p->pid, w->sig, SI_USER);
	if (err)
		w->err = err;
	else
		w->sent++;
}

static void tty_signal_member(struct proc *p, void *ctx)
{
	struct pgrp_walk *w = ctx;

	if (p->pgid != w->pgid || !thread_is_leader(p) || group_gone(p))
		return;
	if (proc_is_init(p) && p->sig_action[w->sig].handler == SIG_DFL)
		return;
	thread_signal_group(p, w->sig, NULL);
}

void jobctl_tty_signal(int pgid, int sig)
{
	struct pgrp_walk w = { .pgid = pgid, .sig = sig };
	bool was = irq_save();

	proc_for_each(tty_signal_member, &w);
	irq_restore(was);
}

static int kill_pgrp(int pgid, int sig, bool unchecked)
{
	struct pgrp_walk w = { .pgid = pgid, .sig = sig,
			       .unchecked = unchecked };

	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	proc_for_each(kill_member, &w);
	if (!w.found)
		return -ESRCH;
	return w.sent ? 0 : w.err;
}

int jobctl_kill_pgrp(int pgid, int sig)
{
	return kill_pgrp(pgid, sig, false);
}

int jobctl_kill_pgrp_unchecked(int pgid, int sig)
{
	return kill_pgrp(pgid, sig, true);
}

static void find_in_session(struct proc *p, void *ctx)
{
	struct pgrp_walk *w = ctx;

	if (p->pgid == w->pgid && p->sid == w->sid && p->state != PROC_ZOMBIE)
		w->found++;
}

bool jobctl_pgrp_in_session(int pgid, int sid)
{
	struct pgrp_walk w = { .pgid = pgid, .sid = sid };

	proc_for_each(find_in_session, &w);
	return w.found > 0;
}

static void check_orphan(struct proc *p, void *ctx)
{
	struct pgrp_walk *w = ctx;
	struct proc *parent = p->parent;

	if (p->pgid != w->pgid || p->state == PROC_ZOMBIE || !parent)
		return;
	if (parent->pgid != p->pgid && parent->sid == p->sid)
		w->orphan = false;
}

bool jobctl_pgrp_orphaned(int pgid)
{
	struct pgrp_walk w = { .pgid = pgid, .orphan = true };

	proc_for_each(check_orphan, &w);
	return w.orphan;
}

/* --- system calls ------------------------------------------------------- */

/* Counts the live members of group w->pgid. */
static void find_group(struct proc *p, void *ctx)
{
	struct pgrp_walk *w = ctx;

	if (p->pgid == w->pgid && p->state != PROC_ZOMBIE)
		w->found++;
}

/*
 * setpgid(pid, pgid): moves pid (0: the caller), which must be the caller
 * or one of its children in its session, into group pgid (0: pid's own),
 * which must be pid itself or a group of the same session. A session
 * leader cannot move (EPERM), nor can a child after its execve (EACCES),
 * as on Linux.
 */
static int32_t sys_setpgid(const struct syscall_args *a)
{
	int pid = (int)a->arg[0], pgid = (int)a->arg[1];
	struct proc *p;

	if (pgid < 0)
		return -EINVAL;
	if (pid == 0)
		pid = current->pid;
	if (pgid == 0)
		pgid = pid;
	p = proc_find(pid);
	if (!p || p->state == PROC_ZOMBIE ||
	    (p != current && p->parent != current))
		return -ESRCH;
	if (p != current && p->sid != current->sid)
		return -EPERM;
	/* A child that has run another program: EACCES, as on Linux. */
	if (p != current && p->jobctl_execed)
		return -EACCES;
	if (p->sid == p->pid)
		return -EPERM;
	if (pgid != pid && !jobctl_pgrp_in_session(pgid, current->sid))
		return -EPERM;
	bool was = irq_save();
	p->pgid = pgid;
	irq_restore(was);
	return 0;
}
SYSCALL(57, setpgid, sys_setpgid);

/* getpgid(pid): the group of pid (0: the caller). */
static int32_t sys_getpgid(const struct syscall_args *a)
{
	int pid = (int)a->arg[0];
	struct proc *p = pid ? proc_find(pid) : current;

	if (pid < 0 || !p)
		return -ESRCH;
	return p->pgid;
}
SYSCALL(132, getpgid, sys_getpgid);

static int32_t sys_getpgrp(const struct syscall_args *a)
{
	(void)a;
	return current->pgid;
}
SYSCALL(65, getpgrp, sys_getpgrp);

/*
 * setsid(): a new session and group led by the caller, with no
 * controlling terminal. A group leader cannot (EPERM): its group would
 * end up split over two sessions.
 */
static int32_t sys_setsid(const struct syscall_args *a)
{
	struct pgrp_walk w = { .pgid = current->pid };

	(void)a;
	proc_for_each(find_group, &w);
	if (w.found)
		return -EPERM;
	bool was = irq_save();
	current->sid = current->pgid = current->pid;
	irq_restore(was);
	return current->sid;
}
SYSCALL(66, setsid, sys_setsid);

/* getsid(pid): the session of pid (0: the caller). */
static int32_t sys_getsid(const struct syscall_args *a)
{
	int pid = (int)a->arg[0];
	struct proc *p = pid ? proc_find(pid) : current;

	if (pid < 0 || !p)
		return -ESRCH;
	return p->sid;
}
SYSCALL(147, getsid, sys_getsid);

struct kill_all {
	int sig;
	int tried; /* processes tried, refused ones included */
	int err;   /* the last error other than EPERM, or 0 */
};

static void kill_other(struct proc *p, void *ctx)
{
	struct kill_all *k = ctx;

	if (p->group_leader == current->group_leader || proc_is_init(p) ||
	    !thread_is_leader(p) || group_gone(p))
		return;
	int err = signal_kill(p->pid, k->sig, SI_USER);
	/* Linux's kill(-1) reports no EPERM: other users' processes are
	 * simply not reached. */
	k->tried++;
	if (err != -EPERM)
		k->err = err;
}

/*
 * kill(pid, sig): pid > 0 that process, 0 the caller's group, -1 every
 * process but init and the caller, < -1 the group -pid (kill(2)).
 */
static int32_t sys_kill(const struct syscall_args *a)
{
	int pid = (int)a->arg[0], sig = (int)a->arg[1];

	if (pid > 0)
		return proc_kill(pid, sig);
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (pid == 0)
		return jobctl_kill_pgrp(current->pgid, sig);
	if (pid == -1) {
		struct kill_all k = { .sig = sig };
		proc_for_each(kill_other, &k);
		return k.tried ? k.err : -ESRCH;
	}
	if (pid == (int)0x80000000)
		return -ESRCH; /* -INT_MIN has no group */
	return jobctl_kill_pgrp(-pid, sig);
}
SYSCALL(37, kill, sys_kill);
