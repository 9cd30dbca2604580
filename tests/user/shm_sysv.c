/*
 * tests/user/shm_sysv.c - System V shared memory between processes.
 *
 * A segment made with shmget is attached with shmat, possibly at several
 * addresses and in several processes: all of them reach the same pages.
 * The segment outlives its attachments until IPC_RMID, and IPC_RMID
 * takes effect when the last process detaches. shmctl(IPC_STAT) reports
 * the size and the number of attachments. Error returns are checked too.
 */
#include "utest.h"

#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

enum {
	SIZE = 3 * 4096 + 100
};

/* The number of attachments of a segment, or -1. */
static long nattch(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds))
		return -1;
	return (long)ds.shm_nattch;
}

/* Parent and child exchange data through one segment. */
static void test_two_processes(void)
{
	int id = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
	struct shmid_ds ds;
	unsigned char *p;
	int to_child[2], to_parent[2], status;
	pid_t pid;

	if (!ut_check(id >= 0, "shmget of %d bytes", SIZE))
		return;
	ut_check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == SIZE,
		 "IPC_STAT: shm_segsz is %d", SIZE);
	ut_check(nattch(id) == 0, "not attached yet: nattch %ld", nattch(id));
	p = shmat(id, NULL, 0);
	if (!ut_check(p != (void *)-1, "shmat"))
		return;
	ut_check(((uintptr_t)p & (UT_PAGE - 1)) == 0,
		 "the address is page aligned");
	ut_check(p[0] == 0 && p[SIZE - 1] == 0, "a new segment reads as zero");
	ut_check(nattch(id) == 1, "attached once: nattch %ld", nattch(id));
	if (pipe(to_child) || pipe(to_parent))
		return;
	pid = fork();
	if (pid == 0) {
		char c;
		/* The child inherits the attachment: it writes through it. */
		for (int i = 0; i < SIZE; i++)
			p[i] = (unsigned char)(i % 241);
		strcpy((char *)p, "written by the child");
		if (write(to_parent[1], "w", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(2);
		_exit(strcmp((char *)p + 100, "answer from the parent") ? 1
									: 0);
	}
	char c;

	if (read(to_parent[0], &c, 1) != 1)
		ut_check(false, "read from a pipe");
	ut_check(nattch(id) == 2, "after fork: nattch %ld", nattch(id));
	ut_check(!strcmp((char *)p, "written by the child"),
		 "the parent reads the child's string");
	int bad = 0;

	for (int i = 100 + 32; i < SIZE; i++)
		bad += p[i] != (unsigned char)(i % 241);
	ut_check(bad == 0,
		 "the parent sees the rest of the %d bytes the child wrote",
		 SIZE);
	strcpy((char *)p + 100, "answer from the parent");
	if (write(to_child[1], "a", 1) != 1)
		ut_check(false, "write to a pipe");
	status = ut_wait(pid);
	ut_check(ut_exited(status, 0), "the child read the parent's answer: %s",
		 ut_status(status));
	ut_check(nattch(id) == 1, "the child's exit detached it: nattch %ld",
		 nattch(id));

	/* A second attachment in the same process is an alias. */
	unsigned char *q = shmat(id, NULL, SHM_RDONLY);

	if (ut_check(q != (void *)-1 && q != p, "a second, read-only shmat")) {
		p[5000] = 0x5e;
		ut_check(q[5000] == 0x5e,
			 "a write through one address shows through the other");
		status = ut_probe_write((uintptr_t)q + 10);
		ut_check(ut_killed_by(status, SIGSEGV),
			 "writing through the read-only attachment: %s",
			 ut_status(status));
		/*
		 * It was opened for reading: it can never be made writable.
		 * (Whole attachments only: Linux never merges the pieces of
		 * a split one again, and each piece counts in nattch.)
		 */
		size_t whole = (SIZE + UT_PAGE - 1) & ~(size_t)(UT_PAGE - 1);

		errno = 0;
		ut_check(mprotect(q, whole, PROT_READ | PROT_WRITE) == -1 &&
				 errno == EACCES,
			 "mprotect PROT_WRITE on the read-only attachment: "
			 "EACCES");
		status = ut_probe_write((uintptr_t)q + 10);
		ut_check(ut_killed_by(status, SIGSEGV),
			 "writing through it is still %s", ut_status(status));
		ut_check(
			mprotect(q, whole, PROT_READ | PROT_EXEC) == 0 &&
				mprotect(q, whole, PROT_NONE) == 0 &&
				mprotect(q, whole, PROT_READ) == 0,
			"mprotect PROT_EXEC, PROT_NONE and PROT_READ on it work");
		ut_check(nattch(id) == 2, "two attachments: nattch %ld",
			 nattch(id));
		ut_check(shmdt(q) == 0, "shmdt of the second one");
	}

	/* IPC_RMID waits for the last detach; the memory stays usable. */
	ut_check(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID while attached");
	p[0] = 'x';
	ut_check(p[0] == 'x' && p[5000] == 0x5e,
		 "still usable after IPC_RMID until detached");
	ut_check(shmdt(p) == 0, "shmdt of the last attachment");
	ut_check(shmat(id, NULL, 0) == (void *)-1,
		 "shmat after IPC_RMID and the last detach fails");
	status = ut_probe_read((uintptr_t)p);
	ut_check(ut_killed_by(status, SIGSEGV), "the detached address: %s",
		 ut_status(status));
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/* A child attaches a segment the parent made; the parent attaches later. */
static void test_attach_after(void)
{
	int id = shmget(IPC_PRIVATE, UT_PAGE, IPC_CREAT | 0600);
	int status;
	pid_t pid;

	if (!ut_check(id >= 0, "shmget of one page"))
		return;
	pid = fork();
	if (pid == 0) {
		char *c = shmat(id, NULL, 0);

		if (c == (void *)-1)
			_exit(1);
		strcpy(c, "left behind by an exited child");
		_exit(shmdt(c) ? 2 : 0);
	}
	status = ut_wait(pid);
	ut_check(ut_exited(status, 0), "a child attached, wrote, detached: %s",
		 ut_status(status));
	char *p = shmat(id, NULL, 0);

	ut_check(p != (void *)-1 &&
			 !strcmp(p, "left behind by an exited child"),
		 "the segment kept the data with nobody attached");
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

/* Error returns. */
static void test_errors(void)
{
	int r, e;
	void *p;

	r = shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600);
	e = r < 0 ? errno : 0;
	ut_check(e == EINVAL, "shmget of size 0: %s", ut_errname(e));
	p = shmat(-1, NULL, 0);
	e = p == (void *)-1 ? errno : 0;
	ut_check(e == EINVAL, "shmat of id -1: %s", ut_errname(e));
	r = shmdt((void *)UT_PAGE);
	e = r ? errno : 0;
	ut_check(e == EINVAL, "shmdt of an address with no segment: %s",
		 ut_errname(e));
	r = shmctl(-1, IPC_RMID, NULL);
	e = r ? errno : 0;
	ut_check(e == EINVAL, "IPC_RMID of id -1: %s", ut_errname(e));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	test_two_processes();
	test_attach_after();
	test_errors();
	return ut_end();
}
