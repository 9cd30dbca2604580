/*
 * mm/policy_random.c - random replacement.
 *
 * The victim is a tracked page drawn uniformly with policy_random(). It
 * knows nothing of use, so it is a floor any sensible policy should beat,
 * yet it never falls into the patterns that defeat FIFO and LRU: on a loop
 * over one page more than memory holds, LRU, FIFO and clock fault on every
 * reference, random on about 7% of them (33 pages in 32 frames, vmsim).
 *
 *   tracked: [P0] [P1] [P2] [P3] [P4]      k = policy_random() % 5 = 3
 *   victim:                 [P3]           walked to from the nearer end
 *
 * Pages are kept on a list (in arrival order, for oldest()), so picking
 * the k-th costs a walk of at most n/2 links: choose is O(n), add and
 * remove O(1). An array of page pointers would make choose O(1), at the
 * price of memory that grows with the number of user pages.
 *
 * Invariants: those of mm/policy_internal.h. Locking: the caller keeps
 * interrupts off.
 */
#include "libk/list.h"
#include "mm/page.h"
#include "mm/policy.h"
#include "mm/policy_internal.h"

static list_head_t random_pages = LIST_HEAD_INIT(random_pages);
static struct vm_policy_stats random_stats;

/* Forgets every page. */
static void random_reset(void)
{
	policy_untrack_all(&random_pages, &random_stats);
}

/* Tracks a new page. */
static void random_add(struct page *pg)
{
	policy_track(&random_pages, &random_stats, pg);
}

/* Forgets one page. */
static void random_remove(struct page *pg)
{
	policy_untrack(&random_stats, pg);
}

/*
 * Returns a tracked page chosen uniformly at random (up to the tiny bias
 * of reducing a 32-bit number modulo n). It stays where it is: another
 * call after a failed eviction draws again.
 */
static struct page *random_choose(void)
{
	uint32_t n = random_stats.tracked;
	struct list_node *node;

	if (n == 0)
		return NULL;
	uint32_t k = policy_random() % n;
	if (k < n / 2) {
		node = random_pages.next;
		for (uint32_t i = 0; i < k; i++)
			node = node->next;
	} else {
		node = random_pages.prev;
		for (uint32_t i = n - 1; i > k; i--)
			node = node->prev;
	}
	KASSERT(node != &random_pages);
	random_stats.scanned++;
	random_stats.chosen++;
	return policy_page(node);
}

/* The page tracked longest. */
static struct page *random_oldest(void)
{
	return policy_first(&random_pages);
}

/* Random ignores time: nothing to do on a tick. */
static void random_tick(void)
{
}

const struct vm_policy vm_policy_random = {
	.name = "random",
	.description = "evict a tracked page chosen uniformly at random",
	.reset = random_reset,
	.add = random_add,
	.remove = random_remove,
	.choose = random_choose,
	.tick = random_tick,
	.access = NULL,
	.oldest = random_oldest,
	.stats = &random_stats,
};
