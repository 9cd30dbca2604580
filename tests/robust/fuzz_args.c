/*
 * tests/robust/fuzz_args.c - drawing the arguments of a system call.
 *
 * Each argument is drawn by its kind (sysfuzz.h, enum arg_type). Most
 * draws are plausible, so that a call gets past its first check and into
 * the kernel's work; the rest are the edges where kernels break: lengths
 * of 0, 1, a page less one, a page, huge and negative; pointers to NULL,
 * to the kernel (0xC0000000 and up), to the last bytes below it, to pages
 * that are unmapped, read-only or PROT_NONE, to a buffer that runs one
 * byte past the end of its mapping; closed descriptors; extreme integers;
 * flag words with bits nobody defined. This file draws numbers, pointers,
 * descriptors and processes; fuzz_data.c draws what pointers point to
 * (paths, argv arrays, structures) and sets up the memory they go into.
 *
 * Everything here runs in a fuzzing process after it may have clobbered
 * its own TLS segment: no errno, no stdio, nothing that touches GS.
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

struct fz_memory fz_mem;
struct fz_state fz;
struct fuzz_shared *fz_shared;

static uint32_t rng = 1;

uint32_t fz_rand(void)
{
	/* xorshift32 (Marsaglia, 2003). */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

void fz_srand(uint32_t seed)
{
	rng = seed ? seed : 0x9E3779B9u;
}

uint8_t *fz_scratch;
static uint32_t scratch_used;

void fz_scratch_reset(void)
{
	scratch_used = 0;
}

/* n bytes of read-write memory for this call (wraps when full). */
void *fz_scratch_alloc(uint32_t n)
{
	n = (n + 15) & ~15u;
	if (n > SCRATCH_PAGES * FZ_PAGE)
		n = SCRATCH_PAGES * FZ_PAGE;
	if (scratch_used + n > SCRATCH_PAGES * FZ_PAGE)
		scratch_used = 0;
	void *p = fz_scratch + scratch_used;
	scratch_used += n;
	return p;
}

uint32_t fz_edge_end(void)
{
	return (uint32_t)fz_mem.edge + FZ_PAGE;
}

/* --- integers -------------------------------------------------------------- */

uint32_t fz_draw_int(void)
{
	switch (fz_below(8)) {
	case 0:
		return PICK(0, 1, 2, 3, 4, 7, 8, 16, 255, 256);
	case 1:
		return PICK(0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 0xFFFFu,
			    0x10000u, 0xFFFFFFFEu, 0x80000001u, 0xFFFFFF9Cu);
	case 2:
		return fz_rand();
	case 3:
		return 1u << fz_below(32);
	default:
		return fz_below(64);
	}
}

uint32_t fz_draw_len(void)
{
	switch (fz_below(14)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return FZ_PAGE - 1;
	case 3:
		return FZ_PAGE;
	case 4:
		return FZ_PAGE + 1;
	case 5:
		return 2 * FZ_PAGE;
	case 6:
		return PICK(0x7FFFFFFFu, 0x10000000u, 0x01000000u, 0x00100000u,
			    0xC0000000u);
	case 7:
		return PICK(0xFFFFFFFFu, 0x80000000u, 0xFFFFF000u, 0xFFFFFFF0u);
	case 8:
		return fz_rand();
	case 9:
		return PICK(2, 4, 8, 16, 32, 64, 100, 128, 512);
	default:
		return fz_below(FZ_PAGE);
	}
}

/* Known flag bits, usually a few of them, sometimes with strangers. */
uint32_t fz_draw_flags(uint32_t known)
{
	uint32_t f = 0;

	switch (fz_below(8)) {
	case 0:
		return 0;
	case 1:
		return fz_rand();
	case 2:
		f = 1u << fz_below(32);
		break;
	default:
		break;
	}
	for (int n = (int)fz_below(4); n >= 0; n--) {
		uint32_t bit = 1u << fz_below(32);
		if (known & bit)
			f |= bit;
		else
			f |= known & fz_rand();
	}
	return f;
}

/* --- memory ---------------------------------------------------------------- */

static uint32_t kernel_ptr(void)
{
	switch (fz_below(6)) {
	case 0:
		return FZ_KERNEL_BASE;
	case 1:
		return 0xC0100000u; /* the kernel's text */
	case 2:
		return FZ_KERNEL_BASE + fz_below(64u << 20);
	case 3:
		return PICK(0xF0000000u, 0xFF800000u, 0xFFFFF000u, 0xFFFFFFFCu,
			    0xFFFFFFFFu);
	default:
		return FZ_KERNEL_BASE | fz_rand();
	}
}

/*
 * A pointer to memory the kernel reads (out false) or writes (out true),
 * for len bytes (0: not known).
 */
uint32_t fz_draw_ptr(bool out, uint32_t len)
{
	uint32_t span = len && len < FZ_PAGE ? len : 64;

	switch (fz_below(20)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
	case 6: {
		uint32_t n = len && len <= SCRATCH_PAGES * FZ_PAGE ? len : 256;
		uint8_t *p = fz_scratch_alloc(n);
		if (!out)
			for (uint32_t i = 0; i < n && i < 64; i++)
				p[i] = (uint8_t)fz_rand();
		return (uint32_t)p;
	}
	case 7:
	case 8:
		return (uint32_t)fz_mem.pool +
		       fz_below(FZ_POOL_PAGES * FZ_PAGE);
	case 9:
		/* Ends in, or runs into, the PROT_NONE page after the edge. */
		return fz_edge_end() - 1 - fz_below(span);
	case 10:
		return (uint32_t)fz_mem.edge + FZ_PAGE + fz_below(FZ_PAGE);
	case 11:
		return (uint32_t)fz_mem.edge + 2 * FZ_PAGE + fz_below(FZ_PAGE);
	case 12:
		return (uint32_t)fz_mem.edge + 3 * FZ_PAGE + fz_below(FZ_PAGE);
	case 13:
		return kernel_ptr();
	case 14:
		return fz_chance(2) ? 0 : fz_below(FZ_PAGE);
	case 15:
		/* The last bytes of user space: the rest is the kernel's. */
		return FZ_KERNEL_BASE - 1 - fz_below(span);
	case 16: {
		uint32_t own[] = { (uint32_t)fz_mem.self_text,
				   (uint32_t)fz_mem.self_data,
				   (uint32_t)fz_mem.stack, 0x08048000u };
		return own[fz_below(4)];
	}
	case 17:
		return (uint32_t)fz_scratch + SCRATCH_PAGES * FZ_PAGE - 1 -
		       fz_below(span);
	default:
		return fz_rand();
	}
}

/* An address for the memory calls: mostly pages of the pool. */
uint32_t fz_draw_addr(void)
{
	uint32_t pool = (uint32_t)fz_mem.pool;

	switch (fz_below(24)) {
	case 0:
		return 0;
	case 1:
		return pool + fz_below(FZ_POOL_PAGES * FZ_PAGE);
	case 2:
		return PICK(FZ_KERNEL_BASE, FZ_KERNEL_BASE - FZ_PAGE,
			    0xFFFFF000u, 0xBF000000u, FZ_PAGE);
	case 3:
		/* Somewhere free, probably: for hints and MAP_FIXED. */
		return 0x40000000u + fz_below(0x4000) * FZ_PAGE;
	case 4:
		/* This program's own text or stack, rarely: a way to die. */
		if (!fz_chance(4))
			return pool + fz_below(FZ_POOL_PAGES) * FZ_PAGE;
		return fz_chance(2) ? (uint32_t)fz_mem.self_text & ~0xFFFu
				    : (uint32_t)fz_mem.stack & ~0xFFFu;
	case 5:
		return fz_rand() & ~0xFFFu;
	case 6:
		return fz_rand();
	default:
		return pool + fz_below(FZ_POOL_PAGES) * FZ_PAGE;
	}
}

uint32_t fz_draw_mlen(void)
{
	switch (fz_below(10)) {
	case 0:
		return 0;
	case 1:
		return PICK(1, FZ_PAGE - 1, FZ_PAGE + 1, 3 * FZ_PAGE / 2);
	case 2:
		return PICK(0x40000000u, 0xC0000000u, 0xFFFFF000u, 0xFFFFFFFFu,
			    0x7FFFF000u, 64u << 20);
	case 3:
		return fz_rand();
	default:
		return (1 + fz_below(FZ_POOL_PAGES / 2)) * FZ_PAGE;
	}
}

/* --- descriptors and processes --------------------------------------------- */

uint32_t fz_draw_fd(void)
{
	switch (fz_below(16)) {
	case 0:
	case 1:
		if (fz.nstale)
			return (uint32_t)fz.stale[fz_below((uint32_t)fz.nstale)];
		return fz_below(3);
	case 2:
		return fz_below(3);
	case 3:
		return PICK(63, 64, 65, 1023, 1024, 1u << 20, 0x7FFFFFFFu);
	case 4:
		return PICK(0xFFFFFFFFu, 0x80000000u,
			    0xFFFFFF9Cu /* AT_FDCWD */);
	case 5:
		return fz_below(64);
	default:
		if (fz.nfds)
			return (uint32_t)fz.fds[fz_below((uint32_t)fz.nfds)];
		return fz_below(64);
	}
}

/* Another fuzzing process, from the driver's register. */
int32_t fz_sibling(struct fuzz_shared *sh)
{
	if (!sh)
		return fz.self;
	for (int tries = 0; tries < 8; tries++) {
		int32_t pid = sh->procs[fz_below(FZ_PROC_SLOTS)].pid;
		if (pid > 1 && pid != fz.driver)
			return pid;
	}
	return fz.self;
}

static uint32_t draw_pid(void)
{
	switch (fz_below(10)) {
	case 0:
		return (uint32_t)fz.self;
	case 1:
	case 2:
		if (fz.nkids)
			return (uint32_t)fz.kids[fz_below((uint32_t)fz.nkids)];
		return (uint32_t)-1;
	case 3:
	case 4:
		return (uint32_t)fz_sibling(fz_shared);
	case 5:
		return PICK(32767, 32768, 99999, 0x7FFFFFFFu, 0x80000000u);
	case 6:
		return (uint32_t)-fz_sibling(fz_shared);
	case 7:
		return PICK(0, 0xFFFFFFFFu);
	case 8:
		return (uint32_t)fz.parent;
	default:
		return fz_rand();
	}
}

static uint32_t draw_sig(void)
{
	switch (fz_below(8)) {
	case 0:
		return 0;
	case 1:
		return PICK(9, 19, 17, 11, 14, 32, 33, 64);
	case 2:
		return PICK(65, 0xFFFFFFFFu, 128, 0x80000000u);
	default:
		return 1 + fz_below(64);
	}
}

/* --- memory-call flags ----------------------------------------------------- */

uint32_t fz_draw_prot(void)
{
	if (fz_chance(8))
		return fz_draw_flags(0x03000007u);
	return fz_below(8);
}

/* MAP_ flags (asm-generic/mman-common.h, asm/mman.h). */
uint32_t fz_draw_mapflags(void)
{
	uint32_t f = PICK(0x02, 0x02, 0x01, 0x03, 0x00, 0x0F);

	if (!fz_chance(4))
		f |= 0x20; /* MAP_ANONYMOUS */
	if (fz_chance(3))
		f |= 0x10; /* MAP_FIXED */
	if (fz_chance(8))
		f |= 0x100000; /* MAP_FIXED_NOREPLACE */
	if (fz_chance(3))
		f |= fz_draw_flags(0x0100 | 0x0800 | 0x1000 | 0x2000 | 0x4000 |
				   0x8000 | 0x10000 | 0x20000 | 0x40000);
	return f;
}

/* --- the table ------------------------------------------------------------- */

static uint32_t draw(uint8_t type, uint32_t len)
{
	switch (type) {
	case A_INT:
		return fz_draw_int();
	case A_FD:
		return fz_draw_fd();
	case A_DIRFD:
		return fz_chance(3) ? 0xFFFFFF9Cu : fz_draw_fd();
	case A_PATH:
		return fz_draw_path();
	case A_BUF_IN:
		return fz_draw_ptr(false, len);
	case A_BUF_OUT:
		return fz_draw_ptr(true, len);
	case A_LEN:
		return len;
	case A_OFF:
		return PICK(0, 0, 1, FZ_PAGE, 0xFFFFFFFFu, 0x7FFFFFFFu,
			    0x80000000u, 100, 4095) ^
		       (fz_chance(8) ? fz_rand() : 0);
	case A_WHENCE:
		return PICK(0, 1, 2, 3, 4, 5, 0xFFFFFFFFu, 0x100);
	case A_OFLAGS:
		/* O_ACCMODE and the flags up to O_PATH and O_TMPFILE. */
		return (fz_below(4)) | fz_draw_flags(0x004FFFFCu & ~0x3u);
	case A_MODE:
		return fz_chance(4) ? fz_draw_int() : fz_below(8);
	case A_ATFLAGS:
		return fz_draw_flags(0x100 | 0x200 | 0x400 | 0x800 | 0x1000 |
				     0x2000 | 0x4000 | 0x6000);
	case A_ADDR:
		return fz_draw_addr();
	case A_MLEN:
		return fz_draw_mlen();
	case A_PROT:
		return fz_draw_prot();
	case A_MAPFLAGS:
		return fz_draw_mapflags();
	case A_MADV:
		return fz_chance(8) ? fz_rand()
				    : PICK(0, 1, 2, 3, 4, 4, 8, 8, 9, 10, 11,
					   12, 14, 15, 16, 17, 18, 100);
	case A_MREMAP_FLAGS:
		return fz_chance(8) ? fz_rand() : fz_below(8);
	case A_SIG:
		return draw_sig();
	case A_PID:
		return draw_pid();
	case A_WAITOPT:
		return (fz_chance(4) ? 0 : 1 /* WNOHANG */) |
		       (fz_chance(4) ? fz_draw_flags(0x0100000Eu | 0xE0000000u)
				     : 0);
	case A_SIGSET:
		return fz_draw_sigset();
	case A_SIGSETSIZE:
		return fz_chance(4) ? PICK(0, 4, 16, 128, 0xFFFFFFFFu) : 8;
	case A_SIGACTION:
		return fz_draw_sigaction();
	case A_HANDLER:
		return fz_draw_handler();
	case A_STACK:
		return fz_draw_stack_t();
	case A_HOW:
		return fz_chance(8) ? fz_draw_int() : fz_below(4);
	case A_TIMESPEC:
		return fz_draw_timespec();
	case A_ITIMERVAL:
		return fz_draw_itimerval();
	case A_WHICH:
		return fz_chance(8) ? fz_draw_int() : fz_below(4);
	case A_SECONDS:
		return fz_chance(2) ? 0
				    : PICK(1, 2, 100, 0x7FFFFFFFu, 0xFFFFFFFFu);
	case A_CLOCKID:
		return fz_chance(4) ? PICK(0xFFFFFFFFu, 0xFFFFFFFEu,
					   0xFFFFFFFAu, 0x80000000u, 16, 100)
				    : fz_below(12);
	case A_TIMERFLAGS:
		return fz_chance(4) ? fz_draw_int() : fz_below(2);
	case A_IOVEC:
		return fz_draw_iovec(len);
	case A_IOVCNT:
		return len;
	case A_UDESC:
		return fz_draw_udesc();
	case A_LDTFUNC:
		return fz_chance(8) ? fz_draw_int() : PICK(0, 1, 2, 0x11, 0x11, 3);
	case A_LDTBUF:
		/* a write reads a user_desc, a read fills len bytes */
		return fz_chance(2) ? fz_draw_udesc() : fz_draw_ptr(true, len);
	case A_LDTLEN:
		return len;
	case A_RESOURCE:
		return fz_chance(8) ? fz_draw_int() : fz_below(17);
	case A_RLIMIT:
		return fz_draw_rlimit();
	case A_SHMKEY:
		return fz_chance(2) ? 0 /* IPC_PRIVATE */
				    : PICK(1, 2, 3, 0x5A46, 0xFFFFFFFFu);
	case A_SHMSIZE:
		return PICK(0, 1, FZ_PAGE, FZ_PAGE, 2 * FZ_PAGE, 16 * FZ_PAGE,
			    FZ_PAGE + 1, 256u << 20, (256u << 20) + 1,
			    0xFFFFFFFFu, 0x80000000u) ^
		       (fz_chance(8) ? fz_rand() : 0);
	case A_SHMFLG:
		/* IPC_CREAT, IPC_EXCL, SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC */
		return (fz_chance(2) ? 0600 : fz_below(01000)) |
		       fz_draw_flags(01000 | 02000 | 010000 | 020000 | 040000 |
				     0100000);
	case A_SHMID:
		if (fz.nshmids && !fz_chance(3))
			return (uint32_t)
				fz.shmids[fz_below((uint32_t)fz.nshmids)];
		return fz_chance(2) ? fz_below(512) : fz_draw_int();
	case A_SHMCMD:
		return PICK(0, 1, 2, 3, 11, 12, 13, 14, 15, 0x100, 0x102, 0x10D,
			    99) ^
		       (fz_chance(8) ? fz_rand() : 0);
	case A_IPCCALL:
		return PICK(21, 22, 23, 24, 21, 22, 23, 24, 1, 2, 3, 11, 12, 0,
			    99, 0x10015, 0xFFFF0017u);
	case A_IOCTL:
		return fz_chance(8)
			       ? fz_rand()
			       : PICK(0x5401, 0x5402, 0x5403, 0x5404, 0x5409,
				      0x540A, 0x540B, 0x540E, 0x5411, 0x5413,
				      0x5414, 0x541B, 0x5421, 0x5422, 0x5429,
				      0x5450, 0x5451, 0x540F, 0x5410,
				      0x80045430u, 0x40045431u);
	case A_FCNTL:
		return fz_chance(8) ? fz_draw_int()
				    : PICK(0, 1, 2, 3, 4, 5, 6, 7, 1030, 1024,
					   1025, 1026, 1031, 1032, 1033);
	case A_ARGV:
		return fz_draw_argv();
	case A_MMAPARGS:
		return fz_draw_mmapargs();
	case A_CLONEFLAGS:
		/* pthread_create's: VM FS FILES SIGHAND THREAD SYSVSEM SETTLS
		 * PARENT_SETTID CHILD_CLEARTID. */
		if (fz_chance(3))
			return 0x003d0f00u;
		return (fz_chance(2) ? 17 /* SIGCHLD */ : fz_below(66)) |
		       (fz_draw_flags(0x00100000 | 0x00200000 | 0x01000000 |
				      0x00000200 | 0x00000400 | 0x00008000 |
				      0x00080000 | 0x00040000 | 0x00001000 |
				      0x00002000 | 0x00020000 | 0x00000100 |
				      0x00000800 | 0x00010000 | 0x00004000 |
				      0x00400000) &
			~0xFFu);
	case A_STATXMASK:
		return PICK(0x7FF, 0xFFF, 0, 0xFFFFFFFFu, 1, 0x80000000u);
	case A_GRNDFLAGS:
		return fz_chance(4) ? fz_rand() : fz_below(8);
	case A_MLOCKFLAGS:
		return fz_chance(4) ? fz_rand() : fz_below(8);
	case A_FLAGS:
		return fz_draw_flags(0xFF);
	case A_ID:
		return fz_chance(4) ? fz_draw_int()
				    : PICK(0, 0, 1000, 1001, 100, 65534,
					   0xFFFFFFFFu, 0xFFFFu, 70000);
	case A_FUTEXOP:
		/* WAIT WAKE REQUEUE CMP_REQUEUE WAKE_OP WAIT_BITSET
		 * WAKE_BITSET, LOCK_PI, FD; PRIVATE_FLAG, CLOCK_REALTIME. */
		return fz_chance(8) ? fz_draw_int()
				    : PICK(0, 1, 3, 4, 5, 9, 10, 6, 2) |
					      (fz_chance(2) ? 128 : 0) |
					      (fz_chance(6) ? 256 : 0);
	default: {
		/* Anything: one of the kinds above, at random. */
		static const uint8_t any[] = { A_INT,	  A_INT,  A_FD,	 A_PATH,
					       A_BUF_OUT, A_ADDR, A_MLEN };
		return draw(any[fz_below(sizeof(any))], fz_draw_len());
	}
	}
}

void fz_draw_args(const struct call_spec *s, uint32_t a[6])
{
	uint32_t len[6] = { 0 };

	/*
	 * A length is drawn first, so that the buffer before it can be made
	 * to fit it, exactly or all but one byte, at the edge of a mapping.
	 */
	for (int i = 0; i < 6; i++) {
		if (s->arg[i] == A_LEN)
			len[i] = fz_draw_len();
		else if (s->arg[i] == A_LDTLEN)
			/* sizeof(struct user_desc), the default LDT's 40, the
			 * whole LDT's 64 KiB, and the usual lengths */
			len[i] = fz_chance(2) ? 16
				 : fz_chance(2)
					 ? PICK(0, 8, 15, 17, 40, 128, 65536,
						65537)
					 : fz_draw_len();
		else if (s->arg[i] == A_IOVCNT)
			len[i] = fz_chance(6) ? fz_draw_int()
					      : PICK(0, 1, 2, 3, 8, 1024, 1025);
	}
	for (int i = 0; i < 6; i++) {
		uint32_t l = i < 5 ? len[i + 1] : 0;
		uint8_t t = s->arg[i];

		a[i] = draw(t, t == A_LEN || t == A_IOVCNT || t == A_LDTLEN
				       ? len[i]
				       : l);
		if ((t == A_BUF_IN || t == A_BUF_OUT) && l && l <= FZ_PAGE &&
		    fz_chance(4))
			a[i] = fz_edge_end() - l + (fz_chance(2) ? 1 : 0);
	}
}
