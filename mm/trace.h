/*
 * mm/trace.h - the memory manager's event trace: a ring buffer of what
 * happened, one record per event, read as text from /proc/pagoda/trace.
 *
 * Events and their kinds (the KIND column of the text, see
 * docs/tracing.md):
 *
 *   fault   zero, file, shm, cow-copy, cow-reuse, shared-write, swap-in,
 *           swap-cache, stack, segv, bus
 *   evict   clean (its slot already held it), written (to a new slot);
 *           INFO names the policy that chose it, or "local" (RLIMIT_RSS)
 *   swap    alloc, free (a slot)
 *   oom     kill (PID is the victim)
 *   shm     attach, detach (INFO is the segment's id)
 *
 * Each record has a time (port_timestamp(): the time-stamp counter, which
 * counts guest instructions under QEMU -icount), the process, the user
 * address, the frame and the swap slot where they apply.
 *
 * Cost when off: every hook is an inline test of one global flag
 * (mm_trace_on); the record and its arguments are only looked at when it
 * is set. A pid filter drops other processes' events when they happen.
 * When the ring is full the oldest record is overwritten and counted as
 * dropped, as Linux's ring buffer does in its default (overwrite) mode.
 *
 * Locking: a record is written with interrupts off (port_irq_save), so a
 * reader in a system call and a writer in an interrupt never interleave.
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"

struct mm;
struct page;

/* The events (EVENT column). */
enum mm_trace_type {
	MM_TRACE_FAULT,
	MM_TRACE_EVICT,
	MM_TRACE_SWAP,
	MM_TRACE_OOM,
	MM_TRACE_SHM,
	MM_TRACE_NTYPES,
};

/* The kinds of each event (KIND column). */
enum mm_trace_kind {
	MM_TRACE_ZERO,         /* fault: a zeroed frame (demand-zero) */
	MM_TRACE_FILE,         /* fault: a frame loaded from the file */
	MM_TRACE_SHM_PAGE,     /* fault: a shared memory object's frame */
	MM_TRACE_COW_COPY,     /* fault: a write to a shared page: a copy */
	MM_TRACE_COW_REUSE,    /* fault: ... the last mapper keeps it */
	MM_TRACE_SHARED_WRITE, /* fault: first write to a shared mapping */
	MM_TRACE_SWAP_IN,      /* fault: the page read back from swap */
	MM_TRACE_SWAP_CACHE,   /* fault: ... found in the swap cache */
	MM_TRACE_STACK,        /* fault: the stack grew to a new page */
	MM_TRACE_SEGV,         /* fault: none of the above: SIGSEGV */
	MM_TRACE_BUS,          /* fault: beyond the file, or I/O: SIGBUS */
	MM_TRACE_CLEAN,        /* evict: the swap slot held it already */
	MM_TRACE_WRITTEN,      /* evict: written to a new swap slot */
	MM_TRACE_ALLOC,        /* swap: a slot taken */
	MM_TRACE_FREE,         /* swap: a slot's last reference gone */
	MM_TRACE_KILL,         /* oom: a victim chosen */
	MM_TRACE_ATTACH,       /* shm: shmat */
	MM_TRACE_DETACH,       /* shm: shmdt */
	MM_TRACE_NKINDS,
};

/* "No frame" and "no slot" in a record (printed as "-"). */
#define MM_TRACE_NONE UINT32_MAX

/* One event. */
struct mm_trace_event {
	uint64_t time;    /* port_timestamp() when it happened */
	int32_t pid;      /* the process (0: none, the kernel) */
	vaddr_t va;       /* the user address (a page's first byte) */
	uint32_t pfn;     /* the frame, or MM_TRACE_NONE */
	uint32_t slot;    /* the swap slot, or MM_TRACE_NONE */
	uint32_t arg;     /* shm: the segment's id */
	const char *note; /* evict: the policy's name ("local"); or NULL */
	uint8_t type;     /* enum mm_trace_type */
	uint8_t kind;     /* enum mm_trace_kind */
};

/* The state of the trace, for the header of the text. */
struct mm_trace_stats {
	bool on;          /* recording */
	int32_t pid;      /* only this process's events; 0: everyone's */
	uint32_t size;    /* records the ring holds (0 until first on) */
	uint64_t written; /* records ever written (the next sequence number) */
	uint64_t first;   /* sequence number of the oldest record kept */
	uint64_t dropped; /* records overwritten before they were read */
};

/* Set while recording: the hooks below test only this. */
extern bool mm_trace_on;

/*
 * Records one event (the hooks' slow path). Cold: the compiler moves the
 * calls out of the fault paths' straight line.
 */
__attribute__((cold)) void mm_trace_record(enum mm_trace_type type, enum mm_trace_kind kind,
		     int32_t pid, vaddr_t va, const struct page *pg,
		     uint32_t slot, uint32_t arg, const char *note);

/*
 * The process running now, for events not tied to an address space
 * (swap slots). The kernel provides it; elsewhere it is 0.
 */
int32_t mm_trace_current_pid(void);

/*
 * Starts (on true) or stops recording. The ring is allocated the first
 * time; returns -ENOMEM if it cannot be, 0 otherwise.
 */
int mm_trace_set_on(bool on);

/*
 * Sets the ring's size, rounded up to a power-of-two number of pages (at
 * most 4 MiB), before tracing is first turned on; -EBUSY afterwards.
 */
int mm_trace_set_size(uint64_t bytes);

/* Keeps only process pid's events from now on (0: every process's). */
void mm_trace_set_pid(int32_t pid);

/* Empties the ring and zeroes the dropped count. */
void mm_trace_clear(void);

/* Copies the record with sequence number seq; false if it is gone. */
bool mm_trace_get(uint64_t seq, struct mm_trace_event *out);

/* Forgets the records before sequence number seq (a consuming read). */
void mm_trace_consume(uint64_t seq);

void mm_trace_get_stats(struct mm_trace_stats *st);

/*
 * Formats one record as a line of text (see docs/tracing.md), newline
 * included; returns its length, as snprintf does.
 */
int mm_trace_format(const struct mm_trace_event *e, char *buf, size_t size);

/* The column header line, newline included. */
extern const char mm_trace_header[];

/* The names of the EVENT and KIND columns. */
const char *mm_trace_type_name(enum mm_trace_type type);
const char *mm_trace_kind_name(enum mm_trace_kind kind);

/* --- the hooks ---------------------------------------------------------- */

/* A fault of process pid at va (of mm, or NULL), resolved with frame pg. */
static inline void trace_fault(enum mm_trace_kind kind, int32_t pid,
			       vaddr_t va, const struct page *pg,
			       uint32_t slot)
{
	if (__builtin_expect(mm_trace_on, 0))
		mm_trace_record(MM_TRACE_FAULT, kind, pid, va, pg, slot, 0,
				NULL);
}

/* The eviction of frame pg from va of process pid, to slot. */
static inline void trace_evict(enum mm_trace_kind kind, int32_t pid,
			       vaddr_t va, const struct page *pg,
			       uint32_t slot, const char *why)
{
	if (__builtin_expect(mm_trace_on, 0))
		mm_trace_record(MM_TRACE_EVICT, kind, pid, va, pg, slot, 0,
				why);
}

/* A swap slot taken or freed, by whichever process runs now. */
static inline void trace_swap_slot(enum mm_trace_kind kind, uint32_t slot)
{
	if (__builtin_expect(mm_trace_on, 0))
		mm_trace_record(MM_TRACE_SWAP, kind, mm_trace_current_pid(), 0,
				NULL, slot, 0, NULL);
}

/* The OOM killer chose process pid. */
static inline void trace_oom_kill(int32_t pid)
{
	if (__builtin_expect(mm_trace_on, 0))
		mm_trace_record(MM_TRACE_OOM, MM_TRACE_KILL, pid, 0, NULL,
				MM_TRACE_NONE, 0, NULL);
}

/* Segment id attached at, or detached from, va of process pid. */
static inline void trace_shm(enum mm_trace_kind kind, int32_t pid,
			     vaddr_t va, int id)
{
	if (__builtin_expect(mm_trace_on, 0))
		mm_trace_record(MM_TRACE_SHM, kind, pid, va, NULL,
				MM_TRACE_NONE, (uint32_t)id, NULL);
}

#endif
