/*
 * kernel/kmsg.h - the kernel log buffer, which dmesg reads with syslog(2).
 *
 * Every kernel message (kprintf, pr_err ... pr_debug, whatever the console
 * shows) is kept in a ring of KMSG_BUF_SIZE bytes, each line stored as
 * Linux's syslog(2) hands it out:
 *
 *     <6>[    1.234567] swap: 16384 KiB on ram0 (4095 slots)
 *
 * the message's level in angle brackets (kprintf's lines have
 * LOG_DEFAULT_MESSAGE, 4, like printk without a level), then the time
 * since boot in seconds with microseconds (the timer's resolution, so the
 * last four digits are zero). When the ring is full the oldest lines are
 * overwritten; a reader never gets part of a line that was overwritten.
 *
 * Positions are byte counts since boot (64 bits never wrap), so "how much
 * is unread" is a subtraction. Three positions matter to syslog(2):
 * the end of the text, where SYSLOG_ACTION_READ has got to, and where
 * the last SYSLOG_ACTION_CLEAR was.
 *
 * Locking: appends and reads run with interrupts off; messages are
 * printed from interrupt handlers too.
 */
#ifndef KERNEL_KMSG_H
#define KERNEL_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ring's size (Linux's default is 2^CONFIG_LOG_BUF_SHIFT; 16 KiB
 * holds a boot's messages several times). */
#define KMSG_BUF_SIZE (16u * 1024u)

/* Adds text printed at level (0-7) to the log. */
void kmsg_append(int level, const char *s, size_t len);

/*
 * Copies the newest whole lines since the last clear that fit in len
 * bytes into buf (kernel memory); returns the bytes copied. With clear,
 * the log counts as cleared afterwards (SYSLOG_ACTION_READ_CLEAR).
 */
size_t kmsg_read_all(char *buf, size_t len, bool clear);
/* Forgets the log for kmsg_read_all (SYSLOG_ACTION_CLEAR). */
void kmsg_clear(void);
/*
 * Takes up to len unread bytes (SYSLOG_ACTION_READ); 0 when there are
 * none (the caller sleeps on kmsg_wait_channel and tries again).
 */
size_t kmsg_read(char *buf, size_t len);
/* Bytes SYSLOG_ACTION_READ has not taken yet. */
size_t kmsg_unread(void);
/* Readers of SYSLOG_ACTION_READ sleep on this; appends wake them. */
extern char kmsg_wait_channel;
/* How many readers sleep on it (appends wake only when some do). */
extern unsigned int kmsg_waiters;

#endif
