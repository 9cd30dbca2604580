/*
 * drivers/vga.h - the 80x25 VGA text console.
 */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

#include <stddef.h>

void vga_init(void);
void vga_write(const char *s, size_t len);

#endif
