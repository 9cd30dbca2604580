/*
 * mm/slab.h - the kernel heap: slab caches and kmalloc.
 *
 * A slab cache hands out objects of one size. It carves whole blocks of
 * pages from the page allocator ("slabs") into equal slots and keeps the
 * free slots of each slab on a list threaded through the slots themselves,
 * so allocation and free are a pop and a push. kmalloc() sits on top: one
 * cache per power-of-two size class from KMALLOC_MIN_SIZE to
 * KMALLOC_MAX_CACHE_SIZE (16 bytes to 4 KiB), and whole page blocks above
 * that.
 *
 * Guarantees:
 *  - every object is aligned to at least KMALLOC_MIN_ALIGN bytes;
 *  - kmalloc(n) for a power of two n up to PAGE_SIZE is aligned to n;
 *  - kfree() of a pointer the heap did not hand out, or of one already
 *    freed, panics with a message naming the pointer (it never silently
 *    corrupts the heap). Without debug mode a double free is caught when
 *    the object is still free; with debug mode always.
 *
 * Debug mode (on by default when built with CONFIG_DEBUG, or switched on
 * with kheap_set_debug() before the first allocation, boot option
 * kheap.debug=1) adds a red zone after every object, checked on free;
 * fills freed objects with poison, checked when the slot is reused; records
 * the caller of every allocation for kheap_leak_report(). See
 * docs/kernel-heap.md.
 *
 * The heap is not reentrant from interrupt handlers that interrupt it on
 * another CPU; on our single CPU it disables interrupts around each list
 * operation, so interrupt handlers may allocate and free.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/pmm.h"

/* The smallest kmalloc size class; smaller requests get this much. */
#define KMALLOC_MIN_SIZE 16
/* The largest kmalloc served from a slab cache; larger ones get pages. */
#define KMALLOC_MAX_CACHE_SIZE 4096
/* The largest kmalloc: the largest block the page allocator has. */
#define KMALLOC_MAX_SIZE ((size_t)PAGE_SIZE << (PMM_MAX_ORDER - 1))
/* Every heap object is aligned at least this much. */
#define KMALLOC_MIN_ALIGN 8
/* The longest cache name kept (longer names are cut). */
#define KMEM_CACHE_NAME_MAX 24

struct kmem_cache;

/* Flags for kmem_cache_create(). */
enum kmem_cache_flags {
	/* Red zones, poison and owner tracking for this cache alone. */
	KMEM_CACHE_DEBUG = 1u << 0,
};

/*
 * Creates a cache of objects of `size` bytes aligned to `align` (0 means
 * KMALLOC_MIN_ALIGN; otherwise a power of two up to PAGE_SIZE). The name is
 * copied. Returns NULL if the arguments are invalid or memory is short.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags);

/*
 * Destroys an empty cache and returns its pages. Returns -EBUSY (and logs
 * the objects still allocated) if it is not empty; the cache then stays.
 */
int kmem_cache_destroy(struct kmem_cache *cache);

/* Allocates one object, or returns NULL. gfp: GFP_KERNEL, | GFP_ZERO. */
void *kmem_cache_alloc(struct kmem_cache *cache, unsigned int gfp);

/* Frees an object of this cache; panics if it is not one, or is free. */
void kmem_cache_free(struct kmem_cache *cache, void *obj);

/* Returns the cache's completely free slabs to the page allocator. */
size_t kmem_cache_shrink(struct kmem_cache *cache);

/*
 * Allocates size bytes (see the guarantees above), or returns NULL. A
 * request of 0 bytes gets a KMALLOC_MIN_SIZE object.
 */
void *kmalloc(size_t size, unsigned int gfp);

/* kmalloc() of zeroed memory. */
void *kzalloc(size_t size, unsigned int gfp);

/* Frees what kmalloc() returned; NULL is ignored. Panics on a bad pointer. */
void kfree(const void *ptr);

/* The usable size of a kmalloc() block (its size class). */
size_t ksize(const void *ptr);

/*
 * Sets up the kmalloc caches. Called once at boot after pmm_init(); the
 * host tests call it again after each pmm_init(), which forgets every cache
 * and object of the previous heap.
 */
void kheap_init(void);

/*
 * Turns debug mode on or off for the whole heap. Only possible while no
 * cache holds any slab (before the first allocation): returns -EBUSY
 * otherwise, 0 on success.
 */
int kheap_set_debug(bool on);

/* Whether the heap-wide debug mode is on. */
bool kheap_debug_enabled(void);

/* Returns every cache's free slabs to the page allocator; pages freed. */
size_t kheap_shrink(void);

/* One live allocation, as kheap_for_each_live() reports it. */
struct kheap_live {
	const void *ptr;   /* the object */
	size_t size;	   /* bytes requested */
	void *caller;	   /* return address of the allocating call */
	const char *cache; /* owning cache, "kmalloc-large" for pages */
};

/*
 * Calls fn for every live allocation the heap tracks: all objects of
 * debug-mode caches and all large kmalloc blocks. Objects of caches without
 * debug mode carry no owner and are not listed. fn must not allocate.
 */
void kheap_for_each_live(void (*fn)(const struct kheap_live *live, void *ctx),
			 void *ctx);

/*
 * Logs the live allocations grouped by caller (largest first) and the
 * number of objects in use per cache. Returns the number of live objects.
 */
size_t kheap_leak_report(void);

/* What a cache holds, for kheap_dump_stats() and /proc/slabinfo. */
struct kmem_cache_stats {
	char name[KMEM_CACHE_NAME_MAX];
	uint32_t object_size; /* bytes the user may use */
	uint32_t slot_size;   /* bytes per object in the slab */
	uint32_t align;	      /* object alignment */
	uint32_t objs_per_slab;
	uint32_t pages_per_slab;
	uint32_t active_objs;	/* objects in use */
	uint32_t total_objs;	/* slots in all slabs */
	uint32_t slabs;		/* slabs held, any state */
	uint32_t slabs_partial; /* with free and used slots */
	uint32_t slabs_full;
	uint32_t slabs_empty;
	uint64_t bytes_total;	  /* page memory held by the slabs */
	uint64_t bytes_requested; /* what the live objects' owners asked for */
	uint64_t bytes_wasted;	  /* internal fragmentation, see below */
	uint64_t bytes_free;	  /* free slots */
	bool debug;		  /* red zones and poison on */
};

/*
 * bytes_wasted counts memory held for live objects but unusable: slot
 * padding and debug metadata, the unused tail of each slab, and (in debug
 * mode, which records request sizes) the rounding of a kmalloc request up to
 * its size class. bytes_total = bytes_requested + bytes_wasted + bytes_free.
 */

/* Iterates over the caches: pass NULL for the first; NULL after the last. */
struct kmem_cache *kmem_cache_next(struct kmem_cache *prev);

/* Fills in st for cache. */
void kmem_cache_get_stats(struct kmem_cache *cache,
			  struct kmem_cache_stats *st);

/* Heap-wide totals. */
struct kheap_totals {
	uint32_t pages;	       /* pages held now (slabs + large blocks) */
	uint32_t pages_peak;   /* most pages held since kheap_reset_peak() */
	uint32_t large_blocks; /* live large kmalloc blocks */
	uint32_t large_pages;  /* pages in them */
	uint32_t caches;       /* caches, including kmalloc's */
};

void kheap_get_totals(struct kheap_totals *t);

/* Restarts the pages_peak measurement from the current number of pages. */
void kheap_reset_peak(void);

/* Logs one line per cache (like /proc/slabinfo) and the totals. */
void kheap_dump_stats(void);

/*
 * Walks every slab of a cache and checks the heap's invariants (for tests).
 * Returns 0, or -EINVAL after logging the first violation.
 */
int kmem_cache_verify(struct kmem_cache *cache);

#endif
