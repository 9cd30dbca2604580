/*
 * mm/filemap.c - the page cache of tmpfs files: reads, writes, size
 * changes (see mm/filemap.h).
 *
 * Every operation works page by page through shm_page() (mm/shm.c),
 * which brings a page in on demand: a hole gets a zeroed frame, a page in
 * swap is read back. A page about to be changed leaves the swap cache
 * first (user_page_drop_swap), since its slot stops being a copy of it.
 *
 * Shrinking a file removes the pages past its new end from every page
 * table first, through the reverse map (mm/rmap.h), exactly as eviction
 * does, and then frees them: an access through a mapping afterwards
 * finds no page beyond the object's end and raises SIGBUS, as on Linux.
 *
 * Locking: none (see mm/filemap.h).
 */
#include "mm/filemap.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/highmem.h"
#include "mm/mm_internal.h"
#include "mm/pmm.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/slab.h"
#include "mm/swap.h"

struct page *filemap_alloc_page(unsigned int gfp)
{
	return vm_alloc_user_page(gfp);
}

struct shm_object *filemap_create(struct shm_quota *quota)
{
	struct shm_object *s = shm_create(0);
	if (s)
		s->quota = quota;
	return s;
}

uint32_t filemap_pages(const struct shm_object *s)
{
	return s->resident + s->swapped;
}

/* Makes room in pages[] and slots[] for npages entries. */
static int reserve(struct shm_object *s, uint32_t npages)
{
	if (npages <= s->capacity)
		return 0;
	uint32_t cap = s->capacity ? s->capacity : 4;
	while (cap < npages)
		cap = cap > UINT32_MAX / 2 ? npages : cap * 2;
	struct page **pages = kzalloc(cap * sizeof(*pages), GFP_KERNEL);
	uint32_t *slots = kzalloc(cap * sizeof(*slots), GFP_KERNEL);
	if (!pages || !slots) {
		kfree(pages);
		kfree(slots);
		return -ENOMEM;
	}
	if (s->npages) {
		memcpy(pages, s->pages, s->npages * sizeof(*pages));
		memcpy(slots, s->slots, s->npages * sizeof(*slots));
	}
	kfree(s->pages);
	kfree(s->slots);
	s->pages = pages;
	s->slots = slots;
	s->capacity = cap;
	return 0;
}

/* Sets the byte size and the page count that follows from it. */
static void set_size(struct shm_object *s, uint32_t size)
{
	s->size = size;
	s->npages = page_round_up(size) >> PAGE_SHIFT;
}

/* Zeros [from, to) of page idx if it holds data (resident or in swap). */
static int zero_part(struct shm_object *s, uint32_t idx, uint32_t from,
		     uint32_t to)
{
	struct page *pg;
	bool created;
	if (from >= to || idx >= s->npages ||
	    (!s->pages[idx] && !s->slots[idx]))
		return 0;
	int err = shm_page(s, idx, &pg, &created);
	if (err)
		return err;
	user_page_drop_swap(pg);
	uint8_t *va = kmap_atomic(pg);
	memset(va + from, 0, to - from);
	kunmap_atomic(va);
	return 0;
}

/* Grows the file to size bytes: the new part reads as zeros. */
static int grow(struct shm_object *s, uint32_t size)
{
	uint32_t old = s->size;
	int err = reserve(s, page_round_up(size) >> PAGE_SHIFT);
	if (err)
		return err;
	/* Bytes stored past the old end through a mapping do not count. */
	if (old & (PAGE_SIZE - 1)) {
		uint32_t end = page_round_up(old);
		if (size < end)
			end = size;
		err = zero_part(s, old >> PAGE_SHIFT, old & (PAGE_SIZE - 1),
				end - page_round_down(old));
		if (err)
			return err;
	}
	set_size(s, size);
	return 0;
}

/* Removes one PTE mapping a page being cut off (an rmap_walk callback). */
static int unmap_cut_page(struct mm *mm, vaddr_t va, pte_t *ptep, void *arg)
{
	struct page *pg = arg;
	(void)ptep;
	rmap_remove(pg, mm, va);
	int err = vm_unmap_page(&mm->space, va, NULL);
	KASSERT(err == 0);
	KASSERT(mm->rss > 0 && pg->refcount > 1);
	mm->rss--;
	pg->refcount--;
	return 0;
}

int filemap_truncate(struct shm_object *s, uint64_t size)
{
	if (size > FILEMAP_MAX_BYTES)
		return -EFBIG;
	if (size >= s->size)
		return grow(s, (uint32_t)size);
	uint32_t keep = page_round_up((uint32_t)size) >> PAGE_SHIFT;
	for (uint32_t idx = keep; idx < s->npages; idx++) {
		struct page *pg = s->pages[idx];
		if (pg) {
			rmap_walk(pg, unmap_cut_page, pg);
			KASSERT(rmap_mapcount(pg) == 0);
			s->pages[idx] = NULL;
			s->resident--;
			if (s->quota)
				s->quota->used--;
			user_page_put(pg);
		}
		if (s->slots[idx]) {
			swap_slot_put(s->slots[idx]);
			s->slots[idx] = 0;
			s->swapped--;
			if (s->quota)
				s->quota->used--;
		}
	}
	set_size(s, (uint32_t)size);
	/* The rest of the last page reads as zeros from now on. */
	if (size & (PAGE_SIZE - 1))
		return zero_part(s, keep - 1, (uint32_t)size & (PAGE_SIZE - 1),
				 PAGE_SIZE);
	return 0;
}

int32_t filemap_read(struct shm_object *s, void *buf, size_t n, uint64_t pos)
{
	uint8_t *out = buf;
	size_t done = 0;
	if (pos >= s->size)
		return 0;
	if (n > s->size - pos)
		n = (size_t)(s->size - pos);
	if (n > INT32_MAX)
		n = INT32_MAX;
	while (done < n) {
		uint32_t idx = (uint32_t)(pos >> PAGE_SHIFT);
		uint32_t off = (uint32_t)pos & (PAGE_SIZE - 1);
		size_t chunk = PAGE_SIZE - off;
		if (chunk > n - done)
			chunk = n - done;
		if (!s->pages[idx] && !s->slots[idx]) {
			memset(out + done, 0, chunk); /* a hole */
		} else {
			struct page *pg;
			bool created;
			int err = shm_page(s, idx, &pg, &created);
			if (err)
				return done ? (int32_t)done : err;
			uint8_t *va = kmap_atomic(pg);
			memcpy(out + done, va + off, chunk);
			kunmap_atomic(va);
		}
		done += chunk;
		pos += chunk;
	}
	return (int32_t)done;
}

int32_t filemap_write(struct shm_object *s, const void *buf, size_t n,
		      uint64_t pos)
{
	const uint8_t *in = buf;
	size_t done = 0;
	if (n == 0)
		return 0;
	if (pos >= FILEMAP_MAX_BYTES)
		return -EFBIG;
	if (n > FILEMAP_MAX_BYTES - pos)
		n = (size_t)(FILEMAP_MAX_BYTES - pos);
	if (n > INT32_MAX)
		n = INT32_MAX;
	if (pos + n > s->size) {
		int err = reserve(s, page_round_up((uint32_t)(pos + n)) >>
					     PAGE_SHIFT);
		if (err)
			return err;
	}
	/* A write past the end leaves a gap that must read as zeros. */
	if (pos > s->size) {
		int err = grow(s, (uint32_t)pos);
		if (err)
			return err;
	}
	while (done < n) {
		uint32_t idx = (uint32_t)(pos >> PAGE_SHIFT);
		uint32_t off = (uint32_t)pos & (PAGE_SIZE - 1);
		size_t chunk = PAGE_SIZE - off;
		if (chunk > n - done)
			chunk = n - done;
		/* The page must be the object's before the size covers it. */
		if (idx >= s->npages)
			s->npages = idx + 1;
		struct page *pg;
		bool created;
		int err = shm_page(s, idx, &pg, &created);
		if (err) {
			set_size(s, s->size); /* back to the bytes written */
			return done ? (int32_t)done : err;
		}
		user_page_drop_swap(pg);
		uint8_t *va = kmap_atomic(pg);
		memcpy(va + off, in + done, chunk);
		kunmap_atomic(va);
		done += chunk;
		pos += chunk;
		if (pos > s->size)
			s->size = (uint32_t)pos;
	}
	return (int32_t)done;
}

int filemap_allocate(struct shm_object *s, uint64_t off, uint64_t len,
		     bool keep_size)
{
	uint64_t end = off + len;
	if (end > FILEMAP_MAX_BYTES)
		return -EFBIG;
	int err = 0;
	/*
	 * With FALLOC_FL_KEEP_SIZE only the pages inside the file are
	 * allocated: the object holds no page past its end.
	 */
	if (keep_size && end > s->size)
		end = s->size;
	else if (end > s->size)
		err = grow(s, (uint32_t)end);
	for (uint64_t p = off & ~(uint64_t)(PAGE_SIZE - 1); !err && p < end;
	     p += PAGE_SIZE) {
		struct page *pg;
		bool created;
		err = shm_page(s, (uint32_t)(p >> PAGE_SHIFT), &pg, &created);
	}
	return err;
}

int filemap_map_shared(struct mm *mm, vaddr_t addr, uint64_t len, uint32_t prot,
		       uint32_t flags, struct shm_object *s, uint32_t pgoff,
		       vaddr_t *out)
{
	return vma_map_pgoff(mm, addr, len, prot, flags | MM_MAP_SHARED,
			     VMA_SHM, NULL, s, pgoff, out);
}

bool filemap_page_is_zero(const struct page *pg)
{
	/* Through a temporary mapping: the page may be in highmem. */
	const uint32_t *w = kmap_atomic((struct page *)pg);
	bool zero = true;
	for (uint32_t i = 0; i < PAGE_SIZE / sizeof(*w) && zero; i++)
		zero = w[i] == 0;
	kunmap_atomic((void *)w);
	return zero;
}
