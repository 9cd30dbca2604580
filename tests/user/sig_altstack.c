/*
 * tests/user/sig_altstack.c - handlers on an alternate signal stack.
 *
 * sigaltstack checks what it is given (EINVAL, ENOMEM, EFAULT) and reads
 * back what is set. A SA_ONSTACK handler runs on that stack, sees
 * SS_ONSTACK from sigaltstack and the stack in its ucontext, may not
 * change it (EPERM), and a signal nested in it stays on it, further down.
 * A handler without SA_ONSTACK stays on the normal stack. SS_AUTODISARM
 * disarms the stack while the handler runs and brings it back after. A
 * child of fork has its parent's. And when the frame cannot be written
 * there (the stack is unmapped, read-only, or too small for the signals
 * nested in it) the process dies of SIGSEGV.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define ALT_SIZE (64 * 1024)
/* Linux's flag (include/uapi/linux/signal.h); glibc does not export it. */
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif

static char alt[ALT_SIZE] __attribute__((aligned(16)));
static volatile uintptr_t local_at, nested_local_at;
static volatile int flags_inside, calls, eperm, nested;
static volatile uintptr_t uc_sp;
static volatile size_t uc_size;
static volatile int uc_flags;

static bool on_alt(uintptr_t p)
{
	return p >= (uintptr_t)alt && p < (uintptr_t)alt + ALT_SIZE;
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	volatile char here;
	stack_t cur, other = { .ss_sp = alt, .ss_size = ALT_SIZE };

	(void)si;
	calls++;
	if (sig == SIGUSR2) {
		nested_local_at = (uintptr_t)&here;
		return;
	}
	local_at = (uintptr_t)&here;
	sigaltstack(NULL, &cur);
	flags_inside = cur.ss_flags;
	uc_sp = (uintptr_t)uc->uc_stack.ss_sp;
	uc_size = uc->uc_stack.ss_size;
	uc_flags = uc->uc_stack.ss_flags;
	eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
	if (nested)
		raise(SIGUSR2);
}

static void install(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void test_calls(void)
{
	stack_t ss, old;

	ut_check(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE &&
			 old.ss_sp == NULL && old.ss_size == 0,
		 "none at start: SS_DISABLE");
	ss.ss_sp = alt;
	ss.ss_size = 1024;
	ss.ss_flags = 0;
	errno = 0;
	ut_check(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM,
		 "1024 bytes: ENOMEM (below MINSIGSTKSZ)");
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 5;
	errno = 0;
	ut_check(sigaltstack(&ss, NULL) == -1 && errno == EINVAL,
		 "ss_flags 5: EINVAL");
	errno = 0;
	ut_check(sigaltstack(ut_opaque(16), NULL) == -1 && errno == EFAULT,
		 "bad pointer: EFAULT");
	ss.ss_flags = 0;
	ut_check(sigaltstack(&ss, NULL) == 0, "set a 64 KiB stack");
	ut_check(sigaltstack(NULL, &old) == 0 && old.ss_sp == alt &&
			 old.ss_size == ALT_SIZE && old.ss_flags == 0,
		 "read back: the stack, flags 0");
}

static void test_handlers(void)
{
	volatile char main_local;

	install(SIGUSR1, SA_ONSTACK);
	calls = 0;
	raise(SIGUSR1);
	ut_check(calls == 1 && on_alt(local_at),
		 "SA_ONSTACK: the handler ran on the alternate stack");
	ut_check(flags_inside == SS_ONSTACK,
		 "sigaltstack in the handler: SS_ONSTACK");
	ut_check(uc_sp == (uintptr_t)alt && uc_size == ALT_SIZE &&
			 uc_flags == 0,
		 "uc_stack is the alternate stack");
	ut_check(eperm, "changing it in the handler: EPERM");

	install(SIGUSR2, SA_ONSTACK);
	nested = 1;
	calls = 0;
	raise(SIGUSR1);
	nested = 0;
	ut_check(calls == 2 && on_alt(nested_local_at) &&
			 nested_local_at < local_at,
		 "a nested signal stays on it, further down");

	install(SIGUSR1, 0);
	calls = 0;
	raise(SIGUSR1);
	ut_check(calls == 1 && !on_alt(local_at) &&
			 local_at < (uintptr_t)&main_local,
		 "without SA_ONSTACK: the normal stack");
}

static void test_autodisarm(void)
{
	stack_t ss = { .ss_sp = alt,
		       .ss_size = ALT_SIZE,
		       .ss_flags = SS_AUTODISARM },
		old;

	ut_check(sigaltstack(&ss, NULL) == 0, "set with SS_AUTODISARM");
	install(SIGUSR1, SA_ONSTACK);
	calls = 0;
	raise(SIGUSR1);
	ut_check(calls == 1 && on_alt(local_at),
		 "SS_AUTODISARM: the handler ran on it");
	ut_check(flags_inside == SS_DISABLE,
		 "in the handler it is disarmed: SS_DISABLE");
	ut_check(uc_flags == (int)SS_AUTODISARM,
		 "uc_stack has the flags as set");
	sigaltstack(NULL, &old);
	ut_check(old.ss_sp == alt && old.ss_flags == (int)SS_AUTODISARM,
		 "after the handler it is back");

	ss.ss_flags = SS_DISABLE;
	ut_check(sigaltstack(&ss, NULL) == 0, "SS_DISABLE");
	calls = 0;
	raise(SIGUSR1);
	ut_check(calls == 1 && !on_alt(local_at),
		 "disabled: SA_ONSTACK runs on the normal stack");
}

static int fork_child(void *arg)
{
	stack_t old;

	(void)arg;
	sigaltstack(NULL, &old);
	return old.ss_sp == alt && old.ss_size == ALT_SIZE ? 4 : 5;
}

/* The alternate stack is the page at arg. */
static int bad_stack_child(void *arg)
{
	stack_t ss = { .ss_sp = arg, .ss_size = UT_PAGE };

	if (sigaltstack(&ss, NULL))
		return 9;
	install(SIGUSR1, SA_ONSTACK);
	raise(SIGUSR1);
	return 0;
}

/*
 * Each handler signals itself again at once, with int $0x80 so that its
 * own stack use is a few bytes: the frames pile up on the alternate stack
 * until the next does not fit.
 */
static pid_t self;

static void deeper(int sig)
{
	__asm__ volatile("int $0x80"
			 :
			 : "a"(SYS_tkill), "b"(self), "c"(sig)
			 : "memory");
}

/* arg: two pages for the stack, an unmapped page below them. */
static int overflow_child(void *arg)
{
	stack_t ss = { .ss_sp = arg, .ss_size = 2 * UT_PAGE };
	struct sigaction sa;

	self = getpid();
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = deeper;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	return 0;
}

/* Even a SIGSEGV handler on the same bad stack cannot save it. */
static int segv_handler_child(void *arg)
{
	install(SIGSEGV, SA_ONSTACK);
	return bad_stack_child(arg);
}

int main(int argc, char **argv)
{
	int status;

	ut_begin(argc, argv);
	test_calls();
	test_handlers();

	stack_t ss = { .ss_sp = alt, .ss_size = ALT_SIZE };
	sigaltstack(&ss, NULL);
	status = ut_in_child(fork_child, NULL);
	ut_check(ut_exited(status, 4), "fork: the child has the stack: %s",
		 ut_status(status));
	test_autodisarm();

	/* page 1 unmapped, page 2 read-only, pages 2-3 after mprotect back */
	char *m = mmap(NULL, 4 * UT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + UT_PAGE, UT_PAGE);
	mprotect(m + 2 * UT_PAGE, UT_PAGE, PROT_READ);
	status = ut_in_child(bad_stack_child, m + UT_PAGE);
	ut_check(ut_killed_by(status, SIGSEGV), "unmapped stack: %s",
		 ut_status(status));
	status = ut_in_child(bad_stack_child, m + 2 * UT_PAGE);
	ut_check(ut_killed_by(status, SIGSEGV), "read-only stack: %s",
		 ut_status(status));
	status = ut_in_child(segv_handler_child, m + UT_PAGE);
	ut_check(ut_killed_by(status, SIGSEGV),
		 "unmapped stack, SIGSEGV handler on it too: %s",
		 ut_status(status));
	mprotect(m + 2 * UT_PAGE, UT_PAGE, PROT_READ | PROT_WRITE);
	status = ut_in_child(overflow_child, m + 2 * UT_PAGE);
	ut_check(ut_killed_by(status, SIGSEGV),
		 "nested frames overflow the stack: %s", ut_status(status));
	munmap(m, 4 * UT_PAGE);
	return ut_end();
}
