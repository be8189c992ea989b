/* bench_ports.c — the ephemeral allocator as a range fills up: the cost of
 * ps_ports_pick() alone (not the registration that follows it) for picks
 * made when 1 %, 50 % and 99 % of a Linux range (28,232 ports) is taken,
 * and for the very last free port, all connections to one destination. A
 * port-by-port scan (the kernel's way) slows down near exhaustion; the
 * per-destination bitmaps should not. Each pick is timed on its own (the
 * clock's own cost, measured, is subtracted); medians over several fills.
 * The demux table is sized for the whole range first, so no growth happens
 * inside a timed window either. */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "ports.h"

#define LO 32768
#define HI 60999
#define RANGE (HI - LO + 1)
#define ROUNDS 15
#define WINDOW (RANGE / 100) /* picks timed around each fill level */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What one bench_now() pair costs, in seconds (subtracted from each pick). */
static double clock_cost(void)
{
    double best = 1;
    for (int i = 0; i < 1000; i++) {
        double t0 = bench_now(), t1 = bench_now();
        if (t1 - t0 < best) best = t1 - t0;
    }
    return best;
}

enum { AT_1, AT_50, AT_99, AT_LAST, POINTS };

/* Fills the range once; ns per pick at each point. */
static void fill_once(uint64_t seed, double overhead, double out[POINTS])
{
    ps_ports p;
    ps_demux dm;
    ps_rng rng;
    ps_ports_init(&p, seed);
    ps_demux_init(&dm);
    ps_rng_seed(&rng, seed);
    ps_socket *socks = calloc(RANGE, sizeof *socks);
    if (!socks) abort();
    /* Grow the demux table to its final size before timing anything. */
    for (uint32_t i = 0; i < RANGE; i++) {
        socks[i] = (ps_socket){ .laddr = 0x0b000001, .raddr = 0x0b000002, .lport = (uint16_t)(i % 60000 + 1),
                                .rport = (uint16_t)(i / 60000 + 1), .live = 1 };
        if (!ps_demux_add(&dm, socks, i)) abort();
    }
    for (uint32_t i = 0; i < RANGE; i++) ps_demux_remove(&dm, socks, i);
    const uint32_t starts[POINTS] = { RANGE / 100, RANGE / 2, RANGE - RANGE / 100 - WINDOW, RANGE - 1 };
    double spent[POINTS] = { 0 };
    uint32_t counted[POINTS] = { 0 };
    for (uint32_t i = 0; i < RANGE; i++) {
        int point = -1;
        for (int k = 0; k < POINTS; k++)
            if (i >= starts[k] && i < starts[k] + (k == AT_LAST ? 1 : WINDOW)) point = k;
        uint16_t port;
        double t0 = bench_now();
        ps_errno err = ps_ports_pick(&p, socks, &dm, &rng, 0, LO, HI, 0x0a000001, 0x5db8d822, 443, &port);
        double t1 = bench_now();
        if (err != PS_OK) abort();
        if (point >= 0) {
            spent[point] += t1 - t0 - overhead;
            counted[point]++;
        }
        ps_socket *s = &socks[i];
        *s = (ps_socket){ .laddr = 0x0a000001, .raddr = 0x5db8d822, .lport = port, .rport = 443,
                          .state = PS_ESTABLISHED, .flags = PS_SOCK_EPHEMERAL, .live = 1 };
        if (!ps_ports_add_user(&p, s, false) || !ps_demux_add(&dm, socks, i)) abort();
    }
    for (int k = 0; k < POINTS; k++) out[k] = spent[k] / counted[k] * 1e9;
    ps_ports_free(&p);
    ps_demux_free(&dm);
    free(socks);
}

int main(void)
{
    static const char *const names[POINTS] = { "ports_pick_at_1pct_full", "ports_pick_at_50pct_full",
                                               "ports_pick_at_99pct_full", "ports_pick_last_free_port" };
    double overhead = clock_cost(), v[POINTS][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double out[POINTS];
        fill_once((uint64_t)r + 1, overhead, out);
        for (int k = 0; k < POINTS; k++) v[k][r] = out[k];
    }
    double med[POINTS];
    for (int k = 0; k < POINTS; k++) {
        qsort(v[k], ROUNDS, sizeof v[k][0], cmp_double);
        med[k] = v[k][ROUNDS / 2];
        bench_figure(names[k], med[k], "ns/pick (pick alone)");
    }
    bench_figure("ports_pick_99pct_over_1pct", med[AT_99] / med[AT_1], "x");
    return 0;
}
