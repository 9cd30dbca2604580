/*
 * mm/policy_aging.c - an approximation of LRU by aging.
 *
 * Exact LRU needs to know every reference, which the MMU does not report;
 * it only sets a PTE's accessed bit. Aging samples those bits at regular
 * intervals: on every timer tick each page's 8-bit age is shifted right
 * and the accessed bit (read and cleared) enters at the top. The age is
 * then a history of the last 8 ticks, most recent first, and read as a
 * number it orders pages by how recently they were used:
 *
 *   tick             t-7 ...              t   age (tick t: top bit)
 *   page A used at:   .  x  .  .  .  .  x  x   0b11000010 = 0xC2
 *   page B used at:   .  .  .  .  x  x  x  .   0b01110000 = 0x70
 *   victim: the smallest age, B (A was used in the last tick, B not)
 *
 * Pages used in the same tick cannot be told apart, nor pages unused for
 * 8 ticks; ties go to the page resident longest. A page just added counts
 * as used in the current tick (age 0x80): it was, since it faulted in,
 * and otherwise it would be the first victim until the next tick.
 *
 * The age lives in the policy bits of page->flags, so the policy needs no
 * memory of its own: the pages stay on one list in arrival order.
 *
 * Costs: add and remove O(1). tick O(n): one
 * policy_test_and_clear_accessed() per tracked page (a reverse-map walk
 * and TLB flushes in the kernel), which is why the kernel may sample less
 * often than every tick. choose O(n) at worst, a scan for the smallest
 * age that stops at the first page of age 0 (nothing can be smaller, and
 * it is the oldest such page). Keeping pages in per-age buckets would make
 * choose O(1) but tick would still touch every page, so one list it is.
 *
 * Invariants: those of mm/policy_internal.h, aging_pages in arrival order
 * (a victim that is not removed counts as newly arrived). Locking: the
 * caller keeps interrupts off; tick() runs in the timer interrupt.
 */
#include "libk/list.h"
#include "mm/page.h"
#include "mm/policy.h"
#include "mm/policy_internal.h"

/* Bits of history kept per page, and the age of a page used just now. */
#define AGING_BITS 8u
#define AGING_USED (1u << (AGING_BITS - 1))

_Static_assert(AGING_BITS <= 8 && (1u << AGING_BITS) - 1 <= POLICY_DATA_MAX,
	       "the age must fit in the policy bits of page->flags");

static list_head_t aging_pages = LIST_HEAD_INIT(aging_pages);
static struct vm_policy_stats aging_stats;

/* Forgets every page. */
static void aging_reset(void)
{
	policy_untrack_all(&aging_pages, &aging_stats);
}

/* Tracks a page that was just used (it faulted in). */
static void aging_add(struct page *pg)
{
	policy_track(&aging_pages, &aging_stats, pg);
	policy_set_data(pg, AGING_USED);
}

/* Forgets one page. */
static void aging_remove(struct page *pg)
{
	policy_untrack(&aging_stats, pg);
}

/* Shifts every page's history by one tick, the accessed bit entering. */
static void aging_tick(void)
{
	/* LAB 5 BEGIN: age >>= 1, the accessed bit in at the top */
	struct list_node *n;

	list_for_each(n, &aging_pages) {
		struct page *pg = policy_page(n);
		uint32_t age = policy_data(pg) >> 1;

		if (policy_test_and_clear_accessed(pg))
			age |= AGING_USED;
		policy_set_data(pg, age);
		aging_stats.sampled++;
	}
	/* LAB 5 END */
}

/*
 * Returns the page with the smallest age, the oldest among equals. It is
 * then treated as newly added (age 0x80, at the back), so that a failed
 * eviction does not make it the victim again at once. Pages passed over
 * with a non-zero age count as spared because they were accessed.
 */
static struct page *aging_choose(void)
{
	/* LAB 5 BEGIN: the page with the smallest age */
	struct page *victim = NULL;
	uint32_t best = 0;
	uint64_t used = 0;
	struct list_node *n;

	list_for_each(n, &aging_pages) {
		struct page *pg = policy_page(n);
		uint32_t age = policy_data(pg);

		aging_stats.scanned++;
		if (age != 0)
			used++;
		if (!victim || age < best) {
			victim = pg;
			best = age;
			if (age == 0)
				break;
		}
	}
	if (!victim)
		return NULL;
	if (best != 0)
		used--;
	aging_stats.second += used;
	aging_stats.chosen++;
	policy_requeue(&aging_pages, victim);
	policy_set_data(victim, AGING_USED);
	return victim;
	/* LAB 5 END */
}

/* The page resident longest. */
static struct page *aging_oldest(void)
{
	return policy_first(&aging_pages);
}

const struct vm_policy vm_policy_aging = {
	.name = "aging",
	.description = "LRU approximation: 8-bit ages from accessed bits "
		       "sampled every tick; evict the smallest",
	.reset = aging_reset,
	.add = aging_add,
	.remove = aging_remove,
	.choose = aging_choose,
	.tick = aging_tick,
	.access = NULL,
	.oldest = aging_oldest,
	.stats = &aging_stats,
};
