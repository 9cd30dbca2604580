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
/* Returns the next received byte, or -1 when none is waiting. */
int serial_getc_nonblock(void);
/* Enables the receive interrupt (IRQ 4); call once the IDT is up. */
void serial_enable_irq(void);

#endif
