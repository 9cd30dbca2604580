/*
 * mm/msync.c - msync, mincore and madvise(MADV_WILLNEED): what a process
 * may ask about, or ask of, the pages behind its file and shared
 * mappings.
 *
 *   msync      a shared mapping of a tmpfs file maps the page cache's own
 *              frames, so a store through it is in the file at once:
 *              there is nothing to write back and nothing to invalidate.
 *              msync checks its arguments as Linux's does (mm/msync.c)
 *              and reports holes in the range (-ENOMEM) and MS_INVALIDATE
 *              of locked pages (-EBUSY).
 *   mincore    a page is resident when its PTE is present; else when the
 *              cache holds it (a shm object's or tmpfs file's page, an
 *              initramfs file, always in memory), or for a swap entry
 *              when the swap cache still holds its frame (Linux's
 *              mincore_page and mincore_pte_range).
 *   WILLNEED   pages of shared objects and tmpfs files that are in swap
 *              are read back now, so that the coming accesses do not
 *              wait (Linux's shmem swap-in for madvise_willneed);
 *              private memory is left alone.
 *
 * Locking: none; the kernel is not preemptible.
 */
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/shm.h"

/* The cache object and page index behind va in v, if there is one. */
static struct shm_object *cache_page_of(const struct vma *v, vaddr_t va,
					uint32_t *idx)
{
	if (v->kind == VMA_SHM) {
		*idx = v->shm_pgoff + ((va - v->start) >> PAGE_SHIFT);
		return v->shm;
	}
	if (v->kind == VMA_FILE && v->file.cache) {
		uint64_t pos = v->file.offset + (va - v->start);
		if (pos >> PAGE_SHIFT >= UINT32_MAX)
			return NULL;
		*idx = (uint32_t)(pos >> PAGE_SHIFT);
		return v->file.cache;
	}
	return NULL;
}

int mm_msync(struct mm *mm, vaddr_t addr, size_t len, uint32_t flags)
{
	if (flags & ~(MM_MS_ASYNC | MM_MS_INVALIDATE | MM_MS_SYNC))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if ((flags & MM_MS_ASYNC) && (flags & MM_MS_SYNC))
		return -EINVAL;
	uint64_t end = (uint64_t)addr + round_up64(len);
	if (end > KERNEL_VMA)
		return -ENOMEM;
	if (end == addr)
		return 0;
	int err = 0;
	uint64_t a = addr;
	struct vma *v = vma_find_from(mm, addr);
	if (!v)
		return -ENOMEM;
	for (; v && v->start < end; v = mm_next_vma(mm, v)) {
		if (v->start > a)
			err = -ENOMEM;
		if ((flags & MM_MS_INVALIDATE) && (v->flags & VMA_LOCKED))
			return -EBUSY;
		a = v->end;
	}
	return a < end ? -ENOMEM : err;
}

/* One page for mincore: 1 if resident (see the top of this file). */
static uint8_t page_resident(struct mm *mm, struct vma *v, vaddr_t va)
{
	pte_t *ptep = vm_pte_lookup(&mm->space, va);
	pte_t pte = ptep ? *ptep : 0;
	if (pte_present(pte))
		return 1;
	if (pte_is_swap(pte))
		return swap_cache_lookup(pte_swap_slot(pte)) ? 1 : 0;
	uint32_t idx;
	struct shm_object *s = cache_page_of(v, va, &idx);
	if (s)
		return idx < s->npages && s->pages[idx] ? 1 : 0;
	/* An initramfs file's bytes are in memory, as in a page cache. */
	return v->kind == VMA_FILE ? 1 : 0;
}

int mm_mincore(struct mm *mm, vaddr_t addr, uint32_t npages, uint8_t *vec)
{
	vaddr_t va = addr;
	for (uint32_t i = 0; i < npages; i++, va += PAGE_SIZE) {
		struct vma *v = mm_find_vma(mm, va);
		if (!v)
			return -ENOMEM;
		vec[i] = page_resident(mm, v, va);
	}
	return 0;
}

int mm_willneed(struct mm *mm, vaddr_t addr, size_t len)
{
	uint64_t end = (uint64_t)addr + round_up64(len);
	if (end > KERNEL_VMA)
		return -ENOMEM;
	int err = 0;
	uint64_t a = addr;
	for (struct vma *v = vma_find_from(mm, addr); v && v->start < end;
	     v = mm_next_vma(mm, v)) {
		if (v->start > a)
			err = -ENOMEM;
		uint64_t s = v->start > addr ? v->start : addr;
		uint64_t e = v->end < end ? v->end : end;
		for (uint64_t va = s; va < e; va += PAGE_SIZE) {
			uint32_t idx;
			struct shm_object *o =
				cache_page_of(v, (vaddr_t)va, &idx);
			struct page *pg;
			bool created;
			/* Only pages in swap: a hole stays a hole. */
			if (o && idx < o->npages && !o->pages[idx] &&
			    o->slots[idx] && shm_page(o, idx, &pg, &created))
				break; /* a hint: memory or I/O ran short */
		}
		a = e;
	}
	return a < end ? -ENOMEM : err;
}
