/*
 * tests/kernel/bench_compact.c - how much compaction gets back after a
 * fragmenting workload, and what it costs.
 *
 * The workload: one address space touches 90 % of the free memory, forks
 * (so its pages are shared copy-on-write), the child writes every fourth
 * page (copies land between the shared pages), a shm segment of 64 pages
 * is touched in between, and then every other page of the parent and
 * every third page of the child are dropped (MADV_DONTNEED). Then one
 * full compaction (what writing /proc/sys/vm/compact_memory does).
 *
 * Reported:
 *   compact.free_large_before  thousandths of the free lowmem in blocks of
 *                              order >= 9 (2 MiB) after the workload
 *                              (highmem's free frames are single frames,
 *                              outside the buddy allocator)
 *   compact.free_large_after   the same after compaction
 *   compact.of_reachable       the free memory in such blocks after, in
 *                              thousandths of what compaction could reach
 *                              at best (mm/compact.h, compact_survey):
 *                              the goal is >= 900
 *   compact.pages_moved        pages migrated
 *   compact.per_page           time-stamp ticks per page moved (the
 *                              scanners included)
 */
#include "kernel/arch/x86.h"
#include "kernel/bench.h"
#include "mm/compact.h"
#include "mm/mm.h"
#include "mm/pmm.h"
#include "mm/shm.h"
#include "mm/vm.h"
#include "tests/kernel/mm_touch.h"

#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x30000000u
#define SHM_BASE 0x70000000u
#define SHM_PAGES 64u

/*
 * Thousandths of the buddy allocator's free memory (lowmem: highmem's
 * zone holds single frames, never a block) in blocks of order >= 9.
 */
static uint64_t large_permille(void)
{
	struct pmm_stats st;
	pmm_drain_cache();
	pmm_get_stats(&st);
	uint32_t free_low = st.free_pages - st.highmem_free_pages;
	return free_low ? (uint64_t)compact_free_in_order(COMPACT_BLOCK_ORDER) *
				  1000 / free_low
			: 0;
}

static void compaction(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	uint32_t pages = st.free_pages * 9 / 10;
	struct mm *parent, *child = NULL;
	vaddr_t a;
	if (mm_create(&parent) ||
	    mm_map(parent, BASE, P(pages), MM_PROT_READ | MM_PROT_WRITE,
		   MM_MAP_FIXED, VMA_ANON, NULL, &a))
		return;
	int id = shm_get(IPC_PRIVATE, P(SHM_PAGES), 0600);
	vaddr_t shm_at = 0;
	if (id < 0 || shm_attach(parent, id, SHM_BASE, 0, &shm_at))
		goto out;
	mm_touch_enter(parent);
	for (uint32_t i = 0; i < pages; i++) {
		mm_touch_write(BASE + P(i), i);
		if (i % (pages / SHM_PAGES + 1) == 0)
			mm_touch_write(shm_at + P(i / (pages / SHM_PAGES + 1)),
				       i);
	}
	mm_touch_leave();
	if (mm_fork(parent, &child))
		goto out;
	mm_touch_enter(child);
	for (uint32_t i = 0; i < pages; i += 4)
		mm_touch_write(BASE + P(i), ~i);
	mm_touch_leave();
	for (uint32_t i = 1; i < pages; i += 2)
		mm_dontneed(parent, BASE + P(i), P(1));
	for (uint32_t i = 2; i < pages; i += 3)
		mm_dontneed(child, BASE + P(i), P(1));

	bench_report("compact.free_large_before", large_permille(), "permille");
	struct compact_result r;
	uint64_t t0 = rdtsc();
	compact_memory(&r);
	uint64_t ticks = rdtsc() - t0;
	struct compact_survey sv;
	compact_survey(&sv);
	bench_report("compact.free_large_after", large_permille(), "permille");
	bench_report("compact.of_reachable",
		     sv.reachable
			     ? (uint64_t)sv.free_large * 1000 / sv.reachable
			     : 0,
		     "permille");
	bench_report("compact.pages_moved", r.migrated, "pages");
	bench_report("compact.per_page", r.migrated ? ticks / r.migrated : 0,
		     "tsc");
out:
	if (child)
		mm_destroy(child);
	if (id >= 0)
		shm_remove(id);
	mm_destroy(parent);
}

BENCH(compaction);
