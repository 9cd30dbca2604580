/*
 * tools/vmsim/policy_lru.c - exact LRU, a reference the simulator can have.
 *
 * Least recently used needs every reference: the simulator reports each
 * one through the access() hook, and the page moves to the back of the
 * list, so the front is always the page unused for longest. No MMU gives
 * the kernel that, which is why it approximates LRU by clock or aging;
 * this policy measures how close they come.
 *
 * It uses the same list node, tracked bit and counters as the kernel's
 * policies (mm/policy_internal.h). Costs: everything O(1).
 */
#include "libk/list.h"
#include "mm/policy_internal.h"
#include "tools/vmsim/vmsim.h"

static list_head_t lru_pages = LIST_HEAD_INIT(lru_pages);
static struct vm_policy_stats lru_stats;

/* Forgets every page. */
static void lru_reset(void)
{
	policy_untrack_all(&lru_pages, &lru_stats);
}

/* A page that just came in is the most recently used. */
static void lru_add(struct page *pg)
{
	policy_track(&lru_pages, &lru_stats, pg);
}

/* Forgets one page. */
static void lru_remove(struct page *pg)
{
	policy_untrack(&lru_stats, pg);
}

/* Every reference moves its page to the most recently used end. */
static void lru_access(struct page *pg, bool write)
{
	(void)write;
	if (policy_page_tracked(pg))
		policy_requeue(&lru_pages, pg);
}

/* The least recently used page. */
static struct page *lru_choose(void)
{
	struct page *pg = policy_first(&lru_pages);

	if (!pg)
		return NULL;
	policy_requeue(&lru_pages, pg);
	lru_stats.scanned++;
	lru_stats.chosen++;
	return pg;
}

/* The least recently used page, without side effects. */
static struct page *lru_oldest(void)
{
	return policy_first(&lru_pages);
}

/* LRU needs no sampling. */
static void lru_tick(void)
{
}

const struct vm_policy vmsim_policy_lru = {
	.name = "lru",
	.description = "exact least recently used (simulator only: sees every "
		       "reference)",
	.reset = lru_reset,
	.add = lru_add,
	.remove = lru_remove,
	.choose = lru_choose,
	.tick = lru_tick,
	.access = lru_access,
	.oldest = lru_oldest,
	.stats = &lru_stats,
};
