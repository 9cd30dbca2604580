/*
 * kernel/bench.h - in-kernel micro-benchmarks.
 *
 * A benchmark is a function that measures something with the helpers below
 * and reports figures with bench_report(). Booting with bench=all (or
 * bench=NAME[,NAME]) runs them and prints lines
 *
 *     BENCH name value unit
 *
 * that `make bench` collects. The unit "tsc" means time-stamp-counter
 * ticks, which the runner labels by how QEMU ran. Under QEMU's `-icount shift=0,sleep=off`, the
 * time-stamp counter advances by one per guest instruction, so values are
 * exact instruction counts; under plain TCG they are host-dependent ticks.
 * Every run also reports its floors (an empty trap round trip, zeroing and
 * copying 4 KiB) so that figures can be read as ratios.
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include <stdint.h>

struct bench {
	const char *name;
	void (*fn)(void);
};

#define BENCH(fn_)                                                            \
	static const struct bench bench_##fn_                                 \
		__attribute__((used, section(".bench_cases"), aligned(4))) = { \
			#fn_, fn_                                             \
		}

/*
 * Times op(arg) `inner` times in a row, `samples` times, and returns the
 * median cost of one call, minus the cost of the timing itself.
 */
uint64_t bench_median(void (*op)(void *arg), void *arg, unsigned int inner,
		      unsigned int samples);

/* Prints one result line. */
void bench_report(const char *name, uint64_t value, const char *unit);

/*
 * Runs the selected benchmarks and exits QEMU. With "floors" it only
 * reports the floors and returns, so that the boot goes on to init (the
 * user-space benchmarks of user/ubench.c).
 */
void bench_run(const char *selection);

#endif
