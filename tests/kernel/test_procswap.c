/*
 * tests/kernel/test_procswap.c - whole-process swapping (mm/procswap.c)
 * on the real CPU and RAM-disk: an address space swapped out completely
 * (RSS 0, its user page tables freed and in swap) comes back with every
 * word intact, in prefetch and in demand mode; one sharing copy-on-write
 * pages with its parent leaves them to the parent; one destroyed while
 * out gives everything back. Each case ends with the machine holding
 * exactly what it held before (frames, heap objects, swap slots).
 */
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/procswap.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vmscan.h"
#include "tests/kernel/mm_touch.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
/* Two regions in different page tables (4 MiB apart at least). */
#define BASE_A 0x30000000u
#define PAGES_A 40u
#define BASE_B 0x31000000u
#define PAGES_B 9u
#define WORDS (PAGE_SIZE / sizeof(uint32_t))

static uint32_t swap_free(void)
{
	struct swap_stats st;
	swap_get_stats(&st);
	return st.free;
}

static uint32_t free_frames(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st.free_pages;
}

/* The word at index i of the page at va, generation gen. */
static uint32_t pattern(vaddr_t va, uint32_t i, uint32_t gen)
{
	return (va ^ (i * 0x9E3779B1u)) + gen;
}

static uint32_t page_buf[WORDS];

/* Fills every word of npages at va with the pattern (kernel user copy). */
static int fill(struct mm *mm, vaddr_t va, uint32_t npages, uint32_t gen)
{
	for (uint32_t p = 0; p < npages; p++) {
		for (uint32_t i = 0; i < WORDS; i++)
			page_buf[i] = pattern(va + P(p), i, gen);
		int err = mm_write(mm, va + P(p), page_buf, PAGE_SIZE);
		if (err)
			return err;
	}
	return 0;
}

/* The number of words of npages at va that differ from the pattern. */
static uint32_t wrong_words(struct mm *mm, vaddr_t va, uint32_t npages,
			    uint32_t gen)
{
	uint32_t wrong = 0;
	for (uint32_t p = 0; p < npages; p++) {
		if (mm_read(mm, va + P(p), page_buf, PAGE_SIZE))
			return UINT32_MAX;
		for (uint32_t i = 0; i < WORDS; i++)
			wrong += page_buf[i] != pattern(va + P(p), i, gen);
	}
	return wrong;
}

/* An address space with two regions, every page written. */
static struct mm *filled_mm(struct ktest *t)
{
	struct mm *mm;
	vaddr_t a;
	if (mm_create(&mm))
		return NULL;
	if (mm_map(mm, BASE_A, P(PAGES_A), RW, MM_MAP_FIXED, VMA_ANON, NULL,
		   &a) ||
	    mm_map(mm, BASE_B, P(PAGES_B), RW, MM_MAP_FIXED, VMA_ANON, NULL,
		   &a) ||
	    fill(mm, BASE_A, PAGES_A, 1) || fill(mm, BASE_B, PAGES_B, 1)) {
		KT_EXPECT(t, false);
		mm_destroy(mm);
		return NULL;
	}
	return mm;
}

/* The checks every swapped-out space must pass. */
static void expect_out(struct ktest *t, struct mm *mm, uint32_t pages)
{
	KT_EXPECT(t, mm->swapped_out);
	KT_EXPECT_EQ(t, mm->rss, 0);
	KT_EXPECT_EQ(t, mm->space.nr_pgtables, 0);
	KT_EXPECT_EQ(t, mm->space.nr_swapped, 2);
	KT_EXPECT_EQ(t, mm->swap_pages, pages);
	KT_EXPECT_EQ(t, mm->swapped_entries, pages);
	KT_EXPECT(t, vm_table(&mm->space, BASE_A >> PDE_SHIFT) == NULL);
	KT_EXPECT(t, pte_is_swap(vm_table_swapped(&mm->space,
						  BASE_A >> PDE_SHIFT)));
	KT_EXPECT_EQ(t, mm_check(mm), 0);
}

/* The end of a case: nothing left behind. */
static void expect_clean(struct ktest *t, const struct mm_touch_snapshot *snap,
			 uint32_t slots0)
{
	KT_EXPECT_EQ(t, swap_free(), slots0);
	KT_EXPECT_EQ(t, vmscan_check_idle(), 0);
	vmscan_shrink();
	struct mm_touch_snapshot now;
	mm_touch_snapshot(&now);
	KT_EXPECT_EQ(t, now.free_pages, snap->free_pages);
	KT_EXPECT_EQ(t, now.heap_objects, snap->heap_objects);
}

/*
 * The machine before a case, without what earlier suites left for reuse
 * (empty chunks of the swap cache's table, freed by vmscan_shrink()).
 */
static void take_snapshot(struct mm_touch_snapshot *snap)
{
	vmscan_shrink();
	mm_touch_snapshot(snap);
}

/*
 * Out completely, then back all at once: every page present again, no
 * fault needed to read any of it.
 */
static void out_and_prefetch(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	const uint32_t pages = PAGES_A + PAGES_B;
	struct mm_touch_snapshot snap;
	take_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *mm = filled_mm(t);
	KT_ASSERT(t, mm);
	KT_EXPECT_EQ(t, mm->rss, pages);
	KT_EXPECT_EQ(t, mm->space.nr_pgtables, 2);

	uint32_t frames0 = free_frames();
	uint64_t out0 = procswap_stats.swapout_process;
	KT_ASSERT_EQ(t, mm_swap_out(mm), 0);
	expect_out(t, mm, pages);
	/* Every page and both tables: frames back, slots taken. */
	KT_EXPECT_EQ(t, free_frames() - frames0, pages + 2);
	KT_EXPECT_EQ(t, slots0 - swap_free(), pages + 2);
	KT_EXPECT_EQ(t, procswap_stats.swapout_process - out0, 1);
	KT_EXPECT_EQ(t, mm_swap_out(mm), -EALREADY);

	/* A look at its memory reads swap in place and brings nothing in. */
	uint32_t w = 0;
	KT_EXPECT_EQ(t, mm_read(mm, BASE_B + P(3) + 8, &w, sizeof(w)), 0);
	KT_EXPECT_EQ(t, w, pattern(BASE_B + P(3), 2, 1));
	KT_EXPECT(t, mm->swapped_out);
	KT_EXPECT_EQ(t, mm->space.nr_swapped, 2);

	uint64_t maj0 = vm_events.pgmajfault;
	uint64_t pre0 = procswap_stats.swapin_pages_prefetched;
	KT_ASSERT_EQ(t, mm_swap_in(mm, PROCSWAP_PREFETCH), 0);
	KT_EXPECT(t, !mm->swapped_out);
	KT_EXPECT_EQ(t, mm->rss, pages);
	KT_EXPECT_EQ(t, mm->swap_pages, 0);
	KT_EXPECT_EQ(t, mm->space.nr_pgtables, 2);
	KT_EXPECT_EQ(t, mm->space.nr_swapped, 0);
	KT_EXPECT_EQ(t, procswap_stats.swapin_pages_prefetched - pre0, pages);
	KT_EXPECT_EQ(t, vm_events.pgmajfault - maj0, pages);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	/* Every word, without another fault. */
	maj0 = vm_events.pgmajfault;
	KT_EXPECT_EQ(t, wrong_words(mm, BASE_A, PAGES_A, 1), 0);
	KT_EXPECT_EQ(t, wrong_words(mm, BASE_B, PAGES_B, 1), 0);
	KT_EXPECT_EQ(t, vm_events.pgmajfault, maj0);
	/* Pages only it had came back writable: a write will not fault. */
	uint32_t writable = 0;
	for (uint32_t p = 0; p < PAGES_A; p++) {
		pte_t *ptep = vm_pte_lookup(&mm->space, BASE_A + P(p));
		writable += ptep && pte_present(*ptep) && (*ptep & PTE_W);
	}
	KT_EXPECT_EQ(t, writable, PAGES_A);
	KT_EXPECT_EQ(t, fill(mm, BASE_A, PAGES_A, 2), 0);
	KT_EXPECT_EQ(t, wrong_words(mm, BASE_A, PAGES_A, 2), 0);
	mm_destroy(mm);
	expect_clean(t, &snap, slots0);
}

/*
 * Out completely, then back on demand: the tables come back at once, the
 * pages one by one as the CPU faults on them.
 */
static void out_and_demand(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	const uint32_t pages = PAGES_A + PAGES_B;
	struct mm_touch_snapshot snap;
	take_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *mm = filled_mm(t);
	KT_ASSERT(t, mm);
	KT_ASSERT_EQ(t, mm_swap_out(mm), 0);
	expect_out(t, mm, pages);

	uint64_t demand0 = procswap_stats.swapin_demand;
	KT_ASSERT_EQ(t, mm_swap_in(mm, PROCSWAP_DEMAND), 0);
	KT_EXPECT(t, !mm->swapped_out);
	KT_EXPECT_EQ(t, procswap_stats.swapin_demand - demand0, 1);
	KT_EXPECT_EQ(t, mm->rss, 0);
	KT_EXPECT_EQ(t, mm->swap_pages, pages);
	KT_EXPECT_EQ(t, mm->space.nr_pgtables, 2);
	KT_EXPECT_EQ(t, mm->swapped_entries, 0);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	/* The CPU's own faults bring each page back. */
	uint64_t maj0 = vm_events.pgmajfault;
	mm_touch_enter(mm);
	uint32_t v = 0, bad = 0;
	for (uint32_t p = 0; p < PAGES_A; p++) {
		KT_ASSERT_EQ(t, mm_touch_read(BASE_A + P(p) + 4 * p, &v),
			     MM_FAULT_OK);
		bad += v != pattern(BASE_A + P(p), p, 1);
	}
	mm_touch_leave();
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, vm_events.pgmajfault - maj0, PAGES_A);
	KT_EXPECT_EQ(t, mm->rss, PAGES_A);
	KT_EXPECT_EQ(t, wrong_words(mm, BASE_A, PAGES_A, 1), 0);
	KT_EXPECT_EQ(t, wrong_words(mm, BASE_B, PAGES_B, 1), 0);
	KT_EXPECT_EQ(t, mm->swap_pages, 0);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_destroy(mm);
	expect_clean(t, &snap, slots0);
}

/*
 * No explicit swap-in: the first fault finds the tables in swap and
 * brings them back itself (a kernel access to a swapped-out process).
 */
static void fault_brings_tables(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	take_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *mm = filled_mm(t);
	KT_ASSERT(t, mm);
	KT_ASSERT_EQ(t, mm_swap_out(mm), 0);
	mm_touch_enter(mm);
	uint32_t v = 0;
	KT_ASSERT_EQ(t, mm_touch_read(BASE_B + P(PAGES_B - 1), &v),
		     MM_FAULT_OK);
	KT_EXPECT_EQ(t, v, pattern(BASE_B + P(PAGES_B - 1), 0, 1));
	/* A write to a page never touched: demand-zero, as before. */
	KT_ASSERT_EQ(t, mm_touch_write(BASE_A + P(PAGES_A) - 4, 7),
		     MM_FAULT_OK);
	mm_touch_leave();
	KT_EXPECT(t, !mm->swapped_out);
	KT_EXPECT_EQ(t, mm->space.nr_swapped, 0);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	KT_EXPECT_EQ(t, wrong_words(mm, BASE_B, PAGES_B, 1), 0);
	mm_destroy(mm);
	expect_clean(t, &snap, slots0);
}

/*
 * A child sharing its pages copy-on-write with its parent: its mappings
 * go to swap, the frames stay resident for the parent and enter the swap
 * cache, so the child's swap-in finds them there (no read). Writes on
 * either side afterwards stay private.
 */
static void cow_child_out(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	const uint32_t pages = PAGES_A + PAGES_B;
	struct mm_touch_snapshot snap;
	take_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *parent = filled_mm(t), *child = NULL;
	KT_ASSERT(t, parent);
	KT_ASSERT_EQ(t, mm_fork(parent, &child), 0);
	/* One page the child has to itself (a copy-on-write copy). */
	KT_ASSERT_EQ(t, fill(child, BASE_B, 1, 5), 0);

	struct vmscan_stats vs0, vs1;
	vmscan_get_stats(&vs0);
	KT_ASSERT_EQ(t, mm_swap_out(child), 0);
	expect_out(t, child, pages);
	KT_EXPECT_EQ(t, parent->rss, pages);
	vmscan_get_stats(&vs1);
	/* The shared pages are now in the swap cache, for the parent. */
	KT_EXPECT_EQ(t, vs1.swapcache - vs0.swapcache, pages - 1);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, wrong_words(parent, BASE_A, PAGES_A, 1), 0);

	/* The parent writes: its copy changes, the child's slot does not. */
	KT_EXPECT_EQ(t, fill(parent, BASE_A, 4, 9), 0);
	KT_EXPECT_EQ(t, mm_check(parent), 0);

	uint64_t hits0 = vm_events.swapcache_hits;
	KT_ASSERT_EQ(t, mm_swap_in(child, PROCSWAP_PREFETCH), 0);
	KT_EXPECT_EQ(t, vm_events.swapcache_hits - hits0, pages - 1 - 4);
	KT_EXPECT_EQ(t, child->rss, pages);
	KT_EXPECT_EQ(t, wrong_words(child, BASE_A, PAGES_A, 1), 0);
	KT_EXPECT_EQ(t, wrong_words(child, BASE_B, 1, 5), 0);
	KT_EXPECT_EQ(t, wrong_words(child, BASE_B + P(1), PAGES_B - 1, 1), 0);
	KT_EXPECT_EQ(t, wrong_words(parent, BASE_A, 4, 9), 0);
	KT_EXPECT_EQ(t, wrong_words(parent, BASE_A + P(4), PAGES_A - 4, 1), 0);
	KT_EXPECT_EQ(t, wrong_words(parent, BASE_B, PAGES_B, 1), 0);
	/* The child writes: the parent keeps its words. */
	KT_EXPECT_EQ(t, fill(child, BASE_A + P(10), 3, 11), 0);
	KT_EXPECT_EQ(t, wrong_words(parent, BASE_A + P(10), 3, 1), 0);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, mm_check(child), 0);
	mm_destroy(child);
	mm_destroy(parent);
	expect_clean(t, &snap, slots0);
}

/* A process killed while out: its tables' slots go with it. */
static void destroy_while_out(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	take_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *parent = filled_mm(t), *child = NULL;
	KT_ASSERT(t, parent);
	KT_ASSERT_EQ(t, mm_fork(parent, &child), 0);
	KT_ASSERT_EQ(t, mm_swap_out(child), 0);
	KT_ASSERT_EQ(t, mm_swap_out(parent), 0);
	KT_EXPECT_EQ(t, parent->rss, 0);
	mm_destroy(child);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, wrong_words(parent, BASE_A, PAGES_A, 1), 0);
	mm_destroy(parent);
	expect_clean(t, &snap, slots0);
}

/* What cannot go: locked memory, the loaded space. Nothing moves. */
static void refusals(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	take_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *mm = filled_mm(t);
	KT_ASSERT(t, mm);
	KT_ASSERT_EQ(t, mm_lock(mm, BASE_B, P(1), true), 0);
	KT_EXPECT_EQ(t, mm_swap_out(mm), -EBUSY);
	KT_ASSERT_EQ(t, mm_lock(mm, BASE_B, P(1), false), 0);
	mm_touch_enter(mm);
	KT_EXPECT_EQ(t, mm_swap_out(mm), -EBUSY);
	mm_touch_leave();
	KT_EXPECT_EQ(t, mm->rss, PAGES_A + PAGES_B);
	KT_EXPECT_EQ(t, swap_free(), slots0);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_destroy(mm);
	expect_clean(t, &snap, slots0);
}

static const struct ktest_case procswap_cases[] = {
	KTEST_CASE(out_and_prefetch),	 KTEST_CASE(out_and_demand),
	KTEST_CASE(fault_brings_tables), KTEST_CASE(cow_child_out),
	KTEST_CASE(destroy_while_out),	 KTEST_CASE(refusals),
};
KTEST_SUITE(procswap, procswap_cases);
