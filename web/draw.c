/* draw.c — the canvas backend: draws a computed layout (render/layout.h)
 * and its scene the way render/sdl/draw.c, panels.c and term_panel.c draw
 * them in the window — street, buildings, floors, doors, connection lines,
 * envelopes, top bar, socket table, event log, caption, timeline, error
 * banner, notice, help overlay and the live terminal — through web/gfx.h. */
#include <stdio.h>
#include <string.h>

#include "gfx.h"
#include "keys.h"
#include "shell.h"
#include "units.h"
#include "view.h"

#define BANNER_WINDOW 100000u /* an error stays at least 100 ms of simulated time */
#define TERM_BG PV_RGB(0x0A, 0x0D, 0x13)

enum { MARK_EVENT, MARK_SAY, MARK_ERROR };

static int th(const pv_layout *L, double v)
{
    int n = (int)(v * L->s + 0.5);
    return n < 1 ? 1 : n;
}

static void fill(pv_rect r, pv_rgba c) { gfx_fill(r.x, r.y, r.w, r.h, gfx_rgba(c)); }
static void outline(pv_rect r, pv_rgba c, int t) { gfx_outline(r.x, r.y, r.w, r.h, gfx_rgba(c), t); }
static void dashed(pv_rect r, pv_rgba c, int t, int d) { gfx_dashed(r.x, r.y, r.w, r.h, gfx_rgba(c), t, d); }
static void line(pv_point a, pv_point b, pv_rgba c, int t) { gfx_line(a.x, a.y, b.x, b.y, gfx_rgba(c), t, 0); }

static void text_in(const char *s, pv_face f, int px, pv_rgba c, pv_rect r, int align)
{
    if (r.w > 0 && r.h > 0) gfx_text(s, (int)f, px, gfx_rgba(c), r.x, r.y, r.w, r.h, align);
}

static void text_at(const char *s, pv_face f, int px, pv_rgba c, int x, int y, int max_w, int align)
{
    gfx_text(s, (int)f, px, gfx_rgba(c), x, y, max_w, 0, align);
}

/* ---- the street ---- */

static pv_rgba door_colour(uint8_t kind)
{
    return kind == PV_DOOR_LISTEN ? PV_COL_LISTEN : kind == PV_DOOR_TEMP ? PV_COL_TEMP : PV_COL_EMPTY;
}

static void draw_floor(const pv_layout *L, const pv_host_box *hb, const pv_floor_box *f)
{
    if (f->r.w <= 0) return;
    if (f->priv) {
        int i = th(L, 3);
        pv_rect in = { f->r.x + i, f->r.y + i, f->r.w - 2 * i, f->r.h - 2 * i };
        gfx_hatch(in.x, in.y, in.w, in.h, gfx_rgba(PV_COL_PRIV_HATCH), th(L, 10));
        dashed(in, PV_COL_PRIV, th(L, 2), th(L, 7));
        pv_rect k = f->lock;
        if (k.w > 0) { /* a padlock: shackle and body */
            outline((pv_rect){ k.x + k.w / 5, k.y, k.w - 2 * (k.w / 5), k.h / 2 }, PV_COL_PRIV, 1 + k.w / 8);
            fill((pv_rect){ k.x, k.y + k.h * 2 / 5, k.w, k.h - k.h * 2 / 5 }, PV_COL_PRIV);
        }
    }
    if (f->more.w > 0) {
        char title[24];
        snprintf(title, sizeof title, "+%u", (unsigned)f->more_count);
        fill(f->more, PV_COL_TEMP_FILL);
        dashed(f->more, PV_COL_TEXT_DIM, th(L, 2), th(L, 5));
        text_in(title, PV_FACE_BOLD, hb->door_title_px, PV_COL_TEXT, f->more_title, PV_ALIGN_CENTER);
        text_in("more doors", PV_FACE_SANS, hb->door_sub_px, PV_COL_TEXT_DIM, f->more_sub, PV_ALIGN_CENTER);
    }
}

static void floor_heads(const pv_layout *L, const pv_host_box *hb, uint16_t unpriv)
{
    char head[80];
    if (hb->upper.head.h > 0) {
        snprintf(head, sizeof head, "ports %u and up", (unsigned)unpriv);
        text_in(head, PV_FACE_SANS, L->px.floor, PV_COL_TEXT_DIM, hb->upper.head, PV_ALIGN_LEFT);
    }
    if (hb->priv.head.h > 0) {
        snprintf(head, sizeof head, "PRIVILEGED FLOOR: below %u (root only)", (unsigned)unpriv);
        if (gfx_measure(head, L->px.floor, PV_FACE_BOLD) > hb->priv.head.w)
            snprintf(head, sizeof head, "PRIVILEGED: < %u, root", (unsigned)unpriv);
        text_in(head, PV_FACE_BOLD, L->px.floor, PV_COL_PRIV, hb->priv.head, PV_ALIGN_LEFT);
    }
}

static void draw_door(const pv_layout *L, const pv_host_box *hb, const pv_door *d, const pv_door_box *b)
{
    if (b->r.w <= 0) return;
    pv_rgba edge = door_colour(d->kind);
    if (d->kind == PV_DOOR_LISTEN) {
        fill(b->r, PV_COL_DOOR_FILL);
        outline(b->r, edge, th(L, 3));
    } else if (d->kind == PV_DOOR_TEMP) {
        fill(b->r, PV_COL_TEMP_FILL);
        dashed(b->r, edge, th(L, 3), th(L, 6));
    } else {
        dashed(b->r, edge, th(L, 1), th(L, 3));
    }
    bool empty = d->kind == PV_DOOR_EMPTY;
    text_in(d->title, empty ? PV_FACE_MONO : PV_FACE_BOLD, hb->door_title_px, empty ? PV_COL_TEXT_DIM : PV_COL_TEXT,
            b->title, PV_ALIGN_CENTER);
    text_in(d->sub, PV_FACE_SANS, hb->door_sub_px, PV_COL_TEXT_DIM, b->sub, PV_ALIGN_CENTER);
    text_in(d->note, PV_FACE_SANS, hb->door_sub_px, d->kind == PV_DOOR_LISTEN ? edge : PV_COL_TEXT_DIM, b->note,
            PV_ALIGN_CENTER);
}

static void draw_building(const pv_layout *L, const pv_scene *s, uint32_t i)
{
    const pv_host_box *hb = &L->hosts[i];
    const pv_host *h = &s->hosts[i];
    gfx_triangle(hb->roof[0].x, hb->roof[0].y, hb->roof[1].x, hb->roof[1].y, hb->roof[2].x, hb->roof[2].y,
                 gfx_rgba(PV_COL_ROOF));
    fill(hb->body, PV_COL_BUILDING);
    outline(hb->body, PV_COL_BUILD_EDGE, th(L, 2));
    fill(hb->plate, PV_COL_LABEL_BG);
    text_in(h->addr, PV_FACE_BOLD, hb->plate.h * 7 / 10, PV_COL_TEXT_DARK, hb->plate, PV_ALIGN_CENTER);
    char name[160];
    snprintf(name, sizeof name, h->procs[0] ? "%s · %s" : "%s", h->name, h->procs);
    text_in(name, PV_FACE_SANS, hb->name.h * 4 / 5, PV_COL_TEXT, hb->name, PV_ALIGN_CENTER);
    draw_floor(L, hb, &hb->upper);
    draw_floor(L, hb, &hb->priv);
    floor_heads(L, hb, h->unpriv_start);
    for (uint32_t k = 0; k < h->ndoors; k++)
        draw_door(L, hb, &s->doors[h->first_door + k], &L->doors[h->first_door + k]);
}

static void draw_links(const pv_layout *L, const pv_scene *s)
{
    for (uint32_t i = 0; i < L->nlinks; i++) {
        const pv_link_box *b = &L->links[i];
        gfx_curve(b->a.x, b->a.y, b->ctrl.x, b->ctrl.y, b->b.x, b->b.y, gfx_rgba(PV_COL_LINK),
                  s->links[i].count > 1 ? th(L, 4) : th(L, 2));
    }
    for (uint32_t i = 0; i < L->nlinks; i++) {
        const pv_link_box *b = &L->links[i];
        if (b->count.w <= 0) continue;
        char buf[32];
        snprintf(buf, sizeof buf, "%u conns", (unsigned)s->links[i].count);
        fill(b->count, PV_COL_PANEL);
        outline(b->count, PV_COL_LINK, 1);
        text_in(buf, PV_FACE_MONO, L->px.small, PV_COL_TEXT, b->count, PV_ALIGN_CENTER);
    }
}

static pv_rgba envelope_colour(uint8_t flags)
{
    if (flags & PS_RST) return PV_COL_ENV_RST;
    if (flags & PS_SYN) return PV_COL_ENV_SYN;
    if (flags & PS_FIN) return PV_COL_ENV_FIN;
    return PV_COL_ENV_DATA;
}

static void draw_envelope(const pv_layout *L, const pv_envelope *v, const pv_env_box *b)
{
    pv_rgba c = envelope_colour(v->flags);
    bool icon = b->label.w <= 0; /* too small for words: colour and outline style */
    pv_point mid = { b->r.x + b->r.w / 2, b->r.y + (icon ? b->r.h / 2 : b->r.h * 2 / 5) };
    pv_rgba flap = icon ? c : PV_RGB(0xC8, 0xBE, 0xA6);
    fill(b->r, PV_COL_ENV_FILL);
    line((pv_point){ b->r.x, b->r.y }, mid, flap, 1);
    line((pv_point){ b->r.x + b->r.w - 1, b->r.y }, mid, flap, 1);
    if (v->flags & PS_RST) dashed(b->r, c, th(L, icon ? 2 : 3), th(L, icon ? 3 : 5));
    else outline(b->r, c, th(L, icon ? 1 : 2));
    if (icon) return;
    text_in(v->label, PV_FACE_MONO, L->px.env, PV_COL_TEXT_DARK, b->label, PV_ALIGN_LEFT);
    text_in(v->detail, PV_FACE_MONO, L->px.env, PV_RGB(0x4A, 0x4A, 0x4A), b->detail, PV_ALIGN_LEFT);
}

static void draw_scene(const pv_layout *L, const pv_scene *s)
{
    fill(L->scene, PV_COL_SKY_TOP);
    for (uint32_t i = 0; i < L->nrows; i++) {
        pv_rect st = L->streets[i];
        fill(st, PV_COL_STREET);
        gfx_line(st.x, st.y + st.h / 2, st.x + st.w, st.y + st.h / 2, gfx_rgba(PV_COL_STREET_MID), th(L, 2),
                 th(L, 16));
    }
    for (uint32_t i = 0; i < L->nhosts; i++) draw_building(L, s, i);
    draw_links(L, s);
    /* newest first, so the oldest (arriving soonest) lies on top */
    for (uint32_t i = L->nenvs; i-- > 0;) draw_envelope(L, &s->envs[i], &L->envs[i]);
    if (L->env_more.w > 0) {
        char buf[48];
        snprintf(buf, sizeof buf, "+%u more envelopes", (unsigned)s->hidden_envs);
        text_in(buf, PV_FACE_SANS, L->px.small, PV_COL_TEXT, L->env_more, PV_ALIGN_RIGHT);
    }
}

/* ---- the socket table: listeners first, then the rest, by slot ---- */

static bool table_row_next(const ps_engine *e, uint32_t host, uint32_t *slot, int *pass, uint32_t *index)
{
    uint32_t slots = ps_engine_socket_slots(e);
    for (; *pass < 2; (*pass)++, *slot = 0) {
        while (*slot < slots) {
            uint32_t i = (*slot)++;
            const ps_socket *k = ps_engine_socket(e, i);
            if (k->live && k->host == host && (k->state == PS_LISTEN) == (*pass == 0)) {
                *index = i;
                return true;
            }
        }
    }
    return false;
}

static void socket_row(const web_view *v, const ps_socket *k, int y, bool hot)
{
    const pv_layout *L = v->lay;
    char local[24], peer[24], proc[48];
    ps_endpoint_str(k->laddr, k->lport, local);
    if (k->state == PS_LISTEN) snprintf(peer, sizeof peer, "0.0.0.0:*");
    else ps_endpoint_str(k->raddr, k->rport, peer);
    const ps_proc *p = k->proc != PS_NONE ? ps_engine_proc(v->pb.eng, k->proc) : NULL;
    if (p) snprintf(proc, sizeof proc, "%s,%u", p->name, (unsigned)p->pid);
    else snprintf(proc, sizeof proc, "-");
    if (hot) fill((pv_rect){ L->table.x + th(L, 4), y, L->table.w - th(L, 8), L->table_row_h }, PV_COL_HILITE);
    const char *cells[4] = { ps_state_ss((ps_tcp_state)k->state), local, peer, proc };
    for (int c = 0; c < 4; c++) {
        int right = c < 3 ? L->col_x[c + 1] : L->table.x + L->table.w;
        text_in(cells[c], PV_FACE_MONO, L->px.table, hot ? PV_COL_NOW : PV_COL_TEXT,
                (pv_rect){ L->col_x[c], y, right - L->col_x[c] - th(L, 4), L->table_row_h }, PV_ALIGN_LEFT);
    }
}

/* The socket of the latest event that names one (captions do not). */
static uint32_t current_socket(const web_view *v)
{
    size_t n = pv_playback_count(&v->pb);
    for (size_t i = n, seen = 0; i > 0 && seen < 16; i--, seen++)
        if (v->pb.ev[i - 1].socket != PS_NONE) return v->pb.ev[i - 1].socket;
    return PS_NONE;
}

static void draw_table(const web_view *v)
{
    const pv_layout *L = v->lay;
    uint32_t h = web_table_host(v);
    fill(L->table, PV_COL_PANEL);
    if (h == PS_NONE || !v->pb.eng) return;
    uint32_t hot = current_socket(v), total = 0, pos = UINT32_MAX, idx, slot = 0;
    int pass = 0;
    while (table_row_next(v->pb.eng, h, &slot, &pass, &idx)) {
        if (idx == hot) pos = total;
        total++;
    }
    uint32_t rows = (uint32_t)(L->table_rows > 0 ? L->table_rows : 0);
    uint32_t start = pos != UINT32_MAX && pos >= rows ? pos - rows + 1 : 0;
    char head[160], addr[16];
    snprintf(head, sizeof head, "Sockets on %s (%s) — like: ss -tanp%s", ps_addr_str(v->sc->hosts[h].addrs[0], addr),
             v->sc->hosts[h].name, v->sc->nhosts > 1 ? "   [Tab: next host]" : "");
    if (total > rows && rows > 0)
        snprintf(head + strlen(head), sizeof head - strlen(head), "   rows %u–%u of %u", start + 1,
                 start + rows < total ? start + rows : total, total);
    text_in(head, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, L->table_head, PV_ALIGN_LEFT);
    int y = L->table_head.y + L->table_head.h + th(L, 2);
    static const char *const titles[4] = { "State", "Local Address:Port", "Peer Address:Port", "Process" };
    for (int c = 0; c < 4; c++) text_at(titles[c], PV_FACE_MONO, L->px.table, PV_COL_TEXT_DIM, L->col_x[c], y, 0, 0);
    y += L->table_row_h;
    slot = 0;
    pass = 0;
    for (uint32_t n = 0; n < start + rows && table_row_next(v->pb.eng, h, &slot, &pass, &idx); n++) {
        if (n < start) continue;
        socket_row(v, ps_engine_socket(v->pb.eng, idx), y, idx == hot);
        y += L->table_row_h;
    }
}

/* ---- event log, caption ---- */

static void draw_log(const web_view *v)
{
    const pv_layout *L = v->lay;
    fill(L->log, PV_COL_PANEL);
    fill((pv_rect){ L->log.x, L->log.y, th(L, 2), L->log.h }, PV_COL_PANEL_HEAD);
    size_t n = pv_playback_count(&v->pb);
    char head[96], text[256];
    snprintf(head, sizeof head, "Events (%zu of %zu)%s", n, v->pb.nev, v->pb.truncated ? " — recording capped" : "");
    text_in(head, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, L->log_head, PV_ALIGN_LEFT);
    size_t rows = (size_t)(L->log_rows > 0 ? L->log_rows : 0);
    int y = L->log_head.y + L->log_head.h + th(L, 2);
    for (size_t i = n > rows ? n - rows : 0; i < n; i++, y += L->log_row_h) {
        pv_playback_line(&v->pb, i, text, sizeof text);
        pv_rect r = { L->log.x + th(L, 10), y, L->log.w - th(L, 20), L->log_row_h };
        text_in(text + strspn(text, " "), PV_FACE_MONO, L->px.log, i + 1 == n ? PV_COL_NOW : PV_COL_TEXT, r,
                PV_ALIGN_LEFT);
    }
}

static void draw_caption(const pv_layout *L, const char *caption)
{
    fill(L->caption, PV_COL_PANEL_HEAD);
    if (!caption) return;
    if (!L->caption_split) {
        text_in(caption, PV_FACE_SANS, L->px.caption, PV_COL_TEXT, L->caption_line[0], PV_ALIGN_CENTER);
        return;
    }
    char first[512];
    size_t n = L->caption_split - 1 < sizeof first - 1 ? L->caption_split - 1 : sizeof first - 1;
    memcpy(first, caption, n);
    first[n] = '\0';
    text_in(first, PV_FACE_SANS, L->px.caption, PV_COL_TEXT, L->caption_line[0], PV_ALIGN_CENTER);
    text_in(caption + L->caption_split, PV_FACE_SANS, L->px.caption, PV_COL_TEXT, L->caption_line[1],
            PV_ALIGN_CENTER);
}

/* ---- timeline ---- */

static void build_marks(web_view *v)
{
    const pv_layout *L = v->lay;
    if (v->marks_w == L->track.w) return;
    v->marks_w = L->track.w;
    v->nmarks = 0;
    int last_x = -1;
    for (size_t i = 0; i < v->pb.nev && v->nmarks < WEB_MARKS_MAX; i++) {
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

static void draw_timeline(web_view *v)
{
    const pv_layout *L = v->lay;
    const pv_axis *a = &v->pb.axis;
    fill(L->timeline, PV_COL_PANEL);
    fill(L->track, PV_COL_PANEL_HEAD);
    build_marks(v);
    int now_x = L->track.x + (int)(pv_axis_frac(a, v->pb.now) * (L->track.w - 1));
    fill((pv_rect){ L->track.x, L->track.y, now_x - L->track.x, L->track.h }, PV_COL_NOW);
    for (uint32_t k = 0; k + 1 < a->n; k++) { /* long quiet gaps, drawn short */
        if ((double)(a->t[k + 1] - a->t[k]) <= a->u[k + 1] - a->u[k] + 0.5) continue;
        int x0 = L->track.x + (int)(pv_axis_frac(a, a->t[k]) * L->track.w);
        int x1 = L->track.x + (int)(pv_axis_frac(a, a->t[k + 1]) * L->track.w);
        pv_rect gap = { x0 + th(L, 4), L->track.y - th(L, 2), x1 - x0 - th(L, 8), L->track.h + th(L, 4) };
        fill(gap, PV_COL_TIMELINE_GAP);
        char buf[48], d[32];
        snprintf(buf, sizeof buf, "≈ %s quiet", ps_time_str(a->t[k + 1] - a->t[k], d));
        text_in(buf, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM,
                (pv_rect){ gap.x, L->timeline.y, gap.w, L->track.y - L->timeline.y }, PV_ALIGN_CENTER);
    }
    for (int i = 0; i < v->nmarks; i++) {
        int x = L->track.x + v->mark_x[i], k = v->mark_kind[i];
        int hh = k == MARK_EVENT ? th(L, 5) : th(L, 9), w = k == MARK_EVENT ? 1 : th(L, 3);
        pv_rgba c = k == MARK_ERROR ? PV_COL_ERROR : k == MARK_SAY ? PV_COL_TEXT : PV_COL_TEXT_DIM;
        fill((pv_rect){ x - w / 2, L->track.y + L->track.h / 2 - hh, w, 2 * hh }, c);
    }
    fill((pv_rect){ now_x - th(L, 3), L->track.y - th(L, 9), th(L, 6), L->track.h + th(L, 18) }, PV_COL_NOW);
    char end[48], ms[32];
    snprintf(end, sizeof end, "end %s ms", ps_time_ms(v->pb.end, 0, ms));
    int below = L->track.y + L->track.h + th(L, 2);
    pv_rect lab = { L->track.x, below, L->track.w, L->timeline.y + L->timeline.h - below };
    text_in("0 ms", PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, lab, PV_ALIGN_LEFT);
    text_in(end, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, lab, PV_ALIGN_RIGHT);
}

/* ---- banner, notice, help ---- */

static void two_line_box(const pv_layout *L, pv_rect r, const char *line1, const char *line2)
{
    fill(r, PV_COL_ERROR_BG);
    outline(r, PV_COL_ERROR, th(L, 3));
    int pad = th(L, 12), half = (r.h - th(L, 6)) / 2;
    int px1 = L->px.big < half * 4 / 5 ? L->px.big : half * 4 / 5;
    int px2 = L->px.name < half * 4 / 5 ? L->px.name : half * 4 / 5;
    text_in(line1, PV_FACE_BOLD, px1, PV_COL_TEXT,
            (pv_rect){ r.x + pad, r.y + th(L, 3), r.w - 2 * pad, line2 ? half : r.h - th(L, 6) }, PV_ALIGN_LEFT);
    if (line2)
        text_in(line2, PV_FACE_SANS, px2, PV_COL_TEXT, (pv_rect){ r.x + pad, r.y + th(L, 3) + half, r.w - 2 * pad, half },
                PV_ALIGN_LEFT);
}

static void draw_banner(const web_view *v)
{
    const pv_rec *e = pv_playback_error(&v->pb, BANNER_WINDOW);
    if (!e) return;
    const char *what = pv_playback_str(&v->pb, e->text);
    char line1[300];
    snprintf(line1, sizeof line1, "⚠ %s", what ? what : "error");
    two_line_box(v->lay, v->lay->banner, line1, ps_errno_explain((ps_errno)e->err));
}

static void draw_notice(const web_view *v)
{
    const pv_layout *L = v->lay;
    if (!v->notice[0]) return;
    pv_rect r = { L->banner.x, L->scene.y + th(L, 6), L->banner.w, th(L, 34) };
    if (v->notice_error) {
        two_line_box(L, r, v->notice, NULL);
        return;
    }
    fill(r, PV_COL_PANEL_HEAD);
    outline(r, PV_COL_TEMP, th(L, 2));
    text_in(v->notice, PV_FACE_SANS, L->px.name, PV_COL_TEXT, (pv_rect){ r.x + th(L, 12), r.y, r.w - th(L, 24), r.h },
            PV_ALIGN_LEFT);
}

/* The window's rows of the key table (keys.h), one a line. */
static void draw_help(const pv_layout *L)
{
    gfx_fill(0, 0, L->w, L->h, gfx_rgba(PV_COL_OVERLAY));
    fill(L->overlay, PV_COL_PANEL_HEAD);
    outline(L->overlay, PV_COL_TEMP, th(L, 2));
    text_at(pv_key_mode_title(PV_KEYS_WINDOW), PV_FACE_BOLD, L->px.big, PV_COL_TEXT, L->overlay.x + th(L, 20),
            L->overlay.y + th(L, 14), L->overlay.w - th(L, 40), PV_ALIGN_LEFT);
    size_t nrows;
    const pv_key_row *rows = pv_key_rows(&nrows);
    int n = 0;
    for (size_t i = 0; i < nrows; i++) n += rows[i].mode == PV_KEYS_WINDOW;
    if (n == 0) return;
    int row = (L->overlay.h - th(L, 70)) / n, px = row * 6 / 10 < L->px.name + 2 ? row * 6 / 10 : L->px.name + 2;
    int x = L->overlay.x + th(L, 20), kw = (L->overlay.w - th(L, 40)) * 2 / 5, y = L->overlay.y + th(L, 52);
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].mode != PV_KEYS_WINDOW) continue;
        text_at(rows[i].label, PV_FACE_BOLD, px, PV_COL_NOW, x, y, kw - th(L, 10), PV_ALIGN_LEFT);
        text_at(rows[i].help, PV_FACE_SANS, px, PV_COL_TEXT, x + kw, y, L->overlay.w - th(L, 40) - kw, PV_ALIGN_LEFT);
        y += row;
    }
}

/* ---- the live terminal, over the table and log ---- */

static pv_rgba term_colour(int kind)
{
    return kind == PV_TERM_CMD ? PV_COL_TEMP : kind == PV_TERM_NOTE ? PV_COL_TEXT_DIM
         : kind == PV_TERM_ERR ? PV_COL_ERROR : PV_COL_TEXT;
}

static void draw_input(const web_view *v, uint32_t host, int y, int x, int w)
{
    const pv_layout *L = v->lay;
    const pv_term *t = &v->term;
    char prompt[160], before[PV_TERM_INPUT_MAX + 160];
    pv_term_prompt(prompt, sizeof prompt, v->pb.eng ? ps_shell_user(v->pb.eng, host) : NULL, v->sc->hosts[host].name);
    snprintf(before, sizeof before, "%s%.*s", prompt, (int)t->cur, t->input);
    int pw = gfx_measure(prompt, L->px.term, PV_FACE_MONO);
    int cx = x + gfx_measure(before, L->px.term, PV_FACE_MONO);
    int shift = cx + th(L, 12) > x + w ? cx + th(L, 12) - (x + w) : 0; /* keep the cursor in view */
    gfx_clip(x, y, w, L->term_row_h);
    text_at(prompt, PV_FACE_MONO, L->px.term, PV_COL_LISTEN, x - shift, y, 0, PV_ALIGN_LEFT);
    if (t->len) text_at(t->input, PV_FACE_MONO, L->px.term, PV_COL_TEXT, x + pw - shift, y, 0, PV_ALIGN_LEFT);
    int cw = gfx_measure("0", L->px.term, PV_FACE_MONO);
    fill((pv_rect){ cx - shift, y + th(L, 1), cw, L->term_row_h - th(L, 2) }, PV_COL_NOW);
    if (t->cur < t->len) { /* the character under the block cursor, dark on yellow */
        char ch[8];
        size_t n = 1;
        while (t->cur + n < t->len && ((unsigned char)t->input[t->cur + n] & 0xC0) == 0x80 && n < 4) n++;
        memcpy(ch, t->input + t->cur, n);
        ch[n] = '\0';
        text_at(ch, PV_FACE_MONO, L->px.term, PV_COL_TEXT_DARK, cx - shift, y, 0, PV_ALIGN_LEFT);
    }
    gfx_unclip();
}

static void draw_terminal(const web_view *v)
{
    const pv_layout *L = v->lay;
    const pv_term *t = &v->term;
    uint32_t host = web_table_host(v);
    if (!t->open || host == PS_NONE) return;
    fill(L->term, TERM_BG);
    fill((pv_rect){ L->term.x, L->term.y, L->term.w, th(L, 2) }, PV_COL_TEMP);
    char head[400], addr[16], ms[32];
    snprintf(head, sizeof head,
             "Terminal on %s (%s) at t = %s ms  ·  Enter run  ·  ↑↓ history  ·  Alt+←/→ step time  ·  "
             "Tab other host  ·  Esc close%s",
             v->sc->hosts[host].name, ps_addr_str(v->sc->hosts[host].addrs[0], addr), ps_time_ms(v->pb.now, 0, ms),
             v->pb.ninj >= PV_MAX_INJECTED ? "  ·  SESSION FULL" : "");
    text_in(head, PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, L->term_head, PV_ALIGN_LEFT);
    int x = L->term.x + th(L, 12), w = L->term.w - th(L, 24);
    int y0 = L->term_head.y + L->term_head.h + th(L, 2);
    int back = L->term_rows - 1, last = t->nlines - t->scroll, first = last - back < 0 ? 0 : last - back;
    int y = y0 + (back - (last - first)) * L->term_row_h; /* few lines: they sit just above the prompt */
    for (int i = first; i < last; i++, y += L->term_row_h) {
        int kind;
        const char *s = pv_term_line(t, i, &kind);
        if (s && s[0])
            text_in(s, PV_FACE_MONO, L->px.term, term_colour(kind), (pv_rect){ x, y, w, L->term_row_h }, PV_ALIGN_LEFT);
    }
    draw_input(v, host, y0 + back * L->term_row_h, x, w);
}

void web_draw(web_view *v, const char *title, const char *clock, const char *caption)
{
    const pv_layout *L = v->lay;
    gfx_fill(0, 0, L->w, L->h, gfx_rgba(PV_COL_SKY_TOP));
    draw_scene(L, v->scene);
    fill(L->top, PV_COL_PANEL);
    text_in(title, PV_FACE_BOLD, L->px.title, PV_COL_TEXT, L->title, PV_ALIGN_LEFT);
    text_in(clock, PV_FACE_MONO, L->px.clock, PV_COL_NOW, L->clock, PV_ALIGN_LEFT);
    text_in(WEB_HINT, PV_FACE_SANS, L->px.hint, PV_COL_TEXT_DIM, L->hint, PV_ALIGN_RIGHT);
    draw_table(v);
    draw_log(v);
    draw_caption(L, caption);
    draw_timeline(v);
    draw_banner(v);
    draw_notice(v);
    draw_terminal(v);
    if (v->help) draw_help(L);
}
