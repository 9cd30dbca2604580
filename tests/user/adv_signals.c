/*
 * tests/user/adv_signals.c - signals, used as an attacker would: numbers
 * out of range, structures in memory the caller may not read or write,
 * the wrong set sizes, handlers at addresses with no code, alternate
 * stacks in memory that cannot hold a frame, frames of garbage given to
 * sigreturn, a handler that faults for ever, and floods of one signal.
 *
 * Whatever the program does, only it may suffer: each attack that can
 * kill is made in a child, and the parent prints how the child ended
 * (which Linux defines exactly). Every errno is printed, so that Linux
 * decides what is right.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#define PG UT_PAGE

/* The kernel's struct sigaction on i386 (rt_sigaction). */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint32_t mask[2];
};

#define SA_ONSTACK_K 0x08000000u
#define SA_NODEFER_K 0x40000000u

/* "ok" or the errno name of the last call's result r. */
static const char *err_of(long r)
{
	return r == -1 ? ut_errname(errno) : "ok";
}

/* rt_sigaction with a set size of the caller's choice. */
static long rt_action(int sig, const void *act, void *old, size_t size)
{
	return syscall(SYS_rt_sigaction, sig, act, old, size);
}

/* A page with the protection asked for. */
static void *page(int prot)
{
	void *p = mmap(NULL, PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap failed: %s\n", ut_errname(errno));
		exit(2);
	}
	return p;
}

static volatile int hits;

static void count(int sig)
{
	(void)sig;
	hits++;
}

/* Bad numbers and sizes, and structures out of reach. */
static void bad_arguments(void)
{
	struct ksigaction ka = { count, 0, NULL, { 0, 0 } };
	ut_fact("rt_sigaction signal 0: %s", err_of(rt_action(0, &ka, NULL, 8)));
	ut_fact("rt_sigaction signal 65: %s",
		err_of(rt_action(65, &ka, NULL, 8)));
	ut_fact("rt_sigaction signal -1: %s",
		err_of(rt_action(-1, &ka, NULL, 8)));
	ut_fact("rt_sigaction SIGKILL with a handler: %s",
		err_of(rt_action(SIGKILL, &ka, NULL, 8)));
	ut_fact("rt_sigaction SIGSTOP with a handler: %s",
		err_of(rt_action(SIGSTOP, &ka, NULL, 8)));
	struct ksigaction old;
	ut_fact("rt_sigaction SIGKILL, only reading: %s",
		err_of(rt_action(SIGKILL, NULL, &old, 8)));
	ut_fact("rt_sigaction set size 4: %s",
		err_of(rt_action(SIGUSR1, &ka, NULL, 4)));
	ut_fact("rt_sigaction set size 16: %s",
		err_of(rt_action(SIGUSR1, &ka, NULL, 16)));

	void *none = page(PROT_NONE), *ro = page(PROT_READ);
	ut_fact("rt_sigaction from PROT_NONE memory: %s",
		err_of(rt_action(SIGUSR1, none, NULL, 8)));
	ut_fact("rt_sigaction from an address in the kernel's half: %s",
		err_of(rt_action(SIGUSR1, ut_opaque(0xFFFFF000u), NULL, 8)));
	/* The new action is set before the old one is written out. */
	ut_fact("rt_sigaction into read-only memory: %s",
		err_of(rt_action(SIGUSR1, &ka, ro, 8)));
	rt_action(SIGUSR1, NULL, &old, 8);
	ut_check(old.handler == count,
		 "the action was set all the same, as on Linux");

	uint32_t set[2] = { 0, 0 };
	ut_fact("rt_sigprocmask how 7: %s",
		err_of(syscall(SYS_rt_sigprocmask, 7, set, NULL, 8)));
	ut_fact("rt_sigprocmask set size 4: %s",
		err_of(syscall(SYS_rt_sigprocmask, SIG_BLOCK, set, NULL, 4)));
	ut_fact("rt_sigprocmask from PROT_NONE memory: %s",
		err_of(syscall(SYS_rt_sigprocmask, SIG_BLOCK, none, NULL, 8)));
	ut_fact("rt_sigprocmask into read-only memory: %s",
		err_of(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, ro, 8)));
	ut_fact("rt_sigpending into PROT_NONE memory: %s",
		err_of(syscall(SYS_rt_sigpending, none, 8)));
	ut_fact("rt_sigpending set size 16: %s",
		err_of(syscall(SYS_rt_sigpending, set, 16)));
	ut_fact("kill signal 65: %s", err_of(kill(getpid(), 65)));
	ut_fact("kill of pid INT_MIN: %s", err_of(kill(-2147483647 - 1, 0)));
	ut_fact("tgkill of thread 0: %s",
		err_of(syscall(SYS_tgkill, getpid(), 0, SIGUSR1)));
	ut_fact("tgkill of a thread of another group: %s",
		err_of(syscall(SYS_tgkill, getpid() + 100000, getpid(), 0)));

	stack_t ss = { .ss_sp = page(PROT_READ | PROT_WRITE), .ss_size = 1 };
	ut_fact("sigaltstack of 1 byte: %s", err_of(sigaltstack(&ss, NULL)));
	ss.ss_size = PG;
	ss.ss_flags = 77;
	ut_fact("sigaltstack with flags 77: %s",
		err_of(sigaltstack(&ss, NULL)));
	ut_fact("sigaltstack from PROT_NONE memory: %s",
		err_of(sigaltstack(none, NULL)));
	signal(SIGUSR1, SIG_DFL);
}

/* A handler at an address with no code: the delivery kills. */
static int handler_nowhere(void *arg)
{
	struct ksigaction ka = { (void (*)(int))arg, 0, NULL, { 0, 0 } };
	if (rt_action(SIGUSR1, &ka, NULL, 8))
		return 10;
	raise(SIGUSR1);
	return 0;
}

/* An alternate stack the kernel cannot write a frame to. */
static int altstack_unwritable(void *arg)
{
	stack_t ss = { .ss_sp = arg, .ss_size = 4 * PG };
	struct sigaction sa = { .sa_handler = count, .sa_flags = SA_ONSTACK };
	if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, NULL))
		return 10;
	raise(SIGUSR1);
	return hits == 1 ? 0 : 11;
}

/* A SIGSEGV handler that faults again, with SA_NODEFER: it recurses. */
static void fault_again(int sig)
{
	(void)sig;
	*(volatile int *)ut_opaque(8) = 1;
}

static int recursive_fault(void *arg)
{
	(void)arg;
	struct sigaction sa = { .sa_handler = fault_again,
				.sa_flags = SA_NODEFER };
	sigaction(SIGSEGV, &sa, NULL);
	*(volatile int *)ut_opaque(8) = 1;
	return 0;
}

/* Without SA_NODEFER the second fault finds SIGSEGV blocked. */
static int fault_in_handler(void *arg)
{
	(void)arg;
	struct sigaction sa = { .sa_handler = fault_again };
	sigaction(SIGSEGV, &sa, NULL);
	*(volatile int *)ut_opaque(8) = 1;
	return 0;
}

/* sigreturn from a frame of garbage. */
static int garbage_frame(void *arg)
{
	uint32_t *frame = arg;
	for (int i = 0; i < 256; i++)
		frame[i] = 0xdeadbeefu ^ (uint32_t)i * 0x9e3779b9u;
	__asm__ volatile("movl %0, %%esp\n\t"
			 "movl $173, %%eax\n\t" /* rt_sigreturn */
			 "int $0x80"
			 :
			 : "r"(frame)
			 : "memory", "eax");
	return 0;
}

/* The main stack, used up by a handler that recurses without end. */
static void deeper(int sig)
{
	volatile char pad[1024];
	pad[0] = (char)sig;
	raise(SIGUSR2);
	(void)pad[0];
}

static int handler_overflow(void *arg)
{
	(void)arg;
	struct rlimit small = { 256 * 1024, 256 * 1024 };
	setrlimit(RLIMIT_STACK, &small);
	struct sigaction sa = { .sa_handler = deeper, .sa_flags = SA_NODEFER };
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	return 0;
}

static void deadly(void)
{
	int st = ut_in_child(handler_nowhere, ut_opaque(0x1000));
	ut_fact("a handler at an unmapped address: %s", ut_status(st));
	st = ut_in_child(handler_nowhere, NULL);
	ut_fact("a handler at address 0: %s", ut_status(st));
	st = ut_in_child(altstack_unwritable, page(PROT_READ));
	ut_fact("SA_ONSTACK on a read-only alternate stack: %s",
		ut_status(st));
	st = ut_in_child(recursive_fault, NULL);
	ut_fact("a SIGSEGV handler faulting again, SA_NODEFER: %s",
		ut_status(st));
	st = ut_in_child(fault_in_handler, NULL);
	ut_fact("a SIGSEGV handler faulting again: %s", ut_status(st));
	st = ut_in_child(garbage_frame, page(PROT_READ | PROT_WRITE));
	ut_fact("rt_sigreturn from a frame of garbage: %s", ut_status(st));
	st = ut_in_child(handler_overflow, NULL);
	ut_fact("handlers recursing past the stack limit: %s",
		ut_status(st));
}

/* A flood of one signal while it is blocked is delivered once. */
static void flood(void)
{
	sigset_t block, old;
	struct sigaction sa = { .sa_handler = count };
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	hits = 0;
	for (int i = 0; i < 5000; i++)
		kill(getpid(), SIGUSR1);
	sigset_t pending;
	sigpending(&pending);
	ut_check(sigismember(&pending, SIGUSR1) == 1, "SIGUSR1 is pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	ut_check(hits == 1, "5000 blocked SIGUSR1 run the handler once (%d)",
		 hits);

	/* A child floods its parent with unblocked signals; none is lost
	 * that arrives after the last handler ran, and the parent lives. */
	hits = 0;
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 2000; i++)
			kill(parent, SIGUSR1);
		_exit(0);
	}
	int st = ut_wait(pid);
	ut_check(ut_exited(st, 0) && hits >= 1,
		 "a flood of 2000 SIGUSR1 from a child: the parent lives");
	signal(SIGUSR1, SIG_DFL);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	bad_arguments();
	deadly();
	flood();
	return ut_end();
}
