/* bench_ports.c — the ephemeral allocator as a range fills up: the cost of
 * picking a port for the first 1% of a Linux range (28,232 ports) against
 * the last 1%, all connections to one destination. A port-by-port scan (the
 * kernel's way) slows down near exhaustion; the per-destination bitmaps
 * should not. Median of several fills. */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "ports.h"

#define LO 32768
#define HI 60999
#define RANGE (HI - LO + 1)
#define ROUNDS 15

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills the range once; returns ns per pick for the first and last 1%. */
static void fill_once(uint64_t seed, double *first, double *last)
{
    ps_ports p;
    ps_demux dm;
    ps_rng rng;
    ps_ports_init(&p, seed);
    ps_demux_init(&dm);
    ps_rng_seed(&rng, seed);
    ps_socket *socks = calloc(RANGE, sizeof *socks);
    const uint32_t pct = RANGE / 100;
    double t_first = 0, t_last = 0, t0 = 0;
    for (uint32_t i = 0; i < RANGE; i++) {
        if (i == 0 || i == RANGE - pct) t0 = bench_now();
        uint16_t port;
        if (ps_ports_pick(&p, socks, &dm, &rng, 0, LO, HI, 0x0a000001, 0x5db8d822, 443, &port) != PS_OK)
            abort();
        if (i == pct - 1) t_first = bench_now() - t0;
        if (i == RANGE - 1) t_last = bench_now() - t0;
        ps_socket *s = &socks[i];
        *s = (ps_socket){ .laddr = 0x0a000001, .raddr = 0x5db8d822, .lport = port, .rport = 443,
                          .state = PS_ESTABLISHED, .flags = PS_SOCK_EPHEMERAL, .live = 1 };
        ps_ports_add_user(&p, s, false);
        ps_demux_add(&dm, socks, i);
    }
    *first = t_first / pct * 1e9;
    *last = t_last / pct * 1e9;
    ps_ports_free(&p);
    ps_demux_free(&dm);
    free(socks);
}

int main(void)
{
    double first[ROUNDS], last[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) fill_once((uint64_t)r + 1, &first[r], &last[r]);
    qsort(first, ROUNDS, sizeof *first, cmp_double);
    qsort(last, ROUNDS, sizeof *last, cmp_double);
    bench_figure("ports_pick_first_1pct", first[ROUNDS / 2], "ns/pick");
    bench_figure("ports_pick_last_1pct", last[ROUNDS / 2], "ns/pick");
    bench_figure("ports_pick_last_over_first", last[ROUNDS / 2] / first[ROUNDS / 2], "x");
    return 0;
}
