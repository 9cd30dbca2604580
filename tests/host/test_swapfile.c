/*
 * tests/host/test_swapfile.c - the swap area (mm/swapfile.c) on a fake
 * block device: headers written by the real mkswap (util-linux) of several
 * sizes, with a label and with bad pages patched in; formatting a blank
 * device (checked back with swaplabel); every kind of invalid header
 * refused with its message; the slot allocator's reference counts and
 * exhaustion; I/O errors from a failing device.
 *
 * The fake disk is malloc'ed memory behind struct block_device. Pages
 * past `backed` bytes read as zeros and writes to them are dropped, so a
 * device can claim more pages than the test can afford to allocate.
 *
 * Every test starts with a fresh heap and leaves swap off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "libk/log.h"
#include "mm/blockdev.h"
#include "mm/swap.h"
#include "tests/host/heap_fixture.h"

#define MKSWAP "/usr/sbin/mkswap"
#define SWAPLABEL "/usr/sbin/swaplabel"

struct fake_disk {
	struct block_device dev;
	uint8_t *data;		 /* the backed bytes */
	uint64_t backed;	 /* bytes held in data */
	unsigned int fail_read;	 /* fail every Nth read (0: never) */
	unsigned int fail_write; /* fail every Nth write */
	unsigned int nreads, nwrites;
};

static int fake_read(struct block_device *dev, uint64_t sector, uint32_t count,
		     void *buf)
{
	struct fake_disk *d = dev->priv;
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	if (d->fail_read && ++d->nreads % d->fail_read == 0)
		return -EIO;
	uint8_t *out = buf;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t off = (sector + i) * dev->sector_size;
		if (off + dev->sector_size <= d->backed)
			memcpy(out, d->data + off, dev->sector_size);
		else
			memset(out, 0, dev->sector_size);
		out += dev->sector_size;
	}
	return 0;
}

static int fake_write(struct block_device *dev, uint64_t sector, uint32_t count,
		      const void *buf)
{
	struct fake_disk *d = dev->priv;
	if (!block_range_ok(dev, sector, count))
		return -EINVAL;
	if (d->fail_write && ++d->nwrites % d->fail_write == 0)
		return -EIO;
	const uint8_t *in = buf;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t off = (sector + i) * dev->sector_size;
		if (off + dev->sector_size <= d->backed)
			memcpy(d->data + off, in, dev->sector_size);
		in += dev->sector_size;
	}
	return 0;
}

/* A zeroed disk of `bytes`, of which the first `backed` are stored. */
static struct fake_disk *disk_new(uint64_t bytes, uint64_t backed)
{
	struct fake_disk *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->data = calloc(1, backed ? backed : 1);
	assert_non_null(d->data);
	d->backed = backed;
	d->dev = (struct block_device){
		.name = "fakedisk",
		.sectors = bytes / BLOCK_SECTOR_SIZE,
		.sector_size = BLOCK_SECTOR_SIZE,
		.read = fake_read,
		.write = fake_write,
		.priv = d,
	};
	return d;
}

static void disk_free(struct fake_disk *d)
{
	free(d->data);
	free(d);
}

static bool have_tool(const char *path)
{
	return access(path, X_OK) == 0;
}

/*
 * Runs mkswap on a file of file_bytes and returns a disk of disk_bytes
 * holding the file (cut or zero-extended). extra: more mkswap arguments
 * placed before the file name; size_kib, when non-zero, follows it.
 * Its output is discarded rather than silenced with -q, which util-linux
 * 2.37 (Ubuntu 22.04) does not have.
 */
static struct fake_disk *mkswap_disk(uint64_t file_bytes, uint64_t disk_bytes,
				     const char *extra, unsigned int size_kib)
{
	char path[] = "/tmp/pagoda-swapXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)file_bytes), 0);
	close(fd);

	char cmd[512], size_arg[32] = "";
	if (size_kib)
		snprintf(size_arg, sizeof(size_arg), " %u", size_kib);
	snprintf(cmd, sizeof(cmd),
		 MKSWAP " -f -p 4096 %s %s%s >/dev/null "
			"2>&1",
		 extra, path, size_arg);
	int rc = system(cmd);
	if (rc != 0) {
		unlink(path);
		fail_msg("'%s' failed (%d)", cmd, rc);
	}

	struct fake_disk *d = disk_new(disk_bytes, disk_bytes);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t want = file_bytes < disk_bytes ? file_bytes : disk_bytes;
	assert_int_equal(fread(d->data, 1, want, f), want);
	fclose(f);
	unlink(path);
	return d;
}

static struct swap_header_v1 *header(struct fake_disk *d)
{
	return (struct swap_header_v1 *)d->data;
}

static struct swap_stats stats(void)
{
	struct swap_stats st;
	swap_get_stats(&st);
	return st;
}

static int setup(void **state)
{
	(void)state;
	heap_fixture_init(false);
	klog_level = LOG_DEBUG + 1; /* keep the label/UUID line too */
	return 0;
}

/* Swap must be off again, and the heap give back every byte. */
static int teardown(void **state)
{
	(void)state;
	klog_level = LOG_LEVEL_DEFAULT;
	assert_int_equal(swap_init(NULL), 0);
	assert_false(swap_enabled());
	return 0;
}

#define SKIP_WITHOUT(tool)                                                     \
	do {                                                                   \
		if (!have_tool(tool)) {                                        \
			print_message("no %s (util-linux): skipped\n", tool);  \
			skip();                                                \
		}                                                              \
	} while (0)

/* Images made by mkswap at several sizes are accepted as they are. */
static void test_mkswap_sizes(void **state)
{
	(void)state;
	SKIP_WITHOUT(MKSWAP);
	static const uint64_t sizes[] = { 40 << 10, 1 << 20, (4 << 20) + 3000,
					  16 << 20 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fake_disk *d = mkswap_disk(sizes[i], sizes[i], "", 0);
		uint32_t pages = (uint32_t)(sizes[i] / PAGE_SIZE);
		assert_int_equal(header(d)->last_page, pages - 1);

		host_log_clear();
		assert_int_equal(swap_init(&d->dev), 0);
		assert_true(swap_enabled());
		struct swap_stats st = stats();
		assert_int_equal(st.total, pages - 1);
		assert_int_equal(st.free, pages - 1);
		assert_int_equal(st.bad, 0);
		assert_string_equal(st.device, "fakedisk");
		char line[96];
		snprintf(line, sizeof(line),
			 "swap: %u KiB on fakedisk (%u slots)\n", pages * 4,
			 pages - 1);
		assert_non_null(strstr(host_log, line));
		/* An accepted header is not rewritten. */
		assert_null(strstr(host_log, "formatted"));
		assert_int_equal(swap_init(NULL), 0);
		disk_free(d);
	}
}

/* mkswap's label and UUID are read as written. */
static void test_mkswap_label_uuid(void **state)
{
	(void)state;
	SKIP_WITHOUT(MKSWAP);
	struct fake_disk *d = mkswap_disk(
		1 << 20, 1 << 20,
		"-L lab-42 -U 01234567-89ab-cdef-0123-456789abcdef", 0);
	host_log_clear();
	assert_int_equal(swap_init(&d->dev), 0);
	assert_non_null(strstr(host_log, "label 'lab-42', UUID "
					 "01234567-89ab-cdef-0123-"
					 "456789abcdef"));
	assert_int_equal(swap_init(NULL), 0);
	disk_free(d);
}

/* Bad pages patched into a mkswap image are never handed out. */
static void test_bad_pages(void **state)
{
	(void)state;
	SKIP_WITHOUT(MKSWAP);
	struct fake_disk *d =
		mkswap_disk(256 * PAGE_SIZE, 256 * PAGE_SIZE, "", 0);
	static const uint32_t bad[] = { 1, 7, 100, 255, 7 };
	header(d)->nr_badpages = 5;
	memcpy(header(d)->badpages, bad, sizeof(bad));

	host_log_clear();
	assert_int_equal(swap_init(&d->dev), 0);
	/* The duplicate 7 counts once. */
	struct swap_stats st = stats();
	assert_int_equal(st.bad, 4);
	assert_int_equal(st.total, 255 - 4);
	assert_non_null(strstr(host_log, "(251 slots, 4 bad pages)"));

	uint32_t slot, n = 0;
	while (swap_slot_alloc(&slot) == 0) {
		assert_true(slot >= 2 && slot <= 254);
		assert_true(slot != 7 && slot != 100);
		n++;
	}
	assert_int_equal(n, 251);
	assert_int_equal(swap_slot_refs(7), 0);
	assert_int_equal(swap_slot_refs(0), 0);
	for (slot = 2; slot <= 254; slot++)
		if (slot != 7 && slot != 100)
			swap_slot_put(slot);
	assert_int_equal(stats().free, 251);
	disk_free(d);
}

/* A blank device gets a valid header that Linux's tools read back. */
/* Whether the first page of a disk image is all zeros. */
static bool all_zero_page(const uint8_t *p)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

static void test_blank_format(void **state)
{
	(void)state;
	uint64_t bytes = 300 * PAGE_SIZE + 512; /* a partial page at the end */
	struct fake_disk *d = disk_new(bytes, bytes);

	host_log_clear();
	assert_int_equal(swap_init(&d->dev), 0);
	assert_non_null(strstr(host_log, "formatted blank fakedisk"));
	assert_non_null(strstr(host_log, "swap: 1200 KiB on fakedisk "
					 "(299 slots)"));
	struct swap_header_v1 *h = header(d);
	assert_memory_equal(d->data + SWAP_MAGIC_OFFSET, "SWAPSPACE2", 10);
	assert_int_equal(h->version, 1);
	assert_int_equal(h->last_page, 299);
	assert_int_equal(h->nr_badpages, 0);
	assert_string_equal(h->volume_name, "pagoda");
	assert_int_equal(h->uuid[6] >> 4, 4);	   /* version 4 */
	assert_int_equal(h->uuid[8] & 0xC0, 0x80); /* variant 10 */
	assert_int_equal(stats().total, 299);

	/* Formatting again keeps it: the header is now valid. */
	uint8_t before[PAGE_SIZE];
	memcpy(before, d->data, PAGE_SIZE);
	assert_int_equal(swap_init(&d->dev), 0);
	assert_memory_equal(before, d->data, PAGE_SIZE);

	if (have_tool(SWAPLABEL)) {
		char path[] = "/tmp/pagoda-swapXXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, d->data, 300 * PAGE_SIZE),
				 300 * PAGE_SIZE);
		close(fd);
		char cmd[256], out[256] = "";
		snprintf(cmd, sizeof(cmd), SWAPLABEL " %s 2>&1", path);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		size_t n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		int rc = pclose(p);
		unlink(path);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(out, "LABEL: pagoda"));
	}
	disk_free(d);
}

/* Expects swap_init to refuse dev with reason in the log. */
static void expect_refused(struct fake_disk *d, int err, const char *reason)
{
	uint8_t *copy = malloc(d->backed);
	assert_non_null(copy);
	memcpy(copy, d->data, d->backed);
	host_log_clear();
	assert_int_equal(swap_init(&d->dev), err);
	assert_false(swap_enabled());
	if (!strstr(host_log, reason) ||
	    !strstr(host_log, "running without swap"))
		fail_msg("expected '%s' in: %s", reason, host_log);
	struct swap_stats st = stats();
	assert_int_equal(st.total, 0);
	assert_null(st.device);
	uint32_t slot;
	assert_int_equal(swap_slot_alloc(&slot), -ENOSPC);
	/* A refused device is left untouched. */
	assert_memory_equal(copy, d->data, d->backed);
	free(copy);
}

/* Every kind of invalid header, each with its own message. */
static void test_invalid_headers(void **state)
{
	(void)state;
	const uint64_t sz = 64 * PAGE_SIZE;
	struct fake_disk *d = disk_new(sz, sz);

	/* Not zero and no signature: refused, not formatted. */
	d->data[100] = 0x55;
	expect_refused(d, -EINVAL,
		       "bad header on fakedisk: no SWAPSPACE2 "
		       "signature");
	memcpy(d->data + SWAP_MAGIC_OFFSET, "SWAPSPACE3", 10);
	expect_refused(d, -EINVAL, "no SWAPSPACE2 signature");
	memcpy(d->data + SWAP_MAGIC_OFFSET, "SWAP-SPACE", 10);
	expect_refused(d, -EINVAL, "obsolete version 0 format");

	memcpy(d->data + SWAP_MAGIC_OFFSET, "SWAPSPACE2", 10);
	header(d)->last_page = 63;
	header(d)->version = 2;
	expect_refused(d, -EINVAL, "version 2 (only version 1");
	header(d)->version = 0x01000000;
	expect_refused(d, -EINVAL, "byte-swapped header");
	header(d)->version = 1;

	header(d)->last_page = 64;
	expect_refused(d, -EINVAL,
		       "last_page 64 is beyond the device's 64 "
		       "pages");
	header(d)->last_page = 0;
	expect_refused(d, -EINVAL, "last_page is 0");
	header(d)->last_page = 63;

	header(d)->nr_badpages = SWAP_MAX_BADPAGES + 1;
	expect_refused(d, -EINVAL, "638 bad pages listed (at most 637");
	header(d)->nr_badpages = 2;
	header(d)->badpages[0] = 5;
	header(d)->badpages[1] = 64;
	expect_refused(d, -EINVAL, "bad page 64 out of range (1..63)");
	header(d)->badpages[1] = 0;
	expect_refused(d, -EINVAL, "bad page 0 out of range");

	/* Every page bad: the area holds nothing. */
	header(d)->last_page = 3;
	header(d)->nr_badpages = 4;
	header(d)->badpages[0] = 3;
	header(d)->badpages[1] = 2;
	header(d)->badpages[2] = 3;
	header(d)->badpages[3] = 1;
	expect_refused(d, -EINVAL, "every page is listed as bad");
	/* The same header with one good page left is fine. */
	header(d)->nr_badpages = 3;
	assert_int_equal(swap_init(&d->dev), 0);
	assert_int_equal(stats().total, 1);
	assert_int_equal(stats().bad, 2);
	assert_int_equal(swap_init(NULL), 0);
	disk_free(d);

	/* A device smaller than a header and one slot. */
	d = disk_new(PAGE_SIZE + 3 * BLOCK_SECTOR_SIZE, PAGE_SIZE * 2);
	expect_refused(d, -EINVAL, "fakedisk is too small");
	disk_free(d);

	/* Sectors that do not divide a page. */
	d = disk_new(sz, sz);
	d->dev.sector_size = 3000;
	d->dev.sectors = sz / 3000;
	expect_refused(d, -EINVAL, "3000-byte sectors");
	disk_free(d);
}

/* mkswap images whose header claims more than the device holds. */
static void test_truncated_images(void **state)
{
	(void)state;
	SKIP_WITHOUT(MKSWAP);
	/* The image of a 1 MiB area on a 512 KiB device. */
	struct fake_disk *d = mkswap_disk(1 << 20, 512 << 10, "", 0);
	expect_refused(d, -EINVAL,
		       "last_page 255 is beyond the device's 128 "
		       "pages");
	disk_free(d);
	/* mkswap -f with a size larger than the file. */
	d = mkswap_disk(256 << 10, 256 << 10, "", 1024);
	expect_refused(d, -EINVAL,
		       "last_page 255 is beyond the device's 64 "
		       "pages");
	disk_free(d);
	/* The other way round is fine: the area uses what it says. */
	d = mkswap_disk(256 << 10, 1 << 20, "", 0);
	assert_int_equal(swap_init(&d->dev), 0);
	assert_int_equal(stats().total, 63);
	assert_int_equal(swap_init(NULL), 0);
	disk_free(d);
}

/* Allocation, references, exhaustion, and the count back at baseline. */
static void test_slot_alloc(void **state)
{
	(void)state;
	struct fake_disk *d = disk_new(33 * PAGE_SIZE, 33 * PAGE_SIZE);
	assert_int_equal(swap_init(&d->dev), 0);
	struct swap_stats base = stats();
	assert_int_equal(base.total, 32);

	uint32_t slots[32], extra;
	bool seen[33] = { false };
	for (int i = 0; i < 32; i++) {
		assert_int_equal(swap_slot_alloc(&slots[i]), 0);
		assert_true(slots[i] >= 1 && slots[i] <= 32);
		assert_false(seen[slots[i]]);
		seen[slots[i]] = true;
		assert_int_equal(swap_slot_refs(slots[i]), 1);
		assert_int_equal(stats().free, 31 - i);
	}
	assert_int_equal(swap_slot_alloc(&extra), -ENOSPC);

	/* A shared slot stays allocated until its last reference goes. */
	swap_slot_dup(slots[3]);
	swap_slot_dup(slots[3]);
	assert_int_equal(swap_slot_refs(slots[3]), 3);
	swap_slot_put(slots[3]);
	swap_slot_put(slots[3]);
	assert_int_equal(swap_slot_refs(slots[3]), 1);
	assert_int_equal(stats().free, 0);
	swap_slot_put(slots[3]);
	assert_int_equal(swap_slot_refs(slots[3]), 0);
	assert_int_equal(stats().free, 1);
	assert_int_equal(swap_slot_alloc(&extra), 0);
	assert_int_equal(extra, slots[3]);

	/* Out-of-range and unusable slots have no references. */
	assert_int_equal(swap_slot_refs(0), 0);
	assert_int_equal(swap_slot_refs(33), 0);
	assert_int_equal(swap_slot_refs(0xFFFFFFFF), 0);

	for (int i = 0; i < 32; i++)
		swap_slot_put(slots[i]);
	struct swap_stats end = stats();
	assert_int_equal(end.free, base.free);
	assert_int_equal(end.total, base.total);

	/* Swap cannot be replaced while a slot is in use. */
	assert_int_equal(swap_slot_alloc(&extra), 0);
	host_log_clear();
	assert_int_equal(swap_init(NULL), -EBUSY);
	assert_true(swap_enabled());
	assert_non_null(strstr(host_log, "still in use"));
	swap_slot_put(extra);
	disk_free(d);
}

/* The cursor moves on: freed slots are not reused before later ones. */
static void test_cursor_rotates(void **state)
{
	(void)state;
	struct fake_disk *d = disk_new(17 * PAGE_SIZE, 17 * PAGE_SIZE);
	assert_int_equal(swap_init(&d->dev), 0);
	uint32_t a, b, c;
	assert_int_equal(swap_slot_alloc(&a), 0);
	swap_slot_put(a);
	assert_int_equal(swap_slot_alloc(&b), 0);
	assert_int_equal(b, a + 1);
	swap_slot_put(b);
	/* All 16 are reached before wrapping back to the first. */
	uint32_t got[16];
	for (int i = 0; i < 16; i++)
		assert_int_equal(swap_slot_alloc(&got[i]), 0);
	assert_int_equal(swap_slot_alloc(&c), -ENOSPC);
	for (int i = 0; i < 16; i++)
		swap_slot_put(got[i]);
	assert_int_equal(stats().free, 16);
	disk_free(d);
}

/* Misuse of the reference counts is caught, not silently absorbed. */
static void test_refcount_misuse_panics(void **state)
{
	(void)state;
	struct fake_disk *d = disk_new(9 * PAGE_SIZE, 9 * PAGE_SIZE);
	assert_int_equal(swap_init(&d->dev), 0);
	uint32_t s;
	assert_int_equal(swap_slot_alloc(&s), 0);
	assert_true(HOST_EXPECT_PANIC(swap_slot_put(s + 1)));
	assert_true(HOST_EXPECT_PANIC(swap_slot_dup(0)));
	assert_true(HOST_EXPECT_PANIC(swap_slot_put(100)));
	uint8_t page[PAGE_SIZE] = { 0 };
	assert_true(HOST_EXPECT_PANIC(swap_write_page(s + 1, page)));

	/* A reference count at its limit refuses one more. */
	for (uint32_t i = 1; i < SWAP_SLOT_MAX_REFS; i++)
		swap_slot_dup(s);
	assert_int_equal(swap_slot_refs(s), SWAP_SLOT_MAX_REFS);
	assert_true(HOST_EXPECT_PANIC(swap_slot_dup(s)));
	for (uint32_t i = 0; i < SWAP_SLOT_MAX_REFS; i++)
		swap_slot_put(s);
	assert_int_equal(stats().free, 8);
	disk_free(d);
}

/* Pages written to slots come back intact; counters follow. */
static void test_io_roundtrip(void **state)
{
	(void)state;
	struct fake_disk *d = disk_new(65 * PAGE_SIZE, 65 * PAGE_SIZE);
	assert_int_equal(swap_init(&d->dev), 0);
	struct swap_stats base = stats();
	static uint8_t page[PAGE_SIZE], back[PAGE_SIZE];
	uint32_t slots[64];

	for (int i = 0; i < 64; i++) {
		assert_int_equal(swap_slot_alloc(&slots[i]), 0);
		for (uint32_t j = 0; j < PAGE_SIZE; j++)
			page[j] = (uint8_t)(i * 7 + j * 13);
		assert_int_equal(swap_write_page(slots[i], page), 0);
		/* The page landed at its slot's offset on the device. */
		assert_memory_equal(d->data + (uint64_t)slots[i] * PAGE_SIZE,
				    page, PAGE_SIZE);
	}
	/* The header survived every write. */
	assert_memory_equal(d->data + SWAP_MAGIC_OFFSET, "SWAPSPACE2", 10);
	for (int i = 63; i >= 0; i--) {
		assert_int_equal(swap_read_page(slots[i], back), 0);
		for (uint32_t j = 0; j < PAGE_SIZE; j++)
			assert_int_equal(back[j], (uint8_t)(i * 7 + j * 13));
	}
	struct swap_stats st = stats();
	assert_int_equal(st.writes - base.writes, 64);
	assert_int_equal(st.reads - base.reads, 64);
	assert_int_equal(st.write_errors, base.write_errors);
	for (int i = 0; i < 64; i++)
		swap_slot_put(slots[i]);
	disk_free(d);
}

/* Device errors come back as -EIO, are counted, and change nothing else. */
static void test_io_errors(void **state)
{
	(void)state;
	struct fake_disk *d = disk_new(17 * PAGE_SIZE, 17 * PAGE_SIZE);
	assert_int_equal(swap_init(&d->dev), 0);
	struct swap_stats base = stats();
	static uint8_t page[PAGE_SIZE], back[PAGE_SIZE];
	memset(page, 0xAB, sizeof(page));

	uint32_t s;
	assert_int_equal(swap_slot_alloc(&s), 0);
	d->fail_write = 2;
	d->nwrites = 0;
	assert_int_equal(swap_write_page(s, page), 0);
	assert_int_equal(swap_write_page(s, page), -EIO);
	assert_int_equal(swap_write_page(s, page), 0);
	/* The failed write left the slot allocated. */
	assert_int_equal(swap_slot_refs(s), 1);
	d->fail_write = 0;

	d->fail_read = 1;
	assert_int_equal(swap_read_page(s, back), -EIO);
	d->fail_read = 0;
	assert_int_equal(swap_read_page(s, back), 0);
	assert_memory_equal(back, page, PAGE_SIZE);

	struct swap_stats st = stats();
	assert_int_equal(st.writes - base.writes, 2);
	assert_int_equal(st.write_errors - base.write_errors, 1);
	assert_int_equal(st.reads - base.reads, 1);
	assert_int_equal(st.read_errors - base.read_errors, 1);
	swap_slot_put(s);
	assert_int_equal(swap_init(NULL), 0);

	/* Swap off: no slots, and I/O refused. */
	assert_int_equal(swap_slot_alloc(&s), -ENOSPC);
	assert_int_equal(swap_read_page(1, back), -EIO);
	assert_int_equal(swap_write_page(1, page), -EIO);
	disk_free(d);

	/* The header cannot be read, or a blank one cannot be written. */
	d = disk_new(17 * PAGE_SIZE, 17 * PAGE_SIZE);
	d->fail_read = 1;
	expect_refused(d, -EIO, "cannot read the header of fakedisk");
	d->fail_read = 0;
	d->fail_write = 1;
	expect_refused(d, -EIO, "cannot format blank fakedisk");
	disk_free(d);
}

/* A device larger than a swap PTE can address uses its first pages. */
static void test_huge_device_clipped(void **state)
{
	(void)state;
	struct fake_disk *d = disk_new(
		((uint64_t)SWAP_MAX_SLOTS + 100) * PAGE_SIZE, PAGE_SIZE);
	host_log_clear();
	assert_int_equal(swap_init(&d->dev), 0);
	assert_int_equal(header(d)->last_page, SWAP_MAX_SLOTS - 1);
	assert_int_equal(stats().total, SWAP_MAX_SLOTS - 1);
	uint32_t s;
	assert_int_equal(swap_slot_alloc(&s), 0);
	assert_true(s < SWAP_MAX_SLOTS);
	swap_slot_put(s);

	/* A header (say from mkswap) with more pages than that. */
	assert_int_equal(swap_init(NULL), 0);
	header(d)->last_page = SWAP_MAX_SLOTS + 50;
	host_log_clear();
	assert_int_equal(swap_init(&d->dev), 0);
	assert_non_null(strstr(host_log, "larger than a swap entry can "
					 "address"));
	assert_int_equal(stats().total, SWAP_MAX_SLOTS - 1);
	disk_free(d);
}

/*
 * swapon and swapoff's steps: swap_on() refuses a blank device and a
 * second area; draining hands out no slot, cannot finish while one is in
 * use, and goes back to normal use when cancelled.
 */
static void test_swapon_and_drain(void **state)
{
	(void)state;
	struct fake_disk *blank = disk_new(40 * PAGE_SIZE, 40 * PAGE_SIZE);
	struct fake_disk *d =
		mkswap_disk(33 * PAGE_SIZE, 33 * PAGE_SIZE, "", 0);

	assert_int_equal(swap_init(NULL), 0);
	host_log_clear();
	assert_int_equal(swap_on(&blank->dev, 3), -EINVAL);
	assert_non_null(strstr(host_log, "no swap signature"));
	assert_false(swap_enabled());
	assert_true(all_zero_page(blank->data));

	assert_int_equal(swap_on(&d->dev, 7), 0);
	assert_int_equal(stats().prio, 7);
	assert_ptr_equal(swap_device(), &d->dev);
	assert_int_equal(swap_on(&d->dev, 1), -EBUSY);
	assert_int_equal(swap_on(&blank->dev, 1), -EINVAL);

	uint32_t slot, other;
	assert_int_equal(swap_slot_alloc(&slot), 0);
	assert_int_equal(swap_drain_begin(&blank->dev), -EINVAL);
	assert_int_equal(swap_drain_begin(&d->dev), 0);
	assert_true(swap_draining());
	assert_int_equal(swap_slot_alloc(&other), -ENOSPC);
	assert_int_equal(swap_drain_finish(), -EBUSY);
	swap_drain_cancel();
	assert_false(swap_draining());
	assert_int_equal(swap_slot_alloc(&other), 0);
	swap_slot_put(other);

	assert_int_equal(swap_drain_begin(&d->dev), 0);
	swap_slot_put(slot);
	assert_int_equal(swap_drain_finish(), 0);
	assert_false(swap_enabled());
	assert_false(swap_draining());
	assert_int_equal(stats().total, 0);

	/* The boot's swap_init gives Linux's default priority. */
	assert_int_equal(swap_init(&d->dev), 0);
	assert_int_equal(stats().prio, SWAP_PRIO_DEFAULT);
	assert_int_equal(swap_init(NULL), 0);
	disk_free(blank);
	disk_free(d);
}

/* The area a global slot number belongs to, by which disk it writes. */
static struct fake_disk *slot_disk(uint32_t slot, struct fake_disk **d,
				   unsigned int n)
{
	uint8_t page[PAGE_SIZE];
	memset(page, 0x5A, sizeof(page));
	unsigned int before[8];
	for (unsigned int i = 0; i < n; i++) {
		/* A failure that never comes makes the disk count writes. */
		d[i]->fail_write = UINT32_MAX;
		before[i] = d[i]->nwrites;
	}
	assert_int_equal(swap_write_page(slot, page), 0);
	struct fake_disk *hit = NULL;
	for (unsigned int i = 0; i < n; i++)
		if (d[i]->nwrites != before[i]) {
			assert_null(hit);
			hit = d[i];
		}
	assert_non_null(hit);
	return hit;
}

/*
 * Several areas: disjoint slot numbers, the highest priority first, equal
 * priorities in turn, default priorities -2, -3 closing up when one goes,
 * swapoff of one area while the others stay.
 */
static void test_several_areas(void **state)
{
	(void)state;
	struct fake_disk *d[3] = {
		mkswap_disk(12 * PAGE_SIZE, 12 * PAGE_SIZE, "", 0),
		mkswap_disk(20 * PAGE_SIZE, 20 * PAGE_SIZE, "", 0),
		mkswap_disk(10 * PAGE_SIZE, 10 * PAGE_SIZE, "", 0),
	};
	uint32_t slots[40];

	assert_int_equal(swap_init(NULL), 0);
	assert_int_equal(swap_on(&d[0]->dev, 5), 0);
	assert_int_equal(swap_on(&d[1]->dev, 5), 0);
	assert_int_equal(swap_on(&d[2]->dev, 9), 0);
	assert_int_equal(stats().total, 11 + 19 + 9);
	assert_int_equal(stats().areas, 3);
	assert_true(swap_in_use(&d[1]->dev));

	/* Priority 9 first: its nine slots, all on d[2]. */
	for (int i = 0; i < 9; i++) {
		assert_int_equal(swap_slot_alloc(&slots[i]), 0);
		assert_ptr_equal(slot_disk(slots[i], d, 3), d[2]);
	}
	/* Then the two areas of priority 5 in turn. */
	struct fake_disk *prev = NULL;
	for (int i = 9; i < 31; i++) {
		assert_int_equal(swap_slot_alloc(&slots[i]), 0);
		struct fake_disk *now = slot_disk(slots[i], d, 3);
		assert_true(now != d[2]);
		assert_true(now != prev);
		prev = now;
	}
	/* d[0] is full (11 slots): the rest comes from d[1] alone. */
	for (int i = 31; i < 39; i++) {
		assert_int_equal(swap_slot_alloc(&slots[i]), 0);
		assert_ptr_equal(slot_disk(slots[i], d, 3), d[1]);
	}
	assert_int_equal(swap_slot_alloc(&slots[39]), -ENOSPC);
	/* Every number is different, and reads back what was written. */
	for (int i = 0; i < 39; i++)
		for (int j = 0; j < i; j++)
			assert_true(slots[i] != slots[j]);
	uint8_t page[PAGE_SIZE];
	assert_int_equal(swap_read_page(slots[5], page), 0);
	assert_int_equal(page[100], 0x5A);

	/* swapoff d[2]: its slots go, the others stay allocated. */
	assert_int_equal(swap_drain_begin(&d[2]->dev), 0);
	for (int i = 0; i < 39; i++)
		assert_int_equal(swap_slot_draining(slots[i]), i < 9);
	assert_int_equal(swap_drain_finish(), -EBUSY);
	for (int i = 0; i < 9; i++)
		swap_slot_put(slots[i]);
	assert_int_equal(swap_drain_finish(), 0);
	assert_false(swap_in_use(&d[2]->dev));
	assert_true(swap_in_use(&d[0]->dev));
	assert_int_equal(stats().areas, 2);
	for (int i = 9; i < 39; i++)
		swap_slot_put(slots[i]);

	/* Without a priority: -2, then -3; -3 becomes -2 when -2 goes. */
	assert_int_equal(swap_init(NULL), 0);
	assert_int_equal(swap_on(&d[0]->dev, SWAP_PRIO_NONE), 0);
	assert_int_equal(swap_on(&d[1]->dev, SWAP_PRIO_NONE), 0);
	struct swap_area_stats a;
	assert_int_equal(swap_get_area_stats(0, &a), 0);
	assert_ptr_equal(a.dev, &d[0]->dev);
	assert_int_equal(a.prio, -2);
	assert_int_equal(swap_get_area_stats(1, &a), 0);
	assert_int_equal(a.prio, -3);
	assert_int_equal(swap_get_area_stats(2, &a), -ENOENT);
	assert_int_equal(swap_drain_begin(&d[0]->dev), 0);
	assert_int_equal(swap_drain_finish(), 0);
	assert_int_equal(swap_get_area_stats(0, &a), 0);
	assert_ptr_equal(a.dev, &d[1]->dev);
	assert_int_equal(a.prio, -2);
	assert_int_equal(swap_init(NULL), 0);
	for (int i = 0; i < 3; i++)
		disk_free(d[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mkswap_sizes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_several_areas, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mkswap_label_uuid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_pages, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_blank_format, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid_headers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated_images, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slot_alloc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cursor_rotates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refcount_misuse_panics,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_io_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_swapon_and_drain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_huge_device_clipped, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
