/*
 * tests/kernel/test_swap.c - the RAM-disk and the swap area on the running
 * kernel.
 *
 * The host units (tests/host/test_swapfile.c) cover the header and the slot
 * allocator in depth on a fake disk; this suite checks the real thing: the
 * disk set up at boot holds a valid header, pages go through the driver and
 * come back, the driver refuses bad requests, injected faults and latency
 * behave as documented, and every slot and counter returns to its baseline.
 *
 * Fault injection and latency are switched on and off by the tests
 * themselves (ramdisk_set_fault_injection), since boot options cannot
 * change between tests. On a machine too small for a RAM-disk (8 MiB) the
 * tests are skipped.
 */
#include "drivers/pit.h"
#include "drivers/ramdisk.h"
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"
#include "mm/swap.h"

/* Pages a test writes through the swap area. */
#define NPAGES 24

static struct swap_stats swap_now(void)
{
	struct swap_stats st;
	swap_get_stats(&st);
	return st;
}

static struct ramdisk_stats disk_now(void)
{
	struct ramdisk_stats st;
	ramdisk_get_stats(&st);
	return st;
}

/* The byte at offset j of test page i: differs between pages and slots. */
static uint8_t pattern(uint32_t i, uint32_t j, uint32_t slot)
{
	return (uint8_t)(i * 31 + j * 7 + slot * 13 + (j >> 8));
}

static void fill(uint8_t *page, uint32_t i, uint32_t slot)
{
	for (uint32_t j = 0; j < PAGE_SIZE; j++)
		page[j] = pattern(i, j, slot);
}

/* Offsets where page differs from test page i, or 0 if none. */
static uint32_t mismatches(const uint8_t *page, uint32_t i, uint32_t slot)
{
	uint32_t bad = 0;
	for (uint32_t j = 0; j < PAGE_SIZE; j++)
		if (page[j] != pattern(i, j, slot))
			bad++;
	return bad;
}

/* The disk from boot is the swap device, with a valid header on it. */
static void boot_device(struct ktest *t)
{
	struct block_device *dev = ramdisk_get();
	if (!dev || !swap_enabled())
		KT_SKIP(t, "no swap RAM-disk on this machine");
	struct ramdisk_stats ds = disk_now();
	struct swap_stats ss = swap_now();
	KT_EXPECT_EQ(t, dev->sector_size, BLOCK_SECTOR_SIZE);
	KT_EXPECT_EQ(t, dev->sectors * BLOCK_SECTOR_SIZE, ds.size);
	KT_EXPECT(t, ss.device && !strcmp(ss.device, dev->name));
	KT_EXPECT(t, ss.total > 0 && ss.total < block_pages(dev));

	uint8_t *page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(t, page != NULL);
	KT_EXPECT_EQ(t, block_read_page(dev, 0, page), 0);
	const struct swap_header_v1 *h = (const void *)page;
	KT_EXPECT(t, !memcmp(page + SWAP_MAGIC_OFFSET, "SWAPSPACE2", 10));
	KT_EXPECT_EQ(t, h->version, 1);
	KT_EXPECT_EQ(t, h->last_page, ss.total + ss.bad);
	KT_EXPECT(t, h->last_page < block_pages(dev));
	/* A reserved region is formatted by the kernel at every boot. */
	if (!strcmp(ds.source, "reserved RAM"))
		KT_EXPECT(t, !strcmp(h->volume_name, SWAP_LABEL));
	kfree(page);
}

/* Pages written to slots read back intact; counters move by as much. */
static void write_read_roundtrip(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "swap is off");
	struct swap_stats s0 = swap_now();
	struct ramdisk_stats d0 = disk_now();
	uint8_t *page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	uint32_t slots[NPAGES];
	uint32_t n = 0;

	KT_ASSERT(t, page != NULL);
	/* Whatever the boot options asked for, this test wants no faults. */
	ramdisk_set_fault_injection(0, 0);
	for (; n < NPAGES; n++) {
		if (swap_slot_alloc(&slots[n]))
			break;
		KT_EXPECT(t, slots[n] != 0);
		KT_EXPECT_EQ(t, swap_slot_refs(slots[n]), 1);
		fill(page, n, slots[n]);
		KT_EXPECT_EQ(t, swap_write_page(slots[n], page), 0);
	}
	KT_EXPECT_EQ(t, n, NPAGES);
	KT_EXPECT_EQ(t, swap_now().free, s0.free - n);
	/* Read back in the opposite order, over a dirty buffer. */
	for (uint32_t i = n; i-- > 0;) {
		memset(page, 0xEE, PAGE_SIZE);
		KT_EXPECT_EQ(t, swap_read_page(slots[i], page), 0);
		KT_EXPECT_EQ(t, mismatches(page, i, slots[i]), 0);
	}
	struct swap_stats s1 = swap_now();
	struct ramdisk_stats d1 = disk_now();
	KT_EXPECT_EQ(t, s1.writes - s0.writes, n);
	KT_EXPECT_EQ(t, s1.reads - s0.reads, n);
	KT_EXPECT_EQ(t, d1.write_requests - d0.write_requests, n);
	KT_EXPECT_EQ(t, d1.read_requests - d0.read_requests, n);
	KT_EXPECT_EQ(t, d1.bytes_written - d0.bytes_written, n * PAGE_SIZE);
	KT_EXPECT_EQ(t, d1.bytes_read - d0.bytes_read, n * PAGE_SIZE);

	/* A shared slot survives one put. */
	swap_slot_dup(slots[0]);
	swap_slot_put(slots[0]);
	KT_EXPECT_EQ(t, swap_slot_refs(slots[0]), 1);
	for (uint32_t i = 0; i < n; i++)
		swap_slot_put(slots[i]);
	KT_EXPECT_EQ(t, swap_now().free, s0.free);
	ramdisk_set_fault_injection(d0.fail_read, d0.fail_write);
	kfree(page);
}

/* Every Nth request fails with -EIO; the others are unaffected. */
static void fault_injection(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "swap is off");
	struct swap_stats s0 = swap_now();
	struct ramdisk_stats d0 = disk_now();
	uint8_t *page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	uint32_t slots[9];
	int werr[9], rerr[9];

	KT_ASSERT(t, page != NULL);
	ramdisk_set_fault_injection(0, 3);
	for (uint32_t i = 0; i < 9; i++) {
		KT_ASSERT(t, swap_slot_alloc(&slots[i]) == 0);
		fill(page, i, slots[i]);
		werr[i] = swap_write_page(slots[i], page);
	}
	ramdisk_set_fault_injection(2, 0);
	for (uint32_t i = 0; i < 9; i++) {
		memset(page, 0, PAGE_SIZE);
		rerr[i] = swap_read_page(slots[i], page);
		if (werr[i] == 0 && rerr[i] == 0)
			KT_EXPECT_EQ(t, mismatches(page, i, slots[i]), 0);
	}
	ramdisk_set_fault_injection(0, 0);

	/* Writes 3, 6, 9 and reads 2, 4, 6, 8 (counting from 1) failed. */
	for (uint32_t i = 0; i < 9; i++) {
		int want_werr = (i + 1) % 3 == 0 ? -EIO : 0;
		int want_rerr = (i + 1) % 2 == 0 ? -EIO : 0;
		KT_EXPECT_EQ(t, werr[i], want_werr);
		KT_EXPECT_EQ(t, rerr[i], want_rerr);
		/* A failed write leaves the slot to its owner. */
		KT_EXPECT_EQ(t, swap_slot_refs(slots[i]), 1);
	}
	struct swap_stats s1 = swap_now();
	struct ramdisk_stats d1 = disk_now();
	KT_EXPECT_EQ(t, s1.write_errors - s0.write_errors, 3);
	KT_EXPECT_EQ(t, s1.read_errors - s0.read_errors, 4);
	KT_EXPECT_EQ(t, s1.writes - s0.writes, 6);
	KT_EXPECT_EQ(t, s1.reads - s0.reads, 5);
	KT_EXPECT_EQ(t, d1.injected_write_failures - d0.injected_write_failures,
		     3);
	KT_EXPECT_EQ(t, d1.injected_read_failures - d0.injected_read_failures,
		     4);
	KT_EXPECT_EQ(t, d1.write_requests - d0.write_requests, 9);
	KT_EXPECT_EQ(t, d1.bytes_written - d0.bytes_written, 6 * PAGE_SIZE);

	/* Off again: a rewrite of the failed pages goes through. */
	fill(page, 2, slots[2]);
	KT_EXPECT_EQ(t, swap_write_page(slots[2], page), 0);
	KT_EXPECT_EQ(t, swap_read_page(slots[2], page), 0);
	KT_EXPECT_EQ(t, mismatches(page, 2, slots[2]), 0);
	for (uint32_t i = 0; i < 9; i++)
		swap_slot_put(slots[i]);
	KT_EXPECT_EQ(t, swap_now().free, s0.free);
	ramdisk_set_fault_injection(d0.fail_read, d0.fail_write);
	kfree(page);
}

/* The driver refuses requests outside the disk, transferring nothing. */
static void range_checks(struct ktest *t)
{
	struct block_device *dev = ramdisk_get();
	if (!dev)
		KT_SKIP(t, "no RAM-disk");
	struct ramdisk_stats d0 = disk_now();
	uint8_t *buf = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);
	uint64_t n = dev->sectors;

	KT_EXPECT_EQ(t, dev->read(dev, n, 1, buf), -EINVAL);
	KT_EXPECT_EQ(t, dev->read(dev, n - 1, 2, buf), -EINVAL);
	KT_EXPECT_EQ(t, dev->read(dev, 0, 0, buf), -EINVAL);
	KT_EXPECT_EQ(t, dev->write(dev, n, 1, buf), -EINVAL);
	KT_EXPECT_EQ(t, dev->write(dev, UINT64_MAX, 2, buf), -EINVAL);
	KT_EXPECT_EQ(t, block_read_page(dev, block_pages(dev), buf), -EINVAL);
	/* The last sector itself is fine, and so is a sub-page request. */
	KT_EXPECT_EQ(t, dev->read(dev, n - 1, 1, buf), 0);
	KT_EXPECT_EQ(t, dev->read(dev, 1, 3, buf), 0);

	struct ramdisk_stats d1 = disk_now();
	KT_EXPECT_EQ(t, d1.rejected_requests - d0.rejected_requests, 5);
	KT_EXPECT_EQ(t, d1.read_requests - d0.read_requests, 2);
	KT_EXPECT_EQ(t, d1.bytes_read - d0.bytes_read, 4 * BLOCK_SECTOR_SIZE);
	KT_EXPECT_EQ(t, d1.write_requests, d0.write_requests);
	kfree(buf);
}

/* ramdisk.latency= slows each request down by about that much. */
static void latency(struct ktest *t)
{
	struct block_device *dev = ramdisk_get();
	if (!dev)
		KT_SKIP(t, "no RAM-disk");
	if (pit_ticks() == 0)
		KT_SKIP(t, "the timer is not running");
	uint8_t *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);
	unsigned int before = disk_now().latency_us;

	/* 10 requests of 5 ms: at least 50 ms, measured in timer ticks. */
	ramdisk_set_latency(5000);
	uint64_t t0 = uptime_ms();
	for (int i = 0; i < 10; i++)
		KT_EXPECT_EQ(t, block_read_page(dev, 1, buf), 0);
	uint64_t took = uptime_ms() - t0;
	ramdisk_set_latency(before);
	ktest_note("10 requests at 5000 us took %llu ms",
		   (unsigned long long)took);
	/* One tick of slack for where the measurement started. */
	KT_EXPECT(t, took + 1000 / pit_hz() >= 50);
	KT_EXPECT(t, took < 500);

	/* Without latency the same requests take no measurable time. */
	t0 = uptime_ms();
	for (int i = 0; i < 10; i++)
		KT_EXPECT_EQ(t, block_read_page(dev, 1, buf), 0);
	KT_EXPECT(t, uptime_ms() - t0 <= 2 * 1000 / pit_hz());
	kfree(buf);
}

/* A small disk in kernel memory, for headers the boot disk cannot have. */
struct mem_disk {
	struct block_device dev;
	uint8_t *data;
};

static int mem_read(struct block_device *dev, uint64_t sector, uint32_t count,
		    void *buf)
{
	struct mem_disk *d = dev->priv;
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	memcpy(buf, d->data + sector * BLOCK_SECTOR_SIZE,
	       count * BLOCK_SECTOR_SIZE);
	return 0;
}

static int mem_write(struct block_device *dev, uint64_t sector, uint32_t count,
		     const void *buf)
{
	struct mem_disk *d = dev->priv;
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	memcpy(d->data + sector * BLOCK_SECTOR_SIZE, buf,
	       count * BLOCK_SECTOR_SIZE);
	return 0;
}

/*
 * A bad header turns swap off without harm, and the boot disk can be set
 * up again afterwards; swap cannot be replaced while slots are in use.
 */
static void reinit(struct ktest *t)
{
	struct block_device *boot_dev = ramdisk_get();
	if (!boot_dev || !swap_enabled())
		KT_SKIP(t, "no swap RAM-disk on this machine");
	struct swap_stats s0 = swap_now();
	if (s0.free != s0.total)
		KT_SKIP(t, "swap slots are in use");

	uint32_t slot;
	KT_ASSERT(t, swap_slot_alloc(&slot) == 0);
	KT_EXPECT_EQ(t, swap_init(NULL), -EBUSY);
	KT_EXPECT(t, swap_enabled());
	swap_slot_put(slot);

	struct mem_disk md;
	md.data = kzalloc(16 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(t, md.data != NULL);
	md.dev = (struct block_device){
		.name = "testdisk",
		.sectors = 16 * PAGE_SIZE / BLOCK_SECTOR_SIZE,
		.sector_size = BLOCK_SECTOR_SIZE,
		.read = mem_read,
		.write = mem_write,
		.priv = &md,
	};
	memcpy(md.data + SWAP_MAGIC_OFFSET, SWAP_MAGIC_V0, SWAP_MAGIC_LEN);
	KT_EXPECT_EQ(t, swap_init(&md.dev), -EINVAL);
	KT_EXPECT(t, !swap_enabled());
	KT_EXPECT_EQ(t, swap_slot_alloc(&slot), -ENOSPC);
	KT_EXPECT_EQ(t, swap_now().total, 0);

	/* Blank: formatted, 15 slots. */
	memset(md.data, 0, 16 * PAGE_SIZE);
	KT_EXPECT_EQ(t, swap_init(&md.dev), 0);
	KT_EXPECT_EQ(t, swap_now().total, 15);
	KT_EXPECT(t, !memcmp(md.data + SWAP_MAGIC_OFFSET, SWAP_MAGIC_V1,
			     SWAP_MAGIC_LEN));

	/* Back to the boot disk, whose header is still there. */
	KT_EXPECT_EQ(t, swap_init(boot_dev), 0);
	struct swap_stats s1 = swap_now();
	KT_EXPECT(t, swap_enabled());
	KT_EXPECT_EQ(t, s1.total, s0.total);
	KT_EXPECT_EQ(t, s1.free, s0.free);
	KT_EXPECT_EQ(t, s1.bad, s0.bad);
	kfree(md.data);
}

static const struct ktest_case swap_cases[] = {
	KTEST_CASE(boot_device),     KTEST_CASE(write_read_roundtrip),
	KTEST_CASE(fault_injection), KTEST_CASE(range_checks),
	KTEST_CASE(latency),	     KTEST_CASE(reinit),
};

KTEST_SUITE(swap, swap_cases);
