/*
 * kernel/proc/cpustat.h - what the CPU has been doing: time in user mode,
 * in the kernel and idle, context switches, processes created, interrupts
 * per line, and the load average. /proc/stat, /proc/uptime, /proc/loadavg
 * and sysinfo(2) show these numbers.
 *
 * Time is counted in timer ticks, one tick at a time, by the timer
 * interrupt (sched_tick): the tick goes to whoever it interrupted, user
 * code, the kernel, or the idle loop. This is Linux's tick-based
 * accounting (kernel/sched/cputime.c without VIRT_CPU_ACCOUNTING), and it
 * has the same blind spot: a process that always sleeps just before the
 * tick is never charged.
 *
 * The load average is Linux's (kernel/sched/loadavg.c): every LOAD_FREQ
 * (5 s and one tick) the number of runnable processes n is folded into
 * three exponentially-decaying averages, in fixed point with 11 fraction
 * bits:
 *
 *     load = load * e + n * (1 - e),   e = exp(-5 s / 1, 5 or 15 min)
 *
 * Locking: the counters change in the timer interrupt and with
 * interrupts off; readers take a copy and accept a tick's skew.
 */
#ifndef KERNEL_CPUSTAT_H
#define KERNEL_CPUSTAT_H

#include <stdbool.h>
#include <stdint.h>

/* PIC lines counted in cpustat.irqs (kernel/arch/trap.h IRQ_COUNT). */
#define CPUSTAT_IRQS 16

struct cpustat {
	uint64_t user;	 /* ticks that interrupted user code */
	uint64_t system; /* ticks that interrupted a process in the kernel */
	uint64_t idle;	 /* ticks that interrupted the idle loop */
	uint64_t ctxt;	 /* context switches */
	uint64_t forks;	 /* processes created since boot (init included) */
	uint64_t irqs[CPUSTAT_IRQS]; /* interrupts taken per PIC line */
};

extern struct cpustat cpustat;

/*
 * Fixed-point load averages (Linux include/linux/sched/loadavg.h): 11
 * fraction bits; EXP_n = FIXED_1 / exp(5 s / n min).
 */
#define LOADAVG_FSHIFT 11
#define LOADAVG_FIXED_1 (1u << LOADAVG_FSHIFT)
#define LOADAVG_EXP_1 1884u  /* 1 / exp(5 s / 1 min) */
#define LOADAVG_EXP_5 2014u  /* 1 / exp(5 s / 5 min) */
#define LOADAVG_EXP_15 2037u /* 1 / exp(5 s / 15 min) */
/* Seconds between two samples (the sampling period is this plus a tick). */
#define LOADAVG_FREQ_SEC 5

/* The 1, 5 and 15 minute averages, fixed point. */
extern uint32_t avenrun[3];

/*
 * One step of an average: load * exp + active * (FIXED_1 - exp), rounded
 * up while the load grows (so that a constant load n reaches n exactly),
 * as Linux's calc_load(). active is a number of processes in fixed point.
 */
uint32_t loadavg_calc(uint32_t load, uint32_t exp, uint32_t active);

/* Folds nr_active runnable processes into the three averages. */
void loadavg_sample(unsigned int nr_active);

/* The integer and the two-decimal fraction of a fixed-point load, as
 * /proc/loadavg prints it (rounded to the nearest hundredth). */
uint32_t loadavg_int(uint32_t load);
uint32_t loadavg_frac(uint32_t load);

/*
 * Charges one timer tick: to user or system time of a process, or to the
 * idle loop; and every LOAD_FREQ ticks samples the load (nr_active is
 * asked for only then).
 */
void cpustat_tick(bool idle, bool from_user, unsigned int (*nr_active)(void));

#endif
