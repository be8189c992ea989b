/* evq.c — the 4-ary min-heap behind the event queue (see evq.h).
 *
 * Invariant: for every i > 0, item i is not earlier than its parent
 * (i - 1) / 4, where "earlier" compares (t, seq). Sequence numbers are unique,
 * so no two items compare equal and the pop order is fully determined. */
#include "evq.h"

#include <stdlib.h>

#define ARITY 4

static inline bool earlier(const ps_evq_item *a, const ps_evq_item *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void ps_evq_init(ps_evq *q)
{
    q->heap = NULL;
    q->n = q->cap = 0;
    q->next_seq = 0;
}

void ps_evq_free(ps_evq *q)
{
    free(q->heap);
    ps_evq_init(q);
}

bool ps_evq_reserve(ps_evq *q, size_t n)
{
    if (n <= q->cap) return true;
    size_t cap = q->cap ? q->cap : 64;
    while (cap < n) cap *= 2;
    ps_evq_item *h = realloc(q->heap, cap * sizeof *h);
    if (!h) return false;
    q->heap = h;
    q->cap = cap;
    return true;
}

/* Moves `it` up from hole i until its parent is earlier. */
static void sift_up(ps_evq_item *h, size_t i, ps_evq_item it)
{
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!earlier(&it, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = it;
}

/* Moves `it` down from hole i until no child is earlier. */
static void sift_down(ps_evq_item *h, size_t n, size_t i, ps_evq_item it)
{
    for (;;) {
        size_t c = i * ARITY + 1;
        if (c >= n) break;
        size_t end = c + ARITY < n ? c + ARITY : n;
        size_t best = c;
        for (size_t k = c + 1; k < end; k++)
            if (earlier(&h[k], &h[best])) best = k;
        if (!earlier(&h[best], &it)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = it;
}

bool ps_evq_push(ps_evq *q, ps_time t, uint64_t data)
{
    if (q->n == q->cap && !ps_evq_reserve(q, q->n + 1)) return false;
    ps_evq_item it = { t, q->next_seq++, data };
    sift_up(q->heap, q->n++, it);
    return true;
}

bool ps_evq_pop(ps_evq *q, ps_evq_item *out)
{
    if (q->n == 0) return false;
    *out = q->heap[0];
    if (--q->n > 0) sift_down(q->heap, q->n, 0, q->heap[q->n]);
    return true;
}

void ps_evq_replace_top(ps_evq *q, ps_evq_item *out, ps_time t, uint64_t data)
{
    *out = q->heap[0];
    ps_evq_item it = { t, q->next_seq++, data };
    sift_down(q->heap, q->n, 0, it);
}
