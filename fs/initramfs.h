/*
 * fs/initramfs.h - the file tree unpacked from the boot module.
 *
 * The loader brings the initramfs (a cpio "newc" archive, built by
 * tools/mkinitramfs.sh) into memory as a Multiboot module. At boot,
 * initramfs_init() checks the whole archive and builds a tree of struct
 * inode from it; file contents are NOT copied: an inode's data pointer
 * points into the module, which stays reserved for as long as the kernel
 * runs (program pages are loaded from it on demand, see kernel/proc/elf.c).
 *
 * Invariants:
 *   - The tree is built once and never changes afterwards: inodes are
 *     never freed (test trees from initramfs_unpack() aside), so a
 *     pointer to one (an open file, a current directory, a region's
 *     file) stays valid without reference counting. Nothing
 *     here takes locks, and nothing needs to.
 *   - The root always exists (even with no module or a corrupt archive,
 *     when it is an empty directory). It is the only inode that is its
 *     own parent.
 *   - Every inode is a directory, a regular file or a symbolic link.
 *     Device nodes, FIFOs and sockets in the archive are skipped.
 *   - Inode numbers are Pagoda's own, 1 (the root) upwards in archive
 *     order, unique; the archive's numbers (the build host's) are unused.
 *   - Names are non-empty, at most INITRAMFS_NAME_MAX bytes, contain no
 *     '/', and are never "." or ".."; an entry whose name would break
 *     this is skipped with a warning. Paths are at most
 *     INITRAMFS_PATH_MAX - 1 bytes.
 *
 * Using it to implement file system calls:
 *   - open/stat/execve:   initramfs_lookup_at(cwd, path, 0, &inode)
 *   - lstat/readlink:     the same with INITRAMFS_NOFOLLOW
 *   - read/pread/mmap:    bytes inode->data[0 .. inode->size) (read-only;
 *                         copy_to_user straight from them)
 *   - readlink:           the target is inode->data[0 .. inode->size),
 *                         NOT NUL-terminated (or initramfs_readlink())
 *   - getdents64:         initramfs_readdir(dir, pos, &ent) with pos = the
 *                         file offset (0 ".", 1 "..", then the entries);
 *                         inode_dtype() gives d_type
 *   - stat:               mode, uid, gid, size, ino, nlink, mtime below
 *                         (the archive is built with --owner=0:0, then
 *                         the home directories get their users);
 *                         st_blocks = (size + 511) / 512; st_dev is
 *                         INITRAMFS_DEV
 *   - getcwd, /proc/PID/exe and maps: inode->path (absolute, stable)
 */
#ifndef KERNEL_INITRAMFS_H
#define KERNEL_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* File type bits of st_mode (POSIX <sys/stat.h>; Linux's values). */
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000

/* d_type values of getdents64 (Linux include/linux/fs_types.h). */
#define DT_UNKNOWN 0
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

/* Linux's limits: PATH_MAX counts the NUL, NAME_MAX does not (limits.h). */
#define INITRAMFS_PATH_MAX 4096
#define INITRAMFS_NAME_MAX 255
/*
 * Symbolic links: at most INITRAMFS_SYMLINK_NEST links being resolved
 * inside one another (a link whose target goes through a link, ...) and
 * INITRAMFS_SYMLINK_MAX followed in all during one lookup (Linux's
 * MAXSYMLINKS); beyond either, the lookup fails with -ELOOP.
 */
#define INITRAMFS_SYMLINK_NEST 8
#define INITRAMFS_SYMLINK_MAX 40

/* The device number stat reports for these files (major 0, minor 1). */
#define INITRAMFS_DEV 1

/* initramfs_lookup_at() flags. */
#define INITRAMFS_NOFOLLOW (1u << 0) /* do not follow a final symlink */

struct inode {
	const char *name; /* last path component; "" for the root */
	/* Absolute path: "/" for the root, else like "/bin/sh". Stable. */
	const char *path;
	uint32_t mode; /* S_IFDIR, S_IFREG or S_IFLNK | 07777 bits */
	uint32_t uid, gid; /* owner, from the archive (0 for implicit dirs) */
	/* Bytes of file contents or of a link's target; 0 for directories. */
	uint32_t size;
	/* Contents or link target, in the boot module; NULL for directories. */
	const uint8_t *data;
	uint32_t ino; /* inode number, unique, root is 1 */
	/* 1 for a file or link; 2 + its subdirectories for a directory. */
	uint32_t nlink;
	uint32_t mtime;		 /* modification time, seconds since 1970 */
	struct inode *parent;	 /* containing directory (root: itself) */
	struct inode **children; /* directory entries, in archive order */
	uint32_t nchildren;	 /* how many */
	uint32_t children_cap;	 /* allocated slots in children */
};

/* A directory entry as getdents64 lists it. */
struct initramfs_dirent {
	const char *name;	   /* ".", "..", or the entry's name */
	const struct inode *inode; /* what it names (for d_ino, d_type) */
};

static inline bool inode_is_dir(const struct inode *i)
{
	return (i->mode & S_IFMT) == S_IFDIR;
}

static inline bool inode_is_reg(const struct inode *i)
{
	return (i->mode & S_IFMT) == S_IFREG;
}

static inline bool inode_is_symlink(const struct inode *i)
{
	return (i->mode & S_IFMT) == S_IFLNK;
}

/* The getdents64 d_type of an inode. */
static inline uint8_t inode_dtype(const struct inode *i)
{
	switch (i->mode & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFREG:
		return DT_REG;
	case S_IFLNK:
		return DT_LNK;
	default:
		return DT_UNKNOWN;
	}
}

/*
 * Finds the initramfs among the boot modules (the one whose command line
 * has the word "initramfs", else the first one), checks the archive and
 * builds the tree. Call once the kernel heap works; later calls do
 * nothing. Problems (no module, a module outside lowmem, a corrupt or
 * truncated archive, no memory) are logged on one line each and leave an
 * empty root: the kernel boots on without files. Returns 0 when an archive
 * was unpacked, else the error (-ENOENT, -EINVAL, -ENOMEM).
 */
int initramfs_init(void);

/* The root directory. Never NULL. */
struct inode *initramfs_root(void);

/*
 * Resolves path starting at dir (NULL: the root) for relative paths, at
 * the root for absolute ones. Handles "." and "..", repeated and trailing
 * slashes, and follows symbolic links (a final one too unless flags has
 * INITRAMFS_NOFOLLOW; a trailing slash always follows and requires a
 * directory). Returns 0 and sets *out, or:
 *   -ENOENT        a component does not exist, or path is ""
 *   -ENOTDIR       a component used as a directory is not one
 *   -ENAMETOOLONG  path has INITRAMFS_PATH_MAX bytes or more, or a
 *                  component more than INITRAMFS_NAME_MAX
 *   -ELOOP         too many symbolic links (see above)
 * dir must be a directory.
 */
int initramfs_lookup_at(struct inode *dir, const char *path, unsigned int flags,
			struct inode **out);

/* initramfs_lookup_at(NULL, path, 0, out): from the root, following links. */
int initramfs_lookup(const char *path, struct inode **out);

/*
 * Entry number pos of directory dir: 0 is ".", 1 is "..", 2.. are the
 * children in order. Returns 1 and fills *ent, 0 when pos is past the end,
 * or -ENOTDIR.
 */
int initramfs_readdir(const struct inode *dir, uint32_t pos,
		      struct initramfs_dirent *ent);

/*
 * Copies at most size bytes of a symlink's target into buf, without a NUL
 * (readlink(2) semantics). Returns the number copied, or -EINVAL if link
 * is not a symbolic link.
 */
int initramfs_readlink(const struct inode *link, char *buf, size_t size);

/* Counts of what was unpacked, for the boot log and tests. */
struct initramfs_stats {
	uint32_t files, dirs,
		symlinks;    /* inodes of each type (root included) */
	uint32_t skipped;    /* archive entries ignored */
	uint32_t image_size; /* bytes of the archive */
	const void *image;   /* the archive, NULL if none */
};
void initramfs_get_stats(struct initramfs_stats *st);

/*
 * For tests: unpacks the archive image[0..size) into a separate tree
 * with its own root (absolute lookups from its nodes stay inside it),
 * exactly as initramfs_init() does with the boot module. Returns 0, or
 * -EINVAL for a corrupt archive (logged), or -ENOMEM.
 */
int initramfs_unpack(const void *image, size_t size, struct inode **root,
		     struct initramfs_stats *st);
/* Frees a tree made by initramfs_unpack(). */
void initramfs_free_tree(struct inode *root);

#endif
