/*
 * kernel/console.c - console output and canonical-mode line input.
 *
 * Characters arrive in interrupt context (serial IRQ 4, keyboard IRQ 1)
 * and are edited in `edit`; a newline or ^D moves the line into the
 * `ready` ring, from which console_read() hands out bytes; readers sleep
 * on `input_channel` until a line is ready. Echo happens as characters are
 * typed, as on a terminal. A BREAK on the serial line, or Ctrl-O, and the
 * letter after it go to SysRq (kernel/sysrq.c) instead.
 */
#include "kernel/console.h"

#include <stdbool.h>

#include "drivers/keyboard.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "kernel/kmsg.h"
#include "kernel/sysrq.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"

#define EDIT_MAX 256
#define READY_SIZE 1024
#define CTRL_D 4
#define CTRL_U 21
#define DEL 127

static char edit[EDIT_MAX];     /* the line being typed */
static size_t edit_len;
static char ready[READY_SIZE];  /* completed lines, a ring */
static volatile size_t ready_head, ready_tail;  /* read at head, add at tail */
static volatile unsigned int eof_pending;      /* ^D on an empty line */
static char input_channel;  /* readers sleep on its address */

void console_init(void)
{
	serial_init();
	vga_init();
}

void console_write(const char *s, size_t len)
{
	serial_write(s, len);
	vga_write(s, len);
}

/* Kernel messages: into the log buffer, and to the console unless quiet. */
void klog_write(const char *s, size_t len)
{
	kmsg_append(klog_msg_level, s, len);
	if (!klog_msg_quiet)
		console_write(s, len);
}

static void echo(const char *s, size_t len)
{
	console_write(s, len);
}

/* Moves the edited line into the ready ring (dropping what does not fit). */
static void commit_line(void)
{
	for (size_t i = 0; i < edit_len; i++) {
		size_t next = (ready_tail + 1) % READY_SIZE;
		if (next == ready_head)
			break;
		ready[ready_tail] = edit[i];
		ready_tail = next;
	}
	edit_len = 0;
	sched_wakeup(&input_channel);
}

void console_input_char(char c)
{
	if (sysrq_input(c))
		return;
	if (c == '\r')
		c = '\n';
	switch (c) {
	case '\b':
	case DEL:
		if (edit_len > 0) {
			edit_len--;
			echo("\b \b", 3);
		}
		return;
	case CTRL_U:
		while (edit_len > 0) {
			edit_len--;
			echo("\b \b", 3);
		}
		return;
	case CTRL_D:
		if (edit_len == 0) {
			eof_pending++;
			sched_wakeup(&input_channel);
		} else
			commit_line();
		return;
	}
	if (edit_len == EDIT_MAX - 1 && c != '\n')
		return;  /* the line is full: only newline is accepted */
	edit[edit_len++] = c;
	echo(&c, 1);
	if (c == '\n')
		commit_line();
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
	size_t n = 0;

	bool was = irq_save();
	for (;;) {
		if (ready_head != ready_tail)
			break;
		if (eof_pending) {
			eof_pending--;
			irq_restore(was);
			return 0;
		}
		/*
		 * A signal ends the wait; the process acts on it on return,
		 * and the read fails with EINTR or is made again.
		 */
		if (signal_pending(current)) {
			irq_restore(was);
			return -ERESTARTSYS;
		}
		sched_sleep(&input_channel);
	}
	while (n < size && ready_head != ready_tail) {
		char c = ready[ready_head];
		ready_head = (ready_head + 1) % READY_SIZE;
		buf[n++] = c;
		if (c == '\n')
			break;
	}
	irq_restore(was);
	return (int)n;
}
