/*
 * kernel/console.c - the console device: output to the serial port and the
 * VGA screen, input from the serial port (IRQ 4) and the keyboard (IRQ 1).
 *
 * Characters arrive in interrupt context (serial IRQ 4, keyboard IRQ 1)
 * and go to the terminal's line discipline (fs/tty.c), which
 * edits, echoes and queues them. A BREAK on the serial line, or Ctrl-O,
 * and the letter after it go to SysRq (kernel/sysrq.c) instead.
 */
#include "kernel/console.h"

#include <stdbool.h>

#include "drivers/keyboard.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "fs/tty.h"
#include "kernel/kmsg.h"
#include "kernel/sysrq.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"

void console_init(void)
{
	serial_init();
	vga_init();
	tty_reset();
}

void console_write(const char *s, size_t len)
{
	serial_write(s, len);
	vga_write(s, len);
}

void console_write_raw(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
	vga_write(s, len);
}

/* Kernel messages: into the log buffer, and to the console unless quiet. */
void klog_write(const char *s, size_t len)
{
	kmsg_append(klog_msg_level, s, len);
	if (!klog_msg_quiet)
		console_write(s, len);
}

void console_input_char(char c)
{
	if (sysrq_input(c))
		return;
	tty_receive(c);
}

static void serial_irq(struct trapframe *tf)
{
	int c;
	while ((c = serial_getc_nonblock()) != -1) {
		if (c == SERIAL_BREAK)
			sysrq_break();
		else
			console_input_char((char)c);
	}
	/* A SysRq letter runs now if nothing in the kernel was interrupted. */
	if (tf)
		sysrq_poll(trap_from_user(tf) || current->pid == 0);
}

void console_enable_input(void)
{
	irq_register(IRQ_COM1, serial_irq);
	serial_enable_irq();
	keyboard_init(console_input_char);
	/* Take what arrived before the interrupt was on. */
	bool was = irq_save();
	serial_irq(NULL);
	irq_restore(was);
}

int console_read(char *buf, size_t size)
{
	return tty_read_line(buf, size);
}
