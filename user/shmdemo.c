/*
 * user/shmdemo.c - two processes share memory through System V shm.
 *
 *   shmdemo
 *
 * shmget() creates a segment: shared pages that belong to no process.
 * shmat() maps them into the caller's address space, as a region whose
 * pages are the segment's own frames, so every process that attaches the
 * segment reaches the same frames, possibly at different addresses.
 * Unlike private memory after fork, writes are not copied: each process
 * sees the other's writes at once. The segment stays until IPC_RMID and
 * the last detach.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (16 * 4096)

/* Prints the segment's size and number of attachments. */
static void stat_segment(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) == 0)
		printf("   (shmctl IPC_STAT: %zu bytes, attached %lu times)\n",
		       (size_t)ds.shm_segsz, (unsigned long)ds.shm_nattch);
}

/* Prints the /proc/self/maps lines of shared regions. */
static void show_maps(const char *who)
{
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char perms[5];

		if (sscanf(line, "%*x-%*x %4s", perms) == 1 && perms[3] == 's')
			printf("   [%s] maps: %s", who, line);
	}
	fclose(f);
}

/* Waits for a byte on a pipe: the other process finished a step. */
static void wait_for(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		exit(1);
}

/* Tells the other process a step is done. */
static void done(int fd)
{
	if (write(fd, "x", 1) != 1)
		exit(1);
}

int main(void)
{
	int id, status, to_child[2], to_parent[2];
	char *p, *q;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	id = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
	if (id < 0 || pipe(to_child) || pipe(to_parent)) {
		printf("shmdemo: shmget: %s\n", strerror(errno));
		return 1;
	}
	printf("1. The parent creates a %d KiB segment (id %d). No process "
	       "maps it yet.\n",
	       SIZE / 1024, id);
	stat_segment(id);

	printf("2. The parent attaches it, then forks: the child inherits "
	       "the attachment.\n");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		printf("shmdemo: shmat: %s\n", strerror(errno));
		return 1;
	}
	printf("   [parent] attached at %p\n", (void *)p);
	show_maps("parent");
	pid = fork();
	if (pid == 0) {
		printf("3. The child writes a message and 60 KiB of 'x'.\n");
		snprintf(p, SIZE, "hello from process %d", getpid());
		memset(p + 4096, 'x', SIZE - 4096);
		done(to_parent[1]);
		wait_for(to_child[0]);
		printf("5. The child reads the reply at once: \"%s\"\n",
		       p + 100);
		_exit(0);
	}
	wait_for(to_parent[0]);
	stat_segment(id);
	size_t xs = 0;

	for (size_t i = 4096; i < SIZE; i++)
		xs += p[i] == 'x';
	printf("4. While the child still runs, the parent reads \"%s\"\n"
	       "   and %zu of %d bytes of 'x': no copy was made, both map "
	       "the same frames.\n   The parent writes a reply.\n",
	       p, xs, SIZE - 4096);
	strcpy(p + 100, "hello from your parent");
	done(to_child[1]);
	waitpid(pid, &status, 0);

	printf("6. The child has exited. A second attachment in the parent "
	       "is an alias:\n");
	q = shmat(id, NULL, 0);
	if (q != (void *)-1) {
		strcpy(q, "written through the second address");
		printf("   [parent] at %p and %p; through the first: \"%s\"\n",
		       (void *)p, (void *)q, p);
		stat_segment(id);
		shmdt(q);
	}

	printf("7. IPC_RMID marks it for removal; it goes away at the last "
	       "detach.\n");
	shmctl(id, IPC_RMID, NULL);
	shmdt(p);
	if (shmat(id, NULL, 0) == (void *)-1)
		printf("   shmat now fails: %s\n", strerror(errno));
	return 0;
}
