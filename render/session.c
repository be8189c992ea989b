/* session.c — saving a live session as a scenario file and as a pcap (see
 * session.h). The saved file is checked by loading it back and comparing
 * its trace with the session's, so what was shown live is what the file
 * replays. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "load.h"
#include "pcap.h"
#include "shell.h"
#include "trace.h"
#include "units.h"

void pv_session_path(const char *source, const char *suffix, char *buf, size_t n)
{
    if (!source || !source[0]) {
        snprintf(buf, n, "two-tabs%s", suffix);
        return;
    }
    size_t len = strlen(source);
    if (len > 4 && strcmp(source + len - 4, ".scn") == 0) len -= 4;
    snprintf(buf, n, "%.*s%s", (int)len, source, suffix);
}

bool pv_scn_quote(const char *s, char *buf, size_t n)
{
    size_t o = 0;
    if (n < 3) return false;
    buf[o++] = '"';
    for (; *s; s++) {
        const char *rep = *s == '"' ? "\\\"" : *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : NULL;
        size_t k = rep ? 2 : 1;
        if (o + k + 2 > n) return false;
        if (rep) memcpy(buf + o, rep, 2);
        else buf[o] = *s;
        o += k;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return true;
}

void pv_session_line(const ps_scenario *sc, const pv_inject *in, char *buf, size_t n)
{
    char when[32], quoted[2 * PV_INJECT_LINE_MAX + 4];
    pv_scn_quote(in->line, quoted, sizeof quoted); /* always fits: 2 bytes per input byte at most */
    if (in->t == 0) snprintf(when, sizeof when, "0ms"); /* reads better than 0us */
    else ps_time_str(in->t, when);
    snprintf(buf, n, "at %s %s shell %s", when,
             in->host < sc->nhosts ? sc->hosts[in->host].name : "?", quoted);
}

/* The line after which a command at t goes: the last `at`/`say` line at or
 * before t; if none, the line before the first one; with no actions at
 * all, the last line (UINT32_MAX: after everything). */
static uint32_t insert_after(const ps_scenario *sc, ps_time t)
{
    if (sc->nactions == 0) return UINT32_MAX;
    uint32_t after = 0;
    bool any = false;
    for (uint32_t i = 0; i < sc->nactions; i++) {
        if (sc->actions[i].t > t) continue;
        if (!any || sc->actions[i].pos.line > after) after = sc->actions[i].pos.line;
        any = true;
    }
    if (any) return after;
    uint32_t first = sc->actions[0].pos.line;
    for (uint32_t i = 1; i < sc->nactions; i++)
        if (sc->actions[i].pos.line < first) first = sc->actions[i].pos.line;
    return first > 0 ? first - 1 : 0;
}

char *pv_session_merge(const ps_scenario *sc, const char *text, size_t len, const pv_inject *inj,
                       size_t ninj)
{
    ps_sbuf out = { 0 };
    uint32_t *where = malloc((ninj ? ninj : 1) * sizeof *where);
    if (!where) return NULL;
    for (size_t i = 0; i < ninj; i++) where[i] = insert_after(sc, inj[i].t);
    char line[3 * PV_INJECT_LINE_MAX + 128];
    size_t next = 0; /* next command to place */
    /* commands that go before line 1 */
    for (; next < ninj && where[next] == 0; next++) {
        pv_session_line(sc, &inj[next], line, sizeof line);
        ps_sbuf_printf(&out, "%s\n", line);
    }
    size_t pos = 0;
    for (uint32_t ln = 1; pos < len; ln++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        ps_sbuf_putn(&out, text + pos, end - pos);
        if (!nl) ps_sbuf_putc(&out, '\n');
        pos = end;
        for (; next < ninj && where[next] == ln; next++) {
            pv_session_line(sc, &inj[next], line, sizeof line);
            ps_sbuf_printf(&out, "%s\n", line);
        }
    }
    for (; next < ninj; next++) { /* after the last line */
        pv_session_line(sc, &inj[next], line, sizeof line);
        ps_sbuf_printf(&out, "%s\n", line);
    }
    free(where);
    if (out.failed || !out.s) {
        ps_sbuf_free(&out);
        return NULL;
    }
    return out.s;
}

/* ---- traces for comparison ---- */

static char *trace_of(const ps_scenario *sc, const pv_playback *pb)
{
    ps_sbuf out = { 0 };
    ps_trace tr;
    ps_trace_init(&tr, PS_TRACE_TEXT, sc, sc->seed, ps_trace_to_sbuf, &out);
    ps_run_status st;
    if (pb) {
        st = pv_playback_replay(pb, ps_trace_event, &tr);
    } else {
        ps_engine *e = ps_engine_new(sc, sc->seed);
        st = PS_RUN_NOMEM;
        if (e) {
            ps_engine_set_max_steps(e, PV_MAX_STEPS);
            ps_engine_set_sink(e, ps_trace_event, &tr);
            ps_shell_attach(e);
            ps_engine_run(e);
            st = ps_engine_status(e);
            ps_engine_free(e);
        }
    }
    bool lost = tr.nomem || out.failed || !out.s;
    ps_trace_free(&tr);
    if (lost || st == PS_RUN_NOMEM) {
        ps_sbuf_free(&out);
        return NULL;
    }
    char *buf = out.s;
    char *nl = strchr(buf, '\n'); /* drop the header: it names the file */
    if (nl) memmove(buf, nl + 1, strlen(nl + 1) + 1);
    return buf;
}

char *pv_session_trace(const pv_playback *pb) { return trace_of(pb->sc, pb); }
char *pv_scenario_trace(const ps_scenario *sc) { return trace_of(sc, NULL); }

/* ---- saving ---- */

static char *read_source(const char *source, size_t *len, char *msg, size_t n)
{
    ps_diag d;
    char *text = ps_scenario_source(source[0] ? source : NULL, len, &d);
    if (!text) snprintf(msg, n, "Could not save the session: %s: %s", d.file, d.message);
    return text;
}

/* The text still parses to the actions the session runs (the file may have
 * changed on disk since it was opened). */
static bool same_actions(const ps_scenario *a, const ps_scenario *b)
{
    if (a->nactions != b->nactions || a->nhosts != b->nhosts) return false;
    for (uint32_t i = 0; i < a->nactions; i++)
        if (a->actions[i].t != b->actions[i].t || a->actions[i].pos.line != b->actions[i].pos.line ||
            a->actions[i].kind != b->actions[i].kind)
            return false;
    return true;
}

/* The first line where two traces differ, 1-based (0: equal). */
static size_t first_difference(const char *a, const char *b)
{
    size_t line = 1;
    for (; *a && *a == *b; a++, b++)
        if (*a == '\n') line++;
    return *a == *b ? 0 : line;
}

pv_save_status pv_session_save(const pv_playback *pb, const char *source, const char *path, char *msg,
                               size_t n)
{
    if (pb->ninj == 0) {
        snprintf(msg, n, "Nothing to save: no commands were typed in the terminal (T opens it)");
        return PV_SAVE_FAILED;
    }
    size_t len = 0;
    char *text = read_source(source, &len, msg, n);
    if (!text) return PV_SAVE_FAILED;
    ps_diag d;
    memset(&d, 0, sizeof d);
    ps_scenario *orig = ps_scenario_parse(text, len, source[0] ? source : PS_BUILTIN_NAME, &d);
    if (!orig || !same_actions(orig, pb->sc)) {
        snprintf(msg, n, "Could not save the session: %s changed since it was opened; open it again (O)",
                 source[0] ? source : "the built-in lesson");
        ps_scenario_free(orig);
        free(text);
        return PV_SAVE_FAILED;
    }
    char *merged = pv_session_merge(orig, text, len, pb->inj, pb->ninj);
    ps_scenario_free(orig);
    free(text);
    if (!merged) {
        snprintf(msg, n, "Could not save the session: out of memory");
        return PV_SAVE_FAILED;
    }
    int err = ps_file_write(path, merged, strlen(merged));
    free(merged);
    if (err) {
        snprintf(msg, n, "Could not write %s: %s", path, ps_file_strerror(err));
        return PV_SAVE_FAILED;
    }
    /* load it back: it must parse, and replay what the session showed */
    ps_scenario *back = ps_scenario_load(path, &d);
    if (!back) {
        char diag[600];
        snprintf(msg, n, "Wrote %s, but it does not load: %s", path, ps_diag_format(&d, diag, sizeof diag));
        return PV_SAVE_FAILED;
    }
    char *want = pv_session_trace(pb), *got = pv_scenario_trace(back);
    ps_scenario_free(back);
    pv_save_status st = PV_SAVE_OK;
    if (!want || !got) {
        snprintf(msg, n, "Saved %u typed command%s to %s (not re-checked: out of memory)", (unsigned)pb->ninj,
                 pb->ninj == 1 ? "" : "s", path);
    } else if (strcmp(want, got) != 0) {
        snprintf(msg, n, "Saved %s, but it replays differently from the session (trace line %zu)", path,
                 first_difference(want, got));
        st = PV_SAVE_DIFFERS;
    } else {
        snprintf(msg, n, "Saved %u typed command%s as scenario lines: %s", (unsigned)pb->ninj,
                 pb->ninj == 1 ? "" : "s", path);
    }
    free(want);
    free(got);
    return st;
}

/* ---- pcap ---- */

bool pv_session_pcap(const pv_playback *pb, const char *path, char *err, size_t n)
{
    if (pb->ninj == 0) return ps_pcap_write_scenario(pb->sc, pb->sc->seed, PV_MAX_STEPS, path, err, n);
    ps_pcap w;
    if (!ps_pcap_open(&w, path, err, n)) return false;
    w.sc = pb->sc;
    ps_run_status st = pv_playback_replay(pb, ps_pcap_event, &w);
    if (!ps_pcap_close(&w, err, n)) return false;
    if (st == PS_RUN_OK) return true;
    snprintf(err, n, "%s: the run stopped early (%s); the capture is incomplete", path,
             ps_run_status_message(st));
    return false;
}
