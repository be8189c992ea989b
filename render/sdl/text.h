/* text.h — fonts and text drawing for the lecture window: loads the
 * shipped DejaVu fonts once, and keeps a bounded cache of rendered
 * text textures keyed by (string, face, size, colour, width limit), so a
 * frame that shows the same words as the last one renders no glyphs (and a
 * bounded cache of measured widths, so laying it out measures none). The
 * text half of the SDL backend (gfx_sdl.c). */
#ifndef PV_TEXT_H
#define PV_TEXT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "layout.h"
#include "palette.h"

typedef struct pv_text pv_text;

/* Loads the fonts from the assets folder (io/paths.h finds it). NULL (with a message in err) if
 * a font is missing or SDL_ttf cannot start. */
pv_text *pv_text_new(SDL_Renderer *ren, char *err, size_t n);
void pv_text_free(pv_text *t);

/* pv_measure_fn for layout.h: ctx is a pv_text. */
int pv_text_measure(void *ctx, const char *s, int px, pv_face face);

/* Draws s as pv_gfx's text does (gfx.h: box, align, "…", *drawn);
 * returns the width drawn. */
int pv_text_draw(pv_text *t, const char *s, pv_face face, int px, pv_rgba col, pv_rect box, int align,
                 pv_rect *drawn);

/* How many textures the cache holds now (for tests: it stays bounded). */
size_t pv_text_cached(const pv_text *t);

#endif
