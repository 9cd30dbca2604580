/*
 * mm/swapfile.c - the swap areas: their headers and the slot allocator.
 *
 * An area is a block device in Linux's swap format (mm/swap.h): page 0
 * holds the header, pages 1 .. last_page are slots of one page each, and
 * the pages the header lists as bad are never used. swap_init() reads the
 * header and checks every field against the device before trusting it; an
 * all-zero first page is a blank device and gets a fresh header.
 *
 * Up to SWAP_MAX_AREAS areas are active at once (swapon). The slot
 * numbers of all of them share one space, the one a swap PTE can hold
 * (SWAP_MAX_SLOTS): each area owns the range [base, base + last_page] of
 * it, given at swapon (the lowest free range that fits), so that a slot
 * number alone names its area and its page there (slot - base), and the
 * rest of mm/ never needs to know that there are several areas:
 *
 *   global slots  0      1024           5120                    2^20
 *                 |ram0: 1024 pages|ram1: 4096 pages |   free ...  |
 *                  ^ slot 0 is ram0's header, never handed out
 *
 * Which area a new slot comes from follows Linux's priorities: the areas
 * of the highest priority that have free slots, and among several of that
 * priority, each in turn (round robin, one slot at a time). An area being
 * drained by swapoff gives no new slots.
 *
 * Each area's slot map is two arrays over its slots 0 .. last_page:
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

/* One active area (or a free entry of areas[], dev NULL). */
struct swap_area {
	struct block_device *dev; /* NULL: the entry is free */
	uint32_t base;		  /* its slot 0's global slot number */
	uint32_t last_page;	  /* highest slot number (in the area) */
	uint16_t *refs;		  /* last_page + 1 reference counts */
	uint32_t *used_words;	  /* storage of used */
	struct bitmap used;	  /* set: allocated or unusable */
	uint32_t cursor;	  /* where the next search starts */
	uint32_t total;		  /* usable slots */
	uint32_t nfree;		  /* usable slots not allocated */
	uint32_t bad;		  /* bad pages from the header */
	int prio;		  /* swapon's priority (/proc/swaps) */
	bool draining;		  /* swapoff in progress: no new slots */
	uint32_t seq;		  /* swapon order, for /proc/swaps */
};

static struct swap_area areas[SWAP_MAX_AREAS];
/*
 * Every active area is in areas[0 .. areas_used - 1]: the searches on the
 * swap path (a slot's area, the next slot's area) look at as many entries
 * as there were areas at most, one on most machines, not at all eight.
 */
static unsigned int areas_used;
/* The area the last slot came from (round robin among equals). */
static unsigned int last_alloc;
static uint32_t swapon_seq;
/* The lowest priority given so far to an area swapped on without one. */
static int least_prio = SWAP_PRIO_DEFAULT + 1;

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

/* Sets areas_used after an area came or went. */
static void count_areas(void)
{
	areas_used = 0;
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++)
		if (areas[i].dev)
			areas_used = i + 1;
}

/* Frees an area's slot map and the entry. */
static void area_release(struct swap_area *a)
{
	kfree(a->refs);
	kfree(a->used_words);
	*a = (struct swap_area){ 0 };
	count_areas();
}

/*
 * The lowest global slot number from which nslots slots are free of
 * every active area but self, or UINT32_MAX. Areas are few: a scan of them for
 * each candidate start (0, and the end of each area) is enough.
 */
static uint32_t free_slot_range(const struct swap_area *self, uint32_t nslots)
{
	uint32_t cand[SWAP_MAX_AREAS + 1];
	unsigned int n = 0;
	cand[n++] = 0;
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++)
		if (areas[i].dev && &areas[i] != self)
			cand[n++] = areas[i].base + areas[i].last_page + 1;
	uint32_t best = UINT32_MAX;
	for (unsigned int c = 0; c < n; c++) {
		uint64_t s = cand[c], e = s + nslots;
		bool ok = e <= SWAP_MAX_SLOTS;
		for (unsigned int i = 0; ok && i < SWAP_MAX_AREAS; i++) {
			const struct swap_area *a = &areas[i];
			if (a->dev && a != self &&
			    s <= a->base + a->last_page && a->base < e)
				ok = false;
		}
		if (ok && s < best)
			best = (uint32_t)s;
	}
	return best;
}

/*
 * Builds the slot map for a header that check_header() accepted: every
 * slot free except slot 0 and the bad pages (within the area).
 */
static int area_build(struct swap_area *a, struct block_device *dev,
		      const uint8_t *page, const struct header_info *hi)
{
	struct swap_area area = { 0 };
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
	*a = area;
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
 * Reads and checks dev's header and builds the slot map in the free entry
 * a; a blank device is formatted when format_blank, refused otherwise.
 */
static int area_setup(struct swap_area *a, struct block_device *dev,
		      bool format_blank)
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
	err = area_build(a, dev, page, &hi);
	if (err)
		goto out_nomem;
	if (a->total == 0) {
		area_release(a);
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
	uint32_t base = free_slot_range(a, a->last_page + 1);
	if (base == UINT32_MAX) {
		pr_err("swap: %s does not fit in the %u slots swap entries "
		       "can address beside the other areas\n",
		       dev->name, SWAP_MAX_SLOTS);
		area_release(a);
		err = -EINVAL;
		goto out_free;
	}
	a->base = base;
	a->seq = ++swapon_seq;
	count_areas();
	if (a->bad)
		pr_info("swap: %u KiB on %s (%u slots, %u bad pages)\n",
			(a->last_page + 1) * (PAGE_SIZE / 1024), dev->name,
			a->total, a->bad);
	else
		pr_info("swap: %u KiB on %s (%u slots)\n",
			(a->last_page + 1) * (PAGE_SIZE / 1024), dev->name,
			a->total);
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

/* Whether any area still has slots in use (said in the log). */
static bool any_in_use(void)
{
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++) {
		struct swap_area *a = &areas[i];
		if (a->dev && a->nfree != a->total) {
			pr_err("swap: %u slots of %s are still in use; keeping "
			       "it\n",
			       a->total - a->nfree, a->dev->name);
			return true;
		}
	}
	return false;
}

/* Sets up swap on dev alone (or turns it off for NULL). */
int swap_init(struct block_device *dev)
{
	if (any_in_use())
		return -EBUSY;
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++)
		area_release(&areas[i]);
	least_prio = SWAP_PRIO_DEFAULT + 1;
	if (!dev) {
		pr_info("swap: off\n");
		return 0;
	}
	int err = area_setup(&areas[0], dev, true);
	if (!err)
		areas[0].prio = --least_prio;
	return err;
}

/*
 * Forgets the areas whatever their slots still hold. Only for a machine
 * being reset as a whole: the host tests' teardown after a failed test,
 * whose mappings of slots are gone with the machine. Without it one
 * failure would make every later test's swap_init() fail with -EBUSY.
 */
void swap_forget(void)
{
	swap_cache_forget();
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++)
		area_release(&areas[i]);
}

/* The active area on dev, or NULL. */
static struct swap_area *area_of_dev(const struct block_device *dev)
{
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++)
		if (areas[i].dev && areas[i].dev == dev)
			return &areas[i];
	return NULL;
}

int swap_on(struct block_device *dev, int prio)
{
	if (area_of_dev(dev))
		return -EBUSY;
	struct swap_area *a = NULL;
	for (unsigned int i = 0; i < SWAP_MAX_AREAS && !a; i++)
		if (!areas[i].dev)
			a = &areas[i];
	if (!a)
		return -EPERM; /* Linux: MAX_SWAPFILES areas are on */
	int err = area_setup(a, dev, false);
	if (!err)
		a->prio = prio == SWAP_PRIO_NONE ? --least_prio : prio;
	return err;
}

bool swap_in_use(const struct block_device *dev)
{
	return area_of_dev(dev) != NULL;
}

int swap_drain_begin(struct block_device *dev)
{
	struct swap_area *a = area_of_dev(dev);
	if (!a)
		return -EINVAL;
	KASSERT(!a->draining);
	a->draining = true;
	return 0;
}

bool swap_draining(void)
{
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++)
		if (areas[i].dev && areas[i].draining)
			return true;
	return false;
}

/* The area holding global slot number slot, or NULL. */
static inline struct swap_area *area_of_slot(uint32_t slot)
{
	for (unsigned int i = 0; i < areas_used; i++) {
		struct swap_area *a = &areas[i];
		if (a->dev && slot >= a->base && slot - a->base <= a->last_page)
			return a;
	}
	return NULL;
}

bool swap_slot_draining(uint32_t slot)
{
	struct swap_area *a = area_of_slot(slot);
	return a && a->draining;
}

int swap_drain_finish(void)
{
	int err = 0;
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++) {
		struct swap_area *a = &areas[i];
		if (!a->dev || !a->draining)
			continue;
		if (a->nfree != a->total) {
			err = -EBUSY;
			continue;
		}
		pr_info("swap: %s off\n", a->dev->name);
		/*
		 * As Linux: an area that got its priority by default leaves
		 * a gap the default areas below it close.
		 */
		if (a->prio < 0) {
			for (unsigned int k = 0; k < SWAP_MAX_AREAS; k++)
				if (areas[k].dev && areas[k].prio < a->prio)
					areas[k].prio++;
			least_prio++;
		}
		area_release(a);
	}
	return err;
}

void swap_drain_cancel(void)
{
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++)
		areas[i].draining = false;
}

struct block_device *swap_device(void)
{
	for (unsigned int i = 0; i < areas_used; i++)
		if (areas[i].dev)
			return areas[i].dev;
	return NULL;
}

bool swap_enabled(void)
{
	return areas_used != 0;
}

/*
 * The area the next slot comes from: of the areas with free slots that
 * are not being drained, those of the highest priority, and among them
 * the first after the one used last (round robin). NULL if none.
 */
static struct swap_area *pick_area(void)
{
	/* One area (the usual machine): no priorities to weigh. */
	if (areas_used == 1) {
		struct swap_area *a = &areas[0];
		return a->draining || a->nfree == 0 ? NULL : a;
	}
	struct swap_area *best = NULL;
	unsigned int best_dist = 0;
	for (unsigned int i = 0; i < areas_used; i++) {
		struct swap_area *a = &areas[i];
		if (!a->dev || a->draining || a->nfree == 0)
			continue;
		/* Distance after the last used area, 1 .. SWAP_MAX_AREAS. */
		unsigned int dist = (i + SWAP_MAX_AREAS - last_alloc - 1) %
					    SWAP_MAX_AREAS +
				    1;
		if (!best || a->prio > best->prio ||
		    (a->prio == best->prio && dist < best_dist)) {
			best = a;
			best_dist = dist;
		}
	}
	return best;
}

/* Takes a free slot, searching from the cursor and wrapping once. */
int swap_slot_alloc(uint32_t *slot)
{
	bool was = port_irq_save();
	int err = -ENOSPC;

	struct swap_area *a = pick_area();
	if (!a)
		goto out;
	last_alloc = (unsigned int)(a - areas);
	/*
	 * The slot after the last one taken is usually free (eviction fills
	 * an area in order, and a slot freed behind the cursor waits for the
	 * wrap): test it before searching.
	 */
	size_t s = a->cursor;
	if (s >= a->used.nbits || bitmap_test(&a->used, s)) {
		s = bitmap_find_first_zero(&a->used, a->cursor);
		if (s >= a->used.nbits)
			s = bitmap_find_first_zero(&a->used, 1);
	}
	/* nfree > 0 promises a clear bit. */
	KASSERT(s < a->used.nbits && a->refs[s] == 0);
	bitmap_set(&a->used, s);
	a->refs[s] = 1;
	a->nfree--;
	a->cursor = (uint32_t)s + 1;
	*slot = a->base + (uint32_t)s;
	trace_swap_slot(MM_TRACE_ALLOC, *slot);
	err = 0;
out:
	port_irq_restore(was);
	return err;
}

/* The area of an allocated slot (else NULL), and the slot's index there. */
static inline struct swap_area *slot_allocated(uint32_t slot, uint32_t *local)
{
	struct swap_area *a = area_of_slot(slot);
	if (!a)
		return NULL;
	*local = slot - a->base;
	if (a->refs[*local] == 0 || a->refs[*local] == REFS_UNUSABLE)
		return NULL;
	return a;
}

/*
 * dup and put check their slot before disabling interrupts: a failed check
 * panics, and the host tests, which catch panics, go on with interrupts
 * as they were.
 */
void swap_slot_dup(uint32_t slot)
{
	uint32_t i = 0;
	struct swap_area *a = slot_allocated(slot, &i);
	KASSERT(a);
	KASSERT(a->refs[i] < SWAP_SLOT_MAX_REFS);
	bool was = port_irq_save();
	a->refs[i]++;
	port_irq_restore(was);
}

void swap_slot_put(uint32_t slot)
{
	uint32_t i = 0;
	struct swap_area *a = slot_allocated(slot, &i);
	KASSERT(a);
	bool was = port_irq_save();
	if (--a->refs[i] == 0) {
		bitmap_clear(&a->used, i);
		a->nfree++;
		trace_swap_slot(MM_TRACE_FREE, slot);
	}
	port_irq_restore(was);
}

uint32_t swap_slot_refs(uint32_t slot)
{
	uint32_t i = 0;
	struct swap_area *a = slot_allocated(slot, &i);
	return a ? a->refs[i] : 0;
}

int swap_write_page(uint32_t slot, const void *page)
{
	struct swap_area *a = area_of_slot(slot);
	if (!a)
		return -EIO;
	uint32_t i = slot - a->base;
	KASSERT(a->refs[i] != 0 && a->refs[i] != REFS_UNUSABLE);
	if (block_write_page(a->dev, i, page)) {
		io.write_errors++;
		return -EIO;
	}
	io.writes++;
	return 0;
}

int swap_read_page(uint32_t slot, void *page)
{
	struct swap_area *a = area_of_slot(slot);
	if (!a)
		return -EIO;
	uint32_t i = slot - a->base;
	KASSERT(a->refs[i] != 0 && a->refs[i] != REFS_UNUSABLE);
	if (block_read_page(a->dev, i, page)) {
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
		.writes = io.writes,
		.reads = io.reads,
		.write_errors = io.write_errors,
		.read_errors = io.read_errors,
	};
	/* The first area (in swapon order) names the device. */
	uint32_t first = UINT32_MAX;
	for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++) {
		const struct swap_area *a = &areas[i];
		if (!a->dev)
			continue;
		st->total += a->total;
		st->free += a->nfree;
		st->bad += a->bad;
		st->areas++;
		if (a->seq < first) {
			first = a->seq;
			st->device = a->dev->name;
			st->prio = a->prio;
		}
	}
	port_irq_restore(was);
}

int swap_get_area_stats(unsigned int n, struct swap_area_stats *st)
{
	/* The nth area in swapon order, as /proc/swaps lists them. */
	const struct swap_area *pick = NULL;
	for (unsigned int k = 0; k <= n; k++) {
		const struct swap_area *next = NULL;
		for (unsigned int i = 0; i < SWAP_MAX_AREAS; i++) {
			const struct swap_area *a = &areas[i];
			if (a->dev && (!pick || a->seq > pick->seq) &&
			    (!next || a->seq < next->seq))
				next = a;
		}
		if (!next)
			return -ENOENT;
		pick = next;
	}
	*st = (struct swap_area_stats){
		.dev = pick->dev,
		.base = pick->base,
		.total = pick->total,
		.free = pick->nfree,
		.bad = pick->bad,
		.prio = pick->prio,
	};
	return 0;
}
