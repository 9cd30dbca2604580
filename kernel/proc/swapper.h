/*
 * kernel/proc/swapper.h - the medium-term scheduler: which sleeping
 * process is swapped out as a whole, and when it comes back
 * (docs/process-swapping.md; the memory side is mm/procswap.h).
 */
#ifndef KERNEL_PROC_SWAPPER_H
#define KERNEL_PROC_SWAPPER_H

#include <stdbool.h>
#include <stddef.h>

struct proc;
struct seqbuf;

/*
 * Swaps out p's address space as a whole. Every process using it (p and
 * its threads, a vfork child) must be asleep: blocked or stopped.
 * Returns 0; -ESRCH for a zombie or the idle context; -EBUSY if one of
 * them is running or runnable, or mm_swap_out() says so (locked memory,
 * a pinned page); -EALREADY if it is out already; -ENOSPC, -EIO, -ENOMEM
 * from mm_swap_out().
 */
int swapper_swap_out(struct proc *p);

/*
 * Brings p's address space back now in the current mode, without waking
 * it (echo 0 > /proc/PID/swapout). 0, -EALREADY if it is not out, or an
 * error of mm_swap_in().
 */
int swapper_swap_in(struct proc *p);

/* Whether p's address space is swapped out as a whole. */
bool swapper_is_out(const struct proc *p);

/*
 * The current process has just woken up (kernel/proc/sched.c): if its
 * address space is out, it comes back before the process goes on.
 */
void swapper_resume(void);

/*
 * Memory is short: swaps out the sleeping process that frees the most
 * (a stopped one first; never init, nor one with locked memory). Returns
 * true if frames were freed. why is logged ("oom", "pressure").
 */
bool swapper_relieve(const char *why);

/*
 * Called on every user page fault: when reclaim has had to evict pages in
 * every 100 ms window for a second, memory stays short, and one sleeping
 * process goes (swapper_relieve).
 */
void swapper_note_fault(void);

/* /proc/PID/swapout: "1\n" while out, else "0\n"; a write of 1 or 0. */
void swapper_show(struct proc *p, struct seqbuf *sb);
int swapper_write(struct proc *p, const char *buf, size_t n);

/* /proc/sys/vm/swapin_mode: "[prefetch] demand\n"; a write of a name. */
void swapper_show_mode(struct seqbuf *sb);
int swapper_write_mode(const char *buf, size_t n);

/* The counters' lines of /proc/vmstat (mm/procswap.h). */
void swapper_format_vmstat(struct seqbuf *sb);

/* Applies vm.swapin= from the command line. */
void swapper_init(void);

#endif
