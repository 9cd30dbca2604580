/*
 * tests/kernel/test_compact.c - page migration and compaction on the real
 * CPU.
 *
 * The host tests (tests/host/test_compact.c) check the bookkeeping against
 * a model MMU; these check what only the hardware shows: every word of a
 * migrated page reads back through the CPU's own translation, in every
 * address space that maps it (copy-on-write parent and child, two shm
 * attachments, a page in the swap cache), and a write made through a
 * translation the CPU had cached before the move lands in the new frame
 * (the TLB entry went with the PTE). A full compaction of a region with
 * holes keeps every word and brings the large blocks back. After each
 * test every frame, heap object and swap slot is back.
 */
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "mm/compact.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/vmscan.h"
#include "tests/kernel/mm_touch.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x30000000u
#define WORDS (PAGE_SIZE / 4)

static pte_t pte_of(struct mm *mm, vaddr_t va)
{
	pte_t *p = vm_pte_lookup(&mm->space, page_round_down(va));
	return p ? *p : 0;
}

static struct page *frame_of(struct mm *mm, vaddr_t va)
{
	pte_t pte = pte_of(mm, va);
	return pte_present(pte) ? phys_to_page(pte_frame(pte)) : NULL;
}

/* The value of word j of test page i. */
static uint32_t word(uint32_t i, uint32_t j)
{
	return 0xC0DE0000u ^ (i * 2654435761u) ^ (j * 40503u);
}

/* Writes every word of test page i at va of the loaded space. */
static bool fill(uint32_t i, vaddr_t va)
{
	for (uint32_t j = 0; j < WORDS; j++)
		if (mm_touch_write(va + 4 * j, word(i, j)) != MM_FAULT_OK)
			return false;
	return true;
}

/* Words of the page at va in mm that differ from test page i (CPU reads). */
static uint32_t bad_words(struct mm *mm, vaddr_t va, uint32_t i)
{
	uint32_t bad = 0;
	mm_touch_enter(mm);
	for (uint32_t j = 0; j < WORDS; j++) {
		uint32_t v = 0;
		if (mm_touch_read(va + 4 * j, &v) != MM_FAULT_OK ||
		    v != word(i, j))
			bad++;
	}
	mm_touch_leave();
	return bad;
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

static uint32_t swap_free(void)
{
	struct swap_stats st;
	swap_get_stats(&st);
	return st.free;
}

/*
 * A private page moves while its translation is cached: a write through
 * the CPU afterwards lands in the new frame.
 */
static void private_page_tlb(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct mm *mm = anon_mm(t, 1);
	KT_ASSERT(t, mm);
	mm_touch_enter(mm);
	KT_ASSERT(t, fill(3, BASE));
	uint32_t v;
	KT_ASSERT_EQ(t, mm_touch_read(BASE, &v), MM_FAULT_OK); /* cached */
	struct page *old = frame_of(mm, BASE), *to = alloc_page(GFP_USER);
	KT_ASSERT(t, old && to);
	KT_ASSERT_EQ(t, migrate_page(old, to), 0);
	KT_EXPECT(t, frame_of(mm, BASE) == to);
	KT_ASSERT_EQ(t, mm_touch_write(BASE + 8, 0xABCD), MM_FAULT_OK);
	KT_EXPECT_EQ(t, ((uint32_t *)page_address(to))[2], 0xABCD);
	KT_ASSERT_EQ(t, mm_touch_write(BASE + 8, word(3, 2)), MM_FAULT_OK);
	mm_touch_leave();
	KT_EXPECT_EQ(t, bad_words(mm, BASE, 3), 0);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_destroy(mm);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* A copy-on-write page of parent and child moves for both. */
static void cow_shared(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct mm *parent = anon_mm(t, 4), *child;
	KT_ASSERT(t, parent);
	mm_touch_enter(parent);
	for (uint32_t i = 0; i < 4; i++)
		KT_ASSERT(t, fill(i, BASE + P(i)));
	mm_touch_leave();
	KT_ASSERT_EQ(t, mm_fork(parent, &child), 0);
	for (uint32_t i = 0; i < 4; i++) {
		struct page *old = frame_of(parent, BASE + P(i));
		KT_ASSERT(t, old && frame_of(child, BASE + P(i)) == old);
		KT_EXPECT_EQ(t, rmap_mapcount(old), 2);
		struct page *to = alloc_page(GFP_USER);
		KT_ASSERT(t, to);
		KT_ASSERT_EQ(t, migrate_page(old, to), 0);
		KT_EXPECT(t, frame_of(parent, BASE + P(i)) == to);
		KT_EXPECT(t, frame_of(child, BASE + P(i)) == to);
	}
	for (uint32_t i = 0; i < 4; i++) {
		KT_EXPECT_EQ(t, bad_words(parent, BASE + P(i), i), 0);
		KT_EXPECT_EQ(t, bad_words(child, BASE + P(i), i), 0);
	}
	/* Still shared copy-on-write: the child's write is its own. */
	mm_touch_enter(child);
	KT_ASSERT_EQ(t, mm_touch_write(BASE, 1), MM_FAULT_OK);
	mm_touch_leave();
	KT_EXPECT_EQ(t, bad_words(parent, BASE, 0), 0);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, mm_check(child), 0);
	mm_destroy(child);
	mm_destroy(parent);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* A shm page attached twice moves; the object finds the new frame. */
static void shm_attached_twice(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct mm *x, *y;
	KT_ASSERT_EQ(t, mm_create(&x), 0);
	KT_ASSERT_EQ(t, mm_create(&y), 0);
	int id = shm_get(IPC_PRIVATE, P(2), 0600);
	KT_ASSERT(t, id >= 0);
	vaddr_t ax, ay;
	KT_ASSERT_EQ(t, shm_attach(x, id, BASE, 0, &ax), 0);
	KT_ASSERT_EQ(t, shm_attach(y, id, BASE + P(64), 0, &ay), 0);
	mm_touch_enter(x);
	KT_ASSERT(t, fill(5, ax) && fill(6, ax + P(1)));
	mm_touch_leave();
	KT_EXPECT_EQ(t, bad_words(y, ay + P(1), 6), 0); /* y maps it now */
	struct page *old = frame_of(x, ax + P(1)), *to = alloc_page(GFP_USER);
	KT_ASSERT(t, old && to && page_shm(old));
	struct shm_object *s = page_shm(old);
	KT_ASSERT_EQ(t, migrate_page(old, to), 0);
	KT_EXPECT(t, s->pages[1] == to);
	KT_EXPECT(t,
		  frame_of(x, ax + P(1)) == to && frame_of(y, ay + P(1)) == to);
	KT_EXPECT_EQ(t, bad_words(x, ax + P(1), 6), 0);
	KT_EXPECT_EQ(t, bad_words(y, ay + P(1), 6), 0);
	KT_EXPECT_EQ(t, bad_words(y, ay, 5), 0);
	mm_touch_enter(y);
	KT_ASSERT_EQ(t, mm_touch_write(ay + P(1), 42), MM_FAULT_OK);
	mm_touch_leave();
	mm_touch_enter(x);
	uint32_t v = 0;
	KT_ASSERT_EQ(t, mm_touch_read(ax + P(1), &v), MM_FAULT_OK);
	mm_touch_leave();
	KT_EXPECT_EQ(t, v, 42);
	KT_EXPECT_EQ(t, mm_check(x), 0);
	KT_EXPECT_EQ(t, mm_check(y), 0);
	KT_EXPECT_EQ(t, shm_remove(id), 0);
	mm_destroy(x);
	mm_destroy(y);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/*
 * A page read back from swap (in the swap cache, mapped read-only by the
 * parent, still a swap entry in the child) moves: the child's fault finds
 * the new frame through the cache, and the slot stays valid.
 */
static void swap_cached(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	uint32_t slots0 = swap_free();
	struct mm *parent = anon_mm(t, 2), *child;
	KT_ASSERT(t, parent);
	mm_touch_enter(parent);
	KT_ASSERT(t, fill(8, BASE) && fill(9, BASE + P(1)));
	mm_touch_leave();
	KT_ASSERT_EQ(t, mm_fork(parent, &child), 0);
	struct vmscan_stats vs;
	vmscan_get_stats(&vs);
	KT_EXPECT_EQ(t, reclaim_pages(vs.tracked), 2);
	KT_ASSERT(t, pte_is_swap(pte_of(parent, BASE)));
	KT_EXPECT_EQ(t, bad_words(parent, BASE, 8), 0); /* read back */
	struct page *old = frame_of(parent, BASE), *to = alloc_page(GFP_USER);
	KT_ASSERT(t, old && to);
	uint32_t slot = old->user.slot;
	KT_ASSERT(t, slot != 0);
	KT_ASSERT_EQ(t, migrate_page(old, to), 0);
	KT_EXPECT_EQ(t, to->user.slot, slot);
	KT_EXPECT(t, swap_cache_lookup(slot) == to);
	KT_EXPECT_EQ(t, bad_words(parent, BASE, 8), 0);
	KT_EXPECT_EQ(t, bad_words(child, BASE, 8), 0);
	KT_EXPECT(t, frame_of(child, BASE) == to);
	/* Out again without a write (clean), and back. */
	vmscan_get_stats(&vs);
	reclaim_pages(vs.tracked);
	KT_EXPECT_EQ(t, bad_words(child, BASE, 8), 0);
	KT_EXPECT_EQ(t, bad_words(child, BASE + P(1), 9), 0);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, mm_check(child), 0);
	mm_destroy(child);
	mm_destroy(parent);
	KT_EXPECT_EQ(t, swap_free(), slots0);
	KT_EXPECT_EQ(t, vmscan_check_idle(), 0);
	vmscan_shrink();
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* Pages of the region compacted by the next test, at most. */
#define FRAG_PAGES 2048u

/*
 * A region with a hole in every other page, compacted whole: every word
 * of every page is kept, and the large free blocks reach the goal of
 * make bench (90 % of what compaction can reach).
 */
static void compact_region_with_holes(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	/* Half of the free memory on a small machine. */
	struct pmm_stats st;
	pmm_get_stats(&st);
	uint32_t npages = st.free_pages / 2 < FRAG_PAGES ? st.free_pages / 2
							 : FRAG_PAGES;
	struct mm *mm = anon_mm(t, npages);
	KT_ASSERT(t, mm);
	mm_touch_enter(mm);
	for (uint32_t i = 0; i < npages; i++)
		KT_ASSERT(t, fill(i, BASE + P(i)));
	mm_touch_leave();
	for (uint32_t i = 1; i < npages; i += 2)
		KT_ASSERT_EQ(t, mm_dontneed(mm, BASE + P(i), P(1)), 0);
	struct compact_stats s0, s1;
	compact_get_stats(&s0);
	struct compact_result r;
	KT_ASSERT_EQ(t, compact_memory(&r), 0);
	compact_get_stats(&s1);
	KT_EXPECT_EQ(t, r.failed, 0);
	KT_EXPECT_EQ(t, s1.pgmigrate_success - s0.pgmigrate_success,
		     r.migrated);
	KT_EXPECT(t, r.migrate_scanned > 0);
	KT_EXPECT_EQ(t, pmm_verify(), 0);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < npages; i += 2)
		bad += bad_words(mm, BASE + P(i), i);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	struct compact_survey sv;
	compact_survey(&sv);
	ktest_note("moved %u pages; free in blocks of order >= 9: %u of %u "
		   "reachable",
		   r.migrated, sv.free_large, sv.reachable);
	KT_EXPECT(t,
		  (uint64_t)sv.free_large * 10 >= (uint64_t)sv.reachable * 9);
	mm_destroy(mm);
	KT_EXPECT(t, mm_touch_same(&snap));
}

static const struct ktest_case compact_cases[] = {
	KTEST_CASE(private_page_tlb),	       KTEST_CASE(cow_shared),
	KTEST_CASE(shm_attached_twice),	       KTEST_CASE(swap_cached),
	KTEST_CASE(compact_region_with_holes),
};
KTEST_SUITE(compact, compact_cases);
