/*
 * kernel/proc/oom.h - the out-of-memory killer.
 *
 * When a page fault cannot get a frame even after reclaim (swap full or
 * off, or nothing evictable), mm_fault() returns MM_FAULT_OOM and the trap
 * handler calls oom_kill(), which picks the process with the most memory
 * (resident pages plus pages in swap), sends it SIGKILL and prints one
 * line:
 *
 *   OOM: killed pid 7 (memhog): rss 10240 KiB, swap 65536 KiB
 *
 * Init (PID 1) is spared while any other process could be killed instead,
 * as on Linux. The kernel itself never panics for lack of user memory.
 */
#ifndef KERNEL_OOM_H
#define KERNEL_OOM_H

#include <stdbool.h>

struct proc;

/*
 * Frees memory for the current process, which could not get a page.
 * Returns true when it may try again: another process was killed (or was
 * already dying) and has exited, or a signal ended the wait. Returns
 * false when the current process is the victim (SIGKILL is pending, and
 * it ends on its way back to user mode), or when no process at all has
 * memory to give.
 */
bool oom_kill(void);

/*
 * Called by proc_exit() once p's address space is freed (and for a
 * process freed without running): if p was the victim, the killer
 * forgets it and wakes the processes waiting for its memory.
 */
void oom_proc_gone(struct proc *p);

#endif
