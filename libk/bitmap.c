/*
 * libk/bitmap.c - bit arrays over caller-provided 32-bit words.
 *
 * Everything works a word at a time. A search masks the first word down to
 * the bits at or after its starting index, inverts words when it looks for
 * clear bits, and takes the lowest set bit of the first non-zero word, so
 * scanning n bits costs about n / 32 steps. Ranges are set and cleared with
 * one masked operation per word. See libk/bitmap.h for the invariants.
 */
#include "libk/bitmap.h"

#include "libk/assert.h"

/* The mask of bits lo up to (not including) hi, for 0 <= lo < hi <= 32. */
static inline uint32_t span_mask(unsigned int lo, unsigned int hi)
{
	uint32_t below_hi = hi == BITMAP_WORD_BITS ? UINT32_MAX
						   : ((uint32_t)1 << hi) - 1;
	return below_hi & (UINT32_MAX << lo);
}

/* The index of the lowest set bit of a non-zero word. */
static inline unsigned int lowest_set_bit(uint32_t w)
{
	return (unsigned int)__builtin_ctz(w);
}

/*
 * The number of set bits in a word, by adding neighbouring bit fields in
 * parallel. Written out because __builtin_popcount becomes a libgcc call on
 * CPUs without the POPCNT instruction.
 */
static inline unsigned int popcount32(uint32_t w)
{
	w = w - ((w >> 1) & 0x55555555u);
	w = (w & 0x33333333u) + ((w >> 2) & 0x33333333u);
	w = (w + (w >> 4)) & 0x0f0f0f0fu;
	return (w * 0x01010101u) >> 24;
}

/* Sets (set true) or clears the n bits starting at start. */
static void update_range(struct bitmap *bm, size_t start, size_t n, bool set)
{
	KASSERT(start <= bm->nbits && n <= bm->nbits - start);
	while (n > 0) {
		/* This word's part of the range: bits lo up to hi. */
		unsigned int lo = start % BITMAP_WORD_BITS;
		unsigned int hi = BITMAP_WORD_BITS;
		if (n < BITMAP_WORD_BITS - lo)
			hi = lo + (unsigned int)n;
		uint32_t mask = span_mask(lo, hi);

		if (set)
			bm->words[bitmap_word_of(start)] |= mask;
		else
			bm->words[bitmap_word_of(start)] &= ~mask;
		start += hi - lo;
		n -= hi - lo;
	}
}

/*
 * The first bit at or after from whose value, after XOR with flip, is 1:
 * flip 0 finds set bits and flip all-ones finds clear bits. Returns nbits if
 * there is none, including when the only match is in the unused tail.
 */
static size_t find_bit(const struct bitmap *bm, size_t from, uint32_t flip)
{
	if (from >= bm->nbits)
		return bm->nbits;

	size_t nwords = BITMAP_WORDS(bm->nbits);
	size_t w = bitmap_word_of(from);
	uint32_t word = (bm->words[w] ^ flip) &
			(UINT32_MAX << (from % BITMAP_WORD_BITS));
	for (;;) {
		if (word != 0) {
			size_t bit = w * BITMAP_WORD_BITS;
			bit += lowest_set_bit(word);
			return bit < bm->nbits ? bit : bm->nbits;
		}
		if (++w == nwords)
			return bm->nbits;
		word = bm->words[w] ^ flip;
	}
}

void bitmap_init(struct bitmap *bm, uint32_t *words, size_t nbits)
{
	KASSERT(words != NULL || nbits == 0);
	bm->words = words;
	bm->nbits = nbits;
	update_range(bm, 0, nbits, false);
}

void bitmap_set_range(struct bitmap *bm, size_t start, size_t n)
{
	update_range(bm, start, n, true);
}

void bitmap_clear_range(struct bitmap *bm, size_t start, size_t n)
{
	update_range(bm, start, n, false);
}

size_t bitmap_find_first_zero(const struct bitmap *bm, size_t from)
{
	return find_bit(bm, from, UINT32_MAX);
}

size_t bitmap_find_first_set(const struct bitmap *bm, size_t from)
{
	return find_bit(bm, from, 0);
}

size_t bitmap_find_zero_run(const struct bitmap *bm, size_t from, size_t n)
{
	KASSERT(n > 0);

	/*
	 * Hop from one run of clear bits to the next: each run ends at the
	 * next set bit, and the next run starts at the clear bit after that.
	 */
	size_t start = bitmap_find_first_zero(bm, from);
	while (start < bm->nbits && n <= bm->nbits - start) {
		size_t end = bitmap_find_first_set(bm, start);
		if (end - start >= n)
			return start;
		start = bitmap_find_first_zero(bm, end);
	}
	return bm->nbits;
}

size_t bitmap_count_set(const struct bitmap *bm)
{
	size_t full = bm->nbits / BITMAP_WORD_BITS;
	unsigned int tail = bm->nbits % BITMAP_WORD_BITS;
	size_t count = 0;

	for (size_t w = 0; w < full; w++)
		count += popcount32(bm->words[w]);
	if (tail != 0)
		count += popcount32(bm->words[full] & span_mask(0, tail));
	return count;
}
