/*
 * kernel/vmctl.h - the kernel's controls of page replacement.
 *
 * The policy is chosen at boot with vm.policy=NAME (an unknown name is
 * reported and the default kept) and changed at run time by writing a
 * name to /proc/sys/vm/policy, which reads as the list of policies with
 * the active one in brackets: "[clock] fifo aging random". user/vmpolicy
 * does both from the shell. /proc/sys/vm/policy_seed makes the random
 * policy's choices repeatable.
 */
#ifndef KERNEL_VMCTL_H
#define KERNEL_VMCTL_H

#include <stddef.h>
#include <stdint.h>

/* Applies vm.policy= (after the memory manager is up). */
void vmctl_init(void);

/*
 * A write to /proc/sys/vm/policy: n bytes naming a policy, with optional
 * white space around it. Returns n, or -EINVAL for an unknown name.
 */
int vmctl_write_policy(const char *buf, size_t n);

/*
 * The random policy's seed, /proc/sys/vm/policy_seed (0 at boot). 0: the
 * kernel's random generator; N > 0: the xorshift32 stream from N, as
 * tools/vmsim --seed N draws it. Setting a seed, even the same one again,
 * starts its stream from the beginning.
 */
void vmctl_set_policy_seed(uint32_t seed);
uint32_t vmctl_policy_seed(void);

/* A write to /proc/sys/vm/policy_seed: N. Returns n, or -EINVAL. */
int vmctl_write_policy_seed(const char *buf, size_t n);

#endif
