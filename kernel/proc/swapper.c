/*
 * kernel/proc/swapper.c - the medium-term scheduler: swapping sleeping
 * processes out as a whole and bringing them back when they run.
 *
 * The short-term scheduler (sched.c) picks who runs next among the
 * runnable; the medium-term one decides who is in memory at all. A
 * process swapped out keeps everything but its memory: its struct proc,
 * kernel stack, open files, signal state and page directory stay, so
 * signals can be sent to it, it can be waited for and it can be killed
 * while out. Its pages and page tables are in swap (mm/procswap.c).
 *
 *   when                                  who goes
 *   echo 1 > /proc/PID/swapout            that process (if asleep)
 *   memory short for a second (faults     the sleeping process holding
 *   see reclaim evict in every window)    the most frames, stopped
 *   the OOM killer about to kill            ones first; never init, nor
 *                                         one with locked memory
 *
 * It comes back when it next runs: a wakeup (signal, wait, timer, I/O)
 * makes it runnable as usual, and the first thing it does on the CPU,
 * back in the sleep function it slept in, is swapper_resume(): the page
 * tables come back, then the pages, all at once (prefetch) or on demand
 * (/proc/sys/vm/swapin_mode, vm.swapin=). Doing it there, in the
 * process's own context, lets the swap-in allocate, reclaim and do I/O
 * like a page fault. A process woken by SIGKILL skips it: it is about to
 * exit, and whatever of its memory the exit touches is faulted back.
 *
 * Locking: none; the kernel is not preemptible and nothing here sleeps.
 */
#include "kernel/proc/swapper.h"

#include "drivers/pit.h"
#include "fs/procfs.h"
#include "kernel/cmdline.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/pmm.h"
#include "mm/procswap.h"
#include "mm/swap.h"

/* The pressure test's window, and the windows of reclaim in a row. */
#define SWAPPER_WINDOW_MS 100u
#define SWAPPER_PRESSURE_WINDOWS 10u

/* Whether a process using mm is awake (running or runnable). */
struct awake_walk {
	const struct mm *mm;
	bool awake;
};

static void find_awake(struct proc *p, void *arg)
{
	struct awake_walk *w = arg;
	if (p->mm == w->mm && p->state == PROC_RUNNABLE)
		w->awake = true;
}

/*
 * Whether p is blocked in a sleep (on a wait channel, or stopped) and
 * every other process using its address space is asleep too. A process
 * made but not yet started is not: it has never run, and is about to.
 */
static bool all_asleep(const struct proc *p)
{
	if (p->state != PROC_SLEEPING || p == current || !p->wait_channel)
		return false;
	if (p->mm->users == 1)
		return true;
	struct awake_walk w = { p->mm, false };
	proc_for_each(find_awake, &w);
	return !w.awake;
}

bool swapper_is_out(const struct proc *p)
{
	return p->mm && p->mm->swapped_out;
}

int swapper_swap_out(struct proc *p)
{
	if (p->pid <= 0 || p->state == PROC_ZOMBIE || !p->mm)
		return -ESRCH;
	if (p->mm->swapped_out)
		return -EALREADY;
	if (!all_asleep(p))
		return -EBUSY;
	uint32_t rss = p->mm->rss;
	int err = mm_swap_out(p->mm);
	if (err == 0)
		pr_debug("swapper: pid %d (%s) swapped out: %u pages\n", p->pid,
			 p->name, (unsigned int)rss);
	return err;
}

int swapper_swap_in(struct proc *p)
{
	if (p->pid <= 0 || p->state == PROC_ZOMBIE || !p->mm)
		return -ESRCH;
	if (!mm_swap_pending(p->mm))
		return -EALREADY;
	return mm_swap_in(p->mm, procswap_get_mode());
}

void swapper_resume(void)
{
	struct proc *p = current;
	if (!p->mm || !mm_swap_pending(p->mm))
		return;
	if (p->sig_pending & sig_bit(SIGKILL))
		return;
	/*
	 * Reading it all back may take many timer ticks: let them come.
	 * The sleep this process leaves tests its condition again anyway,
	 * so a wakeup meanwhile is not lost.
	 */
	bool was = irq_save();
	sti();
	int err = mm_swap_in(p->mm, procswap_get_mode());
	irq_restore(was);
	if (err) {
		/* It cannot run without its tables. */
		pr_err("swapper: pid %d (%s) could not be swapped in (error "
		       "%d): killed\n",
		       p->pid, p->name, err);
		signal_send(p, SIGKILL, NULL);
	}
}

/* The best process to swap out so far. */
struct relieve_choice {
	struct proc *best;
	bool stopped;
	uint32_t rss;
};

static bool has_locked(const struct mm *mm)
{
	const struct list_node *n;
	list_for_each(n, &mm->vmas) {
		if (list_entry(n, struct vma, node)->flags & VMA_LOCKED)
			return true;
	}
	return false;
}

static void consider(struct proc *p, void *arg)
{
	struct relieve_choice *c = arg;
	if (p->pid <= 1 || p->state != PROC_SLEEPING || !p->mm ||
	    p->mm->swapped_out || p->mm->rss == 0)
		return;
	bool stopped = p->jobctl_stopped;
	if (c->best && !(stopped && !c->stopped) &&
	    !(stopped == c->stopped && p->mm->rss > c->rss))
		return;
	/* The dearer tests only for a process that would be chosen. */
	if (has_locked(p->mm) || !all_asleep(p))
		return;
	c->best = p;
	c->stopped = stopped;
	c->rss = p->mm->rss;
}

bool swapper_relieve(const char *why)
{
	struct relieve_choice c = { NULL, false, 0 };
	struct swap_stats st;

	/* Nothing can go without a free slot: no scan then. */
	swap_get_stats(&st);
	if (!swap_enabled() || st.free == 0)
		return false;
	proc_for_each(consider, &c);
	if (!c.best)
		return false;
	struct pmm_stats before, after;
	pmm_get_stats(&before);
	int err = mm_swap_out(c.best->mm);
	if (err == 0) {
		pr_info("swapper: swapped out pid %d (%s), %u KiB (%s)\n",
			c.best->pid, c.best->name,
			(unsigned int)(c.rss * (PAGE_SIZE / 1024)), why);
		procswap_stats.swapout_auto++;
	}
	/* A swap-out cut short by an error may still have freed frames. */
	pmm_get_stats(&after);
	return after.free_pages > before.free_pages;
}

/* The pressure test's state (see swapper_note_fault). */
static uint64_t window_end;
static uint64_t window_steal;
static unsigned int windows_pressed;

void swapper_note_fault(void)
{
	uint64_t now = pit_ticks();
	if (now < window_end)
		return;
	uint64_t win = (uint64_t)pit_hz() * SWAPPER_WINDOW_MS / 1000;
	if (win == 0)
		win = 1;
	/* A window with no eviction, or with no fault at all, breaks it. */
	bool evicted = vm_events.pgsteal != window_steal;
	if (evicted && now < window_end + win)
		windows_pressed++;
	else
		windows_pressed = 0;
	window_steal = vm_events.pgsteal;
	window_end = now + win;
	if (windows_pressed >= SWAPPER_PRESSURE_WINDOWS) {
		windows_pressed = 0;
		swapper_relieve("memory short");
	}
}

static void count_out(struct proc *p, void *arg)
{
	/* Threads share one address space: count it at its leader. */
	if (swapper_is_out(p) && (p->group_leader ? p->group_leader : p) == p)
		++*(unsigned int *)arg;
}

void swapper_format_vmstat(struct seqbuf *sb)
{
	const struct procswap_stats *st = &procswap_stats;
	unsigned int out = 0;
	proc_for_each(count_out, &out);
	seq_printf(sb, "nr_swapped_out_processes %u\n", out);
	seq_printf(sb, "swapout_process %llu\n",
		   (unsigned long long)st->swapout_process);
	seq_printf(sb, "swapout_process_auto %llu\n",
		   (unsigned long long)st->swapout_auto);
	seq_printf(sb, "swapout_process_failed %llu\n",
		   (unsigned long long)st->swapout_failed);
	seq_printf(sb, "swapout_process_pages %llu\n",
		   (unsigned long long)st->swapout_pages);
	seq_printf(sb, "swapout_process_pgtables %llu\n",
		   (unsigned long long)st->swapout_tables);
	seq_printf(sb, "swapin_process %llu\n",
		   (unsigned long long)st->swapin_process);
	seq_printf(sb, "swapin_process_prefetch %llu\n",
		   (unsigned long long)st->swapin_prefetch);
	seq_printf(sb, "swapin_process_demand %llu\n",
		   (unsigned long long)st->swapin_demand);
	seq_printf(sb, "swapin_process_pgtables %llu\n",
		   (unsigned long long)st->swapin_tables);
	seq_printf(sb, "swapin_process_pages_prefetched %llu\n",
		   (unsigned long long)st->swapin_pages_prefetched);
	seq_printf(sb, "swapin_process_pages_on_demand %llu\n",
		   (unsigned long long)st->swapin_pages_left);
	seq_printf(sb, "swapped_process_reads %llu\n",
		   (unsigned long long)st->swapped_reads);
}

void swapper_show(struct proc *p, struct seqbuf *sb)
{
	seq_printf(sb, "%d\n", swapper_is_out(p) ? 1 : 0);
}

int swapper_write(struct proc *p, const char *buf, size_t n)
{
	size_t len = n;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (len != 1 || (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;
	int err = buf[0] == '1' ? swapper_swap_out(p) : swapper_swap_in(p);
	return err ? err : (int)n;
}

void swapper_show_mode(struct seqbuf *sb)
{
	enum procswap_mode m = procswap_get_mode();
	seq_printf(sb, "%s %s\n",
		   m == PROCSWAP_PREFETCH ? "[prefetch]" : "prefetch",
		   m == PROCSWAP_DEMAND ? "[demand]" : "demand");
}

int swapper_write_mode(const char *buf, size_t n)
{
	size_t start = 0, end = n;
	enum procswap_mode m;
	while (start < end && (buf[start] == ' ' || buf[start] == '\t'))
		start++;
	while (end > start && (buf[end - 1] == '\n' || buf[end - 1] == ' ' ||
			       buf[end - 1] == '\t'))
		end--;
	if (procswap_parse_mode(buf + start, end - start, &m) < 0)
		return -EINVAL;
	procswap_set_mode(m);
	return (int)n;
}

void swapper_init(void)
{
	const char *name = boot_options.vm_swapin;
	enum procswap_mode m;
	if (!name[0])
		return;
	if (procswap_parse_mode(name, strlen(name), &m) < 0) {
		pr_err("vm.swapin=%s: not a swap-in mode (prefetch, demand); "
		       "using %s\n",
		       name, procswap_mode_name(procswap_get_mode()));
		return;
	}
	procswap_set_mode(m);
}
