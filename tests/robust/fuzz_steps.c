/*
 * tests/robust/fuzz_steps.c - what a fuzzing process does between calls.
 *
 * One time in six, before a call, a fuzzing process takes one of these
 * steps, with good arguments, so that the random calls meet the kernel
 * in every state:
 *   map, unmap, protect, advise, remap  a run of pool pages, so that later
 *                   pointers into the pool find any kind of memory
 *                   (anonymous, shared, file-backed, read-only, none)
 *   touch           the kernel writes pool pages (read from /dev/zero:
 *                   demand-zero, copy-on-write) or reads them (write to
 *                   /dev/null: swap-in), or both through a pipe
 *   shm             a System V segment attached over pool pages
 *   fork            a child that fuzzes on with a smaller budget
 *   exec            a throw-away child that becomes a fresh copy of this
 *                   program (--exec-child), which fuzzes on
 *   selector        FS, GS (rarely DS, ES) loaded with a TLS selector
 *   signal          a handler installed, maybe an alternate stack, and
 *                   the signal sent to itself
 *   sigreturn       a throw-away child returns from a frame of random
 *                   words (sigreturn or rt_sigreturn)
 * The calls of a step are counted with the fuzzed ones, in their rows.
 *
 * Like the rest of the fuzzing process, no libc that touches GS.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include "fuzz_internal.h"
#include "sysfuzz.h"

/* Rows of the calls the steps make (-1: not in this kernel). */
static int row_execve, row_rt_sigaction, row_sigaltstack, row_tkill,
	row_get_thread_area, row_mmap2, row_munmap, row_mprotect, row_madvise,
	row_mremap, row_read, row_write, row_shmget, row_shmat, row_shmctl;

void fz_steps_init(void)
{
	row_execve = fz_row_of("execve");
	row_rt_sigaction = fz_row_of("rt_sigaction");
	row_sigaltstack = fz_row_of("sigaltstack");
	row_tkill = fz_row_of("tkill");
	row_get_thread_area = fz_row_of("get_thread_area");
	row_mmap2 = fz_row_of("mmap2");
	row_munmap = fz_row_of("munmap");
	row_mprotect = fz_row_of("mprotect");
	row_madvise = fz_row_of("madvise");
	row_mremap = fz_row_of("mremap");
	row_read = fz_row_of("read");
	row_write = fz_row_of("write");
	row_shmget = fz_row_of("shmget");
	row_shmat = fz_row_of("shmat");
	row_shmctl = fz_row_of("shmctl");
}

/* A new copy of this program, to fuzz in place of a throw-away child. */
static __attribute__((noreturn)) void exec_self(void)
{
	char nums[6][12];
	const char *argv[9];
	const char *envp[] = { "SYSFUZZ=exec-child", NULL };

	strcpy(nums[0], fz_utoa((uint32_t)fz_params->shm_id));
	strcpy(nums[1], fz_utoa(fz_rand()));
	strcpy(nums[2], fz_utoa(FZ_CHILD_CALLS));
	strcpy(nums[3], fz_utoa(fz_params->deadline));
	strcpy(nums[4], fz_utoa((uint32_t)fz_params->trace_fd));
	strcpy(nums[5], fz_utoa(fz_params->keep_policy));
	argv[0] = fz_params->self;
	argv[1] = "--exec-child";
	for (int i = 0; i < 6; i++)
		argv[2 + i] = nums[i];
	argv[8] = NULL;
	fz_call(row_execve, SYS_execve, (uint32_t)fz_params->self,
		(uint32_t)argv, (uint32_t)envp, 0, 0, 0);
	fz_finish();
}

/* Random words, and pointers, to return from as a signal frame. */
static uint32_t frame[1024];

static __attribute__((noreturn)) void random_sigreturn(uint32_t nr)
{
	for (unsigned int i = 0; i < 1024; i++)
		frame[i] = fz_chance(4)
				   ? (uint32_t)fz_mem.pool +
					     fz_below(FZ_POOL_PAGES * FZ_PAGE)
				   : fz_rand();
	/* Mostly plausible segment selectors where the frame keeps them. */
	for (unsigned int i = 512; i < 540; i++)
		if (fz_chance(2))
			frame[i] = 0x23 + 8 * fz_below(6);
	__asm__ volatile("mov %0, %%esp\n\t"
			 "int $0x80"
			 :
			 : "r"(frame + 512), "a"(nr)
			 : "memory");
	fz_finish();
}

/*
 * Makes a call that would not come back to this loop (execve, sigreturn)
 * in a throw-away child. The execve child keeps the shared block to
 * count its result; the sigreturn child gives it up first.
 */
void fz_throw_away(int row, const uint32_t a[6], uint8_t how)
{
	if (fz_fork() != 0)
		return;
	fz_become_child();
	fz_left = 0;
	if (how == HOW_EXEC) {
		uint32_t b[6];
		memcpy(b, a, sizeof(b));
		fz_issue(row, fz_kcalls[row].nr, b);
		fz_record(row, fz_syscall(fz_kcalls[row].nr, b));
		fz_finish();
	}
	fz_issue(row, fz_kcalls[row].nr, a);
	fz_detach();
	random_sigreturn(fz_kcalls[row].nr);
}

/* --- signals --------------------------------------------------------------- */

/* A handler that returns; and restorers like glibc's. */
void fz_handler(int sig)
{
	(void)sig;
}

__asm__(".text\n"
	".globl fz_restorer\n"
	"fz_restorer:\n\t"
	"pop %eax\n\t"
	"mov $119, %eax\n\t" /* sigreturn */
	"int $0x80\n"
	".globl fz_rt_restorer\n"
	"fz_rt_restorer:\n\t"
	"mov $173, %eax\n\t" /* rt_sigreturn */
	"int $0x80\n");

static char altstack[16384];

/* Signals whose default action is to be ignored (signal(7)). */
static const uint8_t harmless_sigs[] = { 17, 18, 23, 28 };

/*
 * Installs a handler (usually) with random flags, sometimes on an
 * alternate stack, and sends the signal to itself: the kernel builds a
 * frame wherever that says, or finds it cannot.
 */
static void op_signal(void)
{
	uint32_t sig = fz_chance(4) ? 1 + fz_below(64)
				    : harmless_sigs[fz_below(4)];
	uint32_t act[5], flags = 0x04000000u; /* SA_RESTORER */

	if (!fz_chance(8)) {
		if (fz_chance(2))
			flags |= 4; /* SA_SIGINFO */
		if (fz_chance(4))
			flags |= 0x08000000u; /* SA_ONSTACK */
		if (fz_chance(4))
			flags |= 0x40000000u; /* SA_NODEFER */
		if (fz_chance(4))
			flags |= 0x80000000u; /* SA_RESETHAND */
		act[0] = (uint32_t)fz_handler;
		act[1] = flags;
		act[2] = (flags & 4) ? (uint32_t)fz_rt_restorer
				     : (uint32_t)fz_restorer;
		act[3] = fz_chance(2) ? 0 : fz_rand();
		act[4] = 0;
		FZ_CALL(row_rt_sigaction, rt_sigaction, sig, (uint32_t)act, 0,
			8, 0, 0);
	}
	if (fz_chance(4)) {
		uint32_t ss[3] = { (uint32_t)altstack, 0, sizeof(altstack) };
		if (fz_chance(4))
			ss[0] = (uint32_t)fz_mem.pool +
				fz_below(FZ_POOL_PAGES) * FZ_PAGE;
		FZ_CALL(row_sigaltstack, sigaltstack, (uint32_t)ss, 0, 0, 0, 0,
			0);
	}
	FZ_CALL(row_tkill, tkill, (uint32_t)fz.self, sig, 0, 0, 0, 0);
}

/*
 * Loads FS or GS (rarely DS or ES) with a selector: the TLS entries
 * (0x33, 0x3B, 0x43), LDT entries 0-2 (0x07, 0x0F, 0x17, which
 * modify_ldt may have made), null, the flat data segment, now and then
 * any value. A later set_thread_area that changes or clears the entry makes
 * the kernel's return to user mode reload it (kernel/tls.c); a selector
 * the CPU refuses here kills this process with SIGSEGV.
 */
static void op_selector(void)
{
	static const uint16_t tls[] = { 0x33, 0x33, 0x33, 0x3B, 0x43, 0 };
	uint16_t ds, sel;

	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	if (fz_chance(32))
		sel = (uint16_t)fz_rand();
	else if (fz_chance(6))
		sel = ds;
	else if (fz_chance(4))
		sel = (uint16_t)(fz_below(3) << 3 | 7);
	else
		sel = tls[fz_below(6)];
	/*
	 * An empty TLS entry would be refused (#GP, the end of this
	 * process): ask the kernel first, and load it anyway now and then.
	 */
	if ((sel & ~7u) >= 0x30 && (sel & ~7u) <= 0x40 && (sel & 7) == 3 &&
	    row_get_thread_area >= 0 && !fz_chance(16)) {
		uint32_t ud[4] = { (uint32_t)sel >> 3, 0, 0, 0 };
		int32_t ret = FZ_CALL(row_get_thread_area, get_thread_area,
				      (uint32_t)ud, 0, 0, 0, 0, 0);
		/* seg_not_present, or the all-zero "no segment" form */
		if (fz_is_err(ret) || (ud[3] & 0x20) ||
		    (ud[1] == 0 && ud[2] == 0 && (ud[3] & 1) == 0))
			return;
	}
	switch (fz_below(8)) {
	case 0:
	case 1:
	case 2:
	case 3:
		__asm__ volatile("mov %0, %%fs" : : "r"(sel));
		break;
	case 4:
	case 5:
	case 6:
		__asm__ volatile("mov %0, %%gs" : : "r"(sel));
		break;
	default:
		if (!fz_chance(4))
			sel = ds;
		if (fz_chance(2))
			__asm__ volatile("mov %0, %%es" : : "r"(sel));
		else
			__asm__ volatile("mov %0, %%ds" : : "r"(sel));
		break;
	}
}

/* --- sequence steps -------------------------------------------------------- */

/*
 * One step between calls, on a random run of pool pages; the calls are
 * counted in their rows like the fuzzed ones.
 */
void fz_step(void)
{
	uint32_t first = fz_below(FZ_POOL_PAGES);
	uint32_t n = 1 + fz_below(FZ_POOL_PAGES - first);
	uint32_t addr = (uint32_t)fz_mem.pool + first * FZ_PAGE;
	uint32_t len = n * FZ_PAGE;

	switch (fz_below(24)) {
	case 0:
	case 1:
	case 2: {
		/* Anonymous private or shared, or this program's file. */
		uint32_t prot = fz_below(8) & 7, flags = 0x10; /* MAP_FIXED */
		uint32_t fd = 0xFFFFFFFFu, pgoff = 0;
		switch (fz_below(4)) {
		case 0:
			flags |= MAP_SHARED | MAP_ANONYMOUS;
			break;
		case 1:
			flags |= fz_chance(2) ? MAP_PRIVATE : MAP_SHARED;
			fd = (uint32_t)fz.self_fd;
			pgoff = fz_below(4);
			if (flags & MAP_SHARED)
				prot &= ~(uint32_t)PROT_WRITE;
			break;
		default:
			flags |= MAP_PRIVATE | MAP_ANONYMOUS;
			break;
		}
		FZ_CALL(row_mmap2, mmap2, addr, len, prot, flags, fd, pgoff);
		fz_op_count(OP_MAP);
		break;
	}
	case 3:
	case 4:
		FZ_CALL(row_munmap, munmap, addr, len, 0, 0, 0, 0);
		fz_op_count(OP_UNMAP);
		break;
	case 5:
	case 6:
	case 7:
		FZ_CALL(row_mprotect, mprotect, addr, len, fz_below(8), 0, 0,
			0);
		fz_op_count(OP_PROTECT);
		break;
	case 8:
	case 9:
		FZ_CALL(row_madvise, madvise, addr, len,
			fz_chance(3)   ? 8 /* FREE */
			: fz_chance(4) ? 3
				       : 4,
			0, 0, 0);
		fz_op_count(OP_ADVISE);
		break;
	case 10:
		FZ_CALL(row_mremap, mremap, addr, len,
			fz_chance(2) ? FZ_PAGE : len + fz_below(4) * FZ_PAGE,
			fz_below(2), 0, 0);
		fz_op_count(OP_REMAP);
		break;
	case 11:
	case 12:
	case 13:
	case 14: {
		/* The kernel writes (COW, demand-zero) or reads (swap-in). */
		uint32_t off = fz_below(FZ_PAGE);
		if (fz_chance(2))
			FZ_CALL(row_read, read, (uint32_t)fz.zero_fd,
				addr + off, len - off, 0, 0, 0);
		else
			FZ_CALL(row_write, write, (uint32_t)fz.null_fd,
				addr + off, len - off, 0, 0, 0);
		fz_op_count(OP_TOUCH);
		break;
	}
	case 15: {
		int32_t id = FZ_CALL(row_shmget, shmget, 0 /* IPC_PRIVATE */,
				     len, IPC_CREAT | 0600, 0, 0, 0);
		if (fz_is_err(id))
			break;
		fz_remember_shm(id);
		FZ_CALL(row_shmat, shmat, (uint32_t)id, addr,
			fz_chance(4) ? SHM_REMAP | SHM_RDONLY : SHM_REMAP, 0, 0,
			0);
		if (fz_chance(2))
			FZ_CALL(row_shmctl, shmctl, (uint32_t)id, IPC_RMID, 0,
				0, 0, 0);
		fz_op_count(OP_SHM);
		break;
	}
	case 16:
		fz_op_count(OP_FORK);
		if (fz_fork() == 0)
			fz_become_child();
		break;
	case 17:
		fz_op_count(OP_EXEC);
		if (fz_fork() == 0) {
			fz_become_child();
			exec_self();
		}
		break;
	case 18:
		fz_op_count(OP_SELECTOR);
		op_selector();
		break;
	case 19:
	case 20:
		fz_op_count(OP_SIGNAL);
		op_signal();
		break;
	case 21: {
		static const char *const names[] = { "sigreturn",
						     "rt_sigreturn" };
		int row = fz_row_of(names[fz_below(2)]);
		uint32_t none[6] = { 0 };
		if (row >= 0) {
			fz_op_count(OP_SIGRETURN);
			fz_throw_away(row, none, HOW_SIGRETURN);
		}
		break;
	}
	default: {
		/*
		 * Pool to pool through the non-blocking pipe: the kernel
		 * reads one page of any state and writes another.
		 */
		uint32_t other = (uint32_t)fz_mem.pool +
				 fz_below(FZ_POOL_PAGES) * FZ_PAGE;
		FZ_CALL(row_write, write, (uint32_t)fz.pipe_wr, addr, FZ_PAGE,
			0, 0, 0);
		FZ_CALL(row_read, read, (uint32_t)fz.pipe_rd, other, FZ_PAGE, 0,
			0, 0);
		fz_op_count(OP_TOUCH);
		break;
	}
	}
}
