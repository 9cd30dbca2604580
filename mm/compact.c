/*
 * mm/compact.c - compaction: page migration and the two scanners.
 *
 * See mm/compact.h for what moves and why. One run (compact_run()):
 *
 *   1. The hot-block caches are drained, so that every free frame is on
 *      the buddy lists where the free scanner finds it.
 *   2. The migrate scanner walks up from frame 0 one block of
 *      COMPACT_BLOCK_PAGES at a time (aiming at large blocks, it passes
 *      over blocks that hold a fixed frame: see isolate_freepages()).
 *      Each movable page it meets needs a target frame; when it has
 *      none left, the free scanner walks down
 *      from the top, one block at a time, each block upwards, and takes
 *      every free buddy block it finds there off the free lists (all but
 *      blocks of COMPACT_BLOCK_ORDER or more, which are already what
 *      compaction is for). It never enters the migrate scanner's block:
 *      when it would, the scanners have met and the run ends.
 *   3. The page is migrated (migrate_page()); its old frame is freed and,
 *      its neighbours being freed or free, merges into a larger block.
 *   4. At the end, targets not used are freed again and the caches
 *      drained, so the old frames merge.
 *
 * Targets taken by the free scanner are ordinary allocated frames (the
 * allocator's pmm_isolate_free_block() hands out a whole free block as
 * single user frames): the allocator's counters and checks stay true
 * during a run, and a target given back is simply freed.
 *
 * Locking: none (mm/compact.h). Nothing here allocates memory: the
 * targets come from the free scanner and the swap cache's entry of a page
 * is rewritten in place; a flag refuses reentry anyway.
 */
#include "mm/compact.h"
#include "mm/highmem.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/log.h"
#include "libk/string.h"
#include "mm/internal.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/policy.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "mm/vmscan.h"

static struct compact_stats stats;
/* Set while a run is going on: no reentry from the allocator. */
static bool compacting;

/*
 * Deferral of direct compaction after failures (Linux's
 * defer_compaction(), compaction_deferred()): after a run that found no
 * block of its order, the next 2^defer_shift attempts at that order or
 * above are skipped, defer_shift growing up to COMPACT_MAX_DEFER_SHIFT
 * with each failure; a success clears it. Without this, an allocation
 * that keeps failing where compaction cannot help would pay for a scan
 * of all memory every time.
 */
#define COMPACT_MAX_DEFER_SHIFT 6
static unsigned int defer_shift;
static uint32_t defer_considered;
static unsigned int order_failed = PMM_MAX_ORDER;
/* The order of the last direct run, for compact_direct_result(). */
static unsigned int direct_order;

/* Whether direct compaction for order should be skipped this time. */
static bool compaction_deferred(unsigned int order)
{
	if (order < order_failed)
		return false;
	if (++defer_considered >= (1u << defer_shift)) {
		defer_considered = 1u << defer_shift;
		return false;
	}
	return true;
}

/* A direct run for order found no block. */
static void defer_compaction(unsigned int order)
{
	defer_considered = 0;
	if (defer_shift < COMPACT_MAX_DEFER_SHIFT)
		defer_shift++;
	if (order < order_failed)
		order_failed = order;
}

/* A direct run for order made its block (and the allocation got it). */
static void defer_reset(unsigned int order, bool allocated)
{
	if (allocated) {
		defer_considered = 0;
		defer_shift = 0;
	}
	if (order >= order_failed)
		order_failed = order + 1;
}

void compact_forget(void)
{
	defer_shift = 0;
	defer_considered = 0;
	order_failed = PMM_MAX_ORDER;
}

/* Flags that, on a first frame, say it is not a movable user frame. */
#define NOT_MOVABLE_FLAGS                                                      \
	(PG_RESERVED | PG_BUDDY | PG_SLAB | PG_HIGHMEM | PG_PGTABLE |          \
	 PG_KERNEL | PG_PCP)

/* A single allocated frame of user memory (pinned or not). */
static inline bool is_user_frame(const struct page *pg)
{
	return (pg->flags & (PG_HEAD | PG_USER | NOT_MOVABLE_FLAGS)) ==
		       (PG_HEAD | PG_USER) &&
	       page_alloc_order(pg) == 0;
}

/*
 * A user frame in either zone: what migrate_page() accepts, source or
 * target. The scanners stay in lowmem (is_user_frame()): the highmem zone
 * hands out single frames only, so moving its pages gains no blocks.
 */
static inline bool is_user_page(const struct page *pg)
{
	return (pg->flags & (PG_HEAD | PG_USER |
			     (NOT_MOVABLE_FLAGS & ~PG_HIGHMEM))) ==
		       (PG_HEAD | PG_USER) &&
	       page_alloc_order(pg) == 0;
}

/*
 * Whether the references to a user frame are exactly its owners: the
 * PTEs mapping it, and its shm object. Anything more is someone using the
 * page right now (a fault holding it, a read from swap filling it) who
 * would keep writing to or mapping the old frame.
 */
static inline bool is_unpinned(const struct page *pg)
{
	uint32_t owners = rmap_mapcount(pg) + (page_shm(pg) ? 1u : 0u);
	return owners > 0 && (uint32_t)pg->refcount == owners;
}

/*
 * Whether a user frame has owners at all: one with none is being set up
 * (just allocated, not mapped yet) or is one of compaction's own
 * targets, and is not counted as pinned.
 */
static inline bool is_owned(const struct page *pg)
{
	return rmap_mapcount(pg) != 0 || page_shm(pg);
}

bool compact_page_movable(const struct page *pg)
{
	return is_user_frame(pg) && is_unpinned(pg);
}

/* What the PTE walk of a migration needs. */
struct migrate_walk {
	paddr_t to; /* the new frame */
	uint32_t ptes;
};

/* Points a PTE mapping the old frame at the new one (an rmap_walk callback). */
static int remap_pte(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg)
{
	struct migrate_walk *w = arg;
	/* Only the frame changes: protection, accessed, dirty, COW stay. */
	pte_t pte = (*ptep & ~(pte_t)PTE_FRAME_MASK) | w->to;
	vm_pte_set(&mm->space, va, ptep, pte);
	w->ptes++;
	return 0;
}

int migrate_page(struct page *old, struct page *new)
{
	if (!is_user_page(old) || old == new)
		return -EINVAL;
	if (!is_unpinned(old))
		return -EBUSY;
	KASSERT(is_user_page(new) && new->refcount == 1);

	highmem_copy_page(new, old); /* either may be in highmem */

	/* The policy tracks new from now on (at the newest end, as Linux's
	 * putback does). */
	bool tracked = policy_page_tracked(old);
	if (tracked)
		vmscan_untrack(old);

	/* The swap cache's slot and its reference go over to new. */
	uint32_t slot = old->user.slot;
	if (slot)
		swap_cache_del(old);

	/* Every PTE, found through old's reverse map, then the map itself. */
	struct migrate_walk w = { page_to_phys(new), 0 };
	rmap_walk(old, remap_pte, &w);
	KASSERT(w.ptes == rmap_mapcount(old));
	new->flags = (new->flags & ~PG_SHM) | (old->flags & PG_SHM);
	new->user = old->user;
	new->rmap = old->rmap; /* the item chain, or the map count */
	new->refcount = old->refcount;

	struct shm_object *s = page_shm(old);
	if (s) {
		KASSERT(s->pages[old->user.shm_idx] == old);
		s->pages[old->user.shm_idx] = new;
	}
	if (slot) {
		new->user.slot = 0;
		/* The lookup chunk of slot holds old's entry: no allocation. */
		int err = swap_cache_add(new, slot);
		KASSERT(err == 0);
	}
	if (tracked)
		vmscan_track(new);

	/* old is an unmapped frame holding one reference: free it. */
	old->flags &= ~PG_SHM;
	old->rmap = NULL;
	old->user.slot = 0;
	old->refcount = 1;
	put_page(old);
	stats.pgmigrate_success++;
	return 0;
}

/* The state of one run. */
struct compact_control {
	pfn_t migrate_pfn;	  /* next frame for the migrate scanner */
	pfn_t migrate_end;	  /* the end of its current block */
	pfn_t free_block;	  /* the free scanner's next block (start) */
	pfn_t free_low;		  /* the lowest block it has scanned */
	bool free_done;		  /* the free scanner met the other one */
	bool skip_fixed;	  /* leave blocks holding fixed frames */
	bool fixed_sweep;	  /* the free scanner's first sweep */
	struct list_node targets; /* isolated free frames, by page->list */
	uint32_t nr_targets;
	int order; /* direct: the order wanted; -1: all */
	struct compact_result res;
};

/* Takes the free blocks of one block [start, end) as targets. */
static void isolate_free_block_range(struct compact_control *cc, pfn_t start,
				     pfn_t end)
{
	pfn_t pfn = start;
	while (pfn < end) {
		struct page *pg = pfn_to_page(pfn);
		cc->res.free_scanned++;
		if (pg->flags != PG_BUDDY) {
			pfn++;
			continue;
		}
		unsigned int order = pg->order;
		if (order >= COMPACT_BLOCK_ORDER) {
			pfn += 1u << order;
			continue;
		}
		int got = pmm_isolate_free_block(pg);
		KASSERT(got == (int)order);
		for (uint32_t i = 0; i < (1u << order); i++)
			list_push_back(&cc->targets, &pg[i].list);
		cc->nr_targets += 1u << order;
		stats.isolated += 1u << order;
		pfn += 1u << order;
	}
}

/* The first frame of the highest block, or (pfn_t)-1 without memory. */
static inline pfn_t top_block(void)
{
	return max_pfn ? (max_pfn - 1) & ~(COMPACT_BLOCK_PAGES - 1) : (pfn_t)-1;
}

/* The end of the block starting at start. */
static inline pfn_t block_end(pfn_t start)
{
	pfn_t end = start + COMPACT_BLOCK_PAGES;
	return end < max_pfn ? end : max_pfn;
}

/*
 * Whether [start, end) holds a frame that cannot move (kernel, page
 * table, pinned or reserved): such a block never becomes a free block of
 * COMPACT_BLOCK_ORDER, whatever moves. *scanned counts the frames looked
 * at. With pinned not NULL, the whole block is looked at and its pinned
 * user pages counted there.
 */
static bool block_has_fixed(pfn_t start, pfn_t end, uint32_t *scanned,
			    uint32_t *pinned)
{
	bool fixed = false;
	for (pfn_t pfn = start; pfn < end;) {
		const struct page *pg = pfn_to_page(pfn);
		(*scanned)++;
		/* Free, or freed during this run into the allocator's cache. */
		if (pg->flags == PG_BUDDY || pg->flags == PG_PCP) {
			pfn += 1u << pg->order;
			continue;
		}
		if (is_user_frame(pg)) {
			if (!is_unpinned(pg)) {
				fixed = true;
				if (pinned && is_owned(pg))
					(*pinned)++;
			}
		} else {
			fixed = true;
		}
		if (fixed && !pinned)
			break;
		pfn++;
	}
	return fixed;
}

/*
 * The free scanner: takes the free frames of the next blocks down, until
 * it holds some or meets the migrate scanner. Returns whether it holds
 * any.
 *
 * When the run leaves blocks with fixed frames alone (skip_fixed), the
 * free scanner first sweeps every such block from the top down: they are
 * the best targets, since they can never be freed as a whole and the
 * migrate scanner does not enter them. Its second sweep, over the other
 * blocks, is the classic one that meets the migrate scanner.
 */
static bool isolate_freepages(struct compact_control *cc)
{
	while (cc->nr_targets == 0 && !cc->free_done) {
		pfn_t start = cc->free_block;
		if (start == (pfn_t)-1 && cc->fixed_sweep) {
			cc->fixed_sweep = false;
			cc->free_block = top_block();
			continue;
		}
		if (start == (pfn_t)-1 ||
		    (!cc->fixed_sweep && start < cc->migrate_end)) {
			cc->free_done = true;
			break;
		}
		pfn_t end = block_end(start);
		bool take = true;
		if (cc->skip_fixed)
			take = block_has_fixed(start, end,
					       &cc->res.free_scanned,
					       NULL) == cc->fixed_sweep;
		if (take)
			isolate_free_block_range(cc, start, end);
		if (!cc->fixed_sweep)
			cc->free_low = start;
		cc->free_block = start >= COMPACT_BLOCK_PAGES
					 ? start - COMPACT_BLOCK_PAGES
					 : (pfn_t)-1;
	}
	return cc->nr_targets != 0;
}

/* Hands the next target frame out. */
static struct page *take_target(struct compact_control *cc)
{
	KASSERT(cc->nr_targets > 0);
	struct page *pg =
		list_entry(list_first(&cc->targets), struct page, list);
	list_remove(&pg->list);
	cc->nr_targets--;
	return pg;
}

/* Frees the targets the run did not use. */
static void release_targets(struct compact_control *cc)
{
	while (cc->nr_targets)
		free_page(take_target(cc));
}

/* Whether a direct run has reached its goal: a free block of its order. */
static bool direct_done(const struct compact_control *cc)
{
	if (cc->order < 0)
		return false;
	pmm_drain_cache();
	return compact_extfrag_index((unsigned int)cc->order) == -1000;
}

/*
 * The migrate scanner over one block: moves every movable page of
 * [migrate_pfn, migrate_end). Returns false when it ran out of targets
 * (the scanners met).
 */
static bool migrate_block(struct compact_control *cc)
{
	pfn_t pfn = cc->migrate_pfn;
	if (cc->skip_fixed &&
	    block_has_fixed(pfn & ~(COMPACT_BLOCK_PAGES - 1), cc->migrate_end,
			    &cc->res.migrate_scanned, &cc->res.pinned)) {
		cc->migrate_pfn = cc->migrate_end;
		return true;
	}
	while (pfn < cc->migrate_end) {
		struct page *pg = pfn_to_page(pfn);
		cc->res.migrate_scanned++;
		if (pg->flags == PG_BUDDY) {
			/* A free block: nothing in it to move. */
			pfn += 1u << pg->order;
			continue;
		}
		if (!is_user_frame(pg)) {
			pfn++;
			continue;
		}
		if (!is_unpinned(pg)) {
			if (is_owned(pg))
				cc->res.pinned++;
			pfn++;
			continue;
		}
		if (!isolate_freepages(cc)) {
			cc->migrate_pfn = pfn;
			return false;
		}
		stats.isolated++;
		struct page *to = take_target(cc);
		if (migrate_page(pg, to) == 0) {
			cc->res.migrated++;
		} else {
			cc->res.failed++;
			list_push_front(&cc->targets, &to->list);
			cc->nr_targets++;
		}
		pfn++;
	}
	cc->migrate_pfn = pfn;
	return true;
}

/* One run; order -1 for all of memory, else a direct compaction. */
static int compact_run(int order, struct compact_result *out)
{
	if (compacting)
		return -EBUSY;
	compacting = true;
	struct compact_control cc = { .order = order };
	list_init(&cc.targets);
	pmm_drain_cache();
	/*
	 * Aiming at large blocks, moving pages out of a block that keeps a
	 * fixed frame gains nothing: such blocks are left alone and filled.
	 */
	cc.skip_fixed = order < 0 || order >= (int)COMPACT_BLOCK_ORDER;
	cc.fixed_sweep = cc.skip_fixed;
	cc.free_block = top_block();
	cc.free_low = max_pfn;
	for (cc.migrate_pfn = 0; cc.migrate_pfn < max_pfn;) {
		pfn_t start = cc.migrate_pfn & ~(COMPACT_BLOCK_PAGES - 1);
		/* The free scanner has been here: the scanners met. */
		if (start >= cc.free_low)
			break;
		cc.migrate_end = block_end(start);
		if (!migrate_block(&cc))
			break;
		if (direct_done(&cc))
			break;
	}
	cc.res.meet_pfn = cc.migrate_pfn;
	release_targets(&cc);
	pmm_drain_cache();
	stats.migrate_scanned += cc.res.migrate_scanned;
	stats.free_scanned += cc.res.free_scanned;
	stats.pgmigrate_fail += cc.res.failed;
	stats.skipped_pinned += cc.res.pinned;
	if (out)
		*out = cc.res;
	compacting = false;
	return 0;
}

int compact_memory(struct compact_result *res)
{
	int err = compact_run(-1, res);
	if (err == 0)
		stats.runs++;
	return err;
}

bool compact_direct(unsigned int order)
{
	if (order == 0 || order >= PMM_MAX_ORDER || compacting)
		return false;
	if (pmm_count.kind[KIND_USER] == 0)
		return false;
	/* Too little memory, not too scattered: moving pages cannot help. */
	int index = compact_extfrag_index(order);
	if (index != -1000 && index <= COMPACT_EXTFRAG_THRESHOLD)
		return false;
	if (index != -1000 && compaction_deferred(order)) {
		stats.deferred++;
		return false;
	}
	stats.stall++;
	direct_order = order;
	if (index == -1000)
		return true; /* the caches' blocks merged meanwhile */
	compact_run((int)order, NULL);
	if (compact_extfrag_index(order) == -1000)
		return true;
	stats.fail++; /* the allocator will not retry */
	defer_compaction(order);
	return false;
}

void compact_direct_result(bool allocated)
{
	if (allocated)
		stats.success++;
	else
		stats.fail++;
	if (allocated)
		defer_reset(direct_order, true);
	else
		defer_compaction(direct_order);
}

void compact_get_stats(struct compact_stats *st)
{
	*st = stats;
}

/* Free blocks of each order, cached ones counted with their order. */
static void free_blocks(uint32_t nr[PMM_MAX_ORDER])
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		nr[o] = st.nr_free[o] +
			(o < PMM_PCP_ORDERS ? st.nr_cached[o] : 0);
}

int compact_extfrag_index(unsigned int order)
{
	uint32_t nr[PMM_MAX_ORDER];
	uint64_t blocks = 0, free = 0, suitable = 0;
	free_blocks(nr);
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++) {
		blocks += nr[o];
		free += (uint64_t)nr[o] << o;
		if (o >= order)
			suitable += nr[o];
	}
	if (blocks == 0)
		return 0;
	if (suitable)
		return -1000;
	uint64_t requested = 1ull << order;
	return 1000 - (int)((1000 + free * 1000 / requested) / blocks);
}

uint32_t compact_free_in_order(unsigned int order)
{
	uint32_t nr[PMM_MAX_ORDER], n = 0;
	free_blocks(nr);
	for (unsigned int o = order; o < PMM_MAX_ORDER; o++)
		n += nr[o] << o;
	return n;
}

void compact_survey(struct compact_survey *sv)
{
	memset(sv, 0, sizeof(*sv));
	pmm_drain_cache();
	/* The end of a free block of COMPACT_BLOCK_ORDER or more met last. */
	pfn_t free_until = 0;
	for (pfn_t b = 0; b < max_pfn; b += COMPACT_BLOCK_PAGES) {
		uint32_t nfree = 0, nmov = 0, nfix = 0;
		/* A block cut short by the end of memory is never whole. */
		bool whole = b + COMPACT_BLOCK_PAGES <= max_pfn;
		pfn_t end = whole ? b + COMPACT_BLOCK_PAGES : max_pfn;
		for (pfn_t pfn = b; pfn < end;) {
			const struct page *pg = pfn_to_page(pfn);
			if (pfn < free_until) {
				/* Inside a large free block begun before. */
				pfn_t stop = free_until < end ? free_until
							      : end;
				nfree += stop - pfn;
				pfn = stop;
				continue;
			}
			if (pg->flags == PG_BUDDY) {
				free_until = pfn + (1u << pg->order);
				continue;
			}
			if (is_user_frame(pg) && is_unpinned(pg))
				nmov++;
			else
				nfix++; /* kernel, page table, pinned, reserved,
					   or inside an allocated block */
			pfn++;
		}
		sv->free += nfree;
		sv->movable += nmov;
		if (whole && nfix == 0) {
			sv->clean_blocks++;
		} else {
			sv->unmovable += nfix;
			sv->holes += nfree + nmov;
		}
	}
	/*
	 * Every movable page must stay somewhere: in the holes first, the
	 * rest fills clean blocks, which are then not free.
	 */
	uint32_t overflow = sv->movable > sv->holes ? sv->movable - sv->holes
						    : 0;
	uint32_t needed =
		(overflow + COMPACT_BLOCK_PAGES - 1) / COMPACT_BLOCK_PAGES;
	sv->reachable =
		sv->clean_blocks > needed
			? (sv->clean_blocks - needed) * COMPACT_BLOCK_PAGES
			: 0;
	sv->free_large = compact_free_in_order(COMPACT_BLOCK_ORDER);
}
