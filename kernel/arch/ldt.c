/*
 * kernel/arch/ldt.c - per-process local descriptor tables and modify_ldt.
 *
 * A program can describe segments of its own in an LDT (Intel SDM vol. 3A,
 * 3.5.1): a table of up to 8192 segment descriptors that a selector with
 * its table-indicator bit set (TI = 1, vol. 3A, 3.4.2) indexes. Pagoda,
 * like Linux, gives a process none until it asks, with modify_ldt, the
 * i386 system call 123 (Linux's arch/x86/kernel/ldt.c defines it):
 *
 *   modify_ldt(0, ptr, n)     copies up to n bytes of the LDT to ptr, the
 *                             rest of the n (up to 64 KiB) zero; returns
 *                             that count, or 0 if there is no LDT.
 *   modify_ldt(1, ptr, 16)    writes one entry from the struct user_desc
 *   modify_ldt(0x11, ptr, 16) at ptr: "old" mode (1) clears the entry for
 *                             base 0 and limit 0 and never sets AVL; "new"
 *                             mode (0x11) clears it for the "empty"
 *                             descriptor and keeps `useable`.
 *   modify_ldt(2, ptr, n)     the "default LDT": min(n, 40) zero bytes.
 *   anything else             ENOSYS.
 *
 * A write is refused with EINVAL for a size other than sizeof(struct
 * user_desc), an entry number of 8192 or more, and a conforming code
 * segment (contents 3) in old mode or one that is present; everything else
 * is allowed, 16-bit segments included, as Linux does when built with
 * CONFIG_X86_16BIT (Debian's kernels are). The descriptor is built by
 * user_desc_encode (kernel/arch/user_desc.c), shared with set_thread_area;
 * DPL is always 3, so a process can never describe a segment the kernel
 * could be tricked into using at ring 0.
 *
 * The table grows to the highest entry written and no further: a write
 * makes a new table of max(old size, entry + 1) entries, copies the old
 * one, changes the entry, loads it (lldt) and frees the old one. The
 * table is part of the address space (mm->ldt): fork copies it, execve
 * starts with none, and mm_destroy frees it.
 *
 * The LDTR is loaded only when it changes: ldt_install remembers the table
 * and size in use. A table freed and another one allocated at the same
 * address with the same size would not be loaded again, and needs not be:
 * the CPU keeps only the base and limit, and reads the descriptors from
 * memory at every segment load.
 *
 * A segment register may hold the selector of an entry the process then
 * clears or changes. On the way back to user mode trap_return reloads it
 * from the trap frame, the CPU refuses it (#GP or #NP), and the register
 * becomes null (boot/trap_entry.asm, kernel/arch/extable.c), exactly as
 * for the TLS entries of the GDT.
 *
 * Locking: there is one CPU and the kernel is not preempted, so only
 * sleeping can let another process in. The allocations of a write and a
 * read may sleep, and a process sharing the address space could replace
 * the table meanwhile: both look at the table again after allocating, and
 * a read copies it to its own buffer before copy_to_user, which may sleep
 * too.
 *
 * Not done: 16-bit stack segments get no "espfix": returning to one leaves
 * the upper half of the kernel's ESP in the upper half of the program's
 * (Linux's espfix hides it).
 */
#include "kernel/arch/ldt.h"

#include <stdbool.h>
#include <stddef.h>

#include "kernel/arch/user_desc.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/slab.h"

/* modify_ldt's func argument (Linux's arch/x86/kernel/ldt.c). */
#define LDT_FUNC_READ 0
#define LDT_FUNC_WRITE_OLD 1
#define LDT_FUNC_READ_DEFAULT 2
#define LDT_FUNC_WRITE 0x11

#define LDT_ENTRY_SIZE 8u
/* What modify_ldt(2) reads on i386: five empty descriptors. */
#define LDT_DEFAULT_BYTES (5 * LDT_ENTRY_SIZE)

_Static_assert(sizeof(struct seg_desc) == LDT_ENTRY_SIZE,
	       "an LDT entry is one descriptor");
_Static_assert(sizeof(struct user_desc) == 16,
	       "struct user_desc is Linux's 16 bytes");

/* The table and size in the LDTR now (see the header comment). */
static const struct ldt *loaded_ldt;
static uint32_t loaded_entries;

static struct ldt *ldt_alloc(uint32_t nr_entries)
{
	struct ldt *t = kzalloc(sizeof(*t) + nr_entries * LDT_ENTRY_SIZE,
				GFP_KERNEL);
	if (t)
		t->nr_entries = nr_entries;
	return t;
}

uint32_t ldt_size(const struct mm *mm)
{
	return mm && mm->ldt ? mm->ldt->nr_entries : 0;
}

void ldt_install(const struct mm *mm)
{
	const struct ldt *t = mm ? mm->ldt : NULL;
	uint32_t n = t ? t->nr_entries : 0;

	if (t == loaded_ldt && n == loaded_entries)
		return;
	gdt_load_ldt(t ? t->entries : NULL, n);
	loaded_ldt = t;
	loaded_entries = n;
}

int ldt_copy(struct mm *child, const struct mm *parent)
{
	const struct ldt *p = parent->ldt;

	if (!p)
		return 0;
	struct ldt *c = ldt_alloc(p->nr_entries);
	if (!c)
		return -ENOMEM;
	memcpy(c->entries, p->entries, p->nr_entries * LDT_ENTRY_SIZE);
	child->ldt = c;
	return 0;
}

int ldt_set(struct mm *mm, uint32_t entry, struct seg_desc d)
{
	uint32_t old_n, new_n;
	struct ldt *t;

	if (entry >= LDT_ENTRIES)
		return -EINVAL;
	/*
	 * The allocation may sleep, and another process sharing mm may
	 * change the table meanwhile: the copy is made from the table as it
	 * is after the allocation, and a table that grew meanwhile means a
	 * new allocation.
	 */
	for (;;) {
		old_n = ldt_size(mm);
		new_n = entry + 1 > old_n ? entry + 1 : old_n;
		t = ldt_alloc(new_n);
		if (!t)
			return -ENOMEM;
		if (ldt_size(mm) == old_n)
			break;
		kfree(t);
	}
	if (mm->ldt)
		memcpy(t->entries, mm->ldt->entries, old_n * LDT_ENTRY_SIZE);
	t->entries[entry] = d;

	struct ldt *old = mm->ldt;
	mm->ldt = t;
	if (current && current->mm == mm)
		ldt_install(mm);
	kfree(old);
	return 0;
}

/*
 * modify_ldt(0): the table's bytes, zero-filled to n, at most 64 KiB. The
 * bytes are copied out of a snapshot: copy_to_user may sleep (a page
 * fault), and the table be replaced and freed meanwhile.
 */
static int32_t ldt_read(void *uptr, uint32_t n)
{
	struct mm *mm = current->mm;
	uint32_t have;
	void *snap;

	if (n > LDT_ENTRIES * LDT_ENTRY_SIZE)
		n = LDT_ENTRIES * LDT_ENTRY_SIZE;
	for (;;) {
		if (!mm->ldt)
			return 0;
		have = ldt_size(mm) * LDT_ENTRY_SIZE;
		if (have > n)
			have = n;
		snap = kmalloc(have ? have : 1, GFP_KERNEL);
		if (!snap)
			return -ENOMEM;
		/* The allocation may have slept: the same size still? */
		uint32_t now = ldt_size(mm) * LDT_ENTRY_SIZE;
		if ((now > n ? n : now) == have)
			break;
		kfree(snap);
	}
	memcpy(snap, mm->ldt->entries, have);
	int32_t ret = (int32_t)n;
	if (copy_to_user(uptr, snap, have) ||
	    (have < n && clear_user((char *)uptr + have, n - have)))
		ret = -EFAULT;
	kfree(snap);
	return ret;
}

/* modify_ldt(2): i386 Linux's default LDT is five empty entries. */
static int32_t ldt_read_default(void *uptr, uint32_t n)
{
	if (n > LDT_DEFAULT_BYTES)
		n = LDT_DEFAULT_BYTES;
	if (clear_user(uptr, n))
		return -EFAULT;
	return (int32_t)n;
}

/* modify_ldt(1) and modify_ldt(0x11): one entry. */
static int32_t ldt_write(const void *uptr, uint32_t n, bool old_mode)
{
	struct mm *mm = current->mm;
	struct user_desc u;
	struct seg_desc d = { 0, 0 };

	if (n != sizeof(u))
		return -EINVAL;
	if (copy_from_user(&u, uptr, sizeof(u)))
		return -EFAULT;
	if (u.entry_number >= LDT_ENTRIES)
		return -EINVAL;
	/*
	 * A conforming code segment runs at the caller's privilege, whatever
	 * its DPL; Linux allows one only not present (and so unusable).
	 */
	if (user_desc_contents(&u) == UD_CONTENTS_CONFORMING &&
	    (old_mode || !(u.flags & UD_SEG_NOT_PRESENT)))
		return -EINVAL;
	bool clear = (old_mode && u.base_addr == 0 && u.limit == 0) ||
		     user_desc_is_empty(&u);
	if (!clear) {
		if (old_mode)
			u.flags &= ~UD_USEABLE;
		d = user_desc_encode(&u);
	}

	return ldt_set(mm, u.entry_number, d);
}

/* modify_ldt(int func, void *ptr, unsigned long bytecount). */
static int32_t sys_modify_ldt(const struct syscall_args *a)
{
	void *uptr = (void *)a->arg[1];
	uint32_t n = a->arg[2];

	switch ((int32_t)a->arg[0]) {
	case LDT_FUNC_READ:
		return ldt_read(uptr, n);
	case LDT_FUNC_WRITE_OLD:
		return ldt_write(uptr, n, true);
	case LDT_FUNC_READ_DEFAULT:
		return ldt_read_default(uptr, n);
	case LDT_FUNC_WRITE:
		return ldt_write(uptr, n, false);
	default:
		return -ENOSYS;
	}
}
SYSCALL(123, modify_ldt, sys_modify_ldt);
