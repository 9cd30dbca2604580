/*
 * tests/user/shell_tmpfs.c - busybox sh and bash working with files in
 * tmpfs (/tmp, /dev/shm), on Pagoda and on Linux: redirections (`>`,
 * `>>`, `<`), noclobber, mkdir, touch, mv, ls, rmdir of a non-empty
 * directory, dd, stat, truncate, rm. The output must be the same.
 *
 * run_user: --userland
 *
 * The scripts run as shell_scripts.c's do (shell_test.h): `SHELL -c
 * SCRIPT`, output and errors in one pipe, then the exit status; applets
 * are called as `busybox NAME`.
 */
#include "shell_test.h"

#include <sys/wait.h>

/* The scripts; "$BB" is busybox's path (set in the environment). */
static const struct shell_script scripts[] = {
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

int main(int argc, char **argv)
{
	return shell_run_all(argc, argv, scripts,
			     sizeof(scripts) / sizeof(scripts[0]));
}
