/*
 * tests/user/bigalloc.c - more memory than the machine has: allocate,
 * fill and verify it, in several passes and orders, and see that every
 * byte comes back.
 *
 * run_user: --mem 64M --swap 120M --no-leak
 *
 * On Pagoda the runner boots with 64 MiB of RAM (of which the initramfs
 * takes a third) and a 120 MiB swap area (the line above), so the 140 MiB
 * this program uses can only fit by swapping; on the host it is an
 * ordinary allocation. Both must print the same: the checks never depend
 * on where a page was.
 *
 * Each page starts with a word derived from (page number, pass), and its
 * other words from that word and their index, so a page that comes back
 * from the wrong slot, a stale copy, or zeros is caught by any word. The
 * passes go forward, backward and by a stride, so pages come back in
 * orders other than the one they left in; a read-only pass in between
 * lets clean pages be dropped without a write.
 */
#include "utest.h"

#include <sys/mman.h>

#define MIB (1024u * 1024u)
/* What the test uses, and the stride of the third pass (a prime). */
#define DEFAULT_MIB 140u
#define STRIDE 7919u

static uint32_t *mem;
static uint32_t npages;

/* The first word of page p in generation g. */
static uint32_t seed(uint32_t p, uint32_t g)
{
	uint32_t x = p * 2654435761u ^ (g + 1) * 40503u;
	x ^= x >> 15;
	x *= 2246822519u;
	return x ^ (x >> 13);
}

/* Fills page p with generation g's pattern. */
static void fill(uint32_t p, uint32_t g)
{
	uint32_t *w = mem + (size_t)p * (UT_PAGE / 4);
	uint32_t s = seed(p, g);
	for (uint32_t i = 0; i < UT_PAGE / 4; i++)
		w[i] = s + i * 0x9E3779B9u;
}

/* Counts the words of page p that differ from generation g's pattern. */
static uint32_t check(uint32_t p, uint32_t g)
{
	const uint32_t *w = mem + (size_t)p * (UT_PAGE / 4);
	uint32_t s = seed(p, g), bad = 0;
	for (uint32_t i = 0; i < UT_PAGE / 4; i++)
		bad += w[i] != s + i * 0x9E3779B9u;
	return bad;
}

/* The page visited at step i of an order (0 forward, 1 back, 2 stride). */
static uint32_t order(int kind, uint32_t i)
{
	if (kind == 0)
		return i;
	if (kind == 1)
		return npages - 1 - i;
	return (uint32_t)(((uint64_t)i * STRIDE) % npages);
}

int main(int argc, char **argv)
{
	uint32_t mib = DEFAULT_MIB;

	ut_begin(argc, argv);
	if (argc > 1)
		mib = (uint32_t)atoi(argv[1]);
	npages = mib * (MIB / UT_PAGE);
	mem = mmap(NULL, (size_t)mib * MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ut_check(mem != MAP_FAILED, "mmap of %u MiB", mib))
		return ut_end();

	/* Generation 0 forward; verify backward, rewriting as generation 1. */
	for (uint32_t i = 0; i < npages; i++)
		fill(order(0, i), 0);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t p = order(1, i);
		bad += check(p, 0);
		fill(p, 1);
	}
	ut_check(bad == 0, "pass 1: %u MiB written forward, read backward",
		 mib);

	/* Read only, by a stride: clean pages can be dropped, not written. */
	bad = 0;
	for (uint32_t i = 0; i < npages; i++)
		bad += check(order(2, i), 1);
	ut_check(bad == 0, "pass 2: read-only, by a stride");

	/* Every other page rewritten, then everything verified. */
	for (uint32_t i = 0; i < npages; i += 2)
		fill(order(0, i), 2);
	bad = 0;
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t p = order(2, i);
		bad += check(p, p % 2 == 0 ? 2 : 1);
	}
	ut_check(bad == 0, "pass 3: half rewritten, all verified");

	ut_check(munmap(mem, (size_t)mib * MIB) == 0, "munmap");
	return ut_end();
}
