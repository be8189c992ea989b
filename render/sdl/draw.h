/* draw.h — thin SDL drawing: primitives (filled, outlined, dashed and
 * hatched rectangles, thick lines, curves, triangles) and the street scene
 * of a computed layout (buildings, floors, doors, connection lines,
 * envelopes). Decides nothing about positions: layout.h does. */
#ifndef PV_DRAW_H
#define PV_DRAW_H

#include <SDL.h>

#include "layout.h"
#include "palette.h"
#include "text.h"

void pv_fill(SDL_Renderer *r, pv_rect a, pv_rgba c);
void pv_outline(SDL_Renderer *r, pv_rect a, pv_rgba c, int thick);
void pv_dashed(SDL_Renderer *r, pv_rect a, pv_rgba c, int thick, int dash);
void pv_hatch(SDL_Renderer *r, pv_rect a, pv_rgba c, int spacing);
void pv_line(SDL_Renderer *r, pv_point a, pv_point b, pv_rgba c, int thick);
void pv_triangle(SDL_Renderer *r, const pv_point p[3], pv_rgba c);

/* Draws the street, buildings, doors, connections and envelopes; building
 * `selected` (the one the socket table lists; PS_NONE: none) is outlined. */
void pv_draw_scene(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s, uint32_t selected);

/* The demux card (pv_lookup) with its answer highlighted, and a ring round
 * the chosen door. Drawn after the panels: the card may take the log's place. */
void pv_draw_lookup(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s);
/* The failing program's label at the taken or locked door. */
void pv_draw_door_error(SDL_Renderer *r, pv_text *t, const pv_layout *L, const char *label);

/* Sets the connection of the texts drawn next to conversation i (none for
 * PV_NO_CONV) and returns its colour, or `other` when there is none. */
pv_rgba pv_text_conv(pv_text *t, const pv_scene *s, uint16_t i, pv_rgba other);

/* The outline colour of a door of this kind (tests look for it). */
pv_rgba pv_door_colour(pv_door_kind kind);

#endif
