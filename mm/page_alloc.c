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
 * Single frames go through a hot-frame cache first (like Linux's per-CPU
 * page lists): freed frames are parked on a short list and handed out again
 * in O(1), refilled from and drained to the buddy lists PCP_BATCH frames at
 * a time. This keeps the common alloc+free pair cheap and flat, instead of
 * splitting a 4 MiB block on every allocation and merging it back on every
 * free. Cached frames count as free.
 *
 * Invariants (checked by pmm_verify()):
 *  - a free block's first frame has flags == PG_BUDDY and .order set, it is
 *    aligned to 2^order, lies below max_pfn and is on free_area[order];
 *    the other frames of the block have flags == 0;
 *  - free_area[o].nr == length of its list; cached frames have PG_PCP;
 *  - free == sum of free blocks' frames + cache;
 *    managed == free + kernel + user + pgtable.
 *
 * Locking: interrupts are disabled around every change (one CPU).
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "mm/internal.h"
#include "mm/pmm.h"
#include "mm/port.h"

/*
 * The hot-frame cache holds at most PCP_HIGH frames; refills and drains
 * move PCP_BATCH frames. Linux uses the same two knobs (high, batch).
 */
#define PCP_HIGH 64u
#define PCP_BATCH 16u

struct free_area {
	struct list_node list; /* free blocks of this order */
	uint32_t nr;	       /* how many */
};

struct page *mem_map;
pfn_t max_pfn;
struct pmm_counters pmm_count;

static struct free_area free_area[PMM_MAX_ORDER];
static struct list_node pcp_list;
static uint32_t pcp_count;

/* Empties the free lists and the hot-frame cache. */
void buddy_reset(void)
{
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		list_init(&free_area[o].list);
		free_area[o].nr = 0;
	}
	list_init(&pcp_list);
	pcp_count = 0;
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
}

/* Frees a block and merges it with its buddies as far as possible. */
static void free_one(pfn_t pfn, unsigned int order)
{
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

/* Moves up to n frames from the buddy lists into the hot-frame cache. */
static void pcp_refill(unsigned int n)
{
	while (n--) {
		struct page *page = rmqueue(0);
		if (!page)
			break;
		page->flags = PG_PCP;
		list_push_back(&pcp_list, &page->list);
		pcp_count++;
	}
}

/* Returns the n coldest frames of the hot-frame cache to the buddy lists. */
static void pcp_drain(unsigned int n)
{
	while (n-- && pcp_count) {
		struct page *page =
			list_entry(pcp_list.prev, struct page, list);
		list_remove(&page->list);
		page->flags = 0;
		pcp_count--;
		free_one(page_to_pfn(page), 0);
	}
}

/* Returns every cached frame to the buddy lists. */
void pmm_drain_cache(void)
{
	bool irq = port_irq_save();
	pcp_drain(pcp_count);
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
 * The slow part of an allocation: a refill of the cache, or a block of
 * order above 0. Returns NULL when nothing fits.
 */
static __attribute__((noinline)) struct page *alloc_slow(unsigned int order)
{
	struct page *page;
	if (order == 0) {
		pcp_refill(PCP_BATCH);
		if (!pcp_count)
			return NULL;
		page = list_entry(pcp_list.next, struct page, list);
		list_remove(&page->list);
		pcp_count--;
		return page;
	}
	page = rmqueue(order);
	if (!page && pcp_count) {
		/* Cached frames may complete a larger block. */
		pcp_drain(pcp_count);
		page = rmqueue(order);
	}
	return page;
}

/* Allocates 2^order contiguous frames. */
struct page *pmm_alloc_block(unsigned int order, unsigned int gfp)
{
	unsigned int kind = gfp_kind[(gfp >> 1) & 3];
	struct page *page;

	if (order == 0)
		return pmm_alloc_frame(gfp);
	if (order >= PMM_MAX_ORDER)
		return NULL;
	bool irq = port_irq_save();
	page = alloc_slow(order);
	if (!page) {
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
 * Allocates one frame, on the shortest path: single frames are most of
 * the traffic, and nearly always come straight from the cache.
 */
struct page *pmm_alloc_frame(unsigned int gfp)
{
	unsigned int kind = gfp_kind[(gfp >> 1) & 3];
	struct page *page;
	bool irq = port_irq_save();

	if (__builtin_expect(pcp_count != 0, 1)) {
		page = list_entry(pcp_list.next, struct page, list);
		list_remove(&page->list);
		pcp_count--;
	} else {
		page = alloc_slow(0);
		if (!page) {
			pmm_count.alloc_failures++;
			port_irq_restore(irq);
			return NULL;
		}
	}
	pmm_count.free--;
	pmm_count.kind[kind]++;
	page->flags = PG_HEAD | kind_flag[kind];
	page->refcount = 1;
	page->order = 0;
	page->rmap = NULL;
	port_irq_restore(irq);
	if (gfp & GFP_ZERO)
		pmm_zero_pages(page_address(page), 1);
	return page;
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
	       !(flags & (PG_BUDDY | PG_PCP | PG_RESERVED)) &&
	       (flags & (PG_HEAD | PG_SLAB)) && head_ok && refcount <= 1;
}

/* Frees a block from alloc_pages. */
void pmm_free_block(struct page *page, unsigned int order)
{
	if (order == 0) {
		pmm_free_frame(page);
		return;
	}
	pfn_t pfn = (pfn_t)(page - mem_map);
	uint32_t flags = page->flags;

	if (__builtin_expect(!freeable(pfn, flags, order, page->refcount), 0))
		bad_free(page, order);

	page->refcount = 0;
	bool irq = port_irq_save();
	pmm_count.kind[page_kind(flags)] -= 1u << order;
	pmm_count.free += 1u << order;
	page->flags = 0;
	free_one(pfn, order);
	port_irq_restore(irq);
}

/* Frees one frame into the cache, on the shortest path. */
void pmm_free_frame(struct page *page)
{
	pfn_t pfn = (pfn_t)(page - mem_map);
	uint32_t flags = page->flags;

	if (__builtin_expect(!freeable(pfn, flags, 0, page->refcount), 0))
		bad_free(page, 0);
	page->refcount = 0;
	bool irq = port_irq_save();
	pmm_count.kind[page_kind(flags)]--;
	pmm_count.free++;
	page->flags = PG_PCP;
	list_push_front(&pcp_list, &page->list);
	if (++pcp_count > PCP_HIGH)
		pcp_drain(PCP_BATCH);
	port_irq_restore(irq);
}

/* Drops a reference to a single allocated frame; frees it at zero. */
void put_page(struct page *page)
{
	KASSERT(page->refcount > 0);
	if (--page->refcount == 0)
		pmm_free_frame(page);
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
	return port_phys_to_virt(page_to_phys(page));
}

struct page *virt_to_page(const void *va)
{
	return phys_to_page(port_virt_to_phys(va));
}

/* Thousandths of free memory in blocks smaller than 2^order frames. */
uint32_t pmm_unusable_permille(unsigned int order)
{
	uint64_t unusable = pcp_count;
	if (order == 0 || pmm_count.free == 0)
		return 0;
	for (unsigned int o = 0; o < order && o < PMM_MAX_ORDER; o++)
		unusable += (uint64_t)free_area[o].nr << o;
	return (uint32_t)(unusable * 1000 / pmm_count.free);
}

/* Fills *st with the current counters. */
void pmm_get_stats(struct pmm_stats *st)
{
	bool irq = port_irq_save();
	st->total_pages = pmm_count.total;
	st->managed_pages = pmm_count.managed;
	st->free_pages = pmm_count.free;
	st->cached_pages = pcp_count;
	st->reserved_pages = pmm_count.reserved;
	st->bootmem_pages = pmm_count.bootmem;
	st->memmap_pages = pmm_count.memmap;
	st->highmem_pages = pmm_count.highmem;
	st->kernel_pages = pmm_count.kind[KIND_KERNEL];
	st->user_pages = pmm_count.kind[KIND_USER];
	st->pgtable_pages = pmm_count.kind[KIND_PGTABLE];
	st->max_pfn = max_pfn;
	st->largest_free_order = pcp_count ? 0 : -1;
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		st->nr_free[o] = free_area[o].nr;
		if (free_area[o].nr)
			st->largest_free_order = (int)o;
	}
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
		"(%u cached), %u KiB kernel, %u KiB user, %u KiB page tables\n",
		st.total_pages * 4, st.managed_pages * 4, st.free_pages * 4,
		st.cached_pages, st.kernel_pages * 4, st.user_pages * 4,
		st.pgtable_pages * 4);
	pr_info("pmm: %u KiB reserved (%u KiB boot data, %u KiB memory map), "
		"%u KiB highmem unused\n",
		st.reserved_pages * 4, st.bootmem_pages * 4,
		st.memmap_pages * 4, st.highmem_pages * 4);
	char line[160];
	int len = 0;
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
				" %u:%u", o, st.nr_free[o]);
	pr_info("pmm: free blocks per order:%s; fragmentation %u.%u%%\n", line,
		st.frag_permille / 10, st.frag_permille % 10);
}

/* Logs an invariant violation for pmm_verify(). */
#define VERIFY(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			pr_err("pmm_verify: " __VA_ARGS__);                    \
			return -EINVAL;                                        \
		}                                                              \
	} while (0)

/* Checks one free list against the memory map; adds its frames to *frames. */
static int verify_free_list(unsigned int o, uint32_t *frames)
{
	uint32_t n = 0;
	struct list_node *pos;
	list_for_each(pos, &free_area[o].list) {
		struct page *page = list_entry(pos, struct page, list);
		VERIFY(page >= mem_map && page < mem_map + max_pfn,
		       "order %u list holds a foreign node\n", o);
		pfn_t pfn = page_to_pfn(page);
		VERIFY(page->flags == PG_BUDDY && page->order == o,
		       "pfn %#x on order %u list has flags %#x order %u\n",
		       (unsigned int)pfn, o, (unsigned int)page->flags,
		       (unsigned int)page->order);
		VERIFY((pfn & ((1u << o) - 1)) == 0 &&
			       pfn + (1u << o) <= max_pfn,
		       "pfn %#x misaligned or out of range for order %u\n",
		       (unsigned int)pfn, o);
		for (uint32_t i = 1; i < (1u << o); i++)
			VERIFY(page[i].flags == 0,
			       "pfn %#x inside a free order %u block has "
			       "flags %#x\n",
			       (unsigned int)(pfn + i), o,
			       (unsigned int)page[i].flags);
		if (o < PMM_MAX_ORDER - 1) {
			pfn_t b = pfn ^ (1u << o);
			VERIFY(b >= max_pfn || mem_map[b].flags != PG_BUDDY ||
				       mem_map[b].order != o,
			       "pfn %#x and its buddy are both free at order "
			       "%u but not merged\n",
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

/* Walks all allocator state and checks every invariant. */
int pmm_verify(void)
{
	uint32_t frames = 0;
	int err;
	bool irq = port_irq_save();

	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		err = verify_free_list(o, &frames);
		if (err)
			goto out;
	}
	uint32_t cached = 0;
	struct list_node *pos;
	list_for_each(pos, &pcp_list) {
		struct page *page = list_entry(pos, struct page, list);
		err = -EINVAL;
		if (page < mem_map || page >= mem_map + max_pfn ||
		    page->flags != PG_PCP) {
			pr_err("pmm_verify: bad frame in the hot-frame cache\n");
			goto out;
		}
		cached++;
	}
	err = -EINVAL;
	if (cached != pcp_count || cached > PCP_HIGH) {
		pr_err("pmm_verify: cache holds %u frames, counted %u\n",
		       cached, pcp_count);
		goto out;
	}
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
	return err;
}
