/*
 * tests/kernel/test_loadavg.c - the load average's fixed-point arithmetic
 * and the CPU statistics behind /proc/stat, /proc/loadavg and
 * /proc/PID/stat.
 *
 * The numbers below are worked out by hand from Linux's calc_load()
 * (kernel/sched/loadavg.c): e.g. one runnable process for one 5-s period
 * from an idle start gives (0 * 1884 + 2048 * 164 + 2047) / 2048 = 164,
 * which /proc/loadavg prints as 0.08, as Linux does.
 */
#include "drivers/pit.h"
#include "kernel/arch/x86.h"
#include "fs/procfs.h"
#include "kernel/ktest.h"
#include "kernel/proc/cpustat.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab.h"

/* Formats with a procfs function into a local buffer. */
#define FORMAT(buf, call)                                                      \
	do {                                                                   \
		struct seqbuf sb_ = { .buf = (buf), .size = sizeof(buf) };     \
		struct seqbuf *sb = &sb_;                                      \
		call;                                                          \
		KT_ASSERT(t, !sb_.overflow);                                   \
	} while (0)

/* Whether s contains sub. */
static bool contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);
	for (; *s; s++)
		if (!strncmp(s, sub, n))
			return true;
	return false;
}

/* Compares a formatted text with the expected one, showing both if not. */
#define EXPECT_TEXT(t, got, want)                                              \
	do {                                                                   \
		bool same_ = !strcmp((got), (want));                           \
		if (!same_)                                                    \
			kprintf("# got:  %s# want: %s", (got), (want));        \
		KT_EXPECT(t, same_);                                           \
	} while (0)

static void one_step_from_idle(struct ktest *t)
{
	uint32_t one = LOADAVG_FIXED_1;
	KT_EXPECT_EQ(t, loadavg_calc(0, LOADAVG_EXP_1, one), 164u);
	KT_EXPECT_EQ(t, loadavg_calc(0, LOADAVG_EXP_5, one), 34u);
	KT_EXPECT_EQ(t, loadavg_calc(0, LOADAVG_EXP_15, one), 11u);
	/* Nothing runnable and nothing before: stays 0. */
	KT_EXPECT_EQ(t, loadavg_calc(0, LOADAVG_EXP_1, 0), 0u);
}

static void constant_load_is_reached_exactly(struct ktest *t)
{
	/* The round-up while growing lets a constant n reach n exactly. */
	uint32_t load = 0, two = 2 * LOADAVG_FIXED_1;
	for (int i = 0; i < 400; i++)
		load = loadavg_calc(load, LOADAVG_EXP_1, two);
	KT_EXPECT_EQ(t, load, two);
	/* And it stays there. */
	KT_EXPECT_EQ(t, loadavg_calc(load, LOADAVG_EXP_1, two), two);
}

static void idle_decays_to_zero(struct ktest *t)
{
	uint32_t load = 3 * LOADAVG_FIXED_1, prev = load;
	int steps = 0;
	while (load && steps < 5000) {
		load = loadavg_calc(load, LOADAVG_EXP_15, 0);
		KT_EXPECT(t, load < prev); /* strictly down every period */
		prev = load;
		steps++;
	}
	KT_EXPECT_EQ(t, load, 0u);
	/* 15-minute time constant: it takes well over 15 minutes. */
	KT_EXPECT(t, steps > 15 * 12);
}

static void one_minute_of_one_process(struct ktest *t)
{
	/* 12 periods of one process: 1 - 1/e = 0.63 of the way. */
	uint32_t load = 0;
	for (int i = 0; i < 12; i++)
		load = loadavg_calc(load, LOADAVG_EXP_1, LOADAVG_FIXED_1);
	KT_EXPECT_EQ(t, loadavg_int(load), 0u);
	KT_EXPECT(t, loadavg_frac(load) >= 62 && loadavg_frac(load) <= 64);
}

static void printed_with_rounding(struct ktest *t)
{
	KT_EXPECT_EQ(t, loadavg_int(164), 0u);
	KT_EXPECT_EQ(t, loadavg_frac(164), 8u);
	KT_EXPECT_EQ(t, loadavg_int(3 * LOADAVG_FIXED_1 / 2), 1u);
	KT_EXPECT_EQ(t, loadavg_frac(3 * LOADAVG_FIXED_1 / 2), 50u);
	/* 0.999 rounds up to 1.00, as Linux's FIXED_1/200 does. */
	KT_EXPECT_EQ(t, loadavg_int(LOADAVG_FIXED_1 - 2), 1u);
	KT_EXPECT_EQ(t, loadavg_frac(LOADAVG_FIXED_1 - 2), 0u);

	char buf[128];
	const uint32_t avg[3] = { 164, 34, 11 };
	FORMAT(buf, procfs_format_loadavg(sb, avg, 1, 5, 42));
	EXPECT_TEXT(t, buf, "0.08 0.02 0.01 1/5 42\n");
}

static unsigned int three_runnable(void)
{
	return 3;
}

static void ticks_are_charged_and_sampled(struct ktest *t)
{
	bool was = irq_save();
	struct cpustat saved = cpustat;
	uint32_t saved_avg[3];
	memcpy(saved_avg, avenrun, sizeof(saved_avg));

	cpustat_tick(true, false, three_runnable);
	cpustat_tick(false, true, three_runnable);
	cpustat_tick(false, false, three_runnable);
	KT_EXPECT_EQ(t, cpustat.idle, saved.idle + 1);
	KT_EXPECT_EQ(t, cpustat.user, saved.user + 1);
	KT_EXPECT_EQ(t, cpustat.system, saved.system + 1);

	/* Within one period (5 s + 1 tick) the averages move exactly once. */
	memset(avenrun, 0, sizeof(avenrun));
	unsigned int changes = 0;
	uint32_t last = 0;
	for (unsigned int i = 0; i < LOADAVG_FREQ_SEC * pit_hz() + 1; i++) {
		cpustat_tick(false, true, three_runnable);
		if (avenrun[0] != last) {
			changes++;
			last = avenrun[0];
		}
	}
	KT_EXPECT_EQ(t, changes, 1u);
	KT_EXPECT_EQ(t, avenrun[0],
		     loadavg_calc(0, LOADAVG_EXP_1, 3 * LOADAVG_FIXED_1));

	cpustat = saved;
	memcpy(avenrun, saved_avg, sizeof(saved_avg));
	irq_restore(was);
}

/* Counts the space-separated fields of a line (a newline ends it). */
static int count_fields(const char *s)
{
	int n = 0;
	bool in = false;
	for (; *s && *s != '\n'; s++) {
		if (*s != ' ' && !in)
			n++;
		in = *s != ' ';
	}
	return n;
}

static void pid_stat_has_52_fields(struct ktest *t)
{
	static struct sighand actions; /* all SIG_DFL */
	struct proc *p = kzalloc(sizeof(*p), GFP_KERNEL);
	KT_ASSERT(t, p != NULL);
	p->pid = 77;
	thread_init_leader(p);
	p->sighand = &actions;
	p->sig_action = actions.action;
	strlcpy(p->name, "a_long_name_15c", sizeof(p->name));
	p->state = PROC_SLEEPING;
	p->exit_signal = 17;
	p->utime = 3 * pit_hz();
	p->rlim[RLIMIT_RSS].cur = RLIM64_INFINITY;
	struct mm_usage u = { .vm_size = 10,
			      .vm_rss = 4,
			      .vm_data = 2,
			      .vm_stk = 1,
			      .rss_shared = 1 };
	char buf[512];
	FORMAT(buf, procfs_format_stat(sb, p, &u));
	KT_EXPECT_EQ(t, count_fields(buf), 52);
	KT_EXPECT(t, !strncmp(buf, "77 (a_long_name_15c) S 0 ", 25));
	/* utime (14) in USER_HZ ticks: 3 s is 300. */
	KT_EXPECT(t, contains(buf, " 300 0 0 0 20 0 1 0 "));
	/* vsize (23) in bytes, rss (24) in pages, rsslim (25) unlimited. */
	KT_EXPECT(t, contains(buf, " 40960 4 4294967295 "));

	FORMAT(buf, procfs_format_statm(sb, p, &u));
	EXPECT_TEXT(t, buf, "10 4 1 0 0 3 0\n");
	kfree(p);
}

static void cpu_stat_lines(struct ktest *t)
{
	const uint64_t irqs[3] = { 5, 6, 7 };
	struct procfs_stat st = { .user = 1,
				  .system = 2,
				  .idle = 3,
				  .intr_total = 18,
				  .irqs = irqs,
				  .nirqs = 3,
				  .ctxt = 9,
				  .btime = 1700000000,
				  .processes = 4,
				  .procs_running = 1 };
	char buf[512];
	FORMAT(buf, procfs_format_cpu_stat(sb, &st));
	EXPECT_TEXT(t, buf,
		    "cpu  1 0 2 3 0 0 0 0 0 0\n"
		    "cpu0 1 0 2 3 0 0 0 0 0 0\n"
		    "intr 18 5 6 7\n"
		    "ctxt 9\n"
		    "btime 1700000000\n"
		    "processes 4\n"
		    "procs_running 1\n"
		    "procs_blocked 0\n"
		    "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

static const struct ktest_case loadavg_cases[] = {
	KTEST_CASE(one_step_from_idle),
	KTEST_CASE(constant_load_is_reached_exactly),
	KTEST_CASE(idle_decays_to_zero),
	KTEST_CASE(one_minute_of_one_process),
	KTEST_CASE(printed_with_rounding),
	KTEST_CASE(ticks_are_charged_and_sampled),
	KTEST_CASE(pid_stat_has_52_fields),
	KTEST_CASE(cpu_stat_lines),
};
KTEST_SUITE(loadavg, loadavg_cases);
