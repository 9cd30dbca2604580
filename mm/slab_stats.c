/*
 * mm/slab_stats.c - what the kernel heap holds: statistics and leak reports.
 *
 * Nothing here is on an allocation path: the fast paths keep no counters,
 * so statistics are computed on demand by walking each cache's slab lists
 * (and, in debug mode, the objects' metadata). The walks run with
 * interrupts off, so the numbers are a consistent snapshot.
 * kmem_cache_verify() walks the same structures to check the invariants
 * listed in mm/slab.c, for tests.
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab_internal.h"

/* Adds up the slabs on one list of c into st. */
static void count_list(struct kmem_cache *c, struct list_node *head,
		       struct kmem_cache_stats *st)
{
	struct list_node *n;

	list_for_each(n, head) {
		struct page *slab = slab_of_list(n);
		uint32_t inuse = slab->slab.inuse;

		st->slabs++;
		st->active_objs += inuse;
		if (inuse == 0)
			st->slabs_empty++;
		else if (inuse == c->objs_per_slab)
			st->slabs_full++;
		else
			st->slabs_partial++;
		if (cache_debug(c))
			st->bytes_requested += slab_debug_requested(c, slab);
		else
			st->bytes_requested += (uint64_t)inuse * c->object_size;
	}
}

/* Fills in st for cache c by walking its slabs. */
void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *st)
{
	bool fl = kheap_lock();

	memset(st, 0, sizeof(*st));
	strlcpy(st->name, c->name, sizeof(st->name));
	st->object_size = c->object_size;
	st->align = c->align;
	st->debug = cache_debug(c);
	if (c->flags & KMEM_CACHE_LARGE) {
		/* Large blocks: one object per "slab" of whole pages. */
		struct list_node *n;
		list_for_each(n, &c->full) {
			struct page *page = slab_of_list(n);
			st->bytes_total += (uint64_t)PAGE_SIZE
					   << page->slab.order;
		}
		st->slot_size = 0;
		st->objs_per_slab = 1;
		st->slabs = st->slabs_full = st->active_objs = st->total_objs =
			c->nr_slabs;
		st->bytes_requested = c->large_requested;
		st->bytes_wasted = st->bytes_total - st->bytes_requested;
		kheap_unlock(fl);
		return;
	}
	st->slot_size = c->slot_size;
	st->objs_per_slab = c->objs_per_slab;
	st->pages_per_slab = 1u << c->order;
	count_list(c, &c->partial, st);
	count_list(c, &c->full, st);
	count_list(c, &c->empty, st);
	KASSERT(st->slabs == c->nr_slabs);
	kheap_unlock(fl);

	st->total_objs = st->slabs * c->objs_per_slab;
	st->bytes_total = (uint64_t)st->slabs * (PAGE_SIZE << c->order);
	st->bytes_free =
		(uint64_t)(st->total_objs - st->active_objs) * c->slot_size;
	st->bytes_wasted =
		st->bytes_total - st->bytes_requested - st->bytes_free;
}

/* Fills in the heap-wide totals. */
void kheap_get_totals(struct kheap_totals *t)
{
	bool fl = kheap_lock();
	struct list_node *n;

	memset(t, 0, sizeof(*t));
	t->pages = kheap.pages;
	t->pages_peak = kheap.pages_peak;
	t->large_blocks = kmalloc_large_cache.nr_slabs;
	list_for_each(n, &kmalloc_large_cache.full)
		t->large_pages += 1u << slab_of_list(n)->slab.order;
	list_for_each(n, &kheap.caches)
		t->caches++;
	kheap_unlock(fl);
}

/* Restarts the peak-pages measurement from now. */
void kheap_reset_peak(void)
{
	bool fl = kheap_lock();
	kheap.pages_peak = kheap.pages;
	kheap_unlock(fl);
}

/* Logs one line per cache, like /proc/slabinfo, and the totals. */
void kheap_dump_stats(void)
{
	struct kmem_cache_stats st;
	struct kheap_totals t;

	kprintf("kheap: %-20s %8s %8s %6s %5s %5s %7s %9s %9s\n", "cache",
		"active", "total", "slot", "objs", "pages", "slabs", "bytes",
		"wasted");
	for (struct kmem_cache *c = kmem_cache_next(NULL); c;
	     c = kmem_cache_next(c)) {
		kmem_cache_get_stats(c, &st);
		kprintf("kheap: %-20s %8u %8u %6u %5u %5u %7u %9llu %9llu%s\n",
			st.name, st.active_objs, st.total_objs, st.slot_size,
			st.objs_per_slab, st.pages_per_slab, st.slabs,
			(unsigned long long)st.bytes_total,
			(unsigned long long)st.bytes_wasted,
			st.debug ? " debug" : "");
	}
	kheap_get_totals(&t);
	kprintf("kheap: %u pages held (peak %u), %u large blocks in %u pages, "
		"%u caches\n",
		t.pages, t.pages_peak, t.large_blocks, t.large_pages, t.caches);
}

/* Calls fn for every live allocation the heap can name an owner for. */
void kheap_for_each_live(void (*fn)(const struct kheap_live *live, void *ctx),
			 void *ctx)
{
	bool fl = kheap_lock();

	for (struct kmem_cache *c = kmem_cache_next(NULL); c;
	     c = kmem_cache_next(c))
		slab_debug_for_each_live(c, fn, ctx);
	kmalloc_large_for_each(fn, ctx);
	kheap_unlock(fl);
}

/* Callers the leak report can tell apart; the rest are lumped together. */
#define LEAK_CALLERS_MAX 32

/* Live allocations from one call site. */
struct leak_site {
	void *caller;
	const char *cache; /* the cache of the first one seen */
	uint32_t count;
	uint64_t bytes;
};

/* The leak report's table, filled by leak_add. */
struct leak_table {
	struct leak_site site[LEAK_CALLERS_MAX];
	uint32_t nsites;
	uint32_t other_count; /* from callers past the table */
	uint64_t other_bytes;
};

/* Counts one live allocation under its caller. */
static void leak_add(const struct kheap_live *live, void *ctx)
{
	struct leak_table *t = ctx;

	for (uint32_t i = 0; i < t->nsites; i++) {
		if (t->site[i].caller == live->caller) {
			t->site[i].count++;
			t->site[i].bytes += live->size;
			return;
		}
	}
	if (t->nsites == LEAK_CALLERS_MAX) {
		t->other_count++;
		t->other_bytes += live->size;
		return;
	}
	t->site[t->nsites++] =
		(struct leak_site){ live->caller, live->cache, 1, live->size };
}

/* Logs the live allocations by caller; returns how many are live. */
size_t kheap_leak_report(void)
{
	/* Static: the report runs where stack is scarce and must not allocate. */
	static struct leak_table t;
	struct kmem_cache_stats st;
	size_t live = 0;

	memset(&t, 0, sizeof(t));
	kheap_for_each_live(leak_add, &t);

	/* Largest first; the table is small, so insertion sort will do. */
	for (uint32_t i = 1; i < t.nsites; i++) {
		struct leak_site s = t.site[i];
		uint32_t j = i;
		for (; j > 0 && t.site[j - 1].bytes < s.bytes; j--)
			t.site[j] = t.site[j - 1];
		t.site[j] = s;
	}
	for (uint32_t i = 0; i < t.nsites; i++)
		kprintf("kheap: leak: %u allocations, %llu bytes, from %p (%s)\n",
			t.site[i].count, (unsigned long long)t.site[i].bytes,
			t.site[i].caller, t.site[i].cache);
	if (t.other_count)
		kprintf("kheap: leak: %u allocations, %llu bytes, from other "
			"callers\n",
			t.other_count, (unsigned long long)t.other_bytes);

	/* Caches without debug mode only know how many objects they hold. */
	for (struct kmem_cache *c = kmem_cache_next(NULL); c;
	     c = kmem_cache_next(c)) {
		if (c->flags & KMEM_CACHE_NODEBUG &&
		    !(c->flags & KMEM_CACHE_LARGE))
			continue;
		kmem_cache_get_stats(c, &st);
		live += st.active_objs;
		if (st.active_objs && !st.debug &&
		    !(c->flags & KMEM_CACHE_LARGE))
			kprintf("kheap: leak: %u objects in cache %s (callers "
				"are recorded in debug mode only)\n",
				st.active_objs, st.name);
	}
	kprintf("kheap: %u live allocations\n", (unsigned int)live);
	return live;
}

/* Logs an invariant violation for kmem_cache_verify() and fails. */
#define VERIFY(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			pr_err("kmem_cache_verify: " __VA_ARGS__);             \
			return -EINVAL;                                        \
		}                                                              \
	} while (0)

/* Checks one slab of c: its page, and its free list against its count. */
static int verify_slab(struct kmem_cache *c, struct page *slab)
{
	char *base = slab_base(slab);
	uint32_t bytes = PAGE_SIZE << c->order, nfree = 0;

	VERIFY(slab->flags & PG_SLAB, "%s: slab %p lacks PG_SLAB\n", c->name,
	       base);
	VERIFY(slab->slab.cache == c && slab->slab.order == c->order,
	       "%s: slab %p names another cache or order\n", c->name, base);
	VERIFY(slab->slab.inuse <= c->objs_per_slab,
	       "%s: slab %p has %u objects in use\n", c->name, base,
	       slab->slab.inuse);
	for (char *p = slab->slab.freelist; p;
	     p = (char *)slab_free_words(c, p)[0]) {
		uint32_t off = (uint32_t)(p - base);
		VERIFY(p >= base && off < bytes && off % c->slot_size == 0 &&
			       off / c->slot_size < c->objs_per_slab,
		       "%s: slab %p: free list points at %p\n", c->name, base,
		       p);
		VERIFY(slab_free_words(c, p)[1] == KHEAP_FREE_MARKER,
		       "%s: free slot %p lost its marker\n", c->name, p);
		VERIFY(++nfree <= c->objs_per_slab,
		       "%s: slab %p: free list loops\n", c->name, base);
	}
	VERIFY(nfree + slab->slab.inuse == c->objs_per_slab,
	       "%s: slab %p: %u free + %u in use != %u slots\n", c->name, base,
	       nfree, slab->slab.inuse, c->objs_per_slab);
	return 0;
}

/* Checks every slab of c and that each is on the list its fill calls for. */
static int verify_locked(struct kmem_cache *c)
{
	uint32_t slabs = 0, empty = 0;
	struct list_node *n;
	int err;

	list_for_each(n, &c->partial) {
		struct page *slab = slab_of_list(n);
		if ((err = verify_slab(c, slab)))
			return err;
		VERIFY(slab->slab.inuse < c->objs_per_slab,
		       "%s: full slab on the partial list\n", c->name);
		VERIFY(slab->slab.inuse || n->next == &c->partial,
		       "%s: empty slab inside the partial list\n", c->name);
		slabs++;
	}
	list_for_each(n, &c->full) {
		struct page *slab = slab_of_list(n);
		if ((err = verify_slab(c, slab)))
			return err;
		VERIFY(slab->slab.inuse == c->objs_per_slab,
		       "%s: slab with free slots on the full list\n", c->name);
		slabs++;
	}
	list_for_each(n, &c->empty) {
		struct page *slab = slab_of_list(n);
		if ((err = verify_slab(c, slab)))
			return err;
		VERIFY(slab->slab.inuse == 0,
		       "%s: slab in use on the empty list\n", c->name);
		slabs++;
		empty++;
	}
	VERIFY(empty == c->nr_empty && empty <= KHEAP_EMPTY_SLABS_KEPT,
	       "%s: %u slabs on the empty list, counted %u\n", c->name, empty,
	       c->nr_empty);
	VERIFY(slabs == c->nr_slabs, "%s: %u slabs on lists, counted %u\n",
	       c->name, slabs, c->nr_slabs);
	return 0;
}

/* Checks the invariants of cache c; 0, or -EINVAL after logging why. */
int kmem_cache_verify(struct kmem_cache *c)
{
	if (c->flags & KMEM_CACHE_LARGE)
		return 0;
	bool fl = kheap_lock();
	int err = verify_locked(c);
	kheap_unlock(fl);
	return err;
}
