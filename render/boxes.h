/* boxes.h — the record of every text a frame drew: its words, its box in
 * pixels, its font size, its role in the picture (title, door, envelope...),
 * and, for texts that belong to one connection, that connection's id and
 * colour. `portsim render --boxes` writes it as JSON and the tests read it
 * to check that no two texts overlap and nothing leaves the window.
 *
 * The SDL backend fills it from its one text-drawing function; this module
 * only stores and serialises. No SDL. */
#ifndef PV_BOXES_H
#define PV_BOXES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "palette.h"
#include "sbuf.h"

typedef enum pv_role {
    PV_ROLE_TITLE, PV_ROLE_CLOCK, PV_ROLE_HINT, PV_ROLE_CAPTION, PV_ROLE_ROOF, PV_ROLE_NAME,
    PV_ROLE_FLOOR, PV_ROLE_DOOR, PV_ROLE_ENVELOPE, PV_ROLE_LINK, PV_ROLE_TABLE, PV_ROLE_LOG,
    PV_ROLE_TERMINAL, PV_ROLE_BANNER, PV_ROLE_NOTICE, PV_ROLE_LOOKUP, PV_ROLE_TIMELINE,
    PV_ROLE_HELP, PV_ROLE_PICKER, PV_ROLE_ERROR, PV_ROLE_BUTTON, PV_ROLE_NAT, PV_ROLE_COUNT
} pv_role;

/* "title", "door", ... as written in the JSON. */
const char *pv_role_name(pv_role r);

#define PV_CONN_ID PV_CONV_ID /* "tab1", or "192.0.2.10:50674>93.184.216.34:443" */

typedef struct pv_box {
    pv_rect r;
    int px;
    uint8_t role;         /* pv_role */
    bool cut;             /* shortened to fit its box (ends in "…") */
    pv_rgba color;        /* the connection's colour, else the ink */
    char conn[PV_CONN_ID]; /* "" = belongs to no single connection */
    uint32_t text;        /* offset of its words in pv_boxes.words */
} pv_box;

#define PV_BOXES_MAX 65536u /* texts kept per frame; more are counted */

typedef struct pv_boxes {
    pv_box *v;
    uint32_t n, cap, dropped;
    ps_sbuf words;        /* the texts, NUL-separated */
} pv_boxes;

void pv_boxes_clear(pv_boxes *b);
void pv_boxes_free(pv_boxes *b);
/* Records one drawn text; conn may be NULL or "". False when full or out of
 * memory (counted in dropped). */
bool pv_boxes_add(pv_boxes *b, const char *text, bool cut, pv_rect r, int px, pv_role role, const char *conn,
                  pv_rgba color);
const char *pv_boxes_text(const pv_boxes *b, uint32_t i);

/* The record as a JSON array, one object a line, appended to out:
 * {"text":..,"x":..,"y":..,"w":..,"h":..,"px":..,"role":..,"color":"#rrggbb"[,"conn":..][,"cut":true]} */
void pv_boxes_json(const pv_boxes *b, ps_sbuf *out);

/* Pixels two boxes share along x and along y (0 when apart). */
int pv_rect_overlap_x(pv_rect a, pv_rect b);
int pv_rect_overlap_y(pv_rect a, pv_rect b);

#endif
