/*
 * tests/host/test_mm_random.c - random operation sequences on the frame
 * allocator and the page tables, with every invariant checked after every
 * step.
 *
 * The test keeps its own record ("shadow") of what it allocated and mapped
 * and, after each step, compares it with the memory manager:
 *
 *  - pmm_verify(): free lists consistent, free + allocated = managed;
 *  - no frame is handed out twice (a per-frame owner array);
 *  - the kernel and user counters equal the shadow's totals;
 *  - vm_space_check() on every space; every present user PTE points at an
 *    allocated user frame whose refcount equals its number of mappings,
 *    and the spaces hold exactly the mappings the shadow holds.
 *
 * The sequence is seeded and reproducible: the seed is printed, and
 * MM_SEED=<n> repeats a run (MM_STEPS=<n> changes its length).
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
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "mm/vmap.h"
#include "tests/host/shim/host_shim.h"
#include "tests/host/shim/mm_machine.h"
#include "tests/host/shim/port_host.h"

#define MIB (1024u * 1024)
#define NSPACES 3
#define MAX_BLOCKS 512
#define MAX_MAPS 2048
#define MAX_STACKS 16
/* User pages are picked from 4 windows of 64 pages, in different tables. */
#define WINDOW_PAGES 64
#define NWINDOWS 4

enum owner {
	FREE = 0,
	BLOCK,
	USER_FRAME,
	STACK
};

struct block {
	struct page *page;
	unsigned int order;
	bool user;
};

struct mapping {
	int space;
	vaddr_t va;
	pfn_t pfn;
};

static struct {
	uint32_t rng;
	uint32_t seed; /* the run's seed, for failure messages */
	unsigned long step;
	uint8_t *owner;	    /* per frame: enum owner */
	uint32_t *mapcount; /* per frame: mappings in the shadow */
	struct block blocks[MAX_BLOCKS];
	unsigned int nblocks;
	struct mapping maps[MAX_MAPS];
	unsigned int nmaps;
	vaddr_t stacks[MAX_STACKS];
	unsigned int nstacks;
	struct vm_space spaces[NSPACES];
	uint32_t kernel_frames, user_frames;
	uint32_t digest; /* hash of every address handed out */
} sh;

static uint32_t rnd(void)
{
	/* xorshift32: tiny, and the same on every host. */
	sh.rng ^= sh.rng << 13;
	sh.rng ^= sh.rng >> 17;
	sh.rng ^= sh.rng << 5;
	return sh.rng;
}

static uint32_t below(uint32_t n)
{
	return rnd() % n;
}

static pfn_t pfn_of(struct page *p)
{
	return page_to_phys(p) >> PAGE_SHIFT;
}

/* Folds an address handed out into the run's digest (FNV-1a). */
static void digest(uint32_t x)
{
	for (int i = 0; i < 4; i++) {
		sh.digest ^= (x >> (8 * i)) & 0xFF;
		sh.digest *= 16777619u;
	}
}

static void claim(pfn_t pfn, uint32_t n, enum owner o)
{
	for (uint32_t i = 0; i < n; i++) {
		if (sh.owner[pfn + i] != FREE)
			fail_msg("step %lu: frame %#x handed out twice",
				 sh.step, (pfn + i) << PAGE_SHIFT);
		sh.owner[pfn + i] = (uint8_t)o;
	}
}

static void release(pfn_t pfn, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		sh.owner[pfn + i] = FREE;
}

static vaddr_t random_uva(void)
{
	/* Windows at 4, 8, 12 and 2048 MiB; a window may straddle tables. */
	static const vaddr_t base[NWINDOWS] = { 0x400000, 0x7E0000, 0xC00000,
						0x80000000 };
	return base[below(NWINDOWS)] + below(WINDOW_PAGES) * PAGE_SIZE;
}

static int find_mapping(int space, vaddr_t va)
{
	for (unsigned int i = 0; i < sh.nmaps; i++)
		if (sh.maps[i].space == space && sh.maps[i].va == va)
			return (int)i;
	return -1;
}

/* Forgets shadow mapping i; frees the frame's shadow when it was the last. */
static void drop_mapping(unsigned int i)
{
	pfn_t pfn = sh.maps[i].pfn;
	if (--sh.mapcount[pfn] == 0) {
		release(pfn, 1);
		sh.user_frames--;
	}
	sh.maps[i] = sh.maps[--sh.nmaps];
}

static void op_alloc(void)
{
	if (sh.nblocks == MAX_BLOCKS)
		return;
	/* Mostly small orders, sometimes large ones. */
	unsigned int order = below(4) ? below(3) : below(PMM_MAX_ORDER);
	bool user = below(2);
	struct page *p = alloc_pages(order, user ? GFP_USER : GFP_KERNEL);
	if (!p)
		return;
	assert_int_equal(page_to_phys(p) % (PAGE_SIZE << order), 0);
	claim(pfn_of(p), 1u << order, BLOCK);
	digest(page_to_phys(p));
	sh.blocks[sh.nblocks++] = (struct block){ p, order, user };
	if (user)
		sh.user_frames += 1u << order;
	else
		sh.kernel_frames += 1u << order;
}

static void op_free(void)
{
	if (!sh.nblocks)
		return;
	unsigned int i = below(sh.nblocks);
	struct block b = sh.blocks[i];
	sh.blocks[i] = sh.blocks[--sh.nblocks];
	release(pfn_of(b.page), 1u << b.order);
	if (b.user)
		sh.user_frames -= 1u << b.order;
	else
		sh.kernel_frames -= 1u << b.order;
	free_pages(b.page, b.order);
}

static void op_map(void)
{
	int s = (int)below(NSPACES);
	vaddr_t va = random_uva();
	if (sh.nmaps == MAX_MAPS || find_mapping(s, va) >= 0)
		return;
	struct page *f = alloc_page(GFP_USER | (below(8) ? 0 : GFP_ZERO));
	if (!f)
		return;
	uint32_t prot = PTE_U | (below(2) ? PTE_W : 0);
	int err = vm_map_page(&sh.spaces[s], va, page_to_phys(f), prot);
	if (err) {
		assert_int_equal(err, -ENOMEM);
		free_page(f);
		return;
	}
	claim(pfn_of(f), 1, USER_FRAME);
	digest(page_to_phys(f));
	sh.user_frames++;
	sh.mapcount[pfn_of(f)] = 1;
	sh.maps[sh.nmaps++] = (struct mapping){ s, va, pfn_of(f) };
}

/* Maps an already mapped frame a second time (as fork would). */
static void op_share(void)
{
	if (!sh.nmaps || sh.nmaps == MAX_MAPS)
		return;
	struct mapping m = sh.maps[below(sh.nmaps)];
	int s = (int)below(NSPACES);
	vaddr_t va = random_uva();
	if (find_mapping(s, va) >= 0)
		return;
	struct page *f = phys_to_page(m.pfn << PAGE_SHIFT);
	get_page(f);
	int err = vm_map_page(&sh.spaces[s], va, m.pfn << PAGE_SHIFT, PTE_U);
	if (err) {
		assert_int_equal(err, -ENOMEM);
		put_page(f);
		return;
	}
	sh.mapcount[m.pfn]++;
	sh.maps[sh.nmaps++] = (struct mapping){ s, va, m.pfn };
}

static void op_unmap_one(void)
{
	if (!sh.nmaps)
		return;
	unsigned int i = below(sh.nmaps);
	struct mapping m = sh.maps[i];
	pte_t old;
	assert_int_equal(vm_unmap_page(&sh.spaces[m.space], m.va, &old), 0);
	assert_int_equal(pte_frame(old), m.pfn << PAGE_SHIFT);
	drop_mapping(i);
	put_page(phys_to_page(m.pfn << PAGE_SHIFT));
}

static void op_unmap_range(void)
{
	int s = (int)below(NSPACES);
	vaddr_t va = random_uva();
	uint32_t n = 1 + below(48);
	uint32_t expect = 0;
	for (unsigned int i = 0; i < sh.nmaps;) {
		struct mapping *m = &sh.maps[i];
		if (m->space == s && m->va >= va &&
		    m->va < va + n * PAGE_SIZE) {
			drop_mapping(i);
			expect++;
		} else {
			i++;
		}
	}
	assert_int_equal(vm_unmap_range(&sh.spaces[s], va, n * PAGE_SIZE,
					VM_UNMAP_PUT),
			 expect);
}

static void op_protect(void)
{
	int s = (int)below(NSPACES);
	uint32_t prot = PTE_U | (below(2) ? PTE_W : 0) |
			(below(4) ? 0 : PTE_COW);
	vm_protect(&sh.spaces[s], random_uva(), (1 + below(40)) * PAGE_SIZE,
		   prot);
}

static void op_activate(void)
{
	unsigned int s = below(NSPACES + 1);
	vm_space_activate(s == NSPACES ? &kernel_space : &sh.spaces[s]);
	assert_int_equal(host_cr3, vm_space_current()->pgdir_phys);
}

static void op_recreate(void)
{
	int s = (int)below(NSPACES);
	if (vm_space_current() == &sh.spaces[s])
		vm_space_activate(&kernel_space);
	for (unsigned int i = 0; i < sh.nmaps;) {
		if (sh.maps[i].space == s)
			drop_mapping(i);
		else
			i++;
	}
	vm_space_destroy(&sh.spaces[s]);
	/* Out of memory here would leave no space to test: free blocks. */
	while (vm_space_init(&sh.spaces[s]) != 0) {
		if (!sh.nblocks)
			fail_msg("step %lu: cannot recreate a space", sh.step);
		op_free();
	}
}

static void op_stack(void)
{
	if (sh.nstacks && (below(2) || sh.nstacks == MAX_STACKS)) {
		unsigned int i = below(sh.nstacks);
		vaddr_t st = sh.stacks[i];
		sh.stacks[i] = sh.stacks[--sh.nstacks];
		for (vaddr_t va = st; va < kstack_top(st); va += PAGE_SIZE) {
			paddr_t pa;
			assert_int_equal(
				vm_translate(&kernel_space, va, &pa, NULL), 0);
			release(pa >> PAGE_SHIFT, 1);
		}
		sh.kernel_frames -= KSTACK_PAGES;
		kstack_free(st);
		return;
	}
	vaddr_t st = kstack_alloc();
	if (!st)
		return;
	assert_true(vmap_is_guard(st - 1));
	for (vaddr_t va = st; va < kstack_top(st); va += PAGE_SIZE) {
		paddr_t pa;
		assert_int_equal(vm_translate(&kernel_space, va, &pa, NULL), 0);
		claim(pa >> PAGE_SHIFT, 1, STACK);
	}
	sh.kernel_frames += KSTACK_PAGES;
	sh.stacks[sh.nstacks++] = st;
	digest(st);
}

/* Per-walk state: which space, and how many present PTEs were seen. */
struct walk_ctx {
	int space;
	unsigned int present;
};

static int check_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	struct walk_ctx *ctx = arg;
	if (!pte_present(*ptep))
		fail_msg("step %lu: non-present entry %#x at %#x", sh.step,
			 *ptep, va);
	pfn_t pfn = pte_frame(*ptep) >> PAGE_SHIFT;
	struct page *f = phys_to_page(pte_frame(*ptep));
	if (!f || sh.owner[pfn] != USER_FRAME || !(f->flags & PG_HEAD) ||
	    !(f->flags & PG_USER))
		fail_msg("step %lu: PTE at %#x maps frame %#x, not an "
			 "allocated user frame",
			 sh.step, va, pfn << PAGE_SHIFT);
	if ((uint32_t)f->refcount != sh.mapcount[pfn])
		fail_msg("step %lu: frame %#x has refcount %d, %u mappings",
			 sh.step, pfn << PAGE_SHIFT, f->refcount,
			 sh.mapcount[pfn]);
	int i = find_mapping(ctx->space, va);
	if (i < 0 || sh.maps[i].pfn != pfn)
		fail_msg("step %lu: unexpected mapping %#x -> %#x", sh.step, va,
			 pfn << PAGE_SHIFT);
	ctx->present++;
	return 0;
}

static void check_invariants(void)
{
	struct pmm_stats st;
	size_t mark = host_log_len;
	if (pmm_verify() != 0)
		fail_msg("seed %u, step %lu: pmm_verify failed: %s", sh.seed,
			 sh.step, host_log + mark);
	pmm_get_stats(&st);
	assert_int_equal(st.user_pages, sh.user_frames);
	/* Kernel frames: the shadow's blocks and stacks, nothing else. */
	assert_int_equal(st.kernel_pages, sh.kernel_frames);
	assert_int_equal(st.free_pages + st.kernel_pages + st.user_pages +
				 st.pgtable_pages,
			 st.managed_pages);
	assert_true(host_irq_enabled);
	if (vm_space_check(&kernel_space) != 0)
		fail_msg("step %lu: kernel space check failed", sh.step);
	for (int s = 0; s < NSPACES; s++) {
		if (vm_space_check(&sh.spaces[s]) != 0)
			fail_msg("step %lu: space %d check failed", sh.step, s);
		struct walk_ctx ctx = { s, 0 };
		vm_walk(&sh.spaces[s], 0, KERNEL_VMA, check_pte, &ctx);
		unsigned int want = 0;
		for (unsigned int i = 0; i < sh.nmaps; i++)
			want += sh.maps[i].space == s;
		if (ctx.present != want)
			fail_msg(
				"step %lu: space %d has %u mappings, shadow %u",
				sh.step, s, ctx.present, want);
	}
}

/* Returns everything, then checks that memory is back to where it began. */
static void teardown_all(uint32_t free0, uint32_t pgtable0)
{
	vm_space_activate(&kernel_space);
	while (sh.nblocks)
		op_free();
	while (sh.nstacks) {
		vaddr_t st = sh.stacks[--sh.nstacks];
		kstack_free(st);
		sh.kernel_frames -= KSTACK_PAGES;
	}
	for (int s = 0; s < NSPACES; s++)
		vm_space_destroy(&sh.spaces[s]);
	sh.nmaps = 0;
	assert_verified(pmm_verify());
	struct pmm_stats st;
	pmm_get_stats(&st);
	assert_int_equal(st.kernel_pages + st.user_pages, 0);
	/* The vmap area may keep kernel page tables made on the way. */
	assert_int_equal(st.free_pages + st.pgtable_pages, free0 + pgtable0);
}

static void run(uint64_t ram, uint32_t seed, unsigned long steps)
{
	memset(&sh, 0, sizeof(sh));
	sh.rng = seed ? seed : 1;
	sh.seed = seed;
	sh.digest = 2166136261u;
	assert_int_equal(host_boot_qemu(ram, true), 0);
	struct pmm_stats st0;
	pmm_get_stats(&st0);
	sh.owner = calloc(st0.max_pfn, 1);
	sh.mapcount = calloc(st0.max_pfn, sizeof(*sh.mapcount));
	assert_non_null(sh.owner);
	assert_non_null(sh.mapcount);
	for (int s = 0; s < NSPACES; s++)
		assert_int_equal(vm_space_init(&sh.spaces[s]), 0);

	for (sh.step = 0; sh.step < steps; sh.step++) {
		uint32_t r = below(100);
		if (r < 22)
			op_alloc();
		else if (r < 42)
			op_free();
		else if (r < 62)
			op_map();
		else if (r < 67)
			op_share();
		else if (r < 77)
			op_unmap_one();
		else if (r < 82)
			op_unmap_range();
		else if (r < 88)
			op_protect();
		else if (r < 93)
			op_activate();
		else if (r < 94)
			op_recreate();
		else if (r < 98)
			op_stack();
		else
			pmm_drain_cache();
		check_invariants();
	}
	teardown_all(st0.free_pages, st0.pgtable_pages);
	free(sh.owner);
	free(sh.mapcount);
}

static uint32_t seed_base;
static unsigned long nsteps = 20000;

/* Small machine: memory runs out often, so failure paths get exercised. */
static void test_random_8m(void **state)
{
	(void)state;
	run(8 * MIB, seed_base, nsteps);
}

static void test_random_32m(void **state)
{
	(void)state;
	run(32 * MIB, seed_base + 1, nsteps);
}

/*
 * The same seed gives the same run: every address handed out is the same
 * (nothing depends on where the host put the fake RAM); another seed
 * differs.
 */
static void test_reproducible(void **state)
{
	(void)state;
	run(8 * MIB, seed_base + 2, 1000);
	uint32_t a = sh.digest;
	run(8 * MIB, seed_base + 2, 1000);
	assert_int_equal(sh.digest, a);
	run(8 * MIB, seed_base + 3, 1000);
	assert_int_not_equal(sh.digest, a);
}

int main(void)
{
	const char *env = getenv("MM_SEED");
	seed_base = env ? (uint32_t)strtoul(env, NULL, 0)
			: (uint32_t)time(NULL);
	env = getenv("MM_STEPS");
	if (env)
		nsteps = strtoul(env, NULL, 0);
	printf("test_mm_random: seed %u, %lu steps (MM_SEED=%u repeats it)\n",
	       seed_base, nsteps, seed_base);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_8m),
		cmocka_unit_test(test_random_32m),
		cmocka_unit_test(test_reproducible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
