/*
 * mm/mm.h - a process's address space: its page tables and its regions.
 *
 * A region (struct vma) is a page-aligned range [start, end) of user
 * addresses with one protection and one kind of backing. The regions of an
 * address space are kept sorted and never overlap. Pages are not mapped
 * when a region is created: the first access faults, and mm_fault() fills
 * in the page (demand-zero, demand-load from a file image, copy-on-write,
 * stack growth, swap-in of an evicted page: docs/swap.md). Everything
 * else that faults is the program's error.
 *
 * User layout (docs/memory-layout.md):
 *
 *   0xC0000000  KERNEL_VMA
 *               stack (VMA_STACK, grows down to the stack limit)
 *               guard gap (MM_STACK_GAP)
 *   mmap_base   mmap area, allocated top-down
 *               ...
 *   brk         heap (VMA_HEAP), grows up from brk_start
 *   brk_start   end of the program's last segment
 *   0x08048000  program text and data (VMA_FILE)
 *   0x00000000  page 0 never mapped
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libk/list.h"
#include "mm/types.h"
#include "mm/vm.h"

/* Protection, as Linux's PROT_* values (include/uapi/asm-generic/mman-common.h). */
#define MM_PROT_READ 0x1
#define MM_PROT_WRITE 0x2
#define MM_PROT_EXEC 0x4
#define MM_PROT_MASK 0x7

/* Region flags. */
#define VMA_SHARED (1u << 0)     /* writes are seen by every mapper */
#define VMA_GROWSDOWN (1u << 1)  /* the stack: may extend downwards */
#define VMA_LOCKED (1u << 2)     /* mlock: pages stay resident, never
				    evicted */
#define VMA_MAYWRITE (1u << 3)   /* PROT_WRITE may be given (Linux's
				    VM_MAYWRITE); without it, mprotect
				    adding it is -EACCES */

enum vma_kind {
	VMA_ANON,   /* private anonymous memory (mmap, bss) */
	VMA_FILE,   /* private mapping of an in-memory file image */
	VMA_HEAP,   /* the brk heap ([heap] in maps) */
	VMA_STACK,  /* the main stack ([stack] in maps) */
	VMA_SHM,    /* shared pages: MAP_SHARED|MAP_ANONYMOUS or SysV shm */
};

struct anon_family;
struct shm_object;

/*
 * What a VMA_FILE region maps: bytes of a file image held in memory. A
 * page within filesz holds the file's bytes and zeros after the file's
 * end; a page within filesz but wholly past the end of the file is an
 * error (MM_FAULT_BUS, as mapping beyond the end of a file is on Linux).
 *
 * The offset is 64-bit, like Linux's file offsets: mmap2 gives it in
 * pages, and a 32-bit page number times 4096 reaches 2^44. Files held in
 * memory are smaller than 4 GiB, so every page of a mapping at such an
 * offset is beyond the end of its file.
 */
struct vma_file {
	const uint8_t *data;   /* the whole file */
	uint32_t size;         /* its size */
	uint64_t offset;       /* file offset mapped at the region's start */
	uint32_t filesz;       /* bytes from offset that come from the file;
				  the rest of the region reads as zeros */
	const char *path;      /* for /proc/PID/maps */
	uint32_t ino;          /* for /proc/PID/maps */
	uint32_t dev;          /* for /proc/PID/maps: major << 8 | minor */
	/*
	 * A tmpfs file: its page cache (mm/filemap.h), which the region
	 * holds a reference on; data is then NULL, and size is read from
	 * the cache at each fault, since the file may change size.
	 */
	struct shm_object *cache;
};

struct vma {
	vaddr_t start, end;        /* page aligned, start < end */
	uint32_t prot;             /* MM_PROT_* */
	uint32_t flags;            /* VMA_SHARED, VMA_GROWSDOWN */
	enum vma_kind kind;
	struct vma_file file;      /* VMA_FILE */
	struct shm_object *shm;    /* VMA_SHM: the shared pages */
	uint32_t shm_pgoff;        /* VMA_SHM: page index of start in shm */
	struct list_node node;     /* in mm->vmas, sorted by start */
	struct mm *mm;             /* the address space it belongs to */
	/*
	 * Private regions: the anonymous family their pages belong to
	 * (mm/rmap.h), NULL until the first page comes in; the page at va
	 * has index (va >> PAGE_SHIFT) + anon_delta (modulo 2^32) there,
	 * which splitting, merging, growing and moving keep.
	 */
	struct anon_family *family;
	struct list_node family_node; /* in family->vmas */
	uint32_t anon_delta;
};

/* Per-address-space statistics (/proc/PID/status). */
struct mm_usage {
	uint32_t vm_size;    /* pages in all regions */
	uint32_t vm_rss;     /* resident pages */
	uint32_t vm_data;    /* pages of private writable non-stack regions */
	uint32_t vm_stk;     /* pages of the stack region */
	uint32_t vm_exe;     /* pages of file-backed executable regions */
	uint32_t vm_swap;    /* pages in swap (swap entries of this space) */
	uint32_t vm_lck;     /* pages of locked regions (mlock) */
	uint32_t vm_pte;     /* user page tables resident (VmPTE) */
	bool swapped_out;    /* swapped out as a whole (mm/procswap.h) */
	uint32_t rss_shared; /* resident pages of file and shared regions
				(statm's "shared", Linux's RssFile +
				RssShmem) */
};

/*
 * The fewest resident pages a process is left by local replacement
 * (RLIMIT_RSS), whatever its limit: the most user pages one i386
 * instruction can need at once, so that every instruction can complete.
 * An instruction may straddle two pages of code, and read and write an
 * operand that each straddle two pages: movs from one unaligned word to
 * another, push or pop of a memory operand (the stack being the other),
 * call through a memory pointer (Intel SDM vol. 1, 7.3: at most two
 * explicit memory operands, one of them the stack for push, pop and
 * call). 2 + 2 + 2 = 6.
 */
#define MM_RSS_MIN_PAGES 6u

struct ldt;

struct mm {
	struct vm_space space;     /* the page directory */
	struct list_node vmas;     /* struct vma, sorted by start */
	vaddr_t brk_start;         /* the heap's first byte */
	vaddr_t brk;               /* the current break */
	vaddr_t stack_top;         /* top of the main stack */
	vaddr_t mmap_base;         /* mmap allocates below this */
	uint64_t limit_stack;      /* RLIMIT_STACK, bytes */
	uint64_t limit_as;         /* RLIMIT_AS, bytes */
	uint64_t limit_data;       /* RLIMIT_DATA, bytes */
	uint64_t limit_rss;        /* RLIMIT_RSS, bytes (local replacement);
				      set with mm_set_limit_rss() */
	bool rss_limited;          /* limit_rss is not UINT64_MAX: one test
				      on the fault path instead of a 64-bit
				      compare */
	uint32_t rss;              /* resident user pages */
	uint32_t rss_peak;         /* the most rss has been (VmHWM,
				      ru_maxrss) */
	uint32_t swap_pages;       /* swap entries in the page tables */
	vaddr_t rss_hand;          /* local replacement's clock hand */
	/*
	 * The pages the last faults brought in (a ring, oldest at
	 * rss_recent_next): local replacement never takes them, so that an
	 * instruction restarted after its fault still finds the pages its
	 * earlier faults brought in. With MM_RSS_MIN_PAGES - 1 of them, an
	 * instruction needing MM_RSS_MIN_PAGES pages completes after at most
	 * that many faults.
	 */
	vaddr_t rss_recent[MM_RSS_MIN_PAGES - 1];
	uint32_t rss_recent_next;
	int32_t trace_pid;         /* the owning process's id, for the event
				      trace (mm/trace.h); set by its owner */
	vaddr_t stack_grown;       /* the page the last stack growth added
				      (the trace calls its fault "stack") */
	bool lock_future;          /* mlockall(MCL_FUTURE): lock new regions */
	bool has_locked;           /* a region was locked (mlock) since the
				      last munlockall: eviction must look */
	/* Whole-process swapping (mm/procswap.h). */
	bool swapped_out;          /* its pages and page tables went to swap
				      as a whole; the tables come back
				      before any use */
	uint32_t swapped_entries;  /* swap entries inside its page tables
				      that are in swap (counted in
				      swap_pages too) */
	vaddr_t *swapped_resident; /* the pages it had resident when it was
				      swapped out, in address order (what
				      prefetch reads back); NULL if the
				      list could not be had */
	uint32_t nr_swapped_resident;
	struct ldt *ldt;           /* the process's LDT (kernel/arch/ldt.c),
				      one kmalloc block; NULL: none */
	unsigned int users;        /* processes using it: 1, or more when
				      threads share it (clone CLONE_VM);
				      mm_put of the last one destroys it */
};

/* Sets RLIMIT_RSS of mm in bytes (UINT64_MAX: none). */
static inline void mm_set_limit_rss(struct mm *mm, uint64_t bytes)
{
	mm->limit_rss = bytes;
	mm->rss_limited = bytes != UINT64_MAX;
}

/* The stack sits just below the kernel; mmap starts below its gap. */
#define MM_STACK_TOP KERNEL_VMA
#define MM_STACK_GAP (1u << 20)       /* between stack limit and mmap area */
#define MM_DEFAULT_STACK_LIMIT (8u << 20)  /* Linux's RLIMIT_STACK default */
/*
 * At most this much address space is set aside for the stack when
 * mmap_base is placed (an unlimited RLIMIT_STACK would leave none for
 * mmap otherwise).
 */
#define MM_STACK_MAX_RESERVE (1u << 30)
/*
 * The lowest address a mapping may use: Linux's default vm.mmap_min_addr
 * (64 KiB), which keeps a NULL pointer plus a small offset faulting.
 */
#define MM_MMAP_MIN_ADDR 0x10000u

/*
 * Page-fault error code bits, as the CPU pushes them (Intel SDM vol. 3A,
 * 4.7, figure 4-12); mm_fault() takes the error code unchanged.
 */
#define MM_PF_PRESENT (1u << 0)  /* 0: page not present, 1: protection */
#define MM_PF_WRITE (1u << 1)    /* the access was a write */
#define MM_PF_USER (1u << 2)     /* the access came from ring 3 */
#define MM_PF_FETCH (1u << 4)    /* instruction fetch (with NX only) */

/* Flags for mm_map. */
#define MM_MAP_FIXED (1u << 0)    /* exactly at addr, replacing what is there */
#define MM_MAP_SHARED (1u << 1)   /* anonymous shared (needs no shm given) */
#define MM_MAP_RDONLY (1u << 2)   /* never writable: what is mapped was
				     opened for reading only (no
				     VMA_MAYWRITE) */

/* Why a fault could not be resolved (for the SIGSEGV report). */
enum mm_fault_result {
	MM_FAULT_OK = 0,          /* resolved: retry the access */
	MM_FAULT_UNMAPPED,        /* no region there */
	MM_FAULT_PROTECTION,      /* the region forbids this access */
	MM_FAULT_KERNEL_ADDRESS,  /* user access to kernel space */
	MM_FAULT_STACK_LIMIT,     /* stack growth beyond RLIMIT_STACK */
	MM_FAULT_OOM,             /* no memory for the page, even after
				     reclaim (OOM killer / -ENOMEM) */
	MM_FAULT_BUS,             /* beyond the end of a file mapping (SIGBUS) */
	MM_FAULT_IO,              /* the page could not be read from swap (SIGBUS) */
};

/*
 * Creates an empty address space (no regions): stack_top MM_STACK_TOP,
 * the default stack limit, no RLIMIT_AS or RLIMIT_DATA, no heap yet.
 * Returns 0 or -ENOMEM.
 */
int mm_create(struct mm **out);
/*
 * Frees every page, page table, region and shared-memory attachment, and
 * the mm itself. If mm is the loaded address space, the kernel's is
 * loaded first.
 */
void mm_destroy(struct mm *mm);
/*
 * Takes one more reference to mm for a thread that will share it
 * (clone with CLONE_VM); returns mm.
 */
struct mm *mm_get(struct mm *mm);
/*
 * Drops a reference: the last one destroys the address space
 * (mm_destroy). The threads that remain keep every page and region.
 */
void mm_put(struct mm *mm);
/*
 * Copies an address space for fork: private pages become copy-on-write in
 * both (read-only PTEs with PTE_COW, frame refcount raised), shared regions
 * stay shared. Costs O(page tables + resident pages), copies no data.
 */
int mm_fork(struct mm *parent, struct mm **child);

/*
 * Adds a region of len bytes (rounded up to pages). Without MM_MAP_FIXED,
 * addr is a hint: used if free, else the highest free range below
 * mmap_base is taken. With MM_MAP_FIXED, whatever was mapped in
 * [addr, addr+len) is unmapped first. file may be NULL (anonymous) and
 * describes file contents otherwise (kind VMA_FILE; file->offset page
 * aligned). MM_MAP_SHARED with VMA_ANON (or VMA_SHM) makes shared
 * anonymous memory: a new shm object of len bytes, kind VMA_SHM.
 * The region may later be made writable (VMA_MAYWRITE) unless flags has
 * MM_MAP_RDONLY or it is a shared file mapping (file images are read-only:
 * a shared mapping could not write back).
 * Returns 0 and sets *out, or -ENOMEM (no room, RLIMIT_AS or, for private
 * writable memory, RLIMIT_DATA exceeded, or end beyond user space),
 * -EINVAL (len 0, bad alignment, bad prot or kind), -EPERM (a fixed
 * address below MM_MMAP_MIN_ADDR), -EACCES (PROT_WRITE on a region that
 * may never be writable).
 */
int mm_map(struct mm *mm, vaddr_t addr, size_t len, uint32_t prot,
	   uint32_t flags, enum vma_kind kind, const struct vma_file *file,
	   vaddr_t *out);
/*
 * Unmaps [addr, addr+len), splitting regions; frees their pages. Returns 0,
 * -EINVAL (addr not aligned, len 0, range beyond user space) or -ENOMEM (a
 * region could not be split).
 */
int mm_unmap(struct mm *mm, vaddr_t addr, size_t len);
/*
 * mremap(addr, old_len, new_len, flags, new_addr) with Linux's checks and
 * errors (mm/mremap.c): lengths are rounded up to pages in 64 bits.
 * Shrinking unmaps the tail; growing extends the region in place when
 * the addresses after it are free, or else moves it when flags have
 * MREMAP_MAYMOVE; MREMAP_FIXED moves to new_addr, MREMAP_DONTUNMAP leaves
 * the old range mapped and empty. Pages move with their page-table
 * entries, never copied. Returns 0 and *out (the new address), or
 * -EINVAL, -EFAULT, -EPERM or -ENOMEM as Linux.
 */
int mm_remap(struct mm *mm, vaddr_t addr, uint64_t old_len, uint64_t new_len,
	     uint32_t flags, vaddr_t new_addr, vaddr_t *out);
/*
 * Changes protection of [addr, addr+len); every page must be mapped.
 * Returns 0, -EINVAL (alignment, prot), -ENOMEM (a hole in the range, or
 * no memory to split) or -EACCES (PROT_WRITE on a region without
 * VMA_MAYWRITE: a shared file mapping, a SHM_RDONLY attachment). Nothing
 * changes on an error.
 */
int mm_protect(struct mm *mm, vaddr_t addr, size_t len, uint32_t prot);
/*
 * mlock (lock true) or munlock of [addr, addr+len): a locked region's
 * pages are brought in at once and never evicted. Returns 0, -EINVAL
 * (alignment), -ENOMEM (a hole in the range, or no memory to split or to
 * bring the pages in; the regions stay locked then).
 */
int mm_lock(struct mm *mm, vaddr_t addr, size_t len, bool lock);
/*
 * mlockall(current, future) with lock true: locks every region now
 * (current) and those mapped from now on (future); munlockall with lock
 * false: unlocks everything. Returns 0 or -ENOMEM.
 */
int mm_lock_all(struct mm *mm, bool current, bool future, bool lock);

/*
 * madvise(MADV_DONTNEED): drops the pages, region by region in address
 * order; private memory reads as zero (file regions: as the file)
 * afterwards, shared memory keeps its contents. Returns 0, -EINVAL
 * (alignment, or a locked region, whose pages must stay: the regions
 * before it are dropped, the rest not) or -ENOMEM (part of the range is
 * not mapped; the mapped part is still dropped).
 */
int mm_dontneed(struct mm *mm, vaddr_t addr, size_t len);
/*
 * madvise(MADV_FREE): as mm_dontneed (Pagoda frees at once what Linux
 * frees when memory is short), for private anonymous memory only: a file
 * or shared region is -EINVAL like a locked one.
 */
int mm_madvise_free(struct mm *mm, vaddr_t addr, size_t len);
/* msync flags, Linux values (include/uapi/asm-generic/mman-common.h). */
#define MM_MS_ASYNC 1
#define MM_MS_INVALIDATE 2
#define MM_MS_SYNC 4
/*
 * msync(addr, len, flags) with Linux's checks (mm/msync.c): 0, -EINVAL
 * (unknown flags, MS_ASYNC with MS_SYNC, addr not aligned), -ENOMEM (a
 * hole in the range) or -EBUSY (MS_INVALIDATE over a locked region).
 * Shared file mappings map the page cache itself: nothing to write back
 * (mm/msync.c).
 */
int mm_msync(struct mm *mm, vaddr_t addr, size_t len, uint32_t flags);
/*
 * mincore: vec[i] = 1 if page i of the npages from addr (aligned, inside
 * user space) is resident, else 0. Returns 0, or -ENOMEM when a page is
 * not in a region.
 */
int mm_mincore(struct mm *mm, vaddr_t addr, uint32_t npages, uint8_t *vec);
/*
 * madvise(MADV_WILLNEED): reads the swapped pages of shared and tmpfs
 * mappings in [addr, addr + len) back. Returns 0 or -ENOMEM (a hole).
 */
int mm_willneed(struct mm *mm, vaddr_t addr, size_t len);
/*
 * Moves the break. new_brk == 0 queries. Growing is lazy (pages come on
 * fault); shrinking frees the pages above the new break. Returns the
 * break in effect afterwards (Linux brk semantics: unchanged on failure:
 * below brk_start, into another region or its guard gap, beyond
 * RLIMIT_DATA or RLIMIT_AS).
 */
vaddr_t mm_brk(struct mm *mm, vaddr_t new_brk);
/* Sets where the heap starts (end of the program's data): brk = start. */
void mm_init_brk(struct mm *mm, vaddr_t start);
/*
 * Sets up the main stack region ending at stack_top (page aligned), at
 * least `initial` bytes, and places mmap_base below the stack's reserve
 * (limit_stack, at most MM_STACK_MAX_RESERVE) and MM_STACK_GAP. Returns 0,
 * -EINVAL (alignment, or the range is taken) or -ENOMEM.
 */
int mm_setup_stack(struct mm *mm, vaddr_t stack_top, size_t initial);

/*
 * Writes n bytes into the user memory of mm, which need not be the current
 * address space (execve builds the new stack this way): pages are brought
 * in as a write fault would (the stack grows too). Returns 0, or -EFAULT if
 * a page is not in a writable region, or -ENOMEM.
 */
int mm_write(struct mm *mm, vaddr_t addr, const void *src, size_t n);
/*
 * Reads n bytes of the user memory of mm (e.g. another process's
 * arguments for /proc/PID/cmdline), bringing pages in as a read fault
 * would. Returns 0, -EFAULT (not in a readable region) or -ENOMEM.
 */
int mm_read(struct mm *mm, vaddr_t addr, void *dst, size_t n);
/*
 * Whether the regions over [addr, addr+n) allow an access (reading, or
 * writing if write): -EFAULT if one forbids it, else 0. Parts outside any
 * region are left to the fault path (they may be stack growth). The MMU
 * checks the kernel's accesses to user memory only where pages are absent
 * or read-only; this also catches resident pages of PROT_NONE regions,
 * which stay present but reachable by the kernel alone.
 */
int mm_check_access(struct mm *mm, vaddr_t addr, size_t n, bool write);

/* The region containing addr, or NULL. */
struct vma *mm_find_vma(struct mm *mm, vaddr_t addr);
/* The region after v in address order (the first one if v is NULL). */
struct vma *mm_next_vma(struct mm *mm, struct vma *v);
/* Resident pages of region v (walks its page tables). */
uint32_t mm_vma_rss(struct mm *mm, struct vma *v);

/*
 * Resolves a page fault at addr with the CPU's error code (MM_PF_* bits,
 * the same as PF_* in kernel/arch/trap.h: present, write, user). A fault from
 * kernel mode on a user address (a user copy) is resolved the same way.
 * Returns MM_FAULT_OK when the page is now mapped as the access needs,
 * else the reason it is an error. Counts the fault in vm_events.
 */
enum mm_fault_result mm_fault(struct mm *mm, vaddr_t addr, uint32_t error);
/* A short description of r for the fault report. */
const char *mm_fault_reason(enum mm_fault_result r);

/*
 * Writes /proc/PID/maps text (Linux format) into buf, like snprintf:
 * at most size - 1 characters and a NUL (when size > 0), whole lines only.
 * Returns the length of the complete text, so a return >= size means
 * it was cut (call again with a larger buffer).
 */
size_t mm_format_maps(struct mm *mm, char *buf, size_t size);
/* Fills *u (/proc/PID/status figures, in pages). */
void mm_get_usage(struct mm *mm, struct mm_usage *u);
/*
 * Writes /proc/PID/smaps text (Linux format: each maps line followed by
 * Size, Rss, Pss, shared/private clean/dirty, ... in kB); whole entries
 * only, returns the full length like mm_format_maps.
 */
size_t mm_format_smaps(struct mm *mm, char *buf, size_t size);

/*
 * Checks the invariants of mm: regions sorted, disjoint, aligned, inside
 * user space; every present user PTE inside a region, allowed by its
 * protection, counted in rss; private pages shared with another mapping
 * marked copy-on-write; the page tables' own invariants. Returns 0 or
 * -EINVAL after logging the first violation. O(regions + page tables):
 * for tests and debugging.
 */
int mm_check(struct mm *mm);

/* System-wide virtual-memory event counters (/proc/vmstat). */
struct vm_events {
	uint64_t pgfault;      /* every user page fault */
	uint64_t pgmajfault;   /* faults that needed I/O (swap-in) */
	uint64_t cow_faults;   /* copy-on-write breaks (copies and reuse) */
	uint64_t zero_faults;  /* demand-zero pages */
	uint64_t file_faults;  /* pages loaded from a file image */
	uint64_t cow_copies;   /* pages actually copied by COW */
	uint64_t pswpin, pswpout;  /* pages read from / written to swap */
	uint64_t swapcache_hits;   /* swap entries resolved by a frame
				      already read in (no I/O) */
	uint64_t pgsteal;      /* pages evicted (frames freed by reclaim) */
	uint64_t pgsteal_clean; /* of those, dropped without a write */
	uint64_t pgsteal_local; /* of those, for a process over RLIMIT_RSS */
	uint64_t pgscan;       /* victims the policy proposed */
	uint64_t reclaim_runs; /* calls of the reclaimer */
	uint64_t reclaim_failed;   /* runs that freed nothing */
	uint64_t reclaim_skipped;  /* faults that skipped a run after a
				      futile one (mm/vmscan.c backoff) */
	uint64_t swap_write_errors; /* evictions abandoned on a write error */
	uint64_t swap_read_errors;  /* faults failed on a read error */
	uint64_t oom_kill;     /* processes killed for lack of memory */
	uint64_t pgsteal_shmem; /* of pgsteal, pages of shm objects and tmpfs
				   files (the page cache) */
	uint64_t pswpin_shmem;  /* of pswpin, their pages read back */
};
extern struct vm_events vm_events;

#endif
