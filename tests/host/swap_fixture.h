/*
 * tests/host/swap_fixture.h - a swap area for host tests of paging out:
 * a fully backed disk in malloc'ed memory that can be told to fail every
 * Nth read or write, set up as the machine's one swap area; the free
 * slot count to compare against at the end of a test; and the cmocka
 * setup and teardown around it (boot, teardown, expect_all_back). Header-only, like
 * mm_fixture.h; each test program has its own disk.
 */
#ifndef TESTS_HOST_SWAP_FIXTURE_H
#define TESTS_HOST_SWAP_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "mm/blockdev.h"
#include "mm/policy.h"
#include "mm/swap.h"
#include "mm/vmscan.h"
#include "tests/host/mm_fixture.h"

struct fake_disk {
	struct block_device dev;
	uint8_t *data;
	unsigned int fail_read, fail_write; /* every Nth (0: never) */
	unsigned int nreads, nwrites;
};

static struct fake_disk disk;
/* What every test gets back at its end. */
static struct mm_baseline base;
static uint32_t swap_free0;

static inline int fake_read(struct block_device *dev, uint64_t sector,
			    uint32_t count, void *buf)
{
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	if (disk.fail_read && ++disk.nreads % disk.fail_read == 0)
		return -EIO;
	memcpy(buf, disk.data + sector * dev->sector_size,
	       (size_t)count * dev->sector_size);
	return 0;
}

static inline int fake_write(struct block_device *dev, uint64_t sector,
			     uint32_t count, const void *buf)
{
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	if (disk.fail_write && ++disk.nwrites % disk.fail_write == 0)
		return -EIO;
	memcpy(disk.data + sector * dev->sector_size, buf,
	       (size_t)count * dev->sector_size);
	return 0;
}

static inline uint32_t swap_free(void)
{
	struct swap_stats st;
	swap_get_stats(&st);
	return st.free;
}

/* A fresh swap area of `pages` pages (header included) on the disk. */
static inline void setup_swap(uint32_t pages)
{
	memset(&disk, 0, sizeof(disk));
	disk.data = calloc(pages, PAGE_SIZE);
	assert_non_null(disk.data);
	disk.dev = (struct block_device){
		.name = "fakedisk",
		.sectors = (uint64_t)pages * PAGE_SIZE / BLOCK_SECTOR_SIZE,
		.sector_size = BLOCK_SECTOR_SIZE,
		.read = fake_read,
		.write = fake_write,
	};
	assert_int_equal(swap_init(&disk.dev), 0);
	assert_true(swap_enabled());
	base = mm_fixture_baseline();
	swap_free0 = swap_free();
}

/* cmocka setup: a fresh machine with a swap area of 255 slots. */
static inline int boot(void **state)
{
	mm_fixture_boot(state);
	setup_swap(256);
	return 0;
}

/* Everything back: frames, heap objects, slots; no state left. */
static inline void expect_all_back(void)
{
	disk.fail_read = disk.fail_write = 0;
	vmscan_shrink();
	assert_int_equal(swap_free(), swap_free0);
	assert_verified(vmscan_check_idle());
	assert_true(mm_fixture_same(base));
}

/*
 * cmocka teardown: swap off. After a failed test slots may still be in
 * use; the area is then dropped anyway (the next test boots a fresh
 * machine), so that one failure does not fail every later test in its
 * setup.
 */
static inline int teardown(void **state)
{
	(void)state;
	if (swap_init(NULL) != 0) {
		swap_forget();
		for (const struct vm_policy *const *p = vm_policies; *p; p++)
			(*p)->reset();
	}
	free(disk.data);
	disk.data = NULL;
	return 0;
}

#endif
