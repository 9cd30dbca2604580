/*
 * tests/host/test_ramdisk_plan.c - where the swap RAM-disk is placed
 * (drivers/ramdisk_plan.c) on made-up and QEMU-like memory maps: the top
 * of lowmem, the kernel image and modules avoided, firmware ranges inside
 * usable RAM respected, mem= honoured (the disk comes on top of it),
 * shrinking and refusing with a message when RAM is short.
 *
 * ramdisk_plan() is the one part of the RAM-disk driver that runs before
 * any memory management, and it includes nothing from kernel/, so its
 * source is compiled right into this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/ramdisk_plan.c"
#include "tests/host/shim/host_shim.h"

#define MiB (1ull << 20)
#define RESERVED 2

/* The map QEMU's BIOS gives a PC with ram bytes of RAM (below 3.5 GiB). */
static size_t qemu_map(uint64_t ram, struct mem_range *map)
{
	size_t n = 0;
	map[n++] = (struct mem_range){ 0, 0x9FC00, MEM_RANGE_USABLE };
	map[n++] = (struct mem_range){ 0x9FC00, 0x400, RESERVED };
	map[n++] = (struct mem_range){ 0xF0000, 0x10000, RESERVED };
	map[n++] = (struct mem_range){ 0x100000, ram - 0x20000 - 0x100000,
				       MEM_RANGE_USABLE };
	map[n++] = (struct mem_range){ ram - 0x20000, 0x20000, RESERVED };
	map[n++] = (struct mem_range){ 0xFFFC0000, 0x40000, RESERVED };
	return n;
}

/* The kernel image and one module, where QEMU puts them. */
static const struct mem_range boot_avoid[] = {
	{ 0x100000, 0x60000, 0 },
	{ 0x173000, 0x22B800, 1 },
};
#define NAVOID (sizeof(boot_avoid) / sizeof(boot_avoid[0]))

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* What every plan must satisfy, whatever it chose. */
static void check_sane(const struct mem_range *map, size_t n,
		       const struct mem_range *avoid, size_t navoid,
		       const struct mem_range *out)
{
	assert_int_equal(out->type, PMM_RESERVE_FIXED);
	assert_int_equal(out->base % PAGE_SIZE, 0);
	assert_int_equal(out->size % PAGE_SIZE, 0);
	assert_true(out->size >= RAMDISK_MIN_SIZE);
	assert_true(out->base >= 0x100000);
	assert_true(out->base + out->size <= (1ull << 32));
	bool inside = false;
	for (size_t i = 0; i < n; i++) {
		if (map[i].type != MEM_RANGE_USABLE) {
			assert_false(overlaps(out->base, out->size, map[i].base,
					      map[i].size));
		} else if (out->base >= map[i].base &&
			   out->base + out->size <= map[i].base + map[i].size) {
			inside = true;
		}
	}
	assert_true(inside);
	for (size_t i = 0; i < navoid; i++)
		assert_false(overlaps(out->base, out->size, avoid[i].base,
				      avoid[i].size));
}

static int setup(void **state)
{
	(void)state;
	host_log_clear();
	return 0;
}

/* 128 MiB, no mem=: the top 16 MiB of RAM. */
static void test_top_of_ram(void **state)
{
	(void)state;
	struct mem_range map[8], out;
	size_t n = qemu_map(128 * MiB, map);
	assert_int_equal(
		ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB, 0, &out), 0);
	assert_int_equal(out.base, 0x7FE0000 - 16 * MiB);
	assert_int_equal(out.size, 16 * MiB);
	check_sane(map, n, boot_avoid, NAVOID, &out);
	assert_int_equal(host_log_len, 0); /* nothing to report */

	/* A size that is not a page multiple is rounded down. */
	assert_int_equal(ramdisk_plan(map, n, boot_avoid, NAVOID, MiB + 1000, 0,
				      &out),
			 0);
	assert_int_equal(out.size, MiB);
	assert_int_equal(out.base, 0x7FE0000 - MiB);
}

/*
 * 3 GiB: the disk is at the top of RAM, in highmem (it is read through
 * temporary mappings), leaving lowmem to the kernel.
 */
static void test_highmem_top(void **state)
{
	(void)state;
	struct mem_range map[8], out;
	size_t n = qemu_map(3072 * MiB, map);
	assert_int_equal(
		ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB, 0, &out), 0);
	assert_int_equal(out.base + out.size, 3072 * MiB - 0x20000);
	assert_true(out.base >= LOWMEM_LIMIT);
	/* With mem=48M a 1 GiB disk fits above it, across the limit. */
	assert_int_equal(ramdisk_plan(map, n, boot_avoid, NAVOID, 1024 * MiB,
				      48 * MiB, &out),
			 0);
	assert_int_equal(out.size, 1024 * MiB);
	assert_true(out.base >= 48 * MiB);
	check_sane(map, n, boot_avoid, NAVOID, &out);
	assert_int_equal(
		ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB, 0, &out), 0);
	check_sane(map, n, boot_avoid, NAVOID, &out);
}

/* Small machines: shrunk to leave the system its RAM, or none at all. */
static void test_small_machines(void **state)
{
	(void)state;
	struct mem_range map[8], out;
	size_t n = qemu_map(8 * MiB, map);
	assert_int_equal(ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB, 0,
				      &out),
			 -ENOMEM);
	assert_non_null(strstr(host_log, "too little RAM for a swap "
					 "RAM-disk"));
	assert_non_null(strstr(host_log, "running without swap"));

	host_log_clear();
	n = qemu_map(24 * MiB, map);
	assert_int_equal(
		ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB, 0, &out), 0);
	/* Usable: 0x9F000 below 1 MiB plus 1 MiB .. 24 MiB - 128 KiB. */
	uint64_t usable = 0x9F000 + (24 * MiB - 0x20000 - 0x100000);
	assert_int_equal(out.size, usable - RAMDISK_KEEP_RAM);
	assert_int_equal(out.base + out.size, 24 * MiB - 0x20000);
	assert_non_null(strstr(host_log, "shrunk from 16384 to"));
	check_sane(map, n, boot_avoid, NAVOID, &out);

	/* Too small a request is refused outright. */
	host_log_clear();
	assert_int_equal(ramdisk_plan(map, n, boot_avoid, NAVOID, 4096, 0,
				      &out),
			 -EINVAL);
	assert_non_null(strstr(host_log, "smaller than the smallest"));
}

/* mem= keeps its RAM; the disk comes from above it. */
static void test_mem_cap(void **state)
{
	(void)state;
	struct mem_range map[8], out;
	size_t n = qemu_map(100 * MiB, map);
	assert_int_equal(ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB,
				      64 * MiB, &out),
			 0);
	/* mem= keeps 64 MiB of usable RAM: 0x9F000 below 1 MiB, the rest
	 * from 1 MiB on. */
	uint64_t boundary = 0x100000 + 64 * MiB - 0x9F000;
	assert_true(out.base >= boundary);
	assert_int_equal(out.base + out.size, 100 * MiB - 0x20000);
	assert_int_equal(out.size, 16 * MiB);
	check_sane(map, n, boot_avoid, NAVOID, &out);

	/* Less room above the cap than asked: shrunk to what is there. */
	host_log_clear();
	n = qemu_map(72 * MiB, map);
	assert_int_equal(ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB,
				      64 * MiB, &out),
			 0);
	assert_int_equal(out.base, boundary);
	assert_int_equal(out.size, 72 * MiB - 0x20000 - boundary);
	assert_non_null(strstr(host_log, "above mem=65536K; swap RAM-disk "
					 "shrunk from 16384 KiB"));

	/* No room at all above the cap. */
	host_log_clear();
	n = qemu_map(64 * MiB, map);
	assert_int_equal(ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB,
				      64 * MiB, &out),
			 -ENOMEM);
	assert_non_null(strstr(host_log, "no room above mem=65536K"));
}

/* Modules, firmware holes and odd ends are kept out of the disk. */
static void test_obstacles(void **state)
{
	(void)state;
	struct mem_range map[10], out;
	size_t n = qemu_map(128 * MiB, map);

	/* A module at the very top (GRUB may load it there). */
	struct mem_range avoid[3] = { boot_avoid[0],
				      boot_avoid[1],
				      { 0x7F00000, 0xE0000, 1 } };
	assert_int_equal(ramdisk_plan(map, n, avoid, 3, 16 * MiB, 0, &out), 0);
	assert_int_equal(out.base + out.size, 0x7F00000);
	check_sane(map, n, avoid, 3, &out);

	/* A firmware range inside usable RAM: the free top is too small. */
	map[n++] = (struct mem_range){ 120 * MiB + 100, MiB, RESERVED };
	assert_int_equal(
		ramdisk_plan(map, n, boot_avoid, NAVOID, 16 * MiB, 0, &out), 0);
	assert_int_equal(out.base + out.size, 120 * MiB);
	check_sane(map, n, boot_avoid, NAVOID, &out);

	/* Usable ends that are not page aligned are shrunk inward. */
	struct mem_range odd[2] = {
		{ 0x100000, 64 * MiB + 0x800 - 0x100000, MEM_RANGE_USABLE },
		{ 0, 0x9F000, MEM_RANGE_USABLE },
	};
	assert_int_equal(ramdisk_plan(odd, 2, NULL, 0, 16 * MiB, 0, &out), 0);
	assert_int_equal(out.base + out.size, 64 * MiB);

	/* Only pieces smaller than asked: the largest, shrunk. */
	host_log_clear();
	struct mem_range pieces[4] = {
		{ 0x100000, 63 * MiB, MEM_RANGE_USABLE },
		{ 10 * MiB, 0x1000, RESERVED },
		{ 20 * MiB, 0x1000, RESERVED },
		{ 40 * MiB, 0x1000, RESERVED },
	};
	assert_int_equal(ramdisk_plan(pieces, 4, NULL, 0, 32 * MiB, 0, &out),
			 0);
	assert_int_equal(out.base, 40 * MiB + 0x1000);
	assert_int_equal(out.size, 24 * MiB - 0x1000);
	assert_non_null(strstr(host_log, "the largest free range"));
	check_sane(pieces, 4, NULL, 0, &out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_top_of_ram, setup),
		cmocka_unit_test_setup(test_highmem_top, setup),
		cmocka_unit_test_setup(test_small_machines, setup),
		cmocka_unit_test_setup(test_mem_cap, setup),
		cmocka_unit_test_setup(test_obstacles, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
