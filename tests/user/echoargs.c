/*
 * tests/user/echoargs.c - prints what execve gave it: argv, envp, auxv.
 *
 * A helper for exec_args.c, which runs it with chosen arguments and
 * environment and compares. Everything printed is a fact the caller chose
 * or one the ABI fixes, so the output is the same on Linux and Pagoda.
 *
 * Variables starting with UT_ are instructions from the caller and are not
 * printed:
 *   UT_EXPECT_PID=n     check that execve kept the process ID
 *   UT_OLD_ADDR=hex     an address mapped before execve: must be gone now
 *   UT_FD_KEEP=n        a descriptor without FD_CLOEXEC: must be open
 *   UT_FD_CLOEXEC=n     a descriptor with FD_CLOEXEC: must be closed
 *   UT_SUMMARY=1        print a count and a checksum instead of every string
 *
 * The exit status is argc, so the caller can check it too.
 */
#include "utest.h"

#include <sys/auxv.h>

/* A variable with an initial value: a fresh image must have it. */
static int initialised = 12345;

/* FNV-1a hash of a string, continued from h. */
static uint32_t hash_string(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0xff) * 16777619u;
}

/*
 * Prints s with non-printable bytes escaped, and its length; a long string
 * is shortened to its first 40 bytes and a hash of the whole.
 */
static void print_string(const char *what, int i, const char *s)
{
	size_t len = strlen(s);
	size_t shown = len > 60 ? 40 : len;

	printf("%s[%d] (%zu bytes) = \"", what, i, len);
	for (const unsigned char *p = (const unsigned char *)s;
	     p < (const unsigned char *)s + shown; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			putchar(*p);
		else
			printf("\\x%02x", *p);
	}
	if (shown < len)
		printf("\"... hash %08x\n",
		       (unsigned)hash_string(2166136261u, s));
	else
		printf("\"\n");
}

/* Checks the UT_ instructions in the environment. */
static void check_instructions(void)
{
	const char *v;
	int fds[2];

	v = getenv("UT_EXPECT_PID");
	if (v)
		ut_check(atol(v) == (long)getpid(),
			 "execve kept the process ID");
	v = getenv("UT_OLD_ADDR");
	if (v && pipe(fds) == 0) {
		/* A system call reading a missing page fails with EFAULT. */
		void *old = (void *)strtoul(v, NULL, 16);
		ssize_t r = write(fds[1], old, 1);

		ut_check(r < 0 && errno == EFAULT,
			 "the old program's mapping is gone after execve");
		close(fds[0]);
		close(fds[1]);
	}
	v = getenv("UT_FD_KEEP");
	if (v)
		ut_check(fcntl(atoi(v), F_GETFD) >= 0,
			 "a descriptor without FD_CLOEXEC stays open");
	v = getenv("UT_FD_CLOEXEC");
	if (v)
		ut_check(fcntl(atoi(v), F_GETFD) < 0 && errno == EBADF,
			 "a descriptor with FD_CLOEXEC is closed");
}

int main(int argc, char **argv, char **envp)
{
	bool summary = getenv("UT_SUMMARY") != NULL;
	uint32_t h = 2166136261u;
	size_t bytes = 0;
	int nenv = 0;

	ut_begin(argc, argv);
	printf("echoargs: argc = %d\n", argc);
	for (int i = 0; i < argc; i++) {
		if (summary) {
			h = hash_string(h, argv[i]);
			bytes += strlen(argv[i]) + 1;
		} else {
			print_string("argv", i, argv[i]);
		}
	}
	ut_check(argv[argc] == NULL, "argv[argc] is NULL");
	for (int i = 0; envp[i]; i++) {
		if (!strncmp(envp[i], "UT_", 3))
			continue;
		if (summary) {
			h = hash_string(h, envp[i]);
			bytes += strlen(envp[i]) + 1;
		} else {
			print_string("envp", nenv, envp[i]);
		}
		nenv++;
	}
	if (summary)
		printf("echoargs: %d environment strings, %zu bytes, "
		       "hash %08x\n",
		       nenv, bytes, (unsigned)h);

	ut_check(initialised == 12345, "initialised data has its value");
	ut_check(getauxval(AT_PAGESZ) == UT_PAGE, "auxv AT_PAGESZ is 4096");
	ut_check(getauxval(AT_ENTRY) != 0, "auxv AT_ENTRY is present");
	ut_check(getauxval(AT_PHDR) != 0, "auxv AT_PHDR is present");
	ut_check(getauxval(AT_RANDOM) != 0, "auxv AT_RANDOM is present");
	check_instructions();
	ut_end();
	return argc & 0xff;
}
