/*
 * tests/host/test_shm.c - System V shared memory (mm/shm.c) on fake RAM:
 * shmget's key rules, sharing between two unrelated address spaces,
 * detach, IPC_RMID while attached, read-only and fixed-address attaches,
 * IPC_STAT, and every frame back once the last attachment goes.
 *
 * The segment table is global: every test removes what it creates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/shm.h"
#include "tests/host/mm_fixture.h"

#define RW (MM_PROT_READ | MM_PROT_WRITE)
#define P(n) ((n)*PAGE_SIZE)
#define UW (TOUCH_USER | TOUCH_WRITE)

/* shmget: IPC_PRIVATE, IPC_CREAT, IPC_EXCL, and the errors Linux gives. */
static void test_shmget_rules(void **state)
{
	(void)state;
	int a = shm_get(IPC_PRIVATE, 100, 0600);
	int b = shm_get(IPC_PRIVATE, 100, 0600);
	assert_true(a >= 0 && b >= 0 && a != b);
	assert_int_equal(shm_get(0x42, 100, 0), -ENOENT);
	int k = shm_get(0x42, P(2), IPC_CREAT | 0640);
	assert_true(k >= 0);
	assert_int_equal(shm_get(0x42, P(2), IPC_CREAT), k);
	assert_int_equal(shm_get(0x42, 0, 0), k);
	assert_int_equal(shm_get(0x42, 10, 0), k);
	assert_int_equal(shm_get(0x42, P(2) + 1, 0), -EINVAL);
	assert_int_equal(shm_get(0x42, 10, IPC_CREAT | IPC_EXCL), -EEXIST);
	assert_int_equal(shm_get(0x43, 0, IPC_CREAT), -EINVAL);
	assert_int_equal(shm_get(IPC_PRIVATE, SHM_MAX_BYTES + 1, 0), -ENOMEM);
	struct shm_stat st;
	assert_int_equal(shm_stat(k, &st), 0);
	assert_int_equal(st.size, P(2));
	assert_int_equal(st.key, 0x42);
	assert_int_equal(st.mode, 0640);
	assert_int_equal(st.nattch, 0);
	assert_int_equal(shm_stat(-1, &st), -EINVAL);
	assert_int_equal(shm_stat(k + 1000, &st), -EINVAL);

	/* Removed and unattached: gone at once, its key free again. */
	assert_int_equal(shm_remove(k), 0);
	assert_int_equal(shm_stat(k, &st), -EINVAL);
	assert_int_equal(shm_remove(k), -EINVAL);
	assert_int_equal(shm_get(0x42, 10, 0), -ENOENT);
	int k2 = shm_get(0x42, 10, IPC_CREAT);
	assert_true(k2 >= 0 && k2 != k);
	assert_int_equal(shm_remove(k2), 0);
	assert_int_equal(shm_remove(a), 0);
	assert_int_equal(shm_remove(b), 0);
}

/* Two unrelated address spaces share the segment's pages. */
static void test_share_between_two(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *x = mm_fixture_new(), *y = mm_fixture_new();
	int id = shm_get(0x77, P(3), IPC_CREAT | 0600);
	assert_true(id >= 0);
	vaddr_t ax, ay;
	assert_int_equal(shm_attach(x, id, 0, 0, &ax), 0);
	assert_int_equal(shm_attach(y, id, 0x50000000, 0, &ay), 0);
	assert_int_equal(ay, 0x50000000);
	struct vma *v = mm_find_vma(x, ax);
	assert_int_equal(v->end - v->start, P(3));
	assert_int_equal(v->kind, VMA_SHM);
	assert_true(v->flags & VMA_SHARED);
	assert_int_equal(v->prot, RW);

	assert_true(mm_poke(x, ax + P(2) + 8, 1234));
	assert_int_equal(mm_peek(y, ay + P(2) + 8), 1234);
	assert_true(mm_poke(y, ay, 99));
	assert_int_equal(mm_peek(x, ax), 99);
	/* A page neither touched reads as zero in both. */
	assert_int_equal(mm_peek(y, ay + P(1)), 0);
	assert_int_equal(mm_peek(x, ax + P(1)), 0);

	struct shm_stat st;
	assert_int_equal(shm_stat(id, &st), 0);
	assert_int_equal(st.nattch, 2);
	assert_verified(mm_check(x));
	assert_verified(mm_check(y));

	/* Detach from x: its pages go, y keeps the data. */
	assert_int_equal(shm_detach(x, ax), 0);
	assert_null(mm_find_vma(x, ax));
	assert_int_equal(x->rss, 0);
	assert_int_equal(shm_stat(id, &st), 0);
	assert_int_equal(st.nattch, 1);
	assert_int_equal(mm_peek(y, ay + P(2) + 8), 1234);
	/* Attach again: the same data. */
	assert_int_equal(shm_attach(x, id, 0, 0, &ax), 0);
	assert_int_equal(mm_peek(x, ax + P(2) + 8), 1234);

	/* Remove while attached: still works, the key is free. */
	assert_int_equal(shm_remove(id), 0);
	assert_int_equal(shm_stat(id, &st), 0);
	assert_int_equal(st.mode & SHM_DEST, SHM_DEST);
	assert_int_equal(st.key, IPC_PRIVATE);
	assert_int_equal(st.nattch, 2);
	assert_int_equal(shm_get(0x77, 10, 0), -ENOENT);
	assert_true(mm_poke(x, ax, 5));
	assert_int_equal(mm_peek(y, ay), 5);
	/* Linux still lets a removed segment be attached by id. */
	vaddr_t az;
	assert_int_equal(shm_attach(y, id, 0, 0, &az), 0);
	assert_int_equal(mm_peek(y, az), 5);
	assert_int_equal(shm_detach(y, az), 0);

	/* Last detach, then the last holder's exit: everything back. */
	assert_int_equal(shm_detach(y, ay), 0);
	assert_int_equal(shm_stat(id, &st), 0);
	mm_fixture_destroy(x);
	assert_int_equal(shm_stat(id, &st), -EINVAL);
	mm_fixture_destroy(y);
	assert_true(mm_fixture_same(base));
}

/* SHM_RDONLY: reads fine, writes are protection faults. */
static void test_read_only_attach(void **state)
{
	(void)state;
	struct mm *x = mm_fixture_new();
	int id = shm_get(IPC_PRIVATE, P(1), 0600);
	vaddr_t rw, ro;
	assert_int_equal(shm_attach(x, id, 0, 0, &rw), 0);
	assert_int_equal(shm_attach(x, id, 0, SHM_RDONLY, &ro), 0);
	assert_int_not_equal(rw, ro);
	assert_true(mm_poke(x, rw, 8));
	assert_int_equal(mm_peek(x, ro), 8);
	assert_int_equal(mm_touch(x, ro, UW, NULL), MM_FAULT_PROTECTION);
	assert_false(mm_pte(x, ro) & PTE_W);
	assert_int_equal(mm_find_vma(x, ro)->prot, MM_PROT_READ);
	/* Attached for reading: never writable (Linux: no VM_MAYWRITE). */
	assert_int_equal(mm_protect(x, ro, P(1), MM_PROT_READ | MM_PROT_WRITE),
			 -EACCES);
	assert_int_equal(mm_find_vma(x, ro)->prot, MM_PROT_READ);
	assert_int_equal(mm_touch(x, ro, UW, NULL), MM_FAULT_PROTECTION);
	assert_int_equal(mm_protect(x, ro, P(1), 0), 0);
	assert_int_equal(mm_protect(x, ro, P(1), MM_PROT_READ), 0);
	assert_int_equal(mm_protect(x, rw, P(1), MM_PROT_READ), 0);
	assert_int_equal(mm_protect(x, rw, P(1), MM_PROT_READ | MM_PROT_WRITE),
			 0);
	vaddr_t rx;
	assert_int_equal(shm_attach(x, id, 0, SHM_RDONLY | SHM_EXEC, &rx), 0);
	assert_int_equal(mm_find_vma(x, rx)->prot, MM_PROT_READ | MM_PROT_EXEC);
	assert_int_equal(shm_remove(id), 0);
	assert_verified(mm_check(x));
	mm_fixture_destroy(x);
}

/* Attach addresses: rounding, alignment, overlap and SHM_REMAP. */
static void test_attach_address(void **state)
{
	(void)state;
	struct mm *x = mm_fixture_new();
	int id = shm_get(IPC_PRIVATE, P(2), 0600);
	vaddr_t a;
	assert_int_equal(shm_attach(x, id, 0x60000123, 0, &a), -EINVAL);
	assert_int_equal(shm_attach(x, id, 0x60000123, SHM_RND, &a), 0);
	assert_int_equal(a, 0x60000000);
	/* Overlapping an existing mapping. */
	assert_int_equal(shm_attach(x, id, 0x60001000, 0, &a), -EINVAL);
	vaddr_t m;
	assert_int_equal(mm_map(x, 0x61000000, P(4), RW, MM_MAP_FIXED, VMA_ANON,
				NULL, &m),
			 0);
	assert_true(mm_poke(x, 0x61001000, 3));
	assert_int_equal(shm_attach(x, id, 0x61001000, 0, &a), -EINVAL);
	assert_int_equal(shm_attach(x, id, 0x61001000, SHM_REMAP, &a), 0);
	assert_int_equal(a, 0x61001000);
	assert_int_equal(mm_peek(x, 0x61001000), 0);
	assert_int_equal(mm_find_vma(x, 0x61000000)->end, 0x61001000);
	assert_int_equal(mm_find_vma(x, 0x61003000)->start, 0x61003000);
	assert_int_equal(shm_attach(x, id + 1000, 0, 0, &a), -EINVAL);
	assert_int_equal(shm_remove(id), 0);
	assert_verified(mm_check(x));
	mm_fixture_destroy(x);
}

/* shmdt: only at an attachment's start; split attachments go whole. */
static void test_detach(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	struct mm *x = mm_fixture_new();
	int id = shm_get(IPC_PRIVATE, P(4), 0600);
	vaddr_t a, anon, shared;
	assert_int_equal(shm_attach(x, id, 0, 0, &a), 0);
	assert_int_equal(shm_detach(x, a + P(1)), -EINVAL);
	assert_int_equal(shm_detach(x, 0x70000000), -EINVAL);
	assert_int_equal(mm_map(x, 0, P(1), RW, 0, VMA_ANON, NULL, &anon), 0);
	assert_int_equal(shm_detach(x, anon), -EINVAL);
	assert_int_equal(mm_map(x, 0, P(1), RW, MM_MAP_SHARED, VMA_ANON, NULL,
				&shared),
			 0);
	assert_int_equal(shm_detach(x, shared), -EINVAL);
	/* mprotect splits the attachment in three; shmdt removes all. */
	for (int p = 0; p < 4; p++)
		assert_true(mm_poke(x, a + P(p), p + 1));
	assert_int_equal(mm_protect(x, a + P(1), P(2), MM_PROT_READ), 0);
	assert_int_equal(mm_find_vma(x, a + P(2))->shm_pgoff, 1);
	struct shm_stat st;
	assert_int_equal(shm_stat(id, &st), 0);
	assert_int_equal(st.nattch, 3);
	assert_int_equal(shm_detach(x, a), 0);
	for (int p = 0; p < 4; p++)
		assert_null(mm_find_vma(x, a + P(p)));
	assert_int_equal(shm_stat(id, &st), 0);
	assert_int_equal(st.nattch, 0);
	/* Attached again, the data is still there. */
	assert_int_equal(shm_attach(x, id, 0, 0, &a), 0);
	assert_int_equal(mm_peek(x, a + P(3)), 4);
	assert_int_equal(shm_remove(id), 0);
	assert_int_equal(shm_stat(id, &st), 0);
	mm_fixture_destroy(x);
	assert_int_equal(shm_stat(id, &st), -EINVAL);
	assert_true(mm_fixture_same(base));
}

/* The table is finite: -ENOSPC, as Linux past SHMMNI. */
static void test_table_full(void **state)
{
	(void)state;
	struct mm_baseline base = mm_fixture_baseline();
	int ids[SHM_MAX_SEGMENTS];
	for (unsigned int i = 0; i < SHM_MAX_SEGMENTS; i++) {
		ids[i] = shm_get(IPC_PRIVATE, 1, 0);
		assert_true(ids[i] >= 0);
	}
	assert_int_equal(shm_get(IPC_PRIVATE, 1, 0), -ENOSPC);
	for (unsigned int i = 0; i < SHM_MAX_SEGMENTS; i++)
		assert_int_equal(shm_remove(ids[i]), 0);
	/* A reused slot gives a new id: the old one stays invalid. */
	int again = shm_get(IPC_PRIVATE, 1, 0);
	assert_true(again >= 0);
	for (unsigned int i = 0; i < SHM_MAX_SEGMENTS; i++)
		assert_int_not_equal(again, ids[i]);
	struct shm_stat st;
	assert_int_equal(shm_stat(ids[again % SHM_MAX_SEGMENTS], &st), -EINVAL);
	assert_int_equal(shm_remove(again), 0);
	assert_true(mm_fixture_same(base));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_shmget_rules, mm_fixture_boot),
		cmocka_unit_test_setup(test_share_between_two, mm_fixture_boot),
		cmocka_unit_test_setup(test_read_only_attach, mm_fixture_boot),
		cmocka_unit_test_setup(test_attach_address, mm_fixture_boot),
		cmocka_unit_test_setup(test_detach, mm_fixture_boot),
		cmocka_unit_test_setup(test_table_full, mm_fixture_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
