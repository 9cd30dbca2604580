/*
 * tests/host/shim/host_shim.c - the environment libk expects, on the host.
 *
 * Provides panic() (longjmp back into a test that expects it, otherwise
 * print and abort) and klog_write() (captured for tests to inspect).
 */
#include "tests/host/shim/host_shim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "libk/assert.h"
#include "libk/log.h"
#include "libk/printf.h"

jmp_buf *host_panic_jmp;
char host_panic_message[512];
char host_log[65536];
size_t host_log_len;

void host_log_clear(void)
{
	host_log_len = 0;
	host_log[0] = '\0';
}

void klog_write(const char *s, size_t len)
{
	/* A message above the log level: the kernel keeps it in its log
	 * buffer only; here it is dropped. */
	if (klog_msg_quiet)
		return;
	for (size_t i = 0; i < len && host_log_len + 1 < sizeof(host_log); i++)
		host_log[host_log_len++] = s[i];
	host_log[host_log_len] = '\0';
	if (getenv("HOST_LOG_ECHO"))
		fwrite(s, 1, len, stderr);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(host_panic_message, sizeof(host_panic_message), fmt, ap);
	va_end(ap);
	if (host_panic_jmp)
		longjmp(*host_panic_jmp, 1);
	fprintf(stderr, "unexpected panic: %s\n", host_panic_message);
	abort();
}
