/*
 * mm/highmem.c - the highmem zone and the kernel's temporary mappings
 * (see mm/highmem.h).
 *
 * The zone. Frames between the lowmem limit and the end of RAM are given
 * to this zone by pmm_init() instead of the buddy allocator. Only single
 * frames are asked of it (user pages, RAM-disk sectors), so it is one free
 * list: allocation and free are O(1), and there is nothing to merge. A
 * free highmem frame's flags are PG_HIGHMEM | PG_BUDDY with order 0, an
 * allocated one's PG_HIGHMEM | PG_HEAD | its kind, so that every reader of
 * the memory map sees a free block or an allocated one, as in lowmem; the
 * buddy allocator never merges with such a frame (its flags are never
 * exactly PG_BUDDY).
 *
 * The kmap area. One page table, hooked into the kernel's page directory
 * at KMAP_BASE by paging_init() (before any other address space exists,
 * so every copy of the kernel half has it), holds KMAP_SLOTS entries used
 * as a stack. kmap_atomic() writes the next entry, kunmap_atomic() clears
 * it and invalidates its TLB entry with invlpg: the next user of the slot
 * sees only its own frame. The entries are not global: they change too
 * often for a global entry to pay off.
 *
 * Invariants (highmem_verify()): every frame on the free list is a highmem
 * frame with flags PG_HIGHMEM | PG_BUDDY; the list's length is the free
 * counter; free + allocated = managed.
 *
 * Locking: interrupts off around the free list and the slot stack (one
 * CPU; an interrupt handler may map, and releases before it returns).
 */
#include "mm/highmem.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/log.h"
#include "mm/internal.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/port.h"
#include "mm/vm.h"

/* The smallest lowmem= (the kernel, its heap and the memory map fit). */
#define LOWMEM_MIN (16u << 20)
/* lowmem= is rounded down to whole page tables of the direct map. */
#define LOWMEM_ALIGN (4u << 20)

paddr_t lowmem_limit = LOWMEM_LIMIT;
struct highmem_counters hz_count;

static struct list_node hz_free;
/* The kmap area's page table, via the direct map; NULL before kmap_init. */
static pte_t *kmap_ptes;
unsigned int kmap_top; /* slots in use: [0, kmap_top) */
static uint64_t kmap_made;

paddr_t highmem_set_lowmem_limit(uint64_t bytes)
{
	if (bytes == 0 || bytes > LOWMEM_LIMIT)
		bytes = LOWMEM_LIMIT;
	if (bytes < LOWMEM_MIN)
		bytes = LOWMEM_MIN;
	lowmem_limit = (paddr_t)bytes & ~(LOWMEM_ALIGN - 1);
	return lowmem_limit;
}

/* Empties the zone (start of pmm_init). */
void highmem_reset(void)
{
	list_init(&hz_free);
	hz_count = (struct highmem_counters){ 0 };
	kmap_ptes = NULL;
	kmap_top = 0;
}

/* Gives the free highmem frames [start, end) to the zone (boot). */
void highmem_add_range(pfn_t start, pfn_t end)
{
	KASSERT(start >= LOWMEM_PFN && end <= max_pfn);
	for (struct page *p = mem_map + start; p < mem_map + end; p++) {
		p->flags = PG_HIGHMEM | PG_BUDDY;
		p->refcount = 0;
		p->order = 0;
		list_push_back(&hz_free, &p->list);
	}
	hz_count.managed += end - start;
	hz_count.free += end - start;
}

/* A free highmem frame, or NULL when the zone is empty. */
struct page *highmem_alloc_frame(unsigned int gfp)
{
	bool irq = port_irq_save();
	if (hz_count.free == 0) {
		port_irq_restore(irq);
		return NULL;
	}
	struct page *page = list_entry(hz_free.next, struct page, list);
	list_remove(&page->list);
	hz_count.free--;
	unsigned int kind = gfp & GFP_PGTABLE ? KIND_PGTABLE
			    : gfp & GFP_USER  ? KIND_USER
					      : KIND_KERNEL;
	KASSERT(kind != KIND_PGTABLE); /* page tables live in lowmem */
	hz_count.kind[kind]++;
	page->flags = PG_HIGHMEM | PG_HEAD |
		      (kind == KIND_USER ? PG_USER : PG_KERNEL);
	page->refcount = 1;
	page->order = 0;
	page->rmap = NULL;
	port_irq_restore(irq);
	if (gfp & GFP_ZERO)
		highmem_zero_page(page);
	return page;
}

/* Returns an allocated highmem frame to the zone. */
void highmem_free_frame(struct page *page)
{
	pfn_t pfn = page_to_pfn(page);
	if (pfn < LOWMEM_PFN || pfn >= max_pfn || !(page->flags & PG_HEAD) ||
	    (page->flags & (PG_BUDDY | PG_RESERVED)) || page->refcount > 1)
		panic("highmem: frame %#x is not an allocated highmem frame "
		      "(flags %#x, %d users): double free or bad pointer",
		      (unsigned int)(pfn << PAGE_SHIFT),
		      (unsigned int)page->flags, (int)page->refcount);
	bool irq = port_irq_save();
	hz_count.kind[page_kind(page->flags)]--;
	hz_count.free++;
	page->refcount = 0;
	page->flags = PG_HIGHMEM | PG_BUDDY;
	page->order = 0;
	/* Most recently freed first: its struct page is in the cache. */
	list_push_front(&hz_free, &page->list);
	port_irq_restore(irq);
}

/* Checks the zone's invariants (tests): 0, or -EINVAL after a message. */
int highmem_verify(void)
{
	uint32_t n = 0;
	int err = 0;
	struct list_node *pos;
	bool irq = port_irq_save();

	list_for_each(pos, &hz_free) {
		struct page *p = list_entry(pos, struct page, list);
		pfn_t pfn = page_to_pfn(p);
		if (pfn < LOWMEM_PFN || pfn >= max_pfn ||
		    p->flags != (PG_HIGHMEM | PG_BUDDY)) {
			pr_err("highmem_verify: pfn %#x on the free list has "
			       "flags %#x\n",
			       (unsigned int)pfn, (unsigned int)p->flags);
			err = -EINVAL;
			goto out;
		}
		n++;
	}
	if (n != hz_count.free ||
	    hz_count.free + hz_count.kind[KIND_KERNEL] +
			    hz_count.kind[KIND_USER] !=
		    hz_count.managed) {
		pr_err("highmem_verify: %u frames listed, free %u, kernel %u, "
		       "user %u, managed %u\n",
		       n, hz_count.free, hz_count.kind[KIND_KERNEL],
		       hz_count.kind[KIND_USER], hz_count.managed);
		err = -EINVAL;
	}
out:
	port_irq_restore(irq);
	return err;
}

int kmap_init(void)
{
	struct page *table = alloc_page(GFP_PGTABLE | GFP_ZERO);
	if (!table)
		return -ENOMEM;
	table->pt_used = 0;
	kmap_ptes = page_address(table);
	kmap_top = 0;
	kernel_space.pgdir[pde_index(KMAP_BASE)] =
		page_to_phys(table) | PTE_P | PTE_W;
	return 0;
}

void *kmap_atomic_phys(paddr_t pa)
{
	pa = page_round_down(pa);
	/*
	 * The direct map covers every frame below the lowmem limit and the
	 * end of the memory map (paging_init), holes included, but page 0.
	 */
	pfn_t pfn = pa >> PAGE_SHIFT;
	if (pfn < LOWMEM_PFN && pfn < max_pfn && pfn != 0)
		return port_phys_to_virt(pa);
	KASSERT(kmap_ptes);
	bool irq = port_irq_save();
	if (kmap_top == KMAP_SLOTS)
		panic("kmap: all %u temporary mapping slots are in use",
		      KMAP_SLOTS);
	unsigned int slot = kmap_top++;
	kmap_ptes[slot] = pte_make(pa, PTE_P | PTE_W);
	virt_to_page(kmap_ptes)->pt_used++;
	kmap_made++;
	port_irq_restore(irq);
	return port_kmap_pointer(KMAP_BASE + slot * PAGE_SIZE, pa);
}

void *kmap_atomic(struct page *page)
{
	/*
	 * The common case first, without a call: a lowmem frame (every
	 * frame on a machine of 768 MiB or less) is in the direct map.
	 */
	pfn_t pfn = page_to_pfn(page);
	if (pfn < LOWMEM_PFN && pfn != 0)
		return port_phys_to_virt((paddr_t)pfn << PAGE_SHIFT);
	return kmap_atomic_phys((paddr_t)pfn << PAGE_SHIFT);
}

/* Whether page is the pointer of a slot held below the top one. */
static bool held_below_top(uintptr_t page)
{
	for (unsigned int i = 0; i + 1 < kmap_top; i++) {
		vaddr_t va = KMAP_BASE + i * PAGE_SIZE;
		if ((uintptr_t)port_kmap_pointer(va, pte_frame(kmap_ptes[i])) ==
		    page)
			return true;
	}
	return false;
}

/* Whether page lies in the kmap area's slots. */
static bool in_kmap_area(uintptr_t page)
{
	return page >= KMAP_BASE && page < KMAP_BASE + KMAP_SLOTS * PAGE_SIZE;
}

static __attribute__((noreturn)) void bad_kunmap(const void *addr)
{
	panic("kunmap_atomic: %p is not the most recent temporary mapping",
	      addr);
}

void kunmap_atomic_slot(void *addr)
{
	uintptr_t page = (uintptr_t)addr & ~(uintptr_t)(PAGE_SIZE - 1);
	if (kmap_top == 0) {
		/* None held: addr must not be one of the kmap area's. */
		if (in_kmap_area(page))
			bad_kunmap(addr);
		return;
	}
	bool irq = port_irq_save();
	unsigned int slot = kmap_top - 1;
	vaddr_t va = KMAP_BASE + slot * PAGE_SIZE;
	if ((uintptr_t)port_kmap_pointer(va, pte_frame(kmap_ptes[slot])) !=
	    page) {
		/* A direct-map address (nothing was mapped), unless ... */
		if (held_below_top(page) || in_kmap_area(page))
			bad_kunmap(addr);
		port_irq_restore(irq);
		return;
	}
	kmap_ptes[slot] = 0;
	virt_to_page(kmap_ptes)->pt_used--;
	kmap_top = slot;
	port_tlb_flush_page(va);
	port_irq_restore(irq);
}

uint64_t kmap_count(void)
{
	return kmap_made;
}

void highmem_copy_page(struct page *dst, struct page *src)
{
	uint32_t *d = kmap_atomic(dst);
	const uint32_t *s = kmap_atomic(src);
	/* Eight words an iteration: the loop's own cost is an eighth. */
	for (uint32_t i = 0; i < PAGE_SIZE / sizeof(*d); i += 8) {
		d[i] = s[i];
		d[i + 1] = s[i + 1];
		d[i + 2] = s[i + 2];
		d[i + 3] = s[i + 3];
		d[i + 4] = s[i + 4];
		d[i + 5] = s[i + 5];
		d[i + 6] = s[i + 6];
		d[i + 7] = s[i + 7];
	}
	kunmap_atomic((void *)s);
	kunmap_atomic(d);
}

void highmem_zero_page(struct page *page)
{
	void *p = kmap_atomic(page);
	pmm_zero_pages(p, 1);
	kunmap_atomic(p);
}
