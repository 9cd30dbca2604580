/*
 * fs/procfs.h - /proc: text views of the kernel's state.
 *
 * Every /proc file is generated whole when it is read at offset 0, into a
 * buffer owned by the open file (a snapshot), and reads further on take
 * bytes from that snapshot at the file offset. So a program that reads a
 * file in small pieces sees one consistent state, and reading from offset
 * 0 again (after seeking back, or with pread, as with Linux's seq_file)
 * sees a newer one.
 *
 * The formatting functions take their data as arguments, so tests can feed
 * them synthetic numbers and compare the text with Linux's layout.
 */
#ifndef KERNEL_PROCFS_H
#define KERNEL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mm.h"
#include "mm/pmm.h"

struct proc;

/* A text buffer being filled; stops (and says so) when full. */
struct seqbuf {
	char *buf;
	size_t size;   /* bytes in buf */
	size_t len;    /* bytes written, always < size */
	bool overflow; /* something did not fit */
};

/* Appends formatted text. */
__attribute__((format(printf, 2, 3))) void seq_printf(struct seqbuf *sb,
						      const char *fmt, ...);

/* What /proc/meminfo shows, in kB. */
struct procfs_meminfo {
	uint64_t total;	       /* MemTotal: frames the allocator manages */
	uint64_t free;	       /* MemFree */
	uint64_t available;    /* MemAvailable: free (nothing is reclaimable) */
	uint64_t swap_cached;  /* SwapCached: resident pages also in swap */
	uint64_t swap_total;   /* SwapTotal */
	uint64_t swap_free;    /* SwapFree */
	uint64_t cached;       /* Cached: page-cache pages (tmpfs, shm) not
				  counted in SwapCached */
	uint64_t shmem;	       /* Shmem: resident pages of shm objects and
				  tmpfs files */
	uint64_t mapped;       /* Mapped: of those, mapped by a process */
	uint64_t slab;	       /* Slab: kernel heap pages (all unreclaimable) */
	uint64_t kernel_stack; /* KernelStack */
	uint64_t page_tables;  /* PageTables */
	uint64_t vmalloc_total; /* VmallocTotal: the dynamic kernel area */
	uint64_t vmalloc_used;	/* VmallocUsed */
	uint64_t user;		/* UserPages (Pagoda): frames of user memory */
	uint64_t kernel;	/* KernelPages (Pagoda): frames of the kernel */
	/* As a 32-bit Linux with highmem: the two zones' shares. */
	uint64_t high_total;	/* HighTotal: frames of the highmem zone */
	uint64_t high_free;	/* HighFree */
	uint64_t low_total;	/* LowTotal: MemTotal - HighTotal */
	uint64_t low_free;	/* LowFree: MemFree - HighFree */
};

/* Gathers the numbers from the allocators and the process list. */
void procfs_meminfo_collect(struct procfs_meminfo *m);
void procfs_format_meminfo(struct seqbuf *sb, const struct procfs_meminfo *m);

/* /proc/vmstat from frame counters and the fault counters. */
void procfs_format_vmstat(struct seqbuf *sb, const struct pmm_stats *st,
			  const struct vm_events *ev, uint32_t slab_pages);

/*
 * The reclaimer's part of /proc/vmstat: the swap cache and reverse map
 * sizes, which policy is active (policy_NAME_active 1) and each policy's
 * counters.
 */
void procfs_format_vmstat_reclaim(struct seqbuf *sb);

/* /proc/PID/status from a process and its address-space usage (u: pages). */
void procfs_format_status(struct seqbuf *sb, const struct proc *p,
			  const struct mm_usage *u);

/* /proc/PID/stat (the fields ps reads; see docs/files.md). */
void procfs_format_stat(struct seqbuf *sb, const struct proc *p,
			const struct mm_usage *u);

/* /proc/PID/statm: sizes in pages (see docs/files.md). */
void procfs_format_statm(struct seqbuf *sb, const struct proc *p,
			 const struct mm_usage *u);

/* What /proc/stat shows; times in USER_HZ ticks. */
struct procfs_stat {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
	uint64_t guest, guest_nice;
	uint64_t intr_total;
	const uint64_t *irqs; /* per PIC line */
	unsigned int nirqs;
	uint64_t ctxt;
	int64_t btime; /* boot time, seconds since the epoch */
	uint64_t processes;
	unsigned int procs_running, procs_blocked;
};
void procfs_format_cpu_stat(struct seqbuf *sb, const struct procfs_stat *st);

/* /proc/loadavg from the fixed-point averages and the process counts. */
void procfs_format_loadavg(struct seqbuf *sb, const uint32_t avg[3],
			   unsigned int running, unsigned int total,
			   int last_pid);

/*
 * /proc/swaps: the header, and a line for the area if there is one (path
 * NULL: none); sizes in kB.
 */
/* One more area's line of /proc/swaps. */
void procfs_format_swap_line(struct seqbuf *sb, const char *path,
			     uint32_t size_kb, uint32_t used_kb, int prio);
void procfs_format_swaps(struct seqbuf *sb, const char *path,
			 uint32_t size_kb, uint32_t used_kb, int prio);

/* /proc/uptime: seconds up and seconds idle, both with two decimals. */
void procfs_format_uptime(struct seqbuf *sb, uint64_t up_ms, uint64_t idle_ms);

/* The state letter and word of a process, as Linux prints them. */
const char *procfs_state_name(const struct proc *p);

/*
 * Parses a /proc directory name as a PID: decimal digits only, no leading
 * zero, > 0 and < PROC_MAX_PIDS. Returns the PID or -1.
 */
int procfs_parse_pid(const char *name, size_t len);

/*
 * /proc/pagoda (fs/procfs_trace.c): the memory manager's event
 * trace and its switches. A write returns n or -errno.
 */
struct file;
int procfs_open_trace(struct file *f);
int procfs_open_trace_pipe(struct file *f);
void procfs_show_tracing_on(struct proc *p, struct seqbuf *sb);
int procfs_write_tracing_on(const char *buf, size_t n);
void procfs_show_trace_pid(struct proc *p, struct seqbuf *sb);
int procfs_write_trace_pid(const char *buf, size_t n);

/*
 * The page-inspection files (fs/procfs_pagemap.c): pagemap,
 * kpageflags, kpagecount, pagoda/kpageorder (read in 8-byte entries) and
 * slabinfo.
 */
struct kmem_cache_stats;
int procfs_open_pagemap(struct file *f);
int procfs_open_kpageflags(struct file *f);
int procfs_open_kpagecount(struct file *f);
int procfs_open_kpageorder(struct file *f);
void procfs_show_slabinfo(struct proc *p, struct seqbuf *sb);
void procfs_format_slabinfo_header(struct seqbuf *sb);
void procfs_format_slabinfo_line(struct seqbuf *sb,
				 const struct kmem_cache_stats *st);

/*
 * Users (fs/permission.c): the owner of /proc/PID's files, and whether the
 * caller may open the files showing pid's memory (0 or -EACCES).
 */
void procfs_owner(int pid, uint32_t *uid, uint32_t *gid);
int procfs_may_read_mm(int pid);
/* The same rule for a process in hand: true if allowed. */
bool procfs_may_read_mm_of(const struct proc *p);

/*
 * Compaction (fs/procfs_compact.c): its /proc/vmstat lines,
 * /proc/pagoda/extfrag and /proc/sys/vm/compact_memory.
 */
void procfs_format_vmstat_compact(struct seqbuf *sb);
void procfs_show_extfrag(struct proc *p, struct seqbuf *sb);
int procfs_write_compact_memory(const char *buf, size_t n);

#endif
