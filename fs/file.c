/*
 * fs/file.c - open file descriptions.
 *
 * A struct file is created by file_open*() with refcount 1 and shared by
 * every descriptor that refers to it (dup, fork). Its offset belongs to the
 * description, not to the descriptor, as POSIX requires. The last
 * file_put() calls the release operation and frees it.
 *
 * Opening follows Linux's order of checks (fs/namei.c do_open, may_open):
 * O_CREAT|O_EXCL on an existing name is -EEXIST, O_CREAT or write access on
 * a directory is -EISDIR, write access or O_TRUNC on a regular file of a
 * read-only file system is -EROFS. Pagoda's processes run as root, so
 * permission bits never refuse read or write access, as on Linux.
 */
#include "fs/file.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"

struct file *file_alloc(const struct vnode *vn, int flags)
{
	struct file *f = kzalloc(sizeof(*f), 0);
	if (!f)
		return NULL;
	f->vn = *vn;
	f->flags = flags;
	f->refcount = 1;
	if (vn->fs && vn->fs->vget)
		vn->fs->vget(vn);
	return f;
}

void file_get(struct file *f)
{
	KASSERT(f->refcount > 0);
	f->refcount++;
}

void file_put(struct file *f)
{
	KASSERT(f->refcount > 0);
	if (--f->refcount > 0)
		return;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->vn.fs && f->vn.fs->vput)
		f->vn.fs->vput(&f->vn);
	kfree(f->path);
	kfree(f);
}

/* True if the open flags ask to modify the file. */
static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY;
}

int file_open_vnode(const struct vnode *vn, const char *path, int flags,
		    struct file **out)
{
	int err;

	if (flags & O_PATH) {
		/* A handle for *at() calls and fstat only: no I/O at all. */
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	} else if (s_isdir(vn->mode)) {
		if (wants_write(flags) || (flags & O_CREAT))
			return -EISDIR;
	} else if (s_isreg(vn->mode) && vn->fs->read_only &&
		   (wants_write(flags) || (flags & O_TRUNC))) {
		return -EROFS;
	}
	if (!(flags & O_PATH)) {
		/* The file's mode against the caller (fs/permission.c). */
		int acc = flags & O_ACCMODE;
		int mask = (acc == O_RDONLY || acc == O_RDWR ? MAY_READ : 0) |
			   (acc != O_RDONLY || (flags & O_TRUNC) ? MAY_WRITE
								  : 0);
		err = vnode_permission(vn, mask);
		if (err)
			return err;
	}

	struct file *f = file_alloc(vn, flags & ~(O_CREAT | O_EXCL | O_NOCTTY |
						  O_TRUNC | O_CLOEXEC));
	if (!f)
		return -ENOMEM;
	if (path) {
		size_t len = strlen(path);
		f->path = kmalloc(len + 1, 0);
		if (!f->path) {
			err = -ENOMEM;
			goto out_put;
		}
		memcpy(f->path, path, len + 1);
	}
	if (!(flags & O_PATH)) {
		err = vn->fs->open(vn, f, flags);
		if (err)
			goto out_put;
	}
	*out = f;
	return 0;

out_put:
	file_put(f);
	return err;
}

/*
 * O_CREAT of a missing name: creates it when the directory's file system
 * can (tmpfs), else -EROFS when the directory exists on a read-only file
 * system, the directory's own error otherwise (procfs, which is not
 * read-only, has no create operation and gives -ENOENT, as Linux's
 * does). On success *vn is the new file and canon its canonical path.
 * canon is PATH_MAX bytes.
 */
static int create_at(const char *base, const char *path, uint32_t mode,
		     struct vnode *vn, char *canon)
{
	struct vnode dir;
	size_t len = strlen(path);

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	/* "name/" names a directory, which O_CREAT never makes. */
	if (len > 0 && path[len - 1] == '/')
		return -EISDIR;
	memcpy(canon, path, len + 1);
	/* Cut the last component to get the parent. */
	size_t cut = len;
	while (cut > 0 && canon[cut - 1] != '/')
		cut--;
	size_t name_len = len - cut;
	char name[NAME_MAX + 1];
	if (name_len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, path + cut, name_len);
	if (cut == 0)
		strlcpy(canon, ".", PATH_MAX);
	else
		canon[cut] = '\0';
	int err = namei(base, canon, NAMEI_FOLLOW | NAMEI_DIR, &dir, canon,
			PATH_MAX);
	if (err)
		return err;
	if (!dir.fs->create)
		return dir.fs->read_only ? -EROFS : -ENOENT;
	err = dir.fs->create(&dir, name, name_len,
			     mode & 07777 & ~current->umask, vn);
	if (err)
		return err;
	size_t cl = strlen(canon);
	if (cl + 1 + name_len + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	if (cl > 1)
		canon[cl++] = '/';
	memcpy(canon + cl, name, name_len);
	canon[cl + name_len] = '\0';
	return 0;
}

int file_open(const char *path, int flags, struct file **out)
{
	return file_open_at(fs_cwd(current), path, flags, out);
}

int file_open_at(const char *base, const char *path, int flags,
		 struct file **out)
{
	return file_open_mode_at(base, path, flags, 0644, out);
}

int file_open_mode_at(const char *base, const char *path, int flags,
		      uint32_t mode, struct file **out)
{
	struct vnode vn;
	char *canon = kmalloc(PATH_MAX, 0);
	if (!canon)
		return -ENOMEM;
	unsigned int nflags = 0;
	if (!(flags & O_NOFOLLOW))
		nflags |= NAMEI_FOLLOW;
	if (flags & O_DIRECTORY)
		nflags |= NAMEI_DIR;
	int err = namei(base, path, nflags, &vn, canon, PATH_MAX);
	if (err == -ENOENT && (flags & O_CREAT)) {
		err = create_at(base, path, mode, &vn, canon);
		/* A new file is empty: nothing to truncate. */
		flags &= ~O_TRUNC;
	} else if (err == 0 && (flags & O_CREAT) && (flags & O_EXCL)) {
		err = -EEXIST;
	} else if (err == 0 && s_islnk(vn.mode) && !(flags & O_PATH)) {
		err = -ELOOP; /* O_NOFOLLOW met a symbolic link */
	}
	if (err == 0)
		err = file_open_vnode(&vn, canon, flags, out);
	kfree(canon);
	return err;
}

int32_t file_read(struct file *f, char *buf, size_t n)
{
	if (!f->ops || !f->ops->read)
		return s_isdir(f->vn.mode) ? -EISDIR : -EINVAL;
	return f->ops->read(f, buf, n, &f->pos);
}

int32_t file_write(struct file *f, const char *buf, size_t n)
{
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	return f->ops->write(f, buf, n, &f->pos);
}

int64_t file_lseek(struct file *f, int64_t off, int whence)
{
	if (!f->ops || !f->ops->lseek)
		return -ESPIPE;
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		return -EINVAL;
	return f->ops->lseek(f, off, whence);
}

void file_stat(struct file *f, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	f->vn.fs->getattr(&f->vn, st);
}

int32_t file_read_buffer(const void *data, size_t size, char *buf, size_t n,
			 int64_t *pos)
{
	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= size)
		return 0;
	size_t left = size - (size_t)*pos;
	if (n > left)
		n = left;
	if (n > INT32_MAX)
		n = INT32_MAX;
	memcpy(buf, (const char *)data + *pos, n);
	*pos += (int64_t)n;
	return (int32_t)n;
}

int64_t file_lseek_sized(struct file *f, int64_t off, int whence, int64_t size)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
		/* The whole file is data: any offset inside it is. */
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = off;
		return off;
	case SEEK_HOLE:
		/* The only hole is the virtual one at the end of the file. */
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = size;
		return size;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

int64_t file_lseek_dir(struct file *f, int64_t off, int whence)
{
	/* A directory has size 0: SEEK_END is SEEK_SET, as on Linux. */
	if (whence == SEEK_DATA || whence == SEEK_HOLE)
		return -EINVAL;
	return file_lseek_sized(f, off, whence, 0);
}

bool dir_emit_dots(struct dir_ctx *ctx, uint64_t ino, uint64_t parent_ino)
{
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, ino, DT_DIR))
			return false;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, parent_ino, DT_DIR))
			return false;
		ctx->pos = 2;
	}
	return true;
}
