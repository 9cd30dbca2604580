/*
 * kernel/proc/oom.c - the out-of-memory killer (see kernel/proc/oom.h).
 *
 * The victim is chosen by size, resident plus swapped pages (Linux's
 * oom_badness() without its adjustments): killing it frees the most, both
 * frames and swap slots. Pages shared by several processes count for each
 * of them, as in their RSS.
 *
 * The victim does not die at once: SIGKILL takes effect when it next
 * returns to user mode. Until it has exited, a process that runs out of
 * memory again does not choose another victim (that could kill half the
 * system for one shortage); it gives up the CPU so that the victim can run
 * and exit, then retries its fault. If the victim is the faulting process
 * itself, the fault is not retried: the process ends with SIGKILL on its
 * way out of the kernel.
 *
 * Locking: none; the kernel is not preemptible and this runs in process
 * context (a fault).
 */
#include "kernel/proc/oom.h"

#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "libk/log.h"
#include "mm/mm.h"

/* The PID of the last victim, until it has exited (0: none). */
static int victim_pid;

/* The best victim found so far. */
struct oom_choice {
	struct proc *best;
	uint64_t pages;
	bool spare_init; /* init only if nothing else has memory */
};

/* Whether p holds more memory than the best victim so far. */
static void consider(struct proc *p, void *arg)
{
	struct oom_choice *c = arg;
	if (p->pid <= 0 || p->state == PROC_ZOMBIE || !p->mm)
		return;
	if (c->spare_init && p->pid == 1)
		return;
	uint64_t pages = (uint64_t)p->mm->rss + p->mm->swap_pages;
	if (!c->best || pages > c->pages) {
		c->best = p;
		c->pages = pages;
	}
}

/* The process to kill: the largest, init only as a last resort. */
static struct proc *choose_victim(void)
{
	struct oom_choice c = { NULL, 0, true };
	proc_for_each(consider, &c);
	if (!c.best) {
		c.spare_init = false;
		proc_for_each(consider, &c);
	}
	return c.best;
}

/* Frees memory for the current process (see kernel/proc/oom.h). */
bool oom_kill(void)
{
	struct proc *v = victim_pid ? proc_find(victim_pid) : NULL;

	if (!v || v->state == PROC_ZOMBIE || !v->mm) {
		v = choose_victim();
		if (!v)
			return false;
		pr_err("OOM: killed pid %d (%s): rss %u KiB, swap %u KiB\n",
		       v->pid, v->name,
		       (unsigned int)(v->mm->rss * (PAGE_SIZE / 1024)),
		       (unsigned int)(v->mm->swap_pages * (PAGE_SIZE / 1024)));
		vm_events.oom_kill++;
		victim_pid = v->pid;
		proc_kill(v->pid, SIGKILL);
	}
	if (v == current)
		return false;
	/* Let the victim run to its exit, which frees its memory. */
	sched_yield();
	return true;
}
