/*
 * user/swapout.c - swaps a sleeping process out as a whole, or back in.
 *
 *   swapout PID...        every resident page of each process, then its
 *                         page tables, go to swap (echo 1 > /proc/PID/swapout)
 *   swapout -i PID...     brings them back now, without waking the process
 *                         (echo 0 > /proc/PID/swapout), in the mode of
 *                         /proc/sys/vm/swapin_mode
 *
 * After each request it prints what /proc/PID/status then says:
 *
 *   swapout: pid 12 (swapdemo) swapped out: VmRSS 0 kB, VmSwap 4136 kB,
 *            VmPTE 0 kB
 *
 * A process that is running or runnable cannot go (EBUSY), nor one with
 * locked memory (mlock, EBUSY); swap must have room for all of it
 * (ENOSPC). docs/process-swapping.md tells the whole story.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfile.h"

/* Why a write to /proc/PID/swapout failed, in words. */
static const char *reason(int err)
{
	switch (err) {
	case EBUSY:
		return "it is not asleep, or has locked memory";
	case EALREADY:
		return "it is swapped out already (or in, for -i)";
	case ENOSPC:
		return "swap is off or has no room for it";
	case ENOENT:
	case ESRCH:
		return "no such process";
	default:
		return strerror(err);
	}
}

/* The process's name from /proc/PID/comm, or "?". */
static void comm_of(int pid, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	FILE *f = fopen(path, "r");
	snprintf(buf, size, "?");
	if (f) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* Writes 1 or 0 to /proc/PID/swapout; 0 or an errno value. */
static int request(int pid, int in)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/swapout", pid);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int err = write(fd, in ? "0\n" : "1\n", 2) == 2 ? 0 : errno;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	int in = 0, first = 1, status = 0;

	if (argc > 1 && !strcmp(argv[1], "-i")) {
		in = 1;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: swapout [-i] PID...\n"
				"  swaps each sleeping process out as a whole "
				"(-i: back in)\n");
		return 2;
	}
	for (int i = first; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (*end || pid <= 0) {
			fprintf(stderr, "swapout: %s: not a process ID\n",
				argv[i]);
			status = 1;
			continue;
		}
		char name[32], path[64];
		comm_of((int)pid, name, sizeof(name));
		int err = request((int)pid, in);
		if (err) {
			fprintf(stderr, "swapout: pid %ld: %s\n", pid,
				reason(err));
			status = 1;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
		printf("swapout: pid %ld (%s) swapped %s: VmRSS %lld kB, "
		       "VmSwap %lld kB, VmPTE %lld kB\n",
		       pid, name, in ? "in" : "out", proc_value(path, "VmRSS"),
		       proc_value(path, "VmSwap"), proc_value(path, "VmPTE"));
	}
	return status;
}
