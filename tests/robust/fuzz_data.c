/*
 * tests/robust/fuzz_data.c - what the arguments point to.
 *
 * The memory of a fuzzing process, set up by fz_args_init (fz_mem):
 *   scratch  16 pages, always read-write: valid structures and strings,
 *            rebuilt for every call, followed by a PROT_NONE guard page
 *   edge     [RW][PROT_NONE][RO][unmapped]: pointers near the borders;
 *            fuzzed memory calls never get these addresses
 *   pool     32 pages at FZ_POOL_ADDR that fuzzed memory calls and the
 *            sequence steps map, unmap and protect: any state at all
 * and its files: /dev/null as standard input and output (the fuzzer's
 * writes must not reach the console), pipes with and without data,
 * /proc files, directories, the program itself.
 *
 * Then the things a pointer argument can point to: path names (good,
 * long, looping, unterminated at the edge of a mapping), argv arrays
 * (empty, huge, unterminated) and the structures of the calls, with
 * fields at their extremes. One time in six a structure pointer is a bad
 * pointer instead (fz_draw_ptr).
 *
 * Like fuzz_args.c, this runs where GS may be broken: no libc that
 * touches it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "fuzz_internal.h"
#include "sysfuzz.h"

/* --- paths ----------------------------------------------------------------- */

/*
 * Names to open, stat, exec and chdir to. The console (/dev/console,
 * /dev/tty) is left out on purpose: random bytes written there would
 * reach the terminal of whoever runs the test, and reading it waits for
 * the keyboard.
 */
/* clang-format off */
static const char *const paths[] = {
	"/", "/bin", "/proc/self/maps", "/proc/self/smaps", "/proc/self/status",
	"/proc/self/stat", "/proc/self/cmdline", "/proc/self/exe", "/proc/self",
	"/proc/self/", "/proc", "/proc/meminfo", "/proc/vmstat",
	"/proc/buddyinfo", "/proc/uptime", "/proc/1/maps", "/proc/1/status",
	"/proc/stat", "/proc/loadavg", "/proc/swaps", "/proc/self/statm",
	"/proc/sys/kernel/hostname",
	"/proc/sys/vm/policy", "/proc/sys/vm/drop_caches", "/proc/sys/vm",
	"/proc/sys", "/dev", "/dev/null", "/dev/zero", "/dev/urandom",
	"/dev/random", "/test", "/test/hello.txt", "/test/junk.bin",
	"/test/script.sh", "/test/empty", "/test/dir", "/test/dir/sub",
	"/test/loop-a", "/test/chain0", "/test/dangling", "/test/link-up",
	"/test/link-dir", "/test/hello-link", "/test/hello.txt/", ".", "..", "",
	"/nonexistent", "/bin/nonexistent/x", "//proc//self//maps",
	"/../../proc/./self/../self/maps", "proc/self/maps", "test/dir",
	"dev/null", "/proc/99999/maps", "/proc/0/maps", "/proc/self/x",
	"/proc/self/pagemap", "/proc/kpageflags", "/proc/kpagecount",
	"/proc/slabinfo", "/proc/pagoda/kpageorder",
	"/tmp", "/tmp/", "/tmp/fz", "/tmp/fz2", "/tmp/fzdir", "/tmp/fzdir/f",
	"/tmp/fzdir/sub", "/tmp/fz/", "/dev/shm", "/dev/shm/fz", "/tmp/..",
	"tmp/fz", "/tmp/fzdir/../fz",
};
/* clang-format on */

/* The path of this program, and its variants. */
static const char *self_path(void)
{
	return fz.self_path ? fz.self_path : "/bin/sysfuzz";
}

/* Writes a decimal number; returns the end. */
static char *put_uint(char *p, uint32_t v)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

const char *fz_utoa(uint32_t v)
{
	static char buf[12];

	*put_uint(buf, v) = 0;
	return buf;
}

/* Builds a path in buf (room bytes); returns its length. */
static uint32_t build_path(char *buf, uint32_t room)
{
	uint32_t len = 0;
	const char *s = NULL;

	switch (fz_below(12)) {
	case 0:
		s = self_path();
		break;
	case 1: {
		/* /proc/PID/x of a sibling, a child, ourselves. */
		static const char *const tails[] = {
			"maps", "smaps", "stat", "status", "cmdline", "exe", ""
		};
		char *p = buf;
		memcpy(p, "/proc/", 6);
		p = put_uint(p + 6,
			     (uint32_t)(fz.nkids && fz_chance(2)
						? fz.kids[fz_below(
							  (uint32_t)fz.nkids)]
						: fz_sibling(fz_shared)));
		*p++ = '/';
		s = tails[fz_below(7)];
		len = (uint32_t)(p - buf);
		while (*s && len < room - 1)
			buf[len++] = *s++;
		buf[len] = 0;
		return len;
	}
	case 2: {
		/* Long: a name of 255 or 256 bytes, or a path near 4096. */
		static const uint32_t sizes[] = { 255,	256,  257,  4094,
						  4095, 4096, 4097, 6000 };
		uint32_t n = sizes[fz_below(8)];
		bool name = n < 300;
		if (n > room - 2)
			n = room - 2;
		buf[0] = '/';
		for (len = 1; len < n + 1; len++)
			buf[len] = name ? 'a' : (len & 1) ? '.' : '/';
		buf[len] = 0;
		return len;
	}
	case 3: {
		/* Random bytes (no NUL inside). */
		uint32_t n = 1 + fz_below(48);
		for (len = 0; len < n; len++)
			buf[len] = (char)(1 + fz_below(255));
		buf[len] = 0;
		return len;
	}
	default:
		s = paths[fz_below(sizeof(paths) / sizeof(paths[0]))];
		/* -k: the policy file is out of reach (docs/robustness.md). */
		if (fz.keep_policy && strcmp(s, "/proc/sys/vm/policy") == 0)
			s = "/proc/sys/vm/drop_caches";
		break;
	}
	for (len = 0; s[len] && len < room - 1; len++)
		buf[len] = s[len];
	buf[len] = 0;
	return len;
}

uint32_t fz_draw_path(void)
{
	char *buf;
	uint32_t len;

	switch (fz_below(16)) {
	case 0: {
		/* Ends exactly at the PROT_NONE page: no room for its NUL. */
		char tmp[64];
		len = build_path(tmp, sizeof(tmp));
		buf = (char *)fz_edge_end() - len;
		memcpy(buf, tmp, len);
		return (uint32_t)buf;
	}
	case 1: {
		/* Its NUL is the last byte before the PROT_NONE page. */
		char tmp[64];
		len = build_path(tmp, sizeof(tmp));
		buf = (char *)fz_edge_end() - len - 1;
		memcpy(buf, tmp, len + 1);
		return (uint32_t)buf;
	}
	case 2:
	case 3:
		return fz_draw_ptr(false, 0);
	default:
		buf = fz_scratch_alloc(6100);
		build_path(buf, 6100);
		return (uint32_t)buf;
	}
}

/* An argv or envp array. */
uint32_t fz_draw_argv(void)
{
	switch (fz_below(12)) {
	case 0:
		return 0;
	case 1:
		return fz_draw_ptr(false, 0);
	case 2: {
		/* Too much: 2000 pointers to one string of 4095 bytes. */
		char *s = fz_scratch_alloc(4096);
		uint32_t *v = fz_scratch_alloc(2001 * 4);
		memset(s, 'x', 4095);
		s[4095] = 0;
		for (int i = 0; i < 2000; i++)
			v[i] = (uint32_t)s;
		v[2000] = 0;
		return (uint32_t)v;
	}
	case 3: {
		/* Not terminated: runs into the PROT_NONE page. */
		uint32_t *v = (uint32_t *)(fz_edge_end() - 16);
		for (int i = 0; i < 4; i++)
			v[i] = fz_draw_path();
		return (uint32_t)v;
	}
	default: {
		uint32_t n = fz_below(8);
		uint32_t *v = fz_scratch_alloc((n + 1) * 4);
		for (uint32_t i = 0; i < n; i++)
			v[i] = fz_chance(8) ? fz_draw_ptr(false, 0)
					    : fz_draw_path();
		v[n] = 0;
		return (uint32_t)v;
	}
	}
}

/* --- structures ------------------------------------------------------------ */

/* Fills a structure of words in scratch, or returns a bad pointer. */
static uint32_t *struct_or_bad(uint32_t words, uint32_t *ptr)
{
	if (fz_chance(6)) {
		*ptr = fz_draw_ptr(false, words * 4);
		return NULL;
	}
	uint32_t *w = fz_scratch_alloc(words * 4);
	*ptr = (uint32_t)w;
	return w;
}

uint32_t fz_draw_timespec(void)
{
	uint32_t p, *w = struct_or_bad(4, &p);

	if (!w)
		return p;
	/* Short sleeps: a long one only waits for the deadline. */
	w[0] = fz_chance(24) ? PICK(1, 0x7FFFFFFFu, 0xFFFFFFFFu, 0x80000000u)
			     : 0;
	w[1] = PICK(0, 1, 1000, 1000000, 999999999, 1000000000, 0xFFFFFFFFu);
	/* The same in a 64-bit layout (the *_time64 calls read 16 bytes). */
	if (fz_chance(2)) {
		w[2] = w[1];
		w[1] = fz_chance(8) ? 0xFFFFFFFFu : 0;
		w[3] = 0;
	} else {
		w[2] = fz_rand();
		w[3] = fz_rand();
	}
	return p;
}

uint32_t fz_draw_itimerval(void)
{
	uint32_t p, *w = struct_or_bad(4, &p);

	if (!w)
		return p;
	for (int i = 0; i < 4; i += 2) {
		w[i] = fz_chance(8) ? PICK(1, 0xFFFFFFFFu, 0x7FFFFFFFu) : 0;
		w[i + 1] = PICK(0, 1, 1000, 10000, 100000, 999999, 1000000,
				0xFFFFFFFFu);
	}
	return p;
}

uint32_t fz_draw_handler(void)
{
	switch (fz_below(8)) {
	case 0:
		return 0; /* SIG_DFL */
	case 1:
		return 1; /* SIG_IGN */
	case 2:
		return fz_draw_ptr(false, 0);
	default:
		return (uint32_t)fz_handler;
	}
}

/* SA_ flags (asm-generic/signal-defs.h, asm/signal.h). */
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO 0x00000004u
#define SA_RESTORER 0x04000000u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u

uint32_t fz_draw_sigaction(void)
{
	uint32_t p, *w = struct_or_bad(5, &p);

	if (!w)
		return p;
	w[0] = fz_draw_handler();
	w[1] = fz_draw_flags(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO |
			     SA_RESTORER | SA_ONSTACK | SA_RESTART |
			     SA_NODEFER | SA_RESETHAND);
	if (fz_chance(2))
		w[1] |= SA_RESTORER;
	/* The restorer that matches the frame, usually. */
	if (fz_chance(8))
		w[2] = fz_draw_ptr(false, 0);
	else if (fz_chance(8) ? !(w[1] & SA_SIGINFO) : (w[1] & SA_SIGINFO))
		w[2] = (uint32_t)fz_rt_restorer;
	else
		w[2] = (uint32_t)fz_restorer;
	w[3] = fz_chance(2) ? 0 : fz_rand();
	w[4] = fz_chance(2) ? 0 : fz_rand();
	return p;
}

uint32_t fz_draw_stack_t(void)
{
	uint32_t p, *w = struct_or_bad(3, &p);

	if (!w)
		return p;
	switch (fz_below(4)) {
	case 0:
		w[0] = fz_draw_ptr(true, 0);
		break;
	case 1:
		w[0] = (uint32_t)fz_mem.pool +
		       fz_below(FZ_POOL_PAGES) * FZ_PAGE;
		break;
	default:
		w[0] = (uint32_t)fz_scratch_alloc(8192);
		break;
	}
	w[1] = PICK(0, 0, 1 /* SS_ONSTACK */, 2 /* SS_DISABLE */,
		    0x80000000u /* SS_AUTODISARM */, 0x80000002u, 4);
	w[2] = PICK(0, 1, 2048, 8192, 8192, 65536, 0xFFFFFFFFu, 0x7FFFFFFFu);
	return p;
}

uint32_t fz_draw_sigset(void)
{
	uint32_t p, *w = struct_or_bad(2, &p);

	if (!w)
		return p;
	w[0] = PICK(0, 0xFFFFFFFFu, 1u << 8, 1u << 13, 1u << 16) ^
	       (fz_chance(2) ? fz_rand() : 0);
	w[1] = fz_chance(2) ? 0 : fz_rand();
	return p;
}

/*
 * struct user_desc: the entry (-1 for a free one, the three TLS entries
 * 6-8, neighbours that are not TLS entries, and for modify_ldt the first
 * LDT entries, the last (8191) and the first past it), a base and limit
 * anywhere (the kernel's half too), and the flag bits: seg_32bit,
 * contents (2 bits), read_exec_only, limit_in_pages, seg_not_present,
 * useable, lm.
 */
uint32_t fz_draw_udesc(void)
{
	uint32_t p, *w = struct_or_bad(4, &p);

	if (!w)
		return p;
	w[0] = PICK(0xFFFFFFFFu, 6, 7, 8, 6, 7, 8, 5, 9, 0, 1, 2, 12, 255,
		    8191, 8192, 0x7FFFFFFFu);
	w[1] = fz_chance(3)   ? 0
	       : fz_chance(2) ? fz_draw_ptr(true, 0)
			      : fz_rand();
	w[2] = PICK(0xFFFFF, 0, 1, 0xFFFFF, 0x100, 0xFFFFFFFFu);
	switch (fz_below(4)) {
	case 0:
		w[3] = 0x51; /* glibc's: 32-bit, limit in pages, useable */
		break;
	case 1:
		w[3] = 0x28; /* "empty": read_exec_only, not present */
		break;
	default:
		w[3] = fz_chance(4) ? fz_rand() : fz_below(0x200);
		break;
	}
	return p;
}

uint32_t fz_draw_rlimit(void)
{
	uint32_t p, *w = struct_or_bad(4, &p);

	if (!w)
		return p;
	for (int i = 0; i < 4; i++)
		w[i] = PICK(0, 1, 16, 1024, 8u << 20, 0xFFFFFFFFu, 0x7FFFFFFFu,
			    0xFFFFFFFFu);
	if (fz_chance(4))
		w[0] = fz_rand();
	return p;
}

/* The old mmap's block: addr, len, prot, flags, fd, byte offset. */

uint32_t fz_draw_mmapargs(void)
{
	uint32_t p, *w = struct_or_bad(6, &p);

	if (!w)
		return p;
	w[0] = fz_draw_addr();
	w[1] = fz_draw_mlen();
	w[2] = fz_draw_prot();
	w[3] = fz_draw_mapflags();
	w[4] = fz_draw_fd();
	w[5] = fz_chance(2)   ? 0
	       : fz_chance(2) ? fz_below(16) * FZ_PAGE
			      : fz_draw_int();
	return p;
}

/* An array of count iovecs (at most 1100), buffers of any kind. */
uint32_t fz_draw_iovec(uint32_t count)
{
	uint32_t n = count > 1100 ? 1100 : count;
	uint32_t p, *w = struct_or_bad(2 * (n ? n : 1), &p);

	if (!w)
		return p;
	for (uint32_t i = 0; i < n; i++) {
		w[2 * i + 1] = fz_chance(4) ? fz_draw_len() : fz_below(512);
		w[2 * i] = fz_draw_ptr(true, w[2 * i + 1]);
	}
	return p;
}

/* --- setting up ------------------------------------------------------------ */

static int raw_open(const char *path, uint32_t flags)
{
	return fz_call3(SYS_open, (uint32_t)path, flags, 0);
}

static void add_fd(int fd)
{
	if (fd >= 0 && fz.nfds < (int)(sizeof(fz.fds) / sizeof(fz.fds[0])))
		fz.fds[fz.nfds++] = fd;
}

static uint32_t raw_mmap(uint32_t len, uint32_t prot)
{
	uint32_t a[6] = { 0,	       len, prot, MAP_PRIVATE | MAP_ANONYMOUS,
			  0xFFFFFFFFu, 0 };
	return (uint32_t)fz_syscall(SYS_mmap2, a);
}

static char victim[FZ_PAGE] = { 1 };

/*
 * Standard descriptors become /dev/null (the fuzzer's writes must not
 * reach the console); then a few files of every kind are opened: pipes
 * with and without data, /proc files, a directory, the program itself.
 */
static void open_files(const char *path, int keep)
{
	int null = raw_open("/dev/null", O_RDWR);
	int pipes[2];

	fz.pipe_rd = fz.pipe_wr = -1;

	for (int fd = 0; fd < 3; fd++)
		fz_call3(SYS_dup2, (uint32_t)null, (uint32_t)fd, 0);
	for (int fd = 3; fd < 64; fd++)
		if (fd != keep)
			fz_call3(SYS_close, (uint32_t)fd, 0, 0);
	fz.nfds = fz.nstale = 0;
	for (int fd = 0; fd < 3; fd++)
		add_fd(fd);
	if (fz_call3(SYS_pipe, (uint32_t)pipes, 0, 0) == 0) {
		fz_call3(SYS_write, (uint32_t)pipes[1], (uint32_t) "sysfuzz",
			 7);
		add_fd(pipes[0]);
		add_fd(pipes[1]);
	}
	if (fz_call3(SYS_pipe2, (uint32_t)pipes, O_NONBLOCK, 0) == 0) {
		fz.pipe_rd = pipes[0];
		fz.pipe_wr = pipes[1];
		add_fd(pipes[0]);
		add_fd(pipes[1]);
	}
	fz.null_fd = 0;
	add_fd(raw_open("/proc/self/maps", O_RDONLY));
	add_fd(raw_open("/proc/meminfo", O_RDONLY));
	add_fd(fz.self_fd = raw_open(path, O_RDONLY));
	add_fd(fz.zero_fd = raw_open("/dev/zero", O_RDWR));
	add_fd(raw_open("/dev/urandom", O_RDONLY));
	add_fd(raw_open("/", O_RDONLY | O_DIRECTORY));
	add_fd(raw_open("/proc", O_RDONLY | O_DIRECTORY));
	add_fd(raw_open("/test/hello.txt", O_RDONLY));
	add_fd(raw_open("/proc/sys/vm/policy",
			fz.keep_policy ? O_RDONLY : O_RDWR));
	add_fd(raw_open("/bin", O_PATH));
	/* A tmpfs file and directory: written, mapped, truncated. */
	add_fd(raw_open("/tmp/fz", O_RDWR | O_CREAT));
	add_fd(raw_open("/tmp", O_RDONLY | O_DIRECTORY));
}

int fz_args_init(const char *path, int keep_fd)
{
	uint32_t area, pool;

	fz.self_path = path;
	/* Scratch, its guard page, then the edge pages. */
	area = raw_mmap((SCRATCH_PAGES + 1 + FZ_EDGE_PAGES) * FZ_PAGE,
			PROT_READ | PROT_WRITE);
	/*
	 * The pool far below everything else, so that a fuzzed munmap or
	 * mprotect of pool pages with a length of a few pages too many does
	 * not take the scratch area or the stack with it.
	 */
	uint32_t pa[6] = { FZ_POOL_ADDR,
			   FZ_POOL_PAGES * FZ_PAGE,
			   PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			   0xFFFFFFFFu,
			   0 };
	pool = (uint32_t)fz_syscall(SYS_mmap2, pa);
	if (fz_is_err((int32_t)area) || fz_is_err((int32_t)pool))
		return -1;
	fz_scratch = (uint8_t *)area;
	fz_mem.edge = area + (SCRATCH_PAGES + 1) * FZ_PAGE;
	fz_mem.pool = pool;
	fz_call3(SYS_mprotect, area + SCRATCH_PAGES * FZ_PAGE, FZ_PAGE,
		 PROT_NONE);
	fz_call3(SYS_mprotect, fz_mem.edge + FZ_PAGE, FZ_PAGE, PROT_NONE);
	memcpy((char *)fz_mem.edge + 2 * FZ_PAGE, "/proc/self/maps", 16);
	fz_call3(SYS_mprotect, fz_mem.edge + 2 * FZ_PAGE, FZ_PAGE, PROT_READ);
	fz_call3(SYS_munmap, fz_mem.edge + 3 * FZ_PAGE, FZ_PAGE, 0);
	/* Something in every pool page, so that there is data to swap. */
	for (uint32_t i = 0; i < FZ_POOL_PAGES; i += 2)
		((volatile uint32_t *)pool)[i * FZ_PAGE / 4] = i;
	fz_mem.self_text = (uintptr_t)fz_handler;
	fz_mem.self_data = (uintptr_t)victim;
	open_files(path, keep_fd);
	return 0;
}
