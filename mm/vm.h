/*
 * mm/vm.h - address spaces and their page tables.
 *
 * An address space (struct vm_space) is one page directory. Its user half
 * (below KERNEL_VMA) is its own; its kernel half is shared by every space:
 * each directory holds the same kernel PDEs, pointing at the same kernel
 * page tables, so a kernel mapping made in any space is seen in all.
 * Kernel page tables, once created, are never freed (which is what keeps
 * the copies in every directory valid); user page tables are allocated on
 * the first mapping in their 4 MiB and freed when their last entry goes.
 *
 * Kernel virtual layout (see docs/memory-manager.md):
 *
 *   0xC0000000 .. +lowmem   direct map of physical 0 .. lowmem end,
 *                           4 KiB pages, kernel text and rodata read-only,
 *                           physical page 0 unmapped
 *   0xF0000000 .. VMAP_END  dynamic mappings: kernel stacks (each with an
 *                           unmapped guard page below) and vmap areas
 *
 * All page-table walking is in mm/paging.c. Mapping functions take
 * protection as PTE bits (mm/pgtable.h): any of PTE_W, PTE_U, PTE_PWT,
 * PTE_PCD and the software bits; PTE_P is implied and PTE_G is added to
 * kernel mappings when the CPU has global pages.
 *
 * Frame ownership: a present PTE of a managed frame holds one reference to
 * the frame (struct page refcount). vm_map_page() takes over the caller's
 * reference; vm_unmap_range(..., VM_UNMAP_PUT) and vm_space_destroy() drop
 * it; vm_unmap_page() hands the old entry back to the caller instead.
 */
#ifndef MM_VM_H
#define MM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libk/list.h"
#include "mm/pgtable.h"
#include "mm/types.h"

/* Protection bits the mapping functions accept. */
#define VM_PROT_MASK (PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_SOFT_MASK)

/* The dynamic kernel mapping area (kernel stacks, vmap). */
#define VMAP_START 0xF0000000u
/* Above it, 8 MiB stay free for future fixed and temporary mappings. */
#define VMAP_END 0xFF800000u

/*
 * A range operation changing more pages than this flushes the whole TLB
 * instead of one invlpg per page (Linux uses 33 on x86 for the same
 * trade-off: one invlpg costs about as much as refilling a few entries).
 */
#define VM_FLUSH_CEILING 32u

struct vm_space {
	pde_t *pgdir;	       /* the page directory, via the direct map */
	paddr_t pgdir_phys;    /* its physical address, for CR3 */
	uint32_t nr_pgtables;  /* user page tables allocated */
	uint32_t nr_swapped;   /* user page tables in swap (mm/procswap.c) */
	struct list_node link; /* on the list of all spaces */
};

/* The kernel's own address space: no user mappings. */
extern struct vm_space kernel_space;

/*
 * Replaces the boot page tables with the kernel's own (see above) and
 * loads them. Call after pmm_init(). Returns 0 or -ENOMEM.
 */
int paging_init(void);

/* Whether kernel mappings are global (CR4.PGE on). */
bool paging_global_enabled(void);

/*
 * Makes *s a new address space: an empty user half and the shared kernel
 * half. Returns 0 or -ENOMEM.
 */
int vm_space_init(struct vm_space *s);

/*
 * Tears down an address space that is not the current one: drops the
 * frame references of its user mappings, frees its user page tables and
 * its page directory.
 */
void vm_space_destroy(struct vm_space *s);
/*
 * The same, calling fn(va, ptep, arg) for every entry that is not none
 * just before its frame reference is dropped (one pass for mm_destroy).
 */
void vm_space_destroy_with(struct vm_space *s,
			   int (*fn)(vaddr_t va, pte_t *ptep, void *arg),
			   void *arg);

/* Loads s into CR3. */
void vm_space_activate(struct vm_space *s);

/* The space loaded in CR3. */
struct vm_space *vm_space_current(void);

/*
 * Maps the page at va to the frame at pa. Returns 0, -EINVAL for an
 * unaligned address, -EEXIST if va is already mapped, or -ENOMEM when a
 * page table cannot be allocated. A swap entry at va is overwritten.
 */
int vm_map_page(struct vm_space *s, vaddr_t va, paddr_t pa, uint32_t prot);

/*
 * Maps [va, va + size) to physically contiguous [pa, pa + size). On
 * failure nothing stays mapped and the error of vm_map_page() is returned.
 */
int vm_map_range(struct vm_space *s, vaddr_t va, paddr_t pa, size_t size,
		 uint32_t prot);

/*
 * Clears the entry of va (a mapping or a swap entry) and returns it in
 * *old; the frame's reference passes to the caller. Returns 0 or -ENOENT.
 */
int vm_unmap_page(struct vm_space *s, vaddr_t va, pte_t *old);

enum vm_unmap_flags {
	VM_UNMAP_PUT = 1u << 0, /* drop the references of unmapped frames */
};

/*
 * Clears every entry in [va, va + size) and returns how many mappings
 * (present entries) were removed.
 */
uint32_t vm_unmap_range(struct vm_space *s, vaddr_t va, size_t size,
			unsigned int flags);

/*
 * Looks va up. Returns 0 and sets *pa (with the offset) and *flags (the
 * PTE's flag bits) if present; -EFAULT otherwise. pa or flags may be NULL.
 */
int vm_translate(struct vm_space *s, vaddr_t va, paddr_t *pa, uint32_t *flags);

/*
 * Sets the protection of every present page in [va, va + size) to prot,
 * keeping frame, accessed and dirty bits. Returns how many changed.
 */
uint32_t vm_protect(struct vm_space *s, vaddr_t va, size_t size, uint32_t prot);

/* The PTE of va, or NULL when va has no page table. */
pte_t *vm_pte_lookup(struct vm_space *s, vaddr_t va);

/*
 * The PTE of va, creating its page table if needed (NULL when no frame is
 * left for it). For installing a non-present entry (a swap entry) with
 * vm_pte_set(): a table created here must get an entry at once, since
 * empty user tables are freed, never kept.
 */
pte_t *vm_pte_alloc(struct vm_space *s, vaddr_t va);

/*
 * Replaces the entry *ptep of va (found with vm_pte_lookup) by pte, keeping
 * the table's entry count and flushing the TLB when a present entry
 * changes. pte must not be 0: use vm_unmap_page() to clear.
 */
void vm_pte_set(struct vm_space *s, vaddr_t va, pte_t *ptep, pte_t pte);

/*
 * Copies the entries of [va, va + size) of src into dst, which has none
 * there (fork). For each entry of src that is not none,
 * fn(va, ptep, &out, arg) says what dst gets: it sets out (0 for
 * nothing) and may rewrite *ptep, src's own entry (write-protecting it),
 * flushing the TLB for that itself. dst's tables are made as needed:
 * -ENOMEM when one cannot be, or fn's error, stops the copy, leaving in
 * dst what was copied so far.
 */
int vm_copy_range(struct vm_space *src, struct vm_space *dst, vaddr_t va,
		  uint64_t size,
		  int (*fn)(vaddr_t va, pte_t *ptep, pte_t *out, void *arg),
		  void *arg);

/*
 * Moves every entry of [from, from + size) to the same place in
 * [to, to + size), which must hold none and must not overlap the first
 * range (mremap). The page tables the destination needs are made first:
 * -ENOMEM then, with nothing moved. Otherwise each entry moves as it is
 * (frame, flags, swap entry), moved(from_va, to_va, pte, arg) is called
 * for it, source tables left empty are freed and stale TLB entries
 * invalidated; returns 0.
 */
int vm_move_range(struct vm_space *s, vaddr_t from, vaddr_t to, size_t size,
		  void (*moved)(vaddr_t from, vaddr_t to, pte_t pte, void *arg),
		  void *arg);

/*
 * Calls fn for every entry that is not none in [va, va + size), in address
 * order; stops early and returns fn's value when it is non-zero. fn may
 * change entries with vm_pte_set() but must not clear them.
 */
int vm_walk(struct vm_space *s, vaddr_t va, uint64_t size,
	    int (*fn)(vaddr_t va, pte_t *ptep, void *arg), void *arg);

/*
 * Checks the page tables' invariants: entry counts, no empty user tables,
 * the kernel half identical to the kernel space's. Returns 0 or -EINVAL
 * after logging the first violation. For tests and debugging.
 */
int vm_space_check(struct vm_space *s);

/*
 * User page tables in swap (whole-process swapping, mm/procswap.c). A
 * table in swap leaves a swap entry in its PDE; walks treat it as absent,
 * and nothing may create a table over it (pte_get() asserts).
 */
struct page;
/* The present user table of PDE pdi (below KERNEL_PDE_FIRST), or NULL. */
pte_t *vm_table(struct vm_space *s, uint32_t pdi);
/* The swap entry PDE pdi holds, or 0. */
pde_t vm_table_swapped(const struct vm_space *s, uint32_t pdi);
/*
 * Puts entry (a swap entry) in PDE pdi in place of its table, which holds
 * no present page, and frees the table.
 */
void vm_table_evict(struct vm_space *s, uint32_t pdi, pde_t entry);
/*
 * Makes table (a GFP_PGTABLE page with the entries read back, none of them
 * present) PDE pdi's table again. Returns its entries that are not none.
 */
uint32_t vm_table_restore(struct vm_space *s, uint32_t pdi, struct page *table);
/* Clears PDE pdi's swap entry (its table's slots were released). */
void vm_table_forget(struct vm_space *s, uint32_t pdi);

#endif
