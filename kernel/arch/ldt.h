/*
 * kernel/arch/ldt.h - a process's local descriptor table (modify_ldt).
 */
#ifndef KERNEL_ARCH_LDT_H
#define KERNEL_ARCH_LDT_H

#include <stdint.h>

#include "kernel/arch/gdt.h"

struct mm;

/* Linux's LDT_ENTRIES (asm/ldt.h): the most entries an LDT can have. */
#define LDT_ENTRIES 8192

/*
 * A process's LDT: one kmalloc block, the count then the descriptors.
 * It belongs to the address space (mm->ldt), which frees it with itself.
 */
struct ldt {
	uint32_t nr_entries;             /* 1..LDT_ENTRIES */
	uint32_t unused;                 /* keeps the entries 8-aligned */
	struct seg_desc entries[];
};

/*
 * Makes mm's LDT the one the CPU uses, if it is not already (called when a
 * process is switched in and after execve); mm may be NULL.
 */
void ldt_install(const struct mm *mm);

/* Gives child a copy of parent's LDT (fork): 0 or -ENOMEM. */
int ldt_copy(struct mm *child, const struct mm *parent);

/*
 * Sets entry of mm's LDT to d, growing the table to entry + 1 entries if
 * it is shorter; loads the new table if mm is the running one. 0, -EINVAL
 * for an entry past LDT_ENTRIES, or -ENOMEM (the old table is unchanged).
 */
int ldt_set(struct mm *mm, uint32_t entry, struct seg_desc d);

/* The number of entries of mm's LDT, 0 if it has none. */
uint32_t ldt_size(const struct mm *mm);

#endif
