/* bench_common.h — what every benchmark shares: a monotonic clock, peak
 * memory, and the output format (one line per figure: name, value, unit, so
 * runs can be compared between commits with diff or awk). */
#ifndef PS_BENCH_COMMON_H
#define PS_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak resident set size of this process so far, in bytes. */
static inline double bench_peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0;
}

/* ns per step of a dependent walk through `bytes` of memory in 16-byte
 * cells along one random cycle through all of them (Sattolo's shuffle):
 * the latency of memory at that working-set size, nothing else. */
static inline double bench_chase_ns(size_t bytes, uint32_t steps)
{
    typedef struct cell {
        uint64_t next, pad;
    } cell;
    size_t n = bytes / sizeof(cell);
    cell *c = malloc(n * sizeof *c);
    if (!c) abort();
    for (size_t i = 0; i < n; i++) c[i].next = i;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = n - 1; i > 0; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t j = (size_t)(x % i); /* j < i: one single cycle */
        uint64_t t = c[i].next;
        c[i].next = c[j].next;
        c[j].next = t;
    }
    uint64_t p = 0;
    double t0 = bench_now();
    for (uint32_t k = 0; k < steps; k++) p = c[p].next;
    double ns = (bench_now() - t0) / steps * 1e9;
    if (p >= n) abort(); /* uses p, so the walk is not optimised away */
    free(c);
    return ns;
}

static inline void bench_figure(const char *name, double value, const char *unit)
{
    printf("%-40s %14.2f %s\n", name, value, unit);
    fflush(stdout);
}

#endif
