/*
 * tests/kernel/test_fault.c - page faults resolved on the real CPU.
 *
 * Each case loads an address space and lets the kernel touch its user
 * pages (mm_touch.h): the CPU raises the faults, mm_fault() decides, and
 * the access is retried or refused. Kernel-mode accesses fault on absent
 * pages and, with CR0.WP, on read-only ones, which covers demand-zero,
 * demand-load, copy-on-write, stack growth and the refusals.
 */
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/shm.h"
#include "tests/kernel/mm_touch.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define RO MM_PROT_READ
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x30000000u

static pte_t pte_of(struct mm *mm, vaddr_t va)
{
	pte_t *p = vm_pte_lookup(&mm->space, page_round_down(va));
	return p ? *p : 0;
}

static uint32_t peek(vaddr_t va)
{
	uint32_t v = 0xFFFFFFFF;
	mm_touch_read(va, &v);
	return v;
}

static struct mm *anon_mm(struct ktest *t, vaddr_t at, uint32_t pages,
			  uint32_t prot)
{
	struct mm *mm;
	vaddr_t a;
	if (mm_create(&mm))
		return NULL;
	if (mm_map(mm, at, P(pages), prot, MM_MAP_FIXED, VMA_ANON, NULL, &a)) {
		KT_EXPECT(t, false);
		mm_destroy(mm);
		return NULL;
	}
	return mm;
}

/* The first touch maps a zeroed page; the second costs nothing. */
static void demand_zero(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct mm *mm = anon_mm(t, BASE, 4, RW);
	KT_ASSERT(t, mm);
	mm_touch_enter(mm);
	struct vm_events e0 = vm_events;
	KT_EXPECT_EQ(t, peek(BASE + 100), 0);
	KT_EXPECT_EQ(t, vm_events.zero_faults, e0.zero_faults + 1);
	KT_EXPECT_EQ(t, vm_events.pgfault, e0.pgfault + 1);
	KT_EXPECT_EQ(t, pte_flags(pte_of(mm, BASE)) & (PTE_P | PTE_U | PTE_W),
		     PTE_P | PTE_U | PTE_W);
	KT_EXPECT_EQ(t, mm_touch_write(BASE + 100, 42), MM_FAULT_OK);
	KT_EXPECT_EQ(t, vm_events.pgfault, e0.pgfault + 1);
	KT_EXPECT_EQ(t, peek(BASE + 100), 42);
	/* Every other word of the page is zero. */
	for (uint32_t off = 0; off < PAGE_SIZE; off += 4)
		if (off != 100)
			KT_ASSERT_EQ(t, peek(BASE + off), 0);
	KT_EXPECT_EQ(t, mm->rss, 1);
	mm_touch_leave();
	mm_destroy(mm);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* Refusals: no region, read-only, PROT_NONE, a kernel address. */
static void refusals(struct ktest *t)
{
	struct mm *mm = anon_mm(t, BASE, 1, RO);
	vaddr_t a;
	uint32_t v;
	KT_ASSERT(t, mm);
	KT_ASSERT_EQ(t,
		     mm_map(mm, BASE + P(1), P(1), 0, MM_MAP_FIXED, VMA_ANON,
			    NULL, &a),
		     0);
	mm_touch_enter(mm);
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(2), &v), MM_FAULT_UNMAPPED);
	/* Page 1, not 0: a load from NULL would trip UBSan in DEBUG=1. */
	KT_EXPECT_EQ(t, mm_touch_read(PAGE_SIZE, &v), MM_FAULT_UNMAPPED);
	KT_EXPECT_EQ(t, mm_touch_write(BASE, 1), MM_FAULT_PROTECTION);
	KT_EXPECT_EQ(t, mm_touch_read(BASE, &v), MM_FAULT_OK);
	/* Present and read-only now: CR0.WP makes the kernel fault too. */
	KT_EXPECT_EQ(t, mm_touch_write(BASE, 1), MM_FAULT_PROTECTION);
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(1), &v), MM_FAULT_PROTECTION);
	KT_EXPECT_EQ(t, mm_check_access(mm, BASE + P(1), 4, false), -EFAULT);
	KT_EXPECT_EQ(t, mm_fault(mm, KERNEL_VMA, MM_PF_USER),
		     MM_FAULT_KERNEL_ADDRESS);
	KT_EXPECT_EQ(t, mm->rss, 1);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_touch_leave();
	mm_destroy(mm);
}

/* A file region: bytes of the image, zeros after filesz (bss). */
static void file_load(struct ktest *t)
{
	static uint8_t image[P(3)];
	struct mm *mm;
	vaddr_t a;
	for (uint32_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i ^ (i >> 8));
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	struct vma_file f = {
		image, sizeof(image), P(1), P(1) + 6, "/img", 5, 0, NULL
	};
	KT_ASSERT_EQ(t,
		     mm_map(mm, BASE, P(3), RW, MM_MAP_FIXED, VMA_FILE, &f, &a),
		     0);
	mm_touch_enter(mm);
	struct vm_events e0 = vm_events;
	const uint32_t *words = (const uint32_t *)(image + P(1));
	KT_EXPECT_EQ(t, peek(BASE), words[0]);
	KT_EXPECT_EQ(t, peek(BASE + P(1) - 4), words[1023]);
	/* Page 1: six bytes from the file, then zeros. */
	uint32_t w0 = peek(BASE + P(1)), w1 = peek(BASE + P(1) + 4);
	KT_EXPECT_EQ(t, w0, *(const uint32_t *)(image + P(2)));
	KT_EXPECT_EQ(t, w1, *(const uint16_t *)(image + P(2) + 4));
	KT_EXPECT_EQ(t, peek(BASE + P(2)), 0);
	KT_EXPECT_EQ(t, vm_events.file_faults, e0.file_faults + 2);
	KT_EXPECT_EQ(t, vm_events.zero_faults, e0.zero_faults + 1);
	/* Writes go to this mapping's copy, never to the image. */
	KT_EXPECT_EQ(t, mm_touch_write(BASE, 0xFEEDFACE), MM_FAULT_OK);
	KT_EXPECT_EQ(t, peek(BASE), 0xFEEDFACE);
	KT_EXPECT(t, words[0] != 0xFEEDFACE);
	mm_touch_leave();
	mm_destroy(mm);
}

/* COW with the frame shared (copy) and with one mapper left (reuse). */
static void copy_on_write(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct mm *parent = anon_mm(t, BASE, 2, RW), *child;
	KT_ASSERT(t, parent);
	mm_touch_enter(parent);
	KT_EXPECT_EQ(t, mm_touch_write(BASE, 10), MM_FAULT_OK);
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(1), 11), MM_FAULT_OK);
	KT_ASSERT_EQ(t, mm_fork(parent, &child), 0);
	struct page *frame = phys_to_page(pte_frame(pte_of(parent, BASE)));
	KT_EXPECT_EQ(t, frame->refcount, 2);
	KT_EXPECT_EQ(t, pte_of(child, BASE) & (PTE_W | PTE_COW), PTE_COW);

	struct vm_events e0 = vm_events;
	mm_touch_enter(child);
	KT_EXPECT_EQ(t, mm_touch_write(BASE, 20), MM_FAULT_OK);
	KT_EXPECT_EQ(t, vm_events.cow_faults, e0.cow_faults + 1);
	KT_EXPECT_EQ(t, vm_events.cow_copies, e0.cow_copies + 1);
	KT_EXPECT_EQ(t, frame->refcount, 1);
	mm_touch_enter(parent);
	KT_EXPECT_EQ(t, peek(BASE), 10);
	KT_EXPECT_EQ(t, mm_touch_write(BASE, 30), MM_FAULT_OK);
	KT_EXPECT_EQ(t, vm_events.cow_faults, e0.cow_faults + 2);
	KT_EXPECT_EQ(t, vm_events.cow_copies, e0.cow_copies + 1);
	KT_EXPECT(t, phys_to_page(pte_frame(pte_of(parent, BASE))) == frame);
	mm_touch_enter(child);
	KT_EXPECT_EQ(t, peek(BASE), 20);
	KT_EXPECT_EQ(t, peek(BASE + P(1)), 11);
	KT_EXPECT_EQ(t, mm_check(parent), 0);
	KT_EXPECT_EQ(t, mm_check(child), 0);
	mm_touch_leave();
	mm_destroy(child);
	mm_destroy(parent);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* The stack grows down on faults, up to RLIMIT_STACK. */
static void stack_growth(struct ktest *t)
{
	struct mm *mm;
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	mm->limit_stack = P(8);
	KT_ASSERT_EQ(t, mm_setup_stack(mm, MM_STACK_TOP, P(1)), 0);
	struct vma *s = mm_find_vma(mm, MM_STACK_TOP - 1);
	mm_touch_enter(mm);
	KT_EXPECT_EQ(t, mm_touch_write(MM_STACK_TOP - P(5), 5), MM_FAULT_OK);
	KT_EXPECT_EQ(t, s->start, MM_STACK_TOP - P(5));
	KT_EXPECT_EQ(t, mm_touch_write(MM_STACK_TOP - P(8), 8), MM_FAULT_OK);
	KT_EXPECT_EQ(t, mm_touch_write(MM_STACK_TOP - P(8) - 4, 9),
		     MM_FAULT_STACK_LIMIT);
	KT_EXPECT_EQ(t, s->start, MM_STACK_TOP - P(8));
	KT_EXPECT_EQ(t, peek(MM_STACK_TOP - P(5)), 5);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_touch_leave();
	mm_destroy(mm);
}

/* SysV shm between two address spaces, and back to zero after removal. */
static void shm_two_spaces(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	struct mm *x, *y;
	vaddr_t ax, ay;
	mm_touch_snapshot(&snap);
	KT_ASSERT_EQ(t, mm_create(&x), 0);
	KT_ASSERT_EQ(t, mm_create(&y), 0);
	int id = shm_get(IPC_PRIVATE, P(2), 0600);
	KT_ASSERT(t, id >= 0);
	KT_ASSERT_EQ(t, shm_attach(x, id, 0, 0, &ax), 0);
	KT_ASSERT_EQ(t, shm_attach(y, id, BASE, 0, &ay), 0);
	KT_EXPECT_EQ(t, shm_remove(id), 0);
	mm_touch_enter(x);
	KT_EXPECT_EQ(t, mm_touch_write(ax + P(1), 0xABCD), MM_FAULT_OK);
	mm_touch_enter(y);
	KT_EXPECT_EQ(t, peek(ay + P(1)), 0xABCD);
	KT_EXPECT_EQ(t, mm_touch_write(ay, 0x1234), MM_FAULT_OK);
	mm_touch_enter(x);
	KT_EXPECT_EQ(t, peek(ax), 0x1234);
	mm_touch_leave();
	mm_destroy(x);
	mm_touch_enter(y);
	KT_EXPECT_EQ(t, peek(ay + P(1)), 0xABCD);
	mm_touch_leave();
	mm_destroy(y);
	struct shm_stat st;
	KT_EXPECT_EQ(t, shm_stat(id, &st), -EINVAL);
	KT_EXPECT(t, mm_touch_same(&snap));
}

static const struct ktest_case fault_cases[] = {
	KTEST_CASE(demand_zero),  KTEST_CASE(refusals),
	KTEST_CASE(file_load),	  KTEST_CASE(copy_on_write),
	KTEST_CASE(stack_growth), KTEST_CASE(shm_two_spaces),
};

KTEST_SUITE(fault, fault_cases);
