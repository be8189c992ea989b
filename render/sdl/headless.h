/* headless.h — the lecture window without a display: SDL's dummy video
 * driver and a software renderer drawing into a surface (render_cmd.c). For
 * `portsim render` and the tests that look at pixels. */
#ifndef PV_HEADLESS_H
#define PV_HEADLESS_H

#include <SDL.h>

#include "gfx_sdl.h"
#include "view.h"

/* A view drawing into a w x h surface, without any display. */
typedef struct pv_headless {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    pv_gfx_sdl gfx;             /* the view draws on ren through it */
    pv_view *view;
} pv_headless;

/* Starts SDL (dummy video driver unless one is chosen) and builds the view.
 * False with a message in err on failure. */
bool pv_headless_open(pv_headless *hl, int w, int h, char *err, size_t n);
void pv_headless_close(pv_headless *hl);
/* The pixel at (x, y) of the last drawn frame. */
pv_rgba pv_headless_pixel(const pv_headless *hl, int x, int y);

#endif
