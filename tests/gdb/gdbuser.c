/*
 * tests/gdb/gdbuser.c - two processes running the same user code, for the
 * test of pagoda-user, pagoda-ubreak and backtraces through the trap frame
 * (tests/gdb/check_user.py).
 *
 * Booted as the first process (init=/bin/gdbuser), it forks; parent (PID
 * 1) and child (PID 2) each call work() WORK_CALLS times, and work() makes
 * a system call (getppid) from a function of its own, ask_kernel(), so
 * that a kernel breakpoint at sys_getppid has user frames ask_kernel <-
 * work <- main behind the trap frame. The child then exits and the
 * parent waits for it and exits, which ends QEMU. It prints
 * "gdbuser: PID calls work N times" for each process, for the test.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORK_CALLS 3

/* Not inlined, so that the backtrace has its frame. */
__attribute__((noinline)) long ask_kernel(void)
{
	return syscall(SYS_getppid);
}

__attribute__((noinline)) long work(int i)
{
	return ask_kernel() + i;
}

int main(void)
{
	pid_t child = fork();
	long sum = 0;

	printf("gdbuser: pid %d calls work %d times\n", (int)getpid(),
	       WORK_CALLS);
	fflush(stdout);
	for (int i = 0; i < WORK_CALLS; i++)
		sum += work(i);
	if (child == 0)
		_exit(sum < 0);
	int status;
	waitpid(child, &status, 0);
	return 0;
}
