/* term_panel.c — draws the live terminal (terminal.h) over the socket
 * table and event log: a head line naming the host and the keys, the
 * scrollback, and the prompt line with its cursor. Positions come from the
 * layout (L->term, L->term_head, L->term_rows). Also the lesson's own
 * terminal: a scenario's latest `shell` line that printed something, and
 * its output, in place of the socket table, while no newer caption has
 * replaced it. */
#include <stdio.h>
#include <string.h>

#include "paint.h"
#include "shell.h"
#include "units.h"
#include "view.h"

#define TERM_BG PV_RGB(0x0A, 0x0D, 0x13)

static pv_rgba kind_colour(int kind)
{
    switch (kind) {
    case PV_TERM_CMD: return PV_COL_TEMP;
    case PV_TERM_NOTE: return PV_COL_TEXT_DIM;
    case PV_TERM_ERR: return PV_COL_ERROR;
    default: return PV_COL_TEXT;
    }
}

static void draw_input(pv_view *v, uint32_t host, int y, int x, int w)
{
    const pv_layout *L = v->lay;
    const pv_term *t = &v->term;
    char prompt[160], line[PV_TERM_INPUT_MAX + 160], before[PV_TERM_INPUT_MAX + 160];
    pv_term_prompt(prompt, sizeof prompt, v->pb.eng ? ps_shell_user(v->pb.eng, host) : NULL,
                   v->sc->hosts[host].name);
    snprintf(line, sizeof line, "%s%s", prompt, t->input);
    snprintf(before, sizeof before, "%s%.*s", prompt, (int)t->cur, t->input);
    int pw = pv_paint_measure(&v->paint, prompt, L->px.term, PV_FACE_MONO);
    int cx = x + pv_paint_measure(&v->paint, before, L->px.term, PV_FACE_MONO);
    /* keep the cursor in view: long lines scroll left past the prompt */
    int shift = cx + pv_th(L, 12) > x + w ? cx + pv_th(L, 12) - (x + w) : 0;
    pv_clip(&v->paint, (pv_rect){ x, y, w, L->term_row_h });
    pv_paint_text(&v->paint, prompt, PV_FACE_MONO, L->px.term, PV_COL_LISTEN, x - shift, y, 0, PV_ALIGN_LEFT);
    if (t->len) pv_paint_text(&v->paint, t->input, PV_FACE_MONO, L->px.term, PV_COL_TEXT, x + pw - shift, y, 0, PV_ALIGN_LEFT);
    int cw = pv_paint_measure(&v->paint, "0", L->px.term, PV_FACE_MONO);
    pv_fill(&v->paint, (pv_rect){ cx - shift, y + pv_th(L, 1), cw, L->term_row_h - pv_th(L, 2) }, PV_COL_NOW);
    if (t->cur < t->len) { /* the character under the block cursor, dark on yellow */
        char ch[8];
        size_t n = 1;
        while (t->cur + n < t->len && ((unsigned char)t->input[t->cur + n] & 0xC0) == 0x80 && n < 4) n++;
        memcpy(ch, t->input + t->cur, n);
        ch[n] = '\0';
        pv_paint_text(&v->paint, ch, PV_FACE_MONO, L->px.term, PV_COL_TEXT_DARK, cx - shift, y, 0, PV_ALIGN_LEFT);
    }
    pv_unclip(&v->paint);
}

void pv_draw_terminal(pv_view *v)
{
    const pv_layout *L = v->lay;
    const pv_term *t = &v->term;
    if (!t->open || !v->sc || L->term.h <= 0) return; /* folded while presenting */
    uint32_t host = pv_view_table_host(v);
    if (host == PS_NONE) return;
    pv_fill(&v->paint, L->term, TERM_BG);
    pv_paint_role(&v->paint, PV_ROLE_TERMINAL);
    pv_fill(&v->paint, (pv_rect){ L->term.x, L->term.y, L->term.w, pv_th(L, 2) }, PV_COL_TEMP);
    char head[400], addr[16], ms[32];
    snprintf(head, sizeof head,
             "Terminal on %s (%s) at t = %s ms  ·  Enter run  ·  ↑↓ history  ·  Alt+←/→ step time  ·  "
             "Tab other host  ·  Ctrl+S save as scenario lines  ·  Esc close%s",
             v->sc->hosts[host].name, ps_addr_str(v->sc->hosts[host].addrs[0], addr),
             ps_time_ms(v->pb.now, 0, ms), v->pb.ninj >= PV_MAX_INJECTED ? "  ·  SESSION FULL" : "");
    pv_paint_text_in(&v->paint, head, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, L->term_head, PV_ALIGN_LEFT);
    if (v->pb.ninj) {
        char count[64];
        snprintf(count, sizeof count, "%zu typed", v->pb.ninj);
        pv_paint_text_in(&v->paint, count, PV_FACE_SANS, L->px.small, PV_COL_NOW, L->term_head, PV_ALIGN_RIGHT);
    }
    int x = L->term.x + pv_th(L, 12), w = L->term.w - pv_th(L, 24);
    int y0 = L->term_head.y + L->term_head.h + pv_th(L, 2);
    int rows = L->term_rows; /* the last one is the prompt */
    int back = rows - 1, last = t->nlines - t->scroll, first = last - back < 0 ? 0 : last - back;
    int y = y0 + (back - (last - first)) * L->term_row_h; /* few lines: they sit just above the prompt */
    for (int i = first; i < last; i++, y += L->term_row_h) {
        int kind;
        const char *s = pv_term_line(t, i, &kind);
        if (s && s[0])
            pv_paint_text_in(&v->paint, s, PV_FACE_MONO, L->px.term, kind_colour(kind), (pv_rect){ x, y, w, L->term_row_h },
                       PV_ALIGN_LEFT);
    }
    int py = y0 + back * L->term_row_h;
    if (t->scroll > 0) {
        char more[64];
        snprintf(more, sizeof more, "↓ %d more lines (PgDn)", t->scroll);
        pv_paint_text_in(&v->paint, more, PV_FACE_SANS, L->px.small, PV_COL_NOW, (pv_rect){ x, py, w, L->term_row_h },
                   PV_ALIGN_RIGHT);
    }
    draw_input(v, host, py, x, w);
}

/* Draws s (one line of the script) wrapped at cols characters from row
 * `row` on; returns the next free row. Rows past `rows` are not drawn. */
static int wrapped(pv_view *v, const char *s, pv_rgba col, int x, int y0, int w, int cols, int row, int rows)
{
    const pv_layout *L = v->lay;
    char chunk[PV_TERM_LINE_MAX];
    do {
        size_t n = 0, chars = 0;
        while (s[n] && chars < (size_t)cols && n + 4 < sizeof chunk) {
            n++;
            while (((unsigned char)s[n] & 0xC0) == 0x80) n++; /* whole UTF-8 characters */
            chars++;
        }
        if (row < rows) {
            memcpy(chunk, s, n);
            chunk[n] = '\0';
            pv_paint_text_in(&v->paint, chunk, PV_FACE_MONO, L->px.term, col,
                       (pv_rect){ x, y0 + row * L->term_row_h, w, L->term_row_h }, PV_ALIGN_LEFT);
        }
        row++;
        s += n;
    } while (*s);
    return row;
}

bool pv_draw_script(pv_view *v)
{
    const pv_layout *L = v->lay;
    const pv_rec *sh = v->sc && !v->term.open ? pv_playback_script(&v->pb) : NULL;
    const char *text = sh ? pv_playback_str(&v->pb, sh->text) : NULL;
    /* A command that printed nothing (node server.js) leaves the table be. */
    if (!text || !strchr(text, '\n') || L->table.h <= 0 || sh->host >= v->sc->nhosts) return false;
    pv_rect r = { L->table.x, L->table_head.y, L->table.w, L->table.y + L->table.h - L->table_head.y };
    pv_fill(&v->paint, r, TERM_BG);
    pv_fill(&v->paint, (pv_rect){ r.x, r.y, r.w, pv_th(L, 2) }, PV_COL_TEMP);
    pv_paint_role(&v->paint, PV_ROLE_TERMINAL);
    char head[200], ms[32];
    snprintf(head, sizeof head, "Terminal on %s: the lesson's command at %s ms  ·  T to type your own",
             v->sc->hosts[sh->host].name, ps_time_ms(sh->t, 0, ms));
    pv_paint_text_in(&v->paint, head, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, L->table_head, PV_ALIGN_LEFT);
    int x = r.x + pv_th(L, 12), w = r.w - pv_th(L, 24);
    int y0 = L->table_head.y + L->table_head.h + pv_th(L, 2);
    int rows = (r.y + r.h - y0) / L->term_row_h;
    int cw = pv_paint_measure(&v->paint, "0", L->px.term, PV_FACE_MONO);
    int cols = cw > 0 ? w / cw : 80;
    if (rows <= 0 || cols <= 0) return true;
    /* "$ COMMAND\nOUTPUT": the command after the host's prompt, then the
     * output as it would scroll by, wrapped; what does not fit is counted. */
    char prompt[160], line[PV_TERM_LINE_MAX];
    pv_term_prompt(prompt, sizeof prompt, v->pb.eng ? ps_shell_user(v->pb.eng, sh->host) : NULL,
                   v->sc->hosts[sh->host].name);
    const char *nl = strchr(text, '\n');
    size_t cmd_len = nl ? (size_t)(nl - text) : strlen(text);
    const char *cmd = text + (cmd_len >= 2 && text[0] == '$' && text[1] == ' ' ? 2 : 0);
    snprintf(line, sizeof line, "%s%.*s", prompt, (int)(text + cmd_len - cmd), cmd);
    int row = wrapped(v, line, PV_COL_TEMP, x, y0, w, cols, 0, rows);
    for (const char *p = nl ? nl + 1 : NULL; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        row = wrapped(v, n ? line : " ", PV_COL_TEXT, x, y0, w, cols, row, rows - 1);
        p = e ? e + 1 : NULL;
    }
    if (row > rows) {
        char more[64];
        snprintf(more, sizeof more, "… %d more lines (T opens the terminal)", row - rows + 1);
        pv_paint_text_in(&v->paint, more, PV_FACE_SANS, L->px.small, PV_COL_NOW,
                   (pv_rect){ x, y0 + (rows - 1) * L->term_row_h, w, L->term_row_h }, PV_ALIGN_RIGHT);
    }
    return true;
}
