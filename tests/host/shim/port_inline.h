/*
 * tests/host/shim/port_inline.h - the inline part of the memory manager's
 * port (mm/port.h) on the host: a simulated interrupt flag.
 *
 * mm/port.h includes this file through PORT_INLINE_HEADER, which the host
 * builds (tests/host/host.mk, tests/host/bench.mk, tests/fuzz/fuzz.mk) set.
 * Tests check that every operation leaves host_irq_enabled as it found it,
 * and host_port_counts.irq_save counts the critical sections.
 */
#ifndef HOST_PORT_INLINE_H
#define HOST_PORT_INLINE_H

#include <stdbool.h>

#include "tests/host/shim/port_host.h"

/* Clears the simulated EFLAGS.IF; returns whether it was set. */
static inline bool port_irq_save(void)
{
	bool was = host_irq_enabled;
	host_port_counts.irq_save++;
	host_irq_enabled = false;
	return was;
}

/* Sets the simulated EFLAGS.IF again if port_irq_save() found it set. */
static inline void port_irq_restore(bool was_enabled)
{
	if (was_enabled)
		host_irq_enabled = true;
}

#endif
