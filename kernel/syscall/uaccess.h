/*
 * kernel/syscall/uaccess.h - reading and writing user memory from the kernel.
 *
 * Every pointer a program passes to a system call goes through these. They
 * check that the whole range lies in user space (below KERNEL_VMA, without
 * wrapping) and then copy with instructions listed in the exception-fixup
 * table: if the copy faults, the page-fault handler first tries to resolve
 * it as the program's own access would be (demand paging, copy-on-write,
 * stack growth); if that fails, the copy stops and returns -EFAULT. So a
 * bad pointer from user space is an error code, never a kernel panic.
 */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"

/* True if [addr, addr + n) is entirely user space. */
static inline bool user_range_ok(uint32_t addr, size_t n)
{
	return addr < KERNEL_VMA && n <= KERNEL_VMA - addr;
}

/* Copies n bytes from user src; returns 0 or -EFAULT. */
int copy_from_user(void *dst, const void *usrc, size_t n);
/* Copies n bytes to user dst; returns 0 or -EFAULT. */
int copy_to_user(void *udst, const void *src, size_t n);
/*
 * Copies a NUL-terminated string of at most max-1 characters from user
 * space, checking the protection of every page it reads. Returns its
 * length, -EFAULT, or -ENAMETOOLONG when it does not fit.
 */
int strncpy_from_user(char *dst, const char *usrc, size_t max);
/* Fills n bytes of user memory with zeros; returns 0 or -EFAULT. */
int clear_user(void *udst, size_t n);

#endif
