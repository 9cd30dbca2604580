/*
 * fs/procfs_show.c - the text of the /proc files.
 *
 * Layouts follow Linux's (fs/proc/meminfo.c, fs/proc/array.c,
 * mm/vmstat.c, fs/proc/uptime.c) so that the same parsing code works on
 * both systems; docs/files.md lists every line and where its number comes
 * from. Lines Linux has but Pagoda has no honest number for are left out
 * rather than printed as zero, except where zero is the truth (no page
 * cache).
 */
#include <stdarg.h>

#include "drivers/pit.h"
#include "kernel/proc/cpustat.h"
#include "fs/procfs.h"
#include "fs/tty.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/policy.h"
#include "mm/shm.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "mm/vmap.h"
#include "mm/vmscan.h"

/* The unit of the clock-tick fields of /proc/PID/stat (Linux's USER_HZ). */
#define USER_HZ 100
/* "Unlimited" as an unsigned long of i386, for rsslim. */
#define ULONG_MAX_32 0xffffffffu

void seq_printf(struct seqbuf *sb, const char *fmt, ...)
{
	if (sb->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	size_t room = sb->size - sb->len;
	int n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		sb->overflow = true;
		sb->buf[sb->len] = '\0'; /* drop the partial line */
		return;
	}
	sb->len += (size_t)n;
}

/* Pages to kB. */
static uint64_t pages_kb(uint64_t pages)
{
	return pages * (PAGE_SIZE / 1024);
}

/* Adds up the kernel stacks of the processes, in pages. */
static void count_kstack(struct proc *p, void *ctx)
{
	if (p->kstack)
		*(uint64_t *)ctx += KSTACK_PAGES;
}

void procfs_meminfo_collect(struct procfs_meminfo *m)
{
	struct pmm_stats st;
	struct kheap_totals kt;
	uint64_t kstack_pages = 0;

	pmm_get_stats(&st);
	kheap_get_totals(&kt);
	proc_for_each(count_kstack, &kstack_pages);
	memset(m, 0, sizeof(*m));
	m->total = pages_kb(st.managed_pages);
	m->free = pages_kb(st.free_pages);
	m->available = m->free;
	struct swap_stats sw;
	struct vmscan_stats vs;
	swap_get_stats(&sw);
	vmscan_get_stats(&vs);
	m->swap_total = pages_kb(sw.total);
	m->swap_free = pages_kb(sw.free);
	m->swap_cached = pages_kb(vs.swapcache);
	struct shm_totals sh;
	shm_totals(&sh);
	m->cached = pages_kb(sh.resident - sh.swapcached);
	m->shmem = pages_kb(sh.resident);
	m->mapped = pages_kb(sh.mapped);
	m->slab = pages_kb(kt.pages);
	m->kernel_stack = pages_kb(kstack_pages);
	m->page_tables = pages_kb(st.pgtable_pages);
	m->vmalloc_total = (VMAP_END - VMAP_START) / 1024;
	m->vmalloc_used = pages_kb(vmap_used_pages());
	m->user = pages_kb(st.user_pages);
	m->kernel = pages_kb(st.kernel_pages);
	m->high_total = pages_kb(st.highmem_managed_pages);
	m->high_free = pages_kb(st.highmem_free_pages);
	m->low_total = m->total - m->high_total;
	m->low_free = m->free - m->high_free;
}

/* One meminfo line: the name padded to 16 columns, the number to 8. */
static void meminfo_line(struct seqbuf *sb, const char *name, uint64_t kb)
{
	seq_printf(sb, "%-16s%8llu kB\n", name, (unsigned long long)kb);
}

void procfs_format_meminfo(struct seqbuf *sb, const struct procfs_meminfo *m)
{
	meminfo_line(sb, "MemTotal:", m->total);
	meminfo_line(sb, "MemFree:", m->free);
	meminfo_line(sb, "MemAvailable:", m->available);
	/*
	 * The page cache is tmpfs files and shared memory (mm/filemap.h);
	 * initramfs files are read from the boot image, no cache. There are
	 * no block-device buffers.
	 */
	meminfo_line(sb, "Buffers:", 0);
	meminfo_line(sb, "Cached:", m->cached);
	meminfo_line(sb, "SwapCached:", m->swap_cached);
	meminfo_line(sb, "HighTotal:", m->high_total);
	meminfo_line(sb, "HighFree:", m->high_free);
	meminfo_line(sb, "LowTotal:", m->low_total);
	meminfo_line(sb, "LowFree:", m->low_free);
	meminfo_line(sb, "SwapTotal:", m->swap_total);
	meminfo_line(sb, "SwapFree:", m->swap_free);
	/* tmpfs has no file to write back to: nothing is ever dirty. */
	meminfo_line(sb, "Dirty:", 0);
	meminfo_line(sb, "Mapped:", m->mapped);
	meminfo_line(sb, "Shmem:", m->shmem);
	meminfo_line(sb, "Slab:", m->slab);
	meminfo_line(sb, "SReclaimable:", 0);
	meminfo_line(sb, "SUnreclaim:", m->slab);
	meminfo_line(sb, "KernelStack:", m->kernel_stack);
	meminfo_line(sb, "PageTables:", m->page_tables);
	meminfo_line(sb, "VmallocTotal:", m->vmalloc_total);
	meminfo_line(sb, "VmallocUsed:", m->vmalloc_used);
	/* Pagoda's own lines: what the frame allocator hands out. */
	meminfo_line(sb, "UserPages:", m->user);
	meminfo_line(sb, "KernelPages:", m->kernel);
}

void procfs_format_vmstat(struct seqbuf *sb, const struct pmm_stats *st,
			  const struct vm_events *ev, uint32_t slab_pages)
{
	seq_printf(sb, "nr_free_pages %u\n", st->free_pages);
	seq_printf(sb, "nr_slab_reclaimable 0\n");
	seq_printf(sb, "nr_slab_unreclaimable %u\n", slab_pages);
	seq_printf(sb, "nr_page_table_pages %u\n", st->pgtable_pages);
	struct shm_totals sh;
	shm_totals(&sh);
	seq_printf(sb, "nr_file_pages %u\n", sh.resident);
	seq_printf(sb, "nr_mapped %u\n", sh.mapped);
	seq_printf(sb, "nr_dirty 0\n");
	seq_printf(sb, "nr_shmem %u\n", sh.resident);
	seq_printf(sb, "pgfault %llu\n", (unsigned long long)ev->pgfault);
	seq_printf(sb, "pgmajfault %llu\n", (unsigned long long)ev->pgmajfault);
	seq_printf(sb, "pswpin %llu\n", (unsigned long long)ev->pswpin);
	seq_printf(sb, "pswpout %llu\n", (unsigned long long)ev->pswpout);
	/* Pagoda's own counters (not in Linux's vmstat). */
	seq_printf(sb, "nr_user_pages %u\n", st->user_pages);
	seq_printf(sb, "nr_kernel_pages %u\n", st->kernel_pages);
	seq_printf(sb, "pgcow %llu\n", (unsigned long long)ev->cow_faults);
	seq_printf(sb, "pgcow_copy %llu\n", (unsigned long long)ev->cow_copies);
	seq_printf(sb, "pgzero %llu\n", (unsigned long long)ev->zero_faults);
	seq_printf(sb, "pgfile %llu\n", (unsigned long long)ev->file_faults);
	seq_printf(sb, "pgalloc_fail %u\n", st->alloc_failures);
	/* Reclaim and swap (Linux names where Linux has the counter). */
	seq_printf(sb, "pgsteal %llu\n", (unsigned long long)ev->pgsteal);
	seq_printf(sb, "pgsteal_clean %llu\n",
		   (unsigned long long)ev->pgsteal_clean);
	seq_printf(sb, "pgsteal_local %llu\n",
		   (unsigned long long)ev->pgsteal_local);
	seq_printf(sb, "pgscan %llu\n", (unsigned long long)ev->pgscan);
	seq_printf(sb, "swapcache_hits %llu\n",
		   (unsigned long long)ev->swapcache_hits);
	seq_printf(sb, "reclaim_runs %llu\n",
		   (unsigned long long)ev->reclaim_runs);
	seq_printf(sb, "reclaim_failed %llu\n",
		   (unsigned long long)ev->reclaim_failed);
	seq_printf(sb, "reclaim_skipped %llu\n",
		   (unsigned long long)ev->reclaim_skipped);
	seq_printf(sb, "swap_write_errors %llu\n",
		   (unsigned long long)ev->swap_write_errors);
	seq_printf(sb, "swap_read_errors %llu\n",
		   (unsigned long long)ev->swap_read_errors);
	seq_printf(sb, "oom_kill %llu\n", (unsigned long long)ev->oom_kill);
	/* The page cache's part in swapping (Pagoda's own). */
	seq_printf(sb, "nr_shmem_swapped %u\n", sh.swapped);
	seq_printf(sb, "pgsteal_shmem %llu\n",
		   (unsigned long long)ev->pgsteal_shmem);
	seq_printf(sb, "pswpin_shmem %llu\n",
		   (unsigned long long)ev->pswpin_shmem);
}

void procfs_format_vmstat_reclaim(struct seqbuf *sb)
{
	struct vmscan_stats vs;
	vmscan_get_stats(&vs);
	seq_printf(sb, "nr_swapcache %u\n", vs.swapcache);
	seq_printf(sb, "nr_rmap_items %u\n", vs.rmap_items);
	seq_printf(sb, "nr_anon_families %u\n", vs.anon_families);

	for (const struct vm_policy *const *p = vm_policies; *p; p++) {
		const struct vm_policy_stats *ps = vm_policy_stats(*p);
		const char *n = (*p)->name;
		seq_printf(sb, "policy_%s_active %d\n", n,
			   *p == vm_policy_active());
		seq_printf(sb, "policy_%s_tracked %u\n", n,
			   (unsigned int)ps->tracked);
		seq_printf(sb, "policy_%s_chosen %llu\n", n,
			   (unsigned long long)ps->chosen);
		seq_printf(sb, "policy_%s_scanned %llu\n", n,
			   (unsigned long long)ps->scanned);
		seq_printf(sb, "policy_%s_second %llu\n", n,
			   (unsigned long long)ps->second);
		seq_printf(sb, "policy_%s_sampled %llu\n", n,
			   (unsigned long long)ps->sampled);
		if ((*p)->refault)
			seq_printf(sb, "policy_%s_refaults %llu\n", n,
				   (unsigned long long)ps->refaults);
	}
}

const char *procfs_state_name(const struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return "Z (zombie)";
	if (p->jobctl_stopped)
		return "T (stopped)";
	if (p->state == PROC_SLEEPING)
		return "S (sleeping)";
	return "R (running)";
}

/* The masks of ignored and caught signals, as Linux's SigIgn/SigCgt. */
static void signal_masks(const struct proc *p, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int sig = 1; sig < NSIG; sig++) {
		if (p->sig_action[sig].handler == SIG_IGN)
			*ign |= 1ull << (sig - 1);
		else if (p->sig_action[sig].handler != SIG_DFL)
			*cgt |= 1ull << (sig - 1);
	}
}

/* One "VmXxx:\t    1234 kB" line of /proc/PID/status. */
static void status_kb(struct seqbuf *sb, const char *name, uint64_t pages)
{
	seq_printf(sb, "%s\t%8llu kB\n", name,
		   (unsigned long long)pages_kb(pages));
}

/* The parent's process ID; a thread's is its process's parent. */
static int procfs_ppid(const struct proc *p)
{
	const struct proc *leader = p->group_leader ? p->group_leader : p;
	return leader->parent ? leader->parent->tgid : 0;
}

void procfs_format_status(struct seqbuf *sb, const struct proc *p,
			  const struct mm_usage *u)
{
	uint64_t ign, cgt;
	int ppid = procfs_ppid(p);

	seq_printf(sb, "Name:\t%s\n", p->name);
	seq_printf(sb, "State:\t%s\n", procfs_state_name(p));
	seq_printf(sb, "Tgid:\t%d\n", p->tgid);
	seq_printf(sb, "Pid:\t%d\n", p->pid);
	seq_printf(sb, "PPid:\t%d\n", ppid);
	seq_printf(sb, "TracerPid:\t0\n");
	const struct cred *c = &p->cred;
	seq_printf(sb, "Uid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid,
		   c->fsuid);
	seq_printf(sb, "Gid:\t%u\t%u\t%u\t%u\n", c->gid, c->egid, c->sgid,
		   c->fsgid);
	seq_printf(sb, "FDSize:\t%d\n", PROC_MAX_FILES);
	/* Linux ends the list with a space, even an empty one. */
	seq_printf(sb, "Groups:\t");
	for (uint32_t i = 0; i < c->ngroups; i++)
		seq_printf(sb, i ? " %u" : "%u", c->groups[i]);
	seq_printf(sb, " \n");
	/* A zombie has no address space: Linux prints no Vm lines then. */
	if (u) {
		status_kb(sb, "VmSize:", u->vm_size);
		status_kb(sb, "VmLck:", u->vm_lck);
		status_kb(sb, "VmRSS:", u->vm_rss);
		status_kb(sb, "VmData:", u->vm_data);
		status_kb(sb, "VmStk:", u->vm_stk);
		status_kb(sb, "VmExe:", u->vm_exe);
		status_kb(sb, "VmLib:", 0); /* static programs only */
		status_kb(sb, "VmPTE:", u->vm_pte);
		status_kb(sb, "VmSwap:", u->vm_swap);
		/* Pagoda's own: swapped out whole (docs/process-swapping.md). */
		seq_printf(sb, "SwappedOut:\t%s\n",
			   u->swapped_out ? "yes" : "no");
	}
	seq_printf(sb, "Threads:\t%u\n", thread_count(p));
	signal_masks(p, &ign, &cgt);
	/* The thread's own, then the process's (the leader's shared ones). */
	const struct proc *l = p->group_leader ? p->group_leader : p;
	seq_printf(sb, "SigPnd:\t%016llx\n",
		   (unsigned long long)(p->sig_pending & ~p->sig_shared));
	seq_printf(sb, "ShdPnd:\t%016llx\n",
		   (unsigned long long)(l->sig_pending & l->sig_shared));
	seq_printf(sb, "SigBlk:\t%016llx\n",
		   (unsigned long long)p->sig_blocked);
	seq_printf(sb, "SigIgn:\t%016llx\n", (unsigned long long)ign);
	seq_printf(sb, "SigCgt:\t%016llx\n", (unsigned long long)cgt);
}

/* The start and end of the program's text: its first executable region. */
static void code_range(const struct proc *p, uint32_t *start, uint32_t *end)
{
	*start = *end = 0;
	if (!p->mm)
		return;
	struct list_node *n;
	list_for_each(n, &p->mm->vmas) {
		struct vma *v = list_entry(n, struct vma, node);
		if (v->kind == VMA_FILE && (v->prot & MM_PROT_EXEC)) {
			*start = v->start;
			*end = v->end;
			return;
		}
	}
}

/* Timer ticks to USER_HZ clock ticks. */
static unsigned long long user_ticks(uint64_t ticks)
{
	return (unsigned long long)(ticks * USER_HZ / pit_hz());
}

void procfs_format_stat(struct seqbuf *sb, const struct proc *p,
			const struct mm_usage *u)
{
	uint64_t ign, cgt;
	uint32_t start_code, end_code;
	int ppid = procfs_ppid(p);
	char state = procfs_state_name(p)[0];
	uint64_t rsslim = p->rlim[RLIMIT_RSS].cur;

	signal_masks(p, &ign, &cgt);
	code_range(p, &start_code, &end_code);
	/* A process's figures are all its threads'; a thread's its own. */
	struct proc_usage use = { .utime = p->utime,
				  .stime = p->stime,
				  .min_flt = p->min_flt,
				  .maj_flt = p->maj_flt };
	if (thread_is_leader(p))
		thread_group_usage(p, &use);
	/*
	 * The 52 fields of proc(5), in order. Fields Pagoda has no number
	 * for are 0, as Linux prints them when they do not apply (kstkesp,
	 * kstkeip, wchan, nswap, delay accounting, guest time).
	 */
	/* 1-9: pid (comm) state ppid pgrp session tty_nr tpgid flags */
	seq_printf(sb, "%d (%s) %c %d %d %d %d %d 0 ", p->pid, p->name, state,
		   ppid, p->pgid, p->sid, tty_nr_of(p), tty_tpgid_of(p));
	/* 10-17: minflt cminflt majflt cmajflt utime stime cutime cstime */
	seq_printf(sb, "%llu %llu %llu %llu %llu %llu %llu %llu ",
		   (unsigned long long)use.min_flt,
		   (unsigned long long)p->cmin_flt,
		   (unsigned long long)use.maj_flt,
		   (unsigned long long)p->cmaj_flt, user_ticks(use.utime),
		   user_ticks(use.stime), user_ticks(p->cutime),
		   user_ticks(p->cstime));
	/* 18-25: priority nice num_threads itrealvalue starttime vsize rss
	 * rsslim (bytes; "unlimited" is ULONG_MAX) */
	seq_printf(sb, "20 0 %u 0 %llu %llu %u %u ", thread_count(p),
		   user_ticks(p->start_ticks),
		   u ? (unsigned long long)u->vm_size * PAGE_SIZE : 0ull,
		   u ? u->vm_rss : 0,
		   rsslim >= ULONG_MAX_32 ? ULONG_MAX_32 : (uint32_t)rsslim);
	/*
	 * 26-30: startcode endcode startstack kstkesp kstkeip. A reader who
	 * may not look into the process's memory sees 1 1 0 (Linux's
	 * do_task_stat: 1 says "there is code" without saying where).
	 */
	bool shown = procfs_may_read_mm_of(p);
	if (!shown && p->mm)
		start_code = end_code = 1;
	seq_printf(sb, "%u %u %u 0 0 ", start_code, end_code,
		   p->mm && shown ? (uint32_t)p->mm->stack_top : 0);
	/* 31-34: signal blocked sigignore sigcatch (decimal, low 32 bits) */
	seq_printf(sb, "%u %u %u %u ", (uint32_t)p->sig_pending,
		   (uint32_t)p->sig_blocked, (uint32_t)ign, (uint32_t)cgt);
	/* 35-41: wchan nswap cnswap exit_signal processor rt_priority policy */
	seq_printf(sb, "0 0 0 %d 0 0 0 ", p->exit_signal);
	/* 42-44: delayacct_blkio_ticks guest_time cguest_time */
	seq_printf(sb, "0 0 0 ");
	/* 45-51: start_data end_data start_brk arg_start arg_end env_start
	 * env_end */
	bool addr = shown && p->mm; /* else zeros, as Linux prints */
	seq_printf(sb, "0 0 %u %u %u %u %u ",
		   addr ? (uint32_t)p->mm->brk_start : 0,
		   addr ? (uint32_t)p->arg_start : 0,
		   addr ? (uint32_t)p->arg_end : 0,
		   addr ? (uint32_t)p->env_start : 0,
		   addr ? (uint32_t)p->env_end : 0);
	/* 52: exit_code (also hidden from such a reader) */
	seq_printf(sb, "%d\n",
		   shown && p->state == PROC_ZOMBIE ? p->exit_status : 0);
}

void procfs_format_statm(struct seqbuf *sb, const struct proc *p,
			 const struct mm_usage *u)
{
	uint32_t start_code, end_code;
	code_range(p, &start_code, &end_code);
	if (!u) {
		/* A zombie: Linux prints seven zeros. */
		seq_printf(sb, "0 0 0 0 0 0 0\n");
		return;
	}
	/* size resident shared text lib data dt (lib and dt: always 0) */
	seq_printf(sb, "%u %u %u %u 0 %u 0\n", u->vm_size, u->vm_rss,
		   u->rss_shared, (end_code - start_code) / PAGE_SIZE,
		   u->vm_data + u->vm_stk);
}

/* One "cpu" line: the ten times of proc(5), in order. */
static void cpu_line(struct seqbuf *sb, const char *name,
		     const struct procfs_stat *st)
{
	seq_printf(sb, "%s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
		   name, (unsigned long long)st->user,
		   (unsigned long long)st->nice, (unsigned long long)st->system,
		   (unsigned long long)st->idle, (unsigned long long)st->iowait,
		   (unsigned long long)st->irq, (unsigned long long)st->softirq,
		   (unsigned long long)st->steal, (unsigned long long)st->guest,
		   (unsigned long long)st->guest_nice);
}

/* Softirq kinds Linux counts (include/linux/interrupt.h, NR_SOFTIRQS). */
#define NR_SOFTIRQS 10

void procfs_format_cpu_stat(struct seqbuf *sb, const struct procfs_stat *st)
{
	/* One CPU: the total ("cpu " and a space, as Linux) and cpu0. */
	cpu_line(sb, "cpu ", st);
	cpu_line(sb, "cpu0", st);
	seq_printf(sb, "intr %llu", (unsigned long long)st->intr_total);
	for (unsigned int i = 0; i < st->nirqs; i++)
		seq_printf(sb, " %llu", (unsigned long long)st->irqs[i]);
	seq_printf(sb, "\nctxt %llu\n", (unsigned long long)st->ctxt);
	seq_printf(sb, "btime %lld\n", (long long)st->btime);
	seq_printf(sb, "processes %llu\n", (unsigned long long)st->processes);
	seq_printf(sb, "procs_running %u\n", st->procs_running);
	seq_printf(sb, "procs_blocked %u\n", st->procs_blocked);
	/* Pagoda has no softirqs: the total and each kind are 0. */
	seq_printf(sb, "softirq 0");
	for (int i = 0; i < NR_SOFTIRQS; i++)
		seq_printf(sb, " 0");
	seq_printf(sb, "\n");
}

void procfs_format_loadavg(struct seqbuf *sb, const uint32_t avg[3],
			   unsigned int running, unsigned int total,
			   int last_pid)
{
	for (int i = 0; i < 3; i++)
		seq_printf(sb, "%u.%02u ", loadavg_int(avg[i]),
			   loadavg_frac(avg[i]));
	seq_printf(sb, "%u/%u %d\n", running, total, last_pid);
}

/* The column /proc/swaps pads the path to (Linux's swap_show()). */
#define SWAPS_NAME_COLUMN 40
/* Sizes below this get a second tab, to keep the columns. */
#define SWAPS_WIDE 10000000u

void procfs_format_swaps(struct seqbuf *sb, const char *path, uint32_t size_kb,
			 uint32_t used_kb, int prio)
{
	seq_printf(sb, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (path)
		procfs_format_swap_line(sb, path, size_kb, used_kb, prio);
}

void procfs_format_swap_line(struct seqbuf *sb, const char *path,
			     uint32_t size_kb, uint32_t used_kb, int prio)
{
	int len = (int)strlen(path);
	/* Every area is a block device: "partition", never "file". */
	seq_printf(sb, "%s%*s%s\t%u\t%s%u\t%s%d\n", path,
		   len < SWAPS_NAME_COLUMN ? SWAPS_NAME_COLUMN - len : 1, " ",
		   "partition", size_kb, size_kb < SWAPS_WIDE ? "\t" : "",
		   used_kb, used_kb < SWAPS_WIDE ? "\t" : "", prio);
}

void procfs_format_uptime(struct seqbuf *sb, uint64_t up_ms, uint64_t idle_ms)
{
	seq_printf(sb, "%llu.%02llu %llu.%02llu\n",
		   (unsigned long long)(up_ms / 1000),
		   (unsigned long long)(up_ms % 1000 / 10),
		   (unsigned long long)(idle_ms / 1000),
		   (unsigned long long)(idle_ms % 1000 / 10));
}

int procfs_parse_pid(const char *name, size_t len)
{
	int pid = 0;
	if (len == 0 || len > 9 || name[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pid = pid * 10 + (name[i] - '0');
	}
	return pid < PROC_MAX_PIDS ? pid : -1;
}
