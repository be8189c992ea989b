/* evq.h — the event queue: a priority queue of (time, sequence, data).
 *
 * Ordering: earlier time first; at equal times, lower sequence first. The
 * queue hands out sequence numbers itself, in push order, so events at the
 * same instant run in the order they were scheduled — the invariant that
 * makes every run deterministic.
 *
 * Implementation: an implicit 4-ary min-heap in one array. A 4-ary heap is
 * half as deep as a binary one and its four children share a cache line or
 * two, which pays off once the queue outgrows the cache. Cost: push and pop
 * O(log n); replace_top (pop then push in one sift) saves one sift. */
#ifndef PS_EVQ_H
#define PS_EVQ_H

#include "base.h"

typedef struct ps_evq_item {
    ps_time t;      /* when the event runs */
    uint64_t seq;   /* tie-breaker: push order */
    uint64_t data;  /* the caller's payload (the engine packs a kind and an index) */
} ps_evq_item;

typedef struct ps_evq {
    ps_evq_item *heap; /* heap[0] is the earliest */
    size_t n;          /* items queued */
    size_t cap;        /* items allocated */
    uint64_t next_seq; /* sequence for the next push */
} ps_evq;

void ps_evq_init(ps_evq *q);
void ps_evq_free(ps_evq *q);
/* Queues data at time t. Returns false (queue unchanged) if memory runs out. */
bool ps_evq_push(ps_evq *q, ps_time t, uint64_t data);
/* Removes the earliest item into *out. Returns false when empty. */
bool ps_evq_pop(ps_evq *q, ps_evq_item *out);
/* Removes the earliest item into *out and queues (t, data) in the same pass.
 * The queue must not be empty. Equivalent to pop then push, but cheaper. */
void ps_evq_replace_top(ps_evq *q, ps_evq_item *out, ps_time t, uint64_t data);
/* The earliest item, or NULL when empty. */
static inline const ps_evq_item *ps_evq_peek(const ps_evq *q) { return q->n ? &q->heap[0] : NULL; }
static inline size_t ps_evq_size(const ps_evq *q) { return q->n; }
/* Reserves room for n items in total, so pushes up to n cannot fail. */
bool ps_evq_reserve(ps_evq *q, size_t n);

#endif
