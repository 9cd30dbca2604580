/*
 * kernel/sysctl.h - the kernel's settings under /proc/sys/kernel.
 *
 * Each is a small text file, read and written as Linux's are
 * (kernel/sysctl.c, proc_dostring and proc_dointvec), so busybox sysctl
 * works unchanged:
 *
 *   hostname   the node name uname(2) reports (read-write, up to 64 bytes)
 *   ostype     uname's system name            (read-only)
 *   osrelease  uname's release                (read-only)
 *   version    uname's version                (read-only)
 *   pid_max    one more than the largest PID  (read-only: Pagoda's PID
 *              table has a fixed size, PROC_MAX_PIDS)
 *   printk     four levels: the console's (klog_level, read-write), the
 *              default of messages without one, the lowest the console
 *              may be set to, and the console's default at boot
 *
 * The show functions write the text into a buffer (a newline at the end,
 * like Linux); the write functions take the bytes written and return
 * their number or -EINVAL.
 */
#ifndef KERNEL_SYSCTL_H
#define KERNEL_SYSCTL_H

#include <stddef.h>

struct seqbuf;

/* uname's nodename: hostname (64 characters and a NUL, __NEW_UTS_LEN). */
#define SYSCTL_HOSTNAME_MAX 65
extern char sysctl_hostname[SYSCTL_HOSTNAME_MAX];

void sysctl_show_hostname(struct seqbuf *sb);
int sysctl_write_hostname(const char *buf, size_t n);
void sysctl_show_ostype(struct seqbuf *sb);
void sysctl_show_osrelease(struct seqbuf *sb);
void sysctl_show_version(struct seqbuf *sb);
void sysctl_show_pid_max(struct seqbuf *sb);
void sysctl_show_printk(struct seqbuf *sb);
int sysctl_write_printk(const char *buf, size_t n);

/* The system name, release and version uname(2) reports. */
#define SYSCTL_UTS_VERSION "#1"

#endif
