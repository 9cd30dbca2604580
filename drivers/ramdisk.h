/*
 * drivers/ramdisk.h - block devices in RAM (/dev/ram0 .. ram7), used for
 * swap and as plain block devices.
 *
 * The first disk, the swap disk, is a range of physical memory, from one
 * of two sources (docs/swap.md):
 *
 *   - a region reserved at boot (swap=SIZE): ramdisk_plan() chooses it
 *     from the memory map before the frame allocator exists, the caller
 *     reserves it for good, and ramdisk_attach_region() makes it a disk
 *     once the kernel heap runs. Its first page is cleared, so every boot
 *     starts with a blank disk, which the swap code then formats;
 *   - a Multiboot module holding a disk image (ramdisk_find_module()),
 *     e.g. a file made with mkswap; it replaces the reserved region.
 *
 * For labs and tests, each request can be slowed down (ramdisk.latency=
 * microseconds, busy-waiting on the PIT counter) and every Nth read or
 * write can fail with -EIO (ramdisk.fail_read=, ramdisk.fail_write=).
 *
 * More disks, of any size that fits in free memory, are made of frames
 * taken from the allocator (ramdisks=COUNT,SIZE). Every disk is read and
 * written through temporary mappings (mm/highmem.h), never one permanent
 * mapping, so none is limited by the kernel's address space.
 *
 * Disks are numbered in the order they are made: ramdisk_get_index(i) is
 * /dev/ram<i>; ramdisk_get() is /dev/ram0.
 */
#ifndef DRIVERS_RAMDISK_H
#define DRIVERS_RAMDISK_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/block.h"
#include "mm/pmm.h"
#include "mm/types.h"

/* The smallest disk worth setting up: a header page and 15 slots. */
#define RAMDISK_MIN_SIZE (64u << 10)
/* RAM-disks at most (/dev/ram0 .. ram7). */
#define RAMDISK_MAX 8u
/* The largest disk made of frames (ramdisk_create): RAM below 4 GiB. */
#define RAMDISK_MAX_SIZE (3ull << 30)
/* Free memory a disk made of frames must leave to the system. */
#define RAMDISK_KEEP_FREE (4u << 20)
/*
 * Without mem=, the reserved region comes out of the machine's RAM; it
 * is shrunk (or dropped) so that at least this much usable RAM stays
 * with the system.
 */
#define RAMDISK_KEEP_RAM (16ull << 20)

/* Boot options, set by kernel/cmdline.c (0 = off for all three). */
extern unsigned int ramdisk_latency_us; /* ramdisk.latency=: per request */
extern unsigned int ramdisk_fail_read;	/* ramdisk.fail_read=: every Nth */
extern unsigned int ramdisk_fail_write; /* ramdisk.fail_write=: every Nth */

/*
 * Chooses the physical range of a RAM-disk of size bytes (rounded down to
 * pages) from the boot memory map: the top of the highest usable range
 * below 4 GiB (lowmem or highmem: the disk is read through temporary
 * mappings) that overlaps neither a non-usable map entry nor any of the avoid
 * ranges (kernel image, boot modules). With mem_cap (mem=) non-zero the
 * disk comes from RAM beyond the lowest mem_cap bytes that mem= keeps, so
 * it is in addition to mem=; without, it must leave RAMDISK_KEEP_RAM of
 * RAM to the system. When there is less room it is shrunk, with a
 * message, down to RAMDISK_MIN_SIZE. Returns 0 and *out (type
 * PMM_RESERVE_FIXED), or -ENOMEM after a message saying why there is no
 * disk, or -EINVAL for a size below RAMDISK_MIN_SIZE.
 */
int ramdisk_plan(const struct mem_range *map, size_t nmap,
		 const struct mem_range *avoid, size_t navoid, uint64_t size,
		 uint64_t mem_cap, struct mem_range *out);

/*
 * Makes the reserved physical range [base, base + size) the RAM-disk and
 * clears its first page. Needs the kernel page tables (a range outside the
 * direct map is mapped in the vmap area). Returns 0 or -ENOMEM/-EBUSY.
 */
int ramdisk_attach_region(paddr_t base, uint64_t size);

struct boot_module;

/*
 * The index of the boot module that holds a swap image, or -1: a module
 * whose command line has a word "swap", or whose path ends in ".swap" or
 * "swap.img".
 */
int ramdisk_find_module(const struct boot_module *mods, size_t n);

/* Makes a boot module's image the RAM-disk (contents kept). */
int ramdisk_attach_module(const struct boot_module *mod);

/* /dev/ram0, or NULL if no disk was attached. */
struct block_device *ramdisk_get(void);
/* /dev/ram<i>, or NULL. */
struct block_device *ramdisk_get_index(unsigned int i);
/* Disks attached so far. */
unsigned int ramdisk_count(void);

/*
 * Makes a disk of size bytes (rounded up to pages, RAMDISK_MIN_SIZE to
 * RAMDISK_MAX_SIZE) out of zeroed frames from the allocator, highmem
 * first; they are the disk's for good. It must leave RAMDISK_KEEP_FREE of
 * free memory. Returns its number (/dev/ram<n>), or -EINVAL (size),
 * -EBUSY (RAMDISK_MAX disks exist) or -ENOMEM, after a message.
 */
int ramdisk_create(uint64_t size);

/*
 * The ramdisks= boot option: "COUNT,SIZE" (e.g. "2,64M") makes COUNT
 * disks of SIZE each with ramdisk_create(). "" makes none. Returns 0 or
 * the first error (after a message).
 */
int ramdisk_create_boot(const char *spec);

/*
 * Changes the fault injection at run time, for tests: every Nth read and
 * every Nth write request from now on fails with -EIO (0 = never).
 */
void ramdisk_set_fault_injection(unsigned int fail_read_every,
				 unsigned int fail_write_every);

/* Changes the latency added to each request (microseconds, 0 = none). */
void ramdisk_set_latency(unsigned int us);

/* Counters since boot, for /proc and tests. */
struct ramdisk_stats {
	uint64_t size;		/* bytes, 0 if there is no disk */
	paddr_t base;		/* physical address of sector 0 (0: frames) */
	uint64_t read_requests; /* valid read requests (failed ones too) */
	uint64_t write_requests;
	uint64_t bytes_read; /* bytes transferred successfully */
	uint64_t bytes_written;
	uint64_t injected_read_failures;
	uint64_t injected_write_failures;
	uint64_t rejected_requests; /* refused as out of range (-EINVAL) */
	unsigned int latency_us;    /* current settings */
	unsigned int fail_read, fail_write;
	const char *source; /* "reserved RAM" or the module's name */
};

/* The counters of /dev/ram0, or of /dev/ram<i> (zeros if none). */
void ramdisk_get_stats(struct ramdisk_stats *st);
void ramdisk_get_stats_index(unsigned int i, struct ramdisk_stats *st);

#endif
