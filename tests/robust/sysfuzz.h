/*
 * tests/robust/sysfuzz.h - what the parts of the system-call fuzzer share.
 *
 * The driver (sysfuzz.c, fuzz_batch.c, fuzz_report.c) starts fuzzing
 * processes, kills those that outlive their deadline, reaps everything,
 * checks that the kernel got all its memory back, and prints the
 * figures. A fuzzing process runs fuzz_proc.c's loop and fuzz_steps.c's
 * steps between calls; fuzz_args.c and fuzz_data.c draw the arguments;
 * fuzz_table.c says, for each system call by name, what its arguments
 * are, and which calls need care (the deny-list). The list of calls
 * itself comes from the kernel's sources (gencalls.py).
 *
 * The processes report through one block of shared memory, a System V
 * segment: forked processes inherit the attachment, and a process that
 * replaced itself with execve attaches it again by its id.
 */
#ifndef TESTS_ROBUST_SYSFUZZ_H
#define TESTS_ROBUST_SYSFUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define FZ_PAGE 4096u
/* The first kernel address (Pagoda's and Linux i386's 3G/1G split). */
#define FZ_KERNEL_BASE 0xC0000000u

/* One system call the kernel registers (generated: gencalls.py). */
struct kcall {
	uint32_t nr;
	const char *name;
};

/* Linux's errno values go up to 133 (EHWPOISON). */
#define FZ_NERRNO 134

/* What one system call returned, summed over every process. */
struct call_stats {
	uint32_t issued;	  /* calls made */
	uint32_t ok;		  /* returned a value that is not an error */
	uint32_t err[FZ_NERRNO];  /* returned -errno; [0]: -4095..-134 */
	uint32_t slowest;	  /* longest call that returned, in 1024
				     time-stamp counts (rdtsc) */
	uint32_t slowest_args[6]; /* and its arguments */
	uint32_t last_args[6];	  /* the arguments of the last call made */
};

/*
 * A process the driver must end by its deadline, and the call it is
 * making: when the driver itself could not run for a while, the call
 * that kept the CPU is among these.
 */
struct proc_slot {
	int32_t pid;
	uint32_t deadline; /* driver clock (now_ms), 0 when free */
	uint32_t in_call;  /* the row + 1 of the call being made, or 0 */
	uint32_t nr;	   /* its number and arguments */
	uint32_t args[6];
	uint64_t since; /* rdtsc when it was made */
};

#define FZ_PROC_SLOTS 256
#define FZ_SHM_IDS 256
#define FZ_MAGIC 0x5A46u

/* The sequence steps made between calls (fuzz_proc.c), counted. */
enum fz_op {
	OP_MAP,
	OP_UNMAP,
	OP_PROTECT,
	OP_ADVISE,
	OP_REMAP,
	OP_TOUCH,
	OP_SHM,
	OP_FORK,
	OP_EXEC,
	OP_SELECTOR,
	OP_SIGNAL,
	OP_SIGRETURN,
	OP_COUNT
};

/* The shared block: counters and the process and segment registers. */
struct fuzz_shared {
	uint32_t magic;
	int32_t driver; /* PID of the driver: no target */
	uint32_t rows;	/* kcall rows + 1 (other numbers) */
	struct proc_slot procs[FZ_PROC_SLOTS];
	int32_t shm_ids[FZ_SHM_IDS]; /* segments made, to remove */
	uint32_t shm_next;
	uint32_t ops[OP_COUNT];
	uint32_t exec_arrivals;	   /* images started by a fuzzer's exec */
	uint32_t enosys_wrong;	   /* unimplemented numbers not ENOSYS */
	uint32_t enosys_wrong_nr;  /* the last such number */
	struct call_stats stats[]; /* rows entries */
};

/* What a fuzzing process is told by the driver (or by its exec). */
struct fuzz_params {
	uint32_t seed;
	int calls;	   /* system calls to make */
	int depth;	   /* 0 for the driver's children */
	uint32_t deadline; /* driver clock: killed after this */
	int shm_id;	   /* the shared block */
	const char *self;  /* path of this program, for execve */
	int trace_fd;	   /* -1, or where each call is written first */
	bool keep_policy;  /* never write /proc/sys/vm/policy (-k) */
	int32_t driver;	   /* the driver's PID, never a target */
};

/* Argument kinds: how fuzz_args.c draws one argument. */
enum arg_type {
	A_ANY,	   /* anything at all (also: an unused argument) */
	A_INT,	   /* an integer: extremes, small values, random */
	A_FD,	   /* open, stale and impossible descriptors */
	A_DIRFD,   /* AT_FDCWD or a descriptor */
	A_PATH,	   /* pointer to a path name */
	A_BUF_IN,  /* memory the kernel reads */
	A_BUF_OUT, /* memory the kernel writes */
	A_LEN,	   /* a length; paired with the buffer before it */
	A_OFF,	   /* a file offset */
	A_WHENCE,
	A_OFLAGS, /* open flags */
	A_MODE,	  /* access and permission bits */
	A_ATFLAGS,
	A_ADDR, /* an address for the memory calls */
	A_MLEN, /* a length for the memory calls */
	A_PROT,
	A_MAPFLAGS,
	A_MADV,
	A_MREMAP_FLAGS,
	A_SIG,
	A_PID,
	A_WAITOPT,
	A_SIGSET, /* pointer to a signal set */
	A_SIGSETSIZE,
	A_SIGACTION, /* pointer to a struct sigaction */
	A_HANDLER,   /* a handler address: SIG_DFL, SIG_IGN, code, junk */
	A_STACK,     /* pointer to a stack_t */
	A_HOW,	     /* sigprocmask's how */
	A_TIMESPEC,  /* pointer to a timespec (32- or 64-bit) */
	A_ITIMERVAL,
	A_WHICH,   /* interval timer */
	A_SECONDS, /* alarm */
	A_CLOCKID,
	A_TIMERFLAGS,
	A_IOVEC, /* pointer to an iovec array */
	A_IOVCNT,
	A_UDESC, /* pointer to a struct user_desc */
	A_LDTFUNC, /* modify_ldt's func: 0, 1, 2, 0x11, others */
	A_LDTBUF,  /* modify_ldt's pointer: a user_desc or a buffer */
	A_LDTLEN,  /* modify_ldt's byte count: mostly 16 */
	A_RESOURCE,
	A_RLIMIT, /* pointer to a struct rlimit (32 or 64) */
	A_SHMKEY,
	A_SHMSIZE,
	A_SHMFLG,
	A_SHMID,
	A_SHMCMD,
	A_IPCCALL,
	A_IOCTL,
	A_FCNTL,
	A_ARGV,	    /* pointer to a string array */
	A_MMAPARGS, /* pointer to the old mmap's six words */
	A_CLONEFLAGS,
	A_STATXMASK,
	A_GRNDFLAGS,
	A_MLOCKFLAGS,
	A_FLAGS, /* some flag word: bits, mostly few */
	A_FUTEXOP, /* a futex operation, with or without its flag bits */
	A_ID,	   /* a user or group id: root, the users, -1, 16-bit -1 */
	A_TYPE_COUNT
};

/* How a call is made, beside its arguments (fuzz_table.c). */
enum call_how {
	HOW_PLAIN,     /* made in the fuzzing process */
	HOW_FORK,      /* the child goes on fuzzing, with a smaller budget */
	HOW_VFORK,     /* the child ends at once (vfork shares the stack) */
	HOW_EXEC,      /* made in a throw-away child */
	HOW_SIGRETURN, /* in a throw-away child, from a random frame */
	HOW_EXIT,      /* only as the last call of a process */
	HOW_CLONE,     /* as HOW_FORK without CLONE_VM and its friends, or
			  a child (a thread, maybe) that exits at once */
};

/* A deny-list entry's repair of the drawn arguments. */
enum call_fix {
	FIX_NONE,
	FIX_PID0,   /* argument 0 is a process: never the driver or all */
	FIX_PID01,  /* arguments 0 and 1 are (tgkill) */
	FIX_REBOOT, /* never the magic numbers that reboot */
	FIX_FUTEX,  /* a wait mostly gets a short timeout */
	FIX_ROBUST, /* set_robust_list: mostly the one length Linux takes */
	FIX_SYSLOG, /* never silence the console (CONSOLE_OFF, _LEVEL) */
};

/* What the fuzzer knows about one call. */
struct call_spec {
	const char *name;
	uint8_t arg[6]; /* enum arg_type, A_ANY for unused */
	uint8_t weight; /* relative frequency */
	uint8_t how;	/* enum call_how */
	uint8_t fix;	/* enum call_fix */
};

/* fuzz_table.c: the spec of a call by name (NULL: none, use A_ANY). */
const struct call_spec *fz_spec(const char *name);
/* The generic spec for calls without one. */
extern const struct call_spec fz_generic_spec;
/* Applies the call's deny-list repair to drawn arguments. */
void fz_fix_args(const struct call_spec *s, uint32_t a[6], int32_t self,
		 int32_t driver);

/* fuzz_args.c: the random number generator of this process. */
uint32_t fz_rand(void);
void fz_srand(uint32_t seed);
static inline uint32_t fz_below(uint32_t n)
{
	return n ? fz_rand() % n : 0;
}
static inline bool fz_chance(uint32_t one_in)
{
	return fz_below(one_in) == 0;
}

/* fuzz_args.c: the memory the arguments point into. */
struct fz_memory {
	uintptr_t pool;	     /* FZ_POOL_PAGES the sequence steps remap */
	uintptr_t edge;	     /* [RW][NONE][RO][unmapped], never remapped */
	uintptr_t self_text; /* a function of this program */
	uintptr_t self_data; /* a variable of this program */
	uintptr_t stack;     /* a buffer on the fuzzing loop's stack */
};
#define FZ_POOL_PAGES 32u
#define FZ_POOL_ADDR 0x30000000u
#define FZ_EDGE_PAGES 4u
extern struct fz_memory fz_mem;

/* What the argument generator knows of the process it runs in. */
struct fz_state {
	int fds[24]; /* descriptors it opened */
	int nfds;
	int stale[8]; /* descriptors closed since */
	int nstale;
	int32_t kids[16]; /* children it forked */
	int nkids;
	int32_t shmids[8]; /* segments it made */
	int nshmids;
	int32_t self, parent, driver;
	const char *self_path;
	/* Opened at set-up, for the sequence steps (may be closed since). */
	int null_fd, zero_fd, self_fd, pipe_rd, pipe_wr;
	bool keep_policy; /* fuzz_params.keep_policy */
};
extern struct fz_state fz;
/* The shared block, in the fuzzing processes (NULL once detached). */
extern struct fuzz_shared *fz_shared;

/*
 * Sets up the memory areas and descriptors of a fuzzing process; every
 * descriptor from 3 up is closed but keep_fd.
 */
int fz_args_init(const char *self_path, int keep_fd);
/* Draws the six arguments of a call; a_out[i] for each. */
void fz_draw_args(const struct call_spec *s, uint32_t a[6]);
/* Starts a fresh scratch area for the next call's structures. */
void fz_scratch_reset(void);
/* A number in decimal, in a static buffer (no stdio in the fuzzer). */
const char *fz_utoa(uint32_t v);
/* The row of a call by name, or -1. */
int fz_row_of(const char *name);

/* The raw system call: no errno, no TLS, usable whatever GS holds. */
static inline int32_t fz_syscall(uint32_t nr, const uint32_t a[6])
{
	int32_t ret;
	/* EBP carries the sixth argument: saved and loaded around the trap. */
	uint32_t blk[2] = { a[5], nr };

	__asm__ volatile("push %%ebp\n\t"
			 "mov 0(%%eax), %%ebp\n\t"
			 "mov 4(%%eax), %%eax\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp"
			 : "=a"(ret)
			 : "a"(blk), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]),
			   "D"(a[4])
			 : "memory", "cc");
	return ret;
}

/* A raw call with fewer arguments. */
static inline int32_t fz_call3(uint32_t nr, uint32_t x, uint32_t y, uint32_t z)
{
	uint32_t a[6] = { x, y, z, 0, 0, 0 };
	return fz_syscall(nr, a);
}

static inline uint64_t fz_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Whether a raw return value is an error (-4095..-1). */
static inline bool fz_is_err(int32_t ret)
{
	return (uint32_t)ret >= 0xFFFFF001u;
}

/* fuzz_proc.c: the fuzzing loop; never returns. */
__attribute__((noreturn)) void fz_run(const struct fuzz_params *p,
				      struct fuzz_shared *sh);
/* Table rows: kcalls[] then one for the numbers the kernel lacks. */
extern const struct kcall *const fz_kcalls;
extern const unsigned int fz_kcall_count;
extern const unsigned int fz_nr_max; /* the kernel's NR_SYSCALLS */

#endif
