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
 */
#ifndef MM_POLICY_H
#define MM_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct page;

struct vm_policy {
	const char *name;          /* "fifo", "clock", "aging", "random" */
	const char *description;   /* one line for documentation and /proc */
	/* Forgets every page (the set of tracked pages becomes empty). */
	void (*reset)(void);
	/* A resident user page became evictable. */
	void (*add)(struct page *pg);
	/* The page is no longer evictable (freed, or evicted). */
	void (*remove)(struct page *pg);
	/*
	 * Chooses a victim among the tracked pages (it stays tracked until
	 * remove() is called) or returns NULL when none is tracked. May call
	 * policy_test_and_clear_accessed() and reorder its pages.
	 */
	struct page *(*choose)(void);
	/* Called on every timer tick (aging samples accessed bits here). */
	void (*tick)(void);
	/*
	 * Only the simulator calls this, on every reference, for policies
	 * that need exact knowledge (LRU as a reference); NULL otherwise.
	 */
	void (*access)(struct page *pg, bool write);
};

/* Counters per policy, shown in /proc/vmstat. */
struct vm_policy_stats {
	uint64_t chosen;     /* victims returned by choose() */
	uint64_t scanned;    /* pages looked at while choosing */
	uint64_t second;     /* pages spared because they were accessed */
};

/*
 * Reads and clears the accessed bits of every PTE that maps pg (flushing
 * the TLB entries concerned). True if any was set. Provided by the
 * environment: mm/rmap.c in the kernel, the simulated MMU in tools/vmsim.
 */
bool policy_test_and_clear_accessed(struct page *pg);
/* A random number for the random policy (kernel/random.c or the host). */
uint32_t policy_random(void);

/* All policies, NULL-terminated; the first is the default. */
extern const struct vm_policy *const vm_policies[];
/* Looks a policy up by name, or NULL. */
const struct vm_policy *vm_policy_find(const char *name);

#endif
