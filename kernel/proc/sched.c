/*
 * kernel/proc/sched.c - the scheduler: a round-robin run queue, sleep/wakeup.
 *
 * Invariants: `current` is never on the run queue; a RUNNABLE process
 * other than `current` is on the run queue exactly once; the idle context
 * (the boot stack running sched_idle_loop, pid 0) is never queued and runs
 * only when the queue is empty. All of this is touched with interrupts off.
 */
#include "kernel/proc/sched.h"

#include "kernel/proc/cpustat.h"

#include "drivers/pit.h"
#include "kernel/arch/gdt.h"
#include "kernel/arch/ldt.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/swapper.h"
#include "kernel/arch/x86.h"
#include "kernel/sysrq.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/procswap.h"
#include "mm/vm.h"
#include "mm/vmap.h"
#include "mm/vmscan.h"

void switch_context(uint32_t *save_esp, uint32_t next_esp);

static list_head_t runq = LIST_HEAD_INIT(runq);
/* Processes in a timed sleep (sched_sleep_until); checked every tick. */
static unsigned int timed_sleepers;
static volatile bool need_resched;
static unsigned int slice_left = SCHED_SLICE_TICKS;

static struct proc idle_proc = {
	.pid = 0,
	.name = "idle",
	.state = PROC_RUNNABLE,
};
struct proc *current = &idle_proc;

/* Wakes timed sleepers whose time has come; runs in the timer interrupt. */
static void wake_timed(struct proc *p, void *ctx)
{
	uint64_t now = *(uint64_t *)ctx;
	if (p->state == PROC_SLEEPING && p->wake_tick && p->wake_tick <= now)
		sched_make_runnable(p);
}

static bool tick_from_user;
/*
 * The replacement policy samples accessed bits this many times a second
 * (aging walks every tracked page each time, so not on every tick).
 */
#define VM_POLICY_TICKS_PER_SEC 10u
static unsigned int vm_ticks;

void sched_note_trap(bool from_user)
{
	tick_from_user = from_user;
}

/* Counts a runnable process (not the idle loop). */
static void count_running(struct proc *p, void *ctx)
{
	if (p->pid > 0 && p->state == PROC_RUNNABLE)
		++*(unsigned int *)ctx;
}

unsigned int sched_nr_running(void)
{
	unsigned int n = 0;
	bool was = irq_save();
	proc_for_each(count_running, &n);
	irq_restore(was);
	return n;
}

static void sched_tick(void)
{
	if (current != &idle_proc) {
		if (tick_from_user)
			current->utime++;
		else
			current->stime++;
	}
	cpustat_tick(current == &idle_proc, tick_from_user, sched_nr_running);
	if (timed_sleepers) {
		uint64_t now = pit_ticks();
		proc_for_each(wake_timed, &now);
	}
	itimer_tick(tick_from_user);
	/*
	 * Only when the tick interrupted user code: the kernel may be in the
	 * middle of changing a reverse map or a policy list otherwise.
	 */
	if (tick_from_user &&
	    ++vm_ticks >= pit_hz() / VM_POLICY_TICKS_PER_SEC) {
		vm_ticks = 0;
		vm_policy_tick();
	}
	/* A SysRq command waiting for the kernel to be at rest. */
	sysrq_poll(tick_from_user || current == &idle_proc);
	if (current != &idle_proc && --slice_left == 0)
		need_resched = true;
}

void sched_init(void)
{
	list_init(&idle_proc.children);
	list_init(&idle_proc.runq);
	pit_set_tick_hook(sched_tick);
}

void sched_make_runnable(struct proc *p)
{
	bool was = irq_save();
	if (p->state == PROC_SLEEPING && p->wake_tick) {
		p->wake_tick = 0;
		timed_sleepers--;
	}
	if (p->state != PROC_ZOMBIE) {
		p->state = PROC_RUNNABLE;
		p->wait_channel = NULL;
		if (p != current && list_empty(&p->runq))
			list_push_back(&runq, &p->runq);
	}
	irq_restore(was);
}

bool sched_need_resched(void)
{
	return need_resched;
}

/*
 * Loads what the CPU needs to run p: page tables, ring-0 stack, TLS, LDT.
 * CR3 is loaded only when the address space changes: a switch between
 * threads of one process keeps the TLB.
 */
static void load_context(struct proc *p)
{
	struct vm_space *space = p->mm ? &p->mm->space : &kernel_space;
	if (vm_space_current() != space)
		vm_space_activate(space);
	if (p->kstack)
		tss_set_kernel_stack(kstack_top(p->kstack));
	for (unsigned int i = 0; i < TLS_SLOTS; i++)
		gdt_set_tls(i, p->tls[i]);
	ldt_install(p->mm);
}

/*
 * A process that has ended gives its kernel stack back once the CPU has
 * left it for good (after its last switch, as Linux does), so that a
 * zombie waiting for its parent's wait holds only its struct proc: a
 * parent that reaps late (an init busy out of memory, say) is not
 * starved by thousands of 16 KiB stacks nobody will run on again.
 * The stack cannot be freed while it is in use, so the zombie is noted
 * here and its stack freed by whichever process runs next.
 */
static struct proc *dead_stack_owner;

static void free_dead_stack(void)
{
	struct proc *p = dead_stack_owner;
	if (!p || p == current)
		return;
	dead_stack_owner = NULL;
	kstack_free(p->kstack);
	p->kstack = 0;
	p->tf = NULL;
}

void sched_forget_dead(struct proc *p)
{
	bool was = irq_save();
	if (dead_stack_owner == p)
		dead_stack_owner = NULL;
	irq_restore(was);
}

void schedule(void)
{
	bool was = irq_save();
	struct proc *prev = current;
	struct proc *next;

	free_dead_stack();

	need_resched = false;
	slice_left = SCHED_SLICE_TICKS;
	if (prev != &idle_proc && prev->state == PROC_RUNNABLE &&
	    list_empty(&prev->runq))
		list_push_back(&runq, &prev->runq);

	struct list_node *n = list_first(&runq);
	if (n) {
		list_remove(n);
		next = list_entry(n, struct proc, runq);
	} else {
		next = &idle_proc;
	}
	if (next != prev) {
		cpustat.ctxt++;
		if (prev != &idle_proc)
			fpu_save(&prev->fpu);
		current = next;
		load_context(next);
		if (next != &idle_proc)
			fpu_restore(&next->fpu);
		if (prev->state == PROC_ZOMBIE && prev != &idle_proc)
			dead_stack_owner = prev;  /* none pending: freed above */
		switch_context(&prev->kesp, next->kesp);
		free_dead_stack();  /* back on our own stack */
	}
	irq_restore(was);
}

/*
 * Back from a sleep: a process swapped out as a whole while it slept
 * comes back before it goes on (kernel/proc/swapper.c).
 */
static inline void woke_up(void)
{
	if (current->mm && mm_swap_pending(current->mm))
		swapper_resume();
}

void sched_yield(void)
{
	schedule();
}

void sched_sleep(void *chan)
{
	bool was = irq_save();
	if (current == &idle_proc) {
		/*
		 * The idle context (the in-kernel tests) cannot sleep: it
		 * lets the runnable processes run, or waits for the next
		 * interrupt when there are none. Its caller tests again.
		 */
		if (!list_empty(&runq))
			schedule();
		else
			__asm__ volatile("sti; hlt; cli" : : : "memory");
	} else {
		current->state = PROC_SLEEPING;
		current->wait_channel = chan;
		schedule();
	}
	irq_restore(was);
	woke_up();
}

void sched_sleep_timeout(void *chan, uint64_t tick)
{
	if (!tick) {
		sched_sleep(chan);
		return;
	}
	bool was = irq_save();
	if (pit_ticks() >= tick) {
		irq_restore(was);
		return;
	}
	if (current == &idle_proc) {
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	} else {
		current->state = PROC_SLEEPING;
		current->wait_channel = chan;
		current->wake_tick = tick;
		timed_sleepers++;
		schedule();
	}
	irq_restore(was);
	woke_up();
}

static void wake_on(struct proc *p, void *chan)
{
	if (p->state == PROC_SLEEPING && p->wait_channel == chan)
		sched_make_runnable(p);
}

void sched_wakeup(void *chan)
{
	bool was = irq_save();
	proc_for_each(wake_on, chan);
	irq_restore(was);
}

int sched_sleep_until(uint64_t tick)
{
	bool was = irq_save();
	int err = 0;

	while (pit_ticks() < tick) {
		if (current != &idle_proc && signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (current == &idle_proc) {
			__asm__ volatile("sti; hlt; cli" : : : "memory");
			continue;
		}
		current->state = PROC_SLEEPING;
		current->wait_channel = &timed_sleepers;
		current->wake_tick = tick;
		timed_sleepers++;
		schedule();
	}
	irq_restore(was);
	woke_up();
	return err;
}

void sched_interrupt(struct proc *p)
{
	if (p->state == PROC_SLEEPING)
		sched_make_runnable(p);
}

void sched_idle_loop(void)
{
	for (;;) {
		cli();
		if (!list_empty(&runq)) {
			schedule();
			continue;
		}
		/* sti; hlt: the interrupt that ends the halt is not missed. */
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}
