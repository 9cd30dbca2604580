/*
 * tests/user/long_names.c - path names at Linux's limits and beyond.
 *
 * A path name passed to the kernel may have up to PATH_MAX - 1 = 4095
 * bytes (PATH_MAX counts the NUL; include/uapi/linux/limits.h); a longer
 * one gives ENAMETOOLONG. Each component may have up to NAME_MAX = 255
 * bytes; a longer one gives ENAMETOOLONG, a missing one of 255 bytes
 * ENOENT (path_resolution(7), open(2), execve(2)). The limit is on the
 * string the program passes: a relative path is not made longer by the
 * current directory it starts from.
 *
 * The paths are made of what exists everywhere: slashes, "." and "..",
 * the directories "/", "/proc" and "/proc/self" (a link), and the helper
 * echoargs next to this test, which execve runs with a padded path.
 * (Components longer than NAME_MAX are looked up in the root only: on
 * Linux each file system checks the length itself, and procfs does not,
 * giving ENOENT; Pagoda checks it for all.)
 */
#include "utest.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#define PATH_MAX_ 4096
#define NAME_MAX_ 255

static char path[PATH_MAX_ + 64];
static char helper[512];

/*
 * Fills path with prefix, then whole copies of filler, then slashes (which
 * change nothing), then suffix: len bytes in all.
 */
static const char *make(const char *prefix, const char *filler,
			const char *suffix, size_t len)
{
	size_t pl = strlen(prefix), sl = strlen(suffix), fl = strlen(filler);
	size_t at = pl;

	memcpy(path, prefix, pl);
	while (at + fl + sl <= len) {
		memcpy(path + at, filler, fl);
		at += fl;
	}
	while (at + sl < len)
		path[at++] = '/';
	memcpy(path + at, suffix, sl + 1);
	return path;
}

/* A component of n bytes ('n' repeated) after prefix. */
static const char *component(const char *prefix, size_t n)
{
	size_t pl = strlen(prefix);

	memcpy(path, prefix, pl);
	memset(path + pl, 'n', n);
	path[pl + n] = '\0';
	return path;
}

static const char *result(long r)
{
	return r >= 0 ? "ok" : ut_errname((int)-r);
}

/* open, stat64 and access of the path; all three must give want. */
static void lookups(const char *what, const char *p, int want)
{
	long o = syscall(SYS_open, p, O_RDONLY);
	int oe = o < 0 ? errno : 0;
	static char st[256];
	long s = syscall(SYS_stat64, p, st);
	int se = s < 0 ? errno : 0;
	long a = syscall(SYS_access, p, F_OK);
	int ae = a < 0 ? errno : 0;

	if (o >= 0)
		close((int)o);
	ut_check(oe == want && se == want && ae == want,
		 "%s (%zu bytes): open %s, stat64 %s, access %s", what,
		 strlen(p), result(-oe), result(-se), result(-ae));
}

/* execve of the path in a child: "ran" or the errno; checked. */
static void exec_path(const char *what, const char *p, int want)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "echoargs", NULL };
		char *envp[] = { NULL };

		syscall(SYS_execve, p, argv, envp);
		_exit(100 + errno);
	}
	int st = ut_wait(pid);
	/* echoargs exits with its argc, 1. */
	int got = ut_exited(st, 1) ? 0
		  : WIFEXITED(st) && WEXITSTATUS(st) >= 100
			  ? WEXITSTATUS(st) - 100
			  : -1;

	ut_check(got == want, "execve %s (%zu bytes): %s", what, strlen(p),
		 got == 0  ? "ran"
		 : got > 0 ? ut_errname(got)
			   : ut_status(st));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	if (chdir("/")) {
		ut_check(false, "chdir(\"/\"): %s", ut_errname(errno));
		return ut_end();
	}

	/* Absolute paths of slashes: 4095 bytes fit, 4096 do not. */
	lookups("\"//...//.\"", make("/", "/", ".", PATH_MAX_ - 1), 0);
	lookups("\"//...//.\"", make("/", "/", ".", PATH_MAX_), ENAMETOOLONG);
	lookups("\"/proc//...//self\"",
		make("/proc", "/", "self", PATH_MAX_ - 1), 0);

	/* Relative paths: the current directory does not count. */
	lookups("\"./././...\" from /", make("", "./", ".", PATH_MAX_ - 1), 0);
	lookups("\"./././...\" from /", make("", "./", ".", PATH_MAX_),
		ENAMETOOLONG);
	if (chdir("/proc") == 0) {
		lookups("\"./././...\" from /proc",
			make("", "./", "self", PATH_MAX_ - 1), 0);
		lookups("\"../proc/../proc/...\" from /proc",
			make("", "../proc/", "self", PATH_MAX_ - 1), 0);
		if (chdir("/"))
			return ut_end();
	}

	/* Through a symbolic link (/proc/self). */
	lookups("\"/proc/self/./././...\"",
		make("/proc/self/", "./", ".", PATH_MAX_ - 1), 0);

	/* Components: 255 bytes may be looked up, 256 may not. */
	lookups("a 255-byte component", component("/", NAME_MAX_), ENOENT);
	lookups("a 256-byte component", component("/", NAME_MAX_ + 1),
		ENAMETOOLONG);
	lookups("a 256-byte component, relative", component("", NAME_MAX_ + 1),
		ENAMETOOLONG);
	/* A path of 255-byte components, 4095 bytes in all. */
	lookups("\"/nnn.../nnn...\"",
		make("/",
		     "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		     "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		     "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		     "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		     "nnnnnnnnnnnnnnn/",
		     "n", PATH_MAX_ - 1),
		ENOENT);

	/* execve: the helper with its path padded to the limits. */
	ut_helper_path("echoargs", helper, sizeof(helper));
	if (helper[0] != '/') {
		ut_check(false, "the helper's path is absolute: %s", helper);
		return ut_end();
	}
	exec_path("\"//...//echoargs\"",
		  make("/", "/", helper + 1, PATH_MAX_ - 1), 0);
	exec_path("\"//...//echoargs\"", make("/", "/", helper + 1, PATH_MAX_),
		  ENAMETOOLONG);
	/* Relative, from the helper's directory. */
	char *slash = strrchr(helper, '/');

	*slash = '\0';
	if (chdir(helper[0] ? helper : "/") == 0) {
		exec_path("\"./././.../echoargs\" from its directory",
			  make("", "./", "echoargs", PATH_MAX_ - 1), 0);
		exec_path("\"./././.../echoargs\" from its directory",
			  make("", "./", "echoargs", PATH_MAX_), ENAMETOOLONG);
		if (chdir("/"))
			return ut_end();
	}
	exec_path("a 256-byte component", component("/", NAME_MAX_ + 1),
		  ENAMETOOLONG);
	exec_path("a 255-byte component", component("/", NAME_MAX_), ENOENT);
	return ut_end();
}
