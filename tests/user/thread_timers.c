/*
 * tests/user/thread_timers.c - interval timers belong to the process, not
 * to the thread that set them (POSIX, and Linux's signal_struct): an
 * alarm set by a thread that then ends still fires, a timer set by one
 * thread is seen and cancelled by another, and SIGALRM, a signal for the
 * process, waits for a thread that takes it.
 */
#include "utest.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void *set_alarm_and_end(void *arg)
{
	(void)arg;
	alarm(1);
	return NULL;
}

static void *read_timer(void *arg)
{
	struct itimerval *v = arg;
	getitimer(ITIMER_REAL, v);
	return NULL;
}

static void *cancel_timer(void *arg)
{
	(void)arg;
	unsigned int left = alarm(0);
	return (void *)(unsigned long)left;
}

int main(int argc, char **argv)
{
	pthread_t t;
	ut_begin(argc, argv);
	signal(SIGALRM, on_alarm);

	/* An alarm from a thread that has ended. */
	pthread_create(&t, NULL, set_alarm_and_end, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 300 && !alarms; i++)
		usleep(10000);
	ut_check(alarms == 1, "the alarm of an ended thread fires: %d",
		 (int)alarms);

	/* A timer set here is seen by another thread. */
	struct itimerval set = { .it_value = { 30, 0 } }, seen = { 0 };
	setitimer(ITIMER_REAL, &set, NULL);
	pthread_create(&t, NULL, read_timer, &seen);
	pthread_join(t, NULL);
	ut_check(seen.it_value.tv_sec >= 29 && seen.it_value.tv_sec <= 30,
		 "another thread sees the timer (about 30 s left)");

	/* And cancels it: alarm(0) there returns what was left. */
	void *left;
	pthread_create(&t, NULL, cancel_timer, NULL);
	pthread_join(t, &left);
	ut_check((unsigned long)left >= 29 && (unsigned long)left <= 30,
		 "alarm(0) in another thread returns the seconds left");
	struct itimerval now;
	getitimer(ITIMER_REAL, &now);
	ut_check(now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0,
		 "the timer is cancelled for the whole process");

	/*
	 * With SIGALRM blocked in every thread, the alarm of a thread that
	 * has ended stays pending for the process, and sigtimedwait in the
	 * main thread takes it.
	 */
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	alarms = 0;
	pthread_create(&t, NULL, set_alarm_and_end, NULL); /* blocks it too */
	pthread_join(t, NULL);
	struct timespec wait = { 3, 0 };
	siginfo_t info;
	int sig = sigtimedwait(&block, &info, &wait);
	ut_check(sig == SIGALRM, "the blocked main thread takes it with "
		 "sigtimedwait: %d", sig);
	return ut_end();
}
