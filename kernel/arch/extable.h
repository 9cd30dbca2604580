/*
 * kernel/arch/extable.h - the exception-fixup table: kernel instructions that
 * may fault, and how the kernel recovers when they do.
 *
 * A CPU exception in kernel mode is a kernel bug, except at a few
 * instructions that work on values a process controls: the user-copy
 * helpers (boot/uaccess.asm) touch user memory, and the return to user
 * mode (trap_return in boot/trap_entry.asm) loads the process's saved
 * segment selectors and its CS:EIP and SS:ESP. Each such instruction has an
 * entry, emitted next to it with the macros of boot/extable.inc, which
 * uses the same layout and type numbers as this header.
 */
#ifndef KERNEL_EXTABLE_H
#define KERNEL_EXTABLE_H

#include <stdbool.h>
#include <stdint.h>

struct trapframe;

/* What the fixup does; the values are boot/extable.inc's. */
enum ex_type {
	/*
	 * A page fault the memory manager could not resolve: go on at
	 * fixup (which makes the user copy return -EFAULT).
	 */
	EX_TYPE_RESUME = 1,
	/*
	 * #GP or #NP on a pop into DS, ES, FS or GS of a selector saved in
	 * the process's trap frame: store the null selector in its place
	 * and run the pop again.
	 */
	EX_TYPE_POP_SEG = 2,
	/*
	 * #GP, #NP or #SS on the iret back to user mode: the saved CS, SS or
	 * EIP is refused; the process is killed with SIGSEGV.
	 */
	EX_TYPE_IRET = 3,
};

/* One entry of the table (section .ex_table). */
struct ex_entry {
	uint32_t insn;   /* address of the instruction that may fault */
	uint32_t fixup;  /* where to go on (EX_TYPE_RESUME), else 0 */
	uint32_t type;   /* enum ex_type */
};

/* The entry for the instruction at eip, or NULL. */
const struct ex_entry *extable_find(uint32_t eip);

/*
 * Recovers from a CPU exception in kernel mode described by tf if the
 * faulting instruction has an entry of a type that covers this exception.
 * Returns true if the kernel may return to tf (possibly changed), false if
 * the exception is not one the table covers (a kernel bug: panic). Does not
 * return when it ends the current process (EX_TYPE_IRET).
 */
bool extable_fixup(struct trapframe *tf);

#endif
