/*
 * kernel/vmctl.h - the kernel's controls of page replacement.
 *
 * The policy is chosen at boot with vm.policy=NAME (an unknown name is
 * reported and the default kept) and changed at run time by writing a
 * name to /proc/sys/vm/policy, which reads as the list of policies with
 * the active one in brackets: "[clock] fifo aging random". user/vmpolicy
 * does both from the shell.
 */
#ifndef KERNEL_VMCTL_H
#define KERNEL_VMCTL_H

#include <stddef.h>

/* Applies vm.policy= (after the memory manager is up). */
void vmctl_init(void);

/*
 * A write to /proc/sys/vm/policy: n bytes naming a policy, with optional
 * white space around it. Returns n, or -EINVAL for an unknown name.
 */
int vmctl_write_policy(const char *buf, size_t n);

#endif
