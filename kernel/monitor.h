/*
 * kernel/monitor.h - the kernel's console prompt.
 */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H

/* Reads commands from the console forever. */
__attribute__((noreturn)) void monitor_run(void);

#endif
