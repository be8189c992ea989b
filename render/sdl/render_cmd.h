/* render_cmd.h — `portsim render`: headless pictures of the lecture window
 * (SDL's dummy video driver, a software renderer drawing into a surface,
 * PNGs saved with SDL2_image), and the frames-per-second benchmark. */
#ifndef PV_RENDER_CMD_H
#define PV_RENDER_CMD_H

#include <SDL.h>

#include "view.h"

/* A view drawing into a w x h surface, without any display. */
typedef struct pv_headless {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    pv_view *view;
} pv_headless;

/* Starts SDL (dummy video driver unless one is chosen) and builds the view.
 * False with a message in err on failure. */
bool pv_headless_open(pv_headless *hl, int w, int h, char *err, size_t n);
void pv_headless_close(pv_headless *hl);
/* The pixel at (x, y) of the last drawn frame. */
pv_rgba pv_headless_pixel(const pv_headless *hl, int x, int y);

/* Renders file (NULL: built-in lesson) at time `at` into out_png. Returns an
 * exit code; on a scenario error prints it and writes nothing (exit 2). */
int pv_render_png(const char *file, ps_time at, int w, int h, const char *out_png);

/* `portsim render FILE --at T -o out.png [--size WxH] [--zoom Z] [--frames N]` */
int pv_cmd_render(int argc, char **argv);

#endif
