/*
 * drivers/ramdisk_plan.c - where the swap RAM-disk goes in physical memory.
 *
 * ramdisk_plan() runs before the frame allocator exists, on the boot
 * loader's raw memory map, and only computes: the caller reserves the
 * range it returns. It reads the map the way mm/memmap.c does (usable
 * entries shrunk inward to whole pages, everything else grown outward and
 * winning where they overlap, mem= keeping the lowest mem_cap bytes of
 * usable RAM), so that the range it picks is RAM the allocator would
 * otherwise have used, or RAM beyond mem=. The disk is read through
 * temporary mappings (mm/highmem.h), so it may lie anywhere below 4 GiB,
 * in the direct map or above it:
 *
 *   0      1M  kernel, modules                     mem= cap      top of RAM
 *   |......|####|.............................|.......|[ RAM-disk ]|
 *          (never)        frames for the system        ^ with mem=, the
 *                                                        disk comes from
 *                                                        here, on top
 *
 * This file includes nothing from kernel/, so the host tests compile it
 * as it is (tests/host/test_ramdisk_plan.c).
 */
#include "drivers/ramdisk.h"

#include "libk/errno.h"
#include "libk/log.h"

/* Ranges kept while planning; boot maps have a few dozen entries. */
#define PLAN_MAX_RANGES 160

/* The first MiB holds firmware data: never part of the disk. */
#define LOW_MEMORY_END 0x100000ull
/* A 32-bit physical address reaches this far. */
#define ADDR_LIMIT_4G (1ull << 32)

struct plan_range {
	uint64_t start, end; /* [start, end), page aligned */
};

struct plan_list {
	struct plan_range r[PLAN_MAX_RANGES];
	unsigned int n;
};

static uint64_t round_up_page(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

static uint64_t round_down_page(uint64_t x)
{
	return x & ~(uint64_t)(PAGE_SIZE - 1);
}

static void plan_add(struct plan_list *l, uint64_t start, uint64_t end)
{
	if (start < end && l->n < PLAN_MAX_RANGES)
		l->r[l->n++] = (struct plan_range){ start, end };
}

/* Sorts by start and merges overlapping or touching ranges. */
static void plan_normalize(struct plan_list *l)
{
	for (unsigned int i = 1; i < l->n; i++) {
		struct plan_range x = l->r[i];
		unsigned int j = i;
		while (j > 0 && l->r[j - 1].start > x.start) {
			l->r[j] = l->r[j - 1];
			j--;
		}
		l->r[j] = x;
	}
	unsigned int out = 0;
	for (unsigned int i = 0; i < l->n; i++) {
		if (out && l->r[i].start <= l->r[out - 1].end) {
			if (l->r[i].end > l->r[out - 1].end)
				l->r[out - 1].end = l->r[i].end;
		} else {
			l->r[out++] = l->r[i];
		}
	}
	l->n = out;
}

/* Removes [start, end) from every range of l (which stays sorted). */
static void plan_cut(struct plan_list *l, uint64_t start, uint64_t end)
{
	static struct plan_list tmp;

	if (start >= end)
		return;
	tmp.n = 0;
	for (unsigned int i = 0; i < l->n; i++) {
		struct plan_range r = l->r[i];
		if (r.end <= start || r.start >= end) {
			plan_add(&tmp, r.start, r.end);
			continue;
		}
		plan_add(&tmp, r.start, start);
		plan_add(&tmp, end, r.end);
	}
	*l = tmp;
}

/* Usable RAM below 4 GiB minus everything else in the map, in pages. */
static void collect_ram(struct plan_list *ram, const struct mem_range *map,
			size_t nmap)
{
	ram->n = 0;
	for (size_t i = 0; i < nmap; i++) {
		if (map[i].type != MEM_RANGE_USABLE)
			continue;
		uint64_t e = map[i].base + map[i].size;
		if (e < map[i].base || e > ADDR_LIMIT_4G)
			e = ADDR_LIMIT_4G;
		plan_add(ram, round_up_page(map[i].base), round_down_page(e));
	}
	plan_normalize(ram);
	for (size_t i = 0; i < nmap; i++) {
		if (map[i].type == MEM_RANGE_USABLE)
			continue;
		uint64_t e = map[i].base + map[i].size;
		if (e < map[i].base || e > ADDR_LIMIT_4G)
			e = ADDR_LIMIT_4G;
		plan_cut(ram, round_down_page(map[i].base), round_up_page(e));
	}
}

/* The address where the lowest cap bytes of ram end (mm/memmap.c). */
static uint64_t cap_boundary(const struct plan_list *ram, uint64_t cap)
{
	uint64_t left = round_down_page(cap);
	for (unsigned int i = 0; i < ram->n; i++) {
		uint64_t len = ram->r[i].end - ram->r[i].start;
		if (len > left)
			return ram->r[i].start + left;
		left -= len;
	}
	return ram->n ? ram->r[ram->n - 1].end : 0;
}

/* Chooses the disk's range; see drivers/ramdisk.h. */
int ramdisk_plan(const struct mem_range *map, size_t nmap,
		 const struct mem_range *avoid, size_t navoid, uint64_t size,
		 uint64_t mem_cap, struct mem_range *out)
{
	static struct plan_list ram, room;
	uint64_t want = round_down_page(size);
	uint64_t limit = want;

	if (want < RAMDISK_MIN_SIZE) {
		pr_err("ramdisk: swap=%lluK is smaller than the smallest "
		       "RAM-disk (%u KiB); running without swap\n",
		       (unsigned long long)(size >> 10),
		       RAMDISK_MIN_SIZE >> 10);
		return -EINVAL;
	}
	collect_ram(&ram, map, nmap);

	/* Where the disk may go: usable RAM above the first MiB ... */
	room = ram;
	plan_cut(&room, 0, LOW_MEMORY_END);
	/* ... that holds nothing the kernel still needs ... */
	for (size_t i = 0; i < navoid; i++)
		plan_cut(&room, round_down_page(avoid[i].base),
			 round_up_page(avoid[i].base + avoid[i].size));
	/* ... and, with mem=, lies beyond what mem= keeps. */
	if (mem_cap) {
		plan_cut(&room, 0, cap_boundary(&ram, mem_cap));
	} else {
		uint64_t all = 0;
		for (unsigned int i = 0; i < ram.n; i++)
			all += ram.r[i].end - ram.r[i].start;
		limit = all > RAMDISK_KEEP_RAM ? all - RAMDISK_KEEP_RAM : 0;
		if (limit > want)
			limit = want;
		limit = round_down_page(limit);
	}

	/* The highest range that fits, else the largest one. */
	const struct plan_range *pick = NULL, *largest = NULL;
	for (unsigned int i = room.n; i-- > 0;) {
		uint64_t len = room.r[i].end - room.r[i].start;
		if (!pick && len >= limit)
			pick = &room.r[i];
		if (!largest || len > largest->end - largest->start)
			largest = &room.r[i];
	}
	uint64_t got = limit;
	if (!pick) {
		pick = largest;
		got = pick ? pick->end - pick->start : 0;
	}

	if (got < RAMDISK_MIN_SIZE) {
		if (mem_cap)
			pr_err("ramdisk: no room above mem=%lluK for the swap "
			       "RAM-disk (it comes on top of mem=: give the "
			       "machine at least mem= + swap= of RAM); "
			       "running without swap\n",
			       (unsigned long long)(mem_cap >> 10));
		else
			pr_warn("ramdisk: too little RAM for a swap RAM-disk "
				"(the system keeps %llu KiB); running without "
				"swap\n",
				(unsigned long long)(RAMDISK_KEEP_RAM >> 10));
		return -ENOMEM;
	}
	if (got < want) {
		if (mem_cap)
			pr_warn("ramdisk: only %llu KiB of RAM above mem=%lluK; "
				"swap RAM-disk shrunk from %llu KiB\n",
				(unsigned long long)(got >> 10),
				(unsigned long long)(mem_cap >> 10),
				(unsigned long long)(want >> 10));
		else if (got == limit)
			pr_warn("ramdisk: swap RAM-disk shrunk from %llu to "
				"%llu KiB so that the system keeps %llu KiB "
				"of RAM\n",
				(unsigned long long)(want >> 10),
				(unsigned long long)(got >> 10),
				(unsigned long long)(RAMDISK_KEEP_RAM >> 10));
		else
			pr_warn("ramdisk: swap RAM-disk shrunk from %llu to "
				"%llu KiB, the largest free range of RAM\n",
				(unsigned long long)(want >> 10),
				(unsigned long long)(got >> 10));
	}
	*out = (struct mem_range){
		.base = pick->end - got,
		.size = got,
		.type = PMM_RESERVE_FIXED,
	};
	return 0;
}
