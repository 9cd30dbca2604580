/*
 * mm/mlock.c - locked regions (mlock, mlockall): pages that are never
 * evicted.
 *
 * A region with VMA_LOCKED has its pages brought in when it is locked,
 * and reclaim (mm/vmscan.c) refuses to evict a page that any locked region
 * maps. Pages stay on the replacement policy's list all the same: a locked
 * victim is simply given back, and the policy proposes another. That
 * costs a little scanning when much is locked, which is rare, and keeps
 * one list per policy (Linux moves such pages to an "unevictable" list).
 *
 * Locks are not inherited across fork, and execve starts a new address
 * space without them, as on Linux.
 *
 * Locking: none; the kernel is not preemptible.
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"

/* Brings in every page of [start, end) of v as a read would. */
static int populate(struct mm *mm, struct vma *v, vaddr_t start, vaddr_t end)
{
	/* A region without access cannot be read, by the kernel either. */
	if (!(v->prot & MM_PROT_MASK))
		return 0;
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *ptep = vm_pte_lookup(&mm->space, va);
		if (ptep && pte_present(*ptep))
			continue;
		enum mm_fault_result r = fault_in(mm, v, va, false);
		if (r == MM_FAULT_OOM)
			return -ENOMEM;
		/* Beyond a file's end is not an error for mlock: skip it. */
	}
	return 0;
}

/* Sets or clears VMA_LOCKED on the regions of [start, end). */
static int set_locked(struct mm *mm, vaddr_t start, uint64_t end, bool lock)
{
	int err = vma_split_at(mm, start, end);
	if (err)
		return err;
	for (struct vma *v = vma_find_from(mm, start); v && v->start < end;
	     v = mm_next_vma(mm, v)) {
		if (lock)
			v->flags |= VMA_LOCKED;
		else
			v->flags &= ~VMA_LOCKED;
	}
	if (lock)
		mm->has_locked = true;
	/* Regions that now look alike become one again. */
	struct vma *v = vma_find_from(mm, start ? start - 1 : 0);
	while (v && v->start <= end)
		v = mm_next_vma(mm, vma_try_merge(mm, v));
	if (!lock)
		return 0;
	for (v = vma_find_from(mm, start); v && v->start < end;
	     v = mm_next_vma(mm, v)) {
		vaddr_t s = v->start > start ? v->start : start;
		vaddr_t e = v->end < end ? v->end : (vaddr_t)end;
		err = populate(mm, v, s, e);
		if (err)
			return err;
	}
	return 0;
}

/* mlock / munlock of a range. */
int mm_lock(struct mm *mm, vaddr_t addr, size_t len, bool lock)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (len == 0)
		return 0;
	uint64_t end = (uint64_t)addr + round_up64(len);
	if (end > KERNEL_VMA)
		return -ENOMEM;
	/* Every page of the range must be in a region (Linux: ENOMEM). */
	uint64_t a = addr;
	for (struct vma *v = vma_find_from(mm, addr); a < end;
	     v = mm_next_vma(mm, v)) {
		if (!v || v->start > a)
			return -ENOMEM;
		a = v->end;
	}
	return set_locked(mm, addr, end, lock);
}

/* mlockall / munlockall. */
int mm_lock_all(struct mm *mm, bool current, bool future, bool lock)
{
	if (!lock) {
		mm->lock_future = false;
		mm->has_locked = false;
		return set_locked(mm, 0, KERNEL_VMA, false);
	}
	if (future) {
		mm->lock_future = true;
		mm->has_locked = true;
	}
	return current ? set_locked(mm, 0, KERNEL_VMA, true) : 0;
}
