/*
 * kernel/fs/fd.c - file descriptor tables and the current directory.
 *
 * A process's descriptors are the slots of p->files[]; a slot holds one
 * reference to its struct file. Bit fd of p->cloexec is the descriptor's
 * FD_CLOEXEC flag, which belongs to the descriptor and not to the file, so
 * dup() clears it and fork() copies it.
 *
 * Invariants: a NULL slot has its cloexec bit clear; a file's refcount is
 * the number of slots, in all processes, that point to it (plus any
 * reference a system call holds for the duration of the call).
 *
 * The current directory is kept here too, as a canonical absolute path.
 * Most processes never leave "/", so only those that did have an entry in
 * a small list keyed by PID; fork copies the entry and exit drops it.
 */
#include "kernel/fs/file.h"

#include "kernel/proc/proc.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/string.h"
#include "mm/slab.h"

STATIC_ASSERT(FD_MAX <= 64, "p->cloexec has one bit per descriptor");

int fd_limit(const struct proc *p)
{
	uint64_t cur = p->rlim[RLIMIT_NOFILE].cur;
	return cur < FD_MAX ? (int)cur : FD_MAX;
}

int fd_alloc(struct proc *p, struct file *f, int min, bool cloexec)
{
	if (min < 0)
		min = 0;
	for (int fd = min; fd < fd_limit(p); fd++) {
		if (!p->files[fd]) {
			p->files[fd] = f;
			fd_set_cloexec(p, fd, cloexec);
			return fd;
		}
	}
	return -EMFILE;
}

struct file *fd_get(struct proc *p, int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	return p->files[fd];
}

int fd_close(struct proc *p, int fd)
{
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	p->files[fd] = NULL;
	fd_set_cloexec(p, fd, false);
	file_put(f);
	return 0;
}

int fd_install_at(struct proc *p, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	struct file *old = p->files[fd];
	p->files[fd] = f;
	fd_set_cloexec(p, fd, cloexec);
	/* Drop the old file last: its release must not see a stale slot. */
	if (old)
		file_put(old);
	return fd;
}

bool fd_get_cloexec(const struct proc *p, int fd)
{
	return (p->cloexec >> fd) & 1;
}

void fd_set_cloexec(struct proc *p, int fd, bool on)
{
	KASSERT(fd >= 0 && fd < FD_MAX);
	if (on)
		p->cloexec |= 1ull << fd;
	else
		p->cloexec &= ~(1ull << fd);
}

/* A process whose current directory is not "/". */
struct cwd_entry {
	int pid;
	struct list_node node; /* in cwd_list */
	char path[];	       /* canonical, absolute */
};

static list_head_t cwd_list = LIST_HEAD_INIT(cwd_list);

/* The entry of p, or NULL when p is in "/". */
static struct cwd_entry *cwd_find(const struct proc *p)
{
	struct list_node *n;
	list_for_each(n, &cwd_list) {
		struct cwd_entry *e = list_entry(n, struct cwd_entry, node);
		if (e->pid == p->pid)
			return e;
	}
	return NULL;
}

/* Drops p's entry, if it has one. */
static void cwd_forget(const struct proc *p)
{
	struct cwd_entry *e = cwd_find(p);
	if (e) {
		list_remove(&e->node);
		kfree(e);
	}
}

const char *fs_cwd(const struct proc *p)
{
	struct cwd_entry *e = p ? cwd_find(p) : NULL;
	return e ? e->path : "/";
}

int fs_set_cwd(struct proc *p, const char *path)
{
	KASSERT(path[0] == '/');
	if (!strcmp(path, "/")) {
		cwd_forget(p);
		return 0;
	}
	size_t len = strlen(path);
	struct cwd_entry *e = kmalloc(sizeof(*e) + len + 1, 0);
	if (!e)
		return -ENOMEM;
	e->pid = p->pid;
	memcpy(e->path, path, len + 1);
	/* Allocate first so that a failure leaves the old directory. */
	cwd_forget(p);
	list_push_back(&cwd_list, &e->node);
	return 0;
}

int files_fork(struct proc *parent, struct proc *child)
{
	int err = fs_set_cwd(child, fs_cwd(parent));
	if (err)
		return err;
	for (int fd = 0; fd < FD_MAX; fd++) {
		child->files[fd] = parent->files[fd];
		if (child->files[fd])
			file_get(child->files[fd]);
	}
	child->cloexec = parent->cloexec;
	return 0;
}

void files_close_all(struct proc *p)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		if (p->files[fd])
			fd_close(p, fd);
	KASSERT(p->cloexec == 0);
	cwd_forget(p);
}

void files_exec(struct proc *p)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		if (p->files[fd] && fd_get_cloexec(p, fd))
			fd_close(p, fd);
	KASSERT(p->cloexec == 0);
}

int files_init_console(struct proc *p)
{
	struct file *f;
	int err = devfs_open_console(&f);
	if (err)
		return err;
	/* One description for all three, as a login shell's terminal. */
	for (int fd = 0; fd <= 2; fd++) {
		if (fd > 0)
			file_get(f);
		fd_install_at(p, fd, f, false);
	}
	return 0;
}
