/*
 * kernel/kmsg.c - the kernel log ring (see kernel/kmsg.h) and syslog(2).
 */
#include "kernel/kmsg.h"

#include "kernel/arch/x86.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/time.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab.h"

static char ring[KMSG_BUF_SIZE];
static uint64_t end_pos;   /* bytes ever written; the next goes here */
static uint64_t clear_pos; /* SYSLOG_ACTION_CLEAR: READ_ALL starts here */
static uint64_t read_pos;  /* SYSLOG_ACTION_READ has taken up to here */
static bool at_line_start = true;

char kmsg_wait_channel;
unsigned int kmsg_waiters;

/* Stores one byte at the end of the ring. */
static void put(char c)
{
	ring[end_pos % KMSG_BUF_SIZE] = c;
	end_pos++;
}

/* The byte at position pos (which must still be in the ring). */
static char at(uint64_t pos)
{
	return ring[pos % KMSG_BUF_SIZE];
}

/* The oldest position still held. */
static uint64_t oldest(void)
{
	return end_pos > KMSG_BUF_SIZE ? end_pos - KMSG_BUF_SIZE : 0;
}

/*
 * The first line start at or after pos (>= oldest()): a position is a line
 * start if it is 0 or follows a newline that is still in the ring.
 */
static uint64_t line_start_from(uint64_t pos)
{
	if (pos < oldest())
		pos = oldest();
	if (pos == 0)
		return 0;
	if (pos > oldest() && at(pos - 1) == '\n')
		return pos;
	while (pos < end_pos && at(pos) != '\n')
		pos++;
	return pos < end_pos ? pos + 1 : end_pos;
}

/* Writes the "<L>[seconds.micros] " prefix of a new line. */
static void put_prefix(int level)
{
	char prefix[40];
	int64_t ns = time_monotonic_ns();
	int n = snprintf(prefix, sizeof(prefix), "<%d>[%5lld.%06lld] ",
			 level & 7, (long long)(ns / NSEC_PER_SEC),
			 (long long)(ns % NSEC_PER_SEC / 1000));
	for (int i = 0; i < n; i++)
		put(prefix[i]);
}

void kmsg_append(int level, const char *s, size_t len)
{
	bool was = irq_save();
	for (size_t i = 0; i < len; i++) {
		if (at_line_start)
			put_prefix(level);
		put(s[i]);
		at_line_start = s[i] == '\n';
	}
	if (kmsg_waiters)
		sched_wakeup(&kmsg_wait_channel);
	irq_restore(was);
}

/* Copies [from, from + n) of the ring into buf. */
static void copy_out(char *buf, uint64_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = at(from + i);
}

size_t kmsg_read_all(char *buf, size_t len, bool clear)
{
	bool was = irq_save();
	uint64_t start = line_start_from(clear_pos);
	/* Only the newest lines that fit, and only whole ones. */
	if (end_pos - start > len)
		start = line_start_from(end_pos - len);
	size_t n = (size_t)(end_pos - start);
	copy_out(buf, start, n);
	if (clear)
		clear_pos = end_pos;
	irq_restore(was);
	return n;
}

void kmsg_clear(void)
{
	bool was = irq_save();
	clear_pos = end_pos;
	irq_restore(was);
}

size_t kmsg_read(char *buf, size_t len)
{
	bool was = irq_save();
	if (read_pos < oldest())
		read_pos = line_start_from(oldest());
	size_t n = (size_t)(end_pos - read_pos);
	if (n > len)
		n = len;
	copy_out(buf, read_pos, n);
	read_pos += n;
	irq_restore(was);
	return n;
}

size_t kmsg_unread(void)
{
	bool was = irq_save();
	uint64_t from = read_pos < oldest() ? line_start_from(oldest())
					    : read_pos;
	size_t n = (size_t)(end_pos - from);
	irq_restore(was);
	return n;
}

/* syslog(2) actions (include/linux/syslog.h). */
enum {
	SYSLOG_ACTION_CLOSE,
	SYSLOG_ACTION_OPEN,
	SYSLOG_ACTION_READ,
	SYSLOG_ACTION_READ_ALL,
	SYSLOG_ACTION_READ_CLEAR,
	SYSLOG_ACTION_CLEAR,
	SYSLOG_ACTION_CONSOLE_OFF,
	SYSLOG_ACTION_CONSOLE_ON,
	SYSLOG_ACTION_CONSOLE_LEVEL,
	SYSLOG_ACTION_SIZE_UNREAD,
	SYSLOG_ACTION_SIZE_BUFFER,
};

/* The console's level floor (Linux's minimum_console_loglevel). */
#define MINIMUM_CONSOLE_LOGLEVEL 1
/* The level CONSOLE_OFF saved, or -1 (Linux's saved_console_loglevel). */
static int saved_console_level = -1;

/* READ, READ_ALL, READ_CLEAR: through a kernel buffer to user memory. */
static int32_t syslog_read(int type, char *ubuf, int32_t len)
{
	if (!ubuf || len < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!user_range_ok((uint32_t)ubuf, (size_t)len))
		return -EFAULT;
	size_t n = (size_t)len < KMSG_BUF_SIZE ? (size_t)len : KMSG_BUF_SIZE;
	char *kbuf = kmalloc(n, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	size_t got;
	if (type == SYSLOG_ACTION_READ) {
		/* Block until there is something to read, as Linux does. */
		bool was = irq_save();
		while (kmsg_unread() == 0 && !signal_pending(current)) {
			kmsg_waiters++;
			sched_sleep(&kmsg_wait_channel);
			kmsg_waiters--;
		}
		irq_restore(was);
		if (kmsg_unread() == 0) {
			kfree(kbuf);
			return -ERESTARTSYS;
		}
		got = kmsg_read(kbuf, n);
	} else {
		got = kmsg_read_all(kbuf, n, type == SYSLOG_ACTION_READ_CLEAR);
	}
	int32_t ret = (int32_t)got;
	if (copy_to_user(ubuf, kbuf, got))
		ret = -EFAULT;
	kfree(kbuf);
	return ret;
}

/*
 * syslog(type, buf, len) (glibc's klogctl): Linux's do_syslog(). Every
 * process is root on Pagoda, so no action is refused with EPERM.
 */
static int32_t sys_syslog(const struct syscall_args *a)
{
	int type = (int32_t)a->arg[0];
	char *buf = (char *)a->arg[1];
	int32_t len = (int32_t)a->arg[2];

	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		return syslog_read(type, buf, len);
	case SYSLOG_ACTION_CLEAR:
		kmsg_clear();
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		if (saved_console_level == -1)
			saved_console_level = klog_level;
		klog_level = MINIMUM_CONSOLE_LOGLEVEL;
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		if (saved_console_level != -1) {
			klog_level = saved_console_level;
			saved_console_level = -1;
		}
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		klog_level = len < MINIMUM_CONSOLE_LOGLEVEL
				     ? MINIMUM_CONSOLE_LOGLEVEL
				     : len;
		saved_console_level = -1;
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		return (int32_t)kmsg_unread();
	case SYSLOG_ACTION_SIZE_BUFFER:
		return KMSG_BUF_SIZE;
	default:
		return -EINVAL;
	}
}
SYSCALL(103, syslog, sys_syslog);
