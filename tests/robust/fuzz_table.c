/*
 * tests/robust/fuzz_table.c - what the fuzzer knows about each system call.
 *
 * The calls themselves come from the kernel (gencalls.py writes
 * sysfuzz_calls.h from its SYSCALL() lines), so a call added to the kernel
 * is fuzzed at once. This table, looked up by name, only makes the
 * fuzzing better: the kind of each argument (so that a buffer is paired
 * with a length that ends exactly at the edge of a mapping, a descriptor
 * is usually open, a pid is never the driver's), how often the call is
 * drawn, and whether it must be made in a special way. A call the table
 * does not know gets six arguments of any kind, and the summary names it.
 *
 * Argument kinds follow the Linux i386 prototypes
 * (arch/x86/entry/syscalls/syscall_32.tbl and the uapi headers).
 *
 * The deny-list is the `how` and `fix` columns; each entry says why.
 */
#include <string.h>

#include "sysfuzz.h"
#include "sysfuzz_calls.h"

const struct kcall *const fz_kcalls = kcalls;
const unsigned int fz_kcall_count = KCALL_COUNT;
const unsigned int fz_nr_max = KERNEL_NR_SYSCALLS;

/* Weights: memory calls are this kernel's subject, so they come often. */
#define W_MM 5
#define W 2
#define W_RARE 1

/* clang-format off */
#define ARGS(...) { __VA_ARGS__ }
/* clang-format on */

static const struct call_spec specs[] = {
	/* Files. */
	{ "read", ARGS(A_FD, A_BUF_OUT, A_LEN), W, HOW_PLAIN, FIX_NONE },
	{ "write", ARGS(A_FD, A_BUF_IN, A_LEN), W, HOW_PLAIN, FIX_NONE },
	{ "pread64", ARGS(A_FD, A_BUF_OUT, A_LEN, A_OFF, A_INT), W, 0, 0 },
	{ "pwrite64", ARGS(A_FD, A_BUF_IN, A_LEN, A_OFF, A_INT), W, 0, 0 },
	{ "readv", ARGS(A_FD, A_IOVEC, A_IOVCNT), W, 0, 0 },
	{ "writev", ARGS(A_FD, A_IOVEC, A_IOVCNT), W, 0, 0 },
	{ "open", ARGS(A_PATH, A_OFLAGS, A_MODE), W, 0, 0 },
	{ "openat", ARGS(A_DIRFD, A_PATH, A_OFLAGS, A_MODE), W, 0, 0 },
	{ "close", ARGS(A_FD), W, 0, 0 },
	{ "lseek", ARGS(A_FD, A_OFF, A_WHENCE), W, 0, 0 },
	{ "_llseek", ARGS(A_FD, A_INT, A_OFF, A_BUF_OUT, A_WHENCE), W, 0, 0 },
	{ "dup", ARGS(A_FD), W, 0, 0 },
	{ "dup2", ARGS(A_FD, A_FD), W, 0, 0 },
	{ "dup3", ARGS(A_FD, A_FD, A_OFLAGS), W, 0, 0 },
	{ "fcntl", ARGS(A_FD, A_FCNTL, A_INT), W, 0, 0 },
	{ "fcntl64", ARGS(A_FD, A_FCNTL, A_INT), W, 0, 0 },
	{ "ioctl", ARGS(A_FD, A_IOCTL, A_BUF_OUT), W, 0, 0 },
	{ "getdents64", ARGS(A_FD, A_BUF_OUT, A_LEN), W, 0, 0 },
	{ "pipe", ARGS(A_BUF_OUT), W, 0, 0 },
	/* Waiting for descriptors: the time limits are drawn small. */
	{ "poll", ARGS(A_BUF_IN, A_IOVCNT, A_INT), W, 0, 0 },
	{ "ppoll", ARGS(A_BUF_IN, A_IOVCNT, A_TIMESPEC, A_SIGSET, A_SIGSETSIZE),
	  W, 0, 0 },
	{ "ppoll_time64",
	  ARGS(A_BUF_IN, A_IOVCNT, A_TIMESPEC, A_SIGSET, A_SIGSETSIZE), W, 0, 0 },
	{ "_newselect", ARGS(A_INT, A_BUF_IN, A_BUF_IN, A_BUF_IN, A_TIMESPEC), W,
	  0, 0 },
	{ "select", ARGS(A_BUF_IN), W_RARE, 0, 0 },
	{ "pselect6", ARGS(A_INT, A_BUF_IN, A_BUF_IN, A_BUF_IN, A_TIMESPEC,
			   A_BUF_IN), W, 0, 0 },
	{ "pselect6_time64", ARGS(A_INT, A_BUF_IN, A_BUF_IN, A_BUF_IN,
				  A_TIMESPEC, A_BUF_IN), W, 0, 0 },
	{ "pipe2", ARGS(A_BUF_OUT, A_OFLAGS), W, 0, 0 },
	/* The name space and attributes (tmpfs: /tmp, /dev/shm). */
	{ "creat", ARGS(A_PATH, A_MODE), W, 0, 0 },
	{ "mkdir", ARGS(A_PATH, A_MODE), W, 0, 0 },
	{ "mkdirat", ARGS(A_DIRFD, A_PATH, A_MODE), W, 0, 0 },
	{ "rmdir", ARGS(A_PATH), W, 0, 0 },
	{ "unlink", ARGS(A_PATH), W, 0, 0 },
	{ "unlinkat", ARGS(A_DIRFD, A_PATH, A_ATFLAGS), W, 0, 0 },
	{ "rename", ARGS(A_PATH, A_PATH), W, 0, 0 },
	{ "renameat", ARGS(A_DIRFD, A_PATH, A_DIRFD, A_PATH), W, 0, 0 },
	{ "renameat2", ARGS(A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_FLAGS), W, 0,
	  0 },
	{ "truncate", ARGS(A_PATH, A_OFF), W, 0, 0 },
	{ "truncate64", ARGS(A_PATH, A_OFF, A_INT), W, 0, 0 },
	{ "ftruncate", ARGS(A_FD, A_OFF), W, 0, 0 },
	{ "ftruncate64", ARGS(A_FD, A_OFF, A_INT), W, 0, 0 },
	{ "fsync", ARGS(A_FD), W, 0, 0 },
	{ "fdatasync", ARGS(A_FD), W, 0, 0 },
	{ "fallocate", ARGS(A_FD, A_FLAGS, A_OFF, A_INT, A_LEN, A_INT), W, 0,
	  0 },
	{ "chmod", ARGS(A_PATH, A_MODE), W, 0, 0 },
	{ "fchmod", ARGS(A_FD, A_MODE), W, 0, 0 },
	{ "fchmodat", ARGS(A_DIRFD, A_PATH, A_MODE), W, 0, 0 },
	{ "utimensat", ARGS(A_DIRFD, A_PATH, A_TIMESPEC, A_ATFLAGS), W, 0, 0 },
	{ "utimensat_time64", ARGS(A_DIRFD, A_PATH, A_TIMESPEC, A_ATFLAGS), W,
	  0, 0 },
	{ "stat64", ARGS(A_PATH, A_BUF_OUT), W, 0, 0 },
	{ "lstat64", ARGS(A_PATH, A_BUF_OUT), W, 0, 0 },
	{ "fstat64", ARGS(A_FD, A_BUF_OUT), W, 0, 0 },
	{ "fstatat64", ARGS(A_DIRFD, A_PATH, A_BUF_OUT, A_ATFLAGS), W, 0, 0 },
	{ "statx", ARGS(A_DIRFD, A_PATH, A_ATFLAGS, A_STATXMASK, A_BUF_OUT), W,
	  0, 0 },
	{ "access", ARGS(A_PATH, A_MODE), W, 0, 0 },
	{ "faccessat", ARGS(A_DIRFD, A_PATH, A_MODE), W, 0, 0 },
	{ "faccessat2", ARGS(A_DIRFD, A_PATH, A_MODE, A_ATFLAGS), W, 0, 0 },
	{ "readlink", ARGS(A_PATH, A_BUF_OUT, A_LEN), W, 0, 0 },
	{ "readlinkat", ARGS(A_DIRFD, A_PATH, A_BUF_OUT, A_LEN), W, 0, 0 },
	{ "getcwd", ARGS(A_BUF_OUT, A_LEN), W, 0, 0 },
	{ "chdir", ARGS(A_PATH), W, 0, 0 },
	{ "fchdir", ARGS(A_FD), W, 0, 0 },
	{ "sync", ARGS(0), W_RARE, 0, 0 },

	/* Memory. */
	{ "brk", ARGS(A_ADDR), W_MM, 0, 0 },
	{ "mmap2", ARGS(A_ADDR, A_MLEN, A_PROT, A_MAPFLAGS, A_FD, A_INT), W_MM,
	  0, 0 },
	{ "mmap", ARGS(A_MMAPARGS), W_MM, 0, 0 },
	{ "munmap", ARGS(A_ADDR, A_MLEN), W_MM, 0, 0 },
	{ "mprotect", ARGS(A_ADDR, A_MLEN, A_PROT), W_MM, 0, 0 },
	{ "madvise", ARGS(A_ADDR, A_MLEN, A_MADV), W_MM, 0, 0 },
	{ "msync", ARGS(A_ADDR, A_MLEN, A_FLAGS), W_MM, 0, 0 },
	{ "mincore", ARGS(A_ADDR, A_MLEN, A_BUF_OUT), W_MM, 0, 0 },
	{ "mremap", ARGS(A_ADDR, A_MLEN, A_MLEN, A_MREMAP_FLAGS, A_ADDR), W_MM,
	  0, 0 },
	{ "mlock", ARGS(A_ADDR, A_MLEN), W_MM, 0, 0 },
	{ "munlock", ARGS(A_ADDR, A_MLEN), W_MM, 0, 0 },
	{ "mlockall", ARGS(A_MLOCKFLAGS), W, 0, 0 },
	{ "munlockall", ARGS(0), W, 0, 0 },
	{ "shmget", ARGS(A_SHMKEY, A_SHMSIZE, A_SHMFLG), W_MM, 0, 0 },
	{ "shmat", ARGS(A_SHMID, A_ADDR, A_SHMFLG), W_MM, 0, 0 },
	{ "shmdt", ARGS(A_ADDR), W_MM, 0, 0 },
	{ "shmctl", ARGS(A_SHMID, A_SHMCMD, A_BUF_OUT), W_MM, 0, 0 },
	{ "ipc", ARGS(A_IPCCALL, A_SHMID, A_INT, A_BUF_OUT, A_ADDR, A_INT), W,
	  0, 0 },

	/* Processes. fork and clone children fuzz on with a smaller budget. */
	{ "fork", ARGS(0), W_RARE, HOW_FORK, 0 },
	/*
	 * clone: half the time a fork whose child fuzzes on (without
	 * CLONE_VM: a child fuzzing in this address space, on this stack,
	 * would corrupt the fuzzer, not test the kernel); otherwise any
	 * flags, and the child, a thread or a process, exits at once from a
	 * stack of its own (fuzz_proc.c): no thread ever runs away.
	 */
	{ "clone", ARGS(A_CLONEFLAGS, A_ADDR, A_BUF_OUT, A_UDESC, A_BUF_OUT),
	  W, HOW_CLONE, 0 },
	/* vfork's child may share the parent's stack: it only exits. */
	{ "vfork", ARGS(0), W_RARE, HOW_VFORK, 0 },
	/* execve replaces the fuzzer: made in a throw-away child. */
	{ "execve", ARGS(A_PATH, A_ARGV, A_ARGV), W_RARE, HOW_EXEC, 0 },
	/* exit ends the fuzzer: it is each process's last call, not drawn. */
	{ "exit", ARGS(A_INT), 0, HOW_EXIT, 0 },
	{ "exit_group", ARGS(A_INT), 0, HOW_EXIT, 0 },
	{ "wait4", ARGS(A_PID, A_BUF_OUT, A_WAITOPT, A_BUF_OUT), W, 0, 0 },
	{ "waitid", ARGS(A_INT, A_PID, A_BUF_OUT, A_WAITOPT, A_BUF_OUT), W, 0, 0 },
	{ "waitpid", ARGS(A_PID, A_BUF_OUT, A_WAITOPT), W, 0, 0 },
	{ "getpid", ARGS(0), W_RARE, 0, 0 },
	/*
	 * Job control: a fuzzing process may leave the driver's group or
	 * session (setpgid and setsid act only on the caller and its
	 * children, never on the driver, its parent).
	 */
	{ "setpgid", ARGS(A_PID, A_PID), W, 0, 0 },
	{ "getpgid", ARGS(A_PID), W_RARE, 0, 0 },
	{ "getpgrp", ARGS(0), W_RARE, 0, 0 },
	{ "setsid", ARGS(0), W_RARE, 0, 0 },
	{ "getsid", ARGS(A_PID), W_RARE, 0, 0 },
	{ "gettid", ARGS(0), W_RARE, 0, 0 },
	{ "getppid", ARGS(0), W_RARE, 0, 0 },
	{ "set_tid_address", ARGS(A_BUF_OUT), W, 0, 0 },
	{ "set_robust_list", ARGS(A_BUF_IN, A_LEN), W, HOW_PLAIN, FIX_ROBUST },
	{ "get_robust_list", ARGS(A_PID, A_BUF_OUT, A_BUF_OUT), W, HOW_PLAIN,
	  FIX_PID0 },
	/*
	 * futex(uaddr, op, val, timeout or val2, uaddr2, val3): a wait whose
	 * value matches would sleep until the deadline; it mostly gets a
	 * short timeout instead.
	 */
	{ "futex", ARGS(A_BUF_OUT, A_FUTEXOP, A_INT, A_TIMESPEC, A_BUF_OUT,
			A_INT), W, HOW_PLAIN, FIX_FUTEX },
	{ "futex_time64", ARGS(A_BUF_OUT, A_FUTEXOP, A_INT, A_TIMESPEC,
			       A_BUF_OUT, A_INT), W, HOW_PLAIN, FIX_FUTEX },
	{ "rseq", ARGS(A_BUF_IN, A_LEN, A_FLAGS, A_INT), W, 0, 0 },
	{ "prlimit64", ARGS(A_PID, A_RESOURCE, A_RLIMIT, A_BUF_OUT), W,
	  HOW_PLAIN, FIX_PID0 },
	{ "getrlimit", ARGS(A_RESOURCE, A_BUF_OUT), W, 0, 0 },
	{ "ugetrlimit", ARGS(A_RESOURCE, A_BUF_OUT), W, 0, 0 },
	{ "setrlimit", ARGS(A_RESOURCE, A_RLIMIT), W, 0, 0 },
	{ "times", ARGS(A_BUF_OUT), W, 0, 0 },
	{ "getrusage", ARGS(A_INT, A_BUF_OUT), W, 0, 0 },
	{ "set_thread_area", ARGS(A_UDESC), W_MM, 0, 0 },
	{ "get_thread_area", ARGS(A_UDESC), W, 0, 0 },
	{ "modify_ldt", ARGS(A_LDTFUNC, A_LDTBUF, A_LDTLEN), W_MM, 0, 0 },
	/*
	 * The driver must survive: kill(0) and kill(-1) reach it on Linux
	 * (the process group, every process), and so does its own PID; those
	 * targets become the caller itself.
	 */
	{ "kill", ARGS(A_PID, A_SIG), W_RARE, HOW_PLAIN, FIX_PID0 },
	{ "tkill", ARGS(A_PID, A_SIG), W_RARE, HOW_PLAIN, FIX_PID0 },
	{ "tgkill", ARGS(A_PID, A_PID, A_SIG), W_RARE, HOW_PLAIN, FIX_PID01 },
	/*
	 * reboot with the right magic numbers (often drawn, so that the
	 * command is checked), never a command that stops the machine.
	 */
	{ "reboot", ARGS(A_INT, A_INT, A_INT, A_BUF_IN), W_RARE, HOW_PLAIN,
	  FIX_REBOOT },

	/* Signals. */
	{ "rt_sigaction", ARGS(A_SIG, A_SIGACTION, A_BUF_OUT, A_SIGSETSIZE), W,
	  0, 0 },
	{ "sigaction", ARGS(A_SIG, A_SIGACTION, A_BUF_OUT), W, 0, 0 },
	{ "signal", ARGS(A_SIG, A_HANDLER), W, 0, 0 },
	{ "rt_sigprocmask", ARGS(A_HOW, A_SIGSET, A_BUF_OUT, A_SIGSETSIZE), W,
	  0, 0 },
	{ "sigprocmask", ARGS(A_HOW, A_SIGSET, A_BUF_OUT), W, 0, 0 },
	{ "rt_sigpending", ARGS(A_BUF_OUT, A_SIGSETSIZE), W, 0, 0 },
	{ "sigpending", ARGS(A_BUF_OUT), W, 0, 0 },
	/* These wait for a signal: the deadline ends a process that waits. */
	{ "rt_sigsuspend", ARGS(A_SIGSET, A_SIGSETSIZE), W_RARE, 0, 0 },
	{ "sigsuspend", ARGS(A_INT, A_INT, A_INT), W_RARE, 0, 0 },
	{ "pause", ARGS(0), W_RARE, 0, 0 },
	{ "rt_sigtimedwait",
	  ARGS(A_SIGSET, A_BUF_OUT, A_TIMESPEC, A_SIGSETSIZE), W, 0, 0 },
	{ "rt_sigtimedwait_time64",
	  ARGS(A_SIGSET, A_BUF_OUT, A_TIMESPEC, A_SIGSETSIZE), W, 0, 0 },
	{ "sigaltstack", ARGS(A_STACK, A_BUF_OUT), W, 0, 0 },
	/* sigreturn takes its frame from the stack: made in a throw-away
	 * child, from a frame of random words, without the shared block. */
	{ "sigreturn", ARGS(0), W_RARE, HOW_SIGRETURN, 0 },
	{ "rt_sigreturn", ARGS(0), W_RARE, HOW_SIGRETURN, 0 },
	{ "alarm", ARGS(A_SECONDS), W, 0, 0 },
	{ "setitimer", ARGS(A_WHICH, A_ITIMERVAL, A_BUF_OUT), W, 0, 0 },
	{ "getitimer", ARGS(A_WHICH, A_BUF_OUT), W, 0, 0 },

	/* Time and the system. */
	{ "time", ARGS(A_BUF_OUT), W, 0, 0 },
	{ "gettimeofday", ARGS(A_BUF_OUT, A_BUF_OUT), W, 0, 0 },
	{ "clock_gettime", ARGS(A_CLOCKID, A_BUF_OUT), W, 0, 0 },
	{ "clock_gettime64", ARGS(A_CLOCKID, A_BUF_OUT), W, 0, 0 },
	{ "clock_getres", ARGS(A_CLOCKID, A_BUF_OUT), W, 0, 0 },
	{ "clock_getres_time64", ARGS(A_CLOCKID, A_BUF_OUT), W, 0, 0 },
	{ "nanosleep", ARGS(A_TIMESPEC, A_BUF_OUT), W, 0, 0 },
	{ "clock_nanosleep",
	  ARGS(A_CLOCKID, A_TIMERFLAGS, A_TIMESPEC, A_BUF_OUT), W, 0, 0 },
	{ "clock_nanosleep_time64",
	  ARGS(A_CLOCKID, A_TIMERFLAGS, A_TIMESPEC, A_BUF_OUT), W, 0, 0 },
	{ "sched_yield", ARGS(0), W_RARE, 0, 0 },
	{ "uname", ARGS(A_BUF_OUT), W, 0, 0 },
	{ "prctl", ARGS(A_INT, A_BUF_OUT, A_ANY, A_ANY, A_ANY), W, 0, 0 },
	{ "sysinfo", ARGS(A_BUF_OUT), W, 0, 0 },
	{ "getrandom", ARGS(A_BUF_OUT, A_LEN, A_GRNDFLAGS), W, 0, 0 },
	{ "getuid", ARGS(0), W_RARE, 0, 0 },
	{ "getgid", ARGS(0), W_RARE, 0, 0 },
	{ "geteuid", ARGS(0), W_RARE, 0, 0 },
	{ "getegid", ARGS(0), W_RARE, 0, 0 },
	{ "getuid32", ARGS(0), W_RARE, 0, 0 },
	{ "getgid32", ARGS(0), W_RARE, 0, 0 },
	{ "geteuid32", ARGS(0), W_RARE, 0, 0 },
	{ "getegid32", ARGS(0), W_RARE, 0, 0 },
	{ "getresuid32", ARGS(A_BUF_OUT, A_BUF_OUT, A_BUF_OUT), W, 0, 0 },
	{ "getresgid32", ARGS(A_BUF_OUT, A_BUF_OUT, A_BUF_OUT), W, 0, 0 },
	{ "getresuid", ARGS(A_BUF_OUT, A_BUF_OUT, A_BUF_OUT), W_RARE, 0, 0 },
	{ "getresgid", ARGS(A_BUF_OUT, A_BUF_OUT, A_BUF_OUT), W_RARE, 0, 0 },
	{ "getgroups32", ARGS(A_INT, A_BUF_OUT), W, 0, 0 },
	{ "getgroups", ARGS(A_INT, A_BUF_OUT), W_RARE, 0, 0 },
	/*
	 * Changing ids: a fuzzing process that drops root stays killable by
	 * the driver (root may signal anyone) and only limits itself.
	 */
	{ "setuid32", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setgid32", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setreuid32", ARGS(A_ID, A_ID), W_RARE, 0, 0 },
	{ "setregid32", ARGS(A_ID, A_ID), W_RARE, 0, 0 },
	{ "setresuid32", ARGS(A_ID, A_ID, A_ID), W_RARE, 0, 0 },
	{ "setresgid32", ARGS(A_ID, A_ID, A_ID), W_RARE, 0, 0 },
	{ "setfsuid32", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setfsgid32", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setgroups32", ARGS(A_INT, A_BUF_IN), W_RARE, 0, 0 },
	{ "setuid", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setgid", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setreuid", ARGS(A_ID, A_ID), W_RARE, 0, 0 },
	{ "setregid", ARGS(A_ID, A_ID), W_RARE, 0, 0 },
	{ "setresuid", ARGS(A_ID, A_ID, A_ID), W_RARE, 0, 0 },
	{ "setresgid", ARGS(A_ID, A_ID, A_ID), W_RARE, 0, 0 },
	{ "setfsuid", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setfsgid", ARGS(A_ID), W_RARE, 0, 0 },
	{ "setgroups", ARGS(A_INT, A_BUF_IN), W_RARE, 0, 0 },
	/*
	 * The kernel log: any action but the two that change what the
	 * console shows (the runner reads the kernel's lines there). READ
	 * waits for new messages: the deadline ends a process that waits.
	 */
	{ "syslog", ARGS(A_INT, A_BUF_OUT, A_LEN), W, HOW_PLAIN, FIX_SYSLOG },
	/*
	 * Swap areas: the fuzzer's paths never name /dev/ram0, so these
	 * exercise the refusals (ENOENT, EINVAL for what is not a swap
	 * device, bad flags), never turn the machine's swap off.
	 */
	{ "swapon", ARGS(A_PATH, A_FLAGS), W_RARE, 0, 0 },
	{ "swapoff", ARGS(A_PATH), W_RARE, 0, 0 },
};

const struct call_spec fz_generic_spec = {
	"(generic)", ARGS(A_ANY, A_ANY, A_ANY, A_ANY, A_ANY, A_ANY), W,
	HOW_PLAIN, FIX_NONE
};

const struct call_spec *fz_spec(const char *name)
{
	for (unsigned int i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (strcmp(specs[i].name, name) == 0)
			return &specs[i];
	return NULL;
}

/*
 * A target that would reach the driver: 0 (the caller's process group,
 * which holds the driver), -1 (every process), 1 (init, which the driver
 * is under qemu-run) and the driver's PID or group. It becomes the caller.
 */
static uint32_t safe_target(uint32_t pid, int32_t self, int32_t driver)
{
	int32_t p = (int32_t)pid;

	if (p == 0 || p == -1 || p == 1 || p == driver || p == -driver)
		return (uint32_t)self;
	return pid;
}

/* reboot(2)'s numbers (include/uapi/linux/reboot.h). */
#define REBOOT_MAGIC1 0xfee1deadu
static const uint32_t reboot_magic2[] = { 672274793u, 85072278u, 369367448u,
					  537993216u };
/* Commands that restart, halt, power off, suspend or kexec. */
static const uint32_t reboot_stops[] = { 0x01234567u, 0xCDEF0123u, 0x4321FEDCu,
					 0xA1B2C3D4u, 0x45584543u, 0xD000FCE2u };

void fz_fix_args(const struct call_spec *s, uint32_t a[6], int32_t self,
		 int32_t driver)
{
	switch (s->fix) {
	case FIX_PID0:
		a[0] = safe_target(a[0], self, driver);
		break;
	case FIX_PID01:
		a[0] = safe_target(a[0], self, driver);
		a[1] = safe_target(a[1], self, driver);
		break;
	case FIX_REBOOT:
		if (fz_chance(2)) {
			a[0] = REBOOT_MAGIC1;
			a[1] = reboot_magic2[fz_below(4)];
		}
		for (unsigned int i = 0; i < 6; i++)
			if (a[2] == reboot_stops[i])
				a[2] ^= 0x100;
		break;
	case FIX_SYSLOG:
		/* SYSLOG_ACTION_CONSOLE_OFF (6), _LEVEL (8): SIZE_UNREAD. */
		if (a[0] == 6 || a[0] == 8)
			a[0] = 9;
		break;
	case FIX_ROBUST:
		/* sizeof(struct robust_list_head) on i386. */
		if (!fz_chance(4))
			a[1] = 12;
		break;
	case FIX_FUTEX: {
		/* FUTEX_WAIT (0) and FUTEX_WAIT_BITSET (9), any flags. */
		static const uint32_t one_ms[4] = { 0, 1000000, 0, 0 };
		static const uint32_t one_ms64[4] = { 0, 0, 1000000, 0 };
		uint32_t cmd = a[1] & 127;
		if ((cmd == 0 || cmd == 9) && !fz_chance(8))
			a[3] = (uint32_t)(uintptr_t)(strstr(s->name, "64")
							     ? one_ms64
							     : one_ms);
		break;
	}
	default:
		break;
	}
}
