/* layout.c — the geometry of the lecture window (see layout.h). Pure: only
 * arithmetic on the scene snapshot and measured text widths. */
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- small helpers ---- */

bool pv_rect_overlap(pv_rect a, pv_rect b)
{
    return a.w > 0 && a.h > 0 && b.w > 0 && b.h > 0 && a.x < b.x + b.w && b.x < a.x + a.w &&
           a.y < b.y + b.h && b.y < a.y + a.h;
}

bool pv_rect_inside(pv_rect in, pv_rect out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
           in.y + in.h <= out.y + out.h;
}

bool pv_rect_contains(pv_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }
static int sc(const pv_layout *L, double v) { return (int)lround(v * L->s); }
static int line_h(int px) { return (px * 5 + 3) / 4; }

static pv_rect rect(int x, int y, int w, int h)
{
    return (pv_rect){ x, y, imax(w, 0), imax(h, 0) };
}

static int measure(const pv_layout_in *in, const char *s, int px, pv_face f)
{
    return s && *s ? in->measure(in->measure_ctx, s, px, f) : 0;
}

static void add_label(pv_layout *L, pv_rect r)
{
    if (r.w > 0 && r.h > 0 && L->nlabels < PV_MAX_LABELS) L->labels[L->nlabels++] = r;
}

/* ---- top bar, bands ---- */

static void layout_fonts(pv_layout *L)
{
    pv_fonts *f = &L->px;
    f->title = sc(L, 20);
    f->clock = sc(L, 18);
    f->hint = sc(L, 13);
    f->plate = sc(L, 15);
    f->name = sc(L, 13);
    f->floor = sc(L, 11);
    f->env = sc(L, 11);
    f->env_head = imax(7, sc(L, 8));
    f->table = sc(L, 12);
    f->log = sc(L, 12);
    f->caption = sc(L, 24);
    f->small = sc(L, 11);
    f->big = sc(L, 18);
    int *all[] = { &f->title, &f->clock, &f->hint, &f->plate, &f->name, &f->floor, &f->env, &f->env_head,
                   &f->table, &f->log, &f->caption, &f->small, &f->big };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) *all[i] = imax(*all[i], L->min_px);
}

static size_t split_point(const char *s, size_t n);
static int measure_n(const pv_layout_in *in, const char *s, size_t n, int px, pv_face face);

/* The title is never cut: it shrinks to 3/4 of its size, then takes two
 * lines, shrinking again until they fit left of the clock. */
static void layout_title(pv_layout *L, const pv_layout_in *in, int room)
{
    const char *s = in->title ? in->title : "";
    size_t n = strlen(s), cut = split_point(s, n);
    int px = L->px.title, lines = 1;
    while (px > imax(8, L->min_px) && measure(in, s, px, PV_FACE_BOLD) > room && (px > L->px.title * 3 / 4 || !cut))
        px--;
    if (measure(in, s, px, PV_FACE_BOLD) > room && cut) {
        lines = 2;
        px = imin(L->px.title, L->top.h / 2 * 4 / 5);
        while (px > 8 && imax(measure_n(in, s, cut, px, PV_FACE_BOLD), measure(in, s + cut + 1, px, PV_FACE_BOLD)) > room)
            px--;
    }
    L->px.title = px;
    L->title_split = lines == 2 ? cut + 1 : 0;
    int lh = line_h(px), y = (L->top.h - lines * lh) / 2, m = sc(L, 16);
    L->title_line[1] = rect(0, 0, 0, 0);
    for (int i = 0; i < lines; i++) {
        int w = lines == 1 ? measure(in, s, px, PV_FACE_BOLD)
                           : i == 0 ? measure_n(in, s, cut, px, PV_FACE_BOLD) : measure(in, s + cut + 1, px, PV_FACE_BOLD);
        L->title_line[i] = rect(m, y + i * lh, imin(w, room), lh);
        add_label(L, L->title_line[i]);
    }
    L->title = rect(m, y, room, lines * lh);
}

static void layout_top(pv_layout *L, const pv_layout_in *in)
{
    int m = sc(L, 16);
    L->top = rect(0, 0, L->w, imax(imin(sc(L, 40), L->h / 12), line_h(L->min_px) + sc(L, 6)));
    int cy = L->top.h / 2;
    L->px.title = imax(L->min_px, imin(L->px.title, L->top.h * 6 / 10));
    L->px.clock = imax(L->min_px, imin(L->px.clock, L->top.h * 55 / 100));
    L->px.hint = imax(L->min_px, imin(L->px.hint, L->top.h * 45 / 100));
    int cw = measure(in, in->clock, L->px.clock, PV_FACE_MONO);
    int ch = line_h(L->px.clock), hh = line_h(L->px.hint);
    /* presenting: the clock goes right, where the key hint was */
    L->clock = rect(L->present ? L->w - m - cw : (L->w - cw) / 2, cy - ch / 2, cw, ch);
    layout_title(L, in, L->clock.x - 2 * m);
    int hw = measure(in, in->hint, L->px.hint, PV_FACE_SANS);
    L->hint = rect(L->w - m - hw, cy - hh / 2, hw, hh);
    if (L->present || L->hint.x < L->clock.x + L->clock.w + m) L->hint.w = 0; /* no room: drop it */
    int nx = L->present ? L->w / 2 : L->clock.x + L->clock.w + m, nw = L->present ? L->clock.x - m - nx : L->w - m - nx;
    L->notice = rect(nx, sc(L, 3), nw, L->top.h - 2 * sc(L, 3));
    add_label(L, L->clock);
    add_label(L, L->hint);
}

static void layout_bands(pv_layout *L, const pv_layout_in *in)
{
    int tl = imin(sc(L, 40), L->h / 12);
    int cap = imax(imin(sc(L, 64), L->h / 8), 2 * line_h(L->min_px) + sc(L, 6));
    int bh = in->banner ? imax(imin(sc(L, 58), L->h / 10), 2 * line_h(L->min_px) + sc(L, 10)) : 0;
    int pan = L->present ? 0 : imin(sc(L, 180), L->h * 27 / 100) - bh; /* presenting: panels folded */
    L->timeline = rect(0, L->h - tl, L->w, tl);
    L->caption = rect(0, L->timeline.y - cap, L->w, cap);
    L->banner = rect(0, L->caption.y - bh, L->w, bh);
    int py = L->banner.y - pan;
    L->table = rect(0, py, L->w * 3 / 5, pan);
    L->log = rect(L->table.w, py, L->w - L->table.w, pan);
    L->scene = rect(0, L->top.y + L->top.h, L->w, py - (L->top.y + L->top.h));
    int m = sc(L, 16);
    L->track = rect(m, L->timeline.y + L->timeline.h / 2 - sc(L, 3), L->w - 2 * m, imax(2, sc(L, 6)));
    int ow = imin(sc(L, 760), L->w - 2 * m), oh = imin(sc(L, 560), L->h - 2 * m);
    L->overlay = rect((L->w - ow) / 2, (L->h - oh) / 2, ow, oh);
}

/* ---- panels ---- */

/* The largest px <= want at which `chars` monospace columns fit in width. */
static int fit_mono(const pv_layout_in *in, int want, int chars, int width)
{
    int px = want;
    while (px > 8 && measure(in, "0", px, PV_FACE_MONO) * chars > width) px--;
    return px;
}

static void layout_panel_head(pv_layout *L, pv_rect panel, pv_rect *head)
{
    int pad = sc(L, 10);
    *head = rect(panel.x + pad, panel.y + sc(L, 6), panel.w - 2 * pad, line_h(L->px.small) + sc(L, 4));
    add_label(L, *head);
}

static void layout_panels(pv_layout *L, const pv_layout_in *in)
{
    if (L->present) { /* folded: no table, no log, no terminal */
        L->table_head = L->log_head = L->term = L->term_head = rect(0, 0, 0, 0);
        L->table_rows = L->log_rows = L->term_rows = 0;
        return;
    }
    int pad = sc(L, 10);
    L->px.small = imin(L->px.small, imax(8, L->table.h / 8));
    layout_panel_head(L, L->table, &L->table_head);
    layout_panel_head(L, L->log, &L->log_head);
    /* State, Local, Peer, Process: the address columns as wide as the
     * scenario's addresses need (24 characters for IPv4). */
    int aw = in->scene && in->scene->addr_chars ? in->scene->addr_chars : 24;
    const int cols[4] = { 0, 11, 11 + aw, 11 + 2 * aw };
    L->px.table = fit_mono(in, L->px.table, 11 + 2 * aw + 15, L->table.w - 2 * pad);
    int cw = measure(in, "0", L->px.table, PV_FACE_MONO);
    for (int i = 0; i < 4; i++) L->col_x[i] = L->table.x + pad + cols[i] * cw;
    L->table_row_h = line_h(L->px.table) + sc(L, 3);
    int body = L->table.y + L->table.h - (L->table_head.y + L->table_head.h) - pad / 2;
    L->table_rows = imax(0, body / L->table_row_h - 1); /* minus the column header */
    L->px.log = fit_mono(in, L->px.log, 60, L->log.w - 2 * pad);
    L->log_row_h = line_h(L->px.log) + sc(L, 3);
    body = L->log.y + L->log.h - (L->log_head.y + L->log_head.h) - pad / 2;
    L->log_rows = imax(0, body / L->log_row_h);
    /* The terminal covers the table and log band when open (drawn over
     * them, not a label of its own: the street stays visible above). */
    L->term = rect(0, L->table.y, L->w, L->table.h);
    L->term_head = rect(L->term.x + pad, L->term.y + sc(L, 6), L->term.w - 2 * pad, line_h(L->px.small) + sc(L, 4));
    L->px.term = fit_mono(in, sc(L, 13), 120, L->term.w - 2 * pad);
    L->term_row_h = line_h(L->px.term) + sc(L, 2);
    body = L->term.y + L->term.h - (L->term_head.y + L->term_head.h) - pad / 2;
    L->term_rows = imax(1, body / imax(1, L->term_row_h));
}

/* Caption: one line if it fits, else two balanced lines, shrinking the type
 * until they fit (the renderer trims what still does not). */
static size_t split_point(const char *s, size_t n)
{
    size_t best = 0, mid = n / 2;
    for (size_t i = 1; i < n; i++)
        if (s[i] == ' ' && (best == 0 || (i > mid ? i - mid : mid - i) < (best > mid ? best - mid : mid - best)))
            best = i;
    return best;
}

static int measure_n(const pv_layout_in *in, const char *s, size_t n, int px, pv_face face)
{
    char buf[512];
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return measure(in, buf, px, face);
}

static void layout_caption(pv_layout *L, const pv_layout_in *in)
{
    const char *s = in->caption ? in->caption : "";
    size_t n = strlen(s), cut = split_point(s, n);
    int width = L->caption.w - 2 * sc(L, 24);
    int px = imin(L->px.caption, L->caption.h * 7 / 10);
    int minpx = imax(imax(10, sc(L, 14)), L->min_px);
    L->caption_split = 0;
    for (; px > minpx; px--) {
        if (measure(in, s, px, PV_FACE_SANS) <= width && line_h(px) <= L->caption.h) break;
        if (cut && 2 * line_h(px) <= L->caption.h - sc(L, 4) &&
            measure_n(in, s, cut, px, PV_FACE_SANS) <= width && measure(in, s + cut + 1, px, PV_FACE_SANS) <= width) {
            L->caption_split = cut + 1;
            break;
        }
    }
    L->px.caption = px;
    int lines = L->caption_split ? 2 : 1, lh = line_h(px);
    int y = L->caption.y + (L->caption.h - lines * lh) / 2;
    for (int i = 0; i < 2; i++) L->caption_line[i] = rect(0, 0, 0, 0);
    for (int i = 0; i < lines && n; i++) {
        int w = i == 0 && lines == 2 ? measure_n(in, s, cut, px, PV_FACE_SANS)
                                     : measure(in, s + (i ? L->caption_split : 0), px, PV_FACE_SANS);
        w = imin(w, width);
        L->caption_line[i] = rect((L->w - w) / 2, y + i * lh, w, lh);
        add_label(L, L->caption_line[i]);
    }
}

/* ---- buildings ---- */

/* Door sizes from big to small: the smallest size a door of this class
 * has, and its type. A door is widened and heightened to show its three
 * lines (port, program, state) whole at its type size. */
typedef struct door_class {
    double w, h;
    double title_px, sub_px;
} door_class;

#define N_CLASSES 4
static const door_class k_classes[N_CLASSES] = {
    { 170, 92, 20, 13 },
    { 132, 72, 16, 11 },
    { 96, 50, 14, 10 },
    { 70, 32, 11, 8 },
};

/* The widest door labels of a building, measured once at REF_PX and scaled
 * (with a margin for hinting) to each class's size. */
#define REF_PX 32
typedef struct door_widths {
    int title, sub;
} door_widths;

static int scaled(int w_ref, int px) { return (w_ref * px + REF_PX - 1) / REF_PX + px / 6 + 2; }

static door_widths widest_labels(const pv_layout_in *in, const pv_host *h)
{
    const pv_scene *s = in->scene;
    door_widths w = { measure(in, "+00000", REF_PX, PV_FACE_BOLD), measure(in, "more doors", REF_PX, PV_FACE_SANS) };
    for (uint32_t i = 0; i < h->ndoors; i++) {
        const pv_door *d = &s->doors[h->first_door + i], *prev = i ? d - 1 : NULL;
        w.title = imax(w.title, measure(in, d->title, REF_PX, d->kind == PV_DOOR_EMPTY ? PV_FACE_MONO : PV_FACE_BOLD));
        /* a busy building's doors repeat their neighbour's words: measured once */
        if (!prev || strcmp(d->sub, prev->sub) != 0) w.sub = imax(w.sub, measure(in, d->sub, REF_PX, PV_FACE_SANS));
        if (!prev || strcmp(d->note, prev->note) != 0) w.sub = imax(w.sub, measure(in, d->note, REF_PX, PV_FACE_SANS));
    }
    return w;
}

/* How many door slots each floor needs: listed doors, plus a "+N" tile. */
typedef struct floor_need {
    uint32_t upper, priv;
    bool priv_listens;         /* a listening door on the privileged floor */
} floor_need;

static floor_need count_doors(const pv_scene *s, const pv_host *h)
{
    floor_need n = { 0, 0, false };
    for (uint32_t i = 0; i < h->ndoors; i++) {
        const pv_door *d = &s->doors[h->first_door + i];
        if (d->privileged) n.priv++;
        else n.upper++;
        n.priv_listens |= d->privileged && (d->kind == PV_DOOR_LISTEN || d->kind == PV_DOOR_UDP);
    }
    if (h->hidden) n.upper++;
    return n;
}

typedef struct floor_plan {
    int tp, sp;                /* door title and label sizes */
    int dw, dh, gap, head_h, cols, rows_u, rows_p;
} floor_plan;

static uint32_t ceil_div(uint32_t a, uint32_t b) { return b ? (a + b - 1) / b : 0; }

/* Tries a door size (and floor titles or not) for a body of fw x fh. */
static bool try_plan(const pv_layout *L, const door_class *dc, door_widths dw, bool heads, bool has_priv,
                     floor_need need, int fw, int fh, floor_plan *p)
{
    int pad = imax(2, sc(L, 4));
    p->tp = imax(sc(L, dc->title_px), L->min_px);
    p->sp = imax(sc(L, dc->sub_px), L->min_px);
    p->dw = imax(sc(L, dc->w), imax(scaled(dw.title, p->tp), scaled(dw.sub, p->sp)) + 2 * pad);
    p->dh = imax(sc(L, dc->h), line_h(p->tp) + 2 * line_h(p->sp) + 2 * pad);
    p->gap = sc(L, dc->w >= 100 ? 10 : 6);
    p->head_h = heads ? line_h(L->px.floor) + sc(L, 6) : 0;
    int lock = has_priv && !heads ? sc(L, 14) : 0;
    p->cols = imax(1, (fw - 2 * p->gap - lock + p->gap) / (p->dw + p->gap));
    /* an empty upper floor keeps its title but no row of doors */
    p->rows_u = (int)ceil_div(need.upper, (uint32_t)p->cols);
    p->rows_p = has_priv ? (int)imax(1, (int)ceil_div(need.priv, (uint32_t)p->cols)) : 0;
    int floors = has_priv ? 2 : 1;
    int h = floors * (p->head_h + p->gap) + (p->rows_u + p->rows_p) * (p->dh + p->gap);
    return h <= fh && p->dw + 2 * p->gap + lock <= fw;
}

/* The best plan: biggest doors that show everything; failing that the
 * smallest doors, as many rows as fit, the rest counted in "+N" tiles. */
static floor_plan choose_plan(const pv_layout *L, door_widths dw, bool has_priv, floor_need need, int fw, int fh)
{
    floor_plan p;
    for (int heads = 1; heads >= 0; heads--)
        for (int c = 0; c < N_CLASSES; c++)
            if (try_plan(L, &k_classes[c], dw, heads, has_priv, need, fw, fh, &p)) return p;
    try_plan(L, &k_classes[N_CLASSES - 1], dw, false, has_priv, need, fw, fh, &p);
    int floors = has_priv ? 2 : 1, lock = has_priv ? sc(L, 14) : 0;
    p.dw = imax(1, imin(p.dw, fw - 2 * p.gap - lock)); /* a tiny building: labels end in "…" */
    p.dh = imax(1, imin(p.dh, fh - floors * p.gap - p.gap));
    /* shorter doors (the port always, program and state as room allows)
     * rather than a floor without its doors */
    int want = p.rows_u + p.rows_p, fit_h = want ? (fh - floors * p.gap) / want - p.gap : 0;
    if (want && fit_h < p.dh && fit_h >= line_h(p.tp) + 4) p.dh = fit_h;
    int rows = imax(0, (fh - floors * p.gap) / (p.dh + p.gap));
    /* the floors share the rows, unless the upper one has no doors at all */
    int share = need.upper ? imax(rows / 2, rows > 1 ? 1 : 0) : rows;
    p.rows_p = has_priv ? imin(p.rows_p, share) : 0;
    p.rows_u = imin(p.rows_u, rows - p.rows_p);
    if (has_priv && rows == 1 && (p.rows_u == 0 || need.priv_listens)) { p.rows_u = 0; p.rows_p = 1; }
    return p;
}

static void door_labels(pv_layout *L, const floor_plan *p, pv_door_box *b)
{
    int pad = imax(2, sc(L, 4));
    int tp = p->tp, sp = p->sp;
    int lines = 3, total = line_h(tp) + 2 * line_h(sp);
    while (lines > 1 && total > b->r.h - 2) total -= line_h(sp), lines--; /* only in a tiny window */
    int y = b->r.y + (b->r.h - total) / 2, x = b->r.x + pad, w = b->r.w - 2 * pad;
    b->title = rect(x, y, w, line_h(tp));
    b->sub = lines >= 2 ? rect(x, y + line_h(tp), w, line_h(sp)) : rect(0, 0, 0, 0);
    b->note = lines >= 3 ? rect(x, y + line_h(tp) + line_h(sp), w, line_h(sp)) : rect(0, 0, 0, 0);
    add_label(L, b->title);
    add_label(L, b->sub);
    add_label(L, b->note);
}

/* Places one floor's doors (those with privileged == priv) in a grid that
 * stands on the floor's bottom; doors that do not fit go to the "+N" tile. */
static void place_floor(pv_layout *L, const pv_scene *s, uint32_t hi, const floor_plan *p, int rows,
                        pv_floor_box *f)
{
    const pv_host *h = &s->hosts[hi];
    int lock = f->priv && p->head_h == 0 ? sc(L, 14) : 0;
    int x0 = f->r.x + p->gap + lock;
    int y0 = f->r.y + f->r.h - rows * (p->dh + p->gap);
    uint32_t slots = (uint32_t)(rows * p->cols), n = 0, listed = 0;
    for (uint32_t i = 0; i < h->ndoors; i++)
        if (s->doors[h->first_door + i].privileged == f->priv) n++;
    uint32_t extra = f->priv ? 0 : h->hidden;
    bool tile = n + (extra ? 1 : 0) > slots || (extra && slots);
    uint32_t fit = tile ? (slots ? slots - 1 : 0) : n;
    for (int pass = 0; pass < 2; pass++) /* listening doors first: they never hide in "+N" */
        for (uint32_t i = 0; i < h->ndoors; i++) {
            uint32_t di = h->first_door + i;
            bool server = s->doors[di].kind == PV_DOOR_LISTEN || s->doors[di].kind == PV_DOOR_UDP;
            if (s->doors[di].privileged != f->priv || server != (pass == 0)) continue;
            pv_door_box *b = &L->doors[di];
            memset(b, 0, sizeof *b);
            if (listed >= fit) continue;
            int c = (int)(listed % (uint32_t)p->cols), r = (int)(listed / (uint32_t)p->cols);
            b->r = rect(x0 + c * (p->dw + p->gap), y0 + r * (p->dh + p->gap), p->dw, p->dh);
            door_labels(L, p, b);
            listed++;
        }
    f->more_count = n - listed + extra;
    if (!tile || !slots || !f->more_count) return;
    int c = (int)(fit % (uint32_t)p->cols), r = (int)(fit / (uint32_t)p->cols);
    pv_door_box t = { .r = rect(x0 + c * (p->dw + p->gap), y0 + r * (p->dh + p->gap), p->dw, p->dh) };
    door_labels(L, p, &t);
    f->more = t.r;
    f->more_title = t.title;
    f->more_sub = t.sub;
}

static void layout_floors(pv_layout *L, const pv_layout_in *in, uint32_t hi, pv_rect area)
{
    const pv_scene *s = in->scene;
    pv_host_box *hb = &L->hosts[hi];
    const pv_host *h = &s->hosts[hi];
    floor_need need = count_doors(s, h);
    bool has_priv = h->priv_floor;
    floor_plan p = choose_plan(L, widest_labels(in, h), has_priv, need, area.w, area.h);
    hb->door_title_px = p.tp;
    hb->door_sub_px = p.sp;
    int priv_h = has_priv ? p.head_h + p.gap + p.rows_p * (p.dh + p.gap) : 0;
    hb->priv = (pv_floor_box){ .priv = true };
    hb->upper = (pv_floor_box){ .priv = false };
    if (has_priv) hb->priv.r = rect(area.x, area.y + area.h - priv_h, area.w, priv_h);
    hb->upper.r = rect(area.x, area.y, area.w, area.h - priv_h);
    pv_floor_box *fl[2] = { &hb->upper, &hb->priv };
    int rows[2] = { p.rows_u, p.rows_p };
    for (int i = 0; i < (has_priv ? 2 : 1); i++) {
        pv_floor_box *f = fl[i];
        int pad = sc(L, 6);
        if (p.head_h) f->head = rect(f->r.x + pad, f->r.y + sc(L, 4), f->r.w - 2 * pad, line_h(L->px.floor));
        if (f->priv && !p.head_h)
            f->lock = rect(f->r.x + sc(L, 3), f->r.y + (f->r.h - sc(L, 14)) / 2, sc(L, 10), sc(L, 14));
        add_label(L, f->head);
        place_floor(L, s, hi, &p, rows[i], f);
    }
}

void pv_nat_row_text(const pv_nat_row *r, pv_nat_form form, char *line1, char *line2, size_t n)
{
    /* A UDP entry says so: the same ports can be translated for TCP too. */
    const char *fwd = r->udp ? (r->forward ? " (udp, fwd)" : " (udp)") : r->forward ? " (fwd)" : "";
    line2[0] = '\0';
    if (form == PV_NAT_TWO_LINES) {
        snprintf(line1, n, "%s", r->in);
        snprintf(line2, n, "↔ %s%s", r->out, fwd);
    } else if (form == PV_NAT_PORT_ONLY) {
        const char *port = strrchr(r->out, ':');
        snprintf(line1, n, "%s ↔ %s%s", r->in, port ? port : r->out, fwd);
    } else {
        snprintf(line1, n, "%s ↔ %s%s", r->in, r->out, fwd);
    }
}

/* A router's translation table: a head line, then a row per entry in the
 * fullest form that fits (nat.h forms: one line, else two lines if every
 * entry then fits, else one line with the public port only, the public
 * address being on the roof, else two lines and "+N more"), in a type as
 * large as the building's name; the inside address at the foot when room
 * is left. */
static void layout_nat(pv_layout *L, const pv_layout_in *in, uint32_t hi, pv_rect area)
{
    pv_host_box *hb = &L->hosts[hi];
    const pv_scene *s = in->scene;
    const pv_host *h = &s->hosts[hi];
    int pad = sc(L, 6);
    pv_rect panel = rect(area.x + pad, area.y + sc(L, 2), area.w - 2 * pad, area.h - sc(L, 2) - pad);
    if (panel.w <= 0 || panel.h <= 0) return;
    int room = panel.w - 2 * pad;
    int px = imax(L->min_px, L->px.name);
    int lh = line_h(px), gap = sc(L, 4);
    int rows_h = panel.h - sc(L, 5) - lh - gap; /* below the head */
    int widest[3] = { 0, 0, 0 };
    for (uint32_t i = 0; i < h->nnat; i++)
        for (int f = 0; f < 3; f++) {
            char a[64], b[64];
            pv_nat_row_text(&s->nats[h->first_nat + i], (pv_nat_form)f, a, b, sizeof a);
            widest[f] = imax(widest[f], imax(measure(in, a, px, PV_FACE_MONO), measure(in, b, px, PV_FACE_MONO)));
        }
    int n = (int)h->nnat + (h->hidden_nat ? 1 : 0);
    pv_nat_form form = PV_NAT_TWO_LINES;
    if (widest[PV_NAT_ONE_LINE] <= room && n * (lh + gap) <= rows_h) form = PV_NAT_ONE_LINE;
    else if (widest[PV_NAT_TWO_LINES] <= room && n * (2 * lh + gap) <= rows_h) form = PV_NAT_TWO_LINES;
    else if (widest[PV_NAT_PORT_ONLY] <= room) form = PV_NAT_PORT_ONLY;
    int need = imax(widest[form], measure(in, "translation table", px, PV_FACE_BOLD));
    if (need > room && need > 0) {
        px = imax(imax(L->min_px, 7), px * room / need);
        lh = line_h(px);
    }
    hb->nat_form = form;
    hb->nat_px = px;
    int row_h = form == PV_NAT_TWO_LINES ? 2 * lh : lh;
    hb->nat = panel;
    hb->nat_head = rect(panel.x + pad, panel.y + sc(L, 3), room, lh);
    add_label(L, hb->nat_head);
    int y = hb->nat_head.y + lh + gap, bottom = panel.y + panel.h - sc(L, 2);
    uint32_t want = h->nnat, more = h->hidden_nat;
    for (uint32_t i = 0; i < want; i++) {
        /* keep a line for "+N more" when some entries cannot fit */
        bool fits = y + row_h <= bottom && (i + 1 == want || y + row_h + gap + lh <= bottom);
        if (!fits) {
            more += want - i;
            break;
        }
        hb->nat_row[i] = rect(panel.x + pad, y, room, row_h);
        add_label(L, hb->nat_row[i]);
        hb->nat_shown++;
        y += row_h + gap;
    }
    if (more && y + lh <= bottom) {
        hb->nat_more = rect(panel.x + pad, y, room, lh);
        hb->nat_more_count = more;
        add_label(L, hb->nat_more);
        y += lh + gap;
    }
    if (y + lh <= bottom) {
        hb->nat_inside = rect(panel.x + pad, bottom - lh, room, lh);
        add_label(L, hb->nat_inside);
    }
}

static void layout_building(pv_layout *L, const pv_layout_in *in, uint32_t hi, pv_rect zone)
{
    const pv_host *h = &in->scene->hosts[hi];
    pv_host_box *hb = &L->hosts[hi];
    int roof_h = imin(sc(L, 36), zone.h * 16 / 100);
    pv_rect body = rect(zone.x, zone.y + roof_h, zone.w, zone.h - roof_h);
    hb->body = body;
    hb->roof[0] = (pv_point){ body.x - sc(L, 4), body.y };
    hb->roof[1] = (pv_point){ body.x + body.w / 2, zone.y };
    hb->roof[2] = (pv_point){ body.x + body.w + sc(L, 4), body.y };
    int ppx = imax(L->min_px, imin(L->px.plate, imax(8, roof_h * 7 / 10)));
    int pw = imin(measure(in, h->addr, ppx, PV_FACE_BOLD) + sc(L, 16), body.w - sc(L, 8));
    int ph = imin(line_h(ppx) + sc(L, 4), roof_h + sc(L, 6));
    hb->plate = rect(body.x + (body.w - pw) / 2, body.y - ph + sc(L, 2), pw, ph);
    add_label(L, hb->plate);
    int npx = imax(L->min_px, imin(L->px.name, imax(8, body.h / 7)));
    hb->name = rect(body.x + sc(L, 6), body.y + sc(L, 6), body.w - sc(L, 12), line_h(npx));
    add_label(L, hb->name);
    pv_rect area = rect(body.x, hb->name.y + hb->name.h + sc(L, 2), body.w,
                        body.y + body.h - (hb->name.y + hb->name.h + sc(L, 2)));
    memset(&hb->nat, 0, sizeof hb->nat);
    hb->nat_shown = hb->nat_more_count = 0;
    hb->nat_more = hb->nat_head = hb->nat_inside = hb->nat;
    if (h->router) {
        /* A router's table fills the building, or its upper half when the
         * router has doors of its own. */
        bool doors = h->ndoors || h->hidden;
        int th = doors ? area.h / 2 : area.h;
        layout_nat(L, in, hi, rect(area.x, area.y, area.w, th));
        if (!doors) return;
        area = rect(area.x, area.y + th, area.w, area.h - th);
    }
    layout_floors(L, in, hi, area);
}

/* Columns x rows for n buildings: as close as possible to a comfortable
 * building of 240 x 200 (at scale 1) in both directions. */
static uint32_t choose_cols(const pv_layout *L, uint32_t n, int w, int h)
{
    uint32_t best = 1;
    double best_q = -1;
    for (uint32_t c = 1; c <= n; c++) {
        uint32_t r = ceil_div(n, c);
        double q = fmin((double)w / c / (240 * L->s), (double)h / r / (200 * L->s));
        if (q > best_q + 1e-9) {
            best_q = q;
            best = c;
        }
    }
    return best;
}

static void layout_street(pv_layout *L, const pv_layout_in *in)
{
    uint32_t n = in->scene->nhosts;
    L->nhosts = n;
    L->nrows = 0;
    if (n == 0) return;
    int m = sc(L, 16), gap = sc(L, 24);
    uint32_t cols = choose_cols(L, n, L->scene.w - 2 * m, L->scene.h);
    uint32_t rows = ceil_div(n, cols);
    cols = ceil_div(n, rows);
    L->nrows = rows;
    int row_h = L->scene.h / (int)rows;
    /* room for two lanes of envelope cards (taller when presenting) */
    int lanes2 = 2 * (line_h(L->px.env_head) + 2 * line_h(L->px.env) + sc(L, 8)) + sc(L, 9);
    int street_h = imax(sc(L, 12), imin(imax(sc(L, 104), lanes2), row_h * (L->present ? 40 : 30) / 100));
    int slot_w = (L->scene.w - 2 * m) / (int)cols;
    int bw = imin(slot_w - gap, sc(L, 470));
    for (uint32_t r = 0; r < rows; r++) {
        int ry = L->scene.y + (int)r * row_h;
        L->streets[r] = rect(0, ry + row_h - street_h, L->w, street_h);
        uint32_t first = r * cols, count = imin((int)cols, (int)(n - first));
        for (uint32_t c = 0; c < count; c++) {
            uint32_t hi = first + c;
            int cx = m + slot_w * (int)c + slot_w / 2;
            pv_rect zone = rect(cx - bw / 2, ry + sc(L, 8), bw, row_h - street_h - sc(L, 8));
            L->hosts[hi].row = (int)r;
            layout_building(L, in, hi, zone);
        }
    }
}

/* ---- connections and envelopes ---- */

pv_point pv_layout_anchor(const pv_layout *L, const pv_scene *s, uint32_t h, uint32_t d)
{
    if (h >= L->nhosts) return (pv_point){ L->w / 2, L->scene.y + L->scene.h / 2 };
    const pv_host_box *hb = &L->hosts[h];
    pv_rect r = rect(0, 0, 0, 0);
    if (d < s->ndoors) {
        r = L->doors[d].r;
        if (r.w == 0) r = s->doors[d].privileged ? hb->priv.more : hb->upper.more;
    } else if (d == PV_DOOR_MORE) {
        r = hb->upper.more.w ? hb->upper.more : hb->priv.more;
    }
    if (r.w == 0) return (pv_point){ hb->body.x + hb->body.w / 2, hb->body.y + hb->body.h };
    return (pv_point){ r.x + r.w / 2, r.y + r.h };
}

static double dist(pv_point a, pv_point b)
{
    return hypot((double)(b.x - a.x), (double)(b.y - a.y));
}

pv_point pv_layout_path(pv_point a, int sy_a, pv_point b, int sy_b, ps_time sent, ps_time arrives,
                        ps_time now)
{
    double f = arrives > sent ? (double)(now > sent ? now - sent : 0) / (double)(arrives - sent) : 1.0;
    if (f > 1) f = 1;
    pv_point pts[5] = { a, { a.x, sy_a }, { b.x, sy_a }, { b.x, sy_b }, b };
    double len = 0;
    for (int i = 0; i < 4; i++) len += dist(pts[i], pts[i + 1]);
    double want = f * len;
    for (int i = 0; i < 4; i++) {
        double d = dist(pts[i], pts[i + 1]);
        if (want <= d && d > 0) {
            double k = want / d;
            return (pv_point){ (int)lround(pts[i].x + k * (pts[i + 1].x - pts[i].x)),
                               (int)lround(pts[i].y + k * (pts[i + 1].y - pts[i].y)) };
        }
        want -= d;
    }
    return b;
}

static int street_mid(const pv_layout *L, uint32_t h)
{
    if (h >= L->nhosts || L->nrows == 0) return L->scene.y + L->scene.h / 2;
    pv_rect st = L->streets[L->hosts[h].row];
    return st.y + st.h / 2;
}

/* Envelopes travel in the street's upper lane going right, the lower one
 * going left; the line is the lane's top edge. */
static int street_lane(const pv_layout *L, uint32_t h)
{
    if (h >= L->nhosts || L->nrows == 0) return L->scene.y + L->scene.h / 2;
    return L->streets[L->hosts[h].row].y + sc(L, 2);
}

/* True when a connection count at r would leave the street area or cover an
 * earlier one. */
static bool count_taken(const pv_layout *L, pv_rect r, uint32_t before)
{
    if (!pv_rect_inside(r, L->scene)) return true;
    for (uint32_t k = 0; k < before; k++)
        if (pv_rect_overlap(r, L->links[k].count)) return true;
    return false;
}

static void layout_links(pv_layout *L, const pv_layout_in *in)
{
    const pv_scene *s = in->scene;
    L->nlinks = s->nlinks;
    for (uint32_t i = 0; i < s->nlinks; i++) {
        const pv_link *k = &s->links[i];
        pv_link_box *b = &L->links[i];
        b->a = pv_layout_anchor(L, s, k->host_a, k->door_a);
        b->b = pv_layout_anchor(L, s, k->host_b, k->door_b);
        int sag = street_mid(L, k->host_a) + sc(L, 14 + 4 * (int)(i % 3));
        b->ctrl = (pv_point){ (b->a.x + b->b.x) / 2, 2 * sag - (b->a.y + b->b.y) / 2 };
        b->count = rect(0, 0, 0, 0);
        if (k->count > 1 || k->door_a >= PV_DOOR_MORE) {
            char buf[32];
            snprintf(buf, sizeof buf, "%u conns", (unsigned)k->count);
            int w = measure(in, buf, L->px.small, PV_FACE_MONO) + sc(L, 8), h = line_h(L->px.small);
            b->count = rect((b->a.x + b->b.x) / 2 - w / 2, sag - h / 2, w, h);
            /* counts of neighbouring bundles step aside, up or down, not over each other */
            for (int j = 1; j < 8 && count_taken(L, b->count, i); j++)
                b->count.y = sag - h / 2 + (j % 2 ? 1 : -1) * ((j + 1) / 2) * h;
            if (count_taken(L, b->count, i)) b->count = rect(0, 0, 0, 0);
        }
    }
}

static const char *const k_slot_titles[PV_SLOTS] = { "src IP", "src port", "dst IP", "dst port" };

const char *pv_slot_title(int slot) { return slot >= 0 && slot < PV_SLOTS ? k_slot_titles[slot] : ""; }

static pv_rect move(pv_rect r, int dx, int dy)
{
    return r.w > 0 ? rect(r.x + dx, r.y + dy, r.w, r.h) : r;
}

static void move_card(pv_env_box *b, int dx, int dy)
{
    b->r = move(b->r, dx, dy);
    b->name = move(b->name, dx, dy);
    b->flags = move(b->flags, dx, dy);
    b->detail = move(b->detail, dx, dy);
    b->tag = move(b->tag, dx, dy);
    for (int k = 0; k < PV_SLOTS; k++) {
        b->head[k] = move(b->head[k], dx, dy);
        b->slot[k] = move(b->slot[k], dx, dy);
    }
}

/* A card's boxes with its top-left corner at (0, 0): columns as wide as
 * their widest line, so no text is ever cut (the detail too: "demux: ..."). */
static void card_boxes(const pv_layout *L, const pv_layout_in *in, const pv_envelope *v, pv_env_box *b)
{
    const pv_conv *c = pv_scene_conv(in->scene, v->conv);
    const char *name = c && c->named ? c->id : "";
    int px = L->px.env, hpx = L->px.env_head, pad = imax(2, sc(L, 5)), gap = sc(L, 10);
    int hh = line_h(hpx), lh = line_h(px);
    int x = pad, y = pad / 2;
    int w0 = imax(measure(in, name, hpx, PV_FACE_BOLD), measure(in, v->flags_str, px, PV_FACE_BOLD));
    b->name = rect(x, y, w0, hh);
    b->flags = rect(x, y + hh, w0, lh);
    x += w0 + gap;
    for (int k = 0; k < PV_SLOTS; k++) {
        int w = imax(measure(in, k_slot_titles[k], hpx, PV_FACE_SANS), measure(in, v->slot[k], px, PV_FACE_MONO));
        b->head[k] = rect(x, y, w, hh);
        b->slot[k] = rect(x, y + hh, w, lh);
        x += w + (k + 1 < PV_SLOTS ? gap : 0);
    }
    /* A page load's stream or request leads the last line, in bold. */
    int tw = v->tag[0] ? measure(in, v->tag, px, PV_FACE_BOLD) : 0;
    b->tag = tw ? rect(pad, y + hh + lh, tw, lh) : rect(0, 0, 0, 0);
    int dx = tw ? pad + tw + gap : pad;
    int dw = measure(in, v->detail, px, PV_FACE_MONO);
    b->detail = dw ? rect(dx, y + hh + lh, dw, lh) : rect(0, 0, 0, 0);
    bool last = dw || tw;
    b->r = rect(0, 0, imax(x, dx + dw) + pad, y + hh + lh + (last ? lh : 0) + pad / 2 + sc(L, 2));
    b->card = true;
}

static bool taken(const pv_layout *L, pv_rect r, uint32_t placed)
{
    for (uint32_t i = 0; i < placed; i++)
        if (pv_rect_overlap(r, L->envs[i].r)) return true;
    for (uint32_t i = 0; i < L->nlinks; i++)
        if (pv_rect_overlap(r, L->links[i].count)) return true;
    return false;
}

/* Puts a box of b->r's size centred on x in the street's first free lane,
 * starting from lane `pref`; false when every lane is taken there. */
static bool place_in_lane(const pv_layout *L, pv_rect st, int x, uint32_t pref, pv_env_box *b, uint32_t placed)
{
    int g = imax(1, sc(L, 3)), m = sc(L, 4);
    int lanes = (st.h - g) / (b->r.h + g);
    if (lanes < 1 || b->r.w > st.w - 2 * m) return false;
    int left = imax(st.x + m, imin(x - b->r.w / 2, st.x + st.w - m - b->r.w));
    for (int k = 0; k < lanes; k++) {
        int lane = (int)((pref + (uint32_t)k) % (uint32_t)lanes);
        pv_rect r = rect(left, st.y + g + lane * (b->r.h + g), b->r.w, b->r.h);
        if (taken(L, r, placed)) continue;
        move_card(b, r.x - b->r.x, r.y - b->r.y);
        return true;
    }
    return false;
}

/* The oldest few envelopes (arriving soonest) get cards; the rest are icons.
 * Each conversation prefers its own lane; an envelope with no free lane is
 * not drawn over another but counted in the "+N more envelopes" badge. */
#define CARD_ENVELOPES 6

static void layout_envelopes(pv_layout *L, const pv_layout_in *in)
{
    const pv_scene *s = in->scene;
    L->nenvs = s->nenvs;
    L->env_hidden = s->hidden_envs;
    uint32_t cards = 0;
    for (uint32_t i = 0; i < s->nenvs; i++) {
        const pv_envelope *v = &s->envs[i];
        pv_env_box *b = &L->envs[i];
        memset(b, 0, sizeof *b);
        pv_point a = pv_layout_anchor(L, s, v->host_from, v->door_from);
        pv_point z = pv_layout_anchor(L, s, v->host_to, v->door_to);
        b->at = pv_layout_path(a, street_lane(L, v->host_from), z, street_lane(L, v->host_to), v->sent,
                               v->arrives, s->now);
        /* halfway through its trip an envelope moves to the receiver's street */
        bool late = s->now > v->sent && 2 * (s->now - v->sent) >= v->arrives - v->sent;
        uint32_t h = late ? v->host_to : v->host_from;
        if (L->nrows == 0 || h >= L->nhosts) continue;
        pv_rect st = L->streets[L->hosts[h].row];
        uint32_t pref = v->conv != PV_NO_CONV ? v->conv : i;
        if (cards < CARD_ENVELOPES) {
            card_boxes(L, in, v, b);
            if (place_in_lane(L, st, b->at.x, pref, b, i)) {
                cards++;
                continue;
            }
            pv_point at = b->at;
            memset(b, 0, sizeof *b);
            b->at = at;
        }
        b->r = rect(0, 0, sc(L, 26), sc(L, 16));
        if (!place_in_lane(L, st, b->at.x, pref, b, i)) {
            b->r = rect(0, 0, 0, 0);
            L->env_hidden++;
        }
    }
}

/* ---- the demux card and the failing door's label ---- */

/* True when r lies in the street area clear of every label, door, "+N"
 * tile, envelope and connection count placed so far. */
static bool clear_spot(const pv_layout *L, const pv_scene *s, pv_rect r)
{
    if (!pv_rect_inside(r, L->scene)) return false;
    for (uint32_t i = 0; i < L->nlabels; i++)
        if (pv_rect_overlap(r, L->labels[i])) return false;
    for (uint32_t i = 0; i < s->ndoors; i++)
        if (pv_rect_overlap(r, L->doors[i].r)) return false;
    for (uint32_t i = 0; i < L->nhosts; i++)
        if (pv_rect_overlap(r, L->hosts[i].upper.more) || pv_rect_overlap(r, L->hosts[i].priv.more)) return false;
    return !taken(L, r, L->nenvs);
}

static int card_width(const pv_layout_in *in, const pv_lookup *q, int px)
{
    int w = measure(in, q->head, px, PV_FACE_BOLD);
    for (int i = 0; i < PV_ASKS; i++) w = imax(w, measure(in, q->ask[i], px, PV_FACE_MONO));
    return w;
}

static void layout_lookup(pv_layout *L, const pv_layout_in *in)
{
    const pv_lookup *q = &in->scene->lookup;
    L->lookup = rect(0, 0, 0, 0);
    L->lookup_in_log = false;
    if (!q->active || q->host >= L->nhosts) return;
    int pad = sc(L, 8), px = L->px.log;
    int w = card_width(in, q, px) + 2 * pad;
    int row = line_h(px) + sc(L, 3), h = (PV_ASKS + 1) * row + pad;
    /* in the receiving building where there is room, top rows first */
    pv_rect body = L->hosts[q->host].body;
    bool found = false;
    for (int y = body.y + sc(L, 4); !found && y + h <= body.y + body.h; y += imax(4, row / 2)) {
        int xs[3] = { body.x + (body.w - w) / 2, body.x + sc(L, 6), body.x + body.w - w - sc(L, 6) };
        for (int k = 0; k < 3 && !found; k++) {
            L->lookup = rect(xs[k], y, w, h);
            found = L->lookup.x >= body.x && clear_spot(L, in->scene, L->lookup);
        }
    }
    if (!found && L->log.h <= 0) { /* presenting, no room in the building: the door ring says it */
        L->lookup = rect(0, 0, 0, 0);
        return;
    }
    if (!found) { /* else at the top of the log, the type shrunk to fit */
        L->lookup_in_log = true;
        int room = L->log.y + L->log.h - (L->log_head.y + L->log_head.h) - sc(L, 4);
        L->lookup = rect(L->log.x + sc(L, 6), L->log_head.y + L->log_head.h, L->log.w - sc(L, 12), 0);
        while (px > 8 && (card_width(in, q, px) > L->lookup.w - 2 * pad ||
                          (PV_ASKS + 1) * (line_h(px) + sc(L, 3)) + pad > room))
            px--;
        row = line_h(px) + sc(L, 3);
        L->lookup.h = (PV_ASKS + 1) * row + pad;
    }
    L->lookup_px = px;
    pv_rect r = L->lookup;
    L->lookup_head = rect(r.x + pad, r.y + pad / 2, r.w - 2 * pad, row);
    for (int i = 0; i < PV_ASKS; i++) L->lookup_ask[i] = rect(r.x + pad, r.y + pad / 2 + (i + 1) * row, r.w - 2 * pad, row);
    add_label(L, L->lookup);
}

static void layout_door_error(pv_layout *L, const pv_layout_in *in)
{
    L->door_error = rect(0, 0, 0, 0);
    const pv_scene *s = in->scene;
    if (!in->door_error || in->error_host >= L->nhosts) return;
    uint32_t d = pv_scene_door_for(s, in->error_host, in->error_port);
    pv_rect door = d < s->ndoors ? L->doors[d].r : rect(0, 0, 0, 0);
    if (door.w == 0) return;
    int px = L->px.small, w = measure(in, in->door_error, px, PV_FACE_BOLD) + sc(L, 10), h = line_h(px) + sc(L, 4);
    int g = sc(L, 3), cx = door.x + door.w / 2 - w / 2;
    pv_rect spots[4] = { rect(cx, door.y - h - g, w, h), rect(cx, door.y + door.h + g, w, h),
                         rect(door.x + door.w + g, door.y, w, h), rect(door.x - w - g, door.y, w, h) };
    for (int k = 0; k < 4; k++)
        if (clear_spot(L, s, spots[k])) {
            L->door_error = spots[k];
            add_label(L, L->door_error);
            return;
        }
}

/* The "+N more envelopes" badge: at the scene's top right if that is clear,
 * else the first clear place along the top or the streets, right first. */
static void layout_env_more(pv_layout *L, const pv_layout_in *in)
{
    L->env_more = rect(0, 0, 0, 0);
    if (!L->env_hidden) return;
    int w = measure(in, "+0000000 more envelopes", L->px.small, PV_FACE_SANS), h = line_h(L->px.small);
    int m = sc(L, 16), step = imax(8, w / 4);
    for (uint32_t row = 0; row <= L->nrows; row++) {
        int y = row == 0 ? L->scene.y + sc(L, 4) : L->streets[row - 1].y + L->streets[row - 1].h - h - sc(L, 2);
        for (int x = L->w - m - w; x >= m; x -= step)
            if (clear_spot(L, in->scene, rect(x, y, w, h))) {
                L->env_more = rect(x, y, w, h);
                add_label(L, L->env_more);
                return;
            }
    }
}

void pv_layout_compute(const pv_layout_in *in, pv_layout *L)
{
    L->w = imax(in->w, 320);
    L->h = imax(in->h, 240);
    double z = in->zoom > 0 ? in->zoom : 1.0;
    L->s = fmin(L->w / 1280.0, L->h / 720.0) * z;
    L->present = in->present;
    L->min_px = in->present ? (int)ceil(32.0 * L->s / 1.5 - 1e-9) : 0;
    L->nlabels = 0;
    layout_fonts(L);
    layout_top(L, in);
    layout_bands(L, in);
    layout_panels(L, in);
    layout_caption(L, in);
    layout_street(L, in);
    layout_links(L, in);
    layout_envelopes(L, in);
    layout_lookup(L, in);
    layout_door_error(L, in);
    layout_env_more(L, in);
}

/* ---- time axis ---- */

void pv_axis_init(pv_axis *a)
{
    a->n = 1;
    a->t[0] = 0;
    a->u[0] = 0;
    a->end = 0;
}

void pv_axis_add(pv_axis *a, ps_time t)
{
    if (t <= a->end) return;
    if (t - a->end > PV_AXIS_GAP && a->n + 2 <= PV_AXIS_KNOTS) {
        double u_end = a->u[a->n - 1] + (double)(a->end - a->t[a->n - 1]);
        if (a->t[a->n - 1] != a->end) {
            a->t[a->n] = a->end;
            a->u[a->n++] = u_end;
        }
        a->t[a->n] = t;
        a->u[a->n++] = u_end + PV_AXIS_GAP;
    }
    a->end = t;
}

static double axis_u(const pv_axis *a, ps_time t)
{
    uint32_t k = 0;
    while (k + 1 < a->n && a->t[k + 1] <= t) k++;
    if (k + 1 < a->n) {
        double span = (double)(a->t[k + 1] - a->t[k]);
        return a->u[k] + (double)(t - a->t[k]) * (a->u[k + 1] - a->u[k]) / span;
    }
    return a->u[k] + (double)(t - a->t[k]);
}

double pv_axis_frac(const pv_axis *a, ps_time t)
{
    if (t > a->end) t = a->end;
    double total = axis_u(a, a->end);
    return total > 0 ? axis_u(a, t) / total : 0.0;
}

ps_time pv_axis_time(const pv_axis *a, double frac)
{
    if (frac <= 0) return 0;
    if (frac >= 1) return a->end;
    double u = frac * axis_u(a, a->end);
    uint32_t k = 0;
    while (k + 1 < a->n && a->u[k + 1] <= u) k++;
    double rate = k + 1 < a->n ? (double)(a->t[k + 1] - a->t[k]) / (a->u[k + 1] - a->u[k]) : 1.0;
    return a->t[k] + (ps_time)llround((u - a->u[k]) * rate);
}

bool pv_axis_in_gap(const pv_axis *a, ps_time t, ps_time *gap)
{
    for (uint32_t k = 0; k + 1 < a->n; k++) {
        ps_time span = a->t[k + 1] - a->t[k];
        if (t >= a->t[k] && t < a->t[k + 1] && (double)span > a->u[k + 1] - a->u[k] + 0.5) {
            if (gap) *gap = span;
            return true;
        }
    }
    return false;
}
