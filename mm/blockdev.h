/*
 * mm/blockdev.h - the block device interface: an array of sectors that can
 * be read and written.
 *
 * A block device is a struct of function pointers, so that the swap area
 * (mm/swapfile.c) reaches its disk without naming any driver: the kernel
 * gives it the RAM-disk of drivers/ramdisk.c, the host tests a fake disk
 * in malloc'ed memory that can be told to fail. The definition lives in
 * mm/ because mm/ includes nothing from drivers/ (docs/swap.md); drivers
 * include it through drivers/block.h.
 *
 * Invariants of a device: sector_size divides PAGE_SIZE (so a page is a
 * whole number of sectors) and sectors counts whole sectors. A request
 * with count 0, or one that does not lie entirely inside the device, is
 * refused with -EINVAL before anything is transferred; a failed transfer
 * returns -EIO. Requests are synchronous: when read() or write() returns
 * 0 the data has been copied.
 */
#ifndef MM_BLOCKDEV_H
#define MM_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "libk/errno.h"
#include "mm/types.h"

/* The sector size of every Pagoda device: the classic disk sector. */
#define BLOCK_SECTOR_SIZE 512u

struct block_device {
	/* A short name for messages, e.g. "ram0" (its name in /dev). */
	const char *name;
	/* The device's size in sectors. */
	uint64_t sectors;
	/* Bytes per sector (BLOCK_SECTOR_SIZE). */
	uint32_t sector_size;
	/*
	 * Transfers count sectors starting at sector to or from buf.
	 * Return 0, -EINVAL (out of range) or -EIO.
	 */
	int (*read)(struct block_device *dev, uint64_t sector, uint32_t count,
		    void *buf);
	int (*write)(struct block_device *dev, uint64_t sector, uint32_t count,
		     const void *buf);
	/* The driver's own data. */
	void *priv;
};

/* Whether [sector, sector + count) is a valid request for dev. */
static inline bool block_range_ok(const struct block_device *dev,
				  uint64_t sector, uint32_t count)
{
	return count != 0 && sector < dev->sectors &&
	       count <= dev->sectors - sector;
}

/* Sectors in one page of dev. */
static inline uint32_t block_sectors_per_page(const struct block_device *dev)
{
	return PAGE_SIZE / dev->sector_size;
}

/* Whole pages the device holds (a partial last page does not count). */
static inline uint64_t block_pages(const struct block_device *dev)
{
	return dev->sectors / block_sectors_per_page(dev);
}

/* Reads page number index (PAGE_SIZE bytes) of dev into buf. */
static inline int block_read_page(struct block_device *dev, uint64_t index,
				  void *buf)
{
	uint32_t spp = block_sectors_per_page(dev);
	if (index >= block_pages(dev))
		return -EINVAL;
	return dev->read(dev, index * spp, spp, buf);
}

/* Writes buf (PAGE_SIZE bytes) to page number index of dev. */
static inline int block_write_page(struct block_device *dev, uint64_t index,
				   const void *buf)
{
	uint32_t spp = block_sectors_per_page(dev);
	if (index >= block_pages(dev))
		return -EINVAL;
	return dev->write(dev, index * spp, spp, buf);
}

#endif
