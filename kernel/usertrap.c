/*
 * kernel/usertrap.c - what happens when user code traps.
 *
 * A page fault goes to the memory manager, which either makes the page
 * present (demand paging, copy-on-write, stack growth) or says why the
 * access is an error; other exceptions map to the signal Linux sends for
 * them (arch/x86/kernel/traps.c). A fatal one ends the process with a
 * one-line report: pid, program, address, eip, reason. A page that cannot
 * be read back from swap is a SIGBUS for that process alone; a page that
 * cannot be had at all calls the out-of-memory killer (kernel/oom.c).
 * Before any return to user mode, the process may be switched out (its
 * time slice is up) and pending signals take effect. If the return itself
 * fails because the CPU refuses the process's saved CS or SS, the process
 * is killed too.
 */
#include "kernel/usertrap.h"

#include <stddef.h>

#include "kernel/oom.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/trap.h"
#include "kernel/x86.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/mm.h"

/* The signal and description for a CPU exception in user mode. */
static int exception_signal(uint32_t vector, const char **why)
{
	switch (vector) {
	case T_DIVIDE:
		*why = "divide error";
		return SIGFPE;
	case T_FPU:
	case T_SIMD:
		*why = "floating-point exception";
		return SIGFPE;
	case T_INVALID_OP:
		*why = "invalid opcode";
		return SIGILL;
	case T_BREAKPOINT:
	case T_DEBUG:
		*why = "breakpoint";
		return SIGTRAP;
	case T_SEGMENT:
	case T_STACK:
	case T_ALIGN:
		*why = trap_name(vector);
		return SIGBUS;
	case T_GPF:
		*why = "general protection fault";
		return SIGSEGV;
	default:
		*why = trap_name(vector);
		return SIGSEGV;
	}
}

/* Says in words why a user page fault is fatal, for the one-line report. */
static const char *fault_reason(enum mm_fault_result r, uint32_t addr,
				uint32_t err)
{
	if (r == MM_FAULT_UNMAPPED && addr < PAGE_SIZE)
		return err & PF_WRITE ? "write through a NULL pointer"
				      : "read through a NULL pointer";
	if (r == MM_FAULT_PROTECTION) {
		if (err & PF_WRITE)
			return "write to memory that is not writable";
		return err & PF_FETCH ? "execution of memory that is not "
					"executable"
				      : "access to memory mapped PROT_NONE";
	}
	return mm_fault_reason(r);
}

void trap_user_exception(struct trapframe *tf)
{
	if (tf->vector == T_PAGE) {
		uint32_t addr = read_cr2();
		enum mm_fault_result r = mm_fault(current->mm, addr,
						  tf->error_code);
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
		int sig = r == MM_FAULT_BUS || r == MM_FAULT_IO ? SIGBUS
								: SIGSEGV;
		proc_fault_kill(sig, addr, tf->eip,
				fault_reason(r, addr, tf->error_code));
	}
	const char *why;
	int sig = exception_signal(tf->vector, &why);
	proc_fault_kill(sig, tf->eip, tf->eip, why);
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

bool trap_user_access_fault(struct trapframe *tf)
{
	uint32_t addr = read_cr2();
	if (tf->vector != T_PAGE || addr >= KERNEL_VMA || !current->mm)
		return false;
	for (int tries = 0;; tries++) {
		enum mm_fault_result r =
			mm_fault(current->mm, addr, tf->error_code);
		if (r != MM_FAULT_OOM || tries == USER_COPY_OOM_RETRIES)
			return r == MM_FAULT_OK;
		/* The victim is this process: fail the copy, die on return. */
		if (!oom_kill())
			return false;
	}
}

void trap_return_to_user(struct trapframe *tf)
{
	(void)tf;
	if (current->pid == 0)
		return;
	if (sched_need_resched())
		schedule();
	signal_deliver();
}
