/*
 * drivers/block.h - block devices, as drivers see them.
 *
 * The interface itself (struct block_device, block_read_page() and
 * block_write_page()) is defined in mm/blockdev.h, because the swap area in
 * mm/ uses it and mm/ includes nothing from drivers/. A driver includes
 * this header, fills in a struct block_device and hands it to its user.
 *
 * A driver's read() and write() must check the range first
 * (block_range_ok()) and return -EINVAL without transferring anything
 * when it is bad, and return -EIO when the transfer fails.
 */
#ifndef DRIVERS_BLOCK_H
#define DRIVERS_BLOCK_H

#include "mm/blockdev.h"

#endif
