/*
 * kernel/fpu.h - the x87/SSE register state of user processes.
 *
 * glibc uses SSE2 for its string functions, so user programs need SSE
 * enabled (CR4.OSFXSR) and every process needs its own copy of the FPU and
 * SSE registers. The kernel never uses them (it is compiled with
 * -mgeneral-regs-only), so the state is switched eagerly: saved with
 * fxsave when a process is switched out, restored with fxrstor when it
 * comes back.
 */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

#include <stdint.h>

/* The fxsave area: 512 bytes, 16-byte aligned (Intel SDM vol. 1, 10.5.1). */
struct fpu_state {
	uint8_t bytes[512];
} __attribute__((aligned(16)));

/* Turns on the FPU and SSE and records the initial register state. */
void fpu_init(void);
/* Fills st with the state a new program starts with. */
void fpu_init_state(struct fpu_state *st);
/* Saves the CPU's current FPU/SSE registers into st. */
void fpu_save(struct fpu_state *st);
/* Loads the CPU's FPU/SSE registers from st. */
void fpu_restore(const struct fpu_state *st);

#endif
