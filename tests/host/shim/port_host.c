/*
 * tests/host/shim/port_host.c - mm/port.h implemented over fake RAM.
 *
 * The arena is an anonymous mapping reserved without backing store, so a
 * test can describe a machine with gigabytes of "RAM" while only the pages
 * it touches cost host memory. The TLB model is fully associative with
 * round-robin replacement; it caches the PTE seen at fill time, which is
 * exactly what makes a forgotten invalidation visible.
 */
#include "tests/host/shim/port_host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "mm/pgtable.h"
#include "mm/port.h"

#define TLB_ENTRIES 64

struct tlb_entry {
	bool valid;
	vaddr_t vpn; /* va >> PAGE_SHIFT */
	pte_t pte;   /* the PTE when the entry was filled */
	bool global;
};

uintptr_t port_direct_map_base;
uint8_t *host_ram;
uint64_t host_ram_size;
struct host_port_counts host_port_counts;
paddr_t host_cr3;
bool host_wp, host_pge;
bool host_irq_enabled = true;
bool host_cpu_pge = true;
vaddr_t host_ro_start, host_ro_end;

static struct tlb_entry tlb[TLB_ENTRIES];
static unsigned int tlb_next;

void host_tlb_reset(void)
{
	memset(tlb, 0, sizeof(tlb));
	tlb_next = 0;
}

void host_ram_setup(uint64_t size, bool poison)
{
	/*
	 * An arena of the same size is reused as it is: like real RAM after
	 * a reboot, it holds whatever the last run left in it.
	 */
	if (host_ram && host_ram_size != size) {
		munmap(host_ram, host_ram_size);
		host_ram = NULL;
	}
	if (!host_ram) {
		host_ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
				0);
		if (host_ram == MAP_FAILED) {
			perror("host_ram_setup: mmap");
			abort();
		}
	}
	host_ram_size = size;
	if (poison)
		__builtin_memset(host_ram, 0xA5, size);
	port_direct_map_base = (uintptr_t)host_ram;
	memset(&host_port_counts, 0, sizeof(host_port_counts));
	host_cr3 = 0;
	host_wp = false;
	host_pge = false;
	host_irq_enabled = true;
	host_tlb_reset();
}

/* The entry at physical address pa, checked against the arena. */
static uint32_t *phys_word(paddr_t pa)
{
	if ((uint64_t)pa + 4 > host_ram_size) {
		fprintf(stderr, "host MMU: physical %#x outside fake RAM\n",
			pa);
		abort();
	}
	return (uint32_t *)(host_ram + pa);
}

/* Whether an access of the given kind is allowed by the entry's flags. */
static bool allowed(uint32_t flags, unsigned int access)
{
	if ((access & HOST_MMU_USER) && !(flags & PTE_U))
		return false;
	if ((access & HOST_MMU_WRITE) && !(flags & PTE_W) &&
	    ((access & HOST_MMU_USER) || host_wp))
		return false;
	return true;
}

int host_mmu_access(vaddr_t va, unsigned int access, paddr_t *pa)
{
	vaddr_t vpn = va >> PAGE_SHIFT;
	for (unsigned int i = 0; i < TLB_ENTRIES; i++) {
		if (tlb[i].valid && tlb[i].vpn == vpn) {
			if (!allowed(tlb[i].pte, access))
				return -EFAULT;
			*pa = pte_frame(tlb[i].pte) | (va & (PAGE_SIZE - 1));
			return 0;
		}
	}
	uint32_t *pde = phys_word(host_cr3 + pde_index(va) * 4);
	if (!(*pde & PTE_P))
		return -EFAULT;
	uint32_t *pte = phys_word(pte_frame(*pde) + pte_index(va) * 4);
	if (!(*pte & PTE_P))
		return -EFAULT;
	/* Effective rights are those both levels allow (SDM 3A, 4.6.1). */
	uint32_t eff = *pte & ~(PTE_W | PTE_U);
	eff |= *pte & *pde & (PTE_W | PTE_U);
	if (!allowed(eff, access))
		return -EFAULT;
	*pde |= PTE_A;
	*pte |= PTE_A | ((access & HOST_MMU_WRITE) ? PTE_D : 0);
	struct tlb_entry *e = &tlb[tlb_next++ % TLB_ENTRIES];
	e->valid = true;
	e->vpn = vpn;
	e->pte = eff | (*pte & PTE_D);
	e->global = host_pge && (*pte & PTE_G);
	*pa = pte_frame(*pte) | (va & (PAGE_SIZE - 1));
	return 0;
}

/* Drops the TLB entries of non-global pages, or of all with global. */
static void tlb_flush(bool global)
{
	for (unsigned int i = 0; i < TLB_ENTRIES; i++)
		if (global || !tlb[i].global)
			tlb[i].valid = false;
}

void *port_kmap_pointer(vaddr_t va, paddr_t pa)
{
	(void)va;
	return host_ram + pa;
}

void port_tlb_flush_page(vaddr_t va)
{
	host_port_counts.flush_page++;
	for (unsigned int i = 0; i < TLB_ENTRIES; i++)
		if (tlb[i].vpn == va >> PAGE_SHIFT)
			tlb[i].valid = false;
}

void port_tlb_flush_all(bool global)
{
	if (global)
		host_port_counts.flush_global++;
	else
		host_port_counts.flush_all++;
	tlb_flush(global);
}

void port_load_pgdir(paddr_t pgdir)
{
	host_port_counts.load_pgdir++;
	host_cr3 = pgdir;
	tlb_flush(false);
}

void port_paging_start(paddr_t pgdir, bool global)
{
	host_cr3 = pgdir;
	host_wp = true;
	host_pge = global;
	tlb_flush(true);
}

bool port_cpu_has_pge(void)
{
	return host_cpu_pge;
}

void port_kernel_ro_range(vaddr_t *start, vaddr_t *end)
{
	*start = host_ro_start;
	*end = host_ro_end;
}

uint64_t port_timestamp(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A fixed sequence (Marsaglia's xorshift32): host runs repeat exactly. */
uint32_t port_random_u32(void)
{
	static uint32_t x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}
