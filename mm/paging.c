/*
 * mm/paging.c - page directories, page tables and the TLB.
 *
 * This is the only file that walks page tables. Tables are reached through
 * the direct map (page tables always come from lowmem), and every table's
 * struct page counts its entries that are not none (pt_used), so that an
 * empty user table is noticed and freed at once.
 *
 * TLB rule: a present entry that changes or goes away must be invalidated
 * before the old frame or table can be reused. An entry of the current
 * space's user half, or of the (shared) kernel half, is invalidated with
 * invlpg; an operation changing more than VM_FLUSH_CEILING entries flushes
 * the whole TLB instead. Entries of spaces not loaded need nothing: loading
 * CR3 drops the non-global entries. Not-present entries are never cached
 * (Intel SDM vol. 3A, 4.10.2.3), so new mappings need no flush. Frames and
 * tables that an operation frees are queued in a struct gather and freed
 * only after its flush.
 *
 * Invariants (checked by vm_space_check()):
 *  - for every present PDE, the table's pt_used == its non-none entries;
 *  - a user table has pt_used > 0; nr_pgtables counts the user tables;
 *  - PDEs 768..1023 of every space equal kernel_space's.
 *
 * Locking: callers serialize page-table changes; no interrupt handler
 * changes page tables.
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/log.h"
#include "mm/highmem.h"
#include "mm/internal.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/port.h"
#include "mm/vm.h"

/* Frames queued by one gather before it flushes and frees early. */
#define GATHER_FREE_MAX 32u

struct vm_space kernel_space;

static struct list_node all_spaces;    /* every vm_space, kernel first */
static struct vm_space *current_space; /* loaded in CR3 */
static bool global_pages;	       /* CR4.PGE is on */

/*
 * Pending TLB invalidations and frees of one operation on one space.
 */
struct gather {
	struct vm_space *s;
	bool flush_all; /* too many pages: flush it all */
	bool kernel;	/* a kernel entry is involved */
	uint32_t nflush;
	vaddr_t flush[VM_FLUSH_CEILING]; /* pages to invlpg */
	uint32_t nfree;
	struct page *free[GATHER_FREE_MAX]; /* to free after the flush */
};

static inline pte_t *table_of(pde_t pde)
{
	return port_phys_to_virt(pde & PTE_FRAME_MASK);
}

/* A page table is always a managed frame: no bounds check needed. */
static inline struct page *table_page(pde_t pde)
{
	return pfn_to_page(pde >> PAGE_SHIFT);
}

static inline bool is_kernel_addr(vaddr_t va)
{
	return va >= KERNEL_VMA;
}

/* Whether a change to va's entry in s can be in the TLB right now. */
static inline bool tlb_may_hold(const struct vm_space *s, vaddr_t va)
{
	return is_kernel_addr(va) || s == current_space;
}

static void gather_init(struct gather *g, struct vm_space *s)
{
	g->s = s;
	g->flush_all = false;
	g->kernel = false;
	g->nflush = 0;
	g->nfree = 0;
}

/* Notes that va's TLB entry must go. */
static void gather_flush_va(struct gather *g, vaddr_t va)
{
	if (!tlb_may_hold(g->s, va))
		return;
	g->kernel |= is_kernel_addr(va);
	if (g->flush_all)
		return;
	if (g->nflush == VM_FLUSH_CEILING) {
		g->flush_all = true;
		return;
	}
	g->flush[g->nflush++] = va;
}

/* Performs the pending invalidations, then the pending frees. */
static void gather_finish(struct gather *g)
{
	if (g->flush_all) {
		/* Global kernel entries survive a CR3 reload. */
		port_tlb_flush_all(g->kernel && global_pages);
	} else {
		for (uint32_t i = 0; i < g->nflush; i++)
			port_tlb_flush_page(g->flush[i]);
	}
	for (uint32_t i = 0; i < g->nfree; i++)
		free_page(g->free[i]);
	g->flush_all = false;
	g->kernel = false;
	g->nflush = 0;
	g->nfree = 0;
}

/* Queues a frame (or table) to free once the TLB no longer points at it. */
static void gather_free(struct gather *g, struct page *page)
{
	if (g->nfree == GATHER_FREE_MAX)
		gather_finish(g);
	g->free[g->nfree++] = page;
}

/* Drops the reference a mapping held on its frame, if the frame is managed. */
static void gather_put(struct gather *g, pte_t pte)
{
	struct page *page = phys_to_page(pte_frame(pte));
	if (!page || (page->flags & PG_RESERVED))
		return;
	KASSERT(page->refcount > 0);
	if (--page->refcount == 0)
		gather_free(g, page);
}

/*
 * Creates the page table for va's 4 MiB. A kernel table is entered in every
 * directory, since all share the kernel half.
 */
static int table_create(struct vm_space *s, vaddr_t va)
{
	struct page *page = alloc_page(GFP_PGTABLE | GFP_ZERO);
	if (!page)
		return -ENOMEM;
	page->pt_used = 0;
	uint32_t idx = pde_index(va);
	paddr_t pa = page_to_phys(page);
	if (is_kernel_addr(va)) {
		struct list_node *pos;
		list_for_each(pos, &all_spaces) {
			struct vm_space *sp =
				list_entry(pos, struct vm_space, link);
			sp->pgdir[idx] = pa | PTE_P | PTE_W;
		}
	} else {
		/* Access is decided by the PTEs; the PDE allows everything. */
		s->pgdir[idx] = pa | PTE_P | PTE_W | PTE_U;
		s->nr_pgtables++;
	}
	return 0;
}

/*
 * The PTE of va, creating its table when create is set. Inline: it is on
 * every fault's path twice (the lookup, then the mapping).
 */
static inline __attribute__((always_inline)) pte_t *
pte_get(struct vm_space *s, vaddr_t va, bool create)
{
	/* LAB 2 BEGIN: find the PTE of va, making its page table if asked */
	pde_t *pde = &s->pgdir[pde_index(va)];
	if (!(*pde & PTE_P)) {
		/* A table in swap (mm/procswap.c) comes back before any use. */
		KASSERT(!create || *pde == 0);
		if (!create || table_create(s, va) < 0)
			return NULL;
	}
	return table_of(*pde) + pte_index(va);
	/* LAB 2 END */
}

/*
 * Clears the entry of va, queues its invalidation and, if that emptied a
 * user table, unhooks the table and queues it for freeing. Returns the old
 * entry.
 */
static pte_t clear_entry(struct gather *g, vaddr_t va, pte_t *ptep)
{
	/* LAB 2 BEGIN: clear a PTE, queue its TLB flush, free an empty table */
	struct vm_space *s = g->s;
	pde_t *pde = &s->pgdir[pde_index(va)];
	struct page *table = table_page(*pde);
	pte_t old = *ptep;

	KASSERT(old != 0 && table->pt_used > 0);
	*ptep = 0;
	table->pt_used--;
	if (old & PTE_P)
		gather_flush_va(g, va);
	if (table->pt_used == 0 && !is_kernel_addr(va)) {
		*pde = 0;
		s->nr_pgtables--;
		/*
		 * invlpg also drops cached PDEs (SDM vol. 3A, 4.10.4.1): the
		 * CPU must forget the table before it is reused. A present
		 * old entry has queued va already.
		 */
		if (!(old & PTE_P))
			gather_flush_va(g, va);
		gather_free(g, table);
	}
	return old;
	/* LAB 2 END */
}

/* The flags a new or changed entry of va gets for prot. */
static inline uint32_t entry_flags(vaddr_t va, uint32_t prot)
{
	uint32_t f = (prot & VM_PROT_MASK) | PTE_P;
	if (is_kernel_addr(va) && global_pages)
		f |= PTE_G;
	return f;
}

/* Maps one page. */
int vm_map_page(struct vm_space *s, vaddr_t va, paddr_t pa, uint32_t prot)
{
	/* LAB 2 BEGIN: map one page */
	if ((va | pa) & (PAGE_SIZE - 1) || prot & ~VM_PROT_MASK)
		return -EINVAL;
	pte_t *ptep = pte_get(s, va, true);
	if (!ptep)
		return -ENOMEM;
	if (*ptep & PTE_P)
		return -EEXIST;
	if (*ptep == 0)
		table_page(s->pgdir[pde_index(va)])->pt_used++;
	*ptep = pte_make(pa, entry_flags(va, prot));
	return 0;
	/* LAB 2 END */
}

/* Maps a physically contiguous range, all or nothing. */
int vm_map_range(struct vm_space *s, vaddr_t va, paddr_t pa, size_t size,
		 uint32_t prot)
{
	if ((va | pa | size) & (PAGE_SIZE - 1))
		return -EINVAL;
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		int err = vm_map_page(s, va + off, pa + off, prot);
		if (err) {
			vm_unmap_range(s, va, off, 0);
			return err;
		}
	}
	return 0;
}

/* Clears one entry and hands it back. */
int vm_unmap_page(struct vm_space *s, vaddr_t va, pte_t *old)
{
	struct gather g;
	pte_t *ptep = pte_get(s, page_round_down(va), false);
	if (!ptep || *ptep == 0)
		return -ENOENT;
	gather_init(&g, s);
	pte_t e = clear_entry(&g, page_round_down(va), ptep);
	gather_finish(&g);
	if (old)
		*old = e;
	return 0;
}

/* Clears every entry in a range. */
uint32_t vm_unmap_range(struct vm_space *s, vaddr_t va, size_t size,
			unsigned int flags)
{
	struct gather g;
	uint32_t unmapped = 0;
	uint64_t a = va, end = (uint64_t)va + size;

	KASSERT(((va | size) & (PAGE_SIZE - 1)) == 0);
	gather_init(&g, s);
	while (a < end) {
		pde_t *pde = &s->pgdir[pde_index((vaddr_t)a)];
		uint64_t next = ((a >> PDE_SHIFT) + 1) << PDE_SHIFT;
		if (next > end)
			next = end;
		if (!(*pde & PTE_P)) {
			a = next;
			continue;
		}
		pte_t *pt = table_of(*pde);
		for (; a < next; a += PAGE_SIZE) {
			pte_t *ptep = &pt[pte_index((vaddr_t)a)];
			if (*ptep == 0)
				continue;
			pte_t old = clear_entry(&g, (vaddr_t)a, ptep);
			if (old & PTE_P) {
				unmapped++;
				if (flags & VM_UNMAP_PUT)
					gather_put(&g, old);
			}
			if (*pde == 0) {
				/* The table went away with its last entry. */
				a = next;
				break;
			}
		}
	}
	gather_finish(&g);
	return unmapped;
}

/*
 * The next page at or after `from` + *off, within size, whose entry is not
 * none; returns its PTE and advances *off to it, or NULL at the end.
 * Tables that are absent are skipped whole.
 */
static pte_t *next_entry(struct vm_space *s, vaddr_t from, uint64_t size,
			 uint64_t *off)
{
	while (*off < size) {
		uint64_t a = (uint64_t)from + *off;
		pde_t pde = s->pgdir[pde_index((vaddr_t)a)];
		if (!(pde & PTE_P)) {
			*off += (((a >> PDE_SHIFT) + 1) << PDE_SHIFT) - a;
			continue;
		}
		pte_t *ptep = table_of(pde) + pte_index((vaddr_t)a);
		if (*ptep)
			return ptep;
		*off += PAGE_SIZE;
	}
	return NULL;
}

/*
 * Frees the user tables of [va, va + size) that hold no entry: only
 * tables vm_move_range() has just made can be empty.
 */
static void drop_empty_tables(struct vm_space *s, vaddr_t va, uint64_t size)
{
	struct gather g;
	gather_init(&g, s);
	for (uint64_t a = va & ~(((uint64_t)1 << PDE_SHIFT) - 1);
	     a < (uint64_t)va + size; a += (uint64_t)1 << PDE_SHIFT) {
		pde_t *pde = &s->pgdir[pde_index((vaddr_t)a)];
		if (!(*pde & PTE_P) || table_page(*pde)->pt_used)
			continue;
		struct page *table = table_page(*pde);
		*pde = 0;
		s->nr_pgtables--;
		gather_flush_va(&g, (vaddr_t)(a < va ? va : a));
		gather_free(&g, table);
	}
	gather_finish(&g);
}

/*
 * Moves entries from one range to another (mremap): tables first, so
 * that nothing can fail once entries start to move.
 */
int vm_move_range(struct vm_space *s, vaddr_t from, vaddr_t to, size_t size,
		  void (*moved)(vaddr_t from, vaddr_t to, pte_t pte, void *arg),
		  void *arg)
{
	uint64_t off;
	pte_t *src;

	KASSERT(((from | to | size) & (PAGE_SIZE - 1)) == 0);
	if (size == 0)
		return 0;
	KASSERT(!is_kernel_addr((vaddr_t)((uint64_t)from + size - 1)) &&
		!is_kernel_addr((vaddr_t)((uint64_t)to + size - 1)));
	KASSERT((uint64_t)from + size <= to || (uint64_t)to + size <= from);
	for (off = 0; (src = next_entry(s, from, size, &off));
	     off += PAGE_SIZE) {
		if (!pte_get(s, to + (vaddr_t)off, true)) {
			drop_empty_tables(s, to, size);
			return -ENOMEM;
		}
	}

	struct gather g;
	gather_init(&g, s);
	for (off = 0; (src = next_entry(s, from, size, &off));
	     off += PAGE_SIZE) {
		vaddr_t va = to + (vaddr_t)off;
		pte_t *dst = pte_get(s, va, false);
		pte_t pte = *src;
		KASSERT(dst && *dst == 0);
		*dst = pte;
		table_page(s->pgdir[pde_index(va)])->pt_used++;
		clear_entry(&g, from + (vaddr_t)off, src);
		if (moved)
			moved(from + (vaddr_t)off, va, pte, arg);
	}
	gather_finish(&g);
	return 0;
}

/*
 * fork's copy, a table at a time: the child's table is made once, before
 * the first entry that goes into it, and entries are written directly.
 */
int vm_copy_range(struct vm_space *src, struct vm_space *dst, vaddr_t va,
		  uint64_t size,
		  int (*fn)(vaddr_t va, pte_t *ptep, pte_t *out, void *arg),
		  void *arg)
{
	uint64_t a = page_round_down(va), end = (uint64_t)va + size;

	KASSERT(!is_kernel_addr((vaddr_t)(end - 1)));
	while (a < end) {
		pde_t pde = src->pgdir[pde_index((vaddr_t)a)];
		uint64_t next = ((a >> PDE_SHIFT) + 1) << PDE_SHIFT;
		if (next > end)
			next = end;
		if (!(pde & PTE_P)) {
			a = next;
			continue;
		}
		pte_t *pt = table_of(pde), *dpt = NULL;
		struct page *dtable = NULL;
		for (; a < next; a += PAGE_SIZE) {
			pte_t *ptep = &pt[pte_index((vaddr_t)a)];
			if (*ptep == 0)
				continue;
			if (!dpt) {
				pte_t *first = pte_get(dst, (vaddr_t)a, true);
				if (!first)
					return -ENOMEM;
				dpt = first - pte_index((vaddr_t)a);
				dtable = table_page(
					dst->pgdir[pde_index((vaddr_t)a)]);
			}
			pte_t out = 0;
			int err = fn((vaddr_t)a, ptep, &out, arg);
			if (err) {
				if (!dtable->pt_used)
					drop_empty_tables(dst, (vaddr_t)a,
							  PAGE_SIZE);
				return err;
			}
			pte_t *dp = &dpt[pte_index((vaddr_t)a)];
			if (out && !*dp) {
				dtable->pt_used++;
				*dp = out;
			}
		}
		if (dtable && !dtable->pt_used)
			drop_empty_tables(dst, (vaddr_t)(a - PAGE_SIZE),
					  PAGE_SIZE);
	}
	return 0;
}

/* Looks a virtual address up. */
int vm_translate(struct vm_space *s, vaddr_t va, paddr_t *pa, uint32_t *flags)
{
	/* LAB 2 BEGIN: look a virtual address up */
	pte_t *ptep = pte_get(s, va, false);
	if (!ptep || !(*ptep & PTE_P))
		return -EFAULT;
	if (pa)
		*pa = pte_frame(*ptep) | (va & (PAGE_SIZE - 1));
	if (flags)
		*flags = pte_flags(*ptep);
	return 0;
	/* LAB 2 END */
}

/* Changes the protection of the present pages of a range. */
uint32_t vm_protect(struct vm_space *s, vaddr_t va, size_t size, uint32_t prot)
{
	/* LAB 2 BEGIN: new protection for a range; flush what changed */
	struct gather g;
	uint32_t changed = 0;
	uint64_t a = va, end = (uint64_t)va + size;

	KASSERT(((va | size) & (PAGE_SIZE - 1)) == 0);
	KASSERT((prot & ~VM_PROT_MASK) == 0);
	gather_init(&g, s);
	while (a < end) {
		pde_t pde = s->pgdir[pde_index((vaddr_t)a)];
		uint64_t next = ((a >> PDE_SHIFT) + 1) << PDE_SHIFT;
		if (next > end)
			next = end;
		if (!(pde & PTE_P)) {
			a = next;
			continue;
		}
		pte_t *pt = table_of(pde);
		for (; a < next; a += PAGE_SIZE) {
			pte_t *ptep = &pt[pte_index((vaddr_t)a)];
			pte_t old = *ptep;
			if (!(old & PTE_P))
				continue;
			pte_t new = (old & (PTE_FRAME_MASK | PTE_A | PTE_D)) |
				    entry_flags((vaddr_t)a, prot);
			if (new == old)
				continue;
			*ptep = new;
			gather_flush_va(&g, (vaddr_t)a);
			changed++;
		}
	}
	gather_finish(&g);
	return changed;
	/* LAB 2 END */
}

/* The PTE of va, or NULL when va has no page table. */
pte_t *vm_pte_lookup(struct vm_space *s, vaddr_t va)
{
	return pte_get(s, va, false);
}

/* The PTE of va, creating its table. */
pte_t *vm_pte_alloc(struct vm_space *s, vaddr_t va)
{
	return pte_get(s, va, true);
}

/* Replaces an entry found with vm_pte_lookup(). */
void vm_pte_set(struct vm_space *s, vaddr_t va, pte_t *ptep, pte_t pte)
{
	KASSERT(pte != 0);
	pte_t old = *ptep;
	if (old == 0)
		table_page(s->pgdir[pde_index(va)])->pt_used++;
	*ptep = pte;
	if ((old & PTE_P) && old != pte && tlb_may_hold(s, va))
		port_tlb_flush_page(page_round_down(va));
}

/* Visits the entries that are not none in a range. */
int vm_walk(struct vm_space *s, vaddr_t va, uint64_t size,
	    int (*fn)(vaddr_t va, pte_t *ptep, void *arg), void *arg)
{
	uint64_t a = page_round_down(va), end = (uint64_t)va + size;
	while (a < end) {
		pde_t pde = s->pgdir[pde_index((vaddr_t)a)];
		uint64_t next = ((a >> PDE_SHIFT) + 1) << PDE_SHIFT;
		if (next > end)
			next = end;
		if (!(pde & PTE_P)) {
			a = next;
			continue;
		}
		pte_t *pt = table_of(pde);
		for (; a < next; a += PAGE_SIZE) {
			pte_t *ptep = &pt[pte_index((vaddr_t)a)];
			if (*ptep == 0)
				continue;
			int ret = fn((vaddr_t)a, ptep, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Makes a new address space sharing the kernel half. */
int vm_space_init(struct vm_space *s)
{
	struct page *page = alloc_page(GFP_PGTABLE | GFP_ZERO);
	if (!page)
		return -ENOMEM;
	s->pgdir = page_address(page);
	s->pgdir_phys = page_to_phys(page);
	s->nr_pgtables = 0;
	s->nr_swapped = 0;
	for (uint32_t i = KERNEL_PDE_FIRST; i < PD_ENTRIES; i++)
		s->pgdir[i] = kernel_space.pgdir[i];
	list_push_back(&all_spaces, &s->link);
	return 0;
}

/* Tears down an address space that is not loaded. */
void vm_space_destroy(struct vm_space *s)
{
	vm_space_destroy_with(s, NULL, NULL);
}

/* Destroys a space, showing each entry to fn before it goes. */
void vm_space_destroy_with(struct vm_space *s,
			   int (*fn)(vaddr_t va, pte_t *ptep, void *arg),
			   void *arg)
{
	struct gather g;

	KASSERT(s != current_space && s != &kernel_space);
	/* Tables in swap hold slot references: their owner drops them first. */
	KASSERT(s->nr_swapped == 0);
	gather_init(&g, s);
	for (uint32_t i = 0; i < KERNEL_PDE_FIRST; i++) {
		pde_t pde = s->pgdir[i];
		if (!(pde & PTE_P))
			continue;
		pte_t *pt = table_of(pde);
		for (uint32_t j = 0; j < PT_ENTRIES; j++) {
			pte_t pte = pt[j];
			if (!pte)
				continue;
			if (fn)
				fn(((vaddr_t)i << PDE_SHIFT) |
					   ((vaddr_t)j << PAGE_SHIFT),
				   &pt[j], arg);
			if (pte & PTE_P)
				gather_put(&g, pte);
		}
		s->pgdir[i] = 0;
		s->nr_pgtables--;
		gather_free(&g, table_page(pde));
	}
	KASSERT(s->nr_pgtables == 0);
	gather_finish(&g);
	list_remove(&s->link);
	free_page(virt_to_page(s->pgdir));
	s->pgdir = NULL;
	s->pgdir_phys = 0;
}

/* Loads an address space into CR3. */
void vm_space_activate(struct vm_space *s)
{
	current_space = s;
	port_load_pgdir(s->pgdir_phys);
}

struct vm_space *vm_space_current(void)
{
	return current_space;
}

bool paging_global_enabled(void)
{
	return global_pages;
}

/* Logs a page-table invariant violation for vm_space_check(). */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			pr_err("vm_space_check: " __VA_ARGS__);                \
			return -EINVAL;                                        \
		}                                                              \
	} while (0)

/* Checks the page tables' invariants. */
int vm_space_check(struct vm_space *s)
{
	uint32_t user_tables = 0, swapped_tables = 0;
	for (uint32_t i = 0; i < PD_ENTRIES; i++) {
		pde_t pde = s->pgdir[i];
		if (i >= KERNEL_PDE_FIRST && s != &kernel_space) {
			/*
			 * The tables are the kernel's, checked with it. The
			 * CPU sets the accessed bit in whichever directory is
			 * loaded when it walks a kernel address (SDM vol. 3A,
			 * 4.8), so that bit may differ.
			 */
			CHECK(((pde ^ kernel_space.pgdir[i]) & ~(pde_t)PTE_A) ==
				      0,
			      "kernel PDE %u differs from the kernel's\n", i);
			continue;
		}
		if (!(pde & PTE_P)) {
			/* A user table in swap: a swap entry in the PDE. */
			swapped_tables += pde != 0;
			continue;
		}
		struct page *table = table_page(pde);
		CHECK(table && (table->flags & PG_PGTABLE) &&
			      (table->flags & PG_HEAD),
		      "PDE %u points at %#x, not an allocated page table\n", i,
		      (unsigned int)pte_frame(pde));
		pte_t *pt = table_of(pde);
		uint32_t used = 0;
		for (uint32_t j = 0; j < PT_ENTRIES; j++)
			used += pt[j] != 0;
		CHECK(used == table->pt_used,
		      "table of PDE %u has %u entries, counted %u\n", i, used,
		      table->pt_used);
		if (i < KERNEL_PDE_FIRST) {
			CHECK(used > 0, "user table of PDE %u is empty\n", i);
			user_tables++;
		}
	}
	CHECK(user_tables == s->nr_pgtables, "%u user tables, counted %u\n",
	      user_tables, s->nr_pgtables);
	CHECK(swapped_tables == s->nr_swapped,
	      "%u user tables in swap, counted %u\n", swapped_tables,
	      s->nr_swapped);
	return 0;
}

/*
 * Whole-process swapping (mm/procswap.c) moves user page tables to swap
 * and back. A table in swap leaves a swap entry in its PDE (the format of
 * a PTE's, mm/pgtable.h): not present, so the CPU ignores the rest of it
 * (SDM vol. 3A, 4.3, table 4-5), and every walk above skips it as an
 * absent table.
 */

/* The present user table of PDE pdi, or NULL. */
pte_t *vm_table(struct vm_space *s, uint32_t pdi)
{
	KASSERT(pdi < KERNEL_PDE_FIRST);
	pde_t pde = s->pgdir[pdi];
	return (pde & PTE_P) ? table_of(pde) : NULL;
}

/* The swap entry in PDE pdi, or 0 if the PDE holds none. */
pde_t vm_table_swapped(const struct vm_space *s, uint32_t pdi)
{
	KASSERT(pdi < KERNEL_PDE_FIRST);
	pde_t pde = s->pgdir[pdi];
	return (pde & PTE_P) ? 0 : pde;
}

/*
 * Replaces the present user table of pdi by entry (a swap entry) and
 * frees the table. Its entries must hold no present page any more.
 */
void vm_table_evict(struct vm_space *s, uint32_t pdi, pde_t entry)
{
	struct gather g;
	pde_t *pde = &s->pgdir[pdi];

	KASSERT(pdi < KERNEL_PDE_FIRST && (*pde & PTE_P));
	KASSERT(pte_is_swap(entry));
	struct page *table = table_page(*pde);
	gather_init(&g, s);
	*pde = entry;
	s->nr_pgtables--;
	s->nr_swapped++;
	/* The CPU may cache the PDE (SDM vol. 3A, 4.10.3): invlpg drops it. */
	gather_flush_va(&g, (vaddr_t)pdi << PDE_SHIFT);
	gather_free(&g, table);
	gather_finish(&g);
}

/*
 * Makes table (a GFP_PGTABLE page holding the entries read back) the
 * user table of pdi, whose PDE holds a swap entry. Returns the number of
 * entries that are not none.
 */
uint32_t vm_table_restore(struct vm_space *s, uint32_t pdi, struct page *table)
{
	pde_t *pde = &s->pgdir[pdi];
	pte_t *pt = page_address(table);
	uint32_t used = 0;

	KASSERT(pdi < KERNEL_PDE_FIRST && pte_is_swap(*pde));
	for (uint32_t j = 0; j < PT_ENTRIES; j++) {
		KASSERT(!pte_present(pt[j]));
		used += pt[j] != 0;
	}
	table->pt_used = used;
	/* Not present before: no TLB entry to drop (SDM vol. 3A, 4.10.2.3). */
	*pde = page_to_phys(table) | PTE_P | PTE_W | PTE_U;
	s->nr_pgtables++;
	s->nr_swapped--;
	return used;
}

/*
 * Fills one page table of the direct map: its first n entries map n
 * frames from pfn on with the given flags, the others are none. This runs
 * once per frame of lowmem at boot, so it is a tight loop that writes every
 * entry exactly once (the table is not zeroed first).
 */
static void direct_map_fill(pte_t *pt, pfn_t pfn, uint32_t n, uint32_t flags)
{
	pte_t pte = pte_make((paddr_t)pfn << PAGE_SHIFT, flags);
	uint32_t i;

	for (i = 0; i < n; i++, pte += PAGE_SIZE)
		pt[i] = pte;
	for (; i < PT_ENTRIES; i++)
		pt[i] = 0;
}

/*
 * Builds the kernel page directory: the direct map of lowmem with 4 KiB
 * pages, text and rodata read-only, physical page 0 unmapped, global when
 * the CPU allows; then loads it.
 */
int paging_init(void)
{
	vaddr_t ro_start, ro_end;
	pfn_t lowmem_end = max_pfn < LOWMEM_PFN ? max_pfn : LOWMEM_PFN;

	list_init(&all_spaces);
	current_space = NULL;
	global_pages = port_cpu_has_pge();
	port_kernel_ro_range(&ro_start, &ro_end);
	ro_start = page_round_down(ro_start);
	ro_end = page_round_up(ro_end);

	struct page *pd = alloc_page(GFP_PGTABLE | GFP_ZERO);
	if (!pd)
		return -ENOMEM;
	kernel_space.pgdir = page_address(pd);
	kernel_space.pgdir_phys = page_to_phys(pd);
	kernel_space.nr_pgtables = 0;
	list_push_back(&all_spaces, &kernel_space.link);

	uint32_t flags = PTE_P | PTE_W | (global_pages ? PTE_G : 0);
	uint32_t ntables = 0;
	for (pfn_t base = 0; base < lowmem_end; base += PT_ENTRIES) {
		struct page *table = alloc_page(GFP_PGTABLE);
		if (!table)
			return -ENOMEM;
		pte_t *pt = page_address(table);
		pfn_t n = lowmem_end - base < PT_ENTRIES ? lowmem_end - base
							 : PT_ENTRIES;
		direct_map_fill(pt, base, n, flags);
		table->pt_used = n;
		/* Physical page 0 stays unmapped to catch stray pointers. */
		if (base == 0) {
			pt[0] = 0;
			table->pt_used--;
		}
		kernel_space.pgdir[pde_index(KERNEL_VMA) + base / PT_ENTRIES] =
			page_to_phys(table) | PTE_P | PTE_W;
		ntables++;
	}
	/* The kernel's text and read-only data lose PTE_W. */
	for (vaddr_t va = ro_start; va < ro_end; va += PAGE_SIZE) {
		pte_t *ptep = pte_get(&kernel_space, va, false);
		KASSERT(ptep && (*ptep & PTE_P));
		*ptep &= ~PTE_W;
	}
	vmap_reset();
	if (kmap_init())
		return -ENOMEM;
	port_paging_start(kernel_space.pgdir_phys, global_pages);
	current_space = &kernel_space;
	pr_info("paging: direct map %#x-%#x with %u page tables; read-only "
		"%#x-%#x; global pages %s\n",
		KERNEL_VMA, KERNEL_VMA + (lowmem_end << PAGE_SHIFT), ntables,
		ro_start, ro_end, global_pages ? "on" : "off (no PGE)");
	return 0;
}

/* Clears PDE pdi, which holds a swap entry whose slot its owner released. */
void vm_table_forget(struct vm_space *s, uint32_t pdi)
{
	KASSERT(pdi < KERNEL_PDE_FIRST && pte_is_swap(s->pgdir[pdi]));
	s->pgdir[pdi] = 0;
	s->nr_swapped--;
}
