/*
 * tests/user/proc_pagemap.c - /proc/self/pagemap, /proc/kpageflags,
 * /proc/kpagecount and /proc/slabinfo behave as Linux's
 * (Documentation/admin-guide/mm/pagemap.rst).
 *
 * Checked, on both kernels:
 *   - a page of a fresh anonymous mapping is neither present nor swapped;
 *     after a write it is present, exclusively mapped, not a file page,
 *     and has a PFN exactly when the reader is root (Linux hides PFNs from
 *     others); a page of the program's code is a file page;
 *   - an address outside every mapping reads as 0;
 *   - reads must be whole 8-byte entries: an unaligned offset or count is
 *     EINVAL; lseek to an entry then read gives the same entry as pread;
 *   - after fork the page is shared: same PFN, not exclusive, kpagecount 2,
 *     kpageflags MMAP, ANON and UPTODATE; after the parent writes it, the
 *     parent has a new frame, exclusive again, and the old frame is left
 *     with count 1 (the child's);
 *   - some frame is a free buddy block and some a slab, both with count 0;
 *   - /proc/slabinfo starts with Linux's version 2.1 header.
 * Swapped pages are not compared: Linux ignores RLIMIT_RSS and does not
 * swap in a small test.
 */
#include "utest.h"

#include <sys/mman.h>

/* pagemap.rst */
#define PM_PRESENT (1ull << 63)
#define PM_SWAP (1ull << 62)
#define PM_FILE (1ull << 61)
#define PM_EXCLUSIVE (1ull << 56)
#define PM_PFN ((1ull << 55) - 1)
/* include/uapi/linux/kernel-page-flags.h */
#define KPF_UPTODATE 3
#define KPF_SLAB 7
#define KPF_BUDDY 10
#define KPF_MMAP 11
#define KPF_ANON 12

static int pagemap_fd;

/* The pagemap entry of va (read with pread), or 0 after a failed read. */
static uint64_t entry(const void *va)
{
	uint64_t e = 0;
	off_t off = (off_t)((uintptr_t)va / UT_PAGE) * 8;
	if (pread(pagemap_fd, &e, 8, off) != 8)
		return 0;
	return e;
}

/* Entry pfn of a /proc/kpage* file, or UINT64_MAX after a failed read. */
static uint64_t kpage(const char *path, uint64_t pfn)
{
	uint64_t v = UINT64_MAX;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return UINT64_MAX;
	if (pread(fd, &v, 8, (off_t)(pfn * 8)) != 8)
		v = UINT64_MAX;
	close(fd);
	return v;
}

/* The first frame whose kpageflags has bit; UINT64_MAX if none. */
static uint64_t find_frame(int bit)
{
	static uint64_t buf[512];
	uint64_t found = UINT64_MAX;
	int fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0)
		return found;
	for (uint64_t pfn = 0; found == UINT64_MAX; pfn += 512) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)(pfn * 8));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n / 8; i++)
			if ((buf[i] >> bit) & 1) {
				found = pfn + (uint64_t)i;
				break;
			}
	}
	close(fd);
	return found;
}

static void check_reads(char *p)
{
	uint64_t e;
	errno = 0;
	ut_check(pread(pagemap_fd, &e, 8, 4) < 0 && errno == EINVAL,
		 "a read at an unaligned offset: EINVAL");
	errno = 0;
	ut_check(pread(pagemap_fd, &e, 4, 0) < 0 && errno == EINVAL,
		 "a read of 4 bytes: EINVAL");
	off_t off = (off_t)((uintptr_t)p / UT_PAGE) * 8;
	ut_check(lseek(pagemap_fd, off, SEEK_SET) == off,
		 "lseek to the entry of the page");
	ut_check(read(pagemap_fd, &e, 8) == 8 && e == entry(p),
		 "read after lseek gives the entry pread gives");
	ut_check(lseek(pagemap_fd, 0, SEEK_CUR) == off + 8,
		 "the read advanced the offset by one entry");
}

static void check_fork(char *p)
{
	uint64_t before = entry(p) & PM_PFN;
	int go[2];
	if (pipe(go) < 0) {
		ut_check(false, "pipe");
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(go[1]);
		/* Keep the page mapped until the parent is done. */
		while (read(go[0], &c, 1) > 0)
			;
		_exit(p[0] == 'x' ? 0 : 1);
	}
	close(go[0]);
	uint64_t e = entry(p);
	ut_check((e & PM_PRESENT) && !(e & PM_EXCLUSIVE),
		 "after fork: present, not exclusively mapped");
	ut_check((e & PM_PFN) == before, "after fork: the same frame");
	if (geteuid() == 0) {
		uint64_t fl = kpage("/proc/kpageflags", before);
		ut_check(kpage("/proc/kpagecount", before) == 2,
			 "after fork: kpagecount 2");
		ut_check(fl != UINT64_MAX && ((fl >> KPF_MMAP) & 1) &&
				 ((fl >> KPF_ANON) & 1) &&
				 ((fl >> KPF_UPTODATE) & 1),
			 "after fork: kpageflags MMAP ANON UPTODATE");
	}
	p[0] = 'y'; /* copy-on-write: the parent gets a frame of its own */
	e = entry(p);
	ut_check((e & PM_PRESENT) && (e & PM_EXCLUSIVE),
		 "after the parent's write: present, exclusive");
	if (geteuid() == 0) {
		ut_check((e & PM_PFN) != before,
			 "after the parent's write: a new frame");
		ut_check(kpage("/proc/kpagecount", before) == 1,
			 "the old frame is left with the child: kpagecount 1");
	}
	close(go[1]);
	int status;
	waitpid(child, &status, 0);
	ut_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "the child still saw its own copy");
}

static void check_kpage(void)
{
	if (geteuid() != 0) {
		ut_fact("not root: kpageflags and kpagecount not read");
		return;
	}
	uint64_t buddy = find_frame(KPF_BUDDY);
	ut_check(buddy != UINT64_MAX && kpage("/proc/kpagecount", buddy) == 0,
		 "a free buddy block exists, with kpagecount 0");
	uint64_t slab = find_frame(KPF_SLAB);
	ut_check(slab != UINT64_MAX && kpage("/proc/kpagecount", slab) == 0,
		 "a slab frame exists, with kpagecount 0");
	uint64_t v;
	int fd = open("/proc/kpageflags", O_RDONLY);
	errno = 0;
	ut_check(fd >= 0 && pread(fd, &v, 8, 3) < 0 && errno == EINVAL,
		 "kpageflags at an unaligned offset: EINVAL");
	if (fd >= 0)
		close(fd);
}

static void check_slabinfo(void)
{
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");
	if (!ut_check(f != NULL, "/proc/slabinfo opens"))
		return;
	bool ok = fgets(line, sizeof(line), f) &&
		  !strcmp(line, "slabinfo - version: 2.1\n");
	ut_check(ok, "slabinfo: version 2.1");
	ok = fgets(line, sizeof(line), f) &&
	     !strncmp(line,
		      "# name            <active_objs> <num_objs> "
		      "<objsize> <objperslab> <pagesperslab> : "
		      "tunables <limit> <batchcount> <sharedfactor> : "
		      "slabdata <active_slabs> <num_slabs> <sharedavail>",
		      150);
	ut_check(ok, "slabinfo: the column header");
	int caches = 0, good = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long a, n, sz, per, pages, l, b, s, as, ns, sa;
		caches++;
		if (sscanf(line,
			   "%63s %lu %lu %lu %lu %lu : tunables %lu %lu %lu : "
			   "slabdata %lu %lu %lu",
			   name, &a, &n, &sz, &per, &pages, &l, &b, &s, &as,
			   &ns, &sa) == 12 &&
		    a <= n && as <= ns)
			good++;
	}
	fclose(f);
	ut_check(caches > 0 && good == caches,
		 "slabinfo: every cache line has its 12 numbers");
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (!ut_check(pagemap_fd >= 0, "/proc/self/pagemap opens"))
		return ut_end();

	char *p = mmap(NULL, 4 * UT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ut_check(p != MAP_FAILED, "mmap 4 pages"))
		return ut_end();
	uint64_t e = entry(p);
	ut_check(!(e & (PM_PRESENT | PM_SWAP)),
		 "untouched page: not present, not swapped");
	p[0] = 'x';
	e = entry(p);
	ut_check((e & PM_PRESENT) && !(e & PM_SWAP) && !(e & PM_FILE),
		 "written page: present, anonymous");
	ut_check((e & PM_EXCLUSIVE) != 0, "written page: exclusively mapped");
	ut_check(((e & PM_PFN) != 0) == (geteuid() == 0),
		 "written page: a PFN exactly when root");
	ut_check(!(entry(p + UT_PAGE) & PM_PRESENT),
		 "the next page, untouched: not present");
	e = entry((void *)(uintptr_t)main);
	ut_check((e & PM_PRESENT) && (e & PM_FILE),
		 "the page of main(): present, a file page");
	munmap(p + 3 * UT_PAGE, UT_PAGE);
	ut_check(entry(p + 3 * UT_PAGE) == 0, "an unmapped address reads 0");

	check_reads(p);
	check_fork(p);
	check_kpage();
	check_slabinfo();
	close(pagemap_fd);
	return ut_end();
}
