/* text.h — fonts and text drawing for the lecture window: loads the
 * shipped DejaVu fonts once, and keeps a bounded cache of rendered
 * text textures keyed by (string, face, size, colour, width limit), so a
 * frame that shows the same words as the last one renders no glyphs (and a
 * bounded cache of measured widths, so laying it out measures none). Every
 * text goes through pv_text_draw, which can record it (boxes.h). */
#ifndef PV_TEXT_H
#define PV_TEXT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "boxes.h"
#include "layout.h"
#include "palette.h"

typedef struct pv_text pv_text;

/* Loads the fonts from the assets folder (io/paths.h finds it). NULL (with a message in err) if
 * a font is missing or SDL_ttf cannot start. */
pv_text *pv_text_new(SDL_Renderer *ren, char *err, size_t n);
void pv_text_free(pv_text *t);

/* pv_measure_fn for layout.h: ctx is a pv_text. */
int pv_text_measure(void *ctx, const char *s, int px, pv_face face);

enum { PV_ALIGN_LEFT, PV_ALIGN_CENTER, PV_ALIGN_RIGHT };

/* Draws s with its top-left at (x, y) (or centred / right-aligned inside
 * max_w). Text wider than max_w (> 0) ends in "…". Returns the width drawn. */
int pv_text_draw(pv_text *t, const char *s, pv_face face, int px, pv_rgba col, int x, int y,
                 int max_w, int align);

/* Draws s vertically centred in r, clipped to r's width. */
int pv_text_in(pv_text *t, const char *s, pv_face face, int px, pv_rgba col, pv_rect r, int align);

/* Records every text drawn from now on into rec (NULL: stop recording),
 * with the role and connection set by the two calls below. */
void pv_text_record(pv_text *t, pv_boxes *rec);
/* The role of the texts drawn next; clears the connection. */
void pv_text_role(pv_text *t, pv_role role);
/* The connection the texts drawn next belong to (NULL: none), and its
 * colour, recorded instead of the ink. */
void pv_text_conn(pv_text *t, const char *conn, pv_rgba col);

/* How many textures the cache holds now (for tests: it stays bounded). */
size_t pv_text_cached(const pv_text *t);

#endif
