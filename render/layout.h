/* layout.h — where everything in the lecture window goes, as pure functions
 * of (window size, zoom, scene snapshot, the strings to show): the top bar,
 * the street with its buildings, floors, doors and labels, the envelopes in
 * flight and connection lines, the panels, the caption and the timeline.
 *
 * No SDL here: text is measured through a callback, rectangles are plain
 * ints, and tests can check the geometry without a window. The same layout
 * drives the window and `portsim render`, so pictures match. */
#ifndef PV_LAYOUT_H
#define PV_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "scene.h"

typedef struct pv_rect {
    int x, y, w, h;
} pv_rect;

typedef struct pv_point {
    int x, y;
} pv_point;

typedef enum pv_face { PV_FACE_SANS, PV_FACE_BOLD, PV_FACE_MONO, PV_FACE_COUNT } pv_face;

/* Width in pixels of UTF-8 text s drawn at px pixels in face. */
typedef int (*pv_measure_fn)(void *ctx, const char *s, int px, pv_face face);

typedef struct pv_door_box {
    pv_rect r;                 /* the door; w == 0: not shown (counted in a "+N" tile) */
    pv_rect title, sub, note;  /* its label lines; h == 0 when the door has no room */
} pv_door_box;

typedef struct pv_floor_box {
    pv_rect r;                 /* w == 0: the host has no such floor */
    pv_rect head;              /* floor title line; h == 0 in compact buildings */
    pv_rect lock;              /* privileged floor's lock mark (always there) */
    bool priv;
    pv_rect more;              /* "+N more" tile, w == 0 when every door fits */
    pv_rect more_title, more_sub;
    uint32_t more_count;
} pv_floor_box;

/* How a router's translation entry is written in its building. */
typedef enum pv_nat_form {
    PV_NAT_ONE_LINE,  /* "192.168.1.10:50000 ↔ 203.0.113.5:50000" */
    PV_NAT_TWO_LINES, /* "192.168.1.10:50000" over "↔ 203.0.113.5:50000" */
    PV_NAT_PORT_ONLY, /* "192.168.1.10:50000 ↔ :50000": the public address is on the roof */
} pv_nat_form;

typedef struct pv_host_box {
    pv_rect body;              /* the walls */
    pv_point roof[3];          /* left eave, peak, right eave */
    pv_rect plate;             /* street-address plate on the roof */
    pv_rect name;              /* "laptop · firefox 4242" */
    pv_floor_box upper, priv;  /* unprivileged floor above, privileged below */
    int row;                   /* which street row */
    int door_title_px, door_sub_px; /* label sizes of this building's doors */
    /* A router's translation table: a panel with a head line and one row
     * per entry shown (one line, or two: inside end, public end), then
     * "+N more" when some do not fit. */
    pv_rect nat, nat_head;     /* w == 0: not a router */
    pv_rect nat_inside;        /* "inside 192.168.1.1" at the panel's foot; h == 0: no room */
    pv_rect nat_row[PV_MAX_NAT_ROWS];
    uint32_t nat_shown;        /* rows laid out (entries pv_host.first_nat ...) */
    pv_rect nat_more;          /* h == 0: every entry is shown */
    uint32_t nat_more_count;
    int nat_px;
    uint8_t nat_form;          /* pv_nat_form of the rows */
} pv_host_box;

/* An envelope rides in a lane of the street, never over a building: a card
 * with the conversation's name and the flags, then the 4-tuple as four
 * titled slots, then the payload or the demux decision; or, past the first
 * few, a small icon without text. */
typedef struct pv_env_box {
    pv_point at;               /* where on the path the envelope is now */
    pv_rect r;                 /* card or icon; w == 0: no room, counted in env_hidden */
    bool card;
    pv_rect name, flags;       /* first column: conversation name over the flags */
    pv_rect head[PV_SLOTS], slot[PV_SLOTS]; /* slot titles ("src IP"...) over values */
    pv_rect detail;            /* full width; h == 0 when there is none */
    pv_rect tag;               /* before the detail: "stream 3", "request 3"; w == 0: none */
} pv_env_box;

/* "src IP", "src port", "dst IP", "dst port" */
const char *pv_slot_title(int slot);

typedef struct pv_link_box {
    pv_point a, ctrl, b;       /* quadratic curve from door a to door b */
    pv_rect count;             /* "N conns" label, w == 0 when count is 1 */
} pv_link_box;

#define PV_MAX_LABELS 4096

typedef struct pv_fonts {
    int title, clock, hint, plate, name, floor, env, env_head, table, log, caption, small, big, term;
} pv_fonts;

/* The zoom range of the window (Ctrl+/Ctrl-) and of `portsim render
 * --zoom`: one range, so "the largest zoom" means the same in both. */
#define PV_ZOOM_MIN 0.6
#define PV_ZOOM_MAX 2.0

typedef struct pv_layout_in {
    const pv_scene *scene;
    int w, h;                  /* window size in pixels */
    double zoom;               /* 1.0 = default; Ctrl+/Ctrl- */
    pv_measure_fn measure;
    void *measure_ctx;
    const char *title;         /* scenario title */
    const char *clock;         /* "t = 150.000 ms  ▶ ×1" */
    const char *hint;          /* key hint, dropped when there is no room */
    const char *caption;       /* current caption, may be NULL */
    bool banner;               /* an error is the news: the caption band makes room for it */
    const char *door_error;    /* the failing program at its door ("✗ node 8402: EADDRINUSE"), or NULL */
    uint32_t error_host;       /* ... at this host's door for error_port */
    uint16_t error_port;
    bool present;              /* presentation mode: table and log folded, big type */
} pv_layout_in;

typedef struct pv_layout {
    int w, h;
    double s;                  /* scale: 1.0 at 1280x720, zoom 1 */
    bool present;              /* presentation mode (pv_layout_in) */
    int min_px;                /* no text smaller: 32 px at 1920x1080 when presenting, else 0 */
    pv_fonts px;
    pv_rect top, title, clock, hint;
    pv_rect title_line[2];     /* the title, on two lines when one does not fit */
    size_t title_split;        /* byte where line 2 starts; 0 = one line */
    pv_rect notice;            /* where a notice goes: the top bar right of the clock */
    pv_rect scene;             /* the street area */
    pv_rect streets[PV_MAX_HOSTS];
    uint32_t nrows;
    pv_host_box hosts[PV_MAX_HOSTS];
    uint32_t nhosts;
    pv_door_box doors[PV_MAX_HOSTS * PV_MAX_DOORS];
    pv_link_box links[PV_MAX_LINKS];
    uint32_t nlinks;
    pv_env_box envs[PV_MAX_ENVELOPES];
    uint32_t nenvs;
    pv_rect env_more;          /* "+N more envelopes" (w == 0: none hidden) */
    uint32_t env_hidden;       /* envelopes not drawn: beyond the scene's or no room */
    pv_rect banner;            /* error banner above the caption (h == 0: no error) */
    pv_rect lookup;            /* the demux card (scene.h, pv_lookup); w == 0: none */
    pv_rect lookup_head, lookup_ask[PV_ASKS];
    int lookup_px;
    bool lookup_in_log;        /* no room in the receiving building: it tops the log */
    pv_rect door_error;        /* the label at the failing door; w == 0: none */
    pv_rect table, table_head;
    int table_row_h, table_rows, col_x[4];
    pv_rect log, log_head;
    int log_row_h, log_rows;
    pv_rect term, term_head;   /* the live terminal: over the table and log band */
    int term_row_h, term_rows; /* rows below the head, the input line included */
    pv_rect caption;
    pv_rect caption_line[2];
    size_t caption_split;      /* byte where line 2 starts; 0 = one line */
    pv_rect timeline, track;
    pv_rect overlay;           /* help / picker box */
    pv_rect labels[PV_MAX_LABELS]; /* every fixed label, for overlap checks */
    uint32_t nlabels;
} pv_layout;

/* Computes the whole layout. out may be large: allocate it once. */
void pv_layout_compute(const pv_layout_in *in, pv_layout *out);

/* The point an envelope or a connection line leaves from / arrives at for
 * door ref d of host h (a door index, PV_DOOR_MORE or PV_DOOR_FRONT). */
pv_point pv_layout_anchor(const pv_layout *L, const pv_scene *s, uint32_t h, uint32_t d);

/* Where an envelope sent at `sent` and arriving at `arrives` is at `now` on
 * the way from a to b along streets sy_a / sy_b: down to the street, along
 * it, up to the door. Monotonic in now. */
pv_point pv_layout_path(pv_point a, int sy_a, pv_point b, int sy_b, ps_time sent, ps_time arrives,
                        ps_time now);

/* A translation row's words in a form: line2 is "" for the one-line forms.
 * Each buffer holds n bytes. */
void pv_nat_row_text(const pv_nat_row *r, pv_nat_form form, char *line1, char *line2, size_t n);

bool pv_rect_overlap(pv_rect a, pv_rect b);
bool pv_rect_inside(pv_rect inner, pv_rect outer);
bool pv_rect_contains(pv_rect r, int x, int y);

/* ---- the timeline's time axis: long quiet gaps are drawn short ---- */

#define PV_AXIS_KNOTS 256
#define PV_AXIS_GAP 250000u /* gaps longer than 250 ms are drawn as 250 ms */

typedef struct pv_axis {
    ps_time t[PV_AXIS_KNOTS];  /* knot times, increasing */
    double u[PV_AXIS_KNOTS];   /* drawn position of each knot (compressed us) */
    uint32_t n;
    ps_time end;
} pv_axis;

/* Builds the axis from event times given in increasing order. */
void pv_axis_init(pv_axis *a);
void pv_axis_add(pv_axis *a, ps_time t);
/* Fraction 0..1 of the track where t is drawn, and back. */
double pv_axis_frac(const pv_axis *a, ps_time t);
ps_time pv_axis_time(const pv_axis *a, double frac);
/* True when t lies inside a compressed gap (the GUI plays those faster);
 * *gap receives the gap's real length. */
bool pv_axis_in_gap(const pv_axis *a, ps_time t, ps_time *gap);

#endif
