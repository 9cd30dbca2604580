/*
 * tests/user/tmpfs_files.c - the file calls on tmpfs (/tmp), compared
 * with Linux.
 *
 * open with O_CREAT, O_EXCL, O_TRUNC and O_APPEND; write, pwrite, read;
 * lseek past the end (the hole reads as zeros); ftruncate and truncate
 * both ways; unlink of an open file (its data lives until the last
 * close); rename, over an existing file too; mkdir, rmdir (ENOTEMPTY,
 * ENOTDIR), unlink of a directory (EISDIR); fsync, fdatasync, fallocate;
 * stat sizes, modes and link counts; getdents of a tmpfs directory (the
 * names sorted, since the order is the file system's own); the same in
 * /dev/shm, and rename between the two (EXDEV: separate instances).
 */
#include "utest.h"

#include <dirent.h>
#include <sys/stat.h>

#define DIR_ "/tmp/tmpfs_files"

static int err_of(int r)
{
	return r < 0 ? errno : 0;
}

/* Reads the whole file at path into buf (at most n); -1 on error. */
static ssize_t slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t got = read(fd, buf, n);
	close(fd);
	return got;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted names of a directory, "." and ".." included. */
static void list_dir(const char *path)
{
	char *names[64];
	int n = 0;
	DIR *d = opendir(path);
	if (!d) {
		ut_check(false, "opendir %s: %s", path, ut_errname(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	printf("%s:", path);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void test_create(void)
{
	struct stat st;
	int fd = open(DIR_ "/a", O_CREAT | O_EXCL | O_RDWR, 0644);
	ut_check(fd >= 0, "O_CREAT|O_EXCL makes a new file");
	ut_check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			 (st.st_mode & 0777) == 0644 && st.st_size == 0 &&
			 st.st_nlink == 1,
		 "a new file: regular, 0644, empty, one link");
	int err = err_of(open(DIR_ "/a", O_CREAT | O_EXCL | O_RDWR, 0644));
	ut_check(err == EEXIST, "O_CREAT|O_EXCL again: %s", ut_errname(err));
	ut_check(write(fd, "hello, world", 12) == 12, "write 12 bytes");
	ut_check(pwrite(fd, "W", 1, 7) == 1, "pwrite at 7");
	ut_check(lseek(fd, 0, SEEK_CUR) == 12, "pwrite leaves the offset");
	char buf[64] = { 0 };
	ut_check(pread(fd, buf, sizeof(buf), 0) == 12 &&
			 !strcmp(buf, "hello, World"),
		 "pread sees both writes: \"%s\"", buf);
	ut_check(fstat(fd, &st) == 0 && st.st_size == 12, "size 12");
	close(fd);

	fd = open(DIR_ "/a", O_WRONLY | O_APPEND);
	ut_check(fd >= 0, "open O_APPEND");
	ut_check(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "!", 1) == 1,
		 "append after seeking to 0");
	ut_check(pwrite(fd, "?", 1, 0) == 1, "pwrite with O_APPEND");
	close(fd);
	memset(buf, 0, sizeof(buf));
	ut_check(slurp(DIR_ "/a", buf, sizeof(buf)) == 14 &&
			 !strcmp(buf, "hello, World!?"),
		 "O_APPEND writes at the end, pwrite too: \"%s\"", buf);

	fd = open(DIR_ "/a", O_RDWR | O_TRUNC);
	ut_check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0,
		 "O_TRUNC empties the file");
	close(fd);
	err = err_of(open(DIR_ "/missing/x", O_CREAT | O_RDWR, 0644));
	ut_check(err == ENOENT, "O_CREAT in a missing directory: %s",
		 ut_errname(err));
	err = err_of(open(DIR_ "/a/x", O_CREAT | O_RDWR, 0644));
	ut_check(err == ENOTDIR, "O_CREAT below a file: %s", ut_errname(err));
	err = err_of(open(DIR_ "/b/", O_CREAT | O_RDWR, 0644));
	ut_check(err == EISDIR, "O_CREAT of \"name/\": %s", ut_errname(err));
	err = err_of(open(DIR_, O_RDWR));
	ut_check(err == EISDIR, "a directory for writing: %s", ut_errname(err));
}

static void test_holes_and_truncate(void)
{
	struct stat st;
	char buf[8192];
	int fd = open(DIR_ "/hole", O_CREAT | O_RDWR | O_TRUNC, 0600);
	ut_check(fd >= 0, "create hole");
	ut_check(lseek(fd, 10000, SEEK_SET) == 10000, "lseek past the end");
	ut_check(fstat(fd, &st) == 0 && st.st_size == 0,
		 "lseek alone does not grow the file");
	ut_check(write(fd, "end", 3) == 3, "write at 10000");
	ut_check(fstat(fd, &st) == 0 && st.st_size == 10003, "size 10003");
	memset(buf, 'x', sizeof(buf));
	bool zeros = pread(fd, buf, sizeof(buf), 100) == sizeof(buf);
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros = zeros && buf[i] == 0;
	ut_check(zeros, "the hole reads as zeros");
	ut_check(read(fd, buf, 10) == 0, "read at the end gives 0");

	ut_check(ftruncate(fd, 5000) == 0, "ftruncate to 5000");
	ut_check(fstat(fd, &st) == 0 && st.st_size == 5000, "size 5000");
	ut_check(pwrite(fd, "abc", 3, 4000) == 3, "pwrite at 4000");
	ut_check(ftruncate(fd, 4001) == 0 && ftruncate(fd, 8000) == 0,
		 "shrink to 4001, grow to 8000");
	memset(buf, 'x', 8);
	ut_check(pread(fd, buf, 8, 3999) == 8 && buf[0] == 0 && buf[1] == 'a' &&
			 buf[2] == 0 && buf[7] == 0,
		 "bytes cut off read as zeros after growing again");
	int err = err_of(ftruncate(fd, -1));
	ut_check(err == EINVAL, "ftruncate to -1: %s", ut_errname(err));
	close(fd);
	fd = open(DIR_ "/hole", O_RDONLY);
	err = err_of(ftruncate(fd, 0));
	ut_check(err == EINVAL, "ftruncate of a read-only descriptor: %s",
		 ut_errname(err));
	close(fd);
	ut_check(truncate(DIR_ "/hole", 3) == 0 &&
			 stat(DIR_ "/hole", &st) == 0 && st.st_size == 3,
		 "truncate by name to 3");
	err = err_of(truncate(DIR_, 0));
	ut_check(err == EISDIR, "truncate of a directory: %s", ut_errname(err));
	err = err_of(truncate(DIR_ "/nothing", 0));
	ut_check(err == ENOENT, "truncate of a missing file: %s",
		 ut_errname(err));
}

static void test_unlink_open(void)
{
	char buf[16] = { 0 };
	struct stat st;
	int fd = open(DIR_ "/gone", O_CREAT | O_RDWR, 0644);
	ut_check(fd >= 0 && write(fd, "still here", 10) == 10, "write gone");
	ut_check(unlink(DIR_ "/gone") == 0, "unlink the open file");
	ut_check(stat(DIR_ "/gone", &st) < 0 && errno == ENOENT,
		 "its name is gone");
	ut_check(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 10,
		 "fstat: no link, size 10");
	ut_check(pread(fd, buf, sizeof(buf), 0) == 10 &&
			 !strcmp(buf, "still here"),
		 "the data lives while it is open");
	ut_check(write(fd, "!", 1) == 1, "and can still be written");
	close(fd);
	int err = err_of(unlink(DIR_ "/gone"));
	ut_check(err == ENOENT, "unlink again: %s", ut_errname(err));
}

static void test_rename(void)
{
	char buf[16] = { 0 };
	int fd = open(DIR_ "/r1", O_CREAT | O_WRONLY, 0644);
	ut_check(fd >= 0 && write(fd, "one", 3) == 3, "write r1");
	close(fd);
	fd = open(DIR_ "/r2", O_CREAT | O_WRONLY, 0644);
	ut_check(fd >= 0 && write(fd, "two", 3) == 3, "write r2");
	ut_check(rename(DIR_ "/r1", DIR_ "/r2") == 0,
		 "rename over an existing file");
	ut_check(slurp(DIR_ "/r2", buf, sizeof(buf)) == 3 &&
			 !strcmp(buf, "one"),
		 "the new name has the moved file");
	ut_check(access(DIR_ "/r1", F_OK) < 0 && errno == ENOENT,
		 "the old name is gone");
	ut_check(write(fd, "222", 3) == 3,
		 "the replaced file, still open, can be written");
	close(fd);
	ut_check(mkdir(DIR_ "/sub", 0755) == 0, "mkdir sub");
	ut_check(rename(DIR_ "/r2", DIR_ "/sub/r3") == 0,
		 "rename into a subdirectory");
	int err = err_of(rename(DIR_ "/sub", DIR_ "/sub/deeper"));
	ut_check(err == EINVAL, "rename a directory into itself: %s",
		 ut_errname(err));
	err = err_of(rename(DIR_ "/sub/r3", DIR_ "/sub"));
	ut_check(err == ENOTEMPTY,
		 "rename a file over the directory holding it: %s",
		 ut_errname(err));
	ut_check(mkdir(DIR_ "/empty", 0755) == 0, "mkdir empty");
	err = err_of(rename(DIR_ "/sub/r3", DIR_ "/empty"));
	ut_check(err == EISDIR, "rename a file over a directory: %s",
		 ut_errname(err));
	int fd2 = open(DIR_ "/file", O_CREAT | O_WRONLY, 0644);
	close(fd2);
	err = err_of(rename(DIR_ "/empty", DIR_ "/file"));
	ut_check(err == ENOTDIR, "rename a directory over a file: %s",
		 ut_errname(err));
	ut_check(rename(DIR_ "/empty", DIR_ "/sub/moved") == 0 &&
			 rmdir(DIR_ "/sub/moved") == 0 &&
			 unlink(DIR_ "/file") == 0,
		 "move a directory, remove it");
	err = err_of(rename(DIR_ "/nope", DIR_ "/x"));
	ut_check(err == ENOENT, "rename a missing name: %s", ut_errname(err));
	ut_check(rename(DIR_ "/sub/r3", DIR_ "/sub/r3") == 0,
		 "rename to the same name");
}

static void test_dirs(void)
{
	struct stat st;
	int err = err_of(mkdir(DIR_ "/sub", 0755));
	ut_check(err == EEXIST, "mkdir an existing name: %s", ut_errname(err));
	ut_check(stat(DIR_ "/sub", &st) == 0 && S_ISDIR(st.st_mode) &&
			 (st.st_mode & 0777) == 0755 && st.st_nlink == 2,
		 "a directory: 0755, two links");
	ut_check(mkdir(DIR_ "/sub/inner", 0755) == 0 &&
			 stat(DIR_ "/sub", &st) == 0 && st.st_nlink == 3,
		 "a subdirectory adds a link");
	err = err_of(rmdir(DIR_ "/sub"));
	ut_check(err == ENOTEMPTY, "rmdir a non-empty directory: %s",
		 ut_errname(err));
	err = err_of(rmdir(DIR_ "/sub/r3"));
	ut_check(err == ENOTDIR, "rmdir a file: %s", ut_errname(err));
	err = err_of(unlink(DIR_ "/sub/inner"));
	ut_check(err == EISDIR, "unlink a directory: %s", ut_errname(err));
	err = err_of(rmdir(DIR_ "/sub/."));
	ut_check(err == EINVAL, "rmdir \".\": %s", ut_errname(err));
	list_dir(DIR_);
	list_dir(DIR_ "/sub");
	ut_check(rmdir(DIR_ "/sub/inner") == 0 && unlink(DIR_ "/sub/r3") == 0 &&
			 rmdir(DIR_ "/sub") == 0,
		 "empty and remove sub");
	err = err_of(mkdir(DIR_ "/no/such", 0755));
	ut_check(err == ENOENT, "mkdir below a missing directory: %s",
		 ut_errname(err));
}

static void test_sync_alloc(void)
{
	struct stat st;
	int fd = open(DIR_ "/sync", O_CREAT | O_RDWR, 0644);
	ut_check(fd >= 0, "create sync");
	ut_check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync, fdatasync");
	ut_check(fallocate(fd, 0, 0, 10000) == 0, "fallocate 10000 bytes");
	ut_check(fstat(fd, &st) == 0 && st.st_size == 10000 &&
			 st.st_blocks == 24,
		 "size 10000, 24 blocks of 512");
	ut_check(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20000) == 0 &&
			 fstat(fd, &st) == 0 && st.st_size == 10000,
		 "FALLOC_FL_KEEP_SIZE keeps the size");
	int err = err_of(fallocate(fd, 0, 0, 0));
	ut_check(err == EINVAL, "fallocate of 0 bytes: %s", ut_errname(err));
	int p[2];
	ut_check(pipe(p) == 0, "pipe");
	err = err_of(fsync(p[0]));
	ut_check(err == EINVAL, "fsync of a pipe: %s", ut_errname(err));
	err = err_of(fsync(-1));
	ut_check(err == EBADF, "fsync of -1: %s", ut_errname(err));
	close(p[0]);
	close(p[1]);
	close(fd);
	ut_check(unlink(DIR_ "/sync") == 0, "unlink sync");
}

static void test_shm_dir(void)
{
	char buf[8] = { 0 };
	int fd = open("/dev/shm/tmpfs_files", O_CREAT | O_RDWR | O_TRUNC, 0600);
	ut_check(fd >= 0 && write(fd, "shm", 3) == 3, "a file in /dev/shm");
	close(fd);
	int err = err_of(rename("/dev/shm/tmpfs_files", DIR_ "/x"));
	ut_check(err == EXDEV, "rename from /dev/shm to /tmp: %s",
		 ut_errname(err));
	ut_check(slurp("/dev/shm/tmpfs_files", buf, sizeof(buf)) == 3 &&
			 !strcmp(buf, "shm"),
		 "read it back");
	ut_check(unlink("/dev/shm/tmpfs_files") == 0, "unlink it");
}

int main(int argc, char **argv)
{
	struct stat st;
	ut_begin(argc, argv);
	ut_check(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) &&
			 (st.st_mode & 07777) == 01777,
		 "/tmp is a directory, mode 1777");
	ut_check(mkdir(DIR_, 0755) == 0, "mkdir " DIR_);
	test_create();
	test_holes_and_truncate();
	test_unlink_open();
	test_rename();
	test_dirs();
	test_sync_alloc();
	test_shm_dir();
	unlink(DIR_ "/a");
	unlink(DIR_ "/hole");
	ut_check(rmdir(DIR_) == 0, "rmdir " DIR_);
	return ut_end();
}
