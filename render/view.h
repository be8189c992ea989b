/* view.h — the lecture's state and its one drawing entry point, whatever
 * draws it: the open scenario and its playback, zoom, the host whose sockets
 * the table shows, overlays (help, file picker), the notice bar, the live
 * terminal, the questions. It owns these; the backend (gfx.h) it draws
 * through is the caller's. The SDL window (render/sdl/gui.c), `portsim
 * render` (render/sdl/render_cmd.c) and the web page (web/app.c) all draw
 * through pv_view_draw, so each shows exactly what the others show. */
#ifndef PV_VIEW_H
#define PV_VIEW_H

#include "keys.h"
#include "layout.h"
#include "paint.h"
#include "playback.h"
#include "quiz_view.h"
#include "scene.h"
#include "terminal.h"

#define PV_PICK_MAX 64
#define PV_MARKS_MAX 4096

typedef struct pv_view {
    pv_paint paint;             /* the backend (not owned) and the texts' recorder */
    ps_scenario *sc;            /* the open scenario (owned) */
    char source[512];           /* its path; "" for the built-in lesson */
    pv_playback pb;
    pv_scene *scene;
    pv_layout *lay;
    double zoom;
    bool present;               /* presentation mode: panels folded, big type (F5) */
    uint32_t host_sel;          /* host shown in the socket table; PS_NONE = the server */
    bool help, picker;
    char picks[PV_PICK_MAX][512];
    char pick_titles[PV_PICK_MAX][96]; /* each lesson's `title`, "" if it has none */
    int npicks, pick;
    char notice[768];           /* one-line message in the top bar (errors: above the caption); "" = none */
    bool notice_error;
    bool hide_notice;           /* drawing a screenshot: leave transient notices out */
    pv_term term;               /* the live terminal on the selected building (terminal.h) */
    pv_boxes *boxes;            /* when set, each frame records its texts here (not owned) */
    bool scene_valid;
    ps_time scene_at;
    pv_quiz quiz;               /* the open scenario's questions (quiz_view.h) */
    bool no_questions;          /* --no-questions: scenarios open with questions off */
    pv_rect quiz_rows[PS_MAX_CHOICES]; /* where the choices were drawn, for clicks */
    int quiz_nrows;
    /* timeline markers, cached per track width */
    int marks_w, nmarks;
    int16_t mark_x[PV_MARKS_MAX];
    uint8_t mark_kind[PV_MARKS_MAX];
} pv_view;

/* A view drawing through g (which must outlive it); NULL with a message in
 * err if memory runs out. */
pv_view *pv_view_new(const pv_gfx *g, char *err, size_t n);
void pv_view_free(pv_view *v);

/* Opens a scenario file (NULL: the built-in two-tabs lesson). On failure
 * writes "file:line:col: error: ..." to err and keeps the open scenario. */
bool pv_view_load(pv_view *v, const char *path, char *err, size_t n);

/* Draws the whole window at w x h (layout, scene, panels, overlays). */
void pv_view_draw(pv_view *v, int w, int h);

/* The host the socket table shows. */
uint32_t pv_view_table_host(const pv_view *v);

/* Runs the terminal's line on the table's host (pv_term_enter) and
 * refreshes what depends on the recording (scene, timeline marks). */
pv_inject_status pv_view_term_enter(pv_view *v);

/* Fills the picker with the .scn files in dir (NULL: the lessons folder,
 * io/paths.h), sorted, and opens it. */
void pv_view_picker_open(pv_view *v, const char *dir);

/* Draws the top bar, socket table, event log, caption, timeline, error
 * banner and overlays (panels.c). */
void pv_draw_panels(pv_view *v, const char *title, const char *clock, const char *hint,
                    const char *caption);
void pv_draw_overlays(pv_view *v);
/* Draws the terminal over the table and log when it is open (term_panel.c). */
void pv_draw_terminal(pv_view *v);
/* The lesson's own terminal (its latest `shell` line and output) in place of
 * the socket table, when there is one to show and the live terminal is
 * closed. True if it drew. */
bool pv_draw_script(pv_view *v);
/* The action of the top-bar button at (x, y) (keys.h: step, play/pause,
 * terminal, help), or PV_ACT_NONE (panels.c lays them out). */
pv_action pv_button_at(const pv_view *v, int x, int y);
/* The event whose log row is at (x, y), or SIZE_MAX (panels.c lays the
 * log out). */
size_t pv_log_event_at(const pv_view *v, int x, int y);
/* Socket s in words ("50688 · tab2 · firefox 4242 · SYN-SENT ·
 * 192.0.2.10:50688 -> 93.184.216.34:443", ":443 · nginx 812 · LISTEN on
 * 0.0.0.0:443"), for a click on its door or its table row. */
void pv_view_describe_socket(const pv_view *v, uint32_t s, char *buf, size_t n);
/* What the door at (x, y) holds, in words; false if no door with a socket
 * is there. */
bool pv_view_door_at(const pv_view *v, int x, int y, char *buf, size_t n);
/* The socket whose table row is at (x, y), or PS_NONE (panels.c lays the
 * table out). */
uint32_t pv_table_socket_at(const pv_view *v, int x, int y);
/* The picker entry at (x, y) on screen, or -1 (panels.c lays the list out). */
int pv_picker_at(const pv_view *v, int x, int y);

#define PV_BANNER_WINDOW 100000u /* an error stays at least 100 ms of simulated time */

/* ---- questions (quiz_panel.c) ---- */

/* Draws the question on screen, if any, over the lower part of the street. */
void pv_draw_quiz(pv_view *v);
/* The lesson moved on from `before` to now: stops it just before a question
 * that lies on the way, paused, with the question on screen. */
void pv_view_quiz_gate(pv_view *v, ps_time before);
/* A click while a question is on screen: picks the choice under it. True
 * when a question took the click (then nothing else should). */
bool pv_view_quiz_click(pv_view *v, int x, int y);

#define PV_HINT "Space play · ←/→ step · +/− speed · T terminal · ? help"

#endif
