/*
 * mm/policy.h - page replacement policies behind one small interface.
 *
 * A policy keeps track of the resident user pages that may be evicted and,
 * when memory runs short, chooses which one goes next. It sees pages only
 * through this interface and through policy_test_and_clear_accessed(),
 * which reads and clears the accessed bits of every PTE mapping a page
 * (the reverse map in the kernel, a simulated MMU in tools/vmsim). The
 * same policy source files are compiled into the kernel and into the
 * simulator.
 *
 * The policy may use the page's `list` node and the bits of page->flags
 * named PG_POLICY_MASK for its own bookkeeping while the page is tracked.
 * Bit PG_POLICY_TRACKED of that field is set exactly while some policy
 * tracks the page (add() sets it, remove() and reset() clear it), so the
 * rest of mm/ can ask policy_page_tracked().
 *
 * The policies are in mm/policy_fifo.c, policy_clock.c, policy_aging.c,
 * policy_random.c and policy_clockpro.c; mm/policy.c holds the list of them and what they share.
 * docs/replacement.md compares them.
 *
 * Locking: none inside. tick() runs in the timer interrupt, and only when
 * that interrupted user code (kernel/proc/sched.c), so no other call is
 * ever interrupted by it: add() and remove() (vmscan_track/untrack, on
 * every fault and free) run with interrupts on; reclaim and a policy
 * switch keep them off anyway, which costs little there. That is enough
 * on one CPU.
 */
#ifndef MM_POLICY_H
#define MM_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"

struct vm_policy_stats;

struct vm_policy {
	const char *name;	 /* "clock", "fifo", "aging", "random", "clockpro" */
	const char *description; /* one line for documentation and /proc */
	/* Forgets every page (the set of tracked pages becomes empty). */
	void (*reset)(void);
	/* A resident user page became evictable. */
	void (*add)(struct page *pg);
	/* The page is no longer evictable (freed, or evicted). */
	void (*remove)(struct page *pg);
	/*
	 * Chooses a victim among the tracked pages (it stays tracked until
	 * remove() is called) or returns NULL when none is tracked. May call
	 * policy_test_and_clear_accessed() and reorder its pages. A victim
	 * that is not removed (its eviction failed) is treated as if it had
	 * just been added, so the next call picks another page.
	 */
	struct page *(*choose)(void);
	/*
	 * Called on every timer tick (aging samples accessed bits here);
	 * never NULL, a no-op for policies that ignore time.
	 */
	void (*tick)(void);
	/*
	 * Only the simulator calls this, on every reference, for policies
	 * that need exact knowledge (LRU as a reference); NULL otherwise.
	 */
	void (*access)(struct page *pg, bool write);
	/*
	 * The page that has been tracked longest, without side effects, or
	 * NULL: lets vm_policy_transfer() move pages in arrival order.
	 */
	struct page *(*oldest)(void);
	/*
	 * Optional, NULL for policies that keep no history of evicted
	 * pages. evicted(): pg, a victim of choose(), is leaving memory and
	 * its contents will be known by key from now on; called just before
	 * remove(). refault(): pg, just added, holds the contents known by
	 * key, that is, a page evicted earlier came back; called just after
	 * add(). The key is what identifies contents across an eviction:
	 * the swap slot in the kernel (mm/vmscan.c), the page number in
	 * tools/vmsim. A policy may remember a bounded number of keys and
	 * must not rely on a key being seen again.
	 */
	void (*evicted)(struct page *pg, uint32_t key);
	void (*refault)(struct page *pg, uint32_t key);
	/* This policy's counters (see vm_policy_stats()). */
	struct vm_policy_stats *stats;
};

/* Counters per policy, shown in /proc/vmstat. */
struct vm_policy_stats {
	uint64_t chosen;  /* victims returned by choose() */
	uint64_t scanned; /* pages looked at while choosing */
	uint64_t second;  /* pages spared because they were accessed */
	uint64_t sampled; /* accessed bits sampled by tick() (aging) */
	uint64_t refaults; /* refault() calls for a key still remembered */
	uint32_t tracked; /* pages tracked now */
};

/*
 * Reads and clears the accessed bits of every PTE that maps pg (flushing
 * the TLB entries concerned). True if any was set. Provided by the
 * environment: mm/rmap.c in the kernel, the simulated MMU in tools/vmsim.
 */
bool policy_test_and_clear_accessed(struct page *pg);
/* A random number for the random policy (kernel/vmctl.c or the host). */
uint32_t policy_random(void);

/*
 * Marsaglia's xorshift32 ("Xorshift RNGs", Journal of Statistical
 * Software 8(14), 2003; shifts 13, 17, 5): the reproducible stream the
 * random policy draws from in tools/vmsim (--seed) and in the kernel once
 * a seed is set (/proc/sys/vm/policy_seed). *state must not be 0.
 */
static inline uint32_t policy_xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* All policies, NULL-terminated; the first is the default. */
extern const struct vm_policy *const vm_policies[];
/*
 * The default policy, vm_policies[0]: named here so that a static
 * initializer (mm/vmscan.c's active policy) can use it.
 */
#define VM_POLICY_DEFAULT (&vm_policy_clock)
/* Looks a policy up by name, or NULL. */
const struct vm_policy *vm_policy_find(const char *name);

/* The policies, also reachable through vm_policies[]. */
extern const struct vm_policy vm_policy_clock;
extern const struct vm_policy vm_policy_fifo;
extern const struct vm_policy vm_policy_aging;
extern const struct vm_policy vm_policy_random;
extern const struct vm_policy vm_policy_clockpro;

/* The counters of one policy (kept whether or not it is active). */
const struct vm_policy_stats *vm_policy_stats(const struct vm_policy *p);

/*
 * Moves every page tracked by from to to, oldest first (a switch of
 * policy at run time), after resetting to (which forgets any history of
 * evicted pages from an earlier turn). Afterwards from tracks nothing.
 */
void vm_policy_transfer(const struct vm_policy *from,
			const struct vm_policy *to);

/* Bit of PG_POLICY_MASK set while a policy tracks the page. */
#define PG_POLICY_TRACKED (1u << PG_POLICY_SHIFT)

/* Whether some policy tracks pg (it is a candidate for eviction). */
static inline bool policy_page_tracked(const struct page *pg)
{
	return (pg->flags & PG_POLICY_TRACKED) != 0;
}

#endif
