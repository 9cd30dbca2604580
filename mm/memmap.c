/*
 * mm/memmap.c - builds the frame allocator from the boot memory map.
 *
 * The boot loader's map may be unsorted, have overlapping entries, ends
 * that are not page aligned, holes, RAM above 4 GiB (we have no PAE) and
 * RAM above the lowmem limit. pmm_init() turns it into clean frame ranges:
 *
 *   1. usable entries, shrunk inward to whole frames and clipped at 4 GiB;
 *      everything else, grown outward to whole frames ("holes");
 *   2. both lists sorted and merged; usable minus holes (so a frame both
 *      usable and reserved by the firmware counts as reserved);
 *   3. mem= keeps the lowest mem_cap bytes of what is left;
 *   4. the first MiB, the kernel image, boot data and the struct page array
 *      (placed by a bump allocation in the first lowmem gap big enough) are
 *      reserved; the rest of lowmem goes to the buddy allocator as maximal
 *      aligned blocks; free highmem goes to the highmem zone
 *      (mm/highmem.c), frame by frame.
 *
 * Per frame, boot work is two stores: the flags and the reference count of
 * its struct page (the other members are written before they are first
 * read, see mm/page.h). The array is not zeroed first, so every struct page
 * is initialised before the buddy allocator is given any free block: its
 * merging reads the flags of neighbouring frames. Free frames are then
 * handed over a whole block at a time.
 *
 * Invariants after pmm_init: every frame below max_pfn is either reserved
 * (PG_RESERVED) or managed: by the buddy allocator below the lowmem limit,
 * by the highmem zone above it.
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "mm/internal.h"
#include "mm/pmm.h"
#include "mm/port.h"

/* Frame ranges kept while building; boot maps have a few dozen entries. */
#define MAX_RANGES 128

/* The first MiB holds the real-mode IVT, BIOS data and ROMs: never used. */
#define LOW_RESERVED_PFN (0x100000u >> PAGE_SHIFT)

/* Frames in 4 GiB: the end of what a 32-bit physical address reaches. */
#define PFN_LIMIT_4G (1u << (32 - PAGE_SHIFT))
#define BYTES_4G (1ull << 32)

/* A half-open range of frames [start, end). */
struct pfn_range {
	pfn_t start;
	pfn_t end;
};

struct range_list {
	struct pfn_range r[MAX_RANGES];
	unsigned int n;
	bool overflow; /* entries were dropped for lack of room */
};

static struct range_list usable;     /* usable RAM after step 3 */
static struct range_list holes;	     /* non-usable map entries */
static struct range_list fixed_resv; /* reserved for good */
static struct range_list boot_resv;  /* releasable boot data */
static struct range_list all_resv;   /* fixed_resv and boot_resv merged */
static struct range_list scratch;    /* working space (kept off the stack) */

/* Appends [start, end) unless it is empty. */
static void range_add(struct range_list *l, pfn_t start, pfn_t end)
{
	if (start >= end)
		return;
	if (l->n == MAX_RANGES) {
		l->overflow = true;
		return;
	}
	l->r[l->n].start = start;
	l->r[l->n].end = end;
	l->n++;
}

/* Sorts by start (insertion sort: the lists are short) and merges overlaps. */
static void range_normalize(struct range_list *l)
{
	for (unsigned int i = 1; i < l->n; i++) {
		struct pfn_range x = l->r[i];
		unsigned int j = i;
		while (j > 0 && l->r[j - 1].start > x.start) {
			l->r[j] = l->r[j - 1];
			j--;
		}
		l->r[j] = x;
	}
	unsigned int out = 0;
	for (unsigned int i = 0; i < l->n; i++) {
		if (out > 0 && l->r[i].start <= l->r[out - 1].end) {
			if (l->r[i].end > l->r[out - 1].end)
				l->r[out - 1].end = l->r[i].end;
		} else {
			l->r[out++] = l->r[i];
		}
	}
	l->n = out;
}

/* Removes from a (normalized) every frame in b (normalized). */
static void range_subtract(struct range_list *a, const struct range_list *b)
{
	static struct range_list res;

	res.n = 0;
	res.overflow = a->overflow;
	unsigned int j = 0;
	for (unsigned int i = 0; i < a->n; i++) {
		pfn_t s = a->r[i].start, e = a->r[i].end;
		while (j < b->n && b->r[j].end <= s)
			j++;
		for (unsigned int k = j; k < b->n && b->r[k].start < e; k++) {
			range_add(&res, s, b->r[k].start);
			if (b->r[k].end > s)
				s = b->r[k].end;
		}
		range_add(&res, s, e);
	}
	*a = res;
}

/* Whole frames inside the byte range [base, base + size), below 4 GiB. */
static void bytes_to_pfns_inward(uint64_t base, uint64_t size, pfn_t *s,
				 pfn_t *e)
{
	uint64_t end = base + size < base ? UINT64_MAX : base + size;
	if (end > BYTES_4G)
		end = BYTES_4G;
	uint64_t first = (base + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t last = end >> PAGE_SHIFT;
	*s = first < PFN_LIMIT_4G ? (pfn_t)first : PFN_LIMIT_4G;
	*e = last > *s ? (pfn_t)last : *s;
}

/* Frames touched by the byte range [base, base + size), below 4 GiB. */
static void bytes_to_pfns_outward(uint64_t base, uint64_t size, pfn_t *s,
				  pfn_t *e)
{
	uint64_t end = base + size < base ? UINT64_MAX : base + size;
	if (end > BYTES_4G)
		end = BYTES_4G;
	uint64_t first = base >> PAGE_SHIFT;
	uint64_t last = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
	*s = first < PFN_LIMIT_4G ? (pfn_t)first : PFN_LIMIT_4G;
	*e = last > *s ? (pfn_t)last : *s;
}

/* Step 1 and 2: the usable frames of the map. */
static void collect_usable(const struct mem_range *map, size_t nmap)
{
	for (size_t i = 0; i < nmap; i++) {
		const struct mem_range *m = &map[i];
		pfn_t s, e;
		if (m->size == 0)
			continue;
		if (m->type == MEM_RANGE_USABLE) {
			uint64_t end = m->base + m->size < m->base
					       ? UINT64_MAX
					       : m->base + m->size;
			if (end > BYTES_4G)
				pmm_count.ignored_high_bytes +=
					end - (m->base > BYTES_4G ? m->base
								  : BYTES_4G);
			bytes_to_pfns_inward(m->base, m->size, &s, &e);
			range_add(&usable, s, e);
		} else {
			bytes_to_pfns_outward(m->base, m->size, &s, &e);
			range_add(&holes, s, e);
		}
	}
	range_normalize(&usable);
	range_normalize(&holes);
	range_subtract(&usable, &holes);
}

/* Step 3: keeps only the lowest cap bytes of usable memory. */
static void apply_cap(uint64_t cap)
{
	uint64_t cap_pages = cap >> PAGE_SHIFT;
	uint64_t seen = 0;
	for (unsigned int i = 0; i < usable.n; i++) {
		uint64_t len = usable.r[i].end - usable.r[i].start;
		if (seen + len > cap_pages) {
			uint64_t keep = cap_pages - seen;
			pmm_count.ignored_cap_bytes += (len - keep)
						       << PAGE_SHIFT;
			usable.r[i].end = usable.r[i].start + (pfn_t)keep;
		}
		seen += usable.r[i].end - usable.r[i].start;
	}
	/* Drop the ranges the cap emptied. */
	unsigned int out = 0;
	for (unsigned int i = 0; i < usable.n; i++)
		if (usable.r[i].start < usable.r[i].end)
			usable.r[out++] = usable.r[i];
	usable.n = out;
}

/*
 * Finds npages frames of usable lowmem above the first MiB that no
 * reserved range touches, lowest first. Returns the first frame or 0.
 */
static pfn_t find_gap(pfn_t npages)
{
	static struct range_list blocked;
	struct range_list *free_list = &scratch;

	*free_list = usable;
	blocked = all_resv;
	range_add(&blocked, 0, LOW_RESERVED_PFN);
	range_add(&blocked, LOWMEM_PFN, PFN_LIMIT_4G);
	range_normalize(&blocked);
	range_subtract(free_list, &blocked);
	for (unsigned int i = 0; i < free_list->n; i++)
		if (free_list->r[i].end - free_list->r[i].start >= npages)
			return free_list->r[i].start;
	return 0;
}

/* Frames needed by the struct pages of npfn frames. */
static uint32_t memmap_size(pfn_t npfn)
{
	return page_round_up(npfn * (uint32_t)sizeof(struct page)) >>
	       PAGE_SHIFT;
}

/*
 * Initialises the struct pages of [start, end) with the given flags and no
 * users: the only members anything reads before writing them. This loop
 * runs once per frame of the machine, so it is kept to two stores.
 */
static void init_frames(pfn_t start, pfn_t end, uint32_t flags)
{
	for (struct page *p = mem_map + start; p < mem_map + end; p++) {
		p->flags = flags;
		p->refcount = 0;
	}
}

/*
 * Walks the usable range [s, e) (lowmem, or highmem) in address order and calls
 * fn(start, end, reserved) for each run of reserved and of free frames.
 */
static void walk_lowmem(pfn_t s, pfn_t e,
			void (*fn)(pfn_t start, pfn_t end, bool reserved))
{
	for (unsigned int k = 0; k < all_resv.n && s < e; k++) {
		const struct pfn_range *r = &all_resv.r[k];
		if (r->end <= s)
			continue;
		if (r->start >= e)
			break;
		if (r->start > s)
			fn(s, r->start, false);
		pfn_t re = r->end < e ? r->end : e;
		fn(r->start > s ? r->start : s, re, true);
		s = re;
	}
	if (s < e)
		fn(s, e, false);
}

/* Step 4, first pass: the struct pages of a run of lowmem. */
static void init_run(pfn_t start, pfn_t end, bool reserved)
{
	init_frames(start, end, reserved ? PG_RESERVED : 0);
	if (reserved)
		pmm_count.reserved += end - start;
}

/* Step 4, second pass: a run of free lowmem goes to the buddy allocator. */
static void free_run(pfn_t start, pfn_t end, bool reserved)
{
	if (!reserved)
		buddy_add_range(start, end);
}

/* Step 4, second pass: a run of free highmem goes to the highmem zone. */
static void free_high_run(pfn_t start, pfn_t end, bool reserved)
{
	if (!reserved)
		highmem_add_range(start, end);
}

/*
 * Marks the releasable boot data: frames of boot ranges that are usable
 * lowmem and not also reserved for good.
 */
static void mark_bootmem(void)
{
	static struct range_list outside;
	struct range_list *boot = &scratch;

	*boot = boot_resv;
	range_subtract(boot, &fixed_resv);
	outside = *boot;
	range_subtract(&outside, &usable);
	range_subtract(boot, &outside);
	for (unsigned int k = 0; k < boot->n; k++) {
		pfn_t e = boot->r[k].end < LOWMEM_PFN ? boot->r[k].end
						      : LOWMEM_PFN;
		for (pfn_t pfn = boot->r[k].start; pfn < e; pfn++) {
			mem_map[pfn].flags |= PG_BOOTMEM;
			pmm_count.bootmem++;
		}
	}
}

/* Prints what pmm_init found. */
static void log_summary(size_t nmap, paddr_t memmap_pa)
{
	uint32_t lowmem_end = max_pfn < LOWMEM_PFN ? max_pfn : LOWMEM_PFN;
	pr_info("pmm: %u map entries: %u usable ranges, %u KiB usable below "
		"4 GiB\n",
		(unsigned int)nmap, usable.n, pmm_count.total * 4);
	if (usable.overflow || holes.overflow || fixed_resv.overflow ||
	    boot_resv.overflow)
		pr_warn("pmm: more than %u ranges in the memory map; "
			"the rest was ignored\n",
			MAX_RANGES);
	if (pmm_count.ignored_high_bytes)
		pr_info("pmm: ignoring %llu KiB of RAM above 4 GiB (no PAE)\n",
			(unsigned long long)(pmm_count.ignored_high_bytes >>
					     10));
	if (pmm_count.ignored_cap_bytes)
		pr_info("pmm: mem= leaves out %llu KiB of RAM\n",
			(unsigned long long)(pmm_count.ignored_cap_bytes >>
					     10));
	pr_info("pmm: lowmem up to %#x; %u KiB highmem above %#x%s\n",
		lowmem_end << PAGE_SHIFT, pmm_count.highmem * 4, lowmem_limit,
		lowmem_limit < LOWMEM_LIMIT ? " (lowmem=)" : "");
	pr_info("pmm: memory map: %u struct pages of %u bytes at %#x "
		"(%u KiB)\n",
		max_pfn, (unsigned int)sizeof(struct page), memmap_pa,
		pmm_count.memmap * 4);
	pmm_dump_stats();
}

/* Builds the allocator from the boot memory map. */
int pmm_init(const struct mem_range *map, size_t nmap,
	     const struct mem_range *reserved, size_t nreserved,
	     uint64_t mem_cap)
{
	uint64_t t0 = port_timestamp();

	buddy_reset();
	highmem_reset();
	pmm_count = (struct pmm_counters){ 0 };
	usable.n = holes.n = fixed_resv.n = boot_resv.n = all_resv.n = 0;
	usable.overflow = holes.overflow = false;
	fixed_resv.overflow = boot_resv.overflow = false;
	mem_map = NULL;
	max_pfn = 0;

	collect_usable(map, nmap);
	if (mem_cap)
		apply_cap(mem_cap);
	if (usable.n == 0) {
		pr_err("pmm: the memory map has no usable RAM below 4 GiB\n");
		return -ENOMEM;
	}

	range_add(&fixed_resv, 0, LOW_RESERVED_PFN);
	for (size_t i = 0; i < nreserved; i++) {
		pfn_t s, e;
		bytes_to_pfns_outward(reserved[i].base, reserved[i].size, &s,
				      &e);
		range_add(reserved[i].type == PMM_RESERVE_BOOT ? &boot_resv
							       : &fixed_resv,
			  s, e);
	}
	range_normalize(&boot_resv);
	all_resv = fixed_resv;
	for (unsigned int i = 0; i < boot_resv.n; i++)
		range_add(&all_resv, boot_resv.r[i].start, boot_resv.r[i].end);
	range_normalize(&all_resv);

	/*
	 * Bump-allocate the struct page array in the first lowmem gap. If
	 * lowmem cannot hold struct pages for highmem too (little RAM below,
	 * some far above), cover lowmem only: highmem is then left unused.
	 */
	max_pfn = usable.r[usable.n - 1].end;
	uint32_t memmap_pages = memmap_size(max_pfn);
	pfn_t memmap_pfn = find_gap(memmap_pages);
	if (memmap_pfn == 0 && max_pfn > LOWMEM_PFN) {
		pfn_t low_end = 0;
		for (unsigned int i = 0; i < usable.n; i++)
			if (usable.r[i].start < LOWMEM_PFN)
				low_end = usable.r[i].end < LOWMEM_PFN
						  ? usable.r[i].end
						  : LOWMEM_PFN;
		if (low_end) {
			pr_warn("pmm: no room for the struct pages of "
				"highmem; covering lowmem only\n");
			max_pfn = low_end;
			memmap_pages = memmap_size(max_pfn);
			memmap_pfn = find_gap(memmap_pages);
		}
	}
	if (memmap_pfn == 0) {
		pr_err("pmm: no room for the memory map (%u KiB) in free "
		       "lowmem; Pagoda needs at least %u KiB free RAM\n",
		       memmap_pages * 4, PMM_MIN_FREE_PAGES * 4);
		max_pfn = 0;
		return -ENOMEM;
	}
	range_add(&fixed_resv, memmap_pfn, memmap_pfn + memmap_pages);
	range_normalize(&fixed_resv);
	range_add(&all_resv, memmap_pfn, memmap_pfn + memmap_pages);
	range_normalize(&all_resv);
	mem_map = port_phys_to_virt((paddr_t)memmap_pfn << PAGE_SHIFT);
	pmm_count.memmap = memmap_pages;

	/*
	 * First pass: every struct page below max_pfn, once, in address
	 * order: holes, highmem and lowmem. Only then does the second pass
	 * hand free lowmem to the buddy allocator, whose merging looks at
	 * neighbouring frames anywhere in the map.
	 */
	pfn_t cursor = 0;
	for (unsigned int i = 0; i < usable.n; i++) {
		pfn_t s = usable.r[i].start, e = usable.r[i].end;
		pmm_count.total += e - s;
		init_frames(cursor, s < max_pfn ? s : max_pfn, PG_RESERVED);
		if (e > LOWMEM_PFN) {
			pfn_t hs = s > LOWMEM_PFN ? s : LOWMEM_PFN;
			pmm_count.highmem += e - hs;
			if (hs < max_pfn)
				init_frames(hs, e < max_pfn ? e : max_pfn,
					    PG_RESERVED | PG_HIGHMEM);
			e = hs;
		}
		if (s < e)
			walk_lowmem(s, e, init_run);
		cursor = usable.r[i].end;
	}
	for (unsigned int i = 0; i < usable.n; i++) {
		pfn_t s = usable.r[i].start, e = usable.r[i].end;
		if (e > LOWMEM_PFN)
			e = LOWMEM_PFN;
		if (s < e)
			walk_lowmem(s, e, free_run);
	}
	for (unsigned int i = 0; i < usable.n; i++) {
		pfn_t s = usable.r[i].start, e = usable.r[i].end;
		if (s < LOWMEM_PFN)
			s = LOWMEM_PFN;
		if (e > max_pfn)
			e = max_pfn;
		if (s < e)
			walk_lowmem(s, e, free_high_run);
	}
	mark_bootmem();
	pmm_count.init_ticks = port_timestamp() - t0;

	log_summary(nmap, (paddr_t)memmap_pfn << PAGE_SHIFT);
	if (pmm_count.free < PMM_MIN_FREE_PAGES) {
		pr_err("pmm: only %u KiB of RAM free after the kernel and boot "
		       "data; Pagoda needs at least %u KiB (try more -m)\n",
		       pmm_count.free * 4, PMM_MIN_FREE_PAGES * 4);
		return -ENOMEM;
	}
	return 0;
}

/* Gives releasable boot data in [base, base + size) to the allocator. */
uint32_t pmm_release_boot(paddr_t base, uint64_t size)
{
	pfn_t s, e;
	uint32_t released = 0;

	bytes_to_pfns_outward(base, size, &s, &e);
	if (e > max_pfn)
		e = max_pfn;
	bool irq = port_irq_save();
	while (s < e) {
		if (!(mem_map[s].flags & PG_BOOTMEM)) {
			s++;
			continue;
		}
		pfn_t run = s;
		while (run < e && (mem_map[run].flags & PG_BOOTMEM))
			mem_map[run++].flags = 0;
		buddy_add_range(s, run);
		released += run - s;
		s = run;
	}
	pmm_count.reserved -= released;
	pmm_count.bootmem -= released;
	port_irq_restore(irq);
	if (released)
		pr_info("pmm: released %u KiB of boot data\n", released * 4);
	return released;
}
