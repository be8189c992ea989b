/* rng.c — xoshiro256** (Blackman and Vigna, public domain algorithm). */
#include "rng.h"

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void ps_rng_seed(ps_rng *r, uint64_t seed)
{
    /* splitmix64 spreads any seed, including 0, over the four words. */
    for (int i = 0; i < 4; i++) {
        seed += 0x9e3779b97f4a7c15ull;
        r->s[i] = ps_mix64(seed);
    }
}

uint64_t ps_rng_next(ps_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t ps_rng_below(ps_rng *r, uint64_t bound)
{
    /* Rejection sampling: discard the top partial block so every value is
     * equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do x = ps_rng_next(r);
    while (x >= limit);
    return x % bound;
}
