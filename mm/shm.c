/*
 * mm/shm.c - shared memory objects and System V shared memory segments.
 *
 * See mm/shm.h for the reference rules. SysV segments live in a small
 * table; a segment's id is its slot plus SHM_MAX_SEGMENTS times the
 * slot's reuse count, so a stale id does not find the next segment to use
 * the slot. The table keeps a segment from the moment shmget creates it
 * until it is destroyed (removed and no longer attached), which is how
 * Linux lets a removed but attached segment be attached again by id.
 *
 * A page of an object is in one of three states: never touched (pages[i]
 * NULL, slots[i] 0), resident (pages[i] set; the frame's user.shm and
 * user.shm_idx point back here, and it is tracked by the replacement
 * policy from its creation, mapped or not), or in swap (pages[i] NULL,
 * slots[i] the slot).
 *
 * Locking: none (see mm/shm.h).
 */
#include "mm/shm.h"
#include "mm/swapoff.h"

#include "libk/assert.h"
#include "libk/errno.h"
#include "mm/highmem.h"
#include "mm/mm.h"
#include "mm/filemap.h"
#include "mm/mm_internal.h"
#include "mm/pmm.h"
#include "mm/rmap.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/trace.h"

static struct shm_object *segments[SHM_MAX_SEGMENTS];
static uint32_t slot_reuse[SHM_MAX_SEGMENTS];
/* Inode numbers for /proc/PID/maps of shared anonymous objects. */
static uint32_t next_ino = 1;
/* Every object, for the page-cache totals of /proc/meminfo. */
static struct list_node all_objects = { &all_objects, &all_objects };

/* Creates an object with one reference, the caller's. */
struct shm_object *shm_create(uint32_t size)
{
	KASSERT(size <= KERNEL_VMA);
	uint32_t npages = page_round_up(size) >> PAGE_SHIFT;
	struct shm_object *s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	if (npages) {
		s->pages = kzalloc(npages * sizeof(*s->pages), GFP_KERNEL);
		s->slots = kzalloc(npages * sizeof(*s->slots), GFP_KERNEL);
	}
	if (npages && (!s->pages || !s->slots)) {
		kfree(s->pages);
		kfree(s->slots);
		kfree(s);
		return NULL;
	}
	s->refcount = 1;
	s->npages = npages;
	s->capacity = npages;
	s->size = size;
	s->id = -1;
	s->ino = next_ino++;
	list_push_back(&all_objects, &s->all);
	return s;
}

/* Frees the object's frames (those still mapped live on) and itself. */
static void shm_destroy(struct shm_object *s)
{
	for (uint32_t i = 0; i < s->npages; i++) {
		if (s->pages[i])
			user_page_put(s->pages[i]);
		if (s->slots[i])
			swap_slot_put(s->slots[i]);
	}
	if (s->quota)
		s->quota->used -= s->resident + s->swapped;
	list_remove(&s->all);
	kfree(s->path);
	if (s->id >= 0) {
		KASSERT(segments[s->id % SHM_MAX_SEGMENTS] == s);
		segments[s->id % SHM_MAX_SEGMENTS] = NULL;
	}
	kfree(s->pages);
	kfree(s->slots);
	kfree(s);
}

/* Takes a reference for a region that maps s. */
void shm_object_get(struct shm_object *s)
{
	KASSERT(s->refcount > 0);
	s->refcount++;
}

/* Drops a reference; the last one destroys the object. */
void shm_object_put(struct shm_object *s)
{
	KASSERT(s->refcount > 0);
	if (--s->refcount == 0)
		shm_destroy(s);
}

/* The frame of page idx: resident, new, or read back from swap. */
int shm_page(struct shm_object *s, uint32_t idx, struct page **out,
	     bool *created)
{
	KASSERT(idx < s->npages);
	*created = false;
	struct page *p = s->pages[idx];
	if (p) {
		*out = p;
		return 0;
	}
	uint32_t slot = s->slots[idx];
	if (!slot && s->quota && s->quota->used >= s->quota->max)
		return -ENOSPC;
	/* Allocating may evict other pages of s, never this absent one. */
	p = filemap_alloc_page(slot ? 0 : GFP_ZERO);
	if (!p)
		return -ENOMEM;
	p->flags |= PG_SHM;
	p->user.shm = s;
	p->user.shm_idx = idx;
	if (slot) {
		void *kva = kmap_atomic(p);
		int rerr = swap_read_page(slot, kva);
		kunmap_atomic(kva);
		if (rerr < 0) {
			put_page(p);
			vm_events.swap_read_errors++;
			return -EIO;
		}
		vm_events.pgmajfault++;
		vm_events.pswpin++;
		vm_events.pswpin_shmem++;
		/* The object's slot reference becomes the swap cache's. */
		s->slots[idx] = 0;
		s->swapped--;
		int err = swap_cache_add(p, slot);
		KASSERT(err == 0); /* shm pages need no lookup entry */
	} else {
		*created = true;
		if (s->quota)
			s->quota->used++;
	}
	s->pages[idx] = p;
	s->resident++;
	vmscan_track(p);
	if (slot)
		vmscan_refault(p, slot);
	*out = p;
	return 0;
}

/* Page idx of s went to swap (see mm/mm_internal.h). */
void shm_page_evicted(struct shm_object *s, uint32_t idx, struct page *pg,
		      uint32_t slot)
{
	KASSERT(idx < s->npages && s->pages[idx] == pg && !s->slots[idx]);
	KASSERT(pg->refcount > 1);
	s->pages[idx] = NULL;
	s->slots[idx] = slot;
	s->resident--;
	vm_events.pgsteal_shmem++;
	if (slot)
		s->swapped++;
	else if (s->quota)
		s->quota->used--; /* a page of zeros dropped: a hole again */
	pg->refcount--;
}

void shm_totals(struct shm_totals *t)
{
	*t = (struct shm_totals){ 0 };
	for (struct list_node *n = all_objects.next; n != &all_objects;
	     n = n->next) {
		struct shm_object *s = list_entry(n, struct shm_object, all);
		t->resident += s->resident;
		t->swapped += s->swapped;
		for (uint32_t i = 0; i < s->npages; i++) {
			const struct page *pg = s->pages[i];
			if (!pg)
				continue;
			if (page_swapcached(pg))
				t->swapcached++;
			if (rmap_mapcount(pg))
				t->mapped++;
		}
	}
}

int shm_unuse_swap(struct shm_object *s)
{
	for (uint32_t idx = 0; idx < s->npages; idx++) {
		struct page *pg;
		bool created;
		if (s->slots[idx] && swap_slot_draining(s->slots[idx])) {
			int err = shm_page(s, idx, &pg, &created);
			if (err)
				return err;
		}
		pg = s->pages[idx];
		if (pg && page_swapcached(pg) &&
		    swap_slot_draining(pg->user.slot))
			user_page_drop_swap(pg);
	}
	return 0;
}

/*
 * Every object, not only the SysV segments: a tmpfs file nobody maps has
 * pages in swap too.
 */
int swapoff_unuse_segments(void)
{
	for (struct list_node *n = all_objects.next; n != &all_objects;
	     n = n->next) {
		int err = shm_unuse_swap(list_entry(n, struct shm_object, all));
		if (err)
			return err;
	}
	return 0;
}

/* The segment with this id, removed or not, or NULL. */
static struct shm_object *find_id(int id)
{
	if (id < 0)
		return NULL;
	struct shm_object *s = segments[id % SHM_MAX_SEGMENTS];
	return s && s->id == id ? s : NULL;
}

/* The live (not removed) segment with this key, or NULL. */
static struct shm_object *find_key(int32_t key)
{
	for (uint32_t i = 0; i < SHM_MAX_SEGMENTS; i++) {
		struct shm_object *s = segments[i];
		if (s && !s->removed && s->key == key)
			return s;
	}
	return NULL;
}

/* shmget(). */
int shm_get(int32_t key, size_t size, int flags)
{
	if (key != IPC_PRIVATE) {
		struct shm_object *s = find_key(key);
		if (s) {
			if ((flags & (IPC_CREAT | IPC_EXCL)) ==
			    (IPC_CREAT | IPC_EXCL))
				return -EEXIST;
			if (size > s->size)
				return -EINVAL;
			return s->id;
		}
		if (!(flags & IPC_CREAT))
			return -ENOENT;
	}
	if (size < SHMMIN)
		return -EINVAL;
	/* Linux's shmmax is larger than any 32-bit size: too much memory. */
	if (size > SHM_MAX_BYTES)
		return -ENOMEM;
	uint32_t slot;
	for (slot = 0; slot < SHM_MAX_SEGMENTS; slot++)
		if (!segments[slot])
			break;
	if (slot == SHM_MAX_SEGMENTS)
		return -ENOSPC;
	struct shm_object *s = shm_create((uint32_t)size);
	if (!s)
		return -ENOMEM;
	/* Ids stay positive: the reuse count wraps before they overflow. */
	uint32_t reuse = slot_reuse[slot]++ % (INT32_MAX / SHM_MAX_SEGMENTS);
	s->id = (int)(reuse * SHM_MAX_SEGMENTS + slot);
	s->key = key;
	s->orig_key = key;
	s->mode = (uint32_t)flags & SHM_MODE_MASK;
	/* Linux shows a segment's id as its inode number in maps. */
	s->ino = (uint32_t)s->id;
	/* The creation reference becomes the id's, dropped by shm_remove. */
	segments[slot] = s;
	return s->id;
}

/* shmat(). */
int shm_attach(struct mm *mm, int id, vaddr_t addr, int shmflg, vaddr_t *out)
{
	struct shm_object *s = find_id(id);
	if (!s)
		return -EINVAL;
	if (addr & (SHMLBA - 1)) {
		if (!(shmflg & SHM_RND))
			return -EINVAL;
		addr &= ~(SHMLBA - 1);
	}
	uint32_t prot = MM_PROT_READ;
	uint32_t flags = MM_MAP_SHARED;
	/* Attached for reading only: never writable (mprotect: -EACCES). */
	if (shmflg & SHM_RDONLY)
		flags |= MM_MAP_RDONLY;
	else
		prot |= MM_PROT_WRITE;
	if (shmflg & SHM_EXEC)
		prot |= MM_PROT_EXEC;
	uint64_t len = (uint64_t)s->npages << PAGE_SHIFT;
	if (addr) {
		/* An address given is taken as is (Linux maps it MAP_FIXED). */
		struct vma *v = vma_find_from(mm, addr);
		if (v && v->start < addr + len && !(shmflg & SHM_REMAP))
			return -EINVAL;
		flags |= MM_MAP_FIXED;
	}
	int err = vma_map(mm, addr, len, prot, flags, VMA_SHM, NULL, s, out);
	if (!err)
		trace_shm(MM_TRACE_ATTACH, mm->trace_pid, *out, s->id);
	return err;
}

/* shmdt(). */
int shm_detach(struct mm *mm, vaddr_t addr)
{
	struct vma *v = mm_find_vma(mm, addr);
	if (!v || v->start != addr || v->kind != VMA_SHM || v->shm->id < 0 ||
	    v->shm_pgoff != 0)
		return -EINVAL;
	const struct shm_object *s = v->shm;
	uint64_t end = (uint64_t)addr + ((uint64_t)s->npages << PAGE_SHIFT);
	trace_shm(MM_TRACE_DETACH, mm->trace_pid, addr, s->id);
	/*
	 * The pieces of this attachment (mprotect may have split it) map the
	 * object at the offset of their distance from addr. s is only
	 * compared from here on: unmapping the last piece may free it.
	 */
	while (v && v->start < end) {
		struct vma *next = mm_next_vma(mm, v);
		if (v->kind == VMA_SHM && v->shm == s &&
		    v->shm_pgoff == (v->start - addr) >> PAGE_SHIFT) {
			int err = vma_unmap_range(mm, v->start, v->end);
			KASSERT(err == 0); /* whole regions: no split */
		}
		v = next;
	}
	return 0;
}

/* shmctl(IPC_RMID). */
int shm_remove(int id)
{
	struct shm_object *s = find_id(id);
	if (!s)
		return -EINVAL;
	if (s->removed)
		return 0;
	s->removed = true;
	/* Its key is free for a new segment from now on. */
	s->key = IPC_PRIVATE;
	shm_object_put(s);
	return 0;
}

/* shmctl(IPC_STAT). */
int shm_stat(int id, struct shm_stat *st)
{
	struct shm_object *s = find_id(id);
	if (!s)
		return -EINVAL;
	st->size = s->size;
	st->key = s->key;
	st->mode = s->mode | (s->removed ? SHM_DEST : 0);
	st->nattch = (uint32_t)s->refcount - (s->removed ? 0 : 1);
	st->uid = s->uid;
	st->gid = s->gid;
	st->cuid = s->cuid;
	st->cgid = s->cgid;
	return 0;
}

int shm_find_key(int32_t key)
{
	struct shm_object *s = key == IPC_PRIVATE ? NULL : find_key(key);
	return s ? s->id : -ENOENT;
}

int shm_set_perm(int id, uint32_t uid, uint32_t gid, uint32_t cuid,
		 uint32_t cgid, uint32_t mode)
{
	struct shm_object *s = find_id(id);
	if (!s)
		return -EINVAL;
	s->uid = uid;
	s->gid = gid;
	s->cuid = cuid;
	s->cgid = cgid;
	s->mode = mode & SHM_MODE_MASK;
	return 0;
}
