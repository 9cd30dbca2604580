/*
 * fs/namei.c - from path names to vnodes, and the root directory.
 *
 * A path is walked one component at a time from the root (or, for a
 * relative path, from the canonical directory it is relative to), keeping
 * the canonical path of the directory reached so far. The two are never
 * joined into one string: PATH_MAX limits the path a program passes, not
 * its current directory plus that path, as on Linux. "." is skipped; ".."
 * drops the last canonical component and walks the shorter path again
 * from the root (the canonical path never contains a symlink, so that walk
 * is plain lookups), which is also how ".." leaves a mounted file system.
 * A symbolic link met on the way is replaced by its target, spliced in
 * front of the rest of the path; an absolute target restarts at the root.
 *
 * The root directory is the initramfs's root with the mount points laid
 * over it: "proc", "dev" and "tmp" name procfs, devfs and tmpfs whatever
 * the initramfs has under those names (/dev/shm, the second tmpfs, is
 * devfs's entry). Without an initramfs the root holds only them.
 */
#include "fs/file.h"

#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"

/* A mount point in the root directory. */
struct mount {
	const char *name;
	void (*root)(struct vnode *out);
};

static const struct mount mounts[] = {
	{ "dev", devfs_root },
	{ "proc", procfs_root },
	{ "tmp", tmpfs_tmp_root },
};

#define NMOUNTS (sizeof(mounts) / sizeof(mounts[0]))
#define ROOT_INO 1 /* when there is no initramfs to give one */

static const struct mount *find_mount(const char *name, size_t len)
{
	for (size_t i = 0; i < NMOUNTS; i++)
		if (strlen(mounts[i].name) == len &&
		    !memcmp(mounts[i].name, name, len))
			return &mounts[i];
	return NULL;
}

/* Looks up a name in the root: a mount point, else the initramfs. */
static int root_lookup(const struct vnode *dir, const char *name, size_t len,
		       struct vnode *out)
{
	(void)dir;
	const struct mount *m = find_mount(name, len);
	if (m) {
		m->root(out);
		return 0;
	}
	struct vnode ir;
	if (initramfs_fs_root(&ir))
		return -ENOENT;
	return ir.fs->lookup(&ir, name, len, out);
}

/* Passes initramfs entries on, minus those a mount point hides. */
struct root_list_ctx {
	struct dir_ctx ctx;    /* what the initramfs listing sees */
	struct dir_ctx *outer; /* the caller's */
};

/* Forwards one initramfs entry unless a mount point hides it. */
static bool root_list_emit(struct dir_ctx *ctx, const char *name, size_t len,
			   uint64_t ino, unsigned int type)
{
	struct root_list_ctx *rc = (struct root_list_ctx *)ctx;
	if (find_mount(name, len))
		return true;
	rc->outer->pos = ctx->pos;
	return rc->outer->emit(rc->outer, name, len, ino, type);
}

/*
 * Lists the root: ".", "..", the mount points (positions 2 ..), then the
 * initramfs's entries.
 */
static int root_iterate(struct file *f, struct dir_ctx *ctx)
{
	if (!dir_emit_dots(ctx, f->vn.ino, f->vn.ino))
		return 0;
	while (ctx->pos >= 2 && ctx->pos < 2 + (int64_t)NMOUNTS) {
		const struct mount *m = &mounts[ctx->pos - 2];
		struct vnode v;
		m->root(&v);
		if (!ctx->emit(ctx, m->name, strlen(m->name), v.ino, DT_DIR))
			return 0;
		ctx->pos++;
	}
	struct vnode ir;
	if (initramfs_fs_root(&ir))
		return 0;
	struct root_list_ctx rc = {
		.ctx = { .emit = root_list_emit, .pos = ctx->pos },
		.outer = ctx,
	};
	int err = initramfs_fs_list(&ir, &rc.ctx, 2 + NMOUNTS);
	ctx->pos = rc.ctx.pos;
	return err;
}

static const struct file_ops root_file_ops = {
	.lseek = file_lseek_dir,
	.iterate = root_iterate,
};

/* Opens the root directory for listing. */
static int root_open(const struct vnode *v, struct file *f, int flags)
{
	(void)v;
	(void)flags;
	f->ops = &root_file_ops;
	return 0;
}

/* The root is the initramfs's root directory, with the mount points as links. */
static void root_getattr(const struct vnode *v, struct kstat *st)
{
	struct vnode ir;
	if (initramfs_fs_root(&ir) == 0) {
		ir.fs->getattr(&ir, st);
	} else {
		st->dev_minor = 1;
		st->ino = v->ino;
		st->mode = v->mode;
		st->blksize = 4096;
	}
	st->nlink = 2 + NMOUNTS;
}

static const struct fs_ops root_fs_ops = {
	.name = "rootfs",
	.read_only = true,
	.lookup = root_lookup,
	.open = root_open,
	.getattr = root_getattr,
};

void namei_root(struct vnode *out)
{
	struct vnode ir;
	*out = (struct vnode){
		.fs = &root_fs_ops,
		.mode = S_IFDIR | 0755,
		.ino = initramfs_fs_root(&ir) == 0 ? ir.ino : ROOT_INO,
	};
}

/* Drops the last component of a canonical path ("/" stays "/"). */
static void canon_pop(char *canon)
{
	char *slash = strrchr(canon, '/');
	if (slash == canon)
		canon[1] = '\0';
	else
		*slash = '\0';
}

/* Appends a component to a canonical path; -ENAMETOOLONG if it cannot. */
static int canon_push(char *canon, const char *name, size_t len)
{
	size_t cl = strlen(canon);
	bool slash = cl > 1;
	if (cl + slash + len + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	if (slash)
		canon[cl++] = '/';
	memcpy(canon + cl, name, len);
	canon[cl + len] = '\0';
	return 0;
}

/* Walks a canonical path (directories only, no symlinks) from the root. */
static int walk_canon(const char *canon, struct vnode *out)
{
	struct vnode cur;
	namei_root(&cur);
	const char *p = canon;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *name = p;
		while (*p && *p != '/')
			p++;
		struct vnode next;
		int err = cur.fs->lookup(&cur, name, (size_t)(p - name), &next);
		if (err)
			return err;
		cur = next;
	}
	*out = cur;
	return 0;
}

/* The working memory of one lookup: too big for the kernel stack. */
struct namei_buf {
	char rest[PATH_MAX];   /* what is left to walk */
	char target[PATH_MAX]; /* a symlink's target spliced with the rest */
	char canon[PATH_MAX];  /* the canonical path walked so far */
};

/*
 * Replaces the symlink at the current component by its target: rest
 * becomes target + tail, where tail is what followed the component.
 */
static int splice_link(struct namei_buf *w, const struct vnode *link,
		       const char *tail)
{
	int n = link->fs->readlink(link, w->target, PATH_MAX);
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	size_t tl = strlen(tail);
	if ((size_t)n + tl + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(w->target + n, tail, tl + 1);
	memcpy(w->rest, w->target, (size_t)n + tl + 1);
	return 0;
}

/*
 * The walk itself (see namei() in fs/file.h), from the canonical
 * directory start ("/" for an absolute path).
 */
static int walk(struct namei_buf *w, const char *start, unsigned int flags,
		struct vnode *out)
{
	struct vnode cur;
	unsigned int links = 0;
	bool must_be_dir = false;
	const char *p = w->rest;

	if (strlcpy(w->canon, start, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	int err = walk_canon(w->canon, &cur);
	if (err)
		return err;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - name);
		const char *q = p;
		while (*q == '/')
			q++;
		bool last = *q == '\0';
		must_be_dir = last && *p == '/';

		if (!s_isdir(cur.mode))
			return -ENOTDIR;
		/* Looking in a directory needs its search (x) permission. */
		err = vnode_permission(&cur, MAY_EXEC);
		if (err)
			return err;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			canon_pop(w->canon);
			err = walk_canon(w->canon, &cur);
			if (err)
				return err;
			continue;
		}
		struct vnode next;
		err = cur.fs->lookup(&cur, name, len, &next);
		if (err)
			return err;
		if (s_islnk(next.mode) &&
		    (!last || must_be_dir || (flags & NAMEI_FOLLOW))) {
			if (++links > SYMLINK_MAX)
				return -ELOOP;
			err = splice_link(w, &next, p);
			if (err)
				return err;
			p = w->rest;
			if (*p == '/') {
				namei_root(&cur);
				strlcpy(w->canon, "/", PATH_MAX);
			}
			continue;
		}
		err = canon_push(w->canon, name, len);
		if (err)
			return err;
		cur = next;
	}
	if ((must_be_dir || (flags & NAMEI_DIR)) && !s_isdir(cur.mode))
		return -ENOTDIR;
	*out = cur;
	return 0;
}

int namei(const char *base, const char *path, unsigned int flags,
	  struct vnode *out, char *canon, size_t canon_size)
{
	int err;

	if (!path[0])
		return -ENOENT;
	struct namei_buf *w = kmalloc(sizeof(*w), 0);
	if (!w)
		return -ENOMEM;
	/*
	 * PATH_MAX limits the string given, not the directory it starts
	 * from: a relative path is walked from base, never joined to it.
	 */
	err = strlcpy(w->rest, path, PATH_MAX) < PATH_MAX ? 0 : -ENAMETOOLONG;
	if (err == 0)
		err = walk(w, path[0] == '/' ? "/" : base, flags, out);
	if (err == 0 && canon &&
	    strlcpy(canon, w->canon, canon_size) >= canon_size)
		err = -ENAMETOOLONG;
	kfree(w);
	return err;
}
