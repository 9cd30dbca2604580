/*
 * fs/initramfs_fs.c - the initramfs tree as a file system.
 *
 * The tree of struct inode (fs/initramfs.c) never changes and its
 * inodes are never freed, so a vnode simply points at its inode. Regular
 * files are read straight from the boot module; nothing can be written,
 * created or removed (the file system is read-only: -EROFS).
 */
#include "fs/initramfs.h"

#include "fs/file.h"
#include "libk/errno.h"
#include "libk/string.h"

static const struct fs_ops initramfs_fs_ops;

/* The vnode of an inode. */
static void inode_vnode(const struct inode *i, struct vnode *out)
{
	*out = (struct vnode){
		.fs = &initramfs_fs_ops,
		.mode = i->mode,
		.ino = i->ino,
		.node = i,
	};
}

/* The inode a vnode of this file system points at. */
static const struct inode *vnode_inode(const struct vnode *v)
{
	return v->node;
}

struct inode *initramfs_fs_inode(const struct vnode *v)
{
	/* The tree is the initramfs's own, never const for it. */
	return v->fs == &initramfs_fs_ops ? (struct inode *)v->node : NULL;
}

int initramfs_fs_root(struct vnode *out)
{
	const struct inode *root = initramfs_root();
	if (!root)
		return -ENOENT;
	inode_vnode(root, out);
	return 0;
}

/* Finds a name among a directory's children (archive order). */
static int ifs_lookup(const struct vnode *dir, const char *name, size_t len,
		      struct vnode *out)
{
	const struct inode *d = vnode_inode(dir);
	for (uint32_t i = 0; i < d->nchildren; i++) {
		const struct inode *c = d->children[i];
		if (strlen(c->name) == len && !memcmp(c->name, name, len)) {
			inode_vnode(c, out);
			return 0;
		}
	}
	return -ENOENT;
}

/* A symlink's target is its data. */
static int ifs_readlink(const struct vnode *v, char *buf, size_t size)
{
	return initramfs_readlink(vnode_inode(v), buf, size);
}

int initramfs_fs_list(const struct vnode *dir, struct dir_ctx *ctx,
		      int64_t first)
{
	const struct inode *d = vnode_inode(dir);
	if (ctx->pos < first)
		ctx->pos = first;
	while (ctx->pos - first < d->nchildren) {
		const struct inode *c = d->children[ctx->pos - first];
		if (!ctx->emit(ctx, c->name, strlen(c->name), c->ino,
			       inode_dtype(c)))
			return 0;
		ctx->pos++;
	}
	return 0;
}

/* Lists a directory: the dots, then its children. */
static int ifs_iterate(struct file *f, struct dir_ctx *ctx)
{
	const struct inode *d = vnode_inode(&f->vn);
	if (!dir_emit_dots(ctx, d->ino, d->parent->ino))
		return 0;
	return initramfs_fs_list(&f->vn, ctx, 2);
}

/* Reads straight from the boot module. */
static int32_t ifs_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	const struct inode *i = vnode_inode(&f->vn);
	return file_read_buffer(i->data, i->size, buf, n, pos);
}

/* Seeks within the file's size. */
static int64_t ifs_lseek(struct file *f, int64_t off, int whence)
{
	return file_lseek_sized(f, off, whence, vnode_inode(&f->vn)->size);
}

static const struct file_ops ifs_file_ops = {
	.read = ifs_read,
	.lseek = ifs_lseek,
};

static const struct file_ops ifs_dir_ops = {
	.lseek = file_lseek_dir,
	.iterate = ifs_iterate,
};

/* Directories list, regular files read, symlinks do not open. */
static int ifs_open(const struct vnode *v, struct file *f, int flags)
{
	(void)flags;
	if (s_isdir(v->mode))
		f->ops = &ifs_dir_ops;
	else if (s_isreg(v->mode))
		f->ops = &ifs_file_ops;
	else
		return -ELOOP; /* a symlink is opened only with O_PATH */
	return 0;
}

/* Everything stat reports comes from the inode. */
static void ifs_getattr(const struct vnode *v, struct kstat *st)
{
	const struct inode *i = vnode_inode(v);
	st->dev_minor = INITRAMFS_DEV;
	st->ino = i->ino;
	st->mode = i->mode;
	st->uid = i->uid;
	st->gid = i->gid;
	st->nlink = i->nlink;
	st->size = i->size;
	st->blksize = 4096;
	st->blocks = (i->size + 511) / 512;
	st->atime = st->mtime = st->ctime = i->mtime;
}

static const struct fs_ops initramfs_fs_ops = {
	.name = "initramfs",
	.read_only = true,
	.lookup = ifs_lookup,
	.readlink = ifs_readlink,
	.open = ifs_open,
	.getattr = ifs_getattr,
};
