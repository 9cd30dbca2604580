/*
 * mm/rmap.c - the reverse map: anonymous families for private pages, a
 * chain of (address space, address) items for shm pages, and the
 * accessed-bit test the replacement policies use through it.
 *
 * See mm/rmap.h for the layout and the invariants. Families and items
 * come from kmalloc's smallest size class (12 bytes on i386): a cache of
 * their own would show up as one more heap object in every leak check
 * that runs before the first fault.
 *
 * New items go to the front of a shm page's chain: the newest mapping is
 * the one most likely to go first (a child that execs or exits), so
 * removal usually stops at the first item.
 *
 * Locking: none (see mm/rmap.h).
 */
#include "mm/rmap.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "mm/internal.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pmm.h"
#include "mm/policy.h"
#include "mm/slab.h"
#include "mm/vm.h"

/* Items in existence (shm mappings) and families. */
static uint32_t nr_items;
static uint32_t nr_families;

/* The number of reverse-map items. */
uint32_t rmap_items(void)
{
	return nr_items;
}

/* The number of anonymous families. */
uint32_t rmap_families(void)
{
	return nr_families;
}

/* Whether pg is a shm page, whose mappings are items. */
static inline bool is_shm(const struct page *pg)
{
	return pg->flags & PG_SHM;
}

/* The index the page at va of region v has in v's family. */
static inline uint32_t index_of(const struct vma *v, vaddr_t va)
{
	return (va >> PAGE_SHIFT) + v->anon_delta;
}

/* The PTE of va in v's space if it is present and maps pg, else NULL. */
static pte_t *pte_mapping(const struct page *pg, const struct vma *v,
			  vaddr_t va)
{
	pte_t *ptep = vm_pte_lookup(&v->mm->space, va);
	if (!ptep || !pte_present(*ptep) ||
	    pte_frame(*ptep) != page_to_phys(pg))
		return NULL;
	return ptep;
}

/* Gives region v a family of its own (its first private page). */
static int family_create(struct vma *v)
{
	struct anon_family *f = kmalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	list_init(&f->vmas);
	f->refcount = 1;
	list_push_back(&f->vmas, &v->family_node);
	v->family = f;
	v->anon_delta = 0;
	nr_families++;
	return 0;
}

/* n, a copy of v, joins v's family. */
void anon_family_join(struct vma *n, const struct vma *v)
{
	list_init(&n->family_node);
	n->family = v->family;
	if (!n->family)
		return;
	list_push_back(&n->family->vmas, &n->family_node);
	n->family->refcount++;
}

/* v leaves its family; the last region frees it. */
void anon_family_leave(struct vma *v)
{
	struct anon_family *f = v->family;
	if (!f)
		return;
	list_remove(&v->family_node);
	v->family = NULL;
	KASSERT(f->refcount > 0);
	if (--f->refcount == 0) {
		KASSERT(list_empty(&f->vmas));
		kfree(f);
		nr_families--;
	}
}

/* Whether adjacent a and b keep their pages' indices as one region. */
bool anon_family_can_merge(const struct vma *a, const struct vma *b)
{
	if (!a->family || !b->family)
		return true; /* the one without has no private page */
	return a->family == b->family && a->anon_delta == b->anon_delta;
}

/* dst absorbs src: dst takes src's family if it has none. */
void anon_family_absorb(struct vma *dst, const struct vma *src)
{
	KASSERT(anon_family_can_merge(dst, src));
	if (dst->family || !src->family)
		return;
	anon_family_join(dst, src);
	dst->anon_delta = src->anon_delta;
}

/* Records a mapping of pg at va of region v (rmap_add's other cases). */
int rmap_add_slow(struct page *pg, struct vma *v, vaddr_t va)
{
	KASSERT(pg->flags & PG_USER);
	KASSERT((va & ~PAGE_MASK) == 0);
	if (likely(!is_shm(pg))) {
		if (unlikely(!v->family) && family_create(v) < 0)
			return -ENOMEM;
		uint32_t idx = index_of(v, va);
		if (pg->mapcount == 0) {
			pg->user.anon.family = v->family;
			pg->user.anon.index = idx;
		} else {
			KASSERT(pg->user.anon.family == v->family &&
				pg->user.anon.index == idx);
		}
		pg->mapcount++;
		return 0;
	}
	struct rmap_item *it = kmalloc(sizeof(*it), GFP_KERNEL);
	if (!it)
		return -ENOMEM;
	it->mm = v->mm;
	it->va = va;
	it->next = pg->rmap;
	pg->rmap = it;
	nr_items++;
	return 0;
}

/* Forgets the mapping (mm, va) of the shm page pg: its item. */
void rmap_remove_item(struct page *pg, struct mm *mm, vaddr_t va)
{
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

/* The PTE (mm, from) of pg moved to (mm, to) (mremap). */
void rmap_move(struct page *pg, struct mm *mm, vaddr_t from, vaddr_t to)
{
	KASSERT((to & ~PAGE_MASK) == 0);
	if (!is_shm(pg))
		return; /* the index stays; the region's delta moved */
	for (struct rmap_item *it = pg->rmap; it; it = it->next) {
		if (it->mm == mm && it->va == from) {
			it->va = to;
			return;
		}
	}
	panic("rmap: frame %#x has no mapping at %#x in mm %p",
	      (unsigned int)page_to_phys(pg), (unsigned int)from, (void *)mm);
}

/* The number of items of the shm page pg. */
uint32_t rmap_items_of(const struct page *pg)
{
	uint32_t n = 0;
	for (const struct rmap_item *it = pg->rmap; it; it = it->next)
		n++;
	return n;
}

/* Whether pg is mapped at va of region v and the map knows it. */
bool rmap_maps(const struct page *pg, const struct vma *v, vaddr_t va)
{
	if (!pte_mapping(pg, v, va))
		return false;
	if (!is_shm(pg))
		return pg->mapcount > 0 && v->family &&
		       pg->user.anon.family == v->family &&
		       pg->user.anon.index == index_of(v, va);
	for (const struct rmap_item *it = pg->rmap; it; it = it->next)
		if (it->mm == v->mm && it->va == va)
			return true;
	return false;
}

/* Whether the reverse map finds pg at (mm, va). */
bool rmap_has(const struct page *pg, struct mm *mm, vaddr_t va)
{
	struct vma *v = mm_find_vma(mm, va);
	return v && rmap_maps(pg, v, va);
}

/* The PTE of a shm mapping, which must be present and map pg. */
static pte_t *item_pte(const struct page *pg, struct mm *mm, vaddr_t va)
{
	pte_t *ptep = vm_pte_lookup(&mm->space, va);
	if (!ptep || !pte_present(*ptep) ||
	    pte_frame(*ptep) != page_to_phys(pg))
		panic("rmap: mapping %#x of mm %p does not map frame %#x",
		      (unsigned int)va, (void *)mm,
		      (unsigned int)page_to_phys(pg));
	return ptep;
}

/*
 * The PTE at the family index idx of region v if it maps the frame at
 * phys, else NULL: the address of idx in v ((idx - delta) pages, modulo
 * 2^32) must lie in the region, and its PTE be present with that frame.
 */
static inline pte_t *family_pte(const struct vma *v, uint32_t idx,
				paddr_t phys, vaddr_t *va)
{
	uint32_t off = idx - v->anon_delta - (v->start >> PAGE_SHIFT);
	if (off >= ((v->end - v->start) >> PAGE_SHIFT))
		return NULL;
	*va = v->start + (off << PAGE_SHIFT);
	pte_t *ptep = vm_pte_lookup(&v->mm->space, *va);
	if (!ptep || !pte_present(*ptep) || pte_frame(*ptep) != phys)
		return NULL;
	return ptep;
}

/*
 * Calls fn(mm, va, ptep, arg) for every mapping of the private page pg,
 * found through its family; stops at the first non-zero return. Finding
 * fewer mappings than the map count is a broken invariant.
 */
static inline __attribute__((always_inline)) int
family_walk(struct page *pg,
	    int (*fn)(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg),
	    void *arg)
{
	uint32_t left = pg->mapcount;
	if (!left)
		return 0;
	uint32_t idx = pg->user.anon.index;
	paddr_t phys = (paddr_t)page_to_pfn(pg) << PAGE_SHIFT;
	struct list_node *pos;
	list_for_each(pos, &pg->user.anon.family->vmas) {
		struct vma *v = list_entry(pos, struct vma, family_node);
		vaddr_t va;
		pte_t *ptep = family_pte(v, idx, phys, &va);
		if (!ptep)
			continue;
		int ret = fn(v->mm, va, ptep, arg);
		if (ret)
			return ret;
		if (--left == 0)
			return 0;
	}
	panic("rmap: frame %#x has %u mappings its family does not find",
	      (unsigned int)phys, (unsigned int)left);
}

/* Calls fn for every mapping of pg; fn may remove its own mapping. */
int rmap_walk(struct page *pg,
	      int (*fn)(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg),
	      void *arg)
{
	if (!is_shm(pg))
		return family_walk(pg, fn, arg);
	struct rmap_item *it = pg->rmap;
	while (it) {
		/* Read before the call: fn may free the item. */
		struct rmap_item *next = it->next;
		int ret = fn(it->mm, it->va, item_pte(pg, it->mm, it->va),
			     arg);
		if (ret)
			return ret;
		it = next;
	}
	return 0;
}

/*
 * Whether a locked region of pg's family maps it: only locked regions
 * need their PTE looked up, and most families have none.
 */
static inline __attribute__((always_inline)) bool
family_locked(const struct page *pg)
{
	if (!pg->mapcount)
		return false;
	struct list_node *pos;
	list_for_each(pos, &pg->user.anon.family->vmas) {
		struct vma *v = list_entry(pos, struct vma, family_node);
		vaddr_t va;
		if ((v->flags & VMA_LOCKED) &&
		    family_pte(v, pg->user.anon.index,
			       (paddr_t)page_to_pfn(pg) << PAGE_SHIFT, &va))
			return true;
	}
	return false;
}

/* Whether the mapping (mm, va) of a shm page lies in a locked region. */
static bool item_locked(struct mm *mm, vaddr_t va)
{
	if (!mm->has_locked)
		return false;
	struct vma *v = mm_find_vma(mm, va);
	return v && (v->flags & VMA_LOCKED);
}

/* Whether a locked region maps pg. */
bool rmap_locked(const struct page *pg)
{
	if (!is_shm(pg))
		return family_locked(pg);
	for (const struct rmap_item *it = pg->rmap; it; it = it->next)
		if (item_locked(it->mm, it->va))
			return true;
	return false;
}

/* Reads and clears the accessed bit of one mapping; true if it was set. */
static bool test_and_clear(struct mm *mm, vaddr_t va, pte_t *ptep)
{
	if (!(*ptep & PTE_A))
		return false;
	vm_pte_set(&mm->space, va, ptep, *ptep & ~(pte_t)PTE_A);
	return true;
}

/* A family_walk callback: test_and_clear, OR-ed into *arg. */
static int accessed_one(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg)
{
	*(bool *)arg |= test_and_clear(mm, va, ptep);
	return 0;
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
	if (!is_shm(pg)) {
		family_walk(pg, accessed_one, &accessed);
		return accessed;
	}
	for (struct rmap_item *it = pg->rmap; it; it = it->next)
		accessed |= test_and_clear(it->mm, it->va,
					   item_pte(pg, it->mm, it->va));
	return accessed;
}
