/*
 * mm/internal.h - declarations shared inside mm/ only.
 *
 * The buddy allocator (page_alloc.c) and the code that builds it from the
 * boot memory map (memmap.c) share the memory map and the counters here.
 * Nothing outside mm/ includes this file.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "libk/assert.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "mm/types.h"

/* Branch hints for the allocators' fast paths. */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* First frame above lowmem (the lowmem limit may be lowered: lowmem=). */
extern paddr_t lowmem_limit;
#define LOWMEM_PFN (lowmem_limit >> PAGE_SHIFT)

/* The struct page array: mem_map[pfn] for pfn < max_pfn. */
extern struct page *mem_map;
extern pfn_t max_pfn;

/*
 * What an allocated block is for. The index is the block's PG_USER and
 * PG_PGTABLE bits shifted down (PG_KERNEL, or neither, is 0), so that the
 * free path finds its counter with a shift and a mask.
 */
enum page_kind {
	KIND_KERNEL = 0,
	KIND_USER = 1,
	KIND_PGTABLE = 2,
	PAGE_KINDS = 3,
};

#define PAGE_KIND_SHIFT 4
STATIC_ASSERT(PG_USER == KIND_USER << PAGE_KIND_SHIFT, "kind bits");
STATIC_ASSERT(PG_PGTABLE == KIND_PGTABLE << PAGE_KIND_SHIFT, "kind bits");

/* The kind of an allocated block, from its first frame's flags. */
static inline enum page_kind page_kind(uint32_t flags)
{
	return (enum page_kind)((flags >> PAGE_KIND_SHIFT) & 3);
}

/* Frame counters kept by the allocator (see struct pmm_stats). */
struct pmm_counters {
	uint32_t total;
	uint32_t managed;
	uint32_t free;
	uint32_t reserved;
	uint32_t bootmem;
	uint32_t memmap;
	uint32_t highmem;
	uint32_t kind[PAGE_KINDS]; /* allocated frames by enum page_kind */
	uint32_t alloc_failures;
	uint64_t ignored_high_bytes;
	uint64_t ignored_cap_bytes;
	uint64_t init_ticks;
};

extern struct pmm_counters pmm_count;

/* Frame counters of the highmem zone (mm/highmem.c). */
struct highmem_counters {
	uint32_t managed;	   /* frames given to the zone */
	uint32_t free;		   /* of those, free */
	uint32_t kind[PAGE_KINDS]; /* allocated, by enum page_kind */
};

extern struct highmem_counters hz_count;

/* The highmem zone (mm/highmem.c): emptied, filled at boot, used. */
void highmem_reset(void);
void highmem_add_range(pfn_t start, pfn_t end);
struct page *highmem_alloc_frame(unsigned int gfp);
void highmem_free_frame(struct page *page);

/* Empties the free lists and the hot-block caches (start of pmm_init). */
void buddy_reset(void);

/*
 * Adds the free frames [start, end) to the buddy lists as maximal aligned
 * blocks and counts them as free and managed. The caller holds interrupts
 * off (or is single-threaded boot code).
 */
void buddy_add_range(pfn_t start, pfn_t end);

/*
 * Takes the free block starting at page off the free lists as 2^order
 * single user frames (compaction's targets, mm/compact.c). Returns its
 * order, or -1 when page does not start a free block.
 */
int pmm_isolate_free_block(struct page *page);

/* Forgets every dynamic kernel mapping area (paging_init). */
void vmap_reset(void);

static inline pfn_t page_to_pfn(const struct page *page)
{
	return (pfn_t)(page - mem_map);
}

static inline struct page *pfn_to_page(pfn_t pfn)
{
	return mem_map + pfn;
}

#endif
