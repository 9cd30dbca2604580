/*
 * fs/sys_namei.c - system calls that change the name space or a file's
 * attributes: mkdir, rmdir, unlink, rename (and their *at forms), creat,
 * truncate and ftruncate, fsync and fdatasync, fallocate, chmod and
 * utimensat; umask, the permission bits new files and directories never
 * get (applied by open's O_CREAT and mkdir, as Linux's VFS does).
 *
 * Each call resolves the directory that holds the last component, then
 * asks that directory's file system (struct fs_ops). Only tmpfs (/tmp,
 * /dev/shm) has these operations; the other file systems answer -EROFS
 * (initramfs, devfs) or -EPERM (procfs). The errors and their order
 * follow Linux's fs/namei.c, fs/open.c and fs/sync.c.
 */
#include "fs/file.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/time.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"

/* unlinkat flag (include/uapi/linux/fcntl.h). */
#define AT_REMOVEDIR 0x200
/* renameat2 flags (include/uapi/linux/fs.h). */
#define RENAME_NOREPLACE 1u
#define RENAME_EXCHANGE 2u
#define RENAME_WHITEOUT 4u
/* utimensat special nanoseconds (include/uapi/linux/stat.h). */
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

/* The parent directory of a path and its last component. */
struct parent {
	struct vnode dir;
	char name[NAME_MAX + 1];
	size_t len;
	bool slash; /* the path ended in '/': it must name a directory */
	bool dots;  /* the last component is "." or ".." */
	bool root;  /* the path is "/" (no last component) */
};

/*
 * Resolves all but the last component of the user path upath, from
 * dirfd. Returns 0 and fills *p, or the error of reading or walking it.
 */
static int lookup_parent(int dirfd, uint32_t upath, struct parent *p)
{
	char *path;
	const char *base;
	int err = user_path(upath, &path);
	if (err)
		return err;
	*p = (struct parent){ 0 };
	size_t len = strlen(path);
	if (len == 0) {
		err = -ENOENT;
		goto out;
	}
	while (len > 1 && path[len - 1] == '/') {
		path[--len] = '\0';
		p->slash = true;
	}
	size_t cut = len;
	while (cut > 0 && path[cut - 1] != '/')
		cut--;
	p->len = len - cut;
	if (p->len == 0) {
		p->root = true; /* "/" */
		namei_root(&p->dir);
		goto out;
	}
	if (p->len > NAME_MAX) {
		err = -ENAMETOOLONG;
		goto out;
	}
	memcpy(p->name, path + cut, p->len);
	p->name[p->len] = '\0';
	p->dots = !strcmp(p->name, ".") || !strcmp(p->name, "..");
	err = at_base(dirfd, path, &base);
	if (err)
		goto out;
	if (cut == 0)
		strlcpy(path, ".", PATH_MAX);
	else
		path[cut] = '\0';
	err = namei(base, path, NAMEI_FOLLOW | NAMEI_DIR, &p->dir, NULL, 0);
out:
	kfree(path);
	return err;
}

/* The error for an operation a file system does not have. */
static int no_op_error(const struct vnode *dir)
{
	return dir->fs->read_only ? -EROFS : -EPERM;
}

/* Looks up the last component; 0 and *out, or -ENOENT. */
static int lookup_last(struct parent *p, struct vnode *out)
{
	return p->dir.fs->lookup(&p->dir, p->name, p->len, out);
}

static int do_mkdirat(int dirfd, uint32_t upath, uint32_t mode)
{
	struct parent p;
	struct vnode v;
	int err = lookup_parent(dirfd, upath, &p);
	if (err)
		return err;
	if (p.root || p.dots || lookup_last(&p, &v) == 0)
		return -EEXIST;
	if (!p.dir.fs->mkdir)
		return no_op_error(&p.dir);
	return p.dir.fs->mkdir(&p.dir, p.name, p.len,
			       mode & 07777 & ~current->umask);
}

static int32_t sys_mkdir(const struct syscall_args *a)
{
	return do_mkdirat(AT_FDCWD, a->arg[0], a->arg[1]);
}
SYSCALL(39, mkdir, sys_mkdir);

static int32_t sys_mkdirat(const struct syscall_args *a)
{
	return do_mkdirat((int)a->arg[0], a->arg[1], a->arg[2]);
}
SYSCALL(296, mkdirat, sys_mkdirat);

static int do_rmdirat(int dirfd, uint32_t upath)
{
	struct parent p;
	int err = lookup_parent(dirfd, upath, &p);
	if (err)
		return err;
	if (p.root)
		return -EBUSY;
	if (p.dots)
		return p.len == 1 ? -EINVAL : -ENOTEMPTY;
	if (!p.dir.fs->rmdir)
		return no_op_error(&p.dir);
	return p.dir.fs->rmdir(&p.dir, p.name, p.len);
}

static int32_t sys_rmdir(const struct syscall_args *a)
{
	return do_rmdirat(AT_FDCWD, a->arg[0]);
}
SYSCALL(40, rmdir, sys_rmdir);

static int do_unlinkat(int dirfd, uint32_t upath)
{
	struct parent p;
	struct vnode v;
	int err = lookup_parent(dirfd, upath, &p);
	if (err)
		return err;
	if (p.root || p.dots)
		return -EISDIR;
	if (!p.dir.fs->unlink)
		return no_op_error(&p.dir);
	err = lookup_last(&p, &v);
	if (err)
		return err;
	if (p.slash && !s_isdir(v.mode))
		return -ENOTDIR;
	return p.dir.fs->unlink(&p.dir, p.name, p.len);
}

static int32_t sys_unlink(const struct syscall_args *a)
{
	return do_unlinkat(AT_FDCWD, a->arg[0]);
}
SYSCALL(10, unlink, sys_unlink);

static int32_t sys_unlinkat(const struct syscall_args *a)
{
	uint32_t flags = a->arg[2];
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if (flags & AT_REMOVEDIR)
		return do_rmdirat((int)a->arg[0], a->arg[1]);
	return do_unlinkat((int)a->arg[0], a->arg[1]);
}
SYSCALL(301, unlinkat, sys_unlinkat);

static int do_renameat2(int odirfd, uint32_t oldpath, int ndirfd,
			uint32_t newpath, uint32_t flags)
{
	struct parent *o = kmalloc(2 * sizeof(*o), 0);
	if (!o)
		return -ENOMEM;
	struct parent *n = o + 1;
	struct vnode ov, nv;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) {
		err = -EINVAL;
		goto out;
	}
	/* Exchanging and whiteouts are not kept: Linux's tmpfs has them. */
	if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)) {
		err = (flags & RENAME_NOREPLACE) ? -EINVAL : -EOPNOTSUPP;
		goto out;
	}
	err = lookup_parent(odirfd, oldpath, o);
	if (err == 0)
		err = lookup_parent(ndirfd, newpath, n);
	if (err)
		goto out;
	if (o->root || o->dots || n->root || n->dots) {
		err = -EBUSY;
		goto out;
	}
	if (o->dir.fs != n->dir.fs) {
		err = -EXDEV;
		goto out;
	}
	if (!o->dir.fs->rename) {
		err = no_op_error(&o->dir);
		goto out;
	}
	err = lookup_last(o, &ov);
	if (err)
		goto out;
	if ((o->slash || n->slash) && !s_isdir(ov.mode)) {
		err = -ENOTDIR;
		goto out;
	}
	if ((flags & RENAME_NOREPLACE) && lookup_last(n, &nv) == 0) {
		err = -EEXIST;
		goto out;
	}
	err = o->dir.fs->rename(&o->dir, o->name, o->len, &n->dir, n->name,
				n->len, flags & RENAME_NOREPLACE);
out:
	kfree(o);
	return err;
}

static int32_t sys_rename(const struct syscall_args *a)
{
	return do_renameat2(AT_FDCWD, a->arg[0], AT_FDCWD, a->arg[1], 0);
}
SYSCALL(38, rename, sys_rename);

static int32_t sys_renameat(const struct syscall_args *a)
{
	return do_renameat2((int)a->arg[0], a->arg[1], (int)a->arg[2],
			    a->arg[3], 0);
}
SYSCALL(302, renameat, sys_renameat);

static int32_t sys_renameat2(const struct syscall_args *a)
{
	return do_renameat2((int)a->arg[0], a->arg[1], (int)a->arg[2],
			    a->arg[3], a->arg[4]);
}
SYSCALL(353, renameat2, sys_renameat2);

/* creat(path, mode): open(path, O_CREAT | O_WRONLY | O_TRUNC, mode). */
static int32_t sys_creat(const struct syscall_args *a)
{
	char *path;
	struct file *f;
	int flags = O_CREAT | O_WRONLY | O_TRUNC;
	int err = user_path(a->arg[0], &path);
	if (err)
		return err;
	err = file_open_mode_at(fs_cwd(current), path, flags, a->arg[1], &f);
	kfree(path);
	if (err)
		return err;
	int fd = fd_alloc(current, f, 0, false);
	if (fd < 0)
		file_put(f);
	return fd;
}
SYSCALL(8, creat, sys_creat);

/* truncate(path, length), checked as Linux's do_sys_truncate. */
static int do_truncate(uint32_t upath, int64_t length)
{
	char *path;
	struct vnode v;
	if (length < 0)
		return -EINVAL;
	int err = user_path(upath, &path);
	if (err)
		return err;
	err = namei(fs_cwd(current), path, NAMEI_FOLLOW, &v, NULL, 0);
	kfree(path);
	if (err)
		return err;
	if (s_isdir(v.mode))
		return -EISDIR;
	if (!s_isreg(v.mode))
		return -EINVAL;
	if (!v.fs->truncate)
		return no_op_error(&v);
	return v.fs->truncate(&v, (uint64_t)length);
}

static int32_t sys_truncate(const struct syscall_args *a)
{
	return do_truncate(a->arg[0], (int32_t)a->arg[1]);
}
SYSCALL(92, truncate, sys_truncate);

static int32_t sys_truncate64(const struct syscall_args *a)
{
	return do_truncate(a->arg[0],
			   (int64_t)((uint64_t)a->arg[2] << 32 | a->arg[1]));
}
SYSCALL(193, truncate64, sys_truncate64);

/* ftruncate(fd, length), checked as Linux's do_sys_ftruncate. */
static int do_ftruncate(int fd, int64_t length)
{
	if (length < 0)
		return -EINVAL;
	struct file *f = fd_get(current, fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!s_isreg(f->vn.mode) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if (!f->vn.fs->truncate)
		return no_op_error(&f->vn);
	return f->vn.fs->truncate(&f->vn, (uint64_t)length);
}

static int32_t sys_ftruncate(const struct syscall_args *a)
{
	return do_ftruncate((int)a->arg[0], (int32_t)a->arg[1]);
}
SYSCALL(93, ftruncate, sys_ftruncate);

static int32_t sys_ftruncate64(const struct syscall_args *a)
{
	return do_ftruncate((int)a->arg[0],
			    (int64_t)((uint64_t)a->arg[2] << 32 | a->arg[1]));
}
SYSCALL(194, ftruncate64, sys_ftruncate64);

/*
 * fsync and fdatasync: files in memory have nothing to write, so regular
 * files and directories succeed at once; other files without an fsync
 * operation (pipes, terminals, /proc) are -EINVAL, as Linux says.
 */
static int do_fsync(int fd)
{
	struct file *f = fd_get(current, fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (f->ops && f->ops->fsync)
		return f->ops->fsync(f);
	if (s_isreg(f->vn.mode) || s_isdir(f->vn.mode))
		return 0;
	return -EINVAL;
}

static int32_t sys_fsync(const struct syscall_args *a)
{
	return do_fsync((int)a->arg[0]);
}
SYSCALL(118, fsync, sys_fsync);

static int32_t sys_fdatasync(const struct syscall_args *a)
{
	return do_fsync((int)a->arg[0]);
}
SYSCALL(148, fdatasync, sys_fdatasync);

/*
 * fallocate(fd, mode, offset, len), the 64-bit values in two words each
 * (i386), checked as Linux's vfs_fallocate.
 */
static int32_t sys_fallocate(const struct syscall_args *a)
{
	int mode = (int)a->arg[1];
	int64_t off = (int64_t)((uint64_t)a->arg[3] << 32 | a->arg[2]);
	int64_t len = (int64_t)((uint64_t)a->arg[5] << 32 | a->arg[4]);
	if (off < 0 || len <= 0)
		return -EINVAL;
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f || (f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (s_isdir(f->vn.mode))
		return -EISDIR;
	if (!s_isreg(f->vn.mode))
		return f->ops && !f->ops->lseek ? -ESPIPE : -ENODEV;
	if (off > INT64_MAX - len)
		return -EFBIG;
	if (!f->ops || !f->ops->fallocate)
		return -EOPNOTSUPP;
	return f->ops->fallocate(f, mode, off, len);
}
SYSCALL(324, fallocate, sys_fallocate);

/* Resolves path from dirfd for chmod and utimensat. */
static int lookup_path_at(int dirfd, uint32_t upath, unsigned int nflags,
			  struct vnode *v)
{
	char *path;
	const char *base;
	int err = user_path(upath, &path);
	if (err)
		return err;
	err = at_base(dirfd, path, &base);
	if (err == 0)
		err = namei(base, path, nflags, v, NULL, 0);
	kfree(path);
	return err;
}

static int do_chmod(const struct vnode *v, uint32_t mode)
{
	if (!v->fs->chmod)
		return no_op_error(v);
	return v->fs->chmod(v, mode);
}

static int32_t sys_chmod(const struct syscall_args *a)
{
	struct vnode v;
	int err = lookup_path_at(AT_FDCWD, a->arg[0], NAMEI_FOLLOW, &v);
	return err ? err : do_chmod(&v, a->arg[1]);
}
SYSCALL(15, chmod, sys_chmod);

static int32_t sys_fchmodat(const struct syscall_args *a)
{
	struct vnode v;
	int err = lookup_path_at((int)a->arg[0], a->arg[1], NAMEI_FOLLOW, &v);
	return err ? err : do_chmod(&v, a->arg[2]);
}
SYSCALL(306, fchmodat, sys_fchmodat);

static int32_t sys_fchmod(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	return do_chmod(&f->vn, a->arg[1]);
}
SYSCALL(94, fchmod, sys_fchmod);

/* One time of utimensat: -1 to leave it, else seconds; or -EINVAL. */
static int utime_value(int64_t sec, int64_t nsec, int64_t *out)
{
	if (nsec == UTIME_OMIT) {
		*out = -1;
		return 0;
	}
	if (nsec == UTIME_NOW) {
		*out = time_realtime_ns() / NSEC_PER_SEC;
		return 0;
	}
	if (nsec < 0 || nsec >= NSEC_PER_SEC || sec < 0)
		return -EINVAL;
	*out = sec;
	return 0;
}

/*
 * utimensat(dirfd, path, times[2], flags) with times as two
 * {seconds, nanoseconds} pairs of word bytes each (4: the 32-bit call,
 * 8: the _time64 one). A NULL path is futimens on dirfd.
 */
static int do_utimensat(const struct syscall_args *a, size_t word)
{
	int64_t t[2] = { -1, -1 };
	uint32_t flags = a->arg[3];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a->arg[2]) {
		int64_t raw[4];
		if (word == 4) {
			int32_t r32[4];
			if (copy_from_user(r32, (void *)a->arg[2], sizeof(r32)))
				return -EFAULT;
			for (int i = 0; i < 4; i++)
				raw[i] = r32[i];
		} else if (copy_from_user(raw, (void *)a->arg[2],
					  sizeof(raw))) {
			return -EFAULT;
		}
		for (int i = 0; i < 2; i++) {
			int err =
				utime_value(raw[2 * i], raw[2 * i + 1], &t[i]);
			if (err)
				return err;
		}
		if (t[0] < 0 && t[1] < 0)
			return 0; /* both UTIME_OMIT: nothing to do */
	} else {
		t[0] = t[1] = time_realtime_ns() / NSEC_PER_SEC;
	}
	struct vnode v;
	if (!a->arg[1]) {
		struct file *f = fd_get(current, (int)a->arg[0]);
		if (!f)
			return -EBADF;
		v = f->vn;
	} else {
		unsigned int nflags =
			(flags & AT_SYMLINK_NOFOLLOW) ? 0 : NAMEI_FOLLOW;
		int err = lookup_path_at((int)a->arg[0], a->arg[1], nflags, &v);
		if (err)
			return err;
	}
	if (!v.fs->utimes)
		return no_op_error(&v);
	return v.fs->utimes(&v, t[0], t[1]);
}

static int32_t sys_utimensat(const struct syscall_args *a)
{
	return do_utimensat(a, 4);
}
SYSCALL(320, utimensat, sys_utimensat);

static int32_t sys_utimensat_time64(const struct syscall_args *a)
{
	return do_utimensat(a, 8);
}
SYSCALL(412, utimensat_time64, sys_utimensat_time64);

/* umask(mask): the new mask's permission bits; returns the old one. */
static int32_t sys_umask(const struct syscall_args *a)
{
	uint32_t old = current->umask;
	current->umask = a->arg[0] & 0777;
	return (int32_t)old;
}
SYSCALL(60, umask, sys_umask);
