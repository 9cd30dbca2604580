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

/*
 * Frees memory for the current process, which could not get a page.
 * Returns true when it may try again: another process was killed (or was
 * already dying) and has been given the CPU to exit. Returns false when
 * the current process is the victim: SIGKILL is pending, and it ends on
 * its way back to user mode.
 */
bool oom_kill(void);

#endif
