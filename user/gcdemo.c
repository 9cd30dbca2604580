/*
 * user/gcdemo.c - garbage collection on real pages: reference counting,
 * mark-sweep, and a write barrier made of mprotect() and SIGSEGV.
 *
 *   gcdemo [-n OBJECTS]
 *
 * The heap is an mmap'ed region of 4 KiB pages cut into 64-byte objects,
 * each with up to four references to others. Three collectors run on it:
 *
 * 1. Reference counting: every object counts the references to it; when
 *    the count drops to 0 it is freed at once, and the objects it refers
 *    to lose a reference. Cheap and immediate, but a cycle keeps itself
 *    alive: its objects stay counted after nothing outside reaches them.
 * 2. Mark-sweep: from the roots, mark everything reachable; then sweep
 *    the heap and free what is not marked. Cycles go too. The pause
 *    grows with the heap: every page is read.
 * 3. A generational collection with a write barrier: after a full
 *    collection, every page holding old objects is made read-only with
 *    mprotect. When the program stores a reference into an old object,
 *    the write faults; the SIGSEGV handler notes the page as dirty (a
 *    "card"), makes it writable, and returns, so the store is done again
 *    and succeeds. A minor collection then frees unreachable young
 *    objects by scanning the roots, the young objects and only the dirty
 *    old pages, not the whole old heap.
 *
 * The numbers printed are object and page counts, the same on every run.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define NREFS 4
#define MAX_ROOTS 64

struct object {
	uint32_t in_use;	   /* allocated */
	uint32_t marked;	   /* reached in the current mark phase */
	uint32_t refcount;	   /* references to it (collector 1) */
	uint32_t young;		   /* allocated since the last full GC */
	struct object *ref[NREFS]; /* references to other objects */
	uint32_t value;		   /* payload */
	uint32_t pad[7];
};
_Static_assert(sizeof(struct object) == 64, "objects divide a page evenly");

#define PER_PAGE (PAGE / sizeof(struct object))

static struct object *heap; /* the region */
static long heap_objects;   /* capacity */
static long heap_pages;
static struct object *roots[MAX_ROOTS];

/* The write barrier's dirty pages ("cards") and faults. */
static bool *dirty;
static volatile long barrier_faults;
static bool barrier_on;

static void on_write_fault(int sig, siginfo_t *si, void *uctx)
{
	char *addr = si->si_addr;
	(void)uctx;

	if (!barrier_on || addr < (char *)heap ||
	    addr >= (char *)heap + heap_pages * PAGE) {
		signal(sig, SIG_DFL); /* a real bug: die of it */
		return;
	}
	long page = (addr - (char *)heap) / PAGE;
	dirty[page] = true;
	barrier_faults++;
	mprotect((char *)heap + page * PAGE, PAGE, PROT_READ | PROT_WRITE);
}

static struct object *alloc_object(uint32_t value)
{
	for (long i = 0; i < heap_objects; i++) {
		struct object *o = &heap[i];
		if (!o->in_use) {
			/* A free slot may be on a protected page too. */
			o->in_use = 1;
			o->marked = o->refcount = 0;
			o->young = 1;
			memset(o->ref, 0, sizeof(o->ref));
			o->value = value;
			return o;
		}
	}
	return NULL;
}

static long count_in_use(void)
{
	long n = 0;
	for (long i = 0; i < heap_objects; i++)
		n += heap[i].in_use != 0;
	return n;
}

/* --- 1. reference counting --------------------------------------------- */

static void rc_release(struct object *o);

static void rc_set(struct object *from, int slot, struct object *to)
{
	struct object *old = from->ref[slot];
	if (to)
		to->refcount++;
	from->ref[slot] = to;
	if (old)
		rc_release(old);
}

static long rc_freed;

static void rc_release(struct object *o)
{
	if (--o->refcount)
		return;
	for (int i = 0; i < NREFS; i++)
		if (o->ref[i])
			rc_set(o, i, NULL);
	o->in_use = 0;
	rc_freed++;
}

/* A root held by the program counts as a reference. */
static void rc_root(int slot, struct object *o)
{
	if (o)
		o->refcount++;
	struct object *old = roots[slot];
	roots[slot] = o;
	if (old)
		rc_release(old);
}

/* --- 2. mark-sweep ------------------------------------------------------- */

static long marked_count;

static void mark(struct object *o)
{
	if (!o || o->marked)
		return;
	o->marked = 1;
	marked_count++;
	for (int i = 0; i < NREFS; i++)
		mark(o->ref[i]);
}

/* Frees unmarked objects (only young ones if young_only); clears marks. */
static long sweep(bool young_only)
{
	long freed = 0;
	for (long i = 0; i < heap_objects; i++) {
		struct object *o = &heap[i];
		if (!o->in_use)
			continue;
		if (!o->marked && (!young_only || o->young)) {
			o->in_use = 0;
			freed++;
		}
		o->marked = 0;
	}
	return freed;
}

static long full_collect(void)
{
	marked_count = 0;
	for (int r = 0; r < MAX_ROOTS; r++)
		mark(roots[r]);
	return sweep(false);
}

/* --- 3. generations and the write barrier ------------------------------- */

/* After a full collection everything left is old; old pages read-only. */
static long protect_old(void)
{
	long protected = 0;
	for (long i = 0; i < heap_objects; i++)
		heap[i].young = 0;
	memset(dirty, 0, heap_pages * sizeof(*dirty));
	for (long p = 0; p < heap_pages; p++) {
		mprotect((char *)heap + p * PAGE, PAGE, PROT_READ);
		protected++;
	}
	barrier_on = true;
	return protected;
}

/*
 * Minor collection: roots, plus the references held by old objects on
 * dirty pages, mark the young objects; unmarked young ones are freed.
 * Old objects on clean pages are not looked at.
 */
static long minor_collect(long *pages_scanned)
{
	/* The collector writes marks: it must not trip its own barrier. */
	barrier_on = false;
	mprotect(heap, heap_pages * PAGE, PROT_READ | PROT_WRITE);
	*pages_scanned = 0;
	marked_count = 0;
	for (int r = 0; r < MAX_ROOTS; r++)
		mark(roots[r]);
	for (long p = 0; p < heap_pages; p++) {
		if (!dirty[p])
			continue;
		(*pages_scanned)++;
		for (size_t k = 0; k < PER_PAGE; k++) {
			struct object *o = &heap[p * PER_PAGE + k];
			if (o->in_use && !o->young)
				for (int i = 0; i < NREFS; i++)
					mark(o->ref[i]);
		}
	}
	return sweep(true);
}

/*
 * Builds a list of n objects, each pointing at the one made before it,
 * the newest in root slot r; returns the oldest.
 */
static struct object *make_list(int r, long n, bool counted)
{
	struct object *head = NULL, *first = NULL;
	for (long i = 0; i < n; i++) {
		struct object *o = alloc_object((uint32_t)i);
		if (!o)
			return first;
		if (!first)
			first = o;
		if (counted) {
			if (head)
				rc_set(o, 0, head);
			rc_root(r, o);
		} else {
			o->ref[0] = head;
			roots[r] = o;
		}
		head = o;
	}
	return first;
}

static void usage(void)
{
	fprintf(stderr, "usage: gcdemo [-n OBJECTS]  (64-100000, default "
			"1024)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long want = 1024;
	int opt;

	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		char *end;
		if (opt != 'n')
			usage();
		want = strtol(optarg, &end, 10);
		if (!*optarg || *end || want < 64 || want > 100000)
			usage();
	}
	if (optind != argc)
		usage();
	heap_pages = (want + PER_PAGE - 1) / PER_PAGE;
	heap_objects = heap_pages * PER_PAGE;
	heap = mmap(NULL, heap_pages * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dirty = calloc(heap_pages, sizeof(*dirty));
	if (heap == MAP_FAILED || !dirty) {
		perror("gcdemo: memory");
		return 1;
	}
	struct sigaction sa = { .sa_sigaction = on_write_fault,
				.sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	printf("gcdemo: heap of %ld pages, %ld objects of %zu bytes\n",
	       heap_pages, heap_objects, sizeof(struct object));

	/* 1. Reference counting: a chain, and a ring (a cycle). */
	long n = heap_objects / 4;
	make_list(0, n, true);
	struct object *oldest = make_list(1, n, true);
	rc_set(oldest, 1, roots[1]); /* back to the newest: a ring */
	printf("refcount:  %ld objects in a chain and %ld in a ring\n", n, n);
	rc_root(0, NULL);
	rc_root(1, NULL);
	printf("refcount:  roots dropped: %ld freed at once, %ld still "
	       "allocated (the ring keeps itself alive)\n",
	       rc_freed, count_in_use());

	/* 2. Mark-sweep finds the ring unreachable. */
	long freed = full_collect();
	printf("mark-sweep: %ld marked, %ld freed (the ring), %ld allocated\n",
	       marked_count, freed, count_in_use());

	/* 3. Old data, then the write barrier. */
	make_list(2, n, false);	    /* old and reachable */
	make_list(3, n / 2, false); /* old, dropped below */
	roots[3] = NULL;
	freed = full_collect();
	long old = count_in_use();
	long prot = protect_old();
	printf("full GC:   %ld freed, %ld old objects kept; %ld pages made "
	       "read-only\n",
	       freed, old, prot);

	/* The program runs on: new objects, a few stored into old ones. */
	long stores = 0;
	struct object *o = roots[2];
	for (long i = 0; i < n / 8 && o; i++) {
		struct object *y = alloc_object(1000 + (uint32_t)i);
		if (!y)
			break;
		if (i % 4 == 0) {
			o->ref[1] =
				y; /* an old object gets a young reference */
			stores++;
		}
		o = o->ref[0];
	}
	long young = count_in_use() - old;
	long dirty_pages = 0;
	for (long p = 0; p < heap_pages; p++)
		dirty_pages += dirty[p];
	printf("barrier:   %ld young objects, %ld stored into old ones; "
	       "%ld write faults, %ld dirty pages of %ld\n",
	       young, stores, barrier_faults, dirty_pages, heap_pages);

	long scanned;
	freed = minor_collect(&scanned);
	printf("minor GC:  scanned %ld dirty old pages (not %ld): %ld young "
	       "kept, %ld young freed\n",
	       scanned, heap_pages, young - freed, freed);
	bool ok = young - freed == stores && freed == young - stores;
	printf("%s\n", ok ? "gcdemo: ok" : "gcdemo: WRONG COUNTS");
	return ok ? 0 : 1;
}
