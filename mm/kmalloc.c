/*
 * mm/kmalloc.c - kmalloc: general-purpose kernel allocations.
 *
 * Requests up to KMALLOC_MAX_CACHE_SIZE bytes are rounded up to a power of
 * two and served by one slab cache per size, "kmalloc-16" to
 * "kmalloc-4096". Each of those caches aligns its objects to their size,
 * which gives every power-of-two request its natural alignment.
 *
 * Larger requests get a block of whole pages straight from the page
 * allocator ("large blocks"), so they are page aligned. The block's first
 * struct page gains PG_SLAB, names the pseudo-cache kmalloc_large_cache as
 * its owner, and points at a small record of the requested size and the
 * caller (from large_info_cache). kfree() of a
 * pointer past the block's first byte is refused.
 *
 * Invariants: every live large block is on kmalloc_large_cache.full, and
 * kmalloc_large_cache.nr_slabs and .large_requested count them and the
 * bytes asked for. Locking: interrupts off around list changes.
 */
#include "mm/slab.h"

#include "libk/assert.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab_internal.h"

/* log2(KMALLOC_MIN_SIZE). */
#define KMALLOC_MIN_SHIFT 4
/* Size classes 16, 32, ... 4096. */
#define KMALLOC_NR_CLASSES 9

STATIC_ASSERT(KMALLOC_MIN_SIZE == 1 << KMALLOC_MIN_SHIFT, "min size");
STATIC_ASSERT(KMALLOC_MAX_CACHE_SIZE == KMALLOC_MIN_SIZE
						<< (KMALLOC_NR_CLASSES - 1),
	      "size classes");

/* What a large block remembers beyond its order. */
struct kmalloc_large_info {
	uintptr_t size; /* bytes requested */
	void *caller;	/* return address of the kmalloc call */
	bool redzone;	/* debug mode: the bytes past size are red zone */
};

static struct kmem_cache kmalloc_caches[KMALLOC_NR_CLASSES];
/* &kmalloc_caches[i]: loading a pointer is cheaper than scaling an index. */
static struct kmem_cache *kmalloc_cache_of[KMALLOC_NR_CLASSES];
static struct kmem_cache large_info_cache;
struct kmem_cache kmalloc_large_cache;

/*
 * The size class of a request of 1..KMALLOC_MAX_CACHE_SIZE bytes: the
 * position of the highest bit of size - 1, without a loop (bsr on x86).
 */
static inline unsigned int kmalloc_index(size_t size)
{
	/* LAB 7 BEGIN: the size class of a request */
	uint32_t v = (uint32_t)(size - 1) | (KMALLOC_MIN_SIZE - 1);
	return 32 - __builtin_clz(v) - KMALLOC_MIN_SHIFT;
	/* LAB 7 END */
}

/* The page-block order that holds size bytes. */
static inline unsigned int kmalloc_order(size_t size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return 32 - __builtin_clz((uint32_t)((size - 1) >> PAGE_SHIFT));
}

/* Sets up the size-class caches and the large-block bookkeeping. */
void kmalloc_caches_init(void)
{
	char name[KMEM_CACHE_NAME_MAX];

	for (unsigned int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		size_t size = (size_t)KMALLOC_MIN_SIZE << i;
		snprintf(name, sizeof(name), "kmalloc-%u", (unsigned int)size);
		cache_setup(&kmalloc_caches[i], name, size, size,
			    KMEM_CACHE_STATIC);
		kmalloc_cache_of[i] = &kmalloc_caches[i];
	}
	cache_setup(&large_info_cache, "kmalloc-large-info",
		    sizeof(struct kmalloc_large_info), 0,
		    KMEM_CACHE_STATIC | KMEM_CACHE_NODEBUG);
	cache_setup(&kmalloc_large_cache, "kmalloc-large", 0, PAGE_SIZE,
		    KMEM_CACHE_STATIC | KMEM_CACHE_NODEBUG | KMEM_CACHE_LARGE);
}

/* Allocates a large block of whole pages for a request of size bytes. */
static void *kmalloc_large(size_t size, unsigned int gfp, void *caller)
{
	struct kmalloc_large_info *info;
	struct page *page;
	unsigned int order;
	void *ptr;
	bool fl;

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	order = kmalloc_order(size);
	info = slab_alloc(&large_info_cache, 0, sizeof(*info));
	if (!info)
		return NULL;
	page = alloc_pages(order, GFP_KERNEL | (gfp & GFP_ZERO));
	if (!page)
		goto out_free_info;
	info->size = size;
	info->caller = caller;
	info->redzone = kheap.debug;
	ptr = page_address(page);
	if (info->redzone)
		slab_debug_large_alloc(ptr, size, order);

	fl = kheap_lock();
	page->flags |= PG_SLAB;
	page->slab.cache = &kmalloc_large_cache;
	page->slab.freelist = info;
	page->slab.inuse = 1;
	page->slab.order = order;
	list_push_back(&kmalloc_large_cache.full, &page->list);
	kmalloc_large_cache.nr_slabs++;
	kmalloc_large_cache.large_requested += size;
	slab_account_pages(1 << order);
	kheap_unlock(fl);
	return ptr;

out_free_info:
	kmem_cache_free(&large_info_cache, info);
	return NULL;
}

/* Frees the large block whose first frame is page. */
static void kmalloc_large_free(struct page *page, const void *ptr, uint32_t off,
			       void *caller)
{
	struct kmalloc_large_info *info = page->slab.freelist;
	unsigned int order = page->slab.order;
	bool fl;

	if (off != 0)
		kheap_bad_free(ptr, caller, "not the start of a large block");
	if (info->redzone)
		slab_debug_large_free(ptr, info->size, order, caller);

	fl = kheap_lock();
	list_remove(&page->list);
	kmalloc_large_cache.nr_slabs--;
	kmalloc_large_cache.large_requested -= info->size;
	slab_give_pages(page, order);
	kheap_unlock(fl);
	kmem_cache_free(&large_info_cache, info);
}

/* kmalloc() and kzalloc(): a size class, or a large block. */
KHEAP_FAST void *kmalloc_common(size_t size, unsigned int gfp)
{
	/* size - 1 wraps for 0, which thus takes the slow branch. */
	if (likely(size - 1 < KMALLOC_MAX_CACHE_SIZE))
		return slab_alloc(kmalloc_cache_of[kmalloc_index(size)], gfp,
				  size);
	if (size == 0)
		return slab_alloc(kmalloc_cache_of[0], gfp, 0);
	return kmalloc_large(size, gfp, __builtin_return_address(0));
}

/* Allocates size bytes: see mm/slab.h for what is promised. */
void *kmalloc(size_t size, unsigned int gfp)
{
	return kmalloc_common(size, gfp);
}

/* kmalloc() of zeroed memory. */
void *kzalloc(size_t size, unsigned int gfp)
{
	return kmalloc_common(size, gfp | GFP_ZERO);
}

/* Frees what kmalloc() (or any cache) returned, after checking it. */
void kfree(const void *ptr)
{
	struct kmem_cache *c;
	struct page *slab;
	uint32_t off;

	if (!ptr)
		return;
	slab = slab_lookup(ptr, &off);
	if (unlikely(!slab))
		kheap_bad_free(
			ptr, __builtin_return_address(0),
			"not a heap object (a large block freed twice?)");
	c = slab->slab.cache;
	if (likely(!(c->flags & (KMEM_CACHE_LARGE | KMEM_CACHE_DEBUG_ON))))
		slab_free(c, slab, (void *)ptr, off, false, NULL);
	else if (c->flags & KMEM_CACHE_LARGE)
		kmalloc_large_free(slab, ptr, off, __builtin_return_address(0));
	else
		slab_free_slow(c, slab, (void *)ptr, off,
			       __builtin_return_address(0));
}

/* The bytes the owner of a heap block may use. */
size_t ksize(const void *ptr)
{
	struct kmem_cache *c;
	struct page *slab;
	uint32_t off;

	if (!ptr)
		return 0;
	slab = slab_lookup(ptr, &off);
	if (!slab)
		panic("kheap: ksize of %p: not a heap object", ptr);
	c = slab->slab.cache;
	if (c->flags & KMEM_CACHE_LARGE)
		return (size_t)PAGE_SIZE << slab->slab.order;
	if (off % c->slot_size != 0)
		panic("kheap: ksize of %p: not the start of an object", ptr);
	/* In debug mode the bytes past the request are red zone. */
	if (cache_debug(c))
		return slab_debug_meta(c, ptr)->size;
	return c->object_size;
}

/* Calls fn for every live large block. */
void kmalloc_large_for_each(void (*fn)(const struct kheap_live *, void *),
			    void *ctx)
{
	struct list_node *n;

	list_for_each(n, &kmalloc_large_cache.full) {
		struct page *page = slab_of_list(n);
		struct kmalloc_large_info *info = page->slab.freelist;
		struct kheap_live live = {
			.ptr = page_address(page),
			.size = info->size,
			.caller = info->caller,
			.cache = kmalloc_large_cache.name,
		};
		fn(&live, ctx);
	}
}
