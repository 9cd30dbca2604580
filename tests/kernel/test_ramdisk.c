/*
 * tests/kernel/test_ramdisk.c - RAM-disks made of frames (ramdisk_create)
 * and a second swap area on one, on the running kernel.
 *
 * The suite makes one disk of DISK_PAGES pages the first time a test needs
 * it and keeps it (disks live for the life of the system, like the boot's
 * ramdisks=): its frames come from highmem when there is some, its
 * sectors read back what was written across page boundaries, bad requests
 * are refused, and a swap area on it with a higher priority than the
 * boot's hands out every one of its slots before any of the boot area's,
 * reads and writes through it, and turns off again leaving the boot area
 * as it was.
 */
#include "drivers/ramdisk.h"
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/highmem.h"
#include "mm/slab.h"
#include "mm/swap.h"

/* The test disk: 64 pages (256 KiB), 63 swap slots. */
#define DISK_PAGES 64u

static int disk_index = -1;

/* The suite's disk, made on first use; NULL if it cannot be made. */
static struct block_device *test_disk(struct ktest *t, bool *made_now)
{
	*made_now = false;
	if (disk_index < 0) {
		disk_index = ramdisk_create((uint64_t)DISK_PAGES * PAGE_SIZE);
		*made_now = true;
	}
	if (disk_index < 0) {
		ktest_note("ramdisk_create: %d", disk_index);
		return NULL;
	}
	(void)t;
	return ramdisk_get_index((unsigned int)disk_index);
}

static struct pmm_stats pmm_now(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st;
}

/* Made of zeroed frames, highmem first; counted as kernel pages. */
static void made_of_frames(struct ktest *t)
{
	struct pmm_stats before = pmm_now();
	unsigned int n0 = ramdisk_count();
	bool made;
	struct block_device *dev = test_disk(t, &made);
	if (!dev)
		KT_SKIP(t, "no memory for a RAM-disk");
	KT_ASSERT(t, made);
	KT_EXPECT_EQ(t, ramdisk_count(), n0 + 1);
	KT_EXPECT_EQ(t, dev->sectors, DISK_PAGES * (PAGE_SIZE / 512));
	KT_EXPECT_EQ(t, dev->name[0], 'r');
	struct pmm_stats after = pmm_now();
	/* The disk's frames, and a page of frame pointers (heap). */
	KT_EXPECT(t, after.kernel_pages >= before.kernel_pages + DISK_PAGES);
	if (before.highmem_free_pages >= DISK_PAGES)
		KT_EXPECT_EQ(t, after.highmem_free_pages,
			     before.highmem_free_pages - DISK_PAGES);
	uint8_t *page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(t, page);
	uint32_t nonzero = 0;
	for (uint64_t i = 0; i < DISK_PAGES; i++) {
		KT_ASSERT_EQ(t, block_read_page(dev, i, page), 0);
		for (uint32_t j = 0; j < PAGE_SIZE; j++)
			nonzero += page[j] != 0;
	}
	KT_EXPECT_EQ(t, nonzero, 0);
	struct ramdisk_stats rs;
	ramdisk_get_stats_index((unsigned int)disk_index, &rs);
	KT_EXPECT_EQ(t, rs.size, (uint64_t)DISK_PAGES * PAGE_SIZE);
	KT_EXPECT_EQ(t, rs.base, 0); /* no physical range: frames */
	kfree(page);
}

/* Requests that cross pages of the disk read back what was written. */
static void across_pages(struct ktest *t)
{
	bool made;
	struct block_device *dev = test_disk(t, &made);
	if (!dev)
		KT_SKIP(t, "no memory for a RAM-disk");
	/* 3 pages' worth, starting 3 sectors before the end of page 5. */
	uint32_t count = 3 * 8, first = 6 * 8 - 3;
	uint8_t *buf = kmalloc(count * 512, GFP_KERNEL);
	uint8_t *back = kmalloc(count * 512, GFP_KERNEL);
	KT_ASSERT(t, buf && back);
	for (uint32_t i = 0; i < count * 512; i++)
		buf[i] = (uint8_t)(i * 13 + (i >> 9));
	KT_EXPECT_EQ(t, dev->write(dev, first, count, buf), 0);
	memset(back, 0, count * 512);
	KT_EXPECT_EQ(t, dev->read(dev, first, count, back), 0);
	KT_EXPECT(t, memcmp(buf, back, count * 512) == 0);
	/* One sector alone, inside what was written. */
	KT_EXPECT_EQ(t, dev->read(dev, first + 9, 1, back), 0);
	KT_EXPECT(t, memcmp(buf + 9 * 512, back, 512) == 0);
	/* Out of range: refused, nothing moved. */
	KT_EXPECT_EQ(t, dev->read(dev, dev->sectors - 1, 2, back), -EINVAL);
	KT_EXPECT_EQ(t, dev->write(dev, dev->sectors, 1, buf), -EINVAL);
	KT_EXPECT_EQ(t, kmap_depth(), 0);
	/* Zero the disk again for the swap test. */
	memset(buf, 0, count * 512);
	KT_EXPECT_EQ(t, dev->write(dev, first, count, buf), 0);
	kfree(buf);
	kfree(back);
}

/* Bad sizes are refused with a message. */
static void bad_sizes(struct ktest *t)
{
	KT_EXPECT_EQ(t, ramdisk_create(RAMDISK_MIN_SIZE - PAGE_SIZE), -EINVAL);
	KT_EXPECT_EQ(t, ramdisk_create(RAMDISK_MAX_SIZE + PAGE_SIZE), -EINVAL);
	KT_EXPECT_EQ(t, ramdisk_create_boot("2"), -EINVAL);
	KT_EXPECT_EQ(t, ramdisk_create_boot("0,1M"), -EINVAL);
	KT_EXPECT_EQ(t, ramdisk_create_boot("1,1Q"), -EINVAL);
	KT_EXPECT_EQ(t, ramdisk_create_boot(""), 0);
}

/* Writes a version 1 header for a device of npages pages into page. */
static void make_header(uint8_t *page, uint32_t npages)
{
	struct swap_header_v1 *h = (struct swap_header_v1 *)page;
	memset(page, 0, PAGE_SIZE);
	h->version = SWAP_HEADER_VERSION;
	h->last_page = npages - 1;
	memcpy(page + SWAP_MAGIC_OFFSET, SWAP_MAGIC_V1, SWAP_MAGIC_LEN);
}

/*
 * A second area of priority 10 beside the boot's (-2): its slots go
 * first, all of them, then the boot area's; swapoff of it leaves the
 * boot area's slot allocated.
 */
static void second_area_first(struct ktest *t)
{
	bool made;
	struct block_device *dev = test_disk(t, &made);
	if (!dev)
		KT_SKIP(t, "no memory for a RAM-disk");
	if (!swap_enabled())
		KT_SKIP(t, "no boot swap area");
	struct swap_stats s0;
	swap_get_stats(&s0);
	uint8_t *page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(t, page);
	make_header(page, DISK_PAGES);
	KT_ASSERT_EQ(t, block_write_page(dev, 0, page), 0);
	KT_ASSERT_EQ(t, swap_on(dev, 10), 0);
	KT_EXPECT_EQ(t, swap_on(dev, 3), -EBUSY);
	KT_EXPECT(t, swap_in_use(dev));
	struct swap_stats s1;
	swap_get_stats(&s1);
	KT_EXPECT_EQ(t, s1.areas, s0.areas + 1);
	KT_EXPECT_EQ(t, s1.total, s0.total + DISK_PAGES - 1);

	uint32_t slots[DISK_PAGES];
	for (uint32_t i = 0; i < DISK_PAGES - 1; i++) {
		KT_ASSERT_EQ(t, swap_slot_alloc(&slots[i]), 0);
		memset(page, (int)(i + 1), PAGE_SIZE);
		KT_ASSERT_EQ(t, swap_write_page(slots[i], page), 0);
	}
	/* The new area is full: the next slot is the boot area's. */
	uint32_t boot_slot;
	KT_ASSERT_EQ(t, swap_slot_alloc(&boot_slot), 0);
	struct swap_stats s2;
	swap_get_stats(&s2);
	KT_EXPECT_EQ(t, s2.free, s0.free - 1);
	/* Every page went to the new disk: read it there, page by page. */
	uint32_t bad = 0;
	for (uint32_t i = 0; i < DISK_PAGES - 1; i++) {
		KT_ASSERT_EQ(t, swap_read_page(slots[i], page), 0);
		bad += page[0] != (uint8_t)(i + 1) ||
		       page[PAGE_SIZE - 1] != (uint8_t)(i + 1);
	}
	KT_EXPECT_EQ(t, bad, 0);
	uint32_t on_disk = 0;
	for (uint32_t p = 1; p < DISK_PAGES; p++) {
		KT_ASSERT_EQ(t, block_read_page(dev, p, page), 0);
		on_disk += page[17] != 0;
	}
	KT_EXPECT_EQ(t, on_disk, DISK_PAGES - 1);

	/* swapoff of the new area: its slots only. */
	KT_ASSERT_EQ(t, swap_drain_begin(dev), 0);
	KT_EXPECT(t, swap_slot_draining(slots[0]));
	KT_EXPECT(t, !swap_slot_draining(boot_slot));
	KT_EXPECT_EQ(t, swap_drain_finish(), -EBUSY);
	for (uint32_t i = 0; i < DISK_PAGES - 1; i++)
		swap_slot_put(slots[i]);
	KT_EXPECT_EQ(t, swap_drain_finish(), 0);
	KT_EXPECT(t, !swap_in_use(dev));
	KT_EXPECT_EQ(t, swap_slot_refs(boot_slot), 1);
	swap_slot_put(boot_slot);
	struct swap_stats s3;
	swap_get_stats(&s3);
	KT_EXPECT_EQ(t, s3.total, s0.total);
	KT_EXPECT_EQ(t, s3.free, s0.free);
	KT_EXPECT_EQ(t, s3.areas, s0.areas);
	kfree(page);
}

static const struct ktest_case ramdisk_cases[] = {
	KTEST_CASE(made_of_frames),
	KTEST_CASE(across_pages),
	KTEST_CASE(bad_sizes),
	KTEST_CASE(second_area_first),
};

KTEST_SUITE(ramdisk, ramdisk_cases);
