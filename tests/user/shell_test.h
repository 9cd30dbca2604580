/*
 * tests/user/shell_test.h - the runner of the shell tests
 * (shell_scripts.c, shell_tmpfs.c): each script runs as `SHELL -c SCRIPT`
 * under busybox sh and under bash, with "$BB" set to busybox's path so
 * that applets are called as `$BB NAME`; its output and errors come back
 * through one pipe and are printed, then its exit status.
 */
#ifndef TESTS_USER_SHELL_TEST_H
#define TESTS_USER_SHELL_TEST_H

#include "utest.h"

#include <sys/wait.h>

struct shell_script {
	const char *name;
	const char *text;
};

/* Runs SHELL -c text with BB set; prints its output and status. */
static inline void shell_run(const char *shell, const char *bb,
			     const struct shell_script *s)
{
	int fds[2];
	char buf[4096];

	printf("== %s (%s)\n", s->name, shell);
	if (pipe(fds) < 0) {
		printf("pipe: %s\n", ut_errname(errno));
		ut_failures++;
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char path[512];
		ut_helper_path(shell, path, sizeof(path));
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		setenv("BB", bb, 1);
		if (!strcmp(shell, "busybox"))
			execl(path, "sh", "-c", s->text, (char *)NULL);
		else
			execl(path, "bash", "-c", s->text, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fds[0]);
	int status = ut_wait(pid);
	printf("-- %s\n", ut_status(status));
}

/* Every script under busybox sh, then under bash; main()'s status. */
static inline int shell_run_all(int argc, char **argv,
				const struct shell_script *scripts, size_t n)
{
	char bb[512];

	ut_begin(argc, argv);
	ut_helper_path("busybox", bb, sizeof(bb));
	/* busybox sh runs applets like "sh" by argv[0]: the busybox path. */
	for (size_t i = 0; i < n; i++) {
		shell_run("busybox", bb, &scripts[i]);
		shell_run("bash", bb, &scripts[i]);
	}
	return ut_end();
}

#endif
