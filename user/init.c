/*
 * user/init.c - the first process: starts the shell and reaps orphans.
 *
 * The kernel starts /bin/init as process 1 with the console already open
 * as descriptors 0, 1 and 2. init runs /bin/sh as a login shell (argv[0]
 * "-sh"), and starts a new one whenever it ends, so the machine always has
 * a prompt. /bin/sh is busybox ash in the full initramfs, Pagoda's small
 * shell in the small one. The shell gets a session of its own with the
 * console as its controlling terminal (setsid, TIOCSCTTY), so that it can
 * do job control: put each job in a process group and give the terminal
 * to the one in the foreground.
 *
 * Like busybox's init, SIGUSR2 powers the machine off, SIGUSR1 halts it
 * and SIGTERM reboots it: that is how busybox's poweroff, halt and reboot
 * ask init to stop the machine. Every process
 * whose parent exits is given to process 1, so init also waits for
 * those: wait4(-1) returns any child, and each one that is not the shell
 * is simply reaped, freeing its process slot.
 *
 * If the shell cannot be started (it ends with status 127), or keeps
 * ending within a second of starting (at the end of its input, say),
 * several times in a row, init gives up and exits; the kernel then stops
 * the machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHELL "/bin/sh"
#define MAX_QUICK_FAILURES 3 /* shells in a row that failed or ... */
#define QUICK_SECONDS 1	     /* ... lived less than this */

/* The environment every program started from the console inherits. */
static char *const shell_env[] = { "HOME=/", "PATH=/bin", "TERM=linux",
				   "PS1=pagoda$ ", NULL };

static struct timespec started; /* when the current shell started */

/* Seconds since the current shell started. */
static long shell_age(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - started.tv_sec);
}

/* The signal that asked init to stop the machine, or 0. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

/* Stops the machine the way the signal asked (busybox init's meaning). */
static void stop_machine(int sig)
{
	int how = sig == SIGUSR2 ? RB_POWER_OFF
		  : sig == SIGUSR1 ? RB_HALT_SYSTEM : RB_AUTOBOOT;

	kill(-1, SIGTERM);
	sync();
	reboot(how);
	fprintf(stderr, "init: reboot: %s\n", strerror(errno));
}

/* Starts the shell in a new process; returns its PID, or -1. */
static pid_t start_shell(void)
{
	/* A leading '-' makes it a login shell. */
	char *const argv[] = { "-sh", NULL };
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &started);
	pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, SIG_DFL);
		signal(SIGUSR2, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		/*
		 * A new session whose controlling terminal is the console;
		 * without one the shell works, but without job control.
		 */
		if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
			fprintf(stderr, "init: no controlling terminal: %s\n",
				strerror(errno));
		execve(SHELL, argv, shell_env);
		fprintf(stderr, "init: cannot run %s: %s\n", SHELL,
			strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
	return pid;
}

/* Describes how a process ended, for the message after the shell ends. */
static void describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (SIG%s)",
			 WTERMSIG(status),
			 sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, size, "ended with status 0x%x", status);
}

int main(void)
{
	int failures = 0;
	pid_t shell;

	struct sigaction sa = { .sa_handler = on_stop_signal };

	if (getpid() != 1)
		fprintf(stderr, "init: note: running as PID %d, not 1\n",
			getpid());
	/* No SA_RESTART: the signal ends the wait below. */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	shell = start_shell();
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		char how[64];

		if (stop_signal)
			stop_machine(stop_signal);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			/* No children at all: the shell could not be forked. */
			if (shell < 0 && ++failures < MAX_QUICK_FAILURES) {
				shell = start_shell();
				continue;
			}
			fprintf(stderr, "init: no shell, giving up\n");
			return 1;
		}
		if (pid != shell)
			continue; /* an orphan, now reaped */

		describe(status, how, sizeof(how));
		if ((WIFEXITED(status) && WEXITSTATUS(status) == 127) ||
		    shell_age() < QUICK_SECONDS) {
			if (++failures >= MAX_QUICK_FAILURES) {
				fprintf(stderr,
					"init: the shell %s, %d times "
					"in a row right after starting; "
					"giving up\n",
					how, failures);
				return 1;
			}
		} else {
			failures = 0;
		}
		printf("init: the shell %s; starting a new one\n", how);
		fflush(stdout);
		shell = start_shell();
	}
}
