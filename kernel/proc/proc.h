/*
 * kernel/proc/proc.h - processes.
 *
 * A struct proc is one thread of execution, what Linux calls a task: it
 * has a kernel stack with a guard page, registers, a signal mask, and
 * uses an address space (struct mm, mm/mm.h), a descriptor table and a
 * table of signal actions, which threads made by clone share (each is
 * reference counted). Its pid is the thread ID; the threads of one
 * process form a thread group whose ID, tgid, is the first thread's pid
 * and is what getpid returns (kernel/proc/thread.c). Pagoda has one CPU;
 * the kernel is not preemptible: a thread in the kernel runs until it
 * sleeps or returns to user mode, where the timer may switch to another
 * (kernel/proc/sched.c).
 *
 * Process states:
 *
 *   RUNNABLE --sleep--> SLEEPING --wakeup--> RUNNABLE
 *      |
 *      +--exit--> ZOMBIE --wait4 by the parent--> (freed)
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/fpu.h"
#include "kernel/arch/gdt.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/signal.h"
#include "kernel/arch/trap.h"
#include "libk/list.h"
#include "mm/types.h"

#define PROC_NAME_MAX 16       /* like Linux's TASK_COMM_LEN */
#define PROC_MAX_FILES 64      /* open files per process */
#define PROC_MAX_PIDS 32768
#define TLS_SLOTS GDT_TLS_COUNT /* GDT entries for set_thread_area */

enum proc_state { PROC_RUNNABLE, PROC_SLEEPING, PROC_ZOMBIE };

/* Resource numbers (Linux include/uapi/asm-generic/resource.h). */
enum {
	RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE,
	RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS,
	RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE,
	RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIM_NLIMITS
};
#define RLIM64_INFINITY (~0ull)
/* RLIMIT_MEMLOCK's default (Linux's MLOCK_LIMIT since 5.16: 8 MiB). */
#define MLOCK_LIMIT (8ull << 20)

/* One resource limit: the soft (current) and hard (maximum) values. */
struct rlimit64 {
	uint64_t cur;
	uint64_t max;
};

struct file;
struct fdtable;
struct mm;

/* Signal actions, shared by the threads made with CLONE_SIGHAND. */
struct sighand {
	unsigned int users;	       /* processes using them */
	struct ksigaction action[NSIG];
};

struct proc {
	struct fpu_state fpu;        /* x87/SSE registers while switched out */
	int pid;
	char name[PROC_NAME_MAX];    /* the program's base name */
	enum proc_state state;
	struct mm *mm;               /* NULL only for the idle process */

	/* Kernel stack and saved context. */
	vaddr_t kstack;              /* base of the kernel stack area */
	uint32_t kesp;               /* saved ESP while switched out */
	struct trapframe *tf;        /* user registers at the top of kstack */

	/* Family. */
	struct proc *parent;
	struct list_node children;   /* our children */
	struct list_node sibling;    /* in parent->children */
	struct list_node all;        /* in the list of every process */
	struct list_node runq;       /* on the run queue when runnable */

	/* Exit and waiting. */
	int exit_status;             /* wait status, Linux encoding */
	void *wait_channel;          /* what a sleeping process waits for */
	struct list_node oom_wait;   /* waiting for memory (kernel/oom.c) */
	uint64_t wake_tick;          /* timed sleep: wake at this tick, or 0 */

	/* Signals (kernel/proc/signal.h). */
	uint64_t sig_pending;        /* sent and not yet acted on */
	uint64_t sig_shared;         /* leader: those of sig_pending sent to
					the process while every thread
					blocked them; any thread may take
					them (Linux's shared_pending) */
	uint64_t sig_blocked;        /* the signal mask */
	uint64_t sig_forced;         /* faults signal_force() sent: they
					end even init */
	uint64_t sig_saved_blocked;  /* sigsuspend: the mask to go back to */
	bool sig_restore_blocked;    /*   on the way back to user mode */
	uint64_t sig_real_blocked;   /* rt_sigtimedwait: the mask while it
					waits with the awaited signals
					unblocked (Linux's real_blocked) */
	struct ksigaction *sig_action; /* [NSIG]: sighand->action */
	struct sighand *sighand;     /* the actions, maybe shared */
	struct ksiginfo sig_info[NSIG];  /* of each pending signal */
	struct kaltstack sig_altstack;   /* sigaltstack */
	int exit_signal;             /* sent to the parent at exit, or 0 */
	int32_t syscall_nr;          /* the call in progress (restarts), or -1 */
	/* The last CPU exception (Linux's thread.trap_nr, error_code, cr2),
	 * which every signal frame records. */
	uint32_t fault_trapno, fault_error, fault_cr2;
	struct kitimer itimer[ITIMER_COUNT];  /* kernel/proc/itimer.c */

	struct fdtable *fdt;         /* open files (fs/fd.c), maybe
					shared; NULL once exited */
	uint32_t fs_id;              /* names its current directory; shared
					with CLONE_FS (fs/fd.c) */

	struct rlimit64 rlim[RLIM_NLIMITS];
	/* Users (kernel/proc/cred.h, kernel/proc/sys_cred.c). */
	struct cred cred;            /* this thread's ids, copied by clone */
	uint32_t umask;              /* umask(2): mode bits a new file or
					directory never gets (0022 at boot),
					copied by clone */
	bool nondumpable;            /* leader: the ids changed since the
					last execve, so only root may look
					into its memory (Linux's dumpable 0) */
	bool nproc_exceeded;         /* a set*id made the real uid one over
					RLIMIT_NPROC: execve fails with
					EAGAIN (PF_NPROC_EXCEEDED) */
	struct seg_desc tls[TLS_SLOTS];  /* set_thread_area (kernel/arch/tls.c) */
	uint32_t clear_child_tid;    /* set_tid_address */
	uint64_t start_ticks;        /* when it was created, in timer ticks */
	uint64_t utime, stime;       /* ticks spent in user and kernel mode */
	uint64_t cutime, cstime;     /* the same for reaped children */
	uint64_t min_flt, maj_flt;   /* page faults resolved without and
					with reading swap */
	uint64_t cmin_flt, cmaj_flt; /* the same for reaped children */
	uint32_t maxrss_kb;          /* peak RSS of its address spaces before
					the current one (exec replaced them) */
	uint32_t cmaxrss_kb;         /* the largest peak of reaped children */
	const char *exe;             /* the program file's path (the initramfs
					keeps it): /proc/PID/exe; NULL if none */
	vaddr_t arg_start, arg_end;  /* argument strings, /proc/PID/cmdline */
	vaddr_t env_start, env_end;  /* environment strings,
					/proc/PID/environ */

	/* Threads (kernel/proc/thread.c). */
	int tgid;                    /* thread group ID: the leader's pid */
	struct proc *group_leader;   /* the group's first thread (itself) */
	struct list_node threads;    /* leader: every thread of the group */
	struct list_node thread_node; /* in group_leader->threads */
	unsigned int nr_threads;     /* leader: threads that have not exited */
	bool group_exiting;          /* leader: exit_group or a fatal signal
					is ending every thread */
	int group_exit_status;       /*   with this wait status */
	uint64_t ended_utime, ended_stime;     /* leader: what its threads */
	uint64_t ended_min_flt, ended_maj_flt; /*   that ended used */
	bool thread_reap;            /* a thread other than the leader: freed
					when it ends, never a zombie */
	uint32_t robust_list;        /* set_robust_list: the list head */
	uint32_t robust_len;         /*   and its size */
	bool vfork_pending;          /* a CLONE_VFORK child whose parent waits
					for its exec or exit */
	struct proc *group_exec;     /* leader: the thread whose execve is
					ending the others */
	/* Job control (kernel/proc/jobctl.h). */
	int pgid;                    /* process group */
	int sid;                     /* session */
	bool jobctl_stopped;         /* stopped by a stop signal */
	bool jobctl_execed;          /* has run execve since its fork (its
					parent's setpgid then fails) */
	int jobctl_report;           /* a stop or continue wait status not
					yet reported to the parent, or 0 */
};

/* Signal numbers used by the kernel (Linux i386 asm/signal.h). */
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGWINCH 28
#define SIGSTKFLT 16
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31

/* The process running on the CPU. */
extern struct proc *current;

/* Finds a process (not a zombie reaped yet) by PID, or NULL. */
struct proc *proc_find(int pid);
/* Calls fn for every process, in order of creation. */
void proc_for_each(void (*fn)(struct proc *p, void *ctx), void *ctx);
/* The number of processes (zombies included). */
unsigned int proc_count(void);

/* The PID handed out last (/proc/loadavg's last field), 0 before any. */
int proc_last_pid(void);

/*
 * Makes pid (2 .. PROC_MAX_PIDS - 1) the next PID tried, as if the PIDs
 * had come round to it: the in-kernel tests reuse a PID this way without
 * making 32768 processes.
 */
void proc_set_next_pid(int pid);

/* Creates the first user process from the init= program. */
int proc_start_init(const char *path, char *const argv[]);
/*
 * Makes a child of the current process that will run the program at path,
 * with no open files, and stores it in *out without starting it: the
 * caller may change it first (the in-kernel tests give it registers the
 * CPU refuses), then calls sched_make_runnable(). Its end is collected
 * with proc_wait() like any child's. Returns 0 or -errno.
 */
int proc_spawn(const char *path, char *const argv[], struct proc **out);
/*
 * Copies the current process (fork), or makes a thread sharing what
 * clone_flags say (CLONE_* in kernel/proc/thread.h; the caller checked
 * them): newsp, if not 0, is the child's stack, ptid and ctid the
 * CLONE_PARENT_SETTID and CLONE_CHILD_* words, tls the CLONE_SETTLS
 * user_desc. Returns the child's PID (TID) or -errno.
 */
int proc_fork(struct trapframe *tf, uint32_t clone_flags, uint32_t newsp,
	      uint32_t ptid, uint32_t tls, uint32_t ctid);
/* Frees what a zombie still holds; it must not be running. */
void proc_free(struct proc *p);
/* A thread took the place of from, init's leader (execve in a thread). */
void proc_init_moved(struct proc *from, struct proc *to);
/* A vfork child has exec'd or ended: wakes its parent. */
void vfork_done(struct proc *p);
/* Ends the current process with a wait status; never returns. */
__attribute__((noreturn)) void proc_exit(int wait_status);
/*
 * Called by proc_exit, when set, while the ending thread's kernel stack
 * and last trap frame still exist (they go at its last switch): the
 * in-kernel tests read the user registers a process ended with.
 */
extern void (*proc_exit_hook)(struct proc *p);
/* proc_wait option: return 0 at once if no child has ended (wait(2)). */
#define WNOHANG 1
/* proc_wait option: leave the child a zombie, to be waited for again. */
#define WNOWAIT 0x01000000
/*
 * Waits for a child (pid > 0: that one; -1 or 0 or < -1: any) to end.
 * Returns its PID and stores the wait status, 0 with WNOHANG when none has
 * ended yet, or -ECHILD / -EINTR.
 */
int proc_wait(int pid, int *status, int options);

/* What a reaped child used, itself and its reaped children (wait4). */
struct proc_usage {
	uint64_t utime, stime;	   /* timer ticks */
	uint64_t min_flt, maj_flt; /* page faults */
	uint32_t maxrss_kb;	   /* the largest peak RSS among them */
};
/* proc_wait, also filling *ru (if not NULL) for the child reaped. */
int proc_wait_usage(int pid, int *status, int options, struct proc_usage *ru);
/* The peak RSS of p in kB: its address spaces, past and present. */
uint32_t proc_maxrss_kb(const struct proc *p);
/*
 * Sends a signal from the current process, as kill(2) does (kernel/proc/signal.c);
 * returns 0, -ESRCH or -EINVAL.
 */
int proc_kill(int pid, int sig);
/* Whether p is init (PID 1), which no other process can end. */
bool proc_is_init(const struct proc *p);
/* Kills the current process for a fault: prints the one-line report. */
__attribute__((noreturn)) void proc_fault_kill(int sig, uint32_t addr,
					       uint32_t eip,
					       const char *reason);
struct exec_image;
/* Installs a freshly built program image (kernel/proc/exec.h) into p. */
void proc_exec_image(struct proc *p, struct exec_image *img);
/* The wait status of a normal exit with code (for exit and exit_group). */
int proc_exit_status(int code);
/* The wait status of a process killed by signal sig. */
int proc_signal_status(int sig);


#endif
