/*
 * mm/page_alloc.c - the buddy allocator of physical frames.
 *
 * Free memory is kept as blocks of 2^order frames, each aligned to its own
 * size, on one free list per order. Allocating takes a block of the
 * smallest sufficient order and splits off halves ("buddies") onto the
 * lower lists; freeing merges a block with its buddy for as long as the
 * buddy is free and whole, then lists the result:
 *
 *   order 2 block at pfn 8:   [8 9 10 11]
 *   alloc order 0  ->  8 allocated, buddies 9 (order 0) and 10 (order 1) free
 *   free 8         ->  8 + 9 merge to [8 9], + [10 11] merge to [8 .. 11]
 *
 * A block's buddy is found by flipping one bit of its frame number
 * (pfn ^ 2^order), so both directions cost O(PMM_MAX_ORDER) whatever the
 * memory size.
 *
 * Small blocks (orders 0 to PMM_PCP_ORDERS - 1, i.e. up to 32 KiB) go
 * through hot-block caches first, one per order (like Linux's per-CPU page
 * lists, which cover the same orders): freed blocks are parked on a short
 * list and handed out again in O(1), refilled from and drained to the buddy
 * lists a batch at a time. This keeps the common alloc+free pairs cheap and
 * flat, instead of splitting a 4 MiB block on every allocation and merging
 * it back on every free, which is what happens when memory is fragmented.
 * Cached blocks count as free; an allocation that would fail otherwise
 * drains every cache first, since cached blocks may complete a larger one.
 *
 * Invariants (checked by pmm_verify()):
 *  - a free block's first frame has flags == PG_BUDDY and .order set, it is
 *    aligned to 2^order, lies below max_pfn and is on free_area[order];
 *    the other frames of the block have flags == 0;
 *  - free_area[o].nr == length of its list;
 *  - a cached block of order o is on pcp[o], at most pcp_high(o) of them;
 *    its first frame has flags == PG_PCP, the others flags == 0, and it is
 *    aligned to 2^o;
 *  - free == frames of the free blocks + frames of the cached blocks;
 *    managed == free + kernel + user + pgtable.
 *
 * Locking: interrupts are disabled around every change (one CPU).
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "mm/compact.h"
#include "mm/internal.h"
#include "mm/pmm.h"
#include "mm/port.h"

/*
 * Each hot-block cache holds at most PCP_HIGH frames' worth of blocks;
 * refills and drains move PCP_BATCH frames' worth (Linux has the same two
 * knobs, high and batch). For order 3 that is 8 blocks and 2 at a time.
 */
#define PCP_HIGH 64u
#define PCP_BATCH 16u

struct free_area {
	struct list_node list; /* free blocks of this order */
	uint32_t nr;	       /* how many */
};

/* The hot-block cache of one order. */
struct pcp_list {
	struct list_node list; /* cached blocks, most recently freed first */
	uint32_t count;	       /* how many */
};

struct page *mem_map;
pfn_t max_pfn;
struct pmm_counters pmm_count;

static struct free_area free_area[PMM_MAX_ORDER];
static struct pcp_list pcp[PMM_PCP_ORDERS];

/* The most blocks the cache of an order keeps. */
static inline uint32_t pcp_high(unsigned int order)
{
	return PCP_HIGH >> order;
}

/* The blocks a refill or drain of an order's cache moves. */
static inline uint32_t pcp_batch(unsigned int order)
{
	return PCP_BATCH >> order;
}

/* Empties the free lists and the hot-block caches. */
void buddy_reset(void)
{
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		list_init(&free_area[o].list);
		free_area[o].nr = 0;
	}
	for (unsigned int o = 0; o < PMM_PCP_ORDERS; o++) {
		list_init(&pcp[o].list);
		pcp[o].count = 0;
	}
}

/* Puts a block on the free list of its order. */
static inline void add_free_block(struct page *page, unsigned int order)
{
	page->flags = PG_BUDDY;
	page->order = order;
	list_push_front(&free_area[order].list, &page->list);
	free_area[order].nr++;
}

/* Takes a block off its free list. */
static inline void del_free_block(struct page *page, unsigned int order)
{
	list_remove(&page->list);
	page->flags = 0;
	free_area[order].nr--;
}

/*
 * Removes a free block of exactly the given order, splitting a larger one
 * if needed. Returns NULL when no block is large enough.
 */
static struct page *rmqueue(unsigned int order)
{
	/* LAB 1 BEGIN: take a block off a free list, splitting a larger one */
	unsigned int o = order;
	while (o < PMM_MAX_ORDER && free_area[o].nr == 0)
		o++;
	if (o == PMM_MAX_ORDER)
		return NULL;
	struct page *page =
		list_entry(free_area[o].list.next, struct page, list);
	del_free_block(page, o);
	/* Hand the upper halves back, largest first. */
	while (o > order) {
		o--;
		add_free_block(page + (1u << o), o);
	}
	return page;
	/* LAB 1 END */
}

/* Frees a block and merges it with its buddies as far as possible. */
static void free_one(pfn_t pfn, unsigned int order)
{
	/* LAB 1 BEGIN: merge the block with its free buddies, list it */
	while (order < PMM_MAX_ORDER - 1) {
		pfn_t buddy_pfn = pfn ^ (1u << order);
		if (buddy_pfn >= max_pfn)
			break;
		struct page *buddy = pfn_to_page(buddy_pfn);
		if (buddy->flags != PG_BUDDY || buddy->order != order)
			break;
		del_free_block(buddy, order);
		pfn &= ~(1u << order);
		order++;
	}
	add_free_block(pfn_to_page(pfn), order);
	/* LAB 1 END */
}

/* Adds free frames [start, end) as maximal aligned blocks. */
void buddy_add_range(pfn_t start, pfn_t end)
{
	KASSERT(start <= end && end <= max_pfn);
	pmm_count.free += end - start;
	pmm_count.managed += end - start;
	while (start < end) {
		/* The largest block aligned at start that fits before end. */
		unsigned int order = 0;
		while (order < PMM_MAX_ORDER - 1 && !(start & (1u << order)) &&
		       start + (2u << order) <= end)
			order++;
		/*
		 * At boot the neighbours are never free, but a later
		 * pmm_release_boot() may sit beside free blocks: merge.
		 */
		free_one(start, order);
		start += 1u << order;
	}
}

/* Moves up to n blocks of an order from the buddy lists into its cache. */
static void pcp_refill(unsigned int order, uint32_t n)
{
	while (n--) {
		struct page *page = rmqueue(order);
		if (!page)
			break;
		page->flags = PG_PCP;
		page->order = order; /* for readers of the memory map */
		list_push_back(&pcp[order].list, &page->list);
		pcp[order].count++;
	}
}

/* Returns the n coldest blocks of an order's cache to the buddy lists. */
static void pcp_drain(unsigned int order, uint32_t n)
{
	while (n-- && pcp[order].count) {
		struct page *page =
			list_entry(pcp[order].list.prev, struct page, list);
		list_remove(&page->list);
		page->flags = 0;
		pcp[order].count--;
		free_one(page_to_pfn(page), order);
	}
}

/* Empties every cache; returns whether any held a block. */
static bool pcp_drain_all(void)
{
	bool any = false;
	for (unsigned int o = 0; o < PMM_PCP_ORDERS; o++) {
		any |= pcp[o].count != 0;
		pcp_drain(o, pcp[o].count);
	}
	return any;
}

/* Takes the most recently freed block off an order's (non-empty) cache. */
static inline struct page *pcp_pop(unsigned int order)
{
	struct page *page = list_entry(pcp[order].list.next, struct page, list);
	list_remove(&page->list);
	pcp[order].count--;
	return page;
}

/* Parks a freed block on its order's cache, trimming a full cache. */
static inline void pcp_push(struct page *page, unsigned int order)
{
	page->flags = PG_PCP;
	page->order = order; /* for readers of the memory map */
	list_push_front(&pcp[order].list, &page->list);
	if (unlikely(++pcp[order].count > pcp_high(order)))
		pcp_drain(order, pcp_batch(order));
}

/* Returns every cached block to the buddy lists. */
void pmm_drain_cache(void)
{
	bool irq = port_irq_save();
	pcp_drain_all();
	port_irq_restore(irq);
}

/* Fills npages frames with zeros, a machine word at a time. */
void pmm_zero_pages(void *va, size_t npages)
{
	uintptr_t *p = va;
	uintptr_t *end = p + npages * (PAGE_SIZE / sizeof(*p));
	/* Eight stores per iteration keep the loop overhead small. */
	for (; p < end; p += 8) {
		p[0] = 0;
		p[1] = 0;
		p[2] = 0;
		p[3] = 0;
		p[4] = 0;
		p[5] = 0;
		p[6] = 0;
		p[7] = 0;
	}
}

/* The kind of allocation for GFP_USER and GFP_PGTABLE (bits 1 and 2). */
static const uint8_t gfp_kind[4] = { KIND_KERNEL, KIND_USER, KIND_PGTABLE,
				     KIND_PGTABLE };
static const uint32_t kind_flag[PAGE_KINDS] = { PG_KERNEL, PG_USER,
						PG_PGTABLE };

/*
 * The slow part of an allocation: a refill of an empty cache, or a block
 * of an order that is not cached. When the buddy lists have nothing that
 * fits, the caches are drained (their blocks may merge into one that fits)
 * and the lists tried again. Returns NULL when nothing fits.
 */
static __attribute__((noinline)) struct page *alloc_slow(unsigned int order)
{
	struct page *page;
	if (order < PMM_PCP_ORDERS) {
		pcp_refill(order, pcp_batch(order));
		if (pcp[order].count)
			return pcp_pop(order);
	} else {
		page = rmqueue(order);
		if (page)
			return page;
	}
	if (!pcp_drain_all())
		return NULL;
	return rmqueue(order);
}

/*
 * Allocates 2^order frames: the body of pmm_alloc_frame (order 0, most of
 * the traffic) and pmm_alloc_block, inlined into both so that the
 * single-frame path is compiled for the constant order 0. A cached order
 * nearly always finds its cache non-empty.
 */
static inline __attribute__((always_inline)) struct page *
alloc_block(unsigned int order, unsigned int gfp)
{
	unsigned int kind = gfp_kind[(gfp >> 1) & 3];
	struct page *page;
	bool irq = port_irq_save();

	if (order < PMM_PCP_ORDERS && likely(pcp[order].count != 0))
		page = pcp_pop(order);
	else
		page = alloc_slow(order);
	if (unlikely(!page)) {
		pmm_count.alloc_failures++;
		port_irq_restore(irq);
		return NULL;
	}
	pmm_count.free -= 1u << order;
	pmm_count.kind[kind] += 1u << order;
	page->flags = PG_HEAD | kind_flag[kind] | (order << PG_ORDER_SHIFT);
	page->refcount = 1;
	page->order = order;
	page->rmap = NULL;
	port_irq_restore(irq);
	if (gfp & GFP_ZERO)
		pmm_zero_pages(page_address(page), 1u << order);
	return page;
}

/*
 * Allocates 2^order contiguous frames. When no block is free, moving user
 * pages may make one (direct compaction, mm/compact.c); the call then
 * fails only if the retry does too.
 */
struct page *pmm_alloc_block(unsigned int order, unsigned int gfp)
{
	if (order >= PMM_MAX_ORDER)
		return NULL;
	struct page *page = alloc_block(order, gfp);
	if (unlikely(!page) && compact_direct(order)) {
		page = alloc_block(order, gfp);
		compact_direct_result(page != NULL); /* compact_success */
		if (page)
			pmm_count.alloc_failures--; /* served after all */
	}
	return page;
}

/*
 * Compaction's free scanner: takes the free block whose first frame is
 * page off its free list and hands each of its frames out as a single
 * user frame (refcount 1), a target for migration. Returns the block's
 * order, or -1 when page does not start a free block.
 */
int pmm_isolate_free_block(struct page *page)
{
	bool irq = port_irq_save();
	if (page->flags != PG_BUDDY) {
		port_irq_restore(irq);
		return -1;
	}
	unsigned int order = page->order;
	uint32_t n = 1u << order;
	del_free_block(page, order);
	pmm_count.free -= n;
	pmm_count.kind[KIND_USER] += n;
	for (uint32_t i = 0; i < n; i++) {
		page[i].flags = PG_HEAD | PG_USER;
		page[i].refcount = 1;
		page[i].order = 0;
		page[i].rmap = NULL;
	}
	port_irq_restore(irq);
	return (int)order;
}

/* Allocates one frame, on the shortest path; highmem first if allowed. */
struct page *pmm_alloc_frame(unsigned int gfp)
{
	/*
	 * A machine without highmem (768 MiB or less), or with none free,
	 * goes straight to the buddy allocator: the count is read without
	 * the zone's lock, which highmem_alloc_frame() takes to check again.
	 */
	if ((gfp & GFP_HIGHMEM) && hz_count.free != 0) {
		struct page *page = highmem_alloc_frame(gfp);
		if (page)
			return page;
	}
	return alloc_block(0, gfp);
}

/* Explains why a free was refused, and panics. */
static __attribute__((noinline, noreturn)) void
bad_free(const struct page *page, unsigned int order)
{
	if (page < mem_map || page >= mem_map + max_pfn)
		panic("free_pages: %p is not a struct page of this machine",
		      (const void *)page);
	paddr_t pa = (paddr_t)(page - mem_map) << PAGE_SHIFT;
	if (order >= PMM_MAX_ORDER || (pa & ((PAGE_SIZE << order) - 1)))
		panic("free_pages: bad order %u for frame %#x", order, pa);
	if (page->refcount > 1)
		panic("free_pages: frame %#x still has %d users", pa,
		      (int)page->refcount);
	if (!(page->flags & (PG_BUDDY | PG_PCP | PG_RESERVED)) &&
	    (page->flags & PG_HEAD))
		panic("free_pages: frame %#x freed with order %u, "
		      "allocated with order %u",
		      pa, order, page_alloc_order(page));
	panic("free_pages: frame %#x is not an allocated block (flags %#x): "
	      "double free or bad pointer",
	      pa, (unsigned int)page->flags);
}

/*
 * Whether a block may be freed with this order: inside the map, aligned,
 * the first frame of an allocated block (not free, reserved or a tail) with
 * that order, and not shared. The slab allocator may have replaced PG_HEAD
 * and the order by PG_SLAB. One expression, so the common case is a few
 * instructions.
 */
static inline bool freeable(pfn_t pfn, uint32_t flags, unsigned int order,
			    int32_t refcount)
{
	bool head_ok = !(flags & PG_HEAD) ||
		       (flags & PG_ORDER_MASK) == order << PG_ORDER_SHIFT;
	return pfn < max_pfn && order < PMM_MAX_ORDER &&
	       !(pfn & ((1u << order) - 1)) &&
	       !(flags & (PG_BUDDY | PG_PCP | PG_RESERVED | PG_HIGHMEM)) &&
	       (flags & (PG_HEAD | PG_SLAB)) && head_ok && refcount <= 1;
}

/*
 * Frees 2^order frames: the body of pmm_free_frame and pmm_free_block.
 * Small blocks go to their order's cache, larger ones straight back to
 * the buddy lists.
 */
static inline __attribute__((always_inline)) void free_block(struct page *page,
							     unsigned int order)
{
	pfn_t pfn = (pfn_t)(page - mem_map);
	uint32_t flags = page->flags;

	if (unlikely(!freeable(pfn, flags, order, page->refcount)))
		bad_free(page, order);
	page->refcount = 0;
	bool irq = port_irq_save();
	pmm_count.kind[page_kind(flags)] -= 1u << order;
	pmm_count.free += 1u << order;
	if (order < PMM_PCP_ORDERS) {
		pcp_push(page, order);
	} else {
		page->flags = 0;
		free_one(pfn, order);
	}
	port_irq_restore(irq);
}

/* Frees a block from alloc_pages. */
void pmm_free_block(struct page *page, unsigned int order)
{
	free_block(page, order);
}

/* Frees one frame, on the shortest path (a highmem one to its zone). */
void pmm_free_frame(struct page *page)
{
	if (unlikely(page->flags & PG_HIGHMEM))
		highmem_free_frame(page);
	else
		free_block(page, 0);
}

paddr_t page_to_phys(const struct page *page)
{
	return (paddr_t)page_to_pfn(page) << PAGE_SHIFT;
}

struct page *phys_to_page(paddr_t pa)
{
	pfn_t pfn = pa >> PAGE_SHIFT;
	return pfn < max_pfn ? pfn_to_page(pfn) : NULL;
}

void *page_address(const struct page *page)
{
	KASSERT(!(page->flags & PG_HIGHMEM));
	return port_phys_to_virt(page_to_phys(page));
}

struct page *virt_to_page(const void *va)
{
	return phys_to_page(port_virt_to_phys(va));
}

/* Blocks of an order in its hot-block cache (0 for orders not cached). */
static inline uint32_t cached_blocks(unsigned int order)
{
	return order < PMM_PCP_ORDERS ? pcp[order].count : 0;
}

/* Thousandths of free memory in blocks smaller than 2^order frames. */
uint32_t pmm_unusable_permille(unsigned int order)
{
	uint64_t unusable = 0;
	if (order == 0 || pmm_count.free == 0)
		return 0;
	for (unsigned int o = 0; o < order && o < PMM_MAX_ORDER; o++)
		unusable += (uint64_t)(free_area[o].nr + cached_blocks(o)) << o;
	return (uint32_t)(unusable * 1000 / pmm_count.free);
}

/* Fills *st with the current counters. */
void pmm_get_stats(struct pmm_stats *st)
{
	bool irq = port_irq_save();
	st->total_pages = pmm_count.total;
	st->managed_pages = pmm_count.managed + hz_count.managed;
	st->free_pages = pmm_count.free + hz_count.free;
	st->reserved_pages =
		pmm_count.reserved + pmm_count.highmem - hz_count.managed;
	st->bootmem_pages = pmm_count.bootmem;
	st->memmap_pages = pmm_count.memmap;
	st->highmem_pages = pmm_count.highmem;
	st->highmem_managed_pages = hz_count.managed;
	st->highmem_free_pages = hz_count.free;
	st->lowmem_limit_pages = LOWMEM_PFN;
	st->kernel_pages =
		pmm_count.kind[KIND_KERNEL] + hz_count.kind[KIND_KERNEL];
	st->user_pages = pmm_count.kind[KIND_USER] + hz_count.kind[KIND_USER];
	st->pgtable_pages = pmm_count.kind[KIND_PGTABLE];
	st->max_pfn = max_pfn;
	st->cached_pages = 0;
	st->largest_free_order = -1;
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		uint32_t cached = cached_blocks(o);
		st->nr_free[o] = free_area[o].nr;
		if (o < PMM_PCP_ORDERS)
			st->nr_cached[o] = cached;
		st->cached_pages += cached << o;
		/* A cached block is a free block of its order too. */
		if (free_area[o].nr || cached)
			st->largest_free_order = (int)o;
	}
	/* Fragmentation is the buddy allocator's: lowmem only. */
	uint32_t cap = 1u << (PMM_MAX_ORDER - 1);
	uint32_t reachable = pmm_count.free < cap ? pmm_count.free : cap;
	if (reachable == 0)
		st->frag_permille = 0;
	else
		st->frag_permille =
			1000 -
			(uint32_t)(((uint64_t)1000 << st->largest_free_order) /
				   reachable);
	st->alloc_failures = pmm_count.alloc_failures;
	st->ignored_high_bytes = pmm_count.ignored_high_bytes;
	st->ignored_cap_bytes = pmm_count.ignored_cap_bytes;
	st->init_ticks = pmm_count.init_ticks;
	port_irq_restore(irq);
}

/* Prints the counters and the free blocks per order. */
void pmm_dump_stats(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	pr_info("pmm: %u KiB usable, %u KiB managed: %u KiB free "
		"(%u KiB cached), %u KiB kernel, %u KiB user, %u KiB page "
		"tables\n",
		st.total_pages * 4, st.managed_pages * 4, st.free_pages * 4,
		st.cached_pages * 4, st.kernel_pages * 4, st.user_pages * 4,
		st.pgtable_pages * 4);
	pr_info("pmm: %u KiB reserved (%u KiB boot data, %u KiB memory map); "
		"highmem %u KiB, %u KiB of it free\n",
		st.reserved_pages * 4, st.bootmem_pages * 4,
		st.memmap_pages * 4, st.highmem_managed_pages * 4,
		st.highmem_free_pages * 4);
	char line[160], cached[64];
	int len = 0;
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
				" %u:%u", o, st.nr_free[o]);
	len = 0;
	for (unsigned int o = 0; o < PMM_PCP_ORDERS; o++)
		len += snprintf(cached + len, sizeof(cached) - (size_t)len,
				" %u:%u", o, st.nr_cached[o]);
	pr_info("pmm: free blocks per order:%s; cached:%s; fragmentation "
		"%u.%u%%\n",
		line, cached, st.frag_permille / 10, st.frag_permille % 10);
}

/* Logs an invariant violation for pmm_verify(). */
#define VERIFY(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			pr_err("pmm_verify: " __VA_ARGS__);                    \
			return -EINVAL;                                        \
		}                                                              \
	} while (0)

/*
 * Checks a block of order o found on a list (`where`: "list" or "cache"):
 * a node of the memory map, the head flags expected there, aligned, inside
 * memory, with clear flags on the frames it covers.
 */
static int verify_block(struct page *page, unsigned int o, uint32_t flags,
			const char *where)
{
	VERIFY(page >= mem_map && page < mem_map + max_pfn,
	       "order %u %s holds a foreign node\n", o, where);
	pfn_t pfn = page_to_pfn(page);
	VERIFY(page->flags == flags,
	       "pfn %#x on the order %u %s has flags %#x\n",
	       (unsigned int)pfn, o, where, (unsigned int)page->flags);
	VERIFY((pfn & ((1u << o) - 1)) == 0 && pfn + (1u << o) <= max_pfn,
	       "pfn %#x misaligned or out of range for order %u\n",
	       (unsigned int)pfn, o);
	for (uint32_t i = 1; i < (1u << o); i++)
		VERIFY(page[i].flags == 0,
		       "pfn %#x inside an order %u block on the %s has "
		       "flags %#x\n",
		       (unsigned int)(pfn + i), o, where,
		       (unsigned int)page[i].flags);
	return 0;
}

/* Checks one free list against the memory map; adds its frames to *frames. */
static int verify_free_list(unsigned int o, uint32_t *frames)
{
	uint32_t n = 0;
	struct list_node *pos;
	list_for_each(pos, &free_area[o].list) {
		struct page *page = list_entry(pos, struct page, list);
		if (verify_block(page, o, PG_BUDDY, "list"))
			return -EINVAL;
		VERIFY(page->order == o, "pfn %#x on the order %u list has "
		       "order %u\n", (unsigned int)page_to_pfn(page), o,
		       (unsigned int)page->order);
		if (o < PMM_MAX_ORDER - 1) {
			pfn_t pfn = page_to_pfn(page);
			pfn_t b = pfn ^ (1u << o);
			VERIFY(b >= max_pfn || mem_map[b].flags != PG_BUDDY ||
				       mem_map[b].order != o,
			       "pfn %#x and its buddy are both free at order "
			       "%u but not merged (a freed block must be coalesced "
			       "with its free buddy)\n",
			       (unsigned int)pfn, o);
		}
		n++;
	}
	VERIFY(n == free_area[o].nr,
	       "order %u list has %u blocks, counted %u\n", o, n,
	       free_area[o].nr);
	*frames += n << o;
	return 0;
}

/* Checks one hot-block cache; adds its frames to *frames. */
static int verify_pcp_list(unsigned int o, uint32_t *frames)
{
	uint32_t n = 0;
	struct list_node *pos;
	list_for_each(pos, &pcp[o].list) {
		if (verify_block(list_entry(pos, struct page, list), o, PG_PCP,
				 "cache"))
			return -EINVAL;
		n++;
	}
	VERIFY(n == pcp[o].count && n <= pcp_high(o),
	       "order %u cache holds %u blocks, counted %u (at most %u)\n", o,
	       n, pcp[o].count, pcp_high(o));
	*frames += n << o;
	return 0;
}

/* Walks all allocator state and checks every invariant. */
int pmm_verify(void)
{
	uint32_t frames = 0, cached = 0;
	int err;
	bool irq = port_irq_save();

	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		err = verify_free_list(o, &frames);
		if (err)
			goto out;
	}
	for (unsigned int o = 0; o < PMM_PCP_ORDERS; o++) {
		err = verify_pcp_list(o, &cached);
		if (err)
			goto out;
	}
	err = -EINVAL;
	if (frames + cached != pmm_count.free) {
		pr_err("pmm_verify: %u frames on free lists + %u cached, "
		       "free counter %u\n",
		       frames, cached, pmm_count.free);
		goto out;
	}
	if (pmm_count.free + pmm_count.kind[KIND_KERNEL] +
		    pmm_count.kind[KIND_USER] + pmm_count.kind[KIND_PGTABLE] !=
	    pmm_count.managed) {
		pr_err("pmm_verify: free %u + kernel %u + user %u + pgtable "
		       "%u != managed %u\n",
		       pmm_count.free, pmm_count.kind[KIND_KERNEL],
		       pmm_count.kind[KIND_USER], pmm_count.kind[KIND_PGTABLE],
		       pmm_count.managed);
		goto out;
	}
	if (pmm_count.managed + pmm_count.reserved + pmm_count.highmem !=
	    pmm_count.total) {
		pr_err("pmm_verify: managed %u + reserved %u + highmem %u != "
		       "total %u\n",
		       pmm_count.managed, pmm_count.reserved, pmm_count.highmem,
		       pmm_count.total);
		goto out;
	}
	err = 0;
out:
	port_irq_restore(irq);
	return err ? err : highmem_verify();
}
