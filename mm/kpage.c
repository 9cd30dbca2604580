/*
 * mm/kpage.c - Linux's page-inspection numbers for Pagoda's frames and user
 * pages: the entries of /proc/kpageflags, /proc/kpagecount,
 * /proc/PID/pagemap and Pagoda's /proc/pagoda/kpageorder (mm/kpage.h).
 *
 * Everything here only reads. A frame is classified from its struct page
 * (mm/page.h) and, for user memory, from its mappings, which are reached
 * through the reverse map's public functions (rmap_mapcount, rmap_walk)
 * so that the way a page records its mappings can change underneath.
 *
 * Flags are given the way Linux gives them (fs/proc/page.c,
 * stable_page_flags()):
 *   - BUDDY only on the first frame of a free block on a buddy list; the
 *     blocks in the hot-block caches, like Linux's per-CPU lists, and the
 *     other frames of a free block carry no flag (kpageorder tells them);
 *   - an allocated block of more than one frame is "compound": its first
 *     frame COMPOUND_HEAD, the others COMPOUND_TAIL, and SLAB on all of a
 *     slab's frames;
 *   - reserved frames (holes, firmware, the kernel image, the memory map)
 *     RESERVED; Pagoda has a struct page for every frame below max_pfn,
 *     so NOPAGE never appears;
 *   - a user page: MMAP when mapped, UPTODATE, SWAPBACKED (every Pagoda
 *     user page is written to swap when evicted, file pages included, as
 *     there is no page cache to drop them to), ANON unless it belongs to
 *     a file region or a shared (shm) object, SWAPCACHE while a slot holds
 *     a copy, LRU while the replacement policy tracks it, UNEVICTABLE and
 *     MLOCKED in a locked region, and REFERENCED or DIRTY when a mapping's
 *     PTE has the accessed or dirty bit (Pagoda keeps no such bits in
 *     struct page: the policy reads the PTEs).
 */
#include "mm/kpage.h"

#include "mm/internal.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pmm.h"
#include "mm/policy.h"
#include "mm/rmap.h"
#include "mm/vm.h"

/* The flags that make a frame the first frame of a block. */
#define BLOCK_HEAD_FLAGS (PG_HEAD | PG_BUDDY | PG_PCP)

uint32_t kpage_nr_frames(void)
{
	return max_pfn;
}

/*
 * The first frame of the block (allocated or free) containing pfn, or
 * max_pfn when pfn is in none (reserved). Blocks are naturally aligned, so
 * the head is pfn rounded down to some power of two: the first candidate
 * that is a head decides, since a larger block around pfn would contain it.
 */
static pfn_t block_head(pfn_t pfn, unsigned int *order)
{
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		pfn_t h = pfn & ~((1u << o) - 1);
		const struct page *pg = pfn_to_page(h);
		if (!(pg->flags & BLOCK_HEAD_FLAGS))
			continue;
		unsigned int ord = (pg->flags & PG_HEAD) ? page_alloc_order(pg)
							 : pg->order;
		if (pfn - h >= (1u << ord))
			return max_pfn;
		*order = ord;
		return h;
	}
	return max_pfn;
}

/* What the PTEs mapping a user page say, gathered by rmap_walk. */
struct pte_bits {
	bool accessed, dirty;
};

static int gather_pte_bits(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg)
{
	struct pte_bits *b = arg;
	(void)mm;
	(void)va;
	if (ptep) {
		b->accessed |= (*ptep & PTE_A) != 0;
		b->dirty |= (*ptep & PTE_D) != 0;
	}
	return 0;
}

/* Stops the walk at the first mapping, reporting whether it is a file's. */
static int first_mapping_is_file(struct mm *mm, vaddr_t va, pte_t *ptep,
				 void *arg)
{
	(void)ptep;
	(void)arg;
	const struct vma *v = mm_find_vma(mm, va);
	return v && v->kind == VMA_FILE ? 1 : 2;
}

/*
 * Whether a user page is anonymous in Linux's sense: not a shm object's,
 * not mapped from a file region. An unmapped private page (in the swap
 * cache only) counts as anonymous.
 */
static bool user_page_anon(struct page *pg)
{
	if (page_shm(pg))
		return false;
	return rmap_walk(pg, first_mapping_is_file, NULL) != 1;
}

/* The flags of the first frame of an allocated user block. */
static uint64_t user_page_flags(struct page *pg)
{
	uint64_t u = kpf(KPF_UPTODATE) | kpf(KPF_SWAPBACKED);
	struct pte_bits b = { false, false };

	if (kpage_mapcount(page_to_pfn(pg)))
		u |= kpf(KPF_MMAP);
	if (user_page_anon(pg))
		u |= kpf(KPF_ANON);
	if (!page_shm(pg) && page_swapcached(pg))
		u |= kpf(KPF_SWAPCACHE);
	if (policy_page_tracked(pg))
		u |= kpf(KPF_LRU);
	if (rmap_locked(pg))
		u |= kpf(KPF_UNEVICTABLE) | kpf(KPF_MLOCKED);
	rmap_walk(pg, gather_pte_bits, &b);
	if (b.accessed)
		u |= kpf(KPF_REFERENCED);
	if (b.dirty)
		u |= kpf(KPF_DIRTY);
	return u;
}

uint64_t kpage_flags(pfn_t pfn)
{
	if (pfn >= max_pfn)
		return kpf(KPF_NOPAGE);
	struct page *pg = pfn_to_page(pfn);
	if (pg->flags & PG_RESERVED)
		return kpf(KPF_RESERVED);
	unsigned int order;
	pfn_t head = block_head(pfn, &order);
	if (head == max_pfn)
		return 0;
	struct page *hp = pfn_to_page(head);
	if (!(hp->flags & PG_HEAD))
		return head == pfn && (hp->flags & PG_BUDDY) ? kpf(KPF_BUDDY)
							     : 0;
	uint64_t u = 0;
	if (hp->flags & PG_SLAB)
		u |= kpf(KPF_SLAB);
	if (head != pfn)
		return u | kpf(KPF_COMPOUND_TAIL);
	if (order > 0)
		u |= kpf(KPF_COMPOUND_HEAD);
	if (hp->flags & PG_PGTABLE)
		u |= kpf(KPF_PGTABLE);
	if (hp->flags & PG_USER)
		u |= user_page_flags(hp);
	return u;
}

uint32_t kpage_mapcount(pfn_t pfn)
{
	if (pfn >= max_pfn)
		return 0;
	struct page *pg = pfn_to_page(pfn);
	if ((pg->flags & (PG_HEAD | PG_USER)) != (PG_HEAD | PG_USER))
		return 0;
	return rmap_mapcount(pg);
}

uint64_t kpage_free_order(pfn_t pfn)
{
	if (pfn >= max_pfn || (pfn_to_page(pfn)->flags & PG_RESERVED))
		return KPAGE_ORDER_NONE;
	unsigned int order;
	pfn_t head = block_head(pfn, &order);
	if (head == max_pfn)
		return KPAGE_ORDER_NONE;
	uint32_t f = pfn_to_page(head)->flags;
	if (f & PG_BUDDY)
		return order;
	if (f & PG_PCP)
		return order | KPAGE_ORDER_CACHED;
	return KPAGE_ORDER_NONE;
}

uint64_t kpage_pagemap_entry(struct mm *mm, vaddr_t va, bool show_pfn)
{
	const struct vma *v = mm_find_vma(mm, va);
	if (!v)
		return 0;
	pte_t *ptep = vm_pte_lookup(&mm->space, va);
	if (!ptep || pte_none(*ptep))
		return 0;
	pte_t pte = *ptep;
	if (pte_is_swap(pte)) {
		/* Pagoda has one swap area: type 0. */
		uint64_t e = PM_SWAP;
		if (show_pfn)
			e |= ((uint64_t)pte_swap_slot(pte)
			      << PM_SWAP_TYPE_BITS) &
			     PM_PFN_MASK;
		return e;
	}
	pfn_t pfn = (pfn_t)(pte_frame(pte) >> PAGE_SHIFT);
	uint64_t e = PM_PRESENT;
	if (show_pfn)
		e |= pfn;
	if (pfn < max_pfn) {
		struct page *pg = pfn_to_page(pfn);
		if (v->kind == VMA_FILE || page_shm(pg))
			e |= PM_FILE;
		if (kpage_mapcount(pfn) == 1)
			e |= PM_MMAP_EXCLUSIVE;
	}
	return e;
}
