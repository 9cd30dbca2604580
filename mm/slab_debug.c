/*
 * mm/slab_debug.c - the kernel heap's debug mode: red zones and poison.
 *
 * In debug mode a slot is laid out as
 *
 *   | object (object_size) | red zone (>= 8 bytes) | struct kheap_debug_meta |
 *   ^ slot start, aligned   ^ object_size            ^ meta_offset
 *
 * and padded to the cache's alignment. The metadata records the request
 * size, the allocating and freeing callers, and carries the two free-slot
 * words, so a free object can be poisoned entirely.
 *
 * Invariants, checked at the moments named:
 *  - a live object's bytes from its request size up to meta_offset hold
 *    KHEAP_REDZONE_BYTE (checked when it is freed: an overflow);
 *  - a free object's bytes up to object_size hold KHEAP_POISON_BYTE and the
 *    rest up to meta_offset KHEAP_REDZONE_BYTE (checked when the slot is
 *    handed out again and when its slab is released: a use after free);
 *  - meta.state is KHEAP_LIVE exactly while the object is allocated.
 *
 * Large kmalloc blocks get a red zone from the request size to the end of
 * the block, checked on free.
 *
 * The allocation and free paths of debug-mode caches live here too: the
 * fast paths in mm/slab_internal.h hand such caches over on their first
 * test, so that they stay short for everyone else.
 */
#include "libk/assert.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab_internal.h"

/* Fills freed objects; reads of freed memory show 0x6b6b6b6b. */
#define KHEAP_POISON_BYTE 0x6b
/* Fills red zones: the bytes just past what the owner asked for. */
#define KHEAP_REDZONE_BYTE 0xcc
/* meta.state of an allocated object (never a free marker in practice). */
#define KHEAP_LIVE ((uintptr_t)0xa110ca7eu)

STATIC_ASSERT(offsetof(struct kheap_debug_meta, state) ==
		      offsetof(struct kheap_debug_meta, next_free) +
			      sizeof(uintptr_t),
	      "the two free-slot words must be adjacent");

/* x rounded up to a multiple of align (a power of two). */
static inline uint32_t round_up(uint32_t x, uint32_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/* The offset of the first byte in [from, to) of p that is not c, or -1. */
static long find_not(const void *p, uint32_t from, uint32_t to, uint8_t c)
{
	const uint8_t *b = p;

	for (uint32_t i = from; i < to; i++) {
		if (b[i] != c)
			return i;
	}
	return -1;
}

/* Sets the debug layout of cache c: slot size and metadata place. */
void slab_debug_layout(struct kmem_cache *c)
{
	c->meta_offset =
		round_up(c->object_size + KHEAP_REDZONE_MIN, sizeof(uintptr_t));
	c->fp_offset =
		c->meta_offset + offsetof(struct kheap_debug_meta, next_free);
	c->slot_size = round_up(
		c->meta_offset + sizeof(struct kheap_debug_meta), c->align);
}

/* Poisons a slot of a new slab (the slab code then sets its free words). */
void slab_debug_init_slot(struct kmem_cache *c, void *obj)
{
	struct kheap_debug_meta *m = slab_debug_meta(c, obj);

	memset(obj, KHEAP_POISON_BYTE, c->object_size);
	memset((char *)obj + c->object_size, KHEAP_REDZONE_BYTE,
	       c->meta_offset - c->object_size);
	m->alloc_caller = NULL;
	m->free_caller = NULL;
	m->size = 0;
}

/* Checks that the free object at obj is unchanged since it was freed. */
void slab_debug_check_free(struct kmem_cache *c, void *obj)
{
	struct kheap_debug_meta *m = slab_debug_meta(c, obj);
	long bad = find_not(obj, 0, c->object_size, KHEAP_POISON_BYTE);

	if (bad >= 0)
		panic("kheap: use after free: object %p of cache %s written "
		      "at offset %ld after it was freed by %p (allocated by %p)",
		      obj, c->name, bad, m->free_caller, m->alloc_caller);
	bad = find_not(obj, c->object_size, c->meta_offset, KHEAP_REDZONE_BYTE);
	if (bad >= 0)
		panic("kheap: red zone overwritten: free object %p of cache "
		      "%s written at offset %ld after it was freed by %p",
		      obj, c->name, bad, m->free_caller);
}

/* Prepares a slot just taken from the free list for its new owner. */
void slab_debug_alloc(struct kmem_cache *c, void *obj, size_t req, void *caller)
{
	struct kheap_debug_meta *m = slab_debug_meta(c, obj);

	KASSERT(req <= c->object_size);
	slab_debug_check_free(c, obj);
	m->state = KHEAP_LIVE;
	m->alloc_caller = caller;
	m->size = req;
	/* The object stays poisoned: reading it uninitialised shows 0x6b. */
	memset((char *)obj + req, KHEAP_REDZONE_BYTE, c->object_size - req);
}

/* Checks the red zone of an object being freed, then poisons it. */
void slab_debug_free(struct kmem_cache *c, void *obj, void *caller)
{
	struct kheap_debug_meta *m = slab_debug_meta(c, obj);
	long bad;

	if (m->state != KHEAP_LIVE)
		panic("kheap: bad free of %p from %p: object metadata of "
		      "cache %s corrupted (overflow past its red zone?)",
		      obj, caller, c->name);
	bad = find_not(obj, m->size, c->meta_offset, KHEAP_REDZONE_BYTE);
	if (bad >= 0)
		panic("kheap: red zone overwritten: object %p of cache %s "
		      "(%u bytes, allocated by %p) written at offset %ld; "
		      "found when freed by %p",
		      obj, c->name, (unsigned int)m->size, m->alloc_caller, bad,
		      caller);
	memset(obj, KHEAP_POISON_BYTE, c->object_size);
	m->free_caller = caller;
}

/* slab_alloc() for a debug-mode cache: the same, plus the checks. */
void *slab_alloc_debug(struct kmem_cache *c, unsigned int gfp, size_t req,
		       void *caller)
{
	bool fl = kheap_lock();
	struct page *slab = slab_take(c);
	uintptr_t *w;
	void *obj;

	if (!slab) {
		kheap_unlock(fl);
		return NULL;
	}
	obj = slab->slab.freelist;
	w = slab_free_words(c, obj);
	/* The metadata is past the red zone: an overflow may have hit it. */
	if (w[1] != KHEAP_FREE_MARKER) {
		kheap_unlock(fl);
		panic("kheap: free object %p of cache %s has corrupted "
		      "metadata (overflow past the red zone of the object "
		      "before it?)",
		      obj, c->name);
	}
	slab->slab.freelist = (void *)w[0];
	w[1] = 0;
	if (++slab->slab.inuse == c->objs_per_slab)
		slab_transition(c, slab);
	kheap_unlock(fl);

	slab_debug_alloc(c, obj, req, caller);
	if (gfp & GFP_ZERO)
		memset(obj, 0, req);
	return obj;
}

/* Frees obj to a debug-mode cache c: slab_free with the debug checks. */
void slab_free_slow(struct kmem_cache *c, struct page *slab, void *obj,
		    uint32_t off, void *caller)
{
	slab_free(c, slab, obj, off, true, caller);
}

/* Panics for a confirmed double free, naming who freed the object first. */
void slab_debug_double_free(struct kmem_cache *c, void *obj, void *caller)
{
	struct kheap_debug_meta *m = slab_debug_meta(c, obj);

	panic("kheap: double free of %p from %p (cache %s, allocated by %p, "
	      "first freed by %p)",
	      obj, caller, c->name, m->alloc_caller, m->free_caller);
}

/* Bytes requested by the live objects of one slab. */
size_t slab_debug_requested(struct kmem_cache *c, struct page *slab)
{
	char *base = slab_base(slab);
	size_t sum = 0;

	for (uint32_t i = 0; i < c->objs_per_slab; i++) {
		struct kheap_debug_meta *m =
			slab_debug_meta(c, base + i * c->slot_size);
		if (m->state == KHEAP_LIVE)
			sum += m->size;
	}
	return sum;
}

/* Calls fn for the live objects of the slabs on one list of c. */
static void for_each_live_on(struct kmem_cache *c, struct list_node *head,
			     void (*fn)(const struct kheap_live *, void *),
			     void *ctx)
{
	struct list_node *n;

	list_for_each(n, head) {
		char *base = slab_base(slab_of_list(n));
		for (uint32_t i = 0; i < c->objs_per_slab; i++) {
			char *obj = base + i * c->slot_size;
			struct kheap_debug_meta *m = slab_debug_meta(c, obj);
			if (m->state != KHEAP_LIVE)
				continue;
			struct kheap_live live = {
				.ptr = obj,
				.size = m->size,
				.caller = m->alloc_caller,
				.cache = c->name,
			};
			fn(&live, ctx);
		}
	}
}

/* Calls fn for every live object of a debug-mode cache. */
void slab_debug_for_each_live(struct kmem_cache *c,
			      void (*fn)(const struct kheap_live *, void *),
			      void *ctx)
{
	if (!cache_debug(c))
		return;
	for_each_live_on(c, &c->partial, fn, ctx);
	for_each_live_on(c, &c->full, fn, ctx);
}

/* Prints one live object (for kmem_cache_destroy of a busy cache). */
static void report_one(const struct kheap_live *live, void *ctx)
{
	unsigned int *left = ctx;

	if (*left == 0)
		return;
	(*left)--;
	kprintf("kheap:   %p (%u bytes) allocated by %p\n", live->ptr,
		(unsigned int)live->size, live->caller);
}

/* Lists (some of) the live objects of a debug-mode cache. */
void slab_debug_report_cache(struct kmem_cache *c)
{
	unsigned int left = 16;

	slab_debug_for_each_live(c, report_one, &left);
}

/* Fills the tail of a new large block, past the request, with red zone. */
void slab_debug_large_alloc(void *ptr, size_t size, unsigned int order)
{
	memset((char *)ptr + size, KHEAP_REDZONE_BYTE,
	       ((size_t)PAGE_SIZE << order) - size);
}

/* Checks the red zone of a large block being freed. */
void slab_debug_large_free(const void *ptr, size_t size, unsigned int order,
			   void *caller)
{
	long bad = find_not(ptr, size, PAGE_SIZE << order, KHEAP_REDZONE_BYTE);

	if (bad >= 0)
		panic("kheap: red zone overwritten: large block %p (%u bytes) "
		      "written at offset %ld; found when freed by %p",
		      ptr, (unsigned int)size, bad, caller);
}
