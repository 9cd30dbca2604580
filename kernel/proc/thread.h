/*
 * kernel/proc/thread.h - thread groups: the threads of one process.
 *
 * clone(CLONE_THREAD) makes a thread that joins its parent's thread
 * group. Every struct proc is a thread; the group's first one is its
 * leader, whose pid is the group's ID (tgid, what getpid returns). The
 * leader's struct proc holds the group's list of threads and the state of
 * a group exit, and it lives until the last thread has ended: only then
 * can its parent reap it with wait. Other threads are never zombies a
 * parent sees: they are freed once they have switched away for the last
 * time (thread_reap_dead).
 *
 * Locking: like the rest of kernel/proc, with interrupts off where the
 * timer interrupt walks the same lists.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stdint.h>

struct proc;
struct proc_usage;
struct ksiginfo;

/* clone flags (Linux include/uapi/linux/sched.h). */
#define CSIGNAL 0x000000ffu	  /* the signal sent at exit */
#define CLONE_VM 0x00000100u	  /* share the address space */
#define CLONE_FS 0x00000200u	  /* share the current directory */
#define CLONE_FILES 0x00000400u	  /* share the descriptor table */
#define CLONE_SIGHAND 0x00000800u /* share the signal actions */
#define CLONE_PIDFD 0x00001000u
#define CLONE_PTRACE 0x00002000u
#define CLONE_VFORK 0x00004000u /* the parent waits for exec/exit */
#define CLONE_PARENT 0x00008000u
#define CLONE_THREAD 0x00010000u /* join the parent's thread group */
#define CLONE_NEWNS 0x00020000u
#define CLONE_SYSVSEM 0x00040000u	 /* share System V semaphore undo */
#define CLONE_SETTLS 0x00080000u	 /* tls: a struct user_desc * */
#define CLONE_PARENT_SETTID 0x00100000u	 /* write the TID at parent_tid */
#define CLONE_CHILD_CLEARTID 0x00200000u /* clear and wake it at exit */
#define CLONE_DETACHED 0x00400000u	 /* ignored, as on Linux */
#define CLONE_UNTRACED 0x00800000u
#define CLONE_CHILD_SETTID 0x01000000u /* write the TID at child_tid */

/*
 * CLONE_SETTLS (kernel/arch/tls.c): sets the TLS entry the user_desc at
 * uaddr names in the new thread t, with set_thread_area's checks.
 * Returns 0, -EFAULT or -EINVAL.
 */
int tls_set_for_clone(struct proc *t, uint32_t uaddr);

/* Makes p the leader of a group of its own (every new process is). */
void thread_init_leader(struct proc *p);
/* Moves the new thread t into the group of leader (clone CLONE_THREAD). */
void thread_attach(struct proc *t, struct proc *leader);
/*
 * Called by proc_exit for the thread p that is ending, while its address
 * space is still loaded: walks its robust futex list and clears and wakes
 * its clear_child_tid word (what pthread_join waits on).
 */
void thread_exit_user(struct proc *p);
/*
 * Called by proc_exit once p has given up its memory and files: counts p
 * out of its group. Returns true when p was the group's last thread (the
 * process has ended), false otherwise.
 */
bool thread_exited(struct proc *p);
/* The wait status of the whole group, once its last thread has ended. */
int thread_group_status(const struct proc *leader);
/* Frees the threads that ended (not the running one). */
void thread_reap_dead(void);
/*
 * Ends every thread of the current process with wait status status
 * (exit_group, a fatal signal): the others get SIGKILL, which they act
 * on at their next return to user mode, woken from any sleep.
 */
__attribute__((noreturn)) void thread_group_exit(int status);
/*
 * For a thread that dies of a fatal signal: the status the thread ends
 * with, when its group is already ending (exit_group, another thread's
 * fatal signal, an execve in another thread), or -1 when it is the first
 * and must end the group itself.
 */
int thread_dying_status(const struct proc *p);
/*
 * execve in a process with several threads: ends the others and waits
 * for them, and when the caller is not the leader, it takes the leader's
 * place and PID (as on Linux). Returns 0, or -EINTR when the process is
 * being killed meanwhile.
 */
int thread_exec_alone(void);
/*
 * A signal for the whole process (kill): given to a thread that does not
 * block it, the leader if it can, else the leader.
 */
void thread_signal_group(struct proc *p, int sig, const struct ksiginfo *info);
/* The threads of p's group that have not exited. */
unsigned int thread_count(const struct proc *p);
/*
 * Calls fn for each thread of p's group that has not exited, leader
 * first.
 */
void thread_for_each(struct proc *p, void (*fn)(struct proc *t, void *ctx),
		     void *ctx);
/*
 * The CPU time and page faults of p's whole process: its threads that
 * have ended (counted into the leader) and those still running.
 */
void thread_group_usage(const struct proc *p, struct proc_usage *u);
/* Whether p is a thread group's leader (what /proc lists). */
bool thread_is_leader(const struct proc *p);

#endif
