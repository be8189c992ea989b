/* terminal.c — the live terminal's line editor, history, scrollback and
 * Enter (see terminal.h). Pure C over fixed-size buffers: nothing here
 * grows, so a long lecture cannot exhaust memory through the terminal. */
#include "terminal.h"

#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "units.h"

void pv_term_reset(pv_term *t)
{
    bool open = t->open;
    memset(t, 0, sizeof *t);
    t->open = open;
    t->hist_pos = -1;
}

char *pv_term_prompt(char *buf, size_t n, const char *user, const char *host)
{
    /* root's prompt ends in '#', as bash's does */
    bool root = user == NULL || strcmp(user, "root") == 0;
    snprintf(buf, n, "%s@%s:~%c ", user ? user : "root", host ? host : "?", root ? '#' : '$');
    return buf;
}

/* ---- line editor ---- */

static bool cont_byte(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

static void set_input(pv_term *t, const char *s)
{
    size_t n = strlen(s);
    if (n >= sizeof t->input) n = sizeof t->input - 1;
    while (n > 0 && cont_byte(s[n])) n--; /* do not cut a character in two */
    memcpy(t->input, s, n);
    t->input[n] = '\0';
    t->len = t->cur = n;
}

void pv_term_insert(pv_term *t, const char *text)
{
    char clean[PV_TERM_INPUT_MAX];
    size_t filled = 0;
    for (const char *p = text; *p && filled + 1 < sizeof clean; p++)
        if ((unsigned char)*p >= 0x20 && *p != 0x7F) clean[filled++] = *p;
    size_t room = sizeof t->input - 1 - t->len, n = filled < room ? filled : room;
    while (n > 0 && n < filled && cont_byte(clean[n])) n--; /* do not cut a character in two */
    if (n == 0) return;
    memmove(t->input + t->cur + n, t->input + t->cur, t->len - t->cur + 1);
    memcpy(t->input + t->cur, clean, n);
    t->len += n;
    t->cur += n;
    t->scroll = 0;
}

static size_t prev_char(const pv_term *t, size_t i)
{
    if (i == 0) return 0;
    i--;
    while (i > 0 && cont_byte(t->input[i])) i--;
    return i;
}

static size_t next_char(const pv_term *t, size_t i)
{
    if (i >= t->len) return t->len;
    i++;
    while (i < t->len && cont_byte(t->input[i])) i++;
    return i;
}

static void cut(pv_term *t, size_t from, size_t to)
{
    memmove(t->input + from, t->input + to, t->len - to + 1);
    t->len -= to - from;
    t->cur = from;
}

void pv_term_backspace(pv_term *t)
{
    if (t->cur > 0) cut(t, prev_char(t, t->cur), t->cur);
}

void pv_term_delete(pv_term *t)
{
    if (t->cur < t->len) cut(t, t->cur, next_char(t, t->cur));
}

void pv_term_move(pv_term *t, int dir)
{
    t->cur = dir < 0 ? prev_char(t, t->cur) : next_char(t, t->cur);
}

void pv_term_home(pv_term *t) { t->cur = 0; }
void pv_term_end(pv_term *t) { t->cur = t->len; }
void pv_term_kill_line(pv_term *t) { set_input(t, ""); }

static const char *hist_at(const pv_term *t, int i)
{
    return t->hist[(t->hist_first + i) % PV_TERM_HISTORY];
}

void pv_term_history(pv_term *t, int dir)
{
    if (t->nhist == 0) return;
    if (dir < 0) {
        if (t->hist_pos == -1) {
            snprintf(t->draft, sizeof t->draft, "%s", t->input);
            t->hist_pos = t->nhist - 1;
        } else if (t->hist_pos > 0) {
            t->hist_pos--;
        }
        set_input(t, hist_at(t, t->hist_pos));
    } else if (t->hist_pos != -1) {
        if (t->hist_pos + 1 < t->nhist) {
            t->hist_pos++;
            set_input(t, hist_at(t, t->hist_pos));
        } else {
            t->hist_pos = -1;
            set_input(t, t->draft);
        }
    }
}

static void hist_add(pv_term *t, const char *line)
{
    if (t->nhist > 0 && strcmp(hist_at(t, t->nhist - 1), line) == 0) return; /* like bash's ignoredups */
    if (t->nhist == PV_TERM_HISTORY) {
        t->hist_first = (t->hist_first + 1) % PV_TERM_HISTORY;
        t->nhist--;
    }
    snprintf(t->hist[(t->hist_first + t->nhist) % PV_TERM_HISTORY], PV_TERM_INPUT_MAX, "%s", line);
    t->nhist++;
}

void pv_term_scroll(pv_term *t, int n, int visible)
{
    int max = t->nlines > visible ? t->nlines - visible : 0;
    t->scroll += n;
    if (t->scroll > max) t->scroll = max;
    if (t->scroll < 0) t->scroll = 0;
}

/* ---- scrollback ---- */

static void push_line(pv_term *t, const char *s, size_t n, int kind)
{
    if (n >= PV_TERM_LINE_MAX) {
        n = PV_TERM_LINE_MAX - 1;
        while (n > 0 && cont_byte(s[n])) n--;
    }
    int slot;
    if (t->nlines == PV_TERM_LINES) {
        slot = t->first;
        t->first = (t->first + 1) % PV_TERM_LINES;
    } else {
        slot = (t->first + t->nlines++) % PV_TERM_LINES;
    }
    memcpy(t->lines[slot], s, n);
    t->lines[slot][n] = '\0';
    t->kind[slot] = (unsigned char)kind;
}

void pv_term_print(pv_term *t, const char *text, int kind)
{
    const char *s = text ? text : "";
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        push_line(t, s, n, kind);
        if (!nl) break;
        s = nl + 1;
    }
    t->scroll = 0;
}

void pv_term_clear(pv_term *t)
{
    t->nlines = t->first = t->scroll = 0;
}

const char *pv_term_line(const pv_term *t, int i, int *kind)
{
    if (i < 0 || i >= t->nlines) return NULL;
    int slot = (t->first + i) % PV_TERM_LINES;
    if (kind) *kind = t->kind[slot];
    return t->lines[slot];
}

/* ---- running ---- */

pv_inject_status pv_term_enter(pv_term *t, pv_playback *pb, uint32_t host)
{
    char line[PV_TERM_INPUT_MAX], prompt[160], echo[PV_TERM_INPUT_MAX + 160];
    snprintf(line, sizeof line, "%s", t->input);
    const char *hname = pb->sc && host < pb->sc->nhosts ? pb->sc->hosts[host].name : "?";
    pv_term_prompt(prompt, sizeof prompt, pb->eng ? ps_shell_user(pb->eng, host) : NULL, hname);
    snprintf(echo, sizeof echo, "%s%s", prompt, line);
    pv_term_print(t, echo, PV_TERM_CMD);
    set_input(t, "");
    t->hist_pos = -1;
    t->draft[0] = '\0';
    /* The terminal's own words: they change nothing in the simulation, so
     * they are not recorded as typed commands. */
    char word[16] = "";
    sscanf(line, " %15s", word);
    bool alone = strspn(line + strcspn(line, word) + strlen(word), " \t") ==
                 strlen(line + strcspn(line, word) + strlen(word));
    if (alone && (strcmp(word, "clear") == 0 || strcmp(word, "exit") == 0 || strcmp(word, "logout") == 0)) {
        hist_add(t, line);
        if (strcmp(word, "clear") == 0) pv_term_clear(t);
        else t->open = false;
        return PV_INJECT_EMPTY;
    }
    char *out = NULL;
    ps_time typed = pb->now;
    pv_inject_status st = pv_playback_inject(pb, host, line, &out);
    if (st != PV_INJECT_EMPTY) hist_add(t, line);
    char msg[200], when[32];
    switch (st) {
    case PV_INJECT_OK:
        if (out && out[0]) {
            size_t nl = 1;
            for (const char *c = out; *c; c++) nl += *c == '\n';
            pv_term_print(t, out, PV_TERM_OUT);
            if (nl >= PV_TERM_LINES) {
                snprintf(msg, sizeof msg, "(%zu lines of output; the terminal keeps the last %d lines)", nl,
                         PV_TERM_LINES);
                pv_term_print(t, msg, PV_TERM_NOTE);
            }
        }
        if (pb->now != typed) {
            char a[32], b[32];
            snprintf(msg, sizeof msg, "(ran at %s ms, just after the network events at %s ms)",
                     ps_time_ms(pb->now, 0, a), ps_time_ms(typed, 0, b));
            pv_term_print(t, msg, PV_TERM_NOTE);
        }
        break;
    case PV_INJECT_EMPTY: break;
    case PV_INJECT_TOO_LONG:
        snprintf(msg, sizeof msg, "portsim: the line is too long (at most %u bytes)", PV_INJECT_LINE_MAX - 1);
        pv_term_print(t, msg, PV_TERM_ERR);
        break;
    case PV_INJECT_BAD_HOST: pv_term_print(t, "portsim: no building selected", PV_TERM_ERR); break;
    case PV_INJECT_FULL:
        snprintf(msg, sizeof msg,
                 "portsim: this session already holds %u typed commands, the limit; "
                 "save them (Ctrl+S) and open the saved file to go on",
                 PV_MAX_INJECTED);
        pv_term_print(t, msg, PV_TERM_ERR);
        break;
    case PV_INJECT_NOMEM:
        snprintf(msg, sizeof msg, "portsim: out of memory re-running at %s; the command was dropped",
                 ps_time_str(pb->now, when));
        pv_term_print(t, msg, PV_TERM_ERR);
        break;
    }
    free(out);
    return st;
}

bool pv_term_perform(pv_term *t, int action, int visible)
{
    int page = visible > 1 ? visible - 1 : 1;
    switch ((pv_action)action) {
    case PV_ACT_TERM_HISTORY_PREV: pv_term_history(t, -1); break;
    case PV_ACT_TERM_HISTORY_NEXT: pv_term_history(t, +1); break;
    case PV_ACT_TERM_LEFT: pv_term_move(t, -1); break;
    case PV_ACT_TERM_RIGHT: pv_term_move(t, +1); break;
    case PV_ACT_TERM_HOME: pv_term_home(t); break;
    case PV_ACT_TERM_END: pv_term_end(t); break;
    case PV_ACT_TERM_BACKSPACE: pv_term_backspace(t); break;
    case PV_ACT_TERM_DELETE: pv_term_delete(t); break;
    case PV_ACT_TERM_KILL_LINE: pv_term_kill_line(t); break;
    case PV_ACT_TERM_ABANDON_LINE: { /* like bash's Ctrl+C: the line stays on screen with ^C */
        char line[PV_TERM_INPUT_MAX + 4];
        snprintf(line, sizeof line, "%s^C", t->input);
        pv_term_print(t, line, PV_TERM_NOTE);
        pv_term_kill_line(t);
        break;
    }
    case PV_ACT_TERM_CLEAR: pv_term_clear(t); break;
    case PV_ACT_TERM_SCROLL_UP: pv_term_scroll(t, page, visible); break;
    case PV_ACT_TERM_SCROLL_DOWN: pv_term_scroll(t, -page, visible); break;
    default: return false;
    }
    return true;
}
