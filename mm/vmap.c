/*
 * mm/vmap.c - allocation of the dynamic kernel mapping area.
 *
 * A bitmap has one bit per page of [VMAP_START, VMAP_END): set when the
 * page belongs to a live area (its guard page included). Areas are found
 * first-fit starting from where the last search ended, so consecutive
 * allocations do not rescan the busy start of the area. A second bitmap
 * marks the guard pages, to tell a stack overflow from a wild pointer.
 *
 * Invariant: a page's used bit is set iff it is a guard page or mapped
 * through this file; a guard page is never mapped.
 *
 * Locking: callers serialize (kernel stacks are made and freed by process
 * code, not in interrupt handlers).
 */
#include "mm/vmap.h"

#include "libk/assert.h"
#include "libk/log.h"
#include "mm/internal.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define VMAP_PAGES ((VMAP_END - VMAP_START) >> PAGE_SHIFT)
#define WORD_BITS 32u

static uint32_t used_map[VMAP_PAGES / WORD_BITS];
static uint32_t guard_map[VMAP_PAGES / WORD_BITS];
static uint32_t search_hint; /* page index where the next search starts */
static uint32_t used_pages;

STATIC_ASSERT(VMAP_PAGES % WORD_BITS == 0, "vmap bitmap must be whole words");

static inline bool test_bit(const uint32_t *map, uint32_t i)
{
	return map[i / WORD_BITS] & (1u << (i % WORD_BITS));
}

static inline void set_bit(uint32_t *map, uint32_t i)
{
	map[i / WORD_BITS] |= 1u << (i % WORD_BITS);
}

static inline void clear_bit(uint32_t *map, uint32_t i)
{
	map[i / WORD_BITS] &= ~(1u << (i % WORD_BITS));
}

/* Forgets every area. */
void vmap_reset(void)
{
	for (uint32_t i = 0; i < VMAP_PAGES / WORD_BITS; i++) {
		used_map[i] = 0;
		guard_map[i] = 0;
	}
	search_hint = 0;
	used_pages = 0;
}

/* First free run of n pages in [from, to), or VMAP_PAGES if none. */
static uint32_t find_run(uint32_t from, uint32_t to, uint32_t n)
{
	uint32_t run = 0;
	for (uint32_t i = from; i < to; i++) {
		if (i % WORD_BITS == 0 && used_map[i / WORD_BITS] == ~0u &&
		    i + WORD_BITS <= to) {
			/* A full word: skip it whole. */
			run = 0;
			i += WORD_BITS - 1;
			continue;
		}
		if (test_bit(used_map, i)) {
			run = 0;
			continue;
		}
		if (++run == n)
			return i + 1 - n;
	}
	return VMAP_PAGES;
}

/*
 * Reserves npages plus a guard page below them. Returns the address of the
 * first page after the guard, or 0.
 */
static vaddr_t area_alloc(uint32_t npages)
{
	uint32_t n = npages + 1;
	if (npages == 0 || npages >= VMAP_PAGES)
		return 0;
	uint32_t start = find_run(search_hint, VMAP_PAGES, n);
	if (start == VMAP_PAGES)
		start = find_run(0, VMAP_PAGES, n);
	if (start == VMAP_PAGES) {
		pr_warn("vmap: no room for %u pages\n", npages);
		return 0;
	}
	for (uint32_t i = start; i < start + n; i++)
		set_bit(used_map, i);
	set_bit(guard_map, start);
	used_pages += n;
	search_hint = start + n;
	return VMAP_START + ((start + 1) << PAGE_SHIFT);
}

/* Releases an area from area_alloc(). */
static void area_free(vaddr_t va, uint32_t npages)
{
	KASSERT(va >= VMAP_START + PAGE_SIZE && va < VMAP_END &&
		(va & (PAGE_SIZE - 1)) == 0);
	uint32_t start = ((va - VMAP_START) >> PAGE_SHIFT) - 1;
	KASSERT(start + 1 + npages <= VMAP_PAGES);
	if (!test_bit(guard_map, start))
		panic("vunmap: %#x is not the start of a vmap area",
		      (unsigned int)va);
	clear_bit(guard_map, start);
	for (uint32_t i = start; i < start + 1 + npages; i++) {
		KASSERT(test_bit(used_map, i));
		clear_bit(used_map, i);
	}
	used_pages -= npages + 1;
	if (start < search_hint)
		search_hint = start;
}

/* Maps frames contiguously in a new area. */
vaddr_t vmap_pages(struct page *const *pages, size_t n, uint32_t prot)
{
	vaddr_t va = area_alloc((uint32_t)n);
	if (!va)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (vm_map_page(&kernel_space, va + i * PAGE_SIZE,
				page_to_phys(pages[i]), prot) < 0) {
			/* Give the mapped pages back without freeing them. */
			vm_unmap_range(&kernel_space, va, i * PAGE_SIZE, 0);
			area_free(va, (uint32_t)n);
			return 0;
		}
	}
	return va;
}

/* Maps a physical range in a new area. */
vaddr_t vmap_phys(paddr_t pa, size_t size, uint32_t prot)
{
	paddr_t base = page_round_down(pa);
	size_t len = page_round_up(pa + (uint32_t)size) - base;
	vaddr_t va = area_alloc((uint32_t)(len >> PAGE_SHIFT));
	if (!va)
		return 0;
	if (vm_map_range(&kernel_space, va, base, len, prot) < 0) {
		area_free(va, (uint32_t)(len >> PAGE_SHIFT));
		return 0;
	}
	return va + (pa - base);
}

/* Unmaps an area. */
void vunmap(vaddr_t va, size_t npages, bool put_frames)
{
	va = page_round_down(va);
	vm_unmap_range(&kernel_space, va, npages * PAGE_SIZE,
		       put_frames ? VM_UNMAP_PUT : 0);
	area_free(va, (uint32_t)npages);
}

/* Allocates and maps a kernel stack. */
vaddr_t kstack_alloc(void)
{
	struct page *pages[KSTACK_PAGES];
	unsigned int i;
	vaddr_t va;

	for (i = 0; i < KSTACK_PAGES; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i])
			goto out_free;
	}
	va = vmap_pages(pages, KSTACK_PAGES, PTE_W);
	if (va)
		return va;
out_free:
	while (i--)
		free_page(pages[i]);
	return 0;
}

/* Unmaps a kernel stack and frees its frames. */
void kstack_free(vaddr_t base)
{
	vunmap(base, KSTACK_PAGES, true);
}

/* Whether va is in the guard page of a live area. */
bool vmap_is_guard(vaddr_t va)
{
	if (va < VMAP_START || va >= VMAP_END)
		return false;
	return test_bit(guard_map, (va - VMAP_START) >> PAGE_SHIFT);
}

uint32_t vmap_used_pages(void)
{
	return used_pages;
}
