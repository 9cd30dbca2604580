/*
 * tests/host/shim/mm_machine.c - QEMU-like machines for host tests of mm/.
 */
#include "tests/host/shim/mm_machine.h"

#include "mm/types.h"
#include "mm/vm.h"
#include "tests/host/shim/port_host.h"

#define MIB (1024ull * 1024)
#define GIB (1024 * MIB)

/* QEMU's PC layout (hw/i386/pc.c places RAM above 4 GiB past 3.5 GiB). */
#define LOWMEM_TOP_LIMIT (3 * GIB + 512 * MIB)
#define ACPI_SIZE 0x20000u
#define BIOS_FLASH 0xFFFC0000ull

static void add(struct mem_range *r, size_t *n, uint64_t base, uint64_t size,
		uint32_t type)
{
	r[*n].base = base;
	r[*n].size = size;
	r[*n].type = type;
	(*n)++;
}

void host_machine_qemu(struct host_machine *m, uint64_t ram_bytes)
{
	uint64_t below = ram_bytes < LOWMEM_TOP_LIMIT ? ram_bytes
						      : LOWMEM_TOP_LIMIT;
	m->nmap = 0;
	add(m->map, &m->nmap, 0, 0x9FC00, MEM_RANGE_USABLE);
	add(m->map, &m->nmap, 0x9FC00, 0x400, 2);
	add(m->map, &m->nmap, 0xF0000, 0x10000, 2);
	add(m->map, &m->nmap, 0x100000, below - 0x100000 - ACPI_SIZE,
	    MEM_RANGE_USABLE);
	add(m->map, &m->nmap, below - ACPI_SIZE, ACPI_SIZE, 2);
	add(m->map, &m->nmap, BIOS_FLASH, 0x40000, 2);
	if (ram_bytes > below)
		add(m->map, &m->nmap, 4 * GIB, ram_bytes - below,
		    MEM_RANGE_USABLE);
	m->nresv = 0;
	add(m->resv, &m->nresv, HOST_KERNEL_START, HOST_KERNEL_SIZE,
	    PMM_RESERVE_FIXED);
	add(m->resv, &m->nresv, HOST_MODULE_START, HOST_MODULE_SIZE,
	    PMM_RESERVE_BOOT);
}

int host_machine_boot(const struct host_machine *m, uint64_t mem_cap,
		      bool paging)
{
	uint64_t top = 0;
	for (size_t i = 0; i < m->nmap; i++) {
		uint64_t end = m->map[i].base + m->map[i].size;
		if (m->map[i].type == MEM_RANGE_USABLE && end > top)
			top = end;
	}
	if (top > 4 * GIB)
		top = 4 * GIB;
	host_ram_setup(top ? top : PAGE_SIZE, false);
	int err = pmm_init(m->map, m->nmap, m->resv, m->nresv, mem_cap);
	if (err || !paging)
		return err;
	return paging_init();
}

int host_boot_qemu(uint64_t ram_bytes, bool paging)
{
	struct host_machine m;
	host_machine_qemu(&m, ram_bytes);
	return host_machine_boot(&m, 0, paging);
}
