/*
 * kernel/proc/cpustat.c - CPU time totals and the load average (see
 * kernel/proc/cpustat.h).
 */
#include "kernel/proc/cpustat.h"

#include "drivers/pit.h"

struct cpustat cpustat;
uint32_t avenrun[3];

/* Ticks left until the next load sample. */
static unsigned int load_countdown;

uint32_t loadavg_calc(uint32_t load, uint32_t exp, uint32_t active)
{
	uint64_t newload = (uint64_t)load * exp +
			   (uint64_t)active * (LOADAVG_FIXED_1 - exp);
	if (active >= load)
		newload += LOADAVG_FIXED_1 - 1;
	return (uint32_t)(newload / LOADAVG_FIXED_1);
}

void loadavg_sample(unsigned int nr_active)
{
	uint32_t active = nr_active * LOADAVG_FIXED_1;
	avenrun[0] = loadavg_calc(avenrun[0], LOADAVG_EXP_1, active);
	avenrun[1] = loadavg_calc(avenrun[1], LOADAVG_EXP_5, active);
	avenrun[2] = loadavg_calc(avenrun[2], LOADAVG_EXP_15, active);
}

/* Linux's /proc/loadavg adds FIXED_1/200 first: a rounded hundredth. */
static uint32_t loadavg_rounded(uint32_t load)
{
	return load + LOADAVG_FIXED_1 / 200;
}

uint32_t loadavg_int(uint32_t load)
{
	return loadavg_rounded(load) >> LOADAVG_FSHIFT;
}

uint32_t loadavg_frac(uint32_t load)
{
	uint32_t frac = loadavg_rounded(load) & (LOADAVG_FIXED_1 - 1);
	return (frac * 100) >> LOADAVG_FSHIFT;
}

void cpustat_tick(bool idle, bool from_user, unsigned int (*nr_active)(void))
{
	if (idle)
		cpustat.idle++;
	else if (from_user)
		cpustat.user++;
	else
		cpustat.system++;
	/* Linux samples every 5 s + 1 tick, out of step with 5-s jobs. */
	if (load_countdown == 0) {
		load_countdown = LOADAVG_FREQ_SEC * pit_hz() + 1;
		return; /* the first tick starts the period */
	}
	if (--load_countdown == 0) {
		loadavg_sample(nr_active());
		load_countdown = LOADAVG_FREQ_SEC * pit_hz() + 1;
	}
}
