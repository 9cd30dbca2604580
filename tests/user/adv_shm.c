/*
 * tests/user/adv_shm.c - System V shared memory used as an attacker
 * would: sizes at the edges, attachments at unaligned and occupied
 * addresses, detaching what is not an attachment or only part of one,
 * segments removed while attached and then inherited by fork, read-only
 * attachments pushed to become writable, attachments moved by mremap and
 * cut by munmap, and a hundred attachments of one segment left to exit.
 *
 * Every errno and attach count is printed, so that Linux decides; the
 * data written through one attachment is checked through the others.
 */
#include "utest.h"

#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#define PG UT_PAGE

/* "ok" or the errno name of the last call's result r. */
static const char *err_of(long r)
{
	return r == -1 ? ut_errname(errno) : "ok";
}

/* shmat's result as "ok" or the errno name. */
static const char *at_err(void *p)
{
	return p == (void *)-1 ? ut_errname(errno) : "ok";
}

/* The attach count of a segment, or -1. */
static long nattch(int id)
{
	struct shmid_ds ds;
	return shmctl(id, IPC_STAT, &ds) ? -1 : (long)ds.shm_nattch;
}

static void sizes(void)
{
	int id = shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600);
	ut_fact("shmget of 0 bytes: %s", err_of(id));
	id = shmget(IPC_PRIVATE, 0xF0000000u, IPC_CREAT | 0600);
	ut_fact("shmget of 3.75 GiB: %s", err_of(id));
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	id = shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ut_check(id >= 0, "shmget of 1 byte");
	/* Over a PROT_NONE reservation, so that what follows is known. */
	char *res = mmap(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	char *p = shmat(id, res, SHM_REMAP);
	ut_check(p == res, "attached");
	p[PG - 1] = 9; /* the rest of the page is there */
	ut_fact("the byte past the page: %s",
		ut_probe_result(ut_probe_read((uintptr_t)(p + PG))));
	shmdt(p);
	munmap(res, 2 * PG);
	shmctl(id, IPC_RMID, NULL);
	ut_fact("shmget of key 1234 without IPC_CREAT: %s",
		err_of(shmget(1234, PG, 0600)));
}

static void addresses(void)
{
	int id = shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	/* A reservation with a hole of two pages at its second page. */
	char *res = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	munmap(res + PG, 2 * PG);
	ut_fact("shmat at an unaligned address: %s",
		at_err(shmat(id, res + PG + 100, 0)));
	char *p = shmat(id, res + PG + 100, SHM_RND);
	ut_check(p == res + PG, "SHM_RND rounds down to the page: %s",
		 at_err(p));
	if (p != (void *)-1)
		shmdt(p);
	ut_fact("shmat over a mapping without SHM_REMAP: %s",
		at_err(shmat(id, res + 4 * PG, 0)));
	p = shmat(id, res + 4 * PG, SHM_REMAP);
	ut_check(p == res + 4 * PG, "with SHM_REMAP it replaces it: %s",
		 at_err(p));
	ut_fact("shmdt of a plain mapping: %s", err_of(shmdt(res)));
	ut_fact("shmdt of the middle of an attachment: %s",
		err_of(shmdt(p + PG)));
	ut_fact("shmdt of an unaligned address: %s", err_of(shmdt(p + 1)));
	ut_fact("shmat of id -1: %s", at_err(shmat(-1, NULL, 0)));
	ut_fact("shmat of a removed id: %s", at_err(shmat(id + 0x10000, NULL, 0)));
	ut_fact("shmctl command 77: %s", err_of(shmctl(id, 77, NULL)));
	/*
	 * Through syscall(): glibc's shmctl would convert in user space. The
	 * direct call knows only the 64-bit layout: IPC_64 is EINVAL there.
	 */
	void *none = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ut_fact("IPC_STAT into PROT_NONE memory: %s",
		err_of(syscall(SYS_shmctl, id, IPC_STAT, none)));
	ut_fact("IPC_STAT | IPC_64 by the direct call: %s",
		err_of(syscall(SYS_shmctl, id, IPC_STAT | 0x100, none)));
	shmdt(p);
	munmap(res, 8 * PG);
	shmctl(id, IPC_RMID, NULL);
}

static void removed_while_attached(void)
{
	int id = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	volatile int *p = shmat(id, NULL, 0);
	p[0] = 1;
	ut_fact("IPC_RMID while attached: %s", err_of(shmctl(id, IPC_RMID, 0)));
	ut_fact("the attach count after IPC_RMID: %ld", nattch(id));
	ut_fact("a second IPC_RMID: %s", err_of(shmctl(id, IPC_RMID, 0)));
	void *again = shmat(id, NULL, 0);
	ut_fact("shmat of it now: %s", at_err(again));
	if (again != (void *)-1)
		shmdt(again);
	pid_t pid = fork();
	if (pid == 0) {
		p[0] = 2; /* the child's attachment is the same memory */
		_exit(nattch(id) == 2 ? 0 : 1);
	}
	int st = ut_wait(pid);
	ut_check(ut_exited(st, 0) && p[0] == 2,
		 "a forked child shares the removed segment: %s",
		 ut_status(st));
	ut_fact("the attach count after the child: %ld", nattch(id));
	shmdt((void *)p);
	ut_fact("IPC_STAT after the last shmdt: %s",
		nattch(id) < 0 ? ut_errname(errno) : "still there");
}

static void read_only(void)
{
	int id = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	char *w = shmat(id, NULL, 0), *r = shmat(id, NULL, SHM_RDONLY);
	w[0] = 'x';
	ut_check(r[0] == 'x', "a read-only attachment sees the writes");
	ut_fact("a write through it: %s",
		ut_probe_result(ut_probe_write((uintptr_t)r)));
	ut_fact("mprotect it writable: %s",
		err_of(mprotect(r, PG, PROT_READ | PROT_WRITE)));
	ut_fact("mprotect it executable: %s",
		err_of(mprotect(r, PG, PROT_READ | PROT_EXEC)));
	ut_fact("mprotect it to nothing and back: %s",
		err_of(mprotect(r, PG, PROT_NONE) ||
			       mprotect(r, PG, PROT_READ)
		       ? -1
		       : 0));
	ut_fact("a write through it after that: %s",
		ut_probe_result(ut_probe_write((uintptr_t)r)));
	shmdt(r);
	shmdt(w);
	shmctl(id, IPC_RMID, NULL);
}

static void moved_and_cut(void)
{
	int id = shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *p = shmat(id, NULL, 0);
	memset(p, 'a', 4 * PG);
	p[3 * PG] = 'd';
	long r = syscall(SYS_mremap, p, 4 * PG, 4 * PG,
			 MREMAP_MAYMOVE | MREMAP_FIXED, p + 64 * PG);
	ut_fact("mremap of an attachment to a new place: %s", err_of(r));
	char *q = r == -1 ? p : (char *)r;
	ut_check(q[3 * PG] == 'd', "its data is there");
	ut_fact("the attach count: %ld", nattch(id));
	ut_fact("munmap of its second page: %s", err_of(munmap(q + PG, PG)));
	ut_fact("the attach count after the cut: %ld", nattch(id));
	ut_fact("shmdt at its start: %s", err_of(shmdt(q)));
	ut_fact("its last page after shmdt: %s",
		ut_probe_result(ut_probe_read((uintptr_t)(q + 3 * PG))));
	ut_fact("the attach count after shmdt: %ld", nattch(id));
	shmctl(id, IPC_RMID, NULL);
}

/* A child attaches a segment a hundred times and exits. */
static int attach_many(void *arg)
{
	int id = (int)(intptr_t)arg;
	for (int i = 0; i < 100; i++)
		if (shmat(id, NULL, i % 2 ? SHM_RDONLY : 0) == (void *)-1)
			return 1;
	return nattch(id) == 100 ? 0 : 2;
}

static void many(void)
{
	int id = shmget(IPC_PRIVATE, 3 * PG, IPC_CREAT | 0600);
	int st = ut_in_child(attach_many, (void *)(intptr_t)id);
	ut_check(ut_exited(st, 0), "a child attaches 100 times: %s",
		 ut_status(st));
	ut_check(nattch(id) == 0, "its exit detaches them all");
	shmctl(id, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	sizes();
	addresses();
	removed_while_attached();
	read_only();
	moved_and_cut();
	many();
	return ut_end();
}
