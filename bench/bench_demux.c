/* bench_demux.c — the cost of finding a segment's connection by its
 * 4-tuple, with 1,000 and with 1,000,000 established connections on one
 * server port, looked up in a random order (so the big table is not served
 * from the cache by luck). The cost must not grow with the count. */
#include <stdlib.h>

#include "bench_common.h"
#include "demux.h"
#include "platform.h"
#include "rng.h"

#define LOOKUPS 20000000u

static double lookup_ns(uint32_t n)
{
    ps_socket *socks = calloc(n, sizeof *socks);
    uint32_t *order = malloc(n * sizeof *order);
    ps_demux dm;
    ps_demux_init(&dm);
    /* Clients spread over addresses 10.x.y.z, 25,000 source ports each. */
    for (uint32_t i = 0; i < n; i++) {
        socks[i] = (ps_socket){ .laddr = 0xcb007150, .lport = 443, .raddr = 0x0a000000 + i / 25000,
                                .rport = (uint16_t)(32768 + i % 25000), .live = 1,
                                .state = PS_ESTABLISHED, .flags = PS_SOCK_ACCEPTED };
        ps_demux_add(&dm, socks, i);
        order[i] = i;
    }
    ps_rng rng;
    ps_rng_seed(&rng, 7);
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)ps_rng_below(&rng, i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    /* The keys to look up, in that order, read sequentially: the only
     * random accesses timed are the table's own. */
    ps_demux_slot *keys = malloc(n * sizeof *keys);
    for (uint32_t i = 0; i < n; i++) {
        const ps_socket *s = &socks[order[i]];
        keys[i] = (ps_demux_slot){ s->laddr, s->raddr, s->lport, s->rport, 0 };
    }
    double t0 = bench_now();
    uint64_t found = 0;
    for (uint32_t k = 0, i = 0; k < LOOKUPS; k++, i = i + 1 == n ? 0 : i + 1) {
        const ps_demux_slot *key = &keys[i];
        found += ps_demux_connection(&dm, socks, 0, key->la, key->lp, key->ra, key->rp) != PS_NONE;
    }
    double ns = (bench_now() - t0) / LOOKUPS * 1e9;
    if (found != LOOKUPS) abort();
    ps_demux_free(&dm);
    free(socks);
    free(order);
    free(keys);
    return ns;
}

int main(void)
{
    ps_platform_init();
    double small = lookup_ns(1000), big = lookup_ns(1000000);
    bench_figure("demux_lookup_1k_conns", small, "ns/lookup");
    bench_figure("demux_lookup_1M_conns", big, "ns/lookup");
    bench_figure("demux_lookup_1M_over_1k", big / small, "x");
    return 0;
}
