/*
 * mm/swap.h - the swap areas: block devices holding evicted pages.
 *
 * The area uses Linux's swap-header format (version 1, "SWAPSPACE2" at
 * the end of the first page; include/linux/swap.h union swap_header), so
 * an image made with mkswap works; a blank device is formatted; an invalid
 * header is refused with a clear message and the system runs without
 * swap. Page slot 0 holds the header and is never allocated; bad pages
 * listed in the header are never allocated either.
 *
 * Slots are reference counted: a slot is shared by every PTE (and shared
 * memory object) that refers to the same swapped page, e.g. after fork.
 *
 * The implementation is mm/swapfile.c; docs/swap.md describes the format
 * and the allocator. Locking: slot map updates run with interrupts off;
 * page I/O runs as the caller left them.
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H

#include <stdbool.h>
#include <stdint.h>

#include "libk/assert.h"
#include "mm/types.h"

struct block_device;

/*
 * The first page of a swap area (Linux include/linux/swap.h, union
 * swap_header; all fields little-endian). Offsets are in bytes from the
 * start of the page.
 */
struct swap_header_v1 {
	uint8_t bootbits[1024]; /* 0: left for a boot loader; unused */
	uint32_t version;	/* 1024: SWAP_HEADER_VERSION */
	uint32_t last_page;	/* 1028: the last page of the area */
	uint32_t nr_badpages;	/* 1032: entries of badpages[] in use */
	uint8_t uuid[16];	/* 1036: set by mkswap (or the kernel) */
	char volume_name[16];	/* 1052: label, NUL-padded */
	uint32_t padding[117];	/* 1068: zero */
	uint32_t badpages[];	/* 1536: page numbers never to be used */
} __attribute__((packed));

STATIC_ASSERT(__builtin_offsetof(struct swap_header_v1, version) == 1024,
	      "swap header layout");
STATIC_ASSERT(__builtin_offsetof(struct swap_header_v1, badpages) == 1536,
	      "swap header layout");

/* The signature in the last bytes of the first page, and its length. */
#define SWAP_MAGIC_V1 "SWAPSPACE2"
#define SWAP_MAGIC_V0 "SWAP-SPACE" /* the obsolete format: refused */
#define SWAP_MAGIC_LEN 10
#define SWAP_MAGIC_OFFSET (PAGE_SIZE - SWAP_MAGIC_LEN)
#define SWAP_HEADER_VERSION 1
/* How many bad pages fit between badpages[] and the signature. */
#define SWAP_MAX_BADPAGES                                                      \
	((SWAP_MAGIC_OFFSET -                                                  \
	  __builtin_offsetof(struct swap_header_v1, badpages)) /               \
	 sizeof(uint32_t))
/* The label the kernel writes when it formats a blank device. */
#define SWAP_LABEL "pagoda"

/*
 * Slot numbers must fit in a swap PTE (mm/pgtable.h: 20 bits); pages of a
 * bigger area beyond this are left unused. The areas share this space of
 * slot numbers (each owns a range of it, mm/swapfile.c).
 */
#define SWAP_MAX_SLOTS (1u << 20)
/* Areas active at once (swapon; Linux's MAX_SWAPFILES is 32). */
#define SWAP_MAX_AREAS 8u
/* References one slot can hold (swap_slot_dup() asserts below this). */
#define SWAP_SLOT_MAX_REFS 0xFFFEu

/*
 * Sets up swap on dev alone, replacing every area. NULL turns swap off.
 * The first page must hold a valid version 1 header, or be all zeros (a
 * blank device is then formatted). Logs one line saying what it found.
 * Returns 0; -EINVAL after logging why the area was refused (swap stays
 * off); -EIO if the header could not be read or written; -ENOMEM; -EBUSY
 * if an area still has slots in use (they all stay as they are).
 */
int swap_init(struct block_device *dev);
/* Drops the area without checking its slots: for a machine being reset. */
void swap_forget(void);
void swap_cache_forget(void);
bool swap_enabled(void);

/*
 * The priority of an area set up without one: Linux gives the first such
 * area -2 (mm/swapfile.c, least_priority starts at -1 and is decremented).
 */
#define SWAP_PRIO_DEFAULT (-2)
/*
 * swap_on()'s prio for "none given": like Linux, -2 for the first such
 * area, then -3, -4... (and the gap closes when one goes).
 */
#define SWAP_PRIO_NONE (-0x7fffffff - 1)

/*
 * swapon(2): adds dev as a swap area, with priority prio (or
 * SWAP_PRIO_NONE). Slots come from the areas of the highest priority
 * first, in turn among areas of equal priority. Unlike swap_init() a
 * blank device is refused (it needs a header: mkswap). Returns 0, -EBUSY
 * if dev is an area already, -EPERM when SWAP_MAX_AREAS are on, -EINVAL
 * for a device without a valid header (or no room among the slot
 * numbers), -EIO or -ENOMEM.
 */
int swap_on(struct block_device *dev, int prio);
/* Whether dev is an active swap area. */
bool swap_in_use(const struct block_device *dev);

/*
 * swapoff(2), in steps (mm/swapoff.c drives them): swap_drain_begin(dev)
 * stops handing out slots of dev's area (-EINVAL if dev is none; reclaim
 * goes on with the other areas); the caller then brings back every page whose
 * slot is draining (swap_slot_draining()) and calls swap_drain_finish(),
 * which turns the area off, or returns -EBUSY if its slots are still in
 * use (then swap_drain_cancel() goes back to normal use of the area).
 */
int swap_drain_begin(struct block_device *dev);
bool swap_draining(void);
bool swap_slot_draining(uint32_t slot);
int swap_drain_finish(void);
void swap_drain_cancel(void);
/* The device of the first active area (in swapon order), or NULL. */
struct block_device *swap_device(void);

/*
 * Takes a free slot with one reference. Returns 0 or -ENOSPC (also when
 * swap is off). Slot 0 (the header) and bad pages are never returned.
 */
int swap_slot_alloc(uint32_t *slot);
/* Adds a reference to an allocated slot (asserts it is allocated). */
void swap_slot_dup(uint32_t slot);
/* Drops a reference; the slot is free again at zero (asserts allocated). */
void swap_slot_put(uint32_t slot);
/* References of a slot (0 if free, unusable or out of range). */
uint32_t swap_slot_refs(uint32_t slot);

/*
 * Writes/reads one page (PAGE_SIZE bytes) at an allocated slot: 0 or -EIO
 * (the device failed, or swap is off). A failed write leaves the slot
 * allocated; the caller decides whether to put it.
 */
int swap_write_page(uint32_t slot, const void *page);
int swap_read_page(uint32_t slot, void *page);

/* Totals over every area (device and prio: the first area's). */
struct swap_stats {
	uint32_t total;	 /* usable slots (pages) */
	uint32_t free;	 /* free slots */
	uint32_t areas;	 /* active areas */
	uint64_t writes; /* pages written (pswpout) */
	uint64_t reads;	 /* pages read (pswpin) */
	uint64_t write_errors, read_errors;
	uint32_t bad;	    /* bad pages listed in the header */
	const char *device; /* the device's name, NULL when swap is off */
	int prio;	    /* the area's priority (swapon) */
};
void swap_get_stats(struct swap_stats *st);

/* One area, for /proc/swaps. */
struct swap_area_stats {
	struct block_device *dev;
	uint32_t base; /* its first global slot number */
	uint32_t total, free, bad;
	int prio;
};
/* The nth active area in swapon order: 0, or -ENOENT past the last. */
int swap_get_area_stats(unsigned int n, struct swap_area_stats *st);

#endif
