/*
 * kernel/uaccess.c - checked copies between kernel and user memory.
 *
 * The range check keeps user pointers out of the kernel half; the copy
 * routines in boot/uaccess.asm turn an unresolvable fault into -EFAULT.
 */
#include "kernel/uaccess.h"

#include "libk/errno.h"

int uaccess_copy(void *dst, const void *src, size_t n);
int uaccess_zero(void *dst, size_t n);
int uaccess_strncpy(char *dst, const char *src, size_t max);

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!user_range_ok((uint32_t)usrc, n))
		return -EFAULT;
	return n ? uaccess_copy(dst, usrc, n) : 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	if (!user_range_ok((uint32_t)udst, n))
		return -EFAULT;
	return n ? uaccess_copy(udst, src, n) : 0;
}

int clear_user(void *udst, size_t n)
{
	if (!user_range_ok((uint32_t)udst, n))
		return -EFAULT;
	return n ? uaccess_zero(udst, n) : 0;
}

int strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	uint32_t addr = (uint32_t)usrc;

	if (max == 0)
		return -ENAMETOOLONG;
	if (addr >= KERNEL_VMA)
		return -EFAULT;
	/* Never read past the end of user space. */
	size_t limit = KERNEL_VMA - addr < max ? KERNEL_VMA - addr : max;
	int n = uaccess_strncpy(dst, usrc, limit);
	if (n < 0)
		return n;
	if ((size_t)n == limit)
		return limit < max ? -EFAULT : -ENAMETOOLONG;
	return n;
}
