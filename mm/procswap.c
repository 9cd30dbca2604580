/*
 * mm/procswap.c - whole-process swapping: every resident page of an
 * address space, then its page tables, to swap and back (see
 * mm/procswap.h and docs/process-swapping.md).
 *
 * A swapped-out space, and what holds each of its pages:
 *
 *   page directory (stays)          swap
 *   PDE 0x020  swap entry, slot 40 -> slot 40: a page table:
 *                                      PTE 0x048  swap entry, slot 12 -> page
 *                                      PTE 0x049  swap entry, slot 13 -> page
 *   PDE 0x2ff  swap entry, slot 41 -> slot 41: a page table (the stack's)
 *
 * The swap entries inside the tables keep their slot references while the
 * tables are in swap, so mm->swap_pages (VmSwap) does not change; the
 * number of them is mm->swapped_entries, which mm_check() adds to the
 * entries it can walk.
 *
 * Invariants: a PDE holding a swap entry is never walked into or built
 * over (mm/paging.c asserts); mm->swapped_out implies every user table is
 * in swap and rss is 0; fault_in() brings the tables back before anything
 * is looked up, so a kernel access to the space's memory (a user copy, a
 * signal frame) finds them.
 *
 * Locking: none; the kernel is not preemptible and nothing here sleeps.
 * The two static buffers are used only between two statements that do
 * not sleep.
 */
#include "mm/procswap.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/string.h"
#include "mm/internal.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/rmap.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/trace.h"
#include "mm/vm.h"
#include "mm/vmscan.h"

/* Bytes one page table covers (4 MiB): skipped at once when absent. */
#define PT_SPAN (PAGE_SIZE * PT_ENTRIES)
/*
 * Reads of a page table tried before giving up: losing a table loses
 * every slot it names, so a transient device error is worth a retry.
 */
#define TABLE_READ_TRIES 3
/* Pages reclaimed when no frame is free for a page table coming back. */
#define TABLE_RECLAIM_BATCH 16u

struct procswap_stats procswap_stats;
static enum procswap_mode mode = PROCSWAP_PREFETCH;

/* A page table or a page read from swap for a look, not kept. */
static pte_t table_buf[PT_ENTRIES];
static uint8_t page_buf[PAGE_SIZE];

enum procswap_mode procswap_get_mode(void)
{
	return mode;
}

void procswap_set_mode(enum procswap_mode m)
{
	mode = m;
}

const char *procswap_mode_name(enum procswap_mode m)
{
	return m == PROCSWAP_DEMAND ? "demand" : "prefetch";
}

int procswap_parse_mode(const char *name, size_t len, enum procswap_mode *m)
{
	if (len == 8 && !memcmp(name, "prefetch", 8))
		*m = PROCSWAP_PREFETCH;
	else if (len == 6 && !memcmp(name, "demand", 6))
		*m = PROCSWAP_DEMAND;
	else
		return -EINVAL;
	return 0;
}

/* What a swap-out of mm needs, counted before anything moves. */
struct swapout_plan {
	uint32_t writes; /* pages that need a new slot */
	uint32_t busy;	 /* pages that cannot go (pinned, not user memory) */
};

/* Counts one present page for the plan (a vm_walk callback). */
static int plan_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	struct swapout_plan *plan = arg;
	(void)va;
	if (!pte_present(*ptep))
		return 0;
	struct page *pg = phys_to_page(pte_frame(*ptep));
	if (!pg || !(pg->flags & PG_USER)) {
		plan->busy++;
		return 0;
	}
	uint32_t owners = rmap_mapcount(pg) + (page_shm(pg) ? 1 : 0);
	if ((uint32_t)pg->refcount != owners)
		plan->busy++; /* a fault in progress holds it */
	else if (!page_swapcached(pg) &&
		 (!page_shm(pg) || rmap_mapcount(pg) == 1))
		plan->writes++;
	return 0;
}

/*
 * This space's mapping of pg, a private page other spaces map too
 * (copy-on-write after fork), goes: the page enters the swap cache
 * (written to a new slot unless it is there already) and stays resident
 * for the others, and this PTE becomes a swap entry for the slot. That is
 * the state paging leaves when one of two sharers faults the page back.
 * (A page another space has locked gets a slot of this space's own.)
 */
static int share_out(struct mm *mm, vaddr_t va, pte_t *ptep, struct page *pg)
{
	pte_t pte = *ptep;
	bool clean = page_swapcached(pg);

	/* A frame in the swap cache must be read-only in every mapping. */
	if (pte & PTE_W)
		return -EBUSY;
	/*
	 * A page another process has locked (mlock) must not change state
	 * for it, not even enter the swap cache (paging never touches it):
	 * this space gets a copy in a slot of its own instead, and the
	 * sharing ends with the swap-out.
	 */
	bool own_copy = !clean && rmap_locked(pg);
	uint32_t slot;
	if (!clean) {
		if (swap_slot_alloc(&slot) < 0)
			return -ENOSPC;
		/* Through a temporary mapping: pg may be in highmem. */
		void *kva = kmap_atomic(pg);
		int werr = swap_write_page(slot, kva);
		kunmap_atomic(kva);
		if (werr < 0) {
			swap_slot_put(slot);
			vm_events.swap_write_errors++;
			return -EIO;
		}
		vm_events.pswpout++;
		if (!own_copy && swap_cache_add(pg, slot) < 0) {
			swap_slot_put(slot);
			return -ENOMEM;
		}
	}
	if (!own_copy) {
		slot = pg->user.slot;
		swap_slot_dup(slot); /* the cache keeps its own */
	}
	trace_evict(clean ? MM_TRACE_CLEAN : MM_TRACE_WRITTEN, mm->trace_pid,
		    va, pg, slot, "procswap");
	rmap_remove(pg, mm, va);
	vm_pte_set(&mm->space, va, ptep,
		   pte_make_swap(slot, pte & PTE_SOFT_MASK));
	mm->swap_pages++;
	KASSERT(mm->rss > 0 && pg->refcount > 1);
	mm->rss--;
	pg->refcount--; /* the others' mappings still hold it */
	return 0;
}

/* Sends the present page at va of mm to swap (or leaves it to others). */
static int page_out(struct mm *mm, vaddr_t va, pte_t *ptep)
{
	struct page *pg = phys_to_page(pte_frame(*ptep));

	KASSERT(pg && (pg->flags & PG_USER));
	if (rmap_mapcount(pg) == 1)
		return vmscan_evict(pg, "procswap"); /* ours alone */
	if (!page_shm(pg))
		return share_out(mm, va, ptep, pg);
	/*
	 * A shm page others map: the object keeps the frame, and this
	 * space's region finds it there again on its next fault.
	 */
	rmap_remove(pg, mm, va);
	int err = vm_unmap_page(&mm->space, va, NULL);
	KASSERT(err == 0);
	KASSERT(mm->rss > 0 && pg->refcount > 1);
	mm->rss--;
	pg->refcount--;
	return 0;
}

/*
 * Every present page of mm to swap, region by region; the address of each
 * is added to rec (if not NULL), *nrec counting them.
 */
static int pages_out(struct mm *mm, vaddr_t *rec, uint32_t *nrec)
{
	struct list_node *n;
	list_for_each(n, &mm->vmas) {
		struct vma *v = list_entry(n, struct vma, node);
		for (vaddr_t va = v->start; va < v->end && mm->rss;
		     va += PAGE_SIZE) {
			/* Looked up again each time: unmapping may free it. */
			pte_t *ptep = vm_pte_lookup(&mm->space, va);
			if (!ptep) {
				vaddr_t next = (va & ~(PT_SPAN - 1)) + PT_SPAN;
				if (next == 0 || next >= v->end)
					break;
				va = next - PAGE_SIZE;
				continue;
			}
			if (!pte_present(*ptep))
				continue;
			int err = page_out(mm, va, ptep);
			if (err)
				return err;
			if (rec)
				rec[(*nrec)++] = va;
			procswap_stats.swapout_pages++;
		}
	}
	return 0;
}

/* Every user page table of mm (swap entries only by now) to swap. */
static int tables_out(struct mm *mm)
{
	for (uint32_t pdi = 0; pdi < KERNEL_PDE_FIRST && mm->space.nr_pgtables;
	     pdi++) {
		pte_t *pt = vm_table(&mm->space, pdi);
		if (!pt)
			continue;
		uint32_t entries = 0;
		for (uint32_t j = 0; j < PT_ENTRIES; j++) {
			if (pte_present(pt[j]))
				return -EBUSY;
			entries += pt[j] != 0;
		}
		uint32_t slot;
		if (swap_slot_alloc(&slot) < 0)
			return -ENOSPC;
		if (swap_write_page(slot, pt) < 0) {
			swap_slot_put(slot);
			vm_events.swap_write_errors++;
			return -EIO;
		}
		vm_events.pswpout++;
		trace_evict(MM_TRACE_WRITTEN, mm->trace_pid,
			    (vaddr_t)pdi << PDE_SHIFT, NULL, slot,
			    "procswap-pgtable");
		vm_table_evict(&mm->space, pdi, pte_make_swap(slot, 0));
		mm->swapped_entries += entries;
		procswap_stats.swapout_tables++;
	}
	return 0;
}

/* Swaps out mm as a whole (see mm/procswap.h). */
int mm_swap_out(struct mm *mm)
{
	struct swapout_plan plan = { 0, 0 };
	struct swap_stats st;
	struct list_node *n;

	if (mm->swapped_out)
		return -EALREADY;
	/* Its own CPU would use the tables as they go. */
	if (vm_space_current() == &mm->space)
		return -EBUSY;
	if (!swap_enabled() || swap_draining())
		return -ENOSPC;
	list_for_each(n, &mm->vmas) {
		if (list_entry(n, struct vma, node)->flags & VMA_LOCKED)
			return -EBUSY; /* mlock: its pages stay resident */
	}
	vm_walk(&mm->space, 0, KERNEL_VMA, plan_pte, &plan);
	if (plan.busy)
		return -EBUSY;
	/* Room for it all, or nothing moves (the tables need a slot each). */
	swap_get_stats(&st);
	if (st.free < (uint64_t)plan.writes + mm->space.nr_pgtables)
		return -ENOSPC;
	/*
	 * The resident set, for prefetch to read back exactly that: a word a
	 * page (a thousandth of what goes out). Without it, prefetch reads
	 * every page the process has in swap.
	 */
	uint32_t nrec = 0;
	vaddr_t *rec = mm->rss ? kmalloc(mm->rss * sizeof(vaddr_t), 0) : NULL;
	int err = pages_out(mm, rec, &nrec);
	if (!err)
		err = tables_out(mm);
	if (err) {
		kfree(rec);
		procswap_stats.swapout_failed++;
		return err;
	}
	KASSERT(mm->rss == 0 && mm->space.nr_pgtables == 0);
	mm->swapped_resident = rec;
	mm->nr_swapped_resident = nrec;
	mm->swapped_out = true;
	procswap_stats.swapout_process++;
	return 0;
}

/* Reads a slot, trying again after a failure (see TABLE_READ_TRIES). */
static int read_table(uint32_t slot, void *buf)
{
	for (int i = 0; i < TABLE_READ_TRIES; i++) {
		if (swap_read_page(slot, buf) == 0) {
			vm_events.pswpin++;
			return 0;
		}
		vm_events.swap_read_errors++;
	}
	return -EIO;
}

/* Brings every table of mm back; the swap-in's first step. */
static int tables_in(struct mm *mm)
{
	for (uint32_t pdi = 0; pdi < KERNEL_PDE_FIRST && mm->space.nr_swapped;
	     pdi++) {
		pde_t e = vm_table_swapped(&mm->space, pdi);
		if (!e)
			continue;
		uint32_t slot = pte_swap_slot(e);
		struct page *table = alloc_page(GFP_PGTABLE);
		if (!table && reclaim_pages(TABLE_RECLAIM_BATCH))
			table = alloc_page(GFP_PGTABLE);
		if (!table)
			return -ENOMEM;
		if (read_table(slot, page_address(table)) < 0) {
			free_page(table);
			return -EIO;
		}
		uint32_t used = vm_table_restore(&mm->space, pdi, table);
		KASSERT(mm->swapped_entries >= used);
		mm->swapped_entries -= used;
		swap_slot_put(slot);
		procswap_stats.swapin_tables++;
	}
	KASSERT(mm->swapped_entries == 0);
	return 0;
}

/* Forgets the resident set recorded at the swap-out. */
static void drop_record(struct mm *mm)
{
	kfree(mm->swapped_resident);
	mm->swapped_resident = NULL;
	mm->nr_swapped_resident = 0;
}

/* The swapped-out mm has its tables back: it counts as swapped in. */
static void came_back(struct mm *mm, enum procswap_mode m)
{
	if (!mm->swapped_out)
		return;
	mm->swapped_out = false;
	procswap_stats.swapin_process++;
	if (m == PROCSWAP_PREFETCH)
		procswap_stats.swapin_prefetch++;
	else
		procswap_stats.swapin_demand++;
}

int mm_swap_in_tables(struct mm *mm)
{
	int err = tables_in(mm);
	if (err)
		return err;
	/* Whatever asked for the tables, the pages come on demand. */
	if (mm->swapped_out)
		procswap_stats.swapin_pages_left += mm->swap_pages;
	came_back(mm, PROCSWAP_DEMAND);
	drop_record(mm);
	return 0;
}

/*
 * Brings the swap entry at va of private region v back for prefetch: a
 * page only this space's entry names comes back writable if its region
 * is, as a write fault would bring it, so that the process's first
 * writes do not fault again; the others come back read-only and
 * copy-on-write, as a read fault would. Returns false when prefetch must
 * stop: free memory down to the high watermark, mm at its RLIMIT_RSS
 * (reading more would only evict others' pages, or its own), or no
 * memory at all.
 */
static bool prefetch_one(struct mm *mm, struct vma *v, vaddr_t va,
			 const struct vm_watermarks *wm, uint32_t *done)
{
	pte_t *ptep = vm_pte_lookup(&mm->space, va);
	if (!ptep || !pte_is_swap(*ptep))
		return true;
	if (pmm_count.free <= wm->high ||
	    mm->rss >= (mm->limit_rss >> PAGE_SHIFT))
		return false;
	uint32_t slot = pte_swap_slot(*ptep);
	bool write = (v->prot & MM_PROT_WRITE) && swap_slot_refs(slot) == 1 &&
		     !swap_cache_lookup(slot);
	enum mm_fault_result r = fault_in(mm, v, va, write);
	if (r == MM_FAULT_OOM)
		return false;
	/* A read error is left to the page's own fault. */
	if (r == MM_FAULT_OK)
		(*done)++;
	return true;
}

/*
 * Reads back the pages mm had resident when it was swapped out (the
 * record pages_out() made), or, without a record, every page of its
 * private regions in swap; shm pages come back through their object on
 * demand. Returns the number read back.
 */
static uint32_t prefetch(struct mm *mm)
{
	struct vm_watermarks wm;
	struct list_node *n;
	uint32_t done = 0;

	vmscan_watermarks(&wm);
	if (mm->swapped_resident) {
		struct vma *v = NULL;
		for (uint32_t i = 0; i < mm->nr_swapped_resident; i++) {
			vaddr_t va = mm->swapped_resident[i];
			if (!v || va < v->start || va >= v->end)
				v = mm_find_vma(mm, va);
			if (!v || vma_shares_pages(v))
				continue;
			if (!prefetch_one(mm, v, va, &wm, &done))
				break;
		}
		return done;
	}
	list_for_each(n, &mm->vmas) {
		struct vma *v = list_entry(n, struct vma, node);
		if (vma_shares_pages(v))
			continue;
		for (vaddr_t va = v->start; va < v->end && mm->swap_pages;
		     va += PAGE_SIZE) {
			if (!vm_pte_lookup(&mm->space, va)) {
				vaddr_t next = (va & ~(PT_SPAN - 1)) + PT_SPAN;
				if (next == 0 || next >= v->end)
					break;
				va = next - PAGE_SIZE;
				continue;
			}
			if (!prefetch_one(mm, v, va, &wm, &done))
				return done;
		}
	}
	return done;
}

int mm_swap_in(struct mm *mm, enum procswap_mode m)
{
	bool was_out = mm->swapped_out;
	int err = tables_in(mm);
	if (err)
		return err;
	came_back(mm, m);
	if (m == PROCSWAP_PREFETCH)
		procswap_stats.swapin_pages_prefetched += prefetch(mm);
	drop_record(mm);
	if (was_out)
		procswap_stats.swapin_pages_left += mm->swap_pages;
	return 0;
}

/*
 * The entry of addr in a space whose tables may be in swap: from the
 * table if present, else from a copy read into table_buf.
 */
static int swapped_pte(struct mm *mm, vaddr_t addr, pte_t *out)
{
	uint32_t pdi = pde_index(addr);
	pte_t *pt = vm_table(&mm->space, pdi);
	if (pt) {
		*out = pt[pte_index(addr)];
		return 0;
	}
	pde_t e = vm_table_swapped(&mm->space, pdi);
	if (!e)
		return -EFAULT;
	if (read_table(pte_swap_slot(e), table_buf) < 0)
		return -EIO;
	*out = table_buf[pte_index(addr)];
	return 0;
}

int mm_swapped_read(struct mm *mm, vaddr_t addr, void *buf, size_t n)
{
	uint8_t *dst = buf;

	if (addr >= KERNEL_VMA || n > KERNEL_VMA - addr)
		return -EFAULT;
	while (n) {
		uint32_t off = addr & (PAGE_SIZE - 1);
		size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		pte_t pte;
		int err = swapped_pte(mm, addr, &pte);
		if (err)
			return err;
		/* The frame (maybe in highmem) through a temporary mapping. */
		struct page *pg = NULL;
		if (pte_present(pte)) {
			pg = phys_to_page(pte_frame(pte));
		} else if (pte_is_swap(pte)) {
			pg = swap_cache_lookup(pte_swap_slot(pte));
			if (!pg && swap_read_page(pte_swap_slot(pte),
						  page_buf) < 0)
				return -EIO;
		} else {
			return -EFAULT; /* never touched: no page to show */
		}
		if (pg) {
			const uint8_t *src = kmap_atomic(pg);
			memcpy(dst, src + off, chunk);
			kunmap_atomic((void *)src);
		} else {
			memcpy(dst, page_buf + off, chunk);
		}
		dst += chunk;
		addr += (vaddr_t)chunk;
		n -= chunk;
	}
	procswap_stats.swapped_reads++;
	return 0;
}

void mm_swap_forget(struct mm *mm)
{
	for (uint32_t pdi = 0; pdi < KERNEL_PDE_FIRST && mm->space.nr_swapped;
	     pdi++) {
		pde_t e = vm_table_swapped(&mm->space, pdi);
		if (!e)
			continue;
		uint32_t slot = pte_swap_slot(e);
		if (read_table(slot, table_buf) == 0) {
			for (uint32_t j = 0; j < PT_ENTRIES; j++) {
				if (!pte_is_swap(table_buf[j]))
					continue;
				swap_slot_put(pte_swap_slot(table_buf[j]));
				KASSERT(mm->swap_pages && mm->swapped_entries);
				mm->swap_pages--;
				mm->swapped_entries--;
			}
		} else {
			pr_err("procswap: the page table in slot %u could not "
			       "be read; the slots it names stay in use\n",
			       (unsigned int)slot);
		}
		swap_slot_put(slot);
		vm_table_forget(&mm->space, pdi);
	}
	/* What unreadable tables held is lost with them. */
	KASSERT(mm->swap_pages >= mm->swapped_entries);
	mm->swap_pages -= mm->swapped_entries;
	mm->swapped_entries = 0;
	mm->swapped_out = false;
	drop_record(mm);
}
