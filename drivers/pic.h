/*
 * drivers/pic.h - the two cascaded 8259A programmable interrupt controllers.
 */
#ifndef DRIVERS_PIC_H
#define DRIVERS_PIC_H

#include <stdint.h>

/* Remaps IRQ 0..15 to vectors base..base+15 and masks every line. */
void pic_init(uint8_t base);
void pic_unmask(unsigned int irq);
void pic_mask(unsigned int irq);
void pic_eoi(unsigned int irq);
/* True if the IRQ 7/15 just raised is spurious (no bit in the ISR). */
int pic_is_spurious(unsigned int irq);

#endif
