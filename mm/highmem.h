/*
 * mm/highmem.h - frames above the direct map ("highmem") and the
 * temporary kernel mappings through which the kernel reaches them.
 *
 * The kernel maps physical memory at KERNEL_VMA only up to the lowmem
 * limit (768 MiB, or less with the lowmem= boot option). Frames above it
 * have a struct page like any other, but no kernel address: they are for
 * pages the kernel rarely touches itself, user pages and RAM-disk
 * sectors, and the kernel reaches their contents through a temporary
 * mapping:
 *
 *   void *p = kmap_atomic(page);   a lowmem page: its direct-map address;
 *   ... use p ...                  a highmem page: the next free slot of
 *   kunmap_atomic(p);              the kmap area, at the top of the
 *                                  kernel's address space
 *
 * The slots form a stack: mappings are released in the reverse order of
 * their creation, and no code sleeps or switches tasks while it holds one
 * (the kernel is not preemptible; interrupt handlers that map release
 * before they return). docs/memory-layout.md explains why Pagoda has only
 * these "atomic" mappings and no pool of long-lived ones.
 *
 * Free highmem frames form their own zone (mm/highmem.c): single frames on
 * one free list, since only single frames are ever taken from it
 * (GFP_HIGHMEM with order 0). Page tables and kernel objects never come
 * from there.
 */
#ifndef MM_HIGHMEM_H
#define MM_HIGHMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"
#include "mm/types.h"

/*
 * The kmap area: one page table's worth of address space just above the
 * vmap area (mm/vm.h), of which KMAP_SLOTS pages are used.
 */
#define KMAP_BASE 0xFF800000u
/*
 * Temporary mappings that may be held at once. The deepest nesting is a
 * user copy or swap write of a highmem page (1) whose block device maps a
 * highmem sector (2), interrupted by a handler that maps a page (3); the
 * rest is margin.
 */
#define KMAP_SLOTS 16u

/* The lowmem limit in force (LOWMEM_LIMIT, or lowmem= below it). */
extern paddr_t lowmem_limit;

/*
 * Sets the lowmem limit before pmm_init() (the lowmem= boot option): bytes,
 * rounded down to 4 MiB, at least 16 MiB, at most LOWMEM_LIMIT; 0 restores
 * LOWMEM_LIMIT. Returns the limit now in force.
 */
paddr_t highmem_set_lowmem_limit(uint64_t bytes);

/* Creates the kmap area's page table (from paging_init()). 0 or -ENOMEM. */
int kmap_init(void);

/* The contents of page, mapped for the kernel until kunmap_atomic(). */
void *kmap_atomic(struct page *page);
/* The same for the frame at pa, which need not have a struct page. */
void *kmap_atomic_phys(paddr_t pa);
/*
 * Temporary mappings held now: slots [0, kmap_top) of the kmap area.
 * mm/highmem.c owns it; others read it through kmap_depth() and
 * kunmap_atomic()'s inline test.
 */
extern unsigned int kmap_top;

/* Temporary mappings held now (for tests). */
static inline unsigned int kmap_depth(void)
{
	return kmap_top;
}

/* kunmap_atomic() of a slot, or of anything while a slot is held. */
void kunmap_atomic_slot(void *addr);

/*
 * Ends the mapping kmap_atomic returned (the most recent one still held).
 * Inline: with no slot held (the common case, every lowmem page) addr is
 * a direct-map address and there is nothing to undo. An interrupt handler
 * releases what it maps before it returns, so kmap_top reads 0 here
 * whenever it is 0.
 */
static inline void kunmap_atomic(void *addr)
{
	if (__builtin_expect(kmap_depth() == 0 && (uintptr_t)addr < KMAP_BASE,
			     1))
		return;
	kunmap_atomic_slot(addr);
}
/* Highmem mappings made since boot (for tests and /proc/vmstat). */
uint64_t kmap_count(void);

/* Copies one whole page, or zeroes one, through temporary mappings. */
void highmem_copy_page(struct page *dst, struct page *src);
void highmem_zero_page(struct page *page);

#endif
