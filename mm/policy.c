/*
 * mm/policy.c - the list of replacement policies and what they share.
 *
 * vm_policies[] names every policy, the default first; vm_policy_find()
 * looks one up by the name given with vm.policy= or written at run time.
 * The helpers below keep the invariant of mm/policy_internal.h (a page is
 * on its policy's list exactly while PG_POLICY_TRACKED is set, and the
 * policy's `tracked` counter is the length of that list).
 *
 * The environment provides policy_test_and_clear_accessed() (the reverse
 * map) and policy_random(). The weak definitions at the end stand in for
 * them where nothing stronger is linked, so that every build links: a
 * program that has no reverse map sees no page as accessed, which turns
 * clock and aging into FIFO, and the random policy gets a fixed-seed
 * xorshift sequence.
 *
 * Locking: as for every policy, the caller keeps interrupts off.
 */
#include "mm/policy.h"

#include "libk/assert.h"
#include "libk/list.h"
#include "libk/string.h"
#include "mm/policy_internal.h"

/* The default policy comes first (vm.policy= defaults to it). */
const struct vm_policy *const vm_policies[] = {
	VM_POLICY_DEFAULT,
	&vm_policy_fifo,
	&vm_policy_aging,
	&vm_policy_random,
	&vm_policy_clockpro,
	NULL,
};

/* Looks a policy up by name, or NULL. */
const struct vm_policy *vm_policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct vm_policy *const *p = vm_policies; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

/* The counters of one policy. */
const struct vm_policy_stats *vm_policy_stats(const struct vm_policy *p)
{
	KASSERT(p && p->stats);
	return p->stats;
}

/* Moves every page from one policy to another, oldest first. */
void vm_policy_transfer(const struct vm_policy *from,
			const struct vm_policy *to)
{
	struct page *pg;

	if (from == to)
		return;
	/* to tracks nothing; what it remembers from before is stale. */
	KASSERT(to->stats->tracked == 0);
	to->reset();
	while ((pg = from->oldest()) != NULL) {
		from->remove(pg);
		to->add(pg);
	}
	KASSERT(from->stats->tracked == 0);
}

/* Stops tracking every page on head. */
void policy_untrack_all(list_head_t *head, struct vm_policy_stats *st)
{
	struct list_node *n, *tmp;

	list_for_each_safe(n, tmp, head)
		policy_untrack(st, policy_page(n));
	KASSERT(st->tracked == 0);
}

/*
 * Stand-in when no reverse map is linked (mm/rmap.c provides the real
 * one): no page ever looks accessed.
 */
__attribute__((weak)) bool policy_test_and_clear_accessed(struct page *pg)
{
	(void)pg;
	return false;
}

/*
 * Stand-in when the environment has no random numbers (the kernel
 * provides its own): Marsaglia's xorshift32 from a fixed seed.
 */
__attribute__((weak)) uint32_t policy_random(void)
{
	static uint32_t x = 2463534242u;

	return policy_xorshift32(&x);
}
