/* check.h — judging a run: a teacher's `expect` lines, evaluated at their
 * times against engine state, and the comparison of a run's text trace with
 * the golden trace stored beside the scenario.
 *
 * Pure functions over an engine or over byte buffers; file reading and
 * printing of summaries belong to the command line (cli/cli.c). */
#ifndef PS_CHECK_H
#define PS_CHECK_H

#include "engine_ops.h"
#include "report.h"
#include "sbuf.h"

/* Evaluates one expectation against the engine's current state. Returns
 * true if it holds; either way writes what was found into got (e.g.
 * "tab2 is syn-sent"). */
bool ps_expect_eval(ps_engine *e, const ps_expect *x, char *got, size_t got_size);

typedef struct ps_check_counts {
    uint32_t passed;
    uint32_t failed;
    ps_report *cases; /* NULL, or where every check is recorded as a case (JUnit, TAP) */
} ps_check_counts;

/* Counts one check of the scenario file `suite` and, when c->cases is set,
 * records it: its name, the line that made it (file NULL: none) and what
 * went wrong (failure NULL: it passed). Counts and cases agree by
 * construction. */
void ps_check_tally(ps_check_counts *c, const char *suite, const char *name, const char *file,
                    uint32_t line, const char *failure);

/* Golden traces longer than this are stored as a digest line instead. */
#define PS_GOLDEN_DIGEST_OVER (256u * 1024u)

/* A run's text trace as a check keeps it: the first bytes (enough for any
 * golden trace kept as text) and a running digest of all of it, so memory
 * stays bounded however long the run is. */
typedef struct ps_trace_capture {
    char *text;       /* the first `kept` bytes, NUL-terminated; malloc'd */
    size_t kept;      /* at most PS_GOLDEN_DIGEST_OVER + 1 */
    size_t bytes;     /* bytes written in all */
    size_t lines;     /* lines written in all */
    uint64_t digest;  /* FNV-1a (64-bit) of every byte */
    bool nomem;       /* memory ran out while keeping the text */
    bool incomplete;  /* the run stopped early (limit, memory): not a whole trace */
} ps_trace_capture;

/* Starts a capture; false if memory runs out (cap->nomem is then set). */
bool ps_trace_capture_open(ps_trace_capture *cap);
/* A trace writer (trace.h) whose ctx is a ps_trace_capture. */
void ps_trace_capture_write(void *cap, const char *bytes, size_t n);
void ps_trace_capture_free(ps_trace_capture *c);

/* Runs sc with seed to the end (at most max_steps queue steps), evaluating
 * every expectation at its time (untimed ones at the end), answering every
 * question (quiz.h: it passes when the run answers it, and when it offers
 * choices exactly one is right) and capturing the text trace into *cap.
 * Each failed expectation is appended to `report` as "file:line:col: expect
 * failed: ...", each failed question as "file:line:col: question ID failed: ...". A run that stops early (step limit,
 * memory, socket limit) counts as one more failure. */
void ps_check_run(const ps_scenario *sc, uint64_t seed, uint64_t max_steps, ps_sbuf *report,
                  ps_check_counts *counts, ps_trace_capture *cap);

/* The golden file's contents for a captured trace: the trace itself, or for
 * a long one a single line "# portsim trace digest fnv1a64=HEX lines=N
 * bytes=N". Returns a malloc'd string, or NULL if memory runs out. */
char *ps_golden_for(const ps_trace_capture *cap);

/* Compares a captured trace with a golden file's contents. Returns 0 if
 * they agree, else the 1-based number of the first differing line, with
 * both lines copied (truncated) into want_line / got_line ("<end of file>"
 * when one side is shorter). A digest golden is compared by digest; a long
 * trace against a long text golden, line by line as far as it was kept and
 * by digest after that. */
size_t ps_golden_compare(const char *golden, size_t glen, const ps_trace_capture *cap,
                         char *want_line, char *got_line, size_t line_size);

#endif
