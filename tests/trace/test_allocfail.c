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
 * __wrap_*; allocations libc makes for itself (fopen's buffer) do not,
 * and a free of a block we never saw is passed through untracked. Runs from
 * the repository root. */
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
#include "shell.h"
#include "engine_ops.h"
#include "load.h"
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
    live_del(p); /* false for libc's own blocks: not ours to count */
    __real_free(p);
}

/* ---- one attempt ---- */

typedef enum outcome {
    OUT_COMPLETE,    /* no allocation failed: everything ran to the end */
    OUT_LOAD,        /* the load failed with "out of memory" */
    OUT_ENGINE,      /* ps_engine_new returned NULL */
    OUT_RUN_NOMEM,   /* the traced run ended PS_RUN_NOMEM */
    OUT_CHECK_NOMEM, /* ps_check_run reported "out of memory" */
    OUT_TRACE_NOMEM, /* the trace formatter lost a line and said so */
    OUT_SILENT,      /* an allocation failed and nobody said so: a bug */
    OUT_KINDS
} outcome;

static const char *outcome_name[OUT_KINDS] = { "complete", "load: out of memory", "engine_new: NULL",
                                               "run: PS_RUN_NOMEM", "check: out of memory",
                                               "trace: out of memory", "SILENT (failure swallowed)" };

/* A trace writer that drops the bytes (the formatting still allocates). */
static void discard(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    (void)bytes;
    (void)n;
}

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
    /* The report's room is made before arming, so an injected failure can
     * never be hidden by the report itself failing to grow. */
    ps_sbuf report = { 0 };
    report.cap = 1u << 16;
    report.s = __real_calloc(1, report.cap);
    assert_non_null(report.s);

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
        ps_trace_init(&jsonl, PS_TRACE_JSONL, sc, sc->seed, discard, NULL);
        ps_engine_set_sink(e, ps_trace_event, &jsonl);
        ps_shell_attach(e);
        ps_engine_run(e);
        ps_run_status st = ps_engine_status(e);
        assert_int_not_equal(st, PS_RUN_LIMIT);
        if (st == PS_RUN_NOMEM) {
            if (!failed_one) fail_msg("PS_RUN_NOMEM with memory to spare");
            out = OUT_RUN_NOMEM;
        } else if (jsonl.nomem) {
            if (!failed_one) fail_msg("a trace line lost with memory to spare");
            out = OUT_TRACE_NOMEM; /* `portsim run` reports it and exits 1 */
        } else if (failed_one) {
            out = OUT_SILENT; /* the run went on as if nothing had happened */
        }
        ps_trace_free(&jsonl);
        ps_engine_free(e);
    }
    if (out == OUT_COMPLETE) {
        bool before = failed_one;
        ps_check_counts c = { 0, 0, NULL };
        ps_trace_capture cap;
        ps_check_run(sc, sc->seed, PS_DEFAULT_MAX_STEPS, &report, &c, &cap);
        assert_false(report.failed);
        bool said = contains(report.s, report.len, "out of memory");
        if (failed_one && !before) {
            /* The failure came during the check: it must show. */
            out = said && c.failed > 0 ? OUT_CHECK_NOMEM : OUT_SILENT;
        } else if (!failed_one) {
            if (c.failed != 0 || cap.text == NULL)
                fail_msg("%s: the check failed without any allocation failing:\n%s", path, report.s);
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
    __real_free(report.s);
    if (nlive != 0) fail_msg("allocation %lu of %s (%s): %zu block(s) leaked", n, path,
                             outcome_name[out], nlive);
    return out;
}

/* Every N, for one scenario; prints a summary line. */
static void every_failure(const char *path)
{
    unsigned long total = 0, counts[OUT_KINDS] = { 0 }, silent_first = 0;
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
                  "%lu at load, %lu in engine_new, %lu PS_RUN_NOMEM, %lu check reports, "
                  "%lu trace reports, %lu silent\n",
                  path, baseline, total, counts[OUT_LOAD], counts[OUT_ENGINE],
                  counts[OUT_RUN_NOMEM], counts[OUT_CHECK_NOMEM], counts[OUT_TRACE_NOMEM],
                  counts[OUT_SILENT]);
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

/* Shell actions (node, lsof, kill) allocate as they run: out of memory there
 * stops the run, it is never printed into the trace as the shell's words. */
static void test_port_conflict_shell(void **state)
{
    (void)state;
    every_failure("scenarios/port-conflict.scn");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_tabs),
        cmocka_unit_test(test_port_exhaustion),
        cmocka_unit_test(test_port_conflict_shell),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* Frees after this (libc's, cmocka's at exit) must not touch the table. */
    __real_free(live);
    live = NULL;
    nlive = 0;
    return rc;
}
