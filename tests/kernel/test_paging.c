/*
 * tests/kernel/test_paging.c - the kernel's page tables on the real MMU.
 *
 * The host units check the tables' contents; here the CPU itself checks
 * them: writes to kernel text must fault (CR0.WP), a page just unmapped
 * must fault at once (the TLB was invalidated), a kernel stack's guard
 * page must fault. Faults are caught with ktest_catch_fault().
 */
#include "kernel/ktest.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "mm/vmap.h"

/* CR0.WP and CR4.PGE (Intel SDM vol. 3A, 2.5). */
#define CR0_WP (1u << 16)
#define CR4_PGE (1u << 7)

static const uint32_t some_rodata = 0x12345678;

static uint32_t free_frames(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st.free_pages;
}

static void write_word(void *arg)
{
	*(volatile uint32_t *)arg = 0xBAD;
}

/* Functions need not be word aligned: write a byte to them. */
static void write_byte(void *arg)
{
	*(volatile uint8_t *)arg = 0xCC;
}

static void read_word(void *arg)
{
	uint32_t v = *(volatile uint32_t *)arg;
	__asm__ volatile("" : : "r"(v));
}

static void control_registers(struct ktest *t)
{
	KT_EXPECT_EQ(t, read_cr3(), kernel_space.pgdir_phys);
	KT_EXPECT(t, vm_space_current() == &kernel_space);
	KT_EXPECT(t, read_cr0() & CR0_WP);
	KT_EXPECT_EQ(t, !!(read_cr4() & CR4_PGE), paging_global_enabled());
	uint32_t flags;
	KT_ASSERT_EQ(t,
		     vm_translate(&kernel_space, (vaddr_t)(uintptr_t)&flags,
				  NULL, &flags),
		     0);
	KT_EXPECT_EQ(t, !!(flags & PTE_G), paging_global_enabled());
	KT_EXPECT_EQ(t, vm_space_check(&kernel_space), 0);
}

static void text_and_rodata_read_only(struct ktest *t)
{
	struct ktest_fault f;
	void *text = (void *)(uintptr_t)write_word;
	void *ro = (void *)(uintptr_t)&some_rodata;

	KT_ASSERT(t, ktest_catch_fault(write_byte, text, &f));
	KT_EXPECT_EQ(t, f.vector, T_PAGE);
	KT_EXPECT_EQ(t, f.cr2, (uint32_t)(uintptr_t)text);
	KT_EXPECT_EQ(t, f.error_code & (PF_PRESENT | PF_WRITE),
		     PF_PRESENT | PF_WRITE);
	KT_ASSERT(t, ktest_catch_fault(write_word, ro, &f));
	KT_EXPECT_EQ(t, f.cr2, (uint32_t)(uintptr_t)ro);
	KT_EXPECT(t, !ktest_catch_fault(read_word, ro, &f));
	KT_EXPECT_EQ(t, some_rodata, 0x12345678);
}

static void page_zero_unmapped(struct ktest *t)
{
	struct ktest_fault f;

	KT_ASSERT(t, ktest_catch_fault(read_word, (void *)0x10, &f));
	KT_EXPECT_EQ(t, f.cr2, 0x10);
	/* Physical page 0 is not in the direct map either. */
	KT_ASSERT(t, ktest_catch_fault(read_word, (void *)KERNEL_VMA, &f));
	KT_EXPECT_EQ(t, f.cr2, KERNEL_VMA);
}

/* Addresses across the user half, in different page tables. */
static const vaddr_t probe_va[] = {
	0x00001000, 0x00400000, 0x00401000, 0x08048000, 0x08049000,
	0x10000000, 0x40000000, 0x7FFFF000, 0xBFFFE000, 0xBFFFF000,
};

#define NPROBES (sizeof(probe_va) / sizeof(probe_va[0]))

/* Maps frames at many user addresses, touches them, unmaps them. */
static void map_touch_unmap(struct ktest *t)
{
	struct vm_space s;
	struct ktest_fault f;
	uint32_t free0;

	pmm_drain_cache();
	free0 = free_frames();
	KT_ASSERT_EQ(t, vm_space_init(&s), 0);
	vm_space_activate(&s);
	for (unsigned int i = 0; i < NPROBES; i++) {
		struct page *p = alloc_zeroed_page(GFP_USER);
		KT_ASSERT(t, p != NULL);
		KT_ASSERT_EQ(t,
			     vm_map_page(&s, probe_va[i], page_to_phys(p),
					 PTE_U | PTE_W),
			     0);
		/* Through the new mapping, then through the direct map. */
		volatile uint32_t *u = (volatile uint32_t *)probe_va[i];
		u[5] = probe_va[i] ^ 0xA5A5A5A5;
		KT_EXPECT_EQ(t, ((uint32_t *)page_address(p))[5],
			     probe_va[i] ^ 0xA5A5A5A5);
	}
	KT_EXPECT_EQ(t, vm_space_check(&s), 0);
	for (unsigned int i = 0; i < NPROBES; i++) {
		pte_t old;
		KT_ASSERT_EQ(t, vm_unmap_page(&s, probe_va[i], &old), 0);
		put_page(phys_to_page(pte_frame(old)));
		/* Had the TLB kept the entry, this would not fault. */
		KT_EXPECT(t, ktest_catch_fault(read_word, (void *)probe_va[i],
					       &f));
	}
	KT_EXPECT_EQ(t, s.nr_pgtables, 0);
	vm_space_activate(&kernel_space);
	vm_space_destroy(&s);
	pmm_drain_cache();
	KT_EXPECT_EQ(t, free_frames(), free0);
}

/* A range of many pages is unmapped with one full flush: still correct. */
static void big_range_unmap(struct ktest *t)
{
	struct vm_space s;
	struct ktest_fault f;
	const vaddr_t base = 0x20000000;
	const unsigned int n = 3 * VM_FLUSH_CEILING;

	KT_ASSERT_EQ(t, vm_space_init(&s), 0);
	vm_space_activate(&s);
	for (unsigned int i = 0; i < n; i++) {
		struct page *p = alloc_page(GFP_USER);
		KT_ASSERT(t, p != NULL);
		KT_ASSERT_EQ(t,
			     vm_map_page(&s, base + i * PAGE_SIZE,
					 page_to_phys(p), PTE_U | PTE_W),
			     0);
		*(volatile uint32_t *)(base + i * PAGE_SIZE) = i;
	}
	KT_EXPECT_EQ(t, vm_unmap_range(&s, base, n * PAGE_SIZE, VM_UNMAP_PUT),
		     n);
	for (unsigned int i = 0; i < n; i += 7)
		KT_EXPECT(t, ktest_catch_fault(read_word,
					       (void *)(base + i * PAGE_SIZE),
					       &f));
	vm_space_activate(&kernel_space);
	vm_space_destroy(&s);
}

static void protect_takes_effect(struct ktest *t)
{
	struct vm_space s;
	struct ktest_fault f;
	void *va = (void *)0x30000000;

	KT_ASSERT_EQ(t, vm_space_init(&s), 0);
	vm_space_activate(&s);
	struct page *p = alloc_page(GFP_USER);
	KT_ASSERT(t, p != NULL);
	KT_ASSERT_EQ(
		t, vm_map_page(&s, 0x30000000, page_to_phys(p), PTE_U | PTE_W),
		0);
	KT_EXPECT(t, !ktest_catch_fault(write_word, va, &f));
	KT_EXPECT_EQ(t, vm_protect(&s, 0x30000000, PAGE_SIZE, PTE_U), 1);
	KT_ASSERT(t, ktest_catch_fault(write_word, va, &f));
	KT_EXPECT_EQ(t, f.error_code & (PF_PRESENT | PF_WRITE),
		     PF_PRESENT | PF_WRITE);
	KT_EXPECT(t, !ktest_catch_fault(read_word, va, &f));
	KT_EXPECT_EQ(t, *(volatile uint32_t *)va, 0xBAD);
	vm_space_activate(&kernel_space);
	vm_space_destroy(&s);
}

static void kernel_stack_guard(struct ktest *t)
{
	struct ktest_fault f;
	vaddr_t base = kstack_alloc();

	KT_ASSERT(t, base != 0);
	KT_EXPECT(t, base >= VMAP_START && base < VMAP_END);
	/* The whole stack is usable... */
	KT_EXPECT(t, !ktest_catch_fault(write_word,
					(void *)(kstack_top(base) - 4), &f));
	KT_EXPECT(t, !ktest_catch_fault(write_word, (void *)base, &f));
	/* ...and one word below it is the guard page. */
	KT_ASSERT(t, ktest_catch_fault(write_word, (void *)(base - 4), &f));
	KT_EXPECT_EQ(t, f.cr2, base - 4);
	KT_EXPECT(t, vmap_is_guard(f.cr2));
	kstack_free(base);
	KT_EXPECT(t, ktest_catch_fault(read_word, (void *)base, &f));
}

static const struct ktest_case paging_cases[] = {
	KTEST_CASE(control_registers),	KTEST_CASE(text_and_rodata_read_only),
	KTEST_CASE(page_zero_unmapped), KTEST_CASE(map_touch_unmap),
	KTEST_CASE(big_range_unmap),	KTEST_CASE(protect_takes_effect),
	KTEST_CASE(kernel_stack_guard),
};

KTEST_SUITE(paging, paging_cases);
