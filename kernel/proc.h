/*
 * kernel/proc.h - processes.
 *
 * A process has an address space (struct mm, mm/mm.h), a kernel stack with
 * a guard page, open files, and a place in the process tree. Pagoda has
 * one thread per process and one CPU; the kernel is not preemptible:
 * a process in the kernel runs until it sleeps or returns to user mode,
 * where the timer may switch to another (kernel/sched.c).
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

#include "kernel/trap.h"
#include "libk/list.h"
#include "mm/types.h"

#define PROC_NAME_MAX 16       /* like Linux's TASK_COMM_LEN */
#define PROC_MAX_FILES 64      /* open files per process */
#define PROC_MAX_PIDS 32768
#define NSIG 65                /* signals 1..64, as on Linux */
#define TLS_SLOTS 3            /* GDT entries for set_thread_area */

enum proc_state { PROC_RUNNABLE, PROC_SLEEPING, PROC_ZOMBIE };

/* Resource limits Pagoda enforces (Linux RLIMIT_* numbers in sys_*.c). */
struct proc_limits {
	uint64_t stack;  /* RLIMIT_STACK: bytes the stack may grow to */
	uint64_t as;     /* RLIMIT_AS: bytes of address space */
	uint64_t data;   /* RLIMIT_DATA: bytes of brk heap and private data */
	uint64_t rss;    /* RLIMIT_RSS: resident pages, in bytes */
};

/* A user-visible TLS segment set with set_thread_area. */
struct tls_desc {
	uint32_t base;
	uint32_t limit;      /* in pages when limit_in_pages */
	uint32_t flags;      /* the user_desc flag bits, as given */
	bool present;
};

struct file;
struct mm;

struct proc {
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

	/* Signals: default actions only, handlers recorded but not run. */
	uint64_t sig_pending;
	uint64_t sig_blocked;
	uint32_t sig_handler[NSIG];  /* sa_handler values set by rt_sigaction */

	struct file *files[PROC_MAX_FILES];
	uint64_t cloexec;            /* FD_CLOEXEC per descriptor (first 64) */

	struct proc_limits limits;
	struct tls_desc tls[TLS_SLOTS];
	uint32_t clear_child_tid;    /* set_tid_address */
	uint64_t start_ticks;        /* when it was created, in timer ticks */
	char exe[128];               /* path of the program, /proc/PID/exe */
};

/* The process running on the CPU. */
extern struct proc *current;

/* Finds a process (not a zombie reaped yet) by PID, or NULL. */
struct proc *proc_find(int pid);
/* Calls fn for every process, in PID order of creation. */
void proc_for_each(void (*fn)(struct proc *p, void *ctx), void *ctx);

#endif
