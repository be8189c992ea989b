/* paint.h — the lecture picture drawn through a backend (gfx.h): the
 * painter (the backend, and the `--boxes` recorder every text goes through,
 * with the role and connection of the texts being drawn), the primitives
 * as the drawing code calls them, and the street scene of a computed layout
 * (buildings, floors, doors, connection lines, envelopes, the demux card).
 * Decides nothing about positions: layout.h does. The panels around the
 * street are drawn from the view (view.h). A painter owns nothing: the
 * backend and the recorder are its caller's. */
#ifndef PV_PAINT_H
#define PV_PAINT_H

#include <stddef.h>

#include "boxes.h"
#include "gfx.h"
#include "layout.h"
#include "palette.h"
#include "scene.h"

typedef struct pv_paint {
    const pv_gfx *g;            /* the backend (not owned) */
    pv_boxes *rec;              /* where drawn texts are recorded, or NULL */
    pv_role role;
    char conn[PV_CONN_ID];
    pv_rgba conn_col;
} pv_paint;

/* v layout pixels at the layout's scale, at least 1. */
static inline int pv_th(const pv_layout *L, double v)
{
    int n = (int)(v * L->s + 0.5);
    return n < 1 ? 1 : n;
}

void pv_fill(const pv_paint *p, pv_rect a, pv_rgba c);
void pv_outline(const pv_paint *p, pv_rect a, pv_rgba c, int thick);
void pv_dashed(const pv_paint *p, pv_rect a, pv_rgba c, int thick, int dash);
void pv_hatch(const pv_paint *p, pv_rect a, pv_rgba c, int spacing);
void pv_line(const pv_paint *p, pv_point a, pv_point b, pv_rgba c, int thick, int dash);
void pv_curve(const pv_paint *p, pv_point a, pv_point ctrl, pv_point b, pv_rgba c, int thick);
void pv_triangle(const pv_paint *p, const pv_point pt[3], pv_rgba c);
void pv_clip(const pv_paint *p, pv_rect r);
void pv_unclip(const pv_paint *p);

/* Draws s with its top-left at (x, y) (or centred / right-aligned inside
 * max_w). Text wider than max_w (> 0) ends in "…". Returns the width drawn. */
int pv_paint_text(pv_paint *p, const char *s, pv_face face, int px, pv_rgba col, int x, int y, int max_w,
                  int align);
/* Draws s vertically centred in r, cut to r's width. */
int pv_paint_text_in(pv_paint *p, const char *s, pv_face face, int px, pv_rgba col, pv_rect r, int align);
int pv_paint_measure(const pv_paint *p, const char *s, int px, pv_face face);
/* The role of the texts drawn next; clears the connection. */
void pv_paint_role(pv_paint *p, pv_role role);
/* The connection the texts drawn next belong to (NULL: none), and its
 * colour, recorded instead of the ink. */
void pv_paint_conn(pv_paint *p, const char *conn, pv_rgba col);
/* Sets the connection of the texts drawn next to conversation i (none for
 * PV_NO_CONV) and returns its colour, or `other` when there is none. */
pv_rgba pv_paint_conv(pv_paint *p, const pv_scene *s, uint16_t i, pv_rgba other);

/* The longest prefix of s (whole UTF-8 characters) that, followed by "…",
 * fits max_w as `measure` measures it; written into out (n >= 8). */
void pv_ellipsize(pv_measure_fn measure, void *ctx, const char *s, pv_face face, int px, int max_w, char *out,
                  size_t n);

/* Draws the street, buildings, doors, connections and envelopes; building
 * `selected` (the one the socket table lists; PS_NONE: none) is outlined. */
void pv_draw_scene(pv_paint *p, const pv_layout *L, const pv_scene *s, uint32_t selected);
/* The demux card (pv_lookup) with its answer highlighted, and a ring round
 * the chosen door. Drawn after the panels: the card may take the log's place. */
void pv_draw_lookup(pv_paint *p, const pv_layout *L, const pv_scene *s);
/* The failing program's label at the taken or locked door. */
void pv_draw_door_error(pv_paint *p, const pv_layout *L, const char *label);

/* The outline colour of a door of this kind (tests look for it). */
pv_rgba pv_door_colour(pv_door_kind kind);

#endif
