/*
 * mm/kpage.h - what each physical frame and each user page is, in the
 * words of Linux's /proc/kpageflags, /proc/kpagecount and
 * /proc/PID/pagemap (Documentation/admin-guide/mm/pagemap.rst).
 *
 * The /proc files (fs/procfs_pagemap.c) only copy these numbers
 * out; the decisions about which Linux flag a Pagoda frame deserves are
 * made here, next to the struct page they read, so that the host tests
 * can check them against the allocator's own state.
 */
#ifndef MM_KPAGE_H
#define MM_KPAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/types.h"

struct mm;

/*
 * Bit numbers of /proc/kpageflags: the user-visible ones from Linux's
 * include/uapi/linux/kernel-page-flags.h, the kernel-hacking ones (32 and
 * up) from include/linux/kernel-page-flags.h. Pagoda sets the ones it has
 * an equivalent for (see kpage_flags()).
 */
enum kpage_flag_bit {
	KPF_LOCKED = 0,
	KPF_ERROR = 1,
	KPF_REFERENCED = 2,
	KPF_UPTODATE = 3,
	KPF_DIRTY = 4,
	KPF_LRU = 5,
	KPF_ACTIVE = 6,
	KPF_SLAB = 7,
	KPF_WRITEBACK = 8,
	KPF_RECLAIM = 9,
	KPF_BUDDY = 10,
	KPF_MMAP = 11,
	KPF_ANON = 12,
	KPF_SWAPCACHE = 13,
	KPF_SWAPBACKED = 14,
	KPF_COMPOUND_HEAD = 15,
	KPF_COMPOUND_TAIL = 16,
	KPF_HUGE = 17,
	KPF_UNEVICTABLE = 18,
	KPF_HWPOISON = 19,
	KPF_NOPAGE = 20,
	KPF_KSM = 21,
	KPF_THP = 22,
	KPF_OFFLINE = 23,
	KPF_ZERO_PAGE = 24,
	KPF_IDLE = 25,
	KPF_PGTABLE = 26,
	KPF_RESERVED = 32,
	KPF_MLOCKED = 33,
};

/* One /proc/kpageflags entry as a mask. */
static inline uint64_t kpf(enum kpage_flag_bit bit)
{
	return 1ull << bit;
}

/*
 * /proc/PID/pagemap entry bits (pagemap.rst): present, swapped, "file
 * page or shared anonymous", exclusively mapped, soft-dirty; the PFN in
 * bits 0-54 when present, the swap type in bits 0-4 and the offset in
 * bits 5-54 when swapped.
 */
#define PM_PRESENT (1ull << 63)
#define PM_SWAP (1ull << 62)
#define PM_FILE (1ull << 61)
#define PM_MMAP_EXCLUSIVE (1ull << 56)
#define PM_SOFT_DIRTY (1ull << 55)
#define PM_PFN_MASK ((1ull << 55) - 1)
#define PM_SWAP_TYPE_BITS 5
#define PM_SWAP_TYPE_MASK ((1ull << PM_SWAP_TYPE_BITS) - 1)

/* Frames covered by the memory map: the entries of /proc/kpageflags. */
uint32_t kpage_nr_frames(void);

/* The /proc/kpageflags entry of frame pfn (< kpage_nr_frames()). */
uint64_t kpage_flags(pfn_t pfn);

/*
 * The /proc/kpagecount entry of frame pfn: how many page-table entries map
 * it (0 for every frame that is not user memory).
 */
uint32_t kpage_mapcount(pfn_t pfn);

/*
 * Marker of /proc/pagoda/kpageorder for a frame that is in no free block
 * (allocated, reserved); a free frame's entry is the order of the free
 * block around it, plus KPAGE_ORDER_CACHED when that block waits in one
 * of the allocator's hot-block caches rather than on a buddy list.
 */
#define KPAGE_ORDER_NONE UINT64_MAX
#define KPAGE_ORDER_CACHED 0x100ull

/* The /proc/pagoda/kpageorder entry of frame pfn. */
uint64_t kpage_free_order(pfn_t pfn);

/*
 * The /proc/PID/pagemap entry of user page va in mm: 0 outside the regions
 * and for pages never touched. show_pfn false zeroes the PFN (Linux does
 * that for readers without CAP_SYS_ADMIN).
 */
uint64_t kpage_pagemap_entry(struct mm *mm, vaddr_t va, bool show_pfn);

#endif
