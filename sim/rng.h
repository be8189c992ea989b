/* rng.h — the engine's own seeded pseudo-random generator (xoshiro256**,
 * seeded through splitmix64). Never rand(): the same seed gives the same
 * numbers on every machine and libc. */
#ifndef PS_RNG_H
#define PS_RNG_H

#include <stdint.h>

typedef struct ps_rng {
    uint64_t s[4]; /* xoshiro256** state; never all zero */
} ps_rng;

void ps_rng_seed(ps_rng *r, uint64_t seed);
uint64_t ps_rng_next(ps_rng *r);
/* A uniform integer in [0, bound) for bound >= 1, without modulo bias. */
uint64_t ps_rng_below(ps_rng *r, uint64_t bound);

/* A fixed 64-bit mixer (splitmix64's finaliser): hashes keys for tables and
 * the port allocator's per-destination offset. Pure and platform-independent. */
static inline uint64_t ps_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

#endif
