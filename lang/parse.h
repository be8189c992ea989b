/* parse.h — the scenario language: text in, a ps_scenario (scenario.h) or a
 * GCC-style diagnostic out. The language is documented in scenarios/README.md;
 * reading files is load.h's job. */
#ifndef PS_PARSE_H
#define PS_PARSE_H

#include "scenario.h"

/* One diagnostic, GCC style. The message names what was expected and, for an
 * unknown name, suggests the nearest known one. */
typedef struct ps_diag {
    char file[256];
    ps_pos pos;
    char message[512];
} ps_diag;

/* Formats "file:line:col: error: message" into buf. Returns buf. */
char *ps_diag_format(const ps_diag *d, char *buf, size_t size);

/* Parses `len` bytes of scenario text; `file` names it in messages. On success
 * returns a scenario the caller frees; on the first error returns NULL and
 * fills *diag. Accepts CRLF line ends and a UTF-8 byte-order mark. */
ps_scenario *ps_scenario_parse(const char *text, size_t len, const char *file, ps_diag *diag);

/* `portsim check --against TASK STUDENT`: the `expect` lines of a task
 * file (len bytes of text, named `file` in messages) replace sc's, with
 * their host and socket names resolved against sc, the student's scenario.
 * The task must be a valid scenario itself. On success sc->expect_file
 * names the task; on the first error returns false with *diag pointing into
 * the task file (a name the student's file lacks gets "did you mean"), and
 * sc's expects are left empty. */
bool ps_scenario_adopt_expects(ps_scenario *sc, const char *text, size_t len, const char *file,
                               ps_diag *diag);

#endif
