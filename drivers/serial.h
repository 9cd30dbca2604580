/*
 * drivers/serial.h - the COM1 16550 UART, Pagoda's primary console.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t len);
/* What serial_getc_nonblock() returns for a BREAK on the line. */
#define SERIAL_BREAK (-2)
/*
 * Returns the next received byte, -1 when none is waiting, or
 * SERIAL_BREAK when the line was held in the break condition (the UART
 * then also receives a zero byte, which this consumes).
 */
int serial_getc_nonblock(void);
/* Enables the receive interrupt (IRQ 4); call once the IDT is up. */
void serial_enable_irq(void);

#endif
