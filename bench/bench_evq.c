/* bench_evq.c — the hold-model benchmark (docs/reference/hold-model.md)
 * on portsim's event queue: N pending events, each executed event schedules
 * one more at now + delay until 20,000,000 have been scheduled. The final
 * simulated times must be the reference's (10,009,430 and 10,675). */
#include "bench_common.h"
#include "evq.h"

#define TOTAL 20000000ull

static uint64_t lcg;
static uint64_t delay(void)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return 1 + ((lcg >> 33) % 1000);
}

static void hold(size_t n, const char *label)
{
    ps_evq q;
    ps_evq_init(&q);
    lcg = 0x9E3779B97F4A7C15ull;
    uint64_t scheduled = 0;
    for (size_t i = 0; i < n; i++, scheduled++) ps_evq_push(&q, delay(), 0);
    double t0 = bench_now();
    ps_evq_item it = { 0, 0 };
    uint64_t executed = 0;
    while (ps_evq_pop(&q, &it)) {
        executed++;
        if (scheduled < TOTAL) {
            ps_evq_push(&q, it.t + delay(), 0);
            scheduled++;
        }
    }
    double dt = bench_now() - t0;
    char name[64];
    snprintf(name, sizeof name, "evq_hold_%s_final_time", label);
    bench_figure(name, (double)it.t, "ticks");
    snprintf(name, sizeof name, "evq_hold_%s", label);
    bench_figure(name, (double)executed / dt / 1e6, "Mevents/s");
    ps_evq_free(&q);
}

int main(void)
{
    hold(1000, "1k");
    hold(1000000, "1M");
    bench_figure("evq_hold_peak_rss", bench_peak_rss() / 1e6, "MB");
    return 0;
}
