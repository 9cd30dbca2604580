/*
 * tests/user/thread_signals.c - signals sent to a process of several
 * threads that every thread blocks, compared with Linux.
 *
 * Such a signal is the process's, not one thread's: it waits in the
 * process's pending set (ShdPnd in /proc/PID/status; sigpending in every
 * thread shows it) until some thread takes it: a thread started later
 * that waits for it with sigtimedwait, or one that unblocks it, whose
 * handler then runs. A signal sent to one thread with tgkill stays that
 * thread's (SigPnd in its task status): another thread waiting for it
 * times out.
 */
#include "utest.h"

#include <pthread.h>
#include <sys/syscall.h>

static pid_t gettid_raw(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* The hexadecimal value of a "Name:\t..." line of a status file. */
static unsigned long long status_mask(const char *path, const char *name)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	unsigned long long v = ~0ull;
	if (!f)
		return v;
	while (fgets(buf, sizeof(buf), f))
		if (strncmp(buf, name, strlen(name)) == 0)
			v = strtoull(buf + strlen(name), NULL, 16);
	fclose(f);
	return v;
}

static unsigned long long bit(int sig)
{
	return 1ull << (sig - 1);
}

/* A thread that waits up to a second for one signal; its result. */
struct waiter {
	int sig;
	int got;       /* the signal taken, or -errno */
	pid_t sender;  /* its sender (si_pid) */
	pid_t tid;
};

static void *wait_one(void *arg)
{
	struct waiter *w = arg;
	sigset_t set;
	siginfo_t si;
	struct timespec ts = { 1, 0 };

	w->tid = gettid_raw();
	sigemptyset(&set);
	sigaddset(&set, w->sig);
	int r = sigtimedwait(&set, &si, &ts);
	w->got = r > 0 ? r : -errno;
	w->sender = r > 0 ? si.si_pid : 0;
	return NULL;
}

static volatile pid_t handled_in;

static void on_usr2(int sig)
{
	(void)sig;
	handled_in = gettid_raw();
}

/* Unblocks SIGUSR2 and waits a little for its handler. */
static void *unblock_usr2(void *arg)
{
	pid_t *tid = arg;
	sigset_t set;

	*tid = gettid_raw();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	for (int i = 0; i < 100 && !handled_in; i++)
		usleep(10000);
	return NULL;
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	/* Threads created from now on start with this mask. */
	pthread_sigmask(SIG_BLOCK, &block, NULL);

	printf("-- a signal of the process, every thread blocking it\n");
	kill(getpid(), SIGUSR1);
	unsigned long long shd = status_mask("/proc/self/status", "ShdPnd:");
	unsigned long long own = status_mask("/proc/self/status", "SigPnd:");
	ut_check(shd & bit(SIGUSR1), "ShdPnd has SIGUSR1");
	ut_check(!(own & bit(SIGUSR1)), "SigPnd of the main thread has not");
	sigset_t pend;
	sigpending(&pend);
	ut_check(sigismember(&pend, SIGUSR1), "sigpending shows it");

	struct waiter w = { .sig = SIGUSR1 };
	pthread_t t;
	pthread_create(&t, NULL, wait_one, &w);
	pthread_join(t, NULL);
	ut_check(w.got == SIGUSR1 && w.sender == getpid(),
		 "a thread started later takes it with sigtimedwait "
		 "(got %s)", w.got > 0 ? ut_signame(w.got) : ut_errname(-w.got));
	sigpending(&pend);
	ut_check(!sigismember(&pend, SIGUSR1), "and it is no longer pending");

	printf("-- a signal of one thread\n");
	struct waiter w1 = { .sig = SIGTERM }, w2 = { .sig = SIGTERM };
	syscall(SYS_tgkill, getpid(), gettid_raw(), SIGTERM);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/status",
		 gettid_raw());
	ut_check(status_mask(path, "SigPnd:") & bit(SIGTERM),
		 "tgkill: SigPnd of that thread has SIGTERM");
	ut_check(!(status_mask("/proc/self/status", "ShdPnd:") & bit(SIGTERM)),
		 "ShdPnd has not");
	pthread_create(&t, NULL, wait_one, &w2);
	pthread_join(t, NULL);
	ut_check(w2.got == -EAGAIN,
		 "another thread waiting for it times out (%s)",
		 w2.got > 0 ? ut_signame(w2.got) : ut_errname(-w2.got));
	wait_one(&w1);
	ut_check(w1.got == SIGTERM, "the thread itself takes it");

	printf("-- unblocked later, in another thread\n");
	signal(SIGUSR2, on_usr2);
	kill(getpid(), SIGUSR2);
	ut_check(!handled_in, "no handler runs while every thread blocks it");
	pid_t tid = 0;
	pthread_create(&t, NULL, unblock_usr2, &tid);
	pthread_join(t, NULL);
	ut_check(handled_in && handled_in == tid,
		 "the thread that unblocks it runs the handler");
	return ut_end();
}
