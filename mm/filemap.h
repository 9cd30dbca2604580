/*
 * mm/filemap.h - the page cache of in-memory files (tmpfs).
 *
 * A tmpfs file keeps its bytes in pages owned by mm/, indexed by page
 * number: the same struct shm_object that holds shared anonymous memory
 * and SysV segments (mm/shm.h), as Linux's tmpfs is also what backs its
 * shared memory. read() and write() copy from and to these pages, and a
 * MAP_SHARED mapping of the file maps the very same frames (a VMA_SHM
 * region of the object), so a store through a mapping is seen by read()
 * at once, in any process, and a write() is seen through every mapping.
 * A MAP_PRIVATE mapping copies a page from the cache at its first access
 * (a VMA_FILE region whose vma_file.cache is the object).
 *
 * The object's size is the file's size in bytes, npages the pages it
 * covers (a partial last page included); pages[] and slots[] have
 * capacity entries so that a growing file does not reallocate them for
 * every page. A page never written is a hole: read() gives zeros for it
 * without allocating anything. Pages are swapped like any shm page
 * (mm/vmscan.c): evicted pages keep their slot in slots[], and the next
 * read, write or fault reads them back.
 *
 * Locking: none; the kernel is not preemptible.
 */
#ifndef MM_FILEMAP_H
#define MM_FILEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shm_object;
struct shm_quota;
struct page;

/*
 * The largest file the cache holds (bytes): the object's size is 32-bit,
 * and mappings cannot reach beyond user space anyway.
 */
#define FILEMAP_MAX_BYTES 0x7FFFF000u

/*
 * Allocates a frame for the page cache (every shm and tmpfs page comes
 * from here): the one place to change for where cache pages may live.
 */
struct page *filemap_alloc_page(unsigned int gfp);

/* An empty file's cache (size 0), counted against quota (may be NULL). */
struct shm_object *filemap_create(struct shm_quota *quota);

/*
 * Copies up to n bytes at pos into buf: stops at the end of the file,
 * holes read as zeros, pages in swap are read back. Returns the bytes
 * copied, or -EIO (a page could not be read back) / -ENOMEM when nothing
 * was.
 */
int32_t filemap_read(struct shm_object *s, void *buf, size_t n, uint64_t pos);
/*
 * Copies n bytes from buf to pos, allocating pages and growing the file
 * as needed. Returns the bytes copied; -EFBIG when pos is beyond
 * FILEMAP_MAX_BYTES, -ENOSPC when the quota allows no page, -ENOMEM, when
 * nothing was copied.
 */
int32_t filemap_write(struct shm_object *s, const void *buf, size_t n,
		      uint64_t pos);
/*
 * Sets the file's size. Growing adds a hole; shrinking frees the pages
 * past the new end (every mapping of them is removed first, so the next
 * access there raises SIGBUS) and zeros the tail of the last page.
 * Returns 0, -EFBIG or -ENOMEM.
 */
int filemap_truncate(struct shm_object *s, uint64_t size);
/*
 * fallocate(mode 0): allocates the pages of [off, off + len) and grows
 * the file to off + len if it was shorter (unless keep_size). Returns 0,
 * -EFBIG, -ENOSPC or -ENOMEM (the pages allocated so far stay).
 */
int filemap_allocate(struct shm_object *s, uint64_t off, uint64_t len,
		     bool keep_size);
struct mm;
/*
 * mmap(MAP_SHARED) of the file: a VMA_SHM region of s from page pgoff
 * (mm_map's addr, len, prot and flags; MM_MAP_RDONLY for a file not open
 * for writing). Returns 0 and *out, or mm_map's errors.
 */
int filemap_map_shared(struct mm *mm, uint32_t addr, uint64_t len,
		       uint32_t prot, uint32_t flags, struct shm_object *s,
		       uint32_t pgoff, uint32_t *out);
/*
 * Whether a cache page holds only zeros (eviction drops such a page
 * instead of writing it: mm/vmscan.c).
 */
bool filemap_page_is_zero(const struct page *pg);
/* Pages holding data, resident or in swap (st_blocks). */
uint32_t filemap_pages(const struct shm_object *s);

#endif
