/*
 * fs/procfs.c - the /proc file system: names, directories, snapshots.
 *
 *   /proc/meminfo /proc/vmstat /proc/uptime /proc/buddyinfo
 *   /proc/stat /proc/loadavg /proc/swaps /proc/slabinfo
 *   /proc/kpageflags /proc/kpagecount  per-frame tables (procfs_pagemap.c)
 *   /proc/sys/vm/policy the page replacement policy (writable)
 *   /proc/sys/vm/drop_caches  give the heap's empty slabs back (write)
 *   /proc/sys/vm/compact_memory  compact memory (write; procfs_compact.c)
 *   /proc/pagoda/       the memory manager's event trace (procfs_trace.c)
 *                       and kpageorder (procfs_pagemap.c)
 *   /proc/sys/kernel/   hostname ostype osrelease version pid_max printk
 *   /proc/self          symlink to the caller's PID
 *   /proc/PID/          one directory per process (zombies included);
 *                       /proc/TID of a thread exists too, unlisted
 *   /proc/PID/task/     one directory per thread, TID/ as /proc/TID/
 *   /proc/PID/status    /proc/PID/stat    /proc/PID/statm  /proc/PID/comm
 *   /proc/PID/maps      /proc/PID/smaps   /proc/PID/cmdline
 *   /proc/PID/pagemap   one entry per virtual page (procfs_pagemap.c)
 *   /proc/PID/exe       symlink to the program's path
 *
 * A vnode names an entry by (pid, kind): pid 0 for the top level, kind an
 * index in one of the two tables below or -1 for a directory. Nothing is
 * kept between calls: a lookup or an open finds the process again with
 * proc_find(), and fails with -ENOENT once it has been reaped. The
 * entries below /proc/sys (directories with children, and files that can
 * be written) are named by their table entry instead: kind PROC_KIND_NODE
 * and vnode.node pointing at it.
 *
 * Reading a file from offset 0 runs its show function into a kmalloc'ed
 * buffer, doubling the buffer until the text fits (see fs/procfs.h:
 * snapshots).
 */
#include "fs/procfs.h"

#include "drivers/pit.h"
#include "fs/file.h"
#include "kernel/proc/cpustat.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/swapper.h"
#include "kernel/proc/thread.h"
#include "kernel/time.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/printf.h"
#include "kernel/sysctl.h"
#include "kernel/vmctl.h"
#include "libk/string.h"
#include "mm/slab.h"
#include "mm/blockdev.h"
#include "mm/swap.h"
#include "mm/vmscan.h"

/* procfs's device number (minor), and its inode numbers. */
#define PROCFS_DEV_MINOR 4
#define PROC_ROOT_INO 1
#define PROC_TOP_INO 2	       /* + index in top_entries */
#define PROC_PID_INO 0x10000   /* + pid * PROC_PID_INO_STRIDE */
#define PROC_PID_INO_STRIDE 16 /* the directory, then its entries */
/* getdents positions of the PID directories in /proc: pid + this. */
#define PROC_PID_POS 0x100

/* Inode numbers of the /proc/sys tree (fixed, in each entry). */
#define PROC_SYS_INO 0x8000
/* vnode.kind of an entry named by vnode.node (the /proc/sys tree). */
#define PROC_KIND_NODE (-2)
/* A /proc/PID/task/TID directory: a PID directory without "task". */
#define PROC_KIND_THREAD (-3)

/* Snapshot buffers start at one page and may grow to this. */
#define SNAPSHOT_MIN 4096u
#define SNAPSHOT_MAX (1u << 20)

/* An entry of /proc or of /proc/PID. */
struct proc_entry {
	const char *name;
	uint32_t mode;
	/* Writes the file's text; p is NULL at the top level. */
	void (*show)(struct proc *p, struct seqbuf *sb);
	/* A symlink's target into buf; returns its length or -errno. */
	int (*link)(struct proc *p, char *buf, size_t size);
	/* A write of n bytes (a file of /proc/sys): n or -errno. */
	int (*write)(const char *buf, size_t n);
	/* A write of n bytes to a file of /proc/PID: n or -errno. */
	int (*write_pid)(struct proc *p, const char *buf, size_t n);
	/*
	 * A file read as a stream rather than a snapshot (the event trace,
	 * too large to copy at open): sets f->ops and f->private.
	 */
	int (*open)(struct file *f);
	/* A directory of /proc/sys: its entries. */
	const struct proc_entry *children;
	size_t nchildren;
	uint32_t ino; /* entries of /proc/sys: their inode number */
	/* Shows the process's memory: only for readers allowed to look
	 * into it (fs/permission.c). */
	bool mm_access;
};

/* /proc/meminfo. */
static void show_meminfo(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct procfs_meminfo m;
	procfs_meminfo_collect(&m);
	procfs_format_meminfo(sb, &m);
}

/* /proc/vmstat. */
static void show_vmstat(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct pmm_stats st;
	struct kheap_totals kt;
	pmm_get_stats(&st);
	kheap_get_totals(&kt);
	procfs_format_vmstat(sb, &st, &vm_events, kt.pages);
	procfs_format_vmstat_reclaim(sb);
	procfs_format_vmstat_compact(sb);
	swapper_format_vmstat(sb);
}

/* /proc/uptime: the idle loop's ticks are the idle time. */
static void show_uptime(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	procfs_format_uptime(sb, uptime_ms(), cpustat.idle * 1000 / pit_hz());
}

/* Timer ticks to USER_HZ (100) ticks, the unit of /proc/stat. */
static uint64_t to_clock_t(uint64_t ticks)
{
	return ticks * 100 / pit_hz();
}

/* /proc/stat. */
static void show_stat_top(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct cpustat cs = cpustat; /* one copy: the numbers agree */
	struct procfs_stat st = {
		.user = to_clock_t(cs.user),
		.system = to_clock_t(cs.system),
		.idle = to_clock_t(cs.idle),
		.irqs = cs.irqs,
		.nirqs = CPUSTAT_IRQS,
		.ctxt = cs.ctxt,
		.btime = time_boot_epoch(),
		.processes = cs.forks,
		.procs_running = sched_nr_running(),
	};
	for (unsigned int i = 0; i < CPUSTAT_IRQS; i++)
		st.intr_total += cs.irqs[i];
	procfs_format_cpu_stat(sb, &st);
}

/* /proc/swaps: a line per active area, in swapon order. */
static void show_swaps(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct swap_area_stats a;
	uint32_t kb = PAGE_SIZE / 1024;
	procfs_format_swaps(sb, NULL, 0, 0, 0);
	for (unsigned int n = 0; swap_get_area_stats(n, &a) == 0; n++) {
		char path[16];
		/* Every area is on a RAM-disk, named ramN. */
		snprintf(path, sizeof(path), "/dev/%s", a.dev->name);
		procfs_format_swap_line(sb, path, a.total * kb,
					(a.total - a.free) * kb, a.prio);
	}
}

/* /proc/loadavg. */
static void show_loadavg(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	procfs_format_loadavg(sb, avenrun, sched_nr_running(), proc_count(),
			      proc_last_pid());
}

/*
 * Free blocks per order, as Linux's /proc/buddyinfo: the buddy allocator's
 * zone (lowmem, "Normal"), then the highmem zone when there is one, whose
 * free frames are single frames (mm/highmem.c).
 */
static void show_buddyinfo(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct pmm_stats st;
	pmm_get_stats(&st);
	seq_printf(sb, "Node 0, zone   Normal ");
	for (int order = 0; order < PMM_MAX_ORDER; order++) {
		uint32_t n = st.nr_free[order];
		if (order < PMM_PCP_ORDERS)
			n += st.nr_cached[order];
		seq_printf(sb, "%6u ", n);
	}
	seq_printf(sb, "\n");
	if (st.highmem_managed_pages) {
		seq_printf(sb, "Node 0, zone  HighMem ");
		for (int order = 0; order < PMM_MAX_ORDER; order++)
			seq_printf(sb, "%6u ",
				   order == 0 ? st.highmem_free_pages : 0);
		seq_printf(sb, "\n");
	}
}

/* /proc/self: the caller's process ID (not a thread's), a relative link. */
static int link_self(struct proc *p, char *buf, size_t size)
{
	(void)p;
	if (!current || current->pid <= 0)
		return -ENOENT;
	char num[16];
	int n = snprintf(num, sizeof(num), "%d", current->tgid);
	size_t len = (size_t)n < size ? (size_t)n : size;
	memcpy(buf, num, len);
	return (int)len;
}

/* /proc/sys/vm/policy: "[clock] fifo aging random". */
static void show_vm_policy(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	char list[128];
	vm_policy_list(list, sizeof(list));
	seq_printf(sb, "%s", list);
}

/* /proc/sys/vm/policy_seed: the random policy's seed, 0 for none. */
static void show_vm_policy_seed(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	seq_printf(sb, "%u\n", (unsigned int)vmctl_policy_seed());
}

/* /proc/sys/vm/drop_caches reads as nothing (Linux: write only). */
static void show_nothing(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	(void)sb;
}

/*
 * /proc/sys/vm/drop_caches: "1", "2" or "3" gives the reclaimer's unused
 * bookkeeping and the kernel heap's empty slabs back to the frame
 * allocator, so that MemFree counts them (the swap cache itself is not
 * dropped: its pages are mapped).
 */
static int write_drop_caches(const char *buf, size_t n)
{
	if (n == 0 || buf[0] < '1' || buf[0] > '3')
		return -EINVAL;
	vmscan_shrink();
	kheap_shrink();
	return (int)n;
}

/* /proc/sys/vm/swapin_mode: how swapped-out processes come back. */
static void show_swapin_mode(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	swapper_show_mode(sb);
}

static const struct proc_entry sys_vm_entries[] = {
	{ .name = "compact_memory", .mode = S_IFREG | 0200,
	  .show = show_nothing, .write = procfs_write_compact_memory,
	  .ino = PROC_SYS_INO + 0x30 },
	{ .name = "drop_caches", .mode = S_IFREG | 0200, .show = show_nothing,
	  .write = write_drop_caches, .ino = PROC_SYS_INO + 3 },
	{ .name = "policy", .mode = S_IFREG | 0644, .show = show_vm_policy,
	  .write = vmctl_write_policy, .ino = PROC_SYS_INO + 2 },
	{ .name = "policy_seed", .mode = S_IFREG | 0644,
	  .show = show_vm_policy_seed, .write = vmctl_write_policy_seed,
	  .ino = PROC_SYS_INO + 0x33 },
	{ .name = "swapin_mode", .mode = S_IFREG | 0644,
	  .show = show_swapin_mode, .write = swapper_write_mode,
	  .ino = PROC_SYS_INO + 0x32 },
};

/* The files of /proc/sys/kernel (kernel/sysctl.c), without a process. */
#define SYSCTL_SHOW(name)                                                      \
	static void show_##name(struct proc *p, struct seqbuf *sb)             \
	{                                                                      \
		(void)p;                                                       \
		sysctl_show_##name(sb);                                        \
	}
SYSCTL_SHOW(hostname)
SYSCTL_SHOW(ostype)
SYSCTL_SHOW(osrelease)
SYSCTL_SHOW(pid_max)
SYSCTL_SHOW(printk)
SYSCTL_SHOW(version)

static const struct proc_entry sys_kernel_entries[] = {
	{ .name = "hostname", .mode = S_IFREG | 0644, .show = show_hostname,
	  .write = sysctl_write_hostname, .ino = PROC_SYS_INO + 5 },
	{ .name = "osrelease", .mode = S_IFREG | 0444, .show = show_osrelease,
	  .ino = PROC_SYS_INO + 6 },
	{ .name = "ostype", .mode = S_IFREG | 0444, .show = show_ostype,
	  .ino = PROC_SYS_INO + 7 },
	{ .name = "pid_max", .mode = S_IFREG | 0444, .show = show_pid_max,
	  .ino = PROC_SYS_INO + 8 },
	{ .name = "printk", .mode = S_IFREG | 0644, .show = show_printk,
	  .write = sysctl_write_printk, .ino = PROC_SYS_INO + 9 },
	{ .name = "version", .mode = S_IFREG | 0444, .show = show_version,
	  .ino = PROC_SYS_INO + 10 },
};

static const struct proc_entry sys_entries[] = {
	{ .name = "kernel", .mode = S_IFDIR | 0555,
	  .children = sys_kernel_entries,
	  .nchildren = sizeof(sys_kernel_entries) /
		       sizeof(sys_kernel_entries[0]),
	  .ino = PROC_SYS_INO + 4 },
	{ .name = "vm", .mode = S_IFDIR | 0555, .children = sys_vm_entries,
	  .nchildren = sizeof(sys_vm_entries) / sizeof(sys_vm_entries[0]),
	  .ino = PROC_SYS_INO + 1 },
};

/*
 * /proc/pagoda: the memory manager's event trace (procfs_trace.c), the
 * free-block orders of the frames (procfs_pagemap.c) and the
 * fragmentation index per order (procfs_compact.c).
 */
static const struct proc_entry pagoda_entries[] = {
	{ .name = "extfrag", .mode = S_IFREG | 0444,
	  .show = procfs_show_extfrag, .ino = PROC_SYS_INO + 0x31 },
	{ .name = "kpageorder", .mode = S_IFREG | 0400,
	  .open = procfs_open_kpageorder, .ino = PROC_SYS_INO + 0x15 },
	{ .name = "trace", .mode = S_IFREG | 0644,
	  .open = procfs_open_trace, .ino = PROC_SYS_INO + 0x11 },
	{ .name = "trace_pid", .mode = S_IFREG | 0644,
	  .show = procfs_show_trace_pid, .write = procfs_write_trace_pid,
	  .ino = PROC_SYS_INO + 0x12 },
	{ .name = "trace_pipe", .mode = S_IFREG | 0444,
	  .open = procfs_open_trace_pipe, .ino = PROC_SYS_INO + 0x13 },
	{ .name = "tracing_on", .mode = S_IFREG | 0644,
	  .show = procfs_show_tracing_on, .write = procfs_write_tracing_on,
	  .ino = PROC_SYS_INO + 0x14 },
};

static const struct proc_entry top_entries[] = {
	{ .name = "buddyinfo", .mode = S_IFREG | 0444, .show = show_buddyinfo },
	{ .name = "kpagecount", .mode = S_IFREG | 0400,
	  .open = procfs_open_kpagecount },
	{ .name = "kpageflags", .mode = S_IFREG | 0400,
	  .open = procfs_open_kpageflags },
	{ .name = "loadavg", .mode = S_IFREG | 0444, .show = show_loadavg },
	{ .name = "meminfo", .mode = S_IFREG | 0444, .show = show_meminfo },
	{ .name = "pagoda", .mode = S_IFDIR | 0555, .children = pagoda_entries,
	  .nchildren = sizeof(pagoda_entries) / sizeof(pagoda_entries[0]),
	  .ino = PROC_SYS_INO + 0x10 },
	{ .name = "self", .mode = S_IFLNK | 0777, .link = link_self },
	{ .name = "slabinfo", .mode = S_IFREG | 0400,
	  .show = procfs_show_slabinfo },
	{ .name = "stat", .mode = S_IFREG | 0444, .show = show_stat_top },
	{ .name = "swaps", .mode = S_IFREG | 0444, .show = show_swaps },
	{ .name = "sys", .mode = S_IFDIR | 0555, .children = sys_entries,
	  .nchildren = sizeof(sys_entries) / sizeof(sys_entries[0]),
	  .ino = PROC_SYS_INO },
	{ .name = "uptime", .mode = S_IFREG | 0444, .show = show_uptime },
	{ .name = "vmstat", .mode = S_IFREG | 0444, .show = show_vmstat },
};

/* /proc/PID/status. */
static void show_status(struct proc *p, struct seqbuf *sb)
{
	struct mm_usage u;
	if (p->mm)
		mm_get_usage(p->mm, &u);
	procfs_format_status(sb, p, p->mm ? &u : NULL);
}

/* /proc/PID/stat. */
static void show_stat(struct proc *p, struct seqbuf *sb)
{
	struct mm_usage u;
	if (p->mm)
		mm_get_usage(p->mm, &u);
	procfs_format_stat(sb, p, p->mm ? &u : NULL);
}

/* /proc/PID/statm. */
static void show_statm(struct proc *p, struct seqbuf *sb)
{
	struct mm_usage u;
	if (p->mm)
		mm_get_usage(p->mm, &u);
	procfs_format_statm(sb, p, p->mm ? &u : NULL);
}

/* /proc/PID/maps: the regions, as mm/mm.c formats them. */
static void show_maps(struct proc *p, struct seqbuf *sb)
{
	if (!p->mm)
		return;
	size_t room = sb->size - sb->len;
	size_t n = mm_format_maps(p->mm, sb->buf + sb->len, room);
	/* Like snprintf, a length that does not fit means the text was cut. */
	if (n >= room)
		sb->overflow = true;
	else
		sb->len += n;
}

/* /proc/PID/smaps: the regions with their resident pages. */
static void show_smaps(struct proc *p, struct seqbuf *sb)
{
	if (!p->mm)
		return;
	size_t room = sb->size - sb->len;
	size_t n = mm_format_smaps(p->mm, sb->buf + sb->len, room);
	if (n >= room)
		sb->overflow = true;
	else
		sb->len += n;
}

/*
 * /proc/PID/cmdline: the argument strings, read from the process's own
 * memory as Linux does (so a program that rewrites argv shows it).
 */
/* Copies [start, end) of p's memory into sb (cmdline, environ). */
static void show_user_range(struct proc *p, vaddr_t start, vaddr_t end,
			    struct seqbuf *sb)
{
	if (!p->mm || end <= start)
		return;
	size_t n = end - start;
	size_t room = sb->size - sb->len;
	if (n > room) {
		sb->overflow = true;
		return;
	}
	if (mm_read(p->mm, start, sb->buf + sb->len, n) == 0)
		sb->len += n;
}

static void show_cmdline(struct proc *p, struct seqbuf *sb)
{
	show_user_range(p, p->arg_start, p->arg_end, sb);
}

/* /proc/PID/environ: the environment strings execve put on the stack. */
static void show_environ(struct proc *p, struct seqbuf *sb)
{
	show_user_range(p, p->env_start, p->env_end, sb);
}

/* /proc/PID/comm: the process's name and a newline. */
static void show_comm(struct proc *p, struct seqbuf *sb)
{
	seq_printf(sb, "%s\n", p->name);
}

/* /proc/PID/exe: the path the program was started from. */
static int link_exe(struct proc *p, char *buf, size_t size)
{
	size_t len = p->exe ? strlen(p->exe) : 0;
	if (len == 0)
		return -ENOENT;
	if (len > size)
		len = size;
	memcpy(buf, p->exe, len);
	return (int)len;
}

static const struct proc_entry pid_entries[] = {
	{ .name = "cmdline", .mode = S_IFREG | 0444, .show = show_cmdline },
	{ .name = "comm", .mode = S_IFREG | 0444, .show = show_comm },
	{ .name = "environ", .mode = S_IFREG | 0400, .show = show_environ,
	  .mm_access = true },
	{ .name = "exe", .mode = S_IFLNK | 0777, .link = link_exe },
	{ .name = "maps", .mode = S_IFREG | 0444, .show = show_maps,
	  .mm_access = true },
	{ .name = "pagemap", .mode = S_IFREG | 0400,
	  .open = procfs_open_pagemap, .mm_access = true },
	{ .name = "smaps", .mode = S_IFREG | 0444, .show = show_smaps,
	  .mm_access = true },
	{ .name = "stat", .mode = S_IFREG | 0444, .show = show_stat },
	{ .name = "statm", .mode = S_IFREG | 0444, .show = show_statm },
	{ .name = "status", .mode = S_IFREG | 0444, .show = show_status },
	/* Whole-process swapping (kernel/proc/swapper.c). */
	{ .name = "swapout", .mode = S_IFREG | 0644, .show = swapper_show,
	  .write_pid = swapper_write },
	{ .name = "task", .mode = S_IFDIR | 0555 },
};
/*
 * The index of "task" in pid_entries: the directory of the threads, kept
 * last (a TID directory lists the entries before it).
 */
#define PID_TASK_KIND (NPID - 1)

#define NTOP (sizeof(top_entries) / sizeof(top_entries[0]))
#define NPID (sizeof(pid_entries) / sizeof(pid_entries[0]))

STATIC_ASSERT(NPID < PROC_PID_INO_STRIDE, "PID entries fit in a stride");
STATIC_ASSERT(2 + NTOP <= PROC_PID_POS, "fixed entries come before PIDs");

static const struct fs_ops procfs_ops;

/* The entry a vnode names, or NULL for the root and PID directories. */
static const struct proc_entry *vnode_entry(const struct vnode *v)
{
	if (v->kind == PROC_KIND_NODE)
		return v->node;
	if (v->kind < 0)
		return NULL;
	return v->pid ? &pid_entries[v->kind] : &top_entries[v->kind];
}

/* The vnode of an entry of the /proc/sys tree. */
static void make_node_vnode(const struct proc_entry *e, struct vnode *out)
{
	*out = (struct vnode){ .fs = &procfs_ops, .pid = 0,
			       .kind = PROC_KIND_NODE, .node = e,
			       .mode = e->mode, .ino = e->ino };
}

/* The vnode of entry kind (-1: the directory) of process pid (0: top). */
static void make_vnode(int pid, int kind, struct vnode *out)
{
	const struct proc_entry *e;
	*out = (struct vnode){ .fs = &procfs_ops, .pid = pid, .kind = kind };
	if (pid == 0 && kind < 0) {
		out->mode = S_IFDIR | 0555;
		out->ino = PROC_ROOT_INO;
		return;
	}
	if (kind < 0) {
		out->mode = S_IFDIR | 0555;
		out->ino = PROC_PID_INO + (uint32_t)pid * PROC_PID_INO_STRIDE;
		return;
	}
	e = vnode_entry(out);
	out->mode = e->mode;
	out->ino = pid ? PROC_PID_INO + (uint32_t)pid * PROC_PID_INO_STRIDE +
				   1 + (uint32_t)kind
		 : e->ino ? e->ino
			  : PROC_TOP_INO + (uint32_t)kind;
}

void procfs_root(struct vnode *out)
{
	make_vnode(0, -1, out);
}

/* Finds name in a table of entries; its index or -1. */
static int find_entry(const struct proc_entry *tab, size_t n, const char *name,
		      size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i].name) == len &&
		    !memcmp(tab[i].name, name, len))
			return (int)i;
	return -1;
}

/* Finds a fixed entry, a PID directory or an entry inside one. */
static int procfs_lookup(const struct vnode *dir, const char *name, size_t len,
			 struct vnode *out)
{
	int i;
	if (dir->pid && dir->kind == PID_TASK_KIND) {
		/* /proc/PID/task/TID: a thread of the process. */
		struct proc *p = proc_find(dir->pid);
		int tid = procfs_parse_pid(name, len);
		struct proc *t = tid > 0 ? proc_find(tid) : NULL;
		if (!p || !t || t->tgid != p->tgid ||
		    (t->thread_reap && t->state == PROC_ZOMBIE))
			return -ENOENT;
		make_vnode(tid, PROC_KIND_THREAD, out);
		return 0;
	}
	if (dir->pid) {
		if (!proc_find(dir->pid))
			return -ENOENT;
		i = find_entry(pid_entries, NPID, name, len);
		if (i < 0 || (dir->kind == PROC_KIND_THREAD &&
			      i == (int)PID_TASK_KIND))
			return -ENOENT;
		make_vnode(dir->pid, i, out);
		return 0;
	}
	if (dir->kind == PROC_KIND_NODE) {
		const struct proc_entry *d = dir->node;
		i = find_entry(d->children, d->nchildren, name, len);
		if (i < 0)
			return -ENOENT;
		make_node_vnode(&d->children[i], out);
		return 0;
	}
	i = find_entry(top_entries, NTOP, name, len);
	if (i >= 0) {
		if (top_entries[i].children)
			make_node_vnode(&top_entries[i], out);
		else
			make_vnode(0, i, out);
		return 0;
	}
	int pid = procfs_parse_pid(name, len);
	if (pid <= 0 || !proc_find(pid))
		return -ENOENT;
	make_vnode(pid, -1, out);
	return 0;
}

/* Reads /proc/self or /proc/PID/exe. */
static int procfs_readlink(const struct vnode *v, char *buf, size_t size)
{
	struct proc *p = NULL;
	if (v->pid && !(p = proc_find(v->pid)))
		return -ENOENT;
	return vnode_entry(v)->link(p, buf, size);
}

/* Collects PIDs for a listing of /proc. */
struct pid_list {
	int *pids;
	size_t n, cap;
};

/*
 * Adds a process to the list (PID 0, the idle loop, is not shown): its
 * leader, as Linux lists processes and not their threads.
 */
static void collect_pid(struct proc *p, void *ctx)
{
	struct pid_list *l = ctx;
	if (p->pid > 0 && thread_is_leader(p) && l->n < l->cap)
		l->pids[l->n++] = p->pid;
}

/* Adds a thread to the list (a thread_for_each callback). */
static void collect_tid(struct proc *t, void *ctx)
{
	struct pid_list *l = ctx;
	if (l->n < l->cap)
		l->pids[l->n++] = t->pid;
}

/*
 * Emits the directories of the IDs in l, in increasing order, from
 * ctx->pos on (position PROC_PID_POS + ID); frees l's array.
 */
static int emit_pid_dirs(struct dir_ctx *ctx, struct pid_list *l)
{
	/* Insertion sort: the list is short and nearly sorted already. */
	for (size_t i = 1; i < l->n; i++) {
		int v = l->pids[i];
		size_t j = i;
		for (; j > 0 && l->pids[j - 1] > v; j--)
			l->pids[j] = l->pids[j - 1];
		l->pids[j] = v;
	}
	for (size_t i = 0; i < l->n; i++) {
		int64_t pos = PROC_PID_POS + l->pids[i];
		if (pos < ctx->pos)
			continue;
		char name[16];
		int len = snprintf(name, sizeof(name), "%d", l->pids[i]);
		struct vnode v;
		make_vnode(l->pids[i], -1, &v);
		ctx->pos = pos;
		if (!ctx->emit(ctx, name, (size_t)len, v.ino, DT_DIR))
			goto out;
		ctx->pos = pos + 1;
	}
	/* Past every ID: later listings start after the highest possible. */
	ctx->pos = PROC_PID_POS + PROC_MAX_PIDS;
out:
	kfree(l->pids);
	return 0;
}

/* Lists /proc/PID/task: dots, then the TID of every thread. */
static int procfs_iterate_tasks(struct file *f, struct dir_ctx *ctx)
{
	struct proc *p = proc_find(f->vn.pid);
	if (!p)
		return -ENOENT;
	if (!dir_emit_dots(ctx, f->vn.ino,
			   PROC_PID_INO + (uint32_t)f->vn.pid *
						  PROC_PID_INO_STRIDE))
		return 0;
	if (ctx->pos < PROC_PID_POS)
		ctx->pos = PROC_PID_POS;
	struct pid_list l = { .cap = thread_count(p) + 1 };
	l.pids = kmalloc(l.cap * sizeof(int), 0);
	if (!l.pids)
		return -ENOMEM;
	thread_for_each(p, collect_tid, &l);
	return emit_pid_dirs(ctx, &l);
}

/* Lists /proc: dots, the fixed entries, then every PID in order. */
static int procfs_iterate_root(struct dir_ctx *ctx)
{
	if (!dir_emit_dots(ctx, PROC_ROOT_INO, 1))
		return 0;
	while (ctx->pos >= 2 && ctx->pos < 2 + (int64_t)NTOP) {
		size_t i = (size_t)ctx->pos - 2;
		struct vnode v;
		make_vnode(0, (int)i, &v);
		if (!ctx->emit(ctx, top_entries[i].name,
			       strlen(top_entries[i].name), v.ino,
			       mode_to_dtype(v.mode)))
			return 0;
		ctx->pos++;
	}

	struct pid_list l = { .cap = proc_count() };
	l.pids = kmalloc((l.cap + 1) * sizeof(int), 0);
	if (!l.pids)
		return -ENOMEM;
	proc_for_each(collect_pid, &l);
	return emit_pid_dirs(ctx, &l);
}

/* Lists a directory of the /proc/sys tree. */
static int procfs_iterate_node(struct file *f, struct dir_ctx *ctx)
{
	const struct proc_entry *d = f->vn.node;
	/* The parent's inode number does not matter to anyone: the root's. */
	if (!dir_emit_dots(ctx, f->vn.ino, PROC_ROOT_INO))
		return 0;
	while (ctx->pos >= 2 && ctx->pos < 2 + (int64_t)d->nchildren) {
		const struct proc_entry *e = &d->children[ctx->pos - 2];
		if (!ctx->emit(ctx, e->name, strlen(e->name), e->ino,
			       mode_to_dtype(e->mode)))
			return 0;
		ctx->pos++;
	}
	return 0;
}

/* Lists /proc, a /proc/PID directory, or one of /proc/sys. */
static int procfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	if (f->vn.kind == PROC_KIND_NODE)
		return procfs_iterate_node(f, ctx);
	if (!f->vn.pid)
		return procfs_iterate_root(ctx);
	if (f->vn.kind == PID_TASK_KIND)
		return procfs_iterate_tasks(f, ctx);
	if (!dir_emit_dots(ctx, f->vn.ino, PROC_ROOT_INO))
		return 0;
	/* A thread's directory under task/ has no task/ of its own. */
	size_t n = f->vn.kind == PROC_KIND_THREAD ? NPID - 1 : NPID;
	while (ctx->pos >= 2 && ctx->pos < 2 + (int64_t)n) {
		size_t i = (size_t)ctx->pos - 2;
		struct vnode v;
		make_vnode(f->vn.pid, (int)i, &v);
		if (!ctx->emit(ctx, pid_entries[i].name,
			       strlen(pid_entries[i].name), v.ino,
			       mode_to_dtype(v.mode)))
			return 0;
		ctx->pos++;
	}
	return 0;
}

static int take_snapshot(const struct proc_entry *e, struct proc *p,
			 struct file *f);

/*
 * Reads the file's text. A read at offset 0 (the first one, or one after
 * seeking back) makes a new snapshot, as Linux's seq_file starts over at
 * offset 0; reads further on continue the same text, so a program reading
 * in small pieces sees one consistent state. A process's file read after
 * the process was reaped is -ESRCH, as on Linux.
 */
static int32_t snapshot_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	if (*pos == 0 || !f->private) {
		struct proc *p = NULL;
		if (f->vn.pid && !(p = proc_find(f->vn.pid)))
			return -ESRCH;
		/* The old text goes first: the new one is made as it was. */
		kfree(f->private);
		f->private = NULL;
		f->size = 0;
		int err = take_snapshot(vnode_entry(&f->vn), p, f);
		if (err)
			return err;
	}
	return file_read_buffer(f->private, f->size, buf, n, pos);
}

/* Linux's procfs files refuse writes they have no handler for with EIO. */
static int32_t snapshot_write(struct file *f, const char *buf, size_t n,
			      int64_t *pos)
{
	(void)f;
	(void)buf;
	(void)n;
	(void)pos;
	return -EIO;
}

/* As seq_file's lseek: SEEK_SET and SEEK_CUR only, never negative. */
static int64_t snapshot_lseek(struct file *f, int64_t off, int whence)
{
	if (whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	return file_lseek_sized(f, off, whence, 0);
}

/* Frees the snapshot with the last reference. */
static void snapshot_release(struct file *f)
{
	kfree(f->private);
}

static const struct file_ops snapshot_ops = {
	.read = snapshot_read,
	.write = snapshot_write,
	.lseek = snapshot_lseek,
	.release = snapshot_release,
};

/* A write to a file of /proc/sys: the whole buffer is the new value. */
static int32_t sysctl_write(struct file *f, const char *buf, size_t n,
			    int64_t *pos)
{
	const struct proc_entry *e = f->vn.node;
	int ret = e->write(buf, n);
	if (ret > 0)
		*pos += ret;
	return ret;
}

/* Files of /proc/sys: read the snapshot taken at open, write a value. */
static const struct file_ops sysctl_ops = {
	.read = snapshot_read,
	.write = sysctl_write,
	.lseek = snapshot_lseek,
	.release = snapshot_release,
};

/* A write to a writable file of /proc/PID, for the process it names. */
static int32_t pid_file_write(struct file *f, const char *buf, size_t n,
			      int64_t *pos)
{
	const struct proc_entry *e = vnode_entry(&f->vn);
	struct proc *p = proc_find(f->vn.pid);
	if (!p)
		return -ESRCH;
	int ret = e->write_pid(p, buf, n);
	if (ret > 0)
		*pos += ret;
	return ret;
}

/* Writable files of /proc/PID (swapout). */
static const struct file_ops pid_file_ops = {
	.read = snapshot_read,
	.write = pid_file_write,
	.lseek = snapshot_lseek,
	.release = snapshot_release,
};

static const struct file_ops procfs_dir_ops = {
	.lseek = file_lseek_dir,
	.iterate = procfs_iterate,
};

/* Runs an entry's show function until its text fits; fills f. */
static int take_snapshot(const struct proc_entry *e, struct proc *p,
			 struct file *f)
{
	for (size_t size = SNAPSHOT_MIN; size <= SNAPSHOT_MAX; size *= 2) {
		struct seqbuf sb = { .buf = kmalloc(size, 0), .size = size };
		if (!sb.buf)
			return -ENOMEM;
		sb.buf[0] = '\0';
		e->show(p, &sb);
		if (!sb.overflow) {
			f->private = sb.buf;
			f->size = sb.len;
			return 0;
		}
		kfree(sb.buf);
	}
	return -ENOMEM;
}

/* Directories list; files take their text at their first read. */
static int procfs_open(const struct vnode *v, struct file *f, int flags)
{
	struct proc *p = NULL;
	if (v->pid && !(p = proc_find(v->pid)))
		return -ENOENT;
	if (s_isdir(v->mode)) {
		f->ops = &procfs_dir_ops;
		return 0;
	}
	const struct proc_entry *e = vnode_entry(v);
	if (e->mm_access) {
		int err = procfs_may_read_mm(v->pid);
		if (err)
			return err;
	}
	if (e->open)
		return e->open(f);
	if (!e->show)
		return -ELOOP; /* a symlink: only O_PATH opens it */
	/*
	 * Linux checks the mode of /proc/sys files even for root
	 * (proc_sys_permission): drop_caches cannot be read, ostype not
	 * written.
	 */
	if (v->kind == PROC_KIND_NODE) {
		int acc = flags & O_ACCMODE;
		bool rd = acc == O_RDONLY || acc == O_RDWR;
		bool wr = acc == O_WRONLY || acc == O_RDWR;
		if ((rd && !(e->mode & 0400)) || (wr && !(e->mode & 0200)))
			return -EACCES;
	}
	f->ops = e->write ? &sysctl_ops
		 : e->write_pid ? &pid_file_ops
				: &snapshot_ops;
	f->private = NULL;
	return 0;
}

/* procfs files report size 0, as on Linux: their length is unknown until read. */
static void procfs_getattr(const struct vnode *v, struct kstat *st)
{
	st->dev_minor = PROCFS_DEV_MINOR;
	st->ino = v->ino;
	st->mode = v->mode;
	st->nlink = 1;
	if (v->pid)
		procfs_owner(v->pid, &st->uid, &st->gid);
	if (v->kind == PROC_KIND_NODE)
		st->nlink = s_isdir(v->mode) ? 2 : 1;
	else if (v->kind < 0)
		st->nlink = v->pid ? 2 : 2 + proc_count();
	st->blksize = 1024;
	/* Linux gives /proc files the time they were first looked at. */
	st->atime = st->mtime = st->ctime = time_boot_epoch();
}

static const struct fs_ops procfs_ops = {
	.name = "proc",
	.read_only = false,
	.lookup = procfs_lookup,
	.readlink = procfs_readlink,
	.open = procfs_open,
	.getattr = procfs_getattr,
};
