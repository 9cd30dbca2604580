/*
 * kernel/proc/itimer.c - alarm(2), setitimer(2) and getitimer(2).
 *
 * Each process has three interval timers, shared by its threads (kept in
 * the thread group leader; struct kitimer in
 * kernel/proc/signal.h). ITIMER_REAL holds the time on the monotonic clock
 * when it next expires; the timer interrupt looks for expired ones (only
 * while some process has one armed) and sends SIGALRM. A periodic
 * ITIMER_REAL starts its next period only when SIGALRM is taken off the
 * pending set (itimer_alarm_taken), like Linux: a process that blocks
 * SIGALRM gets one signal, not a timer that keeps firing. ITIMER_VIRTUAL
 * and ITIMER_PROF hold the time left and are charged a tick at every
 * timer interrupt that finds the process running (in user mode only, for
 * ITIMER_VIRTUAL), so they count in whole ticks.
 *
 * Timers run on in a process after exec, and a child of fork starts
 * without any, as on Linux. Everything here is touched with interrupts
 * off, since the timer interrupt reads and changes it.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/thread.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"

#define NSEC_PER_USEC 1000ll
#define USEC_PER_SEC 1000000ll

/* Processes that may have ITIMER_REAL armed; recounted at every scan. */
static unsigned int real_armed;

/* struct itimerval: two struct timeval of 32-bit longs. */
struct itimerval32 {
	int32_t interval_sec, interval_usec;
	int32_t value_sec, value_usec;
};

/* The signal each timer sends. */
static const int timer_signal[ITIMER_COUNT] = { SIGALRM, SIGVTALRM, SIGPROF };

/*
 * The timers are the process's, shared by its threads as on Linux: they
 * live in the thread group's leader, and what they send is a signal for
 * the process, taken by whichever thread does not block it.
 */
static struct kitimer *timers_of(struct proc *p)
{
	return p->group_leader ? p->group_leader->itimer : p->itimer;
}

/* Charges one tick of p's CPU time to a CPU-time timer of its process. */
static void charge(struct proc *p, int which, int64_t ns)
{
	struct kitimer *t = &timers_of(p)[which];

	if (t->value_ns <= 0)
		return;
	t->value_ns -= ns;
	if (t->value_ns > 0)
		return;
	thread_signal_group(p, timer_signal[which], NULL);
	t->value_ns = t->interval_ns;
}

/*
 * An expired REAL timer keeps its expiry time, negated, until its SIGALRM
 * is taken: then the next period is counted from it.
 */
static void real_check(struct proc *p, void *ctx)
{
	int64_t now = *(int64_t *)ctx;
	struct kitimer *t = &p->itimer[ITIMER_REAL];

	/* A process's timers are its leader's, until its last thread ends. */
	if (!thread_is_leader(p) ||
	    (p->state == PROC_ZOMBIE && p->nr_threads == 0) ||
	    t->value_ns <= 0)
		return;
	if (t->value_ns <= now) {
		t->value_ns = -t->value_ns;
		thread_signal_group(p, SIGALRM, NULL); /* si_code SI_KERNEL */
	}
	if (t->value_ns > 0)
		real_armed++;
}

void itimer_tick(bool from_user)
{
	struct proc *p = current;

	if (p->pid != 0 && p->state != PROC_ZOMBIE) {
		charge(p, ITIMER_PROF, time_tick_ns());
		if (from_user)
			charge(p, ITIMER_VIRTUAL, time_tick_ns());
	}
	if (real_armed) {
		int64_t now = time_monotonic_ns();
		real_armed = 0;
		proc_for_each(real_check, &now);
	}
}

void itimer_alarm_taken(struct proc *p)
{
	bool was = irq_save();
	struct kitimer *t = &timers_of(p)[ITIMER_REAL];

	if (t->value_ns < 0 && t->interval_ns) {
		/* The first expiry of the period after now. */
		int64_t now = time_monotonic_ns();
		int64_t next = -t->value_ns + t->interval_ns;
		if (next <= now)
			next += ((now - next) / t->interval_ns + 1) *
				t->interval_ns;
		t->value_ns = next;
		real_armed++;
	}
	irq_restore(was);
}

/* The time left on a timer of the current process, in ns. */
static int64_t time_left(int which)
{
	const struct kitimer *t = &timers_of(current)[which];

	if (t->value_ns <= 0)
		return 0;
	if (which != ITIMER_REAL)
		return t->value_ns;
	int64_t left = t->value_ns - time_monotonic_ns();
	/* Due but not fired yet: Linux says one microsecond. */
	return left > 0 ? left : NSEC_PER_USEC;
}

/* Reads a timer: what is left and the interval. */
static void get_timer(int which, int64_t *value, int64_t *interval)
{
	bool was = irq_save();
	*value = time_left(which);
	*interval = timers_of(current)[which].interval_ns;
	irq_restore(was);
}

/* Arms (value > 0) or disarms a timer of the current process. */
static void set_timer(int which, int64_t value, int64_t interval)
{
	struct kitimer *t = &timers_of(current)[which];
	bool was = irq_save();

	if (value <= 0) {
		t->value_ns = 0;
		t->interval_ns = 0; /* Linux forgets the interval too */
	} else {
		t->interval_ns = interval;
		if (which == ITIMER_REAL) {
			t->value_ns = time_monotonic_ns() + value;
			real_armed++;
		} else {
			t->value_ns = value;
		}
	}
	irq_restore(was);
}

static void to_timeval(int64_t ns, int32_t *sec, int32_t *usec)
{
	*sec = (int32_t)(ns / NSEC_PER_SEC);
	*usec = (int32_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
}

/* A struct timeval as ns; -EINVAL unless 0 <= tv_usec < 10^6, tv_sec >= 0. */
static int from_timeval(int32_t sec, int32_t usec, int64_t *ns)
{
	if (sec < 0 || usec < 0 || usec >= USEC_PER_SEC)
		return -EINVAL;
	*ns = sec * NSEC_PER_SEC + usec * NSEC_PER_USEC;
	return 0;
}

static int put_itimerval(uint32_t uaddr, int64_t value, int64_t interval)
{
	struct itimerval32 v;

	to_timeval(interval, &v.interval_sec, &v.interval_usec);
	to_timeval(value, &v.value_sec, &v.value_usec);
	return copy_to_user((void *)uaddr, &v, sizeof(v));
}

/* getitimer(which, value). */
static int32_t sys_getitimer(const struct syscall_args *a)
{
	int64_t value, interval;

	if (a->arg[0] >= ITIMER_COUNT)
		return -EINVAL;
	get_timer((int)a->arg[0], &value, &interval);
	return put_itimerval(a->arg[1], value, interval);
}
SYSCALL(105, getitimer, sys_getitimer);

/* setitimer(which, new, old): new NULL disarms, as Linux still allows. */
static int32_t sys_setitimer(const struct syscall_args *a)
{
	int64_t value = 0, interval = 0, old_value, old_interval;
	int which = (int)a->arg[0];
	int err;

	if (a->arg[1]) {
		struct itimerval32 v;
		if (copy_from_user(&v, (void *)a->arg[1], sizeof(v)))
			return -EFAULT;
		if ((err = from_timeval(v.value_sec, v.value_usec, &value)) ||
		    (err = from_timeval(v.interval_sec, v.interval_usec,
					&interval)))
			return err;
	}
	if (a->arg[0] >= ITIMER_COUNT)
		return -EINVAL;
	get_timer(which, &old_value, &old_interval);
	set_timer(which, value, interval);
	if (a->arg[2])
		return put_itimerval(a->arg[2], old_value, old_interval);
	return 0;
}
SYSCALL(104, setitimer, sys_setitimer);

/*
 * alarm(seconds): ITIMER_REAL once, after that many seconds (0: cancel).
 * Returns the seconds that were left, rounded to the nearest, and at
 * least 1 if an alarm was pending, as Linux does.
 */
static int32_t sys_alarm(const struct syscall_args *a)
{
	int64_t old_value, old_interval;

	get_timer(ITIMER_REAL, &old_value, &old_interval);
	set_timer(ITIMER_REAL, (int64_t)a->arg[0] * NSEC_PER_SEC, 0);
	int64_t sec = old_value / NSEC_PER_SEC;
	int64_t nsec = old_value % NSEC_PER_SEC;
	if ((!sec && nsec) || nsec >= NSEC_PER_SEC / 2)
		sec++;
	return (int32_t)sec;
}
SYSCALL(27, alarm, sys_alarm);
