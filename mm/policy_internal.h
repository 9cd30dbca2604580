/*
 * mm/policy_internal.h - what the replacement policies share.
 *
 * Every policy keeps its pages on one list through page->list, sets
 * PG_POLICY_TRACKED while a page is on it, and counts what it does in its
 * struct vm_policy_stats. The helpers here do that bookkeeping the same
 * way for all of them, so that each policy file holds only its algorithm.
 * Only files implementing a policy include this header (mm/policy*.c and
 * the simulator's reference policies in tools/vmsim/).
 *
 * Invariant, for a policy with list `head` and counters `st`: a page is
 * on head if and only if PG_POLICY_TRACKED is set in its flags, and
 * st->tracked is the length of head.
 */
#ifndef MM_POLICY_INTERNAL_H
#define MM_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "libk/assert.h"
#include "libk/list.h"
#include "mm/page.h"
#include "mm/policy.h"

/* The policy's private bits: PG_POLICY_MASK above the tracked bit. */
#define POLICY_DATA_SHIFT (PG_POLICY_SHIFT + 1)
#define POLICY_DATA_MASK (PG_POLICY_MASK & ~PG_POLICY_TRACKED)
#define POLICY_DATA_MAX (POLICY_DATA_MASK >> POLICY_DATA_SHIFT)

/* The page whose list node is n. */
static inline struct page *policy_page(struct list_node *n)
{
	return list_entry(n, struct page, list);
}

/* The policy's private value kept in pg->flags. */
static inline uint32_t policy_data(const struct page *pg)
{
	return (pg->flags & POLICY_DATA_MASK) >> POLICY_DATA_SHIFT;
}

/* Stores the policy's private value (at most POLICY_DATA_MAX) in flags. */
static inline void policy_set_data(struct page *pg, uint32_t v)
{
	KASSERT(v <= POLICY_DATA_MAX);
	pg->flags = (pg->flags & ~POLICY_DATA_MASK) | (v << POLICY_DATA_SHIFT);
}

/*
 * Starts tracking pg at the back of head (the newest end). Inline, with
 * policy_untrack(): every fault and every free calls one of them.
 */
static inline void policy_track(list_head_t *head, struct vm_policy_stats *st,
				struct page *pg)
{
	KASSERT(!policy_page_tracked(pg));
	pg->flags = (pg->flags & ~PG_POLICY_MASK) | PG_POLICY_TRACKED;
	list_push_back(head, &pg->list);
	st->tracked++;
}

/* Stops tracking pg: off its list, policy bits cleared. */
static inline void policy_untrack(struct vm_policy_stats *st, struct page *pg)
{
	KASSERT(policy_page_tracked(pg));
	KASSERT(st->tracked > 0);
	list_remove(&pg->list);
	pg->flags &= ~PG_POLICY_MASK;
	st->tracked--;
}

/* Stops tracking every page on head. */
void policy_untrack_all(list_head_t *head, struct vm_policy_stats *st);
/* Moves a tracked page to the back of head, as if just added. */
static inline void policy_requeue(list_head_t *head, struct page *pg)
{
	KASSERT(policy_page_tracked(pg));
	list_remove(&pg->list);
	list_push_back(head, &pg->list);
}

/* The front page of head (the oldest), or NULL when it is empty. */
static inline struct page *policy_first(list_head_t *head)
{
	struct list_node *n = list_first(head);
	return n ? policy_page(n) : NULL;
}

#endif
