/*
 * tests/host/shim/mm_machine.h - boots the memory manager on fake RAM.
 *
 * Host tests of mm/ start from a machine described the way QEMU's BIOS
 * describes a PC: usable RAM below 640 KiB, the VGA/BIOS hole, usable RAM
 * from 1 MiB to just below the top (the last 128 KiB reserved for ACPI),
 * the BIOS flash just below 4 GiB and, past 3.5 GiB of RAM, the rest above
 * 4 GiB. The kernel image sits at 1 MiB and a boot module after it.
 */
#ifndef HOST_MM_MACHINE_H
#define HOST_MM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/pmm.h"

/* Where the fake kernel image lies (physical), and the fake module. */
#define HOST_KERNEL_START 0x100000u
#define HOST_KERNEL_SIZE 0x80000u
#define HOST_MODULE_START 0x180000u
#define HOST_MODULE_SIZE 0x23456u

struct host_machine {
	struct mem_range map[8];
	size_t nmap;
	struct mem_range resv[4];
	size_t nresv;
};

/* Fills *m with QEMU's map for ram_bytes of RAM, kernel and module. */
void host_machine_qemu(struct host_machine *m, uint64_t ram_bytes);

/*
 * Sets up fake RAM covering the map's usable memory below 4 GiB and runs
 * pmm_init(), then paging_init() when paging is set. Returns what
 * pmm_init (or paging_init) returned.
 */
int host_machine_boot(const struct host_machine *m, uint64_t mem_cap,
		      bool paging);

/* host_machine_qemu() and host_machine_boot() in one go. */
int host_boot_qemu(uint64_t ram_bytes, bool paging);

#endif
