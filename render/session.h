/* session.h — turning a live lecture session into files: the commands typed
 * in the terminal as scenario lines merged into a copy of the scenario file
 * (so an improvised demo becomes a lesson), and the session's capture as a
 * pcap. No SDL here. */
#ifndef PV_SESSION_H
#define PV_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "playback.h"

/* Where a session's files go: for source "dir/name.scn" and suffix
 * "-session.scn" -> "dir/name-session.scn"; ".pcap" -> "dir/name.pcap".
 * The built-in lesson (source "") goes to the current directory as
 * "two-tabs<suffix>". */
void pv_session_path(const char *source, const char *suffix, char *buf, size_t n);

/* s as a scenario string literal, quotes included (`"` and `\` escaped, a
 * newline as \n). False if buf (n bytes) is too small. */
bool pv_scn_quote(const char *s, char *buf, size_t n);

/* One typed command as a scenario line, without newline:
 * `at 150ms laptop shell "node server.js"`. */
void pv_session_line(const ps_scenario *sc, const pv_inject *in, char *buf, size_t n);

/* The scenario text (len bytes, which parsed as sc) with each typed command
 * (inj, ninj, in time order) inserted as its `at` line just after the last
 * `at`/`say` line whose time is at or before the command's (before the
 * first one when none is; at the end when the file has none), so the file
 * keeps non-decreasing times and the command runs after the scenario's own
 * lines at its time, as it did live. Everything else is kept byte for byte.
 * Returns NUL-terminated text to free, NULL if memory ran out. */
char *pv_session_merge(const ps_scenario *sc, const char *text, size_t len, const pv_inject *inj,
                       size_t ninj);

typedef enum pv_save_status {
    PV_SAVE_FAILED,   /* nothing usable written; msg says why */
    PV_SAVE_OK,       /* written, and re-loading it gives the session's trace */
    PV_SAVE_DIFFERS,  /* written and valid, but its trace differs from the session's (msg: where) */
} pv_save_status;

/* Writes the session file: the original text of `source` (a path, "" for
 * the built-in lesson; it must still parse to the scenario the session
 * runs) merged with pb's typed commands, to `path`. Then loads the written
 * file and checks that its trace equals the session's. msg (n bytes)
 * receives a one-line report either way. */
pv_save_status pv_session_save(const pv_playback *pb, const char *source, const char *path, char *msg,
                               size_t n);

/* Writes the session's capture to path: the scenario and the typed
 * commands, replayed from 0 to the end. False with a message in err. */
bool pv_session_pcap(const pv_playback *pb, const char *path, char *err, size_t n);

/* The text trace of a full run, header line left out, as malloc'ed text
 * (NULL if memory ran out): of the session (scenario + typed commands) or
 * of a scenario alone. For comparing a saved file with its session. */
char *pv_session_trace(const pv_playback *pb);
char *pv_scenario_trace(const ps_scenario *sc);

#endif
