/*
 * mm/policy_fifo.c - first in, first out replacement.
 *
 * Pages queue in the order they became resident; the victim is the one
 * at the front, however recently it was used. Accessed bits are never
 * looked at. Cheap (add, remove and choose are O(1)) and the baseline
 * every other policy is compared with; it also shows Belady's anomaly:
 * more frames can mean more faults.
 *
 *   add 7, 0, 1          front [7] [0] [1] back
 *   choose -> 7          front [0] [1] [7] back   (7 requeued until removed)
 *   remove 7, add 2      front [0] [1] [2] back
 *
 * Invariants: those of mm/policy_internal.h, with fifo_pages in arrival
 * order. Locking: the caller keeps interrupts off.
 */
#include "libk/list.h"
#include "mm/page.h"
#include "mm/policy.h"
#include "mm/policy_internal.h"

static list_head_t fifo_pages = LIST_HEAD_INIT(fifo_pages);
static struct vm_policy_stats fifo_stats;

/* Forgets every page. */
static void fifo_reset(void)
{
	policy_untrack_all(&fifo_pages, &fifo_stats);
}

/* Queues a page that just became resident. */
static void fifo_add(struct page *pg)
{
	policy_track(&fifo_pages, &fifo_stats, pg);
}

/* Takes a page out of the queue, wherever it is. */
static void fifo_remove(struct page *pg)
{
	policy_untrack(&fifo_stats, pg);
}

/*
 * Returns the oldest page. It goes to the back of the queue, so that if
 * its eviction fails the next call returns another page.
 */
static struct page *fifo_choose(void)
{
	struct page *pg = policy_first(&fifo_pages);

	if (!pg)
		return NULL;
	policy_requeue(&fifo_pages, pg);
	fifo_stats.scanned++;
	fifo_stats.chosen++;
	return pg;
}

/* The page at the front of the queue. */
static struct page *fifo_oldest(void)
{
	return policy_first(&fifo_pages);
}

/* FIFO ignores time: nothing to do on a tick. */
static void fifo_tick(void)
{
}

const struct vm_policy vm_policy_fifo = {
	.name = "fifo",
	.description = "first in, first out: evict the page resident longest",
	.reset = fifo_reset,
	.add = fifo_add,
	.remove = fifo_remove,
	.choose = fifo_choose,
	.tick = fifo_tick,
	.access = NULL,
	.oldest = fifo_oldest,
	.stats = &fifo_stats,
};
