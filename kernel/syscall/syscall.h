/*
 * kernel/syscall/syscall.h - defining Linux i386 system calls.
 *
 * A handler receives the six argument registers (EBX, ECX, EDX, ESI, EDI,
 * EBP, in that order: the i386 Linux ABI) and the trap frame, and returns
 * the result or a negative errno. It registers itself next to its code:
 *
 *     static int32_t sys_getpid(const struct syscall_args *a) { ... }
 *     SYSCALL(20, getpid, sys_getpid);
 *
 * The number is Linux's (arch/x86/entry/syscalls/syscall_32.tbl); the name
 * is what the kernel prints about the call. At boot the registrations,
 * gathered in the .syscalls section, fill the dispatch table; numbers
 * without a handler return -ENOSYS and are logged once by name when known.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>

#include "kernel/arch/trap.h"

#define NR_SYSCALLS 460

struct syscall_args {
	uint32_t arg[6];         /* EBX, ECX, EDX, ESI, EDI, EBP */
	struct trapframe *tf;    /* the caller's registers (fork, execve) */
};

typedef int32_t (*syscall_fn)(const struct syscall_args *a);

struct syscall_entry {
	uint32_t nr;
	const char *name;
	syscall_fn fn;
};

#define SYSCALL(nr_, name_, fn_)                                              \
	static const struct syscall_entry syscall_entry_##name_               \
		__attribute__((used, section(".syscalls"), aligned(4))) = {   \
			.nr = (nr_), .name = #name_, .fn = (fn_)              \
		}

/* Builds the dispatch table from the registrations. */
void syscall_init(void);
/* The name of a system call number, or NULL. */
const char *syscall_name(uint32_t nr);

#endif
