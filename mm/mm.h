/*
 * mm/mm.h - a process's address space: its page tables and its regions.
 *
 * A region (struct vma) is a page-aligned range [start, end) of user
 * addresses with one protection and one kind of backing. The regions of an
 * address space are kept sorted and never overlap. Pages are not mapped
 * when a region is created: the first access faults, and mm_fault() fills
 * in the page (demand-zero, demand-load from a file image, copy-on-write,
 * stack growth). Everything else that faults is the program's error.
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

enum vma_kind {
	VMA_ANON,   /* private anonymous memory (mmap, bss) */
	VMA_FILE,   /* private mapping of an in-memory file image */
	VMA_HEAP,   /* the brk heap ([heap] in maps) */
	VMA_STACK,  /* the main stack ([stack] in maps) */
	VMA_SHM,    /* shared pages: MAP_SHARED|MAP_ANONYMOUS or SysV shm */
};

struct shm_object;

/* What a VMA_FILE region maps: bytes of a file image held in memory. */
struct vma_file {
	const uint8_t *data;   /* the whole file */
	uint32_t size;         /* its size */
	uint32_t offset;       /* file offset mapped at the region's start */
	uint32_t filesz;       /* bytes from offset that come from the file;
				  the rest of the region reads as zeros */
	const char *path;      /* for /proc/PID/maps */
	uint32_t ino;          /* for /proc/PID/maps */
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
};

/* Per-address-space statistics (/proc/PID/status). */
struct mm_usage {
	uint32_t vm_size;    /* pages in all regions */
	uint32_t vm_rss;     /* resident pages */
	uint32_t vm_data;    /* pages of private writable non-stack regions */
	uint32_t vm_stk;     /* pages of the stack region */
	uint32_t vm_exe;     /* pages of file-backed executable regions */
	uint32_t vm_swap;    /* pages in swap (0 until swapping exists) */
};

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
	uint32_t rss;              /* resident user pages */
};

/* The stack sits just below the kernel; mmap starts below its gap. */
#define MM_STACK_TOP KERNEL_VMA
#define MM_STACK_GAP (1u << 20)       /* between stack limit and mmap area */
#define MM_DEFAULT_STACK_LIMIT (8u << 20)  /* Linux's RLIMIT_STACK default */

/* Flags for mm_map. */
#define MM_MAP_FIXED (1u << 0)    /* exactly at addr, replacing what is there */
#define MM_MAP_SHARED (1u << 1)   /* anonymous shared (needs no shm given) */

/* Why a fault could not be resolved (for the SIGSEGV report). */
enum mm_fault_result {
	MM_FAULT_OK = 0,          /* resolved: retry the access */
	MM_FAULT_UNMAPPED,        /* no region there */
	MM_FAULT_PROTECTION,      /* the region forbids this access */
	MM_FAULT_KERNEL_ADDRESS,  /* user access to kernel space */
	MM_FAULT_STACK_LIMIT,     /* stack growth beyond RLIMIT_STACK */
	MM_FAULT_OOM,             /* no memory for the page (SIGKILL/-ENOMEM) */
	MM_FAULT_BUS,             /* beyond the end of a file mapping (SIGBUS) */
};

/* Creates an empty address space (no regions). Returns 0 or -ENOMEM. */
int mm_create(struct mm **out);
/* Frees every page, page table and region, and the mm itself. */
void mm_destroy(struct mm *mm);
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
 * describes file contents otherwise. Returns 0 and sets *out, or -ENOMEM
 * (no room, or RLIMIT_AS exceeded) or -EINVAL (bad alignment or range).
 */
int mm_map(struct mm *mm, vaddr_t addr, size_t len, uint32_t prot,
	   uint32_t flags, enum vma_kind kind, const struct vma_file *file,
	   vaddr_t *out);
/* Unmaps [addr, addr+len), splitting regions; frees their pages. */
int mm_unmap(struct mm *mm, vaddr_t addr, size_t len);
/* Changes protection of [addr, addr+len); every page must be mapped. */
int mm_protect(struct mm *mm, vaddr_t addr, size_t len, uint32_t prot);
/* madvise(MADV_DONTNEED): drops the pages; private memory reads as zero. */
int mm_dontneed(struct mm *mm, vaddr_t addr, size_t len);
/*
 * Moves the break. new_brk == 0 queries. Growing is lazy (pages come on
 * fault); shrinking frees the pages above the new break. Returns the
 * break in effect afterwards (Linux brk semantics: unchanged on failure).
 */
vaddr_t mm_brk(struct mm *mm, vaddr_t new_brk);
/* Sets up the main stack region ending at stack_top. */
int mm_setup_stack(struct mm *mm, vaddr_t stack_top, size_t initial);

/*
 * Writes n bytes into the user memory of mm, which need not be the current
 * address space (execve builds the new stack this way): pages are brought
 * in as a write fault would. Returns 0, or -EFAULT if a page is not in a
 * writable region, or -ENOMEM.
 */
int mm_write(struct mm *mm, vaddr_t addr, const void *src, size_t n);

/* The region containing addr, or NULL. */
struct vma *mm_find_vma(struct mm *mm, vaddr_t addr);

/*
 * Resolves a page fault at addr with the CPU's error code (PF_* bits in
 * kernel/trap.h: present, write, user). Returns MM_FAULT_OK when the page
 * is now mapped as the access needs, else the reason it is an error.
 * Counts the fault in the vmstat counters.
 */
enum mm_fault_result mm_fault(struct mm *mm, vaddr_t addr, uint32_t error);
const char *mm_fault_reason(enum mm_fault_result r);

/* Writes /proc/PID/maps text (Linux format) into buf; returns the length. */
size_t mm_format_maps(struct mm *mm, char *buf, size_t size);
void mm_get_usage(struct mm *mm, struct mm_usage *u);

/* System-wide virtual-memory event counters (/proc/vmstat). */
struct vm_events {
	uint64_t pgfault;      /* every user page fault */
	uint64_t pgmajfault;   /* faults that needed I/O (swap-in) */
	uint64_t cow_faults;   /* copy-on-write breaks (copies and reuse) */
	uint64_t zero_faults;  /* demand-zero pages */
	uint64_t file_faults;  /* pages loaded from a file image */
	uint64_t cow_copies;   /* pages actually copied by COW */
	uint64_t pswpin, pswpout;
};
extern struct vm_events vm_events;

#endif
