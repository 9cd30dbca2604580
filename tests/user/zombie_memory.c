/*
 * tests/user/zombie_memory.c - what a process that has ended but not yet
 * been waited for (a zombie) still holds. Linux gives a task's kernel
 * stack back at its last context switch, so zombies cost a parent that
 * reaps late (an init busy out of memory, say) little more than their
 * process descriptors; Pagoda does the same (kernel/proc/sched.c). The
 * test makes 200 zombies and reads /proc/meminfo's KernelStack before
 * and after: less than a quarter of a 16 KiB stack each is allowed (other
 * processes may start or end meanwhile), where keeping every stack would
 * be 3200 kB. Then it reaps them and checks each status.
 */
#include "utest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ZOMBIES 200

static long meminfo_kb(const char *name)
{
	char line[256];
	long v = -1;
	size_t len = strlen(name);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, len) == 0 && line[len] == ':')
			v = atol(line + len + 1);
	fclose(f);
	return v;
}

/* Whether process pid is a zombie, from the state in /proc/PID/stat. */
static int is_zombie(pid_t pid)
{
	char path[64], text[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	char *close = strrchr(text, ')');
	return close && close[1] == ' ' && close[2] == 'Z';
}

int main(int argc, char **argv)
{
	pid_t pids[ZOMBIES];
	int made = 0;

	ut_begin(argc, argv);
	long before = meminfo_kb("KernelStack");
	ut_check(before >= 0, "/proc/meminfo has KernelStack");
	for (int i = 0; i < ZOMBIES; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(i & 0x7f);
		if (pid < 0)
			break;
		pids[made++] = pid;
	}
	ut_check(made == ZOMBIES, "%d children made", ZOMBIES);
	/* Every child has ended and is waiting to be reaped. */
	int zombies = 0;
	for (int tries = 0; tries < 200 && zombies < made; tries++) {
		zombies = 0;
		for (int i = 0; i < made; i++)
			zombies += is_zombie(pids[i]);
		if (zombies < made)
			usleep(10000);
	}
	ut_check(zombies == made, "all %d children are zombies", ZOMBIES);
	long held = meminfo_kb("KernelStack") - before;
	ut_check(held < ZOMBIES * 16 / 4,
		 "%d zombies hold less than 4 kB of kernel stack each",
		 ZOMBIES);
	int right = 0;
	for (int i = 0; i < made; i++) {
		int status;
		if (waitpid(pids[i], &status, 0) == pids[i] &&
		    ut_exited(status, i & 0x7f))
			right++;
	}
	ut_check(right == made, "each zombie reaped with its exit status");
	return ut_end();
}
