/*
 * libk/assert.h - invariants and panic.
 *
 * panic() is provided by the environment libk runs in: the kernel
 * (kernel/panic.c prints a report and halts) or the host test shim.
 */
#ifndef LIBK_ASSERT_H
#define LIBK_ASSERT_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Checks an invariant; on failure panics naming the condition and place. */
#define KASSERT(cond)                                                         \
	do {                                                                  \
		if (__builtin_expect(!(cond), 0))                             \
			panic("assertion failed: %s at %s:%d (%s)", #cond,    \
			      __FILE__, __LINE__, __func__);                  \
	} while (0)

/* A compile-time check. */
#define STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif
