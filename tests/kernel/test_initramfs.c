/*
 * tests/kernel/test_initramfs.c - the file tree from the boot module.
 *
 * The runner boots with build/initramfs.cpio as the module; it holds the
 * user programs in /bin and the fixtures of tests/initramfs-fixtures in
 * /test (files, directories, and symbolic links: relative, absolute,
 * through "..", dangling, looping, and a chain of 8 and one of 9). The
 * last cases unpack archives built here in memory, to cover what the real
 * archive does not: implicit directories, odd names, replaced and
 * conflicting entries, skipped types, corrupt archives, a deep tree.
 */
#include "fs/initramfs.h"
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/pmm.h"
#include "mm/slab.h"

#define HELLO_TEXT "Hello, initramfs!\n"

/* The tree must be there; the runner always passes the archive. */
static bool have_tree(struct ktest *t)
{
	int err = initramfs_init();
	if (err)
		ktest_fail(t, __FILE__, __LINE__,
			   "initramfs_init: %d (no module or a bad archive?)",
			   err);
	return err == 0;
}

static struct inode *get(const char *path)
{
	struct inode *i = NULL;
	return initramfs_lookup(path, &i) == 0 ? i : NULL;
}

static void unpacked(struct ktest *t)
{
	struct initramfs_stats st;

	if (!have_tree(t))
		return;
	initramfs_get_stats(&st);
	KT_EXPECT(t, st.image != NULL);
	KT_EXPECT(t, st.files >= 6); /* /bin/hello and the fixtures */
	KT_EXPECT(t, st.dirs >= 5);  /* /, bin, test, dir, sub */
	KT_EXPECT(t, st.symlinks >= 16);
	KT_EXPECT_EQ(t, st.skipped, 0);
	/* A second call changes nothing. */
	KT_EXPECT_EQ(t, initramfs_init(), 0);
	struct initramfs_stats again;
	initramfs_get_stats(&again);
	KT_EXPECT_EQ(t, again.files, st.files);

	/* The module stays reserved: file pages are loaded from it. */
	paddr_t pa = (paddr_t)((uintptr_t)st.image - KERNEL_VMA);
	for (paddr_t p = page_round_down(pa); p < pa + st.image_size;
	     p += PAGE_SIZE) {
		struct page *pg = phys_to_page(p);
		KT_ASSERT(t, pg != NULL);
		KT_ASSERT(t, pg->flags & PG_RESERVED);
	}
}

static void files(struct ktest *t)
{
	if (!have_tree(t))
		return;
	struct inode *root = initramfs_root();
	KT_EXPECT(t, inode_is_dir(root));
	KT_EXPECT_EQ(t, root->ino, 1);
	KT_EXPECT(t, root->parent == root);
	KT_EXPECT(t, !strcmp(root->path, "/"));

	struct inode *h = get("/test/hello.txt");
	KT_ASSERT(t, h != NULL);
	KT_EXPECT(t, inode_is_reg(h));
	KT_EXPECT_EQ(t, h->mode & 07777, 0644);
	KT_ASSERT_EQ(t, h->size, strlen(HELLO_TEXT));
	KT_EXPECT(t, !memcmp(h->data, HELLO_TEXT, h->size));
	KT_EXPECT(t, !strcmp(h->name, "hello.txt"));
	KT_EXPECT(t, !strcmp(h->path, "/test/hello.txt"));
	KT_EXPECT_EQ(t, h->nlink, 1);
	KT_EXPECT(t, h->mtime > 0);
	KT_EXPECT(t, h->parent == get("/test"));

	struct inode *e = get("/test/empty");
	KT_ASSERT(t, e != NULL);
	KT_EXPECT_EQ(t, e->size, 0);

	struct inode *prog = get("/bin/hello");
	KT_ASSERT(t, prog != NULL);
	KT_EXPECT(t, inode_is_reg(prog));
	KT_EXPECT(t, prog->mode & 0111);
	KT_ASSERT(t, prog->size > 52);
	KT_EXPECT(t, !memcmp(prog->data,
			     "\x7f"
			     "ELF",
			     4));

	/* nlink of a directory: 2 + its subdirectories. */
	struct inode *dir = get("/test/dir"), *sub = get("/test/dir/sub");
	KT_ASSERT(t, dir && sub);
	KT_EXPECT_EQ(t, dir->nlink, 3);
	KT_EXPECT_EQ(t, sub->nlink, 2);
	KT_EXPECT(t, sub->data == NULL);
	KT_EXPECT_EQ(t, sub->size, 0);
}

static void path_forms(struct ktest *t)
{
	if (!have_tree(t))
		return;
	struct inode *h = get("/test/hello.txt");
	struct inode *test = get("/test");
	struct inode *sub = get("/test/dir/sub");
	struct inode *out;
	KT_ASSERT(t, h && test && sub);

	KT_EXPECT(t, get("//test///hello.txt") == h);
	KT_EXPECT(t, get("test/hello.txt") == h);
	KT_EXPECT(t, get("./test/./hello.txt") == h);
	KT_EXPECT(t, get("/test/dir/../hello.txt") == h);
	KT_EXPECT(t, get("/../../test/hello.txt") == h);
	KT_EXPECT(t, get("/test/dir/sub/../../hello.txt") == h);
	KT_EXPECT(t, get("/") == initramfs_root());
	KT_EXPECT(t, get("/..") == initramfs_root());
	KT_EXPECT(t, get(".") == initramfs_root());
	KT_EXPECT(t, get("/test/dir/") == get("/test/dir"));
	KT_EXPECT(t, get("/test/dir//sub//") == sub);

	/* Relative to a directory; absolute paths ignore it. */
	KT_EXPECT_EQ(t, initramfs_lookup_at(test, "hello.txt", 0, &out), 0);
	KT_EXPECT(t, out == h);
	KT_EXPECT_EQ(t, initramfs_lookup_at(sub, "../../hello.txt", 0, &out),
		     0);
	KT_EXPECT(t, out == h);
	KT_EXPECT_EQ(t, initramfs_lookup_at(sub, ".", 0, &out), 0);
	KT_EXPECT(t, out == sub);
	KT_EXPECT_EQ(t, initramfs_lookup_at(sub, "/test/hello.txt", 0, &out),
		     0);
	KT_EXPECT(t, out == h);
	KT_EXPECT_EQ(t, initramfs_lookup_at(sub, "hello.txt", 0, &out),
		     -ENOENT);
}

static void path_errors(struct ktest *t)
{
	struct inode *out;

	if (!have_tree(t))
		return;
	KT_EXPECT_EQ(t, initramfs_lookup("/nope", &out), -ENOENT);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/nope/x", &out), -ENOENT);
	KT_EXPECT_EQ(t, initramfs_lookup("", &out), -ENOENT);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/hello.txt/", &out), -ENOTDIR);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/hello.txt/x", &out), -ENOTDIR);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/hello.txt/..", &out), -ENOTDIR);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/hello.txt/.", &out), -ENOTDIR);

	char *buf = kmalloc(INITRAMFS_PATH_MAX + 1, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);
	/* A 256-byte component is too long even where nothing exists. */
	buf[0] = '/';
	memset(buf + 1, 'n', 256);
	buf[257] = '\0';
	KT_EXPECT_EQ(t, initramfs_lookup(buf, &out), -ENAMETOOLONG);
	buf[256] = '\0'; /* 255 bytes: just a missing name */
	KT_EXPECT_EQ(t, initramfs_lookup(buf, &out), -ENOENT);
	/* 4095 bytes is a valid path; 4096 is not. */
	const char *tail = "test/hello.txt";
	size_t tl = strlen(tail);
	memset(buf, '/', INITRAMFS_PATH_MAX - 1 - tl);
	memcpy(buf + INITRAMFS_PATH_MAX - 1 - tl, tail, tl + 1);
	KT_EXPECT_EQ(t, strlen(buf), INITRAMFS_PATH_MAX - 1);
	KT_EXPECT_EQ(t, initramfs_lookup(buf, &out), 0);
	memmove(buf + 1, buf, INITRAMFS_PATH_MAX);
	KT_EXPECT_EQ(t, initramfs_lookup(buf, &out), -ENAMETOOLONG);
	kfree(buf);
}

static void symlinks(struct ktest *t)
{
	struct inode *out;
	char target[64];

	if (!have_tree(t))
		return;
	struct inode *h = get("/test/hello.txt");
	KT_ASSERT(t, h != NULL);
	KT_EXPECT(t, get("/test/link-rel") == h);
	KT_EXPECT(t, get("/test/link-abs") == h);
	KT_EXPECT(t, get("/test/link-dir/sub/deep.txt") ==
			     get("/test/dir/sub/deep.txt"));
	KT_EXPECT(t, get("/test/link-up/deep.txt") ==
			     get("/test/dir/sub/deep.txt"));
	KT_EXPECT(t, get("/test/link-dir/../hello.txt") == h);
	KT_EXPECT(t, get("/test/chain1") == h); /* 8 links */

	/* Not following: the link itself. */
	KT_ASSERT_EQ(t,
		     initramfs_lookup_at(NULL, "/test/link-rel",
					 INITRAMFS_NOFOLLOW, &out),
		     0);
	KT_EXPECT(t, inode_is_symlink(out));
	KT_EXPECT_EQ(t, inode_dtype(out), DT_LNK);
	KT_EXPECT_EQ(t, out->size, strlen("hello.txt"));
	int n = initramfs_readlink(out, target, sizeof(target));
	KT_ASSERT_EQ(t, n, 9);
	KT_EXPECT(t, !memcmp(target, "hello.txt", 9));
	KT_EXPECT_EQ(t, initramfs_readlink(out, target, 4), 4);
	KT_EXPECT_EQ(t, initramfs_readlink(h, target, sizeof(target)), -EINVAL);
	/* Only the last component is not followed. */
	KT_ASSERT_EQ(t,
		     initramfs_lookup_at(NULL, "/test/link-dir/sub",
					 INITRAMFS_NOFOLLOW, &out),
		     0);
	KT_EXPECT(t, out == get("/test/dir/sub"));
	/* A trailing slash follows anyway. */
	KT_ASSERT_EQ(t,
		     initramfs_lookup_at(NULL, "/test/link-dir/",
					 INITRAMFS_NOFOLLOW, &out),
		     0);
	KT_EXPECT(t, out == get("/test/dir"));
	KT_EXPECT_EQ(t,
		     initramfs_lookup_at(NULL, "/test/link-rel/",
					 INITRAMFS_NOFOLLOW, &out),
		     -ENOTDIR);

	KT_EXPECT_EQ(t, initramfs_lookup("/test/dangling", &out), -ENOENT);
	KT_EXPECT_EQ(t,
		     initramfs_lookup_at(NULL, "/test/dangling",
					 INITRAMFS_NOFOLLOW, &out),
		     0);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/loop-a", &out), -ELOOP);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/loop-a/x", &out), -ELOOP);
	KT_EXPECT_EQ(t,
		     initramfs_lookup_at(NULL, "/test/loop-a",
					 INITRAMFS_NOFOLLOW, &out),
		     0);
	KT_EXPECT_EQ(t, initramfs_lookup("/test/chain0", &out), -ELOOP);
}

static void directory_entries(struct ktest *t)
{
	struct initramfs_dirent ent;

	if (!have_tree(t))
		return;
	struct inode *dir = get("/test/dir");
	KT_ASSERT(t, dir != NULL);
	KT_ASSERT_EQ(t, initramfs_readdir(dir, 0, &ent), 1);
	KT_EXPECT(t, !strcmp(ent.name, ".") && ent.inode == dir);
	KT_ASSERT_EQ(t, initramfs_readdir(dir, 1, &ent), 1);
	KT_EXPECT(t, !strcmp(ent.name, "..") && ent.inode == get("/test"));
	KT_ASSERT_EQ(t, initramfs_readdir(dir, 2, &ent), 1);
	KT_EXPECT(t, !strcmp(ent.name, "sub"));
	KT_EXPECT_EQ(t, inode_dtype(ent.inode), DT_DIR);
	KT_EXPECT_EQ(t, initramfs_readdir(dir, 3, &ent), 0);
	KT_EXPECT_EQ(t, initramfs_readdir(dir, 1000, &ent), 0);
	KT_EXPECT_EQ(t, initramfs_readdir(get("/test/hello.txt"), 0, &ent),
		     -ENOTDIR);

	/* The root lists bin and test; its ".." is itself. */
	struct inode *root = initramfs_root();
	bool bin = false, test = false;
	uint32_t pos = 0;
	while (initramfs_readdir(root, pos, &ent) == 1) {
		if (pos == 1)
			KT_EXPECT(t, ent.inode == root);
		bin |= !strcmp(ent.name, "bin");
		test |= !strcmp(ent.name, "test");
		pos++;
	}
	KT_EXPECT(t, bin && test);
	KT_EXPECT_EQ(t, pos, 2 + root->nchildren);
}

/*
 * Visits every inode: each one's path leads back to it, inode numbers are
 * unique, and parents list their children. Iterative, with the
 * children index kept in a small stack.
 */
static void every_inode(struct ktest *t)
{
	struct initramfs_stats st;

	if (!have_tree(t))
		return;
	initramfs_get_stats(&st);
	uint32_t total = st.files + st.dirs + st.symlinks;
	uint8_t *seen = kzalloc(total + 2, GFP_KERNEL);
	KT_ASSERT(t, seen != NULL);

	uint32_t count = 0;
	struct inode *stack[32];
	uint32_t idx[32];
	int depth = 0;
	stack[0] = initramfs_root();
	idx[0] = 0;
	seen[1] = 1;
	count = 1;
	while (depth >= 0) {
		struct inode *d = stack[depth];
		if (idx[depth] == d->nchildren) {
			depth--;
			continue;
		}
		struct inode *c = d->children[idx[depth]++];
		struct inode *back;
		count++;
		KT_EXPECT(t, c->parent == d);
		KT_EXPECT(t, c->ino >= 2 && c->ino <= total);
		if (c->ino <= total) {
			KT_EXPECT(t, !seen[c->ino]);
			seen[c->ino] = 1;
		}
		KT_EXPECT(t, strchr(c->name, '/') == NULL && c->name[0]);
		KT_EXPECT_EQ(t,
			     initramfs_lookup_at(NULL, c->path,
						 INITRAMFS_NOFOLLOW, &back),
			     0);
		KT_EXPECT(t, back == c);
		if (inode_is_dir(c) && depth + 1 < 32) {
			stack[++depth] = c;
			idx[depth] = 0;
		}
	}
	KT_EXPECT_EQ(t, count, total);
	kfree(seen);
}

/* --- archives made here ------------------------------------------------ */

/* Appends a newc entry (format: libk/cpio.c) to buf at *off. */
static void put_entry(char *buf, size_t *off, const char *name, uint32_t mode,
		      uint32_t mtime, const char *data, size_t size)
{
	size_t namesize = strlen(name) + 1;
	int n = snprintf(buf + *off, 111,
			 "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x"
			 "%08x%08x",
			 0x100u + (uint32_t)*off, mode, 0u, 0u, 1u, mtime,
			 (uint32_t)size, 0u, 0u, 0u, 0u, (uint32_t)namesize,
			 0u);
	*off += (size_t)n;
	memcpy(buf + *off, name, namesize);
	*off += namesize;
	while (*off % 4)
		buf[(*off)++] = '\0';
	if (size)
		memcpy(buf + *off, data, size);
	*off += size;
	while (*off % 4)
		buf[(*off)++] = '\0';
}

static void put_trailer(char *buf, size_t *off)
{
	put_entry(buf, off, "TRAILER!!!", 0, 0, NULL, 0);
}

/* Free frames once every cache has given back what it can. */
static uint32_t settled_free_pages(void)
{
	struct pmm_stats st;
	kheap_shrink();
	pmm_drain_cache();
	pmm_get_stats(&st);
	return st.free_pages;
}

static void unpack_rules(struct ktest *t)
{
	struct initramfs_stats st;
	struct inode *root, *out;
	size_t off = 0;
	char *buf = kzalloc(4096, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);
	uint32_t baseline = settled_free_pages();

	put_entry(buf, &off, "./a//b/file", 0100644, 5, "xyz", 3);
	put_entry(buf, &off, "a", 0040700, 77, NULL, 0);
	put_entry(buf, &off, "/abs", 0100600, 5, "1", 1);
	put_entry(buf, &off, "x/../y", 0100644, 5, "2", 1);
	put_entry(buf, &off, "dev/null", 0020666, 5, NULL, 0);
	put_entry(buf, &off, "a/b/file", 0100755, 9, "new!", 4);
	put_entry(buf, &off, "abs/z", 0100644, 5, "3", 1);
	put_entry(buf, &off, "lnk", 0120777, 5, "a/b/file", 8);
	put_entry(buf, &off, ".", 0040711, 3, NULL, 0);
	put_entry(buf, &off, "a", 0100644, 5, "4", 1);
	put_entry(buf, &off, "badlink", 0120777, 5, NULL, 0);
	put_trailer(buf, &off);

	KT_ASSERT_EQ(t, initramfs_unpack(buf, off, &root, &st), 0);
	KT_EXPECT_EQ(t, st.files, 2);
	KT_EXPECT_EQ(t, st.dirs, 3);
	KT_EXPECT_EQ(t, st.symlinks, 1);
	KT_EXPECT_EQ(t, st.skipped, 5);
	KT_EXPECT_EQ(t, root->mode, 0040711);
	KT_EXPECT_EQ(t, root->nlink, 3);

	KT_ASSERT_EQ(t, initramfs_lookup_at(root, "/a/b/file", 0, &out), 0);
	KT_EXPECT_EQ(t, out->size, 4);
	KT_EXPECT(t, !memcmp(out->data, "new!", 4));
	KT_EXPECT_EQ(t, out->mode, 0100755);
	KT_EXPECT_EQ(t, out->mtime, 9);
	KT_EXPECT(t, !strcmp(out->path, "/a/b/file"));
	struct inode *file = out;
	KT_ASSERT_EQ(t, initramfs_lookup_at(root, "lnk", 0, &out), 0);
	KT_EXPECT(t, out == file);
	/* Absolute links and paths stay inside this tree. */
	KT_ASSERT_EQ(t, initramfs_lookup_at(file->parent, "/abs", 0, &out), 0);
	KT_EXPECT(t, out->parent == root);
	KT_EXPECT_EQ(t, out->size, 1);
	KT_ASSERT_EQ(t, initramfs_lookup_at(root, "a", 0, &out), 0);
	KT_EXPECT_EQ(t, out->mode, 0040700); /* set by the later entry */
	KT_EXPECT_EQ(t, out->mtime, 77);
	KT_EXPECT_EQ(t, out->nlink, 3);
	KT_EXPECT_EQ(t, initramfs_lookup_at(root, "y", 0, &out), -ENOENT);
	KT_EXPECT_EQ(t, initramfs_lookup_at(root, "dev", 0, &out), -ENOENT);

	initramfs_free_tree(root);
	KT_EXPECT_EQ(t, settled_free_pages(), baseline);
	kfree(buf);
}

static void unpack_corrupt(struct ktest *t)
{
	struct initramfs_stats st;
	struct inode *root = NULL;
	size_t off = 0;
	char *buf = kzalloc(1024, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);

	put_entry(buf, &off, "f", 0100644, 5, "data", 4);
	put_trailer(buf, &off);
	KT_ASSERT_EQ(t, initramfs_unpack(buf, off, &root, &st), 0);
	initramfs_free_tree(root);
	root = NULL;

	/* Truncated anywhere: refused as a whole, no tree. */
	for (size_t n = 0; n < off; n += 7)
		KT_EXPECT_EQ(t, initramfs_unpack(buf, n, &root, &st), -EINVAL);
	buf[0] = 'X';
	KT_EXPECT_EQ(t, initramfs_unpack(buf, off, &root, &st), -EINVAL);
	KT_EXPECT(t, root == NULL);
	kfree(buf);
}

/*
 * A tree 400 directories deep is built, looked up and freed (without
 * recursion); a path that would reach INITRAMFS_PATH_MAX is skipped.
 */
static void unpack_deep(struct ktest *t)
{
	enum {
		DEPTH = 400,
		LONG = INITRAMFS_NAME_MAX
	};
	struct initramfs_stats st;
	struct inode *root, *out;
	size_t off = 0;
	char *buf = kzalloc(16384, GFP_KERNEL);
	char *name = kzalloc(INITRAMFS_PATH_MAX + 8, GFP_KERNEL);
	KT_ASSERT(t, buf && name);
	uint32_t baseline = settled_free_pages();

	for (int i = 0; i < DEPTH; i++)
		memcpy(name + 2 * i, "d/", 2);
	memcpy(name + 2 * DEPTH, "f", 2);
	put_entry(buf, &off, name, 0100644, 1, "deep", 4);
	/*
	 * Sixteen 255-byte directory names: the sixteenth directory's path
	 * would be 16 * 256 = 4096 bytes, too long, so its entry is skipped
	 * after the first fifteen were made.
	 */
	for (int i = 0; i < 16; i++) {
		memset(name + i * (LONG + 1), 'e', LONG);
		name[i * (LONG + 1) + LONG] = '/';
	}
	memcpy(name + 16 * (LONG + 1), "f", 2);
	put_entry(buf, &off, name, 0100644, 1, "x", 1);
	put_trailer(buf, &off);

	KT_ASSERT_EQ(t, initramfs_unpack(buf, off, &root, &st), 0);
	KT_EXPECT_EQ(t, st.dirs, 1 + DEPTH + 15);
	KT_EXPECT_EQ(t, st.files, 1);
	KT_EXPECT_EQ(t, st.skipped, 1);
	for (int i = 0; i < DEPTH; i++)
		memcpy(name + 2 * i, "d/", 2);
	memcpy(name + 2 * DEPTH, "f", 2);
	KT_ASSERT_EQ(t, initramfs_lookup_at(root, name, 0, &out), 0);
	KT_EXPECT(t, !memcmp(out->data, "deep", 4));
	KT_EXPECT_EQ(t, strlen(out->path), 2 * DEPTH + 2);
	initramfs_free_tree(root);
	KT_EXPECT_EQ(t, settled_free_pages(), baseline);
	kfree(name);
	kfree(buf);
}

static const struct ktest_case initramfs_cases[] = {
	KTEST_CASE(unpacked),	    KTEST_CASE(files),
	KTEST_CASE(path_forms),	    KTEST_CASE(path_errors),
	KTEST_CASE(symlinks),	    KTEST_CASE(directory_entries),
	KTEST_CASE(every_inode),    KTEST_CASE(unpack_rules),
	KTEST_CASE(unpack_corrupt), KTEST_CASE(unpack_deep),
};
KTEST_SUITE(initramfs, initramfs_cases);
