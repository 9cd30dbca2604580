/*
 * mm/swap_state.c - the swap cache, and the end of user pages and swap
 * entries when an address space lets them go.
 *
 * The swap cache. A page read back from swap keeps its slot (page->
 * user.slot) for as long as its contents equal the slot's: eviction can
 * then drop it without writing. Such a page is mapped read-only in every
 * address space (copy-on-write for private memory), so the first write
 * faults, and the fault ends the association before the page changes
 * (user_page_drop_swap()). Clean therefore means "still in the swap
 * cache", and no dirty bit has to be collected from the PTEs, some of
 * which may be gone by the time the page is evicted.
 *
 * Private pages are also found by slot: after fork, a page swapped out
 * from parent and child is one slot with a reference per swap PTE. The
 * first fault reads it into a frame; the second must find that frame
 * instead of reading the slot into another one. The lookup table is
 * indexed by slot number, in two levels so that it costs memory only
 * where slots are cached:
 *
 *   chunks[slot / CHUNK_SLOTS] --> [ page* x CHUNK_SLOTS ]  (kzalloc'ed)
 *                                        [slot % CHUNK_SLOTS]
 *
 * An empty chunk stays allocated (pages come and go in the same slot
 * range all the time under pressure, and a chunk costs 4 KiB to clear)
 * until swap_cache_shrink() frees it: /proc/sys/vm/drop_caches does.
 * Shared-memory pages are not in the table: their shm object already
 * knows them by index.
 *
 * The slot reference: a page in the swap cache holds one reference on its
 * slot, which is what keeps the slot from being reused while the cache
 * trusts it.
 *
 * Locking: none; the kernel is not preemptible.
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/pmm.h"
#include "mm/rmap.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/swapoff.h"
#include "mm/vm.h"

/* Slots per chunk of the lookup table, and chunks for every slot. */
#define CHUNK_SLOTS 1024u
#define NCHUNKS (SWAP_MAX_SLOTS / CHUNK_SLOTS)

static struct page **chunks[NCHUNKS];
static uint16_t chunk_used[NCHUNKS];
/* Pages in the swap cache, private and shared. */
static uint32_t nr_cached;

/* The page in the swap cache for slot, or NULL. */
struct page *swap_cache_lookup(uint32_t slot)
{
	KASSERT(slot < SWAP_MAX_SLOTS);
	struct page **c = chunks[slot / CHUNK_SLOTS];
	return c ? c[slot % CHUNK_SLOTS] : NULL;
}

/* Puts pg in the swap cache for slot. */
int swap_cache_add(struct page *pg, uint32_t slot)
{
	KASSERT(slot != 0 && slot < SWAP_MAX_SLOTS);
	KASSERT(!page_swapcached(pg));
	if (!page_shm(pg)) {
		uint32_t ci = slot / CHUNK_SLOTS;
		if (!chunks[ci]) {
			chunks[ci] =
				kzalloc(CHUNK_SLOTS * sizeof(struct page *),
					GFP_KERNEL);
			if (!chunks[ci])
				return -ENOMEM;
		}
		KASSERT(!chunks[ci][slot % CHUNK_SLOTS]);
		chunks[ci][slot % CHUNK_SLOTS] = pg;
		chunk_used[ci]++;
	}
	pg->user.slot = slot;
	nr_cached++;
	return 0;
}

/* Takes pg out of the swap cache; the caller inherits the slot reference. */
void swap_cache_del(struct page *pg)
{
	uint32_t slot = pg->user.slot;
	KASSERT(slot != 0);
	if (!page_shm(pg)) {
		uint32_t ci = slot / CHUNK_SLOTS;
		KASSERT(chunks[ci] && chunks[ci][slot % CHUNK_SLOTS] == pg);
		chunks[ci][slot % CHUNK_SLOTS] = NULL;
		chunk_used[ci]--;
	}
	pg->user.slot = 0;
	nr_cached--;
}

/* Frees the empty chunks of the lookup table; returns how many. */
uint32_t swap_cache_shrink(void)
{
	uint32_t n = 0;
	for (uint32_t ci = 0; ci < NCHUNKS; ci++) {
		if (chunks[ci] && chunk_used[ci] == 0) {
			kfree(chunks[ci]);
			chunks[ci] = NULL;
			n++;
		}
	}
	return n;
}

/*
 * Empties the lookup table without touching the pages it names: with
 * swap_forget(), for a machine being reset as a whole.
 */
void swap_cache_forget(void)
{
	for (uint32_t ci = 0; ci < NCHUNKS; ci++) {
		kfree(chunks[ci]);
		chunks[ci] = NULL;
		chunk_used[ci] = 0;
	}
	nr_cached = 0;
}

void swapoff_drop_cache(void)
{
	for (uint32_t ci = 0; ci < NCHUNKS; ci++) {
		for (uint32_t i = 0; chunks[ci] && i < CHUNK_SLOTS; i++) {
			struct page *pg = chunks[ci][i];
			if (pg && swap_slot_draining(pg->user.slot))
				user_page_drop_swap(pg);
		}
	}
}

/* Pages in the swap cache. */
uint32_t swap_cache_pages(void)
{
	return nr_cached;
}

/* The slot no longer holds pg's contents: forget it. */
void user_page_drop_swap(struct page *pg)
{
	uint32_t slot = pg->user.slot;
	if (!slot)
		return;
	swap_cache_del(pg);
	swap_slot_put(slot);
}

/* The last reference to pg is going. */
void user_page_release(struct page *pg)
{
	KASSERT(pg->flags & PG_USER);
	KASSERT(rmap_mapcount(pg) == 0);
	vmscan_untrack(pg);
	user_page_drop_swap(pg);
}

/* Drops a reference, releasing the page with the last one. */
void user_page_put(struct page *pg)
{
	KASSERT(pg->refcount > 0);
	if (pg->refcount == 1)
		user_page_release(pg);
	put_page(pg);
}

/* Handles one entry about to be cleared (a vm_walk callback). */
int vm_zap_entry(vaddr_t va, pte_t *ptep, void *arg)
{
	struct mm *mm = arg;
	pte_t pte = *ptep;

	if (pte_is_swap(pte)) {
		KASSERT(mm->swap_pages > 0);
		swap_slot_put(pte_swap_slot(pte));
		mm->swap_pages--;
		return 0;
	}
	struct page *pg = phys_to_page(pte_frame(pte));
	if (!pg || !(pg->flags & PG_USER))
		return 0;
	rmap_remove(pg, mm, va);
	/* vm_unmap_range() drops this mapping's reference right after. */
	if (pg->refcount == 1)
		user_page_release(pg);
	return 0;
}

/* Prepares [start, end) of mm for vm_unmap_range(VM_UNMAP_PUT). */
void vm_zap_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	KASSERT(start <= end);
	vm_walk(&mm->space, start, end - start, vm_zap_entry, mm);
}
