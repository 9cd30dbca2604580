/*
 * mm/pmm.h - the physical memory manager: a buddy allocator of frames.
 *
 * Orders run from 0 (one 4 KiB frame) to PMM_MAX_ORDER - 1 (4 MiB blocks).
 * Allocation and free cost O(PMM_MAX_ORDER), independent of memory size;
 * blocks of orders below PMM_PCP_ORDERS usually come from small hot-block
 * caches in O(1).
 *
 * Lowmem (direct-mapped) frames are managed by the buddy allocator;
 * frames above the lowmem limit form the highmem zone (mm/highmem.c), from
 * which GFP_HIGHMEM single-frame allocations are served first. See
 * docs/memory-manager.md.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libk/assert.h"
#include "mm/page.h"
#include "mm/types.h"

#define PMM_MAX_ORDER 11

/*
 * Orders 0 .. PMM_PCP_ORDERS - 1 (up to 32 KiB) have a hot-block cache:
 * the sizes of page tables, slabs and kernel stacks, allocated and freed
 * all the time (Linux caches the same orders, up to its
 * PAGE_ALLOC_COSTLY_ORDER).
 */
#define PMM_PCP_ORDERS 4

/*
 * Fewer free frames than this after boot reservations and pmm_init refuses
 * to go on (2 MiB: page tables, heap, stacks and a first process).
 */
#define PMM_MIN_FREE_PAGES 512u

/* Allocation flags. */
enum gfp_flags {
	GFP_KERNEL = 0,	       /* lowmem, for the kernel */
	GFP_ZERO = 1u << 0,    /* fill the block with zeros */
	GFP_USER = 1u << 1,    /* for user memory (counted as user) */
	GFP_PGTABLE = 1u << 2, /* for a page table (counted as such) */
	/*
	 * A single frame may come from highmem (tried first): for memory
	 * the kernel reaches only through kmap_atomic() (mm/highmem.h).
	 */
	GFP_HIGHMEM = 1u << 3,
	/* A user page, preferably from highmem (Linux's GFP_HIGHUSER). */
	GFP_HIGHUSER = GFP_USER | GFP_HIGHMEM,
};

/* A range of physical memory as the boot loader describes it. */
struct mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* map: Multiboot type; reserved list: pmm_reserve_kind */
};

/* Multiboot memory map type of usable RAM (Multiboot spec 0.6.96, 3.3). */
#define MEM_RANGE_USABLE 1

/* What a range in pmm_init's reserved list holds (its .type). */
enum pmm_reserve_kind {
	PMM_RESERVE_FIXED = 0, /* kept for good: kernel image, firmware data */
	PMM_RESERVE_BOOT = 1,  /* boot data: pmm_release_boot() can free it */
};

/*
 * Builds the allocator from the boot memory map (any order, overlaps and
 * unaligned ends allowed; where a usable and a reserved entry overlap, the
 * memory is treated as reserved) minus the reserved ranges (kernel image,
 * boot data, modules) and the first MiB. mem_cap, when non-zero, keeps only
 * the lowest mem_cap bytes of usable RAM (mem=). RAM above 4 GiB is ignored.
 * Logs a summary. Returns 0, or -ENOMEM (with a message) when there is too
 * little memory to run.
 */
int pmm_init(const struct mem_range *map, size_t nmap,
	     const struct mem_range *reserved, size_t nreserved,
	     uint64_t mem_cap);

/*
 * Gives frames reserved as PMM_RESERVE_BOOT inside [base, base + size) to
 * the allocator, e.g. an initramfs module once unpacked. Returns the number
 * of frames released.
 */
uint32_t pmm_release_boot(paddr_t base, uint64_t size);

/*
 * The allocator's entry points: a block of any order, and single frames
 * on a shorter path (most of the traffic). Use them through alloc_pages()
 * and friends below, which pick the path.
 */
struct page *pmm_alloc_block(unsigned int order, unsigned int gfp);
void pmm_free_block(struct page *page, unsigned int order);
struct page *pmm_alloc_frame(unsigned int gfp);
void pmm_free_frame(struct page *page);

/*
 * Allocates 2^order contiguous lowmem frames. The first frame's refcount is
 * 1. Returns NULL when no block is free (never sleeps, never panics).
 */
static inline struct page *alloc_pages(unsigned int order, unsigned int gfp)
{
	return order == 0 ? pmm_alloc_frame(gfp) : pmm_alloc_block(order, gfp);
}

/* Frees a block from alloc_pages; order must be the one allocated. */
static inline void free_pages(struct page *page, unsigned int order)
{
	if (order == 0)
		pmm_free_frame(page);
	else
		pmm_free_block(page, order);
}

static inline struct page *alloc_page(unsigned int gfp)
{
	return pmm_alloc_frame(gfp);
}

static inline void free_page(struct page *page)
{
	pmm_free_frame(page);
}

/* Allocates one frame filled with zeros. */
static inline struct page *alloc_zeroed_page(unsigned int gfp)
{
	return alloc_pages(0, gfp | GFP_ZERO);
}

/* Takes one more reference to an allocated frame (e.g. a second mapping). */
static inline void get_page(struct page *page)
{
	page->refcount++;
}

/*
 * Drops a reference to a single allocated frame; frees it at zero. Inline:
 * every unmap, eviction and exit drops references.
 */
static inline void put_page(struct page *page)
{
	KASSERT(page->refcount > 0);
	if (--page->refcount == 0)
		pmm_free_frame(page);
}

/* Fills npages frames at direct-map address va with zeros. */
void pmm_zero_pages(void *va, size_t npages);

paddr_t page_to_phys(const struct page *page);
/* The struct page of a frame, or NULL if the frame is not managed. */
struct page *phys_to_page(paddr_t pa);
/* The direct-map address of a lowmem page (highmem: kmap_atomic). */
void *page_address(const struct page *page);
/* The struct page behind a direct-map address. */
struct page *virt_to_page(const void *va);

/* Counters, for the boot summary, /proc/meminfo and tests (in frames). */
struct pmm_stats {
	uint32_t total_pages;	 /* usable RAM below 4 GiB, after mem= */
	/*
	 * The next five and the allocated counts cover both zones, lowmem
	 * and highmem, like Linux's MemTotal and MemFree; the highmem_
	 * counters give highmem's share.
	 */
	uint32_t managed_pages;	 /* the allocators': free + allocated */
	uint32_t free_pages;	 /* free frames, hot-block caches included */
	uint32_t cached_pages;	 /* free frames in the hot-block caches */
	uint32_t reserved_pages; /* usable frames reserved at boot */
	uint32_t bootmem_pages;	 /* of those, boot data that can be released */
	uint32_t memmap_pages;	 /* of those, the struct page array */
	uint32_t highmem_pages;	 /* usable frames above the lowmem limit */
	uint32_t highmem_managed_pages; /* of those, in the highmem zone */
	uint32_t highmem_free_pages;	/* of those, free */
	uint32_t lowmem_limit_pages;	/* frames below the lowmem limit */
	uint32_t kernel_pages;	 /* allocated for the kernel (slab included) */
	uint32_t user_pages;	 /* allocated for user memory */
	uint32_t pgtable_pages;	 /* allocated for page tables and directories */
	uint32_t max_pfn;	 /* frames covered by the memory map */
	uint32_t nr_free[PMM_MAX_ORDER];    /* blocks on each buddy list */
	uint32_t nr_cached[PMM_PCP_ORDERS]; /* blocks in each order's cache */
	/* Order of the largest free block (cached or not), or -1. */
	int largest_free_order;
	/*
	 * External fragmentation in thousandths: how far the largest free
	 * block falls short of the largest block the free memory could form,
	 * min(free, 2^(PMM_MAX_ORDER-1)). 0 = unfragmented; 1000 = only
	 * single frames are left.
	 */
	uint32_t frag_permille;
	uint32_t alloc_failures;     /* alloc_pages calls that returned NULL */
	uint64_t ignored_high_bytes; /* usable RAM above 4 GiB (ignored) */
	uint64_t ignored_cap_bytes;  /* usable RAM cut off by mem= */
	uint64_t init_ticks; /* port_timestamp() ticks spent in pmm_init */
};

/* Fills *st with the current counters. */
void pmm_get_stats(struct pmm_stats *st);

/* Prints the counters and the free blocks per order to the kernel log. */
void pmm_dump_stats(void);

/*
 * Thousandths of the free memory that cannot serve a request of the given
 * order because it lies in smaller blocks (Linux's "unusable free space
 * index").
 */
uint32_t pmm_unusable_permille(unsigned int order);

/* Returns every block of the hot-block caches to the buddy lists. */
void pmm_drain_cache(void);

/*
 * Checks every invariant of the allocator by walking all of its state
 * (O(memory size): tests and debugging only). Returns 0, or -EINVAL after
 * logging the first violation.
 */
int pmm_verify(void);
/* The same for the highmem zone (mm/highmem.c). */
int highmem_verify(void);

#endif
