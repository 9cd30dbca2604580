/*
 * user/mmtrace.c - record the memory manager's events while a program runs.
 *
 *   mmtrace [-p] [-v] PROG [ARGS...]
 *
 * Empties the kernel's event trace (/proc/pagoda/trace), turns it on, runs
 * PROG, turns it off when PROG ends, and prints the trace after PROG's own
 * output: a header line "# pagoda mm trace: ...", the column names, one
 * event per line (docs/tracing.md). On the host, tools/tracetool draws it
 * or turns its faults into a reference string for tools/vmsim.
 *
 *   -p  record only PROG's own process (/proc/pagoda/trace_pid), not its
 *      children nor anyone else
 *   -v  print /proc/vmstat after the trace, under a line "# /proc/vmstat"
 *
 * PROG starts only once the trace is on: the child waits on a pipe until
 * the parent has set the filter to its pid, so its first event is its
 * exec. mmtrace exits with PROG's status (128 + N if signal N ended it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_DIR "/proc/pagoda/"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mmtrace [-p] [-v] PROG [ARGS...]\n"
		"Runs PROG with the memory manager's event trace on, then "
		"prints the trace.\n"
		"  -p  only PROG's own events (not its children's)\n"
		"  -v  also print /proc/vmstat after the trace\n"
		"  -h  this help\n");
}

/* Writes text to a file of /proc/pagoda; 0 or -1 (with a message). */
static int write_control(const char *name, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), TRACE_DIR "%s", name);
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		fprintf(stderr, "mmtrace: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Copies a file to standard output. */
static int print_file(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "mmtrace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			break;
	}
	close(fd);
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	bool only_prog = false, vmstat = false;
	int opt;

	while ((opt = getopt(argc, argv, "+pvh")) != -1) {
		switch (opt) {
		case 'p':
			only_prog = true;
			break;
		case 'v':
			vmstat = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (access(TRACE_DIR "tracing_on", W_OK) < 0) {
		fprintf(stderr, "mmtrace: no %stracing_on: this needs Pagoda's "
			"event trace\n", TRACE_DIR);
		return 1;
	}

	int go[2];
	if (pipe(go) < 0) {
		perror("mmtrace: pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("mmtrace: fork");
		return 1;
	}
	if (pid == 0) {
		char c;
		close(go[1]);
		/* Wait until the trace is on (or the parent gave up). */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		close(go[0]);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "mmtrace: %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	close(go[0]);

	char num[16];
	snprintf(num, sizeof(num), "%d", only_prog ? (int)pid : 0);
	int err = write_control("trace_pid", num);
	if (!err)
		err = write_control("trace", "\n");
	if (!err)
		err = write_control("tracing_on", "1");
	if (!err && write(go[1], "g", 1) != 1)
		err = -1;
	close(go[1]);

	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	write_control("tracing_on", "0");
	if (err)
		return 1;
	fflush(stdout);
	print_file(TRACE_DIR "trace");
	if (vmstat) {
		printf("# /proc/vmstat\n");
		print_file("/proc/vmstat");
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
