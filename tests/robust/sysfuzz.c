/*
 * tests/robust/sysfuzz.c - random system calls must not hurt the kernel.
 *
 * Runs only on Pagoda (random system calls would damage a real host).
 * Each round forks a child that makes a few hundred system calls with
 * random numbers and random arguments — pointers into its own memory, into
 * nothing, into the kernel, NULL, small and huge integers — then installs
 * random signal handlers on a random alternate stack and signals itself,
 * and last returns from a signal frame of random words; it is then
 * killed. The parent checks that it can still fork, read /proc/meminfo and
 * exec, and prints one line. A kernel panic ends the machine, which the
 * test runner sees as a missing final line.
 *
 *   sysfuzz [ROUNDS [CALLS] [SEED]]
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Calls that would end the test rather than exercise the kernel: they
 * wait for good (pause, sigsuspend), leave the calling code
 * (sigreturn, rt_sigreturn: the end of each round does that on purpose),
 * or reach other processes.
 */
static int excluded(long nr)
{
	return nr == SYS_reboot || nr == SYS_exit || nr == SYS_exit_group ||
	       nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone ||
	       nr == SYS_execve || nr == SYS_pause || nr == SYS_kill ||
	       nr == SYS_tkill || nr == SYS_tgkill || nr == SYS_nanosleep ||
	       nr == SYS_clock_nanosleep || nr == SYS_read || nr == SYS_readv ||
	       nr == SYS_wait4 || nr == SYS_waitpid ||
	       nr == SYS_rt_sigsuspend || nr == SYS_sigsuspend ||
	       nr == SYS_sigreturn || nr == SYS_rt_sigreturn ||
	       nr == SYS_sched_yield;
}

static uint32_t rng;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static char scratch[8192];

/* An address in the program text (read-only, executable). */
static void child_text(void)
{
}

static long random_arg(void)
{
	switch (next() % 9) {
	case 0:
		return 0;
	case 1:
		return (long)(scratch + next() % sizeof(scratch));
	case 2:
		return (long)0xC0000000u + (long)(next() % 0x1000);
	case 3:
		return (long)0xFFFFF000u;
	case 4:
		return (long)(next() % 64);
	case 5:
		return -1;
	case 6:
		return (long)(next() & 0x0FFFF000);
	case 7:
		return (long)child_text;
	default:
		return (long)next();
	}
}

/* The kernel's struct sigaction for rt_sigaction on i386. */
struct k_sigaction {
	long handler;
	unsigned long flags;
	long restorer;
	unsigned long long mask;
};

#define SA_RESTORER 0x04000000 /* the kernel's flag (asm/signal.h) */
#define SS_DISABLE_FLAG 2

/*
 * Handlers with random flags and restorers, mostly a function that
 * returns, sometimes any address; sometimes on a random alternate stack;
 * and signals to the child itself: the kernel builds frames wherever that
 * says, or finds it cannot. Most children live through it to the end of
 * the round.
 */
static void random_signals(void)
{
	for (int i = 0; i < 4; i++) {
		int sig = 1 + (int)(next() % 64);
		struct k_sigaction ka = { next() % 4 ? (long)child_text
						     : random_arg(),
					  next(), random_arg(), next() };
		long ss[3] = { random_arg(), SS_DISABLE_FLAG, random_arg() };

		if (next() % 4)
			ka.flags &= ~(unsigned long)SA_RESTORER;
		if (next() % 4 == 0)
			ss[1] = 0;
		syscall(SYS_rt_sigaction, sig, &ka, NULL, 8);
		syscall(SYS_sigaltstack, ss, NULL);
		syscall(SYS_tkill, getpid(), sig);
	}
}

/*
 * The end of a round: sigreturn or rt_sigreturn of a frame of random
 * words. The kernel must refuse it or restore only what a program may set
 * (segments, EFLAGS, the FPU area); the child then dies or runs wild until
 * it is killed.
 */
static void random_sigreturn(void)
{
	static long frame[1024];
	long nr = next() & 1 ? SYS_sigreturn : SYS_rt_sigreturn;

	for (unsigned int i = 0; i < sizeof(frame) / sizeof(frame[0]); i++)
		frame[i] = next() % 4 ? (long)next() : random_arg();
	__asm__ volatile("mov %0, %%esp\n\t"
			 "int $0x80"
			 :
			 : "r"(frame + 512), "a"(nr)
			 : "memory");
}

static void child(int calls)
{
	for (int i = 0; i < calls; i++) {
		long nr = (long)(next() % 450);
		if (excluded(nr))
			continue;
		syscall(nr, random_arg(), random_arg(), random_arg(),
			random_arg(), random_arg(), random_arg());
	}
	random_signals();
	random_sigreturn();
	_exit(0);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	int calls = argc > 2 ? atoi(argv[2]) : 300;
	rng = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 12345u;
	int exits = 0, signals = 0;

	for (int r = 0; r < rounds; r++) {
		uint32_t seed = next();
		pid_t pid = fork();
		if (pid < 0) {
			printf("sysfuzz: fork failed in round %d\n", r);
			return 1;
		}
		if (pid == 0) {
			rng = seed | 1;
			child(calls);
		}
		/*
		 * A child may block for good (e.g. writing to a full pipe it
		 * reads itself): that is its problem, not the kernel's. Give
		 * it two seconds, then kill it.
		 */
		int status = 0;
		pid_t got = 0;
		for (int t = 0; t < 200 && got == 0; t++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			got = waitpid(pid, &status, WNOHANG);
			if (got == 0)
				nanosleep(&ts, NULL);
		}
		if (got == 0) {
			kill(pid, SIGKILL);
			got = waitpid(pid, &status, 0);
		}
		if (got != pid) {
			printf("sysfuzz: wait failed in round %d\n", r);
			return 1;
		}
		if (WIFSIGNALED(status))
			signals++;
		else
			exits++;
	}
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	if (!f || !fgets(line, sizeof(line), f)) {
		printf("sysfuzz: /proc/meminfo unreadable afterwards\n");
		return 1;
	}
	fclose(f);
	printf("sysfuzz: %d rounds of %d calls: %d exited, %d killed by a "
	       "signal; the kernel survived\n",
	       rounds, calls, exits, signals);
	return 0;
}
