/*
 * mm/trace.c - the memory manager's event trace (see mm/trace.h).
 *
 * The ring is an array of `size` records, allocated from the frame
 * allocator the first time tracing is turned on and kept from then on.
 * Records are numbered by a 64-bit sequence number that only grows:
 * record seq lives at ring[seq % size]. The records kept are those
 * numbered [first, written); writing one more when the ring is full moves
 * `first` on and counts the overwritten record as dropped.
 *
 * Invariants: first <= written; written - first <= size.
 */
#include "mm/trace.h"

#include "libk/errno.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/pmm.h"
#include "mm/port.h"

/*
 * The ring's default size: 2^MM_TRACE_ORDER pages (256 KiB, 7281 records
 * in the kernel), or the largest block there is on a machine too small
 * or too fragmented for it. mm_trace_set_size() (trace.buf=) changes it.
 */
#define MM_TRACE_ORDER 6
#define MM_TRACE_MAX_ORDER 10

bool mm_trace_on;

static struct {
	struct mm_trace_event *ring;
	uint32_t size;     /* records the ring holds */
	uint32_t order;    /* its block's order */
	uint64_t written;  /* the next record's sequence number */
	uint64_t first;    /* the oldest record kept */
	uint64_t dropped;  /* overwritten before being read */
	int32_t pid;       /* the filter, 0: none */
	uint32_t want_order; /* the ring's order, when it is allocated */
} trace = { .want_order = MM_TRACE_ORDER };

static const char *const type_names[MM_TRACE_NTYPES] = {
	[MM_TRACE_FAULT] = "fault", [MM_TRACE_EVICT] = "evict",
	[MM_TRACE_SWAP] = "swap",   [MM_TRACE_OOM] = "oom",
	[MM_TRACE_SHM] = "shm",
};

static const char *const kind_names[MM_TRACE_NKINDS] = {
	[MM_TRACE_ZERO] = "zero",
	[MM_TRACE_FILE] = "file",
	[MM_TRACE_SHM_PAGE] = "shm",
	[MM_TRACE_COW_COPY] = "cow-copy",
	[MM_TRACE_COW_REUSE] = "cow-reuse",
	[MM_TRACE_SHARED_WRITE] = "shared-write",
	[MM_TRACE_SWAP_IN] = "swap-in",
	[MM_TRACE_SWAP_CACHE] = "swap-cache",
	[MM_TRACE_STACK] = "stack",
	[MM_TRACE_SEGV] = "segv",
	[MM_TRACE_BUS] = "bus",
	[MM_TRACE_CLEAN] = "clean",
	[MM_TRACE_WRITTEN] = "written",
	[MM_TRACE_ALLOC] = "alloc",
	[MM_TRACE_FREE] = "free",
	[MM_TRACE_KILL] = "kill",
	[MM_TRACE_ATTACH] = "attach",
	[MM_TRACE_DETACH] = "detach",
};

/* Each name ends where its column's values end (or starts, for text). */
const char mm_trace_header[] =
	"#         TIME   PID EVENT KIND            ADDRESS     PFN   SLOT "
	"INFO\n";

const char *mm_trace_type_name(enum mm_trace_type type)
{
	return (unsigned int)type < MM_TRACE_NTYPES ? type_names[type] : "?";
}

const char *mm_trace_kind_name(enum mm_trace_kind kind)
{
	return (unsigned int)kind < MM_TRACE_NKINDS ? kind_names[kind] : "?";
}

/*
 * Stand-in where nothing says which process runs (the host tests); the
 * kernel provides its own (kernel/proc/proc.c).
 */
__attribute__((weak)) int32_t mm_trace_current_pid(void)
{
	return 0;
}

void mm_trace_record(enum mm_trace_type type, enum mm_trace_kind kind,
		     int32_t pid, vaddr_t va, const struct page *pg,
		     uint32_t slot, uint32_t arg, const char *note)
{
	if (!mm_trace_on || (trace.pid && pid != trace.pid))
		return;
	bool irq = port_irq_save();
	if (trace.written - trace.first == trace.size) {
		trace.first++;
		trace.dropped++;
	}
	struct mm_trace_event *e = &trace.ring[trace.written % trace.size];
	e->time = port_timestamp();
	e->pid = pid;
	e->va = va;
	e->pfn = pg ? (uint32_t)(page_to_phys(pg) >> PAGE_SHIFT)
		    : MM_TRACE_NONE;
	e->slot = slot;
	e->arg = arg;
	e->note = note;
	e->type = (uint8_t)type;
	e->kind = (uint8_t)kind;
	trace.written++;
	port_irq_restore(irq);
}

/* Allocates the ring: the largest block up to MM_TRACE_ORDER there is. */
static int alloc_ring(void)
{
	for (int order = (int)trace.want_order; order >= 0; order--) {
		struct page *pg = alloc_pages((unsigned int)order, 0);
		if (!pg)
			continue;
		trace.ring = page_address(pg);
		trace.order = (uint32_t)order;
		trace.size = (uint32_t)((PAGE_SIZE << order) /
					sizeof(struct mm_trace_event));
		return 0;
	}
	return -ENOMEM;
}

int mm_trace_set_on(bool on)
{
	if (on && !trace.ring && alloc_ring() < 0)
		return -ENOMEM;
	mm_trace_on = on;
	return 0;
}

int mm_trace_set_size(uint64_t bytes)
{
	uint32_t order = 0;

	if (trace.ring)
		return -EBUSY;
	while (order < MM_TRACE_MAX_ORDER && (PAGE_SIZE << order) < bytes)
		order++;
	trace.want_order = order;
	return 0;
}

void mm_trace_set_pid(int32_t pid)
{
	trace.pid = pid > 0 ? pid : 0;
}

void mm_trace_clear(void)
{
	bool irq = port_irq_save();
	/* Numbering starts again: the counts in the header are since now. */
	trace.first = trace.written = 0;
	trace.dropped = 0;
	port_irq_restore(irq);
}

bool mm_trace_get(uint64_t seq, struct mm_trace_event *out)
{
	bool irq = port_irq_save();
	bool kept = seq >= trace.first && seq < trace.written;
	if (kept)
		*out = trace.ring[seq % trace.size];
	port_irq_restore(irq);
	return kept;
}

void mm_trace_consume(uint64_t seq)
{
	bool irq = port_irq_save();
	if (seq > trace.written)
		seq = trace.written;
	if (seq > trace.first)
		trace.first = seq;
	port_irq_restore(irq);
}

void mm_trace_get_stats(struct mm_trace_stats *st)
{
	bool irq = port_irq_save();
	st->on = mm_trace_on;
	st->pid = trace.pid;
	st->size = trace.size;
	st->written = trace.written;
	st->first = trace.first;
	st->dropped = trace.dropped;
	port_irq_restore(irq);
}

/* A frame or slot number for the text: the number, or "-". */
static void format_number(char *buf, size_t size, const char *fmt,
			  uint32_t v)
{
	if (v == MM_TRACE_NONE)
		strlcpy(buf, "-", size);
	else
		snprintf(buf, size, fmt, (unsigned int)v);
}

int mm_trace_format(const struct mm_trace_event *e, char *buf, size_t size)
{
	char va[16], pfn[16], slot[16], info[24];

	/* Swap slots and OOM kills have no address. */
	if (e->type == MM_TRACE_SWAP || e->type == MM_TRACE_OOM)
		strlcpy(va, "-", sizeof(va));
	else
		snprintf(va, sizeof(va), "0x%08x", (unsigned int)e->va);
	format_number(pfn, sizeof(pfn), "0x%05x", e->pfn);
	format_number(slot, sizeof(slot), "%u", e->slot);
	if (e->type == MM_TRACE_SHM)
		snprintf(info, sizeof(info), "id=%u", (unsigned int)e->arg);
	else
		strlcpy(info, e->note ? e->note : "-", sizeof(info));
	return snprintf(buf, size, "%14llu %5d %-5s %-12s %10s %7s %6s %s\n",
			(unsigned long long)e->time, (int)e->pid,
			mm_trace_type_name((enum mm_trace_type)e->type),
			mm_trace_kind_name((enum mm_trace_kind)e->kind), va,
			pfn, slot, info);
}
