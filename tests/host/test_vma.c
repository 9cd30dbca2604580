/*
 * tests/host/test_vma.c - regions of an address space (mm/vma.c, mm/mm.c)
 * on fake RAM: placement (hint, fixed, top-down), split and merge by
 * unmap and protect, limits, brk, madvise(DONTNEED), /proc/PID/maps text
 * and usage figures; and a random sequence checked page by page against
 * a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/shm.h"
#include "tests/host/mm_fixture.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define RO MM_PROT_READ
#define RX (MM_PROT_READ | MM_PROT_EXEC)
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x20000000u

static vaddr_t map(struct mm *mm, vaddr_t addr, size_t len, uint32_t prot,
		   uint32_t flags)
{
	vaddr_t a = 0;
	assert_int_equal(mm_map(mm, addr, len, prot, flags, VMA_ANON, NULL, &a),
			 0);
	return a;
}

/* Asserts the region at addr is exactly [start, end) with prot. */
static void expect_vma(struct mm *mm, vaddr_t addr, vaddr_t start, vaddr_t end,
		       uint32_t prot)
{
	struct vma *v = mm_find_vma(mm, addr);
	assert_non_null(v);
	assert_int_equal(v->start, start);
	assert_int_equal(v->end, end);
	assert_int_equal(v->prot, prot);
}

/* An empty address space costs a directory and a heap object, then nothing. */
static void test_create_destroy(void **state)
{
	(void)state;
	struct mm_baseline b = mm_fixture_baseline();
	struct mm *mm = mm_fixture_new();
	assert_int_equal(mm_nr_vmas(mm), 0);
	assert_int_equal(mm->stack_top, MM_STACK_TOP);
	assert_int_equal(mm->limit_stack, MM_DEFAULT_STACK_LIMIT);
	assert_true(mm->mmap_base < MM_STACK_TOP - MM_DEFAULT_STACK_LIMIT);
	assert_verified(mm_check(mm));
	assert_false(mm_fixture_same(b));
	mm_destroy(mm);
	assert_true(mm_fixture_same(b));
}

/* Without a hint, mappings go top-down below mmap_base and merge. */
static void test_map_topdown(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	vaddr_t a = map(mm, 0, P(2), RW, 0);
	assert_int_equal(a, mm->mmap_base - P(2));
	vaddr_t b = map(mm, 0, 100, RW, 0);
	assert_int_equal(b, a - P(1));
	/* Same kind and protection, adjacent: one region. */
	assert_int_equal(mm_nr_vmas(mm), 1);
	expect_vma(mm, b, b, a + P(2), RW);
	vaddr_t c = map(mm, 0, P(1), RO, 0);
	assert_int_equal(c, b - P(1));
	assert_int_equal(mm_nr_vmas(mm), 2);
	/* A hole left by unmapping is reused when it is the highest fit. */
	assert_int_equal(mm_unmap(mm, a, P(1)), 0);
	assert_int_equal(map(mm, 0, P(1), RO, 0), a);
	assert_int_equal(map(mm, 0, P(2), RO, 0), c - P(2));
	assert_verified(mm_check(mm));
	mm_destroy(mm);
}

/* A free hint is used (rounded up to a page); a taken one is not. */
static void test_map_hint(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	assert_int_equal(map(mm, BASE, P(4), RW, 0), BASE);
	assert_int_equal(map(mm, BASE + P(8) + 1, P(1), RO, 0), BASE + P(9));
	/* Overlapping the first region: placed top-down instead. */
	assert_int_equal(map(mm, BASE + P(2), P(1), RO, 0),
			 mm->mmap_base - P(1));
	/* A hint below the lowest allowed address is ignored. */
	assert_int_equal(map(mm, 0x1000, P(1), RO, 0), mm->mmap_base - P(2));
	/* A hint that does not fit below the top of user space neither. */
	assert_int_equal(map(mm, KERNEL_VMA - P(1), P(2), RO, 0),
			 mm->mmap_base - P(4));
	assert_verified(mm_check(mm));
	mm_destroy(mm);
}

/* MM_MAP_FIXED replaces what was there, splitting regions and freeing pages. */
static void test_map_fixed_replaces(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(8), RW, MM_MAP_FIXED);
	for (int i = 0; i < 8; i++)
		assert_true(mm_poke(mm, BASE + P(i), 100 + i));
	assert_int_equal(mm->rss, 8);
	map(mm, BASE + P(2), P(3), RO, MM_MAP_FIXED);
	assert_int_equal(mm_nr_vmas(mm), 3);
	expect_vma(mm, BASE, BASE, BASE + P(2), RW);
	expect_vma(mm, BASE + P(2), BASE + P(2), BASE + P(5), RO);
	expect_vma(mm, BASE + P(5), BASE + P(5), BASE + P(8), RW);
	assert_int_equal(mm->rss, 5);
	/* The new pages are new: zero. The others kept their data. */
	assert_int_equal(mm_peek(mm, BASE + P(3)), 0);
	assert_int_equal(mm_peek(mm, BASE + P(1)), 101);
	assert_int_equal(mm_peek(mm, BASE + P(6)), 106);
	/* Same protection again: the three merge back into one. */
	map(mm, BASE + P(2), P(3), RW, MM_MAP_FIXED);
	assert_int_equal(mm_nr_vmas(mm), 1);
	expect_vma(mm, BASE, BASE, BASE + P(8), RW);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	assert_true(mm_fixture_same(base));
}

/* Argument errors, as Linux's mmap reports them. */
static void test_map_errors(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	vaddr_t a;
	assert_int_equal(mm_map(mm, BASE, 0, RW, 0, VMA_ANON, NULL, &a),
			 -EINVAL);
	assert_int_equal(mm_map(mm, BASE + 1, P(1), RW, MM_MAP_FIXED, VMA_ANON,
				NULL, &a),
			 -EINVAL);
	assert_int_equal(mm_map(mm, BASE, P(1), 0x8, 0, VMA_ANON, NULL, &a),
			 -EINVAL);
	assert_int_equal(mm_map(mm, 0x1000, P(1), RW, MM_MAP_FIXED, VMA_ANON,
				NULL, &a),
			 -EPERM);
	assert_int_equal(mm_map(mm, KERNEL_VMA - P(1), P(2), RW, MM_MAP_FIXED,
				VMA_ANON, NULL, &a),
			 -ENOMEM);
	assert_int_equal(mm_map(mm, 0, (size_t)KERNEL_VMA + 1, RW, 0, VMA_ANON,
				NULL, &a),
			 -ENOMEM);
	/* A file region needs a file, with a page-aligned offset. */
	assert_int_equal(mm_map(mm, 0, P(1), RO, 0, VMA_FILE, NULL, &a),
			 -EINVAL);
	static const uint8_t data[10];
	struct vma_file f = { data, sizeof(data), 1, sizeof(data), "/f", 1, 0, NULL };
	assert_int_equal(mm_map(mm, 0, P(1), RO, 0, VMA_FILE, &f, &a), -EINVAL);
	f.offset = 0;
	/* A shared writable file mapping would have to write the image. */
	assert_int_equal(mm_map(mm, 0, P(1), RW, MM_MAP_SHARED, VMA_FILE, &f,
				&a),
			 -EACCES);
	assert_int_equal(
		mm_map(mm, 0, P(1), RO, MM_MAP_SHARED, VMA_FILE, &f, &a), 0);
	assert_int_equal(mm_protect(mm, a, P(1), RW), -EACCES);
	assert_int_equal(mm_nr_vmas(mm), 1);
	mm_destroy(mm);
}

/* No room left below mmap_base: -ENOMEM. */
static void test_map_no_room(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	vaddr_t a;
	size_t room = mm->mmap_base - MM_MMAP_MIN_ADDR;
	assert_int_equal(mm_map(mm, 0, room + P(1), RO, 0, VMA_ANON, NULL, &a),
			 -ENOMEM);
	assert_int_equal(mm_map(mm, 0, room, RO, 0, VMA_ANON, NULL, &a), 0);
	assert_int_equal(a, MM_MMAP_MIN_ADDR);
	assert_int_equal(mm_map(mm, 0, P(1), RO, 0, VMA_ANON, NULL, &a),
			 -ENOMEM);
	mm_destroy(mm);
}

/* RLIMIT_AS counts every region; a fixed map counts what it replaces. */
static void test_rlimit_as(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	vaddr_t a;
	mm->limit_as = P(16);
	map(mm, BASE, P(10), RO, MM_MAP_FIXED);
	map(mm, 0, P(6), RW, 0);
	assert_int_equal(mm_map(mm, 0, P(1), RO, 0, VMA_ANON, NULL, &a),
			 -ENOMEM);
	/* Replacing 4 pages of the 16 by 4 others fits. */
	map(mm, BASE + P(2), P(4), RW, MM_MAP_FIXED);
	/* Replacing 2 by 3 does not. */
	assert_int_equal(mm_map(mm, BASE + P(8), P(3), RO, MM_MAP_FIXED,
				VMA_ANON, NULL, &a),
			 -ENOMEM);
	/* The failed call changed nothing. */
	expect_vma(mm, BASE + P(8), BASE + P(6), BASE + P(10), RO);
	assert_int_equal(mm_unmap(mm, BASE, P(1)), 0);
	map(mm, 0, P(1), RO, 0);
	assert_verified(mm_check(mm));
	mm_destroy(mm);
}

/* RLIMIT_DATA counts private writable memory only. */
static void test_rlimit_data(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	vaddr_t a;
	mm->limit_data = P(4);
	map(mm, 0, P(4), RW, 0);
	assert_int_equal(mm_map(mm, 0, P(1), RW, 0, VMA_ANON, NULL, &a),
			 -ENOMEM);
	map(mm, 0, P(8), RO, 0);
	map(mm, 0, P(8), RW, MM_MAP_SHARED);
	mm_destroy(mm);
}

/*
 * Unmap matrix: a region of 8 pages (all touched) against ranges at its
 * head, tail, middle, the whole, beyond both ends, and a hole.
 */
static void test_unmap_matrix(void **state)
{
	(void)state;
	static const struct {
		int first, count; /* unmapped pages, relative to BASE */
		int left_end, right_start; /* what remains: [0,l) [r,8) */
	} cases[] = {
		{ 0, 2, 0, 2 },	  { 6, 2, 6, 8 },  { 3, 2, 3, 5 },
		{ 0, 8, 0, 8 },	  { -2, 4, 0, 2 }, { 6, 5, 6, 8 },
		{ -4, 16, 0, 8 }, { -4, 2, 8, 0 }, { 9, 3, 8, 0 },
		{ 7, 1, 7, 8 },	  { 0, 1, 0, 1 },
	};
	struct mm_baseline base = mm_fixture_baseline();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mm *mm = mm_fixture_new();
		map(mm, BASE, P(8), RW, MM_MAP_FIXED);
		for (int p = 0; p < 8; p++)
			assert_true(mm_poke(mm, BASE + P(p), p + 1));
		assert_int_equal(mm_unmap(mm, BASE + P(cases[i].first),
					  P(cases[i].count)),
				 0);
		int l = cases[i].left_end, r = cases[i].right_start;
		uint32_t expect_rss = 0;
		for (int p = 0; p < 8; p++) {
			bool kept = r > l ? (p < l || p >= r) : true;
			struct vma *v = mm_find_vma(mm, BASE + P(p));
			assert_int_equal(v != NULL, kept);
			if (kept) {
				assert_int_equal(mm_peek(mm, BASE + P(p)),
						 p + 1);
				expect_rss++;
			} else {
				assert_int_equal(mm_touch(mm, BASE + P(p),
							  TOUCH_USER, NULL),
						 MM_FAULT_UNMAPPED);
			}
		}
		assert_int_equal(mm->rss, expect_rss);
		assert_int_equal(mm_nr_vmas(mm),
				 (r > l) ? (l > 0) + (r < 8) : 1);
		assert_verified(mm_check(mm));
		mm_fixture_destroy(mm);
	}
	assert_true(mm_fixture_same(base));
}

/* Unmapping across several regions and holes; errors. */
static void test_unmap_span(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(2), RW, MM_MAP_FIXED);
	map(mm, BASE + P(3), P(2), RO, MM_MAP_FIXED);
	map(mm, BASE + P(6), P(2), RX, MM_MAP_FIXED);
	assert_int_equal(mm_unmap(mm, BASE + P(1), P(6)), 0);
	assert_int_equal(mm_nr_vmas(mm), 2);
	expect_vma(mm, BASE, BASE, BASE + P(1), RW);
	expect_vma(mm, BASE + P(7), BASE + P(7), BASE + P(8), RX);
	assert_int_equal(mm_unmap(mm, BASE + 1, P(1)), -EINVAL);
	assert_int_equal(mm_unmap(mm, BASE, 0), -EINVAL);
	assert_int_equal(mm_unmap(mm, KERNEL_VMA - P(1), P(2)), -EINVAL);
	/* Nothing mapped there: fine, as on Linux. */
	assert_int_equal(mm_unmap(mm, BASE + P(100), P(1)), 0);
	assert_verified(mm_check(mm));
	mm_destroy(mm);
}

/* Protect matrix: splits, merges, all-or-nothing, and PTEs follow. */
static void test_protect(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(8), RW, MM_MAP_FIXED);
	for (int p = 0; p < 8; p++)
		assert_true(mm_poke(mm, BASE + P(p), 7 * p));

	assert_int_equal(mm_protect(mm, BASE + P(2), P(2), RO), 0);
	assert_int_equal(mm_nr_vmas(mm), 3);
	expect_vma(mm, BASE + P(2), BASE + P(2), BASE + P(4), RO);
	assert_false(mm_pte(mm, BASE + P(2)) & PTE_W);
	assert_true(mm_pte(mm, BASE + P(4)) & PTE_W);
	assert_int_equal(mm_touch(mm, BASE + P(3), TOUCH_WRITE | TOUCH_USER,
				  NULL),
			 MM_FAULT_PROTECTION);
	assert_int_equal(mm_peek(mm, BASE + P(3)), 21);

	/* PROT_NONE keeps the data but no user access, even reads. */
	assert_int_equal(mm_protect(mm, BASE + P(3), P(3), 0), 0);
	assert_int_equal(mm_nr_vmas(mm), 4);
	assert_int_equal(mm_touch(mm, BASE + P(5), TOUCH_USER, NULL),
			 MM_FAULT_PROTECTION);
	assert_false(mm_pte(mm, BASE + P(5)) & PTE_U);
	assert_int_equal(mm_check_access(mm, BASE + P(5), 4, false), -EFAULT);
	assert_int_equal(mm_check_access(mm, BASE + P(2), 4, false), 0);
	assert_int_equal(mm_check_access(mm, BASE + P(2), 4, true), -EFAULT);

	/* Back to RW over everything: one region, data intact. */
	assert_int_equal(mm_protect(mm, BASE, P(8), RW), 0);
	assert_int_equal(mm_nr_vmas(mm), 1);
	for (int p = 0; p < 8; p++)
		assert_int_equal(mm_peek(mm, BASE + P(p)), 7 * p);
	assert_true(mm_pte(mm, BASE + P(5)) & PTE_W);

	/* A hole in the range: -ENOMEM and nothing changes. */
	map(mm, BASE + P(9), P(2), RW, MM_MAP_FIXED);
	assert_int_equal(mm_protect(mm, BASE + P(6), P(4), RO), -ENOMEM);
	expect_vma(mm, BASE + P(6), BASE, BASE + P(8), RW);
	expect_vma(mm, BASE + P(9), BASE + P(9), BASE + P(11), RW);
	assert_int_equal(mm_protect(mm, BASE + 1, P(1), RO), -EINVAL);
	assert_int_equal(mm_protect(mm, BASE, P(1), 0x10), -EINVAL);
	assert_int_equal(mm_protect(mm, BASE, 0, RO), 0);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/* MADV_DONTNEED: private anonymous pages read as zero again. */
static void test_dontneed(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(4), RW, MM_MAP_FIXED);
	for (int p = 0; p < 4; p++)
		assert_true(mm_poke(mm, BASE + P(p), 5 + p));
	assert_int_equal(mm_dontneed(mm, BASE + P(1), P(2)), 0);
	assert_int_equal(mm->rss, 2);
	assert_int_equal(mm_peek(mm, BASE + P(0)), 5);
	assert_int_equal(mm_peek(mm, BASE + P(1)), 0);
	assert_int_equal(mm_peek(mm, BASE + P(2)), 0);
	assert_int_equal(mm_peek(mm, BASE + P(3)), 8);
	/* A hole: -ENOMEM, but the mapped part is still dropped. */
	assert_int_equal(mm_dontneed(mm, BASE + P(3), P(2)), -ENOMEM);
	assert_int_equal(mm_peek(mm, BASE + P(3)), 0);
	assert_int_equal(mm_dontneed(mm, BASE + 8, P(1)), -EINVAL);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/*
 * A locked region's pages stay: MADV_DONTNEED and MADV_FREE are -EINVAL
 * there, after dropping the regions before it (Linux's order); MADV_FREE
 * takes private anonymous memory only.
 */
static void test_dontneed_locked(void **state)
{
	(void)state;
	static const uint8_t image[P(1)];
	struct vma_file f = { image, sizeof(image), 0, P(1), "/f", 1, 0, NULL };
	struct mm *mm = mm_fixture_new();
	vaddr_t a;
	map(mm, BASE, P(4), RW, MM_MAP_FIXED);
	for (int p = 0; p < 4; p++)
		assert_true(mm_poke(mm, BASE + P(p), 5 + p));
	assert_int_equal(mm_lock(mm, BASE + P(1), P(1), true), 0);
	assert_int_equal(mm_dontneed(mm, BASE, P(4)), -EINVAL);
	assert_int_equal(mm_peek(mm, BASE + P(0)), 0);
	assert_int_equal(mm_peek(mm, BASE + P(1)), 6);
	assert_int_equal(mm_peek(mm, BASE + P(2)), 7);
	assert_int_equal(mm_dontneed(mm, BASE + P(1), P(1)), -EINVAL);
	assert_int_equal(mm_madvise_free(mm, BASE + P(1), P(1)), -EINVAL);
	assert_int_equal(mm_peek(mm, BASE + P(1)), 6);
	assert_int_equal(mm_dontneed(mm, BASE + P(2), P(2)), 0);
	assert_int_equal(mm_peek(mm, BASE + P(2)), 0);
	assert_int_equal(mm_madvise_free(mm, BASE + P(2), P(2)), 0);
	assert_int_equal(mm_lock(mm, BASE + P(1), P(1), false), 0);
	assert_int_equal(mm_dontneed(mm, BASE, P(4)), 0);
	assert_int_equal(mm_peek(mm, BASE + P(1)), 0);

	/* MADV_FREE: not a file or shared region; MADV_DONTNEED: any. */
	assert_int_equal(mm_map(mm, BASE + P(8), P(1), RO, MM_MAP_FIXED,
				VMA_FILE, &f, &a),
			 0);
	assert_int_equal(mm_map(mm, BASE + P(10), P(1), RW,
				MM_MAP_FIXED | MM_MAP_SHARED, VMA_ANON, NULL,
				&a),
			 0);
	assert_int_equal(mm_madvise_free(mm, BASE + P(8), P(1)), -EINVAL);
	assert_int_equal(mm_madvise_free(mm, BASE + P(10), P(1)), -EINVAL);
	assert_int_equal(mm_dontneed(mm, BASE + P(8), P(1)), 0);
	assert_int_equal(mm_dontneed(mm, BASE + P(10), P(1)), 0);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/*
 * mremap without moving: Linux's errors, lengths that would wrap in 32
 * bits, shrinking past the region, growing in place, locked regions.
 */
static void test_remap(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	vaddr_t out = 0;
	map(mm, BASE, P(16), 0, MM_MAP_FIXED); /* a PROT_NONE reservation */
	vaddr_t a = map(mm, BASE + P(1), P(2), RW, MM_MAP_FIXED);
	assert_true(mm_poke(mm, a, 77));

	/* Lengths round up in 64 bits: 0xFFFFFFFF is 4 GiB, not 0. */
	assert_int_equal(mm_remap(mm, a, 0xFFFFF000u, P(1), 0, 0, &out), -EINVAL);
	assert_int_equal(mm_remap(mm, a, 0xFFFFFFFFu, P(1), 0, 0, &out), -EINVAL);
	assert_int_equal(mm_remap(mm, a, P(1), 0xFFFFFFFFu, 0, 0, &out), -ENOMEM);
	assert_int_equal(mm_remap(mm, a, P(1), 0, 0, 0, &out), -EINVAL);
	assert_int_equal(mm_remap(mm, a + 1, P(1), P(1), 0, 0, &out), -EINVAL);
	assert_int_equal(mm_remap(mm, a, 0, P(1), 0, 0, &out), -EINVAL);
	assert_int_equal(mm_remap(mm, BASE + P(20), P(1), P(1), 0, 0, &out), -EFAULT);
	assert_int_equal(mm_remap(mm, a, P(4), P(8), 0, 0, &out), -EFAULT);
	assert_int_equal(mm_remap(mm, a, P(1), P(2), 0, 0, &out), -ENOMEM);
	assert_int_equal(mm_remap(mm, a, P(2), P(3), 0, 0, &out), -ENOMEM);
	assert_int_equal(mm_nr_vmas(mm), 3);
	assert_int_equal(mm_peek(mm, a), 77);

	/* Shrinking unmaps the tail, past the region too. */
	assert_int_equal(mm_remap(mm, a, P(10), P(1), 0, 0, &out), 0);
	assert_int_equal(out, a);
	assert_null(mm_find_vma(mm, a + P(1)));
	assert_null(mm_find_vma(mm, a + P(9)));
	assert_non_null(mm_find_vma(mm, a + P(10)));

	/* Growing in place; a locked region stays one, its pages resident. */
	assert_int_equal(mm_lock(mm, a, P(1), true), 0);
	assert_int_equal(mm_remap(mm, a, P(1), P(4), 0, 0, &out), 0);
	struct vma *v = mm_find_vma(mm, a + P(3));
	assert_non_null(v);
	assert_int_equal(v->start, a);
	assert_int_equal(v->end, a + P(4));
	assert_true(v->flags & VMA_LOCKED);
	assert_int_equal(mm_vma_rss(mm, v), 4);
	assert_int_equal(mm_peek(mm, a), 77);

	/* Limits count the growth. */
	struct mm_usage u;
	mm_get_usage(mm, &u);
	mm->limit_as = (uint64_t)u.vm_size << PAGE_SHIFT;
	assert_int_equal(mm_remap(mm, a, P(4), P(5), 0, 0, &out), -ENOMEM);
	mm->limit_as = UINT64_MAX;
	assert_verified(mm_check(mm));
	mm_destroy(mm);
}

/* mremap flags (include/uapi/linux/mman.h). */
#define MAYMOVE 1u
#define FIXED 2u
#define DONTUNMAP 4u

/*
 * mremap that moves: the pages go with their page-table entries (the
 * same frames, nothing copied), the old range is unmapped or, with
 * MREMAP_DONTUNMAP, left empty; Linux's errors for the moving forms.
 */
static void test_remap_move(void **state)
{
	(void)state;
	struct mm_baseline b = mm_fixture_baseline();
	struct mm *mm = mm_fixture_new();
	vaddr_t out = 0;
	vaddr_t a = map(mm, BASE, P(3), RW, MM_MAP_FIXED);
	map(mm, BASE + P(3), P(1), RO, MM_MAP_FIXED); /* blocks growth */
	for (uint32_t i = 0; i < 3; i++)
		assert_true(mm_poke(mm, a + P(i), 100 + i));
	paddr_t frame = pte_frame(mm_pte(mm, a + P(1)));
	struct mm_usage u;
	mm_get_usage(mm, &u);
	uint32_t rss = u.vm_rss;

	/* Without MREMAP_MAYMOVE it cannot grow; with it, it moves. */
	assert_int_equal(mm_remap(mm, a, P(3), P(6), 0, 0, &out), -ENOMEM);
	assert_int_equal(mm_remap(mm, a, P(3), P(6), MAYMOVE, 0, &out), 0);
	assert_int_not_equal(out, a);
	assert_null(mm_find_vma(mm, a));
	expect_vma(mm, out, out, out + P(6), RW);
	assert_int_equal(pte_frame(mm_pte(mm, out + P(1))), frame);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(mm_peek(mm, out + P(i)), 100 + i);
	mm_get_usage(mm, &u);
	assert_int_equal(u.vm_rss, rss);
	assert_int_equal(mm_peek(mm, out + P(5)), 0); /* new: demand-zero */
	assert_verified(mm_check(mm));

	/* MREMAP_FIXED: onto a mapping, which goes; part of a region. */
	vaddr_t dst = map(mm, BASE + P(40), P(4), RO, MM_MAP_FIXED);
	assert_int_equal(mm_remap(mm, out + P(1), P(2), P(2), MAYMOVE | FIXED,
				  dst + P(1), &out),
			 0);
	assert_int_equal(out, dst + P(1));
	expect_vma(mm, dst, dst, dst + P(1), RO);
	expect_vma(mm, dst + P(1), dst + P(1), dst + P(3), RW);
	assert_int_equal(mm_peek(mm, dst + P(1)), 101);
	assert_int_equal(mm_peek(mm, dst + P(2)), 102);
	assert_verified(mm_check(mm));

	/* Linux's errors for the moving forms. */
	assert_int_equal(mm_remap(mm, dst + P(1), P(1), P(1), FIXED, dst, &out),
			 -EINVAL); /* FIXED without MAYMOVE */
	assert_int_equal(mm_remap(mm, dst + P(1), P(1), P(2), MAYMOVE | DONTUNMAP,
				  0, &out),
			 -EINVAL); /* DONTUNMAP with a new length */
	assert_int_equal(mm_remap(mm, dst + P(1), P(2), P(2), MAYMOVE | FIXED,
				  dst + P(2), &out),
			 -EINVAL); /* overlapping */
	assert_int_equal(mm_remap(mm, dst + P(1), P(1), P(1), MAYMOVE | FIXED,
				  dst + 5, &out),
			 -EINVAL); /* unaligned new_addr */
	assert_int_equal(mm_remap(mm, dst + P(1), P(1), P(1), MAYMOVE | FIXED,
				  KERNEL_VMA - P(1) + P(1), &out),
			 -EINVAL); /* past user space */
	assert_int_equal(mm_remap(mm, BASE + P(90), P(1), P(1), MAYMOVE | FIXED,
				  BASE + P(60), &out),
			 -EFAULT); /* nothing at the old address */
	assert_int_equal(mm_remap(mm, dst + P(1), P(1), P(1), 8, 0, &out),
			 -EINVAL); /* unknown flag */

	/* MREMAP_DONTUNMAP: the old range stays, empty; the pages moved. */
	assert_int_equal(mm_remap(mm, dst + P(1), P(1), P(1), MAYMOVE | DONTUNMAP,
				  0, &out),
			 0);
	assert_int_equal(mm_peek(mm, out), 101);
	assert_non_null(mm_find_vma(mm, dst + P(1)));
	assert_int_equal(mm_pte(mm, dst + P(1)), 0);
	assert_int_equal(mm_peek(mm, dst + P(1)), 0);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	assert_true(mm_fixture_same(b));
}

/*
 * Shared pages: old_len 0 makes a second mapping of the same pages, and
 * a shared region may grow past its object, whose pages past the end are
 * SIGBUS (as Linux's shared memory); moved shared pages stay shared.
 */
static void test_remap_shared(void **state)
{
	(void)state;
	struct mm_baseline b = mm_fixture_baseline();
	struct mm *mm = mm_fixture_new();
	vaddr_t a = 0, out = 0;
	assert_int_equal(mm_map(mm, BASE, P(2), RW, MM_MAP_FIXED | MM_MAP_SHARED,
				VMA_ANON, NULL, &a),
			 0);
	assert_true(mm_poke(mm, a + P(1), 55));
	/* A private region cannot be duplicated. */
	vaddr_t p = map(mm, BASE + P(20), P(1), RW, MM_MAP_FIXED);
	assert_int_equal(mm_remap(mm, p, 0, P(1), MAYMOVE, 0, &out), -EINVAL);

	vaddr_t dup = 0;
	assert_int_equal(mm_remap(mm, a + P(1), 0, P(2), MAYMOVE, 0, &dup), 0);
	assert_non_null(mm_find_vma(mm, a + P(1))); /* still there */
	assert_int_equal(mm_peek(mm, dup), 55);
	assert_true(mm_poke(mm, dup, 56));
	assert_int_equal(mm_peek(mm, a + P(1)), 56);
	/* The second page of the copy is past the object's end. */
	assert_int_equal(mm_touch(mm, dup + P(1), TOUCH_READ | TOUCH_USER, NULL),
			 MM_FAULT_BUS);

	/* A moved shared page is still the same page. */
	assert_int_equal(mm_remap(mm, a, P(2), P(2), MAYMOVE | FIXED,
				  BASE + P(50), &out),
			 0);
	assert_int_equal(out, BASE + P(50));
	assert_int_equal(mm_peek(mm, BASE + P(51)), 56);
	assert_true(mm_poke(mm, BASE + P(51), 57));
	assert_int_equal(mm_peek(mm, dup), 57);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	assert_true(mm_fixture_same(b));
}

/*
 * mremap grows the heap past the break; brk, munmap or mprotect then
 * leave pieces wholly above the break, which are ordinary anonymous
 * memory (not "[heap]"), as on Linux; brk cannot grow into them.
 */
static void test_remap_heap(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	vaddr_t heap0 = 0x08050000, out;
	char buf[1024];
	mm_init_brk(mm, heap0);
	assert_int_equal(mm_brk(mm, heap0 + P(4)), heap0 + P(4));
	assert_int_equal(mm_remap(mm, heap0 + P(3), P(1), P(5), 0, 0, &out), 0);
	struct vma *h = mm_find_vma(mm, heap0 + P(7));
	assert_int_equal(h->kind, VMA_HEAP);
	assert_int_equal(h->end, heap0 + P(8));
	/* brk cannot grow into its own region grown past it. */
	assert_int_equal(mm_brk(mm, heap0 + P(5)), heap0 + P(4));

	/* munmap of a page above the break: the piece above it is anon. */
	assert_int_equal(mm_unmap(mm, heap0 + P(6), P(1)), 0);
	assert_int_equal(mm_find_vma(mm, heap0 + P(7))->kind, VMA_ANON);
	assert_int_equal(mm_find_vma(mm, heap0 + P(5))->kind, VMA_HEAP);
	/* brk down by two pages: what is left above it is anon. */
	assert_int_equal(mm_brk(mm, heap0 + P(2)), heap0 + P(2));
	assert_int_equal(mm_find_vma(mm, heap0 + P(1))->kind, VMA_HEAP);
	assert_int_equal(mm_find_vma(mm, heap0 + P(5))->kind, VMA_ANON);
	assert_null(mm_find_vma(mm, heap0 + P(3)));
	mm_format_maps(mm, buf, sizeof(buf));
	assert_int_equal(strstr(buf, "[heap]"), strrchr(buf, '['));
	/* brk may not come within a page of them. */
	assert_int_equal(mm_brk(mm, heap0 + P(4)), heap0 + P(2));
	assert_int_equal(mm_brk(mm, heap0 + P(3)), heap0 + P(3));
	assert_int_equal(mm_find_vma(mm, heap0 + P(2))->kind, VMA_HEAP);
	assert_verified(mm_check(mm));
	/* Back to the start: only the heap goes. */
	assert_int_equal(mm_brk(mm, heap0), heap0);
	assert_null(mm_find_vma(mm, heap0));
	assert_int_equal(mm_nr_vmas(mm), 2);
	assert_verified(mm_check(mm));
	mm_destroy(mm);
}

/* brk: lazy growth, shrinking frees, Linux's failure rules. */
static void test_brk(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *mm = mm_fixture_new();
	/* The program's bss ends in the middle of a page. */
	map(mm, 0x08048000, P(2), RW, MM_MAP_FIXED);
	vaddr_t start = 0x08048000 + P(1) + 0x234;
	mm_init_brk(mm, start);
	assert_int_equal(mm_brk(mm, 0), start);

	/* Within the bss's last page: no region needed. */
	assert_int_equal(mm_brk(mm, start + 100), start + 100);
	assert_int_equal(mm_nr_vmas(mm), 1);
	/* Grow by 3 pages: a heap region, no pages yet. */
	vaddr_t heap0 = 0x08048000 + P(2);
	assert_int_equal(mm_brk(mm, heap0 + P(3) - 5), heap0 + P(3) - 5);
	assert_int_equal(mm_nr_vmas(mm), 2);
	struct vma *h = mm_find_vma(mm, heap0);
	assert_non_null(h);
	assert_int_equal(h->kind, VMA_HEAP);
	assert_int_equal(h->end, heap0 + P(3));
	assert_int_equal(mm->rss, 0);
	for (int p = 0; p < 3; p++)
		assert_true(mm_poke(mm, heap0 + P(p), 0xAB00 + p));
	assert_int_equal(mm->rss, 3);
	/* Growing again extends the same region. */
	assert_int_equal(mm_brk(mm, heap0 + P(5)), heap0 + P(5));
	assert_int_equal(mm_nr_vmas(mm), 2);
	assert_int_equal(mm_find_vma(mm, heap0 + P(4))->start, heap0);

	/* Shrink to one page: two pages freed. */
	uint32_t used = mm_fixture_baseline().user_pages;
	assert_int_equal(mm_brk(mm, heap0 + 10), heap0 + 10);
	assert_int_equal(mm->rss, 1);
	assert_int_equal(mm_fixture_baseline().user_pages, used - 2);
	assert_int_equal(mm_find_vma(mm, heap0)->end, heap0 + P(1));
	assert_int_equal(mm_touch(mm, heap0 + P(1), TOUCH_USER, NULL),
			 MM_FAULT_UNMAPPED);
	/* Regrown pages are fresh zeros; the kept page kept its data. */
	assert_int_equal(mm_brk(mm, heap0 + P(3)), heap0 + P(3));
	assert_int_equal(mm_peek(mm, heap0 + P(2)), 0);
	assert_int_equal(mm_peek(mm, heap0), 0xAB00);

	/* Below the start: refused, the break stays. */
	assert_int_equal(mm_brk(mm, start - 1), heap0 + P(3));
	/* Back to the start: the heap region goes. */
	assert_int_equal(mm_brk(mm, start), start);
	assert_int_equal(mm_nr_vmas(mm), 1);

	/* Into another region (and the page kept free before it): refused. */
	map(mm, heap0 + P(8), P(1), RO, MM_MAP_FIXED);
	assert_int_equal(mm_brk(mm, heap0 + P(8) + 4), start);
	assert_int_equal(mm_brk(mm, heap0 + P(7) + 4), start);
	assert_int_equal(mm_brk(mm, heap0 + P(7)), heap0 + P(7));
	assert_int_equal(mm_brk(mm, KERNEL_VMA + 5), heap0 + P(7));

	/* RLIMIT_DATA: the bss's two pages plus the heap's seven. */
	assert_int_equal(mm_unmap(mm, heap0 + P(8), P(1)), 0);
	mm->limit_data = P(2 + 7);
	assert_int_equal(mm_brk(mm, heap0 + P(7) + 1), heap0 + P(7));
	mm->limit_data = P(2 + 8);
	assert_int_equal(mm_brk(mm, heap0 + P(8)), heap0 + P(8));
	assert_int_equal(mm_brk(mm, heap0 + P(9)), heap0 + P(8));
	/* RLIMIT_AS too. */
	mm->limit_data = UINT64_MAX;
	mm->limit_as = P(2 + 9);
	assert_int_equal(mm_brk(mm, heap0 + P(9)), heap0 + P(9));
	assert_int_equal(mm_brk(mm, heap0 + P(10)), heap0 + P(9));
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	assert_true(mm_fixture_same(base));
}

/* A heap that was never set up stays at 0. */
static void test_brk_unset(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	assert_int_equal(mm_brk(mm, 0x09000000), 0);
	assert_int_equal(mm_nr_vmas(mm), 0);
	mm_destroy(mm);
}

/* The stack region, mmap_base below its reserve and the guard gap. */
static void test_setup_stack(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm->limit_stack = 2u << 20;
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(3)), 0);
	struct vma *s = mm_find_vma(mm, MM_STACK_TOP - 1);
	assert_non_null(s);
	assert_int_equal(s->kind, VMA_STACK);
	assert_true(s->flags & VMA_GROWSDOWN);
	assert_int_equal(s->start, MM_STACK_TOP - P(3));
	assert_int_equal(s->prot, RW);
	assert_int_equal(mm->mmap_base,
			 MM_STACK_TOP - (2u << 20) - MM_STACK_GAP);
	/* A hint inside the guard gap below the stack is not taken. */
	assert_int_equal(map(mm, MM_STACK_TOP - P(3) - P(1), P(1), RO, 0),
			 mm->mmap_base - P(1));
	/* A second stack there: the range is taken. */
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(1)), -EINVAL);
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP - 1, P(1)), -EINVAL);
	mm_destroy(mm);

	/* An unlimited stack reserves MM_STACK_MAX_RESERVE. */
	mm = mm_fixture_new();
	mm->limit_stack = UINT64_MAX;
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(1)), 0);
	assert_int_equal(mm->mmap_base,
			 MM_STACK_TOP - MM_STACK_MAX_RESERVE - MM_STACK_GAP);
	mm_destroy(mm);

	/* An initial stack larger than the limit. */
	mm = mm_fixture_new();
	mm->limit_stack = P(4);
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(5)), -ENOMEM);
	mm_destroy(mm);
}

/* Builds the line Linux prints, padding included. */
static void linux_line(char *out, size_t size, vaddr_t s, vaddr_t e,
		       const char *perms, uint64_t off, unsigned int maj,
		       unsigned int min, unsigned long ino, const char *name)
{
	int n = snprintf(out, size, "%08lx-%08lx %s %08llx %02x:%02x %lu ",
			 (unsigned long)s, (unsigned long)e, perms,
			 (unsigned long long)off, maj, min, ino);
	if (name && *name)
		snprintf(out + n, size - n, "%*s%s\n", n < 72 ? 73 - n : 1, "",
			 name);
	else
		snprintf(out + n, size - n, "\n");
}

/* The maps text, line by line, exactly as Linux formats it. */
static void test_format_maps(void **state)
{
	(void)state;
	static const uint8_t image[3 * 4096];
	struct mm *mm = mm_fixture_new();
	vaddr_t a;
	struct vma_file text = { image,	      sizeof(image), 0, P(2),
				 "/bin/prog", 1234,	     0, NULL };
	struct vma_file data = { image,	      sizeof(image), P(2), 100,
				 "/bin/prog", 1234,	     0, NULL };
	assert_int_equal(mm_map(mm, 0x08048000, P(2), RX, MM_MAP_FIXED,
				VMA_FILE, &text, &a),
			 0);
	assert_int_equal(mm_map(mm, 0x0804A000, P(1), RW, MM_MAP_FIXED,
				VMA_FILE, &data, &a),
			 0);
	map(mm, 0x0804B000, P(2), RW, MM_MAP_FIXED);
	mm_init_brk(mm, 0x0804D000);
	assert_int_equal(mm_brk(mm, 0x0804F000), 0x0804F000);
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(2)), 0);
	vaddr_t anon = map(mm, 0, P(1), 0, 0);
	vaddr_t shared;
	assert_int_equal(mm_map(mm, 0, P(2), RW, MM_MAP_SHARED, VMA_ANON, NULL,
				&shared),
			 0);
	int id = shm_get(0x1234, P(1), IPC_CREAT | 0600);
	assert_true(id >= 0);
	vaddr_t sysv;
	assert_int_equal(shm_attach(mm, id, 0, SHM_RDONLY, &sysv), 0);
	unsigned long anon_ino = mm_find_vma(mm, shared)->shm->ino;

	char expect[2048], line[256];
	size_t len = 0;
	struct {
		vaddr_t s, e;
		const char *perms;
		uint64_t off;
		unsigned int maj, min;
		unsigned long ino;
		const char *name;
	} lines[] = {
		{ 0x08048000, 0x0804A000, "r-xp", 0, 0, 0, 1234, "/bin/prog" },
		{ 0x0804A000, 0x0804B000, "rw-p", P(2), 0, 0, 1234,
		  "/bin/prog" },
		{ 0x0804B000, 0x0804D000, "rw-p", 0, 0, 0, 0, "" },
		{ 0x0804D000, 0x0804F000, "rw-p", 0, 0, 0, 0, "[heap]" },
		{ sysv, sysv + P(1), "r--s", 0, 0, 1, (unsigned long)id,
		  "/SYSV00001234" },
		{ shared, shared + P(2), "rw-s", 0, 0, 1, anon_ino,
		  "/dev/zero (deleted)" },
		{ anon, anon + P(1), "---p", 0, 0, 0, 0, "" },
		{ MM_STACK_TOP - P(2), MM_STACK_TOP, "rw-p", 0, 0, 0, 0,
		  "[stack]" },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		linux_line(line, sizeof(line), lines[i].s, lines[i].e,
			   lines[i].perms, lines[i].off, lines[i].maj,
			   lines[i].min, lines[i].ino, lines[i].name);
		len += (size_t)snprintf(expect + len, sizeof(expect) - len,
					"%s", line);
	}
	char buf[2048];
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mm_format_maps(mm, buf, sizeof(buf)), len);
	assert_string_equal(buf, expect);
	/* A spot check of the padding against a line copied from Linux. */
	assert_non_null(strstr(buf,
			       "0804d000-0804f000 rw-p 00000000 00:00 0"
			       "                                  [heap]\n"));
	assert_non_null(strstr(buf, "rw-p 00000000 00:00 0 \n"));

	/* Cut: whole lines only, NUL-terminated, full length returned. */
	size_t first = strchr(expect, '\n') - expect + 1;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mm_format_maps(mm, buf, first + 10), len);
	assert_int_equal(strlen(buf), first);
	assert_int_equal(mm_format_maps(mm, buf, first), len);
	assert_int_equal(strlen(buf), 0);
	assert_int_equal(mm_format_maps(mm, NULL, 0), len);

	/* Removed: Linux marks the name. */
	assert_int_equal(shm_remove(id), 0);
	mm_format_maps(mm, buf, sizeof(buf));
	assert_non_null(strstr(buf, "/SYSV00001234 (deleted)\n"));
	mm_destroy(mm);
}

/*
 * A file region with a long path: the maps line carries the whole path
 * (Linux prints it whole), the smaps entry starts with that same line and
 * has only its fields after it, and the text is cut by whole entries.
 */
static void test_format_long_path(void **state)
{
	(void)state;
	static const uint8_t image[4096];
	char path[301], line[512], buf[8192], small[1024];
	struct mm *mm = mm_fixture_new();
	vaddr_t a;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	struct vma_file f = { image, sizeof(image), 0, P(1), path, 77, 0x0001, NULL };
	assert_int_equal(mm_map(mm, 0x08048000, P(1), RO, MM_MAP_FIXED,
				VMA_FILE, &f, &a),
			 0);
	map(mm, 0x08050000, P(1), RW, MM_MAP_FIXED);
	linux_line(line, sizeof(line), 0x08048000, 0x08049000, "r--p", 0, 0, 1,
		   77, path);

	size_t len = mm_format_maps(mm, buf, sizeof(buf));
	assert_int_equal(len, strlen(buf));
	assert_int_equal(strncmp(buf, line, strlen(line)), 0);

	memset(buf, 'x', sizeof(buf));
	len = mm_format_smaps(mm, buf, sizeof(buf));
	assert_int_equal(len, strlen(buf));
	assert_int_equal(strncmp(buf, line, strlen(line)), 0);
	const char *fields = buf + strlen(line);
	assert_int_equal(strncmp(fields, "Size:", 5), 0);
	/* The entry ends where the next region's line starts. */
	const char *second = strstr(fields, "08050000-08051000 rw-p ");
	assert_non_null(second);
	for (const char *l = fields; l < second; l = strchr(l, '\n') + 1)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ", l[0]));
	size_t first = (size_t)(second - buf);

	/* Cut: whole entries, NUL-terminated, the full length returned. */
	memset(small, 'x', sizeof(small));
	assert_true(first < sizeof(small) && len > sizeof(small));
	assert_int_equal(mm_format_smaps(mm, small, first + 1), len);
	assert_int_equal(strlen(small), first);
	assert_int_equal(mm_format_smaps(mm, small, first), len);
	assert_int_equal(strlen(small), 0);
	assert_int_equal(mm_format_smaps(mm, NULL, 0), len);
	mm_destroy(mm);
}

/* /proc/PID/status figures. */
static void test_usage(void **state)
{
	(void)state;
	static const uint8_t image[4096];
	struct mm *mm = mm_fixture_new();
	vaddr_t a;
	struct vma_file text = { image, sizeof(image), 0, P(1), "/p", 1, 0, NULL };
	assert_int_equal(mm_map(mm, 0x08048000, P(3), RX, MM_MAP_FIXED,
				VMA_FILE, &text, &a),
			 0);
	map(mm, 0x08050000, P(5), RW, MM_MAP_FIXED);
	map(mm, 0, P(7), RW, MM_MAP_SHARED);
	map(mm, 0, P(2), RO, 0);
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(4)), 0);
	assert_true(mm_poke(mm, 0x08050000, 1));
	assert_true(mm_poke(mm, MM_STACK_TOP - 4, 1));
	assert_int_equal(mm_peek(mm, 0x08048000), 0);
	struct mm_usage u;
	mm_get_usage(mm, &u);
	assert_int_equal(u.vm_size, 3 + 5 + 7 + 2 + 4);
	assert_int_equal(u.vm_rss, 3);
	assert_int_equal(u.vm_data, 5);
	assert_int_equal(u.vm_stk, 4);
	assert_int_equal(u.vm_exe, 3);
	assert_int_equal(u.vm_swap, 0);
	uint32_t sum = 0;
	for (struct vma *v = mm_next_vma(mm, NULL); v; v = mm_next_vma(mm, v))
		sum += mm_vma_rss(mm, v);
	assert_int_equal(sum, 3);
	assert_int_equal(mm_vma_rss(mm, mm_find_vma(mm, 0x08050000)), 1);
	mm_fixture_destroy(mm);
}

/*
 * Random operations on a window of pages, checked against a model after
 * every step: the regions (maximal runs of mapped pages with the same
 * protection, since adjacent identical anonymous regions merge, unless
 * they belong to different anonymous families), every
 * page's contents, rss, and mm_check(). MM_SEED=<n> replays a run.
 */
#define WIN_PAGES 48
struct model_page {
	bool mapped;
	uint32_t prot;
	bool resident;
	uint32_t value;
};

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33) % n;
}

static void check_model(struct mm *mm, const struct model_page *m)
{
	uint32_t rss = 0;
	for (int p = 0; p < WIN_PAGES; p++) {
		struct vma *v = mm_find_vma(mm, BASE + P(p));
		assert_int_equal(v != NULL, m[p].mapped);
		rss += m[p].resident;
		if (!v)
			continue;
		assert_int_equal(v->prot, m[p].prot);
		/* Region bounds: the maximal run around p. */
		int s = p, e = p;
		while (s > 0 && m[s - 1].mapped && m[s - 1].prot == m[p].prot)
			s--;
		while (e < WIN_PAGES - 1 && m[e + 1].mapped &&
		       m[e + 1].prot == m[p].prot)
			e++;
		/*
		 * The region lies within the run, and ends short of it only
		 * where regions of two anonymous families meet (their pages
		 * keep their families, so they cannot become one region).
		 */
		assert_true(v->start >= BASE + P(s));
		assert_true(v->end <= BASE + P(e + 1));
		if (v->start > BASE + P(s)) {
			struct vma *u = mm_find_vma(mm, v->start - PAGE_SIZE);
			assert_non_null(u);
			assert_true(u->family && v->family &&
				    u->family != v->family);
		}
		if (v->end < BASE + P(e + 1)) {
			struct vma *u = mm_find_vma(mm, v->end);
			assert_non_null(u);
			assert_true(u->family && v->family &&
				    u->family != v->family);
		}
		assert_int_equal(mm_pte(mm, BASE + P(p)) & PTE_P,
				 m[p].resident ? PTE_P : 0);
	}
	assert_int_equal(mm->rss, rss);
	assert_verified(mm_check(mm));
}

static void test_random_against_model(void **state)
{
	(void)state;
	static const uint32_t prots[] = { RW, RO, 0, RX, RW | MM_PROT_EXEC };
	struct model_page m[WIN_PAGES];
	const char *env = getenv("MM_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	const char *steps_env = getenv("MM_STEPS");
	int steps = steps_env ? atoi(steps_env) : 3000;
	uint32_t counter = 1;

	printf("# test_random_against_model: MM_SEED=%llu\n",
	       (unsigned long long)seed);
	rng_state = seed;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *mm = mm_fixture_new();
	memset(m, 0, sizeof(m));
	for (int step = 0; step < steps; step++) {
		uint32_t op = rnd(10);
		int first = (int)rnd(WIN_PAGES);
		int count =
			1 +
			(int)rnd(WIN_PAGES - first < 8 ? WIN_PAGES - first : 8);
		uint32_t prot = prots[rnd(5)];
		vaddr_t va = BASE + P(first);
		bool all_mapped = true;
		for (int p = first; p < first + count; p++)
			all_mapped &= m[p].mapped;

		if (op == 0 || op == 1) {
			map(mm, va, P(count), prot, MM_MAP_FIXED);
			for (int p = first; p < first + count; p++)
				m[p] = (struct model_page){ true, prot, false,
							    0 };
		} else if (op == 2) {
			assert_int_equal(mm_unmap(mm, va, P(count)), 0);
			for (int p = first; p < first + count; p++)
				m[p] = (struct model_page){ 0 };
		} else if (op == 3) {
			int r = mm_protect(mm, va, P(count), prot);
			assert_int_equal(r, all_mapped ? 0 : -ENOMEM);
			for (int p = first; all_mapped && p < first + count;
			     p++)
				m[p].prot = prot;
		} else if (op == 4) {
			int r = mm_dontneed(mm, va, P(count));
			assert_int_equal(r, all_mapped ? 0 : -ENOMEM);
			for (int p = first; p < first + count; p++) {
				m[p].resident = false;
				m[p].value = 0;
			}
		} else {
			/* An access by user code to one page. */
			bool write = op >= 7;
			struct model_page *mp = &m[first];
			int expect = !mp->mapped ? MM_FAULT_UNMAPPED
				     : !mp->prot ? MM_FAULT_PROTECTION
				     : write && !(mp->prot & MM_PROT_WRITE)
					     ? MM_FAULT_PROTECTION
					     : MM_FAULT_OK;
			paddr_t pa;
			int r = mm_touch(mm, va + 4 * rnd(1024),
					 TOUCH_USER | (write ? TOUCH_WRITE : 0),
					 &pa);
			assert_int_equal(r, expect);
			if (r == MM_FAULT_OK) {
				uint32_t *w = (uint32_t *)(host_ram +
							   (pa & PAGE_MASK));
				assert_int_equal(w[7], mp->value);
				if (write) {
					mp->value = counter++;
					w[7] = mp->value;
				}
				mp->resident = true;
			}
		}
		check_model(mm, m);
	}
	mm_fixture_destroy(mm);
	assert_true(mm_fixture_same(base));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_destroy, mm_fixture_boot),
		cmocka_unit_test_setup(test_map_topdown, mm_fixture_boot),
		cmocka_unit_test_setup(test_map_hint, mm_fixture_boot),
		cmocka_unit_test_setup(test_map_fixed_replaces,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_map_errors, mm_fixture_boot),
		cmocka_unit_test_setup(test_map_no_room, mm_fixture_boot),
		cmocka_unit_test_setup(test_rlimit_as, mm_fixture_boot),
		cmocka_unit_test_setup(test_rlimit_data, mm_fixture_boot),
		cmocka_unit_test_setup(test_unmap_matrix, mm_fixture_boot),
		cmocka_unit_test_setup(test_unmap_span, mm_fixture_boot),
		cmocka_unit_test_setup(test_protect, mm_fixture_boot),
		cmocka_unit_test_setup(test_dontneed, mm_fixture_boot),
		cmocka_unit_test_setup(test_dontneed_locked, mm_fixture_boot),
		cmocka_unit_test_setup(test_remap_move, mm_fixture_boot),
		cmocka_unit_test_setup(test_remap_shared, mm_fixture_boot),
		cmocka_unit_test_setup(test_remap, mm_fixture_boot),
		cmocka_unit_test_setup(test_remap_heap, mm_fixture_boot),
		cmocka_unit_test_setup(test_brk, mm_fixture_boot),
		cmocka_unit_test_setup(test_brk_unset, mm_fixture_boot),
		cmocka_unit_test_setup(test_setup_stack, mm_fixture_boot),
		cmocka_unit_test_setup(test_format_maps, mm_fixture_boot),
		cmocka_unit_test_setup(test_format_long_path, mm_fixture_boot),
		cmocka_unit_test_setup(test_usage, mm_fixture_boot),
		cmocka_unit_test_setup(test_random_against_model,
				       mm_fixture_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
