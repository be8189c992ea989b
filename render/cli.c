/* cli.c — `portsim run` and `portsim check` (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "pcap.h"
#include "trace.h"
#include "units.h"

ps_scenario *ps_cli_load(const char *path)
{
    ps_diag d;
    ps_scenario *sc = path ? ps_scenario_load(path, &d)
                           : ps_scenario_parse(ps_builtin_two_tabs, strlen(ps_builtin_two_tabs),
                                               "<built-in two-tabs>", &d);
    if (!sc) {
        char buf[1024];
        fprintf(stderr, "%s\n", ps_diag_format(&d, buf, sizeof buf));
    }
    return sc;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s) return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "portsim %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'portsim --help'.\n");
    return PS_EXIT_USAGE;
}

/* The option's value: "--opt=V" or "--opt V". NULL if missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc) return argv[++*i];
    return NULL;
}

/* Runs e to `until` (PS_TIME_NEVER: to the end). On a terminal, a run that
 * takes more than a second shows how far it has come, on stderr so traces
 * stay clean; wall-clock time is read here only, never by the engine. */
static void run_with_progress(ps_engine *e, ps_time until)
{
    bool tty = isatty(STDERR_FILENO);
    time_t start = time(NULL);
    bool shown = false;
    while (ps_engine_next_time(e) <= until && ps_engine_step(e)) {
        if (tty && (ps_engine_steps(e) & 0xfffff) == 0 && time(NULL) - start >= 1) {
            char tb[32];
            fprintf(stderr, "\rportsim: %llu events, simulated time %s ms ...",
                    (unsigned long long)ps_engine_steps(e), ps_time_ms(ps_engine_now(e), 0, tb));
            shown = true;
        }
    }
    if (until != PS_TIME_NEVER) ps_engine_run_until(e, until); /* sets the clock to `until` */
    if (shown) fputs("\r\033[K", stderr);
}

int ps_cli_trace(const char *file, const ps_run_opts *o)
{
    ps_scenario *sc = ps_cli_load(file);
    if (!sc) return PS_EXIT_USAGE;
    char perr[512];
    ps_pcap pc;
    if (o->pcap && !ps_pcap_open(&pc, o->pcap, perr, sizeof perr)) {
        fprintf(stderr, "portsim: %s\n", perr);
        ps_scenario_free(sc);
        return PS_EXIT_FAILED;
    }
    uint64_t seed = o->seed_set ? o->seed : sc->seed;
    ps_engine *e = ps_engine_new(sc, seed);
    if (!e) {
        fprintf(stderr, "portsim: out of memory\n");
        if (o->pcap) ps_pcap_close(&pc, NULL, 0);
        ps_scenario_free(sc);
        return PS_EXIT_FAILED;
    }
    ps_trace tr;
    ps_trace_init(&tr, stdout, o->format, sc, seed);
    /* The text or JSON trace, and the capture when --pcap asks for one. */
    ps_sink_tee tee = { { ps_trace_event, o->pcap ? ps_pcap_event : NULL }, { &tr, &pc } };
    ps_engine_set_sink(e, ps_sink_tee_event, &tee);
    ps_engine_set_max_steps(e, o->max_events);
    run_with_progress(e, o->until);
    int rc = PS_EXIT_OK;
    if (ps_engine_status(e) != PS_RUN_OK) {
        fprintf(stderr, "%s: error: stopped after %llu events: %s\n", sc->file,
                (unsigned long long)ps_engine_steps(e), ps_run_status_message(ps_engine_status(e)));
        rc = PS_EXIT_FAILED;
    }
    ps_engine_free(e);
    if (o->pcap && !ps_pcap_close(&pc, perr, sizeof perr)) {
        fprintf(stderr, "portsim: %s\n", perr);
        rc = PS_EXIT_FAILED;
    }
    ps_scenario_free(sc);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "portsim: writing the trace failed: %s\n", strerror(errno));
        rc = PS_EXIT_FAILED;
    }
    return rc;
}

int ps_cmd_run(int argc, char **argv)
{
    const char *file = NULL;
    ps_run_opts o = { PS_TRACE_TEXT, 0, false, PS_TIME_NEVER, PS_DEFAULT_MAX_STEPS, NULL };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if ((v = opt_value(argc, argv, &i, "--format"))) {
            if (!ps_trace_format_parse(v, &o.format))
                return usage_error("run", "unknown format '%s' (expected text, jsonl or none)", v);
        } else if ((v = opt_value(argc, argv, &i, "--seed"))) {
            if (!parse_u64(v, &o.seed)) return usage_error("run", "bad seed '%s' (expected a number)", v);
            o.seed_set = true;
        } else if ((v = opt_value(argc, argv, &i, "--until"))) {
            if (!ps_time_parse(v, strlen(v), &o.until))
                return usage_error("run", "bad time '%s' (expected e.g. 300ms or 1.5s)", v);
        } else if ((v = opt_value(argc, argv, &i, "--max-events"))) {
            if (!parse_u64(v, &o.max_events) || o.max_events == 0)
                return usage_error("run", "bad --max-events '%s' (expected a positive number)", v);
        } else if ((v = opt_value(argc, argv, &i, "--pcap"))) {
            if (!*v) return usage_error("run", "%s", "--pcap needs a file name");
            o.pcap = v;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("run", "unknown or incomplete option '%s'", a);
        } else if (file) {
            return usage_error("run", "one scenario at a time (got '%s' too)", a);
        } else {
            file = a;
        }
    }
    if (!file) return usage_error("run", "%s", "missing scenario file");
    return ps_cli_trace(file, &o);
}

/* "dir/name.scn" -> "dir/name.trace" (malloc'd). */
static char *golden_path(const char *file)
{
    size_t n = strlen(file);
    if (n > 4 && strcmp(file + n - 4, ".scn") == 0) n -= 4;
    char *p = malloc(n + 7);
    if (p) {
        memcpy(p, file, n);
        strcpy(p + n, ".trace");
    }
    return p;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, r;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Checks one file; adds to counts. Returns false on a scenario error. */
static bool check_file(const char *file, bool update, uint64_t max_events, ps_check_counts *total)
{
    ps_scenario *sc = ps_cli_load(file);
    if (!sc) {
        total->failed++;
        printf("FAIL %s: does not load\n", file);
        return false;
    }
    ps_check_counts c = { 0, 0 };
    ps_trace_capture cap;
    ps_check_run(sc, sc->seed, max_events, stdout, &c, &cap);
    char *gpath = golden_path(file);
    const char *golden_note = "no golden trace";
    if (cap.text && gpath) {
        size_t glen;
        char *golden = update ? NULL : read_all(gpath, &glen);
        if (update) {
            char *content = ps_golden_for(&cap);
            FILE *f = content ? fopen(gpath, "wb") : NULL;
            if (f && fputs(content, f) >= 0 && fclose(f) == 0) {
                golden_note = "golden trace written";
                c.passed++;
            } else {
                if (f) fclose(f);
                printf("%s: error: cannot write %s: %s\n", file, gpath, strerror(errno));
                c.failed++;
            }
            free(content);
        } else if (golden) {
            char want[512], got[512];
            size_t line = ps_golden_compare(golden, glen, &cap, want, got, sizeof want);
            if (line == 0) {
                golden_note = "golden trace matches";
                c.passed++;
            } else {
                golden_note = "golden trace differs";
                printf("%s:%zu: trace differs from the golden trace\n  golden: %s\n  run:    %s\n",
                       gpath, line, want, got);
                c.failed++;
            }
            free(golden);
        }
    }
    printf("%s %s: %u expect%s, %s\n", c.failed ? "FAIL" : "ok  ", file,
           sc->nexpects, sc->nexpects == 1 ? "" : "s", golden_note);
    total->passed += c.passed;
    total->failed += c.failed;
    free(gpath);
    ps_trace_capture_free(&cap);
    ps_scenario_free(sc);
    return true;
}

int ps_cmd_check(int argc, char **argv)
{
    bool update = false;
    uint64_t max_events = PS_DEFAULT_MAX_STEPS;
    const char **files = malloc((size_t)argc * sizeof *files);
    int nfiles = 0;
    if (!files) {
        fprintf(stderr, "portsim: out of memory\n");
        return PS_EXIT_FAILED;
    }
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--update") == 0) {
            update = true;
        } else if ((v = opt_value(argc, argv, &i, "--max-events"))) {
            if (!parse_u64(v, &max_events) || max_events == 0) {
                free(files);
                return usage_error("check", "bad --max-events '%s' (expected a positive number)", v);
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(files);
            return usage_error("check", "unknown option '%s'", argv[i]);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        free(files);
        return usage_error("check", "%s", "missing scenario files");
    }
    ps_check_counts total = { 0, 0 };
    bool loaded_all = true;
    for (int i = 0; i < nfiles; i++) loaded_all &= check_file(files[i], update, max_events, &total);
    free(files);
    printf("%u passed, %u failed\n", total.passed, total.failed);
    if (!loaded_all) return PS_EXIT_USAGE;
    return total.failed ? PS_EXIT_FAILED : PS_EXIT_OK;
}
