/*
 * fs/sys_file.c - system calls on file descriptors.
 *
 * open, read, write, lseek, readv, writev, pread64, pwrite64, close, dup,
 * fcntl, ioctl and getdents64, with Linux i386 numbers and errors. The file
 * operations work on kernel buffers; data crosses to and from user memory
 * here, through a small bounce buffer on the kernel stack, a piece at a
 * time. A read stops at the first short piece, so a terminal read returns
 * one line and a file read never blocks twice.
 */
#include "fs/file.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"
#include "mm/types.h"

/* Bytes moved per file operation call. */
#define BOUNCE_SIZE 1024
/* The most one read or write moves (Linux's MAX_RW_COUNT). */
#define MAX_RW_COUNT (0x7fffffffu & ~(PAGE_SIZE - 1))
/* The most iovecs one readv/writev takes (Linux's UIO_MAXIOV). */
#define UIO_MAXIOV 1024

/* fcntl commands (include/uapi/asm-generic/fcntl.h, linux/fcntl.h). */
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
/* The status flags F_SETFL may change; the others stay as opened. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK)

/* Generic ioctls that act on the descriptor (asm-generic/ioctls.h). */
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451

/* True if f was opened for reading / for writing. */
static bool can_read(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

static bool can_write(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

/*
 * Reads up to n bytes at *pos into user memory. Returns the bytes read,
 * or -errno if nothing was read.
 */
static int32_t read_to_user(struct file *f, uint32_t ubuf, uint32_t n,
			    int64_t *pos)
{
	char bounce[BOUNCE_SIZE];
	uint32_t done = 0;

	if (!f->ops || !f->ops->read)
		return file_read(f, bounce, 0); /* the right errno */
	if (!user_range_ok(ubuf, n))
		return -EFAULT;
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	do {
		size_t want = n - done < BOUNCE_SIZE ? n - done : BOUNCE_SIZE;
		int32_t got = f->ops->read(f, bounce, want, pos);
		if (got < 0)
			return done ? (int32_t)done : got;
		if (copy_to_user((void *)(ubuf + done), bounce, (size_t)got))
			return done ? (int32_t)done : -EFAULT;
		done += (uint32_t)got;
		/* Streams (no lseek) give what they have: never wait twice. */
		if ((size_t)got < want || !f->ops->lseek)
			break;
	} while (done < n);
	return (int32_t)done;
}

/* Writes n bytes of user memory at *pos; bytes written or -errno. */
static int32_t write_from_user(struct file *f, uint32_t ubuf, uint32_t n,
			       int64_t *pos)
{
	char bounce[BOUNCE_SIZE];
	uint32_t done = 0;

	if (!f->ops || !f->ops->write)
		return -EINVAL;
	if (!user_range_ok(ubuf, n))
		return -EFAULT;
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	do {
		size_t want = n - done < BOUNCE_SIZE ? n - done : BOUNCE_SIZE;
		if (copy_from_user(bounce, (const void *)(ubuf + done), want))
			return done ? (int32_t)done : -EFAULT;
		int32_t put = f->ops->write(f, bounce, want, pos);
		if (put < 0)
			return done ? (int32_t)done : put;
		done += (uint32_t)put;
		if ((size_t)put < want)
			break;
	} while (done < n);
	return (int32_t)done;
}

/* read(fd, buf, count). */
static int32_t sys_read(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f || !can_read(f))
		return -EBADF;
	return read_to_user(f, a->arg[1], a->arg[2], &f->pos);
}
SYSCALL(3, read, sys_read);

/* write(fd, buf, count). */
static int32_t sys_write(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f || !can_write(f))
		return -EBADF;
	return write_from_user(f, a->arg[1], a->arg[2], &f->pos);
}
SYSCALL(4, write, sys_write);

/* pread64/pwrite64: the offset arrives in two registers, low word first. */
static int64_t offset_arg(const struct syscall_args *a, int lo)
{
	return (int64_t)(((uint64_t)a->arg[lo + 1] << 32) | a->arg[lo]);
}

/*
 * What pread64 and pwrite64 check alike: a file open for the access that
 * can seek, and an offset that is not negative. Returns 0 or -errno.
 */
static int positional(const struct syscall_args *a, bool write,
		      struct file **f, int64_t *pos)
{
	*f = fd_get(current, (int)a->arg[0]);
	*pos = offset_arg(a, 3);
	if (!*f || !(write ? can_write(*f) : can_read(*f)))
		return -EBADF;
	if (!(*f)->ops || !(*f)->ops->lseek)
		return -ESPIPE;
	return *pos < 0 ? -EINVAL : 0;
}

/* pread64(fd, buf, count, offset low, offset high): the position stays. */
static int32_t sys_pread64(const struct syscall_args *a)
{
	struct file *f;
	int64_t pos;
	int err = positional(a, false, &f, &pos);
	return err ? err : read_to_user(f, a->arg[1], a->arg[2], &pos);
}
SYSCALL(180, pread64, sys_pread64);

/* pwrite64(fd, buf, count, offset low, offset high). */
static int32_t sys_pwrite64(const struct syscall_args *a)
{
	struct file *f;
	int64_t pos;
	int err = positional(a, true, &f, &pos);
	return err ? err : write_from_user(f, a->arg[1], a->arg[2], &pos);
}
SYSCALL(181, pwrite64, sys_pwrite64);

/* struct iovec of i386. */
struct user_iovec {
	uint32_t base;
	uint32_t len;
};

/* readv and writev: one piece after another, stopping at a short one. */
static int32_t vector_io(const struct syscall_args *a, bool write)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	uint32_t uiov = a->arg[1];
	int32_t cnt = (int32_t)a->arg[2];
	uint32_t total = 0;

	if (!f || !(write ? can_write(f) : can_read(f)))
		return -EBADF;
	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	/* Check every length first: their sum must fit in a ssize_t. */
	for (int32_t i = 0; i < cnt; i++) {
		struct user_iovec iov;
		if (copy_from_user(&iov, (const void *)(uiov + i * sizeof(iov)),
				   sizeof(iov)))
			return -EFAULT;
		if (iov.len > 0x7fffffffu - total)
			return -EINVAL;
		total += iov.len;
	}
	uint32_t done = 0;
	for (int32_t i = 0; i < cnt; i++) {
		struct user_iovec iov;
		if (copy_from_user(&iov, (const void *)(uiov + i * sizeof(iov)),
				   sizeof(iov)))
			return done ? (int32_t)done : -EFAULT;
		if (iov.len == 0)
			continue;
		int32_t r =
			write ? write_from_user(f, iov.base, iov.len, &f->pos)
			      : read_to_user(f, iov.base, iov.len, &f->pos);
		if (r < 0)
			return done ? (int32_t)done : r;
		done += (uint32_t)r;
		if ((uint32_t)r < iov.len)
			break;
	}
	return (int32_t)done;
}

/* readv(fd, iov, iovcnt). */
static int32_t sys_readv(const struct syscall_args *a)
{
	return vector_io(a, false);
}
SYSCALL(145, readv, sys_readv);

/* writev(fd, iov, iovcnt). */
static int32_t sys_writev(const struct syscall_args *a)
{
	return vector_io(a, true);
}
SYSCALL(146, writev, sys_writev);

/* open and openat: returns the new descriptor. */
static int32_t do_openat(int dirfd, uint32_t upath, int flags, uint32_t mode)
{
	char *path;
	const char *base;
	struct file *f;

	int err = user_path(upath, &path);
	if (err)
		return err;
	err = at_base(dirfd, path, &base);
	if (err == 0)
		err = file_open_mode_at(base, path, flags, mode, &f);
	kfree(path);
	if (err)
		return err;
	int fd = fd_alloc(current, f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* open(path, flags, mode): mode is the permission bits of a new file. */
static int32_t sys_open(const struct syscall_args *a)
{
	return do_openat(AT_FDCWD, a->arg[0], (int)a->arg[1], a->arg[2]);
}
SYSCALL(5, open, sys_open);

/* openat(dirfd, path, flags, mode). */
static int32_t sys_openat(const struct syscall_args *a)
{
	return do_openat((int)a->arg[0], a->arg[1], (int)a->arg[2], a->arg[3]);
}
SYSCALL(295, openat, sys_openat);

/* close(fd). */
static int32_t sys_close(const struct syscall_args *a)
{
	return fd_close(current, (int)a->arg[0]);
}
SYSCALL(6, close, sys_close);

/* lseek: the result must fit the 32-bit off_t. */
static int32_t sys_lseek(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int64_t r = file_lseek(f, (int32_t)a->arg[1], (int)a->arg[2]);
	if (r > INT32_MAX)
		return -EOVERFLOW;
	return (int32_t)r;
}
SYSCALL(19, lseek, sys_lseek);

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence). */
static int32_t sys_llseek(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f)
		return -EBADF;
	int64_t off = (int64_t)(((uint64_t)a->arg[1] << 32) | a->arg[2]);
	int64_t r = file_lseek(f, off, (int)a->arg[4]);
	if (r < 0)
		return (int32_t)r;
	return copy_to_user((void *)a->arg[3], &r, sizeof(r));
}
SYSCALL(140, _llseek, sys_llseek);

/* Duplicates oldfd to the lowest free descriptor >= min. */
static int do_dup(int oldfd, int min, bool cloexec)
{
	struct file *f = fd_get(current, oldfd);
	if (!f)
		return -EBADF;
	file_get(f);
	int fd = fd_alloc(current, f, min, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* dup(fd): the lowest free descriptor, FD_CLOEXEC clear. */
static int32_t sys_dup(const struct syscall_args *a)
{
	return do_dup((int)a->arg[0], 0, false);
}
SYSCALL(41, dup, sys_dup);

/* dup2 and dup3 (flags: O_CLOEXEC only; newfd == oldfd is an error). */
static int do_dup3(int oldfd, int newfd, int flags, bool is_dup3)
{
	struct file *f = fd_get(current, oldfd);
	if (is_dup3 && (flags & ~O_CLOEXEC))
		return -EINVAL;
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= fd_limit(current))
		return -EBADF;
	if (oldfd == newfd)
		return is_dup3 ? -EINVAL : newfd;
	file_get(f);
	return fd_install_at(current, newfd, f, flags & O_CLOEXEC);
}

/* dup2(oldfd, newfd). */
static int32_t sys_dup2(const struct syscall_args *a)
{
	return do_dup3((int)a->arg[0], (int)a->arg[1], 0, false);
}
SYSCALL(63, dup2, sys_dup2);

/* dup3(oldfd, newfd, flags). */
static int32_t sys_dup3(const struct syscall_args *a)
{
	return do_dup3((int)a->arg[0], (int)a->arg[1], (int)a->arg[2], true);
}
SYSCALL(330, dup3, sys_dup3);

/* fcntl64(fd, cmd, arg): descriptor flags, status flags and dup; no locks. */
static int32_t sys_fcntl64(const struct syscall_args *a)
{
	int fd = (int)a->arg[0];
	uint32_t arg = a->arg[2];
	struct file *f = fd_get(current, fd);
	if (!f)
		return -EBADF;

	switch (a->arg[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (uint32_t)fd_limit(current))
			return -EINVAL;
		return do_dup(fd, (int)arg, a->arg[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_get_cloexec(current, fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(current, fd, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | (int)(arg & SETFL_MASK);
		return 0;
	default:
		return -EINVAL;
	}
}
SYSCALL(55, fcntl, sys_fcntl64);
SYSCALL(221, fcntl64, sys_fcntl64);

/* ioctl(fd, cmd, arg): FIOCLEX/FIONCLEX here, the rest by the file. */
static int32_t sys_ioctl(const struct syscall_args *a)
{
	int fd = (int)a->arg[0];
	struct file *f = fd_get(current, fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	switch (a->arg[1]) {
	case FIOCLEX:
		fd_set_cloexec(current, fd, true);
		return 0;
	case FIONCLEX:
		fd_set_cloexec(current, fd, false);
		return 0;
	}
	if (!f->ops || !f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, a->arg[1], a->arg[2]);
}
SYSCALL(54, ioctl, sys_ioctl);

/*
 * getdents64 fills the user's buffer with struct linux_dirent64 records:
 * u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, then the NUL-terminated
 * name, padded to 8 bytes. d_off is the position of the next entry, known
 * only when that entry is emitted, so each record is held back in `rec`
 * until the next one (or the end) fixes its d_off.
 */
struct dirent_sink {
	struct dir_ctx ctx;
	uint32_t ubuf; /* user buffer */
	uint32_t size; /* its size */
	uint32_t used; /* bytes written to it */
	uint32_t held; /* bytes in rec (0: none) */
	int error;     /* -EFAULT from a copy */
	bool full;     /* an entry did not fit */
	uint8_t rec[8 + 8 + 2 + 1 + NAME_MAX + 1 + 7];
};

#define DIRENT_HEADER 19 /* bytes before d_name */

/* Writes the held record with d_off = next position. */
static bool flush_held(struct dirent_sink *s, int64_t next)
{
	if (!s->held)
		return true;
	memcpy(s->rec + 8, &next, sizeof(next));
	if (copy_to_user((void *)(s->ubuf + s->used), s->rec, s->held)) {
		s->error = -EFAULT;
		return false;
	}
	s->used += s->held;
	s->held = 0;
	return true;
}

/* Takes one entry if it fits beside the held one. */
static bool sink_emit(struct dir_ctx *ctx, const char *name, size_t len,
		      uint64_t ino, unsigned int type)
{
	struct dirent_sink *s = (struct dirent_sink *)ctx;
	uint32_t reclen = (uint32_t)(DIRENT_HEADER + len + 1 + 7) & ~7u;
	uint16_t rl16 = (uint16_t)reclen;

	if (s->error || len > NAME_MAX)
		return false;
	if (s->used + s->held + reclen > s->size) {
		s->full = true;
		return false;
	}
	if (!flush_held(s, ctx->pos))
		return false;
	memset(s->rec, 0, reclen);
	memcpy(s->rec, &ino, sizeof(ino));
	memcpy(s->rec + 16, &rl16, sizeof(rl16));
	s->rec[18] = (uint8_t)type;
	memcpy(s->rec + DIRENT_HEADER, name, len);
	s->held = reclen;
	return true;
}

/* getdents64(fd, dirp, count). */
static int32_t sys_getdents64(const struct syscall_args *a)
{
	struct file *f = fd_get(current, (int)a->arg[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!f->ops || !f->ops->iterate)
		return -ENOTDIR;
	if (!user_range_ok(a->arg[1], a->arg[2]))
		return -EFAULT;

	struct dirent_sink s = {
		.ctx = { .emit = sink_emit, .pos = f->pos },
		.ubuf = a->arg[1],
		.size = a->arg[2],
	};
	int err = f->ops->iterate(f, &s.ctx);
	if (!s.error)
		flush_held(&s, s.ctx.pos);
	f->pos = s.ctx.pos;
	if (s.used > 0)
		return (int32_t)s.used;
	if (s.error)
		return s.error;
	if (err)
		return err;
	/* Not even one entry fit in the buffer. */
	return s.full ? -EINVAL : 0;
}
SYSCALL(220, getdents64, sys_getdents64);
