/*
 * kernel/arch/usertrap.h - traps from user mode and returns to it.
 */
#ifndef KERNEL_USERTRAP_H
#define KERNEL_USERTRAP_H

#include <stdbool.h>

struct trapframe;

/* Handles a CPU exception raised by user code (may end the process). */
void trap_user_exception(struct trapframe *tf);
/*
 * A kernel-mode page fault on a user address (a user copy): resolves it as
 * the process's own access would be. Returns false if it cannot.
 */
bool trap_user_access_fault(struct trapframe *tf);
/*
 * The iret of a return to user mode faulted (kernel/arch/extable.c): ktf is the
 * frame of that fault, taken in kernel mode. Makes it the process's fault
 * and kills the process with SIGSEGV; does not return then. Returns false
 * if the iret was not returning to the current process's user mode.
 */
bool trap_user_bad_iret(struct trapframe *ktf);
/* Runs before every return to user mode: rescheduling and signals. */
void trap_return_to_user(struct trapframe *tf);

#endif
