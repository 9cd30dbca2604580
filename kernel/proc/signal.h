/*
 * kernel/proc/signal.h - POSIX signals as Linux i386 delivers them.
 *
 * A signal is sent (kill, a fault, a timer, a child's death), waits in the
 * process's pending set while it is blocked, and is acted on the next time
 * the process returns to user mode (signal_deliver, from
 * trap_return_to_user). The action is the default (terminate, or ignore),
 * SIG_IGN, or a handler in the program: then the kernel saves the
 * interrupted registers in a *signal frame* on the user stack, points the
 * registers at the handler, and the handler's return runs sigreturn, which
 * reads the frame back (kernel/proc/sigframe.c). kernel/proc/sys_signal.c has the
 * system calls, kernel/proc/itimer.c alarm and the interval timers.
 *
 * Locking: a process's signal state is changed by itself, and by senders
 * with interrupts off (the timer sends SIGALRM from its interrupt), so the
 * owner also changes the pending set with interrupts off.
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#define NSIG 65 /* signals 1..64, as on Linux */

/* sa_handler values (include/uapi/asm-generic/signal-defs.h). */
#define SIG_DFL 0u
#define SIG_IGN 1u

/* sa_flags bits (x86 include/uapi/asm/signal.h). */
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO 0x00000004u /* handler(sig, siginfo *, ucontext *) */
#define SA_EXPOSE_TAGBITS 0x00000800u
#define SA_RESTORER 0x04000000u	 /* sa_restorer is the return address */
#define SA_ONSTACK 0x08000000u	 /* run on the sigaltstack stack */
#define SA_RESTART 0x10000000u	 /* restart interrupted system calls */
#define SA_NODEFER 0x40000000u	 /* do not block the signal in its handler */
#define SA_RESETHAND 0x80000000u /* back to SIG_DFL once delivered */
/* The flags Linux keeps; others read back as 0 (UAPI_SA_FLAGS). */
#define SA_KNOWN                                                               \
	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS |        \
	 SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

/* sigaltstack ss_flags (include/uapi/linux/signal.h). */
#define SS_ONSTACK 1u
#define SS_DISABLE 2u
#define SS_AUTODISARM (1u << 31) /* disarm the stack while a handler runs */
#define MINSIGSTKSZ 2048u	 /* x86 include/uapi/asm/signal.h */

/* si_code values (include/uapi/asm-generic/siginfo.h). */
#define SI_USER 0      /* kill() */
#define SI_KERNEL 0x80 /* the kernel (timers, some exceptions) */
#define SI_TKILL (-6)  /* tkill() and tgkill() */
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define SEGV_MAPERR 1 /* no mapping at the address */
#define SEGV_ACCERR 2 /* the mapping forbids the access */
#define BUS_ADRALN 1
#define BUS_ADRERR 2 /* no such physical address: past a file's end */
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2

/*
 * What the kernel knows about one pending signal: the fields of the
 * siginfo_t that a SA_SIGINFO handler or rt_sigtimedwait receives, and for
 * a fault, the words of the one-line report printed if it kills.
 */
struct ksiginfo {
	int32_t code;	      /* si_code */
	int32_t pid;	      /* si_pid: the sender, or the child (SIGCHLD) */
	uint32_t addr;	      /* si_addr of a fault */
	int32_t status;	      /* SIGCHLD: exit code or signal */
	uint32_t utime;	      /* SIGCHLD: the child's user and system time, */
	uint32_t stime;	      /*   in clock ticks */
	const char *reason;   /* a fault's one-line report, or NULL; then */
	uint32_t report_addr; /*   the address it names, */
	uint32_t eip;	      /*   and the instruction */
};

/* One signal's action, as rt_sigaction reads and writes it on i386. */
struct ksigaction {
	uint32_t handler;  /* SIG_DFL, SIG_IGN or the handler's address */
	uint32_t flags;	   /* SA_* */
	uint32_t restorer; /* where the handler returns (SA_RESTORER) */
	uint64_t mask;	   /* blocked while the handler runs */
};
_Static_assert(sizeof(struct ksigaction) == 20, "i386 struct sigaction");

/* The alternate signal stack (sigaltstack). */
struct kaltstack {
	uint32_t sp;	/* lowest address */
	uint32_t size;	/* 0: none */
	uint32_t flags; /* as given: 0, SS_ONSTACK, SS_DISABLE, | AUTODISARM */
};

/*
 * An interval timer (setitimer): ITIMER_REAL counts down in real time,
 * ITIMER_VIRTUAL while the process runs in user mode, ITIMER_PROF while it
 * runs at all; at zero it sends SIGALRM, SIGVTALRM or SIGPROF and starts
 * again from the interval, if there is one.
 */
struct kitimer {
	int64_t value_ns;    /* REAL: the expiry on the monotonic clock;
				the others: the time left. 0: disarmed */
	int64_t interval_ns; /* reloaded after each expiry; 0: once */
};
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define ITIMER_COUNT 3

/* Bit of signal sig in a 64-bit signal set. */
static inline uint64_t sig_bit(int sig)
{
	return 1ull << (sig - 1);
}

/* SIGKILL and SIGSTOP can be neither blocked, caught nor ignored. */
#define SIG_UNBLOCKABLE ((1ull << (9 - 1)) | (1ull << (19 - 1)))

struct proc;
struct trapframe;

/*
 * Sends sig to p with info (NULL: SI_KERNEL). A signal p ignores and does
 * not block is dropped, as on Linux; one already pending is not queued
 * twice. Wakes p from a sleep the signal interrupts.
 */
void signal_send(struct proc *p, int sig, const struct ksiginfo *info);
/*
 * Sends sig to the current process for something it did (a fault, a bad
 * signal frame): if the signal is blocked or ignored it is unblocked and
 * its action reset to SIG_DFL, so that it cannot be lost (Linux's
 * force_sig_info).
 */
void signal_force(int sig, const struct ksiginfo *info);
/*
 * kill(2) and tkill(2) from the current process: si_code SI_USER/SI_TKILL.
 * -EPERM if the caller may not signal pid (kernel/proc/cred.h).
 */
int signal_kill(int pid, int sig, int code);
/* The same on the kernel's behalf (the terminal's SIGTTIN and SIGTTOU):
 * no permission check. */
int signal_kill_unchecked(int pid, int sig, int code);
/* True when a signal would interrupt a sleep of p. */
bool signal_pending(struct proc *p);
/* p's pending signals: its own and the process's (signal_send_shared). */
uint64_t signal_pending_set(const struct proc *p);
/*
 * signal_send as seen by thread p (its mask, its wakeup), the signal kept
 * pending in store: p itself, or with shared, the group leader, where it
 * is the process's (Linux's shared_pending) and the first thread that
 * does not block it, or waits for it (rt_sigtimedwait), takes it.
 */
void signal_send_to(struct proc *p, struct proc *store, bool shared, int sig,
		    const struct ksiginfo *info);
/*
 * Acts on pending signals before a return to user mode: runs handlers
 * (sets up their frames), ends the process for a fatal one, and finishes a
 * system call a signal interrupted (-EINTR, or a restart).
 */
void signal_deliver(struct trapframe *tf);
/* Gives a new process its own table of actions, all SIG_DFL; 0 or -ENOMEM. */
int signal_init_proc(struct proc *p);
/*
 * The signal state a child of fork or clone gets from its parent: a copy
 * of its actions, or the same actions shared (CLONE_SIGHAND). 0 or -ENOMEM.
 */
int signal_fork(struct proc *child, const struct proc *parent, bool share);
/* execve: takes a copy of the actions if they were shared; 0 or -ENOMEM. */
int signal_unshare(struct proc *p);
/* Drops p's reference to its actions (the process is being freed). */
void signal_release(struct proc *p);
/* What execve keeps and resets: handlers back to SIG_DFL, no altstack. */
void signal_exec(struct proc *p);
/* Tells p's parent that p ended with a wait status (SIGCHLD). */
void signal_notify_parent(struct proc *p, int wait_status);
/*
 * Takes the lowest pending signal of set (synchronous faults first) off
 * p's pending set; returns it and its info, or 0.
 */
int signal_dequeue(struct proc *p, uint64_t set, struct ksiginfo *info);
/* Drops pending instances of the signals in set. */
void signal_flush(struct proc *p, uint64_t set);
/* Whether sig, with p's current action and p's mask, would be ignored. */
bool signal_ignored(const struct proc *p, int sig);

/* sigaltstack: whether sp is on p's alternate stack. */
bool signal_on_altstack(const struct proc *p, uint32_t sp);
/* The ss_flags sigaltstack reports for sp: SS_DISABLE, SS_ONSTACK or 0. */
uint32_t signal_altstack_flags(const struct proc *p, uint32_t sp);
/* Sets p's alternate stack (sigaltstack's checks); 0 or -errno. */
int signal_set_altstack(struct proc *p, const struct kaltstack *ss,
			uint32_t sp);

/*
 * System calls the handlers leave through (kernel/proc/sigframe.c): sigreturn
 * and rt_sigreturn restore what the frame saved.
 */
int32_t sigframe_sigreturn(struct trapframe *tf);
int32_t sigframe_rt_sigreturn(struct trapframe *tf);
/*
 * Builds the frame for handler ka of sig on the user stack and points tf
 * at the handler; old_mask is the mask sigreturn restores. 0 or -EFAULT
 * (the frame could not be written: the caller sends SIGSEGV).
 */
int sigframe_setup(struct trapframe *tf, int sig, const struct ksigaction *ka,
		   const struct ksiginfo *info, uint64_t old_mask);
/* Writes the i386 siginfo_t for sig and info to user memory; 0 or -EFAULT. */
int sigframe_put_siginfo(uint32_t uaddr, int sig, const struct ksiginfo *info);

/* Interval timers (kernel/proc/itimer.c): runs on every timer tick. */
void itimer_tick(bool from_user);
/*
 * A SIGALRM was taken off p's pending set: a periodic ITIMER_REAL starts
 * its next period now, as on Linux (so a blocked SIGALRM does not make the
 * timer run on and on).
 */
void itimer_alarm_taken(struct proc *p);

#endif
