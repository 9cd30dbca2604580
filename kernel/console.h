/*
 * kernel/console.h - the console: output to serial and VGA, line input.
 *
 * Output goes to COM1 (the primary console) and is mirrored on the VGA
 * text screen. Input from the serial port and the PS/2 keyboard is edited
 * into lines (backspace, ^U kills the line, ^D ends input) and handed to
 * readers a line at a time, like a terminal in canonical mode.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

void console_init(void);
/* Enables input interrupts; call after the IDT is set up. */
void console_enable_input(void);
void console_write(const char *s, size_t len);
/*
 * Waits for a whole line and copies at most size bytes of it (including
 * the newline). Returns the number of bytes, 0 at end of input (^D on an
 * empty line), or -ERESTARTSYS when a signal ends the wait.
 */
int console_read(char *buf, size_t size);
/* Feeds one received character into the line editor (IRQ context). */
void console_input_char(char c);

#endif
