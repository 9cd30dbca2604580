/*
 * mm/port.h - everything mm/ needs from the machine, in one place.
 *
 * The memory manager is portable C: it contains no inline assembly and
 * names no file of kernel/, drivers/ or boot/. What it needs from the
 * hardware is listed here, and two environments implement it:
 *
 *   kernel/mm_port.c            the real thing: direct map at KERNEL_VMA,
 *   kernel/mm_port_inline.h     invlpg, CR3, CR0/CR4, EFLAGS.IF, rdtsc
 *   tests/host/shim/port_host.c a test double: "physical memory" is a
 *   tests/host/shim/            malloc'ed arena, TLB flushes are counted,
 *     port_inline.h             and a small MMU model walks the page tables
 *
 * The same mm/ sources compile in both, without any #ifdef choosing
 * between them.
 *
 * What is on every allocator fast path is inline, because a call would
 * cost as much as the work itself:
 *
 *   - the physical <-> virtual conversion of the direct map, below: "add a
 *     constant", the constant being port_direct_map_base (KERNEL_VMA in the
 *     kernel, the arena's address on the host);
 *   - port_irq_save() and port_irq_restore(), which differ completely
 *     between the two (pushf/cli/sti against a simulated flag). They come
 *     from the environment's inline header, which the build names with
 *     -DPORT_INLINE_HEADER: "kernel/mm_port_inline.h" in the kernel
 *     (Makefile), "tests/host/shim/port_inline.h" on the host
 *     (tests/host/host.mk, bench.mk, tests/fuzz/fuzz.mk). So mm/ holds no
 *     assembly, and no #ifdef picks the environment.
 *
 * Everything else is an ordinary call.
 */
#ifndef MM_PORT_H
#define MM_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/types.h"

/*
 * Where physical address 0 appears in the address space C code runs in.
 * Only lowmem (below LOWMEM_LIMIT) is reachable this way in the kernel.
 */
extern uintptr_t port_direct_map_base;

/* The direct-map pointer to physical address pa (lowmem only). */
static inline void *port_phys_to_virt(paddr_t pa)
{
	return (void *)(port_direct_map_base + pa);
}

/*
 * The pointer through which C code reaches the temporary kernel mapping at
 * va of the frame at pa (mm/highmem.h): va itself in the kernel. The host
 * tests have no MMU under their C code, but their fake RAM holds every
 * frame, so there it is the frame's place in that RAM.
 */
void *port_kmap_pointer(vaddr_t va, paddr_t pa);

/* The physical address behind a direct-map pointer. */
static inline paddr_t port_virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - port_direct_map_base);
}

/* Drops the TLB entry of one page of the current address space (invlpg). */
void port_tlb_flush_page(vaddr_t va);

/*
 * Drops every TLB entry: with global false by reloading CR3, which keeps
 * global (kernel) entries; with global true by toggling CR4.PGE, which
 * drops them too (Intel SDM vol. 3A, 4.10.4.1).
 */
void port_tlb_flush_all(bool global);

/* Switches to the page directory at physical address pgdir (loads CR3). */
void port_load_pgdir(paddr_t pgdir);

/*
 * Installs the kernel's first page directory and turns on the paging
 * features the kernel relies on: CR0.WP always, CR4.PGE when global is
 * true (the caller has checked port_cpu_has_pge()).
 */
void port_paging_start(paddr_t pgdir, bool global);

/* Whether the CPU supports global pages (CPUID.01H:EDX.PGE[bit 13]). */
bool port_cpu_has_pge(void);

/*
 * The virtual range of the kernel image that must be read-only: text and
 * read-only data, page aligned ([start, end)).
 */
void port_kernel_ro_range(vaddr_t *start, vaddr_t *end);

/*
 * The environment's inline functions. It must define:
 *
 *   static inline bool port_irq_save(void);
 *       disables interrupts; returns whether they were enabled
 *   static inline void port_irq_restore(bool was_enabled);
 *       re-enables interrupts if port_irq_save() found them enabled
 */
#ifndef PORT_INLINE_HEADER
#error "PORT_INLINE_HEADER must name the port's inline header (mm/port.h)"
#endif
#include PORT_INLINE_HEADER

/*
 * A monotonic counter for measurements (the time-stamp counter in the
 * kernel; under QEMU -icount it counts guest instructions).
 */
uint64_t port_timestamp(void);

/*
 * A random number (the kernel's generator, which a deterministic run
 * seeds from the command line; a fixed sequence on the host).
 */
uint32_t port_random_u32(void);

#endif
