/*
 * kernel/console.h - the console: output to serial and VGA, line input.
 *
 * Output goes to COM1 (the primary console) and is mirrored on the VGA
 * text screen. Input from the serial port and the PS/2 keyboard goes to
 * the terminal's line discipline (fs/tty.h), which edits it into
 * lines or hands it out as typed, as the program's termios settings say.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

void console_init(void);
/* Enables input interrupts; call after the IDT is set up. */
void console_enable_input(void);
/* Writes with NL turned into CR NL on the serial line. */
void console_write(const char *s, size_t len);
/* Writes the bytes as they are (a terminal without OPOST/ONLCR). */
void console_write_raw(const char *s, size_t len);
/*
 * Waits for input as a read of the terminal does (a whole line, in the
 * canonical mode of the kernel's monitor) and copies at most size bytes. Returns the number of bytes, 0 at end of input (^D on an
 * empty line), or -ERESTARTSYS when a signal ends the wait.
 */
int console_read(char *buf, size_t size);
/* Feeds one received character into the line editor (IRQ context). */
void console_input_char(char c);

#endif
