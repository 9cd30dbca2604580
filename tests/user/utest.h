/*
 * tests/user/utest.h - helpers shared by the differential user tests.
 *
 * Every program in tests/user/ runs twice: natively on the host's Linux,
 * which is the reference, and on Pagoda through tools/qemu-run. The runner
 * (tests/user/run_user.py) compares the two outputs and exit statuses. So
 * a test prints only facts that are the same on both machines: no
 * addresses, PIDs, times, inode numbers or path names, and numbers only
 * when Linux defines them exactly (errno values, wait statuses, sizes the
 * test chose itself).
 *
 * A test also checks itself: ut_check() prints "ok" or "FAIL" for a
 * named fact, and ut_end() turns the failures into the exit status. A
 * test that fails on Linux is a wrong test, and the runner says so.
 *
 * Output is unbuffered, so that nothing is printed twice after fork() and
 * nothing is lost when a process is killed. A fault that should kill is
 * provoked in a child process, and the parent reports how the child
 * ended; a test can also catch its own faults with a signal handler and
 * go on (sig_segv.c does).
 *
 * Every function is static: each test is one .c file compiled alone.
 */
#ifndef TESTS_USER_UTEST_H
#define TESTS_USER_UTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Linux i386 and Pagoda both use 4 KiB pages. */
#define UT_PAGE 4096u

/* The first kernel address of the 3G/1G split (Pagoda's KERNEL_VMA). */
#define UT_KERNEL_ADDR 0xC0000000u

static int ut_checks, ut_failures;
static const char *ut_argv0 = "";

/* Prepares a test: unbuffered output, no core dumps, remembers argv[0]. */
static inline void ut_begin(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };

	setvbuf(stdout, NULL, _IONBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
	/*
	 * A core dump would set bit 0x80 of the wait status on Linux; Pagoda
	 * never dumps core. Failure here (no such call) changes nothing.
	 */
	setrlimit(RLIMIT_CORE, &no_core);
	if (argc > 0 && argv[0])
		ut_argv0 = argv[0];
}

/* Prints one line of facts. */
__attribute__((format(printf, 1, 2))) static inline void
ut_fact(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Records and prints a checked fact: "ok   - ..." or "FAIL - ...". */
__attribute__((format(printf, 2, 3))) static inline bool
ut_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	ut_checks++;
	if (!ok)
		ut_failures++;
	fputs(ok ? "ok   - " : "FAIL - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

/* Prints the summary line and returns the exit status for main(). */
static inline int ut_end(void)
{
	printf("%d checks, %d failed\n", ut_checks, ut_failures);
	return ut_failures ? 1 : 0;
}

/* The symbolic name of an errno value ("EFAULT"), or "0" for success. */
static inline const char *ut_errname(int err)
{
	const char *name;

	if (err == 0)
		return "0";
	name = strerrorname_np(err);
	return name ? name : "E?";
}

/* The name of a signal ("SIGSEGV"). */
static inline const char *ut_signame(int sig)
{
	static char buf[16];
	const char *abbrev = sigabbrev_np(sig);

	if (!abbrev) {
		snprintf(buf, sizeof(buf), "SIG%d", sig);
		return buf;
	}
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	return buf;
}

/*
 * Describes a wait status the way the tests print it: "exit 3" or
 * "killed by SIGSEGV", plus the raw status, which Linux defines exactly.
 */
static inline const char *ut_status(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d (status 0x%04x)",
			 WEXITSTATUS(status), status);
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by %s (status 0x%04x)",
			 ut_signame(WTERMSIG(status)), status);
	else
		snprintf(buf, sizeof(buf), "status 0x%04x", status);
	return buf;
}

/* True when status says "killed by signal sig". */
static inline bool ut_killed_by(int status, int sig)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

/* True when status says "exited with code". */
static inline bool ut_exited(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* Waits for one child; returns its wait status, or -1 on error. */
static inline int ut_wait(pid_t pid)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, 0);

		if (r == pid)
			return status;
		if (r < 0 && errno == EINTR)
			continue;
		printf("waitpid(%s) failed: %s\n", pid > 0 ? "child" : "-1",
		       ut_errname(errno));
		return -1;
	}
}

/*
 * Runs fn(arg) in a child process and returns how the child ended. The
 * child exits with fn's return value; a fault in fn kills it instead.
 */
static inline int ut_in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0) {
		printf("fork failed: %s\n", ut_errname(errno));
		return -1;
	}
	if (pid == 0)
		_exit(fn(arg));
	return ut_wait(pid);
}

/*
 * Hides a pointer's value from the compiler, so that an access through a
 * deliberately bad pointer is compiled as written (GCC may otherwise
 * replace a NULL dereference by a trap instruction).
 */
static inline void *ut_opaque(uintptr_t addr)
{
	__asm__ volatile("" : "+r"(addr));
	return (void *)addr;
}

/* Child body of ut_probe_read(). */
static inline int ut_read_child(void *p)
{
	(void)*(volatile unsigned char *)p;
	return 0;
}

/* Child body of ut_probe_write(). */
static inline int ut_write_child(void *p)
{
	*(volatile unsigned char *)p = 0x5a;
	return 0;
}

/* Reads one byte at addr in a child; returns the child's wait status. */
static inline int ut_probe_read(uintptr_t addr)
{
	return ut_in_child(ut_read_child, ut_opaque(addr));
}

/* Writes one byte at addr in a child; returns the child's wait status. */
static inline int ut_probe_write(uintptr_t addr)
{
	return ut_in_child(ut_write_child, ut_opaque(addr));
}

/*
 * What a child probe found: "ok" if the access worked, else how the child
 * died, e.g. "SIGSEGV".
 */
static inline const char *ut_probe_result(int status)
{
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return "ok";
	if (status != -1 && WIFSIGNALED(status))
		return ut_signame(WTERMSIG(status));
	return "error";
}

/*
 * The path of a helper program that lives next to this test: in the same
 * directory as argv[0] (the build directory on the host, /bin on Pagoda).
 */
static inline void ut_helper_path(const char *name, char *buf, size_t size)
{
	const char *slash = strrchr(ut_argv0, '/');

	if (!slash) {
		snprintf(buf, size, "/bin/%s", name);
		return;
	}
	snprintf(buf, size, "%.*s/%s", (int)(slash - ut_argv0), ut_argv0, name);
}

/*
 * Reads "Field:   123 kB" from a /proc file such as /proc/self/status.
 * Returns the number, or -1 when the file or the field is missing. The
 * file is read with plain system calls so that the test's heap does not
 * move while it measures.
 */
static inline long ut_proc_field(const char *path, const char *field)
{
	static char buf[8192];
	size_t flen = strlen(field);
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');

		if (!strncmp(line, field, flen) &&
		    (line[flen] == ':' || line[flen] == ' '))
			return strtol(line + flen + 1, NULL, 10);
		line = next ? next + 1 : NULL;
	}
	return -1;
}

#endif
