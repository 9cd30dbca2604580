/*
 * mm/mm_internal.h - declarations shared by the address-space code only:
 * mm/mm.c (create, destroy, fork, reports), mm/vma.c (regions),
 * mm/fault.c (page faults) and mm/shm.c (shared memory).
 *
 * Nothing outside these files includes it; the public API is mm/mm.h.
 */
#ifndef MM_MM_INTERNAL_H
#define MM_MM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "libk/list.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "mm/vm.h"

struct shm_object;

static inline struct vma *vma_of(struct list_node *n)
{
	return list_entry(n, struct vma, node);
}

/* Pages in [start, end) of a region. */
static inline uint32_t vma_pages(const struct vma *v)
{
	return (v->end - v->start) >> PAGE_SHIFT;
}

/*
 * Whether the pages of v are shared with every other mapper (a shm
 * object's) rather than private to this address space (copied on write
 * after fork).
 */
static inline bool vma_shares_pages(const struct vma *v)
{
	return v->kind == VMA_SHM;
}

/*
 * The lowest address the region below may reach up to: a stack keeps
 * MM_STACK_GAP free below itself (Linux's stack_guard_gap), which no other
 * mapping may take.
 */
static inline uint64_t vma_start_gap(const struct vma *v)
{
	if (!(v->flags & VMA_GROWSDOWN))
		return v->start;
	return v->start > MM_STACK_GAP ? v->start - MM_STACK_GAP : 0;
}

/*
 * The PTE protection bits of a page of v: user-accessible unless the
 * region is PROT_NONE (the page then stays present for the kernel only,
 * so its contents survive), writable if the region is and the page need
 * not be copied first (cow).
 */
static inline uint32_t vma_pte_prot(const struct vma *v, bool cow)
{
	uint32_t f = 0;
	if (v->prot & MM_PROT_MASK)
		f |= PTE_U;
	if ((v->prot & MM_PROT_WRITE) && !cow)
		f |= PTE_W;
	return f;
}

/* Region list (vma.c). */
struct vma *vma_alloc(void);
void vma_free(struct vma *v);
/* A copy of v with the same backing (a shm reference taken), unlinked. */
struct vma *vma_dup(const struct vma *v);
/* The first region ending above addr (it may start above addr), or NULL. */
struct vma *vma_find_from(struct mm *mm, vaddr_t addr);
struct vma *vma_prev(struct mm *mm, struct vma *v);
/*
 * Adds a region: addr, len and prot as mm_map, and either a file or a
 * shm object (the region takes a reference on it). The core of mm_map and
 * shm_attach.
 */
int vma_map(struct mm *mm, vaddr_t addr, uint64_t len, uint32_t prot,
	    uint32_t flags, enum vma_kind kind, const struct vma_file *file,
	    struct shm_object *shm, vaddr_t *out);
/* Removes every region part in [start, end), freeing their pages. */
int vma_unmap_range(struct mm *mm, vaddr_t start, vaddr_t end);
/* Pages in all regions. */
uint32_t vma_total_pages(struct mm *mm);
/*
 * Stack growth for a fault at addr, which no region contains: extends the
 * VMA_GROWSDOWN region just above it, if the limit and the gap to the
 * region below allow. Returns MM_FAULT_OK and sets *out, or the reason.
 */
enum mm_fault_result vma_grow_stack(struct mm *mm, vaddr_t addr,
				    struct vma **out);

/*
 * Pending TLB invalidations while PTEs of one space are rewritten in
 * place: up to VM_FLUSH_CEILING single pages, then a full flush.
 */
struct tlb_batch {
	bool active; /* the space is loaded: its TLB entries matter */
	bool all;    /* too many pages: flush everything */
	uint32_t n;
	vaddr_t va[VM_FLUSH_CEILING];
};

void tlb_batch_init(struct tlb_batch *b, struct vm_space *s);
void tlb_batch_add(struct tlb_batch *b, vaddr_t va);
void tlb_batch_finish(struct tlb_batch *b);

/* Faults (fault.c). */
/*
 * Makes the page at va (in region v) present as an access needs: a write
 * leaves it writable (copying it if it is shared copy-on-write). The
 * caller has checked that v allows the access.
 */
enum mm_fault_result fault_in(struct mm *mm, struct vma *v, vaddr_t va,
			      bool write);

#endif
