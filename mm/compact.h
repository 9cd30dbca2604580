/*
 * mm/compact.h - compaction of physical memory: moving user pages so that
 * free frames join into large buddy blocks.
 *
 * After a while of allocating and freeing, free memory lies in many small
 * blocks between allocated frames ("external fragmentation"): plenty is
 * free, yet no 2 MiB block is. Most allocated frames are fixed (page
 * tables, the kernel heap, kernel stacks: the kernel holds their
 * addresses), but user pages are reached only through PTEs, which the
 * reverse map (mm/rmap.h) finds: such a page can be copied to another
 * frame and every PTE pointed at the copy. Compaction does that for the
 * user pages at the low end of memory, moving them to free frames at the
 * high end, as Linux does (mm/compaction.c): a migrate scanner walks up
 * from the lowest frame, a free scanner walks down from the highest, and
 * the run ends where they meet. The free frames left behind in the low
 * part merge with their buddies into large blocks.
 *
 * Pagoda does not keep kernel and user allocations in separate blocks
 * (Linux's grouping by mobility, its migrate types), so page tables and
 * kernel objects lie scattered among user pages. A block of
 * COMPACT_BLOCK_PAGES holding one such fixed frame can never become a
 * free block of that size; when compaction aims at large blocks (a full
 * run, or a direct one for order >= COMPACT_BLOCK_ORDER) the migrate
 * scanner leaves these blocks alone, and the free scanner fills their
 * holes first, before the classic sweep down from the top (mm/compact.c).
 *
 *   before:  |U.U.K.U.|.U.U..U.|U..U.U..|.U..U...|   U user, K kernel
 *   after:   |....K...|........|....UUUU|UUUUUUUU|   . free
 *             migrate scanner -->     <-- free scanner
 *
 * Movable: a single allocated frame of user memory (PG_HEAD | PG_USER,
 * order 0) that nothing pins: its references are exactly its mappings
 * (plus its shm object's). Private pages (anonymous memory, private file
 * pages, copy-on-write shared ones), shm pages and pages in the swap
 * cache all move; pages of mlock'ed regions too, as on Linux (mlock
 * promises residence, not a physical address). A page with an extra
 * reference (a fault or a read from swap in progress) is skipped and
 * counted. Page tables and kernel memory never move.
 *
 * Triggers: a write to /proc/sys/vm/compact_memory compacts all of memory
 * (compact_memory()); a block allocation of order >= 1 that fails
 * compacts until a block of that order is free (compact_direct(), from
 * the allocator's slow path), unless the failure is for lack of memory
 * rather than fragmentation (Linux's extfrag_threshold test).
 * docs/compaction.md tells the story with fragdemo's numbers.
 *
 * Locking: none; the kernel is not preemptible and no user code runs
 * while a page moves, so copying first and switching the PTEs after
 * cannot lose a write (Linux, on several CPUs, replaces the PTEs by
 * migration entries before the copy instead).
 */
#ifndef MM_COMPACT_H
#define MM_COMPACT_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"

/*
 * The size of the scanners' steps and of the blocks that count as large:
 * 2^9 frames = 2 MiB, Linux's pageblock_order on x86 (a PMD-sized huge
 * page with PAE or on x86-64). The free scanner never breaks a free block
 * of this order or larger.
 */
#define COMPACT_BLOCK_ORDER 9u
#define COMPACT_BLOCK_PAGES (1u << COMPACT_BLOCK_ORDER)

/*
 * Direct compaction is skipped when the fragmentation index of the order
 * (see compact_extfrag_index) is at or below this, in thousandths: the
 * allocation failed for lack of memory, which moving pages cannot cure
 * (Linux's /proc/sys/vm/extfrag_threshold, default 500).
 */
#define COMPACT_EXTFRAG_THRESHOLD 500

/* Counters, shown in /proc/vmstat under Linux's names. */
struct compact_stats {
	uint64_t migrate_scanned;   /* compact_migrate_scanned: frames looked
				       at by the migrate scanner */
	uint64_t free_scanned;	    /* compact_free_scanned: frames looked at
				       by the free scanner */
	uint64_t isolated;	    /* compact_isolated: free frames taken as
				       targets plus pages taken to move */
	uint64_t stall;		    /* compact_stall: direct compactions run */
	uint64_t success;	    /* compact_success: ... after which the
				       allocation could be served */
	uint64_t fail;		    /* compact_fail: ... after which not */
	uint64_t pgmigrate_success; /* pages moved (by compaction or any
				       other migrate_page() call) */
	uint64_t pgmigrate_fail;    /* pages compaction chose but could not
				       move */
	/* Pagoda's own. */
	uint64_t skipped_pinned; /* compact_skipped_pinned: user pages left
				    because something held a reference */
	uint64_t runs;		 /* compact_runs: compact_memory() calls */
	uint64_t deferred;	 /* compact_deferred: direct compactions
				    skipped after recent failures */
};

/* What one compaction did (compact_memory's report). */
struct compact_result {
	uint32_t migrated;	  /* pages moved */
	uint32_t failed;	  /* pages that could not be moved */
	uint32_t pinned;	  /* movable pages skipped: pinned */
	uint32_t migrate_scanned; /* frames the migrate scanner looked at */
	uint32_t free_scanned;	  /* frames the free scanner looked at */
	uint32_t meet_pfn;	  /* where the scanners stopped */
};

/*
 * Moves the user page old to the frame new (a single frame allocated for
 * user memory, refcount 1, in no other use): copies the contents, points
 * every PTE mapping old at new (flushing their TLB entries), moves the
 * reverse map, the swap cache entry, the shm object's slot, the
 * replacement policy's tracking and the references, and frees old.
 * Returns 0; -EINVAL when old is not a movable user frame, -EBUSY when
 * something pins it (both leave everything as it was, new included).
 */
int migrate_page(struct page *old, struct page *new);

/* Whether pg is a single user frame of the kinds that move (not pinned). */
bool compact_page_movable(const struct page *pg);

/*
 * Compacts all of memory: scanners from both ends until they meet. The
 * report goes to *res when res is not NULL. Returns 0, or -EBUSY when a
 * compaction is already running (a direct one that reentered).
 */
int compact_memory(struct compact_result *res);

/*
 * Direct compaction for a failed allocation of 2^order frames (order >=
 * 1): compacts until a free block of that order exists. Returns whether
 * one does; false also when compaction was not tried (order 0, a failure
 * from lack of memory, no user pages, a compaction running, or deferred:
 * after a failure at this order or below, the next 1, 2, 4 ... 64
 * attempts are skipped, as Linux's defer_compaction() does). A run counts
 * in compact_stall, and in compact_fail when it found no block; when it
 * did, the caller's retry counts compact_success or compact_fail
 * (compact_direct_result).
 */
bool compact_direct(unsigned int order);

/* The allocator retried after compact_direct(): did it get its block? */
void compact_direct_result(bool allocated);

/* The counters. */
void compact_get_stats(struct compact_stats *st);

/* Forgets the deferral state (a test that boots a fresh machine). */
void compact_forget(void);

/*
 * Linux's fragmentation index for a request of 2^order frames
 * (mm/vmstat.c, /sys/kernel/debug/extfrag/extfrag_index), in
 * thousandths: -1000 when a free block of that order exists (the request
 * can be served); otherwise 1000 - (1000 + 1000 * free / 2^order) /
 * free_blocks, near 0 when the free memory is too little (compaction
 * would not help) and near 1000 when it is enough but in too many small
 * blocks (it would). 0 when nothing is free.
 */
int compact_extfrag_index(unsigned int order);

/* Free frames that lie in free blocks of order >= order (cached included). */
uint32_t compact_free_in_order(unsigned int order);

/*
 * What compaction can reach at best, from a walk over every frame in
 * blocks of COMPACT_BLOCK_PAGES:
 *   clean blocks:  no frame that cannot move (kernel, page table, pinned
 *                  or reserved), only free and movable ones;
 *   holes:         free and movable frames in the other blocks;
 *   reachable:     the free frames that could lie in whole free blocks if
 *                  every movable page were placed perfectly: the clean
 *                  blocks, minus those the movable pages that do not fit
 *                  in the holes must fill.
 * All in frames.
 */
struct compact_survey {
	uint32_t free;	    /* free frames */
	uint32_t movable;   /* movable user pages */
	uint32_t unmovable; /* allocated frames that cannot move */
	uint32_t clean_blocks;
	uint32_t holes;
	uint32_t reachable;  /* see above */
	uint32_t free_large; /* free frames in blocks of order >= 9 now */
};
void compact_survey(struct compact_survey *sv);

#endif
