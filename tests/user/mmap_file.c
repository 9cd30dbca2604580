/*
 * tests/user/mmap_file.c - mappings of a file: contents, shared and
 * private mappings of a file open read-only, file offsets beyond 4 GiB,
 * and what splitting a mapping does to them.
 *
 * The file is this program itself, open read-only. A MAP_SHARED mapping
 * of it is shared ("s" in maps) but may never be writable: mmap with
 * PROT_WRITE and mprotect adding it are EACCES; a MAP_PRIVATE one may be
 * made writable and then holds a private copy. mmap2 takes its offset in pages, so a
 * 32-bit page offset reaches 2^44 bytes: /proc/self/maps prints such
 * offsets in full (a 64-bit number), a mapping cut in two by mprotect or
 * munmap keeps counting its offset from there, and every page of it lies
 * beyond the end of the file, so touching one is SIGBUS, never the
 * file's first bytes.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

static char maps[65536];

/* What /proc/self/maps says about one region. */
struct region {
	bool found;
	char perms[8];
	unsigned long long offset;
	unsigned int major, minor;
	unsigned long inode;
};

/* The maps line of the region starting at p (found false if none). */
static struct region maps_region(const void *p)
{
	struct region r = { 0 };
	char key[32];
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return r;
	while (len < (ssize_t)sizeof(maps) - 1 &&
	       (n = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	close(fd);
	maps[len] = '\0';
	snprintf(key, sizeof(key), "%08lx-", (unsigned long)p);
	for (char *l = maps; l && *l; l = strchr(l, '\n')) {
		l += *l == '\n';
		if (!strncmp(l, key, strlen(key)) &&
		    sscanf(l, "%*x-%*x %7s %llx %x:%x %lu", r.perms, &r.offset,
			   &r.major, &r.minor, &r.inode) == 5) {
			r.found = true;
			break;
		}
	}
	return r;
}

/* The file offset /proc/self/maps shows for the region at p, or -1. */
static long long maps_offset(const void *p)
{
	struct region r = maps_region(p);

	return r.found ? (long long)r.offset : -1;
}

/* mmap2 with a page offset, as glibc cannot pass every one of them. */
static unsigned char *map_pages(int fd, size_t npages, int prot,
				unsigned long pgoff)
{
	long r = syscall(SYS_mmap2, 0, npages * UT_PAGE, prot, MAP_PRIVATE, fd,
			 pgoff);

	return r < 0 && r > -4096 ? MAP_FAILED : (unsigned char *)r;
}

/* What reading one byte of each page of [p, p + n pages) does. */
static void probe_pages(const char *what, unsigned char *p, size_t npages)
{
	for (size_t i = 0; i < npages; i++)
		ut_fact("%s: reading page %zu: %s", what, i,
			ut_probe_result(
				ut_probe_read((uintptr_t)p + i * UT_PAGE)));
}

/* A mapping at a page offset within the file reads the file's bytes. */
static void test_contents(int fd, size_t size)
{
	static unsigned char want[3 * UT_PAGE];
	unsigned char *p = map_pages(fd, 3, PROT_READ, 1);

	if (!ut_check(p != MAP_FAILED && size > 4 * UT_PAGE,
		      "map 3 pages at page offset 1"))
		return;
	ut_check(pread(fd, want, sizeof(want), UT_PAGE) == sizeof(want) &&
			 !memcmp(p, want, sizeof(want)),
		 "they hold the file's bytes from offset 4096");
	ut_check(mprotect(p + UT_PAGE, UT_PAGE, PROT_READ | PROT_WRITE) == 0,
		 "mprotect the middle page read-write");
	ut_check(maps_offset(p + UT_PAGE) == 2 * UT_PAGE &&
			 maps_offset(p + 2 * UT_PAGE) == 3 * UT_PAGE,
		 "maps: the pieces have offsets 0x2000 and 0x3000");
	ut_check(!memcmp(p, want, sizeof(want)),
		 "every piece still holds its bytes of the file");
	munmap(p, 3 * UT_PAGE);
}

/* Offsets beyond 4 GiB: mmap2 with a large page offset, then splits. */
static void test_high(int fd, unsigned long pgoff)
{
	unsigned long long off = (unsigned long long)pgoff * UT_PAGE;
	unsigned char *p = map_pages(fd, 3, PROT_READ, pgoff);
	char what[64];

	snprintf(what, sizeof(what), "page offset %#lx", pgoff);
	if (!ut_check(p != MAP_FAILED, "%s: mmap2 of 3 pages: %s", what,
		      p == MAP_FAILED ? ut_errname(errno) : "ok"))
		return;
	ut_fact("%s: maps offset %llx", what, maps_offset(p));
	ut_check(maps_offset(p) == (long long)off, "%s: maps shows %llx", what,
		 off);
	ut_check(mprotect(p + UT_PAGE, UT_PAGE, PROT_READ | PROT_WRITE) == 0,
		 "%s: mprotect the middle page read-write", what);
	ut_fact("%s: after mprotect, maps offsets %llx %llx %llx", what,
		maps_offset(p), maps_offset(p + UT_PAGE),
		maps_offset(p + 2 * UT_PAGE));
	ut_check(maps_offset(p + UT_PAGE) == (long long)(off + UT_PAGE) &&
			 maps_offset(p + 2 * UT_PAGE) ==
				 (long long)(off + 2 * UT_PAGE),
		 "%s: the pieces continue the offset", what);
	probe_pages(what, p, 3);
	ut_check(munmap(p, UT_PAGE) == 0 &&
			 maps_offset(p + UT_PAGE) == (long long)(off + UT_PAGE),
		 "%s: munmap of the first page leaves the others' offsets",
		 what);
	munmap(p + UT_PAGE, 2 * UT_PAGE);
}

/* Whether region r shows the file of st, with these permissions. */
static bool shows_file(struct region r, const struct stat *st,
		       const char *perms)
{
	return r.found && !strcmp(r.perms, perms) &&
	       r.major == major(st->st_dev) && r.minor == minor(st->st_dev) &&
	       r.inode == st->st_ino;
}

/* "0" or the error name of an mprotect call. */
static const char *mprotect_result(void *p, size_t len, int prot)
{
	return ut_errname(mprotect(p, len, prot) == 0 ? 0 : errno);
}

/*
 * MAP_SHARED of a file open read-only: the mapping is shared ("s" in
 * maps) and can never become writable, by mmap or by mprotect (EACCES).
 */
static void test_shared(int fd, const struct stat *st)
{
	static unsigned char want[2 * UT_PAGE];
	unsigned char *p =
		mmap(NULL, 2 * UT_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	void *q;

	if (!ut_check(p != MAP_FAILED, "MAP_SHARED, PROT_READ of a file open "
				       "read-only"))
		return;
	ut_check(pread(fd, want, sizeof(want), 0) == sizeof(want) &&
			 !memcmp(p, want, sizeof(want)),
		 "shared: it holds the file's bytes");
	ut_check(shows_file(maps_region(p), st, "r--s"),
		 "shared: maps says r--s, with the file's device and inode");
	ut_fact("shared: mprotect PROT_READ|PROT_WRITE: %s",
		mprotect_result(p, UT_PAGE, PROT_READ | PROT_WRITE));
	ut_fact("shared: mprotect PROT_WRITE: %s",
		mprotect_result(p, 2 * UT_PAGE, PROT_WRITE));
	ut_check(shows_file(maps_region(p), st, "r--s"),
		 "shared: and the mapping is unchanged");
	ut_check(mprotect(p, UT_PAGE, PROT_READ | PROT_EXEC) == 0 &&
			 shows_file(maps_region(p), st, "r-xs"),
		 "shared: mprotect PROT_EXEC works (r-xs)");
	ut_check(mprotect(p, 2 * UT_PAGE, PROT_NONE) == 0 &&
			 mprotect(p, 2 * UT_PAGE, PROT_READ) == 0 &&
			 shows_file(maps_region(p), st, "r--s"),
		 "shared: PROT_NONE and back to PROT_READ work");
	ut_fact("shared: writing to it: %s",
		ut_probe_result(ut_probe_write((uintptr_t)p)));
	munmap(p, 2 * UT_PAGE);

	errno = 0;
	q = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ut_check(q == MAP_FAILED && errno == EACCES,
		 "MAP_SHARED, PROT_WRITE of a file open read-only: %s",
		 q == MAP_FAILED ? ut_errname(errno) : "mapped");
	errno = 0;
	q = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, fd,
		 0);
	ut_check(q == MAP_FAILED && errno == EACCES,
		 "MAP_SHARED_VALIDATE, PROT_WRITE of it: %s",
		 q == MAP_FAILED ? ut_errname(errno) : "mapped");
}

/* MAP_PRIVATE of the same file: a private copy that may become writable. */
static void test_private(int fd, const struct stat *st)
{
	unsigned char first[16];
	unsigned char *p = mmap(NULL, UT_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

	if (!ut_check(p != MAP_FAILED, "MAP_PRIVATE, PROT_READ of the file"))
		return;
	ut_check(shows_file(maps_region(p), st, "r--p"),
		 "private: maps says r--p, with the file's device and inode");
	ut_check(mprotect(p, UT_PAGE, PROT_READ | PROT_WRITE) == 0,
		 "private: mprotect PROT_WRITE works");
	p[0] ^= 0xFF;
	ut_check(pread(fd, first, sizeof(first), 0) == sizeof(first) &&
			 first[0] == (unsigned char)(p[0] ^ 0xFF),
		 "private: a write changes the copy, not the file");
	munmap(p, UT_PAGE);
}

int main(int argc, char **argv)
{
	struct stat st;
	int fd;
	unsigned char *p;

	ut_begin(argc, argv);
	fd = open(argv[0], O_RDONLY);
	if (!ut_check(fd >= 0 && fstat(fd, &st) == 0, "open this program"))
		return ut_end();
	test_contents(fd, (size_t)st.st_size);
	test_shared(fd, &st);
	test_private(fd, &st);
	/* The first page offset whose next page is beyond 4 GiB. */
	test_high(fd, 0xFFFFFul);
	test_high(fd, 0x100000ul);
	test_high(fd, 0xFFFFFFFFul);

	/* glibc's mmap64 passes a byte offset as pages, too. */
	p = mmap64(NULL, UT_PAGE, PROT_READ, MAP_PRIVATE, fd, 1ull << 32);
	ut_check(p != MAP_FAILED && maps_offset(p) == 1ll << 32,
		 "mmap64 at offset 4 GiB: maps shows 100000000");
	if (p != MAP_FAILED) {
		probe_pages("mmap64 at offset 4 GiB", p, 1);
		munmap(p, UT_PAGE);
	}
	close(fd);
	return ut_end();
}
