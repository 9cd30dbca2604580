/*
 * tests/host/test_procswap.c - whole-process swapping (mm/procswap.c) on
 * fake RAM and a fake disk: the cases the real machine cannot easily
 * make. Write errors cutting a swap-out short, read errors on a page table
 * coming back, a swap area too small (nothing moves), shared memory with
 * and without other mappers, swapoff of a swapped-out space, and a random
 * sequence of swap-outs, swap-ins in both modes, forks, writes and exits
 * over a family of processes, checked against a model of their memory.
 * After every test every frame, heap object and swap slot must be back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/blockdev.h"
#include "mm/policy.h"
#include "mm/procswap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/swapoff.h"
#include "mm/vmscan.h"
#include "tests/host/mm_fixture.h"
#include "tests/host/swap_fixture.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
/* Two regions in two page tables. */
#define BASE 0x40000000u
#define BASE2 0x40800000u

/* A disk in malloc'ed memory that can be told to fail. */

/* A machine whose swap area has 40 slots. */
static int boot_small(void **state)
{
	mm_fixture_boot(state);
	setup_swap(41);
	return 0;
}

/* The value of the page at va in generation g. */
static uint32_t pattern(vaddr_t va, uint32_t g)
{
	return 0x9E3779B9u * ((va >> PAGE_SHIFT) + 1) ^ (g << 24) ^ 0xA5A5;
}

static void fill(struct mm *mm, vaddr_t at, uint32_t n, uint32_t g)
{
	for (uint32_t i = 0; i < n; i++) {
		assert_true(mm_poke(mm, at + P(i), pattern(at + P(i), g)));
		assert_true(mm_poke(mm, at + P(i) + PAGE_SIZE - 4,
				    ~pattern(at + P(i), g)));
	}
}

static void expect_at(int line, struct mm *mm, vaddr_t at, uint32_t n,
		      uint32_t g)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t first = mm_peek(mm, at + P(i));
		uint32_t last = mm_peek(mm, at + P(i) + PAGE_SIZE - 4);
		if (first != pattern(at + P(i), g) ||
		    last != ~pattern(at + P(i), g))
			fail_msg("line %d: page %u of %#x holds %#x..%#x, "
				 "expected generation %u",
				 line, i, (unsigned int)at, first, last, g);
	}
}
#define expect(mm, at, n, g) expect_at(__LINE__, mm, at, n, g)

/* Swaps mm out from the kernel's space (its own may not be loaded). */
static int out(struct mm *mm)
{
	vm_space_activate(&kernel_space);
	return mm_swap_out(mm);
}

/* Two regions of 6 and 3 pages, written. */
static struct mm *filled(void)
{
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(6), RW, 0);
	mm_fixture_map(mm, BASE2, P(3), RW, 0);
	fill(mm, BASE, 6, 1);
	fill(mm, BASE2, 3, 1);
	return mm;
}

static void test_out_in_both_modes(void **state)
{
	(void)state;
	struct mm *mm = filled();
	for (int round = 0; round < 4; round++) {
		enum procswap_mode m = round % 2 ? PROCSWAP_DEMAND
						 : PROCSWAP_PREFETCH;
		assert_int_equal(out(mm), 0);
		assert_true(mm->swapped_out);
		assert_int_equal(mm->rss, 0);
		assert_int_equal(mm->space.nr_pgtables, 0);
		assert_int_equal(mm->space.nr_swapped, 2);
		assert_int_equal(mm->swap_pages, 9);
		assert_verified(mm_check(mm));
		assert_int_equal(mm_swap_in(mm, m), 0);
		assert_int_equal(mm->rss, m == PROCSWAP_PREFETCH ? 9 : 0);
		assert_verified(mm_check(mm));
		expect(mm, BASE, 6, round + 1);
		expect(mm, BASE2, 3, round + 1);
		fill(mm, BASE, 6, round + 2);
		fill(mm, BASE2, 3, round + 2);
	}
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * Prefetch reads back what was resident at the swap-out, not the pages
 * paging had sent to swap before: those stay until they are touched.
 */
static void test_prefetch_exact(void **state)
{
	(void)state;
	struct mm *mm = filled();
	for (uint32_t i = 1; i < 6; i += 2) {
		pte_t pte = mm_pte(mm, BASE + P(i));
		assert_true(pte_present(pte));
		assert_int_equal(
			vmscan_evict(phys_to_page(pte_frame(pte)), "test"), 0);
	}
	assert_int_equal(mm->rss, 6);
	assert_int_equal(out(mm), 0);
	assert_int_equal(mm->nr_swapped_resident, 6);
	uint64_t pre0 = procswap_stats.swapin_pages_prefetched;
	assert_int_equal(mm_swap_in(mm, PROCSWAP_PREFETCH), 0);
	assert_null(mm->swapped_resident);
	assert_int_equal(procswap_stats.swapin_pages_prefetched - pre0, 6);
	assert_int_equal(mm->rss, 6);
	assert_int_equal(mm->swap_pages, 3);
	for (uint32_t i = 0; i < 6; i++)
		assert_true(pte_present(mm_pte(mm, BASE + P(i))) == !(i % 2));
	expect(mm, BASE, 6, 1);
	expect(mm, BASE2, 3, 1);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * A child of a parent with locked memory: the parent's pages stay as
 * they are (not even in the swap cache); the child's entries name copies
 * of its own.
 */
static void test_locked_parent(void **state)
{
	(void)state;
	struct mm *parent = filled(), *child;
	assert_int_equal(mm_lock(parent, BASE, P(6), true), 0);
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_int_equal(out(child), 0);
	assert_int_equal(child->rss, 0);
	for (uint32_t i = 0; i < 6; i++) {
		pte_t pte = mm_pte(parent, BASE + P(i));
		assert_true(pte_present(pte));
		assert_int_equal(phys_to_page(pte_frame(pte))->user.slot, 0);
	}
	assert_int_equal(mm_swap_in(child, PROCSWAP_PREFETCH), 0);
	expect(child, BASE, 6, 1);
	expect(child, BASE2, 3, 1);
	fill(child, BASE, 6, 2);
	expect(parent, BASE, 6, 1);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	mm_fixture_destroy(parent);
	expect_all_back();
}

/* A write error stops it half way; nothing is lost, it can go again. */
static void test_write_error(void **state)
{
	(void)state;
	struct mm *mm = filled();
	uint32_t errors0 = (uint32_t)vm_events.swap_write_errors;
	disk.fail_write = 4;
	assert_int_equal(out(mm), -EIO);
	assert_false(mm->swapped_out);
	assert_int_equal(vm_events.swap_write_errors - errors0, 1);
	assert_true(mm->rss > 0 && mm->swap_pages > 0);
	assert_verified(mm_check(mm));
	expect(mm, BASE, 6, 1);
	expect(mm, BASE2, 3, 1);
	disk.fail_write = 0;
	assert_int_equal(out(mm), 0);
	assert_int_equal(mm->rss, 0);
	assert_int_equal(mm_swap_in(mm, PROCSWAP_PREFETCH), 0);
	expect(mm, BASE, 6, 1);
	expect(mm, BASE2, 3, 1);
	mm_fixture_destroy(mm);
	expect_all_back();
}

/* A table read that fails is tried again; a page read error waits. */
static void test_read_errors(void **state)
{
	(void)state;
	struct mm *mm = filled();
	assert_int_equal(out(mm), 0);
	disk.fail_read = 2; /* every other read */
	assert_int_equal(mm_swap_in(mm, PROCSWAP_PREFETCH), 0);
	assert_int_equal(mm->space.nr_swapped, 0);
	/* Pages whose read failed are still in swap; faults bring them. */
	assert_true(mm->swap_pages > 0);
	disk.fail_read = 0;
	expect(mm, BASE, 6, 1);
	expect(mm, BASE2, 3, 1);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

/* A swap area too small for it: ENOSPC, and nothing has moved. */
static void test_no_room(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(40), RW, 0);
	fill(mm, BASE, 40, 1);
	uint32_t slots = swap_free();
	assert_int_equal(out(mm), -ENOSPC);
	assert_int_equal(mm->rss, 40);
	assert_int_equal(swap_free(), slots);
	mm_fixture_destroy(mm);
	expect_all_back();
}

/*
 * Shared memory: a page the parent maps too stays with its object, one
 * only the swapped process maps goes to the object's slot.
 */
static void test_shared_memory(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	vaddr_t a;
	assert_int_equal(mm_map(parent, 0, P(4), RW, MM_MAP_SHARED, VMA_ANON,
				NULL, &a),
			 0);
	fill(parent, a, 2, 1); /* pages 0, 1: the parent maps them */
	assert_int_equal(mm_fork(parent, &child), 0);
	fill(child, a + P(2), 2, 1); /* pages 2, 3: only the child does */
	struct shm_object *s = mm_find_vma(parent, a)->shm;
	assert_int_equal(out(child), 0);
	assert_int_equal(child->rss, 0);
	assert_int_equal(s->swapped, 2);
	assert_int_equal(s->resident, 2);
	assert_int_equal(parent->rss, 2);
	assert_verified(mm_check(parent));
	/* The parent sees the child's pages through the object. */
	expect(parent, a, 4, 1);
	fill(parent, a, 4, 2);
	assert_int_equal(mm_swap_in(child, PROCSWAP_DEMAND), 0);
	expect(child, a, 4, 2);
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	mm_fixture_destroy(parent);
	expect_all_back();
}

/* swapoff brings a swapped-out space's tables, then its pages, back. */
static void test_swapoff(void **state)
{
	(void)state;
	struct mm *mm = filled();
	assert_int_equal(out(mm), 0);
	assert_int_equal(swap_drain_begin(&disk.dev), 0);
	assert_int_equal(swapoff_unuse_mm(mm), 0);
	swapoff_drop_cache();
	assert_int_equal(swap_drain_finish(), 0);
	assert_false(mm->swapped_out);
	assert_int_equal(mm->swap_pages, 0);
	assert_int_equal(swap_init(&disk.dev), 0);
	expect(mm, BASE, 6, 1);
	expect(mm, BASE2, 3, 1);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

/* Reads of a swapped-out space in place, and one that must fall back. */
static void test_swapped_read(void **state)
{
	(void)state;
	struct mm *mm = filled();
	mm_fixture_map(mm, BASE + P(6), P(1), RW, 0); /* never touched */
	assert_int_equal(out(mm), 0);
	uint32_t w[2];
	/* Across into the page never touched: no copy of it to read. */
	assert_int_equal(mm_swapped_read(mm, BASE + P(5) + PAGE_SIZE - 4, w, 8),
			 -EFAULT);
	assert_int_equal(mm_swapped_read(mm, BASE + P(5), w, 4), 0);
	assert_int_equal(w[0], pattern(BASE + P(5), 1));
	assert_int_equal(mm_read(mm, BASE2 + P(2) + PAGE_SIZE - 4, w, 4), 0);
	assert_int_equal(w[0], ~pattern(BASE2 + P(2), 1));
	assert_true(mm->swapped_out); /* nothing came back */
	/* A page never touched: mm_read brings the tables back instead. */
	assert_int_equal(mm_read(mm, BASE + P(6), w, 4), 0);
	assert_int_equal(w[0], 0);
	assert_false(mm->swapped_out);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
	expect_all_back();
}

/* A tiny generator (xorshift), seeded per run. */
static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/*
 * A family of up to 4 processes forking, writing, swapping out whole,
 * swapping in either way, evicting pages and exiting; each page's
 * generation is modelled and checked.
 */
#define R_PROCS 4
#define R_PAGES 8
static void test_random(void **state)
{
	(void)state;
	struct mm *mm[R_PROCS] = { 0 };
	uint32_t gen[R_PROCS][R_PAGES];
	const char *seed = getenv("MM_SEED");
	rng = seed ? (uint32_t)strtoul(seed, NULL, 0) | 1 : 12345;
	uint64_t outs0 = procswap_stats.swapout_process;
	uint64_t ins0 = procswap_stats.swapin_process;
	mm[0] = mm_fixture_new();
	mm_fixture_map(mm[0], BASE, P(R_PAGES), RW, 0);
	for (uint32_t p = 0; p < R_PAGES; p++) {
		gen[0][p] = 1;
		fill(mm[0], BASE + P(p), 1, 1);
	}
	for (int step = 0; step < 400; step++) {
		int i = (int)(next_rand() % R_PROCS);
		uint32_t p = next_rand() % R_PAGES;
		if (!mm[i])
			continue;
		switch (next_rand() % 7) {
		case 0: { /* fork into a free place (brings tables back) */
			for (int j = 0; j < R_PROCS; j++) {
				if (mm[j])
					continue;
				assert_int_equal(mm_fork(mm[i], &mm[j]), 0);
				memcpy(gen[j], gen[i], sizeof(gen[i]));
				break;
			}
			break;
		}
		case 1: /* write */
			gen[i][p]++;
			fill(mm[i], BASE + P(p), 1, gen[i][p]);
			break;
		case 2: /* read */
			expect(mm[i], BASE + P(p), 1, gen[i][p]);
			break;
		case 3: { /* whole swap-out */
			int r = out(mm[i]);
			assert_true(r == 0 || r == -EALREADY || r == -ENOSPC);
			break;
		}
		case 4: /* swap-in in either mode */
			if (mm[i]->swapped_out)
				assert_int_equal(
					mm_swap_in(mm[i],
						   next_rand() % 2
							   ? PROCSWAP_DEMAND
							   : PROCSWAP_PREFETCH),
					0);
			break;
		case 5: { /* paging under pressure */
			struct vmscan_stats st;
			vmscan_get_stats(&st);
			reclaim_pages(st.tracked / 2);
			break;
		}
		default: /* exit (not the last one) */
			if (i != 0) {
				mm_fixture_destroy(mm[i]);
				mm[i] = NULL;
			}
			break;
		}
		for (int j = 0; j < R_PROCS; j++)
			if (mm[j])
				assert_verified(mm_check(mm[j]));
	}
	/* The sequence did what it is for. */
	assert_true(procswap_stats.swapout_process - outs0 >= 10);
	assert_true(procswap_stats.swapin_process - ins0 >= 10);
	for (int j = 0; j < R_PROCS; j++) {
		if (!mm[j])
			continue;
		for (uint32_t p = 0; p < R_PAGES; p++)
			expect(mm[j], BASE + P(p), 1, gen[j][p]);
		mm_fixture_destroy(mm[j]);
	}
	expect_all_back();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_out_in_both_modes, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_prefetch_exact, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_locked_parent, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_error, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_room, boot_small,
						teardown),
		cmocka_unit_test_setup_teardown(test_shared_memory, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_swapoff, boot, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_read, boot,
						teardown),
		cmocka_unit_test_setup_teardown(test_random, boot, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
