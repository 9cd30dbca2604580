/*
 * tests/host/heap_fixture.h - a fresh page allocator and kernel heap for
 * the heap's host tests (test_slab.c, test_kmalloc.c).
 *
 * Every test starts from new fake RAM, a new buddy allocator and a new,
 * empty heap in the debug mode it asks for, with the log cleared.
 */
#ifndef TESTS_HOST_HEAP_FIXTURE_H
#define TESTS_HOST_HEAP_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>

#include "mm/pmm.h"
#include "mm/slab.h"
#include "tests/host/shim/host_shim.h"
#include "tests/host/shim/mm_machine.h"
#include "tests/host/shim/port_host.h"

/* A 64 MiB PC: room for every test, small enough to fill up quickly. */
#define HEAP_FIXTURE_RAM (64ull << 20)

static inline void heap_fixture_init(bool debug)
{
	if (host_boot_qemu(HEAP_FIXTURE_RAM, false) != 0)
		abort();
	kheap_init();
	if (kheap_set_debug(debug) != 0)
		abort();
	host_log_clear();
}

#endif
