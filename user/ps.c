/*
 * user/ps.c - lists the processes, from /proc.
 *
 *   ps [-e]
 *
 * Every directory of /proc named by a number is a process. Its status
 * file gives the name, state, parent and memory use:
 *
 *   PID      process ID
 *   PPID     parent's process ID (orphans are adopted by process 1)
 *   USER     the effective user it runs as (the second number of the
 *            Uid: line), named from /etc/passwd (docs/users.md)
 *   STAT     R running or runnable, S sleeping, Z zombie (exited, not
 *            yet waited for by its parent), D, T, I as on Linux; a
 *            second letter W: swapped out as a whole (its status says
 *            SwappedOut: yes; docs/process-swapping.md), as BSD's ps
 *   RSS      resident set: KiB of the process's pages that are in RAM
 *   VSZ      virtual size: KiB of address space it has mapped
 *   COMMAND  its arguments from /proc/PID/cmdline, or [name]
 *
 * -e explains the columns. RSS is usually far below VSZ: pages are only
 * given a frame when first touched, and shared frames count for every
 * process that maps them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PROCS 1024

struct proc_info {
	int pid, ppid;
	unsigned int euid;
	char state[3]; /* the state letter, then W if swapped out */
	long rss_kb, vsz_kb;
	char command[80];
};

static struct proc_info procs[MAX_PROCS];

/* Reads /proc/PID/status into p; returns false if the process is gone. */
static bool read_status(int pid, struct proc_info *p)
{
	char path[64], line[256], name[64] = "?";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	p->pid = pid;
	p->ppid = 0;
	p->euid = 0;
	strcpy(p->state, "?");
	p->rss_kb = p->vsz_kb = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:", 5))
			sscanf(line + 5, " %63[^\n]", name);
		else if (!strncmp(line, "State:", 6))
			sscanf(line + 6, " %c", &p->state[0]);
		else if (!strncmp(line, "SwappedOut:", 11) &&
			 strstr(line + 11, "yes"))
			strcpy(p->state + 1, "W");
		else if (!strncmp(line, "PPid:", 5))
			p->ppid = atoi(line + 5);
		else if (!strncmp(line, "Uid:", 4))
			sscanf(line + 4, "%*u %u", &p->euid);
		else if (!strncmp(line, "VmRSS:", 6))
			p->rss_kb = atol(line + 6);
		else if (!strncmp(line, "VmSize:", 7))
			p->vsz_kb = atol(line + 7);
	}
	fclose(f);
	snprintf(p->command, sizeof(p->command), "[%s]", name);
	return true;
}

/* Replaces the command by the arguments in /proc/PID/cmdline, if any. */
static void read_cmdline(int pid, struct proc_info *p)
{
	char path[64], buf[sizeof(p->command)];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	/* The arguments are separated by NUL bytes. */
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\0')
			buf[i] = ' ';
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	memcpy(p->command, buf, (size_t)n + 1);
}

/* The name of user uid from /etc/passwd, or the number. */
static const char *user_name(unsigned int uid)
{
	static char buf[32];
	char line[256];
	FILE *f = fopen("/etc/passwd", "r");

	snprintf(buf, sizeof(buf), "%u", uid);
	while (f && fgets(line, sizeof(line), f)) {
		char name[32];
		unsigned int id;
		if (sscanf(line, "%31[^:]:%*[^:]:%u:", name, &id) == 2 &&
		    id == uid) {
			snprintf(buf, sizeof(buf), "%s", name);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

/* Orders processes by PID, for qsort. */
static int by_pid(const void *a, const void *b)
{
	return ((const struct proc_info *)a)->pid -
	       ((const struct proc_info *)b)->pid;
}

/* What the columns mean, one output line each. */
static const char *const explanation[] = {
	"PID      process ID; PPID: its parent's (orphans go to init, 1)",
	"USER     the user it runs as (its effective uid, named by "
	"/etc/passwd)",
	"STAT     R runnable, S sleeping, T stopped, Z zombie (waits for its "
	"parent's wait4); W: swapped out whole",
	"RSS      KiB of its pages in RAM (a shared page counts in each "
	"process)",
	"VSZ      KiB of address space mapped; pages get RAM when first "
	"touched",
	"COMMAND  its arguments, or [name] when the kernel does not give them",
};

/* Prints what the columns mean. */
static void explain(void)
{
	putchar('\n');
	for (size_t i = 0; i < sizeof(explanation) / sizeof(*explanation); i++)
		puts(explanation[i]);
}

int main(int argc, char **argv)
{
	bool explained = false;
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (argc > 1) {
		if (strcmp(argv[1], "-e")) {
			printf("usage: ps [-e]\n  -e  explain the columns\n");
			return strcmp(argv[1], "-h") ? 1 : 0;
		}
		explained = true;
	}
	d = opendir("/proc");
	if (!d) {
		perror("ps: /proc");
		return 1;
	}
	while ((e = readdir(d)) && n < MAX_PROCS) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		int pid = atoi(e->d_name);

		if (read_status(pid, &procs[n])) {
			read_cmdline(pid, &procs[n]);
			n++;
		}
	}
	closedir(d);
	qsort(procs, n, sizeof(procs[0]), by_pid);
	printf("%7s %7s %-8s %-4s %8s %8s %s\n", "PID", "PPID", "USER", "STAT",
	       "RSS", "VSZ", "COMMAND");
	for (int i = 0; i < n; i++)
		printf("%7d %7d %-8.8s %-4s %8ld %8ld %s\n", procs[i].pid,
		       procs[i].ppid, user_name(procs[i].euid), procs[i].state,
		       procs[i].rss_kb, procs[i].vsz_kb, procs[i].command);
	if (explained)
		explain();
	return 0;
}
