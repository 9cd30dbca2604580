/*
 * kernel/arch/gdt.c - the global descriptor table and the TSSes.
 *
 * Descriptor formats are those of Intel SDM vol. 3A, section 3.4.5
 * (segment descriptors) and 8.2 (TSS). The LDT entry describes the running
 * process's LDT, if it has one (kernel/arch/ldt.c). The three TLS
 * entries hold the running process's own descriptors (kernel/arch/tls.c). The
 * main TSS only supplies SS0:ESP0 for traps from ring 3. The double-fault
 * TSS describes a separate task with its own stack, so a kernel stack
 * overflow (which makes the CPU fail to push the page-fault frame) still
 * reaches a handler that can report it instead of triple-faulting.
 */
#include "kernel/arch/gdt.h"

#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "libk/string.h"

/* Access byte bits (SDM vol. 3A, 3.4.5, figure 3-8). */
#define ACC_PRESENT 0x80
#define ACC_DPL3 0x60
#define ACC_CODE_DATA 0x10  /* S: code or data, not system */
#define ACC_EXEC 0x08
#define ACC_RW 0x02         /* readable code / writable data */
#define ACC_TSS32 0x09      /* 32-bit available TSS (system type 9) */
#define ACC_LDT 0x02        /* LDT (system type 2, SDM vol. 3A, table 3-2) */
/* Flags nibble: 4 KiB granularity, 32-bit default operand size. */
#define FLAGS_4K_32 0xC

struct gdt_entry {
	uint16_t limit_low;
	uint16_t base_low;
	uint8_t base_mid;
	uint8_t access;
	uint8_t limit_flags;  /* limit 19:16 and flags */
	uint8_t base_high;
} __attribute__((packed));

struct gdt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* The 32-bit TSS (SDM vol. 3A, 8.2.1, figure 8-2). */
struct tss {
	uint32_t prev, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

static struct gdt_entry gdt[GDT_ENTRIES];
static struct tss tss;
static struct tss df_tss;
static uint8_t df_stack[8192] __attribute__((aligned(16)));

static void set_entry(int i, uint32_t base, uint32_t limit, uint8_t access,
		      uint8_t flags)
{
	gdt[i].limit_low = limit & 0xFFFF;
	gdt[i].base_low = base & 0xFFFF;
	gdt[i].base_mid = (base >> 16) & 0xFF;
	gdt[i].access = access;
	gdt[i].limit_flags = (uint8_t)(((limit >> 16) & 0x0F) | (flags << 4));
	gdt[i].base_high = (base >> 24) & 0xFF;
}

static void load_gdt(void)
{
	struct gdt_ptr p = { sizeof(gdt) - 1, (uint32_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%fs\n\t"
			 "mov %1, %%gs\n\t"
			 "mov %1, %%ss\n\t"
			 "ljmp %2, $1f\n"
			 "1:"
			 :
			 : "m"(p), "r"((uint32_t)SEL_KERNEL_DATA),
			   "i"(SEL_KERNEL_CODE)
			 : "memory");
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)SEL_TSS));
	/*
	 * No LDT yet. After reset the LDTR has base 0 and limit 0xFFFF (Intel
	 * SDM vol. 3A, table 9-1) and the boot loader leaves it so: a
	 * selector with TI set would make the CPU read its descriptor from
	 * linear addresses 0-0xFFFF. A null LDTR makes every such selector
	 * a #GP(selector) instead (vol. 2A, LLDT).
	 */
	__asm__ volatile("lldt %w0" : : "r"((uint16_t)0));
}

void gdt_init(void)
{
	const uint8_t code = ACC_PRESENT | ACC_CODE_DATA | ACC_EXEC | ACC_RW;
	const uint8_t data = ACC_PRESENT | ACC_CODE_DATA | ACC_RW;

	set_entry(0, 0, 0, 0, 0);
	set_entry(GDT_KERNEL_CODE, 0, 0xFFFFF, code, FLAGS_4K_32);
	set_entry(GDT_KERNEL_DATA, 0, 0xFFFFF, data, FLAGS_4K_32);
	set_entry(GDT_USER_CODE, 0, 0xFFFFF, code | ACC_DPL3, FLAGS_4K_32);
	set_entry(GDT_USER_DATA, 0, 0xFFFFF, data | ACC_DPL3, FLAGS_4K_32);

	memset(&tss, 0, sizeof(tss));
	tss.ss0 = SEL_KERNEL_DATA;
	tss.iomap_base = sizeof(tss);  /* no I/O permission bitmap */
	set_entry(GDT_TSS, (uint32_t)&tss, sizeof(tss) - 1,
		  ACC_PRESENT | ACC_TSS32, 0);

	/* The double-fault task: flat kernel segments, its own stack. */
	memset(&df_tss, 0, sizeof(df_tss));
	df_tss.esp = df_tss.esp0 = (uint32_t)(df_stack + sizeof(df_stack));
	df_tss.ss = df_tss.ss0 = SEL_KERNEL_DATA;
	df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = SEL_KERNEL_DATA;
	df_tss.cs = SEL_KERNEL_CODE;
	df_tss.eip = (uint32_t)double_fault_task;
	df_tss.cr3 = read_cr3();
	df_tss.iomap_base = sizeof(df_tss);
	set_entry(GDT_DF_TSS, (uint32_t)&df_tss, sizeof(df_tss) - 1,
		  ACC_PRESENT | ACC_TSS32, 0);

	for (unsigned int i = 0; i < GDT_TLS_COUNT; i++)
		set_entry(GDT_TLS_FIRST + i, 0, 0, 0, 0);  /* no segment */

	load_gdt();
}

void tss_set_kernel_stack(uint32_t esp0)
{
	tss.esp0 = esp0;
}

void gdt_set_df_cr3(uint32_t cr3)
{
	df_tss.cr3 = cr3;
}

void gdt_set_tls(unsigned int slot, struct seg_desc d)
{
	if (slot >= GDT_TLS_COUNT)
		return;
	_Static_assert(sizeof(struct gdt_entry) == sizeof(d),
		       "a GDT entry is one descriptor");
	/*
	 * Called for every slot at every context switch: two word moves
	 * (the builtin is inlined even under -fno-builtin), not a call.
	 */
	__builtin_memcpy(&gdt[GDT_TLS_FIRST + slot], &d, sizeof(d));
}

void gdt_load_ldt(const struct seg_desc *table, uint32_t nr_entries)
{
	if (nr_entries == 0) {
		set_entry(GDT_LDT, 0, 0, 0, 0);
		__asm__ volatile("lldt %w0" : : "r"((uint16_t)0) : "memory");
		return;
	}
	/*
	 * An LDT descriptor: a system segment with DPL 0, byte granular, its
	 * limit the table's last byte (SDM vol. 3A, 3.5.1). A selector whose
	 * descriptor would pass that limit is refused with #GP (vol. 3A,
	 * 5.3), so the table needs to be only as long as it is used.
	 */
	set_entry(GDT_LDT, (uint32_t)table,
		  nr_entries * (uint32_t)sizeof(*table) - 1,
		  ACC_PRESENT | ACC_LDT, 0);
	__asm__ volatile("lldt %w0" : : "r"((uint16_t)SEL_LDT) : "memory");
}

void tss_get_interrupted(uint32_t *eip, uint32_t *esp, uint32_t *ebp)
{
	*eip = tss.eip;
	*esp = tss.esp;
	*ebp = tss.ebp;
}
