/* app.c — the page's C side (build-web/portsim.js + .wasm): owns the
 * lecture state (render/view.h), loads scenario text handed over by the page,
 * turns DOM keys into the window's key table (render/keys.h) and pointer
 * gestures into seeks and selections, draws a frame (pv_view_draw, through
 * the canvas backend web/gfx_canvas.c), and gives
 * the page the trace (text or jsonl) and capture of the session. Everything
 * the page calls is a web_* function exported to JavaScript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "gfx_canvas.h"
#include "keys.h"
#include "parse.h"
#include "sbuf.h"
#include "session.h"
#include "trace.h"
#include "units.h"
#include "view.h"

static pv_view *V; /* made by the first web_load */
static char *source_text; /* the open scenario's text, for saving the session */
static size_t source_len;
static bool scrubbing;
static double notice_ms; /* wall time the notice stays, as in the window */

/* A lesson is open (the first web_load made the view). */
static bool open_lesson(void) { return V && V->sc; }

static void notice(const char *msg, bool error)
{
    snprintf(V->notice, sizeof V->notice, "%s", msg);
    V->notice_error = error;
    notice_ms = error ? 15000 : 4000;
}

static void changed(void)
{
    V->scene_valid = false;
    V->marks_w = 0;
}

/* Opens `len` bytes of scenario text named `name` in messages. Returns ""
 * or the "name:line:col: error: ..." message; the open lesson stays open on
 * failure. */
const char *web_load(const char *name, const char *text, int len)
{
    static char err[768];
    if (!V && !(V = pv_view_new(&web_gfx_canvas, err, sizeof err))) return err;
    ps_diag d;
    memset(&d, 0, sizeof d);
    ps_scenario *sc = ps_scenario_parse(text, (size_t)len, name, &d);
    if (!sc) return ps_diag_format(&d, err, sizeof err);
    pv_playback pb;
    char *copy = malloc((size_t)len + 1);
    if (!copy || !pv_playback_open(&pb, sc)) {
        if (copy) pv_playback_close(&pb);
        free(copy);
        ps_scenario_free(sc);
        snprintf(err, sizeof err, "%s: error: out of memory while running the scenario", name);
        return err;
    }
    if (V->sc) pv_playback_close(&V->pb);
    ps_scenario_free(V->sc);
    V->sc = sc;
    V->pb = pb;
    V->pb.sc = sc;
    memcpy(copy, text, (size_t)len);
    copy[len] = '\0';
    free(source_text);
    source_text = copy;
    source_len = (size_t)len;
    snprintf(V->source, sizeof V->source, "%s", name);
    V->host_sel = PS_NONE;
    V->notice[0] = '\0';
    changed();
    if (V->term.nlines > 0)
        pv_term_print(&V->term, "--- another scenario was opened: the commands typed before are gone ---", PV_TERM_NOTE);
    pv_playback_seek(&V->pb, 0);
    return "";
}

/* The title of scenario text (for the lesson menu), "" if it has none or
 * does not parse. */
const char *web_title(const char *text, int len)
{
    static char title[256];
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, (size_t)len, "lesson", &d);
    snprintf(title, sizeof title, "%s", sc && sc->title ? sc->title : "");
    ps_scenario_free(sc);
    return title;
}

static pv_key_mode key_mode(void)
{
    return V->term.open ? PV_KEYS_TERMINAL : PV_KEYS_WINDOW;
}

/* A DOM KeyboardEvent.key as a pv key: printable ASCII as its lower-case
 * character, the named keys the table uses, PV_KEY_NONE for the rest. */
int web_key_code(const char *key)
{
    static const struct { const char *dom; int key; } named[] = {
        { "ArrowRight", PV_KEY_RIGHT }, { "ArrowLeft", PV_KEY_LEFT }, { "ArrowUp", PV_KEY_UP },
        { "ArrowDown", PV_KEY_DOWN },   { "PageUp", PV_KEY_PAGEUP },  { "PageDown", PV_KEY_PAGEDOWN },
        { "Home", PV_KEY_HOME },        { "End", PV_KEY_END },        { "Enter", PV_KEY_ENTER },
        { "Escape", PV_KEY_ESCAPE },    { "Tab", PV_KEY_TAB },        { "Backspace", PV_KEY_BACKSPACE },
        { "Delete", PV_KEY_DELETE },    { "F5", PV_KEY_F5 },
    };
    if (key[0] && !key[1] && key[0] >= ' ' && key[0] < 0x7f)
        return key[0] >= 'A' && key[0] <= 'Z' ? key[0] - 'A' + 'a' : key[0];
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(key, named[i].dom) == 0) return named[i].key;
    return PV_KEY_NONE;
}

static void go_to(ps_time t)
{
    V->pb.playing = false; /* moving to a moment pauses, as scrubbing does */
    pv_playback_seek(&V->pb, t);
}

static void set_zoom(double z)
{
    V->zoom = z < PV_ZOOM_MIN ? PV_ZOOM_MIN : z > PV_ZOOM_MAX ? PV_ZOOM_MAX : z; /* the window's range */
}

static void term_run(void)
{
    if (!open_lesson()) return;
    pv_inject_status st = pv_term_enter(&V->term, &V->pb, pv_view_table_host(V));
    changed();
    if (st == PV_INJECT_FULL) {
        char msg[160];
        snprintf(msg, sizeof msg, "The terminal's session is full (%u commands): open the lesson again to start over",
                 PV_MAX_INJECTED);
        notice(msg, true);
    }
}

/* Performs the table's action for key with mods (PV_MOD_*). Returns "none"
 * when the key has no action here, "" when it was done, or the name of an
 * action only the page can do: "open", "save", "pcap", "screenshot",
 * "fullscreen", "quit". */
static const char *perform(pv_action a);

const char *web_key(int key, int mods)
{
    if (!open_lesson()) return pv_key_action(PV_KEYS_WINDOW, key, (unsigned)mods) == PV_ACT_NONE ? "none" : "";
    return perform(pv_key_action(key_mode(), key, (unsigned)mods));
}

/* One action of the key table, from a key or a button on the canvas. */
static const char *perform(pv_action a)
{
    pv_term *t = &V->term;
    if (a == PV_ACT_NONE) return "none";
    if (a != PV_ACT_HELP) V->help = false;
    if (pv_term_perform(t, a, V->lay->term_rows - 1)) return ""; /* the line editor's keys */
    switch (a) {
    case PV_ACT_PLAY_PAUSE:
        if (!V->pb.playing && V->pb.now >= V->pb.end) pv_playback_seek(&V->pb, 0);
        V->pb.playing = !V->pb.playing;
        V->pb.carry = 0;
        break;
    case PV_ACT_STEP_NEXT: pv_playback_step(&V->pb, +1); break;
    case PV_ACT_STEP_PREV: pv_playback_step(&V->pb, -1); break;
    case PV_ACT_GO_START: go_to(0); break;
    case PV_ACT_GO_END: go_to(V->pb.end); break;
    case PV_ACT_FASTER: pv_playback_set_speed(&V->pb, V->pb.speed + 1); break;
    case PV_ACT_SLOWER: pv_playback_set_speed(&V->pb, V->pb.speed - 1); break;
    case PV_ACT_ZOOM_IN: set_zoom(V->zoom * 1.15); break;
    case PV_ACT_ZOOM_OUT: set_zoom(V->zoom / 1.15); break;
    case PV_ACT_ZOOM_RESET: set_zoom(1.0); break;
    case PV_ACT_RESTART: /* as written: typed commands go (Shift+R keeps them) */
        if (V->pb.ninj > 0) pv_playback_clear_injected(&V->pb);
        pv_playback_seek(&V->pb, 0);
        V->pb.playing = true;
        break;
    case PV_ACT_RESTART_KEEP: pv_playback_seek(&V->pb, 0); V->pb.playing = true; break;
    case PV_ACT_PRESENT: V->present = !V->present; break;
    case PV_ACT_NEXT_HOST: V->host_sel = (pv_view_table_host(V) + 1) % V->sc->nhosts; break;
    case PV_ACT_TERMINAL: t->open = true; V->pb.playing = false; break;
    case PV_ACT_HELP: V->help = !V->help; break;
    case PV_ACT_HELP_CLOSE: V->help = false; break;
    case PV_ACT_TERM_RUN: term_run(); break;
    case PV_ACT_TERM_CLOSE: t->open = false; break;
    case PV_ACT_OPEN: return "open";
    case PV_ACT_SAVE_SESSION: return "save";
    case PV_ACT_PCAP: return "pcap";
    case PV_ACT_SCREENSHOT: return "screenshot";
    case PV_ACT_FULLSCREEN: return "fullscreen";
    case PV_ACT_QUIT: return "quit";
    default: break; /* the file picker's keys: the page has its own picker */
    }
    return "";
}

/* Typed text for the terminal (the page sends what a key press types). */
void web_text(const char *s)
{
    if (V && V->term.open) pv_term_insert(&V->term, s);
}

static void scrub(int x)
{
    const pv_rect t = V->lay->track;
    double f = t.w > 1 ? (double)(x - t.x) / (t.w - 1) : 0;
    go_to(pv_axis_time(&V->pb.axis, f < 0 ? 0 : f > 1 ? 1 : f));
}

/* A tapped door: what is behind it, on the notice line. */
/* Pointer (mouse or touch) at x, y in canvas pixels: kind 0 down, 1 move,
 * 2 up. Down on the timeline scrubs until up; on a top-bar button does its
 * action; on a log row goes to that moment; on a building selects it (and a
 * door shows what is behind it); anywhere closes the help. */
void web_pointer(int kind, int x, int y)
{
    if (!open_lesson()) return;
    if (kind == 1) {
        if (scrubbing) scrub(x);
        return;
    }
    if (kind == 2) {
        scrubbing = false;
        return;
    }
    if (V->help) {
        V->help = false;
        return;
    }
    if (pv_rect_contains(V->lay->timeline, x, y)) {
        scrubbing = true;
        scrub(x);
        return;
    }
    pv_action button = pv_button_at(V, x, y);
    if (button != PV_ACT_NONE) { /* the top bar's buttons, as in the window */
        perform(button);
        return;
    }
    size_t ev = pv_log_event_at(V, x, y);
    if (ev != SIZE_MAX) {
        go_to(V->pb.ev[ev].t);
        return;
    }
    V->notice[0] = '\0';
    char what[200];
    uint32_t row = pv_table_socket_at(V, x, y);
    if (row != PS_NONE) {
        pv_view_describe_socket(V, row, what, sizeof what);
        notice(what, false);
    } else if (pv_view_door_at(V, x, y, what, sizeof what)) {
        notice(what, false);
    }
    for (uint32_t i = 0; i < V->lay->nhosts; i++)
        if (pv_rect_contains(V->lay->hosts[i].body, x, y)) V->host_sel = i;
}

/* One frame at w x h after real_ms of wall time. */
void web_frame(int w, int h, double real_ms)
{
    if (!open_lesson()) return;
    pv_playback_tick(&V->pb, real_ms > 100 ? 100 : real_ms);
    if (V->notice[0] && (notice_ms -= real_ms) <= 0) V->notice[0] = '\0';
    pv_view_draw(V, w, h);
}

/* The current caption ("" before the first), for the page's live region. */
const char *web_caption(void)
{
    const char *c = open_lesson() ? pv_playback_caption(&V->pb) : NULL;
    return c ? c : "";
}

int web_playing(void) { return open_lesson() && V->pb.playing; }

/* The terminal's scrollback, one line each, for the page (and its test). */
const char *web_terminal_text(void)
{
    static ps_sbuf out;
    ps_sbuf_clear(&out);
    for (int i = 0; V && i < V->term.nlines; i++) {
        int kind;
        const char *s = pv_term_line(&V->term, i, &kind);
        ps_sbuf_printf(&out, "%s\n", s ? s : "");
    }
    return out.s ? out.s : "";
}

/* The session's whole trace (the lesson and the commands typed in the
 * terminal) in format 0 text or 1 jsonl, as `portsim run` prints it: a
 * malloc'ed string the page frees, NULL if memory ran out. */
char *web_trace(int format)
{
    if (!open_lesson()) return NULL;
    ps_sbuf out = { 0 };
    ps_trace tr;
    ps_trace_init(&tr, format == 1 ? PS_TRACE_JSONL : PS_TRACE_TEXT, V->sc, V->sc->seed, ps_trace_to_sbuf, &out);
    pv_playback_replay(&V->pb, ps_trace_event, &tr);
    bool ok = !tr.nomem && !out.failed;
    ps_trace_free(&tr);
    if (!ok) ps_sbuf_free(&out);
    return ok ? out.s : NULL;
}

/* Writes the session's capture to path in the page's memory file system;
 * "" or why not. */
const char *web_pcap(const char *path)
{
    static char err[300];
    if (!open_lesson()) return "no scenario is open";
    return pv_session_pcap(&V->pb, path, err, sizeof err) ? "" : err;
}

/* The scenario text with the commands typed in the terminal merged in as
 * `at` lines (render/session.h): a malloc'ed string the page frees. */
char *web_session_text(void)
{
    if (!open_lesson()) return NULL;
    return pv_session_merge(V->sc, source_text, source_len, V->pb.inj, V->pb.ninj);
}
