/*
 * mm/mremap.c - mremap: shrinking, growing and moving a region.
 *
 * mremap(addr, old_len, new_len, flags, new_addr) resizes the part
 * [addr, addr + old_len) of one region. Shrinking unmaps the tail.
 * Growing extends the region in place when the addresses after it are
 * free; otherwise, with MREMAP_MAYMOVE, the part moves to a free range of
 * new_len bytes. MREMAP_FIXED moves it to new_addr (unmapping whatever is
 * there), and MREMAP_DONTUNMAP moves the pages but leaves the old range
 * mapped and empty, so that its next touch faults afresh.
 *
 * Moving copies no page. The region is duplicated at the new address
 * (same backing: the file and offset, or the shm object and page index),
 * then vm_move_range() carries the page-table entries across as they are:
 * present pages with their accessed, dirty and copy-on-write bits, swap
 * entries with their slot. The copy stays in the region's anonymous
 * family with its delta changed so that every page keeps its index there
 * (mm/rmap.h); a shm page's reverse-map item changes its address in place
 * (rmap_move). Nothing is allocated once entries start to move, and a
 * move either happens whole or not at all.
 * What a page is (its frame, its place in the replacement policy's lists,
 * its swap slot) never depends on the address it is mapped at.
 *
 * The checks and their order are Linux's (mm/mremap.c: the mremap system
 * call, mremap_to, vma_to_resize, move_vma), so that the same bad call
 * gets the same errno. Pagoda's differences: a private file mapping
 * cannot grow (its pages past the old end would read as zeros, not as
 * the file), and a moved piece of the heap or of the main stack becomes
 * ordinary anonymous memory (Linux names regions by address as well).
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "mm/internal.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/page.h"
#include "mm/rmap.h"
#include "mm/vm.h"

/* mremap flags (include/uapi/linux/mman.h). */
#define MREMAP_MAYMOVE 1u
#define MREMAP_FIXED 2u
#define MREMAP_DONTUNMAP 4u

/*
 * Whether a region's backing can have more pages: anonymous memory, the
 * heap and the stack make them; a shm object answers past its end with
 * SIGBUS, as Linux's shared memory does. A private file mapping cannot
 * (see above).
 */
static bool can_grow(const struct vma *v)
{
	return v->kind != VMA_FILE;
}

/*
 * The region of [addr, addr + old_len) and whether it may become new_len
 * long (Linux's vma_to_resize). Returns the region or NULL with *err set.
 */
static struct vma *vma_to_resize(struct mm *mm, vaddr_t addr,
				 uint64_t old_len, uint64_t new_len, int *err)
{
	struct vma *v = mm_find_vma(mm, addr);
	*err = -EFAULT;
	if (!v)
		return NULL;
	/* old_len 0 duplicates a mapping: only shared pages can be. */
	*err = -EINVAL;
	if (old_len == 0 && !(v->flags & VMA_SHARED))
		return NULL;
	*err = -EFAULT;
	if (old_len > v->end - addr)
		return NULL; /* the range spans more than one region */
	if (new_len == old_len)
		return v;
	uint64_t grow = (new_len - old_len) >> PAGE_SHIFT;
	*err = -ENOMEM;
	if ((vma_total_pages(mm) + grow) << PAGE_SHIFT > mm->limit_as)
		return NULL;
	if (vma_is_data(v->prot, v->flags) &&
	    (vma_pages_in(mm, 0, KERNEL_VMA, true) + grow) << PAGE_SHIFT >
		    mm->limit_data)
		return NULL;
	return v;
}

/* Brings in the pages of a locked range (as mlock does). */
static void populate_locked(struct mm *mm, const struct vma *v, vaddr_t from,
			    uint64_t to)
{
	if ((v->flags & VMA_LOCKED) && to > from)
		mm_lock(mm, from, (size_t)(to - from), true);
}

/* Grows v, whose end is addr + old_len, in place if the room is free. */
static bool grow_in_place(struct mm *mm, struct vma *v, vaddr_t addr,
			  uint64_t new_len)
{
	uint64_t new_end = (uint64_t)addr + new_len;
	struct vma *next = mm_next_vma(mm, v);
	if (new_end > KERNEL_VMA || (next && next->start < new_end) ||
	    !can_grow(v))
		return false;
	vaddr_t old_end = v->end;
	v->end = (vaddr_t)new_end;
	populate_locked(mm, v, old_end, new_end);
	vma_try_merge(mm, v);
	return true;
}

/* vm_move_range()'s report of one moved entry: its reverse-map pair. */
static void moved_entry(vaddr_t from, vaddr_t to, pte_t pte, void *arg)
{
	if (!pte_present(pte))
		return; /* a swap entry: the slot knows no address */
	struct page *pg = phys_to_page(pte_frame(pte));
	if (pg && (pg->flags & PG_USER))
		rmap_move(pg, arg, from, to);
}

/*
 * Moves [addr, addr + old_len) of v to [to, to + new_len), which is free
 * (Linux's move_vma). The new region gets the backing that continues
 * from addr; the old range is unmapped, or with MREMAP_DONTUNMAP kept,
 * empty and no longer locked.
 */
static int move_region(struct mm *mm, struct vma *v, vaddr_t addr,
		       uint64_t old_len, vaddr_t to, uint64_t new_len,
		       uint32_t flags)
{
	/*
	 * The old range as a region of its own: the copy starts from it.
	 * old_len 0 (a second mapping of shared pages) leaves v whole, and
	 * the copy starts at addr's page of the same backing.
	 */
	int err;
	if (old_len) {
		err = vma_split_at(mm, addr, (uint64_t)addr + old_len);
		if (err)
			return err;
		v = mm_find_vma(mm, addr);
	}
	struct vma *n = vma_dup(v);
	if (!n) {
		vma_try_merge(mm, v);
		return -ENOMEM;
	}
	if (addr > v->start) {
		uint32_t delta = addr - v->start;
		n->shm_pgoff += delta >> PAGE_SHIFT;
		if (n->kind == VMA_FILE) {
			n->file.offset += delta;
			n->file.filesz = n->file.filesz > delta
						 ? n->file.filesz - delta
						 : 0;
		}
	}
	/* Each moved page keeps its index in the family. */
	n->anon_delta += (addr >> PAGE_SHIFT) - (to >> PAGE_SHIFT);
	n->start = to;
	n->end = (vaddr_t)((uint64_t)to + new_len);
	if (n->kind == VMA_HEAP || n->kind == VMA_STACK)
		n->kind = VMA_ANON;

	err = vm_move_range(&mm->space, addr, to, (size_t)old_len,
			    moved_entry, mm);
	if (err) {
		vma_free(n);
		vma_try_merge(mm, v);
		return err;
	}
	vma_link(mm, n);
	n = vma_try_merge(mm, n);
	populate_locked(mm, n, (vaddr_t)((uint64_t)to + old_len),
			(uint64_t)to + new_len);

	if (flags & MREMAP_DONTUNMAP) {
		v->flags &= ~VMA_LOCKED;
		vma_try_merge(mm, v);
		return 0;
	}
	if (old_len) {
		/* A whole region: no split, so nothing can fail. */
		err = vma_unmap_range(mm, addr,
				      (vaddr_t)((uint64_t)addr + old_len));
		KASSERT(err == 0);
	}
	return 0;
}

/* MREMAP_FIXED or MREMAP_DONTUNMAP: a move to a given place (mremap_to). */
static int remap_to(struct mm *mm, vaddr_t addr, uint64_t old_len,
		    vaddr_t new_addr, uint64_t new_len, uint32_t flags,
		    vaddr_t *out)
{
	if (new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (new_len > KERNEL_VMA || new_addr > KERNEL_VMA - new_len)
		return -EINVAL;
	if ((uint64_t)addr + old_len > new_addr &&
	    (uint64_t)new_addr + new_len > addr)
		return -EINVAL; /* the ranges overlap */
	int err;
	if (flags & MREMAP_FIXED) {
		if (new_addr < MM_MMAP_MIN_ADDR)
			return -EPERM;
		err = vma_unmap_range(mm, new_addr,
				      (vaddr_t)((uint64_t)new_addr + new_len));
		if (err)
			return err;
	}
	if (old_len > new_len) {
		err = vma_unmap_range(mm, (vaddr_t)((uint64_t)addr + new_len),
				      (vaddr_t)((uint64_t)addr + old_len));
		if (err)
			return err;
		old_len = new_len;
	}
	struct vma *v = vma_to_resize(mm, addr, old_len, new_len, &err);
	if (!v)
		return err;
	/* The old range stays mapped: the address space grows by it. */
	if ((flags & MREMAP_DONTUNMAP) &&
	    (vma_total_pages(mm) + (old_len >> PAGE_SHIFT)) << PAGE_SHIFT >
		    mm->limit_as)
		return -ENOMEM;
	vaddr_t to = new_addr;
	if (!(flags & MREMAP_FIXED) &&
	    vma_find_free(mm, new_addr, new_len, &to) < 0)
		return -ENOMEM;
	if (new_len > old_len && !can_grow(v))
		return -ENOMEM;
	err = move_region(mm, v, addr, old_len, to, new_len, flags);
	if (err)
		return err;
	*out = to;
	return 0;
}

/* mremap (see mm.h). */
int mm_remap(struct mm *mm, vaddr_t addr, uint64_t old_len, uint64_t new_len,
	     uint32_t flags, vaddr_t new_addr, vaddr_t *out)
{
	int err;

	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	old_len = round_up64(old_len);
	new_len = round_up64(new_len);
	if (new_len == 0)
		return -EINVAL;
	if (!mm_find_vma(mm, addr))
		return -EFAULT;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return remap_to(mm, addr, old_len, new_addr, new_len, flags,
				out);

	/* Shrinking unmaps the tail, whatever is mapped there. */
	if (old_len >= new_len) {
		uint64_t end = (uint64_t)addr + old_len;
		if (old_len > new_len) {
			if (end > KERNEL_VMA)
				return -EINVAL;
			err = vma_unmap_range(mm, (vaddr_t)(addr + new_len),
					      (vaddr_t)end);
			if (err)
				return err;
		}
		*out = addr;
		return 0;
	}

	struct vma *v = vma_to_resize(mm, addr, old_len, new_len, &err);
	if (!v)
		return err;
	if (old_len && (uint64_t)addr + old_len == v->end &&
	    grow_in_place(mm, v, addr, new_len)) {
		*out = addr;
		return 0;
	}
	if (!(flags & MREMAP_MAYMOVE) || !can_grow(v))
		return -ENOMEM;
	vaddr_t to;
	if (vma_find_free(mm, 0, new_len, &to) < 0)
		return -ENOMEM;
	err = move_region(mm, v, addr, old_len, to, new_len, flags);
	if (err)
		return err;
	*out = to;
	return 0;
}
