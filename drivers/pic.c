/*
 * drivers/pic.c - 8259A PIC setup, masking and end-of-interrupt.
 *
 * The BIOS leaves IRQ 0..7 on vectors 8..15, where they would collide with
 * CPU exceptions, so the PICs are re-initialised (ICW1..ICW4, Intel 8259A
 * data sheet) to deliver IRQs from vector 32 up. The slave PIC hangs off
 * the master's line 2.
 */
#include "drivers/pic.h"

#include "kernel/arch/x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

#define ICW1_INIT_ICW4 0x11  /* initialise, expect ICW4 */
#define ICW4_8086 0x01       /* 8086 mode */
#define OCW2_EOI 0x20        /* non-specific end of interrupt */
#define OCW3_READ_ISR 0x0B   /* next read of the command port gives the ISR */
#define CASCADE_IRQ 2

static uint16_t irq_mask = 0xFFFF;

static void write_mask(void)
{
	outb(PIC1_DATA, irq_mask & 0xFF);
	outb(PIC2_DATA, irq_mask >> 8);
}

void pic_init(uint8_t base)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC1_DATA, base);               /* ICW2: vector offset */
	io_wait();
	outb(PIC2_DATA, base + 8);
	io_wait();
	outb(PIC1_DATA, 1u << CASCADE_IRQ);  /* ICW3: slave on line 2 */
	io_wait();
	outb(PIC2_DATA, CASCADE_IRQ);        /* ICW3: slave identity */
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();

	irq_mask = 0xFFFF & ~(1u << CASCADE_IRQ);
	write_mask();
}

void pic_unmask(unsigned int irq)
{
	irq_mask &= (uint16_t) ~(1u << irq);
	write_mask();
}

void pic_mask(unsigned int irq)
{
	irq_mask |= (uint16_t)(1u << irq);
	write_mask();
}

void pic_eoi(unsigned int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

int pic_is_spurious(unsigned int irq)
{
	uint16_t port = irq >= 8 ? PIC2_CMD : PIC1_CMD;
	outb(port, OCW3_READ_ISR);
	return !(inb(port) & (1u << (irq & 7)));
}
