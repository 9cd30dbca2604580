/*
 * tests/host/test_highmem.c - the highmem zone and the kmap slots
 * (mm/highmem.c) against the fake RAM and the model MMU.
 *
 * A 128 MiB machine with lowmem= 32 MiB: the zone gets every free frame
 * above the limit, GFP_HIGHUSER takes from it first and falls back to
 * lowmem when it is empty, frees go back to it, and its checker finds a
 * corrupted list. The slots: a highmem frame gets the next kmap PTE (the
 * frame's address, present, writable), its release clears the PTE and
 * invalidates the one TLB entry, releases out of order panic, and the
 * pointer reaches the frame's bytes (the host's fake RAM stands for the
 * mapping). Every test puts the lowmem limit back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/highmem.h"
#include "mm/internal.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "tests/host/shim/host_shim.h"
#include "tests/host/shim/mm_machine.h"
#include "tests/host/shim/port_host.h"

#define MIB (1024ull * 1024)

static struct pmm_stats stats(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st;
}

/* Boots 128 MiB with the direct map capped at 32 MiB, paging on. */
static int setup(void **state)
{
	(void)state;
	assert_int_equal(highmem_set_lowmem_limit(32 * MIB), 32 * MIB);
	assert_int_equal(host_boot_qemu(128 * MIB, true), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	highmem_set_lowmem_limit(0);
	return 0;
}

/* lowmem= is rounded down to 4 MiB and kept between 16 and 768 MiB. */
static void test_limit_bounds(void **state)
{
	(void)state;
	assert_int_equal(highmem_set_lowmem_limit(35 * MIB), 32 * MIB);
	assert_int_equal(highmem_set_lowmem_limit(1 * MIB), 16 * MIB);
	assert_int_equal(highmem_set_lowmem_limit(2048 * MIB), LOWMEM_LIMIT);
	assert_int_equal(highmem_set_lowmem_limit(0), LOWMEM_LIMIT);
	highmem_set_lowmem_limit(32 * MIB);
}

/* The zone holds the free frames above the limit; counters add up. */
static void test_zone_filled(void **state)
{
	(void)state;
	struct pmm_stats st = stats();
	uint32_t high = (uint32_t)((128 * MIB - 0x20000 - 32 * MIB) >> 12);
	assert_int_equal(st.highmem_pages, high);
	assert_int_equal(st.highmem_managed_pages, high);
	assert_int_equal(st.highmem_free_pages, high);
	assert_int_equal(st.lowmem_limit_pages, (32 * MIB) >> 12);
	assert_int_equal(st.managed_pages + st.reserved_pages, st.total_pages);
	assert_int_equal(st.free_pages + st.kernel_pages + st.user_pages +
				 st.pgtable_pages,
			 st.managed_pages);
	assert_int_equal(phys_to_page(32 * MIB)->flags, PG_HIGHMEM | PG_BUDDY);
	/* The direct map ends at the limit. */
	paddr_t pa;
	assert_int_equal(vm_translate(&kernel_space,
				      KERNEL_VMA + 32 * MIB - PAGE_SIZE, &pa,
				      NULL),
			 0);
	assert_int_not_equal(vm_translate(&kernel_space, KERNEL_VMA + 32 * MIB,
					  &pa, NULL),
			     0);
	assert_verified(pmm_verify());
}

/* GFP_HIGHUSER: highmem while it lasts, then lowmem; all comes back. */
static void test_highuser_falls_back(void **state)
{
	(void)state;
	struct pmm_stats st = stats();
	uint32_t n = st.highmem_free_pages + 10, low = 0;
	struct page **pages = calloc(n, sizeof(*pages));
	assert_non_null(pages);
	for (uint32_t i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		assert_non_null(pages[i]);
		bool high = page_to_phys(pages[i]) >= 32 * MIB;
		assert_int_equal(high, i < st.highmem_free_pages);
		assert_int_equal(!!(pages[i]->flags & PG_HIGHMEM), high);
		low += !high;
	}
	assert_int_equal(low, 10);
	assert_int_equal(stats().highmem_free_pages, 0);
	assert_int_equal(stats().user_pages, st.user_pages + n);
	assert_verified(pmm_verify());
	for (uint32_t i = 0; i < n; i++)
		put_page(pages[i]);
	free(pages);
	assert_int_equal(stats().free_pages, st.free_pages);
	assert_int_equal(stats().highmem_free_pages, st.highmem_free_pages);
	assert_verified(pmm_verify());
	/* A kernel page never comes from highmem, GFP_ZERO zeroes there. */
	struct page *k = alloc_page(GFP_KERNEL | GFP_HIGHMEM);
	assert_true(page_to_phys(k) >= 32 * MIB);
	assert_int_equal(k->flags, PG_HIGHMEM | PG_HEAD | PG_KERNEL);
	memset(host_ram + page_to_phys(k), 0xAB, PAGE_SIZE);
	put_page(k);
	k = alloc_page(GFP_KERNEL | GFP_HIGHMEM | GFP_ZERO);
	uint8_t *b = host_ram + page_to_phys(k);
	for (uint32_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(b[i], 0);
	put_page(k);
}

/* Double frees and a corrupted free list are caught. */
static void test_misuse_caught(void **state)
{
	(void)state;
	struct page *p = alloc_page(GFP_HIGHUSER);
	put_page(p);
	assert_true(HOST_EXPECT_PANIC(highmem_free_frame(p)));
	assert_non_null(strstr(host_panic_message, "double free"));
	struct page *q = phys_to_page(64 * MIB);
	uint32_t flags = q->flags;
	q->flags = PG_HIGHMEM | PG_HEAD; /* on the free list, yet allocated */
	host_log_clear();
	assert_int_equal(highmem_verify(), -EINVAL);
	assert_non_null(strstr(host_log, "on the free list has flags"));
	q->flags = flags;
	assert_verified(highmem_verify());
}

/* The kmap PTE of a slot, via the kernel's page tables. */
static pte_t slot_pte(unsigned int slot)
{
	pte_t *p = vm_pte_lookup(&kernel_space, KMAP_BASE + slot * PAGE_SIZE);
	return p ? *p : 0;
}

/* Slots: the frame's PTE while held, cleared and flushed after. */
static void test_kmap_slots(void **state)
{
	(void)state;
	struct page *a = alloc_page(GFP_HIGHUSER);
	struct page *b = alloc_page(GFP_HIGHUSER);
	struct page *l = alloc_page(GFP_USER);
	assert_true(page_to_phys(a) >= 32 * MIB && page_to_phys(l) < 32 * MIB);

	/* Lowmem: the direct map, no slot. */
	assert_ptr_equal(kmap_atomic(l), page_address(l));
	assert_int_equal(kmap_depth(), 0);
	kunmap_atomic(page_address(l));

	unsigned long flushes = host_port_counts.flush_page;
	uint8_t *pa = kmap_atomic(a);
	assert_int_equal(kmap_depth(), 1);
	assert_int_equal(slot_pte(0), pte_make(page_to_phys(a), PTE_P | PTE_W));
	assert_ptr_equal(pa, host_ram + page_to_phys(a));
	uint8_t *pb = kmap_atomic(b);
	assert_int_equal(slot_pte(1), pte_make(page_to_phys(b), PTE_P | PTE_W));
	pa[5] = 0x11;
	pb[5] = 0x22;
	/* Out of order: a is not the most recent mapping. */
	assert_true(HOST_EXPECT_PANIC(kunmap_atomic(pa)));
	assert_non_null(strstr(host_panic_message, "not the most recent"));
	assert_int_equal(kmap_depth(), 2);
	kunmap_atomic(pb);
	assert_int_equal(slot_pte(1), 0);
	kunmap_atomic(pa);
	assert_int_equal(slot_pte(0), 0);
	assert_int_equal(kmap_depth(), 0);
	assert_int_equal(host_port_counts.flush_page, flushes + 2);
	/* The bytes went to the frames. */
	assert_int_equal(host_ram[page_to_phys(a) + 5], 0x11);
	assert_int_equal(host_ram[page_to_phys(b) + 5], 0x22);

	/* Copies and zeroing across the zones. */
	highmem_copy_page(l, a);
	assert_int_equal(((uint8_t *)page_address(l))[5], 0x11);
	highmem_zero_page(a);
	assert_int_equal(host_ram[page_to_phys(a) + 5], 0);
	/* kmap_atomic_phys: any frame, by address, at any offset. */
	uint8_t *pp = kmap_atomic_phys(page_to_phys(b) + 5);
	assert_int_equal(pp[5], 0x22);
	kunmap_atomic(pp + 5);
	assert_int_equal(kmap_depth(), 0);
	put_page(a);
	put_page(b);
	put_page(l);
}

/* Every slot in use: the next mapping panics with the reason. */
static void test_kmap_exhausted(void **state)
{
	(void)state;
	void *p[KMAP_SLOTS];
	struct page *pg = alloc_page(GFP_HIGHUSER);
	for (unsigned int i = 0; i < KMAP_SLOTS; i++)
		p[i] = kmap_atomic(pg);
	assert_true(HOST_EXPECT_PANIC(kmap_atomic(pg)));
	assert_non_null(strstr(host_panic_message, "temporary mapping slots"));
	for (unsigned int i = KMAP_SLOTS; i-- > 0;)
		kunmap_atomic(p[i]);
	assert_int_equal(kmap_depth(), 0);
	put_page(pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_limit_bounds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_zone_filled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_highuser_falls_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse_caught, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kmap_slots, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kmap_exhausted, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
