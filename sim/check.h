/* check.h — judging a run: a teacher's `expect` lines, evaluated at their
 * times against engine state, and the comparison of a run's text trace with
 * the golden trace stored beside the scenario.
 *
 * Pure functions over an engine or over byte buffers; file reading and
 * printing of summaries belong to the command line (render/cli.c). */
#ifndef PS_CHECK_H
#define PS_CHECK_H

#include <stdio.h>

#include "engine.h"

/* Evaluates one expectation against the engine's current state. Returns
 * true if it holds; either way writes what was found into got (e.g.
 * "tab2 is syn-sent"). */
bool ps_expect_eval(const ps_engine *e, const ps_expect *x, char *got, size_t got_size);

typedef struct ps_check_counts {
    uint32_t passed;
    uint32_t failed;
} ps_check_counts;

/* Runs sc with seed to the end, evaluating every expectation at its time
 * (untimed ones at the end) and capturing the text trace. Each failed
 * expectation is reported on `report` as "file:line:col: expect failed: ...".
 * A run stopped by the step limit or by lack of memory counts as one more
 * failure. *trace receives the malloc'd trace (NUL-terminated), or NULL if
 * memory ran out. */
void ps_check_run(const ps_scenario *sc, uint64_t seed, FILE *report, ps_check_counts *counts,
                  char **trace, size_t *trace_len);

/* Golden traces longer than this are stored as a digest line instead. */
#define PS_GOLDEN_DIGEST_OVER (256u * 1024u)

/* The golden file's contents for a trace: the trace itself, or for a long
 * one a single line "# portsim trace digest fnv1a64=HEX lines=N bytes=N".
 * Returns a malloc'd string, or NULL if memory runs out. */
char *ps_golden_for(const char *trace, size_t len);

/* Compares a run's trace with a golden file's contents. Returns 0 if they
 * agree, else the 1-based number of the first differing line, with both
 * lines copied (truncated) into want_line / got_line ("<end of file>" when
 * one side is shorter). A digest golden is compared by digest. */
size_t ps_golden_compare(const char *golden, size_t glen, const char *trace, size_t tlen,
                         char *want_line, char *got_line, size_t line_size);

#endif
