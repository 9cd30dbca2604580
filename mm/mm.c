/*
 * mm/mm.c - address spaces as a whole: creating, destroying and copying
 * them for fork, and reporting on them (/proc/PID/maps, status figures,
 * the invariant checker).
 *
 * Fork copies the region list and the page tables, never page data:
 * every present private page becomes copy-on-write in both spaces
 * (read-only, PTE_COW, one more frame reference), shared pages get one
 * more mapping. The first write on either side then faults and copies
 * (mm/fault.c). The child's copy of a private region joins the region's
 * anonymous family (mm/rmap.h), which is how the reverse map finds the
 * child's PTEs: per resident page, fork writes a page table entry and
 * raises the frame's reference and map counts, nothing more.
 *
 * Pages in swap are copied the same way: the child's PTE is the same swap
 * entry, and the slot gets one more reference (swap_slot_dup), so the
 * page stays shared in swap until one side faults it in.
 *
 * Ownership: an mm owns its regions, its page tables, one reference on
 * every frame its present PTEs map (and one count of its map count,
 * mm/rmap.h), its regions' places in their anonymous families and one
 * reference on the swap slot of each swap entry; mm_destroy() returns all
 * of them.
 */
#include <stdarg.h>

#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/procswap.h"
#include "mm/pmm.h"
#include "mm/policy.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/vm.h"

/* No limit (Linux's RLIM_INFINITY). */
#define MM_NO_LIMIT UINT64_MAX

/* Creates an empty address space. */
int mm_create(struct mm **out)
{
	struct mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);
	if (!mm)
		return -ENOMEM;
	int err = vm_space_init(&mm->space);
	if (err) {
		kfree(mm);
		return err;
	}
	list_init(&mm->vmas);
	mm->stack_top = MM_STACK_TOP;
	mm->limit_stack = MM_DEFAULT_STACK_LIMIT;
	mm->limit_as = MM_NO_LIMIT;
	mm->limit_data = MM_NO_LIMIT;
	mm_set_limit_rss(mm, MM_NO_LIMIT);
	mm->mmap_base = MM_STACK_TOP - MM_DEFAULT_STACK_LIMIT - MM_STACK_GAP;
	mm->users = 1;
	*out = mm;
	return 0;
}

/* Frees everything the address space holds. */
void mm_destroy(struct mm *mm)
{
	struct list_node *pos, *tmp;

	if (!mm)
		return;
	if (vm_space_current() == &mm->space)
		vm_space_activate(&kernel_space);
	/*
	 * One pass over the tables: each entry gives back its slot or its
	 * reverse-map pair, then its frame reference; the tables go. Then
	 * the regions, whose shm objects may go with them: a shm frame must
	 * be unmapped before its object can free it.
	 */
	mm_swap_forget(mm); /* page tables in swap (mm/procswap.c) */
	vm_space_destroy_with(&mm->space, vm_zap_entry, mm);
	KASSERT(mm->swap_pages == 0);
	list_for_each_safe(pos, tmp, &mm->vmas) {
		list_remove(pos);
		vma_free(vma_of(pos));
	}
	kfree(mm->ldt);
	kfree(mm);
}

struct mm *mm_get(struct mm *mm)
{
	KASSERT(mm->users > 0);
	mm->users++;
	return mm;
}

void mm_put(struct mm *mm)
{
	if (!mm)
		return;
	KASSERT(mm->users > 0);
	if (--mm->users == 0)
		mm_destroy(mm);
}

struct fork_walk {
	struct mm *child;
	struct vma *region;   /* the child's copy of the region */
	bool shared;	      /* the region's pages are shared, not COW */
	struct tlb_batch tlb; /* parent PTEs made read-only */
};

/*
 * What the child gets for one entry of the parent (a vm_copy_range
 * callback): a swap entry is shared, with one more slot reference; a
 * present page is mapped by both, write-protected for copy-on-write in
 * both unless the region shares its pages. The child's entry starts old
 * and clean (accessed and dirty clear), as Linux's copy_pte_range does.
 */
static int fork_pte(vaddr_t va, pte_t *ptep, pte_t *out, void *arg)
{
	/* LAB 4 BEGIN: share the page with the child, both copy-on-write */
	struct fork_walk *w = arg;
	pte_t pte = *ptep;

	if (pte_is_swap(pte)) {
		swap_slot_dup(pte_swap_slot(pte));
		w->child->swap_pages++;
		*out = pte;
		return 0;
	}
	struct page *page = phys_to_page(pte_frame(pte));
	KASSERT(page && page->refcount > 0);
	if (!w->shared && (pte & (PTE_W | PTE_COW)) != PTE_COW) {
		/* Present stays present: the table's entry count holds. */
		pte = (pte & ~(pte_t)PTE_W) | PTE_COW;
		*ptep = pte;
		tlb_batch_add(&w->tlb, va);
	}
	if (w->shared) {
		int err = rmap_add(page, w->region, va);
		if (err)
			return err;
	} else {
		/* The copy is in the page's family already: a count. */
		rmap_dup(page);
	}
	get_page(page);
	if (++w->child->rss > w->child->rss_peak)
		w->child->rss_peak = w->child->rss;
	*out = pte_make(pte_frame(pte),
			PTE_P | (pte_flags(pte) & (PTE_U | PTE_W | PTE_COW)));
	return 0;
	/* LAB 4 END */
}

/* Copies an address space for fork. */
int mm_fork(struct mm *parent, struct mm **out)
{
	struct mm *child;
	struct fork_walk w;
	struct list_node *pos;
	/* Tables in swap (mm/procswap.c) are copied once they are back. */
	int err = mm_swap_pending(parent) ? mm_swap_in_tables(parent) : 0;
	if (err)
		return err;
	err = mm_create(&child);
	if (err)
		return err;
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->stack_top = parent->stack_top;
	child->mmap_base = parent->mmap_base;
	child->limit_stack = parent->limit_stack;
	child->limit_as = parent->limit_as;
	child->limit_data = parent->limit_data;
	mm_set_limit_rss(child, parent->limit_rss);

	/*
	 * The copy needs page tables and reverse-map items, which do not
	 * reclaim for themselves: make room first if memory is low.
	 */
	vmscan_make_room();

	w.child = child;
	tlb_batch_init(&w.tlb, &parent->space);
	list_for_each(pos, &parent->vmas) {
		struct vma *v = vma_of(pos);
		struct vma *c = vma_dup(v);
		if (!c) {
			err = -ENOMEM;
			goto out_destroy;
		}
		/* Memory locks are not inherited (Linux's fork(2)). */
		c->flags &= ~VMA_LOCKED;
		c->mm = child;
		list_push_back(&child->vmas, &c->node);
		w.region = c;
		w.shared = vma_shares_pages(v);
		err = vm_copy_range(&parent->space, &child->space, v->start,
				    v->end - v->start, fork_pte, &w);
		if (err)
			goto out_destroy;
	}
	tlb_batch_finish(&w.tlb);
	*out = child;
	return 0;

out_destroy:
	/* The parent's pages stay COW; its next write just takes them back. */
	tlb_batch_finish(&w.tlb);
	mm_destroy(child);
	return err;
}

/* Fills in the /proc/PID/status figures. */
/* Counts a present entry (a vm_walk callback). */
static int count_present(vaddr_t va, pte_t *ptep, void *arg)
{
	(void)va;
	if (pte_present(*ptep))
		++*(uint32_t *)arg;
	return 0;
}

void mm_get_usage(struct mm *mm, struct mm_usage *u)
{
	struct list_node *pos;

	memset(u, 0, sizeof(*u));
	list_for_each(pos, &mm->vmas) {
		struct vma *v = vma_of(pos);
		uint32_t n = vma_pages(v);
		bool w = v->prot & MM_PROT_WRITE;
		bool stack = v->flags & VMA_GROWSDOWN;
		u->vm_size += n;
		/* Linux's classes: is_data_mapping, is_stack_mapping, is_exec_mapping. */
		if (w && !(v->flags & VMA_SHARED) && !stack)
			u->vm_data += n;
		if (stack)
			u->vm_stk += n;
		if (v->flags & VMA_LOCKED)
			u->vm_lck += n;
		if ((v->prot & MM_PROT_EXEC) && !w && !stack)
			u->vm_exe += n;
		if (v->kind == VMA_FILE || v->kind == VMA_SHM)
			vm_walk(&mm->space, v->start, v->end - v->start,
				count_present, &u->rss_shared);
	}
	u->vm_rss = mm->rss;
	u->vm_swap = mm->swap_pages;
	u->vm_pte = mm->space.nr_pgtables;
	u->swapped_out = mm->swapped_out;
}

/*
 * Linux pads the maps line to this column before the path (fs/proc/
 * task_mmu.c: 25 + 6 * sizeof(void *) - 1 on a 64-bit kernel, which is
 * what i386 programs see on x86-64 Linux, the reference).
 */
#define MAPS_NAME_COLUMN 72
/* Device number Linux shows for shared memory (its internal tmpfs, 00:01). */
#define MAPS_SHM_DEV 0x01u

/*
 * Text formatted into a caller's buffer the way snprintf fills one: what
 * fits is written, and the length of the whole text is counted. The text
 * is a sequence of entries (a maps line, an smaps block) kept whole: the
 * first entry that does not fit is taken back, and nothing is written
 * after it, though everything is still counted. No line is built in a
 * buffer of its own first, so no path is too long.
 */
struct text {
	char *buf;
	size_t size;
	size_t len;   /* length of the whole text so far */
	size_t entry; /* where the current entry started */
	bool cut;     /* an entry did not fit: write nothing more */
};

static void text_init(struct text *t, char *buf, size_t size)
{
	t->buf = buf;
	t->size = size;
	t->len = 0;
	t->entry = 0;
	t->cut = false;
	if (size)
		buf[0] = '\0';
}

/* Appends formatted text (or only counts it, once the text is cut). */
__attribute__((format(printf, 2, 3))) static void
text_printf(struct text *t, const char *fmt, ...)
{
	size_t room = !t->cut && t->len < t->size ? t->size - t->len : 0;
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/*
 * Ends an entry: if it did not fit whole (with the final NUL), the text
 * ends where it started.
 */
static void text_end_entry(struct text *t)
{
	if (!t->cut && t->len >= t->size) {
		t->cut = true;
		if (t->entry < t->size)
			t->buf[t->entry] = '\0';
	}
	t->entry = t->len;
}

/*
 * Appends the maps line of v: start-end perms offset dev inode, then for
 * a named region padding to MAPS_NAME_COLUMN, a space and the name (the
 * whole path of a file, however long, as Linux prints it).
 */
static void maps_line(struct text *t, const struct vma *v)
{
	uint64_t offset = 0;
	uint32_t dev = 0, ino = 0;

	if (v->kind == VMA_FILE) {
		offset = v->file.offset;
		dev = v->file.dev;
		ino = v->file.ino;
	} else if (v->kind == VMA_SHM) {
		offset = (uint64_t)v->shm_pgoff << PAGE_SHIFT;
		dev = v->shm->path ? v->shm->dev : MAPS_SHM_DEV;
		ino = v->shm->ino;
	}
	size_t line = t->len;
	text_printf(t, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
		    (unsigned long)v->start, (unsigned long)v->end,
		    v->prot & MM_PROT_READ ? 'r' : '-',
		    v->prot & MM_PROT_WRITE ? 'w' : '-',
		    v->prot & MM_PROT_EXEC ? 'x' : '-',
		    v->flags & VMA_SHARED ? 's' : 'p',
		    (unsigned long long)offset, dev >> 8, dev & 0xFF,
		    (unsigned long)ino);
	if (v->kind == VMA_ANON || (v->kind == VMA_FILE && !v->file.path)) {
		text_printf(t, "\n");
		return;
	}
	/* Padding up to the column (Linux's seq_pad), then one space. */
	size_t n = t->len - line;
	int pad = n < MAPS_NAME_COLUMN ? (int)(MAPS_NAME_COLUMN - n) : 0;
	text_printf(t, "%*s ", pad, "");
	switch (v->kind) {
	case VMA_FILE:
		text_printf(t, "%s\n", v->file.path);
		break;
	case VMA_HEAP:
		text_printf(t, "[heap]\n");
		break;
	case VMA_STACK:
		text_printf(t, "[stack]\n");
		break;
	case VMA_SHM:
		/* The names Linux gives its shmem files (ipc/shm.c, mm/shmem.c). */
		if (v->shm->path)
			text_printf(t, "%s%s\n", v->shm->path,
				    v->shm->unlinked ? " (deleted)" : "");
		else if (v->shm->id >= 0)
			text_printf(t, "/SYSV%08x%s\n",
				    (unsigned int)v->shm->orig_key,
				    v->shm->removed ? " (deleted)" : "");
		else
			text_printf(t, "/dev/zero (deleted)\n");
		break;
	case VMA_ANON:
		break;
	}
}

/* Writes /proc/PID/maps text; returns the full length (see mm.h). */
size_t mm_format_maps(struct mm *mm, char *buf, size_t size)
{
	struct text t;
	struct list_node *pos;

	text_init(&t, buf, size);
	list_for_each(pos, &mm->vmas) {
		maps_line(&t, vma_of(pos));
		text_end_entry(&t);
	}
	return t.len;
}

/* Per-region page statistics for smaps, gathered by a page-table walk. */
struct smaps_walk {
	uint32_t rss, shared_clean, shared_dirty, private_clean,
		private_dirty, referenced, swap;
	uint64_t pss_x4096;  /* proportional share, in 1/4096 of a KiB */
};

static int smaps_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	struct smaps_walk *w = arg;
	pte_t pte = *ptep;
	(void)va;
	if (pte_is_swap(pte))
		w->swap++;
	if (!pte_present(pte))
		return 0;
	struct page *pg = phys_to_page(pte_frame(pte));
	uint32_t users = pg && pg->refcount > 1 ? (uint32_t)pg->refcount : 1;
	bool dirty = pte & PTE_D;
	w->rss++;
	w->pss_x4096 += (uint64_t)4 * 4096 / users;
	if (pte & PTE_A)
		w->referenced++;
	if (users > 1)
		dirty ? w->shared_dirty++ : w->shared_clean++;
	else
		dirty ? w->private_dirty++ : w->private_clean++;
	return 0;
}

/* Appends one "Field:   N kB" line of smaps (Linux's layout). */
static void smaps_field(struct text *t, const char *name, uint64_t kb)
{
	text_printf(t, "%-16s%8llu kB\n", name, (unsigned long long)kb);
}

/* Appends the smaps entry of v: its maps line, then its figures. */
static void smaps_entry(struct text *t, struct mm *mm, const struct vma *v)
{
	struct smaps_walk w = { 0 };
	uint32_t kb = PAGE_SIZE / 1024;
	bool anon = v->kind != VMA_FILE && v->kind != VMA_SHM;

	vm_walk(&mm->space, v->start, v->end - v->start, smaps_pte, &w);
	maps_line(t, v);
	smaps_field(t, "Size:", (v->end - v->start) / 1024);
	smaps_field(t, "KernelPageSize:", kb);
	smaps_field(t, "MMUPageSize:", kb);
	smaps_field(t, "Rss:", (uint64_t)w.rss * kb);
	smaps_field(t, "Pss:", w.pss_x4096 / 4096);
	smaps_field(t, "Shared_Clean:", (uint64_t)w.shared_clean * kb);
	smaps_field(t, "Shared_Dirty:", (uint64_t)w.shared_dirty * kb);
	smaps_field(t, "Private_Clean:", (uint64_t)w.private_clean * kb);
	smaps_field(t, "Private_Dirty:", (uint64_t)w.private_dirty * kb);
	smaps_field(t, "Referenced:", (uint64_t)w.referenced * kb);
	smaps_field(t, "Anonymous:", anon ? (uint64_t)w.rss * kb : 0);
	smaps_field(t, "Swap:", (uint64_t)w.swap * kb);
	smaps_field(t, "Locked:", 0);
}

/* Writes /proc/PID/smaps text: whole entries only, like mm_format_maps. */
size_t mm_format_smaps(struct mm *mm, char *buf, size_t size)
{
	struct text t;
	struct list_node *pos;

	text_init(&t, buf, size);
	list_for_each(pos, &mm->vmas) {
		smaps_entry(&t, mm, vma_of(pos));
		text_end_entry(&t);
	}
	return t.len;
}

/* Logs an invariant violation for mm_check(). */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			pr_err("mm_check: " __VA_ARGS__);                      \
			return -EINVAL;                                        \
		}                                                              \
	} while (0)

struct check_walk {
	struct mm *mm;
	const struct vma *v;
	uint32_t present;
	uint32_t swapped;
	int bad;
	vaddr_t bad_va;
};

/* Checks one PTE of a region against the region. */
static int check_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	struct check_walk *c = arg;
	const struct vma *v = c->v;
	pte_t pte = *ptep;

	c->bad_va = va;
	if (pte_is_swap(pte)) {
		c->swapped++;
		if (!vma_shares_pages(v) && !v->family)
			c->bad = 10; /* a private region without a family */
		else if (vma_shares_pages(v))
			c->bad = 5; /* shm pages in swap are the object's */
		else if (swap_slot_refs(pte_swap_slot(pte)) == 0)
			c->bad = 6; /* the slot is not allocated */
		return c->bad;
	}
	c->present++;
	struct page *page = phys_to_page(pte_frame(pte));
	bool cow = pte & PTE_COW;
	if (!page || page->refcount < 1 || !(page->flags & PG_USER))
		return c->bad = 1; /* not an allocated user frame */
	/* A page in the swap cache stays read-only (mm/swap_state.c). */
	bool wp = cow || page_swapcached(page);
	uint32_t owners = rmap_mapcount(page) + (page_shm(page) ? 1 : 0);
	uint32_t want = vma_pte_prot(v, wp), have = pte & (PTE_U | PTE_W);
	/*
	 * A shared page may also be read-only where the region is writable:
	 * the write that ended its clean copy went through another mapping,
	 * and this one becomes writable on its own first write.
	 */
	if (vma_shares_pages(v) && !(have & PTE_W))
		want &= ~(uint32_t)PTE_W;
	if (have != want)
		c->bad = 2; /* PTE rights differ from the region's */
	else if (!vma_shares_pages(v) && page->refcount > 1 && !cow)
		c->bad = 3; /* a shared private frame must be COW */
	else if (vma_shares_pages(v) &&
		 v->shm->pages[v->shm_pgoff + ((va - v->start) >> PAGE_SHIFT)] !=
			 page)
		c->bad = 4; /* not the shm object's frame */
	else if (!rmap_maps(page, v, va))
		c->bad = 7; /* the reverse map does not find it */
	else if ((uint32_t)page->refcount != owners)
		c->bad = 8; /* references are not mappings (+ owner) */
	else if (!policy_page_tracked(page))
		c->bad = 9; /* not tracked by the replacement policy */
	return c->bad;
}

/* Whether v is on f's list of regions, which counts them right. */
static bool family_has(const struct anon_family *f, const struct vma *v)
{
	const struct list_node *pos;
	uint32_t n = 0;
	bool found = false;
	for (pos = f->vmas.next; pos != &f->vmas; pos = pos->next) {
		n++;
		if (pos == &v->family_node)
			found = true;
	}
	return found && n == f->refcount;
}

/* Counts the present and swap entries of the whole user half. */
static int count_user_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	uint32_t *n = arg;
	(void)va;
	if (pte_present(*ptep))
		n[0]++;
	else
		n[1]++;
	return 0;
}

/* Checks the address space's invariants (see mm.h). */
int mm_check(struct mm *mm)
{
	static const char *const why[] = {
		"",
		"maps a frame that is not an allocated user frame",
		"has rights its region does not give",
		"maps a shared private frame without PTE_COW",
		"maps a frame that is not its shm object's",
		"is a swap entry in a shared region",
		"is a swap entry for a slot that is not allocated",
		"maps a frame the reverse map does not find there",
		"maps a frame whose references are not its mappings",
		"maps a frame the replacement policy does not track",
		"is a swap entry of a private region without a family",
	};
	struct list_node *pos;
	vaddr_t prev_end = 0;
	uint32_t in_regions = 0, swapped = 0, all[2] = { 0, 0 };

	list_for_each(pos, &mm->vmas) {
		struct vma *v = vma_of(pos);
		CHECK(v->start < v->end && !(v->start & ~PAGE_MASK) &&
			      !(v->end & ~PAGE_MASK) && v->end <= KERNEL_VMA,
		      "bad region %#x-%#x\n", v->start, v->end);
		CHECK(v->start >= prev_end, "region %#x-%#x out of order\n",
		      v->start, v->end);
		CHECK((v->kind == VMA_SHM) == (v->shm != NULL),
		      "region %#x-%#x: shm object and kind disagree\n",
		      v->start, v->end);
		CHECK(!(v->prot & MM_PROT_WRITE) || (v->flags & VMA_MAYWRITE),
		      "region %#x-%#x: writable without VMA_MAYWRITE\n",
		      v->start, v->end);
		CHECK(v->kind != VMA_HEAP ||
			      (v->start >= mm->brk_start && v->start <= mm->brk),
		      "region %#x-%#x: heap, but not from the break's start "
		      "to the break\n",
		      v->start, v->end);
		if (v->shm)
			CHECK(v->shm->refcount > 0,
			      "region %#x-%#x: its shm object is gone\n",
			      v->start, v->end);
		CHECK(v->mm == mm, "region %#x-%#x: belongs to mm %p\n",
		      v->start, v->end, (void *)v->mm);
		CHECK(!v->family || !vma_shares_pages(v),
		      "region %#x-%#x: shared, yet in an anonymous family\n",
		      v->start, v->end);
		CHECK(!v->family || family_has(v->family, v),
		      "region %#x-%#x: not on its anonymous family's list\n",
		      v->start, v->end);
		prev_end = v->end;
		struct check_walk c = { mm, v, 0, 0, 0, 0 };
		vm_walk(&mm->space, v->start, v->end - v->start, check_pte, &c);
		CHECK(!c.bad, "page %#x of region %#x-%#x %s\n", c.bad_va,
		      v->start, v->end, why[c.bad]);
		in_regions += c.present;
		swapped += c.swapped;
	}
	vm_walk(&mm->space, 0, KERNEL_VMA, count_user_pte, all);
	CHECK(all[0] == in_regions,
	      "%u present user pages, %u inside regions\n", all[0],
	      in_regions);
	CHECK(all[0] == mm->rss, "%u present user pages, rss says %u\n",
	      all[0], mm->rss);
	CHECK(all[1] == swapped, "%u swap entries, %u inside regions\n",
	      all[1], swapped);
	/* Entries in page tables that are in swap cannot be walked. */
	CHECK(all[1] + mm->swapped_entries == mm->swap_pages,
	      "%u swap entries (+ %u in tables in swap), swap_pages says %u\n",
	      all[1], mm->swapped_entries, mm->swap_pages);
	CHECK(!mm->swapped_entries || mm->space.nr_swapped,
	      "%u swap entries in tables in swap, but no table is\n",
	      mm->swapped_entries);
	return vm_space_check(&mm->space);
}
