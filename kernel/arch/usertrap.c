/*
 * kernel/arch/usertrap.c - what happens when user code traps.
 *
 * A page fault goes to the memory manager, which either makes the page
 * present (demand paging, copy-on-write, stack growth) or says why the
 * access is an error; other exceptions map to the signal Linux sends for
 * them (arch/x86/kernel/traps.c), with the si_code and si_addr a
 * SA_SIGINFO handler sees. Unless the program handles it, the signal ends
 * the process with a one-line report: pid, program, address, eip,
 * reason. A page that cannot be read back from swap is a SIGBUS for that
 * process alone; a page that
 * cannot be had at all calls the out-of-memory killer (kernel/proc/oom.c).
 * Before any return to user mode, the process may be switched out (its
 * time slice is up) and pending signals take effect. If the return itself
 * fails because the CPU refuses the process's saved CS or SS, the process
 * is killed too.
 */
#include "kernel/arch/usertrap.h"

#include <stddef.h>

#include "kernel/arch/fpu.h"
#include "kernel/proc/oom.h"
#include "kernel/proc/swapper.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/trace.h"

/*
 * Which x87 or SSE exception the process took (Linux's
 * fpu__exception_code): the raised flags that are not masked, from the
 * x87 status and control words (#MF) or MXCSR (#XM). 0 if none is: a
 * spurious trap, which sends no signal.
 */
static int fpu_exception_code(uint32_t vector)
{
	struct fpu_state *st = &current->fpu;
	unsigned int err;

	fpu_save(st);  /* the registers are still the process's */
	if (vector == T_FPU) {
		uint16_t cw, sw;
		memcpy(&cw, st->bytes + 0, sizeof(cw));
		memcpy(&sw, st->bytes + (fpu_frame_has_fxsave() ? 2 : 4),
		       sizeof(sw));
		err = sw & ~cw;
	} else {
		uint32_t mxcsr;
		memcpy(&mxcsr, st->bytes + 24, sizeof(mxcsr));
		err = ~(mxcsr >> 7) & mxcsr;
	}
	if (err & 0x01)
		return FPE_FLTINV;      /* invalid operation */
	if (err & 0x04)
		return FPE_FLTDIV;      /* divide by zero */
	if (err & 0x08)
		return FPE_FLTOVF;      /* overflow */
	if (err & 0x12)
		return FPE_FLTUND;      /* denormal, underflow */
	if (err & 0x20)
		return FPE_FLTRES;      /* precision */
	return 0;
}

/*
 * The signal, si_code and description of a CPU exception in user mode,
 * as Linux sends them (arch/x86/kernel/traps.c). *addr is si_addr: the
 * instruction for the errors Linux reports with an address, else 0.
 */
static int exception_signal(const struct trapframe *tf, int *code,
			    uint32_t *addr, const char **why)
{
	*code = SI_KERNEL;
	*addr = 0;
	switch (tf->vector) {
	case T_DIVIDE:
		*why = "divide error";
		*code = FPE_INTDIV;
		*addr = tf->eip;
		return SIGFPE;
	case T_FPU:
	case T_SIMD:
		*why = "floating-point exception";
		*code = fpu_exception_code(tf->vector);
		*addr = tf->eip;
		return SIGFPE;
	case T_INVALID_OP:
		*why = "invalid opcode";
		*code = ILL_ILLOPN;
		*addr = tf->eip;
		return SIGILL;
	case T_DEBUG:
		*why = "breakpoint";
		*code = TRAP_TRACE;  /* single step: EFLAGS.TF */
		*addr = tf->eip;
		return SIGTRAP;
	case T_BREAKPOINT:
		*why = "breakpoint";
		return SIGTRAP;
	case T_ALIGN:
		*why = trap_name(tf->vector);
		*code = BUS_ADRALN;
		return SIGBUS;
	case T_SEGMENT:
	case T_STACK:
		*why = trap_name(tf->vector);
		return SIGBUS;
	case T_GPF:
		*why = "general protection fault";
		return SIGSEGV;
	default:
		*why = trap_name(tf->vector);
		return SIGSEGV;
	}
}

/*
 * Whether a page fault at addr was an instruction fetch. The error code
 * says so only with PAE and NX, or SMEP (Intel SDM vol. 3A, 4.7: the I/D
 * flag); with two-level paging it is always 0. But a fetch that faults
 * at its first byte leaves CR2 equal to EIP, which a data access cannot
 * do (the instruction's own bytes were fetched without a fault).
 */
static bool fault_is_fetch(uint32_t addr, uint32_t err, uint32_t eip)
{
	return (err & PF_FETCH) || addr == eip;
}

/* Says in words why a user page fault is fatal, for the one-line report. */
static const char *fault_reason(enum mm_fault_result r, uint32_t addr,
				uint32_t err, uint32_t eip)
{
	bool fetch = fault_is_fetch(addr, err, eip);
	if (r == MM_FAULT_UNMAPPED && addr < PAGE_SIZE) {
		if (fetch)
			return "instruction fetch from a NULL pointer (a call "
			       "through a NULL function pointer)";
		return err & PF_WRITE ? "write through a NULL pointer"
				      : "read through a NULL pointer";
	}
	if (r == MM_FAULT_PROTECTION) {
		if (err & PF_WRITE)
			return "write to memory that is not writable";
		return fetch ? "execution of memory that is not executable"
			     : "access to memory mapped PROT_NONE";
	}
	return mm_fault_reason(r);
}

/*
 * Sends the signal of a fault. The exception is remembered for the
 * sigcontext of the handler's frame (trapno, err, cr2), as Linux does; a
 * handler may repair the cause and return, and the instruction runs
 * again. If the signal kills, the report says why.
 */
static void fault_signal(struct trapframe *tf, int sig, int code,
			 uint32_t addr, uint32_t report_addr, const char *why)
{
	struct ksiginfo info = {
		.code = code,
		.addr = addr,
		.reason = why,
		.report_addr = report_addr,
		.eip = tf->eip,
	};

	current->fault_trapno = tf->vector;
	current->fault_error = tf->error_code;
	signal_force(sig, &info);
}

/*
 * Resolves a fault of the current process and counts it as Linux's
 * min_flt / maj_flt do: major when the page had to be read back from
 * swap, minor otherwise.
 */
static enum mm_fault_result counted_fault(uint32_t addr, uint32_t error)
{
	uint64_t major_before = vm_events.pgmajfault;
	enum mm_fault_result r = mm_fault(current->mm, addr, error);
	swapper_note_fault(); /* memory short for long? (medium-term) */
	if (r == MM_FAULT_OK) {
		if (vm_events.pgmajfault != major_before)
			current->maj_flt++;
		else
			current->min_flt++;
	}
	return r;
}

void trap_user_exception(struct trapframe *tf)
{
	if (tf->vector == T_PAGE) {
		uint32_t addr = read_cr2();
		enum mm_fault_result r = counted_fault(addr, tf->error_code);
		if (r == MM_FAULT_OK)
			return;
		if (r == MM_FAULT_OOM) {
			/*
			 * Either another process was killed and has exited
			 * (retry the access), or this one is the victim and
			 * SIGKILL ends it on the way out.
			 */
			oom_kill();
			return;
		}
		current->fault_cr2 = addr;
		bool bus = r == MM_FAULT_BUS || r == MM_FAULT_IO;
		trace_fault(bus ? MM_TRACE_BUS : MM_TRACE_SEGV, current->pid,
			    addr, NULL, MM_TRACE_NONE);
		if (bus)
			fault_signal(tf, SIGBUS, BUS_ADRERR, addr, addr,
				     fault_reason(r, addr, tf->error_code,
						  tf->eip));
		else
			fault_signal(tf, SIGSEGV,
				     r == MM_FAULT_PROTECTION ? SEGV_ACCERR
							      : SEGV_MAPERR,
				     addr, addr,
				     fault_reason(r, addr, tf->error_code,
						  tf->eip));
		return;
	}
	const char *why;
	int code;
	uint32_t addr;
	int sig = exception_signal(tf, &code, &addr, &why);
	/* A spurious x87/SSE trap: nothing to report (Linux sends nothing). */
	if (sig == SIGFPE && !code)
		return;
	fault_signal(tf, sig, code, addr, tf->eip, why);
}

bool trap_user_bad_iret(struct trapframe *ktf)
{
	/*
	 * The iret's frame (EIP, CS, EFLAGS, ESP, SS) is still on the stack,
	 * at ESP as it was at the iret: the top of a struct trapframe whose
	 * lower part trap_return had already popped.
	 */
	uint32_t iret_frame = trap_kernel_esp(ktf);
	struct trapframe *utf =
		(struct trapframe *)(iret_frame -
				     offsetof(struct trapframe, eip));
	char why[96];

	/*
	 * A return to user mode always leaves from the process's own frame at
	 * the top of its kernel stack; any other frame is the kernel's, and
	 * a fault on it is a kernel bug.
	 */
	if (utf != current->tf)
		return false;
	/*
	 * The fault's frame ktf was pushed just below, over the part
	 * already popped; it holds the process's general and segment
	 * registers (popa and the segment pops had run) and the fault's
	 * vector and error code. Copy those into the process's frame, which
	 * then reads as if the process had trapped with this exception.
	 * The two overlap; ktf is not used again, and this function does not
	 * return to it.
	 */
	memmove(utf, ktf, offsetof(struct trapframe, eip));
	/*
	 * The process cannot go on from this frame. i386 Linux sends
	 * SIGILL here ("iret exception"), x86-64 Linux the signal of the
	 * same exception in user mode; the process dies either way, and
	 * Pagoda reports it as the segmentation fault it is.
	 */
	snprintf(why, sizeof(why),
		 "bad return frame (%s on iret, error code 0x%x)",
		 trap_name(utf->vector), utf->error_code);
	proc_fault_kill(SIGSEGV, utf->eip, utf->eip, why);
}

/*
 * Out of memory during a user copy: retry while the killer frees memory
 * elsewhere, at most this many times, then let the copy fail (-EFAULT).
 */
#define USER_COPY_OOM_RETRIES 8

/* Resolves a user copy's fault at addr; whether the copy may go on. */
static __attribute__((noinline)) bool user_copy_fault(uint32_t addr,
						      uint32_t error)
{
	for (int tries = 0;; tries++) {
		enum mm_fault_result r = counted_fault(addr, error);
		if (r != MM_FAULT_OOM || tries == USER_COPY_OOM_RETRIES)
			return r == MM_FAULT_OK;
		/* The victim is this process: fail the copy, die on return. */
		if (!oom_kill())
			return false;
	}
}

/*
 * Every page fault in kernel mode asks here first: the checks stay in a
 * function of their own, small enough to cost little when they fail (a
 * kernel thread has no user memory).
 */
bool trap_user_access_fault(struct trapframe *tf)
{
	uint32_t addr = read_cr2();
	if (tf->vector != T_PAGE || addr >= KERNEL_VMA || !current->mm)
		return false;
	return user_copy_fault(addr, tf->error_code);
}

void trap_return_to_user(struct trapframe *tf)
{
	if (current->pid == 0)
		return;
	if (sched_need_resched())
		schedule();
	signal_deliver(tf);
}
