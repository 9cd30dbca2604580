/*
 * kernel/arch/fpu.h - the x87/SSE register state of user processes.
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

#include <stdbool.h>
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

/*
 * The FPU area of an i386 signal frame, Linux's struct _fpstate_32
 * (arch/x86/include/uapi/asm/sigcontext.h):
 *
 *   +0    the x87 state in the 32-bit fnsave layout (108 bytes: control,
 *         status and full tag word, instruction and operand pointers,
 *         ST0-ST7 as 10-byte numbers), then the status word again (u16)
 *         and a magic u16: 0x0000 if an fxsave image follows, 0xFFFF if
 *         not (a CPU without FXSR)
 *   +112  the fxsave image (512 bytes: x87, MXCSR, XMM0-7), 16-byte
 *         aligned; its last 48 bytes are for software (Linux describes
 *         XSAVE state there; Pagoda has none and leaves them zero)
 *
 * Old programs read the x87 registers from the first part, so on the way
 * back (sigreturn) the x87 state is taken from there and only MXCSR and the
 * XMM registers from the fxsave image, as Linux does.
 */
#define FPU_FRAME_FNSAVE 112 /* the fnsave part with status and magic */
#define FPU_FRAME_MAX (FPU_FRAME_FNSAVE + 512)
/* The bytes of the frame's FPU area on this CPU: 624, or 112 without FXSR. */
unsigned int fpu_frame_size(void);
/* Whether the frame has the fxsave image (at FPU_FRAME_FNSAVE). */
bool fpu_frame_has_fxsave(void);
/* Writes the frame's FPU area (fpu_frame_size bytes) for the state st. */
void fpu_to_frame(const struct fpu_state *st, uint8_t *buf);
/*
 * Makes st from a frame's FPU area that the program may have changed.
 * Returns false if MXCSR has a bit set that this CPU reserves: fxrstor
 * would fault on it. (x86-64 Linux refuses such a frame, i386 Linux
 * clears the bits; Pagoda refuses it, as the reference kernel of the tests
 * does.)
 */
bool fpu_from_frame(struct fpu_state *st, const uint8_t *buf);

#endif
