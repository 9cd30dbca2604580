/*
 * mm/pgtable.h - the format of x86 two-level page tables (no PAE).
 *
 * A 32-bit virtual address splits into a page-directory index (bits 31:22),
 * a page-table index (bits 21:12) and a byte offset (bits 11:0). The page
 * directory has 1024 entries (PDEs), each pointing at a page table of 1024
 * entries (PTEs), each mapping one 4 KiB frame (Intel SDM vol. 3A, 4.3,
 * figure 4-2):
 *
 *    31          22 21          12 11           0
 *   +--------------+--------------+--------------+
 *   |  PDE index   |  PTE index   |    offset    |
 *   +--------------+--------------+--------------+
 *
 * The entries' bits are those of tables 4-5 (PDE referencing a page table)
 * and 4-6 (PTE mapping a 4 KiB page) of the same section:
 *
 *    31                         12 11  9 8 7 6 5 4 3 2 1 0
 *   +-----------------------------+-----+-+-+-+-+-+-+-+-+-+
 *   | frame address               | SW  |G|P|D|A|C|W|U|W|P|
 *   |                             |     | |A| | |D|T| | | |
 *   +-----------------------------+-----+-+-+-+-+-+-+-+-+-+
 *
 * Entry states, as Pagoda interprets them:
 *
 *   P = 1                 a mapping: frame | hardware flags | software bits
 *   P = 0, entry == 0     never used ("none")
 *   P = 0, entry != 0     a swap entry (below); the CPU ignores bits 31:1 of
 *                         a non-present entry (SDM vol. 3A, 4.3), so they
 *                         are ours
 *
 * Swap entry layout:
 *
 *    31                         12 11  9 8         2 1 0
 *   +-----------------------------+-----+-----------+-+-+
 *   | swap slot number            | SW  |     0     |1|0|
 *   +-----------------------------+-----+-----------+-+-+
 *
 * Bit 1 (PTE_SWAP_MARK) is always set so that slot 0 is still non-zero; the
 * software bits 9-11 survive swap-out unchanged. 20 bits of slot number
 * address 4 GiB of swap.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/types.h"

/* Hardware bits of PTEs and PDEs (SDM vol. 3A, 4.3, tables 4-5 and 4-6). */
#define PTE_P (1u << 0)	  /* present */
#define PTE_W (1u << 1)	  /* writable (enforced in ring 0 when CR0.WP = 1) */
#define PTE_U (1u << 2)	  /* user accessible (ring 3) */
#define PTE_PWT (1u << 3) /* page-level write-through */
#define PTE_PCD (1u << 4) /* page-level cache disable */
#define PTE_A (1u << 5)	  /* accessed: set by the CPU on any access */
#define PTE_D (1u << 6)	  /* dirty: set by the CPU on a write (PTE only) */
#define PTE_PAT (1u << 7) /* page attribute table index (PTE only) */
#define PTE_G (1u << 8)	  /* global: survives CR3 reloads (PTE, CR4.PGE) */
#define PDE_PS (1u << 7)  /* in a PDE: maps a 4 MiB page (CR4.PSE) */

/*
 * Software bits 9-11, ignored by the CPU (SDM vol. 3A, 4.3, table 4-6,
 * "Ignored").
 */
#define PTE_COW (1u << 9)     /* write-protected for copy-on-write */
#define PTE_SOFT10 (1u << 10) /* unassigned */
#define PTE_SOFT11 (1u << 11) /* unassigned */
#define PTE_SOFT_MASK (PTE_COW | PTE_SOFT10 | PTE_SOFT11)

/* In a non-present entry: marks a swap entry (see the header comment). */
#define PTE_SWAP_MARK (1u << 1)

#define PTE_FLAGS_MASK 0xFFFu
#define PTE_FRAME_MASK 0xFFFFF000u

/* Entries per table and per directory. */
#define PT_ENTRIES 1024u
#define PD_ENTRIES 1024u
#define PDE_SHIFT 22
/* Bytes mapped by one page table (one PDE): 4 MiB. */
#define PDE_SPAN (1u << PDE_SHIFT)

/* The first PDE of the kernel half (the 3G/1G split): 768. */
#define KERNEL_PDE_FIRST (KERNEL_VMA >> PDE_SHIFT)

static inline uint32_t pde_index(vaddr_t va)
{
	return va >> PDE_SHIFT;
}

static inline uint32_t pte_index(vaddr_t va)
{
	return (va >> PAGE_SHIFT) & (PT_ENTRIES - 1);
}

static inline pte_t pte_make(paddr_t frame, uint32_t flags)
{
	return (frame & PTE_FRAME_MASK) | (flags & PTE_FLAGS_MASK);
}

static inline paddr_t pte_frame(pte_t pte)
{
	return pte & PTE_FRAME_MASK;
}

static inline uint32_t pte_flags(pte_t pte)
{
	return pte & PTE_FLAGS_MASK;
}

static inline bool pte_present(pte_t pte)
{
	return pte & PTE_P;
}

/* True for an entry that was never used. */
static inline bool pte_none(pte_t pte)
{
	return pte == 0;
}

static inline bool pte_is_swap(pte_t pte)
{
	return !(pte & PTE_P) && pte != 0;
}

/* A swap entry for slot, keeping the software bits of soft. */
static inline pte_t pte_make_swap(uint32_t slot, uint32_t soft)
{
	return (slot << PAGE_SHIFT) | (soft & PTE_SOFT_MASK) | PTE_SWAP_MARK;
}

static inline uint32_t pte_swap_slot(pte_t pte)
{
	return pte >> PAGE_SHIFT;
}

#endif
