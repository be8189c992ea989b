/* table.h — an open-addressing hash index from a 32-bit hash to 32-bit
 * values, for tables whose keys live elsewhere (the socket array, the port
 * buckets). The caller supplies the hash and an equality test against its
 * own records, so one small structure serves every lookup in the engine.
 *
 * Each slot is 8 bytes: the full hash (so growing never re-reads keys) and
 * value + 1 (0 marks an empty slot). Linear probing, load kept below 1/2,
 * deletion by backward shift (no tombstones, so probe chains never rot).
 * Iteration order is never exposed: nothing in output depends on it. */
#ifndef PS_TABLE_H
#define PS_TABLE_H

#include "base.h"

typedef struct ps_table {
    uint64_t *slots; /* (hash << 32) | (value + 1); 0 = empty */
    uint32_t mask;   /* capacity - 1; capacity is a power of two */
    uint32_t n;      /* values stored */
} ps_table;

/* Does record `value` have the key `key`? */
typedef bool (*ps_table_eq)(const void *ctx, uint32_t value, const void *key);

void ps_table_init(ps_table *t);
void ps_table_free(ps_table *t);
/* The value whose record equals key, or PS_NONE. */
uint32_t ps_table_find(const ps_table *t, uint32_t hash, ps_table_eq eq, const void *ctx,
                       const void *key);
/* Adds value under hash (the caller knows its key is not present yet).
 * Returns false, table unchanged, if memory runs out. */
bool ps_table_insert(ps_table *t, uint32_t hash, uint32_t value);
/* Removes the slot holding exactly (hash, value). Returns false if absent. */
bool ps_table_remove(ps_table *t, uint32_t hash, uint32_t value);

/* Checks the invariants (O(capacity x probe length)): the count, the load
 * below 1/2, and no hole between any member and its home slot. For tests and
 * PS_ASSERT; false means the table is corrupt. */
bool ps_table_valid(const ps_table *t);

/* Hash helpers: fold 64-bit keys to the 32 bits the table stores. */
uint32_t ps_hash64(uint64_t k);
uint32_t ps_hash_tuple(uint32_t host, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp);

#endif
