/*
 * tests/fuzz/fuzz_mm.c - libFuzzer harness for the frame allocator and the
 * page tables.
 *
 * Each input describes a machine and a sequence of operations:
 *
 *   byte 0        shape flags: RAM above 4 GiB, RAM across the lowmem
 *                 limit, a mem= cap, poisoned RAM
 *   byte 1        number of map entries (1..8), then 7 bytes per entry:
 *                 base (3 bytes: a frame below 16 MiB; 1 byte: an offset
 *                 for ragged ends), size (2 bytes: up to 16 MiB), type
 *   next byte     number of reserved ranges (0..3), 6 bytes each
 *   rest          operations, 3 bytes each: opcode, two arguments
 *
 * The machine is booted with pmm_init() and paging_init(); then every
 * operation runs against a shadow model and all invariants are checked
 * after each one (pmm_verify, vm_space_check, counters, ownership of every
 * frame, refcounts of mapped frames). Any violation aborts, which libFuzzer
 * reports with the input that caused it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "libk/errno.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "mm/vmap.h"
#include "tests/host/shim/port_host.h"

#define MIB (1024u * 1024)
#define FAKE_RAM (4ull << 30) /* addresses up to 4 GiB are backed */
#define NSPACES 2
#define MAX_BLOCKS 256
#define MAX_MAPS 512
#define MAX_STACKS 8
#define MAX_OPS 400

/* Byte 0 flags. */
#define SHAPE_ABOVE_4G 1u
#define SHAPE_LOWMEM_EDGE 2u
#define SHAPE_CAP 4u
#define SHAPE_POISON 8u

struct input {
	const uint8_t *p;
	size_t left;
};

static uint32_t take(struct input *in, unsigned int nbytes)
{
	uint32_t v = 0;
	for (unsigned int i = 0; i < nbytes; i++) {
		v <<= 8;
		if (in->left) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

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
	uint8_t *owner;	    /* per frame: 0 free, 1 block, 2 user, 3 stack */
	uint16_t *mapcount; /* per frame: mappings of a user frame */
	uint32_t npfn;
	struct block blocks[MAX_BLOCKS];
	unsigned int nblocks;
	struct mapping maps[MAX_MAPS];
	unsigned int nmaps;
	vaddr_t stacks[MAX_STACKS];
	unsigned int nstacks;
	struct vm_space spaces[NSPACES];
	uint32_t kernel_frames, user_frames;
	unsigned int op;
} sh;

/* Reports an invariant violation and aborts (libFuzzer saves the input). */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_mm: op %u: %s failed (%s:%d)\n", \
				sh.op, #cond, __FILE__, __LINE__);             \
			abort();                                               \
		}                                                              \
	} while (0)

static void claim(pfn_t pfn, uint32_t n, uint8_t who)
{
	for (uint32_t i = 0; i < n; i++) {
		CHECK(pfn + i < sh.npfn);
		CHECK(sh.owner[pfn + i] == 0);
		sh.owner[pfn + i] = who;
	}
}

static void release(pfn_t pfn, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		sh.owner[pfn + i] = 0;
}

static pfn_t pfn_of(struct page *p)
{
	return page_to_phys(p) >> PAGE_SHIFT;
}

/* A user address from a small set spanning three page tables. */
static vaddr_t uva(uint32_t arg)
{
	return 0x3F0000 + (arg % 64) * PAGE_SIZE * ((arg & 64) ? 1 : 17);
}

static int find_mapping(int space, vaddr_t va)
{
	for (unsigned int i = 0; i < sh.nmaps; i++)
		if (sh.maps[i].space == space && sh.maps[i].va == va)
			return (int)i;
	return -1;
}

static void drop_mapping(unsigned int i)
{
	pfn_t pfn = sh.maps[i].pfn;
	if (--sh.mapcount[pfn] == 0) {
		release(pfn, 1);
		sh.user_frames--;
	}
	sh.maps[i] = sh.maps[--sh.nmaps];
}

static void do_free(unsigned int i)
{
	struct block b = sh.blocks[i];
	sh.blocks[i] = sh.blocks[--sh.nblocks];
	release(pfn_of(b.page), 1u << b.order);
	if (b.user)
		sh.user_frames -= 1u << b.order;
	else
		sh.kernel_frames -= 1u << b.order;
	free_pages(b.page, b.order);
}

static void do_op(uint8_t opcode, uint8_t a, uint8_t b)
{
	int s = a % NSPACES;
	switch (opcode % 10) {
	case 0: /* allocate a block */
	case 1: {
		unsigned int order = b % PMM_MAX_ORDER;
		bool user = a & 1;
		if (sh.nblocks == MAX_BLOCKS)
			break;
		struct page *p = alloc_pages(
			order, (user ? GFP_USER : 0) | (a & 2 ? GFP_ZERO : 0));
		if (!p)
			break;
		CHECK(page_to_phys(p) % (PAGE_SIZE << order) == 0);
		CHECK(page_to_phys(p) < LOWMEM_LIMIT);
		claim(pfn_of(p), 1u << order, 1);
		sh.blocks[sh.nblocks++] = (struct block){ p, order, user };
		if (user)
			sh.user_frames += 1u << order;
		else
			sh.kernel_frames += 1u << order;
		break;
	}
	case 2: /* free a block */
		if (sh.nblocks)
			do_free(b % sh.nblocks);
		break;
	case 3: { /* map a fresh user frame */
		vaddr_t va = uva(b);
		if (sh.nmaps == MAX_MAPS || find_mapping(s, va) >= 0)
			break;
		struct page *f = alloc_page(GFP_USER);
		if (!f)
			break;
		int err = vm_map_page(&sh.spaces[s], va, page_to_phys(f),
				      PTE_U | (a & 2 ? PTE_W : 0));
		if (err) {
			CHECK(err == -ENOMEM);
			free_page(f);
			break;
		}
		claim(pfn_of(f), 1, 2);
		sh.user_frames++;
		sh.mapcount[pfn_of(f)] = 1;
		sh.maps[sh.nmaps++] = (struct mapping){ s, va, pfn_of(f) };
		break;
	}
	case 4: { /* share a mapped frame */
		if (!sh.nmaps || sh.nmaps == MAX_MAPS)
			break;
		struct mapping m = sh.maps[b % sh.nmaps];
		vaddr_t va = uva(a);
		if (find_mapping(s, va) >= 0)
			break;
		struct page *f = phys_to_page(m.pfn << PAGE_SHIFT);
		get_page(f);
		int err = vm_map_page(&sh.spaces[s], va, m.pfn << PAGE_SHIFT,
				      PTE_U);
		if (err) {
			CHECK(err == -ENOMEM);
			put_page(f);
			break;
		}
		sh.mapcount[m.pfn]++;
		sh.maps[sh.nmaps++] = (struct mapping){ s, va, m.pfn };
		break;
	}
	case 5: { /* unmap one page */
		if (!sh.nmaps)
			break;
		unsigned int i = b % sh.nmaps;
		struct mapping m = sh.maps[i];
		pte_t old;
		CHECK(vm_unmap_page(&sh.spaces[m.space], m.va, &old) == 0);
		CHECK(pte_frame(old) == m.pfn << PAGE_SHIFT);
		drop_mapping(i);
		put_page(phys_to_page(m.pfn << PAGE_SHIFT));
		break;
	}
	case 6: { /* unmap a range, dropping references */
		vaddr_t va = page_round_down(uva(b));
		uint32_t n = 1 + a % 40;
		uint32_t expect = 0;
		for (unsigned int i = 0; i < sh.nmaps;) {
			if (sh.maps[i].space == s && sh.maps[i].va >= va &&
			    sh.maps[i].va < va + n * PAGE_SIZE) {
				drop_mapping(i);
				expect++;
			} else {
				i++;
			}
		}
		CHECK(vm_unmap_range(&sh.spaces[s], va, n * PAGE_SIZE,
				     VM_UNMAP_PUT) == expect);
		break;
	}
	case 7: /* change protection; switch spaces */
		vm_protect(&sh.spaces[s], uva(b), (1 + a % 40) * PAGE_SIZE,
			   PTE_U | (a & 4 ? PTE_W : PTE_COW));
		vm_space_activate(b & 1 ? &sh.spaces[s] : &kernel_space);
		break;
	case 8: /* kernel stacks */
		if (sh.nstacks && (b & 1 || sh.nstacks == MAX_STACKS)) {
			unsigned int i = a % sh.nstacks;
			vaddr_t st = sh.stacks[i];
			sh.stacks[i] = sh.stacks[--sh.nstacks];
			for (vaddr_t va = st; va < kstack_top(st);
			     va += PAGE_SIZE) {
				paddr_t pa;
				CHECK(vm_translate(&kernel_space, va, &pa,
						   NULL) == 0);
				release(pa >> PAGE_SHIFT, 1);
			}
			sh.kernel_frames -= KSTACK_PAGES;
			kstack_free(st);
		} else if (sh.nstacks < MAX_STACKS) {
			vaddr_t st = kstack_alloc();
			if (!st)
				break;
			CHECK(vmap_is_guard(st - 1));
			for (vaddr_t va = st; va < kstack_top(st);
			     va += PAGE_SIZE) {
				paddr_t pa;
				CHECK(vm_translate(&kernel_space, va, &pa,
						   NULL) == 0);
				claim(pa >> PAGE_SHIFT, 1, 3);
			}
			sh.kernel_frames += KSTACK_PAGES;
			sh.stacks[sh.nstacks++] = st;
		}
		break;
	default: /* drain the cache; release boot data */
		if (b & 1)
			pmm_drain_cache();
		else
			pmm_release_boot(0, 4ull << 30);
		break;
	}
}

/* Checks one present user PTE against the shadow. */
static int check_pte(vaddr_t va, pte_t *ptep, void *arg)
{
	int s = *(int *)arg;
	CHECK(pte_present(*ptep));
	pfn_t pfn = pte_frame(*ptep) >> PAGE_SHIFT;
	struct page *f = phys_to_page(pte_frame(*ptep));
	CHECK(f && pfn < sh.npfn && sh.owner[pfn] == 2);
	CHECK((f->flags & (PG_HEAD | PG_USER)) == (PG_HEAD | PG_USER));
	CHECK(f->refcount == sh.mapcount[pfn]);
	int i = find_mapping(s, va);
	CHECK(i >= 0 && sh.maps[i].pfn == pfn);
	return 0;
}

static void check_all(bool kernel_changed)
{
	struct pmm_stats st;
	CHECK(pmm_verify() == 0);
	pmm_get_stats(&st);
	CHECK(st.kernel_pages == sh.kernel_frames);
	CHECK(st.user_pages == sh.user_frames);
	CHECK(st.free_pages + st.kernel_pages + st.user_pages +
		      st.pgtable_pages ==
	      st.managed_pages);
	CHECK(st.managed_pages + st.reserved_pages == st.total_pages);
	CHECK(host_irq_enabled);
	/* The kernel's tables are big; only kernel stacks change them. */
	if (kernel_changed)
		CHECK(vm_space_check(&kernel_space) == 0);
	for (int s = 0; s < NSPACES; s++) {
		CHECK(vm_space_check(&sh.spaces[s]) == 0);
		vm_walk(&sh.spaces[s], 0, KERNEL_VMA, check_pte, &s);
	}
}

/* Reads the machine description; returns the number of map entries. */
static size_t read_machine(struct input *in, struct mem_range *map,
			   struct mem_range *resv, size_t *nresv, uint64_t *cap,
			   uint8_t *shape)
{
	*shape = (uint8_t)take(in, 1);
	size_t n = 1 + take(in, 1) % 8;
	for (size_t i = 0; i < n; i++) {
		uint64_t base = (uint64_t)take(in, 3) % (16 * 256) * PAGE_SIZE;
		base += take(in, 1) * 16;
		map[i].base = base;
		map[i].size =
			(uint64_t)take(in, 2) * PAGE_SIZE / 16 + (base & 0xFF);
		map[i].type = take(in, 1) < 200 ? MEM_RANGE_USABLE : 2;
	}
	if (*shape & SHAPE_ABOVE_4G) {
		map[n].base = 0xFFF00000ull;
		map[n].size = 0x10200000ull;
		map[n++].type = MEM_RANGE_USABLE;
	}
	if (*shape & SHAPE_LOWMEM_EDGE) {
		map[n].base = LOWMEM_LIMIT - 4 * MIB;
		map[n].size = 8 * MIB;
		map[n++].type = MEM_RANGE_USABLE;
	}
	*cap = *shape & SHAPE_CAP ? (uint64_t)take(in, 2) * 4096 : 0;
	*nresv = take(in, 1) % 4;
	for (size_t i = 0; i < *nresv; i++) {
		resv[i].base = (uint64_t)take(in, 2) * 1024;
		resv[i].size = (uint64_t)take(in, 3) % (8 * MIB);
		resv[i].type = take(in, 1) & 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct mem_range map[10], resv[3];
	size_t nresv;
	uint64_t cap;
	uint8_t shape;

	size_t nmap = read_machine(&in, map, resv, &nresv, &cap, &shape);
	host_ram_setup(FAKE_RAM, false);
	/* The arena keeps the last run's garbage; this adds some more. */
	if (shape & SHAPE_POISON)
		for (uint32_t pa = 0; pa < 16 * MIB; pa += 64)
			host_ram[pa] = 0xA5;
	if (pmm_init(map, nmap, resv, nresv, cap) != 0) {
		CHECK(pmm_verify() == 0);
		return 0;
	}
	sh.op = 0;
	CHECK(pmm_verify() == 0);
	if (paging_init() != 0)
		return 0;

	struct pmm_stats st0;
	pmm_get_stats(&st0);
	sh.npfn = st0.max_pfn;
	sh.owner = calloc(sh.npfn, 1);
	sh.mapcount = calloc(sh.npfn, sizeof(*sh.mapcount));
	sh.nblocks = sh.nmaps = sh.nstacks = 0;
	sh.kernel_frames = sh.user_frames = 0;
	int live = 0;
	for (; live < NSPACES; live++)
		if (vm_space_init(&sh.spaces[live]) != 0)
			break;
	if (live == NSPACES) {
		for (sh.op = 0; sh.op < MAX_OPS && in.left >= 3; sh.op++) {
			uint8_t op = (uint8_t)take(&in, 1);
			uint8_t a = (uint8_t)take(&in, 1);
			uint8_t b = (uint8_t)take(&in, 1);
			do_op(op, a, b);
			check_all(op % 10 == 8);
		}
		/* Give everything back: memory returns to where it began. */
		vm_space_activate(&kernel_space);
		while (sh.nblocks)
			do_free(0);
		while (sh.nstacks)
			kstack_free(sh.stacks[--sh.nstacks]);
	}
	for (int s = 0; s < live; s++)
		vm_space_destroy(&sh.spaces[s]);
	sh.nmaps = 0;
	pmm_drain_cache();
	struct pmm_stats st;
	pmm_get_stats(&st);
	CHECK(pmm_verify() == 0);
	CHECK(vm_space_check(&kernel_space) == 0);
	CHECK(st.kernel_pages == 0 && st.user_pages == 0);
	/* Kernel page tables made on the way stay; released boot data adds. */
	CHECK(st.free_pages + st.pgtable_pages ==
	      st0.free_pages + st0.pgtable_pages + st0.bootmem_pages -
		      st.bootmem_pages);
	free(sh.owner);
	free(sh.mapcount);
	return 0;
}
