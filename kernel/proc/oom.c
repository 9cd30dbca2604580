/*
 * kernel/proc/oom.c - the out-of-memory killer (see kernel/proc/oom.h).
 *
 * The victim is chosen by size, resident plus swapped pages (Linux's
 * oom_badness() without its adjustments): killing it frees the most, both
 * frames and swap slots. Pages shared by several processes count for each
 * of them, as in their RSS. The report names the victim's user (its real
 * uid, as Linux's "UID:" field), so that on a machine shared by several
 * users the one whose process took the memory is known.
 *
 * The victim does not die at once: SIGKILL takes effect when it next
 * returns to user mode. Until it has exited, a process that runs out of
 * memory does not choose another victim (that could kill half the system
 * for one shortage): it sleeps until the victim's memory has been freed,
 * then retries its fault. If the victim is the faulting process itself,
 * the fault is not retried: the process ends with SIGKILL on its way out
 * of the kernel.
 *
 * The victim is remembered as a process, not as a PID: proc_exit() calls
 * oom_proc_gone() once the address space is freed, which forgets it. (A
 * PID can belong to another process by the time anyone looks again: PIDs
 * wrap at PROC_MAX_PIDS.)
 *
 * When thousands of processes run out of memory at once, two things keep
 * the work per victim small. The waiters sleep: a process that yielded
 * instead would be back on the run queue at once, and the victim would
 * wait behind every one of them, each retrying its fault in vain. And
 * they wake one at a time, in the order they came: the victim's exit
 * wakes the first, which wakes the next as it goes to retry, and so on
 * while memory lasts. The first retry that fails chooses the next victim,
 * and the waiters behind it sleep on without having run. Waking them all
 * would cost a context switch each, per victim.
 *
 *   waiters: W1 W2 W3 ... Wn          victim V exits
 *   W1 woken: no victim, first -> leaves, wakes W2, retries (succeeds)
 *   W2 woken: no victim, first -> leaves, wakes W3, retries (fails:
 *             chooses V', waits at the end of the queue)
 *   W3 woken: victim V' pending -> sleeps again, still first
 *
 * Locking: none; the kernel is not preemptible and this runs in process
 * context (a fault). The sleep follows kernel/sched.h's pattern, with
 * interrupts off between the test and the sleep.
 */
#include "kernel/proc/oom.h"

#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/swapper.h"
#include "kernel/arch/x86.h"
#include "libk/list.h"
#include "libk/log.h"
#include "mm/mm.h"
#include "mm/trace.h"

/*
 * The last victim, from its SIGKILL until its address space is freed
 * (NULL: none).
 */
static struct proc *victim;
/*
 * The processes waiting for memory, in the order they ran out (linked by
 * proc->oom_wait). Only the first may go and retry once no victim is
 * pending; as it goes it lets the next one go too.
 */
static list_head_t waiters = LIST_HEAD_INIT(waiters);

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

/* Wakes the first waiter, whose turn it is to retry. */
static void wake_first_waiter(void)
{
	struct list_node *n = list_first(&waiters);
	if (n)
		sched_interrupt(list_entry(n, struct proc, oom_wait));
}

/* Frees memory for the current process (see kernel/proc/oom.h). */
bool oom_kill(void)
{
	struct proc *p = current;

	/*
	 * Before a kill, the medium-term scheduler may free memory by
	 * swapping a sleeping process out whole; then the fault retries.
	 */
	if (!victim && swapper_relieve("out of memory"))
		return true;
	if (!victim) {
		struct proc *v = choose_victim();
		if (!v)
			return false;
		pr_err("OOM: killed pid %d (%s), uid %u: rss %u KiB, "
		       "swap %u KiB\n",
		       v->pid, v->name, v->cred.uid,
		       (unsigned int)(v->mm->rss * (PAGE_SIZE / 1024)),
		       (unsigned int)(v->mm->swap_pages * (PAGE_SIZE / 1024)));
		vm_events.oom_kill++;
		trace_oom_kill(v->pid);
		victim = v;
		signal_send(v, SIGKILL, NULL);  /* from the kernel: init too */
	}
	if (victim == p)
		return false;
	/*
	 * Wait for the victim's memory, then for our turn. A signal for
	 * this process (SIGKILL from being chosen itself, say) ends the
	 * wait: the return to user mode acts on it.
	 */
	bool was = irq_save();
	list_push_back(&waiters, &p->oom_wait);
	while ((victim || list_first(&waiters) != &p->oom_wait) &&
	       victim != p && !signal_pending(p))
		sched_sleep(&victim);
	list_remove(&p->oom_wait);
	/*
	 * No victim pending: memory was freed, and the next waiter may try
	 * too. If our retry fails, the new victim stops the others again.
	 */
	if (!victim)
		wake_first_waiter();
	bool retry = victim != p;
	irq_restore(was);
	return retry;
}

void oom_proc_gone(struct proc *p)
{
	list_remove(&p->oom_wait);
	if (p != victim)
		return;
	victim = NULL;
	wake_first_waiter();
}
