/*
 * kernel/arch/fpu.c - enabling the FPU and SSE, saving and restoring their state.
 *
 * CR0.MP and CR0.NE with CR0.EM clear give native x87 error reporting;
 * CR4.OSFXSR enables SSE and fxsave/fxrstor, CR4.OSXMMEXCPT reports SIMD
 * exceptions as #XM (Intel SDM vol. 3A, 2.5 and 13.1). A CPU without FXSR
 * falls back to fnsave/frstor of the x87 state only (and has no SSE).
 *
 * A signal frame holds the state in Linux's format for i386 programs; the
 * conversions between that and the fxsave image are at the end.
 */
#include "kernel/arch/fpu.h"

#include <stdbool.h>

#include "kernel/arch/x86.h"
#include "libk/log.h"
#include "libk/string.h"

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID1_EDX_SSE (1u << 25)

static bool have_fxsr;
static struct fpu_state initial;
static void learn_mxcsr_mask(void);

void fpu_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	have_fxsr = d & CPUID1_EDX_FXSR;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	if (have_fxsr) {
		uint32_t cr4 = read_cr4() | CR4_OSFXSR;
		if (d & CPUID1_EDX_SSE)
			cr4 |= CR4_OSXMMEXCPT;
		write_cr4(cr4);
	}
	__asm__ volatile("fninit");
	fpu_save(&initial);
	learn_mxcsr_mask();
	pr_info("FPU: %s\n", have_fxsr ? "x87 and SSE, fxsave" : "x87, fnsave");
}

void fpu_init_state(struct fpu_state *st)
{
	memcpy(st, &initial, sizeof(*st));
}

void fpu_save(struct fpu_state *st)
{
	if (have_fxsr)
		__asm__ volatile("fxsave %0" : "=m"(*st));
	else
		__asm__ volatile("fnsave %0; fwait" : "=m"(*st));
}

void fpu_restore(const struct fpu_state *st)
{
	if (have_fxsr)
		__asm__ volatile("fxrstor %0" : : "m"(*st));
	else
		__asm__ volatile("frstor %0" : : "m"(*st));
}

/*
 * Signal frames (kernel/arch/fpu.h). The two register layouts are Intel's:
 * fxsave (SDM vol. 1, 10.5.1, table 10-2) and the 32-bit protected-mode
 * fnsave (vol. 1, 8.1.10, figure 8-9).
 */
#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4 /* abridged tag: one bit per register, 1 = not empty */
#define FX_FOP 6
#define FX_FIP 8
#define FX_FCS 12
#define FX_FDP 16
#define FX_FDS 20
#define FX_MXCSR 24
#define FX_MXCSR_MASK 28
#define FX_ST 32	/* ST0-ST7, 16 bytes apart */
#define FX_SOFTWARE 464 /* to the end: not written by fxsave */

#define FN_CW 0
#define FN_SW 4
#define FN_TAG 8 /* full tag: two bits per register */
#define FN_IPOFF 12
#define FN_CSSEL 16 /* code selector, opcode in bits 16-26 */
#define FN_DATAOFF 20
#define FN_DATASEL 24
#define FN_ST 28 /* ST0-ST7, 10 bytes each */
#define FN_STATUS 108
#define FN_MAGIC 110
#define FN_MAGIC_FXSR 0x0000u /* an fxsave image follows (X86_FXSR_MAGIC) */
#define FN_MAGIC_PLAIN 0xFFFFu

/* Full tag values of a register (SDM vol. 1, 8.1.7). */
#define TAG_VALID 0u
#define TAG_ZERO 1u
#define TAG_SPECIAL 2u
#define TAG_EMPTY 3u

/* MXCSR bits a CPU that reports no MXCSR_MASK accepts (SDM vol. 1, 10.5.1.2). */
#define MXCSR_MASK_DEFAULT 0xFFBFu

static uint32_t mxcsr_mask = MXCSR_MASK_DEFAULT;

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Remembers which MXCSR bits fxrstor accepts on this CPU. */
static void learn_mxcsr_mask(void)
{
	uint32_t mask = get32(initial.bytes + FX_MXCSR_MASK);
	if (have_fxsr && mask)
		mxcsr_mask = mask;
}

unsigned int fpu_frame_size(void)
{
	return have_fxsr ? FPU_FRAME_MAX : FPU_FRAME_FNSAVE;
}

bool fpu_frame_has_fxsave(void)
{
	return have_fxsr;
}

/*
 * The full tag of one register from the abridged tag fxsave keeps: an
 * empty register is empty; otherwise the value says whether it is zero,
 * a normal number, or special (NaN, infinity, denormal, unnormal).
 */
static unsigned int full_tag(const uint8_t *reg80)
{
	uint16_t exponent = get16(reg80 + 8) & 0x7FFF;
	bool integer_bit = reg80[7] & 0x80;
	bool zero_mantissa = true;

	for (int i = 0; i < 8; i++)
		zero_mantissa &= reg80[i] == 0;
	if (exponent == 0x7FFF)
		return TAG_SPECIAL;
	if (exponent == 0)
		return zero_mantissa ? TAG_ZERO : TAG_SPECIAL;
	return integer_bit ? TAG_VALID : TAG_SPECIAL;
}

void fpu_to_frame(const struct fpu_state *st, uint8_t *buf)
{
	const uint8_t *fx = st->bytes;

	memset(buf, 0, fpu_frame_size());
	if (!have_fxsr) {
		memcpy(buf, fx, 108); /* already the fnsave layout */
		put16(buf + FN_STATUS, (uint16_t)get32(fx + FN_SW));
		put16(buf + FN_MAGIC, FN_MAGIC_PLAIN);
		return;
	}
	uint16_t fsw = get16(fx + FX_FSW);
	unsigned int top = (fsw >> 11) & 7;
	uint32_t tag = 0xFFFF0000u;

	/* Tags are by physical register; ST(i) is register (top + i) % 8. */
	for (unsigned int reg = 0; reg < 8; reg++) {
		unsigned int t = TAG_EMPTY;
		if (fx[FX_FTW] & (1u << reg))
			t = full_tag(fx + FX_ST + 16 * ((reg - top) & 7));
		tag |= t << (2 * reg);
	}
	put32(buf + FN_CW, get16(fx + FX_FCW) | 0xFFFF0000u);
	put32(buf + FN_SW, fsw | 0xFFFF0000u);
	put32(buf + FN_TAG, tag);
	put32(buf + FN_IPOFF, get32(fx + FX_FIP));
	put32(buf + FN_CSSEL, get16(fx + FX_FCS) | (uint32_t)get16(fx + FX_FOP)
							   << 16);
	put32(buf + FN_DATAOFF, get32(fx + FX_FDP));
	put32(buf + FN_DATASEL, get32(fx + FX_FDS));
	for (int i = 0; i < 8; i++)
		memcpy(buf + FN_ST + 10 * i, fx + FX_ST + 16 * i, 10);
	put16(buf + FN_STATUS, fsw);
	put16(buf + FN_MAGIC, FN_MAGIC_FXSR);
	memcpy(buf + FPU_FRAME_FNSAVE, fx, FX_SOFTWARE);
}

bool fpu_from_frame(struct fpu_state *st, const uint8_t *buf)
{
	uint8_t *fx = st->bytes;

	if (!have_fxsr) {
		memcpy(fx, buf, 108);
		return true;
	}
	if (get32(buf + FPU_FRAME_FNSAVE + FX_MXCSR) & ~mxcsr_mask)
		return false;
	memcpy(fx, buf + FPU_FRAME_FNSAVE, 512);
	memset(fx + FX_SOFTWARE, 0, 512 - FX_SOFTWARE);

	/* The x87 part comes from the fnsave layout, as on Linux. */
	uint32_t tag = get32(buf + FN_TAG);
	uint8_t abridged = 0;
	for (unsigned int reg = 0; reg < 8; reg++) {
		if (((tag >> (2 * reg)) & 3) != TAG_EMPTY)
			abridged |= (uint8_t)(1u << reg);
	}
	put16(fx + FX_FCW, (uint16_t)get32(buf + FN_CW));
	put16(fx + FX_FSW, (uint16_t)get32(buf + FN_SW));
	fx[FX_FTW] = abridged;
	put16(fx + FX_FOP, (uint16_t)(get32(buf + FN_CSSEL) >> 16));
	put32(fx + FX_FIP, get32(buf + FN_IPOFF));
	put32(fx + FX_FCS, get32(buf + FN_CSSEL) & 0xFFFF);
	put32(fx + FX_FDP, get32(buf + FN_DATAOFF));
	put32(fx + FX_FDS, get32(buf + FN_DATASEL) & 0xFFFF);
	for (int i = 0; i < 8; i++)
		memcpy(fx + FX_ST + 16 * i, buf + FN_ST + 10 * i, 10);
	return true;
}
