/*
 * kernel/proc/futex.h - fast user-space mutexes (futex(2)).
 *
 * A futex is a 32-bit word in user memory. A thread that finds a lock
 * taken calls FUTEX_WAIT with the value it saw: the kernel sleeps it only
 * if the word still holds that value, so no wakeup is lost. The thread
 * that releases the lock calls FUTEX_WAKE. The kernel keeps no state for
 * a futex nobody waits on: only a list of waiters, each with the key of
 * the word it waits on (kernel/proc/futex.c).
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

struct mm;

/*
 * Wakes up to n waiters on the word at uaddr in mm (private: as
 * FUTEX_PRIVATE_FLAG keys it). Returns how many were woken, or -EFAULT
 * when uaddr is not in a region.
 */
int futex_wake_address(struct mm *mm, uint32_t uaddr, int n, bool private);
/* Waiters in all (for the in-kernel tests and /proc/pagoda). */
unsigned int futex_waiters(void);

#endif
