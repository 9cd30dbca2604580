/*
 * mm/vmap.h - dynamic kernel mappings: kernel stacks and vmap areas.
 *
 * The top of kernel space, [VMAP_START, VMAP_END), is handed out in areas
 * of whole pages. Every area has one unmapped guard page just below it, so
 * a kernel stack that overflows (stacks grow down) faults on the guard
 * page instead of silently overwriting its neighbour:
 *
 *   VMAP_START                                            VMAP_END
 *   | guard | stack 0 (4 pages) | guard | stack 1 | guard | area | ...
 *
 * Mappings are made in the shared kernel half, so they are visible in
 * every address space.
 */
#ifndef MM_VMAP_H
#define MM_VMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/page.h"
#include "mm/types.h"

/* Pages of one kernel stack: 16 KiB, like the boot stack. */
#define KSTACK_PAGES 4u
#define KSTACK_SIZE (KSTACK_PAGES * PAGE_SIZE)

/*
 * Allocates and maps a kernel stack. Returns its lowest address (the
 * initial stack pointer is kstack_top() of it), or 0 when out of memory.
 */
vaddr_t kstack_alloc(void);

/* Unmaps a kernel stack and frees its frames. */
void kstack_free(vaddr_t base);

static inline vaddr_t kstack_top(vaddr_t base)
{
	return base + KSTACK_SIZE;
}

/*
 * Maps n frames contiguously in a new area (with prot as for vm_map_page;
 * PTE_W for ordinary kernel data). The mappings take over the caller's
 * references to the frames. Returns the area's address or 0.
 */
vaddr_t vmap_pages(struct page *const *pages, size_t n, uint32_t prot);

/*
 * Maps [pa, pa + size), e.g. device memory, in a new area. The frames are
 * not reference counted. Returns the address of pa or 0.
 */
vaddr_t vmap_phys(paddr_t pa, size_t size, uint32_t prot);

/*
 * Unmaps an area of npages made by vmap_pages() (put_frames: drop the
 * frames' references, freeing them) or vmap_phys() (put_frames false).
 */
void vunmap(vaddr_t va, size_t npages, bool put_frames);

/* True if va lies in the guard page of a live area (a stack overflow). */
bool vmap_is_guard(vaddr_t va);

/* Pages of the dynamic area in use, guard pages included. */
uint32_t vmap_used_pages(void);

#endif
