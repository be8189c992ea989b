/* panels.c — everything around the street: the top bar (title, clock, key
 * hint), the ss-style socket table with the current event's row
 * highlighted, the event log, the caption in large type, the timeline with
 * event markers, the error banner with the cause in plain words, the notice
 * bar, and the help and file-picker overlays (their keys: keys.h). */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "paint.h"
#include "shell.h"
#include "units.h"
#include "view.h"


enum { MARK_EVENT, MARK_SAY, MARK_ERROR };

/* The top bar's buttons, for a mouse, a touch screen or a clicker's laser:
 * they take the key hint's place when they fit there, so they never crowd
 * the title or the clock. */
#define NBUTTONS 5
typedef struct buttons {
    pv_rect r[NBUTTONS];
    const char *label[NBUTTONS];
    pv_action act[NBUTTONS];
    bool shown;
} buttons;

static buttons button_geometry(const pv_view *v)
{
    const pv_layout *L = v->lay;
    buttons b = { .label = { "◀ step", v->pb.playing ? "‖ pause" : "▶ play", "step ▶", "T terminal", "? help" },
                  .act = { PV_ACT_STEP_PREV, PV_ACT_PLAY_PAUSE, PV_ACT_STEP_NEXT, PV_ACT_TERMINAL, PV_ACT_HELP } };
    if (L->hint.w <= 0 || !v->sc) return b;
    int pad = pv_th(L, 8), gap = pv_th(L, 6), w[NBUTTONS], total = gap * (NBUTTONS - 1);
    for (int i = 0; i < NBUTTONS; i++) {
        /* the wider of the two play labels, so the buttons do not move */
        const char *s = i == 1 ? "‖ pause" : b.label[i];
        w[i] = v->paint.g->measure(v->paint.g->ctx, s, L->px.hint, PV_FACE_SANS) + 2 * pad;
        total += w[i];
    }
    if (total > L->hint.w) return b;
    int x = L->hint.x + L->hint.w - total, h = L->hint.h + pv_th(L, 6);
    for (int i = 0; i < NBUTTONS; i++) {
        b.r[i] = (pv_rect){ x, L->hint.y - pv_th(L, 3), w[i], h };
        x += w[i] + gap;
    }
    b.shown = true;
    return b;
}

pv_action pv_button_at(const pv_view *v, int x, int y)
{
    if (v->notice[0] && !v->hide_notice) return PV_ACT_NONE; /* the notice covers them */
    buttons b = button_geometry(v);
    for (int i = 0; b.shown && i < NBUTTONS; i++)
        if (pv_rect_contains(b.r[i], x, y)) return b.act[i];
    return PV_ACT_NONE;
}

static void draw_topbar(pv_view *v, const char *title, const char *clock, const char *hint)
{
    const pv_layout *L = v->lay;
    pv_fill(&v->paint, L->top, PV_COL_PANEL);
    pv_paint_role(&v->paint, PV_ROLE_TITLE);
    char first[256];
    size_t cut = L->title_split ? L->title_split - 1 : strlen(title);
    snprintf(first, sizeof first, "%.*s", (int)cut, title);
    pv_paint_text_in(&v->paint, first, PV_FACE_BOLD, L->px.title, PV_COL_TEXT, L->title_line[0], PV_ALIGN_LEFT);
    if (L->title_split)
        pv_paint_text_in(&v->paint, title + L->title_split, PV_FACE_BOLD, L->px.title, PV_COL_TEXT, L->title_line[1], PV_ALIGN_LEFT);
    pv_paint_role(&v->paint, PV_ROLE_CLOCK);
    pv_paint_text_in(&v->paint, clock, PV_FACE_MONO, L->px.clock, PV_COL_NOW, L->clock, PV_ALIGN_LEFT);
    if (v->notice[0] && !v->hide_notice) return; /* the notice takes the hint's place */
    buttons b = button_geometry(v);
    if (!b.shown) {
        pv_paint_role(&v->paint, PV_ROLE_HINT);
        pv_paint_text_in(&v->paint, hint, PV_FACE_SANS, L->px.hint, PV_COL_TEXT_DIM, L->hint, PV_ALIGN_RIGHT);
        return;
    }
    pv_paint_role(&v->paint, PV_ROLE_BUTTON);
    for (int i = 0; i < NBUTTONS; i++) {
        pv_fill(&v->paint, b.r[i], PV_COL_PANEL_HEAD);
        pv_outline(&v->paint, b.r[i], i == 1 ? PV_COL_NOW : PV_COL_TEXT_DIM, pv_th(L, 1));
        pv_paint_text_in(&v->paint, b.label[i], PV_FACE_SANS, L->px.hint, i == 1 ? PV_COL_NOW : PV_COL_TEXT, b.r[i],
                         PV_ALIGN_CENTER);
    }
}

/* ---- socket table ---- */

/* Sockets of host h in table order: listeners, then the rest, by slot. */
typedef struct sock_iter {
    const ps_engine *e;
    uint32_t host, slot, slots;
    int pass;
} sock_iter;

static const ps_socket *iter_next(sock_iter *it, uint32_t *index)
{
    while (it->pass < 2) {
        while (it->slot < it->slots) {
            uint32_t i = it->slot++;
            const ps_socket *k = ps_engine_socket(it->e, i);
            /* As ss: a TCP socket only bound (state CLOSED) is in no table it
             * reads; an unconnected UDP socket (also CLOSED) is, as UNCONN. */
            if (!k->live || k->host != it->host ||
                (k->state == PS_CLOSED && k->proto != PS_PROTO_UDP))
                continue;
            bool listener = k->state == PS_LISTEN;
            if (listener == (it->pass == 0)) {
                *index = i;
                return k;
            }
        }
        it->pass++;
        it->slot = 0;
    }
    return NULL;
}

static void socket_row(pv_view *v, uint32_t idx, const ps_socket *k, int y, bool hot)
{
    const pv_layout *L = v->lay;
    char local[PS_SHELL_ENDPOINT_MAX], peer[PS_SHELL_ENDPOINT_MAX], proc[48];
    bool udp = k->proto == PS_PROTO_UDP;
    /* As ss shows them: *:3000 for a dual-stack listener, [::ffff:...] peers,
     * 0.0.0.0:* for an unconnected UDP socket's peer. */
    ps_shell_endpoint(v->pb.eng, idx, false, local);
    ps_shell_endpoint(v->pb.eng, idx, true, peer);
    const ps_proc *p = k->proc != PS_NONE ? ps_engine_proc(v->pb.eng, k->proc) : NULL;
    if (p) snprintf(proc, sizeof proc, "%s,%u", p->name, (unsigned)p->pid);
    else snprintf(proc, sizeof proc, "-");
    if (hot) pv_fill(&v->paint, (pv_rect){ L->table.x + pv_th(L, 4), y, L->table.w - pv_th(L, 8), L->table_row_h }, PV_COL_HILITE);
    uint16_t conv = pv_scene_conv_for(v->scene, k->laddr, k->lport, k->raddr, k->rport);
    pv_rgba ink = pv_paint_conv(&v->paint, v->scene, conv, hot ? PV_COL_NOW : PV_COL_TEXT);
    char state[16]; /* a UDP socket says so, as ss's Netid column does */
    snprintf(state, sizeof state, "%s%s", udp ? "UDP " : "", ps_state_ss((ps_tcp_state)k->state));
    const char *cells[4] = { state, local, peer, proc };
    for (int c = 0; c < 4; c++) {
        int right = c < 3 ? L->col_x[c + 1] : L->table.x + L->table.w;
        pv_rect cell = { L->col_x[c], y, right - L->col_x[c] - pv_th(L, 4), L->table_row_h };
        pv_paint_text_in(&v->paint, cells[c], PV_FACE_MONO, L->px.table, ink, cell, PV_ALIGN_LEFT);
    }
}

/* The socket of the latest event that names one (captions do not). */
static uint32_t current_socket(const pv_view *v)
{
    size_t n = pv_playback_count(&v->pb);
    for (size_t i = n, seen = 0; i > 0 && seen < 16; i--, seen++)
        if (v->pb.ev[i - 1].socket != PS_NONE) return v->pb.ev[i - 1].socket;
    return PS_NONE;
}

/* Which rows the table shows: it scrolls so the hot socket (the demux
 * card's choice, else the latest event's) stays in view. */
typedef struct table_rows {
    uint32_t host, hot, total, start, rows;
    int y; /* top of the first socket row, below the column titles */
    bool udp; /* some row is a UDP socket: the table is like ss -tuanp */
} table_rows;

static table_rows table_geometry(const pv_view *v)
{
    const pv_layout *L = v->lay;
    table_rows t = { pv_view_table_host(v), PS_NONE, 0, 0, 0, 0, false };
    if (t.host == PS_NONE || !v->pb.eng) return t;
    t.hot = v->scene->lookup.active ? v->scene->lookup.socket : current_socket(v);
    uint32_t pos = UINT32_MAX, idx;
    sock_iter it = { v->pb.eng, t.host, 0, ps_engine_socket_slots(v->pb.eng), 0 };
    const ps_socket *k;
    while ((k = iter_next(&it, &idx)) != NULL) {
        if (idx == t.hot) pos = t.total;
        t.udp |= k->proto == PS_PROTO_UDP;
        t.total++;
    }
    t.rows = (uint32_t)(L->table_rows > 0 ? L->table_rows : 0);
    t.start = pos != UINT32_MAX && pos >= t.rows ? pos - t.rows + 1 : 0;
    t.y = L->table_head.y + L->table_head.h + pv_th(L, 2) + L->table_row_h;
    return t;
}

uint32_t pv_table_socket_at(const pv_view *v, int x, int y)
{
    const pv_layout *L = v->lay;
    if (!v->sc || L->table.h <= 0 || !pv_rect_contains(L->table, x, y) || L->table_row_h <= 0) return PS_NONE;
    table_rows t = table_geometry(v);
    if (t.host == PS_NONE || y < t.y) return PS_NONE;
    uint32_t want = t.start + (uint32_t)((y - t.y) / L->table_row_h), idx;
    if (want >= t.start + t.rows) return PS_NONE;
    sock_iter it = { v->pb.eng, t.host, 0, ps_engine_socket_slots(v->pb.eng), 0 };
    for (uint32_t n = 0; iter_next(&it, &idx) != NULL; n++)
        if (n == want) return idx;
    return PS_NONE;
}

static void draw_table(pv_view *v)
{
    const pv_layout *L = v->lay;
    if (L->table.h <= 0) return; /* folded while presenting */
    pv_fill(&v->paint, L->table, PV_COL_PANEL);
    pv_paint_role(&v->paint, PV_ROLE_TABLE);
    table_rows t = table_geometry(v);
    if (t.host == PS_NONE) return;
    uint32_t h = t.host, idx;
    char head[160], addr[16];
    snprintf(head, sizeof head, "Sockets on %s (%s) — like: ss -t%sanp%s", ps_addr_str(v->sc->hosts[h].addrs[0], addr),
             v->sc->hosts[h].name, t.udp ? "u" : "", v->sc->nhosts > 1 ? "   [Tab: next host]" : "");
    if (t.total > t.rows && t.rows > 0)
        snprintf(head + strlen(head), sizeof head - strlen(head), "   rows %u–%u of %u", t.start + 1,
                 t.start + t.rows < t.total ? t.start + t.rows : t.total, t.total);
    pv_paint_text_in(&v->paint, head, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, L->table_head, PV_ALIGN_LEFT);
    static const char *const titles[4] = { "State", "Local Address:Port", "Peer Address:Port", "Process" };
    for (int c = 0; c < 4; c++)
        pv_paint_text(&v->paint, titles[c], PV_FACE_MONO, L->px.table, PV_COL_TEXT_DIM, L->col_x[c],
                      t.y - L->table_row_h, 0, 0);
    int y = t.y;
    sock_iter it = { v->pb.eng, h, 0, ps_engine_socket_slots(v->pb.eng), 0 };
    const ps_socket *k;
    for (uint32_t n = 0; (k = iter_next(&it, &idx)) != NULL && n < t.start + t.rows; n++) {
        if (n < t.start) continue;
        socket_row(v, idx, k, y, idx == t.hot);
        y += L->table_row_h;
    }
}

/* ---- event log ---- */

/* The conversation of an event's socket, while that socket lives. */
static uint16_t event_conv(const pv_view *v, const pv_rec *e)
{
    if (e->socket == PS_NONE || e->socket >= ps_engine_socket_slots(v->pb.eng)) return PV_NO_CONV;
    const ps_socket *k = ps_engine_socket(v->pb.eng, e->socket);
    return k->live ? pv_scene_conv_for(v->scene, k->laddr, k->lport, k->raddr, k->rport) : PV_NO_CONV;
}

/* Where the log's rows are: the first event shown, how many, and the top of
 * the first row. The log shows the latest events up to now. */
typedef struct log_rows {
    size_t first, n;
    int y;
} log_rows;

static log_rows log_geometry(const pv_view *v)
{
    const pv_layout *L = v->lay;
    size_t n = pv_playback_count(&v->pb);
    int y = L->log_head.y + L->log_head.h + pv_th(L, 2);
    if (L->lookup_in_log) y = L->lookup.y + L->lookup.h + pv_th(L, 4); /* below the demux card */
    int fit = (L->log.y + L->log.h - y) / (L->log_row_h > 0 ? L->log_row_h : 1);
    size_t rows = (size_t)(fit > 0 ? fit : 0);
    size_t first = n > rows ? n - rows : 0;
    return (log_rows){ first, n - first, y };
}

size_t pv_log_event_at(const pv_view *v, int x, int y)
{
    const pv_layout *L = v->lay;
    if (!v->sc || L->log.h <= 0 || !pv_rect_contains(L->log, x, y)) return SIZE_MAX;
    log_rows r = log_geometry(v);
    if (y < r.y || L->log_row_h <= 0) return SIZE_MAX;
    size_t k = (size_t)((y - r.y) / L->log_row_h);
    return k < r.n ? r.first + k : SIZE_MAX;
}

static void draw_log(pv_view *v)
{
    const pv_layout *L = v->lay;
    if (L->log.h <= 0) return; /* folded while presenting */
    pv_fill(&v->paint, L->log, PV_COL_PANEL);
    pv_fill(&v->paint, (pv_rect){ L->log.x, L->log.y, pv_th(L, 2), L->log.h }, PV_COL_PANEL_HEAD);
    pv_paint_role(&v->paint, PV_ROLE_LOG);
    size_t n = pv_playback_count(&v->pb);
    char head[96], line[256];
    snprintf(head, sizeof head, "Events (%zu of %zu)%s", n, v->pb.nev, v->pb.truncated ? " — recording capped" : "");
    pv_paint_text_in(&v->paint, head, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, L->log_head, PV_ALIGN_LEFT);
    log_rows rows = log_geometry(v);
    int y = rows.y;
    size_t first = rows.first;
    size_t lead = SIZE_MAX; /* the times are right-aligned: drop only the blanks every row has */
    for (size_t i = first; i < n; i++) {
        size_t k = strspn(pv_playback_line(&v->pb, i, line, sizeof line), " ");
        lead = k < lead ? k : lead;
    }
    for (size_t i = first; i < n; i++, y += L->log_row_h) {
        pv_playback_log_line(&v->pb, i, line, sizeof line);
        bool cur = i + 1 == n;
        pv_rect r = { L->log.x + pv_th(L, 10), y, L->log.w - pv_th(L, 20), L->log_row_h };
        if (cur) pv_fill(&v->paint, (pv_rect){ L->log.x + pv_th(L, 4), y, L->log.w - pv_th(L, 8), L->log_row_h }, PV_COL_HILITE);
        pv_rgba ink = pv_paint_conv(&v->paint, v->scene, event_conv(v, &v->pb.ev[i]), cur ? PV_COL_NOW : PV_COL_TEXT);
        pv_paint_text_in(&v->paint, line + lead, PV_FACE_MONO, L->px.log, ink, r, PV_ALIGN_LEFT);
    }
}

/* ---- caption ---- */

static void draw_caption(pv_view *v, const char *caption)
{
    const pv_layout *L = v->lay;
    pv_fill(&v->paint, L->caption, PV_COL_PANEL_HEAD);
    pv_paint_role(&v->paint, PV_ROLE_CAPTION);
    if (!caption) return;
    char first[512];
    if (L->caption_split) {
        size_t n = L->caption_split - 1 < sizeof first - 1 ? L->caption_split - 1 : sizeof first - 1;
        memcpy(first, caption, n);
        first[n] = '\0';
        pv_paint_text_in(&v->paint, first, PV_FACE_SANS, L->px.caption, PV_COL_TEXT, L->caption_line[0], PV_ALIGN_CENTER);
        pv_paint_text_in(&v->paint, caption + L->caption_split, PV_FACE_SANS, L->px.caption, PV_COL_TEXT,
                   L->caption_line[1], PV_ALIGN_CENTER);
    } else {
        pv_paint_text_in(&v->paint, caption, PV_FACE_SANS, L->px.caption, PV_COL_TEXT, L->caption_line[0], PV_ALIGN_CENTER);
    }
}

/* ---- timeline ---- */

static void build_marks(pv_view *v)
{
    const pv_layout *L = v->lay;
    if (v->marks_w == L->track.w) return;
    v->marks_w = L->track.w;
    v->nmarks = 0;
    int last_x = -1;
    for (size_t i = 0; i < v->pb.nev && v->nmarks < PV_MARKS_MAX; i++) {
        const pv_rec *e = &v->pb.ev[i];
        uint8_t kind = e->kind == PS_EV_SAY ? MARK_SAY : e->kind == PS_EV_ERROR ? MARK_ERROR : MARK_EVENT;
        int x = (int)(pv_axis_frac(&v->pb.axis, e->t) * (L->track.w - 1));
        if (x == last_x && v->nmarks > 0) {
            if (kind > v->mark_kind[v->nmarks - 1]) v->mark_kind[v->nmarks - 1] = kind;
            continue;
        }
        v->mark_x[v->nmarks] = (int16_t)x;
        v->mark_kind[v->nmarks++] = kind;
        last_x = x;
    }
}

static void draw_gaps(pv_view *v)
{
    const pv_layout *L = v->lay;
    const pv_axis *a = &v->pb.axis;
    for (uint32_t k = 0; k + 1 < a->n; k++) {
        if ((double)(a->t[k + 1] - a->t[k]) <= a->u[k + 1] - a->u[k] + 0.5) continue;
        int x0 = L->track.x + (int)(pv_axis_frac(a, a->t[k]) * L->track.w);
        int x1 = L->track.x + (int)(pv_axis_frac(a, a->t[k + 1]) * L->track.w);
        pv_rect gap = { x0 + pv_th(L, 4), L->track.y - pv_th(L, 2), x1 - x0 - pv_th(L, 8), L->track.h + pv_th(L, 4) };
        pv_fill(&v->paint, gap, PV_COL_TIMELINE_GAP);
        if (L->present) continue; /* no small print while presenting */
        char buf[48], d[32];
        snprintf(buf, sizeof buf, "≈ %s quiet", ps_time_str(a->t[k + 1] - a->t[k], d));
        pv_rect lab = { gap.x, L->timeline.y, gap.w, L->track.y - L->timeline.y };
        pv_paint_text_in(&v->paint, buf, PV_FACE_SANS, L->px.small < lab.h * 4 / 5 ? L->px.small : lab.h * 4 / 5,
                   PV_COL_TEXT_DIM, lab, PV_ALIGN_CENTER);
    }
}

static void draw_timeline(pv_view *v)
{
    const pv_layout *L = v->lay;
    pv_fill(&v->paint, L->timeline, PV_COL_PANEL);
    pv_paint_role(&v->paint, PV_ROLE_TIMELINE);
    pv_fill(&v->paint, L->track, PV_COL_PANEL_HEAD);
    build_marks(v);
    int now_x = L->track.x + (int)(pv_axis_frac(&v->pb.axis, v->pb.now) * (L->track.w - 1));
    pv_fill(&v->paint, (pv_rect){ L->track.x, L->track.y, now_x - L->track.x, L->track.h }, PV_COL_NOW);
    draw_gaps(v);
    for (int i = 0; i < v->nmarks; i++) {
        int x = L->track.x + v->mark_x[i], k = v->mark_kind[i];
        int hh = k == MARK_EVENT ? pv_th(L, 5) : pv_th(L, 9);
        pv_rgba c = k == MARK_ERROR ? PV_COL_ERROR : k == MARK_SAY ? PV_COL_TEXT : PV_COL_TEXT_DIM;
        int w = k == MARK_EVENT ? 1 : pv_th(L, 3);
        pv_fill(&v->paint, (pv_rect){ x - w / 2, L->track.y + L->track.h / 2 - hh, w, 2 * hh }, c);
    }
    pv_fill(&v->paint, (pv_rect){ now_x - pv_th(L, 3), L->track.y - pv_th(L, 9), pv_th(L, 6), L->track.h + pv_th(L, 18) },
            PV_COL_NOW);
    if (L->present) return;
    char end[48], ms[32];
    snprintf(end, sizeof end, "end %s ms", ps_time_ms(v->pb.end, 0, ms));
    pv_rect lab = { L->track.x, L->track.y + L->track.h + pv_th(L, 2), L->track.w,
                    L->timeline.y + L->timeline.h - (L->track.y + L->track.h + pv_th(L, 2)) };
    int px = L->px.small < lab.h * 4 / 5 ? L->px.small : lab.h * 4 / 5; /* zoomed: the band stays thin */
    pv_paint_text_in(&v->paint, "0 ms", PV_FACE_SANS, px, PV_COL_TEXT_DIM, lab, PV_ALIGN_LEFT);
    pv_paint_text_in(&v->paint, end, PV_FACE_SANS, px, PV_COL_TEXT_DIM, lab, PV_ALIGN_RIGHT);
}

/* ---- banner and notice ---- */

static void two_line_box(pv_view *v, pv_rect r, const char *line1, const char *line2, pv_rgba edge)
{
    const pv_layout *L = v->lay;
    pv_fill(&v->paint, r, PV_COL_ERROR_BG);
    pv_outline(&v->paint, r, edge, pv_th(L, 3));
    int pad = pv_th(L, 12), half = (r.h - pv_th(L, 6)) / 2;
    int px1 = L->px.big < half * 4 / 5 ? L->px.big : half * 4 / 5;
    int px2 = L->px.name < half * 4 / 5 ? L->px.name : half * 4 / 5;
    pv_rect a = { r.x + pad, r.y + pv_th(L, 3), r.w - 2 * pad, line2 ? half : r.h - pv_th(L, 6) };
    pv_rect b = { r.x + pad, r.y + pv_th(L, 3) + half, r.w - 2 * pad, half };
    pv_paint_text_in(&v->paint, line1, PV_FACE_BOLD, px1, PV_COL_TEXT, a, PV_ALIGN_LEFT);
    if (line2) pv_paint_text_in(&v->paint, line2, PV_FACE_SANS, px2, PV_COL_TEXT, b, PV_ALIGN_LEFT);
}

static void draw_banner(pv_view *v)
{
    const pv_rec *e = pv_playback_error(&v->pb, PV_BANNER_WINDOW);
    if (v->notice[0] && v->notice_error && !v->hide_notice) e = NULL; /* a load error is the news */
    if (!e) return;
    char line1[300];
    snprintf(line1, sizeof line1, "⚠ %s", pv_playback_str(&v->pb, e->text) ? pv_playback_str(&v->pb, e->text) : "error");
    pv_paint_role(&v->paint, PV_ROLE_BANNER);
    two_line_box(v, v->lay->banner, line1, ps_errno_explain((ps_errno)e->err), PV_COL_ERROR);
}

/* In the top bar, never over the street; an error in the band above the
 * caption. Screenshots leave them out (hide_notice). */
static void draw_notice(pv_view *v)
{
    if (!v->notice[0] || v->hide_notice) return;
    const pv_layout *L = v->lay;
    pv_paint_role(&v->paint, PV_ROLE_NOTICE);
    if (v->notice_error) {
        two_line_box(v, L->banner, v->notice, NULL, PV_COL_ERROR);
    } else {
        pv_rect r = L->notice;
        pv_fill(&v->paint, r, PV_COL_PANEL_HEAD);
        pv_outline(&v->paint, r, PV_COL_TEMP, pv_th(L, 2));
        pv_rect in = { r.x + pv_th(L, 10), r.y, r.w - pv_th(L, 20), r.h };
        pv_paint_text_in(&v->paint, v->notice, PV_FACE_SANS, L->px.hint, PV_COL_TEXT, in, PV_ALIGN_LEFT);
    }
}

void pv_draw_panels(pv_view *v, const char *title, const char *clock, const char *hint, const char *caption)
{
    draw_topbar(v, title, clock, hint);
    if (!pv_draw_script(v)) draw_table(v);
    draw_log(v);
    draw_caption(v, caption);
    draw_timeline(v);
    draw_banner(v);
    draw_notice(v);
}

/* ---- overlays ---- */

static void overlay_box(pv_view *v, const char *title)
{
    const pv_layout *L = v->lay;
    pv_fill(&v->paint, (pv_rect){ 0, 0, L->w, L->h }, PV_COL_OVERLAY);
    pv_fill(&v->paint, L->overlay, PV_COL_PANEL_HEAD);
    pv_outline(&v->paint, L->overlay, PV_COL_TEMP, pv_th(L, 2));
    pv_paint_text(&v->paint, title, PV_FACE_BOLD, L->px.big, PV_COL_TEXT, L->overlay.x + pv_th(L, 20),
                 L->overlay.y + pv_th(L, 14), L->overlay.w - pv_th(L, 40), PV_ALIGN_LEFT);
}

/* The window's rows of the key table (keys.h), one a line. */
static void draw_help(pv_view *v)
{
    const pv_layout *L = v->lay;
    pv_paint_role(&v->paint, PV_ROLE_HELP);
    overlay_box(v, pv_key_mode_title(PV_KEYS_WINDOW));
    size_t nrows;
    const pv_key_row *rows = pv_key_rows(&nrows);
    int n = 0;
    for (size_t i = 0; i < nrows; i++) n += rows[i].mode == PV_KEYS_WINDOW;
    int row = (L->overlay.h - pv_th(L, 70)) / n, px = row * 6 / 10 < L->px.name + 2 ? row * 6 / 10 : L->px.name + 2;
    int x = L->overlay.x + pv_th(L, 20), kw = (L->overlay.w - pv_th(L, 40)) * 2 / 5;
    int y = L->overlay.y + pv_th(L, 52);
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].mode != PV_KEYS_WINDOW) continue;
        pv_paint_text(&v->paint, rows[i].label, PV_FACE_BOLD, px, PV_COL_NOW, x, y, kw - pv_th(L, 10), PV_ALIGN_LEFT);
        pv_paint_text(&v->paint, rows[i].help, PV_FACE_SANS, px, PV_COL_TEXT, x + kw, y,
                     L->overlay.w - pv_th(L, 40) - kw, PV_ALIGN_LEFT);
        y += row;
    }
}

/* "Open a scenario   (↑ ↓ choose · Enter open · Esc cancel)", from the table. */
static void picker_title(char *buf, size_t size)
{
    size_t nrows, len = (size_t)snprintf(buf, size, "Open a scenario   (");
    const pv_key_row *rows = pv_key_rows(&nrows);
    const char *sep = "";
    for (size_t i = 0; i < nrows && len < size; i++) {
        if (rows[i].mode != PV_KEYS_PICKER) continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%s %s", sep, rows[i].label, rows[i].help);
        sep = " · ";
    }
    if (len < size) snprintf(buf + len, size - len, ")");
}

/* The picker's list: where its rows are, and which entries are in view. */
typedef struct picker_rows {
    int x, w, top, row, fit, first;
} picker_rows;

static picker_rows picker_geometry(const pv_view *v)
{
    const pv_layout *L = v->lay;
    picker_rows r = { L->overlay.x + pv_th(L, 20), L->overlay.w - pv_th(L, 40), L->overlay.y + pv_th(L, 52),
                      L->px.name * 7 / 4, 0, 0 };
    r.fit = r.row > 0 ? (L->overlay.h - pv_th(L, 64)) / r.row : 0;
    r.first = v->pick >= r.fit ? v->pick - r.fit + 1 : 0;
    return r;
}

int pv_picker_at(const pv_view *v, int x, int y)
{
    picker_rows r = picker_geometry(v);
    if (!v->picker || r.row <= 0 || x < r.x - pv_th(v->lay, 6) || x > r.x + r.w + pv_th(v->lay, 6) || y < r.top) return -1;
    int i = r.first + (y - r.top) / r.row;
    return i < v->npicks && i < r.first + r.fit ? i : -1;
}

static void draw_picker(pv_view *v)
{
    const pv_layout *L = v->lay;
    pv_paint_role(&v->paint, PV_ROLE_PICKER);
    char title[160];
    picker_title(title, sizeof title);
    overlay_box(v, title);
    picker_rows r = picker_geometry(v);
    if (v->npicks == 0)
        pv_paint_text(&v->paint, "No lessons (.scn files) found — drop a file on the window instead.", PV_FACE_SANS,
                     L->px.name, PV_COL_TEXT, r.x, r.top, r.w, PV_ALIGN_LEFT);
    for (int i = r.first; i < v->npicks && i < r.first + r.fit; i++) {
        int y = r.top + (i - r.first) * r.row;
        bool sel = i == v->pick;
        if (sel) pv_fill(&v->paint, (pv_rect){ r.x - pv_th(L, 6), y - pv_th(L, 2), r.w + pv_th(L, 12), r.row }, PV_COL_HILITE);
        /* the lesson's title, then its file name, dimmer, on the right */
        const char *base = strrchr(v->picks[i], '/') ? strrchr(v->picks[i], '/') + 1 : v->picks[i];
        int fw = pv_paint_measure(&v->paint, base, L->px.name, PV_FACE_MONO);
        if (fw > r.w / 2) fw = r.w / 2;
        pv_paint_text(&v->paint, v->pick_titles[i][0] ? v->pick_titles[i] : base, PV_FACE_SANS, L->px.name,
                     sel ? PV_COL_NOW : PV_COL_TEXT, r.x, y, r.w - fw - pv_th(L, 16), PV_ALIGN_LEFT);
        if (v->pick_titles[i][0])
            pv_paint_text(&v->paint, base, PV_FACE_MONO, L->px.name, PV_COL_TEXT_DIM, r.x + r.w - fw, y, fw,
                         PV_ALIGN_LEFT);
    }
}

void pv_draw_overlays(pv_view *v)
{
    if (v->picker) draw_picker(v);
    else if (v->help) draw_help(v);
}
