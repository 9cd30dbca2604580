/*
 * tests/user/shell_tmpfs.c - busybox sh and bash working with files in
 * tmpfs (/tmp, /dev/shm), on Pagoda and on Linux: redirections (`>`,
 * `>>`, `<`), noclobber, mkdir, touch, mv, ls, rmdir of a non-empty
 * directory, dd, stat, truncate, rm. The output must be the same.
 *
 * run_user: --userland
 *
 * The scripts run as shell_scripts.c runs its own: `SHELL -c SCRIPT`,
 * output and errors in one pipe, then the exit status; applets are called
 * as `busybox NAME`.
 */
#include "utest.h"

#include <sys/wait.h>

/* The scripts; "$BB" is busybox's path (set in the environment). */
static const struct script {
	const char *name;
	const char *text;
} scripts[] = {
	{ "tmpfs",
	  "$BB rm -rf /tmp/sh_x /tmp/sh_d /tmp/sh_z /tmp/sh_nc\n"
	  "echo hi > /tmp/sh_x; $BB cat /tmp/sh_x\n"
	  "echo more >> /tmp/sh_x; $BB cat /tmp/sh_x; $BB wc -c < /tmp/sh_x\n"
	  "$BB mkdir /tmp/sh_d && $BB touch /tmp/sh_d/a /tmp/sh_d/b\n"
	  "$BB mv /tmp/sh_d/a /tmp/sh_d/c; $BB ls /tmp/sh_d | $BB tr '\\n' ' '\n"
	  "echo\n"
	  "$BB rmdir /tmp/sh_d 2>/dev/null || echo 'rmdir: not empty'\n"
	  "set -C; echo a > /tmp/sh_nc; echo b 2>/dev/null > /tmp/sh_nc || "
	  "echo 'noclobber: refused'; set +C; $BB cat /tmp/sh_nc\n"
	  "$BB dd if=/dev/zero of=/tmp/sh_z bs=1024 count=9 2>/dev/null\n"
	  "$BB stat -c '%s %b %F' /tmp/sh_z\n"
	  "$BB truncate -s 100 /tmp/sh_z; $BB stat -c '%s %b' /tmp/sh_z\n"
	  "echo shm > /dev/shm/sh_y; $BB cat /dev/shm/sh_y; $BB rm /dev/shm/sh_y\n"
	  "$BB rm -r /tmp/sh_d /tmp/sh_x /tmp/sh_z /tmp/sh_nc\n"
	  "$BB ls /tmp/sh_d 2>&1 | $BB wc -l\n" },
};

static void run(const char *shell, const char *bb, const struct script *s)
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

int main(int argc, char **argv)
{
	char bb[512];

	ut_begin(argc, argv);
	ut_helper_path("busybox", bb, sizeof(bb));
	/* busybox sh runs applets like "sh" by argv[0]: the busybox path. */
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		run("busybox", bb, &scripts[i]);
		run("bash", bb, &scripts[i]);
	}
	return ut_end();
}
