/*
 * tests/user/string_prot.c - strings the kernel reads (path names, execve
 * arguments) must lie entirely in memory the process may read.
 *
 * Each string starts in a read-write page and ends in the next page,
 * which is one of:
 *
 *   PROT_NONE    resident (written before mprotect), no access
 *   untouched    PROT_NONE, never written, so not resident
 *   read-only    PROT_READ: the string is readable, the call works
 *
 * Linux reads a string from user memory with the same checks as any other
 * access, byte by byte (strncpy_from_user in lib/strncpy_from_user.c):
 * reaching memory the process cannot read gives EFAULT, however far into
 * the string that happens (path_resolution(7), execve(2), open(2)). The
 * hidden part of the strings here is one NUL byte, so a kernel that
 * checked only where a string starts would find "/" and succeed.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

enum kind {
	K_NONE,
	K_UNTOUCHED,
	K_RDONLY,
	NKINDS
};

static const char *const kind_names[NKINDS] = { "PROT_NONE", "untouched",
						"read-only" };

/* Pairs of pages [read-write][next], one pair per kind. */
static unsigned char *pages[NKINDS];

/* Maps the pages; the byte after each read-write page is a NUL. */
static bool setup(void)
{
	for (int k = 0; k < NKINDS; k++) {
		unsigned char *m = mmap(NULL, 2 * UT_PAGE,
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return false;
		memset(m, 'x', UT_PAGE);
		if (k != K_UNTOUCHED)
			m[UT_PAGE] = '\0'; /* resident: written once */
		if (mprotect(m + UT_PAGE, UT_PAGE,
			     k == K_RDONLY ? PROT_READ : PROT_NONE))
			return false;
		pages[k] = m;
	}
	return true;
}

/* Places s so that its last byte is the last of the read-write page. */
static char *crossing(enum kind k, const char *s)
{
	size_t n = strlen(s);
	char *p = (char *)pages[k] + UT_PAGE - n;

	memcpy(p, s, n);
	return p;
}

/* What a call gave: "ok" or the errno's name. */
static const char *result(long r)
{
	return r >= 0 ? "ok" : ut_errname((int)-r);
}

/* A path name call: the result on each kind, checked. */
static void path_call(const char *name, long (*fn)(const char *path),
		      const char *path)
{
	char line[256];
	size_t used = 0;
	bool good = true;

	for (int k = 0; k < NKINDS; k++) {
		long r = fn(crossing(k, path));

		good &= k == K_RDONLY ? r >= 0 : r == -EFAULT;
		used += snprintf(line + used, sizeof(line) - used, "%s%s %s",
				 k ? ", " : "", kind_names[k], result(r));
	}
	ut_check(good, "%s(\"%s\" into the next page): %s", name, path, line);
}

static long raw(long r)
{
	return r < 0 ? -errno : r;
}

static long do_open(const char *p)
{
	long r = raw(syscall(SYS_open, p, O_RDONLY));

	if (r >= 0)
		close((int)r);
	return r;
}

static long do_stat(const char *p)
{
	static char st[256];

	return raw(syscall(SYS_stat64, p, st));
}

static long do_access(const char *p)
{
	return raw(syscall(SYS_access, p, F_OK));
}

static long do_chdir(const char *p)
{
	long r = raw(syscall(SYS_chdir, p));

	if (chdir("/"))
		return -9999;
	return r;
}

static long do_readlink(const char *p)
{
	char buf[64];

	return raw(syscall(SYS_readlink, p, buf, sizeof(buf)));
}

static char helper[512];

/*
 * execve in a child with one string crossing: the path itself, an
 * argument or an environment string. Returns the child's wait status:
 * exit 100 + errno if execve failed, the helper's status if it ran.
 */
static int exec_child(enum kind k, int which)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *path = which == 0 ? crossing(k, helper) : helper;
		char *arg = which == 1 ? crossing(k, "/") : "plain";
		char *env = which == 2 ? crossing(k, "A=/") : "A=1";
		char *argv[] = { "echoargs", arg, NULL };
		char *envp[] = { env, NULL };

		syscall(SYS_execve, path, argv, envp);
		_exit(100 + errno);
	}
	return ut_wait(pid);
}

static void exec_calls(void)
{
	static const char *const which_names[] = { "path", "argv[1]",
						   "envp[0]" };

	ut_helper_path("echoargs", helper, sizeof(helper));
	for (int which = 0; which < 3; which++) {
		char line[256];
		size_t used = 0;
		bool good = true;

		for (int k = 0; k < NKINDS; k++) {
			int st = exec_child(k, which);
			const char *r = "ran";

			if (WIFEXITED(st) && WEXITSTATUS(st) >= 100)
				r = ut_errname(WEXITSTATUS(st) - 100);
			/* echoargs exits with its argc, 2. */
			good &= k == K_RDONLY ? ut_exited(st, 2)
					      : ut_exited(st, 100 + EFAULT);
			used += snprintf(line + used, sizeof(line) - used,
					 "%s%s %s", k ? ", " : "",
					 kind_names[k], r);
		}
		ut_check(good, "execve with %s into the next page: %s",
			 which_names[which], line);
	}
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	if (chdir("/") || !setup()) {
		ut_check(false, "set up the pages");
		return ut_end();
	}
	path_call("open", do_open, "/");
	path_call("stat64", do_stat, "/");
	path_call("access", do_access, "/");
	path_call("chdir", do_chdir, "/");
	path_call("readlink", do_readlink, "/proc/self/exe");
	exec_calls();
	return ut_end();
}
