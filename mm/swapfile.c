/*
 * mm/swapfile.c - the swap area: its header and its slot allocator.
 *
 * The area is a block device in Linux's swap format (mm/swap.h): page 0
 * holds the header, pages 1 .. last_page are slots of one page each, and
 * the pages the header lists as bad are never used. swap_init() reads the
 * header and checks every field against the device before trusting it; an
 * all-zero first page is a blank device and gets a fresh header.
 *
 * The slot map is two arrays over slots 0 .. last_page:
 *
 *   refs[slot]   how many swap PTEs (and shared objects) point at the slot;
 *                REFS_UNUSABLE for the header and bad pages
 *   used         a bitmap with a bit set for every slot that is allocated
 *                or unusable, searched for a clear bit from a cursor that
 *                moves on after each allocation, so consecutive evictions
 *                get consecutive slots and the search does not restart at
 *                the crowded beginning every time
 *
 * Invariants: bit s of used is set exactly when refs[s] != 0; nfree is the
 * number of clear bits; the header and bad pages stay REFS_UNUSABLE for the
 * life of the area.
 *
 * Locking: slot map updates disable interrupts (port_irq_save); page I/O
 * runs with interrupts as the caller left them, on a slot the caller holds
 * a reference to, so the map cannot change under it.
 *
 * The device is reached only through struct block_device (mm/blockdev.h),
 * so this file runs unchanged on the host against a fake disk.
 */
#include "mm/swap.h"

#include "libk/assert.h"
#include "libk/bitmap.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/blockdev.h"
#include "mm/port.h"
#include "mm/slab.h"
#include "mm/trace.h"

/* refs[] value of slots that are never allocated (header, bad pages). */
#define REFS_UNUSABLE 0xFFFFu

STATIC_ASSERT(SWAP_SLOT_MAX_REFS < REFS_UNUSABLE, "refs marker");

/* The one swap area (Pagoda, like many small kernels, has one). */
static struct swap_area {
	struct block_device *dev; /* NULL: swap is off */
	uint32_t last_page;	  /* highest slot number */
	uint16_t *refs;		  /* last_page + 1 reference counts */
	uint32_t *used_words;	  /* storage of used */
	struct bitmap used;	  /* set: allocated or unusable */
	uint32_t cursor;	  /* where the next search starts */
	uint32_t total;		  /* usable slots */
	uint32_t nfree;		  /* usable slots not allocated */
	uint32_t bad;		  /* bad pages from the header */
	int prio;		  /* swapon's priority (/proc/swaps) */
	bool draining;		  /* swapoff in progress: no new slots */
} area;

/*
 * Page I/O counters since boot. Like Linux's pswpin/pswpout they count
 * events, not the state of one area, so swap_init() does not reset them.
 */
static struct {
	uint64_t writes, reads; /* pages moved successfully */
	uint64_t write_errors, read_errors;
} io;

/* A little-endian 32-bit value, read without assuming alignment. */
static uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static void put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static uint32_t swab32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) |
	       (v << 24);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Fills a blank first page with a version 1 header for a device of
 * dev_pages pages: no bad pages, a random (version 4) UUID, our label.
 */
static void make_header(uint8_t *page, uint64_t dev_pages)
{
	struct swap_header_v1 *h = (struct swap_header_v1 *)page;
	uint64_t last = dev_pages - 1;
	if (last > SWAP_MAX_SLOTS - 1)
		last = SWAP_MAX_SLOTS - 1;

	memset(page, 0, PAGE_SIZE);
	put_le32(&h->version, SWAP_HEADER_VERSION);
	put_le32(&h->last_page, (uint32_t)last);
	put_le32(&h->nr_badpages, 0);
	for (int i = 0; i < 16; i += 4) {
		uint32_t x = port_random_u32();
		memcpy(&h->uuid[i], &x, sizeof(x));
	}
	/* RFC 4122, 4.4: version 4 (random), variant 10. */
	h->uuid[6] = (uint8_t)((h->uuid[6] & 0x0F) | 0x40);
	h->uuid[8] = (uint8_t)((h->uuid[8] & 0x3F) | 0x80);
	strlcpy(h->volume_name, SWAP_LABEL, sizeof(h->volume_name));
	memcpy(page + SWAP_MAGIC_OFFSET, SWAP_MAGIC_V1, SWAP_MAGIC_LEN);
}

/* What check_header() learned from a valid header. */
struct header_info {
	uint32_t last_page;
	uint32_t nr_bad;
	bool clipped; /* last_page was cut to SWAP_MAX_SLOTS - 1 */
};

/*
 * Validates the first page of a device of dev_pages pages. Returns 0 and
 * fills *hi, or -EINVAL with the reason in why[0..len).
 */
static int check_header(const uint8_t *page, uint64_t dev_pages,
			struct header_info *hi, char *why, size_t len)
{
	const struct swap_header_v1 *h = (const struct swap_header_v1 *)page;
	const uint8_t *magic = page + SWAP_MAGIC_OFFSET;

	if (!memcmp(magic, SWAP_MAGIC_V0, SWAP_MAGIC_LEN)) {
		snprintf(why, len,
			 "obsolete version 0 format (SWAP-SPACE "
			 "signature); recreate it with mkswap");
		return -EINVAL;
	}
	if (memcmp(magic, SWAP_MAGIC_V1, SWAP_MAGIC_LEN)) {
		snprintf(why, len, "no SWAPSPACE2 signature");
		return -EINVAL;
	}
	uint32_t version = get_le32(&h->version);
	if (version != SWAP_HEADER_VERSION) {
		if (swab32(version) == SWAP_HEADER_VERSION)
			snprintf(why, len,
				 "byte-swapped header (made on a "
				 "big-endian machine)");
		else
			snprintf(why, len,
				 "version %u (only version 1 is "
				 "supported)",
				 version);
		return -EINVAL;
	}
	uint32_t last = get_le32(&h->last_page);
	if (last == 0) {
		snprintf(why, len, "last_page is 0: no room for any slot");
		return -EINVAL;
	}
	if (last >= dev_pages) {
		snprintf(why, len,
			 "last_page %u is beyond the device's %llu "
			 "pages",
			 last, (unsigned long long)dev_pages);
		return -EINVAL;
	}
	uint32_t nbad = get_le32(&h->nr_badpages);
	if (nbad > SWAP_MAX_BADPAGES) {
		snprintf(why, len,
			 "%u bad pages listed (at most %u fit in "
			 "the header)",
			 nbad, (unsigned int)SWAP_MAX_BADPAGES);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < nbad; i++) {
		uint32_t b = get_le32(&h->badpages[i]);
		if (b == 0 || b > last) {
			snprintf(why, len,
				 "bad page %u out of range "
				 "(1..%u)",
				 b, last);
			return -EINVAL;
		}
	}
	hi->clipped = last > SWAP_MAX_SLOTS - 1;
	hi->last_page = hi->clipped ? SWAP_MAX_SLOTS - 1 : last;
	hi->nr_bad = nbad;
	return 0;
}

/* Frees the slot map of the current area and turns swap off. */
static void area_release(void)
{
	kfree(area.refs);
	kfree(area.used_words);
	area = (struct swap_area){ 0 };
}

/*
 * Builds the slot map for a header that check_header() accepted: every
 * slot free except slot 0 and the bad pages (within the area).
 */
static int area_build(struct block_device *dev, const uint8_t *page,
		      const struct header_info *hi)
{
	const struct swap_header_v1 *h = (const struct swap_header_v1 *)page;
	uint32_t nslots = hi->last_page + 1;
	uint16_t *refs = kzalloc(nslots * sizeof(*refs), GFP_KERNEL);
	uint32_t *words =
		kmalloc(BITMAP_WORDS(nslots) * sizeof(uint32_t), GFP_KERNEL);
	if (!refs || !words) {
		kfree(refs);
		kfree(words);
		return -ENOMEM;
	}

	area.dev = dev;
	area.last_page = hi->last_page;
	area.refs = refs;
	area.used_words = words;
	bitmap_init(&area.used, words, nslots);
	area.refs[0] = REFS_UNUSABLE;
	bitmap_set(&area.used, 0);
	area.bad = 0;
	for (uint32_t i = 0; i < hi->nr_bad; i++) {
		uint32_t b = get_le32(&h->badpages[i]);
		/* Duplicates count once; pages past a clipped area not at all. */
		if (b > area.last_page || area.refs[b] == REFS_UNUSABLE)
			continue;
		area.refs[b] = REFS_UNUSABLE;
		bitmap_set(&area.used, b);
		area.bad++;
	}
	area.total = hi->last_page - area.bad;
	area.nfree = area.total;
	area.cursor = 1;
	return 0;
}

/* Formats "xxxxxxxx-xxxx-..." into out (37 bytes). */
static void uuid_string(const uint8_t *u, char *out, size_t len)
{
	snprintf(out, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/*
 * Reads and checks dev's header and builds the slot map; a blank device is
 * formatted when format_blank, refused otherwise. Swap must be off.
 */
static int area_setup(struct block_device *dev, bool format_blank)
{
	uint8_t *page = NULL;
	char why[96];
	int err;

	if (dev->sector_size == 0 || dev->sector_size > PAGE_SIZE ||
	    PAGE_SIZE % dev->sector_size) {
		pr_err("swap: %s has %u-byte sectors, which do not divide a "
		       "page; running without swap\n",
		       dev->name, dev->sector_size);
		return -EINVAL;
	}
	uint64_t dev_pages = block_pages(dev);
	if (dev_pages < 2) {
		pr_err("swap: %s is too small (%llu bytes; at least 2 pages "
		       "are needed); running without swap\n",
		       dev->name,
		       (unsigned long long)(dev->sectors * dev->sector_size));
		return -EINVAL;
	}

	page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!page) {
		err = -ENOMEM;
		goto out_nomem;
	}
	err = block_read_page(dev, 0, page);
	if (err) {
		pr_err("swap: cannot read the header of %s (error %d); "
		       "running without swap\n",
		       dev->name, err);
		err = -EIO;
		goto out_free;
	}

	if (all_zero(page, PAGE_SIZE) && !format_blank) {
		pr_err("swap: %s is blank: no swap signature (make one with "
		       "mkswap)\n",
		       dev->name);
		err = -EINVAL;
		goto out_free;
	}
	if (all_zero(page, PAGE_SIZE)) {
		make_header(page, dev_pages);
		err = block_write_page(dev, 0, page);
		if (err) {
			pr_err("swap: cannot format blank %s (error %d); "
			       "running without swap\n",
			       dev->name, err);
			err = -EIO;
			goto out_free;
		}
		pr_info("swap: formatted blank %s as a version 1 swap area "
			"(label '%s')\n",
			dev->name, SWAP_LABEL);
	}

	struct header_info hi;
	err = check_header(page, dev_pages, &hi, why, sizeof(why));
	if (err) {
		pr_err("swap: bad header on %s: %s; running without swap\n",
		       dev->name, why);
		goto out_free;
	}
	err = area_build(dev, page, &hi);
	if (err)
		goto out_nomem;
	if (area.total == 0) {
		area_release();
		pr_err("swap: bad header on %s: every page is listed as bad; "
		       "running without swap\n",
		       dev->name);
		err = -EINVAL;
		goto out_free;
	}

	const struct swap_header_v1 *h = (const struct swap_header_v1 *)page;
	char label[sizeof(h->volume_name) + 1], uuid[40];
	memcpy(label, h->volume_name, sizeof(h->volume_name));
	label[sizeof(h->volume_name)] = '\0';
	uuid_string(h->uuid, uuid, sizeof(uuid));
	if (hi.clipped)
		pr_warn("swap: %s is larger than a swap entry can address; "
			"using its first %u pages\n",
			dev->name, SWAP_MAX_SLOTS);
	if (area.bad)
		pr_info("swap: %u KiB on %s (%u slots, %u bad pages)\n",
			(area.last_page + 1) * (PAGE_SIZE / 1024), dev->name,
			area.total, area.bad);
	else
		pr_info("swap: %u KiB on %s (%u slots)\n",
			(area.last_page + 1) * (PAGE_SIZE / 1024), dev->name,
			area.total);
	pr_debug("swap: label '%s', UUID %s\n", label, uuid);
	kfree(page);
	return 0;

out_nomem:
	pr_err("swap: out of memory for the slot map of %s; running without "
	       "swap\n",
	       dev->name);
out_free:
	kfree(page);
	return err;
}

/* Sets up swap on dev (or turns it off for NULL). */
int swap_init(struct block_device *dev)
{
	if (area.dev && area.nfree != area.total) {
		pr_err("swap: %u slots of %s are still in use; keeping it\n",
		       area.total - area.nfree, area.dev->name);
		return -EBUSY;
	}
	area_release();
	if (!dev) {
		pr_info("swap: off\n");
		return 0;
	}
	int err = area_setup(dev, true);
	if (!err)
		area.prio = SWAP_PRIO_DEFAULT;
	return err;
}

/*
 * Forgets the area whatever its slots still hold. Only for a machine being
 * reset as a whole: the host tests' teardown after a failed test, whose
 * mappings of slots are gone with the machine. Without it one failure
 * would make every later test's swap_init() fail with -EBUSY.
 */
void swap_forget(void)
{
	swap_cache_forget();
	area_release();
}

int swap_on(struct block_device *dev, int prio)
{
	if (area.dev)
		return -EBUSY;
	int err = area_setup(dev, false);
	if (!err)
		area.prio = prio;
	return err;
}

void swap_drain_begin(void)
{
	KASSERT(area.dev && !area.draining);
	area.draining = true;
}

bool swap_draining(void)
{
	return area.draining;
}

int swap_drain_finish(void)
{
	KASSERT(area.draining);
	if (area.nfree != area.total)
		return -EBUSY;
	area.draining = false;
	return swap_init(NULL);
}

void swap_drain_cancel(void)
{
	area.draining = false;
}

struct block_device *swap_device(void)
{
	return area.dev;
}

bool swap_enabled(void)
{
	return area.dev != NULL;
}

/* Takes a free slot, searching from the cursor and wrapping once. */
int swap_slot_alloc(uint32_t *slot)
{
	bool was = port_irq_save();
	int err = -ENOSPC;

	if (!area.dev || area.nfree == 0 || area.draining)
		goto out;
	size_t s = bitmap_find_first_zero(&area.used, area.cursor);
	if (s >= area.used.nbits)
		s = bitmap_find_first_zero(&area.used, 1);
	/* nfree > 0 promises a clear bit. */
	KASSERT(s < area.used.nbits && area.refs[s] == 0);
	bitmap_set(&area.used, s);
	area.refs[s] = 1;
	area.nfree--;
	area.cursor = (uint32_t)s + 1;
	*slot = (uint32_t)s;
	trace_swap_slot(MM_TRACE_ALLOC, *slot);
	err = 0;
out:
	port_irq_restore(was);
	return err;
}

/* Whether slot is an allocated slot of the current area. */
static bool slot_allocated(uint32_t slot)
{
	return area.dev && slot <= area.last_page && area.refs[slot] != 0 &&
	       area.refs[slot] != REFS_UNUSABLE;
}

/*
 * dup and put check their slot before disabling interrupts: a failed check
 * panics, and the host tests, which catch panics, go on with interrupts
 * as they were.
 */
void swap_slot_dup(uint32_t slot)
{
	KASSERT(slot_allocated(slot));
	KASSERT(area.refs[slot] < SWAP_SLOT_MAX_REFS);
	bool was = port_irq_save();
	area.refs[slot]++;
	port_irq_restore(was);
}

void swap_slot_put(uint32_t slot)
{
	KASSERT(slot_allocated(slot));
	bool was = port_irq_save();
	if (--area.refs[slot] == 0) {
		bitmap_clear(&area.used, slot);
		area.nfree++;
		trace_swap_slot(MM_TRACE_FREE, slot);
	}
	port_irq_restore(was);
}

uint32_t swap_slot_refs(uint32_t slot)
{
	return slot_allocated(slot) ? area.refs[slot] : 0;
}

int swap_write_page(uint32_t slot, const void *page)
{
	if (!area.dev)
		return -EIO;
	KASSERT(slot_allocated(slot));
	if (block_write_page(area.dev, slot, page)) {
		io.write_errors++;
		return -EIO;
	}
	io.writes++;
	return 0;
}

int swap_read_page(uint32_t slot, void *page)
{
	if (!area.dev)
		return -EIO;
	KASSERT(slot_allocated(slot));
	if (block_read_page(area.dev, slot, page)) {
		io.read_errors++;
		return -EIO;
	}
	io.reads++;
	return 0;
}

void swap_get_stats(struct swap_stats *st)
{
	bool was = port_irq_save();
	*st = (struct swap_stats){
		.total = area.total,
		.free = area.nfree,
		.writes = io.writes,
		.reads = io.reads,
		.write_errors = io.write_errors,
		.read_errors = io.read_errors,
		.bad = area.bad,
		.device = area.dev ? area.dev->name : NULL,
		.prio = area.prio,
	};
	port_irq_restore(was);
}
