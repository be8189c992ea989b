/* canvas.h — the canvas primitives the web backend (gfx_canvas.c) draws
 * with, implemented in JavaScript (web/gfx.js, linked as an emscripten JS
 * library) on the page's 2D canvas. Colours are pv_rgba packed as 0xRRGGBBAA; coordinates are the
 * layout's pixels. Text is drawn and measured by the canvas itself with the
 * DejaVu fonts the page loaded, so the layout measures what is drawn. */
#ifndef PS_WEB_CANVAS_H
#define PS_WEB_CANVAS_H

#include <stdint.h>

void gfx_fill(int x, int y, int w, int h, uint32_t rgba);
void gfx_outline(int x, int y, int w, int h, uint32_t rgba, int thick);
void gfx_dashed(int x, int y, int w, int h, uint32_t rgba, int thick, int dash);
void gfx_hatch(int x, int y, int w, int h, uint32_t rgba, int spacing);
void gfx_line(int x0, int y0, int x1, int y1, uint32_t rgba, int thick, int dash);
void gfx_curve(int ax, int ay, int cx, int cy, int bx, int by, uint32_t rgba, int thick);
void gfx_triangle(int x0, int y0, int x1, int y1, int x2, int y2, uint32_t rgba);
/* UTF-8 text s: vertically centred in y..y+h (h > 0) or with its top at y;
 * within max_w (> 0) aligned by align (PV_ALIGN_*, render/gfx.h), ending in
 * "…" when wider.
 * Returns the width drawn. The page records each text and its box (the
 * browser test reads them, like `portsim render --boxes`). */
int gfx_text(const char *s, int face, int px, uint32_t rgba, int x, int y, int max_w, int h, int align);
int gfx_measure(const char *s, int px, int face);
void gfx_clip(int x, int y, int w, int h);
void gfx_unclip(void);

#endif
