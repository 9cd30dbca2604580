/*
 * kernel/syscall/syscall.c - the Linux i386 system-call dispatcher.
 *
 * User programs trap with `int 0x80`, the call number in EAX and up to six
 * arguments in EBX, ECX, EDX, ESI, EDI, EBP (the i386 Linux ABI). The
 * result, or a negative errno, goes back in EAX. Numbers without a handler
 * return -ENOSYS, and each such number is logged once.
 */
#include "kernel/syscall/syscall.h"

#include <stddef.h>

#include "kernel/proc/proc.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"

extern const struct syscall_entry __syscalls_start[], __syscalls_end[];

static const struct syscall_entry *table[NR_SYSCALLS];
static uint8_t reported[NR_SYSCALLS / 8 + 1];

/* Every Linux i386 call name, generated at build (tools/gensyscalls.py). */
extern const char *const syscall_names[];
extern const unsigned int syscall_names_count;

void syscall_init(void)
{
	for (const struct syscall_entry *e = __syscalls_start;
	     e < __syscalls_end; e++) {
		if (e->nr >= NR_SYSCALLS || table[e->nr])
			panic("syscall %u (%s) registered twice or out of range",
			      e->nr, e->name);
		table[e->nr] = e;
	}
}

const char *syscall_name(uint32_t nr)
{
	if (nr < NR_SYSCALLS && table[nr])
		return table[nr]->name;
	return nr < syscall_names_count ? syscall_names[nr] : NULL;
}

int32_t syscall_dispatch(struct trapframe *tf)
{
	uint32_t nr = tf->eax;

	/* Kept for a restart after a signal (kernel/proc/signal.c). */
	current->syscall_nr = (int32_t)nr;

	if (nr < NR_SYSCALLS && table[nr]) {
		struct syscall_args a = {
			.arg = { tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi,
				 tf->ebp },
			.tf = tf,
		};
		return table[nr]->fn(&a);
	}
	if (nr >= NR_SYSCALLS || !(reported[nr / 8] & (1u << (nr % 8)))) {
		if (nr < NR_SYSCALLS)
			reported[nr / 8] |= (uint8_t)(1u << (nr % 8));
		const char *name = syscall_name(nr);
		pr_warn("syscall: %u (%s) is not implemented: -ENOSYS\n", nr,
			name ? name : "unknown");
	}
	return -ENOSYS;
}
