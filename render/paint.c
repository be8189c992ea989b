/* paint.c — the painter (see paint.h): the primitives handed to the
 * backend, and texts, recorded as drawn (ending in "…" when cut) when a
 * recorder is set. */
#include "paint.h"

#include <stdio.h>
#include <string.h>

void pv_fill(const pv_paint *p, pv_rect a, pv_rgba c)
{
    if (a.w > 0 && a.h > 0) p->g->fill(p->g->ctx, a, c);
}

void pv_outline(const pv_paint *p, pv_rect a, pv_rgba c, int thick)
{
    if (a.w > 0 && a.h > 0) p->g->outline(p->g->ctx, a, c, thick < 1 ? 1 : thick);
}

void pv_dashed(const pv_paint *p, pv_rect a, pv_rgba c, int thick, int dash)
{
    if (a.w > 0 && a.h > 0) p->g->dashed(p->g->ctx, a, c, thick < 1 ? 1 : thick, dash < 2 ? 2 : dash);
}

void pv_hatch(const pv_paint *p, pv_rect a, pv_rgba c, int spacing)
{
    if (a.w > 0 && a.h > 0 && spacing >= 2) p->g->hatch(p->g->ctx, a, c, spacing);
}

void pv_line(const pv_paint *p, pv_point a, pv_point b, pv_rgba c, int thick, int dash)
{
    p->g->line(p->g->ctx, a, b, c, thick < 1 ? 1 : thick, dash);
}

void pv_curve(const pv_paint *p, pv_point a, pv_point ctrl, pv_point b, pv_rgba c, int thick)
{
    p->g->curve(p->g->ctx, a, ctrl, b, c, thick < 1 ? 1 : thick);
}

void pv_triangle(const pv_paint *p, const pv_point pt[3], pv_rgba c) { p->g->triangle(p->g->ctx, pt, c); }

void pv_clip(const pv_paint *p, pv_rect r) { p->g->clip(p->g->ctx, r); }

void pv_unclip(const pv_paint *p) { p->g->unclip(p->g->ctx); }

int pv_paint_measure(const pv_paint *p, const char *s, int px, pv_face face)
{
    return s && *s ? p->g->measure(p->g->ctx, s, px, face) : 0;
}

void pv_ellipsize(pv_measure_fn measure, void *ctx, const char *s, pv_face face, int px, int max_w, char *out,
                  size_t n)
{
    size_t len = strlen(s), lo = 0, hi = len < n - 4 ? len : n - 4;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        while (mid > lo && (s[mid] & 0xC0) == 0x80) mid--;
        if (mid == lo) break;
        memcpy(out, s, mid);
        memcpy(out + mid, "…", 4);
        if (measure(ctx, out, px, face) <= max_w) lo = mid;
        else hi = mid - 1;
    }
    while (lo > 0 && (s[lo] & 0xC0) == 0x80) lo--;
    memcpy(out, s, lo);
    memcpy(out + lo, "…", 4);
}

static int text(pv_paint *p, const char *s, pv_face face, int px, pv_rgba col, pv_rect box, int align)
{
    if (!s || !*s || px < 4) return 0;
    pv_rect drawn = { 0, 0, 0, 0 };
    int w = p->g->text(p->g->ctx, s, face, px, col, box, align, p->rec ? &drawn : NULL);
    if (!p->rec || w <= 0) return w;
    char fitted[512];
    bool cut = box.w > 0 && pv_paint_measure(p, s, px, face) > box.w;
    if (cut) {
        pv_ellipsize(p->g->measure, p->g->ctx, s, face, px, box.w, fitted, sizeof fitted);
        s = fitted;
    }
    pv_boxes_add(p->rec, s, cut, drawn, px, p->role, p->conn, p->conn[0] ? p->conn_col : col);
    return w;
}

int pv_paint_text(pv_paint *p, const char *s, pv_face face, int px, pv_rgba col, int x, int y, int max_w,
                  int align)
{
    return text(p, s, face, px, col, (pv_rect){ x, y, max_w, 0 }, align);
}

int pv_paint_text_in(pv_paint *p, const char *s, pv_face face, int px, pv_rgba col, pv_rect r, int align)
{
    if (r.w <= 0 || r.h <= 0) return 0;
    return text(p, s, face, px, col, r, align);
}

void pv_paint_role(pv_paint *p, pv_role role)
{
    p->role = role;
    p->conn[0] = '\0';
}

void pv_paint_conn(pv_paint *p, const char *conn, pv_rgba col)
{
    snprintf(p->conn, sizeof p->conn, "%s", conn ? conn : "");
    p->conn_col = col;
}

pv_rgba pv_paint_conv(pv_paint *p, const pv_scene *s, uint16_t i, pv_rgba other)
{
    const pv_conv *c = pv_scene_conv(s, i);
    pv_paint_conn(p, c ? c->id : NULL, c ? pv_conv_colour(c->colour) : other);
    return c ? pv_conv_colour(c->colour) : other;
}
