/*
 * kernel/arch/multiboot.h - what the Multiboot 1 loader tells the kernel.
 *
 * Structure layouts are from the Multiboot Specification version 0.6.96,
 * section 3.3 ("Boot information format"). boot_info_parse() copies what
 * Pagoda needs out of the loader's structures into struct boot_info, so
 * nothing later depends on where the loader put them.
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "mm/pmm.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002  /* in EAX at entry, 3.2 */

/* Bits of multiboot_info.flags saying which fields are valid (3.3). */
#define MBI_FLAG_MEM (1u << 0)      /* mem_lower, mem_upper */
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MODS (1u << 3)
#define MBI_FLAG_MMAP (1u << 6)
#define MBI_FLAG_LOADER (1u << 9)   /* boot_loader_name */

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;  /* KiB below 1 MiB */
	uint32_t mem_upper;  /* KiB above 1 MiB, up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;    /* physical address of a C string */
	uint32_t mods_count;
	uint32_t mods_addr;  /* physical address of struct multiboot_module[] */
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;  /* physical address of the memory map */
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

/* One memory map entry; `size` does not count itself (3.3). */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t base;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));

struct multiboot_module {
	uint32_t mod_start;  /* physical start */
	uint32_t mod_end;    /* physical end, exclusive */
	uint32_t string;     /* physical address of the module's command line */
	uint32_t reserved;
} __attribute__((packed));

#define BOOT_MAX_RANGES 64
#define BOOT_MAX_MODULES 8
/* Room for init= with a path of PATH_MAX bytes, and everything else. */
#define BOOT_CMDLINE_MAX 8192
#define BOOT_NAME_MAX 64

struct boot_module {
	uint32_t start, end;        /* physical, end exclusive */
	char name[BOOT_NAME_MAX];   /* the module's command line */
};

/* Everything Pagoda keeps from the loader. */
struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];
	struct mem_range ranges[BOOT_MAX_RANGES];  /* the memory map */
	size_t nranges;
	struct boot_module modules[BOOT_MAX_MODULES];
	size_t nmodules;
	uint32_t mbi_phys;  /* where the info structure itself was */
};

extern struct boot_info boot_info;

/*
 * Copies the loader's information into boot_info, reporting missing or
 * unusable fields. Returns 0, or -EINVAL when there is no usable memory
 * information at all.
 */
int boot_info_parse(uint32_t mbi_phys);
/* Prints the memory map like Linux's e820 table, and the modules. */
void boot_info_print(void);
const char *mem_type_name(uint32_t type);

#endif
