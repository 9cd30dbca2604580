/*
 * tests/kernel/bench_pmm.c - the cost of the frame allocator and of
 * mapping a page.
 *
 * Reported (with -icount, in guest instructions):
 *   pmm.alloc_free            one alloc_page + free_page pair, memory empty
 *   pmm.alloc_pages_free_pages_order0  the same through the general calls
 *   pmm.alloc_free_90pct      the same with 90% of free frames taken
 *   pmm.alloc_free_order3     one alloc_pages(3) + free_pages pair
 *   pmm.alloc_free_order3_90pct  the same with 90% of free frames taken
 *   pmm.init_per_frame        pmm_init's boot work per frame of RAM
 *   paging.map_unmap          vm_map_page + vm_unmap_page in a live table
 * Targets: a single-frame pair within about 150 instructions, flat (the
 * 90% figure within 1.25x of the empty one, and the same across memory
 * sizes); boot work at most about 20 instructions per frame.
 */
#include "kernel/bench.h"
#include "mm/pmm.h"
#include "mm/vm.h"

static void alloc_free_frame(void *arg)
{
	(void)arg;
	struct page *p = alloc_page(GFP_KERNEL);
	__asm__ volatile("" : : "r"(p) : "memory");
	free_page(p);
}

static void alloc_free(void *arg)
{
	unsigned int order = *(const unsigned int *)arg;
	struct page *p = alloc_pages(order, GFP_KERNEL);
	__asm__ volatile("" : : "r"(p) : "memory");
	free_pages(p, order);
}

/*
 * Takes lowmem frames (the zone GFP_KERNEL draws from) until only a tenth
 * of its free ones remain; returns a chain.
 */
static void *fill_to_90pct(void)
{
	struct pmm_stats st;
	void *chain = NULL;
	pmm_get_stats(&st);
	uint32_t free_low = st.free_pages - st.highmem_free_pages;
	uint32_t keep = free_low / 10;
	while (free_low > keep) {
		struct page *p = alloc_page(GFP_KERNEL);
		if (!p)
			break;
		void **frame = page_address(p);
		frame[0] = chain;
		chain = frame;
		free_low--;
	}
	return chain;
}

static void free_chain(void *chain)
{
	while (chain) {
		void **frame = chain;
		chain = frame[0];
		free_page(virt_to_page(frame));
	}
}

static void map_unmap(void *arg)
{
	struct vm_space *s = arg;
	vm_map_page(s, 0x10001000, 0x100000, PTE_U);
	vm_unmap_page(s, 0x10001000, NULL);
}

static void pmm_costs(void)
{
	unsigned int order0 = 0, order3 = 3;
	struct pmm_stats st;

	alloc_free_frame(NULL);
	uint64_t empty = bench_median(alloc_free_frame, NULL, 64, 31);
	bench_report("pmm.alloc_free", empty, "tsc");
	bench_report("pmm.alloc_pages_free_pages_order0",
		     bench_median(alloc_free, &order0, 64, 31), "tsc");
	bench_report("pmm.alloc_free_order3",
		     bench_median(alloc_free, &order3, 64, 31), "tsc");

	void *chain = fill_to_90pct();
	uint64_t full = bench_median(alloc_free_frame, NULL, 64, 31);
	uint64_t full3 = bench_median(alloc_free, &order3, 64, 31);
	free_chain(chain);
	bench_report("pmm.alloc_free_order3_90pct", full3, "tsc");
	bench_report("pmm.alloc_free_90pct", full, "tsc");
	bench_report("pmm.alloc_free_90pct_vs_empty_x100",
		     empty ? full * 100 / empty : 0, "ratio");

	pmm_get_stats(&st);
	bench_report("pmm.init_per_frame",
		     st.total_pages ? st.init_ticks / st.total_pages : 0,
		     "tsc");
	bench_report("pmm.total_frames", st.total_pages, "frames");

	struct vm_space s;
	if (vm_space_init(&s) == 0) {
		/* Keep one entry so the table stays between iterations. */
		vm_map_page(&s, 0x10000000, 0x100000, PTE_U);
		bench_report("paging.map_unmap",
			     bench_median(map_unmap, &s, 64, 31), "tsc");
		vm_unmap_page(&s, 0x10000000, NULL);
		vm_space_destroy(&s);
	}
}

BENCH(pmm_costs);
