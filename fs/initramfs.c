/*
 * fs/initramfs.c - unpacking the initramfs into a tree, and path lookup.
 *
 * The archive is read twice: once to check all of it (a corrupt or
 * truncated archive gives no files at all rather than half a tree), then
 * to build the tree. Entries are handled the way Linux's initramfs
 * unpacker treats them, as far as they can be in a read-only tree:
 *   - names are relative to the root whatever they start with ("./bin",
 *     "/bin" and "bin" are the same); empty and "." components are
 *     ignored; a ".." component makes the entry be skipped;
 *   - a missing parent directory ("bin/sh" before, or without, "bin") is
 *     created with mode 0755; a later entry for it sets its mode and time;
 *   - a later file or link with the same name replaces an earlier one;
 *   - hard links are not recognised: each entry is a separate file (GNU
 *     cpio stores the data of a hard-linked file with its last name only,
 *     so the earlier names would read as empty).
 * An entry that cannot be added is skipped with a warning; the rest of the
 * archive is still used.
 *
 * Each inode is one kmalloc block holding the struct, its name and its
 * path. Directory entries are an array grown by doubling. Nothing is freed
 * once the tree is built (see the header); on running out of memory while
 * building, the partial tree is freed without recursion and the root is
 * left empty.
 */
#include "fs/initramfs.h"

#include "kernel/arch/multiboot.h"
#include "libk/assert.h"
#include "libk/cpio.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab.h"
#include "mm/types.h"

/* The command-line word that marks the initramfs module (iso/boot/grub). */
#define INITRAMFS_MODULE_NAME "initramfs"

/* Mode of directories the archive implies but does not list. */
#define IMPLICIT_DIR_MODE (S_IFDIR | 0755)

/* Permission, set-id and sticky bits of a mode. */
#define MODE_PERM_MASK 07777

static struct inode root = {
	.name = "",
	.path = "/",
	.mode = IMPLICIT_DIR_MODE,
	.ino = 1,
	.nlink = 2,
	.parent = &root,
};

/* A tree being built: its root, the next inode number, its counts. */
struct builder {
	struct inode *root;
	uint32_t next_ino;
	struct initramfs_stats *stats;
};

static bool initialised;
static struct initramfs_stats stats = { .dirs = 1 };

/* The root directory: static, so it exists before and without a module. */
struct inode *initramfs_root(void)
{
	return &root;
}

/* Copies the counts of the boot tree. */
void initramfs_get_stats(struct initramfs_stats *st)
{
	*st = stats;
}

/* The child of dir called name[0..len), or NULL. */
static struct inode *dir_find(const struct inode *dir, const char *name,
			      size_t len)
{
	for (uint32_t i = 0; i < dir->nchildren; i++) {
		struct inode *c = dir->children[i];
		if (!strncmp(c->name, name, len) && c->name[len] == '\0')
			return c;
	}
	return NULL;
}

/* Appends child to dir's entries, growing the array. Returns 0 or -ENOMEM. */
static int dir_append(struct inode *dir, struct inode *child)
{
	if (dir->nchildren == dir->children_cap) {
		uint32_t cap = dir->children_cap ? 2 * dir->children_cap : 4;
		struct inode **a = kmalloc(cap * sizeof(*a), GFP_KERNEL);
		if (!a)
			return -ENOMEM;
		if (dir->nchildren)
			memcpy(a, dir->children, dir->nchildren * sizeof(*a));
		kfree(dir->children);
		dir->children = a;
		dir->children_cap = cap;
	}
	dir->children[dir->nchildren++] = child;
	return 0;
}

/* Only a root is its own parent. */
static bool is_root(const struct inode *i)
{
	return i->parent == i;
}

/* The root of the tree that holds i. */
static struct inode *tree_root(struct inode *i)
{
	while (!is_root(i))
		i = i->parent;
	return i;
}

/* Length of the path of a child called name[0..len) of dir. */
static size_t child_path_len(const struct inode *dir, size_t len)
{
	return (is_root(dir) ? 0 : strlen(dir->path)) + 1 + len;
}

/*
 * Creates an entry name[0..len) in dir. The caller has checked the name
 * and that the path fits. Returns the inode, or NULL without memory.
 */
static struct inode *inode_create(struct builder *b, struct inode *dir,
				  const char *name, size_t len, uint32_t mode,
				  uint32_t mtime)
{
	size_t plen = child_path_len(dir, len);
	struct inode *n = kzalloc(sizeof(*n) + len + 1 + plen + 1, GFP_KERNEL);
	if (!n)
		return NULL;

	char *nm = (char *)(n + 1);
	memcpy(nm, name, len);
	nm[len] = '\0';
	char *path = nm + len + 1;
	size_t dlen = plen - 1 - len;
	memcpy(path, dir->path, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + 1, name, len); /* name need not end at len */
	path[plen] = '\0';

	n->name = nm;
	n->path = path;
	n->mode = mode;
	n->mtime = mtime;
	n->nlink = (mode & S_IFMT) == S_IFDIR ? 2 : 1;
	n->parent = dir;
	if (dir_append(dir, n)) {
		kfree(n);
		return NULL;
	}
	n->ino = b->next_ino++;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		dir->nlink++; /* the new directory's ".." */
		b->stats->dirs++;
		break;
	case S_IFREG:
		b->stats->files++;
		break;
	default:
		b->stats->symlinks++;
		break;
	}
	return n;
}

/*
 * Frees every inode below root, iteratively (a deep tree must not use
 * deep recursion on a kernel stack), and empties root.
 */
static void tree_empty(struct inode *root)
{
	struct inode *n = root;

	for (;;) {
		if (n->nchildren) {
			n = n->children[--n->nchildren];
			continue;
		}
		kfree(n->children);
		n->children = NULL;
		n->children_cap = 0;
		if (n == root)
			break;
		struct inode *parent = n->parent;
		kfree(n);
		n = parent;
	}
	root->nlink = 2;
}

/* Logs why an archive entry is ignored; returns 0 so unpacking goes on. */
static int skip(struct builder *b, const struct cpio_entry *e, const char *why)
{
	pr_warn("initramfs: skipping '%s': %s\n", e->name, why);
	b->stats->skipped++;
	return 0;
}

/* Sets the type-specific contents of a file or link from its entry. */
static void set_contents(struct inode *n, const struct cpio_entry *e)
{
	n->data = e->data;
	n->size = (uint32_t)e->size;
}

/* Adds one archive entry to the tree. Returns 0 or -ENOMEM. */
static int add_entry(struct builder *b, const struct cpio_entry *e)
{
	uint32_t type = e->mode & CPIO_S_IFMT;
	uint32_t mode = type | (e->mode & MODE_PERM_MASK);

	if (type != CPIO_S_IFDIR && type != CPIO_S_IFREG &&
	    type != CPIO_S_IFLNK)
		return skip(b, e, "not a file, directory or symbolic link");
	if (type == CPIO_S_IFLNK &&
	    (e->size == 0 || e->size >= INITRAMFS_PATH_MAX))
		return skip(b, e,
			    "symbolic link with an empty or overlong target");

	/* Walk the components; all but the last must be directories. */
	struct inode *dir = b->root;
	const char *p = e->name, *last = NULL;
	size_t lastlen = 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *q = p;
		while (*q && *q != '/')
			q++;
		size_t len = (size_t)(q - p);
		if (len == 1 && p[0] == '.') {
			p = q;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return skip(b, e, "'..' in the name");
		if (len > INITRAMFS_NAME_MAX)
			return skip(b, e, "a name component is too long");
		if (last) {
			struct inode *d = dir_find(dir, last, lastlen);
			if (d && !inode_is_dir(d))
				return skip(b, e,
					    "a parent is not a directory");
			if (!d) {
				if (child_path_len(dir, lastlen) >=
				    INITRAMFS_PATH_MAX)
					return skip(b, e, "path too long");
				d = inode_create(b, dir, last, lastlen,
						 IMPLICIT_DIR_MODE, e->mtime);
				if (!d)
					return -ENOMEM;
			}
			dir = d;
		}
		last = p;
		lastlen = len;
		p = q;
	}

	if (!last) {
		/* "." or "/": the root itself. */
		if (type != CPIO_S_IFDIR)
			return skip(b, e, "names the root but is no directory");
		b->root->mode = mode;
		b->root->uid = e->uid;
		b->root->gid = e->gid;
		b->root->mtime = e->mtime;
		return 0;
	}

	struct inode *old = dir_find(dir, last, lastlen);
	if (old) {
		bool old_dir = inode_is_dir(old);
		if (old_dir != (type == CPIO_S_IFDIR))
			return skip(b, e, "conflicts with an earlier entry");
		if (!old_dir) {
			/* A later file or link replaces the earlier one. */
			if ((old->mode & S_IFMT) != type) {
				if (type == CPIO_S_IFREG) {
					b->stats->files++;
					b->stats->symlinks--;
				} else {
					b->stats->symlinks++;
					b->stats->files--;
				}
			}
			set_contents(old, e);
		}
		old->mode = mode;
		old->uid = e->uid;
		old->gid = e->gid;
		old->mtime = e->mtime;
		return 0;
	}

	if (child_path_len(dir, lastlen) >= INITRAMFS_PATH_MAX)
		return skip(b, e, "path too long");
	struct inode *n = inode_create(b, dir, last, lastlen, mode, e->mtime);
	if (!n)
		return -ENOMEM;
	n->uid = e->uid;
	n->gid = e->gid;
	if (type != CPIO_S_IFDIR)
		set_contents(n, e);
	return 0;
}

/* The module holding the initramfs, or NULL if there is none. */
static const struct boot_module *find_module(void)
{
	for (size_t i = 0; i < boot_info.nmodules; i++) {
		/* Look for the word among the module's command line. */
		const char *s = boot_info.modules[i].name;
		size_t wl = strlen(INITRAMFS_MODULE_NAME);
		while (*s) {
			while (*s == ' ')
				s++;
			const char *w = s;
			while (*s && *s != ' ')
				s++;
			if ((size_t)(s - w) == wl &&
			    !strncmp(w, INITRAMFS_MODULE_NAME, wl))
				return &boot_info.modules[i];
		}
	}
	return boot_info.nmodules ? &boot_info.modules[0] : NULL;
}

/*
 * Checks the archive image[0..size) and unpacks it below root (an empty
 * directory whose parent is itself). Returns 0, -EINVAL (corrupt: the
 * reason is logged, the tree stays empty) or -ENOMEM (the tree is
 * emptied again).
 */
static int unpack(struct inode *root, const void *image, size_t size,
		  struct initramfs_stats *st, const char *what)
{
	struct builder b = { .root = root,
			     .next_ino = root->ino + 1,
			     .stats = st };
	struct cpio_reader r;
	struct cpio_entry e;
	int ret;

	/* Check the whole archive before using any of it. */
	cpio_reader_init(&r, image, size);
	while ((ret = cpio_next(&r, &e)) > 0)
		;
	if (ret < 0) {
		pr_err("initramfs: %s is not a valid cpio archive: %s; "
		       "starting without files\n",
		       what, r.error);
		return -EINVAL;
	}

	cpio_reader_init(&r, image, size);
	while ((ret = cpio_next(&r, &e)) > 0) {
		ret = add_entry(&b, &e);
		if (ret) {
			pr_err("initramfs: out of memory at '%s' in %s; "
			       "starting without files\n",
			       e.name, what);
			tree_empty(root);
			*st = (struct initramfs_stats){ .dirs = 1 };
			return ret;
		}
	}
	KASSERT(ret == 0); /* the first pass read the same bytes */
	st->image = image;
	st->image_size = size;
	return 0;
}

/* Finds the boot module and unpacks it into the root (once). */
int initramfs_init(void)
{
	char what[BOOT_NAME_MAX + 16];

	if (initialised)
		return stats.image ? 0 : -ENOENT;
	initialised = true;

	const struct boot_module *m = find_module();
	if (!m) {
		pr_warn("initramfs: no boot module; starting without files\n");
		return -ENOENT;
	}
	if (m->end <= m->start || m->end > LOWMEM_LIMIT) {
		pr_err("initramfs: module '%s' at 0x%08x-0x%08x is empty or "
		       "not in lowmem (below 0x%08x); starting without "
		       "files\n",
		       m->name, m->start, m->end, LOWMEM_LIMIT);
		return -EINVAL;
	}
	/* Lowmem is direct-mapped: physical + KERNEL_VMA (mm/types.h). */
	const void *image = (const void *)(uintptr_t)(m->start + KERNEL_VMA);
	size_t size = m->end - m->start;

	snprintf(what, sizeof(what), "module '%s'", m->name);
	int err = unpack(&root, image, size, &stats, what);
	if (err)
		return err;
	pr_info("initramfs: %u files, %u directories, %u links from '%s' "
		"(%u KiB at 0x%08x)\n",
		stats.files, stats.dirs, stats.symlinks, m->name,
		(uint32_t)(size / 1024), m->start);
	return 0;
}

/* Unpacks an archive into a tree of its own (tests). */
int initramfs_unpack(const void *image, size_t size, struct inode **root_out,
		     struct initramfs_stats *st)
{
	/* The root's name and path live in the same block, as elsewhere. */
	struct inode *r = kzalloc(sizeof(*r) + 2, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	char *path = (char *)(r + 1);
	path[0] = '/';
	r->name = path + 1;
	r->path = path;
	r->mode = IMPLICIT_DIR_MODE;
	r->ino = 1;
	r->nlink = 2;
	r->parent = r;
	*st = (struct initramfs_stats){ .dirs = 1 };
	int err = unpack(r, image, size, st, "the archive");
	if (err) {
		kfree(r);
		return err;
	}
	*root_out = r;
	return 0;
}

/* Frees a tree from initramfs_unpack(), root included. */
void initramfs_free_tree(struct inode *r)
{
	KASSERT(is_root(r) && r != &root);
	tree_empty(r);
	kfree(r);
}

/*
 * Resolves path[0..len) from dir. follow_last: follow a symlink in the
 * final component. nest: how many links are being resolved around this
 * call; *total: links followed so far in the whole lookup.
 */
static int walk(struct inode *dir, const char *path, size_t len,
		bool follow_last, unsigned int nest, unsigned int *total,
		struct inode **out)
{
	struct inode *cur = (len && path[0] == '/') ? tree_root(dir) : dir;
	size_t i = 0;

	for (;;) {
		while (i < len && path[i] == '/')
			i++;
		if (i == len)
			break;
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		size_t clen = j - i;
		if (clen > INITRAMFS_NAME_MAX)
			return -ENAMETOOLONG;
		/* Last component, and whether slashes follow it. */
		size_t k = j;
		while (k < len && path[k] == '/')
			k++;
		bool last = k == len, trailing = last && j < len;

		if (!inode_is_dir(cur))
			return -ENOTDIR;
		const char *c = path + i;
		if (clen == 1 && c[0] == '.') {
			/* stays */
		} else if (clen == 2 && c[0] == '.' && c[1] == '.') {
			cur = cur->parent;
		} else {
			struct inode *child = dir_find(cur, c, clen);
			if (!child)
				return -ENOENT;
			if (inode_is_symlink(child) &&
			    (!last || follow_last || trailing)) {
				if (nest >= INITRAMFS_SYMLINK_NEST ||
				    ++*total > INITRAMFS_SYMLINK_MAX)
					return -ELOOP;
				int err = walk(cur, (const char *)child->data,
					       child->size, true, nest + 1,
					       total, &child);
				if (err)
					return err;
			}
			cur = child;
		}
		i = j;
	}
	if (len && path[len - 1] == '/' && !inode_is_dir(cur))
		return -ENOTDIR;
	*out = cur;
	return 0;
}

/* Resolves a whole path (see the header for the rules). */
int initramfs_lookup_at(struct inode *dir, const char *path, unsigned int flags,
			struct inode **out)
{
	unsigned int total = 0;

	if (!dir)
		dir = &root;
	KASSERT(inode_is_dir(dir));
	size_t len = strnlen(path, INITRAMFS_PATH_MAX);
	if (len == INITRAMFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	return walk(dir, path, len, !(flags & INITRAMFS_NOFOLLOW), 0, &total,
		    out);
}

/* Resolves path from the root, following symlinks. */
int initramfs_lookup(const char *path, struct inode **out)
{
	return initramfs_lookup_at(NULL, path, 0, out);
}

/* Entry pos of dir: ".", "..", then the children in order. */
int initramfs_readdir(const struct inode *dir, uint32_t pos,
		      struct initramfs_dirent *ent)
{
	if (!inode_is_dir(dir))
		return -ENOTDIR;
	if (pos == 0) {
		ent->name = ".";
		ent->inode = dir;
	} else if (pos == 1) {
		ent->name = "..";
		ent->inode = dir->parent;
	} else if (pos - 2 < dir->nchildren) {
		ent->inode = dir->children[pos - 2];
		ent->name = ent->inode->name;
	} else {
		return 0;
	}
	return 1;
}

/* Copies a link's target, readlink(2) style (no NUL). */
int initramfs_readlink(const struct inode *link, char *buf, size_t size)
{
	if (!inode_is_symlink(link))
		return -EINVAL;
	size_t n = link->size < size ? link->size : size;
	memcpy(buf, link->data, n);
	return (int)n;
}
