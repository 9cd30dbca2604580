/*
 * tests/user/efault.c - system calls given bad pointers return EFAULT.
 *
 * A system call never trusts a user pointer: it copies through the user
 * access helpers, which fail with EFAULT instead of faulting the kernel or
 * killing the process. Each call is made through syscall() (the raw
 * system call, bypassing glibc's own checks and the vDSO) with pointers
 * of every kind:
 *
 *   NULL         page 0, never mapped
 *   kernel       0xC0000000, the first kernel address
 *   unmapped     a page the test mapped and unmapped again
 *   PROT_NONE    a mapped page with no access
 *   read-only    a PROT_READ page: fine to read from, EFAULT to write to
 *   straddling   the last byte of a page followed by an unmapped one
 *   straddling-4 for path names only: "////" at the end of that page
 *   untouched    a fresh read-write page never accessed: the kernel's
 *                access must fault it in (demand-zero) and succeed
 *
 * The expected result is EFAULT for every bad kind, "ok" for untouched
 * memory, and for calls that only read the memory, also for read-only.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

enum kind {
	K_NULL,
	K_KERNEL,
	K_UNMAPPED,
	K_NONE,
	K_RDONLY,
	K_STRADDLE,
	K_STRADDLE4,
	K_UNTOUCHED,
	NKINDS
};

static const char *const kind_names[NKINDS] = {
	"NULL",	     "kernel",	   "unmapped",	   "PROT_NONE",
	"read-only", "straddling", "straddling-4", "untouched",
};

/* The test's pages: [rw][unmapped] [none] [read-only] [untouched...]. */
static unsigned char *rw_page, *unmapped_page, *none_page, *ro_page,
	*fresh_pages;
static int fresh_next;

/* Offsets in the read-only page: a path "/" and zeroed structures. */
enum {
	RO_PATH = 64,
	RO_ZERO = 128
};

/* Returns the pointer of a kind; input says the call reads it. */
static void *pointer(enum kind k, bool is_path)
{
	switch (k) {
	case K_NULL:
		return ut_opaque(0);
	case K_KERNEL:
		return ut_opaque(UT_KERNEL_ADDR);
	case K_UNMAPPED:
		return unmapped_page + 100;
	case K_NONE:
		return none_page + 100;
	case K_RDONLY:
		return ro_page + (is_path ? RO_PATH : RO_ZERO);
	case K_STRADDLE:
		/* The last byte is '/', with no NUL before the hole. */
		return rw_page + UT_PAGE - 1;
	case K_STRADDLE4:
		return rw_page + UT_PAGE - 4;
	case K_UNTOUCHED:
	default:
		/* Each use gets its own never-touched page. */
		return fresh_pages + UT_PAGE * fresh_next++ +
		       (is_path ? RO_PATH : 0);
	}
}

/* A pipe holding 16 bytes, for read(). */
static int full_pipe(int fds[2])
{
	if (pipe(fds))
		return -1;
	return write(fds[1], "0123456789abcdef", 16) == 16 ? 0 : -1;
}

/* Makes one call with pointer p; returns the result or -errno. */
static long call(int which, void *p)
{
	int fds[2] = { -1, -1 };
	long r;

	switch (which) {
	case 0:
		if (full_pipe(fds))
			return -9999;
		r = syscall(SYS_read, fds[0], p, 16);
		break;
	case 1:
		if (pipe(fds))
			return -9999;
		r = syscall(SYS_write, fds[1], p, 16);
		break;
	case 2:
		r = syscall(SYS_uname, p);
		break;
	case 3:
		r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p);
		break;
	case 4:
		r = syscall(SYS_gettimeofday, p, NULL);
		break;
	case 5:
		r = syscall(SYS_stat64, "/", p);
		break;
	case 6:
		r = syscall(SYS_stat64, p, rw_page);
		break;
	case 7:
		if (pipe(fds))
			return -9999;
		r = syscall(SYS_fstat64, fds[0], p);
		break;
	case 8:
		r = syscall(SYS_open, p, O_RDONLY);
		if (r >= 0)
			close((int)r);
		break;
	case 9:
		r = syscall(SYS_getcwd, p, 64);
		break;
	case 10:
		r = syscall(SYS_readlink, "/proc/self/exe", p, 64);
		break;
	case 11:
		r = syscall(SYS_readlink, p, rw_page, 64);
		break;
	case 12:
		r = syscall(SYS_pipe, p);
		if (r == 0) {
			close(((int *)p)[0]);
			close(((int *)p)[1]);
		}
		break;
	case 13:
		r = syscall(SYS_ugetrlimit, RLIMIT_STACK, p);
		break;
	case 14:
		r = syscall(SYS_nanosleep, p, NULL);
		break;
	default:
		r = -1;
		errno = ENOSYS;
	}
	if (r < 0)
		r = -errno;
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return r;
}

struct call_desc {
	const char *name;
	bool reads;   /* the call only reads the memory */
	bool is_path; /* the pointer is a path name */
	bool null_ok; /* NULL means "not wanted" */
};

static const struct call_desc calls[] = {
	{ "read(pipe, p, 16)", false, false, false },
	{ "write(pipe, p, 16)", true, false, false },
	{ "uname(p)", false, false, false },
	{ "clock_gettime(MONOTONIC, p)", false, false, false },
	{ "gettimeofday(p, NULL)", false, false, true },
	{ "stat64(\"/\", p)", false, false, false },
	{ "stat64(p, buf)", true, true, false },
	{ "fstat64(pipe, p)", false, false, false },
	{ "open(p, O_RDONLY)", true, true, false },
	{ "getcwd(p, 64)", false, false, false },
	{ "readlink(\"/proc/self/exe\", p, 64)", false, false, false },
	{ "readlink(p, buf, 64)", true, true, false },
	{ "pipe(p)", false, false, false },
	{ "ugetrlimit(STACK, p)", false, false, false },
	{ "nanosleep(p, NULL)", true, false, false },
};

/*
 * The expected outcome: EFAULT for a bad pointer; for untouched memory,
 * and read-only memory the call only reads, anything but EFAULT (a path
 * in untouched memory is the empty string, so ENOENT; "/" is not a
 * symbolic link, so readlink says EINVAL). NULL is allowed where the call
 * says so.
 */
static bool expected(const struct call_desc *c, enum kind k, long r)
{
	bool good = k == K_UNTOUCHED || (k == K_RDONLY && c->reads) ||
		    (k == K_NULL && c->null_ok);

	return good ? r != -EFAULT : r == -EFAULT;
}

/*
 * Maps the test's pages, in one mapping so that nothing else can land in
 * the hole: [read-write][unmapped][PROT_NONE][read-only].
 */
static bool setup(void)
{
	int rw = PROT_READ | PROT_WRITE;
	unsigned char *m =
		mmap(NULL, 4 * UT_PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fresh_pages = mmap(NULL, 64 * UT_PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (m == MAP_FAILED || fresh_pages == MAP_FAILED)
		return false;
	rw_page = m;
	unmapped_page = m + UT_PAGE;
	none_page = m + 2 * UT_PAGE;
	ro_page = m + 3 * UT_PAGE;
	memset(rw_page, '/', UT_PAGE);
	strcpy((char *)ro_page + RO_PATH, "/");
	return munmap(unmapped_page, UT_PAGE) == 0 &&
	       mprotect(none_page, UT_PAGE, PROT_NONE) == 0 &&
	       mprotect(ro_page, UT_PAGE, PROT_READ) == 0;
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	/* getcwd's result must not depend on where the test was started. */
	if (chdir("/"))
		ut_check(false, "chdir(\"/\"): %s", ut_errname(errno));
	if (!setup()) {
		ut_check(false, "map the test pages");
		return ut_end();
	}
	for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
		char line[512];
		size_t used = 0;
		bool all = true;

		for (int k = 0; k < NKINDS; k++) {
			if (k == K_STRADDLE4 && !calls[c].is_path)
				continue;
			long r = call((int)c, pointer(k, calls[c].is_path));

			all &= expected(&calls[c], k, r);
			used += snprintf(line + used, sizeof(line) - used,
					 "%s%s %s", k ? ", " : "",
					 kind_names[k],
					 r >= 0 ? "ok" : ut_errname((int)-r));
		}
		ut_check(all, "%s: %s", calls[c].name, line);
	}
	return ut_end();
}
