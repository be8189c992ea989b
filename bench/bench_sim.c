/* bench_sim.c — the whole engine at scale: 1,000,000 connections from 40
 * client hosts to one server's :443, all established at the same time, each
 * then sending one request, reading one reply and closing (the `request`
 * connect option). Runs with no trace (no sink), like `portsim run --format
 * none`, and reports engine events per second and memory per connection.
 * With 10 ms links the first connections close about 40 ms after opening,
 * after the last of the million has opened (25 ms), so all are live at once.
 * The scenario is generated here rather than committed as a huge file. */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "engine_ops.h"
#include "parse.h"
#include "platform.h"

#define HOSTS 40
#define PER_HOST 25000u

static char *make_scenario(size_t *len)
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
            "repeat %u every 1us\n", h, PER_HOST);
#undef ADD
    *len = n;
    return s;
}

int main(void)
{
    ps_platform_init();
    size_t len;
    char *text = make_scenario(&len);
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, len, "bench-1M.scn", &d);
    if (!sc) {
        char buf[1024];
        fprintf(stderr, "%s\n", ps_diag_format(&d, buf, sizeof buf));
        return 2;
    }
    double rss0 = bench_peak_rss();
    ps_engine *e = ps_engine_new(sc, sc->seed);
    uint32_t peak_live = 0, conns = 0, listeners = 1;
    double t0 = bench_now();
    while (ps_engine_step(e)) {
        if ((ps_engine_steps(e) & 4095) == 0) {
            uint32_t live = ps_engine_socket_live(e);
            if (live > peak_live) peak_live = live;
        }
    }
    double dt = bench_now() - t0;
    /* Connections alive at once: both ends count as one connection. */
    conns = (peak_live - listeners) / 2;
    if (ps_engine_status(e) != PS_RUN_OK) {
        fprintf(stderr, "bench_sim: the run stopped early\n");
        return 1;
    }
    double rss = bench_peak_rss();
    bench_figure("sim_1M_connections_peak_live", conns, "connections");
    bench_figure("sim_1M_queue_steps", (double)ps_engine_steps(e), "steps");
    bench_figure("sim_1M_events", (double)ps_engine_events(e), "events");
    bench_figure("sim_1M_wall_time", dt, "s");
    bench_figure("sim_1M_steps_per_s", (double)ps_engine_steps(e) / dt / 1e6, "Msteps/s");
    bench_figure("sim_1M_events_per_s", (double)ps_engine_events(e) / dt / 1e6, "Mevents/s");
    bench_figure("sim_1M_peak_rss", rss / 1e6, "MB");
    bench_figure("sim_1M_bytes_per_connection", (rss - rss0) / (conns ? conns : 1), "B");
    ps_engine_free(e);
    ps_scenario_free(sc);
    free(text);
    return 0;
}
