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
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"

/* struct user_desc (include/uapi/asm/ldt.h): the flags are bit-fields. */
struct user_desc {
	uint32_t entry_number;  /* GDT index, or -1: the first free entry */
	uint32_t base_addr;
	uint32_t limit;         /* 20 bits are kept */
	uint32_t flags;         /* the UD_ bits below */
};

_Static_assert(offsetof(struct user_desc, entry_number) == 0,
	       "the user's pointer is the address of entry_number");

#define UD_SEG_32BIT (1u << 0)        /* D/B: 32-bit segment */
#define UD_CONTENTS_SHIFT 1           /* 2 bits: 0 data, 1 expand-down */
#define UD_CONTENTS_MASK (3u << 1)    /* data, 2 code, 3 conforming code */
#define UD_READ_EXEC_ONLY (1u << 3)   /* not writable */
#define UD_LIMIT_IN_PAGES (1u << 4)   /* G: limit in 4 KiB units */
#define UD_SEG_NOT_PRESENT (1u << 5)
#define UD_USEABLE (1u << 6)          /* AVL: free for software */
/*
 * The bits above are all an i386 kernel reads. (A 64-bit kernel calls bit
 * 7 `lm` and ignores it for TLS entries as well.)
 */
#define UD_FLAGS_MASK 0x7Fu
/* The "empty" form of "no segment". */
#define UD_EMPTY_FLAGS (UD_READ_EXEC_ONLY | UD_SEG_NOT_PRESENT)

/*
 * The high word of a segment descriptor (Intel SDM vol. 3A, 3.4.5, figure
 * 3-8; the type bits of a data segment are in 3.4.5.1, table 3-1).
 */
#define DESC_TYPE_ACCESSED (1u << 8)
#define DESC_TYPE_WRITABLE (1u << 9)     /* data: writable */
#define DESC_TYPE_SHIFT 10               /* data: expand-down; 11: code */
#define DESC_S (1u << 12)                /* code or data, not system */
#define DESC_DPL3 (3u << 13)
#define DESC_P (1u << 15)
#define DESC_LIMIT_HIGH 0x000F0000u      /* limit 19:16 */
#define DESC_AVL (1u << 20)
#define DESC_DB (1u << 22)
#define DESC_G (1u << 23)
#define DESC_BASE_HIGH 0xFF000000u       /* base 31:24 */
#define DESC_BASE_MID 0x000000FFu        /* base 23:16 */

#define LIMIT_MAX 0xFFFFFu               /* a descriptor's limit: 20 bits */

/* Whether u asks for no segment at all. */
static bool ud_no_segment(const struct user_desc *u)
{
	uint32_t f = u->flags & UD_FLAGS_MASK;

	return u->base_addr == 0 && u->limit == 0 &&
	       (f == UD_EMPTY_FLAGS || f == 0);
}

/* Whether set_thread_area accepts u. */
static bool ud_acceptable(const struct user_desc *u)
{
	uint32_t f = u->flags;

	if (ud_no_segment(u))
		return true;
	return (f & UD_SEG_32BIT) &&
	       ((f & UD_CONTENTS_MASK) >> UD_CONTENTS_SHIFT) <= 1 &&
	       !(f & UD_SEG_NOT_PRESENT);
}

/* The descriptor for an acceptable user_desc. */
static struct seg_desc tls_encode(const struct user_desc *u)
{
	struct seg_desc d = { 0, 0 };
	uint32_t f = u->flags;
	uint32_t base = u->base_addr, limit = u->limit & LIMIT_MAX;
	uint32_t contents = (f & UD_CONTENTS_MASK) >> UD_CONTENTS_SHIFT;

	if (ud_no_segment(u))
		return d;
	d.lo = base << 16 | (limit & 0xFFFF);
	d.hi = (base & DESC_BASE_HIGH) | ((base >> 16) & DESC_BASE_MID) |
	       (limit & DESC_LIMIT_HIGH) | DESC_TYPE_ACCESSED |
	       (f & UD_READ_EXEC_ONLY ? 0 : DESC_TYPE_WRITABLE) |
	       contents << DESC_TYPE_SHIFT |
	       DESC_S | DESC_DPL3 | DESC_P |
	       (f & UD_USEABLE ? DESC_AVL : 0) |
	       (f & UD_SEG_32BIT ? DESC_DB : 0) |
	       (f & UD_LIMIT_IN_PAGES ? DESC_G : 0);
	return d;
}

/* The user_desc fields a descriptor holds (get_thread_area). */
static void tls_decode(struct seg_desc d, struct user_desc *u)
{
	u->base_addr = d.lo >> 16 | (d.hi & DESC_BASE_MID) << 16 |
		       (d.hi & DESC_BASE_HIGH);
	u->limit = (d.lo & 0xFFFF) | (d.hi & DESC_LIMIT_HIGH);
	u->flags = (d.hi & DESC_DB ? UD_SEG_32BIT : 0) |
		   ((d.hi >> DESC_TYPE_SHIFT) & 3) << UD_CONTENTS_SHIFT |
		   (d.hi & DESC_TYPE_WRITABLE ? 0 : UD_READ_EXEC_ONLY) |
		   (d.hi & DESC_G ? UD_LIMIT_IN_PAGES : 0) |
		   (d.hi & DESC_P ? 0 : UD_SEG_NOT_PRESENT) |
		   (d.hi & DESC_AVL ? UD_USEABLE : 0);
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
	tls_decode(current->tls[slot], &u);
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
