/*
 * kernel/arch/gdt.h - segment descriptors and task state segments.
 *
 * Pagoda uses a flat memory model: every code and data segment spans
 * 0..4 GiB, and protection comes from paging. The GDT layout is fixed:
 *
 *   index  selector  use
 *   0      0x00      null descriptor (required)
 *   1      0x08      kernel code, ring 0
 *   2      0x10      kernel data, ring 0
 *   3      0x1B      user code, ring 3
 *   4      0x23      user data, ring 3
 *   5      0x28      TSS: ring-0 stack for traps from user mode
 *   6-8    0x33..    TLS slots for set_thread_area (like Linux i386)
 *   9      0x48      TSS of the double-fault task (runs on its own stack)
 *   10     0x50      the running process's LDT, if it has one
 *                    (kernel/arch/ldt.c); LDTR is null otherwise
 */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CODE 1
#define GDT_KERNEL_DATA 2
#define GDT_USER_CODE 3
#define GDT_USER_DATA 4
#define GDT_TSS 5
#define GDT_TLS_FIRST 6
#define GDT_TLS_COUNT 3
#define GDT_DF_TSS 9
#define GDT_LDT 10
#define GDT_ENTRIES 11

/* A selector is index * 8 plus the requested privilege level (RPL). */
#define SEL_KERNEL_CODE (GDT_KERNEL_CODE << 3)
#define SEL_KERNEL_DATA (GDT_KERNEL_DATA << 3)
#define SEL_USER_CODE ((GDT_USER_CODE << 3) | 3)
#define SEL_USER_DATA ((GDT_USER_DATA << 3) | 3)
#define SEL_TSS (GDT_TSS << 3)
#define SEL_DF_TSS (GDT_DF_TSS << 3)
#define SEL_LDT (GDT_LDT << 3)

void gdt_init(void);
/* Sets the ring-0 stack the CPU switches to on a trap from user mode. */
void tss_set_kernel_stack(uint32_t esp0);
/*
 * A segment descriptor as the CPU reads it from the GDT (Intel SDM vol.
 * 3A, 3.4.5, figure 3-8). All zero is "no segment": not present, and of a
 * type no segment register accepts.
 */
struct seg_desc {
	uint32_t lo;  /* limit 15:0, base 15:0 */
	uint32_t hi;  /* base 23:16, type, S, DPL, P, limit 19:16, AVL, L,
			 D/B, G, base 31:24 */
};

/* Writes a process's TLS descriptor into GDT slot 0..2. */
void gdt_set_tls(unsigned int slot, struct seg_desc d);

/*
 * Makes the LDT at table, nr_entries descriptors long, the one the CPU
 * uses (lldt); with nr_entries 0 there is none (a null LDTR).
 */
void gdt_load_ldt(const struct seg_desc *table, uint32_t nr_entries);

/* The double-fault task must run with the page directory in use. */
void gdt_set_df_cr3(uint32_t cr3);
/* The registers the CPU saved in the main TSS when it switched tasks. */
void tss_get_interrupted(uint32_t *eip, uint32_t *esp, uint32_t *ebp);

#endif
