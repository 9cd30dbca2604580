/*
 * tests/kernel/test_jobctl.c - job control's bookkeeping
 * (kernel/proc/jobctl.c) on a process that is never scheduled: what
 * SIGCONT and the stop signals do when they are sent, and which stops and
 * continues wait4 reports with which options. The stopping itself, the
 * parent's SIGCHLD and the terminal are tested from user space
 * (tests/user/jobctl_kinds.c, the boot layer's shell session).
 */
#include "kernel/ktest.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "libk/string.h"

/* A process outside the process list, runnable so that no signal makes
 * the scheduler touch it, without a parent to tell. */
static void fake(struct proc *p)
{
	static struct sighand actions; /* all SIG_DFL */

	memset(p, 0, sizeof(*p));
	memset(&actions, 0, sizeof(actions));
	p->pid = 31000;
	thread_init_leader(p);
	p->sighand = &actions;
	p->sig_action = actions.action;
	p->state = PROC_RUNNABLE;
	p->exit_signal = SIGCHLD;
}

static void stop_statuses(struct ktest *t)
{
	/* Linux's encoding: WIFSTOPPED is a low byte of 0x7f. */
	KT_EXPECT_EQ(t, jobctl_stop_status(SIGTSTP), 0x147f);
	KT_EXPECT_EQ(t, jobctl_stop_status(SIGSTOP), 0x137f);
	KT_EXPECT_EQ(t, JOBCTL_CONTINUED_STATUS, 0xffff);
	KT_EXPECT(t, jobctl_is_stop_signal(SIGTTIN));
	KT_EXPECT(t, !jobctl_is_stop_signal(SIGCONT));
}

static void sigcont_continues_at_send(struct ktest *t)
{
	static struct proc p;

	fake(&p);
	p.jobctl_stopped = true;
	p.sig_pending = sig_bit(SIGTSTP) | sig_bit(SIGTTOU) | sig_bit(SIGUSR1);
	/* Ignored SIGCONT still continues: the work is done at send time. */
	p.sig_action[SIGCONT].handler = SIG_IGN;
	signal_send(&p, SIGCONT, NULL);
	KT_EXPECT(t, !p.jobctl_stopped);
	KT_EXPECT_EQ(t, p.jobctl_report, JOBCTL_CONTINUED_STATUS);
	/* Pending stop signals are dropped, others kept; SIGCONT itself is
	 * ignored, so not queued. */
	KT_EXPECT_EQ(t, p.sig_pending, sig_bit(SIGUSR1));
}

static void stop_signal_drops_sigcont(struct ktest *t)
{
	static struct proc p;

	fake(&p);
	p.sig_pending = sig_bit(SIGCONT);
	jobctl_signal_sent(&p, SIGSTOP);
	KT_EXPECT_EQ(t, p.sig_pending, 0);
	/* A running process that gets SIGCONT has nothing to report. */
	jobctl_signal_sent(&p, SIGCONT);
	KT_EXPECT_EQ(t, p.jobctl_report, 0);
}

static void wait_reports(struct ktest *t)
{
	static struct proc c;
	int status = 0;

	fake(&c);
	c.jobctl_report = jobctl_stop_status(SIGTSTP);
	/* Without WUNTRACED a stop is not reported. */
	KT_EXPECT(t, !jobctl_wait_report(&c, WNOHANG, &status));
	KT_EXPECT(t, !jobctl_wait_report(&c, WCONTINUED, &status));
	/* WNOWAIT looks and leaves it. */
	KT_EXPECT(t, jobctl_wait_report(&c, WUNTRACED | WNOWAIT, &status));
	KT_EXPECT_EQ(t, status, 0x147f);
	/* Reported once. */
	status = 0;
	KT_EXPECT(t, jobctl_wait_report(&c, WUNTRACED, &status));
	KT_EXPECT_EQ(t, status, 0x147f);
	KT_EXPECT(t, !jobctl_wait_report(&c, WUNTRACED, &status));

	c.jobctl_report = JOBCTL_CONTINUED_STATUS;
	KT_EXPECT(t, !jobctl_wait_report(&c, WUNTRACED, &status));
	KT_EXPECT(t, jobctl_wait_report(&c, WCONTINUED, &status));
	KT_EXPECT_EQ(t, status, 0xffff);
	KT_EXPECT_EQ(t, c.jobctl_report, 0);
}

static const struct ktest_case jobctl_cases[] = {
	KTEST_CASE(stop_statuses),
	KTEST_CASE(sigcont_continues_at_send),
	KTEST_CASE(stop_signal_drops_sigcont),
	KTEST_CASE(wait_reports),
};
KTEST_SUITE(jobctl, jobctl_cases);
