/*
 * tests/host/mm_fixture.h - address spaces on fake RAM for the host tests
 * of regions, faults, fork and shared memory (test_vma.c, test_fault.c,
 * test_mmfork.c, test_shm.c).
 *
 * Every test boots a fresh machine (frame allocator, kernel page tables,
 * debug-mode heap). Accesses go through the shim's MMU model the way the
 * CPU would make them: mm_touch() tries the access, and on a fault calls
 * mm_fault() with the error code the CPU would push, then retries. The
 * "no leak" checks compare free frames and live heap objects with a
 * baseline taken before the test built anything.
 */
#ifndef TESTS_HOST_MM_FIXTURE_H
#define TESTS_HOST_MM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/mm.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "mm/vm.h"
#include "tests/host/shim/host_shim.h"
#include "tests/host/shim/mm_machine.h"
#include "tests/host/shim/port_host.h"

/* A 64 MiB PC. */
#define MM_FIXTURE_RAM (64ull << 20)

/* What the machine holds: free frames and live heap objects. */
struct mm_baseline {
	uint32_t free_pages;
	uint32_t user_pages;
	uint32_t pgtable_pages;
	uint32_t heap_objects;
};

static inline uint32_t mm_fixture_heap_objects(void)
{
	uint32_t n = 0;
	for (struct kmem_cache *c = kmem_cache_next(NULL); c;
	     c = kmem_cache_next(c)) {
		struct kmem_cache_stats st;
		kmem_cache_get_stats(c, &st);
		n += st.active_objs;
	}
	struct kheap_totals t;
	kheap_get_totals(&t);
	return n + t.large_blocks;
}

/* Takes the baseline, with the heap's empty slabs returned first. */
static inline struct mm_baseline mm_fixture_baseline(void)
{
	struct pmm_stats st;
	struct mm_baseline b;
	kheap_shrink();
	pmm_get_stats(&st);
	b.free_pages = st.free_pages;
	b.user_pages = st.user_pages;
	b.pgtable_pages = st.pgtable_pages;
	b.heap_objects = mm_fixture_heap_objects();
	return b;
}

/*
 * Whether everything taken since b was given back: frames (user, page
 * tables, all free ones) and live heap objects.
 */
static inline bool mm_fixture_same(struct mm_baseline b)
{
	struct mm_baseline now = mm_fixture_baseline();
	return now.free_pages == b.free_pages &&
	       now.user_pages == b.user_pages &&
	       now.pgtable_pages == b.pgtable_pages &&
	       now.heap_objects == b.heap_objects;
}

/*
 * Fills every free frame with a junk byte, as a machine that has run for a
 * while holds old data in its free memory (a fresh host machine's RAM is
 * all zeros, which would hide a frame handed out without GFP_ZERO where
 * zeros are due). Frames are taken one by one and given back in the same
 * order, so the free lists end as they were.
 */
static inline void mm_fixture_junk_free_frames(void)
{
	struct page *held = NULL, *pg;
	while ((pg = pmm_alloc_frame(GFP_KERNEL)) != NULL) {
		memset(page_address(pg), 0xa5, PAGE_SIZE);
		*(struct page **)page_address(pg) = held;
		held = pg;
	}
	while (held) {
		pg = held;
		held = *(struct page **)page_address(pg);
		memset(page_address(pg), 0xa5, sizeof(held));
		pmm_free_frame(pg);
	}
	pmm_drain_cache();
}

/* Fresh machine with junk in its free frames, heap in debug mode (red
 * zones catch overruns). */
static inline int mm_fixture_boot(void **state)
{
	(void)state;
	host_cpu_pge = true;
	if (host_boot_qemu(MM_FIXTURE_RAM, true) != 0)
		abort();
	mm_fixture_junk_free_frames();
	kheap_init();
	if (kheap_set_debug(true) != 0)
		abort();
	host_log_clear();
	return 0;
}

/* Access kinds for mm_touch. */
#define TOUCH_READ 0u
#define TOUCH_WRITE HOST_MMU_WRITE
#define TOUCH_USER HOST_MMU_USER

/*
 * Makes an access to va in mm as the CPU would (mm is loaded first), and
 * resolves faults with mm_fault() like the trap handler. Returns the
 * first fault result that is not MM_FAULT_OK, or MM_FAULT_OK with *pa set
 * once the access succeeds. A fault that mm_fault() calls resolved but
 * that happens again is reported as -1 (an endless fault loop).
 */
static inline int mm_touch(struct mm *mm, vaddr_t va, unsigned int access,
			   paddr_t *pa)
{
	paddr_t tmp;
	if (!pa)
		pa = &tmp;
	if (vm_space_current() != &mm->space)
		vm_space_activate(&mm->space);
	for (int tries = 0; tries < 3; tries++) {
		if (host_mmu_access(va, access, pa) == 0)
			return MM_FAULT_OK;
		uint32_t err = 0;
		pte_t *ptep = vm_pte_lookup(&mm->space, page_round_down(va));
		if (ptep && pte_present(*ptep))
			err |= MM_PF_PRESENT;
		if (access & HOST_MMU_WRITE)
			err |= MM_PF_WRITE;
		if (access & HOST_MMU_USER)
			err |= MM_PF_USER;
		enum mm_fault_result r = mm_fault(mm, va, err);
		if (r != MM_FAULT_OK)
			return (int)r;
	}
	return -1;
}

/* The byte at user address va of the loaded space, through the MMU. */
static inline uint8_t *mm_user_byte(struct mm *mm, vaddr_t va,
				    unsigned int access)
{
	paddr_t pa;
	if (mm_touch(mm, va, access | TOUCH_USER, &pa) != MM_FAULT_OK)
		return NULL;
	return host_ram + pa;
}

/* Writes a 32-bit value at va as user code would; false on a fault. */
static inline bool mm_poke(struct mm *mm, vaddr_t va, uint32_t value)
{
	uint8_t *p = mm_user_byte(mm, va, TOUCH_WRITE);
	if (!p)
		return false;
	__builtin_memcpy(p, &value, sizeof(value));
	return true;
}

/* Reads a 32-bit value at va as user code would; ~0 on a fault. */
static inline uint32_t mm_peek(struct mm *mm, vaddr_t va)
{
	uint32_t value = ~0u;
	uint8_t *p = mm_user_byte(mm, va, TOUCH_READ);
	if (p)
		__builtin_memcpy(&value, p, sizeof(value));
	return value;
}

/* The PTE of va in mm (0 if none). */
static inline pte_t mm_pte(struct mm *mm, vaddr_t va)
{
	pte_t *ptep = vm_pte_lookup(&mm->space, page_round_down(va));
	return ptep ? *ptep : 0;
}

/* Number of regions. */
static inline unsigned int mm_nr_vmas(struct mm *mm)
{
	unsigned int n = 0;
	for (struct vma *v = mm_next_vma(mm, NULL); v; v = mm_next_vma(mm, v))
		n++;
	return n;
}

/* Back to the kernel's space, then destroys mm. */
static inline void mm_fixture_destroy(struct mm *mm)
{
	vm_space_activate(&kernel_space);
	mm_destroy(mm);
}

/* A new, empty address space; fails the test if there is no memory. */
static inline struct mm *mm_fixture_new(void)
{
	struct mm *mm;
	assert_int_equal(mm_create(&mm), 0);
	return mm;
}

/* Maps anonymous memory at exactly addr; fails the test on an error. */
static inline void mm_fixture_map(struct mm *mm, vaddr_t addr, size_t len,
				  uint32_t prot, uint32_t flags)
{
	vaddr_t a;
	assert_int_equal(mm_map(mm, addr, len, prot, flags | MM_MAP_FIXED,
				VMA_ANON, NULL, &a),
			 0);
}

#endif
