/*
 * tests/user/fork_cow.c - fork gives the child a private copy of memory.
 *
 * Pagoda copies nothing at fork: both processes map the same frames
 * read-only, and the first write to a page copies it (copy-on-write).
 * Whatever the mechanism, the result must be Linux's: after fork, each
 * process sees only its own writes, in every kind of memory (initialised
 * data, bss, brk heap, anonymous mmap, stack), in both directions, and
 * also when the write is done by the kernel on the process's behalf
 * (a system call storing its result into a copy-on-write page).
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/utsname.h>

enum {
	DATA_PAGES = 16,
	BSS_PAGES = 32,
	HEAP_PAGES = 64,
	MMAP_PAGES = 256,
	STACK_PAGES = 8
};

/* Initialised so that it lives in .data, not .bss. */
static unsigned char data_region[DATA_PAGES * UT_PAGE] = { 1 };
static unsigned char bss_region[BSS_PAGES * UT_PAGE];

struct region {
	const char *name;
	unsigned char *base;
	int pages;
};

static struct region regions[5];
static int nregions;

/* The byte a writer puts at offset i of a region. */
static unsigned char pattern(int writer, int region, size_t i)
{
	return (unsigned char)(writer * 61 + region * 17 + i / UT_PAGE * 3 +
			       (i % UT_PAGE) % 251);
}

/* Fills region r with the writer's pattern. */
static void fill(int writer, int r)
{
	for (size_t i = 0; i < (size_t)regions[r].pages * UT_PAGE; i++)
		regions[r].base[i] = pattern(writer, r, i);
}

/* Counts the pages of region r that do not hold writer's pattern. */
static int bad_pages(int writer, int r)
{
	int bad = 0;

	for (int p = 0; p < regions[r].pages; p++) {
		for (size_t i = p * UT_PAGE; i < (p + 1) * UT_PAGE; i++) {
			if (regions[r].base[i] != pattern(writer, r, i)) {
				bad++;
				break;
			}
		}
	}
	return bad;
}

/* Checks every region against a writer's pattern; prints one line each. */
static bool check_all(const char *who, const char *what, int writer)
{
	bool all = true;

	for (int r = 0; r < nregions; r++) {
		int bad = bad_pages(writer, r);

		all &= ut_check(bad == 0, "%s: %s %s (%d pages, %d differ)",
				who, regions[r].name, what, regions[r].pages,
				bad);
	}
	return all;
}

/* Sends one byte down a pipe. */
static void signal_fd(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		ut_check(false, "write to a pipe");
}

/* Waits for one byte from a pipe. */
static void wait_fd(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		ut_check(false, "read from a pipe");
}

/* Both processes write after fork; each sees only its own writes. */
static void test_both_directions(void)
{
	int to_child[2], to_parent[2], status;
	pid_t pid;

	for (int r = 0; r < nregions; r++)
		fill(0, r);
	if (pipe(to_child) || pipe(to_parent)) {
		ut_check(false, "pipes");
		return;
	}
	pid = fork();
	if (pid == 0) {
		bool ok = check_all("child", "holds the parent's data", 0);

		for (int r = 0; r < nregions; r++)
			fill(1, r);
		ok &= check_all("child", "holds its own writes", 1);
		signal_fd(to_parent[1], 'w');
		wait_fd(to_child[0]);
		ok &= check_all("child", "unchanged by the parent's writes", 1);
		_exit(ok ? 0 : 1);
	}
	wait_fd(to_parent[0]);
	check_all("parent", "unchanged by the child's writes", 0);
	for (int r = 0; r < nregions; r++)
		fill(2, r);
	signal_fd(to_child[1], 'w');
	status = ut_wait(pid);
	ut_check(ut_exited(status, 0), "child ended: %s", ut_status(status));
	check_all("parent", "holds its own writes", 2);

	/* The child is gone: the pages are the parent's alone again. */
	for (int r = 0; r < nregions; r++)
		fill(3, r);
	check_all("parent", "written again after the child exited", 3);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/* Pages never touched before fork read as zero and are private later. */
static void test_untouched(void)
{
	size_t len = 64 * UT_PAGE;
	unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status, nonzero = 0;
	pid_t pid;

	if (m == MAP_FAILED) {
		ut_check(false, "mmap: %s", ut_errname(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < len; i += 512)
			nonzero += m[i] != 0;
		for (size_t i = 0; i < len; i += UT_PAGE)
			m[i] = 0xcc;
		_exit(nonzero ? 1 : 0);
	}
	status = ut_wait(pid);
	ut_check(ut_exited(status, 0), "child read untouched pages as zero: %s",
		 ut_status(status));
	for (size_t i = 0; i < len; i += 512)
		nonzero += m[i] != 0;
	ut_check(nonzero == 0,
		 "parent still reads zero where the child wrote (%d differ)",
		 nonzero);
	munmap(m, len);
}

/* A system call storing into a copy-on-write page must copy it first. */
static void test_kernel_write(void)
{
	static struct utsname names[2 * UT_PAGE / sizeof(struct utsname) + 1];
	int status;
	pid_t pid;

	memset(names, 0x77, sizeof(names));
	pid = fork();
	if (pid == 0) {
		bool ok = uname(&names[0]) == 0 && names[0].sysname[0] != 0x77;

		_exit(ok ? 0 : 1);
	}
	status = ut_wait(pid);
	ut_check(ut_exited(status, 0),
		 "child: uname() into a copy-on-write page works: %s",
		 ut_status(status));
	ut_check(((unsigned char *)names)[0] == 0x77,
		 "parent: its page is unchanged by the child's uname()");
}

enum {
	GENERATIONS = 4
};

/*
 * Region "mmap" holds pattern 10 + gen, written by this process. Forks a
 * child that checks it inherited that, writes its own, and recurses; then
 * checks its own copy is unchanged. Returns 0 when every generation agreed.
 */
static int generation(int gen)
{
	int status;
	pid_t pid;

	if (gen == GENERATIONS)
		return 0;
	pid = fork();
	if (pid == 0) {
		if (bad_pages(10 + gen, 3))
			_exit(1);
		fill(10 + gen + 1, 3);
		_exit(generation(gen + 1));
	}
	status = ut_wait(pid);
	if (!ut_exited(status, 0))
		return 1;
	return bad_pages(10 + gen, 3) ? 1 : 0;
}

/* A chain of processes, each writing over what it inherited. */
static void test_generations(void)
{
	fill(10, 3);
	ut_check(generation(0) == 0,
		 "%d generations of mmap pages each keep their own copy",
		 GENERATIONS + 1);
}

int main(int argc, char **argv)
{
	unsigned char stack_region[STACK_PAGES * UT_PAGE];
	unsigned char *heap = malloc(HEAP_PAGES * UT_PAGE);
	unsigned char *map = mmap(NULL, MMAP_PAGES * UT_PAGE,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ut_begin(argc, argv);
	if (!heap || map == MAP_FAILED) {
		ut_check(false, "allocate the test regions");
		return ut_end();
	}
	regions[nregions++] =
		(struct region){ "data", data_region, DATA_PAGES };
	regions[nregions++] = (struct region){ "bss", bss_region, BSS_PAGES };
	regions[nregions++] = (struct region){ "heap", heap, HEAP_PAGES };
	regions[nregions++] = (struct region){ "mmap", map, MMAP_PAGES };
	regions[nregions++] =
		(struct region){ "stack", stack_region, STACK_PAGES };
	test_both_directions();
	test_untouched();
	test_kernel_write();
	test_generations();
	return ut_end();
}
