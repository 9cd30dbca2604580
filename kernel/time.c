/*
 * kernel/time.c - monotonic and wall-clock time from the timer tick.
 *
 * The CMOS clock is read once, at the first question about the date, and
 * its reading is turned into the wall-clock time of tick 0 (boot_ns). The
 * clock only counts whole seconds, so the date may be up to a second
 * behind; the tick keeps both clocks moving together afterwards. A
 * deterministic run (deterministic=1) boots at a fixed date instead.
 */
#include "kernel/time.h"

#include <stdbool.h>

#include "drivers/pit.h"
#include "drivers/rtc.h"
#include "kernel/cmdline.h"
#include "kernel/proc/proc.h"
#include "libk/errno.h"
#include "libk/log.h"

static int64_t boot_ns; /* wall-clock nanoseconds at tick 0 */
static bool boot_known;

int64_t time_tick_ns(void)
{
	return NSEC_PER_SEC / pit_hz();
}

int64_t time_monotonic_ns(void)
{
	return (int64_t)pit_ticks() * time_tick_ns();
}

/*
 * The date of boot in a deterministic run (deterministic=1), whatever the
 * CMOS clock says: 2000-01-01 00:00:00 UTC, seconds since the epoch.
 * tools/qemu-run --deterministic gives QEMU's clock the same date.
 */
#define DETERMINISTIC_BOOT_EPOCH 946684800LL

/* Learns the date of boot from the CMOS clock, the first time. */
static void learn_boot_time(void)
{
	struct rtc_time t;

	if (boot_known)
		return;
	boot_known = true;
	if (boot_options.deterministic) {
		boot_ns = DETERMINISTIC_BOOT_EPOCH * NSEC_PER_SEC;
		return;
	}
	if (rtc_read(&t)) {
		pr_warn("time: the CMOS clock cannot be read; the date is "
			"1970-01-01\n");
		boot_ns = 0;
		return;
	}
	boot_ns = rtc_to_epoch(&t) * NSEC_PER_SEC - time_monotonic_ns();
	pr_info("time: %04d-%02d-%02d %02d:%02d:%02d UTC from the CMOS "
		"clock\n",
		t.year, t.month, t.day, t.hour, t.minute, t.second);
}

int64_t time_realtime_ns(void)
{
	learn_boot_time();
	return boot_ns + time_monotonic_ns();
}

int64_t time_boot_epoch(void)
{
	learn_boot_time();
	return boot_ns / NSEC_PER_SEC;
}

int time_clock_read(int clock, int64_t *ns)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = time_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = time_monotonic_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		/* Tick-based accounting: resolution of one timer tick. */
		*ns = (int64_t)((current->utime + current->stime) *
				(NSEC_PER_SEC / pit_hz()));
		return 0;
	default:
		return -EINVAL;
	}
}
