/*
 * tests/user/jobctl_kinds.c - job control and waiting for several files,
 * compared with Linux: process groups and sessions (setpgid, getpgid,
 * getpgrp, setsid, getsid and their errors), kill(2) of a group, stopping
 * and continuing (SIGSTOP, SIGTSTP, SIGCONT) as wait4 with WUNTRACED and
 * WCONTINUED, waitid and SIGCHLD report them, the T state in /proc, and
 * poll, select and pselect on pipes with and without time limits.
 *
 * The test runs without a controlling terminal on both kernels (standard
 * input is /dev/null), so tcgetpgrp fails with ENOTTY there.
 */
#include "utest.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>

static volatile sig_atomic_t chld_code, chld_status, chld_count;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_count++;
}

/* The state letter of pid in /proc/PID/stat. */
static char proc_state(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static const char *code_name(int code)
{
	switch (code) {
	case CLD_EXITED:
		return "CLD_EXITED";
	case CLD_KILLED:
		return "CLD_KILLED";
	case CLD_STOPPED:
		return "CLD_STOPPED";
	case CLD_CONTINUED:
		return "CLD_CONTINUED";
	default:
		return "?";
	}
}

/* Calls made for their error: the result and errno, taken at once. */
#define FAILS_WITH(call, err)                                                  \
	({                                                                     \
		errno = 0;                                                     \
		long r_ = (long)(call);                                        \
		int e_ = errno;                                                \
		printf("%-40s %ld %s\n", #call ":", r_, ut_errname(e_));       \
		r_ == -1 && e_ == (err);                                       \
	})

static void groups(void)
{
	pid_t me = getpid();

	printf("-- groups and sessions\n");
	ut_check(getpgid(0) == getpgrp(), "getpgid(0) == getpgrp()");
	ut_check(getsid(0) == getsid(me), "getsid(0) == getsid(self)");
	ut_check(FAILS_WITH(getpgid(-1), ESRCH), "getpgid(-1)");
	ut_check(FAILS_WITH(setpgid(0, -1), EINVAL), "setpgid(0, -1)");

	/* A child in a group of its own. */
	int go[2];
	if (pipe(go))
		return;
	pid_t c = fork();
	if (c == 0) {
		char b;
		read(go[0], &b, 1);
		/* A group leader cannot start a session. */
		_exit(setsid() == -1 && errno == EPERM ? 0 : 1);
	}
	ut_check(setpgid(c, c) == 0, "setpgid(child, child)");
	ut_check(getpgid(c) == c, "the child leads its group");
	ut_check(setpgid(c, 0) == 0, "setpgid(child, 0) again");
	ut_check(FAILS_WITH(setpgid(c, 99999), EPERM),
		 "setpgid(child, no such group)");
	write(go[1], "x", 1);
	ut_check(ut_exited(ut_wait(c), 0), "setsid of a group leader: EPERM");
	ut_check(FAILS_WITH(setpgid(c, 0), ESRCH), "setpgid(reaped child)");

	/* A child in a session of its own. */
	int back[2];
	if (pipe(back))
		return;
	c = fork();
	if (c == 0) {
		char b;
		pid_t s = setsid();
		int again = setsid() == -1 ? errno : 0;
		int move = setpgid(0, getppid()) == -1 ? errno : 0;
		char r[3] = { s == getpid(), (char)again, (char)move };
		write(back[1], r, 3);
		read(go[0], &b, 1);
		_exit(0);
	}
	char r[3] = { 0 };
	read(back[0], r, 3);
	printf("child: setsid made a session: %d; again: %s\n", r[0],
	       ut_errname(r[1]));
	printf("child: the session leader moves to another group: %s\n",
	       ut_errname(r[2]));
	ut_check(getsid(c) == c, "getsid(child) is the child");
	ut_check(getpgid(c) == c, "and it leads its group");
	ut_check(FAILS_WITH(setpgid(c, c), EPERM),
		 "setpgid(child in another session)");
	write(go[1], "x", 1);
	ut_wait(c);
	ut_check(FAILS_WITH(tcgetpgrp(0), ENOTTY),
		 "tcgetpgrp without a terminal");
}

static void kill_group(void)
{
	printf("-- kill of a group\n");
	pid_t a = fork();
	if (a == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(a, a);
	pid_t b = fork();
	if (b == 0) {
		setpgid(0, a);
		pause();
		_exit(0);
	}
	setpgid(b, a);
	ut_check(kill(-a, 0) == 0, "kill(-group, 0)");
	ut_check(kill(-a, SIGTERM) == 0, "kill(-group, SIGTERM)");
	int sa = ut_wait(a), sb = ut_wait(b);
	printf("a: %s\n", ut_status(sa));
	printf("b: %s\n", ut_status(sb));
	ut_check(FAILS_WITH(kill(-a, SIGTERM), ESRCH),
		 "kill of an empty group");
}

static void stop_continue(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);

	printf("-- stop and continue\n");
	int sync[2];
	if (pipe(sync))
		return;
	pid_t c = fork();
	if (c == 0) {
		close(sync[0]);
		for (;;) {
			/* Each write says "running"; the parent counts. */
			write(sync[1], "r", 1);
			usleep(20000);
		}
	}
	close(sync[1]);
	char b;
	read(sync[0], &b, 1);
	int status;
	kill(c, SIGSTOP);
	pid_t w = waitpid(c, &status, WUNTRACED);
	ut_check(w == c && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
		 "waitpid WUNTRACED: stopped by SIGSTOP (status 0x%04x)",
		 status);
	ut_check(chld_code == CLD_STOPPED && chld_status == SIGSTOP,
		 "SIGCHLD: %s %d", code_name(chld_code), chld_status);
	ut_check(proc_state(c) == 'T', "/proc state of a stopped process: %c",
		 proc_state(c));
	/* Reported once. */
	ut_check(waitpid(c, &status, WUNTRACED | WNOHANG) == 0,
		 "the stop is reported once");
	/* Stopped: it writes nothing. */
	struct pollfd pfd = { .fd = sync[0], .events = POLLIN };
	while (poll(&pfd, 1, 0) == 1)
		read(sync[0], &b, 1); /* what it wrote before it stopped */
	ut_check(poll(&pfd, 1, 200) == 0,
		 "a stopped process does not run (poll times out)");
	kill(c, SIGCONT);
	w = waitpid(c, &status, WCONTINUED);
	ut_check(w == c && WIFCONTINUED(status),
		 "waitpid WCONTINUED (status 0x%04x)", status);
	ut_check(read(sync[0], &b, 1) == 1, "it runs again");
	/*
	 * Linux sends the CLD_CONTINUED SIGCHLD when the child next runs,
	 * while wait reports the continue from the moment SIGCONT is sent:
	 * give the signal up to two seconds to arrive.
	 */
	for (int i = 0; i < 200 && chld_code != CLD_CONTINUED; i++)
		usleep(10000);
	ut_check(chld_code == CLD_CONTINUED && chld_status == SIGCONT,
		 "SIGCHLD: %s %d", code_name(chld_code), chld_status);

	/* A signal sent while it is stopped waits for SIGCONT. */
	kill(c, SIGSTOP);
	waitpid(c, &status, WUNTRACED);
	kill(c, SIGTERM);
	usleep(100000);
	ut_check(proc_state(c) == 'T', "still stopped after SIGTERM");
	kill(c, SIGCONT);
	w = waitpid(c, &status, 0);
	printf("after SIGCONT: %s\n", ut_status(status));
	close(sync[0]);

	/*
	 * SIGTSTP stops by default, except in an orphaned group (nobody in
	 * the session outside the group could continue it): the child gets
	 * a group of its own, whose parent is outside it. waitid sees the
	 * stop with WSTOPPED.
	 */
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		raise(SIGTSTP);
		usleep(300000); /* the continue is seen before the exit */
		_exit(5);
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r = waitid(P_PID, c, &si, WSTOPPED);
	ut_check(r == 0 && si.si_code == CLD_STOPPED && si.si_status == SIGTSTP,
		 "waitid WSTOPPED: %s %d", code_name(si.si_code), si.si_status);
	kill(c, SIGCONT);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, c, &si, WCONTINUED);
	ut_check(r == 0 && si.si_code == CLD_CONTINUED,
		 "waitid WCONTINUED: %s %d", code_name(si.si_code),
		 si.si_status);
	ut_check(ut_exited(ut_wait(c), 5), "it goes on and exits 5");

	/* SA_NOCLDSTOP: no SIGCHLD for a stop. */
	sa.sa_flags |= SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	chld_count = 0;
	c = fork();
	if (c == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(c, &status, WUNTRACED);
	ut_check(chld_count == 0, "SA_NOCLDSTOP: no SIGCHLD for the stop");
	kill(c, SIGKILL);
	ut_check(ut_killed_by(ut_wait(c), SIGKILL), "SIGKILL ends it stopped");
	signal(SIGCHLD, SIG_DFL);
}

static void polling(void)
{
	int p[2];

	printf("-- poll and select\n");
	if (pipe(p))
		return;
	struct pollfd fds[3] = {
		{ .fd = p[0], .events = POLLIN },
		{ .fd = p[1], .events = POLLOUT },
		{ .fd = 1000, .events = POLLIN },
	};
	int n = poll(fds, 3, 0);
	printf("poll empty pipe: %d, revents 0x%x 0x%x 0x%x\n", n,
	       fds[0].revents, fds[1].revents, fds[2].revents);
	write(p[1], "ab", 2);
	n = poll(fds, 2, -1);
	printf("poll with data: %d, revents 0x%x 0x%x\n", n, fds[0].revents,
	       fds[1].revents);

	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = { 1, 0 };
	n = select(p[0] + 1, &r, NULL, NULL, &tv);
	printf("select with data: %d, readable %d\n", n, FD_ISSET(p[0], &r));
	char buf[4];
	read(p[0], buf, 2);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 100000 };
	n = select(p[0] + 1, &r, NULL, NULL, &tv);
	printf("select timeout: %d, readable %d, time left %ld.%06ld\n", n,
	       FD_ISSET(p[0], &r), (long)tv.tv_sec, (long)tv.tv_usec);
	FD_ZERO(&r);
	FD_SET(20, &r);
	errno = 0;
	n = select(21, &r, NULL, NULL, &tv);
	printf("select of a closed fd: %d %s\n", n, ut_errname(errno));

	/* A writer wakes a poll in another process. */
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		write(p[1], "z", 1);
		_exit(0);
	}
	n = poll(fds, 1, 5000);
	printf("poll woken by a writer: %d, revents 0x%x\n", n, fds[0].revents);
	ut_wait(c);
	read(p[0], buf, 1);

	/* The last writer gone: POLLHUP; the last reader gone: POLLERR. */
	close(p[1]);
	n = poll(fds, 1, 0);
	printf("no writer: %d, revents 0x%x\n", n, fds[0].revents);
	int q[2];
	pipe(q);
	close(q[0]);
	struct pollfd w = { .fd = q[1], .events = POLLOUT };
	n = poll(&w, 1, 0);
	printf("no reader: %d, revents 0x%x\n", n, w.revents);
	close(q[1]);
	close(p[0]);

	/* pselect with a mask: SIGUSR1 blocked outside, let in inside. */
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, none;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&none);
	struct timespec ts = { 0, 50000000 };
	n = pselect(0, NULL, NULL, NULL, &ts, &none);
	printf("pselect timeout: %d\n", n);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	ut_check(sigismember(&now, SIGUSR1), "pselect restores the mask");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

/*
 * setpgid of a child that has run execve: EACCES; /dev/tty without a
 * controlling terminal: ENXIO (a new session has none).
 */
static void after_exec(const char *self)
{
	printf("-- after execve, without a terminal\n");
	int ready[2];
	if (pipe(ready))
		return;
	pid_t c = fork();
	if (c == 0) {
		char fd[16];
		snprintf(fd, sizeof(fd), "%d", ready[1]);
		close(ready[0]);
		execl(self, self, "--after-exec", fd, (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	char b = 0;
	ut_check(read(ready[0], &b, 1) == 1 && b == 'x',
		 "the child runs its new program");
	close(ready[0]);
	ut_check(FAILS_WITH(setpgid(c, c), EACCES),
		 "setpgid(child after execve)");
	kill(c, SIGKILL);
	ut_check(ut_killed_by(ut_wait(c), SIGKILL), "the child killed");

	c = fork();
	if (c == 0) {
		setsid();
		int fd = open("/dev/tty", O_RDWR);
		_exit(fd < 0 && errno == ENXIO ? 0 : 1);
	}
	ut_check(ut_exited(ut_wait(c), 0),
		 "open(/dev/tty) in a new session: ENXIO");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--after-exec") == 0) {
		/* The child of after_exec(), in its new program. */
		write(atoi(argv[2]), "x", 1);
		for (;;)
			pause();
	}
	ut_begin(argc, argv);
	groups();
	after_exec(argv[0]);
	kill_group();
	stop_continue();
	polling();
	return ut_end();
}
