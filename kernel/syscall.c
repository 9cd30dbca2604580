/*
 * kernel/syscall.c - the Linux i386 system-call dispatcher.
 *
 * User programs trap with `int 0x80`, the call number in EAX and up to six
 * arguments in EBX, ECX, EDX, ESI, EDI, EBP (the i386 Linux ABI). The
 * result, or a negative errno, goes back in EAX. Numbers without a handler
 * return -ENOSYS, and each such number is logged once.
 */
#include <stdint.h>

#include "kernel/trap.h"
#include "libk/errno.h"
#include "libk/log.h"

#define NR_SYSCALLS 450

typedef int32_t (*syscall_fn)(struct trapframe *tf);

/* The handlers, indexed by Linux i386 system-call number. */
static const syscall_fn syscall_table[NR_SYSCALLS];
static uint8_t reported[NR_SYSCALLS / 8 + 1];

int32_t syscall_dispatch(struct trapframe *tf)
{
	uint32_t nr = tf->eax;

	if (nr < NR_SYSCALLS && syscall_table[nr])
		return syscall_table[nr](tf);
	if (nr >= NR_SYSCALLS || !(reported[nr / 8] & (1u << (nr % 8)))) {
		if (nr < NR_SYSCALLS)
			reported[nr / 8] |= (uint8_t)(1u << (nr % 8));
		pr_warn("syscall: %u is not implemented (-ENOSYS)\n", nr);
	}
	return -ENOSYS;
}
