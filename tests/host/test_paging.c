/*
 * tests/host/test_paging.c - page tables, address spaces and dynamic
 * kernel mappings (mm/paging.c, mm/vmap.c), on fake RAM.
 *
 * Besides vm_translate(), the tests look at mappings through the shim's
 * MMU model (host_mmu_access), which walks the tables like the CPU and
 * keeps a TLB: a missing invalidation shows up as a stale translation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "mm/vmap.h"
#include "tests/host/shim/host_shim.h"
#include "tests/host/shim/mm_machine.h"
#include "tests/host/shim/port_host.h"

#pragma GCC diagnostic ignored "-Wclobbered"

#define MIB (1024u * 1024)
#define RAM (64 * MIB)
/*
 * The fake kernel's read-only part: text and rodata. Arbitrary mappings
 * below use frames of the (reserved) fake kernel image, which mappings do
 * not reference-count.
 */
#define RO_START (KERNEL_VMA + 0x100000)
#define RO_END (KERNEL_VMA + 0x140000)
#define UVA 0x08048000u

static struct pmm_stats stats(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st;
}

static int boot(void **state)
{
	(void)state;
	host_cpu_pge = true;
	host_ro_start = RO_START;
	host_ro_end = RO_END - 100; /* not page aligned: rounded up */
	return host_boot_qemu(RAM, true);
}

/* The kernel's direct map: every lowmem page but page 0, text read-only. */
static void test_direct_map(void **state)
{
	(void)state;
	struct vm_space *k = &kernel_space;
	uint32_t top = stats().max_pfn << PAGE_SHIFT;
	paddr_t pa;
	uint32_t flags;

	assert_int_equal(host_cr3, k->pgdir_phys);
	assert_true(host_wp);
	assert_true(host_pge);
	assert_ptr_equal(vm_space_current(), k);
	assert_int_equal(vm_translate(k, KERNEL_VMA, &pa, NULL), -EFAULT);
	assert_int_equal(vm_translate(k, 0, &pa, NULL), -EFAULT);
	assert_int_equal(vm_translate(k, UVA, &pa, NULL), -EFAULT);
	for (uint32_t p = PAGE_SIZE; p < top; p += 61 * PAGE_SIZE) {
		assert_int_equal(
			vm_translate(k, KERNEL_VMA + p + 5, &pa, &flags), 0);
		assert_int_equal(pa, p + 5);
		assert_true(flags & PTE_G);
		assert_false(flags & PTE_U);
		bool ro = KERNEL_VMA + p >= RO_START && KERNEL_VMA + p < RO_END;
		assert_int_equal(!(flags & PTE_W), ro);
	}
	assert_int_equal(vm_translate(k, KERNEL_VMA + top - 1, &pa, NULL), 0);
	assert_int_equal(vm_translate(k, KERNEL_VMA + top, &pa, NULL), -EFAULT);
	assert_int_equal(vm_translate(k, RO_END - PAGE_SIZE, &pa, &flags), 0);
	assert_false(flags & PTE_W);
	assert_int_equal(vm_translate(k, RO_END, &pa, &flags), 0);
	assert_true(flags & PTE_W);

	/* Through the MMU: text reads fine, writes fault (CR0.WP). */
	assert_int_equal(host_mmu_access(RO_START + 8, 0, &pa), 0);
	assert_int_equal(pa, 0x100008);
	assert_int_equal(host_mmu_access(RO_START + 8, HOST_MMU_WRITE, &pa),
			 -EFAULT);
	assert_int_equal(host_mmu_access(RO_END, HOST_MMU_WRITE, &pa), 0);
	assert_int_equal(host_mmu_access(RO_END, HOST_MMU_USER, &pa), -EFAULT);
	assert_int_equal(host_mmu_access(0, 0, &pa), -EFAULT);
	assert_verified(vm_space_check(k));
}

/* Without PGE, kernel mappings are not global. */
static void test_no_pge(void **state)
{
	(void)state;
	host_cpu_pge = false;
	assert_int_equal(host_boot_qemu(16 * MIB, true), 0);
	uint32_t flags;
	assert_int_equal(vm_translate(&kernel_space, KERNEL_VMA + 0x200000,
				      NULL, &flags),
			 0);
	assert_false(flags & PTE_G);
	assert_false(host_pge);
	assert_false(paging_global_enabled());
	host_cpu_pge = true;
}

/* Map, translate and unmap a user page; its table comes and goes. */
static void test_map_translate_unmap(void **state)
{
	(void)state;
	struct vm_space s;
	struct pmm_stats st0 = stats();
	assert_int_equal(vm_space_init(&s), 0);
	assert_int_equal(stats().pgtable_pages, st0.pgtable_pages + 1);

	struct page *f = alloc_page(GFP_USER);
	paddr_t fpa = page_to_phys(f);
	assert_int_equal(vm_map_page(&s, UVA, fpa, PTE_U | PTE_W), 0);
	assert_int_equal(s.nr_pgtables, 1);
	assert_int_equal(stats().pgtable_pages, st0.pgtable_pages + 2);
	paddr_t pa;
	uint32_t flags;
	assert_int_equal(vm_translate(&s, UVA + 0x123, &pa, &flags), 0);
	assert_int_equal(pa, fpa + 0x123);
	assert_int_equal(flags, PTE_P | PTE_U | PTE_W);
	assert_int_equal(vm_translate(&s, UVA + PAGE_SIZE, &pa, NULL), -EFAULT);
	/* The kernel half is there too. */
	assert_int_equal(vm_translate(&s, KERNEL_VMA + 0x200000, &pa, NULL), 0);
	assert_int_equal(pa, 0x200000);

	assert_int_equal(vm_map_page(&s, UVA, fpa, PTE_U), -EEXIST);
	assert_int_equal(vm_map_page(&s, UVA + 1, fpa, PTE_U), -EINVAL);
	assert_int_equal(vm_map_page(&s, UVA, fpa + 1, PTE_U), -EINVAL);
	assert_int_equal(vm_map_page(&s, UVA, fpa, PTE_P | PTE_A), -EINVAL);
	assert_verified(vm_space_check(&s));

	pte_t old;
	assert_int_equal(vm_unmap_page(&s, UVA, &old), 0);
	assert_int_equal(pte_frame(old), fpa);
	assert_int_equal(vm_unmap_page(&s, UVA, &old), -ENOENT);
	assert_int_equal(s.nr_pgtables, 0);
	assert_int_equal(stats().pgtable_pages, st0.pgtable_pages + 1);
	assert_verified(vm_space_check(&s));
	free_page(f);
	vm_space_destroy(&s);
	assert_int_equal(stats().pgtable_pages, st0.pgtable_pages);
	assert_int_equal(stats().free_pages, st0.free_pages);
}

/* A table is freed exactly when its last entry goes. */
static void test_empty_tables_freed(void **state)
{
	(void)state;
	struct vm_space s;
	assert_int_equal(vm_space_init(&s), 0);
	uint32_t pt0 = stats().pgtable_pages;
	/* Three pages in one 4 MiB, one page in another. */
	vaddr_t a = 0x400000, b = 0x1000000;
	for (int i = 0; i < 3; i++)
		assert_int_equal(vm_map_page(&s, a + i * PAGE_SIZE,
					     HOST_KERNEL_START + i * PAGE_SIZE,
					     PTE_U),
				 0);
	assert_int_equal(vm_map_page(&s, b, HOST_KERNEL_START, PTE_U), 0);
	assert_int_equal(s.nr_pgtables, 2);
	assert_int_equal(stats().pgtable_pages, pt0 + 2);
	assert_int_equal(vm_unmap_page(&s, a, NULL), 0);
	assert_int_equal(vm_unmap_page(&s, a + 2 * PAGE_SIZE, NULL), 0);
	assert_int_equal(s.nr_pgtables, 2);
	assert_verified(vm_space_check(&s));
	assert_int_equal(vm_unmap_page(&s, a + PAGE_SIZE, NULL), 0);
	assert_int_equal(s.nr_pgtables, 1);
	assert_int_equal(stats().pgtable_pages, pt0 + 1);
	assert_null(vm_pte_lookup(&s, a));
	/* A range unmap across both tables frees the other one. */
	assert_int_equal(vm_unmap_range(&s, 0, 0x2000000, 0), 1);
	assert_int_equal(s.nr_pgtables, 0);
	assert_int_equal(stats().pgtable_pages, pt0);
	assert_verified(vm_space_check(&s));
	vm_space_destroy(&s);
}

/* Unmapping in the current space invalidates the TLB entry. */
static void test_unmap_flushes_tlb(void **state)
{
	(void)state;
	struct vm_space s;
	paddr_t pa;
	assert_int_equal(vm_space_init(&s), 0);
	vm_space_activate(&s);
	assert_int_equal(host_cr3, s.pgdir_phys);
	struct page *f = alloc_page(GFP_USER);
	assert_int_equal(vm_map_page(&s, UVA, page_to_phys(f), PTE_U | PTE_W),
			 0);
	assert_int_equal(
		host_mmu_access(UVA, HOST_MMU_USER | HOST_MMU_WRITE, &pa), 0);
	assert_int_equal(pa, page_to_phys(f));
	uint32_t flags;
	vm_translate(&s, UVA, NULL, &flags);
	assert_true(flags & PTE_A);
	assert_true(flags & PTE_D);

	unsigned long inv = host_port_counts.flush_page;
	assert_int_equal(vm_unmap_page(&s, UVA, NULL), 0);
	assert_int_equal(host_port_counts.flush_page, inv + 1);
	assert_int_equal(host_mmu_access(UVA, HOST_MMU_USER, &pa), -EFAULT);
	put_page(f);

	vm_space_activate(&kernel_space);
	vm_space_destroy(&s);
}

/* Changes to a space that is not loaded need no invalidation. */
static void test_other_space_no_flush(void **state)
{
	(void)state;
	struct vm_space s;
	assert_int_equal(vm_space_init(&s), 0);
	struct host_port_counts c0 = host_port_counts;
	assert_int_equal(vm_map_range(&s, UVA, HOST_KERNEL_START,
				      40 * PAGE_SIZE, PTE_U),
			 0);
	assert_int_equal(vm_protect(&s, UVA, 40 * PAGE_SIZE, PTE_U | PTE_W),
			 40);
	assert_int_equal(vm_unmap_range(&s, UVA, 40 * PAGE_SIZE, 0), 40);
	assert_int_equal(host_port_counts.flush_page, c0.flush_page);
	assert_int_equal(host_port_counts.flush_all, c0.flush_all);
	assert_int_equal(host_port_counts.flush_global, c0.flush_global);
	vm_space_destroy(&s);
}

/* Small ranges use invlpg per page; large ones one full flush. */
static void test_flush_choice(void **state)
{
	(void)state;
	struct vm_space s;
	assert_int_equal(vm_space_init(&s), 0);
	vm_space_activate(&s);
	unsigned int small = VM_FLUSH_CEILING, big = VM_FLUSH_CEILING + 1;

	assert_int_equal(vm_map_range(&s, UVA, HOST_KERNEL_START,
				      small * PAGE_SIZE, PTE_U),
			 0);
	struct host_port_counts c0 = host_port_counts;
	assert_int_equal(vm_unmap_range(&s, UVA, small * PAGE_SIZE, 0), small);
	assert_int_equal(host_port_counts.flush_page - c0.flush_page, small);
	assert_int_equal(host_port_counts.flush_all, c0.flush_all);

	assert_int_equal(vm_map_range(&s, UVA, HOST_KERNEL_START,
				      big * PAGE_SIZE, PTE_U),
			 0);
	c0 = host_port_counts;
	assert_int_equal(vm_unmap_range(&s, UVA, big * PAGE_SIZE, 0), big);
	assert_int_equal(host_port_counts.flush_page, c0.flush_page);
	assert_int_equal(host_port_counts.flush_all - c0.flush_all, 1);
	assert_int_equal(host_port_counts.flush_global, c0.flush_global);

	/* Kernel mappings are global: a big change needs a global flush. */
	vaddr_t k = vmap_phys(HOST_KERNEL_START, big * PAGE_SIZE, PTE_W);
	assert_true(k != 0);
	c0 = host_port_counts;
	assert_int_equal(vm_protect(&kernel_space, k, big * PAGE_SIZE, 0), big);
	if (host_port_counts.flush_global == c0.flush_global)
		fail_msg("vm_protect changed %u global PTEs and flushed nothing "
			 "(no invlpg? the TLB keeps the old protection)", big);
	assert_int_equal(host_port_counts.flush_global - c0.flush_global, 1);
	vunmap(k, big, false);

	vm_space_activate(&kernel_space);
	vm_space_destroy(&s);
}

/* Protection changes reach the MMU, keep A/D and the frame. */
static void test_protect(void **state)
{
	(void)state;
	struct vm_space s;
	paddr_t pa;
	uint32_t flags;
	assert_int_equal(vm_space_init(&s), 0);
	vm_space_activate(&s);
	assert_int_equal(vm_map_range(&s, UVA, HOST_KERNEL_START, 4 * PAGE_SIZE,
				      PTE_U | PTE_W),
			 0);
	assert_int_equal(host_mmu_access(UVA + PAGE_SIZE,
					 HOST_MMU_USER | HOST_MMU_WRITE, &pa),
			 0);
	assert_int_equal(vm_protect(&s, UVA, 4 * PAGE_SIZE, PTE_U | PTE_COW),
			 4);
	int r = host_mmu_access(UVA + PAGE_SIZE,
				HOST_MMU_USER | HOST_MMU_WRITE, &pa);
	if (r == 0)
		fail_msg("stale TLB entry: a write succeeded after vm_protect "
			 "made the page read-only (no invlpg? flush the TLB "
			 "entry of every PTE that changes)");
	assert_int_equal(r, -EFAULT);
	assert_int_equal(host_mmu_access(UVA + PAGE_SIZE, HOST_MMU_USER, &pa),
			 0);
	assert_int_equal(pa, HOST_KERNEL_START + PAGE_SIZE);
	assert_int_equal(vm_translate(&s, UVA + PAGE_SIZE, &pa, &flags), 0);
	assert_int_equal(flags & (PTE_W | PTE_COW | PTE_A | PTE_D | PTE_U),
			 PTE_COW | PTE_A | PTE_D | PTE_U);
	/* Same protection again: nothing changes, nothing is flushed. */
	unsigned long inv = host_port_counts.flush_page;
	assert_int_equal(vm_protect(&s, UVA, 4 * PAGE_SIZE, PTE_U | PTE_COW),
			 0);
	assert_int_equal(host_port_counts.flush_page, inv);
	/* Supervisor-only: user access faults. */
	vm_protect(&s, UVA, 4 * PAGE_SIZE, PTE_W);
	assert_int_equal(host_mmu_access(UVA, HOST_MMU_USER, &pa), -EFAULT);
	assert_int_equal(host_mmu_access(UVA, HOST_MMU_WRITE, &pa), 0);
	vm_unmap_range(&s, UVA, 4 * PAGE_SIZE, 0);
	vm_space_activate(&kernel_space);
	vm_space_destroy(&s);
}

static int count_entry(vaddr_t va, pte_t *ptep, void *arg)
{
	(void)va;
	(void)ptep;
	(*(int *)arg)++;
	return 0;
}

/* Swap entries: kept, walked, not translated, handed back on unmap. */
static void test_swap_entries(void **state)
{
	(void)state;
	struct vm_space s;
	assert_int_equal(vm_space_init(&s), 0);
	assert_int_equal(vm_map_range(&s, UVA, HOST_KERNEL_START, 2 * PAGE_SIZE,
				      PTE_U),
			 0);
	pte_t *ptep = vm_pte_lookup(&s, UVA);
	assert_non_null(ptep);
	pte_t swp = pte_make_swap(12345, PTE_COW);
	assert_true(pte_is_swap(swp));
	assert_false(pte_present(swp));
	assert_int_equal(pte_swap_slot(swp), 12345);
	assert_int_equal(swp & PTE_SOFT_MASK, PTE_COW);
	assert_true(pte_is_swap(pte_make_swap(0, 0)));
	vm_pte_set(&s, UVA, ptep, swp);
	assert_int_equal(vm_translate(&s, UVA, NULL, NULL), -EFAULT);
	/* A swap entry where there was none counts as a used entry. */
	vm_pte_set(&s, UVA + 2 * PAGE_SIZE,
		   vm_pte_lookup(&s, UVA + 2 * PAGE_SIZE), pte_make_swap(7, 0));
	int n = 0;
	assert_int_equal(vm_walk(&s, 0, KERNEL_VMA, count_entry, &n), 0);
	assert_int_equal(n, 3);
	assert_verified(vm_space_check(&s));
	/* Only the present page counts as unmapped; all entries go. */
	assert_int_equal(vm_unmap_range(&s, UVA, 3 * PAGE_SIZE, 0), 1);
	assert_int_equal(s.nr_pgtables, 0);
	/* A lone swap entry keeps its table alive until it is cleared. */
	assert_int_equal(vm_map_page(&s, UVA, HOST_KERNEL_START, PTE_U), 0);
	vm_pte_set(&s, UVA, vm_pte_lookup(&s, UVA), swp);
	assert_int_equal(s.nr_pgtables, 1);
	pte_t old;
	assert_int_equal(vm_unmap_page(&s, UVA, &old), 0);
	assert_int_equal(old, swp);
	assert_int_equal(s.nr_pgtables, 0);
	vm_space_destroy(&s);
}

/* Destroying a space drops its frames' references: memory comes back. */
static void test_destroy_returns_memory(void **state)
{
	(void)state;
	uint32_t free0 = stats().free_pages;
	struct vm_space s;
	assert_int_equal(vm_space_init(&s), 0);
	for (vaddr_t va = 0x1000; va < 0x1000 + 300 * PAGE_SIZE;
	     va += PAGE_SIZE) {
		struct page *f = alloc_page(GFP_USER | GFP_ZERO);
		assert_non_null(f);
		assert_int_equal(vm_map_page(&s, va, page_to_phys(f), PTE_U),
				 0);
	}
	/* A frame mapped twice holds two references. */
	struct page *shared = alloc_page(GFP_USER);
	assert_int_equal(
		vm_map_page(&s, 0x40000000, page_to_phys(shared), PTE_U), 0);
	get_page(shared);
	assert_int_equal(
		vm_map_page(&s, 0x80000000, page_to_phys(shared), PTE_U), 0);
	/* Reserved frames (a device, say) are never freed. */
	assert_int_equal(vm_map_page(&s, 0x50000000, 0xB8000, PTE_U | PTE_W),
			 0);
	assert_int_equal(stats().user_pages, 301);
	vm_space_destroy(&s);
	assert_int_equal(stats().user_pages, 0);
	assert_int_equal(stats().free_pages, free0);
	assert_verified(pmm_verify());
	/* The current space cannot be destroyed. */
	assert_true(HOST_EXPECT_PANIC(vm_space_destroy(&kernel_space)));
}

/* A range unmap with VM_UNMAP_PUT frees the frames. */
static void test_unmap_put(void **state)
{
	(void)state;
	uint32_t free0 = stats().free_pages;
	struct vm_space s;
	assert_int_equal(vm_space_init(&s), 0);
	for (int i = 0; i < 100; i++) {
		struct page *f = alloc_page(GFP_USER);
		assert_int_equal(vm_map_page(&s, UVA + i * PAGE_SIZE,
					     page_to_phys(f), PTE_U),
				 0);
	}
	assert_int_equal(vm_unmap_range(&s, UVA, 100 * PAGE_SIZE, VM_UNMAP_PUT),
			 100);
	assert_int_equal(stats().user_pages, 0);
	vm_space_destroy(&s);
	assert_int_equal(stats().free_pages, free0);
}

/* Out of memory while mapping: -ENOMEM, nothing leaked, rollback. */
static void test_map_out_of_memory(void **state)
{
	(void)state;
	struct vm_space s;
	assert_int_equal(vm_space_init(&s), 0);
	assert_int_equal(vm_map_page(&s, 0x400000, HOST_KERNEL_START, PTE_U),
			 0);
	uint32_t free0 = stats().free_pages;
	struct page **hog = calloc(free0, sizeof(*hog));
	for (uint32_t i = 0; i < free0; i++)
		assert_non_null(hog[i] = alloc_page(GFP_KERNEL));
	assert_null(alloc_page(GFP_KERNEL));
	/* Needs a new table: fails. In an existing table: fine. */
	assert_int_equal(vm_map_page(&s, 0x800000, HOST_KERNEL_START, PTE_U),
			 -ENOMEM);
	assert_int_equal(vm_map_page(&s, 0x401000, HOST_KERNEL_START, PTE_U),
			 0);
	/* A range over two tables fails as a whole. */
	assert_int_equal(vm_map_range(&s, 0x7FE000, HOST_KERNEL_START,
				      4 * PAGE_SIZE, PTE_U),
			 -ENOMEM);
	assert_int_equal(vm_translate(&s, 0x7FE000, NULL, NULL), -EFAULT);
	struct vm_space t;
	assert_int_equal(vm_space_init(&t), -ENOMEM);
	assert_int_equal(kstack_alloc(), 0);
	assert_verified(vm_space_check(&s));
	for (uint32_t i = 0; i < free0; i++)
		free_page(hog[i]);
	free(hog);
	vm_space_destroy(&s);
	assert_verified(pmm_verify());
}

/* Kernel mappings made later show up in every space. */
static void test_kernel_half_shared(void **state)
{
	(void)state;
	struct vm_space a, b;
	assert_int_equal(vm_space_init(&a), 0);
	vaddr_t st = kstack_alloc();
	assert_true(st >= VMAP_START && st < VMAP_END);
	assert_int_equal(vm_space_init(&b), 0);
	paddr_t pa_k, pa_a, pa_b;
	assert_int_equal(vm_translate(&kernel_space, st, &pa_k, NULL), 0);
	assert_int_equal(vm_translate(&a, st, &pa_a, NULL), 0);
	assert_int_equal(vm_translate(&b, st, &pa_b, NULL), 0);
	assert_int_equal(pa_a, pa_k);
	assert_int_equal(pa_b, pa_k);
	assert_verified(vm_space_check(&a));
	assert_verified(vm_space_check(&b));
	assert_verified(vm_space_check(&kernel_space));
	/* An out-of-sync kernel PDE is reported. */
	pde_t saved = a.pgdir[1000];
	a.pgdir[1000] = 0x1234007;
	assert_int_equal(vm_space_check(&a), -EINVAL);
	a.pgdir[1000] = saved;
	kstack_free(st);
	vm_space_destroy(&a);
	vm_space_destroy(&b);
}

/* Kernel stacks: mapped, writable, global, a guard page below each. */
static void test_kernel_stacks(void **state)
{
	(void)state;
	struct pmm_stats st0 = stats();
	uint32_t used0 = vmap_used_pages();
	vaddr_t s1 = kstack_alloc(), s2 = kstack_alloc();
	assert_true(s1 && s2 && s1 != s2);
	assert_int_equal(vmap_used_pages(), used0 + 2 * (KSTACK_PAGES + 1));
	vaddr_t stacks[2] = { s1, s2 };
	paddr_t pa;
	uint32_t flags;
	for (int i = 0; i < 2; i++) {
		vaddr_t s = stacks[i];
		assert_int_equal(s % PAGE_SIZE, 0);
		for (vaddr_t va = s; va < kstack_top(s); va += PAGE_SIZE) {
			assert_int_equal(vm_translate(&kernel_space, va, &pa,
						      &flags),
					 0);
			assert_int_equal(flags & (PTE_W | PTE_U | PTE_G),
					 PTE_W | PTE_G);
			assert_false(vmap_is_guard(va));
			assert_int_equal(
				host_mmu_access(va, HOST_MMU_WRITE, &pa), 0);
		}
		assert_int_equal(vm_translate(&kernel_space, s - PAGE_SIZE, &pa,
					      NULL),
				 -EFAULT);
		assert_true(vmap_is_guard(s - 1));
		assert_int_equal(host_mmu_access(s - 4, HOST_MMU_WRITE, &pa),
				 -EFAULT);
	}
	/* The areas do not overlap, guard pages included. */
	vaddr_t lo = s1 < s2 ? s1 : s2, hi = s1 < s2 ? s2 : s1;
	assert_true(lo + KSTACK_SIZE <= hi - PAGE_SIZE);
	assert_int_equal(stats().kernel_pages,
			 st0.kernel_pages + 2 * KSTACK_PAGES);

	/* Freed: unmapped (and flushed), frames back, the area reusable. */
	kstack_free(s1);
	assert_int_equal(vm_translate(&kernel_space, s1, &pa, NULL), -EFAULT);
	assert_int_equal(host_mmu_access(s1, 0, &pa), -EFAULT);
	assert_false(vmap_is_guard(s1 - 1));
	vaddr_t s3 = kstack_alloc();
	assert_int_equal(s3, s1);
	kstack_free(s3);
	kstack_free(s2);
	assert_int_equal(vmap_used_pages(), used0);
	struct pmm_stats st1 = stats();
	assert_int_equal(st1.kernel_pages, st0.kernel_pages);
	/* Kernel page tables stay: the vmap area has one now. */
	assert_int_equal(st1.free_pages + st1.pgtable_pages,
			 st0.free_pages + st0.pgtable_pages);
	assert_true(HOST_EXPECT_PANIC(kstack_free(s2)));
	assert_verified(vm_space_check(&kernel_space));
}

/* Many stacks fill the area in order; vmap_phys keeps the offset. */
static void test_vmap_many(void **state)
{
	(void)state;
	vaddr_t v[200];
	for (int i = 0; i < 200; i++) {
		v[i] = vmap_phys(HOST_KERNEL_START, PAGE_SIZE, PTE_W);
		assert_true(v[i] != 0);
		if (i)
			assert_int_equal(v[i], v[i - 1] + 2 * PAGE_SIZE);
	}
	vaddr_t odd = vmap_phys(0xB8123, 2 * PAGE_SIZE, 0);
	paddr_t pa;
	assert_int_equal(odd & (PAGE_SIZE - 1), 0x123);
	assert_int_equal(vm_translate(&kernel_space, odd + 0x1000, &pa, NULL),
			 0);
	assert_int_equal(pa, 0xB9123);
	assert_int_equal(vm_translate(&kernel_space, odd + 0x2000 - 0x123, &pa,
				      NULL),
			 0);
	assert_int_equal(vm_translate(&kernel_space, odd + 0x3000 - 0x123, &pa,
				      NULL),
			 -EFAULT);
	vunmap(odd, 3, false);
	for (int i = 0; i < 200; i++)
		vunmap(v[i], 1, false);
	assert_int_equal(vmap_used_pages(), 0);
	assert_verified(vm_space_check(&kernel_space));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_direct_map, boot),
		cmocka_unit_test(test_no_pge),
		cmocka_unit_test_setup(test_map_translate_unmap, boot),
		cmocka_unit_test_setup(test_empty_tables_freed, boot),
		cmocka_unit_test_setup(test_unmap_flushes_tlb, boot),
		cmocka_unit_test_setup(test_other_space_no_flush, boot),
		cmocka_unit_test_setup(test_flush_choice, boot),
		cmocka_unit_test_setup(test_protect, boot),
		cmocka_unit_test_setup(test_swap_entries, boot),
		cmocka_unit_test_setup(test_destroy_returns_memory, boot),
		cmocka_unit_test_setup(test_unmap_put, boot),
		cmocka_unit_test_setup(test_map_out_of_memory, boot),
		cmocka_unit_test_setup(test_kernel_half_shared, boot),
		cmocka_unit_test_setup(test_kernel_stacks, boot),
		cmocka_unit_test_setup(test_vmap_many, boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
