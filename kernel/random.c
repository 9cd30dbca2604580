/*
 * kernel/random.c - a ChaCha20 generator seeded from timing.
 *
 * State: a 256-bit key, a block counter, and up to 32 bytes of output not
 * handed out yet. A refill computes the ChaCha20 block of (key, counter),
 * takes its first 32 bytes as the new key and its last 32 as output, and
 * wipes the block. Entropy is absorbed 32 bytes at a time by XOR into the
 * key followed by a refill, so every input byte affects all later output.
 *
 * The state is touched with interrupts off, so an interrupt handler may
 * add entropy while a system call is drawing numbers.
 *
 * A deterministic run (deterministic=1, or random.seed=N) takes its first
 * key from the seed alone and ignores added entropy, so the same seed
 * gives the same numbers (AT_RANDOM, getrandom, /dev/urandom, the random
 * replacement policy, swap UUIDs) every time.
 */
#include "kernel/random.h"

#include <stdbool.h>

#include "drivers/pit.h"
#include "kernel/arch/x86.h"
#include "libk/string.h"

/* "expand 32-byte k": ChaCha20's constant words (RFC 8439, 2.3). */
#define CHACHA_CONST0 0x61707865u
#define CHACHA_CONST1 0x3320646eu
#define CHACHA_CONST2 0x79622d32u
#define CHACHA_CONST3 0x6b206574u
/* 20 rounds: 10 double rounds of a column and a diagonal round (2.3). */
#define CHACHA_DOUBLE_ROUNDS 10

/*
 * The 8254 timer's channel 0 data port, its mode/command port, and the
 * counter-latch command for channel 0 (Intel 8254 data sheet, "Counter
 * Latch Command": SC=00, RW=00).
 */
#define PIT_PORT_CH0 0x40
#define PIT_PORT_CMD 0x43
#define PIT_LATCH_CH0 0x00

/* Timing samples gathered for the first key. */
#define SEED_SAMPLES 64

#define KEY_BYTES 32

static struct {
	uint32_t key[8];  /* the current ChaCha20 key */
	uint32_t counter; /* block counter, changes every refill */
	uint8_t out[32];  /* output ready to hand out ... */
	size_t avail;	  /* ... its last `avail` bytes */
	bool seeded;	  /* the first key has been gathered */
	bool fixed;	  /* seeded from a number: no entropy is added */
} rng;

/* Rotates x left by n bits (0 < n < 32). */
static inline uint32_t rotl32(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

/* The quarter round on words a, b, c, d of the state (RFC 8439, 2.1). */
static inline void quarter_round(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b];
	x[d] = rotl32(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = rotl32(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = rotl32(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = rotl32(x[b] ^ x[c], 7);
}

/* ChaCha20's block function: 20 rounds, then the input added back. */
void random_chacha20_block(const uint32_t key[8], uint32_t counter,
			   const uint32_t nonce[3], uint32_t out[16])
{
	const uint32_t in[16] = {
		CHACHA_CONST0, CHACHA_CONST1, CHACHA_CONST2, CHACHA_CONST3,
		key[0],	       key[1],	      key[2],	     key[3],
		key[4],	       key[5],	      key[6],	     key[7],
		counter,       nonce[0],      nonce[1],	     nonce[2],
	};
	uint32_t x[16];

	memcpy(x, in, sizeof(x));
	for (int i = 0; i < CHACHA_DOUBLE_ROUNDS; i++) {
		quarter_round(x, 0, 4, 8, 12);
		quarter_round(x, 1, 5, 9, 13);
		quarter_round(x, 2, 6, 10, 14);
		quarter_round(x, 3, 7, 11, 15);
		quarter_round(x, 0, 5, 10, 15);
		quarter_round(x, 1, 6, 11, 12);
		quarter_round(x, 2, 7, 8, 13);
		quarter_round(x, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

/* Replaces the key and the pending output with the next block's halves. */
static void refill(void)
{
	static const uint32_t nonce[3];
	uint32_t block[16];

	random_chacha20_block(rng.key, rng.counter++, nonce, block);
	/* Words to bytes: x86 is little-endian, as RFC 8439 serialises. */
	memcpy(rng.key, block, KEY_BYTES);
	memcpy(rng.out, block + 8, sizeof(rng.out));
	rng.avail = sizeof(rng.out);
	memset(block, 0, sizeof(block));
}

/* Absorbs data into the key; the caller has interrupts off. */
static void absorb(const uint8_t *data, size_t n)
{
	while (n) {
		size_t chunk = n < KEY_BYTES ? n : KEY_BYTES;
		uint8_t *key = (uint8_t *)rng.key;
		for (size_t i = 0; i < chunk; i++)
			key[i] ^= data[i];
		refill();
		data += chunk;
		n -= chunk;
	}
}

/* Reads channel 0's current count (it runs down at 1.193182 MHz). */
static uint16_t pit_count(void)
{
	outb(PIT_PORT_CMD, PIT_LATCH_CH0);
	uint8_t lo = inb(PIT_PORT_CH0);
	uint8_t hi = inb(PIT_PORT_CH0);
	return (uint16_t)(lo | (hi << 8));
}

/*
 * Gathers the first key from the TSC and the PIT counter, sampled around
 * port I/O (whose duration varies with the machine and the emulator), and
 * the tick count. Interrupts are off.
 */
static void seed(void)
{
	uint32_t pool[2 * SEED_SAMPLES + 2];

	for (int i = 0; i < SEED_SAMPLES; i++) {
		uint64_t tsc = rdtsc();
		pool[2 * i] = (uint32_t)tsc ^ rotl32((uint32_t)(tsc >> 32), 16);
		pool[2 * i + 1] = pit_count() ^ ((uint32_t)i << 16);
		io_wait();
	}
	uint64_t ticks = pit_ticks();
	pool[2 * SEED_SAMPLES] = (uint32_t)ticks;
	pool[2 * SEED_SAMPLES + 1] = (uint32_t)rdtsc();
	absorb((const uint8_t *)pool, sizeof(pool));
	memset(pool, 0, sizeof(pool));
	rng.seeded = true;
}

/* Hands out pending output, refilling as needed. */
void random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;
	bool irq = irq_save();

	if (!rng.seeded)
		seed();
	while (n) {
		if (rng.avail == 0)
			refill();
		size_t k = n < rng.avail ? n : rng.avail;
		uint8_t *src = rng.out + sizeof(rng.out) - rng.avail;
		memcpy(p, src, k);
		memset(src, 0, k); /* handed out: forget it */
		rng.avail -= k;
		p += k;
		n -= k;
	}
	irq_restore(irq);
}

/* Four random bytes as a number. */
uint32_t random_u32(void)
{
	uint32_t v;
	random_bytes(&v, sizeof(v));
	return v;
}

/* Absorbs data into the key with interrupts off. */
void random_add_entropy(const void *data, size_t n)
{
	bool irq = irq_save();
	if (!rng.fixed)
		absorb(data, n);
	irq_restore(irq);
}

/* The first key from a number alone (see the top of this file). */
void random_seed_fixed(uint32_t seed)
{
	bool irq = irq_save();
	memset(&rng, 0, sizeof(rng));
	absorb((const uint8_t *)&seed, sizeof(seed));
	rng.seeded = true;
	rng.fixed = true;
	irq_restore(irq);
}
