/*
 * tests/kernel/test_filemap.c - the page cache (mm/filemap.c) and tmpfs
 * (fs/tmpfs.c) inside the kernel.
 *
 * The cache is driven through its own calls and through real page faults
 * of a test address space (tests/kernel/mm_touch.h): bytes written with
 * filemap_write are seen through a MAP_SHARED mapping and the other way
 * round, holes take no page, shrinking removes the PTEs of the pages cut
 * off (a fault there is SIGBUS), the quota gives -ENOSPC, and pages go to
 * swap and come back through read and through faults. tmpfs is driven
 * through vnodes and files: a file unlinked while open keeps its data,
 * and the last close frees its pages. Every case checks that the
 * machine holds what it held before (frames and heap objects).
 */
#include "fs/file.h"
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/filemap.h"
#include "mm/mm.h"
#include "mm/pmm.h"
#include "mm/rmap.h"
#include "mm/shm.h"
#include "mm/swap.h"
#include "mm/vmscan.h"
#include "tests/kernel/mm_touch.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x30000000u

static uint8_t buf[P(3)];

/* Writes, reads back, holes and truncation on a bare cache. */
static void read_write_truncate(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct shm_object *s = filemap_create(NULL);
	KT_ASSERT(t, s);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	/* 100 bytes straddling pages 1 and 2, nothing in page 0. */
	KT_EXPECT_EQ(t, filemap_write(s, buf, 100, P(2) - 50), 100);
	KT_EXPECT_EQ(t, s->size, P(2) + 50);
	KT_EXPECT_EQ(t, s->npages, 3);
	KT_EXPECT_EQ(t, s->resident, 2);
	KT_EXPECT(t, s->pages[0] == NULL);
	static uint8_t back[P(3)];
	memset(back, 0xEE, sizeof(back));
	KT_EXPECT_EQ(t, filemap_read(s, back, sizeof(back), 0), P(2) + 50);
	bool zeros = true;
	for (uint32_t i = 0; i < P(2) - 50; i++)
		zeros = zeros && back[i] == 0;
	KT_EXPECT(t, zeros);
	KT_EXPECT(t,
		  s->pages[0] == NULL); /* a read of a hole allocates nothing */
	KT_EXPECT_EQ(t, memcmp(back + P(2) - 50, buf, 100), 0);
	KT_EXPECT_EQ(t, filemap_read(s, back, 10, P(5)), 0);

	/* Shrinking frees page 2 and zeros the tail of page 1. */
	KT_EXPECT_EQ(t, filemap_truncate(s, P(2) - 40), 0);
	KT_EXPECT_EQ(t, s->npages, 2);
	KT_EXPECT_EQ(t, s->resident, 1);
	KT_EXPECT_EQ(t, filemap_truncate(s, P(3)), 0);
	uint8_t b[4] = { 1, 1, 1, 1 };
	KT_EXPECT_EQ(t, filemap_read(s, b, 4, P(2) - 41), 4);
	KT_EXPECT(t, b[0] == buf[9] && b[1] == 0 && b[2] == 0 && b[3] == 0);
	KT_EXPECT_EQ(t, filemap_truncate(s, (uint64_t)FILEMAP_MAX_BYTES + 1),
		     -EFBIG);
	KT_EXPECT_EQ(t, filemap_write(s, buf, 1, FILEMAP_MAX_BYTES), -EFBIG);
	shm_object_put(s);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* A tmpfs instance's budget: -ENOSPC beyond it, given back on free. */
static void quota(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct shm_quota q = { .used = 0, .max = 2 };
	struct shm_object *s = filemap_create(&q);
	KT_ASSERT(t, s);
	KT_EXPECT_EQ(t, filemap_write(s, buf, P(3), 0), P(2));
	KT_EXPECT_EQ(t, q.used, 2);
	KT_EXPECT_EQ(t, filemap_write(s, buf, 1, P(2)), -ENOSPC);
	KT_EXPECT_EQ(t, s->size, P(2));
	KT_EXPECT_EQ(t, filemap_allocate(s, P(2), P(1), false), -ENOSPC);
	KT_EXPECT_EQ(t, filemap_truncate(s, 1), 0);
	KT_EXPECT_EQ(t, q.used, 1);
	KT_EXPECT_EQ(t, filemap_allocate(s, 0, P(2), false), 0);
	KT_EXPECT_EQ(t, q.used, 2);
	shm_object_put(s);
	KT_EXPECT_EQ(t, q.used, 0);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/*
 * A MAP_SHARED mapping and the cache's calls see the same bytes;
 * shrinking the file unmaps the pages cut off (SIGBUS there).
 */
static void shared_mapping(struct ktest *t)
{
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct shm_object *s = filemap_create(NULL);
	KT_ASSERT(t, s);
	KT_ASSERT_EQ(t, filemap_truncate(s, P(3)), 0);
	struct mm *mm;
	vaddr_t a;
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t,
		     filemap_map_shared(mm, BASE, P(4), RW, MM_MAP_FIXED, s, 0,
					&a),
		     0);
	mm_touch_enter(mm);
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(1) + 8, 0x12345678),
		     MM_FAULT_OK);
	uint32_t v = 0;
	KT_EXPECT_EQ(t, filemap_read(s, &v, 4, P(1) + 8), 4);
	KT_EXPECT_EQ(t, v, 0x12345678);
	v = 0xCAFEF00D;
	KT_EXPECT_EQ(t, filemap_write(s, &v, 4, P(2)), 4);
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(2), &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, v, 0xCAFEF00D);
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(3), &v), MM_FAULT_BUS);
	struct page *pg = s->pages[2];
	KT_ASSERT(t, pg);
	KT_EXPECT_EQ(t, rmap_mapcount(pg), 1);
	uint32_t rss = mm->rss;
	KT_EXPECT_EQ(t, filemap_truncate(s, P(2)), 0);
	KT_EXPECT_EQ(t, mm->rss, rss - 1);
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(2), &v), MM_FAULT_BUS);
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	KT_EXPECT_EQ(t, filemap_truncate(s, P(3)), 0);
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(2), &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, v, 0);
	mm_touch_leave();
	/* The mapping keeps the cache after its owner lets go. */
	shm_object_put(s);
	KT_EXPECT_EQ(t, s->refcount, 1);
	mm_destroy(mm);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* Cache pages go to swap and come back through read and faults. */
static void swap_out_and_back(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct shm_object *s = filemap_create(NULL);
	KT_ASSERT(t, s);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i ^ (i >> 9));
	KT_ASSERT_EQ(t, filemap_write(s, buf, sizeof(buf), 0), sizeof(buf));
	struct vmscan_stats st;
	vmscan_get_stats(&st);
	uint64_t steal0 = vm_events.pgsteal_shmem;
	uint64_t in0 = vm_events.pswpin_shmem;
	KT_EXPECT_EQ(t, reclaim_pages(st.tracked), 3);
	KT_EXPECT_EQ(t, vm_events.pgsteal_shmem - steal0, 3);
	KT_EXPECT_EQ(t, s->resident, 0);
	KT_EXPECT_EQ(t, s->swapped, 3);
	KT_EXPECT_EQ(t, filemap_pages(s), 3);
	/* Read back by read... */
	static uint8_t back[P(3)];
	KT_EXPECT_EQ(t, filemap_read(s, back, P(1), 0), P(1));
	KT_EXPECT_EQ(t, vm_events.pswpin_shmem - in0, 1);
	/* ... and by a fault of a shared mapping. */
	struct mm *mm;
	vaddr_t a;
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t,
		     filemap_map_shared(mm, BASE, P(3), RW, MM_MAP_FIXED, s, 0,
					&a),
		     0);
	mm_touch_enter(mm);
	uint32_t v = 0;
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(2) + 4, &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, memcmp(&v, buf + P(2) + 4, 4), 0);
	/* A write ends the swap copy: the page is different now. */
	KT_EXPECT_EQ(t, mm_touch_write(BASE + P(2), 77), MM_FAULT_OK);
	mm_touch_leave();
	KT_EXPECT_EQ(t, filemap_read(s, back, sizeof(back), 0), sizeof(back));
	KT_EXPECT_EQ(t, memcmp(back + 4, buf + 4, sizeof(buf) - 4 - P(1)), 0);
	KT_EXPECT_EQ(t, *(uint32_t *)(back + P(2)), 77);
	KT_EXPECT_EQ(t, s->swapped, 0);
	mm_destroy(mm);
	shm_object_put(s);
	vmscan_shrink();
	KT_EXPECT(t, mm_touch_same(&snap));
}

/*
 * A page of zeros (a hole faulted in by a read through a mapping) is
 * dropped by eviction without a slot: the object's page is a hole again.
 */
static void zero_page_becomes_hole(struct ktest *t)
{
	if (!swap_enabled())
		KT_SKIP(t, "no swap");
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct shm_quota q = { .used = 0, .max = 8 };
	struct shm_object *s = filemap_create(&q);
	KT_ASSERT(t, s);
	KT_ASSERT_EQ(t, filemap_truncate(s, P(2)), 0);
	KT_ASSERT_EQ(t, filemap_write(s, "x", 1, P(1)), 1);
	struct mm *mm;
	vaddr_t a;
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t,
		     filemap_map_shared(mm, BASE, P(2), RW, MM_MAP_FIXED, s, 0,
					&a),
		     0);
	mm_touch_enter(mm);
	uint32_t v = 1;
	KT_EXPECT_EQ(t, mm_touch_read(BASE, &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, v, 0);
	KT_EXPECT_EQ(t, s->resident, 2);
	KT_EXPECT_EQ(t, q.used, 2);
	uint64_t out0 = vm_events.pswpout, clean0 = vm_events.pgsteal_clean;
	struct vmscan_stats st;
	vmscan_get_stats(&st);
	KT_EXPECT_EQ(t, reclaim_pages(st.tracked), 2);
	KT_EXPECT_EQ(t, vm_events.pswpout - out0, 1); /* only the "x" page */
	KT_EXPECT_EQ(t, vm_events.pgsteal_clean - clean0, 1);
	KT_EXPECT(t, s->pages[0] == NULL && s->slots[0] == 0);
	KT_EXPECT_EQ(t, s->swapped, 1);
	KT_EXPECT_EQ(t, q.used, 1);
	KT_EXPECT_EQ(t, mm_touch_read(BASE, &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, v, 0);
	KT_EXPECT_EQ(t, mm_touch_read(BASE + P(1), &v), MM_FAULT_OK);
	KT_EXPECT_EQ(t, v & 0xFF, 'x');
	mm_touch_leave();
	KT_EXPECT_EQ(t, mm_check(mm), 0);
	mm_destroy(mm);
	shm_object_put(s);
	KT_EXPECT_EQ(t, q.used, 0);
	vmscan_shrink();
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* tmpfs through vnodes and files: unlink of an open file, last close. */
static void tmpfs_unlink_open(struct ktest *t)
{
	struct vnode root;
	tmpfs_tmp_root(&root); /* made before the snapshot */
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	struct shm_totals before, after;
	shm_totals(&before);
	struct vnode v;
	KT_ASSERT_EQ(t, root.fs->create(&root, "kt", 2, 0600, &v), 0);
	KT_EXPECT_EQ(t, root.fs->create(&root, "kt", 2, 0600, &v), -EEXIST);
	struct file *f;
	KT_ASSERT_EQ(t, file_open_vnode(&v, "/tmp/kt", O_RDWR, &f), 0);
	KT_EXPECT_EQ(t, file_write(f, "page cache", 10), 10);
	KT_EXPECT_EQ(t, root.fs->unlink(&root, "kt", 2), 0);
	struct vnode gone;
	KT_EXPECT_EQ(t, root.fs->lookup(&root, "kt", 2, &gone), -ENOENT);
	char b[16] = { 0 };
	KT_EXPECT_EQ(t, file_lseek(f, 0, SEEK_SET), 0);
	KT_EXPECT_EQ(t, file_read(f, b, sizeof(b)), 10);
	KT_EXPECT_EQ(t, memcmp(b, "page cache", 10), 0);
	shm_totals(&after);
	KT_EXPECT_EQ(t, after.resident, before.resident + 1);
	struct kstat st;
	file_stat(f, &st);
	KT_EXPECT_EQ(t, st.nlink, 0);
	KT_EXPECT_EQ(t, st.size, 10);
	file_put(f);
	shm_totals(&after);
	KT_EXPECT_EQ(t, after.resident, before.resident);
	KT_EXPECT(t, mm_touch_same(&snap));
}

/* Directories: mkdir, rmdir of a non-empty one, rename across them. */
static void tmpfs_dirs(struct ktest *t)
{
	struct vnode root, d, f, x;
	tmpfs_tmp_root(&root);
	struct mm_touch_snapshot snap;
	mm_touch_snapshot(&snap);
	KT_ASSERT_EQ(t, root.fs->mkdir(&root, "ktd", 3, 0755), 0);
	KT_ASSERT_EQ(t, root.fs->lookup(&root, "ktd", 3, &d), 0);
	KT_ASSERT_EQ(t, d.fs->create(&d, "f", 1, 0644, &f), 0);
	KT_EXPECT_EQ(t, root.fs->rmdir(&root, "ktd", 3), -ENOTEMPTY);
	KT_EXPECT_EQ(t, root.fs->rename(&d, "f", 1, &root, "ktf", 3, false), 0);
	KT_EXPECT_EQ(t, d.fs->lookup(&d, "f", 1, &x), -ENOENT);
	KT_EXPECT_EQ(t, root.fs->lookup(&root, "ktf", 3, &x), 0);
	KT_EXPECT_EQ(t, root.fs->rename(&root, "ktd", 3, &d, "in", 2, false),
		     -EINVAL);
	KT_EXPECT_EQ(t, root.fs->rmdir(&root, "ktd", 3), 0);
	KT_EXPECT_EQ(t, root.fs->unlink(&root, "ktf", 3), 0);
	KT_EXPECT(t, mm_touch_same(&snap));
}

static const struct ktest_case filemap_cases[] = {
	KTEST_CASE(read_write_truncate),
	KTEST_CASE(quota),
	KTEST_CASE(shared_mapping),
	KTEST_CASE(swap_out_and_back),
	KTEST_CASE(zero_page_becomes_hole),
	KTEST_CASE(tmpfs_unlink_open),
	KTEST_CASE(tmpfs_dirs),
};

KTEST_SUITE(filemap, filemap_cases);
