/* load.h — a scenario from a file, standard input or the built-in lesson:
 * io/file.h reads (one cap, one set of errors), parse.h parses. */
#ifndef PS_LOAD_H
#define PS_LOAD_H

#include "parse.h"

/* The built-in lesson: scenarios/two-tabs.scn, compiled in, and the name
 * its messages use. */
extern const char ps_builtin_two_tabs[];
#define PS_BUILTIN_NAME "<built-in two-tabs>"
/* The name messages give standard input (the path "-"). */
#define PS_STDIN_NAME "<stdin>"

/* The name messages give path: PS_BUILTIN_NAME, PS_STDIN_NAME or path. */
const char *ps_scenario_name(const char *path);

/* Reads and parses path ("-": standard input; NULL: the built-in lesson).
 * A file that cannot be read is reported through *diag with line 0 and the
 * reason (missing, unreadable, too large), never as a parse error. */
ps_scenario *ps_scenario_load(const char *path, ps_diag *diag);

/* ps_scenario_load(), printing the diagnostic on standard error when it
 * fails (what every subcommand does with a file it is given). */
ps_scenario *ps_scenario_load_or_report(const char *path);

/* Reads path like ps_scenario_load() and returns its text (NUL-terminated,
 * *len bytes; the caller frees), or NULL with the reason in *diag. */
char *ps_scenario_source(const char *path, size_t *len, ps_diag *diag);

#endif
