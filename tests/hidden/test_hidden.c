/*
 * tests/hidden/test_hidden.c - graders' tests the student trees do not
 * have (tools/mklab leaves tests/hidden/ out; `make grade HIDDEN=1` in the
 * instructor's tree builds and runs them). Each is a variation of a
 * visible test that a solution tuned to the visible tests may miss.
 *
 *   lab 1: blocks of random orders freed in a random order all merge back;
 *   lab 4: a three-generation fork where every generation writes;
 *   lab 3: a demand-zero page under a read-only region reads zero.
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
#include "tests/host/mm_fixture.h"
#include "tests/host/shim/host_shim.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define RO MM_PROT_READ
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x40000000u
#define MIB (1024ull * 1024)
#define MAX_BLOCKS 4096

static uint32_t rng = 12345;

static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Lab 1: random orders, freed in a shuffled order, merge back fully. */
static void test_hidden_buddy_shuffled_frees(void **state)
{
	(void)state;
	static struct page *blocks[MAX_BLOCKS];
	static unsigned int orders[MAX_BLOCKS];
	struct pmm_stats before, after;
	unsigned int n = 0;

	assert_int_equal(host_boot_qemu(32 * MIB, false), 0);
	pmm_drain_cache();
	pmm_get_stats(&before);
	while (n < MAX_BLOCKS) {
		unsigned int order = next_random() % 6;
		struct page *pg = alloc_pages(order, GFP_KERNEL);
		if (!pg)
			break;
		blocks[n] = pg;
		orders[n++] = order;
	}
	assert_true(n > 100);
	assert_verified(pmm_verify());
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = next_random() % (i + 1);
		struct page *b = blocks[i];
		unsigned int o = orders[i];
		blocks[i] = blocks[j];
		orders[i] = orders[j];
		blocks[j] = b;
		orders[j] = o;
	}
	for (unsigned int i = 0; i < n; i++)
		free_pages(blocks[i], orders[i]);
	pmm_drain_cache();
	assert_verified(pmm_verify());
	pmm_get_stats(&after);
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		if (after.nr_free[o] != before.nr_free[o])
			fail_msg(
				"after every block came back, order %u has %u "
				"free blocks, %u at the start (not all merged)",
				o, after.nr_free[o], before.nr_free[o]);
}

/* Lab 4: parent, child and grandchild each write; each sees its own. */
static void test_hidden_cow_three_generations(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child, *grandchild;
	mm_fixture_map(parent, BASE, P(2), RW, 0);
	assert_true(mm_poke(parent, BASE, 1));
	assert_true(mm_poke(parent, BASE + P(1), 10));
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_int_equal(mm_fork(child, &grandchild), 0);
	assert_true(mm_poke(grandchild, BASE, 3));
	assert_true(mm_poke(child, BASE, 2));
	assert_int_equal(mm_peek(parent, BASE), 1);
	assert_int_equal(mm_peek(child, BASE), 2);
	assert_int_equal(mm_peek(grandchild, BASE), 3);
	/* Page 1 is written by nobody but the parent, after both forks. */
	assert_true(mm_poke(parent, BASE + P(1), 11));
	assert_int_equal(mm_peek(child, BASE + P(1)), 10);
	assert_int_equal(mm_peek(grandchild, BASE + P(1)), 10);
	mm_fixture_destroy(grandchild);
	mm_fixture_destroy(child);
	/* Alone again: a write reuses the frame, no copy. */
	struct vm_events e0 = vm_events;
	assert_true(mm_poke(parent, BASE, 5));
	assert_int_equal(vm_events.cow_copies, e0.cow_copies);
	mm_fixture_destroy(parent);
}

/* Lab 3: a read-only anonymous region reads zeros, mapped read-only. */
static void test_hidden_zero_read_only(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(3), RO, 0);
	for (unsigned int p = 0; p < 3; p++) {
		assert_int_equal(mm_peek(mm, BASE + P(p) + 4 * p), 0);
		assert_false(mm_pte(mm, BASE + P(p)) & PTE_W);
	}
	assert_int_equal(mm->rss, 3);
	mm_fixture_destroy(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hidden_buddy_shuffled_frees),
		cmocka_unit_test_setup(test_hidden_cow_three_generations,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_hidden_zero_read_only,
				       mm_fixture_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
