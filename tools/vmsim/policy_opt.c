/*
 * tools/vmsim/policy_opt.c - Belady's optimal replacement (OPT, MIN).
 *
 * Evicting the page whose next use lies farthest in the future gives the
 * fewest faults any policy can have on a trace (Belady, 1966). It needs
 * the future, so only a simulator can run it: sim_next_use() answers from
 * the next-use times trace.c computed over the whole trace. Every policy
 * is reported beside it, as the floor.
 *
 * Two resident pages can tie only when neither is used again (a reference
 * names one page). Which of those goes does not change the fault count;
 * a clean one is preferred, as it costs no write-back, then the one
 * resident longest.
 *
 * Costs: choose O(n), a scan over the resident pages, stopping early at a
 * clean page never used again; the others O(1).
 */
#include "libk/list.h"
#include "mm/policy_internal.h"
#include "tools/vmsim/vmsim.h"

static list_head_t opt_pages = LIST_HEAD_INIT(opt_pages);
static struct vm_policy_stats opt_stats;

/* Forgets every page. */
static void opt_reset(void)
{
	policy_untrack_all(&opt_pages, &opt_stats);
}

/* Tracks a page in arrival order. */
static void opt_add(struct page *pg)
{
	policy_track(&opt_pages, &opt_stats, pg);
}

/* Forgets one page. */
static void opt_remove(struct page *pg)
{
	policy_untrack(&opt_stats, pg);
}

/* The page used farthest in the future, clean first among equals. */
static struct page *opt_choose(void)
{
	struct page *victim = NULL;
	uint32_t best = 0;
	bool best_dirty = true;
	struct list_node *n;

	list_for_each(n, &opt_pages) {
		struct page *pg = policy_page(n);
		uint32_t next = sim_next_use(pg);
		bool dirty = sim_page_dirty(pg);

		opt_stats.scanned++;
		if (!victim || next > best ||
		    (next == best && best_dirty && !dirty)) {
			victim = pg;
			best = next;
			best_dirty = dirty;
			if (next == TRACE_NEVER && !dirty)
				break;
		}
	}
	if (!victim)
		return NULL;
	policy_requeue(&opt_pages, victim);
	opt_stats.chosen++;
	return victim;
}

/* The page resident longest. */
static struct page *opt_oldest(void)
{
	return policy_first(&opt_pages);
}

/* OPT needs no sampling. */
static void opt_tick(void)
{
}

const struct vm_policy vmsim_policy_opt = {
	.name = "opt",
	.description = "Belady's optimal: evict the page used farthest in the "
		       "future (simulator only)",
	.reset = opt_reset,
	.add = opt_add,
	.remove = opt_remove,
	.choose = opt_choose,
	.tick = opt_tick,
	.access = NULL,
	.oldest = opt_oldest,
	.stats = &opt_stats,
};
