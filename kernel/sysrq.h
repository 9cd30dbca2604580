/*
 * kernel/sysrq.h - SysRq over the serial console: a BREAK (or the key
 * SYSRQ_KEY) followed by a letter runs a memory command of the monitor.
 */
#ifndef KERNEL_SYSRQ_H
#define KERNEL_SYSRQ_H

#include <stdbool.h>

/*
 * Ctrl-O: the key that does what a BREAK does, for a console that cannot
 * send a BREAK. Typed twice, it is passed on as one ordinary Ctrl-O.
 */
#define SYSRQ_KEY 0x0F

/* A BREAK arrived on the serial line: the next byte is a command. */
void sysrq_break(void);

/*
 * Offers an input byte to SysRq (interrupt context). Returns true if
 * SysRq took it (SYSRQ_KEY, or the letter after a BREAK), false if it is
 * ordinary input.
 */
bool sysrq_input(char c);

/*
 * Runs a command taken by sysrq_input(), if there is one and safe says
 * the interrupted code is not the kernel in the middle of something (user
 * mode, or the idle loop); otherwise it waits for such a moment.
 */
void sysrq_poll(bool safe);

/* Runs the command of letter c now (/proc/sysrq-trigger, the monitor). */
void sysrq_handle(char c);

#endif
