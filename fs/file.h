/*
 * fs/file.h - open files, file descriptors and path names.
 *
 * Three layers, from the bottom:
 *
 *   vnode   a name resolved to something: which file system, its type and
 *           permission bits, its inode number and the file system's own
 *           handle. Vnodes are small values, copied freely and never
 *           reference counted: the initramfs never changes, and procfs
 *           finds its process again by PID on every use.
 *   file    an open file: a vnode, an offset, the open flags and the
 *           operations. Shared by descriptors made with dup() and fork(),
 *           so the offset is shared too (POSIX "open file description").
 *           Freed when the last descriptor is closed (refcount).
 *   fd      a slot in the process's table, fdt->files[], with FD_CLOEXEC kept
 *           in the cloexec bit mask beside it.
 *
 * The name space: the initramfs is the root; /proc (fs/procfs.c) and
 * /dev (fs/devfs.c) are mounted over it. Everything is read-only except
 * the character devices. Path resolution is in fs/namei.c.
 *
 * Operations never see user pointers: the system calls copy data through
 * kernel buffers (fs/sys_file.c), so the file systems can be tested in
 * the kernel without a user process.
 */
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/proc/proc.h"

struct file;

/* Limits (Linux include/uapi/linux/limits.h). */
#define PATH_MAX 4096
#define NAME_MAX 255
/* Symbolic links followed in one lookup before -ELOOP (Linux MAXSYMLINKS). */
#define SYMLINK_MAX 40

/* File types and permission bits of st_mode (POSIX <sys/stat.h> values). */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

static inline bool s_isdir(uint32_t mode)
{
	return (mode & S_IFMT) == S_IFDIR;
}

static inline bool s_isreg(uint32_t mode)
{
	return (mode & S_IFMT) == S_IFREG;
}

static inline bool s_islnk(uint32_t mode)
{
	return (mode & S_IFMT) == S_IFLNK;
}

static inline bool s_ischr(uint32_t mode)
{
	return (mode & S_IFMT) == S_IFCHR;
}

/* Open flags, Linux i386 values (include/uapi/asm-generic/fcntl.h, octal). */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
/* O_TMPFILE includes O_DIRECTORY, as on Linux. */
#define O_TMPFILE (020000000 | O_DIRECTORY)

/* *at() calls (include/uapi/linux/fcntl.h). */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EACCESS 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000

/* lseek whence values (include/uapi/linux/fs.h). */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* d_type values of getdents64 (include/linux/fs_types.h). */
#define DT_UNKNOWN 0
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

/* The d_type of an st_mode. */
static inline unsigned int mode_to_dtype(uint32_t mode)
{
	return (mode & S_IFMT) >> 12;
}

/* Linux's 32-bit encoding of a device number (new_encode_dev). */
static inline uint32_t dev_encode(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* Everything stat() reports, before it is laid out for one ABI. */
struct kstat {
	uint32_t dev_major, dev_minor;	 /* the file system */
	uint32_t rdev_major, rdev_minor; /* the device, for S_IFCHR */
	uint64_t ino;
	uint32_t mode; /* type and permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	int64_t size;	  /* bytes; for a symlink the target's length */
	uint32_t blksize; /* preferred I/O size */
	uint64_t blocks;  /* 512-byte blocks allocated */
	int64_t atime, mtime, ctime; /* seconds since the epoch */
};

struct vnode;

/* What each file system provides to the name space. */
struct fs_ops {
	const char *name;
	bool read_only; /* mounted read-only: writes give -EROFS */
	/*
	 * Finds name (len bytes, no '/', not "." or "..") in the directory
	 * dir. Returns 0 and fills *out, or -ENOENT.
	 */
	int (*lookup)(const struct vnode *dir, const char *name, size_t len,
		      struct vnode *out);
	/* Copies a symlink's target (not terminated); returns its length. */
	int (*readlink)(const struct vnode *v, char *buf, size_t size);
	/*
	 * Prepares f (f->vn already set) for use: sets f->ops and private
	 * data. flags are the open flags, access already checked.
	 */
	int (*open)(const struct vnode *v, struct file *f, int flags);
	/* Fills *st. */
	void (*getattr)(const struct vnode *v, struct kstat *st);
	/*
	 * Writable file systems (tmpfs). A NULL operation gives -EROFS on a
	 * read-only file system, -EPERM otherwise. name is one component
	 * (len bytes, not "." or ".."); dir is a directory of this file
	 * system. Errors as Linux's (fs/namei.c).
	 */
	/* A new regular file (-EEXIST if the name is taken); fills *out. */
	int (*create)(const struct vnode *dir, const char *name, size_t len,
		      uint32_t mode, struct vnode *out);
	int (*mkdir)(const struct vnode *dir, const char *name, size_t len,
		     uint32_t mode);
	/* Removes a name that is not a directory (-EISDIR if it is). */
	int (*unlink)(const struct vnode *dir, const char *name, size_t len);
	/* Removes an empty directory. */
	int (*rmdir)(const struct vnode *dir, const char *name, size_t len);
	/*
	 * Moves a name, replacing what the new name held (unless
	 * noreplace: -EEXIST); both directories on this file system.
	 */
	int (*rename)(const struct vnode *odir, const char *oname, size_t olen,
		      const struct vnode *ndir, const char *nname, size_t nlen,
		      bool noreplace);
	/* Sets a regular file's size (truncate, ftruncate). */
	int (*truncate)(const struct vnode *v, uint64_t size);
	/* Sets the permission bits (chmod). */
	int (*chmod)(const struct vnode *v, uint32_t mode);
	/* Sets the times (utimensat); -1 leaves one as it is. */
	int (*utimes)(const struct vnode *v, int64_t atime, int64_t mtime);
	/*
	 * References held by open files on what a vnode names (file_alloc
	 * takes one, the last file_put drops it), so that a removed file
	 * lives on while it is open. NULL for file systems whose objects
	 * never go away.
	 */
	void (*vget)(const struct vnode *v);
	void (*vput)(const struct vnode *v);
};

/* A name resolved to a file (see the top of this file). */
struct vnode {
	const struct fs_ops *fs;
	uint32_t mode; /* S_IF* type and permission bits */
	uint32_t ino;
	const void *node; /* the file system's object (initramfs node) */
	int pid;	  /* procfs: the process, 0 for top-level entries */
	int kind;	  /* procfs, devfs: which entry */
};

/* A getdents cursor: the file system emits entries from ctx->pos on. */
struct dir_ctx {
	/*
	 * Takes one entry; returns false when the caller's buffer is full.
	 * The file system sets ctx->pos to the entry's position before the
	 * call and to the next entry's position after a successful one, so
	 * a full buffer leaves pos at the entry that did not fit.
	 */
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len,
		     uint64_t ino, unsigned int type);
	int64_t pos;
};

/*
 * Emits "." and ".." at positions 0 and 1 if ctx->pos is before them.
 * Returns false when the buffer filled up.
 */
bool dir_emit_dots(struct dir_ctx *ctx, uint64_t ino, uint64_t parent_ino);

/* Operations on an open file. A NULL operation gives the usual errno. */
struct file_ops {
	/* Reads into a kernel buffer at *pos, advancing it; -EISDIR if NULL. */
	int32_t (*read)(struct file *f, char *buf, size_t n, int64_t *pos);
	/* Writes from a kernel buffer at *pos; -EINVAL if NULL. */
	int32_t (*write)(struct file *f, const char *buf, size_t n,
			 int64_t *pos);
	/* Repositions f->pos; -ESPIPE if NULL. Returns the new offset. */
	int64_t (*lseek)(struct file *f, int64_t off, int whence);
	/* Device control; arg is a user address or value; -ENOTTY if NULL. */
	int (*ioctl)(struct file *f, uint32_t cmd, uint32_t arg);
	/* Lists a directory from ctx->pos; -ENOTDIR if NULL. */
	int (*iterate)(struct file *f, struct dir_ctx *ctx);
	/* Frees private data when the last reference goes. */
	void (*release)(struct file *f);
	/* poll(2): the POLL* events ready now (fs/poll.h); NULL:
	 * always readable and writable, as a regular file. */
	uint32_t (*poll)(struct file *f);
	/* fsync, fdatasync: 0 if NULL (nothing waits to be written). */
	int (*fsync)(struct file *f);
	/* fallocate(mode, off, len); -EOPNOTSUPP if NULL. */
	int (*fallocate)(struct file *f, int mode, int64_t off, int64_t len);
};

/* An open file description. */
struct file {
	const struct file_ops *ops;
	struct vnode vn; /* what was opened */
	int64_t pos;	 /* the offset, shared by dup'ed descriptors */
	int flags;	 /* open flags (access mode, O_APPEND, ...) */
	int refcount;	 /* descriptors (in any process) using it */
	void *private;	 /* the operations' data */
	size_t size;	 /* procfs: bytes in the private snapshot */
	char *path;	 /* canonical path it was opened by, or NULL */
};

/* --- fs/file.c: open file descriptions ------------------------------ */

/* A new file with refcount 1 for the vnode, or NULL without memory. */
struct file *file_alloc(const struct vnode *vn, int flags);
/* Takes another reference. */
void file_get(struct file *f);
/* Drops a reference; the last one releases and frees the file. */
void file_put(struct file *f);
/*
 * Opens a resolved vnode: checks the access mode against the file type
 * and the read-only file systems, then calls the file system's open.
 * path (may be NULL) is remembered for fchdir and *at() calls.
 */
int file_open_vnode(const struct vnode *vn, const char *path, int flags,
		    struct file **out);
/* Opens a path relative to the current directory. */
int file_open(const char *path, int flags, struct file **out);
/*
 * Opens a path relative to the canonical directory base. O_CREAT creates
 * a missing regular file with the permission bits of mode.
 */
int file_open_at(const char *base, const char *path, int flags,
		 struct file **out);
int file_open_mode_at(const char *base, const char *path, int flags,
		      uint32_t mode, struct file **out);
/* Reads or writes through the ops at the file's own offset. */
int32_t file_read(struct file *f, char *buf, size_t n);
int32_t file_write(struct file *f, const char *buf, size_t n);
/* lseek with Linux's checks; returns the new offset or -errno. */
int64_t file_lseek(struct file *f, int64_t off, int whence);
/* Fills *st for an open file. */
void file_stat(struct file *f, struct kstat *st);

/*
 * Helpers for file systems whose contents sit in memory: read at *pos
 * from [data, data + size), and lseek over a file of that size (SEEK_DATA
 * and SEEK_HOLE included).
 */
int32_t file_read_buffer(const void *data, size_t size, char *buf, size_t n,
			 int64_t *pos);
int64_t file_lseek_sized(struct file *f, int64_t off, int whence, int64_t size);
/* lseek for directories: SEEK_SET and SEEK_CUR to any position >= 0. */
int64_t file_lseek_dir(struct file *f, int64_t off, int whence);

/* --- fs/fd.c: descriptor tables --------------------------------------- */

/* The highest descriptor number + 1 (RLIMIT_NOFILE as Pagoda has it). */
#define FD_MAX PROC_MAX_FILES

/*
 * The descriptors p may open: RLIMIT_NOFILE, at most FD_MAX. Descriptors
 * already open above a lowered limit stay open, as on Linux.
 */
int fd_limit(const struct proc *p);
/*
 * Installs f in p's lowest free descriptor >= min, below fd_limit(p). Takes over the
 * caller's reference. Returns the descriptor or -EMFILE.
 */
int fd_alloc(struct proc *p, struct file *f, int min, bool cloexec);
/* The file behind fd of p, or NULL (no reference is taken). */
struct file *fd_get(struct proc *p, int fd);
/* Closes fd of p; returns 0 or -EBADF. */
int fd_close(struct proc *p, int fd);
/* Puts f at exactly fd, closing what was there; takes over the reference. */
int fd_install_at(struct proc *p, int fd, struct file *f, bool cloexec);
bool fd_get_cloexec(const struct proc *p, int fd);
void fd_set_cloexec(struct proc *p, int fd, bool on);

/*
 * A descriptor table: the open files of one process, or of the threads
 * sharing it (clone with CLONE_FILES).
 */
struct fdtable {
	unsigned int users;	    /* processes using it */
	struct file *files[FD_MAX]; /* one reference each */
	uint64_t cloexec;	    /* FD_CLOEXEC, one bit per descriptor */
};

/* Gives p (which has none) an empty table; 0 or -ENOMEM. */
int files_alloc(struct proc *p);
/* files_fork share bits: what the child shares rather than copies. */
#define FILES_SHARE_TABLE 1u /* CLONE_FILES: the descriptor table */
#define FILES_SHARE_FS 2u    /* CLONE_FS: the current directory */
/*
 * fork: the child gets a copy of the parent's table (holding the same
 * open files) and its cwd, or shares them (share bits). 0 or -ENOMEM.
 */
int files_fork(struct proc *parent, struct proc *child, uint32_t share);
/*
 * exit: drops p's table (the last user closes every descriptor) and
 * forgets the cwd when no other process shares it.
 */
void files_close_all(struct proc *p);
/*
 * execve: takes a table of its own if it was shared, then closes the
 * descriptors marked FD_CLOEXEC. 0 or -ENOMEM.
 */
int files_exec(struct proc *p);
/* Opens the console as descriptors 0, 1 and 2 (for the first process). */
int files_init_console(struct proc *p);

/* The current directory of p, a canonical absolute path ("/" default). */
const char *fs_cwd(const struct proc *p);
/* Sets p's current directory to a canonical absolute path. */
int fs_set_cwd(struct proc *p, const char *path);

/* --- fs/namei.c: path names --------------------------------------------- */

/* --- fs/permission.c: who may do what ----------------------------------- */

/*
 * May the current process access v as mask (MAY_READ, MAY_WRITE,
 * MAY_EXEC of kernel/proc/cred.h) says? 0 or -EACCES, with Linux's
 * rules on the file's mode and owner.
 */
int vnode_permission(const struct vnode *v, int mask);

/* Flags for namei. */
#define NAMEI_FOLLOW (1u << 0) /* follow a symlink in the last component */
#define NAMEI_DIR (1u << 1)    /* the result must be a directory */

/*
 * Resolves path, relative to the canonical directory base when it does
 * not start with '/'. Follows symbolic links in every component but the
 * last (and the last too with NAMEI_FOLLOW), at most SYMLINK_MAX in all.
 * On success fills *out and, if canon is not NULL, the canonical path
 * (absolute, no ".", "..", symlinks or repeated slashes). Returns 0,
 * -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EACCES (a directory on
 * the way the caller may not search) or -ENOMEM.
 */
int namei(const char *base, const char *path, unsigned int flags,
	  struct vnode *out, char *canon, size_t canon_size);
/* The root directory's vnode. */
void namei_root(struct vnode *out);

/* --- fs/sys_fs.c: helpers for the system calls ------------------------ */

/*
 * Copies a path name from user space into a new PATH_MAX buffer (*out, to
 * kfree). Returns 0, -EFAULT, -ENAMETOOLONG or -ENOMEM.
 */
int user_path(uint32_t upath, char **out);
/*
 * The directory a *at() call resolves path from: "/" for an absolute
 * path, the current directory for AT_FDCWD, else the directory open as
 * dirfd (-EBADF if none, -ENOTDIR if not a directory).
 */
int at_base(int dirfd, const char *path, const char **base);

/* --- the file systems ------------------------------------------------------ */

/* The initramfs's root directory (fs/initramfs_fs.c); -ENOENT if none. */
int initramfs_fs_root(struct vnode *out);
/*
 * Emits the entries of an initramfs directory ("." and ".." excluded), the
 * i-th at position first + i, from ctx->pos on. Returns 0.
 */
int initramfs_fs_list(const struct vnode *dir, struct dir_ctx *ctx,
		      int64_t first);
/* The initramfs inode behind a vnode, or NULL if it names something else. */
struct inode *initramfs_fs_inode(const struct vnode *v);
/* /proc (fs/procfs.c). */
void procfs_root(struct vnode *out);
/* /dev (fs/devfs.c). */
void devfs_root(struct vnode *out);
/*
 * tmpfs (fs/tmpfs.c): the roots of the two instances, /tmp and /dev/shm,
 * made at the first use (each limited to half of RAM, as Linux's default
 * size=50%).
 */
void tmpfs_tmp_root(struct vnode *out);
void tmpfs_shm_root(struct vnode *out);
struct shm_object;
/*
 * The page cache of a tmpfs regular file (mm/filemap.h), or NULL if v
 * names something else. mmap maps it.
 */
struct shm_object *tmpfs_file_cache(const struct vnode *v);
/* A file opened on the console (descriptors 0, 1, 2 of init). */
int devfs_open_console(struct file **out);
struct block_device;
/* The block device a /dev node stands for (/dev/ram0), or NULL. */
struct block_device *devfs_block_device(const struct vnode *v);

#endif
