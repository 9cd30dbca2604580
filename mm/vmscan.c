/*
 * mm/vmscan.c - reclaim: the replacement policy in charge, watermarks,
 * eviction of user pages to swap, and local replacement for processes
 * over RLIMIT_RSS.
 *
 * Eviction of one page P (evict_page()):
 *
 *   1. P must not be pinned: refcount == mappings (+1 if a shm object
 *      owns it). A fault that holds an extra reference is using P. Nor
 *      may a locked region (mlock) map it.
 *   2. Its contents go to swap: if P is in the swap cache (read back and
 *      not written since), its slot already holds them; otherwise a new
 *      slot is allocated and P written to it. A full swap area or a write
 *      error leaves P resident and tracked; the policy then proposes
 *      another page.
 *   3. Every PTE mapping P (the reverse map) is rewritten: a private page's
 *      PTE becomes a swap entry for the slot, taking one slot reference
 *      and keeping the software bits (PTE_COW); a shared page's PTE is
 *      cleared instead, and its shm object records the slot for the page's
 *      index. TLB entries go with each PTE (vm_pte_set, vm_unmap_page).
 *   4. The slot reference that was the cache's or the allocation's goes
 *      to the first PTE, or to the shm object; P leaves the policy and is
 *      freed.
 *   A page of a shm object or tmpfs file that holds only zeros (never
 *   written, or written with zeros) needs no slot (drop_zero_page()): it
 *   is unmapped and freed, and the object's page becomes a hole again,
 *   read as zeros (counted as clean).
 *
 *   before                              after
 *   mm A PTE: frame P | COW             mm A PTE: swap entry, slot 7
 *   mm B PTE: frame P | COW             mm B PTE: swap entry, slot 7
 *   P: refcount 2, rmap A, B            slot 7: 2 references; P free
 *
 * Reclaim never allocates memory (slots come from a bitmap, the device
 * copies into its own memory), so it can run from the allocation path of
 * user pages without recursing; a flag still refuses reentry.
 *
 * Locking: none; the kernel is not preemptible. Calls into the policy run
 * with interrupts off (mm/policy.h).
 */
#include "mm/vmscan.h"
#include "mm/filemap.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "mm/highmem.h"
#include "mm/internal.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pmm.h"
#include "mm/policy.h"
#include "mm/port.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/trace.h"
#include "mm/vm.h"

/* Watermark bounds, in frames (see mm/vmscan.h). */
#define WMARK_LOW_DIVISOR 32u
#define WMARK_LOW_MIN 32u
#define WMARK_LOW_MAX 1024u

/*
 * Pages reclaimed for a kernel allocation (page table, reverse-map item)
 * that failed on the fault path before it is tried again.
 */
#define RECLAIM_KERNEL_BATCH 16u

/* The active policy: at boot the default (vm_policies[0]). */
static const struct vm_policy *active = VM_POLICY_DEFAULT;
/* Set while reclaim runs, so that it never reenters itself. */
static bool reclaiming;

/* The active policy. */
const struct vm_policy *vm_policy_active(void)
{
	return active;
}

/* The watermarks for the memory managed now. */
void vmscan_watermarks(struct vm_watermarks *wm)
{
	uint32_t low = pmm_count.managed / WMARK_LOW_DIVISOR;
	if (low < WMARK_LOW_MIN)
		low = WMARK_LOW_MIN;
	if (low > WMARK_LOW_MAX)
		low = WMARK_LOW_MAX;
	wm->low = low;
	wm->high = low + low / 2;
	wm->min = low / 2;
}

/*
 * Hands pg to the active policy. Interrupts may stay on: the only
 * interrupt that uses the policy, the timer's tick(), does so only when
 * it interrupted user code (kernel/proc/sched.c), never in the middle of
 * this. On every fault path, so it saves what it can.
 */
void vmscan_track(struct page *pg)
{
	if (policy_page_tracked(pg))
		return;
	vm_policy_active()->add(pg);
}

/* Takes pg from the active policy (interrupts as for vmscan_track). */
void vmscan_untrack(struct page *pg)
{
	if (!policy_page_tracked(pg))
		return;
	vm_policy_active()->remove(pg);
}

/* Tells the active policy that pg came back from slot. */
void vmscan_refault(struct page *pg, uint32_t slot)
{
	const struct vm_policy *p = vm_policy_active();
	if (!p->refault || !policy_page_tracked(pg))
		return;
	bool irq = port_irq_save();
	p->refault(pg, slot);
	port_irq_restore(irq);
}

/* Reclaims up to the high watermark when below the low one. */
void vmscan_make_room(void)
{
	struct vm_watermarks wm;
	vmscan_watermarks(&wm);
	uint32_t free = pmm_count.free + hz_count.free;
	if (free < wm.low)
		reclaim_pages(wm.high - free);
}

/* A frame for user memory, reclaiming first when memory is low. */
/*
 * Reclaim below the low watermark, backing off while it is futile. When
 * a run frees nothing (every candidate locked or pinned, swap full), the
 * next one would walk the same list in vain on every fault: instead the
 * next `skip` allocations above the min watermark do without, and skip
 * doubles with each futile run up to RECLAIM_BACKOFF_MAX. The first run
 * that frees a frame ends the backoff. At the min watermark a run is
 * always made, so an allocation fails (and the OOM killer is called) only
 * after reclaim was tried on its way down. Once free memory is back
 * above the low watermark the shortage is over and so is the backoff.
 */
#define RECLAIM_BACKOFF_MAX 64

static uint32_t reclaim_backoff, reclaim_skip;

static void reclaim_for_fault(const struct vm_watermarks *wm, bool over)
{
	uint32_t backoff = reclaim_backoff;
	/* Free frames for user pages: lowmem's and highmem's. */
	uint32_t free = pmm_count.free + hz_count.free;

	if (over) {
		reclaim_backoff = reclaim_skip = 0;
		return;
	}
	if (reclaim_skip > 0 && free > wm->min) {
		reclaim_skip--;
		vm_events.reclaim_skipped++;
		return;
	}
	if (reclaim_pages(wm->high - free) > 0) {
		reclaim_backoff = reclaim_skip = 0;
		return;
	}
	backoff = backoff ? backoff * 2 : 1;
	if (backoff > RECLAIM_BACKOFF_MAX)
		backoff = RECLAIM_BACKOFF_MAX;
	reclaim_backoff = reclaim_skip = backoff;
}

struct page *vm_alloc_user_page(unsigned int gfp)
{
	/*
	 * The watermarks follow the managed frames, which change only when
	 * boot memory is given back: recomputed then, not on every fault.
	 */
	static struct vm_watermarks wm;
	static uint32_t wm_managed;
	if (unlikely(wm_managed != pmm_count.managed)) {
		vmscan_watermarks(&wm);
		wm_managed = pmm_count.managed;
	}
	/* User pages may live in either zone: both count as free. */
	uint32_t free = pmm_count.free + hz_count.free;
	if (free < wm.low)
		reclaim_for_fault(&wm, false);
	else if (unlikely(reclaim_backoff))
		reclaim_for_fault(&wm, true); /* the shortage is over */
	/*
	 * Highmem first (GFP_HIGHUSER); the last min frames of lowmem are
	 * the kernel's (see mm/vmscan.h).
	 */
	if (pmm_count.free <= wm.min && hz_count.free == 0)
		return NULL;
	struct page *pg = alloc_page(GFP_HIGHUSER | (gfp & GFP_ZERO));
	if (!pg)
		return NULL;
	pg->user.slot = 0;
	pg->user.anon.family = NULL;
	pg->user.anon.index = 0;
	return pg;
}

/*
 * The reverse map and the PTE of one mapping, or neither: 0 or -ENOMEM.
 * Inline into user_page_map(), whose every call runs it once.
 */
static inline __attribute__((always_inline)) int
map_once(struct mm *mm, struct vma *v, vaddr_t va, struct page *pg,
	 uint32_t prot)
{
	int err = rmap_add(pg, v, va);
	if (unlikely(err))
		return err;
	/* page_to_pfn is inline, page_to_phys a call. */
	err = vm_map_page(&mm->space, va,
			  (paddr_t)page_to_pfn(pg) << PAGE_SHIFT, prot);
	if (unlikely(err))
		rmap_remove(pg, mm, va);
	return err;
}

/* Kernel memory was short for map_once(): reclaim some, then once more. */
static __attribute__((noinline)) int
map_after_reclaim(struct mm *mm, struct vma *v, vaddr_t va, struct page *pg,
		  uint32_t prot)
{
	if (reclaim_pages(RECLAIM_KERNEL_BATCH) == 0)
		return -ENOMEM;
	return map_once(mm, v, va, pg, prot);
}

/* Maps a user page and records everything that goes with a mapping. */
int user_page_map(struct mm *mm, struct vma *v, vaddr_t va, struct page *pg,
		  uint32_t prot)
{
	int err = map_once(mm, v, va, pg, prot);
	if (unlikely(err)) {
		KASSERT(err == -ENOMEM);
		if (map_after_reclaim(mm, v, va, pg, prot) < 0)
			return -ENOMEM;
	}
	if (++mm->rss > mm->rss_peak)
		mm->rss_peak = mm->rss;
	vmscan_track(pg);
	return 0;
}

/* What evict_page() needs in its reverse-map walk. */
struct evict_walk {
	struct page *pg;
	uint32_t slot;
	bool clean;
	bool ref_given; /* our slot reference went to a PTE already */
	const char *why; /* the policy that chose pg, or "local" (trace) */
};

/* Rewrites one PTE mapping the victim (an rmap_walk callback). */
static int evict_pte(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg)
{
	/* LAB 6 BEGIN: turn one PTE of the victim into a swap entry */
	struct evict_walk *e = arg;
	pte_t pte = *ptep;

	/* A page in the swap cache is never writable: that keeps it clean. */
	KASSERT(!e->clean || !(pte & PTE_W));
	trace_evict(e->clean ? MM_TRACE_CLEAN : MM_TRACE_WRITTEN,
		    mm->trace_pid, va, e->pg, e->slot, e->why);
	rmap_remove(e->pg, mm, va);
	if (page_shm(e->pg)) {
		/* The region finds the page through its shm object again. */
		int err = vm_unmap_page(&mm->space, va, NULL);
		KASSERT(err == 0);
	} else {
		/* The first PTE takes our reference, the others their own. */
		if (e->ref_given)
			swap_slot_dup(e->slot);
		e->ref_given = true;
		vm_pte_set(&mm->space, va, ptep,
			   pte_make_swap(e->slot, pte & PTE_SOFT_MASK));
		mm->swap_pages++;
	}
	KASSERT(mm->rss > 0 && e->pg->refcount > 1);
	mm->rss--;
	e->pg->refcount--;
	return 0;
	/* LAB 6 END */
}

/* Why a victim could not be evicted. */
enum evict_result {
	EVICTED,
	EVICT_BUSY,    /* pinned by a fault in progress, or locked */
	EVICT_NOSPACE, /* no free slot (swap full or off) */
	EVICT_IOERR,   /* the write failed */
};

/*
 * Whether pg may go now: not pinned (refcount == its mappings, + 1 if a
 * shm object owns it) and mapped by no locked region (mm/mlock.c). The
 * reverse map is short: a few loads in the common case.
 */
static inline __attribute__((always_inline)) bool
evictable(const struct page *pg)
{
	uint32_t owners = rmap_mapcount(pg) + (page_shm(pg) ? 1 : 0);
	return (uint32_t)pg->refcount == owners && !rmap_locked(pg);
}

/*
 * Evicts one tracked page (see the top of this file); why names who
 * chose it, for the trace.
 */
static enum evict_result evict_page(struct page *pg, const char *why)
{
	/* LAB 6 BEGIN: write the victim to swap unless clean; unmap it */
	KASSERT((pg->flags & PG_USER) && policy_page_tracked(pg));
	if (!evictable(pg))
		return EVICT_BUSY;
	/*
	 * A clean copy in an area that swapoff is emptying must not be
	 * relied on (new slots come from the other areas only).
	 */
	if (page_swapcached(pg) && swap_slot_draining(pg->user.slot))
		return EVICT_BUSY;

	struct evict_walk e = { pg, 0, page_swapcached(pg), false, why };
	if (e.clean) {
		/* The slot already holds the contents; take the cache's ref. */
		e.slot = pg->user.slot;
		swap_cache_del(pg);
	} else {
		if (swap_slot_alloc(&e.slot) < 0)
			return EVICT_NOSPACE;
		void *kva = kmap_atomic(pg);
		int err = swap_write_page(e.slot, kva);
		kunmap_atomic(kva);
		if (err < 0) {
			swap_slot_put(e.slot);
			vm_events.swap_write_errors++;
			return EVICT_IOERR;
		}
		vm_events.pswpout++;
	}
	/* Our own reference keeps the frame until the end. */
	get_page(pg);
	rmap_walk(pg, evict_pte, &e);
	KASSERT(rmap_mapcount(pg) == 0);
	if (page_shm(pg))
		shm_page_evicted(page_shm(pg), pg->user.shm_idx, pg, e.slot);
	else
		KASSERT(e.ref_given); /* a private page has a mapping */
	/* The slot is how a policy with a history knows P when it returns. */
	const struct vm_policy *pol = vm_policy_active();
	if (pol->evicted) {
		bool irq = port_irq_save();
		pol->evicted(pg, e.slot);
		port_irq_restore(irq);
	}
	vmscan_untrack(pg);
	KASSERT(pg->refcount == 1);
	put_page(pg);
	vm_events.pgsteal++;
	if (e.clean)
		vm_events.pgsteal_clean++;
	return EVICTED;
	/* LAB 6 END */
}

/* Removes one PTE of a page of zeros (an rmap_walk callback). */
static int drop_pte(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg)
{
	struct page *pg = arg;
	(void)ptep;
	trace_evict(MM_TRACE_CLEAN, mm->trace_pid, va, pg, 0, "zero");
	rmap_remove(pg, mm, va);
	int err = vm_unmap_page(&mm->space, va, NULL);
	KASSERT(err == 0);
	KASSERT(mm->rss > 0 && pg->refcount > 1);
	mm->rss--;
	pg->refcount--;
	return 0;
}

/*
 * A page-cache page (shm object, tmpfs file) holding only zeros, not in
 * the swap cache, is dropped without a slot: its object's page becomes a
 * hole again. Returns EVICTED, or EVICT_BUSY when pg is not such a page
 * or cannot go now (evict_page() handles it then).
 */
static enum evict_result drop_zero_page(struct page *pg)
{
	if (!page_shm(pg) || page_swapcached(pg) || !evictable(pg) ||
	    swap_draining() || !filemap_page_is_zero(pg))
		return EVICT_BUSY;
	get_page(pg);
	rmap_walk(pg, drop_pte, pg);
	KASSERT(rmap_mapcount(pg) == 0);
	shm_page_evicted(page_shm(pg), pg->user.shm_idx, pg, 0);
	vmscan_untrack(pg);
	KASSERT(pg->refcount == 1);
	put_page(pg);
	vm_events.pgsteal++;
	vm_events.pgsteal_clean++;
	return EVICTED;
}

/* Evicts pg: drops it if it is a cache page of zeros, else evict_page(). */
static enum evict_result evict_or_drop(struct page *pg, const char *why)
{
	if (drop_zero_page(pg) == EVICTED)
		return EVICTED;
	return evict_page(pg, why);
}

/* Evicts one page now, whoever maps it (see mm/vmscan.h). */
int vmscan_evict(struct page *pg, const char *why)
{
	switch (evict_page(pg, why)) {
	case EVICTED:
		return 0;
	case EVICT_BUSY:
		return -EBUSY;
	case EVICT_NOSPACE:
		return -ENOSPC;
	case EVICT_IOERR:
		break;
	}
	return -EIO;
}

/* Evicts up to n pages chosen by the active policy. */
uint32_t reclaim_pages(uint32_t n)
{
	const struct vm_policy *p = vm_policy_active();
	uint32_t freed = 0;
	bool nospace = false;

	/*
	 * While swapoff empties an area, pages may still leave, to the
	 * other areas (an area being drained hands out no slot).
	 */
	if (reclaiming || n == 0)
		return 0;
	/* Without swap only pages already in the swap cache could go. */
	if (unlikely(!swap_enabled()) && swap_cache_pages() == 0)
		return 0;
	reclaiming = true;
	vm_events.reclaim_runs++;
	/* Failed victims are few (pinned, write errors): bound the scan. */
	for (uint32_t budget = 2 * n + 32; freed < n && budget > 0; budget--) {
		/* Once swap is full, only clean pages can still go. */
		if (nospace && swap_cache_pages() == 0)
			break;
		bool irq = port_irq_save();
		struct page *pg = p->choose();
		port_irq_restore(irq);
		if (!pg)
			break;
		vm_events.pgscan++;
		if (nospace && !page_swapcached(pg))
			continue;
		switch (evict_or_drop(pg, p->name)) {
		case EVICTED:
			freed++;
			break;
		case EVICT_NOSPACE:
			nospace = true;
			break;
		case EVICT_BUSY:
		case EVICT_IOERR:
			break;
		}
	}
	if (freed == 0)
		vm_events.reclaim_failed++;
	reclaiming = false;
	return freed;
}

/* Local replacement's walk over one address space. */
struct local_walk {
	struct mm *mm;
	uint32_t want, freed;
};

/* Records that a fault brought the page at va into mm. */
void vmscan_note_fault(struct mm *mm, vaddr_t va)
{
	mm->rss_recent[mm->rss_recent_next] = va;
	mm->rss_recent_next = (mm->rss_recent_next + 1) %
			      (sizeof(mm->rss_recent) / sizeof(vaddr_t));
}

/* Whether one of the last faults of mm brought in the page at va. */
static bool recently_faulted(const struct mm *mm, vaddr_t va)
{
	for (uint32_t i = 0; i < sizeof(mm->rss_recent) / sizeof(vaddr_t); i++)
		if (mm->rss_recent[i] == va)
			return true;
	return false;
}

/*
 * Second chance over the process's own PTEs: a page accessed since the
 * hand last passed loses its accessed bit and stays; the first one that
 * was not goes. Shared memory is left to global replacement (it is not
 * the process's own), and so are pages others have pinned. The pages the
 * last faults brought in stay whatever their accessed bit: the faulting
 * instruction may need them all (mm->rss_recent).
 */
static int local_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	struct local_walk *w = arg;
	pte_t pte = *ptep;

	if (!pte_present(pte) || recently_faulted(w->mm, va))
		return 0;
	struct page *pg = phys_to_page(pte_frame(pte));
	if (!pg || !(pg->flags & PG_USER) || page_shm(pg) ||
	    !policy_page_tracked(pg))
		return 0;
	if (pte & PTE_A) {
		vm_pte_set(&w->mm->space, va, ptep, pte & ~(pte_t)PTE_A);
		return 0;
	}
	w->mm->rss_hand = va + PAGE_SIZE;
	if (evict_or_drop(pg, "local") == EVICTED) {
		w->freed++;
		vm_events.pgsteal_local++;
	}
	return w->freed >= w->want;
}

/* Evicts up to n of mm's own pages (see mm/vmscan.h). */
uint32_t reclaim_mm_pages(struct mm *mm, uint32_t n)
{
	struct local_walk w = { mm, n, 0 };

	if (reclaiming || n == 0 || !swap_enabled())
		return 0;
	reclaiming = true;
	/*
	 * From the hand to the top, then twice over everything: the first
	 * full sweep clears the accessed bits the second one finds unset.
	 */
	for (int sweep = 0; sweep < 3 && w.freed < n; sweep++) {
		vaddr_t from = sweep == 0 ? mm->rss_hand : 0;
		if (from >= KERNEL_VMA)
			continue;
		vm_walk(&mm->space, from, KERNEL_VMA - from, local_pte, &w);
	}
	reclaiming = false;
	return w.freed;
}

/*
 * Local replacement before mm grows by a page. A limit below
 * MM_RSS_MIN_PAGES counts as MM_RSS_MIN_PAGES: with fewer resident pages,
 * an instruction that needs that many could never complete. Together with
 * the pages of the last faults being left alone (local_pte), this is what
 * guarantees progress: of MM_RSS_MIN_PAGES resident pages at most
 * MM_RSS_MIN_PAGES - 1 are protected, so one can go, and none that the
 * restarted instruction's earlier faults brought in is it.
 */
void vmscan_rss_limit(struct mm *mm)
{
	uint64_t limit = mm->limit_rss >> PAGE_SHIFT;
	if (limit < MM_RSS_MIN_PAGES)
		limit = MM_RSS_MIN_PAGES;
	if (mm->rss < limit)
		return;
	reclaim_mm_pages(mm, (uint32_t)(mm->rss - limit + 1));
}

/* Makes another policy the active one, moving the tracked pages over. */
int vm_policy_set(const char *name)
{
	const struct vm_policy *p = vm_policy_find(name);
	if (!p)
		return -EINVAL;
	bool irq = port_irq_save();
	vm_policy_transfer(vm_policy_active(), p);
	active = p;
	port_irq_restore(irq);
	return 0;
}

/* Appends str to buf (like strlcat, but counting what did not fit). */
static size_t append(char *buf, size_t size, size_t len, const char *str)
{
	for (; *str; str++, len++)
		if (len + 1 < size)
			buf[len] = *str;
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

/* "[clock] fifo aging random\n", like snprintf. */
size_t vm_policy_list(char *buf, size_t size)
{
	size_t len = 0;
	for (const struct vm_policy *const *p = vm_policies; *p; p++) {
		bool on = *p == vm_policy_active();
		if (p != vm_policies)
			len = append(buf, size, len, " ");
		len = append(buf, size, len, on ? "[" : "");
		len = append(buf, size, len, (*p)->name);
		len = append(buf, size, len, on ? "]" : "");
	}
	return append(buf, size, len, "\n");
}

/* A timer tick for the active policy. */
void vm_policy_tick(void)
{
	bool irq = port_irq_save();
	vm_policy_active()->tick();
	port_irq_restore(irq);
}

/* The reclaimer's state. */
void vmscan_get_stats(struct vmscan_stats *st)
{
	vmscan_watermarks(&st->wm);
	st->tracked = vm_policy_stats(vm_policy_active())->tracked;
	st->swapcache = swap_cache_pages();
	st->rmap_items = rmap_items();
	st->anon_families = rmap_families();
}

/* Frees what the reclaimer keeps but does not need. */
uint32_t vmscan_shrink(void)
{
	return swap_cache_shrink();
}

/* Whether no swapping state is left. */
int vmscan_check_idle(void)
{
	for (const struct vm_policy *const *p = vm_policies; *p; p++) {
		if (vm_policy_stats(*p)->tracked) {
			pr_err("vmscan: policy %s still tracks %u pages\n",
			       (*p)->name,
			       (unsigned int)vm_policy_stats(*p)->tracked);
			return -EINVAL;
		}
	}
	if (swap_cache_pages()) {
		pr_err("vmscan: %u pages still in the swap cache\n",
		       (unsigned int)swap_cache_pages());
		return -EINVAL;
	}
	return 0;
}
