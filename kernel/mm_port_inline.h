/*
 * kernel/mm_port_inline.h - the inline part of the memory manager's port
 * (mm/port.h) on real x86: the interrupt flag.
 *
 * The heap and frame allocator save and restore EFLAGS.IF around every
 * list change, so these sit on every kmalloc, kfree, alloc_page and
 * free_page. Inline, they are three instructions and one; as calls, each
 * would cost about as many again. mm/port.h includes this file through
 * PORT_INLINE_HEADER, which the Makefile sets for the kernel build.
 */
#ifndef KERNEL_MM_PORT_INLINE_H
#define KERNEL_MM_PORT_INLINE_H

#include <stdbool.h>

#include "kernel/arch/x86.h"

/* Disables interrupts; returns whether they were enabled. */
static inline bool port_irq_save(void)
{
	return irq_save();
}

/* Re-enables interrupts if port_irq_save() found them enabled. */
static inline void port_irq_restore(bool was_enabled)
{
	irq_restore(was_enabled);
}

#endif
