/*
 * kernel/proc/jobctl.h - job control: sessions, process groups, stopping
 * and continuing processes (POSIX.1 "job control", Linux credentials(7)).
 *
 * Every process belongs to a process group (pgid) inside a session (sid).
 * A shell with job control puts each pipeline in a group of its own and
 * gives the terminal (fs/tty.h) to the group in the foreground;
 * ^C, ^Z and ^\ signal that group. SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU
 * stop a process (it sleeps in signal delivery until SIGCONT or SIGKILL),
 * and its parent learns of the stop and the continue through wait4's
 * WUNTRACED and WCONTINUED and a SIGCHLD with CLD_STOPPED / CLD_CONTINUED.
 *
 * Init starts with pgid and sid 0, as Linux's does; children inherit both.
 */
#ifndef KERNEL_JOBCTL_H
#define KERNEL_JOBCTL_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

/* Wait statuses of a stop and a continue (Linux include/linux/wait.h). */
static inline int jobctl_stop_status(int sig)
{
	return (sig << 8) | 0x7f;
}
#define JOBCTL_CONTINUED_STATUS 0xffff

/* wait4 options beside WNOHANG (include/uapi/linux/wait.h). */
#define WUNTRACED 2
#define WCONTINUED 8
/* Kernel-only proc_wait option: report stops and continues, not exits
 * (waitid without WEXITED). No Linux option uses this bit. */
#define WAIT_NOEXITED 0x00100000

/* A signal whose default action is to stop the process. */
static inline bool jobctl_is_stop_signal(int sig)
{
	return sig == 19 || sig == 20 || sig == 21 || sig == 22;
}

/* A fork child joins its parent's group and session. */
void jobctl_fork(struct proc *child, const struct proc *parent);
/* The process is ending: a session leader releases its terminal. */
void jobctl_exit(struct proc *p);

/*
 * Called by signal_send (interrupts off) before the signal is queued:
 * SIGCONT continues a stopped p and drops its pending stop signals, a
 * stop signal drops a pending SIGCONT (POSIX kill(2)).
 */
void jobctl_signal_sent(struct proc *p, int sig);
/*
 * The default action of a stop signal in signal delivery: reports the
 * stop to the parent and sleeps until continued or killed.
 */
void jobctl_stop(int sig);
/*
 * For wait4: whether child c has a stop (WUNTRACED) or continue
 * (WCONTINUED) to report; if so stores its status and, without
 * WNOWAIT, marks it reported. Interrupts off.
 */
bool jobctl_wait_report(struct proc *c, int options, int *status);

/*
 * The terminal's signals (^C, ^Z, a hangup): sig from the kernel to every
 * process of group pgid but the current one if it is exiting; init only
 * if it has a handler. Safe in interrupt context.
 */
void jobctl_tty_signal(int pgid, int sig);
/*
 * Sends sig to every process of group pgid the caller may signal; 0,
 * -ESRCH, -EPERM (none) or -EINVAL.
 */
int jobctl_kill_pgrp(int pgid, int sig);
/* The same for the terminal, which may signal every member (Linux's
 * kill_pgrp with priv set). */
int jobctl_kill_pgrp_unchecked(int pgid, int sig);
/* Whether some process of session sid is in group pgid. */
bool jobctl_pgrp_in_session(int pgid, int sid);
/*
 * Whether group pgid is orphaned (POSIX): no member has a parent in
 * another group of the same session. Stop signals from the terminal do
 * not stop such a group.
 */
bool jobctl_pgrp_orphaned(int pgid);

#endif
