/*
 * tests/host/test_compact.c - compaction (mm/compact.c) on fake RAM:
 * migration of a private page, a copy-on-write page shared by parent and
 * child, a shm page mapped twice, a page in the swap cache; a pinned page
 * left where it is; the fragmentation index against Linux's formula; the
 * two scanners over memory fragmented on purpose (every page intact word
 * by word, every movable page above the meeting point, the large free
 * blocks back); direct compaction from a failed block allocation; and a
 * random sequence of writes, reads, forks, exits, evictions, drops, shared
 * memory and migrations of random pages, checked against a model of every
 * process's memory after each step.
 *
 * After every test every frame, heap object and swap slot must be back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/blockdev.h"
#include "mm/compact.h"
#include "mm/internal.h"
#include "mm/mm_internal.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/vmscan.h"
#include "tests/host/mm_fixture.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x40000000u
#define WORDS (PAGE_SIZE / 4)

/* A disk in malloc'ed memory for the swap-cache test. */
static struct block_device disk_dev;
static uint8_t *disk_data;

static int disk_read(struct block_device *dev, uint64_t sector, uint32_t count,
		     void *buf)
{
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	memcpy(buf, disk_data + sector * dev->sector_size,
	       (size_t)count * dev->sector_size);
	return 0;
}

static int disk_write(struct block_device *dev, uint64_t sector, uint32_t count,
		      const void *buf)
{
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	memcpy(disk_data + sector * dev->sector_size, buf,
	       (size_t)count * dev->sector_size);
	return 0;
}

static struct mm_baseline base;

static int boot(void **state)
{
	mm_fixture_boot(state);
	compact_forget();
	base = mm_fixture_baseline();
	return 0;
}

static int boot_swap(void **state)
{
	mm_fixture_boot(state);
	compact_forget();
	disk_data = calloc(256, PAGE_SIZE);
	if (!disk_data)
		abort();
	disk_dev = (struct block_device){
		.name = "fakedisk",
		.sectors = 256ull * PAGE_SIZE / BLOCK_SECTOR_SIZE,
		.sector_size = BLOCK_SECTOR_SIZE,
		.read = disk_read,
		.write = disk_write,
	};
	if (swap_init(&disk_dev) != 0)
		abort();
	base = mm_fixture_baseline();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (swap_enabled() && swap_init(NULL) != 0)
		swap_forget();
	free(disk_data);
	disk_data = NULL;
	return 0;
}

/* The value of word j of test page i. */
static uint32_t word(uint32_t i, uint32_t j)
{
	return 0xC0DE0000u ^ (i * 2654435761u) ^ (j * 40503u);
}

/* The frame mapped at va in mm (present), or NULL. */
static struct page *frame_at(struct mm *mm, vaddr_t va)
{
	pte_t pte = mm_pte(mm, va);
	return pte_present(pte) ? phys_to_page(pte_frame(pte)) : NULL;
}

/* Writes test page i at va through the MMU, every word. */
static void fill(struct mm *mm, vaddr_t va, uint32_t i)
{
	assert_true(mm_poke(mm, va, word(i, 0)));
	uint32_t *p = page_address(frame_at(mm, va));
	for (uint32_t j = 0; j < WORDS; j++)
		p[j] = word(i, j);
}

/* Words of the page mapped at va that differ from test page i. */
static uint32_t mismatches(struct mm *mm, vaddr_t va, uint32_t i)
{
	assert_int_equal(mm_peek(mm, va), word(i, 0)); /* through the MMU */
	const uint32_t *p = page_address(frame_at(mm, va));
	uint32_t bad = 0;
	for (uint32_t j = 0; j < WORDS; j++)
		bad += p[j] != word(i, j);
	return bad;
}

/* A target frame for migrate_page, as the free scanner would give. */
static struct page *target(void)
{
	struct page *pg = alloc_page(GFP_USER);
	assert_non_null(pg);
	return pg;
}

static struct mm *anon_mm(uint32_t pages)
{
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(pages), RW, 0);
	return mm;
}

/* A private page moves: new PTE, same data, same bits, old frame free. */
static void test_migrate_private(void **state)
{
	(void)state;
	struct mm *mm = anon_mm(2);
	fill(mm, BASE, 1);
	fill(mm, BASE + P(1), 2);
	struct page *old = frame_at(mm, BASE);
	pte_t before = mm_pte(mm, BASE);
	struct page *to = target();
	uint32_t free0 = pmm_count.free;
	assert_int_equal(migrate_page(old, to), 0);
	pte_t after = mm_pte(mm, BASE);
	assert_int_equal(pte_frame(after), page_to_phys(to));
	assert_int_equal(after & ~PTE_FRAME_MASK, before & ~PTE_FRAME_MASK);
	assert_int_equal(free0 + 1, pmm_count.free);
	assert_true(old->flags == PG_PCP || old->flags == PG_BUDDY);
	assert_int_equal(to->refcount, 1);
	assert_int_equal(rmap_mapcount(to), 1);
	assert_true(rmap_has(to, mm, BASE));
	assert_true(policy_page_tracked(to));
	assert_int_equal(mismatches(mm, BASE, 1), 0);
	assert_int_equal(mismatches(mm, BASE + P(1), 2), 0);
	assert_verified(mm_check(mm));
	/* Writes go to the new frame. */
	assert_true(mm_poke(mm, BASE + 8, 77));
	assert_int_equal(((uint32_t *)page_address(to))[2], 77);
	mm_fixture_destroy(mm);
	assert_verified(vmscan_check_idle());
	assert_true(mm_fixture_same(base));
}

/* A copy-on-write page of parent and child: both PTEs follow. */
static void test_migrate_cow_shared(void **state)
{
	(void)state;
	struct mm *parent = anon_mm(1), *child;
	fill(parent, BASE, 7);
	assert_int_equal(mm_fork(parent, &child), 0);
	struct page *old = frame_at(parent, BASE);
	assert_ptr_equal(frame_at(child, BASE), old);
	assert_int_equal(rmap_mapcount(old), 2);
	struct page *to = target();
	assert_int_equal(migrate_page(old, to), 0);
	assert_ptr_equal(frame_at(parent, BASE), to);
	assert_ptr_equal(frame_at(child, BASE), to);
	assert_int_equal(to->refcount, 2);
	assert_true(rmap_has(to, parent, BASE) && rmap_has(to, child, BASE));
	/* Still copy-on-write: the child's write copies, the parent keeps. */
	assert_false(mm_pte(child, BASE) & PTE_W);
	assert_true(mm_poke(child, BASE + 4, 0x1234));
	assert_ptr_not_equal(frame_at(child, BASE), to);
	assert_int_equal(mismatches(parent, BASE, 7), 0);
	assert_int_equal(mm_peek(child, BASE + 4), 0x1234);
	assert_int_equal(mm_peek(child, BASE), word(7, 0));
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	mm_fixture_destroy(parent);
	assert_true(mm_fixture_same(base));
}

/* A shm page mapped in two spaces: both PTEs and the object follow. */
static void test_migrate_shm(void **state)
{
	(void)state;
	struct mm *x = mm_fixture_new(), *y = mm_fixture_new();
	int id = shm_get(IPC_PRIVATE, P(2), 0600);
	assert_true(id >= 0);
	vaddr_t ax, ay;
	assert_int_equal(shm_attach(x, id, 0, 0, &ax), 0);
	assert_int_equal(shm_attach(y, id, 0x50000000, 0, &ay), 0);
	fill(x, ax + P(1), 3);
	assert_int_equal(mismatches(y, ay + P(1), 3), 0);
	struct page *old = frame_at(x, ax + P(1));
	struct shm_object *s = page_shm(old);
	assert_non_null(s);
	assert_int_equal(old->refcount, 3); /* two mappings, the object */
	struct page *to = target();
	assert_int_equal(migrate_page(old, to), 0);
	assert_ptr_equal(s->pages[1], to);
	assert_ptr_equal(page_shm(to), s);
	assert_int_equal(to->user.shm_idx, 1);
	assert_int_equal(to->refcount, 3);
	assert_ptr_equal(frame_at(x, ax + P(1)), to);
	assert_ptr_equal(frame_at(y, ay + P(1)), to);
	assert_true(rmap_has(to, x, ax + P(1)) && rmap_has(to, y, ay + P(1)));
	assert_true(mm_poke(y, ay + P(1) + 12, 99));
	assert_int_equal(mm_peek(x, ax + P(1) + 12), 99);
	assert_verified(mm_check(x));
	assert_verified(mm_check(y));
	/* Unmapped but still the object's: it moves too. */
	assert_int_equal(shm_detach(x, ax), 0);
	assert_int_equal(shm_detach(y, ay), 0);
	assert_int_equal(to->refcount, 1);
	struct page *to2 = target();
	assert_int_equal(migrate_page(to, to2), 0);
	assert_ptr_equal(s->pages[1], to2);
	assert_int_equal(((uint32_t *)page_address(to2))[3], 99);
	assert_int_equal(shm_remove(id), 0);
	mm_fixture_destroy(x);
	mm_fixture_destroy(y);
	assert_true(mm_fixture_same(base));
}

/* A page in the swap cache keeps its slot; the lookup finds the new frame. */
static void test_migrate_swapcached(void **state)
{
	(void)state;
	uint32_t slots0;
	struct swap_stats sw;
	swap_get_stats(&sw);
	slots0 = sw.free;
	struct mm *parent = anon_mm(2), *child;
	fill(parent, BASE, 11);
	fill(parent, BASE + P(1), 12);
	assert_int_equal(mm_fork(parent, &child), 0);
	struct vmscan_stats vs;
	vmscan_get_stats(&vs);
	assert_int_equal(reclaim_pages(vs.tracked), 2);
	assert_true(pte_is_swap(mm_pte(parent, BASE)));
	/* Read back by the parent: cached, mapped read-only, the child's
	 * PTE still a swap entry for the same slot. */
	assert_int_equal(mismatches(parent, BASE, 11), 0);
	struct page *old = frame_at(parent, BASE);
	uint32_t slot = old->user.slot;
	assert_true(slot != 0);
	assert_ptr_equal(swap_cache_lookup(slot), old);
	struct page *to = target();
	assert_int_equal(migrate_page(old, to), 0);
	assert_int_equal(to->user.slot, slot);
	assert_ptr_equal(swap_cache_lookup(slot), to);
	assert_int_equal(mismatches(parent, BASE, 11), 0);
	/* The child's fault finds the new frame through the cache. */
	assert_int_equal(mismatches(child, BASE, 11), 0);
	assert_ptr_equal(frame_at(child, BASE), to);
	/* Evicted again: clean, the slot is still good. */
	vmscan_get_stats(&vs);
	reclaim_pages(vs.tracked);
	assert_int_equal(mismatches(child, BASE, 11), 0);
	assert_int_equal(mismatches(parent, BASE + P(1), 12), 0);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	mm_fixture_destroy(parent);
	vmscan_shrink();
	swap_get_stats(&sw);
	assert_int_equal(sw.free, slots0);
	assert_verified(vmscan_check_idle());
	assert_true(mm_fixture_same(base));
}

/* A page someone holds a reference to stays; non-user frames refuse. */
static void test_pinned_and_foreign(void **state)
{
	(void)state;
	struct mm *mm = anon_mm(1);
	fill(mm, BASE, 5);
	struct page *pg = frame_at(mm, BASE);
	get_page(pg);
	assert_false(compact_page_movable(pg));
	struct compact_stats s0, s1;
	compact_get_stats(&s0);
	struct compact_result r;
	assert_int_equal(compact_memory(&r), 0);
	compact_get_stats(&s1);
	assert_int_equal(r.pinned, 1);
	assert_int_equal(s1.skipped_pinned - s0.skipped_pinned, 1);
	assert_ptr_equal(frame_at(mm, BASE), pg);
	struct page *to = target();
	assert_int_equal(migrate_page(pg, to), -EBUSY);
	put_page(pg);
	assert_true(compact_page_movable(pg));
	/* Kernel and page-table frames are not movable. */
	struct page *k = alloc_page(GFP_KERNEL);
	assert_int_equal(migrate_page(k, to), -EINVAL);
	free_page(k);
	pte_t pde = mm->space.pgdir[BASE >> 22];
	struct page *table = phys_to_page(pde & PTE_FRAME_MASK);
	assert_true(table->flags & PG_PGTABLE);
	assert_false(compact_page_movable(table));
	assert_int_equal(migrate_page(table, to), -EINVAL);
	free_page(to);
	assert_int_equal(mismatches(mm, BASE, 5), 0);
	mm_fixture_destroy(mm);
	assert_true(mm_fixture_same(base));
}

/* Linux's fragmentation index, on free memory of a known shape. */
static void test_extfrag_index(void **state)
{
	(void)state;
	/* One user page, so that direct compaction has something to move. */
	struct mm *mm = anon_mm(1);
	fill(mm, BASE, 9);
	/* Take every frame, then give back 8 isolated single frames. */
	struct page *held = NULL, *pg;
	while ((pg = alloc_page(GFP_KERNEL)) != NULL) {
		*(struct page **)page_address(pg) = held;
		held = pg;
	}
	assert_int_equal(compact_extfrag_index(0), 0); /* nothing free */
	struct page *keep = NULL;
	uint32_t freed = 0;
	while (held) {
		pg = held;
		held = *(struct page **)page_address(pg);
		if ((page_to_pfn(pg) & 1) && freed < 8) {
			free_page(pg);
			freed++;
		} else {
			*(struct page **)page_address(pg) = keep;
			keep = pg;
		}
	}
	pmm_drain_cache();
	assert_int_equal(compact_free_in_order(0), 8);
	assert_int_equal(compact_free_in_order(1), 0);
	/* 8 blocks of 1 frame: 1000 - (1000 + 1000 * 8 / 2^order) / 8. */
	assert_int_equal(compact_extfrag_index(0), -1000);
	assert_int_equal(compact_extfrag_index(1), 375);
	assert_int_equal(compact_extfrag_index(2), 625);
	assert_int_equal(compact_extfrag_index(3), 750);
	assert_int_equal(compact_extfrag_index(10), 875);
	/* Too little memory rather than fragmentation (index <= 500):
	 * direct compaction declines. */
	struct compact_stats s0, s1;
	compact_get_stats(&s0);
	assert_null(alloc_pages(1, GFP_KERNEL));
	compact_get_stats(&s1);
	assert_int_equal(s1.stall, s0.stall);
	/* Fragmentation (750): it runs, and cannot help. */
	assert_null(alloc_pages(3, GFP_KERNEL));
	compact_get_stats(&s1);
	assert_int_equal(s1.stall - s0.stall, 1);
	assert_int_equal(s1.fail - s0.fail, 1);
	assert_int_equal(s1.success, s0.success);
	/* Deferred: the next attempt at that order or above is skipped,
	 * the one after that runs again (and fails: 2 skipped next). */
	assert_null(alloc_pages(4, GFP_KERNEL));
	compact_get_stats(&s1);
	assert_int_equal(s1.stall - s0.stall, 1);
	assert_int_equal(s1.deferred - s0.deferred, 1);
	assert_null(alloc_pages(3, GFP_KERNEL));
	compact_get_stats(&s1);
	assert_int_equal(s1.stall - s0.stall, 2);
	assert_null(alloc_pages(3, GFP_KERNEL));
	assert_null(alloc_pages(3, GFP_KERNEL));
	compact_get_stats(&s1);
	assert_int_equal(s1.stall - s0.stall, 2);
	assert_int_equal(s1.deferred - s0.deferred, 3);
	/* A lower order is not deferred. */
	assert_null(alloc_pages(2, GFP_KERNEL));
	compact_get_stats(&s1);
	assert_int_equal(s1.stall - s0.stall, 3);
	assert_int_equal(mismatches(mm, BASE, 9), 0);
	while (keep) {
		pg = keep;
		keep = *(struct page **)page_address(pg);
		free_page(pg);
	}
	pmm_drain_cache();
	mm_fixture_destroy(mm);
	assert_true(mm_fixture_same(base));
}

/* Pages of the fragmenting workload: touched, then every other dropped. */
struct fragmented {
	struct mm *mm;
	uint32_t pages; /* mapped at first */
};

/*
 * Fills memory with user pages until the allocator refuses (free frames
 * down to the kernel's reserve), then unmaps every other page: half of
 * memory is free again, in single frames between user pages.
 */
static struct fragmented fragment(void)
{
	struct fragmented f = { anon_mm(1u << 15), 0 };
	/* Take the kernel's reserve while filling, so that nothing large stays. */
	for (; f.pages < (1u << 15); f.pages++) {
		vaddr_t va = BASE + P(f.pages);
		if (mm_touch(f.mm, va, TOUCH_WRITE | TOUCH_USER, NULL) !=
		    MM_FAULT_OK)
			break;
		uint32_t *p = page_address(frame_at(f.mm, va));
		for (uint32_t j = 0; j < WORDS; j++)
			p[j] = word(f.pages, j);
	}
	assert_true(f.pages > 1000);
	for (uint32_t i = 1; i < f.pages; i += 2)
		assert_int_equal(mm_dontneed(f.mm, BASE + P(i), P(1)), 0);
	pmm_drain_cache();
	return f;
}

/*
 * Whether the block of pfn holds a frame that is neither free nor a
 * movable user page.
 */
static bool block_has_fixed_frame(pfn_t pfn)
{
	pfn_t start = pfn & ~(COMPACT_BLOCK_PAGES - 1);
	for (pfn_t q = start; q < start + COMPACT_BLOCK_PAGES;) {
		struct page *pg = pfn_to_page(q);
		if (pg->flags == PG_BUDDY) {
			q += 1u << pg->order;
			continue;
		}
		if (!compact_page_movable(pg))
			return true;
		q++;
	}
	return false;
}

/* Every page left (the even ones) holds its data; returns mismatches. */
static uint32_t fragmented_bad_words(struct fragmented *f)
{
	uint32_t bad = 0;
	for (uint32_t i = 0; i < f->pages; i += 2)
		bad += mismatches(f->mm, BASE + P(i), i);
	return bad;
}

/*
 * The scanners over fragmented memory: the data stays, every movable page
 * ends above where they met, the large blocks come back.
 */
static void test_compact_fragmented(void **state)
{
	(void)state;
	struct fragmented f = fragment();
	uint32_t large0 = compact_free_in_order(COMPACT_BLOCK_ORDER);
	struct compact_survey sv0;
	compact_survey(&sv0);
	assert_true(sv0.free_large < sv0.reachable / 4);
	struct compact_stats s0, s1;
	compact_get_stats(&s0);
	struct compact_result r;
	assert_int_equal(compact_memory(&r), 0);
	compact_get_stats(&s1);
	assert_verified(pmm_verify());
	assert_true(r.migrated > 0);
	assert_int_equal(r.failed, 0);
	assert_int_equal(s1.pgmigrate_success - s0.pgmigrate_success,
			 r.migrated);
	assert_int_equal(s1.migrate_scanned - s0.migrate_scanned,
			 r.migrate_scanned);
	assert_int_equal(s1.free_scanned - s0.free_scanned, r.free_scanned);
	assert_int_equal(s1.runs - s0.runs, 1);
	assert_true(r.migrate_scanned > 0 && r.free_scanned > 0);
	assert_int_equal(fragmented_bad_words(&f), 0);
	assert_verified(mm_check(f.mm));
	/*
	 * Below the block where the scanners met, user pages are left only
	 * in blocks that also hold a fixed frame (which never become free).
	 */
	pfn_t meet = r.meet_pfn & ~(COMPACT_BLOCK_PAGES - 1);
	uint32_t below = 0;
	for (uint32_t i = 0; i < f.pages; i += 2) {
		pfn_t pfn = page_to_pfn(frame_at(f.mm, BASE + P(i)));
		if (pfn < meet) {
			assert_true(block_has_fixed_frame(pfn));
			below++;
		}
	}
	assert_true(below > 0); /* the holes of those blocks were used */
	struct compact_survey sv;
	compact_survey(&sv);
	uint32_t large = compact_free_in_order(COMPACT_BLOCK_ORDER);
	assert_int_equal(large, sv.free_large);
	assert_true(large > large0);
	/* The goal of make bench: 90 % of what compaction could reach. */
	assert_true((uint64_t)large * 10 >= (uint64_t)sv.reachable * 9);
	assert_true(compact_extfrag_index(COMPACT_BLOCK_ORDER) == -1000);
	/* A second run finds nothing more to do below the meeting point. */
	assert_int_equal(compact_memory(&r), 0);
	assert_int_equal(compact_free_in_order(COMPACT_BLOCK_ORDER), large);
	mm_fixture_destroy(f.mm);
	assert_true(mm_fixture_same(base));
}

/* A block allocation that fails compacts and is served (compact_stall). */
static void test_direct_compaction(void **state)
{
	(void)state;
	struct fragmented f = fragment();
	assert_int_equal(compact_free_in_order(COMPACT_BLOCK_ORDER), 0);
	assert_true(compact_extfrag_index(COMPACT_BLOCK_ORDER) >
		    COMPACT_EXTFRAG_THRESHOLD);
	struct compact_stats s0, s1;
	compact_get_stats(&s0);
	struct pmm_stats p0, p1;
	pmm_get_stats(&p0);
	struct page *big = alloc_pages(COMPACT_BLOCK_ORDER, GFP_KERNEL);
	assert_non_null(big);
	compact_get_stats(&s1);
	pmm_get_stats(&p1);
	assert_int_equal(s1.stall - s0.stall, 1);
	assert_int_equal(s1.success - s0.success, 1);
	assert_int_equal(s1.fail, s0.fail);
	assert_true(s1.pgmigrate_success > s0.pgmigrate_success);
	assert_int_equal(p1.alloc_failures, p0.alloc_failures);
	assert_int_equal(fragmented_bad_words(&f), 0);
	free_pages(big, COMPACT_BLOCK_ORDER);
	assert_verified(mm_check(f.mm));
	mm_fixture_destroy(f.mm);
	assert_true(mm_fixture_same(base));
}

/* The random sequence: processes, private and shared pages. */
#define FAMILY 4
#define NPAGES 12
#define SHARED (BASE + P(64))

/* Migrates the page at va of mm, if resident, to a new frame. */
static void migrate_at(struct mm *mm, vaddr_t va)
{
	struct page *pg = frame_at(mm, va);
	if (!pg)
		return;
	struct page *to = target();
	int err = migrate_page(pg, to);
	assert_true(err == 0 || err == -EBUSY);
	if (err) {
		free_page(to);
		return;
	}
	assert_ptr_equal(frame_at(mm, va), to);
}

static void test_random(void **state)
{
	(void)state;
	struct mm *mm[FAMILY] = { NULL };
	uint32_t model[FAMILY][NPAGES], shared[NPAGES] = { 0 };
	unsigned int seed = getenv("MM_SEED")
				    ? (unsigned)atoi(getenv("MM_SEED"))
				    : (unsigned)time(NULL);
	unsigned int steps =
		getenv("MM_STEPS") ? (unsigned)atoi(getenv("MM_STEPS")) : 3000;
	printf("test_random: MM_SEED=%u\n", seed);
	srand(seed);
	vaddr_t a;
	mm[0] = anon_mm(NPAGES);
	assert_int_equal(mm_map(mm[0], SHARED, P(NPAGES), RW,
				MM_MAP_SHARED | MM_MAP_FIXED, VMA_ANON, NULL,
				&a),
			 0);
	memset(model, 0, sizeof(model));
	struct compact_stats s0, s1;
	compact_get_stats(&s0);
	for (unsigned int step = 0; step < steps; step++) {
		int i = rand() % FAMILY, pg = rand() % NPAGES;
		int op = rand() % 12;
		if (!mm[i]) {
			int from = rand() % FAMILY;
			if (mm[from]) {
				assert_int_equal(mm_fork(mm[from], &mm[i]), 0);
				memcpy(model[i], model[from], sizeof(model[i]));
			}
			continue;
		}
		vaddr_t va = BASE + P(pg);
		switch (op) {
		case 0:
		case 1: {
			uint32_t v = (uint32_t)rand() | 1;
			assert_true(mm_poke(mm[i], va, v));
			model[i][pg] = v;
			break;
		}
		case 2:
			assert_int_equal(mm_peek(mm[i], va), model[i][pg]);
			break;
		case 3:
			reclaim_pages(1 + rand() % 8);
			break;
		case 4:
			assert_int_equal(mm_dontneed(mm[i], va, P(1)), 0);
			model[i][pg] = 0;
			break;
		case 5:
			if (rand() % 4 == 0 &&
			    (i != 0 || mm[1] || mm[2] || mm[3])) {
				mm_fixture_destroy(mm[i]);
				mm[i] = NULL;
			}
			break;
		case 6: {
			uint32_t v = (uint32_t)rand();
			assert_true(mm_poke(mm[i], SHARED + P(pg), v));
			shared[pg] = v;
			break;
		}
		case 7:
			assert_int_equal(mm_peek(mm[i], SHARED + P(pg)),
					 shared[pg]);
			break;
		case 8:
		case 9:
			migrate_at(mm[i], va);
			break;
		case 10:
			migrate_at(mm[i], SHARED + P(pg));
			break;
		case 11:
			if (rand() % 8 == 0)
				assert_int_equal(compact_memory(NULL), 0);
			break;
		}
		for (int k = 0; k < FAMILY; k++)
			if (mm[k])
				assert_verified(mm_check(mm[k]));
	}
	for (int k = 0; k < FAMILY; k++) {
		if (!mm[k])
			continue;
		for (int p = 0; p < NPAGES; p++) {
			assert_int_equal(mm_peek(mm[k], BASE + P(p)),
					 model[k][p]);
			assert_int_equal(mm_peek(mm[k], SHARED + P(p)),
					 shared[p]);
		}
		mm_fixture_destroy(mm[k]);
	}
	compact_get_stats(&s1);
	assert_true(s1.pgmigrate_success > s0.pgmigrate_success);
	assert_verified(pmm_verify());
	vmscan_shrink();
	assert_verified(vmscan_check_idle());
	assert_true(mm_fixture_same(base));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_private, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrate_cow_shared, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrate_shm, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrate_swapcached,
						boot_swap, teardown),
		cmocka_unit_test_setup_teardown(test_pinned_and_foreign, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_extfrag_index, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_compact_fragmented, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_direct_compaction, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_random, boot_swap,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
