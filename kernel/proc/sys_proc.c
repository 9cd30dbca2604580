/*
 * kernel/proc/sys_proc.c - process system calls: fork, execve, exit, wait,
 * kill, identity and limits. (The thread area, set_thread_area and
 * get_thread_area, is kernel/arch/tls.c; the other signal calls are
 * kernel/proc/sys_signal.c.)
 *
 * Numbers and structure layouts are Linux i386's
 * (arch/x86/entry/syscalls/syscall_32.tbl and the uapi headers).
 */
#include "drivers/pit.h"
#include "drivers/qemu.h"
#include "kernel/proc/exec.h"
#include "fs/file.h"
#include "fs/initramfs.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/thread.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/slab.h"


/* Linux's PATH_MAX (include/uapi/linux/limits.h). */
#define PATH_MAX 4096

/* The clone flags Pagoda implements; the others are -EINVAL. */
#define CLONE_SUPPORTED                                                        \
	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |         \
	 CLONE_VFORK | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |          \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED |        \
	 CLONE_CHILD_SETTID)

/* exit(code): ends the calling thread only. */
static int32_t sys_exit(const struct syscall_args *a)
{
	proc_exit(proc_exit_status((int)a->arg[0]));
}
SYSCALL(1, exit, sys_exit);

/* exit_group(code): ends every thread of the process. */
static int32_t sys_exit_group(const struct syscall_args *a)
{
	thread_group_exit(proc_exit_status((int)a->arg[0]));
}
SYSCALL(252, exit_group, sys_exit_group);

/* fork is clone with SIGCHLD as the exit signal. */
static int32_t sys_fork(const struct syscall_args *a)
{
	return proc_fork(a->tf, SIGCHLD, 0, 0, 0, 0);
}
SYSCALL(2, fork, sys_fork);

/*
 * vfork: the child borrows the parent's memory, and the parent waits
 * until the child has exec'd or ended (Linux's CLONE_VM | CLONE_VFORK).
 */
static int32_t sys_vfork(const struct syscall_args *a)
{
	return proc_fork(a->tf, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
SYSCALL(190, vfork, sys_vfork);

/*
 * i386 clone(flags, newsp, parent_tid, tls, child_tid). The checks are
 * Linux's copy_process: a thread shares the signal actions, which need
 * the memory shared.
 */
static int32_t sys_clone(const struct syscall_args *a)
{
	uint32_t flags = a->arg[0];

	if (flags & ~CLONE_SUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	/* Pagoda's signals are 1..64 (Linux sends nothing for others). */
	if ((flags & CSIGNAL) >= NSIG)
		return -EINVAL;
	/* A thread of a group that is ending (Linux: fatal_signal_pending). */
	if (current->sig_pending & sig_bit(SIGKILL))
		return -ERESTARTNOINTR;
	return proc_fork(a->tf, flags, a->arg[1], a->arg[2], a->arg[3],
			 a->arg[4]);
}
SYSCALL(120, clone, sys_clone);

/*
 * Copies a user argv or envp array into kernel strings. Each string is
 * read into the scratch buffer (EXEC_ARG_STRLEN_MAX bytes) and then kept
 * in an allocation of its own length.
 */
static int copy_strings(uint32_t uarr, char *scratch, char ***out,
			size_t *total)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	for (;; n++) {
		uint32_t uptr = 0;
		if (uarr && (err = copy_from_user(&uptr, (void *)(uarr + 4 * n),
						  4)))
			goto out_err;
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = kmalloc(ncap * sizeof(*nv), GFP_KERNEL);
			if (!nv) {
				err = -ENOMEM;
				goto out_err;
			}
			if (v)
				memcpy(nv, v, n * sizeof(*nv));
			kfree(v);
			v = nv;
			cap = ncap;
		}
		v[n] = NULL;
		if (!uptr)
			break;
		int len = strncpy_from_user(scratch, (const char *)uptr,
					    EXEC_ARG_STRLEN_MAX);
		if (len < 0) {
			err = len == -ENAMETOOLONG ? -E2BIG : len;
			goto out_err;
		}
		/* Strings and the pointers to them count (as in exec.h). */
		*total += (size_t)len + 1 + sizeof(uint32_t);
		if (*total > EXEC_ARGS_MAX) {
			err = -E2BIG;
			goto out_err;
		}
		char *copy = kmalloc((size_t)len + 1, GFP_KERNEL);
		if (!copy) {
			err = -ENOMEM;
			goto out_err;
		}
		memcpy(copy, scratch, (size_t)len + 1);
		v[n] = copy;
		v[n + 1] = NULL;
	}
	*out = v;
	return 0;

out_err:
	for (size_t i = 0; v && i < n && v[i]; i++)
		kfree(v[i]);
	kfree(v);
	return err;
}

static void free_strings(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		kfree(v[i]);
	kfree(v);
}

static int32_t sys_execve(const struct syscall_args *a)
{
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	struct exec_image img;
	char *path = kmalloc(PATH_MAX, GFP_KERNEL);
	char *scratch = kmalloc(EXEC_ARG_STRLEN_MAX, GFP_KERNEL);
	int err = -ENOMEM;

	if (!path || !scratch)
		goto out_path;
	err = cred_exec_check(current);  /* RLIMIT_NPROC after a setuid */
	if (err)
		goto out_path;
	err = strncpy_from_user(path, (const char *)a->arg[0], PATH_MAX);
	if (err < 0)
		goto out_path;
	err = copy_strings(a->arg[1], scratch, &argv, &total);
	if (err)
		goto out_path;
	err = copy_strings(a->arg[2], scratch, &envp, &total);
	if (err)
		goto out_argv;
	/* Relative paths start at the current directory, as on Linux. */
	struct vnode vn;
	err = namei(fs_cwd(current), path, NAMEI_FOLLOW, &vn, NULL, 0);
	if (err)
		goto out_envp;
	struct inode *file = initramfs_fs_inode(&vn);
	if (!file) {
		err = -EACCES;  /* /proc and /dev files are not programs */
		goto out_envp;
	}
	err = exec_build_file(file, path, argv, envp, current->rlim, &img);
	if (err)
		goto out_envp;
	/*
	 * The other threads end first (the caller takes the leader's PID if
	 * it was not the leader); then the tables the program keeps must be
	 * its own.
	 */
	err = thread_exec_alone();
	if (!err)
		err = signal_unshare(current);
	if (!err)
		err = files_exec(current);
	if (err) {
		exec_image_release(&img);
		goto out_envp;
	}
	proc_exec_image(current, &img);
	current->jobctl_execed = true;
	cred_exec_done(current, file);
	err = 0;
out_envp:
	free_strings(envp);
out_argv:
	free_strings(argv);
out_path:
	kfree(scratch);
	kfree(path);
	/* On success the new program starts with the frame exec set up. */
	return err;
}
SYSCALL(11, execve, sys_execve);

#define WAITID_THREAD_OPTIONS 0xe0000000u /* __WNOTHREAD, __WALL, __WCLONE */

/* wait4(pid, status, options, rusage): rusage is filled with zeros. */
static int copy_rusage(uint32_t uaddr, const struct proc_usage *u);

/* wait4(pid, status, options, rusage): the reaped child's usage too. */
static int32_t sys_wait4(const struct syscall_args *a)
{
	int status = 0;
	struct proc_usage u = { 0 };

	/* Linux's wait4 refuses options it does not know. */
	if (a->arg[2] & ~(WNOHANG | WUNTRACED | WCONTINUED |
			  WAITID_THREAD_OPTIONS))
		return -EINVAL;
	int pid = proc_wait_usage((int)a->arg[0], &status, (int)a->arg[2], &u);
	if (pid > 0 && a->arg[1] &&
	    copy_to_user((void *)a->arg[1], &status, sizeof(status)))
		return -EFAULT;
	/* Only for a child reaped: WNOHANG's 0 leaves it, as on Linux. */
	if (pid > 0 && a->arg[3] && copy_rusage(a->arg[3], &u))
		return -EFAULT;
	return pid;
}
SYSCALL(114, wait4, sys_wait4);

/* waitid's id types and options (include/uapi/linux/wait.h). */
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define WSTOPPED_OPT 2
#define WEXITED_OPT 4
#define WCONTINUED_OPT 8
#define WAITID_OPTIONS                                                  \
	(WNOHANG | WSTOPPED_OPT | WEXITED_OPT | WCONTINUED_OPT | WNOWAIT | \
	 WAITID_THREAD_OPTIONS)

/* SIGCHLD's si_code values (include/uapi/asm-generic/siginfo.h). */
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/*
 * The fields of the i386 siginfo_t that waitid writes, in their places
 * (Linux writes these six and leaves the rest of the 128 bytes alone).
 */
struct waitid_info {
	int32_t signo, err, code;
	int32_t pid;
	uint32_t uid;
	int32_t status;
};

/*
 * waitid(idtype, id, infop, options, rusage): wait4 reporting through a
 * siginfo_t, with WNOWAIT to look without reaping, and WSTOPPED and
 * WCONTINUED for the children job control stopped or continued.
 */
static int32_t sys_waitid(const struct syscall_args *a)
{
	uint32_t idtype = a->arg[0], options = a->arg[3];
	int pid;

	if ((options & ~WAITID_OPTIONS) ||
	    !(options & (WEXITED_OPT | WSTOPPED_OPT | WCONTINUED_OPT)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if ((int32_t)a->arg[1] <= 0)
			return -EINVAL;
		pid = (int)a->arg[1];
		break;
	case P_PGID:
		if ((int32_t)a->arg[1] < 0)
			return -EINVAL;
		/* 0 is the caller's group, as wait4's pid 0. */
		pid = a->arg[1] ? -(int)a->arg[1] : 0;
		if (pid == -1)
			return -ECHILD; /* group 1: a child cannot be in it */
		break;
	default:
		return -EINVAL;
	}
	struct waitid_info info = { 0 };
	int status = 0;
	int found = -ECHILD;
	int wait_opts = (int)(options & (WNOHANG | WNOWAIT | WCONTINUED_OPT));
	if (options & WSTOPPED_OPT)
		wait_opts |= WUNTRACED;
	if (!(options & WEXITED_OPT))
		wait_opts |= WAIT_NOEXITED;
	found = proc_wait(pid, &status, wait_opts);
	if (found < 0)
		return found;
	if (found > 0) {
		info.signo = SIGCHLD;
		info.pid = found;
		if (status == JOBCTL_CONTINUED_STATUS) {
			info.code = CLD_CONTINUED;
			info.status = SIGCONT;
		} else if ((status & 0xff) == 0x7f) {
			info.code = CLD_STOPPED;
			info.status = (status >> 8) & 0xff;
		} else if ((status & 0x7f) == 0) {
			info.code = CLD_EXITED;
			info.status = (status >> 8) & 0xff;
		} else {
			info.code = CLD_KILLED;
			info.status = status & 0x7f;
		}
	}
	/* rusage (18 longs on i386) only for a child found. */
	if (found > 0 && a->arg[4] && clear_user((void *)a->arg[4], 18 * 4))
		return -EFAULT;
	/* With WNOHANG and nothing ended, Linux still writes zeros. */
	if (a->arg[2] && copy_to_user((void *)a->arg[2], &info, sizeof(info)))
		return -EFAULT;
	return 0;
}
SYSCALL(284, waitid, sys_waitid);

static int32_t sys_waitpid(const struct syscall_args *a)
{
	struct syscall_args b = *a;
	b.arg[3] = 0;
	return sys_wait4(&b);
}
SYSCALL(7, waitpid, sys_waitpid);

/* getpid: the process's ID, its thread group's. */
static int32_t sys_getpid(const struct syscall_args *a)
{
	(void)a;
	return current->tgid;
}
SYSCALL(20, getpid, sys_getpid);

/* gettid: the calling thread's own ID. */
static int32_t sys_gettid(const struct syscall_args *a)
{
	(void)a;
	return current->pid;
}
SYSCALL(224, gettid, sys_gettid);

static int32_t sys_getppid(const struct syscall_args *a)
{
	(void)a;
	struct proc *parent = current->group_leader->parent;
	return parent ? parent->tgid : 0;
}
SYSCALL(64, getppid, sys_getppid);

/* prctl options (include/uapi/linux/prctl.h). */
#define PR_SET_NAME 15
#define PR_GET_NAME 16

/*
 * prctl: the process's name (comm, 15 bytes and a NUL, as Linux's
 * TASK_COMM_LEN); a longer name is cut, not refused. Other options are
 * -EINVAL, as Linux answers options it does not know.
 */
static int32_t sys_prctl(const struct syscall_args *a)
{
	char name[PROC_NAME_MAX];
	const char *u = (const char *)a->arg[1];

	switch (a->arg[0]) {
	case PR_SET_NAME:
		for (size_t i = 0; i < sizeof(name); i++) {
			if (i == sizeof(name) - 1) {
				name[i] = '\0';
				break;
			}
			if (copy_from_user(&name[i], u + i, 1))
				return -EFAULT;
			if (!name[i])
				break;
		}
		memcpy(current->name, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_to_user((void *)a->arg[1], current->name,
				    sizeof(current->name));
	default:
		return -EINVAL;
	}
}
SYSCALL(172, prctl, sys_prctl);

/* kill(2) is with the process groups, in kernel/proc/jobctl.c. */

/* tkill(tid, sig): the handler's siginfo says SI_TKILL. */
static int32_t sys_tkill(const struct syscall_args *a)
{
	if ((int)a->arg[0] <= 0)
		return -EINVAL;
	return signal_kill((int)a->arg[0], (int)a->arg[1], SI_TKILL);
}
SYSCALL(238, tkill, sys_tkill);

/* tgkill(tgid, tid, sig): what glibc's raise() uses. */
static int32_t sys_tgkill(const struct syscall_args *a)
{
	if ((int)a->arg[0] <= 0 || (int)a->arg[1] <= 0)
		return -EINVAL;
	struct proc *t = proc_find((int)a->arg[1]);
	if (!t || t->tgid != (int)a->arg[0])
		return -ESRCH;  /* no such thread in that process */
	return signal_kill((int)a->arg[1], (int)a->arg[2], SI_TKILL);
}
SYSCALL(270, tgkill, sys_tgkill);

/* set_tid_address(tidptr): cleared and woken when the thread ends. */
static int32_t sys_set_tid_address(const struct syscall_args *a)
{
	current->clear_child_tid = a->arg[0];
	return current->pid;
}
SYSCALL(258, set_tid_address, sys_set_tid_address);

/* sizeof(struct robust_list_head) on i386 (include/uapi/linux/futex.h). */
#define ROBUST_LIST_HEAD_SIZE 12

/*
 * set_robust_list(head, len): the list of locks the thread holds, which
 * its end releases (kernel/proc/thread.c). The head is only read then.
 */
static int32_t sys_set_robust_list(const struct syscall_args *a)
{
	if (a->arg[1] != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	current->robust_list = a->arg[0];
	current->robust_len = a->arg[1];
	return 0;
}
SYSCALL(311, set_robust_list, sys_set_robust_list);

/* get_robust_list(tid, head_ptr, len_ptr): 0 for the calling thread. */
static int32_t sys_get_robust_list(const struct syscall_args *a)
{
	struct proc *t = current;
	uint32_t len = ROBUST_LIST_HEAD_SIZE;

	if (a->arg[0]) {
		t = proc_find((int)a->arg[0]);
		if (!t || t->state == PROC_ZOMBIE)
			return -ESRCH;
	}
	if (copy_to_user((void *)a->arg[2], &len, sizeof(len)) ||
	    copy_to_user((void *)a->arg[1], &t->robust_list,
			 sizeof(t->robust_list)))
		return -EFAULT;
	return 0;
}
SYSCALL(312, get_robust_list, sys_get_robust_list);

/* Limits: prlimit64 is the general one; the others are views of it. */
static int do_prlimit(int pid, unsigned int res, const struct rlimit64 *new,
		      struct rlimit64 *old)
{
	struct proc *p = pid ? proc_find(pid) : current;
	if (!p)
		return -ESRCH;
	/* Another process's limits: its own user and group, or root
	 * (Linux's check_prlimit_permission). */
	const struct cred *c = &current->cred, *t = &p->cred;
	if (p != current && !cred_privileged(c) &&
	    !(c->uid == t->uid && c->uid == t->euid && c->uid == t->suid &&
	      c->gid == t->gid && c->gid == t->egid && c->gid == t->sgid))
		return -EPERM;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (new && new->cur > new->max)
		return -EINVAL;
	/* Only root raises a hard limit (CAP_SYS_RESOURCE). */
	if (new && new->max > p->rlim[res].max && !cred_privileged(c))
		return -EPERM;
	if (old)
		*old = p->rlim[res];
	if (new) {
		p->rlim[res] = *new;
		if (p->mm) {
			p->mm->limit_stack = p->rlim[RLIMIT_STACK].cur;
			p->mm->limit_as = p->rlim[RLIMIT_AS].cur;
			p->mm->limit_data = p->rlim[RLIMIT_DATA].cur;
			mm_set_limit_rss(p->mm, p->rlim[RLIMIT_RSS].cur);
		}
	}
	return 0;
}

static int32_t sys_prlimit64(const struct syscall_args *a)
{
	struct rlimit64 new, old;
	if (a->arg[2] && copy_from_user(&new, (void *)a->arg[2], sizeof(new)))
		return -EFAULT;
	int err = do_prlimit((int)a->arg[0], a->arg[1],
			     a->arg[2] ? &new : NULL, &old);
	if (!err && a->arg[3] &&
	    copy_to_user((void *)a->arg[3], &old, sizeof(old)))
		return -EFAULT;
	return err;
}
SYSCALL(340, prlimit64, sys_prlimit64);

/* The 32-bit struct rlimit: RLIM_INFINITY is ~0 (ugetrlimit). */
static uint32_t clamp32(uint64_t v, uint32_t infinity)
{
	return v >= infinity ? infinity : (uint32_t)v;
}

static int get_rlimit32(const struct syscall_args *a, uint32_t infinity)
{
	struct rlimit64 old;
	int err = do_prlimit(0, a->arg[0], NULL, &old);
	if (err)
		return err;
	uint32_t r[2] = { clamp32(old.cur, infinity),
			  clamp32(old.max, infinity) };
	return copy_to_user((void *)a->arg[1], r, sizeof(r));
}

static int32_t sys_ugetrlimit(const struct syscall_args *a)
{
	return get_rlimit32(a, 0xFFFFFFFFu);
}
SYSCALL(191, ugetrlimit, sys_ugetrlimit);

/* The old getrlimit reports "infinity" as 0x7FFFFFFF. */
static int32_t sys_getrlimit(const struct syscall_args *a)
{
	return get_rlimit32(a, 0x7FFFFFFFu);
}
SYSCALL(76, getrlimit, sys_getrlimit);

static int32_t sys_setrlimit(const struct syscall_args *a)
{
	uint32_t r[2];
	if (copy_from_user(r, (void *)a->arg[1], sizeof(r)))
		return -EFAULT;
	struct rlimit64 new = {
		r[0] == 0xFFFFFFFFu ? RLIM64_INFINITY : r[0],
		r[1] == 0xFFFFFFFFu ? RLIM64_INFINITY : r[1],
	};
	return do_prlimit(0, a->arg[0], &new, NULL);
}
SYSCALL(75, setrlimit, sys_setrlimit);

/* Restartable sequences need kernel support Pagoda does not have; glibc
 * copes with -ENOSYS, so say so without logging it. */
static int32_t sys_rseq(const struct syscall_args *a)
{
	(void)a;
	return -ENOSYS;
}
SYSCALL(386, rseq, sys_rseq);

/* reboot(2) magic numbers and commands (include/uapi/linux/reboot.h). */
#define LINUX_REBOOT_MAGIC1 0xfee1deadu
#define LINUX_REBOOT_MAGIC2 672274793u
#define LINUX_REBOOT_MAGIC2A 85072278u
#define LINUX_REBOOT_MAGIC2B 369367448u
#define LINUX_REBOOT_MAGIC2C 537993216u
#define LINUX_REBOOT_CMD_RESTART 0x01234567u
#define LINUX_REBOOT_CMD_HALT 0xCDEF0123u
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDCu
#define LINUX_REBOOT_CMD_CAD_ON 0x89ABCDEFu
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000u

static int32_t sys_reboot(const struct syscall_args *a)
{
	uint32_t m2 = a->arg[1];
	if (a->arg[0] != LINUX_REBOOT_MAGIC1 ||
	    (m2 != LINUX_REBOOT_MAGIC2 && m2 != LINUX_REBOOT_MAGIC2A &&
	     m2 != LINUX_REBOOT_MAGIC2B && m2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (a->arg[2]) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
		kprintf("Powering off.\n");
		machine_poweroff();
	case LINUX_REBOOT_CMD_RESTART:
		kprintf("Restarting.\n");
		machine_reboot();
	/*
	 * Whether Ctrl-Alt-Del reboots at once or signals init: accepted,
	 * as busybox's init sets it at start, but Pagoda's keyboard driver
	 * gives the key combination no meaning either way.
	 */
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}
SYSCALL(88, reboot, sys_reboot);

/* Nothing is ever dirty: the only file system is in memory, read-only. */
static int32_t sys_sync(const struct syscall_args *a)
{
	(void)a;
	return 0;
}
SYSCALL(36, sync, sys_sync);

/* times(buf): CPU time in clock ticks of USER_HZ (100, AT_CLKTCK). */
#define USER_HZ 100

static uint32_t to_user_hz(uint64_t ticks)
{
	return (uint32_t)(ticks * USER_HZ / pit_hz());
}

static int32_t sys_times(const struct syscall_args *a)
{
	/* The whole process's time, every thread's. */
	struct proc_usage u;
	thread_group_usage(current, &u);
	const struct proc *leader = current->group_leader;
	uint32_t tms[4] = { to_user_hz(u.utime), to_user_hz(u.stime),
			    to_user_hz(leader->cutime),
			    to_user_hz(leader->cstime) };
	if (a->arg[0] && copy_to_user((void *)a->arg[0], tms, sizeof(tms)))
		return -EFAULT;
	return (int32_t)to_user_hz(pit_ticks());
}
SYSCALL(43, times, sys_times);

/* getrusage's who (include/uapi/linux/resource.h). */
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

/* struct rusage of i386: two timevals and fourteen longs (72 bytes). */
struct linux_rusage {
	int32_t utime_sec, utime_usec;
	int32_t stime_sec, stime_usec;
	int32_t maxrss; /* kB */
	int32_t ixrss, idrss, isrss;
	int32_t minflt, majflt;
	int32_t nswap, inblock, oublock, msgsnd, msgrcv, nsignals;
	int32_t nvcsw, nivcsw;
};
STATIC_ASSERT(sizeof(struct linux_rusage) == 72, "i386 struct rusage");

/* Timer ticks to a timeval's seconds and microseconds. */
static void ticks_to_timeval(uint64_t ticks, int32_t *sec, int32_t *usec)
{
	uint64_t us = ticks * 1000000u / pit_hz();
	*sec = (int32_t)(us / 1000000u);
	*usec = (int32_t)(us % 1000000u);
}

/* Writes a struct rusage made from u to user memory: 0 or -EFAULT. */
static int copy_rusage(uint32_t uaddr, const struct proc_usage *u)
{
	struct linux_rusage ru;
	memset(&ru, 0, sizeof(ru));
	ticks_to_timeval(u->utime, &ru.utime_sec, &ru.utime_usec);
	ticks_to_timeval(u->stime, &ru.stime_sec, &ru.stime_usec);
	ru.minflt = (int32_t)u->min_flt;
	ru.majflt = (int32_t)u->maj_flt;
	ru.maxrss = (int32_t)u->maxrss_kb;
	return copy_to_user((void *)uaddr, &ru, sizeof(ru)) ? -EFAULT : 0;
}

/*
 * getrusage(who, usage): the same CPU time as times() and /proc/PID/stat,
 * the page faults counted at each trap, and the peak RSS (kept across
 * exec, and the largest of the reaped children for RUSAGE_CHILDREN).
 */
static int32_t sys_getrusage(const struct syscall_args *a)
{
	struct proc_usage u;
	int32_t who = (int32_t)a->arg[0];

	const struct proc *leader = current->group_leader;

	if (who == RUSAGE_SELF) {
		thread_group_usage(current, &u);
	} else if (who == RUSAGE_THREAD) {
		u = (struct proc_usage){ .utime = current->utime,
					 .stime = current->stime,
					 .min_flt = current->min_flt,
					 .maj_flt = current->maj_flt,
					 .maxrss_kb = proc_maxrss_kb(current) };
	} else if (who == RUSAGE_CHILDREN) {
		/* Children of every thread are the leader's. */
		u = (struct proc_usage){ .utime = leader->cutime,
					 .stime = leader->cstime,
					 .min_flt = leader->cmin_flt,
					 .maj_flt = leader->cmaj_flt,
					 .maxrss_kb = leader->cmaxrss_kb };
	} else {
		return -EINVAL;
	}
	return copy_rusage(a->arg[1], &u);
}
SYSCALL(77, getrusage, sys_getrusage);
