/*
 * tests/kernel/bench_procswap.c - what whole-process swapping costs, and
 * its two swap-in modes compared (mm/procswap.c).
 *
 * An address space of NPAGES written pages (1 MiB, one page table) is
 * swapped out, then brought back in one mode, and the kernel touches its
 * pages as the process would (tests/kernel/mm_touch.h: real CPU faults).
 * Each figure is the median of SAMPLES rounds, in guest instructions
 * under -icount; between rounds every page is written again (not timed),
 * so that every swap-out writes every page. Reported:
 *
 *   procswap.out                the swap-out: NPAGES pages written and
 *                               unmapped, the table written and freed
 *   procswap.out_per_page       the same per page
 *   procswap.in_prefetch        mm_swap_in(PREFETCH): the table and
 *                               every page read back
 *   procswap.in_demand          mm_swap_in(DEMAND): the table alone
 *   procswap.first_prefetch,    time to first useful work: from the
 *   procswap.first_demand       start of the swap-in to the first word
 *                               read (prefetch reads everything first,
 *                               demand one fault)
 *   procswap.all_prefetch,      from the start of the swap-in until
 *   procswap.all_demand         every page has been read once
 *   procswap.all_*_per_page     the same per page
 *   procswap.quarter_prefetch,  until a quarter of the pages has been
 *   procswap.quarter_demand     read (a process that needs only part of
 *                               what it had: prefetch reads the rest in
 *                               vain)
 */
#include "kernel/bench.h"
#include "libk/printf.h"
#include "mm/mm.h"
#include "mm/pmm.h"
#include "mm/port.h"
#include "mm/procswap.h"
#include "mm/swap.h"
#include "tests/kernel/mm_touch.h"

#define P(n) ((n)*PAGE_SIZE)
#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define BASE 0x40000000u
#define NPAGES 256u
#define SAMPLES 7u

/* The median of n values (sorts them). */
static uint64_t median(uint64_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}

/* Writes one word of each page: all of them dirty, none in swap. */
static void write_all(uint32_t gen)
{
	for (uint32_t i = 0; i < NPAGES; i++)
		mm_touch_write(BASE + P(i), gen + i);
}

/* Reads one word of each of the first n pages. */
static void read_pages(uint32_t n)
{
	uint32_t v;
	for (uint32_t i = 0; i < n; i++)
		mm_touch_read(BASE + P(i), &v);
}

/* The figures of one round. */
struct round {
	uint64_t out, in, first, quarter, all;
};

/*
 * One round in mode m: out (timed), in (timed), then the pages read: the
 * first word, a quarter, all of them (each timed from the swap-in's
 * start). The space must not be loaded during the swap-out.
 */
static bool one_round(struct mm *mm, enum procswap_mode m, uint32_t gen,
		      struct round *r)
{
	mm_touch_enter(mm);
	write_all(gen);
	mm_touch_leave();
	uint64_t t0 = port_timestamp();
	int err = mm_swap_out(mm);
	r->out = port_timestamp() - t0;
	if (err)
		return false;
	mm_touch_enter(mm);
	t0 = port_timestamp();
	err = mm_swap_in(mm, m);
	r->in = port_timestamp() - t0;
	read_pages(1);
	r->first = port_timestamp() - t0;
	read_pages(NPAGES / 4);
	r->quarter = port_timestamp() - t0;
	read_pages(NPAGES);
	r->all = port_timestamp() - t0;
	mm_touch_leave();
	return err == 0;
}

/* SAMPLES rounds in mode m; reports its figures (and out's, once). */
static void mode_bench(struct mm *mm, enum procswap_mode m, bool report_out)
{
	uint64_t out[SAMPLES], in[SAMPLES], first[SAMPLES], quarter[SAMPLES],
		all[SAMPLES];
	const char *name = procswap_mode_name(m);
	char label[64];

	for (uint32_t s = 0; s < SAMPLES; s++) {
		struct round r;
		if (!one_round(mm, m, s * 1000u, &r)) {
			kprintf("# procswap benchmark: a round failed\n");
			return;
		}
		out[s] = r.out;
		in[s] = r.in;
		first[s] = r.first;
		quarter[s] = r.quarter;
		all[s] = r.all;
	}
	if (report_out) {
		uint64_t o = median(out, SAMPLES);
		bench_report("procswap.out", o, "tsc");
		bench_report("procswap.out_per_page", o / NPAGES, "tsc");
	}
	snprintf(label, sizeof(label), "procswap.in_%s", name);
	bench_report(label, median(in, SAMPLES), "tsc");
	snprintf(label, sizeof(label), "procswap.first_%s", name);
	bench_report(label, median(first, SAMPLES), "tsc");
	snprintf(label, sizeof(label), "procswap.quarter_%s", name);
	bench_report(label, median(quarter, SAMPLES), "tsc");
	uint64_t a = median(all, SAMPLES);
	snprintf(label, sizeof(label), "procswap.all_%s", name);
	bench_report(label, a, "tsc");
	snprintf(label, sizeof(label), "procswap.all_%s_per_page", name);
	bench_report(label, a / NPAGES, "tsc");
}

static void procswap_bench(void)
{
	struct mm *mm;
	vaddr_t a;

	if (!swap_enabled()) {
		kprintf("# procswap benchmarks skipped: no swap\n");
		return;
	}
	if (mm_create(&mm))
		return;
	if (mm_map(mm, BASE, P(NPAGES), RW, MM_MAP_FIXED, VMA_ANON, NULL, &a) ==
	    0) {
		mode_bench(mm, PROCSWAP_PREFETCH, true);
		mode_bench(mm, PROCSWAP_DEMAND, false);
	}
	mm_destroy(mm);
}

BENCH(procswap_bench);
