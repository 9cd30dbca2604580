/*
 * kernel/arch/tls.c - TLS segments: set_thread_area and get_thread_area.
 *
 * As on i386 Linux, every process owns three GDT entries, GDT_TLS_FIRST to
 * GDT_TLS_FIRST + 2 (selectors 0x33, 0x3B and 0x43 with RPL 3), for
 * segments of its own choosing. glibc puts its thread pointer in the first
 * one and loads GS with its selector. The descriptors are part of the
 * process (proc->tls): they go into the GDT when the process is switched in
 * (kernel/proc/sched.c) and when it changes them here.
 *
 * A program describes a segment with struct user_desc (Linux's
 * asm/ldt.h); it can ask for one of two things:
 *  - no segment, in either of the forms Linux accepts ("empty": base and
 *    limit 0, read_exec_only and seg_not_present set, the rest clear; or
 *    everything zero). The entry becomes the all-zero descriptor, which no
 *    segment register accepts, and counts as free for entry -1.
 *  - a present 32-bit data segment, expand-up or expand-down, writable or
 *    read-only, limit in bytes or pages. DPL is always 3, and the accessed
 *    bit is set so that the CPU never writes to the descriptor.
 * Anything else (a code segment, a 16-bit or a not-present segment) is
 * refused with EINVAL and the entry is left as it was. These are Linux's
 * checks (arch/x86/kernel/tls.c), for its reasons: 16-bit stack segments
 * need a fix-up Linux only has for LDT segments, and not-present segments
 * with DPL 3 are an attack surface it would rather not have. For this
 * kernel they mean that a process can only make a descriptor it may load,
 * or none. tests/user/tls_segments.c compares all of this with Linux.
 *
 * A segment register may hold the selector of an entry while the process
 * changes it. The CPU keeps using the copy of the descriptor it took when
 * the selector was loaded, until the register is loaded again; that
 * happens at the end of this very system call, when trap_return reloads
 * the four data segment registers from the trap frame. A changed entry
 * takes effect there; a cleared one makes the reload fault, and the
 * register becomes null (boot/trap_entry.asm, kernel/arch/extable.c). 64-bit
 * Linux, which does not reload them on return, reloads any register that
 * holds the entry's selector in set_thread_area itself, with the same
 * result for the program.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/gdt.h"
#include "kernel/arch/user_desc.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"

_Static_assert(offsetof(struct user_desc, entry_number) == 0,
	       "the user's pointer is the address of entry_number");

/* Whether u asks for no segment at all. */
static bool ud_no_segment(const struct user_desc *u)
{
	return user_desc_is_empty(u) || user_desc_is_zero(u);
}

/* Whether set_thread_area accepts u. */
static bool ud_acceptable(const struct user_desc *u)
{
	uint32_t f = u->flags;

	if (ud_no_segment(u))
		return true;
	return (f & UD_SEG_32BIT) && user_desc_contents(u) <= 1 &&
	       !(f & UD_SEG_NOT_PRESENT);
}

/* The descriptor for an acceptable user_desc. */
static struct seg_desc tls_encode(const struct user_desc *u)
{
	struct seg_desc none = { 0, 0 };

	return ud_no_segment(u) ? none : user_desc_encode(u);
}

static bool desc_is_free(struct seg_desc d)
{
	return d.lo == 0 && d.hi == 0;
}

/* The TLS slot of a GDT entry number, or -1 if it is not a TLS entry. */
static int tls_slot(uint32_t entry)
{
	if (entry < GDT_TLS_FIRST || entry >= GDT_TLS_FIRST + TLS_SLOTS)
		return -1;
	return (int)(entry - GDT_TLS_FIRST);
}

/*
 * set_thread_area(struct user_desc *u). The order of the checks, and so
 * which error wins, is Linux's: the copy, the descriptor, then the entry.
 */
static int32_t sys_set_thread_area(const struct syscall_args *a)
{
	void *uptr = (void *)a->arg[0];  /* entry_number is at offset 0 */
	struct user_desc u;
	int slot;

	if (copy_from_user(&u, uptr, sizeof(u)))
		return -EFAULT;
	if (!ud_acceptable(&u))
		return -EINVAL;
	if (u.entry_number == 0xFFFFFFFFu) {
		for (slot = 0; slot < TLS_SLOTS; slot++) {
			if (desc_is_free(current->tls[slot]))
				break;
		}
		if (slot == TLS_SLOTS)
			return -ESRCH;
		u.entry_number = GDT_TLS_FIRST + (uint32_t)slot;
		if (copy_to_user(uptr, &u.entry_number, sizeof(u.entry_number)))
			return -EFAULT;
	}
	slot = tls_slot(u.entry_number);
	if (slot < 0)
		return -EINVAL;
	current->tls[slot] = tls_encode(&u);
	gdt_set_tls((unsigned int)slot, current->tls[slot]);
	return 0;
}
SYSCALL(243, set_thread_area, sys_set_thread_area);

/* get_thread_area(struct user_desc *u): reads entry u->entry_number. */
static int32_t sys_get_thread_area(const struct syscall_args *a)
{
	void *uptr = (void *)a->arg[0];  /* entry_number is at offset 0 */
	struct user_desc u = { 0, 0, 0, 0 };

	if (copy_from_user(&u.entry_number, uptr, sizeof(u.entry_number)))
		return -EFAULT;
	int slot = tls_slot(u.entry_number);
	if (slot < 0)
		return -EINVAL;
	user_desc_decode(current->tls[slot], &u);
	return copy_to_user(uptr, &u, sizeof(u)) ? -EFAULT : 0;
}
SYSCALL(244, get_thread_area, sys_get_thread_area);

/*
 * CLONE_SETTLS: the new thread's TLS entry, from the user_desc at uaddr,
 * with set_thread_area's checks (Linux's do_set_thread_area for a new
 * task: the entry must be given, none is chosen). The thread is not
 * running yet: its GDT entries are loaded when it is switched to.
 */
int tls_set_for_clone(struct proc *t, uint32_t uaddr)
{
	struct user_desc u;

	if (copy_from_user(&u, (const void *)uaddr, sizeof(u)))
		return -EFAULT;
	if (!ud_acceptable(&u))
		return -EINVAL;
	int slot = tls_slot(u.entry_number);
	if (slot < 0)
		return -EINVAL;
	t->tls[slot] = tls_encode(&u);
	return 0;
}
