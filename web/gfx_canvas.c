/* gfx_canvas.c — the web backend of the drawing interface (render/gfx.h):
 * each primitive is one canvas call of web/canvas.h. Owns nothing. */
#include "gfx_canvas.h"

#include "canvas.h"

static uint32_t rgba(pv_rgba c) { return (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a; }

static void fill(void *ctx, pv_rect r, pv_rgba c)
{
    (void)ctx;
    gfx_fill(r.x, r.y, r.w, r.h, rgba(c));
}

static void outline(void *ctx, pv_rect r, pv_rgba c, int thick)
{
    (void)ctx;
    gfx_outline(r.x, r.y, r.w, r.h, rgba(c), thick);
}

static void dashed(void *ctx, pv_rect r, pv_rgba c, int thick, int dash)
{
    (void)ctx;
    gfx_dashed(r.x, r.y, r.w, r.h, rgba(c), thick, dash);
}

static void hatch(void *ctx, pv_rect r, pv_rgba c, int spacing)
{
    (void)ctx;
    gfx_hatch(r.x, r.y, r.w, r.h, rgba(c), spacing);
}

static void line(void *ctx, pv_point a, pv_point b, pv_rgba c, int thick, int dash)
{
    (void)ctx;
    gfx_line(a.x, a.y, b.x, b.y, rgba(c), thick, dash);
}

static void curve(void *ctx, pv_point a, pv_point m, pv_point b, pv_rgba c, int thick)
{
    (void)ctx;
    gfx_curve(a.x, a.y, m.x, m.y, b.x, b.y, rgba(c), thick);
}

static void triangle(void *ctx, const pv_point p[3], pv_rgba c)
{
    (void)ctx;
    gfx_triangle(p[0].x, p[0].y, p[1].x, p[1].y, p[2].x, p[2].y, rgba(c));
}

/* The page records the texts itself (canvas.h); *drawn is where gfx.js put it. */
static int text(void *ctx, const char *s, pv_face face, int px, pv_rgba col, pv_rect box, int align,
                pv_rect *drawn)
{
    (void)ctx;
    int w = gfx_text(s, (int)face, px, rgba(col), box.x, box.y, box.w, box.h, align);
    if (drawn) {
        int lh = (px * 117 + 50) / 100, x = box.x;
        if (box.w > 0 && align == PV_ALIGN_CENTER) x += (box.w - w) / 2;
        else if (box.w > 0 && align == PV_ALIGN_RIGHT) x += box.w - w;
        *drawn = (pv_rect){ x, box.h > 0 ? box.y + (box.h - lh) / 2 : box.y, w, lh };
    }
    return w;
}

static int measure(void *ctx, const char *s, int px, pv_face face)
{
    (void)ctx;
    return gfx_measure(s, px, (int)face);
}

static void clip(void *ctx, pv_rect r)
{
    (void)ctx;
    gfx_clip(r.x, r.y, r.w, r.h);
}

static void unclip(void *ctx)
{
    (void)ctx;
    gfx_unclip();
}

const pv_gfx web_gfx_canvas = { NULL, fill, outline, dashed, hatch, line, curve, triangle, text, measure, clip, unclip };
