/*
 * tests/user/sig_fpu.c - the FPU and SSE registers across a handler.
 *
 * The interrupted code has numbers on the x87 stack, a non-default x87
 * control word and MXCSR, and patterns in XMM0-XMM7 when a signal comes.
 * The handler starts with the registers of a new program (control word
 * 0x037f, MXCSR 0x1f80), uses them all, and returns: the interrupted code
 * finds its own again, because the kernel saved them in the frame. A
 * handler may also change them there: the x87 control word in the frame's
 * fnsave part and XMM1 in its fxsave part come back changed.
 */
#include "utest.h"

#include <sys/syscall.h>
#include <ucontext.h>

static volatile uint32_t frame_tag, frame_sw, frame_cw;
static volatile uint16_t handler_fcw;
static volatile uint32_t handler_mxcsr;
static volatile bool change_frame;

/* The test names XMM registers: compile its functions for SSE2. */
#define SSE2 __attribute__((target("sse2")))

static SSE2 void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint16_t fcw;
	uint32_t mxcsr, junk_mxcsr = 0x6000 | 0x1f80; /* round to zero */
	volatile double d = 1.0;

	(void)sig;
	(void)si;
	__asm__ volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(fcw), "=m"(mxcsr));
	handler_fcw = fcw;
	handler_mxcsr = mxcsr;

	/* Use everything: x87 stack, control words, XMM registers. */
	for (int i = 0; i < 10; i++)
		d = d * 1.5 + 0.25;
	__asm__ volatile("fldz\n\tfldz\n\tfldz\n\t"
			 "fldcw %0\n\t"
			 "ldmxcsr %1\n\t"
			 "pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
			 "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
			 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
			 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
			 "fstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)"
			 :
			 : "m"(*(const uint16_t[]){ 0x0c7f }), "m"(junk_mxcsr)
			 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
			   "xmm5", "xmm6", "xmm7");
	(void)d;

	/* The interrupted code's x87 words, in the frame's fnsave part. */
	frame_cw = uc->uc_mcontext.fpregs->cw & 0xffff;
	frame_sw = uc->uc_mcontext.fpregs->sw & 0xffff;
	frame_tag = uc->uc_mcontext.fpregs->tag & 0xffff;

	if (change_frame) {
		uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
		/* cw is the first word of the fnsave part (struct _fpstate) */
		*(uint32_t *)fp = 0xffff0000u | 0x027f; /* 53-bit precision */
		/* XMM1 is at 160 + 16 in the fxsave image, after 112 bytes */
		memset(fp + 112 + 160 + 16, 0xab, 16);
	}
}

/* What run() loads before the signal and finds after it. */
static uint8_t xmm_before[8][16], xmm_after[8][16];
static uint16_t fcw_after;
static uint32_t mxcsr_after;
static double st0, st1;

/*
 * Sets up the registers, signals itself with int $0x80 and reads them
 * back, with no C code between that could use them. The operands are
 * static, so that their addresses need no register.
 */
static SSE2 void run(void)
{
	static uint16_t fcw = 0x0b7f;	/* round up, all exceptions masked */
	static uint32_t mxcsr = 0x5f80; /* round up, all exceptions masked */
	static const uint16_t fcw_default = 0x037f;
	static const uint32_t mxcsr_default = 0x1f80;
	uint32_t nr = SYS_tkill;

	for (int r = 0; r < 8; r++)
		for (int b = 0; b < 16; b++)
			xmm_before[r][b] = (uint8_t)(r * 16 + b + 1);
	__asm__ volatile("fninit\n\t"
			 "fldcw %[fcw]\n\t"
			 "ldmxcsr %[mxcsr]\n\t"
			 "fldpi\n\t"
			 "fld1\n\t"
			 "fldz\n\t"
			 "movdqu %[in], %%xmm0\n\t"
			 "movdqu 16+%[in], %%xmm1\n\t"
			 "movdqu 32+%[in], %%xmm2\n\t"
			 "movdqu 48+%[in], %%xmm3\n\t"
			 "movdqu 64+%[in], %%xmm4\n\t"
			 "movdqu 80+%[in], %%xmm5\n\t"
			 "movdqu 96+%[in], %%xmm6\n\t"
			 "movdqu 112+%[in], %%xmm7\n\t"
			 "int $0x80\n\t"
			 "movdqu %%xmm0, %[out]\n\t"
			 "movdqu %%xmm1, 16+%[out]\n\t"
			 "movdqu %%xmm2, 32+%[out]\n\t"
			 "movdqu %%xmm3, 48+%[out]\n\t"
			 "movdqu %%xmm4, 64+%[out]\n\t"
			 "movdqu %%xmm5, 80+%[out]\n\t"
			 "movdqu %%xmm6, 96+%[out]\n\t"
			 "movdqu %%xmm7, 112+%[out]\n\t"
			 "fstp %%st(0)\n\t"
			 "fstpl %[st0]\n\t"
			 "fstpl %[st1]\n\t"
			 "fnstcw %[fcw_after]\n\t"
			 "stmxcsr %[mxcsr_after]\n\t"
			 "fldcw %[fcw_default]\n\t"
			 "ldmxcsr %[mxcsr_default]"
			 : "+a"(nr), [out] "=m"(xmm_after), [st0] "=m"(st0),
			   [st1] "=m"(st1), [fcw_after] "=m"(fcw_after),
			   [mxcsr_after] "=m"(mxcsr_after)
			 : [in] "m"(xmm_before), [fcw] "m"(fcw),
			   [mxcsr] "m"(mxcsr), [fcw_default] "m"(fcw_default),
			   [mxcsr_default] "m"(mxcsr_default), "b"(getpid()),
			   "c"(SIGUSR1)
			 : "memory", "edx", "xmm0", "xmm1", "xmm2", "xmm3",
			   "xmm4", "xmm5", "xmm6", "xmm7");
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	bool same;

	ut_begin(argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);

	run();
	ut_fact("handler started with x87 control word 0x%04x, MXCSR 0x%04x",
		handler_fcw, handler_mxcsr);
	/* pi, 1 and 0 pushed: TOP 5, registers 7 and 6 valid, 5 zero. */
	ut_fact("frame: x87 cw 0x%04x, sw 0x%04x, full tag word 0x%04x",
		frame_cw, frame_sw, frame_tag);
	ut_check(fcw_after == 0x0b7f, "x87 control word kept: 0x%04x",
		 fcw_after);
	ut_check(mxcsr_after == 0x5f80, "MXCSR kept: 0x%04x", mxcsr_after);
	ut_check(st0 == 1.0 && st1 > 3.14159 && st1 < 3.1416,
		 "x87 stack kept: 1 and pi");
	same = true;
	for (int r = 0; r < 8; r++)
		for (int b = 0; b < 16; b++)
			same &= xmm_after[r][b] == (uint8_t)(r * 16 + b + 1);
	ut_check(same, "XMM0-XMM7 kept");

	change_frame = true;
	run();
	ut_check(fcw_after == 0x027f,
		 "control word changed in the frame comes back: 0x%04x",
		 fcw_after);
	same = true;
	for (int b = 0; b < 16; b++)
		same &= xmm_after[1][b] == 0xab;
	ut_check(same, "XMM1 changed in the frame comes back");
	ut_check(xmm_after[2][0] == 33 && mxcsr_after == 0x5f80,
		 "the other registers are kept");
	ut_check(st0 == 1.0, "x87 stack kept");
	return ut_end();
}
