/*
 * kernel/arch/extable.c - recovering from faults at the instructions listed in
 * the exception-fixup table (kernel/arch/extable.h).
 *
 * The table is a few entries long (the user-copy helpers and trap_return),
 * so it is searched linearly, after a range check. Each type of entry covers only the
 * exceptions its instruction can raise because of what a process did; any
 * other exception there is still a kernel bug and panics.
 *
 * What the handler sees: a fault in ring 0 changes no privilege level, so
 * the CPU switches no stacks and pushes EFLAGS, CS, EIP and the error code
 * on the current one (Intel SDM vol. 3A, 6.12.1, figure 6-4). EIP is the
 * faulting instruction, and a fault is reported before that instruction
 * has changed anything (vol. 3A, 6.5), so ESP is as it was before it:
 * trap_kernel_esp(tf) in kernel/arch/trap.h.
 */
#include "kernel/arch/extable.h"

#include "kernel/proc/proc.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/usertrap.h"

/* Selectors with index 0 in the GDT are null, whatever their RPL bits. */
#define SEL_NULL 0
#define SEL_INDEX_MASK 0xFFFCu  /* index and table indicator (vol. 3A, 3.4.2) */

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

/*
 * The lowest and highest instruction listed, found on the first search:
 * most kernel faults that reach the table (a test's own faults on user
 * memory, a kernel bug) are far from the few instructions it lists, and
 * are told apart with two comparisons instead of a walk.
 */
static uint32_t listed_lo = UINT32_MAX, listed_hi;

static void find_listed_range(void)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end;
	     e++) {
		if (e->insn < listed_lo)
			listed_lo = e->insn;
		if (e->insn > listed_hi)
			listed_hi = e->insn;
	}
}

/* extable_find(), inline into extable_fixup(), on every kernel fault. */
static inline __attribute__((always_inline)) const struct ex_entry *
find_entry(uint32_t eip)
{
	if (__builtin_expect(listed_hi == 0, 0))
		find_listed_range();
	if (eip < listed_lo || eip > listed_hi)
		return NULL;
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end;
	     e++) {
		if (e->insn == eip)
			return e;
	}
	return NULL;
}

/* Whether addr is one of the segment slots of the process's saved frame. */
static bool in_user_segment_slots(const uint32_t *addr)
{
	const struct trapframe *utf = current->tf;

	return utf && (addr == &utf->gs || addr == &utf->fs ||
		       addr == &utf->es || addr == &utf->ds);
}

/*
 * A pop into DS, ES, FS or GS refused the selector on top of the stack.
 * The POP instruction raises #GP(selector) for a descriptor that is not a
 * data or readable code segment, or whose DPL is below the CPL or the
 * selector's RPL, and #NP(selector) for one that is not present (vol. 2B,
 * POP, protected-mode exceptions); there is no other way for it to fail on
 * the kernel stack. A null selector passes with no check, so writing one
 * over the refused selector and running the pop again always succeeds,
 * and leaves the register null as it goes back to the process: what
 * Linux's i386 return path does too.
 */
static bool fixup_pop_seg(struct trapframe *tf)
{
	uint32_t *slot = (uint32_t *)trap_kernel_esp(tf);

	if (tf->vector != T_GPF && tf->vector != T_SEGMENT)
		return false;
	/*
	 * Only the selectors the process saved: a kernel frame with a bad
	 * selector is the kernel's own bug.
	 */
	if (!in_user_segment_slots(slot))
		return false;
	/* A null selector cannot fault: a second fault would be a bug. */
	if ((*slot & SEL_INDEX_MASK) == SEL_NULL)
		return false;
	*slot = SEL_NULL;
	return true;  /* EIP still points at the pop: it runs again */
}

/*
 * The iret back to user mode refused its frame. iret to an outer privilege
 * level raises #GP for a null, out-of-table or wrong-type CS or SS, or for
 * privilege levels that do not match, #NP for a CS or SS that is not
 * present, and #SS for a stack segment fault (vol. 2A, IRET, protected-mode
 * exceptions and operation). #TS could only come from a task return, which
 * iret does only with EFLAGS.NT set; every gate into the kernel clears NT
 * (vol. 3A, 6.12.1, "Flag Usage by Exception- or Interrupt-Handler
 * Procedure"), so that is not covered.
 */
static bool fixup_iret(struct trapframe *tf)
{
	if (tf->vector != T_GPF && tf->vector != T_SEGMENT &&
	    tf->vector != T_STACK)
		return false;
	return trap_user_bad_iret(tf);
}

const struct ex_entry *extable_find(uint32_t eip)
{
	return find_entry(eip);
}

bool extable_fixup(struct trapframe *tf)
{
	const struct ex_entry *e = find_entry(tf->eip);

	if (!e)
		return false;
	switch (e->type) {
	case EX_TYPE_RESUME:
		if (tf->vector != T_PAGE)
			return false;
		tf->eip = e->fixup;
		return true;
	case EX_TYPE_POP_SEG:
		return fixup_pop_seg(tf);
	case EX_TYPE_IRET:
		return fixup_iret(tf);
	default:
		return false;
	}
}
