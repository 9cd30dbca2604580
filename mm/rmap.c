/*
 * mm/rmap.c - the reverse map: for each user frame, the (address space,
 * address) pairs of the PTEs mapping it, and the accessed-bit test the
 * replacement policies use through it.
 *
 * See mm/rmap.h for the layout and the invariants. The pair kept in the
 * struct page (user.map, private frames only) is used first: a frame
 * mapped once, the common case, costs no allocation. It may be empty
 * while items remain (its mapping went first); a new mapping then takes
 * it again. Items come from kmalloc's smallest size class: they are 12
 * bytes on i386, and a cache of their own would show up as one more heap
 * object in every leak check that runs before the first fault.
 *
 * New items go to the front of the chain: the newest mapping is the one
 * most likely to go first (a child that execs or exits), so removal
 * usually stops at the first item.
 *
 * Locking: none (see mm/rmap.h).
 */
#include "mm/rmap.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/pmm.h"
#include "mm/policy.h"
#include "mm/slab.h"
#include "mm/vm.h"

/* Items in existence: mappings beyond the in-page pair. */
static uint32_t nr_items;

/* The number of reverse-map items. */
uint32_t rmap_items(void)
{
	return nr_items;
}

/* The first item of pg's chain. */
static inline struct rmap_item *chain(const struct page *pg)
{
	return pg->rmap;
}

/* Whether pg keeps a mapping in its struct page (private frames only). */
static inline bool has_inline(const struct page *pg)
{
	return !(pg->flags & PG_SHM) && pg->user.map.mm;
}

/* Records a mapping (mm, va) of pg. */
int rmap_add(struct page *pg, struct mm *mm, vaddr_t va)
{
	KASSERT(pg->flags & PG_USER);
	KASSERT((va & ~PAGE_MASK) == 0);
	if (!(pg->flags & PG_SHM) && !pg->user.map.mm) {
		pg->user.map.mm = mm;
		pg->user.map.va = va;
		return 0;
	}
	struct rmap_item *it = kmalloc(sizeof(*it), GFP_KERNEL);
	if (!it)
		return -ENOMEM;
	it->mm = mm;
	it->va = va;
	it->next = chain(pg);
	pg->rmap = it;
	nr_items++;
	return 0;
}

/* Forgets the mapping (mm, va) of pg. */
void rmap_remove(struct page *pg, struct mm *mm, vaddr_t va)
{
	if (has_inline(pg) && pg->user.map.mm == mm && pg->user.map.va == va) {
		pg->user.map.mm = NULL;
		return;
	}
	struct rmap_item **link = (struct rmap_item **)&pg->rmap;
	for (struct rmap_item *it = *link; it; link = &it->next, it = *link) {
		if (it->mm == mm && it->va == va) {
			*link = it->next;
			kfree(it);
			nr_items--;
			return;
		}
	}
	panic("rmap: frame %#x has no mapping at %#x in mm %p",
	      (unsigned int)page_to_phys(pg), (unsigned int)va, (void *)mm);
}

/* Moves the mapping (mm, from) of pg to (mm, to) (mremap). */
void rmap_move(struct page *pg, struct mm *mm, vaddr_t from, vaddr_t to)
{
	KASSERT((to & ~PAGE_MASK) == 0);
	if (has_inline(pg) && pg->user.map.mm == mm &&
	    pg->user.map.va == from) {
		pg->user.map.va = to;
		return;
	}
	for (struct rmap_item *it = chain(pg); it; it = it->next) {
		if (it->mm == mm && it->va == from) {
			it->va = to;
			return;
		}
	}
	panic("rmap: frame %#x has no mapping at %#x in mm %p",
	      (unsigned int)page_to_phys(pg), (unsigned int)from, (void *)mm);
}

/* The number of PTEs mapping pg. */
uint32_t rmap_mapcount(const struct page *pg)
{
	uint32_t n = has_inline(pg) ? 1 : 0;
	for (const struct rmap_item *it = chain(pg); it; it = it->next)
		n++;
	return n;
}

/* Whether (mm, va) is one of pg's mappings. */
bool rmap_has(const struct page *pg, const struct mm *mm, vaddr_t va)
{
	if (has_inline(pg) && pg->user.map.mm == mm && pg->user.map.va == va)
		return true;
	for (const struct rmap_item *it = chain(pg); it; it = it->next)
		if (it->mm == mm && it->va == va)
			return true;
	return false;
}

/* Whether the mapping (mm, va) lies in a locked region. */
static bool mapping_locked(struct mm *mm, vaddr_t va)
{
	if (!mm->has_locked)
		return false;
	struct vma *v = mm_find_vma(mm, va);
	return v && (v->flags & VMA_LOCKED);
}

/* Whether a locked region maps pg. */
bool rmap_locked(const struct page *pg)
{
	if (has_inline(pg) && mapping_locked(pg->user.map.mm, pg->user.map.va))
		return true;
	for (const struct rmap_item *it = chain(pg); it; it = it->next)
		if (mapping_locked(it->mm, it->va))
			return true;
	return false;
}

/* The PTE of one mapping, which must be present and map pg. */
static pte_t *mapping_pte(const struct page *pg, struct mm *mm, vaddr_t va)
{
	pte_t *ptep = vm_pte_lookup(&mm->space, va);
	if (!ptep || !pte_present(*ptep) ||
	    pte_frame(*ptep) != page_to_phys(pg))
		panic("rmap: mapping %#x of mm %p does not map frame %#x",
		      (unsigned int)va, (void *)mm,
		      (unsigned int)page_to_phys(pg));
	return ptep;
}

/* Calls fn for every mapping of pg; fn may remove its own mapping. */
int rmap_walk(struct page *pg,
	      int (*fn)(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg),
	      void *arg)
{
	if (has_inline(pg)) {
		struct mm *mm = pg->user.map.mm;
		vaddr_t va = pg->user.map.va;
		int ret = fn(mm, va, mapping_pte(pg, mm, va), arg);
		if (ret)
			return ret;
	}
	struct rmap_item *it = chain(pg);
	while (it) {
		/* Read before the call: fn may free the item. */
		struct rmap_item *next = it->next;
		int ret = fn(it->mm, it->va, mapping_pte(pg, it->mm, it->va),
			     arg);
		if (ret)
			return ret;
		it = next;
	}
	return 0;
}

/* Reads and clears the accessed bit of one mapping; true if it was set. */
static bool test_and_clear(struct page *pg, struct mm *mm, vaddr_t va)
{
	pte_t *ptep = mapping_pte(pg, mm, va);
	if (!(*ptep & PTE_A))
		return false;
	vm_pte_set(&mm->space, va, ptep, *ptep & ~(pte_t)PTE_A);
	return true;
}

/*
 * Reads and clears the accessed bit of every PTE mapping pg. vm_pte_set()
 * invalidates the TLB entry when the space is loaded: a cached
 * translation would let the CPU use the page again without setting the
 * bit in memory (Intel SDM vol. 3A, 4.8), and the page would look unused
 * for ever.
 */
bool policy_test_and_clear_accessed(struct page *pg)
{
	bool accessed = false;
	if (has_inline(pg))
		accessed = test_and_clear(pg, pg->user.map.mm, pg->user.map.va);
	for (struct rmap_item *it = chain(pg); it; it = it->next)
		accessed |= test_and_clear(pg, it->mm, it->va);
	return accessed;
}
