/*
 * tests/user/sig_segv.c - a program catches its own faults.
 *
 * A SA_SIGINFO handler for SIGSEGV learns why and where: si_code
 * SEGV_MAPERR for an address with no mapping, SEGV_ACCERR for an access
 * the mapping forbids, si_addr the exact byte, and the saved registers say
 * trap 14 (page fault), its error code and CR2. The handler can repair the
 * cause with mprotect and return: the access runs again and succeeds. A
 * file mapping past the end of its file gives SIGBUS BUS_ADRERR. The other
 * exceptions (divide error, ud2, int3, cli) come with their si_code, and a
 * handler can step over the instruction. A main stack that overflows is
 * caught on the alternate stack. And when the handler itself faults, or
 * the signal is blocked or ignored, the fault kills: Linux does not let a
 * fault be lost.
 */
#include "utest.h"

#include <setjmp.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile int seen_sig, seen_code, seen_trapno, seen_err, count;
static volatile uintptr_t seen_addr, seen_cr2, seen_eip;
/* What the handler does to repair the fault (for the mprotect case). */
static void *volatile fix_page;
static volatile int fix_prot;
/* What the handler does: escape with siglongjmp, or return (stepping over
 * skip bytes of the faulting instruction). */
static volatile bool escaping = true;
static volatile int skip;
static sigjmp_buf escape;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	count++;
	seen_sig = sig;
	seen_code = si->si_code;
	seen_addr = (uintptr_t)si->si_addr;
	seen_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	seen_err = uc->uc_mcontext.gregs[REG_ERR];
	seen_cr2 = uc->uc_mcontext.cr2;
	seen_eip = uc->uc_mcontext.gregs[REG_EIP];
	if (fix_page) {
		mprotect(fix_page, UT_PAGE, fix_prot);
		fix_page = NULL;
	} else if (escaping) {
		siglongjmp(escape, 1);
	} else {
		uc->uc_mcontext.gregs[REG_EIP] += skip;
	}
}

static void install(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static const char *code_name(int sig, int code)
{
	if (code == SI_KERNEL)
		return "SI_KERNEL";
	if (sig == SIGSEGV)
		return code == SEGV_MAPERR   ? "SEGV_MAPERR"
		       : code == SEGV_ACCERR ? "SEGV_ACCERR"
					     : "other";
	if (sig == SIGBUS)
		return code == BUS_ADRERR ? "BUS_ADRERR" : "other";
	if (sig == SIGFPE)
		return code == FPE_INTDIV ? "FPE_INTDIV" : "other";
	if (sig == SIGILL)
		return code == ILL_ILLOPN ? "ILL_ILLOPN" : "other";
	return "other";
}

/* Reads or writes at p; the handler escapes with siglongjmp. */
static void probe(const char *what, volatile char *p, bool write)
{
	count = 0;
	if (sigsetjmp(escape, 1) == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		ut_check(false, "%s: no fault", what);
		return;
	}
	ut_check(count == 1 && seen_sig == SIGSEGV, "%s: %s", what,
		 ut_signame(seen_sig));
	ut_fact("  si_code %s, si_addr exact: %s, trap %d, err %d, "
		"cr2 = si_addr: %s",
		code_name(seen_sig, seen_code),
		seen_addr == (uintptr_t)p ? "yes" : "no", seen_trapno, seen_err,
		seen_cr2 == seen_addr ? "yes" : "no");
}

static void test_matrix(void)
{
	char *m = mmap(NULL, 3 * UT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *unmapped = m + UT_PAGE;

	munmap(unmapped, UT_PAGE);
	mprotect(m, UT_PAGE, PROT_READ);
	mprotect(m + 2 * UT_PAGE, UT_PAGE, PROT_NONE);
	install(SIGSEGV, 0);

	probe("read NULL", ut_opaque(0), false);
	probe("write NULL+123", ut_opaque(123), true);
	probe("read an unmapped page", unmapped + 77, false);
	probe("write an unmapped page", unmapped + 4095, true);
	probe("write a read-only page", m + 1234, true);
	probe("read a PROT_NONE page", m + 2 * UT_PAGE + 8, false);
	probe("write a PROT_NONE page", m + 2 * UT_PAGE + 9, true);
	probe("write program text", (char *)ut_opaque((uintptr_t)test_matrix),
	      true);
	probe("read 0xC0000000", ut_opaque(UT_KERNEL_ADDR), false);

	/* The handler makes the page writable; the write then succeeds. */
	fix_page = m;
	fix_prot = PROT_READ | PROT_WRITE;
	count = 0;
	*(volatile char *)(m + 100) = 42;
	ut_check(count == 1 && seen_code == SEGV_ACCERR,
		 "mprotect in the handler: one fault (%s)",
		 code_name(SIGSEGV, seen_code));
	ut_check(m[100] == 42, "and the write went through on return");

	/* The same for a page mapped PROT_NONE, read this time. */
	mprotect(m + 2 * UT_PAGE, UT_PAGE, PROT_READ | PROT_WRITE);
	m[2 * UT_PAGE + 5] = 9;
	mprotect(m + 2 * UT_PAGE, UT_PAGE, PROT_NONE);
	fix_page = m + 2 * UT_PAGE;
	fix_prot = PROT_READ;
	count = 0;
	int v = *(volatile char *)(m + 2 * UT_PAGE + 5);
	ut_check(count == 1 && v == 9, "PROT_NONE read retried: %d", v);
	munmap(m, 3 * UT_PAGE);
}

/* A file mapping past the end of the file: SIGBUS. */
static void test_sigbus(void)
{
	int fd = open(ut_argv0, O_RDONLY);
	off_t size = lseek(fd, 0, SEEK_END);
	off_t last = (size - 1) & ~(off_t)(UT_PAGE - 1);
	char *m = mmap(NULL, 2 * UT_PAGE, PROT_READ, MAP_PRIVATE, fd, last);

	close(fd);
	install(SIGBUS, 0);
	count = 0;
	if (sigsetjmp(escape, 1) == 0) {
		(void)*(volatile char *)(m + UT_PAGE + 10);
		ut_check(false, "read past the end of the file: no fault");
	} else {
		ut_check(count == 1 && seen_sig == SIGBUS,
			 "read past the end of the file: %s",
			 ut_signame(seen_sig));
		ut_fact("  si_code %s, si_addr exact: %s",
			code_name(SIGBUS, seen_code),
			seen_addr == (uintptr_t)(m + UT_PAGE + 10) ? "yes"
								   : "no");
	}
	munmap(m, 2 * UT_PAGE);
	signal(SIGBUS, SIG_DFL);
}

/* The handler steps over the faulting instruction. */
static void test_exceptions(void)
{
	uintptr_t at;

	install(SIGFPE, 0);
	install(SIGILL, 0);
	install(SIGTRAP, 0);
	install(SIGSEGV, 0);
	escaping = false;

	count = 0;
	skip = 2; /* div %ecx */
	__asm__ volatile("mov $1, %%eax\n\t"
			 "xor %%edx, %%edx\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "1: div %%ecx\n\t"
			 "movl $1b, %0"
			 : "=m"(at)
			 :
			 : "eax", "ecx", "edx", "memory");
	ut_check(count == 1 && seen_sig == SIGFPE, "divide by zero: %s",
		 ut_signame(seen_sig));
	ut_fact("  si_code %s, si_addr is the instruction: %s, trap %d",
		code_name(seen_sig, seen_code),
		seen_addr == at && seen_eip == at ? "yes" : "no", seen_trapno);

	count = 0;
	skip = 2; /* ud2 */
	__asm__ volatile("1: ud2\n\tmovl $1b, %0" : "=m"(at) : : "memory");
	ut_check(count == 1 && seen_sig == SIGILL, "ud2: %s",
		 ut_signame(seen_sig));
	ut_fact("  si_code %s, si_addr is the instruction: %s, trap %d",
		code_name(seen_sig, seen_code),
		seen_addr == at && seen_eip == at ? "yes" : "no", seen_trapno);

	count = 0;
	skip = 0; /* int3 is a trap: EIP is already past it */
	__asm__ volatile("int3\n\t1: movl $1b, %0" : "=m"(at) : : "memory");
	ut_check(count == 1 && seen_sig == SIGTRAP, "int3: %s",
		 ut_signame(seen_sig));
	ut_fact("  si_code %s, saved eip after it: %s, trap %d",
		code_name(seen_sig, seen_code), seen_eip == at ? "yes" : "no",
		seen_trapno);

	count = 0;
	skip = 1; /* cli */
	__asm__ volatile("1: cli\n\tmovl $1b, %0" : "=m"(at) : : "memory");
	ut_check(count == 1 && seen_sig == SIGSEGV, "cli: %s",
		 ut_signame(seen_sig));
	ut_fact("  si_code %s, si_addr %#lx, trap %d, err %d",
		code_name(seen_sig, seen_code), (unsigned long)seen_addr,
		seen_trapno, seen_err);
	escaping = true;
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
}

/* Goes deeper until the stack runs out (depth_limit is never reached). */
static volatile int depth_limit = 1 << 30;

static int recurse(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if (n == depth_limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

/* Stack overflow, caught on the alternate stack. */
static int overflow_child(void *arg)
{
	static char alt[64 * 1024];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };

	(void)arg;
	sigaltstack(&ss, NULL);
	install(SIGSEGV, SA_ONSTACK);
	if (sigsetjmp(escape, 1) == 0)
		recurse(0);
	printf("  caught the overflow: %s\n", code_name(seen_sig, seen_code));
	return 5;
}

/* The handler faults too: SIGSEGV is blocked in it, so the process dies. */
static void fault_in_handler(int sig)
{
	(void)sig;
	*(volatile int *)ut_opaque(8) = 1;
}

static int handler_faults_child(void *arg)
{
	(void)arg;
	signal(SIGSEGV, fault_in_handler);
	*(volatile int *)ut_opaque(4) = 1;
	return 0;
}

/* A fault while SIGSEGV is blocked, or ignored, still kills. */
static int blocked_child(void *arg)
{
	sigset_t s;

	install(SIGSEGV, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, NULL);
	*(volatile int *)arg = 1;
	return 0;
}

static int ignored_child(void *arg)
{
	signal(SIGSEGV, SIG_IGN);
	*(volatile int *)arg = 1;
	return 0;
}

/* SA_RESETHAND: the second fault takes the default action. */
static int resethand_child(void *arg)
{
	(void)arg;
	install(SIGSEGV, SA_RESETHAND);
	if (sigsetjmp(escape, 1) == 0)
		*(volatile int *)ut_opaque(4) = 1;
	printf("  first fault handled\n");
	*(volatile int *)ut_opaque(4) = 1;
	return 0;
}

int main(int argc, char **argv)
{
	int status;

	ut_begin(argc, argv);
	test_matrix();
	test_sigbus();
	test_exceptions();
	signal(SIGSEGV, SIG_DFL);

	status = ut_in_child(overflow_child, NULL);
	ut_check(ut_exited(status, 5), "stack overflow caught: %s",
		 ut_status(status));
	status = ut_in_child(handler_faults_child, NULL);
	ut_check(ut_killed_by(status, SIGSEGV), "handler faults: %s",
		 ut_status(status));
	status = ut_in_child(blocked_child, ut_opaque(16));
	ut_check(ut_killed_by(status, SIGSEGV), "SIGSEGV blocked: %s",
		 ut_status(status));
	status = ut_in_child(ignored_child, ut_opaque(16));
	ut_check(ut_killed_by(status, SIGSEGV), "SIGSEGV ignored: %s",
		 ut_status(status));
	status = ut_in_child(resethand_child, NULL);
	ut_check(ut_killed_by(status, SIGSEGV), "SA_RESETHAND, twice: %s",
		 ut_status(status));
	return ut_end();
}
