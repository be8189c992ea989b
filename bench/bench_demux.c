/* bench_demux.c — finding a segment's connection by its 4-tuple, with
 * 1,000 to 1,000,000 established connections on one server port.
 *
 * Two figures per size, because they answer different questions:
 *   - latency: each lookup needs the previous one's answer (the next key
 *     depends on the socket found), as when one segment's handling decides
 *     the next: the CPU cannot overlap the cache misses;
 *   - throughput: independent lookups in a random order, which the CPU
 *     overlaps (several misses in flight).
 * Beside them, the latency of a plain pointer chase through a table of the
 * same bytes (one dependent DRAM access per step, nothing else), and each
 * demux latency as a multiple of it. The demux does constant work per
 * lookup; once its table outgrows the caches, that work waits on memory,
 * so the honest claim is "one memory round trip", not "the same time at any
 * size". */
#include <stdlib.h>

#include "bench_common.h"
#include "demux.h"
#include "platform.h"
#include "rng.h"

#define LOOKUPS 10000000u

static void shuffle(uint32_t *v, uint32_t n, ps_rng *rng)
{
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)ps_rng_below(rng, i + 1), t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

static void measure(uint32_t n, const char *label)
{
    ps_socket *socks = calloc(n, sizeof *socks);
    uint32_t *order = malloc(n * sizeof *order);
    ps_demux_slot *keys = malloc(n * sizeof *keys);
    if (!socks || !order || !keys) abort();
    ps_demux dm;
    ps_demux_init(&dm);
    /* Clients spread over addresses 10.x.y.z, 25,000 source ports each. */
    for (uint32_t i = 0; i < n; i++) {
        socks[i] = (ps_socket){ .laddr = 0xcb007150, .lport = 443, .raddr = 0x0a000000 + i / 25000,
                                .rport = (uint16_t)(32768 + i % 25000), .live = 1,
                                .state = PS_ESTABLISHED, .flags = PS_SOCK_ACCEPTED };
        if (!ps_demux_add(&dm, socks, i)) abort();
        order[i] = i;
    }
    ps_rng rng;
    ps_rng_seed(&rng, 7);
    shuffle(order, n, &rng);
    /* Keys in a random order, read sequentially. */
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
    double through = (bench_now() - t0) / LOOKUPS * 1e9;
    t0 = bench_now();
    uint32_t i = 0;
    for (uint32_t k = 0; k < LOOKUPS; k++) {
        const ps_demux_slot *key = &keys[i];
        uint32_t s = ps_demux_connection(&dm, socks, 0, key->la, key->lp, key->ra, key->rp);
        found += s != PS_NONE;
        /* The next key is the next in the (sequential) key array, but its
         * index is computed from this answer (s >> 31 is 0 for any found
         * socket), so the lookups cannot overlap, and no other random read
         * is added to the one being measured. */
        i += 1 + (s >> 31);
        if (i >= n) i = 0;
    }
    double latency = (bench_now() - t0) / LOOKUPS * 1e9;
    if (found != 2ull * LOOKUPS) abort();
    double dram = bench_chase_ns((size_t)dm.cap * sizeof(ps_demux_slot), LOOKUPS);
    char name[64];
    snprintf(name, sizeof name, "demux_latency_%s_conns", label);
    bench_figure(name, latency, "ns/lookup (dependent)");
    snprintf(name, sizeof name, "demux_throughput_%s_conns", label);
    bench_figure(name, through, "ns/lookup (independent)");
    snprintf(name, sizeof name, "pointer_chase_%s_table", label);
    bench_figure(name, dram, "ns/step (same bytes as the demux table)");
    snprintf(name, sizeof name, "demux_latency_%s_over_chase", label);
    bench_figure(name, latency / dram, "x");
    ps_demux_free(&dm);
    free(socks);
    free(order);
    free(keys);
}

int main(void)
{
    ps_platform_init();
    measure(1000, "1k");
    measure(10000, "10k");
    measure(100000, "100k");
    measure(1000000, "1M");
    return 0;
}
