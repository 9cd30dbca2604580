/*
 * kernel/monitor.h - the kernel's console prompt, and its memory commands
 * (kernel/monitor_mm.c), which SysRq also runs (kernel/sysrq.c).
 */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H

#include <stdint.h>

/* Reads commands from the console forever. */
__attribute__((noreturn)) void monitor_run(void);

/* The memory commands: each prints on the console. */
void monitor_mm_ps(void);
void monitor_mm_vmas(int pid);
void monitor_mm_pt(int pid);
void monitor_mm_page(uint32_t pfn);
void monitor_mm_buddy(void);
void monitor_mm_slab(void);
void monitor_mm_swap(void);
void monitor_mm_mem(void);

#endif
