/*
 * tests/user/sig_wait.c - signals and the calls that wait.
 *
 * A signal whose handler runs while a call is blocked ends the call with
 * EINTR, or makes it again with SA_RESTART: a read of an empty pipe, and
 * waitpid (the handler, run by a timer, writes the byte the read gets).
 * nanosleep always ends with EINTR and the time left. pause and
 * sigsuspend return EINTR once a handler has run; sigsuspend waits with a
 * mask of its own and puts the old one back. alarm and setitimer send
 * SIGALRM (si_code SI_KERNEL), once or periodically; getitimer reads them.
 * rt_sigtimedwait takes a pending signal without running its handler,
 * waits for one sent later, times out with EAGAIN, and is interrupted by
 * another signal. Last, a timer keeps interrupting a program while it
 * faults pages in, and every byte is where it was written.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

static int pipefd[2];
static volatile int alarms, last_code, usr1s;
static volatile bool write_in_handler;

static void on_alarm(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	alarms++;
	last_code = si->si_code;
	if (write_in_handler) {
		write_in_handler = false;
		write(pipefd[1], "x", 1);
	}
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1s++;
}

static void install(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_alarm;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

/* A single SIGALRM after ms milliseconds. */
static void alarm_ms(int ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void test_pipe_read(void)
{
	char c = 0;
	ssize_t n;

	pipe(pipefd);
	install(SIGALRM, 0);
	write_in_handler = true;
	alarms = 0;
	alarm_ms(50);
	errno = 0;
	n = read(pipefd[0], &c, 1);
	int err = errno;
	ut_check(n == -1 && err == EINTR && alarms == 1,
		 "pipe read, handler without SA_RESTART: %zd %s", n,
		 ut_errname(err));
	n = read(pipefd[0], &c, 1);
	ut_check(n == 1 && c == 'x', "the handler's byte is read next");

	install(SIGALRM, SA_RESTART);
	write_in_handler = true;
	alarms = 0;
	alarm_ms(50);
	n = read(pipefd[0], &c, 1);
	ut_check(n == 1 && c == 'x' && alarms == 1,
		 "pipe read, SA_RESTART: restarted, got the handler's byte");
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_waitpid(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		usleep(400 * 1000);
		_exit(3);
	}
	install(SIGALRM, 0);
	alarm_ms(50);
	errno = 0;
	pid_t r = waitpid(pid, &status, 0);
	int err = errno;
	ut_check(r == -1 && err == EINTR,
		 "waitpid, handler without SA_RESTART: %s", ut_errname(err));

	install(SIGALRM, SA_RESTART);
	alarms = 0;
	alarm_ms(50);
	r = waitpid(pid, &status, 0);
	ut_check(r == pid && alarms == 1 && ut_exited(status, 3),
		 "waitpid, SA_RESTART: restarted, %s", ut_status(status));
}

static void test_nanosleep(void)
{
	struct timespec req = { 2, 0 }, rem = { 0, 0 };

	install(SIGALRM, SA_RESTART);
	alarms = 0;
	alarm_ms(50);
	errno = 0;
	int r = nanosleep(&req, &rem);
	int err = errno;
	ut_check(r == -1 && err == EINTR && alarms == 1,
		 "nanosleep: EINTR even with SA_RESTART: %s", ut_errname(err));
	ut_check(rem.tv_sec == 1 || (rem.tv_sec == 0 && rem.tv_nsec > 0),
		 "nanosleep: the time left is in rem (1.9 s or so)");
}

static void test_pause_sigsuspend(void)
{
	sigset_t usr1, old, in_suspend, now;

	install(SIGALRM, 0);
	alarms = 0;
	alarm_ms(30);
	errno = 0;
	int r = pause();
	int err = errno;
	ut_check(r == -1 && err == EINTR && alarms == 1,
		 "pause: returns after the handler: %s", ut_errname(err));

	signal(SIGUSR1, on_usr1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigaddset(&usr1, SIGALRM);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	usr1s = 0;
	raise(SIGUSR1); /* pending until sigsuspend unblocks it */
	sigemptyset(&in_suspend);
	sigaddset(&in_suspend, SIGALRM);
	errno = 0;
	r = sigsuspend(&in_suspend);
	err = errno;
	ut_check(r == -1 && err == EINTR && usr1s == 1,
		 "sigsuspend: the pending SIGUSR1's handler ran: %s",
		 ut_errname(err));
	sigprocmask(SIG_BLOCK, NULL, &now);
	ut_check(sigismember(&now, SIGUSR1) && sigismember(&now, SIGALRM),
		 "sigsuspend: the old mask is back");

	/* SIGALRM stays blocked during the wait; SIGUSR1 from a child wakes. */
	alarms = 0;
	alarm_ms(20);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		usleep(150 * 1000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	usr1s = 0;
	sigsuspend(&in_suspend);
	ut_check(usr1s == 1 && alarms == 0,
		 "sigsuspend: the blocked SIGALRM waited, SIGUSR1 woke it");
	sigprocmask(SIG_SETMASK, &old, NULL);
	ut_check(alarms == 1, "the SIGALRM came once unblocked");
	ut_wait(pid);
	signal(SIGUSR1, SIG_DFL);
}

static void test_timers(void)
{
	struct itimerval it, got;

	install(SIGALRM, 0);
	ut_check(alarm(10) == 0, "alarm(10): no alarm before");
	ut_check(alarm(0) == 10, "alarm(0): 10 seconds were left");
	alarms = 0;
	alarm(1);
	pause();
	ut_check(alarms == 1 && last_code == SI_KERNEL,
		 "alarm(1): SIGALRM, si_code SI_KERNEL");

	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 200000;
	it.it_interval.tv_usec = 100000;
	ut_check(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
	getitimer(ITIMER_REAL, &got);
	ut_check(got.it_interval.tv_sec == 0 &&
			 got.it_interval.tv_usec == 100000,
		 "getitimer: the interval as set");
	ut_check(got.it_value.tv_sec == 0 && got.it_value.tv_usec > 0 &&
			 got.it_value.tv_usec <= 200000,
		 "getitimer: the time left, at most the value");
	alarms = 0;
	while (alarms < 3)
		pause();
	ut_check(alarms == 3, "periodic: three SIGALRMs");
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, &got);
	ut_check(got.it_interval.tv_usec == 100000,
		 "setitimer: the old value is returned");
	getitimer(ITIMER_REAL, &got);
	ut_check(got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0 &&
			 got.it_interval.tv_usec == 0,
		 "disarmed: zero");

	it.it_value.tv_usec = 1000000;
	errno = 0;
	ut_check(setitimer(ITIMER_REAL, &it, NULL) == -1 && errno == EINVAL,
		 "setitimer: tv_usec 1000000 is EINVAL");
	it.it_value.tv_usec = 0;
	errno = 0;
	ut_check(setitimer(5, &it, NULL) == -1 && errno == EINVAL,
		 "setitimer: timer 5 is EINVAL");

	/* ITIMER_VIRTUAL counts only while the program runs. */
	install(SIGVTALRM, 0);
	alarms = 0;
	it.it_value.tv_usec = 20000;
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	for (volatile unsigned long i = 0; alarms == 0 && i < 4000000000ul; i++)
		;
	ut_check(alarms == 1, "ITIMER_VIRTUAL: SIGVTALRM after 20 ms of "
			      "running");
}

static void test_sigtimedwait(void)
{
	sigset_t set, old;
	siginfo_t si;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int r, err;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);

	usr1s = 0;
	raise(SIGUSR1);
	r = sigtimedwait(&set, &si, &ts);
	/* raise() makes SI_TKILL, which glibc's sigtimedwait calls SI_USER. */
	ut_check(r == SIGUSR1 && si.si_signo == SIGUSR1 &&
			 si.si_code == SI_USER && si.si_pid == getpid(),
		 "a pending signal is taken at once, with its siginfo");
	ut_check(usr1s == 0, "its handler does not run");

	errno = 0;
	r = sigtimedwait(&set, &si, &ts);
	err = errno;
	ut_check(r == -1 && err == EAGAIN, "nothing comes: %s",
		 ut_errname(err));
	ts.tv_nsec = 0;
	errno = 0;
	r = sigtimedwait(&set, &si, &ts);
	err = errno;
	ut_check(r == -1 && err == EAGAIN, "timeout 0: %s at once",
		 ut_errname(err));

	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		usleep(100 * 1000);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	r = sigwaitinfo(&set, &si);
	ut_check(r == SIGUSR2 && si.si_code == SI_USER && si.si_pid == pid,
		 "waits for SIGUSR2 from a child: SI_USER, si_pid the child");
	ut_wait(pid);

	install(SIGALRM, 0);
	alarms = 0;
	alarm_ms(30);
	errno = 0;
	r = sigwaitinfo(&set, &si);
	err = errno;
	ut_check(r == -1 && err == EINTR && alarms == 1,
		 "another signal's handler interrupts: %s", ut_errname(err));

	ts.tv_nsec = 1000000000;
	errno = 0;
	r = sigtimedwait(&set, &si, &ts);
	err = errno;
	ut_check(r == -1 && err == EINVAL, "tv_nsec 10^9: %s", ut_errname(err));
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/*
 * A 1 ms interval timer interrupts a program that spends its time in page
 * faults: it maps 1 MiB, touches every page, checks and unmaps it, again
 * and again until five SIGALRMs have come (or for 500 rounds).
 */
static void test_during_faults(void)
{
	const size_t size = 1u << 20;
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	bool ok = true;

	install(SIGALRM, SA_RESTART);
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	for (int round = 0; round < 500 && alarms < 5; round++) {
		unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			ok = false;
			break;
		}
		for (size_t i = 0; i < size; i += 512)
			m[i] = (unsigned char)((i >> 9) ^ (size_t)round);
		for (size_t i = 0; i < size; i += 512)
			ok &= m[i] == (unsigned char)((i >> 9) ^ (size_t)round);
		munmap(m, size);
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	ut_check(alarms >= 5, "SIGALRMs came while pages were faulted in");
	ut_check(ok, "every byte is as written");
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	test_pipe_read();
	test_waitpid();
	test_nanosleep();
	test_pause_sigsuspend();
	test_timers();
	test_sigtimedwait();
	test_during_faults();
	return ut_end();
}
