/*
 * mm/slab.c - slab caches: fixed-size objects carved from page blocks.
 *
 * A cache owns slabs (blocks of 2^order pages from the page allocator), each
 * cut into objs_per_slab slots of slot_size bytes starting at the block's
 * first byte. A slab's bookkeeping lives in its struct page, so a slab holds
 * nothing but objects; mm/slab_internal.h describes the encoding, the
 * partial/full/empty lists and the free-slot marker.
 *
 * Invariants, for every cache c and slab s of c:
 *  - s is on exactly one of c->partial, c->full, c->empty, and
 *    c->nr_slabs counts them all;
 *  - s->slab.inuse + (length of s's free list) == c->objs_per_slab;
 *  - s is on c->full iff inuse == objs_per_slab; on c->empty only if
 *    inuse == 0; an empty slab is on c->partial only as its last member;
 *  - every free slot carries its free marker (mm/slab_internal.h).
 *
 * The allocation and free fast paths are inline in mm/slab_internal.h;
 * this file holds what they call when a slab changes state, and everything
 * else about caches. Locking: interrupts off around list changes.
 */
#include "mm/slab.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/string.h"
#include "mm/internal.h"
#include "mm/slab_internal.h"

#ifdef CONFIG_DEBUG
#define KHEAP_DEBUG_DEFAULT true
#else
#define KHEAP_DEBUG_DEFAULT false
#endif

/* Valid before kheap_init(), so kheap_set_debug() may come first. */
struct kheap_state kheap = {
	.caches = LIST_HEAD_INIT(kheap.caches),
	.debug = KHEAP_DEBUG_DEFAULT,
};

/* The cache that struct kmem_cache itself is allocated from. */
static struct kmem_cache cache_cache;

/* x rounded up to a multiple of align (a power of two). */
static inline uint32_t round_up(uint32_t x, uint32_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/* Whether x is a power of two (and not 0). */
static inline bool is_power_of_2(size_t x)
{
	return x && !(x & (x - 1));
}

/* Picks the smallest slab order that wastes at most 1/8 of the slab. */
static void cache_choose_order(struct kmem_cache *c)
{
	uint32_t best = 0, best_waste = UINT32_MAX;

	for (uint32_t o = 0; o <= KHEAP_MAX_SLAB_ORDER; o++) {
		uint32_t bytes = PAGE_SIZE << o;
		uint32_t n = bytes / c->slot_size;
		if (n == 0)
			continue;
		/* Waste in 1/1024ths, so that orders compare fairly. */
		uint32_t waste = (bytes - n * c->slot_size) * 1024 / bytes;
		if (waste < best_waste) {
			best = o;
			best_waste = waste;
		}
		if (waste <= 1024 / 8)
			break;
	}
	KASSERT(best_waste != UINT32_MAX);
	c->order = best;
	c->objs_per_slab = (PAGE_SIZE << best) / c->slot_size;
	KASSERT(c->objs_per_slab <= UINT16_MAX);
	c->recip = (uint32_t)((((uint64_t)1 << 32) + c->slot_size - 1) /
			      c->slot_size);
}

/* Computes where objects and free-slot words go, with or without debug. */
static void cache_layout(struct kmem_cache *c)
{
	bool debug = (c->flags & KMEM_CACHE_DEBUG) ||
		     (kheap.debug && !(c->flags & KMEM_CACHE_NODEBUG));

	if (debug) {
		c->flags |= KMEM_CACHE_DEBUG_ON;
		slab_debug_layout(c);
	} else {
		c->flags &= ~KMEM_CACHE_DEBUG_ON;
		/* A free slot must hold its two free-slot words. */
		uint32_t size = c->object_size;
		if (size < 2 * sizeof(uintptr_t))
			size = 2 * sizeof(uintptr_t);
		c->slot_size = round_up(size, c->align);
		c->fp_offset = 0;
		c->meta_offset = 0;
	}
	cache_choose_order(c);
}

/* Initialises the cache structure c and adds it to the list of caches. */
void cache_setup(struct kmem_cache *c, const char *name, size_t size,
		 size_t align, uint32_t flags)
{
	memset(c, 0, sizeof(*c));
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	strlcpy(c->name, name, sizeof(c->name));
	c->flags = flags;
	c->object_size = size;
	c->align = align < KMALLOC_MIN_ALIGN ? KMALLOC_MIN_ALIGN : align;
	if (!(flags & KMEM_CACHE_LARGE))
		cache_layout(c);
	list_push_back(&kheap.caches, &c->link);
}

/* Counts pages taken from (delta > 0) or given to the page allocator. */
void slab_account_pages(int delta)
{
	kheap.pages += delta;
	if (kheap.pages > kheap.pages_peak)
		kheap.pages_peak = kheap.pages;
}

/* Returns a heap block of 2^order pages to the page allocator. */
void slab_give_pages(struct page *head, unsigned int order)
{
	head->flags &= ~PG_SLAB;
	head->slab.cache = NULL;
	head->slab.freelist = NULL;
	head->slab.inuse = 0;
	head->slab.order = 0;
	free_pages(head, order);
	slab_account_pages(-(int)(1u << order));
}

/*
 * The heap block that frame page (not the first frame of a heap block) is
 * part of, if any: the first frame is at the frame number rounded down to
 * some 2^order, since blocks are aligned to their size. Moving up the
 * orders, the first frame that is in any state but "inside a block" decides:
 * a heap block that reaches page, or a sign that page is not in the heap.
 */
struct page *slab_lookup_tail(struct page *page)
{
	/* A frame in any other state is no part of an allocated block. */
	if (!page || page->flags != 0)
		return NULL;
	pfn_t pfn = page_to_pfn(page);
	for (unsigned int o = 1; o < PMM_MAX_ORDER; o++) {
		pfn_t head_pfn = pfn & ~((1u << o) - 1);
		if (head_pfn == pfn)
			continue;
		struct page *head = pfn_to_page(head_pfn);
		if (head->flags == 0)
			continue;
		if (!(head->flags & PG_SLAB) ||
		    pfn - head_pfn >= (1u << head->slab.order))
			return NULL;
		return head;
	}
	return NULL;
}

/* Gets a new slab for c and threads its free list; NULL if out of memory. */
static struct page *slab_grow(struct kmem_cache *c)
{
	/* LAB 7 BEGIN: get pages for a new slab and thread its free list */
	struct page *head = alloc_pages(c->order, GFP_KERNEL);
	uint32_t npages = 1u << c->order;

	if (!head)
		return NULL;
	char *base = page_address(head);
	KASSERT(((uintptr_t)base & (PAGE_SIZE - 1)) == 0);

	head->flags |= PG_SLAB;
	head->slab.cache = c;
	head->slab.inuse = 0;
	head->slab.order = c->order;
	head->slab.freelist = base;

	/* Slots in address order, so the first allocations are adjacent. */
	for (uint32_t i = 0; i < c->objs_per_slab; i++) {
		char *obj = base + i * c->slot_size;
		uintptr_t *w = slab_free_words(c, obj);
		if (cache_debug(c))
			slab_debug_init_slot(c, obj);
		w[0] = i + 1 < c->objs_per_slab
			       ? (uintptr_t)(obj + c->slot_size)
			       : 0;
		w[1] = KHEAP_FREE_MARKER;
	}
	c->nr_slabs++;
	slab_account_pages(npages);
	return head;
	/* LAB 7 END */
}

/* Releases a slab that is on no list and has no object in use. */
static void slab_release(struct kmem_cache *c, struct page *slab)
{
	KASSERT(slab->slab.inuse == 0);
	if (cache_debug(c)) {
		/* Catch writes to freed objects that were never reused. */
		char *base = slab_base(slab);
		for (uint32_t i = 0; i < c->objs_per_slab; i++)
			slab_debug_check_free(c, base + i * c->slot_size);
	}
	c->nr_slabs--;
	slab_give_pages(slab, c->order);
}

/*
 * Puts a slab on c->partial for allocation, from the empty list or the page
 * allocator. Called with the heap locked when c->partial is empty.
 */
struct page *slab_refill(struct kmem_cache *c)
{
	/* LAB 7 BEGIN: a slab with free objects: an empty one, or a new one */
	struct list_node *n = list_first(&c->empty);
	struct page *slab;

	if (n) {
		list_remove(n);
		c->nr_empty--;
		slab = slab_of_list(n);
	} else {
		slab = slab_grow(c);
		if (!slab)
			return NULL;
	}
	list_push_front(&c->partial, &slab->list);
	return slab;
	/* LAB 7 END */
}

/* 1 if an empty slab rests at the end of c's partial list, else 0. */
static uint32_t slab_resting(struct kmem_cache *c)
{
	struct list_node *last = list_last(&c->partial);
	return last && slab_of_list(last)->slab.inuse == 0;
}

/*
 * Moves a slab whose fill changed to the list its new state calls for:
 * just filled, just emptied, or no longer full.
 */
void slab_transition(struct kmem_cache *c, struct page *slab)
{
	list_remove(&slab->list);
	if (slab->slab.inuse == c->objs_per_slab) {
		list_push_back(&c->full, &slab->list);
	} else if (slab->slab.inuse != 0) {
		/*
		 * Behind the others, so the slabs already in use fill up
		 * first, but before an empty slab resting at the end.
		 */
		struct list_node *last = c->partial.prev;
		if (slab_resting(c))
			list_insert_between(&slab->list, last->prev, last);
		else
			list_push_back(&c->partial, &slab->list);
	} else if (list_empty(&c->partial)) {
		list_push_front(&c->partial, &slab->list);
	} else if (c->nr_empty + slab_resting(c) < KHEAP_EMPTY_SLABS_KEPT) {
		list_push_front(&c->empty, &slab->list);
		c->nr_empty++;
	} else {
		slab_release(c, slab);
	}
}

/* Panics: ptr is not something the heap handed out. */
void kheap_bad_free(const void *ptr, void *caller, const char *why)
{
	panic("kheap: bad free of %p from %p: %s", ptr, caller, why);
}

/* Panics: ptr is inside a slab of c but not at the start of a slot. */
void slab_bad_slot(struct kmem_cache *c, const void *ptr, uint32_t off,
		   void *caller)
{
	panic("kheap: bad free of %p from %p: not the start of an object "
	      "(cache %s, %u bytes into a %u-byte slot)",
	      ptr, caller, c->name, off % c->slot_size, c->slot_size);
}

/*
 * Called when obj being freed carries its free marker: panics if obj is
 * indeed on its slab's free list (a double free), else returns (the owner
 * happened to leave the marker's value there).
 */
void slab_check_double_free(struct kmem_cache *c, struct page *slab, void *obj,
			    void *caller)
{
	bool fl = kheap_lock();
	void *p = slab->slab.freelist;
	uint32_t steps = 0;

	for (; p; p = (void *)slab_free_words(c, p)[0]) {
		if (p == obj)
			break;
		if (++steps > c->objs_per_slab)
			panic("kheap: free list of a slab of cache %s loops",
			      c->name);
	}
	kheap_unlock(fl);
	if (!p)
		return;
	if (cache_debug(c))
		slab_debug_double_free(c, obj, caller);
	panic("kheap: double free of %p from %p (cache %s)", obj, caller,
	      c->name);
}

/* Creates a cache; its struct comes from cache_cache. */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags)
{
	if (!name || size == 0 || size > KMEM_CACHE_MAX_SIZE ||
	    (flags & ~KMEM_CACHE_DEBUG))
		return NULL;
	if (align != 0 && (!is_power_of_2(align) || align > PAGE_SIZE))
		return NULL;

	struct kmem_cache *c = slab_alloc(&cache_cache, 0, sizeof(*c));
	if (!c)
		return NULL;
	bool fl = kheap_lock();
	cache_setup(c, name, size, align, flags);
	kheap_unlock(fl);
	return c;
}

/* Gives back the empty slabs of c; returns the number of pages freed. */
static size_t cache_shrink_locked(struct kmem_cache *c)
{
	struct list_node *n, *tmp;
	size_t pages = 0;

	list_for_each_safe(n, tmp, &c->empty) {
		list_remove(n);
		slab_release(c, slab_of_list(n));
		pages += 1u << c->order;
	}
	c->nr_empty = 0;
	n = list_last(&c->partial);
	if (n && slab_of_list(n)->slab.inuse == 0) {
		list_remove(n);
		slab_release(c, slab_of_list(n));
		pages += 1u << c->order;
	}
	return pages;
}

/* Gives back the empty slabs of c; returns the number of pages freed. */
size_t kmem_cache_shrink(struct kmem_cache *c)
{
	bool fl = kheap_lock();
	size_t pages = cache_shrink_locked(c);
	kheap_unlock(fl);
	return pages;
}

/* Destroys an empty cache; -EBUSY (and a report) if objects are live. */
int kmem_cache_destroy(struct kmem_cache *c)
{
	if (!c)
		return 0;
	if (c->flags & KMEM_CACHE_STATIC)
		return -EINVAL;

	bool fl = kheap_lock();
	cache_shrink_locked(c);
	if (c->nr_slabs) {
		kheap_unlock(fl);
		pr_err("kheap: cannot destroy cache %s: objects in use\n",
		       c->name);
		if (cache_debug(c))
			slab_debug_report_cache(c);
		return -EBUSY;
	}
	list_remove(&c->link);
	kheap_unlock(fl);
	kmem_cache_free(&cache_cache, c);
	return 0;
}

/* Allocates one object of cache c. */
void *kmem_cache_alloc(struct kmem_cache *c, unsigned int gfp)
{
	return slab_alloc(c, gfp, c->object_size);
}

/* Frees an object of cache c, after checking that it is one. */
void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	uint32_t off;
	struct page *slab;

	if (!obj)
		return;
	slab = slab_lookup(obj, &off);
	if (unlikely(!slab))
		kheap_bad_free(obj, __builtin_return_address(0),
			       "not a heap object");
	if (unlikely(slab->slab.cache != c))
		panic("kheap: bad free of %p from %p: object of cache %s "
		      "freed to cache %s",
		      obj, __builtin_return_address(0),
		      slab->slab.cache ? slab->slab.cache->name : "?", c->name);
	if (unlikely(cache_debug(c)))
		slab_free_slow(c, slab, obj, off, __builtin_return_address(0));
	else
		slab_free(c, slab, obj, off, false, NULL);
}

/* Starts an empty heap: the cache of caches and the kmalloc caches. */
void kheap_init(void)
{
	list_init(&kheap.caches);
	kheap.pages = 0;
	kheap.pages_peak = 0;
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0,
		    KMEM_CACHE_STATIC | KMEM_CACHE_NODEBUG);
	kmalloc_caches_init();
}

/* Switches debug mode while no debuggable cache holds a slab. */
int kheap_set_debug(bool on)
{
	struct list_node *n;
	int ret = 0;
	bool fl = kheap_lock();

	list_for_each(n, &kheap.caches) {
		struct kmem_cache *c = list_entry(n, struct kmem_cache, link);
		if (!(c->flags & (KMEM_CACHE_NODEBUG | KMEM_CACHE_LARGE)) &&
		    c->nr_slabs) {
			ret = -EBUSY;
			goto out_unlock;
		}
	}
	kheap.debug = on;
	/* Caches already created (the kmalloc ones) change layout now. */
	list_for_each(n, &kheap.caches) {
		struct kmem_cache *c = list_entry(n, struct kmem_cache, link);
		if (!(c->flags & (KMEM_CACHE_NODEBUG | KMEM_CACHE_LARGE)))
			cache_layout(c);
	}
out_unlock:
	kheap_unlock(fl);
	return ret;
}

/* Whether debug mode is on for the whole heap. */
bool kheap_debug_enabled(void)
{
	return kheap.debug;
}

/* Shrinks every cache; returns the number of pages freed. */
size_t kheap_shrink(void)
{
	struct list_node *n;
	size_t pages = 0;
	bool fl = kheap_lock();

	list_for_each(n, &kheap.caches) {
		struct kmem_cache *c = list_entry(n, struct kmem_cache, link);
		if (!(c->flags & KMEM_CACHE_LARGE))
			pages += cache_shrink_locked(c);
	}
	kheap_unlock(fl);
	return pages;
}

/* The cache after prev in creation order (the first for NULL). */
struct kmem_cache *kmem_cache_next(struct kmem_cache *prev)
{
	struct list_node *n = prev ? prev->link.next : kheap.caches.next;
	return n == &kheap.caches ? NULL
				  : list_entry(n, struct kmem_cache, link);
}
