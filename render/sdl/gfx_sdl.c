/* gfx_sdl.c — render/gfx.h on an SDL_Renderer (see gfx_sdl.h): rectangles
 * as filled rectangles, lines as 1-pixel lines side by side, curves as 24
 * straight pieces, triangles as geometry, texts as cached textures. */
#include "gfx_sdl.h"

#include <string.h>

static void set(SDL_Renderer *r, pv_rgba c)
{
    SDL_SetRenderDrawBlendMode(r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

static void fill(void *ctx, pv_rect a, pv_rgba c)
{
    SDL_Renderer *r = ((pv_gfx_sdl *)ctx)->ren;
    if (a.w <= 0 || a.h <= 0) return;
    set(r, c);
    SDL_RenderFillRect(r, &(SDL_Rect){ a.x, a.y, a.w, a.h });
}

static void outline(void *ctx, pv_rect a, pv_rgba c, int thick)
{
    fill(ctx, (pv_rect){ a.x, a.y, a.w, thick }, c);
    fill(ctx, (pv_rect){ a.x, a.y + a.h - thick, a.w, thick }, c);
    fill(ctx, (pv_rect){ a.x, a.y, thick, a.h }, c);
    fill(ctx, (pv_rect){ a.x + a.w - thick, a.y, thick, a.h }, c);
}

/* Dashes along one edge from (x, y), horizontal or vertical. */
static void dash_edge(void *ctx, int x, int y, int len, bool horiz, pv_rgba c, int thick, int dash)
{
    for (int d = 0; d < len; d += 2 * dash) {
        int n = d + dash > len ? len - d : dash;
        fill(ctx, horiz ? (pv_rect){ x + d, y, n, thick } : (pv_rect){ x, y + d, thick, n }, c);
    }
}

static void dashed(void *ctx, pv_rect a, pv_rgba c, int thick, int dash)
{
    dash_edge(ctx, a.x, a.y, a.w, true, c, thick, dash);
    dash_edge(ctx, a.x, a.y + a.h - thick, a.w, true, c, thick, dash);
    dash_edge(ctx, a.x, a.y, a.h, false, c, thick, dash);
    dash_edge(ctx, a.x + a.w - thick, a.y, a.h, false, c, thick, dash);
}

static void hatch(void *ctx, pv_rect a, pv_rgba c, int spacing)
{
    SDL_Renderer *r = ((pv_gfx_sdl *)ctx)->ren;
    SDL_RenderSetClipRect(r, &(SDL_Rect){ a.x, a.y, a.w, a.h });
    set(r, c);
    for (int d = -a.h; d < a.w; d += spacing)
        SDL_RenderDrawLine(r, a.x + d, a.y + a.h, a.x + d + a.h, a.y);
    SDL_RenderSetClipRect(r, NULL);
}

static void line(void *ctx, pv_point a, pv_point b, pv_rgba c, int thick, int dash)
{
    SDL_Renderer *r = ((pv_gfx_sdl *)ctx)->ren;
    int dx = b.x - a.x, dy = b.y - a.y;
    bool steep = (dy < 0 ? -dy : dy) > (dx < 0 ? -dx : dx);
    if (dash > 0) { /* horizontal or vertical: dashes are rectangles */
        if (steep) dash_edge(ctx, a.x - thick / 2, dy < 0 ? b.y : a.y, dy < 0 ? -dy : dy, false, c, thick, dash);
        else dash_edge(ctx, dx < 0 ? b.x : a.x, a.y - thick / 2, dx < 0 ? -dx : dx, true, c, thick, dash);
        return;
    }
    set(r, c);
    for (int k = 0; k < thick; k++) {
        int o = k - thick / 2;
        if (steep) SDL_RenderDrawLine(r, a.x + o, a.y, b.x + o, b.y);
        else SDL_RenderDrawLine(r, a.x, a.y + o, b.x, b.y + o);
    }
}

static void curve(void *ctx, pv_point a, pv_point m, pv_point b, pv_rgba c, int thick)
{
    pv_point prev = a;
    for (int i = 1; i <= 24; i++) {
        double t = i / 24.0, u = 1 - t;
        pv_point p = { (int)(u * u * a.x + 2 * u * t * m.x + t * t * b.x),
                       (int)(u * u * a.y + 2 * u * t * m.y + t * t * b.y) };
        line(ctx, prev, p, c, thick, 0);
        prev = p;
    }
}

static void triangle(void *ctx, const pv_point p[3], pv_rgba c)
{
    SDL_Vertex v[3];
    for (int i = 0; i < 3; i++)
        v[i] = (SDL_Vertex){ { (float)p[i].x, (float)p[i].y }, { c.r, c.g, c.b, c.a }, { 0, 0 } };
    SDL_RenderGeometry(((pv_gfx_sdl *)ctx)->ren, NULL, v, 3, NULL, 0);
}

static int text(void *ctx, const char *s, pv_face face, int px, pv_rgba col, pv_rect box, int align,
                pv_rect *drawn)
{
    return pv_text_draw(((pv_gfx_sdl *)ctx)->text, s, face, px, col, box, align, drawn);
}

static int measure(void *ctx, const char *s, int px, pv_face face)
{
    return pv_text_measure(((pv_gfx_sdl *)ctx)->text, s, px, face);
}

static void clip(void *ctx, pv_rect r)
{
    SDL_RenderSetClipRect(((pv_gfx_sdl *)ctx)->ren, &(SDL_Rect){ r.x, r.y, r.w, r.h });
}

static void unclip(void *ctx) { SDL_RenderSetClipRect(((pv_gfx_sdl *)ctx)->ren, NULL); }

bool pv_gfx_sdl_open(pv_gfx_sdl *s, SDL_Renderer *ren, char *err, size_t n)
{
    memset(s, 0, sizeof *s);
    s->ren = ren;
    s->text = pv_text_new(ren, err, n);
    s->gfx = (pv_gfx){ s, fill, outline, dashed, hatch, line, curve, triangle, text, measure, clip, unclip };
    return s->text != NULL;
}

void pv_gfx_sdl_close(pv_gfx_sdl *s)
{
    pv_text_free(s->text);
    memset(s, 0, sizeof *s);
}
