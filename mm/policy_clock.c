/*
 * mm/policy_clock.c - second-chance replacement, the "clock" algorithm.
 *
 * Pages sit on a circle in the order they became resident, and a hand
 * points at the oldest. To choose a victim, the hand looks at the page
 * under it: if the page was accessed since the hand last passed (its PTEs'
 * accessed bits, read and cleared by policy_test_and_clear_accessed()),
 * it gets a second chance and the hand moves on; the first page found
 * not accessed is the victim.
 *
 *            hand
 *             v
 *       .-> [A=1] -> [A=0] -> [A=1] -.      A: accessed since last pass
 *       '----------------------------'
 *   choose: clear the first A (spared), stop at the second: the victim
 *
 * The circle is a list whose front is the page under the hand: moving
 * the hand past a page is moving that page to the back, and a new page
 * goes in at the back, just behind the hand, as in a circular buffer of
 * frames where it would take the victim's slot. If every page was
 * accessed, one full turn clears every bit and the hand stops where it
 * started: clock then behaves like FIFO.
 *
 * Costs: add and remove O(1); choose O(n) at worst (one turn), usually a
 * few steps, each one a policy_test_and_clear_accessed() (a reverse-map
 * walk and a TLB flush in the kernel).
 *
 * Invariants: those of mm/policy_internal.h; the front of clock_pages is
 * under the hand. Locking: the caller keeps interrupts off.
 */
#include "libk/list.h"
#include "mm/page.h"
#include "mm/policy.h"
#include "mm/policy_internal.h"

static list_head_t clock_pages = LIST_HEAD_INIT(clock_pages);
static struct vm_policy_stats clock_stats;

/* Forgets every page. */
static void clock_reset(void)
{
	policy_untrack_all(&clock_pages, &clock_stats);
}

/* Puts a new page just behind the hand. */
static void clock_add(struct page *pg)
{
	policy_track(&clock_pages, &clock_stats, pg);
}

/*
 * Takes a page off the circle. The hand is the list head, so removing the
 * page under it simply leaves the hand on the next one.
 */
static void clock_remove(struct page *pg)
{
	policy_untrack(&clock_stats, pg);
}

/*
 * Moves the hand until it finds a page not accessed since the last pass,
 * sparing (and clearing) the accessed ones; the hand then moves past the
 * victim too. At most two turns: after one, every bit has been cleared,
 * unless something keeps touching the pages, in which case the page under
 * the hand is taken anyway.
 */
static struct page *clock_choose(void)
{
	/* LAB 5 BEGIN: second chance: the hand passes recently used pages */
	uint32_t limit = 2 * clock_stats.tracked; /* frames < 2^20 */
	struct page *pg = policy_first(&clock_pages);

	if (!pg)
		return NULL;
	for (uint32_t step = 0; step < limit; step++) {
		clock_stats.scanned++;
		if (!policy_test_and_clear_accessed(pg))
			break;
		clock_stats.second++;
		policy_requeue(&clock_pages, pg);
		pg = policy_first(&clock_pages);
	}
	policy_requeue(&clock_pages, pg);
	clock_stats.chosen++;
	return pg;
	/* LAB 5 END */
}

/* The page under the hand. */
static struct page *clock_oldest(void)
{
	return policy_first(&clock_pages);
}

/* Clock samples accessed bits only when choosing. */
static void clock_tick(void)
{
}

const struct vm_policy vm_policy_clock = {
	.name = "clock",
	.description = "second chance: skip (and clear) pages accessed since "
		       "the hand last passed",
	.reset = clock_reset,
	.add = clock_add,
	.remove = clock_remove,
	.choose = clock_choose,
	.tick = clock_tick,
	.access = NULL,
	.oldest = clock_oldest,
	.stats = &clock_stats,
};
