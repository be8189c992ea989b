/* bench_evq.c — the hold-model benchmark (shared/reference/hold-model.md)
 * on portsim's event queue. */
#include <stdio.h>
#include <time.h>

#include "evq.h"

static uint64_t lcg = 0x9E3779B97F4A7C15ull;
static uint64_t delay(void)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return 1 + ((lcg >> 33) % 1000);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void hold(size_t n, uint64_t total)
{
    ps_evq q;
    ps_evq_init(&q);
    ps_evq_reserve(&q, n);
    lcg = 0x9E3779B97F4A7C15ull;
    uint64_t scheduled = 0;
    for (size_t i = 0; i < n; i++, scheduled++) ps_evq_push(&q, delay(), 0);
    double t0 = now_s();
    ps_evq_item it;
    uint64_t executed = 0;
    ps_time now = 0;
    while (q.n) {
        ps_evq_pop(&q, &it);
        if (scheduled < total) {
            ps_evq_push(&q, it.t + delay(), 0);
            scheduled++;
        }
        now = it.t;
        executed++;
    }
    double dt = now_s() - t0;
    printf("hold_N%zu_final_time %llu ticks\n", n, (unsigned long long)now);
    printf("hold_N%zu %.2f Mevents/s\n", n, executed / dt / 1e6);
    ps_evq_free(&q);
}

int main(void)
{
    hold(1000, 20000000);
    hold(1000000, 20000000);
    return 0;
}
