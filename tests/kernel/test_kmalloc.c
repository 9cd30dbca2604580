/*
 * tests/kernel/test_kmalloc.c - the kernel heap as the kernel runs it.
 *
 * The host units (tests/host/test_slab.c, test_kmalloc.c) cover the heap in
 * depth, including the panics; this suite checks the i686 build on real
 * (emulated) memory: every size class hands out aligned objects that do not
 * overlap, and freeing everything gives every page back to the page
 * allocator.
 */
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/pmm.h"
#include "mm/slab.h"

/* Objects per size in the fill test; 4 KiB ones take 1 MiB. */
#define FILL_OBJECTS 256

static const size_t fill_sizes[] = { 1,	   16,	 24,   32,   64,   100,
				     128,  256,	 512,  1000, 1024, 2048,
				     3000, 4096, 5000, 8192, 20000 };

#define NFILL (sizeof(fill_sizes) / sizeof(fill_sizes[0]))

static unsigned char *fill_ptr[FILL_OBJECTS];

/* The alignment kmalloc promises for a request of n bytes. */
static uintptr_t promised_align(size_t n)
{
	if (n >= KMALLOC_MIN_ALIGN && (n & (n - 1)) == 0)
		return n < PAGE_SIZE ? n : PAGE_SIZE;
	return KMALLOC_MIN_ALIGN;
}

/* Free frames, with the heap's and allocator's caches given back first. */
static uint32_t free_frames(void)
{
	struct pmm_stats st;

	kheap_shrink();
	pmm_get_stats(&st);
	return st.free_pages;
}

/*
 * How many objects of n bytes to use: FILL_OBJECTS, or fewer on a small
 * machine, so that a fill takes at most a quarter of the free memory.
 */
static size_t fill_count(size_t n)
{
	struct pmm_stats st;
	size_t cost = n <= PAGE_SIZE ? n : PAGE_SIZE;

	while (cost < n)
		cost <<= 1;  /* large requests take a power-of-two block */
	pmm_get_stats(&st);
	size_t fit = (size_t)st.free_pages * PAGE_SIZE / 4 / cost;
	return fit < FILL_OBJECTS ? fit : FILL_OBJECTS;
}

/* Frees the first count objects of fill_ptr (NULL ones are skipped). */
static void free_fill(size_t count)
{
	for (size_t i = 0; i < count; i++)
		kfree(fill_ptr[i]);
}

static void every_class_aligned_disjoint(struct ktest *t)
{
	for (size_t k = 0; k < NFILL && !t->failed; k++) {
		size_t n = fill_sizes[k];
		size_t count = fill_count(n);
		KT_ASSERT(t, count >= 8);
		for (size_t i = 0; i < count; i++) {
			fill_ptr[i] = kmalloc(n, GFP_KERNEL);
			KT_EXPECT(t, fill_ptr[i] != NULL);
			if (!fill_ptr[i]) {
				free_fill(i);
				return;
			}
			KT_EXPECT_EQ(t,
				     (uintptr_t)fill_ptr[i] % promised_align(n),
				     0);
			KT_EXPECT(t, ksize(fill_ptr[i]) >= n);
			memset(fill_ptr[i], (int)i, n);
		}
		/* Overlapping objects would have overwritten each other. */
		for (size_t i = 0; i < count && !t->failed; i++) {
			KT_EXPECT_EQ(t, fill_ptr[i][0], i & 0xff);
			KT_EXPECT_EQ(t, fill_ptr[i][n - 1], i & 0xff);
			KT_EXPECT_EQ(t, fill_ptr[i][n / 2], i & 0xff);
		}
		free_fill(count);
	}
}

static void pages_return_to_baseline(struct ktest *t)
{
	uint32_t base = free_frames();

	for (size_t k = 0; k < NFILL; k++) {
		size_t count = fill_count(fill_sizes[k]);
		for (size_t i = 0; i < count; i++)
			fill_ptr[i] = kmalloc(fill_sizes[k], GFP_KERNEL);
		KT_EXPECT(t, free_frames() < base);
		/* Every other one first, so slabs empty out of order. */
		for (size_t i = 0; i < count; i += 2)
			kfree(fill_ptr[i]);
		for (size_t i = 1; i < count; i += 2)
			kfree(fill_ptr[i]);
	}
	KT_ASSERT_EQ(t, free_frames(), base);
}

static void reuse_and_zero(struct ktest *t)
{
	unsigned char *a = kmalloc(200, GFP_KERNEL);
	KT_ASSERT(t, a != NULL);
	memset(a, 0x5a, 200);
	kfree(a);
	unsigned char *b = kzalloc(200, GFP_KERNEL);
	KT_ASSERT(t, b == a);
	for (int i = 0; i < 200; i++)
		KT_ASSERT_EQ(t, b[i], 0);
	kfree(b);
	kfree(NULL);
}

/* An object type with its own cache, as a subsystem would have. */
struct kt_node {
	uint32_t key;
	uint32_t value[11];
};

static void cache_lifecycle(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("ktest_node", sizeof(struct kt_node), 16, 0);
	struct kmem_cache_stats st;
	struct kt_node *n[100];

	KT_ASSERT(t, c != NULL);
	for (int i = 0; i < 100; i++) {
		n[i] = kmem_cache_alloc(c, GFP_ZERO);
		KT_ASSERT(t, n[i] != NULL);
		KT_ASSERT_EQ(t, (uintptr_t)n[i] % 16, 0);
		KT_ASSERT_EQ(t, n[i]->value[10], 0);
		n[i]->key = (uint32_t)i;
	}
	kmem_cache_get_stats(c, &st);
	KT_EXPECT_EQ(t, st.active_objs, 100);
	KT_EXPECT_EQ(t, st.object_size, sizeof(struct kt_node));
	KT_EXPECT(t, st.bytes_total == st.bytes_requested + st.bytes_wasted +
					       st.bytes_free);
	KT_EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
	for (int i = 0; i < 100; i++) {
		KT_EXPECT_EQ(t, n[i]->key, i);
		kmem_cache_free(c, n[i]);
	}
	KT_ASSERT_EQ(t, kmem_cache_destroy(c), 0);
}

static void debug_red_zone_and_poison(struct ktest *t)
{
	if (!kheap_debug_enabled())
		KT_SKIP(t, "heap debug mode is off (boot with kheap.debug=1)");
	unsigned char *p = kmalloc(20, GFP_KERNEL);
	KT_ASSERT(t, p != NULL);
	/* Uninitialised memory shows the poison, past it the red zone. */
	for (int i = 0; i < 20; i++)
		KT_EXPECT_EQ(t, p[i], 0x6b);
	for (int i = 20; i < 32; i++)
		KT_EXPECT_EQ(t, p[i], 0xcc);
	KT_EXPECT_EQ(t, ksize(p), 20);
	kfree(p);
}

static const struct ktest_case kmalloc_cases[] = {
	KTEST_CASE(every_class_aligned_disjoint),
	KTEST_CASE(pages_return_to_baseline),
	KTEST_CASE(reuse_and_zero),
	KTEST_CASE(cache_lifecycle),
	KTEST_CASE(debug_red_zone_and_poison),
};

KTEST_SUITE(kmalloc, kmalloc_cases);
