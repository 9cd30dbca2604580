/*
 * mm/vmscan.h - reclaim: freeing frames by evicting user pages to swap.
 *
 * Every resident user page is tracked by the active replacement policy
 * (mm/policy.h) from its first mapping until it is freed or evicted. When
 * free frames run short, reclaim asks the policy for victims and evicts
 * them: a page whose copy in swap is still valid (it was read back and not
 * written since) is simply dropped; any other page is written to a new
 * slot. Every PTE mapping it (found through the reverse map, mm/rmap.h)
 * then becomes a swap entry, or, for shared memory, the shm object records
 * the slot; the frame is freed. docs/swap.md tells the whole story.
 *
 * Watermarks, in frames, from the frames the allocator manages (M):
 *
 *   low  = M / 32, at least 32 and at most 1024 (128 KiB .. 4 MiB)
 *   high = low + low / 2
 *   min  = low / 2
 *
 * A user page allocation that finds fewer than `low` frames free first
 * reclaims until `high` are free (so reclaim runs in batches, not once per
 * fault), and fails rather than take the last `min` frames: those are
 * kept for the kernel (page tables, heap, kernel stacks), whose
 * allocations never reclaim, so that the kernel can always finish what it
 * is doing, including killing a process for lack of memory.
 *
 * Locking: none; the kernel is not preemptible. The policy's calls run
 * with interrupts off, as mm/policy.h asks.
 */
#ifndef MM_VMSCAN_H
#define MM_VMSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/policy.h"

struct mm;

/* The watermarks, in frames (see above). */
struct vm_watermarks {
	uint32_t min, low, high;
};

/* The watermarks for the memory the allocator manages now. */
void vmscan_watermarks(struct vm_watermarks *wm);

/*
 * Evicts up to n pages chosen by the active policy. Returns how many
 * frames were freed (fewer when swap is off or full, every candidate is
 * in use, or writes fail). Victims that cannot go are given back to the
 * policy, which then proposes others; at most 2n + 32 proposals are
 * looked at, so a run always ends.
 */
uint32_t reclaim_pages(uint32_t n);

/*
 * Evicts the tracked user page pg now, from every PTE that maps it, as
 * reclaim would (whole-process swapping, mm/procswap.c, calls it for the
 * pages only one process maps); why names the caller in the event trace.
 * Returns 0, -EBUSY (pinned or locked), -ENOSPC (no free slot) or -EIO
 * (the write failed; the page stays).
 */
struct page;
int vmscan_evict(struct page *pg, const char *why);

/*
 * Local replacement: evicts up to n pages mapped by mm, chosen by a
 * second-chance clock over mm's own page tables (mm->rss_hand), whatever
 * the global policy. Used when mm is over its RLIMIT_RSS. Returns the
 * number evicted.
 */
uint32_t reclaim_mm_pages(struct mm *mm, uint32_t n);

/* The active policy (the default one until vm_policy_set() is called). */
const struct vm_policy *vm_policy_active(void);

/*
 * Makes the policy called name the active one, moving every tracked page
 * over to it. Returns 0, or -EINVAL for an unknown name.
 */
int vm_policy_set(const char *name);

/*
 * Writes "[clock] fifo aging random\n" (the active one in brackets) into
 * buf like snprintf; returns the full length.
 */
size_t vm_policy_list(char *buf, size_t size);

/* Passes a timer tick to the active policy (see kernel/proc/sched.c). */
void vm_policy_tick(void);

/* State of the reclaimer, for /proc and tests. */
struct vmscan_stats {
	struct vm_watermarks wm;
	uint32_t tracked;    /* pages the active policy tracks */
	uint32_t swapcache;  /* resident pages with a valid copy in swap */
	uint32_t rmap_items; /* reverse-map items (mappings of shm
				frames) */
	uint32_t anon_families; /* anonymous families (mm/rmap.h) */
};
void vmscan_get_stats(struct vmscan_stats *st);

/*
 * Frees what the reclaimer keeps for reuse but does not need (empty
 * chunks of the swap cache's lookup table). Returns the number of heap
 * objects freed. /proc/sys/vm/drop_caches calls it.
 */
uint32_t vmscan_shrink(void);

/*
 * Checks that nothing is left of swapping state when no user page exists
 * any more: no tracked page, no page in the swap cache. Returns 0 or
 * -EINVAL after logging what is left (tests).
 */
int vmscan_check_idle(void);

#endif
