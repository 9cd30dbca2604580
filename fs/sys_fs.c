/*
 * fs/sys_fs.c - system calls on path names.
 *
 * The stat family (stat64, lstat64, fstat64, fstatat64, statx), access and
 * faccessat, readlink and readlinkat, getcwd, chdir and fchdir. glibc on
 * i386 implements stat() and fstat() with statx (falling back to
 * fstatat64 when statx is missing), so statx with AT_EMPTY_PATH is the
 * common path.
 */
#include "fs/file.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"

/* access() modes (POSIX <unistd.h>). */
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

/* statx (include/uapi/linux/stat.h). */
#define STATX_BASIC_STATS 0x000007ffu
#define STATX__RESERVED 0x80000000u
#define AT_STATX_SYNC_TYPE 0x6000

int user_path(uint32_t upath, char **out)
{
	char *buf = kmalloc(PATH_MAX, 0);
	if (!buf)
		return -ENOMEM;
	int n = strncpy_from_user(buf, (const char *)upath, PATH_MAX);
	if (n < 0) {
		kfree(buf);
		return n;
	}
	*out = buf;
	return 0;
}

int at_base(int dirfd, const char *path, const char **base)
{
	if (path[0] == '/') {
		*base = "/";
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*base = fs_cwd(current);
		return 0;
	}
	struct file *f = fd_get(current, dirfd);
	if (!f)
		return -EBADF;
	if (!s_isdir(f->vn.mode) || !f->path)
		return -ENOTDIR;
	*base = f->path;
	return 0;
}

/*
 * Finds what a *at() call names: the file open as dirfd itself when the
 * path is empty and AT_EMPTY_PATH is given, else the path resolved from
 * dirfd. canon (PATH_MAX bytes, may be NULL) receives the canonical path.
 */
static int lookup_at(int dirfd, uint32_t upath, unsigned int nflags,
		     bool empty_ok, struct vnode *vn, char *canon)
{
	char *path;
	const char *base;

	int err = user_path(upath, &path);
	if (err)
		return err;
	if (path[0] == '\0' && empty_ok) {
		if (dirfd == AT_FDCWD) {
			err = namei("/", fs_cwd(current), NAMEI_DIR, vn, canon,
				    PATH_MAX);
		} else {
			struct file *f = fd_get(current, dirfd);
			if (f)
				*vn = f->vn;
			err = f ? 0 : -EBADF;
		}
		goto out;
	}
	err = at_base(dirfd, path, &base);
	if (err == 0)
		err = namei(base, path, nflags, vn, canon, PATH_MAX);
out:
	kfree(path);
	return err;
}

/* struct stat64 of Linux i386 (arch/x86/include/uapi/asm/stat.h). */
struct linux_stat64 {
	uint64_t st_dev;
	uint8_t pad0[4];
	uint32_t st_ino_low; /* the old 32-bit __st_ino */
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint8_t pad3[4];
	int64_t st_size;
	uint32_t st_blksize;
	uint64_t st_blocks;
	uint32_t st_atime, st_atime_nsec;
	uint32_t st_mtime, st_mtime_nsec;
	uint32_t st_ctime, st_ctime_nsec;
	uint64_t st_ino;
} __attribute__((packed));

STATIC_ASSERT(sizeof(struct linux_stat64) == 96, "i386 struct stat64");

/* struct statx (include/uapi/linux/stat.h), the same on every ABI. */
struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};

STATIC_ASSERT(sizeof(struct linux_statx) == 256, "struct statx");

/* Lays out a kstat as i386 struct stat64 in user memory. */
static int put_stat64(const struct kstat *st, uint32_t ubuf)
{
	struct linux_stat64 s;
	memset(&s, 0, sizeof(s));
	s.st_dev = dev_encode(st->dev_major, st->dev_minor);
	s.st_ino_low = (uint32_t)st->ino;
	s.st_mode = st->mode;
	s.st_nlink = st->nlink;
	s.st_uid = st->uid;
	s.st_gid = st->gid;
	s.st_rdev = dev_encode(st->rdev_major, st->rdev_minor);
	s.st_size = st->size;
	s.st_blksize = st->blksize;
	s.st_blocks = st->blocks;
	s.st_atime = (uint32_t)st->atime;
	s.st_mtime = (uint32_t)st->mtime;
	s.st_ctime = (uint32_t)st->ctime;
	s.st_ino = st->ino;
	return copy_to_user((void *)ubuf, &s, sizeof(s));
}

/* Lays out a kstat as struct statx in user memory. */
static int put_statx(const struct kstat *st, uint32_t ubuf)
{
	struct linux_statx s;
	memset(&s, 0, sizeof(s));
	s.stx_mask = STATX_BASIC_STATS;
	s.stx_blksize = st->blksize;
	s.stx_nlink = st->nlink;
	s.stx_uid = st->uid;
	s.stx_gid = st->gid;
	s.stx_mode = (uint16_t)st->mode;
	s.stx_ino = st->ino;
	s.stx_size = (uint64_t)st->size;
	s.stx_blocks = st->blocks;
	s.stx_atime.tv_sec = st->atime;
	s.stx_ctime.tv_sec = st->ctime;
	s.stx_mtime.tv_sec = st->mtime;
	s.stx_rdev_major = st->rdev_major;
	s.stx_rdev_minor = st->rdev_minor;
	s.stx_dev_major = st->dev_major;
	s.stx_dev_minor = st->dev_minor;
	return copy_to_user((void *)ubuf, &s, sizeof(s));
}

/* Fills a kstat for a vnode (symlinks report their target's length). */
static void vnode_stat(const struct vnode *vn, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	vn->fs->getattr(vn, st);
}

/* The common part of the stat calls: look up, then lay out. */
static int32_t do_stat(int dirfd, uint32_t upath, int flags, uint32_t ubuf,
		       bool statx)
{
	struct vnode vn;
	struct kstat st;
	unsigned int nflags = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : NAMEI_FOLLOW;

	int err = lookup_at(dirfd, upath, nflags, flags & AT_EMPTY_PATH, &vn,
			    NULL);
	if (err)
		return err;
	vnode_stat(&vn, &st);
	return statx ? put_statx(&st, ubuf) : put_stat64(&st, ubuf);
}

/* stat64(path, buf). */
static int32_t sys_stat64(const struct syscall_args *a)
{
	return do_stat(AT_FDCWD, a->arg[0], 0, a->arg[1], false);
}
SYSCALL(195, stat64, sys_stat64);

/* lstat64(path, buf): a final symlink is described, not followed. */
static int32_t sys_lstat64(const struct syscall_args *a)
{
	return do_stat(AT_FDCWD, a->arg[0], AT_SYMLINK_NOFOLLOW, a->arg[1],
		       false);
}
SYSCALL(196, lstat64, sys_lstat64);

/* fstat64(fd, buf). */
static int32_t sys_fstat64(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	struct kstat st;
	if (!f)
		return -EBADF;
	file_stat(f, &st);
	return put_stat64(&st, a->arg[1]);
}
SYSCALL(197, fstat64, sys_fstat64);

/* fstatat64(dirfd, path, buf, flags). */
static int32_t sys_fstatat64(const struct syscall_args *a)
{
	int flags = (int)a->arg[3];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	return do_stat((int)a->arg[0], a->arg[1], flags, a->arg[2], false);
}
SYSCALL(300, fstatat64, sys_fstatat64);

/* statx(dirfd, path, flags, mask, buf). */
static int32_t sys_statx(const struct syscall_args *a)
{
	int flags = (int)a->arg[2];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (a->arg[3] & STATX__RESERVED)
		return -EINVAL;
	return do_stat((int)a->arg[0], a->arg[1], flags, a->arg[4], true);
}
SYSCALL(383, statx, sys_statx);

/*
 * access: would the caller's real user and group (its effective ones
 * with AT_EACCESS) be allowed? Linux's do_faccessat runs the whole
 * lookup with the file-system ids set to the real ones. Writing to a
 * read-only file system is EROFS first; then the file's mode decides
 * (fs/permission.c), root needing an x bit to execute.
 */
static int32_t do_access(int dirfd, uint32_t upath, uint32_t mode, int flags)
{
	struct vnode vn;
	unsigned int nflags = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : NAMEI_FOLLOW;
	struct cred *c = &current->cred;
	uint32_t fsuid = c->fsuid, fsgid = c->fsgid;

	if (mode & ~(uint32_t)(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (!(flags & AT_EACCESS)) {
		c->fsuid = c->uid;
		c->fsgid = c->gid;
	}
	int err = lookup_at(dirfd, upath, nflags, flags & AT_EMPTY_PATH, &vn,
			    NULL);
	if (!err && (mode & W_OK) && vn.fs->read_only &&
	    (s_isreg(vn.mode) || s_isdir(vn.mode) || s_islnk(vn.mode)))
		err = -EROFS;
	/* R_OK, W_OK and X_OK are MAY_READ, MAY_WRITE and MAY_EXEC. */
	if (!err)
		err = vnode_permission(&vn, (int)mode);
	c->fsuid = fsuid;
	c->fsgid = fsgid;
	return err;
}

/* access(path, mode). */
static int32_t sys_access(const struct syscall_args *a)
{
	return do_access(AT_FDCWD, a->arg[0], a->arg[1], 0);
}
SYSCALL(33, access, sys_access);

/* The old faccessat has no flags argument. */
static int32_t sys_faccessat(const struct syscall_args *a)
{
	return do_access((int)a->arg[0], a->arg[1], a->arg[2], 0);
}
SYSCALL(307, faccessat, sys_faccessat);

/* faccessat2(dirfd, path, mode, flags). */
static int32_t sys_faccessat2(const struct syscall_args *a)
{
	int flags = (int)a->arg[3];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	return do_access((int)a->arg[0], a->arg[1], a->arg[2], flags);
}
SYSCALL(439, faccessat2, sys_faccessat2);

/* readlink and readlinkat: at most size bytes of the target, no NUL. */
static int32_t do_readlink(int dirfd, uint32_t upath, uint32_t ubuf,
			   int32_t size)
{
	struct vnode vn;
	if (size <= 0)
		return -EINVAL;
	int err = lookup_at(dirfd, upath, 0, false, &vn, NULL);
	if (err)
		return err;
	if (!s_islnk(vn.mode) || !vn.fs->readlink)
		return -EINVAL;
	char *buf = kmalloc(PATH_MAX, 0);
	if (!buf)
		return -ENOMEM;
	size_t want = (uint32_t)size < PATH_MAX ? (size_t)size : PATH_MAX;
	int n = vn.fs->readlink(&vn, buf, want);
	if (n > 0 && copy_to_user((void *)ubuf, buf, (size_t)n))
		n = -EFAULT;
	kfree(buf);
	return n;
}

/* readlink(path, buf, size). */
static int32_t sys_readlink(const struct syscall_args *a)
{
	return do_readlink(AT_FDCWD, a->arg[0], a->arg[1], (int32_t)a->arg[2]);
}
SYSCALL(85, readlink, sys_readlink);

/* readlinkat(dirfd, path, buf, size). */
static int32_t sys_readlinkat(const struct syscall_args *a)
{
	return do_readlink((int)a->arg[0], a->arg[1], a->arg[2],
			   (int32_t)a->arg[3]);
}
SYSCALL(305, readlinkat, sys_readlinkat);

/* getcwd returns the length including the NUL, as Linux's does. */
static int32_t sys_getcwd(const struct syscall_args *a)
{
	const char *cwd = fs_cwd(current);
	uint32_t len = (uint32_t)strlen(cwd) + 1;
	if (a->arg[1] < len)
		return -ERANGE;
	if (copy_to_user((void *)a->arg[0], cwd, len))
		return -EFAULT;
	return (int32_t)len;
}
SYSCALL(183, getcwd, sys_getcwd);

/* chdir(path): the directory's canonical path becomes the cwd. */
static int32_t sys_chdir(const struct syscall_args *a)
{
	struct vnode vn;
	char *canon = kmalloc(PATH_MAX, 0);
	if (!canon)
		return -ENOMEM;
	int err = lookup_at(AT_FDCWD, a->arg[0], NAMEI_FOLLOW | NAMEI_DIR,
			    false, &vn, canon);
	if (err == 0)
		err = fs_set_cwd(current, canon);
	kfree(canon);
	return err;
}
SYSCALL(12, chdir, sys_chdir);

/* fchdir(fd): the open directory becomes the cwd. */
static int32_t sys_fchdir(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	if (!s_isdir(f->vn.mode) || !f->path)
		return -ENOTDIR;
	return fs_set_cwd(current, f->path);
}
SYSCALL(133, fchdir, sys_fchdir);
