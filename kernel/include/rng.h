/*
 * rng.h - the kernel's PRNG: xorshift64* (Vigna), one state per CPU, seeded from seed= and the
 * CPU number through splitmix64, so that a run's choices are reproducible per CPU (the
 * interleaving across CPUs is the machine's). The harness's roles and irq_hz='s handlers use
 * it. No state here.
 */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

static inline uint64_t rng_seed(uint64_t seed, unsigned cpu)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull * (cpu + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;	/* xorshift's one fixed point */
}

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform enough below bound (> 0): the modulo bias is below 2^-40 for our bounds. */
static inline uint64_t rng_below(uint64_t *s, uint64_t bound)
{
	return (rng_next(s) >> 11) % bound;
}

/* Index of the weight an r below the weights' sum falls into. */
static inline unsigned rng_pick(uint64_t *s, const unsigned *weight, unsigned n)
{
	unsigned total = 0, i;
	uint64_t r;

	for (i = 0; i < n; i++)
		total += weight[i];
	r = rng_below(s, total ? total : 1);
	for (i = 0; i + 1 < n && r >= weight[i]; i++)
		r -= weight[i];
	return i;
}

#endif /* RNG_H */
