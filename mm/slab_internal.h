/*
 * mm/slab_internal.h - the kernel heap's private structures and fast paths.
 *
 * Shared by mm/slab.c (caches and slabs), mm/kmalloc.c (size classes and
 * large blocks), mm/slab_debug.c (red zones, poison) and mm/slab_stats.c
 * (statistics, leak report). Users of the heap include mm/slab.h only.
 *
 * A slab is a block of 2^order pages. Its metadata lives in the struct page
 * of the block's first frame (page->slab), so the pages hold objects only:
 *
 *   page->slab.cache     the owning cache
 *   page->slab.freelist  the first free slot; each free slot holds the next
 *   page->slab.inuse     slots handed out
 *   page->slab.order     block size
 *
 * The first frame keeps the PG_HEAD and order bits the page allocator put
 * in its flags and gains PG_SLAB; the other frames of the block are left
 * alone (mm/page.h). A pointer into one of them leads back to the slab
 * through the memory map: blocks are aligned to their size, so the first
 * frame is at the frame number rounded down to 2^order (slab_lookup_tail).
 *
 * A free slot holds two words at fp_offset: the next free slot, then
 * KHEAP_FREE_MARKER; allocation clears the marker. A slot freed with its
 * marker in place is probably free already, and the slab's free list
 * decides (a double free); any other is certainly not on it.
 * Without debug mode fp_offset is 0 (the words overlay the object); with
 * it, they are in the debug metadata after the red zone, so the whole
 * object can be poisoned.
 *
 * Lists: a cache's slabs are on exactly one of its lists, by state:
 * partial (some slots free; allocation takes the first), full, or empty
 * (all free, kept for reuse). A slab that becomes empty while last on the
 * partial list stays there, so a loop of alloc and free does not bounce a
 * slab in and out of the page allocator. Such a resting slab counts
 * towards the KHEAP_EMPTY_SLABS_KEPT empty slabs a cache keeps.
 *
 * Locking: every list and free-list operation runs with interrupts disabled
 * (kheap_lock), which on one CPU makes it atomic.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libk/list.h"
#include "libk/string.h"
#include "mm/internal.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "mm/port.h"
#include "mm/slab.h"

/* Internal cache flags, above the public enum kmem_cache_flags. */
enum {
	KMEM_CACHE_LARGE = 1u << 16,	/* the pseudo-cache of large kmallocs */
	KMEM_CACHE_STATIC = 1u << 17,	/* built in: cannot be destroyed */
	KMEM_CACHE_NODEBUG = 1u << 18,	/* never debugged (heap internals) */
	KMEM_CACHE_DEBUG_ON = 1u << 19, /* debug layout in force */
};

/* Caches never use slabs of more than 2^KHEAP_MAX_SLAB_ORDER pages. */
#define KHEAP_MAX_SLAB_ORDER 4
/* The largest object a cache may hold: at least two per biggest slab. */
#define KMEM_CACHE_MAX_SIZE ((PAGE_SIZE << KHEAP_MAX_SLAB_ORDER) / 2)
/* Completely free slabs a cache keeps on its empty list. */
#define KHEAP_EMPTY_SLABS_KEPT 1
/* Bytes of red zone after an object, at least (debug mode). */
#define KHEAP_REDZONE_MIN 8

struct kmem_cache {
	/* The fields the fast paths touch come first. */
	struct list_node partial; /* slabs with free slots */
	uint32_t flags;		  /* enum kmem_cache_flags and the above */
	uint32_t fp_offset;	  /* free slot: next pointer, then marker */
	uint32_t slot_size;	  /* distance between objects */
	uint32_t objs_per_slab;
	uint32_t recip;	      /* ceil(2^32 / slot_size), see slab_index */
	uint32_t object_size; /* bytes an object's owner may use */

	struct list_node full;	  /* slabs with no free slot */
	struct list_node empty;	  /* slabs with no object in use */
	uint32_t nr_empty;	  /* length of the empty list */
	uint32_t nr_slabs;	  /* slabs on any list */
	uint32_t order;		  /* slabs are 2^order pages */
	uint32_t align;		  /* object alignment */
	uint32_t meta_offset;	  /* debug metadata, from the slot start */
	uint64_t large_requested; /* KMEM_CACHE_LARGE: bytes asked for */
	struct list_node link;	  /* in kheap.caches */
	char name[KMEM_CACHE_NAME_MAX];
};

/*
 * Debug metadata after each object's red zone. next_free and state are the
 * two free-slot words of the slot (fp_offset points at next_free).
 */
struct kheap_debug_meta {
	void *next_free;    /* free list link while free */
	uintptr_t state;    /* the free marker, or KHEAP_LIVE while in use */
	void *alloc_caller; /* who allocated the object last */
	void *free_caller;  /* who freed it last */
	uintptr_t size;	    /* bytes requested */
};

/* The whole heap's state. */
struct kheap_state {
	struct list_node caches; /* every cache, by creation */
	bool debug;		 /* heap-wide debug mode */
	uint32_t pages;		 /* pages held: slabs and large blocks */
	uint32_t pages_peak;
};

extern struct kheap_state kheap;
extern struct kmem_cache kmalloc_large_cache;

/* Disables interrupts for a heap operation; returns the previous state. */
static inline bool kheap_lock(void)
{
	return port_irq_save();
}

static inline void kheap_unlock(bool flags)
{
	port_irq_restore(flags);
}

static inline bool cache_debug(const struct kmem_cache *c)
{
	return c->flags & KMEM_CACHE_DEBUG_ON;
}

/*
 * The second word of every free slot. Any value works, because the free
 * list has the final say; an unlikely one keeps the checks rare.
 */
#define KHEAP_FREE_MARKER ((uintptr_t)0xf4eef4eeu)

/* The two free-slot words of the slot at obj. */
static inline uintptr_t *slab_free_words(const struct kmem_cache *c,
					 const void *obj)
{
	return (uintptr_t *)((uintptr_t)obj + c->fp_offset);
}

static inline struct page *slab_of_list(struct list_node *n)
{
	return list_entry(n, struct page, list);
}

/*
 * The slot index of byte offset off in a slab, by multiplying with a
 * rounded-up reciprocal instead of dividing. Exact while off * slot_size
 * stays below 2^32, which the slab size limits guarantee.
 */
static inline uint32_t slab_index(const struct kmem_cache *c, uint32_t off)
{
	return (uint32_t)(((uint64_t)off * c->recip) >> 32);
}

/* The address of a slab's first slot. */
static inline void *slab_base(const struct page *slab)
{
	return page_address(slab);
}

/* slab.c: state changes, slab growth and release, bad-free reports. */
struct page *slab_lookup_tail(struct page *page);
struct page *slab_refill(struct kmem_cache *c);
void slab_transition(struct kmem_cache *c, struct page *slab);
void slab_check_double_free(struct kmem_cache *c, struct page *slab, void *obj,
			    void *caller);
__attribute__((noreturn)) void kheap_bad_free(const void *ptr, void *caller,
					      const char *why);
__attribute__((noreturn)) void slab_bad_slot(struct kmem_cache *c,
					     const void *ptr, uint32_t off,
					     void *caller);
void slab_account_pages(int delta);
void slab_give_pages(struct page *head, unsigned int order);
void cache_setup(struct kmem_cache *c, const char *name, size_t size,
		 size_t align, uint32_t flags);

/* The debug metadata of the object at obj (debug layout only). */
static inline struct kheap_debug_meta *
slab_debug_meta(const struct kmem_cache *c, const void *obj)
{
	return (struct kheap_debug_meta *)((uintptr_t)obj + c->meta_offset);
}

/* slab_debug.c: the debug-mode paths and checks. */
void *slab_alloc_debug(struct kmem_cache *c, unsigned int gfp, size_t req,
		       void *caller);
void slab_free_slow(struct kmem_cache *c, struct page *slab, void *obj,
		    uint32_t off, void *caller);
void slab_debug_layout(struct kmem_cache *c);
void slab_debug_init_slot(struct kmem_cache *c, void *obj);
void slab_debug_check_free(struct kmem_cache *c, void *obj);
void slab_debug_alloc(struct kmem_cache *c, void *obj, size_t req,
		      void *caller);
void slab_debug_free(struct kmem_cache *c, void *obj, void *caller);
__attribute__((noreturn)) void slab_debug_double_free(struct kmem_cache *c,
						      void *obj, void *caller);
size_t slab_debug_requested(struct kmem_cache *c, struct page *slab);
void slab_debug_for_each_live(struct kmem_cache *c,
			      void (*fn)(const struct kheap_live *, void *),
			      void *ctx);
void slab_debug_report_cache(struct kmem_cache *c);
void slab_debug_large_alloc(void *ptr, size_t size, unsigned int order);
void slab_debug_large_free(const void *ptr, size_t size, unsigned int order,
			   void *caller);

/* kmalloc.c. */
void kmalloc_caches_init(void);
void kmalloc_large_for_each(void (*fn)(const struct kheap_live *, void *),
			    void *ctx);

/*
 * The fast paths below are always inlined into the public entry points, so
 * __builtin_return_address(0) in them names the caller of kmalloc(),
 * kfree() etc. It is only evaluated on the rare paths that report it.
 */
#define KHEAP_FAST static inline __attribute__((always_inline))

/*
 * The slab to allocate from: the first on the partial list, else one from
 * slab_refill(). Called with the heap locked.
 */
KHEAP_FAST struct page *slab_take(struct kmem_cache *c)
{
	struct list_node *n = c->partial.next;

	if (likely(n != &c->partial))
		return slab_of_list(n);
	return slab_refill(c);
}

/*
 * Takes one object from cache c: the fast path shared by kmem_cache_alloc
 * and kmalloc. req is the size the caller asked for (debug mode keeps the
 * bytes past it as red zone); slab_alloc_debug() serves debug-mode caches.
 */
KHEAP_FAST void *slab_alloc(struct kmem_cache *c, unsigned int gfp, size_t req)
{
	struct page *slab;
	void *obj;
	bool fl;

	if (unlikely(cache_debug(c)))
		return slab_alloc_debug(c, gfp, req,
					__builtin_return_address(0));

	fl = kheap_lock();
	slab = slab_take(c);
	if (unlikely(!slab)) {
		kheap_unlock(fl);
		return NULL;
	}
	/* Without debug mode the free-slot words are the object's first two. */
	obj = slab->slab.freelist;
	slab->slab.freelist = ((void **)obj)[0];
	/* A live object must not look free to the double-free check. */
	((uintptr_t *)obj)[1] = 0;
	if (unlikely(++slab->slab.inuse == c->objs_per_slab))
		slab_transition(c, slab);
	/* Zeroing here leaves fewer values live across the unlock call. */
	if (unlikely(gfp & GFP_ZERO))
		memset(obj, 0, c->object_size);
	kheap_unlock(fl);
	return obj;
}

/*
 * Whether slab, which has just become empty, may simply stay where it is:
 * last on the partial list, where allocation reaches it only when every
 * other partial slab is full (see the list rules above).
 */
KHEAP_FAST bool slab_may_stay(const struct kmem_cache *c,
			      const struct page *slab)
{
	return slab->list.next == &c->partial;
}

/*
 * Returns obj, at byte offset off of slab, to cache c: shared by
 * kmem_cache_free and kfree. The fast path (debug false, caller NULL) is
 * for caches the caller has checked are not in debug mode, and finds the
 * caller itself when it needs it; slab_free_slow() covers the others.
 */
KHEAP_FAST void slab_free(struct kmem_cache *c, struct page *slab, void *obj,
			  uint32_t off, bool debug, void *caller)
{
	uint32_t idx = slab_index(c, off);
	/* Without debug mode the free-slot words are the object's first two. */
	uintptr_t *w = debug ? slab_free_words(c, obj) : (uintptr_t *)obj;
	uint32_t inuse;
	bool fl;

	if (unlikely(idx * c->slot_size != off || idx >= c->objs_per_slab))
		slab_bad_slot(c, obj, off,
			      caller ? caller : __builtin_return_address(0));
	if (unlikely(w[1] == KHEAP_FREE_MARKER))
		slab_check_double_free(c, slab, obj,
				       caller ? caller
					      : __builtin_return_address(0));
	if (debug)
		slab_debug_free(c, obj, caller);

	fl = kheap_lock();
	w[0] = (uintptr_t)slab->slab.freelist;
	w[1] = KHEAP_FREE_MARKER;
	slab->slab.freelist = obj;
	inuse = slab->slab.inuse--;
	/* One compare for "was full or is now empty" (unsigned wrap at 1). */
	if (unlikely(inuse - 2 >= c->objs_per_slab - 2) &&
	    (inuse != 1 || !slab_may_stay(c, slab)))
		slab_transition(c, slab);
	kheap_unlock(fl);
}

/*
 * The slab (or large block) holding ptr, and ptr's byte offset in it. The
 * common case, a pointer into the slab's first frame, needs no search.
 * Returns NULL if ptr is not in the heap; *off is set either way.
 */
KHEAP_FAST struct page *slab_lookup(const void *ptr, uint32_t *off)
{
	/* virt_to_page(), inline: this is on every free. */
	pfn_t pfn = port_virt_to_phys(ptr) >> PAGE_SHIFT;
	struct page *page = NULL;

	if (likely(pfn < max_pfn)) {
		page = pfn_to_page(pfn);
		if (likely(page->flags & PG_SLAB)) {
			*off = (uintptr_t)ptr & (PAGE_SIZE - 1);
			return page;
		}
	}
	page = slab_lookup_tail(page);
	*off = page ? (uintptr_t)ptr - (uintptr_t)slab_base(page) : 0;
	return page;
}

#endif
