/* report.h — checks as test cases for CI: what `portsim check` and
 * `portsim quiz` judged (expects, questions, golden traces), written as
 * JUnit XML (one testsuite per scenario file, one testcase per check,
 * written atomically through io/file.h) or as TAP version 13.
 *
 * Case text is kept as valid UTF-8 without control characters (a byte
 * that would break XML or YAML becomes '?'), so every report parses
 * whatever a golden file held. */
#ifndef PS_REPORT_H
#define PS_REPORT_H

#include <stdio.h>

#include "base.h"

typedef struct ps_report_case {
    char *suite;    /* the scenario file */
    char *name;     /* "expect 200ms tab2 established", "question door", "golden trace" */
    char *file;     /* the file of the line that made the check, or NULL */
    uint32_t line;  /* its line, 0 when none */
    char *failure;  /* what went wrong; NULL when the check passed */
} ps_report_case;

typedef struct ps_report {
    ps_report_case *cases; /* in the order they were added; a suite's cases are adjacent */
    uint32_t n, cap;
    bool nomem;            /* memory ran out: a case was lost, the report is not written */
} ps_report;

/* Adds a case (every string is copied; file and failure may be NULL). */
void ps_report_add(ps_report *r, const char *suite, const char *name, const char *file,
                   uint32_t line, const char *failure);
void ps_report_free(ps_report *r);
uint32_t ps_report_failures(const ps_report *r);

/* Writes JUnit XML to path atomically; `name` names the whole run
 * ("portsim check"). Returns 0 or an errno (ENOMEM when a case was lost). */
int ps_report_write_junit(const ps_report *r, const char *path, const char *name);

/* Writes TAP version 13: a plan, one test line per case, and for a failure
 * a YAML block with the message and the line that made the check. */
void ps_report_write_tap(const ps_report *r, FILE *out);

#endif
