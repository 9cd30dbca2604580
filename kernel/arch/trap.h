/*
 * kernel/arch/trap.h - interrupts, exceptions and the system-call gate.
 *
 * Every vector enters through a stub in boot/trap_entry.asm that saves the
 * registers as a struct trapframe and calls trap_dispatch().
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Exception vectors (Intel SDM vol. 3A, table 6-1). */
enum {
	T_DIVIDE = 0,     /* #DE divide error */
	T_DEBUG = 1,      /* #DB debug */
	T_NMI = 2,
	T_BREAKPOINT = 3, /* #BP int3 */
	T_OVERFLOW = 4,   /* #OF into */
	T_BOUND = 5,      /* #BR bound range exceeded */
	T_INVALID_OP = 6, /* #UD invalid opcode */
	T_DEVICE = 7,     /* #NM device not available */
	T_DOUBLE = 8,     /* #DF double fault */
	T_COPROC = 9,     /* coprocessor segment overrun (reserved) */
	T_TSS = 10,       /* #TS invalid TSS */
	T_SEGMENT = 11,   /* #NP segment not present */
	T_STACK = 12,     /* #SS stack-segment fault */
	T_GPF = 13,       /* #GP general protection */
	T_PAGE = 14,      /* #PF page fault */
	T_FPU = 16,       /* #MF x87 floating-point error */
	T_ALIGN = 17,     /* #AC alignment check */
	T_MACHINE = 18,   /* #MC machine check */
	T_SIMD = 19,      /* #XM SIMD floating-point */
	T_VIRT = 20,      /* #VE virtualization */
	T_CONTROL = 21,   /* #CP control protection */
};

#define IRQ_BASE 32       /* PIC IRQ 0..15 are remapped to vectors 32..47 */
#define IRQ_COUNT 16
#define IRQ_TIMER 0
#define IRQ_KEYBOARD 1
#define IRQ_COM1 4
#define T_SYSCALL 0x80    /* Linux i386 system-call gate */
#define T_BENCH_NOP 0x81  /* returns at once: the benchmarks' trap floor */

/* Page-fault error code bits (SDM vol. 3A, 4.7, figure 4-12). */
#define PF_PRESENT (1u << 0)  /* 0: page not present, 1: protection */
#define PF_WRITE (1u << 1)    /* the access was a write */
#define PF_USER (1u << 2)     /* the access came from ring 3 */
#define PF_RSVD (1u << 3)     /* a reserved bit was set in a paging entry */
#define PF_FETCH (1u << 4)    /* instruction fetch */

/* The registers saved on entry, lowest address first. */
struct trapframe {
	/* pushed by pusha */
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
	/* segment registers pushed by the stub */
	uint32_t gs, fs, es, ds;
	uint32_t vector;      /* pushed by the per-vector stub */
	uint32_t error_code;  /* pushed by the CPU, or 0 by the stub */
	/* pushed by the CPU */
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss;  /* only on a trap from ring 3 */
};

static inline bool trap_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

/*
 * ESP as it was when a trap from kernel mode happened. Without a change of
 * privilege level the CPU stays on the current stack and pushes only
 * EFLAGS, CS, EIP and the error code (Intel SDM vol. 3A, 6.12.1, figure
 * 6-4), so the interrupted code's stack starts where user_esp would be.
 * For a fault, that is ESP before the faulting instruction.
 */
static inline uint32_t trap_kernel_esp(const struct trapframe *tf)
{
	return (uint32_t)&tf->user_esp;
}

typedef void (*irq_handler_t)(struct trapframe *tf);

void trap_init(void);
void trap_dispatch(struct trapframe *tf);
/* Installs the handler for PIC line irq and unmasks it. */
void irq_register(unsigned int irq, irq_handler_t handler);
const char *trap_name(uint32_t vector);

/*
 * Hook for CPU exceptions in kernel mode: when set and it returns true, the
 * exception was handled (the test framework uses it to catch faults).
 */
extern bool (*trap_kernel_fault_hook)(struct trapframe *tf);

/* Decodes a page-fault error code into words, e.g. "write, not-present". */
void trap_describe_pf(uint32_t error_code, char *buf, unsigned int size);

/* The double-fault task's entry (runs on its own TSS stack). */
__attribute__((noreturn)) void double_fault_task(void);

/* Linux i386 system calls; returns the value for EAX. */
int32_t syscall_dispatch(struct trapframe *tf);

#endif
