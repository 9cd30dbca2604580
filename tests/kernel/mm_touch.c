/*
 * tests/kernel/mm_touch.c - kernel-mode accesses to user memory for the
 * in-kernel suites (see mm_touch.h).
 *
 * The fault hook runs in the trap handler with interrupts off. When
 * mm_fault() refuses a fault, the hook resumes the access's caller
 * through a saved context, the way ktest_catch_fault() does.
 */
#include "tests/kernel/mm_touch.h"

#include <stdbool.h>

#include "kernel/arch/kjmp.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "mm/vm.h"

static struct mm *touch_mm;
static struct kjmp_buf *touch_jmp;
static enum mm_fault_result touch_result;
static bool (*saved_hook)(struct trapframe *tf);

/* The kernel fault hook: faults on user addresses go to mm_fault(). */
static bool touch_hook(struct trapframe *tf)
{
	if (tf->vector == T_PAGE && touch_mm) {
		uint32_t addr = read_cr2();
		if (addr < KERNEL_VMA) {
			enum mm_fault_result r =
				mm_fault(touch_mm, addr, tf->error_code);
			if (r == MM_FAULT_OK)
				return true;
			if (touch_jmp) {
				struct kjmp_buf *b = touch_jmp;
				touch_jmp = NULL;
				touch_result = r;
				kjmp_resume(b, 1);
			}
		}
	}
	return saved_hook ? saved_hook(tf) : false;
}

/* Loads mm and installs the hook (once). */
void mm_touch_enter(struct mm *mm)
{
	if (!touch_mm) {
		saved_hook = trap_kernel_fault_hook;
		trap_kernel_fault_hook = touch_hook;
	}
	touch_mm = mm;
	vm_space_activate(&mm->space);
}

/* Loads the kernel space and puts the previous hook back. */
void mm_touch_leave(void)
{
	vm_space_activate(&kernel_space);
	if (touch_mm) {
		trap_kernel_fault_hook = saved_hook;
		touch_mm = NULL;
	}
}

/* One access with a refused fault turned into a return value. */
static enum mm_fault_result touch(vaddr_t va, bool write, uint32_t *value)
{
	struct kjmp_buf buf;
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	bool was = irq_save();
	enum mm_fault_result r;

	if (kjmp_save(&buf) == 0) {
		touch_jmp = &buf;
		irq_restore(was);
		if (write)
			*p = *value;
		else
			*value = *p;
		cli();
		touch_jmp = NULL;
		r = MM_FAULT_OK;
	} else {
		r = touch_result;
	}
	irq_restore(was);
	return r;
}

/* A kernel-mode load from user address va. */
enum mm_fault_result mm_touch_read(vaddr_t va, uint32_t *out)
{
	return touch(va, false, out);
}

/* A kernel-mode store to user address va. */
enum mm_fault_result mm_touch_write(vaddr_t va, uint32_t value)
{
	return touch(va, true, &value);
}

/* Records free frames and live heap objects. */
void mm_touch_snapshot(struct mm_touch_snapshot *s)
{
	struct pmm_stats st;
	struct kheap_totals t;

	kheap_shrink();
	pmm_get_stats(&st);
	s->free_pages = st.free_pages;
	s->heap_objects = 0;
	for (struct kmem_cache *c = kmem_cache_next(NULL); c;
	     c = kmem_cache_next(c)) {
		struct kmem_cache_stats cs;
		kmem_cache_get_stats(c, &cs);
		s->heap_objects += cs.active_objs;
	}
	kheap_get_totals(&t);
	s->heap_objects += t.large_blocks;
}

/* Compares the machine with a snapshot. */
bool mm_touch_same(const struct mm_touch_snapshot *s)
{
	struct mm_touch_snapshot now;
	mm_touch_snapshot(&now);
	return now.free_pages == s->free_pages &&
	       now.heap_objects == s->heap_objects;
}
