/*
 * kernel/syscall/sys_mlock.c - mlock, munlock, mlockall, munlockall: regions whose
 * pages stay in memory (mm/mlock.c).
 *
 * RLIMIT_MEMLOCK binds users other than root, as on Linux (mm/mlock.c):
 * with a limit of 0 they may not lock at all (EPERM); otherwise mlock
 * fails with ENOMEM when the pages locked would exceed the limit
 * (pages of the range already locked do not count twice), and
 * mlockall(MCL_CURRENT) when the whole address space would. Root (euid
 * 0, Linux's CAP_IPC_LOCK) locks without limit. Not done here: the
 * limit on mmap(MAP_LOCKED) and on mappings made after
 * mlockall(MCL_FUTURE).
 */
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"
#include "mm/mm.h"

/* Linux's can_do_mlock: a limit of 0 forbids locking to all but root. */
static bool may_lock(void)
{
	return current->rlim[RLIMIT_MEMLOCK].cur != 0 ||
	       cred_privileged(&current->cred);
}

/* RLIMIT_MEMLOCK in pages (RLIM64_INFINITY stays out of reach). */
static uint64_t lock_limit_pages(void)
{
	return current->rlim[RLIMIT_MEMLOCK].cur >> PAGE_SHIFT;
}

/* Pages of [addr, addr + len) inside regions already locked. */
static uint64_t locked_in(struct mm *mm, vaddr_t addr, uint64_t len)
{
	uint64_t end = (uint64_t)addr + len, n = 0;
	struct list_node *pos;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);
		uint64_t s = v->start > addr ? v->start : addr;
		uint64_t e = v->end < end ? v->end : end;
		if ((v->flags & VMA_LOCKED) && s < e)
			n += (e - s) >> PAGE_SHIFT;
	}
	return n;
}

/* mlockall flags (include/uapi/asm-generic/mman-common.h). */
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

/* The page-aligned range mlock and munlock act on (Linux rounds down). */
static int lock_range(const struct syscall_args *a, bool lock)
{
	uint32_t addr = page_round_down(a->arg[0]);
	uint64_t len = (uint64_t)a->arg[1] + (a->arg[0] - addr);
	if (lock && !may_lock())
		return -EPERM;
	if (len == 0)
		return 0;
	if (!user_range_ok(addr, page_round_up((uint32_t)len)) ||
	    len > KERNEL_VMA)
		return -ENOMEM;
	if (lock && !cred_privileged(&current->cred)) {
		struct mm_usage u;
		mm_get_usage(current->mm, &u);
		uint64_t pages = (page_round_up((uint32_t)len) >> PAGE_SHIFT) +
				 u.vm_lck;
		if (pages > lock_limit_pages())
			pages -= locked_in(current->mm, addr,
					   page_round_up((uint32_t)len));
		if (pages > lock_limit_pages())
			return -ENOMEM;
	}
	return mm_lock(current->mm, addr, (size_t)len, lock);
}

static int32_t sys_mlock(const struct syscall_args *a)
{
	return lock_range(a, true);
}
SYSCALL(150, mlock, sys_mlock);

static int32_t sys_munlock(const struct syscall_args *a)
{
	return lock_range(a, false);
}
SYSCALL(151, munlock, sys_munlock);

static int32_t sys_mlockall(const struct syscall_args *a)
{
	uint32_t flags = a->arg[0];
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!may_lock())
		return -EPERM;
	if ((flags & MCL_CURRENT) && !cred_privileged(&current->cred)) {
		struct mm_usage u;
		mm_get_usage(current->mm, &u);
		if (u.vm_size > lock_limit_pages())
			return -ENOMEM;
	}
	return mm_lock_all(current->mm, flags & MCL_CURRENT, flags & MCL_FUTURE,
			   true);
}
SYSCALL(152, mlockall, sys_mlockall);

static int32_t sys_munlockall(const struct syscall_args *a)
{
	(void)a;
	return mm_lock_all(current->mm, false, false, false);
}
SYSCALL(153, munlockall, sys_munlockall);
