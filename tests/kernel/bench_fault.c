/*
 * tests/kernel/bench_fault.c - the cost of page faults and of fork.
 *
 * The kernel touches the user pages of a loaded address space
 * (tests/kernel/mm_touch.h), so each fault is a real CPU page fault, the
 * trap path and mm_fault(). Reported (with -icount, in guest
 * instructions):
 *   fault.demand_zero          a write to an absent anonymous page
 *   fault.alloc_zeroed_frame   alloc_zeroed_page + put_page alone: the
 *                              part of the above that is the allocator's
 *   fault.demand_zero_overhead fault.demand_zero minus the trap round trip
 *                              and the zeroed frame: the fault path itself
 *   fault.mm_fault_zero        mm_fault() called directly (no trap)
 *   fault.cow_copy             a write to a page shared copy-on-write
 *   fault.cow_reuse            a write to a COW page with one mapper left
 *   fork.4mib                  mm_fork + mm_destroy of a space with 4 MiB
 *                              touched
 *   fork.4mib_pages_copied     cow_copies during those forks: must be 0
 * Target: fault.demand_zero_overhead within about 600 instructions.
 */
#include "kernel/bench.h"
#include "kernel/arch/trap.h"
#include "mm/mm.h"
#include "mm/pmm.h"
#include "tests/kernel/mm_touch.h"

#define P(n) ((n)*PAGE_SIZE)
#define RW (MM_PROT_READ | MM_PROT_WRITE)
/* 4 MiB-aligned, so that each 1024 pages share one page table. */
#define ZERO_BASE 0x40000000u
#define INNER 16u
#define SAMPLES 15u

struct cursor {
	struct mm *mm;
	vaddr_t next;
};

/*
 * Writes the next page of the cursor: one fault through the CPU. A plain
 * store, not mm_touch_write(): its set-up for a fault that fails (a
 * saved context, interrupts off and on) is no part of the fault path and
 * cost about 90 instructions a write. mm_touch_enter() has routed faults
 * on user addresses to mm_fault(); one that fails here panics, as it
 * should in a benchmark.
 */
static void write_next(void *arg)
{
	struct cursor *c = arg;
	*(volatile uint32_t *)(uintptr_t)c->next = 1;
	c->next += PAGE_SIZE;
}

/* Calls mm_fault for the next page directly: no trap. */
static void fault_next(void *arg)
{
	struct cursor *c = arg;
	mm_fault(c->mm, c->next, MM_PF_WRITE);
	c->next += PAGE_SIZE;
}

/*
 * The allocator part of a demand-zero fault: the same request as
 * vm_alloc_user_page() makes, so that on a machine with highmem the
 * frame is a highmem one, zeroed through a temporary mapping, as the
 * fault's is.
 */
static void alloc_zeroed(void *arg)
{
	(void)arg;
	struct page *p = alloc_page(GFP_HIGHUSER | GFP_ZERO);
	__asm__ volatile("" : : "r"(p) : "memory");
	put_page(p);
}

/* An empty trap round trip. */
static void trap_nop(void *arg)
{
	(void)arg;
	__asm__ volatile("int %0" : : "i"(T_BENCH_NOP) : "memory");
}

/*
 * An mm with an anonymous region of `pages` pages at ZERO_BASE whose page
 * tables exist already (the first page of each 4 MiB is touched), so that
 * the faults measured allocate a page only.
 */
static struct mm *zero_mm(uint32_t pages)
{
	struct mm *mm;
	vaddr_t a;
	if (mm_create(&mm))
		return NULL;
	if (mm_map(mm, ZERO_BASE, P(pages), RW, MM_MAP_FIXED, VMA_ANON, NULL,
		   &a)) {
		mm_destroy(mm);
		return NULL;
	}
	mm_touch_enter(mm);
	for (uint32_t p = 0; p < pages; p += 1024)
		mm_touch_write(ZERO_BASE + P(p), 1);
	return mm;
}

/* The median cost of op, each call faulting on a new page. */
static uint64_t measure_faults(void (*op)(void *arg))
{
	/* bench_median runs op INNER * SAMPLES times: 240 of 1023 pages. */
	struct mm *mm = zero_mm(1024);
	if (!mm)
		return 0;
	struct cursor c = { mm, ZERO_BASE + P(1) };
	uint64_t v = bench_median(op, &c, INNER, SAMPLES);
	mm_touch_leave();
	mm_destroy(mm);
	return v;
}

/* COW: a parent and a child sharing `pages` written pages. */
static void cow_costs(uint64_t *copy, uint64_t *reuse)
{
	const uint32_t pages = 1023;
	struct mm *parent = zero_mm(1024), *child;
	*copy = *reuse = 0;
	if (!parent)
		return;
	for (uint32_t p = 1; p <= pages; p++)
		mm_touch_write(ZERO_BASE + P(p), p);
	if (mm_fork(parent, &child) == 0) {
		/* The child copies; the parent, last sharer, reuses. */
		struct cursor c = { child, ZERO_BASE + P(1) };
		mm_touch_enter(child);
		*copy = bench_median(write_next, &c, INNER, SAMPLES);
		struct cursor pc = { parent, ZERO_BASE + P(1) };
		mm_touch_enter(parent);
		*reuse = bench_median(write_next, &pc, INNER, SAMPLES);
		mm_touch_leave();
		mm_destroy(child);
	}
	mm_touch_leave();
	mm_destroy(parent);
}

static struct mm *fork_source;

/* One fork of the 4 MiB space, and the child's exit. */
static void fork_destroy(void *arg)
{
	(void)arg;
	struct mm *child;
	if (mm_fork(fork_source, &child) == 0)
		mm_destroy(child);
}

/* Runs and reports every measurement of this file. */
static void fault_costs(void)
{
	uint64_t trap = bench_median(trap_nop, NULL, 16, 31);
	uint64_t frame = bench_median(alloc_zeroed, NULL, 16, 31);
	uint64_t zero = measure_faults(write_next);
	bench_report("fault.demand_zero", zero, "tsc");
	bench_report("fault.alloc_zeroed_frame", frame, "tsc");
	bench_report("fault.demand_zero_overhead",
		     zero > trap + frame ? zero - trap - frame : 0, "tsc");
	bench_report("fault.mm_fault_zero", measure_faults(fault_next), "tsc");

	uint64_t copy, reuse;
	cow_costs(&copy, &reuse);
	bench_report("fault.cow_copy", copy, "tsc");
	bench_report("fault.cow_reuse", reuse, "tsc");

	/* Fork of 4 MiB touched; not loaded, as a parent in fork is not. */
	fork_source = zero_mm(1024 + 1);
	if (!fork_source)
		return;
	for (uint32_t p = 0; p < 1024; p++)
		mm_touch_write(ZERO_BASE + P(p), p);
	mm_touch_leave();
	uint64_t copies = vm_events.cow_copies;
	bench_report("fork.4mib", bench_median(fork_destroy, NULL, 1, 7),
		     "tsc");
	bench_report("fork.4mib_pages_copied", vm_events.cow_copies - copies,
		     "pages");
	mm_destroy(fork_source);
	fork_source = NULL;
}

BENCH(fault_costs);
