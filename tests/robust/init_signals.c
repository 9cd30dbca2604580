/*
 * tests/robust/init_signals.c - no process can end init with a signal.
 *
 * Runs only on Pagoda, as init: tests/run.py starts it with
 * tools/qemu-run, which runs its program as PID 1. (The differential
 * tests cannot check this: on the Linux reference they run as children
 * of the reference's own init.)
 *
 * When init ends, the machine ends. Linux therefore gives init only the
 * signals it has a handler for: a signal whose action is the default is
 * discarded, and SIGKILL and SIGSTOP from any process are discarded even
 * though they cannot be caught (kernel/signal.c: sig_task_ignored() when
 * the signal is sent, get_signal() when a blocked one is unblocked; init
 * has SIGNAL_UNKILLABLE). kill(2) still returns 0. Each case below sends
 * init signals and checks that it is still running afterwards and that
 * kill returned 0:
 *
 *   - a child sends every signal 1..64 with kill(1, sig)
 *   - a child uses tkill(1, SIGKILL) and tgkill(1, 1, SIGKILL)
 *   - init sends SIGKILL, SIGTERM and SIGSEGV to itself
 *   - init blocks SIGTERM, a child sends it, init unblocks it
 *   - init has a handler for SIGUSR1 and a child sends it (Linux runs
 *     the handler; Pagoda does not run handlers yet and drops it)
 *   - init writes to a pipe nobody reads: EPIPE, and SIGPIPE is dropped
 *
 * Output: one "ok - ..." or "FAIL - ..." line per case, then
 * "init_signals: N passed, M failed"; the exit status is 1 on a failure.
 * If a signal ends init after all, the summary is missing and
 * tools/qemu-run reports 128 + the signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int passed, failed;

static void check(bool ok, const char *what, const char *detail)
{
	printf("%s - %s: %s\n", ok ? "ok  " : "FAIL", what, detail);
	if (ok)
		passed++;
	else
		failed++;
}

/*
 * Runs a child that sends init signal sig with kill, tkill or tgkill;
 * returns what the call returned in the child (0 or an errno), or -1 if
 * the child did not report.
 */
static int child_sends(int sig, long call)
{
	pid_t pid = fork();

	if (pid == 0) {
		long r;

		if (call == SYS_tgkill)
			r = syscall(SYS_tgkill, 1, 1, sig);
		else
			r = syscall(call, 1, sig);
		_exit(r == 0 ? 0 : errno);
	}
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	/* Any signal that acts on init does so on this return to user mode. */
	(void)getpid();
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int usr1_handled;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_handled++;
}

int main(void)
{
	char detail[256];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (getpid() != 1) {
		printf("init_signals: must run as init (PID 1), not %d\n",
		       (int)getpid());
		return 2;
	}

	/* Every signal from a child: init is still here to count them. */
	int bad = 0, first_bad = 0;

	for (int sig = 1; sig <= 64; sig++) {
		if (child_sends(sig, SYS_kill) != 0 && !bad++)
			first_bad = sig;
	}
	snprintf(detail, sizeof(detail),
		 "kill(1, sig) returned 0 for %d of 64, init alive%s%.0d",
		 64 - bad, bad ? ", first failure signal " : "", first_bad);
	check(bad == 0, "every signal 1..64 from a child", detail);

	int tk = child_sends(SIGKILL, SYS_tkill);
	int tg = child_sends(SIGKILL, SYS_tgkill);

	snprintf(detail, sizeof(detail), "tkill %s, tgkill %s, init alive",
		 tk ? strerror(tk) : "0", tg ? strerror(tg) : "0");
	check(tk == 0 && tg == 0, "tkill and tgkill SIGKILL from a child",
	      detail);

	int k1 = kill(1, SIGKILL) ? errno : 0;
	int k2 = kill(getpid(), SIGTERM) ? errno : 0;
	int k3 = raise(SIGSEGV) ? errno : 0;

	snprintf(detail, sizeof(detail),
		 "kill(1, SIGKILL) %d, kill(self, SIGTERM) %d, raise(SIGSEGV) "
		 "%d, init alive",
		 k1, k2, k3);
	check(k1 == 0 && k2 == 0 && k3 == 0, "signals init sends itself",
	      detail);

	sigset_t term, old;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	int kb = child_sends(SIGTERM, SYS_kill);

	sigprocmask(SIG_SETMASK, &old, NULL);
	(void)getpid();
	snprintf(detail, sizeof(detail),
		 "kill returned %d while blocked; unblocked, init alive", kb);
	check(kb == 0, "SIGTERM blocked, then unblocked", detail);

	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	int ku = child_sends(SIGUSR1, SYS_kill);

	snprintf(detail, sizeof(detail),
		 "kill returned %d, handler ran %d time(s), init alive", ku,
		 usr1_handled);
	check(ku == 0, "SIGUSR1 with a handler", detail);

	int fds[2];
	int wr = -1, werr = 0;

	if (pipe(fds) == 0) {
		close(fds[0]);
		wr = (int)write(fds[1], "x", 1);
		werr = errno;
		close(fds[1]);
	}
	snprintf(detail, sizeof(detail), "write returned %d (%s), init alive",
		 wr, wr < 0 ? strerror(werr) : "no error");
	check(wr == -1 && werr == EPIPE, "SIGPIPE from a write to no reader",
	      detail);

	printf("init_signals: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
