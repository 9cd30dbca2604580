/*
 * kernel/syscall/uaccess.c - checked copies between kernel and user memory.
 *
 * The range check keeps user pointers out of the kernel half; the copy
 * routines in boot/uaccess.asm turn an unresolvable fault into -EFAULT.
 */
#include "kernel/syscall/uaccess.h"

#include "kernel/proc/proc.h"
#include "libk/errno.h"
#include "mm/mm.h"

int uaccess_copy(void *dst, const void *src, size_t n);
int uaccess_zero(void *dst, size_t n);
int uaccess_strncpy(char *dst, const char *src, size_t max);

/*
 * The MMU checks the kernel's accesses only where user pages are absent or
 * read-only; the regions' protection (e.g. resident pages of a PROT_NONE
 * region) is checked here, as the program's own access would be.
 */
static int check_regions(const void *uaddr, size_t n, bool write)
{
	if (!user_range_ok((uint32_t)uaddr, n))
		return -EFAULT;
	if (!n || !current->mm)
		return 0;
	return mm_check_access(current->mm, (vaddr_t)uaddr, n, write);
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	int err = check_regions(usrc, n, false);
	if (err)
		return err;
	return n ? uaccess_copy(dst, usrc, n) : 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	int err = check_regions(udst, n, true);
	if (err)
		return err;
	return n ? uaccess_copy(udst, src, n) : 0;
}

int clear_user(void *udst, size_t n)
{
	int err = check_regions(udst, n, true);
	if (err)
		return err;
	return n ? uaccess_zero(udst, n) : 0;
}

int strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	uint32_t addr = (uint32_t)usrc;
	size_t done = 0;

	if (max == 0)
		return -ENAMETOOLONG;
	/*
	 * Page by page: where the string ends is not known in advance, and
	 * each page it reaches must allow reading, as the program's own
	 * reads would. Checking only the first page would read on into a
	 * resident PROT_NONE page, which the MMU lets the kernel read.
	 */
	while (done < max) {
		uint32_t at = addr + done;
		if (at < addr || at >= KERNEL_VMA)
			return -EFAULT; /* ran off the end of user space */
		size_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		if (chunk > max - done)
			chunk = max - done;
		if (check_regions((const void *)at, chunk, false))
			return -EFAULT;
		int n = uaccess_strncpy(dst + done, (const char *)at, chunk);
		if (n < 0)
			return n;
		if ((size_t)n < chunk)
			return (int)(done + (size_t)n);
		done += chunk;
	}
	return -ENAMETOOLONG;
}
