/*
 * libk/elf.h - the ELF32 executable format and a strict validator.
 *
 * Structure layouts and constants are from the System V Application Binary
 * Interface, chapter 4 ("Object Files": ELF header, e_ident) and chapter 5
 * ("Program Loading": program header), with the i386 processor supplement
 * (EM_386, ELFCLASS32, ELFDATA2LSB, 4 KiB pages). PT_GNU_STACK and
 * PT_GNU_RELRO are GNU extensions (the Linux Standard Base lists them).
 *
 * elf_check() reads an executable that is entirely in memory and says
 * whether Pagoda can load it. It trusts nothing in the file: every offset
 * and size is checked against the image and every address against the
 * user half of the address space, in 64-bit arithmetic so nothing wraps.
 * It is pure computation (no allocation, no logging), so the same code is
 * unit tested on the host and used by kernel/proc/elf.c.
 */
#ifndef LIBK_ELF_H
#define LIBK_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libk/assert.h"

/* e_ident[] indices and values (SysV ABI 4, "ELF Identification"). */
#define EI_NIDENT 16
#define EI_MAG0 0
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS32 1  /* 32-bit objects */
#define ELFDATA2LSB 1 /* two's complement, little-endian */
#define EV_CURRENT 1  /* the only ELF version */

/* e_type (SysV ABI 4, "ELF Header"). */
#define ET_REL 1  /* relocatable object (.o) */
#define ET_EXEC 2 /* executable at fixed addresses */
#define ET_DYN 3  /* shared object, or position-independent executable */
#define ET_CORE 4 /* core dump */

/* e_machine: Intel 80386 (SysV ABI 4; the i386 supplement). */
#define EM_386 3

/* p_type (SysV ABI 5, "Program Header"; GNU extensions). */
#define PT_NULL 0
#define PT_LOAD 1 /* a segment to map */
#define PT_DYNAMIC 2
#define PT_INTERP 3 /* path of the dynamic linker */
#define PT_NOTE 4
#define PT_SHLIB 5
#define PT_PHDR 6 /* the program header table itself, when mapped */
#define PT_TLS 7  /* thread-local storage template (glibc sets it up) */
#define PT_GNU_STACK 0x6474e551 /* p_flags: is the stack executable */
#define PT_GNU_RELRO 0x6474e552 /* read-only after relocation (glibc) */

/* p_flags (SysV ABI 5, "Segment Permissions"). */
#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

/*
 * Where a static position-independent executable (ET_DYN without
 * PT_INTERP) is placed: Linux's ELF_ET_DYN_BASE for 32-bit processes on
 * x86 (arch/x86/include/asm/elf.h), without randomisation.
 */
#define ELF_ET_DYN_BASE 0x00400000u

/*
 * At most this many program headers: the table must fit in 64 KiB, the
 * bound Linux's binfmt_elf applies (65536 / sizeof(struct elf32_phdr)).
 */
#define ELF_MAX_PHNUM (65536u / 32u)

/* The loader's page size (the i386 supplement: 4 KiB). */
#define ELF_PAGE_SIZE 4096u

/* The ELF header, at offset 0 of the file (SysV ABI 4, Figure 4-3). */
struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT]; /* magic, class, data, version, OS ABI */
	uint16_t e_type;	    /* ET_* */
	uint16_t e_machine;	    /* EM_* */
	uint32_t e_version;	    /* EV_CURRENT */
	uint32_t e_entry;     /* virtual address of the first instruction */
	uint32_t e_phoff;     /* file offset of the program header table */
	uint32_t e_shoff;     /* file offset of the section headers */
	uint32_t e_flags;     /* processor flags (none on i386) */
	uint16_t e_ehsize;    /* size of this header */
	uint16_t e_phentsize; /* size of one program header */
	uint16_t e_phnum;     /* number of program headers */
	uint16_t e_shentsize; /* size of one section header */
	uint16_t e_shnum;     /* number of section headers */
	uint16_t e_shstrndx;  /* index of the section name table */
};

/* One program header (SysV ABI 5, Figure 5-1). */
struct elf32_phdr {
	uint32_t p_type;   /* PT_* */
	uint32_t p_offset; /* file offset of the segment's first byte */
	uint32_t p_vaddr;  /* its virtual address */
	uint32_t p_paddr;  /* physical address (unused) */
	uint32_t p_filesz; /* bytes in the file */
	uint32_t p_memsz;  /* bytes in memory; the rest after filesz is zeros */
	uint32_t p_flags;  /* PF_* */
	uint32_t p_align;  /* vaddr % align == offset % align (0 or 1: none) */
};

STATIC_ASSERT(sizeof(struct elf32_ehdr) == 52, "ELF32 header is 52 bytes");
STATIC_ASSERT(sizeof(struct elf32_phdr) == 32, "ELF32 phdr is 32 bytes");

/* What elf_check() found out about a loadable executable. */
struct elf_info {
	uint16_t type;	/* ET_EXEC, or ET_DYN for a static PIE */
	uint32_t bias;	/* added to every p_vaddr (0 for ET_EXEC) */
	uint32_t entry; /* e_entry + bias */
	uint32_t phoff; /* e_phoff */
	uint32_t phnum; /* e_phnum */
	/*
	 * Where the program headers are in memory (AT_PHDR): PT_PHDR's
	 * address, else inside the PT_LOAD whose file bytes hold them,
	 * else 0.
	 */
	uint32_t phdr_addr;
	uint32_t load_start; /* page-aligned start of the lowest segment */
	uint32_t load_end;   /* end of the highest segment (vaddr + memsz) */
	uint32_t nload;	     /* PT_LOAD segments with a non-zero memsz */
	bool has_gnu_stack;  /* a PT_GNU_STACK header was present */
	/*
	 * The stack should be executable: PT_GNU_STACK with PF_X, or no
	 * PT_GNU_STACK at all (the i386 default, Linux's READ_IMPLIES_EXEC).
	 */
	bool exec_stack;
};

/*
 * Checks that image[0..size) is an ELF32 i386 executable Pagoda can load
 * into user addresses [user_min, user_top); user_min is at least
 * ELF_PAGE_SIZE (page 0 is never mapped) and page aligned. Returns 0 and
 * fills *info, or -ENOEXEC with a one-line explanation (no file name, no
 * newline) in why[0..whysize).
 */
int elf_check(const void *image, size_t size, uint32_t user_min,
	      uint32_t user_top, struct elf_info *info, char *why,
	      size_t whysize);

/*
 * Copies program header i of a checked image into *ph, with the load bias
 * already added to p_vaddr. The table need not be aligned in the image.
 */
void elf_get_phdr(const void *image, const struct elf_info *info, uint32_t i,
		  struct elf32_phdr *ph);

/* The MM_PROT_* / PROT_* bits (read 1, write 2, exec 4) for p_flags. */
static inline uint32_t elf_prot(uint32_t p_flags)
{
	return ((p_flags & PF_R) ? 0x1u : 0) | ((p_flags & PF_W) ? 0x2u : 0) |
	       ((p_flags & PF_X) ? 0x4u : 0);
}

#endif
