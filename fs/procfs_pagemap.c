/*
 * fs/procfs_pagemap.c - the page-inspection files of /proc, in
 * Linux's formats (Documentation/admin-guide/mm/pagemap.rst,
 * Documentation/admin-guide/mm/slabinfo.rst):
 *
 *   /proc/PID/pagemap        one 64-bit entry per virtual page of the
 *                            process, at offset (address / 4096) * 8
 *   /proc/kpageflags         one 64-bit set of flags per physical frame,
 *                            at offset PFN * 8
 *   /proc/kpagecount         one 64-bit map count per physical frame
 *   /proc/pagoda/kpageorder  Pagoda's own: per physical frame, the order of
 *                            the free block around it (mm/kpage.h)
 *   /proc/slabinfo           the kernel heap's caches, format version 2.1
 *
 * The binary files are read in whole entries: the offset and the count of
 * a read must be multiples of 8 (EINVAL otherwise, as on Linux), and
 * nothing is kept between reads, so every read sees the present state.
 * They end where the address space (pagemap: 3 GiB) or the memory map
 * (the others) end: a read there returns 0. lseek takes SEEK_SET and
 * SEEK_CUR, as Linux's mem_lseek. All are mode 0400: Pagoda's only user is
 * root, to whom Linux shows the PFNs and swap offsets that it hides from
 * others.
 *
 * What each bit means for Pagoda's frames is decided in mm/kpage.c.
 */
#include "fs/file.h"
#include "fs/procfs.h"

#include "kernel/proc/proc.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/kpage.h"
#include "mm/slab.h"

/* Bytes per entry of the binary files (pagemap.rst: "64-bit value"). */
#define KPAGE_ENTRY 8u

/* The table a binary file reads: its entries and where they come from. */
enum kpage_file {
	KPAGE_PAGEMAP,
	KPAGE_FLAGS,
	KPAGE_COUNT,
	KPAGE_ORDER,
};

/* One entry of a physical-memory file. */
static uint64_t frame_entry(enum kpage_file which, pfn_t pfn)
{
	switch (which) {
	case KPAGE_FLAGS:
		return kpage_flags(pfn);
	case KPAGE_COUNT:
		return kpage_mapcount(pfn);
	case KPAGE_ORDER:
		return kpage_free_order(pfn);
	case KPAGE_PAGEMAP:
		break;
	}
	return 0;
}

/*
 * Reads whole entries at *pos. f->private holds the enum kpage_file (as an
 * integer); for pagemap, f->vn.pid names the process.
 */
static int32_t kpage_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	enum kpage_file which = (enum kpage_file)(uintptr_t)f->private;
	struct mm *mm = NULL;
	uint64_t nentries;

	if (*pos < 0 || (*pos % KPAGE_ENTRY) || (n % KPAGE_ENTRY))
		return -EINVAL;
	if (which == KPAGE_PAGEMAP) {
		struct proc *p = proc_find(f->vn.pid);
		if (!p)
			return -ESRCH;
		/* A zombie has no address space left: nothing to read. */
		if (!p->mm)
			return 0;
		mm = p->mm;
		nentries = KERNEL_VMA / PAGE_SIZE;
	} else {
		nentries = kpage_nr_frames();
	}
	uint64_t first = (uint64_t)*pos / KPAGE_ENTRY;
	if (first >= nentries)
		return 0;
	size_t count = n / KPAGE_ENTRY;
	if (count > nentries - first)
		count = (size_t)(nentries - first);
	for (size_t i = 0; i < count; i++) {
		uint64_t e;
		if (which == KPAGE_PAGEMAP)
			e = kpage_pagemap_entry(
				mm, (vaddr_t)((first + i) * PAGE_SIZE), true);
		else
			e = frame_entry(which, (pfn_t)(first + i));
		memcpy(buf + i * KPAGE_ENTRY, &e, KPAGE_ENTRY);
	}
	*pos += (int64_t)(count * KPAGE_ENTRY);
	return (int32_t)(count * KPAGE_ENTRY);
}

/* The files cannot be written (Linux: no write method, EINVAL). */
static int32_t kpage_write(struct file *f, const char *buf, size_t n,
			   int64_t *pos)
{
	(void)f;
	(void)buf;
	(void)n;
	(void)pos;
	return -EINVAL;
}

/* SEEK_SET and SEEK_CUR, to any offset that is not negative. */
static int64_t kpage_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += f->pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	f->pos = off;
	return off;
}

static const struct file_ops kpage_ops = {
	.read = kpage_read,
	.write = kpage_write,
	.lseek = kpage_lseek,
};

static int open_kpage(struct file *f, enum kpage_file which)
{
	f->ops = &kpage_ops;
	f->private = (void *)(uintptr_t)which;
	return 0;
}

int procfs_open_pagemap(struct file *f)
{
	return open_kpage(f, KPAGE_PAGEMAP);
}

int procfs_open_kpageflags(struct file *f)
{
	return open_kpage(f, KPAGE_FLAGS);
}

int procfs_open_kpagecount(struct file *f)
{
	return open_kpage(f, KPAGE_COUNT);
}

int procfs_open_kpageorder(struct file *f)
{
	return open_kpage(f, KPAGE_ORDER);
}

void procfs_format_slabinfo_header(struct seqbuf *sb)
{
	seq_printf(sb, "slabinfo - version: 2.1\n"
		       "# name            <active_objs> <num_objs> <objsize> "
		       "<objperslab> <pagesperslab> : tunables <limit> "
		       "<batchcount> <sharedfactor> : slabdata <active_slabs> "
		       "<num_slabs> <sharedavail>\n");
}

/*
 * One cache's line, with Linux's field widths (mm/slab_common.c). Pagoda's
 * heap has no per-CPU queues, so the tunables and sharedavail are 0, as
 * SLUB prints them; objsize is the slot an object takes in its slab.
 */
void procfs_format_slabinfo_line(struct seqbuf *sb,
				 const struct kmem_cache_stats *st)
{
	seq_printf(sb, "%-17s %6u %6u %6u %4u %4u : tunables %4u %4u %4u",
		   st->name, st->active_objs, st->total_objs, st->slot_size,
		   st->objs_per_slab, st->pages_per_slab, 0u, 0u, 0u);
	seq_printf(sb, " : slabdata %6u %6u %6u\n",
		   st->slabs_partial + st->slabs_full, st->slabs, 0u);
}

/*
 * /proc/slabinfo: every cache but kmalloc's pseudo-cache of large blocks,
 * which are whole pages from the buddy allocator (Linux does not list its
 * large kmalloc blocks either).
 */
void procfs_show_slabinfo(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	procfs_format_slabinfo_header(sb);
	for (struct kmem_cache *c = kmem_cache_next(NULL); c;
	     c = kmem_cache_next(c)) {
		struct kmem_cache_stats st;
		kmem_cache_get_stats(c, &st);
		if (st.slot_size == 0)
			continue;
		procfs_format_slabinfo_line(sb, &st);
	}
}
