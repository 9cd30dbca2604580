/*
 * kernel/arch/kjmp.h - saving and resuming an execution context (boot/kjmp.asm).
 */
#ifndef KERNEL_KJMP_H
#define KERNEL_KJMP_H

#include <stdint.h>

struct kjmp_buf {
	uint32_t ebx, esi, edi, ebp, esp, eip;
};

/* Returns 0 when saving, and v when resumed by kjmp_resume(buf, v). */
__attribute__((returns_twice)) int kjmp_save(struct kjmp_buf *buf);
__attribute__((noreturn)) void kjmp_resume(struct kjmp_buf *buf, int v);

/* Calls fn(arg) on the stack whose top is stack_top. */
void kstack_call(void (*fn)(void *arg), void *arg, uint32_t stack_top);

#endif
