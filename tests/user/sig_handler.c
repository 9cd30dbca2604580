/*
 * tests/user/sig_handler.c - signal handlers run, and return.
 *
 * The shell case first: a handler for SIGUSR1, kill(getpid(), SIGUSR1),
 * and the program goes on (bash's `trap 'echo got USR1' USR1; kill -USR1
 * $$; echo after`). Then what a handler sees and what it changes: the
 * siginfo_t of kill (SI_USER), raise and tkill (SI_TKILL), a child's death
 * (SIGCHLD: CLD_EXITED, CLD_KILLED), the mask while it runs (its signal
 * and sa_mask), SA_NODEFER, SA_RESETHAND, the old signal() call, a handler
 * installed without SA_RESTORER (the kernel's own return path), two
 * signals at once (the second frame goes on top of the first, so its
 * handler runs first), and the flags rt_sigaction keeps.
 */
#include "utest.h"

#include <sys/syscall.h>

static volatile sig_atomic_t got, depth, max_depth;
static volatile int seen_sig, seen_code, seen_pid, seen_status;
static volatile sigset_t seen_mask;
static char order[16];
static volatile int norder;

static void plain_handler(int sig)
{
	got++;
	seen_sig = sig;
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got++;
	seen_sig = sig;
	seen_code = si->si_code;
	seen_pid = si->si_pid;
	seen_status = si->si_status;
}

/* Records the mask the handler runs with. */
static void mask_handler(int sig)
{
	sigset_t now;

	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &now);
	seen_mask = now;
	got++;
}

/* Raises its own signal once more from inside: nests with SA_NODEFER. */
static void nesting_handler(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (got++ == 0)
		raise(sig);
	depth--;
}

static void order_handler(int sig)
{
	order[norder++] = sig == SIGUSR1 ? '1' : '2';
}

static int install(int sig, void (*fn)(int), int flags, const sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	if (mask)
		sa.sa_mask = *mask;
	return sigaction(sig, &sa, NULL);
}

static int install_info(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	return sigaction(sig, &sa, NULL);
}

/* errno of a failed system call, 0 if it worked. */
static int sys_err(long r)
{
	return r == -1 ? errno : 0;
}

static const char *code_name(int code)
{
	switch (code) {
	case SI_USER:
		return "SI_USER";
	case SI_TKILL:
		return "SI_TKILL";
	case SI_KERNEL:
		return "SI_KERNEL";
	case CLD_EXITED:
		return "CLD_EXITED";
	case CLD_KILLED:
		return "CLD_KILLED";
	default:
		return "other";
	}
}

/* The shell's `trap ... USR1; kill -USR1 $$; echo after`. */
static void test_shell_case(void)
{
	got = 0;
	install(SIGUSR1, plain_handler, SA_RESTART, NULL);
	ut_check(kill(getpid(), SIGUSR1) == 0, "kill(getpid(), SIGUSR1)");
	ut_check(got == 1 && seen_sig == SIGUSR1, "got USR1");
	ut_fact("after");
}

static void test_siginfo(void)
{
	install_info(SIGUSR2, info_handler);
	got = 0;
	kill(getpid(), SIGUSR2);
	ut_check(got == 1 && seen_sig == SIGUSR2, "SA_SIGINFO handler ran");
	ut_check(seen_code == SI_USER, "kill: si_code %s",
		 code_name(seen_code));
	ut_check(seen_pid == getpid(), "kill: si_pid is the sender");

	got = 0;
	raise(SIGUSR2);
	ut_check(got == 1, "raise: handler ran");
	ut_check(seen_code == SI_TKILL, "raise: si_code %s",
		 code_name(seen_code));
	ut_check(seen_pid == getpid(), "raise: si_pid is the sender");

	got = 0;
	syscall(SYS_tkill, getpid(), SIGUSR2);
	ut_check(got == 1 && seen_code == SI_TKILL, "tkill: si_code %s",
		 code_name(seen_code));
}

static void test_sigchld(void)
{
	sigset_t chld, old;
	pid_t pid;

	install_info(SIGCHLD, info_handler);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);

	got = 0;
	pid = fork();
	if (pid == 0)
		_exit(7);
	sigsuspend(&old); /* the handler runs before it returns */
	ut_check(got == 1 && seen_sig == SIGCHLD, "SIGCHLD at a child's exit");
	ut_check(seen_code == CLD_EXITED, "exit: si_code %s",
		 code_name(seen_code));
	ut_check(seen_status == 7, "exit: si_status %d", seen_status);
	ut_check(seen_pid == pid, "exit: si_pid is the child");
	ut_wait(pid);

	got = 0;
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGKILL);
	sigsuspend(&old);
	ut_check(seen_code == CLD_KILLED, "kill: si_code %s",
		 code_name(seen_code));
	ut_check(seen_status == SIGKILL, "kill: si_status %d", seen_status);
	ut_wait(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGCHLD, SIG_DFL);
}

static void test_mask(void)
{
	sigset_t extra;

	sigemptyset(&extra);
	sigaddset(&extra, SIGTERM);
	install(SIGUSR1, mask_handler, 0, &extra);
	got = 0;
	raise(SIGUSR1);
	ut_check(got == 1, "handler with sa_mask ran");
	ut_check(sigismember((sigset_t *)&seen_mask, SIGUSR1) == 1,
		 "in the handler, its signal is blocked");
	ut_check(sigismember((sigset_t *)&seen_mask, SIGTERM) == 1,
		 "in the handler, sa_mask is blocked");
	ut_check(sigismember((sigset_t *)&seen_mask, SIGUSR2) == 0,
		 "in the handler, other signals are not");

	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	ut_check(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGTERM),
		 "after the handler, the mask is back");

	install(SIGUSR1, mask_handler, SA_NODEFER, NULL);
	raise(SIGUSR1);
	ut_check(sigismember((sigset_t *)&seen_mask, SIGUSR1) == 0,
		 "SA_NODEFER: the signal is not blocked in its handler");

	/* Without SA_NODEFER the raise inside waits for the handler's end. */
	got = depth = max_depth = 0;
	install(SIGUSR1, nesting_handler, 0, NULL);
	raise(SIGUSR1);
	ut_check(got == 2 && max_depth == 1,
		 "blocked: the second runs after the first (depth %d)",
		 (int)max_depth);
	got = depth = max_depth = 0;
	install(SIGUSR1, nesting_handler, SA_NODEFER, NULL);
	raise(SIGUSR1);
	ut_check(got == 2 && max_depth == 2,
		 "SA_NODEFER: the second runs inside the first (depth %d)",
		 (int)max_depth);
}

static void test_resethand(void)
{
	struct sigaction now;

	got = 0;
	install(SIGUSR1, plain_handler, SA_RESETHAND, NULL);
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &now);
	ut_check(got == 1 && now.sa_handler == SIG_DFL,
		 "SA_RESETHAND: ran once, then SIG_DFL");

	/* The default action now: the child dies of it. */
	pid_t pid = fork();
	if (pid == 0) {
		raise(SIGUSR1);
		_exit(0);
	}
	int status = ut_wait(pid);
	ut_check(ut_killed_by(status, SIGUSR1), "then SIGUSR1 kills: %s",
		 ut_status(status));
}

/* The old signal(2) system call: reset on delivery, not blocked. */
static void test_old_signal(void)
{
	got = 0;
	long old = syscall(SYS_signal, SIGUSR2, (long)mask_handler);
	ut_check(old != -1, "signal(2)");
	raise(SIGUSR2);
	struct sigaction now;
	sigaction(SIGUSR2, NULL, &now);
	ut_check(got == 1, "signal(2) handler ran");
	ut_check(sigismember((sigset_t *)&seen_mask, SIGUSR2) == 0,
		 "signal(2): not blocked in the handler");
	ut_check(now.sa_handler == SIG_DFL &&
			 now.sa_flags == (int)(SA_RESETHAND | SA_NODEFER),
		 "signal(2): reset to SIG_DFL, flags 0x%x",
		 (unsigned int)now.sa_flags);
	ut_check(syscall(SYS_signal, SIGUSR2, (long)SIG_IGN) == (long)SIG_DFL,
		 "signal(2) returns the old handler");
	signal(SIGUSR2, SIG_DFL);
}

/* The kernel's struct sigaction for rt_sigaction on i386. */
struct k_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long long mask;
};

/* Without SA_RESTORER the kernel provides the way back from the handler. */
static void test_no_restorer(void)
{
	struct k_sigaction ka = { plain_handler, 0, NULL, 0 };
	got = 0;
	ut_check(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) == 0,
		 "rt_sigaction without SA_RESTORER");
	raise(SIGUSR1);
	ut_check(got == 1, "the handler ran and returned");
	raise(SIGUSR1);
	ut_check(got == 2, "and again");
	signal(SIGUSR1, SIG_DFL);
}

/* Two pending signals: SIGUSR1 first, then SIGUSR2's frame on top. */
static void test_two_at_once(void)
{
	sigset_t both, old, usr2;

	install(SIGUSR1, order_handler, 0, NULL);
	install(SIGUSR2, order_handler, 0, NULL);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, &old);
	raise(SIGUSR2);
	raise(SIGUSR1);
	norder = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	order[norder] = 0;
	ut_check(!strcmp(order, "21"), "two signals: handlers ran in order %s",
		 order);

	/* With SIGUSR2 in SIGUSR1's sa_mask, SIGUSR2 waits for its end. */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	install(SIGUSR1, order_handler, 0, &usr2);
	sigprocmask(SIG_BLOCK, &both, &old);
	raise(SIGUSR2);
	raise(SIGUSR1);
	norder = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	order[norder] = 0;
	ut_check(!strcmp(order, "12"), "masked: handlers ran in order %s",
		 order);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void test_sigaction_calls(void)
{
	struct k_sigaction ka = { plain_handler, 0xFFFFFFFFul, NULL, ~0ull };
	struct k_sigaction old;

	ut_check(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) == 0,
		 "rt_sigaction with every flag");
	ut_check(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8) == 0,
		 "read back");
	ut_fact("flags kept: 0x%08lx", old.flags);
	ut_fact("mask kept: 0x%016llx", old.mask);
	signal(SIGUSR1, SIG_DFL);

	ut_check(sys_err(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4)) ==
			 EINVAL,
		 "sigsetsize 4: EINVAL");
	ut_check(sys_err(syscall(SYS_rt_sigaction, 0, NULL, &old, 8)) == EINVAL,
		 "signal 0: EINVAL");
	ut_check(sys_err(syscall(SYS_rt_sigaction, 65, NULL, &old, 8)) ==
			 EINVAL,
		 "signal 65: EINVAL");
	ut_check(sys_err(syscall(SYS_rt_sigaction, SIGKILL, &ka, NULL, 8)) ==
			 EINVAL,
		 "SIGKILL: EINVAL");
	ut_check(syscall(SYS_rt_sigaction, SIGKILL, NULL, &old, 8) == 0,
		 "SIGKILL read only: 0");
	ut_check(sys_err(syscall(SYS_rt_sigaction, SIGUSR1, (void *)16, NULL,
				 8)) == EFAULT,
		 "bad act: EFAULT");
	ut_check(sys_err(syscall(SYS_rt_sigaction, 0, (void *)16, NULL, 8)) ==
			 EFAULT,
		 "bad act and signal 0: EFAULT (act is read first)");
}

/* SIG_IGN discards a pending signal; sigpending shows blocked ones. */
static void test_pending(void)
{
	sigset_t usr1, old, pend;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	install(SIGUSR1, plain_handler, 0, NULL);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	got = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&pend);
	ut_check(sigismember(&pend, SIGUSR1) == 1, "blocked: pending");
	ut_check(got == 0, "blocked: not delivered");
	sigprocmask(SIG_SETMASK, &old, NULL);
	ut_check(got == 1, "unblocked: delivered once (not queued twice)");

	sigprocmask(SIG_BLOCK, &usr1, &old);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	ut_check(sigismember(&pend, SIGUSR1) == 0,
		 "SIG_IGN discards the pending signal");
	install(SIGUSR1, plain_handler, 0, NULL);
	got = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	ut_check(got == 0, "and nothing is delivered later");

	/* An ignored signal that is blocked stays pending. */
	signal(SIGUSR2, SIG_IGN);
	sigaddset(&usr1, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	raise(SIGUSR2);
	sigpending(&pend);
	ut_check(sigismember(&pend, SIGUSR2) == 1,
		 "ignored but blocked: pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* A child of fork has the handlers; exec resets them (echoargs would die). */
static void test_fork_inherits(void)
{
	install(SIGUSR1, plain_handler, 0, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		got = 0;
		raise(SIGUSR1);
		_exit(got == 1 ? 3 : 4);
	}
	int status = ut_wait(pid);
	ut_check(ut_exited(status, 3), "fork: the child has the handler: %s",
		 ut_status(status));
	signal(SIGUSR1, SIG_DFL);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	test_shell_case();
	test_siginfo();
	test_sigchld();
	test_mask();
	test_resethand();
	test_old_signal();
	test_no_restorer();
	test_two_at_once();
	test_sigaction_calls();
	test_pending();
	test_fork_inherits();
	return ut_end();
}
