/*
 * tests/host/test_mmfork.c - copying address spaces for fork (mm_fork) on
 * fake RAM: only page tables are copied, writes on either side stay on
 * that side, every frame and heap object comes back whatever the order of
 * destruction, and a random sequence of forks, writes and exits keeps
 * every process's view of its memory intact. Threads share one address
 * space by reference (mm_get/mm_put): it lives until the last reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/shm.h"
#include "tests/host/mm_fixture.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define RO MM_PROT_READ
#define P(n) ((n)*PAGE_SIZE)
#define BASE 0x40000000u
/* 4 MiB of touched memory, as the benchmark forks. */
#define BIG_PAGES 1024

static struct page *frame_of(struct mm *mm, vaddr_t va)
{
	pte_t pte = mm_pte(mm, va);
	return (pte & PTE_P) ? phys_to_page(pte_frame(pte)) : NULL;
}

static uint32_t pgtables(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st.pgtable_pages;
}

static uint32_t user_frames(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st.user_pages;
}

/* The same regions, one by one. */
static void expect_same_regions(struct mm *a, struct mm *b)
{
	struct vma *x = mm_next_vma(a, NULL), *y = mm_next_vma(b, NULL);
	for (; x && y; x = mm_next_vma(a, x), y = mm_next_vma(b, y)) {
		assert_int_equal(x->start, y->start);
		assert_int_equal(x->end, y->end);
		assert_int_equal(x->prot, y->prot);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->kind, y->kind);
		assert_ptr_equal(x->shm, y->shm);
	}
	assert_null(x);
	assert_null(y);
}

/*
 * Forking 4 MiB of touched memory copies no page: every frame is shared,
 * the child's only new frames are page tables and its directory.
 */
static void test_fork_copies_no_data(void **state)
{
	(void)state;
	static const uint8_t image[P(2)] = { 9 };
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *parent = mm_fixture_new(), *child;
	vaddr_t a;
	struct vma_file f = {
		image, sizeof(image), 0, sizeof(image), "/p", 3, 0, NULL
	};
	assert_int_equal(mm_map(parent, 0x08048000, P(2), RO | MM_PROT_EXEC,
				MM_MAP_FIXED, VMA_FILE, &f, &a),
			 0);
	mm_fixture_map(parent, BASE, P(BIG_PAGES), RW, 0);
	mm_fixture_map(parent, BASE + P(BIG_PAGES + 8), P(4), RW, MM_MAP_SHARED);
	mm_init_brk(parent, 0x08060000);
	assert_int_equal(mm_brk(parent, 0x08062000), 0x08062000);
	assert_int_equal(mm_setup_stack(parent, MM_STACK_TOP, P(2)), 0);
	for (int p = 0; p < BIG_PAGES; p++)
		assert_true(mm_poke(parent, BASE + P(p), 0x1000 + p));
	assert_int_equal(mm_peek(parent, 0x08048000) & 0xFF, 9);
	assert_true(mm_poke(parent, BASE + P(BIG_PAGES + 8), 77));
	assert_true(mm_poke(parent, 0x08060000, 88));
	assert_true(mm_poke(parent, MM_STACK_TOP - 4, 99));

	struct vm_events e0 = vm_events;
	uint32_t users0 = user_frames(), tables0 = pgtables();
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_int_equal(vm_events.cow_copies, e0.cow_copies);
	assert_int_equal(vm_events.pgfault, e0.pgfault);
	assert_int_equal(user_frames(), users0);
	assert_int_equal(pgtables(), tables0 + 1 + child->space.nr_pgtables);
	assert_int_equal(child->space.nr_pgtables, parent->space.nr_pgtables);
	assert_int_equal(child->rss, parent->rss);
	assert_int_equal(child->brk, parent->brk);
	assert_int_equal(child->brk_start, parent->brk_start);
	assert_int_equal(child->mmap_base, parent->mmap_base);
	expect_same_regions(parent, child);
	for (int p = 0; p < BIG_PAGES; p++) {
		struct page *fp = frame_of(parent, BASE + P(p));
		assert_ptr_equal(frame_of(child, BASE + P(p)), fp);
		assert_int_equal(fp->refcount, 2);
		pte_t pp = mm_pte(parent, BASE + P(p));
		pte_t cp = mm_pte(child, BASE + P(p));
		assert_int_equal(pp & (PTE_W | PTE_COW), PTE_COW);
		assert_int_equal(cp & (PTE_W | PTE_COW), PTE_COW);
	}
	/* Read-only private pages are shared and marked too. */
	assert_int_equal(mm_pte(child, 0x08048000) & (PTE_W | PTE_COW),
			 PTE_COW);
	/* Reads on both sides copy nothing either. */
	for (int p = 0; p < BIG_PAGES; p += 97) {
		assert_int_equal(mm_peek(child, BASE + P(p)), 0x1000 + p);
		assert_int_equal(mm_peek(parent, BASE + P(p)), 0x1000 + p);
	}
	assert_int_equal(mm_peek(child, 0x08060000), 88);
	assert_int_equal(mm_peek(child, MM_STACK_TOP - 4), 99);
	assert_int_equal(mm_peek(child, BASE + P(BIG_PAGES + 8)), 77);
	assert_int_equal(vm_events.cow_copies, e0.cow_copies);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));

	mm_fixture_destroy(child);
	for (int p = 0; p < BIG_PAGES; p += 101)
		assert_int_equal(frame_of(parent, BASE + P(p))->refcount, 1);
	mm_fixture_destroy(parent);
	assert_true(mm_fixture_same(base));
}

/* Writes after fork stay on their side; the second writer reuses. */
static void test_fork_writes_isolate(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *parent = mm_fixture_new(), *child;
	mm_fixture_map(parent, BASE, P(64), RW, 0);
	for (int p = 0; p < 64; p++)
		assert_true(mm_poke(parent, BASE + P(p), p));
	assert_int_equal(mm_fork(parent, &child), 0);

	struct vm_events e0 = vm_events;
	for (int p = 0; p < 32; p++)
		assert_true(mm_poke(parent, BASE + P(p), 1000 + p));
	for (int p = 16; p < 64; p++)
		assert_true(mm_poke(child, BASE + P(p), 2000 + p));
	/* Pages 0-31 copied by the parent; 32-63 by the child; 16-31 reused. */
	assert_int_equal(vm_events.cow_copies, e0.cow_copies + 64);
	assert_int_equal(vm_events.cow_faults, e0.cow_faults + 32 + 48);
	for (int p = 0; p < 64; p++) {
		assert_int_equal(mm_peek(parent, BASE + P(p)),
				 p < 32 ? 1000 + p : p);
		assert_int_equal(mm_peek(child, BASE + P(p)),
				 p >= 16 ? 2000 + p : p);
	}
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	/* The parent goes first this time. */
	mm_fixture_destroy(parent);
	assert_int_equal(mm_peek(child, BASE + P(3)), 3);
	assert_int_equal(frame_of(child, BASE + P(3))->refcount, 1);
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	assert_true(mm_fixture_same(base));
}

/*
 * A read-only page shared by fork that becomes writable later must still
 * be copied on its first write.
 */
static void test_fork_then_mprotect(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	mm_fixture_map(parent, BASE, P(2), RW, 0);
	assert_true(mm_poke(parent, BASE, 5));
	assert_true(mm_poke(parent, BASE + P(1), 6));
	assert_int_equal(mm_protect(parent, BASE, P(2), RO), 0);
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_int_equal(mm_protect(child, BASE, P(2), RW), 0);
	assert_false(mm_pte(child, BASE) & PTE_W);
	assert_true(mm_poke(child, BASE, 50));
	assert_int_equal(mm_peek(parent, BASE), 5);
	/* PROT_NONE pages fork the same way. */
	assert_int_equal(mm_protect(parent, BASE + P(1), P(1), 0), 0);
	struct mm *grandchild;
	assert_int_equal(mm_fork(parent, &grandchild), 0);
	assert_int_equal(mm_protect(grandchild, BASE + P(1), P(1), RW), 0);
	assert_true(mm_poke(grandchild, BASE + P(1), 60));
	assert_int_equal(mm_peek(child, BASE + P(1)), 6);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	assert_verified(mm_check(grandchild));
	mm_fixture_destroy(grandchild);
	mm_destroy(child);
	mm_destroy(parent);
}

/* The child's heap moves on its own. */
static void test_fork_brk(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	mm_init_brk(parent, 0x08100000);
	assert_int_equal(mm_brk(parent, 0x08101000), 0x08101000);
	assert_true(mm_poke(parent, 0x08100000, 1));
	assert_int_equal(mm_fork(parent, &child), 0);
	assert_int_equal(mm_brk(child, 0x08104000), 0x08104000);
	assert_true(mm_poke(child, 0x08103000, 2));
	assert_int_equal(mm_brk(parent, 0), 0x08101000);
	assert_int_equal(mm_touch(parent, 0x08103000, TOUCH_USER, NULL),
			 MM_FAULT_UNMAPPED);
	assert_int_equal(mm_brk(child, 0x08100000), 0x08100000);
	assert_int_equal(mm_peek(parent, 0x08100000), 1);
	mm_fixture_destroy(child);
	mm_destroy(parent);
}

/* A fork chain with refcounts above two, destroyed out of order. */
static void test_fork_chain(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *m[4];
	m[0] = mm_fixture_new();
	mm_fixture_map(m[0], BASE, P(8), RW, 0);
	for (int p = 0; p < 8; p++)
		assert_true(mm_poke(m[0], BASE + P(p), p));
	for (int i = 1; i < 4; i++)
		assert_int_equal(mm_fork(m[i - 1], &m[i]), 0);
	assert_int_equal(frame_of(m[0], BASE)->refcount, 4);
	assert_true(mm_poke(m[2], BASE, 222));
	assert_int_equal(frame_of(m[0], BASE)->refcount, 3);
	static const int order[] = { 1, 3, 0, 2 };
	for (int i = 0; i < 4; i++) {
		for (int j = i; j < 4; j++) {
			struct mm *mm = m[order[j]];
			assert_int_equal(mm_peek(mm, BASE),
					 order[j] == 2 ? 222 : 0);
			assert_int_equal(mm_peek(mm, BASE + P(7)), 7);
			assert_verified(mm_check(mm));
		}
		mm_fixture_destroy(m[order[i]]);
	}
	assert_true(mm_fixture_same(base));
}

/* Fork copies shm attachments; each side detaches its own. */
static void test_fork_sysv(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *parent = mm_fixture_new(), *child;
	int id = shm_get(IPC_PRIVATE, P(2), 0600);
	assert_true(id >= 0);
	vaddr_t a;
	assert_int_equal(shm_attach(parent, id, 0, 0, &a), 0);
	assert_int_equal(mm_fork(parent, &child), 0);
	struct shm_stat st;
	assert_int_equal(shm_stat(id, &st), 0);
	assert_int_equal(st.nattch, 2);
	assert_true(mm_poke(child, a + P(1), 31));
	assert_int_equal(mm_peek(parent, a + P(1)), 31);
	assert_int_equal(shm_detach(child, a), 0);
	assert_int_equal(shm_stat(id, &st), 0);
	assert_int_equal(st.nattch, 1);
	assert_int_equal(shm_remove(id), 0);
	mm_fixture_destroy(child);
	mm_fixture_destroy(parent);
	assert_int_equal(shm_stat(id, &st), -EINVAL);
	assert_true(mm_fixture_same(base));
}

/*
 * Random forks, exits and writes among up to 6 processes with 24 private
 * pages each, checked against each process's expected view after every
 * step. MM_SEED=<n> replays a run.
 */
#define FAM 6
#define FPAGES 24
static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33) % n;
}

static void test_random_fork_family(void **state)
{
	(void)state;
	struct mm *mm[FAM] = { 0 };
	uint32_t view[FAM][FPAGES];
	const char *env = getenv("MM_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	uint32_t counter = 1;

	printf("# test_random_fork_family: MM_SEED=%llu\n",
	       (unsigned long long)seed);
	rng = seed;
	struct mm_baseline base = mm_fixture_baseline();
	mm[0] = mm_fixture_new();
	mm_fixture_map(mm[0], BASE, P(FPAGES), RW, 0);
	memset(view, 0, sizeof(view));
	for (int step = 0; step < 2000; step++) {
		int i = (int)rnd(FAM);
		uint32_t op = rnd(10);
		if (!mm[i]) {
			/* Fork some live process into the free slot. */
			int from = (int)rnd(FAM);
			if (!mm[from])
				continue;
			assert_int_equal(mm_fork(mm[from], &mm[i]), 0);
			memcpy(view[i], view[from], sizeof(view[i]));
		} else if (op == 0) {
			mm_fixture_destroy(mm[i]);
			mm[i] = NULL;
		} else if (op < 4) {
			int p = (int)rnd(FPAGES);
			assert_int_equal(mm_dontneed(mm[i], BASE + P(p), P(1)),
					 0);
			view[i][p] = 0;
		} else {
			int p = (int)rnd(FPAGES);
			view[i][p] = counter++;
			assert_true(mm_poke(mm[i], BASE + P(p), view[i][p]));
		}
		for (int k = 0; k < FAM; k++) {
			if (!mm[k])
				continue;
			int p = (int)rnd(FPAGES);
			assert_int_equal(mm_peek(mm[k], BASE + P(p)),
					 view[k][p]);
			if (step % 50 == 0) {
				for (int q = 0; q < FPAGES; q++)
					assert_int_equal(mm_peek(mm[k],
								 BASE + P(q)),
							 view[k][q]);
				assert_verified(mm_check(mm[k]));
			}
		}
	}
	vm_space_activate(&kernel_space);
	for (int k = 0; k < FAM; k++)
		mm_destroy(mm[k]);
	assert_true(mm_fixture_same(base));
}

/*
 * fork with too little memory fails with -ENOMEM wherever it runs out (the
 * child's directory, a page table; the reverse map needs no memory per
 * page, and the regions come from the heap's partial slabs), and gives back
 * everything it took: the parent is unchanged and no frame is lost.
 */
static void test_fork_out_of_memory(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new();
	/* Pages in three page tables, and a swap-free parent. */
	mm_fixture_map(parent, BASE, P(2048 + 512), RW, MM_MAP_FIXED);
	for (int p = 0; p < 2048 + 512; p += 3)
		assert_true(mm_poke(parent, BASE + P(p), 0x900 + p));
	vm_space_activate(&kernel_space);
	struct mm_baseline b = mm_fixture_baseline();

	/* Take every frame, then give back a few more each round. */
	static struct page *hoard[1 << 16];
	int held = 0;
	struct page *pg;
	while (held < (1 << 16) && (pg = alloc_page(0)))
		hoard[held++] = pg;
	int failures = 0, successes = 0;
	for (int room = 0; room < 40 && held > 0; room++) {
		free_page(hoard[--held]);
		struct mm *child = NULL;
		int err = mm_fork(parent, &child);
		if (err) {
			assert_int_equal(err, -ENOMEM);
			failures++;
		} else {
			successes++;
			assert_verified(mm_check(child));
			mm_fixture_destroy(child);
			break;
		}
		assert_verified(mm_check(parent));
	}
	while (held > 0)
		free_page(hoard[--held]);
	print_message("# fork failed %d times, then succeeded\n", failures);
	/* The directory and three page tables: three frames short. */
	assert_true(failures >= 3);
	assert_int_equal(successes, 1);
	assert_true(mm_fixture_same(b));
	for (int p = 0; p < 2048 + 512; p += 3)
		assert_int_equal(mm_peek(parent, BASE + P(p)), 0x900u + p);
	mm_fixture_destroy(parent);
}

/*
 * mremap moves copy-on-write pages shared with a child: the frames stay
 * shared (nothing copied), the reverse map follows the new addresses,
 * and a write after the move still copies.
 */
static void test_fork_then_move(void **state)
{
	(void)state;
	struct mm *parent = mm_fixture_new(), *child;
	mm_fixture_map(parent, BASE, P(64), RW, MM_MAP_FIXED);
	for (int p = 0; p < 64; p++)
		assert_true(mm_poke(parent, BASE + P(p), 0x500 + p));
	assert_int_equal(mm_fork(parent, &child), 0);
	uint32_t users0 = user_frames();
	struct page *fp = frame_of(parent, BASE + P(7));

	vaddr_t out = 0;
	assert_int_equal(mm_remap(child, BASE, P(64), P(64), 3 /* MAYMOVE|FIXED */,
				  BASE + P(4096), &out),
			 0);
	assert_int_equal(out, BASE + P(4096));
	assert_ptr_equal(frame_of(child, out + P(7)), fp);
	assert_int_equal(fp->refcount, 2);
	assert_int_equal(user_frames(), users0);
	assert_verified(mm_check(parent));
	assert_verified(mm_check(child));
	/* The child's write copies; the parent keeps its page. */
	assert_true(mm_poke(child, out + P(7), 1));
	assert_int_equal(mm_peek(parent, BASE + P(7)), 0x507);
	assert_int_equal(fp->refcount, 1);
	for (int p = 0; p < 64; p += 9)
		assert_int_equal(mm_peek(child, out + P(p)),
				 p == 7 ? 1u : 0x500u + p);
	assert_verified(mm_check(child));
	mm_fixture_destroy(child);
	mm_fixture_destroy(parent);
}

/*
 * A space shared by threads (clone CLONE_VM): what one reference writes
 * the other reads, an unmap through one is gone for both, and only the
 * last mm_put frees anything.
 */
static void test_shared_by_reference(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *mm = mm_fixture_new();
	assert_int_equal(mm->users, 1);
	struct mm *other = mm_get(mm);
	assert_ptr_equal(other, mm);
	assert_int_equal(mm->users, 2);

	mm_fixture_map(mm, BASE, P(4), RW, 0);
	assert_true(mm_poke(mm, BASE + P(1), 0x1234));
	assert_int_equal(mm_peek(other, BASE + P(1)), 0x1234);
	uint32_t frames = user_frames();

	/* The first put frees nothing: the other user still maps it all. */
	mm_put(mm);
	assert_int_equal(other->users, 1);
	assert_int_equal(user_frames(), frames);
	assert_int_equal(mm_peek(other, BASE + P(1)), 0x1234);
	assert_int_equal(mm_unmap(other, BASE, P(4)), 0);
	assert_null(mm_find_vma(other, BASE));
	assert_int_equal(mm_check(other), 0);

	vm_space_activate(&kernel_space);
	mm_put(other);
	assert_true(mm_fixture_same(base));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fork_copies_no_data,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_fork_writes_isolate,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_fork_then_mprotect,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_fork_brk, mm_fixture_boot),
		cmocka_unit_test_setup(test_shared_by_reference,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_fork_chain, mm_fixture_boot),
		cmocka_unit_test_setup(test_fork_sysv, mm_fixture_boot),
		cmocka_unit_test_setup(test_fork_then_move, mm_fixture_boot),
		cmocka_unit_test_setup(test_fork_out_of_memory,
				       mm_fixture_boot),
		cmocka_unit_test_setup(test_random_fork_family,
				       mm_fixture_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
