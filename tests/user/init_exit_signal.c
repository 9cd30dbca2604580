/*
 * tests/user/init_exit_signal.c - clone() lets a child pick any exit
 * signal, SIGKILL included. A child orphaned with such a signal goes to
 * init, and must not slay it when it ends: Linux resets an orphan's exit
 * signal to SIGCHLD as it hands it over (reparent_leader), and ignores
 * SIGKILL sent to init in any case. Under tools/qemu-run this program is
 * init itself, so a kernel that forgot either would end the machine here
 * (the random system-call fuzzer found it that way).
 */
#include "utest.h"

#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	pid_t a = fork();
	if (a == 0) {
		/* A grandchild whose exit signal is SIGKILL, orphaned at once. */
		long g = syscall(SYS_clone, SIGKILL, 0, 0, 0, 0);
		if (g == 0) {
			usleep(200000);
			_exit(0);
		}
		_exit(g > 0 ? 0 : 1);
	}
	int status = ut_wait(a);
	ut_check(ut_exited(status, 0), "the parent made its child and ended");
	usleep(600000); /* the orphan ends meanwhile */
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		; /* the orphan, if it came to us */
	ut_check(1, "still here after the orphan with exit signal SIGKILL "
		    "ended");
	return ut_end();
}
