/*
 * tests/kernel/test_vma.c - regions of an address space on the real MMU.
 *
 * The host units (tests/host/test_vma.c) cover the region operations in
 * depth against a model; here the CPU itself checks the page tables they
 * leave: the kernel loads an address space and touches its user pages
 * (mm_touch.h), so a stale TLB entry or a wrong PTE shows up as a wrong
 * value or a missing fault. Every case ends with every frame and heap
 * object given back.
 */
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "tests/kernel/mm_touch.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define RO MM_PROT_READ
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x20000000u

static uint32_t peek(vaddr_t va)
{
	uint32_t v = 0xFFFFFFFF;
	mm_touch_read(va, &v);
	return v;
}

/* Regions come and go; the pages behind them are freed on the spot. */
static void map_unmap_no_leak(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	struct mm *mm;
	vaddr_t a;

	mm_touch_snapshot(&snap);
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t,
		     mm_map(mm, BASE, P(64), RW, MM_MAP_FIXED, VMA_ANON, NULL,
			    &a),
		     0);
	mm_touch_enter(mm);
	for (int p = 0; p < 64; p++)
		KT_EXPECT_EQ(t, mm_touch_write(BASE + P(p), 0x5000 + p),
			     MM_FAULT_OK);
	KT_EXPECT_EQ(t, mm->rss, 64);
	KT_EXPECT_EQ(t, mm_unmap(mm, BASE + P(16), P(32)), 0);
	KT_EXPECT_EQ(t, mm->rss, 32);
	/* The CPU must not reach the unmapped pages any more. */
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(20), &a), MM_FAULT_UNMAPPED);
	KT_EXPECT_EQ(t, peek(BASE + P(15)), 0x5000 + 15);
	KT_EXPECT_EQ(t, peek(BASE + P(48)), 0x5000 + 48);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_touch_leave();
	mm_destroy(mm);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* Protection changes reach the CPU: writes refused, data kept, merge back. */
static void protect_split_merge(struct ktest *t)
{
	struct mm *mm;
	vaddr_t a;

	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(
		t, mm_map(mm, BASE, P(8), RW, MM_MAP_FIXED, VMA_ANON, NULL, &a),
		0);
	mm_touch_enter(mm);
	for (int p = 0; p < 8; p++)
		KT_EXPECT_EQ(t, mm_touch_write(BASE + P(p), p), MM_FAULT_OK);
	KT_EXPECT_EQ(t, mm_protect(mm, BASE + P(2), P(3), RO), 0);
	struct vma *v = mm_find_vma(mm, BASE + P(3));
	KT_ASSERT(t, v != NULL);
	KT_EXPECT_EQ(t, v->start, BASE + P(2));
	KT_EXPECT_EQ(t, v->end, BASE + P(5));
	/* The TLB held writable entries: they must be gone (CR0.WP). */
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(3), 99), MM_FAULT_PROTECTION);
	KT_EXPECT_EQ(t, peek(BASE + P(3)), 3);
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(5), 55), MM_FAULT_OK);
	KT_EXPECT_EQ(t, mm_protect(mm, BASE, P(8), RW), 0);
	v = mm_find_vma(mm, BASE + P(3));
	KT_EXPECT(t, v && v->start == BASE && v->end == BASE + P(8));
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(3), 33), MM_FAULT_OK);
	KT_EXPECT_EQ(t, peek(BASE + P(3)), 33);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_touch_leave();
	mm_destroy(mm);
}

/* Placement: top-down below mmap_base, hints, fixed replacement. */
static void placement(struct ktest *t)
{
	struct mm *mm;
	vaddr_t a, b;

	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t, mm_setup_stack(mm, MM_STACK_TOP, P(2)), 0);
	KT_ASSERT_EQ(t, mm_map(mm, 0, P(3), RO, 0, VMA_ANON, NULL, &a), 0);
	KT_EXPECT_EQ(t, a, mm->mmap_base - P(3));
	KT_ASSERT_EQ(t, mm_map(mm, BASE, P(1), RW, 0, VMA_ANON, NULL, &b), 0);
	KT_EXPECT_EQ(t, b, BASE);
	KT_ASSERT_EQ(t, mm_map(mm, BASE, P(1), RW, 0, VMA_ANON, NULL, &b), 0);
	KT_EXPECT_EQ(t, b, a - P(1));
	mm_touch_enter(mm);
	KT_EXPECT_EQ(t, mm_touch_write(BASE, 7), MM_FAULT_OK);
	KT_ASSERT_EQ(
		t, mm_map(mm, BASE, P(1), RW, MM_MAP_FIXED, VMA_ANON, NULL, &b),
		0);
	/* Replaced: a new, zero page. */
	KT_EXPECT_EQ(t, peek(BASE), 0);
	mm->limit_as = (uint64_t)P(64);
	KT_EXPECT_EQ(t, mm_map(mm, 0, P(64), RW, 0, VMA_ANON, NULL, &b),
		     -ENOMEM);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_touch_leave();
	mm_destroy(mm);
}

/* brk: lazy growth, shrinking gives frames back, refusals keep the break. */
static void brk_heap(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	struct mm *mm;
	vaddr_t a;

	mm_touch_snapshot(&snap);
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t,
		     mm_map(mm, 0x08048000, P(1), RW, MM_MAP_FIXED, VMA_ANON,
			    NULL, &a),
		     0);
	mm_init_brk(mm, 0x08049000);
	KT_EXPECT_EQ(t, mm_brk(mm, 0x08049000 + P(16)), 0x08049000 + P(16));
	KT_EXPECT_EQ(t, mm->rss, 0);
	mm_touch_enter(mm);
	for (int p = 0; p < 16; p++)
		KT_EXPECT_EQ(t, mm_touch_write(0x08049000 + P(p), p),
			     MM_FAULT_OK);
	KT_EXPECT_EQ(t, mm->rss, 16);
	struct mm_touch_snapshot mid;
	mm_touch_snapshot(&mid);
	KT_EXPECT_EQ(t, mm_brk(mm, 0x08049000 + P(4)), 0x08049000 + P(4));
	KT_EXPECT_EQ(t, mm->rss, 4);
	struct mm_touch_snapshot after;
	mm_touch_snapshot(&after);
	KT_EXPECT_EQ(t, after.free_pages, mid.free_pages + 12);
	KT_EXPECT_EQ(t, mm_touch_read(0x08049000 + P(5), &a),
		     MM_FAULT_UNMAPPED);
	KT_EXPECT_EQ(t, mm_brk(mm, 0x08048000), 0x08049000 + P(4));
	KT_EXPECT_EQ(t, peek(0x08049000 + P(3)), 3);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_touch_leave();
	mm_destroy(mm);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* The maps text: one line per region, names at column 73 as on Linux. */
static void maps_text(struct ktest *t)
{
	static char buf[1024];
	struct mm *mm;
	vaddr_t a;

	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t,
		     mm_map(mm, 0x08048000, P(1), RW, MM_MAP_FIXED, VMA_ANON,
			    NULL, &a),
		     0);
	mm_init_brk(mm, 0x08049000);
	mm_brk(mm, 0x0804A000);
	KT_ASSERT_EQ(t, mm_setup_stack(mm, MM_STACK_TOP, P(1)), 0);
	size_t n = mm_format_maps(mm, buf, sizeof(buf));
	KT_ASSERT_EQ(t, n, strlen(buf));
	const char *want = "08048000-08049000 rw-p 00000000 00:00 0 \n"
			   "08049000-0804a000 rw-p 00000000 00:00 0"
			   "                                  [heap]\n"
			   "bffff000-c0000000 rw-p 00000000 00:00 0"
			   "                                  [stack]\n";
	KT_EXPECT_EQ(t, strcmp(buf, want), 0);
	mm_destroy(mm);
}

/* Fork on the real MMU: both sides read the same, writes stay apart. */
static void fork_isolation(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	struct mm *parent, *child;
	vaddr_t a;

	mm_touch_snapshot(&snap);
	KT_ASSERT_EQ(t, mm_create(&parent), 0);
	KT_ASSERT_EQ(t,
		     mm_map(parent, BASE, P(16), RW, MM_MAP_FIXED, VMA_ANON,
			    NULL, &a),
		     0);
	mm_touch_enter(parent);
	for (int p = 0; p < 16; p++)
		KT_EXPECT_EQ(t, mm_touch_write(BASE + P(p), p), MM_FAULT_OK);
	uint64_t copies = vm_events.cow_copies;
	/* Forking the loaded space: its writable TLB entries must go. */
	KT_ASSERT_EQ(t, mm_fork(parent, &child), 0);
	KT_EXPECT_EQ(t, vm_events.cow_copies, copies);
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(1), 100), MM_FAULT_OK);
	KT_EXPECT_EQ(t, vm_events.cow_copies, copies + 1);
	mm_touch_enter(child);
	KT_EXPECT_EQ(t, peek(BASE + P(1)), 1);
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(2), 200), MM_FAULT_OK);
	/* The child was the last sharer of page 1: it reuses it. */
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(1), 201), MM_FAULT_OK);
	KT_EXPECT_EQ(t, vm_events.cow_copies, copies + 2);
	mm_touch_enter(parent);
	KT_EXPECT_EQ(t, peek(BASE + P(1)), 100);
	KT_EXPECT_EQ(t, peek(BASE + P(2)), 2);
	KT_EXPECT_EQ(t, peek(BASE + P(15)), 15);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, mm_check(child), 0);
	mm_touch_leave();
	mm_destroy(parent);
	mm_destroy(child);
	KT_EXPECT(t, mm_touch_same(&snap));
}

static const struct ktest_case vma_cases[] = {
	KTEST_CASE(map_unmap_no_leak), KTEST_CASE(protect_split_merge),
	KTEST_CASE(placement),	       KTEST_CASE(brk_heap),
	KTEST_CASE(maps_text),	       KTEST_CASE(fork_isolation),
};

KTEST_SUITE(vma, vma_cases);
