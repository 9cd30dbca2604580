/*
 * mm/rmap.h - reverse mapping: from a user frame to every PTE mapping it.
 *
 * Page tables answer "which frame is behind this address"; eviction needs
 * the opposite question, "which PTEs point at this frame", because every
 * one of them must become a swap entry before the frame can be freed, and
 * the replacement policy needs it to read the accessed bits of all of
 * them. Pagoda answers it in two ways.
 *
 * Private pages (anonymous memory, the heap, the stack, private file
 * pages) are found through their region, not recorded one mapping at a
 * time. A private region belongs to an anonymous family: the region
 * itself and every copy fork made of it, in the children and their
 * children, with the pieces splitting and moving made of them. A page
 * records its family and an index, and how many PTEs map it:
 *
 *   struct anon_family F               struct page (frame P)
 *   +------------------+               +---------------------------+
 *   | vmas ---+        |               | user.anon  F, index 0x804a |
 *   +---------|--------+               | mapcount   3               |
 *             v                        +---------------------------+
 *   [mm A 0x8048000-0x8050000, delta 0]  parent
 *   [mm B 0x8048000-0x8050000, delta 0]  child
 *   [mm C 0x9000000-0x9008000, delta 0x8048 - 0x9000]  a grandchild's copy,
 *                                                      moved by mremap
 *
 * The index of the page at va in region v is (va >> PAGE_SHIFT) +
 * v->anon_delta, modulo 2^32. A region made lazily gets delta 0, so the
 * index is the virtual page number; mremap changes the delta of the moved
 * copy so that each page keeps its index. To find the PTEs mapping P:
 * for each region of F, va = (index - delta) << PAGE_SHIFT; if va lies in
 * the region and its PTE maps P, that is one mapping. The walk stops when
 * it has found mapcount of them.
 *
 * Fork then costs a region, not a page: the child's copy joins the family
 * and each shared page gets one more map count and reference. A
 * copy-on-write break gives the new page the same family and index.
 *
 * Pages of a shm object (PG_SHM) keep their object in that place instead,
 * and an item per mapping (mm, va) chained from page->rmap: few frames
 * are shared that way.
 *
 * Invariants, for every user frame (PG_USER):
 *  - map count = the number of present PTEs mapping the frame; for a
 *    private page each lies in a region of its family at its index, for
 *    a shm page each has its item;
 *  - refcount == map count + 1 if a shm object owns the frame + pins, a
 *    pin being a reference the fault path holds for a moment while it
 *    allocates; a pinned frame is never evicted;
 *  - a private region with a present page or a swap entry has a family,
 *    and a family's regions are exactly the regions pointing at it.
 * A mapping is counted just before its PTE is installed (a fault, fork,
 * swap-in) and uncounted when the PTE goes (unmap, copy-on-write break,
 * exit, eviction); mm_check() verifies all of this.
 *
 * Linux's anon_vma does the same job with a chain per region linking it
 * to its parent's families; one family per lineage is simpler and walks
 * a few more regions (a child's region that no longer shares a page with
 * the parent's is still visited).
 *
 * Locking: none; the kernel is not preemptible, and the timer interrupt
 * walks the map only when it interrupted user mode (kernel/proc/sched.c).
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "libk/assert.h"
#include "libk/list.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/types.h"

struct mm;
struct vma;

/* The regions whose private pages may be shared (see above). */
struct anon_family {
	struct list_node vmas; /* struct vma, by family_node */
	uint32_t refcount;     /* regions in vmas; freed at 0 */
};

/* One PTE mapping a shm frame: the address space and the virtual address. */
struct rmap_item {
	struct rmap_item *next; /* the next mapping of the same frame */
	struct mm *mm;		/* whose page tables */
	vaddr_t va;		/* page-aligned user address */
};

/* The slow cases of rmap_add(): a shm page, a region's first page. */
int rmap_add_slow(struct page *pg, struct vma *v, vaddr_t va);

/*
 * Records that va in region v is about to map pg. A private region's
 * first page makes its family. Returns 0, or -ENOMEM (a family or an
 * item was needed and could not be allocated; nothing changed).
 *
 * Inline: on every fault path. A private page of a region that has its
 * family already, mapped for the first time (a demand-zero fault), takes
 * a few stores; the rest is rmap_add_slow().
 */
static inline int rmap_add(struct page *pg, struct vma *v, vaddr_t va)
{
	if (__builtin_expect((pg->flags & PG_SHM) || !v->family ||
				     pg->mapcount != 0,
			     0))
		return rmap_add_slow(pg, v, va);
	pg->user.anon.family = v->family;
	pg->user.anon.index = (va >> PAGE_SHIFT) + v->anon_delta;
	pg->mapcount = 1;
	return 0;
}

/*
 * One more mapping of the private page pg by a copy of a region that maps
 * it, in the same family at the same index (fork). Allocates nothing.
 */
static inline void rmap_dup(struct page *pg)
{
	pg->mapcount++;
}

/* The slow case of rmap_remove(): a shm page's item. */
void rmap_remove_item(struct page *pg, struct mm *mm, vaddr_t va);

/*
 * Forgets the mapping (mm, va) of pg, which must have been recorded.
 * Inline: on the exit and eviction paths, where a private page's mapping
 * is one count.
 */
static inline void rmap_remove(struct page *pg, struct mm *mm, vaddr_t va)
{
	if (__builtin_expect(pg->flags & PG_SHM, 0)) {
		rmap_remove_item(pg, mm, va);
		return;
	}
	KASSERT(pg->mapcount > 0);
	pg->mapcount--;
}

/*
 * The PTE of (mm, from) moved to (mm, to) (mremap). A private page's
 * index does not change (the moved region's delta does); a shm page's
 * item follows. Allocates nothing.
 */
void rmap_move(struct page *pg, struct mm *mm, vaddr_t from, vaddr_t to);

/* The number of items of a shm page (rmap_mapcount()'s slow case). */
uint32_t rmap_items_of(const struct page *pg);

/* The number of PTEs mapping pg. */
static inline uint32_t rmap_mapcount(const struct page *pg)
{
	if (__builtin_expect(pg->flags & PG_SHM, 0))
		return rmap_items_of(pg);
	return pg->mapcount;
}

/*
 * Calls fn(mm, va, ptep, arg) for every mapping of pg; ptep is the PTE
 * (present, mapping pg). Stops at the first non-zero return and returns
 * it. fn may remove the mapping it is called for (and only that one).
 */
int rmap_walk(struct page *pg,
	      int (*fn)(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg),
	      void *arg);

/* Reverse-map items in existence (/proc/vmstat nr_rmap_items): shm pages'. */
uint32_t rmap_items(void);

/* Anonymous families in existence (/proc/vmstat nr_anon_families). */
uint32_t rmap_families(void);

/* Whether a locked region (mlock, VMA_LOCKED) maps pg. */
bool rmap_locked(const struct page *pg);

/*
 * Whether the reverse map finds pg mapped at va in mm (for tests): its
 * PTE maps pg and the mapping is recorded.
 */
bool rmap_has(const struct page *pg, struct mm *mm, vaddr_t va);

/* The same for va in region v (for mm_check()). */
bool rmap_maps(const struct page *pg, const struct vma *v, vaddr_t va);

/*
 * Regions (mm/vma.c, mm/mm.c). n, a copy of v, joins v's family (fork,
 * split, mremap); allocates nothing.
 */
void anon_family_join(struct vma *n, const struct vma *v);

/* v leaves its family (the region is freed); the last one frees it. */
void anon_family_leave(struct vma *v);

/*
 * Whether regions a and b (adjacent) may become one: their pages would
 * have the indices they have now.
 */
bool anon_family_can_merge(const struct vma *a, const struct vma *b);

/*
 * dst absorbs src (merge): a dst without a family takes src's. src is
 * freed afterwards.
 */
void anon_family_absorb(struct vma *dst, const struct vma *src);

#endif
