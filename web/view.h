/* view.h — the page's lecture state, the web twin of render/sdl/view.h: the
 * open scenario and its playback, the scene and layout of the last frame,
 * zoom, the host the socket table shows, the help overlay, the live
 * terminal and a notice line. web/app.c owns it; web/draw.c draws it. */
#ifndef PS_WEB_VIEW_H
#define PS_WEB_VIEW_H

#include "layout.h"
#include "playback.h"
#include "scene.h"
#include "terminal.h"

#define WEB_MARKS_MAX 4096
#define WEB_HINT "Space play · ←/→ step · +/− speed · T terminal · ? help"

typedef struct web_view {
    ps_scenario *sc;            /* the open scenario (owned), NULL before the first */
    char source[256];           /* the name its messages use */
    pv_playback pb;
    pv_scene *scene;
    pv_layout *lay;
    double zoom;
    uint32_t host_sel;          /* PS_NONE: the host with the most listeners */
    bool help;
    pv_term term;
    char notice[512];           /* "" = none */
    bool notice_error;
    bool scene_valid;
    ps_time scene_at;
    int marks_w, nmarks;        /* timeline markers, cached per track width */
    int16_t mark_x[WEB_MARKS_MAX];
    uint8_t mark_kind[WEB_MARKS_MAX];
} web_view;

/* The host the socket table (and the terminal) is on. */
uint32_t web_table_host(const web_view *v);

/* Draws the whole page canvas at w x h from v's layout (computed by the
 * caller) and scene. */
void web_draw(web_view *v, const char *title, const char *clock, const char *caption);

#endif
