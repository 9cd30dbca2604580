/*
 * tests/user/sig_frame.c - the signal frame as a program sees it.
 *
 * On entry to a handler the stack holds Linux's i386 frame: the return
 * address (sa_restorer), the signal number, and then either a struct
 * sigcontext (a handler without SA_SIGINFO) or pointers to a siginfo_t
 * and a ucontext_t. The stack is aligned as after a call from 16-byte
 * aligned code; the FPU area is 64-byte aligned. The sigcontext holds the
 * registers of the interrupted code (here a system call made with known
 * values in every register), and the mask; what the handler writes there
 * is what the code continues with. sigreturn takes back only what a
 * program may set: EFLAGS without IOPL, NT or VM. A CS or SS the CPU
 * refuses, a frame that cannot be read, a bad FPU pointer or reserved
 * MXCSR bits kill the process with SIGSEGV; a bad GS becomes null.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

/* The kernel's flag, which glibc's headers do not export (asm/signal.h). */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* The stack pointer at the handler's first instruction. */
uint32_t entry_esp;
void plain_entry(int sig);
void rt_entry(int sig, siginfo_t *si, void *uc);
void plain_body(int sig);
void rt_body(int sig, siginfo_t *si, void *uc);

/* Records ESP, then jumps to the C handler with the stack untouched. */
__asm__(".text\n"
	"plain_entry:\n\t"
	"movl %esp, entry_esp\n\t"
	"jmp plain_body\n"
	"rt_entry:\n\t"
	"movl %esp, entry_esp\n\t"
	"jmp rt_body\n");

/* Where sigreturn went, and the flags it left (see flag_probe below). */
uint32_t probe_flags, probe_resume;
void flag_probe(void);
__asm__(".text\n"
	"flag_probe:\n\t"
	"pushfl\n\t"
	"popl probe_flags\n\t"
	"jmp *probe_resume\n");

/* struct sigcontext, as the kernel lays it out (asm/sigcontext.h). */
struct sigcontext32 {
	uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t trapno, err, eip;
	uint16_t cs, csh;
	uint32_t eflags, esp_at_signal;
	uint16_t ss, ssh;
	uint32_t fpstate, oldmask, cr2;
};

static volatile int calls;
static volatile uint32_t after_int; /* the instruction after int $0x80 */
static volatile bool aligned, ret_ok, sig_ok, regs_ok, mask_ok, ptrs_ok;
static volatile bool fpu_aligned, fpu_magic, uc_ok, extramask_ok;
static volatile uint32_t want_mask_lo, want_mask_hi;
/* What the rt handler does to the frame. */
static enum {
	LOOK,
	CHANGE_REGS,
	BAD_EFLAGS,
	BAD_CS,
	BAD_SS,
	BAD_GS,
	BAD_FPSTATE,
	BAD_MXCSR
} rt_action;

static void mask_words(const sigset_t *m, volatile uint32_t *lo,
		       volatile uint32_t *hi);

/*
 * Whether ret is where the handler of sig returns: its sa_restorer if it
 * has SA_RESTORER. Without it (glibc leaves it out when Linux gives the
 * program a vDSO), the kernel provides the code: any address but 0.
 */
static bool returns_right(int sig, uint32_t ret)
{
	struct sigaction sa;

	sigaction(sig, NULL, &sa);
	if (sa.sa_flags & SA_RESTORER)
		return ret == (uint32_t)sa.sa_restorer;
	return ret != 0;
}

void plain_body(int sig)
{
	uint32_t *frame = (uint32_t *)entry_esp;
	struct sigcontext32 *sc = (struct sigcontext32 *)(frame + 2);

	calls++;
	aligned = (entry_esp + 4) % 16 == 0;
	ret_ok = returns_right(sig, frame[0]);
	sig_ok = (int)frame[1] == sig;
	regs_ok = sc->esi == 0x11111111 && sc->edi == 0x22222222 &&
		  sc->eax == 0 && sc->ecx == (uint32_t)sig &&
		  sc->eip == after_int && sc->esp == sc->esp_at_signal;
	mask_ok = sc->oldmask == want_mask_lo;
	/* extramask follows the unused 624-byte FPU area: offset 720. */
	extramask_ok = *(uint32_t *)(entry_esp + 720) == want_mask_hi;
	fpu_aligned = sc->fpstate && (sc->fpstate + 112) % 64 == 0;
	sc->edi = 0x33333333; /* the interrupted code continues with it */
}

void rt_body(int sig, siginfo_t *si, void *ucv)
{
	uint32_t *frame = (uint32_t *)entry_esp;
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;

	calls++;
	aligned = (entry_esp + 4) % 16 == 0;
	ret_ok = returns_right(sig, frame[0]);
	sig_ok = (int)frame[1] == sig;
	ptrs_ok = frame[2] == (uint32_t)si && frame[3] == (uint32_t)uc &&
		  (uint32_t)si == entry_esp + 16 &&
		  (uint32_t)uc == (uint32_t)si + 128;
	uc_ok = uc->uc_link == NULL;
	regs_ok = g[REG_ESI] == 0x11111111 && g[REG_EDI] == 0x22222222 &&
		  g[REG_EAX] == 0 && g[REG_ECX] == sig &&
		  (uint32_t)g[REG_EIP] == after_int &&
		  g[REG_ESP] == g[REG_UESP];
	uint32_t lo, hi;
	mask_words(&uc->uc_sigmask, &lo, &hi);
	mask_ok = lo == want_mask_lo && hi == want_mask_hi;
	uint32_t fp = (uint32_t)uc->uc_mcontext.fpregs;
	fpu_aligned = fp && (fp + 112) % 64 == 0 && fp > (uint32_t)uc;
	/* status (offset 108) repeats the status word; magic 0 = fxsave */
	fpu_magic = fp && *(uint16_t *)(fp + 110) == 0 &&
		    *(uint16_t *)(fp + 108) ==
			    (uint16_t) * (uint32_t *)(fp + 4);

	switch (rt_action) {
	case LOOK:
		break;
	case CHANGE_REGS:
		g[REG_EDI] = 0x33333333;
		g[REG_ESI] = 0x44444444;
		break;
	case BAD_EFLAGS:
		/* All but TF (would trap), DF and AC (would break the C code). */
		g[REG_EFL] = (greg_t) ~(0x100u | 0x400u | 0x40000u);
		probe_resume = g[REG_EIP];
		g[REG_EIP] = (greg_t)flag_probe;
		break;
	case BAD_CS:
		g[REG_CS] = 0x1234;
		break;
	case BAD_SS:
		g[REG_SS] = 0x1234;
		break;
	case BAD_GS:
		g[REG_GS] = 0x1234;
		break;
	case BAD_FPSTATE:
		uc->uc_mcontext.fpregs = (void *)0xC0000000u;
		break;
	case BAD_MXCSR:
		*(uint32_t *)(fp + 112 + 24) = 0xFFFFFFFFu;
		break;
	}
}

static void install(int sig, void *fn, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = (void (*)(int))fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/*
 * tkill(self, sig) with known values in ESI, EDI and EBP; returns EDI and
 * ESI as they are after the handler (which may have changed them). The
 * signal arrives as the call returns: the saved EIP is tkill_return.
 */
extern char tkill_return[];

static __attribute__((noinline)) void signal_self(int sig, uint32_t *edi,
						  uint32_t *esi)
{
	uint32_t a = SYS_tkill, s = 0x11111111, d = 0x22222222;

	after_int = (uint32_t)tkill_return;
	__asm__ volatile("push %%ebp\n\t"
			 "mov $0x5a5a5a5a, %%ebp\n\t"
			 "int $0x80\n"
			 "tkill_return:\n\t"
			 "pop %%ebp"
			 : "+a"(a), "+S"(s), "+D"(d)
			 : "b"(getpid()), "c"(sig)
			 : "edx", "memory", "cc");
	*edi = d;
	*esi = s;
}

/* The mask's two words. */
static void mask_words(const sigset_t *m, volatile uint32_t *lo,
		       volatile uint32_t *hi)
{
	uint32_t w[2];

	memcpy(w, m, sizeof(w));
	*lo = w[0];
	*hi = w[1];
}

static void test_plain_frame(void)
{
	sigset_t m;
	uint32_t edi, esi;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, 40); /* a real-time signal: the mask's high word */
	sigprocmask(SIG_BLOCK, &m, NULL);
	sigprocmask(SIG_BLOCK, NULL, &m);
	mask_words(&m, &want_mask_lo, &want_mask_hi);

	install(SIGUSR1, plain_entry, 0);
	calls = 0;
	signal_self(SIGUSR1, &edi, &esi);
	ut_check(calls == 1, "sigframe: the handler ran");
	ut_check(aligned, "sigframe: (esp + 4) %% 16 == 0 at entry");
	ut_check(ret_ok,
		 "sigframe: returns to sa_restorer (or the kernel's code)");
	ut_check(sig_ok, "sigframe: the signal number is the argument");
	ut_check(regs_ok, "sigframe: the sigcontext has the registers");
	ut_check(mask_ok && extramask_ok,
		 "sigframe: oldmask and extramask are the mask");
	ut_check(fpu_aligned, "sigframe: the FPU area is 64-byte aligned");
	ut_check(edi == 0x33333333 && esi == 0x11111111,
		 "sigframe: a changed register comes back");
	sigprocmask(SIG_UNBLOCK, &m, NULL);
}

static void test_rt_frame(void)
{
	sigset_t m;
	uint32_t edi, esi;

	sigprocmask(SIG_BLOCK, NULL, &m);
	mask_words(&m, &want_mask_lo, &want_mask_hi);
	install(SIGUSR1, rt_entry, SA_SIGINFO);
	calls = 0;
	rt_action = CHANGE_REGS;
	signal_self(SIGUSR1, &edi, &esi);
	ut_check(calls == 1, "rt_sigframe: the handler ran");
	ut_check(aligned, "rt_sigframe: (esp + 4) %% 16 == 0 at entry");
	ut_check(ret_ok,
		 "rt_sigframe: returns to sa_restorer (or the kernel's code)");
	ut_check(sig_ok, "rt_sigframe: the signal number is the argument");
	ut_check(ptrs_ok, "rt_sigframe: pinfo, puc follow; uc after info");
	ut_check(uc_ok, "rt_sigframe: uc_link is NULL");
	ut_check(regs_ok, "rt_sigframe: uc_mcontext has the registers");
	ut_check(mask_ok, "rt_sigframe: uc_sigmask is the mask");
	ut_check(fpu_aligned, "rt_sigframe: the FPU area is 64-byte aligned");
	ut_check(fpu_magic, "rt_sigframe: the FPU area says fxsave follows");
	ut_check(edi == 0x33333333 && esi == 0x44444444,
		 "rt_sigframe: changed registers come back");
}

static void test_eflags(void)
{
	install(SIGUSR1, rt_entry, SA_SIGINFO);
	rt_action = BAD_EFLAGS;
	probe_flags = 0;
	raise(SIGUSR1);
	/* CF PF AF ZF SF OF from the frame, IF on, IOPL NT VM AC DF TF off. */
	ut_fact("EFLAGS after sigreturn of all ones: CF..OF, IF, IOPL, NT, "
		"VM = 0x%05x",
		probe_flags & 0x27fd5);
	ut_check((probe_flags & 0x3000) == 0, "IOPL stays 0");
	ut_check((probe_flags & 0x20000) == 0, "no virtual-8086 mode");
	ut_check((probe_flags & 0x4000) == 0, "NT stays clear");
	ut_check((probe_flags & 0x200) != 0, "interrupts stay on");
	ut_check((probe_flags & 0x8d5) == 0x8d5, "the arithmetic flags come "
						 "back");
}

/* Returns from a handler that broke the frame in one way. */
static int bad_child(void *arg)
{
	install(SIGUSR1, rt_entry, SA_SIGINFO);
	rt_action = (int)(intptr_t)arg;
	raise(SIGUSR1);
	return 0;
}

/*
 * GS is null after the return: the child looks at it and exits at once,
 * all with int $0x80, because glibc reaches its thread data through GS.
 */
static int bad_gs_child(void *arg)
{
	(void)arg;
	install(SIGUSR1, rt_entry, SA_SIGINFO);
	rt_action = BAD_GS;
	__asm__ volatile("int $0x80\n\t" /* tkill(self, SIGUSR1) */
			 "mov %%gs, %%eax\n\t"
			 "mov $1, %%ebx\n\t"
			 "test %%eax, %%eax\n\t"
			 "jnz 1f\n\t"
			 "mov $2, %%ebx\n" /* exit status 2: GS null */
			 "1: mov %[exit], %%eax\n\t"
			 "int $0x80"
			 :
			 : "a"(SYS_tkill), "b"(getpid()),
			   "c"(SIGUSR1), [exit] "i"(SYS_exit_group)
			 : "memory");
	return 0;
}

/* sigreturn with a frame that is all ones. */
static int garbage_child(void *arg)
{
	static uint32_t junk[1024];
	long nr = (long)arg;

	memset(junk, 0xff, sizeof(junk));
	__asm__ volatile("mov %0, %%esp\n\t"
			 "int $0x80"
			 :
			 : "r"(junk + 512), "a"(nr)
			 : "memory");
	return 0;
}

/* rt_sigreturn with the stack pointer in unmapped memory. */
static int unmapped_child(void *arg)
{
	(void)arg;
	__asm__ volatile("mov $0x1000, %%esp\n\t"
			 "int $0x80"
			 :
			 : "a"(SYS_rt_sigreturn)
			 : "memory");
	return 0;
}

static void test_bad_frames(void)
{
	static const struct {
		const char *what;
		int action;
	} cases[] = {
		{ "CS 0x1234", BAD_CS },
		{ "SS 0x1234", BAD_SS },
		{ "FPU area in the kernel", BAD_FPSTATE },
		{ "MXCSR of all ones (reserved bits)", BAD_MXCSR },
	};
	int status;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		status = ut_in_child(bad_child,
				     (void *)(intptr_t)cases[i].action);
		ut_check(ut_killed_by(status, SIGSEGV), "frame with %s: %s",
			 cases[i].what, ut_status(status));
	}
	status = ut_in_child(bad_gs_child, NULL);
	ut_check(ut_exited(status, 2), "frame with GS 0x1234: GS null: %s",
		 ut_status(status));
	status = ut_in_child(garbage_child, (void *)SYS_sigreturn);
	ut_check(ut_killed_by(status, SIGSEGV), "sigreturn of all ones: %s",
		 ut_status(status));
	status = ut_in_child(garbage_child, (void *)SYS_rt_sigreturn);
	ut_check(ut_killed_by(status, SIGSEGV), "rt_sigreturn of all ones: %s",
		 ut_status(status));
	status = ut_in_child(unmapped_child, NULL);
	ut_check(ut_killed_by(status, SIGSEGV),
		 "rt_sigreturn, frame unmapped: %s", ut_status(status));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	test_plain_frame();
	test_rt_frame();
	test_eflags();
	test_bad_frames();
	return ut_end();
}
