/*
 * tests/host/test_slab.c - slab caches (mm/slab.c) on fake RAM.
 *
 * Each test starts from a fresh page allocator and heap. The tests check
 * what a cache promises (alignment, objects that do not overlap, reuse,
 * statistics that add up, pages going back to the page allocator) and that
 * bad frees panic. A seeded random test mixes allocations and frees over
 * several caches against a model of the live objects and checks the heap's
 * invariants as it goes; set KHEAP_SEED to replay one seed.
 */
#include "libk/errno.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "tests/host/heap_fixture.h"
#include "tests/host/shim/host_shim.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int setup(void **state)
{
	(void)state;
	heap_fixture_init(false);
	return 0;
}

/* Objects of c that fill a few slabs; their addresses in p. */
static size_t fill(struct kmem_cache *c, void **p, size_t max)
{
	struct kmem_cache_stats st;
	size_t n;

	kmem_cache_get_stats(c, &st);
	n = st.objs_per_slab * 3 + 1;
	assert_true(n <= max);
	for (size_t i = 0; i < n; i++) {
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(p[i]);
	}
	return n;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

/* Checks that the n objects of size bytes at p[] are disjoint. */
static void assert_disjoint(void **p, size_t n, size_t size)
{
	void **s = malloc(n * sizeof(*s));
	memcpy(s, p, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_ptr);
	for (size_t i = 1; i < n; i++)
		assert_true((uintptr_t)s[i - 1] + size <= (uintptr_t)s[i]);
	free(s);
}

static void test_create_rejects_bad_arguments(void **state)
{
	(void)state;
	assert_null(kmem_cache_create(NULL, 32, 0, 0));
	assert_null(kmem_cache_create("zero", 0, 0, 0));
	assert_null(kmem_cache_create("huge", KMEM_CACHE_MAX_SIZE + 1, 0, 0));
	assert_null(kmem_cache_create("align3", 32, 3, 0));
	assert_null(kmem_cache_create("align2p", 32, 2 * PAGE_SIZE, 0));
	assert_null(kmem_cache_create("flags", 32, 0, 1u << 7));
	assert_non_null(kmem_cache_create("ok", KMEM_CACHE_MAX_SIZE, 0, 0));
}

/* Sizes and alignments that exercise padding and multi-page slabs. */
static const struct {
	size_t size, align;
} shapes[] = {
	{ 1, 0 },    { 8, 0 },	  { 12, 4 },	  { 24, 0 },   { 40, 32 },
	{ 64, 64 },  { 100, 0 },  { 200, 128 },	  { 500, 0 },  { 1000, 8 },
	{ 1500, 0 }, { 3000, 0 }, { 4000, 4096 }, { 5000, 0 }, { 12000, 64 },
};

static void test_alloc_aligned_disjoint_intact(void **state)
{
	static void *p[40000];
	(void)state;

	for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		size_t size = shapes[k].size, align = shapes[k].align;
		size_t want = align ? align : KMALLOC_MIN_ALIGN;
		struct kmem_cache *c =
			kmem_cache_create("shape", size, align, 0);
		assert_non_null(c);
		size_t n = fill(c, p, sizeof(p) / sizeof(p[0]));
		for (size_t i = 0; i < n; i++) {
			assert_int_equal((uintptr_t)p[i] % want, 0);
			memset(p[i], (int)(i & 0xff), size);
		}
		assert_disjoint(p, n, size);
		for (size_t i = 0; i < n; i++) {
			unsigned char *b = p[i];
			assert_int_equal(b[0], i & 0xff);
			assert_int_equal(b[size - 1], i & 0xff);
		}
		/* Free in a scrambled order, through both entry points. */
		for (size_t i = 0; i < n; i++) {
			size_t j = (i * 7919) % n;
			if (j % 2)
				kmem_cache_free(c, p[j]);
			else
				kfree(p[j]);
			p[j] = NULL;
		}
		for (size_t i = 0; i < n; i++)
			assert_null(p[i]);
		assert_int_equal(kmem_cache_destroy(c), 0);
	}
}

static void test_free_then_alloc_reuses_slot(void **state)
{
	(void)state;
	struct kmem_cache *c = kmem_cache_create("reuse", 48, 0, 0);
	void *a = kmem_cache_alloc(c, GFP_KERNEL);
	void *b = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_not_equal(a, b);
	kmem_cache_free(c, a);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), a);
	kmem_cache_free(c, b);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), b);
}

static void test_gfp_zero(void **state)
{
	(void)state;
	struct kmem_cache *c = kmem_cache_create("zero", 100, 0, 0);
	unsigned char *a = kmem_cache_alloc(c, GFP_KERNEL);
	memset(a, 0xee, 100);
	kmem_cache_free(c, a);
	unsigned char *b = kmem_cache_alloc(c, GFP_ZERO);
	assert_ptr_equal(a, b);
	for (int i = 0; i < 100; i++)
		assert_int_equal(b[i], 0);
}

static void test_stats_add_up(void **state)
{
	static void *p[2000];
	struct kmem_cache_stats st;
	(void)state;

	struct kmem_cache *c = kmem_cache_create("stats", 72, 0, 0);
	kmem_cache_get_stats(c, &st);
	assert_string_equal(st.name, "stats");
	assert_int_equal(st.object_size, 72);
	assert_int_equal(st.slot_size, 72);
	assert_int_equal(st.slabs, 0);
	uint32_t per = st.objs_per_slab;
	assert_int_equal(per,
			 (PAGE_SIZE << __builtin_ctz(st.pages_per_slab)) / 72);

	size_t n = 2 * per + 5;
	for (size_t i = 0; i < n; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.active_objs, n);
	assert_int_equal(st.slabs, 3);
	assert_int_equal(st.slabs_full, 2);
	assert_int_equal(st.slabs_partial, 1);
	assert_int_equal(st.total_objs, 3 * per);
	assert_int_equal(st.bytes_total, 3ull * st.pages_per_slab * PAGE_SIZE);
	assert_int_equal(st.bytes_requested, n * 72);
	assert_int_equal(st.bytes_free, (3 * per - n) * 72);
	assert_int_equal(st.bytes_total,
			 st.bytes_requested + st.bytes_wasted + st.bytes_free);

	/* Empty the first full slab: it is kept, the pages stay. */
	struct kheap_totals before, after;
	kheap_get_totals(&before);
	for (size_t i = 0; i < per; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.active_objs, n - per);
	assert_int_equal(st.slabs_empty, 1);
	assert_int_equal(st.slabs, 3);
	kheap_get_totals(&after);
	assert_int_equal(after.pages, before.pages);

	/* Empty the second: one empty slab is enough, this one goes back. */
	for (size_t i = per; i < 2 * per; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.slabs_empty, 1);
	assert_int_equal(st.slabs, 2);
	kheap_get_totals(&after);
	assert_int_equal(after.pages, before.pages - st.pages_per_slab);

	assert_int_equal(kmem_cache_shrink(c), st.pages_per_slab);
	kheap_get_totals(&after);
	assert_int_equal(after.pages, before.pages - 2 * st.pages_per_slab);
	assert_int_equal(after.pages_peak, before.pages_peak);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.slabs, 1);
	assert_int_equal(st.slabs_partial, 1);
	for (size_t i = 2 * per; i < n; i++)
		kmem_cache_free(c, p[i]);
}

static void test_pages_return_to_page_allocator(void **state)
{
	static void *p[5000];
	struct pmm_stats st0, st1;
	(void)state;

	pmm_get_stats(&st0);
	struct kmem_cache *c = kmem_cache_create("pages", 3000, 0, 0);
	size_t n = 0;
	for (; n < 1000; n++)
		p[n] = kmem_cache_alloc(c, GFP_KERNEL);
	pmm_get_stats(&st1);
	assert_true(st1.free_pages < st0.free_pages - 700);
	for (size_t i = 0; i < n; i++)
		kmem_cache_free(c, p[i]);
	assert_int_equal(kmem_cache_destroy(c), 0);
	kheap_shrink();
	pmm_get_stats(&st1);
	assert_int_equal(st1.free_pages, st0.free_pages);
	assert_verified(pmm_verify());
}

static void test_destroy_busy_cache(void **state)
{
	(void)state;
	struct kmem_cache *c = kmem_cache_create("busy", 32, 0, 0);
	void *a = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(kmem_cache_destroy(c), -EBUSY);
	assert_non_null(strstr(host_log, "cannot destroy cache busy"));
	kmem_cache_free(c, a);
	assert_int_equal(kmem_cache_destroy(c), 0);
}

static void test_out_of_memory_returns_null(void **state)
{
	(void)state;
	struct kmem_cache *c = kmem_cache_create("oom", 8000, 0, 0);
	size_t n = 0;
	while (kmem_cache_alloc(c, GFP_KERNEL))
		n++;
	assert_true(n > 100);
	/* The heap still works for what fits. */
	kheap_shrink();
	assert_null(kmem_cache_alloc(c, GFP_KERNEL));
}

/*
 * HOST_EXPECT_PANIC returns through longjmp; expanded several times in one
 * function it trips GCC's -Wclobbered, alone in a small function it does not.
 */
static bool cache_free_panics(struct kmem_cache *c, void *obj)
{
	return HOST_EXPECT_PANIC(kmem_cache_free(c, obj));
}

static bool kfree_panics(const void *ptr)
{
	return HOST_EXPECT_PANIC(kfree(ptr));
}

static void test_bad_frees_panic(void **state)
{
	(void)state;
	int local;
	struct kmem_cache *c = kmem_cache_create("bad", 64, 0, 0);
	struct kmem_cache *d = kmem_cache_create("other", 64, 0, 0);
	char *a = kmem_cache_alloc(c, GFP_KERNEL);
	char *b = kmem_cache_alloc(c, GFP_KERNEL);
	char *x = kmem_cache_alloc(d, GFP_KERNEL);
	void *heap = malloc(64);

	assert_true(cache_free_panics(c, &local));
	assert_non_null(strstr(host_panic_message, "not a heap object"));
	assert_true(cache_free_panics(c, heap));
	assert_true(cache_free_panics(c, a + 8));
	assert_non_null(strstr(host_panic_message, "not the start"));
	assert_true(cache_free_panics(c, x));
	assert_non_null(strstr(host_panic_message, "freed to cache bad"));
	free(heap);

	/* Double frees, of the most recent free and of an older one. */
	kmem_cache_free(c, a);
	assert_true(cache_free_panics(c, a));
	assert_non_null(strstr(host_panic_message, "double free"));
	kmem_cache_free(c, b);
	assert_true(cache_free_panics(c, a));
	assert_non_null(strstr(host_panic_message, "double free"));
	/* An owner that left the marker value in place is no double free. */
	void *y = kmem_cache_alloc(d, GFP_KERNEL);
	((uintptr_t *)y)[1] = KHEAP_FREE_MARKER;
	kmem_cache_free(d, y);
}

static void test_pointer_into_tail_frame(void **state)
{
	static void *p[64];
	(void)state;
	struct kmem_cache *c = kmem_cache_create("tail", 1500, 0, 0);
	struct kmem_cache_stats st;

	kmem_cache_get_stats(c, &st);
	assert_true(st.pages_per_slab > 1);
	for (size_t i = 0; i < st.objs_per_slab; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	/* The last object lies in a frame after the slab's first. */
	char *last = p[st.objs_per_slab - 1];
	assert_true((uintptr_t)last - (uintptr_t)p[0] >= PAGE_SIZE);
	assert_true(kfree_panics(last + 4));
	assert_non_null(strstr(host_panic_message, "not the start"));
	for (size_t i = 0; i < st.objs_per_slab; i++)
		kfree(p[i]);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.active_objs, 0);
}

static void test_verify_catches_corruption(void **state)
{
	(void)state;
	struct kmem_cache *c = kmem_cache_create("verify", 40, 0, 0);
	uintptr_t *a = kmem_cache_alloc(c, GFP_KERNEL);
	uintptr_t *b = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, a);
	assert_int_equal(kmem_cache_verify(c), 0);

	/* A write to the freed object's marker, as a use after free would. */
	uintptr_t saved = a[1];
	a[1] = 0;
	assert_int_equal(kmem_cache_verify(c), -EINVAL);
	assert_non_null(strstr(host_log, "lost its marker"));
	a[1] = saved;
	assert_int_equal(kmem_cache_verify(c), 0);

	/* A free list pointing outside the slab. */
	saved = a[0];
	a[0] = (uintptr_t)b + 3;
	assert_int_equal(kmem_cache_verify(c), -EINVAL);
	assert_non_null(strstr(host_log, "free list points at"));
	a[0] = saved;
	assert_int_equal(kmem_cache_verify(c), 0);
	kmem_cache_free(c, b);
	assert_int_equal(kmem_cache_verify(c), 0);
}

/* slab_index must agree with division for every offset in every slab. */
static void test_reciprocal_index_is_exact(void **state)
{
	(void)state;
	for (size_t size = 1; size <= KMEM_CACHE_MAX_SIZE;
	     size += size / 7 + 1) {
		for (size_t align = 8; align <= 512; align *= 4) {
			struct kmem_cache *c =
				kmem_cache_create("idx", size, align, 0);
			assert_non_null(c);
			uint32_t bytes = PAGE_SIZE << c->order;
			for (uint32_t off = 0; off < bytes; off++) {
				if (slab_index(c, off) != off / c->slot_size)
					fail_msg("size %zu slot %u off %u",
						 size, c->slot_size, off);
			}
			assert_int_equal(kmem_cache_destroy(c), 0);
		}
	}
}

/* A small deterministic generator (xorshift64), so failures reproduce. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#define RAND_CACHES 6
#define RAND_SLOTS 3000

/* The model: what each live object should hold. */
struct live_obj {
	unsigned char *p;
	int cache; /* index in caches[], or -1 for kmalloc */
	size_t size;
	unsigned char tag;
};

/* Checks every model object and the heap's counters against the model. */
static void check_invariants(struct kmem_cache **caches, const size_t *sizes,
			     struct live_obj *live, uint64_t seed)
{
	size_t per_cache[RAND_CACHES] = { 0 };
	struct kmem_cache_stats st;
	uint64_t heap_bytes = 0;
	struct kheap_totals t;

	for (size_t i = 0; i < RAND_SLOTS; i++) {
		if (!live[i].p)
			continue;
		if (live[i].cache >= 0)
			per_cache[live[i].cache]++;
		for (size_t k = 0; k < live[i].size; k++) {
			if (live[i].p[k] != live[i].tag)
				fail_msg(
					"seed %llu: object %zu byte %zu changed",
					(unsigned long long)seed, i, k);
		}
	}
	for (int k = 0; k < RAND_CACHES; k++) {
		kmem_cache_get_stats(caches[k], &st);
		if (st.active_objs != per_cache[k])
			fail_msg(
				"seed %llu: cache %d has %u objects, model %zu",
				(unsigned long long)seed, k, st.active_objs,
				per_cache[k]);
		assert_true(st.object_size == sizes[k]);
		assert_true(st.bytes_total == st.bytes_requested +
						      st.bytes_wasted +
						      st.bytes_free);
	}
	for (struct kmem_cache *c = kmem_cache_next(NULL); c;
	     c = kmem_cache_next(c)) {
		kmem_cache_get_stats(c, &st);
		heap_bytes += st.bytes_total;
		if (kmem_cache_verify(c) != 0)
			fail_msg("seed %llu: cache %s: %s",
				 (unsigned long long)seed, st.name, host_log);
	}
	kheap_get_totals(&t);
	if (heap_bytes != (uint64_t)t.pages * PAGE_SIZE)
		fail_msg("seed %llu: caches hold %llu bytes, heap counts %u "
			 "pages",
			 (unsigned long long)seed,
			 (unsigned long long)heap_bytes, t.pages);
	assert_true(t.pages <= t.pages_peak);
	assert_verified(pmm_verify());
	/* Every heap call re-enabled interrupts on its way out. */
	assert_true(host_irq_enabled);
}

/* One seeded run: random allocations and frees, checked as they go. */
static void random_run(uint64_t seed, bool debug)
{
	static const size_t sizes[RAND_CACHES] = { 8, 20, 64, 136, 700, 2100 };
	static struct live_obj live[RAND_SLOTS];
	struct kmem_cache *caches[RAND_CACHES];

	heap_fixture_init(debug);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	memset(live, 0, sizeof(live));
	for (int k = 0; k < RAND_CACHES; k++)
		caches[k] = kmem_cache_create("rand", sizes[k], 0, 0);

	for (int step = 0; step < 40000; step++) {
		struct live_obj *o = &live[rng_next() % RAND_SLOTS];
		if (o->p) {
			for (size_t k = 0; k < o->size; k++)
				assert_int_equal(o->p[k], o->tag);
			if (o->cache >= 0)
				kmem_cache_free(caches[o->cache], o->p);
			else
				kfree(o->p);
			o->p = NULL;
		} else {
			int k = (int)(rng_next() % (RAND_CACHES + 1)) - 1;
			o->cache = k;
			o->size = k >= 0 ? sizes[k] : rng_next() % 3000;
			o->p = k >= 0 ? kmem_cache_alloc(caches[k], GFP_KERNEL)
				      : kmalloc(o->size, GFP_KERNEL);
			assert_non_null(o->p);
			o->tag = (unsigned char)rng_next();
			memset(o->p, o->tag, o->size);
		}
		if (step % 4000 == 0)
			check_invariants(caches, sizes, live, seed);
	}
	check_invariants(caches, sizes, live, seed);
	for (size_t i = 0; i < RAND_SLOTS; i++) {
		if (live[i].p)
			kfree(live[i].p);
	}
	for (int k = 0; k < RAND_CACHES; k++)
		assert_int_equal(kmem_cache_destroy(caches[k]), 0);
}

static void test_random_seeded(void **state)
{
	(void)state;
	const char *env = getenv("KHEAP_SEED");
	if (env) {
		random_run(strtoull(env, NULL, 0), false);
		random_run(strtoull(env, NULL, 0), true);
		return;
	}
	for (uint64_t seed = 1; seed <= 6; seed++)
		random_run(seed, false);
	/* Debug mode moves the free list out of the objects: run it too. */
	for (uint64_t seed = 7; seed <= 8; seed++)
		random_run(seed, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_rejects_bad_arguments,
				       setup),
		cmocka_unit_test_setup(test_alloc_aligned_disjoint_intact,
				       setup),
		cmocka_unit_test_setup(test_free_then_alloc_reuses_slot, setup),
		cmocka_unit_test_setup(test_gfp_zero, setup),
		cmocka_unit_test_setup(test_stats_add_up, setup),
		cmocka_unit_test_setup(test_pages_return_to_page_allocator,
				       setup),
		cmocka_unit_test_setup(test_destroy_busy_cache, setup),
		cmocka_unit_test_setup(test_out_of_memory_returns_null, setup),
		cmocka_unit_test_setup(test_bad_frees_panic, setup),
		cmocka_unit_test_setup(test_pointer_into_tail_frame, setup),
		cmocka_unit_test_setup(test_verify_catches_corruption, setup),
		cmocka_unit_test_setup(test_reciprocal_index_is_exact, setup),
		cmocka_unit_test_setup(test_random_seeded, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
