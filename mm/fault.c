/*
 * mm/fault.c - page faults on user addresses, and the kernel's reads and
 * writes of another address space's memory.
 *
 * Regions are created empty; their pages come in on the first access:
 *
 *   no region, just below a stack   grow the stack (vma_grow_stack), then
 *                                   as below
 *   no region otherwise             MM_FAULT_UNMAPPED
 *   the region forbids the access   MM_FAULT_PROTECTION
 *   absent page, anonymous/heap/    a zeroed frame (demand-zero)
 *     stack
 *   absent page, file region        a frame holding the file's bytes for
 *                                   the page, zeros after them; beyond
 *                                   filesz zeros (bss); a page wholly past
 *                                   the end of the file: MM_FAULT_BUS
 *   absent page, private mapping    a copy of the page-cache page (zeros
 *     of a tmpfs file               for a hole); wholly past the end of
 *                                   the file: MM_FAULT_BUS
 *   absent page, shared (VMA_SHM)   the shm object's frame for the page
 *                                   (a tmpfs file's cache too); past its
 *                                   end, or the tmpfs is full:
 *                                   MM_FAULT_BUS
 *   present, write, private,        copy-on-write: the only mapper takes
 *     read-only PTE                 the frame over; otherwise it gets a
 *                                   copy and drops its reference
 *   present, write, shared          made writable (the region allows it)
 *   present, access allowed         a stale TLB entry: flushed
 *   swap entry (private regions)    swap-in (fault_swap below): the frame
 *                                   another mapper read back already, or
 *                                   the slot read into a new frame
 *   absent or swap entry, process   local replacement first: one of its
 *     over RLIMIT_RSS               own pages goes to swap (mm/vmscan.c),
 *                                   never one the last faults brought in
 *
 * A kernel-mode fault on a user address (a user copy) is resolved the same
 * way; the error code then lacks MM_PF_USER, which changes nothing here.
 *
 * Private pages always belong to this address space alone, or are shared
 * copy-on-write: a private frame with more than one mapping is mapped
 * read-only with PTE_COW in every one of them (mm_fork sets this up).
 * A page in the swap cache (mm/swap_state.c) is also read-only everywhere;
 * its first write ends the association with its slot before anything
 * changes.
 *
 * Every frame is allocated with vm_alloc_user_page(), which may reclaim:
 * a frame the fault is about to copy from is pinned (an extra reference)
 * meanwhile, so that reclaim cannot evict it.
 */
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/filemap.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/internal.h"
#include "mm/procswap.h"
#include "mm/pmm.h"
#include "mm/port.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/trace.h"
#include "mm/vm.h"

struct vm_events vm_events;

/* A short description of a fault result for the one-line report. */
const char *mm_fault_reason(enum mm_fault_result r)
{
	switch (r) {
	case MM_FAULT_OK:
		return "resolved";
	case MM_FAULT_UNMAPPED:
		return "address not mapped";
	case MM_FAULT_PROTECTION:
		return "access not allowed by the mapping's protection";
	case MM_FAULT_KERNEL_ADDRESS:
		return "user access to a kernel address";
	case MM_FAULT_STACK_LIMIT:
		return "stack overflow (beyond RLIMIT_STACK)";
	case MM_FAULT_OOM:
		return "out of memory";
	case MM_FAULT_BUS:
		return "access beyond the end of the mapped file";
	case MM_FAULT_IO:
		return "I/O error reading the page back from swap";
	}
	return "unknown fault";
}

/*
 * Copies n bytes as words, eight to an iteration, when both ends are word
 * aligned (page copies and file images always are): libk's memcpy goes
 * byte by byte, four times the instructions for a 4 KiB page.
 */
static void copy_words(void *dst, const void *src, uint32_t n)
{
	if (((uintptr_t)dst | (uintptr_t)src) & (sizeof(uintptr_t) - 1)) {
		memcpy(dst, src, n);
		return;
	}
	uintptr_t *d = dst;
	const uintptr_t *s = src;
	uint32_t words = n / sizeof(uintptr_t);
	uint32_t i = 0;
	for (; i + 8 <= words; i += 8) {
		d[i] = s[i];
		d[i + 1] = s[i + 1];
		d[i + 2] = s[i + 2];
		d[i + 3] = s[i + 3];
		d[i + 4] = s[i + 4];
		d[i + 5] = s[i + 5];
		d[i + 6] = s[i + 6];
		d[i + 7] = s[i + 7];
	}
	for (; i < words; i++)
		d[i] = s[i];
	memcpy(d + words, s + words, n % sizeof(uintptr_t));
}

/* Whether region v allows an access described by a fault error code. */
static bool access_allowed(const struct vma *v, uint32_t error)
{
	if (!(v->prot & MM_PROT_MASK))
		return false;
	if ((error & MM_PF_WRITE) && !(v->prot & MM_PROT_WRITE))
		return false;
	/* Only reported with NX, which i386 without PAE lacks. */
	if ((error & MM_PF_FETCH) && !(v->prot & MM_PROT_EXEC))
		return false;
	return true;
}

/*
 * Maps a frame the caller holds a reference to; the PTE takes it over (or,
 * on failure, the reference is dropped).
 */
static enum mm_fault_result map_frame(struct mm *mm, struct vma *v,
				      vaddr_t va, struct page *page,
				      uint32_t prot)
{
	if (user_page_map(mm, v, va, page, prot) < 0) {
		user_page_put(page);
		return MM_FAULT_OOM;
	}
	return MM_FAULT_OK;
}

/*
 * The trace's kind of a demand-zero fault at va: "stack" for the fault
 * that grew the stack down to va (vma_grow_stack() notes the page), a
 * plain demand-zero fault otherwise. Asked only while tracing, so that
 * the fault path carries no flag for it.
 */
static enum mm_trace_kind zero_kind(const struct mm *mm, vaddr_t va)
{
	return va == mm->stack_grown ? MM_TRACE_STACK : MM_TRACE_ZERO;
}

/*
 * Demand-zero: a fresh zeroed frame. Inline into fault_in(): the most
 * frequent fault of all.
 */
static inline __attribute__((always_inline)) enum mm_fault_result
fault_zero(struct mm *mm, struct vma *v, vaddr_t va)
{
	/* LAB 3 BEGIN: map a fresh zero-filled frame */
	struct page *page = vm_alloc_user_page(GFP_ZERO);
	if (!page)
		return MM_FAULT_OOM;
	vm_events.zero_faults++;
	trace_fault(zero_kind(mm, va), mm->trace_pid, va, page, MM_TRACE_NONE);
	return map_frame(mm, v, va, page, vma_pte_prot(v, false));
	/* LAB 3 END */
}

/*
 * A private mapping of a tmpfs file: a copy of the page-cache page (zeros
 * for a hole and after the end of the file), made at the first access;
 * a page wholly past the end of the file is MM_FAULT_BUS.
 */
static enum mm_fault_result fault_cache_copy(struct mm *mm, struct vma *v,
					     vaddr_t va)
{
	struct shm_object *s = v->file.cache;
	uint64_t pos = v->file.offset + (va - v->start);
	if (pos >= s->size)
		return MM_FAULT_BUS;
	struct page *page = vm_alloc_user_page(0);
	if (!page)
		return MM_FAULT_OOM;
	/* The new page may be in highmem (filemap_read nests its own map). */
	uint8_t *dst = kmap_atomic(page);
	int32_t n = filemap_read(s, dst, PAGE_SIZE, pos);
	if (n >= 0)
		memset(dst + n, 0, PAGE_SIZE - (uint32_t)n);
	kunmap_atomic(dst);
	if (n < 0) {
		put_page(page);
		return n == -EIO ? MM_FAULT_IO : MM_FAULT_OOM;
	}
	vm_events.file_faults++;
	trace_fault(MM_TRACE_FILE, mm->trace_pid, va, page, MM_TRACE_NONE);
	return map_frame(mm, v, va, page, vma_pte_prot(v, false));
}

/* Demand-load: the file's bytes for this page, zeros after them. */
static enum mm_fault_result fault_file(struct mm *mm, struct vma *v, vaddr_t va)
{
	/* LAB 3 BEGIN: load the page from the file, zeros after its end */
	const struct vma_file *f = &v->file;
	uint32_t off = va - v->start;

	if (off >= f->filesz)
		return fault_zero(mm, v, va);
	uint64_t pos = f->offset + off;
	if (pos >= f->size)
		return MM_FAULT_BUS;
	uint32_t n = PAGE_SIZE;
	if (f->filesz - off < n)
		n = f->filesz - off;
	if (f->size - pos < n)
		n = (uint32_t)(f->size - pos);

	/* A partial page is zeroed first (a word loop) and then filled. */
	struct page *page = vm_alloc_user_page(n < PAGE_SIZE ? GFP_ZERO : 0);
	if (!page)
		return MM_FAULT_OOM;
	void *dst = kmap_atomic(page); /* the frame may be in highmem */
	copy_words(dst, f->data + pos, n);
	kunmap_atomic(dst);
	vm_events.file_faults++;
	trace_fault(MM_TRACE_FILE, mm->trace_pid, va, page, MM_TRACE_NONE);
	return map_frame(mm, v, va, page, vma_pte_prot(v, false));
	/* LAB 3 END */
}

/*
 * Shared memory: the shm object's frame, created on its first touch or
 * read back from swap. A frame still in the swap cache is mapped
 * read-only, unless this access writes it, which ends its clean copy.
 */
static enum mm_fault_result fault_shared(struct mm *mm, struct vma *v,
					 vaddr_t va, bool write)
{
	uint32_t idx = v->shm_pgoff + ((va - v->start) >> PAGE_SHIFT);
	bool created;
	struct page *page;
	/* mremap may grow a region past its object: no page is there. */
	if (idx >= v->shm->npages)
		return MM_FAULT_BUS;
	int err = shm_page(v->shm, idx, &page, &created);
	if (err == -EIO)
		return MM_FAULT_IO;
	if (err == -ENOSPC)
		return MM_FAULT_BUS; /* the tmpfs is full: SIGBUS, as Linux */
	if (err)
		return MM_FAULT_OOM;
	if (created)
		vm_events.zero_faults++;
	if (write)
		user_page_drop_swap(page);
	trace_fault(MM_TRACE_SHM_PAGE, mm->trace_pid, va, page, MM_TRACE_NONE);
	get_page(page);
	return map_frame(mm, v, va, page,
			 vma_pte_prot(v, page_swapcached(page)));
}

/*
 * Replaces the mapping of old at va (PTE *ptep) by one of new, a frame the
 * caller holds a reference to, with PTE bits prot (a copy-on-write break).
 * Returns 0, or -ENOMEM when no reverse-map item could be had (nothing
 * changed; the caller still holds both references).
 */
static int replace_frame(struct mm *mm, struct vma *v, vaddr_t va,
			 pte_t *ptep, struct page *old, struct page *new,
			 uint32_t prot)
{
	if (rmap_add(new, v, va) < 0)
		return -ENOMEM;
	vm_pte_set(&mm->space, va, ptep,
		   pte_make(page_to_phys(new), PTE_P | prot));
	rmap_remove(old, mm, va);
	vmscan_track(new);
	/* vm_pte_set flushed the old translation: the frame may go. */
	user_page_put(old);
	return 0;
}

/*
 * A frame holding a copy of src, for a write that must not change src
 * (copy-on-write). src is pinned meanwhile: the allocation may reclaim,
 * and must not evict it. NULL when out of memory.
 */
static struct page *copy_of(struct page *src)
{
	get_page(src);
	struct page *copy = vm_alloc_user_page(0);
	if (copy)
		highmem_copy_page(copy, src);
	src->refcount--;
	KASSERT(src->refcount > 0);
	return copy;
}

/* A write to a present read-only page of a writable region. */
static enum mm_fault_result fault_write_protect(struct mm *mm, struct vma *v,
						vaddr_t va, pte_t *ptep,
						pte_t pte)
{
	/* LAB 4 BEGIN: break copy-on-write: reuse the frame or copy it */
	struct page *old = phys_to_page(pte_frame(pte));
	KASSERT(old && old->refcount > 0);

	/* Whatever happens next, the page is about to differ from its slot. */
	if (vma_shares_pages(v)) {
		trace_fault(MM_TRACE_SHARED_WRITE, mm->trace_pid, va, old,
			    MM_TRACE_NONE);
		user_page_drop_swap(old);
		vm_pte_set(&mm->space, va, ptep, pte | PTE_W | PTE_U);
		return MM_FAULT_OK;
	}
	vm_events.cow_faults++;
	if (old->refcount == 1) {
		/* Every other mapper has gone: the frame is ours alone. */
		trace_fault(MM_TRACE_COW_REUSE, mm->trace_pid, va, old,
			    MM_TRACE_NONE);
		user_page_drop_swap(old);
		vm_pte_set(&mm->space, va, ptep,
			   (pte & ~(pte_t)PTE_COW) | PTE_W | PTE_U);
		return MM_FAULT_OK;
	}
	struct page *copy = copy_of(old);
	if (!copy)
		return MM_FAULT_OOM;
	if (replace_frame(mm, v, va, ptep, old, copy, PTE_U | PTE_W) < 0) {
		put_page(copy);
		return MM_FAULT_OOM;
	}
	vm_events.cow_copies++;
	trace_fault(MM_TRACE_COW_COPY, mm->trace_pid, va, copy, MM_TRACE_NONE);
	return MM_FAULT_OK;
	/* LAB 4 END */
}

/*
 * A fault at a swap entry of a private region (a major fault unless
 * another mapping of the slot has read it back already):
 *
 *   read, slot cached     map the cached frame read-only, copy-on-write
 *   read, not cached      read the slot into a new frame, which enters the
 *                         swap cache (with a slot reference of its own)
 *                         and is mapped read-only, copy-on-write
 *   write, slot cached    a private copy of the cached frame, writable
 *   write, not cached     read the slot into a new frame, writable
 *
 * Once the page is mapped, the swap entry's slot reference is dropped
 * (the slot is freed with its last reference). A read error leaves the
 * swap entry as it was and reports MM_FAULT_IO.
 */
static enum mm_fault_result fault_swap(struct mm *mm, struct vma *v,
				       vaddr_t va, pte_t pte, bool write)
{
	/* LAB 6 BEGIN: read the page back from swap (or the cache), map it */
	uint32_t slot = pte_swap_slot(pte);
	struct page *page = swap_cache_lookup(slot);
	/* Read-only and copy-on-write: the frame is or may become shared. */
	uint32_t prot = vma_pte_prot(v, true) | PTE_COW;
	bool major = false; /* read from the device (not the cache) */

	KASSERT(!vma_shares_pages(v));
	if (page) {
		vm_events.swapcache_hits++;
		/* The frame the fault maps is the cached one or its copy. */
		if (write) {
			page = copy_of(page);
			if (!page)
				return MM_FAULT_OOM;
			prot = vma_pte_prot(v, false);
		} else {
			get_page(page);
		}
		trace_fault(MM_TRACE_SWAP_CACHE, mm->trace_pid, va, page, slot);
	} else {
		page = vm_alloc_user_page(0);
		if (!page)
			return MM_FAULT_OOM;
		void *kva = kmap_atomic(page);
		int err = swap_read_page(slot, kva);
		kunmap_atomic(kva);
		if (err < 0) {
			put_page(page);
			vm_events.swap_read_errors++;
			return MM_FAULT_IO;
		}
		vm_events.pgmajfault++;
		vm_events.pswpin++;
		trace_fault(MM_TRACE_SWAP_IN, mm->trace_pid, va, page, slot);
		/* The swap entry's slot reference becomes the cache's. */
		if (!write && swap_cache_add(page, slot) == 0) {
			if (user_page_map(mm, v, va, page, prot) < 0) {
				/* Back to the swap entry, which stays. */
				swap_cache_del(page);
				put_page(page);
				return MM_FAULT_OOM;
			}
			mm->swap_pages--;
			vmscan_refault(page, slot);
			return MM_FAULT_OK;
		}
		/* Written at once (or no room to cache it): a private page. */
		prot = vma_pte_prot(v, false);
		major = true;
	}
	enum mm_fault_result r = map_frame(mm, v, va, page, prot);
	if (r != MM_FAULT_OK)
		return r;
	if (major)
		vmscan_refault(page, slot);
	swap_slot_put(slot);
	mm->swap_pages--;
	return MM_FAULT_OK;
	/* LAB 6 END */
}

/* Makes the page at va present as the access needs (see mm_internal.h). */
enum mm_fault_result fault_in(struct mm *mm, struct vma *v, vaddr_t va,
			      bool write)
{
	/* Swapped out as a whole: the page tables come back first. */
	if (unlikely(mm_swap_pending(mm))) {
		int err = mm_swap_in_tables(mm);
		if (err)
			return err == -ENOMEM ? MM_FAULT_OOM : MM_FAULT_IO;
	}
	pte_t *ptep = vm_pte_lookup(&mm->space, va);
	pte_t pte = ptep ? *ptep : 0;

	if (pte_present(pte)) {
		if (write && !(pte & PTE_W))
			return fault_write_protect(mm, v, va, ptep, pte);
		if (!(pte & PTE_U)) {
			/* Defensive: the region allows access, so must the PTE. */
			vm_pte_set(&mm->space, va, ptep, pte | PTE_U);
			return MM_FAULT_OK;
		}
		/* Already as needed: the CPU used a stale TLB entry. */
		if (vm_space_current() == &mm->space)
			port_tlb_flush_page(va);
		return MM_FAULT_OK;
	}
	/* The page comes in: a process over RLIMIT_RSS makes room first. */
	if (unlikely(mm->rss_limited))
		vmscan_rss_limit(mm);
	enum mm_fault_result r;
	if (pte_is_swap(pte))
		r = fault_swap(mm, v, va, pte, write);
	else if (v->kind == VMA_SHM)
		r = fault_shared(mm, v, va, write);
	else if (v->kind == VMA_FILE && v->file.cache)
		r = fault_cache_copy(mm, v, va); /* a tmpfs file */
	else if (v->kind == VMA_FILE)
		r = fault_file(mm, v, va);
	else
		r = fault_zero(mm, v, va); /* anonymous, heap, stack */
	/*
	 * Local replacement leaves it while the instruction may need it;
	 * only a process under RLIMIT_RSS has local replacement.
	 */
	if (unlikely(mm->rss_limited) && r == MM_FAULT_OK)
		vmscan_note_fault(mm, va);
	return r;
}

/* Resolves a page fault (see mm.h and the table above). */
enum mm_fault_result mm_fault(struct mm *mm, vaddr_t addr, uint32_t error)
{
	vm_events.pgfault++;
	if (addr >= KERNEL_VMA)
		return MM_FAULT_KERNEL_ADDRESS;
	struct vma *v = mm_find_vma(mm, addr);
	if (!v) {
		enum mm_fault_result r = vma_grow_stack(mm, addr, &v);
		if (r != MM_FAULT_OK)
			return r;
	}
	if (!access_allowed(v, error))
		return MM_FAULT_PROTECTION;
	return fault_in(mm, v, page_round_down(addr), error & MM_PF_WRITE);
}

/*
 * The frame behind user address va of mm, brought in as an access of the
 * kind would. Returns 0 and *out, -EFAULT or -ENOMEM.
 */
static int user_frame(struct mm *mm, vaddr_t va, bool write, struct page **out)
{
	struct vma *v = mm_find_vma(mm, va);
	if (!v && vma_grow_stack(mm, va, &v) != MM_FAULT_OK)
		return -EFAULT;
	if (!access_allowed(v, write ? MM_PF_WRITE : 0))
		return -EFAULT;
	vaddr_t page_va = page_round_down(va);
	pte_t *ptep = vm_pte_lookup(&mm->space, page_va);
	if (!ptep || !pte_present(*ptep) || (write && !(*ptep & PTE_W))) {
		enum mm_fault_result r = fault_in(mm, v, page_va, write);
		if (r != MM_FAULT_OK)
			return r == MM_FAULT_OOM ? -ENOMEM : -EFAULT;
		ptep = vm_pte_lookup(&mm->space, page_va);
	}
	*out = phys_to_page(pte_frame(*ptep));
	return 0;
}

/* Copies between a kernel buffer and the user memory of mm. */
static int user_copy(struct mm *mm, vaddr_t addr, void *buf, size_t n,
		     bool write)
{
	uint8_t *p = buf;
	if (n == 0)
		return 0;
	if (addr >= KERNEL_VMA || n > KERNEL_VMA - addr)
		return -EFAULT;
	/*
	 * A look at a swapped-out process (/proc/PID/cmdline) reads from
	 * swap in place rather than bring it back; a page never touched
	 * takes the ordinary path, which does.
	 */
	if (!write && unlikely(mm->swapped_out)) {
		int err = mm_swapped_read(mm, addr, buf, n);
		if (err != -EFAULT)
			return err;
	}
	while (n) {
		uint32_t off = addr & (PAGE_SIZE - 1);
		size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		struct page *page;
		int err = user_frame(mm, addr, write, &page);
		if (err)
			return err;
		uint8_t *kva = kmap_atomic(page);
		if (write)
			memcpy(kva + off, p, chunk);
		else
			memcpy(p, kva + off, chunk);
		kunmap_atomic(kva);
		p += chunk;
		addr += chunk;
		n -= chunk;
	}
	return 0;
}

/* Writes into the user memory of mm (see mm.h). */
int mm_write(struct mm *mm, vaddr_t addr, const void *src, size_t n)
{
	return user_copy(mm, addr, (void *)(uintptr_t)src, n, true);
}

/* Reads the user memory of mm (see mm.h). */
int mm_read(struct mm *mm, vaddr_t addr, void *dst, size_t n)
{
	return user_copy(mm, addr, dst, n, false);
}

/* Whether the regions over [addr, addr + n) allow the access. */
int mm_check_access(struct mm *mm, vaddr_t addr, size_t n, bool write)
{
	if (n == 0)
		return 0;
	if (addr >= KERNEL_VMA || n > KERNEL_VMA - addr)
		return -EFAULT;
	uint64_t end = (uint64_t)addr + n;
	for (struct vma *v = vma_find_from(mm, addr); v && v->start < end;
	     v = mm_next_vma(mm, v)) {
		if (!access_allowed(v, write ? MM_PF_WRITE : 0))
			return -EFAULT;
	}
	return 0;
}
