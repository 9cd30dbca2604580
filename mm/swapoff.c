/*
 * mm/swapoff.c - bringing the pages of an address space back from swap
 * (see mm/swapoff.h for the whole walk).
 */
#include "mm/swapoff.h"

#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pgtable.h"
#include "mm/procswap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/vm.h"

/* Pages one page table covers (4 MiB: skipped at once when absent). */
#define PT_SPAN (PAGE_SIZE * 1024u)

/* Faults in every swap PTE of a private region. */
static int unuse_region(struct mm *mm, struct vma *v)
{
	for (vaddr_t va = v->start; va < v->end && mm->swap_pages;
	     va += PAGE_SIZE) {
		pte_t *ptep = vm_pte_lookup(&mm->space, va);
		if (!ptep) {
			/* No page table: nothing until the next one. */
			vaddr_t next = (va & ~(PT_SPAN - 1)) + PT_SPAN;
			if (next == 0 || next >= v->end)
				break;
			va = next - PAGE_SIZE;
			continue;
		}
		if (!pte_is_swap(*ptep) ||
		    !swap_slot_draining(pte_swap_slot(*ptep)))
			continue;
		switch (fault_in(mm, v, va, false)) {
		case MM_FAULT_OK:
			break;
		case MM_FAULT_OOM:
			return -ENOMEM;
		default:
			return -EIO;
		}
	}
	return 0;
}

int swapoff_unuse_mm(struct mm *mm)
{
	struct list_node *n;
	/* A process swapped out as a whole: its tables first. */
	if (mm_swap_pending(mm)) {
		int err = mm_swap_in_tables(mm);
		if (err)
			return err;
	}
	list_for_each(n, &mm->vmas) {
		struct vma *v = list_entry(n, struct vma, node);
		int err = vma_shares_pages(v) ? shm_unuse_swap(v->shm)
					      : unuse_region(mm, v);
		if (err)
			return err;
	}
	return 0;
}
