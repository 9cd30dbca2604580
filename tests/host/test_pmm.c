/*
 * tests/host/test_pmm.c - the buddy allocator and its construction from
 * the boot memory map (mm/page_alloc.c, mm/memmap.c), on fake RAM.
 *
 * Most tests compare against an oracle computed here independently: the
 * frames a map should yield, or the blocks a free range splits into. Each
 * ends with pmm_verify(), which walks every free list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/internal.h"
#include "mm/pmm.h"
#include "tests/host/shim/host_shim.h"
#include "tests/host/shim/mm_machine.h"
#include "tests/host/shim/port_host.h"

/* HOST_EXPECT_PANIC's flag lives across setjmp; it is only read after. */
#pragma GCC diagnostic ignored "-Wclobbered"

#define KIB 1024ull
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

static struct pmm_stats stats(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st;
}

/* Frames the memory map array takes for max_pfn frames. */
static uint32_t memmap_frames(uint32_t npfn)
{
	uint64_t bytes = (uint64_t)npfn * sizeof(struct page);
	return (uint32_t)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
}

/* The orders a free range [s, e) splits into, added to count[]. */
static void oracle_blocks(uint32_t s, uint32_t e, uint32_t *count)
{
	while (s < e) {
		unsigned int o = PMM_MAX_ORDER - 1;
		while ((s & ((1u << o) - 1)) || s + (1u << o) > e)
			o--;
		count[o]++;
		s += 1u << o;
	}
}

/* A frame-sized bitmap to catch a frame handed out twice. */
static uint8_t *owned;

static void own(struct page *p, unsigned int order)
{
	uint32_t pfn = page_to_phys(p) >> PAGE_SHIFT;
	for (uint32_t i = 0; i < (1u << order); i++) {
		assert_int_equal(owned[pfn + i], 0);
		owned[pfn + i] = 1;
	}
}

static void disown(struct page *p, unsigned int order)
{
	uint32_t pfn = page_to_phys(p) >> PAGE_SHIFT;
	for (uint32_t i = 0; i < (1u << order); i++)
		owned[pfn + i] = 0;
}

static int setup_owned(void **state)
{
	(void)state;
	owned = calloc(1u << 20, 1);
	return owned ? 0 : -1;
}

static int teardown_owned(void **state)
{
	(void)state;
	free(owned);
	owned = NULL;
	return 0;
}

/* QEMU -m 128M: the counters match the map, frame by frame. */
static void test_init_qemu_128m(void **state)
{
	(void)state;
	host_log_clear();
	assert_int_equal(host_boot_qemu(128 * MIB, false), 0);
	struct pmm_stats st = stats();

	/* [0, 0x9FC00) gives 159 frames; [1 MiB, 128 MiB - 128 KiB). */
	uint32_t low = 0x9F;
	uint32_t high = (uint32_t)((128 * MIB - 0x20000 - MIB) / PAGE_SIZE);
	assert_int_equal(st.total_pages, low + high);
	assert_int_equal(st.max_pfn, (128 * MIB - 0x20000) / PAGE_SIZE);
	assert_int_equal(st.highmem_pages, 0);

	uint32_t kernel = HOST_KERNEL_SIZE / PAGE_SIZE;
	uint32_t module = (HOST_MODULE_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
	uint32_t mm = memmap_frames(st.max_pfn);
	assert_int_equal(st.memmap_pages, mm);
	assert_int_equal(st.reserved_pages, low + kernel + module + mm);
	assert_int_equal(st.bootmem_pages, module);
	assert_int_equal(st.free_pages, st.total_pages - st.reserved_pages);
	assert_int_equal(st.managed_pages, st.free_pages);
	assert_int_equal(st.kernel_pages + st.user_pages + st.pgtable_pages, 0);
	assert_int_equal(st.frag_permille, 0);
	assert_int_equal(st.largest_free_order, PMM_MAX_ORDER - 1);

	/* The map array went to the first gap: right after the module. */
	uint32_t mm_pfn =
		(HOST_MODULE_START + HOST_MODULE_SIZE + PAGE_SIZE - 1) /
		PAGE_SIZE;
	assert_ptr_equal(mem_map, host_ram + (uint64_t)mm_pfn * PAGE_SIZE);

	/* The free lists are exactly the maximal blocks of the free range. */
	uint32_t want[PMM_MAX_ORDER] = { 0 };
	oracle_blocks(mm_pfn + mm, (uint32_t)st.max_pfn, want);
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		assert_int_equal(st.nr_free[o], want[o]);

	assert_non_null(strstr(host_log, "pmm: "));
	assert_non_null(strstr(host_log, "free blocks per order"));
	assert_true(host_irq_enabled);
	assert_verified(pmm_verify());
}

/*
 * pmm_init() does not zero the memory map, but writes every struct page
 * before the allocator reads any: stale pages that look like free blocks
 * of some order (what an earlier boot may leave behind) change nothing.
 * The machine has free blocks ending at reservations and at a hole, whose
 * struct pages come later in address order.
 */
static void test_init_ignores_stale_memmap(void **state)
{
	(void)state;
	struct host_machine m;
	host_machine_qemu(&m, 32 * MIB);
	m.map[3].size = 16 * MIB - 0x100000; /* 1 .. 16 MiB */
	m.map[m.nmap++] = (struct mem_range){ 16 * MIB, 64 * KIB, 2 };
	m.map[m.nmap++] = (struct mem_range){ 16 * MIB + 64 * KIB, 12 * MIB,
					      MEM_RANGE_USABLE };
	m.resv[m.nresv++] = (struct mem_range){ 6 * MIB + 4 * KIB, 20 * KIB,
						PMM_RESERVE_FIXED };
	m.resv[m.nresv++] = (struct mem_range){ 11 * MIB + 32 * KIB, 8 * KIB,
						PMM_RESERVE_BOOT };
	assert_int_equal(host_machine_boot(&m, 0, false), 0);
	struct pmm_stats want = stats();
	struct page *map = mem_map;

	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		for (uint32_t i = 0; i < want.max_pfn; i++) {
			map[i].flags = PG_BUDDY;
			map[i].order = o;
			map[i].refcount = 7;
			list_init(&map[i].list);
		}
		/* Same machine, same arena: the map lands on the stale one. */
		assert_int_equal(host_machine_boot(&m, 0, false), 0);
		assert_ptr_equal(mem_map, map);
		struct pmm_stats st = stats();
		assert_int_equal(st.free_pages, want.free_pages);
		for (unsigned int k = 0; k < PMM_MAX_ORDER; k++)
			assert_int_equal(st.nr_free[k], want.nr_free[k]);
		for (uint32_t i = 0; i < st.max_pfn; i++)
			assert_int_equal(mem_map[i].refcount, 0);
		assert_verified(pmm_verify());
	}
}

/* Frames in holes, reserved ranges and the first MiB are never free. */
static void test_reserved_frames_flagged(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(32 * MIB, false), 0);
	assert_true(phys_to_page(0)->flags & PG_RESERVED);
	assert_true(phys_to_page(0x9F000)->flags & PG_RESERVED);
	assert_true(phys_to_page(0xA0000)->flags & PG_RESERVED);
	assert_true(phys_to_page(HOST_KERNEL_START)->flags & PG_RESERVED);
	assert_false(phys_to_page(HOST_KERNEL_START)->flags & PG_BOOTMEM);
	assert_true(phys_to_page(HOST_MODULE_START)->flags & PG_BOOTMEM);
	assert_true(phys_to_page(page_to_phys(mem_map))->flags & PG_RESERVED);
	assert_null(phys_to_page(32 * MIB));
	assert_null(phys_to_page(0xFFFFF000u));
}

/* An order-9 request splits an order-10 block; the free merges it back. */
static void test_split_and_merge(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(64 * MIB, false), 0);
	/* Take out the order-9 blocks there are, so that 9 must split 10. */
	struct page *held[4];
	uint32_t nheld = stats().nr_free[9];
	assert_true(nheld <= 4);
	for (uint32_t i = 0; i < nheld; i++)
		assert_non_null(held[i] = alloc_pages(9, GFP_KERNEL));
	struct pmm_stats before = stats();
	assert_int_equal(before.nr_free[9], 0);

	struct page *p = alloc_pages(9, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(page_to_phys(p) % (4 * MIB), 0);
	assert_int_equal(p->flags,
			 PG_HEAD | PG_KERNEL | (9u << PG_ORDER_SHIFT));
	assert_int_equal(p->refcount, 1);
	struct pmm_stats mid = stats();
	assert_int_equal(mid.nr_free[10], before.nr_free[10] - 1);
	assert_int_equal(mid.nr_free[9], 1);
	assert_int_equal(mid.free_pages, before.free_pages - 512);
	assert_int_equal(mid.kernel_pages, 512 * (nheld + 1));
	/* Its buddy is the other half of the same 4 MiB block. */
	struct page *buddy = p + 512;
	assert_int_equal(buddy->flags, PG_BUDDY);
	assert_int_equal(buddy->order, 9);

	free_pages(p, 9);
	struct pmm_stats after = stats();
	/* The invariants first: they say in words what is wrong. */
	assert_verified(pmm_verify());
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		assert_int_equal(after.nr_free[o], before.nr_free[o]);
	assert_int_equal(after.free_pages, before.free_pages);
	assert_int_equal(after.kernel_pages, 512 * nheld);
	while (nheld--)
		free_pages(held[nheld], 9);
	assert_int_equal(stats().kernel_pages, 0);
	assert_verified(pmm_verify());
}

/*
 * A machine whose free memory is exactly two order-10 blocks: the kernel
 * reservation leaves a gap the size of the memory map at 4 MiB (where the
 * map must go, being the first gap), and free RAM is 12..20 MiB.
 */
static void boot_two_big_blocks(void)
{
	uint32_t mm = memmap_frames(20 * MIB / PAGE_SIZE);
	struct mem_range map[] = {
		{ 0, 8 * MIB, MEM_RANGE_USABLE },
		{ 12 * MIB, 8 * MIB, MEM_RANGE_USABLE },
	};
	struct mem_range resv[] = {
		{ 1 * MIB, 3 * MIB, PMM_RESERVE_FIXED },
		{ 4 * MIB + mm * PAGE_SIZE, 4 * MIB - mm * PAGE_SIZE,
		  PMM_RESERVE_FIXED },
	};
	host_ram_setup(20 * MIB, true);
	assert_int_equal(pmm_init(map, 2, resv, 2, 0), 0);
	assert_ptr_equal(mem_map, host_ram + 4 * MIB);
	struct pmm_stats st = stats();
	assert_int_equal(st.free_pages, 2048);
	for (unsigned int o = 0; o < PMM_MAX_ORDER - 1; o++)
		assert_int_equal(st.nr_free[o], 0);
	assert_int_equal(st.nr_free[10], 2);
}

/* Splitting an order-10 block leaves one block of each lower order. */
static void test_split_chain_and_coalesce(void **state)
{
	(void)state;
	boot_two_big_blocks();
	/* Order 4 (the caches serve orders 0-3 only) splits one big block. */
	struct page *p = alloc_pages(4, GFP_KERNEL);
	assert_non_null(p);
	assert_true(page_to_phys(p) == 12 * MIB || page_to_phys(p) == 16 * MIB);
	struct pmm_stats st = stats();
	assert_int_equal(st.nr_free[10], 1);
	for (unsigned int o = 0; o < 4; o++)
		assert_int_equal(st.nr_free[o], 0);
	for (unsigned int o = 4; o < PMM_MAX_ORDER - 1; o++)
		assert_int_equal(st.nr_free[o], 1);
	assert_verified(pmm_verify());
	free_pages(p, 4);
	assert_verified(pmm_verify());
	st = stats();
	assert_int_equal(st.nr_free[10], 2);
	for (unsigned int o = 0; o < PMM_MAX_ORDER - 1; o++)
		assert_int_equal(st.nr_free[o], 0);

	/* One frame: the cache takes a batch of 16, i.e. an order-4 block. */
	p = alloc_page(GFP_KERNEL);
	assert_non_null(p);
	st = stats();
	assert_int_equal(st.cached_pages, 15);
	assert_int_equal(st.nr_cached[0], 15);
	assert_int_equal(st.free_pages, 2047);
	for (unsigned int o = 0; o < 4; o++)
		assert_int_equal(st.nr_free[o], 0);
	for (unsigned int o = 4; o < PMM_MAX_ORDER - 1; o++)
		assert_int_equal(st.nr_free[o], 1);
	free_page(p);
	assert_verified(pmm_verify());

	/* One order-3 block: its cache takes a batch of 2, the same 16. */
	p = alloc_pages(3, GFP_KERNEL);
	assert_non_null(p);
	st = stats();
	assert_int_equal(st.nr_cached[3], 1);
	assert_int_equal(st.cached_pages, 16 + 8);
	assert_int_equal(st.free_pages, 2048 - 8);
	assert_int_equal(st.nr_free[4], 0);
	for (unsigned int o = 5; o < PMM_MAX_ORDER - 1; o++)
		assert_int_equal(st.nr_free[o], 1);
	free_pages(p, 3);
	assert_int_equal(stats().nr_cached[3], 2);
	assert_verified(pmm_verify());

	pmm_drain_cache();
	st = stats();
	assert_int_equal(st.cached_pages, 0);
	assert_int_equal(st.nr_free[10], 2);
	for (unsigned int o = 0; o < PMM_MAX_ORDER - 1; o++)
		assert_int_equal(st.nr_free[o], 0);
	assert_verified(pmm_verify());
}

/*
 * Orders 1-3 are cached like single frames: the block freed last is the
 * next one handed out, every cache stays within its bound, and cached
 * blocks count as free.
 */
static void test_small_orders_cached(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	struct pmm_stats before = stats();
	struct page *held[64];

	for (unsigned int order = 1; order < PMM_PCP_ORDERS; order++) {
		struct page *a = alloc_pages(order, GFP_KERNEL);
		struct page *b = alloc_pages(order, GFP_KERNEL);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(page_to_phys(a) % (PAGE_SIZE << order), 0);
		free_pages(a, order);
		assert_true(a->flags & PG_PCP);
		assert_true(stats().nr_cached[order] > 0);
		assert_ptr_equal(alloc_pages(order, GFP_KERNEL), a);
		free_pages(a, order);
		free_pages(b, order);

		/* Free many more than the cache keeps: the rest goes back. */
		for (unsigned int i = 0; i < 64; i++)
			assert_non_null(held[i] =
						alloc_pages(order, GFP_KERNEL));
		for (unsigned int i = 0; i < 64; i++)
			free_pages(held[i], order);
		struct pmm_stats st = stats();
		assert_true(st.nr_cached[order] <= 64u >> order);
		assert_int_equal(st.free_pages, before.free_pages);
		assert_int_equal(st.kernel_pages, 0);
		assert_verified(pmm_verify());
	}
	struct pmm_stats st = stats();
	uint32_t cached = 0;
	for (unsigned int o = 0; o < PMM_PCP_ORDERS; o++)
		cached += st.nr_cached[o] << o;
	assert_int_equal(st.cached_pages, cached);
	assert_true(cached > 0);

	pmm_drain_cache();
	st = stats();
	assert_int_equal(st.cached_pages, 0);
	for (unsigned int o = 0; o < PMM_PCP_ORDERS; o++)
		assert_int_equal(st.nr_cached[o], 0);
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		assert_int_equal(st.nr_free[o], before.nr_free[o]);
	assert_verified(pmm_verify());
}

/*
 * Blocks parked in the caches are not lost: an allocation that finds
 * nothing on the buddy lists drains them, whatever their order, and the
 * fragmentation figures count them as the free blocks they are.
 */
static void test_caches_drained_on_demand(void **state)
{
	(void)state;
	boot_two_big_blocks();
	struct page *blocks[256];
	for (unsigned int i = 0; i < 256; i++)
		assert_non_null(blocks[i] = alloc_pages(3, GFP_KERNEL));
	assert_null(alloc_pages(3, GFP_KERNEL));
	assert_int_equal(stats().free_pages, 0);

	/* Four order-3 blocks fit in their cache: all free memory is there. */
	for (unsigned int i = 0; i < 4; i++)
		free_pages(blocks[i], 3);
	struct pmm_stats st = stats();
	assert_int_equal(st.free_pages, 32);
	assert_int_equal(st.cached_pages, 32);
	assert_int_equal(st.nr_cached[3], 4);
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		assert_int_equal(st.nr_free[o], 0);
	assert_int_equal(st.largest_free_order, 3);
	assert_int_equal(st.frag_permille, 1000 - 1000 * 8 / 32);
	assert_int_equal(pmm_unusable_permille(3), 0);
	assert_int_equal(pmm_unusable_permille(4), 1000);

	/* A single frame: its cache and the buddy lists are empty. */
	struct page *p = alloc_page(GFP_KERNEL);
	assert_non_null(p);
	st = stats();
	assert_int_equal(st.nr_cached[3], 0);
	assert_int_equal(st.free_pages, 31);
	assert_verified(pmm_verify());
	free_page(p);

	/* The four blocks merged back; take them. */
	pmm_drain_cache();
	assert_int_equal(stats().nr_free[5], 1);
	assert_non_null(alloc_pages(5, GFP_KERNEL));

	/* An order-4 block: only the two cached buddies can form it. */
	free_pages(blocks[4], 3);
	free_pages(blocks[5], 3);
	st = stats();
	assert_int_equal(st.nr_cached[3], 2);
	assert_int_equal(st.free_pages, 16);
	assert_int_equal(st.nr_free[4], 0);
	assert_non_null(alloc_pages(4, GFP_KERNEL));
	assert_int_equal(stats().free_pages, 0);
	assert_verified(pmm_verify());
}

/* Single frames come from the cache; a drain restores the buddy lists. */
static void test_single_frames_and_cache(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	struct pmm_stats before = stats();
	struct page *a = alloc_page(GFP_KERNEL);
	struct page *b = alloc_page(GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	struct pmm_stats mid = stats();
	assert_int_equal(mid.free_pages, before.free_pages - 2);
	assert_true(mid.cached_pages > 0);
	free_page(a);
	/* The last frame freed is the next one handed out (hot). */
	struct page *c = alloc_page(GFP_KERNEL);
	assert_ptr_equal(c, a);
	free_page(c);
	free_page(b);
	assert_int_equal(stats().free_pages, before.free_pages);
	assert_verified(pmm_verify());
	pmm_drain_cache();
	struct pmm_stats after = stats();
	assert_int_equal(after.cached_pages, 0);
	/* The invariants first: they say in words what is wrong. */
	assert_verified(pmm_verify());
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		assert_int_equal(after.nr_free[o], before.nr_free[o]);
	assert_verified(pmm_verify());
}

/* Allocate until exhausted; every frame distinct; free all: back to start. */
static void test_exhaust_and_return(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	struct pmm_stats before = stats();
	uint32_t n = before.free_pages;
	struct page **all = calloc(n + 1, sizeof(*all));
	assert_non_null(all);
	uint32_t got = 0;
	struct page *p;
	while ((p = alloc_page(GFP_USER)) != NULL) {
		assert_true(got < n);
		assert_false(p->flags & (PG_RESERVED | PG_BUDDY | PG_PCP));
		own(p, 0);
		all[got++] = p;
	}
	assert_int_equal(got, n);
	struct pmm_stats empty = stats();
	assert_int_equal(empty.free_pages, 0);
	assert_int_equal(empty.user_pages, n);
	assert_int_equal(empty.largest_free_order, -1);
	assert_true(empty.alloc_failures >= 1);
	assert_null(alloc_pages(3, GFP_KERNEL));
	assert_verified(pmm_verify());

	/* Free in a scrambled order so that merges happen out of order. */
	for (uint32_t i = 0; i < got; i++) {
		uint32_t j = i + (uint32_t)((i * 2654435761u) % (got - i));
		struct page *t = all[i];
		all[i] = all[j];
		all[j] = t;
	}
	for (uint32_t i = 0; i < got; i++) {
		disown(all[i], 0);
		free_page(all[i]);
	}
	free(all);
	pmm_drain_cache();
	struct pmm_stats after = stats();
	assert_int_equal(after.free_pages, n);
	assert_int_equal(after.user_pages, 0);
	/* The invariants first: they say in words what is wrong. */
	assert_verified(pmm_verify());
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		assert_int_equal(after.nr_free[o], before.nr_free[o]);
	assert_verified(pmm_verify());
}

/* Mixed orders until nothing fits, then everything back. */
static void test_exhaust_mixed_orders(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(24 * MIB, false), 0);
	struct pmm_stats before = stats();
	struct {
		struct page *p;
		unsigned int order;
	} *blocks = calloc(before.free_pages, sizeof(*blocks));
	assert_non_null(blocks);
	uint32_t n = 0, frames = 0;
	srand(7);
	for (;;) {
		unsigned int order = (unsigned int)rand() % PMM_MAX_ORDER;
		struct page *p = alloc_pages(order, GFP_KERNEL);
		if (!p) {
			/* Smaller orders may still fit; stop when none does. */
			bool any = false;
			for (unsigned int o = 0; o < PMM_MAX_ORDER && !any; o++)
				any = stats().nr_free[o] > 0 ||
				      stats().cached_pages > 0;
			if (!any)
				break;
			continue;
		}
		own(p, order);
		assert_int_equal(page_to_phys(p) % (PAGE_SIZE << order), 0);
		blocks[n].p = p;
		blocks[n].order = order;
		n++;
		frames += 1u << order;
	}
	assert_int_equal(frames, before.free_pages);
	assert_int_equal(stats().kernel_pages, frames);
	assert_verified(pmm_verify());
	while (n--) {
		disown(blocks[n].p, blocks[n].order);
		free_pages(blocks[n].p, blocks[n].order);
	}
	free(blocks);
	pmm_drain_cache();
	struct pmm_stats after = stats();
	/* The invariants first: they say in words what is wrong. */
	assert_verified(pmm_verify());
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		assert_int_equal(after.nr_free[o], before.nr_free[o]);
	assert_verified(pmm_verify());
}

/* Unsorted, overlapping and unaligned entries; a usable/reserved clash. */
static void test_odd_map(void **state)
{
	(void)state;
	struct mem_range map[] = {
		{ 0x800000, 0x400000, MEM_RANGE_USABLE }, /* 8..12 MiB */
		{ 0x100000, 0x300800, MEM_RANGE_USABLE }, /* 1..4 MiB + 2K */
		{ 0x200000, 0x100000, MEM_RANGE_USABLE }, /* inside the last */
		{ 0x3FF800, 0x100000, MEM_RANGE_USABLE }, /* overlaps its end */
		{ 0xA00000, 0x1000, 3 },		/* ACPI inside 8..12 */
		{ 0x600123, 0x1000, MEM_RANGE_USABLE }, /* no whole frame */
		{ 0x700001, 0x3000, MEM_RANGE_USABLE }, /* 2 whole frames */
		{ 0x0, 0x0, MEM_RANGE_USABLE },		/* empty */
	};
	host_ram_setup(12 * MIB, true);
	assert_int_equal(pmm_init(map, 8, NULL, 0, 0), 0);
	struct pmm_stats st = stats();
	/* 1 MiB .. 0x4FF800 -> frames 0x100..0x4FF; 0x701, 0x702; 8..12 MiB less one. */
	uint32_t want = (0x4FF - 0x100) + 2 + (0x400 - 1);
	assert_int_equal(st.total_pages, want);
	assert_int_equal(st.max_pfn, 0xC00);
	assert_true(phys_to_page(0xA00000)->flags & PG_RESERVED);
	assert_true(phys_to_page(0x600000)->flags & PG_RESERVED);
	assert_true(phys_to_page(0x4FF000)->flags & PG_RESERVED);
	assert_false(phys_to_page(0x4FE000)->flags & PG_RESERVED);
	assert_true(phys_to_page(0x700000)->flags & PG_RESERVED);
	assert_true(phys_to_page(0x703000)->flags & PG_RESERVED);
	assert_int_equal(st.free_pages + st.reserved_pages, st.total_pages);
	assert_verified(pmm_verify());

	/* Nothing outside the usable frames is ever handed out. */
	struct page *p;
	uint32_t n = 0;
	while ((p = alloc_page(GFP_KERNEL)) != NULL) {
		paddr_t pa = page_to_phys(p);
		bool in = (pa >= 0x100000 && pa < 0x4FF000) || pa == 0x701000 ||
			  pa == 0x702000 ||
			  (pa >= 0x800000 && pa < 0xC00000 && pa != 0xA00000);
		assert_true(in);
		assert_false(pa >= page_to_phys(mem_map) &&
			     pa < page_to_phys(mem_map) +
					     memmap_frames(st.max_pfn) *
						     PAGE_SIZE);
		n++;
	}
	assert_int_equal(n, st.free_pages);
}

/*
 * RAM above 4 GiB is ignored with a log line; highmem is its own zone,
 * which only GFP_HIGHMEM single frames come from.
 */
static void test_high_memory(void **state)
{
	(void)state;
	host_log_clear();
	assert_int_equal(host_boot_qemu(4 * GIB, false), 0);
	struct pmm_stats st = stats();
	assert_int_equal(st.ignored_high_bytes, 512 * MIB);
	assert_non_null(strstr(host_log, "above 4 GiB"));
	uint32_t top = (uint32_t)((3 * GIB + 512 * MIB - 0x20000) / PAGE_SIZE);
	assert_int_equal(st.max_pfn, top);
	assert_int_equal(st.highmem_pages, top - (LOWMEM_LIMIT >> PAGE_SHIFT));
	assert_int_equal(st.highmem_managed_pages, st.highmem_pages);
	assert_int_equal(st.highmem_free_pages, st.highmem_pages);
	assert_int_equal(st.managed_pages + st.reserved_pages,
			 st.total_pages);
	assert_int_equal(phys_to_page(LOWMEM_LIMIT)->flags,
			 PG_HIGHMEM | PG_BUDDY);
	/* A user page comes from highmem, a kernel page never does. */
	struct page *hp = alloc_page(GFP_HIGHUSER);
	assert_non_null(hp);
	assert_true(page_to_phys(hp) >= LOWMEM_LIMIT);
	assert_int_equal(hp->flags, PG_HIGHMEM | PG_HEAD | PG_USER);
	assert_int_equal(stats().highmem_free_pages, st.highmem_pages - 1);
	assert_int_equal(stats().user_pages, st.user_pages + 1);
	struct page *kp = alloc_page(GFP_KERNEL);
	assert_true(page_to_phys(kp) < LOWMEM_LIMIT);
	free_page(kp);
	put_page(hp);
	assert_int_equal(stats().highmem_free_pages, st.highmem_pages);
	assert_int_equal(stats().user_pages, st.user_pages);
	assert_true(phys_to_page(LOWMEM_LIMIT - PAGE_SIZE)->flags == 0 ||
		    phys_to_page(LOWMEM_LIMIT - PAGE_SIZE)->flags == PG_BUDDY);
	/* The largest blocks come from lowmem only. */
	struct page *p;
	while ((p = alloc_pages(PMM_MAX_ORDER - 1, GFP_USER)) != NULL)
		assert_true(page_to_phys(p) + (4 * MIB) <= LOWMEM_LIMIT);
	assert_verified(pmm_verify());
}

/* An entry crossing 4 GiB is clipped at 4 GiB. */
static void test_entry_crossing_4g(void **state)
{
	(void)state;
	struct mem_range map[] = {
		{ 0x100000, 0xF00000, MEM_RANGE_USABLE },
		{ 0xFFFF0000ull, 0x30000, MEM_RANGE_USABLE },
		{ 0x200000000ull, 0x1000, MEM_RANGE_USABLE },
	};
	host_ram_setup(4 * GIB, false);
	host_log_clear();
	assert_int_equal(pmm_init(map, 3, NULL, 0, 0), 0);
	struct pmm_stats st = stats();
	assert_int_equal(st.ignored_high_bytes, 0x20000 + 0x1000);
	assert_int_equal(st.highmem_pages, 16);
	assert_int_equal(st.total_pages, 0xF00 + 16);
	/* 16 MiB cannot hold struct pages for all 4 GiB: lowmem only. */
	assert_int_equal(st.max_pfn, 0x1000);
	assert_non_null(strstr(host_log, "covering lowmem only"));
	assert_null(phys_to_page(0xFFFF0000u));
	assert_verified(pmm_verify());

	/* With enough lowmem, highmem frames get their struct pages. */
	map[0].size = 0x7F00000;
	assert_int_equal(pmm_init(map, 3, NULL, 0, 0), 0);
	st = stats();
	assert_int_equal(st.max_pfn, 1u << 20);
	assert_int_equal(phys_to_page(0xFFFF0000u)->flags,
			 PG_HIGHMEM | PG_BUDDY);
	assert_int_equal(phys_to_page(0xFFFE0000u)->flags, PG_RESERVED);
	assert_verified(pmm_verify());
}

/* mem= keeps the lowest SIZE bytes of usable RAM. */
static void test_mem_cap(void **state)
{
	(void)state;
	struct host_machine m;
	host_machine_qemu(&m, 128 * MIB);
	assert_int_equal(host_machine_boot(&m, 16 * MIB, false), 0);
	struct pmm_stats st = stats();
	assert_int_equal(st.total_pages, 16 * MIB / PAGE_SIZE);
	/* 159 frames below 640 KiB, the rest from 1 MiB. */
	assert_int_equal(st.max_pfn, 0x100 + 4096 - 0x9F);
	assert_int_equal(st.ignored_cap_bytes,
			 (0x9F + (128 * MIB - 0x20000 - MIB) / PAGE_SIZE -
			  4096) * PAGE_SIZE);
	assert_verified(pmm_verify());
}

/* -m 8M boots; 2 MiB does not, with a clear message; so does no RAM. */
static void test_tiny_machines(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(8 * MIB, false), 0);
	assert_true(stats().free_pages >= PMM_MIN_FREE_PAGES);
	assert_verified(pmm_verify());

	host_log_clear();
	assert_int_equal(host_boot_qemu(2 * MIB, false), -ENOMEM);
	assert_non_null(strstr(host_log, "needs at least"));

	host_log_clear();
	struct mem_range none = { 0x100000, 0x100000, 2 };
	host_ram_setup(PAGE_SIZE, false);
	assert_int_equal(pmm_init(&none, 1, NULL, 0, 0), -ENOMEM);
	assert_non_null(strstr(host_log, "no usable RAM"));

	/* A cap below the minimum is refused too. */
	struct host_machine m;
	host_machine_qemu(&m, 64 * MIB);
	assert_int_equal(host_machine_boot(&m, 1 * MIB, false), -ENOMEM);
}

/* More entries than the parser keeps: no overflow, a warning. */
static void test_many_entries(void **state)
{
	(void)state;
	struct mem_range map[300];
	map[0].base = 0x100000;
	map[0].size = 0x400000;
	map[0].type = MEM_RANGE_USABLE;
	for (unsigned int i = 1; i < 300; i++) {
		map[i].base = 0x500000 + (uint64_t)i * 0x11000;
		map[i].size = 0x10000;
		map[i].type = MEM_RANGE_USABLE;
	}
	host_log_clear();
	host_ram_setup(64 * MIB, false);
	assert_int_equal(pmm_init(map, 300, NULL, 0, 0), 0);
	/* The first MAX_RANGES entries are kept: 4 MiB + 127 * 16 frames. */
	assert_int_equal(stats().total_pages, 1024 + 127 * 16);
	assert_non_null(strstr(host_log, "ranges in the memory map"));
	assert_verified(pmm_verify());
}

/* Boot data is reserved until released, then merges with its neighbours. */
static void test_release_boot(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(32 * MIB, false), 0);
	struct pmm_stats before = stats();
	uint32_t module = (HOST_MODULE_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
	/* The kernel image is not releasable, even when asked. */
	assert_int_equal(pmm_release_boot(HOST_KERNEL_START, HOST_KERNEL_SIZE),
			 0);
	assert_int_equal(pmm_release_boot(HOST_MODULE_START, HOST_MODULE_SIZE),
			 module);
	struct pmm_stats after = stats();
	assert_int_equal(after.free_pages, before.free_pages + module);
	assert_int_equal(after.managed_pages, before.managed_pages + module);
	assert_int_equal(after.reserved_pages, before.reserved_pages - module);
	assert_int_equal(after.bootmem_pages, 0);
	assert_false(phys_to_page(HOST_MODULE_START)->flags & PG_RESERVED);
	/* A second release finds nothing. */
	assert_int_equal(pmm_release_boot(HOST_MODULE_START, HOST_MODULE_SIZE),
			 0);
	assert_verified(pmm_verify());
}

/* A boot range overlapping the kernel keeps the overlap. */
static void test_boot_overlapping_fixed(void **state)
{
	(void)state;
	struct host_machine m;
	host_machine_qemu(&m, 32 * MIB);
	m.resv[1].base = HOST_KERNEL_START + HOST_KERNEL_SIZE - 2 * PAGE_SIZE;
	m.resv[1].size = 4 * PAGE_SIZE;
	assert_int_equal(host_machine_boot(&m, 0, false), 0);
	assert_int_equal(stats().bootmem_pages, 2);
	assert_int_equal(pmm_release_boot(0, 32 * MIB), 2);
	assert_true(
		phys_to_page(HOST_KERNEL_START + HOST_KERNEL_SIZE - PAGE_SIZE)
			->flags &
		PG_RESERVED);
	assert_verified(pmm_verify());
}

/* Double frees, wrong orders and reserved frames panic. */
static void test_bad_frees_panic(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	struct page *p = alloc_page(GFP_KERNEL);
	free_page(p);
	assert_true(HOST_EXPECT_PANIC(free_page(p)));
	assert_non_null(strstr(host_panic_message, "double free"));

	struct page *q = alloc_pages(2, GFP_KERNEL);
	assert_true(HOST_EXPECT_PANIC(free_pages(q, 1)));
	assert_non_null(strstr(host_panic_message, "order"));
	assert_true(HOST_EXPECT_PANIC(free_page(q + 1)));
	free_pages(q, 2);
	assert_true(HOST_EXPECT_PANIC(free_pages(q, 2)));

	assert_true(HOST_EXPECT_PANIC(free_page(phys_to_page(0))));
	host_irq_enabled = true;
	assert_null(alloc_pages(PMM_MAX_ORDER, GFP_KERNEL));
	assert_verified(pmm_verify());
}

/* GFP_ZERO zeroes; the kind of allocation goes to its counter. */
static void test_zero_and_kinds(void **state)
{
	(void)state;
	struct host_machine m;
	host_machine_qemu(&m, 16 * MIB);
	host_ram_setup(16 * MIB, true);
	assert_int_equal(pmm_init(m.map, m.nmap, m.resv, m.nresv, 0), 0);

	struct page *z = alloc_pages(2, GFP_ZERO | GFP_USER);
	assert_non_null(z);
	const uint8_t *b = page_address(z);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		assert_int_equal(b[i], 0);
	struct page *raw = alloc_pages(1, GFP_KERNEL);
	const uint8_t *r = page_address(raw);
	assert_int_equal(r[17],
			 0xA5); /* untouched fake RAM keeps its garbage */
	struct page *pt = alloc_zeroed_page(GFP_PGTABLE);
	assert_true(pt->flags & PG_PGTABLE);
	struct pmm_stats st = stats();
	assert_int_equal(st.user_pages, 4);
	assert_int_equal(st.kernel_pages, 2);
	assert_int_equal(st.pgtable_pages, 1);
	free_pages(z, 2);
	free_pages(raw, 1);
	free_page(pt);
	st = stats();
	assert_int_equal(st.user_pages + st.kernel_pages + st.pgtable_pages, 0);
	assert_verified(pmm_verify());
}

/* Conversions between struct page, physical and direct-map addresses. */
static void test_conversions(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	struct page *p = alloc_pages(3, GFP_KERNEL);
	paddr_t pa = page_to_phys(p);
	assert_ptr_equal(phys_to_page(pa), p);
	assert_ptr_equal(phys_to_page(pa + 5 * PAGE_SIZE + 12), p + 5);
	assert_ptr_equal(page_address(p), host_ram + pa);
	assert_ptr_equal(
		virt_to_page((char *)page_address(p) + 3 * PAGE_SIZE + 100),
		p + 3);
	free_pages(p, 3);
}

/* References: get_page and put_page; the last put frees. */
static void test_refcounts(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	uint32_t free0 = stats().free_pages;
	struct page *p = alloc_page(GFP_USER);
	get_page(p);
	assert_int_equal(p->refcount, 2);
	put_page(p);
	assert_int_equal(stats().free_pages, free0 - 1);
	put_page(p);
	assert_int_equal(stats().free_pages, free0);
	assert_true(p->flags & PG_PCP);
	assert_true(HOST_EXPECT_PANIC(put_page(p)));
}

/* The fragmentation figures follow the free lists. */
static void test_fragmentation(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	assert_int_equal(stats().frag_permille, 0);
	assert_int_equal(pmm_unusable_permille(0), 0);
	uint32_t n = stats().free_pages;
	struct page **all = calloc(n, sizeof(*all));
	for (uint32_t i = 0; i < n; i++)
		assert_non_null(all[i] = alloc_page(GFP_KERNEL));
	/* Free every other frame: nothing can merge. */
	uint32_t freed = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (page_to_phys(all[i]) & PAGE_SIZE) {
			free_page(all[i]);
			all[i] = NULL;
			freed++;
		}
	}
	pmm_drain_cache();
	struct pmm_stats st = stats();
	assert_int_equal(st.free_pages, freed);
	assert_int_equal(st.largest_free_order, 0);
	assert_int_equal(st.nr_free[0], freed);
	assert_int_equal(st.frag_permille, 1000 - 1000 / 1024);
	assert_int_equal(pmm_unusable_permille(1), 1000);
	assert_int_equal(pmm_unusable_permille(0), 0);
	for (uint32_t i = 0; i < n; i++)
		if (all[i])
			free_page(all[i]);
	free(all);
	pmm_drain_cache();
	assert_verified(pmm_verify());
	assert_int_equal(stats().frag_permille, 0);
	assert_verified(pmm_verify());
}

/* pmm_verify notices a corrupted free list. */
static void test_verify_detects_corruption(void **state)
{
	(void)state;
	assert_int_equal(host_boot_qemu(16 * MIB, false), 0);
	struct page *p = alloc_pages(4, GFP_KERNEL);
	free_pages(p, 4);
	struct pmm_stats st = stats();
	int o = st.largest_free_order;
	/* Find a free block head and break its order. */
	struct page *head = NULL;
	for (uint32_t i = 0; i < st.max_pfn && !head; i++)
		if (mem_map[i].flags == PG_BUDDY &&
		    mem_map[i].order == (uint32_t)o)
			head = &mem_map[i];
	assert_non_null(head);
	head->order = (uint32_t)o - 1;
	host_log_clear();
	assert_int_equal(pmm_verify(), -EINVAL);
	assert_non_null(strstr(host_log, "pmm_verify"));
	head->order = (uint32_t)o;
	assert_verified(pmm_verify());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_qemu_128m),
		cmocka_unit_test(test_init_ignores_stale_memmap),
		cmocka_unit_test(test_reserved_frames_flagged),
		cmocka_unit_test(test_split_and_merge),
		cmocka_unit_test(test_split_chain_and_coalesce),
		cmocka_unit_test(test_small_orders_cached),
		cmocka_unit_test(test_caches_drained_on_demand),
		cmocka_unit_test(test_single_frames_and_cache),
		cmocka_unit_test(test_exhaust_and_return),
		cmocka_unit_test(test_exhaust_mixed_orders),
		cmocka_unit_test(test_odd_map),
		cmocka_unit_test(test_high_memory),
		cmocka_unit_test(test_entry_crossing_4g),
		cmocka_unit_test(test_mem_cap),
		cmocka_unit_test(test_tiny_machines),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_release_boot),
		cmocka_unit_test(test_boot_overlapping_fixed),
		cmocka_unit_test(test_bad_frees_panic),
		cmocka_unit_test(test_zero_and_kinds),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_refcounts),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_verify_detects_corruption),
	};
	return cmocka_run_group_tests(tests, setup_owned, teardown_owned);
}
