/*
 * kernel/bench.c - running benchmarks and measuring their floors.
 *
 * Timing uses rdtsc around a batch of calls; the median of several batches
 * hides the odd timer interrupt, and the cost of an empty batch (the loop
 * and rdtsc themselves) is subtracted.
 */
#include "kernel/bench.h"

#include <stdbool.h>

#include "drivers/qemu.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "libk/printf.h"
#include "libk/string.h"

#define MAX_SAMPLES 63

extern const struct bench __bench_cases_start[], __bench_cases_end[];

static void sort(uint64_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned int j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static uint64_t raw_median(void (*op)(void *), void *arg, unsigned int inner,
			   unsigned int samples)
{
	uint64_t t[MAX_SAMPLES];

	if (samples > MAX_SAMPLES)
		samples = MAX_SAMPLES;
	for (unsigned int s = 0; s < samples; s++) {
		uint64_t t0 = rdtsc();
		for (unsigned int i = 0; i < inner; i++)
			op(arg);
		t[s] = rdtsc() - t0;
	}
	sort(t, samples);
	return t[samples / 2];
}

static void empty_op(void *arg)
{
	__asm__ volatile("" : : "r"(arg) : "memory");
}

uint64_t bench_median(void (*op)(void *arg), void *arg, unsigned int inner,
		      unsigned int samples)
{
	uint64_t cost = raw_median(op, arg, inner, samples);
	uint64_t empty = raw_median(empty_op, NULL, inner, samples);
	return cost > empty ? (cost - empty + inner / 2) / inner : 0;
}

void bench_report(const char *name, uint64_t value, const char *unit)
{
	kprintf("BENCH %s %llu %s\n", name, (unsigned long long)value, unit);
}

/* The floors. */
static void trap_round_trip(void *arg)
{
	(void)arg;
	__asm__ volatile("int %0" : : "i"(T_BENCH_NOP) : "memory");
}

static uint32_t page_a[1024] __attribute__((aligned(4096)));
static uint32_t page_b[1024] __attribute__((aligned(4096)));

/* Word loops, as the memory manager's page zero and copy use. */
static void zero_page(void *arg)
{
	uint32_t *p = arg;
	for (unsigned int i = 0; i < 1024; i++)
		p[i] = 0;
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void copy_page(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < 1024; i++)
		page_a[i] = page_b[i];
	__asm__ volatile("" : : : "memory");
}

static void report_floors(void)
{
	bench_report("floor.trap_round_trip",
		     bench_median(trap_round_trip, NULL, 16, 31), "tsc");
	bench_report("floor.zero_4k", bench_median(zero_page, page_a, 4, 15),
		     "tsc");
	bench_report("floor.copy_4k", bench_median(copy_page, NULL, 4, 15),
		     "tsc");
}

void bench_run(const char *selection)
{
	/* Everything since reset: firmware, loader and kernel boot. */
	uint64_t boot = rdtsc();

	kprintf("# benchmarks: %s\n", selection);
	bench_report("boot.tsc_at_bench", boot, "tsc");
	report_floors();
	/* bench=floors: only the floors, then boot on (user benchmarks). */
	if (!strcmp(selection, "floors"))
		return;
	for (const struct bench *b = __bench_cases_start;
	     b < __bench_cases_end; b++) {
		if (strcmp(selection, "all")) {
			/* Match b->name as a whole item of the comma list. */
			size_t n = strlen(b->name);
			const char *p = selection;
			bool found = false;
			while (p && *p) {
				if (!strncmp(p, b->name, n) &&
				    (p[n] == ',' || p[n] == '\0'))
					found = true;
				p = strchr(p, ',');
				if (p)
					p++;
			}
			if (!found)
				continue;
		}
		kprintf("# bench %s\n", b->name);
		b->fn();
	}
	kprintf("# benchmarks done\n");
	qemu_exit(QEMU_EXIT_SUCCESS);
}
