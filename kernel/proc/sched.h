/*
 * kernel/proc/sched.h - round-robin scheduling, sleep and wakeup.
 *
 * Runnable processes wait on one queue; the timer tick asks for a switch
 * when the running process has used its time slice, and the switch happens
 * when it next returns to user mode (the kernel itself is not preempted).
 * When nothing is runnable the CPU idles with hlt in the boot context.
 *
 * Sleeping follows the classic pattern, with interrupts off between the
 * test and the sleep so that no wakeup is lost:
 *
 *     bool was = irq_save();
 *     while (!condition && !signal_pending(current))
 *             sched_sleep(&channel);
 *     irq_restore(was);
 *
 * and the side that makes the condition true calls sched_wakeup(&channel).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

/* Time slice in timer ticks. */
#define SCHED_SLICE_TICKS 2

void sched_init(void);
/* Called by the trap entry: whether the current trap came from user mode
 * (the timer charges the tick to user or kernel time). */
void sched_note_trap(bool from_user);
/* Makes p runnable (puts it on the run queue). */
void sched_make_runnable(struct proc *p);
/* Gives up the CPU if another process is runnable. */
void sched_yield(void);
/* Switches to the next runnable process (or the idle loop). */
void schedule(void);
/*
 * A process being freed (reaped): forgets it if its kernel stack was still
 * to be freed after its last switch (proc_free frees it then).
 */
void sched_forget_dead(struct proc *p);

/* Sleeps on a channel until sched_wakeup(chan) or a signal. */
void sched_sleep(void *chan);
/*
 * sched_sleep with a time limit: also wakes when the timer reaches tick
 * (0: no limit). The caller tests its condition and the time again.
 */
void sched_sleep_timeout(void *chan, uint64_t tick);
/* Wakes every process sleeping on chan. */
void sched_wakeup(void *chan);
/* Sleeps until the timer reaches tick (or a signal); -EINTR if woken early. */
int sched_sleep_until(uint64_t tick);
/* Wakes p from any sleep (used to deliver a signal). */
void sched_interrupt(struct proc *p);
/* Processes that are runnable, the running one included (not idle). */
unsigned int sched_nr_running(void);
/* True when the running process should give up the CPU. */
bool sched_need_resched(void);
/* The idle loop: runs processes forever. Call from kmain. */
__attribute__((noreturn)) void sched_idle_loop(void);

#endif
