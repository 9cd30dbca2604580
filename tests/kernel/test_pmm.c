/*
 * tests/kernel/test_pmm.c - the frame allocator on the machine it runs on.
 *
 * The host units (tests/host/test_pmm.c) cover the allocator in depth on
 * made-up memory maps; this suite checks the real boot: the map QEMU gave,
 * the reservations the kernel made, and that every frame handed out is
 * real, writable memory. The exhaustion test chains the frames it takes
 * through their own first word, so it needs no memory of its own.
 */
#include "kernel/ktest.h"
#include "mm/pmm.h"

/* Physical addresses of the kernel image (linker.ld). */
extern char __kernel_start[], __kernel_end[];

static struct pmm_stats stats(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st;
}

static void counters_consistent(struct ktest *t)
{
	struct pmm_stats st = stats();
	KT_EXPECT_EQ(t,
		     st.free_pages + st.kernel_pages + st.user_pages +
			     st.pgtable_pages,
		     st.managed_pages);
	KT_EXPECT_EQ(t, st.managed_pages + st.reserved_pages, st.total_pages);
	KT_EXPECT(t, st.highmem_managed_pages <= st.highmem_pages);
	KT_EXPECT(t, st.highmem_free_pages <= st.highmem_managed_pages);
	KT_EXPECT(t, st.free_pages >= PMM_MIN_FREE_PAGES / 2);
	KT_EXPECT(t, st.pgtable_pages > 0); /* the kernel's own tables */
	KT_EXPECT_EQ(t, pmm_verify(), 0);
}

static void boot_reservations(struct ktest *t)
{
	paddr_t kstart = (paddr_t)(uintptr_t)__kernel_start - KERNEL_VMA;
	paddr_t kend = (paddr_t)(uintptr_t)__kernel_end - KERNEL_VMA;

	KT_ASSERT(t, phys_to_page(0) != NULL);
	KT_EXPECT(t, phys_to_page(0)->flags & PG_RESERVED);
	KT_EXPECT(t, phys_to_page(0xFF000)->flags & PG_RESERVED);
	for (paddr_t pa = kstart; pa < kend; pa += PAGE_SIZE)
		KT_ASSERT(t, phys_to_page(pa)->flags & PG_RESERVED);
}

/*
 * Allocates every free lowmem frame, writing each, then frees them all
 * (highmem frames are never GFP_KERNEL's).
 */
static void alloc_until_exhausted(struct ktest *t)
{
	pmm_drain_cache();
	uint32_t high = stats().highmem_free_pages;
	uint32_t baseline = stats().free_pages - high;
	uint32_t n = 0;
	void *chain = NULL;
	struct page *p;

	while ((p = alloc_page(GFP_KERNEL)) != NULL) {
		void **frame = page_address(p);
		KT_ASSERT(t, page_to_phys(p) >= 0x100000);
		KT_ASSERT(t, !(p->flags & (PG_RESERVED | PG_BUDDY | PG_PCP)));
		frame[1023] = (void *)0x5A5A5A5A;
		frame[0] = chain;
		chain = frame;
		n++;
	}
	KT_EXPECT_EQ(t, n, baseline);
	KT_EXPECT_EQ(t, stats().free_pages, high);
	KT_EXPECT(t, alloc_pages(1, GFP_KERNEL) == NULL);
	while (chain) {
		void **frame = chain;
		KT_EXPECT(t, frame[1023] == (void *)0x5A5A5A5A);
		chain = frame[0];
		free_page(virt_to_page(frame));
	}
	KT_EXPECT_EQ(t, stats().free_pages, baseline + high);
	pmm_drain_cache();
	KT_EXPECT_EQ(t, stats().free_pages, baseline + high);
	KT_EXPECT_EQ(t, pmm_verify(), 0);
}

/* Every order: aligned, mapped in the direct map, writable end to end. */
static void every_order_aligned(struct ktest *t)
{
	uint32_t baseline = stats().free_pages;
	for (unsigned int order = 0; order < PMM_MAX_ORDER; order++) {
		struct page *p = alloc_pages(order, GFP_KERNEL);
		if (!p) {
			ktest_note("no free block of order %u", order);
			continue;
		}
		KT_ASSERT_EQ(t, page_to_phys(p) % (PAGE_SIZE << order), 0);
		KT_ASSERT_EQ(t, page_alloc_order(p), order);
		uint32_t *w = page_address(p);
		uint32_t words = (PAGE_SIZE << order) / 4;
		w[0] = order;
		w[words - 1] = ~order;
		KT_EXPECT_EQ(t, w[0], order);
		KT_EXPECT_EQ(t, w[words - 1], ~order);
		free_pages(p, order);
	}
	KT_EXPECT_EQ(t, stats().free_pages, baseline);
}

static void zeroed_page_is_zero(struct ktest *t)
{
	struct page *p = alloc_page(GFP_KERNEL);
	KT_ASSERT(t, p != NULL);
	uint32_t *w = page_address(p);
	for (unsigned int i = 0; i < 1024; i++)
		w[i] = 0xDEADBEEF;
	free_page(p);
	/* The cache hands the same frame out again, now zeroed. */
	struct page *z = alloc_zeroed_page(GFP_KERNEL);
	KT_ASSERT(t, z != NULL);
	KT_EXPECT(t, z == p);
	w = page_address(z);
	for (unsigned int i = 0; i < 1024; i++)
		KT_ASSERT_EQ(t, w[i], 0);
	free_page(z);
}

static void kinds_counted(struct ktest *t)
{
	struct pmm_stats a = stats();
	struct page *u = alloc_page(GFP_USER);
	struct page *pt = alloc_pages(1, GFP_PGTABLE);
	KT_ASSERT(t, u && pt);
	struct pmm_stats b = stats();
	KT_EXPECT_EQ(t, b.user_pages, a.user_pages + 1);
	KT_EXPECT_EQ(t, b.pgtable_pages, a.pgtable_pages + 2);
	KT_EXPECT_EQ(t, b.free_pages, a.free_pages - 3);
	free_page(u);
	free_pages(pt, 1);
	struct pmm_stats c = stats();
	KT_EXPECT_EQ(t, c.user_pages, a.user_pages);
	KT_EXPECT_EQ(t, c.pgtable_pages, a.pgtable_pages);
	KT_EXPECT_EQ(t, c.free_pages, a.free_pages);
}

static const struct ktest_case pmm_cases[] = {
	KTEST_CASE(counters_consistent),   KTEST_CASE(boot_reservations),
	KTEST_CASE(alloc_until_exhausted), KTEST_CASE(every_order_aligned),
	KTEST_CASE(zeroed_page_is_zero),   KTEST_CASE(kinds_counted),
};

KTEST_SUITE(pmm, pmm_cases);
