/* test_table.c — the open-addressing index (table.h): lookups through the
 * caller's keys, colliding hashes, backward-shift deletion and growth,
 * checked against a plain reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "table.h"

/* ---- helpers ---- */

/* Records are keys[value]; the table maps a hash to the value. */
static bool key_eq(const void *ctx, uint32_t value, const void *key)
{
    return ((const uint64_t *)ctx)[value] == *(const uint64_t *)key;
}

static uint32_t find_key(const ps_table *t, uint32_t hash, const uint64_t *keys, uint64_t key)
{
    return ps_table_find(t, hash, key_eq, keys, &key);
}

/* For tests where a value is its own key. */
static bool self_eq(const void *ctx, uint32_t value, const void *key)
{
    (void)ctx;
    return value == *(const uint32_t *)key;
}

static uint32_t find_self(const ps_table *t, uint32_t hash, uint32_t value)
{
    return ps_table_find(t, hash, self_eq, NULL, &value);
}

static uint64_t lcg_state;
static uint32_t rnd(uint32_t bound)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((lcg_state >> 33) % bound);
}

/* Capacity is a power of two and the load stays at most one half. */
static void assert_table_shape(const ps_table *t)
{
    uint64_t cap = (uint64_t)t->mask + 1;
    assert_int_equal(cap & (cap - 1), 0);
    assert_true((uint64_t)t->n * 2 <= cap);
}

/* ---- tests ---- */

static void empty_table_finds_nothing(void **state)
{
    (void)state;
    ps_table t;
    uint64_t keys[1] = { 5 };
    ps_table_init(&t);
    assert_int_equal(find_key(&t, 5, keys, 5), PS_NONE);
    assert_false(ps_table_remove(&t, 5, 0));
    assert_int_equal(t.n, 0);
    ps_table_free(&t);
    ps_table_free(&t); /* freeing twice is harmless: free resets */
}

static void insert_find_remove(void **state)
{
    (void)state;
    uint64_t keys[3] = { 100, 200, 300 };
    ps_table t;
    ps_table_init(&t);
    for (uint32_t v = 0; v < 3; v++) assert_true(ps_table_insert(&t, ps_hash64(keys[v]), v));
    assert_int_equal(t.n, 3);
    for (uint32_t v = 0; v < 3; v++) assert_int_equal(find_key(&t, ps_hash64(keys[v]), keys, keys[v]), v);
    assert_int_equal(find_key(&t, ps_hash64(400), keys, 400), PS_NONE);

    assert_true(ps_table_remove(&t, ps_hash64(200), 1));
    assert_int_equal(t.n, 2);
    assert_int_equal(find_key(&t, ps_hash64(200), keys, 200), PS_NONE);
    assert_int_equal(find_key(&t, ps_hash64(100), keys, 100), 0);
    assert_int_equal(find_key(&t, ps_hash64(300), keys, 300), 2);
    assert_false(ps_table_remove(&t, ps_hash64(200), 1)); /* already gone */
    ps_table_free(&t);
}

static void remove_needs_exact_hash_and_value(void **state)
{
    (void)state;
    ps_table t;
    ps_table_init(&t);
    assert_true(ps_table_insert(&t, 42, 7));
    assert_false(ps_table_remove(&t, 43, 7)); /* right value, wrong hash */
    assert_false(ps_table_remove(&t, 42, 8)); /* right hash, wrong value */
    assert_int_equal(t.n, 1);
    assert_int_equal(find_self(&t, 42, 7), 7);
    assert_true(ps_table_remove(&t, 42, 7));
    assert_int_equal(t.n, 0);
    ps_table_free(&t);
}

/* Value 0 (stored as 1) and the largest value below PS_NONE, under the
 * smallest and largest hashes. */
static void extreme_values_and_hashes(void **state)
{
    (void)state;
    static const uint32_t values[] = { 0, 1, PS_NONE - 1 };
    static const uint32_t hashes[] = { 0, 0xffffffffu, 0x80000000u };
    ps_table t;
    ps_table_init(&t);
    for (size_t i = 0; i < 3; i++) assert_true(ps_table_insert(&t, hashes[i], values[i]));
    for (size_t i = 0; i < 3; i++) assert_int_equal(find_self(&t, hashes[i], values[i]), values[i]);
    for (size_t i = 0; i < 3; i++) assert_true(ps_table_remove(&t, hashes[i], values[i]));
    for (size_t i = 0; i < 3; i++) assert_int_equal(find_self(&t, hashes[i], values[i]), PS_NONE);
    ps_table_free(&t);
}

/* Hundreds of values under one hash: the eq callback tells them apart. */
static void identical_hashes_still_find_the_right_value(void **state)
{
    (void)state;
    enum { N = 300 };
    const uint32_t h = 0x12345678;
    uint64_t keys[N];
    ps_table t;
    ps_table_init(&t);
    for (uint32_t v = 0; v < N; v++) {
        keys[v] = 1000 + 3ull * v;
        assert_true(ps_table_insert(&t, h, v));
    }
    for (uint32_t v = 0; v < N; v++) assert_int_equal(find_key(&t, h, keys, keys[v]), v);
    assert_int_equal(find_key(&t, h, keys, 1001), PS_NONE);
    for (uint32_t v = 0; v < N; v += 2) assert_true(ps_table_remove(&t, h, v));
    for (uint32_t v = 0; v < N; v++) assert_int_equal(find_key(&t, h, keys, keys[v]), v % 2 ? v : PS_NONE);
    for (uint32_t v = 0; v < N; v += 2) assert_true(ps_table_insert(&t, h, v));
    for (uint32_t v = 0; v < N; v++) assert_int_equal(find_key(&t, h, keys, keys[v]), v);
    assert_table_shape(&t);
    ps_table_free(&t);
}

/* A 16-slot table holding 7 values whose home slots crowd around the end
 * of the array, so probe chains wrap to slot 0. Deleting them in random
 * orders must leave every other value findable (the backward shift must
 * respect each value's home across the wrap). */
static void deletion_keeps_wrapped_clusters_findable(void **state)
{
    (void)state;
    enum { N = 7, TRIALS = 3000 };
    static const uint32_t homes[] = { 12, 13, 14, 15, 0, 1 };
    lcg_state = 5;
    for (int trial = 0; trial < TRIALS; trial++) {
        uint32_t hash[N], order[N];
        bool live[N];
        ps_table t;
        ps_table_init(&t);
        for (uint32_t v = 0; v < N; v++) {
            hash[v] = (rnd(1u << 16) << 4) | homes[rnd(6)];
            assert_true(ps_table_insert(&t, hash[v], v));
            live[v] = true;
            order[v] = v;
        }
        assert_int_equal(t.mask, 15);
        for (uint32_t i = N - 1; i > 0; i--) { /* shuffle the deletion order */
            uint32_t j = rnd(i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (uint32_t k = 0; k < N; k++) {
            assert_true(ps_table_remove(&t, hash[order[k]], order[k]));
            live[order[k]] = false;
            for (uint32_t v = 0; v < N; v++) assert_int_equal(find_self(&t, hash[v], v), live[v] ? v : PS_NONE);
        }
        for (uint32_t i = 0; i <= t.mask; i++) assert_int_equal(t.slots[i], 0); /* nothing left behind */
        ps_table_free(&t);
    }
}

/* 100,000 random inserts, removes and finds over a pool of 4,096 values
 * whose keys change on every reuse; groups of 4 keys share a full hash. */
static void random_churn_matches_reference(void **state)
{
    (void)state;
    enum { POOL = 4096, OPS = 100000 };
    static uint64_t keys[POOL];
    static bool live[POOL];
    static uint32_t live_list[POOL], live_pos[POOL];
    uint32_t nlive = 0;
    uint64_t next_key = 1;
    memset(keys, 0, sizeof keys);
    memset(live, 0, sizeof live);
    ps_table t;
    ps_table_init(&t);
    lcg_state = 99;
#define KEY_HASH(k) ps_hash64((k) >> 2)
    for (int op = 0; op < OPS; op++) {
        uint32_t dice = rnd(100);
        uint32_t insert_pct = (op / 10000) % 2 ? 25 : 55; /* fill up, then thin out */
        if (dice < insert_pct) {
            uint32_t v = rnd(POOL);
            if (live[v]) continue;
            keys[v] = next_key++;
            assert_true(ps_table_insert(&t, KEY_HASH(keys[v]), v));
            live[v] = true;
            live_pos[v] = nlive;
            live_list[nlive++] = v;
        } else if (dice < 80) {
            if (nlive == 0) continue;
            uint32_t v = live_list[rnd(nlive)];
            assert_true(ps_table_remove(&t, KEY_HASH(keys[v]), v));
            live[v] = false;
            live_list[live_pos[v]] = live_list[--nlive];
            live_pos[live_list[live_pos[v]]] = live_pos[v];
        } else {
            uint32_t v = rnd(POOL); /* a dead value's old key must not be found */
            assert_int_equal(find_key(&t, KEY_HASH(keys[v]), keys, keys[v]), live[v] ? v : PS_NONE);
            uint64_t never = next_key + rnd(1000);
            assert_int_equal(find_key(&t, KEY_HASH(never), keys, never), PS_NONE);
        }
        assert_int_equal(t.n, nlive);
    }
    for (uint32_t v = 0; v < POOL; v++)
        assert_int_equal(find_key(&t, KEY_HASH(keys[v]), keys, keys[v]), live[v] ? v : PS_NONE);
    assert_table_shape(&t);
#undef KEY_HASH
    ps_table_free(&t);
}

static void growth_keeps_every_value_and_load_below_half(void **state)
{
    (void)state;
    enum { N = 100000 };
    ps_table t;
    ps_table_init(&t);
    uint32_t last_mask = 0;
    int grows = 0;
    for (uint32_t v = 0; v < N; v++) {
        assert_true(ps_table_insert(&t, ps_hash64(v), v));
        if (t.mask != last_mask) {
            assert_table_shape(&t);
            if (last_mask) assert_int_equal(t.mask, last_mask * 2 + 1); /* doubles */
            last_mask = t.mask;
            grows++;
        }
    }
    assert_table_shape(&t);
    assert_int_equal(t.n, N);
    assert_true(grows >= 10);
    for (uint32_t v = 0; v < N; v++) assert_int_equal(find_self(&t, ps_hash64(v), v), v);
    ps_table_free(&t);
    assert_null(t.slots);
    assert_int_equal(t.n, 0);
}

static void hash_tuple_depends_on_every_field(void **state)
{
    (void)state;
    const uint32_t base = ps_hash_tuple(0, PS_ADDR_LOOPBACK, 40000, PS_ADDR_LOOPBACK, 3000);
    assert_int_equal(base, ps_hash_tuple(0, PS_ADDR_LOOPBACK, 40000, PS_ADDR_LOOPBACK, 3000));
    assert_int_not_equal(base, ps_hash_tuple(1, PS_ADDR_LOOPBACK, 40000, PS_ADDR_LOOPBACK, 3000));
    assert_int_not_equal(base, ps_hash_tuple(0, PS_ADDR_LOOPBACK + 1, 40000, PS_ADDR_LOOPBACK, 3000));
    assert_int_not_equal(base, ps_hash_tuple(0, PS_ADDR_LOOPBACK, 40001, PS_ADDR_LOOPBACK, 3000));
    assert_int_not_equal(base, ps_hash_tuple(0, PS_ADDR_LOOPBACK, 40000, PS_ADDR_LOOPBACK + 1, 3000));
    assert_int_not_equal(base, ps_hash_tuple(0, PS_ADDR_LOOPBACK, 40000, PS_ADDR_LOOPBACK, 3001));
    /* The two ends of one connection hash differently. */
    assert_int_not_equal(base, ps_hash_tuple(0, PS_ADDR_LOOPBACK, 3000, PS_ADDR_LOOPBACK, 40000));
}

static void validator_catches_broken_invariants(void **state)
{
    (void)state;
    ps_table t;
    ps_table_init(&t);
    assert_true(ps_table_valid(&t));
    for (uint32_t v = 0; v < 40; v++) assert_true(ps_table_insert(&t, v * 0x9e3779b9u, v));
    assert_true(ps_table_valid(&t));
    t.n++; /* a count that no longer matches the slots */
    assert_false(ps_table_valid(&t));
    t.n--;
    /* Punch a hole into a probe chain without the backward shift. */
    uint32_t hole = PS_NONE;
    for (uint32_t i = 0; i <= t.mask && hole == PS_NONE; i++) {
        uint64_t s = t.slots[i];
        if (s && ((uint32_t)(s >> 32) & t.mask) != i) hole = ((uint32_t)(s >> 32) & t.mask);
    }
    if (hole == PS_NONE) { /* no displaced member: make two share a home */
        assert_true(ps_table_insert(&t, 7u, 1000));
        assert_true(ps_table_insert(&t, 7u, 1001));
        hole = 7u & t.mask;
    }
    uint64_t saved = t.slots[hole];
    t.slots[hole] = 0;
    t.n--;
    assert_false(ps_table_valid(&t));
    t.slots[hole] = saved;
    t.n++;
    assert_true(ps_table_valid(&t));
    ps_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_table_finds_nothing),
        cmocka_unit_test(insert_find_remove),
        cmocka_unit_test(remove_needs_exact_hash_and_value),
        cmocka_unit_test(extreme_values_and_hashes),
        cmocka_unit_test(identical_hashes_still_find_the_right_value),
        cmocka_unit_test(deletion_keeps_wrapped_clusters_findable),
        cmocka_unit_test(random_churn_matches_reference),
        cmocka_unit_test(growth_keeps_every_value_and_load_below_half),
        cmocka_unit_test(hash_tuple_depends_on_every_field),
        cmocka_unit_test(validator_catches_broken_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
