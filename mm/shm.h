/*
 * mm/shm.h - shared memory objects: MAP_SHARED|MAP_ANONYMOUS and SysV shm.
 *
 * A shm object is an array of npages frames shared by every region that
 * maps it (struct vma of kind VMA_SHM). A frame is allocated, zeroed, on
 * the first touch of its page through any mapping, and stays until the
 * object is destroyed, so what one mapper writes every other one reads,
 * across fork and across unrelated address spaces.
 *
 * Swapping: a page of the object may be evicted (mm/vmscan.c). Its
 * entry in pages[] is then NULL and slots[] holds the swap slot (and one
 * reference on it); every PTE that mapped it was cleared, so the next
 * access through any mapping comes to shm_page(), which reads the slot
 * back into one frame that all mappers share again.
 *
 * References: each region mapping the object holds one (a SysV
 * segment's shm_nattch counts them); a SysV segment also holds one for its
 * id until shm_remove() (IPC_RMID). The object is destroyed when the last reference goes.
 * The object holds one reference on each of its frames; each present PTE
 * mapping a frame holds another (mm/vm.h), so a frame outlives the object
 * only while a page table still points at it.
 *
 * SysV semantics are Linux's (ipc/shm.c): IPC_PRIVATE always creates;
 * IPC_CREAT|IPC_EXCL on an existing key is -EEXIST; a missing key without
 * IPC_CREAT is -ENOENT; a size larger than an existing segment, or below
 * SHMMIN for a new one, is -EINVAL, one above SHM_MAX_BYTES -ENOMEM (as
 * Linux refuses memory it cannot account for); a removed segment
 * keeps working for its attachments, can still be attached by id, and its
 * key is free for a new segment.
 *
 * Locking: none; the kernel is not preemptible and no interrupt handler
 * touches shared memory.
 */
#ifndef MM_SHM_H
#define MM_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/page.h"
#include "mm/types.h"

struct mm;

/* shmget/shmat flags, Linux values (include/uapi/linux/ipc.h, shm.h). */
#define IPC_PRIVATE 0	    /* key: always a new segment */
#define IPC_CREAT 001000    /* create if the key is not there */
#define IPC_EXCL 002000	    /* with IPC_CREAT: fail if it is */
#define SHM_RDONLY 010000   /* attach read-only */
#define SHM_RND 020000	    /* round the attach address down to SHMLBA */
#define SHM_REMAP 040000    /* attach over existing mappings */
#define SHM_EXEC 0100000    /* attach executable */
#define SHM_DEST 01000	    /* in shm_stat's mode: removed, still attached */
#define SHM_MODE_MASK 0777u /* permission bits of shmflg */

/* The smallest segment (Linux's SHMMIN) and the largest Pagoda makes. */
#define SHMMIN 1u
#define SHM_MAX_BYTES (256u << 20)
/* Segments that can exist at once (Linux's SHMMNI is 4096). */
#define SHM_MAX_SEGMENTS 128u
/* Attach addresses are rounded to this with SHM_RND (i386: a page). */
#define SHMLBA PAGE_SIZE

struct shm_object {
	int32_t refcount;    /* regions mapping it, +1 while its id lives */
	uint32_t npages;     /* size in pages */
	uint32_t size;	     /* size in bytes as requested (shm_segsz) */
	struct page **pages; /* npages entries, NULL until first touched
				and while the page is in swap */
	uint32_t *slots;     /* npages entries: the swap slot of a page in
				swap, else 0 */
	uint32_t resident;   /* entries of pages that are not NULL */
	uint32_t swapped;    /* entries of slots that are not 0 */
	int id;		     /* SysV id, or -1 for shared anonymous memory */
	int32_t key;	     /* SysV key; IPC_PRIVATE once removed */
	int32_t orig_key;    /* the key it was created with (maps name) */
	uint32_t mode;	     /* permission bits (creation, IPC_SET) */
	uint32_t uid, gid;   /* owner (IPC_SET may change it) */
	uint32_t cuid, cgid; /* creator */
	bool removed;	     /* shm_remove() was called */
	uint32_t ino;	     /* inode number shown in /proc/PID/maps */
	/*
	 * The page cache of a tmpfs file (mm/filemap.h) uses the same
	 * object: size is then the file's size, npages its pages, and the
	 * arrays may hold more entries (capacity) for it to grow into.
	 */
	uint32_t capacity;	 /* entries of pages[] and slots[] */
	struct shm_quota *quota; /* tmpfs: the instance's page budget,
				      NULL for shared anonymous memory */
	char *path;		 /* tmpfs: the name maps shows (owned) */
	uint32_t dev;		 /* tmpfs: its device, for maps */
	bool unlinked;		 /* tmpfs: the file has no name left */
	struct list_node all;	 /* in the list of every object */
};

/*
 * The pages a tmpfs instance may hold, resident or in swap (its size=
 * limit); a page allocated beyond it is -ENOSPC (SIGBUS for a fault).
 */
struct shm_quota {
	uint32_t used; /* pages of its files, resident or in swap */
	uint32_t max;  /* the limit */
};

/* Page-cache totals for /proc/meminfo (shm_totals()). */
struct shm_totals {
	uint32_t resident;   /* resident pages of every object (Shmem) */
	uint32_t swapcached; /* of those, in the swap cache */
	uint32_t mapped;     /* of those, mapped by a page table (Mapped) */
	uint32_t swapped;    /* pages of objects in swap */
};

/* Adds up every object's pages (O(pages of all objects)). */
void shm_totals(struct shm_totals *t);

/* What shm_stat() reports (the fields of Linux's struct shmid_ds we keep). */
struct shm_stat {
	uint32_t size;	 /* shm_segsz */
	int32_t key;	 /* shm_perm.__key */
	uint32_t mode;	 /* shm_perm.mode, with SHM_DEST once removed */
	uint32_t nattch; /* shm_nattch */
	uint32_t uid, gid, cuid, cgid; /* shm_perm's owner and creator */
};

/*
 * Creates an object of size bytes (rounded up to pages; 0 for an empty
 * tmpfs file) with no frames yet, for shared anonymous memory. It comes with one reference, the
 * caller's: drop it with shm_object_put() once regions hold their own.
 * NULL if out of memory.
 */
struct shm_object *shm_create(uint32_t size);
/* A region now maps s. */
void shm_object_get(struct shm_object *s);
/* A region no longer maps s: destroys it after its last reference. */
void shm_object_put(struct shm_object *s);
/*
 * The frame of page idx in *out: allocated zeroed on first touch
 * (*created then true), or read back from swap (a major fault). Returns
 * 0, -ENOMEM, -ENOSPC (a new page beyond the object's quota), or -EIO
 * when the swap device failed (the page stays in swap). The object keeps its own reference; a caller that maps the
 * frame takes another with get_page(). A frame read back from swap is in
 * the swap cache: map it read-only, or drop the cache first
 * (mm/mm_internal.h) to write it.
 */
int shm_page(struct shm_object *s, uint32_t idx, struct page **out,
	     bool *created);

/* shmget(): the id of the segment for key, created as flags say, or -errno. */
/*
 * swapoff: reads every page of s that is in swap back, and ends the swap
 * cache association of every resident one (mm/swapoff.h). 0, -ENOMEM or
 * -EIO (what was read back stays).
 */
int shm_unuse_swap(struct shm_object *s);
int shm_get(int32_t key, size_t size, int flags);
/*
 * shmat(): maps segment id into mm at addr (0: anywhere below mmap_base;
 * with SHM_RND rounded down to SHMLBA; else page aligned, and replacing
 * existing mappings only with SHM_REMAP). Read-write unless SHM_RDONLY.
 * Sets *out to the address. Returns 0, -EINVAL (no such id, bad address,
 * overlap without SHM_REMAP) or -ENOMEM.
 */
int shm_attach(struct mm *mm, int id, vaddr_t addr, int shmflg, vaddr_t *out);
/*
 * shmdt(): unmaps the segment attached at exactly addr (and the pieces of
 * the same attachment after it, if it was split). Returns 0 or -EINVAL.
 */
int shm_detach(struct mm *mm, vaddr_t addr);
/* shmctl(IPC_RMID): destroys the segment once the last region unmaps it. */
int shm_remove(int id);
/* shmctl(IPC_STAT): 0 and *st, or -EINVAL for an unknown id. */
int shm_stat(int id, struct shm_stat *st);
/* The id of the live segment with key (not IPC_PRIVATE), or -ENOENT. */
int shm_find_key(int32_t key);
/*
 * Sets the owner, creator and permission bits (mode & SHM_MODE_MASK) of
 * segment id: the system call layer does it at creation and for
 * IPC_SET, after checking who may (kernel/proc/cred.h). 0 or -EINVAL.
 */
int shm_set_perm(int id, uint32_t uid, uint32_t gid, uint32_t cuid,
		 uint32_t cgid, uint32_t mode);

#endif
