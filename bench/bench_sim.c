/* bench_sim.c — the whole engine at scale: N connections from 40 client
 * hosts to one server's :443, all established at the same time, each then
 * sending one request, reading one reply and closing (the `request` connect
 * option), for N = 1k, 10k, 100k and 1M. Runs with no trace (no sink), like
 * `portsim run --format none`. It reports queue steps per second (one step
 * runs one queued entry: an action or a segment's arrival) apart from trace
 * records per second (the events a step emits, 2-3 per step: a rate of
 * records is not a rate of work), ns per step for each N (the scale curve),
 * and memory per live connection at 1M. With 10 ms links the first
 * connections close about 40 ms after opening, after the last has opened
 * (at most 25 ms), so all are live at once. The scenarios are generated
 * here rather than committed as huge files. */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "engine_ops.h"
#include "parse.h"
#include "platform.h"

#define HOSTS 40
#define PER_HOST 25000u

static char *make_scenario(uint32_t per_host, size_t *len)
{
    size_t cap = 64 * 1024;
    char *s = malloc(cap);
    size_t n = 0;
#define ADD(...) n += (size_t)snprintf(s + n, cap - n, __VA_ARGS__)
    ADD("title \"one million connections\"\nseed 1\nhost server 203.0.113.80\n");
    ADD("proc server nginx pid=1 user=root\n");
    for (int h = 0; h < HOSTS; h++) {
        ADD("host c%d 10.0.%d.%d\n", h, h / 200, h % 200 + 1);
        ADD("link c%d server 10ms\n", h);
        ADD("proc c%d browser pid=%d user=user%d\n", h, h + 2, h);
    }
    ADD("at 0ms server nginx listen 443 reply \"HTTP/1.1 200 OK\"\n");
    for (int h = 0; h < HOSTS; h++)
        ADD("at 1ms c%d browser connect https://203.0.113.80 request \"GET / HTTP/1.1\" "
            "repeat %u every 1us\n", h, per_host);
#undef ADD
    *len = n;
    return s;
}

typedef struct run {
    double wall, steps, events, rss_delta;
    uint32_t conns;
} run;

static run run_one(uint32_t per_host)
{
    size_t len;
    char *text = make_scenario(per_host, &len);
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, len, "bench.scn", &d);
    if (!sc) {
        char buf[1024];
        fprintf(stderr, "%s\n", ps_diag_format(&d, buf, sizeof buf));
        exit(2);
    }
    double rss0 = bench_peak_rss();
    ps_engine *e = ps_engine_new(sc, sc->seed);
    uint32_t peak_live = 0;
    double t0 = bench_now();
    while (ps_engine_step(e)) {
        if ((ps_engine_steps(e) & 4095) == 0) {
            uint32_t live = ps_engine_socket_live(e);
            if (live > peak_live) peak_live = live;
        }
    }
    run r = { bench_now() - t0, (double)ps_engine_steps(e), (double)ps_engine_events(e), 0, 0 };
    if (ps_engine_status(e) != PS_RUN_OK) {
        fprintf(stderr, "bench_sim: the run stopped early\n");
        exit(1);
    }
    r.conns = peak_live > 1 ? (peak_live - 1) / 2 : 0; /* minus the listener; two ends per connection */
    r.rss_delta = bench_peak_rss() - rss0;
    ps_engine_free(e);
    ps_scenario_free(sc);
    free(text);
    return r;
}

int main(void)
{
    ps_platform_init();
    static const struct {
        uint32_t per_host;
        const char *label;
    } sizes[] = { { 25, "1k" }, { 250, "10k" }, { 2500, "100k" }, { PER_HOST, "1M" } };
    run r = { 0 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        r = run_one(sizes[i].per_host);
        char name[64];
        snprintf(name, sizeof name, "sim_%s_ns_per_step", sizes[i].label);
        bench_figure(name, r.wall / r.steps * 1e9, "ns/queue step");
    }
    /* The largest run (peak RSS only grows, so it is measured last). */
    bench_figure("sim_1M_connections_peak_live", r.conns, "connections");
    bench_figure("sim_1M_queue_steps", r.steps, "steps");
    bench_figure("sim_1M_trace_records", r.events, "records");
    bench_figure("sim_1M_wall_time", r.wall, "s");
    bench_figure("sim_1M_queue_steps_per_s", r.steps / r.wall / 1e6, "Msteps/s");
    bench_figure("sim_1M_trace_records_per_s", r.events / r.wall / 1e6, "Mrecords/s (not steps)");
    bench_figure("sim_1M_peak_rss", bench_peak_rss() / 1e6, "MB");
    bench_figure("sim_1M_bytes_per_connection", r.rss_delta / (r.conns ? r.conns : 1), "B");
    /* One dependent DRAM access on a table far beyond the caches: what a
     * step costs at best when its data is not cached. */
    double dram = bench_chase_ns((size_t)256 << 20, 5000000);
    bench_figure("dram_latency_pointer_chase_256MB", dram, "ns/access");
    bench_figure("sim_1M_step_over_dram_latency", r.wall / r.steps * 1e9 / dram, "x");
    return 0;
}
