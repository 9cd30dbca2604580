/*
 * kernel/fpu.c - enabling the FPU and SSE, saving and restoring their state.
 *
 * CR0.MP and CR0.NE with CR0.EM clear give native x87 error reporting;
 * CR4.OSFXSR enables SSE and fxsave/fxrstor, CR4.OSXMMEXCPT reports SIMD
 * exceptions as #XM (Intel SDM vol. 3A, 2.5 and 13.1). A CPU without FXSR
 * falls back to fnsave/frstor of the x87 state only (and has no SSE).
 */
#include "kernel/fpu.h"

#include <stdbool.h>

#include "kernel/x86.h"
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
