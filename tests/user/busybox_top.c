/*
 * tests/user/busybox_top.c - `busybox top -b -n 1` gives Linux's output,
 * with the numbers that legitimately differ masked.
 *
 * run_user: --userland
 *
 * top reads /proc/stat, /proc/meminfo, /proc/loadavg and every
 * /proc/PID/stat and statm. Its first lines and the column header are
 * printed with every number replaced by N (memory sizes, load and CPU
 * percentages differ between machines); of the process lines only the
 * one of top itself is kept, its numbers masked the same way, and the
 * user and state columns and the command kept as they are. The process
 * list itself differs (Linux has kernel threads). The test fails if top
 * fails, or prints no line for itself.
 */
#include "utest.h"

#include <ctype.h>

/* Prints line with each run of digits (and the dots and % in a number)
 * replaced by N, and runs of spaces made one. */
static void print_masked(const char *line)
{
	bool in_num = false, in_space = false;

	for (const char *c = line; *c && *c != '\n'; c++) {
		bool num = isdigit((unsigned char)*c) ||
			   (in_num && (*c == '.' || *c == '%' || *c == 'm' ||
				       *c == 'g' || *c == 'k'));
		if (num) {
			if (!in_num)
				putchar('N');
			in_num = true;
			in_space = false;
			continue;
		}
		in_num = false;
		if (*c == ' ') {
			if (!in_space)
				putchar(' ');
			in_space = true;
			continue;
		}
		in_space = false;
		putchar(*c);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	char bb[512], cmd[600];

	ut_begin(argc, argv);
	ut_helper_path("busybox", bb, sizeof(bb));
	/* Wide, so that no line is cut at 80 columns. */
	snprintf(cmd, sizeof(cmd), "COLUMNS=200 %s top -b -n 1", bb);
	int fds[2];
	if (pipe(fds) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		setenv("COLUMNS", "200", 1);
		execl(bb, "top", "-b", "-n", "1", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *in = fdopen(fds[0], "r");
	char line[1024];
	int n = 0, self = 0;
	while (in && fgets(line, sizeof(line), in)) {
		n++;
		if (n <= 4) {
			print_masked(line);
			continue;
		}
		/* "  PID  PPID USER     STAT   VSZ %VSZ %CPU COMMAND" */
		if (strstr(line, " top -b -n 1")) {
			print_masked(line);
			self++;
		}
	}
	int status = ut_wait(pid);
	printf("top: %s\n", ut_status(status));
	ut_check(self == 1, "top printed a line for itself");
	ut_check(ut_exited(status, 0), "top succeeded");
	(void)cmd;
	return ut_end();
}
