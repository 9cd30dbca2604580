/*
 * fs/fd.c - file descriptor tables and the current directory.
 *
 * A process's descriptors are the slots of its table, p->fdt->files[]; a
 * slot holds one reference to its struct file. Bit fd of p->fdt->cloexec
 * is the descriptor's FD_CLOEXEC flag, which belongs to the descriptor and
 * not to the file, so dup() clears it and fork() copies it. Threads made
 * with CLONE_FILES share one table (fdt->users counts them); the last one
 * to exit closes its descriptors, and execve gives a shared table up for a
 * copy of its own first, as Linux's unshare_files does.
 *
 * Invariants: a NULL slot has its cloexec bit clear; a file's refcount is
 * the number of slots, in all processes, that point to it (plus any
 * reference a system call holds for the duration of the call).
 *
 * The current directory is kept here too, as a canonical absolute path.
 * Most processes never leave "/", so only those that did have an entry in
 * a small list keyed by the process's fs_id; fork copies the entry and
 * exit drops it. Threads made with CLONE_FS share their parent's fs_id,
 * and so its directory; the entry goes with the last of them.
 */
#include "fs/file.h"

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
		if (!p->fdt->files[fd]) {
			p->fdt->files[fd] = f;
			fd_set_cloexec(p, fd, cloexec);
			return fd;
		}
	}
	return -EMFILE;
}

struct file *fd_get(struct proc *p, int fd)
{
	if (fd < 0 || fd >= FD_MAX || !p->fdt)
		return NULL;
	return p->fdt->files[fd];
}

int fd_close(struct proc *p, int fd)
{
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	p->fdt->files[fd] = NULL;
	fd_set_cloexec(p, fd, false);
	file_put(f);
	return 0;
}

int fd_install_at(struct proc *p, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	struct file *old = p->fdt->files[fd];
	p->fdt->files[fd] = f;
	fd_set_cloexec(p, fd, cloexec);
	/* Drop the old file last: its release must not see a stale slot. */
	if (old)
		file_put(old);
	return fd;
}

bool fd_get_cloexec(const struct proc *p, int fd)
{
	return (p->fdt->cloexec >> fd) & 1;
}

void fd_set_cloexec(struct proc *p, int fd, bool on)
{
	KASSERT(fd >= 0 && fd < FD_MAX);
	if (on)
		p->fdt->cloexec |= 1ull << fd;
	else
		p->fdt->cloexec &= ~(1ull << fd);
}

/* A process whose current directory is not "/". */
struct cwd_entry {
	uint32_t fs_id;	       /* of the processes sharing it */
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
		if (e->fs_id == p->fs_id)
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
	e->fs_id = p->fs_id;
	memcpy(e->path, path, len + 1);
	/* Allocate first so that a failure leaves the old directory. */
	cwd_forget(p);
	list_push_back(&cwd_list, &e->node);
	return 0;
}

int files_alloc(struct proc *p)
{
	KASSERT(!p->fdt);
	p->fdt = kzalloc(sizeof(*p->fdt), GFP_KERNEL);
	if (!p->fdt)
		return -ENOMEM;
	p->fdt->users = 1;
	return 0;
}

/* Gives p a table of its own holding the same files as src. */
static int fdt_copy(struct proc *p, const struct fdtable *src)
{
	struct fdtable *t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->users = 1;
	for (int fd = 0; fd < FD_MAX; fd++) {
		t->files[fd] = src->files[fd];
		if (t->files[fd])
			file_get(t->files[fd]);
	}
	t->cloexec = src->cloexec;
	p->fdt = t;
	return 0;
}

int files_fork(struct proc *parent, struct proc *child, uint32_t share)
{
	int err;

	if (share & FILES_SHARE_FS)
		child->fs_id = parent->fs_id;
	else if ((err = fs_set_cwd(child, fs_cwd(parent))))
		return err;
	if (share & FILES_SHARE_TABLE) {
		child->fdt = parent->fdt;
		child->fdt->users++;
		return 0;
	}
	err = fdt_copy(child, parent->fdt);
	if (err && !(share & FILES_SHARE_FS))
		cwd_forget(child);
	return err;
}

/* Whether a process other than p still uses p's directory entry. */
struct fs_user_search {
	const struct proc *p;
	bool found;
};

static void fs_user_check(struct proc *q, void *ctx)
{
	struct fs_user_search *s = ctx;
	if (q != s->p && q->fs_id == s->p->fs_id && q->state != PROC_ZOMBIE)
		s->found = true;
}

void files_close_all(struct proc *p)
{
	struct fdtable *t = p->fdt;

	if (t && --t->users == 0) {
		for (int fd = 0; fd < FD_MAX; fd++)
			if (t->files[fd])
				fd_close(p, fd);
		KASSERT(t->cloexec == 0);
		kfree(t);
	}
	p->fdt = NULL;
	struct fs_user_search s = { p, false };
	proc_for_each(fs_user_check, &s);
	if (!s.found)
		cwd_forget(p);
}

int files_exec(struct proc *p)
{
	if (p->fdt->users > 1) {
		struct fdtable *shared = p->fdt;
		int err = fdt_copy(p, shared);
		if (err)
			return err;
		shared->users--;
	}
	for (int fd = 0; fd < FD_MAX; fd++)
		if (p->fdt->files[fd] && fd_get_cloexec(p, fd))
			fd_close(p, fd);
	KASSERT(p->fdt->cloexec == 0);
	return 0;
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
