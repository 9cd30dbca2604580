/*
 * mm/types.h - address and page-table entry types used throughout mm/.
 *
 * Physical and virtual addresses are different integer types and never
 * pointers: a physical address becomes a pointer only through
 * port_phys_to_virt() (the direct map in the kernel, the fake-RAM arena on
 * the host).
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdint.h>

typedef uint32_t paddr_t;  /* a physical address (32-bit, no PAE) */
typedef uint32_t vaddr_t;  /* a virtual address in a 32-bit address space */
typedef uint32_t pfn_t;    /* a physical frame number: paddr >> PAGE_SHIFT */
typedef uint32_t pte_t;    /* a page-table entry (Intel SDM vol. 3A, 4.3) */
typedef uint32_t pde_t;    /* a page-directory entry */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* Where the kernel half starts (the 3G/1G split, see docs/memory-layout.md). */
#define KERNEL_VMA 0xC0000000u
/* Physical memory below this is direct-mapped at KERNEL_VMA ("lowmem"). */
#define LOWMEM_LIMIT 0x30000000u

static inline uint32_t page_round_down(uint32_t x)
{
	return x & PAGE_MASK;
}

static inline uint32_t page_round_up(uint32_t x)
{
	return (x + PAGE_SIZE - 1) & PAGE_MASK;
}

#endif
