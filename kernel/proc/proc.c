/*
 * kernel/proc/proc.c - creating, copying, ending and waiting for processes.
 *
 * Every process is on the `all` list from creation until its parent reaps
 * it. A process that exits frees its address space and files at once (or
 * drops its reference, when threads share them) and stays as a ZOMBIE
 * holding only its struct proc and kernel stack (it is still running on
 * that stack when it exits), until wait4 in the parent collects its status
 * and frees the rest. A thread other than a group's leader is freed
 * without a wait instead; the leader is reaped once every thread of its
 * group has ended (kernel/proc/thread.c). Children of an exiting process
 * are handed to init (PID 1). When init itself exits, there is nothing
 * left to run: the kernel reports init's status and ends the machine.
 */
#include "kernel/proc/proc.h"

#include "kernel/proc/cpustat.h"

#include "drivers/pit.h"
#include "drivers/qemu.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/jobctl.h"
#include "fs/file.h"
#include "kernel/arch/gdt.h"
#include "kernel/arch/ldt.h"
#include "kernel/proc/oom.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/thread.h"
#include "kernel/arch/x86.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/trace.h"
#include "mm/vmap.h"

/* Wait status encoding (Linux: WIFEXITED/WIFSIGNALED in <sys/wait.h>). */
static inline int status_exited(int code)
{
	return (code & 0xff) << 8;
}

static inline int status_signaled(int sig)
{
	return sig & 0x7f;
}


/* The port QEMU's -debugcon listens on: tools/qemu-run reads init's status. */
#define DEBUGCON_PORT 0xE9

void proc_first_return(void);

static list_head_t all_procs = LIST_HEAD_INIT(all_procs);
static unsigned int nprocs;
static int next_pid = 1;
static int last_pid;
static uint32_t last_fs_id;
static struct kmem_cache *proc_cache;
static struct proc *init_proc;

/* The process running now, for the memory manager's trace (mm/trace.h). */
int32_t mm_trace_current_pid(void)
{
	return current ? current->pid : 0;
}

struct proc *proc_find(int pid)
{
	struct list_node *n;
	list_for_each(n, &all_procs) {
		struct proc *p = list_entry(n, struct proc, all);
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

void proc_for_each(void (*fn)(struct proc *p, void *ctx), void *ctx)
{
	struct list_node *n, *tmp;
	list_for_each_safe(n, tmp, &all_procs)
		fn(list_entry(n, struct proc, all), ctx);
}

unsigned int proc_count(void)
{
	return nprocs;
}

/* Picks an unused PID, wrapping at PROC_MAX_PIDS like Linux's pid_max. */
static int alloc_pid(void)
{
	for (int tries = 0; tries < PROC_MAX_PIDS; tries++) {
		int pid = next_pid++;
		if (next_pid >= PROC_MAX_PIDS)
			next_pid = 2;
		if (!proc_find(pid)) {
			last_pid = pid;
			return pid;
		}
	}
	return -EAGAIN;
}

int proc_last_pid(void)
{
	return last_pid;
}

void proc_set_next_pid(int pid)
{
	if (pid >= 2 && pid < PROC_MAX_PIDS)
		next_pid = pid;
}

/*
 * Linux's defaults: 8 MiB stack, 8 MiB of locked memory (MLOCK_LIMIT),
 * everything else unlimited.
 */
static void default_limits(struct proc *p)
{
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		p->rlim[i].cur = RLIM64_INFINITY;
		p->rlim[i].max = RLIM64_INFINITY;
	}
	p->rlim[RLIMIT_STACK].cur = MM_DEFAULT_STACK_LIMIT;
	p->rlim[RLIMIT_CORE].cur = 0;
	p->rlim[RLIMIT_MEMLOCK].cur = MLOCK_LIMIT;
	p->rlim[RLIMIT_MEMLOCK].max = MLOCK_LIMIT;
	p->rlim[RLIMIT_NOFILE].cur = PROC_MAX_FILES;
	p->rlim[RLIMIT_NOFILE].max = PROC_MAX_FILES;
}

/*
 * Makes a process with a kernel stack whose top holds a trap frame, and a
 * saved context that makes its first switch return through trap_return
 * into that frame. The caller fills in the frame, mm and files.
 */
static struct proc *proc_alloc(void)
{
	thread_reap_dead(); /* threads that ended since: their PIDs too */
	if (!proc_cache) {
		proc_cache = kmem_cache_create("proc", sizeof(struct proc),
					       __alignof__(struct proc), 0);
		if (!proc_cache)
			return NULL;
	}
	struct proc *p = kmem_cache_alloc(proc_cache, GFP_KERNEL);
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	int pid = alloc_pid();
	p->kstack = pid < 0 ? 0 : kstack_alloc();
	if (!p->kstack) {
		kmem_cache_free(proc_cache, p);
		return NULL;
	}
	p->pid = pid;
	p->fs_id = ++last_fs_id;
	thread_init_leader(p);
	p->state = PROC_SLEEPING;  /* not runnable until set up */
	fpu_init_state(&p->fpu);
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->runq);
	list_init(&p->oom_wait);
	p->start_ticks = pit_ticks();
	p->syscall_nr = -1;

	uint32_t top = kstack_top(p->kstack);
	p->tf = (struct trapframe *)(top - sizeof(struct trapframe));
	memset(p->tf, 0, sizeof(*p->tf));
	/* The context switch_context pops: edi, esi, ebx, ebp, return. */
	uint32_t *ctx = (uint32_t *)p->tf - 5;
	ctx[0] = ctx[1] = ctx[2] = ctx[3] = 0;
	ctx[4] = (uint32_t)proc_first_return;
	p->kesp = (uint32_t)ctx;

	/* The timer interrupt walks the list (timed sleeps, interval timers). */
	bool was = irq_save();
	list_push_back(&all_procs, &p->all);
	nprocs++;
	cpustat.forks++;
	irq_restore(was);
	return p;
}

void proc_free(struct proc *p)
{
	bool was = irq_save();
	oom_proc_gone(p);
	list_remove(&p->all);
	list_remove(&p->sibling);
	list_remove(&p->thread_node);
	nprocs--;
	irq_restore(was);
	signal_release(p);
	sched_forget_dead(p);
	if (p->kstack)  /* a zombie's went after its last switch */
		kstack_free(p->kstack);
	kmem_cache_free(proc_cache, p);
}

/* A trap frame that enters user mode at eip with stack esp. */
static void set_user_frame(struct trapframe *tf, uint32_t eip, uint32_t esp)
{
	memset(tf, 0, sizeof(*tf));
	tf->cs = SEL_USER_CODE;
	tf->ds = tf->es = SEL_USER_DATA;
	/*
	 * FS and GS start null, as on Linux (start_thread): they are for TLS
	 * segments, which the program sets up itself (glibc loads GS).
	 */
	tf->fs = tf->gs = 0;
	tf->user_ss = SEL_USER_DATA;
	tf->eip = eip;
	tf->user_esp = esp;
	tf->eflags = EFLAGS_IF | 0x2;  /* bit 1 is always set (SDM 3.4.3) */
}

/* Gives the mm the process's limits (they live in the process). */
static void apply_limits(struct proc *p)
{
	if (!p->mm)
		return;
	p->mm->limit_stack = p->rlim[RLIMIT_STACK].cur;
	p->mm->limit_as = p->rlim[RLIMIT_AS].cur;
	p->mm->limit_data = p->rlim[RLIMIT_DATA].cur;
	mm_set_limit_rss(p->mm, p->rlim[RLIMIT_RSS].cur);
}

uint32_t proc_maxrss_kb(const struct proc *p)
{
	uint32_t now = p->mm ? p->mm->rss_peak * (PAGE_SIZE / 1024) : 0;
	return now > p->maxrss_kb ? now : p->maxrss_kb;
}

void proc_exec_image(struct proc *p, struct exec_image *img)
{
	struct mm *old = p->mm;

	/* Linux's maxrss survives exec: remember the old space's peak. */
	p->maxrss_kb = proc_maxrss_kb(p);
	p->mm = img->mm;
	img->mm = NULL;
	p->mm->trace_pid = p->pid;
	apply_limits(p);
	if (p == current)
		vm_space_activate(&p->mm->space);
	if (old)
		mm_put(old);
	if (p == current)
		ldt_install(p->mm);  /* the new space has no LDT */
	vfork_done(p);
	/* Linux names a process after the path it was started by. */
	strlcpy(p->name, img->name, sizeof(p->name));
	p->exe = img->path; /* stable: the initramfs's own string */
	p->arg_start = img->arg_start;
	p->arg_end = img->arg_end;
	p->env_start = img->env_start;
	p->env_end = img->env_end;
	set_user_frame(p->tf, img->entry, img->sp);
	fpu_init_state(&p->fpu);
	if (p == current)
		fpu_restore(&p->fpu);
	signal_exec(p);
	memset(p->tls, 0, sizeof(p->tls));  /* no TLS segments */
	if (p == current) {
		for (unsigned int i = 0; i < TLS_SLOTS; i++)
			gdt_set_tls(i, p->tls[i]);
	}
	p->clear_child_tid = 0;
}

/*
 * Makes a process that will run the program at path with argv and init's
 * environment. It has no parent, no open files, and is not runnable yet.
 */
static int proc_create(const char *path, char *const argv[],
		       struct proc **out)
{
	static char *const envp[] = { "HOME=/", "PATH=/bin",
				      "TERM=linux", NULL };
	struct exec_image img;
	struct proc *p = proc_alloc();
	if (!p)
		return -ENOMEM;
	default_limits(p);
	p->umask = 0022; /* Linux's init_fs */
	int err = signal_init_proc(p);
	if (!err)
		err = files_alloc(p);
	if (!err)
		err = exec_build(path, argv, envp, p->rlim, &img);
	if (err) {
		files_close_all(p);
		proc_free(p);
		return err;
	}
	proc_exec_image(p, &img);
	*out = p;
	return 0;
}

int proc_start_init(const char *path, char *const argv[])
{
	struct proc *p;
	int err = proc_create(path, argv, &p);
	if (err)
		return err;
	err = files_init_console(p);
	if (err) {
		mm_put(p->mm);
		files_close_all(p);
		proc_free(p);
		return err;
	}
	p->parent = NULL;
	/* Linux's init has SIGCHLD too (/proc/1/stat field 38), though it
	 * has no parent to send it to. */
	p->exit_signal = SIGCHLD;
	init_proc = p;
	sched_make_runnable(p);
	return 0;
}

int proc_spawn(const char *path, char *const argv[], struct proc **out)
{
	struct proc *p;
	int err = proc_create(path, argv, &p);
	if (err)
		return err;
	p->parent = current;
	list_push_back(&current->children, &p->sibling);
	*out = p;
	return 0;
}

/*
 * The process whose children a thread's children are: the thread group's
 * leader, so that any thread of a process can wait for them. The idle
 * context (the in-kernel tests) is its own.
 */
static struct proc *family_head(struct proc *p)
{
	return p->group_leader ? p->group_leader : p;
}

/* A vfork child has exec'd or ended: its parent may go on. */
void vfork_done(struct proc *p)
{
	if (p->vfork_pending) {
		p->vfork_pending = false;
		sched_wakeup(&p->vfork_pending);
	}
}

int proc_fork(struct trapframe *tf, uint32_t flags, uint32_t newsp,
	      uint32_t ptid, uint32_t tls, uint32_t ctid)
{
	struct proc *parent = current;
	int err = cred_fork_check(parent);  /* RLIMIT_NPROC */
	if (err)
		return err;
	struct proc *child = proc_alloc();

	if (!child)
		return -ENOMEM;
	if (flags & CLONE_VM) {
		child->mm = mm_get(parent->mm);
	} else {
		err = mm_fork(parent->mm, &child->mm);
		if (err)
			goto out_free;
		child->mm->trace_pid = child->pid;
		err = ldt_copy(child->mm, parent->mm);
		if (err)
			goto out_mm;
	}
	err = files_fork(parent, child,
			 (flags & CLONE_FILES ? FILES_SHARE_TABLE : 0) |
				 (flags & CLONE_FS ? FILES_SHARE_FS : 0));
	if (err)
		goto out_mm;
	err = signal_fork(child, parent, flags & CLONE_SIGHAND);
	if (err)
		goto out_files;
	/*
	 * A thread on the same memory does not run its handlers on its
	 * parent's alternate stack (Linux's copy_process; a vfork child may,
	 * its parent waits).
	 */
	if ((flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM)
		child->sig_altstack = (struct kaltstack){ .flags = SS_DISABLE };

	*child->tf = *tf;
	fpu_save(&child->fpu);  /* the parent's registers, as they are now */
	child->tf->eax = 0;  /* fork returns 0 in the child */
	if (newsp)
		child->tf->user_esp = newsp;
	memcpy(child->name, parent->name, sizeof(child->name));
	child->exe = parent->exe;
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_start = parent->env_start;
	child->env_end = parent->env_end;
	memcpy(child->rlim, parent->rlim, sizeof(child->rlim));
	child->umask = parent->umask;
	child->cred = parent->cred;
	child->nondumpable = parent->group_leader->nondumpable;
	memcpy(child->tls, parent->tls, sizeof(child->tls));
	if (flags & CLONE_SETTLS) {
		err = tls_set_for_clone(child, tls);
		if (err)
			goto out_signal;
	}
	jobctl_fork(child, parent);
	apply_limits(child);

	/*
	 * glibc's fork: clone(CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD);
	 * pthread_create: CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID with the
	 * thread's tid word. Linux ignores a fault writing either.
	 */
	if (flags & CLONE_CHILD_SETTID)
		mm_write(child->mm, ctid, &child->pid, sizeof(child->pid));
	if (flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = ctid;
	if (flags & CLONE_PARENT_SETTID)
		mm_write(parent->mm, ptid, &child->pid, sizeof(child->pid));

	if (flags & CLONE_THREAD) {
		/* A thread sends no signal when it ends (exit_signal -1). */
		thread_attach(child, parent->group_leader);
		child->exit_signal = 0;
	} else {
		struct proc *head = family_head(parent);
		child->exit_signal = (int)(flags & CSIGNAL);
		child->parent = head;
		list_push_back(&head->children, &child->sibling);
	}
	int pid = child->pid;
	if (flags & CLONE_VFORK)
		child->vfork_pending = true;
	sched_make_runnable(child);
	if (flags & CLONE_VFORK) {
		/*
		 * The parent waits until the child has exec'd or ended, or
		 * until it is killed itself (Linux's wait is killable too).
		 */
		bool was = irq_save();
		while (child->vfork_pending &&
		       !(current->sig_pending & sig_bit(SIGKILL)))
			sched_sleep(&child->vfork_pending);
		irq_restore(was);
	}
	return pid;

out_signal:
	signal_release(child);
out_files:
	files_close_all(child);
out_mm:
	mm_put(child->mm);
	child->mm = NULL;
out_free:
	proc_free(child);
	return err;
}

/* Reports init's end to the machine (tools/qemu-run reads it) and stops. */
static __attribute__((noreturn)) void init_ended(int status)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "pagoda-exit %d\n", status);
	for (int i = 0; i < n; i++)
		outb(DEBUGCON_PORT, (uint8_t)line[i]);
	pr_info("init exited with wait status 0x%x; stopping\n", status);
	qemu_exit((status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
			  ? QEMU_EXIT_SUCCESS
			  : QEMU_EXIT_FAILURE);
}

void (*proc_exit_hook)(struct proc *p);

void proc_exit(int status)
{
	struct proc *p = current;

	if (proc_exit_hook)
		proc_exit_hook(p);

	/* Robust futexes and clear_child_tid, while the memory is loaded. */
	thread_exit_user(p);
	files_close_all(p);
	p->maxrss_kb = proc_maxrss_kb(p); /* for the parent's wait4 */
	if (p->mm) {
		struct mm *mm = p->mm;
		vm_space_activate(&kernel_space);
		p->mm = NULL;
		mm_put(mm);
	}
	/* If the OOM killer chose p, its memory is free now. */
	oom_proc_gone(p);
	p->exit_status = status;
	bool last = thread_exited(p);
	struct proc *leader = p->group_leader;
	if (last)
		jobctl_exit(leader);
	if (last && leader == init_proc)
		init_ended(thread_group_status(leader));

	bool was = irq_save();
	p->state = PROC_ZOMBIE;
	vfork_done(p);
	if (last) {
		/* Orphans go to init, which reaps them. */
		struct list_node *n, *tmp;
		bool zombies = false;
		list_for_each_safe(n, tmp, &leader->children) {
			struct proc *c = list_entry(n, struct proc, sibling);
			list_remove(&c->sibling);
			c->parent = init_proc;
			/* Nobody slays init with an exit signal (Linux's
			 * reparent_leader does the same). */
			if (c->exit_signal)
				c->exit_signal = SIGCHLD;
			list_push_back(&init_proc->children, &c->sibling);
			zombies |= c->state == PROC_ZOMBIE;
		}
		if (zombies)
			sched_wakeup(init_proc);
		/* The process has ended: its parent may reap the leader. */
		signal_notify_parent(leader, thread_group_status(leader));
		if (leader->parent)
			sched_wakeup(leader->parent);
	}
	schedule();
	irq_restore(was);
	panic("zombie %d was scheduled", p->pid);
}

/* pid > 0: that child; -1: any; 0: one in our group; < -1: in group -pid. */
static bool wait_matches(const struct proc *c, int pid)
{
	if (pid == -1)
		return true;
	if (pid > 0)
		return c->pid == pid;
	return c->pgid == (pid == 0 ? current->pgid : -pid);
}

int proc_wait(int pid, int *status, int options)
{
	return proc_wait_usage(pid, status, options, NULL);
}

int proc_wait_usage(int pid, int *status, int options, struct proc_usage *ru)
{
	struct proc *p = family_head(current);
	bool was = irq_save();
	int ret;

	for (;;) {
		bool have = false;
		struct list_node *n;
		struct proc *found = NULL, *reported = NULL;
		list_for_each(n, &p->children) {
			struct proc *c = list_entry(n, struct proc, sibling);
			if (!wait_matches(c, pid))
				continue;
			have = true;
			/* A leader waits for the last of its threads. */
			if (c->state == PROC_ZOMBIE && c->nr_threads == 0 &&
			    !(options & WAIT_NOEXITED)) {
				found = c;
				break;
			}
			if (jobctl_wait_report(c, options, status)) {
				reported = c;
				break;
			}
		}
		if (reported) {
			ret = reported->pid; /* stopped or continued */
			break;
		}
		if (found) {
			*status = thread_group_status(found);
			ret = found->pid;
			if (options & WNOWAIT)
				break;
			/* What every thread of the child used. */
			struct proc_usage self;
			thread_group_usage(found, &self);
			p->cutime += self.utime + found->cutime;
			p->cstime += self.stime + found->cstime;
			p->cmin_flt += self.min_flt + found->cmin_flt;
			p->cmaj_flt += self.maj_flt + found->cmaj_flt;
			uint32_t maxrss = found->maxrss_kb > found->cmaxrss_kb
						  ? found->maxrss_kb
						  : found->cmaxrss_kb;
			if (maxrss > p->cmaxrss_kb)
				p->cmaxrss_kb = maxrss;
			if (ru)
				*ru = (struct proc_usage){
					.utime = self.utime + found->cutime,
					.stime = self.stime + found->cstime,
					.min_flt = self.min_flt +
						   found->cmin_flt,
					.maj_flt = self.maj_flt +
						   found->cmaj_flt,
					.maxrss_kb = maxrss,
				};
			thread_reap_dead();
			proc_free(found);
			break;
		}
		if (!have) {
			ret = -ECHILD;
			break;
		}
		if (options & WNOHANG) {
			ret = 0;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		sched_sleep(p);
	}
	irq_restore(was);
	return ret;
}

void proc_init_moved(struct proc *from, struct proc *to)
{
	if (init_proc == from)
		init_proc = to;
}

bool proc_is_init(const struct proc *p)
{
	return p == init_proc;
}

void proc_fault_kill(int sig, uint32_t addr, uint32_t eip, const char *reason)
{
	struct proc *p = current;
	pr_err("%s: pid %d (%s) killed: %s at address 0x%08x, eip 0x%08x\n",
	       sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS"
			      : sig == SIGFPE ? "SIGFPE" : sig == SIGILL
			      ? "SIGILL" : "signal",
	       p->pid, p->name, reason, addr, eip);
	thread_group_exit(status_signaled(sig));
}

int proc_exit_status(int code)
{
	return status_exited(code);
}

int proc_signal_status(int sig)
{
	return status_signaled(sig);
}
