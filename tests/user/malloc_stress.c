/*
 * tests/user/malloc_stress.c - glibc's malloc on top of brk and mmap.
 *
 * A seeded random sequence of malloc, calloc, realloc and free over 2048
 * slots, with sizes from 1 byte to 384 KiB (large blocks come from mmap,
 * the rest from the brk heap; realloc of large blocks uses mremap). Every
 * block carries a pattern derived from its slot and generation, checked
 * before it is freed or resized, so blocks that overlap, memory that
 * changes behind the program's back and calloc memory that is not zero
 * are all found. The output is counts only, the same on every kernel that
 * gives glibc what Linux gives it.
 */
#include "utest.h"

#include <malloc.h>

enum {
	SLOTS = 2048,
	OPS = 60000,
	STRIDE = 61
};

struct slot {
	unsigned char *p;
	size_t size;
	uint32_t tag; /* what the pattern is derived from */
};

static struct slot slots[SLOTS];
static uint32_t rng = 20240601;
static unsigned long n_malloc, n_calloc, n_realloc, n_free, n_null, n_bad,
	n_unaligned, n_checked;

/* xorshift32: the same sequence everywhere. */
static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* A block size: mostly small, some medium, a few large. */
static size_t random_size(void)
{
	uint32_t r = next_random() % 1000;

	if (r < 700)
		return 1 + next_random() % 256;
	if (r < 990)
		return 257 + next_random() % 16384;
	return 128 * 1024 + next_random() % (256 * 1024);
}

/* The pattern byte at offset i of a block tagged tag. */
static unsigned char pattern(uint32_t tag, size_t i)
{
	return (unsigned char)(tag * 31 + i * 7 + (i >> 8));
}

/*
 * The offsets that carry the pattern: the first 512 bytes, then every
 * STRIDE-th byte (and the block's last byte), to keep the test quick.
 */
static size_t next_offset(size_t i)
{
	return i < 512 ? i + 1 : i + STRIDE;
}

/* Writes the pattern of tag into a block of size bytes. */
static void fill(unsigned char *p, size_t size, uint32_t tag)
{
	for (size_t i = 0; i < size; i = next_offset(i))
		p[i] = pattern(tag, i);
	p[size - 1] = pattern(tag, size - 1);
}

/*
 * Checks the first n bytes of a block of size bytes against the pattern
 * of tag (n < size after a realloc that shrank it).
 */
static void verify(const unsigned char *p, size_t n, size_t size, uint32_t tag)
{
	bool ok = n < size || p[size - 1] == pattern(tag, size - 1);

	for (size_t i = 0; ok && i < n; i = next_offset(i))
		ok = p[i] == pattern(tag, i);
	if (ok)
		n_checked++;
	else
		n_bad++;
}

/* Allocates a block into an empty slot. */
static void allocate(struct slot *s, uint32_t tag)
{
	size_t size = random_size();
	bool zeroed = next_random() % 4 == 0;

	s->p = zeroed ? calloc(1, size) : malloc(size);
	if (!s->p) {
		n_null++;
		return;
	}
	if (zeroed) {
		n_calloc++;
		for (size_t i = 0; i < size; i = next_offset(i))
			n_bad += s->p[i] != 0;
	} else {
		n_malloc++;
	}
	n_unaligned += ((uintptr_t)s->p & 15) != 0;
	s->size = size;
	s->tag = tag;
	fill(s->p, size, tag);
}

/* Resizes a block; the common prefix must survive. */
static void resize(struct slot *s, uint32_t tag)
{
	size_t size = random_size();
	size_t keep = size < s->size ? size : s->size;
	unsigned char *p = realloc(s->p, size);

	if (!p) {
		n_null++;
		return;
	}
	n_realloc++;
	n_unaligned += ((uintptr_t)p & 15) != 0;
	verify(p, keep, s->size, s->tag);
	/* Re-tag the whole block so that later checks cover all of it. */
	s->p = p;
	s->size = size;
	s->tag = tag;
	fill(p, size, tag);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	for (uint32_t op = 1; op <= OPS; op++) {
		struct slot *s = &slots[next_random() % SLOTS];
		uint32_t r = next_random() % 10;

		if (!s->p) {
			allocate(s, op);
		} else if (r < 5) {
			verify(s->p, s->size, s->size, s->tag);
			free(s->p);
			s->p = NULL;
			n_free++;
		} else if (r < 8) {
			resize(s, op);
		} else {
			verify(s->p, s->size, s->size, s->tag);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p) {
			verify(slots[i].p, slots[i].size, slots[i].size,
			       slots[i].tag);
			free(slots[i].p);
			n_free++;
		}
	}
	ut_fact("%lu malloc, %lu calloc, %lu realloc, %lu free, "
		"%lu blocks verified",
		n_malloc, n_calloc, n_realloc, n_free, n_checked);
	ut_check(n_null == 0, "no allocation failed (%lu)", n_null);
	ut_check(n_bad == 0, "every block held its pattern (%lu bad)", n_bad);
	ut_check(n_unaligned == 0, "every block is 16-byte aligned");
	ut_check(n_malloc + n_calloc == n_free,
		 "every block allocated was freed");
	ut_check(malloc_trim(0) >= 0, "malloc_trim");
	return ut_end();
}
