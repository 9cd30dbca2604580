/*
 * mm/rmap.h - reverse mapping: from a user frame to every PTE mapping it.
 *
 * Page tables answer "which frame is behind this address"; eviction needs
 * the opposite question, "which PTEs point at this frame", because every
 * one of them must become a swap entry before the frame can be freed, and
 * the replacement policy needs it to read the accessed bits of all of
 * them. Pagoda keeps the answer explicitly, one (address space, virtual
 * address) pair per mapping. Most frames are mapped once, so the first
 * pair of a private frame lives in its struct page (page->user.map); the
 * others are small items chained from page->rmap:
 *
 *   struct page (frame F)
 *   +--------------------------+
 *   | user.map  mm A, 0x804a000|        parent
 *   | rmap -------+            |
 *   +-------------|------------+
 *                 v
 *         [mm B, 0x804a000] --> [mm C, 0x804a000] --> NULL
 *           child after fork      another child
 *
 * A shm object's frame keeps its object in that place instead (PG_SHM),
 * so all its mappings are items.
 *
 * Invariants, for every user frame (PG_USER):
 *  - there is exactly one pair (mm, va) for each present PTE at va in mm
 *    that maps the frame (in user.map or an item), so the number of pairs
 *    is the frame's map count;
 *  - refcount == map count + 1 if a shm object owns the frame + pins, a
 *    pin being a reference the fault path holds for a moment while it
 *    allocates; a pinned frame is never evicted.
 * Pairs are added just before a PTE is installed (a fault, fork, swap-in)
 * and removed when the PTE goes (unmap, copy-on-write break, exit,
 * eviction); mm_check() verifies both invariants.
 *
 * Linux reaches the same PTEs through anon_vma and the file mapping's
 * interval tree, which cost less memory per page; a list per frame is the
 * simplest structure that answers the question exactly.
 *
 * Locking: none; the kernel is not preemptible, and the timer interrupt
 * reads chains only when it interrupted user mode (kernel/proc/sched.c).
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/types.h"

struct mm;

/* One PTE mapping a frame: the address space and the virtual address. */
struct rmap_item {
	struct rmap_item *next; /* the next mapping of the same frame */
	struct mm *mm;		/* whose page tables */
	vaddr_t va;		/* page-aligned user address */
};

/*
 * Records that va in mm is about to map pg. Returns 0, or -ENOMEM (an
 * item was needed and could not be allocated; nothing changed).
 */
int rmap_add(struct page *pg, struct mm *mm, vaddr_t va);

/* Forgets the mapping (mm, va) of pg, which must have been recorded. */
void rmap_remove(struct page *pg, struct mm *mm, vaddr_t va);

/*
 * Changes the recorded mapping (mm, from) of pg, which must exist, to
 * (mm, to): the PTE moved (mremap). Allocates nothing.
 */
void rmap_move(struct page *pg, struct mm *mm, vaddr_t from, vaddr_t to);

/* The number of PTEs mapping pg (the chain's length). */
uint32_t rmap_mapcount(const struct page *pg);

/*
 * Calls fn(mm, va, ptep, arg) for every mapping of pg; ptep is the PTE
 * (present, mapping pg). Stops at the first non-zero return and returns
 * it. fn may remove the mapping it is called for (and only that one).
 */
int rmap_walk(struct page *pg,
	      int (*fn)(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg),
	      void *arg);

/*
 * Reverse-map items in existence (/proc/vmstat nr_rmap_items): the
 * mappings beyond the first of each private frame, and all mappings of
 * shm frames.
 */
uint32_t rmap_items(void);

/* Whether a locked region (mlock, VMA_LOCKED) maps pg. */
bool rmap_locked(const struct page *pg);

/* Whether the mapping (mm, va) of pg is recorded (for mm_check()). */
bool rmap_has(const struct page *pg, const struct mm *mm, vaddr_t va);

#endif
