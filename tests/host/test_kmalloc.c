/*
 * tests/host/test_kmalloc.c - kmalloc, kfree and the heap's debug mode.
 *
 * The first group runs without debug mode: size classes, alignment, reuse,
 * large blocks, and the bad frees that must panic even then. The second
 * runs with debug mode on and checks that it catches what it promises to:
 * a double free, a write into the red zone past an object, a write to an
 * object after it was freed, and live objects listed by caller.
 */
#include "libk/errno.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "tests/host/heap_fixture.h"
#include "tests/host/shim/host_shim.h"

#include <setjmp.h>
#include <stdarg.h>
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

static int setup_debug(void **state)
{
	(void)state;
	heap_fixture_init(true);
	return 0;
}

/*
 * HOST_EXPECT_PANIC returns through longjmp; expanded several times in one
 * function it trips GCC's -Wclobbered, alone in a small function it does not.
 */
static bool kfree_panics(const void *ptr)
{
	return HOST_EXPECT_PANIC(kfree(ptr));
}

static bool cache_free_panics(struct kmem_cache *c, void *obj)
{
	return HOST_EXPECT_PANIC(kmem_cache_free(c, obj));
}

static bool kmalloc_panics(size_t size, void **out)
{
	return HOST_EXPECT_PANIC(*out = kmalloc(size, GFP_KERNEL));
}

static bool shrink_panics(void)
{
	return HOST_EXPECT_PANIC(kheap_shrink());
}

/* The size class kmalloc should use for a request of n bytes. */
static size_t expected_class(size_t n)
{
	size_t c = KMALLOC_MIN_SIZE;
	while (c < n)
		c *= 2;
	return c;
}

static void test_size_classes(void **state)
{
	(void)state;
	for (size_t n = 0; n <= KMALLOC_MAX_CACHE_SIZE; n++) {
		void *p = kmalloc(n, GFP_KERNEL);
		assert_non_null(p);
		assert_int_equal(ksize(p), expected_class(n));
		kfree(p);
	}
	for (size_t n = KMALLOC_MAX_CACHE_SIZE + 1; n <= 70000; n += 333) {
		void *p = kmalloc(n, GFP_KERNEL);
		assert_non_null(p);
		size_t pages = (n + PAGE_SIZE - 1) / PAGE_SIZE, block = 1;
		while (block < pages)
			block *= 2;
		assert_int_equal(ksize(p), block * PAGE_SIZE);
		kfree(p);
	}
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	assert_null(kmalloc((size_t)-1, GFP_KERNEL));
	void *big = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL);
	assert_non_null(big);
	kfree(big);
}

static void test_alignment(void **state)
{
	static void *p[3000];
	(void)state;

	/* Every size: at least 8; powers of two up to a page: natural. */
	for (size_t n = 1; n <= 9000; n += (n < 300 ? 1 : 37)) {
		size_t want = KMALLOC_MIN_ALIGN;
		if ((n & (n - 1)) == 0 && n >= KMALLOC_MIN_ALIGN)
			want = n < PAGE_SIZE ? n : PAGE_SIZE;
		void *q = kmalloc(n, GFP_KERNEL);
		assert_int_equal((uintptr_t)q % want, 0);
		kfree(q);
	}
	for (size_t n = 8; n <= 2 * PAGE_SIZE; n *= 2) {
		for (size_t i = 0; i < 3000; i++) {
			p[i] = kmalloc(n, GFP_KERNEL);
			size_t want = n < PAGE_SIZE ? n : PAGE_SIZE;
			assert_int_equal((uintptr_t)p[i] % want, 0);
		}
		for (size_t i = 0; i < 3000; i++)
			kfree(p[i]);
	}
}

static void test_objects_disjoint_and_intact(void **state)
{
	static unsigned char *p[4000];
	static size_t sz[4000];
	(void)state;

	for (size_t i = 0; i < 4000; i++) {
		sz[i] = (i * 37) % 2500 + 1;
		p[i] = kmalloc(sz[i], GFP_KERNEL);
		memset(p[i], (int)(i & 0xff), sz[i]);
	}
	for (size_t i = 0; i < 4000; i++) {
		for (size_t k = 0; k < sz[i]; k++)
			assert_int_equal(p[i][k], i & 0xff);
		kfree(p[i]);
	}
}

static void test_reuse_and_zero(void **state)
{
	(void)state;
	unsigned char *a = kmalloc(100, GFP_KERNEL);
	memset(a, 0xab, 128);
	kfree(a);
	unsigned char *b = kzalloc(120, GFP_KERNEL);
	assert_ptr_equal(a, b);
	for (int i = 0; i < 128; i++)
		assert_int_equal(b[i], 0);
	kfree(b);
	unsigned char *big = kzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	for (size_t i = 0; i < 3 * PAGE_SIZE; i++)
		assert_int_equal(big[i], 0);
	kfree(big);
}

static void test_large_blocks(void **state)
{
	struct kheap_totals t;
	struct pmm_stats st0, st1;
	(void)state;

	pmm_get_stats(&st0);
	char *p = kmalloc(5000, GFP_KERNEL);
	assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
	kheap_get_totals(&t);
	assert_int_equal(t.large_blocks, 1);
	assert_int_equal(t.large_pages, 2);
	assert_true(kfree_panics(p + 16));
	assert_non_null(strstr(host_panic_message, "not the start"));
	assert_true(kfree_panics(p + PAGE_SIZE));
	kfree(p);
	kheap_get_totals(&t);
	assert_int_equal(t.large_blocks, 0);
	assert_int_equal(t.large_pages, 0);
	assert_true(kfree_panics(p));
	assert_non_null(strstr(host_panic_message, "not a heap object"));
	kheap_shrink();
	pmm_get_stats(&st1);
	assert_int_equal(st1.free_pages, st0.free_pages);
}

static void test_bad_frees(void **state)
{
	(void)state;
	int local;
	void *glibc = malloc(32);
	char *a = kmalloc(32, GFP_KERNEL);
	char *b = kmalloc(32, GFP_KERNEL);

	kfree(NULL);
	assert_true(kfree_panics(&local));
	assert_true(kfree_panics(glibc));
	assert_true(kfree_panics(a + 1));
	assert_non_null(strstr(host_panic_message, "kheap: bad free"));
	free(glibc);
	kfree(a);
	assert_true(kfree_panics(a));
	assert_non_null(strstr(host_panic_message, "double free"));
	kfree(b);
	assert_true(kfree_panics(a));
	assert_non_null(strstr(host_panic_message, "double free"));
}

static void test_pages_back_to_baseline(void **state)
{
	static void *p[20000];
	struct pmm_stats st0, st1;
	(void)state;

	pmm_get_stats(&st0);
	for (size_t i = 0; i < 20000; i++)
		p[i] = kmalloc(16u << (i % 10), GFP_KERNEL);
	for (size_t i = 0; i < 20000; i += 2)
		kfree(p[i]);
	for (size_t i = 1; i < 20000; i += 2)
		kfree(p[i]);
	kheap_shrink();
	pmm_get_stats(&st1);
	assert_int_equal(st1.free_pages, st0.free_pages);
	struct kheap_totals t;
	kheap_get_totals(&t);
	assert_int_equal(t.pages, 0);
	assert_true(t.pages_peak > 0);
	assert_true(host_irq_enabled);
}

static void test_debug_switch_only_when_empty(void **state)
{
	(void)state;
	assert_false(kheap_debug_enabled());
	void *p = kmalloc(40, GFP_KERNEL);
	assert_int_equal(kheap_set_debug(true), -EBUSY);
	assert_false(kheap_debug_enabled());
	kfree(p);
	kheap_shrink();
	assert_int_equal(kheap_set_debug(true), 0);
	assert_true(kheap_debug_enabled());
	char *q = kmalloc(40, GFP_KERNEL);
	assert_int_equal(ksize(q), 40);
	kfree(q);
}

/* --- debug mode ------------------------------------------------------- */

/* Whether code address a lies in the first bytes of function fn. */
static bool in_function(const void *a, void (*fn)(void))
{
	return (uintptr_t)a - (uintptr_t)fn < 512;
}

/* A call site of its own, so a report can be checked to name it. */
static __attribute__((noinline)) void free_here(void *p)
{
	kfree(p);
	__asm__ volatile("" : : : "memory");
}

static void test_debug_double_free(void **state)
{
	(void)state;
	void *a = kmalloc(64, GFP_KERNEL);
	void *b = kmalloc(64, GFP_KERNEL);
	free_here(a);
	kfree(b);
	assert_true(kfree_panics(a));
	assert_non_null(strstr(host_panic_message, "double free"));
	/* The report names the first kfree's caller. */
	char *by = strstr(host_panic_message, "first freed by ");
	assert_non_null(by);
	void *first =
		(void *)strtoull(by + strlen("first freed by "), NULL, 16);
	assert_true(in_function(first, (void (*)(void))free_here));
}

static void test_debug_red_zone_overflow(void **state)
{
	(void)state;
	/* One byte past a request that is smaller than its class... */
	char *a = kmalloc(24, GFP_KERNEL);
	memset(a, 1, 24);
	kfree(a);
	a = kmalloc(24, GFP_KERNEL);
	a[24] = 0;
	assert_true(kfree_panics(a));
	assert_non_null(strstr(host_panic_message, "red zone overwritten"));
	assert_non_null(strstr(host_panic_message, "offset 24"));

	/* ...and past one that fills its class exactly. */
	heap_fixture_init(true);
	char *b = kmalloc(256, GFP_KERNEL);
	memset(b, 7, 257);
	assert_true(kfree_panics(b));
	assert_non_null(strstr(host_panic_message, "offset 256"));

	/* A cache's object, and a large block. */
	heap_fixture_init(true);
	struct kmem_cache *c = kmem_cache_create("rz", 20, 0, 0);
	char *o = kmem_cache_alloc(c, GFP_KERNEL);
	o[21] = 'x';
	assert_true(cache_free_panics(c, o));
	assert_non_null(strstr(host_panic_message, "red zone overwritten"));

	heap_fixture_init(true);
	char *big = kmalloc(5000, GFP_KERNEL);
	big[5003] = 1;
	assert_true(kfree_panics(big));
	assert_non_null(strstr(host_panic_message, "large block"));
}

static void test_debug_use_after_free_write(void **state)
{
	(void)state;
	unsigned char *a = kmalloc(128, GFP_KERNEL);
	kfree(a);
	a[100] = 0;
	void *again;
	assert_true(kmalloc_panics(128, &again));
	assert_non_null(strstr(host_panic_message, "use after free"));
	assert_non_null(strstr(host_panic_message, "offset 100"));

	/* Also found when the slab goes back to the page allocator. */
	heap_fixture_init(true);
	unsigned char *b = kmalloc(512, GFP_KERNEL);
	void *c = kmalloc(512, GFP_KERNEL);
	kfree(c);
	kfree(b);
	b[3] = 1;
	assert_true(shrink_panics());
	assert_non_null(strstr(host_panic_message, "use after free"));
}

static void test_debug_poison_and_alignment(void **state)
{
	(void)state;
	unsigned char *a = kmalloc(48, GFP_KERNEL);
	/* Fresh memory is poisoned, so reading it uninitialised shows. */
	for (int i = 0; i < 48; i++)
		assert_int_equal(a[i], 0x6b);
	kfree(a);
	unsigned char *z = kzalloc(48, GFP_KERNEL);
	for (int i = 0; i < 48; i++)
		assert_int_equal(z[i], 0);
	kfree(z);
	for (size_t n = 16; n <= PAGE_SIZE; n *= 2) {
		void *p = kmalloc(n, GFP_KERNEL);
		assert_int_equal((uintptr_t)p % n, 0);
		kfree(p);
	}
}

/* Counts live allocations per caller, as the leak report does. */
struct caller_count {
	void *caller[8];
	size_t count[8];
	size_t bytes[8];
	size_t n;
};

static void count_caller(const struct kheap_live *live, void *ctx)
{
	struct caller_count *cc = ctx;
	for (size_t i = 0; i < cc->n; i++) {
		if (cc->caller[i] == live->caller) {
			cc->count[i]++;
			cc->bytes[i] += live->size;
			return;
		}
	}
	assert_true(cc->n < 8);
	cc->caller[cc->n] = live->caller;
	cc->count[cc->n] = 1;
	cc->bytes[cc->n++] = live->size;
}

/* Two call sites, so the report has two callers to tell apart. */
static __attribute__((noinline)) void *leaky_small(size_t n)
{
	void *p = kmalloc(n, GFP_KERNEL);
	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

static __attribute__((noinline)) void *leaky_large(size_t n)
{
	void *p = kmalloc(n, GFP_KERNEL);
	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

static void test_debug_leak_report_by_caller(void **state)
{
	struct caller_count cc = { 0 };
	(void)state;

	void *s1 = leaky_small(10), *s2 = leaky_small(20),
	     *s3 = leaky_small(30);
	void *l1 = leaky_large(10000);
	void *freed = leaky_small(40);
	kfree(freed);

	kheap_for_each_live(count_caller, &cc);
	assert_int_equal(cc.n, 2);
	size_t small = cc.count[0] == 3 ? 0 : 1;
	assert_true(in_function(cc.caller[small], (void (*)(void))leaky_small));
	assert_true(
		in_function(cc.caller[1 - small], (void (*)(void))leaky_large));
	assert_int_equal(cc.count[small], 3);
	assert_int_equal(cc.bytes[small], 60);
	assert_int_equal(cc.count[1 - small], 1);
	assert_int_equal(cc.bytes[1 - small], 10000);

	host_log_clear();
	assert_int_equal(kheap_leak_report(), 4);
	/* The largest caller first. */
	char *large_line = strstr(host_log, "1 allocations, 10000 bytes");
	char *small_line = strstr(host_log, "3 allocations, 60 bytes");
	assert_non_null(large_line);
	assert_non_null(small_line);
	assert_true(large_line < small_line);

	kfree(s1);
	kfree(s2);
	kfree(s3);
	kfree(l1);
	host_log_clear();
	assert_int_equal(kheap_leak_report(), 0);
	assert_null(strstr(host_log, "leak:"));
}

static void test_debug_stats(void **state)
{
	struct kmem_cache_stats st;
	(void)state;

	void *p[10];
	for (int i = 0; i < 10; i++)
		p[i] = kmalloc(33 + i, GFP_KERNEL);
	struct kmem_cache *c = kmem_cache_next(NULL);
	for (; c; c = kmem_cache_next(c)) {
		kmem_cache_get_stats(c, &st);
		if (!strcmp(st.name, "kmalloc-64"))
			break;
	}
	assert_non_null(c);
	assert_true(st.debug);
	assert_int_equal(st.active_objs, 10);
	assert_int_equal(st.bytes_requested, 10 * 33 + 45);
	assert_true(st.slot_size > 64);
	assert_int_equal(st.slot_size % 64, 0);
	assert_int_equal(st.bytes_total,
			 st.bytes_requested + st.bytes_wasted + st.bytes_free);
	host_log_clear();
	kheap_dump_stats();
	assert_non_null(strstr(host_log, "kmalloc-64"));
	assert_non_null(strstr(host_log, "pages held"));
	for (int i = 0; i < 10; i++)
		kfree(p[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_size_classes, setup),
		cmocka_unit_test_setup(test_alignment, setup),
		cmocka_unit_test_setup(test_objects_disjoint_and_intact, setup),
		cmocka_unit_test_setup(test_reuse_and_zero, setup),
		cmocka_unit_test_setup(test_large_blocks, setup),
		cmocka_unit_test_setup(test_bad_frees, setup),
		cmocka_unit_test_setup(test_pages_back_to_baseline, setup),
		cmocka_unit_test_setup(test_debug_switch_only_when_empty,
				       setup),
		cmocka_unit_test_setup(test_debug_double_free, setup_debug),
		cmocka_unit_test_setup(test_debug_red_zone_overflow,
				       setup_debug),
		cmocka_unit_test_setup(test_debug_use_after_free_write,
				       setup_debug),
		cmocka_unit_test_setup(test_debug_poison_and_alignment,
				       setup_debug),
		cmocka_unit_test_setup(test_debug_leak_report_by_caller,
				       setup_debug),
		cmocka_unit_test_setup(test_debug_stats, setup_debug),
		cmocka_unit_test_setup(test_alignment, setup_debug),
		cmocka_unit_test_setup(test_objects_disjoint_and_intact,
				       setup_debug),
		cmocka_unit_test_setup(test_pages_back_to_baseline,
				       setup_debug),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
