/*
 * kernel/random.h - the kernel's random numbers (AT_RANDOM, getrandom).
 *
 * A ChaCha20 keystream generator (RFC 8439) with "fast key erasure": every
 * refill computes one block, keeps half of it as the next key and hands
 * out the other half, so output already given away cannot be recomputed
 * from the state that follows. The first key is gathered at the first use
 * from timing: the time-stamp counter and the PIT's down-counter, sampled
 * around port I/O delays whose length varies. Under QEMU's -icount mode
 * those timings are deterministic, and so are the numbers: fine for
 * a teaching kernel (reproducible runs), wrong for real secrets.
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with n random bytes. Seeds the generator on first use. */
void random_bytes(void *buf, size_t n);

/* A random 32-bit number. */
uint32_t random_u32(void);

/*
 * Stirs n bytes of unpredictable data (timings, input events) into the
 * key. Cheap enough for an interrupt handler.
 */
void random_add_entropy(const void *data, size_t n);

/*
 * Makes the generator's first key from seed alone, and ignores entropy
 * added later: the same seed gives the same numbers (deterministic=1).
 */
void random_seed_fixed(uint32_t seed);

/*
 * The ChaCha20 block function of RFC 8439, section 2.3: the 64-byte block
 * for key, block counter and nonce, as 16 little-endian words. Exposed for
 * the test against the RFC's vectors.
 */
void random_chacha20_block(const uint32_t key[8], uint32_t counter,
			   const uint32_t nonce[3], uint32_t out[16]);

#endif
