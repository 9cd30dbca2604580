/*
 * kernel/proc/elf.h - loading static ELF32 executables into an address space.
 *
 * The file format and its checks are libk/elf.h (System V ABI chapters 4
 * and 5). This part logs a refused file and turns each loadable segment
 * into regions of a struct mm (mm/mm.h):
 *
 *   file:   |..... p_offset ....[ p_filesz ]......|
 *                               |
 *   memory:   page_round_down(p_vaddr)   p_vaddr+p_filesz   p_vaddr+p_memsz
 *             [=== VMA_FILE (private) ======|zeros][== VMA_ANON (bss) ==]
 *             file.offset = p_offset - (p_vaddr % PAGE_SIZE)
 *
 * The file region covers the pages that hold file bytes; its file.filesz
 * stops at the end of the segment's file bytes, so the rest of the last
 * page reads as zeros (the start of .bss). Whole bss pages after it are a
 * separate anonymous region. Pages are loaded on first access by the page
 * fault handler (demand paging from the initramfs image), so loading costs
 * nothing per page here.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stdint.h>

#include "libk/elf.h"
#include "mm/mm.h"

/* An executable file held in memory (an initramfs file). */
struct elf_image {
	const uint8_t *data; /* the whole file */
	uint32_t size;	     /* its size */
	/* For messages and /proc/PID/maps: valid as long as the regions. */
	const char *path;
	uint32_t ino; /* for /proc/PID/maps */
	uint32_t dev; /* for /proc/PID/maps (major << 8 | minor) */
};

/*
 * Checks that img can be loaded into user space (libk's elf_check with
 * the user range [MM_MMAP_MIN_ADDR, KERNEL_VMA)). Returns 0 and fills
 * *info, or -ENOEXEC after logging one line "exec: PATH: PROBLEM".
 */
int elf_validate(const struct elf_image *img, struct elf_info *info);

/*
 * Maps every loadable segment of a validated img into mm as private
 * regions, with the protection its p_flags ask for, and starts the heap
 * (brk) at the page after the highest segment. Returns 0 or the error of
 * mm_map (e.g. -ENOMEM beyond RLIMIT_AS); on error some regions may be
 * mapped already (the caller destroys mm).
 */
int elf_load(struct mm *mm, const struct elf_image *img,
	     const struct elf_info *info);

#endif
