/* evq.c — the radix heap behind the event queue (see evq.h).
 *
 * Invariants, with L = q->last:
 *   - every item in b[0] from index head on has time L, in push order;
 *   - every item in b[k], k >= 1, has a time whose highest bit differing
 *     from L is bit k-1; so all of b[k] is later than all of b[k-1], and
 *     equal times always share a bucket, in push order;
 *   - q->next is the earliest time queued (it lies in the lowest non-empty
 *     bucket), kept up to date by push and pop so peeking never reorganises. */
#include "evq.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static inline unsigned bucket_of(ps_time t, ps_time last)
{
    return t == last ? 0 : 64u - ps_clz64(t ^ last);
}

void ps_evq_init(ps_evq *q)
{
    memset(q, 0, sizeof *q);
    q->next = PS_TIME_NEVER;
}

void ps_evq_free(ps_evq *q)
{
    for (int k = 0; k < PS_EVQ_BUCKETS; k++) free(q->b[k].v);
    ps_evq_init(q);
}

static bool grow(ps_evq_bucket *b, size_t need) { return ps_grow(&b->v, &b->cap, need, sizeof *b->v); }

static unsigned lowest_bucket(const ps_evq *q) { return ps_ctz64(q->mask) + 1; }

/* Kept on every insert, so finding the next time after b[0] drains is O(1)
 * (a scan here made runs that keep one event at `last` and many later ones
 * quadratic). Items leave a bucket k >= 1 only all at once, in refill. */
static ps_time bucket_min(const ps_evq_bucket *b) { return b->min; }

static void bucket_put(ps_evq_bucket *b, ps_evq_item it)
{
    PS_ASSERT(b->n < b->cap);
    if (b->n == 0 || it.t < b->min) b->min = it.t;
    b->v[b->n++] = it;
}

/* Refills an empty b[0]: the lowest non-empty bucket is spread out around
 * its minimum (q->next), which becomes `last`. If memory runs out midway the
 * queue is marked failed: its items are still owned (and freed), but its
 * order is no longer trusted, so it refuses further use. */
static bool refill(ps_evq *q)
{
    PS_ASSERT(q->mask != 0); /* called only when items wait beyond b[0] */
    unsigned j = lowest_bucket(q);
    ps_evq_bucket *src = &q->b[j];
    ps_time m = q->next;
    PS_ASSERT(src->n > 0 && src->min == m && m > q->last);
    q->b[0].n = q->head = 0;
    q->last = m;
    for (uint32_t i = 0; i < src->n; i++) {
        unsigned k = bucket_of(src->v[i].t, m);
        ps_evq_bucket *dst = &q->b[k];
        if (dst->n == dst->cap && !grow(dst, (size_t)dst->n + 1)) {
            q->failed = true;
            return false;
        }
        bucket_put(dst, src->v[i]);
        if (k) q->mask |= 1ull << (k - 1);
    }
    src->n = 0;
    q->mask &= ~(1ull << (j - 1));
    PS_ASSERT(q->b[0].n > 0); /* the minimum itself lands in b[0] */
    /* A burst can grow several buckets in turn to millions of items; give an
     * emptied big one back rather than keep every bucket at its peak. */
    if (src->cap > 4096) {
        free(src->v);
        src->v = NULL;
        src->cap = 0;
    }
    return true;
}

bool ps_evq_push(ps_evq *q, ps_time t, uint64_t data)
{
    if (q->failed) return false;
    if (t < q->last) t = q->last;
    unsigned k = bucket_of(t, q->last);
    ps_evq_bucket *b = &q->b[k];
    if (k == 0 && b->n == b->cap && q->head > 0 && q->head >= b->n / 2) {
        /* Reuse the popped front of b[0]: events that keep scheduling more
         * at the current time would otherwise grow it without end. */
        memmove(b->v, b->v + q->head, (size_t)(b->n - q->head) * sizeof *b->v);
        b->n -= q->head;
        q->head = 0;
    }
    if (b->n == b->cap && !grow(b, (size_t)b->n + 1)) return false;
    bucket_put(b, (ps_evq_item){ t, data });
    if (k) q->mask |= 1ull << (k - 1);
    q->n++;
    if (t < q->next) q->next = t;
    return true;
}

bool ps_evq_pop(ps_evq *q, ps_evq_item *out)
{
    if (q->n == 0 || q->failed) return false;
    if (q->head == q->b[0].n && !refill(q)) return false;
    *out = q->b[0].v[q->head++];
    PS_ASSERT(out->t == q->last); /* never earlier than anything popped before */
    q->n--;
    if (q->head < q->b[0].n) q->next = q->last;
    else q->next = q->n ? bucket_min(&q->b[lowest_bucket(q)]) : PS_TIME_NEVER;
    return true;
}

bool ps_evq_valid(const ps_evq *q)
{
    size_t n = 0;
    ps_time next = PS_TIME_NEVER;
    for (unsigned k = 0; k < PS_EVQ_BUCKETS; k++) {
        const ps_evq_bucket *b = &q->b[k];
        uint32_t from = k == 0 ? q->head : 0;
        if (b->n > b->cap || from > b->n) return false;
        if (k > 0 && (b->n > 0) != ((q->mask >> (k - 1)) & 1u)) return false;
        ps_time min = PS_TIME_NEVER;
        for (uint32_t i = from; i < b->n; i++) {
            if (bucket_of(b->v[i].t, q->last) != k) return false;
            if (b->v[i].t < min) min = b->v[i].t;
        }
        if (k > 0 && b->n > 0 && b->min != min) return false;
        if (min < next) next = min;
        n += b->n - from;
    }
    return n == q->n && next == q->next;
}
