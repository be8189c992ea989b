/* bench_common.h — what every benchmark shares: a monotonic clock, peak
 * memory, and the output format (one line per figure: name, value, unit, so
 * runs can be compared between commits with diff or awk). */
#ifndef PS_BENCH_COMMON_H
#define PS_BENCH_COMMON_H

#include <stdio.h>
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

static inline void bench_figure(const char *name, double value, const char *unit)
{
    printf("%-40s %14.2f %s\n", name, value, unit);
    fflush(stdout);
}

#endif
