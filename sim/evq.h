/* evq.h — the event queue: a monotone priority queue of (time, data).
 *
 * Ordering: earlier time first; at equal times, first pushed first out. That
 * FIFO rule is what makes every run deterministic: events scheduled for the
 * same instant run in the order they were scheduled.
 *
 * Contract: a pushed time must not be earlier than the time of the item last
 * popped (a simulation never schedules into its past). The engine keeps it
 * by construction; pushes that break it are clamped to that time. Before the
 * first pop, any time may be pushed.
 *
 * Implementation: a radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990), which
 * exploits exactly that monotonicity. Bucket 0 holds the items whose time
 * equals `last` (the time last popped); bucket k >= 1 holds items whose time
 * first differs from `last` at bit k-1. Push is O(1): one XOR, one count of
 * leading zeros, one append. When a pop finds bucket 0 empty, the lowest
 * non-empty bucket is redistributed around its minimum; an item can only move to lower
 * buckets, so it moves at most 64 times and in practice two or three. Every
 * bucket is a plain array, appended and read in order, so equal times keep
 * their push order and memory is read sequentially (a binary heap's random
 * walks are what make it slow once the queue outgrows the cache). */
#ifndef PS_EVQ_H
#define PS_EVQ_H

#include "base.h"

typedef struct ps_evq_item {
    ps_time t;      /* when the event runs */
    uint64_t data;  /* the caller's payload (the engine packs a kind and an index) */
} ps_evq_item;
_Static_assert(sizeof(ps_evq_item) == 16, "a queue item is two 64-bit words on every target");

typedef struct ps_evq_bucket {
    ps_evq_item *v;  /* items in push (or redistribution) order */
    uint32_t n;      /* items stored */
    uint32_t cap;    /* items allocated */
    ps_time min;     /* earliest time among its n items (meaningful when n > 0) */
} ps_evq_bucket;

#define PS_EVQ_BUCKETS 65

typedef struct ps_evq {
    ps_evq_bucket b[PS_EVQ_BUCKETS]; /* b[0]: time == last; b[k]: differs at bit k-1 */
    uint32_t head;     /* next item to pop from b[0] */
    uint64_t mask;     /* bit k-1 set: b[k] is not empty (k = 1..64) */
    ps_time last;      /* time of the item last popped (0 before the first pop) */
    ps_time next;      /* the earliest queued time, PS_TIME_NEVER when empty */
    size_t n;          /* items queued */
    bool failed;       /* memory ran out while reorganising: the queue refuses
                          further pushes and pops (the engine reports it) */
} ps_evq;

void ps_evq_init(ps_evq *q);
void ps_evq_free(ps_evq *q);
/* Queues data at time t. Returns false (queue unchanged) if memory runs out. */
bool ps_evq_push(ps_evq *q, ps_time t, uint64_t data);
/* Removes the earliest item into *out. Returns false when empty (or failed). */
bool ps_evq_pop(ps_evq *q, ps_evq_item *out);
/* The earliest queued time, or PS_TIME_NEVER when empty. O(1). */
static inline ps_time ps_evq_next_time(const ps_evq *q) { return q->next; }
static inline size_t ps_evq_size(const ps_evq *q) { return q->n; }
/* The item k places after the next one to pop, when it already waits in
 * b[0] (queued for the time last popped), else NULL. Events of one instant
 * are known in advance there: the engine prefetches what they will touch. */
static inline const ps_evq_item *ps_evq_peek_ready(const ps_evq *q, uint32_t k)
{
    uint32_t i = q->head + k;
    return i < q->b[0].n ? &q->b[0].v[i] : NULL;
}
/* Checks every invariant listed in evq.c (O(n)): each item in the bucket its
 * time belongs to, the bucket mask, minima, count and next time. For tests
 * and PS_ASSERT; false means the structure is corrupt. */
bool ps_evq_valid(const ps_evq *q);
#endif
