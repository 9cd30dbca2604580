/*
 * kernel/proc/sys_cred.c - the user and group id system calls, and what
 * the rest of the kernel asks about a process's credentials.
 *
 * i386 has each call twice: the old one with 16-bit ids (getuid 24,
 * setuid 23, ...), where 0xFFFF stands for -1 and an id above 65535 is
 * reported as 65534 (Linux's overflowuid), and the *32 one (getuid32 199,
 * setuid32 213, ...) that glibc uses. The numbers are Linux's
 * (arch/x86/entry/syscalls/syscall_32.tbl); the rules are in
 * kernel/proc/cred.c.
 *
 * Credentials belong to a thread, as on Linux: setuid(2) in one thread
 * changes that thread only, and glibc makes the others follow by sending
 * each a signal (SIGSETXID, 33) whose handler calls setuid too. Pagoda
 * does not need to know.
 *
 * After a change of the effective or file-system ids the process becomes
 * "not dumpable" (commit_creds sets dumpable to suid_dumpable, 0): only
 * root may then read its memory through /proc, and its /proc/PID files
 * belong to root. The next execve of a program makes it dumpable again
 * when the real and effective ids are equal and the program is readable.
 */
#include "kernel/proc/cred.h"

#include "fs/file.h"
#include "fs/initramfs.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"

/* The leader keeps the dumpable state (Linux keeps it in the mm). */
static struct proc *leader_of(struct proc *p)
{
	return p->group_leader ? p->group_leader : p;
}

bool proc_dumpable(const struct proc *p)
{
	return !leader_of((struct proc *)p)->nondumpable;
}

/* --- RLIMIT_NPROC --------------------------------------------------------- */

struct nproc_count {
	uint32_t uid;
	const struct proc *skip;
	uint64_t n;
};

static void count_user(struct proc *p, void *arg)
{
	struct nproc_count *c = arg;
	/* A thread that ended is gone; a zombie process counts until reaped. */
	if (p->pid <= 0 || p == c->skip || p->cred.uid != c->uid ||
	    (p->thread_reap && p->state == PROC_ZOMBIE))
		return;
	c->n++;
}

/* Tasks (threads included) whose real uid is uid, but skip. */
static uint64_t nproc_of(uint32_t uid, const struct proc *skip)
{
	struct nproc_count c = { uid, skip, 0 };
	proc_for_each(count_user, &c);
	return c.n;
}

int cred_fork_check(const struct proc *parent)
{
	const struct cred *c = &parent->cred;
	/* Root (real uid 0) and privileged callers are not limited. */
	if (c->uid == 0 || cred_privileged(c))
		return 0;
	if (nproc_of(c->uid, NULL) >= parent->rlim[RLIMIT_NPROC].cur)
		return -EAGAIN;
	return 0;
}

int cred_exec_check(struct proc *p)
{
	if (p->nproc_exceeded && p->cred.uid != 0 &&
	    nproc_of(p->cred.uid, NULL) > p->rlim[RLIMIT_NPROC].cur)
		return -EAGAIN;
	p->nproc_exceeded = false;
	return 0;
}

void cred_exec_done(struct proc *p, const struct inode *file)
{
	struct cred *c = &p->cred;
	cred_exec(c);
	bool readable = cred_permission(c, file->mode, file->uid, file->gid,
					MAY_READ) == 0;
	leader_of(p)->nondumpable =
		!(c->euid == c->uid && c->egid == c->gid && readable);
}

/* Stores a successful change made on a copy of the caller's credentials. */
static void commit(const struct cred *n)
{
	struct proc *p = current;
	const struct cred *o = &p->cred;

	if (n->euid != o->euid || n->egid != o->egid || n->fsuid != o->fsuid ||
	    n->fsgid != o->fsgid)
		leader_of(p)->nondumpable = true;
	/* Linux's flag_nproc_exceeded, when the real uid changes. */
	if (n->uid != o->uid)
		p->nproc_exceeded = n->uid != 0 &&
				    nproc_of(n->uid, p) >
					    p->rlim[RLIMIT_NPROC].cur;
	p->cred = *n;
}

/* --- 16-bit ids ----------------------------------------------------------- */

static uint32_t low2high(uint32_t id)
{
	id &= 0xFFFF;
	return id == 0xFFFF ? CRED_ID_NONE : id;
}

static uint16_t high2low(uint32_t id)
{
	return id > 0xFFFF ? (uint16_t)CRED_OVERFLOW_ID : (uint16_t)id;
}

/* --- get ------------------------------------------------------------------ */

static int32_t sys_getuid32(const struct syscall_args *a)
{
	(void)a;
	return (int32_t)current->cred.uid;
}
SYSCALL(199, getuid32, sys_getuid32);

static int32_t sys_geteuid32(const struct syscall_args *a)
{
	(void)a;
	return (int32_t)current->cred.euid;
}
SYSCALL(201, geteuid32, sys_geteuid32);

static int32_t sys_getgid32(const struct syscall_args *a)
{
	(void)a;
	return (int32_t)current->cred.gid;
}
SYSCALL(200, getgid32, sys_getgid32);

static int32_t sys_getegid32(const struct syscall_args *a)
{
	(void)a;
	return (int32_t)current->cred.egid;
}
SYSCALL(202, getegid32, sys_getegid32);

static int32_t sys_getuid(const struct syscall_args *a)
{
	(void)a;
	return high2low(current->cred.uid);
}
SYSCALL(24, getuid, sys_getuid);

static int32_t sys_geteuid(const struct syscall_args *a)
{
	(void)a;
	return high2low(current->cred.euid);
}
SYSCALL(49, geteuid, sys_geteuid);

static int32_t sys_getgid(const struct syscall_args *a)
{
	(void)a;
	return high2low(current->cred.gid);
}
SYSCALL(47, getgid, sys_getgid);

static int32_t sys_getegid(const struct syscall_args *a)
{
	(void)a;
	return high2low(current->cred.egid);
}
SYSCALL(50, getegid, sys_getegid);

/* getres[ug]id: three words, each written separately (-EFAULT per word). */
static int put_three(const struct syscall_args *a, uint32_t r, uint32_t e,
		     uint32_t s, bool wide)
{
	uint32_t v[3] = { r, e, s };
	for (int i = 0; i < 3; i++) {
		int err;
		if (wide) {
			err = copy_to_user((void *)a->arg[i], &v[i], 4);
		} else {
			uint16_t w = high2low(v[i]);
			err = copy_to_user((void *)a->arg[i], &w, 2);
		}
		if (err)
			return -EFAULT;
	}
	return 0;
}

static int32_t sys_getresuid32(const struct syscall_args *a)
{
	const struct cred *c = &current->cred;
	return put_three(a, c->uid, c->euid, c->suid, true);
}
SYSCALL(209, getresuid32, sys_getresuid32);

static int32_t sys_getresgid32(const struct syscall_args *a)
{
	const struct cred *c = &current->cred;
	return put_three(a, c->gid, c->egid, c->sgid, true);
}
SYSCALL(211, getresgid32, sys_getresgid32);

static int32_t sys_getresuid(const struct syscall_args *a)
{
	const struct cred *c = &current->cred;
	return put_three(a, c->uid, c->euid, c->suid, false);
}
SYSCALL(165, getresuid, sys_getresuid);

static int32_t sys_getresgid(const struct syscall_args *a)
{
	const struct cred *c = &current->cred;
	return put_three(a, c->gid, c->egid, c->sgid, false);
}
SYSCALL(171, getresgid, sys_getresgid);

/* getgroups(size, list): the count with size 0, else -EINVAL if it does
 * not fit. */
static int do_getgroups(int32_t size, uint32_t ulist, bool wide)
{
	const struct cred *c = &current->cred;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return (int)c->ngroups;
	if ((uint32_t)size < c->ngroups)
		return -EINVAL;
	for (uint32_t i = 0; i < c->ngroups; i++) {
		int err;
		if (wide) {
			err = copy_to_user((void *)(ulist + 4 * i),
					   &c->groups[i], 4);
		} else {
			uint16_t w = high2low(c->groups[i]);
			err = copy_to_user((void *)(ulist + 2 * i), &w, 2);
		}
		if (err)
			return -EFAULT;
	}
	return (int)c->ngroups;
}

static int32_t sys_getgroups32(const struct syscall_args *a)
{
	return do_getgroups((int32_t)a->arg[0], a->arg[1], true);
}
SYSCALL(205, getgroups32, sys_getgroups32);

static int32_t sys_getgroups(const struct syscall_args *a)
{
	return do_getgroups((int32_t)a->arg[0], a->arg[1], false);
}
SYSCALL(80, getgroups, sys_getgroups);

/* --- set ------------------------------------------------------------------ */

/*
 * Which set*id call: each takes up to three ids. The 16-bit entries
 * convert their arguments and share the code of the 32-bit ones.
 */
enum set_kind {
	SET_UID,
	SET_GID,
	SET_REUID,
	SET_REGID,
	SET_RESUID,
	SET_RESGID
};

static int do_set(enum set_kind k, uint32_t x, uint32_t y, uint32_t z)
{
	struct cred n = current->cred;
	int err;

	switch (k) {
	case SET_UID:
		err = cred_setuid(&n, x);
		break;
	case SET_GID:
		err = cred_setgid(&n, x);
		break;
	case SET_REUID:
		err = cred_setreuid(&n, x, y);
		break;
	case SET_REGID:
		err = cred_setregid(&n, x, y);
		break;
	case SET_RESUID:
		err = cred_setresuid(&n, x, y, z);
		break;
	default:
		err = cred_setresgid(&n, x, y, z);
		break;
	}
	if (!err)
		commit(&n);
	return err;
}

static int32_t sys_setuid32(const struct syscall_args *a)
{
	return do_set(SET_UID, a->arg[0], 0, 0);
}
SYSCALL(213, setuid32, sys_setuid32);

static int32_t sys_setgid32(const struct syscall_args *a)
{
	return do_set(SET_GID, a->arg[0], 0, 0);
}
SYSCALL(214, setgid32, sys_setgid32);

static int32_t sys_setreuid32(const struct syscall_args *a)
{
	return do_set(SET_REUID, a->arg[0], a->arg[1], 0);
}
SYSCALL(203, setreuid32, sys_setreuid32);

static int32_t sys_setregid32(const struct syscall_args *a)
{
	return do_set(SET_REGID, a->arg[0], a->arg[1], 0);
}
SYSCALL(204, setregid32, sys_setregid32);

static int32_t sys_setresuid32(const struct syscall_args *a)
{
	return do_set(SET_RESUID, a->arg[0], a->arg[1], a->arg[2]);
}
SYSCALL(208, setresuid32, sys_setresuid32);

static int32_t sys_setresgid32(const struct syscall_args *a)
{
	return do_set(SET_RESGID, a->arg[0], a->arg[1], a->arg[2]);
}
SYSCALL(210, setresgid32, sys_setresgid32);

static int32_t sys_setuid(const struct syscall_args *a)
{
	return do_set(SET_UID, low2high(a->arg[0]), 0, 0);
}
SYSCALL(23, setuid, sys_setuid);

static int32_t sys_setgid(const struct syscall_args *a)
{
	return do_set(SET_GID, low2high(a->arg[0]), 0, 0);
}
SYSCALL(46, setgid, sys_setgid);

static int32_t sys_setreuid(const struct syscall_args *a)
{
	return do_set(SET_REUID, low2high(a->arg[0]), low2high(a->arg[1]), 0);
}
SYSCALL(70, setreuid, sys_setreuid);

static int32_t sys_setregid(const struct syscall_args *a)
{
	return do_set(SET_REGID, low2high(a->arg[0]), low2high(a->arg[1]), 0);
}
SYSCALL(71, setregid, sys_setregid);

static int32_t sys_setresuid(const struct syscall_args *a)
{
	return do_set(SET_RESUID, low2high(a->arg[0]), low2high(a->arg[1]),
		      low2high(a->arg[2]));
}
SYSCALL(164, setresuid, sys_setresuid);

static int32_t sys_setresgid(const struct syscall_args *a)
{
	return do_set(SET_RESGID, low2high(a->arg[0]), low2high(a->arg[1]),
		      low2high(a->arg[2]));
}
SYSCALL(170, setresgid, sys_setresgid);

/* setfsuid/setfsgid return the old id whatever happens. */
static int32_t do_setfs(uint32_t id, bool user)
{
	struct cred n = current->cred;
	uint32_t old = user ? cred_setfsuid(&n, id) : cred_setfsgid(&n, id);
	commit(&n);
	return (int32_t)old;
}

static int32_t sys_setfsuid32(const struct syscall_args *a)
{
	return do_setfs(a->arg[0], true);
}
SYSCALL(215, setfsuid32, sys_setfsuid32);

static int32_t sys_setfsgid32(const struct syscall_args *a)
{
	return do_setfs(a->arg[0], false);
}
SYSCALL(216, setfsgid32, sys_setfsgid32);

static int32_t sys_setfsuid(const struct syscall_args *a)
{
	return do_setfs(low2high(a->arg[0]), true);
}
SYSCALL(138, setfsuid, sys_setfsuid);

static int32_t sys_setfsgid(const struct syscall_args *a)
{
	return do_setfs(low2high(a->arg[0]), false);
}
SYSCALL(139, setfsgid, sys_setfsgid);

/* setgroups(size, list): Linux checks the privilege, then the size. */
static int do_setgroups(int32_t size, uint32_t ulist, bool wide)
{
	uint32_t g[CRED_NGROUPS_MAX];
	struct cred n = current->cred;

	if (!cred_privileged(&n))
		return -EPERM;
	if (size < 0 || size > CRED_NGROUPS_MAX)
		return -EINVAL;
	for (int32_t i = 0; i < size; i++) {
		if (wide) {
			if (copy_from_user(&g[i], (void *)(ulist + 4 * i), 4))
				return -EFAULT;
		} else {
			uint16_t w;
			if (copy_from_user(&w, (void *)(ulist + 2 * i), 2))
				return -EFAULT;
			g[i] = low2high(w);
		}
	}
	int err = cred_setgroups(&n, g, (uint32_t)size);
	if (!err)
		commit(&n);
	return err;
}

static int32_t sys_setgroups32(const struct syscall_args *a)
{
	return do_setgroups((int32_t)a->arg[0], a->arg[1], true);
}
SYSCALL(206, setgroups32, sys_setgroups32);

static int32_t sys_setgroups(const struct syscall_args *a)
{
	return do_setgroups((int32_t)a->arg[0], a->arg[1], false);
}
SYSCALL(81, setgroups, sys_setgroups);
