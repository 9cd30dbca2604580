/*
 * tests/user/syslog_kinds.c - the kernel log through syslog(2), as dmesg
 * reads it (glibc's klogctl).
 *
 * The log's text differs between the systems, its form does not: every
 * line is "<level>[seconds.micros] message"; READ_ALL hands out whole
 * lines, the newest that fit; CLEAR empties what READ_ALL sees; a fault
 * that kills a process is told in the log with the program's name. The
 * error cases are Linux's do_syslog(): EINVAL for a bad action, buffer,
 * length or console level, EFAULT for a buffer that cannot be written.
 */
#include "utest.h"

#include <ctype.h>
#include <sys/klog.h>

static char log_text[1 << 20];

/* Whether every line of text[0..n) has the "<L>[    S.UUUUUU] " form. */
static bool lines_well_formed(const char *text, int n)
{
	int i = 0;
	while (i < n) {
		const char *l = text + i;
		int level, sec_digits = 0, usec_digits = 0;
		if (l[0] != '<' || !isdigit((unsigned char)l[1]) ||
		    l[2] != '>' || l[3] != '[')
			return false;
		level = l[1] - '0';
		if (level > 7)
			return false;
		const char *p = l + 4;
		while (*p == ' ')
			p++;
		while (isdigit((unsigned char)*p))
			p++, sec_digits++;
		if (*p++ != '.')
			return false;
		while (isdigit((unsigned char)*p))
			p++, usec_digits++;
		if (sec_digits == 0 || usec_digits != 6 || p[0] != ']')
			return false;
		const char *nl = memchr(l, '\n', (size_t)(n - i));
		if (!nl)
			return false;
		i = (int)(nl - text) + 1;
	}
	return true;
}

static void sizes_and_reads(void)
{
	int size = klogctl(10, NULL, 0);
	ut_check(size > 0, "SIZE_BUFFER is positive");
	ut_check(klogctl(0, NULL, 0) == 0 && klogctl(1, NULL, 0) == 0,
		 "CLOSE and OPEN do nothing");
	int n = klogctl(3, log_text, sizeof(log_text));
	ut_check(n > 0 && n <= size, "READ_ALL returns the log");
	ut_check(lines_well_formed(log_text, n),
		 "every line is <L>[seconds.micros] text");
	/* A short buffer: the newest whole lines that fit. */
	int m = klogctl(3, log_text, 200);
	ut_check(m >= 0 && m <= 200 && (m == 0 || log_text[m - 1] == '\n') &&
			 lines_well_formed(log_text, m),
		 "READ_ALL into 200 bytes: whole lines");
	int unread = klogctl(9, NULL, 0);
	ut_check(unread >= 0, "SIZE_UNREAD");
	/* READ waits when nothing is unread: only try it when something is. */
	int got = unread > 0 ? klogctl(2, log_text, 64) : 1;
	ut_check(got > 0 && got <= 64, "READ takes unread text");
}

/* Prints what one klogctl call returned, and its errno. */
static void show(const char *what, int type, char *b, int len)
{
	errno = 0;
	int r = klogctl(type, b, len);
	ut_fact("%s: %d %s", what, r, ut_errname(r < 0 ? errno : 0));
}

static void errors(void)
{
	char b[16];
	show("READ_ALL NULL", 3, NULL, 10);
	show("READ_ALL len -1", 3, b, -1);
	show("READ_ALL len 0", 3, b, 0);
	show("READ len 0", 2, b, 0);
	/* Long enough for whole lines, so that something is copied. */
	show("READ_ALL to a kernel address", 3, (char *)UT_KERNEL_ADDR, 4096);
	show("CONSOLE_LEVEL 0", 8, NULL, 0);
	show("CONSOLE_LEVEL 9", 8, NULL, 9);
	show("action 11", 11, NULL, 0);
	show("action -1", -1, NULL, 0);
}

/* CONSOLE_LEVEL shows in /proc/sys/kernel/printk; put back afterwards. */
static void console_level(void)
{
	char b[64] = "";
	int old = 0, now = 0, fd = open("/proc/sys/kernel/printk", O_RDONLY);
	if (fd >= 0 && read(fd, b, sizeof(b) - 1) > 0)
		sscanf(b, "%d", &old);
	close(fd);
	ut_check(klogctl(8, NULL, 2) == 0, "CONSOLE_LEVEL 2");
	fd = open("/proc/sys/kernel/printk", O_RDONLY);
	memset(b, 0, sizeof(b));
	if (fd >= 0 && read(fd, b, sizeof(b) - 1) > 0)
		sscanf(b, "%d", &now);
	close(fd);
	ut_check(now == 2, "printk shows console level 2");
	ut_check(klogctl(8, NULL, old) == 0, "console level put back");
}

/* A child that dies of SIGSEGV; its wait status. */
static int faulting_child(void)
{
	pid_t child = fork();
	if (child == 0) {
		volatile int *volatile bad = (int *)16;
		*bad = 1;
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	return status;
}

/*
 * A child killed by SIGSEGV is told in the log under its name. Linux's
 * line is rate-limited (show_signal_msg: printk_ratelimit, 10 lines per
 * 5 s, include/linux/ratelimit_types.h), and programs run before this
 * one may have used them up: tried again after the interval, up to three
 * times.
 */
static void fault_is_logged(void)
{
	int status = faulting_child();
	bool found = false;
	ut_fact("child: %s", ut_status(status));
	for (int tries = 0; tries < 3 && !found; tries++) {
		if (tries) {
			sleep(6);
			faulting_child();
		}
		int n = klogctl(3, log_text, sizeof(log_text) - 1);
		log_text[n > 0 ? n : 0] = '\0';
		found = strstr(log_text, "syslog_kinds") != NULL;
	}
	ut_check(found, "the log names the faulting program");
}

/* CLEAR: READ_ALL then sees nothing older. */
static void clear(void)
{
	int before = klogctl(3, log_text, sizeof(log_text));
	ut_check(klogctl(5, NULL, 0) == 0, "CLEAR");
	int after = klogctl(3, log_text, sizeof(log_text));
	ut_check(after >= 0 && after < before,
		 "READ_ALL after CLEAR is shorter");
	ut_check(klogctl(4, log_text, sizeof(log_text)) >= 0, "READ_CLEAR");
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	sizes_and_reads();
	errors();
	console_level();
	fault_is_logged();
	clear();
	return ut_end();
}
