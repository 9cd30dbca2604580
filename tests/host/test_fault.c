/*
 * tests/host/test_fault.c - page-fault decisions (mm/fault.c) on fake RAM:
 * one test per row of the decision table, through the shim's MMU model
 * (which sets the error code the CPU would), in user and kernel mode, with
 * the vm_events counters checked for each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/rmap.h"
#include "tests/host/mm_fixture.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define RO MM_PROT_READ
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x30000000u
#define UW (TOUCH_USER | TOUCH_WRITE)

static struct page *frame_of(struct mm *mm, vaddr_t va)
{
	pte_t pte = mm_pte(mm, va);
	assert_true(pte & PTE_P);
	return phys_to_page(pte_frame(pte));
}

/* Demand-zero: a read maps a zeroed frame, writable if the region is. */
static void test_demand_zero(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(2), RW, 0);
	struct vm_events e0 = vm_events;
	struct mm_baseline b0 = mm_fixture_baseline();
	uint32_t families0 = rmap_families();
	paddr_t pa;
	assert_int_equal(mm_touch(mm, BASE + 8, TOUCH_USER, &pa), MM_FAULT_OK);
	assert_int_equal(vm_events.pgfault, e0.pgfault + 1);
	assert_int_equal(vm_events.zero_faults, e0.zero_faults + 1);
	for (uint32_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(host_ram[(pa & PAGE_MASK) + i], 0);
	pte_t pte = mm_pte(mm, BASE);
	assert_int_equal(pte_flags(pte) & (PTE_P | PTE_U | PTE_W | PTE_COW),
			 PTE_P | PTE_U | PTE_W);
	assert_int_equal(frame_of(mm, BASE)->refcount, 1);
	assert_int_equal(mm->rss, 1);
	/*
	 * One frame for the page, one for its page table, and one heap
	 * object: the region's anonymous family, made by its first page.
	 */
	struct mm_baseline b1 = mm_fixture_baseline();
	assert_int_equal(b1.user_pages, b0.user_pages + 1);
	assert_int_equal(b1.pgtable_pages, b0.pgtable_pages + 1);
	assert_int_equal(b1.heap_objects, b0.heap_objects + 1);
	assert_int_equal(rmap_families(), families0 + 1);
	assert_ptr_equal(frame_of(mm, BASE)->user.anon.family,
			 mm_find_vma(mm, BASE)->family);
	/* The write needs no second fault. */
	assert_int_equal(mm_touch(mm, BASE + 8, UW, NULL), MM_FAULT_OK);
	assert_int_equal(vm_events.pgfault, e0.pgfault + 1);
	/* A read-only region maps its page read-only. */
	mm_fixture_map(mm, BASE + P(4), P(1), RO, 0);
	assert_int_equal(mm_touch(mm, BASE + P(4), TOUCH_USER, NULL),
			 MM_FAULT_OK);
	assert_false(mm_pte(mm, BASE + P(4)) & PTE_W);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/*
 * A demand-zero page is zeroed even when its frame held data before: every
 * free frame is filled with a pattern first (a fresh host machine's RAM is
 * all zeros, which would hide a missing GFP_ZERO).
 */
static void test_demand_zero_frame_is_zeroed(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(4), RW, 0);
	struct page *held = NULL;
	struct page *pg;
	uint32_t n = 0;
	while ((pg = pmm_alloc_frame(GFP_KERNEL)) != NULL) {
		memset(page_address(pg), 0xa5, PAGE_SIZE);
		*(struct page **)page_address(pg) = held;
		held = pg;
		n++;
	}
	assert_true(n > 0);
	while (held) {
		pg = held;
		held = *(struct page **)page_address(pg);
		pmm_free_frame(pg);
	}
	for (uint32_t p = 0; p < 4; p++) {
		paddr_t pa;
		assert_int_equal(mm_touch(mm, BASE + P(p), TOUCH_USER, &pa),
				 MM_FAULT_OK);
		for (uint32_t i = 0; i < PAGE_SIZE; i++) {
			uint8_t b = host_ram[(pa & PAGE_MASK) + i];
			if (b != 0)
				fail_msg("demand-zero fault mapped a frame that "
					 "was not zeroed: byte %u of page %u is "
					 "%#x (allocate it with GFP_ZERO)",
					 i, p, b);
		}
	}
	mm_fixture_destroy(mm);
}

/* Heap and stack regions are demand-zero too. */
static void test_demand_zero_heap_stack(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_init_brk(mm, BASE);
	assert_int_equal(mm_brk(mm, BASE + P(2)), BASE + P(2));
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(1)), 0);
	struct vm_events e0 = vm_events;
	assert_true(mm_poke(mm, BASE + P(1), 3));
	assert_true(mm_poke(mm, MM_STACK_TOP - 4, 4));
	assert_int_equal(vm_events.zero_faults, e0.zero_faults + 2);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/* No region: unmapped; user access to kernel space; page 0. */
static void test_unmapped_and_kernel(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(1), RW, 0);
	struct vm_events e0 = vm_events;
	assert_int_equal(mm_touch(mm, BASE + P(1), TOUCH_USER, NULL),
			 MM_FAULT_UNMAPPED);
	assert_int_equal(mm_touch(mm, 0, TOUCH_USER, NULL), MM_FAULT_UNMAPPED);
	assert_int_equal(mm_touch(mm, KERNEL_VMA + 0x1000, TOUCH_USER, NULL),
			 MM_FAULT_KERNEL_ADDRESS);
	assert_int_equal(mm_fault(mm, 0xFFFFFFFF, MM_PF_USER | MM_PF_WRITE),
			 MM_FAULT_KERNEL_ADDRESS);
	assert_int_equal(vm_events.pgfault, e0.pgfault + 4);
	assert_int_equal(vm_events.zero_faults, e0.zero_faults);
	assert_int_equal(mm->rss, 0);
	assert_string_equal(mm_fault_reason(MM_FAULT_UNMAPPED),
			    "address not mapped");
	assert_non_null(strstr(mm_fault_reason(MM_FAULT_STACK_LIMIT), "stack"));
	mm_fixture_destroy(mm);
}

/* Protection: writes to read-only memory, any access to PROT_NONE. */
static void test_protection(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(1), RO, 0);
	mm_fixture_map(mm, BASE + P(1), P(1), 0, 0);
	mm_fixture_map(mm, BASE + P(2), P(1), MM_PROT_EXEC, 0);
	/* Not present yet: the write fails before any page is allocated. */
	assert_int_equal(mm_touch(mm, BASE, UW, NULL), MM_FAULT_PROTECTION);
	assert_int_equal(mm->rss, 0);
	assert_int_equal(mm_touch(mm, BASE, TOUCH_USER, NULL), MM_FAULT_OK);
	/* Present and read-only: a protection fault, still refused. */
	assert_int_equal(mm_touch(mm, BASE, UW, NULL), MM_FAULT_PROTECTION);
	assert_int_equal(mm_touch(mm, BASE + P(1), TOUCH_USER, NULL),
			 MM_FAULT_PROTECTION);
	assert_int_equal(mm_touch(mm, BASE + P(1), UW, NULL),
			 MM_FAULT_PROTECTION);
	/* Execute-only reads: i386 pages without NX cannot tell them apart. */
	assert_int_equal(mm_touch(mm, BASE + P(2), TOUCH_USER, NULL),
			 MM_FAULT_OK);
	/* With NX an instruction fetch would report PF_FETCH. */
	assert_int_equal(mm_fault(mm, BASE, MM_PF_USER | MM_PF_FETCH),
			 MM_FAULT_PROTECTION);
	assert_int_equal(mm_fault(mm, BASE + P(2), MM_PF_USER | MM_PF_FETCH),
			 MM_FAULT_OK);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/*
 * A file region of 5 pages at file offset 4096: 2.5 pages from the file,
 * then zeros (bss). Each page's contents and the counters.
 */
static void test_file_load(void **state)
{
	(void)state;
	static uint8_t image[P(4)];
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + 3);
	struct mm *mm = mm_fixture_new();
	struct vma_file f = {
		image, sizeof(image), P(1), P(2) + 0x800, "/bin/x", 9, 0, NULL
	};
	vaddr_t a;
	assert_int_equal(
		mm_map(mm, BASE, P(5), RW, MM_MAP_FIXED, VMA_FILE, &f, &a), 0);
	struct vm_events e0 = vm_events;
	for (int p = 0; p < 5; p++) {
		paddr_t pa;
		assert_int_equal(mm_touch(mm, BASE + P(p), TOUCH_USER, &pa),
				 MM_FAULT_OK);
		const uint8_t *page = host_ram + (pa & PAGE_MASK);
		for (uint32_t i = 0; i < PAGE_SIZE; i++) {
			uint32_t off = P(p) + i;
			uint8_t want = off < f.filesz ? image[P(1) + off] : 0;
			if (page[i] != want)
				fail_msg("page %d byte %u: %u, want %u", p, i,
					 page[i], want);
		}
	}
	assert_int_equal(vm_events.file_faults, e0.file_faults + 3);
	assert_int_equal(vm_events.zero_faults, e0.zero_faults + 2);

	/* Private: a write changes this mapping only, never the image. */
	assert_true(mm_poke(mm, BASE + 16, 0xDEADBEEF));
	assert_int_equal(mm_peek(mm, BASE + 16), 0xDEADBEEF);
	assert_int_equal(image[P(1) + 16], (uint8_t)((P(1) + 16) * 7 + 3));
	assert_verified(mm_check(mm));

	/* Dropped pages come back from the file as they were. */
	assert_int_equal(mm_dontneed(mm, BASE, P(1)), 0);
	assert_int_equal(mm_peek(mm, BASE + 16) & 0xFF,
			 (uint8_t)((P(1) + 16) * 7 + 3));
	mm_fixture_destroy(mm);
}

/* A read-only file region maps its pages read-only. */
static void test_file_read_only(void **state)
{
	(void)state;
	static uint8_t image[100] = { 1, 2, 3 };
	struct mm *mm = mm_fixture_new();
	struct vma_file f = {
		image, sizeof(image), 0, sizeof(image), "/t", 1, 0, NULL
	};
	vaddr_t a;
	assert_int_equal(mm_map(mm, BASE, P(1), RO | MM_PROT_EXEC, MM_MAP_FIXED,
				VMA_FILE, &f, &a),
			 0);
	assert_int_equal(mm_peek(mm, BASE), 0x030201);
	assert_false(mm_pte(mm, BASE) & PTE_W);
	assert_int_equal(mm_touch(mm, BASE, UW, NULL), MM_FAULT_PROTECTION);
	mm_fixture_destroy(mm);
}

/* Past the end of the file inside its file part: SIGBUS, as on Linux. */
static void test_file_beyond_end(void **state)
{
	(void)state;
	static uint8_t image[P(1) + 10];
	struct mm *mm = mm_fixture_new();
	/* A mapping of 3 pages of a file of 1 page and 10 bytes. */
	struct vma_file f = { image, sizeof(image), 0, P(3), "/short", 2, 0, NULL };
	vaddr_t a;
	assert_int_equal(
		mm_map(mm, BASE, P(3), RO, MM_MAP_FIXED, VMA_FILE, &f, &a), 0);
	assert_int_equal(mm_touch(mm, BASE + P(1), TOUCH_USER, NULL),
			 MM_FAULT_OK);
	assert_int_equal(mm_touch(mm, BASE + P(2), TOUCH_USER, NULL),
			 MM_FAULT_BUS);
	assert_int_equal(mm->rss, 1);
	mm_fixture_destroy(mm);
}

/*
 * File offsets are 64-bit (mmap2's page offset reaches 2^44 bytes): a
 * region at offset 0xFFFFF000 cut in three continues at 0x100000000 and
 * 0x100001000, beyond the end of the file (SIGBUS), never back at 0.
 */
static void test_file_offset_beyond_4g(void **state)
{
	(void)state;
	static uint8_t image[P(2)] = { 0x7F, 'E', 'L', 'F' };
	struct mm *mm = mm_fixture_new();
	struct vma_file f = { image, sizeof(image), 0xFFFFF000u,
			      P(3),  "/big",	    3,
			      0,     NULL };
	vaddr_t a;
	assert_int_equal(
		mm_map(mm, BASE, P(3), RO, MM_MAP_FIXED, VMA_FILE, &f, &a), 0);
	assert_int_equal(mm_protect(mm, BASE + P(1), P(1), RW), 0);
	assert_true(mm_find_vma(mm, BASE + P(1))->file.offset ==
		    0x100000000ull);
	assert_true(mm_find_vma(mm, BASE + P(2))->file.offset ==
		    0x100001000ull);
	for (int p = 0; p < 3; p++)
		assert_int_equal(mm_touch(mm, BASE + P(p), TOUCH_USER, NULL),
				 MM_FAULT_BUS);
	assert_int_equal(mm->rss, 0);

	/* Merging back gives the region the offset it started with. */
	assert_int_equal(mm_protect(mm, BASE + P(1), P(1), RO), 0);
	assert_int_equal(mm_find_vma(mm, BASE + P(2))->start, BASE);
	assert_true(mm_find_vma(mm, BASE)->file.offset == 0xFFFFF000u);

	char buf[512];
	mm_format_maps(mm, buf, sizeof(buf));
	assert_non_null(strstr(buf, " r--p fffff000 "));
	assert_int_equal(mm_unmap(mm, BASE, P(2)), 0);
	mm_format_maps(mm, buf, sizeof(buf));
	assert_non_null(strstr(buf, " r--p 100001000 "));
	mm_fixture_destroy(mm);
}

/* Copy-on-write with the frame shared: a copy, the other side untouched. */
static void test_cow_copy(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	mm_fixture_map(parent, BASE, P(1), RW, 0);
	assert_true(mm_poke(parent, BASE, 41));
	assert_int_equal(mm_fork(parent, &child), 0);
	struct page *shared = frame_of(parent, BASE);
	assert_int_equal(shared->refcount, 2);
	assert_int_equal(pte_flags(mm_pte(child, BASE)) & (PTE_W | PTE_COW),
			 PTE_COW);

	struct vm_events e0 = vm_events;
	assert_true(mm_poke(child, BASE, 42));
	if (frame_of(child, BASE) == shared)
		fail_msg("COW page not copied: the child's write went to the "
			 "frame it shares with its parent (a write fault on a "
			 "copy-on-write page with other mappers must copy it)");
	assert_int_equal(vm_events.cow_faults, e0.cow_faults + 1);
	assert_int_equal(vm_events.cow_copies, e0.cow_copies + 1);
	assert_ptr_not_equal(frame_of(child, BASE), shared);
	assert_int_equal(shared->refcount, 1);
	assert_int_equal(frame_of(child, BASE)->refcount, 1);
	assert_int_equal(pte_flags(mm_pte(child, BASE)) & (PTE_W | PTE_COW),
			 PTE_W);
	assert_int_equal(mm_peek(parent, BASE), 41);
	assert_int_equal(mm_peek(child, BASE), 42);

	/* The parent is now the frame's only mapper: it takes it back. */
	assert_true(mm_poke(parent, BASE, 43));
	assert_int_equal(vm_events.cow_faults, e0.cow_faults + 2);
	assert_int_equal(vm_events.cow_copies, e0.cow_copies + 1);
	assert_ptr_equal(frame_of(parent, BASE), shared);
	assert_false(mm_pte(parent, BASE) & PTE_COW);
	assert_int_equal(mm_peek(child, BASE), 42);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	mm_destroy(parent);
}

/* COW in kernel mode (a user copy writing into a forked page). */
static void test_cow_kernel_mode(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	mm_fixture_map(parent, BASE, P(1), RW, 0);
	assert_true(mm_poke(parent, BASE, 7));
	assert_int_equal(mm_fork(parent, &child), 0);
	/* A supervisor write to a read-only PTE faults: CR0.WP is on. */
	paddr_t pa;
	assert_int_equal(mm_touch(child, BASE, TOUCH_WRITE, &pa), MM_FAULT_OK);
	assert_int_equal(pa, page_to_phys(frame_of(child, BASE)));
	assert_ptr_not_equal(frame_of(child, BASE), frame_of(parent, BASE));
	/* Kernel-mode faults see the same protections as user ones. */
	mm_fixture_map(child, BASE + P(1), P(1), RO, 0);
	assert_int_equal(mm_touch(child, BASE + P(1), TOUCH_WRITE, NULL),
			 MM_FAULT_PROTECTION);
	assert_int_equal(mm_touch(child, BASE + P(2), TOUCH_READ, NULL),
			 MM_FAULT_UNMAPPED);
	assert_int_equal(mm_touch(child, BASE + P(1), TOUCH_READ, NULL),
			 MM_FAULT_OK);
	mm_fixture_destroy(child);
	mm_destroy(parent);
}

/* mm_write/mm_read on a space that is not loaded, COW included. */
static void test_mm_write_read(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	mm_fixture_map(parent, BASE, P(3), RW, 0);
	mm_fixture_map(parent, BASE + P(3), P(1), RO, 0);
	assert_true(mm_poke(parent, BASE + P(1), 0x11111111));
	assert_int_equal(mm_fork(parent, &child), 0);
	vm_space_activate(&kernel_space);

	char msg[6000];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i % 26);
	/* Crosses three pages, one of them COW-shared with the parent. */
	assert_int_equal(mm_write(child, BASE + 100, msg, sizeof(msg)), 0);
	char back[6000];
	assert_int_equal(mm_read(child, BASE + 100, back, sizeof(back)), 0);
	assert_memory_equal(back, msg, sizeof(msg));
	assert_int_equal(mm_peek(parent, BASE + P(1)), 0x11111111);
	vm_space_activate(&kernel_space);
	assert_int_equal(mm_write(child, BASE + P(3) - 2, msg, 4), -EFAULT);
	assert_int_equal(mm_write(child, BASE + P(4), msg, 1), -EFAULT);
	assert_int_equal(mm_read(child, BASE + P(3), back, 4), 0);
	assert_int_equal(mm_write(child, KERNEL_VMA - 2, msg, 4), -EFAULT);
	assert_int_equal(mm_write(child, BASE, msg, 0), 0);
	assert_verified(mm_check(child));
	assert_verified(mm_check(parent));
	mm_destroy(child);
	mm_destroy(parent);
}

/* The stack grows on faults below it, up to RLIMIT_STACK. */
static void test_stack_growth(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm->limit_stack = P(16);
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(1)), 0);
	struct vma *s = mm_find_vma(mm, MM_STACK_TOP - 1);
	assert_true(mm_poke(mm, MM_STACK_TOP - P(3) + 12, 5));
	assert_int_equal(s->start, MM_STACK_TOP - P(3));
	assert_int_equal(mm->rss, 1);
	/* The last page the limit allows. */
	assert_true(mm_poke(mm, MM_STACK_TOP - P(16), 6));
	assert_int_equal(s->start, MM_STACK_TOP - P(16));
	/* One page more: a stack overflow, the region unchanged. */
	assert_int_equal(mm_touch(mm, MM_STACK_TOP - P(16) - 4, UW, NULL),
			 MM_FAULT_STACK_LIMIT);
	assert_int_equal(s->start, MM_STACK_TOP - P(16));
	/* Far below the stack: an ordinary stray access. */
	assert_int_equal(mm_touch(mm, 0x50000000, UW, NULL), MM_FAULT_UNMAPPED);
	/* Kernel-mode accesses (a user copy into a deep frame) grow it too. */
	mm->limit_stack = P(32);
	assert_int_equal(mm_touch(mm, MM_STACK_TOP - P(20), TOUCH_WRITE, NULL),
			 MM_FAULT_OK);
	assert_int_equal(s->start, MM_STACK_TOP - P(20));
	/* RLIMIT_AS applies to growth as well. */
	mm->limit_as = P(21);
	assert_int_equal(mm_touch(mm, MM_STACK_TOP - P(22), UW, NULL),
			 MM_FAULT_STACK_LIMIT);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/* The stack may not grow to within MM_STACK_GAP of the region below. */
static void test_stack_guard_gap(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm->limit_stack = 64u << 20;
	assert_int_equal(mm_setup_stack(mm, MM_STACK_TOP, P(1)), 0);
	vaddr_t below = MM_STACK_TOP - (8u << 20);
	mm_fixture_map(mm, below - P(1), P(1), RW, 0);
	/* Just above the gap: fine. */
	assert_int_equal(mm_touch(mm, below + MM_STACK_GAP, UW, NULL),
			 MM_FAULT_OK);
	/* Inside the gap: refused. */
	assert_int_equal(mm_touch(mm, below + MM_STACK_GAP - 4, UW, NULL),
			 MM_FAULT_UNMAPPED);
	/* A PROT_NONE region below is itself a guard: no gap needed. */
	assert_int_equal(mm_protect(mm, below - P(1), P(1), 0), 0);
	assert_int_equal(mm_touch(mm, below + P(1), UW, NULL), MM_FAULT_OK);
	assert_verified(mm_check(mm));
	mm_fixture_destroy(mm);
}

/* Shared anonymous memory: both sides of a fork see every write. */
static void test_shared_anon(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *parent = mm_fixture_new(), *child;
	vaddr_t a;
	assert_int_equal(mm_map(parent, 0, P(2), RW, MM_MAP_SHARED, VMA_ANON,
				NULL, &a),
			 0);
	struct vma *v = mm_find_vma(parent, a);
	assert_int_equal(v->kind, VMA_SHM);
	assert_true(v->flags & VMA_SHARED);
	assert_true(mm_poke(parent, a, 1));
	assert_int_equal(mm_fork(parent, &child), 0);
	/* Shared pages stay writable: no COW. */
	assert_true(mm_pte(child, a) & PTE_W);
	assert_false(mm_pte(child, a) & PTE_COW);
	assert_true(mm_poke(child, a, 2));
	assert_int_equal(mm_peek(parent, a), 2);
	/* A page first touched by the child after the fork is shared too. */
	struct vm_events e0 = vm_events;
	assert_true(mm_poke(child, a + P(1), 3));
	assert_int_equal(vm_events.zero_faults, e0.zero_faults + 1);
	assert_int_equal(mm_peek(parent, a + P(1)), 3);
	assert_int_equal(vm_events.zero_faults, e0.zero_faults + 1);
	assert_ptr_equal(frame_of(child, a + P(1)), frame_of(parent, a + P(1)));
	/* Dropping pages keeps shared contents. */
	assert_int_equal(mm_dontneed(child, a, P(2)), 0);
	assert_int_equal(mm_peek(child, a + P(1)), 3);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	/* The parent goes first; the child's mapping keeps the object. */
	mm_fixture_destroy(parent);
	assert_int_equal(mm_peek(child, a), 2);
	mm_fixture_destroy(child);
	assert_true(mm_fixture_same(base));
}

/* A stale TLB entry after a protection change is flushed, not trusted. */
static void test_tlb_follows(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	mm_fixture_map(parent, BASE, P(40), RW, 0);
	for (int p = 0; p < 40; p++)
		assert_true(mm_poke(parent, BASE + P(p), p));
	/* Fork from the loaded space: its TLB held writable entries. */
	assert_int_equal(mm_fork(parent, &child), 0);
	paddr_t pa;
	for (int p = 0; p < 40; p++)
		assert_int_equal(host_mmu_access(BASE + P(p), UW, &pa),
				 -EFAULT);
	assert_int_equal(mm_protect(parent, BASE, P(40), RO), 0);
	assert_int_equal(mm_touch(parent, BASE, UW, NULL), MM_FAULT_PROTECTION);
	assert_int_equal(mm_protect(parent, BASE, P(40), RW), 0);
	for (int p = 0; p < 40; p++) {
		assert_true(mm_poke(parent, BASE + P(p), 100 + p));
		assert_int_equal(mm_peek(child, BASE + P(p)), p);
	}
	mm_fixture_destroy(child);
	mm_destroy(parent);
}

/* A fault with no frame left: MM_FAULT_OOM, nothing mapped, no leak. */
static void test_out_of_memory(void **state)
{
	(void)state;
	struct mm *mm = mm_fixture_new();
	mm_fixture_map(mm, BASE, P(2), RW, 0);
	/* The page table exists once the first page is in. */
	assert_true(mm_poke(mm, BASE, 1));
	struct page *hoard = NULL;
	struct page *p;
	while ((p = alloc_page(GFP_KERNEL))) {
		*(struct page **)page_address(p) = hoard;
		hoard = p;
	}
	assert_int_equal(mm_touch(mm, BASE + P(1), UW, NULL), MM_FAULT_OOM);
	assert_int_equal(mm->rss, 1);
	assert_verified(mm_check(mm));
	while (hoard) {
		p = hoard;
		hoard = *(struct page **)page_address(p);
		free_page(p);
	}
	assert_true(mm_poke(mm, BASE + P(1), 2));
	mm_fixture_destroy(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_demand_zero, mm_fixture_boot),
		cmocka_unit_test_setup(test_demand_zero_frame_is_zeroed,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_demand_zero_heap_stack,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_unmapped_and_kernel,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_protection, mm_fixture_boot),
		cmocka_unit_test_setup(test_file_load, mm_fixture_boot),
		cmocka_unit_test_setup(test_file_read_only, mm_fixture_boot),
		cmocka_unit_test_setup(test_file_beyond_end, mm_fixture_boot),
		cmocka_unit_test_setup(test_file_offset_beyond_4g,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_cow_copy, mm_fixture_boot),
		cmocka_unit_test_setup(test_cow_kernel_mode, mm_fixture_boot),
		cmocka_unit_test_setup(test_mm_write_read, mm_fixture_boot),
		cmocka_unit_test_setup(test_stack_growth, mm_fixture_boot),
		cmocka_unit_test_setup(test_stack_guard_gap, mm_fixture_boot),
		cmocka_unit_test_setup(test_shared_anon, mm_fixture_boot),
		cmocka_unit_test_setup(test_tlb_follows, mm_fixture_boot),
		cmocka_unit_test_setup(test_out_of_memory, mm_fixture_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
