/*
 * mm/pmm.h - the physical memory manager: a buddy allocator of frames.
 *
 * Orders run from 0 (one 4 KiB frame) to PMM_MAX_ORDER - 1 (4 MiB blocks).
 * Allocation and free cost O(PMM_MAX_ORDER), independent of memory size.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/page.h"
#include "mm/types.h"

#define PMM_MAX_ORDER 11

/* Allocation flags. */
enum gfp_flags {
	GFP_KERNEL = 0,          /* lowmem, for the kernel */
	GFP_ZERO = 1u << 0,      /* fill the block with zeros */
	GFP_USER = 1u << 1,      /* for user memory (counted as user) */
	GFP_PGTABLE = 1u << 2,   /* for a page table (counted as such) */
};

/* A range of physical memory as the boot loader describes it. */
struct mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t type;  /* Multiboot type: 1 = usable RAM, else reserved */
};

#define MEM_RANGE_USABLE 1

/*
 * Builds the allocator from the boot memory map (any order, overlaps and
 * unaligned ends allowed) minus the reserved ranges (kernel image, boot
 * data, modules). mem_cap, when non-zero, caps usable RAM (mem=).
 * Returns 0 or -ENOMEM when there is too little memory to run.
 */
int pmm_init(const struct mem_range *map, size_t nmap,
	     const struct mem_range *reserved, size_t nreserved,
	     uint64_t mem_cap);

struct page *alloc_pages(unsigned int order, unsigned int gfp);
void free_pages(struct page *page, unsigned int order);

static inline struct page *alloc_page(unsigned int gfp)
{
	return alloc_pages(0, gfp);
}

static inline void free_page(struct page *page)
{
	free_pages(page, 0);
}

paddr_t page_to_phys(const struct page *page);
/* The struct page of a frame, or NULL if the frame is not managed. */
struct page *phys_to_page(paddr_t pa);
/* The direct-map address of a lowmem page. */
void *page_address(const struct page *page);
/* The struct page behind a direct-map address. */
struct page *virt_to_page(const void *va);

#endif
