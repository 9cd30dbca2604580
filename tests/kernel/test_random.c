/*
 * tests/kernel/test_random.c - the kernel's random number generator.
 *
 * The ChaCha20 block function must match RFC 8439's test vector (section
 * 2.3.2); the generator's output must look random (no repeats, balanced
 * bits, every byte value) and change when entropy is added.
 */
#include "kernel/ktest.h"
#include "kernel/random.h"
#include "libk/string.h"
#include "mm/slab.h"

/*
 * RFC 8439, 2.3.2: key 00:01:..:1f, nonce 00:00:00:09:00:00:00:4a:00:00:
 * 00:00, block counter 1.
 */
static void chacha20_rfc8439_vector(struct ktest *t)
{
	static const uint32_t want[16] = {
		0xe4e7f110, 0x15593bd1, 0x1fdd0f50, 0xc47120a3,
		0xc7f4d1c7, 0x0368c033, 0x9aaa2204, 0x4e6cd4c3,
		0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9,
		0xd19c12b5, 0xb94e16de, 0xe883d0cb, 0x4e3c50a2,
	};
	uint32_t key[8], out[16];
	const uint32_t nonce[3] = { 0x09000000, 0x4a000000, 0x00000000 };

	for (int i = 0; i < 8; i++) {
		const uint8_t b[4] = { (uint8_t)(4 * i), (uint8_t)(4 * i + 1),
				       (uint8_t)(4 * i + 2),
				       (uint8_t)(4 * i + 3) };
		memcpy(&key[i], b, 4);
	}
	random_chacha20_block(key, 1, nonce, out);
	for (int i = 0; i < 16; i++)
		KT_EXPECT_EQ(t, out[i], want[i]);
}

static void output_looks_random(struct ktest *t)
{
	enum {
		N = 65536
	};
	uint8_t *buf = kmalloc(N, GFP_KERNEL);
	KT_ASSERT(t, buf != NULL);
	random_bytes(buf, N);

	uint32_t ones = 0, counts[256] = { 0 };
	for (int i = 0; i < N; i++) {
		counts[buf[i]]++;
		ones += __builtin_popcount(buf[i]);
	}
	/* 524288 bits: 50% +- 0.5% is over 7 standard deviations wide. */
	KT_EXPECT(t, ones > N * 8 / 2 - N * 8 / 200);
	KT_EXPECT(t, ones < N * 8 / 2 + N * 8 / 200);
	for (int v = 0; v < 256; v++)
		KT_EXPECT(t, counts[v] > 128 && counts[v] < 384);

	/* Odd sizes and small reads continue the stream, never repeat it. */
	uint8_t a[7], b[7];
	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	KT_EXPECT(t, memcmp(a, b, sizeof(a)) != 0);
	kfree(buf);
}

static void entropy_changes_output(struct ktest *t)
{
	uint8_t before[32], after[32];
	const char noise[] = "keyboard timing 12345";

	random_bytes(before, sizeof(before));
	random_add_entropy(noise, sizeof(noise));
	random_bytes(after, sizeof(after));
	KT_EXPECT(t, memcmp(before, after, sizeof(before)) != 0);
}

static const struct ktest_case random_cases[] = {
	KTEST_CASE(chacha20_rfc8439_vector),
	KTEST_CASE(output_looks_random),
	KTEST_CASE(entropy_changes_output),
};
KTEST_SUITE(random, random_cases);
