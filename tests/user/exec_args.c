/*
 * tests/user/exec_args.c - execve: arguments, environment, errors.
 *
 * The child execs the helper echoargs (found next to this program), which
 * prints what it received; the parent checks the exit status. Also checked:
 * the process ID survives execve, the old mappings do not, descriptors
 * with FD_CLOEXEC are closed, and execve's error returns.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

static char helper[512];

/* Runs the helper with argv and envp in a child; returns the wait status. */
static int run_helper(char *const argv[], char *const envp[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execve(helper, argv, envp);
		printf("execve %s: %s\n", "echoargs", ut_errname(errno));
		_exit(127);
	}
	return ut_wait(pid);
}

/* Ordinary strings, empty ones, spaces, escapes and bytes above 0x7f. */
static void test_basic(void)
{
	static char long_value[1100];
	char pid_var[64], addr_var[64], keep_var[32], cloexec_var[32];
	int keep[2], cloexec[2], status;
	void *old = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(long_value, 'x', sizeof(long_value) - 1);
	memcpy(long_value, "LONG=", 5);
	if (pipe(keep) || pipe2(cloexec, O_CLOEXEC)) {
		ut_check(false, "pipes for the descriptor checks");
		return;
	}
	snprintf(addr_var, sizeof(addr_var), "UT_OLD_ADDR=%lx",
		 (unsigned long)old);
	snprintf(keep_var, sizeof(keep_var), "UT_FD_KEEP=%d", keep[0]);
	snprintf(cloexec_var, sizeof(cloexec_var), "UT_FD_CLOEXEC=%d",
		 cloexec[0]);

	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "renamed-argv0", "one",
				 "two words",	  "",
				 "tab\there",	  "caf\xc3\xa9",
				 "back\\slash",	  NULL };
		snprintf(pid_var, sizeof(pid_var), "UT_EXPECT_PID=%ld",
			 (long)getpid());
		char *envp[] = { "A=1",	      "EMPTY=", "PATH=/bin", long_value,
				 "NOEQUALS",  pid_var,	addr_var,    keep_var,
				 cloexec_var, NULL };
		execve(helper, argv, envp);
		printf("execve echoargs: %s\n", ut_errname(errno));
		_exit(127);
	}
	status = ut_wait(pid);
	ut_check(ut_exited(status, 7), "echoargs with 7 arguments: %s",
		 ut_status(status));
	close(keep[0]);
	close(keep[1]);
	close(cloexec[0]);
	close(cloexec[1]);
	munmap(old, UT_PAGE);
}

/* Thousands of arguments, about 64 KiB of strings in all. */
static void test_many(void)
{
	enum {
		N = 3000
	};
	static char *argv[N + 2];
	static char storage[N][24];
	char *envp[] = { "UT_SUMMARY=1", "ONE=1", NULL };
	int status;

	argv[0] = "many";
	for (int i = 1; i <= N; i++) {
		snprintf(storage[i - 1], sizeof(storage[0]), "argument-%05d",
			 i);
		argv[i] = storage[i - 1];
	}
	argv[N + 1] = NULL;
	status = run_helper(argv, envp);
	ut_check(ut_exited(status, (N + 1) & 0xff),
		 "echoargs with %d arguments: %s", N + 1, ut_status(status));
}

/* One argument of 100 KiB (Linux accepts up to 128 KiB per string). */
static void test_big_string(void)
{
	static char big[100 * 1024 + 1];
	char *argv[] = { "big", big, NULL };
	char *envp[] = { "UT_SUMMARY=1", NULL };
	int status;

	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'a' + i % 26;
	status = run_helper(argv, envp);
	ut_check(ut_exited(status, 2), "echoargs with a 100 KiB argument: %s",
		 ut_status(status));
}

/* Error returns: execve fails and the caller carries on. */
static void test_errors(void)
{
	char *argv[] = { "x", NULL };
	char *envp[] = { NULL };
	char *bad_argv[] = { "x", ut_opaque(UT_KERNEL_ADDR), NULL };
	long r;

	r = syscall(SYS_execve, "/no/such/program", argv, envp);
	ut_check(r == -1 && errno == ENOENT, "missing file: %s",
		 ut_errname(errno));
	r = syscall(SYS_execve, ut_opaque(0), argv, envp);
	ut_check(r == -1 && errno == EFAULT, "NULL path: %s",
		 ut_errname(errno));
	r = syscall(SYS_execve, helper, bad_argv, envp);
	ut_check(r == -1 && errno == EFAULT, "argv string in kernel space: %s",
		 ut_errname(errno));
	r = syscall(SYS_execve, helper, ut_opaque(UT_KERNEL_ADDR), envp);
	ut_check(r == -1 && errno == EFAULT, "argv array in kernel space: %s",
		 ut_errname(errno));
	r = syscall(SYS_execve, "/", argv, envp);
	ut_check(r == -1 && errno == EACCES, "a directory: %s",
		 ut_errname(errno));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	ut_helper_path("echoargs", helper, sizeof(helper));
	test_basic();
	test_many();
	test_big_string();
	test_errors();
	return ut_end();
}
