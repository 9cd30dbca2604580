/*
 * tests/kernel/bench_kmalloc.c - the cost of the kernel heap's fast paths.
 *
 * Reports the cost of one kmalloc + kfree pair for the sizes 16 to 4096
 * (with -icount, in guest instructions), of one kmem_cache_alloc +
 * kmem_cache_free pair, and of a pair amortised over a batch of 64
 * allocations followed by 64 frees, which also crosses slab boundaries.
 */
#include "kernel/bench.h"
#include "libk/printf.h"
#include "mm/slab.h"

/* Batch size for the batched figure. */
#define BATCH 64

static void kmalloc_kfree(void *arg)
{
	size_t size = *(const size_t *)arg;
	void *p = kmalloc(size, GFP_KERNEL);
	__asm__ volatile("" : : "r"(p) : "memory");
	kfree(p);
}

static struct kmem_cache *bench_cache;

static void cache_alloc_free(void *arg)
{
	(void)arg;
	void *p = kmem_cache_alloc(bench_cache, GFP_KERNEL);
	__asm__ volatile("" : : "r"(p) : "memory");
	kmem_cache_free(bench_cache, p);
}

static void kmalloc_batch(void *arg)
{
	size_t size = *(const size_t *)arg;
	void *p[BATCH];

	for (int i = 0; i < BATCH; i++)
		p[i] = kmalloc(size, GFP_KERNEL);
	__asm__ volatile("" : : "r"(p) : "memory");
	for (int i = 0; i < BATCH; i++)
		kfree(p[i]);
}

static void kheap_fast_paths(void)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 4096 };
	char name[48];

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		/* Warm up: the first call allocates a slab. */
		kmalloc_kfree(&size);
		snprintf(name, sizeof(name), "kmalloc_kfree_%u",
			 (unsigned int)size);
		bench_report(name, bench_median(kmalloc_kfree, &size, 64, 31),
			     "tsc");
		kmalloc_batch(&size);
		snprintf(name, sizeof(name), "kmalloc_kfree_batch64_%u",
			 (unsigned int)size);
		bench_report(name,
			     bench_median(kmalloc_batch, &size, 1, 15) / BATCH,
			     "tsc");
	}
	bench_cache = kmem_cache_create("bench_obj", 48, 0, 0);
	if (!bench_cache)
		return;
	cache_alloc_free(NULL);
	bench_report("kmem_cache_alloc_free_48",
		     bench_median(cache_alloc_free, NULL, 64, 31), "tsc");
	kmem_cache_destroy(bench_cache);
}

BENCH(kheap_fast_paths);
