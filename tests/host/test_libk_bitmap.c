/*
 * tests/host/test_libk_bitmap.c - libk/bitmap.c against a plain bool array.
 *
 * A model keeps one bool per bit and answers every query the obvious slow
 * way. Each test applies operations to both and compares all answers, for
 * sizes around the word boundaries (0, 1, 31, 32, 33, ...). The storage has
 * a guard word after it and junk in the unused tail of the last word, and
 * both must come out untouched: the bitmap may neither write outside its
 * bits nor count the tail as part of itself.
 */
#include "libk/bitmap.h"
#include "tests/host/shim/host_shim.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MAX_BITS 300
#define GUARD_WORD 0xdeadbeefu
/* Junk for the unused tail bits; chosen to have set and clear bits. */
#define TAIL_JUNK 0xa5a5a5a5u

static const size_t sizes[] = { 0, 1, 31, 32, 33, 63, 64, 65, 257, MAX_BITS };

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* A bitmap under test, its storage with a guard word, and the model. */
struct fixture {
	uint32_t words[BITMAP_WORDS(MAX_BITS) + 1];
	struct bitmap bm;
	bool model[MAX_BITS];
	size_t nbits;
};

/* The tail bits of the last word: those at or above nbits. */
static uint32_t tail_mask(size_t nbits)
{
	unsigned int used = nbits % BITMAP_WORD_BITS;
	return used == 0 ? 0 : UINT32_MAX << used;
}

/* Fills the storage with junk, then attaches and clears the bitmap. */
static void fixture_init(struct fixture *f, size_t nbits)
{
	for (size_t i = 0; i < BITMAP_WORDS(MAX_BITS) + 1; i++)
		f->words[i] = TAIL_JUNK;
	f->words[BITMAP_WORDS(nbits)] = GUARD_WORD;
	bitmap_init(&f->bm, f->words, nbits);
	for (size_t i = 0; i < MAX_BITS; i++)
		f->model[i] = false;
	f->nbits = nbits;
}

/* Checks the storage outside the bitmap's bits is as fixture_init left it. */
static void assert_outside_untouched(const struct fixture *f)
{
	size_t nwords = BITMAP_WORDS(f->nbits);
	uint32_t tail = tail_mask(f->nbits);

	assert_int_equal(f->words[nwords], GUARD_WORD);
	if (tail != 0)
		assert_int_equal(f->words[nwords - 1] & tail, TAIL_JUNK & tail);
}

/* The model's answer for a search from `from` for a bit equal to `value`. */
static size_t model_find(const struct fixture *f, size_t from, bool value)
{
	for (size_t i = from; i < f->nbits; i++) {
		if (f->model[i] == value)
			return i;
	}
	return f->nbits;
}

/* The model's answer for the first run of n clear bits at or after from. */
static size_t model_find_run(const struct fixture *f, size_t from, size_t n)
{
	for (size_t start = from; start < f->nbits && n <= f->nbits - start;
	     start++) {
		size_t len = 0;
		while (len < n && !f->model[start + len])
			len++;
		if (len == n)
			return start;
	}
	return f->nbits;
}

/* Compares every query the bitmap answers with the model's answer. */
static void assert_matches_model(const struct fixture *f)
{
	size_t count = 0;

	for (size_t i = 0; i < f->nbits; i++) {
		assert_int_equal(bitmap_test(&f->bm, i), f->model[i]);
		count += f->model[i];
	}
	assert_int_equal(bitmap_count_set(&f->bm), count);

	for (size_t from = 0; from <= f->nbits + 2; from++) {
		assert_int_equal(bitmap_find_first_zero(&f->bm, from),
				 model_find(f, from, false));
		assert_int_equal(bitmap_find_first_set(&f->bm, from),
				 model_find(f, from, true));
	}
	for (size_t n = 1; n <= 70; n += (n < 40 ? 1 : 7)) {
		for (size_t from = 0; from <= f->nbits; from += 3)
			assert_int_equal(bitmap_find_zero_run(&f->bm, from, n),
					 model_find_run(f, from, n));
	}
	assert_outside_untouched(f);
}

/* A small deterministic generator (xorshift32), so failures reproduce. */
static uint32_t rng_state = 2463534242u;

static uint32_t rng_below(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state % n;
}

static void test_init_clears_every_bit(void **state)
{
	(void)state;
	struct fixture f;

	for (size_t s = 0; s < NSIZES; s++) {
		fixture_init(&f, sizes[s]);
		assert_int_equal(bitmap_count_set(&f.bm), 0);
		assert_int_equal(bitmap_find_first_set(&f.bm, 0), sizes[s]);
		assert_int_equal(bitmap_find_first_zero(&f.bm, 0), 0);
		assert_matches_model(&f);
	}
}

static void test_single_bits(void **state)
{
	(void)state;
	struct fixture f;

	for (size_t s = 0; s < NSIZES; s++) {
		size_t nbits = sizes[s];

		/* Each bit alone: set it, check everything, clear it. */
		fixture_init(&f, nbits);
		for (size_t i = 0; i < nbits; i++) {
			bitmap_set(&f.bm, i);
			f.model[i] = true;
			assert_int_equal(bitmap_count_set(&f.bm), 1);
			assert_int_equal(bitmap_find_first_set(&f.bm, 0), i);
			assert_int_equal(bitmap_find_first_set(&f.bm, i), i);
			assert_int_equal(bitmap_find_first_set(&f.bm, i + 1),
					 nbits);
			if (nbits <= 65)
				assert_matches_model(&f);
			bitmap_clear(&f.bm, i);
			f.model[i] = false;
			assert_int_equal(bitmap_count_set(&f.bm), 0);
		}

		/* All bits set one by one: the zeros run out at the end. */
		for (size_t i = 0; i < nbits; i++) {
			bitmap_set(&f.bm, i);
			f.model[i] = true;
			assert_int_equal(bitmap_find_first_zero(&f.bm, 0),
					 i + 1);
		}
		assert_int_equal(bitmap_count_set(&f.bm), nbits);
		assert_matches_model(&f);
	}
}

static void test_ranges(void **state)
{
	(void)state;
	struct fixture f;

	for (size_t s = 0; s < NSIZES; s++) {
		size_t nbits = sizes[s];

		fixture_init(&f, nbits);
		for (int round = 0; round < 200; round++) {
			size_t start = rng_below((uint32_t)nbits + 1);
			size_t n = rng_below((uint32_t)(nbits - start) + 1);
			bool set = rng_below(2);

			if (set)
				bitmap_set_range(&f.bm, start, n);
			else
				bitmap_clear_range(&f.bm, start, n);
			for (size_t i = start; i < start + n; i++)
				f.model[i] = set;
			if (round % 20 == 0)
				assert_matches_model(&f);
		}
		assert_matches_model(&f);

		/* The whole bitmap at once. */
		bitmap_set_range(&f.bm, 0, nbits);
		assert_int_equal(bitmap_count_set(&f.bm), nbits);
		assert_int_equal(bitmap_find_first_zero(&f.bm, 0), nbits);
		bitmap_clear_range(&f.bm, 0, nbits);
		assert_int_equal(bitmap_count_set(&f.bm), 0);
		assert_outside_untouched(&f);
	}
}

static void test_zero_runs(void **state)
{
	(void)state;
	struct fixture f;

	/* Set bits at 10, 20 and 50..59 in 100: runs of 10, 9, 29 and 40. */
	fixture_init(&f, 100);
	bitmap_set(&f.bm, 10);
	bitmap_set(&f.bm, 20);
	bitmap_set_range(&f.bm, 50, 10);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 10), 0);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 11), 21);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 1, 9), 1);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 1, 10), 21);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 29), 21);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 30), 60);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 40), 60);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 41), 100);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 61, 39), 61);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 61, 40), 100);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 99, 1), 99);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 100, 1), 100);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 1000, 1), 100);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, SIZE_MAX), 100);

	/* A run must not extend into the unused tail of the last word. */
	fixture_init(&f, 40);
	bitmap_set_range(&f.bm, 0, 36);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 4), 36);
	assert_int_equal(bitmap_find_zero_run(&f.bm, 0, 5), 40);
}

static void test_random_operations(void **state)
{
	(void)state;
	struct fixture f;

	for (size_t s = 0; s < NSIZES; s++) {
		size_t nbits = sizes[s];

		fixture_init(&f, nbits);
		if (nbits == 0) {
			assert_matches_model(&f);
			continue;
		}
		for (int op = 0; op < 3000; op++) {
			size_t bit = rng_below((uint32_t)nbits);

			/* Bias towards setting so runs of both kinds form. */
			if (rng_below(5) < 3) {
				bitmap_set(&f.bm, bit);
				f.model[bit] = true;
			} else {
				bitmap_clear(&f.bm, bit);
				f.model[bit] = false;
			}
			if (op % 500 == 0)
				assert_matches_model(&f);
		}
		assert_matches_model(&f);
	}
}

/*
 * Each misuse gets its own small function. HOST_EXPECT_PANIC returns through
 * longjmp, and expanded many times in one function it trips GCC's
 * -Wclobbered; alone in a function it does not.
 */
static bool set_panics(struct bitmap *bm, size_t bit)
{
	return HOST_EXPECT_PANIC(bitmap_set(bm, bit));
}

static bool clear_panics(struct bitmap *bm, size_t bit)
{
	return HOST_EXPECT_PANIC(bitmap_clear(bm, bit));
}

static bool test_panics(const struct bitmap *bm, size_t bit)
{
	return HOST_EXPECT_PANIC(bitmap_test(bm, bit));
}

static bool set_range_panics(struct bitmap *bm, size_t start, size_t n)
{
	return HOST_EXPECT_PANIC(bitmap_set_range(bm, start, n));
}

static bool clear_range_panics(struct bitmap *bm, size_t start, size_t n)
{
	return HOST_EXPECT_PANIC(bitmap_clear_range(bm, start, n));
}

static bool find_zero_run_panics(const struct bitmap *bm, size_t n)
{
	return HOST_EXPECT_PANIC(bitmap_find_zero_run(bm, 0, n));
}

static void test_misuse_panics(void **state)
{
	(void)state;
	struct fixture f;

	fixture_init(&f, 33);
	assert_true(set_panics(&f.bm, 33));
	assert_true(clear_panics(&f.bm, 1000));
	assert_true(test_panics(&f.bm, 33));
	assert_true(set_range_panics(&f.bm, 30, 4));
	assert_true(clear_range_panics(&f.bm, 34, 0));
	assert_true(find_zero_run_panics(&f.bm, 0));
	assert_false(set_range_panics(&f.bm, 29, 4));
	assert_false(clear_range_panics(&f.bm, 33, 0));
	assert_false(set_panics(&f.bm, 32));
	assert_true(test_panics(&f.bm, 33));
	assert_outside_untouched(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_clears_every_bit),
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_zero_runs),
		cmocka_unit_test(test_random_operations),
		cmocka_unit_test(test_misuse_panics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
