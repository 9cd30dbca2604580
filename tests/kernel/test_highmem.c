/*
 * tests/kernel/test_highmem.c - the highmem zone and the temporary kernel
 * mappings (mm/highmem.h) on the real MMU.
 *
 * What the host tests cannot see, since their C code reaches every frame
 * through the fake RAM: that a kmap slot really maps the frame asked for,
 * that releasing a slot invalidates its TLB entry (the next frame mapped
 * there is read, not the previous one), and that user pages in highmem
 * read the same through the user's own mapping (the CPU) and through
 * kmap (mm_read, eviction to swap, copy-on-write copies). The tests that
 * need highmem skip on a machine without it: boot with more than 768 MiB
 * or with lowmem= (tests/run.py does both).
 */
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "mm/vmscan.h"
#include "tests/kernel/mm_touch.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x30000000u
#define NPAGES 16

static struct pmm_stats stats(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st;
}

static bool is_high(const struct page *pg)
{
	return pg && (pg->flags & PG_HIGHMEM) &&
	       page_to_phys(pg) >= lowmem_limit;
}

/* A highmem frame for a test, or NULL (then the test skips). */
static struct page *high_page(void)
{
	struct page *pg = alloc_page(GFP_HIGHUSER);
	if (pg && !is_high(pg)) {
		put_page(pg);
		return NULL;
	}
	return pg;
}

/* Lowmem pages are their direct-map address; no slot is used. */
static void lowmem_is_direct(struct ktest *t)
{
	struct page *pg = alloc_page(GFP_KERNEL);
	KT_ASSERT(t, pg);
	unsigned int d0 = kmap_depth();
	void *p = kmap_atomic(pg);
	KT_EXPECT(t, p == page_address(pg));
	KT_EXPECT_EQ(t, kmap_depth(), d0);
	kunmap_atomic(p);
	KT_EXPECT_EQ(t, kmap_depth(), d0);
	free_page(pg);
}

/* The zone's counters and lowmem's stay apart; the zone checks out. */
static void zone_counters(struct ktest *t)
{
	struct pmm_stats st = stats();
	if (!st.highmem_managed_pages)
		KT_SKIP(t, "no highmem");
	KT_EXPECT_EQ(t, st.lowmem_limit_pages, lowmem_limit >> PAGE_SHIFT);
	struct page *pg = high_page();
	KT_ASSERT(t, pg);
	KT_EXPECT_EQ(t, pg->flags, PG_HIGHMEM | PG_HEAD | PG_USER);
	KT_EXPECT_EQ(t, stats().highmem_free_pages, st.highmem_free_pages - 1);
	KT_EXPECT_EQ(t, stats().user_pages, st.user_pages + 1);
	/* A kernel allocation never comes from highmem. */
	struct page *k = alloc_page(GFP_KERNEL);
	KT_ASSERT(t, k);
	KT_EXPECT(t, page_to_phys(k) < lowmem_limit);
	free_page(k);
	put_page(pg);
	KT_EXPECT_EQ(t, stats().highmem_free_pages, st.highmem_free_pages);
	KT_EXPECT_EQ(t, highmem_verify(), 0);
	KT_EXPECT_EQ(t, pmm_verify(), 0);
}

/*
 * A slot maps exactly the frame asked for, and its release invalidates
 * the TLB entry: frame B mapped in the slot A just left reads as B.
 */
static void slot_maps_frame(struct ktest *t)
{
	struct page *a = high_page(), *b = high_page();
	if (!a || !b) {
		if (a)
			put_page(a);
		KT_SKIP(t, "no highmem");
	}
	unsigned int d0 = kmap_depth();
	uint32_t *pa = kmap_atomic(a);
	vaddr_t va = (vaddr_t)(uintptr_t)pa;
	KT_EXPECT(t, va >= KMAP_BASE && va < KMAP_BASE + P(KMAP_SLOTS));
	KT_EXPECT_EQ(t, kmap_depth(), d0 + 1);
	paddr_t got = 0;
	KT_EXPECT_EQ(t, vm_translate(&kernel_space, va, &got, NULL), 0);
	KT_EXPECT_EQ(t, got, page_to_phys(a));
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		pa[i] = 0xA0000000u + i;
	kunmap_atomic(pa);
	KT_EXPECT_EQ(t, kmap_depth(), d0);
	KT_EXPECT(t, vm_translate(&kernel_space, va, &got, NULL) != 0);

	uint32_t *pb = kmap_atomic(b);
	KT_EXPECT_EQ(t, (vaddr_t)(uintptr_t)pb, va); /* the same slot */
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		pb[i] = 0xB0000000u + i;
	KT_EXPECT_EQ(t, pb[7], 0xB0000007u);
	kunmap_atomic(pb);
	pa = kmap_atomic(a);
	KT_EXPECT_EQ(t, pa[7], 0xA0000007u);
	KT_EXPECT_EQ(t, pa[PAGE_SIZE / 4 - 1], 0xA0000000u + PAGE_SIZE / 4 - 1);
	kunmap_atomic(pa);
	put_page(a);
	put_page(b);
}

/* Mappings nest: distinct slots, released in reverse order. */
static void nested_slots(struct ktest *t)
{
	struct page *pg[4] = { 0 };
	uint32_t *p[4];
	for (int i = 0; i < 4; i++) {
		pg[i] = high_page();
		if (!pg[i]) {
			for (int j = 0; j < i; j++)
				put_page(pg[j]);
			KT_SKIP(t, "no highmem");
		}
	}
	unsigned int d0 = kmap_depth();
	uint64_t n0 = kmap_count();
	for (int i = 0; i < 4; i++) {
		p[i] = kmap_atomic(pg[i]);
		*p[i] = 100u + (uint32_t)i;
		for (int j = 0; j < i; j++)
			KT_EXPECT(t, p[i] != p[j]);
	}
	KT_EXPECT_EQ(t, kmap_depth(), d0 + 4);
	KT_EXPECT_EQ(t, kmap_count(), n0 + 4);
	for (int i = 0; i < 4; i++)
		KT_EXPECT_EQ(t, *p[i], 100u + (uint32_t)i);
	for (int i = 3; i >= 0; i--)
		kunmap_atomic(p[i]);
	KT_EXPECT_EQ(t, kmap_depth(), d0);
	for (int i = 0; i < 4; i++)
		put_page(pg[i]);
}

/* Zeroing and copying across the zones, through the mappings. */
static void copy_and_zero(struct ktest *t)
{
	struct page *h = high_page();
	if (!h)
		KT_SKIP(t, "no highmem");
	struct page *l = alloc_page(GFP_USER);
	KT_ASSERT(t, l);
	uint32_t *lw = page_address(l);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		lw[i] = i * 7u + 1;
	highmem_copy_page(h, l);
	uint32_t *hw = kmap_atomic(h);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		bad += hw[i] != i * 7u + 1;
	kunmap_atomic(hw);
	KT_EXPECT_EQ(t, bad, 0);
	highmem_zero_page(h);
	highmem_copy_page(l, h);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		bad += lw[i] != 0;
	KT_EXPECT_EQ(t, bad, 0);
	put_page(h);
	put_page(l);
}

/* The frame behind a user address, or NULL. */
static struct page *user_frame(struct mm *mm, vaddr_t va)
{
	pte_t *p = vm_pte_lookup(&mm->space, va);
	return p && pte_present(*p) ? phys_to_page(pte_frame(*p)) : NULL;
}

/*
 * User pages in highmem: written by the CPU through the user mapping,
 * read through kmap (mm_read) and the other way round; copy-on-write
 * copies after fork are highmem pages too; eviction writes them to swap
 * and the CPU's faults bring them back.
 */
static void user_pages(struct ktest *t)
{
	if (!stats().highmem_free_pages)
		KT_SKIP(t, "no highmem");
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct mm *mm, *child;
	vaddr_t a;
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t,
		     mm_map(mm, BASE, P(NPAGES), RW, MM_MAP_FIXED, VMA_ANON,
			    NULL, &a),
		     0);
	mm_touch_enter(mm);
	for (uint32_t i = 0; i < NPAGES; i++)
		KT_ASSERT_EQ(t, mm_touch_write(BASE + P(i) + 8, 0xC000 + i),
			     MM_FAULT_OK);
	mm_touch_leave();
	for (uint32_t i = 0; i < NPAGES; i++) {
		KT_EXPECT(t, is_high(user_frame(mm, BASE + P(i))));
		uint32_t v = 0;
		KT_EXPECT_EQ(t, mm_read(mm, BASE + P(i) + 8, &v, 4), 0);
		KT_EXPECT_EQ(t, v, 0xC000 + i);
		v = 0xD000 + i;
		KT_EXPECT_EQ(t, mm_write(mm, BASE + P(i) + 12, &v, 4), 0);
	}
	/* Copy-on-write: the child's write copies a highmem page. */
	KT_ASSERT_EQ(t, mm_fork(mm, &child), 0);
	uint32_t v = 0xEEEE;
	uint64_t copies = vm_events.cow_copies;
	KT_EXPECT_EQ(t, mm_write(child, BASE + 8, &v, 4), 0);
	KT_EXPECT_EQ(t, vm_events.cow_copies, copies + 1);
	struct page *copy = user_frame(child, BASE);
	KT_EXPECT(t, is_high(copy) && copy != user_frame(mm, BASE));
	KT_EXPECT_EQ(t, mm_read(child, BASE + 12, &v, 4), 0);
	KT_EXPECT_EQ(t, v, 0xD000);
	KT_EXPECT_EQ(t, mm_read(mm, BASE + 8, &v, 4), 0);
	KT_EXPECT_EQ(t, v, 0xC000);
	mm_destroy(child);

	/* Out to swap through kmap, back through the CPU's faults. */
	if (swap_enabled()) {
		struct vmscan_stats vs;
		vmscan_get_stats(&vs);
		KT_EXPECT(t, reclaim_pages(vs.tracked) >= NPAGES);
		KT_EXPECT_EQ(t, mm->swap_pages, NPAGES);
		mm_touch_enter(mm);
		for (uint32_t i = 0; i < NPAGES; i++) {
			KT_ASSERT_EQ(t, mm_touch_read(BASE + P(i) + 8, &v),
				     MM_FAULT_OK);
			KT_EXPECT_EQ(t, v, 0xC000 + i);
			KT_ASSERT_EQ(t, mm_touch_read(BASE + P(i) + 12, &v),
				     MM_FAULT_OK);
			KT_EXPECT_EQ(t, v, 0xD000 + i);
		}
		mm_touch_leave();
	}
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_destroy(mm);
	vmscan_shrink();
	KT_EXPECT_EQ(t, kmap_depth(), 0);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* kmap_atomic_phys() reaches a frame by its address, at any offset. */
static void phys_mapping(struct ktest *t)
{
	struct pmm_stats st = stats();
	struct page *h = high_page();
	if (!h)
		KT_SKIP(t, "no highmem");
	/* kmap_atomic_phys of a highmem frame equals kmap_atomic's. */
	uint32_t *a = kmap_atomic(h);
	*a = 0x5EED;
	kunmap_atomic(a);
	uint32_t *b = kmap_atomic_phys(page_to_phys(h) + 123);
	KT_EXPECT_EQ(t, *b, 0x5EED);
	kunmap_atomic(b);
	put_page(h);
	KT_EXPECT_EQ(t, stats().highmem_free_pages, st.highmem_free_pages);
}

static const struct ktest_case highmem_cases[] = {
	KTEST_CASE(lowmem_is_direct), KTEST_CASE(zone_counters),
	KTEST_CASE(slot_maps_frame),  KTEST_CASE(nested_slots),
	KTEST_CASE(copy_and_zero),    KTEST_CASE(user_pages),
	KTEST_CASE(phys_mapping),
};

KTEST_SUITE(highmem, highmem_cases);
