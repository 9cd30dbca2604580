/*
 * fs/tmpfs.c - tmpfs, the writable file system in memory, mounted at /tmp
 * and /dev/shm.
 *
 * Directories are lists of entries in this file; a regular file's bytes
 * live in its page cache, owned by mm/ (mm/filemap.h): read() and write()
 * copy to and from those pages, and mmap maps them (MAP_SHARED) or copies
 * them (MAP_PRIVATE), so every way of reaching the file sees the same
 * bytes. Cache pages are swapped like anonymous memory.
 *
 * Lifetime: an inode lives while a name links to it (nlink) or an open
 * file refers to it (opens, counted through the vget/vput operations
 * that file_alloc and file_put call). The last of them frees it; its page
 * cache goes with it unless a mapping still holds the cache (a mapping
 * holds a reference of its own on it), so an unlinked file stays usable
 * through its descriptors and mappings, as on Linux.
 *
 * A vnode points at its inode; a vnode obtained by lookup is used only
 * within the system call that looked it up, while the name holds the
 * inode (the kernel is not preemptible), and an open file holds it
 * through its reference.
 *
 * Size: each instance holds at most half of RAM in pages, resident or in
 * swap (Linux's default size=50%); a write beyond it is -ENOSPC and a
 * fault of a new page through a mapping gets SIGBUS. A file is at most as
 * large as that limit (-EFBIG beyond), so a sparse file cannot make the
 * cache's page index larger than memory.
 *
 * Directory positions (getdents): each entry gets the next number of its
 * directory when it is linked there, and a listing goes in that order
 * from the position it stopped at; entries removed meanwhile are simply
 * gone, entries added appear at the end.
 *
 * Locking: none; the kernel is not preemptible.
 */
#include "fs/file.h"

#include "kernel/proc/proc.h"
#include "kernel/time.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "libk/string.h"
#include "mm/filemap.h"
#include "mm/pmm.h"
#include "mm/shm.h"
#include "mm/slab.h"

/*
 * Device numbers: anonymous block devices have major 0 (Linux's
 * unnamed devices); the minors follow devfs's.
 */
#define TMPFS_TMP_MINOR 20
#define TMPFS_SHM_MINOR 21
/* Linux's tmpfs f_bsize and st_blksize. */
#define TMPFS_BLKSIZE 4096
/* fallocate modes (include/uapi/linux/falloc.h). */
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02

struct tmpfs_inode;

/* One mounted instance. */
struct tmpfs_sb {
	struct tmpfs_inode *root;
	struct shm_quota quota; /* pages of its files */
	uint32_t dev_minor;
	uint32_t next_ino;
};

/* A name in a directory. */
struct tmpfs_dirent {
	struct list_node node;	   /* in the directory's entries */
	struct tmpfs_inode *inode; /* what it names (one nlink) */
	int64_t pos;		   /* its getdents position */
	size_t len;
	char name[]; /* len bytes, NUL-terminated */
};

struct tmpfs_inode {
	struct tmpfs_sb *sb;
	uint32_t ino;
	uint32_t mode;	/* type and permission bits */
	uint32_t uid, gid; /* owner: the creator's fsuid and fsgid */
	uint32_t nlink; /* names (a directory: 2 + subdirectories) */
	uint32_t opens; /* open files referring to it */
	int64_t atime, mtime, ctime; /* seconds since the epoch */
	/* Directories. */
	struct tmpfs_inode *parent; /* ".." */
	struct list_node entries;   /* struct tmpfs_dirent */
	int64_t next_pos;	    /* position of the next entry */
	/* Regular files. */
	struct shm_object *data; /* the page cache (mm/filemap.h) */
};

static const struct fs_ops tmpfs_ops;
static const struct file_ops tmpfs_file_ops;
static const struct file_ops tmpfs_dir_ops;

static struct tmpfs_sb tmp_sb = { .dev_minor = TMPFS_TMP_MINOR };
static struct tmpfs_sb shm_sb = { .dev_minor = TMPFS_SHM_MINOR };

static int64_t now(void)
{
	return time_realtime_ns() / NSEC_PER_SEC;
}

static struct tmpfs_inode *vnode_inode(const struct vnode *v)
{
	KASSERT(v->fs == &tmpfs_ops);
	return (struct tmpfs_inode *)v->node;
}

static void inode_vnode(struct tmpfs_inode *i, struct vnode *out)
{
	*out = (struct vnode){
		.fs = &tmpfs_ops,
		.mode = i->mode,
		.ino = i->ino,
		.node = i,
	};
}

/* A new inode of mode in sb, with no name yet; NULL without memory. */
static struct tmpfs_inode *inode_new(struct tmpfs_sb *sb, uint32_t mode)
{
	struct tmpfs_inode *i = kzalloc(sizeof(*i), 0);
	if (!i)
		return NULL;
	i->sb = sb;
	i->ino = sb->next_ino++;
	i->mode = mode;
	/* The mount's root is made at boot, by nobody: root's. */
	if (current && current->pid) {
		i->uid = current->cred.fsuid;
		i->gid = current->cred.fsgid;
	}
	i->atime = i->mtime = i->ctime = now();
	list_init(&i->entries);
	i->next_pos = 2;
	if (s_isreg(mode)) {
		i->data = filemap_create(&sb->quota);
		if (!i->data) {
			kfree(i);
			return NULL;
		}
		i->data->dev = dev_encode(0, sb->dev_minor);
		i->data->ino = i->ino;
	}
	return i;
}

/* Frees i once it has neither a name nor an open file. */
static void inode_maybe_free(struct tmpfs_inode *i)
{
	if (i->nlink > 0 || i->opens > 0 || i == i->sb->root)
		return;
	KASSERT(list_empty(&i->entries));
	/* Mappings keep the page cache (their own references). */
	if (i->data)
		shm_object_put(i->data);
	kfree(i);
}

static void tmpfs_vget(const struct vnode *v)
{
	vnode_inode(v)->opens++;
}

static void tmpfs_vput(const struct vnode *v)
{
	struct tmpfs_inode *i = vnode_inode(v);
	KASSERT(i->opens > 0);
	i->opens--;
	inode_maybe_free(i);
}

static struct tmpfs_dirent *find_entry(struct tmpfs_inode *dir,
				       const char *name, size_t len)
{
	struct list_node *n;
	list_for_each(n, &dir->entries) {
		struct tmpfs_dirent *d =
			list_entry(n, struct tmpfs_dirent, node);
		if (d->len == len && !memcmp(d->name, name, len))
			return d;
	}
	return NULL;
}

/* Links i into dir under name: one more nlink. */
static int link_entry(struct tmpfs_inode *dir, const char *name, size_t len,
		      struct tmpfs_inode *i)
{
	struct tmpfs_dirent *d = kmalloc(sizeof(*d) + len + 1, 0);
	if (!d)
		return -ENOMEM;
	d->inode = i;
	d->pos = dir->next_pos++;
	d->len = len;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	list_push_back(&dir->entries, &d->node);
	i->nlink++;
	if (s_isdir(i->mode)) {
		i->parent = dir;
		dir->nlink++; /* the child's ".." */
	}
	dir->mtime = dir->ctime = now();
	return 0;
}

/* Removes entry d of dir; the inode loses a name (and may go). */
static void unlink_entry(struct tmpfs_inode *dir, struct tmpfs_dirent *d)
{
	struct tmpfs_inode *i = d->inode;
	list_remove(&d->node);
	kfree(d);
	dir->mtime = dir->ctime = now();
	i->ctime = dir->mtime;
	if (s_isdir(i->mode)) {
		dir->nlink--;
		i->nlink = 0; /* its "." goes with its name */
	} else {
		i->nlink--;
	}
	if (i->nlink == 0 && i->data)
		i->data->unlinked = true;
	inode_maybe_free(i);
}

static int tmpfs_lookup(const struct vnode *dir, const char *name, size_t len,
			struct vnode *out)
{
	struct tmpfs_dirent *d = find_entry(vnode_inode(dir), name, len);
	if (!d)
		return -ENOENT;
	inode_vnode(d->inode, out);
	return 0;
}

/* Makes a new inode of mode and links it as name in dir. */
static int make_node(const struct vnode *dirv, const char *name, size_t len,
		     uint32_t mode, struct tmpfs_inode **out)
{
	struct tmpfs_inode *dir = vnode_inode(dirv);
	if (find_entry(dir, name, len))
		return -EEXIST;
	/* A directory that was removed takes no new names (Linux: ENOENT). */
	if (dir->nlink == 0)
		return -ENOENT;
	struct tmpfs_inode *i = inode_new(dir->sb, mode);
	if (!i)
		return -ENOMEM;
	int err = link_entry(dir, name, len, i);
	if (err) {
		inode_maybe_free(i);
		return err;
	}
	if (s_isdir(mode))
		i->nlink = 2; /* its name and its "." */
	*out = i;
	return 0;
}

static int tmpfs_create(const struct vnode *dir, const char *name, size_t len,
			uint32_t mode, struct vnode *out)
{
	struct tmpfs_inode *i;
	int err = make_node(dir, name, len, S_IFREG | (mode & 07777), &i);
	if (err)
		return err;
	inode_vnode(i, out);
	return 0;
}

static int tmpfs_mkdir(const struct vnode *dir, const char *name, size_t len,
		       uint32_t mode)
{
	struct tmpfs_inode *i;
	return make_node(dir, name, len, S_IFDIR | (mode & 07777), &i);
}

static int tmpfs_unlink(const struct vnode *dirv, const char *name, size_t len)
{
	struct tmpfs_inode *dir = vnode_inode(dirv);
	struct tmpfs_dirent *d = find_entry(dir, name, len);
	if (!d)
		return -ENOENT;
	if (s_isdir(d->inode->mode))
		return -EISDIR;
	unlink_entry(dir, d);
	return 0;
}

static int tmpfs_rmdir(const struct vnode *dirv, const char *name, size_t len)
{
	struct tmpfs_inode *dir = vnode_inode(dirv);
	struct tmpfs_dirent *d = find_entry(dir, name, len);
	if (!d)
		return -ENOENT;
	if (!s_isdir(d->inode->mode))
		return -ENOTDIR;
	if (!list_empty(&d->inode->entries))
		return -ENOTEMPTY;
	unlink_entry(dir, d);
	return 0;
}

/* Whether dir is i or lies below it (renaming i there would loop). */
static bool is_within(const struct tmpfs_inode *dir,
		      const struct tmpfs_inode *i)
{
	for (; dir; dir = dir->parent) {
		if (dir == i)
			return true;
		if (dir == dir->sb->root)
			break;
	}
	return false;
}

static int tmpfs_rename(const struct vnode *odirv, const char *oname,
			size_t olen, const struct vnode *ndirv,
			const char *nname, size_t nlen, bool noreplace)
{
	struct tmpfs_inode *odir = vnode_inode(odirv);
	struct tmpfs_inode *ndir = vnode_inode(ndirv);
	if (odir->sb != ndir->sb)
		return -EXDEV;
	struct tmpfs_dirent *od = find_entry(odir, oname, olen);
	if (!od)
		return -ENOENT;
	struct tmpfs_inode *i = od->inode;
	struct tmpfs_dirent *nd = find_entry(ndir, nname, nlen);
	if (nd && noreplace)
		return -EEXIST;
	/* The same file under both names: nothing to do (POSIX). */
	if (nd && nd->inode == i)
		return 0;
	if (s_isdir(i->mode) && is_within(ndir, i))
		return -EINVAL;
	/* The new name is a directory holding the old one (Linux's trap). */
	if (nd && s_isdir(nd->inode->mode) && is_within(odir, nd->inode))
		return -ENOTEMPTY;
	if (nd) {
		struct tmpfs_inode *victim = nd->inode;
		if (s_isdir(i->mode) && !s_isdir(victim->mode))
			return -ENOTDIR;
		if (!s_isdir(i->mode) && s_isdir(victim->mode))
			return -EISDIR;
		if (s_isdir(victim->mode) && !list_empty(&victim->entries))
			return -ENOTEMPTY;
	}
	if (ndir->nlink == 0)
		return -ENOENT;
	/* Link under the new name first: on -ENOMEM nothing changed. */
	bool dir = s_isdir(i->mode);
	int err = link_entry(ndir, nname, nlen, i);
	if (err)
		return err;
	if (nd)
		unlink_entry(ndir, nd);
	/* The old entry goes without freeing: i keeps its new name. */
	list_remove(&od->node);
	kfree(od);
	odir->mtime = odir->ctime = now();
	i->ctime = odir->mtime;
	i->nlink--; /* link_entry counted the new name as one more */
	if (dir)
		odir->nlink--; /* its ".." left odir */
	return 0;
}

static void tmpfs_getattr(const struct vnode *v, struct kstat *st)
{
	struct tmpfs_inode *i = vnode_inode(v);
	st->dev_minor = i->sb->dev_minor;
	st->ino = i->ino;
	st->mode = i->mode;
	st->uid = i->uid;
	st->gid = i->gid;
	st->nlink = i->nlink;
	st->blksize = TMPFS_BLKSIZE;
	st->atime = i->atime;
	st->mtime = i->mtime;
	st->ctime = i->ctime;
	if (i->data) {
		st->size = i->data->size;
		st->blocks =
			(uint64_t)filemap_pages(i->data) * (PAGE_SIZE / 512);
	} else if (s_isdir(i->mode)) {
		/* Linux's tmpfs: (entries + 2) * BOGO_DIRENT_SIZE (20). */
		uint32_t n = 2;
		struct list_node *p;
		list_for_each(p, &i->entries)
			n++;
		st->size = n * 20;
	}
}

static int tmpfs_truncate(const struct vnode *v, uint64_t size)
{
	struct tmpfs_inode *i = vnode_inode(v);
	if (s_isdir(i->mode))
		return -EISDIR;
	if (!i->data)
		return -EINVAL;
	if (size > (uint64_t)i->sb->quota.max << PAGE_SHIFT)
		return -EFBIG;
	int err = filemap_truncate(i->data, size);
	if (err == 0)
		i->mtime = i->ctime = now();
	return err;
}

static int tmpfs_chmod(const struct vnode *v, uint32_t mode)
{
	struct tmpfs_inode *i = vnode_inode(v);
	i->mode = (i->mode & S_IFMT) | (mode & 07777);
	i->ctime = now();
	return 0;
}

static int tmpfs_utimes(const struct vnode *v, int64_t atime, int64_t mtime)
{
	struct tmpfs_inode *i = vnode_inode(v);
	if (atime >= 0)
		i->atime = atime;
	if (mtime >= 0)
		i->mtime = mtime;
	i->ctime = now();
	return 0;
}

static int tmpfs_open(const struct vnode *v, struct file *f, int flags)
{
	struct tmpfs_inode *i = vnode_inode(v);
	if (s_isdir(i->mode)) {
		f->ops = &tmpfs_dir_ops;
		return 0;
	}
	f->ops = &tmpfs_file_ops;
	if ((flags & O_TRUNC) && i->data->size > 0) {
		int err = filemap_truncate(i->data, 0);
		if (err)
			return err;
		i->mtime = i->ctime = now();
	}
	return 0;
}

static int32_t tmpfs_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	struct tmpfs_inode *i = vnode_inode(&f->vn);
	if (*pos < 0)
		return -EINVAL;
	int32_t got = filemap_read(i->data, buf, n, (uint64_t)*pos);
	if (got > 0)
		*pos += got;
	return got;
}

static int32_t tmpfs_write(struct file *f, const char *buf, size_t n,
			   int64_t *pos)
{
	struct tmpfs_inode *i = vnode_inode(&f->vn);
	/* O_APPEND writes at the end, even for pwrite (as Linux). */
	if (f->flags & O_APPEND)
		*pos = i->data->size;
	if (*pos < 0)
		return -EINVAL;
	if (n == 0)
		return 0;
	uint64_t limit = (uint64_t)i->sb->quota.max << PAGE_SHIFT;
	if ((uint64_t)*pos >= limit)
		return -EFBIG;
	if (n > limit - (uint64_t)*pos)
		n = (size_t)(limit - (uint64_t)*pos);
	int32_t put = filemap_write(i->data, buf, n, (uint64_t)*pos);
	if (put > 0) {
		*pos += put;
		i->mtime = i->ctime = now();
	}
	return put;
}

static int64_t tmpfs_lseek(struct file *f, int64_t off, int whence)
{
	struct tmpfs_inode *i = vnode_inode(&f->vn);
	return file_lseek_sized(f, off, whence, i->data->size);
}

static int tmpfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct tmpfs_inode *i = vnode_inode(&f->vn);
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	uint64_t limit = (uint64_t)i->sb->quota.max << PAGE_SHIFT;
	if ((uint64_t)off + (uint64_t)len > limit)
		return -EFBIG;
	int err = filemap_allocate(i->data, (uint64_t)off, (uint64_t)len,
				   mode & FALLOC_FL_KEEP_SIZE);
	if (err == 0)
		i->ctime = now();
	return err;
}

/* Lists a directory: ".", "..", then the entries by position. */
static int tmpfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct tmpfs_inode *dir = vnode_inode(&f->vn);
	uint32_t parent = dir->parent ? dir->parent->ino : dir->ino;
	if (!dir_emit_dots(ctx, dir->ino, parent))
		return 0;
	struct list_node *n;
	list_for_each(n, &dir->entries) {
		struct tmpfs_dirent *d =
			list_entry(n, struct tmpfs_dirent, node);
		if (d->pos < ctx->pos)
			continue;
		ctx->pos = d->pos;
		if (!ctx->emit(ctx, d->name, d->len, d->inode->ino,
			       mode_to_dtype(d->inode->mode)))
			return 0;
		ctx->pos = d->pos + 1;
	}
	ctx->pos = dir->next_pos;
	return 0;
}

static const struct file_ops tmpfs_file_ops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.lseek = tmpfs_lseek,
	.fallocate = tmpfs_fallocate,
};

static const struct file_ops tmpfs_dir_ops = {
	.lseek = file_lseek_dir,
	.iterate = tmpfs_iterate,
};

static const struct fs_ops tmpfs_ops = {
	.name = "tmpfs",
	.read_only = false,
	.lookup = tmpfs_lookup,
	.open = tmpfs_open,
	.getattr = tmpfs_getattr,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.truncate = tmpfs_truncate,
	.chmod = tmpfs_chmod,
	.utimes = tmpfs_utimes,
	.vget = tmpfs_vget,
	.vput = tmpfs_vput,
};

struct shm_object *tmpfs_file_cache(const struct vnode *v)
{
	if (v->fs != &tmpfs_ops)
		return NULL;
	return vnode_inode(v)->data;
}

/* Sets up one instance: its root (mode 1777, as /tmp and /dev/shm). */
static void sb_init(struct tmpfs_sb *sb, uint32_t max_pages)
{
	sb->quota.max = max_pages;
	sb->next_ino = 1;
	sb->root = inode_new(sb, S_IFDIR | 01777);
	KASSERT(sb->root);
	sb->root->nlink = 2;
}

/* Both instances are made at the first lookup of either. */
static void tmpfs_init(void)
{
	if (tmp_sb.root)
		return;
	struct pmm_stats st;
	pmm_get_stats(&st);
	sb_init(&tmp_sb, st.managed_pages / 2);
	sb_init(&shm_sb, st.managed_pages / 2);
}

void tmpfs_tmp_root(struct vnode *out)
{
	tmpfs_init();
	inode_vnode(tmp_sb.root, out);
}

void tmpfs_shm_root(struct vnode *out)
{
	tmpfs_init();
	inode_vnode(shm_sb.root, out);
}
