/* render_cmd.h — `portsim render`: headless pictures of the lecture window
 * (through headless.h; PNGs saved with SDL2_image), and the frames-per-second
 * benchmark. No SDL type here: the command line includes it. */
#ifndef PV_RENDER_CMD_H
#define PV_RENDER_CMD_H

#include "base.h"

/* Renders file (NULL: built-in lesson) at time `at` into out_png. Returns an
 * exit code; on a scenario error prints it and writes nothing (exit 2). */
int pv_render_png(const char *file, ps_time at, int w, int h, const char *out_png);

/* `portsim render FILE --at T -o out.png [--size WxH] [--zoom Z] [--present]
 * [--frames N] [--boxes out.json]`: --present draws presentation mode,
 * --boxes also writes every text drawn (boxes.h). */
int pv_cmd_render(int argc, char **argv);

#endif
