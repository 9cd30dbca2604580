/*
 * tests/user/mmap_file.c - private mappings of a file: contents, file
 * offsets beyond 4 GiB, and what splitting a mapping does to them.
 *
 * The file is this program itself. mmap2 takes its offset in pages, so a
 * 32-bit page offset reaches 2^44 bytes: /proc/self/maps prints such
 * offsets in full (a 64-bit number), a mapping cut in two by mprotect or
 * munmap keeps counting its offset from there, and every page of it lies
 * beyond the end of the file, so touching one is SIGBUS, never the
 * file's first bytes.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static char maps[65536];

/* The file offset /proc/self/maps shows for the region at p, or -1. */
static long long maps_offset(const void *p)
{
	char key[32];
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(maps) - 1 &&
	       (n = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	close(fd);
	maps[len] = '\0';
	snprintf(key, sizeof(key), "%08lx-", (unsigned long)p);
	for (char *l = maps; l && *l; l = strchr(l, '\n')) {
		unsigned long long off;

		l += *l == '\n';
		if (!strncmp(l, key, strlen(key)) &&
		    sscanf(l, "%*x-%*x %*s %llx", &off) == 1)
			return (long long)off;
	}
	return -1;
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
