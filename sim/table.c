/* table.c — the open-addressing hash index (see table.h). */
#include "table.h"

#include <stdlib.h>

#include "rng.h"

#define EMPTY 0ull
#define SLOT_HASH(s) ((uint32_t)((s) >> 32))
#define SLOT_VALUE(s) ((uint32_t)(s) - 1u)

void ps_table_init(ps_table *t)
{
    t->slots = NULL;
    t->mask = 0;
    t->n = 0;
}

void ps_table_free(ps_table *t)
{
    free(t->slots);
    ps_table_init(t);
}

uint32_t ps_hash64(uint64_t k) { return (uint32_t)(ps_mix64(k) >> 32); }

uint32_t ps_hash_tuple(uint32_t host, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    uint64_t a = ((uint64_t)la << 32) | ra;
    uint64_t b = ((uint64_t)host << 32) | ((uint32_t)lp << 16) | rp;
    return (uint32_t)(ps_mix64(a ^ ps_mix64(b)) >> 32);
}

uint32_t ps_table_find(const ps_table *t, uint32_t hash, ps_table_eq eq, const void *ctx,
                       const void *key)
{
    if (!t->slots) return PS_NONE;
    for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
        uint64_t s = t->slots[i];
        if (s == EMPTY) return PS_NONE;
        if (SLOT_HASH(s) == hash && eq(ctx, SLOT_VALUE(s), key)) return SLOT_VALUE(s);
    }
}

static void place(uint64_t *slots, uint32_t mask, uint64_t s)
{
    uint32_t i = SLOT_HASH(s) & mask;
    while (slots[i] != EMPTY) i = (i + 1) & mask;
    slots[i] = s;
}

static bool grow(ps_table *t)
{
    uint32_t cap = t->slots ? (t->mask + 1) * 2 : 16;
    if (cap == 0) return false; /* 2^32 slots: beyond any bound the engine allows */
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    if (t->slots) {
        for (uint32_t i = 0; i <= t->mask; i++)
            if (t->slots[i] != EMPTY) place(slots, cap - 1, t->slots[i]);
        free(t->slots);
    }
    t->slots = slots;
    t->mask = cap - 1;
    return true;
}

bool ps_table_insert(ps_table *t, uint32_t hash, uint32_t value)
{
    PS_ASSERT(value != PS_NONE); /* value + 1 must not wrap to the empty mark */
    if ((!t->slots || (uint64_t)(t->n + 1) * 2 > (uint64_t)t->mask + 1) && !grow(t)) return false;
    place(t->slots, t->mask, ((uint64_t)hash << 32) | (value + 1u));
    t->n++;
    PS_ASSERT((uint64_t)t->n * 2 <= (uint64_t)t->mask + 1); /* load below 1/2 */
    return true;
}

bool ps_table_valid(const ps_table *t)
{
    if (!t->slots) return t->n == 0 && t->mask == 0;
    if (((uint64_t)t->mask + 1) & t->mask) return false; /* a power of two */
    uint32_t n = 0;
    for (uint32_t i = 0; i <= t->mask; i++) {
        uint64_t s = t->slots[i];
        if (s == EMPTY) continue;
        n++;
        /* Linear probing with backward-shift deletion: no empty slot lies
         * between a member's home slot and where it sits. */
        for (uint32_t j = SLOT_HASH(s) & t->mask; j != i; j = (j + 1) & t->mask)
            if (t->slots[j] == EMPTY) return false;
    }
    return n == t->n && (uint64_t)n * 2 <= (uint64_t)t->mask + 1;
}

bool ps_table_remove(ps_table *t, uint32_t hash, uint32_t value)
{
    if (!t->slots) return false;
    uint64_t want = ((uint64_t)hash << 32) | (value + 1u);
    uint32_t i = hash & t->mask;
    while (t->slots[i] != want) {
        if (t->slots[i] == EMPTY) return false;
        i = (i + 1) & t->mask;
    }
    /* Backward shift: pull later members of the probe chain into the hole
     * when their home slot does not lie cyclically in (hole, j]. */
    for (uint32_t j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
        uint64_t s = t->slots[j];
        if (s == EMPTY) break;
        uint32_t home = SLOT_HASH(s) & t->mask;
        bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            t->slots[i] = s;
            i = j;
        }
    }
    t->slots[i] = EMPTY;
    PS_ASSERT(t->n > 0);
    t->n--;
    return true;
}
