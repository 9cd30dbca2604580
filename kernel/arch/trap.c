/*
 * kernel/arch/trap.c - the interrupt descriptor table and trap dispatch.
 *
 * All 256 vectors have an entry stub. Exceptions and IRQs use interrupt
 * gates (interrupts off on entry); int 0x80 is a trap gate with DPL 3 so
 * user code may invoke it; the double fault is a task gate so it runs on a
 * known-good stack even when the kernel stack is gone.
 *
 * A CPU exception in kernel mode is a kernel bug unless the instruction has
 * an entry in the exception-fixup table (kernel/arch/extable.h: the user-copy
 * helpers, and the segment pops and iret of a return to user mode) or a
 * test is catching it; otherwise it panics with a full report.
 */
#include "kernel/arch/trap.h"

#include "drivers/pic.h"
#include "kernel/arch/extable.h"
#include "kernel/arch/gdt.h"
#include "kernel/panic.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/cpustat.h"
#include "kernel/arch/usertrap.h"
#include "kernel/arch/x86.h"
#include "libk/printf.h"
#include "libk/string.h"

/* Gate descriptor types (SDM vol. 3A, 6.11, figure 6-2). */
#define GATE_INTERRUPT32 0x8E  /* present, DPL 0, 32-bit interrupt gate */
#define GATE_TRAP32_USER 0xEF  /* present, DPL 3, 32-bit trap gate */
#define GATE_TASK 0x85         /* present, DPL 0, task gate */
#define GATE_INTERRUPT32_USER 0xEE  /* present, DPL 3, 32-bit interrupt gate */

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;
	uint16_t offset_high;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern const uint32_t trap_stubs[256];

static struct idt_entry idt[256];
static irq_handler_t irq_handlers[IRQ_COUNT];
bool (*trap_kernel_fault_hook)(struct trapframe *tf);

static const char *const exception_names[32] = {
	"divide error (#DE)",
	"debug (#DB)",
	"non-maskable interrupt",
	"breakpoint (#BP)",
	"overflow (#OF)",
	"bound range exceeded (#BR)",
	"invalid opcode (#UD)",
	"device not available (#NM)",
	"double fault (#DF)",
	"coprocessor segment overrun",
	"invalid TSS (#TS)",
	"segment not present (#NP)",
	"stack-segment fault (#SS)",
	"general protection fault (#GP)",
	"page fault (#PF)",
	"reserved exception 15",
	"x87 floating-point error (#MF)",
	"alignment check (#AC)",
	"machine check (#MC)",
	"SIMD floating-point exception (#XM)",
	"virtualization exception (#VE)",
	"control protection exception (#CP)",
};

const char *trap_name(uint32_t vector)
{
	if (vector < 32)
		return exception_names[vector] ? exception_names[vector]
					       : "reserved exception";
	if (vector >= IRQ_BASE && vector < IRQ_BASE + IRQ_COUNT)
		return "hardware interrupt";
	if (vector == T_SYSCALL)
		return "system call";
	return "unexpected interrupt";
}

static void set_gate(unsigned int vec, uint32_t handler, uint16_t sel,
		     uint8_t type)
{
	idt[vec].offset_low = handler & 0xFFFF;
	idt[vec].selector = sel;
	idt[vec].zero = 0;
	idt[vec].type_attr = type;
	idt[vec].offset_high = handler >> 16;
}

void trap_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, trap_stubs[v], SEL_KERNEL_CODE, GATE_INTERRUPT32);
	set_gate(T_SYSCALL, trap_stubs[T_SYSCALL], SEL_KERNEL_CODE,
		 GATE_TRAP32_USER);
	set_gate(T_DOUBLE, 0, SEL_DF_TSS, GATE_TASK);
	/* int3 and into may be used by programs (debuggers, overflow checks). */
	set_gate(T_BREAKPOINT, trap_stubs[T_BREAKPOINT], SEL_KERNEL_CODE,
		 GATE_INTERRUPT32_USER);
	set_gate(T_OVERFLOW, trap_stubs[T_OVERFLOW], SEL_KERNEL_CODE,
		 GATE_INTERRUPT32_USER);

	struct idt_ptr p = { sizeof(idt) - 1, (uint32_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
	pic_init(IRQ_BASE);
}

void irq_register(unsigned int irq, irq_handler_t handler)
{
	if (irq >= IRQ_COUNT)
		return;
	irq_handlers[irq] = handler;
	pic_unmask(irq);
}

void trap_describe_pf(uint32_t err, char *buf, unsigned int size)
{
	snprintf(buf, size, "%s, %s, %s%s%s",
		 err & PF_WRITE ? "write" : "read",
		 err & PF_PRESENT ? "protection violation" : "not-present",
		 err & PF_USER ? "user" : "kernel",
		 err & PF_FETCH ? ", instruction fetch" : "",
		 err & PF_RSVD ? ", reserved bit set" : "");
}

static void handle_irq(struct trapframe *tf)
{
	unsigned int irq = tf->vector - IRQ_BASE;

	/* IRQ 7 and 15 can be raised spuriously; they get no EOI. */
	if ((irq == 7 || irq == 15) && pic_is_spurious(irq)) {
		if (irq == 15)
			pic_eoi(2);
		return;
	}
	pic_eoi(irq);
	cpustat.irqs[irq]++;
	if (irq_handlers[irq])
		irq_handlers[irq](tf);
}

/*
 * An int3 in the kernel is a request to stop and look: report where it came
 * from and carry on after the instruction (a breakpoint is a trap, so EIP
 * already points past it).
 */
static void report_breakpoint(struct trapframe *tf)
{
	kprintf("breakpoint (#BP) in kernel mode at eip 0x%08x; continuing\n",
		tf->eip - 1);
	backtrace_print(tf->eip - 1, tf->ebp);
}

/* Dispatches a trap from the kernel itself. */
static void kernel_trap(struct trapframe *tf)
{
	if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + IRQ_COUNT) {
		handle_irq(tf);
		return;
	}
	if (tf->vector == T_BENCH_NOP)
		return;
	if (tf->vector < 32) {
		/* A user copy touching a page not present yet, or COW. */
		if (tf->vector == T_PAGE && trap_user_access_fault(tf))
			return;
		/*
		 * A user copy that cannot be resolved, or a bad selector or
		 * frame on the way back to user mode (kernel/arch/extable.c).
		 */
		if (extable_fixup(tf))
			return;
		if (trap_kernel_fault_hook && trap_kernel_fault_hook(tf))
			return;
		if (tf->vector == T_BREAKPOINT) {
			report_breakpoint(tf);
			return;
		}
		panic_trap(tf, NULL);
	}
	kprintf("trap: ignoring unexpected vector %u\n", tf->vector);
}

void trap_dispatch(struct trapframe *tf)
{
	sched_note_trap(trap_from_user(tf));
	if (!trap_from_user(tf)) {
		kernel_trap(tf);
		return;
	}
	if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + IRQ_COUNT)
		handle_irq(tf);
	else if (tf->vector == T_SYSCALL)
		tf->eax = (uint32_t)syscall_dispatch(tf);
	else  /* an exception: int $n to any other gate raises #GP */
		trap_user_exception(tf);
	trap_return_to_user(tf);
}
