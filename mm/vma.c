/*
 * mm/vma.c - the regions of an address space: finding, adding, splitting,
 * merging and removing them, placing new mappings, protection, madvise,
 * the brk heap and the stack's growth (mremap is in mm/mremap.c).
 *
 * The regions of an mm are a list sorted by start address (mm->vmas).
 * A process has a handful of them (program segments, bss, heap, stack, a
 * few mmaps), so a list is both the simplest structure and fast enough;
 * Linux uses a maple tree because its processes have thousands.
 *
 * Invariants (checked by mm_check()):
 *  - every region is page aligned, non-empty and below KERNEL_VMA;
 *  - regions are sorted and never overlap;
 *  - a page is mapped in the page tables only inside a region, with PTE
 *    bits its region's protection allows (vma_pte_prot);
 *  - a writable region has VMA_MAYWRITE (a region without it may never
 *    become writable);
 *  - a heap region (VMA_HEAP) starts between brk_start and the break
 *    (heap_trim);
 *  - mm->rss counts the present user PTEs, mm->swap_pages the swap
 *    entries;
 *  - a private region with pages has an anonymous family (mm/rmap.h)
 *    and is on its list; v->mm is the region's address space.
 * Pages of a region leave the page tables when the region (or the part of
 * it) goes: vm_zap_range() gives back swap slots and map counts, then
 * vm_unmap_range() drops the frame references.
 *
 * Splitting: a region cut at an address becomes two whose backing
 * continues where the first one stops (file offset and bytes from the
 * file, shm page index; both pieces stay in the anonymous family with the
 * same delta, so every page keeps its index). Merging undoes exactly
 * that: two neighbours merge when the second is what splitting their
 * union would give, so merging never changes what any page reads; two
 * regions of different families never merge, and a region without one
 * (no page yet) takes its neighbour's.
 *
 * Locking: none; the kernel is not preemptible and no interrupt handler
 * touches address spaces.
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pmm.h"
#include "mm/port.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/slab.h"
#include "mm/vm.h"

/* Allocates an unlinked, zeroed region. */
struct vma *vma_alloc(void)
{
	struct vma *v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (v) {
		list_init(&v->node);
		list_init(&v->family_node);
	}
	return v;
}

/*
 * Frees an unlinked region, its reference on a shm object and its place
 * in its anonymous family.
 */
void vma_free(struct vma *v)
{
	if (v->shm)
		shm_object_put(v->shm);
	if (v->kind == VMA_FILE && v->file.cache)
		shm_object_put(v->file.cache);
	anon_family_leave(v);
	kfree(v);
}

/*
 * A copy of v with the same backing (taking a shm reference) in the same
 * anonymous family, unlinked.
 */
struct vma *vma_dup(const struct vma *v)
{
	struct vma *n = vma_alloc();
	if (!n)
		return NULL;
	*n = *v;
	list_init(&n->node);
	anon_family_join(n, v);
	if (n->shm)
		shm_object_get(n->shm);
	if (n->kind == VMA_FILE && n->file.cache)
		shm_object_get(n->file.cache);
	return n;
}

/* The region containing addr, or NULL. */
struct vma *mm_find_vma(struct mm *mm, vaddr_t addr)
{
	struct list_node *pos;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = vma_of(pos);
		if (addr < v->end)
			return addr >= v->start ? v : NULL;
	}
	return NULL;
}

/* The first region ending above addr, or NULL. */
struct vma *vma_find_from(struct mm *mm, vaddr_t addr)
{
	struct list_node *pos;
	list_for_each(pos, &mm->vmas) {
		struct vma *v = vma_of(pos);
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* The region after v, or the first one when v is NULL. */
struct vma *mm_next_vma(struct mm *mm, struct vma *v)
{
	struct list_node *n = v ? v->node.next : mm->vmas.next;
	return n == &mm->vmas ? NULL : vma_of(n);
}

/* The region before v, or NULL. */
struct vma *vma_prev(struct mm *mm, struct vma *v)
{
	struct list_node *n = v->node.prev;
	return n == &mm->vmas ? NULL : vma_of(n);
}

/* Pages in all regions (VmSize). */
uint32_t vma_total_pages(struct mm *mm)
{
	uint32_t n = 0;
	struct list_node *pos;
	list_for_each(pos, &mm->vmas)
		n += vma_pages(vma_of(pos));
	return n;
}

/*
 * Whether a region is private writable data, the memory RLIMIT_DATA
 * limits (Linux's is_data_mapping: writable, not shared, not stack).
 */
bool vma_is_data(uint32_t prot, uint32_t vflags)
{
	return (prot & MM_PROT_WRITE) &&
	       !(vflags & (VMA_SHARED | VMA_GROWSDOWN));
}

/* Pages of regions in [start, end); with data_only, of data regions only. */
uint32_t vma_pages_in(struct mm *mm, uint64_t start, uint64_t end,
			 bool data_only)
{
	uint32_t n = 0;
	for (struct vma *v = vma_find_from(mm, (vaddr_t)start);
	     v && v->start < end; v = mm_next_vma(mm, v)) {
		if (data_only && !vma_is_data(v->prot, v->flags))
			continue;
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		n += (uint32_t)((e - s) >> PAGE_SHIFT);
	}
	return n;
}

/*
 * Moves the start of v up by delta bytes, keeping its backing in step
 * (the 64-bit file offset goes on past 4 GiB rather than wrapping).
 */
static void vma_advance(struct vma *v, uint32_t delta)
{
	v->start += delta;
	if (v->kind == VMA_FILE) {
		v->file.offset += delta;
		v->file.filesz = v->file.filesz > delta ? v->file.filesz - delta
							: 0;
	}
	v->shm_pgoff += delta >> PAGE_SHIFT;
}

/* Cuts v in two at addr; the upper part is linked after v. */
static int vma_split(struct vma *v, vaddr_t addr)
{
	KASSERT(v->start < addr && addr < v->end);
	KASSERT((addr & ~PAGE_MASK) == 0);
	struct vma *n = vma_dup(v);
	if (!n)
		return -ENOMEM;
	vma_advance(n, addr - v->start);
	v->end = addr;
	list_insert_between(&n->node, &v->node, v->node.next);
	return 0;
}

/* Whether b, right after a, is what splitting a region a+b would give. */
static bool can_merge(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->kind != b->kind || a->prot != b->prot ||
	    a->flags != b->flags || a->shm != b->shm ||
	    !anon_family_can_merge(a, b))
		return false;
	struct vma t = *a;
	vma_advance(&t, a->end - a->start);
	if (a->kind == VMA_SHM)
		return t.shm_pgoff == b->shm_pgoff;
	if (a->kind == VMA_FILE)
		return t.file.data == b->file.data &&
		       t.file.cache == b->file.cache &&
		       t.file.size == b->file.size &&
		       t.file.offset == b->file.offset &&
		       t.file.filesz == b->file.filesz &&
		       t.file.path == b->file.path &&
		       t.file.ino == b->file.ino && t.file.dev == b->file.dev;
	return true;
}

/* Merges v with its neighbours where possible; returns the region left. */
struct vma *vma_try_merge(struct mm *mm, struct vma *v)
{
	struct vma *n = mm_next_vma(mm, v);
	if (n && can_merge(v, n)) {
		v->end = n->end;
		anon_family_absorb(v, n);
		list_remove(&n->node);
		vma_free(n);
	}
	struct vma *p = vma_prev(mm, v);
	if (p && can_merge(p, v)) {
		p->end = v->end;
		anon_family_absorb(p, v);
		list_remove(&v->node);
		vma_free(v);
		v = p;
	}
	return v;
}

/* Links v in address order; the range must be free. */
void vma_link(struct mm *mm, struct vma *v)
{
	struct list_node *pos;
	list_for_each(pos, &mm->vmas) {
		if (vma_of(pos)->start > v->start)
			break;
	}
	KASSERT(pos == &mm->vmas || vma_of(pos)->start >= v->end);
	KASSERT(pos->prev == &mm->vmas || vma_of(pos->prev)->end <= v->start);
	v->mm = mm;
	list_insert_between(&v->node, pos->prev, pos);
}

/*
 * Drops the pages of [start, end) from the page tables: swap entries give
 * back their slot reference, present pages their reverse-map item and
 * frame reference.
 */
static void unmap_pages(struct mm *mm, vaddr_t start, vaddr_t end)
{
	vm_zap_range(mm, start, end);
	uint32_t n =
		vm_unmap_range(&mm->space, start, end - start, VM_UNMAP_PUT);
	KASSERT(n <= mm->rss);
	mm->rss -= n;
}

/*
 * The heap is the regions brk made (and mremap grew) that start at or
 * below the break: Linux names a region "[heap]" when it starts at or
 * below the break and ends at or above its start (fs/proc/task_mmu.c).
 * mremap may grow the heap past the break; a piece that then lies wholly
 * above it, once brk comes down or munmap or mprotect cuts the region, is
 * ordinary anonymous memory, as it is on Linux. This makes it so for the
 * regions from `from` up.
 */
static void heap_trim(struct mm *mm, vaddr_t from)
{
	for (struct vma *v = vma_find_from(mm, from); v;
	     v = mm_next_vma(mm, v))
		if (v->kind == VMA_HEAP && v->start > mm->brk)
			v->kind = VMA_ANON;
}

/*
 * Makes region boundaries at start and end (when they fall inside
 * regions). On failure, undoes the first split.
 */
int vma_split_at(struct mm *mm, vaddr_t start, uint64_t end)
{
	struct vma *v = vma_find_from(mm, start);
	struct vma *first = NULL;
	int err;

	if (v && v->start < start && v->end > start) {
		err = vma_split(v, start);
		if (err)
			return err;
		first = v;
	}
	if (end < KERNEL_VMA) {
		v = vma_find_from(mm, (vaddr_t)end);
		if (v && v->start < end && v->end > end) {
			err = vma_split(v, (vaddr_t)end);
			if (err) {
				if (first)
					vma_try_merge(mm, first);
				return err;
			}
		}
	}
	/* An upper piece of the heap may now lie above the break. */
	heap_trim(mm, start);
	return 0;
}

/* Removes every region part in [start, end) and frees its pages. */
int vma_unmap_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	int err = vma_split_at(mm, start, end);
	if (err)
		return err;
	struct vma *v = vma_find_from(mm, start);
	while (v && v->start < end) {
		struct vma *next = mm_next_vma(mm, v);
		unmap_pages(mm, v->start, v->end);
		list_remove(&v->node);
		vma_free(v);
		v = next;
	}
	return 0;
}

/* Whether [a, a + len) is free, inside the mmap window, clear of guard gaps. */
static bool range_free(struct mm *mm, uint64_t a, uint64_t len)
{
	if (a < MM_MMAP_MIN_ADDR || a + len > KERNEL_VMA)
		return false;
	struct vma *v = vma_find_from(mm, (vaddr_t)a);
	return !v || a + len <= vma_start_gap(v);
}

/*
 * The highest free range of len bytes ending at or below mmap_base (the
 * top-down layout Linux uses: the mmap area grows down towards the heap).
 */
static int find_topdown(struct mm *mm, uint64_t len, vaddr_t *out)
{
	uint64_t gap_end = KERNEL_VMA;
	struct list_node *pos = mm->vmas.prev;

	for (;;) {
		struct vma *v = pos == &mm->vmas ? NULL : vma_of(pos);
		uint64_t gap_start = v ? v->end : MM_MMAP_MIN_ADDR;
		uint64_t top = gap_end < mm->mmap_base ? gap_end
						       : mm->mmap_base;
		if (gap_start < MM_MMAP_MIN_ADDR)
			gap_start = MM_MMAP_MIN_ADDR;
		if (top >= gap_start && top - gap_start >= len) {
			*out = (vaddr_t)(top - len);
			return 0;
		}
		if (!v)
			return -ENOMEM;
		gap_end = vma_start_gap(v);
		pos = pos->prev;
	}
}

/* Where a new region of len bytes goes: at the hint if free, else top-down. */
int vma_find_free(struct mm *mm, vaddr_t hint, uint64_t len, vaddr_t *out)
{
	if (hint && range_free(mm, round_up64(hint), len)) {
		*out = (vaddr_t)round_up64(hint);
		return 0;
	}
	return find_topdown(mm, len, out);
}

/* Adds a region; the core of mm_map and shm_attach. */
int vma_map(struct mm *mm, vaddr_t addr, uint64_t len, uint32_t prot,
	    uint32_t flags, enum vma_kind kind, const struct vma_file *file,
	    struct shm_object *shm, vaddr_t *out)
{
	return vma_map_pgoff(mm, addr, len, prot, flags, kind, file, shm, 0,
			     out);
}

/* vma_map, with the shm object's page mapped at the start. */
int vma_map_pgoff(struct mm *mm, vaddr_t addr, uint64_t len, uint32_t prot,
		  uint32_t flags, enum vma_kind kind,
		  const struct vma_file *file, struct shm_object *shm,
		  uint32_t shm_pgoff, vaddr_t *out)
{
	bool fixed = flags & MM_MAP_FIXED;
	uint32_t vflags = 0;
	vaddr_t a;

	if (len == 0 || (prot & ~MM_PROT_MASK))
		return -EINVAL;
	if ((kind == VMA_FILE) != (file != NULL) ||
	    (kind == VMA_SHM) != (shm != NULL))
		return -EINVAL;
	if (file && (file->offset & ~PAGE_MASK))
		return -EINVAL;
	if (len > KERNEL_VMA)
		return -ENOMEM;
	len = round_up64(len);
	if (flags & MM_MAP_SHARED)
		vflags |= VMA_SHARED;
	if (kind == VMA_STACK)
		vflags |= VMA_GROWSDOWN;
	if (kind == VMA_SHM)
		vflags |= VMA_SHARED;
	/*
	 * Whether PROT_WRITE may ever be given (Linux's VM_MAYWRITE). File
	 * images are read-only, so a shared file mapping, which would have to
	 * write back, never may; nor may a mapping of something opened for
	 * reading only (MM_MAP_RDONLY: shmat with SHM_RDONLY).
	 */
	if (!(flags & MM_MAP_RDONLY) &&
	    !(kind == VMA_FILE && (vflags & VMA_SHARED)))
		vflags |= VMA_MAYWRITE;
	if ((prot & MM_PROT_WRITE) && !(vflags & VMA_MAYWRITE))
		return -EACCES;
	if (fixed) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr < MM_MMAP_MIN_ADDR)
			return -EPERM;
		if ((uint64_t)addr + len > KERNEL_VMA)
			return -ENOMEM;
	}

	/* Limits count what the address space holds after the change. */
	uint64_t npages = len >> PAGE_SHIFT;
	uint64_t replaced = fixed ? vma_pages_in(mm, addr, addr + len, false) : 0;
	if ((vma_total_pages(mm) + npages - replaced) << PAGE_SHIFT >
	    mm->limit_as)
		return -ENOMEM;
	if (vma_is_data(prot, vflags)) {
		uint64_t data = vma_pages_in(mm, 0, KERNEL_VMA, true);
		uint64_t gone = fixed ? vma_pages_in(mm, addr, addr + len, true)
				      : 0;
		if ((data + npages - gone) << PAGE_SHIFT > mm->limit_data)
			return -ENOMEM;
	}

	if (fixed)
		a = addr;
	else if (vma_find_free(mm, addr, len, &a) < 0)
		return -ENOMEM;

	struct vma *v = vma_alloc();
	if (!v)
		return -ENOMEM;
	v->start = a;
	v->end = (vaddr_t)(a + len);
	v->prot = prot;
	v->flags = vflags;
	/* mlockall(MCL_FUTURE): new regions are locked too. */
	if (mm->lock_future)
		v->flags |= VMA_LOCKED;
	v->kind = kind;
	if (file) {
		v->file = *file;
		if (file->cache)
			shm_object_get(file->cache);
	}
	if (shm) {
		v->shm = shm;
		v->shm_pgoff = shm_pgoff;
		shm_object_get(shm);
	}
	if (fixed) {
		int err = vma_unmap_range(mm, a, a + len);
		if (err) {
			vma_free(v);
			return err;
		}
	}
	vma_link(mm, v);
	vma_try_merge(mm, v);
	*out = a;
	return 0;
}

/* Adds a region (see mm.h). */
int mm_map(struct mm *mm, vaddr_t addr, size_t len, uint32_t prot,
	   uint32_t flags, enum vma_kind kind, const struct vma_file *file,
	   vaddr_t *out)
{
	bool shared_anon = kind == VMA_SHM ||
			   (kind == VMA_ANON && (flags & MM_MAP_SHARED));
	if (!shared_anon)
		return vma_map(mm, addr, len, prot, flags, kind, file, NULL,
			       out);
	if (len == 0 || len > KERNEL_VMA || file)
		return len > KERNEL_VMA ? -ENOMEM : -EINVAL;
	/* Shared anonymous memory: the region holds a new shm object. */
	struct shm_object *s = shm_create((uint32_t)len);
	if (!s)
		return -ENOMEM;
	int err = vma_map(mm, addr, len, prot, flags, VMA_SHM, NULL, s, out);
	shm_object_put(s);
	return err;
}

/* Unmaps [addr, addr + len). */
int mm_unmap(struct mm *mm, vaddr_t addr, size_t len)
{
	if ((addr & ~PAGE_MASK) || len == 0 || len > KERNEL_VMA)
		return -EINVAL;
	uint64_t end = (uint64_t)addr + round_up64(len);
	if (end > KERNEL_VMA)
		return -EINVAL;
	return vma_unmap_range(mm, addr, (vaddr_t)end);
}

/* Starts a batch of invalidations for PTEs of s. */
void tlb_batch_init(struct tlb_batch *b, struct vm_space *s)
{
	b->active = s == vm_space_current();
	b->all = false;
	b->n = 0;
}

/* Notes that va's TLB entry is stale. */
void tlb_batch_add(struct tlb_batch *b, vaddr_t va)
{
	if (!b->active || b->all)
		return;
	if (b->n == VM_FLUSH_CEILING) {
		b->all = true;
		return;
	}
	b->va[b->n++] = va;
}

/* Invalidates what was noted. User pages are never global. */
void tlb_batch_finish(struct tlb_batch *b)
{
	if (b->active) {
		if (b->all)
			port_tlb_flush_all(false);
		else
			for (uint32_t i = 0; i < b->n; i++)
				port_tlb_flush_page(b->va[i]);
	}
	b->all = false;
	b->n = 0;
}

struct reprotect {
	const struct vma *v;
	struct tlb_batch *tlb;
};

/*
 * Gives one present page its region's new protection. A copy-on-write
 * page stays read-only whatever the region allows: its first write must
 * still fault and copy. So does a page in the swap cache, whose first
 * write must end its association with the slot (mm/swap_state.c).
 */
static int reprotect_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	struct reprotect *r = arg;
	pte_t pte = *ptep;
	if (!pte_present(pte))
		return 0;
	struct page *pg = phys_to_page(pte_frame(pte));
	bool wp = (pte & PTE_COW) || (pg && (pg->flags & PG_USER) &&
				      page_swapcached(pg));
	pte_t new = (pte & ~(pte_t)(PTE_U | PTE_W)) | vma_pte_prot(r->v, wp);
	if (new != pte) {
		/* Present stays present: the table's entry count holds. */
		*ptep = new;
		tlb_batch_add(r->tlb, va);
	}
	return 0;
}

/* Changes the protection of [addr, addr + len). */
int mm_protect(struct mm *mm, vaddr_t addr, size_t len, uint32_t prot)
{
	if ((addr & ~PAGE_MASK) || (prot & ~MM_PROT_MASK))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (len > KERNEL_VMA)
		return -ENOMEM;
	uint64_t end = (uint64_t)addr + round_up64(len);
	if (end > KERNEL_VMA)
		return -ENOMEM;

	/* All or nothing: check the whole range before changing anything. */
	uint64_t a = addr;
	for (struct vma *v = vma_find_from(mm, addr); a < end;
	     v = mm_next_vma(mm, v)) {
		if (!v || v->start > a)
			return -ENOMEM;
		if ((prot & MM_PROT_WRITE) && !(v->flags & VMA_MAYWRITE))
			return -EACCES;
		a = v->end;
	}
	int err = vma_split_at(mm, addr, end);
	if (err)
		return err;

	struct tlb_batch tlb;
	tlb_batch_init(&tlb, &mm->space);
	for (struct vma *v = vma_find_from(mm, addr); v && v->start < end;
	     v = mm_next_vma(mm, v)) {
		struct reprotect r = { v, &tlb };
		v->prot = prot;
		vm_walk(&mm->space, v->start, v->end - v->start, reprotect_pte,
			&r);
	}
	tlb_batch_finish(&tlb);

	/* Regions that now look alike become one again. */
	struct vma *v = vma_find_from(mm, addr ? addr - 1 : 0);
	while (v && v->start <= end)
		v = mm_next_vma(mm, vma_try_merge(mm, v));
	return 0;
}

/*
 * madvise(MADV_DONTNEED or MADV_FREE) on [addr, addr + len): drops the
 * pages region by region, in address order, as Linux's madvise_walk_vmas
 * does. A locked region stops the walk with -EINVAL (its pages must stay
 * resident: Linux's can_madv_lru_vma), and so does, for MADV_FREE
 * (anon_only), a region that is not private anonymous memory (Linux's
 * madvise_free_single_vma); the regions before it have been dropped
 * already. A hole is -ENOMEM once the rest is done.
 */
static int drop_pages(struct mm *mm, vaddr_t addr, size_t len, bool anon_only)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (len > KERNEL_VMA)
		return -ENOMEM;
	uint64_t end = (uint64_t)addr + round_up64(len);
	if (end > KERNEL_VMA)
		return -ENOMEM;

	int err = 0;
	uint64_t a = addr;
	for (struct vma *v = vma_find_from(mm, addr); v && v->start < end;
	     v = mm_next_vma(mm, v)) {
		if (v->start > a)
			err = -ENOMEM;
		if (v->flags & VMA_LOCKED)
			return -EINVAL;
		if (anon_only && v->kind != VMA_ANON && v->kind != VMA_HEAP &&
		    v->kind != VMA_STACK)
			return -EINVAL;
		uint64_t s = v->start > addr ? v->start : addr;
		uint64_t e = v->end < end ? v->end : end;
		unmap_pages(mm, (vaddr_t)s, (vaddr_t)e);
		a = e;
	}
	return a < end ? -ENOMEM : err;
}

/* madvise(MADV_DONTNEED) on [addr, addr + len). */
int mm_dontneed(struct mm *mm, vaddr_t addr, size_t len)
{
	return drop_pages(mm, addr, len, false);
}

/* madvise(MADV_FREE) on [addr, addr + len). */
int mm_madvise_free(struct mm *mm, vaddr_t addr, size_t len)
{
	return drop_pages(mm, addr, len, true);
}

/* Sets where the heap starts. */
void mm_init_brk(struct mm *mm, vaddr_t start)
{
	mm->brk_start = start;
	mm->brk = start;
}

/*
 * Grows the heap's pages from old_end to new_end: extends the heap region
 * ending at old_end, or starts one.
 */
static int brk_grow(struct mm *mm, vaddr_t old_end, uint64_t new_end)
{
	/* Linux keeps a page free above the break, and a stack's guard gap. */
	struct vma *next = vma_find_from(mm, old_end);
	if (new_end + PAGE_SIZE > KERNEL_VMA ||
	    (next && new_end + PAGE_SIZE > vma_start_gap(next)))
		return -ENOMEM;
	uint64_t grow = (new_end - old_end) >> PAGE_SHIFT;
	if ((vma_total_pages(mm) + grow) << PAGE_SHIFT > mm->limit_as ||
	    (vma_pages_in(mm, 0, KERNEL_VMA, true) + grow) << PAGE_SHIFT >
		    mm->limit_data)
		return -ENOMEM;

	struct vma *heap = old_end ? mm_find_vma(mm, old_end - 1) : NULL;
	if (heap && heap->kind == VMA_HEAP && heap->end == old_end) {
		heap->end = (vaddr_t)new_end;
		return 0;
	}
	vaddr_t a;
	return vma_map(mm, old_end, new_end - old_end,
		       MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, VMA_HEAP,
		       NULL, NULL, &a);
}

/* Moves the break (Linux brk semantics). */
vaddr_t mm_brk(struct mm *mm, vaddr_t new_brk)
{
	if (new_brk == 0 || mm->brk_start == 0 || new_brk < mm->brk_start ||
	    new_brk >= KERNEL_VMA)
		return mm->brk;
	vaddr_t old_end = page_round_up(mm->brk);
	uint64_t new_end = round_up64(new_brk);

	if (new_end > old_end) {
		if (brk_grow(mm, old_end, new_end) < 0)
			return mm->brk;
	} else if (new_end < old_end) {
		if (vma_unmap_range(mm, (vaddr_t)new_end, old_end) < 0)
			return mm->brk;
	}
	mm->brk = new_brk;
	/* What mremap grew past the old break may now be above the new. */
	heap_trim(mm, mm->brk_start);
	return new_brk;
}

/* Creates the main stack region and places the mmap area below it. */
int mm_setup_stack(struct mm *mm, vaddr_t stack_top, size_t initial)
{
	if ((stack_top & ~PAGE_MASK) || stack_top == 0 ||
	    stack_top > KERNEL_VMA)
		return -EINVAL;
	uint64_t size = round_up64(initial ? initial : PAGE_SIZE);
	if (size > mm->limit_stack)
		return -ENOMEM;
	uint64_t reserve = mm->limit_stack < MM_STACK_MAX_RESERVE
				   ? round_up64(mm->limit_stack)
				   : MM_STACK_MAX_RESERVE;
	if ((uint64_t)MM_MMAP_MIN_ADDR + reserve + MM_STACK_GAP >= stack_top)
		return -EINVAL;
	uint64_t start = stack_top - size;
	if (!range_free(mm, start, size))
		return -EINVAL;
	vaddr_t a;
	int err = vma_map(mm, (vaddr_t)start, size,
			  MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, VMA_STACK,
			  NULL, NULL, &a);
	if (err)
		return err;
	mm->stack_top = stack_top;
	mm->mmap_base = (vaddr_t)(stack_top - reserve - MM_STACK_GAP);
	return 0;
}

/* Extends the stack region down to a faulting address, if allowed. */
enum mm_fault_result vma_grow_stack(struct mm *mm, vaddr_t addr,
				    struct vma **out)
{
	/* LAB 3 BEGIN: grow the stack down to addr (limit, guard gap) */
	struct vma *v = vma_find_from(mm, addr);
	if (!v || !(v->flags & VMA_GROWSDOWN))
		return MM_FAULT_UNMAPPED;
	KASSERT(v->start > addr);

	vaddr_t start = page_round_down(addr);
	if ((uint64_t)(v->end - start) > mm->limit_stack) {
		/*
		 * Just past the limit is a stack overflow (runaway recursion,
		 * a huge local array); far below is a stray pointer.
		 */
		uint64_t floor =
			v->end > mm->limit_stack ? v->end - mm->limit_stack : 0;
		return (uint64_t)addr + MM_STACK_GAP >= floor
			       ? MM_FAULT_STACK_LIMIT
			       : MM_FAULT_UNMAPPED;
	}
	/*
	 * The stack may not come within MM_STACK_GAP of the region below
	 * (unless that is PROT_NONE, itself a guard, as Linux allows).
	 */
	struct vma *p = vma_prev(mm, v);
	if (start < MM_MMAP_MIN_ADDR ||
	    (p && (p->prot & MM_PROT_MASK) &&
	     (uint64_t)p->end + MM_STACK_GAP > start))
		return MM_FAULT_UNMAPPED;
	uint64_t grow = (v->start - start) >> PAGE_SHIFT;
	if ((vma_total_pages(mm) + grow) << PAGE_SHIFT > mm->limit_as)
		return MM_FAULT_STACK_LIMIT;
	v->start = start;
	mm->stack_grown = start;
	*out = v;
	return MM_FAULT_OK;
	/* LAB 3 END */
}

/* Counts a present entry (a vm_walk callback). */
static int count_present(vaddr_t va, pte_t *ptep, void *arg)
{
	(void)va;
	if (pte_present(*ptep))
		(*(uint32_t *)arg)++;
	return 0;
}

/* Resident pages of a region. */
uint32_t mm_vma_rss(struct mm *mm, struct vma *v)
{
	uint32_t n = 0;
	vm_walk(&mm->space, v->start, v->end - v->start, count_present, &n);
	return n;
}
