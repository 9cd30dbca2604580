/*
 * tests/kernel/test_kpage.c - the /proc/kpageflags, /proc/kpagecount and
 * /proc/pagoda/kpageorder entries (mm/kpage.c) against what the allocators
 * know: frames the test takes from the slab allocator, the buddy
 * allocator and its hot-block caches, and the allocator's own counters
 * over the whole memory map. The user-space view, fork's map counts
 * included, is compared with Linux by tests/user/proc_pagemap.c.
 */
#include "kernel/ktest.h"
#include "mm/internal.h"
#include "mm/kpage.h"
#include "mm/pmm.h"
#include "mm/slab.h"

/* Physical addresses of the kernel image (linker.ld). */
extern char __kernel_start[], __kernel_end[];

static bool has(uint64_t flags, enum kpage_flag_bit bit)
{
	return (flags & kpf(bit)) != 0;
}

static void reserved_frames(struct ktest *t)
{
	pfn_t k =
		(pfn_t)(((uintptr_t)__kernel_start - KERNEL_VMA) >> PAGE_SHIFT);
	KT_EXPECT(t, has(kpage_flags(0), KPF_RESERVED));
	KT_EXPECT(t, has(kpage_flags(k), KPF_RESERVED));
	KT_EXPECT_EQ(t, kpage_mapcount(k), 0);
	KT_EXPECT(t, kpage_free_order(k) == KPAGE_ORDER_NONE);
	KT_EXPECT(t, has(kpage_flags(kpage_nr_frames()), KPF_NOPAGE));
}

static void slab_frame(struct ktest *t)
{
	void *obj = kmalloc(64, 0);
	KT_ASSERT(t, obj != NULL);
	pfn_t pfn = page_to_pfn(virt_to_page(obj));
	uint64_t f = kpage_flags(pfn);
	KT_EXPECT(t, has(f, KPF_SLAB));
	KT_EXPECT(t, !has(f, KPF_BUDDY) && !has(f, KPF_ANON));
	KT_EXPECT_EQ(t, kpage_mapcount(pfn), 0);
	KT_EXPECT(t, kpage_free_order(pfn) == KPAGE_ORDER_NONE);
	kfree(obj);
}

static void block_then_free(struct ktest *t)
{
	struct page *pg = alloc_pages(2, GFP_KERNEL);
	KT_ASSERT(t, pg != NULL);
	pfn_t pfn = page_to_pfn(pg);
	KT_EXPECT(t, has(kpage_flags(pfn), KPF_COMPOUND_HEAD));
	for (pfn_t i = 1; i < 4; i++) {
		uint64_t f = kpage_flags(pfn + i);
		KT_EXPECT(t, has(f, KPF_COMPOUND_TAIL) && !has(f, KPF_SLAB));
		KT_EXPECT(t, kpage_free_order(pfn + i) == KPAGE_ORDER_NONE);
	}
	free_pages(pg, 2);
	/* An order-2 block waits in the hot-block cache of its order. */
	KT_EXPECT(t, kpage_free_order(pfn) == (2 | KPAGE_ORDER_CACHED));
	KT_EXPECT(t, kpage_free_order(pfn + 3) == (2 | KPAGE_ORDER_CACHED));
	KT_EXPECT_EQ(t, kpage_flags(pfn), 0);
	/* Drained, it joins the buddy lists, perhaps merged with its buddy. */
	pmm_drain_cache();
	uint64_t o = kpage_free_order(pfn);
	KT_ASSERT(t, o != KPAGE_ORDER_NONE && !(o & KPAGE_ORDER_CACHED));
	KT_EXPECT(t, o >= 2 && o < PMM_MAX_ORDER);
	pfn_t head = pfn & ~((1u << o) - 1);
	KT_EXPECT(t, has(kpage_flags(head), KPF_BUDDY));
	KT_EXPECT_EQ(t, kpage_free_order(head), o);
	if (head != pfn)
		KT_EXPECT(t, !has(kpage_flags(pfn), KPF_BUDDY));
}

static void page_table_frame(struct ktest *t)
{
	struct page *pg = alloc_page(GFP_PGTABLE);
	KT_ASSERT(t, pg != NULL);
	uint64_t f = kpage_flags(page_to_pfn(pg));
	KT_EXPECT(t, has(f, KPF_PGTABLE) && !has(f, KPF_SLAB));
	free_page(pg);
}

/* Every free frame, and only those, has a free order. */
static void whole_map_matches_counters(struct ktest *t)
{
	struct pmm_stats st;
	uint32_t free = 0, buddy_heads = 0;

	pmm_drain_cache();
	pmm_get_stats(&st);
	for (pfn_t pfn = 0; pfn < kpage_nr_frames(); pfn++) {
		uint64_t o = kpage_free_order(pfn);
		uint64_t f = kpage_flags(pfn);
		if (o != KPAGE_ORDER_NONE)
			free++;
		if (has(f, KPF_BUDDY)) {
			buddy_heads++;
			KT_EXPECT(t, o != KPAGE_ORDER_NONE);
		}
	}
	KT_EXPECT_EQ(t, free, st.free_pages);
	/* A free highmem frame is a free block of order 0 of its zone. */
	uint32_t blocks = st.highmem_free_pages;
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		blocks += st.nr_free[o];
	KT_EXPECT_EQ(t, buddy_heads, blocks);
}

static const struct ktest_case kpage_cases[] = {
	KTEST_CASE(reserved_frames),
	KTEST_CASE(slab_frame),
	KTEST_CASE(block_then_free),
	KTEST_CASE(page_table_frame),
	KTEST_CASE(whole_map_matches_counters),
};

KTEST_SUITE(kpage, kpage_cases);
