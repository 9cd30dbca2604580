/*
 * mm/procswap.h - whole-process swapping: an address space's every
 * resident page, then its page tables, sent to swap, and brought back.
 *
 * Paging moves single pages chosen by the replacement policy; swapping
 * in the textbook sense moves a whole process. Pagoda does it with the
 * paging machinery (docs/process-swapping.md):
 *
 *   swap-out   every present PTE becomes a swap entry: a page only this
 *              space maps is evicted as reclaim would (mm/vmscan.c); a
 *              page shared copy-on-write with another process goes to
 *              the swap cache, stays resident for the other mapper, and
 *              this space keeps a swap entry for its slot; a shm page is
 *              unmapped (its object keeps it, or evicts it if nobody else
 *              maps it). Then each user page table, now holding swap
 *              entries only, is written to a slot of its own and freed;
 *              its PDE keeps that slot as a swap entry. RSS is 0, only
 *              the page directory is left.
 *
 *   swap-in    the page tables come back first (always: nothing can run
 *              without them); then, in prefetch mode, every page the
 *              space had resident at the swap-out (mm->swapped_resident)
 *              is read back at once, while free memory stays above the
 *              high watermark; in demand mode they come back one by one
 *              as page faults touch them.
 *
 * Who decides when is the kernel's medium-term scheduler
 * (kernel/proc/swapper.c): a request through /proc/PID/swapout, memory
 * short for a while, or the OOM path about to kill; a swapped-out process
 * comes back when it runs again.
 *
 * Locking: none; the kernel is not preemptible, and nothing here sleeps.
 */
#ifndef MM_PROCSWAP_H
#define MM_PROCSWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mm.h"
#include "mm/types.h"

/* How a swapped-out process's pages come back (/proc/sys/vm/swapin_mode). */
enum procswap_mode {
	PROCSWAP_PREFETCH, /* all at once when it runs again */
	PROCSWAP_DEMAND,   /* one by one, as it faults on them */
};

/* Counters, since boot (/proc/vmstat). */
struct procswap_stats {
	uint64_t swapout_process; /* address spaces swapped out whole */
	uint64_t swapout_pages;	  /* their pages sent to swap (evicted or
					 left to another mapper) */
	uint64_t swapout_tables;  /* page tables written to swap */
	uint64_t swapout_failed;  /* swap-outs that could not finish */
	uint64_t swapout_auto;	  /* of the swap-outs, the medium-term
					 scheduler's own (memory short) */
	uint64_t swapin_process;  /* swapped-out spaces brought back */
	uint64_t swapin_prefetch; /* of those, in prefetch mode */
	uint64_t swapin_demand;	  /* of those, in demand mode */
	uint64_t swapin_tables;	  /* page tables read back */
	uint64_t swapin_pages_prefetched; /* pages read back by prefetch */
	uint64_t swapin_pages_left;	  /* pages left in swap at swap-in, for
					 demand faults (demand mode, or what
					 prefetch had no room for) */
	uint64_t swapped_reads;		  /* reads of a swapped-out space's
					 memory served from swap in place
					 (/proc/PID/cmdline) */
};
extern struct procswap_stats procswap_stats;

/* The mode of the next swap-ins. */
enum procswap_mode procswap_get_mode(void);
void procswap_set_mode(enum procswap_mode mode);
/* "prefetch" or "demand". */
const char *procswap_mode_name(enum procswap_mode mode);
/* The mode called name, or -EINVAL. */
int procswap_parse_mode(const char *name, size_t len, enum procswap_mode *mode);

/*
 * Swaps out every resident page of mm, then its user page tables (see
 * above). mm must not be loaded in CR3 and none of its users may run
 * until mm_swap_in(). Returns 0; -EALREADY if it is out already;
 * -EBUSY if a region is locked (mlock) or a page is pinned; -ENOSPC if
 * swap is off or lacks room for it all (nothing is done then); -EIO if a
 * write failed, -ENOMEM if the swap cache could not grow: the pages sent
 * so far stay in swap (as paging would have left them), the rest stays
 * resident, and the space is usable as it is.
 */
int mm_swap_out(struct mm *mm);

/*
 * Brings mm's page tables back from swap. Returns 0, -ENOMEM (no frame for
 * a table, even after reclaim) or -EIO (a table could not be read, even
 * after retries); the tables not read stay in swap.
 */
int mm_swap_in_tables(struct mm *mm);

/*
 * Brings a swapped-out mm back in the given mode: its page tables, and in
 * prefetch mode its pages while free memory lasts. Returns 0 or an error
 * of mm_swap_in_tables() (a failed page read only leaves the page for its
 * fault).
 */
int mm_swap_in(struct mm *mm, enum procswap_mode mode);

/* Whether some of mm's page tables are in swap. */
static inline bool mm_tables_swapped(const struct mm *mm)
{
	return mm->space.nr_swapped != 0;
}

/*
 * Whether mm must come back before it is used: swapped out, or some of
 * its tables still in swap (a swap-in cut short).
 */
static inline bool mm_swap_pending(const struct mm *mm)
{
	return mm->swapped_out || mm->space.nr_swapped != 0;
}

/*
 * Copies n bytes at addr of mm, whose tables are in swap, into buf
 * without bringing anything back: the tables and pages are read from
 * swap (or the swap cache) into a buffer. Returns 0, -EFAULT (no page
 * there yet: the caller swaps in and uses the ordinary path) or -EIO.
 */
int mm_swapped_read(struct mm *mm, vaddr_t addr, void *buf, size_t n);

/*
 * The end of mm while tables are in swap (mm_destroy): each table is read
 * into a buffer and the slot of each swap entry in it released, then the
 * table's own slot. A table that cannot be read loses its slots (logged).
 */
void mm_swap_forget(struct mm *mm);

#endif
