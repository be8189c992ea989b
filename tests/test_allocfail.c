/* test_allocfail.c — allocation failure, everywhere: loading a scenario
 * (ps_scenario_load -> ps_scenario_parse), building an engine, running it
 * with a trace attached and checking its expectations (ps_check_run), with
 * the Nth allocation failing, for every N from 1 until a whole pass makes
 * fewer than N allocations. Each attempt must end in a clean, reported error
 * (NULL + "out of memory", PS_RUN_NOMEM, an "out of memory" report) and give
 * back every byte: the wrappers below track each live block.
 *
 * mk/robust.mk links this binary with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=free
 * so every allocation made by libportsim.a (and by this file) comes through
 * __wrap_*; allocations libc makes for itself (fopen, open_memstream's
 * buffer) do not, and a free of a block we never saw is passed through
 * untracked. Runs from the repository root. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, strdup */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#ifdef ALLOCFAIL_DEBUG
#include <execinfo.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine.h"
#include "scenario.h"
#include "trace.h"

/* ---- the wrapped allocator ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

static unsigned long alloc_count; /* allocations attempted since arm() */
static unsigned long fail_at;     /* fail this one (1-based); 0: never */
static bool failed_one;           /* the failure was injected */

/* Live blocks: an open-addressing set of pointers (never allocates through
 * the wrappers: a fixed table is plenty for these scenarios). */
#define LIVE_CAP (1u << 20)
static void **live;
static size_t nlive;

static size_t slot_of(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 44) & (LIVE_CAP - 1);
}

static void live_add(void *p)
{
    if (!p) return;
    if (!live) live = __real_calloc(LIVE_CAP, sizeof *live);
    if (nlive >= LIVE_CAP / 2) abort(); /* the table is for small scenarios */
    size_t i = slot_of(p);
    while (live[i] != NULL && live[i] != (void *)1) i = (i + 1) & (LIVE_CAP - 1);
    live[i] = p;
    nlive++;
}

/* Removes p; false if it was not a block we handed out. */
static bool live_del(void *p)
{
    if (!p || !live) return false;
    for (size_t i = slot_of(p);; i = (i + 1) & (LIVE_CAP - 1)) {
        if (live[i] == NULL) return false;
        if (live[i] == p) {
            live[i] = (void *)1; /* tombstone */
            nlive--;
            return true;
        }
    }
}

static void live_reset(void)
{
    if (live) memset(live, 0, LIVE_CAP * sizeof *live);
    nlive = 0;
}

/* Should this allocation fail? */
static bool inject(void)
{
    alloc_count++;
    if (fail_at != 0 && alloc_count == fail_at) {
        failed_one = true;
#ifdef ALLOCFAIL_DEBUG
        { void *bt[8]; int k = backtrace(bt, 8); fprintf(stderr, "-- fail %lu\n", fail_at); backtrace_symbols_fd(bt, k, 2); }
#endif
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n)
{
    if (inject()) return NULL;
    void *p = __real_malloc(n);
    live_add(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (inject()) return NULL;
    void *p = __real_calloc(n, size);
    live_add(p);
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    if (inject()) return NULL; /* old stays valid, as realloc promises */
    void *p = __real_realloc(old, n);
    if (p || n == 0) live_del(old);
    live_add(p);
    return p;
}

char *__wrap_strdup(const char *s)
{
    if (inject()) return NULL;
    char *p = __real_strdup(s);
    live_add(p);
    return p;
}

void __wrap_free(void *p)
{
    live_del(p); /* false for libc's own blocks (open_memstream): not ours to count */
    __real_free(p);
}

/* ---- one attempt ---- */

typedef enum outcome {
    OUT_COMPLETE,    /* no allocation failed: everything ran to the end */
    OUT_LOAD,        /* the load failed with "out of memory" */
    OUT_ENGINE,      /* ps_engine_new returned NULL */
    OUT_RUN_NOMEM,   /* the traced run ended PS_RUN_NOMEM */
    OUT_CHECK_NOMEM, /* ps_check_run reported "out of memory" */
    OUT_SILENT,      /* an allocation failed and nobody said so: a bug */
} outcome;

static const char *outcome_name[] = { "complete", "load: out of memory", "engine_new: NULL",
                                      "run: PS_RUN_NOMEM", "check: out of memory",
                                      "SILENT (failure swallowed)" };

static bool contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; s && i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0) return true;
    return false;
}

/* Loads path, runs it with a JSONL and a text trace, then as `portsim check`
 * does, with allocation number n failing (0: none). Frees everything. */
static outcome attempt(const char *path, unsigned long n, unsigned long *allocs)
{
    /* libc's own streams, opened before arming (their buffers are not ours) */
    FILE *null = fopen("/dev/null", "w");
    char *rep = NULL;
    size_t replen = 0;
    FILE *report = open_memstream(&rep, &replen);
    assert_non_null(null);
    assert_non_null(report);

    live_reset();
    alloc_count = 0;
    failed_one = false;
    fail_at = n;
    outcome out = OUT_COMPLETE;

    ps_diag d;
    ps_scenario *sc = ps_scenario_load(path, &d);
    if (!sc) {
        char buf[1024];
        ps_diag_format(&d, buf, sizeof buf);
        if (!failed_one) fail_msg("%s did not load: %s", path, buf);
        if (strstr(d.message, "out of memory") == NULL)
            fail_msg("allocation %lu: load failed with '%s', not 'out of memory'", n, buf);
        out = OUT_LOAD;
        goto done;
    }
    ps_engine *e = ps_engine_new(sc, sc->seed);
    if (!e) {
        if (!failed_one) fail_msg("ps_engine_new returned NULL with memory to spare");
        out = OUT_ENGINE;
    } else {
        ps_trace jsonl;
        ps_trace_init(&jsonl, null, PS_TRACE_JSONL, sc, sc->seed);
        ps_engine_set_sink(e, ps_trace_event, &jsonl);
        ps_engine_run(e);
        ps_run_status st = ps_engine_status(e);
        assert_int_not_equal(st, PS_RUN_LIMIT);
        if (st == PS_RUN_NOMEM) {
            if (!failed_one) fail_msg("PS_RUN_NOMEM with memory to spare");
            out = OUT_RUN_NOMEM;
        } else if (failed_one) {
            out = OUT_SILENT; /* the run went on as if nothing had happened */
        }
        ps_engine_free(e);
    }
    if (out == OUT_COMPLETE) {
        bool before = failed_one;
        ps_check_counts c = { 0, 0 };
        ps_trace_capture cap;
        ps_check_run(sc, sc->seed, PS_DEFAULT_MAX_STEPS, report, &c, &cap);
        fflush(report);
        bool said = contains(rep, replen, "out of memory");
        if (failed_one && !before) {
            /* The failure came during the check: it must show. */
            out = said && c.failed > 0 ? OUT_CHECK_NOMEM : OUT_SILENT;
        } else if (!failed_one) {
            if (c.failed != 0 || cap.text == NULL)
                fail_msg("%s: the check failed without any allocation failing:\n%.*s", path,
                         (int)replen, rep ? rep : "");
        }
        ps_trace_capture_free(&cap);
    } else if (out != OUT_SILENT && !failed_one) {
        fail_msg("an error without an injected failure");
    }
    /* An injected failure that the engine absorbed without a word (e.g. a
     * trace or shell line lost) shows as OUT_SILENT above. */
    ps_scenario_free(sc);
done:
    fail_at = 0;
    *allocs = alloc_count;
    fclose(report);
    free(rep);
    fclose(null);
    if (nlive != 0) fail_msg("allocation %lu of %s (%s): %zu block(s) leaked", n, path,
                             outcome_name[out], nlive);
    return out;
}

/* Every N, for one scenario; prints a summary line. */
static void every_failure(const char *path)
{
    unsigned long total = 0, counts[6] = { 0 }, silent_first = 0;
    unsigned long baseline;
    assert_int_equal(attempt(path, 0, &baseline), OUT_COMPLETE);
    for (unsigned long n = 1;; n++) {
        unsigned long made;
        outcome o = attempt(path, n, &made);
        if (o == OUT_COMPLETE) {
            assert_true(made < n); /* ran to the end: allocation n never came */
            break;
        }
        counts[o]++;
        total++;
        if (o == OUT_SILENT) {
            print_message("%s: allocation %lu failed silently\n", path, n);
            if (silent_first == 0) silent_first = n;
        }
    }
    print_message("%s: %lu allocations in a full pass; %lu failures injected: "
                  "%lu at load, %lu in engine_new, %lu PS_RUN_NOMEM, %lu check reports, %lu silent\n",
                  path, baseline, total, counts[OUT_LOAD], counts[OUT_ENGINE],
                  counts[OUT_RUN_NOMEM], counts[OUT_CHECK_NOMEM], counts[OUT_SILENT]);
    assert_int_equal(total, baseline);
    if (silent_first)
        fail_msg("%s: allocation %lu failed and nothing reported it", path, silent_first);
}

static void test_two_tabs(void **state)
{
    (void)state;
    every_failure("scenarios/two-tabs.scn");
}

static void test_port_exhaustion(void **state)
{
    (void)state;
    every_failure("scenarios/port-exhaustion.scn");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_tabs),
        cmocka_unit_test(test_port_exhaustion),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    __real_free(live);
    return rc;
}
