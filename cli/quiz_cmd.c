/* quiz_cmd.c — `portsim quiz` (quiz_cmd.h). */
#include "quiz_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "file.h"
#include "quiz.h"
#include "shell.h"
#include "suggest.h"
#include "units.h"

typedef struct quiz_opts {
    const char *file;
    const char *answers;  /* --answers: grade this file instead of asking */
    const char *junit;    /* --junit: also write the verdicts as JUnit XML */
    bool tap;             /* --tap: TAP on stdout (with --answers) */
    uint64_t max_steps;
} quiz_opts;

/* A student's reply to one question. */
typedef struct reply {
    const char *text;  /* NULL: not answered */
    size_t len;
    uint32_t line;     /* in the answers file, 0 when typed */
} reply;

static void print_answer(const ps_quiz_answer *a)
{
    if (a->alt[0] && strcmp(a->alt, a->text) != 0) printf("%s (the %s)", a->text, a->alt);
    else printf("%s", a->text);
}

/* Judges one reply (text NULL: none) and counts it as a case. Returns
 * whether it was right; if not, failure says why. */
static bool verdict(const ps_scenario *sc, const ps_question *qn, const ps_quiz_answer *a,
                    const reply *r, ps_check_counts *c, char *failure, size_t n)
{
    bool right = r->text && ps_quiz_grade(qn, a, r->text, r->len);
    if (!a->known) {
        snprintf(failure, n, "the question has no answer: %s", a->why);
    } else if (!r->text) {
        snprintf(failure, n, "not answered");
    } else if (!right) {
        const char *t = r->text;
        size_t len = r->len;
        while (len && (*t == ' ' || *t == '\t')) t++, len--;
        bool alt = a->alt[0] && strcmp(a->alt, a->text) != 0;
        snprintf(failure, n, "answered '%.*s', the answer is %s%s%s%s", (int)(len < 200 ? len : 200),
                 t, a->text, alt ? " (the " : "", alt ? a->alt : "", alt ? ")" : "");
    }
    char name[320];
    snprintf(name, sizeof name, "question %s", qn->id);
    ps_check_tally(c, sc->file, name, sc->file, qn->pos.line, right ? NULL : failure);
    return right;
}

/* ---- asking on the terminal ---- */

static void ask(const ps_question *qn, uint32_t i, uint32_t n)
{
    char tb[32];
    printf("\nQuestion %u of %u (%s), at %s:\n  %s\n", i + 1, n, qn->id, ps_time_str(qn->t, tb),
           qn->text);
    for (uint32_t c = 0; c < qn->nchoices; c++) printf("    %u) %s\n", c + 1, qn->choices[c]);
}

/* Reads answer lines until one is not "?" (which shows the hint). Returns
 * the reply, or text NULL at the end of the input. *buf is getline's. */
static reply read_reply(const ps_question *qn, char **buf, size_t *cap)
{
    for (;;) {
        printf("Your answer%s: ", qn->hint ? " (? for a hint)" : "");
        fflush(stdout);
        ssize_t got = getline(buf, cap, stdin);
        if (got < 0) return (reply){ NULL, 0, 0 };
        size_t len = (size_t)got;
        while (len && ((*buf)[len - 1] == '\n' || (*buf)[len - 1] == '\r')) len--;
        if (!isatty(STDIN_FILENO)) printf("%.*s\n", (int)len, *buf); /* a transcript reads right */
        if (len == 1 && (*buf)[0] == '?') {
            printf("Hint: %s\n", qn->hint ? qn->hint : "no hint for this one.");
            continue;
        }
        return (reply){ *buf, len, 0 };
    }
}

/* Asks every question in time order, playing the trace up to each one
 * (predict), then on to the next (see); counts each as a case. After the
 * end of the input the questions left count as not answered. */
static void ask_all(const ps_scenario *sc, const ps_quiz *q, uint64_t max_steps, ps_check_counts *c,
                    bool *trace_lost)
{
    ps_engine *e = ps_engine_new(sc, sc->seed);
    ps_trace tr;
    ps_trace_init(&tr, PS_TRACE_TEXT, sc, sc->seed, ps_trace_to_file, stdout);
    if (e) {
        ps_engine_set_sink(e, ps_trace_event, &tr);
        ps_shell_attach(e);
        ps_engine_set_max_steps(e, max_steps);
    }
    char *buf = NULL, failure[512];
    size_t cap = 0;
    bool eof = false;
    for (uint32_t i = 0; i < sc->nquestions; i++) {
        const ps_question *qn = &sc->questions[i];
        const ps_quiz_answer *a = &q->answers[i];
        reply r = { NULL, 0, 0 };
        if (!eof) {
            /* The lesson stops before the events at the question's time. */
            while (e && ps_engine_next_time(e) < qn->t && ps_engine_step(e)) {}
            ask(qn, i, sc->nquestions);
            r = read_reply(qn, &buf, &cap);
            if (!r.text) printf("\n(end of input)\n");
            eof = !r.text;
        }
        bool right = verdict(sc, qn, a, &r, c, failure, sizeof failure);
        if (eof) continue;
        if (!a->known) {
            printf("This question has no answer: %s.\n", a->why);
        } else {
            printf(right ? "Right: " : "Not quite: the answer is ");
            print_answer(a);
            printf(".\n");
        }
        if (qn->explain) printf("  %s\n", qn->explain);
    }
    if (e && !eof) ps_engine_run(e);
    free(buf);
    *trace_lost = tr.nomem || !e;
    ps_trace_free(&tr);
    ps_engine_free(e);
}

/* ---- grading an answers file ---- */

/* A question's id and index, for finding questions by id. */
typedef struct by_id {
    const char *id;
    uint32_t q;
} by_id;

static int by_id_order(const void *a, const void *b)
{
    return strcmp(((const by_id *)a)->id, ((const by_id *)b)->id);
}

/* The question with id s[0..len), by binary search over ids sorted by
 * by_id_order; PS_NONE when there is none. */
static uint32_t find_id(const by_id *ids, uint32_t n, const char *s, size_t len)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strncmp(ids[mid].id, s, len);
        if (c == 0 && ids[mid].id[len] != '\0') c = 1;
        if (c == 0) return ids[mid].q;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return PS_NONE;
}

/* Reads "ID ANSWER" lines into replies[question]. Blank lines and lines
 * starting with '#' are skipped. Returns false after printing a
 * "file:line:col: error: ..." message. */
static bool read_answers(const ps_scenario *sc, const char *path, char *text, size_t len, reply *replies)
{
    by_id *ids = malloc(sc->nquestions * sizeof *ids);
    if (!ids) {
        fprintf(stderr, "portsim: out of memory\n");
        return false;
    }
    for (uint32_t i = 0; i < sc->nquestions; i++) ids[i] = (by_id){ sc->questions[i].id, i };
    qsort(ids, sc->nquestions, sizeof *ids, by_id_order);
    bool ok = true;
    uint32_t line = 0;
    for (size_t off = 0; off < len && ok;) {
        char *s = text + off, *nl = memchr(s, '\n', len - off);
        size_t n = nl ? (size_t)(nl - s) : len - off;
        off += n + 1;
        line++;
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
        size_t lead = 0;
        while (lead < n && (s[lead] == ' ' || s[lead] == '\t')) lead++;
        if (lead == n || s[lead] == '#') continue;
        size_t id_end = lead;
        while (id_end < n && s[id_end] != ' ' && s[id_end] != '\t') id_end++;
        uint32_t q = find_id(ids, sc->nquestions, s + lead, id_end - lead);
        if (q == PS_NONE) {
            ps_suggest sg;
            ps_suggest_init(&sg, s + lead, id_end - lead);
            for (uint32_t i = 0; i < sc->nquestions; i++) ps_suggest_add(&sg, sc->questions[i].id);
            const char *near = ps_suggest_best(&sg);
            fprintf(stderr, "%s:%u:%zu: error: no question '%.*s' in %s%s%s%s\n", path, line,
                    lead + 1, (int)(id_end - lead), s + lead, sc->file, near ? " (did you mean '" : "",
                    near ? near : "", near ? "'?)" : "");
            ok = false;
        } else if (replies[q].text) {
            fprintf(stderr, "%s:%u:%zu: error: question '%s' is answered twice (first on line %u)\n",
                    path, line, lead + 1, sc->questions[q].id, replies[q].line);
            ok = false;
        } else {
            replies[q] = (reply){ s + id_end, n - id_end, line };
        }
    }
    free(ids);
    return ok;
}

/* Grades every reply: one line per question on out, one case each. */
static void grade_all(const ps_scenario *sc, const ps_quiz *q, const reply *replies, FILE *out,
                      ps_check_counts *c)
{
    for (uint32_t i = 0; i < sc->nquestions; i++) {
        char failure[512];
        const ps_question *qn = &sc->questions[i];
        if (verdict(sc, qn, &q->answers[i], &replies[i], c, failure, sizeof failure))
            fprintf(out, "ok   %s\n", qn->id);
        else
            fprintf(out, "FAIL %s (%s:%u): %s\n", qn->id, sc->file, qn->pos.line, failure);
    }
}

/* ---- the command ---- */

static int quiz_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "portsim quiz: %s%s%s\nTry 'portsim --help'.\n", msg, arg ? arg : "",
            arg ? "'" : "");
    return PS_EXIT_USAGE;
}

static int parse_opts(int argc, char **argv, quiz_opts *o)
{
    *o = (quiz_opts){ NULL, NULL, NULL, false, PS_DEFAULT_MAX_STEPS };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--answers") == 0 && i + 1 < argc) {
            o->answers = argv[++i];
        } else if (strcmp(a, "--junit") == 0 && i + 1 < argc) {
            o->junit = argv[++i];
        } else if (strcmp(a, "--tap") == 0) {
            o->tap = true;
        } else if (strcmp(a, "--max-steps") == 0 && i + 1 < argc) {
            char *end;
            o->max_steps = strtoull(argv[++i], &end, 10);
            if (*end || o->max_steps == 0 || argv[i][0] < '0' || argv[i][0] > '9')
                return quiz_usage("bad --max-steps '", argv[i]);
        } else if (a[0] == '-' && a[1]) {
            return quiz_usage("unknown or incomplete option '", a);
        } else if (o->file) {
            return quiz_usage("one scenario at a time (got '", a);
        } else {
            o->file = a;
        }
    }
    if (o->tap && !o->answers)
        return quiz_usage("--tap needs --answers: on the terminal, standard output is the quiz", NULL);
    return o->file ? PS_EXIT_OK : quiz_usage("missing scenario file", NULL);
}

/* Computes the answers, then asks sc's questions or grades the answers
 * file; each question is a case in c. Returns an exit status. */
static int quiz(const ps_scenario *sc, const quiz_opts *o, ps_check_counts *c)
{
    char *answers = NULL;
    size_t alen = 0;
    int err = o->answers ? ps_file_read(o->answers, PS_MAX_FILE_BYTES, &answers, &alen) : 0;
    if (err) {
        fprintf(stderr, "%s: error: cannot read the answers: %s\n", o->answers, ps_file_strerror(err));
        return PS_EXIT_USAGE;
    }
    FILE *out = o->tap ? stderr : stdout; /* with --tap, stdout is the TAP stream */
    reply *replies = calloc(sc->nquestions, sizeof *replies);
    ps_quiz q;
    ps_run_status st = PS_RUN_OK;
    if (!replies || !ps_quiz_compute(&q, sc, sc->seed, o->max_steps, &st)) {
        fprintf(stderr, "portsim: out of memory\n");
        free(replies);
        free(answers);
        return PS_EXIT_FAILED;
    }
    int rc = PS_EXIT_OK;
    bool lost = false;
    if (st != PS_RUN_OK) {
        char why[256];
        snprintf(why, sizeof why, "the run stopped early: %s", ps_run_status_message(st));
        fprintf(stderr, "%s: error: %s\n", sc->file, why);
        ps_check_tally(c, sc->file, "run", NULL, 0, why);
    }
    if (o->answers && !read_answers(sc, o->answers, answers, alen, replies)) rc = PS_EXIT_USAGE;
    else if (o->answers) grade_all(sc, &q, replies, out, c);
    else ask_all(sc, &q, o->max_steps, c, &lost);
    if (rc == PS_EXIT_OK) {
        uint32_t right = c->passed;
        fprintf(out, "%s%u of %u right\n", o->answers ? "" : "\nScore: ", right, sc->nquestions);
        fprintf(out, "%u passed, %u failed\n", c->passed, c->failed);
        rc = c->failed || lost ? PS_EXIT_FAILED : PS_EXIT_OK;
    }
    ps_quiz_free(&q);
    free(replies);
    free(answers);
    return rc;
}

int ps_cmd_quiz(int argc, char **argv)
{
    quiz_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc != PS_EXIT_OK) return rc;
    ps_scenario *sc = ps_scenario_load_or_report(o.file);
    if (!sc) return PS_EXIT_USAGE;
    if (sc->nquestions == 0) {
        fprintf(stderr, "%s: error: no questions ('ask' lines) to ask\n", sc->file);
        ps_scenario_free(sc);
        return PS_EXIT_USAGE;
    }
    ps_report cases = { 0 };
    ps_check_counts c = { 0, 0, &cases };
    rc = quiz(sc, &o, &c);
    if (rc != PS_EXIT_USAGE) rc = ps_cli_reports(&cases, o.junit, "portsim quiz", o.tap, rc);
    ps_report_free(&cases);
    ps_scenario_free(sc);
    return ps_cli_stdout_done(rc, "the quiz");
}
