/*
 * user/swapdemo.c - whole-process swapping, shown step by step.
 *
 *   swapdemo [MIB] [prefetch|demand]     default: 4 MiB, the current mode
 *
 * 1. A child fills MIB MiB with a pattern and sleeps, waiting for SIGUSR1.
 * 2. Its /proc/PID/status: VmRSS (resident), VmSwap, VmPTE (page tables).
 * 3. echo 1 > /proc/PID/swapout: every resident page, then the page
 *    tables, go to swap. Its status again: VmRSS 0, VmPTE 0, VmSwap all
 *    of it, SwappedOut: yes; MemFree went up by about as much.
 * 4. kill -USR1: the child becomes runnable; before it goes on, the
 *    kernel brings it back, all at once (prefetch) or page by page as it
 *    touches them (demand, /proc/sys/vm/swapin_mode). Its handler runs,
 *    then it checks every word and says how long that took.
 * 5. waitpid collects it; the counters of /proc/vmstat show what moved.
 *
 * Exit status 0 when the child was out completely and verified all of
 * its data. docs/process-swapping.md explains the numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfile.h"

#define PAGE 4096u

static volatile sig_atomic_t woken;

static void on_usr1(int sig)
{
	(void)sig;
	woken = 1;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The word at index i of the child's memory. */
static uint32_t pattern(uint32_t pid, uint32_t i)
{
	return (pid << 20) ^ (i * 2654435761u);
}

/* The child: fill, sleep, verify. Exit 0 if every word is right. */
static int child(size_t bytes, int ready)
{
	uint32_t pid = (uint32_t)getpid();
	size_t words = bytes / 4;
	sigset_t block, old;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	uint32_t *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < words; i++)
		m[i] = pattern(pid, (uint32_t)i);
	if (write(ready, "r", 1) != 1)
		return 2;
	while (!woken)
		sigsuspend(&old);
	double t0 = now_ms();
	size_t bad = 0;
	for (size_t i = 0; i < words; i++)
		bad += m[i] != pattern(pid, (uint32_t)i);
	printf("  child %u: SIGUSR1 handler ran; %zu words checked in %.1f ms: "
	       "%s\n",
	       pid, words, now_ms() - t0, bad ? "SOME DIFFER" : "all intact");
	fflush(stdout);
	return bad ? 1 : 0;
}

/* Prints the memory lines of /proc/PID/status. */
static void show_status(int pid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6) ||
		    !strncmp(line, "VmRSS:", 6) ||
		    !strncmp(line, "VmSwap:", 7) ||
		    !strncmp(line, "VmPTE:", 6) ||
		    !strncmp(line, "SwappedOut:", 11))
			printf("    %s", line);
	}
	fclose(f);
}

static long vmstat(const char *name)
{
	return (long)proc_value("/proc/vmstat", name);
}

/* Waits up to 2 s until pid sleeps. */
static int wait_asleep(int pid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(path, "r");
		char state = '?';
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "State:", 6))
				sscanf(line + 6, " %c", &state);
		if (f)
			fclose(f);
		if (state == 'S')
			return 1;
		usleep(10000);
	}
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int err = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : errno;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	long mib = 4;
	int p[2];

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "prefetch") ||
		    !strcmp(argv[i], "demand")) {
			int err =
				write_str("/proc/sys/vm/swapin_mode", argv[i]);
			if (err) {
				fprintf(stderr, "swapdemo: swapin_mode: %s\n",
					strerror(err));
				return 2;
			}
		} else if ((mib = atol(argv[i])) <= 0 || mib > 256) {
			fprintf(stderr,
				"usage: swapdemo [MIB] [prefetch|demand]\n");
			return 2;
		}
	}
	char mode[64] = "?";
	FILE *f = fopen("/proc/sys/vm/swapin_mode", "r");
	if (f) {
		if (fgets(mode, sizeof(mode), f))
			mode[strcspn(mode, "\n")] = '\0';
		fclose(f);
	}
	printf("swapdemo: %ld MiB, /proc/sys/vm/swapin_mode: %s\n", mib, mode);
	if (pipe(p))
		return 2;
	size_t bytes = (size_t)mib << 20;
	int pid = fork();
	if (pid == 0)
		_exit(child(bytes, p[1]));
	char c;
	if (read(p[0], &c, 1) != 1 || !wait_asleep(pid)) {
		printf("swapdemo: the child did not get ready\n");
		return 1;
	}
	printf("1. child %d filled %ld MiB and sleeps (sigsuspend):\n", pid,
	       mib);
	show_status(pid);
	long free0 = (long)proc_value("/proc/meminfo", "MemFree");
	long out0 = vmstat("pswpout");
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/swapout", pid);
	double t0 = now_ms();
	int err = write_str(path, "1\n");
	double t_out = now_ms() - t0;
	if (err) {
		printf("swapdemo: echo 1 > %s: %s\n", path, strerror(err));
		kill(pid, SIGKILL);
		return 1;
	}
	printf("2. echo 1 > %s  (%.1f ms, %ld pages written):\n", path, t_out,
	       vmstat("pswpout") - out0);
	show_status(pid);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	int out = proc_value(path, "VmRSS") == 0 &&
		  proc_value(path, "VmPTE") == 0;
	printf("   MemFree went up by %lld kB\n",
	       proc_value("/proc/meminfo", "MemFree") - free0);

	long in0 = vmstat("swapin_process");
	long pre0 = vmstat("swapin_process_pages_prefetched");
	long dem0 = vmstat("swapin_process_pages_on_demand");
	long maj0 = vmstat("pgmajfault"), rd0 = vmstat("pswpin");
	printf("3. kill -USR1 %d: it wakes, comes back from swap, runs its "
	       "handler\n",
	       pid);
	t0 = now_ms();
	kill(pid, SIGUSR1);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	double t_total = now_ms() - t0;
	printf("4. waitpid: child %s %d after %.1f ms\n",
	       WIFEXITED(st) ? "exited with" : "killed by signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), t_total);
	printf("   /proc/vmstat: swapin_process +%ld, pages prefetched +%ld, "
	       "left to faults +%ld,\n   pgmajfault +%ld, pswpin +%ld\n",
	       vmstat("swapin_process") - in0,
	       vmstat("swapin_process_pages_prefetched") - pre0,
	       vmstat("swapin_process_pages_on_demand") - dem0,
	       vmstat("pgmajfault") - maj0, vmstat("pswpin") - rd0);
	int ok = out && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("swapdemo: %s\n", ok ? "the child was out completely and "
				      "came back intact"
				    : "FAILED");
	return ok ? 0 : 1;
}
