/*
 * tests/kernel/mm_touch.h - kernel-mode accesses to an address space's
 * user memory for the in-kernel suites of regions and faults.
 *
 * mm_touch_enter(mm) loads mm and routes page faults on user addresses
 * to mm_fault(mm), as the trap handler does for a process's user copies.
 * A fault mm_fault() resolves is retried by the CPU; one it refuses ends
 * the access, and mm_touch_read/write return the reason instead of
 * panicking. The kernel runs in ring 0, so its faults carry no PF_USER,
 * and pages kept present but not user-accessible (PROT_NONE) do not
 * fault for it.
 */
#ifndef TESTS_KERNEL_MM_TOUCH_H
#define TESTS_KERNEL_MM_TOUCH_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mm.h"

/* Loads mm and sends faults on user addresses to mm_fault(mm). */
void mm_touch_enter(struct mm *mm);
/* Loads the kernel's space again; user faults panic as before. */
void mm_touch_leave(void);
/*
 * Reads or writes the 32-bit word at va with an ordinary load or store.
 * Returns MM_FAULT_OK, or the fault result that stopped it.
 */
enum mm_fault_result mm_touch_read(vaddr_t va, uint32_t *out);
enum mm_fault_result mm_touch_write(vaddr_t va, uint32_t value);

/* What the machine holds, for "nothing leaked" checks. */
struct mm_touch_snapshot {
	uint32_t free_pages;   /* free frames, after the heap shrank */
	uint32_t heap_objects; /* live heap objects and large blocks */
};

void mm_touch_snapshot(struct mm_touch_snapshot *s);
/* Whether the machine holds what it held at snapshot s. */
bool mm_touch_same(const struct mm_touch_snapshot *s);

#endif
