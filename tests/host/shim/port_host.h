/*
 * tests/host/shim/port_host.h - the memory manager's port on the host.
 *
 * "Physical memory" is an arena in the test process: physical address p is
 * the byte at host_ram + p. The shim counts every TLB operation, remembers
 * the loaded page directory and models a small TLB, so that a test can
 * access a virtual address "as the CPU would" with host_mmu_access() and
 * catch a missing invalidation: a stale TLB entry keeps translating after
 * its PTE changed.
 */
#ifndef HOST_PORT_HOST_H
#define HOST_PORT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"

/* The fake RAM: physical addresses 0 .. host_ram_size - 1. */
extern uint8_t *host_ram;
extern uint64_t host_ram_size;

/*
 * Provides size bytes of fake RAM. An arena of another size is replaced by
 * a fresh (zeroed) one; one of the same size keeps its old contents, as
 * real RAM does across a reboot. With poison, it is filled with 0xA5, as
 * real RAM holds garbage. Also resets the counters and the TLB model.
 */
void host_ram_setup(uint64_t size, bool poison);

/* Counters of port calls. */
struct host_port_counts {
	unsigned long flush_page;   /* port_tlb_flush_page */
	unsigned long flush_all;    /* port_tlb_flush_all(false) */
	unsigned long flush_global; /* port_tlb_flush_all(true) */
	unsigned long load_pgdir;   /* port_load_pgdir */
	unsigned long irq_save;	    /* port_irq_save */
};

extern struct host_port_counts host_port_counts;

/* The directory loaded by port_load_pgdir / port_paging_start. */
extern paddr_t host_cr3;
/* CR0.WP and CR4.PGE as port_paging_start left them. */
extern bool host_wp, host_pge;
/* The simulated EFLAGS.IF (port_irq_save clears it). */
extern bool host_irq_enabled;

/* What port_cpu_has_pge and port_kernel_ro_range report. */
extern bool host_cpu_pge;
extern vaddr_t host_ro_start, host_ro_end;

/* Access kinds for host_mmu_access. */
#define HOST_MMU_WRITE 1u
#define HOST_MMU_USER 2u

/*
 * Translates va for an access of the given kind through the TLB model and,
 * on a miss, the page tables at host_cr3 (setting accessed and dirty bits
 * like the CPU). Returns 0 and *pa, or -EFAULT for what would be a page
 * fault (not present, or a protection violation with CR0.WP honoured).
 */
int host_mmu_access(vaddr_t va, unsigned int access, paddr_t *pa);

/* Empties the TLB model. */
void host_tlb_reset(void);

#endif
