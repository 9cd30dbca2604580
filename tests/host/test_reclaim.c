/*
 * tests/host/test_reclaim.c - swapping on fake RAM and a fake disk: the
 * reverse map, eviction (dirty pages written, clean ones dropped), swap
 * entries in every PTE of a shared page, swap-in with the swap cache,
 * copy-on-write after swap-in, shared memory in swap, slots freed by
 * munmap, MADV_DONTNEED and exit, fork of swap entries, write and read
 * errors, a full swap area, the accessed-bit test, local replacement,
 * policy switches, and a random sequence of all of these checked against
 * a model of every process's memory.
 *
 * Accesses go through the shim's MMU model (mm_fixture.h), which sets
 * accessed bits and faults like the CPU. After every test every frame,
 * heap object and swap slot must be back, and nothing may be left on the
 * policy's lists or in the swap cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/blockdev.h"
#include "mm/policy.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/swapoff.h"
#include "mm/vmscan.h"
#include "tests/host/mm_fixture.h"
#include "tests/host/swap_fixture.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x40000000u


static void map(struct mm *mm, vaddr_t addr, size_t len, uint32_t flags)
{
	vaddr_t a;
	assert_int_equal(mm_map(mm, addr, len, RW, flags | MM_MAP_FIXED,
				VMA_ANON, NULL, &a),
			 0);
}

/* The value the page at va holds in generation g. */
static uint32_t pattern(vaddr_t va, uint32_t g)
{
	return 0x9E3779B9u * ((va >> PAGE_SHIFT) + 1) ^ (g << 24) ^ 0x5A5A;
}

/* Writes the pattern into the first and last word of npages pages. */
static void fill(struct mm *mm, vaddr_t at, uint32_t npages, uint32_t g)
{
	for (uint32_t i = 0; i < npages; i++) {
		assert_true(mm_poke(mm, at + P(i), pattern(at + P(i), g)));
		assert_true(mm_poke(mm, at + P(i) + PAGE_SIZE - 4,
				    ~pattern(at + P(i), g)));
	}
}

/* Checks both words of npages pages (line: the caller's, for messages). */
static void expect_at(int line, struct mm *mm, vaddr_t at, uint32_t npages,
		      uint32_t g)
{
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t first = mm_peek(mm, at + P(i));
		uint32_t last = mm_peek(mm, at + P(i) + PAGE_SIZE - 4);
		if (first != pattern(at + P(i), g) ||
		    last != ~pattern(at + P(i), g))
			fail_msg("line %d: page %u of %#x holds %#x..%#x, "
				 "expected generation %u (data lost: was a "
				 "dirty page evicted without being written "
				 "back to its swap slot?)",
				 line, i, (unsigned int)at, first, last, g);
	}
}
#define expect(mm, at, n, g) expect_at(__LINE__, mm, at, n, g)

/* Evicts everything the policy tracks; returns how many went. */
static uint32_t evict_all(void)
{
	struct vmscan_stats st;
	vmscan_get_stats(&st);
	return reclaim_pages(st.tracked);
}

/*
 * Lab 6's first stage: every page goes to a slot of its own and comes
 * back with its contents, by a read or a write, whether or not the
 * kernel keeps a clean copy in the swap cache (that is the second stage,
 * test_evict_and_swap_in).
 */
static void test_evict_and_read_back(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(16), 0);
	fill(mm, BASE, 16, 1);
	uint64_t out0 = vm_events.pswpout, maj0 = vm_events.pgmajfault;
	assert_int_equal(evict_all(), 16);
	assert_int_equal(vm_events.pswpout - out0, 16);
	assert_int_equal(mm->rss, 0);
	assert_int_equal(mm->swap_pages, 16);
	assert_int_equal(swap_free(), swap_free0 - 16);
	for (uint32_t i = 0; i < 16; i++) {
		pte_t pte = mm_pte(mm, BASE + P(i));
		assert_true(pte_is_swap(pte));
		assert_int_equal(swap_slot_refs(pte_swap_slot(pte)), 1);
	}
	/* Half read back, half written: each page has its old contents. */
	expect(mm, BASE, 8, 1);
	for (uint32_t i = 8; i < 16; i++)
		assert_true(mm_poke(mm, BASE + P(i), 100 + i));
	assert_int_equal(vm_events.pgmajfault - maj0, 16);
	assert_int_equal(mm->swap_pages, 0);
	assert_int_equal(mm->rss, 16);
	for (uint32_t i = 8; i < 16; i++) {
		assert_true(mm_pte(mm, BASE + P(i)) & PTE_W);
		/* The write faulted the page in: its last word came too. */
		assert_int_equal(mm_peek(mm, BASE + P(i) + PAGE_SIZE - 4),
				 ~pattern(BASE + P(i), 1));
	}
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

static void test_evict_and_swap_in(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(16), 0);
	fill(mm, BASE, 16, 1);
	uint64_t out0 = vm_events.pswpout, maj0 = vm_events.pgmajfault;
	assert_int_equal(evict_all(), 16);
	assert_int_equal(vm_events.pswpout - out0, 16);
	assert_int_equal(mm->rss, 0);
	assert_int_equal(mm->swap_pages, 16);
	assert_int_equal(swap_free(), swap_free0 - 16);
	for (uint32_t i = 0; i < 16; i++) {
		pte_t pte = mm_pte(mm, BASE + P(i));
		assert_true(pte_is_swap(pte));
		assert_int_equal(swap_slot_refs(pte_swap_slot(pte)), 1);
	}
	assert_verified(mm_check(mm));
	struct mm_usage u;
	mm_get_usage(mm, &u);
	assert_int_equal(u.vm_swap, 16);

	/* Reading brings the pages back read-only, their slots kept. */
	expect(mm, BASE, 16, 1);
	assert_int_equal(vm_events.pgmajfault - maj0, 16);
	assert_int_equal(mm->swap_pages, 0);
	assert_int_equal(mm->rss, 16);
	assert_int_equal(swap_free(), swap_free0 - 16);
	pte_t pte = mm_pte(mm, BASE);
	assert_true(pte_present(pte) && !(pte & PTE_W) && (pte & PTE_COW));
	assert_verified(mm_check(mm));

	/* Clean pages are dropped without a write. */
	uint64_t clean0 = vm_events.pgsteal_clean;
	out0 = vm_events.pswpout;
	assert_int_equal(evict_all(), 16);
	assert_int_equal(vm_events.pswpout, out0);
	assert_int_equal(vm_events.pgsteal_clean - clean0, 16);
	expect(mm, BASE, 16, 1);

	/* A write ends the clean copy: the slot is freed at once. */
	assert_true(mm_poke(mm, BASE, 77));
	assert_int_equal(swap_free(), swap_free0 - 15);
	assert_true(mm_pte(mm, BASE) & PTE_W);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

static void test_write_swap_in(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(8), 0);
	fill(mm, BASE, 8, 1);
	assert_int_equal(evict_all(), 8);
	/* A write fault reads the page in writable, and frees its slot. */
	for (uint32_t i = 0; i < 8; i++)
		assert_true(mm_poke(mm, BASE + P(i) + 8, i));
	assert_int_equal(swap_free(), swap_free0);
	assert_true(mm_pte(mm, BASE) & PTE_W);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(mm_peek(mm, BASE + P(i)),
				 pattern(BASE + P(i), 1));
		assert_int_equal(mm_peek(mm, BASE + P(i) + 8), i);
	}
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

static void test_fork_shared_slot(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	map(parent, BASE, P(8), 0);
	fill(parent, BASE, 8, 1);
	assert_int_equal(mm_fork(parent, &child), 0);
	/* One slot per page, referenced by both PTEs. */
	assert_int_equal(evict_all(), 8);
	assert_int_equal(swap_free(), swap_free0 - 8);
	pte_t a = mm_pte(parent, BASE), b = mm_pte(child, BASE);
	assert_true(pte_is_swap(a) && a == b);
	assert_int_equal(swap_slot_refs(pte_swap_slot(a)), 2);
	assert_true(a & PTE_COW);

	/* The child reads them in; the parent finds them in the cache. */
	expect(child, BASE, 8, 1);
	uint64_t hits0 = vm_events.swapcache_hits;
	uint64_t maj0 = vm_events.pgmajfault;
	expect(parent, BASE, 8, 1);
	assert_int_equal(vm_events.swapcache_hits - hits0, 8);
	assert_int_equal(vm_events.pgmajfault, maj0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(pte_frame(mm_pte(parent, BASE + P(i))),
				 pte_frame(mm_pte(child, BASE + P(i))));
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));

	/* Copy-on-write still isolates the writers. */
	fill(parent, BASE, 4, 2);
	expect(child, BASE, 8, 1);
	expect(parent, BASE, 4, 2);
	/* Evicted again: shared ones to one slot, private ones to their own. */
	assert_true(evict_all() > 0);
	fill(child, BASE + P(4), 4, 3);
	expect(parent, BASE, 4, 2);
	expect(parent, BASE + P(4), 4, 1);
	expect(child, BASE, 4, 1);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	mm_fixture_destroy(parent);
	expect(child, BASE, 4, 1);
	mm_fixture_destroy(child);
	expect_all_back();
}

static void test_fork_of_swap_entries(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	map(parent, BASE, P(8), 0);
	fill(parent, BASE, 8, 1);
	assert_int_equal(evict_all(), 8);
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_int_equal(child->swap_pages, 8);
	assert_int_equal(swap_slot_refs(pte_swap_slot(mm_pte(child, BASE))), 2);
	assert_verified(mm_check(child));
	/* The child writes, the parent keeps the original. */
	fill(child, BASE, 8, 2);
	expect(parent, BASE, 8, 1);
	expect(child, BASE, 8, 2);
	/* The child exits with pages still in swap: their slots go. */
	assert_true(evict_all() > 0);
	mm_fixture_destroy(child);
	expect(parent, BASE, 8, 1);
	mm_fixture_destroy(parent);
	expect_all_back();
}

/* Shared memory: PTEs cleared, the object remembers the slots. */
static void test_shared_memory(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	vaddr_t a;
	assert_int_equal(mm_map(parent, 0, P(8), RW, MM_MAP_SHARED, VMA_ANON,
				NULL, &a),
			 0);
	fill(parent, a, 8, 1);
	assert_int_equal(mm_fork(parent, &child), 0);
	struct shm_object *s = mm_find_vma(parent, a)->shm;
	assert_int_equal(evict_all(), 8);
	assert_int_equal(s->resident, 0);
	assert_int_equal(s->swapped, 8);
	assert_true(pte_none(mm_pte(parent, a)));
	assert_true(pte_none(mm_pte(child, a)));
	assert_int_equal(parent->rss + child->rss, 0);
	assert_verified(mm_check(parent));
	/* The child reads them back; the parent maps the same frames. */
	expect(child, a, 8, 1);
	assert_int_equal(s->swapped, 0);
	expect(parent, a, 8, 1);
	assert_int_equal(pte_frame(mm_pte(parent, a)),
			 pte_frame(mm_pte(child, a)));
	/* Clean: read-only until written, dropped without a write. */
	assert_false(mm_pte(child, a) & PTE_W);
	uint64_t out0 = vm_events.pswpout;
	assert_int_equal(evict_all(), 8);
	assert_int_equal(vm_events.pswpout, out0);
	/* Writes by one are seen by the other, through swap. */
	fill(child, a, 8, 2);
	assert_int_equal(evict_all(), 8);
	expect(parent, a, 8, 2);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	assert_int_equal(evict_all(), 8);
	mm_fixture_destroy(parent);
	expect_all_back();
}

static void test_unmap_frees_slots(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(16), 0);
	fill(mm, BASE, 16, 1);
	assert_int_equal(evict_all(), 16);
	assert_int_equal(mm_dontneed(mm, BASE, P(4)), 0);
	assert_int_equal(swap_free(), swap_free0 - 12);
	assert_int_equal(mm_peek(mm, BASE), 0);
	assert_int_equal(mm_unmap(mm, BASE + P(8), P(8)), 0);
	assert_int_equal(swap_free(), swap_free0 - 4);
	assert_int_equal(mm->swap_pages, 4);
	assert_verified(mm_check(mm));
	expect(mm, BASE + P(4), 1, 1);
	mm_fixture_destroy(mm);
	expect_all_back();
}

static void test_write_errors(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(32), 0);
	fill(mm, BASE, 32, 1);
	/* Every write fails: nothing goes, nothing is lost, no slot kept. */
	disk.fail_write = 1;
	uint64_t err0 = vm_events.swap_write_errors;
	assert_int_equal(evict_all(), 0);
	assert_true(vm_events.swap_write_errors > err0);
	assert_int_equal(mm->rss, 32);
	assert_int_equal(swap_free(), swap_free0);
	/* Every third fails: failed victims stay, the others go. */
	disk.fail_write = 3;
	err0 = vm_events.swap_write_errors;
	assert_int_equal(evict_all(), 32);
	assert_true(vm_events.swap_write_errors - err0 >= 10);
	assert_int_equal(swap_free(), swap_free0 - 32);
	assert_verified(mm_check(mm));
	disk.fail_write = 0;
	expect(mm, BASE, 32, 1);
	mm_fixture_destroy(mm);
	expect_all_back();
}

static void test_read_error(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(4), 0);
	fill(mm, BASE, 4, 1);
	assert_int_equal(evict_all(), 4);
	disk.fail_read = 1;
	uint32_t free0 = mm_fixture_baseline().free_pages;
	assert_int_equal(mm_touch(mm, BASE, TOUCH_USER, NULL), MM_FAULT_IO);
	/* Nothing changed: still in swap, no frame kept. */
	assert_true(pte_is_swap(mm_pte(mm, BASE)));
	assert_int_equal(mm_fixture_baseline().free_pages, free0);
	uint32_t v;
	assert_int_equal(mm_read(mm, BASE, &v, sizeof(v)), -EFAULT);
	disk.fail_read = 0;
	expect(mm, BASE, 4, 1);
	assert_true(evict_all() > 0);
	mm_fixture_destroy(mm);
	expect_all_back();
}

static void test_swap_full(void **state)
{
	(void)state;
	teardown(state);
	setup_swap(9); /* 8 slots */
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(16), 0);
	fill(mm, BASE, 16, 1);
	assert_int_equal(evict_all(), 8);
	assert_int_equal(swap_free(), 0);
	assert_int_equal(reclaim_pages(4), 0);
	/* Clean pages can still go when swap is full. */
	expect(mm, BASE, 16, 1);
	assert_int_equal(mm->swap_pages, 0);
	assert_int_equal(reclaim_pages(16), 8);
	expect(mm, BASE, 16, 1);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * Below the low watermark with swap full, reclaim frees nothing: the
 * faults that follow must not each walk the whole list again (a stall of
 * seconds per thousand faults in the kernel), but back off, and still
 * try once more at the min watermark before an allocation fails.
 */
/* Free frames now. */
static uint32_t free_now(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st.free_pages;
}

static void test_futile_reclaim_backs_off(void **state)
{
	(void)state;
	teardown(state);
	setup_swap(9); /* 8 slots */
	struct vm_watermarks wm;
	vmscan_watermarks(&wm);
	struct mm *mm = mm_fixture_new();
	uint32_t room = free_now() - wm.min + 64;
	map(mm, BASE, P(room), 0);
	uint32_t i = 0;
	/* Down to the low watermark; below it, swap fills at once. */
	while (free_now() >= wm.low && i < room) {
		assert_true(mm_poke(mm, BASE + P(i), i));
		i++;
	}
	uint64_t runs0 = vm_events.reclaim_runs;
	uint64_t skipped0 = vm_events.reclaim_skipped;
	uint32_t faults = 0;
	while (free_now() > wm.min + 2 && i < room) {
		assert_true(mm_poke(mm, BASE + P(i), i));
		i++;
		faults++;
	}
	uint64_t runs = vm_events.reclaim_runs - runs0;
	assert_true(faults >= 32);
	/* 1 + 2 + 4 + ... : a run per doubling, not one per fault. */
	if (runs > 8 + faults / 64)
		fail_msg("%llu reclaim runs for %u faults below the low "
			 "watermark with swap full (no backoff after a run that "
			 "freed nothing?)", (unsigned long long)runs, faults);
	assert_int_equal(swap_free(), 0);
	assert_true(vm_events.reclaim_skipped - skipped0 >= faults / 2);
	/* At the min watermark reclaim runs again before the failure. */
	uint64_t runs1 = vm_events.reclaim_runs;
	while (i < room && mm_poke(mm, BASE + P(i), i))
		i++;
	assert_true(i < room);
	assert_true(vm_events.reclaim_runs > runs1);
	mm_fixture_destroy(mm);
	expect_all_back();
}

static void test_accessed_bits(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	map(parent, BASE, P(1), 0);
	assert_true(mm_poke(parent, BASE, 1));
	assert_int_equal(mm_fork(parent, &child), 0);
	struct page *pg = phys_to_page(pte_frame(mm_pte(parent, BASE)));
	assert_int_equal(rmap_mapcount(pg), 2);
	assert_true(rmap_has(pg, parent, BASE) && rmap_has(pg, child, BASE));
	assert_true(policy_test_and_clear_accessed(pg));
	assert_false(mm_pte(parent, BASE) & PTE_A);
	assert_false(policy_test_and_clear_accessed(pg));
	/* Through the TLB model: the entry was flushed, so A is set again. */
	unsigned long flushes = host_port_counts.flush_page;
	assert_int_equal(mm_peek(child, BASE), 1);
	assert_true(policy_test_and_clear_accessed(pg));
	assert_true(host_port_counts.flush_page > flushes);
	mm_fixture_destroy(child);
	assert_int_equal(rmap_mapcount(pg), 1);
	mm_fixture_destroy(parent);
	expect_all_back();
}

static void test_local_replacement(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_set_limit_rss(mm, P(8));
	map(mm, BASE, P(24), 0);
	uint64_t stolen = vm_events.pgsteal_local;
	fill(mm, BASE, 24, 1);
	assert_true(mm->rss <= 8);
	assert_true(vm_events.pgsteal_local - stolen >= 16);
	expect(mm, BASE, 24, 1);
	assert_true(mm->rss <= 8);
	assert_verified(mm_check(mm));

	/* A limit below MM_RSS_MIN_PAGES counts as that many pages. */
	mm_set_limit_rss(mm, P(2));
	fill(mm, BASE, 24, 2);
	assert_int_equal(mm->rss, MM_RSS_MIN_PAGES);
	expect(mm, BASE, 24, 2);
	assert_int_equal(mm->rss, MM_RSS_MIN_PAGES);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * Runs an "instruction" that needs every page of pages[] at once, as the
 * CPU does: the accesses in order, and after a fault (resolved by
 * mm_touch) the whole instruction again from the start. Returns how many
 * faults it took, or -1 if it had not completed after max of them.
 */
static int run_instruction(struct mm *mm, const vaddr_t *pages, int n, int max)
{
	for (int faults = 0; faults <= max; faults++) {
		int i = 0;
		paddr_t pa;
		while (i < n &&
		       host_mmu_access(pages[i], TOUCH_USER | TOUCH_WRITE,
				       &pa) == 0)
			i++;
		if (i == n)
			return faults;
		assert_int_equal(mm_touch(mm, pages[i],
					  TOUCH_USER | TOUCH_WRITE, NULL),
				 MM_FAULT_OK);
	}
	return -1;
}

/*
 * RLIMIT_RSS of 1 or 2 pages: local replacement must not evict the pages
 * a restarted instruction needs, or it faults for ever. Instructions that
 * need 3 to 6 pages (code, stack, a source and a destination that each
 * straddle two pages) all complete, within one fault per page.
 */
static void test_local_replacement_progress(void **state)
{
	(void)state;
	for (uint64_t limit = 1; limit <= 2; limit++) {
		struct mm *mm = mm_fixture_new();
		mm_set_limit_rss(mm, P(limit));
		map(mm, BASE, P(32), 0);
		fill(mm, BASE, 32, 1);
		for (int k = 0; k < 8; k++) {
			/* code, stack, source x2, destination x2 */
			vaddr_t six[] = { BASE + P(k),	    BASE + P(31 - k),
					  BASE + P(8 + k),  BASE + P(9 + k),
					  BASE + P(20 + k), BASE + P(21 + k) };
			for (int n = 3; n <= 6; n++) {
				int faults = run_instruction(mm, six, n, 100);
				if (faults < 0 || faults > n)
					fail_msg("limit %d pages, %d-page "
						 "instruction %d: %d faults",
						 (int)limit, n, k, faults);
			}
		}
		expect(mm, BASE, 32, 1);
		assert_verified(mm_check(mm));
		mm_fixture_destroy(mm);
	}
	expect_all_back();
}

static void test_policy_switch(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(8), 0);
	fill(mm, BASE, 8, 1);
	const struct vm_policy *was = vm_policy_active();
	for (const struct vm_policy *const *p = vm_policies; *p; p++) {
		assert_int_equal(vm_policy_set((*p)->name), 0);
		assert_ptr_equal(vm_policy_active(), *p);
		assert_int_equal(vm_policy_stats(*p)->tracked, 8);
		assert_int_equal(reclaim_pages(2), 2);
		expect(mm, BASE, 8, 1);
	}
	assert_int_equal(vm_policy_set("belady"), -EINVAL);
	char list[64];
	assert_int_equal(vm_policy_set(was->name), 0);
	vm_policy_list(list, sizeof(list));
	/* "[clock] fifo ...": every policy once, the active one in brackets. */
	char want[64] = "";
	for (const struct vm_policy *const *p = vm_policies; *p; p++) {
		bool on = *p == was;
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 "%s%s%s%s", p == vm_policies ? "" : " ",
			 on ? "[" : "", (*p)->name, on ? "]" : "");
	}
	strcat(want, "\n");
	assert_string_equal(list, want);
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * The history hooks: eviction tells the policy the page's swap slot, and
 * a swap-in, by a read (the page stays in the swap cache) or by a write
 * (it does not), tells it the slot the page came from. clockpro counts
 * the refaults it recognises: pages evicted cold in their test period.
 */
static void test_refault_hook(void **state)
{
	(void)state;
	const struct vm_policy_stats *st = vm_policy_stats(&vm_policy_clockpro);
	const struct vm_policy *was = vm_policy_active();
	struct mm *mm = mm_fixture_new();
	assert_int_equal(vm_policy_set("clockpro"), 0);
	map(mm, BASE, P(8), 0);
	fill(mm, BASE, 8, 1);
	uint64_t r0 = st->refaults;
	/* Memory fills with hot pages; demoted and evicted, they leave no key. */
	assert_int_equal(evict_all(), 8);
	expect(mm, BASE, 8, 1);
	assert_int_equal(st->refaults - r0, 0);
	/* Back cold, in their test period: evicted, their slots remembered. */
	assert_int_equal(evict_all(), 8);
	expect(mm, BASE, 8, 1); /* read faults: the swap cache path */
	assert_int_equal(st->refaults - r0, 8);
	/* Hot again; once more out (no key) and back cold. */
	assert_int_equal(evict_all(), 8);
	expect(mm, BASE, 8, 1);
	assert_int_equal(st->refaults - r0, 8);
	assert_int_equal(evict_all(), 8);
	fill(mm, BASE, 8, 2); /* write faults: no swap cache */
	assert_int_equal(st->refaults - r0, 16);
	expect(mm, BASE, 8, 2);
	/* Other policies hear nothing: their stats have no refaults. */
	for (const struct vm_policy *const *p = vm_policies; *p; p++)
		if (!(*p)->refault)
			assert_int_equal(vm_policy_stats(*p)->refaults, 0);
	assert_int_equal(vm_policy_set(was->name), 0);
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * Random operations on a family of processes: writes (by the process and
 * by the kernel, mm_write), reads, forks, exits, evictions, dropped
 * pages, policy switches, on private memory and on a MAP_SHARED region
 * they all share; every process's view is compared with a model after
 * each step, and mm_check() must hold.
 */
#define FAMILY 4
#define NPAGES 12
#define SHARED (BASE + P(64))
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
	unsigned int npolicies = 0;
	while (vm_policies[npolicies])
		npolicies++;
	printf("test_random: MM_SEED=%u\n", seed);
	srand(seed);
	mm[0] = mm_fixture_new();
	map(mm[0], BASE, P(NPAGES), 0);
	map(mm[0], SHARED, P(NPAGES), MM_MAP_SHARED);
	memset(model, 0, sizeof(model));
	for (unsigned int step = 0; step < steps; step++) {
		int i = rand() % FAMILY, pg = rand() % NPAGES;
		int op = rand() % 13;
		if (!mm[i]) {
			/* A new process: fork of a live one, or a fresh one. */
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
		case 1:
		case 2: {
			uint32_t v = (uint32_t)rand() | 1;
			assert_true(mm_poke(mm[i], va + 4 * (v % 8), v));
			assert_true(mm_poke(mm[i], va, v));
			model[i][pg] = v;
			break;
		}
		case 3:
		case 4:
			assert_int_equal(mm_peek(mm[i], va), model[i][pg]);
			break;
		case 5:
			reclaim_pages(1 + rand() % 8);
			break;
		case 6:
			assert_int_equal(mm_dontneed(mm[i], va, P(1)), 0);
			model[i][pg] = 0;
			break;
		case 7:
			if (rand() % 4 == 0 &&
			    (i != 0 || mm[1] || mm[2] || mm[3])) {
				mm_fixture_destroy(mm[i]);
				mm[i] = NULL;
			}
			break;
		case 8:
			assert_int_equal(
				vm_policy_set(
					vm_policies[rand() % npolicies]->name),
				0);
			break;
		case 9:
			for (int k = 0; k < NPAGES; k++)
				assert_int_equal(mm_peek(mm[i], BASE + P(k)),
						 model[i][k]);
			break;
		case 10: {
			uint32_t v = (uint32_t)rand();
			assert_int_equal(mm_write(mm[i], va + 8, &v, 4), 0);
			assert_int_equal(mm_write(mm[i], va, &v, 4), 0);
			model[i][pg] = v;
			break;
		}
		case 11: {
			uint32_t v = (uint32_t)rand();
			assert_true(mm_poke(mm[i], SHARED + P(pg), v));
			shared[pg] = v;
			break;
		}
		case 12: {
			uint32_t v;
			assert_int_equal(mm_read(mm[i], SHARED + P(pg), &v, 4),
					 0);
			assert_int_equal(v, shared[pg]);
			assert_int_equal(mm_peek(mm[i], SHARED + P(pg)),
					 shared[pg]);
			break;
		}
		}
		for (int k = 0; k < FAMILY; k++)
			if (mm[k])
				assert_verified(mm_check(mm[k]));
	}
	for (int k = 0; k < FAMILY; k++)
		if (mm[k])
			mm_fixture_destroy(mm[k]);
	assert_int_equal(vm_policy_set("clock"), 0);
	expect_all_back();
}

/* --- the anonymous families of the reverse map (mm/rmap.h) ------------- */

/* Like expect(), for pages filled at `from` and moved to `at`. */
static void expect_moved(struct mm *mm, vaddr_t at, vaddr_t from,
			 uint32_t npages, uint32_t g)
{
	for (uint32_t i = 0; i < npages; i++) {
		assert_int_equal(mm_peek(mm, at + P(i)), pattern(from + P(i), g));
		assert_int_equal(mm_peek(mm, at + P(i) + PAGE_SIZE - 4),
				 ~pattern(from + P(i), g));
	}
}

/* The frame mapped at va (the PTE must be present). */
static struct page *frame_at(struct mm *mm, vaddr_t va)
{
	pte_t pte = mm_pte(mm, va);
	assert_true(pte_present(pte));
	return phys_to_page(pte_frame(pte));
}

/* The number of regions on a family's list. */
static uint32_t family_regions(const struct anon_family *f)
{
	uint32_t n = 0;
	for (const struct list_node *pos = f->vmas.next; pos != &f->vmas;
	     pos = pos->next)
		n++;
	return n;
}

/* Every mm of the array passes mm_check(). */
static void check_all(struct mm **mms, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(mm_check(mms[i]), 0);
}

/*
 * Expects pg mapped at va in each of the n address spaces (and nowhere
 * else): its map count, the reverse map's answer, and the walk.
 */
struct walk_seen {
	struct mm *mm[8];
	vaddr_t va[8];
	int n;
};

static int note_mapping(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg)
{
	struct walk_seen *w = arg;
	assert_true(pte_present(*ptep));
	assert_true(w->n < 8);
	w->mm[w->n] = mm;
	w->va[w->n] = va;
	w->n++;
	return 0;
}

static void expect_mapped_by(struct page *pg, struct mm **mms, vaddr_t *vas,
			     int n)
{
	assert_int_equal(rmap_mapcount(pg), n);
	assert_int_equal(pg->refcount, n);
	struct walk_seen w = { .n = 0 };
	assert_int_equal(rmap_walk(pg, note_mapping, &w), 0);
	assert_int_equal(w.n, n);
	for (int i = 0; i < n; i++) {
		assert_true(rmap_has(pg, mms[i], vas[i]));
		bool seen = false;
		for (int j = 0; j < w.n; j++)
			seen |= w.mm[j] == mms[i] && w.va[j] == vas[i];
		assert_true(seen);
	}
}

/*
 * Fork three deep: one family for the region in all four processes, one
 * map count per process on each page, no heap object per page; the
 * family goes with its last region.
 */
static void test_family_fork_chain(void **state)
{
	(void)state;
	uint32_t families0 = rmap_families(), items0 = rmap_items();
	struct mm *mm[4];
	mm[0] = mm_fixture_new();
	map(mm[0], BASE, P(8), 0);
	fill(mm[0], BASE, 8, 1);
	assert_int_equal(rmap_families(), families0 + 1);
	uint32_t heap0 = mm_fixture_heap_objects();
	for (int i = 1; i < 4; i++)
		assert_int_equal(mm_fork(mm[i - 1], &mm[i]), 0);
	/* Per child: an mm, its region; the reverse map adds nothing. */
	uint32_t per_child = (mm_fixture_heap_objects() - heap0) / 3;
	assert_int_equal(mm_fixture_heap_objects() - heap0, 3 * per_child);
	assert_true(per_child <= 2);
	assert_int_equal(rmap_families(), families0 + 1);
	assert_int_equal(rmap_items(), items0);
	struct anon_family *f = mm_find_vma(mm[0], BASE)->family;
	assert_non_null(f);
	assert_int_equal(f->refcount, 4);
	assert_int_equal(family_regions(f), 4);
	vaddr_t vas[4] = { BASE + P(3), BASE + P(3), BASE + P(3), BASE + P(3) };
	for (int i = 0; i < 4; i++) {
		assert_ptr_equal(mm_find_vma(mm[i], BASE)->family, f);
		expect(mm[i], BASE, 8, 1);
	}
	expect_mapped_by(frame_at(mm[0], BASE + P(3)), mm, vas, 4);
	check_all(mm, 4);
	/* The middle one goes: the others keep the family and the pages. */
	struct page *pg = frame_at(mm[0], BASE + P(3));
	mm_fixture_destroy(mm[1]);
	assert_int_equal(f->refcount, 3);
	struct mm *left[3] = { mm[0], mm[2], mm[3] };
	expect_mapped_by(pg, left, vas, 3);
	mm_fixture_destroy(mm[0]);
	mm_fixture_destroy(mm[3]);
	assert_int_equal(rmap_families(), families0 + 1);
	expect(mm[2], BASE, 8, 1);
	mm_fixture_destroy(mm[2]);
	assert_int_equal(rmap_families(), families0);
	expect_all_back();
}

/*
 * Copy-on-write in the grandchildren: each copy stays in the family at
 * the page's index, the original loses one mapping per copy, and every
 * process reads its own data.
 */
static void test_family_cow_grandchildren(void **state)
{
	(void)state;
	struct mm *mm[4]; /* parent, child, two grandchildren */
	mm[0] = mm_fixture_new();
	map(mm[0], BASE, P(4), 0);
	fill(mm[0], BASE, 4, 1);
	assert_int_equal(mm_fork(mm[0], &mm[1]), 0);
	assert_int_equal(mm_fork(mm[1], &mm[2]), 0);
	assert_int_equal(mm_fork(mm[1], &mm[3]), 0);
	struct page *orig = frame_at(mm[0], BASE + P(2));
	struct anon_family *f = orig->user.anon.family;
	uint32_t idx = orig->user.anon.index;

	assert_true(mm_poke(mm[2], BASE + P(2), 0x2222));
	struct page *c2 = frame_at(mm[2], BASE + P(2));
	assert_ptr_not_equal(c2, orig);
	assert_ptr_equal(c2->user.anon.family, f);
	assert_int_equal(c2->user.anon.index, idx);
	expect_mapped_by(c2, &mm[2], (vaddr_t[]){ BASE + P(2) }, 1);
	vaddr_t vas[3] = { BASE + P(2), BASE + P(2), BASE + P(2) };
	struct mm *others[3] = { mm[0], mm[1], mm[3] };
	expect_mapped_by(orig, others, vas, 3);

	assert_true(mm_poke(mm[3], BASE + P(2), 0x3333));
	expect_mapped_by(orig, others, vas, 2);
	/* The child's write copies; the parent's then reuses the frame. */
	assert_true(mm_poke(mm[1], BASE + P(2), 0x1111));
	expect_mapped_by(orig, mm, vas, 1);
	assert_true(mm_poke(mm[0], BASE + P(2), 0x0000));
	assert_ptr_equal(frame_at(mm[0], BASE + P(2)), orig);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(mm_peek(mm[i], BASE + P(2)), 0x1111u * i);
		expect(mm[i], BASE, 2, 1);
		expect(mm[i], BASE + P(3), 1, 1);
	}
	check_all(mm, 4);
	for (int i = 3; i >= 0; i--)
		mm_fixture_destroy(mm[i]);
	expect_all_back();
}

/*
 * A page shared by a parent and two children goes to swap: all three
 * PTEs become the same swap entry, and reads bring back one frame that
 * all three map again.
 */
static void test_family_evict_shared(void **state)
{
	(void)state;
	struct mm *mm[3];
	mm[0] = mm_fixture_new();
	map(mm[0], BASE, P(4), 0);
	fill(mm[0], BASE, 4, 1);
	assert_int_equal(mm_fork(mm[0], &mm[1]), 0);
	assert_int_equal(mm_fork(mm[0], &mm[2]), 0);
	assert_int_equal(evict_all(), 4);
	for (uint32_t p = 0; p < 4; p++) {
		pte_t pte = mm_pte(mm[0], BASE + P(p));
		assert_true(pte_is_swap(pte));
		assert_int_equal(swap_slot_refs(pte_swap_slot(pte)), 3);
		for (int i = 1; i < 3; i++)
			assert_int_equal(mm_pte(mm[i], BASE + P(p)), pte);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mm[i]->rss, 0);
		assert_int_equal(mm[i]->swap_pages, 4);
	}
	check_all(mm, 3);
	for (int i = 2; i >= 0; i--)
		expect(mm[i], BASE, 4, 1);
	vaddr_t vas[3] = { BASE + P(1), BASE + P(1), BASE + P(1) };
	struct page *pg = frame_at(mm[0], BASE + P(1));
	for (int i = 1; i < 3; i++)
		assert_ptr_equal(frame_at(mm[i], BASE + P(1)), pg);
	expect_mapped_by(pg, mm, vas, 3);
	check_all(mm, 3);
	for (int i = 0; i < 3; i++)
		mm_fixture_destroy(mm[i]);
	expect_all_back();
}

/*
 * The child moves part of a forked region with mremap: the moved region
 * stays in the family with its delta changed, the pages keep their
 * indices, and eviction finds the PTEs at the new addresses.
 */
static void test_family_mremap_then_evict(void **state)
{
	(void)state;
	struct mm *mm[2];
	const vaddr_t to = BASE + P(64);
	mm[0] = mm_fixture_new();
	map(mm[0], BASE, P(8), 0);
	fill(mm[0], BASE, 8, 1);
	assert_int_equal(mm_fork(mm[0], &mm[1]), 0);
	struct page *pg = frame_at(mm[0], BASE + P(3));
	vaddr_t out;
	assert_int_equal(mm_remap(mm[1], BASE + P(2), P(4), P(4),
				  1u | 2u /* MAYMOVE | FIXED */, to, &out),
			 0);
	assert_int_equal(out, to);
	struct vma *moved = mm_find_vma(mm[1], to);
	assert_ptr_equal(moved->family, pg->user.anon.family);
	assert_int_equal((to >> PAGE_SHIFT) + moved->anon_delta,
			 pg->user.anon.index - 1);
	expect_mapped_by(pg, mm, (vaddr_t[]){ BASE + P(3), to + P(1) }, 2);
	assert_int_equal(mm_nr_vmas(mm[1]), 3);
	check_all(mm, 2);

	assert_int_equal(evict_all(), 8);
	pte_t pte = mm_pte(mm[0], BASE + P(3));
	assert_true(pte_is_swap(pte));
	assert_int_equal(mm_pte(mm[1], to + P(1)), pte);
	assert_int_equal(swap_slot_refs(pte_swap_slot(pte)), 2);
	check_all(mm, 2);
	expect_moved(mm[1], to, BASE + P(2), 4, 1);
	expect(mm[1], BASE, 2, 1);
	expect(mm[0], BASE, 8, 1);
	pg = frame_at(mm[0], BASE + P(3));
	expect_mapped_by(pg, mm, (vaddr_t[]){ BASE + P(3), to + P(1) }, 2);
	/* Moved back, the pieces are one region again. */
	assert_int_equal(mm_remap(mm[1], to, P(4), P(4), 1u | 2u,
				  BASE + P(2), &out),
			 0);
	assert_int_equal(mm_nr_vmas(mm[1]), 1);
	expect(mm[1], BASE, 8, 1);
	check_all(mm, 2);
	mm_fixture_destroy(mm[1]);
	mm_fixture_destroy(mm[0]);
	expect_all_back();
}

/*
 * mprotect splits a forked region in three: the pieces stay in the
 * family, eviction reaches every piece, and the pieces merge back.
 */
static void test_family_split_then_evict(void **state)
{
	(void)state;
	struct mm *mm[2];
	mm[0] = mm_fixture_new();
	map(mm[0], BASE, P(8), 0);
	fill(mm[0], BASE, 8, 1);
	assert_int_equal(mm_fork(mm[0], &mm[1]), 0);
	struct anon_family *f = mm_find_vma(mm[0], BASE)->family;
	assert_int_equal(mm_protect(mm[1], BASE + P(2), P(3), MM_PROT_READ),
			 0);
	assert_int_equal(mm_nr_vmas(mm[1]), 3);
	assert_int_equal(f->refcount, 4);
	assert_int_equal(family_regions(f), 4);
	check_all(mm, 2);
	assert_int_equal(evict_all(), 8);
	for (uint32_t p = 0; p < 8; p++) {
		pte_t pte = mm_pte(mm[0], BASE + P(p));
		assert_true(pte_is_swap(pte));
		assert_int_equal(mm_pte(mm[1], BASE + P(p)), pte);
	}
	check_all(mm, 2);
	expect(mm[1], BASE, 8, 1);
	expect_mapped_by(frame_at(mm[1], BASE + P(3)), &mm[1],
			 (vaddr_t[]){ BASE + P(3) }, 1);
	/* Only the child read its pages back: the parent's are in swap. */
	assert_true(pte_is_swap(mm_pte(mm[0], BASE + P(3))));
	expect(mm[0], BASE, 8, 1);
	expect_mapped_by(frame_at(mm[1], BASE + P(3)), mm,
			 (vaddr_t[]){ BASE + P(3), BASE + P(3) }, 2);
	assert_int_equal(mm_protect(mm[1], BASE + P(2), P(3), RW), 0);
	assert_int_equal(mm_nr_vmas(mm[1]), 1);
	assert_int_equal(f->refcount, 2);
	check_all(mm, 2);
	mm_fixture_destroy(mm[0]);
	mm_fixture_destroy(mm[1]);
	expect_all_back();
}

/*
 * Regions of two families never merge: their pages could not say which
 * family they belong to. Regions that never had a page merge with
 * anything.
 */
static void test_family_no_merge_across(void **state)
{
	(void)state;
	uint32_t families0 = rmap_families();
	struct mm *mm = mm_fixture_new();
	map(mm, BASE, P(2), 0);
	map(mm, BASE + P(2), P(2), 0);
	assert_int_equal(mm_nr_vmas(mm), 1); /* merged while empty */
	assert_int_equal(mm_unmap(mm, BASE + P(2), P(2)), 0);
	fill(mm, BASE, 2, 1);
	map(mm, BASE + P(2), P(2), 0);
	assert_int_equal(mm_nr_vmas(mm), 1); /* the empty one joins */
	assert_int_equal(mm_unmap(mm, BASE + P(2), P(2)), 0);
	vaddr_t a;
	assert_int_equal(mm_map(mm, BASE + P(2), P(2), MM_PROT_READ,
				MM_MAP_FIXED, VMA_ANON, NULL, &a),
			 0);
	/* Read while apart: a zero page, and a family of its own. */
	assert_int_equal(mm_peek(mm, BASE + P(2)), 0);
	assert_int_equal(mm_protect(mm, BASE + P(2), P(2), RW), 0);
	assert_int_equal(mm_nr_vmas(mm), 2);
	assert_ptr_not_equal(mm_find_vma(mm, BASE)->family,
			     mm_find_vma(mm, BASE + P(2))->family);
	fill(mm, BASE + P(2), 2, 1);
	expect(mm, BASE, 4, 1);
	assert_int_equal(rmap_families(), families0 + 2);
	assert_int_equal(mm_check(mm), 0);
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * swapoff brings pages shared by a parent and a child back as one frame
 * each, mapped by both through the family.
 */
static void test_family_swapoff_shared(void **state)
{
	(void)state;
	struct mm *mm[2];
	mm[0] = mm_fixture_new();
	map(mm[0], BASE, P(6), 0);
	fill(mm[0], BASE, 6, 1);
	assert_int_equal(mm_fork(mm[0], &mm[1]), 0);
	assert_int_equal(evict_all(), 6);
	swap_drain_begin(&disk.dev);
	for (int i = 0; i < 2; i++)
		assert_int_equal(swapoff_unuse_mm(mm[i]), 0);
	swapoff_drop_cache();
	assert_int_equal(swap_drain_finish(), 0); /* no slot in use */
	assert_false(swap_enabled());
	assert_int_equal(swap_init(&disk.dev), 0); /* for what follows */
	for (uint32_t p = 0; p < 6; p++) {
		struct page *pg = frame_at(mm[0], BASE + P(p));
		assert_ptr_equal(frame_at(mm[1], BASE + P(p)), pg);
		assert_int_equal(pg->user.slot, 0); /* out of the swap cache */
		expect_mapped_by(pg, mm,
				 (vaddr_t[]){ BASE + P(p), BASE + P(p) }, 2);
	}
	check_all(mm, 2);
	expect(mm[1], BASE, 6, 1);
	fill(mm[1], BASE, 6, 2);
	expect(mm[0], BASE, 6, 1);
	check_all(mm, 2);
	mm_fixture_destroy(mm[0]);
	mm_fixture_destroy(mm[1]);
	expect_all_back();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_evict_and_read_back, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_evict_and_swap_in, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_swap_in, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_fork_shared_slot, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_fork_of_swap_entries, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_shared_memory, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_unmap_frees_slots, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_error, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_swap_full, boot, teardown),
		cmocka_unit_test_setup_teardown(test_futile_reclaim_backs_off,
						boot, teardown),
		cmocka_unit_test_setup_teardown(test_accessed_bits, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_local_replacement, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_local_replacement_progress,
						boot, teardown),
		cmocka_unit_test_setup_teardown(test_policy_switch, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_family_fork_chain, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_family_cow_grandchildren,
						boot, teardown),
		cmocka_unit_test_setup_teardown(test_family_evict_shared, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_family_mremap_then_evict,
						boot, teardown),
		cmocka_unit_test_setup_teardown(test_family_split_then_evict,
						boot, teardown),
		cmocka_unit_test_setup_teardown(test_family_no_merge_across,
						boot, teardown),
		cmocka_unit_test_setup_teardown(test_family_swapoff_shared,
						boot, teardown),
		cmocka_unit_test_setup_teardown(test_refault_hook, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_random, boot, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
