/*
 * tests/user/wait_status.c - how a child ended, as wait4 reports it.
 *
 * Exit codes (only the low 8 bits survive), death by signal (SIGKILL,
 * SIGTERM, SIGUSR1, abort's SIGABRT, a kill from the parent while the
 * child sleeps), signals whose default action is to ignore them, blocked
 * and ignored signals, WNOHANG, waiting for any child, and ECHILD.
 * The raw status is printed: its encoding is part of the Linux ABI.
 */
#include "utest.h"

#include <sys/syscall.h>

/* Runs fn in a child and prints how it ended; checks against expect. */
static void expect_status(const char *what, int (*fn)(void *), void *arg,
			  int expect)
{
	int status = ut_in_child(fn, arg);

	ut_check(status == expect, "%s: %s", what, ut_status(status));
}

/* Child: exit(arg). */
static int exit_with(void *arg)
{
	exit((int)(intptr_t)arg);
}

/* Child: the raw exit_group system call. */
static int exit_group_with(void *arg)
{
	syscall(SYS_exit_group, (int)(intptr_t)arg);
	return 99;
}

/* Child: returns arg, as main() would. */
static int return_from_main_like(void *arg)
{
	return (int)(intptr_t)arg;
}

/* Child: sends itself signal arg, then exits 5 if still alive. */
static int kill_self(void *arg)
{
	kill(getpid(), (int)(intptr_t)arg);
	return 5;
}

/* Child: abort(). */
static int call_abort(void *arg)
{
	(void)arg;
	abort();
}

/* Child: blocks signal arg, sends it to itself, exits 6. */
static int block_then_kill(void *arg)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, (int)(intptr_t)arg);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), (int)(intptr_t)arg);
	return 6;
}

/* Child: ignores signal arg, sends it to itself, exits 7. */
static int ignore_then_kill(void *arg)
{
	signal((int)(intptr_t)arg, SIG_IGN);
	kill(getpid(), (int)(intptr_t)arg);
	return 7;
}

/* Child: exits 0 if getppid() is arg. */
static int check_parent(void *arg)
{
	return getppid() == (pid_t)(intptr_t)arg ? 0 : 1;
}

/* A child sleeping in read() is killed by its parent. */
static void test_kill_sleeping(int sig)
{
	int fds[2], status;
	pid_t pid;

	if (pipe(fds)) {
		ut_check(false, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char c;

		close(fds[1]);
		/* Blocks: nobody writes, and the parent keeps the write end. */
		_exit(read(fds[0], &c, 1) == 0 ? 3 : 4);
	}
	close(fds[0]);
	ut_check(waitpid(pid, &status, WNOHANG) == 0,
		 "WNOHANG on a sleeping child returns 0");
	ut_check(kill(pid, sig) == 0, "kill(child, %s)", ut_signame(sig));
	status = ut_wait(pid);
	ut_check(ut_killed_by(status, sig), "a child killed in read(): %s",
		 ut_status(status));
	close(fds[1]);
}

/* A sleeping child wakes when the pipe's last writer goes away. */
static void test_wake_on_eof(void)
{
	int fds[2], status;
	pid_t pid;

	if (pipe(fds)) {
		ut_check(false, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char c;

		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 0 ? 3 : 4);
	}
	close(fds[0]);
	close(fds[1]);
	status = ut_wait(pid);
	ut_check(ut_exited(status, 3),
		 "a child reading an empty pipe "
		 "sees end of file when the writer closes: %s",
		 ut_status(status));
}

/* waitpid(-1) returns each child once, then ECHILD. */
static void test_wait_any(void)
{
	enum {
		N = 4
	};
	int seen[N] = { 0 }, status, n = 0, e;
	pid_t pid;

	for (int i = 0; i < N; i++) {
		if (fork() == 0)
			_exit(20 + i);
	}
	while ((pid = waitpid(-1, &status, 0)) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) >= 20 &&
		    WEXITSTATUS(status) < 20 + N)
			seen[WEXITSTATUS(status) - 20]++;
		n++;
	}
	e = errno;
	ut_check(n == N && seen[0] == 1 && seen[1] == 1 && seen[2] == 1 &&
			 seen[3] == 1,
		 "waitpid(-1) reaped %d children, each once", n);
	ut_check(e == ECHILD, "then waitpid(-1): %s", ut_errname(e));
	pid = waitpid(12345678, &status, 0);
	e = pid < 0 ? errno : 0;
	ut_check(e == ECHILD, "waitpid of a process that is not a child: %s",
		 ut_errname(e));
}

/* waitid: the siginfo it fills, WNOWAIT, WNOHANG and its errors. */
static void check_waitid(void)
{
	siginfo_t si;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	memset(&si, 0x55, sizeof(si));
	int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
	ut_check(r == 0 && si.si_pid == pid && si.si_signo == SIGCHLD &&
			 si.si_code == CLD_EXITED && si.si_status == 7,
		 "waitid WNOWAIT: SIGCHLD, CLD_EXITED, status 7");
	memset(&si, 0x55, sizeof(si));
	r = waitid(P_ALL, 0, &si, WEXITED);
	ut_check(r == 0 && si.si_pid == pid && si.si_status == 7,
		 "waitid again reaps the same child");
	ut_fact("then: %s", waitid(P_ALL, 0, &si, WEXITED) ? ut_errname(errno)
							 : "0");

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	memset(&si, 0x55, sizeof(si));
	r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG);
	ut_check(r == 0 && si.si_pid == 0 && si.si_signo == 0,
		 "waitid WNOHANG with nothing ended: 0, si_pid 0");
	kill(pid, SIGTERM);
	r = waitid(P_PID, (id_t)pid, &si, WEXITED);
	ut_check(r == 0 && si.si_code == CLD_KILLED && si.si_status == SIGTERM,
		 "waitid of a killed child: CLD_KILLED, SIGTERM");
	ut_fact("waitid without WEXITED: %s",
		waitid(P_ALL, 0, &si, WNOHANG) ? ut_errname(errno) : "0");
	ut_fact("waitid P_PID 0: %s",
		waitid(P_PID, 0, &si, WEXITED) ? ut_errname(errno) : "0");
	ut_fact("waitid idtype 9: %s",
		waitid(9, 0, &si, WEXITED) ? ut_errname(errno) : "0");
	ut_fact("waitid options 0x100: %s",
		waitid(P_ALL, 0, &si, WEXITED | 0x100) ? ut_errname(errno)
						       : "0");
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	check_waitid();
	expect_status("exit(0)", exit_with, (void *)0, 0x0000);
	expect_status("exit(1)", exit_with, (void *)1, 0x0100);
	expect_status("exit(42)", exit_with, (void *)42, 0x2a00);
	expect_status("exit(255)", exit_with, (void *)255, 0xff00);
	expect_status("exit(256) keeps 8 bits", exit_with, (void *)256, 0x0000);
	expect_status("exit(-1)", exit_with, (void *)-1, 0xff00);
	expect_status("exit_group(3)", exit_group_with, (void *)3, 0x0300);
	expect_status("return 9", return_from_main_like, (void *)9, 0x0900);
	expect_status("kill(self, SIGKILL)", kill_self, (void *)SIGKILL,
		      SIGKILL);
	expect_status("kill(self, SIGTERM)", kill_self, (void *)SIGTERM,
		      SIGTERM);
	expect_status("kill(self, SIGUSR1)", kill_self, (void *)SIGUSR1,
		      SIGUSR1);
	expect_status("kill(self, SIGSEGV)", kill_self, (void *)SIGSEGV,
		      SIGSEGV);
	expect_status("kill(self, SIGCHLD) is ignored", kill_self,
		      (void *)SIGCHLD, 0x0500);
	expect_status("kill(self, SIGWINCH) is ignored", kill_self,
		      (void *)SIGWINCH, 0x0500);
	expect_status("kill(self, 0) only checks", kill_self, (void *)0,
		      0x0500);
	expect_status("abort()", call_abort, NULL, SIGABRT);
	expect_status("SIGTERM while blocked", block_then_kill, (void *)SIGTERM,
		      0x0600);
	expect_status("SIGTERM with SIG_IGN", ignore_then_kill, (void *)SIGTERM,
		      0x0700);
	expect_status("getppid() is the parent", check_parent,
		      (void *)(intptr_t)getpid(), 0x0000);
	test_kill_sleeping(SIGKILL);
	test_kill_sleeping(SIGTERM);
	test_wake_on_eof();
	test_wait_any();
	return ut_end();
}
