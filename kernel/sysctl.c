/*
 * kernel/sysctl.c - the files of /proc/sys/kernel (see kernel/sysctl.h).
 */
#include "kernel/sysctl.h"

#include "fs/procfs.h"
#include "kernel/proc/proc.h"
#include "kernel/version.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/string.h"

char sysctl_hostname[SYSCTL_HOSTNAME_MAX] = "pagoda";

/* The lowest console level (Linux's minimum_console_loglevel). */
#define PRINTK_MINIMUM_LEVEL 1

void sysctl_show_hostname(struct seqbuf *sb)
{
	seq_printf(sb, "%s\n", sysctl_hostname);
}

/*
 * As Linux's proc_dostring: the text up to the first newline (or the end)
 * becomes the value, cut to the room there is.
 */
int sysctl_write_hostname(const char *buf, size_t n)
{
	size_t len = 0;
	while (len < n && buf[len] != '\n' && buf[len] != '\0' &&
	       len < SYSCTL_HOSTNAME_MAX - 1)
		len++;
	memcpy(sysctl_hostname, buf, len);
	sysctl_hostname[len] = '\0';
	return (int)n;
}

void sysctl_show_ostype(struct seqbuf *sb)
{
	seq_printf(sb, "%s\n", PAGODA_NAME);
}

void sysctl_show_osrelease(struct seqbuf *sb)
{
	seq_printf(sb, "%s\n", PAGODA_UTS_RELEASE);
}

void sysctl_show_version(struct seqbuf *sb)
{
	seq_printf(sb, "%s\n", SYSCTL_UTS_VERSION);
}

void sysctl_show_pid_max(struct seqbuf *sb)
{
	seq_printf(sb, "%d\n", PROC_MAX_PIDS);
}

void sysctl_show_printk(struct seqbuf *sb)
{
	seq_printf(sb, "%d\t%d\t%d\t%d\n", klog_level, LOG_DEFAULT_MESSAGE,
		   PRINTK_MINIMUM_LEVEL, LOG_LEVEL_DEFAULT);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * As Linux's proc_dointvec on printk: integers separated by white space;
 * only the first, the console's level, is one Pagoda can change (the
 * others are constants here, and a write of them is accepted and has no
 * effect, as writing the same values would on Linux). A value below the
 * minimum becomes the minimum, as syslog's CONSOLE_LEVEL does.
 */
int sysctl_write_printk(const char *buf, size_t n)
{
	size_t i = 0;
	int value = 0, digits = 0;
	bool neg = false;

	while (i < n && is_space(buf[i]))
		i++;
	if (i < n && (buf[i] == '-' || buf[i] == '+'))
		neg = buf[i++] == '-';
	for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++, digits++) {
		if (value > 100000)
			return -EINVAL;
		value = value * 10 + (buf[i] - '0');
	}
	if (digits == 0 || (i < n && !is_space(buf[i]) && buf[i] != '\0'))
		return -EINVAL;
	if (neg)
		value = -value;
	klog_level = value < PRINTK_MINIMUM_LEVEL ? PRINTK_MINIMUM_LEVEL
						  : value;
	return (int)n;
}
