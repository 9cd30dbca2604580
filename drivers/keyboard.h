/*
 * drivers/keyboard.h - the PS/2 keyboard (scan code set 1).
 */
#ifndef DRIVERS_KEYBOARD_H
#define DRIVERS_KEYBOARD_H

/* Installs the IRQ 1 handler; each typed character goes to sink(c). */
void keyboard_init(void (*sink)(char c));

#endif
