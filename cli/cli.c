/* cli.c — `portsim run` and `portsim check` (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "file.h"
#include "pcap.h"
#include "report.h"
#include "shell.h"
#include "suggest.h"
#include "trace.h"
#include "units.h"

/* A decimal number from 0 to UINT64_MAX (the range a scenario's `seed`
 * takes), nothing else. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s) return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int ps_cli_stdout_done(int rc, const char *what)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "portsim: cannot write %s: %s\n", what, strerror(errno ? errno : EIO));
        return PS_EXIT_OUTPUT;
    }
    return rc;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "portsim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'portsim %s --help'.\n", cmd);
    va_end(ap);
    return PS_EXIT_USAGE;
}

/* An option argument no branch took: a known option without its value, or
 * an unknown one (with the nearest known one, "--formt" -> "--format"). */
static int bad_option(const char *cmd, const char *arg, const char *const *opts, size_t n)
{
    size_t len = strcspn(arg, "=");
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i]) == len && strncmp(opts[i], arg, len) == 0)
            return usage_error(cmd, "option '%s' needs a value", opts[i]);
    char hint[96];
    return usage_error(cmd, "unknown option '%s'%s", arg, ps_suggest_hint(arg, len, opts, n, hint, sizeof hint));
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

/* The step limit: "--max-steps N", or its deprecated alias "--max-events N"
 * (same meaning: the name was misleading, since one queue step can emit
 * several events). *name: the spelling used, for messages. */
static const char *max_steps_value(int argc, char **argv, int *i, const char **name)
{
    const char *v;
    if ((v = opt_value(argc, argv, i, "--max-steps"))) *name = "--max-steps";
    else if ((v = opt_value(argc, argv, i, "--max-events"))) *name = "--max-events";
    return v;
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
            fprintf(stderr, "\rportsim: %llu queue steps, simulated time %s ms ...",
                    (unsigned long long)ps_engine_steps(e), ps_time_ms(ps_engine_now(e), 0, tb));
            shown = true;
        }
    }
    if (until != PS_TIME_NEVER) ps_engine_run_until(e, until); /* sets the clock to `until` */
    if (shown) fputs("\r\033[K", stderr);
}

ps_run_opts ps_run_opts_default(void)
{
    return (ps_run_opts){ .format = PS_TRACE_TEXT, .until = PS_TIME_NEVER, .max_steps = PS_DEFAULT_MAX_STEPS,
                          .max_work = PS_DEFAULT_MAX_WORK };
}

int ps_cli_trace(const char *file, const ps_run_opts *o)
{
    ps_scenario *sc = ps_scenario_load_or_report(file);
    if (!sc) return PS_EXIT_USAGE;
    char perr[512];
    ps_pcap pc;
    if (o->pcap && !ps_pcap_open(&pc, o->pcap, perr, sizeof perr)) {
        fprintf(stderr, "portsim: %s\n", perr);
        ps_scenario_free(sc);
        return PS_EXIT_FAILED;
    }
    if (o->pcap) pc.sc = sc;
    uint64_t seed = o->seed_set ? o->seed : sc->seed;
    ps_engine *e = ps_engine_new(sc, seed);
    if (!e) {
        fprintf(stderr, "portsim: out of memory\n");
        if (o->pcap) ps_pcap_close(&pc, NULL, 0);
        ps_scenario_free(sc);
        return PS_EXIT_FAILED;
    }
    ps_shell_attach(e);
    ps_trace tr;
    ps_trace_init(&tr, o->format, sc, seed, ps_trace_to_file, stdout);
    /* The text or JSON trace, and the capture when --pcap asks for one. */
    ps_sink_tee tee = { { ps_trace_event, o->pcap ? ps_pcap_event : NULL }, { &tr, &pc } };
    ps_engine_set_sink(e, ps_sink_tee_event, &tee);
    ps_engine_set_max_steps(e, o->max_steps);
    ps_engine_set_max_work(e, o->max_work);
    run_with_progress(e, o->until);
    int rc = PS_EXIT_OK;
    if (ps_engine_status(e) != PS_RUN_OK) {
        fprintf(stderr, "%s: error: stopped after %llu queue steps: %s\n", sc->file,
                (unsigned long long)ps_engine_steps(e), ps_run_status_message(ps_engine_status(e)));
        rc = PS_EXIT_FAILED;
    }
    if (tr.nomem) {
        fprintf(stderr, "%s: error: out of memory while writing the trace\n", sc->file);
        rc = PS_EXIT_FAILED;
    }
    ps_trace_free(&tr);
    ps_engine_free(e);
    if (o->pcap && !ps_pcap_close(&pc, perr, sizeof perr)) {
        fprintf(stderr, "portsim: %s\n", perr);
        rc = PS_EXIT_OUTPUT;
    }
    ps_scenario_free(sc);
    return ps_cli_stdout_done(rc, "the trace");
}

int ps_cmd_run(int argc, char **argv)
{
    static const char *const opts[] = { "--format",    "--seed",     "--until", "--max-steps",
                                        "--max-events", "--max-work", "--pcap",  "--help" };
    const char *file = NULL;
    ps_run_opts o = ps_run_opts_default();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v, *name;
        if ((v = opt_value(argc, argv, &i, "--format"))) {
            if (!ps_trace_format_parse(v, &o.format))
                return usage_error("run", "unknown format '%s' (expected text, jsonl or none)", v);
        } else if ((v = opt_value(argc, argv, &i, "--seed"))) {
            if (!parse_u64(v, &o.seed)) return usage_error("run", "bad seed '%s' (expected a number)", v);
            o.seed_set = true;
        } else if ((v = opt_value(argc, argv, &i, "--until"))) {
            if (!ps_time_parse(v, strlen(v), &o.until))
                return usage_error("run", "bad time '%s': " PS_TIME_EXPECTED, v);
        } else if ((v = max_steps_value(argc, argv, &i, &name))) {
            if (!parse_u64(v, &o.max_steps) || o.max_steps == 0)
                return usage_error("run", "bad %s '%s' (expected a positive number)", name, v);
        } else if ((v = opt_value(argc, argv, &i, "--max-work"))) {
            if (!parse_u64(v, &o.max_work) || o.max_work == 0)
                return usage_error("run", "bad --max-work '%s' (expected a positive number)", v);
        } else if ((v = opt_value(argc, argv, &i, "--pcap"))) {
            if (!*v) return usage_error("run", "%s", "--pcap needs a file name");
            o.pcap = v;
        } else if (a[0] == '-' && a[1]) {
            return bad_option("run", a, opts, sizeof opts / sizeof opts[0]);
        } else if (file) {
            return usage_error("run", "one scenario at a time (got '%s' too)", a);
        } else {
            file = a;
        }
    }
    if (!file) return usage_error("run", "%s", "missing scenario file");
    return ps_cli_trace(file, &o);
}

/* "dir/name.scn" -> "dir/name.trace" (malloc'd); NULL for standard input,
 * which has no golden trace beside it. */
static char *golden_path(const char *file)
{
    if (strcmp(file, "-") == 0) return NULL;
    size_t n = strlen(file);
    if (n > 4 && strcmp(file + n - 4, ".scn") == 0) n -= 4;
    char *p = malloc(n + 7);
    if (p) {
        memcpy(p, file, n);
        strcpy(p + n, ".trace");
    }
    return p;
}

/* Loads file for a check; with `against`, its expects become the task's
 * (named against it). On failure prints the diagnostic on stderr, copies it
 * into why and returns NULL. */
static ps_scenario *load_for_check(const char *file, const char *against, char *why, size_t n)
{
    ps_diag d;
    ps_scenario *sc = ps_scenario_load(file, &d);
    if (sc && against) {
        size_t len = 0;
        char *text = ps_scenario_source(against, &len, &d);
        if (!text || !ps_scenario_adopt_expects(sc, text, len, against, &d)) {
            ps_scenario_free(sc);
            sc = NULL;
        }
        free(text);
    }
    if (!sc) fprintf(stderr, "%s\n", ps_diag_format(&d, why, n));
    return sc;
}

/* Where check's human report goes: stdout, or stderr when stdout is TAP. */
typedef struct check_opts {
    const char *against;  /* --against TASK, or NULL */
    bool update;          /* --update */
    uint64_t max_steps;
    FILE *out;
} check_opts;

/* Checks one file, against its own expects or, with --against, a task's;
 * adds to total (and to total->cases). Returns the file's exit status: OK
 * (its checks may still have failed: they are counted), USAGE when it does
 * not load or its golden trace cannot be read, OUTPUT when --update could
 * not write. A file checked against a task is not compared with its golden
 * trace: the task judges it. */
static int check_file(const char *file, const check_opts *o, ps_check_counts *total)
{
    FILE *out = o->out;
    const char *name = ps_scenario_name(file); /* "<stdin>" for "-" */
    char why[1200]; /* room for both 512-byte lines of a golden difference */
    ps_scenario *sc = load_for_check(file, o->against, why, sizeof why);
    if (!sc) {
        ps_check_tally(total, file, "load", NULL, 0, why);
        fprintf(out, "FAIL %s: does not load\n", name);
        return PS_EXIT_USAGE;
    }
    int rc = PS_EXIT_OK;
    ps_check_counts c = { 0, 0, total->cases };
    ps_trace_capture cap;
    ps_sbuf report = { 0 };
    ps_check_run(sc, sc->seed, o->max_steps, &report, &c, &cap);
    if (report.len) fputs(report.s, out);
    bool stopped_early = cap.incomplete;
    ps_sbuf_free(&report);
    char *gpath = o->against ? NULL : golden_path(file);
    const char *golden_note = o->against ? "checked against the task" : "no golden trace";
    if (cap.text && gpath && o->update && stopped_early) {
        /* A trace cut short is not a lesson's trace: keep the good one. */
        snprintf(why, sizeof why, "not rewriting %s: the run stopped early", gpath);
        fprintf(out, "%s: error: %s\n", name, why);
        golden_note = "golden trace kept";
        ps_check_tally(&c, file, "golden trace", gpath, 0, why);
    } else if (cap.text && gpath && o->update) {
        char *content = ps_golden_for(&cap);
        int err = content ? ps_file_write(gpath, content, strlen(content)) : ENOMEM;
        if (err == 0) {
            golden_note = "golden trace written";
        } else {
            snprintf(why, sizeof why, "cannot write %s: %s", gpath, ps_file_strerror(err));
            fprintf(out, "%s: error: %s\n", name, why);
            rc = PS_EXIT_OUTPUT;
        }
        ps_check_tally(&c, file, "golden trace", gpath, 0, err ? why : NULL);
        free(content);
    } else if (cap.text && gpath) {
        size_t glen = 0;
        char *golden = NULL;
        int err = ps_file_read(gpath, PS_MAX_FILE_BYTES, &golden, &glen);
        if (err == 0) {
            char want[512], got[512];
            size_t line = ps_golden_compare(golden, glen, &cap, want, got, sizeof want);
            if (line == 0) {
                golden_note = "golden trace matches";
            } else {
                golden_note = "golden trace differs";
                fprintf(out, "%s:%zu: trace differs from the golden trace\n  golden: %s\n  run:    %s\n",
                        gpath, line, want, got);
                snprintf(why, sizeof why, "trace differs from the golden trace\n  golden: %s\n  run:    %s",
                         want, got);
            }
            ps_check_tally(&c, file, "golden trace", gpath, (uint32_t)line, line ? why : NULL);
            free(golden);
        } else if (err != ENOENT) {
            /* There is one, and it cannot be read: never a pass. */
            snprintf(why, sizeof why, "cannot read the golden trace %s: %s", gpath, ps_file_strerror(err));
            fprintf(out, "%s: error: %s\n", name, why);
            golden_note = "golden trace unreadable";
            ps_check_tally(&c, file, "golden trace", gpath, 0, why);
            rc = PS_EXIT_USAGE;
        }
    }
    char questions[32] = "";
    if (sc->nquestions)
        snprintf(questions, sizeof questions, ", %u question%s", sc->nquestions,
                 sc->nquestions == 1 ? "" : "s");
    fprintf(out, "%s %s: %u expect%s%s, %s\n", c.failed ? "FAIL" : "ok  ", name,
            sc->nexpects, sc->nexpects == 1 ? "" : "s", questions, golden_note);
    total->passed += c.passed;
    total->failed += c.failed;
    free(gpath);
    ps_trace_capture_free(&cap);
    ps_scenario_free(sc);
    return rc;
}

int ps_cli_reports(const ps_report *r, const char *junit, const char *name, bool tap, int rc)
{
    if (tap) ps_report_write_tap(r, stdout);
    int err = junit ? ps_report_write_junit(r, junit, name) : 0;
    if (err) {
        fprintf(stderr, "portsim: cannot write %s: %s\n", junit, ps_file_strerror(err));
        return PS_EXIT_OUTPUT;
    }
    return rc;
}

int ps_cmd_check(int argc, char **argv)
{
    static const char *const opts[] = { "--update", "--max-steps", "--max-events", "--against", "--junit",
                                        "--tap", "--help" };
    check_opts o = { NULL, false, PS_DEFAULT_MAX_STEPS, stdout };
    const char *junit = NULL;
    const char **files = malloc((size_t)argc * sizeof *files);
    int nfiles = 0;
    if (!files) {
        fprintf(stderr, "portsim: out of memory\n");
        return PS_EXIT_FAILED;
    }
    for (int i = 1; i < argc; i++) {
        const char *v, *name;
        if (strcmp(argv[i], "--update") == 0) {
            o.update = true;
        } else if (strcmp(argv[i], "--tap") == 0) {
            o.out = stderr; /* stdout is the TAP stream */
        } else if ((v = opt_value(argc, argv, &i, "--junit"))) {
            junit = v;
        } else if ((v = opt_value(argc, argv, &i, "--against"))) {
            o.against = v;
        } else if ((v = max_steps_value(argc, argv, &i, &name))) {
            if (!parse_u64(v, &o.max_steps) || o.max_steps == 0) {
                free(files);
                return usage_error("check", "bad %s '%s' (expected a positive number)", name, v);
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(files);
            return bad_option("check", argv[i], opts, sizeof opts / sizeof opts[0]);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        free(files);
        return usage_error("check", "%s", "missing scenario files");
    }
    for (int i = 0; o.update && i < nfiles; i++) {
        if (strcmp(files[i], "-") == 0) {
            free(files);
            return usage_error("check", "%s", "--update needs files: standard input has no golden trace to rewrite");
        }
    }
    if (o.against && o.update) {
        free(files);
        return usage_error("check", "%s", "--update rewrites golden traces; --against has none");
    }
    ps_report cases = { 0 };
    ps_check_counts total = { 0, 0, junit || o.out != stdout ? &cases : NULL };
    int worst = PS_EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        int rc = check_file(files[i], &o, &total);
        if (rc == PS_EXIT_OUTPUT || (rc == PS_EXIT_USAGE && worst != PS_EXIT_OUTPUT)) worst = rc;
    }
    free(files);
    fprintf(o.out, "%u passed, %u failed\n", total.passed, total.failed);
    int rc = worst != PS_EXIT_OK ? worst : total.failed ? PS_EXIT_FAILED : PS_EXIT_OK;
    int reports = ps_cli_reports(&cases, junit, "portsim check", o.out != stdout, rc);
    ps_report_free(&cases);
    return ps_cli_stdout_done(reports == PS_EXIT_OUTPUT ? reports : rc, "the report");
}
