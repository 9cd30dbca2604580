/*
 * kernel/syscall/sys_mlock.c - mlock, munlock, mlockall, munlockall: regions whose
 * pages stay in memory (mm/mlock.c).
 *
 * Pagoda runs every process as root, so RLIMIT_MEMLOCK does not apply
 * (Linux lets CAP_IPC_LOCK lock without limit).
 */
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"
#include "mm/mm.h"

/* mlockall flags (include/uapi/asm-generic/mman-common.h). */
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

/* The page-aligned range mlock and munlock act on (Linux rounds down). */
static int lock_range(const struct syscall_args *a, bool lock)
{
	uint32_t addr = page_round_down(a->arg[0]);
	uint64_t len = (uint64_t)a->arg[1] + (a->arg[0] - addr);
	if (len == 0)
		return 0;
	if (!user_range_ok(addr, page_round_up((uint32_t)len)) ||
	    len > KERNEL_VMA)
		return -ENOMEM;
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
