/*
 * tests/host/bench_kheap.c - the kernel heap against glibc malloc on a
 * kernel-like allocation trace.
 *
 * A seeded generator simulates a small kernel at work and records every
 * allocation and free it makes:
 *
 *   - boot-time objects that live for the whole run (inodes, dentries,
 *     tables);
 *   - processes that fork and exit, each owning a task, an mm, credentials,
 *     a file table, a few dozen memory regions and open files;
 *   - system calls that allocate one to three temporary buffers and free
 *     them before returning (the most frequent event), and sometimes map or
 *     unmap a region, open or close a file;
 *   - a dentry/inode cache that evicts its oldest entries past a limit;
 *   - a packet queue whose length wanders, holding a header and a data
 *     buffer per packet;
 *   - miscellaneous kmalloc()s with random lifetimes.
 *
 * Fixed-size kernel objects go to their own slab cache, as the kernel
 * would allocate them; everything else goes through kmalloc with a size
 * mix of strings, small structures, power-of-two buffers and a few large
 * buffers. The trace is then replayed on the kernel heap (mm/ compiled for
 * the host, over fake RAM) and on glibc malloc/free, and the program prints
 * `name value unit` lines:
 *
 *   - time per operation for each, and their ratio;
 *   - fragmentation: the peak of memory taken from the page allocator (for
 *     glibc: its arena plus mmapped chunks) divided by the peak of bytes
 *     requested and live, split for the kernel heap into rounding (slot
 *     sizes over requests) and slab overhead (pages over slots), and again
 *     with every object going through kmalloc (no dedicated caches);
 *   - kmalloc+kfree pairs per size, against malloc+free.
 *
 * Usage: bench_kheap [seed] [operations]
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm/pmm.h"
#include "mm/slab.h"
#include "tests/host/shim/mm_machine.h"

/* Fake RAM for the kernel heap: far more than the trace's peak. */
#define BENCH_RAM (512ull << 20)
/* Timed replays per allocator; the median is reported. */
#define RUNS 5

/* Object types: kmalloc, or one slab cache per kernel structure. */
enum obj_type {
	T_KMALLOC,
	T_TASK,
	T_MM,
	T_CRED,
	T_VMA,
	T_ANON_VMA,
	T_FILE,
	T_DENTRY,
	T_INODE,
	T_SKB,
	T_NTYPES,
};

/* Sizes as a 32-bit kernel's structures might have them. */
static const struct {
	const char *name;
	uint32_t size;
} types[T_NTYPES] = {
	[T_KMALLOC] = { "kmalloc", 0 }, [T_TASK] = { "task", 1344 },
	[T_MM] = { "mm", 384 },		[T_CRED] = { "cred", 136 },
	[T_VMA] = { "vm_area", 72 },	[T_ANON_VMA] = { "anon_vma", 40 },
	[T_FILE] = { "file", 176 },	[T_DENTRY] = { "dentry", 128 },
	[T_INODE] = { "inode", 312 },	[T_SKB] = { "skbuff", 216 },
};

/* One trace operation: allocate or free object `id`. */
struct op {
	uint32_t id;
	uint32_t size; /* bytes, for allocations */
	uint8_t type;  /* enum obj_type */
	uint8_t is_alloc;
};

static struct op *trace;
static size_t nops, cap_ops;
static uint32_t next_id;
static uint32_t *obj_size; /* by id: size while live, 0 when free */
static uint8_t *obj_type;
static size_t cap_ids;
static uint64_t live_bytes, peak_live_bytes;
/* Bytes live through kmalloc now, and at the moment of the peak. */
static uint64_t live_kmalloc, peak_kmalloc;

/* xorshift64*: small, fast, and the same on every machine. */
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void push_op(struct op o)
{
	if (nops == cap_ops) {
		cap_ops = cap_ops ? cap_ops * 2 : 1 << 20;
		trace = realloc(trace, cap_ops * sizeof(*trace));
	}
	trace[nops++] = o;
}

/* Records an allocation and returns the new object's id. */
static uint32_t gen_alloc(enum obj_type t, uint32_t size)
{
	uint32_t id = next_id++;

	if (t != T_KMALLOC)
		size = types[t].size;
	if (id == cap_ids) {
		cap_ids = cap_ids ? cap_ids * 2 : 1 << 20;
		obj_size = realloc(obj_size, cap_ids * sizeof(*obj_size));
		obj_type = realloc(obj_type, cap_ids);
	}
	obj_size[id] = size;
	obj_type[id] = (uint8_t)t;
	live_bytes += size;
	if (t == T_KMALLOC)
		live_kmalloc += size;
	if (live_bytes > peak_live_bytes) {
		peak_live_bytes = live_bytes;
		peak_kmalloc = live_kmalloc;
	}
	push_op((struct op){ id, size, (uint8_t)t, 1 });
	return id;
}

static void gen_free(uint32_t id)
{
	live_bytes -= obj_size[id];
	if (obj_type[id] == T_KMALLOC)
		live_kmalloc -= obj_size[id];
	push_op((struct op){ id, obj_size[id], obj_type[id], 0 });
	obj_size[id] = 0;
}

/* A kmalloc request size, from a mix typical of kernel call sites. */
static uint32_t kmalloc_size(void)
{
	static const uint32_t structs[] = { 20, 24, 28, 36, 40,	 44, 52,
					    56, 72, 80, 96, 104, 120 };
	static const uint32_t pow2[] = {
		32, 64, 128, 256, 512, 1024, 2048, 4096
	};
	static const uint32_t large[] = { 4096, 6000, 8192, 12000, 16384 };
	uint32_t r = below(100);

	if (r < 35)
		return 5 + below(60); /* strings, small arrays */
	if (r < 60)
		return structs[below(sizeof(structs) / sizeof(structs[0]))];
	if (r < 80)
		return pow2[below(sizeof(pow2) / sizeof(pow2[0]))];
	if (r < 95)
		return 65 + below(536); /* medium structures */
	return large[below(sizeof(large) / sizeof(large[0]))];
}

/* A growable list of object ids. */
struct ids {
	uint32_t *v;
	uint32_t n, cap;
};

static void ids_add(struct ids *l, uint32_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = id;
}

/* Removes and returns a random member. */
static uint32_t ids_take_random(struct ids *l)
{
	uint32_t i = below(l->n), id = l->v[i];
	l->v[i] = l->v[--l->n];
	return id;
}

static void ids_free_all(struct ids *l)
{
	while (l->n)
		gen_free(l->v[--l->n]);
}

#define MAX_PROCS 200

/* A simulated process: its fixed objects, regions and open files. */
struct proc {
	struct ids fixed, vmas, files;
};

static struct proc procs[MAX_PROCS];
static uint32_t nprocs;

static void proc_fork(void)
{
	struct proc *p = &procs[nprocs++];

	ids_add(&p->fixed, gen_alloc(T_TASK, 0));
	ids_add(&p->fixed, gen_alloc(T_MM, 0));
	ids_add(&p->fixed, gen_alloc(T_CRED, 0));
	ids_add(&p->fixed, gen_alloc(T_KMALLOC, 256));	/* file table */
	ids_add(&p->fixed, gen_alloc(T_KMALLOC, 8192)); /* kernel stack */
	for (uint32_t i = 5 + below(20); i; i--) {
		ids_add(&p->vmas, gen_alloc(T_VMA, 0));
		if (below(3) == 0)
			ids_add(&p->vmas, gen_alloc(T_ANON_VMA, 0));
	}
	for (uint32_t i = 3 + below(6); i; i--)
		ids_add(&p->files, gen_alloc(T_FILE, 0));
}

static void proc_exit(uint32_t i)
{
	struct proc *p = &procs[i];

	ids_free_all(&p->files);
	ids_free_all(&p->vmas);
	ids_free_all(&p->fixed);
	struct proc gone = *p;
	*p = procs[--nprocs];
	procs[nprocs] = gone;
}

/* The dentry cache: a FIFO of (dentry, inode or none) pairs. */
#define DCACHE_MAX 6000
static uint32_t dcache[DCACHE_MAX][2];
static uint32_t dc_head, dc_len;

static void dcache_evict(void)
{
	uint32_t *e = dcache[dc_head];
	gen_free(e[0]);
	if (e[1] != UINT32_MAX)
		gen_free(e[1]);
	dc_head = (dc_head + 1) % DCACHE_MAX;
	dc_len--;
}

static void dcache_lookup(void)
{
	if (dc_len == DCACHE_MAX)
		dcache_evict();
	uint32_t *e = dcache[(dc_head + dc_len++) % DCACHE_MAX];
	e[0] = gen_alloc(T_DENTRY, 0);
	e[1] = below(2) ? gen_alloc(T_INODE, 0) : UINT32_MAX;
}

/* The packet queue, whose target length wanders between 0 and 600. */
#define PKTQ_MAX 1024
static uint32_t pktq[PKTQ_MAX][2];
static uint32_t pq_head, pq_len, pq_target = 100;

static void packet(void)
{
	static const uint32_t data[] = { 64, 128, 256, 576, 1500, 1500, 1500 };
	if (pq_len < PKTQ_MAX) {
		uint32_t *e = pktq[(pq_head + pq_len++) % PKTQ_MAX];
		e[0] = gen_alloc(T_SKB, 0);
		e[1] = gen_alloc(T_KMALLOC,
				 data[below(sizeof(data) / sizeof(data[0]))]);
	}
	if (below(50) == 0)
		pq_target = below(600);
	while (pq_len > pq_target) {
		gen_free(pktq[pq_head][0]);
		gen_free(pktq[pq_head][1]);
		pq_head = (pq_head + 1) % PKTQ_MAX;
		pq_len--;
	}
}

/* Misc kmallocs: a pool where each new object replaces a random one. */
#define MISC_SLOTS 3000
static uint32_t misc[MISC_SLOTS];

static void misc_alloc(void)
{
	uint32_t i = below(MISC_SLOTS);
	if (misc[i] != UINT32_MAX)
		gen_free(misc[i]);
	misc[i] = gen_alloc(T_KMALLOC, kmalloc_size());
}

static void do_syscall(void)
{
	struct proc *p = &procs[below(nprocs)];
	uint32_t tmp[3], ntmp = 1 + below(3);
	uint32_t r = below(100);

	for (uint32_t i = 0; i < ntmp; i++)
		tmp[i] = gen_alloc(T_KMALLOC, kmalloc_size());
	if (r < 10) {
		ids_add(&p->vmas, gen_alloc(T_VMA, 0));
	} else if (r < 20 && p->vmas.n > 5) {
		gen_free(ids_take_random(&p->vmas));
	} else if (r < 28) {
		uint32_t name = gen_alloc(T_KMALLOC, 4096);
		dcache_lookup();
		ids_add(&p->files, gen_alloc(T_FILE, 0));
		gen_free(name);
	} else if (r < 36 && p->files.n > 2) {
		gen_free(ids_take_random(&p->files));
	}
	while (ntmp)
		gen_free(tmp[--ntmp]);
}

/* Generates a trace of about `want` operations that ends with no object live. */
static void generate(uint64_t seed, size_t want)
{
	rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	memset(misc, 0xff, sizeof(misc));
	/* Boot: long-lived objects. */
	for (int i = 0; i < 2000; i++)
		dcache_lookup();
	for (int i = 0; i < 8; i++)
		proc_fork();

	while (nops < want) {
		uint32_t r = below(1000);
		if (r < 450) {
			do_syscall();
		} else if (r < 600) {
			dcache_lookup();
		} else if (r < 800) {
			packet();
		} else if (r < 960) {
			misc_alloc();
		} else if (r < 980) {
			if (nprocs < MAX_PROCS && (nprocs < 20 || below(2)))
				proc_fork();
		} else if (nprocs > 10) {
			proc_exit(below(nprocs));
		}
	}
	/* Shutdown: free everything still live, so replays can repeat. */
	while (nprocs)
		proc_exit(nprocs - 1);
	while (dc_len)
		dcache_evict();
	pq_target = 0;
	while (pq_len) {
		gen_free(pktq[pq_head][0]);
		gen_free(pktq[pq_head][1]);
		pq_head = (pq_head + 1) % PKTQ_MAX;
		pq_len--;
	}
	for (int i = 0; i < MISC_SLOTS; i++)
		if (misc[i] != UINT32_MAX)
			gen_free(misc[i]);
}

static void **ptrs;
static struct kmem_cache *caches[T_NTYPES];

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Boots fake RAM, a fresh kernel heap and one cache per object type. */
static void kheap_fresh(void)
{
	if (host_boot_qemu(BENCH_RAM, false) != 0) {
		fprintf(stderr, "bench_kheap: cannot boot fake RAM\n");
		exit(1);
	}
	kheap_init();
	for (int t = 1; t < T_NTYPES; t++)
		caches[t] =
			kmem_cache_create(types[t].name, types[t].size, 0, 0);
}

static void fail_replay(const char *who, size_t i)
{
	fprintf(stderr, "bench_kheap: %s replay went wrong at op %zu\n", who,
		i);
	exit(1);
}

/* Replays the trace on the kernel heap; returns nanoseconds taken. */
static double replay_kheap(void)
{
	double t0 = now_ns();
	for (size_t i = 0; i < nops; i++) {
		const struct op *o = &trace[i];
		if (o->is_alloc) {
			uint32_t *p =
				o->type == T_KMALLOC
					? kmalloc(o->size, GFP_KERNEL)
					: kmem_cache_alloc(caches[o->type],
							   GFP_KERNEL);
			if (!p)
				fail_replay("kheap", i);
			*p = o->id;
			ptrs[o->id] = p;
		} else {
			uint32_t *p = ptrs[o->id];
			if (*p != o->id)
				fail_replay("kheap", i);
			if (o->type == T_KMALLOC)
				kfree(p);
			else
				kmem_cache_free(caches[o->type], p);
		}
	}
	return now_ns() - t0;
}

/* Replays the trace on glibc; with sample, tracks its peak footprint. */
static double replay_glibc(uint64_t *peak)
{
	double t0 = now_ns();
	for (size_t i = 0; i < nops; i++) {
		const struct op *o = &trace[i];
		if (o->is_alloc) {
			uint32_t *p = malloc(o->size);
			if (!p)
				fail_replay("glibc", i);
			*p = o->id;
			ptrs[o->id] = p;
		} else {
			uint32_t *p = ptrs[o->id];
			if (*p != o->id)
				fail_replay("glibc", i);
			free(p);
		}
		if (peak && o->is_alloc) {
			struct mallinfo2 mi = mallinfo2();
			if (mi.arena + mi.hblkhd > *peak)
				*peak = mi.arena + mi.hblkhd;
		}
	}
	return now_ns() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * One replay on a fresh heap that also tracks the peak of slot bytes held
 * by live objects (requests rounded to their class or slot size). With
 * all_kmalloc, the fixed-size objects go through kmalloc too, as if the
 * kernel had no caches of its own.
 */
static void kheap_fragmentation(bool all_kmalloc)
{
	const char *sfx = all_kmalloc ? "_all_kmalloc" : "";
	uint32_t slot[T_NTYPES];
	uint64_t slots = 0, peak_slots = 0;
	struct kmem_cache_stats st;
	struct kheap_totals t;

	kheap_fresh();
	for (int k = 1; k < T_NTYPES; k++) {
		kmem_cache_get_stats(caches[k], &st);
		slot[k] = st.slot_size;
	}
	kheap_reset_peak();
	for (size_t i = 0; i < nops; i++) {
		const struct op *o = &trace[i];
		void *p;
		bool km = all_kmalloc || o->type == T_KMALLOC;
		if (o->is_alloc) {
			p = km ? kmalloc(o->size, GFP_KERNEL)
			       : kmem_cache_alloc(caches[o->type], GFP_KERNEL);
			if (!p)
				fail_replay("kheap", i);
			ptrs[o->id] = p;
			slots += km ? ksize(p) : slot[o->type];
			if (slots > peak_slots)
				peak_slots = slots;
		} else {
			p = ptrs[o->id];
			slots -= km ? ksize(p) : slot[o->type];
			if (km)
				kfree(p);
			else
				kmem_cache_free(caches[o->type], p);
		}
	}
	kheap_get_totals(&t);
	double pages = (double)t.pages_peak * PAGE_SIZE;
	printf("kheap_peak_pages_bytes%s %.0f bytes\n", sfx, pages);
	printf("kheap_fragmentation%s %.3f ratio\n", sfx,
	       pages / peak_live_bytes);
	printf("kheap_fragmentation_rounding%s %.3f ratio\n", sfx,
	       (double)peak_slots / peak_live_bytes);
	printf("kheap_fragmentation_slabs%s %.3f ratio\n", sfx,
	       pages / peak_slots);
}

static void *pair_ptr;

/* Nanoseconds per kmalloc+kfree and per malloc+free of one size. */
static void pairs(size_t size)
{
	const int n = 2000000;
	double t0 = now_ns();
	for (int i = 0; i < n; i++) {
		pair_ptr = kmalloc(size, GFP_KERNEL);
		kfree(pair_ptr);
	}
	double t1 = now_ns();
	for (int i = 0; i < n; i++) {
		pair_ptr = malloc(size);
		free(pair_ptr);
	}
	double t2 = now_ns();
	printf("kheap_pair_%zu %.1f ns\n", size, (t1 - t0) / n);
	printf("glibc_pair_%zu %.1f ns\n", size, (t2 - t1) / n);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	size_t want = argc > 2 ? strtoull(argv[2], NULL, 0) : 2000000;
	double tk[RUNS], tg[RUNS];
	uint64_t glibc_peak = 0;

	generate(seed, want);
	ptrs = calloc(next_id, sizeof(*ptrs));
	printf("trace_seed %llu seed\n", (unsigned long long)seed);
	printf("trace_ops %zu ops\n", nops);
	printf("trace_peak_live_bytes %llu bytes\n",
	       (unsigned long long)peak_live_bytes);
	printf("trace_peak_kmalloc_share %.1f %%\n",
	       100.0 * peak_kmalloc / peak_live_bytes);

	kheap_fragmentation(false);
	kheap_fragmentation(true);
	/* glibc's footprint beyond what it held before (the trace itself). */
	struct mallinfo2 mi = mallinfo2();
	uint64_t glibc_base = mi.arena + mi.hblkhd;
	replay_glibc(&glibc_peak);
	printf("glibc_fragmentation %.3f ratio\n",
	       (double)(glibc_peak - glibc_base) / peak_live_bytes);

	/* Warm both (the heap keeps its slabs, glibc its arena), then time. */
	kheap_fresh();
	replay_kheap();
	replay_glibc(NULL);
	for (int r = 0; r < RUNS; r++) {
		tk[r] = replay_kheap();
		tg[r] = replay_glibc(NULL);
	}
	double k = median(tk, RUNS), g = median(tg, RUNS);
	printf("kheap_replay %.1f ns/op\n", k / nops);
	printf("glibc_replay %.1f ns/op\n", g / nops);
	printf("kheap_speedup_over_glibc %.2f x\n", g / k);

	static const size_t sizes[] = { 16, 64, 256, 1024, 4096 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		pairs(sizes[i]);
	return 0;
}
