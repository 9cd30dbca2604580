/*
 * libk/bitmap.h - bit arrays over caller-provided 32-bit words.
 *
 * A struct bitmap describes nbits bits stored in BITMAP_WORDS(nbits) words
 * that the caller owns (a static array, or memory from an allocator that
 * itself cannot use kmalloc yet). Bit i is bit i % 32 of word i / 32, with
 * bit 0 the least significant, so a word's value reads naturally in a
 * debugger.
 *
 * Invariants: every bit index passed in is below nbits (asserted). The
 * unused high bits of the last word are never changed, and never read as
 * part of the bitmap, so their contents do not matter.
 *
 * The search functions return an index, or nbits when there is no match
 * (so `bit < bm->nbits` tests for success). No locking: callers serialize.
 */
#ifndef LIBK_BITMAP_H
#define LIBK_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libk/assert.h"

#define BITMAP_WORD_BITS 32

/*
 * The number of words that hold nbits bits. A macro, not a function, so it
 * can size a static array.
 */
#define BITMAP_WORDS(nbits)                                                    \
	(((nbits) + BITMAP_WORD_BITS - 1) / BITMAP_WORD_BITS)

struct bitmap {
	/* BITMAP_WORDS(nbits) words, owned by the caller. */
	uint32_t *words;
	/* The number of bits; indexes run from 0 to nbits - 1. */
	size_t nbits;
};

/* Attaches bm to words[] holding nbits bits and clears all of them. */
void bitmap_init(struct bitmap *bm, uint32_t *words, size_t nbits);

/* The word that holds a bit. */
static inline size_t bitmap_word_of(size_t bit)
{
	return bit / BITMAP_WORD_BITS;
}

/* The mask that selects a bit within its word. */
static inline uint32_t bitmap_mask_of(size_t bit)
{
	return (uint32_t)1 << (bit % BITMAP_WORD_BITS);
}

/*
 * Sets one bit. This and the next two are inline: a swap slot taken or
 * given back, on every swap-out and swap-in, is one of them.
 */
static inline void bitmap_set(struct bitmap *bm, size_t bit)
{
	KASSERT(bit < bm->nbits);
	bm->words[bitmap_word_of(bit)] |= bitmap_mask_of(bit);
}

/* Clears one bit. */
static inline void bitmap_clear(struct bitmap *bm, size_t bit)
{
	KASSERT(bit < bm->nbits);
	bm->words[bitmap_word_of(bit)] &= ~bitmap_mask_of(bit);
}

/* Returns whether one bit is set. */
static inline bool bitmap_test(const struct bitmap *bm, size_t bit)
{
	KASSERT(bit < bm->nbits);
	return (bm->words[bitmap_word_of(bit)] & bitmap_mask_of(bit)) != 0;
}

/* Sets the n bits starting at start (start + n must not exceed nbits). */
void bitmap_set_range(struct bitmap *bm, size_t start, size_t n);

/* Clears the n bits starting at start (start + n must not exceed nbits). */
void bitmap_clear_range(struct bitmap *bm, size_t start, size_t n);

/* The first clear bit at or after from, or nbits if there is none. */
size_t bitmap_find_first_zero(const struct bitmap *bm, size_t from);

/* The first set bit at or after from, or nbits if there is none. */
size_t bitmap_find_first_set(const struct bitmap *bm, size_t from);

/*
 * The start of the first run of n (at least 1) clear bits that begins at or
 * after from, or nbits if there is none.
 */
size_t bitmap_find_zero_run(const struct bitmap *bm, size_t from, size_t n);

/* The number of set bits. */
size_t bitmap_count_set(const struct bitmap *bm);

#endif
