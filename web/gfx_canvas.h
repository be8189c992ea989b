/* gfx_canvas.h — the page's drawing backend: render/gfx.h on the canvas
 * primitives of web/canvas.h (the page's one canvas: no context, nothing
 * owned). */
#ifndef PS_WEB_GFX_CANVAS_H
#define PS_WEB_GFX_CANVAS_H

#include "gfx.h" /* render/gfx.h: this folder has no gfx.h */

extern const pv_gfx web_gfx_canvas;

#endif
