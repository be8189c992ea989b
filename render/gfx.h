/* gfx.h — the drawing backend interface: the handful of primitives the
 * lecture picture is made of (render/paint.h draws everything with them).
 * A backend fills a pv_gfx with its functions and a context: the SDL window
 * and `portsim render` (render/sdl/gfx_sdl.c), the browser canvas
 * (web/gfx_canvas.c). Coordinates are the layout's pixels; colours may be
 * translucent. It owns nothing; the backend owns ctx. */
#ifndef PV_GFX_H
#define PV_GFX_H

#include "layout.h"
#include "palette.h"

enum { PV_ALIGN_LEFT, PV_ALIGN_CENTER, PV_ALIGN_RIGHT };

typedef struct pv_gfx {
    void *ctx;
    void (*fill)(void *ctx, pv_rect r, pv_rgba c);
    /* A frame `thick` pixels wide inside r; dashed: in dashes of `dash`. */
    void (*outline)(void *ctx, pv_rect r, pv_rgba c, int thick);
    void (*dashed)(void *ctx, pv_rect r, pv_rgba c, int thick, int dash);
    /* Diagonal hatching inside r, every `spacing` pixels. */
    void (*hatch)(void *ctx, pv_rect r, pv_rgba c, int spacing);
    /* A line `thick` pixels wide centred on a-b; dash > 0: dashed, from a up
     * to (not including) b, horizontal or vertical only. */
    void (*line)(void *ctx, pv_point a, pv_point b, pv_rgba c, int thick, int dash);
    /* The quadratic curve from a to b pulled towards ctrl. */
    void (*curve)(void *ctx, pv_point a, pv_point ctrl, pv_point b, pv_rgba c, int thick);
    void (*triangle)(void *ctx, const pv_point p[3], pv_rgba c);
    /* UTF-8 text s in `face` at px pixels: its top at box.y (box.h == 0) or
     * vertically centred in box (box.h > 0); within box.w (> 0) aligned by
     * align (PV_ALIGN_*) and ending in "…" when wider, else from box.x.
     * Returns the width drawn; *drawn (when not NULL) gets its box. */
    int (*text)(void *ctx, const char *s, pv_face face, int px, pv_rgba col, pv_rect box, int align,
                pv_rect *drawn);
    pv_measure_fn measure; /* the width text would take (layout.h) */
    /* Drawing outside r is left out until unclip. */
    void (*clip)(void *ctx, pv_rect r);
    void (*unclip)(void *ctx);
} pv_gfx;

#endif
