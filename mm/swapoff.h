/*
 * mm/swapoff.h - bringing every page back from swap, for swapoff(2).
 *
 * A page in swap is referred to from three kinds of places: swap PTEs of
 * private regions (one slot reference each), the slots[] of shared memory
 * objects, and the swap cache (a resident page that still owns its slot).
 * swapoff empties the area by visiting all of them, while
 * swap_drain_begin() keeps new pages from going out (mm/swap.h):
 *
 *   1. every address space: each swap PTE is faulted in as a read would
 *      (mm/fault.c), so a slot shared after fork comes back as one frame,
 *      shared copy-on-write, found through the swap cache; each shared
 *      region's object gets step 2;
 *   2. every shared memory object (those mapped and the SysV segments no
 *      one maps): each page in swap is read back, and each page's swap
 *      cache association dropped;
 *   3. the swap cache: every private page forgets its slot. Such pages
 *      stay mapped read-only and copy-on-write; the next write fault makes
 *      them writable (or copies them if they are shared), as for any page
 *      that was just swapped in.
 *
 * Then no slot is in use and the area can go. Out of memory in steps 1 or
 * 2 stops the walk with -ENOMEM: what was read back stays resident, the
 * rest stays in swap, nothing is lost, and the area is used as before.
 * The kernel is not preemptible and nothing here sleeps, so no process
 * runs while the walk goes on.
 */
#ifndef MM_SWAPOFF_H
#define MM_SWAPOFF_H

struct mm;

/* Steps 1 and 2 for one address space: 0, -ENOMEM or -EIO. */
int swapoff_unuse_mm(struct mm *mm);
/*
 * Step 2 for every shm object nobody maps: SysV segments, tmpfs files
 * (mm/shm.c): 0, -ENOMEM or -EIO.
 */
int swapoff_unuse_segments(void);
/* Step 3 (mm/swap_state.c). */
void swapoff_drop_cache(void);

#endif
