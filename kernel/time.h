/*
 * kernel/time.h - the system clocks.
 *
 * CLOCK_MONOTONIC counts timer ticks since the PIT started (drivers/pit.h),
 * so its resolution is one tick (10 ms at the default 100 Hz). Pagoda never
 * suspends, so CLOCK_BOOTTIME is the same clock. CLOCK_REALTIME is the
 * date read from the CMOS clock (drivers/rtc.h) at the first use, minus
 * the uptime then, plus the uptime now: the wall clock advances with the
 * timer and is never stepped.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>

#define NSEC_PER_SEC 1000000000ll
/*
 * The largest time in nanoseconds, which stands for "never": a time
 * given in seconds beyond it becomes it, and sums saturate at it (Linux's
 * KTIME_MAX, include/linux/ktime.h). 2^63 ns is about 292 years.
 */
#define TIME_NS_MAX INT64_MAX

/* a + b for times in ns, saturating at TIME_NS_MAX (b >= 0). */
static inline int64_t time_add_ns(int64_t a, int64_t b)
{
	return a > TIME_NS_MAX - b ? TIME_NS_MAX : a + b;
}

/* Clock ids (Linux include/uapi/linux/time.h). */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7

/* Nanoseconds since the timer started (a multiple of the tick). */
int64_t time_monotonic_ns(void);
/* Nanoseconds since 1970-01-01 UTC. */
int64_t time_realtime_ns(void);
/* The wall-clock time of boot (tick 0), in seconds since the epoch. */
int64_t time_boot_epoch(void);
/* Nanoseconds per timer tick: every clock's resolution. */
int64_t time_tick_ns(void);
/*
 * Reads a clock: 0 and *ns, or -EINVAL for a clock Pagoda does not keep
 * (the CPU-time clocks: processes have no CPU-time accounting).
 */
int time_clock_read(int clock, int64_t *ns);

#endif
