/*
 * tests/user/mremap_kinds.c - mremap's checks and errors, and mremap on
 * the brk heap.
 *
 * Lengths are rounded up to pages without wrapping around: a length near
 * 4 GiB is too much, never a small one. Shrinking only unmaps the tail
 * (whatever is mapped there, as Linux does, and an end beyond user space
 * is EINVAL); growing in place needs the old range inside one mapping
 * (else EFAULT) and free room after it (else ENOMEM without
 * MREMAP_MAYMOVE). A mapping that is not at an address at all is EFAULT.
 *
 * The heap may be grown past the break by mremap; a later brk below it
 * then leaves the part above the old break as an ordinary anonymous
 * mapping, not "[heap]", and brk cannot grow into it. Every mapping used
 * is put inside a PROT_NONE reservation of the test's own, so that what
 * lies after it is known.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#define MREMAP_DONTUNMAP_FLAG 4

/* "0", an address offset "+N pages" from base, or the error name. */
static const char *result(long r, const void *base)
{
	static char buf[32];

	if (r == -1)
		return ut_errname(errno);
	snprintf(buf, sizeof(buf), "%+ld pages",
		 (long)((uintptr_t)r - (uintptr_t)base) / (long)UT_PAGE);
	return buf;
}

/* mremap through syscall(): glibc checks nothing, but be explicit. */
static long remap(void *old, unsigned long old_len, unsigned long new_len,
		  unsigned long flags)
{
	return syscall(SYS_mremap, old, old_len, new_len, flags, 0ul);
}

/* The permissions and name of the maps line holding p ("" if none). */
static const char *maps_of(const void *p)
{
	static char buf[65536], out[128];
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	out[0] = '\0';
	if (fd < 0)
		return out;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		unsigned long s, e;
		char perms[8];
		int used = 0;

		if (sscanf(l, "%lx-%lx %7s %*x %*x:%*x %*u %n", &s, &e, perms,
			   &used) >= 3 &&
		    (uintptr_t)p >= s && (uintptr_t)p < e) {
			snprintf(out, sizeof(out), "%s%s%s", perms,
				 l[used] ? " " : "", l + used);
			break;
		}
	}
	return out;
}

/* Lengths and addresses that wrap or go beyond user space. */
static void test_errors(void)
{
	unsigned char *res = mmap(NULL, 16 * UT_PAGE, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *a;

	if (!ut_check(res != MAP_FAILED, "reserve 16 pages"))
		return;
	a = mmap(res + UT_PAGE, 2 * UT_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (!ut_check(a == res + UT_PAGE, "map 2 pages inside it"))
		return;
	a[0] = 1;
	ut_fact("old length 0xfffff000 (end past 4 GiB): %s",
		result(remap(a, 0xFFFFF000ul, UT_PAGE, 0), a));
	ut_fact("old length 0xffffffff (rounds to 4 GiB): %s",
		result(remap(a, 0xFFFFFFFFul, UT_PAGE, 0), a));
	ut_fact("new length 0xfffff000: %s",
		result(remap(a, UT_PAGE, 0xFFFFF000ul, 0), a));
	ut_fact("new length 0xffffffff (rounds to 4 GiB): %s",
		result(remap(a, UT_PAGE, 0xFFFFFFFFul, 0), a));
	ut_fact("new length 0xffffffff, MREMAP_MAYMOVE: %s",
		result(remap(a, UT_PAGE, 0xFFFFFFFFul, MREMAP_MAYMOVE), a));
	ut_fact("new length 0: %s", result(remap(a, UT_PAGE, 0, 0), a));
	ut_fact("old length 0 of a private mapping: %s",
		result(remap(a, 0, UT_PAGE, 0), a));
	ut_fact("unaligned address: %s",
		result(remap(a + 1, UT_PAGE, UT_PAGE, 0), a));
	ut_fact("unknown flag 0x80: %s",
		result(remap(a, UT_PAGE, UT_PAGE, 0x80), a));
	ut_fact("MREMAP_FIXED without MREMAP_MAYMOVE: %s",
		result(remap(a, UT_PAGE, UT_PAGE, MREMAP_FIXED), a));
	ut_fact("MREMAP_DONTUNMAP without MREMAP_MAYMOVE: %s",
		result(remap(a, UT_PAGE, UT_PAGE, MREMAP_DONTUNMAP_FLAG), a));
	ut_check(munmap(res + 15 * UT_PAGE, UT_PAGE) == 0,
		 "unmap the reservation's last page");
	ut_fact("an address with no mapping: %s",
		result(remap(res + 15 * UT_PAGE, UT_PAGE, UT_PAGE, 0), a));
	ut_fact("grow with the old range past the mapping's end: %s",
		result(remap(a, 4 * UT_PAGE, 8 * UT_PAGE, 0), a));
	ut_fact("grow not at the mapping's end: %s",
		result(remap(a, UT_PAGE, 2 * UT_PAGE, 0), a));
	ut_fact("grow into the reservation: %s",
		result(remap(a, 2 * UT_PAGE, 3 * UT_PAGE, 0), a));
	ut_fact("same length: %s", result(remap(a, UT_PAGE, UT_PAGE, 0), a));
	ut_fact("a[0] is still %d", a[0]);

	/* Shrinking unmaps [a + new, a + old), even beyond the mapping. */
	ut_fact("shrink 2 pages to 1: %s",
		result(remap(a, 2 * UT_PAGE, UT_PAGE, 0), a));
	ut_fact("then page 1 is %s",
		maps_of(a + UT_PAGE)[0] ? "mapped" : "unmapped");
	ut_fact("shrink '10 pages' to 1 (the reservation's pages after it): "
		"%s",
		result(remap(a, 10 * UT_PAGE, UT_PAGE, 0), a));
	ut_fact("then page 5 of the reservation is %s",
		maps_of(res + 5 * UT_PAGE)[0] ? "mapped" : "unmapped");
	ut_fact("and page 12 of it is %s",
		maps_of(res + 12 * UT_PAGE)[0] ? "mapped" : "unmapped");
	ut_fact("a[0] is still %d", a[0]);
	munmap(res, 16 * UT_PAGE);
}

/* Growing in place keeps the contents and gives zero pages after them. */
static void test_grow(void)
{
	unsigned char *res = mmap(NULL, 16 * UT_PAGE, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *a;
	long r;

	if (!ut_check(res != MAP_FAILED, "reserve 16 pages"))
		return;
	ut_check(munmap(res + 2 * UT_PAGE, 4 * UT_PAGE) == 0,
		 "free pages 2-5 of it");
	a = mmap(res + UT_PAGE, UT_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (!ut_check(a == res + UT_PAGE, "map page 1"))
		return;
	memset(a, 0x33, UT_PAGE);
	r = remap(a, UT_PAGE, 5 * UT_PAGE, 0);
	ut_fact("grow 1 page to 5 in place: %s", result(r, a));
	if (r != -1) {
		ut_check(a[UT_PAGE - 1] == 0x33 && a[UT_PAGE] == 0 &&
				 a[5 * UT_PAGE - 1] == 0,
			 "the old page kept, the new ones zero");
		a[4 * UT_PAGE] = 1;
	}
	ut_fact("then its maps line: %s", maps_of(a + 4 * UT_PAGE));
	ut_fact("grow 5 pages to 6 (the reservation is next): %s",
		result(remap(a, 5 * UT_PAGE, 6 * UT_PAGE, 0), a));
	munmap(res, 16 * UT_PAGE);
}

/* mremap grows [heap] past the break; brk then shrinks below it. */
static void test_heap(void)
{
	char *b0 = sbrk(0);
	char *top, *last;
	long r;

	/* Start at a page boundary, then 4 pages of heap. */
	if (!ut_check(sbrk((intptr_t)(-(uintptr_t)b0 & (UT_PAGE - 1))) !=
				      (void *)-1 &&
			      sbrk(4 * UT_PAGE) != (void *)-1,
		      "sbrk 4 pages"))
		return;
	top = sbrk(0);
	last = top - UT_PAGE;
	last[0] = 1;
	ut_fact("the heap's last page: %s", maps_of(last));
	r = remap(last, UT_PAGE, 3 * UT_PAGE, 0);
	ut_fact("mremap of the heap's last page to 3 pages: %s",
		result(r, last));
	ut_fact("then past the break: %s", maps_of(top + UT_PAGE));
	ut_fact("sbrk(+1 page) into it: %s",
		sbrk(UT_PAGE) == (void *)-1 ? ut_errname(errno) : "0");
	ut_fact("sbrk(-2 pages): %s", sbrk(-2 * (intptr_t)UT_PAGE) == (void *)-1
					      ? ut_errname(errno)
					      : "0");
	ut_fact("then below the old break: %s", maps_of(top - UT_PAGE));
	ut_fact("the old break's page: %s", maps_of(top));
	ut_fact("the last grown page: %s", maps_of(top + UT_PAGE));
	ut_fact("sbrk(+2 pages) up to it: %s",
		sbrk(2 * UT_PAGE) == (void *)-1 ? ut_errname(errno) : "0");
	ut_fact("sbrk(+1 page) below it: %s",
		sbrk(UT_PAGE) == (void *)-1 ? ut_errname(errno) : "0");
	ut_fact("then the heap's last page: %s", maps_of(top - 2 * UT_PAGE));
	ut_fact("and past the break: %s", maps_of(top + UT_PAGE));
	ut_fact("munmap of the stray pages: %s",
		munmap(top, 2 * UT_PAGE) ? ut_errname(errno) : "0");
	ut_fact("sbrk(+2 pages) then: %s",
		sbrk(2 * UT_PAGE) == (void *)-1 ? ut_errname(errno) : "0");
	ut_fact("and the heap's last page: %s", maps_of(top));
	ut_check(brk(b0) == 0, "brk back to the start");
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	test_errors();
	test_grow();
	test_heap();
	return ut_end();
}
