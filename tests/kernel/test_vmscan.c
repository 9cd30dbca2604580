/*
 * tests/kernel/test_vmscan.c - eviction and swap-in on the real CPU and
 * the real RAM-disk.
 *
 * The host tests (tests/host/test_reclaim.c) check the logic against a
 * model MMU; these check what only the hardware can: that the CPU sets the
 * accessed bit again after the reverse map cleared it (which needs the TLB
 * entry to have gone), that a page evicted while its translation was
 * cached cannot be reached through a stale entry, and that the faults on
 * swap entries come from the CPU itself. Suites run before init, so the
 * test's pages are the only user pages the policy tracks.
 */
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/policy.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vmscan.h"
#include "tests/kernel/mm_touch.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x30000000u
#define NPAGES 32

static pte_t pte_of(struct mm *mm, vaddr_t va)
{
	pte_t *p = vm_pte_lookup(&mm->space, page_round_down(va));
	return p ? *p : 0;
}

static uint32_t swap_free(void)
{
	struct swap_stats st;
	swap_get_stats(&st);
	return st.free;
}

/* Every tracked page (only this suite's exist before init). */
static uint32_t evict_all(void)
{
	struct vmscan_stats st;
	vmscan_get_stats(&st);
	return reclaim_pages(st.tracked);
}

static struct mm *anon_mm(struct ktest *t, uint32_t pages)
{
	struct mm *mm;
	vaddr_t a;
	if (mm_create(&mm))
		return NULL;
	if (mm_map(mm, BASE, P(pages), RW, MM_MAP_FIXED, VMA_ANON, NULL, &a)) {
		KT_EXPECT(t, false);
		mm_destroy(mm);
		return NULL;
	}
	return mm;
}

/* Written pages go out and come back through the CPU's faults. */
static void evict_and_fault_back(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *mm = anon_mm(t, NPAGES);
	KT_ASSERT(t, mm);
	mm_touch_enter(mm);
	for (uint32_t i = 0; i < NPAGES; i++)
		KT_ASSERT_EQ(t, mm_touch_write(BASE + P(i), 0xA000 + i),
			     MM_FAULT_OK);
	/* Translations are cached now; eviction must invalidate them. */
	uint64_t maj0 = vm_events.pgmajfault;
	KT_EXPECT_EQ(t, evict_all(), NPAGES);
	KT_EXPECT(t, pte_is_swap(pte_of(mm, BASE)));
	KT_EXPECT_EQ(t, mm->swap_pages, NPAGES);
	uint32_t v = 0;
	for (uint32_t i = 0; i < NPAGES; i++) {
		KT_ASSERT_EQ(t, mm_touch_read(BASE + P(i), &v), MM_FAULT_OK);
		KT_EXPECT_EQ(t, v, 0xA000 + i);
	}
	KT_EXPECT_EQ(t, vm_events.pgmajfault - maj0, NPAGES);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_touch_leave();
	mm_destroy(mm);
	KT_EXPECT_EQ(t, swap_free(), slots0);
	KT_EXPECT_EQ(t, vmscan_check_idle(), 0);
	/* The swap cache's empty lookup chunks are kept for reuse. */
	vmscan_shrink();
	KT_EXPECT(t, mm_touch_same(&snap));
}

/*
 * The accessed bit through the reverse map: cleared with the TLB entry
 * invalidated, the CPU sets it again on the next access.
 */
static void accessed_bit(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct mm *mm = anon_mm(t, 1);
	KT_ASSERT(t, mm);
	mm_touch_enter(mm);
	uint32_t v;
	KT_ASSERT_EQ(t, mm_touch_write(BASE, 5), MM_FAULT_OK);
	struct page *pg = phys_to_page(pte_frame(pte_of(mm, BASE)));
	KT_ASSERT(t, pg);
	KT_EXPECT_EQ(t, rmap_mapcount(pg), 1);
	KT_EXPECT(t, policy_test_and_clear_accessed(pg));
	KT_EXPECT(t, !(pte_of(mm, BASE) & PTE_A));
	KT_EXPECT(t, !policy_test_and_clear_accessed(pg));
	KT_ASSERT_EQ(t, mm_touch_read(BASE, &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, v, 5);
	/* Set by the CPU: the stale TLB entry was gone. */
	KT_EXPECT(t, policy_test_and_clear_accessed(pg));
	mm_touch_leave();
	mm_destroy(mm);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* Copy-on-write pages swapped while shared stay isolated afterwards. */
static void cow_through_swap(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *parent = anon_mm(t, 4), *child;
	KT_ASSERT(t, parent);
	mm_touch_enter(parent);
	for (uint32_t i = 0; i < 4; i++)
		KT_ASSERT_EQ(t, mm_touch_write(BASE + P(i), i), MM_FAULT_OK);
	KT_ASSERT_EQ(t, mm_fork(parent, &child), 0);
	KT_EXPECT_EQ(t, evict_all(), 4);
	KT_EXPECT_EQ(t, swap_slot_refs(pte_swap_slot(pte_of(child, BASE))), 2);
	/* The parent writes through a fault on its swap entry. */
	KT_ASSERT_EQ(t, mm_touch_write(BASE, 100), MM_FAULT_OK);
	mm_touch_leave();
	mm_touch_enter(child);
	uint32_t v = 0;
	for (uint32_t i = 0; i < 4; i++) {
		KT_ASSERT_EQ(t, mm_touch_read(BASE + P(i), &v), MM_FAULT_OK);
		KT_EXPECT_EQ(t, v, i);
	}
	mm_touch_leave();
	mm_touch_enter(parent);
	KT_ASSERT_EQ(t, mm_touch_read(BASE, &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, v, 100);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, mm_check(child), 0);
	mm_touch_leave();
	mm_destroy(child);
	mm_destroy(parent);
	KT_EXPECT_EQ(t, swap_free(), slots0);
	KT_EXPECT_EQ(t, vmscan_check_idle(), 0);
	/* The swap cache's empty lookup chunks are kept for reuse. */
	vmscan_shrink();
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* Reads npages words at va in mm through the CPU; all must be base + i. */
static void expect_words(struct ktest *t, struct mm *mm, vaddr_t va,
			 uint32_t npages, uint32_t base)
{
	mm_touch_enter(mm);
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t v = 0;
		KT_ASSERT_EQ(t, mm_touch_read(va + P(i), &v), MM_FAULT_OK);
		KT_EXPECT_EQ(t, v, base + i);
	}
	mm_touch_leave();
}

/*
 * The anonymous families of the reverse map on the real MMU: a region
 * forked three deep, split in the child (mprotect) and partly moved in
 * the grandchild (mremap), goes to swap whole: every PTE of every piece
 * becomes a swap entry, found through the family. The pages come back
 * through the CPU's faults, shared again, and a write in the great-
 * grandchild copies only for it.
 */
static void family_fork_split_move_evict(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	const vaddr_t moved = BASE + P(256);
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	uint32_t slots0 = swap_free(), families0 = rmap_families();
	struct mm *mm[4];
	mm[0] = anon_mm(t, 8);
	KT_ASSERT(t, mm[0]);
	mm_touch_enter(mm[0]);
	for (uint32_t i = 0; i < 8; i++)
		KT_ASSERT_EQ(t, mm_touch_write(BASE + P(i), 0xF000 + i),
			     MM_FAULT_OK);
	mm_touch_leave();
	for (int i = 1; i < 4; i++)
		KT_ASSERT_EQ(t, mm_fork(mm[i - 1], &mm[i]), 0);
	KT_EXPECT_EQ(t, rmap_families(), families0 + 1);
	KT_ASSERT_EQ(t, mm_protect(mm[1], BASE + P(2), P(2), MM_PROT_READ), 0);
	vaddr_t out;
	KT_ASSERT_EQ(t, mm_remap(mm[2], BASE + P(4), P(4), P(4), 3, moved, &out),
		     0);
	KT_EXPECT_EQ(t, out, moved);
	struct page *pg = phys_to_page(pte_frame(pte_of(mm[0], BASE + P(5))));
	KT_ASSERT(t, pg);
	KT_EXPECT_EQ(t, rmap_mapcount(pg), 4);
	KT_EXPECT(t, rmap_has(pg, mm[2], moved + P(1)));
	KT_EXPECT(t, rmap_has(pg, mm[3], BASE + P(5)));

	KT_EXPECT_EQ(t, evict_all(), 8);
	for (uint32_t i = 0; i < 8; i++) {
		pte_t pte = pte_of(mm[0], BASE + P(i));
		KT_ASSERT(t, pte_is_swap(pte));
		KT_EXPECT_EQ(t, swap_slot_refs(pte_swap_slot(pte)), 4);
		KT_EXPECT_EQ(t, pte_of(mm[1], BASE + P(i)), pte);
		KT_EXPECT_EQ(t, pte_of(mm[3], BASE + P(i)), pte);
		KT_EXPECT_EQ(t, pte_of(mm[2], i < 4 ? BASE + P(i)
						     : moved + P(i - 4)),
			     pte);
	}
	for (int i = 0; i < 4; i++)
		KT_EXPECT_EQ(t, mm_check(mm[i]), 0);
	expect_words(t, mm[2], moved, 4, 0xF004);
	expect_words(t, mm[1], BASE, 8, 0xF000);
	pg = phys_to_page(pte_frame(pte_of(mm[1], BASE + P(5))));
	KT_ASSERT(t, pg);
	KT_EXPECT_EQ(t, rmap_mapcount(pg), 2);
	mm_touch_enter(mm[3]);
	KT_ASSERT_EQ(t, mm_touch_write(BASE + P(5), 0x5555), MM_FAULT_OK);
	mm_touch_leave();
	KT_EXPECT_EQ(t, rmap_mapcount(pg), 2);
	expect_words(t, mm[0], BASE, 8, 0xF000);
	KT_EXPECT_EQ(t, rmap_mapcount(pg), 3);
	expect_words(t, mm[3], BASE, 5, 0xF000);
	for (int i = 0; i < 4; i++)
		KT_EXPECT_EQ(t, mm_check(mm[i]), 0);
	for (int i = 0; i < 4; i++)
		mm_destroy(mm[i]);
	KT_EXPECT_EQ(t, rmap_families(), families0);
	KT_EXPECT_EQ(t, swap_free(), slots0);
	KT_EXPECT_EQ(t, vmscan_check_idle(), 0);
	vmscan_shrink();
	KT_EXPECT(t, mm_touch_same(&snap));
}

static const struct ktest_case vmscan_cases[] = {
	KTEST_CASE(evict_and_fault_back),
	KTEST_CASE(accessed_bit),
	KTEST_CASE(cow_through_swap),
	KTEST_CASE(family_fork_split_move_evict),
};
KTEST_SUITE(vmscan, vmscan_cases);
