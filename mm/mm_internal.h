/*
 * mm/mm_internal.h - declarations shared by the address-space code only:
 * mm/mm.c (create, destroy, fork, reports), mm/vma.c (regions),
 * mm/fault.c (page faults), mm/shm.c (shared memory) and the swapping
 * code: mm/rmap.c (reverse map), mm/swap_state.c (swap cache, freeing
 * pages and slots) and mm/vmscan.c (reclaim).
 *
 * Nothing outside these files includes it; the public API is mm/mm.h.
 */
#ifndef MM_MM_INTERNAL_H
#define MM_MM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "libk/list.h"
#include "mm/mm.h"
#include "mm/page.h"
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
/* Rounds a 64-bit length up to whole pages (never wraps). */
static inline uint64_t round_up64(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

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
/* vma_map, mapping page shm_pgoff of shm at the start (tmpfs files). */
int vma_map_pgoff(struct mm *mm, vaddr_t addr, uint64_t len, uint32_t prot,
		  uint32_t flags, enum vma_kind kind,
		  const struct vma_file *file, struct shm_object *shm,
		  uint32_t shm_pgoff, vaddr_t *out);
/* Removes every region part in [start, end), freeing their pages. */
int vma_unmap_range(struct mm *mm, vaddr_t start, vaddr_t end);
/*
 * Makes region boundaries at start and end (where they fall inside
 * regions). Returns 0 or -ENOMEM, having undone the first split then.
 */
int vma_split_at(struct mm *mm, vaddr_t start, uint64_t end);
/* Merges v with its neighbours where possible; returns the region left. */
struct vma *vma_try_merge(struct mm *mm, struct vma *v);
/* Pages in all regions. */
uint32_t vma_total_pages(struct mm *mm);
/*
 * Whether a region is private writable data, the memory RLIMIT_DATA
 * limits (Linux's is_data_mapping: writable, not shared, not stack).
 */
bool vma_is_data(uint32_t prot, uint32_t vflags);
/* Pages of regions in [start, end); with data_only, of data regions only. */
uint32_t vma_pages_in(struct mm *mm, uint64_t start, uint64_t end,
		      bool data_only);
/* Links v into mm's list in address order; its range must be free. */
void vma_link(struct mm *mm, struct vma *v);
/*
 * Finds room for len bytes: at hint (rounded up to a page) if that range
 * is free, otherwise the highest free range below the mmap base. Returns
 * 0 and sets *out, or -ENOMEM.
 */
int vma_find_free(struct mm *mm, vaddr_t hint, uint64_t len, vaddr_t *out);
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

/*
 * User pages (swap_state.c, vmscan.c). The life of a user frame:
 *
 *   vm_alloc_user_page()   allocated (reclaiming first if memory is low)
 *   user_page_map()        mapped: map count, rss, tracked by the
 *                          replacement policy (shm pages: from creation)
 *   ...                    more mappings (fork, other shm mappers)
 *   vm_zap_range() or      unmapped: uncounted; with the last reference
 *   user_page_put()        the page leaves the policy and the swap cache
 *                          and the frame is freed
 *   or evicted             written out (or dropped if clean), every PTE
 *                          replaced, frame freed (vmscan.c)
 */

/*
 * Whether pg is in the swap cache: a slot holds an identical copy, which
 * eviction may reuse without writing. Such a page is mapped read-only
 * everywhere, so the first write faults and ends the association
 * (user_page_drop_swap()); that is how Pagoda knows a page is clean.
 */
static inline bool page_swapcached(const struct page *pg)
{
	return pg->user.slot != 0;
}

/* The shm object whose page pg is, or NULL for private memory. */
static inline struct shm_object *page_shm(const struct page *pg)
{
	return (pg->flags & PG_SHM) ? pg->user.shm : NULL;
}

/*
 * A frame for user memory (GFP_ZERO in gfp to have it zeroed), reclaiming
 * first when free frames are below the low watermark. NULL when memory
 * stays short: the caller reports MM_FAULT_OOM.
 */
struct page *vm_alloc_user_page(unsigned int gfp);
/*
 * Maps pg (a reference the caller holds, which the PTE takes over) at va
 * of region v in mm with PTE bits prot, recording the reverse map,
 * counting rss and handing pg to the policy. On a shortage of kernel
 * memory (page table, anonymous family, reverse-map item) it reclaims and
 * tries once more. Returns 0 or
 * -ENOMEM (the caller still holds its reference).
 */
int user_page_map(struct mm *mm, struct vma *v, vaddr_t va, struct page *pg,
		  uint32_t prot);
/*
 * The last reference to pg is about to go: it leaves the policy and the
 * swap cache.
 */
void user_page_release(struct page *pg);
/* Drops a reference to a user frame, releasing it first if it is the last. */
void user_page_put(struct page *pg);
/*
 * The contents of pg are about to change: its slot no longer holds a
 * copy, so it leaves the swap cache and the slot reference goes.
 */
void user_page_drop_swap(struct page *pg);
/*
 * Before the entries of [start, end) in mm are cleared with
 * vm_unmap_range(VM_UNMAP_PUT): drops the slot reference of every swap
 * entry and the reverse-map item of every present page, releasing the
 * pages whose last mapping this is.
 */
void vm_zap_range(struct mm *mm, vaddr_t start, vaddr_t end);
/*
 * vm_zap_range() for one entry of mm (arg), as a page-table walk's
 * callback: gives back its swap slot, or its reverse-map pair (releasing
 * the page when this mapping holds its last reference). Returns 0.
 */
int vm_zap_entry(vaddr_t va, pte_t *ptep, void *arg);

/* The page in the swap cache for slot, or NULL (swap_state.c). */
struct page *swap_cache_lookup(uint32_t slot);
/*
 * Puts pg in the swap cache as the copy of slot, taking over one slot
 * reference from the caller. Returns 0, or -ENOMEM (pg stays out of the
 * cache and the caller keeps its reference).
 */
int swap_cache_add(struct page *pg, uint32_t slot);
/* Takes pg out of the swap cache; its slot reference passes to the caller. */
void swap_cache_del(struct page *pg);
/* Pages in the swap cache. */
uint32_t swap_cache_pages(void);
/* Frees the lookup table's empty chunks; returns how many. */
uint32_t swap_cache_shrink(void);

/*
 * Eviction of page idx of s (vmscan.c): its frame pg leaves the object,
 * which keeps slot (and the reference on it) instead and drops its frame
 * reference (shm.c). Slot 0: the page held only zeros and becomes a hole.
 */
void shm_page_evicted(struct shm_object *s, uint32_t idx, struct page *pg,
		      uint32_t slot);

/*
 * Reclaims up to the high watermark if free frames are below the low one
 * (before work whose kernel allocations do not reclaim, like fork).
 */
void vmscan_make_room(void);

/* Hands pg to the active policy (if it does not track it yet). */
void vmscan_track(struct page *pg);
/* Takes pg from the active policy (if it tracks it). */
void vmscan_untrack(struct page *pg);
/*
 * Tells the active policy that pg, tracked and just read back from swap
 * slot `slot`, holds contents it evicted earlier (vm_policy.refault).
 */
void vmscan_refault(struct page *pg, uint32_t slot);
/*
 * Before a page is added to mm: when mm is over RLIMIT_RSS (never counted
 * as below MM_RSS_MIN_PAGES), evicts one of its own pages (local
 * replacement), never one of the pages the last faults brought in.
 */
void vmscan_rss_limit(struct mm *mm);
/*
 * A fault brought the page at va into mm (for local replacement: called
 * only while mm has an RSS limit, the only time the pages are needed).
 */
void vmscan_note_fault(struct mm *mm, vaddr_t va);

#endif
