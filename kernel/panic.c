/*
 * kernel/panic.c - panics, register dumps and symbolized backtraces.
 *
 * A panic prints one greppable line starting with "KERNEL PANIC:", then the
 * registers and a backtrace, and stops the machine. The backtrace follows
 * the saved-EBP chain that -fno-omit-frame-pointer keeps: each frame holds
 * the caller's EBP at [ebp] and the return address at [ebp+4]. Names come
 * from the symbol table linked into the kernel (.ksyms, tools/gensyms.py).
 */
#include "kernel/panic.h"

#include <stdarg.h>

#include "drivers/qemu.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "kernel/arch/gdt.h"
#include "libk/printf.h"
#include "mm/types.h"
#include "mm/vmap.h"

/* The table emitted by tools/gensyms.py, sorted by address. */
struct ksym {
	uint32_t addr;
	uint32_t name_offset;
};
extern const uint32_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern const char __text_start[], __text_end[];

int panic_exits_qemu;
static int panicking;

const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
	if (ksyms_count == 0 || addr < ksyms_table[0].addr ||
	    addr >= (uint32_t)__text_end)
		return NULL;

	/* Binary search for the last symbol at or below addr. */
	uint32_t lo = 0, hi = ksyms_count;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_names + ksyms_table[lo].name_offset;
}

static void print_frame(int depth, uint32_t eip)
{
	uint32_t off = 0;
	const char *name = ksym_lookup(eip, &off);
	if (name)
		kprintf("  #%d 0x%08x %s+0x%x\n", depth, eip, name, off);
	else
		kprintf("  #%d 0x%08x ?\n", depth, eip);
}

/* A frame pointer is followed only while it looks like kernel stack. */
static int plausible_frame(uint32_t ebp)
{
	return ebp >= KERNEL_VMA && (ebp & 3) == 0 &&
	       ebp <= 0xFFFFFFF0u;
}

void backtrace_print(uint32_t eip, uint32_t ebp)
{
	kprintf("Backtrace:\n");
	print_frame(0, eip);
	for (int depth = 1; depth < 32 && plausible_frame(ebp); depth++) {
		const uint32_t *frame = (const uint32_t *)ebp;
		uint32_t ret = frame[1];
		if (ret < (uint32_t)__text_start || ret >= (uint32_t)__text_end)
			break;
		/* The return address points after the call; show the call. */
		print_frame(depth, ret - 1);
		if (frame[0] <= ebp)
			break;  /* stacks grow down: callers are higher */
		ebp = frame[0];
	}
}

__attribute__((noreturn)) static void stop(void)
{
	if (panic_exits_qemu)
		qemu_exit(QEMU_EXIT_PANIC);
	kprintf("System halted.\n");
	for (;;) {
		cli();
		hlt();
	}
}

/* Reports reentry (a panic while panicking) without recursing further. */
static void check_reentry(void)
{
	cli();
	if (panicking++) {
		kprintf("KERNEL PANIC: nested panic\n");
		stop();
	}
}

void panic(const char *fmt, ...)
{
	check_reentry();
	va_list ap;
	va_start(ap, fmt);
	kprintf("\nKERNEL PANIC: ");
	vkprintf(fmt, ap);
	kprintf("\n");
	va_end(ap);
	/* Start at our caller: its frame is the one our EBP points to. */
	backtrace_print((uint32_t)__builtin_return_address(0) - 1,
			*(const uint32_t *)read_ebp());
	stop();
}

void panic_trap(const struct trapframe *tf, const char *why)
{
	check_reentry();
	kprintf("\nKERNEL PANIC: %s in kernel mode at eip 0x%08x",
		trap_name(tf->vector), tf->eip);
	if (why)
		kprintf(" (%s)", why);
	kprintf("\n");
	if (tf->vector == T_PAGE) {
		char desc[96];
		trap_describe_pf(tf->error_code, desc, sizeof(desc));
		kprintf("  fault address (cr2) 0x%08x, error 0x%x: %s\n",
			read_cr2(), tf->error_code, desc);
	} else {
		kprintf("  error code 0x%x\n", tf->error_code);
	}
	kprintf("  eax %08x ebx %08x ecx %08x edx %08x\n", tf->eax, tf->ebx,
		tf->ecx, tf->edx);
	kprintf("  esi %08x edi %08x ebp %08x esp %08x\n", tf->esi, tf->edi,
		tf->ebp, (uint32_t)&tf->user_esp);
	kprintf("  cs %04x ds %04x es %04x fs %04x gs %04x eflags %08x\n",
		tf->cs, tf->ds, tf->es, tf->fs, tf->gs, tf->eflags);
	kprintf("  cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n", read_cr0(),
		read_cr2(), read_cr3(), read_cr4());
	backtrace_print(tf->eip, tf->ebp);
	stop();
}

/*
 * The double-fault handler runs as its own task (a task gate in the IDT),
 * on a stack of its own, so it works even when the kernel stack pointer is
 * useless. The state of the interrupted code was saved by the CPU into the
 * main TSS. A fault in the unmapped guard page below a kernel stack means
 * the stack overflowed: the page fault could not push its frame, which is
 * what turned it into a double fault.
 */
void double_fault_task(void)
{
	uint32_t eip, esp, ebp;

	check_reentry();
	tss_get_interrupted(&eip, &esp, &ebp);
	uint32_t cr2 = read_cr2();
	kprintf("\nKERNEL PANIC: double fault (#DF) at eip 0x%08x, "
		"esp 0x%08x, cr2 0x%08x\n", eip, esp, cr2);
	if (vmap_is_guard(cr2) || vmap_is_guard(esp - 4))
		kprintf("  kernel stack overflow: esp 0x%08x ran into the "
			"guard page at 0x%08x\n", esp, cr2 & PAGE_MASK);
	print_frame(0, eip);
	stop();
}
