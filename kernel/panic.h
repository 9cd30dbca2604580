/*
 * kernel/panic.h - fatal error reports and backtraces.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

#include "libk/assert.h"

struct trapframe;

/*
 * Reports a CPU exception the kernel cannot handle: the exception's name,
 * its decoded error code, every register and a symbolized backtrace; then
 * halts (or ends QEMU with a failure code when running tests).
 */
__attribute__((noreturn)) void panic_trap(const struct trapframe *tf,
					  const char *why);

/* Prints a backtrace by walking the EBP chain starting at ebp. */
void backtrace_print(uint32_t eip, uint32_t ebp);

/*
 * Looks up the function containing addr in the embedded symbol table.
 * Returns its name and sets *offset, or NULL when unknown.
 */
const char *ksym_lookup(uint32_t addr, uint32_t *offset);

/* Set when tests run: a panic then ends QEMU with the failure code. */
extern int panic_exits_qemu;

#endif
