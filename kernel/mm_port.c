/*
 * kernel/mm_port.c - the memory manager's port (mm/port.h) on real x86.
 *
 * The direct map puts physical address p at KERNEL_VMA + p (set up by
 * boot/entry.asm, then rebuilt by paging_init()). TLB and paging control go
 * straight to the instructions wrapped in kernel/arch/x86.h. The interrupt flag
 * functions are inline, in kernel/mm_port_inline.h.
 */
#include "mm/port.h"

#include "kernel/arch/x86.h"
#include "kernel/random.h"

/* CR0.WP: ring 0 honours read-only pages (Intel SDM vol. 3A, 2.5). */
#define CR0_WP (1u << 16)
/* CR4.PGE: global pages enabled (SDM vol. 3A, 2.5). */
#define CR4_PGE (1u << 7)
/* CPUID leaf 1, EDX bit 13: PGE supported (SDM vol. 2A, CPUID, table 3-11). */
#define CPUID_1_EDX_PGE (1u << 13)

/* Linker symbols bounding the read-only part of the image (linker.ld). */
extern char __text_start[], __rodata_end[];

uintptr_t port_direct_map_base = KERNEL_VMA;

void *port_kmap_pointer(vaddr_t va, paddr_t pa)
{
	(void)pa;
	return (void *)(uintptr_t)va;
}

void port_tlb_flush_page(vaddr_t va)
{
	invlpg(va);
}

void port_tlb_flush_all(bool global)
{
	uint32_t cr4 = read_cr4();
	if (global && (cr4 & CR4_PGE)) {
		/* Clearing and setting PGE flushes global entries too. */
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

void port_load_pgdir(paddr_t pgdir)
{
	write_cr3(pgdir);
}

void port_paging_start(paddr_t pgdir, bool global)
{
	write_cr3(pgdir);
	write_cr0(read_cr0() | CR0_WP);
	/* Setting PGE after the switch: no stale entry becomes global. */
	if (global)
		write_cr4(read_cr4() | CR4_PGE);
}

bool port_cpu_has_pge(void)
{
	uint32_t a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	return d & CPUID_1_EDX_PGE;
}

void port_kernel_ro_range(vaddr_t *start, vaddr_t *end)
{
	*start = (vaddr_t)(uintptr_t)__text_start;
	*end = (vaddr_t)(uintptr_t)__rodata_end;
}

uint64_t port_timestamp(void)
{
	return rdtsc();
}

uint32_t port_random_u32(void)
{
	return random_u32();
}
