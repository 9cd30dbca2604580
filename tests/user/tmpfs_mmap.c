/*
 * tests/user/tmpfs_mmap.c - mappings of tmpfs files and the page cache,
 * compared with Linux; the cases of the xv6 mmap lab among them.
 *
 *  - A file of two and a half pages is mapped MAP_PRIVATE: it reads as
 *    the file, zeros after the end of the file in the last page; a store
 *    changes the process's copy, never the file.
 *  - MAP_SHARED: a store through the mapping is seen by read() at once,
 *    and a write() is seen through the mapping; after munmap of part of
 *    the mapping the rest still works, and the stores stay in the file.
 *  - fork: the child shares a MAP_SHARED mapping (its stores reach the
 *    parent) and gets a copy-on-write copy of a MAP_PRIVATE one.
 *  - Two separate mappings of the file in one process see each other.
 *  - A page wholly past the end of the file raises SIGBUS; ftruncate that
 *    shrinks the file makes the pages past its new end raise SIGBUS, and
 *    growing it again brings zeros.
 *  - unlink of a mapped file: the mapping keeps the data.
 *  - Access rules: MAP_SHARED with PROT_WRITE needs O_RDWR (EACCES), and
 *    so does a later mprotect; an O_WRONLY file cannot be mapped.
 *  - msync's flags and errors, madvise(MADV_DONTNEED, MADV_WILLNEED) on
 *    file mappings, mincore on file and anonymous mappings.
 *  - "writer / reader": a child writes a file only through a shared
 *    mapping and exits; another program (this one run again with
 *    "read FILE") reads it with read() and prints it.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/stat.h>

#define FILE_ "/tmp/tmpfs_mmap"
#define SIZE (2 * UT_PAGE + UT_PAGE / 2)

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

/* The byte at offset i of the test file. */
static char pattern(size_t i)
{
	return (char)('A' + i % 23);
}

/* Creates FILE_ with SIZE bytes of the pattern; returns an O_RDWR fd. */
static int make_file(void)
{
	static char buf[SIZE];
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = pattern(i);
	int fd = open(FILE_, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, SIZE) != SIZE)
		ut_check(false, "create the test file: %s", ut_errname(errno));
	return fd;
}

/* Whether p[0..n) holds the pattern from offset off. */
static bool has_pattern(const char *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(off + i))
			return false;
	return true;
}

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * The permissions and name of the mapping at p in /proc/self/maps
 * ("rw-s /tmp/x"), or "none".
 */
static const char *maps_entry(const void *p)
{
	static char line[512], out[300];
	char want[32];
	snprintf(want, sizeof(want), "%08lx-", (unsigned long)p);
	FILE *f = fopen("/proc/self/maps", "r");
	strcpy(out, "none");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		char perms[8];
		int name = 0;
		if (sscanf(line, "%*s %7s %*s %*s %*s %n", perms, &name) >= 1) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, sizeof(out), "%s %s", perms, line + name);
		}
		break;
	}
	if (f)
		fclose(f);
	return out;
}

static void test_private(void)
{
	int fd = make_file();
	char *p = mmap(NULL, 3 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       fd, 0);
	ut_check(p != MAP_FAILED, "MAP_PRIVATE of three pages");
	printf("maps: %s\n", maps_entry(p));
	ut_check(has_pattern(p, 0, SIZE), "it reads as the file");
	ut_check(all_zero(p + SIZE, 3 * UT_PAGE - SIZE),
		 "zeros after the end of the file");
	p[0] = 'x';
	p[UT_PAGE] = 'y';
	char c = 0;
	ut_check(pread(fd, &c, 1, 0) == 1 && c == pattern(0),
		 "a private store does not reach the file");
	ut_check(munmap(p, 3 * UT_PAGE) == 0, "munmap");
	close(fd);
}

static int child_store(void *arg)
{
	char *p = arg;
	p[1] = '1';
	return 0;
}

static void test_shared(void)
{
	int fd = make_file();
	char *p = mmap(NULL, 3 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	ut_check(p != MAP_FAILED, "MAP_SHARED of three pages");
	ut_check(has_pattern(p, 0, SIZE), "it reads as the file");
	p[10] = '#';
	char c = 0;
	ut_check(pread(fd, &c, 1, 10) == 1 && c == '#',
		 "a store through the mapping is seen by read");
	ut_check(pwrite(fd, "@", 1, UT_PAGE + 5) == 1 && p[UT_PAGE + 5] == '@',
		 "a write is seen through the mapping");

	/* fork: the shared mapping is shared, the private one copied. */
	char *q =
		mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ut_check(q != MAP_FAILED, "a private mapping too");
	q[0] = 'P';
	int st = ut_in_child(child_store, p);
	ut_check(ut_exited(st, 0) && p[1] == '1',
		 "the child's store in the shared mapping reaches the parent");
	st = ut_in_child(child_store, q);
	ut_check(ut_exited(st, 0) && q[1] == pattern(1) && q[0] == 'P',
		 "the child's store in the private mapping stays in the child");

	/* A second mapping of the same file, at another address. */
	char *r = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       UT_PAGE);
	ut_check(r != MAP_FAILED, "a second shared mapping at offset 4096");
	r[7] = '%';
	ut_check(p[UT_PAGE + 7] == '%', "the two mappings see each other");
	munmap(r, UT_PAGE);
	munmap(q, UT_PAGE);

	/* munmap of part of the mapping. */
	ut_check(munmap(p, UT_PAGE) == 0, "munmap the first page");
	p[UT_PAGE + 100] = '!';
	ut_check(pread(fd, &c, 1, UT_PAGE + 100) == 1 && c == '!',
		 "the rest of the mapping still writes the file");
	ut_check(munmap(p + UT_PAGE, 2 * UT_PAGE) == 0, "munmap the rest");
	char buf[16];
	ut_check(pread(fd, buf, 2, 10) == 2 && buf[0] == '#' &&
			 pread(fd, buf, 1, 1) == 1 && buf[0] == '1',
		 "the stores stay in the file after munmap");
	close(fd);
}

static int touch_page(void *arg)
{
	volatile char *p = arg;
	return p[0];
}

static void test_bus(void)
{
	int fd = make_file();
	char *p = mmap(NULL, 4 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	ut_check(p != MAP_FAILED,
		 "MAP_SHARED of four pages of a 2.5-page file");
	printf("maps: %s\n", maps_entry(p));
	int st = ut_in_child(touch_page, p + 3 * UT_PAGE);
	ut_check(ut_killed_by(st, SIGBUS), "a page past the end: %s",
		 ut_status(st));
	ut_check(ftruncate(fd, UT_PAGE + 10) == 0, "shrink to 4106 bytes");
	st = ut_in_child(touch_page, p + 2 * UT_PAGE);
	ut_check(ut_killed_by(st, SIGBUS), "the page cut off: %s",
		 ut_status(st));
	ut_check(all_zero(p + UT_PAGE + 10, UT_PAGE - 10),
		 "the rest of the last page reads as zeros");
	ut_check(ftruncate(fd, 3 * UT_PAGE) == 0, "grow to three pages");
	ut_check(all_zero(p + UT_PAGE + 10, 2 * UT_PAGE - 10),
		 "the grown part reads as zeros through the mapping");
	p[2 * UT_PAGE] = 'z';
	char c = 0;
	ut_check(pread(fd, &c, 1, 2 * UT_PAGE) == 1 && c == 'z',
		 "and can be written again");

	ut_check(unlink(FILE_) == 0, "unlink the mapped file");
	close(fd);
	printf("maps: %s\n", maps_entry(p));
	ut_check(p[2 * UT_PAGE] == 'z' && has_pattern(p + 11, 11, 50),
		 "the mapping keeps the data");
	p[3] = 'k';
	ut_check(p[3] == 'k', "and can still be written");
	munmap(p, 4 * UT_PAGE);
}

static void test_access(void)
{
	int fd = make_file();
	close(fd);
	fd = open(FILE_, O_RDONLY);
	int err = err_of((long)mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
				    MAP_SHARED, fd, 0));
	ut_check(err == EACCES, "shared writable mapping of O_RDONLY: %s",
		 ut_errname(err));
	char *p = mmap(NULL, UT_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ut_check(p != MAP_FAILED && p[0] == pattern(0),
		 "shared read-only mapping of O_RDONLY");
	err = err_of(mprotect(p, UT_PAGE, PROT_READ | PROT_WRITE));
	ut_check(err == EACCES, "mprotect it writable: %s", ut_errname(err));
	munmap(p, UT_PAGE);
	p = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ut_check(p != MAP_FAILED, "private writable mapping of O_RDONLY");
	munmap(p, UT_PAGE);
	close(fd);
	fd = open(FILE_, O_WRONLY);
	err = err_of((long)mmap(NULL, UT_PAGE, PROT_READ, MAP_SHARED, fd, 0));
	ut_check(err == EACCES, "mapping of O_WRONLY: %s", ut_errname(err));
	close(fd);
}

static void test_msync_madvise_mincore(void)
{
	int fd = make_file();
	unsigned char vec[4];
	char *p = mmap(NULL, 3 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	ut_check(p != MAP_FAILED, "map the file shared");
	p[0] = 's';
	ut_check(msync(p, 3 * UT_PAGE, MS_SYNC) == 0, "msync MS_SYNC");
	ut_check(msync(p, UT_PAGE, MS_ASYNC) == 0, "msync MS_ASYNC");
	ut_check(msync(p, UT_PAGE, MS_INVALIDATE) == 0, "msync MS_INVALIDATE");
	int err = err_of(msync(p, UT_PAGE, MS_SYNC | MS_ASYNC));
	ut_check(err == EINVAL, "msync MS_SYNC|MS_ASYNC: %s", ut_errname(err));
	err = err_of(msync(p, UT_PAGE, 8));
	ut_check(err == EINVAL, "msync with an unknown flag: %s",
		 ut_errname(err));
	err = err_of(msync(p + 1, UT_PAGE, MS_SYNC));
	ut_check(err == EINVAL, "msync unaligned: %s", ut_errname(err));

	/* mincore: the file's pages are all in the cache. */
	ut_check(mincore(p, 3 * UT_PAGE, vec) == 0 && (vec[0] & 1) &&
			 (vec[1] & 1) && (vec[2] & 1),
		 "mincore: the file's pages are resident");
	err = err_of(mincore(p + 1, UT_PAGE, vec));
	ut_check(err == EINVAL, "mincore unaligned: %s", ut_errname(err));

	ut_check(madvise(p, 3 * UT_PAGE, MADV_WILLNEED) == 0,
		 "madvise MADV_WILLNEED");
	ut_check(madvise(p, 3 * UT_PAGE, MADV_DONTNEED) == 0 && p[0] == 's',
		 "MADV_DONTNEED on a shared mapping keeps the data");
	munmap(p, 3 * UT_PAGE);

	p = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	p[0] = 'q';
	ut_check(madvise(p, UT_PAGE, MADV_DONTNEED) == 0 && p[0] == 's',
		 "MADV_DONTNEED on a private mapping: the file's byte again");
	munmap(p, UT_PAGE);

	/* A hole in the file is not in the cache until it is touched. */
	ut_check(ftruncate(fd, 4 * UT_PAGE) == 0, "grow the file by a hole");
	p = mmap(NULL, 4 * UT_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ut_check(mincore(p, 4 * UT_PAGE, vec) == 0 && (vec[0] & 1) &&
			 !(vec[3] & 1),
		 "mincore: the hole's page is not resident");
	munmap(p, 4 * UT_PAGE);

	/* Anonymous memory: resident once touched. */
	char *a = mmap(NULL, 2 * UT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 1;
	ut_check(mincore(a, 2 * UT_PAGE, vec) == 0 && (vec[0] & 1) &&
			 !(vec[1] & 1),
		 "mincore: anonymous memory touched and not");
	munmap(a + UT_PAGE, UT_PAGE);
	err = err_of(mincore(a, 2 * UT_PAGE, vec));
	ut_check(err == ENOMEM, "mincore over a hole: %s", ut_errname(err));
	err = err_of(msync(a, 2 * UT_PAGE, MS_SYNC));
	ut_check(err == ENOMEM, "msync over a hole: %s", ut_errname(err));
	munmap(a, UT_PAGE);
	close(fd);
	unlink(FILE_);
}

/* The writer: fills the file through a shared mapping only. */
static int writer(void *arg)
{
	(void)arg;
	int fd = open(FILE_ ".shared", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 2 * UT_PAGE) < 0)
		return 1;
	char *p = mmap(NULL, 2 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	if (p == MAP_FAILED)
		return 2;
	close(fd);
	for (int i = 0; i < 2 * (int)UT_PAGE; i++)
		p[i] = (char)('a' + i % 26);
	memcpy(p + UT_PAGE - 3, "written through a mapping\n", 26);
	return 0; /* exits without munmap or msync */
}

/* The reader: another program, reading the file with read(). */
static int reader(const char *path)
{
	char buf[2 * UT_PAGE + 1];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 3;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	printf("reader: %zd bytes\n", n);
	if (n < (ssize_t)UT_PAGE + 23)
		return 4;
	unsigned sum = 0;
	for (ssize_t i = 0; i < n; i++)
		sum = sum * 31 + (unsigned char)buf[i];
	printf("reader: \"%.26s\" checksum %08x\n", buf + UT_PAGE - 3, sum);
	return 0;
}

static void test_writer_reader(void)
{
	int st = ut_in_child(writer, NULL);
	ut_check(ut_exited(st, 0), "the writer: %s", ut_status(st));
	pid_t pid = fork();
	if (pid == 0) {
		execl(ut_argv0, ut_argv0, "read", FILE_ ".shared",
		      (char *)NULL);
		_exit(127);
	}
	st = ut_wait(pid);
	ut_check(ut_exited(st, 0), "the reader: %s", ut_status(st));
	ut_check(unlink(FILE_ ".shared") == 0, "unlink the shared file");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "read")) {
		setvbuf(stdout, NULL, _IONBF, 0);
		return reader(argv[2]);
	}
	ut_begin(argc, argv);
	test_private();
	test_shared();
	test_bus();
	test_access();
	test_msync_madvise_mincore();
	test_writer_reader();
	return ut_end();
}
