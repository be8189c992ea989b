/* gfx_sdl.h — the SDL backend of the drawing interface (render/gfx.h): the
 * primitives on an SDL_Renderer, texts through the font cache (text.h).
 * It owns the font cache; the renderer is the caller's. */
#ifndef PV_GFX_SDL_H
#define PV_GFX_SDL_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "gfx.h"
#include "text.h"

typedef struct pv_gfx_sdl {
    pv_gfx gfx;                 /* what the view draws through; its ctx is this struct */
    SDL_Renderer *ren;
    pv_text *text;
} pv_gfx_sdl;

/* Draws on ren (which must outlive it). False with a message in err if
 * the fonts cannot be loaded. */
bool pv_gfx_sdl_open(pv_gfx_sdl *s, SDL_Renderer *ren, char *err, size_t n);
void pv_gfx_sdl_close(pv_gfx_sdl *s);

#endif
