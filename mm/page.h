/*
 * mm/page.h - struct page, one per physical frame.
 *
 * The array of struct page (the "memory map") is allocated at boot in the
 * direct map and indexed by frame number: mem_map[pfn] describes the frame
 * at pfn * PAGE_SIZE. It covers every frame from 0 up to the end of the
 * highest usable RAM below 4 GiB, holes included.
 *
 * A frame is in exactly one state, told by its flags:
 *
 *   PG_RESERVED           never handed out: a hole, firmware, the kernel
 *                         image, the memory map itself, boot data, highmem
 *                         (not yet used); PG_BOOTMEM marks reserved boot data
 *                         that pmm_release_boot() may give back later
 *   PG_BUDDY              first frame of a free block in the buddy
 *                         allocator; .order is the block's order
 *   PG_PCP                first frame of a free block in one of the
 *                         allocator's hot-block caches (orders 0-3)
 *   PG_HEAD               first frame of an allocated block, with one of
 *                         PG_KERNEL, PG_USER or PG_PGTABLE telling what for
 *                         and the block's order in bits 24-27 of flags
 *   PG_SLAB               first frame of a block owned by the slab allocator
 *   no flag               a frame inside a block (free or allocated) that
 *                         is not its first frame
 *
 * While a block is allocated, the union below belongs to its owner (slab
 * allocator, page-table code); the allocator keeps what it needs in flags.
 * The list node is meaningful only while the page is on some list.
 *
 * pmm_init() sets only flags and refcount (0) of every struct page: the
 * other members hold whatever was in memory until they are written, which
 * always happens before they are read (the list and order when a block goes
 * on a list, rmap when a frame is handed out, the rest by the block's
 * owner).
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <stdint.h>

#include "libk/list.h"
#include "mm/types.h"

enum page_flags {
	PG_RESERVED = 1u << 0, /* never handed to the allocator */
	PG_BUDDY = 1u << 1,    /* first frame of a free buddy block */
	PG_SLAB = 1u << 2,     /* frame belongs to a slab; see .slab */
	PG_HIGHMEM = 1u << 3,  /* above LOWMEM_LIMIT: not direct-mapped */
	PG_USER = 1u << 4,     /* maps user memory (counted as user) */
	PG_PGTABLE = 1u << 5,  /* holds a page table or directory */
	PG_KERNEL = 1u << 6,   /* allocated for the kernel */
	PG_HEAD = 1u << 7,     /* first frame of an allocated block */
	PG_PCP = 1u << 8,      /* first frame of a cached free block */
	PG_BOOTMEM = 1u << 9,  /* reserved boot data, releasable later */
};

/* Bits 24-27 of flags hold the order of an allocated block (PG_HEAD). */
#define PG_ORDER_SHIFT 24
#define PG_ORDER_MASK (0xFu << PG_ORDER_SHIFT)

struct kmem_cache;

struct page {
	uint32_t flags;	       /* enum page_flags, plus the order bits */
	int32_t refcount;      /* users of the frame (mappings); 0 when free */
	struct list_node list; /* buddy free list, slab list, or LRU list */
	union {
		/* PG_BUDDY (and PG_HEAD, for reference): the block's order. */
		uint32_t order;
		/* PG_SLAB: the slab living in this frame (or block). */
		struct {
			struct kmem_cache *cache; /* owning cache */
			void *freelist;		  /* first free object */
			uint16_t inuse;		  /* objects handed out */
			uint16_t order;		  /* slab size: 2^order pages */
		} slab;
		/* PG_PGTABLE: entries of this page table that are not none. */
		uint32_t pt_used;
	};
	/* Reverse-map data for user pages (used by swap and replacement). */
	void *rmap;
};

/* The order of an allocated block, from its first frame's flags. */
static inline unsigned int page_alloc_order(const struct page *page)
{
	return (page->flags & PG_ORDER_MASK) >> PG_ORDER_SHIFT;
}

#endif
