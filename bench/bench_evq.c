/* bench_evq.c — the hold-model benchmark (docs/reference/hold-model.md):
 * N pending events, each executed event schedules one more at now + delay
 * until 20,000,000 have been scheduled. The final simulated times must be
 * the reference's (10,009,430 and 10,675).
 *
 * Run twice per size: on portsim's radix heap, and on a plain binary heap of
 * (time, sequence) compiled here, the textbook baseline, so the ratio is
 * measured on this machine in this run. Every payload is its push's
 * sequence number, and each pop checks FIFO order among equal times (the
 * order the engine's determinism depends on): a final time alone cannot
 * tell a FIFO queue from a LIFO one. A violation stops the bench. */
#include <stdlib.h>

#include "bench_common.h"
#include "evq.h"

#define TOTAL 20000000ull

static uint64_t lcg;
static uint64_t delay(void)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return 1 + ((lcg >> 33) % 1000);
}

/* ---- the baseline: a binary min-heap ordered by (time, sequence) ---- */

typedef struct heap {
    ps_evq_item *v;
    size_t n, cap;
} heap;

static bool before(const ps_evq_item *a, const ps_evq_item *b)
{
    return a->t != b->t ? a->t < b->t : a->data < b->data; /* data is the sequence */
}

static void heap_push(heap *h, ps_evq_item it)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->v = realloc(h->v, h->cap * sizeof *h->v);
        if (!h->v) abort();
    }
    size_t i = h->n++;
    while (i > 0 && before(&it, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = it;
}

static bool heap_pop(heap *h, ps_evq_item *out)
{
    if (h->n == 0) return false;
    *out = h->v[0];
    ps_evq_item last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && before(&h->v[c + 1], &h->v[c])) c++;
        if (!before(&h->v[c], &last)) break;
        h->v[i] = h->v[c];
        i = c;
    }
    h->v[i] = last;
    return true;
}

/* ---- the hold model on either queue ---- */

typedef struct queue_ops {
    const char *name;
    bool (*push)(void *q, ps_time t, uint64_t seq);
    bool (*pop)(void *q, ps_evq_item *out);
} queue_ops;

static bool evq_push(void *q, ps_time t, uint64_t seq) { return ps_evq_push(q, t, seq); }
static bool evq_pop(void *q, ps_evq_item *out) { return ps_evq_pop(q, out); }
static bool bh_push(void *q, ps_time t, uint64_t seq) { return heap_push(q, (ps_evq_item){ t, seq }), true; }
static bool bh_pop(void *q, ps_evq_item *out) { return heap_pop(q, out); }

/* Runs the model; returns Mevents/s and the final time in *final. */
static double hold(const queue_ops *ops, void *q, size_t n, ps_time *final)
{
    lcg = 0x9E3779B97F4A7C15ull;
    uint64_t seq = 0;
    for (size_t i = 0; i < n; i++) ops->push(q, delay(), seq++);
    double t0 = bench_now();
    ps_evq_item it = { 0, 0 }, prev = { 0, 0 };
    uint64_t executed = 0;
    while (ops->pop(q, &it)) {
        if (executed++ && (it.t < prev.t || (it.t == prev.t && it.data < prev.data))) {
            fprintf(stderr, "bench_evq: %s broke FIFO order: (t %llu, push %llu) after (t %llu, push %llu)\n",
                    ops->name, (unsigned long long)it.t, (unsigned long long)it.data,
                    (unsigned long long)prev.t, (unsigned long long)prev.data);
            exit(1);
        }
        prev = it;
        if (seq < TOTAL) ops->push(q, it.t + delay(), seq++);
    }
    *final = it.t;
    return (double)executed / (bench_now() - t0) / 1e6;
}

static void both(size_t n, const char *label)
{
    static const queue_ops radix = { "the radix heap", evq_push, evq_pop };
    static const queue_ops binary = { "the binary heap", bh_push, bh_pop };
    ps_evq q;
    ps_evq_init(&q);
    heap h = { 0 };
    ps_time final_radix, final_binary;
    double r = hold(&radix, &q, n, &final_radix);
    double b = hold(&binary, &h, n, &final_binary);
    if (final_radix != final_binary) {
        fprintf(stderr, "bench_evq: final times differ (%llu, %llu)\n", (unsigned long long)final_radix,
                (unsigned long long)final_binary);
        exit(1);
    }
    char name[64];
    snprintf(name, sizeof name, "evq_hold_%s_final_time", label);
    bench_figure(name, (double)final_radix, "ticks (FIFO checked on every pop)");
    snprintf(name, sizeof name, "evq_hold_%s_radix_heap", label);
    bench_figure(name, r, "Mevents/s");
    snprintf(name, sizeof name, "evq_hold_%s_binary_heap", label);
    bench_figure(name, b, "Mevents/s");
    snprintf(name, sizeof name, "evq_hold_%s_radix_over_binary", label);
    bench_figure(name, r / b, "x");
    ps_evq_free(&q);
    free(h.v);
}

int main(void)
{
    both(1000, "1k");
    both(1000000, "1M");
    bench_figure("evq_hold_peak_rss", bench_peak_rss() / 1e6, "MB");
    return 0;
}
