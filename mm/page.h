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
 *                         allocator's hot-block caches (orders 0-3);
 *                         .order is the block's order
 *   PG_HEAD               first frame of an allocated block, with one of
 *                         PG_KERNEL, PG_USER or PG_PGTABLE telling what for
 *                         and the block's order in bits 24-27 of flags
 *   PG_SLAB               first frame of a block owned by the slab allocator
 *   no flag               a frame inside a block (free or allocated) that
 *                         is not its first frame
 *
 * A user page (PG_HEAD | PG_USER) may also be tracked by the replacement
 * policy, which then owns its list node and the PG_POLICY_MASK bits.
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
	PG_SHM = 1u << 10,     /* user page of a shm object: see .user */
};

/* Bits 24-27 of flags hold the order of an allocated block (PG_HEAD). */
#define PG_ORDER_SHIFT 24
#define PG_ORDER_MASK (0xFu << PG_ORDER_SHIFT)

/*
 * Bits 15-23 of flags belong to the page replacement policy (mm/policy.h)
 * while it tracks a user page: bit 15 says the page is tracked, bits 16-23
 * are the policy's own (aging keeps an 8-bit age there). They are zero
 * whenever the page is not tracked, and the allocator clears them with
 * the rest of flags when it hands the frame out. Bit 10 is PG_SHM; bits
 * 11-14 and 28-31 are still free.
 */
#define PG_POLICY_SHIFT 15
#define PG_POLICY_MASK (0x1FFu << PG_POLICY_SHIFT)
_Static_assert((PG_POLICY_MASK & PG_ORDER_MASK) == 0,
	       "policy bits overlap the order bits");
_Static_assert((PG_POLICY_MASK & ((PG_BOOTMEM << 1) - 1)) == 0,
	       "policy bits overlap the PG_* flags");

struct anon_family;
struct kmem_cache;
struct mm;
struct shm_object;

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
		/*
		 * PG_USER: where the page's contents also live, and whose
		 * page it is (mm/rmap.h, mm/swap_state.c). Set by
		 * vm_alloc_user_page(), whatever the allocator left.
		 */
		struct {
			/* Swap slot holding an identical copy, 0 if none. */
			uint32_t slot;
			union {
				/* PG_SHM: the object and the page's index. */
				struct {
					struct shm_object *shm;
					uint32_t shm_idx;
				};
				/*
				 * Otherwise (a private page): its anonymous
				 * family and its index there, meaningful
				 * while the page is mapped (mm/rmap.h).
				 */
				struct {
					struct anon_family *family;
					uint32_t index;
				} anon;
			};
		} user;
	};
	/* Reverse map (mm/rmap.h); zeroed by the allocator. */
	union {
		/* PG_SHM: the chain of mapping items. */
		void *rmap;
		/* Otherwise: the number of PTEs mapping the page. */
		uint32_t mapcount;
	};
};

/* The order of an allocated block, from its first frame's flags. */
static inline unsigned int page_alloc_order(const struct page *page)
{
	return (page->flags & PG_ORDER_MASK) >> PG_ORDER_SHIFT;
}

#endif
