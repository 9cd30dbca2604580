/*
 * mm/swap.h - the swap area: a block device holding evicted pages.
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
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H

#include <stdbool.h>
#include <stdint.h>

struct block_device;

/* Sets up swap on dev (NULL: no swap). Returns 0, or -EINVAL after
 * logging why the area was refused. */
int swap_init(struct block_device *dev);
bool swap_enabled(void);

/* Takes a free slot with one reference. Returns 0 or -ENOSPC. */
int swap_slot_alloc(uint32_t *slot);
/* Adds a reference to an allocated slot. */
void swap_slot_dup(uint32_t slot);
/* Drops a reference; the slot is free again at zero. */
void swap_slot_put(uint32_t slot);
/* References of a slot (0 if free). */
uint32_t swap_slot_refs(uint32_t slot);

/* Writes/reads one page (PAGE_SIZE bytes) at a slot: 0 or -EIO. */
int swap_write_page(uint32_t slot, const void *page);
int swap_read_page(uint32_t slot, void *page);

struct swap_stats {
	uint32_t total;      /* usable slots (pages) */
	uint32_t free;       /* free slots */
	uint64_t writes;     /* pages written (pswpout) */
	uint64_t reads;      /* pages read (pswpin) */
	uint64_t write_errors, read_errors;
};
void swap_get_stats(struct swap_stats *st);

#endif
